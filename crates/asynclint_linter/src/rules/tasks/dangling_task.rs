//! ## What it does
//! Reports a task created with `asyncio.create_task`, `asyncio.ensure_future` or
//! `loop.create_task` whose result is thrown away: discarded as an expression statement,
//! assigned to `_`, assigned to a local variable that is never read again, or added to a
//! local collection that dies with the function.
//!
//! ## Why is this bad?
//! The event loop keeps only a *weak* reference to running tasks. A task that nothing else
//! references can be garbage-collected while it is still waiting on I/O: it silently stops
//! half-way, its `finally` blocks never run, and its exception is never seen ("Task was
//! destroyed but it is pending!"). The asyncio documentation asks callers to keep a reference
//! to every task until it is done.
//!
//! ## Example
//! ```python
//! async def handle(event):
//!     asyncio.create_task(notify_subscribers(event))
//! ```
//!
//! Use instead:
//! ```python
//! background_tasks: set[asyncio.Task] = set()
//!
//! async def handle(event):
//!     task = asyncio.create_task(notify_subscribers(event))
//!     background_tasks.add(task)
//!     task.add_done_callback(background_tasks.discard)
//! ```
//!
//! or supervise the task with `async with asyncio.TaskGroup() as tg: tg.create_task(...)`.
//!
//! Not reported: `tg.create_task(...)` on a `TaskGroup` (the group holds the task) and anyio's
//! `start_soon`; a task that is returned, awaited, passed to a call, stored on `self`, in a
//! module global or in a long-lived collection; `ensure_future` of something that is not a
//! coroutine call (it may return the same future). `loop.create_task` is recognised when the
//! receiver is known to be an event loop (`asyncio.get_running_loop()`, an
//! `AbstractEventLoop` annotation) or is named `loop`/`*_loop`.
//!
//! ## References
//! - [`asyncio.create_task`: "Important: Save a reference to the result of this function"](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
//! - [`asyncio.TaskGroup`](https://docs.python.org/3/library/asyncio-task.html#task-groups)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::{BindingKind, ScopeKind};

const HELP: &str = "Keep a reference until the task is done (e.g. add it to a set and `task.add_done_callback(tasks.discard)`), or create it in an `asyncio.TaskGroup`";

pub(crate) fn dangling_task(checker: &mut Checker, site: &CallSite) {
    let Some(creator) = task_creator(checker, site) else {
        return;
    };
    let call = site.call;
    let parent = checker.parent_expression();
    // `await asyncio.create_task(...)` / `create_task(...).add_done_callback(...)` and any
    // use inside a larger expression keep the task (or are out of scope for this rule).
    if let Some(parent) = parent {
        if let Expr::Call(parent_call) = parent {
            dangling_in_local_collection(checker, parent_call, call, &creator);
        }
        return;
    }
    let Some(stmt) = checker.current_statement() else {
        return;
    };
    let why = "the event loop keeps only a weak reference, so the task can be garbage-collected before it finishes";
    match stmt {
        Stmt::Expr(expr) if expr.value.range() == call.range() => {
            checker.report(
                Rule::DanglingTask,
                format!("Task returned by `{creator}(...)` is discarded: {why}"),
                HELP,
                call.range(),
                None,
            );
        }
        Stmt::Assign(assign)
            if assign.value.range() == call.range() && assign.targets.len() == 1 =>
        {
            if let Expr::Name(name) = &assign.targets[0] {
                if name.id.as_str() == "_" {
                    checker.report(
                        Rule::DanglingTask,
                        format!("Task returned by `{creator}(...)` is assigned to `_` and dropped: {why}"),
                        HELP,
                        call.range(),
                        None,
                    );
                } else if is_unused_local(checker, name) {
                    checker.report(
                        Rule::DanglingTask,
                        format!(
                            "Task `{}` returned by `{creator}(...)` is never used again: {why}",
                            name.id
                        ),
                        HELP,
                        call.range(),
                        None,
                    );
                }
            }
        }
        _ => {}
    }
}

/// `tasks.append(create_task(...))` where `tasks` is a local list/set of the current function
/// that is only ever used to add tasks to: it dies with the function, and so may the tasks.
fn dangling_in_local_collection(
    checker: &mut Checker,
    parent: &ast::ExprCall,
    call: &ast::ExprCall,
    creator: &str,
) {
    let Expr::Attribute(attr) = &*parent.func else {
        return;
    };
    if !matches!(attr.attr.as_str(), "append" | "add") {
        return;
    }
    if !parent
        .arguments
        .args
        .iter()
        .any(|a| a.range() == call.range())
    {
        return;
    }
    let Expr::Name(collection) = &*attr.value else {
        return;
    };
    if !checker.is_expression_statement_range(parent.range()) {
        return;
    }
    if !matches!(
        checker.semantic.current_scope_kind(),
        ScopeKind::Function { .. }
    ) {
        return;
    }
    let Some(bindings) = checker.semantic.local_bindings(collection.id.as_str()) else {
        return;
    };
    // Every binding must be a fresh empty collection built in this function.
    let all_fresh = bindings.iter().all(|b| match &b.kind {
        BindingKind::Assignment {
            value: Some(value), ..
        } => is_empty_collection(checker, value),
        _ => false,
    });
    if !all_fresh {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let mut uses = CollectionUses {
        name: collection.id.as_str(),
        other_use: false,
    };
    uses.visit_body(&function.def.body);
    if uses.other_use {
        return;
    }
    checker.report(
        Rule::DanglingTask,
        format!(
            "Task returned by `{creator}(...)` is only kept in the local collection `{}`, which is never awaited or passed on: once the function returns, the tasks can be garbage-collected before they finish",
            collection.id
        ),
        HELP,
        call.range(),
        None,
    );
}

fn is_empty_collection(checker: &Checker, value: &Expr) -> bool {
    match value {
        Expr::List(list) => list.elts.is_empty(),
        Expr::Set(set) => set.elts.is_empty(),
        Expr::Call(call) => {
            call.arguments.args.is_empty()
                && call.arguments.keywords.is_empty()
                && checker
                    .semantic
                    .resolve_qualified_name(&call.func)
                    .is_some_and(|q| matches!(q.as_str(), "builtins.list" | "builtins.set"))
        }
        _ => false,
    }
}

/// Is `name` used for anything but `name.append(...)`/`name.add(...)` statements?
struct CollectionUses<'n> {
    name: &'n str,
    other_use: bool,
}

impl<'a> Visitor<'a> for CollectionUses<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.other_use {
            return;
        }
        if let Stmt::Expr(expr) = stmt
            && let Expr::Call(call) = &*expr.value
            && let Expr::Attribute(attr) = &*call.func
            && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == self.name)
            && matches!(attr.attr.as_str(), "append" | "add")
        {
            self.visit_arguments(&call.arguments);
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(n) = expr
            && n.id.as_str() == self.name
            && n.ctx.is_load()
        {
            self.other_use = true;
        }
        visitor::walk_expr(self, expr);
    }
}

/// `asyncio.create_task`, `asyncio.ensure_future(<coroutine call>)`, `<loop>.create_task`.
fn task_creator(checker: &Checker, site: &CallSite) -> Option<String> {
    match site.qualified {
        Some("asyncio.create_task" | "asyncio.tasks.create_task") => {
            return Some("asyncio.create_task".into());
        }
        Some("asyncio.ensure_future" | "asyncio.tasks.ensure_future") => {
            // Only a coroutine call argument certainly creates a new task.
            return matches!(site.call.arguments.args.first(), Some(Expr::Call(_)))
                .then(|| "asyncio.ensure_future".into());
        }
        _ => {}
    }
    let Expr::Attribute(attr) = &*site.call.func else {
        return None;
    };
    if attr.attr.as_str() != "create_task" {
        return None;
    }
    if is_event_loop(checker, &attr.value, site.receiver_kind) {
        let receiver = checker.source_of(attr.value.range());
        let receiver = if receiver.len() > 40 {
            "loop"
        } else {
            receiver
        };
        return Some(format!("{receiver}.create_task"));
    }
    None
}

pub(crate) fn is_event_loop(checker: &Checker, receiver: &Expr, kind: Option<&str>) -> bool {
    let kind = kind
        .map(str::to_string)
        .or_else(|| checker.semantic.object_kind(receiver));
    if let Some(kind) = kind.as_deref() {
        return matches!(
            kind,
            "asyncio.get_event_loop()"
                | "asyncio.get_running_loop()"
                | "asyncio.new_event_loop()"
                | "asyncio.events.get_event_loop()"
                | "asyncio.events.get_running_loop()"
                | "asyncio.AbstractEventLoop()"
                | "asyncio.events.AbstractEventLoop()"
                | "asyncio.BaseEventLoop()"
                | "asyncio.base_events.BaseEventLoop()"
                | "uvloop.new_event_loop()"
                | "uvloop.Loop()"
        );
    }
    let last = match receiver {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        Expr::Call(call) => {
            return checker
                .semantic
                .resolve_qualified_name(&call.func)
                .is_some_and(|q| {
                    matches!(
                        q.as_str(),
                        "asyncio.get_event_loop" | "asyncio.get_running_loop"
                    )
                });
        }
        _ => return false,
    };
    last == "loop" || last.ends_with("_loop")
}

/// A local of the current function (not a global/nonlocal) never read anywhere in it.
fn is_unused_local(checker: &Checker, name: &ast::ExprName) -> bool {
    if !matches!(
        checker.semantic.current_scope_kind(),
        ScopeKind::Function { .. }
    ) {
        return false;
    }
    let Some(bindings) = checker.semantic.local_bindings(name.id.as_str()) else {
        return false;
    };
    if bindings
        .iter()
        .any(|b| matches!(b.kind, BindingKind::Global | BindingKind::Nonlocal))
    {
        return false;
    }
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let mut finder = LoadFinder {
        name: name.id.as_str(),
        skip: name.range,
        found: false,
    };
    finder.visit_body(&function.def.body);
    !finder.found
}

/// Finds any load of `name` (including in nested functions, which may close over it).
struct LoadFinder<'n> {
    name: &'n str,
    skip: TextRange,
    found: bool,
}

impl<'a> Visitor<'a> for LoadFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        if let Expr::Name(n) = expr
            && n.id.as_str() == self.name
            && n.range != self.skip
            && !n.ctx.is_store()
        {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        // `del task` or `locals()` style tricks: treat as a use.
        if let Stmt::Delete(_) = stmt {
            visitor::walk_stmt(self, stmt);
            return;
        }
        visitor::walk_stmt(self, stmt);
    }
}
