//! MIP suite: opal Balans vs plain HiGHS (same build, same limit, one thread), alternating
//! the two per run, with the machine's load average noted at each run.
//!
//! `cargo run --release -p opal-bench --bin mip_suite -- [--time-limit 60] [--seeds 0,1,2]
//!  [--instances miplib/pk1,miplib/gen-ip054,miplib/noswot] [--threads 1] [--json OUT]`
//! Instances are paths under `shared/data/mps/` (`.mps` is implied; `.lp` files are named
//! with their extension, e.g. `distributional/correctness_mk_5.lp`).

use std::collections::BTreeMap;

use opal_bench::mip::{known_optimum as known, load_average, primal_gap, run};
use opal_io::read_model;
use opal_mip::balans::Output;
use opal_problems::shared_data::shared_dir;

/// Objectives per instance: (Balans runs, plain-HiGHS runs).
type Objectives = (Vec<Option<f64>>, Vec<Option<f64>>);

#[derive(clap::Parser)]
#[command(about = "opal Balans vs plain HiGHS on MIP instances, alternating per run.")]
struct Args {
    /// Time limit per run in seconds.
    #[arg(long, default_value_t = 60.0)]
    time_limit: f64,
    /// Seeds.
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    seeds: Vec<u64>,
    /// Instances: paths under shared/data/mps/ (`.mps` implied).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "miplib/pk1,miplib/gen-ip054,miplib/noswot"
    )]
    instances: Vec<String>,
    /// Threads per run.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Write the rows as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Run Balans only (no plain-HiGHS runs).
    #[arg(long)]
    balans_only: bool,
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let (time_limit, threads, only_balans) = (args.time_limit, args.threads, args.balans_only);
    let (seeds, instances) = (&args.seeds, &args.instances);
    let Some(shared) = shared_dir() else {
        eprintln!("mip_suite: shared data not found (set OPAL_SHARED)");
        std::process::exit(1);
    };
    let mut rows: Vec<serde_json::Value> = Vec::new();
    let mut table: BTreeMap<String, Objectives> = BTreeMap::new();
    println!(
        "# mip_suite: {time_limit} s, {threads} thread(s), seeds {seeds:?}; load average at start {}",
        load_average()
    );
    println!(
        "{:<22} {:>4} {:<7} {:>14} {:>12} {:>14} {:>8} {:>6} {:<16}",
        "instance", "seed", "solver", "objective", "status", "bound", "time s", "iters", "load"
    );
    for inst in instances {
        let file = if inst.ends_with(".lp") || inst.ends_with(".mps") {
            inst.clone()
        } else {
            format!("{inst}.mps")
        };
        let path = shared.join("data/mps").join(file);
        let model = match read_model(&path) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("mip_suite: {e}");
                continue;
            }
        };
        let name = inst
            .rsplit('/')
            .next()
            .unwrap_or(inst)
            .trim_end_matches(".lp")
            .trim_end_matches(".mps")
            .to_string();
        for &seed in seeds {
            // Alternate the order per seed so that neither solver always runs second.
            let order: Vec<&str> = if only_balans {
                vec!["balans"]
            } else if seed % 2 == 0 {
                vec!["balans", "highs"]
            } else {
                vec!["highs", "balans"]
            };
            for solver in order {
                let load = load_average();
                let out: Output = run(&model, solver, seed, time_limit, threads)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                println!(
                    "{:<22} {:>4} {:<7} {:>14} {:>12} {:>14} {:>8.2} {:>6} {:<16}",
                    name,
                    seed,
                    solver,
                    out.objective.map_or("-".into(), |f| format!("{f:.6}")),
                    out.status.as_str(),
                    out.best_bound.map_or("-".into(), |f| format!("{f:.4}")),
                    out.time_s,
                    out.iterations,
                    load
                );
                let entry = table.entry(name.clone()).or_default();
                if solver == "balans" {
                    entry.0.push(out.objective);
                } else {
                    entry.1.push(out.objective);
                }
                rows.push(serde_json::json!({
                    "instance": name, "seed": seed, "solver": solver,
                    "objective": out.objective, "status": out.status.as_str(),
                    "best_bound": out.best_bound.filter(|b| b.is_finite()),
                    "time_s": out.time_s, "iterations": out.iterations, "load": load,
                    "primal_gap": primal_gap(out.objective, known(&name)),
                    "operators": out.operators.iter().map(|o| serde_json::json!({
                        "name": o.name, "calls": o.calls, "improvements": o.improvements,
                        "no_solution": o.no_solution, "time_s": o.time_s})).collect::<Vec<_>>(),
                    "trace": out.trace,
                }));
            }
        }
    }
    let mean = |v: &[Option<f64>]| {
        let s: Vec<f64> = v.iter().flatten().copied().collect();
        (s.len() == v.len() && !s.is_empty()).then(|| s.iter().sum::<f64>() / s.len() as f64)
    };
    println!("\n# summary (mean over seeds; primal gap to the known optimum)");
    println!(
        "{:<22} {:>12} {:>10} {:>12} {:>10} {:>12}",
        "instance", "balans", "gap", "highs", "gap", "optimum"
    );
    for (name, (b, h)) in &table {
        let (mb, mh) = (mean(b), mean(h));
        let fmt = |v: Option<f64>| v.map_or("-".into(), |f| format!("{f:.4}"));
        let gap = |v: Option<f64>| {
            v.and_then(|f| primal_gap(Some(f), known(name)))
                .map_or("-".into(), |g| format!("{:.4}%", 100.0 * g))
        };
        println!(
            "{:<22} {:>12} {:>10} {:>12} {:>10} {:>12}",
            name,
            fmt(mb),
            gap(mb),
            fmt(mh),
            gap(mh),
            fmt(known(name))
        );
    }
    println!("# load average at end {}", load_average());
    if let Some(out) = &args.json {
        let written = serde_json::to_string_pretty(&rows)
            .map_err(|e| e.to_string())
            .and_then(|t| std::fs::write(out, t).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("mip_suite: {}: {e}", out.display());
            std::process::exit(1);
        }
    }
}
