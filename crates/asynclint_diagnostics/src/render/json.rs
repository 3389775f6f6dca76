//! `json`: a pretty-printed array of objects with Ruff's field names, so tools written for
//! `ruff --output-format json` can read our output.

use std::io::{self, Write};

use serde::Serialize;

use super::{RenderOptions, applicability_name};
use crate::{Diagnostic, Location};

/// Fields are declared in alphabetical order: serde writes them in this order, which matches
/// Ruff's sorted keys whatever features `serde_json` is built with.
#[derive(Serialize)]
pub(super) struct JsonDiagnostic<'a> {
    /// Notebook cell; we do not lint notebooks yet.
    cell: Option<u32>,
    code: &'a str,
    end_location: JsonLocation,
    filename: String,
    fix: Option<JsonFix<'a>>,
    help: Option<&'a str>,
    location: JsonLocation,
    message: &'a str,
    name: &'a str,
    noqa_row: usize,
    url: String,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    end_location: JsonLocation,
    location: JsonLocation,
}

#[derive(Serialize)]
struct JsonLocation {
    column: usize,
    row: usize,
}

impl From<Location> for JsonLocation {
    fn from(location: Location) -> Self {
        Self {
            column: location.column,
            row: location.row,
        }
    }
}

impl<'a> JsonDiagnostic<'a> {
    pub(super) fn new(diagnostic: &'a Diagnostic, opts: &RenderOptions) -> Self {
        let start = diagnostic.start_location();
        let fix = diagnostic.fix.as_ref().map(|fix| JsonFix {
            applicability: applicability_name(fix.applicability),
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    content: &edit.content,
                    end_location: diagnostic.file.location(edit.range.end()).into(),
                    location: diagnostic.file.location(edit.range.start()).into(),
                })
                .collect(),
            message: &fix.message,
        });
        Self {
            cell: None,
            code: diagnostic.code,
            end_location: diagnostic.end_location().into(),
            filename: opts.path_of(diagnostic),
            fix,
            help: diagnostic.help.as_deref(),
            location: start.into(),
            message: &diagnostic.message,
            name: diagnostic.name,
            // Suppression comments go on the line where the diagnostic starts.
            noqa_row: start.row,
            url: diagnostic.url(),
        }
    }
}

pub(super) fn render(
    diagnostics: &[Diagnostic],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let objects: Vec<_> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic::new(d, opts))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &objects)?;
    writeln!(out)
}
