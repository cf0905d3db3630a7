//! Options of the completion solver, each with its documented default.

/// How the observed entries are used across sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every sweep uses all observed entries (default; what one runs in practice).
    Practical,
    /// The analysis' sample splitting (Jain, Netrapalli, Sanghavi 2013; Gu et al. 2024):
    /// Omega is split at random into 2T+1 disjoint parts (T = `max_iter`), part 0 for the
    /// initialization and fresh parts for every half-sweep. Needs many more samples.
    Theory,
}

/// The per-row / per-column least-squares solver used in the sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    /// Merge them into one observation whose value is their mean (default); the count of
    /// merged entries is reported in the result.
    Average,
    /// Refuse the input with an error naming the first repeated pair.
    Error,
}

/// Settings of [`super::complete`]. Every field has a documented default; builder-style
/// setters are provided.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Target rank k (default 5).
    pub rank: usize,
    /// Maximum number of sweeps (one V update plus one U update) (default 100).
    pub max_iter: usize,
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
    /// Wall-clock limit in seconds (default none).
    pub time_limit: Option<f64>,
    /// One log line per sweep on stderr (default false).
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rank: 5,
            max_iter: 100,
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
            time_limit: None,
            verbose: false,
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        impl Settings {
            $($(#[$doc])* pub fn $name(mut self, value: $ty) -> Self { self.$name = value; self })*
        }
    };
}

setters! {
    /// Sets the rank k.
    rank: usize,
    /// Sets the maximum number of sweeps.
    max_iter: usize,
    /// Sets the relative-residual tolerance.
    tol: f64,
    /// Sets the stagnation tolerance.
    stall_tol: f64,
    /// Sets the patience (sweeps).
    patience: usize,
    /// Sets the seed.
    seed: u64,
    /// Sets the mode.
    mode: Mode,
    /// Sets the ridge weight.
    lambda: f64,
    /// Turns the count-weighted ridge on or off.
    weighted_lambda: bool,
    /// Turns the bias terms on or off.
    biases: bool,
    /// Sets the held-out fraction.
    validation_fraction: f64,
    /// Sets the held-out tolerance for declaring recovery.
    recovery_tol: f64,
    /// Turns early stopping on the validation set on or off.
    early_stopping: bool,
    /// Sets the regression solver.
    solver: RegressionSolver,
    /// Sets the inner accuracy factor.
    inner_factor: f64,
    /// Sets the loosest inner accuracy.
    inner_tol_max: f64,
    /// Sets the tightest inner accuracy.
    inner_tol_min: f64,
    /// Sets the iteration cap of iterative regression solvers.
    inner_max_iter: usize,
    /// Sets the sketch size factor.
    sketch_factor: f64,
    /// Sets the nonzeros per column of the sketch.
    sketch_nnz: usize,
    /// Sets the power iterations of the initialization.
    power_iters: usize,
    /// Sets the range-finder oversampling.
    oversampling: usize,
    /// Sets the incoherence parameter mu.
    incoherence: f64,
    /// Sets the duplicate policy.
    duplicates: Duplicates,
    /// Sets the time limit in seconds.
    time_limit: Option<f64>,
    /// Turns the per-sweep log on or off.
    verbose: bool,
}

impl Settings {
    /// Checks every field; names the first bad one.
    pub fn validate(&self) -> Result<(), super::CompletionError> {
        let bad = |name: &'static str, msg: &str| {
            Err(super::CompletionError::Setting {
                name,
                message: msg.to_string(),
            })
        };
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if self.rank == 0 {
            return bad("rank", "must be at least 1");
        }
        if self.max_iter == 0 {
            return bad("max_iter", "must be at least 1");
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return bad("tol", "must be finite and non-negative");
        }
        if !(self.stall_tol.is_finite() && self.stall_tol >= 0.0) {
            return bad("stall_tol", "must be finite and non-negative");
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return bad("lambda", "must be finite and non-negative");
        }
        if !(self.validation_fraction.is_finite() && (0.0..0.9).contains(&self.validation_fraction))
        {
            return bad("validation_fraction", "must lie in [0, 0.9)");
        }
        if !pos(self.recovery_tol) {
            return bad("recovery_tol", "must be positive");
        }
        if !pos(self.inner_factor) || !pos(self.inner_tol_max) || !pos(self.inner_tol_min) {
            return bad("inner_factor", "inner tolerances must be positive");
        }
        if self.inner_tol_min > self.inner_tol_max {
            return bad("inner_tol_min", "must not exceed inner_tol_max");
        }
        if self.inner_max_iter == 0 {
            return bad("inner_max_iter", "must be at least 1");
        }
        if !(self.sketch_factor.is_finite() && self.sketch_factor >= 1.0) {
            return bad("sketch_factor", "must be at least 1");
        }
        if self.sketch_nnz == 0 {
            return bad("sketch_nnz", "must be at least 1");
        }
        if !pos(self.incoherence) {
            return bad("incoherence", "must be positive");
        }
        if self.time_limit.is_some_and(|t| t.is_nan() || t < 0.0) {
            return bad("time_limit", "must be non-negative");
        }
        Ok(())
    }
}
