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

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use opal_bench::completion_kernel::{REGRESSION_SOLVERS, regression_solver};
use opal_bench::cputime::process_cpu_seconds;
use opal_completion::{Completion, RegressionSolver, Settings, complete};
use opal_problems::formats::matrix_market::read_triplet_text;
use opal_problems::triplets::Triplets;

const USERS: usize = 943;
const ITEMS: usize = 1682;

fn read(path: &Path) -> Triplets {
    let fail = |why: String| -> ! {
        eprintln!("completion_movielens: {}: {why}", path.display());
        std::process::exit(1)
    };
    let mut t = read_triplet_text(path, true).unwrap_or_else(|e| fail(e.to_string()));
    if t.nrows > USERS || t.ncols > ITEMS {
        fail("ids beyond ML-100K".into());
    }
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

#[derive(Parser)]
#[command(
    about = "MovieLens 100K: 5-fold cross-validated RMSE of the completion solver, or --tune."
)]
struct Args {
    /// Directory of fold{1..5}_train.tsv / fold{1..5}_test.tsv.
    #[arg(long, default_value = ".")]
    folds: PathBuf,
    /// Rank of the factors.
    #[arg(long, default_value_t = 10)]
    rank: usize,
    /// Ridge weight.
    #[arg(long, default_value_t = 10.0)]
    lambda: f64,
    /// Sweeps.
    #[arg(long, default_value_t = 30)]
    max_iter: usize,
    /// Regression solver.
    #[arg(long, default_value = "auto", value_parser = REGRESSION_SOLVERS)]
    solver: String,
    /// Ridge lambda |Omega_i| per row / column (ALS-WR).
    #[arg(long)]
    weighted: bool,
    /// Grid-search rank and lambda on an inner split of fold 1's training part.
    #[arg(long)]
    tune: bool,
    /// Lambdas of the grid (default 2,5,10,20,40; weighted 0.02,0.05,0.1,0.2,0.5).
    #[arg(long, value_delimiter = ',')]
    lambdas: Option<Vec<f64>>,
    /// Ranks of the grid.
    #[arg(long, value_delimiter = ',', default_value = "2,5,10,20,50")]
    ranks: Vec<usize>,
}

fn main() {
    let args = Args::parse();
    let dir = args.folds.as_path();
    let (rank, lambda, max_iter, weighted) = (args.rank, args.lambda, args.max_iter, args.weighted);
    let solver = regression_solver(&args.solver);
    if args.tune {
        let lambdas = args.lambdas.clone().unwrap_or_else(|| {
            if weighted {
                vec![0.02, 0.05, 0.1, 0.2, 0.5]
            } else {
                vec![2.0, 5.0, 10.0, 20.0, 40.0]
            }
        });
        let ranks = &args.ranks;
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
        for &r in ranks {
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
