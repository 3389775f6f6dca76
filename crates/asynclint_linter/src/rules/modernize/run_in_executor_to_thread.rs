//! ## What it does
//! Reports `await loop.run_in_executor(None, func, *args)` on a loop of known kind
//! (`asyncio.get_running_loop()`, `get_event_loop()`, an `asyncio.AbstractEventLoop`
//! annotation) when the target Python is 3.9 or newer, where
//! `await asyncio.to_thread(func, *args)` does the same.
//!
//! ## Why is this bad?
//! `asyncio.to_thread` (3.9) is the high-level spelling of "run this blocking function in the
//! default thread pool": it needs no loop object, accepts keyword arguments (no
//! `functools.partial`), and runs the function in a copy of the current `contextvars` context,
//! so request-scoped values (tracing spans, locale, database sessions kept in context
//! variables) are visible in the thread, which `run_in_executor` does not do.
//!
//! Not reported: an explicit executor (`run_in_executor(pool, ...)`: a process pool or a
//! dedicated thread pool is a deliberate choice), calls whose future is not awaited on the
//! spot (the work starts immediately, while `to_thread` returns a coroutine that only starts
//! when awaited), and loops of unknown kind.
//!
//! ## Example
//! ```python
//! async def load(path):
//!     loop = asyncio.get_running_loop()
//!     return await loop.run_in_executor(None, read_file, path)
//! ```
//!
//! Use instead:
//! ```python
//! async def load(path):
//!     return await asyncio.to_thread(read_file, path)
//! ```
//!
//! ## Fix safety
//! The fix rewrites the call to `asyncio.to_thread(func, *args)` (through the name `asyncio`
//! is imported under; no fix when it is not imported as a module). It is unsafe: `to_thread`
//! runs `func` in a copy of the caller's context variables, so code that relied on the
//! thread *not* seeing them (or that set context variables in the thread expecting them to
//! persist) behaves differently.
//!
//! ## Options
//! - `target-version`: the rule applies from `py39`.
//!
//! ## References
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
//! - [`loop.run_in_executor`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor)

use asynclint_diagnostics::{Edit, Fix};
use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::coroutines::unawaited_coroutine::LOOP_KINDS;
use crate::settings::TargetVersion;

pub(crate) fn run_in_executor_to_thread(checker: &mut Checker, site: &CallSite) {
    if site.method_name() != Some("run_in_executor")
        || checker.settings.target_version < TargetVersion::PY39
    {
        return;
    }
    if !site.receiver_kind.is_some_and(|k| LOOP_KINDS.contains(&k)) {
        return;
    }
    let args = &site.call.arguments.args;
    let [Expr::NoneLiteral(_), func, ..] = &args[..] else {
        return;
    };
    if func.is_starred_expr() || !site.call.arguments.keywords.is_empty() {
        return;
    }
    if !matches!(checker.parent_expression(), Some(Expr::Await(_))) {
        return;
    }
    // Rewrite the callee and drop `None, `; the other arguments (and comments among them)
    // stay as written. A comment right after `None,` would be lost: no fix then.
    let executor = TextRange::new(args[0].start(), func.start());
    let fix = crate::importer::asyncio_module(checker)
        .filter(|_| !checker.source_of(executor).contains('#'))
        .map(|(asyncio, import)| {
            let mut edits = vec![
                Edit::replacement(format!("{asyncio}.to_thread"), site.call.func.range()),
                Edit::deletion(executor),
            ];
            edits.extend(import);
            Fix::unsafe_("Replace with `asyncio.to_thread(...)`", edits)
        });
    let func_text = checker.source_of(func.range());
    let func_text = if func_text.len() <= 40 && !func_text.contains('\n') {
        func_text
    } else {
        "func"
    };
    checker.report(
        Rule::RunInExecutorToThread,
        format!(
            "`run_in_executor(None, {func_text}, ...)`: `asyncio.to_thread` runs it in the same default pool without a loop object, and propagates context variables to the thread"
        ),
        format!("Use `await asyncio.to_thread({func_text}, ...)`"),
        site.call.range(),
        fix,
    );
}
