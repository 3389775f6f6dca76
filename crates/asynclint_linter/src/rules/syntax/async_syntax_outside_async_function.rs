//! ## What it does
//! Reports `await`, `async for`, `async with` and asynchronous comprehensions used outside an
//! `async def`: in a plain `def`, in a `lambda`, in a class body, or at module level.
//!
//! ## Why is this bad?
//! CPython rejects these constructs when it compiles the module
//! (`SyntaxError: 'await' outside async function`), so the whole module fails to import. It
//! often happens when a function is converted to a coroutine but one of its helpers, or a
//! `lambda` passed as a callback, is not. A `lambda` or nested `def` inside an `async def`
//! does not inherit the async context.
//!
//! ## Example
//! ```python
//! def load(session):
//!     return await session.get("/items")
//! ```
//!
//! Use instead:
//! ```python
//! async def load(session):
//!     return await session.get("/items")
//! ```
//!
//! Top-level `await` is only valid in notebooks and the `python -m asyncio` REPL; asynclint
//! checks `.py` and `.pyi` files, where it is an error.
//!
//! ## References
//! - [PEP 492: Coroutines with async and await syntax](https://peps.python.org/pep-0492/)
//! - [PEP 530: Asynchronous comprehensions](https://peps.python.org/pep-0530/)

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::semantic::ScopeKind;

fn where_(checker: &Checker) -> &'static str {
    match checker.semantic.current_scope_kind() {
        ScopeKind::Module => "at module level",
        ScopeKind::Class => "in a class body",
        ScopeKind::Lambda => "in a `lambda`",
        _ => {
            if checker.semantic.current_function().is_some() {
                "in a synchronous `def`"
            } else {
                "outside an `async def`"
            }
        }
    }
}

fn report(checker: &mut Checker, what: &str, range: TextRange) {
    let place = where_(checker);
    checker.report(
        Rule::AsyncSyntaxOutsideAsyncFunction,
        format!("{what} used {place}: CPython rejects it at compile time, so the module cannot be imported"),
        "Make the enclosing function `async def` (and await it at its call sites), or move this code into a coroutine",
        range,
        None,
    );
}

/// `await` outside async context (the other entry points cover `async for`, `async with` and
/// comprehensions).
pub(crate) fn async_syntax_outside_async_function(checker: &mut Checker, expr: &Expr) {
    if checker.semantic.in_async_context() || checker.semantic.in_generator_expression() {
        return;
    }
    report(checker, "`await`", expr.range());
}

pub(crate) fn async_for(checker: &mut Checker, stmt: &ast::StmtFor) {
    if checker.semantic.in_async_context() {
        return;
    }
    // Anchor on the `async for` header only.
    let range = TextRange::new(stmt.range().start(), stmt.iter.range().end());
    report(checker, "`async for`", range);
}

pub(crate) fn async_with(checker: &mut Checker, stmt: &ast::StmtWith) {
    if checker.semantic.in_async_context() {
        return;
    }
    let end = stmt
        .items
        .last()
        .map_or(stmt.range().start() + TextSize::from(5), |i| {
            i.range().end()
        });
    report(
        checker,
        "`async with`",
        TextRange::new(stmt.range().start(), end),
    );
}

/// List/set/dict comprehensions with `async for` must be in an async function. Generator
/// expressions are exempt: an async generator expression is legal anywhere.
pub(crate) fn async_comprehension(
    checker: &mut Checker,
    expr: &Expr,
    generators: &[ast::Comprehension],
) {
    if !generators.iter().any(|g| g.is_async)
        || checker.semantic.in_async_context()
        || checker.semantic.in_generator_expression()
    {
        return;
    }
    report(checker, "An asynchronous comprehension", expr.range());
}
