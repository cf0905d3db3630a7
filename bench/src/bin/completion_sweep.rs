//! Crossover of the three regression solvers of the completion sweeps (issue 7).
//!
//! For k in {5, 10, 20, 50} and |Omega_j| / k in {5, 20, 100}: a half-sweep of `cols`
//! column regressions (parallel, per-thread workspaces, features gathered from U exactly
//! as in the solver) against an orthonormal incoherent U at three stages of an
//! alternating-minimization run: early (subspace error 1e-1, inner tolerance 1e-3), mid
//! (1e-4, 1e-6) and late (1e-8, 1e-10), plus the mid stage with U mapped by W diag(d) W^T
//! (d from 1 to 1e-3, W a random rotation: un-normalized, unregularized factors). CG is
//! warm-started from a previous-sweep-like value. Reports the median CPU time (all
//! threads; robust to other jobs on the machine) of `reps` half-sweeps, iterations per
//! regression and the largest error of the fitted values against a tight exact solve.
//! Run it with RAYON_NUM_THREADS=1 for per-regression cost without rayon's spinning.
//!
//! `cargo run --release -p opal-bench --bin completion_sweep [-- --cols 2000 --reps 3
//!  --k 5,10,20,50 --ratio 5,20,100 --stages 0,1,2,3 --skip cg,auto
//!  --sketch-factor 6 --sketch-nnz 2]`

use opal_bench::completion_kernel::{Cell, Scratch, build, solve_column};
use opal_completion::RegressionSolver;
use opal_completion::regression::RegressionOptions;
use rayon::prelude::*;

/// One half-sweep: returns (seconds, total iterations, solutions row-major cols x k).
fn half_sweep(
    cell: &Cell,
    solver: RegressionSolver,
    opts: &RegressionOptions,
) -> (f64, usize, Vec<f64>) {
    let k = cell.k;
    let mut x = cell.warm.clone();
    let mut its = vec![0usize; cell.cols];
    let t0 = opal_bench::cputime::process_cpu_seconds();
    x.par_chunks_mut(16 * k)
        .zip(its.par_chunks_mut(16))
        .enumerate()
        .for_each_init(
            || Scratch::new(cell, opts),
            |scratch, (chunk, (xs, it))| {
                for (c, xj) in xs.chunks_exact_mut(k).enumerate() {
                    let st = solve_column(cell, chunk * 16 + c, solver, opts, scratch, xj);
                    it[c] = st.iterations;
                }
            },
        );
    (
        opal_bench::cputime::process_cpu_seconds() - t0,
        its.iter().sum(),
        x,
    )
}

#[derive(clap::Parser)]
#[command(about = "Crossover of the completion regression solvers on half-sweeps.")]
struct Args {
    /// Column regressions per half-sweep.
    #[arg(long, default_value_t = 2000)]
    cols: usize,
    /// Half-sweeps per cell (the median is reported).
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Ranks.
    #[arg(long, value_delimiter = ',', default_value = "5,10,20,50")]
    k: Vec<usize>,
    /// Observed entries per column / k.
    #[arg(long, value_delimiter = ',', default_value = "5,20,100")]
    ratio: Vec<usize>,
    /// Stages (0 early, 1 mid, 2 late, 3 mid with cond(U) 1e3).
    #[arg(long, value_delimiter = ',', default_value = "0,1,2,3",
          value_parser = clap::value_parser!(u8).range(0..4))]
    stages: Vec<u8>,
    /// Solvers not to time (exact, cg, sketch, auto).
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// Sketch rows per k.
    #[arg(long, default_value_t = 6.0)]
    sketch_factor: f64,
    /// Nonzeros per sketch column.
    #[arg(long, default_value_t = 2)]
    sketch_nnz: usize,
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let (cols, reps, sf, sn) = (
        args.cols,
        args.reps.max(1),
        args.sketch_factor,
        args.sketch_nnz,
    );
    let stages = [
        ("early", 1e-1, 1e-3, 1.0),
        ("mid", 1e-4, 1e-6, 1.0),
        ("late", 1e-8, 1e-10, 1.0),
        ("mid, cond(U) 1e3", 1e-4, 1e-6, 1e3),
    ];
    println!(
        "# half-sweep of {cols} column regressions, {} threads, CPU ms, sketch s = {sf} k, {sn} nnz/col; median of {reps}",
        rayon::current_num_threads()
    );
    println!(
        "| k | ratio | stage | exact ms | cg ms (its) | sketch ms (its) | auto ms -> | best | fit err cg / sketch |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let skip = &args.skip;
    let stages: Vec<_> = args
        .stages
        .iter()
        .map(|&i| stages[usize::from(i)])
        .collect();
    for &k in &args.k {
        for &ratio in &args.ratio {
            for (si, &(stage, delta, tol, cond)) in stages.iter().enumerate() {
                let cell = build(k, ratio, cols, delta, cond, 1000 + si as u64);
                let opts = RegressionOptions {
                    tol,
                    max_iter: 200,
                    sketch_factor: sf,
                    sketch_nnz: sn,
                };
                let tight = RegressionOptions { tol: 1e-14, ..opts };
                let (_, _, xref) = half_sweep(&cell, RegressionSolver::Exact, &tight);
                let mut row = Vec::new();
                let mut fit_err = Vec::new();
                for solver in [
                    RegressionSolver::Exact,
                    RegressionSolver::Cg,
                    RegressionSolver::Sketch,
                    RegressionSolver::Auto,
                ] {
                    if skip.contains(&format!("{solver:?}").to_lowercase()) {
                        row.push((f64::NAN, f64::NAN));
                        fit_err.push(f64::NAN);
                        continue;
                    }
                    let mut times = Vec::new();
                    let mut its = 0;
                    let mut xs = Vec::new();
                    for _ in 0..reps {
                        let (t, i, x) = half_sweep(&cell, solver, &opts);
                        times.push(t);
                        its = i;
                        xs = x;
                    }
                    times.sort_by(f64::total_cmp);
                    let med = times[reps / 2];
                    // largest relative error of the fitted values A x over the columns
                    let mut worst: f64 = 0.0;
                    for j in 0..cols {
                        let (mut num, mut den) = (0.0, 0.0);
                        for &i in &cell.rows_of[j] {
                            let ui = &cell.u[i as usize * k..(i as usize + 1) * k];
                            let a: f64 = (0..k).map(|c| ui[c] * xs[j * k + c]).sum();
                            let r: f64 = (0..k).map(|c| ui[c] * xref[j * k + c]).sum();
                            num += (a - r).powi(2);
                            den += r * r;
                        }
                        worst = worst.max((num / den).sqrt());
                    }
                    fit_err.push(worst);
                    row.push((med, its as f64 / cols as f64));
                }
                let names = ["exact", "cg", "sketch"];
                let best = (0..3)
                    .filter(|&a| row[a].0.is_finite())
                    .min_by(|&a, &b| row[a].0.total_cmp(&row[b].0))
                    .unwrap_or(0);
                let auto_pick = RegressionSolver::Auto.resolve(cell.len, k);
                println!(
                    "| {k} | {ratio} | {stage} | {:.2} | {:.2} ({:.1}) | {:.2} ({:.1}) | {:.2} {:?} | {} ({:.2}x vs exact) | {:.1e} / {:.1e} |",
                    row[0].0 * 1e3,
                    row[1].0 * 1e3,
                    row[1].1,
                    row[2].0 * 1e3,
                    row[2].1,
                    row[3].0 * 1e3,
                    auto_pick,
                    names[best],
                    row[0].0 / row[best].0,
                    fit_err[1],
                    fit_err[2]
                );
            }
        }
    }
}
