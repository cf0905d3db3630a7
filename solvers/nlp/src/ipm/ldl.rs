//! Symmetric indefinite factorization of the augmented system with its inertia.
//!
//! Sparse: faer's sparse LDL^T without pivoting after a fill-reducing (AMD) ordering;
//! symbolic analysis once, numeric factorization per call, workspace sized once. Without
//! pivoting the factorization is stable for quasi-definite matrices (positive definite
//! primal block, negative definite dual block), which the static regularization
//! (+reg / -reg on the diagonal) and the inertia correction of the method provide; by
//! Sylvester's law the signs of D are the inertia of the factorized matrix whatever the
//! ordering. Dense (small problems): faer's Bunch-Kaufman LBL^T with pivoting, inertia
//! from the 1x1 and 2x2 blocks. Solves are refined against the unregularized system.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::lblt as bunch_kaufman;
use faer::linalg::cholesky::ldlt::factor::LdltRegularization;
use faer::sparse::linalg::cholesky::{
    LdltRef, SymbolicCholesky, SymbolicCholeskyRaw, SymmetricOrdering, factorize_symbolic_cholesky,
    supernodal::SupernodalLdltRef,
};
use faer::{Conj, Mat, MatMut, Par, Side};

use super::kkt::KktSystem;
use opal_core::linalg::{axpy, norm_inf};

/// Counts of positive, negative and zero (or non-finite) pivots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Inertia {
    /// Positive eigenvalues.
    pub positive: usize,
    /// Negative eigenvalues.
    pub negative: usize,
    /// Zero (or numerically zero / non-finite) pivots.
    pub zero: usize,
}

impl Inertia {
    /// True for the inertia the method wants: (nw, m, 0).
    pub fn is(&self, positive: usize, negative: usize) -> bool {
        self.positive == positive && self.negative == negative && self.zero == 0
    }
}

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
    res: Vec<f64>,
    corr: Vec<f64>,
    /// Pivots smaller than this (relative to the largest diagonal) count as zero.
    pub zero_pivot_tol: f64,
    factored: bool,
}

/// Why a factorization or solve failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LdlError {
    /// The symbolic analysis failed (out of memory or an index overflow).
    #[error("symbolic analysis of the KKT matrix failed: {0}")]
    Symbolic(String),
    /// No workspace could be allocated.
    #[error("out of memory for the KKT factorization workspace")]
    OutOfMemory,
    /// The solution is not finite (the matrix is numerically singular).
    #[error("the KKT matrix is numerically singular")]
    Singular,
}

impl Ldl {
    /// Analyses the structure of `kkt` (the sparse path) or sizes the dense buffers.
    pub fn new(kkt: &KktSystem, kind: LdlKind) -> Result<Self, LdlError> {
        let dim = kkt.dim();
        let (engine, req) = match kind {
            LdlKind::Sparse => {
                let symbolic = factorize_symbolic_cholesky(
                    kkt.symbolic(),
                    Side::Lower,
                    SymmetricOrdering::Amd,
                    Default::default(),
                )
                .map_err(|e| LdlError::Symbolic(format!("{e:?}")))?;
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
        let mem = MemBuffer::try_new(req).map_err(|_| LdlError::OutOfMemory)?;
        Ok(Self {
            engine,
            mem,
            res: vec![0.0; dim],
            corr: vec![0.0; dim],
            zero_pivot_tol: 1e-30,
            factored: false,
        })
    }

    /// Factorizes the assembled (regularized) matrix of `kkt` and returns its inertia.
    pub fn factor(&mut self, kkt: &KktSystem) -> Inertia {
        self.factored = false;
        let scale = kkt.max_diagonal().max(1.0);
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
                        kkt.csc(),
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
                for (j, col) in (0..kkt.dim()).zip(kkt.csc().symbolic().col_ptr().windows(2)) {
                    let rows = &kkt.csc().symbolic().row_idx()[col[0]..col[1]];
                    let vals = &kkt.csc().val()[col[0]..col[1]];
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

    /// Solves K d = b with iterative refinement against the target values of `kkt` (up to
    /// `max_refine` steps, stopping when the residual is at most `tol * max(1, |b|_inf)`).
    /// Returns the final residual's max-norm.
    pub fn solve(
        &mut self,
        kkt: &KktSystem,
        b: &[f64],
        d: &mut [f64],
        max_refine: usize,
        tol: f64,
    ) -> Result<f64, LdlError> {
        debug_assert!(self.factored, "factor before solve");
        d.copy_from_slice(b);
        self.apply(d);
        if d.iter().any(|v| !v.is_finite()) {
            return Err(LdlError::Singular);
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
            return Err(LdlError::Singular);
        }
        Ok(rnorm)
    }

    /// res = b - K d; returns |res|_inf.
    fn residual(&mut self, kkt: &KktSystem, b: &[f64], d: &[f64]) -> f64 {
        kkt.matvec(d, &mut self.res);
        self.res.iter_mut().zip(b).for_each(|(r, bi)| *r = bi - *r);
        norm_inf(&self.res)
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

    /// K = [[H, A^T], [A, -dc]] with H = diag(h), A = [1 .. 1].
    fn system(h: &[f64], dc: f64) -> KktSystem {
        let n = h.len();
        let hp = SparsityPattern::new(n, n, (0..n).collect(), (0..n).collect());
        let jp = SparsityPattern::new(1, n, vec![0; n], (0..n).collect());
        let mut k = KktSystem::new(&hp, &jp, n, 1);
        k.set(Some(h), &vec![0.0; n], 0.0, &vec![1.0; n], dc);
        k
    }

    #[test]
    fn inertia_and_solve_both_engines() {
        for kind in [LdlKind::Sparse, LdlKind::Dense] {
            // Convex: H = diag(1, 2, 3): inertia (3, 1, 0).
            let mut k = system(&[1.0, 2.0, 3.0], 0.0);
            k.assemble_regularized(1e-10);
            let mut ldl = Ldl::new(&k, kind).unwrap();
            let inertia = ldl.factor(&k);
            assert!(inertia.is(3, 1), "{kind:?} {inertia:?}");
            let b = [1.0, 0.0, -1.0, 2.0];
            let mut d = [0.0; 4];
            let r = ldl.solve(&k, &b, &mut d, 5, 1e-14).unwrap();
            assert!(r < 1e-12, "{kind:?} residual {r}");
            let mut kd = [0.0; 4];
            k.matvec(&d, &mut kd);
            for (x, y) in kd.iter().zip(&b) {
                assert!((x - y).abs() < 1e-12);
            }
            // Nonconvex: H = diag(1, -5, 3): inertia (2, 2, 0) -> the method must correct.
            let mut k = system(&[1.0, -5.0, 3.0], 0.0);
            k.assemble_regularized(1e-10);
            let mut ldl = Ldl::new(&k, kind).unwrap();
            let inertia = ldl.factor(&k);
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
        k.set(Some(&v), &vec![0.0; n], 0.0, &[1.0, -1.0, 2.0, 1.0], 0.0);
        k.assemble_regularized(1e-10);
        let mut sparse = Ldl::new(&k, LdlKind::Sparse).unwrap();
        let mut dense = Ldl::new(&k, LdlKind::Dense).unwrap();
        let (a, b) = (sparse.factor(&k), dense.factor(&k));
        assert_eq!(a, b);
        assert_eq!(a.positive + a.negative, n + 2);
    }
}
