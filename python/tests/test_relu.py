import numpy as np
import pytest

import opal
from opal.relu import NotFittedError


def planted(n=150, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((d, 3))
    y = np.maximum(X @ W, 0) @ np.array([1.0, -1.0, 0.5])
    return X, y


def features(est, X):
    return np.c_[X, np.ones(len(X))] if est.fit_intercept else X


def convex_prediction(X, gates, weights):
    """sum_i D_i X u_i with D_i = 1[X g_i >= 0] (weights: one row per gate)."""
    return np.sum((X @ gates.T >= 0) * (X @ weights.T), axis=1)


def test_gated_regressor_solves_the_group_lasso():
    X, y = planted()
    lam = 1e-2
    est = opal.ConvexReLURegressor(lam=lam, n_patterns=20, tol=1e-8, fit_intercept=True)
    assert est.fit(X, y) is est
    # solver="auto" picks the interior point at this size (FISTA/ADMM beyond n = 4000)
    assert est.status_ == "converged" and est.solver_ == "ipm" and est.n_iter_ > 0
    Xa = features(est, X)
    G, U = est.gates_, est.u_
    assert G.shape == U.shape and G.shape[1] == 5
    pred = convex_prediction(Xa, G, U)
    n = len(y)
    obj = 0.5 / n * np.sum((pred - y) ** 2) + lam * np.linalg.norm(U, axis=1).sum()
    assert est.objective_ == pytest.approx(obj, rel=1e-10)
    # optimality of the group lasso: grad_i + lam u_i/||u_i|| = 0, or ||grad_i|| <= lam
    r = pred - y
    for g, u in zip(G, U):
        grad = ((Xa @ g >= 0)[:, None] * Xa).T @ r / n
        nu = np.linalg.norm(u)
        if nu > 0:
            assert np.linalg.norm(grad + lam * u / nu) < 1e-5
        else:
            assert np.linalg.norm(grad) <= lam * (1 + 1e-6)
    # the recovered network computes the convex model's prediction (gated: exactly)
    assert np.allclose(est.predict(X), pred)
    assert est.score(X, y) > 0.9


def test_relu_variant_admm_satisfies_cones():
    X, y = planted(seed=1)
    est = opal.ConvexReLURegressor(lam=1e-2, n_patterns=15, variant="relu", solver="admm",
                                   tol=1e-7)
    est.fit(X, y)
    assert est.status_ == "converged"
    assert est.solver_ == "admm" and not hasattr(est, "u_")
    assert est.v_.shape == est.w_.shape == est.gates_.shape
    assert est.cone_violation_ < 1e-5
    pred = convex_prediction(X, est.gates_, est.v_ - est.w_)
    assert np.max(np.abs(est.predict(X) - pred)) < 1e-3 * np.abs(y).max()
    assert est.score(X, y) > 0.9


def test_classifier_labels_and_protocol():
    X, y = planted(n=200, seed=2)
    labels = np.where(y > np.median(y), "up", "down")
    clf = opal.ConvexReLUClassifier(lam=1e-3, n_patterns=30, seed=4, solver="cg",
                                    variant="gated", max_iter=3000)
    clf.fit(X, labels)
    assert list(clf.classes_) == ["down", "up"] and clf.solver_ == "cg"
    assert set(clf.predict(X)) <= {"down", "up"}
    assert clf.score(X, labels) > 0.9
    assert np.all((clf.decision_function(X) >= 0) == (clf.predict(X) == "up"))
    # parameters: as given, settable, and enough to rebuild the estimator
    params = clf.get_params()
    assert params["n_patterns"] == 30 and params["fit_intercept"] is False
    twin = type(clf)(**params)
    assert twin.get_params() == params and not hasattr(twin, "gates_")
    assert clf.set_params(lam=0.5) is clf and clf.lam == 0.5
    with pytest.raises(ValueError, match="invalid parameter 'alpha'"):
        clf.set_params(alpha=1.0)
    assert "n_patterns=30" in repr(clf)


def test_sklearn_clone_and_cross_val_score():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    X, y = planted(seed=3)
    est = opal.ConvexReLURegressor(lam=1e-2, n_patterns=10, seed=1)
    c = clone(est)
    assert c is not est and c.get_params() == est.get_params()
    scores = cross_val_score(c, X, y, cv=3)
    assert len(scores) == 3 and np.all(scores > 0.5), sklearn.__version__


def test_errors():
    X, y = planted(n=40)
    est = opal.ConvexReLURegressor(n_patterns=5)
    with pytest.raises(NotFittedError):
        est.predict(X)
    with pytest.raises(ValueError, match="variant"):
        opal.ConvexReLURegressor(variant="deep").fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        opal.ConvexReLURegressor(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="FISTA solves the gated program only"):
        opal.ConvexReLURegressor(variant="relu", solver="fista").fit(X, y)
    with pytest.raises(ValueError, match="lam"):
        opal.ConvexReLURegressor(lam=-1.0).fit(X, y)
    with pytest.raises(TypeError, match="X must be a real numeric array, got dtype complex128"):
        est.fit(X.astype(complex), y)
    with pytest.raises(ValueError, match=r"X must be 2-dimensional .*got shape \(40,\)"):
        est.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="X has 40 samples but y has 39"):
        est.fit(X, y[:-1])
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X\[3, 1\]"):
        est.fit(bad, y)
    with pytest.raises(ValueError, match="unknown option 'rh0'"):
        est.fit(X, y, rh0=1.0)
    est.fit(X, y)
    # scikit-learn's message where it is installed, the extension's otherwise
    with pytest.raises(ValueError, match="X has 3 features(, the model was fitted on|, but "
                       "ConvexReLURegressor is expecting) 4"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match="at least 2 classes, y has 1 class"):
        opal.ConvexReLUClassifier().fit(X, np.zeros(40))
    with pytest.raises(ValueError, match="time_limit"):
        opal.ConvexReLURegressor(time_limit=-1.0).fit(X, y)


def test_status_names_the_limit():
    X, y = planted(n=60)
    est = opal.ConvexReLURegressor(n_patterns=5, solver="fista", max_iter=3, tol=1e-12)
    assert est.fit(X, y).status_ == "iteration_limit" and est.n_iter_ == 3
