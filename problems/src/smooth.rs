//! The smooth nonlinear program interface:
//! minimize f(x) subject to cl <= c(x) <= cu and xl <= x <= xu.
//!
//! Evaluation is in place, into caller buffers, so solvers allocate nothing per iteration.
//! Sparse derivative structures are fixed per problem ([`SparsityPattern`]); values follow
//! the pattern's entry order.

use crate::error::EvalError;
use crate::sparse::SparsityPattern;

/// Bounds at or beyond this magnitude are infinite (the CUTEst / IPOPT convention).
pub const INFINITE_BOUND: f64 = 1e20;

/// Kind of a general constraint, from its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// cl = cu: c(x) = cl.
    Equality,
    /// only cu finite: c(x) <= cu.
    Upper,
    /// only cl finite: c(x) >= cl.
    Lower,
    /// both finite and different: cl <= c(x) <= cu.
    Range,
    /// neither finite.
    Free,
}

/// What a solver needs to know about a problem besides evaluations: sizes, names,
/// start point, bounds. Infinite bounds are stored as `f64::INFINITY` / `-f64::INFINITY`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemInfo {
    /// Problem name.
    pub name: String,
    /// CUTEst classification string where known.
    pub classification: Option<String>,
    /// One name per variable (n of them).
    pub variable_names: Vec<String>,
    /// One name per general constraint (m of them).
    pub constraint_names: Vec<String>,
    /// Start point.
    pub x0: Vec<f64>,
    /// Start multipliers where known.
    pub y0: Option<Vec<f64>>,
    /// Lower bounds on x.
    pub lower: Vec<f64>,
    /// Upper bounds on x.
    pub upper: Vec<f64>,
    /// Lower bounds on c(x).
    pub constraint_lower: Vec<f64>,
    /// Upper bounds on c(x).
    pub constraint_upper: Vec<f64>,
    /// False for feasibility problems (f = 0).
    pub has_objective: bool,
}

impl ProblemInfo {
    /// An unconstrained, unbounded problem description with generated names `x1..xn`.
    pub fn new(name: impl Into<String>, x0: Vec<f64>) -> Self {
        let n = x0.len();
        Self {
            name: name.into(),
            classification: None,
            variable_names: (1..=n).map(|i| format!("x{i}")).collect(),
            constraint_names: Vec::new(),
            x0,
            y0: None,
            lower: vec![f64::NEG_INFINITY; n],
            upper: vec![f64::INFINITY; n],
            constraint_lower: Vec::new(),
            constraint_upper: Vec::new(),
            has_objective: true,
        }
    }

    /// Adds `m` equality constraints c(x) = 0 named `c1..cm`.
    pub fn with_equalities(mut self, m: usize) -> Self {
        self.constraint_names = (1..=m).map(|i| format!("c{i}")).collect();
        self.constraint_lower = vec![0.0; m];
        self.constraint_upper = vec![0.0; m];
        self
    }

    /// Number of variables.
    pub fn n(&self) -> usize {
        self.x0.len()
    }

    /// Number of general constraints.
    pub fn m(&self) -> usize {
        self.constraint_lower.len()
    }

    /// Kind of constraint `i`.
    pub fn constraint_kind(&self, i: usize) -> ConstraintKind {
        kind_of(self.constraint_lower[i], self.constraint_upper[i])
    }

    /// Number of constraints of each kind: (equality, upper, lower, range, free).
    pub fn constraint_counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for i in 0..self.m() {
            let k = match self.constraint_kind(i) {
                ConstraintKind::Equality => 0,
                ConstraintKind::Upper => 1,
                ConstraintKind::Lower => 2,
                ConstraintKind::Range => 3,
                ConstraintKind::Free => 4,
            };
            counts[k] += 1;
        }
        counts
    }

    /// True when some variable has a finite bound.
    pub fn has_bounds(&self) -> bool {
        self.lower.iter().any(|v| v.is_finite()) || self.upper.iter().any(|v| v.is_finite())
    }

    /// True when every general constraint is an equality.
    pub fn equality_only(&self) -> bool {
        (0..self.m()).all(|i| self.constraint_kind(i) == ConstraintKind::Equality)
    }

    /// Checks internal consistency of lengths, NaN and crossing bounds.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.n();
        let m = self.m();
        for (what, len, want) in [
            ("variable_names", self.variable_names.len(), n),
            ("lower", self.lower.len(), n),
            ("upper", self.upper.len(), n),
            ("constraint_names", self.constraint_names.len(), m),
            ("constraint_upper", self.constraint_upper.len(), m),
        ] {
            if len != want {
                return Err(format!("{what} has length {len}, expected {want}"));
            }
        }
        if let Some(y0) = self.y0.as_ref().filter(|y0| y0.len() != m) {
            return Err(format!("y0 has length {}, expected {m}", y0.len()));
        }
        if let Some(i) = self.x0.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "x0[{i}] ({}) is not finite",
                self.variable_names[i]
            ));
        }
        for (lo, up, names, what) in [
            (&self.lower, &self.upper, &self.variable_names, "variable"),
            (
                &self.constraint_lower,
                &self.constraint_upper,
                &self.constraint_names,
                "constraint",
            ),
        ] {
            for i in 0..lo.len() {
                if lo[i].is_nan() || up[i].is_nan() {
                    return Err(format!("{what} {} has a NaN bound", names[i]));
                }
                if lo[i] > up[i] {
                    return Err(format!(
                        "{what} {} has lower bound {} above upper bound {}",
                        names[i], lo[i], up[i]
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Kind of a constraint with bounds `lo <= c <= up`.
pub fn kind_of(lo: f64, up: f64) -> ConstraintKind {
    match (lo.is_finite(), up.is_finite()) {
        (true, true) if lo == up => ConstraintKind::Equality,
        (true, true) => ConstraintKind::Range,
        (false, true) => ConstraintKind::Upper,
        (true, false) => ConstraintKind::Lower,
        (false, false) => ConstraintKind::Free,
    }
}

/// A twice-differentiable nonlinear program with sparse derivatives.
///
/// Conventions: the Jacobian J(x) is m x n; the Hessian of the Lagrangian
/// `sigma * grad^2 f(x) + sum_i y_i grad^2 c_i(x)` is n x n and only its lower triangle
/// (row >= col) is stored. All outputs must be finite; implementations return
/// [`EvalError`] rather than NaN.
pub trait SmoothProblem {
    /// Sizes, names, start point and bounds.
    fn info(&self) -> &ProblemInfo;

    /// f(x).
    fn objective(&self, x: &[f64]) -> Result<f64, EvalError>;

    /// grad f(x) into `grad` (length n).
    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError>;

    /// f(x) and grad f(x) together (implementations may share work).
    fn objective_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<f64, EvalError> {
        self.gradient(x, grad)?;
        self.objective(x)
    }

    /// c(x) into `c` (length m).
    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError>;

    /// Structure of J(x), fixed for the problem's lifetime.
    fn jacobian_pattern(&self) -> &SparsityPattern;

    /// Values of J(x) in the order of [`Self::jacobian_pattern`].
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError>;

    /// Structure of the lower triangle of the Hessian of the Lagrangian.
    fn hessian_pattern(&self) -> &SparsityPattern;

    /// Values of `sigma * grad^2 f + sum_i y_i grad^2 c_i` at x, lower triangle.
    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError>;

    /// `out = (sigma * grad^2 f + sum_i y_i grad^2 c_i) v`.
    ///
    /// The default assembles the Hessian values (allocating); problems with a cheaper
    /// product override it.
    fn hessian_vector(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), EvalError> {
        let pattern = self.hessian_pattern();
        let mut values = vec![0.0; pattern.nnz()];
        self.hessian_values(x, sigma, y, &mut values)?;
        pattern.symmetric_matvec(&values, v, out);
        Ok(())
    }

    /// False when `hessian_values` is only an approximation (finite differences): solvers
    /// may then prefer a quasi-Newton Hessian. Default: true.
    fn has_exact_hessian(&self) -> bool {
        true
    }
}

impl<P: SmoothProblem + ?Sized> SmoothProblem for Box<P> {
    fn info(&self) -> &ProblemInfo {
        (**self).info()
    }
    fn objective(&self, x: &[f64]) -> Result<f64, EvalError> {
        (**self).objective(x)
    }
    fn gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<(), EvalError> {
        (**self).gradient(x, grad)
    }
    fn objective_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> Result<f64, EvalError> {
        (**self).objective_and_gradient(x, grad)
    }
    fn constraints(&self, x: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        (**self).constraints(x, c)
    }
    fn jacobian_pattern(&self) -> &SparsityPattern {
        (**self).jacobian_pattern()
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        (**self).jacobian_values(x, values)
    }
    fn hessian_pattern(&self) -> &SparsityPattern {
        (**self).hessian_pattern()
    }
    fn hessian_values(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError> {
        (**self).hessian_values(x, sigma, y, values)
    }
    fn hessian_vector(
        &self,
        x: &[f64],
        sigma: f64,
        y: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) -> Result<(), EvalError> {
        (**self).hessian_vector(x, sigma, y, v, out)
    }
    fn has_exact_hessian(&self) -> bool {
        (**self).has_exact_hessian()
    }
}
