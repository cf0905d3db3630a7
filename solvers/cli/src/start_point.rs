//! `--x0 FILE.json`: a problem with another start point (a JSON array of n numbers).

use std::path::Path;

use opal_problems::registry::BoxedProblem;
use opal_problems::{EvalError, ProblemInfo, SmoothProblem, SparsityPattern};

use crate::CliError;

/// `inner` with the start point replaced; every evaluation is `inner`'s (the trait's
/// default `objective_and_gradient` and `hessian_vector` are enough for the solvers).
pub struct StartedAt {
    inner: BoxedProblem,
    info: ProblemInfo,
}

/// Reads a start point for a problem with `n` variables.
pub fn read(path: &Path, n: usize) -> Result<Vec<f64>, CliError> {
    let at = |e: &dyn std::fmt::Display| CliError::new(format!("--x0 {}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| at(&e))?;
    let x: Vec<f64> = serde_json::from_str(&text)
        .map_err(|e| at(&format!("expected a JSON array of numbers ({e})")))?;
    if x.len() != n {
        return Err(at(&format!(
            "has {} entries, the problem has n = {n}",
            x.len()
        )));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(at(&format!("entry {i} is not finite")));
    }
    Ok(x)
}

impl StartedAt {
    /// `inner` started from `x0` (length n, checked by [`read`]).
    pub fn new(inner: BoxedProblem, x0: Vec<f64>) -> Self {
        let mut info = inner.info().clone();
        info.x0 = x0;
        Self { inner, info }
    }
}

impl SmoothProblem for StartedAt {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }
    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        self.inner.objective(x)
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError> {
        self.inner.gradient(x, grad)
    }
    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        self.inner.constraints(x, c)
    }
    fn jacobian_pattern(&self) -> &SparsityPattern {
        self.inner.jacobian_pattern()
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        self.inner.jacobian_values(x, values)
    }
    fn hessian_pattern(&self) -> &SparsityPattern {
        self.inner.hessian_pattern()
    }
    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError> {
        self.inner.hessian_values(x, sigma, y, values)
    }
    fn has_exact_hessian(&self) -> bool {
        self.inner.has_exact_hessian()
    }
}
