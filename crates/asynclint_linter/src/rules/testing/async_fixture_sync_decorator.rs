//! ## What it does
//! Reports `@pytest.fixture` on an `async def` (a coroutine or an async generator) while
//! pytest-asyncio runs in strict mode, its default.
//!
//! ## Why is this bad?
//! pytest resolves a fixture by calling its function and using the return value. For an
//! `async def` that value is a coroutine (or an async generator) object: nothing awaits it
//! unless a plugin wraps the fixture. In strict mode pytest-asyncio only wraps fixtures
//! declared with `@pytest_asyncio.fixture`, so the test receives the unawaited coroutine
//! instead of the value, the setup code never runs, and for `yield` fixtures the teardown
//! never runs either.
//!
//! Not reported: modules that import `anyio` or `trio` or define the `anyio_backend` fixture
//! (those plugins drive `@pytest.fixture` async fixtures of the tests they run) or load
//! plugins with `pytest_plugins`, `@pytest_asyncio.fixture`, synchronous fixtures, and every
//! fixture when `asyncio_mode = auto` or when a `conftest.py` of the project loads a plugin
//! that runs coroutines itself (`aiohttp.pytest_plugin`, a `pytest_pyfunc_call` hook).
//!
//! ## Example
//! ```python
//! import pytest
//!
//! @pytest.fixture
//! async def client():
//!     async with make_client() as c:
//!         yield c
//! ```
//!
//! Use instead:
//! ```python
//! import pytest_asyncio
//!
//! @pytest_asyncio.fixture
//! async def client():
//!     async with make_client() as c:
//!         yield c
//! ```
//!
//! ## Options
//! The mode is read from the project's pytest configuration (`asyncio_mode`, or
//! `--asyncio-mode=` in `addopts`); no setting means strict. The `conftest.py` files of the
//! project root and the three directory levels below it are searched for coroutine-running
//! plugins.
//!
//! ## References
//! - [pytest-asyncio: async fixtures](https://pytest-asyncio.readthedocs.io/en/stable/reference/decorators/index.html)
//! - [pytest-asyncio: modes](https://pytest-asyncio.readthedocs.io/en/stable/concepts.html#test-discovery-modes)

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::helpers;
use crate::checker::Checker;
use crate::registry::Rule;
use crate::settings::AsyncioMode;

pub(crate) fn async_fixture_sync_decorator(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !def.is_async
        || !def
            .decorator_list
            .iter()
            .any(|d| helpers::is_pytest_fixture(checker, &d.expression))
    {
        return;
    }
    // Asked last: the first question may search the project's directories.
    if checker.settings.asyncio_mode.get() != AsyncioMode::Strict {
        return;
    }
    if helpers::module_uses_other_async_plugin(checker) {
        return;
    }
    checker.report(
        Rule::AsyncFixtureSyncDecorator,
        format!(
            "Async fixture `{}` is declared with `@pytest.fixture`: in pytest-asyncio's strict mode tests receive an unawaited coroutine, and its setup and teardown never run",
            def.name
        ),
        "Use `@pytest_asyncio.fixture`",
        def.name.range(),
        None,
    );
}
