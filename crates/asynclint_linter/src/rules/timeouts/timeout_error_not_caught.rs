//! ## What it does
//! Reports `except TimeoutError:` (the builtin class, alone or in a tuple) on a `try` whose
//! body calls `asyncio.wait_for(...)` or `async_timeout.timeout(...)`/`timeout_at(...)`
//! (including the `asyncio_timeout` name of the usual `sys.version_info` conditional import),
//! when the target Python version is older than 3.11 and no clause of the `try` catches
//! `asyncio.TimeoutError`.
//!
//! ## Why is this bad?
//! Until Python 3.11, `asyncio.TimeoutError` is its own class, derived from `Exception` and
//! unrelated to the builtin `TimeoutError` (an `OSError`). `asyncio.wait_for` and
//! `async_timeout` raise `asyncio.TimeoutError`, so on 3.8–3.10 the handler never runs: the
//! timeout escapes as an unhandled exception, typically killing the task or request that was
//! supposed to recover from it. From 3.11 on the two names are the same class, which is why
//! the code works on a developer's recent Python and fails in production on an older one.
//!
//! ## Example
//! ```python
//! async def ping(client):
//!     try:
//!         return await asyncio.wait_for(client.ping(), timeout=5)
//!     except TimeoutError:
//!         return None
//! ```
//!
//! Use instead:
//! ```python
//! async def ping(client):
//!     try:
//!         return await asyncio.wait_for(client.ping(), timeout=5)
//!     except asyncio.TimeoutError:  # the builtin `TimeoutError` from 3.11 on
//!         return None
//! ```
//!
//! Not reported: `except (asyncio.TimeoutError, TimeoutError)`, a `try` with another clause
//! for `asyncio.TimeoutError`, clauses that also catch `Exception`/`BaseException`, and
//! `asyncio.timeout()` (new in 3.11, where it raises the builtin `TimeoutError`: the handler
//! is right wherever that code can run).
//!
//! ## Options
//! - `target-version`: the rule applies when the target is `py38`, `py39` or `py310`.
//!
//! ## References
//! - [`asyncio.wait_for`](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait_for):
//!   "Changed in version 3.11: Raises `TimeoutError` instead of `asyncio.TimeoutError`"
//! - [`asyncio.TimeoutError`](https://docs.python.org/3/library/asyncio-exceptions.html#asyncio.TimeoutError):
//!   "Changed in version 3.11: This class was made an alias of `TimeoutError`"

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::errors::helpers;
use crate::semantic::{BindingKind, Lookup};
use crate::settings::TargetVersion;

pub(crate) fn timeout_error_not_caught(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    if checker.settings.target_version >= TargetVersion::PY311 {
        return;
    }
    let clauses: Vec<(&ast::ExceptHandlerExceptHandler, helpers::Caught)> = try_stmt
        .handlers
        .iter()
        .map(|handler| {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            (handler, helpers::caught(&checker.semantic, handler))
        })
        .collect();
    if clauses.iter().any(|(_, caught)| caught.asyncio_timeout) {
        return;
    }
    let mut guarded: Option<Option<String>> = None;
    for (handler, caught) in &clauses {
        if !caught.builtin_timeout || caught.catches_everything() {
            continue;
        }
        let guarded = guarded.get_or_insert_with(|| timeout_call(checker, &try_stmt.body));
        let Some(callee) = guarded.as_deref() else {
            return;
        };
        let Some(type_) = handler.type_.as_deref() else {
            continue;
        };
        let Some(class) = helpers::flatten_tuple(type_).into_iter().find(|class| {
            checker.semantic.resolve_qualified_name(class).as_deref()
                == Some("builtins.TimeoutError")
        }) else {
            continue;
        };
        let target = checker.settings.target_version;
        checker.report(
            Rule::TimeoutErrorNotCaught,
            format!(
                "`except TimeoutError` does not catch the `asyncio.TimeoutError` raised by `{callee}(...)` before Python 3.11 (target {target}): the handler never runs and the timeout escapes"
            ),
            "Catch `asyncio.TimeoutError` (an alias of the builtin `TimeoutError` from 3.11 on)",
            class.range(),
            None,
        );
    }
}

/// The first call in the `try` body (outside nested functions) that raises
/// `asyncio.TimeoutError` on a timeout, as written.
fn timeout_call(checker: &Checker, body: &[ruff_python_ast::Stmt]) -> Option<String> {
    let mut found: Option<String> = None;
    helpers::for_each_call(body, &mut |call: &ast::ExprCall| {
        if found.is_none() && raises_asyncio_timeout(checker, &call.func) {
            let text = checker.source_of(call.func.range());
            found = Some(if text.len() > 40 {
                "asyncio.wait_for".to_string()
            } else {
                text.to_string()
            });
        }
    });
    found
}

fn raises_asyncio_timeout(checker: &Checker, func: &Expr) -> bool {
    const CALLEES: &[&str] = &[
        "asyncio.wait_for",
        "asyncio.tasks.wait_for",
        "async_timeout.timeout",
        "async_timeout.timeout_at",
    ];
    if let Some(qualified) = checker.semantic.resolve_qualified_name(func) {
        return CALLEES.contains(&qualified.as_str());
    }
    // `if sys.version_info >= (3, 11): from asyncio import timeout as asyncio_timeout`
    // `else: from async_timeout import timeout as asyncio_timeout`: one of the bindings raises
    // `asyncio.TimeoutError` on the older Pythons this target includes.
    let Expr::Name(name) = func else {
        return false;
    };
    let Lookup::Found(bindings) = checker.semantic.lookup(name.id.as_str()) else {
        return false;
    };
    bindings.iter().any(|binding| {
        matches!(&binding.kind, BindingKind::FromImport { qualified }
            if qualified == "async_timeout.timeout" || qualified == "async_timeout.timeout_at")
    })
}
