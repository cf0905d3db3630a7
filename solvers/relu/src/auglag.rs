//! Augmented Lagrangian for the ReLU program at data-set scale (the method of scnn's
//! `AL` optimizer): the 2nP cone rows s_ji x_j^T z_c >= 0 (s_ji = 2 D_ji - 1, z_c = v_i or
//! w_i) move into the objective with multipliers mu >= 0 and a penalty rho,
//!
//!   min_z  f(z) + lam sum_c ||z_c|| + (1/(2 rho)) sum_{j,c} ([mu_jc - rho s_jc x_j^T z_c]_+^2 - mu_jc^2),
//!
//! each subproblem solved by FISTA with restarts and backtracking (the penalty is C^1 with
//! a Lipschitz gradient), warm-started; then mu <- [mu - rho s ∘ X z]_+ (the first-order
//! multiplier update), and rho grows tenfold whenever the violation fell by less than 4.
//! A product with X costs O(nnz(X) P) ([`RowOps`]) and memory stays O(n P + d P): no
//! n x n matrix, so the full a9a and w8a fit where ADMM's Woodbury solve cannot.

use faer::Mat;

use super::ops::{group_norm, group_shrink, sq_dist};
use super::products::{RowOps, pattern_rows};
use super::program::{IterInfo, Outcome, Problem, ReluRun, after_iterate, message};
use super::settings::{Settings, SolverKind};

/// State and workspace of one run (sized once). Arrays over samples and blocks are
/// sample-major m x n (entry (c, j) at `j * m + c`), as [`RowOps`] writes them.
struct AugLag<'a> {
    prob: &'a Problem<'a>,
    set: &'a Settings,
    ops: RowOps<'a>,
    n: usize,
    p: usize,
    m: usize,
    /// The patterns row by row (entry `j * P + i` is D_ji).
    pat_rows: Vec<f64>,
    mu: Vec<f64>,
    rho: f64,
    /// Iterate, extrapolated point, candidate and gradient (d x 2P, v blocks then w).
    zk: Mat<f64>,
    zy: Mat<f64>,
    zn: Mat<f64>,
    grad: Mat<f64>,
    /// X z at the iterate, the extrapolated point and the candidate.
    xk: Vec<f64>,
    xy: Vec<f64>,
    xn: Vec<f64>,
    /// Gradient weights: grad = X^T q^T.
    q: Vec<f64>,
    t_mom: f64,
    step: f64,
    /// sum_j (prediction_j - y_j)^2 at the candidate and at the iterate (the smooth part
    /// computes it; the objective reuses it).
    sq_loss_n: f64,
    sq_loss_k: f64,
}

impl<'a> AugLag<'a> {
    fn new(prob: &'a Problem<'a>, set: &'a Settings) -> Self {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let m = 2 * p;
        let blocks = || Mat::zeros(d, m);
        Self {
            prob,
            set,
            ops: RowOps::new(prob.x, m),
            n,
            p,
            m,
            pat_rows: pattern_rows(prob.pat),
            mu: vec![0.0; n * m],
            // The loss weighs a sample by 1/n; the penalty starts ten times that.
            rho: 10.0 / n as f64,
            zk: blocks(),
            zy: blocks(),
            zn: blocks(),
            grad: blocks(),
            xk: vec![0.0; n * m],
            xy: vec![0.0; n * m],
            xn: vec![0.0; n * m],
            q: vec![0.0; n * m],
            t_mom: 1.0,
            step: set.init_step,
            sq_loss_n: 0.0,
            // z = 0 predicts 0.
            sq_loss_k: prob.y.iter().map(|v| v * v).sum(),
        }
    }

    /// The sign s_jc of block c's cone at sample j (the w blocks share the v blocks').
    fn sign(&self, j: usize, c: usize) -> f64 {
        2.0 * self.pat_rows[j * self.p + c % self.p] - 1.0
    }

    /// Sample j's prediction sum_i D_ji x_j^T (v_i - w_i) from its row of X z.
    fn prediction(&self, j: usize, xz: &[f64]) -> f64 {
        let (p, m) = (self.p, self.m);
        let (row, dj) = (&xz[j * m..(j + 1) * m], &self.pat_rows[j * p..(j + 1) * p]);
        (0..p).map(|i| dj[i] * (row[i] - row[i + p])).sum()
    }

    /// The smooth part (loss + penalty) at a point with products `xz`; with `grad_weights`
    /// also the weights q of its gradient X^T q^T.
    fn smooth(&mut self, which: Which, grad_weights: bool) -> f64 {
        let (n, m, rho) = (self.n, self.m, self.rho);
        let xz = match which {
            Which::Extrapolated => &self.xy,
            Which::Candidate => &self.xn,
        };
        let inv_n = 1.0 / n as f64;
        let (mut loss, mut pen) = (0.0, 0.0);
        for j in 0..n {
            let r = self.prediction(j, xz) - self.prob.y[j];
            loss += r * r;
            for c in 0..m {
                let s = self.sign(j, c);
                let mu = self.mu[j * m + c];
                let t = (mu - rho * s * xz[j * m + c]).max(0.0);
                pen += t * t - mu * mu;
                if grad_weights {
                    let dj = self.pat_rows[j * self.p + c % self.p];
                    let side = if c < self.p { 1.0 } else { -1.0 };
                    self.q[j * m + c] = side * dj * r * inv_n - s * t;
                }
            }
        }
        if matches!(which, Which::Candidate) {
            self.sq_loss_n = loss;
        }
        0.5 * loss * inv_n + pen / (2.0 * rho)
    }

    /// One proximal gradient step from the extrapolated point with backtracking on the
    /// step (the sufficient-decrease test of the smooth part); returns the gradient
    /// mapping ||z_new - z_y|| / step.
    fn prox_step(&mut self) -> f64 {
        let phi_y = self.smooth(Which::Extrapolated, true);
        self.ops.tmul(&self.q, 1.0, self.grad.as_mut());
        let lam = self.prob.lam;
        loop {
            let t = self.step;
            for c in 0..self.m {
                let (y, g) = (self.zy.col_as_slice(c), self.grad.col_as_slice(c));
                for ((o, a), b) in self.zn.col_as_slice_mut(c).iter_mut().zip(y).zip(g) {
                    *o = a - t * b;
                }
            }
            group_shrink(&mut self.zn, t * lam);
            self.ops.mul(self.zn.as_ref(), &mut self.xn);
            let phi_n = self.smooth(Which::Candidate, false);
            let mut lin = 0.0;
            for c in 0..self.m {
                let (a, b) = (self.zn.col_as_slice(c), self.zy.col_as_slice(c));
                for ((a, b), g) in a.iter().zip(b).zip(self.grad.col_as_slice(c)) {
                    lin += g * (a - b);
                }
            }
            let sq = sq_dist(&self.zn, &self.zy);
            let slack = 1e-12 * phi_y.abs();
            if phi_n <= phi_y + lin + sq / (2.0 * t) + slack || t < 1e-20 {
                return sq.sqrt() / t;
            }
            self.step *= self.set.backtrack;
        }
    }

    /// Momentum, or a restart when the step went against it; then z_k <- z_new.
    fn momentum(&mut self) {
        let mut restart_dot = 0.0;
        for c in 0..self.m {
            let (a, b) = (self.zn.col_as_slice(c), self.zk.col_as_slice(c));
            for ((a, b), y) in a.iter().zip(b).zip(self.zy.col_as_slice(c)) {
                restart_dot += (a - b) * (y - a);
            }
        }
        if restart_dot > 0.0 {
            self.restart_from_candidate();
        } else {
            let t_new = 0.5 * (1.0 + (1.0 + 4.0 * self.t_mom * self.t_mom).sqrt());
            let beta = (self.t_mom - 1.0) / t_new;
            self.t_mom = t_new;
            for c in 0..self.m {
                let (a, b) = (self.zn.col_as_slice(c), self.zk.col_as_slice(c));
                extrapolate(a, b, beta, self.zy.col_as_slice_mut(c));
            }
            // X z is linear in z: the extrapolated products follow without a product.
            extrapolate(&self.xn, &self.xk, beta, &mut self.xy);
        }
        std::mem::swap(&mut self.zk, &mut self.zn);
        std::mem::swap(&mut self.xk, &mut self.xn);
        self.sq_loss_k = self.sq_loss_n;
    }

    /// Momentum reset with y = the candidate.
    fn restart_from_candidate(&mut self) {
        self.t_mom = 1.0;
        self.zy.copy_from(&self.zn);
        self.xy.copy_from_slice(&self.xn);
    }

    /// Momentum reset at the iterate (after a multiplier or penalty update).
    fn restart_at_iterate(&mut self) {
        self.t_mom = 1.0;
        self.zy.copy_from(&self.zk);
        self.xy.copy_from_slice(&self.xk);
    }

    /// The largest cone violation max (-s x_j^T z_c)_+ and the complementarity measure
    /// max min(mu / rho, s x_j^T z_c) at the iterate.
    fn feasibility(&self) -> (f64, f64) {
        let (mut viol, mut comp) = (0.0f64, 0.0f64);
        for j in 0..self.n {
            for c in 0..self.m {
                let g = self.sign(j, c) * self.xk[j * self.m + c];
                viol = viol.max(-g);
                comp = comp.max((self.mu[j * self.m + c] / self.rho).min(g.abs()));
            }
        }
        (viol, comp)
    }

    /// mu <- [mu - rho s ∘ X z]_+ at the iterate.
    fn update_multipliers(&mut self) {
        for j in 0..self.n {
            for c in 0..self.m {
                let k = j * self.m + c;
                let s = self.sign(j, c);
                self.mu[k] = (self.mu[k] - self.rho * s * self.xk[k]).max(0.0);
            }
        }
    }

    /// The program's objective at the iterate (loss + group norms, penalty excluded).
    fn objective(&self) -> f64 {
        0.5 * self.sq_loss_k / self.n as f64 + self.prob.lam * group_norm(self.zk.as_ref())
    }
}

/// Which point's products [`AugLag::smooth`] reads.
#[derive(Clone, Copy)]
enum Which {
    Extrapolated,
    Candidate,
}

/// out = a + beta (a - b).
fn extrapolate(a: &[f64], b: &[f64], beta: f64, out: &mut [f64]) {
    for ((o, a), b) in out.iter_mut().zip(a).zip(b) {
        *o = a + beta * (a - b);
    }
}

/// Why the method stops with success.
const CONVERGED: &str =
    "subproblem stationary, cone violation and complementarity within tolerance";

/// Most FISTA steps on one subproblem before the multipliers move anyway (an inexact
/// method of multipliers: many cheap updates beat few exact subproblem solves here).
const MAX_INNER: usize = 200;

/// Largest penalty: beyond it the subproblems are too ill-conditioned for FISTA.
const MAX_RHO_TIMES_N: f64 = 1e8;

/// Solves the ReLU program from z = 0 (feasible). Returns [V | W] (d x 2P).
pub(crate) fn solve_relu(prob: &Problem<'_>, set: &Settings, run: &mut ReluRun<'_, '_>) -> Outcome {
    let mut al = AugLag::new(prob, set);
    let tol = set.tol;
    // The subproblem tolerance starts loose and tightens tenfold per multiplier update.
    let mut inner_tol = (1e3 * tol).min(1e-2);
    let mut last_viol = f64::INFINITY;
    let (mut k, mut viol, mut inner) = (0usize, 0.0, 0usize);
    let mut gmap;
    let status = loop {
        k += 1;
        gmap = al.prox_step();
        al.momentum();
        inner += 1;
        let inner_done = gmap <= inner_tol || inner >= MAX_INNER;
        let mut converged = false;
        if inner_done {
            let (v, comp) = al.feasibility();
            viol = v;
            converged = gmap <= tol && v <= tol && comp <= tol;
            if !converged {
                al.update_multipliers();
                // The penalty and the subproblem tolerance move only after a subproblem
                // was solved to its tolerance (a capped one says nothing about rho).
                if gmap <= inner_tol {
                    if v > 0.25 * last_viol && al.rho * (al.n as f64) < MAX_RHO_TIMES_N {
                        al.rho *= 10.0;
                    }
                    last_viol = v;
                    inner_tol = (0.1 * inner_tol).max(tol);
                }
                al.restart_at_iterate();
                inner = 0;
            }
        }
        let info = IterInfo {
            solver: SolverKind::AugLag,
            iteration: k,
            objective: al.objective(),
            primal_residual: viol,
            dual_residual: gmap,
            gap: f64::NAN,
            rho: al.rho,
            elapsed: run.elapsed().as_secs_f64(),
        };
        if let Some(s) = after_iterate(run, k, &info, converged) {
            break s;
        }
    };
    Outcome {
        message: message(status, CONVERGED, "", k),
        u: al.zk,
        status,
        iterations: k,
        primal_residual: viol,
        dual_residual: gmap,
        rho: al.rho,
    }
}
