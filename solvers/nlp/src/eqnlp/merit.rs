//! The outer iteration shared by `adasketch` (inexact KKT solves by sketching) and
//! `newton` (exact KKT solves): Newton steps on the KKT conditions globalized by an
//! Armijo line search on the exact augmented Lagrangian
//!
//!   L_eta(x, lambda) = L + (eta1/2) ||c||^2 + (eta2/2) ||grad_x L||^2,
//!
//! with adaptive penalties (eta1 up, eta2 down) whenever the direction is not a
//! sufficient descent direction. The merit gradient uses the exact Hessian of the
//! Lagrangian H (not the modified B, and not the Hessian of f as in the authors' code):
//!
//!   grad L_eta = [grad_x L + eta2 H grad_x L + eta1 J^T c ;  c + eta2 J grad_x L].
//!
//! One iteration is a sequence of named steps ([`MeritLoop::step`]): the Hessian and the
//! merit's products, the curvature analysis, the linear system, the direction (through
//! the [`KktSolver`]), the line search and the update. Every workspace is sized once.

use opal_core::linalg::{add_scaled, dot, norm, norm_inf};
use opal_core::{Observer, Run, Start, Status};
use opal_problems::{EvalError, SmoothProblem, SparsityPattern};

use super::curvature::{Analysis, Analyzer, AnalyzerConfig};
use super::error::NlpError;
use super::kkt::{Derivatives, KktMatrix, Regularization};
use super::kkt_solver::{Accuracy, DirectLu, KktError, KktSolver, SketchConfig, SketchKkt};
use super::output::{End, Output};
use super::point::Point;
use super::problem::EqProblem;
use super::record::{DirectionKind, IterationInfo};
use super::settings::MeritSettings;
use super::solve::{Counters, Final, Setup, least_squares_start, output, record_at, with_log};

/// The sketched solver's own parameters (adasketch's settings beyond [`MeritSettings`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inexact {
    /// Seed of the sketches.
    pub seed: u64,
    /// Initial accuracy parameter delta.
    pub delta: f64,
    /// Lower bound of delta at the start of each iteration.
    pub delta_min: f64,
    /// theta_k = min(1, r_k) in the accuracy condition.
    pub superlinear: bool,
    /// The sketching solver.
    pub sketch: SketchConfig,
    /// Inner iteration cap per outer iteration (`None`: 20 sweeps, in [1e3, 1e6]).
    pub max_inner: Option<usize>,
    /// Direct solve when the sketch falls short.
    pub direct_fallback: bool,
    /// Relative residual under which a capped sketch direction is usable.
    pub fallback_residual: f64,
    /// Warm start at (1 - alpha_prev) d_prev.
    pub warm_start: bool,
}

/// How the merit iteration solves its Newton systems.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KktChoice {
    /// Every system by [`DirectLu`].
    Direct,
    /// By [`SketchKkt`] to the adaptive accuracy, with these parameters.
    Sketch(Inexact),
}

/// One merit-method solve: who runs it and how it solves its Newton systems.
pub(crate) struct MeritConfig<'a> {
    /// Solver name in the output and the log.
    pub solver: &'static str,
    /// The shared settings.
    pub settings: &'a MeritSettings,
    /// Direct or sketched KKT solves.
    pub kkt: KktChoice,
}

impl<'a> MeritConfig<'a> {
    /// The solve of `solver` with `settings` and `kkt` solves.
    pub(crate) fn new(solver: &'static str, settings: &'a MeritSettings, kkt: KktChoice) -> Self {
        Self {
            solver,
            settings,
            kkt,
        }
    }
}

/// Solves `problem` with the merit-based Newton iteration.
pub(crate) fn solve<P: SmoothProblem + ?Sized>(
    problem: &P,
    cfg: &MeritConfig<'_>,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, NlpError> {
    let s = cfg.settings;
    let setup = Setup::new(problem, cfg.solver, s.scaling, s.multiplier_init)?;
    let merit = MeritLoop::new(setup, cfg);
    Ok(with_log(s.verbose, observer, |obs| merit.run(obs)))
}

/// The linear system of one iteration.
#[derive(Debug, Clone, Copy)]
struct System {
    /// ||b|| = the KKT residual of the scaled problem.
    bnorm: f64,
    /// psi of the accuracy condition.
    psi: f64,
    /// theta of the accuracy condition.
    theta: f64,
    /// ||K||_F of the regularized matrix.
    k_frob: f64,
    /// The Hessian shift and the Jacobian regularization.
    reg: Regularization,
}

/// The direction of one iteration (in `MeritLoop::d`).
#[derive(Debug, Clone, Copy)]
struct Direction {
    kind: DirectionKind,
    inner: usize,
    lin_res: f64,
    /// Directional derivative of the merit.
    dd: f64,
}

/// The state of a merit-method run: problem, structures, workspaces and counters.
struct MeritLoop<'a, 'p, P: ?Sized> {
    cfg: &'a MeritConfig<'a>,
    s: &'a MeritSettings,
    ep: EqProblem<'p, P>,
    jac: &'p SparsityPattern,
    hess: SparsityPattern,
    line: String,
    kkt: KktMatrix,
    analyzer: Analyzer,
    solver: Box<dyn KktSolver>,
    max_inner: usize,
    x: Vec<f64>,
    lam: Vec<f64>,
    pt: Point,
    trial: Point,
    xt: Vec<f64>,
    lt: Vec<f64>,
    hv: Vec<f64>,
    /// H grad_x L, J^T c, J grad_x L: the products of the merit gradient.
    hgl: Vec<f64>,
    jtc: Vec<f64>,
    jgl: Vec<f64>,
    b: Vec<f64>,
    d: Vec<f64>,
    d_prev: Vec<f64>,
    /// Merit gradient.
    gm: Vec<f64>,
    eta1: f64,
    eta2: f64,
    delta: f64,
    counters: Counters,
    singular_count: usize,
    singular_ref: f64,
    direct_failures: usize,
    alpha_prev: f64,
    have_prev: bool,
    best_kkt: f64,
    stagnant: usize,
    r0: f64,
    tol: f64,
}

impl<'a, 'p, P: SmoothProblem + ?Sized> MeritLoop<'a, 'p, P> {
    fn new(setup: Setup<'p, P>, cfg: &'a MeritConfig<'a>) -> Self {
        let s = cfg.settings;
        let ep = setup.ep;
        let (n, m) = (ep.n, ep.m);
        let dim = n + m;
        let jac = ep.jac();
        let hess = ep.hess.clone();
        let kkt = KktMatrix::new(&hess, jac);
        // The sketch's delta is carried along but only matters to the sketch's target.
        let (solver, max_inner, delta): (Box<dyn KktSolver>, usize, f64) = match cfg.kkt {
            KktChoice::Sketch(inexact) => {
                let block = inexact.sketch.block.max(1);
                let max_inner = inexact
                    .max_inner
                    .unwrap_or_else(|| (20 * dim / block).clamp(1_000, 1_000_000));
                let solver = SketchKkt::new(&kkt, inexact.sketch, inexact.seed);
                (Box::new(solver), max_inner, inexact.delta)
            }
            KktChoice::Direct => (Box::new(DirectLu::new(&kkt)), 0, 0.0),
        };
        let analyzer = Analyzer::new(
            n,
            m,
            AnalyzerConfig {
                dense_limit: s.dense_limit,
                mode: s.hessian_modification,
                xi_b: s.xi_b,
                singular_tol: s.singular_tol,
                margin: s.pd_margin,
            },
        );
        Self {
            cfg,
            s,
            jac,
            hv: vec![0.0; hess.nnz()],
            hess,
            line: setup.line,
            kkt,
            analyzer,
            solver,
            max_inner,
            x: setup.x,
            lam: setup.lam,
            pt: Point::new(n, m, jac.nnz()),
            trial: Point::new(n, m, jac.nnz()),
            xt: vec![0.0; n],
            lt: vec![0.0; m],
            hgl: vec![0.0; n],
            jtc: vec![0.0; n],
            jgl: vec![0.0; m],
            b: vec![0.0; dim],
            d: vec![0.0; dim],
            d_prev: vec![0.0; dim],
            gm: vec![0.0; dim],
            eta1: s.eta1,
            eta2: s.eta2,
            delta,
            counters: Counters::default(),
            singular_count: 0,
            singular_ref: f64::INFINITY,
            direct_failures: 0,
            alpha_prev: 1.0,
            have_prev: false,
            best_kkt: f64::INFINITY,
            stagnant: 0,
            r0: f64::NAN,
            tol: 0.0,
            ep,
        }
    }

    /// The whole run: start point, iterations, output.
    fn run(mut self, observer: &mut dyn Observer<IterationInfo>) -> Output {
        let s = self.s;
        let start = Start {
            solver: self.cfg.solver,
            problem: &self.line,
        };
        let mut run = Run::start(&s.budget, observer, start);
        if let Err(e) = self.pt.eval(&mut self.ep, &self.x) {
            let end = End::evaluation(format!("at the start point: {e}"));
            let time = run.finish(end.status, 0, f64::NAN, &end.message);
            let mut out = self.output(end, time);
            out.objective = f64::NAN;
            out.kkt_residual = f64::NAN;
            return out;
        }
        self.pt.update_gl(self.jac, &self.lam);
        if least_squares_start(&self.ep, self.s.multiplier_init, &self.pt, &mut self.lam) {
            self.pt.update_gl(self.jac, &self.lam);
        }
        // Convergence is judged on the original problem; the algorithm works on the scaled one.
        self.r0 = self.ep.unscaled_kkt(&self.pt.gl, &self.pt.c);
        self.tol = self.s.abs_tol.max(self.s.tol * self.r0.max(1.0));
        self.best_kkt = self.pt.kkt();
        let end = self.iterate(&mut run);
        let objective = self.pt.f / self.ep.obj_scale;
        let time = run.finish(
            end.status,
            self.counters.iterations,
            objective,
            &end.message,
        );
        self.output(end, time)
    }

    /// Iterates until convergence, a limit or a failure.
    fn iterate(&mut self, run: &mut Run<'_, '_, IterationInfo>) -> End {
        let first = IterationInfo {
            eta1: self.eta1,
            eta2: self.eta2,
            ..self.record(0, run)
        };
        let mut limit = run.iteration(0, &first);
        loop {
            let kkt = self.ep.unscaled_kkt(&self.pt.gl, &self.pt.c);
            if kkt <= self.tol {
                return End::with_status(Status::Converged, kkt, self.tol, &self.s.budget);
            }
            if let Some(status) = limit {
                return End::with_status(status, kkt, self.tol, &self.s.budget);
            }
            let (info, alpha, scale) = match self.step(run) {
                Ok(step) => step,
                Err(end) => return end,
            };
            limit = run.iteration(self.counters.iterations, &info);
            // Accepted steps that no longer move the point: stop instead of crawling.
            if alpha * norm_inf(&self.d) <= 1e-12 * scale {
                self.stagnant += 1;
                if self.stagnant >= 20 {
                    return End::stalled(format!(
                        "the last 20 steps were shorter than 1e-12 relative to the point \
                         (iteration {})",
                        self.counters.iterations
                    ));
                }
            } else {
                self.stagnant = 0;
            }
        }
    }

    /// One iteration: returns its record, the step length and the point's scale.
    fn step(&mut self, run: &Run<'_, '_, IterationInfo>) -> Result<(IterationInfo, f64, f64), End> {
        let r = self.pt.kkt();
        self.hessian_products()?;
        let (an, h_frob, reg) = self.curvature(r)?;
        let system = self.system(&an, h_frob, reg, r);
        let mut dir = self.direction(run, &system)?;
        let (alpha, scale) = self.line_search(run, &mut dir)?;
        self.accept(alpha, &dir);
        let info = IterationInfo {
            eta1: self.eta1,
            eta2: self.eta2,
            shift: an.shift,
            inner_iterations: dir.inner,
            inner_residual: dir.lin_res,
            alpha,
            direction: dir.kind,
            ..self.record(self.counters.iterations, run)
        };
        Ok((info, alpha, scale))
    }

    /// The Hessian of the Lagrangian and the products with H and J of the merit gradient.
    fn hessian_products(&mut self) -> Result<(), End> {
        if let Err(e) = self.ep.hessian(&self.x, 1.0, &self.lam, &mut self.hv) {
            return Err(End::evaluation(format!(
                "Hessian at iteration {}: {e}",
                self.counters.iterations
            )));
        }
        self.hess
            .symmetric_matvec(&self.hv, &self.pt.gl, &mut self.hgl);
        self.jac
            .matvec_transpose(&self.pt.jv, &self.pt.c, &mut self.jtc, false);
        self.jac
            .matvec(&self.pt.jv, &self.pt.gl, &mut self.jgl, false);
        Ok(())
    }

    /// Curvature and regularity: the analysis, ||H||_F and the regularization r of the
    /// constraint block (nonzero while J is rank deficient).
    fn curvature(&mut self, r: f64) -> Result<(Analysis, f64, f64), End> {
        self.kkt.assemble(&self.hv, &self.pt.jv);
        let (h_frob, _, _) = self.kkt.norms(Regularization::default());
        let an = self.analyzer.analyze(
            Derivatives::new(&self.hess, &self.hv, self.jac, &self.pt.jv),
            h_frob,
            r,
        );
        if !an.singular {
            self.singular_count = 0;
            return Ok((an, h_frob, 0.0));
        }
        // Rank deficiency is tolerated while the KKT residual keeps halving every
        // `singular_patience` iterations (e.g. when LICQ fails only at the solution).
        let patience = self.s.singular_patience;
        self.singular_count += 1;
        if self.singular_count == 1 {
            self.singular_ref = r;
        }
        if self.singular_count > patience {
            if r <= 0.5 * self.singular_ref && patience > 0 {
                self.singular_count = 1;
                self.singular_ref = r;
            } else {
                return Err(End::singular(format!(
                    "J(x) is rank deficient at iteration {} (smallest eigenvalue of J J^T \
                     = {:.3e}) and the regularized iterations stopped making progress",
                    self.counters.iterations, an.xi_g
                )));
            }
        }
        // Multiplier steps stay bounded (dlambda ~ c / reg when J vanishes) while the
        // regularization fades as the constraints are satisfied.
        let reg = self
            .s
            .jacobian_regularization
            .max(norm(&self.pt.c).min(1.0));
        Ok((an, h_frob, reg))
    }

    /// The right side b = -(grad_x L, c), the norms of K and the accuracy constants.
    fn system(&mut self, an: &Analysis, h_frob: f64, reg: f64, r: f64) -> System {
        let n = self.ep.n;
        let reg = Regularization::new(an.shift, reg);
        let (b_frob, g_frob, k_frob) = self.kkt.norms(reg);
        for (bi, g) in self.b[..n].iter_mut().zip(&self.pt.gl) {
            *bi = -g;
        }
        for (bi, c) in self.b[n..].iter_mut().zip(&self.pt.c) {
            *bi = -c;
        }
        let s = self.s;
        let upsilon = g_frob.max(h_frob).max(1.0);
        let psi =
            20.0 * (b_frob * b_frob).max(1.0) / (an.xi_g.clamp(1e-300, 1.0) * s.xi_b.min(1.0));
        let (eta1, eta2) = (self.eta1, self.eta2);
        self.delta = (self
            .delta
            .min((0.5 - s.beta) * eta2 / ((1.0 + eta1 + eta2) * upsilon.powi(2) * psi.powi(2))))
        .max(self.inexact().map_or(0.0, |i| i.delta_min));
        let superlinear = self.inexact().is_some_and(|i| i.superlinear);
        System {
            bnorm: r,
            psi,
            theta: if superlinear { r.min(1.0) } else { 1.0 },
            k_frob,
            reg,
        }
    }

    /// The sketch's parameters when the systems are sketched.
    fn inexact(&self) -> Option<Inexact> {
        match self.cfg.kkt {
            KktChoice::Sketch(inexact) => Some(inexact),
            KktChoice::Direct => None,
        }
    }

    /// Sufficient descent: dd <= -eta2 ||b||^2 / 2.
    fn sufficient(&self, bnorm: f64) -> f64 {
        -0.5 * self.eta2 * bnorm * bnorm
    }

    /// Penalty adaptation ran to its limits.
    fn exhausted(&self) -> bool {
        self.eta1 > self.s.eta1_max || self.eta2 < self.s.eta2_min
    }

    /// eta1 <- nu^2 eta1, eta2 <- eta2 / nu, delta <- delta / nu^4.
    fn adapt_penalties(&mut self) {
        let nu = self.s.nu;
        self.eta1 *= nu * nu;
        self.eta2 /= nu;
        self.delta /= nu.powi(4);
    }

    /// gm = grad L_eta for the current penalties; returns gm^T d.
    fn merit_slope(&mut self) -> f64 {
        let n = self.ep.n;
        let (eta1, eta2) = (self.eta1, self.eta2);
        for i in 0..n {
            self.gm[i] = self.pt.gl[i] + eta2 * self.hgl[i] + eta1 * self.jtc[i];
        }
        for i in 0..self.ep.m {
            self.gm[n + i] = self.pt.c[i] + eta2 * self.jgl[i];
        }
        dot(&self.gm, &self.d)
    }

    /// d = -grad L_eta; returns the directional derivative -||grad L_eta||^2.
    fn steepest_descent(&mut self) -> f64 {
        self.merit_slope();
        for (di, g) in self.d.iter_mut().zip(&self.gm) {
            *di = -g;
        }
        -dot(&self.gm, &self.gm)
    }

    /// The search direction into `self.d`: sketched (with penalty adaptation and the
    /// direct fallback) or direct, then safeguarded by steepest descent of the merit.
    fn direction(
        &mut self,
        run: &Run<'_, '_, IterationInfo>,
        system: &System,
    ) -> Result<Direction, End> {
        let saved = (self.eta1, self.eta2, self.delta);
        let mut dir = Direction {
            kind: DirectionKind::Direct,
            inner: 0,
            lin_res: f64::NAN,
            dd: 0.0,
        };
        let mut need_direct = true;
        if let Some(inexact) = self.inexact() {
            let sketched = self.sketch_direction(run, system, inexact, &mut dir);
            self.counters.inner += dir.inner;
            need_direct = sketched?;
        }
        if need_direct {
            self.direct_direction(run, system, &mut dir)?;
        }
        let sufficient = self.sufficient(system.bnorm);
        if (dir.dd.is_nan() || dir.dd > sufficient) && self.exhausted() {
            // The adaptation ran to its limits without producing sufficient descent: the
            // direction, not the penalties, is at fault. Keep the previous penalties.
            (self.eta1, self.eta2, self.delta) = saved;
            dir.dd = self.merit_slope();
        }
        if dir.dd.is_nan() || dir.dd >= 0.0 {
            // Not a descent direction: steepest descent on the merit.
            dir.dd = self.steepest_descent();
            dir.kind = DirectionKind::SteepestDescent;
        }
        Ok(dir)
    }

    /// Sketched solves until the accuracy condition and sufficient descent hold, adapting
    /// the penalties in between; returns whether a direct solve must take over.
    fn sketch_direction(
        &mut self,
        run: &Run<'_, '_, IterationInfo>,
        system: &System,
        inexact: Inexact,
        dir: &mut Direction,
    ) -> Result<bool, End> {
        let stop = || run.should_stop().is_some();
        if let Err(e) = self.solver.factor(&self.kkt, system.reg) {
            return Err(End::singular(e.to_string()));
        }
        if inexact.warm_start && self.have_prev {
            for (di, dp) in self.d.iter_mut().zip(&self.d_prev) {
                *di = (1.0 - self.alpha_prev) * dp;
            }
        } else {
            self.d.fill(0.0);
        }
        let bnorm = system.bnorm;
        let usable = inexact.fallback_residual * bnorm;
        let mut resume = false;
        loop {
            let target = system.theta * self.delta * bnorm
                / (system.psi * system.k_frob.max(f64::MIN_POSITIVE));
            let accuracy = Accuracy::Inexact {
                target,
                usable,
                max_iterations: self.max_inner - dir.inner,
                resume,
            };
            resume = true;
            let rep = self
                .solver
                .solve(&self.kkt, &self.b, &mut self.d, accuracy, &stop)
                .map_err(|e| End::singular(e.to_string()))?;
            dir.inner += rep.iterations;
            dir.lin_res = rep.residual / bnorm;
            if rep.stopped {
                let status = run.should_stop().unwrap_or(Status::TimeLimit);
                return Err(End::with_status(status, f64::NAN, 0.0, &self.s.budget));
            }
            dir.kind = if rep.reached {
                DirectionKind::Sketch
            } else {
                DirectionKind::SketchCapped
            };
            let fallback = !rep.reached && inexact.direct_fallback;
            if fallback && rep.residual > usable {
                dir.dd = 0.0;
                return Ok(true);
            }
            dir.dd = self.merit_slope();
            if dir.dd <= self.sufficient(bnorm) {
                return Ok(false);
            }
            if fallback || self.exhausted() {
                // An inexact direction without sufficient descent: solve exactly rather
                // than adapt the penalties to the inexactness.
                return Ok(inexact.direct_fallback);
            }
            self.adapt_penalties();
        }
    }

    /// A direct solve of the KKT system (steepest descent when it fails, a numerical
    /// failure when it keeps failing), then the penalty adaptation for that direction.
    fn direct_direction(
        &mut self,
        run: &Run<'_, '_, IterationInfo>,
        system: &System,
        dir: &mut Direction,
    ) -> Result<(), End> {
        let stop = || run.should_stop().is_some();
        let sketched = self.inexact().is_some();
        let res = if sketched {
            Ok(())
        } else {
            self.solver.factor(&self.kkt, system.reg).map(|_| ())
        }
        .and_then(|()| {
            self.solver
                .solve(&self.kkt, &self.b, &mut self.d, Accuracy::Exact, &stop)
        });
        if let Err(e) = &res
            && e.is_analysis()
        {
            return Err(End::singular(e.to_string()));
        }
        self.counters.direct += 1;
        dir.kind = if sketched {
            DirectionKind::DirectFallback
        } else {
            DirectionKind::Direct
        };
        match res {
            Ok(rep) if rep.residual <= 0.1 * system.bnorm => {
                dir.lin_res = rep.residual / system.bnorm;
                self.direct_failures = 0;
            }
            other => {
                // A numerically singular KKT matrix: fall back to steepest descent on
                // the merit; give up only when this keeps happening.
                self.direct_failures += 1;
                if self.direct_failures > 5 {
                    return Err(End::singular(format!(
                        "the KKT system could not be solved in 6 consecutive iterations \
                         (last {}: {})",
                        self.counters.iterations,
                        match other {
                            Ok(rep) => format!("residual {:.3e} after refinement", rep.residual),
                            Err(e) => KktError::to_string(&e),
                        }
                    )));
                }
                self.d.fill(0.0);
                dir.lin_res = f64::NAN;
            }
        }
        // Penalty adaptation for the fixed direction.
        loop {
            dir.dd = self.merit_slope();
            if dir.dd <= self.sufficient(system.bnorm) || self.exhausted() {
                return Ok(());
            }
            self.adapt_penalties();
        }
    }

    /// Armijo line search on the merit (comparisons relaxed by round-off), with
    /// safeguarded quadratic interpolation, a minimum step relative to the point and
    /// steepest descent as second attempt. Returns the step length and the point's scale.
    fn line_search(
        &mut self,
        run: &Run<'_, '_, IterationInfo>,
        dir: &mut Direction,
    ) -> Result<(f64, f64), End> {
        let phi0 = self.pt.merit(&self.lam, self.eta1, self.eta2);
        let scale = norm_inf(&self.x).max(norm_inf(&self.lam)).max(1.0);
        let mut last_error: Option<EvalError> = None;
        let mut evaluated_any = false;
        for attempt in 0..2 {
            let search = self.search_along(run, dir, phi0, scale, attempt);
            match search {
                Ok(alpha) => return Ok((alpha, scale)),
                Err(error) => {
                    evaluated_any |= error.is_none();
                    if error.is_some() {
                        last_error = error;
                    }
                }
            }
            if attempt == 0 && dir.kind != DirectionKind::SteepestDescent {
                dir.dd = self.steepest_descent();
                dir.kind = DirectionKind::SteepestDescent;
                if dir.dd.is_nan() || dir.dd >= 0.0 {
                    break;
                }
            } else {
                break;
            }
        }
        if run.should_stop().is_some() {
            let status = run.should_stop().unwrap_or(Status::TimeLimit);
            return Err(End::with_status(status, f64::NAN, 0.0, &self.s.budget));
        }
        let iterations = self.counters.iterations;
        if !evaluated_any && let Some(e) = last_error {
            return Err(End::evaluation(format!(
                "every trial point of the line search failed to evaluate at iteration \
                 {iterations}: {e}"
            )));
        }
        Err(End::stalled(format!(
            "no step of relative length >= {:.1e} decreases the merit function at \
             iteration {iterations} (directional derivative {:.3e})",
            self.s.alpha_min, dir.dd
        )))
    }

    /// Backtracking along `self.d` from alpha = 1: the accepted step, or `Err` with the
    /// last evaluation error (`None` when some trial point evaluated).
    fn search_along(
        &mut self,
        run: &Run<'_, '_, IterationInfo>,
        dir: &Direction,
        phi0: f64,
        scale: f64,
        attempt: usize,
    ) -> Result<f64, Option<EvalError>> {
        let n = self.ep.n;
        let noise = 10.0 * f64::EPSILON * phi0.abs();
        let (eta1, eta2, beta) = (self.eta1, self.eta2, self.s.beta);
        let dmax = norm_inf(&self.d);
        let mut alpha = 1.0;
        let mut evaluated = false;
        let mut last_error = None;
        loop {
            add_scaled(&self.x, alpha, &self.d[..n], &mut self.xt);
            add_scaled(&self.lam, alpha, &self.d[n..], &mut self.lt);
            let mut next = 0.1 * alpha;
            match self.trial.eval(&mut self.ep, &self.xt) {
                Ok(()) => {
                    self.trial.update_gl(self.jac, &self.lt);
                    evaluated = true;
                    let phi = self.trial.merit(&self.lt, eta1, eta2);
                    if phi <= phi0 + alpha * beta * dir.dd + noise {
                        return Ok(alpha);
                    }
                    // Full Newton step rejected by the merit (e.g. by the curvature of
                    // the constraints under a large eta1) but halving the KKT residual
                    // below its best value so far: accept it. Bounded in number, so it
                    // cannot cycle.
                    if alpha == 1.0
                        && attempt == 0
                        && dir.kind != DirectionKind::SteepestDescent
                        && self.trial.kkt() <= self.s.residual_accept * self.best_kkt
                    {
                        return Ok(alpha);
                    }
                    if phi.is_finite() {
                        // Minimizer of the quadratic through phi0, dd and phi(alpha).
                        let curv = phi - phi0 - alpha * dir.dd;
                        if curv > 0.0 {
                            next = -dir.dd * alpha * alpha / (2.0 * curv);
                        }
                    }
                }
                Err(e) => last_error = Some(e),
            }
            alpha = next.clamp(0.1 * alpha, 0.5 * alpha);
            if alpha * dmax < self.s.alpha_min * scale || run.should_stop().is_some() {
                return Err(if evaluated { None } else { last_error });
            }
        }
    }

    /// Takes the step of length `alpha`: the trial point becomes the iterate.
    fn accept(&mut self, alpha: f64, dir: &Direction) {
        self.x.copy_from_slice(&self.xt);
        self.lam.copy_from_slice(&self.lt);
        std::mem::swap(&mut self.pt, &mut self.trial);
        self.d_prev.copy_from_slice(&self.d);
        self.alpha_prev = alpha;
        self.have_prev = dir.kind != DirectionKind::SteepestDescent;
        self.counters.iterations += 1;
        self.best_kkt = self.best_kkt.min(self.pt.kkt());
    }

    /// The record of the current iterate (step fields empty).
    fn record(&self, iteration: usize, run: &Run<'_, '_, IterationInfo>) -> IterationInfo {
        record_at(
            &self.ep,
            self.pt.f,
            &self.pt.gl,
            &self.pt.c,
            iteration,
            run.elapsed(),
        )
    }

    /// The output at the current iterate.
    fn output(self, end: End, time: std::time::Duration) -> Output {
        let last = Final {
            x: self.x,
            lam: &self.lam,
            f: self.pt.f,
            gl: &self.pt.gl,
            c: &self.pt.c,
            kkt: self.ep.unscaled_kkt(&self.pt.gl, &self.pt.c),
            r0: self.r0,
        };
        output(
            &self.ep,
            self.cfg.solver,
            end,
            last,
            self.counters,
            (self.eta1, self.eta2),
            time,
        )
    }
}
