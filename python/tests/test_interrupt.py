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


def interrupt_after(seconds):
    t = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    t.start()
    return t


def test_ctrl_c_stops_matrix_completion():
    rng = np.random.default_rng(0)
    m, n = 300, 300
    M = rng.standard_normal((m, 5)) @ rng.standard_normal((5, n)) + 0.1 * rng.standard_normal((m, n))
    rows, cols = np.nonzero(rng.random((m, n)) < 0.3)
    start = time.perf_counter()
    t = interrupt_after(0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            # no stopping test can fire: only the time limit (a safety net) or Ctrl-C
            opal.complete_matrix(rows, cols, M[rows, cols], (m, n), 5, tol=0.0, stall_tol=0.0,
                                 patience=10**9, max_iter=10**9, time_limit=30.0)
    finally:
        t.cancel()
    assert time.perf_counter() - start < 5.0


def test_ctrl_c_stops_calibration():
    rng = np.random.default_rng(1)
    p, m, n = 16, 64, 128
    A = rng.standard_normal((p, m, n))
    Y = np.einsum("lmn,n->lm", A, rng.standard_normal(n)) + rng.standard_normal((p, m))
    start = time.perf_counter()
    t = interrupt_after(0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            opal.calibrate_gains(A, Y, rho=0.5, tol_residual=0.0, tol_step=0.0, max_iter=10**9,
                                 time_limit=30.0)
    finally:
        t.cancel()
    assert time.perf_counter() - start < 5.0


def test_ctrl_c_stops_convex_relu_fit():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((400, 10))
    y = np.sign(rng.standard_normal(400))
    est = opal.ConvexReLUClassifier(lam=1e-4, n_patterns=200, variant="relu", solver="admm",
                                    tol=1e-14, max_iter=10**9, time_limit=30.0)
    start = time.perf_counter()
    t = interrupt_after(0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    finally:
        t.cancel()
    assert time.perf_counter() - start < 5.0
    assert not hasattr(est, "gates_")


def test_ctrl_c_stops_solve_mip_and_its_search(tmp_path):
    path = tmp_path / "knap.mps"
    opal.generate_mip("knapsack", path, items=400, dims=40, seed=5)
    start = time.perf_counter()
    t = interrupt_after(0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            opal.solve_mip(path, time_limit=30.0)
    finally:
        t.cancel()
    # the call returns only after the search thread has stopped
    assert time.perf_counter() - start < 5.0
