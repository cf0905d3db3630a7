//! The interior point's error type: why a run could not start or a step could not be
//! computed.

use opal_core::SettingError;
use opal_problems::EvalError;

use crate::eqnlp::KktError;

/// Why the interior point could not run (bad input or a failure before the first
/// iterate); failures during the run are statuses of the [`super::Output`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IpmError {
    /// A setting is out of range.
    #[error(transparent)]
    Setting(SettingError),
    /// The problem's data are inconsistent (lengths, NaN bounds, crossing bounds).
    #[error("invalid problem: {0}")]
    InvalidProblem(String),
    /// f, c or a derivative failed at the start point.
    #[error("evaluation at the start point failed: {0}")]
    Start(EvalError),
    /// An evaluation failed during the run.
    #[error("evaluation failed: {0}")]
    Evaluation(EvalError),
    /// The linear algebra failed.
    #[error(transparent)]
    Linear(KktError),
    /// No regularization up to 1e40 gave the primal-dual matrix the right inertia.
    #[error("the primal-dual matrix could not be given the right inertia (delta_w > 1e40)")]
    Inertia,
    /// The budget (a stop request or the time limit) ended the run between two
    /// factorizations of one step.
    #[error("stopped by the budget between two factorizations of a step")]
    Stopped,
}

impl IpmError {
    pub(crate) fn start(e: EvalError) -> Self {
        IpmError::Start(e)
    }
}
