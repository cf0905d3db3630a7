//! Acceptance runs of the completion solver (issue 7).
//!
//! A: exact recovery of random incoherent rank-5 1000 x 1000 matrices from
//!    |Omega| = 5 k (m + n - k) entries, 20 seeds, each regression solver: how many reach
//!    relative Frobenius error <= 1e-6 (computed entry by entry), sweeps, time per sweep.
//! B: m = n = 10,000, k = 20, |Omega| = 10 k (m + n - k): time, sweeps and peak memory
//!    (VmHWM reset after the instance is generated, so it measures the solve with the
//!    instance resident).
//!
//! `cargo run --release -p opal-bench --bin completion_recovery [-- --part a|b|all
//!  --seeds 20 --solvers auto,exact,cg,sketch --big-solvers auto]`

use std::time::Instant;

use clap::Parser;
use opal_bench::completion_kernel::{REGRESSION_SOLVERS, regression_solver};
use opal_bench::cputime::{peak_rss_mib, process_cpu_seconds, reset_peak_rss, rss_mib};
use opal_bench::harness::completion_error;
use opal_completion::{Settings, complete};
use opal_problems::generators::completion::{CompletionInstance, low_rank};

fn part_a(seeds: u64, solvers: &[&str]) {
    let (m, n, k) = (1000, 1000, 5);
    let obs = 5 * k * (m + n - k);
    println!("## A: {m} x {n}, k = {k}, |Omega| = {obs} (5 k (m + n - k)), {seeds} seeds\n");
    println!(
        "| solver | recovered (err <= 1e-6) | statuses | median err | max err | mean sweeps | mean wall s | wall ms / sweep | CPU ms / run |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let insts: Vec<CompletionInstance> = (0..seeds)
        .map(|s| low_rank(m, n, k, obs, 0.0, s).expect("instance"))
        .collect();
    for name in solvers {
        let mut errs = Vec::new();
        let mut statuses = std::collections::BTreeMap::new();
        let (mut sweeps, mut wall, mut per_sweep, mut cpu_total) = (0usize, 0.0, 0.0, 0.0);
        let mut ok = 0;
        for (s, inst) in insts.iter().enumerate() {
            let settings = Settings::default()
                .rank(k)
                .seed(s as u64)
                .solver(regression_solver(name));
            let c0 = process_cpu_seconds();
            let t0 = Instant::now();
            let c = complete(&inst.observed, &settings).expect("solve");
            wall += t0.elapsed().as_secs_f64();
            cpu_total += process_cpu_seconds() - c0;
            per_sweep += (c.time - c.init_time) / c.iterations.max(1) as f64;
            let err = completion_error(inst, &c.u, &c.v, c.rank);
            if err <= 1e-6 && c.recovered() {
                ok += 1;
            }
            *statuses.entry(c.status.as_str()).or_insert(0) += 1;
            sweeps += c.iterations;
            errs.push(err);
        }
        errs.sort_by(f64::total_cmp);
        let nn = insts.len() as f64;
        println!(
            "| {name} | {ok}/{} | {:?} | {:.1e} | {:.1e} | {:.1} | {:.3} | {:.2} | {:.0} |",
            insts.len(),
            statuses,
            errs[errs.len() / 2],
            errs[errs.len() - 1],
            sweeps as f64 / nn,
            wall / nn,
            1e3 * per_sweep / nn,
            1e3 * cpu_total / nn
        );
    }
    println!();
}

fn part_b(solvers: &[&str]) {
    let (m, n, k) = (10_000, 10_000, 20);
    let obs = 10 * k * (m + n - k);
    println!("## B: {m} x {n}, k = {k}, |Omega| = {obs} (10 k (m + n - k))\n");
    let t0 = Instant::now();
    let inst = low_rank(m, n, k, obs, 0.0, 1).expect("instance");
    println!(
        "instance generated in {:.1}s; RSS with the instance resident {:.0} MiB (peak so far {:.0} MiB)\n",
        t0.elapsed().as_secs_f64(),
        rss_mib().unwrap_or(f64::NAN),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    println!(
        "| solver | status | sweeps | rel. error | train rel. residual | wall s | CPU s | init s | wall s / sweep | peak RSS MiB (solve) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for name in solvers {
        let reset = reset_peak_rss();
        let settings = Settings::default()
            .rank(k)
            .seed(1)
            .solver(regression_solver(name));
        let c0 = process_cpu_seconds();
        let t0 = Instant::now();
        let c = complete(&inst.observed, &settings).expect("solve");
        let wall = t0.elapsed().as_secs_f64();
        let cpu = process_cpu_seconds() - c0;
        let peak = peak_rss_mib().unwrap_or(f64::NAN);
        let err = completion_error(&inst, &c.u, &c.v, c.rank);
        println!(
            "| {name} | {} | {} | {:.1e} | {:.1e} | {:.1} | {:.1} | {:.1} | {:.2} | {:.0}{} |",
            c.status,
            c.iterations,
            err,
            c.relative_residual,
            wall,
            cpu,
            c.init_time,
            (c.time - c.init_time) / c.iterations.max(1) as f64,
            peak,
            if reset { "" } else { " (not reset)" }
        );
    }
    println!();
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Part {
    A,
    B,
    All,
}

#[derive(Parser)]
#[command(
    about = "Completion acceptance runs: A exact recovery over seeds, B a 10,000 x 10,000 solve."
)]
struct Args {
    /// Which part to run.
    #[arg(long, value_enum, default_value = "all")]
    part: Part,
    /// Seeds of part A.
    #[arg(long, default_value_t = 20)]
    seeds: u64,
    /// Regression solvers of part A.
    #[arg(long, value_delimiter = ',', default_value = "auto,exact,cg,sketch",
          value_parser = REGRESSION_SOLVERS)]
    solvers: Vec<String>,
    /// Regression solvers of part B.
    #[arg(long, value_delimiter = ',', default_value = "auto", value_parser = REGRESSION_SOLVERS)]
    big_solvers: Vec<String>,
}

fn main() {
    let args = Args::parse();
    let solvers: Vec<&str> = args.solvers.iter().map(String::as_str).collect();
    let big: Vec<&str> = args.big_solvers.iter().map(String::as_str).collect();
    println!(
        "# completion acceptance runs ({} threads)\n",
        rayon::current_num_threads()
    );
    if matches!(args.part, Part::A | Part::All) {
        part_a(args.seeds, &solvers);
    }
    if matches!(args.part, Part::B | Part::All) {
        part_b(&big);
    }
}
