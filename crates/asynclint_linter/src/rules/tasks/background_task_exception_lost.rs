//! ## What it does
//! Reports a background task whose exception nobody can ever see: the task is kept only in a
//! long-lived collection (`self._tasks` or a module global) with
//! `task.add_done_callback(tasks.discard)` as its only done-callback, the collection is never
//! awaited, gathered, waited on or iterated anywhere in the module, the task itself is never
//! awaited and its `.result()`/`.exception()` are never called, and the coroutine it runs (an
//! `async def` of this file) has no catch-all `except Exception`/`except BaseException`/bare
//! `except` handler.
//!
//! This rule is off by default: whether a failure of a background job matters is a design
//! decision, and the rule only sees one file. Enable it with `--select AIO302`.
//!
//! ## Why is this bad?
//! The "keep a reference in a set, discard it when done" idiom from the asyncio documentation
//! stops the task from being garbage-collected mid-flight, but the done-callback throws the
//! task away without looking at it. If the coroutine raises, the exception is stored on the
//! task and nobody retrieves it: the only trace is a "Task exception was never retrieved"
//! message that asyncio logs whenever the task object happens to be garbage-collected (maybe
//! much later, maybe never on shutdown), without any context about which job failed. The job
//! has silently stopped.
//!
//! ## Example
//! ```python
//! class Indexer:
//!     def __init__(self):
//!         self._tasks = set()
//!
//!     async def _reindex(self, doc_id):
//!         await self._store.reindex(doc_id)
//!
//!     def schedule(self, doc_id):
//!         task = asyncio.create_task(self._reindex(doc_id))
//!         self._tasks.add(task)
//!         task.add_done_callback(self._tasks.discard)
//! ```
//!
//! Use instead:
//! ```python
//! class Indexer:
//!     def __init__(self):
//!         self._tasks = set()
//!
//!     async def _reindex(self, doc_id):
//!         await self._store.reindex(doc_id)
//!
//!     def _on_done(self, task):
//!         self._tasks.discard(task)
//!         if not task.cancelled() and task.exception() is not None:
//!             logger.error("reindex failed", exc_info=task.exception())
//!
//!     def schedule(self, doc_id):
//!         task = asyncio.create_task(self._reindex(doc_id))
//!         self._tasks.add(task)
//!         task.add_done_callback(self._on_done)
//! ```
//!
//! or catch and log exceptions inside `_reindex`.
//!
//! Not reported: tasks that are awaited, returned, passed on or given any other done-callback;
//! collections that are gathered, waited on, iterated or passed to other code; coroutines that
//! are not `async def`s of this file, are decorated (the decorator may log), or contain a
//! catch-all handler or `contextlib.suppress(Exception)`.
//!
//! ## References
//! - [asyncio: detect never-retrieved exceptions](https://docs.python.org/3/library/asyncio-dev.html#detect-never-retrieved-exceptions)
//! - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
//! - [`Task.exception`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.exception)

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::tasks::task_collection_never_discarded::{
    Collection, CollectionScope, long_lived_collection,
};
use crate::rules::tasks::task_tracking::{local_function, short_source, task_creation};

pub(crate) fn background_task_exception_lost(checker: &mut Checker, site: &CallSite) {
    let call = site.call;
    if checker.parent_expression().is_some() {
        return;
    }
    let Some(Stmt::Assign(assign)) = checker.current_statement() else {
        return;
    };
    if assign.value.range() != call.range() {
        return;
    }
    let [Expr::Name(task_name)] = assign.targets.as_slice() else {
        return;
    };
    if task_creation(checker, &assign.value).is_none() {
        return;
    }
    let Some([_]) = checker.semantic.local_bindings(task_name.id.as_str()) else {
        return;
    };
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let mut uses = TaskUses {
        name: task_name.id.as_str(),
        skip: task_name.range,
        added_to: Vec::new(),
        callbacks: Vec::new(),
        other: false,
    };
    uses.visit_body(&function.def.body);
    if uses.other {
        return;
    }
    let [collection_expr] = uses.added_to.as_slice() else {
        return;
    };
    if uses.callbacks.is_empty() {
        return;
    }
    let only_discards = uses.callbacks.iter().all(|callback| {
        matches!(callback, Expr::Attribute(attr)
            if matches!(attr.attr.as_str(), "discard" | "remove")
                && ComparableExpr::from(&*attr.value) == ComparableExpr::from(*collection_expr))
    });
    if !only_discards {
        return;
    }
    let Some((collection, _)) = long_lived_collection(checker, collection_expr) else {
        return;
    };
    if observed_anywhere(checker, collection) {
        return;
    }
    // The coroutine must be visible and must not log its own failures.
    let Some(Expr::Call(coroutine)) = call.arguments.args.first() else {
        return;
    };
    let Some(def) = local_function(checker, &coroutine.func) else {
        return;
    };
    if !def.is_async || !def.decorator_list.is_empty() || has_catch_all(checker, &def.body) {
        return;
    }
    let shown = short_source(checker, collection_expr, "the collection");
    let coroutine_name = def.name.as_str();
    checker.report(
        Rule::BackgroundTaskExceptionLost,
        format!(
            "Exceptions of background task `{}` (`{coroutine_name}()`) are never retrieved: it is only kept in `{shown}`, whose done-callback just discards it, and `{coroutine_name}` has no catch-all handler, so a failure surfaces only as \"Task exception was never retrieved\" when the task is garbage-collected",
            task_name.id
        ),
        format!(
            "Log failures in a done-callback (`if not t.cancelled() and t.exception(): ...`) before discarding the task, or catch and log exceptions inside `{coroutine_name}`"
        ),
        call.range(),
        None,
    );
}

/// Every use of the task's name in the function: `C.add(task)`/`C.append(task)` statements,
/// `task.add_done_callback(cb)` statements, and anything else.
struct TaskUses<'n, 'a> {
    name: &'n str,
    skip: TextRange,
    added_to: Vec<&'a Expr>,
    callbacks: Vec<&'a Expr>,
    other: bool,
}

impl<'a> Visitor<'a> for TaskUses<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.other {
            return;
        }
        if let Stmt::Expr(s) = stmt
            && let Expr::Call(call) = &*s.value
            && let Expr::Attribute(attr) = &*call.func
            && call.arguments.keywords.is_empty()
            && let [arg] = &*call.arguments.args
        {
            let is_task = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == self.name);
            if matches!(attr.attr.as_str(), "add" | "append") && is_task(arg) {
                self.added_to.push(&attr.value);
                self.visit_expr(&attr.value);
                return;
            }
            if attr.attr.as_str() == "add_done_callback" && is_task(&attr.value) {
                self.callbacks.push(arg);
                self.visit_expr(arg);
                return;
            }
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.other {
            return;
        }
        if let Expr::Name(n) = expr
            && n.id.as_str() == self.name
            && n.range != self.skip
        {
            self.other = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}

/// Could anything in the module look at the tasks in the collection (await, gather, wait,
/// iterate, pass it on)? Only `add`/`append`/`discard`/`remove`/`clear` calls, `len(...)` and
/// plain assignments of a fresh collection are known not to.
fn observed_anywhere(checker: &Checker, collection: Collection) -> bool {
    struct Finder<'c, 'a> {
        scope: CollectionScope<'c, 'a>,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_, 'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found {
                return;
            }
            self.scope.enter(stmt);
            visitor::walk_stmt(self, stmt);
            self.scope.exit(stmt);
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            match expr {
                Expr::Attribute(attr)
                    if self.scope.refers(&attr.value)
                        && matches!(
                            attr.attr.as_str(),
                            "add" | "append" | "discard" | "remove" | "clear"
                        ) =>
                {
                    return;
                }
                Expr::Call(call)
                    if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "len")
                        && call.arguments.args.len() == 1
                        && self.scope.refers(&call.arguments.args[0]) =>
                {
                    return;
                }
                _ => {}
            }
            if self.scope.refers(expr) {
                let load = match expr {
                    Expr::Attribute(a) => a.ctx.is_load(),
                    Expr::Name(n) => n.ctx.is_load(),
                    _ => false,
                };
                if load {
                    self.found = true;
                    return;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder {
        scope: CollectionScope::new(checker, collection),
        found: false,
    };
    finder.visit_body(checker.module_body());
    finder.found
}

/// A handler that catches everything (`except Exception`, `except BaseException`, bare
/// `except`, or a tuple holding one of them), or `contextlib.suppress(Exception)`, anywhere in
/// the coroutine (nested functions aside).
fn has_catch_all(checker: &Checker, body: &[Stmt]) -> bool {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        found: bool,
    }
    fn is_catch_all(expr: &Expr) -> bool {
        match expr {
            Expr::Tuple(t) => t.elts.iter().any(is_catch_all),
            Expr::Name(n) => matches!(n.id.as_str(), "Exception" | "BaseException"),
            Expr::Attribute(a) => matches!(a.attr.as_str(), "Exception" | "BaseException"),
            _ => false,
        }
    }
    impl<'a> Visitor<'a> for Finder<'_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found {
                return;
            }
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Try(try_stmt) => {
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        if handler.type_.as_deref().is_none_or(is_catch_all) {
                            self.found = true;
                            return;
                        }
                    }
                }
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Expr::Call(call) = &item.context_expr
                            && self
                                .checker
                                .semantic
                                .resolve_qualified_name(&call.func)
                                .is_some_and(|q| q == "contextlib.suppress")
                            && call.arguments.args.iter().any(is_catch_all)
                        {
                            self.found = true;
                            return;
                        }
                    }
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut finder = Finder {
        checker,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}
