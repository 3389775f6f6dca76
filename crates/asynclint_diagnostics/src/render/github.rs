//! `github`: GitHub Actions workflow commands, which show up as annotations on the PR diff.
//!
//! <https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions>

use std::io::{self, Write};

use super::RenderOptions;
use crate::{Diagnostic, Severity};

pub(super) fn render(
    diagnostics: &[Diagnostic],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for diagnostic in diagnostics {
        let path = opts.path_of(diagnostic);
        let start = diagnostic.start_location();
        let end = diagnostic.end_location();
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let title = format!("asynclint ({})", diagnostic.code);
        let message = format!(
            "{path}:{}:{}: {} {}",
            start.row, start.column, diagnostic.code, diagnostic.message
        );
        writeln!(
            out,
            "::{command} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            escape_property(&title),
            escape_property(&path),
            start.row,
            start.column,
            end.row,
            end.column,
            escape_data(&message),
        )?;
    }
    Ok(())
}

/// A newline or `%` in the message would end or corrupt the command, so GitHub decodes these.
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values are also delimited by `,` and `:`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
