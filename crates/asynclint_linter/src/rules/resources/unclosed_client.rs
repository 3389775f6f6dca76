//! ## What it does
//! Reports an `aiohttp.ClientSession(...)`, `httpx.AsyncClient(...)` or
//! `asyncpg.create_pool(...)` assigned to a local variable that the function never closes
//! and never hands to anyone who could: it is not used with `async with`, not returned or
//! yielded, not stored (on `self`, in a global or a collection), not passed to another call,
//! and `.close()`/`.aclose()` is never called on it.
//!
//! ## Why is this bad?
//! These objects own a pool of open sockets. Nothing closes them when the variable goes out
//! of scope: the connections stay open until the garbage collector finalises the object,
//! which may be much later or never (reference cycles, interpreter shutdown). aiohttp then
//! logs `Unclosed client session` / `Unclosed connector`, servers see connections that are
//! never shut down cleanly, and a function called per request leaks file descriptors until
//! the process hits its limit. An asyncpg pool left open also keeps its server-side
//! connections (and their memory) alive.
//!
//! ## Example
//! ```python
//! async def fetch_status(url):
//!     session = aiohttp.ClientSession()
//!     async with session.get(url) as response:
//!         return response.status
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch_status(url):
//!     async with aiohttp.ClientSession() as session:
//!         async with session.get(url) as response:
//!             return response.status
//! ```
//!
//! Not reported: `async with aiohttp.ClientSession() as session:` and `async with session:`;
//! a client that is returned, yielded, stored on `self` or in a global, aliased, passed to a
//! call (`AsyncExitStack.enter_async_context(session)`, `Api(session)`), or used by a nested
//! function; any function that calls `session.close()`/`client.aclose()`/`pool.close()` (or
//! registers it as a callback); `del session` (an explicit hand-over to the finaliser);
//! module-level clients; test modules (`test_*.py`, `*_test.py`, `conftest.py`) and
//! constructors under `pytest.raises(...)`.
//!
//! ## References
//! - [aiohttp: Client session ("Don't create a session per request"; closing)](https://docs.aiohttp.org/en/stable/client_reference.html#client-session)
//! - [aiohttp: Graceful shutdown](https://docs.aiohttp.org/en/stable/client_advanced.html#graceful-shutdown)
//! - [HTTPX: Async client (`async with httpx.AsyncClient()` / `await client.aclose()`)](https://www.python-httpx.org/async/#opening-and-closing-clients)
//! - [asyncpg: Connection pools](https://magicstack.github.io/asyncpg/current/api/index.html#connection-pools)

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::resource_helpers::local_uses;
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::resources::context_managers::expects_failure;
use crate::rules::testing::helpers::in_test_module;
use crate::semantic::{BindingKind, ScopeKind};

struct Client {
    display: &'static str,
    /// What closes it, for the message.
    close: &'static str,
    consequence: &'static str,
    help: &'static str,
}

const AIOHTTP: Client = Client {
    display: "aiohttp.ClientSession",
    close: "await {}.close()",
    consequence: "its connector's sockets leak and aiohttp reports \"Unclosed client session\"",
    help: "Use `async with aiohttp.ClientSession() as session:`, or `await session.close()` in a `finally:` block",
};
const HTTPX: Client = Client {
    display: "httpx.AsyncClient",
    close: "await {}.aclose()",
    consequence: "its pooled connections stay open until the object is garbage-collected",
    help: "Use `async with httpx.AsyncClient() as client:`, or `await client.aclose()` in a `finally:` block",
};
const ASYNCPG: Client = Client {
    display: "asyncpg.Pool",
    close: "await {}.close()",
    consequence: "its server connections stay open until the process exits",
    help: "Use `async with asyncpg.create_pool(...) as pool:`, or `await pool.close()` in a `finally:` block",
};

const CLIENTS: &[(&str, &Client)] = &[
    ("aiohttp.ClientSession", &AIOHTTP),
    ("aiohttp.client.ClientSession", &AIOHTTP),
    ("httpx.AsyncClient", &HTTPX),
    ("httpx._client.AsyncClient", &HTTPX),
    ("asyncpg.create_pool", &ASYNCPG),
    ("asyncpg.pool.create_pool", &ASYNCPG),
];

const CLOSERS: &[&str] = &[
    "close",
    "aclose",
    "terminate",
    "detach",
    "__aenter__",
    "__aexit__",
];

pub(crate) fn unclosed_client(checker: &mut Checker, site: &CallSite) {
    let Some(qualified) = site.qualified else {
        return;
    };
    let Some((_, client)) = CLIENTS.iter().find(|(q, _)| *q == qualified) else {
        return;
    };
    // Tests create clients to check construction or the "unclosed" warning itself, and a
    // constructor under `pytest.raises` never returns.
    if in_test_module(checker) || expects_failure(checker) {
        return;
    }
    let Some(name) = assigned_local(checker, site.call.range()) else {
        return;
    };
    if !matches!(
        checker.semantic.current_scope_kind(),
        ScopeKind::Function { .. }
    ) {
        return;
    }
    let Some(bindings) = checker.semantic.local_bindings(name) else {
        return;
    };
    if bindings
        .iter()
        .any(|b| matches!(b.kind, BindingKind::Global | BindingKind::Nonlocal))
    {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let uses = local_uses(&function.def.body, name, CLOSERS, &[]);
    if uses.escapes || uses.closed || uses.used_as_context_manager {
        return;
    }
    let close = client.close.replace("{}", name);
    checker.report(
        Rule::UnclosedClient,
        format!(
            "`{name}` holds an `{}` that is never closed: it is not used with `async with`, returned, stored or passed on, and `{close}` is never called, so {}",
            client.display, client.consequence
        ),
        client.help,
        site.call.range(),
        None,
    );
}

/// `name = Client(...)` / `name = await create_pool(...)` / `name: T = Client(...)`.
fn assigned_local<'a>(checker: &Checker<'a>, call: TextRange) -> Option<&'a str> {
    let value = match checker.parent_expression() {
        None => call,
        Some(Expr::Await(await_expr)) if await_expr.value.range() == call => await_expr.range(),
        Some(_) => return None,
    };
    match checker.current_statement()? {
        Stmt::Assign(assign) if assign.value.range() == value => match assign.targets.as_slice() {
            [Expr::Name(name)] => Some(name.id.as_str()),
            _ => None,
        },
        Stmt::AnnAssign(assign) if assign.value.as_deref().map(Ranged::range) == Some(value) => {
            match &*assign.target {
                Expr::Name(name) => Some(name.id.as_str()),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{LinterSettings, Rule, lint_str};

    const SOURCE: &str = "
import aiohttp

async def test_not_closed(url):
    session = aiohttp.ClientSession()
    await session.get(url)
";

    #[test]
    fn test_modules_are_exempt() {
        let settings = LinterSettings::for_rules([Rule::UnclosedClient]);
        assert_eq!(lint_str(Path::new("client.py"), SOURCE, &settings).len(), 1);
        for name in ["test_client.py", "client_test.py", "conftest.py"] {
            assert!(
                lint_str(Path::new(name), SOURCE, &settings).is_empty(),
                "{name}"
            );
        }
    }
}
