//! ## What it does
//! Reports an entry point `asyncio.run(main())` whose `main` runs until the process is killed
//! (directly, or through an `async def` of the project it awaits), when no module of the
//! project handles signals. "Runs until killed" means one of:
//! - a `while True:` loop with no `break` or `return` in it;
//! - `await server.serve_forever()` on an asyncio server (`asyncio.start_server`,
//!   `loop.create_server`, ...);
//! - `await asyncio.Event().wait()`, or `.wait()` on a local `asyncio.Event` that nothing else
//!   can reach (so nothing can set it);
//! - `await asyncio.Future()` / `await loop.create_future()` that nothing can resolve;
//! - `await asyncio.sleep(float("inf"))`.
//!
//! Signal handling is any call of `loop.add_signal_handler`, `signal.signal`,
//! `signal.set_wakeup_fd`, `signal.sigwait`/`sigwaitinfo`/`sigtimedwait`, anyio's or trio's
//! `open_signal_receiver`, in any module of the project.
//!
//! ## Why is this bad?
//! Containers, systemd and process managers stop a service with `SIGTERM` (then `SIGKILL` after
//! a grace period). Python's default action for `SIGTERM` terminates the process on the spot:
//! no exception is raised, so `asyncio.run` cannot cancel the tasks, `finally` blocks and
//! `async with` exits never run, in-flight requests are cut, buffered writes and transactions
//! are lost, and connections are dropped without a goodbye. (`Ctrl+C` sends `SIGINT`, which
//! `asyncio.run` does handle; that is why the problem does not show up in development.)
//!
//! ## Example
//! ```python
//! async def main():
//!     server = await asyncio.start_server(handle, "0.0.0.0", 8080)
//!     async with server:
//!         await server.serve_forever()
//!
//! asyncio.run(main())
//! ```
//!
//! Use instead:
//! ```python
//! async def main():
//!     server = await asyncio.start_server(handle, "0.0.0.0", 8080)
//!     loop = asyncio.get_running_loop()
//!     loop.add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
//!     async with server:
//!         await server.serve_forever()
//!
//! asyncio.run(main())
//! ```
//!
//! Cancelling the main task makes `serve_forever()` raise `CancelledError`, so the
//! `async with` blocks and `finally` clauses run before `asyncio.run` returns.
//!
//! This rule is project-wide and off by default: frameworks started from `main` (uvicorn,
//! aiohttp's `run_app`, aiogram's polling) may install their own handlers, and a service run
//! under a supervisor that only ever sends `SIGINT` does not need one. Entry points whose `main`
//! returns on its own (a script) are not reported; neither are `main` functions that cannot be
//! resolved to a project `async def`, or decorated ones.
//!
//! ## References
//! - [`loop.add_signal_handler`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.add_signal_handler)
//! - [`asyncio.run` and `SIGINT` handling](https://docs.python.org/3/library/asyncio-runner.html#handling-keyboard-interruption)
//! - [`signal` module: default handlers](https://docs.python.org/3/library/signal.html#general-rules)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts, RunsForever, Target};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// Calls that install or consume signal handlers.
const SIGNAL_APIS: &[&str] = &[
    "signal.signal",
    "signal.set_wakeup_fd",
    "signal.sigwait",
    "signal.sigwaitinfo",
    "signal.sigtimedwait",
    "anyio.open_signal_receiver",
    "trio.open_signal_receiver",
    "aiorun.run",
];

/// The functions from `main` to the one that runs forever (`name()`, `path:line`), the fact,
/// and its `path:line`.
type ForeverChain = (Vec<(String, String)>, RunsForever, String);

/// How far the "runs forever" fact is followed through awaited project functions.
const MAX_DEPTH: usize = 4;

/// Phase 1: `asyncio.run(main())` (outside async context) defers a check on `main`.
pub(crate) fn service_without_signal_handling(checker: &mut Checker, site: &CallSite) {
    if checker.summary.is_none()
        || !matches!(
            site.qualified,
            Some("asyncio.run" | "asyncio.runners.run" | "uvloop.run")
        )
        || checker.semantic.in_async_context()
    {
        return;
    }
    let Some(Expr::Call(main)) = site.call.arguments.args.first() else {
        return;
    };
    // Only targets under the project's top-level modules are made.
    let Some(target) = checker.semantic.resolve_target(&main.func) else {
        return;
    };
    if let Some(builder) = &mut checker.summary {
        builder.summary.deferred.push(DeferredCheck {
            rule: Rule::ServiceWithoutSignalHandling,
            range: site.call.range(),
            target,
            kind: DeferredKind::ServiceEntryPoint {
                callee: main.func.range(),
            },
        });
    }
}

/// Phase 1 fact: does this call install a signal handler (module-wide flag)?
pub(crate) fn record_signal_handling(checker: &mut Checker, site: &CallSite) {
    let Some(builder) = &checker.summary else {
        return;
    };
    if builder.summary.signal_handling {
        return;
    }
    let handles = site.qualified.is_some_and(|q| SIGNAL_APIS.contains(&q))
        // Any receiver: the flag only ever silences the rule.
        || site.method_name() == Some("add_signal_handler");
    if handles && let Some(builder) = &mut checker.summary {
        builder.summary.signal_handling = true;
    }
}

/// Phase 1 fact: a `while True:` loop that no `break`/`return` leaves, directly in the body of
/// the summarised async function.
pub(crate) fn record_while(checker: &mut Checker, while_stmt: &ast::StmtWhile) {
    if checker.summary.is_none() || !is_always_true(&while_stmt.test) {
        return;
    }
    if !while_stmt.orelse.is_empty() || leaves_loop(&while_stmt.body) {
        return;
    }
    record(checker, while_stmt.range(), "a `while True:` loop");
}

/// Phase 1 fact: an awaited expression that never completes on its own.
pub(crate) fn record_await(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    if checker.summary.is_none() {
        return;
    }
    if let Some(what) = never_completes(checker, &await_expr.value) {
        record(checker, await_expr.range(), what);
    }
}

fn record(checker: &mut Checker, range: TextRange, what: &'static str) {
    let Some(builder) = &mut checker.summary else {
        return;
    };
    let offset = range.start().to_u32();
    if let Some(function) = builder.current()
        && function.is_async
        && function.runs_forever.is_none()
    {
        function.runs_forever = Some(Box::new(RunsForever { offset, what }));
    }
}

fn is_always_true(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => n.value.as_int().and_then(ast::Int::as_u64) == Some(1),
        _ => false,
    }
}

/// Does the loop body contain a `break` of this loop or a `return`?
fn leaves_loop(body: &[Stmt]) -> bool {
    struct Exit {
        /// Nesting of inner loops (a `break` there leaves only the inner loop).
        depth: u32,
        found: bool,
    }
    impl<'a> Visitor<'a> for Exit {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found {
                return;
            }
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Return(_) => self.found = true,
                Stmt::Break(_) if self.depth == 0 => self.found = true,
                Stmt::For(ast::StmtFor { body, orelse, .. })
                | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
                    self.depth += 1;
                    self.visit_body(body);
                    self.depth -= 1;
                    // `else:` runs after the inner loop, in this loop's body.
                    self.visit_body(orelse);
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
    }
    let mut exit = Exit {
        depth: 0,
        found: false,
    };
    exit.visit_body(body);
    exit.found
}

/// What an awaited value that never completes is, for the message.
fn never_completes(checker: &Checker, value: &Expr) -> Option<&'static str> {
    match value {
        Expr::Call(call) => {
            if let Some(q) = checker.semantic.resolve_qualified_name(&call.func) {
                return match q.as_str() {
                    "asyncio.Future" | "asyncio.futures.Future" if call.arguments.is_empty() => {
                        Some("`await asyncio.Future()`")
                    }
                    "asyncio.sleep" | "anyio.sleep" | "trio.sleep"
                        if call.arguments.args.first().is_some_and(is_infinity) =>
                    {
                        Some("an infinite `sleep()`")
                    }
                    "trio.sleep_forever" | "anyio.sleep_forever" => Some("`sleep_forever()`"),
                    _ => None,
                };
            }
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            match attr.attr.as_str() {
                "serve_forever" if is_asyncio_server(checker, &attr.value) => {
                    Some("`serve_forever()`")
                }
                "wait" if call.arguments.is_empty() && unreachable_event(checker, &attr.value) => {
                    Some("`Event.wait()` on an event nothing can set")
                }
                "create_future"
                    if call.arguments.is_empty()
                        && crate::rules::tasks::dangling_task::is_event_loop(
                            checker,
                            &attr.value,
                            None,
                        ) =>
                {
                    Some("`await loop.create_future()`")
                }
                _ => None,
            }
        }
        // `fut = loop.create_future(); await fut` with `fut` used nowhere else.
        Expr::Name(name) => {
            let binding = checker.semantic.unique_binding(name.id.as_str())?;
            let BindingKind::Assignment {
                value: Some(Expr::Call(call)),
                ..
            } = &binding.kind
            else {
                return None;
            };
            let fresh = match checker.semantic.resolve_qualified_name(&call.func) {
                Some(q) => matches!(q.as_str(), "asyncio.Future" | "asyncio.futures.Future"),
                None => matches!(&*call.func, Expr::Attribute(attr)
                    if attr.attr.as_str() == "create_future"
                        && crate::rules::tasks::dangling_task::is_event_loop(checker, &attr.value, None)),
            };
            (fresh && call.arguments.is_empty() && only_used_here(checker, name))
                .then_some("awaiting a future nothing can resolve")
        }
        _ => None,
    }
}

fn is_infinity(expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "float")
                && matches!(call.arguments.args.first(), Some(Expr::StringLiteral(s))
                    if matches!(s.value.to_str().to_ascii_lowercase().as_str(), "inf" | "infinity"))
        }
        Expr::Attribute(attr) => {
            attr.attr.as_str() == "inf"
                && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "math")
        }
        _ => false,
    }
}

/// A server object from `asyncio.start_server`/`start_unix_server` or an event loop's
/// `create_server`/`create_unix_server`.
fn is_asyncio_server(checker: &Checker, receiver: &Expr) -> bool {
    let kind = checker.semantic.object_kind(receiver).or_else(|| {
        // `async with await asyncio.start_server(...) as server:`
        let Expr::Name(name) = receiver else {
            return None;
        };
        let binding = checker.semantic.unique_binding(name.id.as_str())?;
        let BindingKind::WithItem {
            value: Expr::Await(await_expr),
            ..
        } = &binding.kind
        else {
            return None;
        };
        let kind = checker.semantic.object_kind(&await_expr.value)?;
        Some(format!("await {kind}"))
    });
    let Some(kind) = kind else {
        return false;
    };
    let kind = kind.strip_prefix("await ").unwrap_or(&kind);
    kind.starts_with("asyncio.")
        && [
            "start_server()",
            "start_unix_server()",
            "create_server()",
            "create_unix_server()",
        ]
        .iter()
        .any(|suffix| kind.ends_with(suffix))
}

/// `asyncio.Event()` itself, or a local bound once to `asyncio.Event()` and used only here.
fn unreachable_event(checker: &Checker, receiver: &Expr) -> bool {
    let is_event = |kind: Option<String>| {
        kind.is_some_and(|k| matches!(k.as_str(), "asyncio.Event()" | "asyncio.locks.Event()"))
    };
    match receiver {
        Expr::Call(_) => is_event(checker.semantic.object_kind(receiver)),
        Expr::Name(name) => {
            let Some(binding) = checker.semantic.unique_binding(name.id.as_str()) else {
                return false;
            };
            matches!(
                binding.kind,
                BindingKind::Assignment {
                    value: Some(Expr::Call(_)),
                    ..
                }
            ) && checker
                .semantic
                .local_bindings(name.id.as_str())
                .is_some_and(|b| b.len() == 1)
                && is_event(checker.semantic.object_kind(receiver))
                && only_used_here(checker, name)
        }
        _ => false,
    }
}

/// Is `name` (a local of the current function) loaded nowhere else in the function, nested
/// functions included?
fn only_used_here(checker: &Checker, name: &ast::ExprName) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    if checker
        .semantic
        .local_bindings(name.id.as_str())
        .is_none_or(|b| b.len() != 1)
    {
        return false;
    }
    struct Loads<'n> {
        name: &'n str,
        skip: TextRange,
        found: bool,
    }
    impl<'a> Visitor<'a> for Loads<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && n.id.as_str() == self.name
                && !n.ctx.is_store()
                && n.range != self.skip
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            // `global`/`nonlocal` declarations in nested functions share the name.
            if let Stmt::Nonlocal(nonlocal) = stmt
                && nonlocal.names.iter().any(|n| n.as_str() == self.name)
            {
                self.found = true;
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut loads = Loads {
        name: name.id.as_str(),
        skip: name.range,
        found: false,
    };
    loads.visit_body(&function.def.body);
    !loads.found
}

/// The function `target` resolves to runs forever itself, or awaits one that does: the chain
/// of functions (display, location) and the fact.
fn forever_chain(facts: &dyn ProjectFacts, target: &Target) -> Option<ForeverChain> {
    let mut chain = Vec::new();
    let mut visited: Vec<String> = Vec::new();
    forever_search(facts, target, 0, &mut chain, &mut visited)
}

fn forever_search(
    facts: &dyn ProjectFacts,
    target: &Target,
    depth: usize,
    chain: &mut Vec<(String, String)>,
    visited: &mut Vec<String>,
) -> Option<ForeverChain> {
    if depth > MAX_DEPTH {
        return None;
    }
    let function = facts.resolve_function(target)?;
    let path = function.path();
    if visited.contains(&path) {
        return None;
    }
    visited.push(path.clone());
    let summary = function.summary;
    if !summary.is_async || summary.is_generator || summary.opaque_decorator {
        return None;
    }
    // `Worker.run` for a method (class names are capitalised), `main` for a function.
    let segments: Vec<&str> = path.rsplit('.').take(2).collect();
    let name = match segments.as_slice() {
        [method, class] if class.starts_with(|c: char| c.is_ascii_uppercase()) => {
            format!("{class}.{method}")
        }
        [name, ..] => (*name).to_string(),
        [] => path.clone(),
    };
    chain.push((
        format!("{name}()"),
        facts.location(&function, summary.offset),
    ));
    if let Some(fact) = summary.runs_forever.as_deref().copied() {
        return Some((chain.clone(), fact, facts.location(&function, fact.offset)));
    }
    for awaited in &summary.awaited_calls {
        if let Some(found) = forever_search(facts, awaited, depth + 1, chain, visited) {
            return Some(found);
        }
    }
    chain.pop();
    None
}

/// Phase 2: report when `main` runs forever and no module handles signals.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::ServiceEntryPoint { callee } = &check.kind else {
        return None;
    };
    if facts.project_handles_signals() {
        return None;
    }
    let (chain, fact, fact_location) = forever_chain(facts, &check.target)?;
    let entry = crate::project::snippet::short(file.text(), check.range, 50).unwrap_or_else(|| {
        format!(
            "asyncio.run({}())",
            crate::project::snippet::callee(file.text(), *callee)
        )
    });
    let path: Vec<String> = chain
        .iter()
        .map(|(name, location)| format!("{name} [{location}]"))
        .collect();
    let main = chain.first().map_or("main()", |(name, _)| name.as_str());
    let runs = format!(
        "{} runs until the process is killed ({} at {fact_location})",
        path.join(" -> "),
        fact.what,
    );
    let rule = Rule::ServiceWithoutSignalHandling;
    Some(
        Diagnostic::new(
            rule.code(),
            rule.name(),
            format!(
                "`{entry}` starts a service that never returns: {runs}; no module of the project handles signals, so `SIGTERM` (from `docker stop`, systemd, Kubernetes) kills it at once, without cancelling tasks, running `finally` blocks or closing connections"
            ),
            check.range,
            file.clone(),
        )
        .with_help(format!(
            "In `{main}`, install a handler that starts a clean shutdown: `asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)` (or set a stop event)"
        )),
    )
}
