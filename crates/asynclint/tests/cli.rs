//! End-to-end tests of the `asynclint` binary in temporary projects.
//!
//! Findings come from AIO100 (`time.sleep` in `async def`), the rule least likely to change
//! while the others are written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

const SLEEPY: &str =
    "import time\n\n\nasync def main(client):\n    time.sleep(1)\n    await client.ping()\n";
const CLEAN: &str = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n";

struct Project {
    dir: TempDir,
    /// The canonical path, so it matches what the binary sees as its working directory.
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        Self { dir, root }
    }

    fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    fn cmd_in(&self, dir: &str) -> Command {
        let mut cmd = Command::cargo_bin("asynclint").unwrap();
        cmd.current_dir(self.root.join(dir))
            .env_remove("NO_COLOR")
            .env_remove("ASYNCLINT_CONFIG");
        cmd
    }

    fn check(&self, args: &[&str]) -> Run {
        self.check_in(".", args)
    }

    fn check_in(&self, dir: &str, args: &[&str]) -> Run {
        let output = self.cmd_in(dir).arg("check").args(args).output().unwrap();
        Run::new(output, &self.root)
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = self.cmd_in(".").args(args).output().unwrap();
        Run::new(output, &self.root)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        // Let the temporary directory be removed after permission tests.
        #[cfg(unix)]
        for entry in walk_dir(self.dir.path()) {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o755));
        }
    }
}

fn walk_dir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !path.is_symlink() {
                out.extend(walk_dir(&path));
            }
            out.push(path);
        }
    }
    out
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn new(output: Output, root: &Path) -> Self {
        let clean = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .replace(&root.display().to_string(), "[TMP]")
                .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
        };
        Self {
            code: output.status.code(),
            stdout: clean(&output.stdout),
            stderr: clean(&output.stderr),
        }
    }

    #[track_caller]
    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The diagnostic codes in concise output (`path:row:col: CODE ...`), with their paths.
    fn findings(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter_map(|line| {
                let (location, rest) = line.split_once(": ")?;
                let code = rest.split_whitespace().next()?;
                let path = location.split(':').next()?;
                Some(format!("{path} {code}"))
            })
            .collect()
    }
}

fn concise(project: &Project, args: &[&str]) -> Run {
    let mut all = vec!["--output-format", "concise"];
    all.extend_from_slice(args);
    project.check(&all)
}

// ---------------------------------------------------------------------------------------------
// Exit codes and output formats

#[test]
fn clean_project_exits_zero() {
    let project = Project::new();
    project.write("app.py", CLEAN);
    let run = project.check(&[]);
    run.assert_code(0);
    assert_eq!(run.stdout, "All checks passed!\n");
}

#[test]
fn findings_exit_one() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.check(&[]).assert_code(1);
    project.check(&["--exit-zero"]).assert_code(0);
}

#[test]
fn usage_errors_exit_two() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.check(&["--no-such-flag"]).assert_code(2);
    project.check(&["--select", "AIO999"]).assert_code(2);
    project.check(&["--output-format", "xml"]).assert_code(2);
    project.run(&[]).assert_code(2);
}

#[test]
fn version_comes_from_cargo() {
    let project = Project::new();
    let run = project.run(&["--version"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "asynclint [VERSION]\n");
    assert_eq!(project.run(&["-V"]).stdout, "asynclint [VERSION]\n");
}

fn format_project() -> Project {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write("pkg/clean.py", CLEAN);
    project.write(
        "pkg/worker.py",
        "import time\n\n\nasync def work():\n    x = 1\n    time.sleep(x)\n    return x\n",
    );
    project
}

#[test]
fn output_format_full() {
    let run = format_project().check(&["--output-format", "full"]);
    run.assert_code(1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn full_is_the_default() {
    let project = format_project();
    assert_eq!(
        project.check(&[]).stdout,
        project.check(&["--output-format", "full"]).stdout
    );
}

#[test]
fn output_format_concise() {
    let run = format_project().check(&["--output-format", "concise"]);
    run.assert_code(1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn output_format_json() {
    let run = format_project().check(&["--output-format", "json"]);
    run.assert_code(1);
    serde_json::from_str::<serde_json::Value>(&run.stdout).expect("valid JSON");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn output_format_json_lines() {
    let run = format_project().check(&["--output-format", "json-lines"]);
    run.assert_code(1);
    for line in run.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("one JSON document per line");
    }
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn output_format_sarif() {
    let run = format_project().check(&["--output-format", "sarif"]);
    run.assert_code(1);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), asynclint_linter::Rule::ALL.len());
    // The rule list grows with the registry, moving the indices; the results are what this
    // test pins, with each index checked against the list.
    let mut results = sarif["runs"][0]["results"].clone();
    for result in results.as_array_mut().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        result["ruleIndex"] = "[INDEX]".into();
    }
    let results = serde_json::to_string_pretty(&results).unwrap();
    insta::assert_snapshot!(results);
}

#[test]
fn output_format_github() {
    let run = format_project().check(&["--output-format", "github"]);
    run.assert_code(1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn output_format_gitlab() {
    let run = format_project().check(&["--output-format", "gitlab"]);
    run.assert_code(1);
    serde_json::from_str::<serde_json::Value>(&run.stdout).expect("valid JSON");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn machine_formats_have_no_summary_even_when_clean() {
    let project = Project::new();
    project.write("app.py", CLEAN);
    for format in ["json", "json-lines", "sarif", "github", "gitlab"] {
        let run = project.check(&["--output-format", format]);
        run.assert_code(0);
        assert!(
            !run.stdout.contains("All checks passed"),
            "{format}: {}",
            run.stdout
        );
    }
    assert_eq!(
        project.check(&["--output-format", "json"]).stdout.trim(),
        "[]"
    );
    assert_eq!(project.check(&["--output-format", "json-lines"]).stdout, "");
}

#[test]
fn output_format_from_config() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write(
        "pyproject.toml",
        "[tool.asynclint]\noutput-format = \"concise\"\n",
    );
    let run = project.check(&[]);
    assert_eq!(run.findings(), ["app.py AIO100"]);
    // The flag wins over the configuration.
    let run = project.check(&["--output-format", "json-lines"]);
    assert!(run.stdout.starts_with('{'), "{}", run.stdout);
}

#[test]
fn quiet_prints_only_diagnostics() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    let run = concise(&project, &["--quiet"]);
    run.assert_code(1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    project.write("app.py", CLEAN);
    let run = concise(&project, &["-q"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
}

#[test]
fn summary_counts_errors_and_fixes() {
    let project = Project::new();
    project.write(
        "app.py",
        "import asyncio\nimport time\n\n\nasync def main():\n    time.sleep(1)\n    time.sleep(2)\n",
    );
    let run = concise(&project, &[]);
    run.assert_code(1);
    let summary: Vec<&str> = run.stdout.lines().skip(2).collect();
    assert_eq!(summary[0], "Found 2 errors.");
    // AIO100's fix is unsafe: available only behind `--unsafe-fixes`.
    assert_eq!(
        summary[1],
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option)."
    );
    let run = concise(&project, &["--unsafe-fixes"]);
    let summary: Vec<&str> = run.stdout.lines().skip(2).collect();
    assert_eq!(summary[1], "[*] 2 fixable with the `--fix` option.");
}

#[test]
fn color_only_when_asked() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    assert!(!project.check(&[]).stdout.contains('\x1b'));
    assert!(
        project
            .check(&["--color", "always"])
            .stdout
            .contains('\x1b')
    );
    assert!(!project.check(&["--color", "never"]).stdout.contains('\x1b'));
}

#[test]
fn statistics() {
    let project = Project::new();
    project.write("a.py", SLEEPY);
    project.write("b.py", SLEEPY);
    project.write("c.py", SLEEPY);
    project.write("broken.py", "def f(:\n");
    let run = project.check(&["--statistics"]);
    run.assert_code(1);
    insta::assert_snapshot!(run.stdout);
    let run = project.check(&["--statistics", "--output-format", "json"]);
    let counts: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(counts[0]["code"], "AIO100");
    assert_eq!(counts[0]["count"], 3);
}

#[test]
fn output_file() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    let run = project.check(&["--output-format", "json", "-o", "reports/out.json"]);
    run.assert_code(1);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(project.root.join("reports/out.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(json[0]["code"], "AIO100");
    let run = project.check(&["--output-file", "out.txt"]);
    run.assert_code(1);
    let written = std::fs::read_to_string(project.root.join("out.txt")).unwrap();
    assert!(written.contains("\nFound 1 error.\n"), "{written}");
}

#[test]
fn output_is_sorted_and_deterministic() {
    let project = Project::new();
    for i in 0..40 {
        project.write(&format!("m{i:02}/mod.py"), SLEEPY.repeat(3));
    }
    let first = concise(&project, &[]);
    let paths: Vec<String> = first.findings();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 120);
    for _ in 0..3 {
        assert_eq!(concise(&project, &[]).stdout, first.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn config_in_parent_directory_is_found() {
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[tool.asynclint]\nignore = [\"AIO100\"]\n",
    );
    project.write("pkg/sub/app.py", SLEEPY);
    project.check_in("pkg/sub", &[]).assert_code(0);
    project.check(&["pkg/sub"]).assert_code(0);
    project.check(&["pkg/sub/app.py"]).assert_code(0);
    // --isolated ignores it.
    project.check_in("pkg/sub", &["--isolated"]).assert_code(1);
}

#[test]
fn asynclint_toml_beats_pyproject() {
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[tool.asynclint]\nignore = [\"AIO100\"]\n",
    );
    project.write("asynclint.toml", "select = [\"AIO1\"]\n");
    project.write("app.py", SLEEPY);
    project.check(&[]).assert_code(1);
    project.write(".asynclint.toml", "ignore = [\"blocking-sleep\"]\n");
    project.check(&[]).assert_code(0);
}

#[test]
fn explicit_config_file() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write("configs/strict.toml", "ignore = [\"AIO100\"]\n");
    project
        .check(&["--config", "configs/strict.toml"])
        .assert_code(0);
    let run = project.check(&["--config", "missing.toml"]);
    run.assert_code(2);
    assert!(run.stderr.contains("missing.toml"), "{}", run.stderr);
    let run = project.check(&["--config", "configs/strict.toml", "--isolated"]);
    run.assert_code(2);
}

#[test]
fn unknown_key_is_reported_with_its_line() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.asynclint]\nselect = [\"AIO100\"]\nselekt = []\n",
    );
    let run = project.check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr
            .starts_with("error: pyproject.toml:6:1: unknown key `selekt`"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn unknown_rule_code_is_reported_with_its_line() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write(
        "pyproject.toml",
        "[tool.asynclint]\nselect = [\n  \"AIO100\",\n  \"AIO999\",\n]\n",
    );
    let run = project.check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.starts_with("error: pyproject.toml:4:3: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("AIO999"), "{}", run.stderr);

    project.write(
        "pyproject.toml",
        "[tool.asynclint]\n\n[tool.asynclint.per-file-ignores]\n\"tests/*\" = [\"no-such-rule\"]\n",
    );
    let run = project.check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.starts_with("error: pyproject.toml:4:14: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no-such-rule"), "{}", run.stderr);
}

#[test]
fn bad_target_version() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write("asynclint.toml", "\ntarget-version = \"py99\"\n");
    let run = project.check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.starts_with("error: asynclint.toml:2:18: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("py99"), "{}", run.stderr);

    let project = Project::new();
    project.write("app.py", SLEEPY);
    let run = project.check(&["--target-version", "py37"]);
    run.assert_code(2);
    assert!(run.stderr.contains("py37"), "{}", run.stderr);
    project.check(&["--target-version", "py312"]).assert_code(1);
}

/// A module-level `get_event_loop()`: AIO800 reports it only for Python 3.10 and newer, which
/// makes the resolved target version visible.
const MODULE_LEVEL_LOOP: &str = "import asyncio\n\nloop = asyncio.get_event_loop()\n";

/// A `pyproject.toml` for project `name` that needs Python `requires`.
fn pyproject(name: &str, requires: &str) -> String {
    format!("[project]\nname = \"{name}\"\nrequires-python = \"{requires}\"\n")
}

#[test]
fn target_version_sources() {
    let project = Project::new();
    project.write("app.py", MODULE_LEVEL_LOOP);
    let reported = |args: &[&str]| {
        let mut all = vec!["--select", "AIO800"];
        all.extend_from_slice(args);
        !concise(&project, &all).findings().is_empty()
    };
    assert!(!reported(&[]), "the default is py39");
    assert!(reported(&["--target-version", "py312"]));
    project.write("pyproject.toml", pyproject("x", ">=3.11"));
    assert!(reported(&[]), "falls back to requires-python");
    project.write(
        "pyproject.toml",
        "[project]\nrequires-python = \">=3.11\"\n\n[tool.asynclint]\ntarget-version = \"py39\"\n",
    );
    assert!(!reported(&[]), "target-version beats requires-python");
    assert!(
        reported(&["--target-version", "py310"]),
        "the flag beats both"
    );
}

/// A run over several projects (a monorepo, a corpus of packages) gives each file the target
/// version of its own project's `requires-python`, unless one is given explicitly.
#[test]
fn target_version_per_project() {
    let project = Project::new();
    let code = MODULE_LEVEL_LOOP;
    project.write("new/pyproject.toml", pyproject("new", ">=3.12"));
    project.write("new/app.py", code);
    project.write("old/pyproject.toml", pyproject("old", ">=3.9"));
    project.write("old/app.py", code);
    project.write("bare/setup.py", "");
    project.write("bare/app.py", code);
    let findings = |args: &[&str]| {
        let mut all = vec!["--select", "AIO800", "."];
        all.extend_from_slice(args);
        concise(&project, &all).findings()
    };
    // From the directory above the three projects: each keeps its own target.
    assert_eq!(findings(&[]), vec!["new/app.py AIO800".to_string()]);
    // Checked alone, the same answer.
    assert_eq!(
        concise(&project, &["--select", "AIO800", "new"]).findings(),
        vec!["new/app.py AIO800".to_string()]
    );
    assert!(
        concise(&project, &["--select", "AIO800", "old"])
            .findings()
            .is_empty()
    );
    // An explicit target applies to every project.
    assert_eq!(findings(&["--target-version", "py312"]).len(), 3);
    assert!(findings(&["--target-version", "py39"]).is_empty());
}

/// An unpacked wheel (site-packages, a vendored copy) is its own project: the
/// `Requires-Python` of its `*.dist-info/METADATA` wins over a `pyproject.toml` further up.
#[test]
fn target_version_of_an_unpacked_wheel() {
    let project = Project::new();
    let code = MODULE_LEVEL_LOOP;
    project.write("pyproject.toml", pyproject("outer", ">=3.9"));
    project.write("site/shiny/__init__.py", "");
    project.write("site/shiny/app.py", code);
    project.write(
        "site/shiny-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: shiny\nRequires-Python: >=3.12\n\nRequires-Python: >=3.7 (the description, not a header)\n",
    );
    // Another package in the same directory whose wheel does not provide it.
    project.write("site/plain/__init__.py", "");
    project.write("site/plain/app.py", code);
    project.write(
        "site/other-2.0.dist-info/METADATA",
        "Name: other\nRequires-Python: >=3.12\n",
    );
    project.write("site/other-2.0.dist-info/top_level.txt", "other\n");
    project.write("app.py", code);
    let findings = concise(&project, &["--select", "AIO800", "."]).findings();
    assert_eq!(findings, vec!["site/shiny/app.py AIO800".to_string()]);
    // `top_level.txt` names a package whose import name differs from the distribution's.
    project.write("site/other-2.0.dist-info/top_level.txt", "other\nplain\n");
    let findings = concise(&project, &["--select", "AIO800", "."]).findings();
    assert_eq!(
        findings,
        vec![
            "site/plain/app.py AIO800".to_string(),
            "site/shiny/app.py AIO800".to_string()
        ]
    );
    // An explicit target still applies everywhere.
    assert!(
        concise(
            &project,
            &["--select", "AIO800", "--target-version", "py39", "."]
        )
        .findings()
        .is_empty()
    );
}

#[test]
fn invalid_toml_is_a_config_error() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write("pyproject.toml", "[tool.asynclint\n");
    let run = project.check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.starts_with("error: pyproject.toml:1:"),
        "{}",
        run.stderr
    );
}

#[test]
fn pyproject_without_our_table_is_skipped() {
    let project = Project::new();
    project.write("asynclint.toml", "ignore = [\"AIO100\"]\n");
    project.write("pkg/pyproject.toml", "[project]\nname = \"pkg\"\n");
    project.write("pkg/app.py", SLEEPY);
    project.check(&["pkg"]).assert_code(0);
}

#[test]
fn no_project_flag_and_key_are_accepted() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.run(&["--no-project", "check"]).assert_code(1);
    project.check(&["--no-project"]).assert_code(1);
    project.write("asynclint.toml", "project = false\n");
    project.check(&[]).assert_code(1);
}

// ---------------------------------------------------------------------------------------------
// Rule selection

#[test]
fn select_and_ignore_by_code_prefix_name_and_all() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    for selection in [
        &["--select", "AIO100"][..],
        &["--select", "AIO1"],
        &["--select", "AIO"],
        &["--select", "blocking-sleep"],
        &["--select", "ALL"],
        &["--select", "AIO300,AIO100"],
        &["--select", "AIO300", "--extend-select", "AIO100"],
        &["--select", "AIO300", "--extend-select", "blocking-sleep"],
        &["--extend-select", "AIO100"],
        &["--ignore", "AIO1", "--extend-select", "AIO100"],
    ] {
        let run = concise(&project, selection);
        assert_eq!(run.findings(), ["app.py AIO100"], "{selection:?}");
    }
    for selection in [
        &["--ignore", "AIO100"][..],
        &["--ignore", "AIO1"],
        &["--ignore", "blocking-sleep"],
        &["--ignore", "ALL"],
        &["--select", "AIO3"],
        &["--select", "dangling-task"],
        &["--select", "AIO1", "--ignore", "AIO100"],
        &["--select", "ALL", "--ignore", "AIO10"],
    ] {
        let run = concise(&project, selection);
        assert_eq!(run.findings(), Vec::<String>::new(), "{selection:?}");
        run.assert_code(0);
    }
}

#[test]
fn command_line_selection_layers_over_config() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write("asynclint.toml", "select = [\"AIO3\"]\n");
    project.check(&[]).assert_code(0);
    project.check(&["--extend-select", "AIO100"]).assert_code(1);
    project.check(&["--select", "AIO100"]).assert_code(1);

    project.write("asynclint.toml", "ignore = [\"AIO100\"]\n");
    project.check(&[]).assert_code(0);
    // A configured `ignore` without `select` survives `--select`, as in Ruff...
    project.check(&["--select", "AIO1"]).assert_code(0);
    // ...but the command line's own extension is more specific than nothing.
    project.check(&["--extend-select", "AIO100"]).assert_code(1);

    project.write(
        "asynclint.toml",
        "select = [\"AIO1\"]\nignore = [\"AIO100\"]\n",
    );
    project.check(&[]).assert_code(0);
    project.check(&["--select", "AIO100"]).assert_code(1);
}

#[test]
fn syntax_errors_cannot_be_ignored() {
    let project = Project::new();
    project.write("broken.py", "def f(:\n    pass\n");
    let run = concise(&project, &["--ignore", "ALL"]);
    run.assert_code(1);
    let findings = run.findings();
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f == "broken.py AIO001"),
        "{findings:?}"
    );
}

#[test]
fn per_file_ignores() {
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[tool.asynclint.per-file-ignores]\n\"tests/*.py\" = [\"AIO100\"]\n\"conftest.py\" = [\"AIO1\"]\n\"!src/*\" = [\"blocking-sleep\"]\n",
    );
    project.write("tests/test_app.py", SLEEPY);
    project.write("pkg/conftest.py", SLEEPY);
    project.write("src/app.py", SLEEPY);
    project.write("src/conftest.py", SLEEPY);
    let run = concise(&project, &[]);
    assert_eq!(run.findings(), ["src/app.py AIO100"]);
}

#[test]
fn noqa_comments() {
    let project = Project::new();
    project.write(
        "line.py",
        "import time\n\n\nasync def main():\n    time.sleep(1)  # noqa: AIO100\n    time.sleep(2)  # noqa\n    time.sleep(3)  # noqa: AIO300\n",
    );
    project.write("file.py", format!("# asynclint: noqa\n{SLEEPY}"));
    project.write(
        "file_codes.py",
        format!("# asynclint: noqa: AIO100\n{SLEEPY}"),
    );
    let run = concise(&project, &[]);
    assert_eq!(run.findings(), ["line.py AIO100"]);
    assert!(run.stdout.contains("line.py:7:"), "{}", run.stdout);
}

#[test]
fn file_level_noqa_with_other_codes_keeps_the_rest() {
    let project = Project::new();
    project.write(
        "file_other.py",
        format!("# asynclint: noqa: AIO300\n{SLEEPY}"),
    );
    assert_eq!(concise(&project, &[]).findings(), ["file_other.py AIO100"]);
}

// ---------------------------------------------------------------------------------------------
// Files

#[test]
fn gitignore_is_honoured_and_explicit_files_are_checked_anyway() {
    let project = Project::new();
    project.write(".gitignore", "ignored.py\ngenerated/\n");
    project.write("ignored.py", SLEEPY);
    project.write("generated/out.py", SLEEPY);
    project.write("kept.py", SLEEPY);
    assert_eq!(concise(&project, &[]).findings(), ["kept.py AIO100"]);
    assert_eq!(
        concise(&project, &["ignored.py"]).findings(),
        ["ignored.py AIO100"]
    );
    assert_eq!(
        concise(&project, &["--no-respect-gitignore"]).findings(),
        [
            "generated/out.py AIO100",
            "ignored.py AIO100",
            "kept.py AIO100"
        ]
    );
    project.write("asynclint.toml", "respect-gitignore = false\n");
    assert_eq!(concise(&project, &[]).findings().len(), 3);
    assert_eq!(
        concise(&project, &["--respect-gitignore"]).findings().len(),
        1
    );
}

#[test]
fn only_python_files_are_walked() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write("stub.pyi", SLEEPY);
    project.write("notes.txt", SLEEPY);
    project.write("script", SLEEPY);
    assert_eq!(
        concise(&project, &[]).findings(),
        ["app.py AIO100", "stub.pyi AIO100"]
    );
    // A file argument is checked whatever its name.
    assert_eq!(concise(&project, &["script"]).findings(), ["script AIO100"]);
}

#[test]
fn default_and_configured_excludes() {
    let project = Project::new();
    project.write("app.py", SLEEPY);
    project.write(".venv/lib/site.py", SLEEPY);
    project.write("node_modules/x.py", SLEEPY);
    project.write("build/gen.py", SLEEPY);
    project.write("gen/a.py", SLEEPY);
    project.write("src/gen_b.py", SLEEPY);
    project.write(".hidden/c.py", SLEEPY);
    assert_eq!(
        concise(&project, &[]).findings(),
        [
            ".hidden/c.py AIO100",
            "app.py AIO100",
            "gen/a.py AIO100",
            "src/gen_b.py AIO100"
        ]
    );

    project.write(
        "pyproject.toml",
        "[tool.asynclint]\nextend-exclude = [\"gen\", \"src/gen_*.py\"]\n",
    );
    assert_eq!(
        concise(&project, &[]).findings(),
        [".hidden/c.py AIO100", "app.py AIO100"]
    );
    // `exclude` replaces the defaults.
    project.write(
        "pyproject.toml",
        "[tool.asynclint]\nexclude = [\".hidden\"]\n",
    );
    assert_eq!(concise(&project, &[]).findings().len(), 6);
    // An excluded file named on the command line is checked.
    assert_eq!(
        concise(&project, &[".hidden/c.py"]).findings(),
        [".hidden/c.py AIO100"]
    );
    // Command-line patterns.
    project.write("pyproject.toml", "");
    assert_eq!(
        concise(&project, &["--extend-exclude", "gen,src"]).findings(),
        [".hidden/c.py AIO100", "app.py AIO100"]
    );
    assert_eq!(
        concise(&project, &["--exclude", "app.py"]).findings().len(),
        6
    );
}

/// `asynclint check --output-format concise --stdin-filename NAME` with `text` on standard
/// input, in the project's root.
fn concise_stdin(project: &Project, name: &str, text: &str) -> std::process::Output {
    project
        .cmd_in(".")
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            name,
        ])
        .write_stdin(text)
        .output()
        .unwrap()
}

#[test]
fn stdin_with_filename() {
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[tool.asynclint.per-file-ignores]\n\"tests/*\" = [\"AIO100\"]\n",
    );
    let run = Run::new(concise_stdin(&project, "pkg/app.py", SLEEPY), &project.root);
    run.assert_code(1);
    assert_eq!(run.findings(), ["pkg/app.py AIO100"]);

    let run = project
        .cmd_in(".")
        .args(["check", "--stdin-filename", "tests/test_x.py"])
        .write_stdin(SLEEPY)
        .output()
        .unwrap();
    Run::new(run, &project.root).assert_code(0);

    let run = project
        .cmd_in(".")
        .args(["check", "--output-format", "concise", "-"])
        .write_stdin(SLEEPY)
        .output()
        .unwrap();
    let run = Run::new(run, &project.root);
    assert_eq!(run.findings(), ["- AIO100"]);
}

/// Project-wide messages name lines of other files (`async def` at `app/db.py:3`). Phase 1
/// records offsets; the lines come from the text phase 1 read: for the file given on standard
/// input, that text, not the different file on disk.
#[test]
fn stdin_project_messages_use_the_checked_text_for_lines() {
    let project = Project::new();
    project.write("pyproject.toml", "");
    project.write("app/__init__.py", "");
    project.write("app/db.py", "\n\nasync def fetch():\n    return 1\n");
    // On disk, `save` is defined on line 9; in the text on standard input, on line 3.
    project.write(
        "app/api.py",
        "\n\n\n\n\n\n\n\nasync def save():\n    pass\n",
    );
    let stdin = "from app.db import fetch\n\nasync def save():\n    pass\n\nasync def handler():\n    fetch()\n    save()\n";
    let run = concise_stdin(&project, "app/api.py", stdin);
    let stdout = String::from_utf8_lossy(&run.stdout).replace('\\', "/");
    assert!(
        stdout.contains(
            "app/api.py:7:5: AIO200 `fetch()` is a coroutine function (`async def` at app/db.py:3)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "app/api.py:8:5: AIO200 `save()` is a coroutine function (`async def` at app/api.py:3)"
        ),
        "{stdout}"
    );
}

#[test]
fn syntax_error_and_valid_file_are_both_reported() {
    let project = Project::new();
    project.write("a_broken.py", "async def f(\n    time.sleep(1)\n");
    project.write("b_valid.py", SLEEPY);
    let run = concise(&project, &[]);
    run.assert_code(1);
    let findings = run.findings();
    assert!(
        findings.contains(&"a_broken.py AIO001".to_string()),
        "{findings:?}"
    );
    assert!(
        findings.contains(&"b_valid.py AIO100".to_string()),
        "{findings:?}"
    );
}

#[test]
fn non_utf8_file_is_reported_and_the_run_continues() {
    let project = Project::new();
    project.write("latin1.py", b"x = '\xe9t\xe9'\n");
    project.write("valid.py", SLEEPY);
    let run = concise(&project, &[]);
    run.assert_code(1);
    assert_eq!(run.findings(), ["latin1.py E902", "valid.py AIO100"]);
    assert!(
        run.stdout
            .contains("latin1.py:1:1: E902 Failed to read: not valid UTF-8"),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new();
    let path = project.write("secret.py", SLEEPY);
    project.write("valid.py", SLEEPY);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        eprintln!("skipped: running with privileges that read a mode-000 file");
        return;
    }
    let run = concise(&project, &[]);
    run.assert_code(1);
    assert_eq!(run.findings(), ["secret.py E902", "valid.py AIO100"]);
    assert!(
        run.stdout.contains("Failed to read: Permission denied"),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink_is_reported() {
    let project = Project::new();
    std::os::unix::fs::symlink(project.root.join("gone.py"), project.root.join("link.py")).unwrap();
    project.write("valid.py", SLEEPY);
    let run = concise(&project, &[]);
    run.assert_code(1);
    assert_eq!(run.findings(), ["link.py E902", "valid.py AIO100"]);
    assert!(
        run.stdout.contains("link.py:1:1: E902 Failed to read:"),
        "{}",
        run.stdout
    );
    // Named on the command line.
    let run = concise(&project, &["link.py"]);
    assert_eq!(run.findings(), ["link.py E902"]);
}

#[test]
fn missing_path_argument_is_reported() {
    let project = Project::new();
    project.write("valid.py", CLEAN);
    let run = concise(&project, &["valid.py", "nope.py"]);
    run.assert_code(1);
    assert_eq!(run.findings(), ["nope.py E902"]);
}

#[test]
fn no_python_files_warns() {
    let project = Project::new();
    project.write("README.md", "hi");
    let run = project.check(&[]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("No Python files found"),
        "{}",
        run.stderr
    );
}

/// Debug builds of the binary panic on the file named by `ASYNCLINT_TEST_PANIC`.
#[cfg(debug_assertions)]
#[test]
fn panic_in_one_file_is_an_internal_error_diagnostic() {
    let project = Project::new();
    project.write("boom.py", CLEAN);
    project.write("valid.py", SLEEPY);
    let output = project
        .cmd_in(".")
        .args(["check", "--output-format", "concise"])
        .env("ASYNCLINT_TEST_PANIC", "boom.py")
        .output()
        .unwrap();
    let run = Run::new(output, &project.root);
    run.assert_code(1);
    assert_eq!(run.findings(), ["boom.py E999", "valid.py AIO100"]);
    assert!(
        run.stdout
            .contains("boom.py:1:1: E999 Internal error while checking this file: panicked at "),
        "{}",
        run.stdout
    );
    // The default hook's message is not printed.
    assert_eq!(run.stderr, "");
}

// ---------------------------------------------------------------------------------------------
// Pathological input: must finish without crashing (a finding or a syntax error is fine).

#[track_caller]
fn assert_survives(run: &Run) {
    assert!(
        matches!(run.code, Some(0 | 1)),
        "exit {:?}\n{}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
}

#[test]
fn deeply_nested_parentheses_and_lists() {
    let project = Project::new();
    let depth = 5000;
    project.write(
        "parens.py",
        format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
    );
    project.write(
        "lists.py",
        format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    project.write(
        "calls.py",
        format!(
            "async def f():\n    x = {}1{}\n",
            "g(".repeat(depth),
            ")".repeat(depth)
        ),
    );
    let run = concise(&project, &[]);
    assert_survives(&run);
}

#[test]
fn very_long_binary_expression() {
    let project = Project::new();
    let mut source = String::from("a = 1\nx = a");
    for _ in 0..100_000 {
        source.push_str("+a");
    }
    source.push('\n');
    project.write("long.py", source);
    let run = concise(&project, &[]);
    assert_survives(&run);
}

#[test]
fn five_megabyte_file() {
    let project = Project::new();
    let mut source = String::from("import time\n\n");
    let mut i = 0;
    while source.len() < 5 * 1024 * 1024 {
        writeln!(source, "async def f{i}(x):\n    return await g(x, {i})\n").unwrap();
        i += 1;
    }
    source.push_str("async def last():\n    time.sleep(1)\n");
    source.push_str(&format!("y = \"{}\"\n", "z".repeat(200_000)));
    project.write("big.py", source);
    let run = concise(&project, &[]);
    assert_survives(&run);
    assert_eq!(run.findings(), ["big.py AIO100"]);
}

#[cfg(unix)]
#[test]
fn broken_pipe_exits_quietly() {
    let project = Project::new();
    let mut source = String::from("import time\n\n\nasync def main():\n");
    for _ in 0..5000 {
        source.push_str("    time.sleep(1)\n");
    }
    project.write("many.py", source);
    let binary = assert_cmd::cargo::cargo_bin("asynclint");
    for args in [
        "check --output-format full .",
        "check --output-format concise .",
        "rule --all",
    ] {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("'{}' {args} | head -1", binary.display()))
            .current_dir(&project.root)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
        assert_eq!(stderr, "", "{args}");
    }
}

// ---------------------------------------------------------------------------------------------
// `asynclint rule`

#[test]
fn rule_by_code_and_name() {
    let project = Project::new();
    let run = project.run(&["rule", "AIO100"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .starts_with("# blocking-sleep (AIO100)\n\nEnabled by default.\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("unsafe fix"), "{}", run.stdout);
    assert!(run.stdout.contains("## What it does"), "{}", run.stdout);
    assert_eq!(project.run(&["rule", "blocking-sleep"]).stdout, run.stdout);
    assert_eq!(project.run(&["rule", "aio100"]).stdout, run.stdout);

    let run = project.run(&["rule", "dangling-task"]);
    run.assert_code(0);
    assert!(
        run.stdout.starts_with("# dangling-task (AIO300)\n"),
        "{}",
        run.stdout
    );

    let run = project.run(&["rule", "AIO100", "--output-format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["name"], "blocking-sleep");
    assert_eq!(json["fix"], "unsafe");
}

#[test]
fn unknown_rule_exits_two() {
    let project = Project::new();
    let run = project.run(&["rule", "AIO999"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("unknown rule `AIO999`"),
        "{}",
        run.stderr
    );
    project.run(&["rule"]).assert_code(2);
}

#[test]
fn rule_all() {
    let project = Project::new();
    let run = project.run(&["rule", "--all"]);
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("CODE    NAME"), "{}", lines[0]);
    assert_eq!(lines.len(), asynclint_linter::Rule::ALL.len() + 1);
    let summary_column = lines[0].find("SUMMARY").unwrap();
    let sleep = lines.iter().find(|l| l.starts_with("AIO100")).unwrap();
    assert!(sleep.contains("blocking-sleep"));
    assert!(sleep.contains(" on "), "{sleep}");
    assert!(sleep.contains("unsafe"), "{sleep}");
    assert!(
        !sleep[summary_column..].starts_with(' '),
        "aligned: {sleep}"
    );

    let run = project.run(&["rule", "--all", "--output-format", "json"]);
    run.assert_code(0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rules.len(), asynclint_linter::Rule::ALL.len());
    for rule in &rules {
        for key in ["code", "name", "default_enabled", "fix", "summary", "docs"] {
            assert!(rule.get(key).is_some(), "{key} missing in {rule}");
        }
    }
}

#[test]
fn rules_reference_is_up_to_date() {
    let project = Project::new();
    let run = project.run(&["generate-docs", "--output", "-"]);
    run.assert_code(0);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == run.stdout,
        "docs/rules.md is stale: regenerate it with `cargo run -p asynclint -- generate-docs`"
    );
}

// ---------------------------------------------------------------------------------------------
// Fixes

const FIXABLE: &str = "import asyncio\nimport time\n\n\nasync def main():\n    loop = asyncio.get_event_loop()\n    time.sleep(1)\n    return loop\n";

#[test]
fn diff_prints_and_changes_nothing() {
    let project = Project::new();
    let path = project.write("app.py", FIXABLE);
    let run = project.check(&["--diff"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("-    loop = asyncio.get_event_loop()"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("+    loop = asyncio.get_running_loop()"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("asyncio.sleep"),
        "unsafe fixes need --unsafe-fixes"
    );
    assert!(run.stderr.contains("Would fix 1 error."), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXABLE);
    let run = project.check(&["--diff", "--unsafe-fixes"]);
    assert!(
        run.stdout.contains("+    await asyncio.sleep(1)"),
        "{}",
        run.stdout
    );
    // Nothing to fix: exit 0.
    let clean = Project::new();
    clean.write(
        "ok.py",
        "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n",
    );
    clean.check(&["--diff"]).assert_code(0);
}

#[test]
fn fix_applies_safe_fixes_and_reports_the_rest() {
    let project = Project::new();
    let path = project.write("app.py", FIXABLE);
    let run = concise(&project, &["--fix"]);
    run.assert_code(1);
    assert!(
        run.stdout
            .contains("Found 2 errors (1 fixed, 1 remaining)."),
        "{}",
        run.stdout
    );
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(
        fixed.contains("asyncio.get_running_loop()") && fixed.contains("time.sleep(1)"),
        "{fixed}"
    );
    let run = concise(&project, &["--fix", "--unsafe-fixes"]);
    run.assert_code(0);
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(fixed.contains("await asyncio.sleep(1)"), "{fixed}");
    // A second run has nothing left to do.
    concise(&project, &["--fix", "--unsafe-fixes"]).assert_code(0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed);
}

#[test]
fn fix_only_does_not_report_the_rest() {
    let project = Project::new();
    project.write("app.py", FIXABLE);
    let run = project.check(&["--fix-only"]);
    run.assert_code(0);
    assert_eq!(run.stdout.trim(), "Fixed 1 error (1 remaining).");
}

#[test]
fn fix_keeps_crlf_bom_and_trailing_text() {
    let project = Project::new();
    let crlf = FIXABLE.replace('\n', "\r\n");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(b"# -*- coding: utf-8 -*-\n");
    bom.extend_from_slice(FIXABLE.as_bytes());
    bom.extend_from_slice(b"# no newline at the end");
    let a = project.write("crlf.py", &crlf);
    let b = project.write("bom.py", &bom);
    concise(&project, &["--fix", "--unsafe-fixes"]).assert_code(0);
    let fixed_a = std::fs::read(&a).unwrap();
    let expected_a = crlf
        .replace("asyncio.get_event_loop()", "asyncio.get_running_loop()")
        .replace("time.sleep(1)", "await asyncio.sleep(1)");
    assert_eq!(String::from_utf8(fixed_a).unwrap(), expected_a);
    let fixed_b = std::fs::read(&b).unwrap();
    assert_eq!(&fixed_b[..3], &[0xEF, 0xBB, 0xBF], "BOM kept");
    let text = String::from_utf8(fixed_b[3..].to_vec()).unwrap();
    assert!(text.starts_with("# -*- coding: utf-8 -*-\n"));
    assert!(text.ends_with("# no newline at the end"));
    assert!(text.contains("await asyncio.sleep(1)"));
}

#[cfg(unix)]
#[test]
fn fix_leaves_a_read_only_file_alone() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new();
    let path = project.write("app.py", FIXABLE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = concise(&project, &["--fix"]);
    run.assert_code(1);
    assert!(run.stdout.contains("E902"), "{}", run.stdout);
    assert!(run.stdout.contains("read-only"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        FIXABLE,
        "nothing lost"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new();
    let path = project.write("app.py", FIXABLE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    concise(&project, &["--fix"]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("get_running_loop")
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&project.root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".asynclint-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn stdin_fix_prints_the_fixed_source() {
    let project = Project::new();
    let output = project
        .cmd_in(".")
        .args(["check", "--fix", "--stdin-filename", "app.py"])
        .write_stdin(FIXABLE)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        FIXABLE.replace("get_event_loop", "get_running_loop")
    );
}

#[test]
fn force_exclude_applies_to_explicit_files() {
    let project = Project::new();
    project.write(
        "pyproject.toml",
        "[tool.asynclint]\nextend-exclude = [\"generated\"]\n",
    );
    project.write("generated/app.py", SLEEPY);
    project.write("app.py", SLEEPY);
    // Named explicitly: checked anyway, unless --force-exclude.
    let run = concise(&project, &["generated/app.py", "app.py"]);
    assert_eq!(
        run.findings(),
        vec!["app.py AIO100", "generated/app.py AIO100"]
    );
    let run = concise(&project, &["--force-exclude", "generated/app.py", "app.py"]);
    assert_eq!(run.findings(), vec!["app.py AIO100"]);
}
