//! Dispatch: one file per AST node kind, calling the rules interested in it.

mod expression;
mod statement;

pub(super) use expression::expression;
pub(super) use statement::{function_body, statement};
