//! ## What it does
//! Reports `asyncio.wait(...)` given coroutine objects instead of tasks or futures:
//! `asyncio.wait([fetch(a), fetch(b)])`, `asyncio.wait({coro(), ...})`,
//! `asyncio.wait([fetch(u) for u in urls])`, `asyncio.wait(fetch(a))`, or a local name bound to
//! such a collection. A call counts as a coroutine when it calls an `async def` of this file (by
//! name or `self.method`) or an asyncio coroutine function (`asyncio.sleep`, `Event.wait`, ...).
//!
//! ## Why is this bad?
//! `asyncio.wait` only accepts tasks and futures. Passing coroutines was deprecated in Python
//! 3.8 and raises `TypeError: Passing coroutines is forbidden, use tasks explicitly.` since
//! Python 3.11 (before that, `wait` wrapped them in tasks behind your back, so the returned
//! `done`/`pending` sets contained objects you never created and could not compare with your
//! own). The coroutines are then never awaited. This is reported whatever the target version,
//! because the code breaks as soon as it runs on a supported Python.
//!
//! ## Example
//! ```python
//! async def first_response(urls):
//!     done, pending = await asyncio.wait(
//!         [fetch(url) for url in urls], return_when=asyncio.FIRST_COMPLETED
//!     )
//! ```
//!
//! Use instead:
//! ```python
//! async def first_response(urls):
//!     tasks = [asyncio.create_task(fetch(url)) for url in urls]
//!     done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
//! ```
//!
//! Not reported: collections of tasks or futures (`asyncio.create_task(...)`,
//! `asyncio.ensure_future(...)`, `loop.create_future()`), calls of functions whose result is not
//! known to be a coroutine (imported functions, methods of unknown objects, decorated
//! functions), and names whose value is not certain (parameters, several bindings).
//!
//! ## References
//! - [`asyncio.wait`](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait)
//! - [What's new in Python 3.11: `asyncio.wait` no longer accepts coroutines](https://docs.python.org/3/whatsnew/3.11.html#removed)

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::tasks::task_tracking::{coroutine_call, short_source};
use crate::semantic::{BindingKind, Lookup};

pub(crate) fn wait_on_bare_coroutines(checker: &mut Checker, site: &CallSite) {
    let call = site.call;
    if !matches!(site.qualified, Some("asyncio.wait" | "asyncio.tasks.wait")) {
        return;
    }
    let fs = call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "fs"))
            .map(|k| &k.value)
    });
    let Some(fs) = fs else {
        return;
    };
    let Some((coroutine, through)) = bare_coroutine(checker, fs) else {
        return;
    };
    let wait = short_source(checker, &call.func, "asyncio.wait");
    let message = match through {
        Some(name) => format!(
            "`{wait}()` is given `{name}`, which holds bare coroutines (`{coroutine}`) instead of tasks: passing coroutines is deprecated since Python 3.8 and raises `TypeError` since 3.11, and they are never awaited"
        ),
        None if matches!(fs, Expr::Call(_)) => format!(
            "`{wait}()` is given the coroutine `{coroutine}` instead of a collection of tasks: passing coroutines is deprecated since Python 3.8 and raises `TypeError` since 3.11, and it is never awaited"
        ),
        None => format!(
            "`{wait}()` is given bare coroutines (`{coroutine}`) instead of tasks: passing coroutines is deprecated since Python 3.8 and raises `TypeError` since 3.11, and they are never awaited"
        ),
    };
    checker.report(
        Rule::WaitOnBareCoroutines,
        message,
        "Wrap each coroutine in `asyncio.create_task(...)` and pass the tasks (or use `asyncio.gather`/`asyncio.TaskGroup`)",
        call.range(),
        None,
    );
}

/// The first coroutine call held by `fs`, and the name it went through when `fs` is a name.
fn bare_coroutine<'a>(checker: &Checker<'a>, fs: &'a Expr) -> Option<(&'a str, Option<&'a str>)> {
    if let Some(coroutine) = coroutine_in(checker, fs) {
        return Some((coroutine, None));
    }
    let Expr::Name(name) = fs else {
        return None;
    };
    let Lookup::Found([binding]) = checker.semantic.lookup(name.id.as_str()) else {
        return None;
    };
    let BindingKind::Assignment {
        value: Some(value), ..
    } = &binding.kind
    else {
        return None;
    };
    let coroutine = coroutine_in(checker, value)?;
    Some((coroutine, Some(checker.source_of(name.range()))))
}

/// A coroutine call that `expr` is, or that a collection display/comprehension `expr` holds.
fn coroutine_in<'a>(checker: &Checker<'a>, expr: &'a Expr) -> Option<&'a str> {
    match expr {
        Expr::Call(_) => coroutine_call(checker, expr),
        Expr::List(ast::ExprList { elts, .. })
        | Expr::Set(ast::ExprSet { elts, .. })
        | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            elts.iter().find_map(|e| coroutine_call(checker, e))
        }
        Expr::ListComp(ast::ExprListComp { elt, .. })
        | Expr::SetComp(ast::ExprSetComp { elt, .. })
        | Expr::Generator(ast::ExprGenerator { elt, .. }) => coroutine_call(checker, elt),
        _ => None,
    }
}
