//! What the structured QP fuzz target checks, shared by `fuzz_targets/qp_ipm.rs`
//! (libFuzzer with `arbitrary`) and `solvers/nlp/tests/fuzz_qp.rs` (ordinary `cargo test`
//! over pseudo-random cases): small dense convex QPs through the interior point.
//!
//! The QP: min 1/2 x'Qx + c'x subject to a_i'x <= u_i (u_i >= 0) and bounds containing 0,
//! with Q = LL' + 1e-3 I. It is feasible (x = 0) and bounded, so the solver must neither
//! panic nor report it infeasible or unbounded, and a success must be a feasible point at
//! least as good as x = 0.

use opal_core::{Budget, Status};
use opal_nlp::ipm::{Settings, solve};
use opal_problems::SmoothProblem;
use opal_problems::closure::FnProblem;

/// A small convex QP decoded from fuzz data.
#[derive(Debug, Clone)]
pub struct Qp {
    /// Q, dense row-major n x n (symmetric positive definite).
    pub q: Vec<f64>,
    /// Linear cost.
    pub c: Vec<f64>,
    /// Constraint rows, dense row-major m x n.
    pub a: Vec<f64>,
    /// Right-hand sides (>= 0).
    pub u: Vec<f64>,
    /// Symmetric bound magnitude of each variable (infinite for free).
    pub bound: Vec<f64>,
}

impl Qp {
    /// The QP of `n_raw % 5 + 1` variables and `m_raw % 4` constraints whose numbers are
    /// `values` (cycled; each in [-8, 8)).
    pub fn new(n_raw: u8, m_raw: u8, values: &[i8]) -> Self {
        let n = usize::from(n_raw % 5) + 1;
        let m = usize::from(m_raw % 4);
        let mut k = 0usize;
        let mut next = || {
            let v = values.get(k % values.len().max(1)).copied().unwrap_or(0);
            k += 1;
            f64::from(v) / 16.0
        };
        let l: Vec<f64> = (0..n * n).map(|_| next()).collect();
        let mut q = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                q[i * n + j] = (0..n).map(|t| l[i * n + t] * l[j * n + t]).sum::<f64>();
            }
            q[i * n + i] += 1e-3;
        }
        let c = (0..n).map(|_| next()).collect();
        let a = (0..m * n).map(|_| next()).collect();
        let u = (0..m).map(|_| next().abs()).collect();
        let bound = (0..n)
            .map(|_| {
                let b = next();
                if b < -4.0 {
                    f64::INFINITY
                } else {
                    b.abs() + 0.5
                }
            })
            .collect();
        Self { q, c, a, u, bound }
    }

    fn n(&self) -> usize {
        self.c.len()
    }

    fn m(&self) -> usize {
        self.u.len()
    }

    /// 1/2 x'Qx + c'x.
    pub fn objective(&self, x: &[f64]) -> f64 {
        let n = self.n();
        let mut f = 0.0;
        for i in 0..n {
            let qx: f64 = (0..n).map(|j| self.q[i * n + j] * x[j]).sum();
            f += x[i] * (0.5 * qx + self.c[i]);
        }
        f
    }

    /// The QP as a problem with exact derivatives.
    pub fn problem(&self) -> FnProblem {
        let (n, m) = (self.n(), self.m());
        let (f, g, cons, jac, hess) = (
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
        );
        FnProblem::new("fuzz-qp", vec![0.0; n], move |x: &[f64]| f.objective(x))
            .gradient_fn(move |x: &[f64], out: &mut [f64]| {
                for i in 0..n {
                    out[i] = g.c[i] + (0..n).map(|j| g.q[i * n + j] * x[j]).sum::<f64>();
                }
            })
            .bounds(self.bound.iter().map(|b| -b).collect(), self.bound.clone())
            .constraints(m, move |x: &[f64], out: &mut [f64]| {
                for i in 0..m {
                    out[i] = (0..n).map(|j| cons.a[i * n + j] * x[j]).sum();
                }
            })
            .constraint_bounds(vec![f64::NEG_INFINITY; m], self.u.clone())
            .jacobian_fn(move |_: &[f64], out: &mut [f64]| out.copy_from_slice(&jac.a))
            .hessian_fn(move |_: &[f64], sigma: f64, _: &[f64], out: &mut [f64]| {
                for (o, q) in out.iter_mut().zip(&hess.q) {
                    *o = sigma * q;
                }
            })
    }
}

/// Solves `qp` with the interior point (200 iterations at most) and checks the outcome.
pub fn check(qp: &Qp) {
    let p = qp.problem();
    let settings = Settings {
        budget: Budget::iterations(200),
        ..Settings::default()
    };
    let out = solve(&p, &settings).unwrap_or_else(|e| panic!("{qp:?}: {e}"));
    assert!(
        !matches!(out.status, Status::Infeasible | Status::Unbounded),
        "a feasible bounded QP reported {:?}: {qp:?}",
        out.status
    );
    assert_eq!(out.x.len(), qp.n());
    if !out.status.is_success() {
        return;
    }
    let scale = 1.0
        + qp.c
            .iter()
            .chain(&qp.q)
            .map(|v| v.abs())
            .fold(0.0, f64::max);
    let tol = 1e-6 * scale;
    for (j, (&x, &b)) in out.x.iter().zip(&qp.bound).enumerate() {
        assert!(x.abs() <= b + tol, "x[{j}] = {x} outside +-{b}: {qp:?}");
    }
    let mut c = vec![0.0; qp.m()];
    SmoothProblem::constraints(&p, &out.x, &mut c).unwrap();
    for (i, (&ci, &ui)) in c.iter().zip(&qp.u).enumerate() {
        assert!(ci <= ui + tol, "constraint {i}: {ci} > {ui}: {qp:?}");
    }
    let f = qp.objective(&out.x);
    assert!(f <= tol, "objective {f} worse than x = 0: {qp:?}");
    assert!(
        (f - out.objective).abs() <= 1e-8 * scale.max(f.abs()),
        "reported {} for {f}",
        out.objective
    );
}
