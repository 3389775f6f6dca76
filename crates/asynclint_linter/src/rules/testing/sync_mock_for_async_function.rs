//! ## What it does
//! Reports `patch(...)` that replaces a coroutine function of your project with a synchronous
//! mock: `patch("pkg.mod.fetch", new_callable=MagicMock)`, `patch(..., new=Mock(...))`,
//! `patch.object(Repo, "save", new=MagicMock())`, and the same through pytest-mock's
//! `mocker.patch(...)`. The target string or object is resolved across the project's modules,
//! through re-exports and base classes.
//!
//! ## Why is this bad?
//! Code under test does `await fetch(...)`. A `Mock`/`MagicMock` returns a plain value when
//! called, and awaiting it raises `TypeError: object MagicMock can't be used in 'await'
//! expression` (or, if the test never reaches the await, passes without exercising the async
//! path at all). Plain `patch(target)` already does the right thing: since Python 3.8 it
//! detects an `async def` target and substitutes an `AsyncMock`.
//!
//! ## Example
//! ```python
//! with patch("orders.repository.fetch_order", new_callable=MagicMock) as fetch:
//!     fetch.return_value = {"id": 1}
//!     await handle_order(1)
//! ```
//!
//! Use instead:
//! ```python
//! with patch("orders.repository.fetch_order", new_callable=AsyncMock) as fetch:
//!     fetch.return_value = {"id": 1}
//!     await handle_order(1)
//! ```
//!
//! Not reported: `patch(target)` without `new`/`new_callable`; `AsyncMock`; targets that are
//! not project coroutine functions (sync functions, classes, third-party names, strings that
//! do not resolve).
//!
//! ## References
//! - [`unittest.mock.AsyncMock`](https://docs.python.org/3/library/unittest.mock.html#unittest.mock.AsyncMock)
//! - [`unittest.mock.patch`](https://docs.python.org/3/library/unittest.mock.html#unittest.mock.patch)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts, Target};
use crate::registry::Rule;

const SYNC_MOCKS: &[&str] = &[
    "unittest.mock.Mock",
    "unittest.mock.MagicMock",
    "unittest.mock.NonCallableMock",
    "unittest.mock.NonCallableMagicMock",
    "mock.Mock",
    "mock.MagicMock",
];

const PYTEST_MOCK_FIXTURES: &[&str] = &[
    "mocker",
    "module_mocker",
    "class_mocker",
    "package_mocker",
    "session_mocker",
];

/// Phase 1: a `patch` call with a sync mock; the target is settled in phase 2.
pub(crate) fn sync_mock_for_async_function(checker: &mut Checker, site: &CallSite) {
    let Some(is_object) = patch_kind(checker, site) else {
        return;
    };
    let Some(mock) = sync_mock(checker, site) else {
        return;
    };
    let args = &site.call.arguments.args;
    let (target, target_text) = if is_object {
        let (Some(object), Some(Expr::StringLiteral(attr))) = (args.first(), args.get(1)) else {
            return;
        };
        let Some(base) = checker
            .semantic
            .resolve_target(object)
            .and_then(Target::as_path)
        else {
            return;
        };
        let attr = attr.value.to_str();
        (
            Target::path(format!("{base}.{attr}")),
            format!("{}.{attr}", checker.source_of(object.range())),
        )
    } else {
        let Some(Expr::StringLiteral(target)) = args.first() else {
            return;
        };
        let text = target.value.to_str().to_string();
        (Target::path(&text), text)
    };
    let range = site.call.range();
    if let Some(builder) = &mut checker.summary {
        builder.summary.deferred.push(DeferredCheck {
            rule: Rule::SyncMockForAsyncFunction,
            range,
            target,
            kind: DeferredKind::SyncMock(Box::new(crate::project::texts::SyncMock {
                mock,
                target_text,
            })),
        });
    }
}

/// `Some(false)` for `patch(...)`, `Some(true)` for `patch.object(...)`.
fn patch_kind(checker: &Checker, site: &CallSite) -> Option<bool> {
    match site.qualified {
        Some("unittest.mock.patch" | "mock.patch") => return Some(false),
        Some("unittest.mock.patch.object" | "mock.patch.object") => return Some(true),
        _ => {}
    }
    // pytest-mock: `mocker.patch(...)` / `mocker.patch.object(...)` on the fixture parameter.
    let Expr::Attribute(attr) = &*site.call.func else {
        return None;
    };
    let (receiver, is_object) = match (attr.attr.as_str(), &*attr.value) {
        ("patch", receiver) => (receiver, false),
        ("object", Expr::Attribute(inner)) if inner.attr.as_str() == "patch" => {
            (&*inner.value, true)
        }
        _ => return None,
    };
    let Expr::Name(name) = receiver else {
        return None;
    };
    if !PYTEST_MOCK_FIXTURES.contains(&name.id.as_str()) {
        return None;
    }
    let binding = checker.semantic.unique_binding(name.id.as_str())?;
    matches!(binding.kind, crate::semantic::BindingKind::Parameter { .. }).then_some(is_object)
}

/// The sync mock class used by `new_callable=` or `new=`, if any.
fn sync_mock(checker: &Checker, site: &CallSite) -> Option<String> {
    if let Some(keyword) = site.keyword("new_callable") {
        let q = checker.semantic.resolve_qualified_name(&keyword.value)?;
        return SYNC_MOCKS.contains(&q.as_str()).then(|| short(&q));
    }
    if let Some(keyword) = site.keyword("new") {
        let Expr::Call(call) = &keyword.value else {
            return None;
        };
        let q = checker.semantic.resolve_qualified_name(&call.func)?;
        return SYNC_MOCKS.contains(&q.as_str()).then(|| short(&q));
    }
    None
}

fn short(q: &str) -> String {
    q.rsplit('.').next().unwrap_or(q).to_string()
}

/// Phase 2: report when the target is a project coroutine function.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::SyncMock(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::SyncMock { mock, target_text } = &**texts;
    let function = facts.resolve_function(&check.target)?;
    if !function.summary.is_async || function.summary.is_generator {
        return None;
    }
    let rule = Rule::SyncMockForAsyncFunction;
    Some(
        Diagnostic::new(
            rule.code(),
            rule.name(),
            format!(
                "`{target_text}` is an `async def` ({}) but is patched with a `{mock}`: awaiting the mock raises `TypeError`",
                facts.location(&function, function.summary.offset)
            ),
            check.range,
            file.clone(),
        )
        .with_help("Use `new_callable=AsyncMock` (or plain `patch(target)`, which picks `AsyncMock` for coroutine functions)"),
    )
}
