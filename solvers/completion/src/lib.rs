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
//! Runs follow opal's protocol (`opal_core`): the settings hold a
//! [`Budget`](opal_core::Budget) (sweep limit, time limit, stop request),
//! [`complete_observed`] takes an [`Observer`](opal_core::Observer) of [`SweepLog`] (the
//! `verbose` log is `opal_core::LogObserver`), and the result carries an
//! [`opal_core::Status`] with a [`Reason`] where one status has several causes and a
//! `message` in words.
//!
//! Status: only `Status::Converged` claims recovery ([`Completion::recovered`]). Below the
//! information limit (|Omega| < k (m + n - k), or a row or column with fewer than k
//! entries) the status is `Status::Underdetermined` ([`Reason::TooFewEntries`]) whatever
//! the fit; a fit of the training entries that is not locally unique, or whose held-out
//! residual exceeds `recovery_tol`, is `Status::Underdetermined` too
//! ([`Reason::NotRecovered`]). A run that stops improving is `Status::Stalled`
//! ([`Reason::Stagnated`] on the objective, [`Reason::EarlyStopped`] on the held-out RMSE);
//! a non-finite residual is `Status::NumericalError`.
//!
//! ```
//! use opal_completion::{Settings, complete};
//! let inst = opal_problems::generators::completion::low_rank(60, 50, 2, 900, 0.0, 1).unwrap();
//! let fit = complete(&inst.observed, &Settings::default().rank(2)).unwrap();
//! assert!(fit.recovered(), "{}", fit.message);
//! assert!(inst.relative_error_entrywise(&fit.u, &fit.v, fit.rank) < 1e-6);
//! ```

#![deny(missing_docs)]

pub mod blocks;
mod data;
mod dense;
mod error;
mod init;
mod model;
mod output;
pub mod regression;
mod rng;
mod settings;
mod solve;
mod sweep;

pub use error::CompletionError;
pub use output::{Completion, Reason, SweepLog};
pub use regression::{LsqProblem, RegressionOptions, RegressionStats, RegressionWorkspace};
pub use settings::{DEFAULT_MAX_SWEEPS, Duplicates, Mode, RegressionSolver, Settings};
pub use solve::{complete, complete_observed};

#[cfg(test)]
mod tests;
