//! MIP benchmark helpers shared by `mip_suite` and the harness: one timed run by solver
//! name, known optima, the primal gap and the machine's load average.

use opal_core::Budget;
use opal_mip::Method;
use opal_mip::balans::{Output, Settings};
use opal_problems::linear::LinearModel;

/// One run of `solver` (`balans` or `highs`) on `model`: `time_limit` seconds, `seed`,
/// `threads` ParBalans workers, the defaults otherwise.
pub fn run(
    model: &LinearModel,
    solver: &str,
    seed: u64,
    time_limit: f64,
    threads: usize,
) -> Result<Output, String> {
    let method: Method = solver.parse().map_err(|e| format!("{e}"))?;
    let budget = Budget::default()
        .with_time_limit_secs(time_limit)
        .map_err(|e| e.to_string())?;
    let settings = Settings::default()
        .budget(budget)
        .seed(seed)
        .threads(threads);
    method.solve(model, &settings).map_err(|e| e.to_string())
}

/// Known optima / best known values (shared/specs/mps.md).
pub fn known_optimum(name: &str) -> Option<f64> {
    Some(match name {
        "flugpl" => 1201500.0,
        "egout" => 568.1007,
        "lseu" => 1120.0,
        "p01" => 263.0,
        "p0548" => 8691.0,
        "bell5" => 8966406.49,
        "rgn" => 82.19999924,
        "gt2" => 21166.0,
        "dcmulti" => 188182.0,
        "pk1" => 11.0,
        "gen-ip054" => 6840.966,
        "noswot" => -41.0,
        "50v-10" => 3311.18,
        "b1c1s1" => 24544.25,
        "neos-5140963-mincio" => 14393.0,
        _ => return None,
    })
}

/// Primal gap |f - f*| / max(|f|, |f*|), 0 when both are 0, 1 without a solution.
pub fn primal_gap(f: Option<f64>, opt: Option<f64>) -> Option<f64> {
    let opt = opt?;
    Some(match f {
        None => 1.0,
        Some(f) if f == 0.0 && opt == 0.0 => 0.0,
        Some(f) => (f - opt).abs() / f.abs().max(opt.abs()),
    })
}

/// The 1, 5 and 15 minute load averages as text.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
