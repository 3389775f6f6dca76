//! ## What it does
//! Reports `except Exception:`, `except BaseException:` and bare `except:` clauses (alone or
//! in a tuple) in an `async def` whose `try` body awaits (`await`, `async for`,
//! `async with`) and whose handler does nothing at all: its body is only `pass`, `...`,
//! `continue`, or a bare `return`/`return None`.
//!
//! ## Why is this bad?
//! Awaited operations fail for reasons nobody anticipated: a dropped connection, a protocol
//! error, a bug in a callback, a `TypeError` from a changed API. A catch-all handler that
//! does nothing makes every one of them disappear: no log line, no traceback, no metric, and
//! the coroutine carries on as if the operation had succeeded. In asyncio code this is how
//! background tasks "stop working" with no trace, since nothing else will ever observe the
//! error. `except BaseException`/bare `except` additionally swallow `asyncio.CancelledError`
//! (see AIO400).
//!
//! ## Example
//! ```python
//! async def push(websocket, message):
//!     try:
//!         await websocket.send_json(message)
//!     except Exception:
//!         pass
//! ```
//!
//! Use instead:
//! ```python
//! async def push(websocket, message):
//!     try:
//!         await websocket.send_json(message)
//!     except ConnectionClosed:
//!         pass  # the client went away: expected
//!     except Exception:
//!         logger.exception("Cannot push %s", message)
//! ```
//!
//! Not reported: handlers that catch specific exceptions, that log, count, store or return a
//! value, `try` bodies that do not await, synchronous functions, and
//! `contextlib.suppress(...)` (which names what it silences). Best-effort teardown is not
//! reported either: a `try` whose awaited calls all close, stop or release something
//! (`await ws.close()`, `await pubsub.aclose()`, `await client.disconnect()`,
//! `await r.hotkeys_stop()`), and any handler in a teardown function (`close`, `stop`,
//! `shutdown`, `cleanup`, `async_will_remove_from_hass`, `__aexit__`, ...): errors of a
//! resource that is being discarded are routinely ignored on purpose.
//!
//! ## References
//! - [Handling exceptions](https://docs.python.org/3/tutorial/errors.html#handling-exceptions)
//! - [asyncio: Detect never-retrieved exceptions](https://docs.python.org/3/library/asyncio-dev.html#detect-never-retrieved-exceptions)
//! - [`logging.Logger.exception`](https://docs.python.org/3/library/logging.html#logging.Logger.exception)

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::helpers::{self, Awaits};
use crate::checker::Checker;
use crate::registry::Rule;

pub(crate) fn exception_silenced_in_async(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    if !checker.semantic.in_async_context() {
        return;
    }
    // Teardown code ignores errors of what it tears down on purpose.
    if checker.semantic.current_function().is_some_and(|f| {
        is_teardown_name(f.def.name.as_str()) || f.def.name.as_str() == "__aexit__"
    }) {
        return;
    }
    let mut awaits: Option<Awaits> = None;
    for handler in &try_stmt.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        if !is_silent(&handler.body) {
            continue;
        }
        let caught = helpers::caught(&checker.semantic, handler);
        if !caught.catches_everything() {
            continue;
        }
        let awaits = awaits.get_or_insert_with(|| Awaits::of(&try_stmt.body));
        let Some(first_await) = awaits.first else {
            return;
        };
        if awaits
            .operands
            .iter()
            .all(|operand| is_teardown_call(operand))
        {
            return;
        }
        let clause = helpers::handler_display(checker.source, handler);
        let awaited = helpers::snippet(checker.source, first_await);
        let body = match handler.body.first() {
            Some(Stmt::Continue(_)) => "continue",
            Some(Stmt::Return(_)) => "return",
            Some(Stmt::Expr(_)) => "...",
            _ => "pass",
        };
        let clause = if caught.bare {
            "bare `except`".to_string()
        } else {
            format!("`{clause}`")
        };
        checker.report(
            Rule::ExceptionSilencedInAsync,
            format!(
                "{clause} around `{awaited}` does nothing (`{body}`): every error of the awaited operation disappears without a log line or traceback"
            ),
            "Catch only the exceptions you expect, or log the error (`logger.exception(...)`) before carrying on",
            helpers::handler_header(handler),
            None,
        );
    }
}

/// `await x.aclose()`, `await client.disconnect()`, `await r.hotkeys_stop()`: best-effort
/// cleanup, whose failure is routinely ignored because the resource is being discarded.
fn is_teardown_call(operand: &Expr) -> bool {
    let Expr::Call(call) = operand else {
        return false;
    };
    let name = match &*call.func {
        Expr::Attribute(attr) => attr.attr.as_str(),
        Expr::Name(name) => name.id.as_str(),
        _ => return false,
    };
    is_teardown_name(name)
}

/// Names of functions and methods that close, stop or release something.
fn is_teardown_name(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "close",
        "aclose",
        "wait_closed",
        "disconnect",
        "shutdown",
        "stop",
        "cancel",
        "unsubscribe",
        "punsubscribe",
        "release",
        "terminate",
        "kill",
        "cleanup",
        "teardown",
        "unload",
    ];
    const PREFIXES: &[&str] = &[
        "close_",
        "stop_",
        "shutdown_",
        "disconnect_",
        "cleanup_",
        "teardown_",
        "unload_",
        "async_close",
        "async_stop",
        "async_shutdown",
        "async_disconnect",
        "async_unload",
        "async_will_remove",
    ];
    const SUFFIXES: &[&str] = &[
        "_close",
        "_stop",
        "_shutdown",
        "_disconnect",
        "_cleanup",
        "_teardown",
        "_unload",
    ];
    let name = name.trim_start_matches('_');
    EXACT.contains(&name)
        || PREFIXES.iter().any(|p| name.starts_with(p))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Only `pass`, `...`, `continue`, bare `return` / `return None`.
fn is_silent(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) | Stmt::Continue(_) => true,
        Stmt::Return(ret) => ret
            .value
            .as_deref()
            .is_none_or(|v| matches!(v, Expr::NoneLiteral(_))),
        Stmt::Expr(expr) => matches!(&*expr.value, Expr::EllipsisLiteral(_)),
        _ => false,
    })
}
