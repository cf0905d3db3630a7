//! Nonlinear programming: equality-constrained problems by [`adasketch`] (sketched inexact
//! Newton with an exact augmented Lagrangian, the default), [`newton_merit`] (exact Newton on
//! the same merit) and [`auglag`] (classical augmented Lagrangian), sharing [`eqnlp`]
//! (the merit iteration, the KKT solvers behind [`eqnlp::KktSolver`], the problem
//! wrapper, the results). [`Method`] picks one of the three by name.
//!
//! Problems come through [`opal_problems::SmoothProblem`]; runs follow [`opal_core`]'s
//! protocol: one [`opal_core::Status`] (with [`eqnlp::Failure`] telling numerical
//! failures apart), a [`opal_core::Budget`] in every settings struct, observers of
//! [`eqnlp::IterationInfo`] and the shared iteration log.

#![deny(missing_docs)]

pub mod adasketch;
pub mod auglag;
pub mod eqnlp;
pub mod ipm;
mod method;
pub mod newton_merit;

pub use method::Method;
