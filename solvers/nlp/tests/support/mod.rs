//! Test support: small dense equality-constrained problems written by hand (HS6, HS7, BT1,
//! HS28 from the CUTEst SIF files, until the SIF decoder lands) and random linear systems.
#![allow(dead_code)]

use opal_nlp::adasketch;
use opal_nlp::eqnlp::MeritSettings;
use opal_problems::{EvalError, ProblemInfo, SmoothProblem, SparsityPattern};

/// Merit settings converging on the absolute KKT residual `abs_tol` alone.
pub fn merit(abs_tol: f64) -> MeritSettings {
    MeritSettings::default().tol(0.0).abs_tol(abs_tol)
}

/// adasketch converging on the absolute KKT residual `abs_tol` alone.
pub fn ada(abs_tol: f64) -> adasketch::Settings {
    adasketch::Settings::default().merit(merit(abs_tol))
}

type Scalar = Box<dyn Fn(&[f64]) -> f64 + Send + Sync>;
type Vector = Box<dyn Fn(&[f64], &mut [f64]) + Send + Sync>;
/// Hessian of sigma f + sum y_i c_i, dense row-major n x n (both triangles).
type Hess = Box<dyn Fn(&[f64], f64, &[f64], &mut [f64]) + Send + Sync>;

/// A small problem with dense derivatives given by closures.
pub struct Dense {
    pub info: ProblemInfo,
    f: Scalar,
    g: Vector,
    c: Vector,
    /// Jacobian, dense row-major m x n.
    j: Vector,
    h: Hess,
    jp: SparsityPattern,
    hp: SparsityPattern,
    /// Known optimal objective value.
    pub f_opt: f64,
    /// Known solution, when unique.
    pub x_opt: Option<Vec<f64>>,
    /// The dense Hessian of a call (sized once: evaluations do not allocate).
    full: std::sync::Mutex<Vec<f64>>,
}

impl Dense {
    pub fn new(
        name: &str,
        x0: Vec<f64>,
        m: usize,
        f: impl Fn(&[f64]) -> f64 + Send + Sync + 'static,
        g: impl Fn(&[f64], &mut [f64]) + Send + Sync + 'static,
        c: impl Fn(&[f64], &mut [f64]) + Send + Sync + 'static,
        j: impl Fn(&[f64], &mut [f64]) + Send + Sync + 'static,
        h: impl Fn(&[f64], f64, &[f64], &mut [f64]) + Send + Sync + 'static,
        f_opt: f64,
        x_opt: Option<Vec<f64>>,
    ) -> Self {
        let n = x0.len();
        let info = ProblemInfo::new(name, x0).with_equalities(m);
        let (mut jr, mut jc) = (Vec::new(), Vec::new());
        for i in 0..m {
            for k in 0..n {
                jr.push(i);
                jc.push(k);
            }
        }
        let (mut hr, mut hc) = (Vec::new(), Vec::new());
        for r in 0..n {
            for k in 0..=r {
                hr.push(r);
                hc.push(k);
            }
        }
        Self {
            info,
            f: Box::new(f),
            g: Box::new(g),
            c: Box::new(c),
            j: Box::new(j),
            h: Box::new(h),
            jp: SparsityPattern::new(m, n, jr, jc),
            hp: SparsityPattern::new(n, n, hr, hc),
            f_opt,
            x_opt,
            full: std::sync::Mutex::new(vec![0.0; n * n]),
        }
    }
}

impl SmoothProblem for Dense {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }
    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        Ok((self.f)(x))
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError> {
        (self.g)(x, grad);
        Ok(())
    }
    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        (self.c)(x, c);
        Ok(())
    }
    fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jp
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        (self.j)(x, values);
        Ok(())
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
        let mut full = self.full.lock().expect("no panic while evaluating");
        full.fill(0.0);
        (self.h)(x, sigma, y, &mut full);
        for (v, (r, c)) in values.iter_mut().zip(self.hp.iter()) {
            *v = full[r * n + c];
        }
        Ok(())
    }
}

/// HS6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0; x0 = (-1.2, 1); f* = 0 at (1, 1).
pub fn hs6() -> Dense {
    Dense::new(
        "HS6",
        vec![-1.2, 1.0],
        1,
        |x| (1.0 - x[0]).powi(2),
        |x, g| {
            g[0] = -2.0 * (1.0 - x[0]);
            g[1] = 0.0;
        },
        |x, c| c[0] = 10.0 * (x[1] - x[0] * x[0]),
        |x, j| {
            j[0] = -20.0 * x[0];
            j[1] = 10.0;
        },
        |_, s, y, h| {
            h[0] = 2.0 * s - 20.0 * y[0];
            h[1] = 0.0;
            h[2] = 0.0;
            h[3] = 0.0;
        },
        0.0,
        Some(vec![1.0, 1.0]),
    )
}

/// HS7: min ln(1 + x1^2) - x2 s.t. (1 + x1^2)^2 + x2^2 - 4 = 0; x0 = (2, 2);
/// f* = -sqrt(3) at (0, sqrt(3)).
pub fn hs7() -> Dense {
    Dense::new(
        "HS7",
        vec![2.0, 2.0],
        1,
        |x| (1.0 + x[0] * x[0]).ln() - x[1],
        |x, g| {
            g[0] = 2.0 * x[0] / (1.0 + x[0] * x[0]);
            g[1] = -1.0;
        },
        |x, c| c[0] = (1.0 + x[0] * x[0]).powi(2) + x[1] * x[1] - 4.0,
        |x, j| {
            j[0] = 4.0 * x[0] * (1.0 + x[0] * x[0]);
            j[1] = 2.0 * x[1];
        },
        |x, s, y, h| {
            let t = 1.0 + x[0] * x[0];
            h[0] = s * (2.0 / t - 4.0 * x[0] * x[0] / (t * t))
                + y[0] * 4.0 * (1.0 + 3.0 * x[0] * x[0]);
            h[1] = 0.0;
            h[2] = 0.0;
            h[3] = 2.0 * y[0];
        },
        -(3f64.sqrt()),
        Some(vec![0.0, 3f64.sqrt()]),
    )
}

/// BT1: min 100 x1^2 + 100 x2^2 - x1 - 100 s.t. x1^2 + x2^2 - 1 = 0; x0 = (0.08, 0.06);
/// f* = -1 at (1, 0).
pub fn bt1() -> Dense {
    Dense::new(
        "BT1",
        vec![0.08, 0.06],
        1,
        |x| 100.0 * x[0] * x[0] + 100.0 * x[1] * x[1] - x[0] - 100.0,
        |x, g| {
            g[0] = 200.0 * x[0] - 1.0;
            g[1] = 200.0 * x[1];
        },
        |x, c| c[0] = x[0] * x[0] + x[1] * x[1] - 1.0,
        |x, j| {
            j[0] = 2.0 * x[0];
            j[1] = 2.0 * x[1];
        },
        |_, s, y, h| {
            h[0] = 200.0 * s + 2.0 * y[0];
            h[1] = 0.0;
            h[2] = 0.0;
            h[3] = 200.0 * s + 2.0 * y[0];
        },
        -1.0,
        Some(vec![1.0, 0.0]),
    )
}

/// HS28: min (x1 + x2)^2 + (x2 + x3)^2 s.t. x1 + 2 x2 + 3 x3 - 1 = 0; x0 = (-4, 1, 1);
/// f* = 0 at (0.5, -0.5, 0.5).
pub fn hs28() -> Dense {
    Dense::new(
        "HS28",
        vec![-4.0, 1.0, 1.0],
        1,
        |x| (x[0] + x[1]).powi(2) + (x[1] + x[2]).powi(2),
        |x, g| {
            g[0] = 2.0 * (x[0] + x[1]);
            g[1] = 2.0 * (x[0] + x[1]) + 2.0 * (x[1] + x[2]);
            g[2] = 2.0 * (x[1] + x[2]);
        },
        |x, c| c[0] = x[0] + 2.0 * x[1] + 3.0 * x[2] - 1.0,
        |_, j| {
            j[0] = 1.0;
            j[1] = 2.0;
            j[2] = 3.0;
        },
        |_, s, _, h| {
            let v = [2.0, 2.0, 0.0, 2.0, 4.0, 2.0, 0.0, 2.0, 2.0];
            for (hi, vi) in h.iter_mut().zip(v) {
                *hi = s * vi;
            }
        },
        0.0,
        Some(vec![0.5, -0.5, 0.5]),
    )
}

/// All four hand-coded problems.
pub fn small_problems() -> Vec<Dense> {
    vec![hs6(), hs7(), bt1(), hs28()]
}
