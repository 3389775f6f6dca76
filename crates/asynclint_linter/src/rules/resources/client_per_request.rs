//! ## What it does
//! Reports an HTTP client (`aiohttp.ClientSession`, `httpx.AsyncClient`, and the sync
//! `requests.Session`/`httpx.Client`) that is built for a single use and then dropped:
//! - inside the body of a `for`/`async for` loop or a comprehension, or
//! - inside an `async def` that takes at least one parameter (`self`/`cls` do not count),
//!   makes its requests with the client and discards it: it is neither returned, yielded,
//!   stored (on `self`, a global, a collection) nor passed to another call.
//!
//! The classic case is `async with httpx.AsyncClient() as client: return await client.get(url)`
//! inside `fetch_user(user_id)`.
//!
//! ## Why is this bad?
//! A client object *is* a connection pool. Building one per request throws the pool away after
//! one use: every call pays a new DNS lookup, TCP connect and TLS handshake, keep-alive never
//! helps, and under load the process piles up sockets in `TIME_WAIT`. The client is meant to be
//! created once (at start-up, in a lifespan hook or `__aenter__`) and shared by all requests.
//!
//! ## Example
//! ```python
//! import httpx
//!
//! async def fetch_user(user_id):
//!     async with httpx.AsyncClient() as client:
//!         response = await client.get(f"https://api.example.com/users/{user_id}")
//!         return response.json()
//! ```
//!
//! Use instead:
//! ```python
//! import httpx
//!
//! class UserApi:
//!     def __init__(self, client: httpx.AsyncClient):
//!         self.client = client
//!
//!     async def fetch_user(self, user_id):
//!         response = await self.client.get(f"https://api.example.com/users/{user_id}")
//!         return response.json()
//!
//! async def main():
//!     async with httpx.AsyncClient() as client:
//!         api = UserApi(client)
//!         ...
//! ```
//!
//! Not reported: functions without parameters and `main()`; `__aenter__`, `__init__`;
//! factories that return, yield or store the client; start-up code (functions named `main`,
//! `run`, `start*`, `setup*`, `init*`, `connect*`, `open*`, `create*`, with an optional
//! `async_` prefix, or containing `startup`/`lifespan`; functions decorated with or passed to
//! `lifespan`, `on_startup`, `on_event("startup")`, `cleanup_ctx`); pytest fixtures, test
//! functions and test modules (`test_*.py`, `*_test.py`, `conftest.py`); module-level functions
//! whose only call sites are under `if __name__ == "__main__":` (across modules); functions
//! that also accept a client (`session=None`, `client: httpx.AsyncClient | None`), where the
//! fresh one is a fallback; clients that share a pool or talk in-process through
//! `connector=`/`transport=`/`app=` (an inline `TCPConnector(...)`/`AsyncHTTPTransport(...)`
//! is still a new pool); `while` loops (usually reconnect loops around a long-lived client).
//!
//! ## Options
//! - `client-factories`: functions that legitimately create clients (`["app.http.make_client"]`;
//!   a bare function name or `Class.method` also matches).
//!
//! ## References
//! - [aiohttp: Client session](https://docs.aiohttp.org/en/stable/client_advanced.html#client-session)
//! - [HTTPX: Why use a Client?](https://www.python-httpx.org/advanced/clients/#why-use-a-client)
//! - [requests: Session objects](https://requests.readthedocs.io/en/latest/user/advanced/#session-objects)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};

use super::per_request::{self, Constructor};
use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, ProjectFacts};
use crate::registry::Rule;

const HELP: &str = "Create one client at start-up (lifespan hook, `__aenter__`, `main()`) and reuse it: pass it in or keep it on `self`; list functions that legitimately build clients in `client-factories`";

const fn client(
    qualified: &'static str,
    display: &'static str,
    shared_pool_keywords: &'static [&'static str],
) -> Constructor {
    Constructor {
        qualified,
        display,
        shared_pool_keywords,
        help: HELP,
    }
}

const CLIENTS: &[Constructor] = &[
    client(
        "aiohttp.ClientSession",
        "aiohttp.ClientSession()",
        &["connector"],
    ),
    client(
        "aiohttp.client.ClientSession",
        "aiohttp.ClientSession()",
        &["connector"],
    ),
    client(
        "httpx.AsyncClient",
        "httpx.AsyncClient()",
        &["transport", "app"],
    ),
    client("httpx.Client", "httpx.Client()", &["transport", "app"]),
    client("requests.Session", "requests.Session()", &[]),
    client("requests.session", "requests.Session()", &[]),
    client("requests.sessions.Session", "requests.Session()", &[]),
];

/// Phase 1: a client constructor call.
pub(crate) fn client_per_request(checker: &mut Checker, site: &CallSite) {
    per_request::check(checker, site, Rule::ClientPerRequest, CLIENTS);
}

/// Phase 2: report unless the function only runs from a `__main__` guard.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    per_request::settle(check, file, facts)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{LinterSettings, Rule, lint_str};

    const SOURCE: &str = "
import httpx

async def make_client(base_url):
    async with httpx.AsyncClient() as client:
        return await client.get(base_url)

class Api:
    async def fresh(self, url):
        async with httpx.AsyncClient() as client:
            return await client.get(url)
";

    fn lines(factories: &[&str]) -> Vec<usize> {
        let mut settings = LinterSettings::for_rules([Rule::ClientPerRequest]);
        settings.client_factories = factories.iter().map(ToString::to_string).collect();
        lint_str(Path::new("api.py"), SOURCE, &settings)
            .iter()
            .map(|d| d.start_location().row)
            .collect()
    }

    #[test]
    fn client_factories_silence_by_name_or_qualname() {
        // `make_*` is not a start-up name: reported unless listed.
        assert_eq!(lines(&[]), vec![5, 10]);
        assert_eq!(lines(&["make_client"]), vec![10]);
        assert_eq!(lines(&["Api.fresh"]), vec![5]);
        assert_eq!(lines(&["other.make_client"]), vec![5, 10]);
    }
}
