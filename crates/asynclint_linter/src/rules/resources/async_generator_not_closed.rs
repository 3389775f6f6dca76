//! ## What it does
//! Reports `async for` directly over a call of an async generator function whose body holds a
//! resource across `yield` (the `yield` is inside `async with`/`with`, or inside a `try` that
//! has a `finally`), when the loop can be left early by `break`, `return` or `raise`, and the
//! generator is not wrapped in `contextlib.aclosing(...)`. Generators are recognised across the
//! project: through imports, aliases, re-exports, `self.`/`cls.` methods and
//! `Class(...).method()`.
//!
//! ## Why is this bad?
//! Leaving an `async for` early does not close the async generator: it stays suspended at its
//! `yield` with the connection, lock, file or transaction still held. Unlike a sync generator,
//! its `finally`/`__aexit__` cannot run when the object is garbage-collected, because that
//! cleanup needs to `await`: asyncio's finalizer hook schedules `aclose()` as a new task on the
//! loop (or, without a running loop, at `loop.shutdown_asyncgens()`). The cleanup then runs
//! later, outside the caller's task, its timeouts and its context variables, and any error it
//! raises is only logged; under load the held resources pile up.
//!
//! ## Example
//! ```python
//! async def stream_rows(query):
//!     async with pool.acquire() as conn:
//!         async for row in conn.cursor(query):
//!             yield row
//!
//! async def first_admin():
//!     async for row in stream_rows("SELECT * FROM users"):
//!         if row["admin"]:
//!             return row
//! ```
//!
//! Use instead:
//! ```python
//! from contextlib import aclosing
//!
//! async def first_admin():
//!     async with aclosing(stream_rows("SELECT * FROM users")) as rows:
//!         async for row in rows:
//!             if row["admin"]:
//!                 return row
//! ```
//!
//! Not reported: loops without `break`/`return`/`raise` (an exhausted generator closes itself),
//! a `raise` inside a `try` of the loop body that has handlers, a `break` of a nested loop,
//! generators held in a variable (the caller can `aclose()` them), generators wrapped in
//! `aclosing(...)`, decorated functions, and callees that cannot be resolved with certainty.
//!
//! ## References
//! - [`contextlib.aclosing`](https://docs.python.org/3/library/contextlib.html#contextlib.aclosing)
//! - [PEP 525: Asynchronous Generators, finalization](https://peps.python.org/pep-0525/#finalization)
//! - [`loop.shutdown_asyncgens`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.shutdown_asyncgens)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts};
use crate::registry::Rule;
use crate::rules::function_facts::{self, Callee};

/// An `async for` statement.
pub(crate) fn async_generator_not_closed(checker: &mut Checker, for_stmt: &ast::StmtFor) {
    if !for_stmt.is_async {
        return;
    }
    let Expr::Call(call) = &*for_stmt.iter else {
        return;
    };
    let Some((exit, exit_range)) = early_exit(&for_stmt.body) else {
        return;
    };
    let exit = format!(
        "`{exit}` on line {}",
        checker.file().location(exit_range.start()).row
    );
    let display = function_facts::callee_display(checker, &call.func);
    let range = TextRange::new(for_stmt.start(), call.end());
    match function_facts::resolve_callee(checker, &call.func) {
        Some(Callee::Local(def)) => {
            if !def.is_async || !function_facts::is_undecorated(def) {
                return;
            }
            let facts = function_facts::body_facts(def);
            if facts.is_generator && facts.holds_resource {
                let location = format!(
                    "line {}",
                    checker.file().location(def.name.range.start()).row
                );
                let (message, help) = messages(&display, &exit, &location);
                checker.report(Rule::AsyncGeneratorNotClosed, message, help, range, None);
            }
        }
        Some(Callee::Project(target)) => {
            if let Some(builder) = &mut checker.summary {
                builder.summary.deferred.push(DeferredCheck {
                    rule: Rule::AsyncGeneratorNotClosed,
                    range,
                    target,
                    kind: DeferredKind::GeneratorNotClosed(Box::new(
                        crate::project::texts::GeneratorNotClosed { display, exit },
                    )),
                });
            }
        }
        None => {}
    }
}

/// The first statement of the loop body that leaves this loop before the generator is
/// exhausted: a `break` of this loop, a `return`, or a `raise` not inside a `try` with handlers.
fn early_exit(body: &[Stmt]) -> Option<(&'static str, TextRange)> {
    let mut finder = ExitFinder {
        loop_depth: 0,
        try_depth: 0,
        found: None,
    };
    finder.visit_body(body);
    finder.found
}

struct ExitFinder {
    loop_depth: u32,
    try_depth: u32,
    found: Option<(&'static str, TextRange)>,
}

impl<'a> Visitor<'a> for ExitFinder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Break(_) if self.loop_depth == 0 => self.found = Some(("break", stmt.range())),
            Stmt::Return(_) => self.found = Some(("return", stmt.range())),
            Stmt::Raise(_) if self.try_depth == 0 => self.found = Some(("raise", stmt.range())),
            Stmt::For(ast::StmtFor { body, orelse, .. })
            | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
                self.loop_depth += 1;
                self.visit_body(body);
                self.loop_depth -= 1;
                // A `break` in a nested loop's `else` leaves the enclosing loop.
                self.visit_body(orelse);
            }
            Stmt::Try(try_stmt) if !try_stmt.handlers.is_empty() => {
                self.try_depth += 1;
                self.visit_body(&try_stmt.body);
                self.try_depth -= 1;
                for handler in &try_stmt.handlers {
                    visitor::walk_except_handler(self, handler);
                }
                self.visit_body(&try_stmt.orelse);
                self.visit_body(&try_stmt.finalbody);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, _expr: &'a Expr) {}
}

fn messages(display: &str, exit: &str, location: &str) -> (String, String) {
    let call = display
        .strip_suffix("()")
        .map(|d| format!("{d}(...)"))
        .unwrap_or_else(|| display.to_string());
    (
        format!(
            "`async for` over `{display}` can leave the loop early ({exit}) while the async generator (`async def` at {location}) holds a resource across `yield`: its cleanup is deferred to garbage collection and runs outside this task"
        ),
        format!(
            "Close it deterministically: `async with contextlib.aclosing({call}) as items:` and iterate `items`"
        ),
    )
}

/// Phase 2: report when the target is an async generator holding a resource.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::GeneratorNotClosed(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::GeneratorNotClosed { display, exit } = &**texts;
    let function = facts.resolve_function(&check.target)?;
    let summary = function.summary;
    if !summary.is_async
        || !summary.is_generator
        || !summary.holds_resource
        || summary.opaque_decorator
        || summary.is_property
    {
        return None;
    }
    let location = facts.location(&function, summary.offset);
    let (message, help) = messages(display, exit, &location);
    let rule = Rule::AsyncGeneratorNotClosed;
    Some(
        Diagnostic::new(rule.code(), rule.name(), message, check.range, file.clone())
            .with_help(help),
    )
}
