//! The sweep loop of completion allocates nothing between consecutive sweeps once warm:
//! the workspaces (regression workers, orthonormalization, per-target outcomes, the log)
//! are sized before the first sweep. Run on a one-thread rayon pool, whose worker is the
//! calling thread (allocations are counted process-wide).

use opal_completion::{RegressionSolver, Settings, complete_observed};
use opal_core::Budget;
use opal_core::alloc_count::{CountingAlloc, PerIteration};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

#[test]
fn sweeps_do_not_allocate() {
    let inst = opal_problems::generators::completion::low_rank(200, 150, 4, 4000, 1e-3, 3).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for (solver, validation) in [
        (RegressionSolver::Exact, 0.0),
        (RegressionSolver::Sketch, 0.1),
        (RegressionSolver::Cg, 0.0),
    ] {
        let settings = Settings::default()
            .rank(4)
            .solver(solver)
            .validation_fraction(validation)
            .stall_tol(0.0)
            .patience(usize::MAX)
            .budget(Budget::iterations(12));
        let mut per_sweep = PerIteration::new(&ALLOC, 64);
        let fit = pool
            .install(|| complete_observed(&inst.observed, &settings, &mut per_sweep))
            .unwrap();
        let deltas = per_sweep.deltas();
        eprintln!(
            "{solver:?}: {} sweeps, allocations between sweeps {deltas:?}",
            fit.iterations
        );
        assert!(per_sweep.iterates() >= 10, "{solver:?}: {}", fit.message);
        assert_eq!(per_sweep.max_after(0), 0, "{solver:?}: {deltas:?}");
    }
}
