//! The feasibility restoration phase (Wächter & Biegler 2006, section 3.3): when the line
//! search cannot make progress, minimize the l1 constraint violation near the current
//! point,
//!
//! ```text
//! min  rho sum(p + n) + zeta/2 ||D_R (w - w_R)||^2   s.t.  c(w) - p + n = 0,
//!      l <= w <= u,  p, n >= 0,                          zeta = sqrt(mu), rho = 1000,
//! ```
//!
//! by the same interior point (a nested run without restoration of its own), until the
//! point is acceptable to the filter of the original problem and has reduced the violation
//! to 0.9 of where it started. A nested run that converges without that is a stationary
//! point of the violation: the problem is locally infeasible.

use std::cell::RefCell;

use opal_core::{Control, Observer, Run, Status};
use opal_problems::{EvalError, ProblemInfo, SmoothProblem, SparsityPattern};

use super::filter::Filter;
use super::iterate::Bounds;
use super::nlp::BarrierNlp;
use super::output::{IterationInfo, Termination};
use super::settings::Settings;
use super::solve::{Ending, Ipm, budget_message, evaluation_ending};

const RHO: f64 = 1000.0;
const REQUIRED_REDUCTION: f64 = 0.9;

/// The restoration problem over the original barrier problem's w-space.
struct RestorationProblem<'a, 'p> {
    outer: RefCell<&'a mut BarrierNlp<'p, dyn SmoothProblem + 'p>>,
    info: ProblemInfo,
    nw: usize,
    m: usize,
    zeta: f64,
    w_ref: Vec<f64>,
    d_ref: Vec<f64>,
    jac: SparsityPattern,
    hess: SparsityPattern,
    /// Outer Jacobian values (scratch).
    jac_outer: RefCell<Vec<f64>>,
    hess_outer: RefCell<Vec<f64>>,
    /// Number of outer Hessian entries (they come first in our Hessian values).
    nh: usize,
}

impl<'a, 'p> RestorationProblem<'a, 'p> {
    fn new(
        outer: &'a mut BarrierNlp<'p, dyn SmoothProblem + 'p>,
        bounds: &Bounds,
        w_ref: &[f64],
        c_ref: &[f64],
        mu: f64,
    ) -> Self {
        let (nw, m) = (outer.nw(), outer.m());
        let zeta = mu.sqrt();
        let d_ref: Vec<f64> = w_ref.iter().map(|w| 1.0f64.min(1.0 / w.abs())).collect();
        // p, n from the closed form of IPOPT's eq. (33): each pair solves its own barrier
        // subproblem for the start.
        let mut x0 = w_ref.to_vec();
        let (mut p0, mut n0) = (vec![0.0; m], vec![0.0; m]);
        for i in 0..m {
            let a = (mu - RHO * c_ref[i]) / (2.0 * RHO);
            let n = a + (a * a + mu * c_ref[i] / (2.0 * RHO)).sqrt();
            n0[i] = n.max(1e-14);
            p0[i] = (c_ref[i] + n).max(1e-14);
        }
        x0.extend_from_slice(&p0);
        x0.extend_from_slice(&n0);
        let mut info = ProblemInfo::new("restoration", x0).with_equalities(m);
        for i in 0..nw {
            info.lower[i] = bounds.lower[i];
            info.upper[i] = bounds.upper[i];
        }
        for i in nw..nw + 2 * m {
            info.lower[i] = 0.0;
        }
        let jo = outer.jacobian_pattern();
        let (mut jr, mut jc): (Vec<usize>, Vec<usize>) = jo.iter().unzip();
        for i in 0..m {
            jr.push(i);
            jc.push(nw + i);
            jr.push(i);
            jc.push(nw + m + i);
        }
        let jac = SparsityPattern::new(m, nw + 2 * m, jr, jc);
        let ho = outer.hessian_pattern();
        let nh = ho.nnz();
        let (mut hr, mut hc): (Vec<usize>, Vec<usize>) = ho.iter().unzip();
        for i in 0..nw {
            hr.push(i);
            hc.push(i);
        }
        let hess = SparsityPattern::new(nw + 2 * m, nw + 2 * m, hr, hc);
        let jac_outer = RefCell::new(vec![0.0; jo.nnz()]);
        let hess_outer = RefCell::new(vec![0.0; nh]);
        Self {
            outer: RefCell::new(outer),
            info,
            nw,
            m,
            zeta,
            w_ref: w_ref.to_vec(),
            d_ref,
            jac,
            hess,
            jac_outer,
            hess_outer,
            nh,
        }
    }
}

impl SmoothProblem for RestorationProblem<'_, '_> {
    fn info(&self) -> &ProblemInfo {
        &self.info
    }

    fn has_exact_hessian(&self) -> bool {
        self.outer.borrow().problem().has_exact_hessian()
    }

    fn objective(&self, v: &[f64]) -> Result<f64, EvalError> {
        let (nw, m) = (self.nw, self.m);
        let pn: f64 = v[nw..nw + 2 * m].iter().sum();
        let mut prox = 0.0;
        for i in 0..nw {
            let d = self.d_ref[i] * (v[i] - self.w_ref[i]);
            prox += d * d;
        }
        Ok(RHO * pn + 0.5 * self.zeta * prox)
    }

    fn gradient(&self, v: &[f64], g: &mut [f64]) -> Result<(), EvalError> {
        let nw = self.nw;
        for i in 0..nw {
            g[i] = self.zeta * self.d_ref[i] * self.d_ref[i] * (v[i] - self.w_ref[i]);
        }
        g[nw..].fill(RHO);
        Ok(())
    }

    fn constraints(&self, v: &[f64], c: &mut [f64]) -> Result<(), EvalError> {
        let (nw, m) = (self.nw, self.m);
        self.outer.borrow_mut().constraints(&v[..nw], c)?;
        for i in 0..m {
            c[i] += -v[nw + i] + v[nw + m + i];
        }
        Ok(())
    }

    fn jacobian_pattern(&self) -> &SparsityPattern {
        &self.jac
    }

    fn jacobian_values(&self, v: &[f64], values: &mut [f64]) -> Result<(), EvalError> {
        let k = self.jac_outer.borrow().len();
        let mut jo = self.jac_outer.borrow_mut();
        self.outer.borrow_mut().jacobian(&v[..self.nw], &mut jo)?;
        values[..k].copy_from_slice(&jo);
        for i in 0..self.m {
            values[k + 2 * i] = -1.0;
            values[k + 2 * i + 1] = 1.0;
        }
        Ok(())
    }

    fn hessian_pattern(&self) -> &SparsityPattern {
        &self.hess
    }

    fn hessian_values(
        &self,
        v: &[f64],
        sigma: f64,
        y: &[f64],
        values: &mut [f64],
    ) -> Result<(), EvalError> {
        let mut ho = self.hess_outer.borrow_mut();
        self.outer
            .borrow_mut()
            .hessian(&v[..self.nw], 0.0, y, &mut ho)?;
        values[..self.nh].copy_from_slice(&ho);
        for i in 0..self.nw {
            values[self.nh + i] = sigma * self.zeta * self.d_ref[i] * self.d_ref[i];
        }
        Ok(())
    }
}

impl Ipm<'_, '_> {
    /// Runs the restoration phase after `why` (line search or factorization failure).
    /// `Ok(())`: continue the main loop from the restored point; `Err(ending)`: stop.
    pub(crate) fn restore(
        &mut self,
        run: &mut Run<'_, '_, IterationInfo>,
        why: &str,
    ) -> Result<(), Ending> {
        if !self.s.restoration {
            return Err(Ending {
                status: Status::Stalled,
                termination: Termination::RestorationFailed,
                message: format!("{why} and the restoration phase is off"),
            });
        }
        if self.st.at.theta <= 1e-2 * self.s.tol && self.reg.delta_w > 1e20 {
            return Err(Ending {
                status: Status::NumericalError,
                termination: Termination::InertiaCorrectionFailed,
                message: format!("{why} at a feasible point"),
            });
        }
        self.augment_filter();
        let theta_ref = self.st.at.theta;
        let mu = self.mu;
        let filter: Filter = self.filter.clone();
        let bounds = Bounds::new(self.st.bounds.lower.clone(), self.st.bounds.upper.clone());
        let w_ref = self.st.w.clone();
        let c_ref = self.st.c.clone();
        let nw = self.st.nw();
        let inner_settings = self.inner_settings(run);
        let offset = self.iterations;

        let outcome = {
            let problem = RestorationProblem::new(&mut self.st.nlp, &bounds, &w_ref, &c_ref, mu);
            let mut exit = |v: &[f64]| -> bool {
                let w = &v[..nw];
                let mut outer = problem.outer.borrow_mut();
                let Ok(f) = outer.objective(w) else {
                    return false;
                };
                let mut c = vec![0.0; outer.m()];
                if outer.constraints(w, &mut c).is_err() {
                    return false;
                }
                let theta: f64 = c.iter().map(|v| v.abs()).sum();
                let phi = f + bounds.barrier(w, mu);
                theta <= REQUIRED_REDUCTION * theta_ref && filter.acceptable(theta, phi)
            };
            let mut forward = |info: &IterationInfo| -> Control {
                let mut rec = *info;
                rec.iteration += offset;
                rec.restoration = true;
                run.observer().iteration(&rec)
            };
            match Ipm::new(&problem, &inner_settings, None) {
                Ok(mut inner) => inner
                    .run(
                        &mut forward as &mut dyn Observer<IterationInfo>,
                        Some(&mut exit),
                    )
                    .map(|out| {
                        self.st.kkt_iterations += out.kkt_iterations;
                        self.st.inner_fallbacks += out.kkt_fallbacks;
                        (out.status, out.termination, out.x, out.iterations)
                    })
                    .map_err(|e| evaluation_ending(&e)),
                Err(e) => Err(evaluation_ending(&e)),
            }
        };
        let (status, termination, v, inner_iterations) = outcome?;
        self.iterations += inner_iterations;
        self.restoration_iterations += inner_iterations;
        self.finish_restoration(status, termination, &v[..nw], why)
    }

    fn inner_settings(&self, run: &Run<'_, '_, IterationInfo>) -> Settings {
        let mut s = self.s.clone();
        s.restoration = false;
        s.scaling = false;
        s.bound_relax_factor = 0.0;
        s.verbose = false;
        s.acceptable_iter = 0;
        s.mu_init = self.mu.max(opal_core::linalg::norm_inf(&self.st.c));
        s.budget.start = Some(run.clock().start_instant());
        s.budget.max_iterations = self.s.budget.max_iterations.saturating_sub(self.iterations);
        s
    }

    /// Continues from the restored point, or ends the run with what the nested run found.
    fn finish_restoration(
        &mut self,
        status: Status,
        termination: Termination,
        w: &[f64],
        why: &str,
    ) -> Result<(), Ending> {
        let restored = termination == Termination::Restored;
        if status.is_limit() {
            return Err(Ending {
                status,
                termination: Termination::Budget,
                message: format!("{} (in the restoration phase)", budget_message(status)),
            });
        }
        if termination == Termination::Unbounded {
            // The restoration's iterates diverged: so do the problem's.
            return Err(Ending {
                status: Status::Unbounded,
                termination,
                message: format!("{why}; the iterates diverge in the restoration phase"),
            });
        }
        if !restored && !status.is_usable() {
            return Err(Ending {
                status: Status::Stalled,
                termination: Termination::RestorationFailed,
                message: format!("{why}; the restoration phase failed ({status})"),
            });
        }
        // Take the point; reset the multipliers as IPOPT does.
        self.st.w.copy_from_slice(w);
        self.st.y.fill(0.0);
        let mu = self.mu;
        let st = &mut self.st;
        let mut zmax = 0.0f64;
        for i in 0..st.w.len() {
            if st.bounds.has_l[i] {
                st.zl[i] = mu / (st.w[i] - st.bounds.lower[i]);
                zmax = zmax.max(st.zl[i]);
            }
            if st.bounds.has_u[i] {
                st.zu[i] = mu / (st.bounds.upper[i] - st.w[i]);
                zmax = zmax.max(st.zu[i]);
            }
        }
        if zmax > 1e3 {
            for i in 0..st.w.len() {
                st.zl[i] = if st.bounds.has_l[i] { 1.0 } else { 0.0 };
                st.zu[i] = if st.bounds.has_u[i] { 1.0 } else { 0.0 };
            }
        }
        st.evaluate_values(mu)
            .and_then(|_| st.evaluate_derivatives())
            .map_err(|e| Ending {
                status: Status::NumericalError,
                termination: Termination::EvaluationFailed,
                message: format!("after the restoration phase: {e}"),
            })?;
        if !restored {
            // The nested run converged to a stationary point of the violation.
            let infeasible = st.unscaled_primal_infeasibility() > self.s.constr_viol_tol;
            if infeasible {
                return Err(Ending {
                    status: Status::Infeasible,
                    termination: Termination::LocallyInfeasible,
                    message: format!(
                        "locally infeasible: the restoration phase converged to a point with \
                         constraint violation {:.3e} that it cannot reduce",
                        st.unscaled_primal_infeasibility()
                    ),
                });
            }
            self.filter.reset(self.theta_max);
        }
        Ok(())
    }
}
