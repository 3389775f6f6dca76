//! ## What it does
//! Reports an `async def test_*` function in a test module (`test_*.py`, `*_test.py`,
//! `conftest.py`) that carries no asyncio marker (on the function, its class, or the module's
//! `pytestmark`) while pytest-asyncio runs in strict mode, its default.
//!
//! ## Why is this bad?
//! pytest calls a test function and checks what it returns. For an `async def`, calling it
//! only creates a coroutine object; nothing runs it unless a plugin takes over the call. In
//! strict mode pytest-asyncio only takes over tests marked `@pytest.mark.asyncio`, so an
//! unmarked async test is skipped with a warning ("async def functions are not natively
//! supported"; pytest 8.4 and later fail it instead, very old versions even passed it): the
//! assertions in its body never execute and the test proves nothing.
//!
//! Not reported: tests marked `@pytest.mark.anyio` or `@pytest.mark.trio`, tests requesting
//! the `anyio_backend` fixture, modules that import `anyio` or `trio`, define the
//! `anyio_backend` fixture or load pytest plugins themselves (`pytest_plugins = [...]`),
//! methods of classes with base classes (`unittest.IsolatedAsyncioTestCase` runs its own
//! coroutines), tests with decorators other than pytest marks and `mock.patch` (a decorator
//! may run the coroutine itself), and every test when `asyncio_mode = auto` or when a
//! `conftest.py` of the project runs coroutine tests itself (it loads `aiohttp.pytest_plugin`,
//! `pytest_trio`, ... through `pytest_plugins`, implements `pytest_pyfunc_call`, or adds the
//! asyncio mark to collected items).
//!
//! ## Example
//! ```python
//! import pytest
//!
//! async def test_fetch(client):
//!     assert await client.fetch() == 42
//! ```
//!
//! Use instead:
//! ```python
//! import pytest
//!
//! @pytest.mark.asyncio
//! async def test_fetch(client):
//!     assert await client.fetch() == 42
//! ```
//!
//! Or mark the whole module with `pytestmark = pytest.mark.asyncio`, or set
//! `asyncio_mode = "auto"` in the pytest configuration.
//!
//! ## Options
//! The mode is read from the project's pytest configuration: `asyncio_mode` in `pytest.ini`,
//! `pyproject.toml` (`[tool.pytest.ini_options]`), `setup.cfg` (`[tool:pytest]`) or `tox.ini`
//! (`[pytest]`), and `--asyncio-mode=` in `addopts`. No setting means strict. The
//! `conftest.py` files of the project root and the three directory levels below it are
//! searched for coroutine-running plugins.
//!
//! ## References
//! - [pytest-asyncio: modes](https://pytest-asyncio.readthedocs.io/en/stable/concepts.html#test-discovery-modes)
//! - [pytest-asyncio: markers](https://pytest-asyncio.readthedocs.io/en/stable/reference/markers/index.html)

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::helpers::{self, Marks};
use crate::checker::Checker;
use crate::registry::Rule;
use crate::settings::AsyncioMode;

pub(crate) fn async_test_not_collected(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !def.is_async || !def.name.as_str().starts_with("test") {
        return;
    }
    if !helpers::in_test_module(checker)
        || checker.settings.asyncio_mode.get() != AsyncioMode::Strict
    {
        return;
    }
    // Nested in a function, or in a class pytest does not collect (or that runs its own tests).
    let Some(classes) = helpers::enclosing_classes(checker) else {
        return;
    };
    if classes
        .iter()
        .any(|c| !c.name.as_str().starts_with("Test") || helpers::has_base_class(c))
    {
        return;
    }
    if helpers::requests_anyio_backend(&def.parameters) {
        return;
    }
    let mut marks = helpers::decorator_marks(checker, &def.decorator_list);
    for class in &classes {
        marks = marks
            .and(helpers::decorator_marks(checker, &class.decorator_list))
            .and(helpers::pytestmark_of(checker, &class.body));
    }
    marks = marks.and(helpers::module_pytestmark(checker));
    // Scanning the module's text is the expensive part: last.
    if marks != Marks::Plain || helpers::module_uses_other_async_plugin(checker) {
        return;
    }
    checker.report(
        Rule::AsyncTestNotCollected,
        format!(
            "Async test `{}` has no asyncio marker: in pytest-asyncio's strict mode nothing awaits it, so its body never runs",
            def.name
        ),
        "Add `@pytest.mark.asyncio` (or `pytestmark = pytest.mark.asyncio` for the module), or set `asyncio_mode = \"auto\"`",
        def.name.range(),
        None,
    );
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::settings::{AsyncioMode, LinterSettings};
    use crate::{Rule, lint_str};

    const SOURCE: &str = "import pytest\n\nasync def test_a():\n    assert True\n";

    #[test]
    fn auto_mode_needs_no_marker() {
        let mut settings = LinterSettings::for_rules([Rule::AsyncTestNotCollected]);
        let path = Path::new("tests/test_a.py");
        assert_eq!(lint_str(path, SOURCE, &settings).len(), 1);
        settings.asyncio_mode = crate::ProjectAsyncioMode::known(AsyncioMode::Auto);
        assert!(lint_str(path, SOURCE, &settings).is_empty());
    }

    #[test]
    fn other_plugins_run_the_module() {
        let settings = LinterSettings::for_rules([Rule::AsyncTestNotCollected]);
        let path = Path::new("test_a.py");
        for header in [
            "import anyio\n",
            "from trio import sleep\n",
            "pytest_plugins = [\"aiohttp.pytest_plugin\"]\n",
            "@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n",
        ] {
            let source = format!("{header}{SOURCE}");
            assert!(lint_str(path, &source, &settings).is_empty(), "{header}");
        }
    }

    #[test]
    fn module_pytestmark() {
        let settings = LinterSettings::for_rules([Rule::AsyncTestNotCollected]);
        let path = Path::new("test_a.py");
        for (header, reported) in [
            ("pytestmark = pytest.mark.asyncio\n", 0),
            (
                "pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope='module')]\n",
                0,
            ),
            ("pytestmark = pytest.mark.anyio\n", 0),
            // Unreadable: might hold the asyncio mark.
            ("pytestmark = MARKS\n", 0),
            ("pytestmark = [pytest.mark.slow]\n", 1),
        ] {
            let source = format!("{SOURCE}{header}");
            assert_eq!(
                lint_str(path, &source, &settings).len(),
                reported,
                "{header}"
            );
        }
    }

    #[test]
    fn only_test_modules() {
        let settings = LinterSettings::for_rules([Rule::AsyncTestNotCollected]);
        for name in ["tests/helpers.py", "tests/testing.py", "test_dir/module.py"] {
            assert!(
                lint_str(Path::new(name), SOURCE, &settings).is_empty(),
                "{name}"
            );
        }
        for name in ["a_test.py", "conftest.py", "test_x.py"] {
            assert_eq!(
                lint_str(Path::new(name), SOURCE, &settings).len(),
                1,
                "{name}"
            );
        }
    }
}
