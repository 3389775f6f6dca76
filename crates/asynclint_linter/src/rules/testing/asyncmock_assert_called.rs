//! ## What it does
//! Reports `assert_called()`, `assert_called_once()`, `assert_called_with(...)` and
//! `assert_called_once_with(...)` on a mock that is certainly an `AsyncMock`:
//! - built in scope: `m = AsyncMock(...)`, `m: AsyncMock`, `self.m = AsyncMock()` in the
//!   class's methods, `obj.attr = AsyncMock()` in the same function, `mocker.AsyncMock()`;
//! - created by `patch(..., new_callable=AsyncMock)` / `patch(..., new=AsyncMock())` (as a
//!   `with ... as m` target, a `@patch` decorator argument, `mocker.patch(...)` or
//!   `patch(...).start()`);
//! - created by a plain `patch.object(Class, "method")` whose `method` is an `async def` of a
//!   class defined in the same file (`patch` substitutes an `AsyncMock` for async targets).
//!
//! ## Why is this bad?
//! Calling an `AsyncMock` records the call and returns a coroutine; the awaited-ness is only
//! recorded when that coroutine is awaited. `assert_called*` looks at the calls, so it passes
//! when the code under test forgot the `await` (the coroutine was created and dropped, and
//! only a `RuntimeWarning: coroutine ... was never awaited` hints at the bug). The
//! `assert_awaited*` family checks what async code actually relies on.
//!
//! Not reported: mocks of unknown type (`MagicMock`, `patch(...)` of targets outside the
//! file, fixtures), `assert_not_called` (not being called implies not being awaited), and
//! `assert_awaited*`.
//!
//! ## Example
//! ```python
//! async def test_save(repo):
//!     repo.save = AsyncMock()
//!     await service.store(repo, item)
//!     repo.save.assert_called_once_with(item)
//! ```
//!
//! Use instead:
//! ```python
//! async def test_save(repo):
//!     repo.save = AsyncMock()
//!     await service.store(repo, item)
//!     repo.save.assert_awaited_once_with(item)
//! ```
//!
//! ## References
//! - [`unittest.mock.AsyncMock`](https://docs.python.org/3/library/unittest.mock.html#unittest.mock.AsyncMock)
//! - [`AsyncMock.assert_awaited_once_with`](https://docs.python.org/3/library/unittest.mock.html#unittest.mock.AsyncMock.assert_awaited_once_with)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::{BindingKind, Lookup};

/// `assert_called*` -> the `assert_awaited*` counterpart.
const ASSERTIONS: &[(&str, &str)] = &[
    ("assert_called", "assert_awaited"),
    ("assert_called_once", "assert_awaited_once"),
    ("assert_called_with", "assert_awaited_with"),
    ("assert_called_once_with", "assert_awaited_once_with"),
];

const ASYNC_MOCKS: &[&str] = &["unittest.mock.AsyncMock", "mock.AsyncMock"];

const PATCHES: &[&str] = &[
    "unittest.mock.patch",
    "unittest.mock.patch.object",
    "mock.patch",
    "mock.patch.object",
];

const PYTEST_MOCK_FIXTURES: &[&str] = &[
    "mocker",
    "module_mocker",
    "class_mocker",
    "package_mocker",
    "session_mocker",
];

pub(crate) fn asyncmock_assert_called(checker: &mut Checker, site: &CallSite) {
    let Expr::Attribute(attr) = &*site.call.func else {
        return;
    };
    let Some((called, awaited)) = ASSERTIONS
        .iter()
        .find(|(called, _)| *called == attr.attr.as_str())
    else {
        return;
    };
    if !is_async_mock(checker, &attr.value) {
        return;
    }
    let mock = checker.source_of(attr.value.range());
    let mock = if mock.len() <= 40 && !mock.contains('\n') {
        mock
    } else {
        "mock"
    };
    let args = if called.ends_with("_with") {
        "(...)"
    } else {
        "()"
    };
    checker.report(
        Rule::AsyncmockAssertCalled,
        format!(
            "`{mock}.{called}{args}` on an `AsyncMock` passes even if the coroutine it returned was never awaited"
        ),
        format!("Use `{mock}.{awaited}{args}`, which fails unless the call was awaited"),
        site.call.range(),
        None,
    );
}

fn is_async_mock(checker: &Checker, expr: &Expr) -> bool {
    if checker
        .semantic
        .object_kind(expr)
        .is_some_and(|kind| ASYNC_MOCKS.iter().any(|m| kind == format!("{m}()")))
    {
        return true;
    }
    match expr {
        Expr::Name(name) => name_is_async_mock(checker, name),
        Expr::Attribute(attr) => attribute_is_async_mock(checker, attr),
        _ => false,
    }
}

fn name_is_async_mock(checker: &Checker, name: &ast::ExprName) -> bool {
    let Lookup::Found(bindings) = checker.semantic.lookup(name.id.as_str()) else {
        return false;
    };
    !bindings.is_empty()
        && bindings.iter().all(|binding| match &binding.kind {
            BindingKind::Assignment {
                value: Some(value), ..
            } => is_async_mock_value(checker, value),
            BindingKind::WithItem {
                value: Expr::Call(call),
                is_async: false,
            } => patch_call(checker, call).is_some_and(|p| p.makes_async_mock),
            BindingKind::Parameter { .. } => patched_parameter(checker, binding.range),
            _ => false,
        })
}

/// `AsyncMock(...)`, `mocker.AsyncMock(...)`, `mocker.patch(..., new_callable=AsyncMock)`,
/// `patch(..., new_callable=AsyncMock).start()`.
fn is_async_mock_value(checker: &Checker, value: &Expr) -> bool {
    let Expr::Call(call) = value else {
        return false;
    };
    if is_async_mock_class(checker, &call.func) {
        return true;
    }
    if let Expr::Attribute(attr) = &*call.func {
        // `patch(...).start()` returns the mock.
        if attr.attr.as_str() == "start"
            && call.arguments.is_empty()
            && let Expr::Call(patch) = &*attr.value
            && let Some(p) = patch_call(checker, patch)
            && !p.is_pytest_mock
        {
            return p.makes_async_mock;
        }
    }
    // pytest-mock's `mocker.patch(...)` returns the mock itself (`patch(...)` a patcher).
    patch_call(checker, call).is_some_and(|p| p.is_pytest_mock && p.makes_async_mock)
}

/// `AsyncMock` (any import form) or `mocker.AsyncMock`.
fn is_async_mock_class(checker: &Checker, func: &Expr) -> bool {
    if let Some(q) = checker.semantic.resolve_qualified_name(func) {
        return ASYNC_MOCKS.contains(&q.as_str());
    }
    matches!(func, Expr::Attribute(attr)
        if attr.attr.as_str() == "AsyncMock" && is_pytest_mock_fixture(checker, &attr.value))
}

fn is_pytest_mock_fixture(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Name(name) = expr else {
        return false;
    };
    PYTEST_MOCK_FIXTURES.contains(&name.id.as_str())
        && checker
            .semantic
            .unique_binding(name.id.as_str())
            .is_some_and(|b| matches!(b.kind, BindingKind::Parameter { .. }))
}

struct PatchCall {
    /// `mocker.patch(...)` rather than `unittest.mock.patch(...)`.
    is_pytest_mock: bool,
    /// `new=...` given: the patch injects no argument.
    has_new: bool,
    makes_async_mock: bool,
}

/// A `patch(...)`/`patch.object(...)` call (or pytest-mock's `mocker.patch...`), and whether
/// the mock it creates is certainly an `AsyncMock`.
fn patch_call(checker: &Checker, call: &ast::ExprCall) -> Option<PatchCall> {
    let (is_object, is_pytest_mock) = match checker
        .semantic
        .resolve_qualified_name(&call.func)
        .as_deref()
    {
        Some(q) if PATCHES.contains(&q) => (q.ends_with(".object"), false),
        Some(_) => return None,
        None => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            match (attr.attr.as_str(), &*attr.value) {
                ("patch", receiver) if is_pytest_mock_fixture(checker, receiver) => (false, true),
                ("object", Expr::Attribute(inner))
                    if inner.attr.as_str() == "patch"
                        && is_pytest_mock_fixture(checker, &inner.value) =>
                {
                    (true, true)
                }
                _ => return None,
            }
        }
    };
    let keyword = |name: &str| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
    };
    let new = keyword("new");
    let makes_async_mock = if let Some(new_callable) = keyword("new_callable") {
        is_async_mock_class(checker, &new_callable.value)
    } else if let Some(new) = new {
        matches!(&new.value, Expr::Call(c) if is_async_mock_class(checker, &c.func))
    } else if ["autospec", "spec", "spec_set"]
        .iter()
        .any(|k| keyword(k).is_some())
        || call.arguments.keywords.iter().any(|k| k.arg.is_none())
    {
        false
    } else {
        is_object && patches_local_async_method(checker, call)
    };
    Some(PatchCall {
        is_pytest_mock,
        has_new: new.is_some(),
        makes_async_mock,
    })
}

/// `patch.object(Service, "fetch")` where `Service` is a class of this file (or an instance
/// of one built in scope) whose `fetch` is an `async def`.
fn patches_local_async_method(checker: &Checker, call: &ast::ExprCall) -> bool {
    let [target, Expr::StringLiteral(attribute), ..] = &call.arguments.args[..] else {
        return false;
    };
    let Some(class) = local_class(checker, target) else {
        return false;
    };
    let attribute = attribute.value.to_str();
    let mut async_def = false;
    for stmt in &class.body {
        match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == attribute => {
                // Every definition must be a plain `async def` (no decorator may wrap it).
                if !super::helpers::is_plain_coroutine_function(def) {
                    return false;
                }
                async_def = true;
            }
            _ => {}
        }
    }
    async_def
}

/// The class a name refers to: a class defined in this file, or an instance built by calling
/// one (`svc = Service()`).
fn local_class<'a>(checker: &Checker<'a>, expr: &Expr) -> Option<&'a ast::StmtClassDef> {
    let Expr::Name(name) = expr else {
        return None;
    };
    match &checker.semantic.unique_binding(name.id.as_str())?.kind {
        BindingKind::ClassDef(class) => Some(class),
        BindingKind::Assignment {
            value: Some(Expr::Call(call)),
            ..
        } => match &*call.func {
            Expr::Name(callee) => {
                match &checker.semantic.unique_binding(callee.id.as_str())?.kind {
                    BindingKind::ClassDef(class) => Some(class),
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    }
}

/// A parameter filled by a `@patch(...)` decorator of the current function that creates an
/// `AsyncMock`. Patch decorators apply bottom-up and their mocks are the first positional
/// arguments after `self`.
fn patched_parameter(checker: &Checker, binding: TextRange) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let def = function.def;
    let params: Vec<&ast::ParameterWithDefault> = def
        .parameters
        .posonlyargs
        .iter()
        .chain(&def.parameters.args)
        .collect();
    let Some(index) = params
        .iter()
        .position(|p| p.parameter.name.range == binding)
    else {
        return false;
    };
    let mut injected: Vec<bool> = Vec::new();
    for decorator in def.decorator_list.iter().rev() {
        let expr = &decorator.expression;
        if let Expr::Call(call) = expr
            && let Some(patch) = patch_call(checker, call)
            && !patch.is_pytest_mock
        {
            if !patch.has_new {
                injected.push(patch.makes_async_mock);
            }
            continue;
        }
        // Marks do not wrap the function; anything else might reorder the arguments.
        if super::helpers::marker_name(checker, expr).is_none() {
            return false;
        }
    }
    let skip_self = usize::from(function.class.is_some());
    index
        .checked_sub(skip_self)
        .and_then(|i| injected.get(i))
        .copied()
        .unwrap_or(false)
}

/// `self.m` assigned only `AsyncMock()`s in the class's methods, or `obj.m` assigned only
/// `AsyncMock()`s in the current function.
fn attribute_is_async_mock(checker: &Checker, attr: &ast::ExprAttribute) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let text = checker.source_of(attr.range());
    if let Expr::Name(base) = &*attr.value
        && checker.semantic.is_self_name(base.id.as_str())
        && let Some(class) = function.class
    {
        let mut values = Vec::new();
        for stmt in &class.body {
            if let Stmt::FunctionDef(method) = stmt {
                let Some(self_name) = method
                    .parameters
                    .posonlyargs
                    .iter()
                    .chain(&method.parameters.args)
                    .next()
                else {
                    continue;
                };
                let target = format!("{}.{}", self_name.parameter.name, attr.attr);
                collect_assignments(checker, &method.body, &target, &mut values);
            }
        }
        return all_async_mocks(checker, &values);
    }
    let mut values = Vec::new();
    collect_assignments(checker, &function.def.body, text, &mut values);
    all_async_mocks(checker, &values)
}

fn all_async_mocks(checker: &Checker, values: &[Option<&Expr>]) -> bool {
    !values.is_empty()
        && values
            .iter()
            .all(|v| v.is_some_and(|v| is_async_mock_value(checker, v)))
}

/// Values assigned to `target` (as written) in `body`, outside nested functions and classes.
/// `None` for a binding that is not a plain assignment (`with ... as target`, `for target`).
fn collect_assignments<'a>(
    checker: &Checker<'a>,
    body: &'a [Stmt],
    target: &str,
    values: &mut Vec<Option<&'a Expr>>,
) {
    struct Collector<'c, 'a, 'v> {
        source: &'a str,
        target: &'c str,
        values: &'v mut Vec<Option<&'a Expr>>,
    }
    impl<'a> Collector<'_, 'a, '_> {
        fn matches(&self, expr: &Expr) -> bool {
            matches!(expr, Expr::Attribute(_)) && &self.source[expr.range()] == self.target
        }
    }
    impl<'a> Visitor<'a> for Collector<'_, 'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(assign) => {
                    for t in &assign.targets {
                        if self.matches(t) {
                            self.values.push(Some(&assign.value));
                        } else if matches!(t, Expr::Tuple(_) | Expr::List(_))
                            && self.source[t.range()].contains(self.target)
                        {
                            self.values.push(None);
                        }
                    }
                }
                Stmt::AnnAssign(assign) if self.matches(&assign.target) => {
                    self.values.push(assign.value.as_deref());
                }
                Stmt::AugAssign(assign) if self.matches(&assign.target) => {
                    self.values.push(None);
                }
                Stmt::With(with) => {
                    for item in &with.items {
                        if item
                            .optional_vars
                            .as_deref()
                            .is_some_and(|v| self.matches(v))
                        {
                            self.values.push(None);
                        }
                    }
                }
                Stmt::For(for_stmt) if self.matches(&for_stmt.target) => {
                    self.values.push(None);
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut collector = Collector {
        source: checker.source,
        target,
        values,
    };
    collector.visit_body(body);
}
