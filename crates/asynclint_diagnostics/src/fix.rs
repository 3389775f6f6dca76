use ruff_text_size::{Ranged, TextRange, TextSize};
use serde::Serialize;

/// Whether a fix may be applied without the user opting in to unsafe fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// May change behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
    /// Preserves behaviour; applied by `--fix`.
    Safe,
}

/// Replace `range` with `content` (an insertion when the range is empty, a deletion when the
/// content is empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    #[serde(skip)]
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replacement(content: impl Into<String>, range: TextRange) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    pub fn insertion(content: impl Into<String>, at: TextSize) -> Self {
        Self {
            range: TextRange::empty(at),
            content: content.into(),
        }
    }

    pub fn deletion(range: TextRange) -> Self {
        Self {
            range,
            content: String::new(),
        }
    }
}

impl Ranged for Edit {
    fn range(&self) -> TextRange {
        self.range
    }
}

/// A set of edits applied together, with the applicability the rule declares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    /// What the fix does, e.g. "Replace with `await asyncio.sleep(...)`".
    pub message: String,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(message, edits, Applicability::Safe)
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(message, edits, Applicability::Unsafe)
    }

    pub fn new(
        message: impl Into<String>,
        mut edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Self {
        edits.sort_by_key(|e| (e.range.start(), e.range.end()));
        Self {
            edits,
            applicability,
            message: message.into(),
        }
    }

    /// The smallest range covering every edit.
    pub fn range(&self) -> TextRange {
        let start = self
            .edits
            .iter()
            .map(|e| e.range.start())
            .min()
            .unwrap_or_default();
        let end = self
            .edits
            .iter()
            .map(|e| e.range.end())
            .max()
            .unwrap_or_default();
        TextRange::new(start, end)
    }
}
