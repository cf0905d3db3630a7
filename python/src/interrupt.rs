//! Ctrl-C during long solves: solver observers poll Python's signal handlers every
//! [`PERIOD`] (re-attaching to the interpreter only for the check) and ask the solver to
//! stop when a handler raised; the binding then re-raises that exception (KeyboardInterrupt).

use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// How often pending signals are checked.
pub const PERIOD: Duration = Duration::from_millis(100);

/// Signal polling state shared by an observer and the binding that runs the solve.
pub struct Interrupt {
    last: Instant,
    error: Option<PyErr>,
}

impl Interrupt {
    /// Starts polling now.
    pub fn new() -> Self {
        Self {
            last: Instant::now(),
            error: None,
        }
    }

    /// True when the solve should stop: a signal handler raised (at most one check per
    /// [`PERIOD`]; only the main thread runs handlers, elsewhere this never stops).
    pub fn poll(&mut self) -> bool {
        if self.error.is_some() {
            return true;
        }
        if self.last.elapsed() < PERIOD {
            return false;
        }
        self.last = Instant::now();
        if let Err(e) = Python::attach(|py| py.check_signals()) {
            self.error = Some(e);
            return true;
        }
        false
    }

    /// `Err` with the raised exception if a signal stopped the solve, else `value`.
    pub fn finish<T>(self, value: T) -> PyResult<T> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}
