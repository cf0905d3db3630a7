//! ADMM for the robust (adversarial) hinge-loss ReLU program (see the `adversarial` module),
//! the fallback for many patterns: u = v (group lasso prox), (G u, u) in the robust cone
//! (an exact projection found by a 1-D convex search), and the per-sample effective
//! weights z = Z u (hinge prox, again a 1-D search). Every split shares rho, so the
//! u-update (2I + X^T X) U + U (S^T S) = R is a Sylvester equation with fixed coefficients,
//! solved exactly from two symmetric eigendecompositions made once (S = [D, -D]).

use faer::{Mat, MatRef, Side};

use super::admm::{AdmmMethod, Residuals, drive};
use super::error::ReluError;
use super::ops::{balanced_rho, group_norm, group_shrink, hinge_arg, mul, mul_add, signed_adjoint};
use super::program::{Outcome, ReluRun};
use super::settings::{AdvSettings, SolverKind};

/// The robust program's data as ADMM uses it.
pub(crate) struct RobustData<'a> {
    /// Augmented X (n x d).
    pub x: MatRef<'a, f64>,
    /// Labels ±1.
    pub y: &'a [f64],
    /// Signs 2 D - 1 per block (n x 2P).
    pub sgn: &'a Mat<f64>,
    /// S = [D, -D] (n x 2P): z_j = U s_j.
    pub dpm: &'a Mat<f64>,
    /// Coordinates subject to the perturbation.
    pub mask: &'a [f64],
    pub eps: f64,
    pub lam: f64,
}

impl RobustData<'_> {
    /// The robust objective (1/n) sum_j (hinge argument)_+ + lam sum ||u_b|| at the blocks
    /// `u` (d x 2P); `z` (n x d) is scratch for S U^T.
    pub(crate) fn objective(&self, u: &Mat<f64>, z: &mut Mat<f64>) -> f64 {
        let (n, d) = (self.x.nrows(), self.x.ncols());
        mul(z.as_mut(), self.dpm.as_ref(), u.transpose());
        let mut loss = 0.0;
        for j in 0..n {
            let s = hinge_arg(
                d,
                self.y[j],
                |k| self.x[(j, k)],
                |k| z[(j, k)],
                self.eps,
                self.mask,
            );
            loss += s.max(0.0);
        }
        loss / n as f64 + self.lam * group_norm(u.as_ref())
    }
}

/// The Sylvester solver of the u-update: M1 = 2I + X^T X = Qx diag(lx) Qx^T,
/// S^T S = Qs diag(ls) Qs^T.
struct Sylvester {
    qx: Mat<f64>,
    qs: Mat<f64>,
    lx: Vec<f64>,
    ls: Vec<f64>,
    t1: Mat<f64>,
    t2: Mat<f64>,
}

impl Sylvester {
    fn new(x: MatRef<'_, f64>, dpm: &Mat<f64>) -> Result<Self, ReluError> {
        let (d, m) = (x.ncols(), dpm.ncols());
        let mut m1 = Mat::<f64>::identity(d, d) * 2.0;
        mul_add(m1.as_mut(), x.transpose(), x);
        let mut sts = Mat::<f64>::zeros(m, m);
        mul(sts.as_mut(), dpm.transpose(), dpm.as_ref());
        let e1 = m1
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| ReluError::LinAlg(format!("eigen of 2I + X^T X: {e:?}")))?;
        let e2 = sts
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| ReluError::LinAlg(format!("eigen of S^T S: {e:?}")))?;
        Ok(Self {
            qx: e1.U().to_owned(),
            qs: e2.U().to_owned(),
            lx: (0..d).map(|k| e1.S()[k]).collect(),
            ls: (0..m).map(|k| e2.S()[k].max(0.0)).collect(),
            t1: Mat::zeros(d, m),
            t2: Mat::zeros(d, m),
        })
    }

    /// u = Qx [(Qx^T R Qs) ./ (lx_k + ls_b)] Qs^T.
    fn solve(&mut self, rhs: &Mat<f64>, u: &mut Mat<f64>) {
        mul(self.t1.as_mut(), self.qx.transpose(), rhs.as_ref());
        mul(self.t2.as_mut(), self.t1.as_ref(), self.qs.as_ref());
        for b in 0..self.t2.ncols() {
            for q in 0..self.t2.nrows() {
                self.t2[(q, b)] /= self.lx[q] + self.ls[b];
            }
        }
        mul(self.t1.as_mut(), self.qx.as_ref(), self.t2.as_ref());
        mul(u.as_mut(), self.t1.as_ref(), self.qs.transpose());
    }
}

/// The iterate (primal copies and scaled duals), their previous values and the scratch.
struct RobustAdmm<'a> {
    data: &'a RobustData<'a>,
    set: &'a AdvSettings,
    rho: f64,
    syl: Sylvester,
    u: Mat<f64>,
    v: Mat<f64>,
    c: Mat<f64>,
    a: Mat<f64>,
    z: Mat<f64>,
    prev: [Mat<f64>; 4],
    /// Primal residuals u - v, G u - a, u - c, Z u - z.
    res: [Mat<f64>; 4],
    l1: Mat<f64>,
    l2: Mat<f64>,
    l3: Mat<f64>,
    l4: Mat<f64>,
    gu: Mat<f64>,
    zu: Mat<f64>,
    tmp_n: Mat<f64>,
    rhs: Mat<f64>,
    dual: Mat<f64>,
    lt: Mat<f64>,
    lz: Mat<f64>,
    zobj: Mat<f64>,
    rowbuf: Vec<f64>,
    xrow: Vec<f64>,
    colbuf_a: Vec<f64>,
    colbuf_c: Vec<f64>,
    sa: Vec<f64>,
    sc: Vec<f64>,
    hb: Vec<f64>,
}

impl<'a> RobustAdmm<'a> {
    fn new(data: &'a RobustData<'a>, set: &'a AdvSettings) -> Result<Self, ReluError> {
        let (n, d, m) = (data.x.nrows(), data.x.ncols(), data.dpm.ncols());
        Ok(Self {
            data,
            set,
            rho: set.rho,
            syl: Sylvester::new(data.x, data.dpm)?,
            u: Mat::zeros(d, m),
            v: Mat::zeros(d, m),
            c: Mat::zeros(d, m),
            a: Mat::zeros(n, m),
            z: Mat::zeros(n, d),
            prev: [
                Mat::zeros(d, m),
                Mat::zeros(n, m),
                Mat::zeros(d, m),
                Mat::zeros(n, d),
            ],
            res: [
                Mat::zeros(d, m),
                Mat::zeros(n, m),
                Mat::zeros(d, m),
                Mat::zeros(n, d),
            ],
            l1: Mat::zeros(d, m),
            l2: Mat::zeros(n, m),
            l3: Mat::zeros(d, m),
            l4: Mat::zeros(n, d),
            gu: Mat::zeros(n, m),
            zu: Mat::zeros(n, d),
            tmp_n: Mat::zeros(n, m),
            rhs: Mat::zeros(d, m),
            dual: Mat::zeros(d, m),
            lt: Mat::zeros(d, m),
            lz: Mat::zeros(d, m),
            zobj: Mat::zeros(n, d),
            rowbuf: vec![0.0; d],
            xrow: vec![0.0; d],
            colbuf_a: vec![0.0; n],
            colbuf_c: vec![0.0; d],
            sa: Vec::with_capacity(n),
            sc: Vec::with_capacity(d),
            hb: Vec::with_capacity(d),
        })
    }

    /// u from rhs = (v - l1) + G^T (a - l2) + (c - l3) + Z^T (z - l4), then G u and Z u.
    fn u_update(&mut self) {
        let dt = self.data;
        let (al2, tmp) = ([&self.a, &self.l2], &mut self.tmp_n);
        signed_adjoint(dt.x, dt.sgn, al2, true, tmp, self.rhs.as_mut(), false);
        // Z^T (z - l4) = (z - l4)^T S, formed in zu (overwritten below).
        for q in 0..self.z.ncols() {
            for j in 0..self.z.nrows() {
                self.zu[(j, q)] = self.z[(j, q)] - self.l4[(j, q)];
            }
        }
        mul_add(self.rhs.as_mut(), self.zu.transpose(), dt.dpm.as_ref());
        for b in 0..self.rhs.ncols() {
            for q in 0..self.rhs.nrows() {
                self.rhs[(q, b)] += self.v[(q, b)] - self.l1[(q, b)];
            }
        }
        for b in 0..self.rhs.ncols() {
            for q in 0..self.rhs.nrows() {
                self.rhs[(q, b)] += self.c[(q, b)] - self.l3[(q, b)];
            }
        }
        self.syl.solve(&self.rhs, &mut self.u);
        mul(self.gu.as_mut(), dt.x, self.u.as_ref());
        for b in 0..self.gu.ncols() {
            for j in 0..self.gu.nrows() {
                self.gu[(j, b)] *= dt.sgn[(j, b)];
            }
        }
        mul(self.zu.as_mut(), dt.dpm.as_ref(), self.u.transpose());
    }

    /// The prox steps: v (group lasso), (a, c) (robust cone, per block), z (hinge, per
    /// sample); the previous values are kept for the dual residual.
    fn prox(&mut self) {
        let dt = self.data;
        let (n, d, m) = (dt.x.nrows(), dt.x.ncols(), self.u.ncols());
        for (p, cur) in self
            .prev
            .iter_mut()
            .zip([&self.v, &self.a, &self.c, &self.z])
        {
            p.copy_from(cur);
        }
        self.v.copy_from(&self.u);
        self.v += &self.l1;
        group_shrink(&mut self.v, n as f64 * dt.lam / self.rho);
        for b in 0..m {
            for j in 0..n {
                self.colbuf_a[j] = self.gu[(j, b)] + self.l2[(j, b)];
            }
            for q in 0..d {
                self.colbuf_c[q] = self.u[(q, b)] + self.l3[(q, b)];
            }
            let (ca, cc) = (&mut self.colbuf_a, &mut self.colbuf_c);
            project_robust_cone(ca, cc, dt.mask, dt.eps, &mut self.sa, &mut self.sc);
            for j in 0..n {
                self.a[(j, b)] = self.colbuf_a[j];
            }
            for q in 0..d {
                self.c[(q, b)] = self.colbuf_c[q];
            }
        }
        let tmax = 1.0 / self.rho;
        for j in 0..n {
            for q in 0..d {
                self.rowbuf[q] = self.zu[(j, q)] + self.l4[(j, q)];
                self.xrow[q] = dt.x[(j, q)];
            }
            let (rb, xr) = (&mut self.rowbuf, &self.xrow);
            hinge_prox(rb, xr, dt.y[j], dt.eps, dt.mask, tmax, &mut self.hb);
            for q in 0..d {
                self.z[(j, q)] = self.rowbuf[q];
            }
        }
    }

    /// Dual updates l += (residual) and the residuals with their tolerances.
    fn duals_and_residuals(&mut self) -> Residuals {
        let dt = self.data;
        let mut pri2 = 0.0;
        for ((l, r), (p, q)) in [&mut self.l1, &mut self.l2, &mut self.l3, &mut self.l4]
            .into_iter()
            .zip(&mut self.res)
            .zip([
                (&self.u, &self.v),
                (&self.gu, &self.a),
                (&self.u, &self.c),
                (&self.zu, &self.z),
            ])
        {
            for c in 0..p.ncols() {
                for i in 0..p.nrows() {
                    r[(i, c)] = p[(i, c)] - q[(i, c)];
                    l[(i, c)] += r[(i, c)];
                }
            }
            pri2 += r.squared_norm_l2();
        }
        let r_pri = pri2.sqrt();
        let pri_scale = (self.u.squared_norm_l2() * 2.0
            + self.gu.squared_norm_l2()
            + self.zu.squared_norm_l2())
        .sqrt()
        .max(
            (self.v.squared_norm_l2()
                + self.a.squared_norm_l2()
                + self.c.squared_norm_l2()
                + self.z.squared_norm_l2())
            .sqrt(),
        );
        // Dual residual rho (dv + G^T da + dc + Z^T dz) and its scale rho ||A^T lambda||.
        let [v_prev, a_prev, c_prev, z_prev] = &self.prev;
        for b in 0..self.dual.ncols() {
            for q in 0..self.dual.nrows() {
                let dv = self.v[(q, b)] - v_prev[(q, b)];
                self.dual[(q, b)] = dv + (self.c[(q, b)] - c_prev[(q, b)]);
            }
        }
        let (da, tmp) = ([&self.a, a_prev], &mut self.tmp_n);
        signed_adjoint(dt.x, dt.sgn, da, true, tmp, self.dual.as_mut(), true);
        for q in 0..self.z.ncols() {
            for j in 0..self.z.nrows() {
                self.zobj[(j, q)] = self.z[(j, q)] - z_prev[(j, q)];
            }
        }
        mul_add(self.dual.as_mut(), self.zobj.transpose(), dt.dpm.as_ref());
        let r_dual = self.rho * self.dual.norm_l2();
        // u carries no objective term, so A^T y -> 0 at the optimum: scale by the parts.
        let (l2, tmp) = ([&self.l2, &self.l2], &mut self.tmp_n);
        signed_adjoint(dt.x, dt.sgn, l2, false, tmp, self.lt.as_mut(), false);
        mul(self.lz.as_mut(), self.l4.transpose(), dt.dpm.as_ref());
        let dual_scale = self.rho
            * (self.l1.squared_norm_l2()
                + self.l3.squared_norm_l2()
                + self.lt.squared_norm_l2()
                + self.lz.squared_norm_l2())
            .sqrt();
        let dim = ((self.u.nrows() * self.u.ncols()) as f64).sqrt();
        Residuals::with_tolerances(
            r_pri,
            r_dual,
            self.set.tol,
            (dim, pri_scale),
            (dim, dual_scale),
        )
    }
}

impl AdmmMethod for RobustAdmm<'_> {
    fn iterate(&mut self) -> Residuals {
        self.u_update();
        self.prox();
        self.duals_and_residuals()
    }
    /// The robust objective at v.
    fn objective(&mut self) -> f64 {
        self.data.objective(&self.v, &mut self.zobj)
    }

    fn rho(&self) -> f64 {
        self.rho
    }

    /// Residual balancing every 10 iterations: rescales rho and the scaled duals.
    fn rebalance(&mut self, k: usize, res: &Residuals) -> Result<(), ReluError> {
        if !(self.set.adaptive_rho && k.is_multiple_of(10)) {
            return Ok(());
        }
        if let Some(new_rho) =
            balanced_rho(self.rho, res.r_pri / res.eps_pri, res.r_dual / res.eps_dual)
        {
            let f = self.rho / new_rho;
            self.l1 *= f;
            self.l2 *= f;
            self.l3 *= f;
            self.l4 *= f;
            self.rho = new_rho;
        }
        Ok(())
    }
    fn into_weights(self) -> Mat<f64> {
        self.v
    }
}

/// Runs ADMM on the robust program; returns the (v | w) blocks (d x 2P).
pub(crate) fn solve(
    data: &RobustData<'_>,
    set: &AdvSettings,
    run: &mut ReluRun<'_, '_>,
) -> Result<Outcome, ReluError> {
    drive(RobustAdmm::new(data, set)?, SolverKind::Admm, run)
}

/// Soft-threshold of the masked coordinates by t.
fn soft_masked(z: &mut [f64], mask: &[f64], t: f64) {
    for (v, &m) in z.iter_mut().zip(mask) {
        if m > 0.0 {
            *v = v.signum() * (v.abs() - t).max(0.0);
        }
    }
}

/// Threshold mu with sum_k (|c_k| - mu)_+ = r over `sorted` (|c| descending, masked
/// entries only); 0 when the l1 norm is already <= r.
fn l1_threshold(sorted: &[f64], r: f64) -> f64 {
    let total: f64 = sorted.iter().sum();
    if total <= r {
        return 0.0;
    }
    let mut cum = 0.0;
    let mut mu = 0.0;
    for (k, &c) in sorted.iter().enumerate() {
        cum += c;
        let cand = (cum - r) / (k + 1) as f64;
        // The largest entry is always in the support (for r = 0 the threshold is max |c|).
        if k == 0 || c > cand {
            mu = cand;
        } else {
            break;
        }
    }
    mu.max(0.0)
}

/// Projects (a, c) onto {a_j >= eps ||c||_1 for all j} (masked l1), in place.
/// Minimizes over the common level tau: phi'(tau)/2 = sum_j (tau - a_j)_+ - mu(tau/eps)/eps.
pub(crate) fn project_robust_cone(
    a: &mut [f64],
    c: &mut [f64],
    mask: &[f64],
    eps: f64,
    sa: &mut Vec<f64>,
    sc: &mut Vec<f64>,
) {
    if eps <= 0.0 {
        a.iter_mut().for_each(|v| *v = v.max(0.0));
        return;
    }
    sc.clear();
    sc.extend(
        c.iter()
            .zip(mask)
            .filter(|(_, m)| **m > 0.0)
            .map(|(v, _)| v.abs()),
    );
    let l1: f64 = sc.iter().sum();
    let amin = a.iter().cloned().fold(f64::INFINITY, f64::min);
    if amin >= eps * l1 {
        return;
    }
    // Unstable sorts (no buffer): equal keys under total_cmp are the same value.
    sc.sort_unstable_by(|x, y| y.total_cmp(x));
    sa.clear();
    sa.extend_from_slice(a);
    sa.sort_unstable_by(f64::total_cmp);
    let below = |tau: f64, sa: &[f64]| -> f64 {
        // sum_j (tau - a_j)_+ over the ascending a.
        let mut s = 0.0;
        for &v in sa {
            if v >= tau {
                break;
            }
            s += tau - v;
        }
        s
    };
    let deriv = |tau: f64| below(tau, sa) - l1_threshold(sc, tau / eps) / eps;
    let (mut lo, mut hi) = (0.0f64, eps * l1);
    let tau = if deriv(0.0) >= 0.0 {
        0.0
    } else {
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if deriv(mid) >= 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        0.5 * (lo + hi)
    };
    a.iter_mut().for_each(|v| *v = v.max(tau));
    let mu = l1_threshold(sc, tau / eps);
    soft_masked(c, mask, mu);
}

/// Prox of (1/rho) (1 - y x^T z + eps ||z||_1)_+ at z (in place), by a 1-D search
/// on tau in [0, 1/rho]: z(tau) = soft(z0 + tau y x, tau eps).
pub(crate) fn hinge_prox(
    z: &mut [f64],
    x: &[f64],
    y: f64,
    eps: f64,
    mask: &[f64],
    tmax: f64,
    buf: &mut Vec<f64>,
) {
    let phi = |zz: &[f64]| hinge_arg(zz.len(), y, |k| x[k], |k| zz[k], eps, mask);
    if phi(z) <= 0.0 {
        return;
    }
    buf.clear();
    buf.extend_from_slice(z);
    let eval = |tau: f64, out: &mut [f64], z0: &[f64]| {
        for k in 0..out.len() {
            out[k] = z0[k] + tau * y * x[k];
        }
        soft_masked(out, mask, tau * eps);
    };
    let z0 = &buf[..];
    eval(tmax, z, z0);
    if phi(z) >= 0.0 {
        return;
    }
    let (mut lo, mut hi) = (0.0f64, tmax);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        eval(mid, z, z0);
        if phi(z) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    eval(0.5 * (lo + hi), z, z0);
}
