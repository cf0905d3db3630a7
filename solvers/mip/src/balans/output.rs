//! What a Balans, ParBalans or plain-HiGHS run returns, and its errors.

use opal_core::{SettingError, Status};

use crate::highs::HighsError;

/// Counters of one operator (arm).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorStats {
    /// Label, e.g. `rins(0.4)`.
    pub name: String,
    /// Times chosen.
    pub calls: usize,
    /// New global bests found.
    pub improvements: usize,
    /// Better than the current solution, not a new best. Always 0 under hill climbing
    /// (the default acceptance), where the current solution is the best one: a candidate
    /// is then a new best, as good (accepted) or worse (rejected).
    pub better: usize,
    /// Accepted by the acceptance rule without improving.
    pub accepted: usize,
    /// Sub-MIPs that returned no solution.
    pub no_solution: usize,
    /// Sub-MIPs proven infeasible.
    pub infeasible: usize,
    /// Wall-clock seconds spent.
    pub time_s: f64,
}

impl OperatorStats {
    /// Zero counters for the operator labelled `name`.
    pub fn new(name: String) -> Self {
        Self {
            name,
            calls: 0,
            improvements: 0,
            better: 0,
            accepted: 0,
            no_solution: 0,
            infeasible: 0,
            time_s: 0.0,
        }
    }

    /// Adds another worker's counters of the same operator.
    pub fn add(&mut self, o: &OperatorStats) {
        self.calls += o.calls;
        self.improvements += o.improvements;
        self.better += o.better;
        self.accepted += o.accepted;
        self.no_solution += o.no_solution;
        self.infeasible += o.infeasible;
        self.time_s += o.time_s;
    }
}

/// Result of Balans, ParBalans or the plain-HiGHS baseline (objective values in the
/// model's sense).
#[derive(Debug, Clone)]
pub struct Output {
    /// How the run ended: `Optimal` (proven within the gap tolerances), `TimeLimit`,
    /// `IterationLimit`, `Interrupted`, `Infeasible`, `Unbounded` or `NumericalError` (HiGHS
    /// ended with an error status).
    pub status: Status,
    /// The precise cause, in words.
    pub message: String,
    /// Best objective found.
    pub objective: Option<f64>,
    /// Best proven bound on the optimum (LP relaxation, initial MIP solve).
    pub best_bound: Option<f64>,
    /// Relative gap |objective - bound| / max(|objective|, 1e-9).
    pub gap: Option<f64>,
    /// Wall-clock seconds.
    pub time_s: f64,
    /// (seconds, objective) at each improvement.
    pub trace: Vec<(f64, f64)>,
    /// Per-operator counters.
    pub operators: Vec<OperatorStats>,
    /// Operators dropped as inapplicable, with the reason.
    pub dropped: Vec<(String, String)>,
    /// Best solution found (column values).
    pub solution: Option<Vec<f64>>,
    /// Column names of the model.
    pub col_names: Vec<String>,
    /// Destroy/repair iterations (all workers).
    pub iterations: usize,
    /// Objective of the LP relaxation.
    pub lp_bound: Option<f64>,
    /// Objective of the initial solution.
    pub initial_objective: Option<f64>,
}

/// Errors of Balans.
#[derive(Debug, thiserror::Error)]
pub enum BalansError {
    /// A HiGHS call failed.
    #[error(transparent)]
    Highs(#[from] HighsError),
    /// The configuration or a setting is out of range.
    #[error("configuration: {0}")]
    Config(#[from] SettingError),
    /// The model or settings are unusable (NaN, lengths, no worker configuration).
    #[error("{0}")]
    Invalid(String),
}
