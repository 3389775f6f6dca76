//! ## What it does
//! Reports fan-out whose concurrency is the size of the input:
//! `asyncio.gather(*[fetch(x) for x in items])`, `asyncio.gather(*(fetch(x) for x in items))`,
//! and `asyncio.create_task(fetch(x))`/`tg.create_task(fetch(x))`/`ensure_future`/`start_soon`
//! in a `for` loop or comprehension over a non-literal iterable, when neither the spawning
//! function nor the spawned coroutine acquires a semaphore or limiter (`async with sem:`,
//! `await sem.acquire()`, an `asyncio.Semaphore`/`BoundedSemaphore`, anyio `CapacityLimiter`,
//! `aiolimiter.AsyncLimiter`, a pool's `acquire()`, or an object named like one). The spawned
//! coroutine must be an `async def` of your project, resolved across modules (through imports,
//! aliases, re-exports, `self.`/`cls.` methods and `Class(...).method()`); a coroutine it
//! awaits that acquires a limiter counts too.
//!
//! ## Why is this bad?
//! Every item starts its coroutine at once. With ten items in tests this is fast; with the
//! 50,000 rows of production it opens 50,000 sockets or database queries simultaneously, runs
//! out of file descriptors or pool connections, trips rate limits on the remote service, and
//! holds every result and traceback in memory. The event loop schedules all those tasks
//! round-robin, so latency grows for everything else it serves.
//!
//! ## Example
//! ```python
//! async def fetch_page(session, url):
//!     async with session.get(url) as response:
//!         return await response.text()
//!
//! async def crawl(session, urls):
//!     return await asyncio.gather(*[fetch_page(session, url) for url in urls])
//! ```
//!
//! Use instead:
//! ```python
//! async def crawl(session, urls):
//!     sem = asyncio.Semaphore(20)
//!
//!     async def bounded(url):
//!         async with sem:
//!             return await fetch_page(session, url)
//!
//!     return await asyncio.gather(*[bounded(url) for url in urls])
//! ```
//!
//! or feed a fixed number of worker tasks from an `asyncio.Queue`.
//!
//! Not reported: loops over literals or `range(...)` (a worker pool of known size), over
//! comprehensions of those, or over a name bound once to one of those and only read afterwards
//! (`names = [f"w{i}" for i in range(10)]`, `services = {...}` then `services.items()`), or over
//! collections the object owns (`self._providers`: configured members, not input), spawned
//! calls that do not use the loop variable, fan-out already inside another loop (batches),
//! loops whose body awaits (they pace themselves), decorated coroutine functions (the
//! decorator may limit them), and coroutines that cannot be resolved (library calls such as
//! `session.get(url)` have their own connection limits). This rule is off by default.
//!
//! ## References
//! - [`asyncio.Semaphore`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Semaphore)
//! - [`asyncio.gather`](https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)
//! - [anyio `CapacityLimiter`](https://anyio.readthedocs.io/en/stable/synchronization.html#capacity-limiters)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet;

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, FunctionSummary, ProjectFacts};
use crate::registry::Rule;
use crate::rules::function_facts::{self, Callee};

/// How many awaited calls deep a limiter in the spawned coroutine is looked for.
const LIMITER_DEPTH: u8 = 3;

/// Calls that wrap a coroutine and keep it running (the wrapped call is what is spawned).
const WRAPPERS: &[&str] = &[
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.wait_for",
    "asyncio.shield",
];

/// What is spawned per item: the callee and the expressions passed to it.
struct Spawned<'a> {
    func: &'a Expr,
    args: Vec<&'a Expr>,
}

pub(crate) fn unbounded_fan_out(checker: &mut Checker, site: &CallSite) {
    if site.qualified == Some("asyncio.gather") {
        gather(checker, site);
    } else {
        spawn_in_loop(checker, site);
    }
}

/// `asyncio.gather(*[f(x) for x in xs])` / `asyncio.gather(*(f(x) for x in xs))`.
fn gather(checker: &mut Checker, site: &CallSite) {
    for arg in &site.call.arguments.args {
        let Expr::Starred(starred) = arg else {
            continue;
        };
        let (elt, generators) = match &*starred.value {
            Expr::ListComp(c) => (&*c.elt, &c.generators),
            Expr::Generator(c) => (&*c.elt, &c.generators),
            Expr::SetComp(c) => (&*c.elt, &c.generators),
            _ => continue,
        };
        // Inside another loop the gather usually runs one batch at a time.
        if in_loop_statement(checker) {
            return;
        }
        let Some(first) = generators.first() else {
            continue;
        };
        if first.is_async || is_bounded_iterable(checker, &first.iter) {
            continue;
        }
        let Expr::Call(call) = elt else { continue };
        let spawned = unwrap_spawned(checker, call);
        if !uses_any(&spawned.args, &comprehension_targets(generators)) {
            continue;
        }
        let spawn = "`asyncio.gather(...)` starts".to_string();
        report_or_defer(checker, site.call.range(), spawn, &spawned, &first.iter);
        return;
    }
}

/// `create_task`/`ensure_future`/`start_soon` in a `for` loop or a comprehension.
fn spawn_in_loop(checker: &mut Checker, site: &CallSite) {
    let Some((spawner_display, spawned)) = spawn_call(checker, site) else {
        return;
    };
    let range = site.call.range();
    // A comprehension around the spawn call.
    let mut comprehension: Option<(&[ast::Comprehension], TextRange)> = None;
    let ancestors: Vec<&Expr> = checker.expression_ancestors().collect();
    for (i, ancestor) in ancestors.iter().enumerate() {
        let (generators, elts): (&[ast::Comprehension], Vec<&Expr>) = match ancestor {
            Expr::Lambda(_) => return,
            Expr::ListComp(c) => (&c.generators, vec![&*c.elt]),
            Expr::SetComp(c) => (&c.generators, vec![&*c.elt]),
            Expr::Generator(c) => (&c.generators, vec![&*c.elt]),
            Expr::DictComp(c) => (
                &c.generators,
                c.key.as_deref().into_iter().chain([&*c.value]).collect(),
            ),
            _ => continue,
        };
        if !elts.iter().any(|e| e.range().contains_range(range)) {
            // The spawn is in the iterable or a condition: evaluated once per item at most,
            // but not the element being collected; leave it alone.
            return;
        }
        // `gather(*[create_task(f(x)) for x in xs])` is reported on the gather.
        if let (Some(Expr::Starred(_)), Some(Expr::Call(outer))) =
            (ancestors.get(i + 1), ancestors.get(i + 2))
            && checker
                .semantic
                .resolve_qualified_name(&outer.func)
                .as_deref()
                == Some("asyncio.gather")
        {
            return;
        }
        comprehension = Some((generators, ancestor.range()));
        break;
    }
    let targets;
    let iter;
    if let Some((generators, _)) = comprehension {
        if in_loop_statement(checker) {
            return;
        }
        let first = generators.first();
        let Some(first) = first else { return };
        if first.is_async {
            return;
        }
        targets = comprehension_targets(generators);
        iter = &first.iter;
    } else {
        let Some(for_stmt) = spawning_loop(checker, range) else {
            return;
        };
        if for_stmt.is_async || body_paces_itself(&for_stmt.body) {
            return;
        }
        targets = names_in(&for_stmt.target);
        iter = &*for_stmt.iter;
    }
    if is_bounded_iterable(checker, iter) || !uses_any(&spawned.args, &targets) {
        return;
    }
    let spawn = format!("`{spawner_display}` in a loop starts");
    report_or_defer(checker, range, spawn, &spawned, iter);
}

/// The spawn call's display and what it spawns.
fn spawn_call<'a>(checker: &Checker, site: &CallSite<'a, '_>) -> Option<(String, Spawned<'a>)> {
    let args = &site.call.arguments.args;
    let method = site.method_name();
    let is_task = matches!(
        site.qualified,
        Some("asyncio.create_task" | "asyncio.ensure_future")
    ) || (site.qualified.is_none() && method == Some("create_task"));
    if is_task {
        let Expr::Call(call) = args.first()? else {
            return None;
        };
        let display = function_facts::callee_display(checker, &site.call.func);
        return Some((display, unwrap_spawned(checker, call)));
    }
    if site.qualified.is_none() && method == Some("start_soon") {
        let func = args.first()?;
        let display = function_facts::callee_display(checker, &site.call.func);
        return Some((
            display,
            Spawned {
                func,
                args: args.iter().skip(1).collect(),
            },
        ));
    }
    None
}

/// Look through `create_task(...)`, `wait_for(...)` and friends to the coroutine call.
fn unwrap_spawned<'a>(checker: &Checker, call: &'a ast::ExprCall) -> Spawned<'a> {
    let mut call = call;
    for _ in 0..3 {
        let is_wrapper = checker
            .semantic
            .resolve_qualified_name(&call.func)
            .is_some_and(|q| WRAPPERS.contains(&q.as_str()))
            || matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "create_task");
        match call.arguments.args.first() {
            Some(Expr::Call(inner)) if is_wrapper => call = inner,
            _ => break,
        }
    }
    let mut args: Vec<&Expr> = call.arguments.args.iter().collect();
    args.extend(call.arguments.keywords.iter().map(|k| &k.value));
    if let Expr::Attribute(attr) = &*call.func {
        // `item.process()`: the receiver varies with the loop too.
        args.push(&attr.value);
    }
    Spawned {
        func: &call.func,
        args,
    }
}

/// The innermost `for` statement whose body contains `range`, when no other loop encloses it
/// within the function.
fn spawning_loop<'a>(checker: &Checker<'a>, range: TextRange) -> Option<&'a ast::StmtFor> {
    let mut found: Option<&'a ast::StmtFor> = None;
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return found,
            Stmt::For(for_stmt)
                if for_stmt
                    .body
                    .iter()
                    .any(|s| s.range().contains_range(range)) =>
            {
                if found.is_some() {
                    return None;
                }
                found = Some(for_stmt);
            }
            Stmt::For(_) if found.is_some() => return None,
            Stmt::While(_) => return None,
            _ => {}
        }
    }
    None
}

/// Is the current node inside a `for`/`while` of its function?
fn in_loop_statement(checker: &Checker) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::For(_) | Stmt::While(_) => return true,
            _ => {}
        }
    }
    false
}

/// A loop body that awaits or breaks can pace or stop the fan-out itself.
fn body_paces_itself(body: &[Stmt]) -> bool {
    struct Finder {
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Break(_) => self.found = true,
                Stmt::With(with) if with.is_async => self.found = true,
                Stmt::For(for_stmt) if for_stmt.is_async => self.found = true,
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Lambda(_) => {}
                Expr::Await(_) => self.found = true,
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder { found: false };
    finder.visit_body(body);
    finder.found
}

/// Literal collections and `range(...)`: a fixed, usually small, number of items. Collections
/// the object owns (`self._providers`, `self.get_devices()`) are its configured members rather
/// than input that grows with the load: not reported either.
fn is_bounded_iterable(checker: &Checker, iter: &Expr) -> bool {
    is_bounded(checker, iter, 6, true)
}

/// Literals, `range(...)`, comprehensions over bounded iterables, `.items()`/`.keys()`/
/// `.values()` and `enumerate`/`list`/`sorted`... of a bounded iterable, and names bound once to
/// one of these (a local that is only read, or an UPPER_CASE module constant):
/// `library = {"music": ..., "movies": ...}` then `[f(k) for k in library.items()]`.
/// `direct`: `iter` is the loop's own iterable, where any `range(n)` is a worker pool; further
/// in, only `range` of constants is (`(day(x) for x in range(days))` grows with `days`).
fn is_bounded(checker: &Checker, iter: &Expr, depth: u8, direct: bool) -> bool {
    match iter {
        Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_) | Expr::StringLiteral(_) => {
            true
        }
        Expr::ListComp(ast::ExprListComp { generators, .. })
        | Expr::SetComp(ast::ExprSetComp { generators, .. })
        | Expr::Generator(ast::ExprGenerator { generators, .. })
        | Expr::DictComp(ast::ExprDictComp { generators, .. }) => {
            depth > 0
                && generators
                    .iter()
                    .all(|g| !g.is_async && is_bounded(checker, &g.iter, depth - 1, false))
        }
        Expr::Call(call) => {
            if let Expr::Attribute(attr) = &*call.func
                && matches!(attr.attr.as_str(), "items" | "keys" | "values")
                && call.arguments.is_empty()
                && depth > 0
                && is_bounded(checker, &attr.value, depth - 1, false)
            {
                return true;
            }
            match checker
                .semantic
                .resolve_qualified_name(&call.func)
                .as_deref()
            {
                Some("builtins.range") => {
                    direct
                        || call.arguments.args.iter().all(|a| {
                            matches!(a, Expr::NumberLiteral(_))
                                || matches!(a, Expr::UnaryOp(u) if matches!(&*u.operand, Expr::NumberLiteral(_)))
                        })
                }
                Some(
                    "builtins.enumerate" | "builtins.list" | "builtins.tuple" | "builtins.sorted"
                    | "builtins.reversed" | "builtins.set" | "builtins.frozenset",
                ) if depth > 0 && call.arguments.keywords.is_empty() => call
                    .arguments
                    .args
                    .first()
                    .is_some_and(|arg| is_bounded(checker, arg, depth - 1, direct)),
                _ => is_rooted_at_self(checker, iter),
            }
        }
        Expr::Name(name) if depth > 0 => {
            bounded_name(checker, name, depth - 1) || is_rooted_at_self(checker, iter)
        }
        _ => is_rooted_at_self(checker, iter),
    }
}

/// A name bound once to a bounded value: a local of the current function that is only read
/// (never mutated, aliased or passed to a non-builtin call), or an UPPER_CASE module constant.
fn bounded_name(checker: &Checker, name: &ast::ExprName, depth: u8) -> bool {
    let Some(binding) = checker.semantic.unique_binding(name.id.as_str()) else {
        return false;
    };
    let crate::semantic::BindingKind::Assignment {
        value: Some(value), ..
    } = binding.kind
    else {
        return false;
    };
    if !is_bounded(checker, value, depth, false) {
        return false;
    }
    match checker.semantic.current_function() {
        Some(function) if function.def.range().contains_range(binding.range) => {
            only_read(checker, &function.def.body, name.id.as_str())
        }
        _ => {
            let id = name.id.as_str();
            id.chars().any(|c| c.is_ascii_uppercase())
                && !id.chars().any(|c| c.is_ascii_lowercase())
        }
    }
}

/// Is every load of `name` in `body` a plain read: iterated, indexed, tested with `in`, the
/// receiver of a non-mutating method, or an argument of a builtin (`len(name)`)?
fn only_read(checker: &Checker, body: &[Stmt], name: &str) -> bool {
    const READ_METHODS: &[&str] = &["items", "keys", "values", "get", "copy", "count", "index"];
    struct Reads<'c, 'n> {
        checker: &'c Checker<'c>,
        name: &'n str,
        allowed: FxHashSet<ruff_text_size::TextSize>,
        escapes: bool,
    }
    impl Reads<'_, '_> {
        fn allow(&mut self, expr: &Expr) {
            if let Expr::Name(n) = expr
                && n.id.as_str() == self.name
            {
                self.allowed.insert(n.range().start());
            }
        }
    }
    impl<'a> Visitor<'a> for Reads<'_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::For(f) = stmt {
                self.allow(&f.iter);
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
            self.allow(&comprehension.iter);
            visitor::walk_comprehension(self, comprehension);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Call(call) => {
                    if let Expr::Attribute(attr) = &*call.func
                        && READ_METHODS.contains(&attr.attr.as_str())
                    {
                        self.allow(&attr.value);
                    }
                    if self
                        .checker
                        .semantic
                        .resolve_qualified_name(&call.func)
                        .is_some_and(|q| q.starts_with("builtins."))
                    {
                        for arg in &call.arguments.args {
                            self.allow(arg);
                        }
                    }
                }
                Expr::Subscript(sub) if sub.ctx == ast::ExprContext::Load => self.allow(&sub.value),
                Expr::Compare(cmp) => {
                    for (op, right) in cmp.ops.iter().zip(cmp.comparators.iter()) {
                        if matches!(op, ast::CmpOp::In | ast::CmpOp::NotIn) {
                            self.allow(right);
                        }
                    }
                }
                Expr::Name(n)
                    if n.id.as_str() == self.name
                        && n.ctx == ast::ExprContext::Load
                        && !self.allowed.contains(&n.range().start()) =>
                {
                    self.escapes = true;
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut reads = Reads {
        checker,
        name,
        allowed: FxHashSet::default(),
        escapes: false,
    };
    reads.visit_body(body);
    !reads.escapes
}

/// `self.x`, `self.x.items()`, `list(self.x)`, `cls.registry[key]`.
fn is_rooted_at_self(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => checker.semantic.is_self_name(name.id.as_str()),
        Expr::Attribute(attr) => is_rooted_at_self(checker, &attr.value),
        Expr::Subscript(sub) => is_rooted_at_self(checker, &sub.value),
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(attr) => is_rooted_at_self(checker, &attr.value),
            // `list(self.x)`, `sorted(self.x)`, `enumerate(self.x)`.
            Expr::Name(_) => call
                .arguments
                .args
                .first()
                .is_some_and(|arg| is_rooted_at_self(checker, arg)),
            _ => false,
        },
        _ => false,
    }
}

fn comprehension_targets(generators: &[ast::Comprehension]) -> FxHashSet<String> {
    let mut names = FxHashSet::default();
    for generator in generators {
        names.extend(names_in(&generator.target));
    }
    names
}

fn names_in(expr: &Expr) -> FxHashSet<String> {
    struct Names(FxHashSet<String>);
    impl<'a> Visitor<'a> for Names {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(name) => {
                    self.0.insert(name.id.to_string());
                }
                Expr::Lambda(_) => {}
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut names = Names(FxHashSet::default());
    names.visit_expr(expr);
    names.0
}

fn uses_any(exprs: &[&Expr], names: &FxHashSet<String>) -> bool {
    exprs
        .iter()
        .any(|e| names_in(e).iter().any(|n| names.contains(n)))
}

fn report_or_defer(
    checker: &mut Checker,
    range: TextRange,
    spawn: String,
    spawned: &Spawned,
    iter: &Expr,
) {
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    if function_facts::body_uses_limiter(&checker.semantic, &function.def.body) {
        return;
    }
    let spawner = format!("{}()", function.def.name);
    let callee = function_facts::callee_display(checker, spawned.func);
    let iterable = function_facts::short_source(checker, iter)
        .map_or_else(|| "the input".to_string(), |s| format!("`{s}`"));
    match function_facts::resolve_callee(checker, spawned.func) {
        Some(Callee::Local(def)) => {
            if !def.is_async
                || !function_facts::is_undecorated(def)
                || function_facts::body_facts(def).is_generator
                || function_facts::is_trivial_body(&def.body)
            {
                return;
            }
            if function_facts::local_uses_limiter(&checker.semantic, def, LIMITER_DEPTH) {
                return;
            }
            let (message, help) = messages(&spawn, &callee, &spawner, &iterable);
            checker.report(Rule::UnboundedFanOut, message, help, range, None);
        }
        Some(Callee::Project(target)) => {
            if let Some(builder) = &mut checker.summary {
                builder.summary.deferred.push(DeferredCheck {
                    rule: Rule::UnboundedFanOut,
                    range,
                    target,
                    kind: DeferredKind::UnboundedFanOut(Box::new(
                        crate::project::texts::UnboundedFanOut {
                            spawn,
                            callee,
                            spawner,
                            iterable,
                        },
                    )),
                });
            }
        }
        None => {}
    }
}

fn messages(spawn: &str, callee: &str, spawner: &str, iterable: &str) -> (String, String) {
    (
        format!(
            "{spawn} one `{callee}` per item of {iterable} at once, and neither `{spawner}` nor `{callee}` acquires a semaphore or limiter: concurrency grows with the input size"
        ),
        format!(
            "Bound it: hold a shared `asyncio.Semaphore(n)` (`async with sem:`) around the work of `{callee}`, or feed a fixed number of worker tasks from an `asyncio.Queue`"
        ),
    )
}

/// Does the function, or a project coroutine it awaits (a few levels deep), acquire a limiter?
fn acquires_limiter(facts: &dyn ProjectFacts, function: &FunctionSummary, depth: u8) -> bool {
    if function.uses_limiter {
        return true;
    }
    depth > 0
        && function.awaited_calls.iter().any(|target| {
            facts
                .resolve_function(target)
                .is_some_and(|callee| acquires_limiter(facts, callee.summary, depth - 1))
        })
}

/// Phase 2: report when the spawned coroutine is a project `async def` without a limiter.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::UnboundedFanOut(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::UnboundedFanOut {
        spawn,
        callee,
        spawner,
        iterable,
    } = &**texts;
    let function = facts.resolve_function(&check.target)?;
    let summary = function.summary;
    if !summary.is_async
        || summary.is_generator
        || summary.opaque_decorator
        || summary.is_property
        || summary.trivial_body
    {
        return None;
    }
    if acquires_limiter(facts, summary, LIMITER_DEPTH) {
        return None;
    }
    let (message, help) = messages(spawn, callee, spawner, iterable);
    let rule = Rule::UnboundedFanOut;
    Some(
        Diagnostic::new(rule.code(), rule.name(), message, check.range, file.clone())
            .with_help(help),
    )
}
