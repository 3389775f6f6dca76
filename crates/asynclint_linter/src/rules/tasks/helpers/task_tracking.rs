//! Shared by the task rules AIO301-AIO306: recognising tasks, coroutine calls and the functions
//! of this file they call.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::rules::coroutines::unawaited_coroutine::{STDLIB_COROUTINES, STDLIB_METHODS};
use crate::rules::tasks::dangling_task::is_event_loop;
use crate::semantic::{BindingKind, Lookup};

/// The callee as written, for messages (`asyncio.create_task`, `self.fetch`), or `fallback`
/// when it is too long to quote.
pub(crate) fn short_source<'a>(checker: &Checker<'a>, expr: &Expr, fallback: &'a str) -> &'a str {
    let text = checker.source_of(expr.range());
    if text.len() <= 50 && !text.contains('\n') {
        text
    } else {
        fallback
    }
}

/// If `expr` is a call that certainly creates a new task, the creator as written:
/// `asyncio.create_task(...)`, `asyncio.ensure_future(<coroutine call>)`, `loop.create_task(...)`
/// on an event loop, `tg.create_task(...)` on an `asyncio.TaskGroup`.
pub(crate) fn task_creation(checker: &Checker, expr: &Expr) -> Option<String> {
    let Expr::Call(call) = expr else {
        return None;
    };
    match checker
        .semantic
        .resolve_qualified_name(&call.func)
        .as_deref()
    {
        Some("asyncio.create_task" | "asyncio.tasks.create_task") => {
            return Some(short_source(checker, &call.func, "asyncio.create_task").to_string());
        }
        Some("asyncio.ensure_future" | "asyncio.tasks.ensure_future") => {
            return matches!(call.arguments.args.first(), Some(Expr::Call(_)))
                .then(|| short_source(checker, &call.func, "asyncio.ensure_future").to_string());
        }
        Some(_) => return None,
        None => {}
    }
    let Expr::Attribute(attr) = &*call.func else {
        return None;
    };
    if attr.attr.as_str() != "create_task" {
        return None;
    }
    let kind = checker.semantic.object_kind(&attr.value);
    let is_task_group = matches!(
        kind.as_deref(),
        Some("asyncio.TaskGroup()" | "asyncio.taskgroups.TaskGroup()")
    );
    if is_task_group || is_event_loop(checker, &attr.value, kind.as_deref()) {
        return Some(short_source(checker, &call.func, "create_task").to_string());
    }
    None
}

/// If `expr` holds a task: a task-creating call, a walrus around one, a local name whose every
/// binding in the current function is such a call, or a name annotated `asyncio.Task`.
/// Returns the creator as written.
pub(crate) fn task_value(checker: &Checker, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Call(_) => task_creation(checker, expr),
        Expr::Named(named) => task_creation(checker, &named.value),
        Expr::Name(name) => {
            let bindings = checker.semantic.local_bindings(name.id.as_str())?;
            let mut creator: Option<String> = None;
            for binding in bindings {
                let found = match &binding.kind {
                    BindingKind::Assignment {
                        value: Some(value), ..
                    } => task_creation(checker, value)?,
                    BindingKind::Assignment {
                        value: None,
                        annotation: Some(annotation),
                    }
                    | BindingKind::Parameter {
                        annotation: Some(annotation),
                    } => {
                        let kind = checker.semantic.annotation_kind(annotation)?;
                        if !matches!(kind.as_str(), "asyncio.Task()" | "asyncio.tasks.Task()") {
                            return None;
                        }
                        "asyncio.Task".to_string()
                    }
                    _ => return None,
                };
                creator.get_or_insert(found);
            }
            creator
        }
        _ => None,
    }
}

/// A function defined in this file that `func` certainly calls: a name bound once to a `def`
/// (module level or an enclosing function), or `self.method` of the current class.
pub(crate) fn local_function<'a>(
    checker: &Checker<'a>,
    func: &Expr,
) -> Option<&'a ast::StmtFunctionDef> {
    match func {
        Expr::Name(name) => match checker.semantic.lookup(name.id.as_str()) {
            Lookup::Found([binding]) => match binding.kind {
                BindingKind::FunctionDef(def) => Some(def),
                _ => None,
            },
            _ => None,
        },
        Expr::Attribute(attr) => {
            let Expr::Name(base) = &*attr.value else {
                return None;
            };
            if !checker.semantic.is_self_name(base.id.as_str()) {
                return None;
            }
            let class = checker.semantic.current_function()?.class?;
            let mut found = None;
            for stmt in &class.body {
                let defines = match stmt {
                    Stmt::FunctionDef(def) => def.name.as_str() == attr.attr.as_str(),
                    Stmt::Assign(assign) => assign
                        .targets
                        .iter()
                        .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == attr.attr.as_str())),
                    Stmt::AnnAssign(assign) => matches!(&*assign.target,
                        Expr::Name(n) if n.id.as_str() == attr.attr.as_str()),
                    _ => false,
                };
                if defines {
                    if found.is_some() {
                        // Redefined (overloads, property setters...): ambiguous.
                        return None;
                    }
                    found = Some(stmt);
                }
            }
            match found? {
                Stmt::FunctionDef(def) => Some(def),
                _ => None,
            }
        }
        _ => None,
    }
}

/// If `expr` is a call that certainly returns a coroutine object: a call of an undecorated
/// `async def` of this file (by name or `self.method`), or of an asyncio coroutine function.
/// Returns the call as written.
pub(crate) fn coroutine_call<'a>(checker: &Checker<'a>, expr: &'a Expr) -> Option<&'a str> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let is_coroutine = if let Some(q) = checker.semantic.resolve_qualified_name(&call.func) {
        // `asyncio.gather` returns a future, not a coroutine.
        q != "asyncio.gather" && STDLIB_COROUTINES.contains(&q.as_str())
            || local_function(checker, &call.func).is_some_and(is_plain_async_def)
    } else if let Some(def) = local_function(checker, &call.func) {
        is_plain_async_def(def)
    } else if let Expr::Attribute(attr) = &*call.func
        && let Some(kind) = checker.semantic.object_kind(&attr.value)
    {
        let path = format!("{kind}.{}", attr.attr.as_str());
        STDLIB_METHODS.contains(&path.as_str())
    } else {
        false
    };
    is_coroutine.then(|| short_source(checker, expr, "coroutine call"))
}

/// An `async def` without decorators (a decorator may turn it into anything) that is not an
/// async generator.
fn is_plain_async_def(def: &ast::StmtFunctionDef) -> bool {
    def.is_async && def.decorator_list.is_empty() && !contains_yield(&def.body)
}

fn contains_yield(body: &[Stmt]) -> bool {
    struct YieldFinder(bool);
    impl<'a> Visitor<'a> for YieldFinder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.0 || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                return;
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Yield(_) | Expr::YieldFrom(_) => self.0 = true,
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut finder = YieldFinder(false);
    finder.visit_body(body);
    finder.0
}

/// `asyncio.gather` (any import form).
pub(crate) fn is_gather(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker
        .semantic
        .resolve_qualified_name(&call.func)
        .is_some_and(|q| matches!(q.as_str(), "asyncio.gather" | "asyncio.tasks.gather"))
}

/// An `async with` item that opens a task group: `asyncio.TaskGroup()`,
/// `anyio.create_task_group()`, `trio.open_nursery()`, or a name bound to one.
pub(crate) fn is_task_group(checker: &Checker, expr: &Expr) -> bool {
    checker.semantic.object_kind(expr).is_some_and(|kind| {
        matches!(
            kind.as_str(),
            "asyncio.TaskGroup()"
                | "asyncio.taskgroups.TaskGroup()"
                | "anyio.create_task_group()"
                | "anyio.abc.TaskGroup()"
                | "trio.open_nursery()"
        )
    })
}
