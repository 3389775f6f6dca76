//! ## What it does
//! Reports `await asyncio.gather(*tasks)` and `await asyncio.wait(tasks)` with no timeout, in an
//! `async def` that cancelled those same tasks earlier (`task.cancel()`, or
//! `for t in tasks: t.cancel()`): the usual shape of shutdown code.
//!
//! ## Why is this bad?
//! `Task.cancel()` only *requests* cancellation: it throws `CancelledError` into the task at its
//! next `await`. A task that catches `CancelledError` and carries on (a retry loop with a broad
//! `except`, a `finally` that awaits a slow network close, code stuck in a blocking call or in a
//! third-party library that suppresses cancellation) never finishes, and a wait without a
//! timeout then hangs the shutdown forever: the process has to be killed with `SIGKILL`,
//! skipping the rest of the cleanup.
//!
//! ## Example
//! ```python
//! async def shutdown(tasks):
//!     for task in tasks:
//!         task.cancel()
//!     await asyncio.gather(*tasks, return_exceptions=True)
//! ```
//!
//! Use instead:
//! ```python
//! async def shutdown(tasks):
//!     for task in tasks:
//!         task.cancel()
//!     done, pending = await asyncio.wait(tasks, timeout=10)
//!     for task in pending:
//!         logger.warning("task %r ignored cancellation", task)
//! ```
//!
//! Not reported: `asyncio.wait(..., timeout=<not None>)`; waits inside `asyncio.wait_for(...)`
//! or under `async with asyncio.timeout(...)`/`timeout_at(...)`, `async_timeout.timeout(...)`,
//! anyio/trio `fail_after`/`move_on_after`; waits for tasks that were not cancelled in the same
//! function before the wait; tasks created in the function around an asyncio primitive
//! (`asyncio.create_task(queue.get())`, `create_task(event.wait())`,
//! `create_task(asyncio.sleep(...))`), which cannot ignore the cancellation.
//!
//! This rule is off by default: it needs a judgement on how much the cancelled tasks can be
//! trusted to finish.
//!
//! ## References
//! - [`asyncio.Task.cancel`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.cancel)
//! - [`asyncio.wait`](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait)
//! - [`asyncio.timeout`](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// Context managers and wrappers that bound the time spent inside them.
const TIMEOUT_SCOPES: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.timeouts.timeout",
    "asyncio.timeouts.timeout_at",
    "async_timeout.timeout",
    "async_timeout.timeout_at",
    "anyio.fail_after",
    "anyio.move_on_after",
    "trio.fail_after",
    "trio.move_on_after",
];

pub(crate) fn shutdown_wait_without_timeout(checker: &mut Checker, site: &CallSite) {
    let is_wait = match site.qualified {
        Some("asyncio.gather" | "asyncio.tasks.gather") => false,
        Some("asyncio.wait" | "asyncio.tasks.wait") => true,
        _ => return,
    };
    if !checker.semantic.in_async_context() {
        return;
    }
    let call = site.call;
    // What is waited for, as written: `tasks` for `*tasks`/`tasks`, `task` for `gather(task)`.
    let waited: Vec<&Expr> = if is_wait {
        if let Some(timeout) = site.keyword("timeout")
            && !matches!(timeout.value, Expr::NoneLiteral(_))
        {
            return;
        }
        let Some(first) = call
            .arguments
            .args
            .first()
            .or_else(|| site.keyword("fs").map(|k| &k.value))
        else {
            return;
        };
        vec![first]
    } else {
        call.arguments
            .args
            .iter()
            .map(|a| match a {
                Expr::Starred(starred) => &*starred.value,
                other => other,
            })
            .collect()
    };
    let keys: Vec<&str> = waited
        .iter()
        .filter(|e| matches!(e, Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_)))
        .map(|e| checker.source_of(e.range()))
        .filter(|text| !text.contains('\n'))
        .collect();
    if keys.is_empty() || time_bounded(checker) {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let mut finder = CancelFinder {
        source: checker.source,
        keys: &keys,
        before: call.start(),
        found: None,
    };
    finder.visit_body(&function.def.body);
    let Some((key, at)) = finder.found else {
        return;
    };
    let Some(key_expr) = waited.iter().find(|e| checker.source_of(e.range()) == key) else {
        return;
    };
    if cooperative_tasks(checker, key_expr) {
        return;
    }
    let line = checker.file().location(at).row;
    // `gather(task)`: a single task, which `asyncio.wait` takes in a set.
    let single = !is_wait
        && call
            .arguments
            .args
            .iter()
            .any(|a| !matches!(a, Expr::Starred(_)) && checker.source_of(a.range()) == key);
    let collection = if single {
        format!("{{{key}}}")
    } else {
        key.to_string()
    };
    let range = match checker.parent_expression() {
        Some(Expr::Await(await_expr)) if await_expr.value.range() == call.range() => {
            await_expr.range()
        }
        _ => call.range(),
    };
    let what = if is_wait {
        format!("asyncio.wait({key})")
    } else {
        "asyncio.gather(...)".to_string()
    };
    checker.report(
        Rule::ShutdownWaitWithoutTimeout,
        format!(
            "`{what}` waits with no timeout for `{key}`, cancelled on line {line}: cancellation is only a request, and one task that ignores it or is stuck in blocking code hangs the shutdown forever"
        ),
        format!(
            "Bound the wait: `await asyncio.wait({collection}, timeout=...)` (then log what is still pending), or wrap it in `async with asyncio.timeout(...)`"
        ),
        range,
        None,
    );
}

/// asyncio primitives whose waits always end promptly when cancelled.
const COOPERATIVE_KINDS: &[&str] = &[
    "asyncio.Queue()",
    "asyncio.LifoQueue()",
    "asyncio.PriorityQueue()",
    "asyncio.Event()",
    "asyncio.Condition()",
    "asyncio.Lock()",
    "asyncio.Semaphore()",
    "asyncio.BoundedSemaphore()",
];

/// Tasks created in this function around an asyncio primitive (`create_task(queue.get())`,
/// `create_task(event.wait())`, `create_task(asyncio.sleep(...))`), which cannot ignore the
/// cancellation: `task` itself, or a literal `{task_a, task_b}` bound to the waited name.
fn cooperative_tasks(checker: &Checker, waited: &Expr) -> bool {
    let Expr::Name(name) = waited else {
        return false;
    };
    let Some(binding) = checker.semantic.unique_binding(name.id.as_str()) else {
        return false;
    };
    let BindingKind::Assignment {
        value: Some(value), ..
    } = &binding.kind
    else {
        return false;
    };
    match value {
        Expr::Set(ast::ExprSet { elts, .. })
        | Expr::List(ast::ExprList { elts, .. })
        | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            !elts.is_empty()
                && elts
                    .iter()
                    .all(|e| matches!(e, Expr::Name(_)) && cooperative_tasks(checker, e))
        }
        Expr::Call(call) => {
            let creates_task = checker
                .semantic
                .resolve_qualified_name(&call.func)
                .is_some_and(|q| {
                    matches!(q.as_str(), "asyncio.create_task" | "asyncio.ensure_future")
                });
            let Some(Expr::Call(inner)) = call.arguments.args.first() else {
                return false;
            };
            if !creates_task {
                return false;
            }
            if checker
                .semantic
                .resolve_qualified_name(&inner.func)
                .is_some_and(|q| q == "asyncio.sleep")
            {
                return true;
            }
            let Expr::Attribute(attr) = &*inner.func else {
                return false;
            };
            checker
                .semantic
                .object_kind(&attr.value)
                .is_some_and(|k| COOPERATIVE_KINDS.contains(&k.as_str()))
        }
        _ => false,
    }
}

/// Inside `asyncio.wait_for(...)` or a timeout scope of the current function.
fn time_bounded(checker: &Checker) -> bool {
    for expr in checker.expression_ancestors() {
        if let Expr::Call(parent) = expr
            && checker
                .semantic
                .resolve_qualified_name(&parent.func)
                .is_some_and(|q| {
                    matches!(q.as_str(), "asyncio.wait_for" | "asyncio.tasks.wait_for")
                })
        {
            return true;
        }
    }
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::With(with)
                if with.items.iter().any(|item| {
                    matches!(&item.context_expr, Expr::Call(c)
                        if checker.semantic.resolve_qualified_name(&c.func)
                            .is_some_and(|q| TIMEOUT_SCOPES.contains(&q.as_str())))
                }) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Finds, before `before`, a cancellation of one of `keys`: `key.cancel()`,
/// `for t in key: ... t.cancel()`, `[t.cancel() for t in key]`.
struct CancelFinder<'s, 'k> {
    source: &'s str,
    keys: &'k [&'k str],
    before: TextSize,
    found: Option<(&'k str, TextSize)>,
}

impl CancelFinder<'_, '_> {
    fn key_of(&self, expr: &Expr) -> Option<&str> {
        let text = self.source.get(expr.range().to_std_range())?;
        self.keys.iter().copied().find(|k| *k == text)
    }
}

impl<'a, 'k> Visitor<'a> for CancelFinder<'_, 'k> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() || stmt.range().start() >= self.before {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::For(for_stmt) if !for_stmt.is_async => {
                if let Expr::Name(target) = &*for_stmt.target
                    && let Some(key) = self.key_of(&for_stmt.iter)
                    && calls_cancel_on(&for_stmt.body, target.id.as_str())
                {
                    let key = self.keys.iter().copied().find(|k| *k == key);
                    if let Some(key) = key {
                        self.found = Some((key, stmt.range().start()));
                        return;
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() || expr.range().start() >= self.before {
            return;
        }
        match expr {
            Expr::Lambda(_) => return,
            Expr::Call(call) => {
                if let Expr::Attribute(attr) = &*call.func
                    && attr.attr.as_str() == "cancel"
                    && let Some(key) = self.key_of(&attr.value)
                {
                    let key = self.keys.iter().copied().find(|k| *k == key);
                    if let Some(key) = key {
                        self.found = Some((key, expr.range().start()));
                        return;
                    }
                }
            }
            Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                elt, generators, ..
            })
            | Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            }) => {
                if let [generator] = generators.as_slice()
                    && let Expr::Name(target) = &generator.target
                    && is_cancel_of(elt, target.id.as_str())
                    && let Some(key) = self.key_of(&generator.iter)
                {
                    let key = self.keys.iter().copied().find(|k| *k == key);
                    if let Some(key) = key {
                        self.found = Some((key, expr.range().start()));
                        return;
                    }
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

fn is_cancel_of(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Call(call) if matches!(&*call.func, Expr::Attribute(attr)
        if attr.attr.as_str() == "cancel"
            && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == name)))
}

/// Does `body` call `name.cancel()` (at any depth, not in nested scopes)?
fn calls_cancel_on(body: &[Stmt], name: &str) -> bool {
    let mut found = false;
    crate::rules::tasks::helpers::for_each_local_expr(body, |expr| {
        if is_cancel_of(expr, name) {
            found = true;
        }
    });
    found
}
