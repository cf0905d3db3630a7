//! The KKT matrix K = [[H, J^T], [J, 0]] in compressed sparse row form, with the
//! regularization of a factorization, diag(delta_w I, -delta_c I), kept apart
//! ([`Regularization`]): the same assembled values serve every regularization a KKT
//! solver tries.
//!
//! The structure (union of the Hessian pattern mirrored to both triangles, the full
//! diagonal, J and J^T) is built once; every entry of the problem's Hessian and Jacobian
//! patterns has a precomputed slot, so refreshing the values is O(nnz) with no allocation.
//! K is symmetric, so the same arrays are also its compressed-column form (used by faer).

use faer::sparse::{SparseColMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef};
use opal_problems::SparsityPattern;

/// The derivatives of one iterate that the Newton systems are built from: the Hessian of
/// the Lagrangian and the Jacobian, each as its pattern and values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Derivatives<'a> {
    /// Pattern of the lower triangle of the Hessian.
    pub hess: &'a SparsityPattern,
    /// Hessian values in the order of `hess`.
    pub hv: &'a [f64],
    /// Pattern of the Jacobian.
    pub jac: &'a SparsityPattern,
    /// Jacobian values in the order of `jac`.
    pub jv: &'a [f64],
}

impl<'a> Derivatives<'a> {
    /// Bundles the patterns and values.
    pub(crate) fn new(
        hess: &'a SparsityPattern,
        hv: &'a [f64],
        jac: &'a SparsityPattern,
        jv: &'a [f64],
    ) -> Self {
        Self { hess, hv, jac, jv }
    }
}

/// Sentinel for "no mirrored slot" (diagonal Hessian entries).
const NONE: usize = usize::MAX;

/// The diagonal regularization of one factorization: delta_w on the Hessian block and
/// -delta_c on the constraint block, K + diag(delta_w I_n, -delta_c I_m). The merit
/// methods use delta_w = the Hessian shift t (B = H + t I) and delta_c = the
/// regularization r of a rank-deficient Jacobian; an interior-point method uses the same
/// two numbers for its inertia correction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Regularization {
    /// Added to the diagonal of the Hessian block (>= 0).
    pub delta_w: f64,
    /// Subtracted from the diagonal of the constraint block (>= 0).
    pub delta_c: f64,
}

impl Regularization {
    /// delta_w on the Hessian block, -delta_c on the constraint block.
    pub fn new(delta_w: f64, delta_c: f64) -> Self {
        Self { delta_w, delta_c }
    }
}

/// KKT matrix with fixed structure and refreshable values.
#[derive(Debug, Clone)]
pub struct KktMatrix {
    n: usize,
    m: usize,
    row_ptr: Vec<usize>,
    col_idx: Vec<usize>,
    val: Vec<f64>,
    h_lo: Vec<usize>,
    h_up: Vec<usize>,
    j_lo: Vec<usize>,
    j_up: Vec<usize>,
    diag: Vec<usize>,
    symbolic: SymbolicSparseColMat<usize>,
}

impl KktMatrix {
    /// Builds the structure from the lower-triangle Hessian pattern and the Jacobian pattern.
    pub fn new(hess: &SparsityPattern, jac: &SparsityPattern) -> Self {
        let n = hess.nrows();
        let m = jac.nrows();
        let dim = n + m;
        let mut entries: Vec<(usize, usize)> =
            Vec::with_capacity(2 * hess.nnz() + 2 * jac.nnz() + dim);
        for (r, c) in hess.iter() {
            entries.push((r, c));
            entries.push((c, r));
        }
        for (i, j) in jac.iter() {
            entries.push((n + i, j));
            entries.push((j, n + i));
        }
        entries.extend((0..dim).map(|i| (i, i)));
        entries.sort_unstable();
        entries.dedup();
        let mut row_ptr = vec![0usize; dim + 1];
        let mut col_idx = Vec::with_capacity(entries.len());
        for &(r, c) in &entries {
            row_ptr[r + 1] += 1;
            col_idx.push(c);
        }
        for i in 0..dim {
            row_ptr[i + 1] += row_ptr[i];
        }
        let find = |r: usize, c: usize| -> usize {
            let s = &col_idx[row_ptr[r]..row_ptr[r + 1]];
            row_ptr[r] + s.binary_search(&c).expect("entry in KKT structure")
        };
        let h_lo: Vec<usize> = hess.iter().map(|(r, c)| find(r, c)).collect();
        let h_up: Vec<usize> = hess
            .iter()
            .map(|(r, c)| if r == c { NONE } else { find(c, r) })
            .collect();
        let j_lo: Vec<usize> = jac.iter().map(|(i, j)| find(n + i, j)).collect();
        let j_up: Vec<usize> = jac.iter().map(|(i, j)| find(j, n + i)).collect();
        let diag: Vec<usize> = (0..dim).map(|i| find(i, i)).collect();
        let symbolic =
            SymbolicSparseColMat::new_checked(dim, dim, row_ptr.clone(), None, col_idx.clone());
        let val = vec![0.0; col_idx.len()];
        Self {
            n,
            m,
            row_ptr,
            col_idx,
            val,
            h_lo,
            h_up,
            j_lo,
            j_up,
            diag,
            symbolic,
        }
    }

    /// Number of variables n (order of the Hessian block).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of constraints m (order of the constraint block).
    pub fn m(&self) -> usize {
        self.m
    }

    /// Order n + m.
    pub fn dim(&self) -> usize {
        self.n + self.m
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.col_idx.len()
    }

    /// Row pointers (length n + m + 1) of the row-compressed structure.
    pub fn row_ptr(&self) -> &[usize] {
        &self.row_ptr
    }

    /// Column indices, sorted within each row.
    pub fn col_idx(&self) -> &[usize] {
        &self.col_idx
    }

    /// The unregularized values, in structure order.
    pub fn values(&self) -> &[f64] {
        &self.val
    }

    /// The structure as faer's compressed columns (equal to the rows by symmetry).
    pub fn symbolic(&self) -> SymbolicSparseColMatRef<'_, usize> {
        self.symbolic.as_ref()
    }

    /// Refreshes the values from the Hessian (lower-triangle pattern order) and the
    /// Jacobian (pattern order); duplicates are summed.
    pub fn assemble(&mut self, hv: &[f64], jv: &[f64]) {
        self.val.fill(0.0);
        for (k, &v) in hv.iter().enumerate() {
            self.val[self.h_lo[k]] += v;
            if self.h_up[k] != NONE {
                self.val[self.h_up[k]] += v;
            }
        }
        for (k, &v) in jv.iter().enumerate() {
            self.val[self.j_lo[k]] += v;
            self.val[self.j_up[k]] += v;
        }
    }

    /// Writes the values of K + diag(delta_w I, -delta_c I) into `out` (length
    /// [`Self::nnz`]).
    pub fn regularized_values(&self, reg: Regularization, out: &mut [f64]) {
        out.copy_from_slice(&self.val);
        for i in 0..self.n {
            out[self.diag[i]] += reg.delta_w;
        }
        for i in self.n..self.dim() {
            out[self.diag[i]] -= reg.delta_c;
        }
    }

    /// out = K v for the values `val` on this structure (from [`Self::values`] or
    /// [`Self::regularized_values`]).
    pub fn matvec_with(&self, val: &[f64], v: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let mut s = 0.0;
            for p in self.row_ptr[i]..self.row_ptr[i + 1] {
                s += val[p] * v[self.col_idx[p]];
            }
            *o = s;
        }
    }

    /// (||B||_F, ||J||_F, ||K||_F) of the regularized matrix, B = H + delta_w I.
    pub fn norms(&self, reg: Regularization) -> (f64, f64, f64) {
        let (mut b, mut j, mut total) = (0.0, 0.0, 0.0);
        for i in 0..self.dim() {
            for p in self.row_ptr[i]..self.row_ptr[i + 1] {
                let c = self.col_idx[p];
                let v = self.regularized(i, c, p, reg);
                let v2 = v * v;
                if i < self.n && c < self.n {
                    b += v2;
                } else if i >= self.n && c < self.n {
                    j += v2;
                }
                total += v2;
            }
        }
        (b.sqrt(), j.sqrt(), total.sqrt())
    }

    /// Value of slot `p` (row `i`, column `c`) with the regularization added.
    #[inline]
    fn regularized(&self, i: usize, c: usize, p: usize, reg: Regularization) -> f64 {
        match (i == c, i < self.n) {
            (true, true) => self.val[p] + reg.delta_w,
            (true, false) => self.val[p] - reg.delta_c,
            _ => self.val[p],
        }
    }

    /// faer view of the unregularized values (compressed columns).
    pub fn as_faer(&self) -> SparseColMatRef<'_, usize, f64> {
        SparseColMatRef::new(self.symbolic.as_ref(), &self.val)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembles_the_saddle_point_matrix() {
        // H = [[2, 1], [1, 3]] (lower, with a duplicate on (1,1)), J = [[1, -1]].
        let h = SparsityPattern::new(2, 2, vec![0, 1, 1, 1], vec![0, 0, 1, 1]);
        let j = SparsityPattern::new(1, 2, vec![0, 0], vec![0, 1]);
        let mut k = KktMatrix::new(&h, &j);
        k.assemble(&[2.0, 1.0, 1.0, 2.0], &[1.0, -1.0]);
        let reg = Regularization::new(0.5, 0.25);
        let mut val = vec![0.0; k.nnz()];
        k.regularized_values(reg, &mut val);
        let want = [[2.5, 1.0, 1.0], [1.0, 3.5, -1.0], [1.0, -1.0, -0.25]];
        let dense = SparseColMatRef::new(k.symbolic(), &val).to_dense();
        for i in 0..3 {
            for c in 0..3 {
                assert_eq!(dense[(i, c)], want[i][c], "({i},{c})");
            }
        }
        let mut out = [0.0; 3];
        k.matvec_with(&val, &[1.0, 2.0, 3.0], &mut out);
        assert_eq!(out, [7.5, 5.0, -1.75]);
        let (b, jn, kn) = k.norms(reg);
        assert!((b * b - (2.5f64.powi(2) + 2.0 + 3.5f64.powi(2))).abs() < 1e-12);
        assert!((jn * jn - 2.0).abs() < 1e-12);
        assert!((kn * kn - (b * b + 2.0 * jn * jn + 0.0625)).abs() < 1e-12);
    }
}
