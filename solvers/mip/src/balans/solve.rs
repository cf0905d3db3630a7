//! The Balans driver: LP relaxation, initial solution, then the bandit-driven
//! destroy/repair loop over HiGHS; ParBalans runs several configurations on threads that
//! share the incumbent. Also the plain-HiGHS baseline with the same result type.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::acceptance::{Acceptance, less};
use super::bandit::Bandit;
use super::operators::{self, LimitKind, Plan, Problem};
use super::settings::{AcceptanceSpec, BanditSpec, Config, OperatorSpec, Schedule, Settings};
use crate::highs::{Highs, HighsError, ModelStatus};
use opal_problems::linear::{LinearModel, Sense};

/// How the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Optimality proven (incumbent within the gap tolerance of the dual bound).
    Optimal,
    /// Time limit reached; the incumbent (if any) is the best found.
    TimeLimit,
    /// Iteration limit reached.
    IterationLimit,
    /// The model has no feasible point.
    Infeasible,
    /// The objective is unbounded.
    Unbounded,
    /// HiGHS failed in a way that left no answer.
    Error,
    /// Stopped by [`Settings::interrupt`]; the incumbent (if any) is the best found.
    Interrupted,
}

impl Status {
    /// Lower-case name (the CLI's JSON value).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Optimal => "optimal",
            Self::TimeLimit => "time_limit",
            Self::IterationLimit => "iteration_limit",
            Self::Infeasible => "infeasible",
            Self::Unbounded => "unbounded",
            Self::Error => "error",
            Self::Interrupted => "interrupted",
        }
    }
}

/// Counters of one operator (arm).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorStats {
    /// Label, e.g. `rins(0.4)`.
    pub name: String,
    /// Times chosen.
    pub calls: usize,
    /// New global bests found.
    pub improvements: usize,
    /// Better than the current solution (not a new best).
    pub better: usize,
    /// Accepted by the acceptance rule without improving.
    pub accepted: usize,
    /// Sub-MIPs that returned no solution.
    pub no_solution: usize,
    /// Sub-MIPs proven infeasible.
    pub infeasible: usize,
    /// Wall-clock seconds spent.
    pub time_s: f64,
}

impl OperatorStats {
    fn new(name: String) -> Self {
        Self {
            name,
            calls: 0,
            improvements: 0,
            better: 0,
            accepted: 0,
            no_solution: 0,
            infeasible: 0,
            time_s: 0.0,
        }
    }
}

/// Result of Balans, ParBalans or the plain-HiGHS baseline (objective values in the
/// file's sense).
#[derive(Debug, Clone)]
pub struct Output {
    /// Termination reason.
    pub status: Status,
    /// Best objective found.
    pub objective: Option<f64>,
    /// Best proven bound on the optimum (LP relaxation, initial MIP solve).
    pub best_bound: Option<f64>,
    /// Relative gap |objective - bound| / max(|objective|, 1e-9).
    pub gap: Option<f64>,
    /// Wall-clock seconds.
    pub time_s: f64,
    /// (seconds, objective) at each improvement.
    pub trace: Vec<(f64, f64)>,
    /// Per-operator counters.
    pub operators: Vec<OperatorStats>,
    /// Operators dropped as inapplicable, with the reason.
    pub dropped: Vec<(String, String)>,
    /// Best solution found (column values).
    pub solution: Option<Vec<f64>>,
    /// Column names of the model.
    pub col_names: Vec<String>,
    /// Destroy/repair iterations.
    pub iterations: usize,
    /// Objective of the LP relaxation.
    pub lp_bound: Option<f64>,
    /// Objective of the initial solution.
    pub initial_objective: Option<f64>,
}

/// Errors of Balans.
#[derive(Debug, thiserror::Error)]
pub enum BalansError {
    /// A HiGHS call failed.
    #[error(transparent)]
    Highs(#[from] HighsError),
    /// The configuration is out of range.
    #[error("configuration: {0}")]
    Config(String),
    /// The model or settings are unusable (NaN, lengths, non-positive time limit).
    #[error("{0}")]
    Invalid(String),
}

/// Minimization form: costs and offset negated for a maximization model.
fn min_form(model: &LinearModel) -> (LinearModel, f64) {
    let mut m = model.clone();
    let sign = if model.sense == Sense::Maximize {
        -1.0
    } else {
        1.0
    };
    if sign < 0.0 {
        m.cost.iter_mut().for_each(|c| *c = -*c);
        m.offset = -m.offset;
        m.sense = Sense::Minimize;
    }
    (m, sign)
}

fn validate(model: &LinearModel, settings: &Settings) -> Result<(), BalansError> {
    settings.config.validate().map_err(BalansError::Config)?;
    if settings.time_limit.is_nan() || settings.time_limit <= 0.0 {
        return Err(BalansError::Invalid(format!(
            "time limit must be positive, got {}",
            settings.time_limit
        )));
    }
    let n = model.num_cols();
    let m = model.num_rows();
    if [
        model.col_lower.len(),
        model.col_upper.len(),
        model.integer.len(),
        model.col_names.len(),
    ]
    .iter()
    .any(|&l| l != n)
        || model.row_lower.len() != m
        || model.row_upper.len() != m
    {
        return Err(BalansError::Invalid(
            "model vectors of inconsistent lengths".into(),
        ));
    }
    let nan = model
        .cost
        .iter()
        .chain(&model.col_lower)
        .chain(&model.col_upper)
        .chain(&model.row_lower)
        .chain(&model.row_upper)
        .any(|v| v.is_nan())
        || model.offset.is_nan()
        || model.entries.iter().any(|e| e.2.is_nan());
    if nan {
        return Err(BalansError::Invalid(format!(
            "model '{}' holds NaN",
            model.name
        )));
    }
    if let Some(x) = &settings.initial_solution
        && x.len() != n
    {
        return Err(BalansError::Invalid(format!(
            "initial solution has {} values for {n} columns",
            x.len()
        )));
    }
    Ok(())
}

/// Logger of progress lines on stderr.
struct Log {
    on: bool,
    start: Instant,
    tag: String,
}

impl Log {
    fn line(&self, msg: impl FnOnce() -> String) {
        if self.on {
            eprintln!(
                "[{:8.2}s]{} {}",
                self.start.elapsed().as_secs_f64(),
                self.tag,
                msg()
            );
        }
    }
}

/// Whether every objective term is an integer multiple on an integer column (so that the
/// bound can be rounded up).
fn integral_objective(p: &Problem) -> bool {
    p.model.offset.fract() == 0.0
        && (0..p.n()).all(|j| {
            let c = p.model.cost[j];
            c == 0.0 || (p.model.integer[j] && c.fract() == 0.0)
        })
}

/// Relative gap between an incumbent and a bound (minimization).
fn rel_gap(f: f64, bound: f64) -> f64 {
    if f == bound {
        0.0
    } else {
        ((f - bound) / f.abs().max(1e-9)).max(0.0)
    }
}

fn proven(f: f64, bound: f64, s: &Settings) -> bool {
    f - bound <= s.abs_gap_tolerance || rel_gap(f, bound) <= s.gap_tolerance
}

/// True once the caller's stop request was triggered.
fn interrupted(s: &Settings) -> bool {
    s.interrupt.as_ref().is_some_and(|i| i.is_triggered())
}

fn new_highs(
    model: &LinearModel,
    s: &Settings,
    seed: u64,
    deadline: Instant,
) -> Result<Highs, HighsError> {
    let mut h = Highs::new()?;
    h.set_deadline(Some(deadline));
    h.set_interrupt(s.interrupt.clone());
    h.set_verbose(s.verbose)?;
    h.set_int_option("threads", 1)?;
    h.set_random_seed(seed)?;
    h.pass_model(model)?;
    Ok(h)
}

/// Seconds kept back from every HiGHS time limit at least.
const MARGIN: f64 = 0.3;

/// The deadline of a solve and the largest overshoot of a HiGHS run beyond its time limit
/// seen so far. HiGHS checks its clock (and the interrupt callbacks) between steps and on
/// large models under load overshoots by seconds (measured: 3.4 s on a 9000-binary LP file
/// at load 10 on 2 cores), so every later limit keeps that much back.
/// HiGHS neither checks its clock nor polls the interrupt callbacks while it sets up a MIP
/// and solves its root LP, so a run cannot be stopped sooner than about one LP solve: the
/// time of the LP relaxation is kept back as well.
struct Clock {
    deadline: Instant,
    overshoot_bits: AtomicU64,
    setup_bits: AtomicU64,
}

impl Clock {
    fn new(deadline: Instant) -> Self {
        Self {
            deadline,
            overshoot_bits: AtomicU64::new(0f64.to_bits()),
            setup_bits: AtomicU64::new(0f64.to_bits()),
        }
    }

    /// Records the time of one LP solve of the model (the setup cost kept back).
    fn set_setup(&self, seconds: f64) {
        self.setup_bits.store(seconds.to_bits(), Ordering::Relaxed);
    }

    fn overshoot(&self) -> f64 {
        f64::from_bits(self.overshoot_bits.load(Ordering::Relaxed))
    }

    /// Usable seconds before the deadline, less the margin and the worst overshoot.
    fn remaining(&self) -> f64 {
        let left = self
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        let setup = f64::from_bits(self.setup_bits.load(Ordering::Relaxed));
        (left - MARGIN.max(self.overshoot() + 0.1).max(setup)).max(0.0)
    }

    /// Runs `h` with time limit `limit` and records how far it overshot.
    fn run(&self, h: &mut Highs, limit: f64) -> Result<ModelStatus, HighsError> {
        h.set_time_limit(limit)?;
        let t0 = Instant::now();
        let st = h.run();
        let over = t0.elapsed().as_secs_f64() - limit;
        let mut cur = self.overshoot_bits.load(Ordering::Relaxed);
        while over > f64::from_bits(cur) {
            match self.overshoot_bits.compare_exchange(
                cur,
                over.to_bits(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(c) => cur = c,
            }
        }
        st
    }
}

/// The shared incumbent of ParBalans (minimization form).
struct Shared {
    best: Mutex<Incumbent>,
    stop: AtomicBool,
}

#[derive(Clone)]
struct Incumbent {
    f: f64,
    x: Vec<f64>,
    trace: Vec<(f64, f64)>,
}

/// What the preparation found.
struct Prepared {
    problem: Problem,
    sign: f64,
    lp_bound: Option<f64>,
    bound: f64,
    incumbent: Option<(Vec<f64>, f64)>,
    finished: Option<Status>,
    working: Option<Highs>,
    /// HiGHS's improving solutions during the initial solve (seconds, file-sense objective).
    initial_trace: Vec<(f64, f64)>,
}

/// LP relaxation, then the initial solution; ends early on infeasibility, unboundedness
/// or proven optimality.
fn prepare(
    model: &LinearModel,
    s: &Settings,
    clock: &Clock,
    log: &Log,
) -> Result<Prepared, BalansError> {
    let deadline = clock.deadline;
    let (min_model, sign) = min_form(model);
    // 2. LP relaxation.
    let mut relaxed = min_model.clone();
    relaxed.integer.iter_mut().for_each(|b| *b = false);
    let mut lp = new_highs(&relaxed, s, s.seed, deadline)?;
    let t_lp = Instant::now();
    let lp_status = clock.run(&mut lp, clock.remaining())?;
    clock.set_setup(t_lp.elapsed().as_secs_f64());
    let mut x_lp = Vec::new();
    let mut lp_bound = None;
    match lp_status {
        ModelStatus::Optimal => {
            x_lp = lp.solution();
            lp_bound = Some(lp.objective_value());
        }
        ModelStatus::Infeasible => {
            log.line(|| "LP relaxation infeasible: the model is infeasible".into());
            return Ok(Prepared {
                problem: Problem::new(min_model, x_lp),
                sign,
                lp_bound,
                bound: f64::INFINITY,
                incumbent: None,
                finished: Some(Status::Infeasible),
                working: None,
                initial_trace: Vec::new(),
            });
        }
        ModelStatus::Unbounded => lp_bound = Some(f64::NEG_INFINITY),
        _ => {}
    }
    drop(lp);
    log.line(|| {
        format!(
            "LP relaxation: {:?}, bound {}",
            lp_status,
            lp_bound.map_or("-".into(), |b| format!("{}", sign * b))
        )
    });
    let problem = Problem::new(min_model, x_lp);
    let integral = integral_objective(&problem);
    let round = |b: f64| {
        if integral && b.is_finite() {
            (b - 1e-6).ceil()
        } else {
            b
        }
    };
    let mut bound = round(lp_bound.unwrap_or(f64::NEG_INFINITY));
    let p = &problem;
    let mut incumbent: Option<(Vec<f64>, f64)> = None;
    let mut finished = None;
    let mut working = None;
    let mut initial_trace = Vec::new();
    // A pure LP: the relaxation is the answer.
    if p.discrete.is_empty() && lp_status == ModelStatus::Optimal {
        let mut h = new_highs(&p.model, s, s.seed, deadline)?;
        clock.run(&mut h, clock.remaining())?;
        let x = h.solution();
        let f = p.objective(&x);
        incumbent = Some((x, f));
        bound = f;
        finished = Some(Status::Optimal);
    } else {
        // 3. Initial solution.
        let mut h = new_highs(&p.model, s, s.seed, deadline)?;
        h.set_mip_rel_gap(s.gap_tolerance)?;
        h.set_double_option("mip_abs_gap", s.abs_gap_tolerance)?;
        if let Some(x0) = &s.initial_solution {
            if p.model.max_violation(x0) <= 1e-6 {
                let f = p.objective(x0);
                log.line(|| format!("warm start accepted: objective {}", sign * f));
                incumbent = Some((x0.clone(), f));
            } else {
                log.line(|| "warm start infeasible: ignored".into());
            }
        }
        if !s.initial_solve && incumbent.is_none() {
            return Err(BalansError::Invalid(
                "initial_solve off needs a feasible initial solution".into(),
            ));
        }
        let mut attempt = usize::from(!s.initial_solve);
        h.watch_improvements(log.start, sign, log.on);
        while finished.is_none() && (incumbent.is_none() || attempt == 0) {
            let left = clock.remaining();
            if left < 0.05 || interrupted(s) {
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
            if let Some((x0, _)) = &incumbent {
                h.set_solution(x0)?;
            }
            let mut status = clock.run(&mut h, limit)?;
            if status == ModelStatus::UnboundedOrInfeasible {
                // Presolve could not tell which: ask again without it.
                h.set_string_option("presolve", "off")?;
                status = clock.run(&mut h, clock.remaining())?;
                h.set_string_option("presolve", "choose")?;
            }
            log.line(|| format!("initial solve: {status:?} ({limit:.1} s limit)"));
            match status {
                ModelStatus::Infeasible => finished = Some(Status::Infeasible),
                ModelStatus::Unbounded | ModelStatus::UnboundedOrInfeasible => {
                    finished = Some(Status::Unbounded)
                }
                ModelStatus::Error => finished = Some(Status::Error),
                _ => {}
            }
            if finished.is_some() {
                break;
            }
            if h.has_solution() {
                let x = p.polish(h.solution());
                let f = p.objective(&x);
                if incumbent.as_ref().is_none_or(|(_, g)| less(f, *g)) {
                    incumbent = Some((x, f));
                }
            }
            if let Some(db) = h.mip_dual_bound()
                && db.is_finite()
            {
                bound = bound.max(round(db));
            }
            if status == ModelStatus::Optimal && incumbent.is_some() {
                // HiGHS proved optimality within the gap tolerance.
                finished = Some(Status::Optimal);
            }
            attempt += 1;
        }
        initial_trace = h
            .unwatch_improvements()
            .into_iter()
            .map(|(t, f)| (t, sign * f))
            .collect();
        h.set_feasibility_emphasis(false)?;
        h.set_solution_limit(None)?;
        h.set_mip_rel_gap(1e-4)?;
        h.set_double_option("mip_abs_gap", 1e-6)?;
        if finished.is_none()
            && let Some((_, f)) = &incumbent
            && proven(*f, bound, s)
        {
            finished = Some(Status::Optimal);
        }
        working = Some(h);
    }
    Ok(Prepared {
        problem,
        sign,
        lp_bound,
        bound,
        incumbent,
        finished,
        working,
        initial_trace,
    })
}

/// A worker's counters, iterations and whether it proved optimality.
type WorkerResult = Result<(Vec<OperatorStats>, usize, bool), BalansError>;

/// Result of one destroy/repair step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    NewBest,
    Better,
    Accepted,
    Rejected,
}

/// One Balans search (a ParBalans worker or the whole sequential run).
struct Worker<'a> {
    h: Highs,
    p: &'a Problem,
    cfg: Config,
    arms: Vec<OperatorSpec>,
    bandit: Bandit,
    acceptance: Acceptance,
    rng: StdRng,
    rewards: [f64; 4],
    stats: Vec<OperatorStats>,
    cur: (Vec<f64>, f64),
    best: (Vec<f64>, f64),
    iterations: usize,
}

impl<'a> Worker<'a> {
    /// Solves the plan's sub-MIP within `limit` seconds; returns (status, solution).
    fn repair(
        &mut self,
        plan: &Plan,
        limit: f64,
        clock: &Clock,
    ) -> Result<(ModelStatus, Option<Vec<f64>>), HighsError> {
        operators::apply(&mut self.h, self.p, plan)?;
        let run = clock.run(&mut self.h, limit);
        let sol = match &run {
            Ok(_) if self.h.has_solution() => {
                let mut x = self.h.solution();
                x.truncate(self.p.n());
                Some(x)
            }
            _ => None,
        };
        operators::restore(&mut self.h, self.p, plan)?;
        Ok((run?, sol))
    }

    fn limit_of(&self, kind: LimitKind) -> f64 {
        match kind {
            LimitKind::SubMip => self.cfg.sub_mip_time_limit,
            LimitKind::LocalBranching => self.cfg.local_branching_time_limit,
            LimitKind::Crossover => self.cfg.crossover_time_limit,
        }
    }

    /// One iteration with arm `arm`; returns the outcome.
    fn step(&mut self, arm: usize, clock: &Clock, log: &Log) -> Result<Outcome, HighsError> {
        let t0 = Instant::now();
        let op = self.arms[arm];
        let x = self.cur.0.clone();
        let mut plan = operators::build(&op, self.p, &x, &self.cfg, &mut self.rng);
        let mut status;
        let mut sol;
        {
            let limit = self.limit_of(plan.limit).min(clock.remaining());
            (status, sol) = self.repair(&plan, limit, clock)?;
        }
        if matches!(op, OperatorSpec::Crossover) {
            match sol.take() {
                Some(xr) => {
                    plan = operators::crossover_plan(self.p, &x, &xr, &self.cfg);
                    let limit = self.cfg.sub_mip_time_limit.min(clock.remaining());
                    if limit > 0.01 {
                        (status, sol) = self.repair(&plan, limit, clock)?;
                    }
                }
                None => status = ModelStatus::Unknown,
            }
        }
        let st = &mut self.stats[arm];
        st.calls += 1;
        if status == ModelStatus::Infeasible {
            st.infeasible += 1;
        }
        // Re-score with the true objective; a point violating the original model (beyond
        // HiGHS's tolerances) is not a solution.
        let cand = sol.and_then(|xs| {
            let xs = self.p.polish(xs);
            let viol = self.p.model.max_violation(&xs);
            (viol <= 1e-5).then(|| {
                let f = self.p.objective(&xs);
                (xs, f)
            })
        });
        let outcome = match cand {
            None => {
                st.no_solution += 1;
                Outcome::Rejected
            }
            Some((xs, f)) => {
                // The rule sees every candidate, so that its temperature, threshold or
                // history advances once per iteration; a new best is always taken.
                let accepted = self
                    .acceptance
                    .accept(f, self.cur.1, self.best.1, &mut self.rng);
                let o = if less(f, self.best.1) {
                    Outcome::NewBest
                } else if less(f, self.cur.1) {
                    Outcome::Better
                } else if accepted {
                    Outcome::Accepted
                } else {
                    Outcome::Rejected
                };
                match o {
                    Outcome::NewBest => {
                        st.improvements += 1;
                        self.best = (xs.clone(), f);
                        self.cur = (xs, f);
                    }
                    Outcome::Better => {
                        st.better += 1;
                        self.cur = (xs, f);
                    }
                    Outcome::Accepted => {
                        st.accepted += 1;
                        self.cur = (xs, f);
                    }
                    Outcome::Rejected => {}
                }
                o
            }
        };
        let reward = self.rewards[match outcome {
            Outcome::NewBest => 0,
            Outcome::Better => 1,
            Outcome::Accepted => 2,
            Outcome::Rejected => 3,
        }];
        self.bandit.update(arm, reward);
        let dt = t0.elapsed().as_secs_f64();
        self.stats[arm].time_s += dt;
        self.iterations += 1;
        log.line(|| {
            format!(
                "it {:4} {:<22} {:<34} {:?} {:?} ({dt:.2} s)",
                self.iterations,
                op.label(),
                plan.note,
                status,
                outcome
            )
        });
        Ok(outcome)
    }
}

/// Portfolio of ParBalans: worker 0 runs `base`, the others vary bandit and acceptance.
pub fn portfolio(base: &Config, workers: usize) -> Vec<Config> {
    let variants: [(BanditSpec, AcceptanceSpec); 5] = [
        (base.bandit, base.acceptance),
        (BanditSpec::ThompsonSampling, AcceptanceSpec::HillClimbing),
        (
            BanditSpec::EpsilonGreedy { epsilon: 0.2 },
            AcceptanceSpec::SimulatedAnnealing {
                start: 20.0,
                end: 1.0,
                step: 0.1,
                schedule: Schedule::Linear,
            },
        ),
        (
            BanditSpec::Ucb1 { alpha: 1.0 },
            AcceptanceSpec::LateAcceptance { length: 5 },
        ),
        (
            BanditSpec::Uniform,
            AcceptanceSpec::RecordToRecord {
                start: 0.02,
                end: 0.0,
                step: 0.002,
                schedule: Schedule::Linear,
            },
        ),
    ];
    (0..workers)
        .map(|i| {
            let (bandit, acceptance) = variants[i % variants.len()];
            Config {
                bandit,
                acceptance,
                rewards: if i == 0 { base.rewards } else { None },
                ..base.clone()
            }
        })
        .collect()
}

/// Runs Balans (or ParBalans when `settings.threads > 1`) on `model`.
pub fn solve(model: &LinearModel, settings: &Settings) -> Result<Output, BalansError> {
    let configs = portfolio(&settings.config, settings.threads.max(1));
    solve_portfolio(model, settings, &configs)
}

/// ParBalans with explicit worker configurations (one thread each; one config = Balans).
pub fn solve_portfolio(
    model: &LinearModel,
    settings: &Settings,
    configs: &[Config],
) -> Result<Output, BalansError> {
    let start = Instant::now();
    validate(model, settings)?;
    if configs.is_empty() {
        return Err(BalansError::Config("no worker configuration".into()));
    }
    for c in configs {
        c.validate().map_err(BalansError::Config)?;
    }
    let deadline = start + Duration::from_secs_f64(settings.time_limit);
    let log = Log {
        on: settings.log,
        start,
        tag: String::new(),
    };
    let clock = Clock::new(deadline);
    let mut prep = prepare(model, settings, &clock, &log)?;
    let sign = prep.sign;
    let mut out = Output {
        status: Status::TimeLimit,
        objective: None,
        best_bound: prep.bound.is_finite().then_some(sign * prep.bound),
        gap: None,
        time_s: 0.0,
        trace: Vec::new(),
        operators: Vec::new(),
        dropped: Vec::new(),
        solution: None,
        col_names: model.col_names.clone(),
        iterations: 0,
        lp_bound: prep.lp_bound.map(|b| sign * b),
        initial_objective: prep.incumbent.as_ref().map(|(_, f)| sign * f),
    };
    let init_t = start.elapsed().as_secs_f64();
    out.trace = std::mem::take(&mut prep.initial_trace);
    if let Some((_, f)) = &prep.incumbent {
        let fs = sign * f;
        if out
            .trace
            .last()
            .is_none_or(|l| (l.1 - fs).abs() > 1e-9 * fs.abs().max(1.0))
        {
            out.trace.push((init_t, fs));
        }
        log.line(|| format!("initial solution {fs}"));
    }
    let finish = |mut out: Output, inc: Option<(Vec<f64>, f64)>, bound: f64| {
        if let Some((x, f)) = inc {
            out.objective = Some(sign * f);
            out.gap = Some(rel_gap(f, bound));
            out.solution = Some(x);
        }
        out.time_s = start.elapsed().as_secs_f64();
        out
    };
    if let Some(st) = prep.finished {
        out.status = if st == Status::TimeLimit && interrupted(settings) {
            Status::Interrupted
        } else {
            st
        };
        if st == Status::Infeasible || st == Status::Unbounded {
            out.best_bound = None;
        }
        let bound = prep.bound;
        return Ok(finish(out, prep.incumbent.take(), bound));
    }
    let p = &prep.problem;
    // Operators that cannot apply are dropped with a log line.
    let mut worker_arms: Vec<Vec<OperatorSpec>> = Vec::new();
    for c in configs {
        let mut arms = Vec::new();
        for op in &c.operators {
            match p.inapplicable(op) {
                Some(why) => {
                    if !out.dropped.iter().any(|d| d.0 == op.label()) {
                        log.line(|| format!("dropping {}: {why}", op.label()));
                        out.dropped.push((op.label(), why.to_string()));
                    }
                }
                None => arms.push(*op),
            }
        }
        worker_arms.push(arms);
    }
    let Some((x0, f0)) = prep.incumbent.clone() else {
        // No solution by the deadline.
        out.status = Status::TimeLimit;
        return Ok(finish(out, None, prep.bound));
    };
    let shared = Shared {
        best: Mutex::new(Incumbent {
            f: f0,
            x: x0.clone(),
            trace: out.trace.clone(),
        }),
        stop: AtomicBool::new(false),
    };
    let bound = prep.bound;
    let working = prep.working.take();
    let run_worker = |i: usize, h: Option<Highs>| -> WorkerResult {
        let cfg = &configs[i];
        let arms = &worker_arms[i];
        let seed = settings.seed.wrapping_add(i as u64);
        let h = match h {
            Some(h) => h,
            None => {
                let mut h = new_highs(&p.model, settings, seed, deadline)?;
                h.set_mip_rel_gap(1e-4)?;
                h
            }
        };
        let wlog = Log {
            on: settings.log,
            start,
            tag: if configs.len() > 1 {
                format!(" w{i}")
            } else {
                String::new()
            },
        };
        if arms.is_empty() {
            // Nothing to destroy: plain HiGHS on the whole model for the remaining time.
            let mut h = h;
            h.set_solution(&x0)?;
            let st = clock.run(&mut h, clock.remaining())?;
            if h.has_solution() {
                let x = p.polish(h.solution());
                let f = p.objective(&x);
                let mut b = shared.best.lock().unwrap();
                if less(f, b.f) {
                    b.f = f;
                    b.x = x;
                    b.trace.push((start.elapsed().as_secs_f64(), sign * f));
                }
            }
            return Ok((Vec::new(), 0, st == ModelStatus::Optimal));
        }
        let mut w = Worker {
            h,
            p,
            cfg: cfg.clone(),
            bandit: Bandit::new(cfg.bandit, arms.len()),
            acceptance: Acceptance::new(cfg.acceptance),
            rng: StdRng::seed_from_u64(seed),
            rewards: cfg.effective_rewards(),
            stats: arms.iter().map(|a| OperatorStats::new(a.label())).collect(),
            arms: arms.clone(),
            cur: (x0.clone(), f0),
            best: (x0.clone(), f0),
            iterations: 0,
        };
        let mut optimal = false;
        loop {
            if shared.stop.load(Ordering::Relaxed)
                || clock.remaining() < 0.05
                || interrupted(settings)
            {
                break;
            }
            if settings.max_iterations.is_some_and(|m| w.iterations >= m) {
                break;
            }
            {
                let b = shared.best.lock().unwrap();
                if less(b.f, w.best.1) {
                    w.best = (b.x.clone(), b.f);
                    w.cur = w.best.clone();
                }
            }
            let arm = w.bandit.select(&mut w.rng);
            let outcome = w.step(arm, &clock, &wlog)?;
            if outcome == Outcome::NewBest {
                let f = w.best.1;
                let mut b = shared.best.lock().unwrap();
                if less(f, b.f) {
                    b.f = f;
                    b.x = w.best.0.clone();
                    let t = start.elapsed().as_secs_f64();
                    b.trace.push((t, sign * f));
                    wlog.line(|| {
                        format!(
                            "new best {} gap {:.4}%",
                            sign * f,
                            100.0 * rel_gap(f, bound)
                        )
                    });
                }
                if proven(b.f, bound, settings) {
                    optimal = true;
                    shared.stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
        }
        Ok((w.stats, w.iterations, optimal))
    };
    let results: Vec<WorkerResult> = if configs.len() == 1 {
        vec![run_worker(0, working)]
    } else {
        drop(working);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(configs.len())
            .build()
            .map_err(|e| BalansError::Invalid(format!("thread pool: {e}")))?;
        pool.install(|| {
            use rayon::prelude::*;
            (0..configs.len())
                .into_par_iter()
                .map(|i| run_worker(i, None))
                .collect()
        })
    };
    let mut optimal = false;
    let mut max_iter_hit = false;
    for r in results {
        let (stats, iters, opt) = r?;
        optimal |= opt;
        out.iterations += iters;
        if settings.max_iterations.is_some_and(|m| iters >= m) {
            max_iter_hit = true;
        }
        for s in stats {
            match out.operators.iter_mut().find(|o| o.name == s.name) {
                Some(o) => {
                    o.calls += s.calls;
                    o.improvements += s.improvements;
                    o.better += s.better;
                    o.accepted += s.accepted;
                    o.no_solution += s.no_solution;
                    o.infeasible += s.infeasible;
                    o.time_s += s.time_s;
                }
                None => out.operators.push(s),
            }
        }
    }
    let best = shared.best.into_inner().unwrap();
    out.trace = best.trace;
    out.status = if optimal || proven(best.f, bound, settings) {
        Status::Optimal
    } else if interrupted(settings) {
        Status::Interrupted
    } else if max_iter_hit && clock.remaining() > 0.05 {
        Status::IterationLimit
    } else {
        Status::TimeLimit
    };
    Ok(finish(out, Some((best.x, best.f)), bound))
}

/// Plain HiGHS on the whole model with HiGHS's default settings (one thread, `seed` as its
/// random seed, the settings' time limit): the baseline Balans is measured against.
pub fn solve_plain_highs(model: &LinearModel, settings: &Settings) -> Result<Output, BalansError> {
    let start = Instant::now();
    validate(model, settings)?;
    let deadline = start + Duration::from_secs_f64(settings.time_limit);
    let mut h = new_highs(model, settings, settings.seed, deadline)?;
    h.set_time_limit(settings.time_limit)?;
    if let Some(x) = &settings.initial_solution {
        h.set_solution(x)?;
    }
    // The model keeps its own sense here: HiGHS's objective values are the file's.
    h.watch_improvements(start, 1.0, settings.log);
    let st = h.run()?;
    let trace = h.unwatch_improvements();
    let has = h.has_solution();
    let objective = has.then(|| h.objective_value());
    let mip = model.integer.iter().any(|&b| b);
    let bound = if mip {
        h.mip_dual_bound().filter(|b| b.is_finite())
    } else if st == ModelStatus::Optimal {
        objective
    } else {
        None
    };
    let status = match st {
        ModelStatus::Optimal => Status::Optimal,
        ModelStatus::Infeasible => Status::Infeasible,
        ModelStatus::Unbounded | ModelStatus::UnboundedOrInfeasible => Status::Unbounded,
        ModelStatus::Error => Status::Error,
        _ if interrupted(settings) => Status::Interrupted,
        _ => Status::TimeLimit,
    };
    let time_s = start.elapsed().as_secs_f64();
    Ok(Output {
        status,
        objective,
        best_bound: bound,
        gap: if mip {
            h.mip_gap().filter(|g| g.is_finite())
        } else {
            Some(0.0)
        },
        time_s,
        trace: if trace.is_empty() {
            objective.map(|f| vec![(time_s, f)]).unwrap_or_default()
        } else {
            trace
        },
        operators: Vec::new(),
        dropped: Vec::new(),
        solution: has.then(|| h.solution()),
        col_names: model.col_names.clone(),
        iterations: 0,
        lp_bound: None,
        initial_objective: None,
    })
}
