//! Facts about function bodies shared by the rules that reason about what a callee *is*
//! (async generator, coroutine function, generator holding a resource, function acquiring a
//! limiter): AIO207, AIO512, AIO606, AIO611. The same facts are recorded in the phase-1
//! summary ([`record_yield`], [`record_await`], [`record_async_with`]) so phase 2 can answer
//! them for functions of other modules.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::project::Target;
use crate::semantic::{BindingKind, SemanticModel};

/// Where a callee points: a function of this file seen through its binding, or a target the
/// project index settles in phase 2.
pub(crate) enum Callee<'a> {
    Local(&'a ast::StmtFunctionDef),
    Project(Target),
}

/// Resolve the callee of a call. With a summary (project mode), anything the index can
/// resolve is deferred, so a module-level function is decided once, in phase 2; otherwise a
/// name bound once to a `def` in this file (module level or nested) is analysed directly.
pub(crate) fn resolve_callee<'a>(checker: &Checker<'a>, func: &Expr) -> Option<Callee<'a>> {
    if checker.summary.is_some()
        && let Some(target) = checker.semantic.resolve_call_target(func, None)
    {
        return Some(Callee::Project(target));
    }
    local_function(&checker.semantic, func).map(Callee::Local)
}

/// `name` bound exactly once, to a `def`, in a visible scope.
pub(crate) fn local_function<'a>(
    semantic: &SemanticModel<'a>,
    func: &Expr,
) -> Option<&'a ast::StmtFunctionDef> {
    let Expr::Name(name) = func else { return None };
    match semantic.unique_binding(name.id.as_str())?.kind {
        BindingKind::FunctionDef(def) => Some(def),
        _ => None,
    }
}

/// What a local `def` is, from its body (nested scopes excluded).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BodyFacts {
    pub(crate) is_generator: bool,
    /// A `yield` inside `with`/`async with` or inside a `try` that has a `finally`.
    pub(crate) holds_resource: bool,
}

pub(crate) fn body_facts(def: &ast::StmtFunctionDef) -> BodyFacts {
    let mut finder = YieldFinder::default();
    finder.visit_body(&def.body);
    finder.facts
}

/// Only a docstring, `pass`, `...` and/or `raise`: an interface stub (abstract method,
/// protocol) whose real implementation, maybe an async generator, lives in a subclass.
pub(crate) fn is_trivial_body(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) | Stmt::Raise(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)),
        _ => false,
    })
}

/// A local `def` whose behaviour no decorator can change.
pub(crate) fn is_undecorated(def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.is_empty()
}

#[derive(Default)]
struct YieldFinder {
    facts: BodyFacts,
    resource_depth: u32,
}

impl<'a> Visitor<'a> for YieldFinder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                }
                self.resource_depth += 1;
                self.visit_body(&with.body);
                self.resource_depth -= 1;
            }
            Stmt::Try(try_stmt) if !try_stmt.finalbody.is_empty() => {
                self.resource_depth += 1;
                self.visit_body(&try_stmt.body);
                for handler in &try_stmt.handlers {
                    visitor::walk_except_handler(self, handler);
                }
                self.visit_body(&try_stmt.orelse);
                self.resource_depth -= 1;
                self.visit_body(&try_stmt.finalbody);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {}
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.facts.is_generator = true;
                if self.resource_depth > 0 {
                    self.facts.holds_resource = true;
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Is the `yield` being visited inside a `with`/`async with` body or a `try` with `finally`
/// (not in the `finally` itself) of its own function?
pub(crate) fn yield_holds_resource(
    checker: &Checker,
    yield_range: ruff_text_size::TextRange,
) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::With(with)
                if with
                    .body
                    .iter()
                    .any(|s| s.range().contains_range(yield_range)) =>
            {
                return true;
            }
            Stmt::Try(try_stmt)
                if !try_stmt.finalbody.is_empty()
                    && !try_stmt
                        .finalbody
                        .iter()
                        .any(|s| s.range().contains_range(yield_range)) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Identifier tokens that name a concurrency limiter (`sem`, `self._request_semaphore`,
/// `rate_limiter`, `self.limit`).
const LIMITER_TOKENS: &[&str] = &[
    "sem",
    "sema",
    "semaphore",
    "semaphores",
    "limit",
    "limiter",
    "limiters",
    "throttle",
    "throttler",
    "ratelimit",
    "ratelimiter",
    "bulkhead",
];

fn is_limiter_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("semaphore")
        || lower.contains("limiter")
        || lower.split('_').any(|t| LIMITER_TOKENS.contains(&t))
}

fn is_limiter_kind(kind: &str) -> bool {
    let kind = kind.strip_prefix("await ").unwrap_or(kind);
    let Some(callee) = kind.strip_suffix("()") else {
        return false;
    };
    let last = callee.rsplit('.').next().unwrap_or(callee);
    last.contains("Semaphore") || last.contains("Limiter")
}

/// Is the context expression of an `async with` a semaphore/limiter (by kind or by name), or
/// `x.acquire()` (a semaphore, a pool connection: both bound concurrency)?
pub(crate) fn is_limiter(semantic: &SemanticModel, expr: &Expr) -> bool {
    if semantic
        .object_kind(expr)
        .is_some_and(|k| is_limiter_kind(&k))
    {
        return true;
    }
    match expr {
        Expr::Name(name) => is_limiter_name(name.id.as_str()),
        Expr::Attribute(attr) => is_limiter_name(attr.attr.as_str()),
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(attr) if attr.attr.as_str() == "acquire" => true,
            Expr::Attribute(attr) => is_limiter(semantic, &attr.value),
            _ => false,
        },
        _ => false,
    }
}

/// `await x.acquire()` on any receiver.
pub(crate) fn is_acquire_await(await_value: &Expr) -> bool {
    matches!(await_value, Expr::Call(call) if matches!(&*call.func, Expr::Attribute(attr) if attr.attr.as_str() == "acquire"))
}

/// Does `body` acquire a limiter anywhere, nested functions included (used for the spawning
/// function, where a closure acquiring the semaphore also bounds the fan-out)?
pub(crate) fn body_uses_limiter(semantic: &SemanticModel, body: &[Stmt]) -> bool {
    let mut finder = LimiterFinder {
        semantic,
        parameters: None,
        found: false,
        awaited: Vec::new(),
    };
    finder.visit_body(body);
    finder.found
}

/// Does the local `def` (or a local `def` it awaits, a few levels deep) acquire a limiter?
pub(crate) fn local_uses_limiter(
    semantic: &SemanticModel,
    def: &ast::StmtFunctionDef,
    depth: u8,
) -> bool {
    let mut finder = LimiterFinder {
        semantic,
        parameters: Some(&def.parameters),
        found: false,
        awaited: Vec::new(),
    };
    finder.visit_body(&def.body);
    if finder.found {
        return true;
    }
    if depth == 0 {
        return false;
    }
    finder.awaited.iter().any(|func| {
        local_function(semantic, func).is_some_and(|callee| {
            !std::ptr::eq(callee, def) && local_uses_limiter(semantic, callee, depth - 1)
        })
    })
}

struct LimiterFinder<'s, 'm, 'a> {
    semantic: &'s SemanticModel<'m>,
    /// The parameters of the function scanned from outside its scope: their annotations give
    /// kinds the semantic model cannot see from here (`gate: asyncio.Semaphore`).
    parameters: Option<&'a ast::Parameters>,
    found: bool,
    /// Callees of awaited calls and `async with` items.
    awaited: Vec<&'a Expr>,
}

impl LimiterFinder<'_, '_, '_> {
    fn is_limiter_parameter(&self, expr: &Expr) -> bool {
        let (Some(parameters), Expr::Name(name)) = (self.parameters, expr) else {
            return false;
        };
        parameters
            .iter()
            .find(|p| p.name().as_str() == name.id.as_str())
            .and_then(|p| p.annotation())
            .and_then(|a| self.semantic.annotation_kind(a))
            .is_some_and(|k| is_limiter_kind(&k))
    }
}

impl<'a> Visitor<'a> for LimiterFinder<'_, '_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        if let Stmt::With(with) = stmt
            && with.is_async
        {
            for item in &with.items {
                if is_limiter(self.semantic, &item.context_expr)
                    || self.is_limiter_parameter(&item.context_expr)
                {
                    self.found = true;
                    return;
                }
                if let Expr::Call(call) = &item.context_expr {
                    self.awaited.push(&call.func);
                }
            }
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        if let Expr::Await(await_expr) = expr {
            if is_acquire_await(&await_expr.value) {
                self.found = true;
                return;
            }
            if let Expr::Call(call) = &*await_expr.value {
                self.awaited.push(&call.func);
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// Phase 1 summary: a `yield` (the caller already set `is_generator`).
pub(crate) fn record_yield(checker: &mut Checker, yield_range: ruff_text_size::TextRange) {
    if checker.summary.is_none() {
        return;
    }
    if !yield_holds_resource(checker, yield_range) {
        return;
    }
    if let Some(function) = checker.summary.as_mut().and_then(|b| b.current()) {
        function.holds_resource = true;
    }
}

/// Phase 1 summary: `await <value>` in an async function: an acquired limiter, or an awaited
/// call that may lead to one.
pub(crate) fn record_await(checker: &mut Checker, value: &Expr) {
    if checker.summary.is_none() {
        return;
    }
    let acquire = is_acquire_await(value);
    let target = match value {
        Expr::Call(call) if !acquire => checker.semantic.resolve_call_target(&call.func, None),
        _ => None,
    };
    let Some(function) = checker.summary.as_mut().and_then(|b| b.current()) else {
        return;
    };
    if !function.is_async {
        return;
    }
    if acquire {
        function.uses_limiter = true;
    }
    if let Some(target) = target
        && !function.awaited_calls.contains(&target)
    {
        function.awaited_calls.push(target);
    }
}

/// Phase 1 summary: `async with` items that are limiters, or calls that may lead to one.
pub(crate) fn record_async_with(checker: &mut Checker, with: &ast::StmtWith) {
    if checker.summary.is_none() || !with.is_async {
        return;
    }
    let mut limiter = false;
    let mut targets = Vec::new();
    for item in &with.items {
        if is_limiter(&checker.semantic, &item.context_expr) {
            limiter = true;
        } else if let Expr::Call(call) = &item.context_expr
            && let Some(target) = checker.semantic.resolve_call_target(&call.func, None)
        {
            targets.push(target);
        }
    }
    let Some(function) = checker.summary.as_mut().and_then(|b| b.current()) else {
        return;
    };
    if !function.is_async {
        return;
    }
    function.uses_limiter |= limiter;
    for target in targets {
        if !function.awaited_calls.contains(&target) {
            function.awaited_calls.push(target);
        }
    }
}

/// A short rendering of a callee for messages: `fetch_page()`, `self.stream()`.
pub(crate) fn callee_display(checker: &Checker, func: &Expr) -> String {
    let text = checker.source_of(func.range());
    if text.len() <= 60 && !text.contains('\n') {
        format!("{text}()")
    } else {
        "the callee".to_string()
    }
}

/// A short rendering of an expression for messages, or `None` when it is long.
pub(crate) fn short_source(checker: &Checker, expr: &Expr) -> Option<String> {
    let text = checker.source_of(expr.range());
    (text.len() <= 40 && !text.contains('\n')).then(|| text.to_string())
}
