//! ## What it does
//! Reports a plain `with` on a context manager that only supports `async with`:
//! `asyncio.TaskGroup()`, `asyncio.timeout()`/`timeout_at()`, `asyncio.Lock`/`Semaphore`/
//! `BoundedSemaphore`/`Condition` instances, `aiohttp.ClientSession()` and its request
//! methods (`session.get(...)`), `httpx.AsyncClient()` and `client.stream(...)`,
//! `aiofiles.open()`, `anyio.create_task_group()`, `trio.open_nursery()`,
//! `contextlib.AsyncExitStack()`/`aclosing()`, asyncpg pools, `pool.acquire()` on a pool from
//! `await asyncpg.create_pool()` and `connection.transaction()`; functions decorated with
//! `@contextlib.asynccontextmanager`, and classes of your project that define `__aenter__` but
//! not `__enter__` (through their base classes, across modules).
//!
//! ## Why is this bad?
//! `with` calls `__enter__` and `__exit__`; an async context manager only has the coroutine
//! methods `__aenter__`/`__aexit__`. The statement fails at run time with `TypeError: '...'
//! object does not support the context manager protocol` (`AttributeError: __enter__` before
//! Python 3.11), on a path that may only run in production: the lock is never taken, the
//! timeout never armed, the session never opened.
//!
//! ## Example
//! ```python
//! import asyncio
//!
//! lock = asyncio.Lock()
//!
//! async def update(cache, key, value):
//!     with lock:
//!         cache[key] = value
//! ```
//!
//! Use instead:
//! ```python
//! async def update(cache, key, value):
//!     async with lock:
//!         cache[key] = value
//! ```
//!
//! Not reported: context managers that support both protocols (`contextlib.nullcontext`,
//! `anyio.fail_after`), objects of unknown kind, and project classes with a base class outside
//! the project (it may provide `__enter__`) or a class decorator that may add methods.
//!
//! ## References
//! - [The `async with` statement](https://docs.python.org/3/reference/compound_stmts.html#the-async-with-statement)
//! - [Asynchronous context managers](https://docs.python.org/3/reference/datamodel.html#async-context-managers)
//! - [`asyncio` synchronization primitives](https://docs.python.org/3/library/asyncio-sync.html)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast as ast;

use super::context_managers;
use crate::checker::Checker;
use crate::project::{DeferredCheck, ProjectFacts};
use crate::registry::Rule;

/// One item of a plain `with` statement.
pub(crate) fn sync_with_async_context_manager(checker: &mut Checker, item: &ast::WithItem) {
    context_managers::check_item(checker, Rule::SyncWithAsyncContextManager, item, false);
}

/// Phase 2: a project class or decorated function used with a plain `with`.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    context_managers::settle(check, file, facts)
}
