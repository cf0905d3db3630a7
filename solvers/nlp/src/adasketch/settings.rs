//! Settings of the sketched inexact Newton method (defaults from the paper's reference code).

use super::sketch::{Sampling, SketchKind};
use crate::eqnlp::params::{parse, parse_bool, parse_seconds};
use crate::eqnlp::{HessianModification, MultiplierInit, NlpError, check_setting};
use opal_core::setters;

/// Settings of [`super::solve`]. Every field has a documented default; build with
/// `Settings::default().tol(1e-8).sketch(SketchKind::Gaussian)` etc.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Relative KKT tolerance: converged when ||(grad_x L, c)|| <= tol * max(1, r0).
    /// Default 1e-6.
    pub tol: f64,
    /// Absolute KKT tolerance: also converged when ||(grad_x L, c)|| <= abs_tol.
    /// Default 0 (off).
    pub abs_tol: f64,
    /// Maximum outer iterations. Default 10_000.
    pub max_iter: usize,
    /// Wall-clock limit in seconds. Default infinity.
    pub time_limit: f64,
    /// Seed of the sketches (runs are deterministic per seed). Default 0.
    pub seed: u64,
    /// Initial penalty eta1 on ||c||^2 in the merit. Default 1.0.
    pub eta1: f64,
    /// Initial penalty eta2 on ||grad_x L||^2 in the merit. Default 0.1.
    pub eta2: f64,
    /// Initial accuracy parameter delta. Default 0.1.
    pub delta: f64,
    /// Lower bound of delta at the start of each iteration. Default 1e-6.
    pub delta_min: f64,
    /// Curvature constant xi_B of the Hessian modification and of psi. Default 0.1.
    pub xi_b: f64,
    /// Armijo constant beta (must be < 0.5). Default 0.1.
    pub beta: f64,
    /// Penalty update factor nu: eta1 <- nu^2 eta1, eta2 <- eta2 / nu, delta <- delta / nu^4.
    /// Default 1.5.
    pub nu: f64,
    /// Penalty adaptation stops once eta1 exceeds this. Default 1e8.
    pub eta1_max: f64,
    /// Penalty adaptation stops once eta2 falls below this. Default 1e-8.
    pub eta2_min: f64,
    /// Superlinear schedule theta_k = min(1, r_k) in the accuracy condition (default
    /// theta = 1). Default false.
    pub superlinear: bool,
    /// Sketch of the inner solver. Default Kaczmarz.
    pub sketch: SketchKind,
    /// Row sampling of Kaczmarz / sparse sign sketches. Default squared norm.
    pub sampling: Sampling,
    /// Sketch size s (block). `None`: 1 for Gaussian and Kaczmarz, 8 for sparse sign.
    pub block_size: Option<usize>,
    /// Rows combined per sparse sign sketch column. Default 2.
    pub column_nnz: usize,
    /// Inner iteration cap per outer iteration, after which the direct fallback (if on)
    /// takes over. `None` (default): 20 sweeps' worth of projections over the n + m KKT
    /// rows, 20 (n + m) / s for block size s, within [1,000, 1,000,000]; a sketch that has
    /// not reached its target by then is rarely worth more than one sparse factorization.
    pub max_inner: Option<usize>,
    /// Symmetric Ruiz equilibration of K before sketching. Default true.
    pub equilibrate: bool,
    /// Round-off floor: the inner solve counts as accurate once ||K d - b|| <=
    /// residual_floor * (||K||_F ||d|| + ||b||), below which the reference accuracy
    /// condition cannot be met in floating point. Default 1e-12.
    pub residual_floor: f64,
    /// With `direct_fallback`, stop an inner solve early when its observed convergence
    /// rate predicts that even `fallback_residual` needs more than 4x the cap. Default true.
    pub stall_detection: bool,
    /// When the sketch misses the accuracy condition within the cap and its direction is
    /// not usable (relative residual above `fallback_residual`, or no sufficient descent),
    /// solve that iteration's KKT system directly (sparse LU). Counted in
    /// `Output::direct_solves`. Without it, such directions go through the penalty
    /// adaptation as in the paper. Default true.
    pub direct_fallback: bool,
    /// A capped sketch direction is used when ||K d - b|| <= fallback_residual ||b|| and it
    /// gives sufficient descent. Default 0.1.
    pub fallback_residual: f64,
    /// Warm start of the inner solve at (1 - alpha_prev) d_prev (exact for QPs, where the
    /// new Newton direction is exactly that); otherwise at 0. Default true.
    pub warm_start: bool,
    /// Hessian modification. Default minimal shift.
    pub hessian_modification: HessianModification,
    /// The reduced Hessian Z^T H Z counts as sufficiently positive definite when its
    /// smallest eigenvalue is at least pd_margin (and at least 1e-8 max(1, ||H||_F));
    /// otherwise B = H + t I is shifted up to that bound (xi_b gives the bound the theory
    /// assumes, at the price of slow convergence on degenerate problems). Default 0.
    pub pd_margin: f64,
    /// Problems with n <= dense_limit are analysed with dense eigenvalues / SVD.
    /// Default 500.
    pub dense_limit: usize,
    /// J is singular when sigma_min(J) <= singular_tol * sigma_max(J). Default 1e-10.
    pub singular_tol: f64,
    /// Consecutive iterations with a singular Jacobian tolerated before stopping with
    /// `SingularJacobian`, unless the KKT residual halved meanwhile (then another round
    /// starts); the (2,2) block is -r I with r = max(jacobian_regularization, min(||c||, 1))
    /// while J is singular. Transient rank deficiency (J = 0 at a symmetric start point) and
    /// LICQ failing only at the solution are survived; a rank deficiency that stalls the
    /// iteration (e.g. inconsistent duplicated constraints) is reported. 0 reports any
    /// singular J at once. Default 3.
    pub singular_patience: usize,
    /// Smallest regularization of the (2,2) block while J is singular. Default 1e-8.
    pub jacobian_regularization: f64,
    /// Gradient-based scaling of f and of each constraint at x0 (factors min(1, 100 /
    /// max gradient entry), as IPOPT does); results and the convergence test stay in terms
    /// of the original problem. Default true.
    pub scaling: bool,
    /// Start multipliers. Default `Auto` (the problem's y0, else zero).
    pub multiplier_init: MultiplierInit,
    /// The line search fails once alpha ||d||_inf < alpha_min max(1, ||(x, lambda)||_inf)
    /// (a minimum step relative to the point). Default 1e-14.
    pub alpha_min: f64,
    /// A full Newton step that the merit rejects is still taken when it reduces the KKT
    /// residual below residual_accept times the best residual so far (a watchdog against
    /// the Maratos effect of large eta1; at most log(r0/tol)/log(1/residual_accept) such
    /// steps). 0 disables it. Default 0.5.
    pub residual_accept: f64,
    /// Print one line per iteration to stderr. Default false.
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tol: 1e-6,
            abs_tol: 0.0,
            max_iter: 10_000,
            time_limit: f64::INFINITY,
            seed: 0,
            eta1: 1.0,
            eta2: 0.1,
            delta: 0.1,
            delta_min: 1e-6,
            xi_b: 0.1,
            beta: 0.1,
            nu: 1.5,
            eta1_max: 1e8,
            eta2_min: 1e-8,
            superlinear: false,
            sketch: SketchKind::Kaczmarz,
            sampling: Sampling::SquaredNorm,
            block_size: None,
            column_nnz: 2,
            max_inner: None,
            equilibrate: true,
            residual_floor: 1e-12,
            stall_detection: true,
            direct_fallback: true,
            fallback_residual: 0.1,
            warm_start: true,
            hessian_modification: HessianModification::Minimal,
            pd_margin: 0.0,
            dense_limit: 500,
            singular_tol: 1e-10,
            singular_patience: 3,
            jacobian_regularization: 1e-8,
            scaling: true,
            multiplier_init: MultiplierInit::Auto,
            alpha_min: 1e-14,
            residual_accept: 0.5,
            verbose: false,
        }
    }
}

impl Settings {
    setters!(
        tol: f64, abs_tol: f64, max_iter: usize, time_limit: f64, seed: u64, eta1: f64,
        eta2: f64, delta: f64, delta_min: f64, xi_b: f64, beta: f64, nu: f64, eta1_max: f64,
        eta2_min: f64, superlinear: bool, sketch: SketchKind, sampling: Sampling,
        block_size: Option<usize>, column_nnz: usize, max_inner: Option<usize>, equilibrate: bool,
        residual_floor: f64, stall_detection: bool, direct_fallback: bool, fallback_residual: f64, warm_start: bool,
        hessian_modification: HessianModification, pd_margin: f64, dense_limit: usize, singular_tol: f64,
        singular_patience: usize, jacobian_regularization: f64,
        scaling: bool, multiplier_init: MultiplierInit, alpha_min: f64, residual_accept: f64, verbose: bool,
    );

    /// The sketch size in effect.
    pub fn effective_block(&self) -> usize {
        self.block_size.unwrap_or(match self.sketch {
            SketchKind::SparseSign => 8,
            _ => 1,
        })
    }

    /// Sets a parameter by name from text (the CLI's `--param NAME=VALUE`). Returns
    /// Ok(false) when `name` is not a setting of this solver.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "tol" => self.tol = parse(name, value)?,
            "abs_tol" => self.abs_tol = parse(name, value)?,
            "max_iter" => self.max_iter = parse(name, value)?,
            "time_limit" => self.time_limit = parse_seconds(name, value)?,
            "seed" => self.seed = parse(name, value)?,
            "eta1" => self.eta1 = parse(name, value)?,
            "eta2" => self.eta2 = parse(name, value)?,
            "delta" => self.delta = parse(name, value)?,
            "delta_min" => self.delta_min = parse(name, value)?,
            "xi_b" => self.xi_b = parse(name, value)?,
            "beta" => self.beta = parse(name, value)?,
            "nu" => self.nu = parse(name, value)?,
            "eta1_max" => self.eta1_max = parse(name, value)?,
            "eta2_min" => self.eta2_min = parse(name, value)?,
            "superlinear" => self.superlinear = parse_bool(name, value)?,
            "sketch" => self.sketch = parse(name, value)?,
            "sampling" => self.sampling = parse(name, value)?,
            "block" | "block_size" => self.block_size = Some(parse(name, value)?),
            "column_nnz" => self.column_nnz = parse(name, value)?,
            "max_inner" => self.max_inner = Some(parse(name, value)?),
            "equilibrate" => self.equilibrate = parse_bool(name, value)?,
            "residual_floor" => self.residual_floor = parse(name, value)?,
            "stall_detection" => self.stall_detection = parse_bool(name, value)?,
            "direct_fallback" | "fallback" => self.direct_fallback = parse_bool(name, value)?,
            "fallback_residual" => self.fallback_residual = parse(name, value)?,
            "warm_start" => self.warm_start = parse_bool(name, value)?,
            "hessian" | "hessian_modification" => self.hessian_modification = parse(name, value)?,
            "pd_margin" => self.pd_margin = parse(name, value)?,
            "dense_limit" => self.dense_limit = parse(name, value)?,
            "singular_tol" => self.singular_tol = parse(name, value)?,
            "singular_patience" => self.singular_patience = parse(name, value)?,
            "jacobian_regularization" => self.jacobian_regularization = parse(name, value)?,
            "scaling" => self.scaling = parse_bool(name, value)?,
            "multipliers" | "multiplier_init" => self.multiplier_init = parse(name, value)?,
            "alpha_min" => self.alpha_min = parse(name, value)?,
            "residual_accept" => self.residual_accept = parse(name, value)?,
            "verbose" => self.verbose = parse_bool(name, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), NlpError> {
        check_setting("tol", self.tol, 0.0, f64::INFINITY, false)?;
        check_setting("abs_tol", self.abs_tol, 0.0, f64::INFINITY, false)?;
        if self.time_limit.is_nan() || self.time_limit < 0.0 {
            return Err(NlpError::InvalidSetting {
                name: "time_limit",
                detail: format!("{} is negative", self.time_limit),
            });
        }
        check_setting("eta1", self.eta1, 0.0, f64::MAX, true)?;
        check_setting("eta2", self.eta2, 0.0, f64::MAX, true)?;
        check_setting("delta", self.delta, 0.0, f64::MAX, true)?;
        check_setting("delta_min", self.delta_min, 0.0, f64::MAX, true)?;
        check_setting("xi_b", self.xi_b, 0.0, f64::MAX, true)?;
        check_setting("beta", self.beta, 0.0, 0.4999999, true)?;
        check_setting("nu", self.nu, 1.0, f64::MAX, true)?;
        check_setting("eta1_max", self.eta1_max, 0.0, f64::MAX, true)?;
        check_setting("eta2_min", self.eta2_min, 0.0, f64::MAX, false)?;
        check_setting("residual_floor", self.residual_floor, 0.0, 1.0, false)?;
        check_setting("pd_margin", self.pd_margin, 0.0, f64::MAX, false)?;
        check_setting(
            "fallback_residual",
            self.fallback_residual,
            0.0,
            f64::MAX,
            false,
        )?;
        check_setting("singular_tol", self.singular_tol, 0.0, 1.0, false)?;
        check_setting(
            "jacobian_regularization",
            self.jacobian_regularization,
            0.0,
            f64::MAX,
            true,
        )?;
        check_setting("alpha_min", self.alpha_min, 0.0, 1.0, true)?;
        check_setting("residual_accept", self.residual_accept, 0.0, 1.0, false)?;
        if self.effective_block() == 0 || self.column_nnz == 0 {
            return Err(NlpError::InvalidSetting {
                name: "block_size",
                detail: "sketch sizes must be positive".into(),
            });
        }
        Ok(())
    }
}
