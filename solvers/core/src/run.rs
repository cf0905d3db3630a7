//! One run of a solver: its clock, its budget and its observer, asked at the same points by
//! every family's loop.
//!
//! ```text
//! let mut run = Run::start(&settings.budget, observer, Start { solver, problem });
//! loop {
//!     ... compute the iterate k, test convergence (break Converged) ...
//!     if let Some(status) = run.iteration(k, &record) { break status; }
//!     ... compute the step ...
//! }
//! run.finish(status, k, objective, &message);
//! ```

use std::time::Duration;

use crate::budget::{Budget, Clock};
use crate::observer::{Control, Finish, Observer, Start};
use crate::status::Status;

/// A run in progress.
pub struct Run<'b, 'o, I: ?Sized> {
    budget: &'b Budget,
    clock: Clock,
    observer: &'o mut dyn Observer<I>,
}

impl<'b, 'o, I: ?Sized> Run<'b, 'o, I> {
    /// Starts the clock and tells the observer.
    pub fn start(budget: &'b Budget, observer: &'o mut dyn Observer<I>, start: Start<'_>) -> Self {
        let clock = budget.start();
        observer.init(&start);
        Self {
            budget,
            clock,
            observer,
        }
    }

    /// The run's clock (elapsed time, deadline, time left).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The run's budget.
    pub fn budget(&self) -> &Budget {
        self.budget
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// The budget check alone (no observer), for points inside an iteration where a long
    /// computation may begin: a stop request, the deadline, or `iterations` at the limit.
    pub fn check(&self, iterations: usize) -> Option<Status> {
        self.budget.exhausted(&self.clock, iterations)
    }

    /// A stop request or the deadline, whatever the iteration count (inner loops).
    pub fn should_stop(&self) -> Option<Status> {
        self.budget.exhausted(&self.clock, 0)
    }

    /// After iterate `iterations` (the number completed so far) is complete: the observer
    /// sees `record`, then the budget is checked. `Some(status)` ends the run.
    pub fn iteration(&mut self, iterations: usize, record: &I) -> Option<Status> {
        if self.observer.iteration(record) == Control::Stop {
            return Some(Status::Interrupted);
        }
        self.check(iterations)
    }

    /// The observer itself (to forward records of a nested run, e.g. a restoration phase).
    pub fn observer(&mut self) -> &mut dyn Observer<I> {
        &mut *self.observer
    }

    /// Tells the observer how the run ended; returns the elapsed time.
    pub fn finish(
        self,
        status: Status,
        iterations: usize,
        objective: f64,
        message: &str,
    ) -> Duration {
        let elapsed = self.clock.elapsed();
        self.observer.finish(&Finish {
            status,
            iterations,
            elapsed,
            objective,
            message,
        });
        elapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Interrupt;
    use crate::observer::NoObserver;

    fn start() -> Start<'static> {
        Start {
            solver: "t",
            problem: "p",
        }
    }

    #[test]
    fn loop_stops_at_iteration_limit() {
        let budget = Budget::iterations(4);
        let mut obs = NoObserver;
        let mut run = Run::<usize>::start(&budget, &mut obs, start());
        let mut k = 0;
        let status = loop {
            if let Some(s) = run.iteration(k, &k) {
                break s;
            }
            k += 1;
        };
        assert_eq!((status, k), (Status::IterationLimit, 4));
        run.finish(status, k, f64::NAN, "");
    }

    #[test]
    fn observer_stop_and_interrupt() {
        let budget = Budget::default();
        let mut obs = |i: &usize| Control::stop_if(*i == 2);
        let mut run = Run::start(&budget, &mut obs, start());
        assert_eq!(run.iteration(1, &1), None);
        assert_eq!(run.iteration(2, &2), Some(Status::Interrupted));

        let stop = Interrupt::new();
        let budget = Budget::default().with_interrupt(stop.clone());
        let mut obs = NoObserver;
        let run = Run::<usize>::start(&budget, &mut obs, start());
        assert_eq!(run.should_stop(), None);
        stop.trigger();
        assert_eq!(run.should_stop(), Some(Status::Interrupted));
    }

    #[test]
    fn finish_reaches_the_observer() {
        struct Rec(Option<Status>);
        impl Observer<usize> for Rec {
            fn iteration(&mut self, _: &usize) -> Control {
                Control::Continue
            }
            fn finish(&mut self, f: &Finish<'_>) {
                self.0 = Some(f.status);
            }
        }
        let budget = Budget::default();
        let mut rec = Rec(None);
        let run = Run::start(&budget, &mut rec, start());
        run.finish(Status::Converged, 3, 1.0, "");
        assert_eq!(rec.0, Some(Status::Converged));
    }
}
