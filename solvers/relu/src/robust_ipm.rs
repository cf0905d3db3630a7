//! Interior-point method for the robust (adversarial) hinge-loss ReLU program, in Bai's
//! scaling (objective times n, beta = n lam), as an LP + SOC program:
//!
//!   min sum_j xi_j + beta sum_b t_b  over blocks (u_b, a_b, t_b) and samples (b_j, xi_j)
//!   s.t. (R) s_jb x_j^T u_b - eps 1^T a_b >= 0        (robust cone, s = 2 D - 1)
//!        (A) a_b >= |u_b|  (masked coordinates)       (l1 epigraph of the blocks)
//!        (S) (t_b, u_b) in the second-order cone      (group norms)
//!        (B) b_j >= |z_j|, z_j = sum_b sigma_b d_jb u_b  (l1 epigraph of the samples)
//!        (H) xi_j >= 1 - y_j x_j^T z_j + eps 1^T b_j,  (X) xi_j >= 0   (hinge).
//!
//! Mehrotra predictor-corrector with Nesterov-Todd scaling as in `ipm`. The
//! sample variables (b_j, xi_j) enter only their own rows and z_j, so they are eliminated
//! per sample (a (d'+1) x (d'+1) solve each); what remains is a dense system in the block
//! variables of size 2P (d + d' + 1): K_b on the diagonal blocks plus
//! sum_j (s_j s_j^T) ⊗ N_j on the u parts (N_j the d x d Schur complement of sample j).
//! Adversarial training uses few patterns (P ~ 10-50), so this is small; P is capped.

use faer::{Mat, MatRef};
use opal_core::linalg::{axpy, dot, norm_inf};

use super::error::ReluError;
use super::linalg::Chol;
use super::ops::{frob_dot, gemm, mat_axpy, mul};
use super::program::{Outcome, ReluRun};
use super::soc::{
    InteriorPoint, Measures, Nt, add_gap_after, centering, cols, cone_targets, drive, lp_step,
    lp_targets, soc_max_step,
};

/// Largest Schur system (2P (d + d' + 1)) the method forms.
pub(crate) const MAX_SCHUR: usize = 6000;

/// The robust program's data.
pub(crate) struct RobustProblem<'a> {
    /// Augmented X (n x d).
    pub x: MatRef<'a, f64>,
    /// Patterns (n x P).
    pub pat: MatRef<'a, f64>,
    /// Labels ±1.
    pub y: &'a [f64],
    /// Coordinates subject to the l_inf perturbation (the bias is not).
    pub mask: &'a [f64],
    pub eps: f64,
    pub lam: f64,
}

struct Layout {
    n: usize,
    d: usize,
    m: usize,
    /// Masked coordinates (the l1 norms run over these); empty when eps = 0.
    mk: Vec<usize>,
    /// Block variable size d + d' + 1 and sample variable size d' + 1.
    q: usize,
    r: usize,
    o_a: usize,
    o_b: usize,
    o_h: usize,
    o_x: usize,
    rows: usize,
}

impl Layout {
    fn dp(&self) -> usize {
        self.mk.len()
    }
}

/// Block variables: q x m (u rows 0..d, a rows d..d+d', t row d+d'); sample variables
/// r x n (b rows 0..d', xi row d').
struct Vars {
    xb: Mat<f64>,
    xs: Mat<f64>,
}

impl Vars {
    fn zeros(l: &Layout) -> Self {
        Self {
            xb: Mat::zeros(l.q, l.m),
            xs: Mat::zeros(l.r, l.n),
        }
    }
    fn axpy(&mut self, a: f64, o: &Vars) {
        mat_axpy(a, &o.xb, &mut self.xb);
        mat_axpy(a, &o.xs, &mut self.xs);
    }
    fn copy_from(&mut self, o: &Vars) {
        self.xb.copy_from(&o.xb);
        self.xs.copy_from(&o.xs);
    }
    fn norm2(&self) -> f64 {
        self.xb.squared_norm_l2() + self.xs.squared_norm_l2()
    }
}

struct Ops<'a> {
    pr: &'a RobustProblem<'a>,
    l: Layout,
    /// s_jb = sigma_b d_jb (n x m): z_j = U s_j.
    smat: Mat<f64>,
    /// 2 D - 1 per block (n x m).
    sgn: Mat<f64>,
    // scratch
    u: Mat<f64>,
    xu: Mat<f64>,
    z: Mat<f64>,
    nm: Mat<f64>,
    dm: Mat<f64>,
    wz: Mat<f64>,
}

impl<'a> Ops<'a> {
    fn new(pr: &'a RobustProblem<'a>) -> Self {
        let (n, d, p) = (pr.x.nrows(), pr.x.ncols(), pr.pat.ncols());
        let m = 2 * p;
        let mk: Vec<usize> = if pr.eps > 0.0 {
            (0..d).filter(|&k| pr.mask[k] > 0.0).collect()
        } else {
            Vec::new()
        };
        let dp = mk.len();
        let q = d + dp + 1;
        let r = dp + 1;
        let o_a = n * m;
        let o_b = o_a + 2 * dp * m;
        let o_h = o_b + 2 * dp * n;
        let o_x = o_h + n;
        let rows = o_x + n;
        let l = Layout {
            n,
            d,
            m,
            mk,
            q,
            r,
            o_a,
            o_b,
            o_h,
            o_x,
            rows,
        };
        let smat = Mat::from_fn(n, m, |j, b| {
            let v = pr.pat[(j, b % p)];
            if b < p { v } else { -v }
        });
        let sgn = Mat::from_fn(n, m, |j, b| 2.0 * pr.pat[(j, b % p)] - 1.0);
        Self {
            pr,
            smat,
            sgn,
            u: Mat::zeros(d, m),
            xu: Mat::zeros(n, m),
            z: Mat::zeros(n, d),
            nm: Mat::zeros(n, m),
            dm: Mat::zeros(d, m),
            wz: Mat::zeros(n, d),
            l,
        }
    }

    /// g = G x (every LP row's linear part).
    fn g_apply(&mut self, v: &Vars, g: &mut [f64]) {
        let l = &self.l;
        let (n, d, m, dp) = (l.n, l.d, l.m, l.dp());
        let eps = self.pr.eps;
        self.u.copy_from(v.xb.as_ref().subrows(0, d));
        mul(self.xu.as_mut(), self.pr.x, self.u.as_ref());
        mul(self.z.as_mut(), self.smat.as_ref(), self.u.transpose());
        for b in 0..m {
            let asum: f64 = (0..dp).map(|k| v.xb[(d + k, b)]).sum();
            for j in 0..n {
                g[j + n * b] = self.sgn[(j, b)] * self.xu[(j, b)] - eps * asum;
            }
            for (k, &c) in l.mk.iter().enumerate() {
                let (a, uc) = (v.xb[(d + k, b)], v.xb[(c, b)]);
                g[l.o_a + k + dp * b] = a - uc;
                g[l.o_a + dp * m + k + dp * b] = a + uc;
            }
        }
        for j in 0..n {
            let mut bsum = 0.0;
            for (k, &c) in l.mk.iter().enumerate() {
                let (bb, zc) = (v.xs[(k, j)], self.z[(j, c)]);
                g[l.o_b + k + dp * j] = bb - zc;
                g[l.o_b + dp * n + k + dp * j] = bb + zc;
                bsum += bb;
            }
            let xz: f64 = (0..d).map(|c| self.pr.x[(j, c)] * self.z[(j, c)]).sum();
            let xi = v.xs[(dp, j)];
            g[l.o_h + j] = xi + self.pr.y[j] * xz - eps * bsum;
            g[l.o_x + j] = xi;
        }
    }

    /// out = G^T lam.
    fn gt_apply(&mut self, lam: &[f64], out: &mut Vars) {
        let l = &self.l;
        let (n, d, m, dp) = (l.n, l.d, l.m, l.dp());
        let eps = self.pr.eps;
        out.xb.fill(0.0);
        out.xs.fill(0.0);
        for b in 0..m {
            let mut lsum = 0.0;
            for j in 0..n {
                let v = lam[j + n * b];
                self.nm[(j, b)] = self.sgn[(j, b)] * v;
                lsum += v;
            }
            for k in 0..dp {
                out.xb[(d + k, b)] -= eps * lsum;
            }
        }
        mul(self.dm.as_mut(), self.pr.x.transpose(), self.nm.as_ref());
        for b in 0..m {
            for c in 0..d {
                out.xb[(c, b)] += self.dm[(c, b)];
            }
            for (k, &c) in l.mk.iter().enumerate() {
                let (l1, l2) = (lam[l.o_a + k + dp * b], lam[l.o_a + dp * m + k + dp * b]);
                out.xb[(d + k, b)] += l1 + l2;
                out.xb[(c, b)] += l2 - l1;
            }
        }
        // z-space adjoint: wz_j = d(rows)/dz_j, then U gets Wz^T S.
        for j in 0..n {
            for c in 0..d {
                self.wz[(j, c)] = 0.0;
            }
            for (k, &c) in l.mk.iter().enumerate() {
                let (l1, l2) = (lam[l.o_b + k + dp * j], lam[l.o_b + dp * n + k + dp * j]);
                out.xs[(k, j)] += l1 + l2;
                self.wz[(j, c)] += l2 - l1;
            }
            let lh = lam[l.o_h + j];
            let yj = self.pr.y[j];
            for c in 0..d {
                self.wz[(j, c)] += lh * yj * self.pr.x[(j, c)];
            }
            for k in 0..dp {
                out.xs[(k, j)] -= eps * lh;
            }
            out.xs[(dp, j)] += lh + lam[l.o_x + j];
        }
        mul(self.dm.as_mut(), self.wz.transpose(), self.smat.as_ref());
        for b in 0..m {
            for c in 0..d {
                out.xb[(c, b)] += self.dm[(c, b)];
            }
        }
    }
}

/// The factored Newton system: Schur matrix in block variables plus per-sample pieces.
struct Newton {
    /// Per sample: L_gg^{-1} (r x r), L_zg (d x r).
    lgg_inv: Vec<Mat<f64>>,
    lzg: Vec<Mat<f64>>,
    /// Dense Schur matrix (mq x mq), unregularized, and the factor of the regularized one.
    schur: Mat<f64>,
    chol: Option<ScaledChol>,
}

impl Newton {
    fn new(l: &Layout) -> Self {
        Self {
            lgg_inv: (0..l.n).map(|_| Mat::zeros(l.r, l.r)).collect(),
            lzg: (0..l.n).map(|_| Mat::zeros(l.d, l.r)).collect(),
            schur: Mat::zeros(l.m * l.q, l.m * l.q),
            chol: None,
        }
    }

    /// Assembles and factors the system for LP weights `w` (z/s per row) and SOC scalings.
    fn factor(&mut self, ops: &Ops<'_>, w: &[f64], nt: &[Nt]) -> Result<(), ReluError> {
        let l = &ops.l;
        let (n, d, m, dp, q, r) = (l.n, l.d, l.m, l.dp(), l.q, l.r);
        let x = ops.pr.x;
        let eps = ops.pr.eps;
        self.schur.fill(0.0);
        // Block terms K_b.
        let mut xh = Mat::<f64>::zeros(n, d);
        let mut kuu = Mat::<f64>::zeros(d, d);
        for b in 0..m {
            let o = b * q;
            let mut hs = vec![0.0; d];
            let mut hsum = 0.0;
            for j in 0..n {
                let h = w[j + n * b];
                hsum += h;
                for c in 0..d {
                    xh[(j, c)] = h * x[(j, c)];
                    hs[c] += h * ops.sgn[(j, b)] * x[(j, c)];
                }
            }
            mul(kuu.as_mut(), x.transpose(), xh.as_ref());
            for c1 in 0..d {
                for c2 in 0..d {
                    self.schur[(o + c1, o + c2)] += kuu[(c1, c2)];
                }
                for k in 0..dp {
                    self.schur[(o + c1, o + d + k)] -= eps * hs[c1];
                    self.schur[(o + d + k, o + c1)] -= eps * hs[c1];
                }
            }
            for k1 in 0..dp {
                for k2 in 0..dp {
                    self.schur[(o + d + k1, o + d + k2)] += eps * eps * hsum;
                }
            }
            for (k, &c) in l.mk.iter().enumerate() {
                let (w1, w2) = (w[l.o_a + k + dp * b], w[l.o_a + dp * m + k + dp * b]);
                self.schur[(o + d + k, o + d + k)] += w1 + w2;
                self.schur[(o + c, o + c)] += w1 + w2;
                self.schur[(o + c, o + d + k)] += w2 - w1;
                self.schur[(o + d + k, o + c)] += w2 - w1;
            }
            // SOC on (t, u): W^{-2} = eta^-2 (2 (Jw)(Jw)^T - J), index 0 = t.
            let nb = &nt[b];
            let idx = |i: usize| if i == 0 { o + d + dp } else { o + i - 1 };
            for i1 in 0..=d {
                for i2 in 0..=d {
                    self.schur[(idx(i1), idx(i2))] += nb.winv2_entry(i1, i2);
                }
            }
        }
        // Sample terms: L_j over (b_j, xi_j | z_j), eliminate (b_j, xi_j).
        let mut lj = Mat::<f64>::zeros(r + d, r + d);
        let mut row = vec![0.0; r + d];
        let mut nj = Mat::<f64>::zeros(d, d);
        let mut tmp = Mat::<f64>::zeros(r, d);
        for j in 0..n {
            lj.fill(0.0);
            for (k, &c) in l.mk.iter().enumerate() {
                let (w1, w2) = (w[l.o_b + k + dp * j], w[l.o_b + dp * n + k + dp * j]);
                lj[(k, k)] += w1 + w2;
                lj[(r + c, r + c)] += w1 + w2;
                lj[(k, r + c)] += w2 - w1;
                lj[(r + c, k)] += w2 - w1;
            }
            row.fill(0.0);
            for k in 0..dp {
                row[k] = -eps;
            }
            row[dp] = 1.0;
            for c in 0..d {
                row[r + c] = ops.pr.y[j] * x[(j, c)];
            }
            let wh = w[l.o_h + j];
            for i1 in 0..r + d {
                for i2 in 0..r + d {
                    lj[(i1, i2)] += wh * row[i1] * row[i2];
                }
            }
            lj[(dp, dp)] += w[l.o_x + j];
            let lgg = lj.as_ref().submatrix(0, 0, r, r).to_owned();
            let ch = chol_reg(&lgg, "a sample block of the robust Newton system")?;
            let inv = &mut self.lgg_inv[j];
            inv.copy_from(Mat::<f64>::identity(r, r));
            ch.solve_in_place(inv.as_mut());
            self.lzg[j].copy_from(lj.as_ref().submatrix(r, 0, d, r));
            // N_j = L_zz - L_zg L_gg^{-1} L_gz.
            mul(
                tmp.as_mut(),
                self.lgg_inv[j].as_ref(),
                lj.as_ref().submatrix(0, r, r, d),
            );
            nj.copy_from(lj.as_ref().submatrix(r, r, d, d));
            gemm(nj.as_mut(), true, self.lzg[j].as_ref(), tmp.as_ref(), -1.0);
            // Spread over the block pairs active at sample j.
            let act: Vec<(usize, f64)> = (0..m)
                .filter_map(|b| {
                    let s = ops.smat[(j, b)];
                    (s != 0.0).then_some((b, s))
                })
                .collect();
            for &(b1, s1) in &act {
                for &(b2, s2) in &act {
                    let (o1, o2) = (b1 * q, b2 * q);
                    let f = s1 * s2;
                    for c2 in 0..d {
                        for c1 in 0..d {
                            self.schur[(o1 + c1, o2 + c2)] += f * nj[(c1, c2)];
                        }
                    }
                }
            }
        }
        self.chol = Some(chol_reg(&self.schur, "the robust Schur system")?);
        Ok(())
    }

    /// Solves the full Newton system H dx = rhs (block and sample parts).
    fn solve_once(&self, ops: &mut Ops<'_>, rhs: &Vars, out: &mut Vars) {
        let l = &ops.l;
        let (n, d, m, q, r) = (l.n, l.d, l.m, l.q, l.r);
        // Reduced rhs: r_b - H_bg H_gg^{-1} r_g; the u part gets sum_j s_jb (L_zg L_gg^-1 r_gj).
        let mut rg = vec![0.0; r];
        let mut wzj = Mat::<f64>::zeros(n, d);
        for j in 0..n {
            for i in 0..r {
                rg[i] = (0..r)
                    .map(|k| self.lgg_inv[j][(i, k)] * rhs.xs[(k, j)])
                    .sum();
            }
            for c in 0..d {
                wzj[(j, c)] = (0..r).map(|k| self.lzg[j][(c, k)] * rg[k]).sum();
            }
        }
        let mut red = rhs.xb.clone();
        let mut dm = Mat::<f64>::zeros(d, m);
        mul(dm.as_mut(), wzj.transpose(), ops.smat.as_ref());
        for b in 0..m {
            for c in 0..d {
                red[(c, b)] -= dm[(c, b)];
            }
        }
        let mut v = Mat::<f64>::zeros(m * q, 1);
        for b in 0..m {
            for i in 0..q {
                v[(b * q + i, 0)] = red[(i, b)];
            }
        }
        if let Some(c) = &self.chol {
            c.solve_in_place(v.as_mut());
        }
        for b in 0..m {
            for i in 0..q {
                out.xb[(i, b)] = v[(b * q + i, 0)];
            }
        }
        // dz_j = dU s_j, then dg_j = L_gg^{-1} (r_gj - L_gz dz_j).
        let du = out.xb.as_ref().subrows(0, d).to_owned();
        let mut dz = Mat::<f64>::zeros(n, d);
        mul(dz.as_mut(), ops.smat.as_ref(), du.transpose());
        for j in 0..n {
            for i in 0..r {
                rg[i] = rhs.xs[(i, j)]
                    - (0..d)
                        .map(|c| self.lzg[j][(c, i)] * dz[(j, c)])
                        .sum::<f64>();
            }
            for i in 0..r {
                out.xs[(i, j)] = (0..r).map(|k| self.lgg_inv[j][(i, k)] * rg[k]).sum();
            }
        }
    }
}

/// Cholesky of a symmetrically equilibrated SPD matrix (D^{-1/2} A D^{-1/2}, D = diag(A)),
/// with the smallest diagonal shift it accepts: the barrier makes diagonal entries range over
/// many orders of magnitude, and a shift relative to the largest one would swamp the rest.
struct ScaledChol {
    ch: Chol,
    scale: Vec<f64>,
}

impl ScaledChol {
    /// rhs <- A^{-1} rhs.
    fn solve_in_place(&self, mut rhs: faer::MatMut<'_, f64>) {
        for c in 0..rhs.ncols() {
            for i in 0..rhs.nrows() {
                rhs[(i, c)] *= self.scale[i];
            }
        }
        self.ch.solve_in_place(rhs.as_mut());
        for c in 0..rhs.ncols() {
            for i in 0..rhs.nrows() {
                rhs[(i, c)] *= self.scale[i];
            }
        }
    }
}

fn chol_reg(a: &Mat<f64>, what: &str) -> Result<ScaledChol, ReluError> {
    let k = a.nrows();
    let scale: Vec<f64> = (0..k)
        .map(|i| {
            let v = a[(i, i)];
            if v > 0.0 && v.is_finite() {
                1.0 / v.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    let mut ch = Chol::with_capacity(k);
    ch.factor_regularized(k, |r, c| a[(r, c)] * scale[r] * scale[c], 1.0, what)?;
    Ok(ScaledChol { ch, scale })
}

/// <a, b> over both parts.
fn vdot(a: &Vars, b: &Vars) -> f64 {
    frob_dot(&a.xb, &b.xb) + frob_dot(&a.xs, &b.xs)
}

/// H x = G_L^T diag(w) G_L x + SOC part (for refinement).
fn h_apply(ops: &mut Ops<'_>, w: &[f64], nt: &[Nt], x: &Vars, out: &mut Vars, g: &mut [f64]) {
    ops.g_apply(x, g);
    for (gi, wi) in g.iter_mut().zip(w) {
        *gi *= wi;
    }
    ops.gt_apply(g, out);
    let (d, dp) = (ops.l.d, ops.l.dp());
    let k = d + 1;
    let (mut a, mut b) = (vec![0.0; k], vec![0.0; k]);
    for (bi, nb) in nt.iter().enumerate() {
        a[0] = x.xb[(d + dp, bi)];
        for c in 0..d {
            a[c + 1] = x.xb[(c, bi)];
        }
        nb.winv2_mul(&a, &mut b);
        out.xb[(d + dp, bi)] += b[0];
        for c in 0..d {
            out.xb[(c, bi)] += b[c + 1];
        }
    }
}

/// Iterate: block and sample variables, LP slacks and multipliers (one per row), SOC
/// slacks and multipliers (k x m).
struct State {
    x: Vars,
    sl: Vec<f64>,
    zl: Vec<f64>,
    sc: Mat<f64>,
    zc: Mat<f64>,
}

/// A search direction.
struct Direction {
    dx: Vars,
    dsl: Vec<f64>,
    dzl: Vec<f64>,
    dsc: Mat<f64>,
    dzc: Mat<f64>,
}

impl Direction {
    fn zeros(l: &Layout, k: usize) -> Self {
        Self {
            dx: Vars::zeros(l),
            dsl: vec![0.0; l.rows],
            dzl: vec![0.0; l.rows],
            dsc: Mat::zeros(k, l.m),
            dzc: Mat::zeros(k, l.m),
        }
    }
}

/// The method's operators, factors, constants and scratch (sized once).
struct Robust<'a> {
    ops: Ops<'a>,
    newton: Newton,
    nt: Vec<Nt>,
    k: usize,
    beta: f64,
    cvec: Vars,
    hvec: Vec<f64>,
    cnorm: f64,
    deg: f64,
    g: Vec<f64>,
    rpl: Vec<f64>,
    rpc: Mat<f64>,
    rd: Vars,
    w: Vec<f64>,
    dsl_t: Vec<f64>,
    dsc_t: Mat<f64>,
    ql: Vec<f64>,
    qc: Mat<f64>,
    rhs: Vars,
    corr: Vars,
    hx: Vars,
    res: Vars,
    pdir: Vars,
    tmpv: Vars,
    dir: Direction,
    aff: Direction,
    t: [Vec<f64>; 4],
}

impl<'a> Robust<'a> {
    fn new(ops: Ops<'a>) -> Self {
        let l = &ops.l;
        let (n, d, m, dp, rows) = (l.n, l.d, l.m, l.dp(), l.rows);
        let k = d + 1;
        let beta = n as f64 * ops.pr.lam;
        // Objective c and the LP right-hand side h (rows G x >= h).
        let mut cvec = Vars::zeros(l);
        for b in 0..m {
            cvec.xb[(d + dp, b)] = beta;
        }
        for j in 0..n {
            cvec.xs[(dp, j)] = 1.0;
        }
        let mut hvec = vec![0.0; rows];
        for j in 0..n {
            hvec[l.o_h + j] = 1.0;
        }
        let cnorm = cvec.norm2().sqrt();
        Self {
            newton: Newton::new(l),
            nt: (0..m).map(|_| Nt::new(k)).collect(),
            k,
            beta,
            cvec,
            hvec,
            cnorm,
            deg: (rows + m) as f64,
            g: vec![0.0; rows],
            rpl: vec![0.0; rows],
            rpc: Mat::zeros(k, m),
            rd: Vars::zeros(l),
            w: vec![0.0; rows],
            dsl_t: vec![0.0; rows],
            dsc_t: Mat::zeros(k, m),
            ql: vec![0.0; rows],
            qc: Mat::zeros(k, m),
            rhs: Vars::zeros(l),
            corr: Vars::zeros(l),
            hx: Vars::zeros(l),
            res: Vars::zeros(l),
            pdir: Vars::zeros(l),
            tmpv: Vars::zeros(l),
            dir: Direction::zeros(l, k),
            aff: Direction::zeros(l, k),
            t: [vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]],
            ops,
        }
    }

    fn start(&self) -> State {
        let (l, k) = (&self.ops.l, self.k);
        let sc = Mat::from_fn(k, l.m, |r, _| if r == 0 { 1.0 } else { 0.0 });
        State {
            x: Vars::zeros(l),
            sl: vec![1.0; l.rows],
            zl: vec![1.0; l.rows],
            zc: sc.clone(),
            sc,
        }
    }

    /// Residuals r_d = c - G^T z_L - (SOC z mapped), r_p = h - G x + s (LP), s - x (SOC),
    /// and the measures.
    fn residuals(&mut self, st: &State) -> Measures {
        let l = &self.ops.l;
        let (n, d, m, dp, rows) = (l.n, l.d, l.m, l.dp(), l.rows);
        self.ops.gt_apply(&st.zl, &mut self.rd);
        self.rd.xb *= -1.0;
        self.rd.xs *= -1.0;
        self.rd.axpy(1.0, &self.cvec);
        for b in 0..m {
            self.rd.xb[(d + dp, b)] -= st.zc[(0, b)];
            for c in 0..d {
                self.rd.xb[(c, b)] -= st.zc[(c + 1, b)];
            }
        }
        self.ops.g_apply(&st.x, &mut self.g);
        for i in 0..rows {
            self.rpl[i] = self.hvec[i] - self.g[i] + st.sl[i];
        }
        for b in 0..m {
            self.rpc[(0, b)] = st.sc[(0, b)] - st.x.xb[(d + dp, b)];
            for c in 0..d {
                self.rpc[(c + 1, b)] = st.sc[(c + 1, b)] - st.x.xb[(c, b)];
            }
        }
        let x = &st.x;
        let pobj: f64 = (0..n).map(|j| x.xs[(dp, j)]).sum::<f64>()
            + self.beta * (0..m).map(|b| x.xb[(d + dp, b)]).sum::<f64>();
        let dobj = dot(&self.hvec, &st.zl);
        let gap_abs = dot(&st.sl, &st.zl) + frob_dot(&st.sc, &st.zc);
        let xn = x.norm2().sqrt();
        let sn = (dot(&st.sl, &st.sl) + st.sc.squared_norm_l2()).sqrt();
        let r_pri =
            (dot(&self.rpl, &self.rpl) + self.rpc.squared_norm_l2()).sqrt() / (1.0 + xn + sn);
        // Relative to the multipliers too: where a block's robust cone is only {0} (no Slater
        // point), its multipliers grow without bound along a dual ray while the primal
        // converges, and the rounding in G^T z grows with them.
        let zscale = (dot(&st.zl, &st.zl) + st.zc.squared_norm_l2()).sqrt();
        Measures {
            objective: pobj / n as f64,
            gap_abs,
            mu: gap_abs / self.deg,
            r_pri,
            r_dual: self.rd.norm2().sqrt() / (1.0 + self.cnorm + zscale),
            gap: (pobj - dobj).abs().min(gap_abs) / pobj.abs().max(1.0),
            rp_inf: norm_inf(&self.rpl[..n * m]),
        }
    }

    /// Nesterov-Todd scalings, LP weights z/s, and the factored Newton system.
    fn scale(&mut self, st: &State) -> Result<(), ReluError> {
        for (b, nt) in self.nt.iter_mut().enumerate() {
            nt.update(st.sc.col_as_slice(b), st.zc.col_as_slice(b));
        }
        for i in 0..self.w.len() {
            self.w[i] = st.zl[i] / st.sl[i];
        }
        self.newton.factor(&self.ops, &self.w, &self.nt)
    }

    /// The complementarity targets (with the corrector terms when `corrector`) and
    /// q = W^{-2} r_p + W^{-1}(lam \ d_s) for both cones.
    fn targets(&mut self, st: &State, corrector: bool, sigma_mu: f64) {
        let aff = corrector.then(|| (&self.aff.dsl[..], &self.aff.dzl[..]));
        let (ds, q) = (&mut self.dsl_t, &mut self.ql);
        lp_targets([&st.sl, &st.zl], aff, sigma_mu, &self.w, &self.rpl, ds, q);
        let aff = corrector.then_some((&self.aff.dsc, &self.aff.dzc));
        let (ds, q) = (&mut self.dsc_t, &mut self.qc);
        cone_targets(&self.nt, aff, sigma_mu, &self.rpc, ds, q, &mut self.t);
    }

    /// dx = H^{-1} rhs by preconditioned CG with the factored (regularized, eliminated)
    /// system as preconditioner: it recovers the accuracy that rounding in the Schur
    /// complements loses near the end, where plain refinement stalls.
    fn newton_solve(&mut self) {
        let (ops, nt, w, g) = (&mut self.ops, &self.nt, &self.w, &mut self.g);
        let (rhs, dx) = (&self.rhs, &mut self.dir.dx);
        let (res, corr, hx, pdir) = (&mut self.res, &mut self.corr, &mut self.hx, &mut self.pdir);
        self.newton.solve_once(ops, rhs, dx);
        let rn = rhs.norm2().sqrt().max(1e-300);
        h_apply(ops, w, nt, dx, hx, g);
        res.copy_from(rhs);
        res.axpy(-1.0, hx);
        self.newton.solve_once(ops, res, corr);
        pdir.copy_from(corr);
        let mut rz = vdot(res, corr);
        for _ in 0..25 {
            if res.norm2().sqrt() <= 1e-14 * rn || rz <= 0.0 {
                break;
            }
            h_apply(ops, w, nt, pdir, hx, g);
            let php = vdot(pdir, hx);
            if php <= 0.0 {
                break;
            }
            let a = rz / php;
            dx.axpy(a, pdir);
            res.axpy(-a, hx);
            self.newton.solve_once(ops, res, corr);
            let rz_new = vdot(res, corr);
            let beta = rz_new / rz;
            rz = rz_new;
            self.tmpv.copy_from(corr);
            self.tmpv.axpy(beta, pdir);
            std::mem::swap(pdir, &mut self.tmpv);
        }
    }

    /// The search direction for the current targets.
    fn direction(&mut self) {
        let l = &self.ops.l;
        let (d, m, dp) = (l.d, l.m, l.dp());
        // rhs = -r_d - A^T q with A = (-G; -I_soc): rhs = -r_d + G^T q_L + q_C.
        self.ops.gt_apply(&self.ql, &mut self.rhs);
        self.rhs.axpy(-1.0, &self.rd);
        for b in 0..m {
            self.rhs.xb[(d + dp, b)] += self.qc[(0, b)];
            for c in 0..d {
                self.rhs.xb[(c, b)] += self.qc[(c + 1, b)];
            }
        }
        self.newton_solve();
        // dz = W^{-2} A dx + q, ds = -r_p - A dx.
        let dir = &mut self.dir;
        self.ops.g_apply(&dir.dx, &mut self.g);
        for i in 0..self.g.len() {
            let adx = -self.g[i];
            dir.dzl[i] = self.w[i] * adx + self.ql[i];
            dir.dsl[i] = -self.rpl[i] - adx;
        }
        let [a1, a2, ..] = &mut self.t;
        for b in 0..m {
            a1[0] = -dir.dx.xb[(d + dp, b)];
            for c in 0..d {
                a1[c + 1] = -dir.dx.xb[(c, b)];
            }
            self.nt[b].winv2_mul(a1, a2);
            for i in 0..self.k {
                dir.dzc[(i, b)] = a2[i] + self.qc[(i, b)];
                dir.dsc[(i, b)] = -self.rpc[(i, b)] - a1[i];
            }
        }
    }

    /// Longest step keeping every slack and multiplier in its cone.
    fn max_step(&self, st: &State) -> f64 {
        let dir = &self.dir;
        let amax = lp_step(f64::INFINITY, &st.sl, &dir.dsl, &st.zl, &dir.dzl);
        soc_max_step(amax, &st.sc, &dir.dsc, &st.zc, &dir.dzc)
    }

    /// The complementarity gap after a step `aa` (the LP rows, then the cones).
    fn gap_after(&self, st: &State, aa: f64) -> f64 {
        let dir = &self.dir;
        let mut gap = add_gap_after(0.0, [&st.sl, &dir.dsl, &st.zl, &dir.dzl], aa);
        for b in 0..self.ops.l.m {
            gap = add_gap_after(gap, cols(b, [&st.sc, &dir.dsc, &st.zc, &dir.dzc]), aa);
        }
        gap
    }

    /// Mehrotra's predictor then corrector; the step length along `self.dir`.
    fn mehrotra(&mut self, st: &State, meas: &Measures) -> f64 {
        self.targets(st, false, 0.0);
        self.direction();
        let aa = self.max_step(st).min(1.0);
        let sigma_mu = centering(self.gap_after(st, aa), meas.gap_abs, meas.mu);
        let (aff, dir) = (&mut self.aff, &self.dir);
        aff.dsl.copy_from_slice(&dir.dsl);
        aff.dzl.copy_from_slice(&dir.dzl);
        aff.dsc.copy_from(&dir.dsc);
        aff.dzc.copy_from(&dir.dzc);
        self.targets(st, true, sigma_mu);
        self.direction();
        (0.99 * self.max_step(st)).min(1.0)
    }
}

impl State {
    fn step(&mut self, alpha: f64, dir: &Direction) {
        self.x.axpy(alpha, &dir.dx);
        axpy(alpha, &dir.dsl, &mut self.sl);
        axpy(alpha, &dir.dzl, &mut self.zl);
        mat_axpy(alpha, &dir.dsc, &mut self.sc);
        mat_axpy(alpha, &dir.dzc, &mut self.zc);
    }
}

/// Why the robust interior point stops with success.
const CONVERGED: &str = "relative gap, residuals and largest robust-cone residual within tolerance";

/// The method as [`drive`] runs it.
struct Method<'a> {
    rb: Robust<'a>,
    st: State,
}

impl InteriorPoint for Method<'_> {
    fn measure(&mut self) -> Measures {
        self.rb.residuals(&self.st)
    }
    fn direction(&mut self, meas: &Measures) -> Result<(f64, f64), ReluError> {
        self.rb.scale(&self.st)?;
        let alpha = self.rb.mehrotra(&self.st, meas);
        Ok((alpha, self.rb.dir.dx.norm2()))
    }
    fn step(&mut self, alpha: f64) {
        self.st.step(alpha, &self.rb.dir);
    }
}

/// Runs the interior-point method on the robust program; returns the (v | w) blocks.
pub(crate) fn solve(
    pr: &RobustProblem<'_>,
    tol: f64,
    run: &mut ReluRun<'_, '_>,
) -> Result<Outcome, ReluError> {
    let ops = Ops::new(pr);
    let (d, m) = (ops.l.d, ops.l.m);
    if m * ops.l.q > MAX_SCHUR {
        return Err(ReluError::Unsupported(format!(
            "robust interior point: 2P (d + d' + 1) = {} exceeds {MAX_SCHUR}; use fewer patterns",
            m * ops.l.q
        )));
    }
    let rb = Robust::new(ops);
    let st = rb.start();
    let mut method = Method { rb, st };
    let end = drive(&mut method, tol, run)?;
    let u = method.st.x.xb.as_ref().subrows(0, d).to_owned();
    Ok(end.outcome(u, CONVERGED))
}
