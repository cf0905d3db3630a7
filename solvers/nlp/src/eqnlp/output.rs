//! The result of an equality-constrained solve: status, solution, counters and time.

use std::fmt;
use std::time::Duration;

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The KKT residual ||(grad_x L, c)||_2 reached the tolerance.
    Converged,
    /// The outer iteration limit was reached.
    IterationLimit,
    /// The time limit was reached.
    TimeLimit,
    /// The constraint Jacobian lost full row rank (smallest eigenvalue of J J^T below the
    /// threshold) or the KKT matrix could not be factorized.
    SingularJacobian,
    /// No step along the search direction (nor along steepest descent of the merit)
    /// decreased the merit function down to the minimum step.
    LineSearchFailure,
    /// The problem returned an error or a non-finite value at an iterate.
    EvaluationError,
    /// The observer asked to stop (e.g. Ctrl-C in the Python bindings).
    Interrupted,
}

impl Status {
    /// Machine-readable name (`converged`, `iteration_limit`, ...), as in `--json` output.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::IterationLimit => "iteration_limit",
            Status::TimeLimit => "time_limit",
            Status::SingularJacobian => "singular_jacobian",
            Status::LineSearchFailure => "line_search_failure",
            Status::EvaluationError => "evaluation_error",
            Status::Interrupted => "interrupted",
        }
    }

    /// True for [`Status::Converged`].
    pub fn is_converged(&self) -> bool {
        *self == Status::Converged
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often each part of the problem was evaluated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluations {
    /// f(x).
    pub objective: usize,
    /// grad f(x).
    pub gradient: usize,
    /// c(x).
    pub constraints: usize,
    /// J(x).
    pub jacobian: usize,
    /// Hessian of the Lagrangian (values).
    pub hessian: usize,
}

/// What a run returns.
#[derive(Debug, Clone)]
pub struct Output {
    /// Solver name (`adasketch`, `newton`, `auglag`).
    pub solver: &'static str,
    /// Why the run stopped.
    pub status: Status,
    /// Details for statuses other than `Converged` (which evaluation failed, ...).
    pub message: Option<String>,
    /// Final point.
    pub x: Vec<f64>,
    /// Final multipliers (L = f + lambda^T (c - cl)).
    pub lambda: Vec<f64>,
    /// f(x).
    pub objective: f64,
    /// ||c(x) - cl||_2.
    pub constraint_norm: f64,
    /// max_i |c_i(x) - cl_i|.
    pub constraint_violation: f64,
    /// ||grad_x L(x, lambda)||_2.
    pub lagrangian_gradient_norm: f64,
    /// KKT residual ||(grad_x L, c - cl)||_2.
    pub kkt_residual: f64,
    /// KKT residual at the start point.
    pub initial_kkt_residual: f64,
    /// Outer iterations (steps taken).
    pub iterations: usize,
    /// Total inner iterations (sketch projections for adasketch, Newton steps on the
    /// augmented Lagrangian for auglag, 0 for newton).
    pub inner_iterations: usize,
    /// Number of direct sparse KKT solves (every iteration of `newton`; the fallbacks of
    /// `adasketch`).
    pub direct_solves: usize,
    /// Evaluation counts.
    pub evaluations: Evaluations,
    /// Final merit penalties (eta1, eta2) of the exact augmented Lagrangian (for auglag:
    /// the final penalty mu and 0).
    pub eta1: f64,
    /// See `eta1`.
    pub eta2: f64,
    /// Wall-clock time of the run.
    pub time: Duration,
}
