//! ## What it does
//! Reports `asyncio.ensure_future(coro())` whose argument is certainly a coroutine: the call
//! of an `async def` of this file (a module function or a method of the current class) or of
//! an asyncio coroutine function (`asyncio.sleep`, `asyncio.wait_for`, `queue.get()`, ...).
//!
//! ## Why is this bad?
//! `ensure_future` accepts anything awaitable and returns futures unchanged; for a coroutine
//! it creates a task, which is exactly what `asyncio.create_task` does, with a clearer name
//! and a stricter contract. Outside a running loop `ensure_future` silently falls back to
//! `get_event_loop()`, which is deprecated and, on recent Pythons, raises or schedules the
//! task on a loop that never runs; `create_task` raises `RuntimeError: no running event loop`
//! right where the mistake is. `create_task` also accepts `name=` (and `context=` on 3.11+),
//! which makes tasks identifiable in debugging output.
//!
//! Not reported: arguments that may be futures or tasks (`ensure_future(fut)`,
//! `ensure_future(asyncio.gather(...))`, calls of functions whose definition is not known).
//!
//! ## Example
//! ```python
//! async def start(self):
//!     self._task = asyncio.ensure_future(self._run())
//! ```
//!
//! Use instead:
//! ```python
//! async def start(self):
//!     self._task = asyncio.create_task(self._run())
//! ```
//!
//! ## Fix safety
//! The fix replaces `ensure_future` with `create_task` (through the name `asyncio` is imported
//! under). It is safe: inside a coroutine a loop is running and both calls create the same
//! task. It is offered only in async context, only for a single positional argument
//! (`loop=` has no `create_task` equivalent), and only when `asyncio` is imported as a
//! module.
//!
//! ## References
//! - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
//! - [`asyncio.ensure_future`](https://docs.python.org/3/library/asyncio-future.html#asyncio.ensure_future)

use asynclint_diagnostics::{Edit, Fix};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::coroutines::helpers::{is_instance_attribute_call, stdlib_coroutine};
use crate::semantic::BindingKind;

pub(crate) fn ensure_future_on_coroutine(checker: &mut Checker, site: &CallSite) {
    if !matches!(
        site.qualified,
        Some("asyncio.ensure_future" | "asyncio.tasks.ensure_future")
    ) {
        return;
    }
    let Some(Expr::Call(argument)) = site.call.arguments.args.first() else {
        return;
    };
    if !is_coroutine_call(checker, argument) {
        return;
    }
    let in_async = checker.semantic.in_async_context();
    let fix = if in_async
        && site.call.arguments.args.len() == 1
        && site.call.arguments.keywords.is_empty()
    {
        // `asyncio.ensure_future` / `aio.ensure_future`: rename the attribute; a bare
        // `ensure_future` needs the module name.
        let edit = match &*site.call.func {
            Expr::Attribute(attr)
                if checker
                    .semantic
                    .resolve_qualified_name(&attr.value)
                    .as_deref()
                    == Some("asyncio") =>
            {
                Some(vec![Edit::replacement("create_task", attr.attr.range())])
            }
            // `from asyncio import ensure_future`: use (or add) the module import.
            _ => crate::importer::asyncio_module(checker).map(|(asyncio, import)| {
                let mut edits = vec![Edit::replacement(
                    format!("{asyncio}.create_task"),
                    site.call.func.range(),
                )];
                edits.extend(import);
                edits
            }),
        };
        edit.map(|edits| Fix::safe("Replace with `asyncio.create_task(...)`", edits))
    } else {
        None
    };
    let help = if in_async {
        "Use `asyncio.create_task(...)`"
    } else {
        "Use `asyncio.create_task(...)` where a loop is running, or `loop.create_task(...)` on the loop that will run it"
    };
    checker.report(
        Rule::EnsureFutureOnCoroutine,
        "`asyncio.ensure_future()` on a coroutine: `asyncio.create_task()` states that a task is scheduled, and fails loudly without a running loop instead of falling back to `get_event_loop()`",
        help,
        site.call.range(),
        fix,
    );
}

/// A call that certainly returns a coroutine object.
fn is_coroutine_call(checker: &Checker, call: &ast::ExprCall) -> bool {
    let qualified = checker.semantic.resolve_qualified_name(&call.func);
    let receiver_kind = match &*call.func {
        Expr::Attribute(attr) if qualified.is_none() => checker.semantic.object_kind(&attr.value),
        _ => None,
    };
    let inner = CallSite::new(call, qualified.as_deref(), receiver_kind.as_deref());
    if stdlib_coroutine(&inner) {
        // `gather` and `run_in_executor` return futures.
        return crate::rules::coroutines::helpers::stdlib_returns(&inner) == "a coroutine object";
    }
    match &*call.func {
        Expr::Name(name) => match checker.semantic.unique_binding(name.id.as_str()) {
            Some(binding) => match &binding.kind {
                BindingKind::FunctionDef(def) => {
                    crate::rules::testing::helpers::is_plain_coroutine_function(def)
                }
                _ => false,
            },
            None => false,
        },
        Expr::Attribute(attr) => {
            let Expr::Name(base) = &*attr.value else {
                return false;
            };
            if !checker.semantic.is_self_name(base.id.as_str())
                || is_instance_attribute_call(checker, &inner)
            {
                return false;
            }
            let Some(class) = checker.semantic.current_function().and_then(|f| f.class) else {
                return false;
            };
            let mut defs = class.body.iter().filter_map(|stmt| match stmt {
                Stmt::FunctionDef(def) if def.name.as_str() == attr.attr.as_str() => Some(def),
                _ => None,
            });
            match (defs.next(), defs.next()) {
                (Some(def), None) => {
                    crate::rules::testing::helpers::is_plain_coroutine_function(def)
                }
                _ => false,
            }
        }
        _ => false,
    }
}
