//! Sensing operators y_l = A_l x (one m x n operator per snapshot l): the trait the solvers
//! use, and dense matrices stored contiguously (faer views of one buffer).

use faer::linalg::matmul::matmul;
use faer::{Accum, ColMut, ColRef, Mat, MatRef, Par};

use super::error::CalibrationError;

/// The shape of a family of sensing maps: p maps A_l of m x n.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Signal length n.
    pub n: usize,
    /// Number of sensors m (rows of each A_l).
    pub m: usize,
    /// Number of snapshots p.
    pub p: usize,
}

impl Shape {
    /// A shape with n, m and p all positive.
    pub fn new(n: usize, m: usize, p: usize) -> Result<Self, CalibrationError> {
        if n == 0 || m == 0 || p == 0 {
            return Err(CalibrationError::Shape(format!(
                "n, m and p must be positive (got n = {n}, m = {m}, p = {p})"
            )));
        }
        Ok(Self { n, m, p })
    }
}

/// A family of p linear maps A_l : R^n -> R^m, applied with a caller-provided scratch
/// buffer of `scratch_len()` entries so that the solvers never allocate in their loops.
///
/// Implementations must be deterministic and thread-safe: the solvers call different
/// snapshots concurrently (each with its own scratch buffer).
pub trait SensingOperator: Sync {
    /// The shape: signal length, sensors, snapshots.
    fn shape(&self) -> Shape;
    /// Signal length n.
    fn signal_len(&self) -> usize {
        self.shape().n
    }
    /// Number of sensors m (rows of each A_l).
    fn sensors(&self) -> usize {
        self.shape().m
    }
    /// Number of snapshots p.
    fn snapshots(&self) -> usize {
        self.shape().p
    }
    /// Length of the scratch buffer `apply` and `apply_transpose` need (default 0).
    fn scratch_len(&self) -> usize {
        0
    }
    /// out = A_l x (x of length n, out of length m).
    fn apply(&self, l: usize, x: &[f64], out: &mut [f64], scratch: &mut [f64]);
    /// out = A_l^T y (y of length m, out of length n).
    fn apply_transpose(&self, l: usize, y: &[f64], out: &mut [f64], scratch: &mut [f64]);
    /// A view of A_l as a dense m x n matrix when the operator stores one (default: none).
    fn dense_block(&self, l: usize) -> Option<MatRef<'_, f64>> {
        let _ = l;
        None
    }
    /// A_l as a dense m x n matrix: the stored block, or A_l applied to the unit vectors.
    fn to_dense(&self, l: usize) -> Mat<f64> {
        if let Some(block) = self.dense_block(l) {
            return block.to_owned();
        }
        let (n, m) = (self.signal_len(), self.sensors());
        let mut out = Mat::zeros(m, n);
        let mut e = vec![0.0; n];
        let mut col = vec![0.0; m];
        let mut scratch = vec![0.0; self.scratch_len()];
        for j in 0..n {
            e[j] = 1.0;
            self.apply(l, &e, &mut col, &mut scratch);
            e[j] = 0.0;
            for i in 0..m {
                out[(i, j)] = col[i];
            }
        }
        out
    }
}

/// Noiseless measurements y_l = diag(d) A_l x of signal `x` under gains `d`, p blocks of m
/// (the layout [`Problem`](crate::Problem) takes).
pub fn measure(op: &dyn SensingOperator, x: &[f64], d: &[f64]) -> Vec<f64> {
    let (m, p) = (op.sensors(), op.snapshots());
    let mut y = vec![0.0; m * p];
    let mut scratch = vec![0.0; op.scratch_len()];
    for (l, yl) in y.chunks_exact_mut(m).enumerate() {
        op.apply(l, x, yl, &mut scratch);
        for (v, di) in yl.iter_mut().zip(d) {
            *v *= di;
        }
    }
    y
}

/// How the p dense blocks are laid out in one buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Block l at offset l m n, column-major m x n (the generator's layout).
    ColumnMajor,
    /// Block l at offset l m n, row-major m x n (a C-ordered (p, m, n) array, as NumPy).
    RowMajor,
}

/// Dense sensing matrices A_1..A_p held in one contiguous buffer.
#[derive(Debug, Clone)]
pub struct DenseOperator {
    shape: Shape,
    layout: Layout,
    data: Vec<f64>,
}

impl DenseOperator {
    /// Takes ownership of `data` (p m n entries in `layout`), checking the size and that
    /// every entry is finite.
    pub fn new(
        n: usize,
        m: usize,
        p: usize,
        layout: Layout,
        data: Vec<f64>,
    ) -> Result<Self, CalibrationError> {
        let shape = Shape::new(n, m, p)?;
        let len = n
            .checked_mul(m)
            .and_then(|v| v.checked_mul(p))
            .ok_or_else(|| CalibrationError::Shape("p m n overflows".into()))?;
        CalibrationError::check_len("sensing matrices", len, data.len())?;
        CalibrationError::check_finite("sensing matrices", &data)?;
        Ok(Self {
            shape,
            layout,
            data,
        })
    }

    /// Copies p matrices of equal shape m x n.
    pub fn from_blocks(blocks: &[MatRef<'_, f64>]) -> Result<Self, CalibrationError> {
        let first = blocks
            .first()
            .ok_or_else(|| CalibrationError::Shape("no sensing matrix given".into()))?;
        let (m, n) = (first.nrows(), first.ncols());
        let mut data = Vec::with_capacity(blocks.len() * m * n);
        for b in blocks {
            CalibrationError::check_len("rows of a sensing matrix", m, b.nrows())?;
            CalibrationError::check_len("columns of a sensing matrix", n, b.ncols())?;
            for j in 0..n {
                for i in 0..m {
                    data.push(b[(i, j)]);
                }
            }
        }
        Self::new(n, m, blocks.len(), Layout::ColumnMajor, data)
    }

    /// The sensing matrices of a generated instance (copied).
    pub fn from_instance(
        inst: &opal_problems::generators::calibration::CalibrationInstance,
    ) -> Result<Self, CalibrationError> {
        Self::new(inst.n, inst.m, inst.p, Layout::ColumnMajor, inst.a.clone())
    }

    /// A_l as an m x n view.
    pub fn block(&self, l: usize) -> MatRef<'_, f64> {
        let Shape { n, m, .. } = self.shape;
        let sz = m * n;
        let slice = &self.data[l * sz..(l + 1) * sz];
        match self.layout {
            Layout::ColumnMajor => MatRef::from_column_major_slice(slice, m, n),
            Layout::RowMajor => MatRef::from_row_major_slice(slice, m, n),
        }
    }
}

impl SensingOperator for DenseOperator {
    fn shape(&self) -> Shape {
        self.shape
    }
    fn apply(&self, l: usize, x: &[f64], out: &mut [f64], _scratch: &mut [f64]) {
        matmul(
            ColMut::from_slice_mut(out).as_mat_mut(),
            Accum::Replace,
            self.block(l),
            ColRef::from_slice(x).as_mat(),
            1.0,
            Par::Seq,
        );
    }
    fn apply_transpose(&self, l: usize, y: &[f64], out: &mut [f64], _scratch: &mut [f64]) {
        matmul(
            ColMut::from_slice_mut(out).as_mat_mut(),
            Accum::Replace,
            self.block(l).transpose(),
            ColRef::from_slice(y).as_mat(),
            1.0,
            Par::Seq,
        );
    }
    fn dense_block(&self, l: usize) -> Option<MatRef<'_, f64>> {
        Some(self.block(l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_agree_and_apply_matches_loops() {
        let (n, m, p) = (5, 3, 2);
        let col: Vec<f64> = (0..n * m * p).map(|k| (k as f64 * 0.37).sin()).collect();
        let a = DenseOperator::new(n, m, p, Layout::ColumnMajor, col.clone()).unwrap();
        // The same matrices written row-major.
        let mut row = vec![0.0; col.len()];
        for l in 0..p {
            for i in 0..m {
                for j in 0..n {
                    row[l * m * n + i * n + j] = col[l * m * n + i + j * m];
                }
            }
        }
        let b = DenseOperator::new(n, m, p, Layout::RowMajor, row).unwrap();
        let x: Vec<f64> = (0..n).map(|j| 1.0 + j as f64).collect();
        let y: Vec<f64> = (0..m).map(|i| 2.0 - i as f64).collect();
        for l in 0..p {
            let mut ax = vec![0.0; m];
            let mut bx = vec![0.0; m];
            a.apply(l, &x, &mut ax, &mut []);
            b.apply(l, &x, &mut bx, &mut []);
            for i in 0..m {
                let want: f64 = (0..n).map(|j| col[l * m * n + i + j * m] * x[j]).sum();
                assert!((ax[i] - want).abs() < 1e-12 && (bx[i] - want).abs() < 1e-12);
            }
            let mut aty = vec![0.0; n];
            let mut bty = vec![0.0; n];
            a.apply_transpose(l, &y, &mut aty, &mut []);
            b.apply_transpose(l, &y, &mut bty, &mut []);
            for j in 0..n {
                let want: f64 = (0..m).map(|i| col[l * m * n + i + j * m] * y[i]).sum();
                assert!((aty[j] - want).abs() < 1e-12 && (bty[j] - want).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn rejects_bad_buffers() {
        assert!(matches!(
            DenseOperator::new(2, 2, 2, Layout::ColumnMajor, vec![0.0; 7]),
            Err(CalibrationError::Dimension { .. })
        ));
        let mut data = vec![0.0; 8];
        data[5] = f64::NAN;
        assert!(matches!(
            DenseOperator::new(2, 2, 2, Layout::ColumnMajor, data),
            Err(CalibrationError::NonFinite { index: 5, .. })
        ));
        assert!(DenseOperator::new(0, 2, 2, Layout::ColumnMajor, vec![]).is_err());
    }
}
