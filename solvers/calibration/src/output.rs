//! What a solve returns ([`Output`], with [`Reason`] beside the shared status) and what an
//! observer sees after each iteration ([`IterationInfo`], with its log columns).

use std::time::Duration;

use opal_core::{Budget, Column, Format, Record, Status, Value};

use super::settings::Method;

/// Which test ended a solve, where one [`Status`] has several causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// [`Status::Converged`]: the relative residual reached `tol_residual` (the data are
    /// fitted).
    ResidualTolerance,
    /// [`Status::Converged`]: the relative change of the iterates fell below `tol_step`
    /// (noisy data: the iterates have settled).
    StepTolerance,
    /// [`Status::Converged`]: the linear method found a unique solution with positive gains.
    Solved,
    /// [`Status::NumericalError`]: the linear method found a solution with some
    /// s_i = 1/d_i <= 0 (too much noise).
    NonPositiveGains,
    /// [`Status::NumericalError`]: the objective became non-finite (a fixed step too large).
    Diverged,
}

impl Reason {
    /// The snake_case name (`residual_tolerance`, ...), as in JSON and Python.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ResidualTolerance => "residual_tolerance",
            Reason::StepTolerance => "step_tolerance",
            Reason::Solved => "solved",
            Reason::NonPositiveGains => "non_positive_gains",
            Reason::Diverged => "diverged",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The estimate and how it was obtained.
#[derive(Debug, Clone)]
pub struct Output {
    /// How the solve ended: [`Status::Converged`] (see `reason`), [`Status::Underdetermined`]
    /// (linear method: a null space of more than one dimension),
    /// [`Status::NumericalError`] (see `reason`), or a budget status.
    pub status: Status,
    /// Which test ended the solve, when the status has several causes.
    pub reason: Option<Reason>,
    /// The precise cause, in words.
    pub message: String,
    /// Which algorithm ran.
    pub method: Method,
    /// Signal estimate (length n).
    pub x: Vec<f64>,
    /// Gain estimate (length m), mean 1.
    pub d: Vec<f64>,
    /// Signal coefficients z with x = Z z (signal basis given).
    pub z: Option<Vec<f64>>,
    /// Gain coefficients b with d = B b (gain basis given).
    pub b: Option<Vec<f64>>,
    /// Iterations of projected gradient descent (0 for the linear method).
    pub iterations: usize,
    /// f(x, d) = (1/(2 m p)) sum_l ||diag(d) A_l x - y_l||^2, recomputed at the end.
    pub objective: f64,
    /// ||diag(d) A x - y|| / ||y||.
    pub relative_residual: f64,
    /// Number of applications of some A_l or A_l^T.
    pub operator_applications: usize,
    /// Wall-clock time of the solve.
    pub time: Duration,
}

/// What the observer sees after each iteration of projected gradient descent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IterationInfo {
    /// Iteration number (1-based).
    pub iteration: usize,
    /// Objective f at the new iterate.
    pub objective: f64,
    /// ||diag(gamma) A xi - y|| / ||y||.
    pub relative_residual: f64,
    /// Step length taken along -grad_xi.
    pub step_signal: f64,
    /// Step length taken along -grad_gamma (before projection).
    pub step_gain: f64,
    /// max(||dxi||/||xi||, ||dgamma||/||gamma||).
    pub relative_change: f64,
}

const COLUMNS: [Column; 6] = [
    Column::new("iter", 5, Format::Int),
    Column::new("objective", 14, Format::Sci(6)),
    Column::new("rel_res", 9, Format::Sci(2)),
    Column::new("step_x", 9, Format::Sci(2)),
    Column::new("step_d", 9, Format::Sci(2)),
    Column::new("change", 9, Format::Sci(2)),
];

impl Record for IterationInfo {
    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    fn value(&self, i: usize) -> Value {
        match i {
            0 => self.iteration.into(),
            1 => self.objective.into(),
            2 => self.relative_residual.into(),
            3 => self.step_signal.into(),
            4 => self.step_gain.into(),
            _ => self.relative_change.into(),
        }
    }
}

/// The message of a run that a budget or a stop request ended (or of an unexpected status).
pub(crate) fn budget_message(status: Status, budget: &Budget, iterations: usize) -> String {
    match status {
        Status::IterationLimit => format!("the iteration limit {iterations} was reached"),
        Status::TimeLimit => format!(
            "the time limit of {} s was reached after {iterations} iterations",
            budget.time_limit_secs()
        ),
        Status::Interrupted => format!("stopped on request after {iterations} iterations"),
        other => format!("{other} after {iterations} iterations"),
    }
}
