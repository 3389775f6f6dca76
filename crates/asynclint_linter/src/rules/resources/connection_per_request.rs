//! ## What it does
//! Reports a database or broker connection opened for a single use and then dropped:
//! `asyncpg.connect`, `aiomysql.connect`, `aiopg.connect`, `psycopg.AsyncConnection.connect`,
//! motor's `AsyncIOMotorClient`, `redis.asyncio.Redis(...)`/`from_url(...)`, and
//! `aio_pika.connect`/`connect_robust`, under the same conditions as AIO607: inside the body
//! of a `for`/`async for` loop or a comprehension, or inside an `async def` with at least one
//! parameter (`self`/`cls` do not count) that uses the connection and discards it (it is
//! neither returned, yielded, stored nor passed to another call).
//!
//! ## Why is this bad?
//! Opening a connection costs several network round trips (TCP, often TLS, authentication,
//! session set-up) and server resources (a PostgreSQL connection is a server process). Doing
//! it per request multiplies latency, and a burst of concurrent requests opens as many
//! connections and hits the server's connection limit. A pool created once at start-up hands
//! out already-open connections and bounds how many exist.
//!
//! ## Example
//! ```python
//! import asyncpg
//!
//! async def get_user(dsn, user_id):
//!     conn = await asyncpg.connect(dsn)
//!     try:
//!         return await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
//!     finally:
//!         await conn.close()
//! ```
//!
//! Use instead:
//! ```python
//! async def get_user(pool, user_id):
//!     async with pool.acquire() as conn:
//!         return await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
//!
//! async def main(dsn):
//!     async with asyncpg.create_pool(dsn) as pool:
//!         ...
//! ```
//!
//! Not reported: the same exceptions as AIO607 (functions without parameters and `main()`,
//! `__aenter__`, `__init__`, factories that return, yield or store the connection, start-up
//! code, pytest fixtures, tests and test modules, script-only functions called under
//! `if __name__ == "__main__":`, functions that also accept a connection or pool parameter,
//! `client-factories`); redis clients built on a shared `connection_pool=`; `while` loops
//! (usually reconnect loops).
//!
//! ## Options
//! - `client-factories`: functions that legitimately open connections (`["app.db.connect_admin"]`;
//!   a bare function name or `Class.method` also matches).
//!
//! ## References
//! - [asyncpg: Connection pools](https://magicstack.github.io/asyncpg/current/usage.html#connection-pools)
//! - [redis-py: asyncio examples](https://redis.readthedocs.io/en/stable/examples/asyncio_examples.html)
//! - [aio-pika: connect_robust](https://aio-pika.readthedocs.io/en/latest/apidoc.html#aio_pika.connect_robust)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};

use super::per_request::{self, Constructor};
use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, ProjectFacts};
use crate::registry::Rule;

const ASYNCPG: &str = "Create a pool once at start-up with `asyncpg.create_pool(...)` and use `async with pool.acquire() as conn:` per request";
const AIOMYSQL: &str = "Create a pool once at start-up with `aiomysql.create_pool(...)` and use `async with pool.acquire() as conn:` per request";
const AIOPG: &str = "Create a pool once at start-up with `aiopg.create_pool(...)` and use `async with pool.acquire() as conn:` per request";
const PSYCOPG: &str = "Create a `psycopg_pool.AsyncConnectionPool` once at start-up and use `async with pool.connection() as conn:` per request";
const MOTOR: &str = "Create one `AsyncIOMotorClient` at start-up and share it: it maintains its own connection pool";
const REDIS: &str = "Create one `redis.asyncio.Redis` client (or `ConnectionPool`) at start-up and share it: it maintains its own connection pool";
const AIO_PIKA: &str = "Open one (robust) connection at start-up and share it; open channels per task instead of connections";

const fn connection(
    qualified: &'static str,
    display: &'static str,
    help: &'static str,
) -> Constructor {
    Constructor {
        qualified,
        display,
        shared_pool_keywords: &[],
        help,
    }
}

const fn redis(qualified: &'static str, display: &'static str) -> Constructor {
    Constructor {
        qualified,
        display,
        shared_pool_keywords: &["connection_pool"],
        help: REDIS,
    }
}

const CONNECTIONS: &[Constructor] = &[
    connection("asyncpg.connect", "asyncpg.connect()", ASYNCPG),
    connection("asyncpg.connection.connect", "asyncpg.connect()", ASYNCPG),
    connection("aiomysql.connect", "aiomysql.connect()", AIOMYSQL),
    connection("aiopg.connect", "aiopg.connect()", AIOPG),
    connection(
        "psycopg.AsyncConnection.connect",
        "psycopg.AsyncConnection.connect()",
        PSYCOPG,
    ),
    connection(
        "motor.motor_asyncio.AsyncIOMotorClient",
        "AsyncIOMotorClient()",
        MOTOR,
    ),
    redis("redis.asyncio.Redis", "redis.asyncio.Redis()"),
    redis("redis.asyncio.StrictRedis", "redis.asyncio.Redis()"),
    redis("redis.asyncio.client.Redis", "redis.asyncio.Redis()"),
    redis("redis.asyncio.from_url", "redis.asyncio.from_url()"),
    redis(
        "redis.asyncio.Redis.from_url",
        "redis.asyncio.Redis.from_url()",
    ),
    redis(
        "redis.asyncio.client.Redis.from_url",
        "redis.asyncio.Redis.from_url()",
    ),
    connection("aio_pika.connect", "aio_pika.connect()", AIO_PIKA),
    connection(
        "aio_pika.connect_robust",
        "aio_pika.connect_robust()",
        AIO_PIKA,
    ),
];

/// Phase 1: a connection constructor call.
pub(crate) fn connection_per_request(checker: &mut Checker, site: &CallSite) {
    per_request::check(checker, site, Rule::ConnectionPerRequest, CONNECTIONS);
}

/// Phase 2: report unless the function only runs from a `__main__` guard.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    per_request::settle(check, file, facts)
}
