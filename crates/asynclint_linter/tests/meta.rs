//! Every rule is documented, named consistently, and has a fixture and a snapshot.

use std::path::Path;

use asynclint_linter::Rule;

const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "Use instead:",
];

#[test]
fn every_rule_is_complete() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    for rule in Rule::ALL.iter().copied() {
        let docs = rule.docs();
        for heading in HEADINGS {
            if !docs.contains(heading) {
                problems.push(format!("{}: docs lack `{heading}`", rule.code()));
            }
        }
        if rule.is_fixable() && !docs.contains("## Fix safety") {
            problems.push(format!(
                "{}: fixable rule docs lack `## Fix safety`",
                rule.code()
            ));
        }
        if docs.contains("PLACEHOLDER") {
            problems.push(format!("{}: placeholder docs", rule.code()));
        }
        if rule.summary().is_empty() {
            problems.push(format!("{}: empty summary", rule.code()));
        }
        // File name == snake_case(rule name) == check function name.
        let (family, module) = rule.source_path();
        let snake = rule.name().replace('-', "_");
        if module != snake {
            problems.push(format!(
                "{}: file `{module}.rs` should be `{snake}.rs`",
                rule.code()
            ));
        }
        let file = root
            .join("src/rules")
            .join(family)
            .join(format!("{module}.rs"));
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                if rule != Rule::SyntaxError && !text.contains(&format!("fn {snake}")) {
                    problems.push(format!(
                        "{}: `{}` has no `fn {snake}`",
                        rule.code(),
                        file.display()
                    ));
                }
            }
            Err(e) => problems.push(format!("{}: {}: {e}", rule.code(), file.display())),
        }
        if rule.is_project_wide() {
            let project = root.join("../asynclint_project");
            let dir = project.join("resources/test/projects").join(rule.code());
            if !dir.is_dir() {
                problems.push(format!(
                    "{}: missing project fixture {}",
                    rule.code(),
                    dir.display()
                ));
            }
            let snap = project
                .join("tests/snapshots")
                .join(format!("{}.snap", rule.code()));
            if !snap.exists() {
                problems.push(format!(
                    "{}: missing project snapshot {}",
                    rule.code(),
                    snap.display()
                ));
            }
            if rule.is_project_only() {
                continue;
            }
        }
        let fixture = root
            .join("resources/test/fixtures")
            .join(family)
            .join(format!("{}.py", rule.code()));
        if !fixture.exists() {
            problems.push(format!(
                "{}: missing fixture {}",
                rule.code(),
                fixture.display()
            ));
        }
        let snapshot = root
            .join("tests/snapshots")
            .join(format!("{}.snap", rule.code()));
        if !snapshot.exists() {
            problems.push(format!(
                "{}: missing snapshot {}",
                rule.code(),
                snapshot.display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "incomplete rules:\n{}",
        problems.join("\n")
    );
}

#[test]
fn codes_and_names_are_unique() {
    let mut codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
    let mut names: Vec<_> = Rule::ALL.iter().map(|r| r.name()).collect();
    codes.sort_unstable();
    names.sort_unstable();
    let n = codes.len();
    codes.dedup();
    names.dedup();
    assert_eq!(codes.len(), n);
    assert_eq!(names.len(), n);
}
