//! Why a run ended: one status for every solver of opal.
//!
//! Each family keeps the precise cause in its result (a message, and where a program needs
//! to tell causes apart, a small detail field); the status says what a caller acts on: is
//! the answer trustworthy, did a limit stop it, is the problem itself at fault.

use std::fmt;
use std::str::FromStr;

/// How a solve ended. `as_str` gives the snake_case name used in JSON, the CLI and Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The method's convergence test held: a KKT point to tolerance (NLP), the stopping
    /// test of a convex program, a fit to tolerance (completion, calibration).
    Converged,
    /// Global optimality proven: the incumbent is within the gap tolerance of a proven
    /// bound (MIP).
    Optimal,
    /// The strict test could not be met but a looser one (IPOPT's "acceptable level")
    /// held for several consecutive iterates: a usable answer to the looser tolerance.
    Acceptable,
    /// The method stopped making progress before its test held (line search failure,
    /// stagnation, held-out early stopping, an interior point that cannot move); the
    /// returned point is the best the method has, not a certified answer.
    Stalled,
    /// The iteration limit ran out first.
    IterationLimit,
    /// The time limit ran out first.
    TimeLimit,
    /// Stopped on request (an observer, Ctrl-C, [`crate::Interrupt`]); the result holds
    /// the best point so far.
    Interrupted,
    /// The problem has no feasible point (proven, or locally infeasible for an NLP).
    Infeasible,
    /// The objective is unbounded below (minimization) on the feasible set.
    Unbounded,
    /// The data do not determine a unique answer (too few observations, a null space of
    /// more than one dimension, a fit that does not generalize to held-out data).
    Underdetermined,
    /// A numerical failure left no trustworthy answer: a singular system, NaN or infinity
    /// from an evaluation, divergence, an error inside an external solver.
    NumericalError,
}

impl Status {
    /// Every status, in declaration order.
    pub const ALL: [Status; 11] = [
        Status::Converged,
        Status::Optimal,
        Status::Acceptable,
        Status::Stalled,
        Status::IterationLimit,
        Status::TimeLimit,
        Status::Interrupted,
        Status::Infeasible,
        Status::Unbounded,
        Status::Underdetermined,
        Status::NumericalError,
    ];

    /// The snake_case name (`converged`, `time_limit`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::Optimal => "optimal",
            Status::Acceptable => "acceptable",
            Status::Stalled => "stalled",
            Status::IterationLimit => "iteration_limit",
            Status::TimeLimit => "time_limit",
            Status::Interrupted => "interrupted",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
            Status::Underdetermined => "underdetermined",
            Status::NumericalError => "numerical_error",
        }
    }

    /// True when the answer is certified by the method's own test
    /// ([`Converged`](Status::Converged) or [`Optimal`](Status::Optimal)).
    pub fn is_success(self) -> bool {
        matches!(self, Status::Converged | Status::Optimal)
    }

    /// True for a success or an answer to the looser (acceptable) tolerance.
    pub fn is_usable(self) -> bool {
        self.is_success() || self == Status::Acceptable
    }

    /// True when a budget (iterations, time, a stop request) ended the run: the answer is
    /// the best so far and more budget may improve it.
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            Status::IterationLimit | Status::TimeLimit | Status::Interrupted
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown status name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status '{0}'")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for st in Status::ALL {
            assert_eq!(st.as_str().parse::<Status>().unwrap(), st);
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
        }
        assert!("done".parse::<Status>().is_err());
    }

    #[test]
    fn success_and_limits_are_disjoint() {
        for st in Status::ALL {
            assert!(!(st.is_success() && st.is_limit()), "{st}");
        }
        assert!(Status::Optimal.is_success());
        assert!(Status::TimeLimit.is_limit());
        assert!(!Status::Stalled.is_success());
    }
}
