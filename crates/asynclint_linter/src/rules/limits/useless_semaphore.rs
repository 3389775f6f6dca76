//! ## What it does
//! Reports an `asyncio.Semaphore`, `BoundedSemaphore` or `Lock` (also anyio's `Semaphore`,
//! `Lock` and `CapacityLimiter`) that is created inside an `async def` and used only by that
//! same invocation: assigned to a local that is only ever used as `async with sem:` or
//! `sem.acquire()`/`release()`/`locked()` in the function's own body, or created inline in
//! `async with asyncio.Semaphore(n):`.
//!
//! ## Why is this bad?
//! A semaphore or lock limits concurrency only between the tasks that *share* it. A coroutine
//! runs its own body sequentially, so a limiter that only its own invocation ever touches is
//! never contended: every call of the function builds a fresh one, acquires it immediately,
//! and nothing is limited. With ten concurrent requests, ten semaphores of size 5 each let
//! all ten through. The code looks protected (against rate limits, against concurrent writes
//! to a shared resource) while it is not.
//!
//! ## Example
//! ```python
//! async def fetch(session, url):
//!     sem = asyncio.Semaphore(5)
//!     async with sem:
//!         return await session.get(url)
//! ```
//!
//! Use instead:
//! ```python
//! FETCH_LIMIT = asyncio.Semaphore(5)
//!
//! async def fetch(session, url):
//!     async with FETCH_LIMIT:
//!         return await session.get(url)
//! ```
//!
//! or create the semaphore once per batch and share it with the tasks of the batch.
//!
//! Not reported: a limiter that is shared in any way: used by a nested function, lambda or
//! comprehension (the tasks they create share it), passed to a call (a worker, `gather`,
//! a constructor), returned, yielded, stored on `self`/in a collection/in a global, or bound
//! more than once; limiters created in a sync function or at module level; an unused one;
//! test modules (`test_*.py`, `*_test.py`, `conftest.py`), which exercise the primitives
//! themselves.
//!
//! ## References
//! - [`asyncio.Semaphore`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Semaphore)
//! - [`asyncio.Lock`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Lock)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::testing::helpers::in_test_module;
use crate::semantic::BindingKind;

/// Limiter constructors, and how they are named in messages.
const LIMITERS: &[(&str, &str)] = &[
    ("asyncio.Semaphore", "semaphore"),
    ("asyncio.BoundedSemaphore", "semaphore"),
    ("asyncio.Lock", "lock"),
    ("asyncio.locks.Semaphore", "semaphore"),
    ("asyncio.locks.BoundedSemaphore", "semaphore"),
    ("asyncio.locks.Lock", "lock"),
    ("anyio.Semaphore", "semaphore"),
    ("anyio.Lock", "lock"),
    ("anyio.CapacityLimiter", "limiter"),
];

/// Methods that use the limiter without sharing it.
const OWN_USES: &[&str] = &["acquire", "release", "locked"];

const HELP: &str = "Create the limiter once where every caller shares it (module level, an attribute set in `__init__`, or before spawning the tasks, passed to each of them)";

/// A local limiter of an `async def`: checked once when the function body is entered.
pub(crate) fn useless_semaphore<'a>(checker: &mut Checker<'a>, def: &'a ast::StmtFunctionDef) {
    // Tests exercise the primitives themselves.
    if !def.is_async || in_test_module(checker) {
        return;
    }
    let mut assignments = LimiterAssignments::default();
    assignments.visit_body(&def.body);
    for (name, call) in assignments.found {
        let Some((constructor, what)) = limiter(checker, call) else {
            continue;
        };
        // Bound exactly once, here: no `global`, no rebinding, no parameter of that name.
        let single = checker.semantic.local_bindings(name).is_some_and(
            |bindings| matches!(bindings, [b] if matches!(b.kind, BindingKind::Assignment { .. })),
        );
        if !single {
            continue;
        }
        let mut uses = Uses {
            name,
            nested: 0,
            own: 0,
            shared: false,
        };
        uses.visit_body(&def.body);
        if uses.shared || uses.own == 0 {
            continue;
        }
        let shown = shown_call(checker, call, constructor);
        checker.report(
            Rule::UselessSemaphore,
            format!(
                "`{name} = {shown}` is created inside `{}()` and used only by this invocation: every call gets a fresh {what} that no other task shares, so it never makes anyone wait and limits nothing",
                def.name
            ),
            HELP,
            call.range(),
            None,
        );
    }
}

/// `async with asyncio.Semaphore(n):` — a limiter created in the statement that uses it.
pub(crate) fn useless_semaphore_in_with(checker: &mut Checker, with: &ast::StmtWith) {
    if !with.is_async || in_test_module(checker) {
        return;
    }
    for item in &with.items {
        let Expr::Call(call) = &item.context_expr else {
            continue;
        };
        let Some((constructor, what)) = limiter(checker, call) else {
            continue;
        };
        let shown = shown_call(checker, call, constructor);
        checker.report(
            Rule::UselessSemaphore,
            format!(
                "`async with {shown}` creates a new {what} every time it runs: nothing else can hold it, so it never makes anyone wait and limits nothing"
            ),
            HELP,
            call.range(),
            None,
        );
    }
}

fn limiter(checker: &Checker, call: &ast::ExprCall) -> Option<(&'static str, &'static str)> {
    let qualified = checker.semantic.resolve_qualified_name(&call.func)?;
    LIMITERS
        .iter()
        .find(|(name, _)| *name == qualified)
        .map(|(name, what)| (*name, *what))
}

fn shown_call(checker: &Checker, call: &ast::ExprCall, constructor: &str) -> String {
    let text = checker.source_of(call.range());
    if text.len() <= 50 && !text.contains('\n') {
        text.to_string()
    } else {
        format!("{constructor}(...)")
    }
}

/// `name = <call>` statements of the function body (nested scopes excluded).
#[derive(Default)]
struct LimiterAssignments<'a> {
    found: Vec<(&'a str, &'a ast::ExprCall)>,
}

impl<'a> Visitor<'a> for LimiterAssignments<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Assign(assign) => {
                if let [Expr::Name(name)] = assign.targets.as_slice()
                    && let Expr::Call(call) = &*assign.value
                {
                    self.found.push((name.id.as_str(), call));
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Expr::Name(name) = &*assign.target
                    && let Some(Expr::Call(call)) = assign.value.as_deref()
                {
                    self.found.push((name.id.as_str(), call));
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}

/// How the function uses `name`: `async with name:` and `name.acquire()`-style calls in its
/// own body are `own` uses; anything else (and any use from a nested scope) shares it.
struct Uses<'n> {
    name: &'n str,
    /// Depth of nested functions, lambdas, classes and comprehensions.
    nested: u32,
    own: u32,
    shared: bool,
}

impl Uses<'_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if n.id.as_str() == self.name)
    }
}

impl<'a> Visitor<'a> for Uses<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.shared {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                visitor::walk_stmt(self, stmt);
                self.nested -= 1;
            }
            Stmt::With(with) if with.is_async && self.nested == 0 => {
                for item in &with.items {
                    if self.is_name(&item.context_expr) && item.optional_vars.is_none() {
                        self.own += 1;
                    } else {
                        self.visit_with_item(item);
                    }
                }
                self.visit_body(&with.body);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.shared {
            return;
        }
        match expr {
            Expr::Name(n) if n.id.as_str() == self.name => {
                // Stores are the binding itself (checked to be unique); `del` ends it.
                if n.ctx.is_load() {
                    self.shared = true;
                }
            }
            Expr::Call(call)
                if self.nested == 0
                    && matches!(&*call.func, Expr::Attribute(attr)
                        if self.is_name(&attr.value) && OWN_USES.contains(&attr.attr.as_str())) =>
            {
                self.own += 1;
                self.visit_arguments(&call.arguments);
            }
            Expr::Lambda(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
            | Expr::Generator(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
