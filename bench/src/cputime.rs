//! CPU time of the whole process (all threads), for timings that stay meaningful on a
//! machine shared with other jobs: wall time there measures the neighbours too.

/// Seconds of CPU time used by this process so far (user + system, all threads).
pub fn process_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Peak resident set size (VmHWM) of this process in MiB, from /proc/self/status.
pub fn peak_rss_mib() -> Option<f64> {
    read_status_kib("VmHWM:").map(|k| k / 1024.0)
}

/// Current resident set size (VmRSS) in MiB.
pub fn rss_mib() -> Option<f64> {
    read_status_kib("VmRSS:").map(|k| k / 1024.0)
}

/// Resets the peak RSS to the current RSS (Linux: `echo 5 > /proc/self/clear_refs`).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn read_status_kib(key: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
