//! ## What it does
//! Reports synchronous HTTP requests made directly in an `async def`: the `requests` module
//! functions and `requests.Session` methods, `urllib.request.urlopen`/`urlretrieve`, `urllib3`
//! (`urllib3.request`, `PoolManager`/`ProxyManager`/connection-pool `request`/`urlopen`), the
//! `httpx` module functions and sync `httpx.Client` methods, and `http.client`
//! `HTTPConnection`/`HTTPSConnection` `request`/`getresponse`/`connect`/`endheaders`.
//!
//! Methods are only reported when the receiver is known to be one of these clients: built
//! from the constructor in the same function or module (`s = requests.Session()`,
//! `with httpx.Client() as c`), assigned in `__init__` (`self.session = requests.Session()`),
//! annotated (`session: requests.Session`), or chained (`requests.Session().get(...)`).
//! Building a client (`requests.Session()`, `httpx.Client()`, `urllib3.PoolManager()`) does
//! no I/O and is not reported.
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. A synchronous HTTP client holds
//! that thread for the whole request: DNS resolution, the TCP and TLS handshakes, sending the
//! body, and waiting for the server, often hundreds of milliseconds and, without a timeout,
//! forever. Meanwhile no other task runs: other requests are not served, timers fire late and
//! heartbeats are missed. An asyncio client (`httpx.AsyncClient`, `aiohttp.ClientSession`)
//! awaits the socket instead, so the loop serves other tasks while the response is on its way.
//!
//! ## Example
//! ```python
//! import requests
//!
//! async def fetch_user(user_id):
//!     response = requests.get(f"https://api.example.com/users/{user_id}", timeout=10)
//!     return response.json()
//! ```
//!
//! Use instead:
//! ```python
//! import httpx
//!
//! async def fetch_user(client: httpx.AsyncClient, user_id):
//!     response = await client.get(f"https://api.example.com/users/{user_id}", timeout=10)
//!     return response.json()
//! ```
//!
//! When the sync library must stay, run the call in a thread:
//! `await asyncio.to_thread(requests.get, url, timeout=10)`.
//!
//! Not reported: methods of `httpx.AsyncClient` and `aiohttp.ClientSession` (awaited), calls in
//! a nested `def` or `lambda` (not async context), functions passed to `asyncio.to_thread` or
//! `loop.run_in_executor` rather than called, and `get`/`post` methods of objects whose kind is
//! unknown.
//!
//! ## Options
//! - `allowed-blocking-calls`: callees never reported, by qualified name
//!   (`requests.get`) or method path (`requests.Session().get`).
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [HTTPX: Async support](https://www.python-httpx.org/async/)
//! - [aiohttp: Client quickstart](https://docs.aiohttp.org/en/stable/client_quickstart.html)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

use super::helpers::{BlockingEntry, lookup, report_blocking};

const ASYNC_CLIENT: &str = "an asyncio HTTP client: `await client.get(...)` on an `httpx.AsyncClient` or `aiohttp.ClientSession`, or `await asyncio.to_thread(...)`";
const HTTPX_ASYNC: &str = "`httpx.AsyncClient` and `await client.get(...)` (same API, awaited), or `await asyncio.to_thread(...)`";
const URLLIB: &str = "an asyncio HTTP client (`httpx.AsyncClient`, `aiohttp.ClientSession`), or `await asyncio.to_thread(...)`";
const HTTP_CLIENT: &str = "an asyncio HTTP client (`httpx.AsyncClient`, `aiohttp.ClientSession`), or move the exchange into a function run with `await asyncio.to_thread(...)`";

const fn entry(pattern: &'static str, alternative: &'static str) -> BlockingEntry {
    BlockingEntry {
        pattern,
        alternative,
    }
}

/// Module-level functions that perform a request.
const FUNCTIONS: &[BlockingEntry] = &[
    entry("requests.get", ASYNC_CLIENT),
    entry("requests.post", ASYNC_CLIENT),
    entry("requests.put", ASYNC_CLIENT),
    entry("requests.patch", ASYNC_CLIENT),
    entry("requests.delete", ASYNC_CLIENT),
    entry("requests.head", ASYNC_CLIENT),
    entry("requests.options", ASYNC_CLIENT),
    entry("requests.request", ASYNC_CLIENT),
    entry("requests.api.get", ASYNC_CLIENT),
    entry("requests.api.post", ASYNC_CLIENT),
    entry("requests.api.put", ASYNC_CLIENT),
    entry("requests.api.patch", ASYNC_CLIENT),
    entry("requests.api.delete", ASYNC_CLIENT),
    entry("requests.api.head", ASYNC_CLIENT),
    entry("requests.api.options", ASYNC_CLIENT),
    entry("requests.api.request", ASYNC_CLIENT),
    entry("httpx.get", HTTPX_ASYNC),
    entry("httpx.post", HTTPX_ASYNC),
    entry("httpx.put", HTTPX_ASYNC),
    entry("httpx.patch", HTTPX_ASYNC),
    entry("httpx.delete", HTTPX_ASYNC),
    entry("httpx.head", HTTPX_ASYNC),
    entry("httpx.options", HTTPX_ASYNC),
    entry("httpx.request", HTTPX_ASYNC),
    entry("httpx.stream", HTTPX_ASYNC),
    entry("urllib.request.urlopen", URLLIB),
    entry("urllib.request.urlretrieve", URLLIB),
    entry("urllib3.request", ASYNC_CLIENT),
];

/// Clients whose construction does no I/O but whose methods below send requests.
const REQUESTS_SESSIONS: &[&str] = &[
    "requests.Session()",
    "requests.session()",
    "requests.sessions.Session()",
    "requests.sessions.session()",
];
const REQUESTS_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send",
];

const HTTPX_CLIENTS: &[&str] = &["httpx.Client()"];
const HTTPX_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream",
];

const URLLIB3_POOLS: &[&str] = &[
    "urllib3.PoolManager()",
    "urllib3.ProxyManager()",
    "urllib3.HTTPConnectionPool()",
    "urllib3.HTTPSConnectionPool()",
    "urllib3.connection_from_url()",
    "urllib3.poolmanager.PoolManager()",
    "urllib3.poolmanager.ProxyManager()",
    "urllib3.connectionpool.HTTPConnectionPool()",
    "urllib3.connectionpool.HTTPSConnectionPool()",
];
const URLLIB3_METHODS: &[&str] = &[
    "request",
    "urlopen",
    "request_encode_url",
    "request_encode_body",
];

const HTTP_CONNECTIONS: &[&str] = &[
    "http.client.HTTPConnection()",
    "http.client.HTTPSConnection()",
];
const HTTP_CONNECTION_METHODS: &[&str] = &["request", "getresponse", "connect", "endheaders"];

const URLLIB_OPENERS: &[&str] = &[
    "urllib.request.build_opener()",
    "urllib.request.OpenerDirector()",
];
const URLLIB_OPENER_METHODS: &[&str] = &["open"];

/// (receiver kinds, methods, alternative)
const CLIENT_METHODS: &[(&[&str], &[&str], &str)] = &[
    (REQUESTS_SESSIONS, REQUESTS_METHODS, ASYNC_CLIENT),
    (HTTPX_CLIENTS, HTTPX_METHODS, HTTPX_ASYNC),
    (URLLIB3_POOLS, URLLIB3_METHODS, ASYNC_CLIENT),
    (HTTP_CONNECTIONS, HTTP_CONNECTION_METHODS, HTTP_CLIENT),
    (URLLIB_OPENERS, URLLIB_OPENER_METHODS, URLLIB),
];

pub(crate) fn blocking_http_call(checker: &mut Checker, site: &CallSite) {
    const REQUEST: &str = "makes a synchronous HTTP request";
    if let Some((entry, matched)) = lookup(FUNCTIONS, site) {
        report_blocking(
            checker,
            Rule::BlockingHttpCall,
            site,
            &matched,
            REQUEST,
            entry.alternative,
        );
        return;
    }
    let (Some(kind), Some(method)) = (site.receiver_kind, site.method_name()) else {
        return;
    };
    let Some((_, _, alternative)) = CLIENT_METHODS
        .iter()
        .find(|(kinds, methods, _)| kinds.contains(&kind) && methods.contains(&method))
    else {
        return;
    };
    let matched = format!("{kind}.{method}");
    let what = if method == "connect" {
        "opens a synchronous HTTP connection"
    } else {
        REQUEST
    };
    report_blocking(
        checker,
        Rule::BlockingHttpCall,
        site,
        &matched,
        what,
        alternative,
    );
}
