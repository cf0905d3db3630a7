"""Bad input to every Python entry point raises a Python exception naming the argument or
the file (and line, where the error is in a file's content): TypeError, ValueError, OSError
or opal.SolverError; never a Rust panic, an OverflowError or an AttributeError.

One table: each row is an id, a call taking the fixture ``f`` (a namespace of files made in
a temporary directory), the exception type and a substring of its message.
"""

import math
import types

import numpy as np
import pytest

import opal
from opal.relu import ConvexReLUClassifier, ConvexReLURegressor, NotFittedError

# A small SIF file written for these tests (two variables, one equality constraint).
SIF = """NAME          PYBAD
 IE M                   3              $-PARAMETER
VARIABLES
 DO J         1                        M
 X  Y(J)
 ND
GROUPS
 N  F         Y1        2.0
 E  C1        Y1        1.0            Y2        -1.0
CONSTANTS
    RHS       C1        0.5
START POINT
    START     'DEFAULT' 1.0
ENDATA
"""

LIBSVM = "".join(f"{1 if i % 2 else -1} 1:{i / 10:.1f} 2:{1 - i / 10:.1f}\n" for i in range(10))


@pytest.fixture(scope="module")
def f(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    ns = types.SimpleNamespace(dir=d)
    ns.sif = d / "ok.SIF"
    ns.sif.write_text(SIF)
    ns.mps = opal.generate_mip("knapsack", d / "ok.mps", items=8, dims=2, seed=1)
    text = open(ns.mps).read()
    ns.missing = d / "missing.mps"
    ns.empty = d / "empty.mps"
    ns.empty.write_text("")
    ns.binary = d / "binary.mps"
    ns.binary.write_bytes(bytes(range(256)) * 4)
    ns.binary_sif = d / "binary.SIF"
    ns.binary_sif.write_bytes(bytes(range(256)) * 4)
    ns.empty_sif = d / "empty.SIF"
    ns.empty_sif.write_text("")
    ns.trunc_mps = d / "trunc.mps"
    ns.trunc_mps.write_text(text[: text.index("RHS")])
    ns.trunc_sif = d / "trunc.SIF"
    ns.trunc_sif.write_text(SIF[: SIF.index("CONSTANTS")])
    ns.nan_mps = d / "nan.mps"
    ns.nan_mps.write_text("NAME bad\nROWS\n N obj\nCOLUMNS\n x obj nan\nRHS\nENDATA\n")
    ns.libsvm = d / "ok.libsvm"
    ns.libsvm.write_text(LIBSVM)
    ns.trunc_libsvm = d / "trunc.libsvm"
    ns.trunc_libsvm.write_text(LIBSVM[:-9] + "\n1 1:")
    ns.binary_libsvm = d / "binary.libsvm"
    ns.binary_libsvm.write_bytes(bytes(range(256)) * 4)
    ns.sif_as_mps = d / "model.mps"
    ns.sif_as_mps.write_text(SIF)
    ns.problem = opal.load_sif(ns.sif)
    rng = np.random.default_rng(0)
    ns.A = rng.standard_normal((6, 4, 3))
    ns.Y = rng.standard_normal((6, 4))
    ns.X = rng.standard_normal((20, 3))
    ns.y = np.sign(ns.X[:, 0])
    ns.rows = np.array([0, 1, 2, 3])
    ns.cols = np.array([0, 1, 0, 1])
    ns.vals = np.array([1.0, 2.0, 3.0, 4.0])
    return ns


def _nan_at(a, idx):
    a = np.array(a, dtype=float)
    a[idx] = math.nan
    return a


def _cal(f, **kw):
    args = {"A": f.A, "Y": f.Y}
    args.update({k: v for k, v in kw.items() if k in ("A", "Y", "rho")})
    opts = {k: v for k, v in kw.items() if k not in ("A", "Y", "rho")}
    return opal.calibrate_gains(args["A"], args["Y"], args.get("rho", 0.5), **opts)


def _cm(f, rows=None, cols=None, vals=None, shape=(4, 2), rank=1, **opts):
    return opal.complete_matrix(
        f.rows if rows is None else rows,
        f.cols if cols is None else cols,
        f.vals if vals is None else vals,
        shape,
        rank,
        **opts,
    )


def _relu(f, X=None, y=None, cls=ConvexReLUClassifier, **params):
    params = {"max_iter": 50, "n_patterns": 5, **params}
    return cls(**params).fit(f.X if X is None else X, f.y if y is None else y)


def _quad(x):
    return float(np.sum((x - 1.0) ** 2))


CASES = [
    # --- files: missing, empty, directory, binary, truncated, wrong format -------------
    ("load_sif-missing", lambda f: opal.load_sif(f.dir / "none.SIF"), OSError, "none.SIF"),
    ("load_sif-directory", lambda f: opal.load_sif(f.dir), OSError, "bad"),
    ("load_sif-empty", lambda f: opal.load_sif(f.empty_sif), ValueError, "empty.SIF"),
    ("load_sif-binary", lambda f: opal.load_sif(f.binary_sif), ValueError, "binary.SIF:"),
    ("load_sif-truncated", lambda f: opal.load_sif(f.trunc_sif), ValueError, "trunc.SIF"),
    ("load_sif-on-mps", lambda f: opal.load_sif(f.mps), ValueError, "ok.mps:2"),
    ("load_sif-unknown-param", lambda f: opal.load_sif(f.sif, K=3), ValueError, "K"),
    ("load_sif-negative-param", lambda f: opal.load_sif(f.sif, M=-3), ValueError, "ok.SIF:8"),
    ("load_sif-nan-param", lambda f: opal.load_sif(f.sif, M=math.nan), ValueError, "M"),
    ("solve_mip-missing", lambda f: opal.solve_mip(f.missing), OSError, "missing.mps"),
    ("solve_mip-directory", lambda f: opal.solve_mip(f.dir), OSError, "bad"),
    ("solve_mip-empty", lambda f: opal.solve_mip(f.empty, time_limit=5), ValueError, "empty.mps"),
    ("solve_mip-binary", lambda f: opal.solve_mip(f.binary, time_limit=5), ValueError, "binary.mps:"),
    ("solve_mip-truncated", lambda f: opal.solve_mip(f.trunc_mps, time_limit=5), ValueError, "trunc.mps"),
    ("solve_mip-nan-coefficient", lambda f: opal.solve_mip(f.nan_mps, time_limit=5), ValueError, "nan.mps:5"),
    ("solve_mip-sif-as-mps", lambda f: opal.solve_mip(f.sif_as_mps, time_limit=5), ValueError, "model.mps:3"),
    ("solve_mip-sif", lambda f: opal.solve_mip(f.sif, time_limit=5), ValueError, "ok.SIF"),
    ("solve_mip-config-missing", lambda f: opal.solve_mip(f.mps, config=f.dir / "no.json"), OSError, "no.json"),
    ("solve_mip-config-binary", lambda f: opal.solve_mip(f.mps, config=f.binary), ValueError, "binary.mps"),
    ("logreg-missing", lambda f: opal.problem("logreg", path=f.dir / "none.libsvm"), OSError, "none.libsvm"),
    ("logreg-empty", lambda f: opal.problem("logreg", path=f.empty), ValueError, "empty.mps"),
    ("logreg-truncated", lambda f: opal.problem("logreg", path=f.trunc_libsvm), ValueError, "trunc.libsvm:11"),
    ("logreg-binary", lambda f: opal.problem("logreg", path=f.binary_libsvm), ValueError, "binary.libsvm:"),
    ("logreg-on-mps", lambda f: opal.problem("logreg", path=f.mps), ValueError, "ok.mps:1"),
    ("generate_mip-directory", lambda f: opal.generate_mip("knapsack", f.dir, items=5), OSError, "bad"),
    ("generate_mip-negative", lambda f: opal.generate_mip("knapsack", f.dir / "g.mps", items=-5), ValueError, "items"),
    ("generate_mip-unknown", lambda f: opal.generate_mip("tsp", f.dir / "g.mps"), ValueError, "tsp"),
    # --- time limits: negative, NaN (errors); inf, 1e300 are checked below ------------
    ("solve_mip-time-negative", lambda f: opal.solve_mip(f.mps, time_limit=-1), ValueError, "time_limit"),
    ("solve_mip-time-nan", lambda f: opal.solve_mip(f.mps, time_limit=math.nan), ValueError, "time_limit"),
    ("solve_mip-time-str", lambda f: opal.solve_mip(f.mps, time_limit="5"), TypeError, "time_limit"),
    ("minimize-time-negative", lambda f: opal.minimize(f.problem, time_limit=-1), ValueError, "time_limit"),
    ("minimize-time-nan", lambda f: opal.minimize(f.problem, time_limit=math.nan), ValueError, "time_limit"),
    ("calibrate-time-negative", lambda f: _cal(f, time_limit=-1.0), ValueError, "time_limit"),
    ("calibrate-time-nan", lambda f: _cal(f, time_limit=math.nan), ValueError, "time_limit"),
    ("complete-time-negative", lambda f: _cm(f, time_limit=-1.0), ValueError, "time_limit"),
    ("complete-time-nan", lambda f: _cm(f, time_limit=math.nan), ValueError, "time_limit"),
    ("relu-time-negative", lambda f: _relu(f, time_limit=-1.0), ValueError, "time_limit"),
    ("relu-time-nan", lambda f: _relu(f, time_limit=math.nan), ValueError, "time_limit"),
    ("milp-time-negative", lambda f: opal.milp([1.0], options={"time_limit": -1}), ValueError, "time_limit"),
    ("milp-time-nan", lambda f: opal.milp([1.0], options={"time_limit": math.nan}), ValueError, "time_limit"),
    # --- negative integers (not OverflowError) ------------------------------------------
    ("solve_mip-seed-negative", lambda f: opal.solve_mip(f.mps, seed=-1), ValueError, "seed"),
    ("solve_mip-threads-negative", lambda f: opal.solve_mip(f.mps, threads=-2), ValueError, "threads"),
    ("solve_mip-threads-zero", lambda f: opal.solve_mip(f.mps, threads=0), ValueError, "threads"),
    ("minimize-seed-negative", lambda f: opal.minimize(f.problem, seed=-1), ValueError, "seed"),
    ("minimize-max_iter-negative", lambda f: opal.minimize(f.problem, max_iter=-1), ValueError, "max_iter"),
    ("calibrate-max_iter-negative", lambda f: _cal(f, max_iter=-5), ValueError, "max_iter"),
    ("complete-rank-negative", lambda f: _cm(f, rank=-1), ValueError, "rank"),
    ("complete-rank-zero", lambda f: _cm(f, rank=0), ValueError, "rank"),
    ("complete-rank-too-large", lambda f: _cm(f, rank=5), ValueError, "rank"),
    ("complete-seed-negative", lambda f: _cm(f, seed=-1), ValueError, "seed"),
    ("complete-max_iter-negative", lambda f: _cm(f, max_iter=-1), ValueError, "max_iter"),
    ("complete-shape-negative", lambda f: _cm(f, shape=(-4, 2)), ValueError, "shape"),
    ("relu-n_patterns-negative", lambda f: _relu(f, n_patterns=-3), ValueError, "n_patterns"),
    ("relu-seed-negative", lambda f: _relu(f, seed=-1), ValueError, "seed"),
    ("relu-max_iter-negative", lambda f: _relu(f, max_iter=-1), ValueError, "max_iter"),
    ("milp-threads-negative", lambda f: opal.milp([1.0], options={"threads": -1}), ValueError, "threads"),
    # --- NaN / inf in arrays ------------------------------------------------------------
    ("minimize-x0-nan", lambda f: opal.minimize(_quad, [math.nan, 0.0]), ValueError, "x0"),
    ("minimize-x0-inf", lambda f: opal.minimize(_quad, [math.inf, 0.0]), ValueError, "x0"),
    ("minimize-bounds-nan", lambda f: opal.minimize(_quad, [0.0], bounds=[(math.nan, 1)]), ValueError, "bounds"),
    ("calibrate-A-nan", lambda f: _cal(f, A=_nan_at(f.A, (0, 0, 0))), ValueError, "A"),
    ("calibrate-Y-inf", lambda f: _cal(f, Y=np.where(f.Y > 0, np.inf, f.Y)), ValueError, "Y"),
    ("calibrate-rho-nan", lambda f: _cal(f, rho=math.nan), ValueError, "rho"),
    ("complete-values-nan", lambda f: _cm(f, vals=[1.0, math.nan, 3.0, 4.0]), ValueError, "values"),
    ("complete-values-inf", lambda f: _cm(f, vals=[1.0, math.inf, 3.0, 4.0]), ValueError, "values"),
    ("relu-X-nan", lambda f: _relu(f, X=_nan_at(f.X, (1, 1))), ValueError, "NaN"),
    ("relu-y-inf", lambda f: _relu(f, y=np.where(f.y > 0, np.inf, f.y), cls=ConvexReLURegressor), ValueError, "y"),
    ("milp-c-nan", lambda f: opal.milp([1.0, math.nan]), ValueError, "c[1]"),
    ("milp-A-nan", lambda f: opal.milp([1.0], constraints=([[math.nan]], [0], [1])), ValueError, "NaN"),
    ("problem-objective-nan", lambda f: f.problem.objective(np.array([math.nan, 0.0, 0.0])), ValueError, "x[0] is not finite"),
    # --- wrong shapes and dtypes ----------------------------------------------------------
    ("minimize-x0-2d", lambda f: opal.minimize(_quad, np.zeros((2, 2))), ValueError, "x0"),
    ("minimize-x0-str", lambda f: opal.minimize(_quad, ["a", "b"]), TypeError, "x0"),
    ("calibrate-A-2d", lambda f: _cal(f, A=f.A[0]), ValueError, "A"),
    ("calibrate-Y-shape", lambda f: _cal(f, Y=f.Y[:, :3]), ValueError, "Y"),
    ("calibrate-A-complex", lambda f: _cal(f, A=f.A.astype(complex)), TypeError, "A"),
    ("calibrate-A-str", lambda f: _cal(f, A=np.full((2, 2, 2), "x")), TypeError, "A"),
    ("complete-rows-float", lambda f: _cm(f, rows=[0.5, 1, 2, 3]), TypeError, "rows"),
    ("complete-rows-length", lambda f: _cm(f, rows=[0, 1, 2]), ValueError, "rows"),
    ("complete-rows-2d", lambda f: _cm(f, rows=[[0, 1], [2, 3]]), ValueError, "rows"),
    ("complete-rows-out-of-range", lambda f: _cm(f, rows=[0, 1, 2, 9]), ValueError, "rows"),
    ("complete-rows-negative", lambda f: _cm(f, rows=[0, -1, 2, 3]), ValueError, "rows"),
    ("complete-shape-str", lambda f: _cm(f, shape="4x2"), TypeError, "shape"),
    ("relu-X-1d", lambda f: _relu(f, X=f.X[:, 0]), ValueError, "X must be 2-dimensional"),
    ("relu-X-str", lambda f: _relu(f, X=np.full((4, 2), "a")), ValueError, "X"),
    ("relu-y-length", lambda f: _relu(f, y=f.y[:5]), ValueError, "samples"),
    ("milp-integrality-shape", lambda f: opal.milp([1.0, 2.0], integrality=[1, 1, 1]), ValueError, "integrality"),
    ("milp-c-str", lambda f: opal.milp(["a"]), TypeError, "c"),
    ("problem-objective-length", lambda f: f.problem.objective(np.zeros(5)), ValueError, "x has length 5"),
    ("problem-gradient-2d", lambda f: f.problem.gradient(np.zeros((2, 1))), ValueError, "x must be 1-dimensional"),
    # --- empty arrays ---------------------------------------------------------------------
    ("minimize-x0-empty", lambda f: opal.minimize(_quad, []), ValueError, "x0"),
    ("calibrate-A-empty", lambda f: _cal(f, A=np.zeros((0, 4, 3)), Y=np.zeros((0, 4))), ValueError, "A is empty"),
    ("complete-empty", lambda f: _cm(f, rows=[], cols=[], vals=[]), ValueError, "entries"),
    ("relu-X-empty", lambda f: _relu(f, X=np.zeros((0, 3)), y=np.zeros(0)), ValueError, "sample"),
    ("milp-c-empty", lambda f: opal.milp([]), ValueError, "c"),
    # --- estimator protocol -----------------------------------------------------------------
    ("relu-predict-before-fit", lambda f: ConvexReLUClassifier().predict(f.X), NotFittedError, "fit"),
    ("relu-regressor-predict-before-fit", lambda f: ConvexReLURegressor().predict(f.X), NotFittedError, "fit"),
    ("relu-variant-unknown", lambda f: _relu(f, variant="sigmoid"), ValueError, "variant"),
    ("relu-lam-negative", lambda f: _relu(f, lam=-1.0), ValueError, "lam"),
    ("relu-lam-nan", lambda f: _relu(f, lam=math.nan), ValueError, "lam"),
    ("minimize-unknown-method", lambda f: opal.minimize(f.problem, method="bfgs"), ValueError, "bfgs"),
    ("minimize-tol-nan", lambda f: opal.minimize(f.problem, tol=math.nan), ValueError, "tol"),
    ("problem-unknown", lambda f: opal.problem("nope"), ValueError, "nope"),
    ("problem-pde-negative", lambda f: opal.problem("pde", N=-4), ValueError, "N"),
]


@pytest.mark.parametrize(
    "call,exc,needle", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_raises_named_error(f, call, exc, needle):
    with pytest.raises(exc) as info:
        call(f)
    assert needle in str(info.value), f"message {str(info.value)!r} lacks {needle!r}"


def test_the_exception_types_are_the_documented_ones():
    allowed = (TypeError, ValueError, OSError, opal.SolverError)
    for _, _, exc, _ in CASES:
        assert issubclass(exc, allowed), exc


NO_LIMIT = [math.inf, 1e300, None]


@pytest.mark.parametrize("limit", NO_LIMIT, ids=["inf", "1e300", "None"])
def test_unbounded_time_limits_mean_no_limit(f, limit):
    """inf, 1e300 and None are accepted by every family and the run finishes normally."""
    out = opal.minimize(f.problem, time_limit=limit)
    assert out.status != "time_limit"
    x, d, info = opal.calibrate_gains(f.A, f.Y, max_iter=20, time_limit=limit)
    assert info["status"] != "time_limit" and d.shape == (4,)
    U, V, info = _cm(f, time_limit=limit, max_iter=5)
    assert U.shape == (4, 1) and info["status"] != "time_limit"
    est = _relu(f, time_limit=limit)
    assert est.predict(f.X).shape == (20,)
    res = opal.milp([-1.0, -2.0], integrality=[1, 1], bounds=(0, 3), options={"time_limit": limit})
    assert res.status == 0 and res.fun == pytest.approx(-9.0)
    if limit is not None:
        mip = opal.solve_mip(f.mps, time_limit=limit, solver="highs")
        assert mip.status == "optimal"
