//! ## What it does
//! Reports a retry loop in async code that waits a constant delay between attempts, or does
//! not wait at all. A retry loop is a `for`/`while` loop whose body awaits a call in a `try`,
//! whose success path leaves the loop (`return`/`break` after the awaited call, in the `try`
//! body or its `else:`, or right after the `try` when the handlers `continue`), and whose
//! handler lets the loop run again. The delay is constant when every `await asyncio.sleep(x)`
//! of the loop (also `anyio.sleep`, `trio.sleep`) sleeps a literal, or names and attributes
//! that the loop never changes, and the loop has no growth (`*=`, `**`, `<<`) and no jitter
//! (`random.*`).
//!
//! ## Why is this bad?
//! Failures are correlated: when a service goes down, every client sees the error at the
//! same moment. Clients that retry immediately, or after the same fixed delay, retry in
//! lockstep and hit the recovering service with synchronised waves of requests (a *retry
//! storm*), which can keep it down; without any delay the loop also spins as fast as the
//! failure comes back, starving other tasks of the event loop and flooding the logs.
//! Exponential backoff spaces the attempts out as the outage lasts, and jitter (a random part)
//! spreads the clients apart.
//!
//! ## Example
//! ```python
//! async def connect(self):
//!     while True:
//!         try:
//!             await self._client.connect()
//!             break
//!         except ConnectionError:
//!             await asyncio.sleep(5)
//! ```
//!
//! Use instead:
//! ```python
//! async def connect(self):
//!     delay = 1.0
//!     while True:
//!         try:
//!             await self._client.connect()
//!             break
//!         except ConnectionError:
//!             await asyncio.sleep(delay + random.uniform(0, delay))
//!             delay = min(delay * 2, 300)
//! ```
//!
//! or decorate the function with `tenacity.retry(wait=wait_random_exponential(...))`,
//! `backoff.on_exception(backoff.expo, ...)` or `stamina.retry(...)`.
//!
//! Not reported:
//! - functions decorated by `tenacity`, `backoff` or `stamina`; delays computed from the
//!   attempt number, a counter or a value the loop changes, or by a call;
//! - worker loops whose successful iteration goes on with the next item (no unconditional
//!   `break`/`return` after the awaited call); handlers that all re-raise, return, break, or
//!   only hand the exception to a converter (`self._convert_error(exc)`);
//! - attempts that differ: failover over a collection (`for host in hosts:`; only counters
//!   such as `range(...)` make a `for` loop a retry loop, and only when the attempt number
//!   does not change what the attempt does), a retried call whose receiver or arguments the
//!   loop reassigns (a new prompt answer, an escalated parameter) or a handler consumes
//!   (`pop_addr_infos(addr_infos)`);
//! - polling rather than retrying: a loop that sleeps first and checks afterwards, a delay
//!   named like a polling interval (`POLL_INTERVAL`), a `while` bounded by a deadline
//!   (`while time.monotonic() < deadline:`);
//! - for the no-delay case, handlers that take a corrective action (`await self.login()`,
//!   `self._conn = None`) or only catch timeouts (the timeout itself paces the attempts);
//! - test modules (`test_*.py`, `*_test.py`, `conftest.py`).
//!
//! ## References
//! - [AWS Architecture Blog: Exponential Backoff And Jitter](https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
//! - [`asyncio.sleep`](https://docs.python.org/3/library/asyncio-task.html#asyncio.sleep)
//! - [tenacity](https://tenacity.readthedocs.io/) / [backoff](https://github.com/litl/backoff) / [stamina](https://stamina.hynek.me/)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet;

use super::busy_wait_loop::SLEEPS;
use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::function_facts::callee_display;
use crate::rules::testing::helpers::in_test_module;

/// Decorator libraries that retry with backoff.
const RETRY_LIBRARIES: &[&str] = &[
    "tenacity",
    "backoff",
    "stamina",
    "retry",
    "retrying",
    "aioretry",
    "async_retrying",
];

/// Exceptions whose handler is paced by the timeout that raised them.
const TIMEOUT_ERRORS: &[&str] = &[
    "builtins.TimeoutError",
    "asyncio.TimeoutError",
    "asyncio.exceptions.TimeoutError",
    "asyncio.CancelledError",
    "socket.timeout",
];

const HELP: &str = "Back off exponentially with jitter (`await asyncio.sleep(delay + random.uniform(0, delay))`, then `delay = min(delay * 2, cap)`), or use `tenacity`/`backoff`/`stamina`";

pub(crate) fn retry_without_backoff(checker: &mut Checker, stmt: &Stmt) {
    let (body, header, target, iter, test) = match stmt {
        Stmt::While(w) => (
            &w.body,
            TextRange::new(w.start(), w.test.end()),
            None,
            None,
            Some(&*w.test),
        ),
        Stmt::For(f) if !f.is_async => (
            &f.body,
            TextRange::new(f.start(), f.iter.end()),
            Some(&*f.target),
            Some(&*f.iter),
            None,
        ),
        _ => return,
    };
    if !checker.semantic.in_async_context()
        || in_test_module(checker)
        || decorated_with_retry(checker)
        || test.is_some_and(is_deadline)
        || starts_with_sleep(checker, body)
    {
        return;
    }
    let Some(retry) = find_retry(checker, body, target, iter) else {
        return;
    };
    let mut loop_facts = LoopFacts::new(checker);
    loop_facts.visit_body(body);
    if loop_facts.growth_or_jitter || loop_facts.polls {
        return;
    }
    let assigned = &loop_facts.assigned;
    // The retried call changes between attempts (`for host in ...`, a new argument, a
    // consumed list of addresses): a failover or a new question, not a blind retry.
    if attempts_differ(checker, &retry, body, &loop_facts.assigned_outside_with) {
        return;
    }
    if let Some(target) = target {
        let mut names = FxHashSet::default();
        collect_target_names(target, &mut names);
        if loop_facts
            .sleeps
            .iter()
            .any(|delay| delay.is_some_and(|d| mentions_any(d, &names)))
        {
            return;
        }
    }
    let display = callee_display(checker, &retry.call.func);
    let call = if display == "the callee" {
        "the awaited call".to_string()
    } else {
        format!("`await {display}`")
    };
    if loop_facts.sleeps.is_empty() {
        if retry.handlers_correct || retry.only_timeouts {
            return;
        }
        checker.report(
            Rule::RetryWithoutBackoff,
            format!(
                "Retry loop around {call} tries again immediately after a failure: a failing service gets a tight loop of requests, and the loop spins as fast as the error comes back"
            ),
            HELP,
            header,
            None,
        );
        return;
    }
    let mut shown_delay = None;
    for delay in &loop_facts.sleeps {
        let Some(delay) = delay else { return };
        if !is_constant_delay(delay, assigned) {
            return;
        }
        shown_delay.get_or_insert(*delay);
    }
    let delay = shown_delay
        .map(|d| checker.source_of(d.range()))
        .filter(|d| d.len() <= 30 && !d.contains('\n'))
        .map_or_else(
            || "a constant delay".to_string(),
            |d| format!("a constant `{d}` s"),
        );
    checker.report(
        Rule::RetryWithoutBackoff,
        format!(
            "Retry loop around {call} waits {delay} between attempts: with no exponential growth and no jitter, clients that failed together retry in lockstep and keep hammering the recovering service"
        ),
        HELP,
        header,
        None,
    );
}

/// The retried call and what the retrying handlers do.
struct Retry<'a> {
    call: &'a ast::ExprCall,
    try_stmt: &'a ast::StmtTry,
    /// A handler awaits something (`await self.reconnect()`) or resets state
    /// (`self._conn = None`) before the next attempt.
    handlers_correct: bool,
    only_timeouts: bool,
}

/// The first `try` of the loop body that makes it a retry loop.
fn find_retry<'a>(
    checker: &Checker,
    body: &'a [Stmt],
    target: Option<&Expr>,
    iter: Option<&Expr>,
) -> Option<Retry<'a>> {
    for (index, stmt) in body.iter().enumerate() {
        let Stmt::Try(try_stmt) = stmt else {
            continue;
        };
        let Some(awaited) = first_awaited_call(&try_stmt.body) else {
            continue;
        };
        let retrying: Vec<&ast::ExceptHandlerExceptHandler> = try_stmt
            .handlers
            .iter()
            .map(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                h
            })
            .filter(|h| !ends_loop_iteration(h))
            .collect();
        if retrying.is_empty() {
            continue;
        }
        let leaves_loop = exits_unconditionally(&try_stmt.body)
            || exits_unconditionally(&try_stmt.orelse)
            || (exits_unconditionally(&body[index + 1..])
                && retrying
                    .iter()
                    .all(|h| matches!(h.body.last(), Some(Stmt::Continue(_)))));
        if !leaves_loop {
            continue;
        }
        if let (Some(target), Some(iter)) = (target, iter) {
            // `for self.port in PORTS:` and other non-name targets: each attempt differs.
            let mut names = FxHashSet::default();
            if !collect_target_names(target, &mut names) {
                return None;
            }
            let mut used = NameUse {
                names: &names,
                found: false,
            };
            if is_counter(checker, iter) {
                // `for attempt in range(3): if attempt: await relogin()`: attempts differ.
                used.visit_body(&try_stmt.body);
            } else {
                // `for host in hosts:` fails over to the next item unless the item is only
                // logged by the handlers.
                for (i, stmt) in body.iter().enumerate() {
                    if i == index {
                        used.visit_body(&try_stmt.body);
                        used.visit_body(&try_stmt.orelse);
                        used.visit_body(&try_stmt.finalbody);
                    } else {
                        used.visit_stmt(stmt);
                    }
                }
            }
            if used.found {
                return None;
            }
        }
        let handlers_correct = retrying.iter().any(|h| {
            let mut finder = CorrectiveAction { found: false };
            finder.visit_body(&h.body);
            finder.found
        });
        let only_timeouts = retrying.iter().all(|h| catches_only_timeouts(checker, h));
        return Some(Retry {
            call: awaited,
            try_stmt,
            handlers_correct,
            only_timeouts,
        });
    }
    None
}

/// Does the retried call depend on something the loop changes? Its names and attribute
/// chains (`self` aside) are assigned in the loop (other than by `with ... as`), mutated
/// between attempts (`addrs.pop()`), or handed by a handler to a call that may change them
/// (`remove_addr_infos(addrs, peer)`; logging aside).
fn attempts_differ(
    checker: &Checker,
    retry: &Retry,
    body: &[Stmt],
    assigned: &FxHashSet<String>,
) -> bool {
    let call = retry.call;
    let mut keys = CallKeys {
        checker,
        keys: FxHashSet::default(),
    };
    keys.visit_expr(&call.func);
    keys.visit_arguments(&call.arguments);
    let keys = keys.keys;
    if keys.iter().any(|k| assigned.contains(k)) {
        return true;
    }
    let mut finder = HandedOver {
        keys: &keys,
        in_handler: false,
        found: false,
    };
    let try_range = retry.try_stmt.range();
    for stmt in body {
        if stmt.range() == try_range {
            for handler in &retry.try_stmt.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                finder.in_handler = true;
                finder.visit_body(&handler.body);
                finder.in_handler = false;
            }
            finder.visit_body(&retry.try_stmt.finalbody);
        } else {
            finder.visit_stmt(stmt);
        }
    }
    finder.found
}

/// Keys (`url`, `self._client`) of the names and attribute chains in an expression.
struct CallKeys<'c, 'a> {
    checker: &'c Checker<'a>,
    keys: FxHashSet<String>,
}

impl<'b> Visitor<'b> for CallKeys<'_, '_> {
    fn visit_expr(&mut self, expr: &'b Expr) {
        match expr {
            Expr::Name(name) if self.checker.semantic.is_self_name(name.id.as_str()) => {}
            Expr::Name(_) | Expr::Attribute(_) => {
                if let Some(key) = key_of(expr) {
                    self.keys.insert(key);
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

const LOGGING: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "print",
    "format",
    "len",
    "str",
    "repr",
    "isinstance",
];

const MUTATORS: &[&str] = &[
    "pop",
    "popleft",
    "remove",
    "rotate",
    "clear",
    "discard",
    "append",
    "appendleft",
    "extend",
    "insert",
    "update",
    "add",
];

/// Mutating methods called on the keys between attempts (outside the attempt itself), and
/// keys passed to a call by a handler.
struct HandedOver<'k> {
    keys: &'k FxHashSet<String>,
    in_handler: bool,
    found: bool,
}

impl<'a> Visitor<'a> for HandedOver<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(attr) = &*call.func
                && MUTATORS.contains(&attr.attr.as_str())
                && key_of(&attr.value).is_some_and(|k| self.keys.contains(&k))
            {
                self.found = true;
                return;
            }
            let callee = match &*call.func {
                Expr::Attribute(attr) => Some(attr.attr.as_str()),
                Expr::Name(name) => Some(name.id.as_str()),
                _ => None,
            };
            if self.in_handler && !callee.is_some_and(|c| LOGGING.contains(&c)) {
                let passed = call
                    .arguments
                    .args
                    .iter()
                    .chain(call.arguments.keywords.iter().map(|k| &k.value))
                    .any(|a| key_of(a).is_some_and(|k| self.keys.contains(&k)));
                if passed {
                    self.found = true;
                    return;
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// `while time.monotonic() < deadline:`, `while (utcnow() - start) < TIMEOUT:`: polling
/// until a deadline, where a steady interval is the point.
fn is_deadline(test: &Expr) -> bool {
    let mut finder = DeadlineFinder { found: false };
    finder.visit_expr(test);
    finder.found
}

struct DeadlineFinder {
    found: bool,
}

impl<'a> Visitor<'a> for DeadlineFinder {
    fn visit_expr(&mut self, expr: &'a Expr) {
        let name = match expr {
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(attr) => Some(attr.attr.as_str()),
                Expr::Name(name) => Some(name.id.as_str()),
                _ => None,
            }
            .filter(|n| {
                matches!(
                    *n,
                    "time"
                        | "monotonic"
                        | "monotonic_ns"
                        | "time_ns"
                        | "perf_counter"
                        | "now"
                        | "utcnow"
                )
            }),
            Expr::Name(name) => {
                Some(name.id.as_str()).filter(|n| n.to_ascii_lowercase().contains("deadline"))
            }
            Expr::Attribute(attr) => {
                Some(attr.attr.as_str()).filter(|n| n.to_ascii_lowercase().contains("deadline"))
            }
            _ => None,
        };
        if name.is_some() {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}

/// `for _ in range(n): await asyncio.sleep(t); try: ...`: waiting first, then checking, is
/// polling for something to become ready (an add-on starting, a user pressing a button).
fn starts_with_sleep(checker: &Checker, body: &[Stmt]) -> bool {
    let Some(Stmt::Expr(first)) = body.first() else {
        return false;
    };
    let Expr::Await(awaited) = &*first.value else {
        return false;
    };
    let Expr::Call(call) = &*awaited.value else {
        return false;
    };
    checker
        .semantic
        .resolve_qualified_name(&call.func)
        .is_some_and(|q| is_sleep(&q))
}

fn is_sleep(qualified: &str) -> bool {
    // `time.sleep` blocks (AIO100) but is a delay all the same.
    SLEEPS.contains(&qualified) || qualified == "time.sleep"
}

/// Is the enclosing function decorated by a retry library?
fn decorated_with_retry(checker: &Checker) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    function.def.decorator_list.iter().any(|decorator| {
        let expr = match &decorator.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        checker
            .semantic
            .resolve_qualified_name(expr)
            .is_some_and(|q| {
                let root = q.split('.').next().unwrap_or(&q);
                RETRY_LIBRARIES.contains(&root)
            })
    })
}

fn is_counter(checker: &Checker, iter: &Expr) -> bool {
    let Expr::Call(call) = iter else {
        return false;
    };
    checker
        .semantic
        .resolve_qualified_name(&call.func)
        .is_some_and(|q| {
            matches!(
                q.as_str(),
                "builtins.range" | "itertools.count" | "itertools.repeat"
            )
        })
}

/// A handler that leaves the iteration for good: its last statement is `raise`, `return` or
/// `break`, or it only hands the exception to a converter (`self._convert_error(exc)`, which
/// re-raises it as another type).
fn ends_loop_iteration(handler: &ast::ExceptHandlerExceptHandler) -> bool {
    match handler.body.as_slice() {
        [.., Stmt::Raise(_) | Stmt::Return(_) | Stmt::Break(_)] => true,
        [Stmt::Expr(expr)] => {
            let (Some(name), Expr::Call(call)) = (&handler.name, &*expr.value) else {
                return false;
            };
            let callee = match &*call.func {
                Expr::Attribute(attr) => attr.attr.as_str(),
                Expr::Name(n) => n.id.as_str(),
                _ => return false,
            };
            !LOGGING.contains(&callee)
                && call
                    .arguments
                    .args
                    .iter()
                    .any(|a| matches!(a, Expr::Name(n) if n.id.as_str() == name.as_str()))
        }
        _ => false,
    }
}

/// A block with a top-level `return`/`break` (looking into `with` blocks, which always run
/// their body).
fn exits_unconditionally(block: &[Stmt]) -> bool {
    block.iter().any(|stmt| match stmt {
        Stmt::Return(_) | Stmt::Break(_) => true,
        Stmt::With(with) => exits_unconditionally(&with.body),
        _ => false,
    })
}

fn catches_only_timeouts(checker: &Checker, handler: &ast::ExceptHandlerExceptHandler) -> bool {
    let Some(type_) = handler.type_.as_deref() else {
        return false;
    };
    let types: Vec<&Expr> = match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        other => vec![other],
    };
    types.iter().all(|t| {
        checker
            .semantic
            .resolve_qualified_name(t)
            .is_some_and(|q| TIMEOUT_ERRORS.contains(&q.as_str()))
    })
}

/// The first awaited call of a block (nested scopes excluded).
fn first_awaited_call(body: &[Stmt]) -> Option<&ast::ExprCall> {
    let mut finder = FirstAwait { found: None };
    finder.visit_body(body);
    finder.found
}

struct FirstAwait<'a> {
    found: Option<&'a ast::ExprCall>,
}

impl<'a> Visitor<'a> for FirstAwait<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        if let Stmt::With(with) = stmt
            && with.is_async
            && let Some(Expr::Call(call)) = with.items.first().map(|i| &i.context_expr)
        {
            self.found = Some(call);
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() || matches!(expr, Expr::Lambda(_)) {
            return;
        }
        if let Expr::Await(awaited) = expr
            && let Expr::Call(call) = &*awaited.value
        {
            self.found = Some(call);
            return;
        }
        visitor::walk_expr(self, expr);
    }
}

/// An `await` (`await self.login()`) or an attribute assignment (`self._conn = None`).
struct CorrectiveAction {
    found: bool,
}

impl<'a> Visitor<'a> for CorrectiveAction {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        let assigns_attribute = match stmt {
            Stmt::Assign(assign) => assign.targets.iter().any(Expr::is_attribute_expr),
            Stmt::AnnAssign(assign) => assign.target.is_attribute_expr(),
            Stmt::AugAssign(assign) => assign.target.is_attribute_expr(),
            Stmt::With(with) => with.is_async,
            Stmt::For(for_stmt) => for_stmt.is_async,
            _ => false,
        };
        if assigns_attribute {
            self.found = true;
            return;
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found || matches!(expr, Expr::Lambda(_)) {
            return;
        }
        if matches!(expr, Expr::Await(_)) {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}

/// What the loop body does that matters for the delay: its sleeps (with their delay
/// argument, `None` when it cannot be read), the names and attributes it assigns, and any
/// growth or jitter.
struct LoopFacts<'c, 'a, 'b> {
    checker: &'c Checker<'a>,
    sleeps: Vec<Option<&'b Expr>>,
    /// Source-like keys of assigned names and attribute chains (`delay`, `self.delay`).
    assigned: FxHashSet<String>,
    /// The same without `with ... as` targets (rebuilt from the same expression each time).
    assigned_outside_with: FxHashSet<String>,
    growth_or_jitter: bool,
    /// A delay named like a polling interval (`POLL_INTERVAL`): polling, not retrying.
    polls: bool,
}

impl<'c, 'a> LoopFacts<'c, 'a, '_> {
    fn new(checker: &'c Checker<'a>) -> Self {
        Self {
            checker,
            sleeps: Vec::new(),
            assigned: FxHashSet::default(),
            assigned_outside_with: FxHashSet::default(),
            growth_or_jitter: false,
            polls: false,
        }
    }
}

impl<'b> Visitor<'b> for LoopFacts<'_, '_, 'b> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    collect_assigned(target, &mut self.assigned);
                    collect_assigned(target, &mut self.assigned_outside_with);
                }
            }
            Stmt::AnnAssign(assign) => {
                collect_assigned(&assign.target, &mut self.assigned);
                collect_assigned(&assign.target, &mut self.assigned_outside_with);
            }
            Stmt::AugAssign(assign) => {
                collect_assigned(&assign.target, &mut self.assigned);
                collect_assigned(&assign.target, &mut self.assigned_outside_with);
                if matches!(
                    assign.op,
                    ast::Operator::Mult | ast::Operator::Pow | ast::Operator::LShift
                ) {
                    self.growth_or_jitter = true;
                }
            }
            Stmt::For(for_stmt) => {
                collect_assigned(&for_stmt.target, &mut self.assigned);
                collect_assigned(&for_stmt.target, &mut self.assigned_outside_with);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        collect_assigned(vars, &mut self.assigned);
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Named(named) => {
                collect_assigned(&named.target, &mut self.assigned);
                collect_assigned(&named.target, &mut self.assigned_outside_with);
            }
            Expr::BinOp(binop)
                if matches!(binop.op, ast::Operator::Pow | ast::Operator::LShift) =>
            {
                self.growth_or_jitter = true;
            }
            Expr::Await(awaited) => {
                if let Expr::Call(call) = &*awaited.value
                    && self
                        .checker
                        .semantic
                        .resolve_qualified_name(&call.func)
                        .is_some_and(|q| SLEEPS.contains(&q.as_str()))
                {
                    let delay = sleep_delay(call);
                    if delay.is_some_and(|d| {
                        key_of(d).is_some_and(|k| k.to_ascii_lowercase().contains("poll"))
                    }) {
                        self.polls = true;
                    }
                    self.sleeps.push(delay);
                }
            }
            Expr::Call(call) => {
                let qualified = self.checker.semantic.resolve_qualified_name(&call.func);
                match qualified.as_deref() {
                    // A blocking sleep (AIO100) still spaces the attempts.
                    Some("time.sleep") => self.sleeps.push(sleep_delay(call)),
                    Some(q) if q.starts_with("random.") || q.starts_with("secrets.") => {
                        self.growth_or_jitter = true;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// The delay argument of a sleep call (`None` when it cannot be read).
fn sleep_delay(call: &ast::ExprCall) -> Option<&Expr> {
    call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| {
                k.arg
                    .as_ref()
                    .is_some_and(|a| matches!(a.as_str(), "delay" | "seconds" | "secs"))
            })
            .map(|k| &k.value)
    })
}

/// Keys of everything a target assigns: `delay`, `self.delay`, and the base of subscripts.
fn collect_assigned(target: &Expr, out: &mut FxHashSet<String>) {
    match target {
        Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| collect_assigned(e, out)),
        Expr::List(list) => list.elts.iter().for_each(|e| collect_assigned(e, out)),
        Expr::Starred(starred) => collect_assigned(&starred.value, out),
        Expr::Subscript(sub) => collect_assigned(&sub.value, out),
        _ => {
            if let Some(key) = key_of(target) {
                out.insert(key);
            }
        }
    }
}

/// `delay` or `self.retry.delay` for names and attribute chains.
fn key_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attr) => Some(format!("{}.{}", key_of(&attr.value)?, attr.attr)),
        _ => None,
    }
}

/// A delay made of literals, names and attributes (with arithmetic) that the loop never
/// assigns; any call or subscript makes it computed.
fn is_constant_delay(delay: &Expr, assigned: &FxHashSet<String>) -> bool {
    match delay {
        Expr::NumberLiteral(_) => true,
        Expr::Name(_) | Expr::Attribute(_) => {
            let Some(key) = key_of(delay) else {
                return false;
            };
            // Assigning `self.retry` changes `self.retry.delay` too.
            let mut prefix = key.as_str();
            loop {
                if assigned.contains(prefix) {
                    return false;
                }
                match prefix.rfind('.') {
                    Some(dot) => prefix = &prefix[..dot],
                    None => return true,
                }
            }
        }
        Expr::UnaryOp(unary) => is_constant_delay(&unary.operand, assigned),
        Expr::BinOp(binop) => {
            is_constant_delay(&binop.left, assigned) && is_constant_delay(&binop.right, assigned)
        }
        _ => false,
    }
}

/// The names bound by a `for` target; `false` when it binds something else
/// (`for self.port in PORTS`).
fn collect_target_names<'a>(target: &'a Expr, out: &mut FxHashSet<&'a str>) -> bool {
    match target {
        Expr::Name(name) => {
            out.insert(name.id.as_str());
            true
        }
        Expr::Tuple(tuple) => tuple.elts.iter().all(|e| collect_target_names(e, out)),
        Expr::List(list) => list.elts.iter().all(|e| collect_target_names(e, out)),
        Expr::Starred(starred) => collect_target_names(&starred.value, out),
        _ => false,
    }
}

fn mentions_any(expr: &Expr, names: &FxHashSet<&str>) -> bool {
    let mut finder = NameUse {
        names,
        found: false,
    };
    finder.visit_expr(expr);
    finder.found
}

struct NameUse<'n, 's> {
    names: &'n FxHashSet<&'s str>,
    found: bool,
}

impl<'a> Visitor<'a> for NameUse<'_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        if let Expr::Name(name) = expr
            && self.names.contains(name.id.as_str())
        {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}
