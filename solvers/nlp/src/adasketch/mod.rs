//! Sketched inexact Newton with an exact augmented Lagrangian (Hong, Na, Mahoney, Kolar,
//! ICML 2023) for min f(x) s.t. c(x) = 0 (equality constraints, no bounds).
//!
//! Each iteration solves the Newton (KKT) system [[B, J^T], [J, 0]] (dx, dlambda) =
//! -(grad_x L, c) inexactly by randomized sketching ([`SketchKind`]: Kaczmarz, Gaussian
//! sketch-and-project, sparse sign blocks), warm-started, until the adaptive accuracy
//! condition ||K d - b|| <= theta delta ||b|| / (psi ||K||_F) holds; checks that the result
//! is a sufficient descent direction of the exact augmented Lagrangian
//! L + eta1/2 ||c||^2 + eta2/2 ||grad_x L||^2 (adapting eta1, eta2 and delta otherwise) and
//! takes an Armijo step on it. The merit gradient uses the exact Hessian of the Lagrangian
//! H (the authors' code uses the Hessian of f there). B = H + t I with the smallest shift t
//! that makes the reduced Hessian positive definite
//! ([`crate::eqnlp::HessianModification`]).
//!
//! Safeguards beyond the paper, each a documented [`Settings`] field: gradient-based
//! problem scaling; a round-off floor under the accuracy condition (which otherwise asks
//! for residuals below machine precision); capped sketch directions used when their
//! residual is below `fallback_residual` and they give sufficient descent, else a direct
//! sparse solve of that iteration (`direct_fallback`, counted in `Output::direct_solves`;
//! off = the pure method); penalties restored when their adaptation runs to its limits
//! without descent; steepest descent of the merit as last resort; a minimum step relative
//! to the point; full Newton steps accepted when they halve the best KKT residual
//! (watchdog against Maratos-like rejections under a large eta1); regularized steps while
//! J is rank deficient, reported as a singular-Jacobian failure when that stalls the iteration.
//!
//! The exact-Newton baseline on the same merit is the `newton_merit` module; the
//! iteration both share is in [`crate::eqnlp`], and `kkt_solve_method = direct` makes this solver
//! take the direct steps too.

mod settings;

pub use crate::eqnlp::{Sampling, SketchKind};
pub use settings::Settings;

use crate::eqnlp::merit::{self, MeritConfig};

entry_points!(
    "the sketched inexact Newton method",
    "iterate",
    |problem, settings, observer| {
        let cfg = MeritConfig::new("adasketch", &settings.merit, settings.kkt_choice());
        merit::solve(problem, &cfg, observer)
    }
);
