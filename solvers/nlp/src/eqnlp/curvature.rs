//! Curvature and regularity analysis at an iterate: the Hessian modification shift t
//! (B = H + t I) and the smallest eigenvalue xi_G of J J^T (singular Jacobian test and
//! the accuracy constant psi of the sketched solver).
//!
//! Small problems (n <= `dense_limit`) are analysed exactly with dense linear algebra:
//! an SVD of J gives xi_G and a null-space basis Z, and the eigenvalues of Z^T H Z give
//! the smallest shift that makes the reduced Hessian positive definite. Larger problems
//! never form dense n x n matrices: xi_G is estimated by inverse iteration with a sparse
//! Cholesky factor of J J^T, and the shift comes from a Gershgorin bound or from sparse
//! Cholesky factorizations of H + t I (which make B positive definite on the whole space).
//! Results are cached while H and J keep the same values (constant for QPs).
//!
//! Every matrix, factor and workspace is sized on first use and reused: an analysis
//! allocates nothing after the first (the same faer routines as `Mat::svd`,
//! `self_adjoint_eigenvalues` and sparse `Llt`, called on kept buffers).

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::evd::{self, ComputeEigenvectors};
use faer::linalg::matmul::matmul;
use faer::linalg::svd::{self, ComputeSvdVectors};
use faer::{Accum, Mat, Par};
use opal_core::linalg::{dot, norm};
use opal_problems::SparsityPattern;

use super::dense::{fill_general, fill_symmetric};
use super::gram::{Gram, GramCholesky};
use super::kkt::Derivatives;
use super::options::HessianModification;

/// What the analysis found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Analysis {
    /// Shift t of B = H + t I.
    pub shift: f64,
    /// Smallest eigenvalue of Z^T H Z when computed (dense path), or a lower bound of
    /// lambda_min(H) (Gershgorin) in the sparse path; `None` when unknown.
    pub reduced_min: Option<f64>,
    /// Smallest eigenvalue of J J^T (estimate in the sparse path; 1 when m = 0).
    pub xi_g: f64,
    /// J has (numerically) deficient row rank.
    pub singular: bool,
}

/// The constants of an [`Analyzer`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnalyzerConfig {
    /// Dense analysis up to this many variables.
    pub dense_limit: usize,
    /// The Hessian modification.
    pub mode: HessianModification,
    /// xi_B.
    pub xi_b: f64,
    /// Relative singular-value threshold of J.
    pub singular_tol: f64,
    /// Required lower bound of lambda_min(Z^T B Z) (besides the relative tolerance).
    pub margin: f64,
}

/// Dense matrices of the exact analysis, sized once (n <= dense_limit).
struct DenseWork {
    jd: Mat<f64>,
    u: Mat<f64>,
    v: Mat<f64>,
    s: Diag<f64>,
    hd: Mat<f64>,
    hz: Mat<f64>,
    reduced: Mat<f64>,
    eig: Diag<f64>,
    mem: MemBuffer,
    par: Par,
}

impl DenseWork {
    fn new(n: usize, m: usize) -> Self {
        // Sequential: at n <= dense_limit threads hardly pay, the results are the same
        // bit for bit, and faer's rayon kernels allocate on every call.
        let par = Par::Seq;
        let mut req = svd::svd_scratch::<f64>(
            m,
            n,
            ComputeSvdVectors::Full,
            ComputeSvdVectors::Full,
            par,
            Default::default(),
        );
        for k in 1..=n {
            req = req.or(evd::self_adjoint_evd_scratch::<f64>(
                k,
                ComputeEigenvectors::No,
                par,
                Default::default(),
            ));
        }
        Self {
            jd: Mat::zeros(m, n),
            u: Mat::zeros(m, m),
            v: Mat::zeros(n, n),
            s: Diag::zeros(m.min(n)),
            hd: Mat::zeros(n, n),
            hz: Mat::zeros(n, n),
            reduced: Mat::zeros(n, n),
            eig: Diag::zeros(n),
            mem: MemBuffer::new(req.or(StackReq::EMPTY)),
            par,
        }
    }
}

/// Sparse-path workspaces, sized once.
struct SparseWork {
    /// Gershgorin: diagonal and off-diagonal row sums of H.
    diag: Vec<f64>,
    off: Vec<f64>,
    /// Inverse iteration vectors (m x 1) and J^T v.
    v: Mat<f64>,
    w: Mat<f64>,
    jtv: Vec<f64>,
}

/// Analyzer with cached structures and results.
pub(crate) struct Analyzer {
    n: usize,
    m: usize,
    dense: bool,
    cfg: AnalyzerConfig,
    dense_work: Option<DenseWork>,
    sparse_work: SparseWork,
    /// H + t I and its Cholesky (sparse path); `Some(None)` when its analysis failed.
    hsum: Option<Option<GramCholesky>>,
    /// J J^T and its Cholesky (sparse path).
    jjt: Option<GramCholesky>,
    last_j: Vec<f64>,
    last_h: Vec<f64>,
    last: Option<Analysis>,
    last_shift: f64,
    /// Cholesky factorizations performed so far (sparse path).
    pub factorizations: usize,
    /// KKT residual of the current analysis.
    kkt: f64,
}

/// Relative threshold of "sufficiently positive definite": lambda_min >= PD_TOL * max(1, ||H||_F).
const PD_TOL: f64 = 1e-8;

impl Analyzer {
    /// Prepares an analyzer for n variables and m constraints.
    pub fn new(n: usize, m: usize, cfg: AnalyzerConfig) -> Self {
        let dense = n <= cfg.dense_limit;
        let sparse = if dense { (0, 0) } else { (n, m) };
        Self {
            n,
            m,
            dense,
            cfg,
            dense_work: None,
            sparse_work: SparseWork {
                diag: vec![0.0; sparse.0],
                off: vec![0.0; sparse.0],
                v: Mat::zeros(sparse.1, 1),
                w: Mat::zeros(sparse.1, 1),
                jtv: vec![0.0; sparse.0],
            },
            hsum: None,
            jjt: None,
            last_j: Vec::new(),
            last_h: Vec::new(),
            last: None,
            last_shift: 0.0,
            factorizations: 0,
            kkt: 1.0,
        }
    }

    /// Analyses H (lower pattern `hess`, values `hv`) and J (`jac`, `jv`); `h_frob` is
    /// ||H||_F and `kkt` the current KKT residual: the minimal shift leaves the reduced
    /// Hessian a margin xi_b min(1, kkt) above zero, so that shifts fade near a solution
    /// (superlinear convergence on problems whose Hessian degenerates there).
    pub fn analyze(&mut self, d: Derivatives<'_>, h_frob: f64, kkt: f64) -> Analysis {
        let Derivatives { hess, hv, jac, jv } = d;
        self.kkt = kkt;
        let same_j = self.last.is_some() && self.last_j.as_slice() == jv;
        let same_h = same_j && self.last_h.as_slice() == hv;
        if same_h {
            let mut a = self.last.unwrap();
            if self.dense
                && let Some(lm) = a.reduced_min
            {
                a.shift = self.shift_for(lm, h_frob);
            }
            return a;
        }
        let a = if self.dense {
            self.dense_analysis(d, h_frob)
        } else {
            let (xi_g, singular) = match (same_j, self.last) {
                (true, Some(last)) => (last.xi_g, last.singular),
                _ => self.sparse_jacobian(jac, jv),
            };
            let (shift, reduced_min) = self.sparse_shift(hess, hv, h_frob);
            Analysis {
                shift,
                reduced_min,
                xi_g,
                singular,
            }
        };
        self.last_j.clear();
        self.last_j.extend_from_slice(jv);
        self.last_h.clear();
        self.last_h.extend_from_slice(hv);
        self.last = Some(a);
        self.last_shift = a.shift;
        a
    }

    fn pd_threshold(&self, h_frob: f64) -> f64 {
        (PD_TOL * h_frob.max(1.0)).max(self.cfg.margin)
    }

    fn shift_for(&self, lambda_min: f64, h_frob: f64) -> f64 {
        let thr = self.pd_threshold(h_frob);
        if lambda_min >= thr {
            return 0.0;
        }
        match self.cfg.mode {
            HessianModification::Off => 0.0,
            HessianModification::Minimal => {
                (self.cfg.xi_b * self.kkt.min(1.0)).max(thr) - lambda_min
            }
            HessianModification::Reference => self.cfg.xi_b + h_frob,
        }
    }

    fn dense_analysis(&mut self, d: Derivatives<'_>, h_frob: f64) -> Analysis {
        let Derivatives { hess, hv, jac, jv } = d;
        let (n, m) = (self.n, self.m);
        let singular_tol = self.cfg.singular_tol;
        let w = self.dense_work.get_or_insert_with(|| DenseWork::new(n, m));
        let mut xi_g = 1.0;
        let mut singular = false;
        let mut rank = 0;
        // The null-space basis: the last n - rank right singular vectors; `None` with
        // m = 0 (the whole space, Z = I).
        let mut basis: Option<bool> = None;
        if m > 0 {
            fill_general(jac, jv, w.jd.as_mut());
            // Fresh outputs, as `Mat::svd` has: the SVD completes V from what it holds.
            w.u.fill(0.0);
            w.v.fill(0.0);
            w.s.column_vector_mut().fill(0.0);
            let ok = svd::svd(
                w.jd.as_ref(),
                w.s.as_mut(),
                Some(w.u.as_mut()),
                Some(w.v.as_mut()),
                w.par,
                MemStack::new(&mut w.mem),
                Default::default(),
            );
            match ok {
                Ok(()) => {
                    let s = w.s.column_vector();
                    let smax = if s.nrows() > 0 { s[0] } else { 0.0 };
                    rank = (0..s.nrows())
                        .filter(|&i| s[i] > singular_tol * smax && s[i] > 0.0)
                        .count();
                    singular = m > n || rank < m;
                    xi_g = if m <= n { s[m - 1] * s[m - 1] } else { 0.0 };
                    basis = Some(true);
                }
                Err(_) => {
                    singular = true;
                    xi_g = 0.0;
                    // No usable basis: treat the whole space as the null space (Z = I;
                    // the only allocation of the analysis, on an SVD failure).
                    w.v = Mat::identity(n, n);
                    rank = 0;
                    basis = Some(true);
                }
            }
        }
        if self.cfg.mode == HessianModification::Off {
            return Analysis {
                shift: 0.0,
                reduced_min: None,
                xi_g,
                singular,
            };
        }
        fill_symmetric(hess, hv, w.hd.as_mut());
        let k = n - rank;
        let lambda_min = if k == 0 {
            f64::INFINITY
        } else {
            let reduced = match basis {
                Some(_) => {
                    let z = w.v.as_ref().subcols(rank, k);
                    let mut hz = w.hz.as_mut().subcols_mut(0, k);
                    matmul(hz.as_mut(), Accum::Replace, w.hd.as_ref(), z, 1.0, w.par);
                    let mut reduced = w.reduced.as_mut().submatrix_mut(0, 0, k, k);
                    matmul(
                        reduced.as_mut(),
                        Accum::Replace,
                        z.transpose(),
                        w.hz.as_ref().subcols(0, k),
                        1.0,
                        w.par,
                    );
                    w.reduced.as_ref().submatrix(0, 0, k, k)
                }
                None => w.hd.as_ref(),
            };
            let mut eig = w.eig.column_vector_mut().subrows_mut(0, k);
            eig.fill(0.0);
            let eig = eig.as_diagonal_mut();
            match evd::self_adjoint_evd(
                reduced,
                eig,
                None,
                w.par,
                MemStack::new(&mut w.mem),
                Default::default(),
            ) {
                Ok(()) => w
                    .eig
                    .column_vector()
                    .subrows(0, k)
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min),
                Err(_) => -h_frob,
            }
        };
        Analysis {
            shift: self.shift_for(lambda_min, h_frob),
            reduced_min: lambda_min.is_finite().then_some(lambda_min),
            xi_g,
            singular,
        }
    }

    /// xi_G and the singular flag from a sparse Cholesky of J J^T and inverse iteration.
    fn sparse_jacobian(&mut self, jac: &SparsityPattern, jv: &[f64]) -> (f64, bool) {
        let m = self.m;
        if m == 0 {
            return (1.0, false);
        }
        let tol = self.cfg.singular_tol;
        if self.jjt.is_none() {
            match GramCholesky::new(Gram::new(m, None, Some(&jac.transpose()))) {
                Some(c) => self.jjt = Some(c),
                None => return (0.0, true),
            }
        }
        self.factorizations += 1;
        let Some(chol) = self.jjt.as_mut() else {
            unreachable!("set above")
        };
        chol.gram.assemble(&[], 0.0, jv, 1.0, 0.0);
        if !chol.factor() {
            return (0.0, true);
        }
        // Inverse iteration from a fixed, generic start vector.
        let w = &mut self.sparse_work;
        for i in 0..m {
            w.v[(i, 0)] = 1.0 + ((i as f64) * 0.618_034).fract();
        }
        let mut lam = f64::INFINITY;
        for _ in 0..8 {
            let nv = w.v.col(0).norm_l2();
            w.v /= faer::Scale(nv);
            w.w.copy_from(&w.v);
            chol.solve_in_place(w.w.as_mut());
            let nw = w.w.col(0).norm_l2();
            if !nw.is_finite() || nw == 0.0 {
                return (0.0, true);
            }
            std::mem::swap(&mut w.v, &mut w.w);
        }
        let nv = w.v.col(0).norm_l2();
        w.v /= faer::Scale(nv);
        // Rayleigh quotient v^T J J^T v = ||J^T v||^2.
        let vs =
            w.v.col(0)
                .try_as_col_major()
                .expect("a column of a Mat is contiguous")
                .as_slice();
        jac.matvec_transpose(jv, vs, &mut w.jtv, false);
        lam = lam.min(dot(&w.jtv, &w.jtv));
        let jf2: f64 = jv.iter().map(|v| v * v).sum();
        (lam, lam <= tol * tol * jf2 || !lam.is_finite())
    }

    /// Shift for large problems: Gershgorin, then Cholesky tests of H + t I.
    fn sparse_shift(
        &mut self,
        hess: &SparsityPattern,
        hv: &[f64],
        h_frob: f64,
    ) -> (f64, Option<f64>) {
        if self.cfg.mode == HessianModification::Off {
            return (0.0, None);
        }
        let n = self.n;
        // Gershgorin lower bound of lambda_min(H).
        let SparseWork { diag, off, .. } = &mut self.sparse_work;
        diag.fill(0.0);
        off.fill(0.0);
        for ((r, c), v) in hess.iter().zip(hv) {
            if r == c {
                diag[r] += v;
            } else {
                off[r] += v.abs();
                off[c] += v.abs();
            }
        }
        let gersh = (0..n)
            .map(|i| diag[i] - off[i])
            .fold(f64::INFINITY, f64::min);
        let thr = self.pd_threshold(h_frob);
        if gersh >= thr {
            return (0.0, Some(gersh));
        }
        let lower = gersh.min(0.0);
        // Shifts that surely give B >= thr I: -lambda_min bound + max(xi_b, thr).
        let t_hi = (-lower).min(h_frob) + self.cfg.xi_b.max(thr);
        if self.positive_definite_with(hess, hv, 0.0 - thr) {
            return (0.0, Some(gersh));
        }
        match self.cfg.mode {
            HessianModification::Reference => (self.cfg.xi_b + h_frob, Some(gersh)),
            _ => {
                let mut t = if self.last_shift > 0.0 {
                    (self.last_shift / 3.0).max(1e-4)
                } else {
                    1e-4 * h_frob.max(1.0)
                };
                loop {
                    if t >= t_hi {
                        return (t_hi, Some(gersh));
                    }
                    if self.positive_definite_with(hess, hv, t - thr) {
                        return (t, Some(gersh));
                    }
                    t *= 8.0;
                }
            }
        }
    }

    /// True when H + shift I has a Cholesky factorization.
    fn positive_definite_with(&mut self, hess: &SparsityPattern, hv: &[f64], shift: f64) -> bool {
        self.factorizations += 1;
        let n = self.n;
        let chol = self
            .hsum
            .get_or_insert_with(|| GramCholesky::new(Gram::new(n, Some(hess), None)));
        let Some(chol) = chol else {
            return false;
        };
        chol.gram.assemble(hv, 1.0, &[], 0.0, shift);
        chol.factor()
    }
}

/// Least-squares multipliers argmin ||g + J^T lambda|| (normal equations with a sparse
/// Cholesky, at any size), or `None` when J is rank deficient. Called once per solve.
pub(crate) fn least_squares_multipliers(
    jac: &SparsityPattern,
    jv: &[f64],
    g: &[f64],
) -> Option<Vec<f64>> {
    let m = jac.nrows();
    if m == 0 {
        return Some(Vec::new());
    }
    // Normal equations J J^T lambda = -J g.
    let mut chol = GramCholesky::new(Gram::new(m, None, Some(&jac.transpose())))?;
    chol.gram.assemble(&[], 0.0, jv, 1.0, 0.0);
    if !chol.factor() {
        return None;
    }
    let mut jg = vec![0.0; m];
    jac.matvec(jv, g, &mut jg, false);
    let mut sol = Mat::<f64>::from_fn(m, 1, |i, _| -jg[i]);
    chol.solve_in_place(sol.as_mut());
    let lam: Vec<f64> = (0..m).map(|i| sol[(i, 0)]).collect();
    (lam.iter().all(|v| v.is_finite()) && norm(&lam).is_finite()).then_some(lam)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(
        dense_limit: usize,
        mode: HessianModification,
        xi_b: f64,
        singular_tol: f64,
        margin: f64,
    ) -> AnalyzerConfig {
        AnalyzerConfig {
            dense_limit,
            mode,
            xi_b,
            singular_tol,
            margin,
        }
    }

    fn diag_pattern(n: usize) -> SparsityPattern {
        SparsityPattern::new(n, n, (0..n).collect(), (0..n).collect())
    }

    #[test]
    fn reduced_hessian_decides_the_shift() {
        // H = diag(1, -1), J = [1, 0]: null space e2, reduced Hessian -1 -> shift xi_b + 1.
        let h = diag_pattern(2);
        let j = SparsityPattern::new(1, 2, vec![0], vec![0]);
        let mut a = Analyzer::new(
            2,
            1,
            cfg(100, HessianModification::Minimal, 0.1, 1e-10, 0.0),
        );
        let r = a.analyze(
            Derivatives::new(&h, &[1.0, -1.0], &j, &[1.0]),
            2f64.sqrt(),
            1.0,
        );
        assert!((r.shift - 1.1).abs() < 1e-12, "{r:?}");
        assert!((r.xi_g - 1.0).abs() < 1e-12 && !r.singular);
        // J = [0, 1]: null space e1, reduced Hessian 1 -> no shift although H is indefinite.
        let j2 = SparsityPattern::new(1, 2, vec![0], vec![1]);
        let mut a = Analyzer::new(
            2,
            1,
            cfg(100, HessianModification::Minimal, 0.1, 1e-10, 0.0),
        );
        assert_eq!(
            a.analyze(
                Derivatives::new(&h, &[1.0, -1.0], &j2, &[1.0]),
                2f64.sqrt(),
                1.0
            )
            .shift,
            0.0
        );
        let mut a = Analyzer::new(
            2,
            1,
            cfg(100, HessianModification::Reference, 0.1, 1e-10, 0.0),
        );
        let r = a.analyze(
            Derivatives::new(&h, &[1.0, -1.0], &j, &[1.0]),
            2f64.sqrt(),
            1.0,
        );
        assert!((r.shift - (0.1 + 2f64.sqrt())).abs() < 1e-12);
    }

    #[test]
    fn singular_jacobian_is_flagged_dense_and_sparse() {
        let h = diag_pattern(3);
        let j = SparsityPattern::new(2, 3, vec![0, 0, 1, 1], vec![0, 1, 0, 1]);
        for limit in [100, 0] {
            let mut a = Analyzer::new(
                3,
                2,
                cfg(limit, HessianModification::Minimal, 0.1, 1e-10, 0.0),
            );
            let r = a.analyze(
                Derivatives::new(&h, &[1.0; 3], &j, &[1.0, 2.0, 2.0, 4.0]),
                3f64.sqrt(),
                1.0,
            );
            assert!(r.singular, "limit {limit}: {r:?}");
            let r = a.analyze(
                Derivatives::new(&h, &[1.0; 3], &j, &[1.0, 2.0, 2.0, 5.0]),
                3f64.sqrt(),
                1.0,
            );
            assert!(!r.singular, "limit {limit}: {r:?}");
        }
    }

    #[test]
    fn sparse_path_estimates_xi_g_and_shift() {
        // J = [[2, 0, 0], [0, 1, 1]]: J J^T = diag(4, 2), xi_G = 2.
        let h = diag_pattern(3);
        let j = SparsityPattern::new(2, 3, vec![0, 1, 1], vec![0, 1, 2]);
        let mut a = Analyzer::new(3, 2, cfg(0, HessianModification::Minimal, 0.1, 1e-10, 0.0));
        let r = a.analyze(
            Derivatives::new(&h, &[1.0, -2.0, 3.0], &j, &[2.0, 1.0, 1.0]),
            14f64.sqrt(),
            1.0,
        );
        assert!((r.xi_g - 2.0).abs() < 1e-3, "{r:?}");
        // lambda_min(H) = -2: the Cholesky search must find a shift in (2, 2 + xi_b].
        assert!(r.shift > 2.0 && r.shift <= 2.1 + 1e-12, "{r:?}");
        // Diagonally dominant positive H: no shift, from Gershgorin alone.
        let mut a = Analyzer::new(3, 2, cfg(0, HessianModification::Minimal, 0.1, 1e-10, 0.0));
        let r = a.analyze(
            Derivatives::new(&h, &[1.0, 2.0, 3.0], &j, &[2.0, 1.0, 1.0]),
            14f64.sqrt(),
            1.0,
        );
        assert_eq!(r.shift, 0.0);
    }

    #[test]
    fn least_squares_multipliers_solve_the_normal_equations() {
        let j = SparsityPattern::new(1, 2, vec![0, 0], vec![0, 1]);
        let lam = least_squares_multipliers(&j, &[1.0, 1.0], &[2.0, 4.0]).unwrap();
        assert!((lam[0] + 3.0).abs() < 1e-12);
    }
}
