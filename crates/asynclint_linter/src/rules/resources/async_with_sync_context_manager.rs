//! ## What it does
//! Reports `async with` on a context manager that only supports a plain `with`: files from
//! `open()` (also `io.open`, `Path.open`, `codecs.open`, `gzip.open`), `tempfile` objects,
//! `threading.Lock`/`RLock`/`Semaphore`/`BoundedSemaphore`/`Condition` instances,
//! `requests.Session()`, `httpx.Client()`, `contextlib.suppress(...)`, `ExitStack()`,
//! `closing()`, `redirect_stdout`/`redirect_stderr`/`chdir`, thread and process pool
//! executors; functions decorated with `@contextlib.contextmanager`, and classes of your
//! project that define `__enter__` but not `__aenter__` (through their base classes, across
//! modules).
//!
//! ## Why is this bad?
//! `async with` awaits `__aenter__` and `__aexit__`; a sync context manager only has
//! `__enter__`/`__exit__`. The statement fails at run time with `TypeError: '...' object does
//! not support the asynchronous context manager protocol` (`AttributeError: __aenter__` before
//! Python 3.11). Adding `async` does not make a blocking resource asynchronous: use the
//! asyncio counterpart (`aiofiles.open`, `asyncio.Lock`, `httpx.AsyncClient`) or a plain
//! `with`.
//!
//! ## Example
//! ```python
//! async def save(path, data):
//!     async with open(path, "w") as f:
//!         f.write(data)
//! ```
//!
//! Use instead:
//! ```python
//! import aiofiles
//!
//! async def save(path, data):
//!     async with aiofiles.open(path, "w") as f:
//!         await f.write(data)
//! ```
//!
//! Not reported: context managers that support both protocols (`contextlib.nullcontext`),
//! objects of unknown kind, and project classes with a base class outside the project (it may
//! provide `__aenter__`) or a class decorator that may add methods.
//!
//! ## References
//! - [The `async with` statement](https://docs.python.org/3/reference/compound_stmts.html#the-async-with-statement)
//! - [`contextlib.asynccontextmanager`](https://docs.python.org/3/library/contextlib.html#contextlib.asynccontextmanager)
//! - [aiofiles](https://github.com/Tinche/aiofiles)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast as ast;

use super::context_managers;
use crate::checker::Checker;
use crate::project::{DeferredCheck, ProjectFacts};
use crate::registry::Rule;

/// One item of an `async with` statement.
pub(crate) fn async_with_sync_context_manager(checker: &mut Checker, item: &ast::WithItem) {
    context_managers::check_item(checker, Rule::AsyncWithSyncContextManager, item, true);
}

/// Phase 2: a project class or decorated function used with `async with`.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    context_managers::settle(check, file, facts)
}
