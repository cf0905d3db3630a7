//! Blind gain calibration (Cambareri and Jacques, "Through the Haze: a Non-Convex Approach
//! to Blind Gain Calibration for Linear Random Sensing Models"): recover a signal x and
//! positive sensor gains d from y_l = diag(d) A_l x, l = 1..p, with mean(d) = 1 and
//! |d_i - 1| <= rho, by projected gradient descent, with Ling and Strohmer's linear method
//! as the baseline behind the same interface.
//!
//! ```
//! use opal_calibration::{solve, DenseOperator, Problem, Settings};
//! let inst = opal_problems::generators::calibration::instance(16, 8, 8, 0.3, 0.0, 1).unwrap();
//! let op = DenseOperator::from_instance(&inst).unwrap();
//! let out = solve(&Problem::new(&op, &inst.y, 0.3), &Settings::default()).unwrap();
//! assert!(out.status.is_success());
//! assert!(opal_calibration::relative_error(&out.d, &inst.d) < 1e-8);
//! ```

mod error;
mod hadamard;
mod linear;
mod operator;
mod pgd;
mod projection;
mod settings;
mod solve;
#[cfg(test)]
mod tests;

pub use error::CalibrationError;
pub use hadamard::{HadamardOperator, fwht};
pub use operator::{DenseOperator, Layout, SensingOperator};
pub use pgd::objective_gradient;
pub use projection::{GainProjector, SubspaceGainProjector, project_gains};
pub use settings::{Method, Settings, StepRule};
pub use solve::{
    Control, IterationInfo, Output, Problem, Status, relative_error, solve, solve_with_observer,
};
