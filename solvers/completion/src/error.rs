//! The completion solver's error type.

/// Errors of the completion solver: bad input or settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompletionError {
    /// The observed entries are unusable (says which entry and why).
    #[error("invalid completion data: {0}")]
    Data(String),
    /// A setting is out of range (names the field).
    #[error("invalid {0}")]
    Setting(#[from] opal_core::SettingError),
}
