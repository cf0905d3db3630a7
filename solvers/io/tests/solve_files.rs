//! Balans and plain HiGHS on MIPLIB files of `../shared` read by opal-io: known optima,
//! infeasibility (skipped when the shared data are missing).

use opal_core::{Budget, Status};
use opal_io::read_model;
use opal_mip::balans::{Settings, solve, solve_plain_highs};
use opal_problems::linear::LinearModel;
use opal_problems::shared_data::require;

/// Default settings with a time limit of `seconds`.
fn within(seconds: f64) -> Settings {
    Settings::default().budget(Budget::default().with_time_limit_secs(seconds).unwrap())
}

fn check(rel: &str, test: &str) -> Option<LinearModel> {
    let path = require(rel, test)?;
    Some(read_model(&path).unwrap())
}

#[test]
fn known_optima_of_small_miplib_instances() {
    for (name, opt) in [
        ("flugpl", 1201500.0),
        ("egout", 568.1007),
        ("lseu", 1120.0),
        ("p01", 263.0),
        ("bell5", 8966406.49),
    ] {
        let Some(m) = check(&format!("data/mps/highs-check/{name}.mps"), "known_optima") else {
            return;
        };
        let out = solve(&m, &within(30.0)).unwrap();
        let f = out.objective.unwrap();
        assert!(
            (f - opt).abs() <= 1e-6 * opt.abs().max(1.0),
            "{name}: {f} vs {opt}"
        );
        assert_eq!(out.status, Status::Optimal, "{name}");
        assert!(m.max_violation(out.solution.as_ref().unwrap()) <= 1e-5);
    }
}

#[test]
fn infeasible_models_are_reported() {
    for name in ["infeasible-mip0", "infeasible-mip1"] {
        let Some(m) = check(&format!("data/mps/highs-check/{name}.mps"), "infeasible") else {
            return;
        };
        let out = solve(&m, &within(20.0)).unwrap();
        assert_eq!(out.status, Status::Infeasible, "{name}");
        assert!(out.objective.is_none());
        let out = solve_plain_highs(&m, &within(20.0)).unwrap();
        assert_eq!(out.status, Status::Infeasible, "{name} (plain HiGHS)");
    }
}
