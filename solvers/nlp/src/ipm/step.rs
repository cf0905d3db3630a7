//! The search direction: the primal-dual system with inertia correction (Wächter & Biegler
//! 2006, Algorithm IC) and its right-hand sides (Newton step, second-order correction,
//! affine-scaling probe).

use opal_core::linalg::{norm, norm_inf};

use super::error::IpmError;
use super::state::State;
use crate::eqnlp::{Accuracy, Inertia, Regularization as Shift, SolveReport};

/// Parameters of the inertia correction (IPOPT's defaults).
const DELTA_W_0: f64 = 1e-4;
const DELTA_W_MIN: f64 = 1e-20;
const DELTA_W_MAX: f64 = 1e40;
const KAPPA_W_MINUS: f64 = 1.0 / 3.0;
const KAPPA_W_PLUS: f64 = 8.0;
const KAPPA_W_PLUS_BAR: f64 = 100.0;
const DELTA_C_BAR: f64 = 1e-8;
const KAPPA_C: f64 = 0.25;

/// Regularization remembered between iterations.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Regularization {
    /// delta_w of the last step that needed one (0 if none yet).
    pub last_delta_w: f64,
    /// delta_w and delta_c of the current factorization.
    pub delta_w: f64,
    pub delta_c: f64,
}

/// Hessian mode of the current factorization.
pub(crate) enum HessianBlock<'a> {
    /// The exact Hessian values in the Hessian pattern's order.
    Exact(&'a [f64]),
    /// No Hessian block (a quasi-Newton diagonal is added through `diag_shift`).
    None,
}

impl State<'_> {
    /// Puts the Hessian block, sigma, the Jacobian and the quasi-Newton shift into the
    /// system (the regularization comes with each factorization).
    fn set_system(&mut self, hess: &HessianBlock<'_>, diag_shift: f64) {
        let h = match hess {
            HessianBlock::Exact(v) => Some(*v),
            HessianBlock::None => None,
        };
        self.kkt.set(h, &self.sigma, &self.jac);
        if diag_shift != 0.0 {
            let nx = self.nlp.n_free();
            self.kkt.set_w_shift(diag_shift, nx);
        }
    }

    /// Factorizes with delta_w and delta_c; the inertia when the solver knows it.
    fn factor(&mut self, dw: f64, dc: f64) -> Result<Option<Inertia>, IpmError> {
        self.solver
            .factor(&self.kkt, Shift::new(dw, dc))
            .map_err(IpmError::Linear)
    }

    /// Factorizes the primal-dual matrix at the iterate with the smallest delta_w (and
    /// delta_c when singular) that gives inertia (nw, m, 0). `hess` is the Hessian block,
    /// `diag_shift` a diagonal added to it (quasi-Newton scaling). A solver that does not
    /// know the inertia (Krylov) is taken at delta_w = 0; its steps are checked for
    /// curvature instead ([`State::regularize_more`]).
    pub fn factor_with_inertia_correction(
        &mut self,
        hess: HessianBlock<'_>,
        diag_shift: f64,
        reg: &mut Regularization,
        mu: f64,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), IpmError> {
        let (nw, m) = (self.nw(), self.m());
        self.bounds
            .sigma(&self.w, &self.zl, &self.zu, &mut self.sigma);
        self.set_system(&hess, diag_shift);
        let wanted = |i: &Inertia| i.is(nw, m);
        let mut dc = 0.0;
        let inertia = match self.factor(0.0, dc)? {
            Some(i) if !wanted(&i) => i,
            _ => {
                reg.delta_w = 0.0;
                reg.delta_c = 0.0;
                return Ok(());
            }
        };
        if inertia.zero > 0 {
            dc = DELTA_C_BAR * mu.powf(KAPPA_C);
        }
        let mut dw = if reg.last_delta_w == 0.0 {
            DELTA_W_0
        } else {
            DELTA_W_MIN.max(KAPPA_W_MINUS * reg.last_delta_w)
        };
        loop {
            // A large system may need a dozen factorizations here: honour Ctrl-C and the
            // time limit between them.
            if stop() {
                return Err(IpmError::Stopped);
            }
            let inertia = self.factor(dw, dc)?;
            if inertia.is_none_or(|i| wanted(&i)) {
                reg.last_delta_w = dw;
                reg.delta_w = dw;
                reg.delta_c = dc;
                return Ok(());
            }
            if inertia.is_some_and(|i| i.zero > 0) && dc == 0.0 {
                dc = DELTA_C_BAR * mu.powf(KAPPA_C);
            }
            dw = Self::next_delta_w(dw, reg)?;
        }
    }

    /// The next delta_w of the inertia correction after `dw` failed; an error beyond
    /// 1e40.
    fn next_delta_w(dw: f64, reg: &Regularization) -> Result<f64, IpmError> {
        let next = dw
            * if reg.last_delta_w == 0.0 {
                KAPPA_W_PLUS_BAR
            } else {
                KAPPA_W_PLUS
            };
        if next > DELTA_W_MAX {
            Err(IpmError::Inertia)
        } else {
            Ok(next)
        }
    }

    /// After an inexact step showed negative curvature (the inertia test of a solver
    /// without inertia): the next delta_w of the inertia correction, refactorized.
    pub fn regularize_more(
        &mut self,
        reg: &mut Regularization,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), IpmError> {
        if stop() {
            return Err(IpmError::Stopped);
        }
        let dw = if reg.delta_w > 0.0 {
            Self::next_delta_w(reg.delta_w, reg)?
        } else if reg.last_delta_w == 0.0 {
            DELTA_W_0
        } else {
            DELTA_W_MIN.max(KAPPA_W_MINUS * reg.last_delta_w)
        };
        reg.delta_w = dw;
        reg.last_delta_w = dw;
        self.factor(dw, reg.delta_c).map(|_| ())
    }

    /// After a factorization that solved poorly (a nearly singular Jacobian), refactorizes
    /// with delta_c > 0 keeping delta_w.
    pub fn refactor_singular(
        &mut self,
        hess: HessianBlock<'_>,
        diag_shift: f64,
        reg: &mut Regularization,
        mu: f64,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), IpmError> {
        reg.delta_c = DELTA_C_BAR * mu.powf(KAPPA_C).max(1e-4);
        self.set_system(&hess, diag_shift);
        let inertia = self.factor(reg.delta_w, reg.delta_c)?;
        if inertia.is_none_or(|i| i.is(self.nw(), self.m())) {
            Ok(())
        } else {
            self.factor_with_inertia_correction(hess, diag_shift, reg, mu, stop)
        }
    }

    /// rhs = -[grad_phi + J^T y ; c_part]: the Newton right-hand side with `c_part` the
    /// constraint residual (c itself, or the second-order-correction c_soc).
    pub fn set_rhs(&mut self, c_part: &[f64]) {
        let nw = self.nw();
        self.work_w.copy_from_slice(&self.grad_phi);
        self.nlp
            .jacobian_pattern()
            .matvec_transpose(&self.jac, &self.y, &mut self.work_w, true);
        for i in 0..nw {
            self.rhs[i] = -self.work_w[i];
        }
        for (r, v) in self.rhs[nw..].iter_mut().zip(c_part) {
            *r = -v;
        }
    }

    /// The accuracy of a step's solve: for an inexact solver a relative residual tied to
    /// the outer residual (the right-hand side), min(forcing, sqrt(|rhs|_inf)), as in
    /// inexact Newton methods; a direct solver ignores it and solves exactly.
    pub fn step_accuracy(&self, rhs: &[f64]) -> Accuracy {
        let b = norm(rhs);
        let eta = self.forcing.min(norm_inf(rhs).sqrt());
        Accuracy::Inexact {
            target: eta * b,
            usable: 10.0 * eta * b,
            max_iterations: 10 * rhs.len() + 100,
            resume: false,
        }
    }

    /// Solves `b` with the current factorization into `out` at `accuracy`.
    pub fn solve_system(
        &mut self,
        b: &[f64],
        out: &mut [f64],
        accuracy: Accuracy,
    ) -> Result<SolveReport, IpmError> {
        let report = self
            .solver
            .solve(&self.kkt, b, out, accuracy, &|| false)
            .map_err(IpmError::Linear)?;
        self.kkt_iterations += report.iterations;
        Ok(report)
    }

    /// Solves with the current factorization into (dw, dy); returns the relative residual
    /// (0 for an inexact solve that met its termination test).
    pub fn solve_step(&mut self) -> Result<f64, IpmError> {
        let nw = self.nw();
        let rhs = std::mem::take(&mut self.rhs);
        let mut sol = std::mem::take(&mut self.sol);
        let report = self.solve_system(&rhs, &mut sol, self.step_accuracy(&rhs));
        self.rhs = rhs;
        self.sol = sol;
        let report = report?;
        self.dw.copy_from_slice(&self.sol[..nw]);
        self.dy.copy_from_slice(&self.sol[nw..]);
        if self.inexact && report.reached {
            return Ok(0.0);
        }
        let scale = self.rhs.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        Ok(report.residual / scale)
    }
}
