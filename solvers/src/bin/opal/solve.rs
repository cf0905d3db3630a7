//! `opal solve FILE`: the shared entry of the solver families. This file holds only the
//! arguments and the dispatch by file kind; MIP files (.mps / .lp) go to `solve_mip`.

use std::path::PathBuf;

use clap::Args;

use crate::CliError;

#[derive(Args)]
pub struct SolveArgs {
    /// The model file (.mps, .lp, optionally .gz where HiGHS reads it).
    pub file: PathBuf,
    /// Wall-clock limit in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// Seed of the search decisions.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Search configuration (JSON; see `Config` in opal-solvers' balans module).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Worker threads (ParBalans when above 1).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Write the best solution (name value per line) to this file.
    #[arg(long, value_name = "OUT.sol")]
    pub solution: Option<PathBuf>,
    /// Print one JSON object with the result on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also show the underlying solver's own log.
    #[arg(long)]
    pub verbose: bool,
    /// MIP solver: `balans` (default) or `highs` (plain HiGHS, the baseline).
    #[arg(long, default_value = "balans")]
    pub solver: String,
    /// No progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// Whether `file` is a MIP model by its extension (case-insensitive).
pub fn is_mip_file(file: &std::path::Path) -> bool {
    let name = file.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".mps") || name.ends_with(".lp")
}

/// Runs the subcommand.
pub fn run(args: SolveArgs) -> Result<(), CliError> {
    if is_mip_file(&args.file) {
        crate::solve_mip::run(&args)
    } else {
        Err(CliError::new(format!(
            "{}: unknown model kind (expected .mps or .lp)",
            args.file.display()
        )))
    }
}
