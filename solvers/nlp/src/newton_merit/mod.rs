//! Exact Newton on the exact augmented Lagrangian merit: the baseline of `adasketch` with
//! the same outer iteration (Hessian modification, adaptive penalties, Armijo line search)
//! but every KKT system solved directly by a sparse LU of the saddle-point matrix (faer;
//! symbolic analysis once, numeric refactorization per iteration, iterative refinement).

mod settings;

pub use settings::Settings;

use std::ops::ControlFlow;

use opal_problems::SmoothProblem;

use crate::adasketch::solve::{self, Config, Inner};
use crate::eqnlp::{IterationInfo, NlpError, Output};

/// Solves `problem` with exact Newton steps on the merit function.
pub fn solve<P: SmoothProblem + ?Sized>(
    problem: &P,
    settings: &Settings,
) -> Result<Output, NlpError> {
    solve_observed(problem, settings, &mut |_| ControlFlow::Continue(()))
}

/// As [`solve`], calling `observer` after every iteration (and once at the start); the
/// run stops with [`Status::Interrupted`](crate::eqnlp::Status) when it returns `Break`.
pub fn solve_observed<P: SmoothProblem + ?Sized>(
    problem: &P,
    settings: &Settings,
    observer: &mut dyn FnMut(&IterationInfo) -> ControlFlow<()>,
) -> Result<Output, NlpError> {
    settings.validate()?;
    let base = crate::adasketch::Settings::default();
    let cfg = Config {
        solver: "newton",
        tol: settings.tol,
        abs_tol: settings.abs_tol,
        max_iter: settings.max_iter,
        time_limit: settings.time_limit,
        seed: 0,
        eta1: settings.eta1,
        eta2: settings.eta2,
        delta: base.delta,
        delta_min: base.delta_min,
        xi_b: settings.xi_b,
        beta: settings.beta,
        nu: settings.nu,
        eta1_max: settings.eta1_max,
        eta2_min: settings.eta2_min,
        superlinear: false,
        max_inner: Some(0),
        direct_fallback: true,
        fallback_residual: 0.0,
        warm_start: false,
        hessian: settings.hessian_modification,
        pd_margin: settings.pd_margin,
        dense_limit: settings.dense_limit,
        singular_tol: settings.singular_tol,
        singular_patience: settings.singular_patience,
        jacobian_regularization: settings.jacobian_regularization,
        multiplier_init: settings.multiplier_init,
        alpha_min: settings.alpha_min,
        residual_accept: settings.residual_accept,
        scaling: settings.scaling,
        verbose: settings.verbose,
        inner: Inner::Direct,
    };
    solve::run(problem, &cfg, observer)
}
