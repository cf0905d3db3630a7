//! Settings of the classical augmented Lagrangian method.

use opal_core::{Budget, check_range, setters};

use crate::eqnlp::params::{check_tolerances, parse, parse_bool, set_stopping};
use crate::eqnlp::{MultiplierInit, NlpError};

/// Settings of [`super::solve`]. Every field has a documented default; build with
/// `Settings::default().tol(1e-8).mu0(10.0)`; JSON through serde (missing fields keep
/// their defaults, unknown ones are refused).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Relative KKT tolerance (times max(1, r0)). Default 1e-6.
    pub tol: f64,
    /// Absolute KKT tolerance. Default 0 (off).
    pub abs_tol: f64,
    /// Outer iterations (multiplier updates), time limit and stop request. Default 1_000
    /// iterations, no time limit.
    pub budget: Budget,
    /// Maximum Newton steps per subproblem. Default 200.
    pub max_inner: usize,
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
    /// Log one line per outer iteration to stderr ([`opal_core::LogObserver`]). Default false.
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tol: 1e-6,
            abs_tol: 0.0,
            budget: Budget::iterations(1_000),
            max_inner: 200,
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
        tol: f64, abs_tol: f64, budget: Budget, max_inner: usize, mu0: f64,
        mu_factor: f64, mu_max: f64, inner_tol0: f64, inner_tol_factor: f64, armijo: f64,
        alpha_min: f64, dense_limit: usize, scaling: bool, multiplier_init: MultiplierInit, verbose: bool,
    );

    /// Sets a parameter by name (the CLI's `--param`); Ok(false) for unknown names.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        if set_stopping(
            &mut self.budget,
            [&mut self.tol, &mut self.abs_tol],
            name,
            value,
        )? {
            return Ok(true);
        }
        match name {
            "max_inner" => self.max_inner = parse(name, value)?,
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
        check_tolerances(self.tol, self.abs_tol)?;
        check_range("mu0", self.mu0, 0.0, f64::MAX, true)?;
        check_range("mu_factor", self.mu_factor, 1.0, f64::MAX, false)?;
        check_range("mu_max", self.mu_max, self.mu0, f64::MAX, false)?;
        check_range("inner_tol0", self.inner_tol0, 0.0, f64::MAX, true)?;
        check_range("inner_tol_factor", self.inner_tol_factor, 0.0, 1.0, true)?;
        check_range("armijo", self.armijo, 0.0, 0.5, true)?;
        check_range("alpha_min", self.alpha_min, 0.0, 1.0, true)?;
        Ok(())
    }
}
