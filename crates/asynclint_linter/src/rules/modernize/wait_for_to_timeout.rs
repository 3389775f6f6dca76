//! ## What it does
//! Reports `await asyncio.wait_for(aw, timeout)` when the target Python is 3.11 or newer,
//! where `async with asyncio.timeout(timeout): await aw` expresses the same thing.
//!
//! ## Why is this bad?
//! Before Python 3.12, `wait_for` wraps the awaitable in a new task, runs it there and cancels
//! that task on timeout: an extra task per call, a copied context, and a long history of
//! races around cancellation (a result or a cancellation of the caller lost when the timeout
//! and the completion coincide). `asyncio.timeout()` (3.11) cancels the *current* task when
//! the deadline passes and turns that cancellation into `TimeoutError` at the end of the
//! block, with no extra task. It also scales to several awaits under one deadline and its
//! deadline can be moved (`cm.reschedule(...)`). Since 3.12 `wait_for` itself is implemented
//! with `timeout()`.
//!
//! Calls that are not awaited on the spot (`asyncio.wait_for(...)` passed to `gather`,
//! returned, stored) are not reported: they need a coroutine object, which a context manager
//! does not give.
//!
//! ## Example
//! ```python
//! async def fetch(client):
//!     data = await asyncio.wait_for(client.get("/"), 10)
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch(client):
//!     async with asyncio.timeout(10):
//!         data = await client.get("/")
//! ```
//!
//! ## Fix safety
//! The fix is safe, and offered when the call is a whole statement or the right-hand side of
//! an assignment (`x = await asyncio.wait_for(aw, t)`) on lines of its own, with only the
//! awaitable and the timeout as arguments, and `asyncio` imported as a module (its alias is
//! used). The statement moves into an `async with asyncio.timeout(t):` block indented one
//! level deeper; both forms raise `TimeoutError` when the deadline passes (on 3.11+
//! `asyncio.TimeoutError` is the builtin).
//!
//! ## Options
//! - `target-version`: the rule applies from `py311`.
//!
//! ## References
//! - [`asyncio.timeout`](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)
//! - [`asyncio.wait_for`](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait_for)

use asynclint_diagnostics::{Edit, Fix};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::blocking::blocking_sleep::asyncio_module_name;
use crate::settings::TargetVersion;

pub(crate) fn wait_for_to_timeout(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    if checker.settings.target_version < TargetVersion::PY311 {
        return;
    }
    let Expr::Call(call) = &*await_expr.value else {
        return;
    };
    if !checker
        .semantic
        .resolve_qualified_name(&call.func)
        .is_some_and(|q| matches!(q.as_str(), "asyncio.wait_for" | "asyncio.tasks.wait_for"))
    {
        return;
    }
    let fix = timeout_fix(checker, await_expr, call);
    checker.report(
        Rule::WaitForToTimeout,
        "`await asyncio.wait_for(...)`: on Python 3.11+ `async with asyncio.timeout(...)` bounds the await in the current task, without the extra task and cancellation races of `wait_for`",
        "Use `async with asyncio.timeout(t):` around `await aw`",
        await_expr.range(),
        fix,
    );
}

fn timeout_fix(
    checker: &Checker,
    await_expr: &ast::ExprAwait,
    call: &ast::ExprCall,
) -> Option<Fix> {
    let stmt = checker.current_statement()?;
    let whole = match stmt {
        Stmt::Expr(s) => s.value.range() == await_expr.range(),
        Stmt::Assign(s) => s.value.range() == await_expr.range(),
        Stmt::AnnAssign(s) => s
            .value
            .as_ref()
            .is_some_and(|v| v.range() == await_expr.range()),
        _ => false,
    };
    if !whole {
        return None;
    }
    let (awaitable, timeout) = arguments(call)?;
    // Comments inside `wait_for(...)` outside the two arguments would be lost.
    let mut rest = checker.source_of(call.range()).to_string();
    for argument in [awaitable, timeout] {
        let text = checker.source_of(argument.range());
        rest = rest.replacen(text, "", 1);
    }
    if rest.contains('#') {
        return None;
    }
    // Keep the module as the call spells it (`aio.wait_for` -> `aio.timeout`).
    let asyncio = match &*call.func {
        Expr::Attribute(attr)
            if checker
                .semantic
                .resolve_qualified_name(&attr.value)
                .as_deref()
                == Some("asyncio") =>
        {
            checker.source_of(attr.value.range()).to_string()
        }
        _ => asyncio_module_name(checker)?,
    };

    // The statement must own its lines: nothing before it but indentation (not `if x: ...`
    // or `a; b`), nothing after it but a comment.
    let source = checker.source;
    let start = usize::from(stmt.range().start());
    let end = usize::from(stmt.range().end());
    let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let indent = &source[line_start..start];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let rest = source[end..].split(['\n', '\r']).next().unwrap_or("");
    let rest = rest.trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    let unit = if indent.contains('\t') { "\t" } else { "    " };

    let awaitable_text = checker.source_of(awaitable.range());
    // An expression that spanned lines inside `wait_for(...)`'s parentheses needs its own,
    // unless its line breaks are all inside its own call parentheses.
    let own_parentheses = matches!(awaitable, Expr::Call(inner)
        if !checker.source_of(inner.func.range()).contains(['\n', '\r']));
    let awaitable_text = if awaitable_text.contains(['\n', '\r']) && !own_parentheses {
        format!("({awaitable_text})")
    } else {
        awaitable_text.to_string()
    };
    let statement = checker.source_of(stmt.range());
    let relative = await_expr.range() - stmt.range().start();
    let new_statement = format!(
        "{}await {awaitable_text}{}",
        &statement[..usize::from(relative.start())],
        &statement[usize::from(relative.end())..]
    );
    // Continuation lines move one level deeper with the statement, unless a line break may be
    // inside a string literal (re-indenting would change the string).
    let new_statement = if statement.contains("\"\"\"")
        || statement.contains("'''")
        || statement.contains("\\\n")
    {
        new_statement
    } else {
        reindent(&new_statement, unit)
    };
    let timeout_text = checker.source_of(timeout.range());
    Some(Fix::safe(
        "Replace with `async with asyncio.timeout(...)`",
        vec![Edit::replacement(
            format!("async with {asyncio}.timeout({timeout_text}):\n{indent}{unit}{new_statement}"),
            TextRange::new(stmt.range().start(), stmt.range().end()),
        )],
    ))
}

/// `(aw, timeout)` from `wait_for(aw, timeout)`, `wait_for(aw, timeout=t)` or
/// `wait_for(fut=aw, timeout=t)`; `None` for anything else (`*args`, `loop=`, ...).
fn arguments(call: &ast::ExprCall) -> Option<(&Expr, &Expr)> {
    let args = &call.arguments;
    if args.args.iter().any(Expr::is_starred_expr) || args.args.len() > 2 {
        return None;
    }
    let mut awaitable = args.args.first();
    let mut timeout = args.args.get(1);
    for keyword in &args.keywords {
        match keyword.arg.as_ref().map(ast::Identifier::as_str) {
            Some("fut") if awaitable.is_none() => awaitable = Some(&keyword.value),
            Some("timeout") if timeout.is_none() => timeout = Some(&keyword.value),
            _ => return None,
        }
    }
    Some((awaitable?, timeout?))
}

/// Add `unit` at the start of every line after the first (keeping `\r\n` and blank lines).
fn reindent(text: &str, unit: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut lines = text.split_inclusive('\n');
    if let Some(first) = lines.next() {
        out.push_str(first);
    }
    for line in lines {
        if !line.trim().is_empty() {
            out.push_str(unit);
        }
        out.push_str(line);
    }
    out
}
