//! ## What it does
//! Reports pytest-asyncio APIs that are deprecated or removed:
//! - `@pytest.mark.asyncio(scope=...)`, whose argument was renamed `loop_scope`;
//! - a fixture named `event_loop`, which overrides pytest-asyncio's loop fixture;
//! - `@pytest.mark.asyncio` on a synchronous function.
//!
//! ## Why is this bad?
//! pytest-asyncio 0.23 reworked how event loops are scoped: each test runs in the loop of a
//! chosen scope (`loop_scope="module"`, `"session"`, ...), and the loop is provided by the
//! plugin, not by a user fixture. Overriding `event_loop` was deprecated in 0.22 and stopped
//! working in 1.0, where the fixture was removed: the override is ignored or fails, and tests
//! that relied on sharing a loop get a different one. `scope=` on the marker was renamed
//! `loop_scope=` in 0.24 (deprecated, then removed). An asyncio mark on a synchronous
//! function does nothing but trigger a warning; it usually means the function was meant to be
//! `async def`, or that the mark was copied by mistake.
//!
//! ## Example
//! ```python
//! @pytest.fixture(scope="session")
//! def event_loop():
//!     loop = asyncio.new_event_loop()
//!     yield loop
//!     loop.close()
//!
//! @pytest.mark.asyncio(scope="session")
//! async def test_shared():
//!     ...
//! ```
//!
//! Use instead:
//! ```python
//! @pytest.mark.asyncio(loop_scope="session")
//! async def test_shared():
//!     ...
//! ```
//!
//! A custom loop type is chosen with the `event_loop_policy` fixture; a default scope for every
//! async fixture with `asyncio_default_fixture_loop_scope` in the pytest configuration.
//!
//! ## References
//! - [pytest-asyncio: migrating from 0.21](https://pytest-asyncio.readthedocs.io/en/stable/how-to-guides/migrate_from_0_21.html)
//! - [pytest-asyncio: markers](https://pytest-asyncio.readthedocs.io/en/stable/reference/markers/index.html)
//! - [pytest-asyncio changelog](https://pytest-asyncio.readthedocs.io/en/stable/reference/changelog.html)

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::helpers;
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

/// A function definition: an `event_loop` fixture, or an asyncio mark on a sync function.
pub(crate) fn deprecated_pytest_asyncio_api(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    let fixture = def.decorator_list.iter().find(|d| {
        helpers::is_pytest_fixture(checker, &d.expression)
            || helpers::is_pytest_asyncio_fixture(checker, &d.expression)
    });
    if let Some(fixture) = fixture {
        if fixture_name(&fixture.expression).unwrap_or(def.name.as_str()) == "event_loop" {
            checker.report(
                Rule::DeprecatedPytestAsyncioApi,
                "Fixture overrides pytest-asyncio's `event_loop`: deprecated since pytest-asyncio 0.22 and removed in 1.0, so tests may silently run in another loop",
                "Delete the fixture; choose the loop's lifetime with `@pytest.mark.asyncio(loop_scope=...)` and a custom loop with the `event_loop_policy` fixture",
                def.name.range(),
                None,
            );
        }
        return;
    }
    if def.is_async {
        return;
    }
    let marked = def.decorator_list.iter().any(|d| {
        helpers::marker_name(checker, &d.expression).is_some_and(|name| name == "asyncio")
    });
    if marked {
        checker.report(
            Rule::DeprecatedPytestAsyncioApi,
            format!(
                "`@pytest.mark.asyncio` on synchronous function `{}`: the mark does nothing but trigger pytest-asyncio's warning",
                def.name
            ),
            "Remove the mark, or make the test `async def` if it was meant to await",
            def.name.range(),
            None,
        );
    }
}

/// `pytest.mark.asyncio(scope=...)`, reported at the `def`/`class` line when it decorates one.
pub(crate) fn asyncio_mark_call(checker: &mut Checker, site: &CallSite) {
    if site.keyword("scope").is_none() {
        return;
    }
    if helpers::marker_name(checker, &site.call.func).is_none_or(|name| name != "asyncio") {
        return;
    }
    let range = decorated_name(checker, site.call.range()).unwrap_or(site.call.range());
    checker.report(
        Rule::DeprecatedPytestAsyncioApi,
        "`pytest.mark.asyncio(scope=...)`: `scope` was renamed `loop_scope` in pytest-asyncio 0.24 and the old name is deprecated",
        "Write `loop_scope=` instead of `scope=`",
        range,
        None,
    );
}

/// When `call` is one of the decorators of the current `def`/`class`: the name it decorates.
fn decorated_name(checker: &Checker, call: TextRange) -> Option<TextRange> {
    let (decorators, name) = match checker.current_statement()? {
        Stmt::FunctionDef(def) => (&def.decorator_list, def.name.range()),
        Stmt::ClassDef(class) => (&class.decorator_list, class.name.range()),
        _ => return None,
    };
    decorators
        .iter()
        .any(|d| d.range().contains_range(call))
        .then_some(name)
}

/// `@pytest.fixture(name="event_loop")`.
fn fixture_name(decorator: &Expr) -> Option<&str> {
    let Expr::Call(call) = decorator else {
        return None;
    };
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "name"))
        .and_then(|k| match &k.value {
            Expr::StringLiteral(s) => Some(s.value.to_str()),
            _ => None,
        })
}
