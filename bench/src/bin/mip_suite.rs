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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let time_limit: f64 = get("--time-limit").map_or(60.0, |s| s.parse().expect("--time-limit"));
    let threads: usize = get("--threads").map_or(1, |s| s.parse().expect("--threads"));
    let seeds: Vec<u64> = get("--seeds")
        .unwrap_or_else(|| "0,1,2".into())
        .split(',')
        .map(|s| s.parse().expect("--seeds"))
        .collect();
    let instances: Vec<String> = get("--instances")
        .unwrap_or_else(|| "miplib/pk1,miplib/gen-ip054,miplib/noswot".into())
        .split(',')
        .map(String::from)
        .collect();
    let only_balans = args.iter().any(|a| a == "--balans-only");
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
    for inst in &instances {
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
        for &seed in &seeds {
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
    if let Some(out) = get("--json") {
        std::fs::write(&out, serde_json::to_string_pretty(&rows).unwrap()).expect("--json file");
    }
}
