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

use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Mat, MatMut, MatRef};

use super::error::ReluError;
use super::linalg::{Anderson, Chol};
use super::ops::{adjoint, forward, gemm, group_norm, group_shrink, half_mse};
use super::settings::Settings;
use super::solve::{Clock, IterInfo, Observer, Outcome, Problem, Status};

/// Exact u-update by Woodbury (see module docs).
struct Woodbury {
    relu: bool,
    b: Option<Chol>,
    hd: Mat<f64>,
    c: Chol,
    t: Vec<f64>,
    work: Mat<f64>,
    a: Mat<f64>,
    diff: Mat<f64>,
}

impl Woodbury {
    fn new(prob: &Problem<'_>, relu: bool, rho: f64, c2: f64) -> Result<Self, ReluError> {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let x = prob.x;
        // H = X B^{-1} X^T (B = I + X^T X) or X X^T.
        let (b, h) = if relu {
            let mut bm = Mat::<f64>::identity(d, d);
            gemm(bm.as_mut(), true, x.transpose(), x, c2);
            let bc = Chol::new(&bm, "I + c^2 X^T X")?;
            let mut z = x.transpose().to_owned();
            bc.solve_lower(z.as_mut());
            let mut h = Mat::<f64>::zeros(n, n);
            gemm(h.as_mut(), false, z.transpose(), z.as_ref(), 1.0);
            (Some(bc), h)
        } else {
            let mut h = Mat::<f64>::zeros(n, n);
            gemm(h.as_mut(), false, x, x.transpose(), 1.0);
            (None, h)
        };
        let mut ddt = Mat::<f64>::zeros(n, n);
        gemm(ddt.as_mut(), false, prob.pat, prob.pat.transpose(), 1.0);
        let scale = if relu { 2.0 } else { 1.0 };
        let hd = Mat::from_fn(n, n, |i, j| scale * h[(i, j)] * ddt[(i, j)]);
        let c = Self::factor(&hd, rho)?;
        Ok(Self {
            relu,
            b,
            hd,
            c,
            t: vec![0.0; n],
            work: Mat::zeros(n, p),
            a: Mat::zeros(d, p),
            diff: Mat::zeros(d, p),
        })
    }

    fn factor(hd: &Mat<f64>, rho: f64) -> Result<Chol, ReluError> {
        let n = hd.nrows();
        let c = Mat::from_fn(n, n, |i, j| hd[(i, j)] + if i == j { rho } else { 0.0 });
        Chol::new(&c, "the capacitance matrix rho I + F K^-1 F^T")
    }

    fn set_rho(&mut self, rho: f64) -> Result<(), ReluError> {
        self.c = Self::factor(&self.hd, rho)?;
        Ok(())
    }

    /// u <- A^{-1} u, u is d x m.
    fn solve(&mut self, prob: &Problem<'_>, mut u: MatMut<'_, f64>) {
        let p = prob.p();
        if let Some(b) = &self.b {
            b.solve_in_place(u.rb_mut());
        }
        if self.relu {
            for i in 0..p {
                for k in 0..u.nrows() {
                    self.diff[(k, i)] = u[(k, i)] - u[(k, i + p)];
                }
            }
            forward(
                prob.x,
                prob.pat,
                self.diff.as_ref(),
                &mut self.work,
                &mut self.t,
            );
        } else {
            forward(
                prob.x,
                prob.pat,
                u.rb().subcols(0, p),
                &mut self.work,
                &mut self.t,
            );
        }
        self.c.solve_vec(&mut self.t);
        adjoint(
            prob.x,
            prob.pat,
            &self.t,
            1.0,
            &mut self.work,
            self.a.as_mut(),
        );
        if let Some(b) = &self.b {
            b.solve_in_place(self.a.as_mut());
        }
        for i in 0..p {
            for k in 0..u.nrows() {
                let a = self.a[(k, i)];
                u[(k, i)] -= a;
                if self.relu {
                    u[(k, i + p)] += a;
                }
            }
        }
    }
}

/// u-update by block-Jacobi preconditioned CG, warm-started from the previous u.
struct CgSolve {
    relu: bool,
    /// X^T D_i X for each pattern.
    xdx: Vec<Mat<f64>>,
    xtx: Mat<f64>,
    prec: Vec<Chol>,
    rho: f64,
    tol: f64,
    r: Mat<f64>,
    z: Mat<f64>,
    pdir: Mat<f64>,
    ap: Mat<f64>,
    xw: Mat<f64>,
    work: Mat<f64>,
    t: Vec<f64>,
    diff: Mat<f64>,
    a: Mat<f64>,
    iterations: usize,
}

impl CgSolve {
    fn new(prob: &Problem<'_>, relu: bool, rho: f64, tol: f64, c2: f64) -> Result<Self, ReluError> {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let m = if relu { 2 * p } else { p };
        let mut xdx = Vec::with_capacity(p);
        let mut xs = Mat::<f64>::zeros(n, d);
        for i in 0..p {
            for k in 0..d {
                for j in 0..n {
                    xs[(j, k)] = prob.pat[(j, i)] * prob.x[(j, k)];
                }
            }
            let mut g = Mat::<f64>::zeros(d, d);
            gemm(g.as_mut(), false, xs.transpose(), xs.as_ref(), 1.0);
            xdx.push(g);
        }
        let mut xtx = Mat::<f64>::zeros(d, d);
        gemm(xtx.as_mut(), false, prob.x.transpose(), prob.x, c2);
        let mut s = Self {
            relu,
            xdx,
            xtx,
            prec: Vec::new(),
            rho,
            tol,
            r: Mat::zeros(d, m),
            z: Mat::zeros(d, m),
            pdir: Mat::zeros(d, m),
            ap: Mat::zeros(d, m),
            xw: Mat::zeros(n, m),
            work: Mat::zeros(n, p),
            t: vec![0.0; n],
            diff: Mat::zeros(d, p),
            a: Mat::zeros(d, p),
            iterations: 0,
        };
        s.set_rho(rho)?;
        Ok(s)
    }

    fn set_rho(&mut self, rho: f64) -> Result<(), ReluError> {
        self.rho = rho;
        let d = self.xtx.nrows();
        self.prec = self
            .xdx
            .iter()
            .map(|g| {
                let mb = Mat::from_fn(d, d, |i, j| {
                    let base = if i == j { 1.0 } else { 0.0 };
                    let gtg = if self.relu { self.xtx[(i, j)] } else { 0.0 };
                    base + gtg + g[(i, j)] / rho
                });
                Chol::new(&mb, "a block of the CG preconditioner")
            })
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// out = A u.
    fn apply(&mut self, prob: &Problem<'_>, u: MatRef<'_, f64>, mut out: MatMut<'_, f64>) {
        let p = prob.p();
        out.copy_from(u);
        if self.relu {
            gemm(self.xw.as_mut(), false, prob.x, u, 1.0);
            gemm(
                out.rb_mut(),
                true,
                prob.x.transpose(),
                self.xw.as_ref(),
                1.0,
            );
            for i in 0..p {
                for k in 0..u.nrows() {
                    self.diff[(k, i)] = u[(k, i)] - u[(k, i + p)];
                }
            }
            forward(
                prob.x,
                prob.pat,
                self.diff.as_ref(),
                &mut self.work,
                &mut self.t,
            );
        } else {
            forward(prob.x, prob.pat, u, &mut self.work, &mut self.t);
        }
        adjoint(
            prob.x,
            prob.pat,
            &self.t,
            1.0 / self.rho,
            &mut self.work,
            self.a.as_mut(),
        );
        for i in 0..p {
            for k in 0..u.nrows() {
                out[(k, i)] += self.a[(k, i)];
                if self.relu {
                    out[(k, i + p)] -= self.a[(k, i)];
                }
            }
        }
    }

    fn precondition(&mut self, p: usize) {
        for b in 0..self.z.ncols() {
            let ch = &self.prec[b % p];
            let mut col = self.z.as_mut().subcols_mut(b, 1);
            col.copy_from(self.r.as_ref().subcols(b, 1));
            ch.solve_in_place(col);
        }
    }

    /// Solves A u = rhs starting from the current u.
    fn solve(&mut self, prob: &Problem<'_>, rhs: &Mat<f64>, u: &mut Mat<f64>, max_it: usize) {
        let p = prob.p();
        let mut ap = std::mem::replace(&mut self.ap, Mat::new());
        self.apply(prob, u.as_ref(), ap.as_mut());
        self.r.copy_from(rhs);
        self.r -= &ap;
        let bnorm = rhs.norm_l2().max(1e-300);
        self.precondition(p);
        self.pdir.copy_from(&self.z);
        let mut rz = dot(&self.r, &self.z);
        for _ in 0..max_it {
            if self.r.norm_l2() <= self.tol * bnorm {
                break;
            }
            let pd = std::mem::replace(&mut self.pdir, Mat::new());
            self.apply(prob, pd.as_ref(), ap.as_mut());
            self.pdir = pd;
            let pap = dot(&self.pdir, &ap);
            if pap <= 0.0 {
                break;
            }
            let alpha = rz / pap;
            *u += alpha * &self.pdir;
            self.r -= alpha * &ap;
            self.precondition(p);
            let rz_new = dot(&self.r, &self.z);
            let beta = rz_new / rz;
            rz = rz_new;
            let z = &self.z;
            for c in 0..self.pdir.ncols() {
                for k in 0..self.pdir.nrows() {
                    self.pdir[(k, c)] = z[(k, c)] + beta * self.pdir[(k, c)];
                }
            }
            self.iterations += 1;
        }
        self.ap = ap;
    }
}

fn dot(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    super::ops::dot(a, b)
}

enum USolver {
    Woodbury(Box<Woodbury>),
    Cg(Box<CgSolve>),
}

/// Runs ADMM on the gated (`relu = false`) or ReLU program; returns v (d x P or d x 2P).
pub(crate) fn solve(
    prob: &Problem<'_>,
    relu: bool,
    use_cg: bool,
    set: &Settings,
    clock: &Clock,
    observer: &mut Observer<'_>,
) -> Result<Outcome, ReluError> {
    let (n, d, p) = (prob.n(), prob.d(), prob.p());
    let m = if relu { 2 * p } else { p };
    let beta = n as f64 * prob.lam;
    let mut rho = set.rho;
    let c = if relu { set.cone_scale } else { 1.0 };
    let mut usolve = if use_cg {
        USolver::Cg(Box::new(CgSolve::new(prob, relu, rho, set.cg_tol, c * c)?))
    } else {
        USolver::Woodbury(Box::new(Woodbury::new(prob, relu, rho, c * c)?))
    };
    // Signs 2 D_i - 1 for the cone constraints, repeated for the w copies.
    let sgn = Mat::from_fn(n, m, |j, b| c * (2.0 * prob.pat[(j, b % p)] - 1.0));
    let mut work = Mat::<f64>::zeros(n, p);
    // F^T y = [A, -A] with A = X^T (D ∘ y).
    let mut fty = Mat::<f64>::zeros(d, m);
    {
        let mut a = Mat::<f64>::zeros(d, p);
        adjoint(prob.x, prob.pat, prob.y, 1.0, &mut work, a.as_mut());
        for i in 0..p {
            for k in 0..d {
                fty[(k, i)] = a[(k, i)];
                if relu {
                    fty[(k, i + p)] = -a[(k, i)];
                }
            }
        }
    }
    let mut u = Mat::<f64>::zeros(d, m);
    let mut v = Mat::<f64>::zeros(d, m);
    let mut v_prev = Mat::<f64>::zeros(d, m);
    let mut lam_u = Mat::<f64>::zeros(d, m);
    let mut rhs = Mat::<f64>::zeros(d, m);
    // Cone parts (ReLU only; sized 0 otherwise).
    let nm = if relu { m } else { 0 };
    let mut gu = Mat::<f64>::zeros(n, nm);
    let mut s = Mat::<f64>::zeros(n, nm);
    let mut s_prev = Mat::<f64>::zeros(n, nm);
    let mut nu = Mat::<f64>::zeros(n, nm);
    let mut tmp_n = Mat::<f64>::zeros(n, nm);
    let mut gtq = Mat::<f64>::zeros(d, nm);
    let mut pred = vec![0.0; n];
    let mut diff = Mat::<f64>::zeros(d, p);
    let mut status = Status::MaxIterations;
    let (mut iters, mut r_pri, mut r_dual) = (0, f64::INFINITY, f64::INFINITY);
    let mut refactors = 0usize;
    let dim_pri = ((d * m + n * nm) as f64).sqrt();
    let dim_dual = ((d * m) as f64).sqrt();
    // Anderson acceleration of the Douglas-Rachford form: the state psi = (u + lam, G u + nu)
    // determines (v, lam, s, nu) through the proxes, and one ADMM step is a map psi -> T(psi).
    let dim = d * m + n * nm;
    let mut aa = (set.anderson > 0).then(|| Anderson::new(dim, set.anderson));
    let mut psi = vec![0.0; dim];
    let mut tpsi = vec![0.0; dim];
    let mut plain_backup = vec![0.0; dim];
    let mut last_aa = false;
    let mut res_before_aa = f64::INFINITY;
    let mut aa_rejects = 0usize;
    for k in 1..=set.max_iter {
        iters = k;
        // rhs = F^T y / rho + v - lam + G^T (s - nu)
        if relu {
            for c in 0..m {
                for j in 0..n {
                    tmp_n[(j, c)] = sgn[(j, c)] * (s[(j, c)] - nu[(j, c)]);
                }
            }
            gemm(gtq.as_mut(), false, prob.x.transpose(), tmp_n.as_ref(), 1.0);
        }
        for c in 0..m {
            for q in 0..d {
                let mut val = fty[(q, c)] / rho + v[(q, c)] - lam_u[(q, c)];
                if relu {
                    val += gtq[(q, c)];
                }
                rhs[(q, c)] = val;
            }
        }
        match &mut usolve {
            USolver::Woodbury(w) => {
                u.copy_from(&rhs);
                w.solve(prob, u.as_mut());
            }
            USolver::Cg(cg) => cg.solve(prob, &rhs, &mut u, 500),
        }
        if relu {
            gemm(gu.as_mut(), false, prob.x, u.as_ref(), 1.0);
            for c in 0..m {
                for j in 0..n {
                    gu[(j, c)] *= sgn[(j, c)];
                }
            }
        }
        // T(psi) = (u + lam, G u + nu); the prox steps below read it.
        for c in 0..m {
            for q in 0..d {
                tpsi[c * d + q] = u[(q, c)] + lam_u[(q, c)];
            }
        }
        for c in 0..nm {
            for j in 0..n {
                tpsi[d * m + c * n + j] = gu[(j, c)] + nu[(j, c)];
            }
        }
        let mut fp_res = 0.0;
        for i in 0..dim {
            fp_res += (tpsi[i] - psi[i]).powi(2);
        }
        let fp_res = fp_res.sqrt();
        let mut next = &tpsi;
        if let Some(acc) = aa.as_mut() {
            if last_aa && fp_res > 2.0 * res_before_aa {
                // The accelerated point did worse: fall back to the plain step.
                acc.reset();
                aa_rejects += 1;
                next = &plain_backup;
                last_aa = false;
            } else {
                acc.push(&psi, &tpsi);
                plain_backup.copy_from_slice(&tpsi);
                if acc.extrapolate(&mut psi) {
                    last_aa = true;
                    res_before_aa = fp_res;
                    next = &psi;
                } else {
                    last_aa = false;
                }
            }
        }
        if aa.is_none() && set.relaxation != 1.0 {
            // Over-relaxation: u is replaced by alpha u + (1 - alpha) v in the prox and dual
            // steps, i.e. psi <- psi + alpha (T(psi) - psi).
            let al = set.relaxation;
            for i in 0..dim {
                psi[i] += al * (tpsi[i] - psi[i]);
            }
        } else if !std::ptr::eq(next, &psi) {
            let src = next.clone();
            psi.copy_from_slice(&src);
        }
        // Prox steps from psi: v = shrink(psi_v), lam = psi_v - v, s = max(psi_s, 0), nu = psi_s - s.
        std::mem::swap(&mut v, &mut v_prev);
        for c in 0..m {
            for q in 0..d {
                v[(q, c)] = psi[c * d + q];
            }
        }
        group_shrink(&mut v, beta / rho);
        let mut pri2 = 0.0;
        for c in 0..m {
            for q in 0..d {
                lam_u[(q, c)] = psi[c * d + q] - v[(q, c)];
                let dl = u[(q, c)] - v[(q, c)];
                pri2 += dl * dl;
            }
        }
        let mut dual = &v - &v_prev;
        let (mut au2, mut bz2) = (u.squared_norm_l2(), v.squared_norm_l2());
        let mut dual_scale_m = lam_u.clone();
        if relu {
            std::mem::swap(&mut s, &mut s_prev);
            for c in 0..m {
                for j in 0..n {
                    let ps = psi[d * m + c * n + j];
                    let sv = ps.max(0.0);
                    s[(j, c)] = sv;
                    nu[(j, c)] = ps - sv;
                    let dl = gu[(j, c)] - sv;
                    pri2 += dl * dl;
                }
            }
            au2 += gu.squared_norm_l2();
            bz2 += s.squared_norm_l2();
            // Dual residual G^T (s - s_prev) and scale G^T nu (G^T Q = X^T (sgn ∘ Q)).
            for c in 0..m {
                for j in 0..n {
                    tmp_n[(j, c)] = sgn[(j, c)] * (s[(j, c)] - s_prev[(j, c)]);
                }
            }
            gemm(dual.as_mut(), true, prob.x.transpose(), tmp_n.as_ref(), 1.0);
            for c in 0..m {
                for j in 0..n {
                    tmp_n[(j, c)] = sgn[(j, c)] * nu[(j, c)];
                }
            }
            gemm(
                dual_scale_m.as_mut(),
                true,
                prob.x.transpose(),
                tmp_n.as_ref(),
                1.0,
            );
        }
        r_pri = pri2.sqrt();
        r_dual = rho * dual.norm_l2();
        let pri_scale = au2.sqrt().max(bz2.sqrt());
        let dual_scale = rho * dual_scale_m.norm_l2();
        let eps_pri = set.tol * (1e-3 * dim_pri + pri_scale);
        let eps_dual = set.tol * (1e-3 * dim_dual + dual_scale);
        let report = set.verbose && k % set.log_every.max(1) == 0;
        if report || observer.is_some() {
            let obj = objective_of(prob, relu, &v, &mut diff, &mut work, &mut pred);
            if report {
                eprintln!(
                    "admm {k:6} obj {obj:.10e} r_pri/eps {:.3e} r_dual/eps {:.3e} rho {rho:.3e} aa_rejects {aa_rejects}",
                    r_pri / eps_pri,
                    r_dual / eps_dual
                );
            }
            let info = IterInfo {
                iteration: k,
                objective: obj,
                primal_residual: r_pri,
                dual_residual: r_dual,
                rho,
                elapsed: clock.elapsed(),
            };
            if let Some(obs) = observer.as_mut()
                && !obs(&info)
            {
                status = Status::Stopped;
                break;
            }
        }
        if k > 1 && r_pri <= eps_pri && r_dual <= eps_dual {
            status = Status::Converged;
            break;
        }
        if clock.over() {
            status = Status::TimeLimit;
            break;
        }
        // Residual balancing: rescale rho when one residual dominates (Boyd et al. 3.4.1).
        if set.adaptive_rho && k % 10 == 0 && refactors < 200 {
            let ratio = (r_pri / eps_pri) / (r_dual / eps_dual).max(1e-300);
            if !(0.2..=5.0).contains(&ratio) {
                let new_rho = (rho * ratio.sqrt())
                    .clamp(rho / 100.0, rho * 100.0)
                    .clamp(1e-8, 1e8);
                let f = rho / new_rho;
                lam_u *= f;
                nu *= f;
                // Rebuild psi with the rescaled duals; the map changed, so forget the history.
                for c in 0..m {
                    for q in 0..d {
                        psi[c * d + q] = v[(q, c)] + lam_u[(q, c)];
                    }
                }
                for c in 0..nm {
                    for j in 0..n {
                        psi[d * m + c * n + j] = s[(j, c)] + nu[(j, c)];
                    }
                }
                if let Some(acc) = aa.as_mut() {
                    acc.reset();
                }
                last_aa = false;
                rho = new_rho;
                refactors += 1;
                match &mut usolve {
                    USolver::Woodbury(w) => w.set_rho(rho)?,
                    USolver::Cg(cg) => cg.set_rho(rho)?,
                }
            }
        }
    }
    Ok(Outcome {
        u: v,
        status,
        iterations: iters,
        primal_residual: r_pri,
        dual_residual: r_dual,
        rho,
    })
}

/// Objective of the program at v (d x P gated, d x 2P ReLU).
fn objective_of(
    prob: &Problem<'_>,
    relu: bool,
    v: &Mat<f64>,
    diff: &mut Mat<f64>,
    work: &mut Mat<f64>,
    pred: &mut [f64],
) -> f64 {
    let p = prob.p();
    if relu {
        for i in 0..p {
            for q in 0..v.nrows() {
                diff[(q, i)] = v[(q, i)] - v[(q, i + p)];
            }
        }
        forward(prob.x, prob.pat, diff.as_ref(), work, pred);
    } else {
        forward(prob.x, prob.pat, v.as_ref(), work, pred);
    }
    half_mse(pred, prob.y) + prob.lam * group_norm(v.as_ref())
}
