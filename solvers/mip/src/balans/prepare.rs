//! The steps before the search: the LP relaxation (bound and LP point), then the initial
//! solution (a feasible warm start, HiGHS's initial solve, a feasibility-first retry); the
//! run ends here on infeasibility, unboundedness or proven optimality.

use std::time::Instant;

use opal_core::{Control, Status};
use opal_problems::linear::LinearModel;

use super::acceptance::less;
use super::output::BalansError;
use super::problem::{Problem, integral_objective, min_form, proven};
use super::record::{Event, Iteration};
use super::reporter::Reporter;
use super::settings::Settings;
use super::timer::HighsTimer;
use crate::highs::{Highs, HighsError, Improvement, ModelStatus};

/// How the run ended before the search, and why.
pub type Finished = (Status, &'static str);

/// What the preparation found.
pub struct Prepared {
    /// The model in minimization form with its LP point.
    pub problem: Problem,
    /// Maps minimization-form objectives back to the model's sense.
    pub sign: f64,
    /// Objective of the LP relaxation (minimization form).
    pub lp_bound: Option<f64>,
    /// Best proven bound (minimization form; rounded up for an integral objective).
    pub bound: f64,
    /// The initial solution and its objective (minimization form).
    pub incumbent: Option<(Vec<f64>, f64)>,
    /// Set when the run ends here.
    pub finished: Option<Finished>,
    /// The HiGHS instance of the initial solve, reset for sub-MIPs.
    pub working: Option<Highs>,
    /// HiGHS's improving solutions during the initial solve (seconds, objective in the
    /// model's sense).
    pub initial_trace: Vec<(f64, f64)>,
}

/// A record of the preparation (before any destroy/repair iteration).
fn record(rep: &Reporter<'_, '_>, incumbent: f64, bound: f64, event: Event) -> Iteration {
    Iteration {
        iteration: 0,
        worker: 0,
        time_s: rep.seconds(),
        incumbent,
        bound,
        event,
    }
}

/// `v` times `sign`, NaN when absent.
fn signed(v: Option<f64>, sign: f64) -> f64 {
    v.map_or(f64::NAN, |v| sign * v)
}

/// LP relaxation, then the initial solution.
pub fn prepare(
    model: &LinearModel,
    s: &Settings,
    timer: &HighsTimer,
    rep: &mut Reporter<'_, '_>,
) -> Result<Prepared, BalansError> {
    let (min_model, sign) = min_form(model);
    let (lp_status, x_lp, lp_bound) = lp_relaxation(&min_model, s, timer)?;
    rep.report(&record(
        rep,
        f64::NAN,
        signed(lp_bound, sign),
        Event::LpRelaxation { status: lp_status },
    ));
    let mut prepared = Prepared {
        problem: Problem::new(min_model, x_lp),
        sign,
        lp_bound,
        bound: f64::INFINITY,
        incumbent: None,
        finished: None,
        working: None,
        initial_trace: Vec::new(),
    };
    if lp_status == ModelStatus::Infeasible {
        prepared.finished = Some((Status::Infeasible, "the LP relaxation is infeasible"));
        return Ok(prepared);
    }
    let p = &prepared.problem;
    let mut init = Initial {
        p,
        s,
        timer,
        sign,
        integral: integral_objective(p),
        bound: f64::NEG_INFINITY,
        incumbent: None,
        finished: None,
        trace: Vec::new(),
    };
    init.bound = init.round(lp_bound.unwrap_or(f64::NEG_INFINITY));
    if p.discrete.is_empty() && lp_status == ModelStatus::Optimal {
        init.pure_lp()?;
    } else {
        prepared.working = Some(init.initial_solution(rep)?);
    }
    prepared.bound = init.bound;
    prepared.incumbent = init.incumbent;
    prepared.finished = init.finished;
    prepared.initial_trace = init.trace;
    Ok(prepared)
}

/// Solves the LP relaxation of the minimization model: status, LP point (empty unless
/// optimal) and bound (minus infinity when unbounded). Its time is kept back from later
/// HiGHS limits (see [`HighsTimer`]).
fn lp_relaxation(
    min_model: &LinearModel,
    s: &Settings,
    timer: &HighsTimer,
) -> Result<(ModelStatus, Vec<f64>, Option<f64>), BalansError> {
    let mut relaxed = min_model.clone();
    relaxed.integer.iter_mut().for_each(|b| *b = false);
    let mut lp = timer.instance(&relaxed, s, s.seed)?;
    let t_lp = Instant::now();
    let status = timer.run(&mut lp, timer.remaining())?;
    timer.set_setup(t_lp.elapsed().as_secs_f64());
    Ok(match status {
        ModelStatus::Optimal => (status, lp.solution(), Some(lp.objective_value())),
        ModelStatus::Unbounded => (status, Vec::new(), Some(f64::NEG_INFINITY)),
        _ => (status, Vec::new(), None),
    })
}

/// The state of the initial solve.
struct Initial<'a> {
    p: &'a Problem,
    s: &'a Settings,
    timer: &'a HighsTimer,
    sign: f64,
    /// The objective takes integer values only (bounds round up).
    integral: bool,
    bound: f64,
    incumbent: Option<(Vec<f64>, f64)>,
    finished: Option<Finished>,
    trace: Vec<(f64, f64)>,
}

impl Initial<'_> {
    /// A bound rounded up to the next integer when the objective is integral.
    fn round(&self, b: f64) -> f64 {
        if self.integral && b.is_finite() {
            (b - 1e-6).ceil()
        } else {
            b
        }
    }

    /// A pure LP: the relaxation is the answer.
    fn pure_lp(&mut self) -> Result<(), HighsError> {
        let mut h = self.timer.instance(&self.p.model, self.s, self.s.seed)?;
        self.timer.run(&mut h, self.timer.remaining())?;
        let x = h.solution();
        let f = self.p.objective(&x);
        self.incumbent = Some((x, f));
        self.bound = f;
        self.finished = Some((
            Status::Optimal,
            "no discrete variables: the LP relaxation is the answer",
        ));
        Ok(())
    }

    /// Takes a feasible warm start as the first incumbent.
    fn warm_start(&mut self, rep: &mut Reporter<'_, '_>) {
        let Some(x0) = &self.s.initial_solution else {
            return;
        };
        let accepted = self.p.model.max_violation(x0) <= 1e-6;
        if accepted {
            self.incumbent = Some((x0.clone(), self.p.objective(x0)));
        }
        let f = self.incumbent.as_ref().map(|i| i.1);
        rep.report(&record(
            rep,
            signed(f, self.sign),
            self.sign * self.bound,
            Event::WarmStart { accepted },
        ));
    }

    /// HiGHS on the whole model: a first attempt within `initial_time_limit`, then, while
    /// no solution is known, feasibility-first attempts until the deadline. Returns the
    /// instance, reset for the sub-MIPs.
    fn initial_solution(&mut self, rep: &mut Reporter<'_, '_>) -> Result<Highs, BalansError> {
        let s = self.s;
        let mut h = self.timer.instance(&self.p.model, s, s.seed)?;
        h.set_mip_rel_gap(s.gap_tolerance)?;
        h.set_double_option("mip_abs_gap", s.abs_gap_tolerance)?;
        self.warm_start(rep);
        if !s.initial_solve && self.incumbent.is_none() {
            return Err(BalansError::Invalid(
                "initial_solve off needs a feasible initial solution".into(),
            ));
        }
        let mut attempt = usize::from(!s.initial_solve);
        while self.finished.is_none() && (self.incumbent.is_none() || attempt == 0) {
            let left = self.timer.remaining();
            if left < 0.05 || rep.stopped() {
                break;
            }
            let limit = if attempt == 0 {
                s.config.initial_time_limit.min(left)
            } else {
                left
            };
            if attempt > 0 {
                // No solution in the first attempt: feasibility first, until the deadline.
                h.set_feasibility_emphasis(true)?;
                h.set_solution_limit(Some(1))?;
            }
            self.attempt(&mut h, limit, rep)?;
            attempt += 1;
        }
        h.set_feasibility_emphasis(false)?;
        h.set_solution_limit(None)?;
        h.set_mip_rel_gap(1e-4)?;
        h.set_double_option("mip_abs_gap", 1e-6)?;
        if self.finished.is_none()
            && let Some((_, f)) = &self.incumbent
            && proven(*f, self.bound, s)
        {
            self.finished = Some((
                Status::Optimal,
                "optimality proven by the initial solve: the incumbent is within the gap tolerance of the bound",
            ));
        }
        Ok(h)
    }

    /// One attempt of the initial solve with time limit `limit`, HiGHS's improving
    /// solutions reported as they come.
    fn attempt(
        &mut self,
        h: &mut Highs,
        limit: f64,
        rep: &mut Reporter<'_, '_>,
    ) -> Result<(), BalansError> {
        let t0 = Instant::now();
        if let Some((x0, _)) = &self.incumbent {
            h.set_solution(x0)?;
        }
        let sign = self.sign;
        let run_bound = self.bound;
        let trace = &mut self.trace;
        let mut on_improving = |found: Improvement| -> Control {
            let f = sign * found.objective;
            // HiGHS's dual bound, or the run's while HiGHS has none yet.
            let bound = if found.dual_bound.is_finite() {
                found.dual_bound
            } else {
                run_bound
            };
            let rec = record(rep, f, sign * bound, Event::HighsSolution);
            trace.push((rec.time_s, f));
            rep.report(&rec)
        };
        let mut status = self.timer.run_observed(h, limit, &mut on_improving)?;
        if status == ModelStatus::UnboundedOrInfeasible {
            // Presolve could not tell which: ask again without it.
            h.set_string_option("presolve", "off")?;
            status = self
                .timer
                .run_observed(h, self.timer.remaining(), &mut on_improving)?;
            h.set_string_option("presolve", "choose")?;
        }
        self.finished = match status {
            ModelStatus::Infeasible => {
                Some((Status::Infeasible, "HiGHS proved the model infeasible"))
            }
            ModelStatus::Unbounded | ModelStatus::UnboundedOrInfeasible => {
                Some((Status::Unbounded, "HiGHS found the model unbounded"))
            }
            ModelStatus::Error => Some((
                Status::NumericalError,
                "HiGHS ended the initial solve with an error status",
            )),
            _ => None,
        };
        if self.finished.is_none() {
            self.take_result(h, status);
        }
        let f = self.incumbent.as_ref().map(|i| i.1);
        rep.report(&record(
            rep,
            signed(f, sign),
            sign * self.bound,
            Event::InitialSolve {
                status,
                limit_s: limit,
                seconds: t0.elapsed().as_secs_f64(),
            },
        ));
        Ok(())
    }

    /// Takes HiGHS's solution when it improves the incumbent, and its dual bound.
    fn take_result(&mut self, h: &Highs, status: ModelStatus) {
        if h.has_solution() {
            let x = self.p.polish(h.solution());
            let f = self.p.objective(&x);
            if self.incumbent.as_ref().is_none_or(|(_, g)| less(f, *g)) {
                self.incumbent = Some((x, f));
            }
        }
        if let Some(db) = h.mip_dual_bound()
            && db.is_finite()
        {
            self.bound = self.bound.max(self.round(db));
        }
        if status == ModelStatus::Optimal && self.incumbent.is_some() {
            // HiGHS proved optimality within the gap tolerance.
            self.finished = Some((
                Status::Optimal,
                "HiGHS proved optimality in the initial solve",
            ));
        }
    }
}
