//! Settings of blind gain calibration, with the defaults the paper's experiments support.

use std::time::Duration;

use super::error::CalibrationError;

/// Which algorithm solves the calibration problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Non-convex projected gradient descent on (xi, gamma) (Cambareri and Jacques).
    ProjectedGradient,
    /// Ling and Strohmer's linear method: s = 1/d turns the model into the homogeneous
    /// system y_il s_i - a_il^T x = 0, solved by its smallest right singular vector.
    Linear,
}

/// How the projected gradient method chooses its steps.
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// Settings of [`super::solve`]. Every field is public; the setters chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Algorithm. Default: `Method::ProjectedGradient`.
    pub method: Method,
    /// Step rule of projected gradient descent. Default: `StepRule::LineSearch`.
    pub step: StepRule,
    /// Iteration limit of projected gradient descent. Default: 5000.
    pub max_iterations: usize,
    /// Stop when ||diag(gamma) A xi - y|| / ||y|| falls below this (noiseless data fitted).
    /// Default: 1e-12.
    pub tol_residual: f64,
    /// Stop when the relative change of both blocks, max(||dxi||/||xi||,
    /// ||dgamma||/||gamma||), falls below this (noisy data: the iterates have settled).
    /// The convergence is linear, so the error left can exceed the last change by the
    /// factor 1/(1 - rate); hence a tolerance well below the accuracy wanted.
    /// Default: 1e-12.
    pub tol_step: f64,
    /// Wall-clock limit. Default: none.
    pub time_limit: Option<Duration>,
    /// Apply the snapshots in parallel (rayon). Results do not depend on it. Default: true.
    pub parallel: bool,
    /// Log one line per iteration to stderr. Default: false.
    pub verbose: bool,
    /// Sweep limit of Dykstra's projection (gain subspace only). Default: 1000.
    pub dykstra_max_iterations: usize,
    /// Box tolerance of Dykstra's projection (gain subspace only). Default: 1e-13.
    pub dykstra_tolerance: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            method: Method::ProjectedGradient,
            step: StepRule::LineSearch,
            max_iterations: 5000,
            tol_residual: 1e-12,
            tol_step: 1e-12,
            time_limit: None,
            parallel: true,
            verbose: false,
            dykstra_max_iterations: 1000,
            dykstra_tolerance: 1e-13,
        }
    }
}

impl Settings {
    /// Sets the algorithm.
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }
    /// Sets the step rule.
    pub fn step(mut self, step: StepRule) -> Self {
        self.step = step;
        self
    }
    /// Uses the paper's fixed steps with scale `mu`.
    pub fn fixed_step(self, mu: f64) -> Self {
        self.step(StepRule::Fixed { mu })
    }
    /// Sets the iteration limit.
    pub fn max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = n;
        self
    }
    /// Sets the relative residual tolerance.
    pub fn tol_residual(mut self, tol: f64) -> Self {
        self.tol_residual = tol;
        self
    }
    /// Sets the relative change tolerance.
    pub fn tol_step(mut self, tol: f64) -> Self {
        self.tol_step = tol;
        self
    }
    /// Sets a wall-clock limit.
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }
    /// Turns snapshot parallelism on or off.
    pub fn parallel(mut self, on: bool) -> Self {
        self.parallel = on;
        self
    }
    /// Turns the iteration log on or off.
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on;
        self
    }
    /// Sets the sweep limit and tolerance of the subspace gain projection.
    pub fn dykstra(mut self, max_iterations: usize, tolerance: f64) -> Self {
        self.dykstra_max_iterations = max_iterations;
        self.dykstra_tolerance = tolerance;
        self
    }

    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<(), CalibrationError> {
        let bad = |name, reason: String| Err(CalibrationError::InvalidSetting { name, reason });
        let mu = match self.step {
            StepRule::Fixed { mu } => mu,
            StepRule::LineSearch => 1.0,
        };
        if !(mu.is_finite() && mu > 0.0) {
            return bad("step", format!("mu must be positive and finite, got {mu}"));
        }
        for (name, v) in [
            ("tol_residual", self.tol_residual),
            ("tol_step", self.tol_step),
            ("dykstra_tolerance", self.dykstra_tolerance),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(name, format!("must be finite and non-negative, got {v}"));
            }
        }
        if self.dykstra_max_iterations == 0 {
            return bad("dykstra_max_iterations", "must be positive".into());
        }
        Ok(())
    }
}
