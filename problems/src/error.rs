//! Typed errors of the problem side: evaluation failures and data-format errors.

use std::path::PathBuf;

/// An evaluation of f, c or their derivatives failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// A computed value is NaN or infinite (e.g. an overflow or a pole).
    #[error("{what}[{index}] is not finite ({value}) at the given point")]
    NonFinite {
        /// Which quantity ("objective", "gradient", "constraint", ...).
        what: &'static str,
        /// Index inside that quantity (0 for scalars).
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The point is outside the domain of a function (log of a negative number, ...).
    #[error("domain error in {what}: {detail}")]
    Domain {
        /// Which function.
        what: String,
        /// What went wrong.
        detail: String,
    },
    /// A buffer or point has the wrong length.
    #[error("{what} has length {got}, expected {expected}")]
    Dimension {
        /// Which argument.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
}

impl EvalError {
    /// Returns an error for the first non-finite entry of `values`, if any.
    pub fn check_finite(what: &'static str, values: &[f64]) -> Result<(), EvalError> {
        match first_non_finite(values) {
            Some((index, value)) => Err(EvalError::NonFinite { what, index, value }),
            None => Ok(()),
        }
    }

    /// Returns an error if `got != expected`.
    pub fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), EvalError> {
        let error = EvalError::Dimension {
            what,
            expected,
            got,
        };
        if got == expected { Ok(()) } else { Err(error) }
    }
}

/// The index and value of the first NaN or infinite entry of `values`: what
/// [`EvalError::check_finite`] reports, for error types of other crates that report the
/// same.
pub fn first_non_finite(values: &[f64]) -> Option<(usize, f64)> {
    values
        .iter()
        .position(|v| !v.is_finite())
        .map(|i| (i, values[i]))
}

/// A data file could not be read: says which file, which line, and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The content is malformed at a given line (1-based).
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file (or `<input>` for in-memory text).
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong, naming the offending field.
        message: String,
    },
    /// The content is well formed but inconsistent as a whole.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl FormatError {
    pub(crate) fn parse(path: &std::path::Path, line: usize, message: impl Into<String>) -> Self {
        FormatError::Parse {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(path: &std::path::Path, message: impl Into<String>) -> Self {
        FormatError::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A failed read of line `line`: bytes that are not UTF-8 are a parse error at that
    /// line (binary data), anything else an I/O error.
    pub(crate) fn line_io(path: &std::path::Path, line: usize, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::InvalidData {
            return Self::parse(path, line, "not a text file (bytes that are not UTF-8)");
        }
        Self::io(path, source)
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        FormatError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A problem could not be built (bad parameters, inconsistent data, unreadable file).
#[derive(Debug, thiserror::Error)]
pub enum ProblemError {
    /// Reading a data file failed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A parameter is missing, unknown or out of range.
    #[error("parameter {name}: {message}")]
    Parameter {
        /// Parameter name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// The problem specification string is not understood.
    #[error("unknown problem '{0}' (run `opal problems` for the list)")]
    Unknown(String),
    /// The data are inconsistent (sizes, NaN, ...).
    #[error("invalid data: {0}")]
    Data(String),
}

impl ProblemError {
    /// Convenience constructor for a parameter error.
    pub fn parameter(name: impl Into<String>, message: impl Into<String>) -> Self {
        ProblemError::Parameter {
            name: name.into(),
            message: message.into(),
        }
    }
}
