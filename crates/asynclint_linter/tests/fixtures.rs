//! Fixture harness: every rule has `resources/test/fixtures/<family>/<CODE>.py` whose lines
//! carry inline markers (`# error: [rule-name]`) for each diagnostic they must produce. The test
//! fails when a marker is not matched or an unmarked line reports; then the rendered output is
//! snapshotted so message changes are reviewed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use asynclint_linter::{LinterSettings, Rule, lint_str};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures")
}

pub fn fixture_path(rule: Rule) -> PathBuf {
    let (family, _) = rule.source_path();
    fixtures_dir()
        .join(family)
        .join(format!("{}.py", rule.code()))
}

/// `line -> [rule names]` from `# error: [name] [name]` markers.
fn expected_markers(source: &str) -> BTreeMap<usize, Vec<String>> {
    let mut expected: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, line) in source.lines().enumerate() {
        let Some(pos) = line.find("# error:") else {
            continue;
        };
        let rest = &line[pos + "# error:".len()..];
        let mut names: Vec<String> = Vec::new();
        for part in rest.split('[').skip(1) {
            if let Some(end) = part.find(']') {
                names.push(part[..end].trim().to_string());
            }
        }
        names.sort();
        expected.insert(i + 1, names);
    }
    expected
}

fn render(source_path: &Path, diagnostics: &[asynclint_linter::diagnostics::Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let start = d.start_location();
        let end = d.end_location();
        out.push_str(&format!(
            "{}:{}:{}-{}:{}: {} [{}] {}\n",
            source_path.file_name().unwrap().to_string_lossy(),
            start.row,
            start.column,
            end.row,
            end.column,
            d.code,
            d.name,
            d.message
        ));
        let line = d.file.line_text(start.row);
        out.push_str(&format!("    | {}\n", line.trim_end()));
        if let Some(help) = &d.help {
            out.push_str(&format!("    = help: {help}\n"));
        }
        if let Some(fix) = &d.fix {
            out.push_str(&format!(
                "    = fix ({:?}): {}\n",
                fix.applicability, fix.message
            ));
            for edit in &fix.edits {
                let s = d.file.location(edit.range.start());
                let e = d.file.location(edit.range.end());
                out.push_str(&format!(
                    "      {}:{}-{}:{} -> {:?}\n",
                    s.row, s.column, e.row, e.column, edit.content
                ));
            }
        }
    }
    out
}

/// Run one rule over its fixture; return the rendered output or a description of mismatches.
pub fn check_fixture(rule: Rule) -> Result<String, String> {
    let path = fixture_path(rule);
    let source = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: missing fixture {}: {e}", rule.code(), path.display()))?;
    let mut settings = LinterSettings::for_rules([rule]);
    if let Some(target) = target_override(&source) {
        settings.target_version = target;
    }
    if let Some(mode) = asyncio_mode_override(&source) {
        settings.asyncio_mode = asynclint_linter::ProjectAsyncioMode::known(mode);
    }
    // Rules that only look at test modules need a test file name (`# filename: test_x.py`).
    let lint_path =
        filename_override(&source).map_or_else(|| path.clone(), |n| path.with_file_name(n));
    let diagnostics = lint_str(&lint_path, &source, &settings);

    let mut actual: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for d in &diagnostics {
        actual
            .entry(d.start_location().row)
            .or_default()
            .push(d.name.to_string());
    }
    for names in actual.values_mut() {
        names.sort();
    }
    let expected = expected_markers(&source);
    let mut problems = Vec::new();
    for (line, names) in &expected {
        match actual.get(line) {
            Some(got) if got == names => {}
            Some(got) => problems.push(format!("line {line}: expected {names:?}, got {got:?}")),
            None => problems.push(format!(
                "line {line}: expected {names:?}, nothing reported: `{}`",
                source.lines().nth(line - 1).unwrap_or("").trim()
            )),
        }
    }
    for (line, got) in &actual {
        if !expected.contains_key(line) {
            problems.push(format!(
                "line {line}: unexpected {got:?}: `{}`",
                source.lines().nth(line - 1).unwrap_or("").trim()
            ));
        }
    }
    if expected.is_empty() {
        problems.push("fixture has no `# error:` markers: every fixture needs positives".into());
    }
    if !source.contains("# --- must not trigger ---") && rule != Rule::SyntaxError {
        problems.push("fixture has no `# --- must not trigger ---` section".into());
    }
    if problems.is_empty() {
        Ok(render(&path, &diagnostics))
    } else {
        Err(format!(
            "{} ({}):\n  {}",
            rule.code(),
            path.display(),
            problems.join("\n  ")
        ))
    }
}

/// A fixture may pin the target version with `# target-version: py311` on its first lines.
fn target_override(source: &str) -> Option<asynclint_linter::TargetVersion> {
    source
        .lines()
        .take(5)
        .find_map(|l| l.trim().strip_prefix("# target-version:"))
        .and_then(|v| asynclint_linter::TargetVersion::parse(v.trim()))
}

/// A fixture may pin pytest-asyncio's mode with `# asyncio-mode: auto` (default: strict).
fn asyncio_mode_override(source: &str) -> Option<asynclint_linter::AsyncioMode> {
    let mode = source
        .lines()
        .take(5)
        .find_map(|l| l.trim().strip_prefix("# asyncio-mode:"))?;
    match mode.trim() {
        "auto" => Some(asynclint_linter::AsyncioMode::Auto),
        "strict" => Some(asynclint_linter::AsyncioMode::Strict),
        other => panic!("unknown `# asyncio-mode: {other}`"),
    }
}

/// A fixture may be linted under another file name with `# filename: test_x.py`.
fn filename_override(source: &str) -> Option<String> {
    source
        .lines()
        .take(5)
        .find_map(|l| l.trim().strip_prefix("# filename:"))
        .map(|n| n.trim().to_string())
}

#[test]
fn rule_fixtures() {
    let mut failures = Vec::new();
    for rule in Rule::ALL.iter().copied().filter(|r| !r.is_project_only()) {
        match check_fixture(rule) {
            Ok(output) => {
                insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
                    insta::assert_snapshot!(rule.code(), output);
                });
            }
            Err(problem) => failures.push(problem),
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

/// Run a single rule's fixture: `ASYNCLINT_RULE=AIO100 cargo test -p asynclint_linter one_fixture`.
#[test]
fn one_fixture() {
    let Ok(code) = std::env::var("ASYNCLINT_RULE") else {
        return;
    };
    let rule = Rule::from_code(&code).expect("known code");
    match check_fixture(rule) {
        Ok(output) => {
            println!("{output}");
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(rule.code(), output);
            });
        }
        Err(problem) => panic!("{problem}"),
    }
}
