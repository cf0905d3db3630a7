//! The outer iteration shared by `adasketch` (inexact KKT solves by sketching) and
//! `newton_merit` (exact KKT solves): Newton steps on the KKT conditions globalized by an
//! Armijo line search on the exact augmented Lagrangian
//!
//!   L_eta(x, lambda) = L + (eta1/2) ||c||^2 + (eta2/2) ||grad_x L||^2,
//!
//! with adaptive penalties (eta1 up, eta2 down) whenever the direction is not a
//! sufficient descent direction. The merit gradient uses the exact Hessian of the
//! Lagrangian H (not the modified B, and not the Hessian of f as in the authors' code):
//!
//!   grad L_eta = [grad_x L + eta2 H grad_x L + eta1 J^T c ;  c + eta2 J grad_x L].

use std::cell::Cell;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use opal_problems::{EvalError, SmoothProblem, SparsityPattern};

use super::settings::Settings;
use super::sketch::{SketchConfig, SketchSolver};
use crate::eqnlp::linalg::{add_scaled, dot, norm, norm_inf, norm2};
use crate::eqnlp::{
    Analyzer, DirectKkt, DirectionKind, EqProblem, HessianModification, IterationInfo, KktMatrix,
    MultiplierInit, NlpError, Output, Status, print_header, print_line,
};

/// How the KKT system is solved.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Inner {
    /// Randomized sketching.
    Sketch(SketchConfig),
    /// Sparse LU.
    Direct,
}

/// Everything the outer loop needs (built from the public settings of either solver).
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub solver: &'static str,
    pub tol: f64,
    pub abs_tol: f64,
    pub max_iter: usize,
    pub time_limit: f64,
    pub seed: u64,
    pub eta1: f64,
    pub eta2: f64,
    pub delta: f64,
    pub delta_min: f64,
    pub xi_b: f64,
    pub beta: f64,
    pub nu: f64,
    pub eta1_max: f64,
    pub eta2_min: f64,
    pub superlinear: bool,
    pub max_inner: Option<usize>,
    pub direct_fallback: bool,
    pub fallback_residual: f64,
    pub warm_start: bool,
    pub hessian: HessianModification,
    pub pd_margin: f64,
    pub dense_limit: usize,
    pub singular_tol: f64,
    pub singular_patience: usize,
    pub jacobian_regularization: f64,
    pub multiplier_init: MultiplierInit,
    pub alpha_min: f64,
    pub residual_accept: f64,
    pub scaling: bool,
    pub verbose: bool,
    pub inner: Inner,
}

impl Config {
    pub(crate) fn from_settings(s: &Settings) -> Self {
        Self {
            solver: "adasketch",
            tol: s.tol,
            abs_tol: s.abs_tol,
            max_iter: s.max_iter,
            time_limit: s.time_limit,
            seed: s.seed,
            eta1: s.eta1,
            eta2: s.eta2,
            delta: s.delta,
            delta_min: s.delta_min,
            xi_b: s.xi_b,
            beta: s.beta,
            nu: s.nu,
            eta1_max: s.eta1_max,
            eta2_min: s.eta2_min,
            superlinear: s.superlinear,
            max_inner: s.max_inner,
            direct_fallback: s.direct_fallback,
            fallback_residual: s.fallback_residual,
            warm_start: s.warm_start,
            hessian: s.hessian_modification,
            pd_margin: s.pd_margin,
            dense_limit: s.dense_limit,
            singular_tol: s.singular_tol,
            singular_patience: s.singular_patience,
            jacobian_regularization: s.jacobian_regularization,
            multiplier_init: s.multiplier_init,
            alpha_min: s.alpha_min,
            residual_accept: s.residual_accept,
            scaling: s.scaling,
            verbose: s.verbose,
            inner: Inner::Sketch(SketchConfig {
                kind: s.sketch,
                sampling: s.sampling,
                block: s.effective_block(),
                column_nnz: s.column_nnz,
                equilibrate: s.equilibrate,
                residual_floor: s.residual_floor,
                stall_detection: s.stall_detection && s.direct_fallback,
            }),
        }
    }
}

/// Values at one point: f, grad f, c - cl, J, grad_x L.
struct Point {
    f: f64,
    g: Vec<f64>,
    c: Vec<f64>,
    jv: Vec<f64>,
    gl: Vec<f64>,
}

impl Point {
    fn new(n: usize, m: usize, jnnz: usize) -> Self {
        Self {
            f: 0.0,
            g: vec![0.0; n],
            c: vec![0.0; m],
            jv: vec![0.0; jnnz],
            gl: vec![0.0; n],
        }
    }

    /// Evaluates everything but the Hessian at (x, lambda).
    fn eval<P: SmoothProblem + ?Sized>(
        &mut self,
        ep: &mut EqProblem<'_, P>,
        jac: &SparsityPattern,
        x: &[f64],
        lam: &[f64],
    ) -> Result<(), EvalError> {
        self.f = ep.objective_gradient(x, &mut self.g)?;
        ep.constraints(x, &mut self.c)?;
        ep.jacobian(x, &mut self.jv)?;
        self.update_gl(jac, lam);
        Ok(())
    }

    fn update_gl(&mut self, jac: &SparsityPattern, lam: &[f64]) {
        self.gl.copy_from_slice(&self.g);
        jac.matvec_transpose(&self.jv, lam, &mut self.gl, true);
    }

    fn kkt(&self) -> f64 {
        norm2(&self.gl, &self.c)
    }

    /// L_eta at this point.
    fn merit(&self, lam: &[f64], eta1: f64, eta2: f64) -> f64 {
        self.f
            + dot(lam, &self.c)
            + 0.5 * eta1 * dot(&self.c, &self.c)
            + 0.5 * eta2 * dot(&self.gl, &self.gl)
    }
}

/// Runs the merit-based Newton iteration.
pub(crate) fn run<P: SmoothProblem + ?Sized>(
    problem: &P,
    cfg: &Config,
    observer: &mut dyn FnMut(&IterationInfo) -> ControlFlow<()>,
) -> Result<Output, NlpError> {
    let start = Instant::now();
    let deadline = if cfg.time_limit.is_finite() {
        Some(start + Duration::from_secs_f64(cfg.time_limit))
    } else {
        None
    };
    let mut ep = EqProblem::new(problem, cfg.solver)?;
    let (n, m) = (ep.n, ep.m);
    let dim = n + m;
    let block = match &cfg.inner {
        Inner::Sketch(sc) => sc.block.max(1),
        _ => 1,
    };
    let max_inner = cfg
        .max_inner
        .unwrap_or_else(|| (20 * dim / block).clamp(1_000, 1_000_000));
    let jac: &SparsityPattern = ep.jac();
    let hess = ep.hess.clone();
    let info = problem.info();

    let mut x = info.x0.clone();
    if cfg.scaling {
        ep.compute_scaling(&x);
    }
    let mut lam = vec![0.0; m];
    if let (MultiplierInit::Auto, Some(y0)) = (cfg.multiplier_init, &info.y0) {
        ep.scale_multipliers(y0, &mut lam);
    }
    let mut pt = Point::new(n, m, jac.nnz());
    let mut trial = Point::new(n, m, jac.nnz());
    let mut xt = vec![0.0; n];
    let mut lt = vec![0.0; m];
    let mut hv = vec![0.0; hess.nnz()];
    let mut hgl = vec![0.0; n];
    let mut jtc = vec![0.0; n];
    let mut jgl = vec![0.0; m];
    let mut b = vec![0.0; dim];
    let mut d = vec![0.0; dim];
    let mut d_prev = vec![0.0; dim];
    let mut gm = vec![0.0; dim];
    let mut kkt = KktMatrix::new(&hess, jac);
    let mut analyzer = Analyzer::new(
        n,
        m,
        cfg.dense_limit,
        cfg.hessian,
        cfg.xi_b,
        cfg.singular_tol,
        cfg.pd_margin,
    );
    let mut sketch = match cfg.inner {
        Inner::Sketch(sc) => Some(SketchSolver::new(&kkt, sc, cfg.seed)),
        Inner::Direct => None,
    };
    let mut direct: Option<DirectKkt> = None;

    let mut eta1 = cfg.eta1;
    let mut eta2 = cfg.eta2;
    let mut delta = cfg.delta;
    let mut iterations = 0usize;
    let mut inner_total = 0usize;
    let mut direct_solves = 0usize;
    let mut singular_count = 0usize;
    let mut singular_ref = f64::INFINITY;
    let mut direct_failures = 0usize;
    let mut alpha_prev = 1.0;
    let mut have_prev = false;
    let mut message: Option<String> = None;

    let stop = Cell::new(false);
    let mut emit = |it: &IterationInfo| {
        if cfg.verbose {
            print_line(it);
        }
        if observer(it).is_break() {
            stop.set(true);
        }
    };
    if cfg.verbose {
        print_header(cfg.solver, &info.name, n, m);
    }

    // Results and log lines are in terms of the original (unscaled) problem.
    let finish = |status: Status,
                  message: Option<String>,
                  x: Vec<f64>,
                  lam: Vec<f64>,
                  pt: &Point,
                  r0: f64,
                  iterations: usize,
                  inner: usize,
                  direct: usize,
                  ep: &EqProblem<'_, P>,
                  eta: (f64, f64)| {
        let (cn, cv, gn) = ep.unscaled_norms(&pt.gl, &pt.c);
        let mut lambda = vec![0.0; lam.len()];
        ep.unscale_multipliers(&lam, &mut lambda);
        Output {
            solver: cfg.solver,
            status,
            message,
            x,
            lambda,
            objective: pt.f / ep.obj_scale,
            constraint_norm: cn,
            constraint_violation: cv,
            lagrangian_gradient_norm: gn,
            kkt_residual: ep.unscaled_kkt(&pt.gl, &pt.c),
            initial_kkt_residual: r0,
            iterations,
            inner_iterations: inner,
            direct_solves: direct,
            evaluations: ep.evals,
            eta1: eta.0,
            eta2: eta.1,
            time: start.elapsed(),
        }
    };
    let record = |ep: &EqProblem<'_, P>, pt: &Point, iteration: usize| {
        let (cn, _, gn) = ep.unscaled_norms(&pt.gl, &pt.c);
        IterationInfo {
            iteration,
            objective: pt.f / ep.obj_scale,
            constraint_norm: cn,
            lagrangian_gradient_norm: gn,
            kkt_residual: ep.unscaled_kkt(&pt.gl, &pt.c),
            eta1: 0.0,
            eta2: 0.0,
            shift: 0.0,
            inner_iterations: 0,
            inner_residual: f64::NAN,
            alpha: 0.0,
            direction: DirectionKind::Start,
            elapsed: start.elapsed(),
        }
    };

    if let Err(e) = pt.eval(&mut ep, jac, &x, &lam) {
        let mut out = finish(
            Status::EvaluationError,
            Some(format!("at the start point: {e}")),
            x,
            lam,
            &pt,
            f64::NAN,
            0,
            0,
            0,
            &ep,
            (eta1, eta2),
        );
        out.objective = f64::NAN;
        out.kkt_residual = f64::NAN;
        return Ok(out);
    }
    if cfg.multiplier_init == MultiplierInit::LeastSquares
        && let Some(l0) = crate::eqnlp::least_squares_multipliers(jac, &pt.jv, &pt.g)
    {
        lam = l0;
        pt.update_gl(jac, &lam);
    }
    // Convergence is judged on the original problem; the algorithm works on the scaled one.
    let r0 = ep.unscaled_kkt(&pt.gl, &pt.c);
    let tol = cfg.abs_tol.max(cfg.tol * r0.max(1.0));
    let mut best_kkt = pt.kkt();
    let mut stagnant = 0usize;
    emit(&IterationInfo {
        eta1,
        eta2,
        ..record(&ep, &pt, 0)
    });

    let status = loop {
        if ep.unscaled_kkt(&pt.gl, &pt.c) <= tol {
            break Status::Converged;
        }
        let r = pt.kkt();
        if stop.get() {
            break Status::Interrupted;
        }
        if iterations >= cfg.max_iter {
            break Status::IterationLimit;
        }
        if deadline.is_some_and(|dl| Instant::now() >= dl) {
            break Status::TimeLimit;
        }
        if let Err(e) = ep.hessian(&x, 1.0, &lam, &mut hv) {
            message = Some(format!("Hessian at iteration {iterations}: {e}"));
            break Status::EvaluationError;
        }
        // Products with the exact H and J for the merit gradient.
        hess.symmetric_matvec(&hv, &pt.gl, &mut hgl);
        jac.matvec_transpose(&pt.jv, &pt.c, &mut jtc, false);
        jac.matvec(&pt.jv, &pt.gl, &mut jgl, false);

        // Curvature and regularity.
        kkt.assemble(&hv, &pt.jv, 0.0, 0.0);
        let (h_frob, _, _) = kkt.norms();
        let an = analyzer.analyze(&hess, &hv, jac, &pt.jv, h_frob, r);
        let reg = if an.singular {
            // Rank deficiency is tolerated while the KKT residual keeps halving every
            // `singular_patience` iterations (e.g. when LICQ fails only at the solution).
            singular_count += 1;
            if singular_count == 1 {
                singular_ref = r;
            }
            if singular_count > cfg.singular_patience {
                if r <= 0.5 * singular_ref && cfg.singular_patience > 0 {
                    singular_count = 1;
                    singular_ref = r;
                } else {
                    message = Some(format!(
                        "J(x) is rank deficient at iteration {iterations} \
                         (smallest eigenvalue of J J^T = {:.3e}) and the regularized \
                         iterations stopped making progress",
                        an.xi_g
                    ));
                    break Status::SingularJacobian;
                }
            }
            // Multiplier steps stay bounded (dlambda ~ c / reg when J vanishes) while the
            // regularization fades as the constraints are satisfied.
            cfg.jacobian_regularization.max(norm(&pt.c).min(1.0))
        } else {
            singular_count = 0;
            0.0
        };
        kkt.assemble(&hv, &pt.jv, an.shift, reg);
        let (b_frob, g_frob, k_frob) = kkt.norms();
        for i in 0..n {
            b[i] = -pt.gl[i];
        }
        for i in 0..m {
            b[n + i] = -pt.c[i];
        }
        let bnorm = r;
        let upsilon = g_frob.max(h_frob).max(1.0);
        let psi =
            20.0 * (b_frob * b_frob).max(1.0) / (an.xi_g.clamp(1e-300, 1.0) * cfg.xi_b.min(1.0));
        delta = (delta
            .min((0.5 - cfg.beta) * eta2 / ((1.0 + eta1 + eta2) * upsilon.powi(2) * psi.powi(2))))
        .max(cfg.delta_min);
        let theta = if cfg.superlinear { r.min(1.0) } else { 1.0 };
        let sufficient = |eta2: f64| -0.5 * eta2 * bnorm * bnorm;
        let dirderiv = |gm: &mut [f64], d: &[f64], eta1: f64, eta2: f64| -> f64 {
            for i in 0..n {
                gm[i] = pt.gl[i] + eta2 * hgl[i] + eta1 * jtc[i];
            }
            for i in 0..m {
                gm[n + i] = pt.c[i] + eta2 * jgl[i];
            }
            dot(gm, d)
        };
        let exhausted = |eta1: f64, eta2: f64| eta1 > cfg.eta1_max || eta2 < cfg.eta2_min;

        // Direction.
        let saved_penalties = (eta1, eta2, delta);
        let mut kind;
        let mut inner_its = 0usize;
        let mut lin_res;
        let mut need_direct = matches!(cfg.inner, Inner::Direct);
        let mut timed_out = false;
        let mut dd;
        if let Some(sk) = sketch.as_mut() {
            sk.prepare(&kkt, &b);
            if cfg.warm_start && have_prev {
                for i in 0..dim {
                    d[i] = (1.0 - alpha_prev) * d_prev[i];
                }
            } else {
                d.fill(0.0);
            }
            sk.set_start(&d);
            loop {
                let target = theta * delta * bnorm / (psi * k_frob.max(f64::MIN_POSITIVE));
                let usable = cfg.fallback_residual * bnorm;
                let rep = sk.run(k_frob, target, usable, max_inner - inner_its, deadline);
                inner_its += rep.iterations;
                sk.solution(&mut d);
                lin_res = rep.residual / bnorm;
                if rep.timed_out {
                    timed_out = true;
                    kind = DirectionKind::SketchCapped;
                    dd = 0.0;
                    break;
                }
                kind = if rep.reached {
                    DirectionKind::Sketch
                } else {
                    DirectionKind::SketchCapped
                };
                let fallback = !rep.reached && cfg.direct_fallback;
                if fallback && rep.residual > usable {
                    need_direct = true;
                    dd = 0.0;
                    break;
                }
                dd = dirderiv(&mut gm, &d, eta1, eta2);
                if dd <= sufficient(eta2) {
                    break;
                }
                if fallback || exhausted(eta1, eta2) {
                    // An inexact direction without sufficient descent: solve exactly rather
                    // than adapt the penalties to the inexactness.
                    need_direct = cfg.direct_fallback;
                    break;
                }
                eta1 *= cfg.nu * cfg.nu;
                eta2 /= cfg.nu;
                delta /= cfg.nu.powi(4);
            }
        } else {
            kind = DirectionKind::Direct;
            lin_res = f64::NAN;
            dd = 0.0;
        }
        inner_total += inner_its;
        if timed_out {
            break Status::TimeLimit;
        }
        if need_direct {
            let solver = match direct.as_mut() {
                Some(s) => s,
                None => match DirectKkt::new(&kkt) {
                    Ok(s) => direct.insert(s),
                    Err(e) => {
                        message = Some(e);
                        break Status::SingularJacobian;
                    }
                },
            };
            let res = solver
                .factor(&kkt)
                .and_then(|_| solver.solve(&kkt, &b, &mut d));
            direct_solves += 1;
            kind = if matches!(cfg.inner, Inner::Direct) {
                DirectionKind::Direct
            } else {
                DirectionKind::DirectFallback
            };
            match res {
                Ok(res) if res <= 0.1 * bnorm => {
                    lin_res = res / bnorm;
                    direct_failures = 0;
                }
                other => {
                    // A numerically singular KKT matrix: fall back to steepest descent on
                    // the merit below; give up only when this keeps happening.
                    direct_failures += 1;
                    if direct_failures > 5 {
                        message = Some(format!(
                            "the KKT system could not be solved in 6 consecutive iterations \
                             (last {iterations}: {})",
                            match other {
                                Ok(res) => format!("residual {res:.3e} after refinement"),
                                Err(e) => e,
                            }
                        ));
                        break Status::SingularJacobian;
                    }
                    d.fill(0.0);
                    lin_res = f64::NAN;
                }
            }
            // Penalty adaptation for the fixed direction.
            loop {
                dd = dirderiv(&mut gm, &d, eta1, eta2);
                if dd <= sufficient(eta2) || exhausted(eta1, eta2) {
                    break;
                }
                eta1 *= cfg.nu * cfg.nu;
                eta2 /= cfg.nu;
                delta /= cfg.nu.powi(4);
            }
        }
        if (dd.is_nan() || dd > sufficient(eta2)) && exhausted(eta1, eta2) {
            // The adaptation ran to its limits without producing sufficient descent: the
            // direction, not the penalties, is at fault. Keep the previous penalties.
            (eta1, eta2, delta) = saved_penalties;
            dd = dirderiv(&mut gm, &d, eta1, eta2);
        }
        if dd.is_nan() || dd >= 0.0 {
            // Not a descent direction: steepest descent on the merit.
            dirderiv(&mut gm, &d, eta1, eta2);
            for i in 0..dim {
                d[i] = -gm[i];
            }
            dd = -dot(&gm, &gm);
            kind = DirectionKind::SteepestDescent;
        }

        // Armijo line search on the merit (comparisons relaxed by round-off), with
        // safeguarded quadratic interpolation and a minimum step relative to the point.
        let phi0 = pt.merit(&lam, eta1, eta2);
        let noise = 10.0 * f64::EPSILON * phi0.abs();
        let scale = norm_inf(&x).max(norm_inf(&lam)).max(1.0);
        let mut accepted = None;
        let mut last_error: Option<EvalError> = None;
        let mut evaluated_any = false;
        'search: for attempt in 0..2 {
            let dmax = norm_inf(&d);
            let mut alpha = 1.0;
            loop {
                add_scaled(&x, alpha, &d[..n], &mut xt);
                add_scaled(&lam, alpha, &d[n..], &mut lt);
                let mut next = 0.1 * alpha;
                match trial.eval(&mut ep, jac, &xt, &lt) {
                    Ok(()) => {
                        evaluated_any = true;
                        let phi = trial.merit(&lt, eta1, eta2);
                        if phi <= phi0 + alpha * cfg.beta * dd + noise {
                            accepted = Some(alpha);
                            break 'search;
                        }
                        // Full Newton step rejected by the merit (e.g. by the curvature of
                        // the constraints under a large eta1) but halving the KKT residual
                        // below its best value so far: accept it. Bounded in number, so
                        // it cannot cycle.
                        let rt = trial.kkt();
                        if alpha == 1.0
                            && attempt == 0
                            && kind != DirectionKind::SteepestDescent
                            && rt <= cfg.residual_accept * best_kkt
                        {
                            accepted = Some(alpha);
                            break 'search;
                        }
                        if phi.is_finite() {
                            // Minimizer of the quadratic through phi0, dd and phi(alpha).
                            let curv = phi - phi0 - alpha * dd;
                            if curv > 0.0 {
                                next = -dd * alpha * alpha / (2.0 * curv);
                            }
                        }
                    }
                    Err(e) => last_error = Some(e),
                }
                alpha = next.clamp(0.1 * alpha, 0.5 * alpha);
                if alpha * dmax < cfg.alpha_min * scale
                    || deadline.is_some_and(|dl| Instant::now() >= dl)
                {
                    break;
                }
            }
            if attempt == 0 && kind != DirectionKind::SteepestDescent {
                dirderiv(&mut gm, &d, eta1, eta2);
                for i in 0..dim {
                    d[i] = -gm[i];
                }
                dd = -dot(&gm, &gm);
                kind = DirectionKind::SteepestDescent;
                if dd.is_nan() || dd >= 0.0 {
                    break;
                }
            } else {
                break;
            }
        }
        let Some(alpha) = accepted else {
            if deadline.is_some_and(|dl| Instant::now() >= dl) {
                break Status::TimeLimit;
            }
            if !evaluated_any && let Some(e) = last_error {
                message = Some(format!(
                    "every trial point of the line search failed to evaluate at iteration \
                     {iterations}: {e}"
                ));
                break Status::EvaluationError;
            }
            message = Some(format!(
                "no step of relative length >= {:.1e} decreases the merit function at \
                 iteration {iterations} (directional derivative {dd:.3e})",
                cfg.alpha_min
            ));
            break Status::LineSearchFailure;
        };
        x.copy_from_slice(&xt);
        lam.copy_from_slice(&lt);
        std::mem::swap(&mut pt, &mut trial);
        d_prev.copy_from_slice(&d);
        alpha_prev = alpha;
        have_prev = kind != DirectionKind::SteepestDescent;
        iterations += 1;
        best_kkt = best_kkt.min(pt.kkt());
        emit(&IterationInfo {
            eta1,
            eta2,
            shift: an.shift,
            inner_iterations: inner_its,
            inner_residual: lin_res,
            alpha,
            direction: kind,
            ..record(&ep, &pt, iterations)
        });
        // Accepted steps that no longer move the point: stop instead of crawling.
        if alpha * norm_inf(&d) <= 1e-12 * scale {
            stagnant += 1;
            if stagnant >= 20 {
                message = Some(format!(
                    "the last 20 steps were shorter than 1e-12 relative to the point \
                     (iteration {iterations})"
                ));
                break Status::LineSearchFailure;
            }
        } else {
            stagnant = 0;
        }
    };
    Ok(finish(
        status,
        message,
        x,
        lam,
        &pt,
        r0,
        iterations,
        inner_total,
        direct_solves,
        &ep,
        (eta1, eta2),
    ))
}
