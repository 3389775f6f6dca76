//! ## What it does
//! Reports a `for` loop in an `async def` whose body is nothing but one awaited call that
//! depends on the loop variable, with the result either ignored or appended to a list:
//!
//! ```python
//! for url in urls:
//!     pages.append(await fetch(url))
//! ```
//!
//! The rule is strict about "no dependency between iterations": it only fires when the body
//! is exactly that one statement, the awaited call takes the loop variable (as an argument, or
//! as the object whose method is called: `await device.refresh()`), and the call does not read the
//! list being filled. Any other statement (a `try`, an `if`, a `break`, a rate-limit
//! `asyncio.sleep`), a use of an earlier result, or an `else:` clause means the iterations may
//! depend on each other, and nothing is reported.
//!
//! ## Why is this bad?
//! `await` suspends the loop until the call completes, so the iterations run strictly one after
//! another: with 100 URLs and 200 ms each, the loop takes 20 s although the requests are
//! independent and the event loop sits idle while waiting. Started together, they would take
//! about as long as the slowest one.
//!
//! ## Example
//! ```python
//! async def fetch_all(urls):
//!     pages = []
//!     for url in urls:
//!         pages.append(await fetch(url))
//!     return pages
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch_all(urls):
//!     limit = asyncio.Semaphore(10)
//!
//!     async def bounded(url):
//!         async with limit:
//!             return await fetch(url)
//!
//!     return await asyncio.gather(*(bounded(url) for url in urls))
//! ```
//!
//! or spawn the calls with `tg.create_task(...)` in an `asyncio.TaskGroup`. Bound the
//! concurrency (a `Semaphore`) when the input can be large.
//!
//! Not reported, because the calls may well have to run in order or gain nothing from running
//! together:
//! - methods called on one fixed object (`await self.send(msg)`, `await db.execute(query)`,
//!   `await queue.put(item)`: one connection, one stream, one ordering), except request
//!   methods of a known HTTP client session (`httpx.AsyncClient`, `aiohttp.ClientSession`);
//! - methods of the loop variable unless named for working on that one object (`refresh`,
//!   `update`, `fetch`, `load`, `start`, `connect`, `delete`, `get`, ...): handlers,
//!   listeners and signals are called in order (`handler.call(...)`,
//!   `trace.send_request_start(...)`), and teardown (`close`, `aclose`, `stop`, `shutdown`,
//!   `unload`, ...) is mostly local, quick, and often ordered on purpose;
//! - waiting for things that run anyway (`wait`, `wait_closed`, `join`): the total time is
//!   the longest wait either way;
//! - callees that are parameters or local variables (callbacks, `send` in ASGI, bound methods
//!   of one shared client), the loop variable itself (`for callback in callbacks`), and
//!   functions named for ordered processing (`handle_*`, `emit_*`, `notify_*`, `process_*`,
//!   `migrate_*`, ...);
//! - loops over events, messages, chunks, frames, lines, records or commands (a stream handled
//!   in the order it came);
//! - calls that also take a shared session or connection (`await save(session, item)`: one
//!   database session runs one statement at a time), or wrap a call on another object
//!   (`await run(device.send_key(key))`);
//! - asyncio/anyio/trio functions (`asyncio.sleep`, nested `gather`/`wait` batches), `async for`
//!   loops, loops whose variable is unused (repetitions, retries), and test code (files named
//!   `test_*.py`/`*_test.py`/`conftest.py`, functions named `test_*`), where the order is part
//!   of what is tested.
//!
//! This rule is off by default: sequential awaits are sometimes deliberate (to limit load on a
//! server, or to keep logs ordered) in ways no syntax shows.
//!
//! ## References
//! - [`asyncio.gather`](https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)
//! - [`asyncio.TaskGroup`](https://docs.python.org/3/library/asyncio-task.html#task-groups)
//! - [`asyncio.Semaphore`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Semaphore)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// Object kinds whose requests are independent and meant to be issued concurrently.
const CONCURRENT_CLIENTS: &[&str] = &[
    "httpx.AsyncClient()",
    "aiohttp.ClientSession()",
    "aiohttp.client.ClientSession()",
];

pub(crate) fn sequential_await_in_loop(checker: &mut Checker, for_stmt: &ast::StmtFor) {
    if for_stmt.is_async || !for_stmt.orelse.is_empty() || !checker.semantic.in_async_context() {
        return;
    }
    let [stmt] = for_stmt.body.as_slice() else {
        return;
    };
    let mut loop_vars = Vec::new();
    if !collect_targets(&for_stmt.target, &mut loop_vars) {
        return;
    }
    let Stmt::Expr(expr_stmt) = stmt else {
        return;
    };
    // `await f(x)` or `acc.append(await f(x))`.
    let (awaited, accumulator) = match &*expr_stmt.value {
        Expr::Await(await_expr) => (&*await_expr.value, None),
        Expr::Call(append) => {
            let Expr::Attribute(method) = &*append.func else {
                return;
            };
            let Expr::Name(acc) = &*method.value else {
                return;
            };
            let [Expr::Await(await_expr)] = append.arguments.args.as_ref() else {
                return;
            };
            if method.attr.as_str() != "append"
                || !append.arguments.keywords.is_empty()
                || loop_vars.contains(&acc.id.as_str())
            {
                return;
            }
            (&*await_expr.value, Some(acc.id.as_str()))
        }
        _ => return,
    };
    let Expr::Call(call) = awaited else {
        return;
    };
    if loop_vars
        .iter()
        .any(|v| STREAM_ITEMS.contains(&v.trim_start_matches('_')))
        || !independent_callee(checker, call, &loop_vars)
        || shared_argument(call, &loop_vars)
        || in_test_code(checker)
    {
        return;
    }
    // The call must depend on the loop variable and not on the results gathered so far.
    let mut names = NameLoads::default();
    names.visit_arguments(&call.arguments);
    names.visit_expr(&call.func);
    if accumulator.is_some_and(|acc| names.loads.contains(&acc)) {
        return;
    }
    let receiver_is_loop_var = matches!(&*call.func, Expr::Attribute(attr)
        if matches!(&*attr.value, Expr::Name(n) if loop_vars.contains(&n.id.as_str())));
    let mut args = NameLoads::default();
    args.visit_arguments(&call.arguments);
    if !receiver_is_loop_var && !args.loads.iter().any(|n| loop_vars.contains(n)) {
        return;
    }
    // Nested awaits in the arguments (`await f(await g(x))`) are a chain, still independent,
    // but keep the rule to the plain shape.
    if names.awaits {
        return;
    }
    let callee = short(checker, call.func.range()).unwrap_or("the callee");
    let iter = short(checker, for_stmt.iter.range());
    let items = match iter {
        Some(iter) => format!("of `{iter}`"),
        None => "of the iterable".to_string(),
    };
    let what = if accumulator.is_some() {
        "and appends its result"
    } else {
        "and ignores its result"
    };
    checker.report(
        Rule::SequentialAwaitInLoop,
        format!(
            "Each iteration awaits `{callee}(...)` {what} before the next one starts: the calls for the items {items} are independent but run one after another, so the total time is the sum of every call"
        ),
        "Run them concurrently and bound the concurrency: `asyncio.gather(*(...))` with a `Semaphore`, or `tg.create_task(...)` in an `asyncio.TaskGroup`",
        TextRange::new(for_stmt.range().start(), for_stmt.iter.end()),
        None,
    );
}

/// Loop targets made only of names (`x`, `k, v`).
fn collect_targets<'a>(target: &'a Expr, out: &mut Vec<&'a str>) -> bool {
    match target {
        Expr::Name(name) => {
            out.push(name.id.as_str());
            true
        }
        Expr::Tuple(tuple) => tuple.elts.iter().all(|e| collect_targets(e, out)),
        Expr::List(list) => list.elts.iter().all(|e| collect_targets(e, out)),
        _ => false,
    }
}

/// Verbs of methods whose calls on different objects are independent (refreshing, closing,
/// fetching one device, connection or resource per item).
const INDEPENDENT_VERBS: &[&str] = &[
    "delete", "remove", "refresh", "update", "reload", "fetch", "load", "download", "upload",
    "pull", "start", "connect", "search", "scan", "probe", "ping", "poll", "query", "request",
    "get", "post", "turn", "toggle", "setup",
];

/// Words that mark event delivery or ordered processing: listeners and handlers are called
/// in order, events and messages are processed in the order they came, writes land in order.
const ORDERED_WORDS: &[&str] = &[
    "send",
    "emit",
    "notify",
    "handle",
    "handler",
    "dispatch",
    "trigger",
    "fire",
    "publish",
    "deliver",
    "listen",
    "register",
    "process",
    "call",
    "callback",
    "write",
    "log",
    "migrate",
    "wait",
    "join",
    "apply",
    "replay",
    "react",
    "evaluate",
    "evaluation",
    // Teardown: mostly local and quick (cancelling timers, closing sockets, waiting for
    // processes that are already exiting), and often done in a deliberate order.
    "close",
    "aclose",
    "stop",
    "shutdown",
    "disconnect",
    "teardown",
    "terminate",
    "kill",
    "unload",
    "cleanup",
    "dispose",
    "release",
];

/// Loop variables that are items of a stream, processed in order.
const STREAM_ITEMS: &[&str] = &[
    "event",
    "evt",
    "message",
    "msg",
    "chunk",
    "frame",
    "packet",
    "line",
    "record",
    "update",
    "command",
    "cmd",
    "step",
    "migration",
];

/// Arguments that are one shared connection or session: calls through it are serialised (a
/// database session cannot run two statements at once) or ordered.
const SHARED_RESOURCES: &[&str] = &[
    "session",
    "db",
    "conn",
    "connection",
    "cursor",
    "cur",
    "tx",
    "txn",
    "transaction",
    "writer",
    "stream",
    "ws",
    "websocket",
    "socket",
    "sock",
    "channel",
    "pipe",
    "pipeline",
    "queue",
];

/// `async_config_entry_first_refresh` -> `["config", "entry", "first", "refresh"]`.
fn words(name: &str) -> Vec<String> {
    let name = name.trim_start_matches('_');
    let name = name.strip_prefix("async_").unwrap_or(name);
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn is_ordered_name(name: &str) -> bool {
    words(name)
        .iter()
        .any(|w| ORDERED_WORDS.contains(&w.as_str()))
}

/// A method of the loop variable whose name says it works on that one object.
fn is_independent_method(name: &str) -> bool {
    let words = words(name);
    if words.iter().any(|w| ORDERED_WORDS.contains(&w.as_str())) {
        return false;
    }
    let first = words.first().map(String::as_str);
    let last = words.last().map(String::as_str);
    [first, last]
        .into_iter()
        .flatten()
        .any(|w| INDEPENDENT_VERBS.contains(&w))
}

/// A callee whose calls for different items can run concurrently: a function defined in the
/// project or imported (not a parameter or local callable, not an asyncio/anyio/trio helper,
/// not named for ordered processing), a method of the loop variable named for working on that
/// one object, or a request method of a known HTTP client session.
fn independent_callee(checker: &Checker, call: &ast::ExprCall, loop_vars: &[&str]) -> bool {
    let outside_async_libraries = |q: &str| {
        let module = q.split('.').next().unwrap_or("");
        !matches!(module, "asyncio" | "anyio" | "trio" | "builtins")
    };
    match &*call.func {
        Expr::Name(name) => {
            let id = name.id.as_str();
            if loop_vars.contains(&id) || is_ordered_name(id) {
                return false;
            }
            // A `def` or an import; a parameter or local variable may be any callable (a
            // callback, a bound method of one shared object: `req = http.add_role`).
            let Some(binding) = checker.semantic.unique_binding(id) else {
                return false;
            };
            match binding.kind {
                BindingKind::FunctionDef(_) => true,
                BindingKind::Import { .. } | BindingKind::FromImport { .. } => checker
                    .semantic
                    .resolve_name(id)
                    .is_some_and(|q| outside_async_libraries(&q)),
                _ => false,
            }
        }
        Expr::Attribute(attr) => {
            if matches!(&*attr.value, Expr::Name(receiver) if loop_vars.contains(&receiver.id.as_str()))
            {
                return is_independent_method(attr.attr.as_str());
            }
            if is_ordered_name(attr.attr.as_str()) {
                return false;
            }
            // `module.function(...)` through a plain `import module`: a function, not a
            // method of one shared object (`from x import db; db.execute()` may be either).
            let mut head = &*attr.value;
            while let Expr::Attribute(inner) = head {
                head = &inner.value;
            }
            if let Expr::Name(head) = head
                && let Some(binding) = checker.semantic.unique_binding(head.id.as_str())
                && matches!(binding.kind, BindingKind::Import { .. })
            {
                return checker
                    .semantic
                    .resolve_qualified_name(&call.func)
                    .is_some_and(|q| outside_async_libraries(&q));
            }
            checker
                .semantic
                .object_kind(&attr.value)
                .is_some_and(|k| CONCURRENT_CLIENTS.contains(&k.as_str()))
        }
        _ => false,
    }
}

/// Arguments that tie the iterations together: a shared session/connection, or a call of a
/// method on some other object (`await run(device.send_key(cmd))` really calls `device`).
fn shared_argument(call: &ast::ExprCall, loop_vars: &[&str]) -> bool {
    let values = call
        .arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|k| &k.value));
    for value in values {
        let value = match value {
            Expr::Starred(starred) => &*starred.value,
            other => other,
        };
        let shared = match value {
            Expr::Name(name) => {
                let id = name.id.as_str();
                !loop_vars.contains(&id) && SHARED_RESOURCES.contains(&id.trim_start_matches('_'))
            }
            Expr::Attribute(attr) => {
                SHARED_RESOURCES.contains(&attr.attr.as_str().trim_start_matches('_'))
            }
            Expr::Call(inner) => matches!(&*inner.func, Expr::Attribute(method)
                if !matches!(&*method.value, Expr::Name(n) if loop_vars.contains(&n.id.as_str()))),
            _ => false,
        };
        if shared {
            return true;
        }
    }
    false
}

/// Test code awaits in sequence on purpose: the order is part of what is tested.
fn in_test_code(checker: &Checker) -> bool {
    let file = checker.file();
    let name = file
        .path()
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    if name.starts_with("test_") || name.ends_with("_test.py") || name == "conftest.py" {
        return true;
    }
    checker
        .semantic
        .current_function()
        .is_some_and(|f| f.def.name.as_str().starts_with("test_"))
}

fn short<'a>(checker: &Checker<'a>, range: TextRange) -> Option<&'a str> {
    let text = checker.source_of(range);
    (text.len() <= 40 && !text.contains('\n')).then_some(text)
}

/// Names loaded in an expression, and whether it contains another `await`.
#[derive(Default)]
struct NameLoads<'a> {
    loads: Vec<&'a str>,
    awaits: bool,
}

impl<'a> Visitor<'a> for NameLoads<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) if name.ctx.is_load() => self.loads.push(name.id.as_str()),
            Expr::Await(_) => self.awaits = true,
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
