//! ## What it does
//! Reports an `async def` whose body never uses anything that needs a coroutine: no `await`,
//! no `async for`, no `async with`, no async comprehension and no `yield` (code in nested
//! functions, lambdas and classes does not count).
//!
//! This rule is off by default: a coroutine function without `await` is often a deliberate
//! part of an interface that requires coroutine functions (a handler registry, a framework
//! callback), which a single file cannot see.
//!
//! ## Why is this bad?
//! Marking a function `async` makes every caller `await` it and pay for a coroutine object,
//! and it suggests that the function cooperates with the event loop. Without any `await` the
//! body runs from start to end in one step of the loop: if it does slow work (file access, a
//! long computation) it blocks every other task while looking harmless. Often the missing
//! `await` is itself the bug (a forgotten `await` on an inner call), or the function was
//! made `async` "just in case" and now forces `async` on everything that calls it.
//!
//! Not reported:
//! - functions with any decorator (route handlers, `@override`, `@abstractmethod`, fixtures,
//!   registrations: the decorator may require a coroutine function);
//! - dunder methods implementing a protocol (`__aenter__`, `__aexit__`, `__anext__`, ...);
//! - methods of a class with base classes (they may override an async method of the base),
//!   methods of `Protocol`s, and methods of a class that another class of the file derives
//!   from (default implementations of hooks);
//! - stubs whose body is only a docstring, `pass`, `...` or `raise` (e.g.
//!   `raise NotImplementedError`);
//! - functions that use the running loop on purpose: they call an `asyncio`, `anyio` or
//!   `trio` API (`asyncio.create_task`, `asyncio.get_running_loop()`, ...) or a loop method
//!   such as `loop.create_task`/`call_soon`, which require being called from a coroutine;
//! - functions handed to something else in the same file (`router.add_get("/", handler)`,
//!   `Depends(get_user)`, `callback=self.on_message`) or called there without an immediate
//!   `await` (`gather(f(), g())`, `tasks.append(f())`, `loop.run_until_complete(f())`): the
//!   receiver requires a coroutine function or object;
//! - functions whose name makes the coroutine part of the contract (`async_setup_entry`,
//!   `fetch_async`: framework hooks and async twins of sync APIs), callbacks by name
//!   (`on_*`, `handle`, `*_handler`, `*_callback`, `*_hook`, `*_listener`), and `test*`
//!   functions, which the test runner decides how to run.
//!
//! ## Example
//! ```python
//! async def build_headers(token: str) -> dict[str, str]:
//!     return {"Authorization": f"Bearer {token}"}
//! ```
//!
//! Use instead:
//! ```python
//! def build_headers(token: str) -> dict[str, str]:
//!     return {"Authorization": f"Bearer {token}"}
//! ```
//!
//! ## References
//! - [Coroutines](https://docs.python.org/3/library/asyncio-task.html#coroutines)
//! - [Developing with asyncio: concurrency and blocking](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [Ruff RUF029 `unused-async`](https://docs.astral.sh/ruff/rules/unused-async/)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::function_facts::is_trivial_body;
use crate::semantic::ScopeKind;

use super::decorators::def_header_range;

/// Methods called on an event loop (or on anyio/trio objects) that need the running loop.
const LOOP_METHODS: &[&str] = &[
    "create_task",
    "create_future",
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "run_in_executor",
    "add_reader",
    "add_writer",
    "add_signal_handler",
    "start_soon",
];

pub(crate) fn async_function_without_await(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !def.is_async || !def.decorator_list.is_empty() {
        return;
    }
    let name = def.name.as_str();
    if name.starts_with("__") && name.ends_with("__") {
        return;
    }
    // The name makes being a coroutine function part of the contract (`async_setup_entry`,
    // `fetch_async`), and test runners decide how to run `test_*` functions.
    if name.starts_with("async_") || name.ends_with("_async") || name.starts_with("test") {
        return;
    }
    if is_callback_name(name) {
        return;
    }
    if is_trivial_body(&def.body) {
        return;
    }
    if let Some(class) = enclosing_class(checker) {
        let has_bases = class
            .arguments
            .as_ref()
            .is_some_and(|args| !args.args.is_empty() || !args.keywords.is_empty());
        if has_bases || is_subclassed(checker.module_body(), class.name.as_str()) {
            return;
        }
    }
    if crate::rules::timeouts::timeout_scopes::has_checkpoint_or_call(&def.body, |call| {
        uses_loop(checker, call)
    }) {
        return;
    }
    // Handed to something else (`router.add_get("/", handler)`, `Depends(get_user)`,
    // `callback=self.on_message`), or called without being awaited on the spot
    // (`gather(f(), g())`, `tasks.append(f())`, `loop.run_until_complete(f())`): the receiver
    // may require a coroutine function or a coroutine object.
    let mut references = ValueReferenceFinder { name, found: false };
    references.visit_body(checker.module_body());
    if references.found {
        return;
    }
    checker.report(
        Rule::AsyncFunctionWithoutAwait,
        format!(
            "`async def {name}` never awaits: its body runs in a single step of the event loop, yet every caller must `await` it as if it yielded control"
        ),
        "Make it a plain `def` (and drop the `await` at its call sites), or add the `await` that is missing",
        def_header_range(checker, def),
        None,
    );
}

/// The class whose body defines this `def` (the dispatch runs in the scope enclosing it).
fn enclosing_class<'a>(checker: &Checker<'a>) -> Option<&'a ast::StmtClassDef> {
    if checker.semantic.current_scope_kind() != ScopeKind::Class {
        return None;
    }
    checker
        .statement_ancestors()
        .skip(1)
        .find_map(|stmt| match stmt {
            Stmt::ClassDef(class) => Some(class),
            _ => None,
        })
}

/// Finds `name` / `obj.name` used as a value rather than called.
struct ValueReferenceFinder<'n> {
    name: &'n str,
    found: bool,
}

impl ValueReferenceFinder<'_> {
    fn is_name(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(name) => name.id.as_str() == self.name,
            Expr::Attribute(attr) => attr.attr.as_str() == self.name,
            _ => false,
        }
    }

    /// A call whose callee is not a reference to the function (awaited on the spot, or a
    /// method of another object): only its receiver and arguments can hold references.
    fn visit_awaited_call(&mut self, call: &ast::ExprCall) {
        if let Expr::Attribute(attr) = &*call.func {
            self.visit_expr(&attr.value);
        }
        for arg in &call.arguments.args {
            self.visit_expr(arg);
        }
        for keyword in &call.arguments.keywords {
            self.visit_expr(&keyword.value);
        }
    }
}

impl<'a> Visitor<'a> for ValueReferenceFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Await(await_expr) => {
                if let Expr::Call(call) = &*await_expr.value
                    && self.is_name(&call.func)
                {
                    self.visit_awaited_call(call);
                    return;
                }
            }
            Expr::Call(call) if self.is_name(&call.func) => {
                // A call that is not awaited on the spot: the coroutine object is handed on.
                // Only `f()`, `self.f()` and `cls.f()` are certainly this function;
                // `other.get()` is usually some other object's method.
                let own = match &*call.func {
                    Expr::Attribute(attr) => {
                        matches!(&*attr.value, Expr::Name(n) if matches!(n.id.as_str(), "self" | "cls"))
                    }
                    _ => true,
                };
                if own {
                    self.found = true;
                    return;
                }
                self.visit_awaited_call(call);
                return;
            }
            _ if self.is_name(expr) => {
                // Used as a value: handed to something that will call it.
                self.found = true;
                return;
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Names that say the function is a callback invoked by something else.
fn is_callback_name(name: &str) -> bool {
    let name = name.trim_start_matches('_');
    name.starts_with("on_")
        || matches!(
            name,
            "handle" | "handler" | "callback" | "hook" | "listener"
        )
        || ["_handler", "_callback", "_cb", "_hook", "_listener"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// Does another class of the module derive from `class_name` (whose methods are then hooks
/// that subclasses may override with real awaits)?
fn is_subclassed(module: &[Stmt], class_name: &str) -> bool {
    let mut finder = SubclassFinder {
        class_name,
        found: false,
    };
    finder.visit_body(module);
    finder.found
}

struct SubclassFinder<'n> {
    class_name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for SubclassFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        if let Stmt::ClassDef(class) = stmt
            && class.arguments.as_ref().is_some_and(|args| {
                args.args.iter().any(|base| match base {
                    Expr::Name(name) => name.id.as_str() == self.class_name,
                    Expr::Attribute(attr) => attr.attr.as_str() == self.class_name,
                    _ => false,
                })
            })
        {
            self.found = true;
            return;
        }
        visitor::walk_stmt(self, stmt);
    }
}

/// A call that needs the running loop: any `asyncio`/`anyio`/`trio` API, or a loop method.
fn uses_loop(checker: &Checker, call: &ast::ExprCall) -> bool {
    let is_async_library = |root: &str| matches!(root, "asyncio" | "anyio" | "trio" | "sniffio");
    let from_async_library = match checker.semantic.resolve_qualified_name(&call.func) {
        Some(q) => is_async_library(q.split('.').next().unwrap_or_default()),
        // `import asyncio` inside the function is not visible from the enclosing scope.
        None => root_name(&call.func).is_some_and(is_async_library),
    };
    if from_async_library {
        return true;
    }
    matches!(&*call.func, Expr::Attribute(attr) if LOOP_METHODS.contains(&attr.attr.as_str()))
}

/// `a` for `a.b.c`.
fn root_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => root_name(&attr.value),
        _ => None,
    }
}
