//! ## What it does
//! Reports `await` on a call that cannot return an awaitable. Two kinds of calls are known:
//!
//! - a catalogued synchronous library call: `await time.sleep(1)`, `await requests.get(url)`,
//!   `await open(path)`, `await subprocess.run(...)`, `await os.path.exists(p)`,
//!   `await shutil.rmtree(p)`, `await socket.getaddrinfo(...)`, `await sqlite3.connect(p)`, and
//!   methods of objects built in scope such as `requests.Session().get`, `httpx.Client().get`,
//!   `pathlib.Path(...).read_text`, `subprocess.Popen(...).wait`, `threading.Lock().acquire`;
//! - a plain `def` of your project (through imports, aliases, re-exports, `self.`/`cls.` methods
//!   and classes instantiated in the function) that never returns a value: no `return <expr>`,
//!   no `yield`, no decorator.
//!
//! ## Why is this bad?
//! `await` needs an awaitable (a coroutine, task, future, or an object with `__await__`). A
//! synchronous function runs to completion *before* `await` looks at its result, so the event
//! loop is blocked for the whole call (a sleep, an HTTP request, a disk read), and then `await`
//! raises `TypeError: object NoneType can't be used in 'await' expression` (or `Response`,
//! `bool`, ...). It usually means the code was written for an async API (`asyncio.sleep`,
//! `httpx.AsyncClient`, `aiofiles`) but calls the synchronous one, or a helper was turned back
//! into a plain `def` while a caller still awaits it.
//!
//! ## Example
//! ```python
//! import time
//!
//! def flush_cache(): ...  # returns nothing
//!
//! async def worker():
//!     await time.sleep(1)
//!     await flush_cache()
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//!
//! async def worker():
//!     await asyncio.sleep(1)
//!     flush_cache()
//! ```
//!
//! Not reported: project functions that have a `return <expr>` (they may return an awaitable),
//! generators, decorated functions (the decorator may make them async), properties, stub bodies
//! (`...`, `pass`, `raise NotImplementedError`: an interface whose overrides may be async),
//! `.pyi` stubs, and methods on objects of unknown kind.
//!
//! ## References
//! - [The `await` expression](https://docs.python.org/3/reference/expressions.html#await)
//! - [Awaitable objects](https://docs.python.org/3/reference/datamodel.html#awaitable-objects)
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

use super::helpers::{call_text, defer, is_instance_attribute_call};
use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts};
use crate::registry::Rule;
use crate::rules::blocking::helpers::{BlockingEntry, display_name, lookup};

const SLEEP: &str = "`await asyncio.sleep(...)`";
const HTTP: &str = "an asyncio HTTP client: `await client.get(...)` on an `httpx.AsyncClient` or `aiohttp.ClientSession`";
const SUBPROCESS: &str =
    "`await asyncio.create_subprocess_exec(...)` and `await proc.wait()`/`proc.communicate()`";
const FILES: &str = "`aiofiles`/`anyio` (`async with aiofiles.open(...)`, `await anyio.Path(...).read_text()`), or `await asyncio.to_thread(...)`";
const FILESYSTEM: &str =
    "`aiofiles.os`/`anyio.Path`, or `await asyncio.to_thread(...)` around the synchronous call";
const NETWORK: &str = "`await asyncio.open_connection(...)` or `await loop.getaddrinfo(...)`";
const SQLITE: &str = "`aiosqlite` (`async with aiosqlite.connect(...)`, `await conn.execute(...)`), or `await asyncio.to_thread(...)`";
const THREADING: &str = "the asyncio primitive (`asyncio.Lock`, `asyncio.Event`, ...), or `await asyncio.to_thread(...)`";
const INPUT: &str = "`await asyncio.to_thread(input, prompt)`";

const fn entry(pattern: &'static str, alternative: &'static str) -> BlockingEntry {
    BlockingEntry {
        pattern,
        alternative,
    }
}

/// Synchronous calls whose result is never awaitable (`None`, `bool`, a response, a file...).
/// Calls returning arbitrary user objects (`queue.Queue().get`, `Future.result`) are left out:
/// the object could be awaitable.
const CATALOG: &[BlockingEntry] = &[
    entry("time.sleep", SLEEP),
    entry("requests.get", HTTP),
    entry("requests.post", HTTP),
    entry("requests.put", HTTP),
    entry("requests.patch", HTTP),
    entry("requests.delete", HTTP),
    entry("requests.head", HTTP),
    entry("requests.options", HTTP),
    entry("requests.request", HTTP),
    entry("requests.Session().get", HTTP),
    entry("requests.Session().post", HTTP),
    entry("requests.Session().put", HTTP),
    entry("requests.Session().patch", HTTP),
    entry("requests.Session().delete", HTTP),
    entry("requests.Session().head", HTTP),
    entry("requests.Session().request", HTTP),
    entry("httpx.get", HTTP),
    entry("httpx.post", HTTP),
    entry("httpx.put", HTTP),
    entry("httpx.patch", HTTP),
    entry("httpx.delete", HTTP),
    entry("httpx.head", HTTP),
    entry("httpx.request", HTTP),
    entry("httpx.Client().get", HTTP),
    entry("httpx.Client().post", HTTP),
    entry("httpx.Client().put", HTTP),
    entry("httpx.Client().patch", HTTP),
    entry("httpx.Client().delete", HTTP),
    entry("httpx.Client().head", HTTP),
    entry("httpx.Client().request", HTTP),
    entry("httpx.Client().send", HTTP),
    entry("urllib.request.urlopen", HTTP),
    entry("subprocess.run", SUBPROCESS),
    entry("subprocess.call", SUBPROCESS),
    entry("subprocess.check_call", SUBPROCESS),
    entry("subprocess.check_output", SUBPROCESS),
    entry("subprocess.Popen", SUBPROCESS),
    entry("subprocess.Popen().wait", SUBPROCESS),
    entry("subprocess.Popen().communicate", SUBPROCESS),
    entry("os.system", SUBPROCESS),
    entry("builtins.open", FILES),
    entry("io.open", FILES),
    entry("shutil.copy*", FILESYSTEM),
    entry("shutil.move", FILESYSTEM),
    entry("shutil.rmtree", FILESYSTEM),
    entry("pathlib.Path().read_text", FILES),
    entry("pathlib.Path().read_bytes", FILES),
    entry("pathlib.Path().write_text", FILES),
    entry("pathlib.Path().write_bytes", FILES),
    entry("os.path.exists", FILESYSTEM),
    entry("os.path.isfile", FILESYSTEM),
    entry("os.path.isdir", FILESYSTEM),
    entry("os.path.getsize", FILESYSTEM),
    entry("os.listdir", FILESYSTEM),
    entry("os.remove", FILESYSTEM),
    entry("os.unlink", FILESYSTEM),
    entry("os.mkdir", FILESYSTEM),
    entry("os.makedirs", FILESYSTEM),
    entry("os.rename", FILESYSTEM),
    entry("os.stat", FILESYSTEM),
    entry("pathlib.Path().exists", FILESYSTEM),
    entry("pathlib.Path().mkdir", FILESYSTEM),
    entry("pathlib.Path().unlink", FILESYSTEM),
    entry("socket.create_connection", NETWORK),
    entry("socket.getaddrinfo", NETWORK),
    entry("socket.gethostbyname", NETWORK),
    entry("sqlite3.connect", SQLITE),
    entry("sqlite3.connect().execute", SQLITE),
    entry("sqlite3.connect().commit", SQLITE),
    entry("threading.Lock().acquire", THREADING),
    entry("threading.RLock().acquire", THREADING),
    entry("threading.Semaphore().acquire", THREADING),
    entry("threading.Event().wait", THREADING),
    entry("threading.Thread().join", THREADING),
    entry("builtins.input", INPUT),
];

/// Phase 1: a call that is the operand of `await`.
pub(crate) fn await_non_awaitable(checker: &mut Checker, site: &CallSite) {
    let Some(Expr::Await(await_expr)) = checker.parent_expression() else {
        return;
    };
    if !checker.semantic.in_async_context() {
        return;
    }
    let range = await_expr.range();
    if let Some((entry, matched)) = lookup(CATALOG, site) {
        let name = display_name(checker, site, &matched);
        let call = call_text(checker, site);
        checker.report(
            Rule::AwaitNonAwaitable,
            format!(
                "`await {call}`: `{name}` is a synchronous call, not a coroutine: it runs to completion first (blocking the event loop), then `await` raises `TypeError` on its result"
            ),
            format!("Use {}", entry.alternative),
            range,
            None,
        );
        return;
    }
    let Some(target) = checker.call_target(site) else {
        return;
    };
    if is_instance_attribute_call(checker, site) {
        return;
    }
    let callee = site.call.func.range();
    defer(
        checker,
        Rule::AwaitNonAwaitable,
        range,
        target,
        DeferredKind::AwaitedCall { callee },
    );
}

fn diagnostic(
    call: &str,
    callee: &str,
    location: &str,
    range: TextRange,
    file: &Arc<SourceFile>,
) -> Diagnostic {
    Diagnostic::new(
        Rule::AwaitNonAwaitable.code(),
        Rule::AwaitNonAwaitable.name(),
        format!(
            "`await {call}`: `{callee}` is a plain `def` ({location}) that never returns a value, so the call runs synchronously and `await None` raises `TypeError`"
        ),
        range,
        file.clone(),
    )
    .with_help(format!("Make `{callee}` an `async def`, or call it without `await`"))
}

/// Phase 2: report when the target is a project sync function that returns nothing.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::AwaitedCall { callee } = &check.kind else {
        return None;
    };
    let function = facts.resolve_function(&check.target)?;
    let f = function.summary;
    if f.is_async
        || f.is_generator
        || f.returns_value
        || f.opaque_decorator
        || f.is_property
        || f.trivial_body
    {
        return None;
    }
    // A stub file describes an interface; its bodies are never the implementation.
    if function.module_path.extension().is_some_and(|e| e == "pyi") {
        return None;
    }
    // The texts only once the verdict is in (most checks end above).
    let callee = crate::project::snippet::callee(file.text(), *callee);
    // The check is anchored on the `await` expression; the message shows the call.
    let call = crate::project::snippet::short(file.text(), check.range, 66)
        .map(|text| {
            text.strip_prefix("await")
                .map_or(text.clone(), |t| t.trim_start().to_string())
        })
        .filter(|text| text.len() <= 60)
        .unwrap_or_else(|| format!("{callee}(...)"));
    let location = facts.location(&function, f.offset);
    Some(diagnostic(&call, &callee, &location, check.range, file))
}
