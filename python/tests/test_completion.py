import numpy as np
import pytest

import opal


def low_rank(m=60, n=50, k=3, frac=0.4, seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((m, k)) @ rng.standard_normal((k, n))
    mask = rng.random((m, n)) < frac
    rows, cols = np.nonzero(mask)
    return M, rows, cols, M[rows, cols]


def test_complete_matrix_recovers_low_rank_matrix():
    M, rows, cols, vals = low_rank()
    U, V, info = opal.complete_matrix(rows, cols, vals, M.shape, 3, seed=1)
    assert info["status"] == "converged" and info["recovered"], info
    assert U.shape == (60, 3) and V.shape == (50, 3)
    assert np.linalg.norm(U @ V.T - M) / np.linalg.norm(M) < 1e-6
    assert info["history"] and info["history"][-1]["sweep"] == info["iterations"]


def test_complete_matrix_with_biases_folds_them_into_the_factors():
    M, rows, cols, vals = low_rank(seed=2)
    M = M + 5.0
    vals = M[rows, cols]
    U, V, info = opal.complete_matrix(rows, cols, vals, M.shape, 3, biases=True, max_iter=200)
    assert U.shape[1] == V.shape[1] == 5
    assert np.linalg.norm(U @ V.T - M) / np.linalg.norm(M) < 1e-3, info["status"]


def test_complete_matrix_input_errors():
    M, rows, cols, vals = low_rank()
    with pytest.raises(TypeError, match="rows must be an integer array, got dtype float64"):
        opal.complete_matrix(rows.astype(float), cols, vals, M.shape, 3)
    with pytest.raises(ValueError, match="same length"):
        opal.complete_matrix(rows, cols[:-1], vals, M.shape, 3)
    with pytest.raises(ValueError, match=r"cols\[\d+\] = \d+ is outside the shape \(60, 10\)"):
        opal.complete_matrix(rows, cols, vals, (60, 10), 3)
    with pytest.raises(ValueError, match="rows.* is negative"):
        opal.complete_matrix(-rows - 1, cols, vals, M.shape, 3)
    with pytest.raises(ValueError, match="values must be 1-dimensional"):
        opal.complete_matrix(rows, cols, np.c_[vals, vals], M.shape, 3)
    with pytest.raises(ValueError, match="rank"):
        opal.complete_matrix(rows, cols, vals, M.shape, 0)
    with pytest.raises(ValueError, match="option solver: 'qr'"):
        opal.complete_matrix(rows, cols, vals, M.shape, 3, solver="qr")
    bad = vals.copy()
    bad[0] = np.inf
    with pytest.raises(ValueError, match=r"values\[0\] is not finite"):
        opal.complete_matrix(rows, cols, bad, M.shape, 3)
