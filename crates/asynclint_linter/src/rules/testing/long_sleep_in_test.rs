//! ## What it does
//! Reports `await asyncio.sleep(x)` and `time.sleep(x)` with a constant `x` of one second or
//! more, directly in a test function (`test*` in a `test_*.py`/`*_test.py` module).
//!
//! ## Why is this bad?
//! A sleep in a test is a guess at how long something else takes. If the guess is short the
//! test fails whenever the machine is busy (a loaded CI runner, a debugger, a slow
//! filesystem); if it is long every run pays for it, and a suite with a few dozen such tests
//! spends minutes doing nothing. In async tests the sleep usually waits for a background task
//! or a callback: waiting for that event directly (`asyncio.Event`, a future the callback
//! resolves, `asyncio.wait_for(event.wait(), timeout)`) finishes as soon as the condition
//! holds, and timing-based code can be driven by a fake clock instead of the real one.
//!
//! Not reported: sleeps shorter than a second (yielding to the loop with `asyncio.sleep(0)`
//! is common and cheap), non-constant durations, sleeps inside `with pytest.raises(...)` or a
//! timeout block (`asyncio.timeout`, `anyio.fail_after`, ...: they stand for slow work that is
//! expected to be cut short), sleeps in helpers, fixtures and nested functions, and files that
//! are not test modules.
//!
//! ## Example
//! ```python
//! async def test_worker_processes_job(queue, worker):
//!     await queue.put(job)
//!     await asyncio.sleep(2)
//!     assert job.done
//! ```
//!
//! Use instead:
//! ```python
//! async def test_worker_processes_job(queue, worker):
//!     await queue.put(job)
//!     await asyncio.wait_for(job.finished.wait(), timeout=5)
//!     assert job.done
//! ```
//!
//! ## References
//! - [`asyncio.Event`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Event)
//! - [`asyncio.wait_for`](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait_for)
//! - [pytest: flaky tests](https://docs.pytest.org/en/stable/explanation/flaky.html)

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::helpers;
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

pub(crate) fn long_sleep_in_test(checker: &mut Checker, site: &CallSite) {
    let is_async = match site.qualified {
        Some("asyncio.sleep" | "asyncio.tasks.sleep") => true,
        Some("time.sleep") => false,
        _ => return,
    };
    // An unawaited `asyncio.sleep(...)` does not sleep at all (AIO200's business).
    if is_async && !matches!(checker.parent_expression(), Some(Expr::Await(_))) {
        return;
    }
    let delay = site.call.arguments.args.first().or_else(|| {
        site.keyword(if is_async { "delay" } else { "secs" })
            .map(|k| &k.value)
    });
    let Some(seconds) = delay.and_then(constant_seconds) else {
        return;
    };
    if seconds < 1.0 || !helpers::in_test_function(checker) || expected_to_be_cut_short(checker) {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let delay_text = checker.source_of(delay.map_or(site.call.range(), Ranged::range));
    let call = if is_async {
        format!("await asyncio.sleep({delay_text})")
    } else {
        format!("time.sleep({delay_text})")
    };
    checker.report(
        Rule::LongSleepInTest,
        format!(
            "`{call}` in test `{}`: every run waits {delay_text} s of wall-clock time, and the guessed delay makes the test flaky on a busy machine",
            function.def.name
        ),
        "Wait for the condition itself (an `asyncio.Event`, a future, `wait_for(..., timeout)`) or drive time with a fake clock",
        site.call.range(),
        None,
    );
}

/// Context managers that interrupt the block: a sleep inside one stands for "something slow"
/// that the test expects to be cancelled or to time out, and never runs its full length.
const INTERRUPTING: &[&str] = &[
    "pytest.raises",
    "asyncio.timeout",
    "asyncio.timeout_at",
    "async_timeout.timeout",
    "anyio.fail_after",
    "anyio.move_on_after",
    "trio.fail_after",
    "trio.move_on_after",
];

/// Is the sleep inside `with pytest.raises(...)` or a timeout block of the test?
fn expected_to_be_cut_short(checker: &Checker) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) => return false,
            Stmt::With(with) => {
                let interrupting = with.items.iter().any(|item| {
                    let Expr::Call(call) = &item.context_expr else {
                        return false;
                    };
                    checker
                        .semantic
                        .resolve_qualified_name(&call.func)
                        .is_some_and(|q| INTERRUPTING.contains(&q.as_str()))
                });
                if interrupting {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// A non-negative number literal, in seconds.
fn constant_seconds(expr: &Expr) -> Option<f64> {
    let Expr::NumberLiteral(number) = expr else {
        return None;
    };
    match &number.value {
        ast::Number::Int(int) => int.as_u64().map(|v| v as f64),
        ast::Number::Float(float) => Some(*float),
        ast::Number::Complex { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::settings::LinterSettings;
    use crate::{Rule, lint_str};

    #[test]
    fn only_test_modules() {
        let settings = LinterSettings::for_rules([Rule::LongSleepInTest]);
        let source = "import asyncio\n\nasync def test_a():\n    await asyncio.sleep(2)\n";
        assert_eq!(
            lint_str(Path::new("tests/test_a.py"), source, &settings).len(),
            1
        );
        assert_eq!(lint_str(Path::new("a_test.py"), source, &settings).len(), 1);
        for name in ["app/checks.py", "tests/conftest.py", "tests/helpers.py"] {
            assert!(
                lint_str(Path::new(name), source, &settings).is_empty(),
                "{name}"
            );
        }
    }
}
