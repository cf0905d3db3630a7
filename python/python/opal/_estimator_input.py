"""Input checks of opal's scikit-learn style estimators (``opal.relu``).

With scikit-learn (>= 1.6) installed, X and y go through scikit-learn's own validation
(``validate_data``, ``column_or_1d``, ``check_classification_targets``,
``check_is_fitted``): the errors and warnings are the ones its users know, and
``n_features_in_`` / ``feature_names_in_`` are set at fit and checked at predict as in
scikit-learn's estimators. Without it, the arrays go to the compiled extension as given and
its checks (dtype, shape, finite values, sizes) raise opal's own messages.

Two checks run first in both cases, so that the messages are the same with or without
scikit-learn: complex data (an exception that is both the ``TypeError`` of opal's array
conventions and the ``ValueError`` scikit-learn raises) and a 1-D X (a ``ValueError``
naming the shape and how to reshape).
"""

import numpy as np

try:  # scikit-learn is optional
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import (
        check_array,
        check_is_fitted,
        column_or_1d,
        validate_data,
    )

    SKLEARN = True
except ImportError:  # pragma: no cover - exercised where scikit-learn is absent (or < 1.6)
    SKLEARN = False

    class NotFittedError(ValueError, AttributeError):
        """The estimator was used before ``fit`` (as scikit-learn's exception of that name)."""


class ComplexDataError(TypeError, ValueError):
    """Complex X or y: opal's arrays are real (a ``TypeError``, as for any wrong dtype), and
    scikit-learn's estimators raise ``ValueError`` for complex data: this is both."""


def _is_sparse(a):
    """A scipy.sparse matrix or array (duck-typed, so SciPy need not be installed)."""
    return hasattr(a, "tocsr") and hasattr(a, "nnz")


def _shape_dtype(a):
    """(shape, dtype) of an array-like (dtype None for a table of typed columns), or None
    where NumPy cannot make an array of it (the full validation then reports the problem).
    Arrays and tables are not copied; nested lists are converted once more."""
    if _is_sparse(a) or a is None:
        return None
    if hasattr(a, "shape"):
        return tuple(a.shape), getattr(a, "dtype", None)
    try:
        arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    except (ValueError, TypeError):
        return None
    return arr.shape, arr.dtype


def _refuse_complex(a, name):
    sd = _shape_dtype(a)
    if sd is not None and sd[1] is not None and sd[1].kind == "c":
        raise ComplexDataError(
            f"{name} must be a real numeric array, got dtype {sd[1]}: Complex data not supported"
        )


def check_X(est, X, *, reset):
    """X for fitting (``reset=True``: records ``n_features_in_``) or for prediction
    (``reset=False``: checks the number of features). Sparse X is refused: the convex
    program is solved on dense data, and a silent densification could exhaust memory; call
    ``X.toarray()`` where n_samples x n_features doubles fit."""
    _refuse_complex(X, "X")
    sd = _shape_dtype(X)
    if sd is not None and len(sd[0]) == 1:  # the shape and how to reshape
        raise ValueError(
            f"X must be 2-dimensional (n_samples, n_features), got shape {sd[0]}. Reshape "
            "your data with X.reshape(-1, 1) if it has a single feature or X.reshape(1, -1) "
            "if it is a single sample."
        )
    if SKLEARN:
        # non-finite entries are left to the extension, whose message names the entry
        try:
            return validate_data(
                est, X, reset=reset, dtype=np.float64, order="C", ensure_all_finite=False
            )
        except ValueError as e:  # numpy's conversion message does not say which input
            if "X" in str(e):
                raise
            raise ValueError(f"X: {e}") from e
    if _is_sparse(X):
        raise TypeError(
            "Sparse data was passed for X, but dense data is required: the convex ReLU "
            "program is solved on dense data; use X.toarray() if it fits in memory."
        )
    return X


def _require_y(est, y):
    if y is None:
        raise ValueError(
            f"{type(est).__name__} requires y to be passed, but the target y is None"
        )


def check_targets(est, y):
    """Real targets as a 1-D float array (a column vector is flattened, with scikit-learn's
    ``DataConversionWarning``)."""
    _require_y(est, y)
    _refuse_complex(y, "y")
    if not SKLEARN:
        return y
    y = column_or_1d(y, warn=True)
    return check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")


def check_labels(est, y):
    """Class labels as a 1-D array (a column vector is flattened with scikit-learn's
    ``DataConversionWarning``; continuous or multi-output targets are refused)."""
    _require_y(est, y)
    _refuse_complex(y, "y")
    if not SKLEARN:
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-dimensional, got shape {y.shape}")
        return y
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    return y


def check_fitted(est):
    """Raises ``NotFittedError`` unless ``fit`` has run."""
    if SKLEARN:
        check_is_fitted(est, "n_features_in_")
    elif not hasattr(est, "n_features_in_"):
        raise NotFittedError(
            f"this {type(est).__name__} is not fitted yet: call fit(X, y) first"
        )
