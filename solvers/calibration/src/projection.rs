//! Projections onto the gain set G_rho = {g : mean(g) = 1, 1 - rho <= g_i <= 1 + rho}:
//! exact for the full gain vector (clip(v - theta) with theta from the sorted breakpoints),
//! and by Dykstra's alternating projections when the gains lie in a subspace.

use faer::MatRef;

/// Exact Euclidean projection onto G_rho for vectors of length m, with its workspace.
///
/// The projection is g_i = clip(v_i - theta, 1 - rho, 1 + rho) where theta solves
/// phi(theta) = sum_i g_i(theta) = m. phi is piecewise linear and nonincreasing with
/// breakpoints v_i - (1 +- rho); bisection over the sorted breakpoints locates the piece
/// holding the root, on which theta has a closed form.
#[derive(Debug, Clone)]
pub struct GainProjector {
    lo: f64,
    hi: f64,
    breaks: Vec<f64>,
}

impl GainProjector {
    /// A projector for m gains and bound rho (0 < rho < 1 is the caller's to check).
    pub fn new(m: usize, rho: f64) -> Self {
        Self {
            lo: 1.0 - rho,
            hi: 1.0 + rho,
            breaks: Vec::with_capacity(2 * m),
        }
    }

    fn clipped_sum(&self, v: &[f64], theta: f64) -> f64 {
        v.iter()
            .map(|vi| (vi - theta).clamp(self.lo, self.hi))
            .sum()
    }

    /// out = Proj_{G_rho}(v). Returns true when some bound is active (the result differs
    /// from the projection onto the hyperplane mean = 1 alone).
    pub fn project(&mut self, v: &[f64], out: &mut [f64]) -> bool {
        let m = v.len();
        debug_assert_eq!(out.len(), m);
        let (lo, hi) = (self.lo, self.hi);
        let target = m as f64;
        // Unconstrained answer first: the shift onto the hyperplane.
        let shift = (v.iter().sum::<f64>() - target) / m as f64;
        if v.iter().all(|vi| {
            let g = vi - shift;
            g >= lo && g <= hi
        }) {
            for (o, vi) in out.iter_mut().zip(v) {
                *o = vi - shift;
            }
            polish(out, target, lo, hi);
            return false;
        }
        self.breaks.clear();
        for vi in v {
            self.breaks.push(vi - hi);
            self.breaks.push(vi - lo);
        }
        self.breaks.sort_unstable_by(f64::total_cmp);
        // phi(breaks[0]) = m hi >= m and phi(breaks[last]) = m lo <= m: keep the invariant
        // phi(breaks[a]) >= m >= phi(breaks[b]).
        let (mut a, mut b) = (0, self.breaks.len() - 1);
        while b - a > 1 {
            let mid = (a + b) / 2;
            if self.clipped_sum(v, self.breaks[mid]) >= target {
                a = mid;
            } else {
                b = mid;
            }
        }
        // On (breaks[a], breaks[b]) the active set is fixed: classify at the midpoint.
        let mid = 0.5 * (self.breaks[a] + self.breaks[b]);
        let (mut free, mut free_sum, mut fixed_sum) = (0usize, 0.0, 0.0);
        for vi in v {
            let g = vi - mid;
            if g >= hi {
                fixed_sum += hi;
            } else if g <= lo {
                fixed_sum += lo;
            } else {
                free += 1;
                free_sum += vi;
            }
        }
        let theta = if free == 0 {
            // phi is constant (= m) on the piece: every theta there gives the same point.
            mid
        } else {
            ((free_sum + fixed_sum - target) / free as f64).clamp(self.breaks[a], self.breaks[b])
        };
        for (o, vi) in out.iter_mut().zip(v) {
            *o = (vi - theta).clamp(lo, hi);
        }
        polish(out, target, lo, hi);
        true
    }
}

/// Sum with Neumaier's compensation: within a couple of ulps of the exact sum.
pub(crate) fn accurate_sum(v: &[f64]) -> f64 {
    let (mut s, mut comp) = (0.0f64, 0.0f64);
    for &x in v {
        let t = s + x;
        comp += if s.abs() >= x.abs() {
            (s - t) + x
        } else {
            (x - t) + s
        };
        s = t;
    }
    s + comp
}

/// Spreads the rounding error of sum(g) - target over the entries strictly inside the box,
/// so that the mean is 1 to the last bits.
fn polish(g: &mut [f64], target: f64, lo: f64, hi: f64) {
    for _ in 0..3 {
        let err = target - accurate_sum(g);
        if err == 0.0 {
            return;
        }
        let free = g.iter().filter(|&&x| x > lo && x < hi).count();
        if free == 0 {
            return;
        }
        let step = err / free as f64;
        for x in g.iter_mut() {
            if *x > lo && *x < hi {
                *x = (*x + step).clamp(lo, hi);
            }
        }
    }
}

/// Convenience wrapper: Proj_{G_rho}(v) in a fresh vector.
pub fn project_gains(v: &[f64], rho: f64) -> Vec<f64> {
    let mut out = vec![0.0; v.len()];
    GainProjector::new(v.len(), rho).project(v, &mut out);
    out
}

/// Projection onto {1 + Q c} ∩ box, Q (m x h) with orthonormal columns orthogonal to the
/// constant vector, by Dykstra's algorithm (exact in the limit; stops at `tolerance`).
#[derive(Debug, Clone)]
pub struct SubspaceGainProjector {
    lo: f64,
    hi: f64,
    max_iterations: usize,
    tolerance: f64,
    coef: Vec<f64>,
    aff: Vec<f64>,
    inc_box: Vec<f64>,
    x: Vec<f64>,
}

impl SubspaceGainProjector {
    /// A projector for the affine set spanned by `q` around the all-ones vector.
    pub fn new(m: usize, h: usize, rho: f64, max_iterations: usize, tolerance: f64) -> Self {
        Self {
            lo: 1.0 - rho,
            hi: 1.0 + rho,
            max_iterations,
            tolerance,
            coef: vec![0.0; h],
            aff: vec![0.0; m],
            inc_box: vec![0.0; m],
            x: vec![0.0; m],
        }
    }

    /// out = 1 + Q Q^T (v - 1).
    fn affine(q: MatRef<'_, f64>, coef: &mut [f64], v: &[f64], out: &mut [f64]) {
        for (k, c) in coef.iter_mut().enumerate() {
            *c = (0..v.len()).map(|i| q[(i, k)] * (v[i] - 1.0)).sum();
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = 1.0
                + coef
                    .iter()
                    .enumerate()
                    .map(|(k, c)| q[(i, k)] * c)
                    .sum::<f64>();
        }
    }

    /// out ≈ Proj(v) for v in the affine set. Returns the number of Dykstra sweeps (0 when
    /// v is already inside the box). The output lies exactly in the affine set; its box
    /// violation is below `tolerance` unless the sweep limit was hit.
    pub fn project(&mut self, q: MatRef<'_, f64>, v: &[f64], out: &mut [f64]) -> usize {
        let (lo, hi) = (self.lo, self.hi);
        if v.iter().all(|&g| g >= lo && g <= hi) {
            out.copy_from_slice(v);
            return 0;
        }
        // Dykstra: the affine set needs no correction term; the box keeps one.
        self.x.copy_from_slice(v);
        self.inc_box.fill(0.0);
        let mut sweeps = 0;
        while sweeps < self.max_iterations {
            sweeps += 1;
            Self::affine(q, &mut self.coef, &self.x, &mut self.aff);
            let mut change = 0.0f64;
            let mut viol = 0.0f64;
            for i in 0..v.len() {
                let z = self.aff[i] + self.inc_box[i];
                let c = z.clamp(lo, hi);
                self.inc_box[i] = z - c;
                change = change.max((c - self.x[i]).abs());
                viol = viol.max((self.aff[i] - self.aff[i].clamp(lo, hi)).abs());
                self.x[i] = c;
            }
            if viol <= self.tolerance && change <= self.tolerance {
                break;
            }
        }
        Self::affine(q, &mut self.coef, &self.x, out);
        sweeps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist2(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
    }

    /// The projection by enumeration of active sets: every assignment of each coordinate
    /// to {lower bound, upper bound, free} whose equality-constrained solution is feasible
    /// is a feasible point; the closest one is the projection.
    fn brute_force(v: &[f64], rho: f64) -> Vec<f64> {
        let m = v.len();
        let (lo, hi) = (1.0 - rho, 1.0 + rho);
        let mut best: Option<(f64, Vec<f64>)> = None;
        let total = 3usize.pow(m as u32);
        for code in 0..total {
            let mut c = code;
            let mut kind = vec![0u8; m];
            for k in kind.iter_mut() {
                *k = (c % 3) as u8;
                c /= 3;
            }
            let fixed: f64 = kind
                .iter()
                .map(|&k| match k {
                    0 => lo,
                    1 => hi,
                    _ => 0.0,
                })
                .sum();
            let free: Vec<usize> = (0..m).filter(|&i| kind[i] == 2).collect();
            let mut g = vec![0.0; m];
            if free.is_empty() {
                if (fixed - m as f64).abs() > 1e-12 {
                    continue;
                }
            } else {
                let theta = (free.iter().map(|&i| v[i]).sum::<f64>() + fixed - m as f64)
                    / free.len() as f64;
                for &i in &free {
                    g[i] = v[i] - theta;
                }
            }
            for i in 0..m {
                match kind[i] {
                    0 => g[i] = lo,
                    1 => g[i] = hi,
                    _ => {}
                }
            }
            if g.iter().any(|&x| x < lo - 1e-12 || x > hi + 1e-12) {
                continue;
            }
            let d = dist2(&g, v);
            if best.as_ref().is_none_or(|(bd, _)| d < *bd) {
                best = Some((d, g));
            }
        }
        best.unwrap().1
    }

    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*state >> 11) as f64) / ((1u64 << 53) as f64)
    }

    #[test]
    fn matches_brute_force_on_small_cases() {
        let mut s = 7u64;
        for trial in 0..300 {
            let m = 1 + trial % 7;
            let rho = 0.05 + 0.9 * lcg(&mut s);
            let spread = [0.1, 0.5, 1.0, 3.0][trial % 4];
            let v: Vec<f64> = (0..m)
                .map(|_| 1.0 + spread * (2.0 * lcg(&mut s) - 1.0) + 0.3 * (lcg(&mut s) - 0.5))
                .collect();
            let g = project_gains(&v, rho);
            let want = brute_force(&v, rho);
            for i in 0..m {
                assert!(
                    (g[i] - want[i]).abs() < 1e-12,
                    "trial {trial}: {g:?} vs {want:?} (v = {v:?})"
                );
            }
        }
    }

    #[test]
    fn mean_box_and_idempotence() {
        let mut s = 99u64;
        for trial in 0..50 {
            let m = 10 + 37 * trial;
            let rho = 0.1 + 0.8 * lcg(&mut s);
            let v: Vec<f64> = (0..m)
                .map(|_| 1e3 * (lcg(&mut s) - 0.4) * lcg(&mut s).powi(6))
                .collect();
            let mut proj = GainProjector::new(m, rho);
            let mut g = vec![0.0; m];
            proj.project(&v, &mut g);
            // The exact sum is m to within a few ulps of m.
            let sum = accurate_sum(&g);
            assert!(
                (sum - m as f64).abs() <= 4.0 * f64::EPSILON * m as f64,
                "sum {sum} m {m}"
            );
            assert!(g.iter().all(|&x| x >= 1.0 - rho && x <= 1.0 + rho));
            let mut h = vec![0.0; m];
            proj.project(&g, &mut h);
            for i in 0..m {
                assert!(
                    (g[i] - h[i]).abs() <= 1e-14,
                    "{i}: {} vs {} (m {m}, rho {rho})",
                    g[i],
                    h[i]
                );
            }
            // Optimality: for every feasible direction e_i - e_j (i can rise, j can drop),
            // <v - g, e_i - e_j> <= 0 (the variational inequality).
            let r: Vec<f64> = v.iter().zip(&g).map(|(a, b)| a - b).collect();
            let up = (0..m)
                .filter(|&i| g[i] < 1.0 + rho)
                .map(|i| r[i])
                .fold(f64::NEG_INFINITY, f64::max);
            let down = (0..m)
                .filter(|&j| g[j] > 1.0 - rho)
                .map(|j| r[j])
                .fold(f64::INFINITY, f64::min);
            assert!(up <= down + 1e-9 * (1.0 + up.abs()), "up {up} down {down}");
        }
    }

    #[test]
    fn inactive_box_is_the_hyperplane_projection() {
        let v = [1.1, 0.95, 1.2, 0.9];
        let g = project_gains(&v, 0.5);
        let shift = (v.iter().sum::<f64>() - 4.0) / 4.0;
        for i in 0..4 {
            assert!((g[i] - (v[i] - shift)).abs() < 1e-15);
        }
    }

    #[test]
    fn dykstra_matches_exact_projection_for_the_full_space() {
        // With Q spanning all mean-zero vectors, the subspace projection is the exact one.
        let m = 6;
        let mut q = faer::Mat::<f64>::zeros(m, m);
        for i in 0..m {
            q[(i, 0)] = 1.0;
        }
        for j in 1..m {
            for i in 0..m {
                q[(i, j)] = if i == j { 1.0 } else { 0.0 };
            }
        }
        let qr = q.qr();
        let basis = qr.compute_thin_Q();
        let perp = basis.subcols(1, m - 1);
        let mut v = vec![1.6, 0.2, 1.1, 0.9, 1.3, 0.4];
        let shift = (v.iter().sum::<f64>() - m as f64) / m as f64;
        v.iter_mut().for_each(|x| *x -= shift);
        let want = project_gains(&v, 0.3);
        let mut proj = SubspaceGainProjector::new(m, m - 1, 0.3, 10_000, 1e-14);
        let mut got = vec![0.0; m];
        let sweeps = proj.project(perp, &v, &mut got);
        assert!(sweeps > 0);
        for i in 0..m {
            assert!((got[i] - want[i]).abs() < 1e-10, "{got:?} vs {want:?}");
        }
    }
}
