//! ## What it does
//! Reports a file that Python cannot parse, at the location of the parse error, with the
//! parser's message. The other files of the run are still checked.
//!
//! ## Why is this bad?
//! A module with a syntax error cannot be imported: every coroutine in it fails at import time,
//! and no other rule can analyse it. This rule cannot be disabled, so a broken file is never
//! silently skipped.
//!
//! ## Example
//! ```python
//! async def handler(request)
//!     return await respond(request)
//! ```
//!
//! Use instead:
//! ```python
//! async def handler(request):
//!     return await respond(request)
//! ```
//!
//! ## References
//! - [Python language reference: Lexical analysis](https://docs.python.org/3/reference/lexical_analysis.html)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, Severity, SourceFile};
use ruff_python_parser::ParseError;
use ruff_text_size::Ranged;

use crate::registry::Rule;

/// Turn a parser error into an AIO001 diagnostic.
pub(crate) fn syntax_error(error: &ParseError, file: &Arc<SourceFile>) -> Diagnostic {
    let rule = Rule::SyntaxError;
    Diagnostic::new(
        rule.code(),
        rule.name(),
        format!("SyntaxError: {}", error.error),
        error.range(),
        file.clone(),
    )
    .with_severity(Severity::Error)
    .with_help("Fix the syntax error; no other rule can check this file until it parses")
}
