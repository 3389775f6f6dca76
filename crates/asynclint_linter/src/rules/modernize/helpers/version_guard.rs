//! Compatibility guards around APIs that newer Pythons removed (AIO803, AIO804): code that only
//! runs on older versions, or that catches the error the removal causes, is deliberate.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::semantic::Lookup;

/// What makes a use of an API removed in Python 3.`removed_in` deliberate.
pub(crate) struct Guard<'g> {
    /// The minor version that removed the API.
    pub(crate) removed_in: u64,
    /// `hasattr(asyncio, "<attribute>")` tests that protect the use.
    pub(crate) hasattr: Option<&'g str>,
    /// Builtin exceptions whose handler is the fallback (`except TypeError:`).
    pub(crate) errors: &'g [&'g str],
}

/// Is the code at `range` guarded: only run on Python < 3.`removed_in` (an `if`/ternary on
/// `sys.version_info` or `hasattr`, a `pytest.mark.skipif` on an enclosing test), or inside the
/// `try` body of a handler for the error the removal raises?
pub(crate) fn is_guarded(checker: &Checker, range: TextRange, guard: &Guard) -> bool {
    let in_ternary = checker.expression_ancestors().any(|expr| match expr {
        Expr::If(if_exp) => {
            (if_exp.body.range().contains_range(range) && runs_old(checker, &if_exp.test, guard))
                || (if_exp.orelse.range().contains_range(range)
                    && runs_new(checker, &if_exp.test, guard))
        }
        _ => false,
    });
    in_ternary
        || checker
            .statement_ancestors()
            .any(|stmt| statement_guards(checker, stmt, range, guard))
}

fn statement_guards(checker: &Checker, stmt: &Stmt, range: TextRange, guard: &Guard) -> bool {
    match stmt {
        Stmt::If(if_stmt) => {
            if body_contains(&if_stmt.body, range) {
                return runs_old(checker, &if_stmt.test, guard);
            }
            // An `elif`/`else` branch runs only when every earlier test was false: one test
            // that is true on all newer Pythons confines it to older ones.
            let mut earlier_test_new = runs_new(checker, &if_stmt.test, guard);
            for clause in &if_stmt.elif_else_clauses {
                if body_contains(&clause.body, range) {
                    return earlier_test_new
                        || clause
                            .test
                            .as_ref()
                            .is_some_and(|t| runs_old(checker, t, guard));
                }
                earlier_test_new |= clause
                    .test
                    .as_ref()
                    .is_some_and(|t| runs_new(checker, t, guard));
            }
            false
        }
        Stmt::Try(try_stmt) => {
            body_contains(&try_stmt.body, range)
                && try_stmt.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    handler
                        .type_
                        .as_deref()
                        .is_some_and(|t| catches(checker, t, guard.errors))
                })
        }
        Stmt::FunctionDef(ast::StmtFunctionDef { decorator_list, .. })
        | Stmt::ClassDef(ast::StmtClassDef { decorator_list, .. }) => decorator_list
            .iter()
            .any(|d| skips_new_versions(checker, &d.expression, guard)),
        _ => false,
    }
}

fn body_contains(body: &[Stmt], range: TextRange) -> bool {
    match (body.first(), body.last()) {
        (Some(first), Some(last)) => {
            TextRange::new(first.start(), last.end()).contains_range(range)
        }
        _ => false,
    }
}

fn catches(checker: &Checker, type_: &Expr, errors: &[&str]) -> bool {
    match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().any(|e| catches(checker, e, errors)),
        Expr::Name(name) => {
            // Builtin exception names the semantic model does not list resolve to nothing:
            // accept them when nothing in the file shadows them.
            let id = name.id.as_str();
            errors.contains(&id)
                && match checker.semantic.resolve_name(id) {
                    Some(q) => q == format!("builtins.{id}"),
                    None => matches!(checker.semantic.lookup(id), Lookup::NotFound),
                }
        }
        expr => checker
            .semantic
            .resolve_qualified_name(expr)
            .and_then(|q| q.strip_prefix("builtins.").map(str::to_string))
            .is_some_and(|name| errors.contains(&name.as_str())),
    }
}

/// `@pytest.mark.skipif(sys.version_info >= (3, 11), ...)`: the test only runs on older
/// versions.
fn skips_new_versions(checker: &Checker, decorator: &Expr, guard: &Guard) -> bool {
    let Expr::Call(call) = decorator else {
        return false;
    };
    if checker
        .semantic
        .resolve_qualified_name(&call.func)
        .as_deref()
        != Some("pytest.mark.skipif")
    {
        return false;
    }
    let condition = call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "condition"))
            .map(|k| &k.value)
    });
    condition.is_some_and(|c| runs_new(checker, c, guard))
}

/// Is `test` true only on Pythons older than the removal?
fn runs_old(checker: &Checker, test: &Expr, guard: &Guard) -> bool {
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => {
            bool_op.values.iter().any(|v| runs_old(checker, v, guard))
        }
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
            runs_new(checker, &unary.operand, guard)
        }
        Expr::Call(call) => is_hasattr_test(checker, call, guard),
        _ => version_compare(checker, test).is_some_and(|(op, minor)| match op {
            ast::CmpOp::Lt => minor <= guard.removed_in,
            ast::CmpOp::LtE => minor < guard.removed_in,
            _ => false,
        }),
    }
}

/// Is `test` true on every Python from the removal on, so that its `else` branch only runs on
/// older Pythons?
fn runs_new(checker: &Checker, test: &Expr, guard: &Guard) -> bool {
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::Or => {
            bool_op.values.iter().any(|v| runs_new(checker, v, guard))
        }
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
            runs_old(checker, &unary.operand, guard)
        }
        _ => version_compare(checker, test).is_some_and(|(op, minor)| match op {
            ast::CmpOp::GtE => minor <= guard.removed_in,
            ast::CmpOp::Gt => minor < guard.removed_in,
            _ => false,
        }),
    }
}

/// `hasattr(asyncio, "coroutine")`.
fn is_hasattr_test(checker: &Checker, call: &ast::ExprCall, guard: &Guard) -> bool {
    let Some(attribute) = guard.hasattr else {
        return false;
    };
    if checker
        .semantic
        .resolve_qualified_name(&call.func)
        .as_deref()
        != Some("builtins.hasattr")
    {
        return false;
    }
    match &*call.arguments.args {
        [object, Expr::StringLiteral(name)] => {
            name.value.to_str() == attribute
                && checker
                    .semantic
                    .resolve_qualified_name(object)
                    .is_some_and(|q| q == "asyncio")
        }
        _ => false,
    }
}

/// `sys.version_info <op> (3, minor[, ...])` (also `sys.version_info[:2]`): the operator and
/// the minor version.
pub(crate) fn version_compare(checker: &Checker, test: &Expr) -> Option<(ast::CmpOp, u64)> {
    let Expr::Compare(compare) = test else {
        return None;
    };
    let ([op], [Expr::Tuple(tuple)]) = (&*compare.ops, &*compare.comparators) else {
        return None;
    };
    let left = match &*compare.left {
        Expr::Subscript(sub) => &*sub.value,
        left => left,
    };
    if checker.semantic.resolve_qualified_name(left).as_deref() != Some("sys.version_info") {
        return None;
    }
    let version: Vec<u64> = tuple
        .elts
        .iter()
        .map_while(|e| match e {
            Expr::NumberLiteral(ast::ExprNumberLiteral {
                value: ast::Number::Int(i),
                ..
            }) => i.as_u64(),
            _ => None,
        })
        .collect();
    match version.as_slice() {
        [3, minor, ..] => Some((*op, *minor)),
        _ => None,
    }
}
