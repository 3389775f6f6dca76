//! ## What it does
//! Reports `await asyncio.gather(..., return_exceptions=True)` whose result is thrown away
//! (an expression statement, assigned to `_` or to a local never read), or whose result is
//! iterated, indexed or unpacked in a function that never checks an item with
//! `isinstance(item, Exception)` (or `BaseException`, or any exception class).
//!
//! ## Why is this bad?
//! With `return_exceptions=True`, `gather` no longer raises when an awaitable fails: the
//! exception object is put in the result list in place of a value. Nothing is logged and no
//! traceback is printed. Code that ignores the list loses every failure silently, and code that
//! uses the items as values (`for user in users: user.name`) fails later with a confusing
//! `AttributeError` on an exception object, or silently stores the exception as if it were
//! data.
//!
//! ## Example
//! ```python
//! async def refresh_all(clients):
//!     results = await asyncio.gather(
//!         *(c.refresh() for c in clients), return_exceptions=True
//!     )
//!     for client, result in zip(clients, results):
//!         client.state = result
//! ```
//!
//! Use instead:
//! ```python
//! async def refresh_all(clients):
//!     results = await asyncio.gather(
//!         *(c.refresh() for c in clients), return_exceptions=True
//!     )
//!     for client, result in zip(clients, results):
//!         if isinstance(result, Exception):
//!             logger.error("refresh of %s failed", client, exc_info=result)
//!             continue
//!         client.state = result
//! ```
//!
//! Not reported: a result that is returned, passed to another function, stored on an object or
//! otherwise escapes the function (it may be checked there); a function containing an
//! `isinstance(..., <exception class>)` check anywhere (including in a comprehension filter);
//! single results that are tested (`if result is not None:`, `if not ok:`), passed to a
//! function (`self.log_result(result)`) or raised. A discarded result is not reported during
//! teardown, where ignoring failures is deliberate: after cancelling tasks (`task.cancel()`),
//! in functions named like `close`, `stop`, `shutdown`, `cleanup`, `unload`, `disconnect`,
//! `drain` or `__aexit__`, in a `finally:` block, and after the `yield` of a fixture or context
//! manager.
//!
//! ## References
//! - [`asyncio.gather`](https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::tasks::task_tracking::{is_gather, short_source};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Usage {
    /// The result is never looked at.
    Discarded,
    /// The result is iterated, indexed or unpacked.
    Used,
    /// The result leaves the function or is used in a way we cannot follow.
    Unknown,
}

/// What the function does with the result.
struct ResultUse<'a> {
    usage: Usage,
    /// The local name holding the result, if any.
    name: Option<&'a str>,
    /// Names bound to single results: loop/comprehension targets over the result, unpacked
    /// targets.
    elements: Vec<&'a str>,
}

impl<'a> ResultUse<'a> {
    fn new(usage: Usage) -> Self {
        Self {
            usage,
            name: None,
            elements: Vec::new(),
        }
    }
}

pub(crate) fn gather_exceptions_unchecked(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let Expr::Call(call) = &*await_expr.value else {
        return;
    };
    if !returns_exceptions(call) || !is_gather(checker, call) {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let body = &function.def.body;
    let range = await_expr.range();
    let result = result_use(checker, body, range);
    let gather = short_source(checker, &call.func, "asyncio.gather");
    match result.usage {
        Usage::Unknown => {}
        Usage::Discarded => {
            if is_cleanup(checker, function.def, range) {
                return;
            }
            let what = match result.name {
                Some(name) => format!("is stored in `{name}`, which is never read"),
                None => "is discarded".to_string(),
            };
            checker.report(
                Rule::GatherExceptionsUnchecked,
                format!(
                    "Result of `{gather}(..., return_exceptions=True)` {what}: failures are returned as values instead of raised, so every exception vanishes without a trace"
                ),
                "Check the results (`if isinstance(result, Exception): ...`) and log or re-raise failures, or drop `return_exceptions=True` so they propagate",
                range,
                None,
            );
        }
        Usage::Used => {
            if has_exception_isinstance(checker, body)
                || elements_handled(body, &result.elements, result.name)
            {
                return;
            }
            let what = match result.name {
                Some(name) => {
                    format!("`{name}`, the result of `{gather}(..., return_exceptions=True)`,")
                }
                None => format!("The result of `{gather}(..., return_exceptions=True)`"),
            };
            checker.report(
                Rule::GatherExceptionsUnchecked,
                format!(
                    "{what} is used without checking for exceptions: failed awaitables leave exception objects in the results, which are silently treated as values"
                ),
                "Check each result with `isinstance(result, Exception)` (log or re-raise failures) before using it",
                range,
                None,
            );
        }
    }
}

/// `return_exceptions=True` (the literal).
fn returns_exceptions(call: &ast::ExprCall) -> bool {
    call.arguments.keywords.iter().any(|k| {
        k.arg
            .as_ref()
            .is_some_and(|a| a.as_str() == "return_exceptions")
            && matches!(
                k.value,
                Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: true, .. })
            )
    })
}

/// Names bound by an assignment/loop target.
fn target_names<'a>(target: &'a Expr, out: &mut Vec<&'a str>) {
    match target {
        Expr::Name(name) => out.push(name.id.as_str()),
        Expr::Tuple(t) => t.elts.iter().for_each(|e| target_names(e, out)),
        Expr::List(l) => l.elts.iter().for_each(|e| target_names(e, out)),
        Expr::Starred(s) => target_names(&s.value, out),
        _ => {}
    }
}

/// How the value of the `await` at `range` is used.
fn result_use<'a>(checker: &Checker<'a>, body: &'a [Stmt], range: TextRange) -> ResultUse<'a> {
    if let Some(parent) = checker.parent_expression() {
        let generators = match parent {
            Expr::ListComp(c) => &c.generators,
            Expr::SetComp(c) => &c.generators,
            Expr::DictComp(c) => &c.generators,
            Expr::Generator(c) => &c.generators,
            _ => return ResultUse::new(Usage::Unknown),
        };
        let Some(first) = generators.first().filter(|g| g.iter.range() == range) else {
            return ResultUse::new(Usage::Unknown);
        };
        let mut result = ResultUse::new(Usage::Used);
        target_names(&first.target, &mut result.elements);
        return result;
    }
    let Some(stmt) = checker.current_statement() else {
        return ResultUse::new(Usage::Unknown);
    };
    let target = match stmt {
        Stmt::Expr(s) if s.value.range() == range => return ResultUse::new(Usage::Discarded),
        Stmt::For(f) if f.iter.range() == range => {
            let mut result = ResultUse::new(Usage::Used);
            target_names(&f.target, &mut result.elements);
            return result;
        }
        Stmt::Assign(a) if a.value.range() == range && a.targets.len() == 1 => &a.targets[0],
        Stmt::AnnAssign(a) if a.value.as_ref().is_some_and(|v| v.range() == range) => &*a.target,
        _ => return ResultUse::new(Usage::Unknown),
    };
    match target {
        Expr::Tuple(_) | Expr::List(_) => {
            let mut result = ResultUse::new(Usage::Used);
            target_names(target, &mut result.elements);
            result
        }
        Expr::Name(name) if name.id.as_str() == "_" => ResultUse::new(Usage::Discarded),
        Expr::Name(name) => {
            // Only a plain local: a `global`/`nonlocal` name escapes.
            let local = checker
                .semantic
                .local_bindings(name.id.as_str())
                .is_some_and(|b| {
                    b.iter().all(|b| {
                        !matches!(
                            b.kind,
                            crate::semantic::BindingKind::Global
                                | crate::semantic::BindingKind::Nonlocal
                        )
                    })
                });
            if !local {
                return ResultUse::new(Usage::Unknown);
            }
            let mut uses = NameUses {
                checker,
                name: name.id.as_str(),
                skip: name.range,
                used: false,
                unknown: false,
                elements: Vec::new(),
            };
            uses.visit_body(body);
            let usage = if uses.unknown {
                Usage::Unknown
            } else if uses.used {
                Usage::Used
            } else {
                Usage::Discarded
            };
            ResultUse {
                usage,
                name: Some(name.id.as_str()),
                elements: uses.elements,
            }
        }
        _ => ResultUse::new(Usage::Unknown),
    }
}

/// Classifies every load of a local name in a function body: iterated, indexed and unpacked
/// count as use; anything that lets the value leave (a call argument, `return`, an attribute
/// store, a nested function) makes the usage unknown.
struct NameUses<'c, 'a, 'n> {
    checker: &'c Checker<'a>,
    name: &'n str,
    skip: TextRange,
    used: bool,
    unknown: bool,
    elements: Vec<&'a str>,
}

impl NameUses<'_, '_, '_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if n.id.as_str() == self.name && n.range != self.skip)
    }

    /// `results`, or `zip(..., results, ...)`/`enumerate(results)`: iterating yields results.
    fn iterates_results(&self, iter: &Expr) -> bool {
        if self.is_name(iter) {
            return true;
        }
        let Expr::Call(call) = iter else {
            return false;
        };
        matches!(&*call.func, Expr::Name(n) if matches!(n.id.as_str(), "zip" | "enumerate" | "reversed" | "sorted" | "list" | "tuple"))
            && call.arguments.args.iter().any(|a| self.is_name(a))
    }
}

impl<'a> Visitor<'a> for NameUses<'_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.unknown {
            return;
        }
        match stmt {
            Stmt::For(f) if self.iterates_results(&f.iter) => {
                self.used = true;
                target_names(&f.target, &mut self.elements);
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
                return;
            }
            Stmt::Assign(a)
                if self.is_name(&a.value)
                    && a.targets
                        .iter()
                        .all(|t| matches!(t, Expr::Tuple(_) | Expr::List(_))) =>
            {
                self.used = true;
                for target in &a.targets {
                    target_names(target, &mut self.elements);
                }
                return;
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        if self.iterates_results(&comprehension.iter) {
            self.used = true;
            target_names(&comprehension.target, &mut self.elements);
            for cond in &comprehension.ifs {
                self.visit_expr(cond);
            }
            return;
        }
        visitor::walk_comprehension(self, comprehension);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.unknown {
            return;
        }
        match expr {
            Expr::Subscript(sub) if self.is_name(&sub.value) => {
                self.used = true;
                self.visit_expr(&sub.slice);
                return;
            }
            Expr::Call(call) => {
                let builtin = self
                    .checker
                    .semantic
                    .resolve_qualified_name(&call.func)
                    .and_then(|q| q.strip_prefix("builtins.").map(str::to_string));
                let iterating = matches!(
                    builtin.as_deref(),
                    Some("zip" | "enumerate" | "list" | "tuple" | "reversed" | "sorted" | "iter")
                );
                let neutral = matches!(builtin.as_deref(), Some("len" | "bool"));
                if iterating || neutral {
                    for arg in &call.arguments.args {
                        let arg = match arg {
                            Expr::Starred(s) => &*s.value,
                            other => other,
                        };
                        if self.is_name(arg) {
                            self.used = true;
                        } else {
                            self.visit_expr(arg);
                        }
                    }
                    for keyword in &call.arguments.keywords {
                        self.visit_expr(&keyword.value);
                    }
                    return;
                }
            }
            Expr::Name(n) if self.is_name(expr) => {
                if n.ctx.is_load() {
                    self.unknown = true;
                }
                return;
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Is a single result (a name in `elements`, or `results[i]`) looked at in a way that can tell
/// an exception from a value: tested in an `if`/`while`/`assert`/ternary/comprehension filter
/// (`if result is not None`, `if not result`), passed directly to a call
/// (`self.log_result(result)`), or raised?
fn elements_handled(body: &[Stmt], elements: &[&str], results: Option<&str>) -> bool {
    struct Finder<'e> {
        elements: &'e [&'e str],
        results: Option<&'e str>,
        found: bool,
    }
    impl Finder<'_> {
        fn is_element(&self, expr: &Expr) -> bool {
            match expr {
                Expr::Name(n) => self.elements.contains(&n.id.as_str()),
                Expr::Subscript(sub) => {
                    matches!((&*sub.value, self.results), (Expr::Name(n), Some(r)) if n.id.as_str() == r)
                }
                _ => false,
            }
        }

        fn tests_element(&self, test: &Expr) -> bool {
            match test {
                Expr::UnaryOp(op) => self.tests_element(&op.operand),
                Expr::BoolOp(op) => op.values.iter().any(|v| self.tests_element(v)),
                Expr::Compare(cmp) => {
                    self.is_element(&cmp.left) || cmp.comparators.iter().any(|c| self.is_element(c))
                }
                other => self.is_element(other),
            }
        }
    }
    impl<'a> Visitor<'a> for Finder<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found {
                return;
            }
            let handled = match stmt {
                Stmt::If(s) => {
                    self.tests_element(&s.test)
                        || s.elif_else_clauses
                            .iter()
                            .any(|c| c.test.as_ref().is_some_and(|t| self.tests_element(t)))
                }
                Stmt::While(s) => self.tests_element(&s.test),
                Stmt::Assert(s) => self.tests_element(&s.test),
                Stmt::Raise(s) => s.exc.as_deref().is_some_and(|e| self.is_element(e)),
                _ => false,
            };
            if handled {
                self.found = true;
                return;
            }
            visitor::walk_stmt(self, stmt);
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            let handled = match expr {
                Expr::If(e) => self.tests_element(&e.test),
                Expr::Call(call) => {
                    call.arguments.args.iter().any(|a| self.is_element(a))
                        || call
                            .arguments
                            .keywords
                            .iter()
                            .any(|k| self.is_element(&k.value))
                }
                _ => false,
            };
            if handled {
                self.found = true;
                return;
            }
            visitor::walk_expr(self, expr);
        }

        fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
            if comprehension
                .ifs
                .iter()
                .any(|cond| self.tests_element(cond))
            {
                self.found = true;
                return;
            }
            visitor::walk_comprehension(self, comprehension);
        }
    }
    if elements.is_empty() && results.is_none() {
        return false;
    }
    let mut finder = Finder {
        elements,
        results,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}

/// Words in a function name that say it tears something down.
const CLEANUP_WORDS: &[&str] = &[
    "close",
    "stop",
    "shutdown",
    "cleanup",
    "clean_up",
    "teardown",
    "tear_down",
    "unload",
    "disconnect",
    "dispose",
    "terminate",
    "drain",
    "cancel",
    "unsubscribe",
    "release",
    "reset",
    "aexit",
    "exit",
];

/// Waiting for tasks during teardown, where ignoring their failures is the point: the
/// function cancels tasks first (`task.cancel()`), is named like a teardown (`close`,
/// `async_stop`, `_disconnect_all`, `__aexit__`...), or the gather runs in a `finally:` block or
/// after the `yield` of a fixture/context manager.
fn is_cleanup(checker: &Checker, def: &ast::StmtFunctionDef, range: TextRange) -> bool {
    let name = def.name.as_str().to_ascii_lowercase();
    if CLEANUP_WORDS.iter().any(|w| name.contains(w)) {
        return true;
    }
    let in_finally = checker.statement_ancestors().any(|stmt| {
        matches!(stmt, Stmt::Try(t) if t.finalbody.iter().any(|s| s.range().contains_range(range)))
    });
    in_finally || cancels_or_yields_before(&def.body, range)
}

/// A `.cancel()` call or a `yield` before `range` in the function.
fn cancels_or_yields_before(body: &[Stmt], range: TextRange) -> bool {
    struct Finder {
        before: TextRange,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                return;
            }
            visitor::walk_stmt(self, stmt);
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found || expr.range().start() >= self.before.start() {
                return;
            }
            let hit = match expr {
                Expr::Yield(_) | Expr::YieldFrom(_) => true,
                Expr::Call(call) => {
                    matches!(&*call.func, Expr::Attribute(attr) if attr.attr.as_str() == "cancel")
                }
                _ => false,
            };
            if hit {
                self.found = true;
                return;
            }
            if !matches!(expr, Expr::Lambda(_)) {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut finder = Finder {
        before: range,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}

/// Builtin classes that are not exceptions: `isinstance(x, str)` checks nothing about errors.
const NON_EXCEPTION_BUILTINS: &[&str] = &[
    "str",
    "bytes",
    "int",
    "float",
    "bool",
    "complex",
    "list",
    "tuple",
    "dict",
    "set",
    "frozenset",
    "bytearray",
    "type",
    "object",
];

/// Is there an `isinstance(x, C)` anywhere in the function (nested code included) where `C`
/// may be an exception class (anything but a builtin non-exception type)?
fn has_exception_isinstance(checker: &Checker, body: &[Stmt]) -> bool {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            if let Expr::Call(call) = expr
                && matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "isinstance")
                && let Some(classes) = call.arguments.args.get(1)
            {
                let elements: Vec<&Expr> = match classes {
                    Expr::Tuple(t) => t.elts.iter().collect(),
                    other => vec![other],
                };
                let may_be_exception = elements.iter().any(|e| {
                    self.checker
                        .semantic
                        .resolve_qualified_name(e)
                        .and_then(|q| q.strip_prefix("builtins.").map(str::to_string))
                        .is_none_or(|b| !NON_EXCEPTION_BUILTINS.contains(&b.as_str()))
                });
                if may_be_exception {
                    self.found = true;
                    return;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder {
        checker,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}
