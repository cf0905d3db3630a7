//! Problems built from closures: a user's own objective, constraints and (optionally)
//! derivatives, as a [`SmoothProblem`] that every NLP solver accepts like a SIF file.
//!
//! ```
//! use opal_problems::closure::FnProblem;
//! use opal_problems::SmoothProblem;
//! // min (x0 - 1)^2 + (x1 - 2)^2  s.t.  x0 + x1 <= 2,  x >= 0
//! let p = FnProblem::new("demo", vec![0.0, 0.0], |x: &[f64]| {
//!     (x[0] - 1.0).powi(2) + (x[1] - 2.0).powi(2)
//! })
//! .bounds(vec![0.0, 0.0], vec![f64::INFINITY; 2])
//! .constraints(1, |x: &[f64], c: &mut [f64]| c[0] = x[0] + x[1])
//! .constraint_bounds(vec![f64::NEG_INFINITY], vec![2.0]);
//! let mut g = [0.0; 2];
//! p.gradient(&[0.0, 0.0], &mut g).unwrap(); // central differences
//! assert!((g[0] + 2.0).abs() < 1e-6 && (g[1] + 4.0).abs() < 1e-6);
//! ```
//!
//! Missing derivatives come from finite differences: the gradient and the Jacobian by
//! central differences (2n evaluations), the Hessian of the Lagrangian by central
//! differences of its gradient. All derivatives are dense; [`SmoothProblem::has_exact_hessian`]
//! is false without a Hessian closure so that solvers can prefer a quasi-Newton Hessian.

use std::sync::Mutex;

use crate::error::EvalError;
use crate::smooth::{ProblemInfo, SmoothProblem};
use crate::sparse::SparsityPattern;

type Scalar = Box<dyn Fn(&[f64]) -> f64 + Send + Sync>;
type Vector = Box<dyn Fn(&[f64], &mut [f64]) + Send + Sync>;
type Hessian = Box<dyn Fn(&[f64], f64, &[f64], &mut [f64]) + Send + Sync>;

/// A problem given by closures (dense derivatives).
pub struct FnProblem {
    info: ProblemInfo,
    f: Scalar,
    g: Option<Vector>,
    c: Option<Vector>,
    j: Option<Vector>,
    h: Option<Hessian>,
    jp: SparsityPattern,
    hp: SparsityPattern,
    /// Scratch for finite differences (the trait's methods take `&self`).
    scratch: Mutex<Scratch>,
}

#[derive(Default)]
struct Scratch {
    x: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    full: Vec<f64>,
}

fn dense_pattern(m: usize, n: usize) -> SparsityPattern {
    let (mut r, mut c) = (Vec::with_capacity(m * n), Vec::with_capacity(m * n));
    for i in 0..m {
        for k in 0..n {
            r.push(i);
            c.push(k);
        }
    }
    SparsityPattern::new(m, n, r, c)
}

fn lower_pattern(n: usize) -> SparsityPattern {
    let (mut r, mut c) = (Vec::new(), Vec::new());
    for i in 0..n {
        for k in 0..=i {
            r.push(i);
            c.push(k);
        }
    }
    SparsityPattern::new(n, n, r, c)
}

/// Step of central differences at `x`: cbrt(eps) * max(1, |x|).
fn fd_step(x: f64) -> f64 {
    f64::EPSILON.cbrt() * x.abs().max(1.0)
}

impl FnProblem {
    /// An unconstrained problem min f(x) from `x0`, without derivatives yet.
    pub fn new(
        name: impl Into<String>,
        x0: Vec<f64>,
        f: impl Fn(&[f64]) -> f64 + Send + Sync + 'static,
    ) -> Self {
        let n = x0.len();
        Self {
            info: ProblemInfo::new(name, x0),
            f: Box::new(f),
            g: None,
            c: None,
            j: None,
            h: None,
            jp: dense_pattern(0, n),
            hp: lower_pattern(n),
            scratch: Mutex::new(Scratch::default()),
        }
    }

    /// The gradient of f (`grad` has length n).
    pub fn gradient_fn(mut self, g: impl Fn(&[f64], &mut [f64]) + Send + Sync + 'static) -> Self {
        self.g = Some(Box::new(g));
        self
    }

    /// Bounds on x (infinite entries for none).
    pub fn bounds(mut self, lower: Vec<f64>, upper: Vec<f64>) -> Self {
        self.info.lower = lower;
        self.info.upper = upper;
        self
    }

    /// `m` constraint functions c(x) (into a buffer of length m), bounds 0 <= c <= 0 until
    /// [`Self::constraint_bounds`] says otherwise.
    pub fn constraints(
        mut self,
        m: usize,
        c: impl Fn(&[f64], &mut [f64]) + Send + Sync + 'static,
    ) -> Self {
        let n = self.info.n();
        self.info = self.info.with_equalities(m);
        self.c = Some(Box::new(c));
        self.jp = dense_pattern(m, n);
        self
    }

    /// Bounds cl <= c(x) <= cu (equal sides: equality; infinite: one-sided).
    pub fn constraint_bounds(mut self, lower: Vec<f64>, upper: Vec<f64>) -> Self {
        self.info.constraint_lower = lower;
        self.info.constraint_upper = upper;
        self
    }

    /// The Jacobian of c, dense row-major m x n.
    pub fn jacobian_fn(mut self, j: impl Fn(&[f64], &mut [f64]) + Send + Sync + 'static) -> Self {
        self.j = Some(Box::new(j));
        self
    }

    /// The Hessian of `sigma f + y^T c`, dense row-major n x n (both triangles).
    pub fn hessian_fn(
        mut self,
        h: impl Fn(&[f64], f64, &[f64], &mut [f64]) + Send + Sync + 'static,
    ) -> Self {
        self.h = Some(Box::new(h));
        self
    }

    /// Names of the variables and constraints (defaults `x1..`, `c1..`).
    pub fn names(mut self, variables: Vec<String>, constraints: Vec<String>) -> Self {
        self.info.variable_names = variables;
        self.info.constraint_names = constraints;
        self
    }

    /// Mutable access to the description (start multipliers, classification, ...).
    pub fn info_mut(&mut self) -> &mut ProblemInfo {
        &mut self.info
    }

    fn scratch(&self) -> std::sync::MutexGuard<'_, Scratch> {
        // A poisoned lock only means an earlier closure panicked; the buffers are plain data.
        self.scratch.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn value(&self, x: &[f64]) -> Result<f64, EvalError> {
        let v = (self.f)(x);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(EvalError::NonFinite {
                what: "objective",
                index: 0,
                value: v,
            })
        }
    }

    /// grad sigma f + J^T y by the closures or differences (for Hessian differences).
    fn lagrangian_gradient(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        out: &mut [f64],
    ) -> Result<(), EvalError> {
        self.gradient(x, out)?;
        out.iter_mut().for_each(|v| *v *= sigma);
        let (m, n) = (self.info.m(), self.info.n());
        if m > 0 {
            let mut jac = vec![0.0; m * n];
            self.jacobian_values(x, &mut jac)?;
            for i in 0..m {
                for k in 0..n {
                    out[k] += y[i] * jac[i * n + k];
                }
            }
        }
        Ok(())
    }
}

impl SmoothProblem for FnProblem {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }

    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        self.value(x)
    }

    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError> {
        if let Some(g) = &self.g {
            g(x, grad);
            return EvalError::check_finite("gradient", grad);
        }
        let mut s = self.scratch();
        s.x.clear();
        s.x.extend_from_slice(x);
        for k in 0..x.len() {
            let h = fd_step(x[k]);
            s.x[k] = x[k] + h;
            let fp = self.value(&s.x)?;
            s.x[k] = x[k] - h;
            let fm = self.value(&s.x)?;
            s.x[k] = x[k];
            grad[k] = (fp - fm) / (2.0 * h);
        }
        Ok(())
    }

    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        if let Some(cf) = &self.c {
            cf(x, c);
            EvalError::check_finite("constraint", c)?;
        }
        Ok(())
    }

    fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jp
    }

    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let (m, n) = (self.info.m(), self.info.n());
        if m == 0 {
            return Ok(());
        }
        if let Some(j) = &self.j {
            j(x, values);
            return EvalError::check_finite("jacobian", values);
        }
        let cf = self.c.as_ref().expect("m > 0 implies constraint closure");
        let mut s = self.scratch();
        let Scratch { x: xs, a, b, .. } = &mut *s;
        xs.clear();
        xs.extend_from_slice(x);
        a.resize(m, 0.0);
        b.resize(m, 0.0);
        for k in 0..n {
            let h = fd_step(x[k]);
            xs[k] = x[k] + h;
            cf(xs, a);
            xs[k] = x[k] - h;
            cf(xs, b);
            xs[k] = x[k];
            for i in 0..m {
                values[i * n + k] = (a[i] - b[i]) / (2.0 * h);
            }
        }
        EvalError::check_finite("jacobian", values)
    }

    fn hessian_pattern(&self) -> &SparsityPattern {
        &self.hp
    }

    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError> {
        let n = self.info.n();
        let mut full = std::mem::take(&mut self.scratch().full);
        full.resize(n * n, 0.0);
        if let Some(h) = &self.h {
            // The buffer is reused: a closure writing only the nonzeros must see zeros.
            full.fill(0.0);
            h(x, sigma, y, &mut full);
        } else {
            // Central differences of the Lagrangian's gradient, symmetrized.
            let mut xs = x.to_vec();
            let (mut gp, mut gm) = (vec![0.0; n], vec![0.0; n]);
            for k in 0..n {
                let h = fd_step(x[k]);
                xs[k] = x[k] + h;
                self.lagrangian_gradient(&xs, sigma, y, &mut gp)?;
                xs[k] = x[k] - h;
                self.lagrangian_gradient(&xs, sigma, y, &mut gm)?;
                xs[k] = x[k];
                for i in 0..n {
                    full[i * n + k] = (gp[i] - gm[i]) / (2.0 * h);
                }
            }
            for i in 0..n {
                for k in 0..i {
                    let v = 0.5 * (full[i * n + k] + full[k * n + i]);
                    full[i * n + k] = v;
                    full[k * n + i] = v;
                }
            }
        }
        for (v, (r, c)) in values.iter_mut().zip(self.hp.iter()) {
            *v = full[r * n + c];
        }
        self.scratch().full = full;
        EvalError::check_finite("hessian", values)
    }

    fn has_exact_hessian(&self) -> bool {
        self.h.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_derivatives;

    fn rosen_constrained(with_derivatives: bool) -> FnProblem {
        let p = FnProblem::new("rosen", vec![-1.2, 1.0], |x: &[f64]| {
            100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
        })
        .constraints(1, |x: &[f64], c: &mut [f64]| {
            c[0] = x[0] * x[0] + x[1] * x[1]
        })
        .constraint_bounds(vec![f64::NEG_INFINITY], vec![2.0]);
        if !with_derivatives {
            return p;
        }
        p.gradient_fn(|x: &[f64], g: &mut [f64]| {
            g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
            g[1] = 200.0 * (x[1] - x[0] * x[0]);
        })
        .jacobian_fn(|x: &[f64], j: &mut [f64]| {
            j[0] = 2.0 * x[0];
            j[1] = 2.0 * x[1];
        })
        .hessian_fn(|x: &[f64], s: f64, y: &[f64], h: &mut [f64]| {
            h[0] = s * (1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0) + 2.0 * y[0];
            h[1] = s * (-400.0 * x[0]);
            h[2] = h[1];
            h[3] = s * 200.0 + 2.0 * y[0];
        })
    }

    #[test]
    fn finite_differences_match_the_closures() {
        let exact = rosen_constrained(true);
        let fd = rosen_constrained(false);
        assert!(exact.has_exact_hessian() && !fd.has_exact_hessian());
        let x = [0.3, -0.7];
        let y = [1.5];
        let (mut ge, mut gf) = ([0.0; 2], [0.0; 2]);
        exact.gradient(&x, &mut ge).unwrap();
        fd.gradient(&x, &mut gf).unwrap();
        let (mut je, mut jf) = ([0.0; 2], [0.0; 2]);
        exact.jacobian_values(&x, &mut je).unwrap();
        fd.jacobian_values(&x, &mut jf).unwrap();
        let (mut he, mut hf) = ([0.0; 3], [0.0; 3]);
        exact.hessian_values(&x, 1.0, &y, &mut he).unwrap();
        fd.hessian_values(&x, 1.0, &y, &mut hf).unwrap();
        for (a, b) in ge.iter().chain(&je).zip(gf.iter().chain(&jf)) {
            assert!((a - b).abs() < 1e-7 * a.abs().max(1.0), "{a} vs {b}");
        }
        for (a, b) in he.iter().zip(&hf) {
            assert!((a - b).abs() < 1e-4 * a.abs().max(1.0), "{a} vs {b}");
        }
        let report = check_derivatives(&exact, &x, Some(&y), 3, 1).unwrap();
        assert!(report.max() < 1e-6, "{report:?}");
    }

    #[test]
    fn non_finite_values_are_errors_naming_the_function() {
        let p = FnProblem::new("nan", vec![1.0], |x: &[f64]| x[0].ln());
        assert!(
            p.objective(&[-1.0])
                .unwrap_err()
                .to_string()
                .contains("objective")
        );
        let mut g = [0.0];
        assert!(p.gradient(&[0.0], &mut g).is_err());
    }
}
