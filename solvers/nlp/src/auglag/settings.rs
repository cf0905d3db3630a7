//! Settings of the classical augmented Lagrangian method.

use crate::eqnlp::params::{parse, parse_bool, parse_seconds};
use crate::eqnlp::{MultiplierInit, NlpError, check_setting};
use opal_core::setters;

/// Settings of [`super::solve`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// Relative KKT tolerance (times max(1, r0)). Default 1e-6.
    pub tol: f64,
    /// Absolute KKT tolerance. Default 0 (off).
    pub abs_tol: f64,
    /// Maximum outer iterations (multiplier updates). Default 1_000.
    pub max_iter: usize,
    /// Maximum Newton steps per subproblem. Default 200.
    pub max_inner: usize,
    /// Wall-clock limit in seconds. Default infinity.
    pub time_limit: f64,
    /// Initial penalty mu_0. Default 1.0.
    pub mu0: f64,
    /// Penalty growth factor per outer iteration. Default 1.5.
    pub mu_factor: f64,
    /// Largest penalty. Default 1e12.
    pub mu_max: f64,
    /// Initial subproblem tolerance tau_0 on ||grad_x L_A||. Default 1.0.
    pub inner_tol0: f64,
    /// Subproblem tolerance factor per outer iteration. Default 0.1.
    pub inner_tol_factor: f64,
    /// Armijo constant of the subproblem line search. Default 1e-4.
    pub armijo: f64,
    /// Smallest subproblem step. Default 1e-12.
    pub alpha_min: f64,
    /// Dense Newton systems up to this many variables. Default 500.
    pub dense_limit: usize,
    /// Gradient-based scaling of f and of each constraint at x0 (factors min(1, 100 /
    /// max gradient entry), as IPOPT does); results and the convergence test stay in terms
    /// of the original problem. Default false (the classical method on the problem as
    /// given: on the 76 equality-constrained SIF problems scaling solved 69, none 71).
    pub scaling: bool,
    /// Start multipliers. Default `Auto`.
    pub multiplier_init: MultiplierInit,
    /// One line per outer iteration on stderr. Default false.
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tol: 1e-6,
            abs_tol: 0.0,
            max_iter: 1_000,
            max_inner: 200,
            time_limit: f64::INFINITY,
            mu0: 1.0,
            mu_factor: 1.5,
            mu_max: 1e12,
            inner_tol0: 1.0,
            inner_tol_factor: 0.1,
            armijo: 1e-4,
            alpha_min: 1e-12,
            dense_limit: 500,
            scaling: false,
            multiplier_init: MultiplierInit::Auto,
            verbose: false,
        }
    }
}

impl Settings {
    setters!(
        tol: f64, abs_tol: f64, max_iter: usize, max_inner: usize, time_limit: f64, mu0: f64,
        mu_factor: f64, mu_max: f64, inner_tol0: f64, inner_tol_factor: f64, armijo: f64,
        alpha_min: f64, dense_limit: usize, scaling: bool, multiplier_init: MultiplierInit, verbose: bool,
    );

    /// Sets a parameter by name (the CLI's `--param`); Ok(false) for unknown names.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "tol" => self.tol = parse(name, value)?,
            "abs_tol" => self.abs_tol = parse(name, value)?,
            "max_iter" => self.max_iter = parse(name, value)?,
            "max_inner" => self.max_inner = parse(name, value)?,
            "time_limit" => self.time_limit = parse_seconds(name, value)?,
            "mu0" => self.mu0 = parse(name, value)?,
            "mu_factor" => self.mu_factor = parse(name, value)?,
            "mu_max" => self.mu_max = parse(name, value)?,
            "inner_tol0" => self.inner_tol0 = parse(name, value)?,
            "inner_tol_factor" => self.inner_tol_factor = parse(name, value)?,
            "armijo" => self.armijo = parse(name, value)?,
            "alpha_min" => self.alpha_min = parse(name, value)?,
            "dense_limit" => self.dense_limit = parse(name, value)?,
            "scaling" => self.scaling = parse_bool(name, value)?,
            "multipliers" | "multiplier_init" => self.multiplier_init = parse(name, value)?,
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
        check_setting("mu0", self.mu0, 0.0, f64::MAX, true)?;
        check_setting("mu_factor", self.mu_factor, 1.0, f64::MAX, false)?;
        check_setting("mu_max", self.mu_max, self.mu0, f64::MAX, false)?;
        check_setting("inner_tol0", self.inner_tol0, 0.0, f64::MAX, true)?;
        check_setting("inner_tol_factor", self.inner_tol_factor, 0.0, 1.0, true)?;
        check_setting("armijo", self.armijo, 0.0, 0.5, true)?;
        check_setting("alpha_min", self.alpha_min, 0.0, 1.0, true)?;
        Ok(())
    }
}
