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

/// The augmented system's pattern and current values.
pub(crate) struct KktSystem {
    nw: usize,
    m: usize,
    nh: usize,
    nj: usize,
    pattern: SparsityPattern,
    asm: CscAssembler,
    /// Values in pattern order: the matrix the step is meant to solve.
    coo: Vec<f64>,
    /// Compressed values of the matrix that is factorized (coo plus static regularization).
    csc: Vec<f64>,
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
        let csc = vec![0.0; asm.nnz()];
        Self {
            nw,
            m,
            nh,
            nj,
            coo: vec![0.0; total],
            csc,
            pattern,
            asm,
        }
    }

    /// Dimension nw + m.
    pub fn dim(&self) -> usize {
        self.nw + self.m
    }

    /// Fills the values: Hessian (lower, `hess` in the Hessian pattern's order, ignored when
    /// `None`: a zero block), `sigma + delta_w` on the w diagonal, the Jacobian and
    /// `-delta_c` on the y diagonal.
    pub fn set(
        &mut self,
        hess: Option<&[f64]>,
        sigma: &[f64],
        delta_w: f64,
        jac: &[f64],
        delta_c: f64,
    ) {
        let (nh, nw, nj) = (self.nh, self.nw, self.nj);
        match hess {
            Some(h) => self.coo[..nh].copy_from_slice(h),
            None => self.coo[..nh].fill(0.0),
        }
        for (v, s) in self.coo[nh..nh + nw].iter_mut().zip(sigma) {
            *v = s + delta_w;
        }
        self.coo[nh + nw..nh + nw + nj].copy_from_slice(jac);
        self.coo[nh + nw + nj..].fill(-delta_c);
    }

    /// Adds `d` to the first `len` entries of the w diagonal (a quasi-Newton scaling of
    /// the x block).
    pub fn add_to_w_diagonal(&mut self, d: f64, len: usize) {
        let nh = self.nh;
        self.coo[nh..nh + len].iter_mut().for_each(|v| *v += d);
    }

    /// Assembles the matrix to factorize: the target plus `-reg` on the y diagonal, a
    /// static regularization that keeps an LDL^T without pivoting from a zero pivot when
    /// a constraint row is eliminated before its variables (refinement removes its
    /// effect). The w block gets none: a Hessian singular on the null space of the
    /// Jacobian must show as a zero pivot so that the inertia correction regularizes it
    /// (a static +reg there hid it and produced steps of size 1/reg).
    pub fn assemble_regularized(&mut self, reg: f64) {
        let (nh, nw, nj) = (self.nh, self.nw, self.nj);
        if reg != 0.0 {
            self.coo[nh + nw + nj..].iter_mut().for_each(|v| *v -= reg);
        }
        self.asm.assemble(&self.coo, &mut self.csc);
        if reg != 0.0 {
            self.coo[nh + nw + nj..].iter_mut().for_each(|v| *v += reg);
        }
    }

    /// The assembled (regularized) matrix, lower triangle, compressed columns.
    pub fn csc(&self) -> SparseColMatRef<'_, usize, f64> {
        self.asm.view(&self.csc)
    }

    /// Structure of the compressed matrix.
    pub fn symbolic(&self) -> faer::sparse::SymbolicSparseColMatRef<'_, usize> {
        self.asm.symbolic()
    }

    /// out = K v with the target values (no static regularization).
    pub fn matvec(&self, v: &[f64], out: &mut [f64]) {
        self.pattern.symmetric_matvec(&self.coo, v, out);
    }

    /// Largest absolute diagonal entry of the assembled matrix (scale of pivot tests).
    pub fn max_diagonal(&self) -> f64 {
        let m = self.csc();
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
        k.set(Some(&[2.0, 1.0, 3.0]), &[1.0, 0.0], 0.5, &[1.0, 1.0], 0.25);
        let mut out = [0.0; 3];
        k.matvec(&[1.0, 2.0, 3.0], &mut out);
        // rows: [3.5 1 1; 1 3.5 1; 1 1 -0.25] * [1 2 3]
        assert_eq!(out, [3.5 + 2.0 + 3.0, 1.0 + 7.0 + 3.0, 1.0 + 2.0 - 0.75]);
        k.assemble_regularized(1e-3);
        assert!((k.max_diagonal() - 3.5).abs() < 1e-15);
        let dense = k.csc().to_dense();
        assert!((dense[(0, 0)] - 3.5).abs() < 1e-15);
        assert!((dense[(2, 2)] + 0.251).abs() < 1e-15);
        let mut out2 = [0.0; 3];
        k.matvec(&[1.0, 2.0, 3.0], &mut out2);
        assert_eq!(
            out, out2,
            "target values unchanged by the regularized assembly"
        );
    }
}
