//! Development comparison (not a CI test: runs only with IPM_CMP set): opal's interior
//! point against IPOPT on SIF files with bounds or inequalities. `IPM_CMP=ALL` takes every
//! SIF file with n, m <= 200 that is not equality-only and bound-free; `IPM_CMP=HS71,HS35`
//! (or `NAME:K=V;K=V` with $-parameter values) names them. `IPM_TOL` (default 1e-6) and
//! `IPM_TIME` (seconds, default 20) set both solvers' tolerance and time limit. One `CMP`
//! line per problem: sizes, then status, objective, iterations and seconds of each.

use std::path::Path;
use std::time::Duration;

use opal_core::Budget;
use opal_nlp::ipm;
use opal_problems::SmoothProblem;
use rayon::prelude::*;

fn env_f64(key: &str, default: f64) -> f64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn compare() {
    let Ok(names) = std::env::var("IPM_CMP") else {
        println!(
            "SKIPPED compare: a development comparison, run with IPM_CMP=ALL or IPM_CMP=HS71,HS35"
        );
        return;
    };
    let Some(dir) = opal_problems::shared_data::require("data/sif", "ipm_vs_ipopt_dev") else {
        return;
    };
    let all = names == "ALL";
    let mut list: Vec<String> = if all {
        std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "SIF"))
                    .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        names.split(',').map(String::from).collect()
    };
    list.sort();
    let (tol, limit) = (env_f64("IPM_TOL", 1e-6), env_f64("IPM_TIME", 20.0));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("thread pool");
    let compared = pool.install(|| {
        list.par_iter()
            .with_max_len(1)
            .filter(|name| compare_one(&dir, name, all, tol, limit))
            .count()
    });
    println!("{compared} of {} problems compared", list.len());
    assert!(compared <= list.len());
}

/// One CMP line for `name` (`NAME` or `NAME:K=V;K=V`); false when it was not compared.
fn compare_one(dir: &Path, name: &str, all: bool, tol: f64, limit: f64) -> bool {
    let mut parts = name.split([':', ';']);
    let file = parts.next().unwrap_or_default();
    let params: Vec<(String, String)> = parts
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let Ok(p) = opal_cutest::load(dir.join(format!("{file}.SIF")), &params) else {
        println!("SWEEP {name} cannot be loaded");
        return false;
    };
    let info = p.info();
    let small = info.n() <= 200 && info.m() <= 200;
    if all && (!small || (info.equality_only() && !info.has_bounds())) {
        return false;
    }
    let budget = Budget::iterations(3000).with_time_limit(Some(Duration::from_secs_f64(limit)));
    let opal = ipm::solve(&p, &ipm::Settings::default().tol(tol).budget(budget))
        .map(|o| {
            let s = o.status.as_str().to_string();
            (s, o.objective, o.iterations, o.time.as_secs_f64())
        })
        .unwrap_or_else(|e| (format!("err:{e}"), f64::NAN, 0, 0.0));
    let settings = opal_bench::ipopt::Settings {
        tol,
        max_iter: 3000,
        time_limit: limit,
    };
    let ipopt = opal_bench::ipopt::solve(&p, &settings)
        .map(|i| (i.status().to_string(), i.objective, i.iterations, i.time_s))
        .unwrap_or_else(|e| (format!("err:{e}"), f64::NAN, 0, 0.0));
    let cols = |(s, f, k, t): (String, f64, usize, f64)| format!("{s} {f:.10e} {k} {t:.4}");
    println!(
        "CMP {name} {} {} | opal {} | ipopt {}",
        info.n(),
        info.m(),
        cols(opal),
        cols(ipopt)
    );
    true
}
