//! Timing and size diagnostics for profiling, printed to standard error when the
//! `ASYNCLINT_STATS` environment variable is set (never part of normal output).

use std::sync::OnceLock;
use std::time::Instant;

fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("ASYNCLINT_STATS").map(|_| Instant::now()))
}

/// Is `ASYNCLINT_STATS` set?
pub fn enabled() -> bool {
    start().is_some()
}

/// Print `label` with the time since the first call (the start of the run).
pub fn mark(label: &str) {
    if let Some(start) = start() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map_or("?", |v| v.trim().trim_end_matches(" kB"))
                .to_string()
        };
        eprintln!(
            "stats: {:>8.1} ms {label} (RSS {} kB, peak {} kB)",
            start.elapsed().as_secs_f64() * 1e3,
            kb("VmRSS:"),
            kb("VmHWM:")
        );
    }
}
