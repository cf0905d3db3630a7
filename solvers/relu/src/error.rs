//! Typed errors of convex ReLU training.

use opal_core::SettingError;

/// What went wrong, naming the offending input or setting.
#[derive(Debug, thiserror::Error)]
pub enum ReluError {
    /// The data set is unusable (empty, mismatched sizes, non-finite entries, bad labels).
    #[error("data: {0}")]
    Data(String),
    /// A setting is out of range.
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// A factorization failed (the matrices here are SPD by construction, so this signals
    /// non-finite data or severe ill-conditioning).
    #[error("linear algebra: {0}")]
    LinAlg(String),
    /// The fit would need more memory than the machine has available (the estimate is
    /// in the message).
    #[error("memory: {0}")]
    Memory(String),
    /// The requested combination of variant, solver and loss is not provided.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// A [`ReluError::Setting`] for `name` with the reason in words.
pub(crate) fn setting(name: &'static str, detail: impl Into<String>) -> ReluError {
    ReluError::Setting(SettingError {
        name,
        detail: detail.into(),
    })
}
