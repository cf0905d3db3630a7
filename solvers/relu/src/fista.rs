//! FISTA with adaptive restarts and backtracking on the gated program (the fast path,
//! as scnn's R-FISTA): prox = group soft-threshold, restart when
//! <x_k - x_{k-1}, y_{k-1} - x_k> > 0, stop on the minimum-norm subgradient.

use faer::Mat;
use opal_core::linalg::{add_scaled, norm};

use super::ops::{group_norm, group_shrink, half_mse, residual, sq_dist};
use super::products::GatedOps;
use super::program::{IterInfo, Outcome, Problem, ReluRun, after_iterate, message};
use super::settings::{Settings, SolverKind};

/// Minimum-norm subgradient of f + lam sum ||u_i|| given grad f at u (both d x P).
pub(crate) fn min_norm_subgradient(u: &Mat<f64>, grad: &Mat<f64>, lam: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..u.ncols() {
        let ui = u.col_as_slice(i);
        let gi = grad.col_as_slice(i);
        let nu = norm(ui);
        if nu > 0.0 {
            s += ui
                .iter()
                .zip(gi)
                .map(|(a, g)| (g + lam * a / nu).powi(2))
                .sum::<f64>();
        } else {
            s += (norm(gi) - lam).max(0.0).powi(2);
        }
    }
    s.sqrt()
}

/// State and workspace of one FISTA run (sized once: no iteration allocates).
struct Fista<'a> {
    prob: &'a Problem<'a>,
    set: &'a Settings,
    inv_n: f64,
    ops: GatedOps<'a>,
    /// Current iterate x_k, extrapolated point y_k, candidate x_{k+1}, gradient.
    xk: Mat<f64>,
    yk: Mat<f64>,
    xn: Mat<f64>,
    grad: Mat<f64>,
    /// Predictions F x_k, F y_k, F x_{k+1} (f is quadratic: F y follows from the others).
    fx: Vec<f64>,
    fy: Vec<f64>,
    fxn: Vec<f64>,
    r: Vec<f64>,
    t_mom: f64,
    step: f64,
}

impl<'a> Fista<'a> {
    fn new(prob: &'a Problem<'a>, set: &'a Settings) -> Self {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let (weights, predictions) = (|| Mat::zeros(d, p), || vec![0.0; n]);
        Self {
            prob,
            set,
            inv_n: 1.0 / n as f64,
            ops: GatedOps::new(prob.x, prob.pat),
            xk: weights(),
            yk: weights(),
            xn: weights(),
            grad: weights(),
            fx: predictions(),
            fy: predictions(),
            fxn: predictions(),
            r: predictions(),
            t_mom: 1.0,
            step: set.init_step,
        }
    }

    /// grad = (1/n) F^T (pred - y).
    fn gradient_at(&mut self, at_x: bool) {
        let pr = self.prob;
        let pred = if at_x { &self.fx } else { &self.fy };
        residual(pred, pr.y, &mut self.r);
        self.ops.adjoint(&self.r, self.inv_n, self.grad.as_mut());
    }

    /// The proximal gradient step from y_k with backtracking on the step size: x_{k+1}.
    fn prox_step(&mut self) {
        let p = self.prob.p();
        let lam = self.prob.lam;
        loop {
            let step = self.step;
            for i in 0..p {
                let (src, g) = (self.yk.col_as_slice(i), self.grad.col_as_slice(i));
                add_scaled(src, -step, g, self.xn.col_as_slice_mut(i));
            }
            group_shrink(&mut self.xn, step * lam);
            self.ops.forward(self.xn.as_ref(), &mut self.fxn);
            // f is quadratic, so f(xn) - f(y) - <g, xn - y> = ||F(xn - y)||^2 / (2n) exactly:
            // test the quadratic upper bound in that form (no cancellation near the optimum).
            let curv = self
                .fxn
                .iter()
                .zip(&self.fy)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                * 0.5
                * self.inv_n;
            let sq = sq_dist(&self.xn, &self.yk);
            if curv <= sq / (2.0 * step) || step < 1e-20 {
                break;
            }
            self.step *= self.set.backtrack;
        }
    }

    /// Momentum (or a restart when <x_{k+1} - x_k, y_k - x_{k+1}> > 0), then
    /// x_k <- x_{k+1}.
    fn momentum(&mut self) {
        let p = self.prob.p();
        let mut restart_dot = 0.0;
        for i in 0..p {
            let (a, b) = (self.xn.col_as_slice(i), self.xk.col_as_slice(i));
            for ((a, b), c) in a.iter().zip(b).zip(self.yk.col_as_slice(i)) {
                restart_dot += (a - b) * (c - a);
            }
        }
        if restart_dot > 0.0 {
            self.t_mom = 1.0;
            self.yk.copy_from(&self.xn);
            self.fy.copy_from_slice(&self.fxn);
        } else {
            let t_new = 0.5 * (1.0 + (1.0 + 4.0 * self.t_mom * self.t_mom).sqrt());
            let beta = (self.t_mom - 1.0) / t_new;
            self.t_mom = t_new;
            for i in 0..p {
                let (a, b) = (self.xn.col_as_slice(i), self.xk.col_as_slice(i));
                extrapolate(a, b, beta, self.yk.col_as_slice_mut(i));
            }
            extrapolate(&self.fxn, &self.fx, beta, &mut self.fy);
        }
        std::mem::swap(&mut self.xk, &mut self.xn);
        std::mem::swap(&mut self.fx, &mut self.fxn);
    }
}

/// out = a + beta (a - b): the momentum step.
fn extrapolate(a: &[f64], b: &[f64], beta: f64, out: &mut [f64]) {
    for ((o, a), b) in out.iter_mut().zip(a).zip(b) {
        *o = a + beta * (a - b);
    }
}

/// Why FISTA stops with success.
const CONVERGED: &str = "minimum-norm subgradient within tolerance";

/// Solves the gated program from u = 0. Returns U (d x P).
pub(crate) fn solve_gated(
    prob: &Problem<'_>,
    set: &Settings,
    run: &mut ReluRun<'_, '_>,
) -> Outcome {
    let mut fs = Fista::new(prob, set);
    let max_iter = run.budget().max_iterations;
    let (mut k, mut subgrad) = (0usize, f64::INFINITY);
    let status = loop {
        k += 1;
        fs.gradient_at(false);
        fs.prox_step();
        // Gradient mapping ||y - xn|| / step: a cheap surrogate; the true minimum-norm
        // subgradient is computed only when it is small.
        let gmap = sq_dist(&fs.xn, &fs.yk).sqrt() / fs.step;
        fs.momentum();
        let check = gmap <= set.tol || k.is_multiple_of(50) || k == max_iter;
        if check {
            fs.gradient_at(true);
            subgrad = min_norm_subgradient(&fs.xk, &fs.grad, prob.lam);
        }
        let info = IterInfo {
            solver: SolverKind::Fista,
            iteration: k,
            objective: half_mse(&fs.fx, prob.y) + prob.lam * group_norm(fs.xk.as_ref()),
            primal_residual: f64::NAN,
            dual_residual: subgrad,
            gap: f64::NAN,
            rho: fs.step,
            elapsed: run.elapsed().as_secs_f64(),
        };
        if let Some(s) = after_iterate(run, k, &info, check && subgrad <= set.tol) {
            break s;
        }
    };
    Outcome {
        message: message(status, CONVERGED, "", k),
        u: fs.xk,
        status,
        iterations: k,
        primal_residual: 0.0,
        dual_residual: subgrad,
        rho: fs.step,
    }
}
