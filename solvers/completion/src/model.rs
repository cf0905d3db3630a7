//! The fitted model X_ij = mu + b_i + c_j + u_i^T v_j (biases zero when not fitted): its
//! factors, its predictions and the sums of squares the driver reports.

use rayon::prelude::*;

use super::data::{Entry, Observations};
use super::dense::dot;

/// The model's shape: rank, whether biases are fitted, and the global mean mu.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    /// Rank k.
    pub k: usize,
    /// Whether mu and the biases are part of the model.
    pub biases: bool,
    /// Global mean mu (0 without biases).
    pub mean: f64,
}

impl Model {
    /// Unknowns of one regression: k, plus the bias.
    pub fn unknowns(&self) -> usize {
        self.k + usize::from(self.biases)
    }
}

/// The factors U (m x k) and V (n x k), row-major, and the biases.
#[derive(Debug, Clone, PartialEq)]
pub struct Factors {
    /// U, row-major m x k.
    pub u: Vec<f64>,
    /// V, row-major n x k.
    pub v: Vec<f64>,
    /// Row biases b.
    pub row_bias: Vec<f64>,
    /// Column biases c.
    pub col_bias: Vec<f64>,
}

impl Factors {
    /// Copies `other` (of the same shape) into `self` without allocating.
    pub fn copy_from(&mut self, other: &Factors) {
        self.u.copy_from_slice(&other.u);
        self.v.copy_from_slice(&other.v);
        self.row_bias.copy_from_slice(&other.row_bias);
        self.col_bias.copy_from_slice(&other.col_bias);
    }

    /// X_ij under `model`.
    #[inline]
    pub fn predict(&self, model: &Model, i: usize, j: usize) -> f64 {
        let k = model.k;
        let mut pred = dot(&self.u[i * k..(i + 1) * k], &self.v[j * k..(j + 1) * k]);
        if model.biases {
            pred += model.mean + self.row_bias[i] + self.col_bias[j];
        }
        pred
    }

    /// Residual sum of squares over all entries of `obs` (per-row partial sums in
    /// `scratch`, added in a fixed order so the result does not depend on the thread
    /// count).
    pub fn rss(&self, model: &Model, obs: &Observations, scratch: &mut [f64]) -> f64 {
        scratch.par_iter_mut().enumerate().for_each(|(i, s)| {
            let mut acc = 0.0;
            for p in obs.row_ptr[i]..obs.row_ptr[i + 1] {
                let r = obs.row_val[p] - self.predict(model, i, obs.row_col[p] as usize);
                acc += r * r;
            }
            *s = acc;
        });
        scratch.iter().sum()
    }

    /// Residual sum of squares on the held-out entries (`scratch` as long as `held`).
    pub fn heldout_rss(&self, model: &Model, held: &[Entry], scratch: &mut [f64]) -> f64 {
        scratch.par_iter_mut().zip(held).for_each(|(s, e)| {
            let r = e.value - self.predict(model, e.row as usize, e.col as usize);
            *s = r * r;
        });
        scratch.iter().sum()
    }

    /// The ridge terms sum_i w_i (||u_i||^2 + b_i^2) + sum_j w_j (||v_j||^2 + c_j^2), w = 1
    /// or the entry count of the row / column in `obs` when `weighted`.
    pub fn penalty(&self, model: &Model, obs: &Observations, weighted: bool) -> f64 {
        let rows = weighted.then_some(&obs.row_ptr[..]);
        let cols = weighted.then_some(&obs.col_ptr[..]);
        penalty(&self.u, &self.row_bias, model, rows)
            + penalty(&self.v, &self.col_bias, model, cols)
    }
}

/// Ridge penalty of one factor: sum over rows of w_i (||f_i||^2 + bias_i^2), w_i = 1 or the
/// row's entry count (from `ptr`) when weighted.
fn penalty(f: &[f64], bias: &[f64], model: &Model, ptr: Option<&[usize]>) -> f64 {
    f.chunks_exact(model.k)
        .enumerate()
        .map(|(i, row)| {
            let w = ptr.map_or(1.0, |p| (p[i + 1] - p[i]) as f64);
            w * (dot(row, row) + if model.biases { bias[i] * bias[i] } else { 0.0 })
        })
        .sum()
}

/// A row-major `rows x k` matrix in column-major order.
pub fn to_col_major(a: &[f64], rows: usize, k: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows * k];
    for i in 0..rows {
        for c in 0..k {
            out[i + c * rows] = a[i * k + c];
        }
    }
    out
}
