//! Settings of convex ReLU training ([`Settings`]) and of adversarial training
//! ([`AdvSettings`]): every field documented with its default, serde for JSON configs.

use opal_core::{Budget, SettingError, check_range};
use serde::{Deserialize, Serialize};

use super::error::{ReluError, setting};

/// Iteration limit of both settings structs (the interior point caps it at 500).
const MAX_ITERATIONS: usize = 20_000;

/// Which convex program to solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Gated ReLU: unconstrained group lasso, min (1/(2n))||sum_i D_i X u_i - y||^2 + lam sum ||u_i||.
    Gated,
    /// ReLU on the sampled patterns: v_i, w_i with cone constraints (2 D_i - I) X v_i >= 0.
    Relu,
}

impl Variant {
    /// Parses "gated" or "relu".
    pub fn parse(s: &str) -> Result<Self, ReluError> {
        match s {
            "gated" => Ok(Self::Gated),
            "relu" => Ok(Self::Relu),
            _ => Err(setting("variant", format!("'{s}' is not gated|relu"))),
        }
    }
    /// The name used by the CLI and Python.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gated => "gated",
            Self::Relu => "relu",
        }
    }
}

/// Which algorithm solves the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SolverKind {
    /// The interior point up to n = 4000; beyond, FISTA (gated) or ADMM (ReLU).
    Auto,
    /// ADMM of Bai, Gautam and Sojoudi with the u-system factorized once (Woodbury, n x n).
    Admm,
    /// The same ADMM with the u-system solved by block-Jacobi preconditioned CG (large n).
    #[serde(rename = "cg", alias = "admm-cg")]
    AdmmCg,
    /// FISTA with restarts and backtracking (gated program only), as in scnn's R-FISTA.
    Fista,
    /// Augmented Lagrangian with FISTA subproblems (ReLU program only), as scnn's AL: memory
    /// and per-iteration cost linear in n, the ReLU program's solver at data-set scale.
    #[serde(rename = "al", alias = "auglag")]
    AugLag,
    /// Primal-dual interior-point method (Mehrotra, Nesterov-Todd scaling) with a Woodbury
    /// solve through an n x n capacitance matrix, for both programs (n up to 8000).
    Ipm,
}

impl SolverKind {
    /// Parses "auto", "admm", "cg" (or "admm-cg"), "fista" and "ipm".
    pub fn parse(s: &str) -> Result<Self, ReluError> {
        match s {
            "auto" => Ok(Self::Auto),
            "admm" => Ok(Self::Admm),
            "cg" | "admm-cg" => Ok(Self::AdmmCg),
            "fista" => Ok(Self::Fista),
            "ipm" => Ok(Self::Ipm),
            "al" | "auglag" => Ok(Self::AugLag),
            _ => Err(setting(
                "solver",
                format!("'{s}' is not auto|admm|cg|fista|al|ipm"),
            )),
        }
    }
    /// The name used by the CLI and Python.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Admm => "admm",
            Self::AdmmCg => "cg",
            Self::Fista => "fista",
            Self::Ipm => "ipm",
            Self::AugLag => "al",
        }
    }
    /// The concrete solver used for `variant` (on data small enough for the interior-point
    /// method's n x n matrix).
    pub fn resolve(self, variant: Variant) -> Self {
        self.resolve_for(variant, 0)
    }

    /// The concrete solver used for `variant` on `n` samples: the interior-point method up
    /// to n = 4000 (measured 10-20x faster than FISTA to 1e-9 on the gated program, and the
    /// only fast accurate path for the ReLU program); beyond, FISTA for gated and ADMM for
    /// ReLU (no n x n matrix).
    pub fn resolve_for(self, variant: Variant, n: usize) -> Self {
        match (self, variant) {
            (Self::Auto, _) if n <= 4000 => Self::Ipm,
            (Self::Auto, Variant::Gated) => Self::Fista,
            (Self::Auto, Variant::Relu) => Self::Admm,
            (s, _) => s,
        }
    }
}

/// Settings of [`crate::fit`]. Field names match the Python estimator's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Group-lasso weight lam of the (1/(2n)) scaled program (Bai's beta = n lam). Default 1e-3.
    pub lam: f64,
    /// Number of gate vectors sampled (before duplicate/all-zero patterns are dropped). Default 100.
    pub n_patterns: usize,
    /// Program to solve. Default [`Variant::Gated`].
    pub variant: Variant,
    /// Algorithm. Default [`SolverKind::Auto`] (the interior-point method up to n = 4000
    /// samples; beyond, FISTA for gated and ADMM for ReLU).
    pub solver: SolverKind,
    /// Seed of the gate sampling g_i ~ N(0, I_d). Default 0.
    pub seed: u64,
    /// Stopping tolerance: FISTA stops when the minimum-norm subgradient is <= tol;
    /// ADMM when primal and dual residuals are <= tol relative to the iterates; the interior
    /// point when the relative gap and residuals are <= tol and the largest cone residual is
    /// <= min(tol, 1e-8). Default 1e-6.
    pub tol: f64,
    /// What a fit may spend: iterations of the method's loop (the interior point caps them
    /// at 500), wall-clock time counted from the start of the fit (gate sampling and
    /// factorizations included), a stop request. Default 20000 iterations, no time limit.
    pub budget: Budget,
    /// Append a constant-one column to X (the bias), as a feature the gates also see. Default false.
    pub fit_intercept: bool,
    /// Initial ADMM penalty rho (Bai's scaling, loss (1/2)||.||^2). Default 0.1.
    pub rho: f64,
    /// Adapt rho by residual balancing (refactorizes the n x n capacitance matrix). Default true.
    pub adaptive_rho: bool,
    /// ADMM (ReLU): weight c of the cone split c G u = s relative to u = v (the cone is
    /// invariant to it, the iteration is not). Default 1.
    pub cone_scale: f64,
    /// ADMM: memory of Anderson acceleration on the Douglas-Rachford state (0 = off; it halves
    /// the iterations on the gated program, but did not help on the ReLU program). Default 0.
    pub anderson: usize,
    /// ADMM over-relaxation alpha in (0, 2) (ignored with Anderson). Default 1 (none).
    pub relaxation: f64,
    /// FISTA's initial step size. Default 10 (as scnn).
    pub init_step: f64,
    /// FISTA's backtracking factor, in (0, 1). Default 0.8 (as scnn).
    pub backtrack: f64,
    /// Relative residual at which the CG variant's inner solves stop. Default 1e-10.
    pub cg_tol: f64,
    /// Log the iterations to stderr ([`opal_core::LogObserver`]). Default false.
    pub verbose: bool,
    /// Iterations between log lines of the first-order methods (ADMM, FISTA) when verbose;
    /// the interior point logs every Newton step. Default 100.
    pub log_every: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lam: 1e-3,
            n_patterns: 100,
            variant: Variant::Gated,
            solver: SolverKind::Auto,
            seed: 0,
            tol: 1e-6,
            budget: Budget::iterations(MAX_ITERATIONS),
            fit_intercept: false,
            rho: 0.1,
            adaptive_rho: true,
            cone_scale: 1.0,
            anderson: 0,
            relaxation: 1.0,
            init_step: 10.0,
            backtrack: 0.8,
            cg_tol: 1e-10,
            verbose: false,
            log_every: 100,
        }
    }
}

impl Settings {
    opal_core::setters! {
        lam: f64,
        n_patterns: usize,
        variant: Variant,
        solver: SolverKind,
        seed: u64,
        tol: f64,
        budget: Budget,
        fit_intercept: bool,
        rho: f64,
        adaptive_rho: bool,
        cone_scale: f64,
        anderson: usize,
        relaxation: f64,
        init_step: f64,
        backtrack: f64,
        cg_tol: f64,
        verbose: bool,
        log_every: usize,
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), ReluError> {
        check_common(self.lam, self.n_patterns, self.tol, self.rho, &self.budget)?;
        for (name, value) in [
            ("cone_scale", self.cone_scale),
            ("init_step", self.init_step),
            ("cg_tol", self.cg_tol),
        ] {
            check_range(name, value, 0.0, f64::INFINITY, true)?;
        }
        open_interval("backtrack", self.backtrack, 0.0, 1.0)?;
        open_interval("relaxation", self.relaxation, 0.0, 2.0)?;
        let solver = self.solver.resolve(self.variant);
        if solver == SolverKind::Fista && self.variant == Variant::Relu {
            return Err(ReluError::Unsupported(
                "FISTA solves the gated program only; use solver al, admm or cg for variant relu"
                    .into(),
            ));
        }
        if solver == SolverKind::AugLag && self.variant == Variant::Gated {
            return Err(ReluError::Unsupported(
                "the augmented Lagrangian solves the ReLU program only; use solver fista for \
                 variant gated"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The checks both settings structs share: lam >= 0, at least one pattern, positive tol
/// and rho, at least one iteration.
fn check_common(
    lam: f64,
    n_patterns: usize,
    tol: f64,
    rho: f64,
    budget: &Budget,
) -> Result<(), ReluError> {
    check_range("lam", lam, 0.0, f64::INFINITY, false)?;
    if n_patterns == 0 {
        return Err(setting("n_patterns", "must be >= 1"));
    }
    check_range("tol", tol, 0.0, f64::INFINITY, true)?;
    check_range("rho", rho, 0.0, f64::INFINITY, true)?;
    if budget.max_iterations == 0 {
        return Err(setting("max_iterations", "must be >= 1"));
    }
    Ok(())
}

/// `value` in the open interval (lo, hi).
fn open_interval(name: &'static str, value: f64, lo: f64, hi: f64) -> Result<(), SettingError> {
    if value > lo && value < hi {
        Ok(())
    } else {
        Err(SettingError {
            name,
            detail: format!("{value} is outside ({lo}, {hi})"),
        })
    }
}

/// Which method solves the robust program of [`crate::adversarial::fit_robust`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RobustSolver {
    /// Interior point on the LP + SOC form with the per-sample variables eliminated
    /// (few patterns: the Schur system has 2P (d + d' + 1) rows, at most 6000).
    Ipm,
    /// ADMM with an exact Sylvester u-update (the fallback for many patterns).
    Admm,
}

/// Settings of [`crate::adversarial::fit_robust`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvSettings {
    /// l_inf radius of the training perturbations. Default 0.05 (0 gives the plain model).
    pub eps: f64,
    /// Group-lasso weight lam of the (1/n) scaled program. Default 1e-3.
    pub lam: f64,
    /// Number of gate vectors sampled (before duplicate/all-zero patterns are dropped). Default 100.
    pub n_patterns: usize,
    /// Seed of the gate sampling. Default 0.
    pub seed: u64,
    /// Stopping tolerance (relative gap and residuals of the interior point; relative
    /// residuals of ADMM). Default 1e-5.
    pub tol: f64,
    /// Iterations (the interior point caps them at 500), time counted from the start of
    /// the fit, stop request. Default 20000 iterations, no time limit.
    pub budget: Budget,
    /// Append a constant-one column (not perturbed). Default false.
    pub fit_intercept: bool,
    /// Method. Default [`RobustSolver::Ipm`].
    pub solver: RobustSolver,
    /// ADMM's initial penalty rho. Default 1.
    pub rho: f64,
    /// ADMM: adapt rho by residual balancing. Default true.
    pub adaptive_rho: bool,
    /// Log the iterations to stderr. Default false.
    pub verbose: bool,
    /// Iterations between ADMM log lines when verbose (the interior point logs every
    /// step). Default 100.
    pub log_every: usize,
}

impl Default for AdvSettings {
    fn default() -> Self {
        Self {
            eps: 0.05,
            lam: 1e-3,
            n_patterns: 100,
            seed: 0,
            tol: 1e-5,
            budget: Budget::iterations(MAX_ITERATIONS),
            fit_intercept: false,
            solver: RobustSolver::Ipm,
            rho: 1.0,
            adaptive_rho: true,
            verbose: false,
            log_every: 100,
        }
    }
}

impl AdvSettings {
    opal_core::setters! {
        eps: f64,
        lam: f64,
        n_patterns: usize,
        seed: u64,
        tol: f64,
        budget: Budget,
        fit_intercept: bool,
        solver: RobustSolver,
        rho: f64,
        adaptive_rho: bool,
        verbose: bool,
        log_every: usize,
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), ReluError> {
        check_common(self.lam, self.n_patterns, self.tol, self.rho, &self.budget)?;
        check_range("eps", self.eps, 0.0, f64::INFINITY, false)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_names() {
        let s = Settings::default()
            .solver(SolverKind::AdmmCg)
            .variant(Variant::Relu)
            .budget(Budget::iterations(7));
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains("\"solver\":\"cg\"") && text.contains("\"variant\":\"relu\""));
        assert_eq!(serde_json::from_str::<Settings>(&text).unwrap(), s);
        let s: Settings =
            serde_json::from_str(r#"{"solver": "admm-cg", "budget": {"time_limit": 2}}"#).unwrap();
        assert_eq!(s.solver, SolverKind::AdmmCg);
        assert_eq!(
            s.budget.max_iterations,
            usize::MAX,
            "a given budget replaces the default"
        );
        assert!(serde_json::from_str::<Settings>(r#"{"max_iter": 3}"#).is_err());
        let a: AdvSettings = serde_json::from_str(r#"{"eps": 0.1, "solver": "admm"}"#).unwrap();
        assert_eq!((a.eps, a.solver, a.rho), (0.1, RobustSolver::Admm, 1.0));
    }

    #[test]
    fn ranges() {
        assert!(Settings::default().validate().is_ok());
        let e = Settings::default().backtrack(1.0).validate().unwrap_err();
        assert_eq!(e.to_string(), "setting backtrack: 1 is outside (0, 1)");
        assert!(AdvSettings::default().eps(-1.0).validate().is_err());
        assert!(AdvSettings::default().validate().is_ok());
    }
}
