//! ## What it does
//! Reports a timeout scope whose body cannot be suspended: `async with asyncio.timeout(...)`
//! or `asyncio.timeout_at(...)` (also `async_timeout.timeout`), or `with anyio.fail_after(...)`
//! / `anyio.move_on_after(...)` (also trio's `fail_after`/`fail_at`/`move_on_after`/
//! `move_on_at`), whose body contains no `await`, `async for`, `async with` or `yield`.
//!
//! ## Why is this bad?
//! A timeout in asyncio (and in anyio/trio) is a *cancellation* scheduled for later: when the
//! deadline passes, the event loop cancels the task, and the `CancelledError` is delivered the
//! next time the task is suspended at an `await`. Code without a suspension point runs to the
//! end in one go, holding the event loop; the deadline can pass, but nothing can interrupt the
//! block, so the timeout never fires. Usually the awaited call that was meant to be guarded
//! was left outside the block, or the block calls a synchronous (blocking) function, which no
//! asyncio timeout can interrupt. This is flake8-async's ASYNC100.
//!
//! ## Example
//! ```python
//! async def fetch(session, url):
//!     async with asyncio.timeout(10):
//!         request = session.get(url)
//!     return await request
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch(session, url):
//!     async with asyncio.timeout(10):
//!         return await session.get(url)
//! ```
//!
//! Not reported: a block that awaits anywhere (also inside an `if`, a loop or an async
//! comprehension), a timeout followed by further items of the same `async with` (entering and
//! leaving those is awaited inside the scope), `anyio.CancelScope()` (it can also be cancelled
//! by hand), and await points inside nested functions or lambdas do not count as the block's.
//!
//! ## References
//! - [`asyncio.timeout`](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)
//! - [anyio: Timeouts](https://anyio.readthedocs.io/en/stable/cancellation.html#timeouts)
//! - [flake8-async ASYNC100](https://flake8-async.readthedocs.io/en/latest/rules.html#async100)

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::timeout_scopes::{has_checkpoint, timeout_scope};
use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::function_facts::short_source;

pub(crate) fn timeout_without_await(checker: &mut Checker, with: &ast::StmtWith) {
    if !checker.semantic.in_async_context() {
        return;
    }
    let last = with.items.len().saturating_sub(1);
    for (i, item) in with.items.iter().enumerate() {
        let Some(scope) = timeout_scope(checker, &item.context_expr) else {
            continue;
        };
        // asyncio's timeouts are async context managers, anyio's and trio's are sync ones; the
        // other combination is a different bug (AIO600/AIO601).
        let is_async_scope = scope.starts_with("asyncio.") || scope.starts_with("async_timeout.");
        if is_async_scope != with.is_async {
            continue;
        }
        // Later items of an `async with` are entered and exited (awaited) inside the scope.
        if with.is_async && i < last {
            continue;
        }
        if has_checkpoint(&with.body) {
            continue;
        }
        let shown =
            short_source(checker, &item.context_expr).unwrap_or_else(|| format!("{scope}(...)"));
        checker.report(
            Rule::TimeoutWithoutAwait,
            format!(
                "The body of `{shown}` has no `await`: the timeout cancels the task at its next suspension point, and this block has none, so the timeout can never fire"
            ),
            "Move the awaited operation the timeout should guard into the block, or remove the timeout",
            item.context_expr.range(),
            None,
        );
    }
}
