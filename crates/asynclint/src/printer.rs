//! The one writer: diagnostics through the renderer of the chosen format, then, for the text
//! formats, Ruff's summary (`Found 3 errors.`, `[*] 1 fixable with the --fix option.`,
//! `All checks passed!`). Machine-readable formats get nothing but their document.

use std::io::{self, Write};
use std::path::PathBuf;

use asynclint_diagnostics::{Diagnostic, OutputFormat, RenderOptions, render, render_statistics};
use asynclint_linter::Rule;

#[derive(Debug)]
pub struct Printer {
    pub format: OutputFormat,
    pub statistics: bool,
    pub quiet: bool,
    pub color: bool,
    /// Paths under this directory are printed relative to it.
    pub cwd: PathBuf,
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
                    write_summary(diagnostics, out)?;
                }
                OutputFormat::Full | OutputFormat::Concise => write_summary(diagnostics, out)?,
                _ => {}
            }
        }
        Ok(())
    }
}

fn write_summary(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    match diagnostics.len() {
        0 => return writeln!(out, "All checks passed!"),
        1 => writeln!(out, "Found 1 error.")?,
        n => writeln!(out, "Found {n} errors.")?,
    }
    // Counted as the renderers mark them: a diagnostic with any fix carries `[*]`.
    let fixable = diagnostics.iter().filter(|d| d.fix.is_some()).count();
    if fixable > 0 {
        writeln!(out, "[*] {fixable} fixable with the --fix option.")?;
    }
    Ok(())
}
