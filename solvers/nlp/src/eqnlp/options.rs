//! Choices shared by the equality-constrained solvers' settings.

/// How the Hessian of the Lagrangian is modified when the reduced Hessian Z^T H Z
/// (Z a basis of the null space of the Jacobian) is not sufficiently positive definite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
