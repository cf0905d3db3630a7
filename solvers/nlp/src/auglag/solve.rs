//! The augmented Lagrangian iteration and its Newton subproblem solver.

use std::cell::Cell;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use faer::Side;
use faer::linalg::solvers::Solve;
use faer::sparse::linalg::solvers::{Llt, SymbolicLlt};
use opal_problems::{EvalError, SmoothProblem, SparsityPattern};

use super::settings::Settings;
use crate::eqnlp::gram::Gram;
use crate::eqnlp::linalg::{add_scaled, dense_general, dense_symmetric, dot, norm};
use crate::eqnlp::{
    DirectionKind, EqProblem, IterationInfo, MultiplierInit, NlpError, Output, Status,
    least_squares_multipliers, print_header, print_line,
};

/// Values at a point: f, grad f, c - cl, J.
struct Point {
    f: f64,
    g: Vec<f64>,
    c: Vec<f64>,
    jv: Vec<f64>,
}

impl Point {
    fn new(n: usize, m: usize, jnnz: usize) -> Self {
        Self {
            f: 0.0,
            g: vec![0.0; n],
            c: vec![0.0; m],
            jv: vec![0.0; jnnz],
        }
    }

    fn eval<P: SmoothProblem + ?Sized>(
        &mut self,
        ep: &mut EqProblem<'_, P>,
        x: &[f64],
    ) -> Result<(), EvalError> {
        self.f = ep.objective_gradient(x, &mut self.g)?;
        ep.constraints(x, &mut self.c)?;
        ep.jacobian(x, &mut self.jv)
    }

    /// L_A = f + lambda^T c + mu/2 ||c||^2.
    fn phi(&self, lam: &[f64], mu: f64) -> f64 {
        self.f + dot(lam, &self.c) + 0.5 * mu * dot(&self.c, &self.c)
    }

    /// out = grad f + J^T w.
    fn grad_with(&self, jac: &SparsityPattern, w: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.g);
        jac.matvec_transpose(&self.jv, w, out, true);
    }
}

/// The Newton system matrix H(x, y) + mu J^T J + tau I, dense or sparse.
enum NewtonMatrix {
    Dense,
    Sparse {
        gram: Gram,
        symbolic: Option<SymbolicLlt<usize>>,
    },
}

impl NewtonMatrix {
    /// Solves (H + mu J^T J + tau I) p = -grad with the smallest tau of the sequence
    /// 0, beta, 2 beta, ... (beta = 1e-3 max(1, max |diag|)) giving a successful Cholesky.
    fn newton_step(
        &mut self,
        hess: &SparsityPattern,
        hv: &[f64],
        jac: &SparsityPattern,
        jv: &[f64],
        mu: f64,
        grad: &[f64],
        p: &mut [f64],
    ) -> Option<f64> {
        let n = grad.len();
        let rhs = faer::Mat::<f64>::from_fn(n, 1, |i, _| -grad[i]);
        match self {
            NewtonMatrix::Dense => {
                let mut a = dense_symmetric(hess, hv, n);
                if !jv.is_empty() && mu > 0.0 {
                    let jd = dense_general(jac, jv);
                    let jtj = jd.transpose() * &jd;
                    a += faer::Scale(mu) * &jtj;
                }
                let dmin = (0..n).map(|i| a[(i, i)]).fold(f64::INFINITY, f64::min);
                let dmax = (0..n).map(|i| a[(i, i)].abs()).fold(0.0, f64::max);
                let beta = 1e-3 * dmax.max(1.0);
                let mut tau = if dmin > 0.0 { 0.0 } else { beta - dmin };
                for _ in 0..80 {
                    let mut b = a.clone();
                    for i in 0..n {
                        b[(i, i)] += tau;
                    }
                    if let Ok(llt) = b.llt(Side::Lower) {
                        let sol = llt.solve(&rhs);
                        for i in 0..n {
                            p[i] = sol[(i, 0)];
                        }
                        return Some(tau);
                    }
                    tau = (2.0 * tau).max(beta);
                }
                None
            }
            NewtonMatrix::Sparse { gram, symbolic } => {
                if symbolic.is_none() {
                    *symbolic = SymbolicLlt::try_new(gram.symbolic(), Side::Lower).ok();
                }
                let sym = symbolic.clone()?;
                gram.assemble(hv, 1.0, jv, mu, 0.0);
                let col_ptr = gram.symbolic().col_ptr().to_vec();
                let row_idx = gram.symbolic().row_idx().to_vec();
                let mut dmin = f64::INFINITY;
                let mut dmax: f64 = 0.0;
                for j in 0..n {
                    for k in col_ptr[j]..col_ptr[j + 1] {
                        if row_idx[k] == j {
                            dmin = dmin.min(gram.values[k]);
                            dmax = dmax.max(gram.values[k].abs());
                        }
                    }
                }
                let beta = 1e-3 * dmax.max(1.0);
                let mut tau = if dmin > 0.0 { 0.0 } else { beta - dmin };
                for _ in 0..80 {
                    gram.assemble(hv, 1.0, jv, mu, tau);
                    if let Ok(llt) =
                        Llt::try_new_with_symbolic(sym.clone(), gram.as_faer(), Side::Lower)
                    {
                        let sol = llt.solve(&rhs);
                        for i in 0..n {
                            p[i] = sol[(i, 0)];
                        }
                        return Some(tau);
                    }
                    tau = (2.0 * tau).max(beta);
                }
                None
            }
        }
    }
}

/// Solves `problem` with the classical augmented Lagrangian method.
pub fn solve<P: SmoothProblem + ?Sized>(
    problem: &P,
    settings: &Settings,
) -> Result<Output, NlpError> {
    solve_observed(problem, settings, &mut |_| ControlFlow::Continue(()))
}

/// As [`solve`], calling `observer` after every outer iteration (and once at the start).
pub fn solve_observed<P: SmoothProblem + ?Sized>(
    problem: &P,
    s: &Settings,
    observer: &mut dyn FnMut(&IterationInfo) -> ControlFlow<()>,
) -> Result<Output, NlpError> {
    s.validate()?;
    let start = Instant::now();
    let deadline = s
        .time_limit
        .is_finite()
        .then(|| start + Duration::from_secs_f64(s.time_limit));
    let timed_out = || deadline.is_some_and(|d| Instant::now() >= d);
    let mut ep = EqProblem::new(problem, "auglag")?;
    let (n, m) = (ep.n, ep.m);
    let jac: &SparsityPattern = ep.jac();
    let hess = ep.hess.clone();
    let info = problem.info();
    let mut x = info.x0.clone();
    if s.scaling {
        ep.compute_scaling(&x);
    }
    let mut lam = vec![0.0; m];
    if let (MultiplierInit::Auto, Some(y0)) = (s.multiplier_init, &info.y0) {
        ep.scale_multipliers(y0, &mut lam);
    }
    let mut pt = Point::new(n, m, jac.nnz());
    let mut trial = Point::new(n, m, jac.nnz());
    let mut xt = vec![0.0; n];
    let mut y = vec![0.0; m];
    let mut grad = vec![0.0; n];
    let mut gl = vec![0.0; n];
    let mut p = vec![0.0; n];
    let mut hv = vec![0.0; hess.nnz()];
    let mut matrix = if n <= s.dense_limit {
        NewtonMatrix::Dense
    } else {
        NewtonMatrix::Sparse {
            gram: Gram::new(n, Some(&hess), Some(jac)),
            symbolic: None,
        }
    };
    let stop = Cell::new(false);
    let mut emit = |it: &IterationInfo| {
        if s.verbose {
            print_line(it);
        }
        if observer(it).is_break() {
            stop.set(true);
        }
    };
    if s.verbose {
        print_header("auglag", &info.name, n, m);
    }
    let mut mu = s.mu0;
    let mut message = None;
    let mut iterations = 0;
    let mut inner_total = 0;
    if let Err(e) = pt.eval(&mut ep, &x) {
        return Ok(output(
            Status::EvaluationError,
            Some(format!("at the start point: {e}")),
            x,
            lam,
            f64::NAN,
            f64::NAN,
            &pt,
            &[],
            0,
            0,
            &ep,
            mu,
            start,
        ));
    }
    if s.multiplier_init == MultiplierInit::LeastSquares
        && let Some(l0) = least_squares_multipliers(jac, &pt.jv, &pt.g)
    {
        lam = l0;
    }
    pt.grad_with(jac, &lam, &mut gl);
    // Convergence is judged on the original problem (the iteration runs on the scaled one).
    let r0 = ep.unscaled_kkt(&gl, &pt.c);
    let tol = s.abs_tol.max(s.tol * r0.max(1.0));
    let mut omega = s.inner_tol0;
    let omega_min = 0.1 * tol * ep.obj_scale;
    let (cn, _, gn) = ep.unscaled_norms(&gl, &pt.c);
    emit(&IterationInfo {
        iteration: 0,
        objective: pt.f / ep.obj_scale,
        constraint_norm: cn,
        lagrangian_gradient_norm: gn,
        kkt_residual: r0,
        eta1: mu,
        eta2: 0.0,
        shift: 0.0,
        inner_iterations: 0,
        inner_residual: f64::NAN,
        alpha: 0.0,
        direction: DirectionKind::Start,
        elapsed: start.elapsed(),
    });
    let mut stuck = 0usize;
    let status = 'outer: loop {
        pt.grad_with(jac, &lam, &mut gl);
        let r = ep.unscaled_kkt(&gl, &pt.c);
        if r <= tol {
            break Status::Converged;
        }
        if stop.get() {
            break Status::Interrupted;
        }
        if iterations >= s.max_iter {
            break Status::IterationLimit;
        }
        if timed_out() {
            break Status::TimeLimit;
        }
        // Subproblem: minimize phi(x) = f + lam^T c + mu/2 ||c||^2 by modified Newton.
        let mut inner = 0;
        let mut last_alpha = 0.0;
        let mut last_tau = 0.0;
        let mut ls_failed = false;
        loop {
            for i in 0..m {
                y[i] = lam[i] + mu * pt.c[i];
            }
            pt.grad_with(jac, &y, &mut grad);
            if norm(&grad) <= omega || inner >= s.max_inner {
                break;
            }
            if timed_out() {
                break 'outer Status::TimeLimit;
            }
            if let Err(e) = ep.hessian(&x, 1.0, &y, &mut hv) {
                message = Some(format!("Hessian at outer iteration {iterations}: {e}"));
                break 'outer Status::EvaluationError;
            }
            let Some(tau) = matrix.newton_step(&hess, &hv, jac, &pt.jv, mu, &grad, &mut p) else {
                message = Some(format!(
                    "no positive definite modification of the subproblem Hessian at outer \
                     iteration {iterations}"
                ));
                break 'outer Status::LineSearchFailure;
            };
            last_tau = tau;
            let phi0 = pt.phi(&lam, mu);
            let slope = dot(&grad, &p);
            let noise = 10.0 * f64::EPSILON * phi0.abs();
            let mut alpha = 1.0;
            let mut accepted = false;
            while alpha >= s.alpha_min {
                add_scaled(&x, alpha, &p, &mut xt);
                if trial.eval(&mut ep, &xt).is_ok()
                    && trial.phi(&lam, mu) <= phi0 + s.armijo * alpha * slope + noise
                {
                    accepted = true;
                    break;
                }
                alpha *= 0.5;
            }
            inner += 1;
            if !accepted {
                ls_failed = true;
                break;
            }
            last_alpha = alpha;
            x.copy_from_slice(&xt);
            std::mem::swap(&mut pt, &mut trial);
        }
        inner_total += inner;
        // First-order multiplier update and penalty / tolerance schedule.
        for i in 0..m {
            lam[i] += mu * pt.c[i];
        }
        mu = (mu * s.mu_factor).min(s.mu_max);
        omega = (omega * s.inner_tol_factor).max(omega_min);
        iterations += 1;
        pt.grad_with(jac, &lam, &mut gl);
        let r_new = ep.unscaled_kkt(&gl, &pt.c);
        stuck = if ls_failed && (r_new.is_nan() || r_new >= 0.999 * r) {
            stuck + 1
        } else {
            0
        };
        let (cn, _, gn) = ep.unscaled_norms(&gl, &pt.c);
        emit(&IterationInfo {
            iteration: iterations,
            objective: pt.f / ep.obj_scale,
            constraint_norm: cn,
            lagrangian_gradient_norm: gn,
            kkt_residual: r_new,
            eta1: mu,
            eta2: 0.0,
            shift: last_tau,
            inner_iterations: inner,
            inner_residual: f64::NAN,
            alpha: last_alpha,
            direction: DirectionKind::Subproblem,
            elapsed: start.elapsed(),
        });
        if stuck >= 5 {
            message = Some(format!(
                "the subproblem line search failed in 5 consecutive outer iterations \
                 (last {iterations})"
            ));
            break Status::LineSearchFailure;
        }
    };
    pt.grad_with(jac, &lam, &mut gl);
    let r_final = ep.unscaled_kkt(&gl, &pt.c);
    Ok(output(
        status,
        message,
        x,
        lam,
        r_final,
        r0,
        &pt,
        &gl,
        iterations,
        inner_total,
        &ep,
        mu,
        start,
    ))
}

fn output<P: SmoothProblem + ?Sized>(
    status: Status,
    message: Option<String>,
    x: Vec<f64>,
    lam: Vec<f64>,
    kkt: f64,
    r0: f64,
    pt: &Point,
    gl: &[f64],
    iterations: usize,
    inner: usize,
    ep: &EqProblem<'_, P>,
    mu: f64,
    start: Instant,
) -> Output {
    let mut lambda = vec![0.0; lam.len()];
    ep.unscale_multipliers(&lam, &mut lambda);
    let (cn, cv, gn) = ep.unscaled_norms(gl, &pt.c);
    Output {
        solver: "auglag",
        status,
        message,
        x,
        lambda,
        objective: if kkt.is_nan() && r0.is_nan() {
            f64::NAN
        } else {
            pt.f / ep.obj_scale
        },
        constraint_norm: cn,
        constraint_violation: cv,
        lagrangian_gradient_norm: if gl.is_empty() { f64::NAN } else { gn },
        kkt_residual: kkt,
        initial_kkt_residual: r0,
        iterations,
        inner_iterations: inner,
        direct_solves: 0,
        evaluations: ep.evals,
        eta1: mu,
        eta2: 0.0,
        time: start.elapsed(),
    }
}
