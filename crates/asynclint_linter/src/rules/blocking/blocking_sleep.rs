//! ## What it does
//! Reports `time.sleep(...)` called directly in an `async def` (through any import form:
//! `from time import sleep as nap` is recognised too).
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. `time.sleep` suspends that thread,
//! so while it sleeps no other task makes progress: timers fire late, sockets fill up, health
//! checks time out. `await asyncio.sleep(...)` suspends only the current task and hands the
//! loop back to the others.
//!
//! ## Example
//! ```python
//! import time
//!
//! async def poll(client):
//!     while True:
//!         await client.refresh()
//!         time.sleep(5)
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//!
//! async def poll(client):
//!     while True:
//!         await client.refresh()
//!         await asyncio.sleep(5)
//! ```
//!
//! Not reported: `time.sleep` in a nested `def` or `lambda` (not async context), and
//! `await asyncio.to_thread(time.sleep, 1)` (the function is passed, not called), and an
//! `async def` run by a Textual thread worker (`@work(thread=True)`, or
//! `self.run_worker(self.method, thread=True)`): Textual runs it on a private event loop in a
//! worker thread, so the sleep stalls that thread only (this applies to every AIO1xx rule).
//!
//! ## Fix safety
//! The fix replaces the call with `await asyncio.sleep(...)` when the call is a whole
//! statement or the right-hand side of an assignment, using the existing `asyncio` import
//! (or its alias, `import asyncio as aio`) and adding `import asyncio` after the file's
//! top-level imports when there is none. It is unsafe: the coroutine now yields to other tasks while it sleeps, which can change the
//! interleaving the code relied on (for example a critical section that assumed no other task
//! ran in between).
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`asyncio.sleep`](https://docs.python.org/3/library/asyncio-task.html#asyncio.sleep)

use asynclint_diagnostics::{Edit, Fix};
use ruff_python_ast::Stmt;
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::BindingKind;

pub(crate) fn blocking_sleep(checker: &mut Checker, site: &CallSite) {
    if site.qualified != Some("time.sleep") || super::helpers::runs_in_worker_thread(checker) {
        return;
    }
    let fix = sleep_fix(checker, site);
    let name = super::helpers::display_name(checker, site, "time.sleep");
    checker.report(
        Rule::BlockingSleep,
        format!("`{name}` in async context: it blocks the event loop, so every other task stalls for the whole sleep"),
        "Use `await asyncio.sleep(...)`, which suspends only this task",
        site.call.range(),
        fix,
    );
}

fn sleep_fix(checker: &Checker, site: &CallSite) -> Option<Fix> {
    let call = site.call;
    let whole_statement = match checker.current_statement()? {
        Stmt::Expr(stmt) => stmt.value.range() == call.range(),
        Stmt::Assign(stmt) => stmt.value.range() == call.range(),
        Stmt::AnnAssign(stmt) => stmt
            .value
            .as_ref()
            .is_some_and(|v| v.range() == call.range()),
        _ => false,
    };
    if !whole_statement {
        return None;
    }
    let (asyncio, import) = crate::importer::asyncio_module(checker)?;
    let args = checker.source_of(call.arguments.range());
    let mut edits = vec![Edit::replacement(
        format!("await {asyncio}.sleep{args}"),
        call.range(),
    )];
    edits.extend(import);
    Some(Fix::unsafe_(
        "Replace with `await asyncio.sleep(...)`",
        edits,
    ))
}

/// The name under which the `asyncio` module is bound (`asyncio`, or `aio` after
/// `import asyncio as aio`), if any, and visible from the current scope.
pub(crate) fn asyncio_module_name(checker: &Checker) -> Option<String> {
    let is_asyncio = |name: &str| {
        checker.semantic.unique_binding(name).is_some_and(
            |b| matches!(&b.kind, BindingKind::Import { qualified } if qualified == "asyncio"),
        )
    };
    if is_asyncio("asyncio") {
        return Some("asyncio".to_string());
    }
    let mut aliases: Vec<&str> = checker
        .semantic
        .module_bindings()
        .filter(|(_, bindings)| {
            matches!(bindings, [b] if matches!(&b.kind, BindingKind::Import { qualified } if qualified == "asyncio"))
        })
        .map(|(name, _)| *name)
        .collect();
    aliases.sort_unstable();
    aliases
        .into_iter()
        .find(|name| is_asyncio(name))
        .map(str::to_string)
}
