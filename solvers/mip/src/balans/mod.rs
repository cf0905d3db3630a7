//! Balans: bandit-driven adaptive large-neighbourhood search for mixed-integer programs
//! over HiGHS (Cai, Kadioglu and Dilkina). A multi-armed bandit picks a destroy operator
//! (mutation, RINS, RENS, DINS, local branching, proximity, crossover, random objective);
//! HiGHS repairs the neighbourhood as a sub-MIP warm-started at the incumbent; an acceptance
//! rule keeps or drops the result. ParBalans runs several configurations on threads that
//! share the incumbent. See `shared/specs/balans.md` for the method and its defaults.

pub mod acceptance;
pub mod bandit;
pub mod operators;
pub mod settings;
pub mod solve;

pub use settings::{
    AcceptanceSpec, BanditSpec, Config, ConfigError, OperatorSpec, Schedule, Settings,
};
pub use solve::{
    BalansError, OperatorStats, Output, Status, portfolio, solve, solve_plain_highs,
    solve_portfolio,
};

#[cfg(test)]
mod tests;
