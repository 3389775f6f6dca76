//! `asynclint rule CODE|NAME`, `asynclint rule --all` and the hidden `generate-docs`, which
//! writes `docs/rules.md` from the same text.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use asynclint_linter::{FixAvailability, Rule};
use serde::Serialize;

use crate::args::{GenerateDocsArgs, RuleArgs, RuleFormat};
use crate::commands::ExitStatus;

/// Where `generate-docs` writes by default: the workspace's `docs/rules.md`.
pub const RULES_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");

/// The command that regenerates `docs/rules.md`.
pub const REGENERATE: &str = "cargo run -p asynclint -- generate-docs";

#[derive(Serialize)]
struct RuleJson {
    code: &'static str,
    name: &'static str,
    default_enabled: bool,
    /// `none`, `safe`, `unsafe` or `sometimes`.
    fix: &'static str,
    summary: &'static str,
    docs: &'static str,
}

impl RuleJson {
    fn new(rule: Rule) -> Self {
        Self {
            code: rule.code(),
            name: rule.name(),
            default_enabled: rule.default_enabled(),
            fix: fix_name(rule.fix_availability()),
            summary: rule.summary(),
            docs: rule.docs(),
        }
    }
}

pub fn rule(args: &RuleArgs) -> Result<ExitStatus> {
    let text = if args.all {
        match args.output_format {
            RuleFormat::Text => rule_table(),
            RuleFormat::Json => {
                let rules: Vec<RuleJson> = Rule::ALL.iter().copied().map(RuleJson::new).collect();
                serde_json::to_string_pretty(&rules)? + "\n"
            }
        }
    } else {
        let query = args.rule.as_deref().unwrap_or_default();
        let Some(rule) = Rule::from_code(query).or_else(|| Rule::from_name(query)) else {
            // The codes only `asynclint run` reports (docs/runtime.md).
            if let Some(meta) = asynclint_runtime::codes::ALL
                .iter()
                .find(|m| m.code.eq_ignore_ascii_case(query) || m.name == query)
            {
                let text = match args.output_format {
                    RuleFormat::Text => format!(
                        "# {} ({})\n\nReported by `asynclint run` only.\n\n{}",
                        meta.name, meta.code, meta.docs
                    ),
                    RuleFormat::Json => {
                        serde_json::to_string_pretty(&serde_json::json!({
                            "code": meta.code,
                            "name": meta.name,
                            "default_enabled": meta.default_enabled,
                            "fix": "none",
                            "summary": meta.summary,
                            "docs": meta.docs,
                            "runtime_only": true,
                        }))? + "\n"
                    }
                };
                write_stdout(&text)?;
                return Ok(ExitStatus::Success);
            }
            bail!(
                "unknown rule `{query}`: expected a rule code (`AIO100`) or name (`blocking-sleep`); `asynclint rule --all` lists them"
            );
        };
        match args.output_format {
            RuleFormat::Text => rule_markdown(rule, 1),
            RuleFormat::Json => serde_json::to_string_pretty(&RuleJson::new(rule))? + "\n",
        }
    };
    write_stdout(&text)?;
    Ok(ExitStatus::Success)
}

pub fn generate_docs(args: &GenerateDocsArgs) -> Result<ExitStatus> {
    let text = rules_reference();
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(RULES_MD));
    if path == Path::new("-") {
        write_stdout(&text)?;
    } else {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(ExitStatus::Success)
}

/// A rule's page: `# blocking-sleep (AIO100)`, whether it is on by default, its fix, then its
/// documentation with headings moved under the title (`heading_level` is the title's level).
pub fn rule_markdown(rule: Rule, heading_level: usize) -> String {
    let hashes = "#".repeat(heading_level);
    let default = if rule.default_enabled() {
        "Enabled by default.".to_string()
    } else {
        format!(
            "Not enabled by default: turn it on with `--extend-select {}` or `extend-select = [\"{}\"]`.",
            rule.code(),
            rule.code()
        )
    };
    let fix = match rule.fix_availability() {
        FixAvailability::None => "No fix is available.",
        FixAvailability::Safe => "A safe fix is available.",
        FixAvailability::Unsafe => "An unsafe fix is available (see Fix safety).",
        FixAvailability::Sometimes => {
            "A fix is sometimes available; its safety depends on the code (see Fix safety)."
        }
    };
    format!(
        "{hashes} {} ({})\n\n{default}\n\n{fix}\n\n{}\n",
        rule.name(),
        rule.code(),
        shift_headings(rule.docs(), heading_level - 1)
    )
}

/// `docs/rules.md`: a table of every rule, then each rule's page.
pub fn rules_reference() -> String {
    let mut out = format!(
        "# Rules\n\n<!-- Generated from the rule registry by `{REGENERATE}`. Do not edit. -->\n\n\
         | Code | Name | Default | Fix | Summary |\n| --- | --- | --- | --- | --- |\n"
    );
    for rule in Rule::ALL.iter().copied() {
        out.push_str(&format!(
            "| [{code}](#{anchor}) | `{name}` | {default} | {fix} | {summary} |\n",
            code = rule.code(),
            anchor = anchor(rule),
            name = rule.name(),
            default = if rule.default_enabled() { "on" } else { "off" },
            fix = fix_name(rule.fix_availability()),
            summary = rule.summary().replace('|', "\\|"),
        ));
    }
    for rule in Rule::ALL.iter().copied() {
        out.push('\n');
        out.push_str(&rule_markdown(rule, 2));
    }
    out
}

/// The anchor GitHub derives from the heading `## blocking-sleep (AIO100)`.
fn anchor(rule: Rule) -> String {
    format!("{}-{}", rule.name(), rule.code().to_ascii_lowercase())
}

/// The aligned text table of `rule --all`.
fn rule_table() -> String {
    let rows: Vec<[&str; 5]> = std::iter::once(["CODE", "NAME", "DEFAULT", "FIX", "SUMMARY"])
        .chain(Rule::ALL.iter().map(|rule| {
            [
                rule.code(),
                rule.name(),
                if rule.default_enabled() { "on" } else { "off" },
                fix_name(rule.fix_availability()),
                rule.summary(),
            ]
        }))
        .collect();
    let mut widths = [0; 4];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(&format!("{cell:<width$}  "));
        }
        line.push_str(row[4]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn fix_name(fix: FixAvailability) -> &'static str {
    match fix {
        FixAvailability::None => "none",
        FixAvailability::Safe => "safe",
        FixAvailability::Unsafe => "unsafe",
        FixAvailability::Sometimes => "sometimes",
    }
}

/// Adds `by` levels to every Markdown heading outside fenced code blocks (where `#` starts a
/// Python comment).
fn shift_headings(markdown: &str, by: usize) -> String {
    let extra = "#".repeat(by);
    let mut in_fence = false;
    let mut out = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && line.starts_with('#') {
            out.push_str(&extra);
        }
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_shift_outside_code() {
        let text = "## What it does\nx\n```python\n# comment\n```\n## Example";
        assert_eq!(
            shift_headings(text, 1),
            "### What it does\nx\n```python\n# comment\n```\n### Example"
        );
    }

    #[test]
    fn every_rule_has_a_page() {
        for rule in Rule::ALL {
            let page = rule_markdown(*rule, 1);
            assert!(page.starts_with(&format!("# {} ({})\n", rule.name(), rule.code())));
        }
    }
}
