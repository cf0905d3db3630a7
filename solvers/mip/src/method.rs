//! The MIP solvers by name (`balans`, `highs`), for callers that choose one at run time
//! (the CLI's `--solver`, Python's `solver=`, the bench harness).

use std::fmt;
use std::str::FromStr;

use opal_core::Observer;
use opal_problems::linear::LinearModel;
use serde::{Deserialize, Serialize};

use crate::balans::{
    BalansError, Iteration, Output, Settings, solve_observed, solve_plain_highs_observed,
};

/// Which MIP solver runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Balans (ParBalans with `threads > 1`).
    #[default]
    Balans,
    /// Plain HiGHS on the whole model (the baseline).
    Highs,
}

/// A solver name that is neither `balans` nor `highs`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown MIP solver '{0}' (balans or highs)")]
pub struct UnknownMethod(pub String);

impl Method {
    /// Every method.
    pub const ALL: [Method; 2] = [Method::Balans, Method::Highs];

    /// The name (`balans`, `highs`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Balans => "balans",
            Method::Highs => "highs",
        }
    }

    /// Runs the method on `model`.
    pub fn solve(self, model: &LinearModel, settings: &Settings) -> Result<Output, BalansError> {
        self.solve_observed(model, settings, &mut opal_core::NoObserver)
    }

    /// Runs the method on `model` with an observer.
    pub fn solve_observed(
        self,
        model: &LinearModel,
        settings: &Settings,
        observer: &mut dyn Observer<Iteration>,
    ) -> Result<Output, BalansError> {
        match self {
            Method::Balans => solve_observed(model, settings, observer),
            Method::Highs => solve_plain_highs_observed(model, settings, observer),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = UnknownMethod;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMethod(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Method::ALL {
            assert_eq!(m.as_str().parse::<Method>().unwrap(), m);
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
        let e = "cplex".parse::<Method>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown MIP solver 'cplex' (balans or highs)"
        );
    }
}
