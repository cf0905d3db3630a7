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
//! Mehrotra predictor-corrector with Nesterov-Todd scaling as in [`super::ipm`]. The
//! sample variables (b_j, xi_j) enter only their own rows and z_j, so they are eliminated
//! per sample (a (d'+1) x (d'+1) solve each); what remains is a dense system in the block
//! variables of size 2P (d + d' + 1): K_b on the diagonal blocks plus
//! sum_j (s_j s_j^T) ⊗ N_j on the u parts (N_j the d x d Schur complement of sample j).
//! Adversarial training uses few patterns (P ~ 10-50), so this is small; P is capped.

use faer::{Mat, MatRef};

use super::error::ReluError;
use super::ipm::{Nt, jordan, jordan_div, soc_step};
use super::linalg::Chol;
use super::ops::gemm;
use super::solve::Status;

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

/// What the solve returns.
pub(crate) struct RobustOut {
    /// (v | w) blocks, d x 2P.
    pub u: Mat<f64>,
    pub status: Status,
    pub iterations: usize,
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
#[derive(Clone)]
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
        self.xb += a * &o.xb;
        self.xs += a * &o.xs;
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
        gemm(self.xu.as_mut(), false, self.pr.x, self.u.as_ref(), 1.0);
        gemm(
            self.z.as_mut(),
            false,
            self.smat.as_ref(),
            self.u.transpose(),
            1.0,
        );
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
        gemm(
            self.dm.as_mut(),
            false,
            self.pr.x.transpose(),
            self.nm.as_ref(),
            1.0,
        );
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
        gemm(
            self.dm.as_mut(),
            false,
            self.wz.transpose(),
            self.smat.as_ref(),
            1.0,
        );
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
            gemm(kuu.as_mut(), false, x.transpose(), xh.as_ref(), 1.0);
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
            let e2 = nb.eta * nb.eta;
            let idx = |i: usize| if i == 0 { o + d + dp } else { o + i - 1 };
            for i1 in 0..=d {
                let jw1 = if i1 == 0 { nb.w[0] } else { -nb.w[i1] };
                for i2 in 0..=d {
                    let jw2 = if i2 == 0 { nb.w[0] } else { -nb.w[i2] };
                    let jj = if i1 == i2 {
                        if i1 == 0 { 1.0 } else { -1.0 }
                    } else {
                        0.0
                    };
                    self.schur[(idx(i1), idx(i2))] += (2.0 * jw1 * jw2 - jj) / e2;
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
            gemm(
                tmp.as_mut(),
                false,
                self.lgg_inv[j].as_ref(),
                lj.as_ref().submatrix(0, r, r, d),
                1.0,
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
        gemm(dm.as_mut(), false, wzj.transpose(), ops.smat.as_ref(), 1.0);
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
        gemm(dz.as_mut(), false, ops.smat.as_ref(), du.transpose(), 1.0);
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
    let mut delta = 1e-14;
    loop {
        let reg = Mat::from_fn(k, k, |r, c| {
            a[(r, c)] * scale[r] * scale[c] + if r == c { delta } else { 0.0 }
        });
        match Chol::new(&reg, what) {
            Ok(ch) => return Ok(ScaledChol { ch, scale }),
            Err(e) if delta >= 1e-6 => return Err(e),
            Err(_) => delta *= 100.0,
        }
    }
}

fn vdot(a: &Vars, b: &Vars) -> f64 {
    super::ops::dot(&a.xb, &b.xb) + super::ops::dot(&a.xs, &b.xs)
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

/// Runs the interior-point method on the robust program.
pub(crate) fn solve(
    pr: &RobustProblem<'_>,
    tol: f64,
    max_iter: usize,
    verbose: bool,
    deadline: &dyn Fn() -> bool,
) -> Result<RobustOut, ReluError> {
    let mut ops = Ops::new(pr);
    let (n, d, m, dp) = (ops.l.n, ops.l.d, ops.l.m, ops.l.dp());
    if m * ops.l.q > MAX_SCHUR {
        return Err(ReluError::Unsupported(format!(
            "robust interior point: 2P (d + d' + 1) = {} exceeds {MAX_SCHUR}; use fewer patterns",
            m * ops.l.q
        )));
    }
    let rows = ops.l.rows;
    let beta = n as f64 * pr.lam;
    let k = d + 1;
    // Objective c and the LP right-hand side h (rows G x >= h).
    let mut cvec = Vars::zeros(&ops.l);
    for b in 0..m {
        cvec.xb[(d + dp, b)] = beta;
    }
    for j in 0..n {
        cvec.xs[(dp, j)] = 1.0;
    }
    let mut hvec = vec![0.0; rows];
    for j in 0..n {
        hvec[ops.l.o_h + j] = 1.0;
    }
    let cnorm = cvec.norm2().sqrt();
    let deg = (rows + m) as f64;
    let mut x = Vars::zeros(&ops.l);
    let mut sl = vec![1.0; rows];
    let mut zl = vec![1.0; rows];
    let mut sc = Mat::from_fn(k, m, |r, _| if r == 0 { 1.0 } else { 0.0 });
    let mut zc = sc.clone();
    let mut nt: Vec<Nt> = (0..m).map(|_| Nt::new(k)).collect();
    let mut newton = Newton::new(&ops.l);
    let mut g = vec![0.0; rows];
    let mut rpl = vec![0.0; rows];
    let mut rpc = Mat::<f64>::zeros(k, m);
    let mut rd = Vars::zeros(&ops.l);
    let mut tmpv = Vars::zeros(&ops.l);
    let mut w = vec![0.0; rows];
    let mut dsl_ = vec![0.0; rows];
    let mut dsc_ = Mat::<f64>::zeros(k, m);
    let mut ql = vec![0.0; rows];
    let mut qc = Mat::<f64>::zeros(k, m);
    let mut rhs = Vars::zeros(&ops.l);
    let mut dx = Vars::zeros(&ops.l);
    let mut corr = Vars::zeros(&ops.l);
    let mut hx = Vars::zeros(&ops.l);
    let (mut dsl, mut dzl) = (vec![0.0; rows], vec![0.0; rows]);
    let (mut dsc, mut dzc) = (Mat::<f64>::zeros(k, m), Mat::<f64>::zeros(k, m));
    let mut aff = (vec![0.0; rows], vec![0.0; rows], dsc.clone(), dzc.clone());
    let mut status = Status::MaxIterations;
    let mut iters = 0;
    let mut stall = 0;
    let (mut a1, mut a2, mut a3) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut ll = vec![0.0; k];
    for it in 1..=max_iter.min(500) {
        iters = it;
        // Residuals: r_d = c - G^T z_L - (SOC z mapped), r_p = h - G x + s (LP), s - x (SOC).
        ops.gt_apply(&zl, &mut rd);
        rd.xb *= -1.0;
        rd.xs *= -1.0;
        rd.axpy(1.0, &cvec);
        for b in 0..m {
            rd.xb[(d + dp, b)] -= zc[(0, b)];
            for c in 0..d {
                rd.xb[(c, b)] -= zc[(c + 1, b)];
            }
        }
        ops.g_apply(&x, &mut g);
        for i in 0..rows {
            rpl[i] = hvec[i] - g[i] + sl[i];
        }
        for b in 0..m {
            rpc[(0, b)] = sc[(0, b)] - x.xb[(d + dp, b)];
            for c in 0..d {
                rpc[(c + 1, b)] = sc[(c + 1, b)] - x.xb[(c, b)];
            }
        }
        let pobj: f64 = (0..n).map(|j| x.xs[(dp, j)]).sum::<f64>()
            + beta * (0..m).map(|b| x.xb[(d + dp, b)]).sum::<f64>();
        let dobj: f64 = (0..rows).map(|i| hvec[i] * zl[i]).sum();
        let gap_abs: f64 =
            sl.iter().zip(&zl).map(|(a, b)| a * b).sum::<f64>() + super::ops::dot(&sc, &zc);
        let mu = gap_abs / deg;
        let xn = x.norm2().sqrt();
        let sn = (sl.iter().map(|v| v * v).sum::<f64>() + sc.squared_norm_l2()).sqrt();
        let r_pri = (rpl.iter().map(|v| v * v).sum::<f64>() + rpc.squared_norm_l2()).sqrt()
            / (1.0 + xn + sn);
        // Relative to the multipliers too: where a block's robust cone is only {0} (no Slater
        // point), its multipliers grow without bound along a dual ray while the primal
        // converges, and the rounding in G^T z grows with them.
        let zscale = (zl.iter().map(|v| v * v).sum::<f64>() + zc.squared_norm_l2()).sqrt();
        let r_dual = rd.norm2().sqrt() / (1.0 + cnorm + zscale);
        let gap = (pobj - dobj).abs().min(gap_abs) / pobj.abs().max(1.0);
        let rp_inf = rpl[..n * m].iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if verbose {
            eprintln!(
                "robust-ipm {it:4} obj {:.12e} gap {gap:.2e} r_pri {r_pri:.2e} r_dual {r_dual:.2e} mu {mu:.2e} |z| {:.1e} |x| {:.1e}",
                pobj / n as f64,
                zl.iter().fold(0.0f64, |a, v| a.max(v.abs())),
                xn
            );
        }
        if gap <= tol && r_pri <= tol && r_dual <= tol && rp_inf <= tol.min(1e-8) {
            status = Status::Converged;
            break;
        }
        if deadline() {
            status = Status::TimeLimit;
            break;
        }
        for b in 0..m {
            nt[b].update(sc.col_as_slice(b), zc.col_as_slice(b));
        }
        for i in 0..rows {
            w[i] = zl[i] / sl[i];
        }
        newton.factor(&ops, &w, &nt)?;
        let mut sigma_mu = 0.0;
        let mut alpha = 0.0;
        for pass in 0..2 {
            for i in 0..rows {
                let mut v = -sl[i] * zl[i];
                if pass == 1 {
                    v += -aff.0[i] * aff.1[i] + sigma_mu;
                }
                dsl_[i] = v;
                ql[i] = w[i] * rpl[i] + v / sl[i];
            }
            for b in 0..m {
                let nb = &nt[b];
                jordan(&nb.lam, &nb.lam, &mut ll);
                if pass == 1 {
                    nb.winv_mul(aff.2.col_as_slice(b), &mut a1);
                    nb.w_mul(aff.3.col_as_slice(b), &mut a2);
                    jordan(&a1, &a2, &mut a3);
                    for i in 0..k {
                        ll[i] += a3[i];
                    }
                    ll[0] -= sigma_mu;
                }
                for i in 0..k {
                    dsc_[(i, b)] = -ll[i];
                }
                nb.winv2_mul(rpc.col_as_slice(b), &mut a1);
                jordan_div(&nb.lam, dsc_.col_as_slice(b), &mut a2);
                nb.winv_mul(&a2, &mut a3);
                for i in 0..k {
                    qc[(i, b)] = a1[i] + a3[i];
                }
            }
            // rhs = -r_d - A^T q with A = (-G; -I_soc): rhs = -r_d + G^T q_L + q_C.
            ops.gt_apply(&ql, &mut rhs);
            rhs.axpy(-1.0, &rd);
            for b in 0..m {
                rhs.xb[(d + dp, b)] += qc[(0, b)];
                for c in 0..d {
                    rhs.xb[(c, b)] += qc[(c + 1, b)];
                }
            }
            // Preconditioned CG on H dx = rhs with the factored (regularized, eliminated)
            // system as preconditioner: it recovers the accuracy that rounding in the Schur
            // complements loses near the end, where plain refinement stalls.
            newton.solve_once(&mut ops, &rhs, &mut dx);
            let rn = rhs.norm2().sqrt().max(1e-300);
            h_apply(&mut ops, &w, &nt, &dx, &mut hx, &mut g);
            let mut res = rhs.clone();
            res.axpy(-1.0, &hx);
            newton.solve_once(&mut ops, &res, &mut corr);
            let mut pdir = corr.clone();
            let mut rz = vdot(&res, &corr);
            for _ in 0..25 {
                if res.norm2().sqrt() <= 1e-14 * rn || rz <= 0.0 {
                    break;
                }
                h_apply(&mut ops, &w, &nt, &pdir, &mut hx, &mut g);
                let php = vdot(&pdir, &hx);
                if php <= 0.0 {
                    break;
                }
                let a = rz / php;
                dx.axpy(a, &pdir);
                res.axpy(-a, &hx);
                newton.solve_once(&mut ops, &res, &mut corr);
                let rz_new = vdot(&res, &corr);
                let beta = rz_new / rz;
                rz = rz_new;
                tmpv.xb.copy_from(&corr.xb);
                tmpv.xs.copy_from(&corr.xs);
                tmpv.axpy(beta, &pdir);
                std::mem::swap(&mut pdir, &mut tmpv);
            }
            // dz = W^{-2} A dx + q, ds = -r_p - A dx.
            ops.g_apply(&dx, &mut g);
            for i in 0..rows {
                let adx = -g[i];
                dzl[i] = w[i] * adx + ql[i];
                dsl[i] = -rpl[i] - adx;
            }
            for b in 0..m {
                a1[0] = -dx.xb[(d + dp, b)];
                for c in 0..d {
                    a1[c + 1] = -dx.xb[(c, b)];
                }
                nt[b].winv2_mul(&a1, &mut a2);
                for i in 0..k {
                    dzc[(i, b)] = a2[i] + qc[(i, b)];
                    dsc[(i, b)] = -rpc[(i, b)] - a1[i];
                }
            }
            let mut amax = f64::INFINITY;
            for i in 0..rows {
                if dsl[i] < 0.0 {
                    amax = amax.min(-sl[i] / dsl[i]);
                }
                if dzl[i] < 0.0 {
                    amax = amax.min(-zl[i] / dzl[i]);
                }
            }
            for b in 0..m {
                amax = amax.min(soc_step(sc.col_as_slice(b), dsc.col_as_slice(b)));
                amax = amax.min(soc_step(zc.col_as_slice(b), dzc.col_as_slice(b)));
            }
            if pass == 0 {
                let aa = amax.min(1.0);
                let mut gap_a = 0.0;
                for i in 0..rows {
                    gap_a += (sl[i] + aa * dsl[i]) * (zl[i] + aa * dzl[i]);
                }
                for b in 0..m {
                    for i in 0..k {
                        gap_a += (sc[(i, b)] + aa * dsc[(i, b)]) * (zc[(i, b)] + aa * dzc[(i, b)]);
                    }
                }
                sigma_mu = (gap_a / gap_abs).clamp(0.0, 1.0).powi(3) * mu;
                aff.0.copy_from_slice(&dsl);
                aff.1.copy_from_slice(&dzl);
                aff.2.copy_from(&dsc);
                aff.3.copy_from(&dzc);
            } else {
                alpha = (0.99 * amax).min(1.0);
            }
        }
        if !(alpha.is_finite() && dx.norm2().is_finite()) {
            status = Status::Stalled;
            break;
        }
        x.axpy(alpha, &dx);
        for i in 0..rows {
            sl[i] += alpha * dsl[i];
            zl[i] += alpha * dzl[i];
        }
        sc += alpha * &dsc;
        zc += alpha * &dzc;
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
    let u = x.xb.as_ref().subrows(0, d).to_owned();
    Ok(RobustOut {
        u,
        status,
        iterations: iters,
    })
}
