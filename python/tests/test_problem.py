import numpy as np
import pytest

import opal


def test_pde_problem_sizes_and_bounds():
    p = opal.problem("pde", N=4)
    assert (p.n, p.m) == (32, 16)
    assert p.x0.shape == (32,)
    assert np.all(np.isinf(p.lower)) and np.all(np.isinf(p.upper))
    assert np.all(p.constraint_lower == 0) and np.all(p.constraint_upper == 0)
    assert len(p.variable_names) == 32 and p.variable_names[0] == "w(1,1)"
    assert "PDE-N4" in repr(p)


def test_gradient_matches_finite_differences():
    p = opal.problem("pde", N=3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(p.n)
    d = rng.standard_normal(p.n)
    h = 1e-6
    fd = (p.objective(x + h * d) - p.objective(x - h * d)) / (2 * h)
    assert abs(fd - p.gradient(x) @ d) < 1e-6 * max(1.0, abs(fd))


def test_jacobian_and_hessian_are_scipy_sparse():
    sparse = pytest.importorskip("scipy.sparse")
    p = opal.problem("pde", N=3)
    x = np.linspace(-1, 1, p.n)
    J = p.jacobian(x)
    assert sparse.issparse(J) and J.shape == (9, 18)
    # the constraints are linear: c(x) = J x
    assert np.allclose(J @ x, p.constraints(x))
    y = np.ones(p.m)
    H = p.hessian_lagrangian(x, y, full=True)
    v = np.arange(p.n, dtype=float)
    assert np.allclose(H @ v, p.hessian_lagrangian_vector(x, y, v))
    L = p.hessian_lagrangian(x, y)
    assert sparse.triu(L, k=1).nnz == 0


def test_bad_input_raises_value_error():
    p = opal.problem("pde", N=2)
    with pytest.raises(ValueError, match="length 3, expected 8"):
        p.objective(np.zeros(3))
    with pytest.raises(ValueError, match=r"x\[0\] is not finite"):
        p.objective(np.full(8, np.nan))
    with pytest.raises(ValueError, match="unknown built-in problem"):
        opal.problem("nope")
    with pytest.raises(ValueError, match="unknown parameter"):
        opal.problem("pde", N=3, M=2)
    with pytest.raises(OSError):
        opal.problem("logreg", path="/no/such/file")
