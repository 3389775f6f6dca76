//! ## What it does
//! Reports `asyncio.create_task(...)`, `asyncio.ensure_future(<coroutine call>)` and
//! `loop.create_task(...)` called directly inside the body of an
//! `async with asyncio.TaskGroup() as tg:` block (also anyio's `create_task_group()` and trio's
//! `open_nursery()`).
//!
//! ## Why is this bad?
//! A task group supervises only the tasks created through it (`tg.create_task(...)`): when the
//! block exits it waits for them, and when one of them fails it cancels the others and raises
//! an `ExceptionGroup`. A task created with the module-level `asyncio.create_task` belongs to
//! the event loop, not to the group. The block does not wait for it, so it keeps running after
//! the `async with` has exited; a failure in it does not cancel its siblings, and its exception
//! is only logged as "Task exception was never retrieved" when it is garbage-collected. If a
//! sibling fails, the group cancels its own tasks but leaves this one running. The loop also
//! keeps only a weak reference to it, so it may vanish half-way.
//!
//! ## Example
//! ```python
//! async def refresh(sources):
//!     async with asyncio.TaskGroup() as tg:
//!         for source in sources:
//!             asyncio.create_task(source.refresh())
//! ```
//!
//! Use instead:
//! ```python
//! async def refresh(sources):
//!     async with asyncio.TaskGroup() as tg:
//!         for source in sources:
//!             tg.create_task(source.refresh())
//! ```
//!
//! Not reported: `tg.create_task(...)` / `tg.start_soon(...)`; calls in a nested `def` or
//! `lambda` defined inside the block (they run whenever they are called, not as part of the
//! block); calls after the block has exited; `asyncio.ensure_future` of something that is not a
//! coroutine call (it may return an existing future); and tasks stored on an attribute
//! (`self.poller = asyncio.create_task(...)`) or added to an attribute's collection, which are
//! deliberately meant to outlive the block.
//!
//! ## References
//! - [`asyncio.TaskGroup`](https://docs.python.org/3/library/asyncio-task.html#task-groups)
//! - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
//! - [anyio task groups](https://anyio.readthedocs.io/en/stable/tasks.html)

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use super::helpers::{GroupKind, enclosing_task_group, group_name};
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::tasks::dangling_task::is_event_loop;

pub(crate) fn create_task_inside_taskgroup(checker: &mut Checker, site: &CallSite) {
    let Some(creator) = task_creator(checker, site) else {
        return;
    };
    let call = site.call;
    let Some((_, item, kind)) = enclosing_task_group(checker, call.range()) else {
        return;
    };
    if stored_on_attribute(checker, call.range()) {
        return;
    }
    let group = checker.source_of(item.context_expr.range());
    let group = if group.len() <= 40 && !group.contains('\n') {
        group
    } else {
        "TaskGroup()"
    };
    let shown_group = match group_name(item) {
        Some(name) => format!("async with {group} as {name}"),
        None => format!("async with {group}"),
    };
    let spawn = kind.spawn_method();
    let target = group_name(item)
        .or(match &item.context_expr {
            Expr::Name(name) => Some(name.id.as_str()),
            _ => None,
        })
        .unwrap_or("tg");
    let help = match kind {
        GroupKind::Asyncio => format!(
            "Create it with `{target}.{spawn}(...)` so the group awaits it and cancels it when a sibling fails"
        ),
        GroupKind::StartSoon => format!(
            "Start it with `{target}.{spawn}(...)` so the group awaits it and cancels it when a sibling fails"
        ),
    };
    checker.report(
        Rule::CreateTaskInsideTaskgroup,
        format!(
            "`{creator}(...)` inside `{shown_group}:` creates a task the group does not supervise: the block does not wait for it, a failure in it does not cancel the siblings, and it keeps running after the block exits"
        ),
        help,
        call.range(),
        None,
    );
}

/// `asyncio.create_task`, `asyncio.ensure_future(<coroutine call>)`, `<event loop>.create_task`.
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
    if !is_event_loop(checker, &attr.value, site.receiver_kind) {
        return None;
    }
    let receiver = checker.source_of(attr.value.range());
    let receiver = if receiver.len() > 40 || receiver.contains('\n') {
        "loop"
    } else {
        receiver
    };
    Some(format!("{receiver}.create_task"))
}

/// `self.x = create_task(...)` or `self.tasks.add(create_task(...))`: a task deliberately kept
/// beyond the block.
fn stored_on_attribute(checker: &Checker, call: ruff_text_size::TextRange) -> bool {
    match checker.parent_expression() {
        None => match checker.current_statement() {
            Some(Stmt::Assign(assign)) if assign.value.range() == call => assign
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Attribute(_) | Expr::Subscript(_))),
            Some(Stmt::AnnAssign(assign))
                if assign.value.as_deref().is_some_and(|v| v.range() == call) =>
            {
                matches!(&*assign.target, Expr::Attribute(_) | Expr::Subscript(_))
            }
            _ => false,
        },
        Some(Expr::Call(parent)) => {
            let Expr::Attribute(method) = &*parent.func else {
                return false;
            };
            matches!(method.attr.as_str(), "add" | "append")
                && matches!(&*method.value, Expr::Attribute(_) | Expr::Subscript(_))
                && parent.arguments.args.iter().any(|a| a.range() == call)
        }
        Some(_) => false,
    }
}
