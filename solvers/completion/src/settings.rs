//! Options of the completion solver, each with its documented default.

use opal_core::{Budget, SettingError, check_range};
use serde::{Deserialize, Serialize};

/// How the observed entries are used across sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every sweep uses all observed entries (default; what one runs in practice).
    Practical,
    /// The analysis' sample splitting (Jain, Netrapalli, Sanghavi 2013; Gu et al. 2024):
    /// Omega is split at random into 2T+1 disjoint parts (T = `budget.max_iterations`), part 0 for the
    /// initialization and fresh parts for every half-sweep. Needs many more samples.
    Theory,
}

/// The per-row / per-column least-squares solver used in the sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegressionSolver {
    /// Normal equations (k x k Gram matrix) + Cholesky, with iterative refinement on the
    /// residual until the correction is below the requested accuracy: O(|Omega_j| k^2).
    Exact,
    /// Conjugate gradients on the normal equations (CGLS form, Jacobi preconditioner)
    /// warm-started from the previous sweep's value: O(|Omega_j| k) per iteration.
    Cg,
    /// Sketch-and-precondition: sparse sign embedding S (s ~ a few k rows), QR of S A = Q R,
    /// start at the sketched solution R^-1 Q^T S b, then CGLS preconditioned by R.
    Sketch,
    /// Picks per regression from |Omega_j| and k: exact for small k, CG with an iteration
    /// budget and an exact/sketch fallback for large k (see [`RegressionSolver::resolve`];
    /// thresholds from the benchmark `bench/src/bin/completion_sweep.rs`).
    Auto,
}

/// What to do with repeated (row, column) pairs in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duplicates {
    /// Merge them into one observation whose value is their mean (default); the count of
    /// merged entries is reported in the result.
    Average,
    /// Refuse the input with an error naming the first repeated pair.
    Error,
}

/// Settings of [`super::complete`]. Every field has a documented default; builder-style
/// setters are provided; JSON configs give any subset of the fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Target rank k (default 5).
    pub rank: usize,
    /// Sweep limit (one sweep is one V update plus one U update), time limit and stop
    /// request (default 100 sweeps, no time limit).
    pub budget: Budget,
    /// Stop when the relative residual on Omega, ||P(U V^T - M)|| / ||P(M)||, is at most
    /// this (default 1e-9).
    pub tol: f64,
    /// Stagnation: stop when the best objective has not dropped by this relative amount
    /// within `patience` sweeps (default 1e-5).
    pub stall_tol: f64,
    /// Sweeps without improvement tolerated by the stagnation and early-stopping tests
    /// (default 3).
    pub patience: usize,
    /// Random seed: initialization, sketches, validation split (default 0).
    pub seed: u64,
    /// Practical (default) or theory mode with sample splitting.
    pub mode: Mode,
    /// Ridge weight lambda on ||U||^2 + ||V||^2 (and the biases) (default 0). With lambda = 0
    /// the factors are re-orthonormalized every half-sweep, which leaves U V^T unchanged.
    pub lambda: f64,
    /// Scale the ridge of each row and column by its number of observed entries, lambda
    /// |Omega_i| (ALS-WR, Zhou et al. 2008), instead of a uniform lambda (default false).
    pub weighted_lambda: bool,
    /// Fit a global mean plus per-row and per-column biases, as for rating data (default
    /// false): X_ij = mu + b_i + c_j + u_i^T v_j.
    pub biases: bool,
    /// Fraction of the observed entries held out (at random, seeded) to measure a
    /// validation error, for early stopping on real data and to confirm recovery (default 0).
    pub validation_fraction: f64,
    /// With a validation set, a fit to `tol` only counts as recovery when the relative
    /// residual on the held-out entries is at most this (default 1e-4).
    pub recovery_tol: f64,
    /// Stop when the validation RMSE has not improved for `patience` sweeps and return the
    /// best iterate (default true; only with a validation set).
    pub early_stopping: bool,
    /// Regression solver (default [`RegressionSolver::Auto`]).
    pub solver: RegressionSolver,
    /// Inner accuracy: each regression is solved to relative accuracy
    /// `inner_factor * (relative residual of the previous sweep)` (default 1e-2) ...
    pub inner_factor: f64,
    /// ... but never looser than this (default 1e-3) ...
    pub inner_tol_max: f64,
    /// ... nor tighter than this (default 1e-13).
    pub inner_tol_min: f64,
    /// Iteration cap of the iterative regression solvers (default 200).
    pub inner_max_iter: usize,
    /// Sketch size s = ceil(sketch_factor * unknowns) rows (default 6; from the benchmark:
    /// fewer rows cost more iterations than they save in the s x k QR).
    pub sketch_factor: f64,
    /// Nonzeros per column of the sparse sign embedding; 1 is a count sketch (default 2:
    /// as few iterations as 4 or 8 on the benchmark, at a lower sketching cost).
    pub sketch_nnz: usize,
    /// Power iterations of the randomized range finder at initialization (default 4).
    pub power_iters: usize,
    /// Extra columns of the randomized range finder (default 10).
    pub oversampling: usize,
    /// Incoherence mu: rows of the initial U longer than 2 mu sqrt(k/m) are scaled back to
    /// that length before the QR (default 2).
    pub incoherence: f64,
    /// Repeated (row, column) pairs (default [`Duplicates::Average`]).
    pub duplicates: Duplicates,
    /// One log line per sweep on stderr through `opal_core::LogObserver` (default false).
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rank: 5,
            budget: Budget::iterations(DEFAULT_MAX_SWEEPS),
            tol: 1e-9,
            stall_tol: 1e-5,
            patience: 3,
            seed: 0,
            mode: Mode::Practical,
            lambda: 0.0,
            weighted_lambda: false,
            biases: false,
            validation_fraction: 0.0,
            recovery_tol: 1e-4,
            early_stopping: true,
            solver: RegressionSolver::Auto,
            inner_factor: 1e-2,
            inner_tol_max: 1e-3,
            inner_tol_min: 1e-13,
            inner_max_iter: 200,
            sketch_factor: 6.0,
            sketch_nnz: 2,
            power_iters: 4,
            oversampling: 10,
            incoherence: 2.0,
            duplicates: Duplicates::Average,
            verbose: false,
        }
    }
}

/// Sweep limit unless the budget says otherwise.
pub const DEFAULT_MAX_SWEEPS: usize = 100;

impl Settings {
    opal_core::setters! {
        rank: usize,
        budget: Budget,
        tol: f64,
        stall_tol: f64,
        patience: usize,
        seed: u64,
        mode: Mode,
        lambda: f64,
        weighted_lambda: bool,
        biases: bool,
        validation_fraction: f64,
        recovery_tol: f64,
        early_stopping: bool,
        solver: RegressionSolver,
        inner_factor: f64,
        inner_tol_max: f64,
        inner_tol_min: f64,
        inner_max_iter: usize,
        sketch_factor: f64,
        sketch_nnz: usize,
        power_iters: usize,
        oversampling: usize,
        incoherence: f64,
        duplicates: Duplicates,
        verbose: bool,
    }
}

impl Settings {
    /// Checks every field; names the first bad one.
    pub fn validate(&self) -> Result<(), SettingError> {
        let bad = |name: &'static str, detail: &str| {
            Err(SettingError {
                name,
                detail: detail.to_string(),
            })
        };
        const INF: f64 = f64::INFINITY;
        if self.rank == 0 {
            return bad("rank", "must be at least 1");
        }
        if self.budget.max_iterations == 0 {
            return bad("budget.max_iterations", "must be at least 1");
        }
        check_range("tol", self.tol, 0.0, INF, false)?;
        check_range("stall_tol", self.stall_tol, 0.0, INF, false)?;
        check_range("lambda", self.lambda, 0.0, INF, false)?;
        if !(self.validation_fraction.is_finite() && (0.0..0.9).contains(&self.validation_fraction))
        {
            return bad("validation_fraction", "must lie in [0, 0.9)");
        }
        check_range("recovery_tol", self.recovery_tol, 0.0, INF, true)?;
        check_range("inner_factor", self.inner_factor, 0.0, INF, true)?;
        check_range("inner_tol_max", self.inner_tol_max, 0.0, INF, true)?;
        check_range(
            "inner_tol_min",
            self.inner_tol_min,
            0.0,
            self.inner_tol_max,
            true,
        )?;
        if self.inner_max_iter == 0 {
            return bad("inner_max_iter", "must be at least 1");
        }
        check_range("sketch_factor", self.sketch_factor, 1.0, INF, false)?;
        if self.sketch_nnz == 0 {
            return bad("sketch_nnz", "must be at least 1");
        }
        check_range("incoherence", self.incoherence, 0.0, INF, true)?;
        Ok(())
    }
}
