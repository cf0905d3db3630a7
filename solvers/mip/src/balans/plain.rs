//! Plain HiGHS on the whole model: the baseline Balans is measured against, with the same
//! settings, result type and observer (HiGHS's improving solutions as records).

use opal_core::{Control, NoObserver, Observer, Status};
use opal_problems::linear::LinearModel;

use super::output::{BalansError, Output};
use super::problem::check;
use super::record::{Event, Iteration};
use super::reporter::{Reporter, with_reporter};
use super::settings::Settings;
use super::timer::HighsTimer;
use crate::highs::{Improvement, ModelStatus};

/// Plain HiGHS on the whole model with HiGHS's default settings (one thread, the settings'
/// seed as its random seed, the budget's time limit and stop request).
pub fn solve_plain_highs(model: &LinearModel, settings: &Settings) -> Result<Output, BalansError> {
    solve_plain_highs_observed(model, settings, &mut NoObserver)
}

/// The status and message of HiGHS's model status after a whole-model solve.
fn ending(st: ModelStatus, stopped: bool) -> (Status, &'static str) {
    match st {
        ModelStatus::Optimal => (Status::Optimal, "HiGHS proved optimality"),
        ModelStatus::Infeasible => (Status::Infeasible, "HiGHS proved the model infeasible"),
        ModelStatus::Unbounded => (Status::Unbounded, "HiGHS found the model unbounded"),
        ModelStatus::UnboundedOrInfeasible => (
            Status::Unbounded,
            "HiGHS found the model unbounded or infeasible (presolve could not tell which)",
        ),
        ModelStatus::Error => (Status::NumericalError, "HiGHS ended with an error status"),
        _ if stopped => (Status::Interrupted, "stopped on request"),
        _ => (Status::TimeLimit, "time limit reached"),
    }
}

/// [`solve_plain_highs`] with an observer of HiGHS's improving solutions.
pub fn solve_plain_highs_observed(
    model: &LinearModel,
    settings: &Settings,
    observer: &mut dyn Observer<Iteration>,
) -> Result<Output, BalansError> {
    check(model, settings)?;
    with_reporter(
        &settings.budget,
        settings.log,
        observer,
        "highs",
        model,
        |rep| run_plain(model, settings, rep),
    )
}

/// The run of [`solve_plain_highs_observed`].
fn run_plain(
    model: &LinearModel,
    settings: &Settings,
    mut rep: Reporter<'_, '_>,
) -> Result<Output, BalansError> {
    let timer = HighsTimer::new(*rep.clock());
    let mut h = timer.instance(model, settings, settings.seed)?;
    if let Some(x) = &settings.initial_solution {
        h.set_solution(x)?;
    }
    // The model keeps its own sense here: HiGHS's objective values are the model's.
    let mut trace = Vec::new();
    let mut on_improving = |found: Improvement| -> Control {
        let record = Iteration {
            iteration: 0,
            worker: 0,
            time_s: rep.seconds(),
            incumbent: found.objective,
            bound: found.dual_bound,
            event: Event::HighsSolution,
        };
        trace.push((record.time_s, found.objective));
        rep.report(&record)
    };
    let limit = timer.clock().remaining_secs();
    let st = timer.run_observed(&mut h, limit, &mut on_improving)?;
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
    let (status, message) = ending(st, rep.stopped());
    let time_s = rep.seconds();
    let out = Output {
        status,
        message: message.to_string(),
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
    };
    rep.finish(status, 0, objective, message);
    Ok(out)
}
