//! ## What it does
//! Reports `return`, `break` and `continue` statements in the `finally:` block of a `try`
//! statement in an `async def` (`break`/`continue` only when they leave the `finally` block,
//! not when they belong to a loop written inside it).
//!
//! ## Why is this bad?
//! Leaving a `finally` block with `return`, `break` or `continue` discards the exception that
//! was propagating through it. In a coroutine that exception is very often
//! `asyncio.CancelledError`: `task.cancel()`, `asyncio.timeout()` and `TaskGroup` shutdown
//! throw it into the task at its current `await`, and the jump silently turns the
//! cancellation into a normal return (or another loop iteration), so the task never stops and
//! timeouts never fire. Every other error from the `try` body disappears the same way, with no
//! traceback. Python 3.14 emits a `SyntaxWarning` for these statements (PEP 765).
//!
//! ## Example
//! ```python
//! async def fetch_status(client, url):
//!     try:
//!         response = await client.get(url)
//!     finally:
//!         return response.status  # swallows CancelledError and every other error
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch_status(client, url):
//!     response = await client.get(url)
//!     return response.status
//! ```
//!
//! Not reported: `break`/`continue` of a loop that is itself inside the `finally` block, jumps
//! in nested functions, and `finally` blocks of synchronous functions.
//!
//! ## References
//! - [The `try` statement: "If the `finally` clause executes a `return`, `break` or `continue` statement, the saved exception is discarded"](https://docs.python.org/3/reference/compound_stmts.html#finally-clause)
//! - [PEP 765 – Disallow return/break/continue that exit a finally block](https://peps.python.org/pep-0765/)
//! - [Task cancellation](https://docs.python.org/3/library/asyncio-task.html#task-cancellation)

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::registry::Rule;

pub(crate) fn jump_in_finally(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    if try_stmt.finalbody.is_empty() || !checker.semantic.in_async_context() {
        return;
    }
    let mut jumps = Vec::new();
    collect_jumps(&try_stmt.finalbody, false, &mut jumps);
    for jump in jumps {
        let (keyword, what) = match jump {
            Stmt::Return(_) => ("return", "returns normally"),
            Stmt::Break(_) => ("break", "leaves the loop"),
            _ => ("continue", "starts the next iteration"),
        };
        checker.report(
            Rule::JumpInFinally,
            format!(
                "`{keyword}` in `finally` discards the exception in flight, including `asyncio.CancelledError`: a cancelled task {what} instead of stopping, and errors vanish without a traceback"
            ),
            format!(
                "Move the `{keyword}` after the `try` statement and keep only cleanup in `finally`"
            ),
            jump.range(),
            None,
        );
    }
}

/// Jumps that leave the `finally` block. `in_loop`: inside a loop written in the block.
fn collect_jumps<'a>(body: &'a [Stmt], in_loop: bool, jumps: &mut Vec<&'a Stmt>) {
    for stmt in body {
        match stmt {
            Stmt::Return(_) => jumps.push(stmt),
            Stmt::Break(_) | Stmt::Continue(_) if !in_loop => jumps.push(stmt),
            Stmt::For(ast::StmtFor { body, orelse, .. })
            | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
                collect_jumps(body, true, jumps);
                collect_jumps(orelse, in_loop, jumps);
            }
            Stmt::If(if_stmt) => {
                collect_jumps(&if_stmt.body, in_loop, jumps);
                for clause in &if_stmt.elif_else_clauses {
                    collect_jumps(&clause.body, in_loop, jumps);
                }
            }
            Stmt::With(with) => collect_jumps(&with.body, in_loop, jumps),
            Stmt::Match(match_stmt) => {
                for case in &match_stmt.cases {
                    collect_jumps(&case.body, in_loop, jumps);
                }
            }
            Stmt::Try(inner) => {
                // A nested `finally` is reported when its own `try` is visited.
                collect_jumps(&inner.body, in_loop, jumps);
                for handler in &inner.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    collect_jumps(&handler.body, in_loop, jumps);
                }
                collect_jumps(&inner.orelse, in_loop, jumps);
            }
            _ => {}
        }
    }
}
