//! Observers: code that watches a run (a log, a progress bar, a Python callback, a test's
//! recorder) and may stop it. A run calls [`Observer::init`] once, then
//! [`Observer::iteration`] once per completed iterate, then [`Observer::finish`] once, in
//! the manner of argmin's observers; the iteration record `I` is the family's own type.

use std::time::Duration;

use crate::status::Status;

/// An observer's answer after an iterate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop the run now; it ends with [`Status::Interrupted`] and the best point so far.
    Stop,
}

impl Control {
    /// `Stop` when `stop` is true.
    pub fn stop_if(stop: bool) -> Self {
        if stop {
            Control::Stop
        } else {
            Control::Continue
        }
    }
}

/// What an observer learns when a run starts.
#[derive(Debug, Clone, Copy)]
pub struct Start<'a> {
    /// The solver's name (`adasketch`, `balans`, `admm`, ...).
    pub solver: &'a str,
    /// One line describing the problem (name and sizes).
    pub problem: &'a str,
}

/// What an observer learns when a run ends.
#[derive(Debug, Clone, Copy)]
pub struct Finish<'a> {
    /// Why it ended.
    pub status: Status,
    /// Iterations completed.
    pub iterations: usize,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Objective at the returned point (NaN when the family has none).
    pub objective: f64,
    /// The family's detail: the precise cause, in words.
    pub message: &'a str,
}

/// Watches a run; may stop it after any iterate.
pub trait Observer<I: ?Sized> {
    /// Called once before the first iterate.
    fn init(&mut self, _start: &Start<'_>) {}
    /// Called after each completed iterate; [`Control::Stop`] ends the run.
    fn iteration(&mut self, info: &I) -> Control;
    /// Called once with the outcome.
    fn finish(&mut self, _finish: &Finish<'_>) {}
}

/// Any `FnMut(&I) -> Control` closure is an observer of iterations.
impl<I: ?Sized, F: FnMut(&I) -> Control> Observer<I> for F {
    fn iteration(&mut self, info: &I) -> Control {
        self(info)
    }
}

/// Watches nothing, never stops.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl<I: ?Sized> Observer<I> for NoObserver {
    fn iteration(&mut self, _info: &I) -> Control {
        Control::Continue
    }
}

/// Several observers as one: every one sees every event; the run stops when any says stop.
pub struct Observers<'a, I: ?Sized> {
    list: Vec<&'a mut dyn Observer<I>>,
}

impl<'a, I: ?Sized> Default for Observers<'a, I> {
    fn default() -> Self {
        Self { list: Vec::new() }
    }
}

impl<'a, I: ?Sized> Observers<'a, I> {
    /// No observer yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one.
    pub fn with(mut self, observer: &'a mut dyn Observer<I>) -> Self {
        self.list.push(observer);
        self
    }

    /// Adds one when present.
    pub fn with_opt(self, observer: Option<&'a mut dyn Observer<I>>) -> Self {
        match observer {
            Some(o) => self.with(o),
            None => self,
        }
    }
}

impl<I: ?Sized> Observer<I> for Observers<'_, I> {
    fn init(&mut self, start: &Start<'_>) {
        for o in &mut self.list {
            o.init(start);
        }
    }
    fn iteration(&mut self, info: &I) -> Control {
        let mut control = Control::Continue;
        for o in &mut self.list {
            if o.iteration(info) == Control::Stop {
                control = Control::Stop;
            }
        }
        control
    }
    fn finish(&mut self, finish: &Finish<'_>) {
        for o in &mut self.list {
            o.finish(finish);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closures_and_lists() {
        let mut seen = Vec::new();
        let mut rec = |i: &usize| {
            seen.push(*i);
            Control::Continue
        };
        let mut stop_at_2 = |i: &usize| Control::stop_if(*i == 2);
        let mut all = Observers::new().with(&mut rec).with(&mut stop_at_2);
        assert_eq!(all.iteration(&1), Control::Continue);
        assert_eq!(all.iteration(&2), Control::Stop);
        drop(all);
        assert_eq!(seen, vec![1, 2]);
        assert_eq!(
            Observer::<usize>::iteration(&mut NoObserver, &5),
            Control::Continue
        );
    }
}
