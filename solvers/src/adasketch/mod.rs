//! Sketched inexact Newton with an exact augmented Lagrangian (Hong, Na, Mahoney, Kolar,
//! ICML 2023) for min f(x) s.t. c(x) = 0 (equality constraints, no bounds).
//!
//! Each iteration solves the Newton (KKT) system [[B, J^T], [J, 0]] (dx, dlambda) =
//! -(grad_x L, c) inexactly by randomized sketching ([`SketchKind`]: Kaczmarz, Gaussian
//! sketch-and-project, sparse sign blocks), warm-started, until the adaptive accuracy
//! condition ||K d - b|| <= theta delta ||b|| / (psi ||K||_F) holds; checks that the result
//! is a sufficient descent direction of the exact augmented Lagrangian merit (adapting the
//! penalties eta1, eta2 and the accuracy delta otherwise) and takes an Armijo step on it.
//! B = H + t I with the smallest shift t that makes the reduced Hessian positive definite
//! ([`crate::eqnlp::HessianModification`]). See [`Settings`] for every constant and the
//! safeguards (round-off floor of the accuracy condition, direct fallback when the sketch
//! cannot reach its accuracy within the cap, steepest descent of the merit as last resort).

mod settings;
pub(crate) mod sketch;
pub(crate) mod solve;

pub use settings::Settings;
pub use sketch::{Sampling, SketchKind};

use opal_problems::SmoothProblem;

use crate::eqnlp::{IterationInfo, NlpError, Output};

/// Solves `problem` with the sketched inexact Newton method.
pub fn solve<P: SmoothProblem + ?Sized>(
    problem: &P,
    settings: &Settings,
) -> Result<Output, NlpError> {
    solve_observed(problem, settings, &mut |_| {})
}

/// As [`solve`], calling `observer` after every iteration (and once at the start).
pub fn solve_observed<P: SmoothProblem + ?Sized>(
    problem: &P,
    settings: &Settings,
    observer: &mut dyn FnMut(&IterationInfo),
) -> Result<Output, NlpError> {
    settings.validate()?;
    solve::run(problem, &solve::Config::from_settings(settings), observer)
}
