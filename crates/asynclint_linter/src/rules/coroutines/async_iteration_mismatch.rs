//! ## What it does
//! Reports iteration or awaiting that does not match what the callee returns:
//! - a plain `for` (or comprehension) over a call of an **async generator function**
//!   (`async def` with `yield`);
//! - `async for` over a call of a **coroutine function** (`async def` without `yield`), which
//!   was probably meant as `for x in await f()`;
//! - `await` on a call of an async generator function;
//! - `async for` over something that is certainly a synchronous iterable: a list, tuple, set or
//!   dict literal or comprehension, `range(...)`, `enumerate(...)`, `zip(...)` and other
//!   builtins, an asyncio coroutine function such as `asyncio.to_thread(...)`, or
//!   `asyncio.as_completed(...)` when the target Python is older than 3.13.
//!
//! Functions are recognised across the project: through imports, aliases, re-exports,
//! `self.`/`cls.` methods and `Class(...).method()`.
//!
//! ## Why is this bad?
//! An async generator implements only `__aiter__`/`__anext__`, a coroutine implements only
//! `__await__`, and lists, ranges and other containers implement only `__iter__`. Each
//! mismatch raises `TypeError` the moment the line runs (`'async_generator' object is not
//! iterable`, `'async for' requires an object with __aiter__ method, got coroutine`,
//! `object async_generator can't be used in 'await' expression`), and for a coroutine the
//! object is also never awaited. These lines are often on error or rarely taken paths, so the
//! crash shows up in production rather than in tests.
//!
//! ## Example
//! ```python
//! async def stream_rows(query):
//!     async with pool.acquire() as conn:
//!         async for row in conn.cursor(query):
//!             yield row
//!
//! async def fetch_users():
//!     return await db.fetch("SELECT * FROM users")
//!
//! async def report():
//!     for row in stream_rows("SELECT 1"):
//!         print(row)
//!     async for user in fetch_users():
//!         print(user)
//! ```
//!
//! Use instead:
//! ```python
//! async def report():
//!     async for row in stream_rows("SELECT 1"):
//!         print(row)
//!     for user in await fetch_users():
//!         print(user)
//! ```
//!
//! Not reported: callees that cannot be resolved with certainty (unknown objects, names bound
//! more than once, dynamic imports), decorated functions (a decorator may change what the call
//! returns), and sync `def`s that return an async iterator.
//!
//! ## References
//! - [The `async for` statement](https://docs.python.org/3/reference/compound_stmts.html#the-async-for-statement)
//! - [Asynchronous generator functions](https://docs.python.org/3/reference/expressions.html#asynchronous-generator-functions)
//! - [`asyncio.as_completed`](https://docs.python.org/3/library/asyncio-task.html#asyncio.as_completed)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::project::{DeferredCheck, DeferredKind, IterationUse, ProjectFacts};
use crate::registry::Rule;
use crate::rules::function_facts::{self, Callee};

/// asyncio functions that return a coroutine (or a future), never an async iterator.
const STDLIB_COROUTINES: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait_for",
    "asyncio.wait",
    "asyncio.gather",
    "asyncio.shield",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.to_thread",
];

const STDLIB_COROUTINE_METHODS: &[&str] = &[
    "asyncio.Queue().get",
    "asyncio.PriorityQueue().get",
    "asyncio.LifoQueue().get",
    "asyncio.StreamReader().read",
    "asyncio.StreamReader().readline",
    "asyncio.StreamReader().readexactly",
    "asyncio.StreamReader().readuntil",
];

/// Builtins that always return a synchronous iterable.
const SYNC_ITERABLE_BUILTINS: &[&str] = &[
    "builtins.range",
    "builtins.enumerate",
    "builtins.zip",
    "builtins.reversed",
    "builtins.sorted",
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.frozenset",
    "builtins.dict",
    "builtins.map",
    "builtins.filter",
    "builtins.iter",
];

/// A `for`/`async for` statement.
pub(crate) fn async_iteration_mismatch(checker: &mut Checker, for_stmt: &ast::StmtFor) {
    check_iteration(checker, &for_stmt.iter, for_stmt.is_async);
}

/// A comprehension: its first iterable is evaluated in the enclosing scope, where names are
/// resolved (later iterables may use the comprehension's own variables).
pub(crate) fn comprehension(checker: &mut Checker, expr: &Expr) {
    let generators = match expr {
        Expr::ListComp(c) => &c.generators,
        Expr::SetComp(c) => &c.generators,
        Expr::DictComp(c) => &c.generators,
        Expr::Generator(c) => &c.generators,
        _ => return,
    };
    if let Some(first) = generators.first() {
        check_iteration(checker, &first.iter, first.is_async);
    }
}

/// `await agen()`.
pub(crate) fn await_expression(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let Expr::Call(call) = &*await_expr.value else {
        return;
    };
    let display = function_facts::callee_display(checker, &call.func);
    match function_facts::resolve_callee(checker, &call.func) {
        Some(Callee::Local(def))
            if def.is_async
                && function_facts::is_undecorated(def)
                && function_facts::body_facts(def).is_generator =>
        {
            let location = local_location(checker, def);
            let (message, help) = messages(IterationUse::Await, &display, Some(&location));
            checker.report(
                Rule::AsyncIterationMismatch,
                message,
                help,
                await_expr.range(),
                None,
            );
        }
        Some(Callee::Project(target)) => defer(
            checker,
            await_expr.range(),
            target,
            call.func.range(),
            IterationUse::Await,
        ),
        Some(Callee::Local(_)) | None => {}
    }
}

fn check_iteration(checker: &mut Checker, iter: &Expr, is_async: bool) {
    if is_async && let Some(what) = sync_iterable(checker, iter) {
        checker.report(
            Rule::AsyncIterationMismatch,
            format!("`async for` over {what}, a synchronous iterable: it has no `__aiter__`, so the loop raises `TypeError`"),
            "Use a plain `for` loop",
            iter.range(),
            None,
        );
        return;
    }
    let Expr::Call(call) = iter else { return };
    let display = function_facts::callee_display(checker, &call.func);
    if is_async {
        if checker.settings.target_version.minor < 13
            && checker
                .semantic
                .resolve_qualified_name(&call.func)
                .as_deref()
                == Some("asyncio.as_completed")
        {
            checker.report(
                Rule::AsyncIterationMismatch,
                format!(
                    "`async for` over `{display}`: before Python 3.13 it returns a plain iterator of awaitables, so the loop raises `TypeError` (target is {})",
                    checker.settings.target_version
                ),
                "Iterate it with a plain `for` and await each item: `for aw in asyncio.as_completed(...): result = await aw`",
                call.range(),
                None,
            );
            return;
        }
        if is_stdlib_coroutine(checker, call) {
            let (message, help) = messages(IterationUse::AsyncFor, &display, None);
            checker.report(
                Rule::AsyncIterationMismatch,
                message,
                help,
                call.range(),
                None,
            );
            return;
        }
    }
    let usage = if is_async {
        IterationUse::AsyncFor
    } else {
        IterationUse::SyncFor
    };
    match function_facts::resolve_callee(checker, &call.func) {
        Some(Callee::Local(def)) => {
            if !def.is_async || !function_facts::is_undecorated(def) {
                return;
            }
            let is_generator = function_facts::body_facts(def).is_generator;
            // A plain `for` over an async generator; `async for` over a coroutine function
            // (not a stub that a subclass implements as an async generator).
            if is_generator != is_async
                && (is_generator || !function_facts::is_trivial_body(&def.body))
            {
                let location = local_location(checker, def);
                let (message, help) = messages(usage, &display, Some(&location));
                checker.report(
                    Rule::AsyncIterationMismatch,
                    message,
                    help,
                    call.range(),
                    None,
                );
            }
        }
        Some(Callee::Project(target)) => {
            defer(checker, call.range(), target, call.func.range(), usage)
        }
        None => {}
    }
}

/// What `iter` is when it is certainly a synchronous iterable.
fn sync_iterable(checker: &Checker, iter: &Expr) -> Option<String> {
    let what = match iter {
        Expr::List(_) => "a list literal",
        Expr::Tuple(_) => "a tuple literal",
        Expr::Set(_) => "a set literal",
        Expr::Dict(_) => "a dict literal",
        Expr::ListComp(_) => "a list comprehension",
        Expr::SetComp(_) => "a set comprehension",
        Expr::DictComp(_) => "a dict comprehension",
        Expr::StringLiteral(_) => "a string literal",
        Expr::BytesLiteral(_) => "a bytes literal",
        Expr::Call(call) => {
            let q = checker.semantic.resolve_qualified_name(&call.func)?;
            if !SYNC_ITERABLE_BUILTINS.contains(&q.as_str()) {
                return None;
            }
            return Some(format!("`{}()`", q.trim_start_matches("builtins.")));
        }
        _ => return None,
    };
    Some(what.to_string())
}

fn is_stdlib_coroutine(checker: &Checker, call: &ast::ExprCall) -> bool {
    if let Some(q) = checker.semantic.resolve_qualified_name(&call.func) {
        return STDLIB_COROUTINES.contains(&q.as_str());
    }
    let Expr::Attribute(attr) = &*call.func else {
        return false;
    };
    let Some(kind) = checker.semantic.object_kind(&attr.value) else {
        return false;
    };
    let path = format!("{kind}.{}", attr.attr.as_str());
    STDLIB_COROUTINE_METHODS.contains(&path.as_str())
}

fn local_location(checker: &Checker, def: &ast::StmtFunctionDef) -> String {
    format!(
        "line {}",
        checker.file().location(def.name.range.start()).row
    )
}

fn defer(
    checker: &mut Checker,
    range: TextRange,
    target: crate::project::Target,
    callee: TextRange,
    usage: IterationUse,
) {
    if let Some(builder) = &mut checker.summary {
        builder.summary.deferred.push(DeferredCheck {
            rule: Rule::AsyncIterationMismatch,
            range,
            target,
            kind: DeferredKind::AsyncIteration { callee, usage },
        });
    }
}

fn messages(usage: IterationUse, display: &str, location: Option<&str>) -> (String, String) {
    let at = location
        .map(|l| format!(" (`async def` at {l})"))
        .unwrap_or_default();
    match usage {
        IterationUse::SyncFor => (
            format!("`{display}` is an async generator function{at}: a plain `for` cannot iterate the async generator it returns, so this raises `TypeError`"),
            "Use `async for` inside an `async def` (or `[x async for x in ...]`)".to_string(),
        ),
        IterationUse::AsyncFor => (
            format!("`{display}` is a coroutine function{at}, not an async generator: `async for` over the coroutine it returns raises `TypeError` and the coroutine is never awaited"),
            format!("Await the call and iterate its result: `for ... in await {display}`"),
        ),
        IterationUse::Await => (
            format!("`{display}` is an async generator function{at}: awaiting the async generator it returns raises `TypeError`"),
            "Iterate it with `async for`, collect it with `[x async for x in ...]`, or take one item with `await anext(...)`".to_string(),
        ),
    }
}

/// Phase 2: the target decides which mismatch, if any, this is.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::AsyncIteration { callee, usage } = &check.kind else {
        return None;
    };
    let function = facts.resolve_function(&check.target)?;
    let summary = function.summary;
    if !summary.is_async || summary.opaque_decorator || summary.is_property {
        return None;
    }
    let mismatch = match usage {
        IterationUse::SyncFor | IterationUse::Await => summary.is_generator,
        // An abstract/protocol stub may be implemented as an async generator in a subclass.
        IterationUse::AsyncFor => !summary.is_generator && !summary.trivial_body,
    };
    if !mismatch {
        return None;
    }
    let location = facts.location(&function, summary.offset);
    let display = crate::project::snippet::callee_call(file.text(), *callee);
    let (message, help) = messages(*usage, &display, Some(&location));
    let rule = Rule::AsyncIterationMismatch;
    Some(
        Diagnostic::new(rule.code(), rule.name(), message, check.range, file.clone())
            .with_help(help),
    )
}
