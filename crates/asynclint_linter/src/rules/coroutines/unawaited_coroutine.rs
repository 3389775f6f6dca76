//! ## What it does
//! Reports a call to a coroutine function used as a statement, so the coroutine it returns is
//! never awaited. Recognised coroutine functions: every `async def` of your project (through
//! imports, aliases, re-exports, `self.`/`cls.`/`super()` methods and `Class(...).method()`),
//! and the asyncio API: `asyncio.sleep`, `wait_for`, `wait`, `gather`, `open_connection`,
//! `start_server`, `create_subprocess_exec`/`shell`, `to_thread`, `loop.run_in_executor`,
//! `loop.sock_*`, and the methods `wait`/`get`/`put`/`join`/`acquire`/`drain` of asyncio
//! events, queues, locks, conditions, semaphores and stream writers.
//!
//! ## Why is this bad?
//! Calling an `async def` does not run it: it only creates a coroutine object. Without
//! `await` (or `asyncio.create_task`) the body never executes, the intended side effect
//! silently does not happen, and Python only prints `RuntimeWarning: coroutine '...' was never
//! awaited` when the object is garbage-collected, far from the bug. For `gather` and
//! `run_in_executor` the work does start, but its result and exceptions are lost.
//!
//! ## Example
//! ```python
//! async def save_order(order): ...
//!
//! async def checkout(order):
//!     save_order(order)
//! ```
//!
//! Use instead:
//! ```python
//! async def checkout(order):
//!     await save_order(order)
//! ```
//!
//! Not reported: a coroutine passed to a call (`asyncio.create_task(coro())`,
//! `tg.create_task(...)`, `ensure_future`), returned from a sync function, yielded, or stored
//! (in a list later gathered, for example): only a call whose value is thrown away is certain
//! to be a bug. Async generator functions are not coroutine functions and are not reported;
//! neither are `async def`s behind a decorator that may change what a call returns (Textual's
//! `@work` starts a worker and returns it, `@sync_compatible` runs the coroutine), properties,
//! and `self.name()` where the class assigns `self.name` (the attribute, not the method, runs).
//!
//! ## Fix safety
//! In async context the fix inserts `await`. It is unsafe: the caller now waits for the
//! coroutine to finish (and sees its exceptions), which changes timing and control flow; the
//! intent may have been to run it concurrently with `asyncio.create_task`.
//!
//! ## References
//! - [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
//! - [asyncio: Detect never-awaited coroutines](https://docs.python.org/3/library/asyncio-dev.html#detect-never-awaited-coroutines)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, Edit, Fix, SourceFile};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts};
use crate::registry::Rule;

pub(crate) const STDLIB_COROUTINES: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait_for",
    "asyncio.wait",
    "asyncio.gather",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.to_thread",
];

/// Methods that return a coroutine (or a future whose result is the point) on known kinds.
pub(crate) const STDLIB_METHODS: &[&str] = &[
    "asyncio.Event().wait",
    "asyncio.Condition().wait",
    "asyncio.Condition().wait_for",
    "asyncio.Queue().get",
    "asyncio.Queue().put",
    "asyncio.Queue().join",
    "asyncio.PriorityQueue().get",
    "asyncio.PriorityQueue().put",
    "asyncio.LifoQueue().get",
    "asyncio.LifoQueue().put",
    "asyncio.Lock().acquire",
    "asyncio.Semaphore().acquire",
    "asyncio.BoundedSemaphore().acquire",
    "asyncio.StreamWriter().drain",
    "asyncio.StreamWriter().wait_closed",
    "asyncio.StreamReader().read",
    "asyncio.StreamReader().readline",
    "asyncio.StreamReader().readexactly",
    "asyncio.StreamReader().readuntil",
];

pub(crate) const LOOP_KINDS: &[&str] = &[
    "asyncio.get_running_loop()",
    "asyncio.get_event_loop()",
    "asyncio.new_event_loop()",
    "asyncio.AbstractEventLoop()",
];

/// Phase 1: a call whose value is discarded.
pub(crate) fn unawaited_coroutine(checker: &mut Checker, site: &CallSite) {
    if !checker.is_expression_statement(site.call_expr()) {
        return;
    }
    if is_stdlib_coroutine(site) {
        let display = display(checker, site);
        let in_async = checker.semantic.in_async_context();
        let range = site.call.range();
        let file = checker.file();
        checker.push_diagnostic(diagnostic(
            Rule::UnawaitedCoroutine,
            &display,
            range,
            in_async,
            &file,
            super::helpers::stdlib_what(site),
        ));
        return;
    }
    let Some(target) = checker.call_target(site) else {
        return;
    };
    // `self.handler()` where the class assigns `self.handler = ...`: the attribute, not the
    // method of that name, is what runs.
    if super::helpers::is_instance_attribute_call(checker, site) {
        return;
    }
    let in_async = checker.semantic.in_async_context();
    let range = site.call.range();
    let callee = site.call.func.range();
    if let Some(builder) = &mut checker.summary {
        builder.summary.deferred.push(DeferredCheck {
            rule: Rule::UnawaitedCoroutine,
            range,
            target,
            kind: DeferredKind::UnawaitedCall { callee, in_async },
        });
    }
}

pub(crate) fn is_stdlib_coroutine(site: &CallSite) -> bool {
    if let Some(q) = site.qualified
        && STDLIB_COROUTINES.contains(&q)
    {
        return true;
    }
    let Some(kind) = site.receiver_kind else {
        return false;
    };
    let Some(method) = site.method_name() else {
        return false;
    };
    if LOOP_KINDS.contains(&kind) && (method == "run_in_executor" || method.starts_with("sock_")) {
        return true;
    }
    let path = format!("{kind}.{method}");
    STDLIB_METHODS.contains(&path.as_str())
}

fn display(checker: &Checker, site: &CallSite) -> String {
    let func = checker.source_of(site.call.func.range());
    if func.len() <= 60 && !func.contains('\n') {
        format!("{func}()")
    } else {
        "call".to_string()
    }
}

fn diagnostic(
    rule: Rule,
    display: &str,
    range: ruff_text_size::TextRange,
    in_async: bool,
    file: &Arc<SourceFile>,
    what: &str,
) -> Diagnostic {
    let fix = in_async.then(|| {
        Fix::unsafe_(
            "Add `await`",
            vec![Edit::insertion("await ", range.start())],
        )
    });
    let help = if in_async {
        "Add `await`, or run it concurrently with `asyncio.create_task(...)` and keep a reference to the task"
    } else {
        "Call it from an `async def` with `await`, or schedule it with `asyncio.create_task(...)`/`asyncio.run(...)`"
    };
    Diagnostic::new(
        rule.code(),
        rule.name(),
        format!("`{display}` is {what}: {}", consequence(what)),
        range,
        file.clone(),
    )
    .with_help(help)
    .with_fix(fix)
}

/// What dropping the call's value loses: a coroutine's whole body, or a future's outcome.
fn consequence(what: &str) -> &'static str {
    if what.contains("returns a future") {
        "calling it without `await` drops the future: its result and exceptions are never collected, and nothing waits for the work to finish"
    } else {
        "calling it without `await` only creates a coroutine object, and its body never runs"
    }
}

/// Phase 2: report when the target is a project coroutine function.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::UnawaitedCall { callee, in_async } = &check.kind else {
        return None;
    };
    let function = facts.resolve_function(&check.target)?;
    // Not async generators, properties, nor functions behind a decorator that may change what
    // a call returns (Textual's `@work` returns a `Worker`, `@sync_compatible`...).
    if !super::helpers::is_coroutine_function(&function) {
        return None;
    }
    // The texts only once the verdict is in (most checks end above).
    let display = crate::project::snippet::callee_call(file.text(), *callee);
    let location = super::helpers::project_coroutine_what(facts, &function);
    Some(diagnostic(
        Rule::UnawaitedCoroutine,
        &display,
        check.range,
        *in_async,
        file,
        &location,
    ))
}
