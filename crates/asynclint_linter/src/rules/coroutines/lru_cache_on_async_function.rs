//! ## What it does
//! Reports `@functools.lru_cache`, `@functools.lru_cache(...)` and `@functools.cache` (in any
//! import form) applied to an `async def`.
//!
//! ## Why is this bad?
//! Calling an `async def` does not run it: it returns a new coroutine object, and the body
//! runs when that object is awaited. `lru_cache` caches what the call *returns*, so it stores
//! the coroutine object, not the result. The first caller awaits it and gets the value; every
//! later call with the same arguments gets the same, already-finished coroutine back, and
//! awaiting it raises `RuntimeError: cannot reuse already awaited coroutine`. The bug hides in
//! tests that call the function once and surfaces in production on the second request.
//! On an async generator function the cache returns the same generator object, which the
//! first `async for` exhausted: later iterations silently see nothing.
//!
//! The cache also keeps every argument alive (including `self`) and is not safe against two
//! tasks computing the same key concurrently.
//!
//! ## Example
//! ```python
//! from functools import lru_cache
//!
//! @lru_cache(maxsize=128)
//! async def get_user(user_id: int) -> User:
//!     return await db.fetch_user(user_id)
//! ```
//!
//! Use instead:
//! ```python
//! from async_lru import alru_cache
//!
//! @alru_cache(maxsize=128)
//! async def get_user(user_id: int) -> User:
//!     return await db.fetch_user(user_id)
//! ```
//!
//! or cache the *result* yourself (a dict filled after the `await`), or cache a sync helper
//! that does the pure computation.
//!
//! Not reported: caching decorators designed for coroutines (`async_lru.alru_cache`,
//! `aiocache.cached`, `anyio.functools.lru_cache`/`cache`); `lru_cache` on a plain `def`; and
//! `lru_cache` stacked on another decorator that may turn the `async def` into something else
//! (`@lru_cache` above `@async_to_sync`).
//!
//! ## References
//! - [`functools.lru_cache`](https://docs.python.org/3/library/functools.html#functools.lru_cache)
//! - [Coroutines: calling a coroutine function returns a coroutine object](https://docs.python.org/3/library/asyncio-task.html#coroutines)
//! - [`async-lru`](https://github.com/aio-libs/async-lru)

use ruff_python_ast as ast;

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::function_facts::body_facts;

use super::decorators::{decorator_qualified_name, def_header_range, inner_decorators_transparent};

pub(crate) fn lru_cache_on_async_function(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !def.is_async {
        return;
    }
    let Some((index, decorator)) = def.decorator_list.iter().enumerate().find_map(|(i, d)| {
        let q = decorator_qualified_name(checker, d)?;
        let shown = match q.as_str() {
            "functools.lru_cache" => "functools.lru_cache",
            "functools.cache" => "functools.cache",
            _ => return None,
        };
        Some((i, shown))
    }) else {
        return;
    };
    if !inner_decorators_transparent(checker, def, index) {
        return;
    }
    let name = def.name.as_str();
    let (message, help) = if body_facts(def).is_generator {
        (
            format!(
                "`@{decorator}` on async generator function `{name}` caches the generator object: the first `async for` exhausts it and later calls with the same arguments iterate over nothing"
            ),
            "Cache the collected items instead (an async function that builds a list, cached with `async_lru.alru_cache`)",
        )
    } else {
        (
            format!(
                "`@{decorator}` on `async def {name}` caches the coroutine object, not its result: the second `await {name}(...)` with the same arguments raises `RuntimeError: cannot reuse already awaited coroutine`"
            ),
            "Use an async-aware cache such as `async_lru.alru_cache`, or cache the awaited result yourself",
        )
    };
    checker.report(
        Rule::LruCacheOnAsyncFunction,
        message,
        help,
        def_header_range(checker, def),
        None,
    );
}
