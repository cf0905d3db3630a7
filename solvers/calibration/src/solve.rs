//! The calibration problem, its validation, the result type and the entry points shared by
//! projected gradient descent and the linear baseline.

use std::time::Duration;

use faer::{Mat, MatRef};
use rayon::prelude::*;

use super::error::CalibrationError;
use super::operator::SensingOperator;
use super::settings::{Method, Settings};
use super::{linear, pgd};

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

/// Why a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The relative residual reached `tol_residual`: the data are fitted.
    ResidualTolerance,
    /// The relative change of the iterates fell below `tol_step`.
    StepTolerance,
    /// The direct (linear) method finished with a unique solution and positive gains.
    Solved,
    /// The linear method found a solution with some s_i = 1/d_i <= 0 (too much noise).
    NonPositiveGains,
    /// The linear system has more than a one-dimensional null space (m(p-1) < n - 1 or a
    /// numerically repeated smallest singular value): the answer is one of many.
    Underdetermined,
    /// `max_iterations` reached.
    MaxIterations,
    /// `time_limit` reached.
    TimeLimit,
    /// The observer asked to stop.
    Interrupted,
    /// The objective became non-finite (fixed step too large).
    Diverged,
}

impl Status {
    /// True for the statuses that mean a converged or solved problem.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Status::ResidualTolerance | Status::StepTolerance | Status::Solved
        )
    }
}

/// The estimate and how it was obtained.
#[derive(Debug, Clone)]
pub struct Output {
    /// Termination reason.
    pub status: Status,
    /// Which algorithm ran.
    pub method: Method,
    /// Signal estimate (length n).
    pub x: Vec<f64>,
    /// Gain estimate (length m), mean 1.
    pub d: Vec<f64>,
    /// Signal coefficients z with x = Z z (signal basis given).
    pub z: Option<Vec<f64>>,
    /// Gain coefficients b with d = B b (gain basis given).
    pub b: Option<Vec<f64>>,
    /// Iterations of projected gradient descent (0 for the linear method).
    pub iterations: usize,
    /// f(x, d) = (1/(2 m p)) sum_l ||diag(d) A_l x - y_l||^2, recomputed at the end.
    pub objective: f64,
    /// ||diag(d) A x - y|| / ||y||.
    pub relative_residual: f64,
    /// Number of applications of some A_l or A_l^T.
    pub operator_applications: usize,
    /// Wall-clock time of the solve.
    pub time: Duration,
}

/// What the observer sees after each iteration.
#[derive(Debug, Clone, Copy)]
pub struct IterationInfo {
    /// Iteration number (1-based).
    pub iteration: usize,
    /// Objective f at the new iterate.
    pub objective: f64,
    /// ||diag(gamma) A xi - y|| / ||y||.
    pub relative_residual: f64,
    /// Step length taken along -grad_xi.
    pub step_signal: f64,
    /// Step length taken along -grad_gamma (before projection).
    pub step_gain: f64,
    /// max(||dxi||/||xi||, ||dgamma||/||gamma||).
    pub relative_change: f64,
}

/// The observer's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop now (status `Interrupted`).
    Stop,
}

/// Solves a calibration problem with the method of `settings`.
pub fn solve(problem: &Problem<'_>, settings: &Settings) -> Result<Output, CalibrationError> {
    solve_with_observer(problem, settings, &mut |_| Control::Continue)
}

/// As [`solve`], calling `observer` after every iteration of the iterative method.
pub fn solve_with_observer(
    problem: &Problem<'_>,
    settings: &Settings,
    observer: &mut dyn FnMut(&IterationInfo) -> Control,
) -> Result<Output, CalibrationError> {
    settings.validate()?;
    let prepared = Prepared::new(problem)?;
    match settings.method {
        Method::ProjectedGradient => pgd::run(&prepared, settings, observer),
        Method::Linear => linear::run(&prepared, settings),
    }
}

/// ||a - b|| / ||b||: the relative error the tests and benchmarks report.
pub fn relative_error(estimate: &[f64], truth: &[f64]) -> f64 {
    let num: f64 = estimate
        .iter()
        .zip(truth)
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    let den: f64 = truth.iter().map(|b| b * b).sum();
    (num / den).sqrt()
}

/// An orthonormal basis Q (thin QR of the user's basis) and R, to map back coefficients.
pub(crate) struct Basis {
    pub q: Mat<f64>,
    pub r: Mat<f64>,
}

impl Basis {
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
    fn new(problem: &Problem<'a>) -> Result<Self, CalibrationError> {
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
        let y_norm = problem.y.iter().map(|v| v * v).sum::<f64>().sqrt();
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

/// Size m n of one snapshot below which the snapshots run on the calling thread.
const PARALLEL_MIN_WORK: usize = 1 << 14;

/// Applies all snapshots of an operator, in parallel or not, with workspaces sized once.
/// Each snapshot is computed independently and sums run in a fixed order, so the results
/// do not depend on the number of threads.
pub(crate) struct Engine<'a> {
    op: &'a dyn SensingOperator,
    n: usize,
    m: usize,
    chunk: usize,
    parallel: bool,
    scratch: Vec<f64>,
    parts: Vec<f64>,
    /// Applications of some A_l or A_l^T so far.
    pub applications: usize,
}

impl<'a> Engine<'a> {
    pub fn new(op: &'a dyn SensingOperator, parallel: bool) -> Self {
        let (n, m, p) = (op.signal_len(), op.sensors(), op.snapshots());
        let chunk = op.scratch_len().max(1);
        Self {
            op,
            n,
            m,
            chunk,
            // Threads pay off only when one snapshot is real work (about m n flops for a
            // dense block); results are the same either way.
            parallel: parallel && p > 1 && m * n >= PARALLEL_MIN_WORK,
            scratch: vec![0.0; p * chunk],
            parts: vec![0.0; p * n],
            applications: 0,
        }
    }

    /// out[l m..(l+1) m] = A_l x for every l.
    pub fn forward(&mut self, x: &[f64], out: &mut [f64]) {
        let (op, m, chunk) = (self.op, self.m, self.chunk);
        let job = |(l, (o, s)): (usize, (&mut [f64], &mut [f64]))| op.apply(l, x, o, s);
        if self.parallel {
            out.par_chunks_mut(m)
                .zip(self.scratch.par_chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        } else {
            out.chunks_mut(m)
                .zip(self.scratch.chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        }
        self.applications += out.len() / m;
    }

    /// out = sum_l A_l^T w_l, w in p blocks of m.
    pub fn adjoint(&mut self, w: &[f64], out: &mut [f64]) {
        let (op, m, n, chunk) = (self.op, self.m, self.n, self.chunk);
        let job = |(l, (t, s)): (usize, (&mut [f64], &mut [f64]))| {
            op.apply_transpose(l, &w[l * m..(l + 1) * m], t, s)
        };
        if self.parallel {
            self.parts
                .par_chunks_mut(n)
                .zip(self.scratch.par_chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        } else {
            self.parts
                .chunks_mut(n)
                .zip(self.scratch.chunks_mut(chunk))
                .enumerate()
                .for_each(job);
        }
        out.copy_from_slice(&self.parts[..n]);
        for part in self.parts.chunks(n).skip(1) {
            for (o, t) in out.iter_mut().zip(part) {
                *o += t;
            }
        }
        self.applications += self.parts.len() / n;
    }
}
