//! ## What it does
//! Reports an `__aexit__` or `__exit__` method that returns `True` (or another truthy
//! constant) on a path that every exception reaches: an unconditional `return True` that no
//! earlier `return`/`raise` can bypass, except a "no exception" early exit such as
//! `if exc_type is None: return`.
//!
//! ## Why is this bad?
//! A true value returned from `__exit__`/`__aexit__` tells Python that the exception raised
//! in the `with` block has been handled: it is dropped. Returning `True` for *every*
//! exception therefore swallows programming errors, `KeyboardInterrupt`, `SystemExit` and, in
//! asyncio, `CancelledError`: a task cancelled while inside the block (by a timeout, a
//! `TaskGroup` sibling's failure or shutdown) carries on as if nothing happened, so
//! `asyncio.timeout()` stops working and shutdown hangs.
//!
//! ## Example
//! ```python
//! class Transaction:
//!     async def __aexit__(self, exc_type, exc, tb):
//!         if exc_type is None:
//!             await self.commit()
//!         else:
//!             await self.rollback()
//!         return True
//! ```
//!
//! Use instead:
//! ```python
//! class Transaction:
//!     async def __aexit__(self, exc_type, exc, tb):
//!         if exc_type is None:
//!             await self.commit()
//!         else:
//!             await self.rollback()
//!         return False
//! ```
//!
//! or suppress only what the context manager really handles:
//! `return exc_type is not None and issubclass(exc_type, LookupError)`.
//!
//! Not reported: exceptions captured for later (`self._exc = exc`, `errors.append(exc)`,
//! `future.set_exception(exc)` before `return True`: a deferral, re-raised elsewhere);
//! `return False`, `return None` and bare `return`; conditional returns
//! (`return exc_type is None`, `return isinstance(exc, KeyError)`); a `return True` behind an
//! `if` that filters the exception (`if exc_type is KeyError: return True`), or after another
//! `return`/`raise` that some exceptions take.
//!
//! ## References
//! - [`object.__exit__`: "If an exception is supplied, and the method wishes to suppress the exception, it should return a true value"](https://docs.python.org/3/reference/datamodel.html#object.__exit__)
//! - [`object.__aexit__`](https://docs.python.org/3/reference/datamodel.html#object.__aexit__)
//! - [Task cancellation](https://docs.python.org/3/library/asyncio-task.html#task-cancellation)

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::resource_helpers::own_returns;
use crate::checker::Checker;
use crate::registry::Rule;
use crate::semantic::ScopeKind;

pub(crate) fn exit_swallows_exceptions(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    let method = def.name.as_str();
    if !matches!(method, "__exit__" | "__aexit__")
        || checker.semantic.current_scope_kind() != ScopeKind::Class
    {
        return;
    }
    let params: Vec<&str> = def
        .parameters
        .posonlyargs
        .iter()
        .chain(&def.parameters.args)
        .skip(1)
        .map(|p| p.parameter.name.as_str())
        .chain(def.parameters.vararg.as_ref().map(|v| v.name.as_str()))
        .collect();
    let Some(ret) = unconditional_truthy_return(&def.body, &params) else {
        return;
    };
    if saves_exception(&def.body, &params) {
        return;
    }
    let value = ret
        .value
        .as_deref()
        .map_or("True", |v| checker.source_of(v.range()));
    let cancelled = if def.is_async || method == "__aexit__" {
        "`asyncio.CancelledError` included, so the task can no longer be cancelled or timed out"
    } else {
        "`asyncio.CancelledError` included when the `with` block awaits, so a task inside it can no longer be cancelled or timed out"
    };
    let owner = checker
        .statement_ancestors()
        .find_map(|stmt| match stmt {
            Stmt::ClassDef(class) => Some(format!("{}.", class.name)),
            _ => None,
        })
        .unwrap_or_default();
    checker.report(
        Rule::ExitSwallowsExceptions,
        format!(
            "`{owner}{method}` returns `{value}` for every exception: all errors raised in the block are silently suppressed, {cancelled}"
        ),
        "Return `False`/`None` to let exceptions propagate, or return true only for the exceptions this context manager handles (`return exc_type is not None and issubclass(exc_type, SomeError)`)",
        ret.range(),
        None,
    );
}

/// Walk the statements every exception runs through, in order: the first `return <truthy
/// constant>` reached before any `return`/`raise` that some exceptions could take.
fn unconditional_truthy_return<'a>(
    body: &'a [Stmt],
    params: &[&str],
) -> Option<&'a ast::StmtReturn> {
    match walk(body, params) {
        Flow::Found(ret) => Some(ret),
        Flow::Exit | Flow::Continue => None,
    }
}

enum Flow<'a> {
    Found(&'a ast::StmtReturn),
    /// Stop: an earlier exit (or a condition) decides for some exceptions.
    Exit,
    Continue,
}

fn walk<'a>(body: &'a [Stmt], params: &[&str]) -> Flow<'a> {
    for stmt in body {
        match stmt {
            Stmt::Return(ret) => {
                return match ret.value.as_deref() {
                    Some(value) if is_truthy_constant(value) => Flow::Found(ret),
                    _ => Flow::Exit,
                };
            }
            Stmt::Raise(_) => return Flow::Exit,
            Stmt::With(with) => match walk(&with.body, params) {
                Flow::Continue => {}
                other => return other,
            },
            Stmt::If(if_stmt) if is_no_exception_guard(if_stmt, params) => {}
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other => {
                if has_exit(other) {
                    return Flow::Exit;
                }
            }
        }
    }
    Flow::Continue
}

/// `self._exc = exc` / `self.errors.append(exc)`: the exception is captured to be re-raised or
/// reported later (a deferral, like `ExceptionSaver`), not dropped.
fn saves_exception(body: &[Stmt], params: &[&str]) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Saves<'p> {
        params: &'p [&'p str],
        found: bool,
    }
    impl Saves<'_> {
        fn mentions_param(&self, expr: &Expr) -> bool {
            struct Mentions<'p> {
                params: &'p [&'p str],
                found: bool,
            }
            impl<'a> Visitor<'a> for Mentions<'_> {
                fn visit_expr(&mut self, expr: &'a Expr) {
                    if let Expr::Name(n) = expr
                        && self.params.contains(&n.id.as_str())
                    {
                        self.found = true;
                    }
                    visitor::walk_expr(self, expr);
                }
            }
            let mut mentions = Mentions {
                params: self.params,
                found: false,
            };
            mentions.visit_expr(expr);
            mentions.found
        }
    }
    impl<'a> Visitor<'a> for Saves<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Assign(assign)
                    if assign
                        .targets
                        .iter()
                        .any(|t| matches!(t, Expr::Attribute(_) | Expr::Subscript(_)))
                        && self.mentions_param(&assign.value) =>
                {
                    self.found = true;
                }
                Stmt::Expr(expr) => {
                    if let Expr::Call(call) = &*expr.value
                        && let Expr::Attribute(attr) = &*call.func
                        && matches!(attr.attr.as_str(), "append" | "add" | "set_exception")
                        && call.arguments.args.iter().any(|a| self.mentions_param(a))
                    {
                        self.found = true;
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
    }
    let mut saves = Saves {
        params,
        found: false,
    };
    saves.visit_body(body);
    saves.found
}

/// Does a compound statement contain a `return` or `raise` (nested scopes excluded)?
fn has_exit(stmt: &Stmt) -> bool {
    if !own_returns(std::slice::from_ref(stmt)).is_empty() {
        return true;
    }
    struct Raises(bool);
    impl<'a> ruff_python_ast::visitor::Visitor<'a> for Raises {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Raise(_) => self.0 = true,
                _ => ruff_python_ast::visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _expr: &'a Expr) {}
    }
    let mut raises = Raises(false);
    ruff_python_ast::visitor::Visitor::visit_stmt(&mut raises, stmt);
    raises.0
}

/// `if exc_type is None: return ...` (or `if not exc:`) without `elif`/`else`: only the
/// no-exception case leaves early, every exception carries on.
fn is_no_exception_guard(if_stmt: &ast::StmtIf, params: &[&str]) -> bool {
    if !if_stmt.elif_else_clauses.is_empty() {
        return false;
    }
    let is_param = |e: &Expr| matches!(e, Expr::Name(n) if params.contains(&n.id.as_str()));
    match &*if_stmt.test {
        Expr::Compare(compare) => {
            compare.ops.len() == 1
                && compare.ops[0] == ast::CmpOp::Is
                && is_param(&compare.left)
                && matches!(compare.comparators[0], Expr::NoneLiteral(_))
        }
        Expr::UnaryOp(unary) => unary.op == ast::UnaryOp::Not && is_param(&unary.operand),
        _ => false,
    }
}

fn is_truthy_constant(expr: &Expr) -> bool {
    match expr {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64() != Some(0),
            ast::Number::Float(f) => *f != 0.0,
            ast::Number::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        },
        Expr::StringLiteral(s) => !s.value.is_empty(),
        _ => false,
    }
}
