//! ## What it does
//! Reports network operations awaited with no timeout anywhere around them:
//! - `await asyncio.open_connection(...)` / `asyncio.open_unix_connection(...)`;
//! - `await reader.read(...)`, `readline()`, `readexactly(...)`, `readuntil(...)` on the
//!   `StreamReader` returned by `open_connection` in the same function;
//! - `await ws.recv()` on a connection opened with `websockets.connect(...)` in the same
//!   function (outside a receive loop), and `websockets.connect(..., open_timeout=None)`;
//!
//! when the function has no enclosing `async with asyncio.timeout(...)`/`timeout_at(...)`,
//! `async_timeout.timeout(...)`, `with anyio.fail_after(...)`/`move_on_after(...)` (or a
//! cancel scope with a `deadline=`), the call is not wrapped in `asyncio.wait_for(...)`, and
//! it gets no `timeout=` argument.
//!
//! ## Why is this bad?
//! asyncio streams have no timeouts of their own. Connecting to a host that drops packets
//! waits for the operating system's TCP connect timeout (minutes); a read from a peer that
//! stopped sending without closing the connection (a crashed device, a NAT that forgot the
//! mapping, a half-open TCP connection) waits forever, because TCP only notices a dead peer
//! when it sends something. The awaiting task never finishes, holds its socket and whatever
//! it guards (a lock, a pool slot, the request that is waiting for it), and shutdown can hang
//! on it.
//!
//! ## Example
//! ```python
//! async def query(host, port, request):
//!     reader, writer = await asyncio.open_connection(host, port)
//!     writer.write(request)
//!     return await reader.readline()
//! ```
//!
//! Use instead:
//! ```python
//! async def query(host, port, request):
//!     async with asyncio.timeout(10):
//!         reader, writer = await asyncio.open_connection(host, port)
//!         writer.write(request)
//!         return await reader.readline()
//! ```
//!
//! Not reported: `await asyncio.wait_for(reader.read(100), 5)` and calls inside any timeout
//! scope of the function (also a timeout imported under one name from `asyncio` or
//! `async_timeout` depending on the Python version); calls forwarding `**kwargs`;
//! `open_connection(sock=...)`, which wraps a socket that is already connected; readers whose
//! origin is not an `open_connection` call of the same function (a caller may bound them);
//! test modules (`test_*.py`, `*_test.py`, `conftest.py`), which talk to in-process servers; `websockets.connect(...)` without `open_timeout=None`
//! (the library bounds the opening handshake to 10 seconds by default), and `ws.recv()` in a
//! loop (a receive loop waits for the next message by design; the library's keepalive pings
//! close a connection whose peer is gone).
//!
//! ## References
//! - [asyncio Streams](https://docs.python.org/3/library/asyncio-stream.html)
//! - [`asyncio.timeout`](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)
//! - [websockets: `connect`](https://websockets.readthedocs.io/en/stable/reference/asyncio/client.html)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::timeout_scopes::{in_loop, in_timeout_scope};
use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::testing::helpers::in_test_module;
use crate::semantic::Lookup;

const OPEN_CONNECTION: &[&str] = &[
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.streams.open_connection",
    "asyncio.streams.open_unix_connection",
];

const WEBSOCKETS_CONNECT: &[&str] = &[
    "websockets.connect",
    "websockets.client.connect",
    "websockets.asyncio.client.connect",
    "websockets.legacy.client.connect",
];

const STREAM_READS: &[&str] = &["read", "readline", "readexactly", "readuntil"];

const HELP: &str = "Bound the operation: `async with asyncio.timeout(...)` around it, or `asyncio.wait_for(..., timeout)`";

pub(crate) fn network_await_without_timeout(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let Expr::Call(call) = &*await_expr.value else {
        return;
    };
    // `**kwargs` may carry a timeout; `sock=` wraps an already connected socket.
    let skip_argument = call.arguments.keywords.iter().any(|k| {
        k.arg.is_none()
            || k.arg
                .as_ref()
                .is_some_and(|a| matches!(a.as_str(), "timeout" | "sock"))
    });
    if skip_argument || in_test_module(checker) {
        return;
    }
    let Some(message) = operation(checker, call) else {
        return;
    };
    if in_timeout_scope(checker) {
        return;
    }
    checker.report(
        Rule::NetworkAwaitWithoutTimeout,
        message,
        HELP,
        await_expr.range(),
        None,
    );
}

/// What the awaited call is, as the start of the message, when it is a catalogued network
/// operation.
fn operation(checker: &Checker, call: &ast::ExprCall) -> Option<String> {
    if let Some(q) = checker.semantic.resolve_qualified_name(&call.func) {
        if OPEN_CONNECTION.contains(&q.as_str()) {
            return Some(format!(
                "`{}(...)` is awaited without a timeout: connecting to a host that drops packets waits for the operating system's TCP timeout, minutes during which the task is stuck",
                q.replace("asyncio.streams.", "asyncio.")
            ));
        }
        if WEBSOCKETS_CONNECT.contains(&q.as_str()) {
            let disabled = call.arguments.keywords.iter().any(|k| {
                k.arg.as_ref().is_some_and(|a| a.as_str() == "open_timeout")
                    && k.value.is_none_literal_expr()
            });
            return disabled.then(|| {
                "`websockets.connect(..., open_timeout=None)` is awaited without a timeout: the opening handshake with an unresponsive server can wait forever".to_string()
            });
        }
        return None;
    }
    let Expr::Attribute(attr) = &*call.func else {
        return None;
    };
    let method = attr.attr.as_str();
    let receiver = short(checker, &attr.value);
    if STREAM_READS.contains(&method) && is_open_connection_reader(checker, &attr.value) {
        return Some(format!(
            "`{receiver}.{method}()` on a stream from `asyncio.open_connection` is awaited without a timeout: a peer that stops sending without closing the connection leaves the task waiting forever"
        ));
    }
    if method == "recv" && call.arguments.is_empty() && !in_loop(checker) {
        let kind = checker.semantic.object_kind(&attr.value)?;
        let class = kind
            .strip_prefix("await ")
            .unwrap_or(&kind)
            .strip_suffix("()")?;
        if WEBSOCKETS_CONNECT.contains(&class) {
            return Some(format!(
                "`{receiver}.recv()` on a websocket from `websockets.connect` is awaited without a timeout: if the server never answers, the task waits forever"
            ));
        }
    }
    None
}

fn short<'a>(checker: &Checker<'a>, expr: &Expr) -> &'a str {
    let text = checker.source_of(expr.range());
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "reader"
    }
}

/// Is `receiver` (a local name bound once, or `self.attr`) the first target of
/// `reader, writer = await asyncio.open_connection(...)` in the current function?
fn is_open_connection_reader(checker: &Checker, receiver: &Expr) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let target = match receiver {
        Expr::Name(name) => {
            let Lookup::Found([binding]) = checker.semantic.lookup(name.id.as_str()) else {
                return false;
            };
            ReaderTarget::Binding(binding.range)
        }
        Expr::Attribute(attr) if matches!(&*attr.value, Expr::Name(base) if checker.semantic.is_self_name(base.id.as_str())) => {
            ReaderTarget::SelfAttribute(attr.attr.as_str())
        }
        _ => return false,
    };
    let mut finder = ReaderFinder {
        checker,
        target,
        found: false,
    };
    finder.visit_body(&function.def.body);
    finder.found
}

#[derive(Clone, Copy)]
enum ReaderTarget<'n> {
    /// The range of the name in its (only) binding.
    Binding(TextRange),
    SelfAttribute(&'n str),
}

struct ReaderFinder<'c, 'a, 'n> {
    checker: &'c Checker<'a>,
    target: ReaderTarget<'n>,
    found: bool,
}

impl ReaderFinder<'_, '_, '_> {
    fn matches_target(&self, first: &Expr) -> bool {
        match (self.target, first) {
            (ReaderTarget::Binding(range), Expr::Name(name)) => name.range == range,
            (ReaderTarget::SelfAttribute(attribute), Expr::Attribute(attr)) => {
                attr.attr.as_str() == attribute
                    && matches!(&*attr.value, Expr::Name(base)
                        if self.checker.semantic.is_self_name(base.id.as_str()))
            }
            _ => false,
        }
    }
}

impl<'a> Visitor<'a> for ReaderFinder<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Assign(assign) => {
                let first = match assign.targets.as_slice() {
                    [Expr::Tuple(tuple)] => tuple.elts.first(),
                    [Expr::List(list)] => list.elts.first(),
                    _ => None,
                };
                if let Some(first) = first
                    && self.matches_target(first)
                    && let Expr::Await(awaited) = &*assign.value
                    && let Expr::Call(call) = &*awaited.value
                    && self
                        .checker
                        .semantic
                        .resolve_qualified_name(&call.func)
                        .is_some_and(|q| OPEN_CONNECTION.contains(&q.as_str()))
                {
                    self.found = true;
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}
