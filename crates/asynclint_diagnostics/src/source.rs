use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};
use serde::Serialize;

/// A checked file as the renderers see it: its display path and its text.
///
/// The line index is built lazily: most files have no diagnostics and never need it.
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    text: Box<str>,
    index: OnceLock<LineIndex>,
}

/// A 1-based line and column (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Box<str>>) -> Arc<Self> {
        Arc::new(Self {
            path: path.into(),
            text: text.into(),
            index: OnceLock::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_index(&self) -> &LineIndex {
        self.index
            .get_or_init(|| LineIndex::from_source_text(&self.text))
    }

    /// 1-based row and character column of a byte offset.
    pub fn location(&self, offset: TextSize) -> Location {
        let offset = offset.min(TextSize::of(&*self.text));
        let index = self.line_index();
        let row = index.line_index(offset);
        let line_start = index.line_start(row, &self.text);
        let prefix = self
            .text
            .get(usize::from(line_start)..usize::from(offset))
            .unwrap_or("");
        Location {
            row: row.get(),
            column: prefix.chars().count() + 1,
        }
    }

    /// The byte range of the (1-based) line `row`, without its line terminator.
    pub fn line_range(&self, row: usize) -> TextRange {
        let index = self.line_index();
        let Some(one) = ruff_source_file::OneIndexed::new(row) else {
            return TextRange::default();
        };
        if row > index.line_count() {
            let end = TextSize::of(&*self.text);
            return TextRange::empty(end);
        }
        index.line_range(one, &self.text)
    }

    pub fn line_text(&self, row: usize) -> &str {
        let range = self.line_range(row);
        self.text
            .get(usize::from(range.start())..usize::from(range.end()))
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_index().line_count()
    }
}
