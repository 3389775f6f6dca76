//! ## What it does
//! Reports a coroutine function call whose result is tested for truth without `await`. The
//! tests are `if is_ready():`, `elif ...`, `while has_more():`, `not is_ready()`,
//! `assert is_valid()`, `is_ready() and x`, `x if is_ready() else y`, and comprehension
//! filters (`[u for u in users if is_active(u)]`). Coroutine functions are the `async def` functions of
//! your project (through imports, aliases, re-exports, `self.`/`cls.` methods and classes
//! instantiated in the function) and the asyncio coroutine functions (`lock.acquire()` on an
//! `asyncio.Lock`, `event.wait()` on an `asyncio.Event`, `asyncio.wait_for(...)`, ...).
//!
//! ## Why is this bad?
//! Calling an `async def` returns a coroutine object without running it, and a coroutine object
//! is always truthy. The test therefore never looks at the real answer: `if is_ready():` always
//! takes the branch, `while has_more():` never stops on its own, `not is_ready()` is always
//! false and `assert is_valid()` always passes. The coroutine is never awaited either, so its
//! body never runs (Python only warns `coroutine '...' was never awaited` much later). This
//! typically appears when a function is converted to `async def` and one caller is missed.
//!
//! ## Example
//! ```python
//! async def is_ready(service) -> bool: ...
//!
//! async def start(service):
//!     if is_ready(service):
//!         await service.run()
//! ```
//!
//! Use instead:
//! ```python
//! async def start(service):
//!     if await is_ready(service):
//!         await service.run()
//! ```
//!
//! Async generator functions, properties, and `async def` functions behind a decorator that
//! may change what they return are not treated as coroutine functions.
//!
//! ## References
//! - [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
//! - [Truth value testing](https://docs.python.org/3/library/stdtypes.html#truth-value-testing)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::{BoolOp, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use super::helpers::{
    call_text, callee_text, defer, is_coroutine_function, is_instance_attribute_call,
    project_coroutine_what, stdlib_coroutine, stdlib_returns, stdlib_what,
};
use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts};
use crate::registry::Rule;

/// Where the truth value of the call is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    If,
    Elif,
    While,
    Assert,
    Not,
    And,
    Or,
    Ternary,
    Filter,
}

/// Phase 1: a call whose truth value is tested.
pub(crate) fn coroutine_in_boolean_context(checker: &mut Checker, site: &CallSite) {
    let Some((test, direct)) = boolean_context(checker, site) else {
        return;
    };
    let call = call_text(checker, site);
    let callee = callee_text(checker, site);
    let lead = lead(test, direct, &call);
    let range = site.call.range();
    if stdlib_coroutine(site) {
        let diagnostic = diagnostic(
            &lead,
            &call,
            &callee,
            stdlib_what(site),
            stdlib_returns(site),
            range,
            &checker.file(),
        );
        checker.push_diagnostic(diagnostic);
        return;
    }
    let Some(target) = checker.call_target(site) else {
        return;
    };
    if is_instance_attribute_call(checker, site) {
        return;
    }
    let kind = DeferredKind::CoroutineInBooleanContext(Box::new(
        crate::project::texts::CoroutineInBooleanContext { call, callee, lead },
    ));
    defer(
        checker,
        Rule::CoroutineInBooleanContext,
        range,
        target,
        kind,
    );
}

/// How the call's truth value is used, and whether the call is the whole test (`if f():`)
/// rather than a part of it (`if x and f():`).
fn boolean_context(checker: &Checker, site: &CallSite) -> Option<(Test, bool)> {
    let mut node = site.call.range();
    let mut direct = true;
    for parent in checker.expression_ancestors() {
        match parent {
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => return Some((Test::Not, direct)),
            Expr::BoolOp(bool_op) => {
                let is_last = bool_op.values.last().is_some_and(|v| v.range() == node);
                if !is_last {
                    let test = if bool_op.op == BoolOp::And {
                        Test::And
                    } else {
                        Test::Or
                    };
                    return Some((test, direct));
                }
                // The last operand is the value of the whole expression: it is tested only
                // when the whole expression is.
                node = bool_op.range();
                direct = false;
            }
            Expr::If(if_exp) => {
                return (if_exp.test.range() == node).then_some((Test::Ternary, direct));
            }
            Expr::ListComp(comp) => return in_filter(&comp.generators, node, direct),
            Expr::SetComp(comp) => return in_filter(&comp.generators, node, direct),
            Expr::Generator(comp) => return in_filter(&comp.generators, node, direct),
            Expr::DictComp(comp) => return in_filter(&comp.generators, node, direct),
            _ => return None,
        }
    }
    let test = match checker.current_statement()? {
        Stmt::If(if_stmt) => {
            if if_stmt.test.range() == node {
                Test::If
            } else if if_stmt
                .elif_else_clauses
                .iter()
                .any(|clause| clause.test.as_ref().is_some_and(|t| t.range() == node))
            {
                Test::Elif
            } else {
                return None;
            }
        }
        Stmt::While(while_stmt) if while_stmt.test.range() == node => Test::While,
        Stmt::Assert(assert) if assert.test.range() == node => Test::Assert,
        _ => return None,
    };
    Some((test, direct))
}

fn in_filter(
    generators: &[ruff_python_ast::Comprehension],
    node: TextRange,
    direct: bool,
) -> Option<(Test, bool)> {
    generators
        .iter()
        .any(|g| g.ifs.iter().any(|cond| cond.range() == node))
        .then_some((Test::Filter, direct))
}

/// The first half of the message: what the test always does.
fn lead(test: Test, direct: bool, call: &str) -> String {
    if !direct {
        // The call is the last operand of an `and`/`or` that is itself tested.
        let place = match test {
            Test::If | Test::Elif => "`if` test",
            Test::While => "`while` test",
            Test::Assert => "`assert`",
            Test::Not => "`not` operand",
            Test::And | Test::Or => "boolean operand",
            Test::Ternary => "conditional expression test",
            Test::Filter => "comprehension filter",
        };
        return format!("`{call}` is always true in this {place}");
    }
    match test {
        Test::If => format!("`if {call}:` is always true"),
        Test::Elif => format!("`elif {call}:` is always true"),
        Test::While => {
            format!("`while {call}:` is always true, so the loop never stops on its own")
        }
        Test::Assert => format!("`assert {call}` always passes"),
        Test::Not => format!("`not {call}` is always false"),
        Test::And => {
            format!("`{call}` is always true, so `and` always evaluates its right operand")
        }
        Test::Or => format!("`{call}` is always true, so `or` never evaluates its right operand"),
        Test::Ternary => format!(
            "`{call}` is always true, so this conditional expression always takes its first branch"
        ),
        Test::Filter => {
            format!("`{call}` is always true, so this comprehension filter keeps every item")
        }
    }
}

fn diagnostic(
    lead: &str,
    call: &str,
    callee: &str,
    what: &str,
    returns: &str,
    range: TextRange,
    file: &Arc<SourceFile>,
) -> Diagnostic {
    Diagnostic::new(
        Rule::CoroutineInBooleanContext.code(),
        Rule::CoroutineInBooleanContext.name(),
        format!("{lead}: `{callee}` is {what}, so the call returns {returns}, which is truthy and never awaited"),
        range,
        file.clone(),
    )
    .with_help(format!("Test the awaited result: `await {call}`"))
}

/// Phase 2: report when the target is a project coroutine function.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::CoroutineInBooleanContext(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::CoroutineInBooleanContext { call, callee, lead } = &**texts;
    let function = facts.resolve_function(&check.target)?;
    if !is_coroutine_function(&function) {
        return None;
    }
    let what = project_coroutine_what(facts, &function);
    Some(diagnostic(
        lead,
        call,
        callee,
        &what,
        "a coroutine object",
        check.range,
        file,
    ))
}
