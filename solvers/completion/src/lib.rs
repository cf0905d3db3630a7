//! Low-rank matrix completion by robust alternating minimization with fast approximate
//! regression solves (Gu, Song, Yin, Zhang, ICLR 2024; alternating minimization of Jain,
//! Netrapalli, Sanghavi 2013). Spec: `shared/specs/completion-calibration.md`, part A.
//!
//! Given observed entries Omega of an m x n matrix, find U (m x k), V (n x k) with U V^T
//! matching M on Omega: a randomized top-k SVD of (1/p) P_Omega(M) with incoherence
//! clipping starts the iteration; every sweep solves all column regressions given U and
//! all row regressions given V, in parallel, with an exact, CG or sketch-and-precondition
//! least-squares solver ([`RegressionSolver`]) to an accuracy tied to the current residual.
//!
//! Input: [`Triplets`](opal_problems::triplets::Triplets) (0-based rows,
//! columns, values and the shape). Indices outside the shape and non-finite values are
//! refused; repeated positions are averaged (or refused, [`Duplicates`]); empty rows and
//! columns are allowed (their factor rows come out zero, their biases shrink to zero) but
//! make exact recovery impossible, which the status says.
//!
//! Status: only [`Status::Converged`] claims recovery. Below the information limit
//! (|Omega| < k (m + n - k), or a row or column with fewer than k entries) the status is
//! [`Status::Underdetermined`] whatever the fit; with a held-out set, a fit whose held-out
//! residual exceeds `recovery_tol` is [`Status::NotRecovered`].

mod data;
mod dense;
mod init;
pub mod regression;
mod rng;
mod settings;
mod solve;

pub use regression::{LsqProblem, RegressionOptions, RegressionStats, RegressionWorkspace};
pub use settings::{Duplicates, Mode, RegressionSolver, Settings};
pub use solve::{Completion, SweepLog, complete, complete_with_observer};

/// Why the solve stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The relative residual on Omega reached `tol` (and, with a held-out set, the held-out
    /// residual is within `recovery_tol`): the matrix is recovered.
    Converged,
    /// The objective stopped decreasing (by `stall_tol` within `patience` sweeps): a
    /// stationary fit, the normal end for noisy or real data; not a recovery claim.
    Stagnated,
    /// The held-out RMSE stopped improving; the best iterate is returned.
    EarlyStopped,
    /// `max_iter` sweeps ran without meeting a stopping test.
    MaxIterations,
    /// The time limit was reached.
    TimeLimit,
    /// Fewer observations than degrees of freedom (or a row/column with fewer entries than
    /// unknowns) with lambda = 0: many rank-k matrices fit, none can be called recovered.
    Underdetermined,
    /// The training entries are fit to `tol` but the held-out entries are not: the fit does
    /// not generalize, so it is not a recovery.
    NotRecovered,
    /// The residual became NaN or infinite.
    Diverged,
    /// The observer asked to stop.
    Interrupted,
}

impl Status {
    /// Short lower-case name (for logs and JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::Stagnated => "stagnated",
            Status::EarlyStopped => "early_stopped",
            Status::MaxIterations => "max_iterations",
            Status::TimeLimit => "time_limit",
            Status::Underdetermined => "underdetermined",
            Status::NotRecovered => "not_recovered",
            Status::Diverged => "diverged",
            Status::Interrupted => "interrupted",
        }
    }

    /// True only for [`Status::Converged`]: the returned completion is claimed to be the
    /// matrix (to the tolerance).
    pub fn recovered(self) -> bool {
        self == Status::Converged
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors of the completion solver: bad input or settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompletionError {
    /// The observed entries are unusable (says which entry and why).
    #[error("invalid completion data: {0}")]
    Data(String),
    /// A setting is out of range.
    #[error("invalid setting {name}: {message}")]
    Setting {
        /// The field.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
}

#[cfg(test)]
mod tests;
