//! Nonlinear programming: equality-constrained problems by [`adasketch`] (sketched inexact
//! Newton with an exact augmented Lagrangian, the default), [`newton_merit`] (exact Newton on
//! the same merit) and [`auglag`] (classical augmented Lagrangian), sharing [`eqnlp`].
//! Problems come through [`opal_problems::SmoothProblem`]; runs follow [`opal_core`]'s
//! protocol.

pub mod adasketch;
pub mod auglag;
pub mod eqnlp;
pub mod ipm;
pub mod newton_merit;
