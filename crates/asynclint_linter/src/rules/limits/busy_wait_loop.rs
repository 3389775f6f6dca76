//! ## What it does
//! Reports a `while <condition>:` loop in async code whose body does nothing but
//! `await asyncio.sleep(...)` (or `anyio.sleep`/`trio.sleep`): a task polling a flag until
//! another task changes it.
//!
//! ## Why is this bad?
//! Polling trades latency against wasted work: the task wakes up every interval to look at a
//! value that usually has not changed, and when it does change, the task notices only at its
//! next wake-up, up to one full interval late. Shorten the interval and the loop burns CPU and
//! event-loop turns; lengthen it and everything waiting on the flag gets slower. The code that
//! changes the flag can instead *wake* the waiter: `asyncio.Event.set()` (or
//! `Condition.notify_all()`) resumes it immediately, and costs nothing while nothing happens.
//!
//! ## Example
//! ```python
//! async def wait_until_connected(self):
//!     while not self.connected:
//!         await asyncio.sleep(0.1)
//! ```
//!
//! Use instead:
//! ```python
//! async def wait_until_connected(self):
//!     await self.connected_event.wait()  # the connecting code calls connected_event.set()
//! ```
//!
//! Not reported: `while True: await asyncio.sleep(...)` (keeping a task alive, not polling);
//! loops whose body does anything besides sleeping; conditions that call a function or await
//! (polling external state such as a process, a file or a remote service, which no event can
//! signal), except `len(...)`; test modules (`test_*.py`, `*_test.py`, `conftest.py`), which
//! wait for servers and fixtures they do not control.
//!
//! ## References
//! - [`asyncio.Event`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Event)
//! - [`asyncio.Condition`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Condition)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::testing::helpers::in_test_module;

pub(crate) const SLEEPS: &[&str] = &[
    "asyncio.sleep",
    "asyncio.tasks.sleep",
    "anyio.sleep",
    "trio.sleep",
];

pub(crate) fn busy_wait_loop(checker: &mut Checker, while_stmt: &ast::StmtWhile) {
    // Tests wait for servers and fixtures they do not control.
    if !checker.semantic.in_async_context()
        || !while_stmt.orelse.is_empty()
        || in_test_module(checker)
    {
        return;
    }
    let [Stmt::Expr(only)] = while_stmt.body.as_slice() else {
        return;
    };
    let Expr::Await(awaited) = &*only.value else {
        return;
    };
    let Expr::Call(call) = &*awaited.value else {
        return;
    };
    if !checker
        .semantic
        .resolve_qualified_name(&call.func)
        .is_some_and(|q| SLEEPS.contains(&q.as_str()))
    {
        return;
    }
    let test = &*while_stmt.test;
    if is_constant(test) || !is_plain_flag(checker, test) {
        return;
    }
    let condition = checker.source_of(test.range());
    let condition = if condition.len() <= 50 && !condition.contains('\n') {
        format!("`{condition}`")
    } else {
        "its condition".to_string()
    };
    checker.report(
        Rule::BusyWaitLoop,
        format!(
            "Busy-wait: this loop does nothing but sleep while {condition} holds, waking the task again and again for nothing and noticing the change up to a full interval late"
        ),
        "Wait on an `asyncio.Event` (or `asyncio.Condition`) that the code changing the flag sets, e.g. `await ready.wait()`",
        TextRange::new(while_stmt.start(), test.end()),
        None,
    );
}

/// `True`, `1`, a non-empty string: the loop keeps a task alive rather than polling.
fn is_constant(test: &Expr) -> bool {
    matches!(
        test,
        Expr::BooleanLiteral(_) | Expr::NumberLiteral(_) | Expr::StringLiteral(_)
    )
}

/// A condition on names and attributes only (comparisons, `not`, `and`/`or`), where the only
/// call allowed is `len(...)`: a flag that code in this process changes.
fn is_plain_flag(checker: &Checker, test: &Expr) -> bool {
    let mut finder = ForeignState {
        checker,
        found: false,
    };
    finder.visit_expr(test);
    !finder.found
}

struct ForeignState<'c, 'a> {
    checker: &'c Checker<'a>,
    found: bool,
}

impl<'a> Visitor<'a> for ForeignState<'_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Call(call) => {
                let is_len = self
                    .checker
                    .semantic
                    .resolve_qualified_name(&call.func)
                    .is_some_and(|q| q == "builtins.len");
                if !is_len {
                    self.found = true;
                    return;
                }
                self.visit_arguments(&call.arguments);
            }
            Expr::Await(_)
            | Expr::Lambda(_)
            | Expr::Named(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
            | Expr::Generator(_) => self.found = true,
            _ => visitor::walk_expr(self, expr),
        }
    }
}
