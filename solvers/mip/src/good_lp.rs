//! Models written with [good_lp](https://docs.rs/good_lp), Rust's linear-programming
//! modelling crate, solved by Balans or plain HiGHS.
//!
//! good_lp keeps a problem's contents private to its own solver backends, so opal reads
//! the parts a user holds before handing them to a backend: the [`ProblemVariables`]
//! (bounds, integrality, names), the objective expression and the constraints.
//! [`model`] turns them into an in-memory [`LinearModel`]; [`solve`] also runs a
//! [`Method`] on it and returns a [`GoodLpSolution`] that implements good_lp's
//! [`Solution`] trait, so `solution.value(x)` and `expression.eval_with(&solution)` work
//! as with any good_lp backend.

use std::collections::HashMap;

use good_lp::solvers::{Solution, SolutionStatus};
use good_lp::{Constraint, IntoAffineExpression, ProblemVariables, Variable};
use opal_core::Status;
use opal_problems::linear::{LinearModel, Sense};

use crate::Method;
use crate::balans::{BalansError, Output, Settings};

/// A good_lp model that opal cannot take.
#[derive(Debug, thiserror::Error)]
pub enum GoodLpError {
    /// An expression uses a variable that the given [`ProblemVariables`] do not hold.
    #[error("{what} uses a variable that is not in the problem's variables")]
    UnknownVariable {
        /// "the objective" or "constraint k".
        what: String,
    },
    /// A coefficient or constant is NaN or infinite.
    #[error("{what} has a non-finite coefficient or constant")]
    NonFinite {
        /// "the objective" or "constraint k".
        what: String,
    },
    /// The search itself failed.
    #[error(transparent)]
    Solve(#[from] BalansError),
}

/// Builds the in-memory model: variables in the order of `variables`, `objective`
/// minimized or maximized, and every constraint (good_lp normalizes each to
/// `expression <= 0` or `expression = 0`; the constant moves to the right-hand side).
pub fn model(
    variables: &ProblemVariables,
    objective: impl IntoAffineExpression,
    sense: Sense,
    constraints: &[Constraint],
) -> Result<LinearModel, GoodLpError> {
    let mut model = LinearModel::new("good_lp", sense);
    let mut index: HashMap<Variable, usize> = HashMap::with_capacity(variables.len());
    for (var, def) in variables.iter_variables_with_def() {
        let name = match def.get_name() {
            "" => format!("v{}", index.len()),
            name => name.to_string(),
        };
        let j = model.add_col(name, 0.0, def.get_min(), def.get_max(), def.is_integer());
        index.insert(var, j);
    }
    let what = "the objective".to_string();
    let offset = objective.constant();
    if !offset.is_finite() {
        return Err(GoodLpError::NonFinite { what });
    }
    for (var, coef) in objective.linear_coefficients() {
        let &j = index
            .get(&var)
            .ok_or_else(|| GoodLpError::UnknownVariable { what: what.clone() })?;
        if !coef.is_finite() {
            return Err(GoodLpError::NonFinite { what });
        }
        model.cost[j] += coef;
    }
    model.offset = offset;
    let mut coefs = Vec::new();
    for (k, c) in constraints.iter().enumerate() {
        let what = || format!("constraint {k}");
        let expr = c.expression().clone();
        let rhs = -expr.constant();
        coefs.clear();
        for (var, coef) in expr.linear_coefficients() {
            let &j = index
                .get(&var)
                .ok_or_else(|| GoodLpError::UnknownVariable { what: what() })?;
            if !coef.is_finite() {
                return Err(GoodLpError::NonFinite { what: what() });
            }
            coefs.push((j, coef));
        }
        if !rhs.is_finite() {
            return Err(GoodLpError::NonFinite { what: what() });
        }
        let name = c.name().map_or_else(|| format!("c{k}"), str::to_string);
        let lower = if c.is_equality() {
            rhs
        } else {
            f64::NEG_INFINITY
        };
        model.add_row(name, lower, rhs, &coefs);
    }
    Ok(model)
}

/// Solves the good_lp model with `method` (Balans or plain HiGHS) under `settings`.
pub fn solve(
    variables: &ProblemVariables,
    objective: impl IntoAffineExpression,
    sense: Sense,
    constraints: &[Constraint],
    method: Method,
    settings: &Settings,
) -> Result<GoodLpSolution, GoodLpError> {
    let model = model(variables, objective, sense, constraints)?;
    let output = method.solve(&model, settings)?;
    let index = variables
        .iter_variables_with_def()
        .enumerate()
        .map(|(j, (var, _))| (var, j))
        .collect();
    Ok(GoodLpSolution { output, index })
}

/// The result of [`solve`]: opal's [`Output`] and good_lp's [`Solution`] view of it.
#[derive(Debug, Clone)]
pub struct GoodLpSolution {
    /// The full result (status, message, objective, bound, trace, operator statistics).
    pub output: Output,
    index: HashMap<Variable, usize>,
}

impl Solution for GoodLpSolution {
    /// `Optimal` when proven optimal, `TimeLimit` otherwise (a best-found solution).
    fn status(&self) -> SolutionStatus {
        match self.output.status {
            Status::Optimal => SolutionStatus::Optimal,
            _ => SolutionStatus::TimeLimit,
        }
    }

    /// The variable's value in the best solution; NaN when no solution was found or the
    /// variable is not of this problem.
    fn value(&self, variable: Variable) -> f64 {
        match (&self.output.solution, self.index.get(&variable)) {
            (Some(x), Some(&j)) => x[j],
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use good_lp::{constraint, variable};

    #[test]
    fn rows_bounds_and_objective_are_carried_over() {
        let mut vars = ProblemVariables::new();
        let a = vars.add(variable().integer().min(-2).max(5).name("a"));
        let b = vars.add(variable().min(0));
        let cons = [
            constraint!(2 * a + b <= 7),
            constraint!(a - b == -1),
            constraint!(a + 3 >= b),
        ];
        let m = model(&vars, 3 * a - b + 4, Sense::Maximize, &cons).unwrap();
        assert_eq!(m.col_names, ["a", "v1"]);
        assert_eq!(
            (m.col_lower[0], m.col_upper[0], m.integer[0]),
            (-2.0, 5.0, true)
        );
        assert_eq!(
            (m.col_lower[1], m.col_upper[1], m.integer[1]),
            (0.0, f64::INFINITY, false)
        );
        assert_eq!((m.cost.clone(), m.offset), (vec![3.0, -1.0], 4.0));
        assert_eq!(m.row_upper, [7.0, -1.0, 3.0]);
        assert_eq!(m.row_lower[..2], [f64::NEG_INFINITY, -1.0]);
        // a + 3 >= b is normalized to b - a <= 3
        let row2: Vec<(usize, f64)> = {
            let mut v: Vec<_> = m
                .entries
                .iter()
                .filter(|e| e.0 == 2)
                .map(|e| (e.1, e.2))
                .collect();
            v.sort_by_key(|e| e.0);
            v
        };
        assert_eq!(row2, [(0, -1.0), (1, 1.0)]);
    }

    #[test]
    fn foreign_variables_and_non_finite_data_are_errors() {
        let mut vars = ProblemVariables::new();
        let a = vars.add(variable().min(0));
        let mut other = ProblemVariables::new();
        other.add(variable());
        let foreign = other.add(variable());
        let e = model(&vars, a, Sense::Minimize, &[constraint!(a + foreign <= 1)]).unwrap_err();
        assert!(matches!(e, GoodLpError::UnknownVariable { .. }), "{e}");
        assert!(e.to_string().contains("constraint 0"), "{e}");
        let e = model(&vars, f64::NAN * a, Sense::Minimize, &[]).unwrap_err();
        assert!(e.to_string().contains("the objective"), "{e}");
    }
}
