//! ## What it does
//! Reports a `yield` inside a `with` or `async with` block of an async generator that is not
//! itself a context manager (`@asynccontextmanager`) or a fixture (`@pytest.fixture`,
//! `@pytest_asyncio.fixture`). This is flake8-async's ASYNC119.
//!
//! This rule is off by default: select it with `--select AIO613`.
//!
//! ## Why is this bad?
//! A consumer can stop iterating an async generator at any time (`break`, an exception, a
//! cancelled task). The generator then stays suspended at the `yield`, *inside* the block:
//! the lock stays held, the connection stays checked out, the file stays open. Unlike a sync
//! generator, an async generator cannot be finalised synchronously when it is dropped; its
//! `finally`/`__aexit__` code runs only when the event loop's async-generator hook gets to it
//! (later, in another task context, possibly during loop shutdown or never), and cancellation
//! scopes entered in the block (`asyncio.timeout`, task groups) end up exited from the wrong
//! task.
//!
//! ## Example
//! ```python
//! async def rows(pool, query):
//!     async with pool.acquire() as conn:
//!         async for row in conn.cursor(query):
//!             yield row
//! ```
//!
//! Use instead:
//! ```python
//! async def rows(conn, query):
//!     async for row in conn.cursor(query):
//!         yield row
//!
//! async def report(pool, query):
//!     async with pool.acquire() as conn:
//!         async with contextlib.aclosing(rows(conn, query)) as stream:
//!             async for row in stream:
//!                 ...
//! ```
//!
//! Not reported: functions decorated with `@asynccontextmanager` (or any decorator named
//! `*contextmanager`) or a fixture decorator (`@pytest.fixture`, `@pytest_asyncio.fixture`,
//! any decorator named `*fixture`); FastAPI dependencies (the function is passed to
//! `Depends(...)`/`Security(...)` in the same module: FastAPI runs it as a context manager);
//! blocks that hold nothing to clean up (`io.BytesIO()`/`io.StringIO()`, `nullcontext()`)
//! or only chain the closing of an inner generator (`async with aclosing(inner()) as it:`);
//! sync generators; a `yield` after the block.
//!
//! ## References
//! - [flake8-async ASYNC119](https://flake8-async.readthedocs.io/en/latest/rules.html#async119)
//! - [PEP 789: Preventing task-cancellation bugs by limiting yield in async generators](https://peps.python.org/pep-0789/)
//! - [`contextlib.aclosing`](https://docs.python.org/3/library/contextlib.html#contextlib.aclosing)
//! - [Asynchronous generator finalization](https://docs.python.org/3/reference/expressions.html#asynchronous-generator-functions)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::registry::Rule;

pub(crate) fn yield_in_context_manager_in_async_generator(checker: &mut Checker, expr: &Expr) {
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    // `current_function` looks through comprehensions only: a `yield` in a lambda has none.
    if !function.def.is_async || exempt(checker, &function.def.decorator_list) {
        return;
    }
    let range = expr.range();
    let mut block = None;
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => break,
            Stmt::With(with)
                if with.body.iter().any(|s| s.range().contains_range(range))
                    && !with
                        .items
                        .iter()
                        .all(|item| is_harmless(checker, &item.context_expr)) =>
            {
                block = Some(with);
                break;
            }
            _ => {}
        }
    }
    let Some(with) = block else {
        return;
    };
    if is_dependency(checker.module_body(), function.def.name.as_str()) {
        return;
    }
    let keyword = if with.is_async { "async with" } else { "with" };
    let manager = with
        .items
        .first()
        .map(|item| checker.source_of(item.context_expr.range()))
        .filter(|t| t.len() <= 50 && !t.contains('\n'))
        .unwrap_or("...");
    checker.report(
        Rule::YieldInContextManagerInAsyncGenerator,
        format!(
            "`yield` inside `{keyword} {manager}:` in async generator `{}`: if the consumer stops iterating early, the generator stays suspended inside the block, and its exit runs only when the generator is finalised (late, in another task, or never)",
            function.def.name
        ),
        "Make it an `@asynccontextmanager` if it manages a resource, let the caller own the context and pass the resource in, or have callers wrap the iteration in `contextlib.aclosing(...)`",
        range,
        None,
    );
}

/// Context managers whose exit has nothing to defer: in-memory buffers, and
/// `aclosing(gen)`/`closing(gen)` around a generator the function iterates itself (closing
/// this generator closes that one too, which is the chaining `aclosing` is for).
fn is_harmless(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    checker
        .semantic
        .resolve_qualified_name(&call.func)
        .is_some_and(|q| {
            matches!(
                q.as_str(),
                "io.BytesIO"
                    | "io.StringIO"
                    | "contextlib.aclosing"
                    | "contextlib.closing"
                    | "contextlib.nullcontext"
            )
        })
}

/// `Depends(name)` / `Security(name)` anywhere in the module: FastAPI runs a dependency with
/// `yield` as a context manager, like a fixture.
fn is_dependency(module: &[Stmt], name: &str) -> bool {
    struct Finder<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            if let Expr::Call(call) = expr {
                let callee = match &*call.func {
                    Expr::Name(n) => n.id.as_str(),
                    Expr::Attribute(a) => a.attr.as_str(),
                    _ => "",
                };
                if matches!(callee, "Depends" | "Security")
                    && call
                        .arguments
                        .args
                        .first()
                        .or_else(|| {
                            call.arguments
                                .keywords
                                .iter()
                                .find(|k| {
                                    k.arg.as_ref().is_some_and(|a| a.as_str() == "dependency")
                                })
                                .map(|k| &k.value)
                        })
                        .is_some_and(|a| matches!(a, Expr::Name(n) if n.id.as_str() == self.name))
                {
                    self.found = true;
                    return;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder { name, found: false };
    finder.visit_body(module);
    finder.found
}

/// Context managers and fixtures: their single `yield` inside a block is the point.
fn exempt(checker: &Checker, decorators: &[ruff_python_ast::Decorator]) -> bool {
    decorators.iter().any(|decorator| {
        let expr = match &decorator.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        let last = match checker.semantic.resolve_qualified_name(expr) {
            Some(q) => q.rsplit('.').next().unwrap_or_default().to_string(),
            None => match expr {
                Expr::Name(name) => name.id.to_string(),
                Expr::Attribute(attr) => attr.attr.to_string(),
                _ => return false,
            },
        };
        last.ends_with("contextmanager") || last.ends_with("fixture")
    })
}
