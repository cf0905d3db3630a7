//! What a run may spend: iterations, wall-clock time, and a stop request that another
//! thread (a signal handler, the Python bindings, a GUI) can raise.
//!
//! Every solver loop asks its [`Clock`] and [`Budget`] the same question at the same point
//! (after an iterate is complete, before the next step is computed), so "time limit" means
//! the same thing everywhere: the run stops at the first check after the deadline, with the
//! best point it has.

use std::time::{Duration, Instant};

use crate::interrupt::Interrupt;
use crate::status::Status;

/// Longest time limit kept as a limit (about 31.7 years); longer ones, and infinity, mean
/// "no limit". This keeps `Instant + Duration` far from overflow on every platform.
pub const MAX_TIME_LIMIT_S: f64 = 1e9;

/// A time limit a user typed that cannot mean anything.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BudgetError {
    /// NaN, negative or zero time limit.
    #[error("time limit must be a positive number of seconds (inf for none), got {0}")]
    TimeLimit(f64),
}

/// Converts a time limit in seconds as users give it (`inf` = none, huge values = none,
/// NaN or <= 0 refused) into the `Option<Duration>` that [`Budget`] holds.
pub fn time_limit_from_secs(seconds: f64) -> Result<Option<Duration>, BudgetError> {
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(BudgetError::TimeLimit(seconds));
    }
    if seconds > MAX_TIME_LIMIT_S {
        return Ok(None);
    }
    Ok(Some(Duration::from_secs_f64(seconds)))
}

/// Limits of one run. The family's settings own one; its `Default` sets the family's own
/// iteration limit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budget {
    /// Most iterations of the method's main loop (outer iterations of an NLP method, LNS
    /// iterations of Balans, sweeps of alternating minimization). `usize::MAX` = no limit.
    pub max_iterations: usize,
    /// Wall-clock limit, counted from [`Budget::start`] when set, else from the start of
    /// the solve. `None` = no limit. In JSON: seconds.
    #[serde(with = "opt_secs")]
    pub time_limit: Option<Duration>,
    /// Where the time limit counts from: the CLI sets the process start so that file
    /// loading counts too. `None` = when the solve starts.
    #[serde(skip)]
    pub start: Option<Instant>,
    /// A stop request shared with whoever may raise it; `None` = cannot be interrupted.
    #[serde(skip)]
    pub interrupt: Option<Interrupt>,
}

impl Default for Budget {
    /// No limit of any kind.
    fn default() -> Self {
        Self {
            max_iterations: usize::MAX,
            time_limit: None,
            start: None,
            interrupt: None,
        }
    }
}

impl Budget {
    /// At most `n` iterations, no time limit.
    pub fn iterations(n: usize) -> Self {
        Self {
            max_iterations: n,
            ..Self::default()
        }
    }

    /// Sets the iteration limit.
    pub fn with_max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = n;
        self
    }

    /// Sets the time limit (`None` = none).
    pub fn with_time_limit(mut self, limit: Option<Duration>) -> Self {
        self.time_limit = limit;
        self
    }

    /// Sets the time limit from seconds as a user typed them (see [`time_limit_from_secs`]).
    pub fn with_time_limit_secs(mut self, seconds: f64) -> Result<Self, BudgetError> {
        self.time_limit = time_limit_from_secs(seconds)?;
        Ok(self)
    }

    /// Counts time from `start` instead of from the solve's start.
    pub fn with_start(mut self, start: Instant) -> Self {
        self.start = Some(start);
        self
    }

    /// Shares a stop request.
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = Some(interrupt);
        self
    }

    /// Time limit in seconds (infinity when none), for logs and JSON.
    pub fn time_limit_secs(&self) -> f64 {
        self.time_limit.map_or(f64::INFINITY, |d| d.as_secs_f64())
    }

    /// Starts the clock of a run under this budget.
    pub fn start(&self) -> Clock {
        let start = self.start.unwrap_or_else(Instant::now);
        Clock {
            start,
            deadline: self.time_limit.and_then(|d| start.checked_add(d)),
        }
    }

    /// True once the stop request was raised.
    pub fn interrupted(&self) -> bool {
        self.interrupt.as_ref().is_some_and(Interrupt::is_triggered)
    }

    /// The status that ends the run after `iterations` completed iterations, if any:
    /// a stop request first, then the deadline, then the iteration limit.
    pub fn exhausted(&self, clock: &Clock, iterations: usize) -> Option<Status> {
        if self.interrupted() {
            Some(Status::Interrupted)
        } else if clock.expired() {
            Some(Status::TimeLimit)
        } else if iterations >= self.max_iterations {
            Some(Status::IterationLimit)
        } else {
            None
        }
    }
}

/// The wall clock of one run.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    deadline: Option<Instant>,
}

impl Clock {
    /// A clock without deadline, started now.
    pub fn unlimited() -> Self {
        Self {
            start: Instant::now(),
            deadline: None,
        }
    }

    /// When the run's time started.
    pub fn start_instant(&self) -> Instant {
        self.start
    }

    /// The deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Time left before the deadline (`None` when there is none; zero once it passed).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Seconds left (infinity when no deadline), for solvers that pass limits on as `f64`.
    pub fn remaining_secs(&self) -> f64 {
        self.remaining().map_or(f64::INFINITY, |d| d.as_secs_f64())
    }

    /// True once the deadline passed.
    pub fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Serde of `Option<Duration>` as seconds (`null` or absent = none).
mod opt_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_f64(d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        match Option::<f64>::deserialize(d)? {
            None => Ok(None),
            Some(secs) => {
                crate::budget::time_limit_from_secs(secs).map_err(serde::de::Error::custom)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_time_limits() {
        assert_eq!(time_limit_from_secs(f64::INFINITY).unwrap(), None);
        assert_eq!(time_limit_from_secs(1e300).unwrap(), None);
        assert_eq!(time_limit_from_secs(1e20).unwrap(), None);
        assert_eq!(
            time_limit_from_secs(2.5).unwrap(),
            Some(Duration::from_millis(2500))
        );
        for bad in [f64::NAN, -1.0, 0.0, f64::NEG_INFINITY] {
            let e = time_limit_from_secs(bad).unwrap_err();
            assert!(e.to_string().contains("time limit"), "{e}");
        }
    }

    #[test]
    fn exhausted_order_interrupt_time_iterations() {
        let stop = Interrupt::new();
        let b = Budget::iterations(3)
            .with_time_limit(Some(Duration::from_secs(3600)))
            .with_interrupt(stop.clone());
        let clock = b.start();
        assert_eq!(b.exhausted(&clock, 2), None);
        assert_eq!(b.exhausted(&clock, 3), Some(Status::IterationLimit));
        stop.trigger();
        assert_eq!(b.exhausted(&clock, 0), Some(Status::Interrupted));

        let past = Instant::now() - Duration::from_secs(10);
        let b = Budget::iterations(3)
            .with_time_limit(Some(Duration::from_secs(1)))
            .with_start(past);
        let clock = b.start();
        assert!(clock.expired());
        assert_eq!(clock.remaining(), Some(Duration::ZERO));
        assert_eq!(b.exhausted(&clock, 5), Some(Status::TimeLimit));
        assert!(clock.elapsed() >= Duration::from_secs(10));
    }

    #[test]
    fn huge_limit_never_overflows() {
        let b = Budget::default().with_time_limit_secs(1e300).unwrap();
        let c = b.start();
        assert!(!c.expired());
        assert_eq!(c.remaining_secs(), f64::INFINITY);
        let b = Budget::default().with_time_limit(Some(Duration::MAX));
        assert!(!b.start().expired());
    }

    #[test]
    fn json_in_seconds() {
        let b: Budget =
            serde_json::from_str(r#"{"max_iterations": 7, "time_limit": 1.5}"#).unwrap();
        assert_eq!(b.max_iterations, 7);
        assert_eq!(b.time_limit, Some(Duration::from_millis(1500)));
        let b: Budget = serde_json::from_str("{}").unwrap();
        assert_eq!(b, Budget::default());
        assert!(serde_json::from_str::<Budget>(r#"{"time_limit": -1}"#).is_err());
        assert!(serde_json::from_str::<Budget>(r#"{"max_iter": 1}"#).is_err());
    }
}
