//! ## What it does
//! Reports a `concurrent.futures.ThreadPoolExecutor(...)` / `ProcessPoolExecutor(...)`
//! constructed inside an `async def` or inside a loop body, for a single use: entered with
//! `with ... as ex:`, assigned to a local that is neither returned, stored nor passed on, or
//! passed inline to `loop.run_in_executor(...)`. An executor stored on `self` or in a module
//! global for reuse is fine.
//!
//! `with ThreadPoolExecutor() as ex:` in an `async def` is worse: leaving the block calls
//! `ex.shutdown(wait=True)`, which **blocks the event loop** until every submitted job has
//! finished.
//!
//! ## Why is this bad?
//! An executor is a pool: creating one starts worker threads (or worker processes, which
//! import the whole program again), and tearing it down joins them. Building one per request
//! pays that cost on every call and defeats the pool's purpose, and concurrent calls multiply
//! the number of threads or processes without bound. In a coroutine, the `with` form also
//! ends in a synchronous `shutdown(wait=True)`: the loop thread sits in `Thread.join()` and no
//! other task runs until the slowest job is done.
//!
//! ## Example
//! ```python
//! from concurrent.futures import ThreadPoolExecutor
//!
//! async def thumbnail(path):
//!     loop = asyncio.get_running_loop()
//!     with ThreadPoolExecutor(max_workers=1) as pool:
//!         return await loop.run_in_executor(pool, render, path)
//! ```
//!
//! Use instead:
//! ```python
//! async def thumbnail(path):
//!     return await asyncio.to_thread(render, path)
//! ```
//!
//! or create one executor at start-up (`self._pool = ThreadPoolExecutor()` in `__init__`, a
//! module global, `loop.set_default_executor(...)`) and shut it down once at exit.
//!
//! Not reported: start-up code outside loops (`async def main()`, `run`, `serve`, `start*`,
//! `setup*`, `init*`, names containing `startup`/`lifespan`: it runs once); test modules (`test_*.py`, `*_test.py`, `conftest.py`: a test runs once);
//! executors stored on `self`/`cls`, in a module global or a collection,
//! returned or yielded (factories), or passed to another call (`loop.set_default_executor(ex)`,
//! `Service(executor=ex)`); executors created once in sync code outside loops (`main()`,
//! `__init__`).
//!
//! ## References
//! - [`loop.run_in_executor`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
//! - [`Executor.shutdown`: "Using the `with` statement ... will shutdown the Executor (waiting as if `Executor.shutdown()` were called with wait set to `True`)"](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.shutdown)

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::resource_helpers::{in_loop_body, is_startup_name, local_uses};
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::testing::helpers::in_test_module;
use crate::semantic::{BindingKind, ScopeKind};

const EXECUTORS: &[(&str, &str)] = &[
    (
        "concurrent.futures.ThreadPoolExecutor",
        "ThreadPoolExecutor",
    ),
    (
        "concurrent.futures.thread.ThreadPoolExecutor",
        "ThreadPoolExecutor",
    ),
    (
        "concurrent.futures.ProcessPoolExecutor",
        "ProcessPoolExecutor",
    ),
    (
        "concurrent.futures.process.ProcessPoolExecutor",
        "ProcessPoolExecutor",
    ),
];

const HELP: &str = "Create one executor at start-up (on `self` or in a module global) and reuse it, or use `await asyncio.to_thread(...)` for occasional blocking calls";

/// Methods of an executor's *user* that take it without keeping it.
const HARMLESS_CALLS: &[&str] = &["run_in_executor"];

const CLOSERS: &[&str] = &["shutdown", "__exit__"];

enum Use {
    /// `with Executor() as ex:` (sync `with`).
    With,
    /// Assigned to a local that is only used in the function.
    Local(String),
    /// `loop.run_in_executor(Executor(), ...)`, `Executor().submit(...)`.
    Inline,
}

pub(crate) fn executor_per_call(checker: &mut Checker, site: &CallSite) {
    let Some(qualified) = site.qualified else {
        return;
    };
    let Some((_, class)) = EXECUTORS.iter().find(|(q, _)| *q == qualified) else {
        return;
    };
    let call = site.call;
    let in_async = checker.semantic.in_async_context();
    let in_loop = matches!(
        checker.semantic.current_scope_kind(),
        ScopeKind::Function { .. } | ScopeKind::Module
    ) && in_loop_body(checker.statement_ancestors(), call.range());
    // A test runs once: its executor is not per request, and its jobs are done at exit.
    if (!in_async && !in_loop) || in_test_module(checker) {
        return;
    }
    // `async def main()`: the executor is created once, at start-up.
    if !in_loop
        && checker
            .semantic
            .current_function()
            .is_some_and(|f| is_startup_name(f.def.name.as_str()))
    {
        return;
    }
    let Some(how) = classify(checker, call) else {
        return;
    };
    let display = format!("{class}()");
    let function = checker.semantic.current_function().map(|f| match f.class {
        Some(class) => format!("{}.{}", class.name, f.def.name),
        None => f.def.name.to_string(),
    });
    let when = match (&function, in_loop) {
        (_, true) => "on every iteration of the loop".to_string(),
        (Some(name), false) => format!("on every call of `{name}()`"),
        (None, false) => "on every call".to_string(),
    };
    let kind = if class.starts_with("Process") {
        "worker processes"
    } else {
        "worker threads"
    };
    let cost = if in_loop {
        format!(
            "each one starts its own {kind} and joins them after a single use, instead of one pool serving every iteration"
        )
    } else {
        format!(
            "each one starts its own {kind} and joins them after a single use, and concurrent calls multiply the number of {kind}"
        )
    };
    let message = match how {
        Use::With if in_async => format!(
            "`with {display}` creates a new executor {when}, and leaving the block calls `shutdown(wait=True)`, which blocks the event loop until every submitted job has finished"
        ),
        Use::With | Use::Inline => format!("`{display}` creates a new executor {when}: {cost}"),
        Use::Local(name) => {
            format!("`{name} = {display}` creates a new executor {when}: {cost}")
        }
    };
    checker.report(Rule::ExecutorPerCall, message, HELP, call.range(), None);
}

/// How the constructor's result is used; `None` when it outlives the call (stored, returned,
/// passed on) or the use is unclear.
fn classify(checker: &Checker, call: &ast::ExprCall) -> Option<Use> {
    if let Some(parent) = checker.parent_expression() {
        return match parent {
            // `loop.run_in_executor(Executor(), fn)`
            Expr::Call(outer)
                if matches!(&*outer.func, Expr::Attribute(a)
                    if HARMLESS_CALLS.contains(&a.attr.as_str()))
                    && outer.arguments.args.first().map(Ranged::range) == Some(call.range()) =>
            {
                Some(Use::Inline)
            }
            // `Executor().submit(fn)`, `Executor().map(...)`
            Expr::Attribute(attr)
                if attr.value.range() == call.range()
                    && matches!(attr.attr.as_str(), "submit" | "map") =>
            {
                Some(Use::Inline)
            }
            _ => None,
        };
    }
    match checker.current_statement()? {
        Stmt::With(with) if !with.is_async => with
            .items
            .iter()
            .any(|item| item.context_expr.range() == call.range())
            .then_some(Use::With),
        Stmt::Assign(assign) if assign.value.range() == call.range() => {
            let [Expr::Name(name)] = assign.targets.as_slice() else {
                return None;
            };
            unused_local(checker, name.id.as_str())
        }
        Stmt::AnnAssign(assign)
            if assign.value.as_deref().map(Ranged::range) == Some(call.range()) =>
        {
            let Expr::Name(name) = &*assign.target else {
                return None;
            };
            unused_local(checker, name.id.as_str())
        }
        _ => None,
    }
}

/// A function local (not `global`/`nonlocal`) that never leaves the function.
fn unused_local(checker: &Checker, name: &str) -> Option<Use> {
    if !matches!(
        checker.semantic.current_scope_kind(),
        ScopeKind::Function { .. }
    ) {
        return None;
    }
    let bindings = checker.semantic.local_bindings(name)?;
    if bindings
        .iter()
        .any(|b| matches!(b.kind, BindingKind::Global | BindingKind::Nonlocal))
    {
        return None;
    }
    let function = checker.semantic.current_function()?;
    let uses = local_uses(&function.def.body, name, CLOSERS, HARMLESS_CALLS);
    (!uses.escapes).then(|| Use::Local(name.to_string()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{LinterSettings, Rule, lint_str};

    const SOURCE: &str = "
from concurrent.futures import ThreadPoolExecutor

async def test_threaded(render):
    with ThreadPoolExecutor(1) as executor:
        executor.submit(render)
";

    #[test]
    fn test_modules_are_exempt() {
        let settings = LinterSettings::for_rules([Rule::ExecutorPerCall]);
        assert_eq!(lint_str(Path::new("render.py"), SOURCE, &settings).len(), 1);
        for name in ["test_render.py", "render_test.py", "conftest.py"] {
            assert!(
                lint_str(Path::new(name), SOURCE, &settings).is_empty(),
                "{name}"
            );
        }
    }
}
