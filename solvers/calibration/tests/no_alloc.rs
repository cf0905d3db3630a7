//! The projected-gradient loop allocates nothing between consecutive iterations: every
//! vector, the operator's scratch and the projections' workspaces are sized before the
//! first iteration. Snapshots run on the calling thread (`parallel(false)`), since the
//! allocation count is process-wide.

use opal_calibration::{
    DenseOperator, HadamardOperator, Problem, Settings, measure, solve_observed,
};
use opal_core::Budget;
use opal_core::alloc_count::{CountingAlloc, PerIteration};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

fn max_allocations_between_iterations(problem: &Problem<'_>, settings: &Settings) -> usize {
    let mut per_it = PerIteration::new(&ALLOC, 256);
    let out = solve_observed(problem, settings, &mut per_it).unwrap();
    let deltas = per_it.deltas();
    eprintln!(
        "{} iterations, allocations between iterations {deltas:?}",
        out.iterations
    );
    assert!(per_it.iterates() >= 10, "{}", out.message);
    per_it.max_after(0)
}

#[test]
fn iterations_do_not_allocate() {
    // The count is process-wide: let rayon's global pool (used by the set-up) start every
    // worker first, so that a worker's start-up allocations cannot land between two
    // iterations measured below.
    rayon::broadcast(|_| ());
    let s = Settings::default()
        .parallel(false)
        .tol_residual(0.0)
        .tol_step(0.0)
        .budget(Budget::iterations(40));
    let inst = opal_problems::generators::calibration::instance(64, 32, 16, 0.1, 0.01, 2).unwrap();
    let dense = DenseOperator::from_instance(&inst).unwrap();
    for settings in [s.clone(), s.clone().fixed_step(0.5)] {
        let problem = Problem::new(&dense, &inst.y, 0.1);
        assert_eq!(max_allocations_between_iterations(&problem, &settings), 0);
    }
    // a fast operator (scratch buffers) and a gain subspace (Dykstra's projection)
    let fast = HadamardOperator::random(100, 32, 8, 4).unwrap();
    let x: Vec<f64> = (0..100).map(|j| (0.1 * j as f64).sin()).collect();
    let y = measure(&fast, &x, &inst.d);
    let basis = faer::Mat::from_fn(
        32,
        3,
        |i, j| if j == 0 { 1.0 } else { ((i * j) as f64).cos() },
    );
    let problem = Problem::new(&fast, &y, 0.1).with_gain_basis(basis.as_ref());
    assert_eq!(max_allocations_between_iterations(&problem, &s), 0);
}
