//! `check --fix` / `--diff` / `--fix-only`: apply the fixes of a finished check to each file.
//!
//! Guarantees:
//! - a pass whose result does not parse is discarded and reported as an internal error;
//! - fixes are applied in passes until nothing changes (at most [`MAX_PASSES`]); a fix that
//!   overlaps another waits for the next pass, when the file is checked again;
//! - a file is written atomically (temporary file in the same directory, then rename), keeps
//!   its permissions, and is not written when it changed on disk since it was read or when it
//!   is read-only; BOM, encoding declaration, line endings and trailing newline are untouched
//!   because only the fixed ranges change.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, Severity, SourceFile, TextRange};
use asynclint_linter::fix::{FixMode, apply_fixes, parses};
use asynclint_linter::{LinterSettings, ModuleInfo, lint_source};
use rustc_hash::FxHashMap;

use super::check::{INTERNAL_ERROR_CODE, INTERNAL_ERROR_NAME, IO_ERROR_CODE, IO_ERROR_NAME};

/// Enough for chains of dependent fixes; a fix loop that never settles is a bug.
pub const MAX_PASSES: usize = 10;

/// The fixed text of one file.
#[derive(Debug)]
pub struct FixedFile {
    pub path: PathBuf,
    pub original: Arc<SourceFile>,
    pub fixed: String,
    pub applied: FxHashMap<&'static str, usize>,
}

impl FixedFile {
    pub fn count(&self) -> usize {
        self.applied.values().sum()
    }
}

/// Compute the fixed text of every file that has applicable fixes. Problems (a fix that breaks
/// the syntax) come back as diagnostics.
pub fn fix_all(
    diagnostics: &[Diagnostic],
    mode: FixMode,
    linter: &LinterSettings,
    module_of: &(dyn Fn(&Path) -> ModuleInfo + Sync),
) -> (Vec<FixedFile>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let mut by_file: FxHashMap<&Path, Vec<&Diagnostic>> = FxHashMap::default();
    for d in diagnostics {
        if d.fix.as_ref().is_some_and(|f| mode.allows(f.applicability)) {
            by_file.entry(d.file.path()).or_default().push(d);
        }
    }
    let mut files: Vec<(&Path, Vec<&Diagnostic>)> = by_file.into_iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let results: Vec<(Option<FixedFile>, Option<Diagnostic>)> = files
        .par_iter()
        .map(|(path, diags)| fix_file(path, diags, mode, linter, module_of))
        .collect();
    let mut fixed = Vec::new();
    let mut problems = Vec::new();
    for (file, problem) in results {
        fixed.extend(file);
        problems.extend(problem);
    }
    (fixed, problems)
}

fn fix_file(
    path: &Path,
    diagnostics: &[&Diagnostic],
    mode: FixMode,
    linter: &LinterSettings,
    module_of: &(dyn Fn(&Path) -> ModuleInfo + Sync),
) -> (Option<FixedFile>, Option<Diagnostic>) {
    let original = diagnostics[0].file.clone();
    let stub = path.extension().is_some_and(|e| e == "pyi");
    let mut text = original.text().to_string();
    let mut current: Vec<Diagnostic> = diagnostics.iter().map(|d| (*d).clone()).collect();
    let mut applied: FxHashMap<&'static str, usize> = FxHashMap::default();
    let mut problem = None;
    let mut module = module_of(path);
    module.collect_summary = false;
    for _ in 0..MAX_PASSES {
        let pass = apply_fixes(&text, &current, mode);
        let Some(next) = pass.source else { break };
        if !parses(&next, stub) {
            let codes: Vec<&str> = pass.applied.keys().copied().collect();
            problem = Some(
                Diagnostic::new(
                    INTERNAL_ERROR_CODE,
                    INTERNAL_ERROR_NAME,
                    format!(
                        "Fixes for {} would produce invalid Python; they were not applied",
                        codes.join(", ")
                    ),
                    TextRange::default(),
                    original.clone(),
                )
                .with_severity(Severity::Error)
                .with_help("This is a bug in asynclint; please report it with this file"),
            );
            break;
        }
        for (code, n) in pass.applied {
            *applied.entry(code).or_default() += n;
        }
        text = next;
        current = lint_source(path, &text, linter, &module).diagnostics;
    }
    if applied.is_empty() {
        return (None, problem);
    }
    (
        Some(FixedFile {
            path: path.to_path_buf(),
            original,
            fixed: text,
            applied,
        }),
        problem,
    )
}

/// Write a fixed file atomically; an error comes back as a diagnostic for that file.
#[allow(
    clippy::result_large_err,
    reason = "the error is reported, not propagated through hot code"
)]
pub fn write_fixed(file: &FixedFile) -> Result<(), Diagnostic> {
    let io_error = |message: String| {
        Diagnostic::new(
            IO_ERROR_CODE,
            IO_ERROR_NAME,
            message,
            TextRange::default(),
            file.original.clone(),
        )
        .with_severity(Severity::Error)
    };
    let path = &file.path;
    let metadata = std::fs::metadata(path)
        .map_err(|e| io_error(format!("Failed to write fixes: cannot read metadata: {e}")))?;
    if metadata.permissions().readonly() {
        return Err(io_error(
            "Failed to write fixes: the file is read-only; it was left unchanged".to_string(),
        ));
    }
    let on_disk = std::fs::read(path).map_err(|e| {
        io_error(format!(
            "Failed to write fixes: cannot re-read the file: {e}"
        ))
    })?;
    if on_disk != file.original.text().as_bytes() {
        return Err(io_error(
            "Failed to write fixes: the file changed on disk while it was checked; it was left unchanged"
                .to_string(),
        ));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".asynclint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            io_error(format!(
                "Failed to write fixes: cannot create a temporary file: {e}"
            ))
        })?;
    temp.write_all(file.fixed.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| io_error(format!("Failed to write fixes: {e}")))?;
    std::fs::set_permissions(temp.path(), metadata.permissions()).map_err(|e| {
        io_error(format!(
            "Failed to write fixes: cannot keep the permissions: {e}"
        ))
    })?;
    temp.persist(path).map_err(|e| {
        io_error(format!(
            "Failed to write fixes: cannot replace the file: {}",
            e.error
        ))
    })?;
    Ok(())
}

/// A unified diff of one fixed file, as `--diff` prints it.
pub fn unified_diff(file: &FixedFile, display: &str) -> String {
    let diff = similar::TextDiff::from_lines(file.original.text(), file.fixed.as_str());
    diff.unified_diff()
        .context_radius(3)
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .to_string()
}
