//! `json-lines`: the `json` objects, one compact object per line, for streaming consumers.

use std::io::{self, Write};

use super::RenderOptions;
use super::json::JsonDiagnostic;
use crate::Diagnostic;

pub(super) fn render(
    diagnostics: &[Diagnostic],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for diagnostic in diagnostics {
        serde_json::to_writer(&mut *out, &JsonDiagnostic::new(diagnostic, opts))?;
        writeln!(out)?;
    }
    Ok(())
}
