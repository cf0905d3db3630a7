//! The interior point's inexact [`KktSolver`]: preconditioned MINRES on the symmetric
//! indefinite primal-dual system, in the spirit of Curtis, Schenk & Wächter ("An
//! interior-point algorithm for large-scale nonlinear optimization with inexact step
//! computations", SIAM J. Sci. Comput. 32 (2010)):
//!
//! - the iteration stops once ||K d - b||_2 <= `target`, a fraction of the outer residual
//!   (the right-hand side is the barrier problem's KKT residual, so the caller ties the
//!   request to it, see `State::step_accuracy`), and accepts up to `usable`;
//! - it cannot count eigenvalues, so [`KktSolver::factor`] returns no inertia and a step
//!   whose primal part has negative curvature, dw^T (W + Sigma + delta_w I) dw < 0, is
//!   refused with [`KktError::NegativeCurvature`]: the caller raises delta_w as its
//!   inertia correction would and solves again (the paper's Hessian modification);
//! - the preconditioner is block diagonal and positive definite: |diag(W + Sigma +
//!   delta_w I)| on the primal block and the diagonal of A P_w^-1 A^T + delta_c I (the
//!   Schur complement's) on the dual block;
//! - when MINRES misses `usable` within its iterations, or the request is
//!   [`Accuracy::Exact`] / [`Accuracy::Refined`], the step comes from the direct
//!   factorization ([`Ldl`], factorized only then), whose wrong inertia is reported as
//!   negative curvature too. [`KktSolver::fallbacks`] counts the misses.

use opal_core::linalg::{dot, norm, norm_inf};

use super::kkt::KktSystem;
use super::ldl::Ldl;
use crate::eqnlp::{Accuracy, Inertia, KktError, KktSolver, Regularization, SolveReport};

/// MINRES workspace and the direct fallback for one KKT structure.
pub(crate) struct KrylovKkt {
    nw: usize,
    /// Regularized values of the system (pattern order).
    values: Vec<f64>,
    /// Inverse of the diagonal preconditioner.
    inv_precond: Vec<f64>,
    reg: Regularization,
    direct: Ldl,
    direct_factored: bool,
    fallbacks: usize,
    r1: Vec<f64>,
    r2: Vec<f64>,
    y: Vec<f64>,
    v: Vec<f64>,
    w: Vec<f64>,
    w1: Vec<f64>,
    w2: Vec<f64>,
    res: Vec<f64>,
}

impl KrylovKkt {
    /// The workspace for `kkt`, with `direct` as the fallback.
    pub fn new(kkt: &KktSystem, direct: Ldl) -> Self {
        let dim = kkt.dim();
        let z = || vec![0.0; dim];
        Self {
            nw: kkt.nw(),
            values: vec![0.0; kkt.value_count()],
            inv_precond: z(),
            reg: Regularization::default(),
            direct,
            direct_factored: false,
            fallbacks: 0,
            r1: z(),
            r2: z(),
            y: z(),
            v: z(),
            w: z(),
            w1: z(),
            w2: z(),
            res: z(),
        }
    }

    /// The block-diagonal preconditioner of the current values (inverted).
    fn precondition(&mut self, k: &KktSystem) {
        let nw = self.nw;
        let p = &mut self.inv_precond;
        p.fill(0.0);
        for (r, c, v) in k.entries(&self.values) {
            if r == c && r < nw {
                p[r] += v;
            }
        }
        let big = norm_inf(&p[..nw]).max(1.0);
        for d in &mut p[..nw] {
            *d = d.abs().max(1e-8 * big);
        }
        for (r, c, v) in k.entries(&self.values) {
            if r >= nw && c < nw {
                p[r] += v * v / p[c];
            }
        }
        for d in &mut p[nw..] {
            *d = (*d + self.reg.delta_c).max(1e-8);
        }
        p.iter_mut().for_each(|d| *d = 1.0 / *d);
    }

    /// Preconditioned MINRES for K d = b from d = 0 until ||K d - b||_2 <= target (checked
    /// on the true residual) or `max_it` iterations; the iterations done.
    fn minres(
        &mut self,
        k: &KktSystem,
        b: &[f64],
        d: &mut [f64],
        target: f64,
        max_it: usize,
        stop: &dyn Fn() -> bool,
    ) -> usize {
        d.fill(0.0);
        self.r1.copy_from_slice(b);
        self.r2.copy_from_slice(b);
        precondition_into(&self.inv_precond, &self.r1, &mut self.y);
        let beta1 = dot(&self.r1, &self.y).max(0.0).sqrt();
        let bnorm = norm(b);
        if beta1 == 0.0 || bnorm <= target {
            return 0;
        }
        self.w.fill(0.0);
        self.w2.fill(0.0);
        let (mut oldb, mut beta, mut dbar, mut epsln, mut phibar) = (0.0, beta1, 0.0, 0.0, beta1);
        let (mut cs, mut sn) = (-1.0f64, 0.0f64);
        let relative = target / bnorm;
        for it in 1..=max_it {
            let s = 1.0 / beta;
            self.v.iter_mut().zip(&self.y).for_each(|(v, y)| *v = s * y);
            k.matvec_with(&self.values, &self.v, &mut self.y);
            if it >= 2 {
                let f = beta / oldb;
                self.y
                    .iter_mut()
                    .zip(&self.r1)
                    .for_each(|(y, r)| *y -= f * r);
            }
            let alfa = dot(&self.v, &self.y);
            let f = alfa / beta;
            self.y
                .iter_mut()
                .zip(&self.r2)
                .for_each(|(y, r)| *y -= f * r);
            std::mem::swap(&mut self.r1, &mut self.r2);
            std::mem::swap(&mut self.r2, &mut self.y);
            precondition_into(&self.inv_precond, &self.r2, &mut self.y);
            oldb = beta;
            beta = dot(&self.r2, &self.y).max(0.0).sqrt();
            let oldeps = epsln;
            let delta = cs * dbar + sn * alfa;
            let gbar = sn * dbar - cs * alfa;
            epsln = sn * beta;
            dbar = -cs * beta;
            let gamma = gbar.hypot(beta).max(f64::EPSILON);
            cs = gbar / gamma;
            sn = beta / gamma;
            let phi = cs * phibar;
            phibar *= sn;
            let denom = 1.0 / gamma;
            std::mem::swap(&mut self.w1, &mut self.w2);
            std::mem::swap(&mut self.w2, &mut self.w);
            for i in 0..d.len() {
                self.w[i] = (self.v[i] - oldeps * self.w1[i] - delta * self.w2[i]) * denom;
                d[i] += phi * self.w[i];
            }
            // phibar / beta1 is the relative residual in the preconditioner's norm: check
            // the true residual when it says done (and now and then).
            let estimate_done = phibar <= relative * beta1;
            if (estimate_done || it % 25 == 0) && self.residual(k, b, d) <= target {
                return it;
            }
            if beta == 0.0 || (it % 50 == 0 && stop()) {
                return it;
            }
        }
        max_it
    }

    /// res = b - K d; its 2-norm.
    fn residual(&mut self, k: &KktSystem, b: &[f64], d: &[f64]) -> f64 {
        k.matvec_with(&self.values, d, &mut self.res);
        self.res.iter_mut().zip(b).for_each(|(r, bi)| *r = bi - *r);
        norm(&self.res)
    }

    /// dw^T (W + Sigma + delta_w I) dw of the primal part of `d`.
    fn curvature(&mut self, k: &KktSystem, d: &[f64]) -> f64 {
        let nw = self.nw;
        self.v[..nw].copy_from_slice(&d[..nw]);
        self.v[nw..].fill(0.0);
        k.matvec_with(&self.values, &self.v, &mut self.y);
        dot(&self.v[..nw], &self.y[..nw])
    }

    /// The direct solve of the fallback (factorized on first use); a factorization with
    /// the wrong inertia is reported as negative curvature.
    fn direct_solve(
        &mut self,
        k: &KktSystem,
        b: &[f64],
        d: &mut [f64],
        accuracy: Accuracy,
        stop: &dyn Fn() -> bool,
    ) -> Result<SolveReport, KktError> {
        if !self.direct_factored {
            let inertia = self.direct.factor(k, self.reg)?;
            let m = k.dim() - self.nw;
            if inertia.is_some_and(|i| !i.is(self.nw, m)) {
                return Err(KktError::NegativeCurvature);
            }
            self.direct_factored = true;
        }
        self.direct.solve(k, b, d, accuracy, stop)
    }
}

/// out = P^-1 r for a diagonal preconditioner given by its inverse.
fn precondition_into(inv: &[f64], r: &[f64], out: &mut [f64]) {
    for ((o, p), v) in out.iter_mut().zip(inv).zip(r) {
        *o = p * v;
    }
}

impl KktSolver<KktSystem> for KrylovKkt {
    /// Prepares the values and the preconditioner; the inertia is unknown (`None`).
    fn factor(&mut self, k: &KktSystem, reg: Regularization) -> Result<Option<Inertia>, KktError> {
        self.reg = reg;
        self.direct_factored = false;
        k.regularized_values(reg, &mut self.values);
        self.precondition(k);
        Ok(None)
    }

    /// MINRES for [`Accuracy::Inexact`] requests (the direct fallback when it misses
    /// `usable`), the direct solve for the others. Residuals are max-norms.
    fn solve(
        &mut self,
        k: &KktSystem,
        b: &[f64],
        d: &mut [f64],
        accuracy: Accuracy,
        stop: &dyn Fn() -> bool,
    ) -> Result<SolveReport, KktError> {
        let Accuracy::Inexact {
            target,
            usable,
            max_iterations,
            ..
        } = accuracy
        else {
            return self.direct_solve(k, b, d, accuracy, stop);
        };
        let iterations = self.minres(k, b, d, target, max_iterations, stop);
        let r = self.residual(k, b, d);
        if r.is_nan() || r > usable {
            self.fallbacks += 1;
            let mut report = self.direct_solve(k, b, d, Accuracy::Exact, stop)?;
            report.iterations = iterations;
            report.reached = report.residual <= 1e-6 * norm_inf(b).max(1.0);
            return Ok(report);
        }
        if self.curvature(k, d) < 0.0 {
            return Err(KktError::NegativeCurvature);
        }
        Ok(SolveReport {
            residual: norm_inf(&self.res),
            iterations,
            reached: true,
            stalled: false,
            stopped: false,
        })
    }

    fn fallbacks(&self) -> usize {
        self.fallbacks
    }
}

#[cfg(test)]
mod tests {
    use super::super::ldl::LdlKind;
    use super::*;
    use opal_problems::SparsityPattern;

    /// K = [[diag(h), A^T], [A, 0]] with a tridiagonal coupling in H and A = two rows.
    fn system(h: &[f64]) -> KktSystem {
        let n = h.len();
        let (mut r, mut c, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            r.push(i);
            c.push(i);
            v.push(h[i]);
            if i > 0 {
                r.push(i);
                c.push(i - 1);
                v.push(0.1);
            }
        }
        let hp = SparsityPattern::new(n, n, r, c);
        let jp = SparsityPattern::new(2, n, vec![0, 0, 1, 1], vec![0, 1, 1, n - 1]);
        let mut k = KktSystem::new(&hp, &jp, n, 2);
        k.set(Some(&v), &vec![0.5; n], &[1.0, 2.0, -1.0, 1.0]);
        k
    }

    fn krylov(k: &KktSystem) -> KrylovKkt {
        KrylovKkt::new(k, Ldl::new(k, LdlKind::Dense, 1e-10).unwrap())
    }

    fn inexact(target: f64) -> Accuracy {
        Accuracy::Inexact {
            target,
            usable: 10.0 * target,
            max_iterations: 200,
            resume: false,
        }
    }

    #[test]
    fn minres_meets_the_requested_residual_and_agrees_with_the_direct_solve() {
        let k = system(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let mut kr = krylov(&k);
        assert_eq!(kr.factor(&k, Regularization::default()).unwrap(), None);
        let b: Vec<f64> = (0..8).map(|i| (i as f64 - 3.5) * 0.3).collect();
        let mut d = vec![0.0; 8];
        let rep = kr.solve(&k, &b, &mut d, inexact(1e-10), &|| false).unwrap();
        assert!(rep.reached && rep.iterations > 0, "{rep:?}");
        assert_eq!(kr.fallbacks(), 0);
        let mut exact = vec![0.0; 8];
        let mut ldl = Ldl::new(&k, LdlKind::Sparse, 1e-10).unwrap();
        ldl.factor(&k, Regularization::default()).unwrap();
        ldl.solve(&k, &b, &mut exact, Accuracy::Exact, &|| false)
            .unwrap();
        for (a, e) in d.iter().zip(&exact) {
            assert!((a - e).abs() < 1e-8, "{d:?} vs {exact:?}");
        }
        // A loose request stops earlier.
        let mut loose = vec![0.0; 8];
        let r2 = kr
            .solve(&k, &b, &mut loose, inexact(1e-2), &|| false)
            .unwrap();
        assert!(r2.iterations < rep.iterations, "{r2:?} {rep:?}");
    }

    #[test]
    fn negative_curvature_is_refused_and_regularization_cures_it() {
        // H = diag(-4, ...): the primal block is indefinite on the null space of A.
        let k = system(&[-4.0, -4.0, -4.0, -4.0, -4.0, -4.0]);
        let mut kr = krylov(&k);
        kr.factor(&k, Regularization::default()).unwrap();
        let b = vec![1.0; 8];
        let mut d = vec![0.0; 8];
        let e = kr.solve(&k, &b, &mut d, inexact(1e-10), &|| false);
        assert_eq!(e, Err(KktError::NegativeCurvature));
        kr.factor(&k, Regularization::new(10.0, 0.0)).unwrap();
        let rep = kr.solve(&k, &b, &mut d, inexact(1e-10), &|| false).unwrap();
        assert!(rep.reached, "{rep:?}");
    }

    #[test]
    fn exact_requests_and_misses_go_to_the_factorization() {
        let k = system(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let mut kr = krylov(&k);
        kr.factor(&k, Regularization::default()).unwrap();
        let b = vec![1.0; 8];
        let mut d = vec![0.0; 8];
        let rep = kr
            .solve(&k, &b, &mut d, Accuracy::Exact, &|| false)
            .unwrap();
        assert!(rep.residual < 1e-12 && rep.iterations == 0, "{rep:?}");
        assert_eq!(kr.fallbacks(), 0);
        // One MINRES iteration cannot reach 1e-14: the factorization answers.
        let miss = Accuracy::Inexact {
            target: 1e-14,
            usable: 1e-13,
            max_iterations: 1,
            resume: false,
        };
        let rep = kr.solve(&k, &b, &mut d, miss, &|| false).unwrap();
        assert_eq!(kr.fallbacks(), 1);
        assert!(rep.residual < 1e-12, "{rep:?}");
    }
}
