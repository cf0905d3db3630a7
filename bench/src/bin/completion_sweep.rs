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

use opal_completion::RegressionSolver;
use opal_completion::regression::{self, LsqProblem, RegressionOptions, RegressionWorkspace};
use rayon::prelude::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (a, b) = (1.0 - self.unit(), self.unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
}

/// Gram-Schmidt (twice) orthonormalization of a row-major rows x k matrix.
fn orthonormalize(a: &mut [f64], rows: usize, k: usize) {
    for c in 0..k {
        for _ in 0..2 {
            for p in 0..c {
                let d: f64 = (0..rows).map(|i| a[i * k + c] * a[i * k + p]).sum();
                for i in 0..rows {
                    a[i * k + c] -= d * a[i * k + p];
                }
            }
        }
        let nrm = (0..rows).map(|i| a[i * k + c].powi(2)).sum::<f64>().sqrt();
        for i in 0..rows {
            a[i * k + c] /= nrm;
        }
    }
}

struct Cell {
    k: usize,
    cols: usize,
    len: usize,
    u: Vec<f64>,
    rows_of: Vec<Vec<u32>>,
    b_of: Vec<Vec<f64>>,
    warm: Vec<f64>,
}

fn build(k: usize, ratio: usize, cols: usize, delta: f64, cond: f64, seed: u64) -> Cell {
    let len = ratio * k;
    let m = (4 * len).max(2000);
    let mut rng = Rng(seed);
    let mut ustar: Vec<f64> = (0..m * k).map(|_| rng.normal()).collect();
    orthonormalize(&mut ustar, m, k);
    let vstar: Vec<f64> = (0..cols * k)
        .map(|_| rng.normal() * (m as f64).sqrt())
        .collect();
    // current iterate: U = orth(U* + delta G / sqrt(m)), subspace error ~ delta
    let mut u: Vec<f64> = ustar
        .iter()
        .map(|x| x + delta * rng.normal() / (m as f64).sqrt())
        .collect();
    orthonormalize(&mut u, m, k);
    // U^T U* (k x k) for the warm start U^T U* v*_j
    let mut utu = vec![0.0; k * k];
    for i in 0..m {
        for p in 0..k {
            for q in 0..k {
                utu[p * k + q] += u[i * k + p] * ustar[i * k + q];
            }
        }
    }
    let mut rows_of = Vec::with_capacity(cols);
    let mut b_of = Vec::with_capacity(cols);
    let mut warm = vec![0.0; cols * k];
    let mut perm: Vec<u32> = (0..m as u32).collect();
    for j in 0..cols {
        for t in 0..len {
            let s = t + rng.below(m - t);
            perm.swap(t, s);
        }
        let mut rows: Vec<u32> = perm[..len].to_vec();
        rows.sort_unstable();
        let vj = &vstar[j * k..(j + 1) * k];
        let b: Vec<f64> = rows
            .iter()
            .map(|&i| (0..k).map(|c| ustar[i as usize * k + c] * vj[c]).sum())
            .collect();
        let xn = vj.iter().map(|x| x * x).sum::<f64>().sqrt();
        for p in 0..k {
            let proj: f64 = (0..k).map(|q| utu[p * k + q] * vj[q]).sum();
            warm[j * k + p] = proj + 2.0 * delta * xn * rng.normal() / (k as f64).sqrt();
        }
        rows_of.push(rows);
        b_of.push(b);
    }
    // Un-normalized factors (ridge mode keeps them so): U <- U W diag(d) W^T with W a
    // random rotation and d log-spaced from 1 to 1/cond (correlated columns, which a
    // diagonal preconditioner cannot undo); the warm start gets the inverse map.
    if cond > 1.0 {
        let mut w: Vec<f64> = (0..k * k).map(|_| rng.normal()).collect();
        orthonormalize(&mut w, k, k);
        let d: Vec<f64> = (0..k)
            .map(|c| cond.powf(-(c as f64) / ((k - 1).max(1) as f64)))
            .collect();
        // T = W diag(d) W^T (symmetric), T^-1 = W diag(1/d) W^T
        let t = |inv: bool| -> Vec<f64> {
            let mut out = vec![0.0; k * k];
            for p in 0..k {
                for q in 0..k {
                    out[p * k + q] = (0..k)
                        .map(|c| w[p * k + c] * w[q * k + c] * if inv { 1.0 / d[c] } else { d[c] })
                        .sum();
                }
            }
            out
        };
        let (tm, ti) = (t(false), t(true));
        let mut tmp = vec![0.0; k];
        for i in 0..m {
            for q in 0..k {
                tmp[q] = (0..k).map(|p| u[i * k + p] * tm[p * k + q]).sum();
            }
            u[i * k..(i + 1) * k].copy_from_slice(&tmp);
        }
        for j in 0..cols {
            for p in 0..k {
                tmp[p] = (0..k).map(|q| ti[p * k + q] * warm[j * k + q]).sum();
            }
            warm[j * k..(j + 1) * k].copy_from_slice(&tmp);
        }
    }
    Cell {
        k,
        cols,
        len,
        u,
        rows_of,
        b_of,
        warm,
    }
}

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
            || {
                (
                    vec![0.0; cell.len * k],
                    RegressionWorkspace::new(cell.len, k, opts),
                )
            },
            |(a, ws), (chunk, (xs, it))| {
                for (c, xj) in xs.chunks_exact_mut(k).enumerate() {
                    let j = chunk * 16 + c;
                    for (q, &i) in cell.rows_of[j].iter().enumerate() {
                        a[q * k..(q + 1) * k]
                            .copy_from_slice(&cell.u[i as usize * k..(i as usize + 1) * k]);
                    }
                    let p = LsqProblem {
                        a: &a[..cell.len * k],
                        b: &cell.b_of[j],
                        rows: cell.len,
                        k,
                        lambda: 0.0,
                    };
                    let st = regression::solve(solver, &p, xj, opts, ws, j as u64 * 7 + 1);
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

fn list(args: &[String], name: &str, default: &str) -> Vec<f64> {
    args.iter()
        .position(|a| a == name)
        .map_or(default, |i| args[i + 1].as_str())
        .split(',')
        .map(|s| s.parse().expect("number"))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cols = list(&args, "--cols", "2000")[0] as usize;
    let reps = list(&args, "--reps", "3")[0] as usize;
    let ks = list(&args, "--k", "5,10,20,50");
    let ratios = list(&args, "--ratio", "5,20,100");
    let sf = list(&args, "--sketch-factor", "6")[0];
    let sn = list(&args, "--sketch-nnz", "2")[0] as usize;
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
    let pick = list(&args, "--stages", "0,1,2,3");
    let skip: Vec<String> = args
        .iter()
        .position(|a| a == "--skip")
        .map_or(Vec::new(), |i| {
            args[i + 1].split(',').map(str::to_string).collect()
        });
    let stages: Vec<_> = pick.iter().map(|&i| stages[i as usize]).collect();
    for &k in &ks {
        let k = k as usize;
        for &ratio in &ratios {
            let ratio = ratio as usize;
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
