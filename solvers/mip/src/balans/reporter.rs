//! The run protocol as the MIP solvers use it: an [`opal_core::Run`] that remembers whether
//! its observer (or the stop request) asked to stop, so that every phase of a run (LP
//! relaxation, initial solve, search) can end on it.

use opal_core::{Budget, Clock, Control, LogObserver, Observer, Observers, Run, Start, Status};
use opal_problems::linear::LinearModel;

use super::problem::describe;
use super::record::Iteration;

/// Runs `body` with a reporter for `solver` on `model`: its observer is `observer`,
/// preceded by the iteration log on stderr when `log`.
pub fn with_reporter<R>(
    budget: &Budget,
    log: bool,
    observer: &mut dyn Observer<Iteration>,
    solver: &str,
    model: &LinearModel,
    body: impl FnOnce(Reporter<'_, '_>) -> R,
) -> R {
    let mut stderr = LogObserver::stderr();
    let mut observers = Observers::new()
        .with_opt(log.then_some(&mut stderr as &mut dyn Observer<Iteration>))
        .with(observer);
    let problem = describe(model);
    let start = Start {
        solver,
        problem: &problem,
    };
    body(Reporter::start(budget, &mut observers, start))
}

/// A run in progress with its stop flag.
pub struct Reporter<'b, 'o> {
    run: Run<'b, 'o, Iteration>,
    stopped: bool,
}

impl<'b, 'o> Reporter<'b, 'o> {
    /// Starts the clock and tells the observer.
    pub fn start(
        budget: &'b Budget,
        observer: &'o mut dyn Observer<Iteration>,
        start: Start<'_>,
    ) -> Self {
        Self {
            run: Run::start(budget, observer, start),
            stopped: false,
        }
    }

    /// The run's clock.
    pub fn clock(&self) -> &Clock {
        self.run.clock()
    }

    /// Seconds since the start.
    pub fn seconds(&self) -> f64 {
        self.run.elapsed().as_secs_f64()
    }

    /// Hands `record` to the observer; [`Control::Stop`] when it, or the stop request,
    /// asks to stop (the budget's time and iteration limits are the search's own tests).
    pub fn report(&mut self, record: &Iteration) -> Control {
        if self.run.iteration(record.iteration, record) == Some(Status::Interrupted) {
            self.stopped = true;
        }
        Control::stop_if(self.stopped)
    }

    /// Whether the observer or the stop request asked to stop.
    pub fn stopped(&self) -> bool {
        self.stopped || self.run.budget().interrupted()
    }

    /// Tells the observer how the run ended.
    pub fn finish(self, status: Status, iterations: usize, objective: Option<f64>, message: &str) {
        self.run
            .finish(status, iterations, objective.unwrap_or(f64::NAN), message);
    }
}
