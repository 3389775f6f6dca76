//! ## What it does
//! Reports cleanup calls that follow the `yield` of an `@asynccontextmanager` /
//! `@contextmanager` generator when the `yield` is not protected: it is neither inside a
//! `try:` that has a `finally:`, nor inside a `try:` whose bare `except:` / `except
//! BaseException:` handler re-raises. When the `yield` is inside a `with`/`async with`
//! block, cleanup of what that block owns (its `as` targets and the managed object) is left
//! to it; cleanup of anything else is still reported.
//!
//! A cleanup call is a call of `close`, `aclose`, `release`, `disconnect`, `shutdown`,
//! `cancel`, `stop`, `terminate`, `cleanup`, `unlink`, `remove`, `rmtree`, `delete`,
//! `dispose`, `unsubscribe`, `reset`, `__aexit__`, `__exit__` or `wait_closed`.
//!
//! ## Why is this bad?
//! When the body of `async with cm():` raises, the decorator *throws* the exception into the
//! generator at the `yield`. Everything after the `yield` that is not in a `finally:` (or an
//! `except` clause that catches the exception) is skipped: the connection is never closed,
//! the lock never released, the temporary directory never removed. In asyncio this happens
//! on every cancellation as well: a timeout or a shutdown raises `CancelledError` (a
//! `BaseException`) at the `await` the body is suspended in, so even "can't fail" bodies leak
//! the resource when they are cancelled.
//!
//! ## Example
//! ```python
//! from contextlib import asynccontextmanager
//!
//! @asynccontextmanager
//! async def connection(dsn):
//!     conn = await asyncpg.connect(dsn)
//!     yield conn
//!     await conn.close()
//! ```
//!
//! Use instead:
//! ```python
//! from contextlib import asynccontextmanager
//!
//! @asynccontextmanager
//! async def connection(dsn):
//!     conn = await asyncpg.connect(dsn)
//!     try:
//!         yield conn
//!     finally:
//!         await conn.close()
//! ```
//!
//! Not reported: code after `yield` that is not cleanup (`await tx.commit()`, restoring a
//! value, logging); a `yield` inside `try/finally`, inside a `try` whose `except
//! BaseException:`/bare `except:` re-raises; cleanup of the resource owned by a
//! `with`/`async with` around the `yield` (`async with pool.acquire() as conn: yield conn`
//! then `await conn.reset()`: the context manager releases `conn` on error anyway); cleanup
//! in an `except` handler or in a branch that ends in `raise` (error handling by design); a
//! `yield` followed by `return` (an early no-op exit); functions that are not decorated
//! context managers (plain generators, pytest fixtures).
//!
//! ## References
//! - [`contextlib.asynccontextmanager`](https://docs.python.org/3/library/contextlib.html#contextlib.asynccontextmanager)
//! - [`contextlib.contextmanager`: "If an unhandled exception occurs in the block, it is reraised inside the generator at the point where the yield occurred"](https://docs.python.org/3/library/contextlib.html#contextlib.contextmanager)
//! - [Task cancellation](https://docs.python.org/3/library/asyncio-task.html#task-cancellation)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::resource_helpers::{CmDecorator, context_manager_decorator};
use crate::checker::Checker;
use crate::registry::Rule;
use crate::semantic::SemanticModel;

const CLEANUP_NAMES: &[&str] = &[
    "close",
    "aclose",
    "release",
    "disconnect",
    "shutdown",
    "cancel",
    "stop",
    "terminate",
    "cleanup",
    "unlink",
    "remove",
    "rmtree",
    "delete",
    "dispose",
    "unsubscribe",
    "reset",
    "__aexit__",
    "__exit__",
    "wait_closed",
];

pub(crate) fn cleanup_not_in_finally(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    let Some(decorator) = context_manager_decorator(&checker.semantic, def) else {
        return;
    };
    // A mismatched decorator is AIO603's finding; the generator never runs as intended.
    if (decorator == CmDecorator::Async) != def.is_async {
        return;
    }
    let mut scan = Scan {
        semantic: &checker.semantic,
        findings: Vec::new(),
        owned: Vec::new(),
    };
    scan.block(&def.body, &mut Vec::new());
    let findings = scan.findings;
    let manager = if def.is_async { "async with" } else { "with" };
    let name = def.name.as_str();
    for finding in findings {
        let callee = checker.source_of(finding.callee);
        let callee = if callee.len() > 50 || callee.contains('\n') {
            finding.method.clone()
        } else {
            callee.to_string()
        };
        let more = match finding.more {
            0 => String::new(),
            1 => " (and 1 more cleanup call)".to_string(),
            n => format!(" (and {n} more cleanup calls)"),
        };
        checker.report(
            Rule::CleanupNotInFinally,
            format!(
                "`{callee}()` runs after the `yield` of context manager `{name}` but not in a `finally:`{more}: when the `{manager}` body raises or is cancelled, the exception is thrown in at the `yield` and this cleanup is skipped"
            ),
            "Wrap the `yield` in `try:` and move the cleanup into `finally:`",
            finding.call,
            None,
        );
    }
}

struct Finding {
    call: TextRange,
    callee: TextRange,
    method: String,
    more: usize,
}

/// An enclosing compound statement of the `yield` and the block it is in.
#[derive(Clone, Copy)]
enum Frame<'a> {
    /// In `block`, followed by `rest` (the statements after the compound statement).
    Plain { rest: &'a [Stmt] },
    /// In the body of a `try` (whose `else:` runs next on success).
    TryBody {
        orelse: &'a [Stmt],
        rest: &'a [Stmt],
    },
}

struct Scan<'s, 'a> {
    semantic: &'s SemanticModel<'a>,
    findings: Vec<Finding>,
    /// What the enclosing `with` blocks own (`conn` in `async with pool.acquire() as conn`,
    /// `self._lock` in `with self._lock:`).
    owned: Vec<String>,
}

impl<'a> Scan<'_, 'a> {
    /// Walk `block`; `frames` are the unprotected compound statements around it.
    fn block(&mut self, block: &'a [Stmt], frames: &mut Vec<Frame<'a>>) {
        for (i, stmt) in block.iter().enumerate() {
            let rest = &block[i + 1..];
            match stmt {
                Stmt::Expr(ast::StmtExpr { value, .. }) if is_yield(value) => {
                    self.unprotected_yield(rest, frames);
                }
                Stmt::Assign(ast::StmtAssign { value, .. }) if is_yield(value) => {
                    self.unprotected_yield(rest, frames);
                }
                Stmt::AnnAssign(ast::StmtAnnAssign {
                    value: Some(value), ..
                }) if is_yield(value) => {
                    self.unprotected_yield(rest, frames);
                }
                // The context manager releases what it owns (its `as` targets, the managed
                // object itself) even on error: only cleanup of *other* objects is at risk.
                Stmt::With(with) => {
                    let before = self.owned.len();
                    for item in &with.items {
                        if let Some(path) = dotted(&item.context_expr) {
                            self.owned.push(path);
                        }
                        // `closing(conn)`, `aclosing(gen)`: the wrapped object.
                        if let Expr::Call(call) = &item.context_expr {
                            self.owned
                                .extend(call.arguments.args.iter().filter_map(dotted));
                        }
                        if let Some(vars) = &item.optional_vars {
                            collect_names(vars, &mut self.owned);
                            // An exit stack owns whatever is registered on it.
                            if let Expr::Name(stack) = &**vars {
                                let mut registered = Registered {
                                    stack: stack.id.as_str(),
                                    found: Vec::new(),
                                };
                                registered.visit_body(&with.body);
                                self.owned.extend(registered.found);
                            }
                        }
                    }
                    frames.push(Frame::Plain { rest });
                    self.block(&with.body, frames);
                    frames.pop();
                    self.owned.truncate(before);
                }
                // A `yield` in a handler or `else:` is unusual; leave it alone.
                Stmt::Try(try_stmt)
                    if try_stmt.finalbody.is_empty()
                        && !reraises_everything(self.semantic, try_stmt) =>
                {
                    frames.push(Frame::TryBody {
                        orelse: &try_stmt.orelse,
                        rest,
                    });
                    self.block(&try_stmt.body, frames);
                    frames.pop();
                }
                Stmt::If(if_stmt) => {
                    frames.push(Frame::Plain { rest });
                    self.block(&if_stmt.body, frames);
                    for clause in &if_stmt.elif_else_clauses {
                        self.block(&clause.body, frames);
                    }
                    frames.pop();
                }
                Stmt::Match(match_stmt) => {
                    frames.push(Frame::Plain { rest });
                    for case in &match_stmt.cases {
                        self.block(&case.body, frames);
                    }
                    frames.pop();
                }
                // A `yield` in a loop is not a context manager's single `yield`.
                _ => {}
            }
        }
    }

    /// The statements that run after the `yield` when the body succeeds: the rest of its
    /// block, then the `else:` of an enclosing `try`, then what follows each enclosing
    /// statement.
    fn unprotected_yield(&mut self, rest: &'a [Stmt], frames: &[Frame<'a>]) {
        let mut finder = CleanupFinder::default();
        // `yield; return` (an early exit for the no-op case) ends the path.
        let mut open = finder.visit_path(rest);
        for frame in frames.iter().rev() {
            if !open {
                break;
            }
            open = match frame {
                Frame::Plain { rest } => finder.visit_path(rest),
                Frame::TryBody { orelse, rest } => {
                    finder.visit_path(orelse) && finder.visit_path(rest)
                }
            };
        }
        let owned = &self.owned;
        let mut calls = finder
            .calls
            .into_iter()
            .filter(|c| !c.subjects.iter().any(|s| is_owned(s, owned)))
            .map(|c| (c.call, c.callee, c.method));
        if let Some((call, callee, method)) = calls.next()
            && !self.findings.iter().any(|f| f.call == call)
        {
            self.findings.push(Finding {
                call,
                callee,
                method,
                more: calls.count(),
            });
        }
    }
}

fn is_yield(expr: &Expr) -> bool {
    match expr {
        Expr::Yield(_) | Expr::YieldFrom(_) => true,
        Expr::Await(await_expr) => is_yield(&await_expr.value),
        _ => false,
    }
}

/// `except:` / `except BaseException:` (alone or in a tuple) whose body ends with `raise`.
fn reraises_everything(semantic: &SemanticModel, try_stmt: &ast::StmtTry) -> bool {
    try_stmt.handlers.iter().any(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let catches_all = match handler.type_.as_deref() {
            None => true,
            Some(Expr::Tuple(tuple)) => tuple.elts.iter().any(|e| is_base_exception(semantic, e)),
            Some(other) => is_base_exception(semantic, other),
        };
        catches_all && handler.body.iter().any(|s| matches!(s, Stmt::Raise(_)))
    })
}

fn is_base_exception(semantic: &SemanticModel, expr: &Expr) -> bool {
    semantic
        .resolve_qualified_name(expr)
        .is_some_and(|q| q == "builtins.BaseException")
}

/// `a.b.c` for names and attribute chains.
fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attr) => Some(format!("{}.{}", dotted(&attr.value)?, attr.attr)),
        _ => None,
    }
}

fn collect_names(target: &Expr, out: &mut Vec<String>) {
    match target {
        Expr::Name(name) => out.push(name.id.to_string()),
        Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| collect_names(e, out)),
        Expr::List(list) => list.elts.iter().for_each(|e| collect_names(e, out)),
        Expr::Starred(starred) => collect_names(&starred.value, out),
        _ => {}
    }
}

/// `conn` is owned by `conn`; `tg.cancel_scope` by `tg`.
fn is_owned(subject: &str, owned: &[String]) -> bool {
    owned.iter().any(|o| {
        subject == o
            || subject
                .strip_prefix(o.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Callbacks and context managers registered on an `ExitStack`/`AsyncExitStack`:
/// `stack.callback(self.stop)`, `stack.enter_context(conn)`.
struct Registered<'n> {
    stack: &'n str,
    found: Vec<String>,
}

impl<'a> Visitor<'a> for Registered<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr
            && let Expr::Attribute(attr) = &*call.func
            && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == self.stack)
            && matches!(
                attr.attr.as_str(),
                "callback"
                    | "push"
                    | "push_async_callback"
                    | "push_async_exit"
                    | "enter_context"
                    | "enter_async_context"
            )
            && let Some(first) = call.arguments.args.first()
        {
            let first = match first {
                // `stack.enter_context(closing(conn))`
                Expr::Call(inner) => inner.arguments.args.first().unwrap_or(first),
                other => other,
            };
            if let Some(path) = dotted(first) {
                self.found.push(path);
            }
        }
        visitor::walk_expr(self, expr);
    }
}

struct CleanupCall {
    call: TextRange,
    callee: TextRange,
    method: String,
    /// The receiver, the callee and the arguments, as dotted paths (`conn`, `self.stop`).
    subjects: Vec<String>,
}

/// Cleanup calls in source order (nested scopes excluded).
#[derive(Default)]
struct CleanupFinder {
    calls: Vec<CleanupCall>,
}

impl CleanupFinder {
    /// Visit the statements of one block in order; `false` when the block leaves the function
    /// (or the loop) before its end.
    fn visit_path(&mut self, stmts: &[Stmt]) -> bool {
        for stmt in stmts {
            self.visit_stmt(stmt);
            if matches!(
                stmt,
                Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_)
            ) {
                return false;
            }
        }
        true
    }
}

impl<'a> Visitor<'a> for CleanupFinder {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        // A branch that ends in `raise` is error handling, not the block's cleanup.
        if matches!(body.last(), Some(Stmt::Raise(_))) {
            return;
        }
        for stmt in body {
            self.visit_stmt(stmt);
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(_) | Stmt::ClassDef(_) = stmt {
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {}
            Expr::Call(call) => {
                let name = match &*call.func {
                    Expr::Name(name) => Some(name.id.as_str()),
                    Expr::Attribute(attr) => Some(attr.attr.as_str()),
                    _ => None,
                };
                if let Some(name) = name
                    && CLEANUP_NAMES.contains(&name)
                {
                    let receiver = match &*call.func {
                        Expr::Attribute(attr) => Some(&*attr.value),
                        _ => None,
                    };
                    let subjects = receiver
                        .into_iter()
                        .chain(std::iter::once(&*call.func))
                        .chain(&call.arguments.args)
                        .filter_map(dotted)
                        .collect();
                    self.calls.push(CleanupCall {
                        call: call.range(),
                        callee: call.func.range(),
                        method: name.to_string(),
                        subjects,
                    });
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
