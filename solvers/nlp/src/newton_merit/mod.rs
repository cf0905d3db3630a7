//! Exact Newton on the exact augmented Lagrangian merit: the baseline of `adasketch` with
//! the same outer iteration (Hessian modification, adaptive penalties, Armijo line search)
//! but every KKT system solved directly by [`DirectLu`](crate::eqnlp::DirectLu), faer's
//! sparse LU of the saddle-point matrix (symbolic analysis once, numeric refactorization
//! per iteration, iterative refinement). Its settings are exactly the merit iteration's.

use crate::eqnlp::merit::{self, KktChoice, MeritConfig};

/// Settings of [`solve`]: the merit iteration's, with the same meaning and defaults as in
/// `adasketch` (`adasketch::Settings::merit`).
pub use crate::eqnlp::MeritSettings as Settings;

entry_points!(
    "exact Newton steps on the merit function",
    "iterate",
    |problem, settings, observer| {
        merit::solve(
            problem,
            &MeritConfig::new("newton", settings, KktChoice::Direct),
            observer,
        )
    }
);
