//! The entry points: projected gradient descent or the linear baseline on a validated
//! problem, with the user's observer (and the iteration log when `verbose`).

use opal_core::{LogObserver, NoObserver, Observer, Observers};

use super::error::CalibrationError;
use super::output::{IterationInfo, Output};
use super::problem::{Prepared, Problem};
use super::settings::{Method, Settings};
use super::{linear, pgd};

/// Solves a calibration problem with the method of `settings`.
pub fn solve(problem: &Problem<'_>, settings: &Settings) -> Result<Output, CalibrationError> {
    solve_observed(problem, settings, &mut NoObserver)
}

/// As [`solve`], telling `observer` about the run (start, every iteration of projected
/// gradient descent, the outcome); an observer that answers `Control::Stop` ends the run
/// with `Status::Interrupted`.
pub fn solve_observed(
    problem: &Problem<'_>,
    settings: &Settings,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, CalibrationError> {
    settings.validate()?;
    let prepared = Prepared::new(problem)?;
    if settings.verbose {
        let mut log = LogObserver::stderr();
        let mut both = Observers::new().with(&mut log).with(observer);
        dispatch(&prepared, settings, &mut both)
    } else {
        dispatch(&prepared, settings, observer)
    }
}

fn dispatch(
    prepared: &Prepared<'_>,
    settings: &Settings,
    observer: &mut dyn Observer<IterationInfo>,
) -> Result<Output, CalibrationError> {
    match settings.method {
        Method::ProjectedGradient => pgd::run(prepared, settings, observer),
        Method::Linear => linear::run(prepared, settings, observer),
    }
}

/// ||a - b|| / ||b||: the relative error the tests and benchmarks report.
pub fn relative_error(estimate: &[f64], truth: &[f64]) -> f64 {
    let num: f64 = estimate
        .iter()
        .zip(truth)
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    let den: f64 = truth.iter().map(|b| b * b).sum();
    (num / den).sqrt()
}
