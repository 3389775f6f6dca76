//! Multi-module fixtures: each directory under `resources/test/projects/` is a small project.
//! Lines that must be reported carry `# error: [rule-name]`; everything else must stay quiet.
//! The whole project goes through phase 1 and phase 2 exactly as the CLI runs it, and the
//! rendered diagnostics are snapshotted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use asynclint_linter::{LinterSettings, Rule, lint_source};
use asynclint_project::{ModuleResolver, Phase1File, phase2};

const PROJECT_RULES: &[Rule] = &[
    Rule::TransitiveBlockingCall,
    Rule::UnawaitedCoroutine,
    Rule::CoroutineAssignedNeverAwaited,
    Rule::CoroutineInBooleanContext,
    Rule::AsyncFunctionReturnsCoroutine,
    Rule::AwaitNonAwaitable,
    Rule::AsyncIterationMismatch,
    Rule::UnboundedFanOut,
    Rule::AsyncGeneratorNotClosed,
    Rule::ToThreadWithCoroutineFunction,
    Rule::SyncMockForAsyncFunction,
    Rule::SyncWithAsyncContextManager,
    Rule::AsyncWithSyncContextManager,
    Rule::ClientPerRequest,
    Rule::ConnectionPerRequest,
    Rule::ServiceWithoutSignalHandling,
];

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

fn run_project(root: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    python_files(root, &mut files);
    let resolver = ModuleResolver::new(root, &[]);
    let settings = LinterSettings::for_rules(PROJECT_RULES.iter().copied());
    let mut diagnostics = Vec::new();
    let mut phase1 = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        let info = resolver.module_info(path);
        let result = lint_source(path, &source, &settings, &info);
        diagnostics.extend(result.diagnostics);
        phase1.push(Phase1File {
            path: path.clone(),
            summary: result.summary,
            noqa: result.noqa,
            report: true,
            source: None,
        });
    }
    diagnostics.extend(phase2(phase1, Some(root)));
    diagnostics.sort_by(|a, b| a.sort_key_cmp(b));

    let mut expected: BTreeMap<(PathBuf, usize), Vec<String>> = BTreeMap::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        for (i, line) in source.lines().enumerate() {
            if let Some(pos) = line.find("# error:") {
                let mut names: Vec<String> = line[pos..]
                    .split('[')
                    .skip(1)
                    .filter_map(|p| p.split(']').next().map(|s| s.trim().to_string()))
                    .collect();
                names.sort();
                expected.insert((path.clone(), i + 1), names);
            }
        }
    }
    let mut actual: BTreeMap<(PathBuf, usize), Vec<String>> = BTreeMap::new();
    let mut rendered = String::new();
    for d in &diagnostics {
        let loc = d.start_location();
        let rel = d
            .file
            .path()
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        actual
            .entry((d.file.path().to_path_buf(), loc.row))
            .or_default()
            .push(d.name.to_string());
        rendered.push_str(&format!(
            "{rel}:{}:{}: {} {}\n",
            loc.row, loc.column, d.code, d.message
        ));
        if let Some(help) = &d.help {
            rendered.push_str(&format!("    help: {help}\n"));
        }
    }
    for names in actual.values_mut() {
        names.sort();
    }
    let mut problems = Vec::new();
    for (key, names) in &expected {
        if actual.get(key) != Some(names) {
            problems.push(format!(
                "{}:{}: expected {names:?}, got {:?}",
                key.0.display(),
                key.1,
                actual.get(key)
            ));
        }
    }
    for (key, names) in &actual {
        if !expected.contains_key(key) {
            problems.push(format!(
                "{}:{}: unexpected {names:?}",
                key.0.display(),
                key.1
            ));
        }
    }
    if problems.is_empty() {
        Ok(rendered)
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn project_fixtures() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/projects");
    let mut cases: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        match run_project(&case) {
            Ok(rendered) => {
                insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
                    insta::assert_snapshot!(name.clone(), rendered);
                });
            }
            Err(problem) => failures.push(format!("{name}:\n{problem}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
