//! ## What it does
//! Reports mocks that fake a coroutine function the pre-3.8 way:
//! - a `Mock`/`MagicMock`/`patch(...)` whose `return_value` is an `asyncio.Future` (or
//!   `loop.create_future()`) resolved with `set_result(...)` before the code under test runs;
//! - a `Mock`/`MagicMock`/`patch(...)` whose `return_value` is a coroutine object, the call of
//!   an `async def` (`MagicMock(return_value=fetch())`).
//!
//! Both the `return_value=` argument and `mock.return_value = ...` assignments are checked.
//!
//! ## Why is this bad?
//! Before `AsyncMock` (Python 3.8), tests made a mock awaitable by returning an already
//! resolved future or a coroutine object. Both are single objects shared by every call: a
//! coroutine can be awaited only once (the second call's `await` raises `RuntimeError: cannot
//! reuse already awaited coroutine`, and a never-awaited one warns at garbage collection), and
//! a future is bound to the event loop it was created in, so a fixture reused across tests
//! fails with "attached to a different loop". Neither records whether the result was awaited.
//! `AsyncMock` returns a fresh coroutine on every call and tracks awaits
//! (`assert_awaited_once_with`).
//!
//! Not reported: futures that are resolved later, after the code under test started (a test
//! controlling when the awaited result arrives), futures and coroutines of unknown origin, and
//! `AsyncMock(...)`.
//!
//! ## Example
//! ```python
//! future = asyncio.Future()
//! future.set_result({"id": 1})
//! client.fetch = MagicMock(return_value=future)
//!
//! client.save = MagicMock(return_value=save_stub())
//! ```
//!
//! Use instead:
//! ```python
//! client.fetch = AsyncMock(return_value={"id": 1})
//!
//! client.save = AsyncMock(side_effect=save_stub)
//! ```
//!
//! ## References
//! - [`unittest.mock.AsyncMock`](https://docs.python.org/3/library/unittest.mock.html#unittest.mock.AsyncMock)
//! - [Coroutines and tasks: awaitables](https://docs.python.org/3/library/asyncio-task.html#awaitables)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::BindingKind;

const SYNC_MOCKS: &[&str] = &[
    "unittest.mock.Mock",
    "unittest.mock.MagicMock",
    "unittest.mock.NonCallableMock",
    "unittest.mock.NonCallableMagicMock",
    "unittest.mock.patch",
    "unittest.mock.patch.object",
    "unittest.mock.create_autospec",
    "mock.Mock",
    "mock.MagicMock",
    "mock.patch",
    "mock.patch.object",
];

const FUTURE_KINDS: &[&str] = &[
    "asyncio.Future()",
    "asyncio.futures.Future()",
    "asyncio.get_running_loop().create_future()",
    "asyncio.get_event_loop().create_future()",
    "asyncio.new_event_loop().create_future()",
    "asyncio.AbstractEventLoop().create_future()",
];

/// `Mock(return_value=...)`, `patch(..., return_value=...)`.
pub(crate) fn legacy_future_mock(checker: &mut Checker, site: &CallSite) {
    let Some(keyword) = site.keyword("return_value") else {
        return;
    };
    // `new_callable=AsyncMock` and friends make a different mock.
    if !is_sync_mock_call(checker, site)
        || site.keyword("new_callable").is_some()
        || site.keyword("new").is_some()
    {
        return;
    }
    let value = &keyword.value;
    // For an inline future, `m.return_value.set_result(...)` after `m = MagicMock(...)`.
    let holder = match checker.current_statement() {
        Some(Stmt::Assign(assign))
            if assign.value.range() == site.call.range() && assign.targets.len() == 1 =>
        {
            Some(format!(
                "{}.return_value",
                checker.source_of(assign.targets[0].range())
            ))
        }
        _ => None,
    };
    check_value(checker, value, holder.as_deref(), site.call.range());
}

/// `mock.return_value = ...`.
pub(crate) fn return_value_assignment(checker: &mut Checker, assign: &ast::StmtAssign) {
    let [target @ Expr::Attribute(attr)] = &assign.targets[..] else {
        return;
    };
    if attr.attr.as_str() != "return_value" {
        return;
    }
    let holder = checker.source_of(target.range()).to_string();
    check_value(checker, &assign.value, Some(&holder), assign.range());
}

fn check_value(checker: &mut Checker, value: &Expr, holder: Option<&str>, range: TextRange) {
    if let Some((coroutine, local)) = coroutine_call(checker, value) {
        let help = if local {
            format!("Use `AsyncMock(side_effect={coroutine})` or `AsyncMock(return_value=...)`")
        } else {
            "Use `AsyncMock(return_value=...)`".to_string()
        };
        checker.report(
            Rule::LegacyFutureMock,
            format!(
                "Mock returns the coroutine object `{coroutine}()`: every call returns that same object, which can be awaited only once (`RuntimeError: cannot reuse already awaited coroutine`)"
            ),
            help,
            range,
            None,
        );
        return;
    }
    // The text a `set_result(...)` call is made on: the future's name, or the mock's
    // `return_value` for an inline future.
    let needle = match value {
        Expr::Name(name) if is_future_name(checker, name) => name.id.to_string(),
        Expr::Call(_) if is_future(checker, value) => match holder {
            Some(holder) => holder.to_string(),
            None => return,
        },
        _ => return,
    };
    if !resolved_up_front(checker, &needle, range) {
        return;
    }
    checker.report(
        Rule::LegacyFutureMock,
        "Mock returns a pre-resolved `asyncio.Future` to fake a coroutine: the future is tied to one event loop and one value, and the mock cannot tell whether it was awaited",
        "Use `AsyncMock(return_value=...)`",
        range,
        None,
    );
}

fn is_sync_mock_call(checker: &Checker, site: &CallSite) -> bool {
    if let Some(q) = site.qualified {
        return SYNC_MOCKS.contains(&q);
    }
    // pytest-mock: `mocker.patch(...)`, `mocker.patch.object(...)`, `mocker.MagicMock(...)`.
    let Expr::Attribute(attr) = &*site.call.func else {
        return false;
    };
    let receiver = match (attr.attr.as_str(), &*attr.value) {
        ("patch" | "MagicMock" | "Mock", receiver) => receiver,
        ("object", Expr::Attribute(inner)) if inner.attr.as_str() == "patch" => &*inner.value,
        _ => return false,
    };
    matches!(receiver, Expr::Name(n) if n.id.as_str() == "mocker"
        && checker.semantic.unique_binding("mocker").is_some_and(|b| matches!(b.kind, BindingKind::Parameter { .. })))
}

fn is_future(checker: &Checker, expr: &Expr) -> bool {
    checker
        .semantic
        .object_kind(expr)
        .is_some_and(|kind| FUTURE_KINDS.contains(&kind.as_str()))
}

/// A name bound only by `name = asyncio.Future()` / `loop.create_future()`.
fn is_future_name(checker: &Checker, name: &ast::ExprName) -> bool {
    checker
        .semantic
        .unique_binding(name.id.as_str())
        .is_some_and(|b| matches!(&b.kind, BindingKind::Assignment { value: Some(v), .. } if is_future(checker, v)))
}

/// The call of a coroutine function, when certain: an undecorated `async def` of this file
/// (not an async generator), or `asyncio.sleep(...)`. Returns the callee as written, and
/// whether it is a function of this file.
fn coroutine_call(checker: &Checker, value: &Expr) -> Option<(String, bool)> {
    let Expr::Call(call) = value else {
        return None;
    };
    let callee = checker.source_of(call.func.range());
    if let Some(q) = checker.semantic.resolve_qualified_name(&call.func)
        && matches!(q.as_str(), "asyncio.sleep" | "asyncio.tasks.sleep")
    {
        return Some((callee.to_string(), false));
    }
    let def = match &*call.func {
        Expr::Name(name) => match &checker.semantic.unique_binding(name.id.as_str())?.kind {
            BindingKind::FunctionDef(def) => *def,
            _ => return None,
        },
        _ => return None,
    };
    super::helpers::is_plain_coroutine_function(def).then(|| (callee.to_string(), true))
}

/// Is `<needle>.set_result(...)` called in the same function (or module) before `usage`, or
/// after it with no `await` in between (the future is resolved before anything can await it)?
fn resolved_up_front(checker: &Checker, needle: &str, usage: TextRange) -> bool {
    let body = match checker.semantic.current_function() {
        Some(function) => &function.def.body[..],
        None => checker.module_body(),
    };
    let mut finder = SetResults {
        source: checker.source,
        needle,
        found: Vec::new(),
    };
    finder.visit_body(body);
    finder.found.iter().any(|call| {
        call.end() <= usage.start()
            || (call.start() >= usage.end()
                && !contains_await(&checker.source[TextRange::new(usage.end(), call.start())]))
    })
}

fn contains_await(text: &str) -> bool {
    text.match_indices("await").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + 5..].chars().next();
        let is_ident = |c: char| c.is_alphanumeric() || c == '_';
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

struct SetResults<'s, 'n> {
    source: &'s str,
    needle: &'n str,
    found: Vec<TextRange>,
}

impl<'a> Visitor<'a> for SetResults<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Expr(expr) => {
                if let Expr::Call(call) = &*expr.value
                    && let Expr::Attribute(attr) = &*call.func
                    && attr.attr.as_str() == "set_result"
                    && &self.source[attr.value.range()] == self.needle
                {
                    self.found.push(call.range());
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}
