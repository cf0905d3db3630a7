//! Adversarial training for l_inf-bounded input perturbations (radius eps) by the robust
//! convex program of Bai, Gautam and Sojoudi (hinge loss, activation patterns fixed in the
//! ball), in opal's scaling (the iteration itself runs on n times it, Bai's scaling with
//! beta = n lam, so that the dual variables are O(1)):
//!
//!   min (1/n) sum_j (1 - y_j x_j^T z_j + eps ||z_j||_1)_+ + lam sum_i (||v_i|| + ||w_i||),
//!   z_j = sum_i d_ij (v_i - w_i),
//!   s.t. (2 D_i - I) X v_i >= eps ||v_i||_1 1,  (2 D_i - I) X w_i >= eps ||w_i||_1 1.
//!
//! With eps = 0 it is the hinge-loss ReLU program (the plain model). Solved by an interior
//! point on its LP + SOC form (`robust_ipm`, the default) or by ADMM with the same splitting
//! idea as the ReLU program's (`robust_admm`: an exact Sylvester u-update, no n x n matrix).
//! The bias coordinate (with `fit_intercept`) is not perturbed, so it is left out of the l1
//! norms.

use faer::Mat;
use opal_core::{NoObserver, Observer, Start};

use super::data::{Dataset, augment, check_xy, feature_mask};
use super::error::ReluError;
use super::gates::{gates_from, sample_gates};
use super::model::{Model, Network};
use super::ops::{cone_violation, mul, small_blocks};
use super::program::{IterInfo, ReluRun, with_log};
use super::robust_admm::{self, RobustData, project_robust_cone};
use super::robust_ipm::{self, RobustProblem};
pub use super::settings::{AdvSettings, RobustSolver};

/// Result of [`fit_robust`].
#[derive(Debug, Clone)]
pub struct AdvResult {
    /// Fitted ReLU weights (variant Relu).
    pub model: Model,
    /// How the run ended.
    pub status: opal_core::Status,
    /// The precise cause, in words.
    pub message: String,
    /// Iterations done.
    pub iterations: usize,
    /// Robust objective at the returned weights.
    pub objective: f64,
    /// Largest violation of the robust cone constraints.
    pub cone_violation: f64,
    /// Training radius.
    pub eps: f64,
    /// Seconds, including gate sampling and factorizations.
    pub time: f64,
}

/// S = [D, -D] (n x 2P): the effective weights of sample j are z_j = U s_j.
fn signed_patterns(pat: &Mat<f64>) -> Mat<f64> {
    let p = pat.ncols();
    Mat::from_fn(pat.nrows(), 2 * p, |j, b| {
        if b < p { pat[(j, b)] } else { -pat[(j, b - p)] }
    })
}

/// Zeroes the blocks the interior point left at O(mu) size, one at a time, when that does
/// not raise the robust objective (a zero block satisfies its robust cone exactly).
fn prune_robust(data: &RobustData<'_>, u: &mut Mat<f64>, z: &mut Mat<f64>) {
    let (_, order) = small_blocks(u);
    let mut cur = data.objective(u, z);
    for b in order {
        let keep = u.col(b).to_owned();
        u.col_mut(b).fill(0.0);
        let val = data.objective(u, z);
        if val <= cur {
            cur = val;
        } else {
            u.col_mut(b).copy_from(&keep);
        }
    }
}

/// Trains the robust (eps > 0) or plain (eps = 0) hinge-loss ReLU model; labels must be ±1.
pub fn fit_robust(data: &Dataset, set: &AdvSettings) -> Result<AdvResult, ReluError> {
    fit_robust_observed(data, set, &mut NoObserver)
}

/// [`fit_robust`] with an observer of the iterations (it may stop the run).
pub fn fit_robust_observed(
    data: &Dataset,
    set: &AdvSettings,
    observer: &mut dyn Observer<IterInfo>,
) -> Result<AdvResult, ReluError> {
    set.validate()?;
    check_xy(data.x.as_ref(), &data.y)?;
    data.check_binary()?;
    let mut budget = set.budget.clone();
    budget.start.get_or_insert_with(std::time::Instant::now);
    let x = augment(data.x.as_ref(), set.fit_intercept);
    let (n, d) = (x.nrows(), x.ncols());
    let mask = feature_mask(d, set.fit_intercept);
    let g = sample_gates(x.as_ref(), set.n_patterns, set.seed);
    if g.is_empty() {
        return Err(ReluError::Data("every sampled pattern was all-zero".into()));
    }
    let p = g.len();
    let (eps, y, lam) = (set.eps, &data.y[..], set.lam);
    let (solver, every) = match set.solver {
        RobustSolver::Ipm => ("robust interior point", 1),
        RobustSolver::Admm => ("robust admm", set.log_every),
    };
    let problem = format!("n = {n}, d = {d}, P = {p}, eps = {eps}");
    with_log(set.verbose, every, observer, |observer| {
        let start = Start {
            solver,
            problem: &problem,
        };
        let mut run = ReluRun::start(&budget, observer, start);
        let sgn = Mat::from_fn(n, 2 * p, |j, b| 2.0 * g.patterns[(j, b % p)] - 1.0);
        let dpm = signed_patterns(&g.patterns);
        let rd = RobustData {
            x: x.as_ref(),
            y,
            sgn: &sgn,
            dpm: &dpm,
            mask: &mask,
            eps,
            lam,
        };
        let mut z = Mat::<f64>::zeros(n, d);
        let out = match set.solver {
            RobustSolver::Ipm => {
                let pr = RobustProblem {
                    x: x.as_ref(),
                    pat: g.patterns.as_ref(),
                    y,
                    mask: &mask,
                    eps,
                    lam,
                };
                let mut out = robust_ipm::solve(&pr, set.tol, &mut run)?;
                prune_robust(&rd, &mut out.u, &mut z);
                out
            }
            RobustSolver::Admm => robust_admm::solve(&rd, set, &mut run)?,
        };
        let objective = rd.objective(&out.u, &mut z);
        let patm = Mat::from_fn(n, 2 * p, |j, b| g.patterns[(j, b % p)]);
        let cv = cone_violation(x.as_ref(), patm.as_ref(), out.u.as_ref(), eps, &mask);
        let model = Model::relu_blocks(&out.u, g.g.clone(), set.fit_intercept);
        let time = run.finish(out.status, out.iterations, objective, &out.message);
        Ok(AdvResult {
            model,
            status: out.status,
            message: out.message,
            iterations: out.iterations,
            objective,
            cone_violation: cv,
            eps,
            time: time.as_secs_f64(),
        })
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
    let x = augment(data.x.as_ref(), res.model.fit_intercept);
    let (n, d) = (x.nrows(), x.ncols());
    let mask = feature_mask(d, res.model.fit_intercept);
    let g = gates_from(x.as_ref(), res.model.gates.as_ref());
    let p = g.len();
    let diff = &res.model.v - &res.model.w;
    let mut xd = Mat::<f64>::zeros(n, p);
    mul(xd.as_mut(), x.as_ref(), diff.as_ref());
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
