//! Test support: small dense equality-constrained problems written by hand (HS6, HS7, BT1,
//! HS28 from the CUTEst SIF files, until the SIF decoder lands) and random linear systems.
#![allow(dead_code)]

use opal_nlp::adasketch;
use opal_nlp::eqnlp::MeritSettings;
use opal_problems::closure::FnProblem;

/// Merit settings converging on the absolute KKT residual `abs_tol` alone.
pub fn merit(abs_tol: f64) -> MeritSettings {
    MeritSettings::default().tol(0.0).abs_tol(abs_tol)
}

/// adasketch converging on the absolute KKT residual `abs_tol` alone.
pub fn ada(abs_tol: f64) -> adasketch::Settings {
    adasketch::Settings::default().merit(merit(abs_tol))
}

/// A small problem with dense derivatives given by closures ([`FnProblem`]), with its
/// known solution.
pub struct Dense {
    pub problem: FnProblem,
    /// Known optimal objective value.
    pub f_opt: f64,
    /// Known solution, when unique.
    pub x_opt: Option<Vec<f64>>,
}

impl Dense {
    /// The problem min f s.t. c(x) = 0 (m constraints) with gradient `g`, Jacobian `j`
    /// (dense row-major m x n) and Hessian of sigma f + sum y_i c_i `h` (dense row-major
    /// n x n, both triangles).
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
        let problem = FnProblem::new(name, x0, f)
            .gradient_fn(g)
            .constraints(m, c)
            .jacobian_fn(j)
            .hessian_fn(h);
        Self {
            problem,
            f_opt,
            x_opt,
        }
    }
}

impl std::ops::Deref for Dense {
    type Target = FnProblem;
    fn deref(&self) -> &FnProblem {
        &self.problem
    }
}

impl std::ops::DerefMut for Dense {
    fn deref_mut(&mut self) -> &mut FnProblem {
        &mut self.problem
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
    hs28_shifted("HS28", 1.0)
}

/// HS28 with `shift` of the constant 1 left in the constraint function,
/// c(x) = x1 + 2 x2 + 3 x3 - shift (the rest for the caller to put into the bounds).
pub fn hs28_shifted(name: &str, shift: f64) -> Dense {
    Dense::new(
        name,
        vec![-4.0, 1.0, 1.0],
        1,
        |x| (x[0] + x[1]).powi(2) + (x[1] + x[2]).powi(2),
        |x, g| {
            g[0] = 2.0 * (x[0] + x[1]);
            g[1] = 2.0 * (x[0] + x[1]) + 2.0 * (x[1] + x[2]);
            g[2] = 2.0 * (x[1] + x[2]);
        },
        move |x, c| c[0] = x[0] + 2.0 * x[1] + 3.0 * x[2] - shift,
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
