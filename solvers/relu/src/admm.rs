//! ADMM of Bai, Gautam and Sojoudi (2022) for the gated and ReLU programs, in their scaling
//! (loss (1/2)||F u - y||^2, beta = n lam):
//!
//!   min (1/2)||F u - y||^2 + beta ||v||_{2,1} + 1[s >= 0]   s.t.  u = v,  G u = s.
//!
//! The u-update matrix A = I + (1/rho) F^T F + G^T G never changes (up to rho). Since
//! G^T G = I_2P ⊗ X^T X, A = K + (1/rho) F^T F with K = I_m ⊗ B block diagonal
//! (B = I + X^T X for ReLU, I for gated), and Woodbury gives
//! A^{-1} = K^{-1} - K^{-1} F^T C^{-1} F K^{-1} with the n x n capacitance
//! C = rho I + F K^{-1} F^T = rho I + c (X B^{-1} X^T) ∘ (D D^T) (c = 2 for ReLU, 1 gated).
//! One d x d and one n x n Cholesky up front; each iteration costs O(n d P + n^2 + d^2 P).
//! The CG variant solves A u = b by block-Jacobi preconditioned CG instead (no n x n matrix).

use faer::Mat;
use opal_core::Status;

use super::error::ReluError;
use super::linalg::Anderson;
use super::ops::{
    Forward, adjoint, apply_signs, balanced_rho, group_norm, group_shrink, half_mse, mul,
    signed_adjoint,
};
use super::program::{IterInfo, Outcome, Problem, ReluRun, after_iterate, message};
use super::settings::{Settings, SolverKind};
use super::usolve::{CgSolve, Woodbury};

/// The u-update in use.
enum USolver {
    Woodbury(Box<Woodbury>),
    Cg(Box<CgSolve>),
}

impl USolver {
    fn set_rho(&mut self, rho: f64) -> Result<(), ReluError> {
        match self {
            USolver::Woodbury(w) => w.set_rho(rho),
            USolver::Cg(cg) => cg.set_rho(rho),
        }
    }
}

/// Which point the fixed-point step moves psi to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// T(psi), the plain ADMM step.
    Plain,
    /// The plain step kept from before an extrapolation that did worse.
    Backup,
    /// Anderson's extrapolation, already written into psi.
    Extrapolated,
}

/// Residuals of one ADMM iterate and the tolerances they are held to.
pub(crate) struct Residuals {
    pub(crate) r_pri: f64,
    pub(crate) r_dual: f64,
    pub(crate) eps_pri: f64,
    pub(crate) eps_dual: f64,
}

impl Residuals {
    /// The residuals with their tolerances eps = tol (1e-3 sqrt(dim) + scale) (Boyd et
    /// al.'s test), each side given as (sqrt(dim), scale).
    pub(crate) fn with_tolerances(
        r_pri: f64,
        r_dual: f64,
        tol: f64,
        pri: (f64, f64),
        dual: (f64, f64),
    ) -> Self {
        Self {
            r_pri,
            r_dual,
            eps_pri: tol * (1e-3 * pri.0 + pri.1),
            eps_dual: tol * (1e-3 * dual.0 + dual.1),
        }
    }
}

/// One ADMM method (this module's, or the robust program's) as [`drive`] runs it.
pub(crate) trait AdmmMethod {
    /// One iteration (u-update, prox steps, dual updates) and its residuals.
    fn iterate(&mut self) -> Residuals;
    /// The program's objective at the current iterate v.
    fn objective(&mut self) -> f64;
    /// The current penalty rho.
    fn rho(&self) -> f64;
    /// Residual balancing after iteration `k` (may refactorize).
    fn rebalance(&mut self, k: usize, res: &Residuals) -> Result<(), ReluError>;
    /// The returned weights v.
    fn into_weights(self) -> Mat<f64>;
}

/// The Douglas-Rachford state (a + b, c + e) stacked column by column: the d x m part,
/// then the n x m cone part (empty for the gated program).
fn pack(out: &mut [f64], [a, b]: [&Mat<f64>; 2], [c, e]: [&Mat<f64>; 2]) {
    let (d, m, n) = (a.nrows(), a.ncols(), c.nrows());
    let (head, tail) = out.split_at_mut(d * m);
    for (k, o) in head.chunks_exact_mut(d.max(1)).enumerate().take(m) {
        for ((o, x), y) in o.iter_mut().zip(a.col_as_slice(k)).zip(b.col_as_slice(k)) {
            *o = x + y;
        }
    }
    for (k, o) in tail.chunks_exact_mut(n.max(1)).enumerate().take(c.ncols()) {
        for ((o, x), y) in o.iter_mut().zip(c.col_as_slice(k)).zip(e.col_as_slice(k)) {
            *o = x + y;
        }
    }
}

/// State and workspace of one ADMM run, sized once: no iteration allocates.
struct Admm<'a> {
    prob: &'a Problem<'a>,
    set: &'a Settings,
    relu: bool,
    n: usize,
    d: usize,
    m: usize,
    beta: f64,
    rho: f64,
    usolve: USolver,
    /// Signs c (2 D_i - 1) of the cone constraints, repeated for the w copies (n x m).
    sgn: Mat<f64>,
    /// F^T y = [A, -A] with A = X^T (D ∘ y) (d x m).
    fty: Mat<f64>,
    u: Mat<f64>,
    v: Mat<f64>,
    v_prev: Mat<f64>,
    lam_u: Mat<f64>,
    rhs: Mat<f64>,
    gu: Mat<f64>,
    s: Mat<f64>,
    s_prev: Mat<f64>,
    nu: Mat<f64>,
    tmp_n: Mat<f64>,
    gtq: Mat<f64>,
    dual: Mat<f64>,
    dual_scale_m: Mat<f64>,
    fw: Forward,
    /// Douglas-Rachford state psi = (u + lam, G u + nu) and its image T(psi).
    psi: Vec<f64>,
    tpsi: Vec<f64>,
    plain_backup: Vec<f64>,
    aa: Option<Anderson>,
    last_aa: bool,
    res_before_aa: f64,
    refactors: usize,
    dim_pri: f64,
    dim_dual: f64,
}

impl<'a> Admm<'a> {
    fn new(
        prob: &'a Problem<'a>,
        relu: bool,
        use_cg: bool,
        set: &'a Settings,
    ) -> Result<Self, ReluError> {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let m = if relu { 2 * p } else { p };
        let rho = set.rho;
        let c = if relu { set.cone_scale } else { 1.0 };
        let usolve = if use_cg {
            USolver::Cg(Box::new(CgSolve::new(prob, relu, rho, set.cg_tol, c * c)?))
        } else {
            USolver::Woodbury(Box::new(Woodbury::new(prob, relu, rho, c * c)?))
        };
        let sgn = Mat::from_fn(n, m, |j, b| c * (2.0 * prob.pat[(j, b % p)] - 1.0));
        let mut fw = Forward::new(n, d, p);
        let mut fty = Mat::<f64>::zeros(d, m);
        let mut a = Mat::<f64>::zeros(d, p);
        adjoint(prob.x, prob.pat, prob.y, 1.0, &mut fw.work, a.as_mut());
        for i in 0..p {
            for k in 0..d {
                fty[(k, i)] = a[(k, i)];
                if relu {
                    fty[(k, i + p)] = -a[(k, i)];
                }
            }
        }
        // Cone parts (ReLU only; sized 0 otherwise).
        let nm = if relu { m } else { 0 };
        let dim = d * m + n * nm;
        Ok(Self {
            prob,
            set,
            relu,
            n,
            d,
            m,
            beta: n as f64 * prob.lam,
            rho,
            usolve,
            sgn,
            fty,
            u: Mat::zeros(d, m),
            v: Mat::zeros(d, m),
            v_prev: Mat::zeros(d, m),
            lam_u: Mat::zeros(d, m),
            rhs: Mat::zeros(d, m),
            gu: Mat::zeros(n, nm),
            s: Mat::zeros(n, nm),
            s_prev: Mat::zeros(n, nm),
            nu: Mat::zeros(n, nm),
            tmp_n: Mat::zeros(n, nm),
            gtq: Mat::zeros(d, nm),
            dual: Mat::zeros(d, m),
            dual_scale_m: Mat::zeros(d, m),
            fw,
            psi: vec![0.0; dim],
            tpsi: vec![0.0; dim],
            plain_backup: vec![0.0; dim],
            aa: (set.anderson > 0).then(|| Anderson::new(dim, set.anderson)),
            last_aa: false,
            res_before_aa: f64::INFINITY,
            refactors: 0,
            dim_pri: (dim as f64).sqrt(),
            dim_dual: ((d * m) as f64).sqrt(),
        })
    }

    /// u = A^{-1} (F^T y / rho + v - lam + G^T (s - nu)), then G u.
    fn u_update(&mut self) {
        let (prob, rho) = (self.prob, self.rho);
        if self.relu {
            let (sgn, tmp, gtq) = (&self.sgn, &mut self.tmp_n, self.gtq.as_mut());
            signed_adjoint(prob.x, sgn, [&self.s, &self.nu], true, tmp, gtq, false);
        }
        for c in 0..self.m {
            let rhs = self.rhs.col_as_slice_mut(c);
            let (fty, v, lam) = (
                self.fty.col_as_slice(c),
                self.v.col_as_slice(c),
                self.lam_u.col_as_slice(c),
            );
            for q in 0..rhs.len() {
                rhs[q] = fty[q] / rho + v[q] - lam[q];
            }
            if self.relu {
                for (r, g) in rhs.iter_mut().zip(self.gtq.col_as_slice(c)) {
                    *r += g;
                }
            }
        }
        match &mut self.usolve {
            USolver::Woodbury(w) => {
                self.u.copy_from(&self.rhs);
                w.solve(prob, self.u.as_mut());
            }
            USolver::Cg(cg) => cg.solve(prob, &self.rhs, &mut self.u, 500),
        }
        if self.relu {
            mul(self.gu.as_mut(), prob.x, self.u.as_ref());
            apply_signs(&self.sgn, &mut self.gu);
        }
    }

    /// T(psi) = (u + lam, G u + nu), then psi moves to it (plainly, over-relaxed, or by
    /// Anderson's extrapolation with its safeguard).
    fn fixed_point_step(&mut self) {
        pack(&mut self.tpsi, [&self.u, &self.lam_u], [&self.gu, &self.nu]);
        let mut fp_res = 0.0;
        for (t, p) in self.tpsi.iter().zip(&self.psi) {
            fp_res += (t - p).powi(2);
        }
        let fp_res = fp_res.sqrt();
        let mut next = Next::Plain;
        if let Some(acc) = self.aa.as_mut() {
            if self.last_aa && fp_res > 2.0 * self.res_before_aa {
                // The accelerated point did worse: fall back to the plain step.
                acc.reset();
                next = Next::Backup;
                self.last_aa = false;
            } else {
                acc.push(&self.psi, &self.tpsi);
                self.plain_backup.copy_from_slice(&self.tpsi);
                if acc.extrapolate(&mut self.psi) {
                    self.last_aa = true;
                    self.res_before_aa = fp_res;
                    next = Next::Extrapolated;
                } else {
                    self.last_aa = false;
                }
            }
        }
        if self.aa.is_none() && self.set.relaxation != 1.0 {
            // Over-relaxation: u is replaced by alpha u + (1 - alpha) v in the prox and dual
            // steps, i.e. psi <- psi + alpha (T(psi) - psi).
            let al = self.set.relaxation;
            for i in 0..self.psi.len() {
                self.psi[i] += al * (self.tpsi[i] - self.psi[i]);
            }
        } else {
            match next {
                Next::Plain => self.psi.copy_from_slice(&self.tpsi),
                Next::Backup => self.psi.copy_from_slice(&self.plain_backup),
                Next::Extrapolated => {}
            }
        }
    }

    /// Prox steps from psi: v = shrink(psi_v), lam = psi_v - v, s = max(psi_s, 0),
    /// nu = psi_s - s; then the residuals and their tolerances.
    fn prox_and_residuals(&mut self) -> Residuals {
        let (d, m, n) = (self.d, self.m, self.n);
        std::mem::swap(&mut self.v, &mut self.v_prev);
        for c in 0..m {
            let psi_c = &self.psi[c * d..(c + 1) * d];
            self.v.col_as_slice_mut(c).copy_from_slice(psi_c);
        }
        group_shrink(&mut self.v, self.beta / self.rho);
        let mut pri2 = 0.0;
        for c in 0..m {
            let psi_c = &self.psi[c * d..(c + 1) * d];
            let (v, u, vp) = (
                self.v.col_as_slice(c),
                self.u.col_as_slice(c),
                self.v_prev.col_as_slice(c),
            );
            let (lam, dual) = (
                self.lam_u.col_as_slice_mut(c),
                self.dual.col_as_slice_mut(c),
            );
            for q in 0..d {
                lam[q] = psi_c[q] - v[q];
                let dl = u[q] - v[q];
                pri2 += dl * dl;
                dual[q] = v[q] - vp[q];
            }
        }
        let (mut au2, mut bz2) = (self.u.squared_norm_l2(), self.v.squared_norm_l2());
        self.dual_scale_m.copy_from(&self.lam_u);
        if self.relu {
            std::mem::swap(&mut self.s, &mut self.s_prev);
            for c in 0..m {
                let psi_c = &self.psi[d * m + c * n..d * m + (c + 1) * n];
                let (s, nu) = (self.s.col_as_slice_mut(c), self.nu.col_as_slice_mut(c));
                let gu = self.gu.col_as_slice(c);
                for j in 0..n {
                    let ps = psi_c[j];
                    let sv = ps.max(0.0);
                    s[j] = sv;
                    nu[j] = ps - sv;
                    let dl = gu[j] - sv;
                    pri2 += dl * dl;
                }
            }
            au2 += self.gu.squared_norm_l2();
            bz2 += self.s.squared_norm_l2();
            // Dual residual G^T (s - s_prev) and scale G^T nu (G^T Q = X^T (sgn ∘ Q)).
            let (x, sgn, tmp) = (self.prob.x, &self.sgn, &mut self.tmp_n);
            let ds = [&self.s, &self.s_prev];
            signed_adjoint(x, sgn, ds, true, tmp, self.dual.as_mut(), true);
            let nu = [&self.nu, &self.nu];
            signed_adjoint(x, sgn, nu, false, tmp, self.dual_scale_m.as_mut(), true);
        }
        let rho = self.rho;
        let pri_scale = au2.sqrt().max(bz2.sqrt());
        let dual_scale = rho * self.dual_scale_m.norm_l2();
        Residuals::with_tolerances(
            pri2.sqrt(),
            rho * self.dual.norm_l2(),
            self.set.tol,
            (self.dim_pri, pri_scale),
            (self.dim_dual, dual_scale),
        )
    }
}

impl AdmmMethod for Admm<'_> {
    fn iterate(&mut self) -> Residuals {
        self.u_update();
        self.fixed_point_step();
        self.prox_and_residuals()
    }
    /// Objective of the program at v (d x P gated, d x 2P ReLU).
    fn objective(&mut self) -> f64 {
        let prob = self.prob;
        let v = self.v.as_ref();
        self.fw.apply(prob.x, prob.pat, v, self.relu);
        half_mse(&self.fw.out, prob.y) + prob.lam * group_norm(v)
    }

    fn rho(&self) -> f64 {
        self.rho
    }

    /// Residual balancing every 10 iterations (at most 200 refactorizations): rescales
    /// rho and the scaled duals, rebuilds psi and forgets Anderson's history.
    fn rebalance(&mut self, k: usize, res: &Residuals) -> Result<(), ReluError> {
        if !(self.set.adaptive_rho && k.is_multiple_of(10) && self.refactors < 200) {
            return Ok(());
        }
        let Some(new_rho) =
            balanced_rho(self.rho, res.r_pri / res.eps_pri, res.r_dual / res.eps_dual)
        else {
            return Ok(());
        };
        let f = self.rho / new_rho;
        self.lam_u *= f;
        self.nu *= f;
        // Rebuild psi with the rescaled duals; the map changed, so forget the history.
        pack(&mut self.psi, [&self.v, &self.lam_u], [&self.s, &self.nu]);
        if let Some(acc) = self.aa.as_mut() {
            acc.reset();
        }
        self.last_aa = false;
        self.rho = new_rho;
        self.refactors += 1;
        self.usolve.set_rho(new_rho)
    }

    fn into_weights(self) -> Mat<f64> {
        self.v
    }
}

/// Why ADMM stops with success.
const CONVERGED: &str = "primal and dual residuals within tolerance";

/// The ADMM loop: iterate, report, test; the penalty is rebalanced after every iterate
/// that does not end the run, and after the last one at the iteration limit (as it always
/// was, so that the reported rho is unchanged).
pub(crate) fn drive(
    mut method: impl AdmmMethod,
    solver: SolverKind,
    run: &mut ReluRun<'_, '_>,
) -> Result<Outcome, ReluError> {
    let mut k = 0;
    let (status, res) = loop {
        k += 1;
        let res = method.iterate();
        let info = IterInfo {
            solver,
            iteration: k,
            objective: method.objective(),
            primal_residual: res.r_pri,
            dual_residual: res.r_dual,
            gap: f64::NAN,
            rho: method.rho(),
            elapsed: run.elapsed().as_secs_f64(),
        };
        let converged = k > 1 && res.r_pri <= res.eps_pri && res.r_dual <= res.eps_dual;
        let end = after_iterate(run, k, &info, converged);
        if matches!(end, None | Some(Status::IterationLimit)) {
            method.rebalance(k, &res)?;
        }
        if let Some(s) = end {
            break (s, res);
        }
    };
    let rho = method.rho();
    Ok(Outcome {
        message: message(status, CONVERGED, "", k),
        u: method.into_weights(),
        status,
        iterations: k,
        primal_residual: res.r_pri,
        dual_residual: res.r_dual,
        rho,
    })
}

/// Runs ADMM on the gated (`relu = false`) or ReLU program; returns v (d x P or d x 2P).
pub(crate) fn solve(
    prob: &Problem<'_>,
    relu: bool,
    use_cg: bool,
    set: &Settings,
    run: &mut ReluRun<'_, '_>,
) -> Result<Outcome, ReluError> {
    let admm = Admm::new(prob, relu, use_cg, set)?;
    let solver = if use_cg {
        SolverKind::AdmmCg
    } else {
        SolverKind::Admm
    };
    drive(admm, solver, run)
}
