//! The per-iteration record of the equality-constrained solvers (what observers see) and
//! its log columns ([`opal_core::Record`]; the log itself is [`opal_core::LogObserver`]).

use std::time::Duration;

use opal_core::{Column, Format, Record, Value};

/// How the step that led to an iterate was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectionKind {
    /// Iteration 0 (no step yet).
    Start,
    /// Randomized sketching solve that met the accuracy condition.
    Sketch,
    /// Sketching solve stopped by its iteration cap (or stall) and used as is.
    SketchCapped,
    /// Direct sparse solve (the `newton` solver).
    Direct,
    /// Direct sparse solve taken because the sketching solve missed its accuracy.
    DirectFallback,
    /// Steepest descent on the merit function (safeguard when no descent direction was found).
    SteepestDescent,
    /// A Newton step on the augmented Lagrangian subproblem (`auglag`).
    Subproblem,
}

impl DirectionKind {
    /// One-letter code in the log.
    pub fn code(&self) -> char {
        match self {
            DirectionKind::Start => ' ',
            DirectionKind::Sketch => 's',
            DirectionKind::SketchCapped => 'c',
            DirectionKind::Direct => 'd',
            DirectionKind::DirectFallback => 'f',
            DirectionKind::SteepestDescent => 'g',
            DirectionKind::Subproblem => 'a',
        }
    }
}

/// Everything the log shows about one iterate.
#[derive(Debug, Clone, Copy)]
pub struct IterationInfo {
    /// Iteration number (0 = start point).
    pub iteration: usize,
    /// f(x).
    pub objective: f64,
    /// ||c(x) - cl||_2.
    pub constraint_norm: f64,
    /// ||grad_x L||_2.
    pub lagrangian_gradient_norm: f64,
    /// KKT residual.
    pub kkt_residual: f64,
    /// Merit penalties used for the step (auglag: mu and 0).
    pub eta1: f64,
    /// See `eta1`.
    pub eta2: f64,
    /// Hessian shift t of the step.
    pub shift: f64,
    /// Inner iterations of the step.
    pub inner_iterations: usize,
    /// ||K d - b|| / ||b|| of the step's linear solve (NaN when not applicable).
    pub inner_residual: f64,
    /// Step length.
    pub alpha: f64,
    /// How the direction was computed.
    pub direction: DirectionKind,
    /// Elapsed time.
    pub elapsed: Duration,
}

/// The log columns: the iteration, the objective and the residuals, the merit penalties,
/// then the step (Hessian shift, inner iterations, relative linear residual, step length)
/// and the one-letter code of its direction ([`DirectionKind::code`]).
const COLUMNS: [Column; 12] = [
    Column::new("iter", 5, Format::Int),
    Column::new("objective", 15, Format::Sci(8)),
    Column::new("||c||", 9, Format::Sci(2)),
    Column::new("||gradL||", 9, Format::Sci(2)),
    Column::new("kkt", 9, Format::Sci(2)),
    Column::new("eta1", 8, Format::Sci(1)),
    Column::new("eta2", 8, Format::Sci(1)),
    Column::new("shift", 8, Format::Sci(1)),
    Column::new("inner", 8, Format::Int),
    Column::new("lin.res", 8, Format::Sci(1)),
    Column::new("alpha", 8, Format::Sci(1)),
    Column::new("d", 1, Format::Text),
];

impl Record for IterationInfo {
    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    fn value(&self, i: usize) -> Value {
        let step = self.iteration > 0;
        match i {
            0 => self.iteration.into(),
            1 => self.objective.into(),
            2 => self.constraint_norm.into(),
            3 => self.lagrangian_gradient_norm.into(),
            4 => self.kkt_residual.into(),
            5 => self.eta1.into(),
            6 => self.eta2.into(),
            7 if step => self.shift.into(),
            8 if step => self.inner_iterations.into(),
            9 if step => self.inner_residual.into(),
            10 if step => self.alpha.into(),
            11 => Value::Char(self.direction.code()),
            _ => Value::Empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opal_core::{LogObserver, Observer};

    #[test]
    fn log_lines_keep_the_columns_and_the_direction_code() {
        let mut it = IterationInfo {
            iteration: 0,
            objective: 1.5,
            constraint_norm: 0.25,
            lagrangian_gradient_norm: 2.0,
            kkt_residual: 2.1,
            eta1: 1.0,
            eta2: 0.1,
            shift: 0.0,
            inner_iterations: 0,
            inner_residual: f64::NAN,
            alpha: 0.0,
            direction: DirectionKind::Start,
            elapsed: Duration::ZERO,
        };
        let mut log = LogObserver::new(Vec::new());
        log.iteration(&it);
        it.iteration = 1;
        it.inner_iterations = 42;
        it.alpha = 0.5;
        it.direction = DirectionKind::DirectFallback;
        log.iteration(&it);
        let text = String::from_utf8(log.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with(" iter       objective     ||c||"),
            "{text}"
        );
        assert!(
            lines[1].contains("1.50000000e+00") && lines[1].ends_with("-  "),
            "{text}"
        );
        assert!(
            lines[2].contains(" 42 ") && lines[2].ends_with(" f"),
            "{text}"
        );
    }
}
