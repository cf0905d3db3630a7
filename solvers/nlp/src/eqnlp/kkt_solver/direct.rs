//! Direct sparse solve of the KKT system with faer's sparse LU (partial pivoting, so the
//! indefinite saddle-point matrix needs no special ordering): the symbolic analysis and
//! the workspace are computed once, each factorization refactorizes numerically, and the
//! solution is polished by a few steps of iterative refinement.
//!
//! The LU does not know the inertia of K ([`KktSolver::factor`] returns `None`).

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::sparse::SparseColMatRef;
use faer::sparse::linalg::lu::{LuRef, NumericLu, SymbolicLu, factorize_symbolic_lu};
use faer::{Conj, MatMut, Par};
use opal_core::linalg::{axpy, norm};

use super::protocol::{Accuracy, Inertia, KktError, KktSolver, SolveReport};
use crate::eqnlp::kkt::{KktMatrix, Regularization};

/// Symbolic LU of the KKT structure with its workspace.
struct Analysis {
    symbolic: SymbolicLu<usize>,
    mem: MemBuffer,
}

impl Analysis {
    fn new(k: &KktMatrix) -> Result<Self, KktError> {
        let symbolic = factorize_symbolic_lu(k.symbolic(), Default::default())
            .map_err(|e| KktError::Analysis(format!("{e:?}")))?;
        let req = symbolic
            .factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default())
            .or(symbolic.solve_in_place_scratch::<f64>(1, Par::Seq));
        let mem = MemBuffer::try_new(req).map_err(|_| KktError::OutOfMemory)?;
        Ok(Self { symbolic, mem })
    }
}

/// Sparse LU of the KKT matrix with reusable symbolic analysis and workspace.
pub struct DirectLu {
    analysis: Result<Analysis, KktError>,
    numeric: NumericLu<usize, f64>,
    /// Values of the factored (regularized) matrix.
    val: Vec<f64>,
    res: Vec<f64>,
    corr: Vec<f64>,
    factored: bool,
}

impl DirectLu {
    /// Symbolic analysis of the structure of `k`; an analysis failure is reported by the
    /// first [`KktSolver::factor`].
    pub fn new(k: &KktMatrix) -> Self {
        let dim = k.dim();
        Self {
            analysis: Analysis::new(k),
            numeric: NumericLu::new(),
            val: vec![0.0; k.nnz()],
            res: vec![0.0; dim],
            corr: vec![0.0; dim],
            factored: false,
        }
    }
}

impl KktSolver for DirectLu {
    fn factor(&mut self, k: &KktMatrix, reg: Regularization) -> Result<Option<Inertia>, KktError> {
        self.factored = false;
        let a = self.analysis.as_mut().map_err(|e| e.clone())?;
        k.regularized_values(reg, &mut self.val);
        a.symbolic
            .factorize_numeric_lu(
                &mut self.numeric,
                SparseColMatRef::new(k.symbolic(), &self.val),
                Par::Seq,
                MemStack::new(&mut a.mem),
                Default::default(),
            )
            .map_err(|e| KktError::StructurallySingular(format!("{e:?}")))?;
        self.factored = true;
        Ok(None)
    }

    /// Solves with up to three refinement steps (whatever `accuracy` asks) and reports
    /// the residual ||K d - b||; an error when the result is not finite (numerically
    /// singular K).
    fn solve(
        &mut self,
        k: &KktMatrix,
        b: &[f64],
        d: &mut [f64],
        _accuracy: Accuracy,
        _stop: &dyn Fn() -> bool,
    ) -> Result<SolveReport, KktError> {
        assert!(self.factored, "factor before solve");
        let Ok(a) = self.analysis.as_mut() else {
            unreachable!("factored implies analysed")
        };
        let mut apply = |v: &mut [f64]| {
            let n = v.len();
            LuRef::new_unchecked(&a.symbolic, &self.numeric).solve_in_place_with_conj(
                Conj::No,
                MatMut::from_column_major_slice_mut(v, n, 1),
                Par::Seq,
                MemStack::new(&mut a.mem),
            );
        };
        let mut refinement = Refinement {
            k,
            val: &self.val,
            res: &mut self.res,
            corr: &mut self.corr,
        };
        refinement.solve(b, d, &mut apply).map(SolveReport::exact)
    }
}

/// Iterative refinement of a direct solve on the regularized values `val`.
pub(super) struct Refinement<'a> {
    pub k: &'a KktMatrix,
    pub val: &'a [f64],
    pub res: &'a mut [f64],
    pub corr: &'a mut [f64],
}

impl Refinement<'_> {
    /// d = K^-1 b by `apply` (in place), then up to three refinement steps that are kept
    /// while they at least halve the residual; returns ||K d - b||.
    pub fn solve(
        &mut self,
        b: &[f64],
        d: &mut [f64],
        apply: &mut dyn FnMut(&mut [f64]),
    ) -> Result<f64, KktError> {
        d.copy_from_slice(b);
        apply(d);
        if d.iter().any(|v| !v.is_finite()) {
            return Err(KktError::NumericallySingular);
        }
        let bnorm = norm(b);
        let mut rnorm = self.residual(b, d);
        for _ in 0..3 {
            if rnorm <= 1e-15 * bnorm {
                break;
            }
            self.corr.copy_from_slice(self.res);
            apply(self.corr);
            axpy(1.0, self.corr, d);
            let new = self.residual(b, d);
            if new.is_nan() || new >= 0.5 * rnorm {
                if new.is_nan() || new > rnorm {
                    axpy(-1.0, self.corr, d);
                    rnorm = self.residual(b, d);
                } else {
                    rnorm = new;
                }
                break;
            }
            rnorm = new;
        }
        if !rnorm.is_finite() {
            return Err(KktError::NumericallySingular);
        }
        Ok(rnorm)
    }

    /// res = b - K d; returns its norm.
    fn residual(&mut self, b: &[f64], d: &[f64]) -> f64 {
        self.k.matvec_with(self.val, d, self.res);
        self.res.iter_mut().zip(b).for_each(|(r, bi)| *r = bi - *r);
        norm(self.res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opal_problems::SparsityPattern;

    fn never() -> bool {
        false
    }

    #[test]
    fn solves_an_indefinite_saddle_point_system() {
        // H = diag(1, -1, 2) (indefinite), J = [[1, 1, 0], [0, 1, 1]].
        let h = SparsityPattern::new(3, 3, vec![0, 1, 2, 2], vec![0, 1, 2, 0]);
        let j = SparsityPattern::new(2, 3, vec![0, 0, 1, 1], vec![0, 1, 1, 2]);
        let mut k = KktMatrix::new(&h, &j);
        k.assemble(&[1.0, -1.0, 2.0, 0.5], &[1.0, 1.0, 1.0, 1.0]);
        let mut lu = DirectLu::new(&k);
        assert_eq!(lu.factor(&k, Regularization::default()).unwrap(), None);
        let b = [1.0, -2.0, 0.5, 3.0, -1.0];
        let mut d = [0.0; 5];
        let r = lu.solve(&k, &b, &mut d, Accuracy::Exact, &never).unwrap();
        assert!(r.residual < 1e-12 && r.reached, "{r:?}");
        let dense = k.as_faer().to_dense();
        for i in 0..5 {
            let s: f64 = (0..5).map(|c| dense[(i, c)] * d[c]).sum();
            assert!((s - b[i]).abs() < 1e-12);
        }
    }

    #[test]
    fn regularization_is_applied() {
        // H = [1], J = [1]: K + diag(1, -1) = [[2, 1], [1, -1]].
        let h = SparsityPattern::new(1, 1, vec![0], vec![0]);
        let j = SparsityPattern::new(1, 1, vec![0], vec![0]);
        let mut k = KktMatrix::new(&h, &j);
        k.assemble(&[1.0], &[1.0]);
        let mut lu = DirectLu::new(&k);
        lu.factor(&k, Regularization::new(1.0, 1.0)).unwrap();
        let mut d = [0.0; 2];
        lu.solve(&k, &[3.0, 0.0], &mut d, Accuracy::Exact, &never)
            .unwrap();
        assert!((2.0 * d[0] + d[1] - 3.0).abs() < 1e-14 && (d[0] - d[1]).abs() < 1e-14);
    }

    #[test]
    fn singular_kkt_is_an_error() {
        // Two identical constraint rows.
        let h = SparsityPattern::new(2, 2, vec![0, 1], vec![0, 1]);
        let j = SparsityPattern::new(2, 2, vec![0, 0, 1, 1], vec![0, 1, 0, 1]);
        let mut k = KktMatrix::new(&h, &j);
        k.assemble(&[1.0, 1.0], &[1.0, 2.0, 1.0, 2.0]);
        let mut lu = DirectLu::new(&k);
        let res = lu.factor(&k, Regularization::default()).and_then(|_| {
            lu.solve(
                &k,
                &[1.0, 1.0, 1.0, 2.0],
                &mut [0.0; 4],
                Accuracy::Exact,
                &never,
            )
        });
        match res {
            Err(_) => {}
            Ok(r) => assert!(
                r.residual > 1e-6,
                "a singular system cannot be solved exactly: {r:?}"
            ),
        }
    }
}
