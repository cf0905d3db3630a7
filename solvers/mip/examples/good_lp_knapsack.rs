//! A model written with good_lp, solved by good_lp's own HiGHS backend and by opal (Balans
//! and plain HiGHS through `opal_mip::good_lp`): the three objectives must agree.
//!
//! `cargo run --release --example good_lp_knapsack` (part of `cargo test`: it fails loudly).

use std::time::Duration;

use good_lp::solvers::Solution;
use good_lp::{Constraint, Expression, ProblemVariables, SolverModel, constraint, highs, variable};
use opal_core::{Budget, Status};
use opal_mip::Method;
use opal_mip::balans::Settings;
use opal_mip::good_lp::solve;
use opal_problems::linear::Sense;

/// A 3-dimensional 0/1 knapsack of `n` items with values and weights from a fixed
/// linear congruential sequence, plus one general-integer "extra copies" variable.
fn build(
    n: usize,
) -> (
    ProblemVariables,
    Vec<good_lp::Variable>,
    Expression,
    Vec<Constraint>,
) {
    let mut state: u64 = 12345;
    let mut draw = |lo: u64, hi: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (lo + (state >> 33) % (hi - lo + 1)) as f64
    };
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = (0..n)
        .map(|j| vars.add(variable().binary().name(format!("take{j}"))))
        .collect();
    let extra = vars.add(variable().integer().min(0).max(7).name("extra"));
    let values: Vec<f64> = (0..n).map(|_| draw(10, 100)).collect();
    let mut objective: Expression = x.iter().zip(&values).map(|(&xj, &v)| v * xj).sum();
    objective += 30.0 * extra;
    let mut constraints = Vec::new();
    for _ in 0..3 {
        let weights: Vec<f64> = (0..n).map(|_| draw(5, 60)).collect();
        let capacity = weights.iter().sum::<f64>() / 3.0;
        let load: Expression = x.iter().zip(&weights).map(|(&xj, &w)| w * xj).sum();
        constraints.push(constraint!(load + 20.0 * extra <= capacity));
    }
    (vars, x, objective, constraints)
}

fn main() {
    let (vars, x, objective, constraints) = build(40);

    // opal first (it borrows the model), then good_lp's HiGHS backend (it consumes it).
    let budget = Budget::default().with_time_limit(Some(Duration::from_secs(20)));
    let settings = Settings::default().budget(budget).seed(1);
    let mut ours = Vec::new();
    for method in [Method::Highs, Method::Balans] {
        let sol = solve(
            &vars,
            objective.clone(),
            Sense::Maximize,
            &constraints,
            method,
            &settings,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", method.as_str()));
        let value = objective.clone().eval_with(&sol);
        println!(
            "opal {:6}: {} objective {value} (taken: {})",
            method.as_str(),
            sol.output.status.as_str(),
            x.iter().filter(|&&v| sol.value(v) > 0.5).count()
        );
        assert!(matches!(
            sol.output.status,
            Status::Optimal | Status::TimeLimit
        ));
        ours.push(value);
    }

    let reference = vars
        .maximise(objective.clone())
        .using(highs)
        .with_all(constraints)
        .solve()
        .expect("good_lp's HiGHS backend solves the knapsack");
    let expected = objective.eval_with(&reference);
    println!("good_lp highs: objective {expected}");
    for value in ours {
        assert!(
            (value - expected).abs() <= 1e-6 * expected.abs().max(1.0),
            "opal {value} vs good_lp's HiGHS {expected}"
        );
    }
}
