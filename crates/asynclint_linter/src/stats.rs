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
            "stats: {:>8.1} ms {label} (CPU {:.1} ms, RSS {} kB, peak {} kB)",
            start.elapsed().as_secs_f64() * 1e3,
            cpu_ms(),
            kb("VmRSS:"),
            kb("VmHWM:")
        );
    }
}

/// CPU time used so far by every thread of the process, in milliseconds (Linux: the first
/// field of each thread's `schedstat`, in nanoseconds; 0 elsewhere). Threads that have ended
/// no longer count.
fn cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let nanos: u64 = tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    nanos as f64 / 1e6
}
