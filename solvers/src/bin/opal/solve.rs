//! `opal solve`: solves a problem file or a built-in problem.
//!
//! This file holds the arguments and the dispatch only; each problem family has its own
//! module (`solve_nlp` for smooth equality-constrained programs; MPS/LP models go to the
//! MIP solvers).

use clap::Args;

use crate::{CliError, solve_nlp};

/// Arguments of `opal solve`.
#[derive(Args, Debug, Clone)]
pub struct SolveArgs {
    /// A built-in problem (`pde:N=100`, `logreg:PATH`) or a SIF file.
    pub problem: String,
    /// Solver: adasketch (sketched inexact Newton, default), newton (exact Newton on the
    /// same merit) or auglag (classical augmented Lagrangian).
    #[arg(long)]
    pub solver: Option<String>,
    /// Sketch of adasketch: kaczmarz (default), gaussian or sparse.
    #[arg(long)]
    pub sketch: Option<String>,
    /// Relative KKT tolerance (times max(1, initial KKT residual)); default 1e-6.
    #[arg(long)]
    pub tol: Option<f64>,
    /// Iteration limit.
    #[arg(long)]
    pub max_iter: Option<usize>,
    /// Time limit in seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Random seed of the sketches.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Solver setting or problem parameter NAME=VALUE (repeatable), e.g. `eta1=2`,
    /// `abs_tol=1e-8`, `block=4`, `direct_fallback=false`, `N=50`.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Print one JSON object with the result on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print one log line per iteration on stderr.
    #[arg(long)]
    pub verbose: bool,
}

/// Runs the subcommand. The exit code is 0 whenever the solver ran (the status says how
/// it ended) and 1 for bad input (unknown problem, refused problem, bad setting).
pub fn run(args: SolveArgs) -> Result<(), CliError> {
    solve_nlp::run(&args)
}
