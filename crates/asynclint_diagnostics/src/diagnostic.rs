use std::cmp::Ordering;
use std::sync::Arc;

use ruff_text_size::{Ranged, TextRange};

use crate::fix::Fix;
use crate::source::{Location, SourceFile};

/// How a diagnostic is presented by renderers that have severities (SARIF, GitLab, GitHub).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A problem in the analysed code.
    Warning,
    /// The file could not be analysed (syntax error, I/O error, internal error).
    Error,
}

/// Static facts about a rule that renderers need (SARIF's `rules` array, URLs, help).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// One-line summary of the rule.
    pub summary: &'static str,
    /// The full Markdown documentation.
    pub docs: &'static str,
    pub default_enabled: bool,
    pub fixable: bool,
}

impl RuleMeta {
    pub fn url(&self) -> String {
        rule_url(self.code)
    }
}

/// The documentation URL of a rule code.
pub fn rule_url(code: &str) -> String {
    format!("https://asynclint.dev/rules/{}", code.to_ascii_lowercase())
}

/// One finding in one file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    /// What is wrong and why it matters under asyncio (one line).
    pub message: String,
    /// What to write instead.
    pub help: Option<String>,
    pub range: TextRange,
    pub fix: Option<Fix>,
    pub severity: Severity,
    /// The file the range points into.
    pub file: Arc<SourceFile>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        name: &'static str,
        message: impl Into<String>,
        range: TextRange,
        file: Arc<SourceFile>,
    ) -> Self {
        Self {
            code,
            name,
            message: message.into(),
            help: None,
            range,
            fix: None,
            severity: Severity::Warning,
            file,
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn start_location(&self) -> Location {
        self.file.location(self.range.start())
    }

    pub fn end_location(&self) -> Location {
        self.file.location(self.range.end())
    }

    pub fn url(&self) -> String {
        rule_url(self.code)
    }

    /// The deterministic output order: path, then range, then code, then message.
    pub fn sort_key_cmp(&self, other: &Self) -> Ordering {
        self.file
            .path()
            .cmp(other.file.path())
            .then_with(|| self.range.start().cmp(&other.range.start()))
            .then_with(|| self.range.end().cmp(&other.range.end()))
            .then_with(|| self.code.cmp(other.code))
            .then_with(|| self.message.cmp(&other.message))
    }
}

impl Ranged for Diagnostic {
    fn range(&self) -> TextRange {
        self.range
    }
}
