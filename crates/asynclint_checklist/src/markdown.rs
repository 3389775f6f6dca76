//! `--output-format markdown` (the default): fits a pull-request comment. A one-line summary,
//! then one table per section with ✓/✗/–/? marks; failing items list their first findings with
//! a count, the others their evidence.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::report::{Count, Finding, Item, Report, Status};

/// Findings listed per failing item (the JSON report has all of them).
const FINDINGS_SHOWN: usize = 3;
/// Counts listed per item.
const COUNTS_SHOWN: usize = 4;
/// Locations listed per count.
const EXAMPLES_SHOWN: usize = 3;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(to_string(report).as_bytes())
}

pub fn to_string(report: &Report) -> String {
    let mut s = String::new();
    let project = &report.project;
    let _ = writeln!(s, "## asynclint checklist: `{}`\n", code_text(&report.path));
    let _ = writeln!(
        s,
        "**{}** · {} items · {} Python file{} ({} test{}) · {} finding{}\n",
        report.summary.line(),
        report.summary.total,
        project.files,
        plural(project.files),
        project.test_files,
        plural(project.test_files),
        project.findings,
        plural(project.findings),
    );
    let _ = writeln!(
        s,
        "<sub>✓ pass · ✗ fail · – n/a (the pattern does not occur) · ? manual (review by hand) · \
         asynclint {}</sub>\n",
        report.version
    );
    for section in &report.sections {
        let items: Vec<&Item> = report
            .items
            .iter()
            .filter(|i| i.section == section.id)
            .collect();
        let marks: Vec<String> = Status::ALL
            .iter()
            .filter(|status| section.counts.get(**status) > 0)
            .map(|status| format!("{} {}", status.mark(), section.counts.get(*status)))
            .collect();
        let _ = writeln!(s, "### {} ({})\n", section.title, marks.join(" "));
        s.push_str("| | Item | Evidence |\n|:-:|---|---|\n");
        for item in items {
            let _ = writeln!(
                s,
                "| {} | {}<br>`{}` | {} |",
                item.status.mark(),
                cell(item.title),
                item.id,
                evidence_cell(item)
            );
        }
        s.push('\n');
    }
    footer(report, &mut s);
    s
}

fn evidence_cell(item: &Item) -> String {
    let mut parts = vec![cell(&item.evidence.note)];
    if item.status == Status::Fail {
        for finding in item.findings.iter().take(FINDINGS_SHOWN) {
            parts.push(finding_line(finding));
        }
        if item.findings.len() > FINDINGS_SHOWN {
            parts.push(format!(
                "… and {} more",
                item.findings.len() - FINDINGS_SHOWN
            ));
        }
    }
    if item.status != Status::NotApplicable && item.status != Status::Fail
        || (item.status == Status::Fail && item.findings.is_empty())
    {
        let counts: Vec<String> = item
            .evidence
            .counts
            .iter()
            .take(COUNTS_SHOWN)
            .map(count_text)
            .collect();
        if !counts.is_empty() {
            parts.push(counts.join("; "));
        }
    }
    parts.join("<br>")
}

fn finding_line(finding: &Finding) -> String {
    format!(
        "`{}` {} {}",
        code_text(&finding.location()),
        finding.code,
        cell(&short_message(&finding.message))
    )
}

fn count_text(count: &Count) -> String {
    // One declaration or setting: its location is the evidence.
    let single = count.key.starts_with("dependency:") || count.key.starts_with("config:");
    let mut text = if single {
        cell(&count.label)
    } else {
        format!("{}: {}", cell(&count.label), count.count)
    };
    let shown: Vec<String> = count
        .examples
        .iter()
        .take(EXAMPLES_SHOWN)
        .map(|location| {
            let place = format!("`{}`", code_text(&location.display()));
            match &location.detail {
                Some(detail) if count.shows_details() => {
                    format!("{place} `{}`", code_text(detail))
                }
                _ => place,
            }
        })
        .collect();
    if !shown.is_empty() {
        let rest = usize::try_from(count.count)
            .unwrap_or(usize::MAX)
            .saturating_sub(shown.len());
        let tail = if rest > 0 && !single {
            format!(", … {rest} more")
        } else {
            String::new()
        };
        let _ = write!(text, " ({}{tail})", shown.join(", "));
    }
    text
}

fn footer(report: &Report, s: &mut String) {
    let project = &report.project;
    let mut lines = Vec::new();
    if project.dependency_sources.is_empty() {
        lines.push("Dependencies: no declaration found.".to_string());
    } else {
        lines.push(format!(
            "Dependencies: {} from {}.",
            project.dependencies.len(),
            project
                .dependency_sources
                .iter()
                .map(|p| format!("`{}`", code_text(p)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(pytest) = &project.pytest {
        let config = match &pytest.config {
            Some(path) => format!("`{}`", code_text(path)),
            None => "none found".to_string(),
        };
        lines.push(format!(
            "pytest configuration: {config}; `asyncio_mode = {}`.",
            pytest.asyncio_mode
        ));
    }
    if !project.unmapped_findings.is_empty() {
        let codes: Vec<String> = project
            .unmapped_findings
            .iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect();
        lines.push(format!(
            "Findings of rules no item maps: {} (see `asynclint check`).",
            codes.join(", ")
        ));
    }
    if !project.problems.is_empty() {
        let shown: Vec<String> = project
            .problems
            .iter()
            .take(FINDINGS_SHOWN)
            .map(|p| format!("`{}` {}", code_text(&p.location()), p.code))
            .collect();
        lines.push(format!(
            "Not analysed: {} file{} ({}).",
            project.problems.len(),
            plural(project.problems.len()),
            shown.join(", ")
        ));
    }
    s.push_str(&lines.join("<br>\n"));
    s.push('\n');
}

/// The first clause of a message: the part before `: `, when it says enough.
fn short_message(message: &str) -> String {
    let clause = match message.find(": ") {
        Some(i) if i >= 20 => &message[..i],
        _ => message,
    };
    if clause.chars().count() > 140 {
        let mut short: String = clause.chars().take(139).collect();
        short.push('…');
        short
    } else {
        clause.to_string()
    }
}

/// Text for a table cell: one line, `|` escaped, `<`/`>` escaped outside code spans (GitHub
/// would read them as HTML; inside backticks they are shown as written).
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text placed inside backticks by us.
fn code_text(text: &str) -> String {
    text.replace('|', "\\|").replace('`', "'")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
