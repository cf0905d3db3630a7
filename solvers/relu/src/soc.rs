//! What the two interior-point methods (`ipm`, `robust_ipm`) share:
//! second-order cone algebra (Nesterov-Todd scaling, Jordan products, step lengths to the
//! cone boundaries), the measures of an iterate, and the loop itself ([`drive`]).

use opal_core::Status;
use opal_core::linalg::{dot, norm};

use faer::Mat;

use super::error::ReluError;
use super::program::{IterInfo, Outcome, ReluRun, after_iterate, message};
use super::settings::SolverKind;

/// Most Newton steps, whatever the budget.
pub(crate) const MAX_STEPS: usize = 500;

/// The cone targets of every block b: [`Nt::targets`] of `nt[b]` with column b of the
/// affine step `aff` (ds, dz; in the corrector pass), of `rpc`, `ds` and `q`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn cone_targets(
    nt: &[Nt],
    aff: Option<(&Mat<f64>, &Mat<f64>)>,
    sigma_mu: f64,
    rpc: &Mat<f64>,
    ds: &mut Mat<f64>,
    q: &mut Mat<f64>,
    t: &mut [Vec<f64>; 4],
) {
    for (b, nb) in nt.iter().enumerate() {
        let aff_b = aff.map(|(dsa, dza)| (dsa.col_as_slice(b), dza.col_as_slice(b)));
        nb.targets(
            aff_b,
            sigma_mu,
            rpc.col_as_slice(b),
            ds.col_as_slice_mut(b),
            q.col_as_slice_mut(b),
            t,
        );
    }
}

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
        let sz = dot(s, z) / (sn * zn);
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
        let vz = dot(&self.v, z);
        for i in 0..k {
            let jz = if i == 0 { z[0] } else { -z[i] };
            self.lam[i] = self.eta * (2.0 * self.v[i] * vz - jz);
        }
    }

    /// Entry (r, c) of W^{-2} = eta^-2 (2 (J w)(J w)^T - J), index 0 the cone's first
    /// coordinate.
    pub(crate) fn winv2_entry(&self, r: usize, c: usize) -> f64 {
        let jw = |i: usize| if i == 0 { self.w[0] } else { -self.w[i] };
        let j = if r != c {
            0.0
        } else if r == 0 {
            1.0
        } else {
            -1.0
        };
        (2.0 * jw(r) * jw(c) - j) / (self.eta * self.eta)
    }

    /// The cone part of Mehrotra's targets for this block: d_s = -lam o lam (in the
    /// corrector, also - (W^{-1} ds_a) o (W dz_a) + sigma mu e, with `aff` = (ds_a, dz_a))
    /// into `ds`, then q = W^{-2} r_p + W^{-1}(lam \ d_s) into `q`; `t` is scratch.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn targets(
        &self,
        aff: Option<(&[f64], &[f64])>,
        sigma_mu: f64,
        rp: &[f64],
        ds: &mut [f64],
        q: &mut [f64],
        t: &mut [Vec<f64>; 4],
    ) {
        let k = ds.len();
        let [ll, a1, a2, a3] = t;
        jordan(&self.lam, &self.lam, ll);
        if let Some((dsa, dza)) = aff {
            self.winv_mul(dsa, a1);
            self.w_mul(dza, a2);
            jordan(a1, a2, a3);
            for r in 0..k {
                ll[r] += a3[r];
            }
            ll[0] -= sigma_mu;
        }
        for r in 0..k {
            ds[r] = -ll[r];
        }
        self.winv2_mul(rp, a1);
        jordan_div(&self.lam, ds, a2);
        self.winv_mul(a2, a3);
        for r in 0..k {
            q[r] = a1[r] + a3[r];
        }
    }

    /// out = W x.
    pub(crate) fn w_mul(&self, x: &[f64], out: &mut [f64]) {
        let vx = dot(&self.v, x);
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
    let n1 = norm(&s[1..]);
    (s[0] - n1) * (s[0] + n1)
}

/// Jordan product u o v = (u^T v, u0 v1 + v0 u1).
pub(crate) fn jordan(u: &[f64], v: &[f64], out: &mut [f64]) {
    out[0] = dot(u, v);
    for i in 1..u.len() {
        out[i] = u[0] * v[i] + v[0] * u[i];
    }
}

/// Solves lam o x = d for x.
pub(crate) fn jordan_div(lam: &[f64], d: &[f64], out: &mut [f64]) {
    let det = soc_det(lam);
    let l1d1 = dot(&lam[1..], &d[1..]);
    let x0 = (lam[0] * d[0] - l1d1) / det;
    out[0] = x0;
    for i in 1..lam.len() {
        out[i] = (d[i] - x0 * lam[i]) / lam[0];
    }
}

/// Largest alpha with s + alpha ds in the second-order cone (s interior); infinity if none.
pub(crate) fn soc_step(s: &[f64], ds: &[f64]) -> f64 {
    let n1 = norm(&ds[1..]);
    if ds[0] >= n1 {
        return f64::INFINITY;
    }
    let a = ds[0] * ds[0] - n1 * n1;
    let b = s[0] * ds[0] - dot(&s[1..], &ds[1..]);
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

/// Largest alpha with s + alpha ds >= 0 over nonnegative-orthant rows (s, z interior),
/// for both the slacks and the multipliers, capped by `amax`.
pub(crate) fn lp_step(amax: f64, s: &[f64], ds: &[f64], z: &[f64], dz: &[f64]) -> f64 {
    let mut amax = amax;
    for i in 0..s.len() {
        if ds[i] < 0.0 {
            amax = amax.min(-s[i] / ds[i]);
        }
        if dz[i] < 0.0 {
            amax = amax.min(-z[i] / dz[i]);
        }
    }
    amax
}

/// The orthant part of Mehrotra's targets: d_s = -s z (in the corrector, minus
/// ds_a dz_a plus sigma mu, with `aff` = (ds_a, dz_a)) into `ds`, and q = h r_p + d_s / s
/// into `q` (h = z / s, the barrier weights).
#[allow(clippy::too_many_arguments)]
pub(crate) fn lp_targets(
    [s, z]: [&[f64]; 2],
    aff: Option<(&[f64], &[f64])>,
    sigma_mu: f64,
    h: &[f64],
    rp: &[f64],
    ds: &mut [f64],
    q: &mut [f64],
) {
    for i in 0..s.len() {
        let mut v = -s[i] * z[i];
        if let Some((dsa, dza)) = aff {
            v += -dsa[i] * dza[i] + sigma_mu;
        }
        ds[i] = v;
        q[i] = h[i] * rp[i] + v / s[i];
    }
}

/// `gap` plus sum_i (s_i + aa ds_i)(z_i + aa dz_i) over `[s, ds, z, dz]`: the
/// complementarity of one cone (or a set of orthant rows) after a step `aa`, accumulated
/// left to right.
pub(crate) fn add_gap_after(gap: f64, [s, ds, z, dz]: [&[f64]; 4], aa: f64) -> f64 {
    let mut gap = gap;
    for i in 0..s.len() {
        gap += (s[i] + aa * ds[i]) * (z[i] + aa * dz[i]);
    }
    gap
}

/// Column `b` of each matrix.
pub(crate) fn cols(b: usize, m: [&Mat<f64>; 4]) -> [&[f64]; 4] {
    m.map(|m| m.col_as_slice(b))
}

/// Longest step (capped by `amax`) keeping every column of the cone slacks `sc` and
/// multipliers `zc` (k x m, a second-order cone per column) in its cone.
pub(crate) fn soc_max_step(
    amax: f64,
    sc: &Mat<f64>,
    dsc: &Mat<f64>,
    zc: &Mat<f64>,
    dzc: &Mat<f64>,
) -> f64 {
    let mut amax = amax;
    for b in 0..sc.ncols() {
        amax = amax.min(soc_step(sc.col_as_slice(b), dsc.col_as_slice(b)));
        amax = amax.min(soc_step(zc.col_as_slice(b), dzc.col_as_slice(b)));
    }
    amax
}

/// Why an interior point could not go on.
const STALLED: &str = "the interior point could no longer move (step below 1e-8 three times, or a non-finite direction)";

/// Counts the steps too short to make progress: three in a row (or a non-finite step)
/// mean the interior point has stalled.
#[derive(Default)]
struct StallGuard {
    short: usize,
}

impl StallGuard {
    /// True when the step `alpha` with direction norm `dx_norm` cannot be taken.
    fn bad_step(alpha: f64, dx_norm: f64) -> bool {
        !(alpha.is_finite() && dx_norm.is_finite())
    }

    /// After a step of length `alpha`: true once three steps in a row were below 1e-8.
    fn stalled_after(&mut self, alpha: f64) -> bool {
        if alpha < 1e-8 {
            self.short += 1;
            self.short >= 3
        } else {
            self.short = 0;
            false
        }
    }
}

/// sigma mu of Mehrotra's corrector: (affine gap / gap)^3 mu, sigma clamped to [0, 1].
pub(crate) fn centering(gap_affine: f64, gap: f64, mu: f64) -> f64 {
    (gap_affine / gap).clamp(0.0, 1.0).powi(3) * mu
}

/// The measures of an interior-point iterate that the stopping test, the log and the
/// step use.
pub(crate) struct Measures {
    pub(crate) objective: f64,
    pub(crate) gap_abs: f64,
    pub(crate) mu: f64,
    pub(crate) r_pri: f64,
    pub(crate) r_dual: f64,
    pub(crate) gap: f64,
    pub(crate) rp_inf: f64,
}

impl Measures {
    /// The stopping test; the last term bounds the cone violation:
    /// (2 D - I) X u = s - r_p >= -r_p.
    pub(crate) fn converged(&self, tol: f64) -> bool {
        self.gap <= tol && self.r_dual <= tol && self.r_pri <= tol && self.rp_inf <= tol.min(1e-8)
    }
}

/// One interior-point method, as the loop in [`drive`] sees it.
pub(crate) trait InteriorPoint {
    /// Residuals and measures at the current iterate.
    fn measure(&mut self) -> Measures;
    /// Nesterov-Todd scalings at the current iterate, the factors of the Newton system,
    /// then Mehrotra's predictor and corrector: the step length along the new direction
    /// and the norm of its x part.
    fn direction(&mut self, meas: &Measures) -> Result<(f64, f64), ReluError>;
    /// Moves the iterate by `alpha` along the direction.
    fn step(&mut self, alpha: f64);
}

/// How an interior-point run ended.
pub(crate) struct Ending {
    pub(crate) status: Status,
    pub(crate) iterations: usize,
    pub(crate) r_pri: f64,
    pub(crate) r_dual: f64,
}

impl Ending {
    /// The outcome with the weights `u`; `converged` says which test held.
    pub(crate) fn outcome(self, u: Mat<f64>, converged: &str) -> Outcome {
        Outcome {
            u,
            status: self.status,
            message: message(self.status, converged, STALLED, self.iterations),
            iterations: self.iterations,
            primal_residual: self.r_pri,
            dual_residual: self.r_dual,
            rho: 0.0,
        }
    }
}

/// The interior-point loop: measure, report, test, then a predictor-corrector step.
/// The iteration limit (the budget's, at most [`MAX_STEPS`]) lets the last step be taken.
pub(crate) fn drive(
    method: &mut impl InteriorPoint,
    tol: f64,
    run: &mut ReluRun<'_, '_>,
) -> Result<Ending, ReluError> {
    let mut stall = StallGuard::default();
    let mut iters = 0;
    let (status, r_pri, r_dual) = loop {
        iters += 1;
        let meas = method.measure();
        let (r_pri, r_dual) = (meas.r_pri, meas.r_dual);
        let info = IterInfo {
            solver: SolverKind::Ipm,
            iteration: iters,
            objective: meas.objective,
            primal_residual: r_pri,
            dual_residual: r_dual,
            gap: meas.gap,
            rho: meas.mu,
            elapsed: run.elapsed().as_secs_f64(),
        };
        let end = after_iterate(run, iters, &info, meas.converged(tol))
            .or((iters >= MAX_STEPS).then_some(Status::IterationLimit));
        if let Some(s) = end.filter(|&s| s != Status::IterationLimit) {
            break (s, r_pri, r_dual);
        }
        let (alpha, dx_norm) = method.direction(&meas)?;
        if StallGuard::bad_step(alpha, dx_norm) {
            break (Status::Stalled, r_pri, r_dual);
        }
        method.step(alpha);
        if stall.stalled_after(alpha) {
            break (Status::Stalled, r_pri, r_dual);
        }
        if let Some(s) = end {
            break (s, r_pri, r_dual);
        }
    };
    Ok(Ending {
        status,
        iterations: iters,
        r_pri,
        r_dual,
    })
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
