//! The time limits of the HiGHS runs inside a Balans run, from the run's
//! [`Clock`](opal_core::Clock): each run gets what is left before the deadline, less a
//! margin for HiGHS's own overshoot, capped by the operator's limit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use opal_core::{Clock, Control};
use opal_problems::linear::LinearModel;

use super::settings::Settings;
use crate::highs::{Highs, HighsError, Improvement, ModelStatus};

/// Seconds kept back from every HiGHS time limit at least.
pub const MARGIN: f64 = 0.3;

/// The run's clock and the largest overshoot of a HiGHS run beyond its time limit seen so
/// far. HiGHS checks its clock (and the interrupt callbacks) between steps and on large
/// models under load overshoots by seconds (measured: 3.4 s on a 9000-binary LP file at
/// load 10 on 2 cores), so every later limit keeps that much back. HiGHS neither checks its
/// clock nor polls the interrupt callbacks while it sets up a MIP and solves its root LP,
/// so a run cannot be stopped sooner than about one LP solve: the time of the LP
/// relaxation is kept back as well. Shared by the ParBalans workers (atomics).
pub struct HighsTimer {
    clock: Clock,
    overshoot_bits: AtomicU64,
    setup_bits: AtomicU64,
}

impl HighsTimer {
    /// No overshoot or setup time seen yet.
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            overshoot_bits: AtomicU64::new(0f64.to_bits()),
            setup_bits: AtomicU64::new(0f64.to_bits()),
        }
    }

    /// The run's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Records the time of one LP solve of the model (the setup cost kept back).
    pub fn set_setup(&self, seconds: f64) {
        self.setup_bits.store(seconds.to_bits(), Ordering::Relaxed);
    }

    fn overshoot(&self) -> f64 {
        f64::from_bits(self.overshoot_bits.load(Ordering::Relaxed))
    }

    /// Usable seconds before the deadline, less the margin and the worst overshoot
    /// (infinity without a time limit).
    pub fn remaining(&self) -> f64 {
        let left = self.clock.remaining_secs();
        let setup = f64::from_bits(self.setup_bits.load(Ordering::Relaxed));
        (left - MARGIN.max(self.overshoot() + 0.1).max(setup)).max(0.0)
    }

    /// A silent single-threaded HiGHS instance holding `model`, stopped at the run's
    /// deadline and by its stop request.
    pub fn instance(
        &self,
        model: &LinearModel,
        s: &Settings,
        seed: u64,
    ) -> Result<Highs, HighsError> {
        let mut h = Highs::new()?;
        h.set_deadline(self.clock.deadline());
        h.set_interrupt(s.budget.interrupt.clone());
        h.set_verbose(s.verbose)?;
        h.set_int_option("threads", 1)?;
        h.set_random_seed(seed)?;
        h.pass_model(model)?;
        Ok(h)
    }

    /// Runs `h` with time limit `limit` and records how far it overshot.
    pub fn run(&self, h: &mut Highs, limit: f64) -> Result<ModelStatus, HighsError> {
        self.timed(h, limit, |h| h.run())
    }

    /// [`run`](Self::run), handing HiGHS's improving solutions to `on_improving`.
    pub fn run_observed(
        &self,
        h: &mut Highs,
        limit: f64,
        on_improving: &mut dyn FnMut(Improvement) -> Control,
    ) -> Result<ModelStatus, HighsError> {
        self.timed(h, limit, |h| h.run_observed(on_improving))
    }

    fn timed(
        &self,
        h: &mut Highs,
        limit: f64,
        solve: impl FnOnce(&mut Highs) -> Result<ModelStatus, HighsError>,
    ) -> Result<ModelStatus, HighsError> {
        h.set_time_limit(limit)?;
        let t0 = Instant::now();
        let st = solve(h);
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
