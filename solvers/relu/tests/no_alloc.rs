//! No allocation inside the iteration loops of ADMM (gated and ReLU programs, Woodbury and
//! CG u-updates, Anderson acceleration), FISTA and the augmented Lagrangian: after warm-up,
//! the allocations counted between consecutive iterates are zero, residual-balancing
//! refactorizations included.
//! One test in this binary: the counter is process-wide.

use faer::Mat;
use opal_core::Budget;
use opal_core::alloc_count::{CountingAlloc, PerIteration};
use opal_relu::{Dataset, Settings, SolverKind, Variant, fit_observed};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

/// 200 x 5 data labelled by a planted ReLU unit.
fn data() -> Dataset {
    let x = Mat::from_fn(200, 5, |i, j| {
        ((i * (j + 3) + 7 * j) % 23) as f64 / 11.0 - 1.0
    });
    let unit = |i: usize| (x[(i, 0)] - x[(i, 2)] + 0.5 * x[(i, 4)]).max(0.0);
    let y = (0..200).map(|i| (unit(i) - 0.2).signum()).collect();
    Dataset::new(x, y).unwrap()
}

#[test]
fn iterations_allocate_nothing_after_warm_up() {
    let ds = data();
    let base = Settings::default()
        .n_patterns(30)
        .seed(1)
        .tol(1e-300)
        .budget(Budget::iterations(300));
    let runs = [
        ("admm gated", base.clone().solver(SolverKind::Admm)),
        (
            "admm relu",
            base.clone().solver(SolverKind::Admm).variant(Variant::Relu),
        ),
        ("admm-cg gated", base.clone().solver(SolverKind::AdmmCg)),
        (
            "admm-cg relu",
            base.clone()
                .solver(SolverKind::AdmmCg)
                .variant(Variant::Relu),
        ),
        (
            "admm gated, anderson 5",
            base.clone().solver(SolverKind::Admm).anderson(5),
        ),
        ("fista", base.clone().solver(SolverKind::Fista)),
        (
            "augmented Lagrangian relu",
            base.clone()
                .solver(SolverKind::AugLag)
                .variant(Variant::Relu),
        ),
    ];
    let mut report = Vec::new();
    for (name, set) in runs {
        let mut per_it = PerIteration::new(&ALLOC, 400);
        let r = fit_observed(&ds, &set, &mut per_it).unwrap();
        assert_eq!(r.iterations, 300, "{name}: {}", r.message);
        let deltas = per_it.deltas();
        let warm_up = 1;
        report.push(format!(
            "{name}: {} iterates, first intervals {:?}, max after {warm_up}: {}",
            per_it.iterates(),
            &deltas[..4],
            per_it.max_after(warm_up)
        ));
        assert_eq!(per_it.max_after(warm_up), 0, "{name}: {deltas:?}");
    }
    println!("{}", report.join("\n"));
}
