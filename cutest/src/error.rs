//! Typed errors of the SIF decoder: every one names the file, and where there is one, the
//! line and the field that could not be understood.

use std::fmt;

/// A field of a SIF card, for error messages (`field 3 ('X(I)')`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Field 1: the two-character code.
    Code,
    /// Fields 2 to 6 of a data card (by their number in the SIF report).
    Data(u8),
    /// Field 7: the Fortran expression of an ELEMENTS/GROUPS card.
    Expression,
    /// The card as a whole (no single field is at fault).
    Card,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Code => write!(f, "field 1"),
            Field::Data(k) => write!(f, "field {k}"),
            Field::Expression => write!(f, "field 7 (expression)"),
            Field::Card => write!(f, "card"),
        }
    }
}

/// A SIF file could not be decoded, or a user parameter is not valid.
#[derive(Debug, thiserror::Error)]
pub enum SifError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A card could not be understood.
    #[error("{file}:{line}: {field}{}: {message}", quoted(.text))]
    Parse {
        /// The file (or the name given to in-memory text).
        file: String,
        /// 1-based line number.
        line: usize,
        /// Which field of the card is at fault.
        field: Field,
        /// The offending text of that field (empty when not relevant).
        text: String,
        /// What is wrong.
        message: String,
    },
    /// The file is well formed card by card but inconsistent as a whole
    /// (missing section, element without variables, ...).
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A user parameter (`--param NAME=VALUE`) is unknown or has a bad value.
    #[error("{file}: parameter {name}: {message}")]
    Parameter {
        /// The file.
        file: String,
        /// Parameter name as given by the user.
        name: String,
        /// What is wrong.
        message: String,
    },
}

fn quoted(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" ('{text}')")
    }
}

impl SifError {
    /// The 1-based line of a parse error, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            SifError::Parse { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// An error located on a card, before the file name is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct CardError {
    /// 1-based line number.
    pub line: usize,
    /// The field at fault.
    pub field: Field,
    /// Its text.
    pub text: String,
    /// What is wrong.
    pub message: String,
}

impl CardError {
    /// An error on a card.
    pub fn new(
        line: usize,
        field: Field,
        text: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            line,
            field,
            text: text.into(),
            message: message.into(),
        }
    }

    /// Attaches the file name.
    pub fn into_sif(self, file: &str) -> SifError {
        SifError::Parse {
            file: file.to_string(),
            line: self.line,
            field: self.field,
            text: self.text,
            message: self.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_names_file_line_and_field() {
        let e = CardError::new(12, Field::Data(3), "X(K)", "undefined index K").into_sif("A.SIF");
        assert_eq!(
            e.to_string(),
            "A.SIF:12: field 3 ('X(K)'): undefined index K"
        );
        assert_eq!(e.line(), Some(12));
        let e = CardError::new(3, Field::Card, "", "no NAME card").into_sif("B.SIF");
        assert_eq!(e.to_string(), "B.SIF:3: card: no NAME card");
    }
}
