//! ## What it does
//! Reports `logger.error(...)` and `logger.warning(...)` (also `logging.error`/`warning` and
//! the deprecated `warn`) called without `exc_info=` in a catch-all handler
//! (`except Exception`, `except BaseException`, bare `except`) of an `async def` whose `try`
//! body awaits, when the handler does not re-raise. The logger must be a known
//! `logging` logger: the `logging` module itself, `logging.getLogger(...)` (directly, or
//! assigned to a module global, a local, or `self.<attr>` in `__init__`), or a name annotated
//! `logging.Logger`.
//!
//! ## Why is this bad?
//! In asyncio code the traceback is often the only way to know which awaited call failed and
//! through which chain of coroutines: the task that raised is gone by the time anyone reads
//! the log, and its exception will not be seen anywhere else. `logger.error("failed: %s", e)`
//! records only `str(e)` — frequently an empty string for `asyncio.TimeoutError` or
//! `CancelledError` — and loses the stack. `logger.exception(...)` (or `exc_info=True`)
//! keeps it at no extra cost.
//!
//! ## Example
//! ```python
//! async def refresh(self):
//!     try:
//!         await self.client.fetch()
//!     except Exception as err:
//!         _LOGGER.error("Refresh failed: %s", err)
//! ```
//!
//! Use instead:
//! ```python
//! async def refresh(self):
//!     try:
//!         await self.client.fetch()
//!     except Exception:
//!         _LOGGER.exception("Refresh failed")
//! ```
//!
//! Not reported: handlers of specific exceptions (`except TimeoutError:
//! _LOGGER.warning("device offline")` is the expected, traceback-free way to report an
//! anticipated failure), calls that pass `exc_info=` (even `exc_info=False`, a deliberate
//! choice) or `**kwargs`, handlers that re-raise (the traceback travels with the exception),
//! loggers of unknown type (`self.log`, `structlog`), `try` bodies without `await`, and code
//! outside `except` handlers or in nested functions.
//!
//! ## References
//! - [`logging.Logger.exception`](https://docs.python.org/3/library/logging.html#logging.Logger.exception)
//! - [`exc_info` keyword argument](https://docs.python.org/3/library/logging.html#logging.Logger.debug)
//! - [asyncio: Detect never-retrieved exceptions](https://docs.python.org/3/library/asyncio-dev.html#detect-never-retrieved-exceptions)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::helpers::{self, Awaits};
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

pub(crate) fn log_without_traceback(checker: &mut Checker, site: &CallSite) {
    let Some(method) = site.method_name() else {
        return;
    };
    if !matches!(method, "error" | "warning" | "warn") || !is_logger_call(site) {
        return;
    }
    let call = site.call;
    if call
        .arguments
        .keywords
        .iter()
        .any(|k| k.arg.as_ref().is_none_or(|a| a.as_str() == "exc_info"))
    {
        return;
    }
    let Some((try_stmt, handler)) = enclosing_handler(checker, call) else {
        return;
    };
    // Expected, specific errors (`except TimeoutError: log.warning("device offline")`) are
    // logged without a traceback on purpose; only catch-alls hide unknown failures.
    if !helpers::caught(&checker.semantic, handler).catches_everything()
        || Awaits::of(&try_stmt.body).first.is_none()
        || reraises(&handler.body)
    {
        return;
    }
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    let logger = checker.source_of(attr.value.range());
    let logger = if logger.len() > 40 || logger.contains('\n') {
        "logger"
    } else {
        logger
    };
    checker.report(
        Rule::LogWithoutTraceback,
        format!(
            "`{logger}.{method}(...)` in an `except` handler logs without the traceback: which awaited call failed, and through which coroutines, is lost"
        ),
        format!("Use `{logger}.exception(...)` or pass `exc_info=True`"),
        call.range(),
        None,
    );
}

/// The `logging` module's functions, or a method of an object known to be a `logging` logger.
fn is_logger_call(site: &CallSite) -> bool {
    if let Some(qualified) = site.qualified {
        return matches!(
            qualified,
            "logging.error"
                | "logging.warning"
                | "logging.warn"
                | "logging.root.error"
                | "logging.root.warning"
                | "logging.root.warn"
        );
    }
    site.receiver_kind.is_some_and(|kind| {
        matches!(
            kind,
            "logging.getLogger()" | "logging.Logger()" | "logging.LoggerAdapter()"
        ) || (kind.starts_with("logging.getLogger().") && kind.ends_with(".getChild()"))
    })
}

/// The `except` clause of the current function whose body contains `call`.
fn enclosing_handler<'a>(
    checker: &Checker<'a>,
    call: &ast::ExprCall,
) -> Option<(&'a ast::StmtTry, &'a ast::ExceptHandlerExceptHandler)> {
    if !checker.semantic.in_async_context() {
        return None;
    }
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return None,
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if handler.range.contains_range(call.range()) {
                        return Some((try_stmt, handler));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// A `raise` anywhere in the handler (not in nested functions).
fn reraises(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Raise(_) => self.0 = true,
                _ => visitor::walk_stmt(self, stmt),
            }
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}
