//! Settings of the exact-Newton baseline (same meaning and defaults as in `adasketch`).

use crate::eqnlp::params::{parse, parse_bool, parse_seconds};
use crate::eqnlp::{HessianModification, MultiplierInit, NlpError};
use opal_core::setters;

/// Settings of [`super::solve`]; defaults equal those of [`crate::adasketch::Settings`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// Relative KKT tolerance (times max(1, r0)). Default 1e-6.
    pub tol: f64,
    /// Absolute KKT tolerance. Default 0 (off).
    pub abs_tol: f64,
    /// Maximum iterations. Default 10_000.
    pub max_iter: usize,
    /// Wall-clock limit in seconds. Default infinity.
    pub time_limit: f64,
    /// Initial eta1. Default 1.0.
    pub eta1: f64,
    /// Initial eta2. Default 0.1.
    pub eta2: f64,
    /// xi_B of the Hessian modification. Default 0.1.
    pub xi_b: f64,
    /// Armijo constant. Default 0.1.
    pub beta: f64,
    /// Penalty update factor. Default 1.5.
    pub nu: f64,
    /// Penalty adaptation stops once eta1 exceeds this. Default 1e8.
    pub eta1_max: f64,
    /// Penalty adaptation stops once eta2 falls below this. Default 1e-8.
    pub eta2_min: f64,
    /// Hessian modification. Default minimal shift.
    pub hessian_modification: HessianModification,
    /// The reduced Hessian counts as sufficiently positive definite when its smallest
    /// eigenvalue is at least pd_margin (and 1e-8 max(1, ||H||_F)). Default 0.0.
    pub pd_margin: f64,
    /// Dense analysis up to this many variables. Default 500.
    pub dense_limit: usize,
    /// Relative singular-value threshold of J. Default 1e-10.
    pub singular_tol: f64,
    /// Consecutive singular-Jacobian iterations tolerated (regularized). Default 3.
    pub singular_patience: usize,
    /// (2,2) regularization while J is singular. Default 1e-8.
    pub jacobian_regularization: f64,
    /// Gradient-based scaling of f and of each constraint at x0 (factors min(1, 100 /
    /// max gradient entry), as IPOPT does); results and the convergence test stay in terms
    /// of the original problem. Default true.
    pub scaling: bool,
    /// Start multipliers. Default `Auto`.
    pub multiplier_init: MultiplierInit,
    /// Minimum relative step of the line search (see adasketch). Default 1e-14.
    pub alpha_min: f64,
    /// Watchdog acceptance of full steps by KKT residual (see adasketch). Default 0.5.
    pub residual_accept: f64,
    /// One line per iteration on stderr. Default false.
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let a = crate::adasketch::Settings::default();
        Self {
            tol: a.tol,
            abs_tol: a.abs_tol,
            max_iter: a.max_iter,
            time_limit: a.time_limit,
            eta1: a.eta1,
            eta2: a.eta2,
            xi_b: a.xi_b,
            beta: a.beta,
            nu: a.nu,
            eta1_max: a.eta1_max,
            eta2_min: a.eta2_min,
            hessian_modification: a.hessian_modification,
            pd_margin: 0.0,
            dense_limit: a.dense_limit,
            singular_tol: a.singular_tol,
            singular_patience: a.singular_patience,
            jacobian_regularization: a.jacobian_regularization,
            scaling: a.scaling,
            multiplier_init: a.multiplier_init,
            alpha_min: a.alpha_min,
            residual_accept: a.residual_accept,
            verbose: a.verbose,
        }
    }
}

impl Settings {
    setters!(
        tol: f64, abs_tol: f64, max_iter: usize, time_limit: f64, eta1: f64, eta2: f64,
        xi_b: f64, beta: f64, nu: f64, eta1_max: f64, eta2_min: f64,
        hessian_modification: HessianModification, pd_margin: f64, dense_limit: usize, singular_tol: f64,
        singular_patience: usize, jacobian_regularization: f64,
        scaling: bool, multiplier_init: MultiplierInit, alpha_min: f64, residual_accept: f64, verbose: bool,
    );

    /// Sets a parameter by name (the CLI's `--param`); Ok(false) for unknown names.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "tol" => self.tol = parse(name, value)?,
            "abs_tol" => self.abs_tol = parse(name, value)?,
            "max_iter" => self.max_iter = parse(name, value)?,
            "time_limit" => self.time_limit = parse_seconds(name, value)?,
            "eta1" => self.eta1 = parse(name, value)?,
            "eta2" => self.eta2 = parse(name, value)?,
            "xi_b" => self.xi_b = parse(name, value)?,
            "beta" => self.beta = parse(name, value)?,
            "nu" => self.nu = parse(name, value)?,
            "eta1_max" => self.eta1_max = parse(name, value)?,
            "eta2_min" => self.eta2_min = parse(name, value)?,
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

    /// Checks ranges (through the equivalent adasketch settings).
    pub fn validate(&self) -> Result<(), NlpError> {
        crate::adasketch::Settings::default()
            .tol(self.tol)
            .abs_tol(self.abs_tol)
            .time_limit(self.time_limit)
            .eta1(self.eta1)
            .eta2(self.eta2)
            .xi_b(self.xi_b)
            .beta(self.beta)
            .nu(self.nu)
            .eta1_max(self.eta1_max)
            .eta2_min(self.eta2_min)
            .singular_tol(self.singular_tol)
            .pd_margin(self.pd_margin)
            .jacobian_regularization(self.jacobian_regularization)
            .alpha_min(self.alpha_min)
            .residual_accept(self.residual_accept)
            .validate()
    }
}
