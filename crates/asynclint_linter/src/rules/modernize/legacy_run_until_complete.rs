//! ## What it does
//! Reports `loop.run_until_complete(main())` at module level (including under
//! `if __name__ == "__main__":`) where `loop` comes from `asyncio.get_event_loop()`, or
//! `asyncio.get_event_loop().run_until_complete(main())` directly, and the argument is the
//! call of a coroutine function.
//!
//! ## Why is this bad?
//! This is the pre-3.7 way to run a program. `get_event_loop()` outside a running loop is
//! deprecated since Python 3.10 (and raises from 3.14 when no loop is set), and the pattern
//! leaves the cleanup to the author: pending tasks are not cancelled, async generators are not
//! finalised (`shutdown_asyncgens`), the default executor is not shut down and the loop is
//! usually never closed, which shows up as "Task was destroyed but it is pending!" and
//! `ResourceWarning`s at exit. `asyncio.run(main())` creates a fresh loop, runs `main()`,
//! cancels what is left, finalises generators and the executor, and closes the loop.
//!
//! Not reported: `run_until_complete` inside functions (libraries and test helpers that manage
//! their own loop), loops from `asyncio.new_event_loop()` (explicit loop management), and
//! arguments that are futures rather than coroutines (`asyncio.gather(...)`,
//! `asyncio.ensure_future(...)`, `loop.create_task(...)`, a variable), which `asyncio.run`
//! would reject.
//!
//! ## Example
//! ```python
//! if __name__ == "__main__":
//!     loop = asyncio.get_event_loop()
//!     loop.run_until_complete(main())
//! ```
//!
//! Use instead:
//! ```python
//! if __name__ == "__main__":
//!     asyncio.run(main())
//! ```
//!
//! ## References
//! - [`asyncio.run`](https://docs.python.org/3/library/asyncio-runner.html#asyncio.run)
//! - [`asyncio.get_event_loop`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.get_event_loop)

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

const LEGACY_LOOPS: &[&str] = &[
    "asyncio.get_event_loop()",
    "asyncio.events.get_event_loop()",
];

/// Calls whose result is a future (or task), not a coroutine: `asyncio.run` rejects them.
const FUTURE_FACTORIES: &[&str] = &[
    "asyncio.gather",
    "asyncio.ensure_future",
    "asyncio.create_task",
    "asyncio.shield",
    "asyncio.wrap_future",
    "asyncio.run_coroutine_threadsafe",
    "asyncio.tasks.gather",
    "asyncio.tasks.ensure_future",
];

pub(crate) fn legacy_run_until_complete(checker: &mut Checker, site: &CallSite) {
    if site.method_name() != Some("run_until_complete")
        || !site
            .receiver_kind
            .is_some_and(|k| LEGACY_LOOPS.contains(&k))
        || !checker.semantic.at_module_level()
    {
        return;
    }
    let [Expr::Call(argument)] = &site.call.arguments.args[..] else {
        return;
    };
    if !site.call.arguments.keywords.is_empty() || !is_coroutine_like_call(checker, argument) {
        return;
    }
    let main = checker.source_of(argument.range());
    let main = if main.len() <= 40 && !main.contains('\n') {
        main
    } else {
        "main()"
    };
    checker.report(
        Rule::LegacyRunUntilComplete,
        format!(
            "`get_event_loop()` + `run_until_complete({main})`: deprecated loop lookup, and nothing cancels leftover tasks, finalises async generators or closes the loop"
        ),
        format!("Use `asyncio.run({main})`"),
        site.call.range(),
        None,
    );
}

/// A call that is not a known future factory (`gather`, `ensure_future`, `loop.create_task`,
/// `loop.run_in_executor`, ...).
fn is_coroutine_like_call(checker: &Checker, call: &ruff_python_ast::ExprCall) -> bool {
    if let Some(q) = checker.semantic.resolve_qualified_name(&call.func) {
        return !FUTURE_FACTORIES.contains(&q.as_str());
    }
    !matches!(&*call.func, Expr::Attribute(attr) if matches!(
        attr.attr.as_str(),
        "create_task" | "create_future" | "run_in_executor" | "ensure_future" | "gather"
    ))
}
