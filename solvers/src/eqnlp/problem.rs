//! A [`SmoothProblem`] seen as min f(x) s.t. c(x) - cl = 0: checks that it is one, counts
//! evaluations and turns non-finite values into [`EvalError`]s.

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
        })
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
        Ok(f)
    }

    /// c(x) - cl into `c`.
    pub fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        self.evals.constraints += 1;
        if self.m == 0 {
            return Ok(());
        }
        self.problem.constraints(x, c)?;
        EvalError::check_finite("constraint", c)?;
        c.iter_mut().zip(&self.rhs).for_each(|(ci, r)| *ci -= r);
        Ok(())
    }

    /// Jacobian values into `jv` (pattern order).
    pub fn jacobian(&mut self, x: &[f64], jv: &mut [f64]) -> Result<(), EvalError> {
        self.evals.jacobian += 1;
        if jv.is_empty() {
            return Ok(());
        }
        self.problem.jacobian_values(x, jv)?;
        EvalError::check_finite("jacobian", jv)
    }

    /// Values of the Hessian of sigma f + lambda^T c (lower-triangle pattern order).
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
        self.problem.hessian_values(x, sigma, lambda, hv)?;
        EvalError::check_finite("hessian", hv)
    }
}
