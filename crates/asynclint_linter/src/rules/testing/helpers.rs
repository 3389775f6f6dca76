//! Shared by the pytest and mock rules (AIO700-AIO706): which files are test modules, what a
//! marker or fixture decorator is, and which classes run their tests themselves.

use std::path::Path;

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::checker::Checker;

/// `test_*.py` or `*_test.py`: the modules pytest collects tests from by default. Only the
/// file name counts, never the directories above it.
pub(crate) fn is_test_file(path: &Path) -> bool {
    let Some(stem) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".py"))
    else {
        return false;
    };
    stem.starts_with("test_") || stem.ends_with("_test")
}

pub(crate) fn is_conftest(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "conftest.py")
}

/// Is the file being checked a test module (`test_*.py`, `*_test.py`) or a `conftest.py`?
pub(crate) fn in_test_module(checker: &Checker) -> bool {
    checker.test_module
}

/// [`in_test_module`] for a path (computed once per file by the checker).
pub(crate) fn is_test_module_path(path: &std::path::Path) -> bool {
    is_test_file(path) || is_conftest(path)
}

/// The expression a decorator or marker names: `pytest.fixture` for `@pytest.fixture(...)`.
pub(crate) fn callee(expr: &Expr) -> &Expr {
    match expr {
        Expr::Call(call) => &call.func,
        other => other,
    }
}

/// `pytest.mark.asyncio` / `pytest.mark.asyncio(...)` (any import form) -> `asyncio`.
pub(crate) fn marker_name(checker: &Checker, expr: &Expr) -> Option<String> {
    let q = checker.semantic.resolve_qualified_name(callee(expr))?;
    let name = q
        .strip_prefix("pytest.mark.")
        .or_else(|| q.strip_prefix("_pytest.mark."))?;
    (!name.contains('.')).then(|| name.to_string())
}

/// `@pytest.fixture` or `@pytest.fixture(...)`.
pub(crate) fn is_pytest_fixture(checker: &Checker, decorator: &Expr) -> bool {
    checker
        .semantic
        .resolve_qualified_name(callee(decorator))
        .is_some_and(|q| matches!(q.as_str(), "pytest.fixture" | "_pytest.fixtures.fixture"))
}

/// `@pytest_asyncio.fixture` or `@pytest_asyncio.fixture(...)`.
pub(crate) fn is_pytest_asyncio_fixture(checker: &Checker, decorator: &Expr) -> bool {
    checker
        .semantic
        .resolve_qualified_name(callee(decorator))
        .is_some_and(|q| q == "pytest_asyncio.fixture")
}

/// What a set of marks says about how an async test runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    /// Only marks known not to run coroutines (`parametrize`, `skip`, ...), or none.
    Plain,
    /// An `asyncio`, `anyio` or `trio` mark (or `usefixtures("anyio_backend")`).
    Async,
    /// Something that cannot be read (a variable, a custom decorator): it might run the test.
    Unknown,
}

impl Marks {
    pub(crate) fn and(self, other: Marks) -> Marks {
        match (self, other) {
            (Marks::Async, _) | (_, Marks::Async) => Marks::Async,
            (Marks::Unknown, _) | (_, Marks::Unknown) => Marks::Unknown,
            _ => Marks::Plain,
        }
    }
}

/// Marks that make pytest plugins run an `async def` test.
const ASYNC_MARKS: &[&str] = &["asyncio", "anyio", "trio"];

/// One mark expression (`pytest.mark.asyncio`, `pytest.mark.usefixtures("anyio_backend")`).
fn classify_mark(checker: &Checker, expr: &Expr) -> Marks {
    let Some(name) = marker_name(checker, expr) else {
        return Marks::Unknown;
    };
    if ASYNC_MARKS.contains(&name.as_str()) {
        return Marks::Async;
    }
    if name == "usefixtures"
        && let Expr::Call(call) = expr
        && call.arguments.args.iter().any(|a| {
            matches!(a, Expr::StringLiteral(s) if s.value.to_str() == "anyio_backend")
                || !matches!(a, Expr::StringLiteral(_))
        })
    {
        return Marks::Async;
    }
    Marks::Plain
}

/// The value of a `pytestmark = ...` assignment: one mark or a list/tuple of marks.
fn classify_pytestmark(checker: &Checker, value: &Expr) -> Marks {
    match value {
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => elts
            .iter()
            .fold(Marks::Plain, |acc, e| acc.and(classify_mark(checker, e))),
        other => classify_mark(checker, other),
    }
}

/// The marks the module applies through `pytestmark` (worked out once per file).
pub(crate) fn module_pytestmark(checker: &Checker) -> Marks {
    *checker
        .module_pytestmark
        .get_or_init(|| pytestmark_of(checker, checker.module_body()))
}

/// The marks a body (module or class) applies through `pytestmark`.
pub(crate) fn pytestmark_of(checker: &Checker, body: &[Stmt]) -> Marks {
    let mut marks = Marks::Plain;
    for stmt in body {
        let (targets, value): (&[Expr], Option<&Expr>) = match stmt {
            Stmt::Assign(assign) => (&assign.targets, Some(&assign.value)),
            Stmt::AnnAssign(assign) => (
                std::slice::from_ref(&*assign.target),
                assign.value.as_deref(),
            ),
            Stmt::AugAssign(assign) => (std::slice::from_ref(&*assign.target), Some(&assign.value)),
            // `pytestmark` set in `if`/`try` blocks: too clever to read, assume it helps.
            Stmt::If(_) | Stmt::Try(_) if mentions_pytestmark(stmt) => return Marks::Unknown,
            _ => continue,
        };
        if !targets
            .iter()
            .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "pytestmark"))
        {
            continue;
        }
        let Some(value) = value else { continue };
        marks = marks.and(classify_pytestmark(checker, value));
    }
    marks
}

fn mentions_pytestmark(stmt: &Stmt) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Name(n) if n.id.as_str() == "pytestmark") {
                self.0 = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_stmt(stmt);
    finder.0
}

/// The marks of a decorator list. Decorators that are not marks are `Unknown` (a custom
/// decorator may run the coroutine itself), except `unittest.mock.patch*`, which keeps an
/// `async def` async.
pub(crate) fn decorator_marks(checker: &Checker, decorators: &[ast::Decorator]) -> Marks {
    decorators.iter().fold(Marks::Plain, |acc, d| {
        let expr = &d.expression;
        if marker_name(checker, expr).is_some() {
            return acc.and(classify_mark(checker, expr));
        }
        let is_patch = checker
            .semantic
            .resolve_qualified_name(callee(expr))
            .is_some_and(|q| q.starts_with("unittest.mock.patch") || q.starts_with("mock.patch"));
        if is_patch {
            acc
        } else {
            acc.and(Marks::Unknown)
        }
    })
}

/// Does `name` (a parameter list) request the anyio plugin's backend fixture?
pub(crate) fn requests_anyio_backend(parameters: &ast::Parameters) -> bool {
    parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .chain(&parameters.kwonlyargs)
        .any(|p| p.parameter.name.as_str() == "anyio_backend")
}

/// Does the module bring in another plugin that runs coroutines: it imports `anyio` or
/// `trio` (their pytest plugins also drive `@pytest.fixture` async fixtures and tests that
/// request `anyio_backend` through other fixtures), defines the `anyio_backend` fixture, or
/// loads plugins itself with `pytest_plugins`?
/// Scans the module's text once per file.
pub(crate) fn module_uses_other_async_plugin(checker: &Checker) -> bool {
    *checker
        .other_async_plugin
        .get_or_init(|| uses_other_async_plugin(checker.source))
}

fn uses_other_async_plugin(source: &str) -> bool {
    [
        "import anyio",
        "from anyio",
        "import trio",
        "from trio",
        "import pytest_trio",
    ]
    .iter()
    .any(|phrase| contains_word(source, phrase))
        || contains_word(source, "def anyio_backend")
        || contains_word(source, "pytest_plugins")
}

/// `word` occurs in `text` as a whole identifier.
fn contains_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The statement ranges of `def`s enclosing the current node, innermost first, stopping at
/// the first class or function boundary (for the class chain of a method).
pub(crate) fn enclosing_classes<'a>(checker: &Checker<'a>) -> Option<Vec<&'a ast::StmtClassDef>> {
    let mut classes = Vec::new();
    // The first ancestor is the `def` itself.
    for stmt in checker.statement_ancestors().skip(1) {
        match stmt {
            Stmt::ClassDef(class) => classes.push(class),
            // Nested in a function: not collected by pytest.
            Stmt::FunctionDef(_) => return None,
            _ => {}
        }
    }
    Some(classes)
}

/// A class with a base other than `object` may be a `unittest.TestCase` (or a framework base
/// that runs coroutines itself, such as `IsolatedAsyncioTestCase` or aiohttp's
/// `AioHTTPTestCase`); its tests are not pytest-asyncio's business.
pub(crate) fn has_base_class(class: &ast::StmtClassDef) -> bool {
    class.arguments.as_ref().is_some_and(|args| {
        args.args
            .iter()
            .any(|b| !matches!(b, Expr::Name(n) if n.id.as_str() == "object"))
            || args
                .keywords
                .iter()
                .any(|k| k.arg.as_ref().is_none_or(|a| a.as_str() == "metaclass"))
    })
}

/// The innermost function whose body holds the current node is a test function
/// (`test*`) of a test module.
pub(crate) fn in_test_function(checker: &Checker) -> bool {
    if !is_test_file(checker.file().path()) {
        return false;
    }
    checker
        .semantic
        .current_function()
        .is_some_and(|f| f.def.name.as_str().starts_with("test"))
}

/// An undecorated `async def` without `yield`: calling it certainly returns a coroutine (no
/// decorator can have turned it into something else, and it is not an async generator).
pub(crate) fn is_plain_coroutine_function(def: &ast::StmtFunctionDef) -> bool {
    def.is_async && def.decorator_list.is_empty() && !contains_yield(&def.body)
}

fn contains_yield(body: &[Stmt]) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Yield(_) | Expr::YieldFrom(_)) {
                self.0 = true;
            }
            if !matches!(expr, Expr::Lambda(_)) {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}
