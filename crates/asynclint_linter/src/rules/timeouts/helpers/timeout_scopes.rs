//! Shared by AIO501-AIO503: which context managers bound the time of their body, whether the
//! current node runs under one, and whether a body can suspend at all.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::checker::Checker;
use crate::semantic::{BindingKind, Lookup};

/// Context managers that cancel their body after a delay or at a deadline.
const TIMEOUT_SCOPES: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.timeouts.timeout",
    "asyncio.timeouts.timeout_at",
    "async_timeout.timeout",
    "async_timeout.timeout_at",
    "anyio.fail_after",
    "anyio.move_on_after",
    "trio.fail_after",
    "trio.fail_at",
    "trio.move_on_after",
    "trio.move_on_at",
];

/// Cancel scopes that bound their body only when given a `deadline=`.
const CANCEL_SCOPES: &[&str] = &["anyio.CancelScope", "trio.CancelScope"];

/// The qualified name of a timeout context manager call (`asyncio.timeout(5)`), if it is one.
pub(crate) fn timeout_scope(checker: &Checker, expr: &Expr) -> Option<&'static str> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let find = |qualified: &str| {
        TIMEOUT_SCOPES
            .iter()
            .copied()
            .find(|name| *name == qualified)
    };
    if let Some(qualified) = checker.semantic.resolve_qualified_name(&call.func) {
        return find(&qualified);
    }
    // `if sys.version_info >= (3, 11): from asyncio import timeout as async_timeout`
    // `else: from async_timeout import timeout as async_timeout`: every import agrees.
    let Expr::Name(name) = &*call.func else {
        return None;
    };
    let Lookup::Found(bindings) = checker.semantic.lookup(name.id.as_str()) else {
        return None;
    };
    let mut found = None;
    for binding in bindings {
        let (BindingKind::Import { qualified } | BindingKind::FromImport { qualified }) =
            &binding.kind
        else {
            return None;
        };
        found = Some(find(qualified)?);
    }
    found
}

/// A context expression that bounds the time of its body: a timeout scope, or a cancel scope
/// with a `deadline=`.
fn bounds_time(checker: &Checker, expr: &Expr) -> bool {
    if timeout_scope(checker, expr).is_some() {
        return true;
    }
    let Expr::Call(call) = expr else {
        return false;
    };
    checker
        .semantic
        .resolve_qualified_name(&call.func)
        .is_some_and(|q| CANCEL_SCOPES.contains(&q.as_str()))
        && call
            .arguments
            .keywords
            .iter()
            .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "deadline"))
}

/// Is the current node inside a `with`/`async with` timeout scope of its own function?
pub(crate) fn in_timeout_scope(checker: &Checker) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::With(with)
                if with
                    .items
                    .iter()
                    .any(|item| bounds_time(checker, &item.context_expr)) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Inside a `for`/`while` loop of the current function?
pub(crate) fn in_loop(checker: &Checker) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::For(_) | Stmt::While(_) => return true,
            _ => {}
        }
    }
    false
}

/// Does `body` contain a point where the task can be suspended (and so cancelled): `await`,
/// `async for`, `async with` or `yield`? Nested functions, lambdas and classes do not count.
pub(crate) fn has_checkpoint(body: &[Stmt]) -> bool {
    has_checkpoint_or_call(body, |_| false)
}

/// [`has_checkpoint`], or a call for which `also` is true (AIO206: a call that needs the
/// running loop).
pub(crate) fn has_checkpoint_or_call(
    body: &[Stmt],
    also: impl FnMut(&ast::ExprCall) -> bool,
) -> bool {
    let mut finder = CheckpointFinder { found: false, also };
    finder.visit_body(body);
    finder.found
}

struct CheckpointFinder<F> {
    found: bool,
    also: F,
}

impl<'a, F: FnMut(&ast::ExprCall) -> bool> Visitor<'a> for CheckpointFinder<F> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::For(ast::StmtFor { is_async: true, .. })
            | Stmt::With(ast::StmtWith { is_async: true, .. }) => self.found = true,
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Lambda(_) => {}
            Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) => self.found = true,
            Expr::Call(call) if (self.also)(call) => self.found = true,
            _ => visitor::walk_expr(self, expr),
        }
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        if comprehension.is_async {
            self.found = true;
            return;
        }
        visitor::walk_comprehension(self, comprehension);
    }
}
