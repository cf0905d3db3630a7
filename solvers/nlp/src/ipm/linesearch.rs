//! The filter line search with second-order corrections (Wächter & Biegler 2006,
//! Algorithm A, steps ). Trial points whose evaluation fails (NaN, a domain
//! error) are treated as rejected and the step is cut, as IPOPT does.

use super::solve::Ipm;

const GAMMA_THETA: f64 = 1e-5;
const GAMMA_PHI: f64 = 1e-8;
const DELTA: f64 = 1.0;
const S_THETA: f64 = 1.1;
const S_PHI: f64 = 2.3;
const ETA_PHI: f64 = 1e-4;
const GAMMA_ALPHA: f64 = 0.05;
const KAPPA_SOC: f64 = 0.99;
/// Steps whose relative size is below this are taken whole (IPOPT's tiny step).
const TINY_STEP: f64 = 10.0 * f64::EPSILON;

/// `a <= b` up to rounding relative to `reference` (IPOPT's Compare_le): a barrier
/// objective of 1e13 cannot show decreases below about 1e-2.
fn le(a: f64, b: f64, reference: f64) -> bool {
    a - b <= 10.0 * f64::EPSILON * reference.abs().max(1.0)
}

/// An accepted step.
pub(crate) struct Accepted {
    /// Primal step size.
    pub alpha: f64,
    /// Trial points evaluated.
    pub trials: usize,
}

impl Ipm<'_, '_> {
    /// Searches along (dw, dy); on success the trial point (w_t with its values) is the
    /// new iterate to accept. `None`: the step size fell below alpha_min.
    pub(crate) fn line_search(&mut self) -> Option<Accepted> {
        let alpha_max = self
            .st
            .bounds
            .max_step_primal(&self.st.w, &self.st.dw, self.tau);
        let gd = self.directional_derivative();
        let theta = self.st.at.theta;
        if self.is_tiny_step() && self.try_point(alpha_max) {
            return Some(Accepted {
                alpha: alpha_max,
                trials: 1,
            });
        }
        let alpha_min = self.alpha_min(gd, theta);
        let mut alpha = alpha_max;
        let mut trials = 0;
        loop {
            trials += 1;
            if self.try_point(alpha) {
                if let Some(f_type) = self.acceptable(alpha, gd) {
                    if !f_type {
                        self.augment_filter();
                    }
                    return Some(Accepted { alpha, trials });
                }
                if trials == 1
                    && self.st.trial.theta >= theta
                    && self.s.max_soc > 0
                    && let Some(a) = self.second_order_correction(alpha, gd)
                {
                    return Some(Accepted {
                        alpha: a,
                        trials: trials + 1,
                    });
                }
            }
            alpha *= 0.5;
            if alpha < alpha_min {
                return None;
            }
        }
    }

    /// IPOPT's tiny-step test: max_i |dw_i| / (1 + |w_i|) below 10 machine epsilons.
    fn is_tiny_step(&self) -> bool {
        self.st
            .dw
            .iter()
            .zip(&self.st.w)
            .all(|(d, w)| d.abs() / (1.0 + w.abs()) < TINY_STEP)
    }

    /// w_t = w + alpha dw and its values; false when the evaluation failed.
    fn try_point(&mut self, alpha: f64) -> bool {
        let st = &mut self.st;
        for i in 0..st.w.len() {
            st.w_t[i] = st.w[i] + alpha * st.dw[i];
        }
        st.evaluate_trial(self.mu).is_ok()
    }

    /// Smallest step before the restoration phase (eq. (23) of the paper).
    fn alpha_min(&self, gd: f64, theta: f64) -> f64 {
        let a = if gd < 0.0 {
            let mut a = GAMMA_THETA.min(GAMMA_PHI * theta / -gd);
            if theta <= self.theta_min {
                a = a.min(DELTA * theta.powf(S_THETA) / (-gd).powf(S_PHI));
            }
            a
        } else {
            GAMMA_THETA
        };
        GAMMA_ALPHA * a
    }

    /// Acceptance of the trial point: `Some(true)` for an f-type step (Armijo on the
    /// barrier objective, no filter entry), `Some(false)` for an h-type step, `None` when
    /// rejected.
    fn acceptable(&self, alpha: f64, gd: f64) -> Option<bool> {
        let (theta, phi) = (self.st.at.theta, self.st.at.phi);
        let (tt, pt) = (self.st.trial.theta, self.st.trial.phi);
        if tt.is_nan() || tt > self.theta_max || !pt.is_finite() || !self.filter.acceptable(tt, pt)
        {
            return None;
        }
        let switching = gd < 0.0 && alpha * (-gd).powf(S_PHI) > DELTA * theta.powf(S_THETA);
        if switching && theta <= self.theta_min {
            le(pt, phi + ETA_PHI * alpha * gd, phi).then_some(true)
        } else {
            (le(tt, (1.0 - GAMMA_THETA) * theta, theta) || le(pt, phi - GAMMA_PHI * theta, phi))
                .then_some(false)
        }
    }

    /// Second-order corrections after a rejected full step that increased theta: solve
    /// with c_soc = alpha c(w) + c(w_t) (accumulated), at most `max_soc` times while theta
    /// keeps decreasing by kappa_soc. On success (dw, dy, dz) hold the corrected step.
    fn second_order_correction(&mut self, alpha: f64, gd: f64) -> Option<f64> {
        let m = self.st.m();
        let mut c_soc = std::mem::take(&mut self.st.work_m);
        for i in 0..m {
            c_soc[i] = alpha * self.st.c[i] + self.st.c_t[i];
        }
        let mut theta_old = self.st.trial.theta;
        self.st.dw_save.copy_from_slice(&self.st.dw);
        self.st.dy_save.copy_from_slice(&self.st.dy);
        let mut result = None;
        for _ in 0..self.s.max_soc {
            self.st.set_rhs(&c_soc);
            let ok = match &self.lbfgs {
                Some(q) => q.solve_step(&mut self.st).is_ok(),
                None => self.st.solve_step().is_ok(),
            };
            if !ok {
                break;
            }
            let a_soc = self
                .st
                .bounds
                .max_step_primal(&self.st.w, &self.st.dw, self.tau);
            if !self.try_point(a_soc) {
                break;
            }
            if let Some(f_type) = self.acceptable(alpha, gd) {
                if !f_type {
                    self.augment_filter();
                }
                let st = &mut self.st;
                st.bounds.bound_multiplier_step(
                    &st.w,
                    &st.zl,
                    &st.zu,
                    &st.dw,
                    self.mu,
                    &mut st.dzl,
                    &mut st.dzu,
                );
                result = Some(a_soc);
                break;
            }
            if self.st.trial.theta > KAPPA_SOC * theta_old {
                break;
            }
            theta_old = self.st.trial.theta;
            for i in 0..m {
                c_soc[i] = a_soc * c_soc[i] + self.st.c_t[i];
            }
        }
        if result.is_none() {
            let st = &mut self.st;
            st.dw.copy_from_slice(&st.dw_save);
            st.dy.copy_from_slice(&st.dy_save);
        }
        self.st.work_m = c_soc;
        result
    }
}
