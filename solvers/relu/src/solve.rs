//! Entry points: sample gates, solve the chosen program, recover the network.

use std::time::Instant;

use faer::{Mat, MatRef};

use super::data::{Dataset, augment};
use super::error::ReluError;
use super::gates::{Gates, gates_from, sample_gates};
use super::model::Model;
use super::ops::{cone_violation, forward, group_norm, half_mse};
use super::settings::{Settings, SolverKind, Variant};
use super::{admm, fista, ipm};

/// Why the solver stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The stopping test (residuals or minimum-norm subgradient <= tol) held.
    Converged,
    /// `max_iter` iterations were done first.
    MaxIterations,
    /// `time_limit` ran out first.
    TimeLimit,
    /// The observer asked to stop.
    Stopped,
    /// The interior-point method could no longer move (step below 1e-8 three times) before
    /// meeting its tolerances; the iterate is returned as it stands.
    Stalled,
}

impl Status {
    /// Short name for logs and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Converged => "converged",
            Self::MaxIterations => "max_iterations",
            Self::TimeLimit => "time_limit",
            Self::Stopped => "stopped",
            Self::Stalled => "stalled",
        }
    }
}

/// What an observer sees after each iteration.
#[derive(Debug, Clone, Copy)]
pub struct IterInfo {
    /// Iteration number (1-based).
    pub iteration: usize,
    /// Program objective at the current (group-sparse) iterate.
    pub objective: f64,
    /// ADMM primal residual (NaN for FISTA).
    pub primal_residual: f64,
    /// ADMM dual residual, or FISTA's last minimum-norm subgradient.
    pub dual_residual: f64,
    /// ADMM penalty rho, or FISTA's step size.
    pub rho: f64,
    /// Seconds since the solve started (including set-up).
    pub elapsed: f64,
}

/// An iteration callback; returning false stops the solver.
pub type Observer<'a> = Option<&'a mut dyn FnMut(&IterInfo) -> bool>;

/// The result of [`fit`].
#[derive(Debug, Clone)]
pub struct FitResult {
    /// The fitted weights and gates.
    pub model: Model,
    /// Termination reason.
    pub status: Status,
    /// Solver actually used.
    pub solver: SolverKind,
    /// Iterations done.
    pub iterations: usize,
    /// Value of the program (issue 6 scaling) at the returned weights.
    pub objective: f64,
    /// Largest cone-constraint violation max (-(2D_i - I) X v_i)_+ (0 for gated).
    pub cone_violation: f64,
    /// Final primal residual (ADMM) or 0.
    pub primal_residual: f64,
    /// Final dual residual (ADMM) or minimum-norm subgradient (FISTA).
    pub dual_residual: f64,
    /// Final rho (ADMM) or step (FISTA).
    pub rho: f64,
    /// Wall-clock seconds, including gate sampling and factorizations.
    pub time: f64,
    /// Gates sampled, and how many were dropped as duplicate / all-zero patterns.
    pub gates_sampled: usize,
    /// Dropped duplicate patterns.
    pub dropped_duplicate: usize,
    /// Dropped all-zero patterns.
    pub dropped_zero: usize,
}

pub(crate) struct Problem<'a> {
    pub x: MatRef<'a, f64>,
    pub pat: MatRef<'a, f64>,
    pub y: &'a [f64],
    pub lam: f64,
}

impl Problem<'_> {
    pub fn n(&self) -> usize {
        self.x.nrows()
    }
    pub fn d(&self) -> usize {
        self.x.ncols()
    }
    pub fn p(&self) -> usize {
        self.pat.ncols()
    }
}

pub(crate) struct Outcome {
    pub u: Mat<f64>,
    pub status: Status,
    pub iterations: usize,
    pub primal_residual: f64,
    pub dual_residual: f64,
    pub rho: f64,
}

pub(crate) struct Clock {
    start: Instant,
    limit: Option<f64>,
}

impl Clock {
    pub fn new(limit: Option<f64>) -> Self {
        Self {
            start: Instant::now(),
            limit,
        }
    }
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
    pub fn over(&self) -> bool {
        self.limit.is_some_and(|l| self.elapsed() > l)
    }
}

/// Fits the program of `settings` with gates sampled from `settings.seed`.
pub fn fit(data: &Dataset, settings: &Settings) -> Result<FitResult, ReluError> {
    fit_with_observer(data, settings, None, None)
}

/// [`fit`] with optional given gate vectors (d x P, including the bias coordinate when
/// `fit_intercept`) instead of sampled ones, and an optional observer.
pub fn fit_with_observer(
    data: &Dataset,
    settings: &Settings,
    gates: Option<MatRef<'_, f64>>,
    mut observer: Observer<'_>,
) -> Result<FitResult, ReluError> {
    settings.validate()?;
    super::data::check_xy(&data.x, &data.y)?;
    let clock = Clock::new(settings.time_limit);
    let x = augment(&data.x, settings.fit_intercept);
    let g: Gates = match gates {
        Some(g) => {
            if g.nrows() != x.ncols() {
                return Err(ReluError::Data(format!(
                    "gates have {} rows, X has {} columns (with bias: {})",
                    g.nrows(),
                    x.ncols(),
                    settings.fit_intercept
                )));
            }
            gates_from(x.as_ref(), g)
        }
        None => sample_gates(x.as_ref(), settings.n_patterns, settings.seed),
    };
    if g.is_empty() {
        return Err(ReluError::Data("every sampled pattern was all-zero".into()));
    }
    let prob = Problem {
        x: x.as_ref(),
        pat: g.patterns.as_ref(),
        y: &data.y,
        lam: settings.lam,
    };
    let solver = settings.solver.resolve_for(settings.variant, x.nrows());
    let relu = settings.variant == Variant::Relu;
    let out = match solver {
        SolverKind::Fista => fista::solve_gated(&prob, settings, &clock, &mut observer),
        SolverKind::Admm => admm::solve(&prob, relu, false, settings, &clock, &mut observer)?,
        SolverKind::AdmmCg => admm::solve(&prob, relu, true, settings, &clock, &mut observer)?,
        SolverKind::Ipm => ipm::solve(&prob, relu, settings, &clock, &mut observer)?,
        SolverKind::Auto => unreachable!("resolved above"),
    };
    let (d, p) = (x.ncols(), g.len());
    let empty = Mat::<f64>::zeros(d, 0);
    let model = if relu {
        Model {
            variant: Variant::Relu,
            fit_intercept: settings.fit_intercept,
            gates: g.g.clone(),
            u: empty,
            v: out.u.as_ref().subcols(0, p).to_owned(),
            w: out.u.as_ref().subcols(p, p).to_owned(),
        }
    } else {
        Model {
            variant: Variant::Gated,
            fit_intercept: settings.fit_intercept,
            gates: g.g.clone(),
            u: out.u,
            v: empty.clone(),
            w: empty,
        }
    };
    let (objective, cone) = program_value(
        &model,
        x.as_ref(),
        g.patterns.as_ref(),
        &data.y,
        settings.lam,
    );
    Ok(FitResult {
        model,
        status: out.status,
        solver,
        iterations: out.iterations,
        objective,
        cone_violation: cone,
        primal_residual: out.primal_residual,
        dual_residual: out.dual_residual,
        rho: out.rho,
        time: clock.elapsed(),
        gates_sampled: g.sampled,
        dropped_duplicate: g.dropped_duplicate,
        dropped_zero: g.dropped_zero,
    })
}

/// Program objective and cone violation of `model` on augmented data `x` with patterns `pat`.
pub(crate) fn program_value(
    model: &Model,
    x: MatRef<'_, f64>,
    pat: MatRef<'_, f64>,
    y: &[f64],
    lam: f64,
) -> (f64, f64) {
    let (n, p) = (x.nrows(), pat.ncols());
    let mut work = Mat::<f64>::zeros(n, p);
    let mut pred = vec![0.0; n];
    let mask = vec![1.0; x.ncols()];
    match model.variant {
        Variant::Gated => {
            forward(x, pat, model.u.as_ref(), &mut work, &mut pred);
            (half_mse(&pred, y) + lam * group_norm(model.u.as_ref()), 0.0)
        }
        Variant::Relu => {
            let diff = &model.v - &model.w;
            forward(x, pat, diff.as_ref(), &mut work, &mut pred);
            let obj = half_mse(&pred, y)
                + lam * (group_norm(model.v.as_ref()) + group_norm(model.w.as_ref()));
            let cv = cone_violation(x, pat, model.v.as_ref(), 0.0, &mask).max(cone_violation(
                x,
                pat,
                model.w.as_ref(),
                0.0,
                &mask,
            ));
            (obj, cv)
        }
    }
}

/// Objective and cone violation of a model's weights on data (patterns from its gates).
pub fn evaluate_program(model: &Model, data: &Dataset, lam: f64) -> Result<(f64, f64), ReluError> {
    let x = augment(&data.x, model.fit_intercept);
    if x.ncols() != model.gates.nrows() {
        return Err(ReluError::Data(
            "feature count differs from the model's".into(),
        ));
    }
    let g = gates_from(x.as_ref(), model.gates.as_ref());
    if g.len() != model.n_patterns() {
        return Err(ReluError::Data(
            "the model's gates give duplicate or zero patterns on this data".into(),
        ));
    }
    Ok(program_value(
        model,
        x.as_ref(),
        g.patterns.as_ref(),
        &data.y,
        lam,
    ))
}
