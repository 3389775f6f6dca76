//! ## What it does
//! Reports waits on asyncio synchronisation objects with no timeout around them:
//! `await event.wait()` on an `asyncio.Event`, `await queue.get()` on an `asyncio.Queue`
//! (also `PriorityQueue`/`LifoQueue`), `await cond.wait()`/`cond.wait_for(...)` on an
//! `asyncio.Condition`, and `await fut` on a future created with `asyncio.Future()` or
//! `loop.create_future()`, when the function has no enclosing `asyncio.timeout(...)` (or
//! `timeout_at`, `async_timeout.timeout`, anyio `fail_after`/`move_on_after`) and the wait is
//! not wrapped in `asyncio.wait_for(...)`. The object's kind must be known (a constructor in
//! scope, `self.x = asyncio.Event()` in `__init__`, or an annotation).
//!
//! ## Why is this bad?
//! These objects are completed by *another* task: `event.set()`, `queue.put()`,
//! `cond.notify()`, `fut.set_result()`. If that task crashes, is cancelled, or takes a code
//! path that forgets to signal, nothing ever wakes the waiter: it hangs silently, holding
//! whatever it acquired before, and shutdown may hang on it too. A timeout turns a lost
//! signal into an error that can be logged and handled.
//!
//! ## Example
//! ```python
//! async def wait_ready(self):
//!     await self._ready.wait()
//! ```
//!
//! Use instead:
//! ```python
//! async def wait_ready(self):
//!     async with asyncio.timeout(30):
//!         await self._ready.wait()
//! ```
//!
//! Not reported: `await queue.get()` inside a loop (a consumer waiting for the next item is
//! the purpose of a queue; shut it down by cancelling the task or by a sentinel item); waits
//! inside any timeout scope of the function or under `asyncio.wait_for`; objects of unknown
//! kind. This rule is off by default: many waits are meant to last as long as the program.
//!
//! ## References
//! - [asyncio Synchronization Primitives](https://docs.python.org/3/library/asyncio-sync.html)
//! - [asyncio Queues](https://docs.python.org/3/library/asyncio-queue.html)
//! - [`asyncio.timeout`](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::timeout_scopes::{in_loop, in_timeout_scope};
use crate::checker::Checker;
use crate::registry::Rule;

const EVENTS: &[&str] = &["asyncio.Event()", "asyncio.locks.Event()"];
const QUEUES: &[&str] = &[
    "asyncio.Queue()",
    "asyncio.PriorityQueue()",
    "asyncio.LifoQueue()",
    "asyncio.queues.Queue()",
    "asyncio.queues.PriorityQueue()",
    "asyncio.queues.LifoQueue()",
];
const CONDITIONS: &[&str] = &["asyncio.Condition()", "asyncio.locks.Condition()"];
const FUTURES: &[&str] = &["asyncio.Future()", "asyncio.futures.Future()"];
const LOOPS: &[&str] = &[
    "asyncio.get_running_loop()",
    "asyncio.get_event_loop()",
    "asyncio.new_event_loop()",
    "asyncio.events.get_running_loop()",
    "asyncio.events.get_event_loop()",
    "asyncio.AbstractEventLoop()",
    "asyncio.events.AbstractEventLoop()",
];

pub(crate) fn await_event_without_timeout(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let Some((what, signal)) = waited_object(checker, &await_expr.value) else {
        return;
    };
    if in_timeout_scope(checker) {
        return;
    }
    let shown = checker.source_of(await_expr.value.range());
    let shown = if shown.len() <= 50 && !shown.contains('\n') {
        shown
    } else {
        "the wait"
    };
    checker.report(
        Rule::AwaitEventWithoutTimeout,
        format!(
            "`await {shown}` waits on {what} with no timeout: if the task that should {signal} fails or forgets to, this task waits forever"
        ),
        "Bound the wait with `async with asyncio.timeout(...)` or `asyncio.wait_for(..., timeout)` and handle `TimeoutError`",
        await_expr.range(),
        None,
    );
}

/// The kind of wait and what must happen to end it.
fn waited_object(checker: &Checker, value: &Expr) -> Option<(&'static str, &'static str)> {
    match value {
        Expr::Call(call) => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            let kind = checker.semantic.object_kind(&attr.value)?;
            let kind = kind.as_str();
            match attr.attr.as_str() {
                "wait" if EVENTS.contains(&kind) => Some(("an `asyncio.Event`", "call `set()`")),
                "wait" | "wait_for" if CONDITIONS.contains(&kind) => {
                    Some(("an `asyncio.Condition`", "call `notify()`"))
                }
                "get" if QUEUES.contains(&kind) && !in_loop(checker) => {
                    Some(("an `asyncio.Queue`", "put an item"))
                }
                _ => None,
            }
        }
        Expr::Name(_) => {
            let kind = checker.semantic.object_kind(value)?;
            let is_future = FUTURES.contains(&kind.as_str())
                || kind
                    .strip_suffix(".create_future()")
                    .is_some_and(|receiver| LOOPS.contains(&receiver));
            is_future.then_some(("a bare future", "set its result"))
        }
        _ => None,
    }
}
