//! ## What it does
//! Reports an `async def` handed to a thread: `asyncio.to_thread(fn, ...)`,
//! `loop.run_in_executor(executor, fn, ...)`, `anyio.to_thread.run_sync(fn, ...)` or
//! `trio.to_thread.run_sync(fn, ...)` where `fn` (directly, through `functools.partial`, or as
//! the call in a `lambda`) is a coroutine function: one of your project's `async def`s (through
//! imports, aliases, re-exports, `self.`/`cls.` methods and `Class(...).method()`) or an asyncio
//! coroutine function such as `asyncio.sleep`.
//!
//! ## Why is this bad?
//! The worker thread just *calls* `fn`. Calling an `async def` does not run it: it returns a
//! coroutine object, which becomes the result of the `await`. Nothing ever awaits that
//! coroutine, so the body never runs, Python warns `coroutine ... was never awaited` later, and
//! the caller receives a coroutine where it expected a value. The thread also has no event loop
//! to run it on.
//!
//! ## Example
//! ```python
//! async def refresh_cache(key): ...
//!
//! async def handler(key):
//!     await asyncio.to_thread(refresh_cache, key)
//! ```
//!
//! Use instead:
//! ```python
//! async def handler(key):
//!     await refresh_cache(key)
//! ```
//!
//! Only blocking, synchronous functions belong in a thread.
//!
//! Not reported: sync functions, decorated functions (the decorator may return a sync
//! wrapper), `asyncio.run` passed to a thread (it runs the coroutine on a new loop), and
//! callees that cannot be resolved with certainty. `loop.run_in_executor` is recognised when
//! the receiver is known to be an event loop or is named `loop`/`*_loop`.
//!
//! ## References
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
//! - [`loop.run_in_executor`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor)
//! - [`anyio.to_thread.run_sync`](https://anyio.readthedocs.io/en/stable/threads.html)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts};
use crate::registry::Rule;
use crate::rules::function_facts::{self, Callee};

/// asyncio coroutine functions that make no sense in a worker thread.
const STDLIB_COROUTINES: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait_for",
    "asyncio.wait",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.to_thread",
];

const STDLIB_COROUTINE_METHODS: &[&str] = &[
    "asyncio.Event().wait",
    "asyncio.Condition().wait",
    "asyncio.Queue().get",
    "asyncio.Queue().put",
    "asyncio.Queue().join",
    "asyncio.Lock().acquire",
    "asyncio.Semaphore().acquire",
    "asyncio.BoundedSemaphore().acquire",
    "asyncio.StreamWriter().drain",
    "asyncio.StreamReader().read",
    "asyncio.StreamReader().readline",
];

const LOOP_KINDS: &[&str] = &[
    "asyncio.get_running_loop()",
    "asyncio.get_event_loop()",
    "asyncio.new_event_loop()",
    "asyncio.AbstractEventLoop()",
    "asyncio.BaseEventLoop()",
];

pub(crate) fn to_thread_with_coroutine_function(checker: &mut Checker, site: &CallSite) {
    let Some((runner, function)) = thread_runner(checker, site) else {
        return;
    };
    let Some((callee, shown)) = unwrap_function(checker, function) else {
        return;
    };
    let runner = runner.to_string();
    let range = site.call.range();
    if is_stdlib_coroutine(checker, callee) {
        let (message, help) = messages(&runner, &shown, "an asyncio coroutine function", None);
        checker.report(
            Rule::ToThreadWithCoroutineFunction,
            message,
            help,
            range,
            None,
        );
        return;
    }
    match function_facts::resolve_callee(checker, callee) {
        Some(Callee::Local(def)) if def.is_async && function_facts::is_undecorated(def) => {
            let what = what(function_facts::body_facts(def).is_generator);
            let location = format!(
                "line {}",
                checker.file().location(def.name.range.start()).row
            );
            let (message, help) = messages(&runner, &shown, what, Some(&location));
            checker.report(
                Rule::ToThreadWithCoroutineFunction,
                message,
                help,
                range,
                None,
            );
        }
        Some(Callee::Project(target)) => {
            if let Some(builder) = &mut checker.summary {
                builder.summary.deferred.push(DeferredCheck {
                    rule: Rule::ToThreadWithCoroutineFunction,
                    range,
                    target,
                    kind: DeferredKind::ToThreadCoroutine(Box::new(
                        crate::project::texts::ToThreadCoroutine {
                            runner,
                            display: shown,
                        },
                    )),
                });
            }
        }
        Some(Callee::Local(_)) | None => {}
    }
}

/// The thread runner being called and the argument that is the function to run.
fn thread_runner<'a>(
    checker: &Checker,
    site: &CallSite<'a, '_>,
) -> Option<(&'static str, &'a Expr)> {
    let args = &site.call.arguments.args;
    match site.qualified {
        Some("asyncio.to_thread") => return Some(("asyncio.to_thread()", args.first()?)),
        Some("anyio.to_thread.run_sync") => {
            return Some(("anyio.to_thread.run_sync()", args.first()?));
        }
        Some("trio.to_thread.run_sync") => {
            return Some(("trio.to_thread.run_sync()", args.first()?));
        }
        _ => {}
    }
    let Expr::Attribute(attr) = &*site.call.func else {
        return None;
    };
    if attr.attr.as_str() != "run_in_executor" {
        return None;
    }
    let is_loop = site.receiver_kind.is_some_and(|k| LOOP_KINDS.contains(&k))
        || checker
            .semantic
            .object_kind(&attr.value)
            .is_some_and(|k| LOOP_KINDS.contains(&k.as_str()))
        || match &*attr.value {
            Expr::Name(name) => name.id.as_str() == "loop" || name.id.as_str().ends_with("_loop"),
            Expr::Attribute(inner) => {
                inner.attr.as_str() == "loop" || inner.attr.as_str().ends_with("_loop")
            }
            _ => false,
        };
    if !is_loop {
        return None;
    }
    Some(("loop.run_in_executor()", args.get(1)?))
}

/// The callee behind the function argument (`fn`, `functools.partial(fn, ...)`,
/// `lambda: fn(...)`) and how to show it.
fn unwrap_function<'a>(checker: &Checker, function: &'a Expr) -> Option<(&'a Expr, String)> {
    match function {
        Expr::Name(_) | Expr::Attribute(_) => {
            let text = checker.source_of(function.range());
            (!text.contains('\n')).then(|| (function, text.to_string()))
        }
        Expr::Call(call) => {
            let q = checker.semantic.resolve_qualified_name(&call.func)?;
            if q != "functools.partial" {
                return None;
            }
            let inner = call.arguments.args.first()?;
            let (callee, shown) = unwrap_function(checker, inner)?;
            Some((callee, format!("functools.partial({shown}, ...)")))
        }
        Expr::Lambda(lambda) => {
            let Expr::Call(call) = &*lambda.body else {
                return None;
            };
            if !matches!(&*call.func, Expr::Name(_) | Expr::Attribute(_)) {
                return None;
            }
            // A lambda parameter shadowing the callee's name would make the name unresolvable
            // from here: give up rather than guess.
            if let (Expr::Name(name), Some(params)) = (&*call.func, &lambda.parameters)
                && params.iter().any(|p| p.name().as_str() == name.id.as_str())
            {
                return None;
            }
            let text = checker.source_of(call.func.range());
            (!text.contains('\n')).then(|| (&*call.func, format!("lambda: {text}(...)")))
        }
        _ => None,
    }
}

fn is_stdlib_coroutine(checker: &Checker, callee: &Expr) -> bool {
    if let Some(q) = checker.semantic.resolve_qualified_name(callee) {
        return STDLIB_COROUTINES.contains(&q.as_str());
    }
    let Expr::Attribute(attr) = callee else {
        return false;
    };
    let Some(kind) = checker.semantic.object_kind(&attr.value) else {
        return false;
    };
    let path = format!("{kind}.{}", attr.attr.as_str());
    STDLIB_COROUTINE_METHODS.contains(&path.as_str())
}

fn what(is_generator: bool) -> &'static str {
    if is_generator {
        "an async generator function"
    } else {
        "an `async def`"
    }
}

fn messages(runner: &str, shown: &str, what: &str, location: Option<&str>) -> (String, String) {
    let at = location.map(|l| format!(" (at {l})")).unwrap_or_default();
    let object = if what == "an async generator function" {
        "an async generator object that is never iterated"
    } else {
        "a coroutine object that is never awaited"
    };
    (
        format!(
            "`{runner}` is given `{shown}`, {what}{at}: the worker thread only creates {object}, so the body never runs"
        ),
        format!(
            "Await it directly instead of passing it to `{runner}`; only blocking sync functions belong in a thread"
        ),
    )
}

/// Phase 2: report when the function resolves to a project `async def`.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::ToThreadCoroutine(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::ToThreadCoroutine { runner, display } = &**texts;
    let function = facts.resolve_function(&check.target)?;
    let summary = function.summary;
    if !summary.is_async || summary.opaque_decorator || summary.is_property {
        return None;
    }
    let location = facts.location(&function, summary.offset);
    let (message, help) = messages(runner, display, what(summary.is_generator), Some(&location));
    let rule = Rule::ToThreadWithCoroutineFunction;
    Some(
        Diagnostic::new(rule.code(), rule.name(), message, check.range, file.clone())
            .with_help(help),
    )
}
