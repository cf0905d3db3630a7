"""Two-layer ReLU networks trained by convex optimization, as scikit-learn estimators.

The convex reformulation of Pilanci and Ergen: with sampled gate vectors g_i and their
activation patterns D_i = diag(1[X g_i >= 0]), the gated program is the group lasso
``min (1/(2n))||sum_i D_i X u_i - y||^2 + lam sum_i ||u_i||``; the ReLU program splits
u_i = v_i - w_i under cone constraints ``(2 D_i - I) X v_i >= 0``. opal solves them with
FISTA (gated) or the ADMM of Bai, Gautam and Sojoudi (ReLU) and recovers the network from
the nonzero blocks.

The estimators follow the scikit-learn protocol (constructor parameters stored as given,
``get_params``/``set_params``, ``fit`` returning self, fitted attributes ending in ``_``)
without needing scikit-learn. When scikit-learn (>= 1.6) is installed, the classes also
derive from its ``BaseEstimator`` and mixins, inputs go through its own validation (its
errors, ``DataConversionWarning`` for a column-vector y, ``n_features_in_`` and
``feature_names_in_``) and ``sklearn.utils.estimator_checks.check_estimator`` passes every
check for both estimators. Sparse X is refused with scikit-learn's message: the solvers work
on dense data (convert with ``X.toarray()`` where it fits in memory).
"""

import inspect

import numpy as np

from . import _estimator_input as _inp
from . import _opal
from ._estimator_input import NotFittedError

if _inp.SKLEARN:  # estimator tags and type come from scikit-learn's bases
    from sklearn.base import BaseEstimator as _Base
    from sklearn.base import ClassifierMixin as _ClassifierMixin
    from sklearn.base import RegressorMixin as _RegressorMixin
else:  # pragma: no cover - exercised where scikit-learn is absent

    class _Base:
        pass

    class _ClassifierMixin:
        _estimator_type = "classifier"

    class _RegressorMixin:
        _estimator_type = "regressor"

__all__ = ["ConvexReLUClassifier", "ConvexReLURegressor", "NotFittedError"]


class _ConvexReLUBase(_Base):
    def __init__(
        self,
        lam=1e-3,
        n_patterns=100,
        variant="gated",
        solver="auto",
        seed=0,
        tol=1e-6,
        max_iter=20000,
        fit_intercept=False,
        time_limit=None,
        verbose=False,
    ):
        self.lam = lam
        self.n_patterns = n_patterns
        self.variant = variant
        self.solver = solver
        self.seed = seed
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.time_limit = time_limit
        self.verbose = verbose

    # -- the scikit-learn parameter protocol --------------------------------------------

    @classmethod
    def _get_param_names(cls):
        sig = inspect.signature(_ConvexReLUBase.__init__)
        return sorted(p for p in sig.parameters if p != "self")

    def get_params(self, deep=True):
        """Constructor parameters as a dict (``deep`` is accepted for compatibility)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Sets constructor parameters; returns self."""
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"invalid parameter {key!r} for {type(self).__name__} (valid: {', '.join(valid)})"
                )
            setattr(self, key, value)
        return self

    def __repr__(self):
        defaults = inspect.signature(_ConvexReLUBase.__init__).parameters
        changed = [
            f"{k}={v!r}"
            for k, v in self.get_params().items()
            if not (defaults[k].default is v or defaults[k].default == v)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    # -- fitting ------------------------------------------------------------------------

    def _forget_fit(self):
        """Drops the fitted attributes of an earlier fit (a refit may change their kind)."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)

    def _refit(self, X, y, options, solve):
        """``solve(X, y, options)`` on checked X after dropping an earlier fit; a fit that
        fails or is interrupted leaves the estimator unfitted, not half-fitted."""
        self._forget_fit()
        try:
            return solve(_inp.check_X(self, X, reset=True), y, options)
        except BaseException:
            self._forget_fit()
            raise

    def _fit(self, X, target, options):
        """Solves the convex program on checked X and real targets; sets the fitted
        attributes of one network."""
        out = _opal._relu_fit(
            X,
            target,
            lam=float(self.lam),
            n_patterns=int(self.n_patterns),
            variant=str(self.variant),
            solver=str(self.solver),
            seed=int(self.seed),
            tol=float(self.tol),
            max_iter=int(self.max_iter),
            fit_intercept=bool(self.fit_intercept),
            time_limit=None if self.time_limit is None else float(self.time_limit),
            verbose=bool(self.verbose),
            **options,
        )
        for name in ("u_", "v_", "w_"):
            self.__dict__.pop(name, None)
        self.variant_ = out["variant"]
        self.gates_ = out["gates"]
        if self.variant_ == "gated":
            self.u_ = out["u"]
        else:
            self.v_ = out["v"]
            self.w_ = out["w"]
        self.objective_ = out["objective"]
        self.n_iter_ = out["n_iter"]
        self.status_ = out["status"]
        self.solver_ = out["solver"]
        self.cone_violation_ = out["cone_violation"]
        self.fit_time_ = out["time"]
        self.n_features_in_ = np.shape(X)[1]
        return self

    def _network_output(self, X):
        """Output of the recovered two-layer network on checked X."""
        empty = np.zeros((0, self.gates_.shape[1]))
        return _opal._relu_decision(
            X,
            variant=self.variant_,
            fit_intercept=bool(self.fit_intercept),
            gates=self.gates_,
            u=getattr(self, "u_", empty),
            v=getattr(self, "v_", empty),
            w=getattr(self, "w_", empty),
        )

    def _checked_X(self, X):
        """X for prediction: the estimator fitted, X of the fitted number of features."""
        _inp.check_fitted(self)
        return _inp.check_X(self, X, reset=False)


class ConvexReLUClassifier(_ClassifierMixin, _ConvexReLUBase):
    """Classifier: a two-layer ReLU network fitted by convex optimization to the labels
    mapped to -1/+1 (squared loss), predicting by the sign of its output. With k > 2
    classes, one network per class separates it from the rest (one-vs-rest, every network
    with the same seed, hence the same sampled gates) and the largest output wins.

    Parameters: lam (group-lasso weight), n_patterns (gate vectors sampled), variant
    ("gated" or "relu"), solver ("auto": the interior point up to n = 4000 samples, else
    FISTA for gated and ADMM for relu, or the augmented Lagrangian "al" where ADMM's n x n
    matrix would not fit in memory; or "ipm", "fista", "admm", "cg", "al"), seed, tol,
    max_iter, fit_intercept (append a constant feature the gates also see), time_limit
    (seconds or None, per network), verbose.

    Fitted attributes: classes_ (sorted labels), n_features_in_ (and feature_names_in_ for
    a DataFrame X, with scikit-learn). Two classes: gates_, u_ (gated) or v_ and w_ (relu)
    (n_gates, d), with d = n_features (+1 with fit_intercept); objective_, n_iter_,
    status_ ("converged", "iteration_limit", "time_limit" or "stalled"), solver_,
    cone_violation_, fit_time_. k > 2 classes: estimators_, the k one-vs-rest networks
    (fitted :class:`ConvexReLURegressor` on -1/+1 targets, in the order of classes_), and
    objective_, n_iter_, cone_violation_, fit_time_ as arrays (k,), status_ and solver_ as
    lists of k strings.
    """

    def fit(self, X, y, **options):
        """Fits on X (n_samples, n_features) and labels y (two or more classes); returns
        self. Extra keyword options reach the solver (rho, adaptive_rho, anderson, ...)."""
        return self._refit(X, y, options, self._fit_labels)

    def _fit_labels(self, X, y, options):
        y = _inp.check_labels(self, y)
        classes, index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, y has "
                f"{len(classes)} class"
            )
        self.classes_ = classes
        if len(classes) == 2:
            return self._fit(X, np.where(index == 1, 1.0, -1.0), options)
        nets = []
        for k in range(len(classes)):
            net = ConvexReLURegressor(**self.get_params())
            nets.append(net._fit(X, np.where(index == k, 1.0, -1.0), options))
        self.estimators_ = nets
        self.objective_ = np.array([n.objective_ for n in nets])
        self.n_iter_ = np.array([n.n_iter_ for n in nets])
        self.status_ = [n.status_ for n in nets]
        self.solver_ = [n.solver_ for n in nets]
        self.cone_violation_ = np.array([n.cone_violation_ for n in nets])
        self.fit_time_ = np.array([n.fit_time_ for n in nets])
        self.n_features_in_ = nets[0].n_features_in_
        return self

    def decision_function(self, X):
        """Network outputs on X (n_samples, n_features): shape (n_samples,) for two classes
        (positive for classes_[1]), (n_samples, k) for k > 2 (column j for classes_[j])."""
        X = self._checked_X(X)
        if hasattr(self, "estimators_"):
            return np.column_stack([net._network_output(X) for net in self.estimators_])
        return self._network_output(X)

    def predict(self, X):
        """Class labels: for two classes classes_[1] where the network output is >= 0, else
        classes_[0]; for more, the class whose network output is largest."""
        out = self.decision_function(X)
        if out.ndim == 2:
            return self.classes_[np.argmax(out, axis=1)]
        return self.classes_[(out >= 0).astype(int)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy."""
        return float(np.average(self.predict(X) == np.asarray(y), weights=sample_weight))


class ConvexReLURegressor(_RegressorMixin, _ConvexReLUBase):
    """Regressor: a two-layer ReLU network fitted by convex optimization (squared loss).

    Parameters and fitted attributes as :class:`ConvexReLUClassifier` with two classes
    (without classes_). As scikit-learn's regressors, it has no decision_function: predict
    gives the network output.
    """

    def fit(self, X, y, **options):
        """Fits on X (n_samples, n_features) and real targets y; returns self."""
        return self._refit(X, y, options, self._fit_targets)

    def _fit_targets(self, X, y, options):
        return self._fit(X, _inp.check_targets(self, y), options)

    def predict(self, X):
        """Network outputs on X (n_samples, n_features)."""
        return self._network_output(self._checked_X(X))

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2."""
        y = np.asarray(y, dtype=float)
        pred = self.predict(X)
        w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        ybar = np.average(y, weights=w)
        ss_res = np.sum(w * (y - pred) ** 2)
        ss_tot = np.sum(w * (y - ybar) ** 2)
        return float(1.0 - ss_res / ss_tot) if ss_tot > 0 else 0.0
