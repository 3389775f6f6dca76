//! ## What it does
//! Reports an `async def` that returns another coroutine without awaiting it. That is
//! `return other_coro(...)` where `other_coro` is a coroutine function: an `async def` of your
//! project (through imports, aliases, re-exports, `self.`/`cls.` methods and classes
//! instantiated in the function) or an asyncio coroutine function (`asyncio.sleep`,
//! `asyncio.wait_for`, `asyncio.gather`, `loop.run_in_executor`, ...).
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
//! may change what they return are not treated as coroutine functions. A decorated `async def`
//! (other than `@staticmethod`, `@classmethod`, `@abstractmethod`, `@override`) is not checked
//! either: route decorators hand the function to a framework that may await its result again
//! while it is awaitable (Sanic does), so the returned coroutine still runs there.
//!
//! ## References
//! - [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
//! - [The `await` expression](https://docs.python.org/3/reference/expressions.html#await)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::helpers::{
    call_text, callee_text, defer, is_coroutine_function, is_instance_attribute_call,
    project_coroutine_what, stdlib_coroutine, stdlib_returns, stdlib_what,
};
use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts, texts};
use crate::registry::Rule;

/// Phase 1: `return <call>` directly in an `async def` body.
pub(crate) fn async_function_returns_coroutine(checker: &mut Checker, site: &CallSite) {
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
    if has_framework_decorator(checker, function.def) {
        return;
    }
    let caller_range = function.def.name.range;
    let range = ret.range();
    if stdlib_coroutine(site) {
        let caller = function.def.name.to_string();
        let call = call_text(checker, site);
        let callee = callee_text(checker, site);
        let message = Message {
            call: &call,
            callee: &callee,
            caller: &caller,
            what: stdlib_what(site),
            returns: stdlib_returns(site),
        };
        let diagnostic = diagnostic(&message, range, &checker.file());
        checker.push_diagnostic(diagnostic);
        return;
    }
    let Some(target) = checker.call_target(site) else {
        return;
    };
    if is_instance_attribute_call(checker, site) {
        return;
    }
    // Recorded as ranges: rendered in phase 2 only when reported.
    let kind = DeferredKind::ReturnedCoroutine(Box::new(texts::ReturnedCoroutine {
        call: site.call.range(),
        callee: site.call.func.range(),
        caller: caller_range,
    }));
    defer(
        checker,
        Rule::AsyncFunctionReturnsCoroutine,
        range,
        target,
        kind,
    );
}

/// Decorators that only describe the function (they never consume its return value).
const DESCRIPTIVE_DECORATORS: &[&str] = &[
    "builtins.staticmethod",
    "builtins.classmethod",
    "abc.abstractmethod",
    "functools.wraps",
    "typing.override",
    "typing_extensions.override",
    "typing.final",
    "typing_extensions.final",
];

/// Any other decorator may hand the function to a framework that awaits whatever it returns
/// once more (Sanic and others `await` a handler's result while it is awaitable), so returning
/// a coroutine can be deliberate there.
fn has_framework_decorator(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|decorator| {
        let expr = match &decorator.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        checker
            .semantic
            .resolve_qualified_name(expr)
            .is_none_or(|q| !DESCRIPTIVE_DECORATORS.contains(&q.as_str()))
    })
}

struct Message<'m> {
    call: &'m str,
    callee: &'m str,
    caller: &'m str,
    what: &'m str,
    returns: &'m str,
}

fn diagnostic(m: &Message, range: TextRange, file: &Arc<SourceFile>) -> Diagnostic {
    let Message {
        call,
        callee,
        caller,
        what,
        returns,
    } = m;
    Diagnostic::new(
        Rule::AsyncFunctionReturnsCoroutine.code(),
        Rule::AsyncFunctionReturnsCoroutine.name(),
        format!(
            "`async def {caller}` returns `{call}` without awaiting it: `{callee}` is {what}, so `await {caller}(...)` gives {returns} instead of its result"
        ),
        range,
        file.clone(),
    )
    .with_help(format!("Write `return await {call}` (or make `{caller}` a plain `def` that forwards the call)"))
}

/// Phase 2: report when the target is a project coroutine function.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::ReturnedCoroutine(texts) = &check.kind else {
        return None;
    };
    let texts::ReturnedCoroutine {
        call,
        callee,
        caller,
    } = &**texts;
    let function = facts.resolve_function(&check.target)?;
    if !is_coroutine_function(&function) {
        return None;
    }
    let what = project_coroutine_what(facts, &function);
    let text = file.text();
    let callee = crate::project::snippet::callee(text, *callee);
    let call =
        crate::project::snippet::short(text, *call, 60).unwrap_or_else(|| format!("{callee}(...)"));
    let caller = crate::project::snippet::short(text, *caller, 200).unwrap_or_default();
    let message = Message {
        call: &call,
        callee: &callee,
        caller: &caller,
        what: &what,
        returns: "a coroutine object",
    };
    Some(diagnostic(&message, check.range, file))
}
