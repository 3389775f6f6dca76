//! The checklist report (`asynclint checklist`): the Python Async Patterns Checklist filled in
//! for one project.
//!
//! Input: the diagnostics of a run with every rule enabled, the per-file pattern counts the
//! linter collected in the same pass ([`asynclint_linter::facts`]), and the project's files
//! (dependencies, pytest and type-checker configuration). Output: a [`Report`] with every
//! item of [`items::ITEMS`], in order, and renderers for Markdown, JSON and HTML.

pub mod deps;
mod evaluate;
pub mod facts;
pub mod html;
pub mod items;
pub mod json;
pub mod markdown;
pub mod report;

use std::collections::BTreeMap;
use std::path::Path;

use asynclint_diagnostics::Diagnostic;
use asynclint_linter::facts::Fact;

pub use facts::FileInput;
pub use report::{Report, Status};

use crate::facts::{ProjectFacts, Scope};
use crate::report::{Finding, PytestInfo, Section, StatusCounts};

/// Everything the report is built from.
pub struct Input<'a> {
    /// The analysed path as the user gave it (shown in the title).
    pub path: String,
    /// The project root: dependencies, pytest and type-checker configuration are read here.
    pub root: &'a Path,
    /// One entry per analysed file (any order).
    pub files: Vec<FileInput>,
    /// Findings of a run with every rule enabled.
    pub diagnostics: &'a [Diagnostic],
    /// Turns an absolute path into the path shown in the report.
    pub display: &'a dyn Fn(&Path) -> String,
}

/// Codes that mean "this file could not be analysed", not a finding.
const PROBLEM_CODES: &[&str] = &["AIO001", "E902", "E999"];

pub fn build(input: Input) -> Report {
    let display = input.display;
    let mut files = input.files;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let facts = ProjectFacts::new(&files, display);
    let deps = deps::read(input.root, display);
    let type_checkers = deps::type_checkers(input.root, display);
    let pytest_config = asynclint_config::find_pytest_config(input.root);
    let pytest = PytestInfo {
        config: pytest_config.source.as_deref().map(display),
        asyncio_mode: pytest_config
            .asyncio_mode
            .clone()
            .unwrap_or_else(|| "strict".to_string()),
        asyncio_default_fixture_loop_scope: pytest_config.asyncio_default_fixture_loop_scope,
    };

    let mapped: std::collections::BTreeSet<&str> = items::ITEMS
        .iter()
        .flat_map(|item| item.rules.iter().copied())
        .collect();
    let mut findings: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    let mut finding_total = 0;
    for diagnostic in input.diagnostics {
        let finding = finding(diagnostic, display);
        if PROBLEM_CODES.contains(&diagnostic.code) {
            problems.push(finding);
            continue;
        }
        finding_total += 1;
        if !mapped.contains(diagnostic.code) {
            *unmapped.entry(diagnostic.code.to_string()).or_default() += 1;
        }
        findings
            .entry(diagnostic.code.to_string())
            .or_default()
            .push(finding);
    }

    let ctx = evaluate::Ctx {
        facts: &facts,
        deps: &deps,
        findings: &findings,
        pytest: &pytest,
        type_checkers: &type_checkers,
    };
    let mut report_items = Vec::with_capacity(items::ITEMS.len());
    for def in items::ITEMS {
        let item = evaluate::evaluate(&ctx, def, &report_items);
        report_items.push(item);
    }
    // Files that did not parse (or could not be read) have no facts but were found.
    let analysed: std::collections::BTreeSet<String> =
        files.iter().map(|f| display(&f.path)).collect();
    let unanalysed = problems
        .iter()
        .map(|p| p.path.as_str())
        .filter(|path| !analysed.contains(*path))
        .collect::<std::collections::BTreeSet<&str>>()
        .len();
    let mut summary = StatusCounts::default();
    let sections = items::SECTIONS
        .iter()
        .map(|section| {
            let mut counts = StatusCounts::default();
            for item in report_items.iter().filter(|i| i.section == section.id) {
                counts.add(item.status);
                summary.add(item.status);
            }
            Section {
                id: section.id,
                title: section.title,
                part: section.part,
                counts,
            }
        })
        .collect();

    Report {
        schema_version: report::SCHEMA_VERSION,
        tool: "asynclint",
        version: env!("CARGO_PKG_VERSION"),
        path: input.path,
        summary,
        project: report::ProjectInfo {
            files: facts.files + unanalysed,
            test_files: facts.test_files,
            async_functions: facts.count(Fact::AsyncDef, Scope::All),
            findings: finding_total,
            unmapped_findings: unmapped,
            problems,
            dependency_sources: deps.sources.iter().map(|p| display(p)).collect(),
            dependencies: deps.list.clone(),
            pytest: Some(pytest),
            type_checkers,
        },
        sections,
        items: report_items,
    }
}

fn finding(diagnostic: &Diagnostic, display: &dyn Fn(&Path) -> String) -> Finding {
    let start = diagnostic.start_location();
    let end = diagnostic.end_location();
    Finding {
        code: diagnostic.code.to_string(),
        name: diagnostic.name.to_string(),
        message: diagnostic.message.clone(),
        path: display(diagnostic.file.path()),
        line: start.row,
        column: start.column,
        end_line: end.row,
        end_column: end.column,
        help: diagnostic.help.clone(),
    }
}

impl Report {
    /// Any item failed (`--fail-on fail`).
    pub fn has_failures(&self) -> bool {
        self.summary.fail > 0
    }
}
