//! Tests of the HiGHS wrapper on in-memory models.

use super::*;

#[test]
fn model_edits_and_solves() {
    // max x + y s.t. x + 2y <= 4, 3x + y <= 6, x, y >= 0 integer  -> (2, 0) or (1, 1) ... = 2
    let mut m = opal_problems::linear::LinearModel::new("T", Sense::Maximize);
    m.add_col("x".into(), 1.0, 0.0, 10.0, true);
    m.add_col("y".into(), 1.0, 0.0, 10.0, true);
    m.add_row("a".into(), f64::NEG_INFINITY, 4.0, &[(0, 1.0), (1, 2.0)]);
    m.add_row("b".into(), f64::NEG_INFINITY, 6.0, &[(0, 3.0), (1, 1.0)]);
    let mut h = Highs::new().unwrap();
    h.pass_model(&m).unwrap();
    assert_eq!(h.run().unwrap(), ModelStatus::Optimal);
    assert!(h.has_solution());
    assert_eq!(h.objective_value(), 2.0);
    let before = h.lp().unwrap();
    // Fix y = 3: row a gives x <= -2, infeasible.
    h.change_col_bounds(&[1], &[3.0], &[3.0]).unwrap();
    assert_eq!(h.run().unwrap(), ModelStatus::Infeasible);
    h.change_col_bounds(&[1], &[0.0], &[10.0]).unwrap();
    let z = h.add_col(5.0, 0.0, 1.0).unwrap();
    assert_eq!(z, 2);
    let r = h
        .add_row(f64::NEG_INFINITY, 0.0, &[0, 2], &[1.0, -1.0])
        .unwrap();
    assert_eq!(r, 2);
    h.set_costs(&[1.0, 1.0, 0.0]).unwrap();
    assert_eq!(h.run().unwrap(), ModelStatus::Optimal);
    h.truncate_rows(2).unwrap();
    h.truncate_cols(2).unwrap();
    assert_eq!(h.lp().unwrap(), before);
    assert!(h.change_col_bounds(&[5], &[0.0], &[1.0]).is_err());
    assert!(h.set_costs(&[1.0]).is_err());
    assert!(h.set_solution(&[1.0, 2.0, 3.0]).is_err());
    assert!(h.set_double_option("no_such_option", 1.0).is_err());
    let mut bad = m.clone();
    bad.row_upper[0] = f64::NAN;
    assert!(h.pass_model(&bad).is_err());
}

#[test]
fn improving_solutions_reach_the_observer_and_bounds_reset() {
    let m = opal_problems::generators::mip::knapsack(40, 3, 5).unwrap();
    let mut h = Highs::new().unwrap();
    h.pass_model(&m).unwrap();
    let mut seen = Vec::new();
    let st = h
        .run_observed(&mut |found: Improvement| {
            seen.push(found);
            Control::Continue
        })
        .unwrap();
    assert_eq!(st, ModelStatus::Optimal);
    assert!(!seen.is_empty());
    // Maximization: every improving solution is better than the one before.
    assert!(seen.windows(2).all(|w| w[1].objective > w[0].objective));
    assert_eq!(seen.last().unwrap().objective, h.objective_value());
    let mut x = Vec::with_capacity(1);
    h.solution_into(&mut x);
    assert_eq!(x, h.solution());
    // An observer that stops at the first solution interrupts HiGHS.
    let mut h = Highs::new().unwrap();
    h.pass_model(&m).unwrap();
    let mut calls = 0;
    let st = h
        .run_observed(&mut |_| {
            calls += 1;
            Control::Stop
        })
        .unwrap();
    assert!(calls >= 1);
    assert!(
        matches!(st, ModelStatus::Interrupted | ModelStatus::Optimal),
        "{st:?}"
    );
    // Bounds changed, then reset to the model's.
    let before = h.lp().unwrap();
    h.change_col_bounds(&[3, 1], &[1.0, 0.0], &[1.0, 0.0])
        .unwrap();
    assert_ne!(h.lp().unwrap(), before);
    h.reset_col_bounds(&[1, 3], &m.col_lower, &m.col_upper)
        .unwrap();
    assert_eq!(h.lp().unwrap(), before);
    assert!(
        h.reset_col_bounds(&[99], &m.col_lower, &m.col_upper)
            .is_err()
    );
}

#[test]
fn a_run_stopped_by_its_deadline_leaves_the_next_run_free() {
    // HiGHS keeps its callback input between runs: a run interrupted by the deadline must
    // not leave the interrupt flag set for the next run of the same instance.
    let m = opal_problems::generators::mip::knapsack(60, 10, 3).unwrap();
    let mut h = Highs::new().unwrap();
    h.pass_model(&m).unwrap();
    h.set_deadline(Some(Instant::now()));
    let st = h.run().unwrap();
    assert!(
        matches!(st, ModelStatus::Interrupted | ModelStatus::Optimal),
        "{st:?}"
    );
    h.set_deadline(Some(Instant::now() + std::time::Duration::from_secs(60)));
    assert_eq!(h.run().unwrap(), ModelStatus::Optimal);
    assert!(h.has_solution());
}
