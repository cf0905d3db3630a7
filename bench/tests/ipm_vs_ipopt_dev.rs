//! Development comparison (not a CI test: runs only with IPM_CMP set): opal's interior
//! point against IPOPT on SIF files with bounds or inequalities.

use std::time::Duration;

use opal_core::Budget;
use opal_nlp::ipm;
use opal_problems::SmoothProblem;

#[test]
fn compare() {
    let Ok(names) = std::env::var("IPM_CMP") else {
        println!(
            "SKIPPED compare: a development comparison, run with IPM_CMP=ALL or IPM_CMP=HS71,HS35"
        );
        return;
    };
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/sif");
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
        names.split(',').map(String::from).collect()
    };
    let tol: f64 = std::env::var("IPM_TOL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1e-6);
    let limit: f64 = std::env::var("IPM_TIME")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20.0);
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
                let info = p.info();
                if names == "ALL" && (info.n() > 200 || info.m() > 200 || (info.equality_only() && !info.has_bounds())) {
                    continue;
                }
                let s = ipm::Settings::default()
                    .tol(tol)
                    .budget(Budget::iterations(3000).with_time_limit(Some(Duration::from_secs_f64(limit))));
                let o = ipm::solve(&p, &s);
                let is = opal_bench::ipopt::Settings { tol, max_iter: 3000, time_limit: limit };
                let i = opal_bench::ipopt::solve(&p, &is);
                let (os, of, oi, ot) = match &o {
                    Ok(o) => (o.status.as_str().to_string(), o.objective, o.iterations, o.time.as_secs_f64()),
                    Err(e) => (format!("err:{e}"), f64::NAN, 0, 0.0),
                };
                let (is_, ifv, ii, it) = match &i {
                    Ok(i) => (i.status().to_string(), i.objective, i.iterations, i.time_s),
                    Err(e) => (format!("err:{e}"), f64::NAN, 0, 0.0),
                };
                println!(
                    "CMP {name} {} {} | opal {os} {of:.10e} {oi} {ot:.4} | ipopt {is_} {ifv:.10e} {ii} {it:.4}",
                    info.n(), info.m()
                );
            });
        }
    });
}
