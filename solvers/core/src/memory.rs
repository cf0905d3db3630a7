//! How much memory the machine can give a solve, so that a configuration that cannot fit
//! is refused up front with its estimate instead of ending in the kernel's out-of-memory
//! killer.

/// Bytes the operating system reports as available to new allocations (Linux's
/// `MemAvailable`), or `None` where that is not known (another system, or /proc unreadable).
pub fn available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_available(&text)
}

/// The `MemAvailable:` line of a /proc/meminfo text, in bytes.
fn parse_mem_available(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// A byte count for messages: `512 B`, `3.4 MB`, `28.8 GB` (powers of 1000, as `free -h`
/// users read them, with one decimal).
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes.max(0.0);
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mem_available_in_bytes() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   18000000 kB\n";
        assert_eq!(parse_mem_available(text), Some(18_000_000 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 5 kB\n"), None);
        assert_eq!(parse_mem_available("MemAvailable: lots kB\n"), None);
    }

    #[test]
    fn formats_bytes_for_people() {
        assert_eq!(format_bytes(512.0), "512 B");
        assert_eq!(format_bytes(3.4e6), "3.4 MB");
        assert_eq!(format_bytes(28.8e9), "28.8 GB");
    }
}
