//! Adversarial training for l_inf-bounded input perturbations (radius eps) by the robust
//! convex program of Bai, Gautam and Sojoudi (hinge loss, activation patterns fixed in the
//! ball), in opal's scaling (the iteration itself runs on n times it, Bai's scaling with
//! beta = n lam, so that the dual variables are O(1)):
//!
//!   min (1/n) sum_j (1 - y_j x_j^T z_j + eps ||z_j||_1)_+ + lam sum_i (||v_i|| + ||w_i||),
//!   z_j = sum_i d_ij (v_i - w_i),
//!   s.t. (2 D_i - I) X v_i >= eps ||v_i||_1 1,  (2 D_i - I) X w_i >= eps ||w_i||_1 1.
//!
//! With eps = 0 it is the hinge-loss ReLU program (the plain model). Solved by ADMM with the
//! same splitting idea as [`super::admm`]: u = v (group lasso prox), (G u, u) in the robust
//! cone (an exact projection found by a 1-D convex search), and the per-sample effective
//! weights z = Z u (hinge prox, again a 1-D search). Every split shares rho, so the u-update
//! (2I + X^T X) U + U (S^T S) = R is a Sylvester equation with fixed coefficients, solved
//! exactly from two symmetric eigendecompositions made once (S = [D, -D]): no CG, no n x n
//! matrix. The bias coordinate (with `fit_intercept`) is not perturbed, so it is left out of
//! the l1 norms.

use std::time::Instant;

use faer::{Mat, Side};

use super::data::{Dataset, augment, check_xy};
use super::error::{ReluError, setting};
use super::gates::sample_gates;
use super::model::{Model, Network};
use super::ops::{cone_violation, gemm, group_norm, group_shrink};
use super::robust_ipm::{self, RobustProblem};
use super::settings::{Settings, SolverKind, Variant};
use super::solve::Status;

/// Settings of [`fit_robust`]: the radius plus the common [`Settings`] (lam, n_patterns,
/// seed, tol, max_iter, fit_intercept, rho, adaptive_rho, time_limit, verbose are used).
#[derive(Debug, Clone)]
pub struct AdvSettings {
    /// l_inf radius of the training perturbations. Default 0.05 (0 gives the plain model).
    pub eps: f64,
    /// Common settings. Default `Settings::default()` with rho = 1 and tol = 1e-5.
    pub base: Settings,
}

impl Default for AdvSettings {
    fn default() -> Self {
        Self {
            eps: 0.05,
            base: Settings::default().rho(1.0).tol(1e-5),
        }
    }
}

impl AdvSettings {
    /// Sets `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    /// Sets `base`.
    pub fn base(mut self, base: Settings) -> Self {
        self.base = base;
        self
    }
}

/// Result of [`fit_robust`].
#[derive(Debug, Clone)]
pub struct AdvResult {
    /// Fitted ReLU weights (variant Relu).
    pub model: Model,
    /// Termination reason.
    pub status: Status,
    /// Iterations done.
    pub iterations: usize,
    /// Robust objective at the returned weights.
    pub objective: f64,
    /// Largest violation of the robust cone constraints.
    pub cone_violation: f64,
    /// Training radius.
    pub eps: f64,
    /// Seconds.
    pub time: f64,
}

/// Soft-threshold of the masked coordinates by t.
fn soft_masked(z: &mut [f64], mask: &[f64], t: f64) {
    for (v, &m) in z.iter_mut().zip(mask) {
        if m > 0.0 {
            *v = v.signum() * (v.abs() - t).max(0.0);
        }
    }
}

/// Threshold mu with sum_k (|c_k| - mu)_+ = r over `sorted` (|c| descending, masked
/// entries only); 0 when the l1 norm is already <= r.
fn l1_threshold(sorted: &[f64], r: f64) -> f64 {
    let total: f64 = sorted.iter().sum();
    if total <= r {
        return 0.0;
    }
    let mut cum = 0.0;
    let mut mu = 0.0;
    for (k, &c) in sorted.iter().enumerate() {
        cum += c;
        let cand = (cum - r) / (k + 1) as f64;
        // The largest entry is always in the support (for r = 0 the threshold is max |c|).
        if k == 0 || c > cand {
            mu = cand;
        } else {
            break;
        }
    }
    mu.max(0.0)
}

/// Projects (a, c) onto {a_j >= eps ||c||_1 for all j} (masked l1), in place.
/// Minimizes over the common level tau: phi'(tau)/2 = sum_j (tau - a_j)_+ - mu(tau/eps)/eps.
pub(crate) fn project_robust_cone(
    a: &mut [f64],
    c: &mut [f64],
    mask: &[f64],
    eps: f64,
    sa: &mut Vec<f64>,
    sc: &mut Vec<f64>,
) {
    if eps <= 0.0 {
        a.iter_mut().for_each(|v| *v = v.max(0.0));
        return;
    }
    sc.clear();
    sc.extend(
        c.iter()
            .zip(mask)
            .filter(|(_, m)| **m > 0.0)
            .map(|(v, _)| v.abs()),
    );
    let l1: f64 = sc.iter().sum();
    let amin = a.iter().cloned().fold(f64::INFINITY, f64::min);
    if amin >= eps * l1 {
        return;
    }
    sc.sort_by(|x, y| y.total_cmp(x));
    sa.clear();
    sa.extend_from_slice(a);
    sa.sort_by(f64::total_cmp);
    let below = |tau: f64, sa: &[f64]| -> f64 {
        // sum_j (tau - a_j)_+ over the ascending a.
        let mut s = 0.0;
        for &v in sa {
            if v >= tau {
                break;
            }
            s += tau - v;
        }
        s
    };
    let deriv = |tau: f64| below(tau, sa) - l1_threshold(sc, tau / eps) / eps;
    let (mut lo, mut hi) = (0.0f64, eps * l1);
    let tau = if deriv(0.0) >= 0.0 {
        0.0
    } else {
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if deriv(mid) >= 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        0.5 * (lo + hi)
    };
    a.iter_mut().for_each(|v| *v = v.max(tau));
    let mu = l1_threshold(sc, tau / eps);
    soft_masked(c, mask, mu);
}

/// Prox of (1/rho) (1 - y x^T z + eps ||z||_1)_+ at z (in place), by a 1-D search
/// on tau in [0, 1/rho]: z(tau) = soft(z0 + tau y x, tau eps).
pub(crate) fn hinge_prox(
    z: &mut [f64],
    x: &[f64],
    y: f64,
    eps: f64,
    mask: &[f64],
    tmax: f64,
    buf: &mut Vec<f64>,
) {
    let phi = |zz: &[f64]| -> f64 {
        let mut s = 1.0;
        for k in 0..zz.len() {
            s += -y * x[k] * zz[k] + eps * mask[k] * zz[k].abs();
        }
        s
    };
    if phi(z) <= 0.0 {
        return;
    }
    buf.clear();
    buf.extend_from_slice(z);
    let eval = |tau: f64, out: &mut [f64], z0: &[f64]| {
        for k in 0..out.len() {
            out[k] = z0[k] + tau * y * x[k];
        }
        soft_masked(out, mask, tau * eps);
    };
    let z0 = buf.clone();
    eval(tmax, z, &z0);
    if phi(z) >= 0.0 {
        return;
    }
    let (mut lo, mut hi) = (0.0f64, tmax);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        eval(mid, z, &z0);
        if phi(z) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    eval(0.5 * (lo + hi), z, &z0);
}

/// Robust objective and cone violation of (v | w) = `u` (d x 2P) on augmented data.
fn robust_value(
    x: &Mat<f64>,
    pat: &Mat<f64>,
    y: &[f64],
    u: &Mat<f64>,
    eps: f64,
    lam: f64,
    mask: &[f64],
) -> (f64, f64) {
    let (n, p) = (x.nrows(), pat.ncols());
    let dpm = Mat::from_fn(
        n,
        2 * p,
        |j, b| if b < p { pat[(j, b)] } else { -pat[(j, b - p)] },
    );
    let mut z = Mat::<f64>::zeros(n, x.ncols());
    gemm(z.as_mut(), false, dpm.as_ref(), u.transpose(), 1.0);
    let mut loss = 0.0;
    for j in 0..n {
        let mut s = 1.0;
        for k in 0..x.ncols() {
            s += -y[j] * x[(j, k)] * z[(j, k)] + eps * mask[k] * z[(j, k)].abs();
        }
        loss += s.max(0.0);
    }
    let patm = Mat::from_fn(n, 2 * p, |j, b| pat[(j, b % p)]);
    let cv = cone_violation(x.as_ref(), patm.as_ref(), u.as_ref(), eps, mask);
    (loss / n as f64 + lam * group_norm(u.as_ref()), cv)
}

/// Zeroes the blocks the interior point left at O(mu) size, one at a time, when that does
/// not raise the robust objective (a zero block satisfies its robust cone exactly).
fn prune_robust(
    x: &Mat<f64>,
    pat: &Mat<f64>,
    y: &[f64],
    u: &mut Mat<f64>,
    eps: f64,
    lam: f64,
    mask: &[f64],
) {
    let m = u.ncols();
    let norms: Vec<f64> = (0..m).map(|b| u.col(b).norm_l2()).collect();
    let big = norms.iter().cloned().fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..m)
        .filter(|&b| norms[b] > 0.0 && norms[b] <= 1e-3 * big)
        .collect();
    order.sort_by(|&a, &b| norms[a].total_cmp(&norms[b]));
    let mut cur = robust_value(x, pat, y, u, eps, lam, mask).0;
    for b in order {
        let keep = u.col(b).to_owned();
        u.col_mut(b).fill(0.0);
        let val = robust_value(x, pat, y, u, eps, lam, mask).0;
        if val <= cur {
            cur = val;
        } else {
            u.col_mut(b).copy_from(&keep);
        }
    }
}

/// Trains the robust (eps > 0) or plain (eps = 0) hinge-loss ReLU model; labels must be ±1.
/// The interior-point method solves it unless `base.solver` is ADMM.
pub fn fit_robust(data: &Dataset, set: &AdvSettings) -> Result<AdvResult, ReluError> {
    let base = &set.base;
    let use_admm = matches!(base.solver, SolverKind::Admm | SolverKind::AdmmCg);
    base.clone()
        .variant(Variant::Relu)
        .solver(if use_admm {
            SolverKind::Admm
        } else {
            SolverKind::Ipm
        })
        .validate()?;
    if !(set.eps.is_finite() && set.eps >= 0.0) {
        return Err(setting(
            "eps",
            format!("must be finite and >= 0, got {}", set.eps),
        ));
    }
    check_xy(&data.x, &data.y)?;
    data.check_binary()?;
    let start = Instant::now();
    let x = augment(&data.x, base.fit_intercept);
    let (n, d) = (x.nrows(), x.ncols());
    let mask: Vec<f64> = (0..d)
        .map(|k| {
            if base.fit_intercept && k == d - 1 {
                0.0
            } else {
                1.0
            }
        })
        .collect();
    let g = sample_gates(x.as_ref(), base.n_patterns, base.seed);
    if g.is_empty() {
        return Err(ReluError::Data("every sampled pattern was all-zero".into()));
    }
    let p = g.len();
    let m = 2 * p;
    let eps = set.eps;
    let y = &data.y;
    let sgn = Mat::from_fn(n, m, |j, b| 2.0 * g.patterns[(j, b % p)] - 1.0);
    let dpm = Mat::from_fn(n, m, |j, b| {
        if b < p {
            g.patterns[(j, b)]
        } else {
            -g.patterns[(j, b - p)]
        }
    });
    if !use_admm {
        let pr = RobustProblem {
            x: x.as_ref(),
            pat: g.patterns.as_ref(),
            y,
            mask: &mask,
            eps,
            lam: base.lam,
        };
        let over = || {
            base.time_limit
                .is_some_and(|t| start.elapsed().as_secs_f64() > t)
        };
        let out = robust_ipm::solve(&pr, base.tol, base.max_iter, base.verbose, &over)?;
        let mut u = out.u;
        prune_robust(&x, &g.patterns, y, &mut u, eps, base.lam, &mask);
        let (objective, cv) = robust_value(&x, &g.patterns, y, &u, eps, base.lam, &mask);
        let model = Model {
            variant: Variant::Relu,
            fit_intercept: base.fit_intercept,
            gates: g.g.clone(),
            u: Mat::zeros(d, 0),
            v: u.as_ref().subcols(0, p).to_owned(),
            w: u.as_ref().subcols(p, p).to_owned(),
        };
        return Ok(AdvResult {
            model,
            status: out.status,
            iterations: out.iterations,
            objective,
            cone_violation: cv,
            eps,
            time: start.elapsed().as_secs_f64(),
        });
    }
    // Sylvester coefficients: M1 = 2I + X^T X = Qx diag(l) Qx^T, S^T S = Qs diag(w) Qs^T.
    let mut m1 = Mat::<f64>::identity(d, d) * 2.0;
    gemm(m1.as_mut(), true, x.transpose(), x.as_ref(), 1.0);
    let mut sts = Mat::<f64>::zeros(m, m);
    gemm(sts.as_mut(), false, dpm.transpose(), dpm.as_ref(), 1.0);
    let e1 = m1
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| ReluError::LinAlg(format!("eigen of 2I + X^T X: {e:?}")))?;
    let e2 = sts
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| ReluError::LinAlg(format!("eigen of S^T S: {e:?}")))?;
    let (qx, qs) = (e1.U().to_owned(), e2.U().to_owned());
    let lx: Vec<f64> = (0..d).map(|k| e1.S()[k]).collect();
    let ls: Vec<f64> = (0..m).map(|k| e2.S()[k].max(0.0)).collect();

    let mut u = Mat::<f64>::zeros(d, m);
    let mut v = Mat::<f64>::zeros(d, m);
    let mut c = Mat::<f64>::zeros(d, m);
    let mut a = Mat::<f64>::zeros(n, m);
    let mut z = Mat::<f64>::zeros(n, d);
    let (mut l1, mut l3) = (Mat::<f64>::zeros(d, m), Mat::<f64>::zeros(d, m));
    let mut l2 = Mat::<f64>::zeros(n, m);
    let mut l4 = Mat::<f64>::zeros(n, d);
    let mut gu = Mat::<f64>::zeros(n, m);
    let mut zu = Mat::<f64>::zeros(n, d);
    let mut tmp_n = Mat::<f64>::zeros(n, m);
    let mut rhs = Mat::<f64>::zeros(d, m);
    let mut t1 = Mat::<f64>::zeros(d, m);
    let mut t2 = Mat::<f64>::zeros(d, m);
    let mut rowbuf = vec![0.0; d];
    let mut xrow = vec![0.0; d];
    let (mut sa, mut sc, mut hb) = (Vec::new(), Vec::new(), Vec::new());
    let mut colbuf_a = vec![0.0; n];
    let mut colbuf_c = vec![0.0; d];
    let mut rho = base.rho;
    let mut status = Status::MaxIterations;
    let mut iters = 0;
    let nf = n as f64;
    for k in 1..=base.max_iter {
        iters = k;
        // rhs = (v - l1) + G^T (a - l2) + (c - l3) + Z^T (z - l4)
        for b in 0..m {
            for j in 0..n {
                tmp_n[(j, b)] = sgn[(j, b)] * (a[(j, b)] - l2[(j, b)]);
            }
        }
        gemm(rhs.as_mut(), false, x.transpose(), tmp_n.as_ref(), 1.0);
        let zl = &z - &l4;
        gemm(rhs.as_mut(), true, zl.transpose(), dpm.as_ref(), 1.0);
        rhs += &v - &l1;
        rhs += &c - &l3;
        // Sylvester solve: U = Qx [(Qx^T R Qs) ./ (l_k + w_b)] Qs^T.
        gemm(t1.as_mut(), false, qx.transpose(), rhs.as_ref(), 1.0);
        gemm(t2.as_mut(), false, t1.as_ref(), qs.as_ref(), 1.0);
        for b in 0..m {
            for q in 0..d {
                t2[(q, b)] /= lx[q] + ls[b];
            }
        }
        gemm(t1.as_mut(), false, qx.as_ref(), t2.as_ref(), 1.0);
        gemm(u.as_mut(), false, t1.as_ref(), qs.transpose(), 1.0);
        // Products of the new u.
        gemm(gu.as_mut(), false, x.as_ref(), u.as_ref(), 1.0);
        for b in 0..m {
            for j in 0..n {
                gu[(j, b)] *= sgn[(j, b)];
            }
        }
        gemm(zu.as_mut(), false, dpm.as_ref(), u.transpose(), 1.0);
        let (v_prev, a_prev, c_prev, z_prev) = (v.clone(), a.clone(), c.clone(), z.clone());
        // Prox steps.
        v.copy_from(&u);
        v += &l1;
        group_shrink(&mut v, nf * base.lam / rho);
        for b in 0..m {
            for j in 0..n {
                colbuf_a[j] = gu[(j, b)] + l2[(j, b)];
            }
            for q in 0..d {
                colbuf_c[q] = u[(q, b)] + l3[(q, b)];
            }
            project_robust_cone(&mut colbuf_a, &mut colbuf_c, &mask, eps, &mut sa, &mut sc);
            for j in 0..n {
                a[(j, b)] = colbuf_a[j];
            }
            for q in 0..d {
                c[(q, b)] = colbuf_c[q];
            }
        }
        let tmax = 1.0 / rho;
        for j in 0..n {
            for q in 0..d {
                rowbuf[q] = zu[(j, q)] + l4[(j, q)];
                xrow[q] = x[(j, q)];
            }
            hinge_prox(&mut rowbuf, &xrow, y[j], eps, &mask, tmax, &mut hb);
            for q in 0..d {
                z[(j, q)] = rowbuf[q];
            }
        }
        // Dual updates and residuals.
        let r1 = &u - &v;
        let r2 = &gu - &a;
        let r3 = &u - &c;
        let r4 = &zu - &z;
        l1 += &r1;
        l2 += &r2;
        l3 += &r3;
        l4 += &r4;
        let r_pri = (r1.squared_norm_l2()
            + r2.squared_norm_l2()
            + r3.squared_norm_l2()
            + r4.squared_norm_l2())
        .sqrt();
        let pri_scale = (u.squared_norm_l2() * 2.0 + gu.squared_norm_l2() + zu.squared_norm_l2())
            .sqrt()
            .max(
                (v.squared_norm_l2()
                    + a.squared_norm_l2()
                    + c.squared_norm_l2()
                    + z.squared_norm_l2())
                .sqrt(),
            );
        // Dual residual rho (dv + G^T da + dc + Z^T dz) and its scale rho ||A^T lambda||.
        let mut dual = &v - &v_prev;
        dual += &c - &c_prev;
        for b in 0..m {
            for j in 0..n {
                tmp_n[(j, b)] = sgn[(j, b)] * (a[(j, b)] - a_prev[(j, b)]);
            }
        }
        gemm(dual.as_mut(), true, x.transpose(), tmp_n.as_ref(), 1.0);
        let dz = &z - &z_prev;
        gemm(dual.as_mut(), true, dz.transpose(), dpm.as_ref(), 1.0);
        let r_dual = rho * dual.norm_l2();
        // u carries no objective term, so A^T y -> 0 at the optimum: scale by the parts.
        let mut lt = Mat::<f64>::zeros(d, m);
        for b in 0..m {
            for j in 0..n {
                tmp_n[(j, b)] = sgn[(j, b)] * l2[(j, b)];
            }
        }
        gemm(lt.as_mut(), false, x.transpose(), tmp_n.as_ref(), 1.0);
        let mut lz = Mat::<f64>::zeros(d, m);
        gemm(lz.as_mut(), false, l4.transpose(), dpm.as_ref(), 1.0);
        let dual_scale = rho
            * (l1.squared_norm_l2()
                + l3.squared_norm_l2()
                + lt.squared_norm_l2()
                + lz.squared_norm_l2())
            .sqrt();
        let dim = ((d * m) as f64).sqrt();
        let eps_pri = base.tol * (1e-3 * dim + pri_scale);
        let eps_dual = base.tol * (1e-3 * dim + dual_scale);
        if base.verbose && k % base.log_every.max(1) == 0 {
            let (obj, cv) = robust_value(&x, &g.patterns, y, &v, eps, base.lam, &mask);
            eprintln!(
                "robust {k:6} obj {obj:.8e} cone {cv:.2e} r_pri {r_pri:.2e}/{eps_pri:.2e} r_dual {r_dual:.2e}/{eps_dual:.2e} rho {rho:.2e}"
            );
        }
        if k > 1 && r_pri <= eps_pri && r_dual <= eps_dual {
            status = Status::Converged;
            break;
        }
        if base
            .time_limit
            .is_some_and(|t| start.elapsed().as_secs_f64() > t)
        {
            status = Status::TimeLimit;
            break;
        }
        if base.adaptive_rho && k % 10 == 0 {
            let ratio = (r_pri / eps_pri) / (r_dual / eps_dual).max(1e-300);
            if !(0.2..=5.0).contains(&ratio) {
                let new_rho = (rho * ratio.sqrt())
                    .clamp(rho / 100.0, rho * 100.0)
                    .clamp(1e-8, 1e8);
                let f = rho / new_rho;
                l1 *= f;
                l2 *= f;
                l3 *= f;
                l4 *= f;
                rho = new_rho;
            }
        }
    }
    let (objective, cv) = robust_value(&x, &g.patterns, y, &v, eps, base.lam, &mask);
    let model = Model {
        variant: Variant::Relu,
        fit_intercept: base.fit_intercept,
        gates: g.g.clone(),
        u: Mat::zeros(d, 0),
        v: v.as_ref().subcols(0, p).to_owned(),
        w: v.as_ref().subcols(p, p).to_owned(),
    };
    Ok(AdvResult {
        model,
        status,
        iterations: iters,
        objective,
        cone_violation: cv,
        eps,
        time: start.elapsed().as_secs_f64(),
    })
}

/// An attack on the inputs of a network (l_inf ball of the given radius).
#[derive(Debug, Clone, Copy)]
pub enum Attack {
    /// No perturbation (clean accuracy).
    None,
    /// One signed-gradient step of size eps (FGSM).
    Fgsm,
    /// Projected signed-gradient steps (PGD) from the clean point.
    Pgd {
        /// Number of steps.
        steps: usize,
        /// Step length.
        step: f64,
    },
}

/// The perturbed sample found by `attack` against margin y f(x) (bias not perturbed).
pub fn attack_sample(net: &Network, x: &[f64], y: f64, attack: Attack, eps: f64) -> Vec<f64> {
    let d = x.len();
    let mut g = vec![0.0; d];
    let mut xa = x.to_vec();
    let (steps, step) = match attack {
        Attack::None => return xa,
        Attack::Fgsm => (1, eps),
        Attack::Pgd { steps, step } => (steps, step),
    };
    for _ in 0..steps {
        net.input_gradient(&xa, &mut g);
        for k in 0..d {
            let dir = -y * g[k];
            xa[k] += step
                * if dir > 0.0 {
                    1.0
                } else if dir < 0.0 {
                    -1.0
                } else {
                    0.0
                };
            xa[k] = xa[k].clamp(x[k] - eps, x[k] + eps);
        }
    }
    xa
}

/// Accuracy of `net` on `data` (labels ±1) after `attack` of radius eps on every sample.
pub fn attack_accuracy(net: &Network, data: &Dataset, attack: Attack, eps: f64) -> f64 {
    let (n, d) = (data.n(), data.d());
    let mut adv = Mat::<f64>::zeros(n, d);
    let mut row = vec![0.0; d];
    for j in 0..n {
        for k in 0..d {
            row[k] = data.x[(j, k)];
        }
        let xa = attack_sample(net, &row, data.y[j], attack, eps);
        for k in 0..d {
            adv[(j, k)] = xa[k];
        }
    }
    let out = net
        .forward(adv.as_ref())
        .unwrap_or_else(|_| vec![f64::NAN; n]);
    out.iter()
        .zip(&data.y)
        .filter(|(f, y)| (**f >= 0.0) == (**y > 0.0))
        .count() as f64
        / n as f64
}

/// Checks the robust bound: for every training sample, the hinge loss of the recovered
/// network at a PGD attack of radius `eps` must not exceed (1 - y x^T z + eps ||z||_1)_+.
/// Returns (samples exceeding by more than 1e-6 (1 + bound), largest excess).
pub fn bound_check(res: &AdvResult, data: &Dataset, eps: f64) -> (usize, f64) {
    let net = res.model.network();
    let x = augment(&data.x, res.model.fit_intercept);
    let (n, d) = (x.nrows(), x.ncols());
    let mask: Vec<f64> = (0..d)
        .map(|k| {
            if res.model.fit_intercept && k == d - 1 {
                0.0
            } else {
                1.0
            }
        })
        .collect();
    let g = super::gates::gates_from(x.as_ref(), res.model.gates.as_ref());
    let p = g.len();
    let diff = &res.model.v - &res.model.w;
    let mut xd = Mat::<f64>::zeros(n, p);
    gemm(xd.as_mut(), false, x.as_ref(), diff.as_ref(), 1.0);
    let mut count = 0;
    let mut worst = f64::NEG_INFINITY;
    let mut row = vec![0.0; data.d()];
    for j in 0..n {
        let mut zj = vec![0.0; d];
        for i in 0..p {
            if g.patterns[(j, i)] > 0.0 {
                for q in 0..d {
                    zj[q] += diff[(q, i)];
                }
            }
        }
        let margin: f64 = (0..d).map(|q| x[(j, q)] * zj[q]).sum::<f64>() * data.y[j];
        let l1: f64 = (0..d).map(|q| mask[q] * zj[q].abs()).sum();
        let bound = (1.0 - margin + eps * l1).max(0.0);
        for k in 0..data.d() {
            row[k] = data.x[(j, k)];
        }
        let xa = attack_sample(
            &net,
            &row,
            data.y[j],
            Attack::Pgd {
                steps: 40,
                step: eps / 10.0,
            },
            eps,
        );
        let f = net
            .forward(Mat::from_fn(1, data.d(), |_, k| xa[k]).as_ref())
            .map(|v| v[0])
            .unwrap_or(f64::NAN);
        let hinge = (1.0 - data.y[j] * f).max(0.0);
        let excess = hinge - bound;
        worst = worst.max(excess);
        if excess > 1e-6 * (1.0 + bound) {
            count += 1;
        }
    }
    (count, worst)
}

/// The robust-cone projection on copies of (a, c), exposed for tests.
#[doc(hidden)]
pub fn project_robust_cone_for_tests(
    a: &[f64],
    c: &[f64],
    mask: &[f64],
    eps: f64,
) -> (Vec<f64>, Vec<f64>) {
    let (mut a, mut c) = (a.to_vec(), c.to_vec());
    project_robust_cone(&mut a, &mut c, mask, eps, &mut Vec::new(), &mut Vec::new());
    (a, c)
}
