"""Ctrl-C during a long solve: the solver stops at its next signal check (every 0.1 s) and
the call raises KeyboardInterrupt, instead of running to its limits."""

import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

import opal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT via os.kill")


def assert_ctrl_c_stops(call, within=5.0):
    """Sends SIGINT after 0.5 s: `call` must raise KeyboardInterrupt and return within
    `within` seconds of its start."""
    start = time.perf_counter()
    t = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    t.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
    finally:
        t.cancel()
    assert time.perf_counter() - start < within


def test_ctrl_c_stops_matrix_completion():
    rng = np.random.default_rng(0)
    m, n = 300, 300
    M = rng.standard_normal((m, 5)) @ rng.standard_normal((5, n)) + 0.1 * rng.standard_normal((m, n))
    rows, cols = np.nonzero(rng.random((m, n)) < 0.3)
    # no stopping test can fire: only the time limit (a safety net) or Ctrl-C
    assert_ctrl_c_stops(lambda: opal.complete_matrix(
        rows, cols, M[rows, cols], (m, n), 5, tol=0.0, stall_tol=0.0, patience=10**9,
        max_iter=10**9, time_limit=30.0))


def test_ctrl_c_stops_calibration():
    rng = np.random.default_rng(1)
    p, m, n = 16, 64, 128
    A = rng.standard_normal((p, m, n))
    Y = np.einsum("lmn,n->lm", A, rng.standard_normal(n)) + rng.standard_normal((p, m))
    assert_ctrl_c_stops(lambda: opal.calibrate_gains(
        A, Y, rho=0.5, tol_residual=0.0, tol_step=0.0, max_iter=10**9, time_limit=30.0))


def test_ctrl_c_stops_convex_relu_fit():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((400, 10))
    y = np.sign(rng.standard_normal(400))
    est = opal.ConvexReLUClassifier(lam=1e-4, n_patterns=200, variant="relu", solver="admm",
                                    tol=1e-14, max_iter=10**9, time_limit=30.0)
    assert_ctrl_c_stops(lambda: est.fit(X, y))
    assert not hasattr(est, "gates_")


def test_ctrl_c_stops_solve_mip_and_its_search(tmp_path):
    path = tmp_path / "knap.mps"
    opal.generate_mip("knapsack", path, items=400, dims=40, seed=5)
    # the call returns only after the search thread has stopped
    assert_ctrl_c_stops(lambda: opal.solve_mip(path, time_limit=30.0))


def test_ctrl_c_returns_promptly_from_a_short_mip_solve(tmp_path):
    hard = opal.generate_mip("knapsack", tmp_path / "hard.mps", items=400, dims=30, seed=5)
    assert_ctrl_c_stops(lambda: opal.solve_mip(hard, time_limit=3.0), within=2.0)
