"""Reference optima of the convex ReLU programs (issue 6) with CVXPY, on data and gates
exported by `relu_bench export` (X.txt, y.txt, G.txt, D.txt in DIR).

usage: python relu_cvxpy.py DIR --variant gated|relu --lam L --solver CLARABEL|SCS [--eps E]
Prints one JSON line: objective (issue 6 scaling), cone violation, solve time.
SCS runs with eps_abs = eps_rel = E (default 1e-6); Clarabel with its tight defaults
tightened further (tol_gap_abs = tol_gap_rel = tol_feas = 1e-10).
"""
import argparse
import json
import time

import numpy as np

from relu_common import require


def solve(directory, variant="gated", lam=1e-3, solver="CLARABEL", eps=1e-6, radius=0.0,
          bias=False):
    """The program on the exported data in `directory`, as a dict (objective recomputed
    in numpy, cone violation, CVXPY status, times, sizes)."""
    import cvxpy as cp
    X = np.loadtxt(f"{directory}/X.txt", ndmin=2)
    y = np.loadtxt(f"{directory}/y.txt", ndmin=1)
    D = np.loadtxt(f"{directory}/D.txt", ndmin=2)
    n, d = X.shape
    P = D.shape[1]
    t0 = time.time()
    if variant == "gated":
        U = cp.Variable((d, P))
        pred = cp.sum(cp.multiply(D, X @ U), axis=1)
        obj = cp.sum_squares(pred - y) / (2 * n) + lam * cp.sum(cp.norm(U, 2, axis=0))
        cons = []
    elif variant == "robust":
        # Robust hinge program (issue 6 spec, opal scaling): per-sample effective weights
        # z_j = sum_i d_ij (v_i - w_i), loss (1/n) sum_j (1 - y_j x_j^T z_j + eps ||z_j||_1)_+,
        # cones (2 D_i - I) X v_i >= eps ||v_i||_1 (l1 over the perturbed coordinates).
        V = cp.Variable((d, P))
        W = cp.Variable((d, P))
        S = 2 * D - 1
        e = radius
        mask = np.ones(d)
        if bias:
            mask[-1] = 0.0
        Z = D @ (V - W).T
        margin = cp.multiply(y, cp.sum(cp.multiply(X, Z), axis=1))
        l1z = cp.sum(cp.abs(Z) @ np.diag(mask), axis=1)
        obj = cp.sum(cp.pos(1 - margin + e * l1z)) / n + lam * (
            cp.sum(cp.norm(V, 2, axis=0)) + cp.sum(cp.norm(W, 2, axis=0)))
        l1v = mask @ cp.abs(V)
        l1w = mask @ cp.abs(W)
        cons = [cp.multiply(S, X @ V) >= np.ones((n, 1)) @ cp.reshape(e * l1v, (1, P), order="F"),
                cp.multiply(S, X @ W) >= np.ones((n, 1)) @ cp.reshape(e * l1w, (1, P), order="F")]
    else:
        V = cp.Variable((d, P))
        W = cp.Variable((d, P))
        S = 2 * D - 1
        pred = cp.sum(cp.multiply(D, X @ (V - W)), axis=1)
        obj = cp.sum_squares(pred - y) / (2 * n) + lam * (
            cp.sum(cp.norm(V, 2, axis=0)) + cp.sum(cp.norm(W, 2, axis=0)))
        cons = [cp.multiply(S, X @ V) >= 0, cp.multiply(S, X @ W) >= 0]
    prob = cp.Problem(cp.Minimize(obj), cons)
    kw = {}
    if solver == "SCS":
        kw = dict(eps_abs=eps, eps_rel=eps, max_iters=1_000_000)
    elif solver == "CLARABEL":
        kw = dict(tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10, max_iter=500)
    prob.solve(solver=solver, **kw)
    elapsed = time.time() - t0
    # Recompute the objective in numpy (independent of CVXPY's value).
    if variant == "gated":
        Uv = U.value
        p = (D * (X @ Uv)).sum(1)
        val = ((p - y) ** 2).sum() / (2 * n) + lam * np.linalg.norm(Uv, axis=0).sum()
        cv = 0.0
    elif variant == "robust":
        Vv, Wv = V.value, W.value
        Zv = D @ (Vv - Wv).T
        marg = y * (X * Zv).sum(1)
        val = np.maximum(0, 1 - marg + e * (np.abs(Zv) @ mask)).sum() / n + lam * (
            np.linalg.norm(Vv, axis=0).sum() + np.linalg.norm(Wv, axis=0).sum())
        S = 2 * D - 1
        need_v = e * (mask @ np.abs(Vv))
        need_w = e * (mask @ np.abs(Wv))
        cv = float(max(0.0, (need_v - S * (X @ Vv)).max(), (need_w - S * (X @ Wv)).max()))
    else:
        Vv, Wv = V.value, W.value
        p = (D * (X @ (Vv - Wv))).sum(1)
        val = ((p - y) ** 2).sum() / (2 * n) + lam * (np.linalg.norm(Vv, axis=0).sum() + np.linalg.norm(Wv, axis=0).sum())
        S = 2 * D - 1
        cv = float(max(0.0, (-(S * (X @ Vv))).max(), (-(S * (X @ Wv))).max()))
    return {"dir": directory, "variant": variant, "solver": solver, "status": prob.status,
            "objective": float(val), "cvxpy_value": float(prob.value), "cone_violation": cv,
            "time": elapsed, "solve_time": prob.solver_stats.solve_time,
            "iterations": prob.solver_stats.num_iters, "n": n, "d": d, "P": P}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--variant", default="gated")
    ap.add_argument("--lam", type=float, default=1e-3)
    ap.add_argument("--solver", default="CLARABEL")
    ap.add_argument("--eps", type=float, default=1e-6)
    ap.add_argument("--radius", type=float, default=0.0, help="robust variant: l_inf radius")
    ap.add_argument("--bias", action="store_true", help="robust variant: last column is the bias")
    a = ap.parse_args()
    require("relu_cvxpy.py", "cvxpy")
    print(json.dumps(solve(a.dir, a.variant, a.lam, a.solver, a.eps, a.radius, a.bias)))


if __name__ == "__main__":
    main()
