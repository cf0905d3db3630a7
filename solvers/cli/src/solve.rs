//! `opal solve`: the dispatch by problem kind. MIP files (.mps / .lp) go to `solve_mip`,
//! everything else (SIF files, built-in smooth problems such as `pde:N=100`) to
//! `solve_nlp`, which picks the interior point or an equality solver. The arguments live
//! in `solve_args`, the one module every front end imports.

use crate::CliError;
use crate::solve_args::{SolveArgs, is_mip_file};

/// Options given that the problem kind does not use: an error rather than silence.
pub fn reject(kind: &str, given: &[(&str, bool)]) -> Result<(), CliError> {
    match given.iter().find(|(_, on)| *on) {
        Some((flag, _)) => Err(CliError::new(format!("{flag} does not apply to {kind}"))),
        None => Ok(()),
    }
}

/// Runs the subcommand. For smooth problems the exit code is 0 whenever the solver ran
/// (its status says how it ended, `infeasible` and `unbounded` included) and 1 for bad
/// input.
pub fn run(args: SolveArgs) -> Result<(), CliError> {
    if is_mip_file(&args.file) {
        if let Some(s) = args.solver.filter(|s| !s.is_mip()) {
            return Err(CliError::new(format!(
                "--solver {} does not apply to MIP models (balans or highs)",
                s.as_str()
            )));
        }
        reject("MIP models", &args.ipm_only_flags())?;
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
        if let Some(s) = args.solver.filter(|s| s.is_mip()) {
            return Err(CliError::new(format!(
                "--solver {} applies to MIP models (.mps/.lp) only; smooth problems take \
                 ipm, adasketch, newton or auglag",
                s.as_str()
            )));
        }
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
