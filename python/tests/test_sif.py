import pathlib
import sys

import numpy as np
import pytest

import opal

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
from scipy_minimize import scipy_solve  # noqa: E402


def test_load_sif_sizes_names_and_start(sif_dir):
    p = opal.load_sif(sif_dir / "BT1.SIF")
    assert (p.n, p.m) == (2, 1)
    assert p.name == "BT1"
    # hand-worked values at x0 (shared/reference/README.md)
    assert np.allclose(p.x0, [0.08, 0.06])
    assert p.objective(p.x0) == pytest.approx(-99.08, rel=1e-12)
    assert np.allclose(p.gradient(p.x0), [15.0, 12.0])
    assert np.allclose(p.constraints(p.x0), [-0.99])


def test_load_sif_parameter_override(sif_dir):
    p = opal.load_sif(str(sif_dir / "ARWHEAD.SIF"), N=10)
    assert p.n == 10 and p.m == 0
    with pytest.raises(ValueError, match="parameter NOPE"):
        opal.load_sif(sif_dir / "ARWHEAD.SIF", NOPE=3)


def test_load_sif_errors(tmp_path):
    with pytest.raises(OSError, match="NOSUCH.SIF"):
        opal.load_sif(tmp_path / "NOSUCH.SIF")
    bad = tmp_path / "BAD.SIF"
    bad.write_text("NAME          BAD\n\nVARIABLES\n    X\n\nGROUPS\n ZZ  OBJ       X    1.0\nENDATA\n")
    with pytest.raises(ValueError, match=r"BAD\.SIF:7:"):
        opal.load_sif(bad)


@pytest.mark.parametrize(
    "name, fstar, xstar, tol",
    [
        ("HS28", 0.0, [0.5, -0.5, 0.5], 1e-8),  # Hock-Schittkowski 28: linear equality
        ("BT1", -1.0, [1.0, 0.0], 1e-8),  # nonconvex equality constraint
        # bounds and an inequality: trust-constr's barrier method stops ~1e-6 short
        ("HS71", 17.0140173, None, 1e-5),
    ],
)
def test_scipy_trust_constr_reaches_known_optimum(sif_dir, name, fstar, xstar, tol):
    pytest.importorskip("scipy")
    p = opal.load_sif(sif_dir / f"{name}.SIF")
    res = scipy_solve(p)
    assert res.status in (1, 2), res.message
    assert res.fun == pytest.approx(fstar, rel=tol, abs=tol)
    if xstar is not None:
        assert np.allclose(res.x, xstar, atol=1e-5)
    c = p.constraints(res.x)
    assert np.all(c >= p.constraint_lower - 1e-7) and np.all(c <= p.constraint_upper + 1e-7)
