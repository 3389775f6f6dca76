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
//! `isinstance(..., <exception class>)` check anywhere (including in a comprehension
//! filter); the shutdown idiom of cancelling tasks and then awaiting
//! `gather(*tasks, return_exceptions=True)` only to let the cancellations finish.
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
    let (usage, name) = usage(checker, body, range);
    let gather = short_source(checker, &call.func, "asyncio.gather");
    match usage {
        Usage::Unknown => {}
        Usage::Discarded => {
            if cancels_before(body, range) {
                return;
            }
            let what = match name {
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
            if has_exception_isinstance(checker, body) {
                return;
            }
            let what = match name {
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

/// How the value of the `await` at `range` is used, and the local name holding it.
fn usage<'a>(
    checker: &Checker<'a>,
    body: &'a [Stmt],
    range: TextRange,
) -> (Usage, Option<&'a str>) {
    if let Some(parent) = checker.parent_expression() {
        let generators = match parent {
            Expr::ListComp(c) => &c.generators,
            Expr::SetComp(c) => &c.generators,
            Expr::DictComp(c) => &c.generators,
            Expr::Generator(c) => &c.generators,
            _ => return (Usage::Unknown, None),
        };
        let iterated = generators.first().is_some_and(|g| g.iter.range() == range);
        return (
            if iterated {
                Usage::Used
            } else {
                Usage::Unknown
            },
            None,
        );
    }
    let Some(stmt) = checker.current_statement() else {
        return (Usage::Unknown, None);
    };
    let target = match stmt {
        Stmt::Expr(s) if s.value.range() == range => return (Usage::Discarded, None),
        Stmt::For(f) if f.iter.range() == range => return (Usage::Used, None),
        Stmt::Assign(a) if a.value.range() == range && a.targets.len() == 1 => &a.targets[0],
        Stmt::AnnAssign(a) if a.value.as_ref().is_some_and(|v| v.range() == range) => &*a.target,
        _ => return (Usage::Unknown, None),
    };
    match target {
        Expr::Tuple(_) | Expr::List(_) => (Usage::Used, None),
        Expr::Name(name) if name.id.as_str() == "_" => (Usage::Discarded, None),
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
                return (Usage::Unknown, None);
            }
            let mut uses = NameUses {
                checker,
                name: name.id.as_str(),
                skip: name.range,
                used: false,
                unknown: false,
            };
            uses.visit_body(body);
            let usage = if uses.unknown {
                Usage::Unknown
            } else if uses.used {
                Usage::Used
            } else {
                Usage::Discarded
            };
            (usage, Some(name.id.as_str()))
        }
        _ => (Usage::Unknown, None),
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
}

impl NameUses<'_, '_, '_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if n.id.as_str() == self.name && n.range != self.skip)
    }
}

impl<'a> Visitor<'a> for NameUses<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.unknown {
            return;
        }
        match stmt {
            Stmt::For(f) if self.is_name(&f.iter) => {
                self.used = true;
                self.visit_expr(&f.target);
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
                return;
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        if self.is_name(&comprehension.iter) {
            self.used = true;
            self.visit_expr(&comprehension.target);
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
                            if iterating {
                                self.used = true;
                            }
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
            Expr::Name(_) if self.is_name(expr) => {
                if let Expr::Name(n) = expr
                    && n.ctx.is_load()
                {
                    self.unknown = true;
                }
                return;
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// The shutdown idiom: tasks are cancelled (`task.cancel()`) earlier in the function and the
/// gather only waits for the cancellations to finish.
fn cancels_before(body: &[Stmt], range: TextRange) -> bool {
    struct CancelFinder {
        before: TextRange,
        found: bool,
    }
    impl<'a> Visitor<'a> for CancelFinder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            if let Expr::Call(call) = expr
                && call.range().start() < self.before.start()
                && let Expr::Attribute(attr) = &*call.func
                && attr.attr.as_str() == "cancel"
            {
                self.found = true;
                return;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = CancelFinder {
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
