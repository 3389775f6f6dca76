//! ## What it does
//! Reports `await asyncio.gather(...)` without `return_exceptions=True`, running two or more
//! awaitables, inside the body of a `try` whose `except` handler catches the failure (anything
//! but `CancelledError`/`KeyboardInterrupt`/`SystemExit`/`GeneratorExit` alone), when the
//! target Python version has `asyncio.TaskGroup` (3.11 and later).
//!
//! ## Why is this bad?
//! When one awaitable passed to `gather` raises, `gather` propagates that first exception at
//! once, but it does **not** cancel the other awaitables: they keep running as orphan tasks
//! while the handler runs (and after the function has returned). Nothing awaits them any more;
//! their results are lost, a second failure among them is silently swallowed, and they may
//! still be writing to a connection the handler is closing or retrying. A handler that "deals
//! with the error" therefore deals with only half of the situation. `asyncio.TaskGroup` cancels
//! the remaining tasks when one fails and waits for them before raising.
//!
//! ## Example
//! ```python
//! async def sync_all(accounts):
//!     try:
//!         await asyncio.gather(*(sync(a) for a in accounts))
//!     except SyncError:
//!         await rollback()
//! ```
//!
//! Use instead:
//! ```python
//! async def sync_all(accounts):
//!     try:
//!         async with asyncio.TaskGroup() as tg:
//!             for a in accounts:
//!                 tg.create_task(sync(a))
//!     except* SyncError:
//!         await rollback()
//! ```
//!
//! Not reported: `return_exceptions=True` (every result is collected, see AIO304); a single
//! awaitable; a `try` that only has `finally` or only catches cancellation; handlers that cancel
//! tasks themselves (they call `.cancel()`); targets older than Python 3.11, where
//! `TaskGroup` does not exist.
//!
//! This rule is off by default: `gather` inside `try` is very common, and whether orphaned
//! siblings matter depends on what they do.
//!
//! ## References
//! - [`asyncio.gather`: "If return_exceptions is False ... other awaitables in the aws sequence won't be cancelled and will continue to run"](https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)
//! - [`asyncio.TaskGroup`](https://docs.python.org/3/library/asyncio-task.html#task-groups)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::settings::TargetVersion;

/// Exceptions that do not signal a failure of the gathered awaitables.
const NOT_FAILURES: &[&str] = &[
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
    "concurrent.futures.CancelledError",
    "builtins.KeyboardInterrupt",
    "builtins.SystemExit",
    "builtins.GeneratorExit",
];

pub(crate) fn gather_siblings_keep_running(checker: &mut Checker, site: &CallSite) {
    if !matches!(
        site.qualified,
        Some("asyncio.gather" | "asyncio.tasks.gather")
    ) {
        return;
    }
    if checker.settings.target_version < TargetVersion::PY311 {
        return;
    }
    if !checker.semantic.in_async_context() {
        return;
    }
    let call = site.call;
    if !matches!(checker.parent_expression(), Some(Expr::Await(a)) if a.value.range() == call.range())
    {
        return;
    }
    if let Some(keyword) = site.keyword("return_exceptions")
        && !matches!(
            keyword.value,
            Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: false, .. })
        )
    {
        return;
    }
    let args = &call.arguments.args;
    let several = args.len() >= 2 || args.iter().any(|a| matches!(a, Expr::Starred(_)));
    if !several {
        return;
    }
    let Some(handler) = handling_try(checker, call.range()) else {
        return;
    };
    let caught = match handler.type_.as_deref() {
        None => "except:".to_string(),
        Some(type_) => {
            let text = checker.source_of(type_.range());
            if text.len() <= 40 && !text.contains('\n') {
                format!("except {text}:")
            } else {
                "except ...:".to_string()
            }
        }
    };
    checker.report(
        Rule::GatherSiblingsKeepRunning,
        format!(
            "`await asyncio.gather(...)` inside a `try` with `{caught}`: when one awaitable fails, the handler runs while the others keep running in the background, never cancelled and never awaited"
        ),
        "Use `async with asyncio.TaskGroup()` (it cancels the other tasks when one fails) with `except*`, or cancel the remaining tasks in the handler",
        call.range(),
        None,
    );
}

/// The first handler of a `try` (of the current function, with the call in its body) that
/// catches a failure and does not cancel anything itself.
fn handling_try<'a>(
    checker: &Checker<'a>,
    call: ruff_text_size::TextRange,
) -> Option<&'a ast::ExceptHandlerExceptHandler> {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return None,
            Stmt::Try(try_stmt)
                if !try_stmt.is_star
                    && try_stmt.body.iter().any(|s| s.range().contains_range(call)) =>
            {
                let handlers: Vec<&ast::ExceptHandlerExceptHandler> = try_stmt
                    .handlers
                    .iter()
                    .map(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        h
                    })
                    .collect();
                // A handler that cancels tasks is taking care of the siblings.
                if handlers.iter().any(|h| cancels_something(&h.body)) {
                    return None;
                }
                if let Some(handler) = handlers.into_iter().find(|h| catches_failure(checker, h)) {
                    return Some(handler);
                }
            }
            _ => {}
        }
    }
    None
}

fn catches_failure(checker: &Checker, handler: &ast::ExceptHandlerExceptHandler) -> bool {
    let Some(type_) = handler.type_.as_deref() else {
        return true;
    };
    let types: Vec<&Expr> = match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        other => vec![other],
    };
    types.iter().any(|t| {
        checker
            .semantic
            .resolve_qualified_name(t)
            .is_none_or(|q| !NOT_FAILURES.contains(&q.as_str()))
    })
}

fn cancels_something(body: &[Stmt]) -> bool {
    struct Finder {
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr
                && let Expr::Attribute(attr) = &*call.func
                && attr.attr.as_str() == "cancel"
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder { found: false };
    finder.visit_body(body);
    finder.found
}
