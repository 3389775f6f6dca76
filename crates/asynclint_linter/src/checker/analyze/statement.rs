use ruff_python_ast::{self as ast, Stmt};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules;

pub(crate) fn statement<'a>(checker: &mut Checker<'a>, stmt: &'a Stmt) {
    match stmt {
        Stmt::Return(ret) => {
            let has_value = ret.value.as_deref().is_some_and(|v| !matches!(v, ruff_python_ast::Expr::NoneLiteral(_)));
            if has_value {
                if let Some(builder) = &mut checker.summary {
                    if let Some(function) = builder.current() {
                        function.returns_value = true;
                    }
                }
            }
        }
        Stmt::For(for_stmt) if for_stmt.is_async => {
            if checker.enabled(Rule::AsyncSyntaxOutsideAsyncFunction) {
                rules::syntax::async_syntax_outside_async_function::async_for(checker, for_stmt);
            }
        }
        Stmt::With(with) if with.is_async => {
            if checker.enabled(Rule::AsyncSyntaxOutsideAsyncFunction) {
                rules::syntax::async_syntax_outside_async_function::async_with(checker, with);
            }
        }
        _ => {}
    }
}

/// Called once when a function body is entered (the function's own scope is active).
pub(crate) fn function_body<'a>(_checker: &mut Checker<'a>, _def: &'a ast::StmtFunctionDef) {}
