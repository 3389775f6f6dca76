//! ## What it does
//! Reports `asyncio.get_event_loop()`:
//! - in async context, where `asyncio.get_running_loop()` says what is meant and cannot
//!   create or return the wrong loop;
//! - outside async context when the target Python is 3.10 or newer and no loop can be
//!   running: at module level, or in a synchronous function that goes on to drive the loop
//!   itself (`run_until_complete`/`run_forever`).
//!
//! ## Why is this bad?
//! `get_event_loop()` has two meanings. Inside a coroutine it returns the running loop, the
//! job of `get_running_loop()`, which states the intent and fails loudly when called from the
//! wrong place. Outside a running loop it used to create a loop on the fly: that behaviour is
//! deprecated since Python 3.10, warns in 3.12, and raises `RuntimeError` in 3.14 when no loop
//! is set. Scripts written as `loop = asyncio.get_event_loop(); loop.run_until_complete(main())`
//! break on newer Pythons; `asyncio.run(main())` replaces the whole dance and also closes the
//! loop and its async generators properly.
//!
//! Synchronous helpers and callbacks that are called *from* running coroutines are not
//! reported: there `get_event_loop()` still returns the running loop.
//!
//! ## Example
//! ```python
//! async def handler():
//!     loop = asyncio.get_event_loop()
//!     await loop.run_in_executor(None, work)
//!
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(main())
//! ```
//!
//! Use instead:
//! ```python
//! async def handler():
//!     loop = asyncio.get_running_loop()
//!     await loop.run_in_executor(None, work)
//!
//! asyncio.run(main())
//! ```
//!
//! ## Fix safety
//! In async context the fix replaces `asyncio.get_event_loop` with `asyncio.get_running_loop`.
//! It is safe: inside a running coroutine both return the same loop. No fix is offered
//! outside async context, where the replacement (`asyncio.run`, `new_event_loop`) depends on
//! the surrounding code, nor for the `from asyncio import get_event_loop` form.
//!
//! ## Options
//! - `target-version`: the check outside async context applies from `py310`.
//!
//! ## References
//! - [`asyncio.get_event_loop`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.get_event_loop)
//! - [`asyncio.get_running_loop`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.get_running_loop)

use asynclint_diagnostics::{Edit, Fix};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::settings::TargetVersion;

pub(crate) fn get_event_loop(checker: &mut Checker, site: &CallSite) {
    if !matches!(
        site.qualified,
        Some("asyncio.get_event_loop" | "asyncio.events.get_event_loop")
    ) {
        return;
    }
    let call = site.call;
    if checker.semantic.in_async_context() {
        let fix = match &*call.func {
            Expr::Attribute(attr) => Some(Fix::safe(
                "Replace with `asyncio.get_running_loop()`",
                vec![Edit::replacement("get_running_loop", attr.attr.range())],
            )),
            _ => None,
        };
        checker.report(
            Rule::GetEventLoop,
            "`asyncio.get_event_loop()` in async context: use `get_running_loop()`, which states the intent and cannot silently create a new loop",
            "Use `asyncio.get_running_loop()`",
            call.range(),
            fix,
        );
        return;
    }
    if checker.settings.target_version < TargetVersion::PY310 {
        return;
    }
    let no_loop_running = if checker.semantic.at_module_level() {
        true
    } else if let Some(function) = checker.semantic.enclosing_function() {
        !function.def.is_async && drives_loop(&function.def.body)
    } else {
        false
    };
    if !no_loop_running {
        return;
    }
    checker.report(
        Rule::GetEventLoop,
        format!(
            "`asyncio.get_event_loop()` with no running loop is deprecated since Python 3.10 and raises `RuntimeError` from 3.14 (target: {})",
            checker.settings.target_version
        ),
        "Use `asyncio.run(main())` to run the program, or `asyncio.new_event_loop()` when you must manage a loop yourself",
        call.range(),
        None,
    );
}

/// Does this synchronous body call `.run_until_complete(...)` or `.run_forever()`?
fn drives_loop(body: &[Stmt]) -> bool {
    let mut finder = DrivesLoop { found: false };
    finder.visit_body(body);
    finder.found
}

struct DrivesLoop {
    found: bool,
}

impl<'a> Visitor<'a> for DrivesLoop {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr
            && let Expr::Attribute(attr) = &*call.func
            && matches!(attr.attr.as_str(), "run_until_complete" | "run_forever")
        {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}
