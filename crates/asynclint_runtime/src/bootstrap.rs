//! The Python side, compiled into the binary and written to a temporary directory per run.
//!
//! The directory goes first on the child's `PYTHONPATH`: its `sitecustomize` starts the
//! monitor (`asynclint_bootstrap`) in every CPython 3.9+ process of the command, then runs the
//! `sitecustomize` it shadows. The monitor connects to the Unix socket named in
//! [`CONFIG_ENV`].

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// The environment variable that carries the monitor's configuration (JSON).
pub const CONFIG_ENV: &str = "ASYNCLINT_RUN";
/// The version of the event stream; the monitor stays inert when it does not match.
pub const PROTOCOL: u32 = 1;

const SITECUSTOMIZE: &str = include_str!("../python/asynclint_bootstrap/sitecustomize.py");
const PACKAGE: &[(&str, &str)] = &[
    (
        "__init__.py",
        include_str!("../python/asynclint_bootstrap/__init__.py"),
    ),
    (
        "_monitor.py",
        include_str!("../python/asynclint_bootstrap/_monitor.py"),
    ),
];

/// What the monitor is told.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub protocol: u32,
    /// The Unix socket to connect to.
    pub socket: PathBuf,
    /// Heartbeat interval.
    pub interval_ms: f64,
    /// A heartbeat this late is a block, and the watchdog captures the stack.
    pub threshold_ms: f64,
    /// Frames of coroutine origin tracking (where unawaited coroutines were created); 0 = off.
    pub origin_depth: u32,
}

impl Config {
    pub fn to_env(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Writes `sitecustomize.py` and the `asynclint_bootstrap` package into `dir`.
pub fn write(dir: &Path) -> io::Result<()> {
    std::fs::write(dir.join("sitecustomize.py"), SITECUSTOMIZE)?;
    let package = dir.join("asynclint_bootstrap");
    std::fs::create_dir_all(&package)?;
    for (name, text) in PACKAGE {
        std::fs::write(package.join(name), text)?;
    }
    Ok(())
}

/// `dir` first, then the `PYTHONPATH` the command would have had.
pub fn python_path(dir: &Path, existing: Option<OsString>) -> io::Result<OsString> {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(existing) = existing.filter(|e| !e.is_empty()) {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_package_and_keeps_the_existing_path() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path()).unwrap();
        assert!(dir.path().join("sitecustomize.py").is_file());
        assert!(dir.path().join("asynclint_bootstrap/_monitor.py").is_file());
        let path = python_path(dir.path(), Some(OsString::from("/a:/b"))).unwrap();
        let parts: Vec<_> = std::env::split_paths(&path).collect();
        assert_eq!(parts, [dir.path(), Path::new("/a"), Path::new("/b")]);
        assert_eq!(
            python_path(dir.path(), Some(OsString::new())).unwrap(),
            dir.path().as_os_str()
        );
    }

    #[test]
    fn config_is_json_for_the_monitor() {
        let config = Config {
            protocol: PROTOCOL,
            socket: PathBuf::from("/tmp/x/events.sock"),
            interval_ms: 50.0,
            threshold_ms: 100.0,
            origin_depth: 1,
        };
        let value: serde_json::Value = serde_json::from_str(&config.to_env()).unwrap();
        assert_eq!(value["socket"], "/tmp/x/events.sock");
        assert_eq!(value["protocol"], 1);
    }
}
