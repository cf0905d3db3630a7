//! Per-iteration records (for observers) and the IPOPT-like one-line-per-iteration log.

use std::time::Duration;

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

/// Prints the log header to stderr.
pub(crate) fn print_header(solver: &str, name: &str, n: usize, m: usize) {
    eprintln!("{solver} on {name}: n = {n}, m = {m}");
    eprintln!(
        "{:>5} {:>15} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "iter",
        "objective",
        "||c||",
        "||gradL||",
        "kkt",
        "eta1",
        "eta2",
        "shift",
        "inner",
        "lin.res",
        "alpha"
    );
}

/// Prints one iteration line to stderr.
pub(crate) fn print_line(it: &IterationInfo) {
    if it.iteration == 0 {
        eprintln!(
            "{:>5} {:>15.8e} {:>9.2e} {:>9.2e} {:>9.2e} {:>8.1e} {:>8.1e}",
            0,
            it.objective,
            it.constraint_norm,
            it.lagrangian_gradient_norm,
            it.kkt_residual,
            it.eta1,
            it.eta2
        );
        return;
    }
    eprintln!(
        "{:>5} {:>15.8e} {:>9.2e} {:>9.2e} {:>9.2e} {:>8.1e} {:>8.1e} {:>8.1e} {:>8} {:>8.1e} {:>7.1e}{}",
        it.iteration,
        it.objective,
        it.constraint_norm,
        it.lagrangian_gradient_norm,
        it.kkt_residual,
        it.eta1,
        it.eta2,
        it.shift,
        it.inner_iterations,
        it.inner_residual,
        it.alpha,
        it.direction.code()
    );
}
