//! ## What it does
//! Reports `task.cancel()` in an `async def` when, after the call, the function never waits
//! for that task: no `await task`, no `asyncio.gather`/`wait`/`wait_for` over it, and the task
//! is not handed to anything else (returned, stored, passed to a call) that could wait for
//! it. Only objects known to be tasks are checked: a name or `self.<attr>` assigned from
//! `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or `loop.create_task(...)` on a
//! known event loop, or annotated `asyncio.Task`.
//!
//! ## Why is this bad?
//! `cancel()` only *requests* cancellation: it schedules a `CancelledError` to be thrown into
//! the task at its next `await`, and returns immediately. The task's `except`/`finally`
//! blocks, `async with` exits and other cleanup run later, on a future loop iteration — maybe
//! after this function has returned and the caller has closed the connection, the file or the
//! event loop the cleanup needs. If the task ignores or delays the cancellation, nobody
//! notices, and if it fails while cancelling, its exception is never retrieved. Awaiting the
//! task after cancelling it makes shutdown deterministic.
//!
//! ## Example
//! ```python
//! async def stop(self):
//!     self._poller.cancel()
//!     await self._session.close()  # the poller may still be using the session
//! ```
//!
//! Use instead:
//! ```python
//! async def stop(self):
//!     self._poller.cancel()
//!     with contextlib.suppress(asyncio.CancelledError):
//!         await self._poller
//!     await self._session.close()
//! ```
//!
//! Not reported: tasks whose kind is unknown (`for t in tasks: t.cancel()`), tasks of a
//! `TaskGroup` (the group waits for them), tasks that were put in a collection or aliased
//! before the cancel (they may be awaited through it), any later use of the task other than
//! `done()`/`cancelled()`/`cancel()`/a `None` test, and synchronous functions (they cannot
//! wait; callbacks commonly cancel tasks).
//!
//! ## References
//! - [`asyncio.Task.cancel`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.cancel):
//!   "This arranges for a CancelledError exception to be thrown into the wrapped coroutine on
//!   the next cycle of the event loop"
//! - [Task cancellation](https://docs.python.org/3/library/asyncio-task.html#task-cancellation)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

pub(crate) fn cancel_without_await(checker: &mut Checker, site: &CallSite) {
    if site.method_name() != Some("cancel") || !checker.semantic.in_async_context() {
        return;
    }
    if !site.receiver_kind.is_some_and(is_task_kind) {
        return;
    }
    let Expr::Attribute(attr) = &*site.call.func else {
        return;
    };
    let receiver = &*attr.value;
    let is_trackable = match receiver {
        Expr::Name(_) => true,
        Expr::Attribute(inner) => {
            matches!(&*inner.value, Expr::Name(n) if checker.semantic.is_self_name(n.id.as_str()))
        }
        _ => false,
    };
    if !is_trackable {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let text = checker.source_of(receiver.range());
    let mut uses = Uses {
        source: checker.source,
        text,
        cancel: site.call.range(),
        parents: Vec::new(),
        statement: None,
        handled: false,
    };
    uses.visit_body(&function.def.body);
    if uses.handled {
        return;
    }
    let shown = if text.len() > 40 { "task" } else { text };
    checker.report(
        Rule::CancelWithoutAwait,
        format!(
            "`{shown}.cancel()` only requests cancellation, and this function never waits for `{shown}` afterwards: its cleanup may not have run when the function returns"
        ),
        format!(
            "Wait for it after cancelling: `with contextlib.suppress(asyncio.CancelledError): await {shown}` (or `await asyncio.gather({shown}, return_exceptions=True)`)"
        ),
        site.call.range(),
        None,
    );
}

fn is_task_kind(kind: &str) -> bool {
    if matches!(
        kind,
        "asyncio.create_task()"
            | "asyncio.tasks.create_task()"
            | "asyncio.ensure_future()"
            | "asyncio.tasks.ensure_future()"
            | "asyncio.Task()"
            | "asyncio.tasks.Task()"
    ) {
        return true;
    }
    kind.strip_suffix(".create_task()")
        .is_some_and(|loop_kind| {
            matches!(
                loop_kind,
                "asyncio.get_running_loop()"
                    | "asyncio.get_event_loop()"
                    | "asyncio.new_event_loop()"
                    | "asyncio.AbstractEventLoop()"
                    | "asyncio.events.AbstractEventLoop()"
            )
        })
}

/// Uses of the task in the function: after the cancel, anything but an inspection means the
/// task is waited for or handed on; before it, anything but an inspection or a direct `await`
/// may have aliased it.
struct Uses<'s, 'a> {
    source: &'s str,
    text: &'s str,
    cancel: TextRange,
    parents: Vec<&'a Expr>,
    statement: Option<&'a Stmt>,
    handled: bool,
}

impl<'a> Visitor<'a> for Uses<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.handled {
            return;
        }
        let outer = self.statement.replace(stmt);
        match stmt {
            // A closure that uses the task may wait for it.
            Stmt::FunctionDef(def) => visitor::walk_body(self, &def.body),
            _ => visitor::walk_stmt(self, stmt),
        }
        self.statement = outer;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.handled {
            return;
        }
        if matches!(expr, Expr::Name(_) | Expr::Attribute(_))
            && &self.source[expr.range()] == self.text
            && !is_store(expr)
        {
            if expr.range().start() >= self.cancel.end() {
                if !self.is_inspection() {
                    self.handled = true;
                }
            } else if !self.cancel.contains_range(expr.range())
                && !self.is_inspection()
                && !matches!(self.parents.last(), Some(Expr::Await(_)))
            {
                self.handled = true;
            }
            return;
        }
        self.parents.push(expr);
        visitor::walk_expr(self, expr);
        self.parents.pop();
    }
}

impl Uses<'_, '_> {
    /// `task.done()`, `task.cancelled()`, `task.cancel()`, `task is None`, `if task:`.
    fn is_inspection(&self) -> bool {
        match self.parents.last() {
            None => matches!(
                self.statement,
                Some(Stmt::If(_) | Stmt::While(_) | Stmt::Assert(_) | Stmt::Delete(_))
            ),
            Some(Expr::Attribute(attr)) => matches!(
                attr.attr.as_str(),
                "cancel" | "cancelled" | "done" | "get_name" | "get_coro"
            ),
            Some(Expr::Compare(compare)) => compare
                .comparators
                .iter()
                .chain(std::iter::once(&*compare.left))
                .any(|e| matches!(e, Expr::NoneLiteral(_))),
            Some(Expr::BoolOp(_)) => true,
            Some(Expr::UnaryOp(unary)) => unary.op == ast::UnaryOp::Not,
            Some(_) => false,
        }
    }
}

fn is_store(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => !name.ctx.is_load(),
        Expr::Attribute(attr) => !attr.ctx.is_load(),
        _ => false,
    }
}
