//! The result of an equality-constrained solve: status, solution, counters and time.

use std::time::Duration;

use opal_core::{Budget, Status};

/// Which numerical failure ended a run with [`Status::NumericalError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The constraint Jacobian lost full row rank (smallest eigenvalue of J J^T below the
    /// threshold) and the regularized iterations stopped making progress, or the KKT
    /// matrix could not be factorized.
    SingularJacobian,
    /// The problem returned an error or a non-finite value at an iterate.
    Evaluation,
}

impl Failure {
    /// The snake_case name (`singular_jacobian`, `evaluation_error`), as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::SingularJacobian => "singular_jacobian",
            Failure::Evaluation => "evaluation_error",
        }
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
    /// Why the run stopped: `Converged` (KKT residual at the tolerance), `IterationLimit`,
    /// `TimeLimit`, `Interrupted`, `Stalled` (the line search found no acceptable step,
    /// or the steps stopped moving the point) or `NumericalError` (see `failure`).
    pub status: Status,
    /// For `NumericalError`: which failure.
    pub failure: Option<Failure>,
    /// The precise cause in words (which evaluation failed, the residual reached, ...).
    pub message: String,
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

/// How a run ended: the status, the failure for `NumericalError`, and the message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct End {
    pub status: Status,
    pub failure: Option<Failure>,
    pub message: String,
}

impl End {
    /// A numerical failure.
    pub fn failure(failure: Failure, message: String) -> Self {
        Self {
            status: Status::NumericalError,
            failure: Some(failure),
            message,
        }
    }

    /// An evaluation failure.
    pub fn evaluation(message: String) -> Self {
        Self::failure(Failure::Evaluation, message)
    }

    /// A singular Jacobian or KKT matrix.
    pub fn singular(message: String) -> Self {
        Self::failure(Failure::SingularJacobian, message)
    }

    /// The method stopped making progress.
    pub fn stalled(message: String) -> Self {
        Self {
            status: Status::Stalled,
            failure: None,
            message,
        }
    }

    /// The end for `status` when the loop has no message of its own: the residual reached
    /// for `Converged`, the limit for the budget statuses.
    pub fn with_status(status: Status, kkt: f64, tol: f64, budget: &Budget) -> Self {
        let message = match status {
            Status::Converged => {
                format!("the KKT residual {kkt:.3e} reached the tolerance {tol:.3e}")
            }
            Status::IterationLimit => {
                format!("the iteration limit {} was reached", budget.max_iterations)
            }
            Status::TimeLimit => format!(
                "the time limit of {} s was reached",
                budget.time_limit_secs()
            ),
            Status::Interrupted => "stopped on request (observer or interrupt)".to_string(),
            other => other.as_str().to_string(),
        };
        Self {
            status,
            failure: None,
            message,
        }
    }
}
