//! ## What it does
//! Reports a call, in an `async def`, to a synchronous function of your project that reaches a
//! catalogued blocking call (AIO100-AIO109) through any chain of synchronous calls, in any
//! module. The message prints the whole chain with the file and line of each hop:
//! `handler() -> load_config() [config.py:12] -> open() [config.py:14]`.
//!
//! ## Why is this bad?
//! Blocking the event loop does not need to be visible at the call site. A coroutine that calls
//! a harmless-looking helper, which calls another helper, which opens a file or sleeps, stalls
//! every other task exactly as if it had made the blocking call itself. Per-file linters cannot
//! see across modules; this rule follows calls through imports, aliases, re-exports,
//! `self.method()`, `super().method()`, `Class.method()` and objects built by a constructor in
//! the same function.
//!
//! Calls handed to `asyncio.to_thread`/`loop.run_in_executor` (the function object, a
//! `lambda` or a `functools.partial`) break the chain: they run on a thread. Decorated sync
//! functions are not followed (a decorator such as `@sync_to_async` may move the call to a
//! thread), apart from decorators that do not change how a body runs (`staticmethod`,
//! `classmethod`, `property`, `functools.cache`/`lru_cache`). Implicit `__enter__`/`__exit__`
//! calls are not followed, and calls on objects of unknown type resolve to nothing.
//!
//! ## Example
//! ```python
//! # config.py
//! def load_config(path):
//!     with open(path) as f:
//!         return json.load(f)
//!
//! # api.py
//! async def handler(request):
//!     config = load_config("settings.json")
//! ```
//!
//! Use instead:
//! ```python
//! async def handler(request):
//!     config = await asyncio.to_thread(load_config, "settings.json")
//! ```
//!
//! or load the configuration once at start-up, before the loop serves requests.
//!
//! ## Options
//! - `blocking-calls`: extra qualified names treated as blocking (`["mylib.slow_io"]`).
//! - `allowed-blocking-calls`: qualified names never treated as blocking.
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts, snippet};
use crate::registry::Rule;

/// Phase 1: a call made in async context whose target may be a project function.
pub(crate) fn transitive_blocking_call(checker: &mut Checker, site: &CallSite) {
    // `await f()` targets a coroutine function; awaiting a sync helper is AIO204's business.
    if matches!(checker.parent_expression(), Some(Expr::Await(_))) {
        return;
    }
    let Some(caller) = checker
        .semantic
        .current_function()
        .map(|f| f.def.name.range)
    else {
        return;
    };
    let Some(target) = checker.call_target(site) else {
        return;
    };
    let callee = site.call.func.range();
    let range = site.call.range();
    let iterated = iterated_on_the_spot(checker, site.call);
    if let Some(builder) = &mut checker.summary {
        builder.summary.deferred.push(DeferredCheck {
            rule: Rule::TransitiveBlockingCall,
            range,
            target,
            kind: DeferredKind::TransitiveBlocking {
                caller,
                callee,
                iterated,
            },
        });
    }
}

/// Is the call's result iterated right where it is made? Calling a generator function runs
/// none of its body; iterating the generator does. Recognised: `for x in f():`, the iterables
/// of list/set/dict comprehensions, `*f()`, `yield from f()`, and the argument of a consuming
/// builtin (`list`, `tuple`, `sorted`, `sum`, `next`...) or of `"sep".join(...)`. A generator
/// handed to anything else (`StreamingResponse(f())`, returned, stored) may be iterated later,
/// elsewhere or on a worker thread.
pub(crate) fn iterated_on_the_spot(checker: &Checker, call: &ast::ExprCall) -> bool {
    const CONSUMERS: &[&str] = &[
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
        "builtins.dict",
        "builtins.sorted",
        "builtins.sum",
        "builtins.any",
        "builtins.all",
        "builtins.min",
        "builtins.max",
        "builtins.next",
    ];
    let range = call.range();
    let is_iter =
        |generators: &[ast::Comprehension]| generators.iter().any(|g| g.iter.range() == range);
    match checker.parent_expression() {
        None => matches!(
            checker.current_statement(),
            Some(Stmt::For(f)) if f.iter.range() == range
        ),
        Some(Expr::ListComp(c)) => is_iter(&c.generators),
        Some(Expr::SetComp(c)) => is_iter(&c.generators),
        Some(Expr::DictComp(c)) => is_iter(&c.generators),
        Some(Expr::Starred(_) | Expr::YieldFrom(_)) => true,
        Some(Expr::Call(outer)) => {
            outer
                .arguments
                .args
                .first()
                .is_some_and(|a| a.range() == range)
                && (matches!(&*outer.func, Expr::Attribute(a)
                        if a.attr.as_str() == "join"
                            && matches!(&*a.value, Expr::StringLiteral(_) | Expr::BytesLiteral(_)))
                    || checker
                        .semantic
                        .resolve_qualified_name(&outer.func)
                        .is_some_and(|q| CONSUMERS.contains(&q.as_str())))
        }
        _ => false,
    }
}

/// Phase 1, sync functions: is the call at `range` reached only when no event loop is running
/// in the thread? Dual-mode helpers test for a running loop and hand back an awaitable when
/// there is one, blocking only otherwise:
///
/// ```python
/// def drain_all(cls):
///     if get_running_loop() is not None:
///         return asyncio.wait(futures)
///     else:
///         return concurrent.futures.wait(futures)
/// ```
///
/// Recognised: the branches of `if <loop> is None`/`is not None`/`not <loop>`/`<loop>` (where
/// `<loop>` is a call of `get_running_loop()`/`_get_running_loop()` or a name bound to one),
/// code after `if <loop> is not None: return ...`, and the `except RuntimeError:` handler of a
/// `try` that calls `asyncio.get_running_loop()`. Blocking calls and call edges recorded from
/// there would give async callers a chain that never runs on their loop.
pub(crate) fn runs_only_without_event_loop(checker: &Checker, range: TextRange) -> bool {
    let mut inner = range;
    for stmt in checker.statement_ancestors() {
        let without_loop = match stmt {
            Stmt::If(s) => branch_without_loop(checker, s, inner),
            Stmt::Try(s) => handler_without_loop(checker, s, inner),
            _ => false,
        };
        if without_loop {
            return true;
        }
        // `if <loop running>: return ...` earlier in the same block.
        if let Some(body) = block_containing(stmt, inner)
            && first_return_when_loop_runs(checker, body).is_some_and(|end| end <= inner.start())
        {
            return true;
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return false;
        }
        inner = stmt.range();
    }
    false
}

/// Is `inner` in a branch of `if` that runs only without a running loop?
fn branch_without_loop(checker: &Checker, s: &ast::StmtIf, inner: TextRange) -> bool {
    let first = loop_test(checker, &s.test);
    if s.body.iter().any(|b| b.range().contains_range(inner)) {
        return first == Some(false);
    }
    // An `elif`/`else` runs only when every earlier test was false.
    let mut earlier_true_with_loop = first == Some(true);
    for clause in &s.elif_else_clauses {
        let test = clause.test.as_ref().and_then(|t| loop_test(checker, t));
        if clause.body.iter().any(|b| b.range().contains_range(inner)) {
            return earlier_true_with_loop || test == Some(false);
        }
        earlier_true_with_loop |= test == Some(true);
    }
    false
}

/// `try: asyncio.get_running_loop() except RuntimeError: <inner>`.
fn handler_without_loop(checker: &Checker, s: &ast::StmtTry, inner: TextRange) -> bool {
    let Some(handler) = s.handlers.iter().find_map(|h| {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        h.body
            .iter()
            .any(|b| b.range().contains_range(inner))
            .then_some(h)
    }) else {
        return false;
    };
    let catches_runtime_error = handler.type_.as_deref().is_some_and(|t| {
        let is_runtime_error = |e: &Expr| {
            checker.semantic.resolve_qualified_name(e).as_deref() == Some("builtins.RuntimeError")
        };
        match t {
            Expr::Tuple(tuple) => tuple.elts.iter().any(is_runtime_error),
            other => is_runtime_error(other),
        }
    });
    catches_runtime_error
        && s.body.iter().any(|stmt| {
            let value = match stmt {
                Stmt::Expr(e) => &*e.value,
                Stmt::Assign(a) => &*a.value,
                Stmt::AnnAssign(a) => match a.value.as_deref() {
                    Some(v) => v,
                    None => return false,
                },
                Stmt::Return(r) => match r.value.as_deref() {
                    Some(v) => v,
                    None => return false,
                },
                _ => return false,
            };
            is_loop_call(value)
        })
}

/// `if <loop running>:` whose body always leaves the function (`return`/`raise`).
/// Where the first statement of `body` that returns when a loop runs ends, worked out once per
/// block (asked for every call of every sync function: scanning the block each time made long
/// functions quadratic).
fn first_return_when_loop_runs(checker: &Checker, body: &[Stmt]) -> Option<TextSize> {
    let key = body.first()?.range().start();
    if let Some(found) = checker.loop_guards.borrow().get(&key) {
        return *found;
    }
    let found = body
        .iter()
        .find(|stmt| returns_when_loop_runs(checker, stmt))
        .map(|stmt| stmt.range().end());
    checker.loop_guards.borrow_mut().insert(key, found);
    found
}

fn returns_when_loop_runs(checker: &Checker, stmt: &Stmt) -> bool {
    let Stmt::If(s) = stmt else {
        return false;
    };
    s.elif_else_clauses.is_empty()
        && loop_test(checker, &s.test) == Some(true)
        && matches!(s.body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
}

/// The block (list of statements) of `stmt` that contains `inner`.
fn block_containing(stmt: &Stmt, inner: TextRange) -> Option<&[Stmt]> {
    let contains = |body: &[Stmt]| body.iter().any(|b| b.range().contains_range(inner));
    let mut blocks: Vec<&[Stmt]> = Vec::new();
    match stmt {
        Stmt::FunctionDef(s) => blocks.push(&s.body),
        Stmt::If(s) => {
            blocks.push(&s.body);
            blocks.extend(s.elif_else_clauses.iter().map(|c| c.body.as_slice()));
        }
        Stmt::For(s) => blocks.extend([s.body.as_slice(), s.orelse.as_slice()]),
        Stmt::While(s) => blocks.extend([s.body.as_slice(), s.orelse.as_slice()]),
        Stmt::With(s) => blocks.push(&s.body),
        Stmt::Try(s) => {
            blocks.push(&s.body);
            blocks.extend(s.handlers.iter().map(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                h.body.as_slice()
            }));
            blocks.extend([s.orelse.as_slice(), s.finalbody.as_slice()]);
        }
        Stmt::Match(s) => blocks.extend(s.cases.iter().map(|c| c.body.as_slice())),
        _ => {}
    }
    blocks.into_iter().find(|b| contains(b))
}

/// `Some(true)` when the test is true exactly when an event loop is running, `Some(false)` when
/// it is true exactly when none is.
fn loop_test(checker: &Checker, test: &Expr) -> Option<bool> {
    match test {
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => loop_test(checker, &u.operand).map(|b| !b),
        Expr::Compare(c)
            if c.ops.len() == 1
                && matches!(c.comparators.first(), Some(Expr::NoneLiteral(_)))
                && is_loop_value(checker, &c.left) =>
        {
            match c.ops[0] {
                ast::CmpOp::IsNot => Some(true),
                ast::CmpOp::Is => Some(false),
                _ => None,
            }
        }
        other => is_loop_value(checker, other).then_some(true),
    }
}

/// A call of `get_running_loop()`/`_get_running_loop()`, or a name bound only to one.
fn is_loop_value(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => checker
            .semantic
            .unique_binding(name.id.as_str())
            .is_some_and(|b| {
                matches!(
                    b.kind,
                    crate::semantic::BindingKind::Assignment { value: Some(value), .. }
                        if is_loop_call(value)
                )
            }),
        other => is_loop_call(other),
    }
}

fn is_loop_call(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    if !call.arguments.is_empty() {
        return false;
    }
    let name = match &*call.func {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    matches!(name, "get_running_loop" | "_get_running_loop")
}

/// Phase 2: report when the target is a sync project function with a blocking chain.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::TransitiveBlocking {
        caller,
        callee,
        iterated,
    } = &check.kind
    else {
        return None;
    };
    let function = facts.resolve_function(&check.target)?;
    if function.summary.is_async || function.summary.opaque_decorator {
        return None;
    }
    // A generator function's body runs only when the generator is iterated.
    if function.summary.is_generator && !iterated {
        return None;
    }
    let (hops, rule) = facts.blocking_chain(&function)?;
    // The texts only once the verdict is in (most checks end above).
    // The caller's name is an identifier: shown whole, however long.
    let caller = snippet::short(file.text(), *caller, 200)
        .unwrap_or_else(|| snippet::callee(file.text(), *caller));
    let display = snippet::callee_call(file.text(), *callee);
    let mut chain = format!("{caller}()");
    for hop in &hops {
        let name = hop
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        chain.push_str(&format!(" -> {} [{}:{}]", hop.display, name, hop.line));
    }
    let last = hops.last()?;
    let rule_code = rule.code();
    let diagnostic = Diagnostic::new(
        Rule::TransitiveBlockingCall.code(),
        Rule::TransitiveBlockingCall.name(),
        format!(
            "`{display}` blocks the event loop: it reaches `{}` ({rule_code}) through sync calls: {chain}",
            last.display
        ),
        check.range,
        file.clone(),
    )
    .with_help(format!(
        "Run it in a thread with `await asyncio.to_thread(...)`, or make the chain async (blocking call at {}:{})",
        facts.display_path(&last.path),
        last.line
    ));
    Some(diagnostic)
}
