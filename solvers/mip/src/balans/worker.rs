//! The destroy/repair search of one worker (the whole search for Balans, one thread of
//! ParBalans): the bandit picks an operator, HiGHS repairs its neighbourhood as a sub-MIP
//! warm-started at the current solution, the acceptance rule keeps or drops the result;
//! workers share the incumbent. The solutions, the plan and the buffers of the candidate
//! checks are sized once per worker.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use opal_core::Control;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::acceptance::{Acceptance, less};
use super::bandit::Bandit;
use super::operators::{self, LimitKind, Plan};
use super::output::{BalansError, OperatorStats};
use super::problem::{Problem, proven};
use super::record::{Event, Iteration, Outcome, Step};
use super::settings::{Config, OperatorSpec, Settings};
use super::timer::HighsTimer;
use crate::highs::{Highs, HighsError, ModelStatus};

/// The best solution all workers know (minimization form) and its history.
pub struct Incumbent {
    /// Objective.
    pub f: f64,
    /// Column values.
    pub x: Vec<f64>,
    /// (seconds, objective in the model's sense) at each improvement.
    pub trace: Vec<(f64, f64)>,
}

/// What the workers share.
pub struct Shared {
    /// The incumbent.
    pub best: Mutex<Incumbent>,
    /// Optimality is proven: every worker stops.
    pub proven: AtomicBool,
    /// The observer asked to stop (ParBalans: set by the reporting thread).
    pub halt: AtomicBool,
}

/// What a worker returns: its counters, iterations and whether it proved optimality.
pub struct WorkerResult {
    /// Per-operator counters.
    pub stats: Vec<OperatorStats>,
    /// Destroy/repair iterations.
    pub iterations: usize,
    /// The incumbent is proven optimal.
    pub optimal: bool,
}

/// What every worker of one run reads.
pub struct Search<'a> {
    /// The model (minimization form) with its LP point.
    pub problem: &'a Problem,
    /// The run's settings.
    pub settings: &'a Settings,
    /// One configuration per worker.
    pub configs: &'a [Config],
    /// The applicable operators of each worker.
    pub arms: &'a [Vec<OperatorSpec>],
    /// The HiGHS time limits.
    pub timer: &'a HighsTimer,
    /// The shared incumbent.
    pub shared: &'a Shared,
    /// The initial solution and its objective.
    pub start: (&'a [f64], f64),
    /// Maps objectives back to the model's sense.
    pub sign: f64,
    /// The proven bound (minimization form).
    pub bound: f64,
}

impl Search<'_> {
    /// Runs worker `i` (on HiGHS instance `h`, or a new one) until a limit, a stop or
    /// proven optimality; reports each iteration through `report`.
    pub fn run_worker(
        &self,
        i: usize,
        h: Option<Highs>,
        report: &mut dyn FnMut(&Iteration) -> Control,
    ) -> Result<WorkerResult, BalansError> {
        let s = self.settings;
        let seed = s.seed.wrapping_add(i as u64);
        let h = match h {
            Some(h) => h,
            None => {
                let mut h = self.timer.instance(&self.problem.model, s, seed)?;
                h.set_mip_rel_gap(1e-4)?;
                h
            }
        };
        if self.arms[i].is_empty() {
            return Ok(self.whole_model(h)?);
        }
        let mut w = Worker::new(self, i, h, seed);
        let mut optimal = false;
        while !self.should_stop() && w.iterations < s.budget.max_iterations {
            w.sync(self.shared);
            let arm = w.bandit.select(&mut w.rng);
            let step = w.step(arm, self.timer)?;
            if step.outcome == Outcome::NewBest && self.publish(&w) {
                optimal = true;
                self.shared.proven.store(true, Ordering::Relaxed);
            }
            let record = Iteration {
                iteration: w.iterations,
                worker: i,
                time_s: self.timer.clock().elapsed().as_secs_f64(),
                incumbent: self.sign * w.best_f,
                bound: self.sign * self.bound,
                event: Event::Step(step),
            };
            if report(&record) == Control::Stop {
                self.shared.halt.store(true, Ordering::Relaxed);
            }
            if optimal {
                break;
            }
        }
        Ok(WorkerResult {
            stats: w.stats,
            iterations: w.iterations,
            optimal,
        })
    }

    /// Another worker proved optimality, the observer or the stop request asked to stop, or
    /// the time is (nearly) out.
    fn should_stop(&self) -> bool {
        self.shared.proven.load(Ordering::Relaxed)
            || self.shared.halt.load(Ordering::Relaxed)
            || self.timer.remaining() < 0.05
            || self.settings.budget.interrupted()
    }

    /// Offers the worker's new best to the others; returns whether the shared incumbent is
    /// now proven optimal.
    fn publish(&self, w: &Worker<'_>) -> bool {
        let mut b = self.shared.best.lock().unwrap();
        if less(w.best_f, b.f) {
            b.f = w.best_f;
            b.x.copy_from_slice(&w.best);
            let t = self.timer.clock().elapsed().as_secs_f64();
            b.trace.push((t, self.sign * w.best_f));
        }
        proven(b.f, self.bound, self.settings)
    }

    /// Nothing to destroy: plain HiGHS on the whole model for the remaining time.
    fn whole_model(&self, mut h: Highs) -> Result<WorkerResult, HighsError> {
        let p = self.problem;
        h.set_solution(self.start.0)?;
        let st = self.timer.run(&mut h, self.timer.remaining())?;
        if h.has_solution() {
            let x = p.polish(h.solution());
            let f = p.objective(&x);
            let mut b = self.shared.best.lock().unwrap();
            if less(f, b.f) {
                b.f = f;
                b.x = x;
                let t = self.timer.clock().elapsed().as_secs_f64();
                b.trace.push((t, self.sign * f));
            }
        }
        Ok(WorkerResult {
            stats: Vec::new(),
            iterations: 0,
            optimal: st == ModelStatus::Optimal,
        })
    }
}

/// One worker's search state; every buffer is sized when the worker starts.
struct Worker<'a> {
    h: Highs,
    p: &'a Problem,
    cfg: &'a Config,
    arms: &'a [OperatorSpec],
    bandit: Bandit,
    acceptance: Acceptance,
    rng: StdRng,
    rewards: [f64; 4],
    stats: Vec<OperatorStats>,
    /// The current solution and its objective.
    cur: Vec<f64>,
    cur_f: f64,
    /// The worker's best solution and its objective.
    best: Vec<f64>,
    best_f: f64,
    /// The current solution a step starts from.
    x: Vec<f64>,
    /// The sub-MIP's solution.
    cand: Vec<f64>,
    /// Buffers of the candidate's check (a copy, row activities).
    saved: Vec<f64>,
    act: Vec<f64>,
    plan: Plan,
    iterations: usize,
}

impl<'a> Worker<'a> {
    fn new(search: &Search<'a>, i: usize, h: Highs, seed: u64) -> Self {
        let cfg = &search.configs[i];
        let arms = &search.arms[i][..];
        let (x0, f0) = search.start;
        let n = search.problem.n();
        Worker {
            h,
            p: search.problem,
            cfg,
            bandit: Bandit::new(cfg.bandit, arms.len()),
            acceptance: Acceptance::new(cfg.acceptance),
            rng: StdRng::seed_from_u64(seed),
            rewards: cfg.effective_rewards(),
            stats: arms.iter().map(|a| OperatorStats::new(a.label())).collect(),
            arms,
            cur: x0.to_vec(),
            cur_f: f0,
            best: x0.to_vec(),
            best_f: f0,
            x: x0.to_vec(),
            cand: Vec::with_capacity(n + 1),
            saved: Vec::with_capacity(n),
            act: Vec::with_capacity(search.problem.model.num_rows()),
            plan: Plan::new(),
            iterations: 0,
        }
    }

    /// Takes the shared incumbent when another worker found better.
    fn sync(&mut self, shared: &Shared) {
        let b = shared.best.lock().unwrap();
        if less(b.f, self.best_f) {
            self.best.copy_from_slice(&b.x);
            self.best_f = b.f;
            self.cur.copy_from_slice(&b.x);
            self.cur_f = b.f;
        }
    }

    /// Solves the plan's sub-MIP within `limit` seconds; returns its status and whether
    /// it left a solution (in `cand`).
    fn repair(
        &mut self,
        limit: f64,
        timer: &HighsTimer,
    ) -> Result<(ModelStatus, bool), HighsError> {
        operators::apply(&mut self.h, self.p, &self.plan)?;
        let run = timer.run(&mut self.h, limit);
        let found = run.is_ok() && self.h.has_solution();
        if found {
            self.h.solution_into(&mut self.cand);
            self.cand.truncate(self.p.n());
        }
        operators::restore(&mut self.h, self.p, &self.plan)?;
        Ok((run?, found))
    }

    fn limit_of(&self, kind: LimitKind) -> f64 {
        match kind {
            LimitKind::SubMip => self.cfg.sub_mip_time_limit,
            LimitKind::LocalBranching => self.cfg.local_branching_time_limit,
            LimitKind::Crossover => self.cfg.crossover_time_limit,
        }
    }

    /// One iteration with arm `arm`.
    fn step(&mut self, arm: usize, timer: &HighsTimer) -> Result<Step, HighsError> {
        let t0 = Instant::now();
        let op = self.arms[arm];
        self.x.copy_from_slice(&self.cur);
        self.plan
            .build(&op, self.p, &self.x, self.cfg, &mut self.rng);
        let mut limit = self.limit_of(self.plan.limit).min(timer.remaining());
        let (mut status, mut found) = self.repair(limit, timer)?;
        if matches!(op, OperatorSpec::Crossover) {
            if found {
                // Second phase: free where the random point differs from the current one.
                found = false;
                self.plan
                    .build_crossover(self.p, &self.x, &self.cand, self.cfg);
                limit = self.cfg.sub_mip_time_limit.min(timer.remaining());
                if limit > 0.01 {
                    (status, found) = self.repair(limit, timer)?;
                }
            } else {
                status = ModelStatus::Unknown;
            }
        }
        let outcome = self.judge(arm, status, found);
        self.bandit
            .update(arm, self.rewards[outcome.reward_index()]);
        let seconds = t0.elapsed().as_secs_f64();
        self.stats[arm].time_s += seconds;
        self.iterations += 1;
        Ok(Step {
            operator: op,
            size: self.plan.size,
            sub_mip: status,
            outcome,
            limit_s: limit,
            seconds,
        })
    }

    /// Counts the sub-MIP's result and decides on its candidate: re-scored with the true
    /// objective; a point violating the original model (beyond HiGHS's tolerances) is not
    /// a solution. The acceptance rule sees every candidate, so that its temperature,
    /// threshold or history advances once per iteration; a new best is always taken.
    fn judge(&mut self, arm: usize, status: ModelStatus, found: bool) -> Outcome {
        let st = &mut self.stats[arm];
        st.calls += 1;
        if status == ModelStatus::Infeasible {
            st.infeasible += 1;
        }
        let f = found
            .then(|| {
                self.p
                    .polish_in_place(&mut self.cand, &mut self.saved, &mut self.act);
                let viol = self.p.model.max_violation_with(&self.cand, &mut self.act);
                (viol <= 1e-5).then(|| self.p.objective(&self.cand))
            })
            .flatten();
        let Some(f) = f else {
            st.no_solution += 1;
            return Outcome::Rejected;
        };
        let accepted = self
            .acceptance
            .accept(f, self.cur_f, self.best_f, &mut self.rng);
        let outcome = if less(f, self.best_f) {
            Outcome::NewBest
        } else if less(f, self.cur_f) {
            Outcome::Better
        } else if accepted {
            Outcome::Accepted
        } else {
            Outcome::Rejected
        };
        match outcome {
            Outcome::NewBest => {
                st.improvements += 1;
                self.best.copy_from_slice(&self.cand);
                self.best_f = f;
            }
            Outcome::Better => st.better += 1,
            Outcome::Accepted => st.accepted += 1,
            Outcome::Rejected => {}
        }
        if outcome != Outcome::Rejected {
            self.cur.copy_from_slice(&self.cand);
            self.cur_f = f;
        }
        outcome
    }
}
