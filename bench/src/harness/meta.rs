//! Run metadata: `meta.json` of a harness run and `anchors-meta.json` of a run of the Python
//! anchors, read by the report.

use serde::{Deserialize, Serialize};

/// Metadata of a run of `bench/python/anchors.py` (`anchors-meta.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnchorMeta {
    /// The exact command line.
    pub command: String,
    /// UTC date and time of the run.
    pub date: String,
    /// Python and package versions (`name version`).
    pub versions: Vec<String>,
    /// Wall-clock seconds of the whole run.
    pub wall_s: f64,
}

/// Run metadata written next to the results and read by the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The exact command line.
    pub command: String,
    /// UTC date and time of the run.
    pub date: String,
    /// CPU model.
    pub cpu: String,
    /// Logical CPUs.
    pub nproc: usize,
    /// Worker threads used.
    pub jobs: usize,
    /// Quick mode.
    pub quick: bool,
    /// Seeds.
    pub seeds: u64,
    /// Time limit per suite (seconds).
    pub time_limits: Vec<(String, f64)>,
    /// Where IPOPT was loaded from, or why not.
    pub ipopt: String,
    /// Wall-clock seconds of the whole run.
    pub wall_s: f64,
    /// Load average at the end of the run.
    pub load_average: String,
}

/// CPU model name from /proc/cpuinfo.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}
