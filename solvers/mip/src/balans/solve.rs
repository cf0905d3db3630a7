//! The Balans driver: LP relaxation and initial solution ([`super::prepare`]), then the
//! bandit-driven destroy/repair search ([`super::worker`]) on one thread, or on several
//! threads that share the incumbent (ParBalans); the run goes through opal-core's protocol
//! (budget, observer, log).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use opal_core::{Control, NoObserver, Observer, Status};
use opal_problems::linear::LinearModel;

use super::output::{BalansError, OperatorStats, Output};
use super::prepare::{Prepared, prepare};
use super::problem::{Problem, check, proven, rel_gap};
use super::record::{Event, Iteration};
use super::reporter::{Reporter, with_reporter};
use super::settings::{AcceptanceSpec, BanditSpec, Config, OperatorSpec, Schedule, Settings};
use super::timer::HighsTimer;
use super::worker::{Incumbent, Search, Shared, WorkerResult};

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
    solve_observed(model, settings, &mut NoObserver)
}

/// [`solve`] with an observer of every iteration and event (see [`Iteration`]); the
/// observer may stop the run ([`Status::Interrupted`], best solution so far).
pub fn solve_observed(
    model: &LinearModel,
    settings: &Settings,
    observer: &mut dyn Observer<Iteration>,
) -> Result<Output, BalansError> {
    let configs = portfolio(&settings.config, settings.threads.max(1));
    solve_portfolio_observed(model, settings, &configs, observer)
}

/// ParBalans with explicit worker configurations (one thread each; one config = Balans).
pub fn solve_portfolio(
    model: &LinearModel,
    settings: &Settings,
    configs: &[Config],
) -> Result<Output, BalansError> {
    solve_portfolio_observed(model, settings, configs, &mut NoObserver)
}

/// [`solve_portfolio`] with an observer (reports of all workers reach it on the calling
/// thread).
pub fn solve_portfolio_observed(
    model: &LinearModel,
    settings: &Settings,
    configs: &[Config],
    observer: &mut dyn Observer<Iteration>,
) -> Result<Output, BalansError> {
    check(model, settings)?;
    if configs.is_empty() {
        return Err(BalansError::Invalid("no worker configuration".into()));
    }
    for c in configs {
        c.validate()?;
    }
    let solver = if configs.len() > 1 {
        "parbalans"
    } else {
        "balans"
    };
    with_reporter(
        &settings.budget,
        settings.log,
        observer,
        solver,
        model,
        |rep| run_balans(model, settings, configs, rep),
    )
}

/// The run of [`solve_portfolio_observed`].
fn run_balans(
    model: &LinearModel,
    settings: &Settings,
    configs: &[Config],
    mut rep: Reporter<'_, '_>,
) -> Result<Output, BalansError> {
    let timer = HighsTimer::new(*rep.clock());
    let mut prep = prepare(model, settings, &timer, &mut rep)?;
    let mut out = first_output(model, &mut prep, &rep);
    let (sign, bound) = (prep.sign, prep.bound);
    if let Some((status, message)) = prep.finished {
        if matches!(status, Status::Infeasible | Status::Unbounded) {
            out.best_bound = None;
        }
        let incumbent = prep.incumbent.take();
        return Ok(conclude(
            out,
            rep,
            (status, message),
            incumbent,
            bound,
            sign,
        ));
    }
    let arms = applicable_arms(&prep.problem, configs, &mut out, &mut rep);
    let Some((x0, f0)) = prep.incumbent.take() else {
        let end = if rep.stopped() {
            (
                Status::Interrupted,
                "stopped on request before a feasible solution was found",
            )
        } else {
            (
                Status::TimeLimit,
                "no feasible solution found within the time limit",
            )
        };
        return Ok(conclude(out, rep, end, None, bound, sign));
    };
    let shared = Shared {
        best: Mutex::new(Incumbent {
            f: f0,
            x: x0.clone(),
            trace: std::mem::take(&mut out.trace),
        }),
        proven: AtomicBool::new(false),
        halt: AtomicBool::new(false),
    };
    let search = Search {
        problem: &prep.problem,
        settings,
        configs,
        arms: &arms,
        timer: &timer,
        shared: &shared,
        start: (&x0, f0),
        sign,
        bound,
    };
    let results = if configs.len() == 1 {
        let working = prep.working.take();
        vec![search.run_worker(0, working, &mut |r| rep.report(r))]
    } else {
        drop(prep.working.take());
        run_parallel(&search, &mut rep)
    };
    let (optimal, max_iter_hit) = gather(results, settings, &mut out)?;
    let best = shared.best.into_inner().unwrap();
    out.trace = best.trace;
    let end = if optimal || proven(best.f, bound, settings) {
        (
            Status::Optimal,
            "optimality proven: the incumbent is within the gap tolerance of the bound",
        )
    } else if rep.stopped() || shared.halt.load(Ordering::Relaxed) {
        (Status::Interrupted, "stopped on request")
    } else if max_iter_hit && timer.remaining() > 0.05 {
        (Status::IterationLimit, "iteration limit reached")
    } else {
        (Status::TimeLimit, "time limit reached")
    };
    Ok(conclude(out, rep, end, Some((best.x, best.f)), bound, sign))
}

/// The output as the preparation leaves it: bounds, initial objective, the trace of the
/// initial solve ending at the initial solution.
fn first_output(model: &LinearModel, prep: &mut Prepared, rep: &Reporter<'_, '_>) -> Output {
    let sign = prep.sign;
    let mut trace = std::mem::take(&mut prep.initial_trace);
    if let Some((_, f)) = &prep.incumbent {
        let fs = sign * f;
        if trace
            .last()
            .is_none_or(|l| (l.1 - fs).abs() > 1e-9 * fs.abs().max(1.0))
        {
            trace.push((rep.seconds(), fs));
        }
    }
    Output {
        status: Status::TimeLimit,
        message: String::new(),
        objective: None,
        best_bound: prep.bound.is_finite().then_some(sign * prep.bound),
        gap: None,
        time_s: 0.0,
        trace,
        operators: Vec::new(),
        dropped: Vec::new(),
        solution: None,
        col_names: model.col_names.clone(),
        iterations: 0,
        lp_bound: prep.lp_bound.map(|b| sign * b),
        initial_objective: prep.incumbent.as_ref().map(|(_, f)| sign * f),
    }
}

/// The operators of each configuration that apply to the model; the others are dropped
/// (reported once each, and listed in the output).
fn applicable_arms(
    p: &Problem,
    configs: &[Config],
    out: &mut Output,
    rep: &mut Reporter<'_, '_>,
) -> Vec<Vec<OperatorSpec>> {
    let mut worker_arms = Vec::with_capacity(configs.len());
    for c in configs {
        let mut arms = Vec::new();
        for op in &c.operators {
            let Some(reason) = p.inapplicable(op) else {
                arms.push(*op);
                continue;
            };
            if !out.dropped.iter().any(|d| d.0 == op.label()) {
                out.dropped.push((op.label(), reason.to_string()));
                rep.report(&Iteration {
                    iteration: 0,
                    worker: 0,
                    time_s: rep.seconds(),
                    incumbent: out.initial_objective.unwrap_or(f64::NAN),
                    bound: out.best_bound.unwrap_or(f64::NAN),
                    event: Event::Dropped {
                        operator: *op,
                        reason,
                    },
                });
            }
        }
        worker_arms.push(arms);
    }
    worker_arms
}

/// ParBalans: one thread per worker; their reports reach the observer on this thread,
/// which raises the halt flag when it asks to stop.
fn run_parallel(
    search: &Search<'_>,
    rep: &mut Reporter<'_, '_>,
) -> Vec<Result<WorkerResult, BalansError>> {
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Iteration>();
        let mut handles = Vec::with_capacity(search.configs.len());
        for i in 0..search.configs.len() {
            let tx = tx.clone();
            let worker = std::thread::Builder::new()
                .name(format!("parbalans-{i}"))
                .spawn_scoped(scope, move || {
                    search.run_worker(i, None, &mut |r: &Iteration| {
                        // The receiver outlives the workers.
                        let _ = tx.send(*r);
                        Control::Continue
                    })
                });
            handles.push(worker);
        }
        drop(tx);
        for record in rx {
            if rep.report(&record) == Control::Stop {
                search.shared.halt.store(true, Ordering::Relaxed);
            }
        }
        handles
            .into_iter()
            .map(|h| match h {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    Err(BalansError::Invalid("a ParBalans worker panicked".into()))
                }),
                Err(e) => Err(BalansError::Invalid(format!("thread: {e}"))),
            })
            .collect()
    })
}

/// Adds the workers' counters to the output; returns whether one proved optimality and
/// whether one stopped at the iteration limit.
fn gather(
    results: Vec<Result<WorkerResult, BalansError>>,
    settings: &Settings,
    out: &mut Output,
) -> Result<(bool, bool), BalansError> {
    let mut optimal = false;
    let mut max_iter_hit = false;
    for r in results {
        let r = r?;
        optimal |= r.optimal;
        out.iterations += r.iterations;
        if r.iterations >= settings.budget.max_iterations {
            max_iter_hit = true;
        }
        for s in r.stats {
            match out.operators.iter_mut().find(|o| o.name == s.name) {
                Some(o) => OperatorStats::add(o, &s),
                None => out.operators.push(s),
            }
        }
    }
    Ok((optimal, max_iter_hit))
}

/// Completes the output with the incumbent (minimization form), status and message, and
/// tells the observer.
fn conclude(
    mut out: Output,
    rep: Reporter<'_, '_>,
    (status, message): (Status, &str),
    incumbent: Option<(Vec<f64>, f64)>,
    bound: f64,
    sign: f64,
) -> Output {
    if let Some((x, f)) = incumbent {
        out.objective = Some(sign * f);
        out.gap = Some(rel_gap(f, bound));
        out.solution = Some(x);
    }
    out.status = status;
    out.message = message.to_string();
    out.time_s = rep.seconds();
    rep.finish(status, out.iterations, out.objective, message);
    out
}
