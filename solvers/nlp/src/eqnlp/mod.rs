//! Shared machinery of the equality-constrained NLP solvers (`adasketch`, `newton_merit`,
//! `auglag`): problem wrapper with evaluation counters and input checks, the KKT matrix in
//! compressed form, the exact augmented Lagrangian merit, curvature analysis (Hessian
//! modification, Jacobian regularity), the sparse direct KKT solver and the result types.
//!
//! Problem: minimize f(x) subject to c(x) = cl, where every constraint of the
//! [`opal_problems::SmoothProblem`] is an equality (cl = cu) and no variable has a bound.
//! Sign convention: the Lagrangian is L(x, lambda) = f(x) + lambda^T (c(x) - cl).

mod curvature;
mod direct;
mod error;
pub(crate) mod gram;
mod kkt;
pub(crate) mod linalg;
mod log;
mod method;
mod output;
pub(crate) mod params;
mod problem;

pub(crate) use curvature::{Analyzer, least_squares_multipliers};
pub(crate) use direct::DirectKkt;
pub use error::NlpError;
pub(crate) use kkt::KktMatrix;
pub use log::{DirectionKind, IterationInfo};
pub(crate) use log::{print_header, print_line};
pub use method::Method;
pub use output::{Evaluations, Output, Status};
pub(crate) use problem::EqProblem;

/// How the Hessian of the Lagrangian is modified when the reduced Hessian Z^T H Z
/// (Z a basis of the null space of the Jacobian) is not sufficiently positive definite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HessianModification {
    /// Smallest shift t with Z^T (H + t I) Z >= xi_b I. For n <= `dense_limit` the reduced
    /// Hessian's eigenvalues are computed exactly; for larger problems a Gershgorin bound
    /// is tried first, then Cholesky factorizations of H + t I with growing t (so B is
    /// positive definite on the whole space).
    Minimal,
    /// The reference code's rule: B = H + (xi_b + ||H||_F) I whenever the reduced Hessian
    /// is not sufficiently positive definite.
    Reference,
    /// Never modify H (Newton on the exact KKT system; may produce ascent directions).
    Off,
}

impl std::str::FromStr for HessianModification {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "minimal" => Ok(Self::Minimal),
            "reference" => Ok(Self::Reference),
            "off" | "none" => Ok(Self::Off),
            _ => Err(format!(
                "unknown Hessian modification '{s}' (minimal, reference, off)"
            )),
        }
    }
}

/// Start value of the multipliers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiplierInit {
    /// The problem's `y0` when it has one, zero otherwise.
    Auto,
    /// lambda0 = 0.
    Zero,
    /// Least-squares multipliers: argmin ||grad f(x0) + J(x0)^T lambda|| (zero when J(x0)
    /// is rank deficient).
    LeastSquares,
}

impl std::str::FromStr for MultiplierInit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "zero" => Ok(Self::Zero),
            "ls" | "least_squares" | "least-squares" => Ok(Self::LeastSquares),
            _ => Err(format!(
                "unknown multiplier start '{s}' (auto, zero, least_squares)"
            )),
        }
    }
}

/// Checks that a real setting is finite and inside `(lo, hi)` (open or closed per flags).
pub(crate) fn check_setting(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    lo_open: bool,
) -> Result<(), NlpError> {
    let ok = value.is_finite() && (if lo_open { value > lo } else { value >= lo }) && value <= hi;
    if ok {
        Ok(())
    } else {
        Err(NlpError::InvalidSetting {
            name,
            detail: format!(
                "{value} is outside {}{lo}, {hi}]",
                if lo_open { "(" } else { "[" }
            ),
        })
    }
}
