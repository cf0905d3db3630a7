//! Typed errors of the equality-constrained solvers: refused problems and bad settings.
//! Failures during a run (evaluation errors, singular Jacobians, ...) are statuses, not errors.

/// Why a solver refused to start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NlpError {
    /// The problem has bounds or inequality constraints, which these solvers do not handle.
    #[error(
        "problem {problem} has {detail}; {solver} handles only equality constraints c(x) = cl \
         without bounds on the variables"
    )]
    Unsupported {
        /// Problem name.
        problem: String,
        /// Solver name.
        solver: &'static str,
        /// What is unsupported (counts of bounds / inequalities).
        detail: String,
    },
    /// The problem description is inconsistent (lengths, patterns, start point).
    #[error("problem {problem}: {detail}")]
    InvalidProblem {
        /// Problem name.
        problem: String,
        /// What is wrong.
        detail: String,
    },
    /// A setting is out of range.
    #[error("setting {name}: {detail}")]
    InvalidSetting {
        /// Setting name.
        name: &'static str,
        /// What is wrong.
        detail: String,
    },
}

impl From<opal_core::SettingError> for NlpError {
    fn from(e: opal_core::SettingError) -> Self {
        NlpError::InvalidSetting {
            name: e.name,
            detail: e.detail,
        }
    }
}
