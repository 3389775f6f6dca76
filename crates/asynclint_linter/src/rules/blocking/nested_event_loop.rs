//! ## What it does
//! Reports attempts to start an event loop from code that already runs on one: in an
//! `async def`, calls to `asyncio.run(...)` (also `uvloop.run`, `anyio.run` and
//! `asyncio.Runner().run(...)`), `loop.run_until_complete(...)` and `loop.run_forever()`.
//!
//! A receiver is an event loop when its kind is known to be one (`asyncio.get_event_loop()`,
//! `asyncio.get_running_loop()`, `asyncio.new_event_loop()`, an `asyncio.AbstractEventLoop`
//! annotation, `uvloop.new_event_loop()`, ...) or, when its kind is unknown, when it is named
//! `loop`, `event_loop` or `*_loop` (`self.loop`, `hass.loop`, `self._loop`).
//!
//! ## Why is this bad?
//! asyncio allows one running loop per thread. A coroutine is always executed by a loop that
//! is already running, so starting another one from it fails at run time:
//! `asyncio.run()` raises `RuntimeError: asyncio.run() cannot be called from a running event
//! loop`, `run_until_complete()`/`run_forever()` raise `RuntimeError: This event loop is
//! already running` (or `Cannot run the event loop while another loop is running` for a
//! fresh loop). The caller is already inside the loop: it only has to `await` the coroutine.
//!
//! ## Example
//! ```python
//! import asyncio
//!
//! async def refresh(client):
//!     data = asyncio.run(client.fetch())
//!     loop = asyncio.get_event_loop()
//!     loop.run_until_complete(client.store(data))
//! ```
//!
//! Use instead:
//! ```python
//! async def refresh(client):
//!     data = await client.fetch()
//!     await client.store(data)
//! ```
//!
//! Use `asyncio.create_task(...)` instead of `await` when the work must run in the
//! background.
//!
//! Not reported: the entry point (`asyncio.run(main())` in a sync `def main()` or under
//! `if __name__ == "__main__":`), `asyncio.Runner` used in sync code, a nested `def` or
//! `lambda` handed to `asyncio.to_thread`/`loop.run_in_executor` (a worker thread may run its
//! own loop), `await asyncio.to_thread(asyncio.run, coro())`, receivers whose kind is known
//! and is not an event loop, and every call in a module that imports `nest_asyncio` (which
//! patches asyncio to allow nested loops on purpose).
//!
//! ## Options
//! - `allowed-blocking-calls`: qualified names or method paths never reported, e.g.
//!   `["asyncio.get_event_loop().run_until_complete"]`.
//!
//! ## References
//! - [`asyncio.run`](https://docs.python.org/3/library/asyncio-runner.html#asyncio.run)
//! - [`loop.run_until_complete`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_until_complete)
//! - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use super::helpers::display_name;
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

const RUN_FUNCTIONS: &[&str] = &[
    "asyncio.run",
    "asyncio.runners.run",
    "uvloop.run",
    "anyio.run",
];
const RUNNER_KINDS: &[&str] = &["asyncio.Runner()", "asyncio.runners.Runner()"];

/// Kinds of objects that are event loops.
const LOOP_KINDS: &[&str] = &[
    "asyncio.get_event_loop()",
    "asyncio.get_running_loop()",
    "asyncio.new_event_loop()",
    "asyncio.events.get_event_loop()",
    "asyncio.events.get_running_loop()",
    "asyncio.events.new_event_loop()",
    "asyncio.get_event_loop_policy().get_event_loop()",
    "asyncio.get_event_loop_policy().new_event_loop()",
    "asyncio.AbstractEventLoop()",
    "asyncio.events.AbstractEventLoop()",
    "asyncio.BaseEventLoop()",
    "asyncio.base_events.BaseEventLoop()",
    "asyncio.SelectorEventLoop()",
    "asyncio.ProactorEventLoop()",
    "asyncio.Runner().get_loop()",
    "uvloop.new_event_loop()",
    "uvloop.Loop()",
];
/// Loops created here are not running yet: starting them fails with a different message.
const FRESH_LOOP_KINDS: &[&str] = &[
    "asyncio.new_event_loop()",
    "asyncio.events.new_event_loop()",
    "asyncio.get_event_loop_policy().new_event_loop()",
    "asyncio.SelectorEventLoop()",
    "asyncio.ProactorEventLoop()",
    "uvloop.new_event_loop()",
    "uvloop.Loop()",
];

const HELP: &str = "`await` the coroutine directly (or schedule it with `asyncio.create_task(...)`): this code already runs inside the event loop";
const RUN_FOREVER_HELP: &str = "An event loop is already running here: `await` the work directly, or wait on an `asyncio.Event` set at shutdown";

pub(crate) fn nested_event_loop(checker: &mut Checker, site: &CallSite) {
    if let Some(qualified) = site.qualified {
        if RUN_FUNCTIONS.contains(&qualified) && !allows_nested_loops(checker) {
            let name = display_name(checker, site, qualified);
            let error = if qualified == "anyio.run" {
                "Already running asyncio in this thread"
            } else {
                "asyncio.run() cannot be called from a running event loop"
            };
            checker.report(
                Rule::NestedEventLoop,
                format!("`{name}` in async context: an event loop is already running on this thread, so it raises `RuntimeError: {error}`"),
                HELP,
                site.call.range(),
                None,
            );
        }
        return;
    }
    let Expr::Attribute(attr) = &*site.call.func else {
        return;
    };
    let method = attr.attr.as_str();
    if method == "run" {
        if site
            .receiver_kind
            .is_some_and(|k| RUNNER_KINDS.contains(&k))
            && !allows_nested_loops(checker)
        {
            let name = display_name(checker, site, "asyncio.Runner().run");
            checker.report(
                Rule::NestedEventLoop,
                format!("`{name}` in async context: an event loop is already running on this thread, so it raises `RuntimeError: Runner.run() cannot be called from a running event loop`"),
                HELP,
                site.call.range(),
                None,
            );
        }
        return;
    }
    if !matches!(method, "run_until_complete" | "run_forever") {
        return;
    }
    if !is_event_loop(&attr.value, site.receiver_kind) || allows_nested_loops(checker) {
        return;
    }
    let error = if site
        .receiver_kind
        .is_some_and(|k| FRESH_LOOP_KINDS.contains(&k))
    {
        "Cannot run the event loop while another loop is running"
    } else {
        "This event loop is already running"
    };
    let name = display_name(checker, site, method);
    let help = if method == "run_forever" {
        RUN_FOREVER_HELP
    } else {
        HELP
    };
    checker.report(
        Rule::NestedEventLoop,
        format!("`{name}` in async context: an event loop is already running on this thread, so it raises `RuntimeError: {error}`"),
        help,
        site.call.range(),
        None,
    );
}

/// Known to be an event loop by its kind, or (kind unknown) named like one.
fn is_event_loop(receiver: &Expr, kind: Option<&str>) -> bool {
    if let Some(kind) = kind {
        return LOOP_KINDS.contains(&kind);
    }
    let last = match receiver {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => return false,
    };
    last == "loop" || last.ends_with("_loop")
}

/// `nest_asyncio` patches asyncio so that nested loops work: a module that imports it runs
/// them on purpose.
fn allows_nested_loops(checker: &Checker) -> bool {
    checker.source.lines().any(|line| {
        let line = line.trim_start();
        (line.starts_with("import ") || line.starts_with("from ")) && line.contains("nest_asyncio")
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{LinterSettings, Rule, lint_str};

    fn codes(source: &str) -> Vec<&'static str> {
        let settings = LinterSettings::for_rules([Rule::NestedEventLoop]);
        lint_str(Path::new("nested.py"), source, &settings)
            .iter()
            .map(|d| d.code)
            .collect()
    }

    const NESTED: &str = r#"
async def handler(loop):
    asyncio.run(work())
    loop.run_until_complete(work())
"#;

    #[test]
    fn reported_without_nest_asyncio() {
        let source = format!("import asyncio\n{NESTED}");
        assert_eq!(codes(&source), ["AIO110", "AIO110"]);
    }

    #[test]
    fn module_importing_nest_asyncio_is_exempt() {
        for import in [
            "import nest_asyncio\nnest_asyncio.apply()",
            "from nest_asyncio import apply\napply()",
            "try:\n    import nest_asyncio\nexcept ImportError:\n    pass",
        ] {
            let source = format!("import asyncio\n{import}\n{NESTED}");
            assert!(codes(&source).is_empty(), "{import}");
        }
    }
}
