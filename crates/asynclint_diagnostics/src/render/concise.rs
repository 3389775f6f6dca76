//! `concise`: one line per diagnostic, `path:row:col: CODE [*] message`.

use std::io::{self, Write};

use super::{RenderOptions, is_fixable, paint, styles};
use crate::Diagnostic;

pub(super) fn render(
    diagnostics: &[Diagnostic],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for diagnostic in diagnostics {
        let start = diagnostic.start_location();
        let marker = if is_fixable(diagnostic, opts.unsafe_fixes) {
            "[*] "
        } else {
            ""
        };
        writeln!(
            out,
            "{}:{}:{}: {} {marker}{}",
            paint(styles::PATH, &opts.path_of(diagnostic), opts.color),
            start.row,
            start.column,
            paint(styles::CODE, diagnostic.code, opts.color),
            diagnostic.message,
        )?;
    }
    Ok(())
}
