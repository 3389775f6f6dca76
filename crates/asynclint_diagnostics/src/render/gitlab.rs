//! `gitlab`: GitLab Code Quality report (a subset of the Code Climate format).
//!
//! <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;

use super::RenderOptions;
use crate::{Diagnostic, Severity};

#[derive(Serialize)]
struct Issue {
    check_name: &'static str,
    description: String,
    fingerprint: String,
    location: IssueLocation,
    severity: &'static str,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub(super) fn render(
    diagnostics: &[Diagnostic],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut seen = HashSet::new();
    let issues: Vec<_> = diagnostics
        .iter()
        .map(|diagnostic| {
            let path = opts.path_of(diagnostic);
            let start = diagnostic.start_location();
            let end = diagnostic.end_location();
            Issue {
                check_name: diagnostic.code,
                description: format!("{} {}", diagnostic.code, diagnostic.message),
                fingerprint: unique_fingerprint(diagnostic, &path, &mut seen),
                location: IssueLocation {
                    path,
                    lines: Lines {
                        begin: start.row,
                        end: end.row,
                    },
                },
                severity: match diagnostic.severity {
                    Severity::Error => "blocker",
                    Severity::Warning => "major",
                },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

/// GitLab matches issues between the base and the merge request by fingerprint, so it must not
/// depend on line numbers (editing code above a finding would make it look new). It hashes what
/// identifies the finding instead: path, code, message and the flagged line's text without its
/// indentation. Identical findings on identical lines are told apart by a counter, in output
/// order, because GitLab expects fingerprints to be unique within a report.
fn unique_fingerprint(diagnostic: &Diagnostic, path: &str, seen: &mut HashSet<u64>) -> String {
    let line = diagnostic
        .file
        .line_text(diagnostic.start_location().row)
        .trim();
    let mut hash = Fnv1a::default();
    for part in [path, diagnostic.code, &diagnostic.message, line] {
        hash.write(part.as_bytes());
        // A separator keeps ("ab", "c") and ("a", "bc") apart.
        hash.write(&[0]);
    }
    let base = hash.0;
    let mut fingerprint = base;
    let mut salt: u64 = 0;
    while !seen.insert(fingerprint) {
        salt += 1;
        let mut salted = Fnv1a(base);
        salted.write(&salt.to_le_bytes());
        fingerprint = salted.0;
    }
    format!("{fingerprint:016x}")
}

/// FNV-1a, 64 bits: tiny and stable across Rust versions and platforms, unlike std's hashers.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fnv1a;

    #[test]
    fn fnv1a_known_values() {
        let hash = |text: &str| {
            let mut h = Fnv1a::default();
            h.write(text.as_bytes());
            h.0
        };
        // Reference values from the FNV specification's test suite.
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }
}
