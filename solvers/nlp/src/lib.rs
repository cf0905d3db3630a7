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

/// Writes the `solve` / `solve_observed` pair of an equality-constrained solver module:
/// `solve` runs without an observer; `solve_observed` validates the module's `Settings`
/// and runs `$body` with `$problem`, `$settings` and `$observer` bound.
macro_rules! entry_points {
    ($method:literal, $iterate:literal, |$problem:ident, $settings:ident, $observer:ident| $body:block) => {
        #[doc = concat!("Solves `problem` with ", $method, ".")]
        pub fn solve<P: opal_problems::SmoothProblem + ?Sized>(
            problem: &P,
            settings: &Settings,
        ) -> Result<crate::eqnlp::Output, crate::eqnlp::NlpError> {
            solve_observed(problem, settings, &mut opal_core::NoObserver)
        }

        #[doc = concat!("As [`solve`], showing `observer` every ", $iterate, " (the start point included);")]
        /// the run ends with [`Status::Interrupted`](opal_core::Status::Interrupted) when
        /// it says stop.
        pub fn solve_observed<P: opal_problems::SmoothProblem + ?Sized>(
            $problem: &P,
            $settings: &Settings,
            $observer: &mut dyn opal_core::Observer<crate::eqnlp::IterationInfo>,
        ) -> Result<crate::eqnlp::Output, crate::eqnlp::NlpError> {
            $settings.validate()?;
            $body
        }
    };
}

pub mod adasketch;
pub mod auglag;
pub mod eqnlp;
pub mod ipm;
mod method;
pub mod newton_merit;

pub use method::Method;
