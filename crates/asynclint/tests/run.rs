//! End-to-end tests of `asynclint run`: the real binary runs real Python programs (written for
//! these tests, in `crates/asynclint_runtime/tests/programs/`) under the monitor, and the
//! report must name each problem with its file and line.
//!
//! They need `python3` (CPython 3.9+) on `PATH`; set `ASYNCLINT_TEST_PYTHON` to use another
//! interpreter. Timing-dependent programs block the loop for 300 ms against a 100 ms threshold,
//! so a slow machine still sees the blocks.

#![cfg(target_os = "linux")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

fn python() -> String {
    std::env::var("ASYNCLINT_TEST_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// A copy of the test programs in a temporary directory (Python writes `__pycache__` there,
/// and paths in reports are relative to it).
struct Programs {
    _dir: TempDir,
    root: PathBuf,
}

impl Programs {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let source =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../asynclint_runtime/tests/programs");
        copy_dir(&source, &root);
        let check = Command::new(python())
            .args(["-c", "import sys; assert sys.version_info >= (3, 9)"])
            .status()
            .unwrap_or_else(|err| panic!("these tests need `{}`: {err}", python()));
        assert!(
            check.success(),
            "these tests need CPython 3.9+ as `{}`",
            python()
        );
        Self { _dir: dir, root }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// `asynclint run ARGS -- python3 PROGRAM PROGRAM_ARGS` in `dir`.
    fn run_in(&self, dir: &str, args: &[&str], program: &[&str], stdin: &[u8]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_asynclint"));
        command
            .current_dir(self.root.join(dir))
            .arg("run")
            .args(args)
            .arg("--")
            .arg(python())
            .args(program)
            .env_remove("NO_COLOR")
            .env_remove("PYTHONPATH")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    /// The JSON report (check's field names) of one program.
    fn findings(&self, dir: &str, program: &[&str]) -> Vec<Value> {
        let report = self.path("report.json");
        let output = self.run_in(
            dir,
            &["--output-format", "json", "-o", report.to_str().unwrap()],
            program,
            b"",
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = std::fs::read_to_string(&report).unwrap();
        serde_json::from_str::<Vec<Value>>(&text).unwrap()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "__pycache__" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// (code, file, row) of every finding, in report order.
fn sites(findings: &[Value]) -> Vec<(String, String, u64)> {
    findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["filename"].as_str().unwrap().to_string(),
                f["location"]["row"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn find<'a>(findings: &'a [Value], code: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {findings:#?}"))
}

#[test]
fn a_loop_blocked_by_time_sleep_in_a_helper_names_the_sleep_line() {
    let programs = Programs::new();
    let findings = programs.findings("blocked", &["main.py"]);
    let sleep = find(&findings, "AIO100");
    assert_eq!(sleep["filename"], "app/worker.py");
    assert_eq!(sleep["location"]["row"], 7, "{sleep:#}");
    assert_eq!(sleep["name"], "blocking-sleep");
    let message = sleep["message"].as_str().unwrap();
    assert!(
        message.starts_with("`time.sleep()` blocked the event loop for "),
        "{message}"
    );
    assert!(
        message.contains("handle() [app/worker.py:21] -> load_settings() [app/worker.py:7]"),
        "{message}"
    );
    // The busy loop in `crunch` calls nothing catalogued: the run-time-only code.
    let crunch = find(&findings, "AIO950");
    assert_eq!(crunch["filename"], "app/worker.py");
    let row = crunch["location"]["row"].as_u64().unwrap();
    assert!((14..=17).contains(&row), "{crunch:#}");
    assert!(crunch["message"].as_str().unwrap().contains("`crunch()`"));
    assert_eq!(findings.len(), 2, "{findings:#?}");
}

#[test]
fn an_unawaited_coroutine_is_reported_where_it_was_created() {
    let programs = Programs::new();
    let findings = programs.findings(".", &["unawaited.py"]);
    assert_eq!(
        sites(&findings),
        [("AIO200".to_string(), "unawaited.py".to_string(), 11)]
    );
    assert_eq!(findings[0]["location"]["column"], 5);
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("`notify()`")
    );

    // Python's own warning names the program's line, exactly as without asynclint.
    let direct = Command::new(python())
        .current_dir(&programs.root)
        .arg("unawaited.py")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let output = programs.run_in(".", &["-o", "/dev/null"], &["unawaited.py"], b"");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&direct.stderr)
    );

    // With origin tracking the line is the creating one by construction.
    let report = programs.path("origin.json");
    let output = programs.run_in(
        ".",
        &[
            "--origin-depth",
            "1",
            "--output-format",
            "json",
            "-o",
            report.to_str().unwrap(),
        ],
        &["unawaited.py"],
        b"",
    );
    assert!(output.status.success());
    // Python's own warning is printed as without asynclint (no "Coroutine created at" part).
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("coroutine 'notify' was never awaited"),
        "{stderr}"
    );
    assert!(!stderr.contains("Coroutine created at"), "{stderr}");
    let findings: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(
        sites(&findings),
        [("AIO200".to_string(), "unawaited.py".to_string(), 11)]
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("created here")
    );
}

#[test]
fn a_dropped_task_that_raises_is_reported_at_its_creation() {
    let programs = Programs::new();
    let findings = programs.findings(".", &["dropped_task.py"]);
    assert_eq!(
        sites(&findings),
        [("AIO302".to_string(), "dropped_task.py".to_string(), 12)]
    );
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`RuntimeError: inventory service unavailable` [dropped_task.py:8]"),
        "{message}"
    );
}

#[test]
fn a_task_destroyed_while_pending_is_a_dangling_task() {
    let programs = Programs::new();
    let findings = programs.findings(".", &["destroyed_pending.py"]);
    assert_eq!(
        sites(&findings),
        [("AIO300".to_string(), "destroyed_pending.py".to_string(), 13)]
    );
}

#[test]
fn a_growing_unbounded_queue_is_reported_and_a_bounded_one_is_not() {
    let programs = Programs::new();
    let findings = programs.findings(".", &["queue_growth.py"]);
    assert_eq!(
        sites(&findings),
        [("AIO513".to_string(), "queue_growth.py".to_string(), 18)]
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("held 5000 items")
    );
}

#[test]
fn a_task_left_pending_at_shutdown_is_reported() {
    let programs = Programs::new();
    let findings = programs.findings(".", &["pending_at_shutdown.py"]);
    assert_eq!(
        sites(&findings),
        [(
            "AIO951".to_string(),
            "pending_at_shutdown.py".to_string(),
            14
        )]
    );
    let message = findings[0]["message"].as_str().unwrap();
    assert!(message.contains("`heartbeat()`"), "{message}");
    assert!(message.contains("pending_at_shutdown.py:10"), "{message}");
}

#[test]
fn a_program_with_no_problems_gives_an_empty_report() {
    let programs = Programs::new();
    assert_eq!(programs.findings(".", &["clean.py"]), Vec::<Value>::new());
    let output = programs.run_in(".", &["--output-format", "text"], &["clean.py"], b"");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.ends_with("All checks passed!\n"), "{stderr}");
    assert!(
        stderr.contains("1 Python process, 1 event loop"),
        "{stderr}"
    );
}

#[test]
fn the_commands_streams_and_exit_status_pass_through_untouched() {
    let programs = Programs::new();
    let direct = {
        let mut child = Command::new(python())
            .current_dir(&programs.root)
            .args(["passthrough.py", "3"])
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"some input\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert_eq!(direct.status.code(), Some(3));
    assert_eq!(direct.stdout, b"out: hello\nstdin had 11 bytes\n");

    // With the report in a file, both streams are byte for byte the command's.
    let report = programs.path("report.txt");
    let output = programs.run_in(
        ".",
        &["-o", report.to_str().unwrap()],
        &["passthrough.py", "3"],
        b"some input\n",
    );
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(output.stdout, direct.stdout);
    assert_eq!(output.stderr, direct.stderr);
    let text = std::fs::read_to_string(report).unwrap();
    assert!(
        text.starts_with("asynclint run: `python3 passthrough.py 3` exited with status 3\n")
            || text.contains("passthrough.py 3` exited with status 3"),
        "{text}"
    );

    // Without `-o`, the report follows the command's own standard error.
    let output = programs.run_in(".", &[], &["passthrough.py", "0"], b"");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(output.stdout, b"out: hello\nstdin had 0 bytes\n");
    assert!(output.stderr.starts_with(b"err: warning\n"));
}

#[test]
fn fail_on_findings_turns_a_clean_exit_into_one() {
    let programs = Programs::new();
    let fail_on = ["--fail-on", "findings", "-q", "-o", "/dev/null"];
    let output = programs.run_in(".", &fail_on, &["unawaited.py"], b"");
    assert_eq!(output.status.code(), Some(1));
    let output = programs.run_in(".", &fail_on, &["clean.py"], b"");
    assert_eq!(output.status.code(), Some(0));
    // The command's own failure wins.
    let output = programs.run_in(".", &fail_on, &["passthrough.py", "4"], b"");
    assert_eq!(output.status.code(), Some(4));
}

#[test]
fn a_command_killed_by_a_signal_exits_with_128_plus_the_signal() {
    let programs = Programs::new();
    let output = programs.run_in(
        ".",
        &["-q", "-o", "/dev/null"],
        &[
            "-c",
            "import asyncio, os, signal\nasync def main():\n    os.kill(os.getpid(), signal.SIGTERM)\n    await asyncio.sleep(5)\nasyncio.run(main())",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(128 + 15));
}

#[test]
fn a_signal_sent_to_asynclint_is_forwarded_to_the_command() {
    let programs = Programs::new();
    let report = programs.path("report.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .current_dir(&programs.root)
        .args(["run", "--output-format", "json", "-o"])
        .arg(&report)
        .arg("--")
        .arg(python())
        .arg("pending_at_shutdown.py")
        .arg("--forever")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the program says it is running, then interrupt asynclint only.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    assert_eq!(&first, b"running\n");
    // SAFETY: sends SIGINT to the child process we started.
    let pid = i32::try_from(child.id()).unwrap();
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    // Python ends on KeyboardInterrupt by re-raising SIGINT: 128 + 2.
    assert_eq!(output.status.code(), Some(130));
    let findings: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(
        sites(&findings),
        [(
            "AIO951".to_string(),
            "pending_at_shutdown.py".to_string(),
            14
        )]
    );
}

#[test]
fn sarif_and_html_reports() {
    let programs = Programs::new();
    let sarif = programs.path("out/report.sarif");
    let html = programs.path("out/run.html");
    let output = programs.run_in(
        "blocked",
        &[
            "--output-format",
            "sarif",
            "-o",
            sarif.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
        &["main.py"],
        b"",
    );
    assert!(output.status.success());
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["AIO100", "AIO950"]);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = results[1]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "AIO950");
    assert_eq!(rules[index]["name"], "loop-blocked");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/worker.py"
    );

    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg") && page.contains("class=\"lag\""));
    assert!(page.contains("app/worker.py:7"));
    assert!(!page.contains("<script") && !page.contains(" src="));
}

#[test]
fn python_processes_started_by_the_command_are_monitored_too() {
    let programs = Programs::new();
    let findings = programs.findings(
        ".",
        &[
            "-c",
            "import subprocess, sys\nfor p in ('unawaited.py', 'dropped_task.py'):\n    subprocess.run([sys.executable, p], check=True)",
        ],
    );
    assert_eq!(
        sites(&findings),
        [
            ("AIO302".to_string(), "dropped_task.py".to_string(), 12),
            ("AIO200".to_string(), "unawaited.py".to_string(), 11),
        ]
    );
}

#[test]
fn task_factories_set_by_the_program_keep_working() {
    let programs = Programs::new();
    let report = programs.path("report.json");
    let output = programs.run_in(
        ".",
        &["--output-format", "json", "-o", report.to_str().unwrap()],
        &["custom_factory.py"],
        b"",
    );
    assert!(output.status.success());
    assert_eq!(output.stdout, b"before during\n");
    let findings: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(
        sites(&findings),
        [("AIO302".to_string(), "custom_factory.py".to_string(), 27)]
    );
}

#[test]
fn an_existing_sitecustomize_still_runs() {
    let programs = Programs::new();
    let site = programs.path("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("sitecustomize.py"),
        "import os\nos.environ['CHAINED'] = 'yes'\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .current_dir(&programs.root)
        .args(["run", "--output-format", "json", "--"])
        .arg(python())
        .args([
            "-c",
            "import os, sys, sitecustomize, asyncio\nprint(os.environ.get('CHAINED'), sitecustomize.__file__.endswith('site/sitecustomize.py'), any('asynclint-run-' in p for p in sys.path))\nasync def f(): pass\nasync def main():\n    f()\nasyncio.run(main())",
        ])
        .env("PYTHONPATH", &site)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout, b"yes True False\n");
    // The monitor ran as well: the report (on standard error) has the unawaited coroutine.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"code\": \"AIO200\""), "{stderr}");
}

#[test]
fn a_command_that_cannot_start_exits_127() {
    let output = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .args(["run", "--", "asynclint-no-such-command"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(127));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot run `asynclint-no-such-command`"),
        "{stderr}"
    );
}

#[test]
fn a_command_without_python_warns_that_nothing_reported() {
    let output = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: no Python process reported to asynclint"),
        "{stderr}"
    );
}

#[test]
fn past_the_first_thousand_tasks_sites_and_counts_still_hold() {
    let programs = Programs::new();
    let findings = programs.findings(".", &["many_tasks.py"]);
    assert_eq!(
        sites(&findings),
        [("AIO302".to_string(), "many_tasks.py".to_string(), 20)]
    );
    let output = programs.run_in(".", &[], &["many_tasks.py"], b"");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 5000 ticks, `flaky`, `main` and `asyncio.run`'s two shutdown tasks.
    assert!(stderr.contains("; 5004 tasks (peak "), "{stderr}");
    let peak: u64 = stderr
        .split("(peak ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!((1000..=5004).contains(&peak), "{stderr}");
}

#[test]
fn rule_prints_the_run_time_only_codes() {
    let output = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .args(["rule", "AIO950"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.starts_with("# loop-blocked (AIO950)\n\nReported by `asynclint run` only."),
        "{text}"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .args([
            "rule",
            "task-pending-at-shutdown",
            "--output-format",
            "json",
        ])
        .output()
        .unwrap();
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["code"], "AIO951");
}
