//! Balans settings (run budget, seed, threads, logging) and the search configuration
//! (operators, bandit, acceptance, sub-MIP limits), both with serde for JSON; the
//! configuration's defaults are the spec's.

use std::time::Duration;

use opal_core::{Budget, SettingError, check_range};
use serde::{Deserialize, Serialize};

/// One destroy operator with its rate (an arm of the bandit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OperatorSpec {
    /// Free a random `floor(rate |D|)` subset of the discrete variables, fix the rest.
    Mutation {
        /// Fraction freed.
        rate: f64,
    },
    /// Free `floor(rate n)` of the n discrete variables where the LP point differs from
    /// the incumbent, fix the rest.
    Rins {
        /// Fraction freed.
        rate: f64,
    },
    /// Round-bound `floor(rate |F|)` LP-fractional variables to [floor, ceil] of the LP
    /// value, fix all other discrete variables at the incumbent.
    Rens {
        /// Fraction of the fractional set kept free.
        rate: f64,
    },
    /// General integers far from the LP point are bounded by |x - x_lp| <= |x_inc - x_lp|,
    /// the rest fixed.
    Dins,
    /// Add the local-branching row (Hamming distance over binaries <= k).
    LocalBranching {
        /// k is drawn from [floor(0.05 |B|), floor(rate |B|)].
        rate: f64,
    },
    /// Minimize the Hamming distance to the incumbent subject to an objective improvement
    /// of `rate |f(x)|` (soft, penalized by M z).
    Proximity {
        /// Relative improvement delta.
        rate: f64,
    },
    /// Find a random feasible point, free the discrete variables where it differs from the
    /// incumbent, fix the rest.
    Crossover,
    /// Solve the unfixed problem with a random objective and re-score.
    RandomObjective,
}

impl OperatorSpec {
    /// Display name, e.g. `rins(0.4)`.
    pub fn label(&self) -> String {
        match *self {
            Self::Mutation { rate } => format!("mutation({rate})"),
            Self::Rins { rate } => format!("rins({rate})"),
            Self::Rens { rate } => format!("rens({rate})"),
            Self::Dins => "dins".into(),
            Self::LocalBranching { rate } => format!("local_branching({rate})"),
            Self::Proximity { rate } => format!("proximity({rate})"),
            Self::Crossover => "crossover".into(),
            Self::RandomObjective => "random_objective".into(),
        }
    }

    /// The operator's name without its rate (`rins`, `local_branching`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Mutation { .. } => "mutation",
            Self::Rins { .. } => "rins",
            Self::Rens { .. } => "rens",
            Self::Dins => "dins",
            Self::LocalBranching { .. } => "local_branching",
            Self::Proximity { .. } => "proximity",
            Self::Crossover => "crossover",
            Self::RandomObjective => "random_objective",
        }
    }

    /// The rate of the operators that have one.
    pub fn rate(&self) -> Option<f64> {
        match *self {
            Self::Mutation { rate }
            | Self::Rins { rate }
            | Self::Rens { rate }
            | Self::LocalBranching { rate }
            | Self::Proximity { rate } => Some(rate),
            _ => None,
        }
    }
}

/// The bandit policy choosing the next operator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
pub enum BanditSpec {
    /// Beta-Bernoulli Thompson sampling on binary rewards (reward > 0 is a success).
    ThompsonSampling,
    /// Best mean reward, uniform exploration with probability `epsilon`.
    EpsilonGreedy {
        /// Exploration probability.
        epsilon: f64,
    },
    /// Boltzmann exploration on mean rewards, temperature `tau`.
    Softmax {
        /// Temperature.
        tau: f64,
    },
    /// Upper confidence bound: mean + alpha sqrt(2 ln t / n_a).
    Ucb1 {
        /// Exploration weight.
        alpha: f64,
    },
    /// Uniformly random arm.
    Uniform,
}

/// Temperature / threshold schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// Subtract `step` after each iteration.
    #[default]
    Linear,
    /// Multiply by `step` after each iteration.
    Exponential,
}

/// The acceptance rule of candidate solutions (a new global best is always taken).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum AcceptanceSpec {
    /// Accept when not worse than the current solution.
    HillClimbing,
    /// Accept worse by Delta with probability exp(-Delta / T), T from `start` to `end`.
    SimulatedAnnealing {
        /// Initial temperature.
        start: f64,
        /// Final temperature.
        end: f64,
        /// Decrement (linear) or factor (exponential).
        step: f64,
        /// Schedule.
        #[serde(default)]
        schedule: Schedule,
    },
    /// Accept when within a threshold of the best, the threshold relative to |f_best| and
    /// decreasing from `start` to `end`.
    RecordToRecord {
        /// Initial relative threshold.
        start: f64,
        /// Final relative threshold.
        end: f64,
        /// Decrement (linear) or factor (exponential).
        step: f64,
        /// Schedule.
        #[serde(default)]
        schedule: Schedule,
    },
    /// Accept when not worse than the current solution `length` iterations ago.
    LateAcceptance {
        /// History length.
        length: usize,
    },
}

/// The search configuration (JSON-readable); the default is the Python version's tuned one.
/// Fields left out of a JSON file keep their defaults, unknown fields are errors:
///
/// ```json
/// { "operators": [{"kind": "rins", "rate": 0.4}, {"kind": "dins"}, {"kind": "crossover"}],
///   "bandit": {"policy": "epsilon_greedy", "epsilon": 0.1},
///   "acceptance": {"rule": "simulated_annealing", "start": 20, "end": 1, "step": 0.1},
///   "sub_mip_time_limit": 6 }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The arms. Default: crossover, mutation 0.5, rins 0.4, rens 0.4, rens 0.5,
    /// proximity 0.005, local branching 0.1 / 0.2 / 0.3 / 0.5.
    pub operators: Vec<OperatorSpec>,
    /// Default softmax(tau = 1.359686).
    pub bandit: BanditSpec,
    /// Rewards for [new best, better than current, accepted, rejected]; default [8, 4, 2, 1]
    /// ([1, 1, 0, 0] is used by Thompson sampling when this is left unset).
    pub rewards: Option<[f64; 4]>,
    /// Default hill climbing.
    pub acceptance: AcceptanceSpec,
    /// Limit of the initial-solution solve in seconds (default 10).
    pub initial_time_limit: f64,
    /// Limit of each sub-MIP in seconds (default 12).
    pub sub_mip_time_limit: f64,
    /// Limit of a local-branching sub-MIP (default 15).
    pub local_branching_time_limit: f64,
    /// Limit of crossover's random-point search (default 6).
    pub crossover_time_limit: f64,
    /// Fix continuous variables at the incumbent too (default false: they stay free).
    pub fix_continuous: bool,
    /// Proximity's penalty M on the objective slack z (default 1000).
    pub proximity_penalty: f64,
}

impl Default for Config {
    fn default() -> Self {
        use OperatorSpec::*;
        Self {
            operators: vec![
                Crossover,
                Mutation { rate: 0.5 },
                Rins { rate: 0.4 },
                Rens { rate: 0.4 },
                Rens { rate: 0.5 },
                Proximity { rate: 0.005 },
                LocalBranching { rate: 0.1 },
                LocalBranching { rate: 0.2 },
                LocalBranching { rate: 0.3 },
                LocalBranching { rate: 0.5 },
            ],
            bandit: BanditSpec::Softmax { tau: 1.359686 },
            rewards: None,
            acceptance: AcceptanceSpec::HillClimbing,
            initial_time_limit: 10.0,
            sub_mip_time_limit: 12.0,
            local_branching_time_limit: 15.0,
            crossover_time_limit: 6.0,
            fix_continuous: false,
            proximity_penalty: 1000.0,
        }
    }
}

/// A JSON configuration that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not valid JSON for a configuration (serde's message carries line and column).
    #[error("{0}")]
    Parse(String),
    /// A value out of range.
    #[error(transparent)]
    Invalid(#[from] SettingError),
}

/// A setting error with a free-form detail.
fn invalid(name: &'static str, detail: impl Into<String>) -> SettingError {
    SettingError {
        name,
        detail: detail.into(),
    }
}

/// Checks that `value` is positive and finite.
fn positive(name: &'static str, value: f64) -> Result<(), SettingError> {
    check_range(name, value, 0.0, f64::INFINITY, true)
}

impl Config {
    /// Parses and validates JSON text (fields left out keep their defaults, unknown fields
    /// are errors). Reading the text from a file is left to the caller (opal-io).
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let c: Config =
            serde_json::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// Pretty JSON of the configuration.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("configuration serializes")
    }

    /// The rewards in force for the configured bandit.
    pub fn effective_rewards(&self) -> [f64; 4] {
        self.rewards.unwrap_or(match self.bandit {
            BanditSpec::ThompsonSampling => [1.0, 1.0, 0.0, 0.0],
            _ => [8.0, 4.0, 2.0, 1.0],
        })
    }

    /// Checks ranges: rates in (0, 1], positive limits and temperatures, finite rewards.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.operators.is_empty() {
            return Err(invalid("operators", "at least one operator is needed"));
        }
        for op in &self.operators {
            if let Some(r) = op.rate()
                && !(r > 0.0 && r <= 1.0)
            {
                return Err(invalid(
                    "operators",
                    format!("{} needs a rate in (0, 1]", op.label()),
                ));
            }
        }
        positive("initial_time_limit", self.initial_time_limit)?;
        positive("sub_mip_time_limit", self.sub_mip_time_limit)?;
        positive(
            "local_branching_time_limit",
            self.local_branching_time_limit,
        )?;
        positive("crossover_time_limit", self.crossover_time_limit)?;
        positive("proximity_penalty", self.proximity_penalty)?;
        match self.bandit {
            BanditSpec::EpsilonGreedy { epsilon } => {
                check_range("bandit.epsilon", epsilon, 0.0, 1.0, false)?
            }
            BanditSpec::Softmax { tau } => positive("bandit.tau", tau)?,
            BanditSpec::Ucb1 { alpha } => {
                check_range("bandit.alpha", alpha, 0.0, f64::INFINITY, false)?
            }
            _ => {}
        }
        if let Some(r) = self.rewards
            && r.iter().any(|v| !v.is_finite() || *v < 0.0)
        {
            return Err(invalid(
                "rewards",
                "must be four finite non-negative numbers",
            ));
        }
        self.validate_acceptance()
    }

    fn validate_acceptance(&self) -> Result<(), SettingError> {
        match self.acceptance {
            AcceptanceSpec::SimulatedAnnealing {
                start,
                end,
                step,
                schedule,
            }
            | AcceptanceSpec::RecordToRecord {
                start,
                end,
                step,
                schedule,
            } => {
                let sa = matches!(self.acceptance, AcceptanceSpec::SimulatedAnnealing { .. });
                // Temperatures are positive; record-to-record thresholds may be zero.
                check_range("acceptance.start", start, 0.0, f64::INFINITY, sa)?;
                check_range("acceptance.end", end, 0.0, f64::INFINITY, sa)?;
                if end > start {
                    return Err(invalid("acceptance.end", "must not exceed start"));
                }
                match schedule {
                    Schedule::Linear => {
                        check_range("acceptance.step", step, 0.0, f64::INFINITY, false)
                    }
                    Schedule::Exponential => check_range("acceptance.step", step, 0.0, 1.0, true),
                }
            }
            AcceptanceSpec::LateAcceptance { length: 0 } => Err(invalid(
                "acceptance.length",
                "late acceptance needs length >= 1",
            )),
            _ => Ok(()),
        }
    }
}

/// Settings of Balans, ParBalans and the plain-HiGHS baseline (serde: JSON with these
/// field names; fields left out keep their defaults, unknown fields are errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// What the run may spend (default: 60 s wall clock, no iteration limit, no stop
    /// request). `max_iterations` counts destroy/repair iterations per worker; the time
    /// limit covers the whole run (LP relaxation, initial solve and search); a triggered
    /// interrupt stops the search and HiGHS at their next check, and the run ends with
    /// [`Status::Interrupted`](opal_core::Status::Interrupted) and the best solution so far.
    pub budget: Budget,
    /// Seed of the search decisions and of HiGHS (default 0).
    pub seed: u64,
    /// The search configuration (default: [`Config::default`]).
    pub config: Config,
    /// Worker threads for ParBalans (default 1: plain Balans).
    pub threads: usize,
    /// Relative gap at which optimality counts as proven (default 1e-6; also HiGHS's
    /// `mip_rel_gap` in the initial solve, so that its 1e-4 default does not stop early).
    pub gap_tolerance: f64,
    /// Absolute gap at which optimality counts as proven (default 1e-6).
    pub abs_gap_tolerance: f64,
    /// A warm-start point (in the model's columns; default none); used when feasible.
    pub initial_solution: Option<Vec<f64>>,
    /// Run HiGHS's initial solve (default true). Turning it off needs a feasible
    /// `initial_solution`, from which the search then starts directly.
    pub initial_solve: bool,
    /// The iteration log ([`opal_core::LogObserver`]) on stderr: one line per LNS
    /// iteration and per event of the LP relaxation and the initial solve (default false).
    pub log: bool,
    /// HiGHS's own log on the console (default false).
    pub verbose: bool,
}

/// The default time limit of a Balans run.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);

impl Default for Settings {
    fn default() -> Self {
        Self {
            budget: Budget::default().with_time_limit(Some(DEFAULT_TIME_LIMIT)),
            seed: 0,
            config: Config::default(),
            threads: 1,
            gap_tolerance: 1e-6,
            abs_gap_tolerance: 1e-6,
            initial_solution: None,
            initial_solve: true,
            log: false,
            verbose: false,
        }
    }
}

impl Settings {
    opal_core::setters! {
        budget: Budget,
        seed: u64,
        config: Config,
        threads: usize,
        gap_tolerance: f64,
        abs_gap_tolerance: f64,
        initial_solution: Option<Vec<f64>>,
        initial_solve: bool,
        log: bool,
        verbose: bool,
    }

    /// Checks the configuration and the tolerances.
    pub fn validate(&self) -> Result<(), SettingError> {
        self.config.validate()?;
        check_range(
            "gap_tolerance",
            self.gap_tolerance,
            0.0,
            f64::INFINITY,
            false,
        )?;
        check_range(
            "abs_gap_tolerance",
            self.abs_gap_tolerance,
            0.0,
            f64::INFINITY,
            false,
        )?;
        if self.budget.time_limit == Some(Duration::ZERO) {
            return Err(invalid("budget.time_limit", "must be positive"));
        }
        Ok(())
    }
}
