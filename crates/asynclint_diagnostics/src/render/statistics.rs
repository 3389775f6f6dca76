//! `--statistics`: how many diagnostics each rule produced.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::is_fixable;
use crate::Diagnostic;

#[derive(Serialize)]
struct RuleCount {
    code: &'static str,
    name: &'static str,
    count: usize,
    /// At least one of the rule's diagnostics has a fix.
    fixable: bool,
}

/// Counts per rule, most frequent first (ties by code). Text rows look like
/// `12  AIO100  [*] blocking-sleep`, aligned; `format_json` prints an array of
/// `{code, name, count, fixable}` instead.
pub fn render_statistics(
    diagnostics: &[Diagnostic],
    format_json: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let counts = count(diagnostics);
    if format_json {
        serde_json::to_writer_pretty(&mut *out, &counts)?;
        return writeln!(out);
    }
    let count_width = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(0);
    let code_width = counts.iter().map(|c| c.code.len()).max().unwrap_or(0);
    // Keep names aligned: reserve the marker's width only when some rule has one.
    let any_fixable = counts.iter().any(|c| c.fixable);
    for c in &counts {
        let marker = match (c.fixable, any_fixable) {
            (true, _) => "[*] ",
            (false, true) => "    ",
            (false, false) => "",
        };
        writeln!(
            out,
            "{:>count_width$}  {:<code_width$}  {marker}{}",
            c.count, c.code, c.name
        )?;
    }
    Ok(())
}

fn count(diagnostics: &[Diagnostic]) -> Vec<RuleCount> {
    let mut by_code: HashMap<&str, RuleCount> = HashMap::new();
    for diagnostic in diagnostics {
        let entry = by_code.entry(diagnostic.code).or_insert(RuleCount {
            code: diagnostic.code,
            name: diagnostic.name,
            count: 0,
            fixable: false,
        });
        entry.count += 1;
        entry.fixable |= is_fixable(diagnostic, false);
    }
    let mut counts: Vec<RuleCount> = by_code.into_values().collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(b.code)));
    counts
}
