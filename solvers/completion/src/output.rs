//! What a completion returns ([`Completion`]) and what an observer sees after every sweep
//! ([`SweepLog`], with its log columns).

use opal_core::{Column, Format, Record, Status, Value};

/// Which test ended a solve, where one [`opal_core::Status`] has several causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// `Status::Stalled`: the objective stopped decreasing (by `stall_tol` within
    /// `patience` sweeps): a stationary fit, the normal end for noisy or real data; not a
    /// recovery claim.
    Stagnated,
    /// `Status::Stalled`: the held-out RMSE stopped improving; the best iterate is
    /// returned.
    EarlyStopped,
    /// `Status::Underdetermined`: fewer observations than degrees of freedom, or a row or
    /// column with fewer entries than unknowns, with lambda = 0: many rank-k matrices fit,
    /// none can be called recovered.
    TooFewEntries,
    /// `Status::Underdetermined`: the training entries are fit to `tol`, but the fit is not
    /// locally unique (singular regressions at the solution) or does not reach the
    /// held-out entries (`recovery_tol`): not a recovery.
    NotRecovered,
}

impl Reason {
    /// Short lower-case name (for logs, JSON and Python).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Stagnated => "stagnated",
            Reason::EarlyStopped => "early_stopped",
            Reason::TooFewEntries => "too_few_entries",
            Reason::NotRecovered => "not_recovered",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the sweep log, passed to the observer.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepLog {
    /// Sweep number (1-based).
    pub sweep: usize,
    /// RMSE on the training entries.
    pub train_rmse: f64,
    /// ||P(X - M)|| / ||P(M)|| on the training entries.
    pub relative_residual: f64,
    /// Objective: residual sum of squares plus the ridge terms.
    pub objective: f64,
    /// RMSE on the held-out entries, when there are any.
    pub validation_rmse: Option<f64>,
    /// Accuracy requested from the regressions in this sweep.
    pub inner_tol: f64,
    /// Iterations of the regression solvers in this sweep (all rows and columns).
    pub inner_iterations: usize,
    /// Regressions that stopped short of `inner_tol` (iteration cap).
    pub inner_unconverged: usize,
    /// Seconds since the start of the solve.
    pub time: f64,
}

const COLUMNS: [Column; 9] = [
    Column::new("iter", 5, Format::Int),
    Column::new("objective", 14, Format::Sci(6)),
    Column::new("rel_res", 9, Format::Sci(2)),
    Column::new("train_rmse", 10, Format::Sci(3)),
    Column::new("val_rmse", 10, Format::Sci(3)),
    Column::new("inner_tol", 9, Format::Sci(1)),
    Column::new("inner_its", 9, Format::Int),
    Column::new("short", 6, Format::Int),
    Column::new("time", 9, Format::Sci(2)),
];

impl Record for SweepLog {
    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    fn value(&self, i: usize) -> Value {
        match i {
            0 => self.sweep.into(),
            1 => self.objective.into(),
            2 => self.relative_residual.into(),
            3 => self.train_rmse.into(),
            4 => self.validation_rmse.map_or(Value::Empty, Value::Real),
            5 => self.inner_tol.into(),
            6 => self.inner_iterations.into(),
            7 => self.inner_unconverged.into(),
            _ => self.time.into(),
        }
    }
}

/// The completion X = mu + b 1^T + 1 c^T + U V^T (biases zero when not fitted) and how the
/// solve went.
#[derive(Debug, Clone)]
pub struct Completion {
    /// How the solve ended; only `Status::Converged` claims recovery.
    pub status: Status,
    /// Which test ended it, where the status has several causes (`Stalled`,
    /// `Underdetermined`).
    pub reason: Option<Reason>,
    /// The precise cause in words (the information limit, singular regressions at the fit,
    /// the held-out residual, the tolerance reached, ...).
    pub message: String,
    /// Rows m.
    pub nrows: usize,
    /// Columns n.
    pub ncols: usize,
    /// Rank k.
    pub rank: usize,
    /// U, m x k column-major.
    pub u: Vec<f64>,
    /// V, n x k column-major.
    pub v: Vec<f64>,
    /// Global mean mu (0 without biases).
    pub mean: f64,
    /// Row biases b (zeros without biases).
    pub row_bias: Vec<f64>,
    /// Column biases c (zeros without biases).
    pub col_bias: Vec<f64>,
    /// Sweeps run.
    pub iterations: usize,
    /// RMSE on the training entries at the returned factors.
    pub train_rmse: f64,
    /// Relative residual on the training entries at the returned factors.
    pub relative_residual: f64,
    /// RMSE on the held-out entries, when any were held out.
    pub validation_rmse: Option<f64>,
    /// Relative residual on the held-out entries, when any were held out.
    pub validation_relative_residual: Option<f64>,
    /// Training entries used.
    pub observed: usize,
    /// Held-out entries.
    pub held_out: usize,
    /// Input entries merged into others as duplicates.
    pub duplicates_merged: usize,
    /// Degrees of freedom of the model: k (m + n - k), plus m + n - 1 with biases.
    pub degrees_of_freedom: usize,
    /// Rows of the initial U clipped for incoherence.
    pub clipped_rows: usize,
    /// Total regression-solver iterations.
    pub inner_iterations: usize,
    /// Seconds spent in the initialization.
    pub init_time: f64,
    /// Total seconds.
    pub time: f64,
    /// One entry per sweep.
    pub history: Vec<SweepLog>,
}

impl Completion {
    /// True only for `Status::Converged`: the returned completion is claimed to be the
    /// matrix (to the tolerance).
    pub fn recovered(&self) -> bool {
        self.status == Status::Converged
    }

    /// The completed entry X_ij.
    pub fn predict(&self, i: usize, j: usize) -> f64 {
        let (m, n) = (self.nrows, self.ncols);
        self.mean
            + self.row_bias[i]
            + self.col_bias[j]
            + (0..self.rank)
                .map(|c| self.u[i + c * m] * self.v[j + c * n])
                .sum::<f64>()
    }

    /// Factors (U', V') with U' V'^T = X exactly, biases folded in as two extra columns
    /// ([U, b, 1] and [V, 1, c + mu]) when fitted, else (U, V); column-major, and the
    /// number of columns.
    pub fn factors(&self) -> (Vec<f64>, Vec<f64>, usize) {
        let with_bias = self.mean != 0.0
            || self.row_bias.iter().any(|&b| b != 0.0)
            || self.col_bias.iter().any(|&c| c != 0.0);
        if !with_bias {
            return (self.u.clone(), self.v.clone(), self.rank);
        }
        let mut u = self.u.clone();
        u.extend_from_slice(&self.row_bias);
        u.extend(std::iter::repeat_n(1.0, self.nrows));
        let mut v = self.v.clone();
        v.extend(std::iter::repeat_n(1.0, self.ncols));
        v.extend(self.col_bias.iter().map(|c| c + self.mean));
        (u, v, self.rank + 2)
    }
}
