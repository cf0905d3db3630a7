//! Symmetric indefinite factorization of the augmented system with its inertia.
//!
//! Sparse: faer's sparse LDL^T without pivoting after a fill-reducing (AMD) ordering;
//! symbolic analysis once, numeric factorization per call, workspace sized once. Without
//! pivoting the factorization is stable for quasi-definite matrices (positive definite
//! primal block, negative definite dual block), which the static regularization
//! (+reg / -reg on the diagonal) and the inertia correction of the method provide; by
//! Sylvester's law the signs of D are the inertia of the factorized matrix whatever the
//! ordering. Dense (small problems): faer's Bunch-Kaufman LBL^T with pivoting, inertia
//! from the 1x1 and 2x2 blocks. Solves are refined against the system without the static
//! regularization. [`Ldl`] is the interior point's direct [`KktSolver`].

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::lblt as bunch_kaufman;
use faer::linalg::cholesky::ldlt::factor::LdltRegularization;
use faer::sparse::linalg::cholesky::{
    LdltRef, SymbolicCholesky, SymbolicCholeskyRaw, SymmetricOrdering, factorize_symbolic_cholesky,
    supernodal::SupernodalLdltRef,
};
use faer::{Conj, Mat, MatMut, Par, Side};

use super::kkt::KktSystem;
use crate::eqnlp::{Accuracy, Inertia, KktError, KktSolver, Regularization, SolveReport};
use opal_core::linalg::{axpy, norm_inf};

/// Refinement of [`Accuracy::Exact`] and [`Accuracy::Inexact`] requests (the LDL^T solves
/// exactly whatever it is asked): at most 10 steps to a relative residual of 1e-12.
const EXACT: (usize, f64) = (10, 1e-12);

/// Which factorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LdlKind {
    /// Sparse LDL^T (AMD ordering, no pivoting).
    Sparse,
    /// Dense Bunch-Kaufman LBL^T.
    Dense,
}

enum Engine {
    Sparse {
        symbolic: SymbolicCholesky<usize>,
        l_values: Vec<f64>,
    },
    Dense {
        a: Mat<f64>,
        subdiag: Mat<f64>,
        perm: Vec<usize>,
        perm_inv: Vec<usize>,
    },
}

/// A factorization workspace for one KKT structure.
pub(crate) struct Ldl {
    engine: Engine,
    mem: MemBuffer,
    /// Values (pattern order) of the regularized system the solves refine against.
    values: Vec<f64>,
    /// The factorized matrix: `values` plus the static regularization, compressed.
    csc: Vec<f64>,
    /// Static regularization -reg on the constraint block of the factorized matrix.
    static_reg: f64,
    res: Vec<f64>,
    corr: Vec<f64>,
    /// Pivots smaller than this (relative to the largest diagonal) count as zero.
    pub zero_pivot_tol: f64,
    factored: bool,
}

impl Ldl {
    /// Analyses the structure of `kkt` (the sparse path) or sizes the dense buffers;
    /// `static_reg` is subtracted from the constraint block of every factorized matrix.
    pub fn new(kkt: &KktSystem, kind: LdlKind, static_reg: f64) -> Result<Self, KktError> {
        let dim = kkt.dim();
        let (engine, req) = match kind {
            LdlKind::Sparse => {
                let symbolic = factorize_symbolic_cholesky(
                    kkt.symbolic(),
                    Side::Lower,
                    SymmetricOrdering::Amd,
                    Default::default(),
                )
                .map_err(|e| KktError::Analysis(format!("{e:?}")))?;
                let req = StackReq::any_of(&[
                    symbolic.factorize_numeric_ldlt_scratch::<f64>(Par::Seq, Default::default()),
                    symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
                ]);
                let l_values = vec![0.0; symbolic.len_val()];
                (Engine::Sparse { symbolic, l_values }, req)
            }
            LdlKind::Dense => {
                let req = StackReq::any_of(&[
                    bunch_kaufman::factor::cholesky_in_place_scratch::<usize, f64>(
                        dim,
                        Par::Seq,
                        Default::default(),
                    ),
                    bunch_kaufman::solve::solve_in_place_scratch::<usize, f64>(dim, 1, Par::Seq),
                ]);
                (
                    Engine::Dense {
                        a: Mat::zeros(dim, dim),
                        subdiag: Mat::zeros(dim, 1),
                        perm: vec![0; dim],
                        perm_inv: vec![0; dim],
                    },
                    req,
                )
            }
        };
        let mem = MemBuffer::try_new(req).map_err(|_| KktError::OutOfMemory)?;
        Ok(Self {
            engine,
            mem,
            values: vec![0.0; kkt.value_count()],
            csc: vec![0.0; kkt.csc_len()],
            static_reg,
            res: vec![0.0; dim],
            corr: vec![0.0; dim],
            zero_pivot_tol: 1e-30,
            factored: false,
        })
    }

    /// Factorizes `kkt` with the regularization `reg` (and the static one) and returns
    /// its inertia.
    fn factor_inertia(&mut self, kkt: &KktSystem, reg: Regularization) -> Inertia {
        self.factored = false;
        kkt.regularized_values(reg, &mut self.values);
        kkt.assemble(&mut self.values, self.static_reg, &mut self.csc);
        let csc = kkt.csc(&self.csc);
        let scale = kkt.max_diagonal(&self.csc).max(1.0);
        let tol = self.zero_pivot_tol * scale;
        let inertia = match &mut self.engine {
            Engine::Sparse { symbolic, l_values } => {
                let reg = LdltRegularization {
                    dynamic_regularization_signs: None,
                    dynamic_regularization_delta: 0.0,
                    dynamic_regularization_epsilon: 0.0,
                };
                let ok = symbolic
                    .factorize_numeric_ldlt(
                        l_values,
                        csc,
                        Side::Lower,
                        reg,
                        Par::Seq,
                        MemStack::new(&mut self.mem),
                        Default::default(),
                    )
                    .is_ok();
                if ok {
                    sparse_inertia(symbolic, l_values, tol)
                } else {
                    Inertia {
                        zero: kkt.dim(),
                        ..Inertia::default()
                    }
                }
            }
            Engine::Dense {
                a,
                subdiag,
                perm,
                perm_inv,
            } => {
                a.fill(0.0);
                for (j, col) in (0..kkt.dim()).zip(csc.symbolic().col_ptr().windows(2)) {
                    let rows = &csc.symbolic().row_idx()[col[0]..col[1]];
                    let vals = &csc.val()[col[0]..col[1]];
                    for (&i, &v) in rows.iter().zip(vals) {
                        a[(i, j)] += v;
                    }
                }
                bunch_kaufman::factor::cholesky_in_place(
                    a.as_mut(),
                    subdiag.as_mut().col_mut(0).as_diagonal_mut(),
                    perm,
                    perm_inv,
                    Par::Seq,
                    MemStack::new(&mut self.mem),
                    Default::default(),
                );
                dense_inertia(a, subdiag, tol)
            }
        };
        self.factored = inertia.zero == 0;
        inertia
    }

    fn apply(&mut self, v: &mut [f64]) {
        let n = v.len();
        let rhs = MatMut::from_column_major_slice_mut(v, n, 1);
        match &self.engine {
            Engine::Sparse { symbolic, l_values } => {
                LdltRef::new(symbolic, l_values).solve_in_place_with_conj(
                    Conj::No,
                    rhs,
                    Par::Seq,
                    MemStack::new(&mut self.mem),
                );
            }
            Engine::Dense {
                a,
                subdiag,
                perm,
                perm_inv,
            } => {
                // SAFETY-free: the permutation arrays were produced by the factorization.
                let p = faer::perm::PermRef::new_checked(perm, perm_inv, n);
                bunch_kaufman::solve::solve_in_place_with_conj(
                    a.as_ref(),
                    a.as_ref().diagonal(),
                    subdiag.as_ref().col(0).as_diagonal(),
                    Conj::No,
                    p,
                    rhs,
                    Par::Seq,
                    MemStack::new(&mut self.mem),
                );
            }
        }
    }

    /// Solves K d = b with iterative refinement against the regularized values (up to
    /// `max_refine` steps, stopping when the residual is at most `tol * max(1, |b|_inf)`).
    /// Returns the final residual's max-norm.
    fn refined_solve(
        &mut self,
        kkt: &KktSystem,
        b: &[f64],
        d: &mut [f64],
        max_refine: usize,
        tol: f64,
    ) -> Result<f64, KktError> {
        debug_assert!(self.factored, "factor before solve");
        d.copy_from_slice(b);
        self.apply(d);
        if d.iter().any(|v| !v.is_finite()) {
            return Err(KktError::NumericallySingular);
        }
        let target = tol * norm_inf(b).max(1.0);
        let mut rnorm = self.residual(kkt, b, d);
        for _ in 0..max_refine {
            if rnorm <= target {
                break;
            }
            let mut corr = std::mem::take(&mut self.corr);
            corr.copy_from_slice(&self.res);
            self.apply(&mut corr);
            axpy(1.0, &corr, d);
            let new = self.residual(kkt, b, d);
            if new.is_nan() || new >= rnorm {
                axpy(-1.0, &corr, d);
                rnorm = self.residual(kkt, b, d);
                self.corr = corr;
                break;
            }
            rnorm = new;
            self.corr = corr;
        }
        if !rnorm.is_finite() {
            return Err(KktError::NumericallySingular);
        }
        Ok(rnorm)
    }

    /// res = b - K d; returns |res|_inf.
    fn residual(&mut self, kkt: &KktSystem, b: &[f64], d: &[f64]) -> f64 {
        kkt.matvec_with(&self.values, d, &mut self.res);
        self.res.iter_mut().zip(b).for_each(|(r, bi)| *r = bi - *r);
        norm_inf(&self.res)
    }
}

impl KktSolver<KktSystem> for Ldl {
    /// The inertia of the factorized matrix, always known (a failed factorization counts
    /// every pivot as zero).
    fn factor(&mut self, k: &KktSystem, reg: Regularization) -> Result<Option<Inertia>, KktError> {
        Ok(Some(self.factor_inertia(k, reg)))
    }

    /// [`Accuracy::Refined`] sets the refinement; any other request refines 10 steps to
    /// 1e-12. The report's residual is the max-norm.
    fn solve(
        &mut self,
        k: &KktSystem,
        b: &[f64],
        d: &mut [f64],
        accuracy: Accuracy,
        _stop: &dyn Fn() -> bool,
    ) -> Result<SolveReport, KktError> {
        let (steps, tol) = match accuracy {
            Accuracy::Refined { steps, tol } => (steps, tol),
            _ => EXACT,
        };
        self.refined_solve(k, b, d, steps, tol)
            .map(SolveReport::exact)
    }
}

fn classify(d: f64, tol: f64, inertia: &mut Inertia) {
    if !d.is_finite() || d.abs() <= tol {
        inertia.zero += 1;
    } else if d > 0.0 {
        inertia.positive += 1;
    } else {
        inertia.negative += 1;
    }
}

/// Signs of D of a sparse LDL^T: the first entry of each column (simplicial) or the
/// diagonal of each supernode's leading block (supernodal).
fn sparse_inertia(symbolic: &SymbolicCholesky<usize>, l_values: &[f64], tol: f64) -> Inertia {
    let mut inertia = Inertia::default();
    match symbolic.raw() {
        SymbolicCholeskyRaw::Simplicial(s) => {
            let ptr = s.col_ptr();
            for k in 0..s.nrows() {
                classify(l_values[ptr[k]], tol, &mut inertia);
            }
        }
        SymbolicCholeskyRaw::Supernodal(s) => {
            let l = SupernodalLdltRef::new(s, l_values);
            for k in 0..s.n_supernodes() {
                let val = l.supernode(k).val();
                for j in 0..val.ncols() {
                    classify(val[(j, j)], tol, &mut inertia);
                }
            }
        }
    }
    inertia
}

/// Inertia of the block diagonal of a Bunch-Kaufman factorization.
fn dense_inertia(a: &Mat<f64>, subdiag: &Mat<f64>, tol: f64) -> Inertia {
    let n = a.nrows();
    let mut inertia = Inertia::default();
    let mut i = 0;
    while i < n {
        let s = subdiag[(i, 0)];
        if s != 0.0 && i + 1 < n {
            let (p, q) = (a[(i, i)], a[(i + 1, i + 1)]);
            let det = p * q - s * s;
            let tr = p + q;
            if !det.is_finite() || det.abs() <= tol * tol {
                inertia.zero += 1;
                classify(tr, tol, &mut inertia);
            } else if det < 0.0 {
                inertia.positive += 1;
                inertia.negative += 1;
            } else if tr > 0.0 {
                inertia.positive += 2;
            } else {
                inertia.negative += 2;
            }
            i += 2;
        } else {
            classify(a[(i, i)], tol, &mut inertia);
            i += 1;
        }
    }
    inertia
}

#[cfg(test)]
mod tests {
    use super::*;
    use opal_problems::SparsityPattern;

    /// K = [[H, A^T], [A, 0]] with H = diag(h), A = [1 .. 1].
    fn system(h: &[f64]) -> KktSystem {
        let n = h.len();
        let hp = SparsityPattern::new(n, n, (0..n).collect(), (0..n).collect());
        let jp = SparsityPattern::new(1, n, vec![0; n], (0..n).collect());
        let mut k = KktSystem::new(&hp, &jp, n, 1);
        k.set(Some(h), &vec![0.0; n], &vec![1.0; n]);
        k
    }

    fn factor(ldl: &mut Ldl, k: &KktSystem, dc: f64) -> Inertia {
        ldl.factor(k, Regularization::new(0.0, dc))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn inertia_and_solve_both_engines() {
        for kind in [LdlKind::Sparse, LdlKind::Dense] {
            // Convex: H = diag(1, 2, 3): inertia (3, 1, 0).
            let k = system(&[1.0, 2.0, 3.0]);
            let mut ldl = Ldl::new(&k, kind, 1e-10).unwrap();
            let inertia = factor(&mut ldl, &k, 0.0);
            assert!(inertia.is(3, 1), "{kind:?} {inertia:?}");
            let b = [1.0, 0.0, -1.0, 2.0];
            let mut d = [0.0; 4];
            let exact = Accuracy::Refined {
                steps: 5,
                tol: 1e-14,
            };
            let r = ldl.solve(&k, &b, &mut d, exact, &|| false).unwrap();
            assert!(r.residual < 1e-12, "{kind:?} residual {r:?}");
            let mut kd = [0.0; 4];
            let mut vals = vec![0.0; k.value_count()];
            k.regularized_values(Regularization::default(), &mut vals);
            k.matvec_with(&vals, &d, &mut kd);
            for (x, y) in kd.iter().zip(&b) {
                assert!((x - y).abs() < 1e-12);
            }
            // Nonconvex: H = diag(1, -5, 3): inertia (2, 2, 0) -> the method must correct.
            let k = system(&[1.0, -5.0, 3.0]);
            let mut ldl = Ldl::new(&k, kind, 1e-10).unwrap();
            let inertia = factor(&mut ldl, &k, 0.0);
            assert!(inertia.is(2, 2), "{kind:?} {inertia:?}");
        }
    }

    #[test]
    fn larger_random_sparse_matches_dense() {
        // A tridiagonal indefinite H plus two constraint rows: both engines agree.
        let n = 30;
        let (mut r, mut c, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            r.push(i);
            c.push(i);
            v.push(if i % 7 == 3 {
                -0.5
            } else {
                2.0 + i as f64 * 0.1
            });
            if i > 0 {
                r.push(i);
                c.push(i - 1);
                v.push(0.3);
            }
        }
        let hp = SparsityPattern::new(n, n, r, c);
        let jp = SparsityPattern::new(2, n, vec![0, 0, 1, 1], vec![0, 5, 7, 29]);
        let mut k = KktSystem::new(&hp, &jp, n, 2);
        k.set(Some(&v), &vec![0.0; n], &[1.0, -1.0, 2.0, 1.0]);
        let mut sparse = Ldl::new(&k, LdlKind::Sparse, 1e-10).unwrap();
        let mut dense = Ldl::new(&k, LdlKind::Dense, 1e-10).unwrap();
        let (a, b) = (factor(&mut sparse, &k, 0.0), factor(&mut dense, &k, 0.0));
        assert_eq!(a, b);
        assert_eq!(a.positive + a.negative, n + 2);
    }
}
