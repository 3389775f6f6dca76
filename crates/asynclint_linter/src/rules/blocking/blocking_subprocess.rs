//! ## What it does
//! Reports synchronous subprocess calls made directly in an `async def`:
//! `subprocess.run`/`call`/`check_call`/`check_output`/`getoutput`/`getstatusoutput`,
//! `subprocess.Popen(...)` (the constructor forks and execs the child) and `.wait()`/
//! `.communicate()` on a `Popen` object, `os.system`, `os.popen`, every `os.spawn*` variant,
//! `os.posix_spawn`/`os.posix_spawnp`, and `os.wait`/`wait3`/`wait4`/`waitid`/`waitpid`.
//!
//! `Popen` methods are only reported when the receiver is known to be a `Popen` object: built
//! in the same function (`proc = subprocess.Popen(...)`, `with subprocess.Popen(...) as proc`),
//! assigned in `__init__`, or annotated (`proc: subprocess.Popen`).
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. `subprocess.run` and friends start
//! the child and then wait for it to exit, reading its output through blocking pipes; a
//! `git clone` or `ffmpeg` run can hold the thread for minutes. Even spawning alone (`Popen`,
//! `os.spawn*`, `os.posix_spawn`) forks the interpreter and waits for the `exec`, which costs
//! milliseconds for a large process. Meanwhile no other task runs: connections time out,
//! timers fire late. `asyncio.create_subprocess_exec` starts the child and lets the loop watch
//! its pipes and exit status, so other tasks keep running while it works.
//!
//! ## Example
//! ```python
//! import subprocess
//!
//! async def git_revision(repo):
//!     result = subprocess.run(
//!         ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, check=True
//!     )
//!     return result.stdout.decode().strip()
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//!
//! async def git_revision(repo):
//!     proc = await asyncio.create_subprocess_exec(
//!         "git", "rev-parse", "HEAD", cwd=repo, stdout=asyncio.subprocess.PIPE
//!     )
//!     stdout, _ = await proc.communicate()
//!     return stdout.decode().strip()
//! ```
//!
//! Not reported: `asyncio.create_subprocess_exec`/`create_subprocess_shell` and the methods of
//! the process they return (awaited); `os.waitpid(..., os.WNOHANG)` and `proc.wait(timeout=0)`
//! (they return at once); `proc.poll()`, `proc.kill()`, `proc.terminate()`; calls in a nested
//! `def` or `lambda` (not async context) and functions passed to `asyncio.to_thread` or
//! `loop.run_in_executor`; `wait()`/`communicate()` on objects whose kind is unknown.
//!
//! ## Options
//! - `allowed-blocking-calls`: callees never reported, by qualified name (`subprocess.run`)
//!   or method path (`subprocess.Popen().wait`).
//!
//! ## References
//! - [asyncio: Subprocesses](https://docs.python.org/3/library/asyncio-subprocess.html)
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`subprocess`](https://docs.python.org/3/library/subprocess.html)

use ruff_python_ast::{Expr, Number};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

use super::helpers::{BlockingEntry, lookup, report_blocking};

const RUN: &str = "runs a child process and waits for it";
const SPAWN: &str = "spawns a child process";
const WAIT: &str = "waits for a child process";

const EXEC: &str =
    "`proc = await asyncio.create_subprocess_exec(...)` and `await proc.communicate()`";
const SHELL: &str = "`proc = await asyncio.create_subprocess_shell(...)` and `await proc.wait()` (or `await proc.communicate()`)";
const SPAWN_ALT: &str = "`await asyncio.create_subprocess_exec(...)`, then `await proc.wait()` on the process it returns";
const WAIT_ALT: &str = "`proc = await asyncio.create_subprocess_exec(...)` and `await proc.wait()`, or `await asyncio.to_thread(...)`";

const fn entry(pattern: &'static str, alternative: &'static str) -> BlockingEntry {
    BlockingEntry {
        pattern,
        alternative,
    }
}

const CATALOG: &[BlockingEntry] = &[
    entry("subprocess.run", EXEC),
    entry("subprocess.call", EXEC),
    entry("subprocess.check_call", EXEC),
    entry("subprocess.check_output", EXEC),
    entry("subprocess.getoutput", SHELL),
    entry("subprocess.getstatusoutput", SHELL),
    entry("subprocess.Popen", SPAWN_ALT),
    entry("subprocess.Popen().wait", WAIT_ALT),
    entry("subprocess.Popen().communicate", EXEC),
    entry("os.system", SHELL),
    entry("os.popen", SHELL),
    entry("os.spawn*", SPAWN_ALT),
    entry("os.posix_spawn", SPAWN_ALT),
    entry("os.posix_spawnp", SPAWN_ALT),
    // Not `os.wait*`: `os.waitstatus_to_exitcode` does not wait.
    entry("os.wait", WAIT_ALT),
    entry("os.wait3", WAIT_ALT),
    entry("os.wait4", WAIT_ALT),
    entry("os.waitid", WAIT_ALT),
    entry("os.waitpid", WAIT_ALT),
];

pub(crate) fn blocking_subprocess(checker: &mut Checker, site: &CallSite) {
    let Some((entry, matched)) = lookup(CATALOG, site) else {
        return;
    };
    if site.qualified.is_none() && !reportable_popen_method(site) {
        return;
    }
    let what = if matched.starts_with("os.wait") || matched.starts_with("subprocess.Popen().") {
        if is_nonblocking_wait(checker, site) {
            return;
        }
        WAIT
    } else if matched == "subprocess.Popen"
        || matched == "os.popen"
        || matched.starts_with("os.spawn")
        || matched.starts_with("os.posix_spawn")
    {
        SPAWN
    } else {
        RUN
    };
    report_blocking(
        checker,
        Rule::BlockingSubprocess,
        site,
        &matched,
        what,
        entry.alternative,
    );
}

/// `Popen(...).wait()` on the constructor itself is already reported at the same place (the
/// constructor spawns); `proc.wait(timeout=0)` only polls.
fn reportable_popen_method(site: &CallSite) -> bool {
    let Expr::Attribute(attr) = &*site.call.func else {
        return false;
    };
    if matches!(&*attr.value, Expr::Call(_)) {
        return false;
    }
    if site.method_name() == Some("wait") {
        let timeout = site
            .keyword("timeout")
            .map(|k| &k.value)
            .or_else(|| site.call.arguments.args.first());
        if timeout.is_some_and(is_zero) {
            return false;
        }
    }
    true
}

fn is_zero(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_u8() == Some(0),
            Number::Float(f) => *f == 0.0,
            Number::Complex { .. } => false,
        },
        _ => false,
    }
}

/// `os.waitpid(pid, os.WNOHANG)` returns at once when the child has not exited.
fn is_nonblocking_wait(checker: &Checker, site: &CallSite) -> bool {
    checker
        .source_of(site.call.arguments.range)
        .contains("WNOHANG")
}
