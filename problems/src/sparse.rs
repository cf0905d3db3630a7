//! Sparse structures shared by problems and solvers.
//!
//! A problem reports the sparsity of its Jacobian and Hessian once, as a [`SparsityPattern`]
//! (coordinate form, fixed entry order), and fills value arrays in that order at every point.
//! [`CscAssembler`] turns such a pattern into faer's compressed-column form once and then
//! scatters values into it without allocating, so solvers can refactorize cheaply.

use faer::sparse::{SparseColMat, SparseColMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef};

/// Coordinate sparsity structure: entry `k` sits at `(rows[k], cols[k])`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SparsityPattern {
    nrows: usize,
    ncols: usize,
    rows: Vec<usize>,
    cols: Vec<usize>,
}

impl SparsityPattern {
    /// Builds a pattern; panics only on a programming error (index out of range, length mismatch).
    pub fn new(nrows: usize, ncols: usize, rows: Vec<usize>, cols: Vec<usize>) -> Self {
        assert_eq!(rows.len(), cols.len(), "pattern row/col lengths differ");
        assert!(
            rows.iter().all(|&r| r < nrows),
            "pattern row index out of range"
        );
        assert!(
            cols.iter().all(|&c| c < ncols),
            "pattern column index out of range"
        );
        Self {
            nrows,
            ncols,
            rows,
            cols,
        }
    }

    /// An empty pattern of the given shape.
    pub fn empty(nrows: usize, ncols: usize) -> Self {
        Self::new(nrows, ncols, Vec::new(), Vec::new())
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }
    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }
    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.rows.len()
    }
    /// Row index of every entry.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }
    /// Column index of every entry.
    pub fn cols(&self) -> &[usize] {
        &self.cols
    }
    /// Iterates over `(row, col)` of every entry.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.rows.iter().copied().zip(self.cols.iter().copied())
    }

    /// `out = A v` (or `out += A v` with `accumulate`), A given by this pattern and `values`.
    pub fn matvec(&self, values: &[f64], v: &[f64], out: &mut [f64], accumulate: bool) {
        if !accumulate {
            out.fill(0.0);
        }
        for ((&r, &c), &a) in self.rows.iter().zip(&self.cols).zip(values) {
            out[r] += a * v[c];
        }
    }

    /// `out = A^T v` (or `out += A^T v` with `accumulate`).
    pub fn matvec_transpose(&self, values: &[f64], v: &[f64], out: &mut [f64], accumulate: bool) {
        if !accumulate {
            out.fill(0.0);
        }
        for ((&r, &c), &a) in self.rows.iter().zip(&self.cols).zip(values) {
            out[c] += a * v[r];
        }
    }

    /// `out = S v` for the symmetric matrix S whose lower (or upper) triangle this pattern
    /// stores: off-diagonal entries act on both sides.
    pub fn symmetric_matvec(&self, values: &[f64], v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for ((&r, &c), &a) in self.rows.iter().zip(&self.cols).zip(values) {
            out[r] += a * v[c];
            if r != c {
                out[c] += a * v[r];
            }
        }
    }

    /// Triplets `(row, col, value)` of this pattern with `values`.
    pub fn triplets<'a>(
        &'a self,
        values: &'a [f64],
    ) -> impl Iterator<Item = (usize, usize, f64)> + 'a {
        self.iter().zip(values).map(|((r, c), &v)| (r, c, v))
    }

    /// The transposed pattern (same entry order).
    pub fn transpose(&self) -> Self {
        Self::new(self.ncols, self.nrows, self.cols.clone(), self.rows.clone())
    }

    /// Builds the compressed-column assembler for this pattern (duplicates are summed).
    pub fn csc_assembler(&self) -> CscAssembler {
        CscAssembler::new(self)
    }

    /// Allocating conversion to a faer compressed-column matrix.
    pub fn to_faer(&self, values: &[f64]) -> SparseColMat<usize, f64> {
        self.csc_assembler().to_owned(values)
    }

    /// Dense row-major copy (for small problems, tests and reports).
    pub fn to_dense(&self, values: &[f64]) -> Vec<Vec<f64>> {
        let mut d = vec![vec![0.0; self.ncols]; self.nrows];
        for (r, c, v) in self.triplets(values) {
            d[r][c] += v;
        }
        d
    }
}

/// Compressed-column structure of a [`SparsityPattern`] plus the slot of every entry,
/// computed once; [`CscAssembler::assemble`] then fills values in O(nnz) with no allocation.
#[derive(Debug, Clone)]
pub struct CscAssembler {
    symbolic: SymbolicSparseColMat<usize>,
    slot: Vec<usize>,
}

impl CscAssembler {
    /// Sorts the pattern by column then row and merges duplicate positions.
    pub fn new(pattern: &SparsityPattern) -> Self {
        let nnz = pattern.nnz();
        let mut order: Vec<usize> = (0..nnz).collect();
        order.sort_unstable_by_key(|&k| (pattern.cols[k], pattern.rows[k]));
        let mut col_ptr = vec![0usize; pattern.ncols + 1];
        let mut row_idx = Vec::with_capacity(nnz);
        let mut slot = vec![0usize; nnz];
        let mut last: Option<(usize, usize)> = None;
        for &k in &order {
            let pos = (pattern.cols[k], pattern.rows[k]);
            if last != Some(pos) {
                row_idx.push(pos.1);
                col_ptr[pos.0 + 1] += 1;
                last = Some(pos);
            }
            slot[k] = row_idx.len() - 1;
        }
        for j in 0..pattern.ncols {
            col_ptr[j + 1] += col_ptr[j];
        }
        let symbolic =
            SymbolicSparseColMat::new_checked(pattern.nrows, pattern.ncols, col_ptr, None, row_idx);
        Self { symbolic, slot }
    }

    /// Number of distinct stored positions.
    pub fn nnz(&self) -> usize {
        self.symbolic.row_idx().len()
    }

    /// The compressed-column structure.
    pub fn symbolic(&self) -> SymbolicSparseColMatRef<'_, usize> {
        self.symbolic.as_ref()
    }

    /// Scatters pattern-ordered `values` into `csc_values` (length [`Self::nnz`]).
    pub fn assemble(&self, values: &[f64], csc_values: &mut [f64]) {
        csc_values.fill(0.0);
        for (&s, &v) in self.slot.iter().zip(values) {
            csc_values[s] += v;
        }
    }

    /// A faer view over already assembled values.
    pub fn view<'a>(&'a self, csc_values: &'a [f64]) -> SparseColMatRef<'a, usize, f64> {
        SparseColMatRef::new(self.symbolic.as_ref(), csc_values)
    }

    /// Assembles into a freshly allocated faer matrix.
    pub fn to_owned(&self, values: &[f64]) -> SparseColMat<usize, f64> {
        let mut csc = vec![0.0; self.nnz()];
        self.assemble(values, &mut csc);
        SparseColMat::new(self.symbolic.clone(), csc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembler_sums_duplicates_and_matches_dense() {
        let p = SparsityPattern::new(3, 2, vec![2, 0, 2, 1], vec![1, 0, 1, 1]);
        let vals = [1.0, 2.0, 3.0, 4.0];
        let a = p.to_faer(&vals);
        assert_eq!(a.compute_nnz(), 3);
        let dense = p.to_dense(&vals);
        assert_eq!(dense, vec![vec![2.0, 0.0], vec![0.0, 4.0], vec![0.0, 4.0]]);
        let fd = a.to_dense();
        for i in 0..3 {
            for j in 0..2 {
                assert_eq!(fd[(i, j)], dense[i][j]);
            }
        }
    }

    #[test]
    fn symmetric_matvec_uses_both_triangles() {
        // S = [[2, 1], [1, 3]] stored as lower triangle.
        let p = SparsityPattern::new(2, 2, vec![0, 1, 1], vec![0, 0, 1]);
        let mut out = [0.0; 2];
        p.symmetric_matvec(&[2.0, 1.0, 3.0], &[1.0, -1.0], &mut out);
        assert_eq!(out, [1.0, -2.0]);
    }

    #[test]
    fn transpose_products_agree() {
        let p = SparsityPattern::new(2, 3, vec![0, 1, 1], vec![2, 0, 1]);
        let vals = [1.5, -2.0, 0.5];
        let v = [1.0, 2.0, 3.0];
        let w = [0.5, -1.0];
        let mut av = [0.0; 2];
        p.matvec(&vals, &v, &mut av, false);
        let mut atw = [0.0; 3];
        p.matvec_transpose(&vals, &w, &mut atw, false);
        let lhs: f64 = av.iter().zip(&w).map(|(a, b)| a * b).sum();
        let rhs: f64 = atw.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-14);
    }
}
