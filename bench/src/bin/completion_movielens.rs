//! MovieLens 100K, 5-fold cross-validated RMSE of the completion solver (issue 7).
//!
//! Reads `fold{1..5}_train.tsv` / `fold{1..5}_test.tsv` (user item rating, 1-based) from
//! the directory made by `bench/scripts/movielens.py` (which also runs the Surprise SVD
//! anchor on the same folds). Model: rating = mu + b_u + c_i + u^T v with ridge lambda,
//! alternating minimization; predictions clipped to [1, 5] as Surprise does.
//!
//! `completion_movielens --folds DIR [--rank 10 --lambda 10 --max-iter 30 --solver auto
//!  --weighted]` (`--weighted`: ridge lambda |Omega_i| per row / column, ALS-WR)
//! `completion_movielens --folds DIR --tune` grid-searches rank and lambda on an inner
//! 80/20 split of fold 1's training part only (the test folds are never looked at);
//! `--ranks 2,5 --lambdas 5,10` set the grid.

use std::path::Path;
use std::time::Instant;

use opal_bench::cputime::process_cpu_seconds;
use opal_completion::{Completion, RegressionSolver, Settings, complete};
use opal_problems::formats::matrix_market::read_triplet_text;
use opal_problems::triplets::Triplets;

const USERS: usize = 943;
const ITEMS: usize = 1682;

fn read(path: &Path) -> Triplets {
    let mut t = read_triplet_text(path, true).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        t.nrows <= USERS && t.ncols <= ITEMS,
        "{}: ids beyond ML-100K",
        path.display()
    );
    t.nrows = USERS;
    t.ncols = ITEMS;
    t
}

fn rmse(c: &Completion, test: &Triplets) -> f64 {
    let sse: f64 = (0..test.len())
        .map(|e| {
            let p = c.predict(test.rows[e], test.cols[e]).clamp(1.0, 5.0);
            (p - test.values[e]).powi(2)
        })
        .sum();
    (sse / test.len() as f64).sqrt()
}

fn arg<'a>(args: &'a [String], name: &str, default: &'a str) -> &'a str {
    args.iter()
        .position(|a| a == name)
        .map_or(default, |i| args[i + 1].as_str())
}

fn settings(
    rank: usize,
    lambda: f64,
    max_iter: usize,
    solver: RegressionSolver,
    weighted: bool,
) -> Settings {
    Settings::default()
        .rank(rank)
        .lambda(lambda)
        .weighted_lambda(weighted)
        .biases(true)
        .budget(opal_core::Budget::iterations(max_iter))
        .solver(solver)
        .seed(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(arg(&args, "--folds", "."));
    let rank: usize = arg(&args, "--rank", "10").parse().expect("rank");
    let lambda: f64 = arg(&args, "--lambda", "10").parse().expect("lambda");
    let max_iter: usize = arg(&args, "--max-iter", "30").parse().expect("max-iter");
    let solver = match arg(&args, "--solver", "auto") {
        "exact" => RegressionSolver::Exact,
        "cg" => RegressionSolver::Cg,
        "sketch" => RegressionSolver::Sketch,
        _ => RegressionSolver::Auto,
    };
    let weighted = args.iter().any(|a| a == "--weighted");
    if args.iter().any(|a| a == "--tune") {
        let default = if weighted {
            "0.02,0.05,0.1,0.2,0.5"
        } else {
            "2,5,10,20,40"
        };
        let lambdas: Vec<f64> = arg(&args, "--lambdas", default)
            .split(',')
            .map(|x| x.parse().expect("lambda"))
            .collect();
        let ranks: Vec<usize> = arg(&args, "--ranks", "2,5,10,20,50")
            .split(',')
            .map(|x| x.parse().expect("rank"))
            .collect();
        // inner split of fold 1's training part: every 5th rating (by a fixed hash) is
        // the inner validation set
        let train = read(&dir.join("fold1_train.tsv"));
        let (mut fit, mut val) = (
            Triplets {
                nrows: USERS,
                ncols: ITEMS,
                ..Default::default()
            },
            Triplets {
                nrows: USERS,
                ncols: ITEMS,
                ..Default::default()
            },
        );
        for e in 0..train.len() {
            let h = ((e as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) % 5;
            let t = if h == 0 { &mut val } else { &mut fit };
            t.rows.push(train.rows[e]);
            t.cols.push(train.cols[e]);
            t.values.push(train.values[e]);
        }
        println!("| rank | lambda | inner RMSE | sweeps | status |");
        println!("|---|---|---|---|---|");
        for &r in &ranks {
            for &l in &lambdas {
                let c = complete(&fit, &settings(r, l, max_iter, solver, weighted)).expect("solve");
                println!(
                    "| {r} | {l} | {:.5} | {} | {} |",
                    rmse(&c, &val),
                    c.iterations,
                    c.status
                );
            }
        }
        return;
    }
    println!("| fold | RMSE | sweeps | status | wall s | CPU s |");
    println!("|---|---|---|---|---|---|");
    let (mut sum, mut wall_sum, mut cpu_sum) = (0.0, 0.0, 0.0);
    for f in 1..=5 {
        let train = read(&dir.join(format!("fold{f}_train.tsv")));
        let test = read(&dir.join(format!("fold{f}_test.tsv")));
        let c0 = process_cpu_seconds();
        let t0 = Instant::now();
        let c =
            complete(&train, &settings(rank, lambda, max_iter, solver, weighted)).expect("solve");
        let wall = t0.elapsed().as_secs_f64();
        let cpu = process_cpu_seconds() - c0;
        let e = rmse(&c, &test);
        println!(
            "| {f} | {e:.4} | {} | {} | {wall:.3} | {cpu:.3} |",
            c.iterations, c.status
        );
        sum += e;
        wall_sum += wall;
        cpu_sum += cpu;
    }
    println!(
        "| mean | {:.4} | | | {:.3} | {:.3} |",
        sum / 5.0,
        wall_sum / 5.0,
        cpu_sum / 5.0
    );
    println!(
        "OPAL_MEAN_RMSE {:.5} WALL {:.4} CPU {:.4}",
        sum / 5.0,
        wall_sum / 5.0,
        cpu_sum / 5.0
    );
}
