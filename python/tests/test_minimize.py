"""opal.minimize: the equality-constrained solvers from Python, against SciPy on the same
SIF problems, with SciPy's result field names."""

import os
import pathlib
import signal
import sys
import threading
import time

import numpy as np
import pytest

import opal

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
from scipy_minimize import scipy_solve  # noqa: E402


def kkt(p, res):
    """||(grad f + J^T y, c - cl)|| recomputed from the problem's own callbacks."""
    g = p.gradient(res.x) + p.jacobian(res.x).T @ res.multipliers
    c = p.constraints(res.x) - p.constraint_lower
    return float(np.linalg.norm(np.concatenate([g, c])))


@pytest.mark.parametrize("name", ["HS28", "BT1", "HS7", "BT5", "HS48"])
def test_same_optimum_as_scipy_trust_constr(sif_dir, name):
    pytest.importorskip("scipy")
    p = opal.load_sif(sif_dir / f"{name}.SIF")
    mine = opal.minimize(p, tol=1e-10)
    assert mine.success, mine.message
    assert mine.status == "converged"
    ref = scipy_solve(p)
    assert ref.status in (1, 2), ref.message
    assert mine.fun == pytest.approx(ref.fun, rel=1e-6, abs=1e-8)
    assert np.allclose(mine.x, ref.x, atol=1e-4)
    # the reported residual and multipliers are the true ones
    assert kkt(p, mine) == pytest.approx(mine.kkt_residual, rel=1e-6, abs=1e-12)
    assert mine.kkt_residual <= 1e-8
    assert mine.constraint_violation <= 1e-8


@pytest.mark.parametrize("method", ["adasketch", "newton", "auglag"])
def test_every_method_on_the_pde_problem(method):
    p = opal.problem("pde", N=6)
    res = opal.minimize(p, method=method, tol=1e-9, seed=3)
    assert res.success, res.message
    assert res.method == method
    assert res.nit >= 1 and res.time >= 0.0
    assert set(res.evaluations) == {"objective", "gradient", "constraints", "jacobian", "hessian"}
    assert res.x.shape == (p.n,) and res.multipliers.shape == (p.m,)
    assert kkt(p, res) <= 1e-6


def test_deterministic_for_a_seed():
    p = opal.problem("pde", N=5)
    a = opal.minimize(p, seed=7, sketch="gaussian")
    b = opal.minimize(p, seed=7, sketch="gaussian")
    assert np.array_equal(a.x, b.x) and a.inner_iterations == b.inner_iterations


def test_limits_are_statuses_not_exceptions(sif_dir):
    p = opal.load_sif(sif_dir / "BT1.SIF")
    res = opal.minimize(p, max_iter=1)
    assert not res.success
    assert res.status == "iteration_limit" and res.nit == 1
    assert "iteration_limit" in res.message


def test_bad_input_raises_value_error(sif_dir):
    p = opal.load_sif(sif_dir / "BT1.SIF")
    with pytest.raises(ValueError, match="unknown method"):
        opal.minimize(p, method="bfgs")
    with pytest.raises(ValueError, match="not an option"):
        opal.minimize(p, no_such_option=1)
    with pytest.raises(ValueError, match="eta1"):
        opal.minimize(p, eta1=-1.0)
    # bounds and inequalities are refused with the reason
    with pytest.raises(ValueError, match="bound"):
        opal.minimize(opal.load_sif(sif_dir / "HS71.SIF"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT via os.kill")
def test_ctrl_c_stops_minimize():
    # Kaczmarz without the direct fallback on a large PDE grid runs far past 0.5 s.
    p = opal.problem("pde", N=60)
    t = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    t.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            opal.minimize(p, tol=1e-14, direct_fallback=False, time_limit=60.0)
    finally:
        t.cancel()
    assert time.perf_counter() - start < 10.0
