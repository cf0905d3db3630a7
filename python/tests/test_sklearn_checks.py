"""scikit-learn's own estimator checks on opal's ReLU estimators (issue 20's acceptance:
``check_estimator`` passes every check for both), one pytest test per check and estimator,
plus the scikit-learn behaviours those checks rely on, tested directly.

The module is skipped, with the reason printed, only where scikit-learn is not installed.
"""

import json
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

try:
    from sklearn.utils.estimator_checks import parametrize_with_checks
except ImportError:
    REASON = "scikit-learn is not installed: its estimator checks cannot run"
    print(f"SKIPPED: {REASON}")
    pytest.skip(REASON, allow_module_level=True)

from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV

import opal
from opal import relu

# At their defaults: the checks fit on data of at most 300 samples and 10 features, where
# the default interior point takes about 1.5 s for all checks of one estimator.
ESTIMATORS = [opal.ConvexReLUClassifier(), opal.ConvexReLURegressor()]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_check(estimator, check):
    check(estimator)


def test_check_estimator_with_array_api_checks_enabled():
    """Two checks (``check_array_api_input`` on NumPy) only run with ``SCIPY_ARRAY_API=1``
    set before SciPy is imported, which would change SciPy for the other test modules: here
    ``check_estimator`` runs in a fresh interpreter with it set. Checks needing pandas are
    reported skipped by scikit-learn where pandas is absent; none may fail."""
    code = (
        "import json, opal\n"
        "from sklearn.utils.estimator_checks import check_estimator\n"
        "out = {}\n"
        "for est in (opal.ConvexReLUClassifier(), opal.ConvexReLURegressor()):\n"
        "    rows = check_estimator(est, on_fail=None)\n"
        "    out[type(est).__name__] = [(r['check_name'], r['status'], str(r['exception']))\n"
        "                               for r in rows]\n"
        "print(json.dumps(out))\n"
    )
    env = dict(os.environ, SCIPY_ARRAY_API="1")
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.splitlines()[-1])
    assert sorted(results) == ["ConvexReLUClassifier", "ConvexReLURegressor"]
    for name, rows in results.items():
        failed = [r for r in rows if r[1] == "failed"]
        assert not failed, (name, failed)
        api = [r for r in rows if r[0] == "check_array_api_input"]
        assert api and all(r[1] == "passed" for r in api), (name, api)
        print(name, len(rows), "checks,", sum(r[1] == "passed" for r in rows), "passed")


def blobs(n=90, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = 4.0 * np.array([[0.0, 1.0], [0.87, -0.5], [-0.87, -0.5]])[:k]
    y = np.arange(n) % k
    return centers[y] + rng.standard_normal((n, 2)), y


def test_multiclass_one_vs_rest():
    X, y = blobs()
    labels = np.array(["c", "a", "b"])[y]
    clf = opal.ConvexReLUClassifier(n_patterns=20, seed=3, fit_intercept=True).fit(X, labels)
    assert list(clf.classes_) == ["a", "b", "c"]
    dec = clf.decision_function(X)
    assert dec.shape == (len(X), 3)
    assert np.array_equal(clf.predict(X), clf.classes_[np.argmax(dec, axis=1)])
    assert clf.score(X, labels) > 0.9
    assert len(clf.estimators_) == 3 and clf.n_iter_.shape == (3,)
    assert all(s == "converged" for s in clf.status_)
    # column j is the binary program "classes_[j] against the rest" with the same seed
    for j, cls in enumerate(clf.classes_):
        alone = opal.ConvexReLURegressor(n_patterns=20, seed=3, fit_intercept=True)
        alone.fit(X, np.where(labels == cls, 1.0, -1.0))
        assert np.allclose(dec[:, j], alone.predict(X))
        assert np.array_equal(clf.estimators_[j].gates_, alone.gates_)
    # deterministic, and a refit on two classes leaves no multiclass attribute behind
    again = opal.ConvexReLUClassifier(n_patterns=20, seed=3, fit_intercept=True).fit(X, labels)
    assert np.array_equal(again.decision_function(X), dec)
    two = labels != "c"
    clf.fit(X[two], labels[two])
    assert not hasattr(clf, "estimators_") and clf.decision_function(X).shape == (len(X),)


def test_binary_results_unchanged_by_label_encoding():
    X, y = blobs(k=2, seed=1)
    a = opal.ConvexReLUClassifier(n_patterns=15).fit(X, y)
    b = opal.ConvexReLURegressor(n_patterns=15).fit(X, np.where(y == 1, 1.0, -1.0))
    assert np.array_equal(a.decision_function(X), b.predict(X))
    assert a.objective_ == b.objective_


def test_sklearn_validation_messages():
    X, y = blobs()
    reg = opal.ConvexReLURegressor(n_patterns=10)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    with pytest.raises(TypeError, match="Sparse data was passed for X, but dense data is"):
        reg.fit(pytest.importorskip("scipy.sparse").csr_matrix(X), y)
    with pytest.raises(ValueError, match="Complex data not supported"):
        reg.fit(X + 1j, y)
    with pytest.raises(ValueError, match="requires y to be passed"):
        reg.fit(X, None)
    with pytest.raises(ValueError, match=r"0 feature\(s\)"):
        reg.fit(X[:, :0], y)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        reg.fit(X, np.full(len(y), np.nan))
    with pytest.raises(ValueError, match="Unknown label type"):
        opal.ConvexReLUClassifier().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="at least 2 classes, y has 1 class"):
        opal.ConvexReLUClassifier().fit(X, np.zeros(len(y)))
    assert not hasattr(reg, "decision_function")
    # a failed fit leaves no fit behind, not even an earlier one
    reg.fit(X, y)
    bad = X.copy()
    bad[4, 1] = np.inf
    with pytest.raises(ValueError, match=r"X\[4, 1\] \(sample 4, feature 1\) is inf"):
        reg.fit(bad, y)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    # a column-vector y warns as in scikit-learn and fits as the flat one
    flat = reg.fit(X, y).predict(X)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        reg.fit(X, y[:, None])
    assert np.array_equal(reg.predict(X), flat)
    with pytest.raises(ValueError, match="X has 1 features, but ConvexReLURegressor is"):
        reg.predict(X[:, :1])
    with pytest.raises(ValueError, match="Reshape your data"):
        reg.predict(X[0])


def test_without_sklearn_validation(monkeypatch):
    """With scikit-learn absent the same estimators fit and predict through the compiled
    extension's own checks (the fallback path, forced here)."""
    X, y = blobs()
    with_sk = opal.ConvexReLUClassifier(n_patterns=10).fit(X, y)
    monkeypatch.setattr(relu._inp, "SKLEARN", False)
    clf = opal.ConvexReLUClassifier(n_patterns=10)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        clf.predict(X)
    clf.fit(X.tolist(), list(y))
    assert clf.n_features_in_ == 2
    assert np.array_equal(clf.decision_function(X), with_sk.decision_function(X))
    with pytest.raises(ValueError, match="X has 1 features, the model was fitted on 2"):
        clf.predict(X[:, :1])
    with pytest.raises(ValueError, match="y must be 1-dimensional"):
        clf.fit(X, y[:, None])
    with pytest.raises(TypeError, match="Sparse data was passed for X"):
        clf.fit(pytest.importorskip("scipy.sparse").csr_matrix(X), y)
    with pytest.raises(ValueError, match="requires y to be passed"):
        clf.fit(X, None)


def test_clone_pickle_grid_search():
    X, y = blobs(seed=2)
    clf = opal.ConvexReLUClassifier(n_patterns=10, seed=5).fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(twin.predict(X), clf.predict(X))
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params() and not hasattr(fresh, "classes_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search = GridSearchCV(fresh, {"lam": [1e-3, 1e-1]}, cv=3).fit(X, y)
    assert search.best_params_["lam"] in (1e-3, 1e-1) and search.best_score_ > 0.8
