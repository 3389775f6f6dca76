//! `full`: a header line plus a code frame with the span underlined, like rustc and Ruff.
//!
//! ```text
//! app.py:3:5: AIO100 Blocking call `time.sleep` in async function
//!   |
//! 1 | import time
//! 2 | async def main():
//! 3 |     time.sleep(1)
//!   |     ^^^^^^^^^^^^^
//!   |
//!   = help: Use `await asyncio.sleep(...)`
//!   = fix: [*] (unsafe) Replace with `await asyncio.sleep(1)`
//! ```

use std::io::{self, Write};

use ruff_text_size::TextSize;

use super::line::{VisibleLine, Window, display_width};
use super::{RenderOptions, paint, styles};
use crate::{Applicability, Diagnostic, SourceFile};

/// Lines of context printed before and after the span.
const CONTEXT_LINES: usize = 2;
/// Spans longer than this many lines are shown as their first and last lines around a `...`.
const MAX_SPAN_LINES: usize = 6;
const HEAD_SPAN_LINES: usize = 3;
const TAIL_SPAN_LINES: usize = 2;

pub(super) fn render(
    diagnostics: &[Diagnostic],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        render_one(diagnostic, opts, out)?;
    }
    Ok(())
}

fn render_one(
    diagnostic: &Diagnostic,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let color = opts.color;
    let start = diagnostic.start_location();
    writeln!(
        out,
        "{}:{}:{}: {} {}",
        paint(styles::PATH, &opts.path_of(diagnostic), color),
        start.row,
        start.column,
        paint(styles::CODE, diagnostic.code, color),
        diagnostic.message
    )?;

    let span = Span::new(diagnostic);
    let frame = Frame::new(&diagnostic.file, &span, color);
    frame.write(out)?;

    if let Some(help) = &diagnostic.help {
        frame.note(out, &paint(styles::HELP, "help", color).to_string(), help)?;
    }
    if let Some(fix) = &diagnostic.fix {
        let note = match fix.applicability {
            Applicability::Safe => format!("[*] {}", fix.message),
            Applicability::Unsafe if opts.unsafe_fixes => format!("[*] (unsafe) {}", fix.message),
            Applicability::Unsafe => {
                format!("(unsafe, enable with `--unsafe-fixes`) {}", fix.message)
            }
        };
        frame.note(out, "fix", &note)?;
    }
    Ok(())
}

/// The diagnostic's range as rows and display columns (tabs expanded, wide characters counted
/// twice), the unit the underline is drawn in.
struct Span {
    first_row: usize,
    last_row: usize,
    /// Display column where the span starts on `first_row`.
    start_col: usize,
    /// Display column just after the span on `last_row`.
    end_col: usize,
}

impl Span {
    fn new(diagnostic: &Diagnostic) -> Self {
        let file = &diagnostic.file;
        let (first_row, start_offset) = row_and_offset(file, diagnostic.range.start());
        let (mut last_row, mut end_offset) = row_and_offset(file, diagnostic.range.end());
        // A range ending right after a newline ends on the previous line, not at the start of
        // the next one (which would draw a second, empty line of the span).
        if last_row > first_row && end_offset == 0 {
            last_row -= 1;
            end_offset = file.line_text(last_row).len();
        }
        Self {
            first_row,
            last_row,
            start_col: display_width(file.line_text(first_row), start_offset),
            end_col: display_width(file.line_text(last_row), end_offset),
        }
    }

    fn is_multiline(&self) -> bool {
        self.last_row > self.first_row
    }
}

/// The 1-based row of `offset` and its byte offset within that row's text.
fn row_and_offset(file: &SourceFile, offset: TextSize) -> (usize, usize) {
    let row = file.location(offset).row;
    let line_start = file.line_range(row).start();
    let within = usize::from(offset.saturating_sub(line_start));
    (row, within.min(file.line_text(row).len()))
}

/// One printed row of the frame: a source line or a fold marker.
enum Row {
    Source(usize),
    Fold,
}

struct Frame<'a> {
    file: &'a SourceFile,
    span: &'a Span,
    rows: Vec<Row>,
    window: Window,
    gutter_width: usize,
    color: bool,
}

impl<'a> Frame<'a> {
    fn new(file: &'a SourceFile, span: &'a Span, color: bool) -> Self {
        let first_context = span.first_row.saturating_sub(CONTEXT_LINES).max(1);
        let last_context = (span.last_row + CONTEXT_LINES)
            .min(last_printable_row(file))
            .max(span.last_row);
        let mut rows: Vec<Row> = (first_context..span.first_row).map(Row::Source).collect();
        let span_lines = span.last_row - span.first_row + 1;
        if span_lines > MAX_SPAN_LINES {
            rows.extend((span.first_row..span.first_row + HEAD_SPAN_LINES).map(Row::Source));
            rows.push(Row::Fold);
            rows.extend((span.last_row + 1 - TAIL_SPAN_LINES..=span.last_row).map(Row::Source));
        } else {
            rows.extend((span.first_row..=span.last_row).map(Row::Source));
        }
        rows.extend((span.last_row + 1..=last_context).map(Row::Source));

        // The first line's underline decides which part of long lines is shown.
        let underline_end = if span.is_multiline() {
            display_width(file.line_text(span.first_row), usize::MAX)
        } else {
            span.end_col.max(span.start_col + 1)
        };
        Self {
            file,
            span,
            rows,
            window: Window::around(span.start_col, underline_end),
            gutter_width: last_context.to_string().len(),
            color,
        }
    }

    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        self.gutter(out, "")?;
        for row in &self.rows {
            match row {
                Row::Fold => {
                    let dots = format!("{:>width$}", "...", width = self.gutter_width.max(3));
                    writeln!(out, "{}", paint(styles::GUTTER, &dots, self.color))?;
                }
                Row::Source(row) => self.source_row(out, *row)?,
            }
        }
        self.gutter(out, "")
    }

    fn source_row(&self, out: &mut dyn Write, row: usize) -> io::Result<()> {
        let span = self.span;
        let visible = VisibleLine::new(self.file.line_text(row), self.window);
        let number = format!("{row:>width$} |", width = self.gutter_width);
        let continued = span.is_multiline() && row > span.first_row && row <= span.last_row;
        let number = paint(styles::GUTTER, &number, self.color);
        // Lines inside a multi-line span carry a `|` in a margin column; the others get blanks
        // there so the code stays aligned.
        if continued {
            let bar = paint(styles::UNDERLINE, "|", self.color);
            if visible.text.is_empty() {
                writeln!(out, "{number} {bar}")?;
            } else {
                writeln!(out, "{number} {bar} {}", visible.text)?;
            }
        } else if visible.text.is_empty() {
            writeln!(out, "{number}")?;
        } else {
            let margin = if span.is_multiline() { "  " } else { "" };
            writeln!(out, "{number} {margin}{}", visible.text)?;
        }

        if row == span.first_row {
            let end = if span.is_multiline() {
                visible.width
            } else {
                self.window.to_visible(span.end_col)
            };
            let start = self.window.to_visible(span.start_col);
            let carets = "^".repeat(end.saturating_sub(start).max(1));
            let margin = if span.is_multiline() { "  " } else { "" };
            let underline = format!("{margin}{}", " ".repeat(start));
            self.gutter(
                out,
                &format!(
                    "{underline}{}",
                    paint(styles::UNDERLINE, &carets, self.color)
                ),
            )?;
        } else if row == span.last_row {
            // `|___^`: the `^` sits under the span's last character.
            let last_char = self.window.to_visible(span.end_col.saturating_sub(1));
            let marker = format!("|{}^", "_".repeat(last_char + 1));
            self.gutter(
                out,
                &paint(styles::UNDERLINE, &marker, self.color).to_string(),
            )?;
        }
        Ok(())
    }

    /// A line with an empty gutter, then `content` (nothing, so no trailing space, if empty).
    fn gutter(&self, out: &mut dyn Write, content: &str) -> io::Result<()> {
        let bar = format!("{:width$} |", "", width = self.gutter_width);
        let bar = paint(styles::GUTTER, &bar, self.color);
        if content.is_empty() {
            writeln!(out, "{bar}")
        } else {
            writeln!(out, "{bar} {content}")
        }
    }

    /// `  = label: text`, with further lines of `text` indented under the first.
    fn note(&self, out: &mut dyn Write, label: &str, text: &str) -> io::Result<()> {
        let equals = format!("{:width$} =", "", width = self.gutter_width);
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        writeln!(
            out,
            "{} {label}: {first}",
            paint(styles::GUTTER, &equals, self.color)
        )?;
        for line in lines {
            writeln!(out, "{:width$}   {line}", "", width = self.gutter_width)?;
        }
        Ok(())
    }
}

/// The last row worth showing as context: a file ending in a newline has an empty last "row"
/// after it, which is noise unless a diagnostic points there.
fn last_printable_row(file: &SourceFile) -> usize {
    let count = file.line_count();
    if count > 1 && file.text().ends_with('\n') {
        count - 1
    } else {
        count
    }
}

#[cfg(test)]
mod tests {
    use ruff_text_size::{TextRange, TextSize};

    use crate::{Diagnostic, OutputFormat, RenderOptions, SourceFile, render};

    fn full(text: &str, start: usize, end: usize) -> String {
        let file = SourceFile::new("t.py", text);
        let range = TextRange::new(
            TextSize::try_from(start).unwrap(),
            TextSize::try_from(end).unwrap(),
        );
        let diagnostic = Diagnostic::new("AIO100", "blocking-sleep", "m", range, file);
        let mut out = Vec::new();
        render(
            OutputFormat::Full,
            &[diagnostic],
            &[],
            &RenderOptions::default(),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Every range over awkward texts (empty, CRLF, tabs, wide characters, trailing newline or
    /// not) renders without panicking.
    #[test]
    fn any_range_renders() {
        for text in [
            "",
            "a",
            "a\n",
            "a\r\nb\r\n",
            "\t日本\n\nx",
            "\n\n\n",
            "é\u{301}\x1b\n",
        ] {
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for &start in &boundaries {
                for &end in boundaries.iter().filter(|&&end| end >= start) {
                    let output = full(text, start, end);
                    assert!(
                        output.starts_with("t.py:"),
                        "{text:?} {start}..{end}: {output}"
                    );
                }
            }
        }
    }

    #[test]
    fn range_ending_after_a_newline_stays_on_its_line() {
        let output = full("x = 1\ny = 2\n", 0, 6);
        assert_eq!(
            output,
            "t.py:1:1: AIO100 m\n  |\n1 | x = 1\n  | ^^^^^\n2 | y = 2\n  |\n"
        );
    }

    #[test]
    fn empty_file() {
        assert_eq!(full("", 0, 0), "t.py:1:1: AIO100 m\n  |\n1 |\n  | ^\n  |\n");
    }
}
