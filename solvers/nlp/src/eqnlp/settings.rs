//! The settings of the merit-based Newton iteration that `adasketch` and `newton` share
//! (the exact augmented Lagrangian merit, its penalties, the Hessian modification, the
//! line search, the stopping test and the budget). `newton`'s settings are exactly these;
//! adasketch's embed them and add the sketch's.

use opal_core::{Budget, check_range, setters};

use super::error::NlpError;
use super::options::{HessianModification, MultiplierInit};
use super::params::{check_tolerances, parse, parse_bool, set_stopping};

/// Settings of the merit-based Newton iteration. Every field has a documented default;
/// build with `MeritSettings::default().tol(1e-8).eta1(10.0)`; JSON through serde (missing
/// fields keep their defaults, unknown ones are refused).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeritSettings {
    /// Relative KKT tolerance: converged when ||(grad_x L, c)|| <= tol * max(1, r0).
    /// Default 1e-6.
    pub tol: f64,
    /// Absolute KKT tolerance: also converged when ||(grad_x L, c)|| <= abs_tol.
    /// Default 0 (off).
    pub abs_tol: f64,
    /// Iteration limit (outer iterations), time limit and stop request. Default 10_000
    /// iterations, no time limit.
    pub budget: Budget,
    /// Initial penalty eta1 on ||c||^2 in the merit. Default 1.0.
    pub eta1: f64,
    /// Initial penalty eta2 on ||grad_x L||^2 in the merit. Default 0.1.
    pub eta2: f64,
    /// Curvature constant xi_B of the Hessian modification (and of the sketch's accuracy
    /// constant psi). Default 0.1.
    pub xi_b: f64,
    /// Armijo constant beta (must be < 0.5). Default 0.1.
    pub beta: f64,
    /// Penalty update factor nu: eta1 <- nu^2 eta1, eta2 <- eta2 / nu (and the sketch's
    /// delta <- delta / nu^4). Default 1.5.
    pub nu: f64,
    /// Penalty adaptation stops once eta1 exceeds this. Default 1e8.
    pub eta1_max: f64,
    /// Penalty adaptation stops once eta2 falls below this. Default 1e-8.
    pub eta2_min: f64,
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
    /// a singular-Jacobian failure, unless the KKT residual halved meanwhile (then another
    /// round starts); the (2,2) block is -r I with r = max(jacobian_regularization,
    /// min(||c||, 1)) while J is singular. Transient rank deficiency (J = 0 at a symmetric
    /// start point) and LICQ failing only at the solution are survived; a rank deficiency
    /// that stalls the iteration (e.g. inconsistent duplicated constraints) is reported.
    /// 0 reports any singular J at once. Default 3.
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
    /// Log one line per iteration to stderr ([`opal_core::LogObserver`]). Default false.
    pub verbose: bool,
}

impl Default for MeritSettings {
    fn default() -> Self {
        Self {
            tol: 1e-6,
            abs_tol: 0.0,
            budget: Budget::iterations(10_000),
            eta1: 1.0,
            eta2: 0.1,
            xi_b: 0.1,
            beta: 0.1,
            nu: 1.5,
            eta1_max: 1e8,
            eta2_min: 1e-8,
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

impl MeritSettings {
    setters!(
        tol: f64, abs_tol: f64, budget: Budget, eta1: f64, eta2: f64, xi_b: f64, beta: f64,
        nu: f64, eta1_max: f64, eta2_min: f64, hessian_modification: HessianModification,
        pd_margin: f64, dense_limit: usize, singular_tol: f64, singular_patience: usize,
        jacobian_regularization: f64, scaling: bool, multiplier_init: MultiplierInit,
        alpha_min: f64, residual_accept: f64, verbose: bool,
    );

    /// Sets a parameter by name from text (the CLI's `--param NAME=VALUE`; `max_iter` and
    /// `time_limit` set the budget). Returns Ok(false) when `name` is not a setting.
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

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), NlpError> {
        check_tolerances(self.tol, self.abs_tol)?;
        check_range("eta1", self.eta1, 0.0, f64::MAX, true)?;
        check_range("eta2", self.eta2, 0.0, f64::MAX, true)?;
        check_range("xi_b", self.xi_b, 0.0, f64::MAX, true)?;
        check_range("beta", self.beta, 0.0, 0.4999999, true)?;
        check_range("nu", self.nu, 1.0, f64::MAX, true)?;
        check_range("eta1_max", self.eta1_max, 0.0, f64::MAX, true)?;
        check_range("eta2_min", self.eta2_min, 0.0, f64::MAX, false)?;
        check_range("pd_margin", self.pd_margin, 0.0, f64::MAX, false)?;
        check_range("singular_tol", self.singular_tol, 0.0, 1.0, false)?;
        check_range(
            "jacobian_regularization",
            self.jacobian_regularization,
            0.0,
            f64::MAX,
            true,
        )?;
        check_range("alpha_min", self.alpha_min, 0.0, 1.0, true)?;
        check_range("residual_accept", self.residual_accept, 0.0, 1.0, false)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_defaults_and_refuses_unknown_fields() {
        let s: MeritSettings =
            serde_json::from_str(r#"{"tol": 1e-8, "budget": {"max_iterations": 5}}"#).unwrap();
        assert_eq!(s.tol, 1e-8);
        assert_eq!(s.budget.max_iterations, 5);
        assert_eq!(s.eta1, MeritSettings::default().eta1);
        assert!(serde_json::from_str::<MeritSettings>(r#"{"max_iter": 5}"#).is_err());
        let text = serde_json::to_string(&MeritSettings::default()).unwrap();
        let back: MeritSettings = serde_json::from_str(&text).unwrap();
        assert_eq!(back, MeritSettings::default());
    }

    #[test]
    fn text_parameters_and_ranges() {
        let mut s = MeritSettings::default();
        assert!(s.set("max_iter", "3").unwrap());
        assert!(s.set("hessian", "reference").unwrap());
        assert!(!s.set("sketch", "gaussian").unwrap());
        assert_eq!(s.budget.max_iterations, 3);
        let e = s.clone().beta(0.7).validate().unwrap_err();
        assert!(
            matches!(e, NlpError::InvalidSetting { name: "beta", .. }),
            "{e}"
        );
    }
}
