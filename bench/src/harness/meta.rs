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

impl Meta {
    /// The metadata of results holding the rows of an earlier run (`self`) beside those of
    /// a later run of other suites (`new`): both commands, the later date, machine and
    /// IPOPT, each suite's time limit, the sum of the wall-clock times.
    pub fn merge(self, new: Meta) -> Meta {
        let mut time_limits: Vec<(String, f64)> = self
            .time_limits
            .into_iter()
            .filter(|(s, _)| new.time_limits.iter().all(|(t, _)| t != s))
            .collect();
        time_limits.extend(new.time_limits);
        Meta {
            command: format!("{}; {}", self.command, new.command),
            wall_s: self.wall_s + new.wall_s,
            time_limits,
            ..new
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_metadata_keeps_both_commands_and_every_suites_limit() {
        let old = Meta {
            command: "harness".into(),
            time_limits: vec![("cutest-eq".into(), 5.0), ("cutest-ineq".into(), 30.0)],
            wall_s: 100.0,
            date: "old".into(),
            ..Meta::default()
        };
        let new = Meta {
            command: "harness cutest-ineq".into(),
            time_limits: vec![("cutest-ineq".into(), 10.0)],
            wall_s: 20.0,
            date: "new".into(),
            ..Meta::default()
        };
        let m = old.merge(new);
        assert_eq!(m.command, "harness; harness cutest-ineq");
        assert_eq!(m.date, "new");
        assert_eq!(m.wall_s, 120.0);
        assert_eq!(
            m.time_limits,
            vec![("cutest-eq".into(), 5.0), ("cutest-ineq".into(), 10.0)]
        );
    }
}
