//! Applying fixes to a source text.
//!
//! Fixes are applied in passes: within a pass, fixes are taken in source order and a fix whose
//! edits overlap (or touch the same insertion point as) an already accepted fix waits for the
//! next pass, when the file is checked again. A pass whose result does not parse is discarded.
//! Inserted text follows the file's line endings (CRLF stays CRLF).

use asynclint_diagnostics::{Applicability, Diagnostic, Fix};
use ruff_text_size::{TextRange, TextSize};
use rustc_hash::FxHashMap;

/// Which fixes may be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Only fixes marked safe.
    Safe,
    /// Safe and unsafe fixes (`--unsafe-fixes`).
    Unsafe,
}

impl FixMode {
    pub fn allows(self, applicability: Applicability) -> bool {
        match self {
            FixMode::Safe => applicability == Applicability::Safe,
            FixMode::Unsafe => true,
        }
    }
}

/// The result of one pass.
#[derive(Debug, Default)]
pub struct FixPass {
    /// The new source, when at least one fix was applied.
    pub source: Option<String>,
    /// How many fixes were applied, per rule code.
    pub applied: FxHashMap<&'static str, usize>,
}

impl FixPass {
    pub fn count(&self) -> usize {
        self.applied.values().sum()
    }
}

/// Apply every allowed, non-overlapping fix of `diagnostics` to `source` (one pass).
pub fn apply_fixes(source: &str, diagnostics: &[Diagnostic], mode: FixMode) -> FixPass {
    let mut candidates: Vec<(&'static str, &Fix)> = diagnostics
        .iter()
        .filter_map(|d| Some((d.code, d.fix.as_ref()?)))
        .filter(|(_, fix)| mode.allows(fix.applicability) && !fix.edits.is_empty())
        .collect();
    candidates.sort_by_key(|(code, fix)| (fix.range().start(), fix.range().end(), *code));

    let mut accepted: Vec<&crate::diagnostics::Edit> = Vec::new();
    let mut applied: FxHashMap<&'static str, usize> = FxHashMap::default();
    let mut seen_fixes: Vec<&Fix> = Vec::new();
    for (code, fix) in candidates {
        // The same fix reported twice (e.g. by two rules) is applied once.
        if seen_fixes.iter().any(|f| f.edits == fix.edits) {
            continue;
        }
        let conflicts = fix.edits.iter().any(|edit| {
            accepted
                .iter()
                .any(|other| overlaps(edit.range, other.range))
        });
        if conflicts {
            continue;
        }
        accepted.extend(fix.edits.iter());
        seen_fixes.push(fix);
        *applied.entry(code).or_default() += 1;
    }
    if accepted.is_empty() {
        return FixPass::default();
    }
    accepted.sort_by_key(|e| (e.range.start(), e.range.end()));
    let crlf = uses_crlf(source);
    let mut out = String::with_capacity(source.len() + 64);
    let mut last = TextSize::default();
    for edit in accepted {
        let start = edit.range.start();
        if start < last {
            // Cannot happen after the overlap check; be defensive rather than corrupt.
            return FixPass::default();
        }
        out.push_str(&source[usize::from(last)..usize::from(start)]);
        if crlf {
            out.push_str(&to_crlf(&edit.content));
        } else {
            out.push_str(&edit.content);
        }
        last = edit.range.end();
    }
    out.push_str(&source[usize::from(last)..]);
    FixPass {
        source: Some(out),
        applied,
    }
}

/// Two edits conflict when their ranges intersect, or when both insert at the same point
/// (their order would be arbitrary).
fn overlaps(a: TextRange, b: TextRange) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start() == b.start(),
        (true, false) => b.start() <= a.start() && a.start() < b.end(),
        (false, true) => a.start() <= b.start() && b.start() < a.end(),
        (false, false) => a.start() < b.end() && b.start() < a.end(),
    }
}

/// Does the file use `\r\n` line endings (judged by its first line ending)?
pub fn uses_crlf(source: &str) -> bool {
    source
        .find('\n')
        .is_some_and(|i| i > 0 && source.as_bytes()[i - 1] == b'\r')
}

fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Does `source` parse without errors?
pub fn parses(source: &str, stub: bool) -> bool {
    let source_type = if stub {
        ruff_python_ast::PySourceType::Stub
    } else {
        ruff_python_ast::PySourceType::Python
    };
    ruff_python_parser::parse_unchecked_source(source, source_type)
        .errors()
        .is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use asynclint_diagnostics::{Edit, SourceFile};

    fn diag(file: &std::sync::Arc<SourceFile>, code: &'static str, fix: Fix) -> Diagnostic {
        Diagnostic::new(code, "x", "m", fix.range(), file.clone()).with_fix(Some(fix))
    }

    #[test]
    fn applies_in_order_and_defers_overlaps() {
        let src = "a = 1\nb = 2\n";
        let file = SourceFile::new("t.py", src);
        let r = |s: u32, e: u32| TextRange::new(TextSize::new(s), TextSize::new(e));
        let d = vec![
            diag(
                &file,
                "A",
                Fix::safe("x", vec![Edit::replacement("x", r(0, 1))]),
            ),
            diag(
                &file,
                "B",
                Fix::safe("y", vec![Edit::replacement("yy", r(0, 5))]),
            ),
            diag(
                &file,
                "C",
                Fix::unsafe_("z", vec![Edit::replacement("z", r(6, 7))]),
            ),
        ];
        let pass = apply_fixes(src, &d, FixMode::Safe);
        assert_eq!(pass.source.as_deref(), Some("x = 1\nb = 2\n"));
        assert_eq!(pass.count(), 1);
        let pass = apply_fixes(src, &d, FixMode::Unsafe);
        assert_eq!(pass.source.as_deref(), Some("x = 1\nz = 2\n"));
    }

    #[test]
    fn same_insertion_point_waits() {
        let src = "x\n";
        let file = SourceFile::new("t.py", src);
        let at = TextSize::new(0);
        let d = vec![
            diag(
                &file,
                "A",
                Fix::safe("x", vec![Edit::insertion("import a\n", at)]),
            ),
            diag(
                &file,
                "B",
                Fix::safe("y", vec![Edit::insertion("import b\n", at)]),
            ),
        ];
        let pass = apply_fixes(src, &d, FixMode::Safe);
        assert_eq!(pass.count(), 1);
    }

    #[test]
    fn crlf_is_kept() {
        let src = "a = 1\r\nb = 2\r\n";
        let file = SourceFile::new("t.py", src);
        let r = TextRange::new(TextSize::new(0), TextSize::new(5));
        let d = vec![diag(
            &file,
            "A",
            Fix::safe("x", vec![Edit::replacement("if x:\n    pass", r)]),
        )];
        let pass = apply_fixes(src, &d, FixMode::Safe);
        assert_eq!(
            pass.source.as_deref(),
            Some("if x:\r\n    pass\r\nb = 2\r\n")
        );
    }
}
