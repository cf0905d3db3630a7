"""Type stubs of the native extension module opal._opal."""

import os
from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt

from ._result import Result

__version__: str

class SolverError(RuntimeError): ...
class EvaluationError(ValueError): ...

_Vec = npt.NDArray[np.float64]
_Idx = npt.NDArray[np.int64]

class Problem:
    """A smooth problem min f(x) s.t. cl <= c(x) <= cu, xl <= x <= xu."""

    @property
    def name(self) -> str: ...
    @property
    def n(self) -> int: ...
    @property
    def m(self) -> int: ...
    @property
    def classification(self) -> Optional[str]: ...
    @property
    def has_objective(self) -> bool: ...
    @property
    def x0(self) -> _Vec: ...
    @property
    def y0(self) -> Optional[_Vec]: ...
    @property
    def lower(self) -> _Vec: ...
    @property
    def upper(self) -> _Vec: ...
    @property
    def constraint_lower(self) -> _Vec: ...
    @property
    def constraint_upper(self) -> _Vec: ...
    @property
    def variable_names(self) -> list[str]: ...
    @property
    def constraint_names(self) -> list[str]: ...
    def objective(self, x: _Vec) -> float: ...
    def gradient(self, x: _Vec) -> _Vec: ...
    def constraints(self, x: _Vec) -> _Vec: ...
    def jacobian_triplets(self, x: _Vec) -> tuple[_Idx, _Idx, _Vec]: ...
    def jacobian(self, x: _Vec):  # scipy.sparse.csr_matrix, m x n
        ...
    def hessian_triplets(self, x: _Vec, y: _Vec, obj_factor: float = 1.0) -> tuple[_Idx, _Idx, _Vec]: ...
    def hessian_lagrangian(self, x: _Vec, y: _Vec, obj_factor: float = 1.0, full: bool = False):
        """scipy.sparse.csr_matrix: lower triangle, or the full matrix with full=True."""
        ...
    def hessian_lagrangian_vector(self, x: _Vec, y: _Vec, v: _Vec, obj_factor: float = 1.0) -> _Vec: ...

def problem(name: str, **params: object) -> Problem:
    """A built-in problem: "pde" (N), "logreg" (path, rows, seed)."""
    ...

def load_sif(path: Union[str, os.PathLike[str]], **params: object) -> Problem:
    """Decode a CUTEst SIF file; keyword arguments override its $-PARAMETERs (N=1000).

    Raises FileNotFoundError/OSError if the file cannot be read, ValueError (naming
    file:line) if it cannot be decoded or a parameter is not one of the file's."""
    ...

_ArrayLike = Union[npt.ArrayLike, _Vec]

def calibrate_gains(
    A: _ArrayLike,
    Y: _ArrayLike,
    rho: float = 0.5,
    *,
    Z: Optional[_ArrayLike] = None,
    B: Optional[_ArrayLike] = None,
    method: str = "pgd",
    step: str = "line_search",
    mu: float = 1.0,
    max_iter: int = 5000,
    tol_residual: float = 1e-12,
    tol_step: float = 1e-12,
    time_limit: Optional[float] = None,
    parallel: bool = True,
    verbose: bool = False,
    dykstra_max_iter: int = 1000,
    dykstra_tol: float = 1e-13,
) -> tuple[_Vec, _Vec, dict[str, Any]]:
    """Blind gain calibration: x (n,) and gains d (m,) with Y[l] = diag(d) A[l] x.

    A has shape (p, m, n), Y shape (p, m); mean(d) = 1 and |d_i - 1| <= rho (0 < rho < 1).
    Z (n, k) and B (m, h, first column constant) restrict x = Z @ z and d = B @ b
    (info["z"], info["b"]).
    method "pgd" (projected gradient, Cambareri and Jacques) or "linear" (Ling and
    Strohmer); step "line_search" or "fixed" with scale mu. info: status ("converged",
    "iteration_limit", "time_limit", "interrupted", "underdetermined", "numerical_error"),
    reason ("residual_tolerance", "step_tolerance", "solved", "non_positive_gains",
    "diverged" or None), message, success, method, iterations, objective,
    relative_residual, operator_applications, time (and z, b). time_limit: seconds (inf
    or None for none).
    """
    ...

def minimize(
    problem: Problem,
    method: str = "adasketch",
    tol: float = 1e-6,
    max_iter: Optional[int] = None,
    time_limit: Optional[float] = None,
    seed: int = 0,
    **options: Any,
) -> Result:
    """Solve an equality-constrained, bound-free problem: min f(x) s.t. c(x) = cl.

    method "adasketch" (sketched inexact Newton on the exact augmented Lagrangian, the
    default), "newton" (exact Newton on the same merit) or "auglag" (classical augmented
    Lagrangian). tol is relative: converged when ||(grad L, c)|| <= tol * max(1, initial
    residual) or <= abs_tol. Options are the solver's settings by name (abs_tol, sketch
    ("kaczmarz"|"gaussian"|"sparse"), block, max_inner, direct_fallback, verbose, ...).
    Returns fields x, fun, success, status, message, nit (SciPy's names), multipliers
    (L = f + multipliers . (c - cl)), kkt_residual, constraint_violation,
    inner_iterations, direct_solves, time, method, evaluations. A run that does not
    converge is reported by success False and status; bad input raises ValueError.
    """
    ...

def _minimize_problem(
    problem: Problem, method: str, tol: Optional[float] = None,
    options: Optional[dict[str, Any]] = None, x0: Optional[_Vec] = None,
) -> dict[str, Any]:
    """opal.minimize's native part on a Problem: the named solver ("ipm", "adasketch",
    "newton", "auglag") with tol and options; the fields of opal.OptimizeResult."""
    ...

def _minimize_functions(
    fun: Any, grad: Any, cons: Any, jac: Any, hess: Any,
    x0: _Vec, lower: _Vec, upper: _Vec, cl: _Vec, cu: _Vec,
    method: str, tol: Optional[float] = None, options: Optional[dict[str, Any]] = None,
    callback: Any = None,
) -> dict[str, Any]:
    """opal.minimize's native part on canonical Python functions (see opal._minimize):
    fun(x) -> float, grad(x) -> (n,), cons(x) -> (m,), jac(x) -> (m*n,), hess(x, sigma, y)
    -> (n*n,), callback(x, nit, fun) -> True to stop. An exception raised by one of them is
    re-raised after the solver stopped."""
    ...

def complete_matrix(
    rows: _ArrayLike,
    cols: _ArrayLike,
    values: _ArrayLike,
    shape: tuple[int, int],
    rank: int,
    **options: Any,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], dict[str, Any]]:
    """Low-rank completion of an m x n matrix from entries (rows[k], cols[k]) = values[k].

    Returns U (m, k'), V (n, k') with U @ V.T the completion (k' = rank, or rank + 2 with
    biases=True: the biases folded in) and info (status: "converged" is the only recovery
    claim, else "stalled", "iteration_limit", "time_limit", "interrupted",
    "underdetermined", "numerical_error"; reason: "stagnated", "early_stopped",
    "too_few_entries", "not_recovered" or None; message; recovered; iterations,
    train_rmse, relative_residual, validation_rmse, history, ...).
    Options: max_iter (100), tol (1e-9), stall_tol, patience, seed, mode
    ("practical"|"theory"), lam (ridge), weighted_lambda, biases, validation_fraction,
    recovery_tol, early_stopping, solver ("auto"|"exact"|"cg"|"sketch"), inner_factor,
    inner_tol_max, inner_tol_min, inner_max_iter, sketch_factor, sketch_nnz, power_iters,
    oversampling, incoherence, duplicates ("average"|"error"), time_limit, verbose.
    """
    ...

def solve_mip(
    path: Union[str, os.PathLike[str]],
    time_limit: float = 60.0,
    seed: int = 0,
    config: Union[None, dict[str, Any], str, os.PathLike[str]] = None,
    threads: int = 1,
    solver: str = "balans",
    log: bool = False,
    verbose: bool = False,
) -> Result:
    """Solve the MIP in an MPS/LP file with Balans (ParBalans when threads > 1) or plain
    HiGHS (solver="highs").

    config: None (defaults), a dict or the path of a JSON file, as `opal solve --config`.
    Result fields: status ("optimal", "time_limit", "iteration_limit", "interrupted",
    "infeasible", "unbounded", "numerical_error"), message (the cause in words), success,
    objective, best_bound, gap, time, iterations, lp_bound,
    initial_objective, x (array or None), solution ({column name: value} or None), trace
    ((k, 2) array of (seconds, objective) at each improvement), operators (per-operator
    counters), dropped_operators, warnings (reader warnings), file, solver.
    Ctrl-C returns at once (KeyboardInterrupt); the search thread then ends by its time
    limit in the background.
    """
    ...

def generate_mip(kind: str, path: Union[str, os.PathLike[str]], **params: object) -> Any:
    """Write a random MIP as MPS: kind "knapsack" (items, dims), "setcover" (elements,
    sets, density) or "indset" (nodes, edge_prob), each with seed. Returns the path."""
    ...

def _relu_fit(
    x: _ArrayLike,
    y: _ArrayLike,
    *,
    lam: float,
    n_patterns: int,
    variant: str,
    solver: str,
    seed: int,
    tol: float,
    max_iter: int,
    fit_intercept: bool,
    time_limit: Optional[float] = None,
    verbose: bool = False,
    gates: Optional[_ArrayLike] = None,
    **options: Any,
) -> dict[str, Any]:
    """Convex ReLU training (used by opal.relu's estimators): gates, u, v, w as
    (n_gates, d) arrays, status ("converged", "iteration_limit", "time_limit", "stalled"),
    message (the cause in words), solver, n_iter, objective, cone_violation, ..."""
    ...

def _relu_decision(
    x: _ArrayLike,
    *,
    variant: str,
    fit_intercept: bool,
    gates: _ArrayLike,
    u: _ArrayLike,
    v: _ArrayLike,
    w: _ArrayLike,
) -> _Vec:
    """Outputs of the network recovered from fitted convex weights."""
    ...
