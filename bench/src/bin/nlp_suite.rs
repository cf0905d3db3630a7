//! Runs equality-constrained problems with adasketch, newton and auglag and prints a table
//! (one row per problem and solver) plus per-solver totals: the acceptance harness of the
//! sketched-Newton issue.
//!
//! ```text
//! nlp_suite [--solvers adasketch,newton,auglag] [--sketch kaczmarz] [--tol T] [--abs-tol T]
//!           [--time-limit S] [--max-iter N] [--param NAME=VALUE]... [--memory] PROBLEM...
//! ```
//! PROBLEM is a built-in spec (`pde:N=100`, `logreg:PATH`) or a SIF file (with the SIF
//! decoder). The reference objective of a SIF problem is read from its `*LO SOLTN` line
//! (0 for problems without an objective). `--only-equality --list FILE` runs the
//! equality-constrained, bound-free problems with an objective among the listed files
//! (files whose classification rules them out are skipped before decoding).

use std::time::Instant;

use clap::Parser;
use opal_bench::cputime::peak_rss_mib;
use opal_bench::nlp::{self, load, may_be_equality_with_objective, reference_objective};

#[derive(Parser)]
struct Args {
    /// Comma-separated solvers.
    #[arg(long, default_value = "adasketch,newton,auglag")]
    solvers: String,
    /// Sketch of adasketch (kaczmarz, gaussian, sparse).
    #[arg(long)]
    sketch: Option<String>,
    /// Relative KKT tolerance.
    #[arg(long)]
    tol: Option<f64>,
    /// Absolute KKT tolerance.
    #[arg(long)]
    abs_tol: Option<f64>,
    /// Time limit per solve (seconds).
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Iteration limit.
    #[arg(long)]
    max_iter: Option<usize>,
    /// Solver parameter NAME=VALUE (repeatable; applied to every solver that knows it).
    #[arg(long = "param")]
    params: Vec<String>,
    /// Print the peak resident memory of this process at the end.
    #[arg(long)]
    memory: bool,
    /// Relative objective tolerance for "reaches the reference objective".
    #[arg(long, default_value_t = 1e-5)]
    obj_tol: f64,
    /// Skip (and count) problems that are not equality-constrained, bound-free and with an
    /// objective instead of letting the solvers refuse them.
    #[arg(long)]
    only_equality: bool,
    /// Read more problems from this file (one per line).
    #[arg(long)]
    list: Option<String>,
    /// Problems.
    problems: Vec<String>,
}

fn common(args: &Args) -> nlp::Common {
    nlp::Common {
        time_limit: args.time_limit,
        tol: args.tol,
        abs_tol: args.abs_tol,
        max_iter: args.max_iter,
        sketch: args.sketch.clone(),
        params: args.params.clone(),
    }
}

fn main() {
    let mut args = Args::parse();
    if let Some(list) = &args.list {
        let text = match std::fs::read_to_string(list) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("nlp_suite: {list}: {e}");
                std::process::exit(1);
            }
        };
        args.problems.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from),
        );
    }
    let mut skipped = 0usize;
    let common = common(&args);
    let solvers: Vec<&str> = args.solvers.split(',').map(str::trim).collect();
    println!(
        "{:<14} {:>6} {:>6} {:<10} {:<20} {:>6} {:>9} {:>6} {:>16} {:>9} {:>9} {:>8} {:>4}",
        "problem",
        "n",
        "m",
        "solver",
        "status",
        "iters",
        "inner",
        "direct",
        "objective",
        "kkt",
        "viol",
        "time_s",
        "ref"
    );
    let mut solved = vec![0usize; solvers.len()];
    let mut matched = vec![0usize; solvers.len()];
    let mut total = 0usize;
    let mut with_ref = 0usize;
    for spec in &args.problems {
        if args.only_equality
            && spec.to_ascii_uppercase().ends_with(".SIF")
            && !may_be_equality_with_objective(spec)
        {
            skipped += 1;
            continue;
        }
        let p = match load(spec) {
            Ok(p) => p,
            Err(e) => {
                println!("{spec}: {e}");
                continue;
            }
        };
        let info = p.info();
        if args.only_equality && !nlp::is_equality_with_objective(&*p) {
            skipped += 1;
            continue;
        }
        // Feasibility problems (no objective group) have f = 0 at every solution.
        let reference = if info.has_objective {
            reference_objective(spec)
        } else {
            Some(0.0)
        };
        let mut counted = false;
        for (k, solver) in solvers.iter().enumerate() {
            let t = Instant::now();
            match nlp::run(solver, &*p, &common) {
                Ok(out) => {
                    if !counted {
                        total += 1;
                        with_ref += reference.is_some() as usize;
                        counted = true;
                    }
                    let ok = out.status.is_success();
                    solved[k] += ok as usize;
                    let refmark = match reference {
                        Some(r) if ok => {
                            let hit = (out.objective - r).abs() <= args.obj_tol * r.abs().max(1.0);
                            matched[k] += hit as usize;
                            if hit { "yes" } else { "no" }
                        }
                        Some(_) => "-",
                        None => "",
                    };
                    println!(
                        "{:<14} {:>6} {:>6} {:<10} {:<20} {:>6} {:>9} {:>6} {:>16.9e} {:>9.2e} {:>9.2e} {:>8.3} {:>4}",
                        info.name,
                        info.n(),
                        info.m(),
                        solver,
                        out.status.as_str(),
                        out.iterations,
                        out.inner_iterations,
                        out.direct_solves,
                        out.objective,
                        out.kkt_residual,
                        out.constraint_violation,
                        out.time.as_secs_f64(),
                        refmark
                    );
                }
                Err(e) => {
                    println!(
                        "{:<14} {:>6} {:>6} {:<10} refused: {e} ({:.3}s)",
                        info.name,
                        info.n(),
                        info.m(),
                        solver,
                        t.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }
    println!();
    if args.only_equality {
        println!(
            "skipped {skipped} problems that are not equality-only, bound-free with an objective"
        );
    }
    for (k, solver) in solvers.iter().enumerate() {
        println!(
            "{solver:<10} solved {}/{} (KKT tolerance), reference objective reached on {}/{} with a reference",
            solved[k], total, matched[k], with_ref
        );
    }
    if args.memory
        && let Some(mib) = peak_rss_mib()
    {
        println!("peak resident memory: {mib:.1} MiB");
    }
}
