//! Settings of convex ReLU training: every field documented with its default.

use super::error::{ReluError, setting};

/// Which convex program to solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolverKind {
    /// The interior point up to n = 4000; beyond, FISTA (gated) or ADMM (ReLU).
    Auto,
    /// ADMM of Bai, Gautam and Sojoudi with the u-system factorized once (Woodbury, n x n).
    Admm,
    /// The same ADMM with the u-system solved by block-Jacobi preconditioned CG (large n).
    AdmmCg,
    /// FISTA with restarts and backtracking (gated program only), as in scnn's R-FISTA.
    Fista,
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
            _ => Err(setting(
                "solver",
                format!("'{s}' is not auto|admm|cg|fista|ipm"),
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

/// Settings of [`super::fit`]. Field names match the Python estimator's parameters.
#[derive(Debug, Clone)]
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
    /// Iteration limit (the interior point caps it at 500). Default 20000.
    pub max_iter: usize,
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
    /// FISTA's backtracking factor. Default 0.8 (as scnn).
    pub backtrack: f64,
    /// Relative residual at which the CG variant's inner solves stop. Default 1e-10.
    pub cg_tol: f64,
    /// Wall-clock limit in seconds. Default none.
    pub time_limit: Option<f64>,
    /// Log one line per `log_every` iterations to stderr. Default false.
    pub verbose: bool,
    /// Iterations between log lines when verbose. Default 100.
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
            max_iter: 20_000,
            fit_intercept: false,
            rho: 0.1,
            adaptive_rho: true,
            cone_scale: 1.0,
            anderson: 0,
            relaxation: 1.0,
            init_step: 10.0,
            backtrack: 0.8,
            cg_tol: 1e-10,
            time_limit: None,
            verbose: false,
            log_every: 100,
        }
    }
}

macro_rules! setter {
    ($name:ident, $ty:ty) => {
        #[doc = concat!("Sets `", stringify!($name), "`.")]
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
    };
}

impl Settings {
    setter!(lam, f64);
    setter!(n_patterns, usize);
    setter!(variant, Variant);
    setter!(solver, SolverKind);
    setter!(seed, u64);
    setter!(tol, f64);
    setter!(max_iter, usize);
    setter!(fit_intercept, bool);
    setter!(rho, f64);
    setter!(adaptive_rho, bool);
    setter!(cone_scale, f64);
    setter!(anderson, usize);
    setter!(relaxation, f64);
    setter!(init_step, f64);
    setter!(backtrack, f64);
    setter!(cg_tol, f64);
    setter!(time_limit, Option<f64>);
    setter!(verbose, bool);
    setter!(log_every, usize);

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), ReluError> {
        let pos = |name: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(setting(name, format!("must be finite and > 0, got {v}")))
            }
        };
        if !(self.lam.is_finite() && self.lam >= 0.0) {
            return Err(setting(
                "lam",
                format!("must be finite and >= 0, got {}", self.lam),
            ));
        }
        if self.n_patterns == 0 {
            return Err(setting("n_patterns", "must be >= 1"));
        }
        pos("tol", self.tol)?;
        pos("rho", self.rho)?;
        pos("cone_scale", self.cone_scale)?;
        pos("init_step", self.init_step)?;
        pos("cg_tol", self.cg_tol)?;
        if !(self.backtrack > 0.0 && self.backtrack < 1.0) {
            return Err(setting(
                "backtrack",
                format!("must lie in (0, 1), got {}", self.backtrack),
            ));
        }
        if !(self.relaxation > 0.0 && self.relaxation < 2.0) {
            return Err(setting(
                "relaxation",
                format!("must lie in (0, 2), got {}", self.relaxation),
            ));
        }
        if self.max_iter == 0 {
            return Err(setting("max_iter", "must be >= 1"));
        }
        if let Some(t) = self.time_limit
            && (t.is_nan() || t < 0.0)
        {
            return Err(setting("time_limit", format!("must be >= 0, got {t}")));
        }
        if self.solver.resolve(self.variant) == SolverKind::Fista && self.variant == Variant::Relu {
            return Err(ReluError::Unsupported(
                "FISTA solves the gated program only; use solver admm or cg for variant relu"
                    .into(),
            ));
        }
        Ok(())
    }
}
