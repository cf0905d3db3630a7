//! Training data in memory: dense X (n x d, faer) and targets (±1 labels or real values).
//! Reading files is the caller's business (the CLI densifies LIBSVM files with
//! `opal_problems::formats::libsvm::LibsvmData::to_dense`).

use faer::{Mat, MatRef};

use super::error::ReluError;

/// Classification (targets ±1) or regression (real targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Binary labels, given as ±1.
    Classification,
    /// Real targets.
    Regression,
}

/// A validated data set.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Features, n x d.
    pub x: Mat<f64>,
    /// Targets (±1 for classification).
    pub y: Vec<f64>,
}

impl Dataset {
    /// Checks sizes and finiteness (naming the first bad entry).
    pub fn new(x: Mat<f64>, y: Vec<f64>) -> Result<Self, ReluError> {
        check_xy(x.as_ref(), &y)?;
        Ok(Self { x, y })
    }

    /// A data set from `n` samples of `d` features stored row-major in `values` (entry
    /// (i, j) at `i * d + j`) and their targets; for [`Task::Classification`] the targets
    /// must be ±1.
    pub fn from_row_major(
        n: usize,
        d: usize,
        values: &[f64],
        y: Vec<f64>,
        task: Task,
    ) -> Result<Self, ReluError> {
        if values.len() != n * d {
            return Err(ReluError::Data(format!(
                "{} values for {n} samples of {d} features",
                values.len()
            )));
        }
        let ds = Self::new(Mat::from_fn(n, d, |i, j| values[i * d + j]), y)?;
        if task == Task::Classification {
            ds.check_binary()?;
        }
        Ok(ds)
    }

    /// The first `m` samples (all when `m >= n`).
    pub fn head(&self, m: usize) -> Self {
        let m = m.min(self.n());
        Self {
            x: self.x.as_ref().subrows(0, m).to_owned(),
            y: self.y[..m].to_vec(),
        }
    }

    /// Number of samples.
    pub fn n(&self) -> usize {
        self.x.nrows()
    }

    /// Number of features.
    pub fn d(&self) -> usize {
        self.x.ncols()
    }

    /// Checks that the targets are ±1 (classification input).
    pub fn check_binary(&self) -> Result<(), ReluError> {
        match self.y.iter().position(|&v| v != 1.0 && v != -1.0) {
            Some(i) => Err(ReluError::Data(format!(
                "label {} of sample {} is not ±1",
                self.y[i], i
            ))),
            None => Ok(()),
        }
    }
}

pub(crate) fn check_xy(x: MatRef<'_, f64>, y: &[f64]) -> Result<(), ReluError> {
    let (n, d) = (x.nrows(), x.ncols());
    if n == 0 || d == 0 {
        return Err(ReluError::Data(format!(
            "X is {n} x {d}: no samples or no features"
        )));
    }
    if y.len() != n {
        return Err(ReluError::Data(format!(
            "X has {n} rows but y has {} entries",
            y.len()
        )));
    }
    check_finite(x)?;
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(ReluError::Data(format!("target {i} is {}", y[i])));
    }
    Ok(())
}

pub(crate) fn check_finite(x: MatRef<'_, f64>) -> Result<(), ReluError> {
    for j in 0..x.ncols() {
        for i in 0..x.nrows() {
            if !x[(i, j)].is_finite() {
                return Err(ReluError::Data(format!(
                    "X[{i}, {j}] (sample {i}, feature {j}) is {}",
                    x[(i, j)]
                )));
            }
        }
    }
    Ok(())
}

/// X with a constant-one column appended when `bias` is set.
pub(crate) fn augment(x: MatRef<'_, f64>, bias: bool) -> Mat<f64> {
    if !bias {
        return x.to_owned();
    }
    let (n, d) = (x.nrows(), x.ncols());
    Mat::from_fn(n, d + 1, |i, j| if j < d { x[(i, j)] } else { 1.0 })
}

/// The l1 mask of augmented data: 1 on the features, 0 on the bias column (not perturbed).
pub(crate) fn feature_mask(d: usize, bias: bool) -> Vec<f64> {
    (0..d)
        .map(|k| if bias && k == d - 1 { 0.0 } else { 1.0 })
        .collect()
}
