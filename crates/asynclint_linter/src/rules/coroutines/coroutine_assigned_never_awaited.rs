//! ## What it does
//! Reports a coroutine stored in a local variable that is never awaited or used again. In
//! `result = fetch(...)`, the function never reads `result` afterwards: the coroutine is not
//! awaited, returned, passed to a call, stored elsewhere, yielded, or used with
//! `async with`/`async for`. The callee must be a known coroutine function: an `async def`
//! of your project (through imports, aliases, re-exports, `self.`/`cls.` methods and classes
//! instantiated in the function) or an asyncio coroutine function (`asyncio.sleep`,
//! `asyncio.wait_for`, `queue.get()` on an `asyncio.Queue`, ...).
//!
//! ## Why is this bad?
//! Calling an `async def` only creates a coroutine object; its body runs when the coroutine is
//! awaited or wrapped in a task. Assigning the object to a name does neither, so the work
//! silently never happens, and Python only warns `RuntimeWarning: coroutine '...' was never
//! awaited` when the object is garbage-collected. This is usually a forgotten `await`:
//! `user = fetch_user(user_id)` leaves `user` holding a coroutine instead of the user. For
//! `asyncio.gather(...)` and `loop.run_in_executor(...)` the work does start, but its result and
//! exceptions are never collected.
//!
//! ## Example
//! ```python
//! async def save_order(order): ...
//!
//! async def checkout(order):
//!     saved = save_order(order)
//!     log.info("order saved")
//! ```
//!
//! Use instead:
//! ```python
//! async def checkout(order):
//!     saved = await save_order(order)
//!     log.info("order saved")
//! ```
//!
//! Any later read of the variable counts as a use (even `if saved:` or `print(saved)`), and so
//! do `del`, `global`/`nonlocal` declarations and calls to `locals()`/`vars()`: only a coroutine
//! that certainly disappears is reported. Async generator functions, properties, and `async def`
//! functions behind a decorator that may change what they return are not coroutine functions
//! for this rule.
//!
//! ## References
//! - [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
//! - [asyncio: Detect never-awaited coroutines](https://docs.python.org/3/library/asyncio-dev.html#detect-never-awaited-coroutines)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::helpers::{
    call_text, callee_text, defer, is_coroutine_function, is_instance_attribute_call,
    project_coroutine_what, stdlib_coroutine, stdlib_returns, stdlib_what,
};
use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts};
use crate::registry::Rule;

/// Phase 1: `name = <call>` inside a function that never reads `name`.
pub(crate) fn coroutine_assigned_never_awaited(checker: &mut Checker, site: &CallSite) {
    let Some((name, range)) = assigned_name(checker, site) else {
        return;
    };
    // Only locals of a function: module globals and class attributes live on (a class body
    // nested in a function has no current function).
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    // Only a call that may return a coroutine is worth the walk over the function's body.
    let stdlib = stdlib_coroutine(site);
    let target = if stdlib {
        None
    } else {
        checker.call_target(site)
    };
    if !stdlib && (target.is_none() || is_instance_attribute_call(checker, site)) {
        return;
    }
    if is_used(&function.def.body, name, range) {
        return;
    }
    let call = call_text(checker, site);
    let callee = callee_text(checker, site);
    if stdlib {
        let returns = stdlib_returns(site);
        let consequence = if returns == "a future" {
            "its result and exceptions are never collected"
        } else {
            "it never runs"
        };
        let message = Message {
            call: &call,
            callee: &callee,
            name,
            returns,
            what: stdlib_what(site),
            consequence,
        };
        let diagnostic = diagnostic(&message, range, &checker.file());
        checker.push_diagnostic(diagnostic);
        return;
    }
    let Some(target) = target else { return };
    let kind =
        DeferredKind::CoroutineAssigned(Box::new(crate::project::texts::CoroutineAssigned {
            call,
            callee,
            name: name.to_string(),
        }));
    defer(
        checker,
        Rule::CoroutineAssignedNeverAwaited,
        range,
        target,
        kind,
    );
}

/// `name = call` / `name: T = call` where the call is the whole value; the statement's range.
fn assigned_name<'a>(checker: &Checker<'a>, site: &CallSite) -> Option<(&'a str, TextRange)> {
    let call_range = site.call.range();
    match checker.current_statement()? {
        Stmt::Assign(assign) if assign.value.range() == call_range => {
            match assign.targets.as_slice() {
                [Expr::Name(name)] => Some((name.id.as_str(), assign.range())),
                _ => None,
            }
        }
        Stmt::AnnAssign(assign)
            if assign.value.as_deref().map(Ranged::range) == Some(call_range) =>
        {
            match &*assign.target {
                Expr::Name(name) => Some((name.id.as_str(), assign.range())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Any read of `name` anywhere in the function (nested functions and lambdas included, since
/// closures may await it), a `del`, a `global`/`nonlocal` declaration of it, or a call that can
/// reach every local (`locals()`, `vars()`, `eval`, `exec`).
///
/// The search starts at the top-level statement holding the assignment (`at`): the name is
/// nearly always read soon after, and walking from the top of the function for every assigned
/// call made long functions quadratic. The statements before it come last (a loop may read the
/// name before it is assigned again).
fn is_used(body: &[Stmt], name: &str, at: TextRange) -> bool {
    let holding = body.partition_point(|stmt| stmt.end() <= at.start());
    let (before, from) = body.split_at(holding);
    let mut finder = UseFinder { name, found: false };
    finder.visit_body(from);
    if !finder.found {
        finder.visit_body(before);
    }
    finder.found
}

struct UseFinder<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for UseFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        match stmt {
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. })
                if names.iter().any(|n| n.as_str() == self.name) =>
            {
                self.found = true;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Name(name) => {
                if name.id.as_str() == self.name && !matches!(name.ctx, ExprContext::Store) {
                    self.found = true;
                }
            }
            Expr::Call(call) if matches!(&*call.func, Expr::Name(f) if matches!(f.id.as_str(), "locals" | "vars" | "eval" | "exec")) =>
            {
                self.found = true;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

struct Message<'m> {
    call: &'m str,
    callee: &'m str,
    name: &'m str,
    /// "a coroutine object" / "a future".
    returns: &'m str,
    what: &'m str,
    consequence: &'m str,
}

fn diagnostic(m: &Message, range: TextRange, file: &Arc<SourceFile>) -> Diagnostic {
    let Message {
        call,
        callee,
        name,
        returns,
        what,
        consequence,
    } = m;
    let noun = returns.strip_suffix(" object").unwrap_or(returns);
    Diagnostic::new(
        Rule::CoroutineAssignedNeverAwaited.code(),
        Rule::CoroutineAssignedNeverAwaited.name(),
        format!(
            "`{name} = {call}` stores {noun} that is never awaited, returned or passed on: `{callee}` is {what}, so {consequence}"
        ),
        range,
        file.clone(),
    )
    .with_help(format!(
        "Await it (`{name} = await {call}`), or run it concurrently with `asyncio.create_task(...)` and keep the task"
    ))
}

/// Phase 2: report when the target is a project coroutine function.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::CoroutineAssigned(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::CoroutineAssigned { call, callee, name } = &**texts;
    let function = facts.resolve_function(&check.target)?;
    if !is_coroutine_function(&function) {
        return None;
    }
    let what = project_coroutine_what(facts, &function);
    let message = Message {
        call,
        callee,
        name,
        returns: "a coroutine object",
        what: &what,
        consequence: "its body never runs",
    };
    Some(diagnostic(&message, check.range, file))
}
