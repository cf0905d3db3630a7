//! Typed errors of convex ReLU training.

/// What went wrong, naming the offending input or setting.
#[derive(Debug, thiserror::Error)]
pub enum ReluError {
    /// The data set is unusable (empty, mismatched sizes, non-finite entries, bad labels).
    #[error("data: {0}")]
    Data(String),
    /// A setting is out of range.
    #[error("setting `{name}`: {reason}")]
    Setting {
        /// Field name.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A factorization failed (the matrices here are SPD by construction, so this signals
    /// non-finite data or severe ill-conditioning).
    #[error("linear algebra: {0}")]
    LinAlg(String),
    /// The requested combination of variant, solver and loss is not provided.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

pub(crate) fn setting(name: &'static str, reason: impl Into<String>) -> ReluError {
    ReluError::Setting {
        name,
        reason: reason.into(),
    }
}
