//! A primal-dual iterate (w, y, z_L, z_U) with the bound bookkeeping: barrier terms,
//! complementarity, the fraction-to-the-boundary rule and the start-point push.

/// Damping of variables bounded on one side only (IPOPT's kappa_d): keeps their barrier
/// terms from pushing them to infinity.
pub(crate) const KAPPA_D: f64 = 1e-5;

/// Which bounds are finite.
pub(crate) struct Bounds {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub has_l: Vec<bool>,
    pub has_u: Vec<bool>,
    /// Number of finite lower / upper bounds.
    pub n_l: usize,
    pub n_u: usize,
}

impl Bounds {
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Self {
        let has_l: Vec<bool> = lower.iter().map(|v| v.is_finite()).collect();
        let has_u: Vec<bool> = upper.iter().map(|v| v.is_finite()).collect();
        let n_l = has_l.iter().filter(|&&b| b).count();
        let n_u = has_u.iter().filter(|&&b| b).count();
        Self {
            lower,
            upper,
            has_l,
            has_u,
            n_l,
            n_u,
        }
    }

    /// Moves every component of `w` strictly inside its bounds (IPOPT's rule with
    /// `bound_push` kappa_1 and `bound_frac` kappa_2).
    pub fn push_inside(&self, w: &mut [f64], k1: f64, k2: f64) {
        for i in 0..w.len() {
            let (l, u) = (self.lower[i], self.upper[i]);
            match (self.has_l[i], self.has_u[i]) {
                (true, true) => {
                    let pl = (k1 * l.abs().max(1.0)).min(k2 * (u - l));
                    let pu = (k1 * u.abs().max(1.0)).min(k2 * (u - l));
                    w[i] = w[i].max(l + pl).min(u - pu);
                }
                (true, false) => w[i] = w[i].max(l + k1 * l.abs().max(1.0)),
                (false, true) => w[i] = w[i].min(u - k1 * u.abs().max(1.0)),
                (false, false) => {}
            }
        }
    }

    /// Moves a bound away from `w` where the distance has fallen to what floating point
    /// can resolve near the bound (a few ulps of the bound): near a bound of 1e6 a step
    /// to 99% of a 1e-9 distance rounds onto the bound and the barrier term would become
    /// infinite (IPOPT keeps slacks as separate vectors and corrects them instead).
    /// Returns how many bounds moved.
    pub fn adjust_tiny_slacks(&mut self, w: &[f64]) -> usize {
        let slack_move = 4.0 * f64::EPSILON;
        let mut moved = 0;
        for i in 0..w.len() {
            if self.has_l[i] {
                let min = slack_move * self.lower[i].abs().max(1.0);
                if w[i] - self.lower[i] < min {
                    self.lower[i] = w[i] - min;
                    moved += 1;
                }
            }
            if self.has_u[i] {
                let min = slack_move * self.upper[i].abs().max(1.0);
                if self.upper[i] - w[i] < min {
                    self.upper[i] = w[i] + min;
                    moved += 1;
                }
            }
        }
        moved
    }

    /// Barrier terms: -mu sum ln(distances) + kappa_d mu (one-sided distances).
    pub fn barrier(&self, w: &[f64], mu: f64) -> f64 {
        let mut b = 0.0;
        for i in 0..w.len() {
            if self.has_l[i] {
                let d = w[i] - self.lower[i];
                b -= mu * d.ln();
                if !self.has_u[i] {
                    b += KAPPA_D * mu * d;
                }
            }
            if self.has_u[i] {
                let d = self.upper[i] - w[i];
                b -= mu * d.ln();
                if !self.has_l[i] {
                    b += KAPPA_D * mu * d;
                }
            }
        }
        b
    }

    /// Adds the gradient of the barrier terms to `g`.
    pub fn add_barrier_gradient(&self, w: &[f64], mu: f64, g: &mut [f64]) {
        for i in 0..w.len() {
            if self.has_l[i] {
                g[i] -= mu / (w[i] - self.lower[i]);
                if !self.has_u[i] {
                    g[i] += KAPPA_D * mu;
                }
            }
            if self.has_u[i] {
                g[i] += mu / (self.upper[i] - w[i]);
                if !self.has_l[i] {
                    g[i] -= KAPPA_D * mu;
                }
            }
        }
    }

    /// sigma_i = z_L / (w - l) + z_U / (u - w).
    pub fn sigma(&self, w: &[f64], zl: &[f64], zu: &[f64], out: &mut [f64]) {
        for i in 0..w.len() {
            let mut s = 0.0;
            if self.has_l[i] {
                s += zl[i] / (w[i] - self.lower[i]);
            }
            if self.has_u[i] {
                s += zu[i] / (self.upper[i] - w[i]);
            }
            out[i] = s;
        }
    }

    /// Largest alpha in (0, 1] with w + alpha dw >= l + (1 - tau)(w - l) and likewise for
    /// the upper bounds.
    pub fn max_step_primal(&self, w: &[f64], dw: &[f64], tau: f64) -> f64 {
        let mut a = 1.0f64;
        for i in 0..w.len() {
            if self.has_l[i] && dw[i] < 0.0 {
                a = a.min(-tau * (w[i] - self.lower[i]) / dw[i]);
            }
            if self.has_u[i] && dw[i] > 0.0 {
                a = a.min(tau * (self.upper[i] - w[i]) / dw[i]);
            }
        }
        a
    }

    /// Largest alpha in (0, 1] keeping z + alpha dz >= (1 - tau) z for finite bounds.
    pub fn max_step_dual(&self, zl: &[f64], dzl: &[f64], zu: &[f64], dzu: &[f64], tau: f64) -> f64 {
        let mut a = 1.0f64;
        for i in 0..zl.len() {
            if self.has_l[i] && dzl[i] < 0.0 {
                a = a.min(-tau * zl[i] / dzl[i]);
            }
            if self.has_u[i] && dzu[i] < 0.0 {
                a = a.min(-tau * zu[i] / dzu[i]);
            }
        }
        a
    }

    /// Sum of complementarity products and their count (for the average).
    pub fn complementarity_sum(&self, w: &[f64], zl: &[f64], zu: &[f64]) -> (f64, usize) {
        let mut s = 0.0;
        for i in 0..w.len() {
            if self.has_l[i] {
                s += (w[i] - self.lower[i]) * zl[i];
            }
            if self.has_u[i] {
                s += (self.upper[i] - w[i]) * zu[i];
            }
        }
        (s, self.n_l + self.n_u)
    }

    /// max_i |(w - l) z_L - mu|, |(u - w) z_U - mu| over finite bounds.
    pub fn complementarity_error(&self, w: &[f64], zl: &[f64], zu: &[f64], mu: f64) -> f64 {
        let mut e = 0.0f64;
        for i in 0..w.len() {
            if self.has_l[i] {
                e = e.max(((w[i] - self.lower[i]) * zl[i] - mu).abs());
            }
            if self.has_u[i] {
                e = e.max(((self.upper[i] - w[i]) * zu[i] - mu).abs());
            }
        }
        e
    }

    /// Keeps each bound multiplier within a factor kappa_sigma of mu / distance (IPOPT's
    /// safeguard that keeps Sigma a good approximation of the primal-dual Hessian term).
    pub fn safeguard_multipliers(
        &self,
        w: &[f64],
        zl: &mut [f64],
        zu: &mut [f64],
        mu: f64,
        ks: f64,
    ) {
        for i in 0..w.len() {
            if self.has_l[i] {
                let d = w[i] - self.lower[i];
                zl[i] = zl[i].min(ks * mu / d).max(mu / (ks * d));
            }
            if self.has_u[i] {
                let d = self.upper[i] - w[i];
                zu[i] = zu[i].min(ks * mu / d).max(mu / (ks * d));
            }
        }
    }

    /// dz_L = mu / (w - l) - z_L - Sigma_L dw; dz_U = mu / (u - w) - z_U + Sigma_U dw.
    pub fn bound_multiplier_step(
        &self,
        w: &[f64],
        zl: &[f64],
        zu: &[f64],
        dw: &[f64],
        mu: f64,
        dzl: &mut [f64],
        dzu: &mut [f64],
    ) {
        for i in 0..w.len() {
            dzl[i] = 0.0;
            dzu[i] = 0.0;
            if self.has_l[i] {
                let d = w[i] - self.lower[i];
                dzl[i] = mu / d - zl[i] - zl[i] / d * dw[i];
            }
            if self.has_u[i] {
                let d = self.upper[i] - w[i];
                dzu[i] = mu / d - zu[i] + zu[i] / d * dw[i];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_and_fraction_to_boundary() {
        let inf = f64::INFINITY;
        let b = Bounds::new(vec![0.0, -inf, 0.0, -inf], vec![1.0, 2.0, inf, inf]);
        let mut w = vec![0.0, 5.0, -3.0, 7.0];
        b.push_inside(&mut w, 1e-2, 1e-2);
        assert_eq!(w, vec![0.01, 1.98, 0.01, 7.0]);
        let dw = vec![-1.0, 1.0, -1.0, -100.0];
        let a = b.max_step_primal(&w, &dw, 0.99);
        assert!((a - 0.99 * 0.01).abs() < 1e-15);
        let (zl, zu) = (vec![1.0; 4], vec![2.0; 4]);
        let mut dzl = vec![0.0; 4];
        let mut dzu = vec![0.0; 4];
        b.bound_multiplier_step(&w, &zl, &zu, &[0.0; 4], 0.5, &mut dzl, &mut dzu);
        assert!((dzl[0] - (0.5 / 0.01 - 1.0)).abs() < 1e-12);
        assert_eq!(dzl[1], 0.0);
        assert_eq!(b.complementarity_sum(&w, &zl, &zu).1, 4);
    }

    #[test]
    fn barrier_gradient_matches_finite_differences() {
        let inf = f64::INFINITY;
        let b = Bounds::new(vec![0.0, -inf, 1.0], vec![3.0, 2.0, inf]);
        let w = [1.0, 0.5, 2.0];
        let mut g = [0.0; 3];
        b.add_barrier_gradient(&w, 0.3, &mut g);
        for i in 0..3 {
            let mut wp = w;
            let mut wm = w;
            wp[i] += 1e-6;
            wm[i] -= 1e-6;
            let fd = (b.barrier(&wp, 0.3) - b.barrier(&wm, 0.3)) / 2e-6;
            assert!((fd - g[i]).abs() < 1e-8, "{i}: {fd} vs {}", g[i]);
        }
    }
}
