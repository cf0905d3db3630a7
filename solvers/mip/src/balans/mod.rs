//! Balans: bandit-driven adaptive large-neighbourhood search for mixed-integer programs
//! over HiGHS (Cai, Kadioglu and Dilkina). A multi-armed bandit picks a destroy operator
//! (mutation, RINS, RENS, DINS, local branching, proximity, crossover, random objective);
//! HiGHS repairs the neighbourhood as a sub-MIP warm-started at the incumbent; an acceptance
//! rule keeps or drops the result. ParBalans runs several configurations on threads that
//! share the incumbent. See `shared/specs/balans.md` for the method and its defaults.
//!
//! Every run takes an in-memory [`LinearModel`](opal_problems::linear::LinearModel), is
//! limited by the settings' [`Budget`](opal_core::Budget), reports an [`Iteration`] per
//! destroy/repair iteration (and per event of the LP relaxation and the initial solve) to an
//! [`Observer`](opal_core::Observer), and ends with an [`opal_core::Status`].

pub mod acceptance;
pub mod bandit;
pub mod operators;
pub mod output;
pub mod plain;
mod prepare;
pub mod problem;
pub mod record;
mod reporter;
pub mod settings;
pub mod solve;
mod timer;
mod worker;

pub use output::{BalansError, OperatorStats, Output};
pub use plain::{solve_plain_highs, solve_plain_highs_observed};
pub use record::{Event, Iteration, Outcome, Step};
pub use settings::{
    AcceptanceSpec, BanditSpec, Config, ConfigError, OperatorSpec, Schedule, Settings,
};
pub use solve::{portfolio, solve, solve_observed, solve_portfolio, solve_portfolio_observed};

#[cfg(test)]
mod tests;
