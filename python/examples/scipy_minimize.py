"""Hand an opal problem to scipy.optimize.minimize (trust-constr) through its callbacks.

Usage: python scipy_minimize.py [PROBLEM | FILE.SIF] [NAME=VALUE ...]   (default: pde N=5)

A SIF file (e.g. ../shared/data/sif/HS71.SIF) is decoded by opal.load_sif; NAME=VALUE then
overrides its $-PARAMETERs.
"""

import sys

import numpy as np
from scipy.optimize import Bounds, NonlinearConstraint, minimize

import opal


def scipy_solve(p, tol=1e-8):
    """Solve opal problem `p` with scipy's trust-constr using opal's exact derivatives."""
    cons = []
    if p.m:
        cons.append(
            NonlinearConstraint(
                p.constraints,
                p.constraint_lower,
                p.constraint_upper,
                jac=p.jacobian,
                # Hessian of sum_i v_i c_i(x): opal's Lagrangian Hessian with obj_factor 0.
                hess=lambda x, v: p.hessian_lagrangian(x, v, obj_factor=0.0, full=True),
            )
        )
    lower, upper = p.lower, p.upper
    bounds = None
    if np.isfinite(lower).any() or np.isfinite(upper).any():
        bounds = Bounds(lower, upper, keep_feasible=False)
    return minimize(
        p.objective,
        p.x0,
        jac=p.gradient,
        hess=lambda x: p.hessian_lagrangian(x, np.zeros(p.m), full=True),
        bounds=bounds,
        constraints=cons,
        method="trust-constr",
        options={"gtol": tol, "xtol": 1e-12, "maxiter": 2000},
    )


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "pde"
    params = dict(a.split("=", 1) for a in sys.argv[2:]) or {"N": 5}
    if name.upper().endswith(".SIF"):
        prob = opal.load_sif(name, **(params if len(sys.argv) > 2 else {}))
    else:
        prob = opal.problem(name, **params)
    res = scipy_solve(prob)
    c = prob.constraints(res.x)
    viol = np.max(np.maximum(prob.constraint_lower - c, c - prob.constraint_upper), initial=0.0)
    print(f"{prob.name}: status {res.status} ({res.message}), f = {res.fun:.10g}, "
          f"constraint violation {viol:.2e}, iterations {res.nit}")
