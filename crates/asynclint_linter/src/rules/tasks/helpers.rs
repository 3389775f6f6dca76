//! Shared by the task rules (AIO307, AIO308): recognising task groups and the names bound to
//! them, and small AST searches over a function body.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;

/// What kind of structured-concurrency scope an `async with` item opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupKind {
    /// `asyncio.TaskGroup()`: tasks are added with `tg.create_task(...)`.
    Asyncio,
    /// `anyio.create_task_group()` / `trio.open_nursery()`: tasks are added with
    /// `tg.start_soon(...)`.
    StartSoon,
}

impl GroupKind {
    /// How the group spawns a task, for help lines: `create_task`, `start_soon`.
    pub(crate) fn spawn_method(self) -> &'static str {
        match self {
            GroupKind::Asyncio => "create_task",
            GroupKind::StartSoon => "start_soon",
        }
    }
}

/// The kind of task group `expr` (an `async with` item) is, by object kind: the constructor
/// call itself, or a name/attribute bound to one.
pub(crate) fn task_group_kind(checker: &Checker, expr: &Expr) -> Option<GroupKind> {
    let kind = checker.semantic.object_kind(expr)?;
    match kind.as_str() {
        "asyncio.TaskGroup()" | "asyncio.taskgroups.TaskGroup()" => Some(GroupKind::Asyncio),
        "anyio.create_task_group()" | "trio.open_nursery()" => Some(GroupKind::StartSoon),
        _ => None,
    }
}

/// An `async with` statement of the current function whose *body* (not its items) contains
/// `range` and one of whose items is a task group: the statement, the group item and its kind.
/// Only the current function is searched: code in a nested `def`/`lambda`/class runs later, not
/// inside the block.
pub(crate) fn enclosing_task_group<'a>(
    checker: &Checker<'a>,
    range: TextRange,
) -> Option<(&'a ast::StmtWith, &'a ast::WithItem, GroupKind)> {
    if !checker.semantic.in_async_context() {
        return None;
    }
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return None,
            Stmt::With(with)
                if with.is_async && with.body.iter().any(|s| s.range().contains_range(range)) =>
            {
                for item in &with.items {
                    if let Some(kind) = task_group_kind(checker, &item.context_expr) {
                        return Some((with, item, kind));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The name a task group item is bound to (`tg` in `async with TaskGroup() as tg`).
pub(crate) fn group_name(item: &ast::WithItem) -> Option<&str> {
    match item.optional_vars.as_deref() {
        Some(Expr::Name(name)) => Some(name.id.as_str()),
        _ => None,
    }
}

/// Calls every `Expr` of `body` (statements and expressions) without entering nested
/// functions, lambdas or classes: what runs as part of the current function.
pub(crate) struct LocalExprs<F> {
    pub(crate) f: F,
}

impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for LocalExprs<F> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
            }
            Stmt::ClassDef(_) => {}
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        (self.f)(expr);
        if !matches!(expr, Expr::Lambda(_)) {
            visitor::walk_expr(self, expr);
        }
    }
}

/// Visit every expression that runs in the function of `body` (see [`LocalExprs`]).
pub(crate) fn for_each_local_expr<'a>(body: &'a [Stmt], f: impl FnMut(&'a Expr)) {
    let mut visitor = LocalExprs { f };
    visitor.visit_body(body);
}
