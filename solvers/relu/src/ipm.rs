//! Primal-dual interior-point method for the ReLU (and gated) program as a conic QP, in Bai's
//! scaling (loss (1/2)||F u - y||^2, beta = n lam):
//!
//!   min (1/2)||F u - y||^2 + beta sum_b t_b
//!   s.t. G_b u_b >= 0 (ReLU only, n rows per block),  (t_b, u_b) in the second-order cone.
//!
//! Mehrotra predictor-corrector with Nesterov-Todd scaling (the CVXOPT formulas). The Newton
//! system in x = (u, t) is H = F~^T F~ + K with K block diagonal: block b is
//! W_b^{-2} (the scaled SOC barrier Hessian, (d+1) x (d+1)) plus X^T diag(z_b / s_b) X on the
//! u part (the orthant barrier of the cone constraints: (2 D_i - I)^2 = I, so the signs
//! drop out). F~ = [D_1 X, ..., -D_1 X, ...] has rank <= n, so Woodbury gives
//! H^{-1} = K^{-1} - K^{-1} F~^T C^{-1} F~ K^{-1} with the n x n capacitance
//! C = I + sum_i D_i X (M_v,i + M_w,i) X^T D_i (M = the u part of K_b^{-1}). Per iteration:
//! O(P n d^2) for the blocks and O(n^2 d P) for C (one matrix product), O(n^3) for its
//! Cholesky; no 2dP x 2dP matrix. Solves are refined against the exact H (matrix-free).
//! 25-40 iterations reach a relative gap of 1e-9 whatever the conditioning of G, which is
//! what makes ADMM crawl on this program.

use faer::linalg::matmul::triangular::BlockStructure;
use faer::{Accum, Mat, MatRef, Par};

use super::error::ReluError;
use super::linalg::Chol;
use super::ops::{adjoint, forward, gemm};
use super::settings::Settings;
use super::solve::{Clock, IterInfo, Observer, Outcome, Problem, Status};

/// Largest n for which the n x n capacitance matrix is formed (8000^2 doubles = 512 MB).
pub(crate) const MAX_N: usize = 8000;

/// Nesterov-Todd scaling of one second-order cone block (dimension k = d + 1):
/// W = eta (2 v v^T - J), W^2 = eta^2 (2 w w^T - J), W^{-2} = eta^{-2} (2 J w w^T J - J).
pub(crate) struct Nt {
    pub(crate) eta: f64,
    pub(crate) w: Vec<f64>,
    v: Vec<f64>,
    pub(crate) lam: Vec<f64>,
}

impl Nt {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            eta: 1.0,
            w: vec![0.0; k],
            v: vec![0.0; k],
            lam: vec![0.0; k],
        }
    }

    /// Recomputes the scaling from strictly interior s, z.
    pub(crate) fn update(&mut self, s: &[f64], z: &[f64]) {
        let sn = soc_det(s).max(1e-300).sqrt();
        let zn = soc_det(z).max(1e-300).sqrt();
        let k = s.len();
        let mut sz = 0.0;
        for i in 0..k {
            sz += s[i] * z[i];
        }
        let sz = sz / (sn * zn);
        let gamma = ((1.0 + sz) / 2.0).max(1e-300).sqrt();
        for i in 0..k {
            let jz = if i == 0 { z[0] } else { -z[i] };
            self.w[i] = (s[i] / sn + jz / zn) / (2.0 * gamma);
        }
        self.eta = (sn / zn).sqrt();
        let den = (2.0 * (self.w[0] + 1.0)).sqrt();
        for i in 0..k {
            self.v[i] = (self.w[i] + if i == 0 { 1.0 } else { 0.0 }) / den;
        }
        // lambda = W z.
        let vz: f64 = self.v.iter().zip(z).map(|(a, b)| a * b).sum();
        for i in 0..k {
            let jz = if i == 0 { z[0] } else { -z[i] };
            self.lam[i] = self.eta * (2.0 * self.v[i] * vz - jz);
        }
    }

    /// out = W x.
    pub(crate) fn w_mul(&self, x: &[f64], out: &mut [f64]) {
        let vx: f64 = self.v.iter().zip(x).map(|(a, b)| a * b).sum();
        for i in 0..x.len() {
            let jx = if i == 0 { x[0] } else { -x[i] };
            out[i] = self.eta * (2.0 * self.v[i] * vx - jx);
        }
    }

    /// out = W^{-1} x.
    pub(crate) fn winv_mul(&self, x: &[f64], out: &mut [f64]) {
        // W^{-1} = (1/eta)(2 J v v^T J - J).
        let mut vjx = self.v[0] * x[0];
        for i in 1..x.len() {
            vjx -= self.v[i] * x[i];
        }
        for i in 0..x.len() {
            let (jv, jx) = if i == 0 {
                (self.v[0], x[0])
            } else {
                (-self.v[i], -x[i])
            };
            out[i] = (2.0 * jv * vjx - jx) / self.eta;
        }
    }

    /// out = W^{-2} x.
    pub(crate) fn winv2_mul(&self, x: &[f64], out: &mut [f64]) {
        let mut wjx = self.w[0] * x[0];
        for i in 1..x.len() {
            wjx -= self.w[i] * x[i];
        }
        let e2 = self.eta * self.eta;
        for i in 0..x.len() {
            let (jw, jx) = if i == 0 {
                (self.w[0], x[0])
            } else {
                (-self.w[i], -x[i])
            };
            out[i] = (2.0 * jw * wjx - jx) / e2;
        }
    }
}

/// s0^2 - ||s1||^2, as (s0 - ||s1||)(s0 + ||s1||) (no cancellation near the boundary).
pub(crate) fn soc_det(s: &[f64]) -> f64 {
    let n1 = s[1..].iter().map(|v| v * v).sum::<f64>().sqrt();
    (s[0] - n1) * (s[0] + n1)
}

/// Jordan product u o v = (u^T v, u0 v1 + v0 u1).
pub(crate) fn jordan(u: &[f64], v: &[f64], out: &mut [f64]) {
    out[0] = u.iter().zip(v).map(|(a, b)| a * b).sum();
    for i in 1..u.len() {
        out[i] = u[0] * v[i] + v[0] * u[i];
    }
}

/// Solves lam o x = d for x.
pub(crate) fn jordan_div(lam: &[f64], d: &[f64], out: &mut [f64]) {
    let det = soc_det(lam);
    let l1d1: f64 = lam[1..].iter().zip(&d[1..]).map(|(a, b)| a * b).sum();
    let x0 = (lam[0] * d[0] - l1d1) / det;
    out[0] = x0;
    for i in 1..lam.len() {
        out[i] = (d[i] - x0 * lam[i]) / lam[0];
    }
}

/// Largest alpha with s + alpha ds in the second-order cone (s interior); infinity if none.
pub(crate) fn soc_step(s: &[f64], ds: &[f64]) -> f64 {
    let n1 = ds[1..].iter().map(|v| v * v).sum::<f64>().sqrt();
    if ds[0] >= n1 {
        return f64::INFINITY;
    }
    let a = ds[0] * ds[0] - n1 * n1;
    let b = s[0] * ds[0] - s[1..].iter().zip(&ds[1..]).map(|(p, q)| p * q).sum::<f64>();
    let c = soc_det(s).max(0.0);
    let mut alpha = f64::INFINITY;
    if ds[0] < 0.0 {
        alpha = -s[0] / ds[0];
    }
    let disc = (b * b - a * c).max(0.0);
    let den = disc.sqrt() - b;
    if den > 0.0 {
        alpha = alpha.min(c / den);
    }
    alpha
}

/// Workspace and state of the interior-point method.
struct Ipm<'a> {
    prob: &'a Problem<'a>,
    relu: bool,
    n: usize,
    d: usize,
    p: usize,
    m: usize,
    k: usize,
    /// Signs 2 D - 1 per block (n x m), ReLU only.
    sgn: Mat<f64>,
    /// [D_1 X, ..., D_P X] (n x dP), constant.
    xd: Mat<f64>,
    /// K blocks (k x k each, unregularized) and their inverses (regularized).
    kb: Vec<Mat<f64>>,
    kinv: Vec<Mat<f64>>,
    nt: Vec<Nt>,
    cap: Option<Chol>,
    ybig: Mat<f64>,
    // Scratch.
    work: Mat<f64>,
    fbuf: Vec<f64>,
    dpu: Mat<f64>,
    xm: Mat<f64>,
    nm: Mat<f64>,
    dk: Mat<f64>,
}

impl<'a> Ipm<'a> {
    fn new(prob: &'a Problem<'a>, relu: bool) -> Self {
        let (n, d, p) = (prob.n(), prob.d(), prob.p());
        let m = if relu { 2 * p } else { p };
        let k = d + 1;
        let sgn = if relu {
            Mat::from_fn(n, m, |j, b| 2.0 * prob.pat[(j, b % p)] - 1.0)
        } else {
            Mat::zeros(n, 0)
        };
        let xd = Mat::from_fn(n, d * p, |j, c| prob.pat[(j, c / d)] * prob.x[(j, c % d)]);
        Self {
            prob,
            relu,
            n,
            d,
            p,
            m,
            k,
            sgn,
            xd,
            kb: (0..m).map(|_| Mat::zeros(k, k)).collect(),
            kinv: (0..m).map(|_| Mat::zeros(k, k)).collect(),
            nt: (0..m).map(|_| Nt::new(k)).collect(),
            cap: None,
            ybig: Mat::zeros(n, d * p),
            work: Mat::zeros(n, p),
            fbuf: vec![0.0; n],
            dpu: Mat::zeros(d, p),
            xm: Mat::zeros(n, d),
            nm: Mat::zeros(n, m),
            dk: Mat::zeros(d, m),
        }
    }

    /// Sign of block b in F~ (+ for v / gated, - for w).
    fn sigma(&self, b: usize) -> f64 {
        if b < self.p { 1.0 } else { -1.0 }
    }

    /// f = F~ x where x is k x m (row 0 = t, ignored).
    fn f_apply(&mut self, x: MatRef<'_, f64>, f: &mut [f64]) {
        let (d, p) = (self.d, self.p);
        for i in 0..p {
            for q in 0..d {
                let mut val = x[(q + 1, i)];
                if self.relu {
                    val -= x[(q + 1, i + p)];
                }
                self.dpu[(q, i)] = val;
            }
        }
        forward(
            self.prob.x,
            self.prob.pat,
            self.dpu.as_ref(),
            &mut self.work,
            f,
        );
    }

    /// out (k x m) = F~^T r (t rows zero).
    fn ft_apply(&mut self, r: &[f64], out: &mut Mat<f64>) {
        let (d, p) = (self.d, self.p);
        adjoint(
            self.prob.x,
            self.prob.pat,
            r,
            1.0,
            &mut self.work,
            self.dpu.as_mut(),
        );
        for b in 0..self.m {
            out[(0, b)] = 0.0;
            let s = self.sigma(b);
            for q in 0..d {
                out[(q + 1, b)] = s * self.dpu[(q, b % p)];
            }
        }
    }

    /// Builds K, its block inverses and the capacitance factor from h = z_N / s_N (n x m).
    fn factor(&mut self, h: &Mat<f64>) -> Result<(), ReluError> {
        let (n, d, p, k) = (self.n, self.d, self.p, self.k);
        let x = self.prob.x;
        for b in 0..self.m {
            // SOC part W^{-2} = eta^-2 (2 (J w)(J w)^T - J).
            let nt = &self.nt[b];
            let e2 = nt.eta * nt.eta;
            let kb = &mut self.kb[b];
            for c in 0..k {
                let jwc = if c == 0 { nt.w[0] } else { -nt.w[c] };
                for r in 0..k {
                    let jwr = if r == 0 { nt.w[0] } else { -nt.w[r] };
                    let jrc = if r == c {
                        if r == 0 { 1.0 } else { -1.0 }
                    } else {
                        0.0
                    };
                    kb[(r, c)] = (2.0 * jwr * jwc - jrc) / e2;
                }
            }
            if self.relu {
                // + X^T diag(h_b) X on the u part.
                for q in 0..d {
                    let hc = h.col_as_slice(b);
                    for j in 0..n {
                        self.xm[(j, q)] = x[(j, q)] * hc[j];
                    }
                }
                let mut sub = kb.as_mut().submatrix_mut(1, 1, d, d);
                gemm(sub.as_mut(), true, x.transpose(), self.xm.as_ref(), 1.0);
            }
            // Regularized inverse: the smallest regularization (relative to the largest
            // diagonal entry) that Cholesky accepts; refinement against the exact H removes
            // its effect on the step.
            let scale = (0..k).map(|i| kb[(i, i)]).fold(0.0f64, f64::max);
            let mut delta = 1e-14;
            let ch = loop {
                let reg = Mat::from_fn(k, k, |r, c| {
                    kb[(r, c)] + if r == c { delta * scale } else { 0.0 }
                });
                match Chol::new(&reg, "an interior-point block") {
                    Ok(ch) => break ch,
                    Err(e) if delta >= 1e-6 || !scale.is_finite() => return Err(e),
                    Err(_) => delta *= 100.0,
                }
            };
            let inv = &mut self.kinv[b];
            inv.copy_from(Mat::<f64>::identity(k, k));
            ch.solve_in_place(inv.as_mut());
        }
        // Y = [D_i X M_i], M_i = (K_v^{-1} + K_w^{-1})_uu; C = I + Y Xd^T.
        let mut mi = Mat::<f64>::zeros(d, d);
        for i in 0..p {
            mi.copy_from(self.kinv[i].as_ref().submatrix(1, 1, d, d));
            if self.relu {
                mi += self.kinv[i + p].as_ref().submatrix(1, 1, d, d);
            }
            let mut yi = self.ybig.as_mut().subcols_mut(i * d, d);
            gemm(
                yi.as_mut(),
                false,
                self.xd.as_ref().subcols(i * d, d),
                mi.as_ref(),
                1.0,
            );
        }
        // Only the lower triangle of the (symmetric) product is computed: half the flops.
        let mut c = Mat::<f64>::identity(n, n);
        faer::linalg::matmul::triangular::matmul(
            c.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Add,
            self.ybig.as_ref(),
            BlockStructure::Rectangular,
            self.xd.as_ref().transpose(),
            BlockStructure::Rectangular,
            1.0,
            Par::Seq,
        );
        for j in 0..n {
            for i in 0..j {
                c[(i, j)] = c[(j, i)];
            }
        }
        self.cap = Some(Chol::new(&c, "the interior-point capacitance matrix")?);
        Ok(())
    }

    /// out = K x (block-wise).
    fn k_apply(&mut self, x: &Mat<f64>, out: &mut Mat<f64>) {
        for b in 0..self.m {
            let xb = x.as_ref().subcols(b, 1);
            let ob = out.as_mut().subcols_mut(b, 1);
            gemm(ob, false, self.kb[b].as_ref(), xb, 1.0);
        }
    }

    /// out = K^{-1} x (block-wise, regularized).
    fn kinv_apply(&mut self, x: &Mat<f64>, out: &mut Mat<f64>) {
        for b in 0..self.m {
            let xb = x.as_ref().subcols(b, 1);
            let ob = out.as_mut().subcols_mut(b, 1);
            gemm(ob, false, self.kinv[b].as_ref(), xb, 1.0);
        }
    }

    /// out = H x = K x + F~^T F~ x.
    fn h_apply(&mut self, x: &Mat<f64>, out: &mut Mat<f64>, tmp: &mut Mat<f64>) {
        self.k_apply(x, out);
        let mut f = std::mem::take(&mut self.fbuf);
        self.f_apply(x.as_ref(), &mut f);
        self.ft_apply(&f, tmp);
        *out += &*tmp;
        self.fbuf = f;
    }

    /// out = H^{-1} r by Woodbury (one pass).
    fn h_solve_once(&mut self, r: &Mat<f64>, out: &mut Mat<f64>, tmp: &mut Mat<f64>) {
        self.kinv_apply(r, out);
        let mut f = std::mem::take(&mut self.fbuf);
        self.f_apply(out.as_ref(), &mut f);
        if let Some(c) = &self.cap {
            c.solve_vec(&mut f);
        }
        self.ft_apply(&f, tmp);
        let mut t2 = Mat::<f64>::zeros(self.k, self.m);
        self.kinv_apply(tmp, &mut t2);
        *out -= &t2;
        self.fbuf = f;
    }

    /// out = H^{-1} r with iterative refinement against the exact H.
    fn h_solve(&mut self, r: &Mat<f64>, out: &mut Mat<f64>) {
        let (k, m) = (self.k, self.m);
        let mut tmp = Mat::<f64>::zeros(k, m);
        let mut hx = Mat::<f64>::zeros(k, m);
        let mut corr = Mat::<f64>::zeros(k, m);
        self.h_solve_once(r, out, &mut tmp);
        let rn = r.norm_l2().max(1e-300);
        let mut last = f64::INFINITY;
        for _ in 0..4 {
            self.h_apply(out, &mut hx, &mut tmp);
            let res = r - &hx;
            let nres = res.norm_l2();
            if nres <= 1e-13 * rn || nres >= 0.5 * last {
                break;
            }
            last = nres;
            self.h_solve_once(&res, &mut corr, &mut tmp);
            *out += &corr;
        }
    }
}

/// Iterate of the method: x = (t; u) as k x m, slacks and duals of both cones.
#[derive(Clone)]
struct State {
    x: Mat<f64>,
    sn: Mat<f64>,
    zn: Mat<f64>,
    sc: Mat<f64>,
    zc: Mat<f64>,
}

/// Runs the interior-point method; returns u (d x m) with zero blocks pruned.
pub(crate) fn solve(
    prob: &Problem<'_>,
    relu: bool,
    set: &Settings,
    clock: &Clock,
    observer: &mut Observer<'_>,
) -> Result<Outcome, ReluError> {
    let (n, d) = (prob.n(), prob.d());
    if n > MAX_N {
        return Err(ReluError::Unsupported(format!(
            "the interior-point solver forms an n x n matrix; n = {n} exceeds {MAX_N}: use solver admm or cg"
        )));
    }
    let mut ip = Ipm::new(prob, relu);
    let (m, k) = (ip.m, ip.k);
    let nn = if relu { n } else { 0 };
    let beta = n as f64 * prob.lam;
    let x_data = prob.x;
    // c = (beta; -F~^T y).
    let mut cvec = Mat::<f64>::zeros(k, m);
    ip.ft_apply(prob.y, &mut cvec);
    cvec *= -1.0;
    for b in 0..m {
        cvec[(0, b)] = beta;
    }
    let cnorm = cvec.norm_l2();
    let y2: f64 = prob.y.iter().map(|v| v * v).sum();
    let deg = (nn * m + m) as f64;
    let mut st = State {
        x: Mat::zeros(k, m),
        sn: Mat::from_fn(nn, m, |_, _| 1.0),
        zn: Mat::from_fn(nn, m, |_, _| 1.0),
        sc: Mat::from_fn(k, m, |r, _| if r == 0 { 1.0 } else { 0.0 }),
        zc: Mat::from_fn(k, m, |r, _| if r == 0 { 1.0 } else { 0.0 }),
    };
    // Scratch.
    let mut pred = vec![0.0; n];
    let mut res = vec![0.0; n];
    let mut rd = Mat::<f64>::zeros(k, m);
    let mut rpn = Mat::<f64>::zeros(nn, m);
    let mut rpc = Mat::<f64>::zeros(k, m);
    let mut xu = Mat::<f64>::zeros(nn, m);
    let mut h = Mat::<f64>::zeros(nn, m);
    let mut ds_n = Mat::<f64>::zeros(nn, m);
    let mut ds_c = Mat::<f64>::zeros(k, m);
    let mut qn = Mat::<f64>::zeros(nn, m);
    let mut qc = Mat::<f64>::zeros(k, m);
    let mut rhs = Mat::<f64>::zeros(k, m);
    let mut dx = Mat::<f64>::zeros(k, m);
    let mut dsn = Mat::<f64>::zeros(nn, m);
    let mut dzn = Mat::<f64>::zeros(nn, m);
    let mut dsc = Mat::<f64>::zeros(k, m);
    let mut dzc = Mat::<f64>::zeros(k, m);
    let mut aff = (
        Mat::<f64>::zeros(nn, m),
        Mat::<f64>::zeros(nn, m),
        Mat::<f64>::zeros(k, m),
        Mat::<f64>::zeros(k, m),
    );
    let mut uu = Mat::<f64>::zeros(d, m);
    let mut status = Status::MaxIterations;
    let mut iters = 0;
    let (mut r_pri, mut r_dual) = (f64::INFINITY, f64::INFINITY);
    let mut stall = 0usize;
    let max_iter = set.max_iter.min(500);
    let tol = set.tol;
    for it in 1..=max_iter {
        iters = it;
        // Residuals. r_d = Q x + c + A^T z, A^T z = (-zc0; -X^T(sgn o zn) - zc_u).
        for b in 0..m {
            for q in 0..d {
                uu[(q, b)] = st.x[(q + 1, b)];
            }
        }
        ip.f_apply(st.x.as_ref(), &mut pred);
        for j in 0..n {
            res[j] = pred[j] - prob.y[j];
        }
        ip.ft_apply(&pred, &mut rd);
        rd += &cvec;
        rd -= &st.zc;
        if relu {
            for b in 0..m {
                for j in 0..n {
                    ip.nm[(j, b)] = ip.sgn[(j, b)] * st.zn[(j, b)];
                }
            }
            gemm(
                ip.dk.as_mut(),
                false,
                x_data.transpose(),
                ip.nm.as_ref(),
                1.0,
            );
            for b in 0..m {
                for q in 0..d {
                    rd[(q + 1, b)] -= ip.dk[(q, b)];
                }
            }
            // r_p (orthant) = -sgn o (X u) + s.
            gemm(xu.as_mut(), false, x_data, uu.as_ref(), 1.0);
            for b in 0..m {
                for j in 0..n {
                    xu[(j, b)] *= ip.sgn[(j, b)];
                    rpn[(j, b)] = st.sn[(j, b)] - xu[(j, b)];
                }
            }
        }
        for b in 0..m {
            for r in 0..k {
                rpc[(r, b)] = st.sc[(r, b)] - st.x[(r, b)];
            }
        }
        let tsum: f64 = (0..m).map(|b| st.x[(0, b)]).sum();
        let fit2: f64 = res.iter().map(|v| v * v).sum();
        let pobj = 0.5 * fit2 + beta * tsum;
        let fx2: f64 = pred.iter().map(|v| v * v).sum();
        let dobj = 0.5 * y2 - 0.5 * fx2;
        let gap_abs = dot(&st.sn, &st.zn) + dot(&st.sc, &st.zc);
        let mu = gap_abs / deg;
        let rp_norm = (rpn.squared_norm_l2() + rpc.squared_norm_l2()).sqrt();
        let xnorm = st.x.norm_l2();
        let snorm = (st.sn.squared_norm_l2() + st.sc.squared_norm_l2()).sqrt();
        r_pri = rp_norm / (1.0 + xnorm + snorm);
        r_dual = rd.norm_l2() / (1.0 + cnorm + (0.5 * fx2).sqrt());
        let gap = (pobj - dobj).abs().min(gap_abs) / pobj.abs().max(1.0);
        let mut rp_inf = 0.0f64;
        for b in 0..m {
            for j in 0..nn {
                rp_inf = rp_inf.max(rpn[(j, b)].abs());
            }
        }
        let report = set.verbose;
        if report || observer.is_some() {
            let obj = pobj / n as f64;
            if report {
                eprintln!(
                    "ipm {it:4} obj {obj:.12e} gap {gap:.2e} r_pri {r_pri:.2e} r_dual {r_dual:.2e} mu {mu:.2e}"
                );
            }
            let info = IterInfo {
                iteration: it,
                objective: obj,
                primal_residual: r_pri,
                dual_residual: r_dual,
                rho: mu,
                elapsed: clock.elapsed(),
            };
            if let Some(obs) = observer.as_mut()
                && !obs(&info)
            {
                status = Status::Stopped;
                break;
            }
        }
        // The last test bounds the cone violation: (2 D - I) X u = s - r_p >= -r_p.
        if gap <= tol && r_dual <= tol && r_pri <= tol && rp_inf <= tol.min(1e-8) {
            status = Status::Converged;
            break;
        }
        if clock.over() {
            status = Status::TimeLimit;
            break;
        }
        // Scalings.
        for b in 0..m {
            let (s, z) = (st.sc.col_as_slice(b), st.zc.col_as_slice(b));
            ip.nt[b].update(s, z);
        }
        for b in 0..m {
            for j in 0..nn {
                h[(j, b)] = st.zn[(j, b)] / st.sn[(j, b)];
            }
        }
        ip.factor(&h)?;
        // Predictor then corrector.
        let mut sigma_mu = 0.0;
        let mut alpha = 0.0;
        for pass in 0..2 {
            // d_s = -lam o lam (- W^{-1}ds_a o W dz_a + sigma mu e).
            for b in 0..m {
                for j in 0..nn {
                    let (s, z) = (st.sn[(j, b)], st.zn[(j, b)]);
                    let mut v = -s * z;
                    if pass == 1 {
                        v += -aff.0[(j, b)] * aff.1[(j, b)] + sigma_mu;
                    }
                    ds_n[(j, b)] = v;
                }
                let nt = &ip.nt[b];
                let lam = &nt.lam;
                let mut ll = vec![0.0; k];
                jordan(lam, lam, &mut ll);
                if pass == 1 {
                    let (mut a1, mut a2, mut a3) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
                    nt.winv_mul(aff.2.col_as_slice(b), &mut a1);
                    nt.w_mul(aff.3.col_as_slice(b), &mut a2);
                    jordan(&a1, &a2, &mut a3);
                    for r in 0..k {
                        ll[r] += a3[r];
                    }
                    ll[0] -= sigma_mu;
                }
                for r in 0..k {
                    ds_c[(r, b)] = -ll[r];
                }
            }
            // q = W^{-2} r_p + W^{-1}(lam \ d_s).
            for b in 0..m {
                for j in 0..nn {
                    qn[(j, b)] = h[(j, b)] * rpn[(j, b)] + ds_n[(j, b)] / st.sn[(j, b)];
                }
                let nt = &ip.nt[b];
                let (mut t1, mut t2, mut t3) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
                nt.winv2_mul(rpc.col_as_slice(b), &mut t1);
                jordan_div(&nt.lam, ds_c.col_as_slice(b), &mut t2);
                nt.winv_mul(&t2, &mut t3);
                for r in 0..k {
                    qc[(r, b)] = t1[r] + t3[r];
                }
            }
            // rhs = -r_d - A^T q = -r_d + (q_c0; X^T(sgn o q_n) + q_cu).
            rhs.copy_from(&qc);
            rhs -= &rd;
            if relu {
                for b in 0..m {
                    for j in 0..n {
                        ip.nm[(j, b)] = ip.sgn[(j, b)] * qn[(j, b)];
                    }
                }
                gemm(
                    ip.dk.as_mut(),
                    false,
                    x_data.transpose(),
                    ip.nm.as_ref(),
                    1.0,
                );
                for b in 0..m {
                    for q in 0..d {
                        rhs[(q + 1, b)] += ip.dk[(q, b)];
                    }
                }
            }
            ip.h_solve(&rhs, &mut dx);
            // dz = W^{-2} A dx + q, ds = W(lam \ d_s) - W^2 dz.
            if relu {
                for b in 0..m {
                    for q in 0..d {
                        uu[(q, b)] = dx[(q + 1, b)];
                    }
                }
                gemm(ip.nm.as_mut(), false, x_data, uu.as_ref(), 1.0);
                for b in 0..m {
                    for j in 0..n {
                        let adx = -ip.sgn[(j, b)] * ip.nm[(j, b)];
                        let dz = h[(j, b)] * adx + qn[(j, b)];
                        dzn[(j, b)] = dz;
                        // ds from the linearized primal equation A dx + ds = -r_p (exact,
                        // where the complementarity form loses it to rounding).
                        dsn[(j, b)] = -rpn[(j, b)] - adx;
                    }
                }
            }
            for b in 0..m {
                let nt = &ip.nt[b];
                let (mut t1, mut t2) = (vec![0.0; k], vec![0.0; k]);
                for r in 0..k {
                    t1[r] = -dx[(r, b)];
                }
                nt.winv2_mul(&t1, &mut t2);
                for r in 0..k {
                    dzc[(r, b)] = t2[r] + qc[(r, b)];
                    // ds = -r_p - A dx = -r_p + dx (equal to W(lam \ d_s - W dz) in exact
                    // arithmetic; W is too ill-conditioned near the end to use that form).
                    dsc[(r, b)] = dx[(r, b)] - rpc[(r, b)];
                }
            }
            // Step length.
            let mut amax = f64::INFINITY;
            for b in 0..m {
                for j in 0..nn {
                    if dsn[(j, b)] < 0.0 {
                        amax = amax.min(-st.sn[(j, b)] / dsn[(j, b)]);
                    }
                    if dzn[(j, b)] < 0.0 {
                        amax = amax.min(-st.zn[(j, b)] / dzn[(j, b)]);
                    }
                }
                amax = amax.min(soc_step(st.sc.col_as_slice(b), dsc.col_as_slice(b)));
                amax = amax.min(soc_step(st.zc.col_as_slice(b), dzc.col_as_slice(b)));
            }
            if pass == 0 {
                let aa = amax.min(1.0);
                let mut gap_a = 0.0;
                for b in 0..m {
                    for j in 0..nn {
                        gap_a +=
                            (st.sn[(j, b)] + aa * dsn[(j, b)]) * (st.zn[(j, b)] + aa * dzn[(j, b)]);
                    }
                    for r in 0..k {
                        gap_a +=
                            (st.sc[(r, b)] + aa * dsc[(r, b)]) * (st.zc[(r, b)] + aa * dzc[(r, b)]);
                    }
                }
                let sigma = (gap_a / gap_abs).clamp(0.0, 1.0).powi(3);
                sigma_mu = sigma * mu;
                aff.0.copy_from(&dsn);
                aff.1.copy_from(&dzn);
                aff.2.copy_from(&dsc);
                aff.3.copy_from(&dzc);
            } else {
                alpha = (0.99 * amax).min(1.0);
            }
        }
        if !(alpha.is_finite() && dx.norm_l2().is_finite()) {
            status = Status::Stalled;
            break;
        }
        st.x += alpha * &dx;
        st.sn += alpha * &dsn;
        st.zn += alpha * &dzn;
        st.sc += alpha * &dsc;
        st.zc += alpha * &dzc;
        if alpha < 1e-8 {
            stall += 1;
            if stall >= 3 {
                status = Status::Stalled;
                break;
            }
        } else {
            stall = 0;
        }
    }
    let mut u = Mat::<f64>::zeros(d, m);
    for b in 0..m {
        for q in 0..d {
            u[(q, b)] = st.x[(q + 1, b)];
        }
    }
    prune(prob, relu, &mut u);
    Ok(Outcome {
        u,
        status,
        iterations: iters,
        primal_residual: r_pri,
        dual_residual: r_dual,
        rho: 0.0,
    })
}

fn dot(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    super::ops::dot(a, b)
}

/// Zeroes the blocks the barrier left at O(mu) size when doing so does not raise the
/// objective (zero blocks satisfy the cone constraints, so feasibility is unaffected).
pub(crate) fn prune(prob: &Problem<'_>, relu: bool, u: &mut Mat<f64>) {
    let (n, d, p) = (prob.n(), prob.d(), prob.p());
    let m = u.ncols();
    let norms: Vec<f64> = (0..m).map(|b| u.col(b).norm_l2()).collect();
    let big = norms.iter().cloned().fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..m)
        .filter(|&b| norms[b] > 0.0 && norms[b] <= 1e-3 * big)
        .collect();
    order.sort_by(|&a, &b| norms[a].total_cmp(&norms[b]));
    let mut diff = Mat::<f64>::zeros(d, p);
    for i in 0..p {
        for q in 0..d {
            diff[(q, i)] = u[(q, i)] - if relu { u[(q, i + p)] } else { 0.0 };
        }
    }
    let mut work = Mat::<f64>::zeros(n, p);
    let mut pred = vec![0.0; n];
    forward(prob.x, prob.pat, diff.as_ref(), &mut work, &mut pred);
    let mut contrib = vec![0.0; n];
    for b in order {
        let i = b % p;
        let s = if b < p { 1.0 } else { -1.0 };
        let mut delta_loss = 0.0;
        for j in 0..n {
            let xb: f64 = (0..d).map(|q| prob.x[(j, q)] * u[(q, b)]).sum();
            contrib[j] = s * prob.pat[(j, i)] * xb;
            let r0 = pred[j] - prob.y[j];
            let r1 = r0 - contrib[j];
            delta_loss += (r1 * r1 - r0 * r0) / (2.0 * n as f64);
        }
        if delta_loss - prob.lam * norms[b] <= 0.0 {
            for j in 0..n {
                pred[j] -= contrib[j];
            }
            for q in 0..d {
                u[(q, b)] = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rnd(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    /// A random interior point of the second-order cone of dimension k.
    fn interior(k: usize, seed: &mut u64) -> Vec<f64> {
        let mut v: Vec<f64> = (0..k).map(|_| rnd(seed)).collect();
        let n1 = v[1..].iter().map(|a| a * a).sum::<f64>().sqrt();
        v[0] = n1 * (1.0 + rnd(seed).abs()) + 1e-3;
        v
    }

    #[test]
    fn nesterov_todd_scaling_identities() {
        let mut seed = 3u64;
        for k in [2usize, 5, 9] {
            let (s, z) = (interior(k, &mut seed), interior(k, &mut seed));
            let mut nt = Nt::new(k);
            nt.update(&s, &z);
            // W z = W^{-1} s = lambda, and W^{-2} (W (W x)) = x.
            let (mut a, mut b, mut c) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
            nt.w_mul(&z, &mut a);
            nt.winv_mul(&s, &mut b);
            for i in 0..k {
                assert!(
                    (a[i] - b[i]).abs() < 1e-10 * (1.0 + a[i].abs()),
                    "{a:?} {b:?}"
                );
                assert!((a[i] - nt.lam[i]).abs() < 1e-10 * (1.0 + a[i].abs()));
            }
            let x: Vec<f64> = (0..k).map(|_| rnd(&mut seed)).collect();
            nt.w_mul(&x, &mut a);
            nt.w_mul(&a, &mut b);
            nt.winv2_mul(&b, &mut c);
            for i in 0..k {
                assert!((c[i] - x[i]).abs() < 1e-9, "{c:?} vs {x:?}");
            }
            // lambda o (lambda \ d) = d.
            jordan_div(&nt.lam, &x, &mut a);
            jordan(&nt.lam, &a, &mut b);
            for i in 0..k {
                assert!((b[i] - x[i]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn soc_step_hits_the_boundary() {
        let mut seed = 11u64;
        for _ in 0..200 {
            let k = 4;
            let s = interior(k, &mut seed);
            let ds: Vec<f64> = (0..k).map(|_| 3.0 * rnd(&mut seed)).collect();
            let a = soc_step(&s, &ds);
            let at = |t: f64| -> Vec<f64> { s.iter().zip(&ds).map(|(p, q)| p + t * q).collect() };
            let inside = |v: &[f64]| v[0] >= v[1..].iter().map(|x| x * x).sum::<f64>().sqrt();
            if a.is_finite() {
                assert!(inside(&at(0.999 * a)), "before the step");
                assert!(!inside(&at(1.001 * a)), "after the step");
            } else {
                assert!(inside(&at(1e6)));
            }
        }
    }
}
