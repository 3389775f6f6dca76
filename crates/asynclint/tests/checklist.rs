//! End-to-end tests of `asynclint checklist`: the real binary on the bundled `examples/`
//! project (snapshots) and on tiny temporary projects (one per status), plus the HTML page
//! opened in headless Chromium when it is installed.
//!
//! The examples snapshots change whenever a rule is added or improved; review them with
//! `cargo insta review` (or `INSTA_UPDATE=always` and `git diff`).

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use asynclint_checklist::items::{ITEMS, SECTIONS};
use serde_json::Value;
use tempfile::TempDir;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("asynclint")
        .unwrap()
        .current_dir(dir)
        .env_remove("ASYNCLINT_CONFIG")
        .arg("checklist")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn examples(args: &[&str]) -> Run {
    let mut all = vec!["examples"];
    all.extend_from_slice(args);
    let run = run_in(&workspace_root(), &all);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    run
}

/// A temporary project with a `pyproject.toml`.
struct Project {
    _dir: TempDir,
    root: PathBuf,
}

impl Project {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let project = Self { _dir: dir, root };
        project.write(
            "pyproject.toml",
            "[project]\nname = \"tiny\"\nversion = \"0\"\n",
        );
        for (path, text) in files {
            project.write(path, text);
        }
        project
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn run(&self, args: &[&str]) -> Run {
        run_in(&self.root, args)
    }

    fn json(&self) -> Value {
        let run = self.run(&["--output-format", "json"]);
        assert_eq!(run.code, 0, "stderr: {}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    }
}

fn item<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

fn without_version(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

// ---------------------------------------------------------------------------------------------
// The bundled example project

#[test]
fn examples_markdown_snapshot() {
    let run = examples(&[]);
    insta::assert_snapshot!("examples_markdown", without_version(&run.stdout));
}

#[test]
fn examples_json_snapshot() {
    let run = examples(&["--output-format", "json"]);
    insta::assert_snapshot!("examples_json", without_version(&run.stdout));
}

#[test]
fn every_item_appears_in_order_in_every_format() {
    let ids: Vec<&str> = ITEMS.iter().map(|i| i.id).collect();

    let json: Value = serde_json::from_str(&examples(&["--output-format", "json"]).stdout).unwrap();
    let json_ids: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(json_ids, ids);
    for item in json["items"].as_array().unwrap() {
        let status = item["status"].as_str().unwrap();
        assert!(["pass", "fail", "n/a", "manual"].contains(&status));
        assert!(!item["evidence"]["note"].as_str().unwrap().is_empty());
        let findings = item["findings"].as_array().unwrap().len();
        assert_eq!(item["finding_count"].as_u64().unwrap() as usize, findings);
        if findings > 0 {
            assert_eq!(status, "fail");
        }
        let id = item["id"].as_str().unwrap();
        if status == "fail" && findings == 0 {
            // Review items fail through their links; dependency items from project files.
            assert!(
                id.starts_with("review.") || id.starts_with("env.") || id == "test.plugin",
                "{id} fails without findings"
            );
        }
    }
    let summary = &json["summary"];
    assert_eq!(summary["total"].as_u64().unwrap() as usize, ids.len());

    let markdown = examples(&[]).stdout;
    assert_in_order(&markdown, ids.iter().map(|id| format!("`{id}`")));
    let line = format!(
        "**{} pass, {} fail, {} n/a, {} manual**",
        summary["pass"], summary["fail"], summary["n/a"], summary["manual"]
    );
    assert!(markdown.contains(&line), "no summary line {line}");
    assert_in_order(
        &markdown,
        SECTIONS.iter().map(|s| format!("### {} (", s.title)),
    );

    let html = examples(&["--output-format", "html"]).stdout;
    assert_in_order(&html, ids.iter().map(|id| format!("id=\"item-{id}\"")));
}

fn assert_in_order(text: &str, needles: impl Iterator<Item = String>) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(&needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("`{needle}` missing or out of order"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One tiny project per status

#[test]
fn status_pass() {
    let project = Project::new(&[(
        "app.py",
        "import asyncio\n\nbackground = set()\n\n\nasync def work():\n    await asyncio.sleep(0)\n\n\n\
         async def main():\n    task = asyncio.create_task(work())\n    background.add(task)\n    \
         task.add_done_callback(background.discard)\n",
    )]);
    let report = project.json();
    let references = item(&report, "bg.references");
    assert_eq!(references["status"], "pass", "{references:#}");
    assert_eq!(references["findings"].as_array().unwrap().len(), 0);
    let count = &references["evidence"]["counts"][0];
    assert_eq!(count["key"], "create_task_calls");
    assert_eq!(count["count"], 1);
    assert_eq!(count["examples"][0]["path"], "app.py");
    assert_eq!(count["examples"][0]["line"], 11);
}

#[test]
fn status_fail() {
    let project = Project::new(&[(
        "app.py",
        "import asyncio\n\n\nasync def work():\n    await asyncio.sleep(0)\n\n\n\
         async def main():\n    asyncio.create_task(work())\n",
    )]);
    let report = project.json();
    let references = item(&report, "bg.references");
    assert_eq!(references["status"], "fail", "{references:#}");
    let findings = references["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["code"], "AIO300");
    assert_eq!(findings[0]["path"], "app.py");
    assert_eq!(findings[0]["line"], 9);
    // The review item that links to it fails with it.
    assert_eq!(item(&report, "review.task-refs")["status"], "fail");

    let markdown = project.run(&[]).stdout;
    assert!(
        markdown.contains("| ✗ | Task references stored<br>`bg.references` | 1 finding (AIO300 ×1)<br>`app.py:9` AIO300"),
        "{markdown}"
    );
}

#[test]
fn status_not_applicable() {
    let project = Project::new(&[("app.py", "def add(a, b):\n    return a + b\n")]);
    let report = project.json();
    let references = item(&report, "bg.references");
    assert_eq!(references["status"], "n/a");
    assert_eq!(
        references["evidence"]["note"],
        "No `create_task`/`ensure_future` calls"
    );
    // Without async code nothing fails or passes on the code items.
    assert_eq!(report["summary"]["fail"], 0);
    assert_eq!(item(&report, "impl.no-sync-io")["status"], "n/a");
}

#[test]
fn status_manual() {
    let project = Project::new(&[(
        "app.py",
        "import asyncio\n\nLIMIT = asyncio.Semaphore(10)\n\n\nasync def fetch():\n    \
         async with LIMIT:\n        await asyncio.sleep(0)\n",
    )]);
    let report = project.json();
    let limit = item(&report, "rate.limit");
    assert_eq!(limit["status"], "manual", "{limit:#}");
    let example = &limit["evidence"]["counts"][0]["examples"][0];
    assert_eq!(example["path"], "app.py");
    assert_eq!(example["line"], 3);
    assert_eq!(example["detail"], "Semaphore(10)");
}

// ---------------------------------------------------------------------------------------------
// Project facts from files

#[test]
fn dependencies_decide_the_environment_items() {
    let code = "import httpx\n\n\nasync def get(url: str) -> int:\n    async with httpx.AsyncClient() as client:\n        return (await client.get(url)).status_code\n";
    let declared = Project::new(&[("app.py", code)]);
    declared.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\nversion = \"0\"\ndependencies = [\"httpx>=0.27\"]\n",
    );
    let report = declared.json();
    let http = item(&report, "env.http-client");
    assert_eq!(http["status"], "pass", "{http:#}");
    assert_eq!(http["evidence"]["counts"][0]["key"], "dependency:httpx");
    assert_eq!(
        http["evidence"]["counts"][0]["examples"][0]["path"],
        "pyproject.toml"
    );
    assert_eq!(http["evidence"]["counts"][0]["examples"][0]["line"], 4);
    assert_eq!(report["project"]["dependencies"][0]["group"], "project");

    let undeclared = Project::new(&[("app.py", code)]);
    undeclared.write("requirements.txt", "requests==2.31  # the old client\n");
    let http = item(&undeclared.json(), "env.http-client").clone();
    assert_eq!(http["status"], "fail", "{http:#}");

    let nothing = Project::new(&[("app.py", "x = 1\n")]);
    assert_eq!(item(&nothing.json(), "env.http-client")["status"], "n/a");
}

#[test]
fn test_plugin_from_requirements_and_pytest_config() {
    let project = Project::new(&[
        (
            "tests/test_app.py",
            "import pytest\n\n\n@pytest.mark.asyncio\nasync def test_it():\n    assert True\n",
        ),
        ("requirements-dev.txt", "pytest\npytest-asyncio>=0.24\n"),
        (
            "pytest.ini",
            "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n",
        ),
    ]);
    let report = project.json();
    let plugin = item(&report, "env.test-tools");
    assert_eq!(plugin["status"], "pass", "{plugin:#}");
    assert_eq!(
        plugin["evidence"]["counts"][0]["examples"][0]["path"],
        "requirements-dev.txt"
    );
    assert_eq!(item(&report, "test.plugin")["status"], "pass");
    assert_eq!(item(&report, "test.loop-scope")["status"], "pass");
    assert_eq!(report["project"]["pytest"]["asyncio_mode"], "auto");
    assert_eq!(report["project"]["test_files"], 1);
}

// ---------------------------------------------------------------------------------------------
// Exit status and output

#[test]
fn fail_on_fail_is_a_ci_gate() {
    let failing = Project::new(&[(
        "app.py",
        "import asyncio\n\n\nasync def work():\n    await asyncio.sleep(0)\n\n\n\
         async def main():\n    asyncio.create_task(work())\n",
    )]);
    assert_eq!(failing.run(&[]).code, 0);
    let gated = failing.run(&["--fail-on", "fail"]);
    assert_eq!(gated.code, 1);
    assert!(gated.stdout.contains("`bg.references`"));

    let clean = Project::new(&[("app.py", "def add(a, b):\n    return a + b\n")]);
    assert_eq!(clean.run(&["--fail-on", "fail"]).code, 0);
}

#[test]
fn output_file_and_errors() {
    let project = Project::new(&[("app.py", "x = 1\n")]);
    let run = project.run(&["--output-format", "html", "-o", "reports/checklist.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let html = std::fs::read_to_string(project.root.join("reports/checklist.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));

    let missing = project.run(&["no-such-dir"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("no-such-dir: no such file or directory")
    );
    let bad_format = project.run(&["--output-format", "sarif"]);
    assert_eq!(bad_format.code, 2);
}

#[test]
fn syntax_errors_are_reported_not_fatal() {
    let project = Project::new(&[("broken.py", "def (:\n"), ("ok.py", "x = 1\n")]);
    let report = project.json();
    let problems = report["project"]["problems"].as_array().unwrap();
    assert!(!problems.is_empty());
    for problem in problems {
        assert_eq!(problem["code"], "AIO001");
        assert_eq!(problem["path"], "broken.py");
    }
    // Not findings of any item.
    assert_eq!(report["project"]["findings"], 0);
    assert_eq!(report["project"]["files"], 2);
}

#[test]
fn html_is_self_contained() {
    let html = examples(&["--output-format", "html"]).stdout;
    assert!(!html.contains("<script"));
    assert!(!html.contains("<link"));
    assert!(!html.contains(" src="));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("<svg"));
    assert!(html.contains("<details"));
    // Links are `file:line`, relative to where the page is written.
    assert!(
        html.contains("<a href=\"examples/orders/worker.py\">examples/orders/worker.py:62</a>")
    );
}

// ---------------------------------------------------------------------------------------------
// The HTML page in a real browser

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium with `args` on `url`, killing it after two minutes. Output goes to
/// files (a pipe nobody reads would fill up with the DOM and block the browser).
fn run_chromium(
    browser: &Path,
    work: &Path,
    name: &str,
    args: &[&str],
    url: &str,
) -> (String, String) {
    let stdout_path = work.join(format!("{name}.stdout"));
    let stderr_path = work.join(format!("{name}.stderr"));
    let mut child = StdCommand::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join(format!("{name}-profile")).display()
        ))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("cannot start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (
        std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    )
}

#[test]
fn html_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "note: chromium is not installed; skipping the browser test (.ci/run installs it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("checklist.html");
    let html = examples(&["--output-format", "html"]).stdout;
    std::fs::write(&page, &html).unwrap();
    let url = format!("file://{}", page.display());

    let (dom, log) = run_chromium(&browser, dir.path(), "dom", &["--dump-dom"], &url);
    // Every console message (CSP violation, failed load, script error) is logged this way; the
    // page has no script, so there must be none at all.
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    for section in SECTIONS {
        let anchor = format!("id=\"section-{}\"", section.id);
        assert!(
            dom.contains(&anchor),
            "section {} not in the DOM",
            section.id
        );
        assert!(dom.contains(&format!(">{}</text>", section.title.replace('&', "&amp;"))));
    }
    for item in ITEMS {
        assert!(
            dom.contains(&format!("id=\"item-{}\"", item.id)),
            "item {}",
            item.id
        );
    }

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    std::fs::create_dir_all(&target).unwrap();
    let screenshot = target.join("checklist-screenshot.png");
    let _ = std::fs::remove_file(&screenshot);
    let (_, log) = run_chromium(
        &browser,
        dir.path(),
        "screenshot",
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,2000",
            "--hide-scrollbars",
        ],
        &url,
    );
    let png = std::fs::read(&screenshot)
        .unwrap_or_else(|err| panic!("no screenshot ({err}); chromium said:\n{log}"));
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    eprintln!("screenshot for humans: {}", screenshot.display());
}
