//! Mapping of opal's typed errors onto Python exceptions: `ValueError` for bad input,
//! `OSError` for unreadable files, `opal.EvaluationError` (a `ValueError`) when a function
//! cannot be evaluated at a point, `opal.SolverError` for solver failures.

use opal_cutest::SifError;
use opal_problems::{EvalError, FormatError, ProblemError};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::{PyErr, create_exception};

create_exception!(
    opal,
    SolverError,
    PyRuntimeError,
    "A solver failed (the message says why)."
);
create_exception!(
    opal,
    EvaluationError,
    PyValueError,
    "A problem function could not be evaluated at the given point (NaN, domain error)."
);

/// Python exception for a problem-side error.
pub fn problem_error(e: ProblemError) -> PyErr {
    match e {
        ProblemError::Format(FormatError::Io { .. }) => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// Python exception for an evaluation error.
pub fn eval_error(e: EvalError) -> PyErr {
    match e {
        EvalError::Dimension { .. } => PyValueError::new_err(e.to_string()),
        _ => EvaluationError::new_err(e.to_string()),
    }
}

/// Python exception for a SIF decoding error: `FileNotFoundError`/`OSError` when the file
/// cannot be read, `ValueError` (with `file:line: ...`) when it cannot be decoded.
pub fn sif_error(e: SifError) -> PyErr {
    match &e {
        SifError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(e.to_string())
        }
        SifError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}
