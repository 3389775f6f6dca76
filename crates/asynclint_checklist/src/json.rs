//! `--output-format json`: the [`Report`] as pretty-printed JSON (schema: `docs/checklist.md`).

use std::io::{self, Write};

use crate::report::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
