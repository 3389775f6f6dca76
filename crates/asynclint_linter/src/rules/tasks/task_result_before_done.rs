//! ## What it does
//! Reports `task.result()` and `task.exception()` on a task that cannot be done yet:
//! - a task created with `tg.create_task(...)` inside an `async with asyncio.TaskGroup() as tg:`
//!   block, read inside that same block (before it exits) without awaiting the task first;
//! - a task created with `asyncio.create_task(...)`, `asyncio.ensure_future(<coroutine>)` or
//!   `loop.create_task(...)` and read with no `await` at all in between.
//!
//! ## Why is this bad?
//! `Task.result()` and `Task.exception()` do not wait: on a task that is not done they raise
//! `asyncio.InvalidStateError`. A new task only starts running when the current coroutine
//! yields to the event loop (at an `await`), so right after `create_task` it has not even
//! started. A task group waits for its tasks only when the `async with` block exits; inside
//! the block a task is done only if something awaited it.
//!
//! ## Example
//! ```python
//! async def load(user_id):
//!     async with asyncio.TaskGroup() as tg:
//!         profile = tg.create_task(fetch_profile(user_id))
//!         orders = tg.create_task(fetch_orders(user_id))
//!         return render(profile.result(), orders.result())
//! ```
//!
//! Use instead:
//! ```python
//! async def load(user_id):
//!     async with asyncio.TaskGroup() as tg:
//!         profile = tg.create_task(fetch_profile(user_id))
//!         orders = tg.create_task(fetch_orders(user_id))
//!     return render(profile.result(), orders.result())
//! ```
//!
//! Not reported: reads after the `async with` block; a task that is used in any way between
//! its creation and the read (`await task`, `await asyncio.wait({task})`, `task.done()`,
//! passing it to a call), since that may be what makes it done; reads in a nested `def` or
//! `lambda` (callbacks such as `add_done_callback` run once the task is done); reads guarded by
//! `except asyncio.InvalidStateError`; tasks bound more than once or kept outside the function.
//! Only the task-group case applies after an `await`: a module-level `create_task` task may
//! have finished by then. With an eager task factory (Python 3.12+), a coroutine that never
//! suspends finishes inside `create_task`; code relying on that is rare and fragile.
//!
//! ## References
//! - [`asyncio.Task.result`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.result)
//! - [`asyncio.TaskGroup`](https://docs.python.org/3/library/asyncio-task.html#task-groups)
//! - [`asyncio.InvalidStateError`](https://docs.python.org/3/library/asyncio-exceptions.html#asyncio.InvalidStateError)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::helpers::{GroupKind, group_name, task_group_kind};
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::tasks::dangling_task::is_event_loop;
use crate::semantic::{BindingKind, ScopeKind};

/// How the task was created.
enum Creator<'a> {
    /// `tg.create_task(...)` on the task group bound to `group`.
    Group { group: &'a str },
    /// `asyncio.create_task` and friends; the display name.
    Loop(String),
}

pub(crate) fn task_result_before_done(checker: &mut Checker, site: &CallSite) {
    let call = site.call;
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    let method = attr.attr.as_str();
    if !matches!(method, "result" | "exception")
        || !call.arguments.args.is_empty()
        || !call.arguments.keywords.is_empty()
    {
        return;
    }
    if !checker.semantic.in_async_context() {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    // The task: a creator call chained directly, or a local bound once to one.
    let (task_name, creation, creator_call): (Option<&str>, TextRange, &ast::ExprCall) =
        match &*attr.value {
            Expr::Call(creator) => (None, creator.range(), creator),
            Expr::Name(name) => {
                let Some((statement, value)) = single_task_binding(checker, name) else {
                    return;
                };
                (Some(name.id.as_str()), statement, value)
            }
            _ => return,
        };
    let Some(creator) = classify_creator(checker, creator_call) else {
        return;
    };
    if guarded_by_invalid_state_handler(checker, call.range()) {
        return;
    }
    let read = match (task_name, &creator) {
        (Some(name), _) => format!("{name}.{method}()"),
        (None, Creator::Group { group }) => format!("{group}.create_task(...).{method}()"),
        (None, Creator::Loop(display)) => format!("{display}(...).{method}()"),
    };
    match creator {
        Creator::Group { group } => {
            // The read must be inside the block of that very group, as must the creation.
            let Some(with) = group_block(checker, group) else {
                return;
            };
            if !with.body.iter().any(|s| s.range().contains_range(creation)) {
                return;
            }
            if let Some(name) = task_name {
                let uses = Uses::collect(&function.def.body, name, call.range());
                if uses.used_between(creation, call.range(), &loop_regions(checker, creation)) {
                    return;
                }
            }
            let what = if method == "result" {
                "result"
            } else {
                "exception"
            };
            let (task, help) = match task_name {
                Some(name) => (
                    format!("task `{name}`"),
                    format!(
                        "Read the {what} after the `async with` block, or `await {name}` first"
                    ),
                ),
                None => (
                    "the task".to_string(),
                    format!(
                        "Keep the task in a variable and read its {what} after the `async with` block"
                    ),
                ),
            };
            checker.report(
                Rule::TaskResultBeforeDone,
                format!(
                    "`{read}` inside the `async with ... as {group}:` block that created {task}: the group only waits for its tasks when the block exits, so the task may not be done and this raises `asyncio.InvalidStateError`"
                ),
                help,
                call.range(),
                None,
            );
        }
        Creator::Loop(display) => {
            let Some(name) = task_name else {
                // `asyncio.create_task(c()).result()`: never started.
                report_not_started(checker, &read, None, &display, call.range());
                return;
            };
            let uses = Uses::collect(&function.def.body, name, call.range());
            let loops = loop_regions(checker, creation);
            if uses.used_between(creation, call.range(), &loops)
                || uses.suspends_between(creation, call.range(), &loops)
            {
                return;
            }
            report_not_started(checker, &read, Some(name), &display, call.range());
        }
    }
}

fn report_not_started(
    checker: &mut Checker,
    read: &str,
    name: Option<&str>,
    creator: &str,
    range: TextRange,
) {
    let (lead, help) = match name {
        Some(name) => (
            format!("`{read}` right after `{creator}(...)` with no `await` in between"),
            format!("`await {name}` to get its result, or check `{name}.done()` first"),
        ),
        None => (
            format!("`{read}` reads a task it has just created"),
            "Await the task (or the coroutine itself) to get its result".to_string(),
        ),
    };
    checker.report(
        Rule::TaskResultBeforeDone,
        format!(
            "{lead}: the task has not even started running, so this raises `asyncio.InvalidStateError`"
        ),
        help,
        range,
        None,
    );
}

/// The statement range and creator call of `name`'s only binding in the current function:
/// `name = <creator call>(...)`.
fn single_task_binding<'a>(
    checker: &Checker<'a>,
    name: &ast::ExprName,
) -> Option<(TextRange, &'a ast::ExprCall)> {
    if !matches!(
        checker.semantic.current_scope_kind(),
        ScopeKind::Function { .. }
    ) {
        return None;
    }
    let bindings = checker.semantic.local_bindings(name.id.as_str())?;
    let [binding] = bindings else {
        return None;
    };
    let BindingKind::Assignment {
        value: Some(Expr::Call(value)),
        ..
    } = &binding.kind
    else {
        return None;
    };
    // The statement: from the target to the end of the value.
    Some((TextRange::new(binding.range.start(), value.end()), value))
}

fn classify_creator<'a>(checker: &Checker, call: &'a ast::ExprCall) -> Option<Creator<'a>> {
    match checker
        .semantic
        .resolve_qualified_name(&call.func)
        .as_deref()
    {
        Some("asyncio.create_task" | "asyncio.tasks.create_task") => {
            return Some(Creator::Loop("asyncio.create_task".into()));
        }
        Some("asyncio.ensure_future" | "asyncio.tasks.ensure_future") => {
            return matches!(call.arguments.args.first(), Some(Expr::Call(_)))
                .then(|| Creator::Loop("asyncio.ensure_future".into()));
        }
        _ => {}
    }
    let Expr::Attribute(attr) = &*call.func else {
        return None;
    };
    if attr.attr.as_str() != "create_task" {
        return None;
    }
    if let Expr::Name(receiver) = &*attr.value
        && task_group_kind(checker, &attr.value) == Some(GroupKind::Asyncio)
    {
        return Some(Creator::Group {
            group: receiver.id.as_str(),
        });
    }
    if is_event_loop(checker, &attr.value, None) {
        let receiver = checker.source_of(attr.value.range());
        let receiver = if receiver.len() > 40 || receiver.contains('\n') {
            "loop"
        } else {
            receiver
        };
        return Some(Creator::Loop(format!("{receiver}.create_task")));
    }
    None
}

/// The `async with <TaskGroup> as <group>:` statement of the current function enclosing the
/// current node (in its body).
fn group_block<'a>(checker: &Checker<'a>, group: &str) -> Option<&'a ast::StmtWith> {
    let current = checker.current_statement()?.range();
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return None,
            Stmt::With(with)
                if with.is_async
                    && with.body.iter().any(|s| s.range().contains_range(current))
                    && with.items.iter().any(|item| {
                        group_name(item) == Some(group)
                            && task_group_kind(checker, &item.context_expr).is_some()
                    }) =>
            {
                return Some(with);
            }
            _ => {}
        }
    }
    None
}

/// Loops of the current function that enclose the read but not the creation: each of their
/// iterations after the first runs the whole body between creation and read.
fn loop_regions(checker: &Checker, creation: TextRange) -> Vec<TextRange> {
    let mut regions = Vec::new();
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => break,
            Stmt::For(_) | Stmt::While(_) if !stmt.range().contains_range(creation) => {
                regions.push(stmt.range());
            }
            _ => {}
        }
    }
    regions
}

/// `try: ... except asyncio.InvalidStateError:` around the read.
fn guarded_by_invalid_state_handler(checker: &Checker, read: TextRange) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::Try(try_stmt) if try_stmt.body.iter().any(|s| s.range().contains_range(read)) => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    let Some(type_) = handler.type_.as_deref() else {
                        continue;
                    };
                    let names: Vec<&Expr> = match type_ {
                        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                        other => vec![other],
                    };
                    if names.iter().any(|n| {
                        checker
                            .semantic
                            .resolve_qualified_name(n)
                            .is_some_and(|q| q.ends_with("InvalidStateError"))
                    }) {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

/// Where the task name is loaded and where the function may suspend (`await`, `async for`,
/// `async with`), in the function's own body.
struct Uses<'n> {
    name: &'n str,
    /// The read being checked (its receiver is not a use).
    read: TextRange,
    loads: Vec<TextSize>,
    suspends: Vec<TextSize>,
}

impl<'n> Uses<'n> {
    fn collect(body: &[Stmt], name: &'n str, read: TextRange) -> Self {
        let mut uses = Uses {
            name,
            read,
            loads: Vec::new(),
            suspends: Vec::new(),
        };
        uses.visit_body(body);
        uses
    }

    fn inside(offset: TextSize, from: TextRange, to: TextRange, loops: &[TextRange]) -> bool {
        (offset >= from.end() && offset < to.start()) || loops.iter().any(|l| l.contains(offset))
    }

    fn used_between(&self, from: TextRange, to: TextRange, loops: &[TextRange]) -> bool {
        self.loads
            .iter()
            .any(|&offset| Self::inside(offset, from, to, loops))
    }

    fn suspends_between(&self, from: TextRange, to: TextRange, loops: &[TextRange]) -> bool {
        self.suspends
            .iter()
            .any(|&offset| Self::inside(offset, from, to, loops))
    }
}

impl<'a> Visitor<'a> for Uses<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            // A nested function may close over the task, and may be called in between.
            Stmt::FunctionDef(def) => {
                let mut finder = NameFinder {
                    name: self.name,
                    found: false,
                };
                finder.visit_body(&def.body);
                if finder.found {
                    self.loads.push(def.range().start());
                }
                return;
            }
            Stmt::ClassDef(_) => return,
            Stmt::With(with) if with.is_async => self.suspends.push(with.range().start()),
            Stmt::For(for_stmt) if for_stmt.is_async => {
                self.suspends.push(for_stmt.range().start());
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.suspends.push(expr.range().start());
            }
            Expr::Name(name)
                if name.id.as_str() == self.name
                    && name.ctx.is_load()
                    && !self.read.contains_range(name.range) =>
            {
                self.loads.push(name.range.start());
            }
            Expr::Lambda(lambda) => {
                let mut finder = NameFinder {
                    name: self.name,
                    found: false,
                };
                finder.visit_expr(&lambda.body);
                if finder.found {
                    self.loads.push(lambda.range.start());
                }
                return;
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        if comprehension.is_async {
            self.suspends.push(comprehension.range.start());
        }
        visitor::walk_comprehension(self, comprehension);
    }
}

struct NameFinder<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for NameFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && name.id.as_str() == self.name
        {
            self.found = true;
        }
        visitor::walk_expr(self, expr);
    }
}
