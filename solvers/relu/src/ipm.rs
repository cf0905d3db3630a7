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
use super::ops::{
    adjoint, forward, forward_blocks, frob_dot, mat_axpy, mul, mul_add, small_blocks,
};
use super::program::{Outcome, Problem, ReluRun};
use super::soc::{
    InteriorPoint, Measures, Nt, add_gap_after, centering, cols, cone_targets, drive, lp_step,
    lp_targets, soc_max_step,
};

/// Largest n for which the n x n capacitance matrix is formed (8000^2 doubles = 512 MB).
pub(crate) const MAX_N: usize = 8000;

/// The Newton system's operators and factors, with their scratch (sized once).
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
    /// Factor of a regularized K block (reused block after block).
    kchol: Chol,
    /// The capacitance matrix C = I + Y Xd^T (lower triangle) and its factor.
    cmat: Mat<f64>,
    cap: Chol,
    ybig: Mat<f64>,
    mi: Mat<f64>,
    // Scratch.
    work: Mat<f64>,
    fbuf: Vec<f64>,
    dpu: Mat<f64>,
    xm: Mat<f64>,
    nm: Mat<f64>,
    dk: Mat<f64>,
    tmp: Mat<f64>,
    t2: Mat<f64>,
    hx: Mat<f64>,
    corr: Mat<f64>,
    res: Mat<f64>,
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
            kchol: Chol::with_capacity(k),
            cmat: Mat::zeros(n, n),
            cap: Chol::parallel(n),
            ybig: Mat::zeros(n, d * p),
            mi: Mat::zeros(d, d),
            work: Mat::zeros(n, p),
            fbuf: vec![0.0; n],
            dpu: Mat::zeros(d, p),
            xm: Mat::zeros(n, d),
            nm: Mat::zeros(n, m),
            dk: Mat::zeros(d, m),
            tmp: Mat::zeros(k, m),
            t2: Mat::zeros(k, m),
            hx: Mat::zeros(k, m),
            corr: Mat::zeros(k, m),
            res: Mat::zeros(k, m),
        }
    }

    /// Sign of block b in F~ (+ for v / gated, - for w).
    fn sigma(&self, b: usize) -> f64 {
        if b < self.p { 1.0 } else { -1.0 }
    }

    /// f = F~ x where x is k x m (row 0 = t, ignored).
    fn f_apply(&mut self, x: MatRef<'_, f64>, f: &mut [f64]) {
        let pr = self.prob;
        let u = x.subrows(1, self.d);
        if self.relu {
            forward_blocks(pr.x, pr.pat, u, true, &mut self.dpu, &mut self.work, f);
        } else {
            // The gated blocks are copied first (contiguous columns, as they always were).
            self.dpu.copy_from(u);
            forward(pr.x, pr.pat, self.dpu.as_ref(), &mut self.work, f);
        }
    }

    /// out (k x m) = F~^T r (t rows zero).
    fn ft_apply(&mut self, r: &[f64], out: &mut Mat<f64>) {
        let (d, p) = (self.d, self.p);
        let pr = self.prob;
        adjoint(pr.x, pr.pat, r, 1.0, &mut self.work, self.dpu.as_mut());
        for b in 0..self.m {
            out[(0, b)] = 0.0;
            let s = self.sigma(b);
            for q in 0..d {
                out[(q + 1, b)] = s * self.dpu[(q, b % p)];
            }
        }
    }

    /// `out = X^T (S ∘ Q)` (d x m) into `self.dk`, Q given by the closure.
    fn signed_xt(&mut self, q: impl Fn(usize, usize) -> f64) {
        for b in 0..self.m {
            for j in 0..self.n {
                self.nm[(j, b)] = self.sgn[(j, b)] * q(j, b);
            }
        }
        mul(self.dk.as_mut(), self.prob.x.transpose(), self.nm.as_ref());
    }

    /// Block b of K (SOC barrier plus, for ReLU, X^T diag(h_b) X on the u part) and its
    /// regularized inverse.
    fn factor_block(&mut self, b: usize, h: &Mat<f64>) -> Result<(), ReluError> {
        let (n, d, k) = (self.n, self.d, self.k);
        let x = self.prob.x;
        let nt = &self.nt[b];
        let kb = &mut self.kb[b];
        for c in 0..k {
            for r in 0..k {
                kb[(r, c)] = nt.winv2_entry(r, c);
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
            mul_add(sub.as_mut(), x.transpose(), self.xm.as_ref());
        }
        // Regularized inverse: the smallest regularization (relative to the largest
        // diagonal entry) that Cholesky accepts; refinement against the exact H removes
        // its effect on the step.
        let kb = &self.kb[b];
        let scale = (0..k).map(|i| kb[(i, i)]).fold(0.0f64, f64::max);
        self.kchol
            .factor_regularized(k, |r, c| kb[(r, c)], scale, "an interior-point block")?;
        let inv = &mut self.kinv[b];
        inv.fill(0.0);
        for i in 0..k {
            inv[(i, i)] = 1.0;
        }
        self.kchol.solve_in_place(inv.as_mut());
        Ok(())
    }

    /// Builds K, its block inverses and the capacitance factor from h = z_N / s_N (n x m).
    fn factor(&mut self, h: &Mat<f64>) -> Result<(), ReluError> {
        let (n, d, p) = (self.n, self.d, self.p);
        for b in 0..self.m {
            self.factor_block(b, h)?;
        }
        // Y = [D_i X M_i], M_i = (K_v^{-1} + K_w^{-1})_uu; C = I + Y Xd^T.
        for i in 0..p {
            self.mi
                .copy_from(self.kinv[i].as_ref().submatrix(1, 1, d, d));
            if self.relu {
                self.mi += self.kinv[i + p].as_ref().submatrix(1, 1, d, d);
            }
            let mut yi = self.ybig.as_mut().subcols_mut(i * d, d);
            mul(
                yi.as_mut(),
                self.xd.as_ref().subcols(i * d, d),
                self.mi.as_ref(),
            );
        }
        // Only the lower triangle of the (symmetric) product is computed: half the flops;
        // the factorization reads no more.
        let c = &mut self.cmat;
        for j in 0..n {
            for i in j..n {
                c[(i, j)] = if i == j { 1.0 } else { 0.0 };
            }
        }
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
        let c = &self.cmat;
        self.cap
            .factor(n, |i, j| c[(i, j)], "the interior-point capacitance matrix")
    }

    /// out = K x (block-wise).
    fn k_apply(&self, x: &Mat<f64>, out: &mut Mat<f64>) {
        for b in 0..self.m {
            let xb = x.as_ref().subcols(b, 1);
            let ob = out.as_mut().subcols_mut(b, 1);
            mul(ob, self.kb[b].as_ref(), xb);
        }
    }

    /// out = K^{-1} x (block-wise, regularized).
    fn kinv_apply(&self, x: &Mat<f64>, out: &mut Mat<f64>) {
        for (b, kinv) in self.kinv.iter().enumerate() {
            let xb = x.as_ref().subcols(b, 1);
            let ob = out.as_mut().subcols_mut(b, 1);
            mul(ob, kinv.as_ref(), xb);
        }
    }

    /// hx = H x = K x + F~^T F~ x.
    fn h_apply(&mut self, x: &Mat<f64>) {
        let mut hx = take(&mut self.hx);
        let mut tmp = take(&mut self.tmp);
        let mut f = std::mem::take(&mut self.fbuf);
        self.k_apply(x, &mut hx);
        self.f_apply(x.as_ref(), &mut f);
        self.ft_apply(&f, &mut tmp);
        hx += &tmp;
        (self.hx, self.tmp, self.fbuf) = (hx, tmp, f);
    }

    /// out = H^{-1} r by Woodbury (one pass).
    fn h_solve_once(&mut self, r: &Mat<f64>, out: &mut Mat<f64>) {
        let mut tmp = take(&mut self.tmp);
        let mut t2 = take(&mut self.t2);
        let mut f = std::mem::take(&mut self.fbuf);
        self.kinv_apply(r, out);
        self.f_apply(out.as_ref(), &mut f);
        self.cap.solve_vec(&mut f);
        self.ft_apply(&f, &mut tmp);
        self.kinv_apply(&tmp, &mut t2);
        *out -= &t2;
        (self.tmp, self.t2, self.fbuf) = (tmp, t2, f);
    }

    /// out = H^{-1} r with iterative refinement against the exact H.
    fn h_solve(&mut self, r: &Mat<f64>, out: &mut Mat<f64>) {
        self.h_solve_once(r, out);
        let rn = r.norm_l2().max(1e-300);
        let mut last = f64::INFINITY;
        let (mut res, mut corr) = (take(&mut self.res), take(&mut self.corr));
        for _ in 0..4 {
            self.h_apply(out);
            for c in 0..res.ncols() {
                for i in 0..res.nrows() {
                    res[(i, c)] = r[(i, c)] - self.hx[(i, c)];
                }
            }
            let nres = res.norm_l2();
            if nres <= 1e-13 * rn || nres >= 0.5 * last {
                break;
            }
            last = nres;
            self.h_solve_once(&res, &mut corr);
            *out += &corr;
        }
        (self.res, self.corr) = (res, corr);
    }
}

/// Iterate of the method: x = (t; u) as k x m, slacks and duals of both cones (the
/// orthant rows n x m for ReLU, none for gated; the second-order cones k x m).
struct State {
    x: Mat<f64>,
    sn: Mat<f64>,
    zn: Mat<f64>,
    sc: Mat<f64>,
    zc: Mat<f64>,
}

impl State {
    /// x = 0, every slack and multiplier at the cones' identity.
    fn start(k: usize, nn: usize, m: usize) -> Self {
        let e = |r: usize, _: usize| if r == 0 { 1.0 } else { 0.0 };
        Self {
            x: Mat::zeros(k, m),
            sn: Mat::from_fn(nn, m, |_, _| 1.0),
            zn: Mat::from_fn(nn, m, |_, _| 1.0),
            sc: Mat::from_fn(k, m, e),
            zc: Mat::from_fn(k, m, e),
        }
    }

    /// Moves by `alpha` along `dir`.
    fn step(&mut self, alpha: f64, dir: &Direction) {
        for (v, dv) in [
            (&mut self.x, &dir.dx),
            (&mut self.sn, &dir.dsn),
            (&mut self.zn, &dir.dzn),
            (&mut self.sc, &dir.dsc),
            (&mut self.zc, &dir.dzc),
        ] {
            mat_axpy(alpha, dv, v);
        }
    }
}

/// A search direction: dx and the slack and multiplier moves of both cones.
struct Direction {
    dx: Mat<f64>,
    dsn: Mat<f64>,
    dzn: Mat<f64>,
    dsc: Mat<f64>,
    dzc: Mat<f64>,
}

impl Direction {
    fn zeros(k: usize, nn: usize, m: usize) -> Self {
        Self {
            dx: Mat::zeros(k, m),
            dsn: Mat::zeros(nn, m),
            dzn: Mat::zeros(nn, m),
            dsc: Mat::zeros(k, m),
            dzc: Mat::zeros(k, m),
        }
    }

    fn copy_from(&mut self, o: &Direction) {
        self.dsn.copy_from(&o.dsn);
        self.dzn.copy_from(&o.dzn);
        self.dsc.copy_from(&o.dsc);
        self.dzc.copy_from(&o.dzc);
    }
}

/// Everything the iteration needs besides the operators: constants, residuals, the
/// direction and its affine predecessor, sized once.
struct Work {
    relu: bool,
    n: usize,
    nn: usize,
    k: usize,
    m: usize,
    /// c = (beta; -F~^T y) and constants of the measures.
    cvec: Mat<f64>,
    cnorm: f64,
    y2: f64,
    beta: f64,
    deg: f64,
    pred: Vec<f64>,
    res: Vec<f64>,
    rd: Mat<f64>,
    rpn: Mat<f64>,
    rpc: Mat<f64>,
    xu: Mat<f64>,
    uu: Mat<f64>,
    h: Mat<f64>,
    ds_n: Mat<f64>,
    ds_c: Mat<f64>,
    qn: Mat<f64>,
    qc: Mat<f64>,
    rhs: Mat<f64>,
    dir: Direction,
    aff: Direction,
    t: [Vec<f64>; 4],
}

impl Work {
    fn new(ip: &mut Ipm<'_>) -> Self {
        let (n, d, m, k) = (ip.n, ip.d, ip.m, ip.k);
        let nn = if ip.relu { n } else { 0 };
        let prob = ip.prob;
        let beta = n as f64 * prob.lam;
        let mut cvec = Mat::<f64>::zeros(k, m);
        ip.ft_apply(prob.y, &mut cvec);
        cvec *= -1.0;
        for b in 0..m {
            cvec[(0, b)] = beta;
        }
        let cnorm = cvec.norm_l2();
        Self {
            relu: ip.relu,
            n,
            nn,
            k,
            m,
            cvec,
            cnorm,
            y2: opal_core::linalg::dot(prob.y, prob.y),
            beta,
            deg: (nn * m + m) as f64,
            pred: vec![0.0; n],
            res: vec![0.0; n],
            rd: Mat::zeros(k, m),
            rpn: Mat::zeros(nn, m),
            rpc: Mat::zeros(k, m),
            xu: Mat::zeros(nn, m),
            uu: Mat::zeros(d, m),
            h: Mat::zeros(nn, m),
            ds_n: Mat::zeros(nn, m),
            ds_c: Mat::zeros(k, m),
            qn: Mat::zeros(nn, m),
            qc: Mat::zeros(k, m),
            rhs: Mat::zeros(k, m),
            dir: Direction::zeros(k, nn, m),
            aff: Direction::zeros(k, nn, m),
            t: [vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]],
        }
    }

    /// Residuals at `st` (r_d = Q x + c + A^T z, r_p of both cones) and the measures.
    fn residuals(&mut self, ip: &mut Ipm<'_>, st: &State) -> Measures {
        let (n, m, k, d) = (self.n, self.m, self.k, ip.d);
        let prob = ip.prob;
        for b in 0..m {
            for q in 0..d {
                self.uu[(q, b)] = st.x[(q + 1, b)];
            }
        }
        ip.f_apply(st.x.as_ref(), &mut self.pred);
        super::ops::residual(&self.pred, prob.y, &mut self.res);
        ip.ft_apply(&self.pred, &mut self.rd);
        self.rd += &self.cvec;
        self.rd -= &st.zc;
        if self.relu {
            // A^T z = (-zc0; -X^T(sgn o zn) - zc_u).
            ip.signed_xt(|j, b| st.zn[(j, b)]);
            for b in 0..m {
                for q in 0..d {
                    self.rd[(q + 1, b)] -= ip.dk[(q, b)];
                }
            }
            // r_p (orthant) = -sgn o (X u) + s.
            mul(self.xu.as_mut(), prob.x, self.uu.as_ref());
            for b in 0..m {
                for j in 0..n {
                    self.xu[(j, b)] *= ip.sgn[(j, b)];
                    self.rpn[(j, b)] = st.sn[(j, b)] - self.xu[(j, b)];
                }
            }
        }
        for b in 0..m {
            for r in 0..k {
                self.rpc[(r, b)] = st.sc[(r, b)] - st.x[(r, b)];
            }
        }
        let tsum: f64 = (0..m).map(|b| st.x[(0, b)]).sum();
        let fit2: f64 = self.res.iter().map(|v| v * v).sum();
        let pobj = 0.5 * fit2 + self.beta * tsum;
        let fx2: f64 = self.pred.iter().map(|v| v * v).sum();
        let dobj = 0.5 * self.y2 - 0.5 * fx2;
        let gap_abs = frob_dot(&st.sn, &st.zn) + frob_dot(&st.sc, &st.zc);
        let rp_norm = (self.rpn.squared_norm_l2() + self.rpc.squared_norm_l2()).sqrt();
        let xnorm = st.x.norm_l2();
        let snorm = (st.sn.squared_norm_l2() + st.sc.squared_norm_l2()).sqrt();
        let mut rp_inf = 0.0f64;
        for b in 0..m {
            for j in 0..self.nn {
                rp_inf = rp_inf.max(self.rpn[(j, b)].abs());
            }
        }
        Measures {
            objective: pobj / n as f64,
            gap_abs,
            mu: gap_abs / self.deg,
            r_pri: rp_norm / (1.0 + xnorm + snorm),
            r_dual: self.rd.norm_l2() / (1.0 + self.cnorm + (0.5 * fx2).sqrt()),
            gap: (pobj - dobj).abs().min(gap_abs) / pobj.abs().max(1.0),
            rp_inf,
        }
    }

    /// Nesterov-Todd scalings at `st`, then the factors of the Newton system.
    fn scale(&mut self, ip: &mut Ipm<'_>, st: &State) -> Result<(), ReluError> {
        for b in 0..self.m {
            ip.nt[b].update(st.sc.col_as_slice(b), st.zc.col_as_slice(b));
        }
        for b in 0..self.m {
            for j in 0..self.nn {
                self.h[(j, b)] = st.zn[(j, b)] / st.sn[(j, b)];
            }
        }
        ip.factor(&self.h)
    }

    /// The complementarity target d_s = -lam o lam (- W^{-1}ds_a o W dz_a + sigma mu e
    /// in the corrector pass), then q = W^{-2} r_p + W^{-1}(lam \ d_s).
    fn targets(&mut self, ip: &Ipm<'_>, st: &State, corrector: bool, sigma_mu: f64) {
        for b in 0..self.m {
            let lp_aff =
                corrector.then(|| (self.aff.dsn.col_as_slice(b), self.aff.dzn.col_as_slice(b)));
            lp_targets(
                [st.sn.col_as_slice(b), st.zn.col_as_slice(b)],
                lp_aff,
                sigma_mu,
                self.h.col_as_slice(b),
                self.rpn.col_as_slice(b),
                self.ds_n.col_as_slice_mut(b),
                self.qn.col_as_slice_mut(b),
            );
        }
        let aff = corrector.then_some((&self.aff.dsc, &self.aff.dzc));
        let (ds, q) = (&mut self.ds_c, &mut self.qc);
        cone_targets(&ip.nt, aff, sigma_mu, &self.rpc, ds, q, &mut self.t);
    }

    /// Solves the Newton system for the targets: dx, then dz = W^{-2} A dx + q and
    /// ds = -r_p - A dx.
    fn direction(&mut self, ip: &mut Ipm<'_>) {
        let (n, m, k, d) = (self.n, self.m, self.k, ip.d);
        // rhs = -r_d - A^T q = -r_d + (q_c0; X^T(sgn o q_n) + q_cu).
        self.rhs.copy_from(&self.qc);
        self.rhs -= &self.rd;
        if self.relu {
            let qn = &self.qn;
            ip.signed_xt(|j, b| qn[(j, b)]);
            for b in 0..m {
                for q in 0..d {
                    self.rhs[(q + 1, b)] += ip.dk[(q, b)];
                }
            }
        }
        let dir = &mut self.dir;
        ip.h_solve(&self.rhs, &mut dir.dx);
        if self.relu {
            for b in 0..m {
                for q in 0..d {
                    self.uu[(q, b)] = dir.dx[(q + 1, b)];
                }
            }
            mul(ip.nm.as_mut(), ip.prob.x, self.uu.as_ref());
            for b in 0..m {
                for j in 0..n {
                    let adx = -ip.sgn[(j, b)] * ip.nm[(j, b)];
                    dir.dzn[(j, b)] = self.h[(j, b)] * adx + self.qn[(j, b)];
                    // ds from the linearized primal equation A dx + ds = -r_p (exact,
                    // where the complementarity form loses it to rounding).
                    dir.dsn[(j, b)] = -self.rpn[(j, b)] - adx;
                }
            }
        }
        let [t1, t2, ..] = &mut self.t;
        for b in 0..m {
            for r in 0..k {
                t1[r] = -dir.dx[(r, b)];
            }
            ip.nt[b].winv2_mul(t1, t2);
            for r in 0..k {
                dir.dzc[(r, b)] = t2[r] + self.qc[(r, b)];
                // ds = -r_p - A dx = -r_p + dx (equal to W(lam \ d_s - W dz) in exact
                // arithmetic; W is too ill-conditioned near the end to use that form).
                dir.dsc[(r, b)] = dir.dx[(r, b)] - self.rpc[(r, b)];
            }
        }
    }

    /// Longest step along the direction that keeps every cone's slack and multiplier.
    fn max_step(&self, st: &State) -> f64 {
        let dir = &self.dir;
        let mut amax = f64::INFINITY;
        for b in 0..self.m {
            let [s, ds, z, dz] = cols(b, [&st.sn, &dir.dsn, &st.zn, &dir.dzn]);
            amax = lp_step(amax, s, ds, z, dz);
        }
        soc_max_step(amax, &st.sc, &dir.dsc, &st.zc, &dir.dzc)
    }

    /// The complementarity gap after a step `aa` along the direction (block by block:
    /// the orthant rows, then the cone).
    fn gap_after(&self, st: &State, aa: f64) -> f64 {
        let dir = &self.dir;
        let mut gap = 0.0;
        for b in 0..self.m {
            gap = add_gap_after(gap, cols(b, [&st.sn, &dir.dsn, &st.zn, &dir.dzn]), aa);
            gap = add_gap_after(gap, cols(b, [&st.sc, &dir.dsc, &st.zc, &dir.dzc]), aa);
        }
        gap
    }

    /// Mehrotra's predictor then corrector; returns the step length along `self.dir`.
    fn mehrotra(&mut self, ip: &mut Ipm<'_>, st: &State, meas: &Measures) -> f64 {
        self.targets(ip, st, false, 0.0);
        self.direction(ip);
        let aa = self.max_step(st).min(1.0);
        let sigma_mu = centering(self.gap_after(st, aa), meas.gap_abs, meas.mu);
        self.aff.copy_from(&self.dir);
        self.targets(ip, st, true, sigma_mu);
        self.direction(ip);
        (0.99 * self.max_step(st)).min(1.0)
    }
}

/// The method as [`drive`] runs it.
struct Method<'a> {
    ip: Ipm<'a>,
    w: Work,
    st: State,
}

impl InteriorPoint for Method<'_> {
    fn measure(&mut self) -> Measures {
        self.w.residuals(&mut self.ip, &self.st)
    }
    fn direction(&mut self, meas: &Measures) -> Result<(f64, f64), ReluError> {
        let (w, ip, st) = (&mut self.w, &mut self.ip, &self.st);
        w.scale(ip, st)?;
        Ok((w.mehrotra(ip, st, meas), w.dir.dx.norm_l2()))
    }
    fn step(&mut self, alpha: f64) {
        self.st.step(alpha, &self.w.dir);
    }
}

/// Runs the interior-point method; returns u (d x m) with zero blocks pruned.
pub(crate) fn solve(
    prob: &Problem<'_>,
    relu: bool,
    tol: f64,
    run: &mut ReluRun<'_, '_>,
) -> Result<Outcome, ReluError> {
    let (n, d) = (prob.n(), prob.d());
    if n > MAX_N {
        return Err(ReluError::Unsupported(format!(
            "the interior-point solver forms an n x n matrix; n = {n} exceeds {MAX_N}: use solver admm or cg"
        )));
    }
    let mut ip = Ipm::new(prob, relu);
    let w = Work::new(&mut ip);
    let st = State::start(w.k, w.nn, w.m);
    let mut method = Method { ip, w, st };
    let end = drive(&mut method, tol, run)?;
    let mut u = method.st.x.as_ref().subrows(1, d).to_owned();
    prune(prob, relu, &mut u);
    Ok(end.outcome(u, CONVERGED))
}

/// Moves a workspace matrix out (leaving an empty one, no allocation) so that it can be
/// used beside `&mut self`.
fn take(m: &mut Mat<f64>) -> Mat<f64> {
    std::mem::replace(m, Mat::new())
}

/// Why the interior point stops with success.
const CONVERGED: &str = "relative gap, residuals and largest cone residual within tolerance";

/// Zeroes the blocks the barrier left at O(mu) size when doing so does not raise the
/// objective (zero blocks satisfy the cone constraints, so feasibility is unaffected).
pub(crate) fn prune(prob: &Problem<'_>, relu: bool, u: &mut Mat<f64>) {
    let (n, d, p) = (prob.n(), prob.d(), prob.p());
    let (norms, order) = small_blocks(u);
    let mut diff = Mat::<f64>::zeros(d, p);
    let mut work = Mat::<f64>::zeros(n, p);
    let mut pred = vec![0.0; n];
    forward_blocks(
        prob.x,
        prob.pat,
        u.as_ref(),
        relu,
        &mut diff,
        &mut work,
        &mut pred,
    );
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
