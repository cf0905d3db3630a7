//! The iteration record of Balans: one per destroy/repair iteration, and one per event of
//! the LP relaxation and the initial solve (HiGHS's improving solutions among them), handed
//! to the run's [`Observer`](opal_core::Observer) and printed by
//! [`LogObserver`](opal_core::LogObserver) in IPOPT-like columns.

use opal_core::{Column, Format, Record, Value};

use super::settings::OperatorSpec;
use crate::highs::ModelStatus;

/// What became of one destroy/repair iteration's candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new global best.
    NewBest,
    /// Better than the current solution, not a new best (possible only when the acceptance
    /// rule has let the current solution fall behind the best: never under hill climbing).
    Better,
    /// Taken by the acceptance rule without improving the current solution.
    Accepted,
    /// No solution, an infeasible one, or refused by the acceptance rule.
    Rejected,
}

impl Outcome {
    /// snake_case name, for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewBest => "new_best",
            Self::Better => "better",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    /// Index into the rewards `[new best, better, accepted, rejected]`.
    pub fn reward_index(self) -> usize {
        match self {
            Self::NewBest => 0,
            Self::Better => 1,
            Self::Accepted => 2,
            Self::Rejected => 3,
        }
    }
}

/// One destroy/repair iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// The operator (arm) the bandit chose.
    pub operator: OperatorSpec,
    /// Size of the neighbourhood as (chosen, out of): variables freed of a pool (mutation,
    /// RINS, RENS, DINS, crossover's repair) or the distance allowed over the binaries
    /// (local branching); `None` for proximity and the random objective.
    pub size: Option<(usize, usize)>,
    /// HiGHS's status of the (last) sub-MIP.
    pub sub_mip: ModelStatus,
    /// What became of the candidate.
    pub outcome: Outcome,
    /// HiGHS time limit of the (last) sub-MIP in seconds.
    pub limit_s: f64,
    /// Seconds the iteration took.
    pub seconds: f64,
}

/// What a record reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// The LP relaxation was solved (its objective is the record's bound when optimal).
    LpRelaxation {
        /// HiGHS's status.
        status: ModelStatus,
    },
    /// A warm start was checked against the model.
    WarmStart {
        /// Feasible, hence taken as the first incumbent.
        accepted: bool,
    },
    /// HiGHS found an improving solution (initial solve, plain HiGHS).
    HighsSolution,
    /// An attempt of the initial solve ended.
    InitialSolve {
        /// HiGHS's status.
        status: ModelStatus,
        /// Its time limit in seconds.
        limit_s: f64,
        /// Seconds it took.
        seconds: f64,
    },
    /// An operator that cannot apply to the model is left out.
    Dropped {
        /// The operator.
        operator: OperatorSpec,
        /// Why.
        reason: &'static str,
    },
    /// A destroy/repair iteration.
    Step(Step),
}

/// The record Balans (and plain HiGHS) hands to the observer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Iteration {
    /// Destroy/repair iterations the reporting worker has completed (0 before the search).
    pub iteration: usize,
    /// The ParBalans worker that reports (0 for Balans and the events before the search).
    pub worker: usize,
    /// Seconds since the run started.
    pub time_s: f64,
    /// Best objective known to the reporter, in the model's sense (NaN while none).
    pub incumbent: f64,
    /// Best proven bound known to the reporter, in the model's sense (NaN when unknown).
    pub bound: f64,
    /// What happened.
    pub event: Event,
}

impl Iteration {
    /// Relative gap |incumbent - bound| / max(|incumbent|, 1e-9) (NaN when either is
    /// unknown).
    pub fn gap(&self) -> f64 {
        if self.incumbent.is_nan() || self.bound.is_nan() {
            return f64::NAN;
        }
        if self.incumbent == self.bound {
            return 0.0;
        }
        ((self.incumbent - self.bound).abs() / self.incumbent.abs().max(1e-9)).max(0.0)
    }

    /// The event's name: `lp`, `warm_start`, `highs`, `initial`, or the operator's kind.
    pub fn name(&self) -> &'static str {
        match self.event {
            Event::LpRelaxation { .. } => "lp",
            Event::WarmStart { .. } => "warm_start",
            Event::HighsSolution => "highs",
            Event::InitialSolve { .. } => "initial",
            Event::Dropped { operator, .. } => operator.kind(),
            Event::Step(s) => s.operator.kind(),
        }
    }
}

const COLUMNS: [Column; 15] = [
    Column::new("iter", 5, Format::Int),
    Column::new("time", 8, Format::Sci(2)),
    Column::new("incumbent", 15, Format::Sci(7)),
    Column::new("bound", 15, Format::Sci(7)),
    Column::new("gap", 8, Format::Sci(2)),
    Column::new("w", 2, Format::Int),
    Column::new("event", 16, Format::Text),
    Column::new("rate", 7, Format::Sci(1)),
    Column::new("free", 6, Format::Int),
    Column::new("of", 6, Format::Int),
    Column::new("status", 14, Format::Text),
    Column::new("outcome", 9, Format::Text),
    Column::new("limit", 8, Format::Sci(1)),
    Column::new("secs", 8, Format::Sci(1)),
    Column::new("note", 4, Format::Text),
];

/// `Some(v)` as a value, `None` as an empty cell.
fn or_empty<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Empty, Into::into)
}

impl Record for Iteration {
    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    fn value(&self, i: usize) -> Value {
        let step = match self.event {
            Event::Step(s) => Some(s),
            _ => None,
        };
        let operator = match self.event {
            Event::Step(s) => Some(s.operator),
            Event::Dropped { operator, .. } => Some(operator),
            _ => None,
        };
        let (status, limit, seconds) = match self.event {
            Event::LpRelaxation { status } => (Some(status), None, None),
            Event::InitialSolve {
                status,
                limit_s,
                seconds,
            } => (Some(status), Some(limit_s), Some(seconds)),
            Event::Step(s) => (Some(s.sub_mip), Some(s.limit_s), Some(s.seconds)),
            _ => (None, None, None),
        };
        match i {
            0 => self.iteration.into(),
            1 => self.time_s.into(),
            2 => self.incumbent.into(),
            3 => self.bound.into(),
            4 => self.gap().into(),
            5 => self.worker.into(),
            6 => Value::Text(self.name()),
            7 => or_empty(operator.and_then(|o| o.rate())),
            8 => or_empty(step.and_then(|s| s.size).map(|s| s.0)),
            9 => or_empty(step.and_then(|s| s.size).map(|s| s.1)),
            10 => or_empty(status.map(|s| Value::Text(s.as_str()))),
            11 => match self.event {
                Event::Step(s) => Value::Text(s.outcome.as_str()),
                Event::WarmStart { accepted } => {
                    Value::Text(if accepted { "accepted" } else { "ignored" })
                }
                Event::HighsSolution => Value::Text("improving"),
                Event::Dropped { .. } => Value::Text("dropped"),
                _ => Value::Empty,
            },
            12 => or_empty(limit),
            13 => or_empty(seconds),
            _ => match self.event {
                Event::Dropped { reason, .. } => Value::Text(reason),
                _ => Value::Empty,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opal_core::{LogObserver, Observer};

    #[test]
    fn log_lines_show_the_step() {
        let rec = Iteration {
            iteration: 3,
            worker: 0,
            time_s: 1.5,
            incumbent: 2330.0,
            bound: 2370.0,
            event: Event::Step(Step {
                operator: OperatorSpec::Rens { rate: 0.5 },
                size: Some((3, 7)),
                sub_mip: ModelStatus::Optimal,
                outcome: Outcome::NewBest,
                limit_s: 12.0,
                seconds: 0.004,
            }),
        };
        let mut log = LogObserver::new(Vec::new());
        log.iteration(&rec);
        let text = String::from_utf8(log.into_inner()).unwrap();
        let line = text.lines().nth(1).unwrap();
        for word in [
            "rens",
            "5.0e-01",
            "3",
            "7",
            "optimal",
            "new_best",
            "2.3300000e+03",
        ] {
            assert!(line.contains(word), "{word} in {line}");
        }
        assert!((rec.gap() - 40.0 / 2330.0).abs() < 1e-15);
        let none = Iteration {
            incumbent: f64::NAN,
            event: Event::HighsSolution,
            ..rec
        };
        assert!(none.gap().is_nan());
        assert_eq!(none.value(7), Value::Empty);
        assert_eq!(none.value(11), Value::Text("improving"));
    }
}
