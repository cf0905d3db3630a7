//! The primal-dual (augmented) system of the interior point, assembled once as a pattern:
//!
//! ```text
//! [ W + Sigma + delta_w I     A^T       ] [dw]   [ r_w ]
//! [ A                      -delta_c I   ] [dy] = [ r_y ]
//! ```
//!
//! stored as the lower triangle of an (nw + m) x (nw + m) symmetric matrix in coordinate
//! order [Hessian entries, w diagonal, Jacobian entries, y diagonal] (duplicates summed by
//! the compressed-column assembler). Values are refilled in place every iteration.

use faer::sparse::SparseColMatRef;
use opal_problems::{CscAssembler, SparsityPattern};

use crate::eqnlp::Regularization;

/// The augmented system's pattern and current values (without the regularization of a
/// factorization: a [`KktSolver`](crate::eqnlp::KktSolver) adds delta_w and -delta_c
/// through [`KktSystem::regularized_values`]).
pub(crate) struct KktSystem {
    nw: usize,
    m: usize,
    nh: usize,
    nj: usize,
    pattern: SparsityPattern,
    asm: CscAssembler,
    /// Values in pattern order: Hessian, sigma, Jacobian, zeros on the y diagonal.
    coo: Vec<f64>,
    /// A quasi-Newton scaling added to the first `shift_len` entries of the w diagonal.
    shift: f64,
    shift_len: usize,
}

impl KktSystem {
    /// Pattern from the Hessian (nw x nw lower) and Jacobian (m x nw) patterns.
    pub fn new(hess: &SparsityPattern, jac: &SparsityPattern, nw: usize, m: usize) -> Self {
        let nh = hess.nnz();
        let nj = jac.nnz();
        let total = nh + nw + nj + m;
        let mut rows = Vec::with_capacity(total);
        let mut cols = Vec::with_capacity(total);
        for (r, c) in hess.iter() {
            rows.push(r);
            cols.push(c);
        }
        for i in 0..nw {
            rows.push(i);
            cols.push(i);
        }
        for (r, c) in jac.iter() {
            rows.push(nw + r);
            cols.push(c);
        }
        for i in 0..m {
            rows.push(nw + i);
            cols.push(nw + i);
        }
        let pattern = SparsityPattern::new(nw + m, nw + m, rows, cols);
        let asm = pattern.csc_assembler();
        Self {
            nw,
            m,
            nh,
            nj,
            coo: vec![0.0; total],
            pattern,
            asm,
            shift: 0.0,
            shift_len: 0,
        }
    }

    /// Dimension nw + m.
    pub fn dim(&self) -> usize {
        self.nw + self.m
    }

    /// Order nw of the primal block.
    pub fn nw(&self) -> usize {
        self.nw
    }

    /// Number of values in pattern order (the length [`Self::regularized_values`] fills).
    pub fn value_count(&self) -> usize {
        self.coo.len()
    }

    /// Number of values of the compressed matrix ([`Self::assemble`] fills).
    pub fn csc_len(&self) -> usize {
        self.asm.nnz()
    }

    /// Fills the values: Hessian (lower, `hess` in the Hessian pattern's order, ignored when
    /// `None`: a zero block), `sigma` on the w diagonal and the Jacobian; clears the
    /// quasi-Newton shift.
    pub fn set(&mut self, hess: Option<&[f64]>, sigma: &[f64], jac: &[f64]) {
        let (nh, nw, nj) = (self.nh, self.nw, self.nj);
        match hess {
            Some(h) => self.coo[..nh].copy_from_slice(h),
            None => self.coo[..nh].fill(0.0),
        }
        self.coo[nh..nh + nw].copy_from_slice(sigma);
        self.coo[nh + nw..nh + nw + nj].copy_from_slice(jac);
        self.coo[nh + nw + nj..].fill(0.0);
        (self.shift, self.shift_len) = (0.0, 0);
    }

    /// Adds `d` to the first `len` entries of the w diagonal (a quasi-Newton scaling of
    /// the x block), after the regularization.
    pub fn set_w_shift(&mut self, d: f64, len: usize) {
        (self.shift, self.shift_len) = (d, len);
    }

    /// The values (pattern order) of the system with `delta_w` added to the w diagonal and
    /// `-delta_c` on the y diagonal: the matrix a step solves with.
    pub fn regularized_values(&self, reg: Regularization, out: &mut [f64]) {
        let (nh, nw, nj) = (self.nh, self.nw, self.nj);
        out.copy_from_slice(&self.coo);
        out[nh..nh + nw].iter_mut().for_each(|v| *v += reg.delta_w);
        if self.shift != 0.0 {
            let d = self.shift;
            out[nh..nh + self.shift_len]
                .iter_mut()
                .for_each(|v| *v += d);
        }
        out[nh + nw + nj..].fill(-reg.delta_c);
    }

    /// Assembles `values` (pattern order, from [`Self::regularized_values`]) into the
    /// compressed lower triangle `csc` with a further `-reg` on the y diagonal: a static
    /// regularization that keeps an LDL^T without pivoting from a zero pivot when a
    /// constraint row is eliminated before its variables (refinement against `values`
    /// removes its effect). The w block gets none: a Hessian singular on the null space of
    /// the Jacobian must show as a zero pivot so that the inertia correction regularizes it
    /// (a static +reg there hid it and produced steps of size 1/reg).
    pub fn assemble(&self, values: &mut [f64], reg: f64, csc: &mut [f64]) {
        let start = self.nh + self.nw + self.nj;
        if reg != 0.0 {
            values[start..].iter_mut().for_each(|v| *v -= reg);
        }
        self.asm.assemble(values, csc);
        if reg != 0.0 {
            values[start..].iter_mut().for_each(|v| *v += reg);
        }
    }

    /// The compressed lower triangle with values `csc` (from [`Self::assemble`]).
    pub fn csc<'a>(&'a self, csc: &'a [f64]) -> SparseColMatRef<'a, usize, f64> {
        self.asm.view(csc)
    }

    /// Structure of the compressed matrix.
    pub fn symbolic(&self) -> faer::sparse::SymbolicSparseColMatRef<'_, usize> {
        self.asm.symbolic()
    }

    /// The entries (row, column, value) of the lower triangle with `values` in pattern
    /// order (duplicates not summed).
    pub fn entries<'a>(
        &'a self,
        values: &'a [f64],
    ) -> impl Iterator<Item = (usize, usize, f64)> + 'a {
        self.pattern
            .iter()
            .zip(values)
            .map(|((r, c), &v)| (r, c, v))
    }

    /// out = K v with `values` in pattern order (the symmetric matrix they stand for).
    pub fn matvec_with(&self, values: &[f64], v: &[f64], out: &mut [f64]) {
        self.pattern.symmetric_matvec(values, v, out);
    }

    /// Largest absolute diagonal entry of the compressed matrix `csc` (scale of pivot
    /// tests).
    pub fn max_diagonal(&self, csc: &[f64]) -> f64 {
        let m = self.csc(csc);
        let (ptr, rows, vals) = (m.symbolic().col_ptr(), m.symbolic().row_idx(), m.val());
        let mut d = 0.0f64;
        for j in 0..self.dim() {
            for k in ptr[j]..ptr[j + 1] {
                if rows[k] == j {
                    d = d.max(vals[k].abs());
                }
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembles_and_multiplies() {
        // W = [[2, 1], [1, 3]] (lower: (0,0), (1,0), (1,1)), A = [1 1], sigma = [1, 0].
        let h = SparsityPattern::new(2, 2, vec![0, 1, 1], vec![0, 0, 1]);
        let j = SparsityPattern::new(1, 2, vec![0, 0], vec![0, 1]);
        let mut k = KktSystem::new(&h, &j, 2, 1);
        k.set(Some(&[2.0, 1.0, 3.0]), &[1.0, 0.0], &[1.0, 1.0]);
        let mut vals = vec![0.0; k.value_count()];
        k.regularized_values(Regularization::new(0.5, 0.25), &mut vals);
        let mut out = [0.0; 3];
        k.matvec_with(&vals, &[1.0, 2.0, 3.0], &mut out);
        // rows: [3.5 1 1; 1 3.5 1; 1 1 -0.25] * [1 2 3]
        assert_eq!(out, [3.5 + 2.0 + 3.0, 1.0 + 7.0 + 3.0, 1.0 + 2.0 - 0.75]);
        let mut csc = vec![0.0; k.csc_len()];
        k.assemble(&mut vals, 1e-3, &mut csc);
        assert!((k.max_diagonal(&csc) - 3.5).abs() < 1e-15);
        let dense = k.csc(&csc).to_dense();
        assert!((dense[(0, 0)] - 3.5).abs() < 1e-15);
        assert!((dense[(2, 2)] + 0.251).abs() < 1e-15);
        let mut out2 = [0.0; 3];
        k.matvec_with(&vals, &[1.0, 2.0, 3.0], &mut out2);
        assert_eq!(
            out, out2,
            "target values unchanged by the regularized assembly"
        );
        // A quasi-Newton shift on the first entry comes after delta_w.
        k.set_w_shift(2.0, 1);
        k.regularized_values(Regularization::new(0.5, 0.25), &mut vals);
        k.matvec_with(&vals, &[1.0, 0.0, 0.0], &mut out);
        assert_eq!(out, [5.5, 1.0, 1.0]);
    }
}
