//! Training data: dense X (n x d, faer) and targets (±1 labels or real values).

use faer::Mat;
use opal_problems::formats::libsvm::{LabelMap, LibsvmData};

use super::error::ReluError;

/// Classification (labels mapped to ±1) or regression (targets as given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Binary labels, mapped to ±1.
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
    /// How file labels became ±1, when read from LIBSVM for classification.
    pub label_map: Option<LabelMap>,
}

impl Dataset {
    /// Checks sizes and finiteness (naming the first bad entry).
    pub fn new(x: Mat<f64>, y: Vec<f64>) -> Result<Self, ReluError> {
        check_xy(&x, &y)?;
        Ok(Self {
            x,
            y,
            label_map: None,
        })
    }

    /// Densifies a LIBSVM data set; `n_features` widens X (e.g. to line a test set up with
    /// its training set). Classification maps the two label values to ±1 and records how.
    pub fn from_libsvm(
        data: &LibsvmData,
        task: Task,
        n_features: Option<usize>,
    ) -> Result<Self, ReluError> {
        let d = n_features.unwrap_or(data.n_features).max(data.n_features);
        let n = data.n_samples();
        let mut x = Mat::<f64>::zeros(n, d);
        for i in 0..n {
            let (idx, val) = data.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                x[(i, j)] = v;
            }
        }
        let (y, label_map) = match task {
            Task::Classification => {
                let (y, map) = data.binary_labels().map_err(ReluError::Data)?;
                (y, Some(map))
            }
            Task::Regression => (data.labels.clone(), None),
        };
        check_xy(&x, &y)?;
        Ok(Self { x, y, label_map })
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

pub(crate) fn check_xy(x: &Mat<f64>, y: &[f64]) -> Result<(), ReluError> {
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

pub(crate) fn check_finite(x: &Mat<f64>) -> Result<(), ReluError> {
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
pub(crate) fn augment(x: &Mat<f64>, bias: bool) -> Mat<f64> {
    if !bias {
        return x.clone();
    }
    let (n, d) = (x.nrows(), x.ncols());
    Mat::from_fn(n, d + 1, |i, j| if j < d { x[(i, j)] } else { 1.0 })
}
