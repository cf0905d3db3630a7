//! Settings of blind gain calibration, with the defaults the paper's experiments support.

use opal_core::{Budget, SettingError, check_range};
use serde::{Deserialize, Serialize};

/// Which algorithm solves the calibration problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Non-convex projected gradient descent on (xi, gamma) (Cambareri and Jacques).
    ProjectedGradient,
    /// Ling and Strohmer's linear method: s = 1/d turns the model into the homogeneous
    /// system y_il s_i - a_il^T x = 0, solved by its smallest right singular vector.
    Linear,
}

/// How the projected gradient method chooses its steps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepRule {
    /// Exact minimization of the objective along each block direction in turn: first the
    /// signal step, then the gain step at the new signal, then (only when the box is
    /// active) an exact search along the segment to the projected point. Monotone.
    LineSearch,
    /// The paper's fixed steps mu_xi = mu and mu_gamma = mu m / ||xi0||^2, both blocks
    /// updated from the gradients at the current point.
    Fixed {
        /// The step scale mu.
        mu: f64,
    },
}

/// Settings of [`super::solve`]. Every field is public and documented with its default;
/// the setters chain; JSON configs give any subset of the fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Algorithm. Default: `Method::ProjectedGradient`.
    pub method: Method,
    /// Step rule of projected gradient descent. Default: `StepRule::LineSearch`.
    pub step: StepRule,
    /// Iteration and time limit of projected gradient descent, stop request. Default:
    /// 5000 iterations, no time limit.
    pub budget: Budget,
    /// Stop when ||diag(gamma) A xi - y|| / ||y|| falls below this (noiseless data fitted).
    /// Default: 1e-12.
    pub tol_residual: f64,
    /// Stop when the relative change of both blocks, max(||dxi||/||xi||,
    /// ||dgamma||/||gamma||), falls below this (noisy data: the iterates have settled).
    /// The convergence is linear, so the error left can exceed the last change by the
    /// factor 1/(1 - rate); hence a tolerance well below the accuracy wanted.
    /// Default: 1e-12.
    pub tol_step: f64,
    /// Apply the snapshots in parallel (rayon). Results do not depend on it. Default: true.
    pub parallel: bool,
    /// Log one line per iteration to stderr (`opal_core::LogObserver`). Default: false.
    pub verbose: bool,
    /// Sweep limit of Dykstra's projection (gain subspace only). Default: 1000.
    pub dykstra_max_iterations: usize,
    /// Box tolerance of Dykstra's projection (gain subspace only). Default: 1e-13.
    pub dykstra_tolerance: f64,
}

/// Iteration limit of projected gradient descent unless the budget says otherwise.
pub const DEFAULT_MAX_ITERATIONS: usize = 5000;

impl Default for Settings {
    fn default() -> Self {
        Self {
            method: Method::ProjectedGradient,
            step: StepRule::LineSearch,
            budget: Budget::iterations(DEFAULT_MAX_ITERATIONS),
            tol_residual: 1e-12,
            tol_step: 1e-12,
            parallel: true,
            verbose: false,
            dykstra_max_iterations: 1000,
            dykstra_tolerance: 1e-13,
        }
    }
}

impl Settings {
    opal_core::setters! {
        method: Method,
        step: StepRule,
        budget: Budget,
        tol_residual: f64,
        tol_step: f64,
        parallel: bool,
        verbose: bool,
        dykstra_max_iterations: usize,
        dykstra_tolerance: f64,
    }

    /// Uses the paper's fixed steps with scale `mu`.
    pub fn fixed_step(self, mu: f64) -> Self {
        self.step(StepRule::Fixed { mu })
    }

    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<(), SettingError> {
        if let StepRule::Fixed { mu } = self.step {
            check_range("step", mu, 0.0, f64::INFINITY, true)?;
        }
        check_range("tol_residual", self.tol_residual, 0.0, f64::INFINITY, false)?;
        check_range("tol_step", self.tol_step, 0.0, f64::INFINITY, false)?;
        check_range(
            "dykstra_tolerance",
            self.dykstra_tolerance,
            0.0,
            f64::INFINITY,
            false,
        )?;
        if self.dykstra_max_iterations == 0 {
            return Err(SettingError {
                name: "dykstra_max_iterations",
                detail: "must be positive".into(),
            });
        }
        Ok(())
    }
}
