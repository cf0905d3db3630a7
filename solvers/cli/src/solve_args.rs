//! The arguments of `opal solve`, shared by the dispatcher (`solve`) and the solver
//! front ends (`solve_mip`, `solve_nlp`, `solve_ipm`), which import only this module.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// A solver `--solver` can force.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolverName {
    /// Primal-dual interior point (smooth problems with bounds and inequalities too).
    Ipm,
    /// Sketched inexact Newton (smooth equality-constrained problems).
    Adasketch,
    /// Exact Newton on the same merit (smooth equality-constrained problems).
    Newton,
    /// Classical augmented Lagrangian (smooth equality-constrained problems).
    Auglag,
    /// Balans over HiGHS (MIP files).
    Balans,
    /// Plain HiGHS (MIP files).
    Highs,
}

impl SolverName {
    /// The name as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ipm => "ipm",
            Self::Adasketch => "adasketch",
            Self::Newton => "newton",
            Self::Auglag => "auglag",
            Self::Balans => "balans",
            Self::Highs => "highs",
        }
    }

    /// True for the MIP solvers.
    pub fn is_mip(self) -> bool {
        matches!(self, Self::Balans | Self::Highs)
    }
}

/// `--hessian`: the Hessian of the Lagrangian used by the interior point.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HessianArg {
    /// The problem's second derivatives.
    Exact,
    /// Limited-memory BFGS (6 pairs; `--param lbfgs_memory=K` for another count).
    Lbfgs,
}

/// `--mu-strategy`: the interior point's barrier update.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuStrategyArg {
    /// Fiacco-McCormick (IPOPT's default).
    Monotone,
    /// Mehrotra probing with a monotone safeguard.
    Adaptive,
}

/// `--linear-solver`: the factorization of the interior point's primal-dual system.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinearSolverArg {
    /// Dense for small or dense systems, sparse otherwise.
    Auto,
    /// Sparse LDL^T.
    Sparse,
    /// Dense Bunch-Kaufman.
    Dense,
}

#[derive(Args, Debug, Clone)]
pub struct SolveArgs {
    /// A MIP model file (.mps, .lp, optionally .gz where HiGHS reads it), a SIF file, or a
    /// built-in smooth problem (`pde:N=100`, `logreg:PATH`).
    pub file: PathBuf,
    /// Solver (default: chosen by the problem). MIP: balans (default) or highs (plain
    /// HiGHS). Smooth problems: ipm (interior point; the default when the problem has a
    /// finite variable bound or an inequality), adasketch (sketched inexact Newton; the
    /// default for equality-only problems), newton (exact Newton on the same merit) or
    /// auglag (augmented Lagrangian); the last three take equality constraints only.
    #[arg(long, value_enum)]
    pub solver: Option<SolverName>,
    /// Wall-clock limit in seconds (default: 60 for MIPs, none for smooth problems).
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Seed of the randomized decisions (MIP search, sketches); default 0.
    #[arg(long)]
    pub seed: Option<u64>,
    /// MIP: search configuration (JSON; see `Config` in opal-mip's balans module).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// MIP: worker threads (ParBalans when above 1).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// MIP: write the best solution (name value per line) to this file.
    #[arg(long, value_name = "OUT.sol")]
    pub solution: Option<PathBuf>,
    /// MIP: no progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// adasketch: sketch kaczmarz (default), gaussian or sparse.
    #[arg(long)]
    pub sketch: Option<String>,
    /// Smooth problems: convergence tolerance. ipm: IPOPT's meaning (scaled dual and
    /// primal infeasibility and complementarity each below it; default 1e-8). Equality
    /// solvers: relative KKT tolerance (times max(1, initial KKT residual); default 1e-6).
    #[arg(long)]
    pub tol: Option<f64>,
    /// Smooth problems: iteration limit (ipm default 3000).
    #[arg(long)]
    pub max_iter: Option<usize>,
    /// ipm: Hessian of the Lagrangian (default: exact when the problem has one).
    #[arg(long, value_enum)]
    pub hessian: Option<HessianArg>,
    /// ipm: barrier parameter update (default monotone).
    #[arg(long, value_enum)]
    pub mu_strategy: Option<MuStrategyArg>,
    /// ipm: factorization of the primal-dual system (default auto).
    #[arg(long, value_enum)]
    pub linear_solver: Option<LinearSolverArg>,
    /// ipm: warm start, a JSON array of n numbers (the start point) or an object with `x`
    /// and optionally `multipliers`, `lower_bound_multipliers`, `upper_bound_multipliers`
    /// (an earlier `--json` result works); default: the problem's own start point.
    #[arg(long, value_name = "FILE.json")]
    pub x0: Option<PathBuf>,
    /// Smooth problems: solver setting or problem parameter NAME=VALUE (repeatable), e.g.
    /// `eta1=2`, `mu_init=0.01`, `block=4`, `direct_fallback=false`, `N=50`.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Print one JSON object with the result on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also show the solver's own log (smooth problems: one line per iteration on stderr;
    /// ipm: IPOPT's columns).
    #[arg(long)]
    pub verbose: bool,
}

impl SolveArgs {
    /// The MIP solver name (default balans).
    pub fn mip_solver(&self) -> &'static str {
        self.solver.map_or("balans", SolverName::as_str)
    }

    /// The MIP time limit (default 60 s).
    pub fn mip_time_limit(&self) -> f64 {
        self.time_limit.unwrap_or(60.0)
    }

    /// The flags only the interior point reads, with whether each was given.
    pub fn ipm_only_flags(&self) -> [(&'static str, bool); 4] {
        [
            ("--hessian", self.hessian.is_some()),
            ("--mu-strategy", self.mu_strategy.is_some()),
            ("--linear-solver", self.linear_solver.is_some()),
            ("--x0", self.x0.is_some()),
        ]
    }
}

/// Whether `file` is a MIP model by its extension (case-insensitive).
pub fn is_mip_file(file: &std::path::Path) -> bool {
    let name = file.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".mps") || name.ends_with(".lp")
}
