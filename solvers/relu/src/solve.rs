//! Entry points: sample gates, solve the chosen program, recover the network.

use faer::{Mat, MatRef};
use opal_core::{NoObserver, Observer, Start, Status};

use super::data::{Dataset, augment, check_xy};
use super::error::ReluError;
use super::gates::{Gates, gates_from, sample_gates};
use super::memory::{self, Sizes};
use super::model::Model;
use super::ops::{cone_violation, forward, group_norm, half_mse};
use super::products::nonzeros;
use super::program::{IterInfo, Problem, ReluRun, with_log};
use super::settings::{Settings, SolverKind, Variant};
use super::{admm, auglag, fista, ipm};

/// The result of [`fit`].
#[derive(Debug, Clone)]
pub struct FitResult {
    /// The fitted weights and gates.
    pub model: Model,
    /// How the run ended: `Converged` (the solver's stopping test held), `IterationLimit`,
    /// `TimeLimit`, `Interrupted` (an observer or the budget's stop request) or `Stalled`
    /// (the interior point could no longer move).
    pub status: Status,
    /// The precise cause, in words.
    pub message: String,
    /// Solver actually used.
    pub solver: SolverKind,
    /// Iterations done.
    pub iterations: usize,
    /// Value of the program (issue 6 scaling) at the returned weights.
    pub objective: f64,
    /// Largest cone-constraint violation max (-(2D_i - I) X v_i)_+ (0 for gated).
    pub cone_violation: f64,
    /// Final primal residual (ADMM, interior point) or 0.
    pub primal_residual: f64,
    /// Final dual residual (ADMM, interior point) or minimum-norm subgradient (FISTA).
    pub dual_residual: f64,
    /// Final rho (ADMM) or step (FISTA); 0 for the interior point.
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

/// Fits the program of `settings` with gates sampled from `settings.seed`.
pub fn fit(data: &Dataset, settings: &Settings) -> Result<FitResult, ReluError> {
    fit_observed(data, settings, &mut NoObserver)
}

/// [`fit`] with an observer of the iterations (it may stop the run).
pub fn fit_observed(
    data: &Dataset,
    settings: &Settings,
    observer: &mut dyn Observer<IterInfo>,
) -> Result<FitResult, ReluError> {
    fit_impl(data, settings, None, observer)
}

/// [`fit_observed`] with given gate vectors (d x P, including the bias coordinate when
/// `fit_intercept`) instead of sampled ones.
pub fn fit_with_gates(
    data: &Dataset,
    settings: &Settings,
    gates: MatRef<'_, f64>,
    observer: &mut dyn Observer<IterInfo>,
) -> Result<FitResult, ReluError> {
    fit_impl(data, settings, Some(gates), observer)
}

fn fit_impl(
    data: &Dataset,
    settings: &Settings,
    gates: Option<MatRef<'_, f64>>,
    observer: &mut dyn Observer<IterInfo>,
) -> Result<FitResult, ReluError> {
    settings.validate()?;
    check_xy(data.x.as_ref(), &data.y)?;
    // The time limit counts from here: gate sampling and factorizations included.
    let mut budget = settings.budget.clone();
    budget.start.get_or_insert_with(std::time::Instant::now);
    let relu = settings.variant == Variant::Relu;
    let (n, bias) = (data.n(), usize::from(settings.fit_intercept));
    let sizes = Sizes {
        n,
        d: data.d() + bias,
        p: settings.n_patterns,
        nnz: nonzeros(data.x.as_ref()) + bias * n,
        relu,
    };
    let available = memory::available();
    let mut solver = settings.solver.resolve_for(settings.variant, n);
    if settings.solver == SolverKind::Auto && !sizes.fits(solver, available) {
        // The first-order solvers: memory linear in n.
        solver = if relu {
            SolverKind::AugLag
        } else {
            SolverKind::Fista
        };
    }
    // Refused here, before the augmented copy and the patterns are allocated.
    sizes.check(solver, available)?;
    let x = augment(data.x.as_ref(), settings.fit_intercept);
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
    let every = if solver == SolverKind::Ipm {
        1
    } else {
        settings.log_every
    };
    let problem = format!(
        "{} program, n = {}, d = {}, P = {}",
        settings.variant.name(),
        prob.n(),
        prob.d(),
        prob.p()
    );
    with_log(settings.verbose, every, observer, |observer| {
        let start = Start {
            solver: solver.name(),
            problem: &problem,
        };
        let mut run = ReluRun::start(&budget, observer, start);
        let out = match solver {
            SolverKind::Fista => fista::solve_gated(&prob, settings, &mut run),
            SolverKind::Admm => admm::solve(&prob, relu, false, settings, &mut run)?,
            SolverKind::AdmmCg => admm::solve(&prob, relu, true, settings, &mut run)?,
            SolverKind::Ipm => ipm::solve(&prob, relu, settings.tol, &mut run)?,
            SolverKind::AugLag => auglag::solve_relu(&prob, settings, &mut run),
            SolverKind::Auto => unreachable!("resolved above"),
        };
        let model = if relu {
            Model::relu_blocks(&out.u, g.g.clone(), settings.fit_intercept)
        } else {
            Model::gated(out.u, g.g.clone(), settings.fit_intercept)
        };
        let (objective, cone) = program_value(&model, prob.x, prob.pat, prob.y, prob.lam);
        let time = run.finish(out.status, out.iterations, objective, &out.message);
        Ok(FitResult {
            model,
            status: out.status,
            message: out.message,
            solver,
            iterations: out.iterations,
            objective,
            cone_violation: cone,
            primal_residual: out.primal_residual,
            dual_residual: out.dual_residual,
            rho: out.rho,
            time: time.as_secs_f64(),
            gates_sampled: g.sampled,
            dropped_duplicate: g.dropped_duplicate,
            dropped_zero: g.dropped_zero,
        })
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
    let x = augment(data.x.as_ref(), model.fit_intercept);
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
