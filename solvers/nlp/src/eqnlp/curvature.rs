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

use faer::Side;
use faer::linalg::solvers::Solve;
use faer::sparse::linalg::solvers::{Llt, SymbolicLlt};
use opal_problems::SparsityPattern;

use super::HessianModification;
use super::gram::Gram;
use super::linalg::{dense_general, dense_symmetric, dot, norm};

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

/// Analyzer with cached structures and results.
pub(crate) struct Analyzer {
    n: usize,
    m: usize,
    dense: bool,
    mode: HessianModification,
    xi_b: f64,
    singular_tol: f64,
    /// Required lower bound of lambda_min(Z^T B Z) (besides the relative tolerance).
    margin: f64,
    /// H + t I structure and its symbolic Cholesky (sparse path).
    hsum: Option<(Gram, Option<SymbolicLlt<usize>>)>,
    /// J J^T structure and its symbolic Cholesky (sparse path).
    jjt: Option<(Gram, SymbolicLlt<usize>)>,
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
    pub fn new(
        n: usize,
        m: usize,
        dense_limit: usize,
        mode: HessianModification,
        xi_b: f64,
        singular_tol: f64,
        margin: f64,
    ) -> Self {
        Self {
            n,
            m,
            margin,
            dense: n <= dense_limit,
            mode,
            xi_b,
            singular_tol,
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
    pub fn analyze(
        &mut self,
        hess: &SparsityPattern,
        hv: &[f64],
        jac: &SparsityPattern,
        jv: &[f64],
        h_frob: f64,
        kkt: f64,
    ) -> Analysis {
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
            self.dense_analysis(hess, hv, jac, jv, h_frob)
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
        (PD_TOL * h_frob.max(1.0)).max(self.margin)
    }

    fn shift_for(&self, lambda_min: f64, h_frob: f64) -> f64 {
        let thr = self.pd_threshold(h_frob);
        if lambda_min >= thr {
            return 0.0;
        }
        match self.mode {
            HessianModification::Off => 0.0,
            HessianModification::Minimal => (self.xi_b * self.kkt.min(1.0)).max(thr) - lambda_min,
            HessianModification::Reference => self.xi_b + h_frob,
        }
    }

    fn dense_analysis(
        &mut self,
        hess: &SparsityPattern,
        hv: &[f64],
        jac: &SparsityPattern,
        jv: &[f64],
        h_frob: f64,
    ) -> Analysis {
        let (n, m) = (self.n, self.m);
        let mut xi_g = 1.0;
        let mut singular = false;
        let mut rank = 0;
        let mut z: Option<faer::Mat<f64>> = None;
        if m > 0 {
            let jd = dense_general(jac, jv);
            match jd.svd() {
                Ok(svd) => {
                    let s = svd.S().column_vector();
                    let smax = if s.nrows() > 0 { s[0] } else { 0.0 };
                    rank = (0..s.nrows())
                        .filter(|&i| s[i] > self.singular_tol * smax && s[i] > 0.0)
                        .count();
                    singular = m > n || rank < m;
                    xi_g = if m <= n { s[m - 1] * s[m - 1] } else { 0.0 };
                    let v = svd.V();
                    z = Some(v.subcols(rank, n - rank).to_owned());
                }
                Err(_) => {
                    singular = true;
                    xi_g = 0.0;
                }
            }
            if z.is_none() {
                // No usable basis: treat the whole space as the null space.
                z = Some(faer::Mat::<f64>::identity(n, n));
                rank = 0;
            }
        }
        if self.mode == HessianModification::Off {
            return Analysis {
                shift: 0.0,
                reduced_min: None,
                xi_g,
                singular,
            };
        }
        let hd = dense_symmetric(hess, hv, n);
        let lambda_min = if n - rank == 0 {
            f64::INFINITY
        } else {
            let reduced = match &z {
                Some(z) => {
                    let hz = &hd * z;
                    z.transpose() * &hz
                }
                None => hd,
            };
            match reduced.self_adjoint_eigenvalues(Side::Lower) {
                Ok(ev) => ev.iter().copied().fold(f64::INFINITY, f64::min),
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
        let tol = self.singular_tol;
        if self.jjt.is_none() {
            let g = Gram::new(m, None, Some(&jac.transpose()));
            match SymbolicLlt::try_new(g.symbolic(), Side::Lower) {
                Ok(sym) => self.jjt = Some((g, sym)),
                Err(_) => return (0.0, true),
            }
        }
        self.factorizations += 1;
        let (g, sym) = self.jjt.as_mut().unwrap();
        g.assemble(&[], 0.0, jv, 1.0, 0.0);
        let llt = match Llt::try_new_with_symbolic(sym.clone(), g.as_faer(), Side::Lower) {
            Ok(l) => l,
            Err(_) => return (0.0, true),
        };
        // Inverse iteration from a fixed, generic start vector.
        let mut v = faer::Mat::<f64>::from_fn(m, 1, |i, _| 1.0 + ((i as f64) * 0.618_034).fract());
        let mut lam = f64::INFINITY;
        for _ in 0..8 {
            let nv = v.col(0).norm_l2();
            v /= faer::Scale(nv);
            let w = llt.solve(&v);
            let nw = w.col(0).norm_l2();
            if !nw.is_finite() || nw == 0.0 {
                return (0.0, true);
            }
            v = w;
        }
        let nv = v.col(0).norm_l2();
        v /= faer::Scale(nv);
        // Rayleigh quotient v^T J J^T v = ||J^T v||^2.
        let vs: Vec<f64> = (0..m).map(|i| v[(i, 0)]).collect();
        let mut jtv = vec![0.0; self.n];
        jac.matvec_transpose(jv, &vs, &mut jtv, false);
        lam = lam.min(dot(&jtv, &jtv));
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
        if self.mode == HessianModification::Off {
            return (0.0, None);
        }
        let n = self.n;
        // Gershgorin lower bound of lambda_min(H).
        let mut diag = vec![0.0; n];
        let mut off = vec![0.0; n];
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
        let t_hi = (-lower).min(h_frob) + self.xi_b.max(thr);
        let try_shift = |this: &mut Self, t: f64| -> bool {
            this.factorizations += 1;
            let n = this.n;
            let (gram, sym) = this
                .hsum
                .get_or_insert_with(|| (Gram::new(n, Some(hess), None), None));
            if sym.is_none() {
                match SymbolicLlt::try_new(gram.symbolic(), Side::Lower) {
                    Ok(s) => *sym = Some(s),
                    Err(_) => return false,
                }
            }
            gram.assemble(hv, 1.0, &[], 0.0, t - thr);
            let sym = sym.clone().unwrap();
            Llt::try_new_with_symbolic(sym, gram.as_faer(), Side::Lower).is_ok()
        };
        if try_shift(self, 0.0) {
            return (0.0, Some(gersh));
        }
        match self.mode {
            HessianModification::Reference => (self.xi_b + h_frob, Some(gersh)),
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
                    if try_shift(self, t) {
                        return (t, Some(gersh));
                    }
                    t *= 8.0;
                }
            }
        }
    }
}

/// Least-squares multipliers argmin ||g + J^T lambda|| for small problems (dense), or
/// `None` when J is rank deficient.
pub(crate) fn least_squares_multipliers(
    jac: &SparsityPattern,
    jv: &[f64],
    g: &[f64],
) -> Option<Vec<f64>> {
    let m = jac.nrows();
    let n = jac.ncols();
    if m == 0 {
        return Some(Vec::new());
    }
    // Normal equations J J^T lambda = -J g via a sparse Cholesky (works at any size).
    let gram = {
        let mut gm = Gram::new(m, None, Some(&jac.transpose()));
        gm.assemble(&[], 0.0, jv, 1.0, 0.0);
        gm
    };
    let llt = gram.as_faer().sp_cholesky(Side::Lower).ok()?;
    let mut jg = vec![0.0; m];
    jac.matvec(jv, g, &mut jg, false);
    let rhs = faer::Mat::<f64>::from_fn(m, 1, |i, _| -jg[i]);
    let sol = llt.solve(&rhs);
    let lam: Vec<f64> = (0..m).map(|i| sol[(i, 0)]).collect();
    let _ = n;
    (lam.iter().all(|v| v.is_finite()) && norm(&lam).is_finite()).then_some(lam)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag_pattern(n: usize) -> SparsityPattern {
        SparsityPattern::new(n, n, (0..n).collect(), (0..n).collect())
    }

    #[test]
    fn reduced_hessian_decides_the_shift() {
        // H = diag(1, -1), J = [1, 0]: null space e2, reduced Hessian -1 -> shift xi_b + 1.
        let h = diag_pattern(2);
        let j = SparsityPattern::new(1, 2, vec![0], vec![0]);
        let mut a = Analyzer::new(2, 1, 100, HessianModification::Minimal, 0.1, 1e-10, 0.0);
        let r = a.analyze(&h, &[1.0, -1.0], &j, &[1.0], 2f64.sqrt(), 1.0);
        assert!((r.shift - 1.1).abs() < 1e-12, "{r:?}");
        assert!((r.xi_g - 1.0).abs() < 1e-12 && !r.singular);
        // J = [0, 1]: null space e1, reduced Hessian 1 -> no shift although H is indefinite.
        let j2 = SparsityPattern::new(1, 2, vec![0], vec![1]);
        let mut a = Analyzer::new(2, 1, 100, HessianModification::Minimal, 0.1, 1e-10, 0.0);
        assert_eq!(
            a.analyze(&h, &[1.0, -1.0], &j2, &[1.0], 2f64.sqrt(), 1.0)
                .shift,
            0.0
        );
        let mut a = Analyzer::new(2, 1, 100, HessianModification::Reference, 0.1, 1e-10, 0.0);
        let r = a.analyze(&h, &[1.0, -1.0], &j, &[1.0], 2f64.sqrt(), 1.0);
        assert!((r.shift - (0.1 + 2f64.sqrt())).abs() < 1e-12);
    }

    #[test]
    fn singular_jacobian_is_flagged_dense_and_sparse() {
        let h = diag_pattern(3);
        let j = SparsityPattern::new(2, 3, vec![0, 0, 1, 1], vec![0, 1, 0, 1]);
        for limit in [100, 0] {
            let mut a = Analyzer::new(3, 2, limit, HessianModification::Minimal, 0.1, 1e-10, 0.0);
            let r = a.analyze(&h, &[1.0; 3], &j, &[1.0, 2.0, 2.0, 4.0], 3f64.sqrt(), 1.0);
            assert!(r.singular, "limit {limit}: {r:?}");
            let r = a.analyze(&h, &[1.0; 3], &j, &[1.0, 2.0, 2.0, 5.0], 3f64.sqrt(), 1.0);
            assert!(!r.singular, "limit {limit}: {r:?}");
        }
    }

    #[test]
    fn sparse_path_estimates_xi_g_and_shift() {
        // J = [[2, 0, 0], [0, 1, 1]]: J J^T = diag(4, 2), xi_G = 2.
        let h = diag_pattern(3);
        let j = SparsityPattern::new(2, 3, vec![0, 1, 1], vec![0, 1, 2]);
        let mut a = Analyzer::new(3, 2, 0, HessianModification::Minimal, 0.1, 1e-10, 0.0);
        let r = a.analyze(
            &h,
            &[1.0, -2.0, 3.0],
            &j,
            &[2.0, 1.0, 1.0],
            14f64.sqrt(),
            1.0,
        );
        assert!((r.xi_g - 2.0).abs() < 1e-3, "{r:?}");
        // lambda_min(H) = -2: the Cholesky search must find a shift in (2, 2 + xi_b].
        assert!(r.shift > 2.0 && r.shift <= 2.1 + 1e-12, "{r:?}");
        // Diagonally dominant positive H: no shift, from Gershgorin alone.
        let mut a = Analyzer::new(3, 2, 0, HessianModification::Minimal, 0.1, 1e-10, 0.0);
        let r = a.analyze(
            &h,
            &[1.0, 2.0, 3.0],
            &j,
            &[2.0, 1.0, 1.0],
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
