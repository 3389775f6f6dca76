//! ## What it does
//! Reports HTTP clients and requests that have no real timeout:
//! - `aiohttp.ClientSession(...)` constructed without `timeout=`;
//! - `aiohttp.ClientTimeout(...)` with every bound (`total`, `connect`, `sock_read`,
//!   `sock_connect`) left at `None`, e.g. `aiohttp.ClientTimeout()` or
//!   `ClientTimeout(total=None)`;
//! - `httpx.AsyncClient(timeout=None)` (also `httpx.Timeout(None)`);
//! - a request on an `aiohttp.ClientSession` or `httpx.AsyncClient` (`get`, `post`, ...,
//!   `request`, `stream`) with `timeout=None`.
//!
//! ## Why is this bad?
//! A request to a server that stops answering (a dropped connection, a stuck upstream, a
//! half-open TCP connection after a network change) waits until the timeout expires. Without a
//! deliberate timeout the coroutine that made it hangs: aiohttp's default is a 5-minute *total*
//! per request with no read timeout, and `timeout=None` / an all-`None` `ClientTimeout`
//! removes even that, so the request can wait forever. The task holds its connection, its
//! semaphore permits, the handler that awaits it, and whatever the user is waiting for; under
//! load the stuck requests pile up until the pool or the file descriptors run out. Choose a
//! timeout that fits the service.
//!
//! ## Example
//! ```python
//! async def main():
//!     async with aiohttp.ClientSession() as session:
//!         async with session.get(URL) as response:
//!             return await response.json()
//! ```
//!
//! Use instead:
//! ```python
//! TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=5, sock_read=10)
//!
//! async def main():
//!     async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
//!         async with session.get(URL) as response:
//!             return await response.json()
//! ```
//!
//! Not reported: a `ClientSession(...)` that forwards `**kwargs` or `*args` (the caller may
//! pass `timeout=`, as Home Assistant's `async_create_clientsession` helpers do);
//! `ClientSession(timeout=None)` (aiohttp falls back to its default); a session whose
//! requests pass their own `timeout=` (`session.get(url, timeout=...)` in the same class or
//! function, or anywhere in the module for a session factory that makes no request itself),
//! since per-request timeouts override the session's; a `ClientTimeout` with at least one
//! bound; a request with `timeout=None` inside an `asyncio.timeout(...)` block; other classes
//! named `ClientSession` (e.g. `mcp.ClientSession`) and synchronous clients; test modules
//! (`test_*.py`, `*_test.py`, `conftest.py`), whose clients talk to in-process servers.
//!
//! ## References
//! - [aiohttp: Timeouts](https://docs.aiohttp.org/en/stable/client_quickstart.html#timeouts)
//! - [aiohttp: `ClientTimeout`](https://docs.aiohttp.org/en/stable/client_reference.html#aiohttp.ClientTimeout)
//! - [HTTPX: Timeouts](https://www.python-httpx.org/advanced/timeouts/)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::timeout_scopes::in_timeout_scope;
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::testing::helpers::in_test_module;

const AIOHTTP_SESSION: &[&str] = &["aiohttp.ClientSession", "aiohttp.client.ClientSession"];
const AIOHTTP_TIMEOUT: &[&str] = &["aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"];
const HTTPX_ASYNC_CLIENT: &[&str] = &["httpx.AsyncClient", "httpx._client.AsyncClient"];
const HTTPX_TIMEOUT: &[&str] = &["httpx.Timeout", "httpx._config.Timeout"];

/// Request methods of `aiohttp.ClientSession` and `httpx.AsyncClient` that take `timeout=`.
const REQUEST_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
];

/// The bounds of `aiohttp.ClientTimeout`, in positional order.
const CLIENT_TIMEOUT_BOUNDS: &[&str] = &["total", "connect", "sock_read", "sock_connect"];

pub(crate) fn client_without_timeout(checker: &mut Checker, site: &CallSite) {
    // Tests talk to in-process servers and exercise the client itself.
    if in_test_module(checker) {
        return;
    }
    match site.qualified {
        Some(q) if AIOHTTP_SESSION.contains(&q) => session_without_timeout(checker, site),
        Some(q) if AIOHTTP_TIMEOUT.contains(&q) => {
            if is_unbounded_client_timeout(site.call) {
                checker.report(
                    Rule::ClientWithoutTimeout,
                    "`aiohttp.ClientTimeout` sets no bound: with `total`, `connect`, `sock_read` and `sock_connect` all `None`, a request that uses it can wait forever on a server that stops answering",
                    "Set at least `total=` (or `sock_connect=` and `sock_read=` for long downloads)",
                    site.call.range(),
                    None,
                );
            }
        }
        Some(q) if HTTPX_ASYNC_CLIENT.contains(&q) => {
            if let Some(keyword) = site.keyword("timeout")
                && is_no_timeout(checker, &keyword.value)
            {
                let value = checker.source_of(keyword.value.range());
                let value = if value.len() <= 30 { value } else { "None" };
                checker.report(
                    Rule::ClientWithoutTimeout,
                    format!("`httpx.AsyncClient(timeout={value})` disables HTTPX's 5-second default: every request of this client can wait forever on a server that stops answering"),
                    "Pass a finite timeout, e.g. `timeout=httpx.Timeout(10.0, connect=5.0)`",
                    site.call.range(),
                    None,
                );
            }
        }
        _ => request_without_timeout(checker, site),
    }
}

/// `aiohttp.ClientSession(...)` without `timeout=`.
fn session_without_timeout(checker: &mut Checker, site: &CallSite) {
    let arguments = &site.call.arguments;
    if site.keyword("timeout").is_some()
        || arguments.keywords.iter().any(|k| k.arg.is_none())
        || arguments.args.iter().any(Expr::is_starred_expr)
    {
        return;
    }
    if passes_request_timeouts(checker) {
        return;
    }
    let shown = checker.source_of(site.call.func.range());
    checker.report(
        Rule::ClientWithoutTimeout,
        format!(
            "`{shown}(...)` is created without `timeout=`: its requests get aiohttp's default of 5 minutes in total and no read timeout, so a stalled server holds the awaiting task for minutes"
        ),
        "Pass `timeout=aiohttp.ClientTimeout(total=..., sock_connect=..., sock_read=...)` sized for the service",
        site.call.range(),
        None,
    );
}

/// `session.get(url, timeout=None)` on an aiohttp session or an HTTPX async client.
fn request_without_timeout(checker: &mut Checker, site: &CallSite) {
    let (Some(kind), Some(method)) = (site.receiver_kind, site.method_name()) else {
        return;
    };
    if !REQUEST_METHODS.contains(&method) {
        return;
    }
    let Some(class) = kind.strip_suffix("()") else {
        return;
    };
    let library = if AIOHTTP_SESSION.contains(&class) {
        "aiohttp"
    } else if HTTPX_ASYNC_CLIENT.contains(&class) {
        "httpx"
    } else {
        return;
    };
    // aiohttp's `stream` is not a request method; HTTPX's is.
    if library == "aiohttp" && method == "stream" {
        return;
    }
    let Some(keyword) = site.keyword("timeout") else {
        return;
    };
    if !is_no_timeout(checker, &keyword.value) || in_timeout_scope(checker) {
        return;
    }
    let shown = checker.source_of(site.call.func.range());
    let shown = if shown.len() <= 40 && !shown.contains('\n') {
        shown
    } else {
        method
    };
    checker.report(
        Rule::ClientWithoutTimeout,
        format!(
            "`{shown}(..., timeout=None)` disables every {library} timeout for this request: it can wait forever on a server that stops answering"
        ),
        "Pass a finite timeout, or wrap the request in `async with asyncio.timeout(...)`",
        site.call.range(),
        None,
    );
}

/// `None`, `httpx.Timeout(None)`, or an all-`None` `aiohttp.ClientTimeout(...)`.
fn is_no_timeout(checker: &Checker, value: &Expr) -> bool {
    match value {
        Expr::NoneLiteral(_) => true,
        Expr::Call(call) => {
            let Some(q) = checker.semantic.resolve_qualified_name(&call.func) else {
                return false;
            };
            if AIOHTTP_TIMEOUT.contains(&q.as_str()) {
                return is_unbounded_client_timeout(call);
            }
            if HTTPX_TIMEOUT.contains(&q.as_str()) {
                // `httpx.Timeout(None)`: every bound `None`, unless a keyword sets one.
                return matches!(call.arguments.args.as_ref(), [Expr::NoneLiteral(_)])
                    && call
                        .arguments
                        .keywords
                        .iter()
                        .all(|k| k.arg.is_some() && k.value.is_none_literal_expr());
            }
            false
        }
        _ => false,
    }
}

/// `aiohttp.ClientTimeout(...)` leaving `total`, `connect`, `sock_read`, `sock_connect` at
/// `None` (their default).
fn is_unbounded_client_timeout(call: &ast::ExprCall) -> bool {
    let arguments = &call.arguments;
    if arguments.args.iter().any(Expr::is_starred_expr)
        || arguments.keywords.iter().any(|k| k.arg.is_none())
    {
        return false;
    }
    let positional_ok = arguments
        .args
        .iter()
        .take(CLIENT_TIMEOUT_BOUNDS.len())
        .all(Expr::is_none_literal_expr);
    let keywords_ok = arguments.keywords.iter().all(|k| {
        let name = k.arg.as_ref().map_or("", |a| a.as_str());
        !CLIENT_TIMEOUT_BOUNDS.contains(&name) || k.value.is_none_literal_expr()
    });
    positional_ok && keywords_ok
}

/// Do the requests pass their own `timeout=` (not `None`)? Then the session default is not
/// what bounds them: `session.get(url, timeout=self._timeout)`. Looked for in the class of
/// the method creating the session (or the function), and in the whole module when that
/// scope makes no request at all (a session factory).
fn passes_request_timeouts(checker: &Checker) -> bool {
    let scope: Option<&[ast::Stmt]> = checker.semantic.current_function().map(|f| match f.class {
        Some(class) => class.body.as_slice(),
        None => f.def.body.as_slice(),
    });
    if let Some(body) = scope {
        let finder = scan_requests(checker, body);
        if finder.with_timeout || finder.any_request {
            return finder.with_timeout;
        }
    }
    scan_requests(checker, checker.module_body()).with_timeout
}

fn scan_requests<'c, 'a>(
    checker: &'c Checker<'a>,
    body: &'a [ast::Stmt],
) -> RequestTimeoutFinder<'c, 'a> {
    let mut finder = RequestTimeoutFinder {
        checker,
        any_request: false,
        with_timeout: false,
    };
    finder.visit_body(body);
    finder
}

struct RequestTimeoutFinder<'c, 'a> {
    checker: &'c Checker<'a>,
    any_request: bool,
    with_timeout: bool,
}

impl<'a> Visitor<'a> for RequestTimeoutFinder<'_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.with_timeout {
            return;
        }
        if let Expr::Call(call) = expr
            && let Expr::Attribute(attr) = &*call.func
            && (REQUEST_METHODS.contains(&attr.attr.as_str()) || attr.attr.as_str() == "ws_connect")
            // `requests.get(..., timeout=5)` is another library's module function.
            && self
                .checker
                .semantic
                .resolve_qualified_name(&attr.value)
                .is_none()
        {
            self.any_request = true;
            if call.arguments.keywords.iter().any(|k| {
                k.arg.as_ref().is_some_and(|a| a.as_str() == "timeout")
                    && !k.value.is_none_literal_expr()
            }) {
                self.with_timeout = true;
                return;
            }
        }
        visitor::walk_expr(self, expr);
    }
}
