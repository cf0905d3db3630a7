//! Exact Newton on the exact augmented Lagrangian merit: the baseline of `adasketch` with
//! the same outer iteration (Hessian modification, adaptive penalties, Armijo line search)
//! but every KKT system solved directly by [`DirectLu`](crate::eqnlp::DirectLu), faer's
//! sparse LU of the saddle-point matrix (symbolic analysis once, numeric refactorization
//! per iteration, iterative refinement). Its settings are exactly the merit iteration's.

use opal_core::{NoObserver, Observer};
use opal_problems::SmoothProblem;

use crate::eqnlp::merit::{self, KktChoice, MeritConfig};
use crate::eqnlp::{IterationInfo, NlpError, Output};

/// Settings of [`solve`]: the merit iteration's, with the same meaning and defaults as in
/// `adasketch` (`adasketch::Settings::merit`).
pub use crate::eqnlp::MeritSettings as Settings;

/// Solves `problem` with exact Newton steps on the merit function.
pub fn solve<P: SmoothProblem + ?Sized>(
    problem: &P,
    settings: &Settings,
) -> Result<Output, NlpError> {
    solve_observed(problem, settings, &mut NoObserver)
}

/// As [`solve`], showing `observer` every iterate (the start point included); the run
/// ends with [`Status::Interrupted`](opal_core::Status::Interrupted) when it says stop.
pub fn solve_observed<P: SmoothProblem + ?Sized>(
    problem: &P,
    settings: &Settings,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, NlpError> {
    settings.validate()?;
    let cfg = MeritConfig {
        solver: "newton",
        settings,
        kkt: KktChoice::Direct,
    };
    merit::solve(problem, &cfg, observer)
}
