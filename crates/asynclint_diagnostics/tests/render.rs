//! Snapshots of every output format over one set of diagnostics that covers the awkward cases:
//! help + safe fix, unsafe fix, multi-line and very long spans, an error, tabs and non-ASCII
//! text before a span, and a 5000-character line.

use std::sync::Arc;

use asynclint_diagnostics::{
    Diagnostic, Edit, Fix, OutputFormat, RenderOptions, RuleMeta, Severity, SourceFile, TextRange,
    TextSize, render, render_statistics,
};
use serde_json::Value;

const RULES: &[RuleMeta] = &[
    rule("AIO001", "syntax-error", "File does not parse"),
    rule("AIO100", "blocking-sleep", "`time.sleep` in async function"),
    rule(
        "AIO103",
        "blocking-file-io",
        "Blocking file I/O in async function",
    ),
    rule(
        "AIO200",
        "unawaited-coroutine",
        "Coroutine is never awaited",
    ),
];

const fn rule(code: &'static str, name: &'static str, summary: &'static str) -> RuleMeta {
    RuleMeta {
        code,
        name,
        summary,
        docs: "## What it does\nChecks for things.\n\n## Why is this bad?\nIt blocks the loop.\n",
        default_enabled: true,
        fixable: false,
    }
}

const APP: &str = "\
import time
import asyncio


async def main():
    time.sleep(1)
    x = compute(
        1,
        2,
    )
    return x
";

const FOLD: &str = "\
async def run():
    fetch(
        1,
        2,
        3,
        4,
        5,
        6,
    )
";

const BROKEN: &str = "def f(:\n    pass\n";

const TABS: &str = "async def f():\n\tname = 'héllo'; time.sleep(2)\n";

/// The `needle`-th occurrence's byte range in `text`.
fn range_of(text: &str, needle: &str) -> TextRange {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in source"));
    TextRange::at(TextSize::try_from(start).unwrap(), TextSize::of(needle))
}

fn sleep(file: &Arc<SourceFile>, needle: &str) -> Diagnostic {
    Diagnostic::new(
        "AIO100",
        "blocking-sleep",
        "Blocking call `time.sleep` in async function",
        range_of(file.text(), needle),
        file.clone(),
    )
}

fn long_source() -> String {
    let before = "0, ".repeat(1500);
    let after = "1, ".repeat(200);
    format!("async def g():\n    data = [{before}]; time.sleep(3); more = [{after}]\n")
}

fn diagnostics() -> Vec<Diagnostic> {
    let app = SourceFile::new("/project/src/app.py", APP);
    let fold = SourceFile::new("/project/src/fold.py", FOLD);
    let broken = SourceFile::new("/project/broken.py", BROKEN);
    let tabs = SourceFile::new("/project/tabs.py", TABS);
    let long = SourceFile::new("/elsewhere/long.py", long_source());

    let sleep_range = range_of(APP, "time.sleep(1)");
    let call = range_of(APP, "compute(\n        1,\n        2,\n    )");
    let fold_call = TextRange::new(
        range_of(FOLD, "fetch(").start(),
        range_of(FOLD, "    )").end(),
    );
    let mut diagnostics = vec![
        sleep(&app, "time.sleep(1)")
            .with_help("Use `await asyncio.sleep(...)` instead")
            .with_fix(Some(Fix::safe(
                "Replace with `await asyncio.sleep(1)`",
                vec![Edit::replacement("await asyncio.sleep(1)", sleep_range)],
            ))),
        Diagnostic::new(
            "AIO200",
            "unawaited-coroutine",
            "Coroutine `compute()` is created but never awaited",
            call,
            app.clone(),
        )
        .with_help("Add `await`")
        .with_fix(Some(Fix::unsafe_(
            "Insert `await`",
            vec![Edit::insertion("await ", call.start())],
        ))),
        Diagnostic::new(
            "AIO200",
            "unawaited-coroutine",
            "Coroutine `fetch()` is created but never awaited",
            fold_call,
            fold.clone(),
        ),
        Diagnostic::new(
            "AIO001",
            "syntax-error",
            "SyntaxError: Expected ')', found ':'",
            range_of(BROKEN, ":"),
            broken.clone(),
        )
        .with_severity(Severity::Error),
        sleep(&tabs, "time.sleep(2)"),
        sleep(&long, "time.sleep(3)").with_help("Use `await asyncio.sleep(...)` instead"),
    ];
    // Renderers print in the order given; the linter sorts before rendering, so do the same.
    diagnostics.sort_by(Diagnostic::sort_key_cmp);
    diagnostics
}

fn options() -> RenderOptions {
    RenderOptions {
        tool_version: "0.0.0-test".to_string(),
        cwd: Some("/project".into()),
        ..RenderOptions::default()
    }
}

fn rendered(format: OutputFormat, diagnostics: &[Diagnostic], opts: &RenderOptions) -> String {
    let mut out = Vec::new();
    render(format, diagnostics, RULES, opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn snapshot_every_format() {
    let diagnostics = diagnostics();
    for &format in OutputFormat::ALL {
        let output = rendered(format, &diagnostics, &options());
        insta::assert_snapshot!(format.name(), output);
    }
}

#[test]
fn full_with_color() {
    let opts = RenderOptions {
        color: true,
        ..options()
    };
    let app: Vec<_> = diagnostics()
        .into_iter()
        .filter(|d| d.file.path().ends_with("app.py"))
        .collect();
    // Escapes are spelled out so the snapshot file stays plain text.
    let output = rendered(OutputFormat::Full, &app, &opts).replace('\x1b', "\\e");
    insta::assert_snapshot!(output);
}

#[test]
fn statistics() {
    let diagnostics = diagnostics();
    let mut text = Vec::new();
    render_statistics(&diagnostics, false, &mut text).unwrap();
    insta::assert_snapshot!("statistics_text", String::from_utf8(text).unwrap());
    let mut json = Vec::new();
    render_statistics(&diagnostics, true, &mut json).unwrap();
    insta::assert_snapshot!("statistics_json", String::from_utf8(json).unwrap());
}

#[test]
fn long_lines_are_truncated() {
    let diagnostics = diagnostics();
    let long: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.file.path().ends_with("long.py"))
        .cloned()
        .collect();
    let output = rendered(OutputFormat::Full, &long, &options());
    assert!(
        output.len() < 1500,
        "full output of a 5000-char line is {} bytes",
        output.len()
    );
    assert!(
        output.starts_with("/elsewhere/long.py:2:4516: AIO100"),
        "{output}"
    );

    // A 1 MB one-line file prints a frame of a few hundred bytes, wherever the span is.
    let huge = SourceFile::new("/project/huge.py", "x".repeat(1 << 20));
    for start in [0u32, 1 << 19, (1 << 20) - 1] {
        let range = TextRange::at(TextSize::new(start), TextSize::new(1));
        let diagnostic = Diagnostic::new("AIO100", "blocking-sleep", "m", range, huge.clone());
        let output = rendered(OutputFormat::Full, &[diagnostic], &options());
        assert!(output.len() < 600, "{} bytes at {start}", output.len());
    }
}

#[test]
fn columns_count_characters() {
    let diagnostics = diagnostics();
    let tabs = diagnostics
        .iter()
        .find(|d| d.file.path().ends_with("tabs.py"))
        .unwrap();
    // `\tname = 'héllo'; ` is 17 characters (19 bytes): the span starts at column 18.
    assert_eq!(tabs.start_location().column, 18);
    let concise = rendered(
        OutputFormat::Concise,
        std::slice::from_ref(tabs),
        &options(),
    );
    assert_eq!(
        concise,
        "tabs.py:2:18: AIO100 Blocking call `time.sleep` in async function\n"
    );
}

#[test]
fn json_round_trips_with_ruff_keys() {
    let diagnostics = diagnostics();
    let output = rendered(OutputFormat::Json, &diagnostics, &options());
    let Value::Array(objects) = serde_json::from_str(&output).unwrap() else {
        panic!("not an array: {output}");
    };
    assert_eq!(objects.len(), diagnostics.len());
    let keys = [
        "cell",
        "code",
        "end_location",
        "filename",
        "fix",
        "help",
        "location",
        "message",
        "name",
        "noqa_row",
        "url",
    ];
    for object in &objects {
        let mut found: Vec<_> = object
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        found.sort_unstable();
        assert_eq!(found, keys);
        assert!(object["location"]["row"].is_u64() && object["location"]["column"].is_u64());
    }
    // Keys are written in sorted order, as Ruff does: read the first object's top-level keys
    // (indented by four spaces in the pretty output) in the order they appear.
    let first_object = &output[..output.find("\n  }").unwrap()];
    let written: Vec<_> = first_object
        .lines()
        .filter_map(|line| line.strip_prefix("    \""))
        .filter_map(|line| line.split_once('"').map(|(key, _)| key))
        .collect();
    assert_eq!(written, keys);

    let sleep = objects
        .iter()
        .find(|o| o["filename"] == "src/app.py" && o["code"] == "AIO100")
        .unwrap();
    assert_eq!(sleep["fix"]["applicability"], "safe");
    assert_eq!(
        sleep["fix"]["edits"][0]["content"],
        "await asyncio.sleep(1)"
    );
    assert_eq!(sleep["url"], "https://asynclint.dev/rules/aio100");
    let call = objects.iter().find(|o| o["code"] == "AIO200").unwrap();
    assert_eq!(call["fix"]["applicability"], "unsafe");

    let lines = rendered(OutputFormat::JsonLines, &diagnostics, &options());
    let from_lines: Vec<Value> = lines
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(from_lines, objects);
}

#[test]
fn sarif_rule_index_points_at_the_rule() {
    let diagnostics = diagnostics();
    let output = rendered(OutputFormat::Sarif, &diagnostics, &options());
    let sarif: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        RULES.len(),
        "every rule is listed, reported or not"
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    for result in results {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let expected_level = if result["ruleId"] == "AIO001" {
            "error"
        } else {
            "warning"
        };
        assert_eq!(result["level"], expected_level);
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.contains('\\'));
    }
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
}

#[test]
fn github_escapes_data_and_properties() {
    let file = SourceFile::new("/project/dir,with:colon/a.py", "x = 1\n");
    let diagnostic = Diagnostic::new(
        "AIO100",
        "blocking-sleep",
        "50% done\r\nnext: a, b",
        TextRange::at(TextSize::new(0), TextSize::new(1)),
        file,
    );
    let output = rendered(OutputFormat::Github, &[diagnostic], &options());
    assert_eq!(
        output,
        "::warning title=asynclint (AIO100),file=dir%2Cwith%3Acolon/a.py,line=1,col=1,endLine=1,endColumn=2\
         ::dir,with:colon/a.py:1:1: AIO100 50%25 done%0D%0Anext: a, b\n"
    );
}

#[test]
fn empty_input() {
    let opts = options();
    for &format in OutputFormat::ALL {
        let output = rendered(format, &[], &opts);
        match format {
            OutputFormat::Json | OutputFormat::Gitlab => assert_eq!(output, "[]\n", "{format}"),
            OutputFormat::Sarif => {
                let sarif: Value = serde_json::from_str(&output).unwrap();
                assert_eq!(sarif["runs"][0]["results"], Value::Array(vec![]));
                assert_eq!(
                    sarif["runs"][0]["tool"]["driver"]["rules"]
                        .as_array()
                        .unwrap()
                        .len(),
                    RULES.len()
                );
            }
            OutputFormat::Full
            | OutputFormat::Concise
            | OutputFormat::JsonLines
            | OutputFormat::Github => {
                assert_eq!(output, "", "{format}");
            }
        }
    }
    let mut text = Vec::new();
    render_statistics(&[], false, &mut text).unwrap();
    assert!(text.is_empty());
    let mut json = Vec::new();
    render_statistics(&[], true, &mut json).unwrap();
    assert_eq!(json, b"[]\n");
}

#[test]
fn gitlab_fingerprints_ignore_line_numbers_and_stay_unique() {
    let fingerprints = |text: &str| -> Vec<String> {
        let file = SourceFile::new("/project/a.py", text.to_string());
        let diagnostics: Vec<_> = text
            .match_indices("time.sleep(1)")
            .map(|(start, needle)| {
                let range = TextRange::at(TextSize::try_from(start).unwrap(), TextSize::of(needle));
                Diagnostic::new("AIO100", "blocking-sleep", "Blocking", range, file.clone())
            })
            .collect();
        let output = rendered(OutputFormat::Gitlab, &diagnostics, &options());
        let issues: Vec<Value> = serde_json::from_str(&output).unwrap();
        issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let before = fingerprints("time.sleep(1)\ntime.sleep(1)\n");
    let after = fingerprints("\n\n    time.sleep(1)\ntime.sleep(1)\n");
    assert_eq!(before.len(), 2);
    assert_ne!(before[0], before[1], "duplicates get distinct fingerprints");
    assert_eq!(
        before, after,
        "moving or re-indenting code keeps fingerprints"
    );
}

#[test]
fn format_names_round_trip() {
    for &format in OutputFormat::ALL {
        assert_eq!(OutputFormat::from_name(format.name()), Some(format));
    }
    assert_eq!(
        OutputFormat::from_name("json-lines"),
        Some(OutputFormat::JsonLines)
    );
    assert_eq!(OutputFormat::from_name("text"), None);
}
