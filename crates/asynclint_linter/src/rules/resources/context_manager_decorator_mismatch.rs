//! ## What it does
//! Reports `@contextlib.asynccontextmanager` on anything but an `async def` that contains
//! `yield` (a plain `def`, or an `async def` without `yield`), and `@contextlib.contextmanager`
//! on an `async def`.
//!
//! ## Why is this bad?
//! `@asynccontextmanager` drives an *async generator*: `async with f():` awaits
//! `anext(gen)` to run the code before `yield`, and again after the block to run the rest. A
//! plain generator or a coroutine function is not an async iterator, so the `async with` line
//! raises `TypeError` (and a coroutine is additionally left un-awaited).
//!
//! `@contextmanager` calls `next()` on a *sync* generator. Given an `async def`, `with f():`
//! raises `TypeError` at once: the body, including the setup code, never runs. Code that
//! needs to `await` during setup or teardown must use `@asynccontextmanager` and `async with`.
//!
//! ## Example
//! ```python
//! from contextlib import asynccontextmanager, contextmanager
//!
//! @contextmanager
//! async def transaction(conn):
//!     await conn.execute("BEGIN")
//!     yield conn
//!     await conn.execute("COMMIT")
//!
//! @asynccontextmanager
//! def temporary_dir():
//!     path = tempfile.mkdtemp()
//!     yield path
//!     shutil.rmtree(path)
//! ```
//!
//! Use instead:
//! ```python
//! from contextlib import asynccontextmanager, contextmanager
//!
//! @asynccontextmanager
//! async def transaction(conn):
//!     await conn.execute("BEGIN")
//!     yield conn
//!     await conn.execute("COMMIT")
//!
//! @contextmanager
//! def temporary_dir():
//!     path = tempfile.mkdtemp()
//!     yield path
//!     shutil.rmtree(path)
//! ```
//!
//! Not reported: interface stubs (a body of only a docstring, `pass`, `...` or `raise`, as in
//! abstract methods and protocols); a plain `def` without `yield` that returns a call (it may
//! return an async generator made by another function).
//!
//! ## References
//! - [`contextlib.asynccontextmanager`](https://docs.python.org/3/library/contextlib.html#contextlib.asynccontextmanager)
//! - [`contextlib.contextmanager`](https://docs.python.org/3/library/contextlib.html#contextlib.contextmanager)
//! - [Asynchronous generator functions](https://docs.python.org/3/reference/expressions.html#asynchronous-generator-functions)

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::resource_helpers::{CmDecorator, context_manager_decorator, own_returns};
use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::function_facts::{body_facts, is_trivial_body};

pub(crate) fn context_manager_decorator_mismatch(
    checker: &mut Checker,
    def: &ast::StmtFunctionDef,
) {
    let Some(decorator) = context_manager_decorator(&checker.semantic, def) else {
        return;
    };
    let name = def.name.as_str();
    let is_generator = body_facts(def).is_generator;
    let (message, help) = match decorator {
        CmDecorator::Sync if def.is_async => (
            if is_generator {
                format!(
                    "`@contextmanager` on async generator `{name}`: `with {name}()` calls `next()` on an async generator, which raises `TypeError`, so neither the setup nor the cleanup code ever runs"
                )
            } else {
                format!(
                    "`@contextmanager` on coroutine function `{name}`: `with {name}()` calls `next()` on a coroutine, which raises `TypeError` and leaves the coroutine un-awaited"
                )
            },
            "Decorate it with `@contextlib.asynccontextmanager` and enter it with `async with`",
        ),
        CmDecorator::Async if !def.is_async => {
            if is_trivial_body(&def.body) {
                return;
            }
            if !is_generator {
                // `return make_async_generator()` hands a real async generator to the decorator.
                let returns_call = own_returns(&def.body)
                    .iter()
                    .any(|r| matches!(r.value.as_deref(), Some(Expr::Call(_) | Expr::Name(_))));
                if returns_call {
                    return;
                }
            }
            (
                format!(
                    "`@asynccontextmanager` on plain `def {name}`: `async with {name}()` needs an async generator and raises `TypeError` (\"object is not an async iterator\")"
                ),
                if is_generator {
                    "Make it an `async def` (the decorator needs an async generator), or use `@contextlib.contextmanager` with a plain `with`"
                } else {
                    "Make it an `async def` that `yield`s the resource once"
                },
            )
        }
        CmDecorator::Async if !is_generator => {
            if is_trivial_body(&def.body) {
                return;
            }
            (
                format!(
                    "`@asynccontextmanager` on `async def {name}`, which never `yield`s: calling it returns a coroutine, not an async generator, so `async with {name}()` raises `TypeError` and the coroutine is never awaited"
                ),
                "`yield` the resource once where the `async with` body should run (with the cleanup after it, in a `finally:`)",
            )
        }
        _ => return,
    };
    checker.report(
        Rule::ContextManagerDecoratorMismatch,
        message,
        help,
        def.name.range(),
        None,
    );
}
