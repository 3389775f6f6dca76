//! ## What it does
//! Reports references to `asyncio.TimeoutError` (in `except`, `raise`, `isinstance`,
//! `pytest.raises`, ...) when the target Python is 3.11 or newer, including
//! `asyncio.exceptions.TimeoutError` and `from asyncio import TimeoutError`.
//!
//! ## Why is this bad?
//! Up to Python 3.10, asyncio raised its own `asyncio.TimeoutError`, which is *not* the
//! builtin `TimeoutError`: `except TimeoutError` missed asyncio timeouts and code had to
//! catch both. Since 3.11 `asyncio.TimeoutError` is only an alias of the builtin, and
//! `asyncio.timeout()`/`wait_for` raise the builtin. Keeping the alias suggests a distinction
//! that no longer exists (readers add `except (asyncio.TimeoutError, TimeoutError)` "to be
//! safe") and ties the code to the deprecated spelling.
//!
//! Not reported: references inside `if sys.version_info < (3, 11):` blocks (or the `else` of
//! `>= (3, 11)`), which only run on versions where the distinction exists.
//!
//! ## Example
//! ```python
//! try:
//!     async with asyncio.timeout(5):
//!         await fetch()
//! except asyncio.TimeoutError:
//!     log.warning("timed out")
//! ```
//!
//! Use instead:
//! ```python
//! try:
//!     async with asyncio.timeout(5):
//!         await fetch()
//! except TimeoutError:
//!     log.warning("timed out")
//! ```
//!
//! ## Fix safety
//! The fix replaces `asyncio.TimeoutError` (or `asyncio.exceptions.TimeoutError`) with
//! `TimeoutError`. It is safe: on Python 3.11+ both names are the same class. It is not
//! offered when the name `TimeoutError` is rebound in scope (for example
//! `from concurrent.futures import TimeoutError`), nor for names imported with
//! `from asyncio import TimeoutError`, where the import would have to change too.
//!
//! ## Options
//! - `target-version`: the rule applies from `py311`.
//!
//! ## References
//! - [`asyncio.TimeoutError`](https://docs.python.org/3/library/asyncio-exceptions.html#asyncio.TimeoutError)
//! - [What's new in Python 3.11: asyncio](https://docs.python.org/3/whatsnew/3.11.html#asyncio)

use asynclint_diagnostics::{Edit, Fix};
use ruff_python_ast::{self as ast, CmpOp, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::settings::TargetVersion;

const ALIASES: &[&str] = &["asyncio.TimeoutError", "asyncio.exceptions.TimeoutError"];

/// `name.contains("Timeout")`, for every name of every file: found by its rare capital `T`
/// (the general substring search costs about a hundred instructions to set up per call).
fn mentions_timeout(name: &str) -> bool {
    let bytes = name.as_bytes();
    memchr::memchr_iter(b'T', bytes).any(|i| bytes[i..].starts_with(b"Timeout"))
}

pub(crate) fn asyncio_timeout_error_alias(checker: &mut Checker, expr: &Expr) {
    // Cheap filters first: this runs for names and attributes.
    let is_attribute = match expr {
        Expr::Attribute(attr) => {
            if attr.attr.as_str() != "TimeoutError" || !attr.ctx.is_load() {
                return;
            }
            true
        }
        Expr::Name(name) => {
            if !mentions_timeout(name.id.as_str()) || !name.ctx.is_load() {
                return;
            }
            false
        }
        _ => return,
    };
    if checker.settings.target_version < TargetVersion::PY311 {
        return;
    }
    let Some(q) = checker.semantic.resolve_qualified_name(expr) else {
        return;
    };
    if !ALIASES.contains(&q.as_str()) || in_pre_311_branch(checker, expr.range()) {
        return;
    }
    let builtin_visible =
        checker.semantic.resolve_name("TimeoutError").as_deref() == Some("builtins.TimeoutError");
    let fix = (is_attribute && builtin_visible).then(|| {
        Fix::safe(
            "Replace with the builtin `TimeoutError`",
            vec![Edit::replacement("TimeoutError", expr.range())],
        )
    });
    let written = checker.source_of(expr.range());
    checker.report(
        Rule::AsyncioTimeoutErrorAlias,
        format!(
            "`{written}` is an alias of the builtin `TimeoutError` since Python 3.11: the separate name suggests a distinction that no longer exists"
        ),
        "Use the builtin `TimeoutError`",
        expr.range(),
        fix,
    );
}

/// Is `range` in code that only runs before Python 3.11: the body of
/// `if sys.version_info < (3, 11):` or the `else` of `if sys.version_info >= (3, 11):`?
fn in_pre_311_branch(checker: &Checker, range: TextRange) -> bool {
    for stmt in checker.statement_ancestors() {
        let Stmt::If(if_stmt) = stmt else {
            continue;
        };
        let Some(before_311) = version_test(checker, &if_stmt.test) else {
            continue;
        };
        let in_body = if_stmt
            .body
            .first()
            .zip(if_stmt.body.last())
            .is_some_and(|(first, last)| {
                TextRange::new(first.start(), last.end()).contains_range(range)
            });
        if in_body && before_311 {
            return true;
        }
        // The first `elif`/`else` clause runs exactly when the test is false.
        if let Some(clause) = if_stmt.elif_else_clauses.first()
            && clause.test.is_none()
            && clause.range().contains_range(range)
            && !before_311
        {
            return true;
        }
    }
    false
}

/// For `sys.version_info < (3, 11)`: `Some(true)`; for `>= (3, 11)`: `Some(false)`.
fn version_test(checker: &Checker, test: &Expr) -> Option<bool> {
    let Expr::Compare(compare) = test else {
        return None;
    };
    let ([op], [right]) = (&compare.ops[..], &compare.comparators[..]) else {
        return None;
    };
    let left = match &*compare.left {
        Expr::Subscript(sub) => &*sub.value,
        other => other,
    };
    if checker.semantic.resolve_qualified_name(left).as_deref() != Some("sys.version_info") {
        return None;
    }
    let Expr::Tuple(tuple) = right else {
        return None;
    };
    let version: Vec<u64> = tuple
        .elts
        .iter()
        .map(|e| match e {
            Expr::NumberLiteral(ast::ExprNumberLiteral {
                value: ast::Number::Int(i),
                ..
            }) => i.as_u64(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    if version.first() != Some(&3) || version.get(1) != Some(&11) || version.len() > 2 {
        return None;
    }
    match op {
        CmpOp::Lt => Some(true),
        CmpOp::GtE => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::mentions_timeout;

    #[test]
    fn mentions_timeout_is_contains() {
        for name in [
            "TimeoutError",
            "AsyncTimeoutError",
            "Timeout",
            "T",
            "Timeou",
            "TTimeout",
            "timeout",
            "ReadTimeoutT",
            "",
            "ÉTimeout",
        ] {
            assert_eq!(mentions_timeout(name), name.contains("Timeout"), "{name}");
        }
    }
}
