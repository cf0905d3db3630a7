//! Typed errors of blind gain calibration: bad shapes, non-finite data, invalid settings
//! and degenerate problems, each naming what and where.

/// Why a calibration problem could not be solved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    /// An argument has the wrong length or shape.
    #[error("{what} has size {got}, expected {expected}")]
    Dimension {
        /// Which argument.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Actual size.
        got: usize,
    },
    /// A size is zero or otherwise unusable.
    #[error("invalid shape: {0}")]
    Shape(String),
    /// Data contain NaN or an infinity.
    #[error("{what}[{index}] is not finite ({value})")]
    NonFinite {
        /// Which argument.
        what: &'static str,
        /// Flat index of the first offending entry.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The gain bound rho lies outside (0, 1).
    #[error("rho must lie in (0, 1), got {0}")]
    InvalidRho(f64),
    /// A setting is out of range (names the field of `Settings`).
    #[error("invalid {0}")]
    InvalidSetting(#[from] opal_core::SettingError),
    /// All measurements are zero: the initial signal estimate vanishes and the gains are
    /// not identifiable.
    #[error("the measurements are all zero: signal and gains are not identifiable")]
    ZeroMeasurements,
    /// A sensor recorded zero in every snapshot, so the linear method cannot invert its gain.
    #[error("sensor {sensor} measured zero in every snapshot: its gain is not identifiable")]
    ZeroSensor {
        /// Index of the sensor.
        sensor: usize,
    },
    /// A subspace basis does not have full column rank.
    #[error("the {which} basis is rank deficient (column {column} depends on the previous ones)")]
    RankDeficientBasis {
        /// "signal" or "gain".
        which: &'static str,
        /// First dependent column.
        column: usize,
    },
    /// The gain basis must contain the constant vector as its first column.
    #[error("the first column of the gain basis must be constant (entry {index} differs)")]
    GainBasisNotConstant {
        /// First row whose entry differs from row 0.
        index: usize,
    },
    /// The requested combination is not available.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// A dense factorization failed to converge.
    #[error("numerical failure: {0}")]
    Numerical(String),
}

impl CalibrationError {
    /// An error for the first non-finite entry of `values`, if any.
    pub fn check_finite(what: &'static str, values: &[f64]) -> Result<(), Self> {
        match values.iter().position(|v| !v.is_finite()) {
            Some(index) => Err(Self::NonFinite {
                what,
                index,
                value: values[index],
            }),
            None => Ok(()),
        }
    }

    /// An error if `got != expected`.
    pub fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), Self> {
        if got == expected {
            Ok(())
        } else {
            Err(Self::Dimension {
                what,
                expected,
                got,
            })
        }
    }
}
