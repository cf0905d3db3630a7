//! Development comparison (not a CI test: runs only with IPM_CMP set): opal's interior
//! point against IPOPT on SIF files with bounds or inequalities. `IPM_CMP=ALL` takes the
//! cutest-ineq suite's small set (`opal_bench::harness::cutest_ineq::ineq_sif_files`: every
//! SIF file with n, m <= 200 that is not equality-only and bound-free); `IPM_CMP=HS71,HS35`
//! (or `NAME:K=V;K=V` with $-parameter values) names them. `IPM_TOL` (default 1e-6) and
//! `IPM_TIME` (seconds, default 20) set both solvers' tolerance and time limit; `IPM_KKT`
//! (`direct` or `krylov`) opal's KKT solver. One `CMP` line per problem: sizes, then status,
//! objective, iterations and seconds of each.

use std::path::Path;

use opal_bench::harness::cutest_ineq::{Solve, ineq_sif_files, run_ipm, run_ipopt};
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
    let mut list: Vec<String> = if names == "ALL" {
        ineq_sif_files(&dir, false)
            .iter()
            .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
            .collect()
    } else {
        names.split(',').map(String::from).collect()
    };
    list.sort();
    let (tol, limit) = (env_f64("IPM_TOL", 1e-6), env_f64("IPM_TIME", 20.0));
    let mut settings = ipm::Settings::default();
    if let Ok(kkt) = std::env::var("IPM_KKT") {
        settings.set("kkt_solver", &kkt).expect("IPM_KKT");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("thread pool");
    let compared = pool.install(|| {
        list.par_iter()
            .with_max_len(1)
            .filter(|name| compare_one(&dir, name, tol, limit, &settings))
            .count()
    });
    println!("{compared} of {} problems compared", list.len());
    assert!(compared <= list.len());
}

/// One CMP line for `name` (`NAME` or `NAME:K=V;K=V`); false when it could not be loaded.
fn compare_one(dir: &Path, name: &str, tol: f64, limit: f64, settings: &ipm::Settings) -> bool {
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
    let opal = run_ipm(&p, tol, limit, settings.clone());
    let ipopt = run_ipopt(&p, tol, limit).unwrap_or_else(Solve::failed);
    let cols = |s: Solve| {
        format!(
            "{} {:.10e} {} {:.4}",
            s.status, s.objective, s.iterations, s.time_s
        )
    };
    println!(
        "CMP {name} {} {} | opal {} | ipopt {}",
        info.n(),
        info.m(),
        cols(opal),
        cols(ipopt)
    );
    true
}
