//! ## What it does
//! Reports `return other_coro(...)` without `await` inside an `async def`, where `other_coro` is
//! a coroutine function: an `async def` of your project (through imports, aliases, re-exports,
//! `self.`/`cls.` methods and classes instantiated in the function) or an asyncio coroutine
//! function (`asyncio.sleep`, `asyncio.wait_for`, `asyncio.gather`, `loop.run_in_executor`, ...).
//!
//! ## Why is this bad?
//! An `async def` already wraps its return value: `await f()` evaluates to whatever `f`
//! returns. If `f` returns another coroutine object without awaiting it, callers that write
//! `result = await f()` receive that coroutine instead of its result, and the inner coroutine
//! runs only if someone awaits it a second time (usually nobody does, so its work never happens
//! and Python warns `coroutine '...' was never awaited`). In a sync `def` returning a coroutine
//! is a legitimate wrapper (the caller awaits the returned object), so only `async def`
//! functions are checked.
//!
//! ## Example
//! ```python
//! async def fetch_user(user_id): ...
//!
//! async def get_user(user_id):
//!     return fetch_user(user_id)
//! ```
//!
//! Use instead:
//! ```python
//! async def get_user(user_id):
//!     return await fetch_user(user_id)
//! ```
//!
//! or, when the function only forwards the call, make it a plain `def`:
//! ```python
//! def get_user(user_id):
//!     return fetch_user(user_id)
//! ```
//!
//! Async generator functions, properties, and `async def` functions behind a decorator that
//! may change what they return are not treated as coroutine functions.
//!
//! ## References
//! - [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
//! - [The `await` expression](https://docs.python.org/3/reference/expressions.html#await)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextRange};

use super::helpers::{
    call_display, callee_name, defer, is_coroutine_function, is_instance_attribute_call, project_coroutine_what,
    stdlib_coroutine, stdlib_returns,
};
use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts, Target};
use crate::registry::Rule;

/// Phase 1: `return <call>` directly in an `async def` body.
pub(crate) fn async_function_returns_coroutine(checker: &mut Checker, site: &CallSite, target: Option<&Target>) {
    let Some(Stmt::Return(ret)) = checker.current_statement() else {
        return;
    };
    if ret.value.as_deref().map(Ranged::range) != Some(site.call.range()) {
        return;
    }
    // `in_async_context` is false in a nested `def`, lambda or class body.
    if !checker.semantic.in_async_context() {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let caller = function.def.name.to_string();
    let display = call_display(checker, site);
    let range = ret.range();
    if stdlib_coroutine(site) {
        let diagnostic = diagnostic(&display, &caller, "an asyncio coroutine function", stdlib_returns(site), range, &checker.file());
        checker.push_diagnostic(diagnostic);
        return;
    }
    let Some(target) = target else { return };
    if is_instance_attribute_call(checker, site) {
        return;
    }
    let kind = DeferredKind::ReturnedCoroutine { display, caller };
    defer(checker, Rule::AsyncFunctionReturnsCoroutine, range, target, kind);
}

fn diagnostic(display: &str, caller: &str, what: &str, returns: &str, range: TextRange, file: &Arc<SourceFile>) -> Diagnostic {
    let callee = callee_name(display);
    Diagnostic::new(
        Rule::AsyncFunctionReturnsCoroutine.code(),
        Rule::AsyncFunctionReturnsCoroutine.name(),
        format!(
            "`async def {caller}` returns `{display}` without awaiting it: `{callee}` is {what}, so `await {caller}(...)` gives {returns} instead of its result"
        ),
        range,
        file.clone(),
    )
    .with_help(format!("Write `return await {display}` (or make `{caller}` a plain `def` that forwards the call)"))
}

/// Phase 2: report when the target is a project coroutine function.
pub fn settle(check: &DeferredCheck, file: &Arc<SourceFile>, facts: &dyn ProjectFacts) -> Option<Diagnostic> {
    let DeferredKind::ReturnedCoroutine { display, caller } = &check.kind else {
        return None;
    };
    let function = facts.resolve_function(&check.target)?;
    if !is_coroutine_function(&function) {
        return None;
    }
    let what = project_coroutine_what(facts, &function);
    Some(diagnostic(display, caller, &what, "a coroutine object", check.range, file))
}
