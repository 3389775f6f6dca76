//! The one writer: diagnostics through the renderer of the chosen format, then, for the text
//! formats, Ruff's summary (`Found 3 errors.`, `[*] 1 fixable with the --fix option.`,
//! `All checks passed!`). Machine-readable formats get nothing but their document.

use std::io::{self, Write};
use std::path::PathBuf;

use asynclint_diagnostics::{
    Applicability, Diagnostic, OutputFormat, RenderOptions, render, render_statistics,
};
use asynclint_linter::Rule;

#[derive(Debug)]
pub struct Printer {
    pub format: OutputFormat,
    pub statistics: bool,
    pub quiet: bool,
    pub color: bool,
    /// Paths under this directory are printed relative to it.
    pub cwd: PathBuf,
    /// How many fixes `--fix` applied (for the summary).
    pub fixed: usize,
    /// `--unsafe-fixes`: unsafe fixes count as available.
    pub unsafe_fixes: bool,
}

impl Printer {
    /// `diagnostics` must be sorted.
    pub fn write(&self, diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
        if self.statistics {
            let json = matches!(self.format, OutputFormat::Json | OutputFormat::JsonLines);
            return render_statistics(diagnostics, json, out);
        }
        let options = RenderOptions {
            color: self.color,
            unsafe_fixes: self.unsafe_fixes,
            cwd: Some(self.cwd.clone()),
            ..RenderOptions::default()
        };
        render(self.format, diagnostics, &Rule::all_meta(), &options, out)?;
        if !self.quiet {
            match self.format {
                // The full format separates diagnostics with a blank line but does not end
                // with one.
                OutputFormat::Full if !diagnostics.is_empty() => {
                    writeln!(out)?;
                    self.write_summary(diagnostics, out)?;
                }
                OutputFormat::Full | OutputFormat::Concise => {
                    self.write_summary(diagnostics, out)?
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl Printer {
    fn write_summary(&self, diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
        let n = diagnostics.len();
        let s = if n == 1 { "" } else { "s" };
        if n == 0 {
            if self.fixed > 0 {
                let f = if self.fixed == 1 { "" } else { "s" };
                return writeln!(
                    out,
                    "Found {} error{f} ({} fixed, 0 remaining).",
                    self.fixed, self.fixed
                );
            }
            return writeln!(out, "All checks passed!");
        }
        if self.fixed > 0 {
            writeln!(
                out,
                "Found {} errors ({} fixed, {n} remaining).",
                n + self.fixed,
                self.fixed
            )?;
        } else {
            writeln!(out, "Found {n} error{s}.")?;
        }
        let safe = diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Safe)
            })
            .count();
        let unsafe_ = diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .count();
        let (available, hidden) = if self.unsafe_fixes {
            (safe + unsafe_, 0)
        } else {
            (safe, unsafe_)
        };
        let hidden_note = |h: usize| {
            let fix = if h == 1 { "fix" } else { "fixes" };
            format!("{h} hidden {fix} can be enabled with the `--unsafe-fixes` option")
        };
        match (available, hidden) {
            (0, 0) => {}
            (0, h) => writeln!(out, "No fixes available ({}).", hidden_note(h))?,
            (a, 0) => writeln!(out, "[*] {a} fixable with the `--fix` option.")?,
            (a, h) => writeln!(
                out,
                "[*] {a} fixable with the `--fix` option ({}).",
                hidden_note(h)
            )?,
        }
        Ok(())
    }
}
