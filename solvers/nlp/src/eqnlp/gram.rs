//! Lower-triangle compressed-column structure of a symmetric sum
//! `a_scale * H + g_scale * A^T A + shift * I` with fixed sparsity: used for the Hessian of
//! the augmented Lagrangian (H + mu J^T J), for J J^T (Jacobian regularity) and for
//! H + t I (Cholesky test of the Hessian modification).
//!
//! Every product A_kr A_kc of the Gram part gets a precomputed slot, so assembly is
//! O(#products) without allocation. The number of products is sum_k nnz(row k)^2 / 2,
//! which is fine unless A has long dense rows. [`GramCholesky`] factorizes such a sum
//! repeatedly with storage and workspace sized once.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::sparse::linalg::cholesky::{LltRef, SymbolicCholesky, factorize_symbolic_cholesky};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat};
use faer::{Conj, MatMut, Par, Side};
use opal_problems::SparsityPattern;

/// One product term: `out[slot] += factor * a[p] * a[q]`.
#[derive(Debug, Clone, Copy)]
struct Term {
    slot: usize,
    p: usize,
    q: usize,
    factor: f64,
}

/// Fixed structure of a symmetric sum of a lower-triangle pattern, a Gram product and a
/// diagonal.
pub(crate) struct Gram {
    symbolic: SymbolicSparseColMat<usize>,
    h_slot: Vec<usize>,
    terms: Vec<Term>,
    diag_slot: Vec<usize>,
    /// Assembled values (compressed-column, lower triangle).
    pub values: Vec<f64>,
}

impl Gram {
    /// Structure of `H + A^T A + I` where `h` is a lower-triangle pattern (dim x dim) and
    /// `a` is any pattern with `dim` columns; either may be absent.
    pub fn new(dim: usize, h: Option<&SparsityPattern>, a: Option<&SparsityPattern>) -> Self {
        let mut pos: Vec<(usize, usize)> = (0..dim).map(|i| (i, i)).collect();
        if let Some(h) = h {
            pos.extend(h.iter().map(|(r, c)| (r.max(c), r.min(c))));
        }
        // Entries of A grouped by row.
        let mut by_row: Vec<usize> = Vec::new();
        let mut row_start: Vec<usize> = Vec::new();
        if let Some(a) = a {
            by_row = (0..a.nnz()).collect();
            by_row.sort_by_key(|&k| (a.rows()[k], a.cols()[k]));
            row_start = vec![0; a.nrows() + 1];
            for &k in &by_row {
                row_start[a.rows()[k] + 1] += 1;
            }
            for i in 0..a.nrows() {
                row_start[i + 1] += row_start[i];
            }
            for i in 0..a.nrows() {
                let ks = &by_row[row_start[i]..row_start[i + 1]];
                for (x, &p) in ks.iter().enumerate() {
                    for &q in &ks[x..] {
                        let (cp, cq) = (a.cols()[p], a.cols()[q]);
                        pos.push((cp.max(cq), cp.min(cq)));
                    }
                }
            }
        }
        // Compressed columns: sort by (col, row).
        pos.sort_unstable_by_key(|&(r, c)| (c, r));
        pos.dedup();
        let mut col_ptr = vec![0usize; dim + 1];
        let mut row_idx = Vec::with_capacity(pos.len());
        for &(r, c) in &pos {
            col_ptr[c + 1] += 1;
            row_idx.push(r);
        }
        for j in 0..dim {
            col_ptr[j + 1] += col_ptr[j];
        }
        let find = |r: usize, c: usize| -> usize {
            let s = &row_idx[col_ptr[c]..col_ptr[c + 1]];
            col_ptr[c] + s.binary_search(&r).expect("entry in Gram structure")
        };
        let h_slot = h
            .map(|h| h.iter().map(|(r, c)| find(r.max(c), r.min(c))).collect())
            .unwrap_or_default();
        let mut terms = Vec::new();
        if let Some(a) = a {
            for i in 0..a.nrows() {
                let ks = &by_row[row_start[i]..row_start[i + 1]];
                for (x, &p) in ks.iter().enumerate() {
                    for &q in &ks[x..] {
                        let (cp, cq) = (a.cols()[p], a.cols()[q]);
                        // Off-diagonal pairs of one row hit (max, min) once; two distinct
                        // entries on the same column add 2 a_p a_q to the diagonal.
                        let factor = if p != q && cp == cq { 2.0 } else { 1.0 };
                        terms.push(Term {
                            slot: find(cp.max(cq), cp.min(cq)),
                            p,
                            q,
                            factor,
                        });
                    }
                }
            }
        }
        let diag_slot = (0..dim).map(|i| find(i, i)).collect();
        let values = vec![0.0; row_idx.len()];
        let symbolic = SymbolicSparseColMat::new_checked(dim, dim, col_ptr, None, row_idx);
        Self {
            symbolic,
            h_slot,
            terms,
            diag_slot,
            values,
        }
    }

    /// Assembles `h_scale * H + g_scale * A^T A + shift * I` into [`Self::values`].
    pub fn assemble(&mut self, hv: &[f64], h_scale: f64, av: &[f64], g_scale: f64, shift: f64) {
        self.values.fill(0.0);
        if h_scale != 0.0 {
            for (&s, &v) in self.h_slot.iter().zip(hv) {
                self.values[s] += h_scale * v;
            }
        }
        if g_scale != 0.0 {
            for t in &self.terms {
                self.values[t.slot] += g_scale * t.factor * av[t.p] * av[t.q];
            }
        }
        for &s in &self.diag_slot {
            self.values[s] += shift;
        }
    }

    /// faer view of the assembled lower triangle.
    pub fn as_faer(&self) -> SparseColMatRef<'_, usize, f64> {
        SparseColMatRef::new(self.symbolic.as_ref(), &self.values)
    }

    /// The structure (for symbolic factorizations).
    pub fn symbolic(&self) -> faer::sparse::SymbolicSparseColMatRef<'_, usize> {
        self.symbolic.as_ref()
    }

    /// The assembled diagonal entries, in column order.
    pub fn diagonal(&self) -> impl Iterator<Item = f64> + '_ {
        self.diag_slot.iter().map(|&s| self.values[s])
    }
}

/// A sparse Cholesky factorization of a [`Gram`] sum, refactorized numerically as often as
/// needed without allocating: the symbolic analysis, the factor's storage and the
/// workspace are made once (faer's `Llt::try_new_with_symbolic` allocates both per call;
/// this is the same computation on kept buffers). Sequential, like the KKT LU: the
/// results are the same bit for bit, and faer's rayon tasks allocate on every
/// factorization (about 190 allocations for a dense 300 x 300 Hessian).
pub(crate) struct GramCholesky {
    /// The matrix; assemble it, then [`GramCholesky::factor`].
    pub gram: Gram,
    symbolic: SymbolicCholesky<usize>,
    values: Vec<f64>,
    mem: MemBuffer,
    par: Par,
}

impl GramCholesky {
    /// Symbolic analysis of `gram`'s structure; `None` when it fails.
    pub fn new(gram: Gram) -> Option<Self> {
        let symbolic = factorize_symbolic_cholesky(
            gram.symbolic(),
            Side::Lower,
            Default::default(),
            Default::default(),
        )
        .ok()?;
        let par = Par::Seq;
        let req = symbolic
            .factorize_numeric_llt_scratch::<f64>(par, Default::default())
            .or(symbolic.solve_in_place_scratch::<f64>(1, par));
        let mem = MemBuffer::try_new(req).ok()?;
        let values = vec![0.0; symbolic.len_val()];
        Some(Self {
            gram,
            symbolic,
            values,
            mem,
            par,
        })
    }

    /// Numeric factorization of the assembled values; false when not positive definite.
    pub fn factor(&mut self) -> bool {
        self.values.fill(0.0);
        self.symbolic
            .factorize_numeric_llt(
                &mut self.values,
                self.gram.as_faer(),
                Side::Lower,
                Default::default(),
                self.par,
                MemStack::new(&mut self.mem),
                Default::default(),
            )
            .is_ok()
    }

    /// rhs = A^-1 rhs (after a successful [`GramCholesky::factor`]).
    pub fn solve_in_place(&mut self, rhs: MatMut<'_, f64>) {
        LltRef::new(&self.symbolic, &self.values).solve_in_place_with_conj(
            Conj::No,
            rhs,
            self.par,
            MemStack::new(&mut self.mem),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_dense_sum() {
        // A (3 x 3) with a duplicate entry at (0, 1); H lower triangle.
        let a = SparsityPattern::new(3, 3, vec![0, 0, 0, 1, 2, 2], vec![1, 0, 1, 2, 0, 2]);
        let av = [1.0, 2.0, 0.5, -1.0, 3.0, 4.0];
        let h = SparsityPattern::new(3, 3, vec![0, 2, 1], vec![0, 1, 1]);
        let hv = [1.0, -2.0, 5.0];
        let mut g = Gram::new(3, Some(&h), Some(&a));
        g.assemble(&hv, 2.0, &av, 0.5, 0.25);
        let ad = a.to_dense(&av);
        let hd = h.to_dense(&hv);
        let got = g.as_faer().to_dense();
        for r in 0..3 {
            for c in 0..=r {
                let mut want = 2.0 * (hd[r][c] + if r != c { hd[c][r] } else { 0.0 });
                if r == c {
                    want = 2.0 * hd[r][c] + 0.25;
                }
                want += 0.5 * (0..3).map(|k| ad[k][r] * ad[k][c]).sum::<f64>();
                assert!(
                    (got[(r, c)] - want).abs() < 1e-12,
                    "({r},{c}) {} vs {want}",
                    got[(r, c)]
                );
            }
        }
    }
}
