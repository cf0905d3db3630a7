//! A [`SmoothProblem`] seen as min f(x) s.t. c(x) - cl = 0: checks that it is one, counts
//! evaluations, turns non-finite values into [`EvalError`]s and optionally scales it.
//!
//! Scaling (as IPOPT's gradient-based default): the solvers work on s_f f and s_i (c_i - cl_i)
//! with s_f = min(1, 100 / ||grad f(x0)||_inf) and s_i = min(1, 100 / ||grad c_i(x0)||_inf)
//! (floored at 1e-8), so that the default merit penalties suit badly scaled problems.
//! Multipliers of the scaled problem relate to the original ones by
//! lambda_i = lambda~_i s_i / s_f; convergence is judged on the original problem.

use opal_problems::{ConstraintKind, EvalError, INFINITE_BOUND, SmoothProblem, SparsityPattern};

use super::error::NlpError;
use super::output::Evaluations;

/// The problem wrapper used by every equality-constrained solver.
pub(crate) struct EqProblem<'a, P: ?Sized> {
    problem: &'a P,
    /// Number of variables.
    pub n: usize,
    /// Number of constraints.
    pub m: usize,
    /// Constraint right-hand sides cl (= cu).
    rhs: Vec<f64>,
    /// Hessian pattern with every entry moved to the lower triangle (row >= col).
    pub hess: SparsityPattern,
    /// Evaluation counters.
    pub evals: Evaluations,
    /// Objective scale s_f.
    pub obj_scale: f64,
    /// Constraint scales s_i.
    pub con_scale: Vec<f64>,
    /// Scratch for scaled multipliers of Hessian calls.
    y_scratch: Vec<f64>,
}

/// Largest gradient entry after scaling.
const SCALING_MAX_GRADIENT: f64 = 100.0;
/// Smallest scale factor.
const SCALING_MIN: f64 = 1e-8;

/// Scale factor for a largest gradient entry `v`.
fn gradient_scale(v: f64) -> f64 {
    if v.is_finite() && v > SCALING_MAX_GRADIENT {
        (SCALING_MAX_GRADIENT / v).max(SCALING_MIN)
    } else {
        1.0
    }
}

fn is_finite_bound(v: f64) -> bool {
    v.is_finite() && v.abs() < INFINITE_BOUND
}

impl<'a, P: SmoothProblem + ?Sized> EqProblem<'a, P> {
    /// Wraps `problem`, refusing bounds and inequalities with [`NlpError::Unsupported`].
    pub fn new(problem: &'a P, solver: &'static str) -> Result<Self, NlpError> {
        let info = problem.info();
        let name = info.name.clone();
        let invalid = |detail: String| NlpError::InvalidProblem {
            problem: name.clone(),
            detail,
        };
        info.validate().map_err(invalid)?;
        let (n, m) = (info.n(), info.m());
        let bounded = info
            .lower
            .iter()
            .chain(&info.upper)
            .filter(|&&b| is_finite_bound(b))
            .count();
        let mut kinds = [0usize; 4];
        for i in 0..m {
            let (lo, up) = (info.constraint_lower[i], info.constraint_upper[i]);
            let kind = match (is_finite_bound(lo), is_finite_bound(up)) {
                (true, true) if lo == up => ConstraintKind::Equality,
                (true, true) => ConstraintKind::Range,
                (false, true) => ConstraintKind::Upper,
                (true, false) => ConstraintKind::Lower,
                (false, false) => ConstraintKind::Free,
            };
            match kind {
                ConstraintKind::Equality => {}
                ConstraintKind::Upper | ConstraintKind::Lower => kinds[0] += 1,
                ConstraintKind::Range => kinds[1] += 1,
                ConstraintKind::Free => kinds[2] += 1,
            }
        }
        let mut parts = Vec::new();
        if bounded > 0 {
            parts.push(format!("{bounded} finite variable bound(s)"));
        }
        if kinds[0] > 0 {
            parts.push(format!("{} inequality constraint(s)", kinds[0]));
        }
        if kinds[1] > 0 {
            parts.push(format!("{} ranged constraint(s)", kinds[1]));
        }
        if kinds[2] > 0 {
            parts.push(format!("{} free constraint row(s)", kinds[2]));
        }
        if !parts.is_empty() {
            return Err(NlpError::Unsupported {
                problem: name,
                solver,
                detail: parts.join(" and "),
            });
        }
        let jp = problem.jacobian_pattern();
        if jp.nrows() != m || jp.ncols() != n {
            return Err(invalid(format!(
                "Jacobian pattern is {} x {}, expected {m} x {n}",
                jp.nrows(),
                jp.ncols()
            )));
        }
        let hp = problem.hessian_pattern();
        if hp.nrows() != n || hp.ncols() != n {
            return Err(invalid(format!(
                "Hessian pattern is {} x {}, expected {n} x {n}",
                hp.nrows(),
                hp.ncols()
            )));
        }
        let (rows, cols): (Vec<usize>, Vec<usize>) =
            hp.iter().map(|(r, c)| (r.max(c), r.min(c))).unzip();
        Ok(Self {
            problem,
            n,
            m,
            rhs: info.constraint_lower.clone(),
            hess: SparsityPattern::new(n, n, rows, cols),
            evals: Evaluations::default(),
            obj_scale: 1.0,
            con_scale: vec![1.0; m],
            y_scratch: vec![0.0; m],
        })
    }

    /// Sets the gradient-based scaling from the derivatives at `x0` (no scaling when an
    /// evaluation fails there; the solver reports that failure on its own evaluation).
    pub fn compute_scaling(&mut self, x0: &[f64]) {
        let mut g = vec![0.0; self.n];
        let mut jv = vec![0.0; self.jac().nnz()];
        self.evals.gradient += 1;
        self.evals.jacobian += 1;
        if self.problem.gradient(x0, &mut g).is_err()
            || self.problem.jacobian_values(x0, &mut jv).is_err()
        {
            return;
        }
        self.obj_scale = gradient_scale(g.iter().fold(0.0, |a: f64, v| a.max(v.abs())));
        let mut row_max = vec![0.0f64; self.m];
        for ((r, _), v) in self.jac().iter().zip(&jv) {
            row_max[r] = row_max[r].max(v.abs());
        }
        self.con_scale = row_max.into_iter().map(gradient_scale).collect();
    }

    /// Original multipliers from scaled ones: lambda_i = lambda~_i s_i / s_f.
    pub fn unscale_multipliers(&self, lam: &[f64], out: &mut [f64]) {
        for i in 0..self.m {
            out[i] = lam[i] * self.con_scale[i] / self.obj_scale;
        }
    }

    /// Scaled multipliers from original ones.
    pub fn scale_multipliers(&self, lam: &[f64], out: &mut [f64]) {
        for i in 0..self.m {
            out[i] = lam[i] * self.obj_scale / self.con_scale[i];
        }
    }

    /// KKT residual of the original problem from the scaled grad_x L~ and c~:
    /// ||(grad L~ / s_f, c~ / s)||.
    pub fn unscaled_kkt(&self, gl: &[f64], c: &[f64]) -> f64 {
        let sf = self.obj_scale;
        let a: f64 = gl.iter().map(|v| (v / sf) * (v / sf)).sum();
        let b: f64 = c
            .iter()
            .zip(&self.con_scale)
            .map(|(v, s)| (v / s) * (v / s))
            .sum();
        (a + b).sqrt()
    }

    /// (||c||_2, max |c_i|, ||grad L||_2) of the original problem.
    pub fn unscaled_norms(&self, gl: &[f64], c: &[f64]) -> (f64, f64, f64) {
        let (mut c2, mut ci) = (0.0f64, 0.0f64);
        for (v, s) in c.iter().zip(&self.con_scale) {
            let u = v / s;
            c2 += u * u;
            ci = ci.max(u.abs());
        }
        let g2: f64 = gl.iter().map(|v| (v / self.obj_scale).powi(2)).sum();
        (c2.sqrt(), ci, g2.sqrt())
    }

    /// The Jacobian pattern.
    pub fn jac(&self) -> &'a SparsityPattern {
        self.problem.jacobian_pattern()
    }

    /// f(x) and grad f(x) into `g`.
    pub fn objective_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, EvalError> {
        self.evals.objective += 1;
        self.evals.gradient += 1;
        let f = self.problem.objective_and_gradient(x, g)?;
        EvalError::check_finite("objective", &[f])?;
        EvalError::check_finite("gradient", g)?;
        if self.obj_scale != 1.0 {
            g.iter_mut().for_each(|v| *v *= self.obj_scale);
        }
        Ok(f * self.obj_scale)
    }

    /// c(x) - cl into `c`.
    pub fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        self.evals.constraints += 1;
        if self.m == 0 {
            return Ok(());
        }
        self.problem.constraints(x, c)?;
        EvalError::check_finite("constraint", c)?;
        for ((ci, r), s) in c.iter_mut().zip(&self.rhs).zip(&self.con_scale) {
            *ci = (*ci - r) * s;
        }
        Ok(())
    }

    /// Jacobian values into `jv` (pattern order).
    pub fn jacobian(&mut self, x: &[f64], jv: &mut [f64]) -> Result<(), EvalError> {
        self.evals.jacobian += 1;
        if jv.is_empty() {
            return Ok(());
        }
        self.problem.jacobian_values(x, jv)?;
        EvalError::check_finite("jacobian", jv)?;
        if self.con_scale.iter().any(|&s| s != 1.0) {
            let rows = self.problem.jacobian_pattern().rows();
            for (v, &r) in jv.iter_mut().zip(rows) {
                *v *= self.con_scale[r];
            }
        }
        Ok(())
    }

    /// Values of the Hessian of sigma f~ + lambda~^T c~ of the scaled problem
    /// (lower-triangle pattern order).
    pub fn hessian(
        &mut self,
        x: &[f64],
        sigma: f64,
        lambda: &[f64],
        hv: &mut [f64],
    ) -> Result<(), EvalError> {
        self.evals.hessian += 1;
        if hv.is_empty() {
            return Ok(());
        }
        for i in 0..self.m {
            self.y_scratch[i] = lambda[i] * self.con_scale[i];
        }
        self.problem
            .hessian_values(x, sigma * self.obj_scale, &self.y_scratch, hv)?;
        EvalError::check_finite("hessian", hv)
    }
}
