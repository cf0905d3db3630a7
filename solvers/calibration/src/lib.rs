//! Blind gain calibration (Cambareri and Jacques, "Through the Haze: a Non-Convex Approach
//! to Blind Gain Calibration for Linear Random Sensing Models"): recover a signal x and
//! positive sensor gains d from y_l = diag(d) A_l x, l = 1..p, with mean(d) = 1 and
//! |d_i - 1| <= rho, by projected gradient descent, with Ling and Strohmer's linear method
//! as the baseline behind the same interface.
//!
//! Runs follow opal's protocol (`opal_core`): the settings hold a [`Budget`](opal_core::Budget),
//! [`solve_observed`] takes an [`Observer`](opal_core::Observer) of [`IterationInfo`], and
//! the result's [`Status`](opal_core::Status) is told apart by [`Reason`]
//! (`Converged` by residual, step or linear solve; `NumericalError` by divergence or
//! non-positive gains) with a `message` in words.
//!
//! ```
//! use opal_calibration::{solve, DenseOperator, Problem, Settings};
//! let inst = opal_problems::generators::calibration::instance(16, 8, 8, 0.3, 0.0, 1).unwrap();
//! let op = DenseOperator::from_instance(&inst).unwrap();
//! let out = solve(&Problem::new(&op, &inst.y, 0.3), &Settings::default()).unwrap();
//! assert!(out.status.is_success());
//! assert!(opal_calibration::relative_error(&out.d, &inst.d) < 1e-8);
//! ```

#![deny(missing_docs)]

mod engine;
mod error;
mod hadamard;
mod linear;
mod operator;
mod output;
mod pgd;
mod problem;
mod projection;
mod settings;
mod solve;
#[cfg(test)]
mod tests;

pub use error::CalibrationError;
pub use hadamard::{HadamardOperator, fwht};
pub use operator::{DenseOperator, Layout, SensingOperator, Shape, measure};
pub use output::{IterationInfo, Output, Reason};
pub use pgd::objective_gradient;
pub use problem::Problem;
pub use projection::{GainProjector, SubspaceGainProjector, project_gains};
pub use settings::{DEFAULT_MAX_ITERATIONS, Method, Settings, StepRule};
pub use solve::{relative_error, solve, solve_observed};
