//! Acceptance rules for candidate solutions of the destroy/repair loop (minimization).
//! A new global best is always taken by the caller; objectives compare with a relative
//! tolerance of 1e-9, never as raw floats.

use rand::RngExt;
use rand::rngs::StdRng;

use super::settings::{AcceptanceSpec, Schedule};

/// `a < b` beyond a 1e-9 relative tolerance.
pub fn less(a: f64, b: f64) -> bool {
    a < b - 1e-9 * b.abs().max(1.0)
}

/// `a <= b` within a 1e-9 relative tolerance.
pub fn less_eq(a: f64, b: f64) -> bool {
    !less(b, a)
}

/// An acceptance rule with its state (temperature, threshold, history).
#[derive(Debug, Clone)]
pub struct Acceptance {
    spec: AcceptanceSpec,
    level: f64,
    history: Vec<f64>,
    iteration: usize,
}

impl Acceptance {
    /// The rule at its initial state.
    pub fn new(spec: AcceptanceSpec) -> Self {
        let level = match spec {
            AcceptanceSpec::SimulatedAnnealing { start, .. }
            | AcceptanceSpec::RecordToRecord { start, .. } => start,
            _ => 0.0,
        };
        Self {
            spec,
            level,
            history: Vec::new(),
            iteration: 0,
        }
    }

    /// Current temperature (annealing) or relative threshold (record-to-record).
    pub fn level(&self) -> f64 {
        self.level
    }

    fn step(&mut self, end: f64, step: f64, schedule: Schedule) {
        self.level = match schedule {
            Schedule::Linear => (self.level - step).max(end),
            Schedule::Exponential => (self.level * step).max(end),
        };
    }

    /// Whether `candidate` replaces `current` (best is the best objective so far); advances
    /// the rule's state by one iteration.
    pub fn accept(&mut self, candidate: f64, current: f64, best: f64, rng: &mut StdRng) -> bool {
        self.iteration += 1;
        match self.spec {
            AcceptanceSpec::HillClimbing => less_eq(candidate, current),
            AcceptanceSpec::SimulatedAnnealing {
                end,
                step,
                schedule,
                ..
            } => {
                let ok = less_eq(candidate, current)
                    || rng.random::<f64>() < (-(candidate - current) / self.level).exp();
                self.step(end, step, schedule);
                ok
            }
            AcceptanceSpec::RecordToRecord {
                end,
                step,
                schedule,
                ..
            } => {
                let ok = less_eq(candidate - best, self.level * best.abs().max(1e-9));
                self.step(end, step, schedule);
                ok
            }
            AcceptanceSpec::LateAcceptance { length } => {
                if self.history.is_empty() {
                    self.history = vec![current; length];
                }
                let k = self.iteration % length;
                let ok = less_eq(candidate, current) || less_eq(candidate, self.history[k]);
                self.history[k] = if ok { candidate } else { current };
                ok
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn tolerant_comparison() {
        assert!(less_eq(1.0 + 1e-12, 1.0));
        assert!(!less(1.0 - 1e-12, 1.0));
        assert!(less(0.999, 1.0));
        assert!(less_eq(1e6, 1e6 + 1e-4));
    }

    #[test]
    fn hill_climbing_takes_only_improvements() {
        let mut rng = StdRng::seed_from_u64(0);
        let mut a = Acceptance::new(AcceptanceSpec::HillClimbing);
        assert!(a.accept(9.0, 10.0, 9.0, &mut rng));
        assert!(a.accept(10.0, 10.0, 9.0, &mut rng));
        assert!(!a.accept(10.5, 10.0, 9.0, &mut rng));
    }

    #[test]
    fn annealing_cools_and_accepts_less_often() {
        let spec = AcceptanceSpec::SimulatedAnnealing {
            start: 20.0,
            end: 1.0,
            step: 0.1,
            schedule: Schedule::Linear,
        };
        let mut a = Acceptance::new(spec);
        let mut rng = StdRng::seed_from_u64(5);
        // Worse by 10: exp(-10/20) = 0.61 early, exp(-10/1) = 4.5e-5 once cold.
        let early = (0..100)
            .filter(|_| a.accept(20.0, 10.0, 10.0, &mut rng))
            .count();
        for _ in 0..200 {
            a.accept(0.0, 0.0, 0.0, &mut rng);
        }
        assert!((a.level() - 1.0).abs() < 1e-12);
        let late = (0..100)
            .filter(|_| a.accept(20.0, 10.0, 10.0, &mut rng))
            .count();
        assert!(early > 40 && late < 3, "{early} {late}");
        let mut e = Acceptance::new(AcceptanceSpec::SimulatedAnnealing {
            start: 20.0,
            end: 1.0,
            step: 0.5,
            schedule: Schedule::Exponential,
        });
        e.accept(0.0, 0.0, 0.0, &mut rng);
        assert_eq!(e.level(), 10.0);
    }

    #[test]
    fn record_to_record_threshold() {
        let mut a = Acceptance::new(AcceptanceSpec::RecordToRecord {
            start: 0.1,
            end: 0.0,
            step: 0.05,
            schedule: Schedule::Linear,
        });
        let mut rng = StdRng::seed_from_u64(0);
        // Within 10% of the best (100): accepted even though worse than current.
        assert!(a.accept(109.0, 100.0, 100.0, &mut rng));
        // Threshold now 5%: 109 is out.
        assert!(!a.accept(109.0, 100.0, 100.0, &mut rng));
        assert!(a.accept(100.0, 100.0, 100.0, &mut rng));
    }

    #[test]
    fn late_acceptance_compares_with_history() {
        let mut a = Acceptance::new(AcceptanceSpec::LateAcceptance { length: 3 });
        let mut rng = StdRng::seed_from_u64(0);
        // History starts at the current value 10: a worse 10.5 is refused.
        assert!(!a.accept(10.5, 10.0, 10.0, &mut rng));
        assert!(a.accept(8.0, 10.0, 8.0, &mut rng));
        // History holds [10 (slot 0), 10 (slot 1 refused -> current), 8]; iteration 3 looks
        // at slot 0 = 10: a 9.5 (worse than current 8) is accepted.
        assert!(a.accept(9.5, 8.0, 8.0, &mut rng));
        assert!(!a.accept(12.0, 9.5, 8.0, &mut rng));
    }
}
