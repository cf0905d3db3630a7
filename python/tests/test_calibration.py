import numpy as np
import pytest

import opal


def instance(n=16, m=8, p=8, rho=0.3, seed=1):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((p, m, n))
    x = rng.standard_normal(n)
    e = rng.uniform(-rho, rho, m)
    e -= e.mean()
    e *= min(1.0, rho / np.abs(e).max())
    d = 1.0 + e
    Y = d[None, :] * np.einsum("lmn,n->lm", A, x)
    return A, Y, x, d


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_calibrate_gains_recovers_signal_and_gains():
    A, Y, x, d = instance()
    xh, dh, info = opal.calibrate_gains(A, Y, rho=0.3)
    assert info["success"], info
    assert info["method"] == "pgd" and info["iterations"] > 0
    assert rel(dh, d) < 1e-8 and rel(xh, x) < 1e-8
    # the linear baseline of Ling and Strohmer behind the same call
    xl, dl, info = opal.calibrate_gains(A, Y, rho=0.3, method="linear")
    assert info["status"] == "converged" and info["reason"] == "solved" and rel(dl, d) < 1e-8


def test_calibrate_gains_with_subspace_priors():
    rng = np.random.default_rng(3)
    n, m, p, k, h = 24, 16, 4, 6, 4
    Z = rng.standard_normal((n, k))
    B = np.column_stack([np.ones(m), rng.standard_normal((m, h - 1))])
    B[:, 1:] -= B[:, 1:].mean(axis=0)
    x = Z @ rng.standard_normal(k)
    d = 1.0 + B[:, 1:] @ rng.uniform(-0.05, 0.05, h - 1)
    A = rng.standard_normal((p, m, n))
    Y = d[None, :] * np.einsum("lmn,n->lm", A, x)
    xh, dh, info = opal.calibrate_gains(A, Y, rho=0.5, Z=Z, B=B)
    assert info["success"], info
    assert rel(dh, d) < 1e-6 and rel(xh, x) < 1e-6
    assert info["z"].shape == (k,) and info["b"].shape == (h,)


def test_calibrate_gains_input_errors():
    A, Y, _, _ = instance()
    with pytest.raises(ValueError, match=r"A must be 3-dimensional \(p, m, n\), got shape \(8, 16\)"):
        opal.calibrate_gains(A[0], Y)
    with pytest.raises(TypeError, match="A must be a real numeric array, got dtype complex128"):
        opal.calibrate_gains(A.astype(complex), Y)
    with pytest.raises(TypeError, match="Y must be a real numeric array"):
        opal.calibrate_gains(A, [["a"] * 8] * 8)
    with pytest.raises(ValueError, match=r"Y has shape \(8, 7\), expected \(p, m\) = \(8, 8\)"):
        opal.calibrate_gains(A, Y[:, :7])
    with pytest.raises(ValueError, match=r"Z has shape \(3, 2\)"):
        opal.calibrate_gains(A, Y, Z=np.ones((3, 2)))
    with pytest.raises(ValueError, match="rho"):
        opal.calibrate_gains(A, Y, rho=1.5)
    Y2 = Y.copy()
    Y2[2, 3] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        opal.calibrate_gains(A, Y2)
    with pytest.raises(ValueError, match="unknown option 'maxiter'"):
        opal.calibrate_gains(A, Y, maxiter=3)
    with pytest.raises(TypeError, match="option max_iter"):
        opal.calibrate_gains(A, Y, max_iter="many")
    # integer data are fine (converted), as are lists
    _, _, info = opal.calibrate_gains(np.rint(A * 10).astype(np.int32), np.rint(Y * 10).tolist(), max_iter=5)
    assert info["iterations"] <= 5
