//! The solver's state: the reformulated problem, the iterate and the values at it, the
//! trial point, the step, and every workspace, sized once in [`State::new`].

use opal_problems::{EvalError, SmoothProblem};

use super::error::IpmError;
use super::iterate::Bounds;
use super::kkt::KktSystem;
use super::krylov::KrylovKkt;
use super::ldl::{Ldl, LdlKind};
use super::nlp::{BarrierNlp, Reformulation};
use super::settings::{KktMethod, LinearSolver, Settings};
use crate::eqnlp::KktSolver;
use opal_core::linalg::norm_inf;

/// Values of the barrier problem at a point.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PointValues {
    /// Scaled objective.
    pub f: f64,
    /// Barrier objective phi_mu.
    pub phi: f64,
    /// Constraint violation ||c||_1.
    pub theta: f64,
}

/// Everything the iteration works on.
pub(crate) struct State<'p> {
    pub nlp: BarrierNlp<'p, dyn SmoothProblem + 'p>,
    pub bounds: Bounds,
    pub kkt: KktSystem,
    /// The KKT solver of the steps (the setting `kkt_solver`).
    pub solver: Box<dyn KktSolver<KktSystem>>,
    /// True when `solver` is inexact (Krylov): steps are requested to a tolerance tied to
    /// the outer residual and the inertia is unknown.
    pub inexact: bool,
    /// Relative residual an inexact step may keep at most (`krylov_forcing`).
    pub forcing: f64,
    /// Krylov iterations of every solve so far (restoration phases included).
    pub kkt_iterations: usize,
    /// Direct fallbacks of the KKT solvers of restoration phases.
    pub inner_fallbacks: usize,
    // iterate
    pub w: Vec<f64>,
    pub y: Vec<f64>,
    pub zl: Vec<f64>,
    pub zu: Vec<f64>,
    pub at: PointValues,
    pub g: Vec<f64>,
    pub c: Vec<f64>,
    pub jac: Vec<f64>,
    pub hess: Vec<f64>,
    // trial point
    pub w_t: Vec<f64>,
    pub c_t: Vec<f64>,
    pub trial: PointValues,
    // step
    pub dw: Vec<f64>,
    pub dy: Vec<f64>,
    pub dzl: Vec<f64>,
    pub dzu: Vec<f64>,
    pub rhs: Vec<f64>,
    pub sol: Vec<f64>,
    /// Saved step while second-order corrections are tried.
    pub dw_save: Vec<f64>,
    pub dy_save: Vec<f64>,
    pub sigma: Vec<f64>,
    /// Gradient of the barrier objective at the iterate.
    pub grad_phi: Vec<f64>,
    /// Scratch of length nw (dual infeasibility, products).
    pub work_w: Vec<f64>,
    /// Scratch of length m.
    pub work_m: Vec<f64>,
}

impl<'p> State<'p> {
    /// Builds the reformulation and every buffer, scales at `x0` (the problem's start point
    /// or a warm start) and pushes the start point inside the bounds.
    pub fn new(
        problem: &'p (dyn SmoothProblem + 'p),
        s: &Settings,
        x0: &[f64],
    ) -> Result<Self, IpmError> {
        let opts = Reformulation {
            bound_relax: s.bound_relax_factor,
            max_gradient: s.max_gradient,
            scaling: s.scaling,
        };
        let mut nlp = BarrierNlp::new(problem, &opts);
        let (nw, m) = (nlp.nw(), nlp.m());
        let mut w = vec![0.0; nw];
        // x part first (slacks need the scaling, which needs x).
        nlp.start_point(x0, &mut w).map_err(IpmError::start)?;
        nlp.compute_scaling(&w, &opts).map_err(IpmError::start)?;
        nlp.start_point(x0, &mut w).map_err(IpmError::start)?;
        let bounds = Bounds::new(nlp.lower.clone(), nlp.upper.clone());
        bounds.push_inside(&mut w, s.bound_push, s.bound_frac);

        let kkt = KktSystem::new(nlp.hessian_pattern(), nlp.jacobian_pattern(), nw, m);
        let dim = nw + m;
        let nnz = kkt.symbolic().compute_nnz();
        let dense = match s.linear_solver {
            LinearSolver::Dense => true,
            LinearSolver::SparseLdl => false,
            LinearSolver::Auto => {
                dim <= s.dense_limit || (nnz as f64) > 0.3 * (dim * (dim + 1) / 2) as f64
            }
        };
        let kind = if dense {
            LdlKind::Dense
        } else {
            LdlKind::Sparse
        };
        let ldl = Ldl::new(&kkt, kind, s.static_regularization).map_err(IpmError::Linear)?;
        let inexact = s.kkt_solver == KktMethod::Krylov;
        let solver: Box<dyn KktSolver<KktSystem>> = if inexact {
            Box::new(KrylovKkt::new(&kkt, ldl))
        } else {
            Box::new(ldl)
        };
        let nj = nlp.jacobian_pattern().nnz();
        let nh = nlp.hessian_pattern().nnz();
        let mut zl = vec![0.0; nw];
        let mut zu = vec![0.0; nw];
        for i in 0..nw {
            if bounds.has_l[i] {
                zl[i] = 1.0;
            }
            if bounds.has_u[i] {
                zu[i] = 1.0;
            }
        }
        Ok(Self {
            nlp,
            bounds,
            kkt,
            solver,
            inexact,
            forcing: s.krylov_forcing,
            kkt_iterations: 0,
            inner_fallbacks: 0,
            w_t: w.clone(),
            w,
            y: vec![0.0; m],
            zl,
            zu,
            at: PointValues::default(),
            g: vec![0.0; nw],
            c: vec![0.0; m],
            jac: vec![0.0; nj],
            hess: vec![0.0; nh],
            c_t: vec![0.0; m],
            trial: PointValues::default(),
            dw: vec![0.0; nw],
            dy: vec![0.0; m],
            dzl: vec![0.0; nw],
            dzu: vec![0.0; nw],
            rhs: vec![0.0; dim],
            sol: vec![0.0; dim],
            dw_save: vec![0.0; nw],
            dy_save: vec![0.0; m],
            sigma: vec![0.0; nw],
            grad_phi: vec![0.0; nw],
            work_w: vec![0.0; nw],
            work_m: vec![0.0; m],
        })
    }

    pub fn nw(&self) -> usize {
        self.w.len()
    }

    pub fn m(&self) -> usize {
        self.y.len()
    }

    /// f, c and the barrier values at the current iterate.
    pub fn evaluate_values(&mut self, mu: f64) -> Result<(), EvalError> {
        self.at.f = self.nlp.objective(&self.w)?;
        self.nlp.constraints(&self.w, &mut self.c)?;
        self.at.theta = self.c.iter().map(|v| v.abs()).sum();
        self.at.phi = self.at.f + self.bounds.barrier(&self.w, mu);
        Ok(())
    }

    /// Recomputes phi at the iterate for a new mu (f unchanged).
    pub fn refresh_barrier(&mut self, mu: f64) {
        self.at.phi = self.at.f + self.bounds.barrier(&self.w, mu);
    }

    /// grad f and J at the current iterate.
    pub fn evaluate_derivatives(&mut self) -> Result<(), EvalError> {
        self.nlp.gradient(&self.w, &mut self.g)?;
        self.nlp.jacobian(&self.w, &mut self.jac)
    }

    /// f, c, theta and phi at `w_t`.
    pub fn evaluate_trial(&mut self, mu: f64) -> Result<(), EvalError> {
        self.bounds.adjust_tiny_slacks(&self.w_t);
        self.trial.f = self.nlp.objective(&self.w_t)?;
        self.nlp.constraints(&self.w_t, &mut self.c_t)?;
        self.trial.theta = self.c_t.iter().map(|v| v.abs()).sum();
        self.trial.phi = self.trial.f + self.bounds.barrier(&self.w_t, mu);
        Ok(())
    }

    /// grad_phi = grad f + barrier gradient.
    pub fn barrier_gradient(&mut self, mu: f64) {
        self.grad_phi.copy_from_slice(&self.g);
        self.bounds
            .add_barrier_gradient(&self.w, mu, &mut self.grad_phi);
    }

    /// work_w = grad f + J^T y - z_L + z_U (the scaled dual infeasibility vector).
    pub fn dual_residual(&mut self) {
        self.work_w.copy_from_slice(&self.g);
        self.nlp
            .jacobian_pattern()
            .matvec_transpose(&self.jac, &self.y, &mut self.work_w, true);
        for i in 0..self.work_w.len() {
            self.work_w[i] += self.zu[i] - self.zl[i];
        }
    }

    /// Scaled optimality measures at the iterate for barrier parameter mu:
    /// (dual infeasibility, primal infeasibility, complementarity, overall E_mu), with
    /// IPOPT's scaling s_d, s_c of the dual and complementarity terms (s_max = 100).
    pub fn errors(&mut self, mu: f64) -> (f64, f64, f64, f64) {
        const S_MAX: f64 = 100.0;
        self.dual_residual();
        let du = norm_inf(&self.work_w);
        let pr = norm_inf(&self.c);
        let co = self
            .bounds
            .complementarity_error(&self.w, &self.zl, &self.zu, mu);
        let z1: f64 = self.zl.iter().chain(&self.zu).map(|v| v.abs()).sum();
        let y1: f64 = self.y.iter().map(|v| v.abs()).sum();
        let nz = self.bounds.n_l + self.bounds.n_u;
        let sd = if self.m() + nz > 0 {
            (S_MAX.max((y1 + z1) / (self.m() + nz) as f64)) / S_MAX
        } else {
            1.0
        };
        let sc = if nz > 0 {
            (S_MAX.max(z1 / nz as f64)) / S_MAX
        } else {
            1.0
        };
        let e = (du / sd).max(pr).max(co / sc);
        (du, pr, co, e)
    }

    /// Max-norm of the unscaled constraint residuals c(w) (user units).
    pub fn unscaled_primal_infeasibility(&self) -> f64 {
        self.c
            .iter()
            .zip(&self.nlp.row_scale)
            .fold(0.0f64, |a, (v, s)| a.max(v.abs() / s))
    }
}
