//! The interior-point driver: start, then per iteration the optimality test, the barrier
//! update, the step with inertia correction, the filter line search (or the restoration
//! phase), and the update of the iterate.

use opal_core::linalg::{dot, norm_inf};
use opal_core::{LogObserver, NoObserver, Observer, Observers, Run, Start, Status};
use opal_problems::SmoothProblem;

use super::error::IpmError;
use super::filter::Filter;
use super::lbfgs::Lbfgs;
use super::output::{IterationInfo, Output, Termination};
use super::settings::{HessianApproximation, MuStrategy, Settings};
use super::state::State;
use super::step::{HessianBlock, Regularization};
use super::warm::{WarmStart, apply_multipliers};
use crate::eqnlp::{Accuracy, KktError, Regularization as KktRegularization};

/// Why the main loop ended.
pub(crate) struct Ending {
    pub status: Status,
    pub termination: Termination,
    pub message: String,
}

impl Ending {
    fn new(status: Status, termination: Termination, message: impl Into<String>) -> Self {
        Self {
            status,
            termination,
            message: message.into(),
        }
    }
}

/// Solves `problem` (bounds and inequalities allowed) with the interior point.
pub fn solve(problem: &dyn SmoothProblem, settings: &Settings) -> Result<Output, IpmError> {
    solve_observed(problem, settings, &mut NoObserver)
}

/// [`solve`] with an observer that sees every iterate and may stop the run.
pub fn solve_observed(
    problem: &dyn SmoothProblem,
    settings: &Settings,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, IpmError> {
    solve_warm(problem, settings, None, observer)
}

/// [`solve_observed`] from a warm start (a point and optional multipliers, see
/// [`WarmStart`]) instead of the problem's start point.
pub fn solve_warm(
    problem: &dyn SmoothProblem,
    settings: &Settings,
    start: Option<&WarmStart>,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, IpmError> {
    settings.validate().map_err(IpmError::Setting)?;
    let info = problem.info();
    info.validate().map_err(IpmError::InvalidProblem)?;
    if let Some(start) = start {
        start.validate(info.n(), info.m())?;
    }
    let mut log = LogObserver::stderr();
    let mut all = if settings.verbose {
        Observers::new().with(&mut log).with(observer)
    } else {
        Observers::new().with(observer)
    };
    let mut ipm = Ipm::new(problem, settings, start)?;
    ipm.run(&mut all, None)
}

/// The running method.
pub(crate) struct Ipm<'s, 'p> {
    pub st: State<'p>,
    pub s: &'s Settings,
    pub mu: f64,
    pub tau: f64,
    pub filter: Filter,
    pub theta_min: f64,
    pub theta_max: f64,
    pub reg: Regularization,
    pub lbfgs: Option<Lbfgs>,
    /// Iterations done (restoration iterations included).
    pub iterations: usize,
    pub restoration_iterations: usize,
    /// Consecutive acceptable iterates.
    acceptable_count: usize,
    /// Adaptive mu: in fixed (monotone) mode, and the error it must beat to leave it.
    fixed_mode: bool,
    reference_errors: [f64; 4],
    last: IterationInfo,
}

/// Optional exit test of an inner (restoration) run: called at every iterate with w;
/// returning true ends the run with [`Termination::Optimal`] semantics for the caller.
pub(crate) type ExitTest<'a> = &'a mut dyn FnMut(&[f64]) -> bool;

const GAMMA_THETA: f64 = 1e-5;
const GAMMA_PHI: f64 = 1e-8;

impl<'s, 'p> Ipm<'s, 'p> {
    /// Sets up the state at the start point (scaling, push into the bounds, least-squares
    /// or warm-start multipliers, first evaluation).
    pub fn new(
        problem: &'p (dyn SmoothProblem + 'p),
        s: &'s Settings,
        start: Option<&WarmStart>,
    ) -> Result<Self, IpmError> {
        let x0 = start.map_or(&problem.info().x0, |w| &w.x);
        let st = State::new(problem, s, x0)?;
        let lbfgs = match s.hessian {
            HessianApproximation::Exact => None,
            HessianApproximation::Auto if problem.has_exact_hessian() => None,
            HessianApproximation::Auto => Some(Lbfgs::new(st.nw(), 6)),
            HessianApproximation::LimitedMemory { memory } => Some(Lbfgs::new(st.nw(), memory)),
        };
        let mut ipm = Self {
            st,
            s,
            mu: s.mu_init,
            tau: s.tau_min.max(1.0 - s.mu_init),
            filter: Filter::with_capacity(64),
            theta_min: 0.0,
            theta_max: 0.0,
            reg: Regularization::default(),
            lbfgs,
            iterations: 0,
            restoration_iterations: 0,
            acceptable_count: 0,
            fixed_mode: false,
            reference_errors: [f64::INFINITY; 4],
            last: IterationInfo {
                iteration: 0,
                restoration: false,
                objective: f64::NAN,
                inf_pr: f64::NAN,
                inf_du: f64::NAN,
                mu: s.mu_init,
                step_norm: 0.0,
                regularization: 0.0,
                alpha_du: 0.0,
                alpha_pr: 0.0,
                ls: 0,
                elapsed: Default::default(),
            },
        };
        ipm.st.evaluate_values(ipm.mu).map_err(IpmError::start)?;
        ipm.st.evaluate_derivatives().map_err(IpmError::start)?;
        let warm_y = match start {
            Some(w)
                if w.multipliers.is_some()
                    || w.lower_bound_multipliers.is_some()
                    || w.upper_bound_multipliers.is_some() =>
            {
                apply_multipliers(&mut ipm.st, w, s.warm_start_mult_bound_push)
            }
            _ => false,
        };
        if !warm_y {
            ipm.init_multipliers()?;
        }
        let t0 = ipm.st.at.theta.max(1.0);
        ipm.theta_max = 1e4 * t0;
        ipm.theta_min = 1e-4 * t0;
        ipm.filter.reset(ipm.theta_max);
        Ok(ipm)
    }

    /// Least-squares y from [I J^T; J 0] [v; y] = [-(grad f - z_L + z_U); 0]; zero when
    /// it is larger than `constr_mult_init_max` or the system is singular.
    fn init_multipliers(&mut self) -> Result<(), IpmError> {
        let (nw, m) = (self.st.nw(), self.st.m());
        if m == 0 {
            return Ok(());
        }
        self.st.kkt.set(None, &vec![1.0; nw], &self.st.jac);
        let inertia = self
            .st
            .solver
            .factor(&self.st.kkt, KktRegularization::default())
            .map_err(IpmError::Linear)?;
        if inertia.is_some_and(|i| !i.is(nw, m)) {
            return Ok(());
        }
        for i in 0..nw {
            self.st.rhs[i] = -(self.st.g[i] - self.st.zl[i] + self.st.zu[i]);
        }
        self.st.rhs[nw..].fill(0.0);
        let (rhs, mut sol) = (self.st.rhs.clone(), std::mem::take(&mut self.st.sol));
        let refined = Accuracy::Refined {
            steps: 5,
            tol: 1e-12,
        };
        let ok = self.st.solve_system(&rhs, &mut sol, refined).is_ok();
        self.st.sol = sol;
        if ok && norm_inf(&self.st.sol[nw..]) <= self.s.constr_mult_init_max {
            self.st.y.copy_from_slice(&self.st.sol[nw..]);
        }
        Ok(())
    }

    /// The main loop; `exit` is the restoration phase's extra stopping test.
    pub fn run(
        &mut self,
        observer: &mut dyn Observer<IterationInfo>,
        mut exit: Option<ExitTest<'_>>,
    ) -> Result<Output, IpmError> {
        let name = self.st.nlp.problem().info().name.clone();
        let problem_line = format!(
            "{name}: n = {}, m = {} ({} free variables, {} slacks), objective scaling {:.1e}",
            self.st.nlp.problem().info().n(),
            self.st.nlp.problem().info().m(),
            self.st.nlp.n_free(),
            self.st.nw() - self.st.nlp.n_free(),
            self.st.nlp.obj_scale
        );
        let budget = self.s.budget.clone();
        let mut run = Run::start(
            &budget,
            observer,
            Start {
                solver: "ipm",
                problem: &problem_line,
            },
        );
        let ending = self.iterate(&mut run, &mut exit);
        let objective = self.st.nlp.unscaled_objective(self.st.at.f);
        let elapsed = run.finish(ending.status, self.iterations, objective, &ending.message);
        Ok(self.output(ending, elapsed))
    }

    fn iterate(
        &mut self,
        run: &mut Run<'_, '_, IterationInfo>,
        exit: &mut Option<ExitTest<'_>>,
    ) -> Ending {
        loop {
            if let Some(end) = self.check_termination(exit) {
                self.record(run);
                return end;
            }
            if let Some(status) = self.record(run) {
                return Ending::new(status, Termination::Budget, budget_message(status));
            }
            if let Err(end) = self.one_iteration(run) {
                return end;
            }
        }
    }

    /// Logs the current iterate; the budget's verdict.
    fn record(&mut self, run: &mut Run<'_, '_, IterationInfo>) -> Option<Status> {
        let (du, _, _, _) = self.st.errors(self.mu);
        self.last.iteration = self.iterations;
        self.last.objective = self.st.nlp.unscaled_objective(self.st.at.f);
        self.last.inf_pr = self.st.unscaled_primal_infeasibility();
        self.last.inf_du = du;
        self.last.mu = self.mu;
        self.last.elapsed = run.elapsed();
        let info = self.last;
        run.iteration(self.iterations, &info)
    }

    /// Convergence, acceptable level, unboundedness, the restoration exit.
    fn check_termination(&mut self, exit: &mut Option<ExitTest<'_>>) -> Option<Ending> {
        if let Some(test) = exit.as_mut()
            && self.iterations > 0
            && test(&self.st.w)
        {
            return Some(Ending::new(
                Status::Converged,
                Termination::Restored,
                "restoration: the point is acceptable to the original problem",
            ));
        }
        let (du, pr, co, e0) = self.st.errors(0.0);
        let obj = self.st.nlp.unscaled_objective(self.st.at.f);
        let pr_unscaled = self.st.unscaled_primal_infeasibility();
        let inv = 1.0 / self.st.nlp.obj_scale;
        let strict = e0 <= self.s.tol
            && pr_unscaled <= self.s.constr_viol_tol
            && du * inv <= self.s.dual_inf_tol
            && co * inv <= self.s.compl_inf_tol;
        if strict {
            return Some(Ending::new(
                Status::Converged,
                Termination::Optimal,
                format!(
                    "optimal: scaled dual infeasibility {du:.2e}, primal infeasibility {pr:.2e}, \
                     complementarity {co:.2e} all <= tol {:.0e}",
                    self.s.tol
                ),
            ));
        }
        // Feasible relative to the iterate's size: at |x| ~ 1e20 the rounding of c(x)
        // alone exceeds constr_viol_tol.
        let size = norm_inf(&self.st.w);
        let feasible = pr_unscaled <= self.s.constr_viol_tol.max(1e-10 * size);
        if feasible && obj < -self.s.unbounded_objective {
            return Some(Ending::new(
                Status::Unbounded,
                Termination::Unbounded,
                format!(
                    "objective {obj:.3e} below -{:.0e} at a feasible point",
                    self.s.unbounded_objective
                ),
            ));
        }
        if size > self.s.unbounded_objective {
            // IPOPT's diverging-iterates test.
            return Some(Ending::new(
                Status::Unbounded,
                Termination::Unbounded,
                format!(
                    "the iterates diverge: max |x| = {size:.3e} > {:.0e} (objective {obj:.3e})",
                    self.s.unbounded_objective
                ),
            ));
        }
        if self.s.acceptable_iter > 0
            && e0 <= self.s.acceptable_tol
            && pr_unscaled <= 1e-2
            && co * inv <= 1e-2
        {
            self.acceptable_count += 1;
            if self.acceptable_count >= self.s.acceptable_iter {
                return Some(Ending::new(
                    Status::Acceptable,
                    Termination::Acceptable,
                    format!(
                        "acceptable level: error {e0:.2e} <= {:.0e} for {} iterations, tol {:.0e} not reached",
                        self.s.acceptable_tol, self.s.acceptable_iter, self.s.tol
                    ),
                ));
            }
        } else {
            self.acceptable_count = 0;
        }
        None
    }

    /// One iteration: barrier update, step, line search (or restoration), update.
    fn one_iteration(&mut self, run: &mut Run<'_, '_, IterationInfo>) -> Result<(), Ending> {
        self.update_barrier();
        let stop = || run.should_stop().is_some();
        match self.compute_search_direction(&stop) {
            Ok(()) => {}
            Err(IpmError::Stopped) => {
                let status = run.should_stop().unwrap_or(Status::Interrupted);
                return Err(Ending::new(
                    status,
                    Termination::Budget,
                    budget_message(status),
                ));
            }
            Err(IpmError::Inertia) | Err(IpmError::Linear(_)) => {
                return self.restore(run, "the primal-dual system could not be factorized");
            }
            Err(e) => return Err(evaluation_ending(&e)),
        }
        match self.line_search() {
            Some(step) => {
                self.accept(step.alpha, step.trials)
                    .map_err(|e| evaluation_ending(&e))?;
                self.iterations += 1;
                Ok(())
            }
            None => self.restore(run, "the line search failed"),
        }
    }

    /// Hessian (or its quasi-Newton stand-in), inertia-corrected factorization, Newton
    /// step with the barrier parameter mu, and the bound-multiplier steps.
    pub(crate) fn compute_search_direction(
        &mut self,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), IpmError> {
        let (hess_exact, shift) = match &self.lbfgs {
            None => {
                self.st
                    .nlp
                    .hessian(&self.st.w, 1.0, &self.st.y, &mut self.st.hess)
                    .map_err(IpmError::Evaluation)?;
                (true, 0.0)
            }
            Some(q) => (false, q.sigma()),
        };
        let hess = std::mem::take(&mut self.st.hess);
        let block = if hess_exact {
            HessianBlock::Exact(&hess)
        } else {
            HessianBlock::None
        };
        let r = self
            .st
            .factor_with_inertia_correction(block, shift, &mut self.reg, self.mu, stop);
        if r.is_ok() && self.mu_is_adaptive() {
            self.adaptive_mu();
        }
        let solved = r.and_then(|_| self.newton_step(&hess, hess_exact, shift, stop));
        self.st.hess = hess;
        solved
    }

    fn newton_step(
        &mut self,
        hess: &[f64],
        exact: bool,
        shift: f64,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), IpmError> {
        self.st.barrier_gradient(self.mu);
        let c = std::mem::take(&mut self.st.c);
        self.st.set_rhs(&c);
        self.st.c = c;
        let res = self.step_with_curvature(stop)?;
        if res > 1e-6 {
            let block = if exact {
                HessianBlock::Exact(hess)
            } else {
                HessianBlock::None
            };
            self.st
                .refactor_singular(block, shift, &mut self.reg, self.mu, stop)?;
            self.step_with_curvature(stop)?;
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
        Ok(())
    }

    /// The Newton step with the current factorization (through L-BFGS's low-rank update
    /// when it is on); an inexact solver's step with negative curvature is recomputed with
    /// more regularization until it has none. The relative residual.
    fn step_with_curvature(&mut self, stop: &dyn Fn() -> bool) -> Result<f64, IpmError> {
        loop {
            let r = match &self.lbfgs {
                Some(q) => q.solve_step(&mut self.st),
                None => self.st.solve_step(),
            };
            match r {
                Err(IpmError::Linear(KktError::NegativeCurvature)) => {
                    self.st.regularize_more(&mut self.reg, stop)?
                }
                other => return other,
            }
        }
    }

    /// Takes the accepted trial point and the dual steps.
    fn accept(&mut self, alpha: f64, trials: usize) -> Result<(), IpmError> {
        let st = &mut self.st;
        let alpha_z = st
            .bounds
            .max_step_dual(&st.zl, &st.dzl, &st.zu, &st.dzu, self.tau);
        self.last.step_norm = norm_inf(&st.dw);
        self.last.alpha_pr = alpha;
        self.last.alpha_du = alpha_z;
        self.last.ls = trials;
        self.last.regularization = self.reg.delta_w;
        self.last.restoration = false;
        if let Some(q) = &mut self.lbfgs {
            q.prepare_update(st);
        }
        std::mem::swap(&mut st.w, &mut st.w_t);
        std::mem::swap(&mut st.c, &mut st.c_t);
        st.at = st.trial;
        for i in 0..st.y.len() {
            st.y[i] += alpha * st.dy[i];
        }
        for i in 0..st.zl.len() {
            st.zl[i] += alpha_z * st.dzl[i];
            st.zu[i] += alpha_z * st.dzu[i];
        }
        st.bounds
            .safeguard_multipliers(&st.w, &mut st.zl, &mut st.zu, self.mu, self.s.kappa_sigma);
        st.evaluate_derivatives().map_err(IpmError::Evaluation)?;
        if let Some(q) = &mut self.lbfgs {
            q.finish_update(st);
        }
        Ok(())
    }

    fn mu_is_adaptive(&self) -> bool {
        self.s.mu_strategy == MuStrategy::Adaptive && !self.fixed_mode
    }

    /// Monotone: decrease mu while the barrier problem is solved to kappa_eps * mu.
    /// Adaptive: switch between free and fixed mode by the progress of the error.
    fn update_barrier(&mut self) {
        if self.s.mu_strategy == MuStrategy::Adaptive {
            let (_, _, _, e0) = self.st.errors(0.0);
            let reference = self
                .reference_errors
                .iter()
                .cloned()
                .fold(f64::NEG_INFINITY, f64::max);
            let progress = e0 <= 0.9999 * reference || reference.is_infinite();
            self.reference_errors.rotate_left(1);
            self.reference_errors[3] = e0;
            if self.fixed_mode {
                if progress {
                    self.fixed_mode = false;
                }
            } else if !progress {
                // Leave free mode: continue monotone from the average complementarity.
                self.fixed_mode = true;
                let (sum, count) =
                    self.st
                        .bounds
                        .complementarity_sum(&self.st.w, &self.st.zl, &self.st.zu);
                if count > 0 {
                    self.set_mu((0.8 * sum / count as f64).max(self.mu_floor()));
                }
            }
            if !self.fixed_mode {
                return; // mu comes from the probing step in compute_search_direction
            }
        }
        loop {
            let (_, _, _, e_mu) = self.st.errors(self.mu);
            let floor = self.mu_floor();
            if e_mu > self.s.kappa_eps * self.mu || self.mu <= floor {
                break;
            }
            let new = floor.max((self.s.kappa_mu * self.mu).min(self.mu.powf(self.s.theta_mu)));
            self.set_mu(new);
        }
    }

    /// IPOPT's lower bound on mu in the monotone update: the barrier problem need not be
    /// solved more accurately than the tolerances ask, min(tol, scaled compl_inf_tol)
    /// / (kappa_eps + 1).
    fn mu_floor(&self) -> f64 {
        self.s.tol.min(self.s.compl_inf_tol * self.st.nlp.obj_scale) / (self.s.kappa_eps + 1.0)
    }

    pub(crate) fn set_mu(&mut self, mu: f64) {
        self.mu = mu;
        self.tau = self.s.tau_min.max(1.0 - mu);
        self.filter.reset(self.theta_max);
        self.st.refresh_barrier(mu);
    }

    /// Mehrotra's probing: the affine-scaling step (mu = 0) with the current
    /// factorization gives mu_aff; sigma = (mu_aff / mu_avg)^3 and mu = sigma mu_avg.
    fn adaptive_mu(&mut self) {
        let (sum, count) = self
            .st
            .bounds
            .complementarity_sum(&self.st.w, &self.st.zl, &self.st.zu);
        if count == 0 {
            self.set_mu(self.s.mu_min);
            return;
        }
        let avg = sum / count as f64;
        self.st.barrier_gradient(0.0);
        let c = std::mem::take(&mut self.st.c);
        self.st.set_rhs(&c);
        self.st.c = c;
        let solved = if let Some(q) = &self.lbfgs {
            q.solve_step(&mut self.st).is_ok()
        } else {
            self.st.solve_step().is_ok()
        };
        if !solved {
            return;
        }
        let st = &mut self.st;
        st.bounds.bound_multiplier_step(
            &st.w,
            &st.zl,
            &st.zu,
            &st.dw,
            0.0,
            &mut st.dzl,
            &mut st.dzu,
        );
        let ap = st.bounds.max_step_primal(&st.w, &st.dw, 1.0);
        let ad = st
            .bounds
            .max_step_dual(&st.zl, &st.dzl, &st.zu, &st.dzu, 1.0);
        let mut aff = 0.0;
        for i in 0..st.w.len() {
            let w = st.w[i] + ap * st.dw[i];
            if st.bounds.has_l[i] {
                aff += (w - st.bounds.lower[i]) * (st.zl[i] + ad * st.dzl[i]);
            }
            if st.bounds.has_u[i] {
                aff += (st.bounds.upper[i] - w) * (st.zu[i] + ad * st.dzu[i]);
            }
        }
        let mu_aff = (aff / count as f64).max(0.0);
        let sigma = (mu_aff / avg).powi(3).min(1.0);
        let mu = (sigma * avg).max(self.s.mu_min).min(1e5);
        self.set_mu(mu);
    }

    /// Assembles the output in user units.
    fn output(&mut self, ending: Ending, elapsed: std::time::Duration) -> Output {
        let info = self.st.nlp.problem().info();
        let (n, m) = (info.n(), info.m());
        let mut x = self.st.nlp.set_x(&self.st.w).to_vec();
        // The iteration ran on bounds relaxed by bound_relax_factor: report a point inside
        // the user's bounds (IPOPT's honor_original_bounds).
        for j in 0..n {
            x[j] = x[j].max(info.lower[j]).min(info.upper[j]);
        }
        self.st.nlp.set_x_full(&x);
        let mut multipliers = vec![0.0; m];
        self.st.nlp.user_multipliers(&self.st.y, &mut multipliers);
        let inv = 1.0 / self.st.nlp.obj_scale;
        let mut zl = vec![0.0; n];
        let mut zu = vec![0.0; n];
        for (k, &j) in self.st.nlp.free().iter().enumerate() {
            zl[j] = self.st.zl[k] * inv;
            zu[j] = self.st.zu[k] * inv;
        }
        let (du, _, co, e0) = self.st.errors(0.0);
        let constraint_values = self
            .st
            .nlp
            .eval_user_constraints()
            .map(|c| c.to_vec())
            .unwrap_or_else(|_| vec![f64::NAN; m]);
        let mut violation = 0.0f64;
        for (i, &ci) in constraint_values.iter().enumerate() {
            violation = violation
                .max(info.constraint_lower[i] - ci)
                .max(ci - info.constraint_upper[i]);
        }
        for j in 0..n {
            violation = violation
                .max(info.lower[j] - x[j])
                .max(x[j] - info.upper[j]);
        }
        fixed_variable_multipliers(&mut self.st, &x, &multipliers, &mut zl, &mut zu);
        Output {
            status: ending.status,
            termination: ending.termination,
            message: ending.message,
            objective: self.st.nlp.unscaled_objective(self.st.at.f),
            x,
            multipliers,
            lower_bound_multipliers: zl,
            upper_bound_multipliers: zu,
            constraint_values,
            constraint_violation: violation,
            dual_infeasibility: du * inv,
            complementarity: co * inv,
            kkt_error: e0,
            iterations: self.iterations,
            restoration_iterations: self.restoration_iterations,
            kkt_iterations: self.st.kkt_iterations,
            kkt_fallbacks: self.st.solver.fallbacks() + self.st.inner_fallbacks,
            evaluations: self.st.nlp.evals,
            mu: self.mu,
            time: elapsed,
        }
    }

    /// The barrier directional derivative grad_phi^T dw.
    pub(crate) fn directional_derivative(&self) -> f64 {
        dot(&self.st.grad_phi, &self.st.dw)
    }

    /// Adds the current iterate's corner to the filter (before an h-type step or the
    /// restoration phase).
    pub(crate) fn augment_filter(&mut self) {
        let (theta, phi) = (self.st.at.theta, self.st.at.phi);
        self.filter
            .add((1.0 - GAMMA_THETA) * theta, phi - GAMMA_PHI * theta);
    }
}

/// Multipliers of fixed variables (removed from the iteration): the gradient of the
/// Lagrangian there, split into its positive (lower) and negative (upper) part.
fn fixed_variable_multipliers(
    st: &mut State<'_>,
    x: &[f64],
    y: &[f64],
    zl: &mut [f64],
    zu: &mut [f64],
) {
    let info = st.nlp.problem().info();
    let fixed: Vec<usize> = (0..info.n())
        .filter(|&j| info.lower[j] == info.upper[j])
        .collect();
    if fixed.is_empty() {
        return;
    }
    let problem = st.nlp.problem();
    let mut g = vec![0.0; info.n()];
    if info.has_objective && problem.gradient(x, &mut g).is_err() {
        return;
    }
    let jp = problem.jacobian_pattern();
    let mut jv = vec![0.0; jp.nnz()];
    if problem.jacobian_values(x, &mut jv).is_err() {
        return;
    }
    jp.matvec_transpose(&jv, y, &mut g, true);
    for j in fixed {
        zl[j] = g[j].max(0.0);
        zu[j] = (-g[j]).max(0.0);
    }
}

pub(crate) fn budget_message(status: Status) -> String {
    match status {
        Status::IterationLimit => "iteration limit reached".into(),
        Status::TimeLimit => "time limit reached".into(),
        Status::Interrupted => "interrupted".into(),
        other => other.to_string(),
    }
}

pub(crate) fn evaluation_ending(e: &IpmError) -> Ending {
    Ending::new(
        Status::NumericalError,
        Termination::EvaluationFailed,
        e.to_string(),
    )
}
