//! ## What it does
//! Reports `await sem.acquire()` / `await lock.acquire()` on an asyncio `Semaphore`,
//! `BoundedSemaphore`, `Lock` or `Condition`, and `await pool.acquire()` on an asyncpg pool
//! (`await asyncpg.create_pool(...)`), that is not followed by a `try:` whose `finally:` (or
//! catch-all `except`) releases it again.
//!
//! ## Why is this bad?
//! Between the `acquire()` and the `release()` anything can raise: the awaited work, a
//! timeout, and above all `CancelledError`, which asyncio delivers at *every* `await` when the
//! task is cancelled (a client disconnects, a `TaskGroup` sibling fails, the app shuts down).
//! Without `finally`, the exception skips the `release()`: the permit or the pool connection
//! is gone for good. A lock then deadlocks every later caller; a semaphore or pool shrinks by
//! one with each failure until the program silently stops doing work.
//!
//! ## Example
//! ```python
//! async def update(self):
//!     await self._lock.acquire()
//!     await self._refresh()
//!     self._lock.release()
//! ```
//!
//! Use instead:
//! ```python
//! async def update(self):
//!     async with self._lock:
//!         await self._refresh()
//! ```
//!
//! Not reported: an acquire inside a `try` (or followed, in its block or an enclosing one, by
//! a `try`) whose `finally:` or catch-all handler releases the same object; an acquire whose
//! release is the very next statement; acquire/release split over two methods of a class
//! (`__aenter__`/`__aexit__`, `acquire`/`release` wrappers: another method releases the
//! same `self` attribute); a permit handed over to other code (the semaphore is passed to a
//! call or used in a nested function or lambda, e.g. a task that releases it when done, or
//! `release` is registered as a callback); an asyncpg connection that is returned or stored;
//! objects of unknown kind; test modules (`test_*.py`, `*_test.py`, `conftest.py`), which
//! exercise the primitives themselves.
//!
//! ## References
//! - [asyncio Synchronization Primitives: "the preferred way to use a Lock is an `async with` statement"](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Lock)
//! - [asyncpg: `Pool.acquire`](https://magicstack.github.io/asyncpg/current/api/index.html#asyncpg.pool.Pool.acquire)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::testing::helpers::in_test_module;

const SYNC_PRIMITIVES: &[&str] = &[
    "asyncio.Semaphore()",
    "asyncio.BoundedSemaphore()",
    "asyncio.Lock()",
    "asyncio.Condition()",
    "asyncio.locks.Semaphore()",
    "asyncio.locks.BoundedSemaphore()",
    "asyncio.locks.Lock()",
    "asyncio.locks.Condition()",
];

const ASYNCPG_POOLS: &[&str] = &[
    "await asyncpg.create_pool()",
    "await asyncpg.pool.create_pool()",
    "asyncpg.create_pool()",
    "asyncpg.pool.create_pool()",
    "asyncpg.Pool()",
    "asyncpg.pool.Pool()",
];

pub(crate) fn acquire_without_release(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let Expr::Call(call) = &*await_expr.value else {
        return;
    };
    // Tests exercise the primitives themselves.
    if in_test_module(checker) {
        return;
    }
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    if attr.attr.as_str() != "acquire" {
        return;
    }
    let receiver = &*attr.value;
    let Some(kind) = checker.semantic.object_kind(receiver) else {
        return;
    };
    let is_pool = ASYNCPG_POOLS.contains(&kind.as_str());
    if !is_pool && !SYNC_PRIMITIVES.contains(&kind.as_str()) {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    // `__aenter__` pairs with `__aexit__`; `return await x.acquire()` leaves the release to
    // the caller.
    if function.def.name.as_str() == "__aenter__"
        || matches!(checker.current_statement(), Some(Stmt::Return(_)))
    {
        return;
    }
    let receiver_text = checker.source_of(receiver.range());
    if is_protected(checker, receiver_text) || is_handed_over(receiver_text, &function.def.body) {
        return;
    }
    if let Some(class) = function.class
        && is_self_attribute(checker, receiver)
        && released_elsewhere(receiver_text, class, function.def)
    {
        return;
    }
    if is_pool && connection_escapes(checker, await_expr, &function.def.body) {
        return;
    }
    let shown = if receiver_text.len() <= 40 && !receiver_text.contains('\n') {
        receiver_text
    } else {
        "the object"
    };
    let (message, help) = if is_pool {
        (
            format!(
                "`await {shown}.acquire()` is not followed by `try`/`finally: await {shown}.release(conn)`: an exception or cancellation before the release leaks the connection, and the pool shrinks for good"
            ),
            format!("Use `async with {shown}.acquire() as conn:`"),
        )
    } else {
        (
            format!(
                "`await {shown}.acquire()` is not followed by `try`/`finally: {shown}.release()`: an exception or cancellation before the release leaks it for good, and later acquirers wait forever"
            ),
            format!("Use `async with {shown}:`, or release it in a `finally:` block"),
        )
    };
    checker.report(
        Rule::AcquireWithoutRelease,
        message,
        help,
        await_expr.range(),
        None,
    );
}

/// Walk from the statement holding the acquire up to its function: is it inside a `try`
/// that releases, followed by one, or directly followed by the release itself?
fn is_protected(checker: &Checker, receiver: &str) -> bool {
    let ancestors: Vec<&Stmt> = checker.statement_ancestors().collect();
    for (level, pair) in ancestors.windows(2).enumerate() {
        let (child, parent) = (pair[0], pair[1]);
        if let Stmt::Try(try_stmt) = parent
            && try_stmt
                .body
                .iter()
                .any(|s| s.range().contains_range(child.range()))
            && try_releases(try_stmt, receiver)
        {
            return true;
        }
        let Some(block) = containing_block(parent, child) else {
            return false;
        };
        let Some(index) = block.iter().position(|s| s.range() == child.range()) else {
            return false;
        };
        let later = &block[index + 1..];
        if level == 0
            && later
                .first()
                .is_some_and(|next| is_release_statement(next, receiver))
        {
            return true;
        }
        if later
            .iter()
            .any(|s| matches!(s, Stmt::Try(t) if try_releases(t, receiver)))
        {
            return true;
        }
        if matches!(parent, Stmt::FunctionDef(_)) {
            return false;
        }
    }
    false
}

/// The block of `parent` (a body, an `else`, a handler, a case...) that holds `child`.
fn containing_block<'a>(parent: &'a Stmt, child: &Stmt) -> Option<&'a [Stmt]> {
    let range = child.range();
    let holds = |block: &[Stmt]| block.iter().any(|s| s.range() == range);
    let mut blocks: Vec<&'a [Stmt]> = Vec::new();
    match parent {
        Stmt::FunctionDef(def) => blocks.push(&def.body),
        Stmt::If(if_stmt) => {
            blocks.push(&if_stmt.body);
            blocks.extend(if_stmt.elif_else_clauses.iter().map(|c| c.body.as_slice()));
        }
        Stmt::For(for_stmt) => blocks.extend([&for_stmt.body[..], &for_stmt.orelse[..]]),
        Stmt::While(while_stmt) => blocks.extend([&while_stmt.body[..], &while_stmt.orelse[..]]),
        Stmt::With(with) => blocks.push(&with.body),
        Stmt::Try(try_stmt) => {
            blocks.extend([
                &try_stmt.body[..],
                &try_stmt.orelse[..],
                &try_stmt.finalbody[..],
            ]);
            for handler in &try_stmt.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                blocks.push(&handler.body);
            }
        }
        Stmt::Match(match_stmt) => {
            blocks.extend(match_stmt.cases.iter().map(|c| c.body.as_slice()))
        }
        _ => {}
    }
    blocks.into_iter().find(|block| holds(block))
}

/// A `try` whose `finally:` or catch-all handler (`except:`, `except BaseException`,
/// `except Exception`) calls `<receiver>.release(...)`.
fn try_releases(try_stmt: &ast::StmtTry, receiver: &str) -> bool {
    if contains_release(&try_stmt.finalbody, receiver) {
        return true;
    }
    try_stmt.handlers.iter().any(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let catch_all = match handler.type_.as_deref() {
            None => true,
            Some(Expr::Name(name)) => {
                matches!(name.id.as_str(), "BaseException" | "Exception")
            }
            _ => false,
        };
        catch_all && contains_release(&handler.body, receiver)
    })
}

/// `x.release()` (or `await pool.release(conn)`) as a whole statement.
fn is_release_statement(stmt: &Stmt, receiver: &str) -> bool {
    let Stmt::Expr(expr) = stmt else {
        return false;
    };
    let value = match &*expr.value {
        Expr::Await(awaited) => &*awaited.value,
        other => other,
    };
    matches!(value, Expr::Call(call) if matches!(&*call.func, Expr::Attribute(attr)
        if attr.attr.as_str() == "release" && source_eq(&attr.value, receiver)))
}

fn contains_release(body: &[Stmt], receiver: &str) -> bool {
    let mut finder = ReleaseFinder {
        receiver,
        called: false,
        referenced: false,
        nested: 0,
    };
    finder.visit_body(body);
    finder.called
}

/// Finds `<receiver>.release(...)` calls (`called`) and, for hand-overs, `<receiver>.release`
/// referenced without being called or from a nested scope (`referenced`).
struct ReleaseFinder<'r> {
    receiver: &'r str,
    called: bool,
    referenced: bool,
    nested: u32,
}

impl ReleaseFinder<'_> {
    fn is_release(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Attribute(attr)
            if attr.attr.as_str() == "release" && source_eq(&attr.value, self.receiver))
    }
}

impl<'a> Visitor<'a> for ReleaseFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(_) | Stmt::ClassDef(_) = stmt {
            self.nested += 1;
            visitor::walk_stmt(self, stmt);
            self.nested -= 1;
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) if self.is_release(&call.func) => {
                if self.nested == 0 {
                    self.called = true;
                } else {
                    self.referenced = true;
                }
                self.visit_arguments(&call.arguments);
            }
            _ if self.is_release(expr) => self.referenced = true,
            Expr::Lambda(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Compares an expression with the receiver's source text by structure (names and
/// attribute chains only).
fn source_eq(expr: &Expr, text: &str) -> bool {
    match expr {
        Expr::Name(name) => name.id.as_str() == text,
        Expr::Attribute(attr) => text
            .strip_suffix(attr.attr.as_str())
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|rest| source_eq(&attr.value, rest)),
        _ => false,
    }
}

/// The permit is handed to other code: `release` is registered as a callback or called from
/// a nested function or lambda, or the object itself is passed to a call or used by a nested
/// scope (a task or callback that releases it when done).
fn is_handed_over(receiver: &str, body: &[Stmt]) -> bool {
    let mut finder = ReleaseFinder {
        receiver,
        called: false,
        referenced: false,
        nested: 0,
    };
    finder.visit_body(body);
    if finder.referenced {
        return true;
    }
    let mut passed = PassedOn {
        receiver,
        nested: 0,
        found: false,
    };
    passed.visit_body(body);
    passed.found
}

struct PassedOn<'r> {
    receiver: &'r str,
    nested: u32,
    found: bool,
}

impl<'a> Visitor<'a> for PassedOn<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(_) | Stmt::ClassDef(_) = stmt {
            self.nested += 1;
            visitor::walk_stmt(self, stmt);
            self.nested -= 1;
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Call(call) => {
                let passed = call
                    .arguments
                    .args
                    .iter()
                    .map(|a| match a {
                        Expr::Starred(s) => &*s.value,
                        other => other,
                    })
                    .chain(call.arguments.keywords.iter().map(|k| &k.value))
                    .any(|a| source_eq(a, self.receiver));
                if passed {
                    self.found = true;
                    return;
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
            | Expr::Generator(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
            }
            _ if self.nested > 0 && source_eq(expr, self.receiver) => self.found = true,
            _ => visitor::walk_expr(self, expr),
        }
    }
}

fn is_self_attribute(checker: &Checker, expr: &Expr) -> bool {
    matches!(expr, Expr::Attribute(attr)
        if matches!(&*attr.value, Expr::Name(base) if checker.semantic.is_self_name(base.id.as_str())))
}

/// Another method of the class releases the same `self` attribute: acquire and release are
/// split over an API (`__aenter__`/`__aexit__`, `acquire()`/`release()` wrappers).
fn released_elsewhere(
    receiver: &str,
    class: &ast::StmtClassDef,
    this: &ast::StmtFunctionDef,
) -> bool {
    class.body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(def) if !std::ptr::eq(def, this) => {
            let mut finder = ReleaseFinder {
                receiver,
                called: false,
                referenced: false,
                nested: 0,
            };
            finder.visit_body(&def.body);
            finder.called || finder.referenced
        }
        _ => false,
    })
}

/// `conn = await pool.acquire()` whose connection is returned, yielded or stored elsewhere
/// (`self._conn = await pool.acquire()`): its owner releases it later.
fn connection_escapes(checker: &Checker, await_expr: &ast::ExprAwait, body: &[Stmt]) -> bool {
    let target = match checker.current_statement() {
        Some(Stmt::Assign(assign)) if assign.value.range() == await_expr.range() => {
            match assign.targets.as_slice() {
                [Expr::Name(name)] => name.id.as_str(),
                _ => return true,
            }
        }
        Some(Stmt::AnnAssign(assign))
            if assign
                .value
                .as_deref()
                .is_some_and(|v| v.range() == await_expr.range()) =>
        {
            match &*assign.target {
                Expr::Name(name) => name.id.as_str(),
                _ => return true,
            }
        }
        _ => return false,
    };
    let mut finder = Escapes {
        name: target,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}

struct Escapes<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for Escapes<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Return(ret) => {
                if ret
                    .value
                    .as_deref()
                    .is_some_and(|v| matches!(v, Expr::Name(n) if n.id.as_str() == self.name))
                {
                    self.found = true;
                }
            }
            Stmt::Assign(assign)
                if matches!(&*assign.value, Expr::Name(n) if n.id.as_str() == self.name)
                    && !assign.targets.iter().all(Expr::is_name_expr) =>
            {
                self.found = true;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Yield(y) = expr
            && y.value
                .as_deref()
                .is_some_and(|v| matches!(v, Expr::Name(n) if n.id.as_str() == self.name))
        {
            self.found = true;
        }
        visitor::walk_expr(self, expr);
    }
}
