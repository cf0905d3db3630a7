//! The hot kernel of matrix completion: the per-row / per-column least-squares solves of
//! the alternating-minimization sweeps (k x k normal equations + Cholesky for the exact
//! solver; sparse sketch + Householder QR + R-preconditioned CG for the sketch solver).
//!
//! For k = 5, 20, 50 and |Omega_j| = 20 k observed entries per column at the "mid" stage
//! of a run (subspace error 1e-4, inner tolerance 1e-6; see `completion_kernel`):
//! - `completion regression/<solver>/k=<k>`: one regression solve (features gathered
//!   from U, warm start restored), cycling over the columns;
//! - `completion half-sweep/<solver>/k=<k>`: one half-sweep of 64 column regressions on
//!   one thread (the work one rayon task does in the solver).
//!
//! `cargo bench -p opal-bench --bench completion`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use opal_bench::completion_kernel::{Scratch, build, solve_column};
use opal_completion::RegressionSolver;
use opal_completion::regression::RegressionOptions;

const COLS: usize = 64;
const RATIO: usize = 20;

fn bench_regressions(c: &mut Criterion) {
    let opts = RegressionOptions {
        tol: 1e-6,
        max_iter: 200,
        sketch_factor: 6.0,
        sketch_nnz: 2,
    };
    let solvers = [
        ("exact", RegressionSolver::Exact),
        ("sketch", RegressionSolver::Sketch),
    ];
    let mut one = c.benchmark_group("completion regression");
    one.sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let cells: Vec<_> = [5, 20, 50]
        .iter()
        .map(|&k| build(k, RATIO, COLS, 1e-4, 1.0, 1001))
        .collect();
    for cell in &cells {
        let k = cell.k;
        for (name, solver) in solvers {
            let mut scratch = Scratch::new(cell, &opts);
            let mut x = vec![0.0; k];
            let mut j = 0;
            one.bench_with_input(BenchmarkId::new(name, format!("k={k}")), &k, |b, _| {
                b.iter(|| {
                    j = (j + 1) % COLS;
                    x.copy_from_slice(&cell.warm[j * k..(j + 1) * k]);
                    black_box(solve_column(cell, j, solver, &opts, &mut scratch, &mut x))
                })
            });
        }
    }
    one.finish();
    let mut sweep = c.benchmark_group("completion half-sweep");
    sweep
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(COLS as u64));
    for cell in &cells {
        let k = cell.k;
        for (name, solver) in solvers {
            let mut scratch = Scratch::new(cell, &opts);
            let mut x = cell.warm.clone();
            sweep.bench_with_input(BenchmarkId::new(name, format!("k={k}")), &k, |b, _| {
                b.iter(|| {
                    x.copy_from_slice(&cell.warm);
                    let mut its = 0;
                    for (j, xj) in x.chunks_exact_mut(k).enumerate() {
                        its += solve_column(cell, j, solver, &opts, &mut scratch, xj).iterations;
                    }
                    black_box(its)
                })
            });
        }
    }
    sweep.finish();
}

criterion_group!(benches, bench_regressions);
criterion_main!(benches);
