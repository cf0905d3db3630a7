//! Convex ReLU data helpers shared by `relu_bench` and the harness's relu suite: LIBSVM
//! files as datasets, and the export of X, y and the sampled gates as text so that the
//! Python anchors (CVXPY + SCS / Clarabel, scnn) solve the same program on the same gates.

use std::path::Path;

use faer::Mat;
use opal_problems::formats::libsvm::read_libsvm;
use opal_relu::{Dataset, Settings, Task, sample_gates};
use serde::Serialize;

/// A LIBSVM file as a dense dataset: labels mapped to ±1 for classification, kept for
/// regression; X widened to `n_features` columns when given.
pub fn read_dataset(path: &Path, n_features: Option<usize>, task: Task) -> Result<Dataset, String> {
    let raw = read_libsvm(path, n_features).map_err(|e| format!("{}: {e}", path.display()))?;
    let y = match task {
        Task::Classification => raw.binary_labels()?.0,
        Task::Regression => raw.labels.clone(),
    };
    let (x, d) = raw.to_dense(n_features);
    Dataset::from_row_major(raw.n_samples(), d, &x, y, task).map_err(|e| e.to_string())
}

/// X as the solver sees it: with a trailing ones column when fitting an intercept.
pub fn design(ds: &Dataset, fit_intercept: bool) -> Mat<f64> {
    if fit_intercept {
        Mat::from_fn(ds.n(), ds.d() + 1, |i, j| {
            if j < ds.d() { ds.x[(i, j)] } else { 1.0 }
        })
    } else {
        ds.x.clone()
    }
}

/// A matrix as text, one row a line, values in round-trip form.
pub fn write_mat(path: &Path, m: &Mat<f64>) -> Result<(), String> {
    let mut s = String::new();
    for i in 0..m.nrows() {
        let row: Vec<String> = (0..m.ncols())
            .map(|j| format!("{:.17e}", m[(i, j)]))
            .collect();
        s.push_str(&row.join(" "));
        s.push('\n');
    }
    std::fs::write(path, s).map_err(|e| format!("{}: {e}", path.display()))
}

/// What [`export_gates`] wrote: sizes and the gate counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExportedGates {
    /// Samples.
    pub n: usize,
    /// Columns of X (features, plus one with an intercept).
    pub d: usize,
    /// Gates kept (distinct, nonzero patterns).
    pub kept: usize,
    /// Gates sampled.
    pub sampled: usize,
    /// Duplicate patterns dropped.
    pub dup: usize,
    /// All-zero patterns dropped.
    pub zero: usize,
}

/// Writes `X.txt`, `y.txt`, `G.txt` (gate vectors, d x P) and `D.txt` (patterns, n x P) of
/// the gates `settings` samples (its pattern count, seed and intercept) into `dir`.
pub fn export_gates(
    ds: &Dataset,
    settings: &Settings,
    dir: &Path,
) -> Result<ExportedGates, String> {
    let x = design(ds, settings.fit_intercept);
    let g = sample_gates(x.as_ref(), settings.n_patterns, settings.seed);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write_mat(&dir.join("X.txt"), &x)?;
    write_mat(&dir.join("y.txt"), &Mat::from_fn(ds.n(), 1, |i, _| ds.y[i]))?;
    write_mat(&dir.join("G.txt"), &g.g)?;
    write_mat(&dir.join("D.txt"), &g.patterns)?;
    Ok(ExportedGates {
        n: x.nrows(),
        d: x.ncols(),
        kept: g.len(),
        sampled: g.sampled,
        dup: g.dropped_duplicate,
        zero: g.dropped_zero,
    })
}
