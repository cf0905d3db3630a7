"""``opal.minimize`` in SciPy's convention: the user's own functions, bounds and
constraints (dicts, ``NonlinearConstraint``, ``LinearConstraint`` and ``Bounds`` read by
duck typing, so scipy stays optional), or an ``opal.Problem`` / SIF path as before.

Everything is normalized here into canonical functions of x (float64 arrays with checked
shapes) that the native part (``_opal._minimize_functions``) hands to the solver.
"""

import inspect
import os
from typing import Any, Callable, Optional, Union

import numpy as np

from . import _opal
from ._result import Result

_METHODS = ("ipm", "adasketch", "newton", "auglag")
_FD = ("2-point", "3-point", "cs")


class OptimizeResult(Result):
    """The result of :func:`minimize`: a dict whose keys are also attributes, with SciPy's
    ``OptimizeResult`` fields (``x``, ``fun``, ``jac``, ``nit``, ``nfev``, ``njev``,
    ``status``, ``success``, ``message``) plus ``opal_status`` (the status name),
    ``constr_violation``, ``v`` (constraint multipliers, one array per constraint as
    given), ``multipliers`` (all of them in one array), ``lower_bound_multipliers``,
    ``upper_bound_multipliers``, ``termination``, ``method`` and ``time``."""


def _vector(name, value, n=None):
    a = np.asarray(value, dtype=float)
    if a.ndim > 1:
        a = a.reshape(-1)
    a = np.atleast_1d(a)
    if n is not None and a.shape != (n,):
        raise ValueError(f"{name} must return shape ({n},), got {np.shape(value)}")
    return np.ascontiguousarray(a, dtype=np.float64)


def _x0(x0):
    if x0 is None:
        raise TypeError("x0 is required when fun is a callable")
    try:
        x = np.asarray(x0, dtype=float)
    except (TypeError, ValueError) as e:
        raise TypeError(f"x0 must be a real 1-D array: {e}") from None
    if x.ndim == 0:
        x = x.reshape(1)
    if x.ndim != 1:
        raise ValueError(f"x0 must be 1-dimensional, got shape {x.shape}")
    if x.size == 0:
        raise ValueError("x0 is empty: a problem needs at least one variable")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite, got {x}")
    return np.ascontiguousarray(x, dtype=np.float64)


def _side(name, value, m):
    a = np.asarray(value, dtype=float)
    try:
        a = np.broadcast_to(a, (m,)).astype(float)
    except ValueError:
        raise ValueError(f"{name} has shape {a.shape}, expected ({m},)") from None
    if np.any(np.isnan(a)):
        raise ValueError(f"{name} contains NaN")
    return a


def _bounds(bounds, n):
    if bounds is None:
        return np.full(n, -np.inf), np.full(n, np.inf)
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        lo, hi = _side("bounds.lb", bounds.lb, n), _side("bounds.ub", bounds.ub, n)
    else:
        pairs = list(bounds)
        if len(pairs) != n:
            raise ValueError(f"bounds has length {len(pairs)}, x0 has length {n}")
        lo, hi = np.empty(n), np.empty(n)
        for i, pair in enumerate(pairs):
            try:
                a, b = pair
            except (TypeError, ValueError):
                raise ValueError(f"bounds[{i}] must be a pair (lo, hi), got {pair!r}") from None
            lo[i] = -np.inf if a is None else float(a)
            hi[i] = np.inf if b is None else float(b)
        if np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
            raise ValueError("bounds contain NaN")
    if np.any(lo > hi):
        i = int(np.argmax(lo > hi))
        raise ValueError(f"bounds: lower bound {lo[i]} above upper bound {hi[i]} for x[{i}]")
    return lo, hi


class _Block:
    """One constraint as given: c(x) (m values), its Jacobian (m x n) or None, the Hessian
    of v . c(x) or None, bounds lb <= c(x) <= ub."""

    def __init__(self, name, fun, jac, hess, lb, ub, x0, linear=False):
        self.name = name
        self.fun = fun
        c0 = np.atleast_1d(np.asarray(fun(x0), dtype=float))
        if c0.ndim != 1:
            raise ValueError(f"{name} must return a 1-D array, got shape {c0.shape}")
        self.m = c0.size
        self.jac = jac
        self.hess = hess
        self.linear = linear
        self.lb = _side(f"{name} lb", lb, self.m)
        self.ub = _side(f"{name} ub", ub, self.m)


def _callable_or_none(v):
    return v if callable(v) else None


def _block(i, con, x0, n):
    name = f"constraints[{i}]"
    if isinstance(con, dict):
        kind = con.get("type")
        if kind not in ("eq", "ineq"):
            raise ValueError(f"{name}['type'] must be 'eq' or 'ineq', got {kind!r}")
        if not callable(con.get("fun")):
            raise TypeError(f"{name}['fun'] must be callable")
        cargs = con.get("args", ())
        cargs = cargs if isinstance(cargs, tuple) else (cargs,)
        f, j = con["fun"], _callable_or_none(con.get("jac"))

        def fun(x, f=f, a=cargs):
            return np.atleast_1d(np.asarray(f(x, *a), dtype=float))

        jac = None if j is None else (lambda x, j=j, a=cargs: j(x, *a))
        ub = 0.0 if kind == "eq" else np.inf
        return _Block(name, fun, jac, None, 0.0, ub, x0)
    if hasattr(con, "A") and hasattr(con, "lb"):
        A = con.A.toarray() if hasattr(con.A, "toarray") else np.asarray(con.A, dtype=float)
        A = np.atleast_2d(np.asarray(A, dtype=float))
        if A.shape[1] != n:
            raise ValueError(f"{name}.A has shape {A.shape}, expected (m, {n})")
        return _Block(name, lambda x, A=A: A @ x, lambda x, A=A: A, None, con.lb, con.ub, x0,
                      linear=True)
    if hasattr(con, "fun") and hasattr(con, "lb") and hasattr(con, "ub"):
        if not callable(con.fun):
            raise TypeError(f"{name}.fun must be callable")
        return _Block(name, con.fun, _callable_or_none(getattr(con, "jac", None)),
                      _callable_or_none(getattr(con, "hess", None)), con.lb, con.ub, x0)
    raise TypeError(
        f"{name} must be a dict {{'type', 'fun', ...}}, a NonlinearConstraint or a "
        f"LinearConstraint, got {type(con).__name__}"
    )


def _dense(name, value, shape):
    if hasattr(value, "toarray"):
        value = value.toarray()
    elif hasattr(value, "matvec") and not isinstance(value, np.ndarray):
        value = value @ np.eye(shape[1])
    a = np.asarray(value, dtype=float)
    if a.size != shape[0] * shape[1]:
        raise ValueError(f"{name} must return shape {shape}, got {a.shape}")
    return np.ascontiguousarray(a.reshape(-1), dtype=np.float64)


def _callback(callback):
    """callback(x, nit, fun) -> True to stop, from SciPy's two callback signatures."""
    if callback is None:
        return None
    try:
        new_style = "intermediate_result" in inspect.signature(callback).parameters
    except (TypeError, ValueError):
        new_style = False

    def call(x, nit, fun):
        try:
            if new_style:
                r = callback(intermediate_result=OptimizeResult(x=x, fun=fun, nit=nit))
            else:
                r = callback(x)
        except StopIteration:
            return True
        return r is True

    return call


def _objective(fun, jac, args, n):
    """The canonical objective and gradient (None: differences in the solver)."""
    if jac is True:
        cache = {}

        def both(x):
            key = x.tobytes()
            if key not in cache:
                out = fun(x, *args)
                try:
                    f, g = out
                except (TypeError, ValueError):
                    raise ValueError(
                        "fun must return (f, g) when jac=True, got " f"{type(out).__name__}"
                    ) from None
                cache.clear()
                cache[key] = (_scalar(f), _vector("jac", g, n))
            return cache[key]

        return (lambda x: both(x)[0]), (lambda x: both(x)[1])
    f = lambda x: _scalar(fun(x, *args))  # noqa: E731
    if callable(jac):
        return f, (lambda x: _vector("jac", jac(x, *args), n))
    if jac is None or jac is False or jac in _FD:
        return f, None
    raise ValueError(f"jac must be a callable, True, False, None or one of {_FD}, got {jac!r}")


def _scalar(v):
    a = np.asarray(v, dtype=float)
    if a.size != 1:
        raise ValueError(f"fun must return a scalar, got shape {a.shape}")
    return float(a.reshape(()))


def _lagrangian_hessian(hess, args, blocks, n, options):
    """Exact Hessian of the Lagrangian when it is known: options['hess_lagrangian'], or
    `hess` of the objective when every nonlinear constraint has its own `hess`."""
    user = options.pop("hess_lagrangian", None)
    if user is not None:
        if not callable(user):
            raise TypeError("options['hess_lagrangian'] must be callable (x, sigma, y)")
        return lambda x, s, y: _dense("hess_lagrangian", user(x, s, y), (n, n))
    if not callable(hess) or any(b.hess is None and not b.linear for b in blocks):
        return None

    def h(x, sigma, y):
        out = sigma * _dense("hess", hess(x, *args), (n, n))
        k = 0
        for b in blocks:
            if b.hess is not None:
                out += _dense(f"{b.name}.hess", b.hess(x, y[k:k + b.m]), (n, n))
            k += b.m
        return out

    return h


def _method(method, has_ipm_features):
    if method is None:
        return "ipm" if has_ipm_features else "adasketch"
    if not isinstance(method, str) or method.lower() not in _METHODS:
        raise ValueError(f"method: unknown method {method!r} (None or one of {', '.join(_METHODS)})")
    return method.lower()


def minimize(
    fun: Any,
    x0: Any = None,
    args: Any = (),
    method: Optional[str] = None,
    jac: Union[None, bool, str, Callable[..., Any]] = None,
    hess: Union[None, str, Callable[..., Any], Any] = None,
    hessp: Optional[Callable[..., Any]] = None,
    bounds: Any = None,
    constraints: Any = (),
    tol: Optional[float] = None,
    callback: Optional[Callable[..., Any]] = None,
    options: Optional[dict] = None,
    **kwargs: Any,
) -> "Union[OptimizeResult, Result]":
    """Minimize f(x) subject to bounds and constraints, in SciPy's convention.

    ``fun(x, *args) -> float`` (or ``(f, g)`` with ``jac=True``); ``jac(x, *args)`` the
    gradient (None or ``'2-point'``/``'3-point'``: central differences); ``hess(x, *args)``
    the Hessian of f (dense, scipy.sparse or LinearOperator). ``bounds``: a
    ``scipy.optimize.Bounds`` or n pairs ``(lo, hi)`` with None for no bound.
    ``constraints``: dicts ``{'type': 'eq'|'ineq', 'fun', 'jac', 'args'}`` ('ineq' means
    ``fun(x) >= 0``), ``NonlinearConstraint`` (fun, lb, ub, jac, hess) or
    ``LinearConstraint`` (A, lb, ub) objects, one or a sequence; scipy itself is not
    needed (any object with those attributes works).

    method: None chooses the interior point (``'ipm'``) when there is a finite bound or a
    constraint with lb != ub, else ``'adasketch'`` (sketched Newton, equality-only
    problems); ``'newton'`` and ``'auglag'`` are the other equality solvers.

    Hessian: the interior point uses the exact Hessian of the Lagrangian
    ``sigma * hess_f + sum_i y_i hess_ci`` when it is known — ``hess`` given and every
    nonlinear constraint given with its own ``hess(x, v)`` (SciPy's NonlinearConstraint
    convention), or ``options['hess_lagrangian'](x, sigma, y)`` — and limited-memory BFGS
    otherwise (``hess`` of the objective alone is not the Lagrangian's; ``hessp`` is not
    used).

    tol: the interior point's IPOPT tolerance (scaled dual and primal infeasibility and
    complementarity, default 1e-8); the equality solvers' relative KKT tolerance
    (default 1e-6). options: solver settings by name (``max_iter``/``maxiter``,
    ``time_limit``, ``mu_strategy``, ``hessian``, ``linear_solver``, ``verbose``/``disp``,
    ...; an unknown name raises ValueError listing the known ones).

    callback: ``callback(xk)`` or ``callback(intermediate_result)`` after each iteration;
    raising ``StopIteration`` or returning True stops (status 3).

    Returns an :class:`OptimizeResult`. ``status``: 0 converged, 1 iteration limit, 2 time
    limit, 3 interrupted (callback, Ctrl-C), 4 infeasible, 5 unbounded, 6 stalled,
    7 numerical error (NaN or an evaluation failure), 8 acceptable level, 9 other;
    ``opal_status`` names it. A Python exception raised in ``fun``, ``jac``, a constraint
    or the callback stops the solver and is re-raised unchanged; Ctrl-C
    (KeyboardInterrupt) returns the last iterate with ``opal_status == 'interrupted'``.
    Bad arguments raise ValueError/TypeError naming the argument.

    ``fun`` may also be an :class:`opal.Problem` or a SIF path (as ``opal.minimize(problem,
    method=..., tol=..., max_iter=..., seed=..., **options)`` always took): with an
    equality solver the result is the equality solvers' :class:`opal.Result`, with the
    interior point an :class:`OptimizeResult`; ``x0`` is then an optional warm start
    (interior point only).
    """
    if isinstance(fun, (str, os.PathLike)):
        fun = _opal.load_sif(fun)
    if isinstance(fun, _opal.Problem):
        return _minimize_problem(fun, x0, method, tol, options, callback, kwargs)
    if kwargs:
        raise TypeError(
            f"minimize() got unexpected keyword arguments {sorted(kwargs)} "
            "(solver settings go in options=)"
        )
    if not callable(fun):
        raise TypeError(f"fun must be callable, an opal.Problem or a SIF path, got {type(fun).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    options = dict(options or {})
    x = _x0(x0)
    n = x.size
    args = args if isinstance(args, tuple) else (args,)
    lo, hi = _bounds(bounds, n)
    if isinstance(constraints, (dict,)) or hasattr(constraints, "lb"):
        constraints = [constraints]
    blocks = [_block(i, c, x, n) for i, c in enumerate(constraints or ())]
    cl = np.concatenate([b.lb for b in blocks]) if blocks else np.zeros(0)
    cu = np.concatenate([b.ub for b in blocks]) if blocks else np.zeros(0)
    f, g = _objective(fun, jac, args, n)
    cons = jacobian = None
    if blocks:
        def cons(x):
            return np.ascontiguousarray(
                np.concatenate([_vector(b.name, b.fun(x), b.m) for b in blocks]))

        if all(b.jac is not None for b in blocks):
            def jacobian(x):
                return np.concatenate(
                    [_dense(f"{b.name} jac", b.jac(x), (b.m, n)) for b in blocks])
    h = _lagrangian_hessian(hess, args, blocks, n, options)
    ipm_features = bool(np.isfinite(lo).any() or np.isfinite(hi).any() or np.any(cl != cu))
    name = _method(method, ipm_features)
    d = _opal._minimize_functions(
        f, g, cons, jacobian, h, x, lo, hi, cl, cu, name, tol, options, _callback(callback)
    )
    r = OptimizeResult(d)
    y = r.multipliers
    r.v = [y[k - b.m:k] for b, k in zip(blocks, np.cumsum([b.m for b in blocks]))]
    return r


def _minimize_problem(problem, x0, method, tol, options, callback, kwargs):
    if callback is not None:
        raise ValueError("callback: only for minimize() on Python functions")
    if x0 is not None:
        x0 = _x0(x0)
        if x0.size != problem.n:
            raise ValueError(f"x0 has length {x0.size}, the problem has n = {problem.n}")
    lower, upper = problem.lower, problem.upper
    cl, cu = problem.constraint_lower, problem.constraint_upper
    ipm_features = bool(np.isfinite(lower).any() or np.isfinite(upper).any()
                        or np.any(cl != cu))
    name = _method(method, ipm_features)
    opts = dict(options or {})
    opts.update(kwargs)
    if name != "ipm":
        if x0 is not None:
            raise ValueError(f"x0: a warm start needs method='ipm' (not {name!r})")
        return _opal.minimize(problem, method=name, tol=1e-6 if tol is None else tol, **opts)
    r = OptimizeResult(_opal._minimize_problem(problem, "ipm", tol, opts, x0))
    r.v = [r.multipliers]
    return r
