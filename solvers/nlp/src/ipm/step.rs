//! The search direction: the primal-dual system with inertia correction (Wächter & Biegler
//! 2006, Algorithm IC) and its right-hand sides (Newton step, second-order correction,
//! affine-scaling probe).

use super::error::IpmError;
use super::ldl::Inertia;
use super::state::State;

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
    fn assemble(&mut self, hess: &HessianBlock<'_>, diag_shift: f64, dw: f64, dc: f64, reg: f64) {
        let h = match hess {
            HessianBlock::Exact(v) => Some(*v),
            HessianBlock::None => None,
        };
        self.kkt.set(h, &self.sigma, dw, &self.jac, dc);
        if diag_shift != 0.0 {
            let nx = self.nlp.n_free();
            self.kkt.add_to_w_diagonal(diag_shift, nx);
        }
        self.kkt.assemble_regularized(reg);
    }

    /// Factorizes the primal-dual matrix at the iterate with the smallest delta_w (and
    /// delta_c when singular) that gives inertia (nw, m, 0). `hess` is the Hessian block,
    /// `diag_shift` a diagonal added to it (quasi-Newton scaling).
    pub fn factor_with_inertia_correction(
        &mut self,
        hess: HessianBlock<'_>,
        diag_shift: f64,
        reg: &mut Regularization,
        mu: f64,
        static_reg: f64,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), IpmError> {
        let (nw, m) = (self.nw(), self.m());
        self.bounds
            .sigma(&self.w, &self.zl, &self.zu, &mut self.sigma);
        let wanted = |i: &Inertia| i.is(nw, m);
        let mut dc = 0.0;
        self.assemble(&hess, diag_shift, 0.0, dc, static_reg);
        let inertia = self.ldl.factor(&self.kkt);
        if wanted(&inertia) {
            reg.delta_w = 0.0;
            reg.delta_c = 0.0;
            return Ok(());
        }
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
            self.assemble(&hess, diag_shift, dw, dc, static_reg);
            let inertia = self.ldl.factor(&self.kkt);
            if wanted(&inertia) {
                reg.last_delta_w = dw;
                reg.delta_w = dw;
                reg.delta_c = dc;
                return Ok(());
            }
            if inertia.zero > 0 && dc == 0.0 {
                dc = DELTA_C_BAR * mu.powf(KAPPA_C);
            }
            dw *= if reg.last_delta_w == 0.0 {
                KAPPA_W_PLUS_BAR
            } else {
                KAPPA_W_PLUS
            };
            if dw > DELTA_W_MAX {
                return Err(IpmError::Inertia);
            }
        }
    }

    /// After a factorization that solved poorly (a nearly singular Jacobian), refactorizes
    /// with delta_c > 0 keeping delta_w.
    pub fn refactor_singular(
        &mut self,
        hess: HessianBlock<'_>,
        diag_shift: f64,
        reg: &mut Regularization,
        mu: f64,
        static_reg: f64,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), IpmError> {
        reg.delta_c = DELTA_C_BAR * mu.powf(KAPPA_C).max(1e-4);
        self.assemble(&hess, diag_shift, reg.delta_w, reg.delta_c, static_reg);
        let inertia = self.ldl.factor(&self.kkt);
        if inertia.is(self.nw(), self.m()) {
            Ok(())
        } else {
            self.factor_with_inertia_correction(hess, diag_shift, reg, mu, static_reg, stop)
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

    /// Solves with the current factorization into (dw, dy); returns the relative residual.
    pub fn solve_step(&mut self) -> Result<f64, IpmError> {
        let nw = self.nw();
        let res = self
            .ldl
            .solve(&self.kkt, &self.rhs, &mut self.sol, 10, 1e-12)
            .map_err(IpmError::Linear)?;
        self.dw.copy_from_slice(&self.sol[..nw]);
        self.dy.copy_from_slice(&self.sol[nw..]);
        let scale = self.rhs.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        Ok(res / scale)
    }
}
