"""``opal.milp``: mixed-integer linear programs built in memory, in the calling convention of
``scipy.optimize.milp`` (same arguments, same result fields and status codes), solved by
HiGHS (``method="highs"``, the default) or by Balans large-neighbourhood search over HiGHS
(``method="balans"``)."""

import math
import warnings

import numpy as np

from . import _opal
from ._result import Result

# scipy.optimize.milp's status codes.
_STATUS = {
    "optimal": 0,
    "time_limit": 1,
    "iteration_limit": 1,
    "interrupted": 1,
    "infeasible": 2,
    "unbounded": 3,
}
_MESSAGES = {
    0: "Optimal solution found.",
    1: "Time limit reached.",
    2: "The problem is infeasible.",
    3: "The problem is unbounded.",
}
_SCIPY_OPTIONS = {"disp", "presolve", "time_limit", "node_limit", "mip_rel_gap"}
_OPAL_OPTIONS = {"method", "seed", "threads"}


def _vector(value, n, name, fill):
    """A float vector of length n from None (fill), a scalar (broadcast) or an array."""
    if value is None:
        return np.full(n, fill, dtype=float)
    try:
        v = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be numeric, got {type(value).__name__}") from e
    if v.ndim == 0 or v.shape == (1,):
        return np.full(n, float(v.reshape(-1)[0]))
    if v.ndim != 1 or v.shape[0] != n:
        raise ValueError(f"{name} has shape {v.shape}, expected ({n},)")
    return v


def _csr(a, n, name):
    """(indptr, indices, data, rows) of a dense array-like or a scipy.sparse matrix."""
    if hasattr(a, "tocsr"):
        a = a.tocsr()
        a.sum_duplicates()
        if a.shape[1] != n:
            raise ValueError(f"{name}: A has {a.shape[1]} columns, expected {n}")
        return (
            np.asarray(a.indptr, dtype=np.int64),
            np.asarray(a.indices, dtype=np.int64),
            np.asarray(a.data, dtype=float),
            a.shape[0],
        )
    try:
        d = np.atleast_2d(np.asarray(a, dtype=float))
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name}: A must be a numeric array or a sparse matrix") from e
    if d.ndim != 2 or d.shape[1] != n:
        raise ValueError(f"{name}: A has shape {d.shape}, expected {n} columns (m, {n})")
    rows, cols = np.nonzero(d)
    indptr = np.zeros(d.shape[0] + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    return np.cumsum(indptr), cols.astype(np.int64), d[rows, cols], d.shape[0]


def _constraint_list(constraints):
    """The constraints as (A, lb, ub) triples: a LinearConstraint-like object (A, lb, ub
    attributes), a tuple (A, lb, ub), or a sequence of those."""
    if constraints is None:
        return []
    if hasattr(constraints, "A") or (
        isinstance(constraints, tuple)
        and len(constraints) == 3
        and not hasattr(constraints[0], "A")
        and not isinstance(constraints[0], tuple)
    ):
        constraints = [constraints]
    out = []
    for k, con in enumerate(constraints):
        if hasattr(con, "A"):
            out.append((con.A, con.lb, con.ub))
        elif isinstance(con, (tuple, list)) and len(con) == 3:
            out.append(tuple(con))
        else:
            raise TypeError(
                f"constraints[{k}] must be a LinearConstraint or a tuple (A, lb, ub), "
                f"got {type(con).__name__}"
            )
    return out


def _infeasible(why):
    """The result of a model that crossing bounds make infeasible (as SciPy reports it)."""
    return Result(
        x=None,
        fun=None,
        status=2,
        success=False,
        message=f"{_MESSAGES[2]} ({why})",
        opal_status="infeasible",
        mip_dual_bound=None,
        mip_gap=None,
        mip_node_count=None,
    )


def milp(c, *, integrality=None, bounds=None, constraints=None, options=None):
    """Minimizes ``c @ x`` subject to ``lb <= A @ x <= ub`` (each of ``constraints``),
    ``bounds.lb <= x <= bounds.ub`` (default ``0 <= x < inf``, as SciPy) and integrality
    (``1`` integer, ``0`` continuous; scalars broadcast).

    ``options``: SciPy's ``disp`` (HiGHS log), ``time_limit`` (seconds) and ``presolve``
    (HiGHS always presolves) are honoured; ``node_limit`` and ``mip_rel_gap`` are not
    supported and give a warning. opal's own: ``method`` ("highs" or "balans"), ``seed``,
    ``threads``. Returns an :class:`opal.Result` with SciPy's fields ``x`` (None without a
    solution), ``fun``, ``status`` (0 optimal, 1 time limit, 2 infeasible, 3 unbounded,
    4 other), ``success``, ``message``, ``mip_dual_bound``, ``mip_gap``, plus opal's
    ``opal_status`` and the search's statistics.
    """
    try:
        c = np.atleast_1d(np.asarray(c, dtype=float))
    except (TypeError, ValueError) as e:
        raise TypeError("c must be a numeric vector") from e
    if c.ndim != 1 or c.shape[0] == 0:
        raise ValueError(f"c must be a non-empty 1-D array, got shape {c.shape}")
    n = c.shape[0]
    if not np.all(np.isfinite(c)):
        raise ValueError(f"c[{int(np.flatnonzero(~np.isfinite(c))[0])}] is not finite")
    integ = _vector(integrality, n, "integrality", 0.0)
    if np.any(~np.isin(integ, (0.0, 1.0))):
        bad = integ[~np.isin(integ, (0.0, 1.0))][0]
        raise ValueError(
            f"integrality values must be 0 (continuous) or 1 (integer); got {bad} "
            "(semi-continuous variables are not supported)"
        )
    if bounds is None:
        lb, ub = np.zeros(n), np.full(n, np.inf)
    elif hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        lb = _vector(bounds.lb, n, "bounds.lb", 0.0)
        ub = _vector(bounds.ub, n, "bounds.ub", np.inf)
    elif isinstance(bounds, (tuple, list)) and len(bounds) == 2:
        lb = _vector(bounds[0], n, "bounds[0]", 0.0)
        ub = _vector(bounds[1], n, "bounds[1]", np.inf)
    else:
        raise TypeError(
            "bounds must be a scipy.optimize.Bounds-like object (lb, ub attributes) or a "
            "pair (lb, ub)"
        )
    indptr, indices, data, row_lb, row_ub, start = [np.zeros(1, np.int64)], [], [], [], [], 0
    for k, (a, lo, hi) in enumerate(_constraint_list(constraints)):
        p, i, d, m = _csr(a, n, f"constraints[{k}]")
        indptr.append(p[1:] + start)
        indices.append(i)
        data.append(d)
        row_lb.append(_vector(lo, m, f"constraints[{k}].lb", -np.inf))
        row_ub.append(_vector(hi, m, f"constraints[{k}].ub", np.inf))
        start += len(d)

    for name, lo, hi in (("bounds", [lb], [ub]), ("constraint bounds", row_lb, row_ub)):
        for lo_k, hi_k in zip(lo, hi):
            if np.any(np.isnan(lo_k)) or np.any(np.isnan(hi_k)):
                raise ValueError(f"{name} contain NaN")
            crossed = np.flatnonzero(lo_k > hi_k)
            if crossed.size:
                k = int(crossed[0])
                return _infeasible(f"{name}: lower {lo_k[k]} above upper {hi_k[k]} (entry {k})")

    options = dict(options or {})
    unknown = set(options) - _SCIPY_OPTIONS - _OPAL_OPTIONS
    unsupported = {"node_limit", "mip_rel_gap"} & set(options)
    if unknown or unsupported:
        warnings.warn(
            f"options not used by opal.milp: {sorted(unknown | unsupported)}",
            stacklevel=2,
        )
    time_limit = options.get("time_limit", math.inf)
    if time_limit is None:
        time_limit = math.inf
    time_limit = float(time_limit)
    if math.isnan(time_limit) or time_limit <= 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit}")

    raw = _opal._milp(
        c,
        integ.astype(bool),
        lb,
        ub,
        np.concatenate(indptr),
        np.concatenate(indices) if indices else np.zeros(0, np.int64),
        np.concatenate(data) if data else np.zeros(0),
        np.concatenate(row_lb) if row_lb else np.zeros(0),
        np.concatenate(row_ub) if row_ub else np.zeros(0),
        time_limit,
        seed=int(options.get("seed", 0)),
        solver=str(options.get("method", "highs")),
        threads=int(options.get("threads", 1)),
        verbose=bool(options.get("disp", False)),
    )
    status = _STATUS.get(raw["status"], 4)
    has_x = raw["x"] is not None and status in (0, 1)
    result = dict(raw)
    result.update(
        x=np.asarray(raw["x"]) if has_x else None,
        fun=float(raw["objective"]) if has_x else None,
        status=status,
        success=status == 0,
        message=_MESSAGES.get(status, raw["message"]) + f" ({raw['message']})",
        opal_status=raw["status"],
        mip_dual_bound=raw["best_bound"],
        mip_gap=raw["gap"],
        mip_node_count=None,
    )
    return Result(result)
