//! Fix helper: make a module name available to a fix, adding `import asyncio` at the top of the
//! file when it is missing, and respecting an existing alias (`import asyncio as aio`).

use asynclint_diagnostics::Edit;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::semantic::{BindingKind, Lookup};

/// The name to write for the `asyncio` module at the current location, and the edit that
/// imports it when it is not imported yet. `None` when the name `asyncio` is taken by
/// something else in scope (no fix is better than a wrong one).
pub fn asyncio_module(checker: &Checker) -> Option<(String, Option<Edit>)> {
    if let Some(name) = crate::rules::blocking::blocking_sleep::asyncio_module_name(checker) {
        return Some((name, None));
    }
    match checker.semantic.lookup("asyncio") {
        Lookup::NotFound => {}
        // Bound to something else (or hidden behind a star import).
        _ => return None,
    }
    // Also keep clear of any `asyncio` binding elsewhere in the module (a later global).
    if checker.semantic.module_bindings().any(|(name, bindings)| {
        *name == "asyncio"
            && !bindings.iter().all(
                |b| matches!(&b.kind, BindingKind::Import { qualified } if qualified == "asyncio"),
            )
    }) {
        return None;
    }
    let at = import_insertion_point(checker.module_body(), checker.source);
    Some((
        "asyncio".to_string(),
        Some(Edit::insertion("import asyncio\n", at)),
    ))
}

/// After the leading docstring, `from __future__` imports and the first block of top-level
/// imports; at the start of the line that follows.
fn import_insertion_point(body: &[Stmt], source: &str) -> TextSize {
    let mut after: Option<TextSize> = None;
    for (i, stmt) in body.iter().enumerate() {
        let is_docstring =
            i == 0 && matches!(stmt, Stmt::Expr(e) if matches!(&*e.value, Expr::StringLiteral(_)));
        if is_docstring || matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
            after = Some(stmt.range().end());
            continue;
        }
        break;
    }
    match after {
        None => TextSize::default(),
        Some(end) => {
            // The start of the next line (statements can end with `;` or a comment).
            let rest = &source[usize::from(end)..];
            match rest.find('\n') {
                Some(nl) => end + TextSize::try_from(nl + 1).unwrap_or_default(),
                None => TextSize::of(source),
            }
        }
    }
}
