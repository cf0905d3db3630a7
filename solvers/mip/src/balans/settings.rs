//! Balans settings (run limits, seed, logging) and the search configuration (operators,
//! bandit, acceptance, sub-MIP limits), the latter read from JSON with the spec's defaults.

use std::path::Path;

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

    fn rate(&self) -> Option<f64> {
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

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not readable.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// Not valid JSON for a configuration (serde's message carries line and column).
    #[error("{path}: {message}")]
    Parse {
        /// The file (or `<string>`).
        path: String,
        /// serde's message.
        message: String,
    },
    /// A value out of range.
    #[error("{path}: {message}")]
    Invalid {
        /// The file (or `<string>`).
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Parses and validates JSON text (`source` names it in errors).
    pub fn from_json_str(text: &str, source: &str) -> Result<Self, ConfigError> {
        let c: Config = serde_json::from_str(text).map_err(|e| ConfigError::Parse {
            path: source.into(),
            message: e.to_string(),
        })?;
        c.validate().map_err(|message| ConfigError::Invalid {
            path: source.into(),
            message,
        })?;
        Ok(c)
    }

    /// Reads a JSON configuration file.
    pub fn from_json_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_json_str(&text, &path.display().to_string())
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
    pub fn validate(&self) -> Result<(), String> {
        if self.operators.is_empty() {
            return Err("operators: at least one operator is needed".into());
        }
        for op in &self.operators {
            if let Some(r) = op.rate()
                && !(r > 0.0 && r <= 1.0)
            {
                return Err(format!("operators: {} needs a rate in (0, 1]", op.label()));
            }
        }
        let pos = |name: &str, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(format!("{name} must be positive and finite, got {v}"))
            }
        };
        pos("initial_time_limit", self.initial_time_limit)?;
        pos("sub_mip_time_limit", self.sub_mip_time_limit)?;
        pos(
            "local_branching_time_limit",
            self.local_branching_time_limit,
        )?;
        pos("crossover_time_limit", self.crossover_time_limit)?;
        pos("proximity_penalty", self.proximity_penalty)?;
        match self.bandit {
            BanditSpec::EpsilonGreedy { epsilon } if !(0.0..=1.0).contains(&epsilon) => {
                return Err(format!("bandit: epsilon must lie in [0, 1], got {epsilon}"));
            }
            BanditSpec::Softmax { tau } => pos("bandit: tau", tau)?,
            BanditSpec::Ucb1 { alpha } if !(alpha >= 0.0 && alpha.is_finite()) => {
                return Err(format!("bandit: alpha must be >= 0, got {alpha}"));
            }
            _ => {}
        }
        if let Some(r) = self.rewards
            && r.iter().any(|v| !v.is_finite() || *v < 0.0)
        {
            return Err("rewards must be four finite non-negative numbers".into());
        }
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
                if sa {
                    pos("acceptance: start", start)?;
                    pos("acceptance: end", end)?;
                } else if !(start >= 0.0 && end >= 0.0 && start.is_finite()) {
                    return Err("acceptance: thresholds must be >= 0".into());
                }
                if end > start {
                    return Err("acceptance: end must not exceed start".into());
                }
                match schedule {
                    Schedule::Linear if !(step >= 0.0 && step.is_finite()) => {
                        return Err("acceptance: linear step must be >= 0".into());
                    }
                    Schedule::Exponential if !(step > 0.0 && step <= 1.0) => {
                        return Err("acceptance: exponential step must lie in (0, 1]".into());
                    }
                    _ => {}
                }
            }
            AcceptanceSpec::LateAcceptance { length: 0 } => {
                return Err("acceptance: late acceptance needs length >= 1".into());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Run settings of Balans / ParBalans.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Wall-clock limit in seconds for the whole search (default 60).
    pub time_limit: f64,
    /// Seed of the search decisions (default 0).
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
    /// Stop after this many destroy/repair iterations (default: none).
    pub max_iterations: Option<usize>,
    /// A warm-start point (in the model's columns); used when feasible.
    pub initial_solution: Option<Vec<f64>>,
    /// Run HiGHS's initial solve (default true). Turning it off needs a feasible
    /// `initial_solution`, from which the search then starts directly.
    pub initial_solve: bool,
    /// Progress lines on stderr (default false).
    pub log: bool,
    /// HiGHS's own log on the console (default false).
    pub verbose: bool,
    /// A stop request shared with another thread (default none): when triggered, the
    /// search and HiGHS stop at their next check and the run ends with
    /// [`Status::Interrupted`](super::Status::Interrupted) and the best solution so far.
    pub interrupt: Option<opal_core::Interrupt>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            time_limit: 60.0,
            seed: 0,
            config: Config::default(),
            threads: 1,
            gap_tolerance: 1e-6,
            abs_gap_tolerance: 1e-6,
            max_iterations: None,
            initial_solution: None,
            initial_solve: true,
            log: false,
            verbose: false,
            interrupt: None,
        }
    }
}

impl Settings {
    /// Sets the time limit.
    pub fn time_limit(mut self, seconds: f64) -> Self {
        self.time_limit = seconds;
        self
    }
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }
    /// Sets the number of ParBalans threads.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }
    /// Sets the relative gap tolerance.
    pub fn gap_tolerance(mut self, gap: f64) -> Self {
        self.gap_tolerance = gap;
        self
    }
    /// Sets an iteration limit.
    pub fn max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = Some(n);
        self
    }
    /// Sets a warm start.
    pub fn initial_solution(mut self, x: Vec<f64>) -> Self {
        self.initial_solution = Some(x);
        self
    }
    /// Turns HiGHS's initial solve on or off (off needs a feasible warm start).
    pub fn initial_solve(mut self, on: bool) -> Self {
        self.initial_solve = on;
        self
    }
    /// Turns progress lines on or off.
    pub fn log(mut self, on: bool) -> Self {
        self.log = on;
        self
    }
    /// Turns HiGHS's console log on or off.
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on;
        self
    }
    /// Sets the stop request shared with another thread.
    pub fn interrupt(mut self, interrupt: opal_core::Interrupt) -> Self {
        self.interrupt = Some(interrupt);
        self
    }
}
