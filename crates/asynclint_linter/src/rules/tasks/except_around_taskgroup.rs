//! ## What it does
//! Reports a plain `except SomeError:` handler on a `try:` whose body is only an
//! `async with asyncio.TaskGroup()` block (also `anyio.create_task_group()` and trio's
//! `open_nursery()`), when `SomeError` is an ordinary exception class: not `ExceptionGroup`,
//! `BaseExceptionGroup`, `Exception`, `BaseException`, a cancellation exception,
//! `KeyboardInterrupt`, `SystemExit` or `GeneratorExit`.
//!
//! ## Why is this bad?
//! A task group never lets a single error out. When a child task (or the body of the
//! `async with` itself) raises, the group cancels the other tasks, waits for them, and raises an
//! `ExceptionGroup` holding every error. `except ValueError:` compares the class of that
//! `ExceptionGroup` with `ValueError`, which never matches, so the handler is dead code and the
//! error propagates past it, usually crashing the caller that this `try` was meant to protect.
//! Only `except*` (Python 3.11+) looks inside the group. `Exception`/`BaseException` handlers do
//! run (an `ExceptionGroup` is an `Exception`), and `KeyboardInterrupt`, `SystemExit` and
//! cancellation are re-raised by the group as they are, so those handlers are not reported.
//!
//! ## Example
//! ```python
//! async def refresh(sources):
//!     try:
//!         async with asyncio.TaskGroup() as tg:
//!             for source in sources:
//!                 tg.create_task(source.refresh())
//!     except ConnectionError:
//!         logger.warning("a source is unreachable")
//! ```
//!
//! Use instead:
//! ```python
//! async def refresh(sources):
//!     try:
//!         async with asyncio.TaskGroup() as tg:
//!             for source in sources:
//!                 tg.create_task(source.refresh())
//!     except* ConnectionError:
//!         logger.warning("a source is unreachable")
//! ```
//!
//! Not reported: `except*` handlers; handlers whose class is not certainly an ordinary
//! exception (a name bound to a tuple or computed at run time, a class whose name or base says
//! it is an exception group); a `try` whose body holds anything besides the task-group block
//! (that code can raise the error directly); a trio nursery opened with
//! `strict_exception_groups=False`.
//!
//! ## References
//! - [`asyncio.TaskGroup`](https://docs.python.org/3/library/asyncio-task.html#task-groups)
//! - [`except*` and exception groups](https://docs.python.org/3/tutorial/errors.html#raising-and-handling-multiple-unrelated-exceptions)
//! - [anyio: handling multiple errors in a task group](https://anyio.readthedocs.io/en/stable/tasks.html#handling-multiple-errors-in-a-task-group)
//! - [trio: `open_nursery`](https://trio.readthedocs.io/en/stable/reference-core.html#trio.open_nursery)

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::tasks::task_tracking::{is_task_group, short_source};
use crate::semantic::{BindingKind, Lookup};

/// Handler classes that do match what leaves a task group (by last dotted segment).
const MATCHING: &[&str] = &[
    "ExceptionGroup",
    "BaseExceptionGroup",
    "Exception",
    "BaseException",
    "CancelledError",
    "Cancelled",
    "KeyboardInterrupt",
    "SystemExit",
    "GeneratorExit",
];

pub(crate) fn except_around_taskgroup(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    if try_stmt.is_star {
        return;
    }
    let [Stmt::With(with)] = try_stmt.body.as_slice() else {
        return;
    };
    if !with.is_async || with.items.is_empty() {
        return;
    }
    // Every item must be a group: another context manager could raise the error itself.
    for item in &with.items {
        if !is_task_group(checker, &item.context_expr) || is_lenient_nursery(&item.context_expr) {
            return;
        }
    }
    let group = short_source(checker, &with.items[0].context_expr, "the task group");
    for handler in &try_stmt.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let Some(type_) = &handler.type_ else {
            continue;
        };
        if ordinary_exception_classes(checker, type_).is_none() {
            continue;
        }
        let shown = checker.source_of(type_.range());
        let shown = if shown.len() <= 60 && !shown.contains('\n') {
            shown
        } else {
            "..."
        };
        // Anchor on the `except ...` clause itself, not its body.
        let end = handler.name.as_ref().map_or(type_.end(), |name| name.end());
        checker.report(
            Rule::ExceptAroundTaskgroup,
            format!(
                "`except {shown}` around `async with {group}` never matches: the task group raises its tasks' errors wrapped in an `ExceptionGroup`, so this handler is dead and the error escapes"
            ),
            format!(
                "Use `except* {shown}:` to handle the errors inside the group (Python 3.11+), or catch `ExceptionGroup` and inspect `.exceptions`"
            ),
            TextRange::new(handler.start(), end),
            None,
        );
    }
}

/// `trio.open_nursery(strict_exception_groups=False)` lets a lone error through unwrapped.
fn is_lenient_nursery(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    call.arguments.keywords.iter().any(|k| {
        k.arg
            .as_ref()
            .is_some_and(|a| a.as_str() == "strict_exception_groups")
            && !matches!(
                k.value,
                Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: true, .. })
            )
    })
}

/// The names of the handler's classes when every one of them is certainly an ordinary
/// exception class (so the handler can never match an exception group).
fn ordinary_exception_classes<'a>(checker: &Checker<'a>, type_: &'a Expr) -> Option<Vec<&'a str>> {
    match type_ {
        Expr::Tuple(tuple) => {
            if tuple.elts.is_empty() {
                return None;
            }
            tuple
                .elts
                .iter()
                .map(|e| ordinary_exception_class(checker, e))
                .collect()
        }
        _ => ordinary_exception_class(checker, type_).map(|c| vec![c]),
    }
}

fn ordinary_exception_class<'a>(checker: &Checker<'a>, expr: &'a Expr) -> Option<&'a str> {
    let shown = checker.source_of(expr.range());
    match expr {
        Expr::Name(name) => match checker.semantic.lookup(name.id.as_str()) {
            Lookup::Found([binding]) => match &binding.kind {
                BindingKind::ClassDef(class) => {
                    // A local subclass of an exception group could match; a class without
                    // bases is not an exception class at all.
                    let bases = class.arguments.as_deref().map(|a| &*a.args).unwrap_or(&[]);
                    if bases.is_empty() {
                        return None;
                    }
                    for base in bases {
                        let text = checker.source_of(base.range());
                        if text.contains("Group") || text.contains("Cancel") {
                            return None;
                        }
                    }
                    let own = name.id.as_str();
                    (!own.contains("Group") && !own.contains("Cancel")).then_some(shown)
                }
                BindingKind::Import { .. } | BindingKind::FromImport { .. } => {
                    let q = checker.semantic.resolve_name(name.id.as_str())?;
                    is_ordinary_name(crate::semantic::last_segment(&q)).then_some(shown)
                }
                _ => None,
            },
            // Not bound anywhere in the file and no star import: a builtin exception.
            Lookup::NotFound => is_ordinary_name(name.id.as_str()).then_some(shown),
            _ => None,
        },
        Expr::Attribute(_) => {
            let q = checker.semantic.resolve_qualified_name(expr)?;
            is_ordinary_name(crate::semantic::last_segment(&q)).then_some(shown)
        }
        _ => None,
    }
}

fn is_matching(name: &str) -> bool {
    MATCHING.contains(&name)
}

/// An exception class name that is not one of the matching ones and does not look like a
/// group or a cancellation (`MultiError`, `*Cancelled*`).
fn is_ordinary_name(name: &str) -> bool {
    !is_matching(name)
        && !name.contains("Group")
        && !name.contains("Cancel")
        && !name.contains("MultiError")
        // Imported names that do not read as an exception class may be tuples of classes.
        && (name.ends_with("Error")
            || name.ends_with("Exception")
            || name.ends_with("Timeout")
            || matches!(name, "StopIteration" | "StopAsyncIteration"))
}
