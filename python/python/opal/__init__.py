"""opal: optimization solvers written in Rust.

Problems
--------
``opal.load_sif(path, **params)`` decodes a CUTEst SIF file (keyword arguments override
its ``$-PARAMETER``\ s, e.g. ``N=1000``); ``opal.problem(name, **params)`` builds a built-in problem (``"pde"`` with ``N``,
``"logreg"`` with ``path``, ``rows``, ``seed``). A :class:`Problem` exposes sizes, names,
bounds and start point, and evaluation callbacks taking and returning numpy arrays:
``objective``, ``gradient``, ``constraints``, ``jacobian`` (scipy.sparse CSR),
``hessian_lagrangian`` (scipy.sparse CSR, lower triangle unless ``full=True``) and
``hessian_lagrangian_vector``. These are enough to hand a problem to
``scipy.optimize.minimize`` or cyipopt.

Solvers
-------
``minimize(fun, x0, args=(), method=None, jac=None, hess=None, hessp=None, bounds=None,
constraints=(), tol=None, callback=None, options=None)``: SciPy's ``minimize`` convention on
the user's own functions (dict, ``NonlinearConstraint`` and ``LinearConstraint``
constraints, ``Bounds`` or pairs), solved by the interior point when there are bounds or
inequalities and by sketched Newton otherwise; returns an :class:`OptimizeResult`.
``minimize(problem_or_sif_path, method=None, tol=None, **options)`` solves an
:class:`Problem` the same way (an equality solver's result is a :class:`Result` with
``multipliers``, ``kkt_residual``, ``constraint_violation``, ``inner_iterations``, ``time``).
``calibrate_gains(A, Y, rho=0.5, Z=None, B=None, **options) -> (x, d, info)``: blind gain
calibration (Cambareri and Jacques). ``complete_matrix(rows, cols, values, shape, rank,
**options) -> (U, V, info)``: low-rank matrix completion (robust alternating minimization).
``solve_mip(path, time_limit=60, seed=0, config=None, threads=1, solver="balans")``:
Balans adaptive large-neighbourhood search over HiGHS on an MPS/LP file (or plain HiGHS with
``solver="highs"``), returning a :class:`Result` (a dict with attribute access: objective,
x, solution by column name, status, trace, operators, ...). ``milp(c, integrality=, bounds=, constraints=, options=)``: a MIP built in memory, in
``scipy.optimize.milp``'s convention (HiGHS, or Balans with ``options={"method": "balans"}``).
``generate_mip(kind, path,
**params)`` writes a random knapsack/setcover/indset MIP as MPS.
``ConvexReLUClassifier`` / ``ConvexReLURegressor`` (module ``opal.relu``): two-layer ReLU
networks trained by convex optimization, as scikit-learn estimators.
Long solves release the GIL and stop with ``KeyboardInterrupt`` on Ctrl-C.

Errors: ``ValueError`` for bad input (wrong lengths, unknown parameters),
``OSError`` for unreadable files, :class:`EvaluationError` (a ``ValueError``) when a
function cannot be evaluated at a point, :class:`SolverError` when a solver fails.
"""

from . import _args, _opal

_args.name_arguments(_opal)

from ._opal import (
    EvaluationError,
    Problem,
    SolverError,
    __version__,
    calibrate_gains,
    complete_matrix,
    generate_mip,
    load_sif,
    problem,
    solve_mip,
)
from ._milp import milp
from ._minimize import OptimizeResult, minimize
from ._result import Result
from .relu import ConvexReLUClassifier, ConvexReLURegressor

__all__ = [
    "ConvexReLUClassifier",
    "ConvexReLURegressor",
    "EvaluationError",
    "Problem",
    "Result",
    "SolverError",
    "__version__",
    "calibrate_gains",
    "complete_matrix",
    "generate_mip",
    "load_sif",
    "milp",
    "minimize",
    "OptimizeResult",
    "problem",
    "solve_mip",
]
