"""Two-layer ReLU networks trained by convex optimization, as scikit-learn estimators.

The convex reformulation of Pilanci and Ergen: with sampled gate vectors g_i and their
activation patterns D_i = diag(1[X g_i >= 0]), the gated program is the group lasso
``min (1/(2n))||sum_i D_i X u_i - y||^2 + lam sum_i ||u_i||``; the ReLU program splits
u_i = v_i - w_i under cone constraints ``(2 D_i - I) X v_i >= 0``. opal solves them with
FISTA (gated) or the ADMM of Bai, Gautam and Sojoudi (ReLU) and recovers the network from
the nonzero blocks.

The estimators follow the scikit-learn protocol (constructor parameters stored as given,
``get_params``/``set_params``, ``fit`` returning self, fitted attributes ending in ``_``)
without needing scikit-learn: ``sklearn.base.clone``, pipelines and grid search work when it
is installed (the classes then also derive from its ``BaseEstimator`` and mixins, for the
estimator tags that its model-selection tools read).
"""

import inspect

import numpy as np

from . import _opal

try:  # scikit-learn is optional: with it, estimator tags and type come from its bases
    from sklearn.base import BaseEstimator as _Base
    from sklearn.base import ClassifierMixin as _ClassifierMixin
    from sklearn.base import RegressorMixin as _RegressorMixin
except ImportError:  # pragma: no cover - exercised where scikit-learn is absent

    class _Base:
        pass

    class _ClassifierMixin:
        _estimator_type = "classifier"

    class _RegressorMixin:
        _estimator_type = "regressor"

__all__ = ["ConvexReLUClassifier", "ConvexReLURegressor", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """The estimator was used before ``fit`` (as scikit-learn's exception of that name)."""


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

    def _fit(self, X, target, options):
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

    def _check_fitted(self):
        if not hasattr(self, "gates_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, y) first"
            )

    def decision_function(self, X):
        """Output of the recovered two-layer network on X (n_samples, n_features)."""
        self._check_fitted()
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


class ConvexReLUClassifier(_ClassifierMixin, _ConvexReLUBase):
    """Binary classifier: a two-layer ReLU network fitted by convex optimization to the
    labels mapped to -1/+1 (squared loss), predicting by the sign of its output.

    Parameters: lam (group-lasso weight), n_patterns (gate vectors sampled), variant
    ("gated" or "relu"), solver ("auto": the interior point up to n = 4000 samples, else
    FISTA for gated and ADMM for relu; or "ipm", "fista", "admm", "cg"), seed, tol,
    max_iter, fit_intercept (append a constant feature the gates also see), time_limit
    (seconds or None), verbose.

    Fitted attributes: classes_, gates_ (n_gates, d), u_ (gated) or v_ and w_ (relu)
    (n_gates, d), with d = n_features (+1 with fit_intercept); objective_, n_iter_,
    status_ ("converged", "iteration_limit", "time_limit" or "stalled"), solver_,
    cone_violation_, fit_time_, n_features_in_.
    """

    def fit(self, X, y, **options):
        """Fits on X (n_samples, n_features) and two-class labels y; returns self.
        Extra keyword options reach the solver (rho, adaptive_rho, anderson, ...)."""
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-dimensional, got shape {y.shape}")
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(
                f"ConvexReLUClassifier is a binary classifier: y has {len(classes)} classes"
            )
        self.classes_ = classes
        return self._fit(X, np.where(y == classes[1], 1.0, -1.0), options)

    def predict(self, X):
        """Class labels: classes_[1] where the network output is >= 0, else classes_[0]."""
        return self.classes_[(self.decision_function(X) >= 0).astype(int)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy."""
        return float(np.average(self.predict(X) == np.asarray(y), weights=sample_weight))


class ConvexReLURegressor(_RegressorMixin, _ConvexReLUBase):
    """Regressor: a two-layer ReLU network fitted by convex optimization (squared loss).

    Parameters and fitted attributes as :class:`ConvexReLUClassifier` (without classes_).
    """

    def fit(self, X, y, **options):
        """Fits on X (n_samples, n_features) and real targets y; returns self."""
        return self._fit(X, y, options)

    def predict(self, X):
        """Network outputs."""
        return self.decision_function(X)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2."""
        y = np.asarray(y, dtype=float)
        pred = self.predict(X)
        w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        ybar = np.average(y, weights=w)
        ss_res = np.sum(w * (y - pred) ** 2)
        ss_tot = np.sum(w * (y - ybar) ** 2)
        return float(1.0 - ss_res / ss_tot) if ss_tot > 0 else 0.0
