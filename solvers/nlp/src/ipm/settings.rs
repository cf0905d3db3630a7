//! Settings of the interior-point method. Defaults are IPOPT's (Wächter & Biegler 2006 and
//! IPOPT's option documentation); where opal differs the field says so.

use opal_core::{Budget, SettingError, check_range, setters};

/// How the barrier parameter mu is updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MuStrategy {
    /// Fiacco-McCormick: solve each barrier problem to kappa_eps * mu, then
    /// mu <- max(tol/10, min(kappa_mu mu, mu^theta_mu)) (IPOPT's default `monotone`).
    Monotone,
    /// Mehrotra's probing heuristic each iteration (affine-scaling step, centering
    /// sigma = (mu_aff / mu)^3), falling back to monotone steps when the optimality error
    /// stops decreasing (IPOPT's `adaptive` with `probing`).
    Adaptive,
}

/// The Hessian of the Lagrangian used in the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HessianApproximation {
    /// Exact when the problem has one ([`opal_problems::SmoothProblem::has_exact_hessian`]),
    /// limited-memory BFGS with 6 pairs otherwise (e.g. closures without a Hessian).
    Auto,
    /// The problem's exact Hessian.
    Exact,
    /// Limited-memory BFGS (damped, `memory` pairs) for problems without second
    /// derivatives (IPOPT's `limited-memory`).
    LimitedMemory {
        /// Number of stored pairs.
        memory: usize,
    },
}

/// Which factorization solves the primal-dual system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinearSolver {
    /// Dense Bunch-Kaufman when the system has at most `dense_limit` rows or is more than
    /// 30% full, sparse LDL^T otherwise.
    Auto,
    /// Sparse LDL^T (AMD ordering, static regularization, inertia from D).
    SparseLdl,
    /// Dense Bunch-Kaufman LBL^T.
    Dense,
}

/// Which [`KktSolver`](crate::eqnlp::KktSolver) computes the steps (the way Clarabel
/// picks its linear solver by a setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KktMethod {
    /// The factorization of `linear_solver` (LDL^T or dense Bunch-Kaufman) with inertia
    /// correction.
    Direct,
    /// Inexact steps: preconditioned MINRES on the primal-dual system, stopped by a test
    /// tied to the outer residual (relative residual <= min(`krylov_forcing`,
    /// sqrt(||rhs||_inf))), negative curvature of the primal block in place of the
    /// inertia test, and the factorization as fallback when MINRES cannot reach ten times
    /// its target (after Curtis, Schenk & Wächter's inexact interior point).
    Krylov,
}

/// Interior-point settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Iterations, time and stop request. Default: 3000 iterations (IPOPT's max_iter), no
    /// time limit.
    pub budget: Budget,
    /// Convergence tolerance on the scaled optimality error (dual infeasibility, primal
    /// infeasibility and complementarity, each): 1e-8 (IPOPT's `tol`).
    pub tol: f64,
    /// Unscaled primal infeasibility that must also hold at convergence: 1e-4
    /// (`constr_viol_tol`).
    pub constr_viol_tol: f64,
    /// Unscaled dual infeasibility that must also hold: 1.0 (`dual_inf_tol`).
    pub dual_inf_tol: f64,
    /// Unscaled complementarity that must also hold: 1e-4 (`compl_inf_tol`).
    pub compl_inf_tol: f64,
    /// Acceptable level: 1e-6 (`acceptable_tol`).
    pub acceptable_tol: f64,
    /// Consecutive acceptable iterates before stopping there: 15 (`acceptable_iter`);
    /// 0 turns the acceptable stop off.
    pub acceptable_iter: usize,
    /// Initial barrier parameter: 0.1 (`mu_init`).
    pub mu_init: f64,
    /// Barrier update.
    pub mu_strategy: MuStrategy,
    /// Smallest barrier parameter of the adaptive strategy: 1e-11 (`mu_min`). (The
    /// monotone strategy stops at min(tol, scaled compl_inf_tol) / (kappa_eps + 1), as
    /// IPOPT does.)
    pub mu_min: f64,
    /// Barrier problem tolerance factor: 10 (`barrier_tol_factor`).
    pub kappa_eps: f64,
    /// Linear decrease of mu: 0.2 (`mu_linear_decrease_factor`).
    pub kappa_mu: f64,
    /// Superlinear decrease of mu: 1.5 (`mu_superlinear_decrease_power`).
    pub theta_mu: f64,
    /// Smallest fraction-to-the-boundary factor: 0.99 (`tau_min`).
    pub tau_min: f64,
    /// Push of the start point into the bounds: 1e-2 (`bound_push`).
    pub bound_push: f64,
    /// Push relative to the bound gap: 1e-2 (`bound_frac`).
    pub bound_frac: f64,
    /// Relative relaxation of every finite bound: 1e-8 (`bound_relax_factor`).
    pub bound_relax_factor: f64,
    /// Largest gradient entry after scaling at the start point: 100
    /// (`nlp_scaling_max_gradient`).
    pub max_gradient: f64,
    /// Gradient-based scaling on or off (`nlp_scaling_method`): on.
    pub scaling: bool,
    /// Bound multipliers kept within this factor of mu / distance: 1e10 (`kappa_sigma`).
    pub kappa_sigma: f64,
    /// Largest least-squares start multiplier; larger estimates are replaced by 0: 1e3
    /// (`constr_mult_init_max`).
    pub constr_mult_init_max: f64,
    /// Smallest bound multiplier taken from a warm start ([`super::WarmStart`]); smaller
    /// or missing ones are raised to it: 1e-3 (`warm_start_mult_bound_push`).
    pub warm_start_mult_bound_push: f64,
    /// Second-order corrections per step: 4 (`max_soc`).
    pub max_soc: usize,
    /// Objective below which (unscaled objective below -this) with a feasible iterate
    /// (within max(constr_viol_tol, 1e-10 max |x|)) the problem is declared unbounded, and
    /// the largest |x| before the iterates count as diverging (IPOPT's
    /// `diverging_iterates_tol`), also unbounded: 1e20.
    pub unbounded_objective: f64,
    /// Hessian used in the step.
    pub hessian: HessianApproximation,
    /// Factorization of the primal-dual system.
    pub linear_solver: LinearSolver,
    /// KKT solver of the steps: direct (default) or Krylov (inexact).
    pub kkt_solver: KktMethod,
    /// Largest relative residual of an inexact (Krylov) step: 0.1.
    pub krylov_forcing: f64,
    /// Systems with at most this many rows use the dense factorization under `Auto`: 300.
    pub dense_limit: usize,
    /// Static regularization -reg on the constraint block of the factorized matrix
    /// (removed by iterative refinement): 1e-10 (opal's; IPOPT's pivoting solvers need
    /// none).
    pub static_regularization: f64,
    /// Feasibility restoration phase on or off: on (`start_with_resto` off).
    pub restoration: bool,
    /// Print IPOPT's iteration log to standard error.
    pub verbose: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            budget: Budget::iterations(3000),
            tol: 1e-8,
            constr_viol_tol: 1e-4,
            dual_inf_tol: 1.0,
            compl_inf_tol: 1e-4,
            acceptable_tol: 1e-6,
            acceptable_iter: 15,
            mu_init: 0.1,
            mu_strategy: MuStrategy::Monotone,
            mu_min: 1e-11,
            kappa_eps: 10.0,
            kappa_mu: 0.2,
            theta_mu: 1.5,
            tau_min: 0.99,
            bound_push: 1e-2,
            bound_frac: 1e-2,
            bound_relax_factor: 1e-8,
            max_gradient: 100.0,
            scaling: true,
            kappa_sigma: 1e10,
            constr_mult_init_max: 1e3,
            warm_start_mult_bound_push: 1e-3,
            max_soc: 4,
            unbounded_objective: 1e20,
            hessian: HessianApproximation::Auto,
            linear_solver: LinearSolver::Auto,
            kkt_solver: KktMethod::Direct,
            krylov_forcing: 0.1,
            dense_limit: 300,
            static_regularization: 1e-10,
            restoration: true,
            verbose: false,
        }
    }
}

impl Settings {
    setters! {
        budget: Budget, tol: f64, constr_viol_tol: f64, dual_inf_tol: f64, compl_inf_tol: f64,
        acceptable_tol: f64, acceptable_iter: usize, mu_init: f64, mu_strategy: MuStrategy,
        mu_min: f64,
        kappa_eps: f64, kappa_mu: f64, theta_mu: f64, tau_min: f64, bound_push: f64,
        bound_frac: f64, bound_relax_factor: f64, max_gradient: f64, scaling: bool,
        kappa_sigma: f64, constr_mult_init_max: f64, warm_start_mult_bound_push: f64, max_soc: usize,
        unbounded_objective: f64, hessian: HessianApproximation,
        linear_solver: LinearSolver, kkt_solver: KktMethod, krylov_forcing: f64, dense_limit: usize, static_regularization: f64,
        restoration: bool, verbose: bool,
    }

    /// Checks every numeric setting's range.
    pub fn validate(&self) -> Result<(), SettingError> {
        check_range("tol", self.tol, 0.0, 1.0, true)?;
        check_range("constr_viol_tol", self.constr_viol_tol, 0.0, f64::MAX, true)?;
        check_range("dual_inf_tol", self.dual_inf_tol, 0.0, f64::MAX, true)?;
        check_range("compl_inf_tol", self.compl_inf_tol, 0.0, f64::MAX, true)?;
        check_range("acceptable_tol", self.acceptable_tol, 0.0, f64::MAX, true)?;
        check_range("mu_init", self.mu_init, 0.0, f64::MAX, true)?;
        check_range("mu_min", self.mu_min, 0.0, self.mu_init, true)?;
        check_range("kappa_eps", self.kappa_eps, 0.0, f64::MAX, true)?;
        check_range("kappa_mu", self.kappa_mu, 0.0, 1.0, true)?;
        check_range("theta_mu", self.theta_mu, 1.0, 2.0, true)?;
        check_range("tau_min", self.tau_min, 0.0, 1.0, true)?;
        check_range("bound_push", self.bound_push, 0.0, 1.0, true)?;
        check_range("bound_frac", self.bound_frac, 0.0, 0.5, true)?;
        check_range(
            "bound_relax_factor",
            self.bound_relax_factor,
            0.0,
            1.0,
            false,
        )?;
        check_range("max_gradient", self.max_gradient, 0.0, f64::MAX, true)?;
        check_range(
            "warm_start_mult_bound_push",
            self.warm_start_mult_bound_push,
            0.0,
            f64::MAX,
            true,
        )?;
        check_range("kappa_sigma", self.kappa_sigma, 1.0, f64::MAX, false)?;
        check_range("krylov_forcing", self.krylov_forcing, 0.0, 1.0, true)?;
        check_range(
            "static_regularization",
            self.static_regularization,
            0.0,
            1.0,
            false,
        )?;
        if let HessianApproximation::LimitedMemory { memory } = self.hessian
            && memory == 0
        {
            return Err(SettingError {
                name: "hessian",
                detail: "limited-memory needs at least one stored pair".into(),
            });
        }
        Ok(())
    }
}
