//! What every equality-constrained solve does around its iteration: wrap and scale the
//! problem, pick the start multipliers, attach the log to the observer, record iterates
//! and assemble the [`Output`] in terms of the original problem.

use std::time::Duration;

use opal_core::{LogObserver, Observer, Observers};
use opal_problems::SmoothProblem;

use super::curvature::least_squares_multipliers;
use super::error::NlpError;
use super::options::MultiplierInit;
use super::output::{End, Output};
use super::point::Point;
use super::problem::EqProblem;
use super::record::{DirectionKind, IterationInfo};

/// The wrapped problem with the start point and start multipliers (scaled).
pub(crate) struct Setup<'p, P: ?Sized> {
    /// The problem as the solvers see it.
    pub ep: EqProblem<'p, P>,
    /// x0.
    pub x: Vec<f64>,
    /// lambda0 of the scaled problem.
    pub lam: Vec<f64>,
    /// "NAME: n = .., m = .." for the log.
    pub line: String,
}

impl<'p, P: SmoothProblem + ?Sized> Setup<'p, P> {
    /// Wraps `problem` (refusing what `solver` cannot take), computes the scaling at x0
    /// when asked and the start multipliers of `init` that need no evaluation.
    pub fn new(
        problem: &'p P,
        solver: &'static str,
        scaling: bool,
        init: MultiplierInit,
    ) -> Result<Self, NlpError> {
        let mut ep = EqProblem::new(problem, solver)?;
        let info = problem.info();
        let x = info.x0.clone();
        if scaling {
            ep.compute_scaling(&x);
        }
        let mut lam = vec![0.0; ep.m];
        if let (MultiplierInit::Auto, Some(y0)) = (init, &info.y0) {
            ep.scale_multipliers(y0, &mut lam);
        }
        let line = format!("{}: n = {}, m = {}", info.name, ep.n, ep.m);
        Ok(Self { ep, x, lam, line })
    }
}

/// With `MultiplierInit::LeastSquares`, replaces `lam` by the least-squares multipliers
/// at the evaluated start point `pt` (when J(x0) has full row rank); true when it did.
pub(crate) fn least_squares_start<P: SmoothProblem + ?Sized>(
    ep: &EqProblem<'_, P>,
    init: MultiplierInit,
    pt: &Point,
    lam: &mut Vec<f64>,
) -> bool {
    if init != MultiplierInit::LeastSquares {
        return false;
    }
    match least_squares_multipliers(ep.jac(), &pt.jv, &pt.g) {
        Some(l0) => {
            *lam = l0;
            true
        }
        None => false,
    }
}

/// Runs `body` with `observer`, preceded by the stderr iteration log when `verbose`.
pub(crate) fn with_log<R>(
    verbose: bool,
    observer: &mut dyn Observer<IterationInfo>,
    body: impl FnOnce(&mut dyn Observer<IterationInfo>) -> R,
) -> R {
    if verbose {
        let mut log = LogObserver::stderr();
        let mut both = Observers::new().with(&mut log).with(observer);
        body(&mut both)
    } else {
        body(observer)
    }
}

/// The record of an iterate with value `f`, grad_x L `gl` and constraints `c` of the
/// scaled problem, in terms of the original one; the step fields are left empty.
pub(crate) fn record_at<P: SmoothProblem + ?Sized>(
    ep: &EqProblem<'_, P>,
    f: f64,
    gl: &[f64],
    c: &[f64],
    iteration: usize,
    elapsed: Duration,
) -> IterationInfo {
    let (cn, _, gn) = ep.unscaled_norms(gl, c);
    IterationInfo {
        iteration,
        objective: f / ep.obj_scale,
        constraint_norm: cn,
        lagrangian_gradient_norm: gn,
        kkt_residual: ep.unscaled_kkt(gl, c),
        eta1: 0.0,
        eta2: 0.0,
        shift: 0.0,
        inner_iterations: 0,
        inner_residual: f64::NAN,
        alpha: 0.0,
        direction: DirectionKind::Start,
        elapsed,
    }
}

/// Counters of a run.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    /// Outer iterations.
    pub iterations: usize,
    /// Inner iterations.
    pub inner: usize,
    /// Direct KKT solves.
    pub direct: usize,
}

/// The final values of a run (scaled problem) for [`output`].
pub(crate) struct Final<'a> {
    /// The point.
    pub x: Vec<f64>,
    /// Multipliers of the scaled problem.
    pub lam: &'a [f64],
    /// f of the scaled problem.
    pub f: f64,
    /// grad_x L of the scaled problem.
    pub gl: &'a [f64],
    /// c - cl of the scaled problem.
    pub c: &'a [f64],
    /// KKT residual of the original problem.
    pub kkt: f64,
    /// KKT residual at the start.
    pub r0: f64,
}

/// The output of a run, in terms of the original problem.
pub(crate) fn output<P: SmoothProblem + ?Sized>(
    ep: &EqProblem<'_, P>,
    solver: &'static str,
    end: End,
    last: Final<'_>,
    counters: Counters,
    eta: (f64, f64),
    time: Duration,
) -> Output {
    let (cn, cv, gn) = ep.unscaled_norms(last.gl, last.c);
    let mut lambda = vec![0.0; last.lam.len()];
    ep.unscale_multipliers(last.lam, &mut lambda);
    Output {
        solver,
        status: end.status,
        failure: end.failure,
        message: end.message,
        x: last.x,
        lambda,
        objective: last.f / ep.obj_scale,
        constraint_norm: cn,
        constraint_violation: cv,
        lagrangian_gradient_norm: gn,
        kkt_residual: last.kkt,
        initial_kkt_residual: last.r0,
        iterations: counters.iterations,
        inner_iterations: counters.inner,
        direct_solves: counters.direct,
        evaluations: ep.evals,
        eta1: eta.0,
        eta2: eta.1,
        time,
    }
}
