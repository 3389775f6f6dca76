//! ## What it does
//! Reports cleanup calls that follow the `yield` of an `@asynccontextmanager` /
//! `@contextmanager` generator when the `yield` is not protected: it is neither inside a
//! `try:` that has a `finally:`, nor inside a `try:` whose bare `except:` / `except
//! BaseException:` handler re-raises, nor inside a `with`/`async with` block that owns the
//! resource.
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
//! BaseException:`/bare `except:` re-raises, or inside `with`/`async with` (the context
//! manager owns the resource and releases it on error); cleanup in an `except` handler (it
//! runs on error by design); functions that are not decorated context managers (plain
//! generators, pytest fixtures).
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
                // The context manager (or the `finally:`) owns the cleanup of anything
                // yielded inside: stop looking.
                Stmt::With(_) => {}
                Stmt::Try(try_stmt) => {
                    if try_stmt.finalbody.is_empty()
                        && !reraises_everything(self.semantic, try_stmt)
                    {
                        frames.push(Frame::TryBody {
                            orelse: &try_stmt.orelse,
                            rest,
                        });
                        self.block(&try_stmt.body, frames);
                        frames.pop();
                    }
                    // A `yield` in a handler or `else:` is unusual; leave it alone.
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
        let mut calls = finder.calls.into_iter();
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

/// Cleanup calls in source order (nested scopes excluded).
#[derive(Default)]
struct CleanupFinder {
    /// (call, callee expression, method name)
    calls: Vec<(TextRange, TextRange, String)>,
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
                    self.calls
                        .push((call.range(), call.func.range(), name.to_string()));
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
