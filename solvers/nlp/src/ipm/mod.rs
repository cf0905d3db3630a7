//! A primal-dual interior-point method for general nonlinear programs,
//!
//! ```text
//! min f(x)  s.t.  cl <= c(x) <= cu,  xl <= x <= xu      (any side infinite; equal sides
//!                                                         are equalities or fixed variables)
//! ```
//!
//! after IPOPT (A. Wächter, L. T. Biegler, "On the implementation of an interior-point
//! filter line-search algorithm for large-scale nonlinear programming", Math. Programming
//! 106 (2006) 25-57): slacks for inequalities and a log barrier on every bound
//! ([`nlp`]), monotone (Fiacco-McCormick) or adaptive (Mehrotra probing) barrier updates,
//! the fraction-to-the-boundary rule, a filter line search with second-order corrections
//! ([`linesearch`]), inertia correction of the primal-dual matrix ([`step`]) factorized by a
//! sparse LDL^T or a dense Bunch-Kaufman that report inertia ([`ldl`]) or, as an inexact
//! option, by preconditioned MINRES ([`krylov`]), both behind the KKT solver trait
//! [`crate::eqnlp::KktSolver`], a feasibility
//! restoration phase ([`restoration`]) that detects local infeasibility, gradient-based
//! scaling, an exact Hessian or limited-memory BFGS ([`lbfgs`]).
//!
//! Convergence means what IPOPT's means: the scaled dual infeasibility, primal
//! infeasibility and complementarity are each at most `tol` (1e-8), and the unscaled ones
//! within `dual_inf_tol`, `constr_viol_tol`, `compl_inf_tol`; the result's message says
//! which measures met which tolerance.

mod error;
mod filter;
mod iterate;
mod kkt;
mod krylov;
mod lbfgs;
mod ldl;
mod linesearch;
mod named;
mod nlp;
mod output;
mod restoration;
mod settings;
mod solve;
mod state;
mod step;
mod warm;

pub use error::IpmError;
pub use named::SETTING_NAMES;
pub use nlp::Evaluations;
pub use output::{IterationInfo, Output, Termination};
pub use settings::{HessianApproximation, KktMethod, LinearSolver, MuStrategy, Settings};
pub use solve::{solve, solve_observed, solve_warm};
pub use warm::WarmStart;
