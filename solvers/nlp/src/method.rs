//! The three equality-constrained solvers behind one value, chosen and configured by name:
//! what the CLI, the benchmarks and the Python bindings all need.

use opal_core::{NoObserver, Observer};
use opal_problems::SmoothProblem;

use crate::eqnlp::{IterationInfo, NlpError, Output};
use crate::{adasketch, auglag, newton_merit};

/// A solver with its settings: `adasketch`, `newton` (exact Newton on the same merit) or
/// `auglag` (classical augmented Lagrangian).
#[derive(Debug, Clone)]
pub enum Method {
    /// Sketched inexact Newton.
    Adasketch(adasketch::Settings),
    /// Exact Newton on the exact augmented Lagrangian merit.
    Newton(newton_merit::Settings),
    /// Classical augmented Lagrangian.
    AugLag(auglag::Settings),
}

impl Method {
    /// The names [`Method::from_name`] accepts.
    pub const NAMES: &'static [&'static str] = &["adasketch", "newton", "auglag"];

    /// The solver named `name` with default settings; `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "adasketch" => Self::Adasketch(adasketch::Settings::default()),
            "newton" => Self::Newton(newton_merit::Settings::default()),
            "auglag" => Self::AugLag(auglag::Settings::default()),
            _ => return None,
        })
    }

    /// The solver's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Adasketch(_) => "adasketch",
            Self::Newton(_) => "newton",
            Self::AugLag(_) => "auglag",
        }
    }

    /// Sets a setting by name (`max_iter` and `time_limit` set the budget): `Ok(false)`
    /// when this solver has no such setting, `Err` for a value that does not parse.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, String> {
        match self {
            Self::Adasketch(s) => s.set(name, value),
            Self::Newton(s) => s.set(name, value),
            Self::AugLag(s) => s.set(name, value),
        }
    }

    /// The budget of the configured solver (iteration limit, time limit, interrupt).
    pub fn budget_mut(&mut self) -> &mut opal_core::Budget {
        match self {
            Self::Adasketch(s) => &mut s.merit.budget,
            Self::Newton(s) => &mut s.budget,
            Self::AugLag(s) => &mut s.budget,
        }
    }

    /// Solves `problem`.
    pub fn solve<P: SmoothProblem + ?Sized>(&self, problem: &P) -> Result<Output, NlpError> {
        self.solve_observed(problem, &mut NoObserver)
    }

    /// Solves `problem`, showing `observer` every iterate; the run ends with
    /// [`Status::Interrupted`](opal_core::Status::Interrupted) when it says stop.
    pub fn solve_observed<P: SmoothProblem + ?Sized>(
        &self,
        problem: &P,
        observer: &mut dyn Observer<IterationInfo>,
    ) -> Result<Output, NlpError> {
        match self {
            Self::Adasketch(s) => adasketch::solve_observed(problem, s, observer),
            Self::Newton(s) => newton_merit::solve_observed(problem, s, observer),
            Self::AugLag(s) => auglag::solve_observed(problem, s, observer),
        }
    }
}
