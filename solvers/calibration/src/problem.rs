//! The calibration problem as users state it ([`Problem`]) and as the methods take it
//! ([`Prepared`]: validated sizes and data, orthonormalized subspace bases).

use faer::{Mat, MatRef};
use opal_core::linalg::norm;

use super::error::CalibrationError;
use super::operator::SensingOperator;

/// A blind calibration problem y_l = diag(d) A_l x, l = 1..p, with mean(d) = 1 and
/// |d_i - 1| <= rho, optionally with subspace priors x = Z z and d = B b.
#[derive(Clone, Copy)]
pub struct Problem<'a> {
    /// The sensing operators A_l.
    pub operator: &'a dyn SensingOperator,
    /// Measurements, p blocks of m (snapshot l at offset l m).
    pub y: &'a [f64],
    /// Bound on the gain deviation, 0 < rho < 1.
    pub rho: f64,
    /// Optional signal basis Z (n x k, full column rank): x = Z z.
    pub signal_basis: Option<MatRef<'a, f64>>,
    /// Optional gain basis B (m x h, full column rank, first column constant): d = B b.
    pub gain_basis: Option<MatRef<'a, f64>>,
}

impl<'a> Problem<'a> {
    /// A problem without subspace priors.
    pub fn new(operator: &'a dyn SensingOperator, y: &'a [f64], rho: f64) -> Self {
        Self {
            operator,
            y,
            rho,
            signal_basis: None,
            gain_basis: None,
        }
    }
    /// Restricts the signal to the span of the columns of `z` (n x k).
    pub fn with_signal_basis(mut self, z: MatRef<'a, f64>) -> Self {
        self.signal_basis = Some(z);
        self
    }
    /// Restricts the gains to the span of the columns of `b` (m x h, first column constant).
    pub fn with_gain_basis(mut self, b: MatRef<'a, f64>) -> Self {
        self.gain_basis = Some(b);
        self
    }
}

/// An orthonormal basis Q (thin QR of the user's basis) and R, to map back coefficients.
pub(crate) struct Basis {
    pub q: Mat<f64>,
    pub r: Mat<f64>,
}

impl Basis {
    /// Checks the user's basis (finite, full column rank) and orthonormalizes it.
    fn new(b: MatRef<'_, f64>, which: &'static str) -> Result<Self, CalibrationError> {
        let (rows, cols) = (b.nrows(), b.ncols());
        if cols == 0 || cols > rows {
            return Err(CalibrationError::Shape(format!(
                "the {which} basis is {rows} x {cols}: it needs 1 to {rows} columns"
            )));
        }
        for j in 0..cols {
            for i in 0..rows {
                if !b[(i, j)].is_finite() {
                    return Err(CalibrationError::NonFinite {
                        what: if which == "signal" {
                            "signal basis"
                        } else {
                            "gain basis"
                        },
                        index: i + j * rows,
                        value: b[(i, j)],
                    });
                }
            }
        }
        let qr = b.qr();
        let r = qr.thin_R().to_owned();
        let scale = (0..cols).map(|j| r[(j, j)].abs()).fold(0.0, f64::max);
        if let Some(column) = (0..cols).find(|&j| r[(j, j)].abs() <= 1e-12 * scale || scale == 0.0)
        {
            return Err(CalibrationError::RankDeficientBasis { which, column });
        }
        Ok(Self {
            q: qr.compute_thin_Q(),
            r,
        })
    }

    /// Coefficients c with B c = v for v in the span: R^{-1} Q^T v.
    pub fn coefficients(&self, v: &[f64]) -> Vec<f64> {
        let k = self.q.ncols();
        let mut c: Vec<f64> = (0..k)
            .map(|j| (0..v.len()).map(|i| self.q[(i, j)] * v[i]).sum())
            .collect();
        for j in (0..k).rev() {
            let mut s = c[j];
            for t in j + 1..k {
                s -= self.r[(j, t)] * c[t];
            }
            c[j] = s / self.r[(j, j)];
        }
        c
    }

    /// v <- Q_cols Q_cols^T v using `coef` (length >= number of columns) as workspace.
    pub fn project(q: MatRef<'_, f64>, v: &mut [f64], coef: &mut [f64]) {
        let k = q.ncols();
        for j in 0..k {
            coef[j] = (0..v.len()).map(|i| q[(i, j)] * v[i]).sum();
        }
        for (i, vi) in v.iter_mut().enumerate() {
            *vi = (0..k).map(|j| q[(i, j)] * coef[j]).sum();
        }
    }
}

/// A validated problem: sizes, finite data, orthonormalized bases.
pub(crate) struct Prepared<'a> {
    pub op: &'a dyn SensingOperator,
    pub y: &'a [f64],
    pub rho: f64,
    pub n: usize,
    pub m: usize,
    pub p: usize,
    pub y_norm: f64,
    pub signal: Option<Basis>,
    pub gain: Option<Basis>,
}

impl<'a> Prepared<'a> {
    /// Validates `problem`: sizes, finite data, rho, the bases (orthonormalized here).
    pub fn new(problem: &Problem<'a>) -> Result<Self, CalibrationError> {
        let op = problem.operator;
        let (n, m, p) = (op.signal_len(), op.sensors(), op.snapshots());
        if n == 0 || m == 0 || p == 0 {
            return Err(CalibrationError::Shape(format!(
                "n, m and p must be positive (got n = {n}, m = {m}, p = {p})"
            )));
        }
        if !(problem.rho > 0.0 && problem.rho < 1.0) {
            return Err(CalibrationError::InvalidRho(problem.rho));
        }
        CalibrationError::check_len("measurements", m * p, problem.y.len())?;
        CalibrationError::check_finite("measurements", problem.y)?;
        let y_norm = norm(problem.y);
        if y_norm == 0.0 {
            return Err(CalibrationError::ZeroMeasurements);
        }
        let signal = match problem.signal_basis {
            Some(z) => {
                CalibrationError::check_len("rows of the signal basis", n, z.nrows())?;
                Some(Basis::new(z, "signal")?)
            }
            None => None,
        };
        let gain = match problem.gain_basis {
            Some(b) => {
                CalibrationError::check_len("rows of the gain basis", m, b.nrows())?;
                if b.ncols() == 0 {
                    return Err(CalibrationError::Shape(
                        "the gain basis has no column".into(),
                    ));
                }
                let c0 = b[(0, 0)];
                if let Some(index) =
                    (0..m).find(|&i| !(c0 != 0.0 && (b[(i, 0)] - c0).abs() <= 1e-12 * c0.abs()))
                {
                    return Err(CalibrationError::GainBasisNotConstant { index });
                }
                Some(Basis::new(b, "gain")?)
            }
            None => None,
        };
        Ok(Self {
            op,
            y: problem.y,
            rho: problem.rho,
            n,
            m,
            p,
            y_norm,
            signal,
            gain,
        })
    }
}

impl Prepared<'_> {
    /// One line naming the sizes, for the log.
    pub fn describe(&self) -> String {
        format!(
            "n = {}, m = {}, p = {}, rho = {}",
            self.n, self.m, self.p, self.rho
        )
    }
}
