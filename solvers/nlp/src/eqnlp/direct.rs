//! Direct sparse solve of the KKT system with faer's sparse LU (partial pivoting, so the
//! indefinite saddle-point matrix needs no special ordering): the symbolic analysis and
//! the workspace are computed once, each iteration refactorizes numerically, and the
//! solution is polished by a few steps of iterative refinement.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::sparse::linalg::lu::{LuRef, NumericLu, SymbolicLu, factorize_symbolic_lu};
use faer::{Conj, MatMut, Par};

use super::kkt::KktMatrix;
use super::linalg::{axpy, norm};

/// Sparse LU of the KKT matrix with reusable symbolic analysis and workspace.
pub(crate) struct DirectKkt {
    symbolic: SymbolicLu<usize>,
    numeric: NumericLu<usize, f64>,
    mem: MemBuffer,
    res: Vec<f64>,
    corr: Vec<f64>,
    factored: bool,
}

impl DirectKkt {
    /// Symbolic analysis of the KKT structure.
    pub fn new(k: &KktMatrix) -> Result<Self, String> {
        let symbolic = factorize_symbolic_lu(k.as_faer().symbolic(), Default::default())
            .map_err(|e| format!("symbolic LU of the KKT matrix failed: {e:?}"))?;
        let req = symbolic
            .factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default())
            .or(symbolic.solve_in_place_scratch::<f64>(1, Par::Seq));
        let mem = MemBuffer::try_new(req)
            .map_err(|_| "out of memory for the KKT factorization workspace".to_string())?;
        let dim = k.dim();
        Ok(Self {
            symbolic,
            numeric: NumericLu::new(),
            mem,
            res: vec![0.0; dim],
            corr: vec![0.0; dim],
            factored: false,
        })
    }

    /// Numeric factorization of the current values of `k`.
    pub fn factor(&mut self, k: &KktMatrix) -> Result<(), String> {
        self.factored = false;
        self.symbolic
            .factorize_numeric_lu(
                &mut self.numeric,
                k.as_faer(),
                Par::Seq,
                MemStack::new(&mut self.mem),
                Default::default(),
            )
            .map_err(|e| format!("the KKT matrix is structurally singular ({e:?})"))?;
        self.factored = true;
        Ok(())
    }

    fn apply(&mut self, v: &mut [f64]) {
        let n = v.len();
        let lu = LuRef::new_unchecked(&self.symbolic, &self.numeric);
        lu.solve_in_place_with_conj(
            Conj::No,
            MatMut::from_column_major_slice_mut(v, n, 1),
            Par::Seq,
            MemStack::new(&mut self.mem),
        );
    }

    /// Solves K d = b (after [`Self::factor`]) with up to three refinement steps and
    /// returns the residual norm ||K d - b||, or an error when the result is not finite
    /// (numerically singular K).
    pub fn solve(&mut self, k: &KktMatrix, b: &[f64], d: &mut [f64]) -> Result<f64, String> {
        assert!(self.factored, "factor before solve");
        d.copy_from_slice(b);
        self.apply(d);
        if d.iter().any(|v| !v.is_finite()) {
            return Err("the KKT matrix is numerically singular".into());
        }
        let bnorm = norm(b);
        let mut rnorm = self.residual(k, b, d);
        for _ in 0..3 {
            if rnorm <= 1e-15 * bnorm {
                break;
            }
            let mut corr = std::mem::take(&mut self.corr);
            corr.copy_from_slice(&self.res);
            self.apply(&mut corr);
            axpy(1.0, &corr, d);
            let new = self.residual(k, b, d);
            if new.is_nan() || new >= 0.5 * rnorm {
                if new.is_nan() || new > rnorm {
                    axpy(-1.0, &corr, d);
                    rnorm = self.residual(k, b, d);
                } else {
                    rnorm = new;
                }
                self.corr = corr;
                break;
            }
            rnorm = new;
            self.corr = corr;
        }
        if !rnorm.is_finite() {
            return Err("the KKT matrix is numerically singular".into());
        }
        Ok(rnorm)
    }

    /// res = b - K d; returns its norm.
    fn residual(&mut self, k: &KktMatrix, b: &[f64], d: &[f64]) -> f64 {
        k.matvec(d, &mut self.res);
        self.res.iter_mut().zip(b).for_each(|(r, bi)| *r = bi - *r);
        norm(&self.res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opal_problems::SparsityPattern;

    #[test]
    fn solves_an_indefinite_saddle_point_system() {
        // H = diag(1, -1, 2) (indefinite), J = [[1, 1, 0], [0, 1, 1]].
        let h = SparsityPattern::new(3, 3, vec![0, 1, 2, 2], vec![0, 1, 2, 0]);
        let j = SparsityPattern::new(2, 3, vec![0, 0, 1, 1], vec![0, 1, 1, 2]);
        let mut k = KktMatrix::new(&h, &j);
        k.assemble(&[1.0, -1.0, 2.0, 0.5], &[1.0, 1.0, 1.0, 1.0], 0.0, 0.0);
        let mut lu = DirectKkt::new(&k).unwrap();
        lu.factor(&k).unwrap();
        let b = [1.0, -2.0, 0.5, 3.0, -1.0];
        let mut d = [0.0; 5];
        let r = lu.solve(&k, &b, &mut d).unwrap();
        assert!(r < 1e-12, "{r}");
        let dense = k.as_faer().to_dense();
        for i in 0..5 {
            let s: f64 = (0..5).map(|c| dense[(i, c)] * d[c]).sum();
            assert!((s - b[i]).abs() < 1e-12);
        }
    }

    #[test]
    fn singular_kkt_is_an_error() {
        // Two identical constraint rows.
        let h = SparsityPattern::new(2, 2, vec![0, 1], vec![0, 1]);
        let j = SparsityPattern::new(2, 2, vec![0, 0, 1, 1], vec![0, 1, 0, 1]);
        let mut k = KktMatrix::new(&h, &j);
        k.assemble(&[1.0, 1.0], &[1.0, 2.0, 1.0, 2.0], 0.0, 0.0);
        let mut lu = DirectKkt::new(&k).unwrap();
        let res = lu
            .factor(&k)
            .and_then(|_| lu.solve(&k, &[1.0, 1.0, 1.0, 2.0], &mut [0.0; 4]));
        match res {
            Err(_) => {}
            Ok(r) => assert!(r > 1e-6, "a singular system cannot be solved exactly: {r}"),
        }
    }
}
