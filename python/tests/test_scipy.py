import pathlib
import sys

import numpy as np
import pytest

import opal

pytest.importorskip("scipy")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
from scipy_minimize import scipy_solve  # noqa: E402


def test_scipy_trust_constr_solves_pde_through_opal_callbacks():
    p = opal.problem("pde", N=4)
    res = scipy_solve(p)
    assert res.status in (1, 2), res.message
    # KKT of the equality-constrained QP: grad f(x) + J^T y = 0 and c(x) = 0.
    J = p.jacobian(res.x).toarray()
    g = p.gradient(res.x)
    y, *_ = np.linalg.lstsq(J.T, -g, rcond=None)
    assert np.linalg.norm(g + J.T @ y) < 1e-6 * max(1.0, np.linalg.norm(g))
    assert np.max(np.abs(p.constraints(res.x))) < 1e-6
