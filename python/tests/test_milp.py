"""opal.milp against scipy.optimize.milp: SciPy's own milp tests run with opal.milp in
place of scipy's (read from the installed scipy), a knapsack built as numpy arrays, the
statuses, and bad input."""

import importlib
import os
import warnings

import numpy as np
import pytest

import opal

scipy_optimize = pytest.importorskip("scipy.optimize", reason="scipy is not installed")
from scipy.optimize import Bounds, LinearConstraint  # noqa: E402


def _scipy_milp_tests():
    """SciPy's test module (shipped in its wheel), or a skip naming why it is missing."""
    try:
        return importlib.import_module("scipy.optimize.tests.test_milp")
    except ImportError as e:  # a scipy build without its tests
        pytest.skip(f"scipy.optimize.tests.test_milp cannot be imported: {e}")


# SciPy's tests that assert statuses, objectives and solutions (not SciPy's own messages,
# argument-validation texts or HiGHS option pass-through).
SCIPY_TESTS = [
    "test_milp_optional_args",
    "test_milp_1",
    "test_milp_2",
    "test_milp_3",
    "test_milp_4",
    "test_milp_5",
    pytest.param(
        "test_milp_6",
        marks=pytest.mark.skipif(
            not os.environ.get("OPAL_SLOW_TESTS"),
            reason="test_milp_6 takes 25-50 s of HiGHS branch and bound (scipy marks it "
            "xslow); set OPAL_SLOW_TESTS=1 to run it",
        ),
    ),
    "test_infeasible_prob_16609",
    "test_three_constraints_16878",
    "test_presolve_gh18907",
    "test_regression_gh24141",
]


@pytest.mark.parametrize("name", SCIPY_TESTS)
def test_scipy_milp_suite_with_opal(name, monkeypatch):
    t = _scipy_milp_tests()
    if not hasattr(t, name):
        pytest.skip(f"this scipy's test_milp.py has no {name}")
    monkeypatch.setattr(t, "milp", opal.milp)
    monkeypatch.setattr(scipy_optimize, "milp", opal.milp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # presolve=False is accepted without effect
        getattr(t, name)()


def test_statuses_and_fields_as_scipy():
    # optimal: the fields and their types
    res = opal.milp(c=[-1, -2], constraints=([[1, 1]], -np.inf, 3.5), bounds=(0, 3), integrality=1)
    assert res.status == 0 and res.success and res.opal_status == "optimal"
    assert isinstance(res.x, np.ndarray) and isinstance(res.fun, float)
    assert res.fun == pytest.approx(-6.0) and np.allclose(res.x, [0, 3])
    assert res.message.startswith("Optimal solution found.")
    # infeasible by crossing bounds, and by constraints
    for r in (
        opal.milp(1, bounds=(1, -1)),
        opal.milp([1, 1], constraints=([[1, 1]], 3, 3), bounds=(0, 1)),
        opal.milp([1], constraints=([[2]], 1, 1), integrality=1),
    ):
        assert r.status == 2 and not r.success, r.message
        assert r.x is None and r.fun is None
        assert r.message.startswith("The problem is infeasible.")
    # unbounded
    r = opal.milp(-1)
    assert r.status == 3 and not r.success and r.x is None, r.message
    # the same answers from Balans
    res = opal.milp(
        c=[-1, -2], constraints=([[1, 1]], -np.inf, 3.5), bounds=(0, 3), integrality=1,
        options={"method": "balans", "time_limit": 5, "seed": 1},
    )
    assert res.fun == pytest.approx(-6.0)


def test_knapsack_from_numpy_arrays_matches_scipy():
    rng = np.random.default_rng(7)
    items, dims = 40, 4
    value = rng.integers(1, 100, items).astype(float)
    weight = rng.integers(1, 100, (dims, items)).astype(float)
    cap = weight.sum(axis=1) / 2
    args = dict(
        c=-value,
        integrality=np.ones(items),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(weight, -np.inf, cap),
    )
    ours = opal.milp(**args)
    ref = scipy_optimize.milp(**args)
    assert ref.status == 0 and ours.status == 0
    assert ours.fun == pytest.approx(ref.fun, rel=1e-9)
    assert np.all(weight @ ours.x <= cap + 1e-6)
    assert np.allclose(ours.x, np.round(ours.x))
    # scipy.sparse constraint matrices give the same answer
    sparse = pytest.importorskip("scipy.sparse")
    args["constraints"] = LinearConstraint(sparse.csr_array(weight), -np.inf, cap)
    assert opal.milp(**args).fun == pytest.approx(ref.fun, rel=1e-9)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(c=[np.nan, 1]), ValueError, "c[0]"),
        (dict(c=[[1, 2]]), ValueError, "1-D"),
        (dict(c=[]), ValueError, "non-empty"),
        (dict(c=["a"]), TypeError, "numeric"),
        (dict(c=[1, 2], integrality=[1, 0, 1]), ValueError, "integrality"),
        (dict(c=[1, 2], integrality=[2, 0]), ValueError, "semi-continuous"),
        (dict(c=[1, 2], bounds=Bounds([0, 0, 0], 1)), ValueError, "bounds.lb"),
        (dict(c=[1, 2], bounds=5), TypeError, "bounds"),
        (dict(c=[1, 2], constraints=([[1, 1, 1]], 0, 1)), ValueError, "columns"),
        (dict(c=[1, 2], constraints=([[1, np.inf]], 0, 1)), ValueError, "non-finite"),
        (dict(c=[1, 2], constraints=([[1, 1]], np.nan, 1)), ValueError, "NaN"),
        (dict(c=[1, 2], constraints=[object()]), TypeError, "constraints[0]"),
        (dict(c=[1, 2], options={"time_limit": -1}), ValueError, "time_limit"),
        (dict(c=[1, 2], options={"time_limit": np.nan}), ValueError, "time_limit"),
        (dict(c=[1, 2], options={"method": "cplex"}), ValueError, "method"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        opal.milp(**kwargs)


def test_time_limits_inf_and_huge_mean_none():
    for limit in (np.inf, 1e300, None):
        r = opal.milp([1, 1], constraints=([[1, 1]], 1, np.inf), integrality=1, options={"time_limit": limit})
        assert r.status == 0 and r.fun == pytest.approx(1.0)
