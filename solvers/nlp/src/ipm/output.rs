//! What the interior point returns and what its log shows per iteration.

use std::time::Duration;

use opal_core::{Column, Format, Record, Status, Value};

use super::nlp::Evaluations;

/// Which measure met its tolerance, or the cause when it did not converge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// All three scaled measures (dual infeasibility, primal infeasibility,
    /// complementarity) reached `tol`, and the unscaled ones their tolerances.
    Optimal,
    /// The acceptable level held for `acceptable_iter` consecutive iterates.
    Acceptable,
    /// The restoration phase converged to a point that is stationary for the constraint
    /// violation without reducing it: the problem is locally infeasible.
    LocallyInfeasible,
    /// The objective went below -`unbounded_objective` at a feasible iterate.
    Unbounded,
    /// The line search failed and the restoration phase could not continue.
    RestorationFailed,
    /// The primal-dual system could not be factorized with the right inertia.
    InertiaCorrectionFailed,
    /// Evaluation of f, c or a derivative failed at the start or kept failing.
    EvaluationFailed,
    /// A budget ended the run (see the status).
    Budget,
    /// (Nested restoration runs only.) The point became acceptable to the original
    /// problem's filter.
    Restored,
}

/// One line of the IPOPT-style log.
#[derive(Debug, Clone, Copy)]
pub struct IterationInfo {
    /// Iteration number (0 = start point).
    pub iteration: usize,
    /// True inside the restoration phase (IPOPT's `r` after the number).
    pub restoration: bool,
    /// Unscaled objective f(x).
    pub objective: f64,
    /// Primal infeasibility (max-norm of the unscaled constraint residuals, as IPOPT
    /// prints it).
    pub inf_pr: f64,
    /// Dual infeasibility (max-norm of the scaled gradient of the Lagrangian).
    pub inf_du: f64,
    /// Barrier parameter.
    pub mu: f64,
    /// Max-norm of the primal search direction (before the step size).
    pub step_norm: f64,
    /// Hessian regularization delta_w of the step (0 when none).
    pub regularization: f64,
    /// Dual step size.
    pub alpha_du: f64,
    /// Primal step size.
    pub alpha_pr: f64,
    /// Line-search trials.
    pub ls: usize,
    /// Time since the start.
    pub elapsed: Duration,
}

const COLUMNS: [Column; 10] = [
    Column::new("iter", 5, Format::Text),
    Column::new("objective", 14, Format::Sci(7)),
    Column::new("inf_pr", 8, Format::Sci(2)),
    Column::new("inf_du", 8, Format::Sci(2)),
    Column::new("lg(mu)", 6, Format::Log10),
    Column::new("||d||", 8, Format::Sci(2)),
    Column::new("lg(rg)", 6, Format::Log10),
    Column::new("alpha_du", 8, Format::Sci(2)),
    Column::new("alpha_pr", 8, Format::Sci(2)),
    Column::new("ls", 2, Format::Int),
];

impl Record for IterationInfo {
    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }
    fn value(&self, i: usize) -> Value {
        match i {
            0 => {
                if self.restoration {
                    Value::Tagged(self.iteration as i64, 'r')
                } else {
                    Value::Int(self.iteration as i64)
                }
            }
            1 => self.objective.into(),
            2 => self.inf_pr.into(),
            3 => self.inf_du.into(),
            4 => self.mu.into(),
            5 => {
                if self.iteration == 0 {
                    Value::Empty
                } else {
                    self.step_norm.into()
                }
            }
            6 => {
                if self.regularization > 0.0 {
                    self.regularization.into()
                } else {
                    Value::Empty
                }
            }
            7 => {
                if self.iteration == 0 {
                    Value::Empty
                } else {
                    self.alpha_du.into()
                }
            }
            8 => {
                if self.iteration == 0 {
                    Value::Empty
                } else {
                    self.alpha_pr.into()
                }
            }
            _ => self.ls.into(),
        }
    }
}

/// The result of an interior-point solve (user units).
#[derive(Debug, Clone)]
pub struct Output {
    /// How the run ended.
    pub status: Status,
    /// Why, in more detail.
    pub termination: Termination,
    /// The cause in words (which measure stopped it).
    pub message: String,
    /// Final point (length n, fixed variables included).
    pub x: Vec<f64>,
    /// f(x).
    pub objective: f64,
    /// Constraint multipliers y (Lagrangian f + y^T (c - cl)), length m; 0 for rows with
    /// both sides infinite.
    pub multipliers: Vec<f64>,
    /// Multipliers of the lower bounds on x (>= 0), length n.
    pub lower_bound_multipliers: Vec<f64>,
    /// Multipliers of the upper bounds on x (>= 0), length n.
    pub upper_bound_multipliers: Vec<f64>,
    /// c(x), length m.
    pub constraint_values: Vec<f64>,
    /// Largest violation of a constraint or bound (user units).
    pub constraint_violation: f64,
    /// Unscaled dual infeasibility max-norm.
    pub dual_infeasibility: f64,
    /// Unscaled complementarity max-norm.
    pub complementarity: f64,
    /// Final scaled optimality error (IPOPT's "overall NLP error").
    pub kkt_error: f64,
    /// Iterations (restoration iterations included).
    pub iterations: usize,
    /// Of which in the restoration phase.
    pub restoration_iterations: usize,
    /// MINRES iterations of the steps (`kkt_solver = krylov`; 0 with the direct solver).
    pub kkt_iterations: usize,
    /// Inexact steps MINRES could not compute and the factorization did
    /// (`kkt_solver = krylov`).
    pub kkt_fallbacks: usize,
    /// Evaluation counts.
    pub evaluations: Evaluations,
    /// Final barrier parameter.
    pub mu: f64,
    /// Wall-clock time.
    pub time: Duration,
}
