//! One ADMM iteration of convex ReLU training (gated and ReLU programs) on a heart-sized
//! synthetic problem (n = 270, d = 13, P = 50 gates): the time between two consecutive
//! iterates as the solver's observer sees them (set-up and factorizations excluded; rho
//! fixed so that no iteration refactorizes).

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use faer::Mat;
use opal_core::{Budget, Control};
use opal_relu::{Dataset, IterInfo, Settings, SolverKind, Variant, fit_observed};

/// Heart-sized data: 270 x 13, labels from a planted ReLU unit (deterministic).
fn data() -> Dataset {
    let (n, d) = (270, 13);
    // A linear congruential sequence from seed 42, mapped to [-1, 1).
    let step = |s: &u64| {
        Some(
            s.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        )
    };
    let mut seq = std::iter::successors(Some(42u64), step).skip(1);
    let mut next = || ((seq.next().unwrap() >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0;
    let x = Mat::from_fn(n, d, |_, _| next());
    let w: Vec<f64> = (0..d).map(|_| next()).collect();
    let y = (0..n)
        .map(|j| {
            let a: f64 = (0..d).map(|k| x[(j, k)] * w[k]).sum();
            if a.max(0.0) - 0.2 >= 0.0 { 1.0 } else { -1.0 }
        })
        .collect();
    Dataset::new(x, y).unwrap()
}

/// Time of `iters` ADMM iterations: from the first iterate to iterate `iters + 1`.
fn admm_iterations(ds: &Dataset, variant: Variant, iters: u64) -> Duration {
    let set = Settings::default()
        .n_patterns(50)
        .seed(1)
        .variant(variant)
        .solver(SolverKind::Admm)
        .adaptive_rho(false)
        .tol(1e-300)
        .budget(Budget::iterations(iters as usize + 1));
    let (mut first, mut last) = (None, None);
    let mut obs = |_: &IterInfo| {
        let now = Instant::now();
        first.get_or_insert(now);
        last = Some(now);
        Control::Continue
    };
    fit_observed(ds, &set, &mut obs).unwrap();
    last.unwrap() - first.unwrap()
}

fn bench_admm_iteration(c: &mut Criterion) {
    let ds = data();
    let mut g = c.benchmark_group("relu admm iteration (270 x 13, P = 50)");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for variant in [Variant::Gated, Variant::Relu] {
        g.bench_function(variant.name(), |b| {
            b.iter_custom(|iters| admm_iterations(&ds, variant, iters))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_admm_iteration);
criterion_main!(benches);
