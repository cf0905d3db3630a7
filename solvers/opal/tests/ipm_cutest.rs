//! The interior point on CUTEst problems with bounds and inequalities.

use std::time::Duration;

use opal_core::Budget;
use opal_nlp::ipm::{self, Settings};
use opal_problems::shared_data::require;

fn solve(name: &str, settings: &Settings) -> Option<ipm::Output> {
    let dir = require("data/sif", "ipm_cutest")?;
    let p = opal_cutest::load(dir.join(format!("{name}.SIF")), &[]).unwrap();
    Some(ipm::solve(&p, settings).unwrap())
}

#[test]
fn hs71_matches_the_known_optimum() {
    let Some(out) = solve("HS71", &Settings::default()) else {
        return;
    };
    assert!(out.status.is_success(), "{}", out.message);
    assert!(
        (out.objective - 17.0140173).abs() < 1e-6,
        "{}",
        out.objective
    );
}

/// Development sweep: IPM_SWEEP=HS71,HS35 or IPM_SWEEP=ALL (every file with bounds or
/// inequalities and n, m <= 200).
#[test]
fn dev_sweep() {
    let Some(dir) = require("data/sif", "ipm_cutest") else {
        return;
    };
    let names = std::env::var("IPM_SWEEP").unwrap_or_default();
    if names.is_empty() {
        println!(
            "SKIPPED dev_sweep: a development sweep, run with IPM_SWEEP=ALL or IPM_SWEEP=HS71,HS35"
        );
        return;
    }
    let list: Vec<String> = if names == "ALL" {
        let mut v: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.ok()?.path();
                (p.extension()? == "SIF").then(|| p.file_stem()?.to_str().map(String::from))?
            })
            .collect();
        v.sort();
        v
    } else {
        names
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let limit: f64 = std::env::var("IPM_TIME")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    let verbose = std::env::var("IPM_VERBOSE").is_ok();
    let tol: f64 = std::env::var("IPM_TOL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1e-8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(name) = list.get(k) else { break };
                // NAME or NAME:K=V;K=V ($-PARAMETER values)
                let (file, params) = name.split_once(':').unwrap_or((name.as_str(), ""));
                let params: Vec<(String, String)> = params
                    .split(';')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let Ok(p) = opal_cutest::load(dir.join(format!("{file}.SIF")), &params) else {
                    println!("SWEEP {name} cannot be loaded");
                    continue;
                };
                use opal_problems::SmoothProblem;
                let info = p.info();
                if names == "ALL" && (info.n() > 200 || info.m() > 200 || (info.equality_only() && !info.has_bounds())) {
                    continue;
                }
                let s = Settings::default()
                    .tol(tol)
                    .verbose(verbose)
                    .budget(Budget::iterations(3000).with_time_limit(Some(Duration::from_secs_f64(limit))));
                match ipm::solve(&p, &s) {
                    Ok(o) => println!(
                        "SWEEP {name:10} n={:4} m={:4} {:16} f={:.10e} it={} resto={} viol={:.1e} t={:.3}s  {}",
                        info.n(), info.m(),
                        o.status.as_str(),
                        o.objective,
                        o.iterations,
                        o.restoration_iterations,
                        o.constraint_violation,
                        o.time.as_secs_f64(),
                        o.message
                    ),
                    Err(e) => println!("SWEEP {name:10} error {e}"),
                }
            });
        }
    });
}
