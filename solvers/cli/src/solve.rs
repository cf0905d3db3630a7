//! `opal solve`: the shared entry of the solver families. This file holds only the
//! arguments and the dispatch by problem kind: MIP files (.mps / .lp) go to `solve_mip`,
//! everything else (SIF files, built-in smooth problems such as `pde:N=100`) to `solve_nlp`.

use std::path::PathBuf;

use clap::Args;

use crate::CliError;

#[derive(Args, Debug, Clone)]
pub struct SolveArgs {
    /// A MIP model file (.mps, .lp, optionally .gz where HiGHS reads it), a SIF file, or a
    /// built-in smooth problem (`pde:N=100`, `logreg:PATH`).
    pub file: PathBuf,
    /// Solver. MIP: balans (default) or highs (plain HiGHS, the baseline). Smooth
    /// equality-constrained problems: adasketch (sketched inexact Newton, default), newton
    /// (exact Newton on the same merit) or auglag (classical augmented Lagrangian).
    #[arg(long)]
    pub solver: Option<String>,
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
    /// Smooth problems: sketch of adasketch, kaczmarz (default), gaussian or sparse.
    #[arg(long)]
    pub sketch: Option<String>,
    /// Smooth problems: relative KKT tolerance (times max(1, initial KKT residual));
    /// default 1e-6.
    #[arg(long)]
    pub tol: Option<f64>,
    /// Smooth problems: iteration limit.
    #[arg(long)]
    pub max_iter: Option<usize>,
    /// Smooth problems: solver setting or problem parameter NAME=VALUE (repeatable), e.g.
    /// `eta1=2`, `abs_tol=1e-8`, `block=4`, `direct_fallback=false`, `N=50`.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Print one JSON object with the result on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also show the solver's own log (smooth problems: one line per iteration on stderr).
    #[arg(long)]
    pub verbose: bool,
}

impl SolveArgs {
    /// The MIP solver name (default balans).
    pub fn mip_solver(&self) -> &str {
        self.solver.as_deref().unwrap_or("balans")
    }

    /// The MIP time limit (default 60 s).
    pub fn mip_time_limit(&self) -> f64 {
        self.time_limit.unwrap_or(60.0)
    }
}

/// Whether `file` is a MIP model by its extension (case-insensitive).
pub fn is_mip_file(file: &std::path::Path) -> bool {
    let name = file.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".mps") || name.ends_with(".lp")
}

/// Options given that the problem kind does not use: an error rather than silence.
fn reject(kind: &str, given: &[(&str, bool)]) -> Result<(), CliError> {
    match given.iter().find(|(_, on)| *on) {
        Some((flag, _)) => Err(CliError::new(format!("{flag} does not apply to {kind}"))),
        None => Ok(()),
    }
}

/// Runs the subcommand. For smooth problems the exit code is 0 whenever the solver ran
/// (its status says how it ended) and 1 for bad input.
pub fn run(args: SolveArgs) -> Result<(), CliError> {
    if is_mip_file(&args.file) {
        reject(
            "MIP models",
            &[
                ("--sketch", args.sketch.is_some()),
                ("--tol", args.tol.is_some()),
                ("--max-iter", args.max_iter.is_some()),
                ("--param", !args.params.is_empty()),
            ],
        )?;
        crate::solve_mip::run(&args)
    } else {
        reject(
            "smooth problems",
            &[
                ("--config", args.config.is_some()),
                ("--threads", args.threads != 1),
                ("--solution", args.solution.is_some()),
            ],
        )?;
        crate::solve_nlp::run(&args)
    }
}
