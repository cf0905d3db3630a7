//! Small dense helpers: a Cholesky factor with allocation-free in-place solves.

use faer::linalg::triangular_solve::{solve_lower_triangular_in_place, solve_upper_triangular_in_place};
use faer::reborrow::ReborrowMut;
use faer::{Mat, MatMut, Par, Side};

use super::error::ReluError;

/// Lower Cholesky factor L of an SPD matrix (L L^T = A).
#[derive(Debug, Clone)]
pub(crate) struct Chol {
    l: Mat<f64>,
}

impl Chol {
    /// Factorizes `a`; `what` names the matrix in the error.
    pub(crate) fn new(a: &Mat<f64>, what: &str) -> Result<Self, ReluError> {
        let llt = a
            .llt(Side::Lower)
            .map_err(|e| ReluError::LinAlg(format!("Cholesky of {what} failed: {e:?}")))?;
        Ok(Self { l: llt.L().to_owned() })
    }

    /// rhs <- A^{-1} rhs.
    pub(crate) fn solve_in_place(&self, mut rhs: MatMut<'_, f64>) {
        solve_lower_triangular_in_place(self.l.as_ref(), rhs.rb_mut(), Par::Seq);
        solve_upper_triangular_in_place(self.l.transpose(), rhs, Par::Seq);
    }

    /// v <- A^{-1} v for a vector.
    pub(crate) fn solve_vec(&self, v: &mut [f64]) {
        let n = v.len();
        self.solve_in_place(MatMut::from_column_major_slice_mut(v, n, 1));
    }

    /// rhs <- L^{-1} rhs.
    pub(crate) fn solve_lower(&self, rhs: MatMut<'_, f64>) {
        solve_lower_triangular_in_place(self.l.as_ref(), rhs, Par::Seq);
    }
}
