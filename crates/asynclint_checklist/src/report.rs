//! The report model: what every renderer reads and what `--output-format json` serialises.
//! The JSON schema is documented in `docs/checklist.md`; bump [`SCHEMA_VERSION`] on any
//! incompatible change.

use std::collections::BTreeMap;

use serde::Serialize;

/// Version of the JSON document's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// The filled-in checklist for one project.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: &'static str,
    pub version: &'static str,
    /// The analysed path, as given (relative to the current directory when under it).
    pub path: String,
    pub summary: StatusCounts,
    pub project: ProjectInfo,
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Status {
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "fail")]
    Fail,
    #[serde(rename = "n/a")]
    NotApplicable,
    #[serde(rename = "manual")]
    Manual,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Pass,
        Status::Fail,
        Status::NotApplicable,
        Status::Manual,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "n/a",
            Status::Manual => "manual",
        }
    }

    pub const fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::NotApplicable => "–",
            Status::Manual => "?",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub pass: usize,
    pub fail: usize,
    #[serde(rename = "n/a")]
    pub not_applicable: usize,
    pub manual: usize,
    pub total: usize,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status) {
        *self.get_mut(status) += 1;
        self.total += 1;
    }

    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::NotApplicable => self.not_applicable,
            Status::Manual => self.manual,
        }
    }

    fn get_mut(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Manual => &mut self.manual,
        }
    }

    /// `3 pass, 1 fail, 2 n/a, 0 manual`.
    pub fn line(&self) -> String {
        format!(
            "{} pass, {} fail, {} n/a, {} manual",
            self.pass, self.fail, self.not_applicable, self.manual
        )
    }
}

/// What the report knows about the project besides the items.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProjectInfo {
    /// Python files found (test files and files that could not be analysed included).
    pub files: usize,
    pub test_files: usize,
    pub async_functions: u64,
    /// Findings of every rule, mapped to an item or not.
    pub findings: usize,
    /// Findings of rules no item maps (code -> count).
    pub unmapped_findings: BTreeMap<String, usize>,
    /// Files that could not be analysed (syntax errors, unreadable files).
    pub problems: Vec<Finding>,
    /// The files dependencies were read from.
    pub dependency_sources: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub pytest: Option<PytestInfo>,
    /// Type-checker and IDE configuration found (`[tool.mypy]`, `pyrightconfig.json`, ...).
    pub type_checkers: Vec<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// Normalised (PEP 503): lower case, runs of `-_.` as one `-`.
    pub name: String,
    /// The requirement as written (`httpx[http2]>=0.27`).
    pub requirement: String,
    /// `project`, `optional:<extra>`, `group:<name>`, `poetry`, `poetry-group:<name>`,
    /// `requirements:<file>`, `setup.cfg`, `setup.cfg:<extra>`, `metadata`, ...
    pub group: String,
    /// A development/test group (by its name).
    pub dev: bool,
    pub source: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct PytestInfo {
    /// The file pytest reads its configuration from.
    pub config: Option<String>,
    /// `asyncio_mode` (`strict` when unset, pytest-asyncio's default).
    pub asyncio_mode: String,
    pub asyncio_default_fixture_loop_scope: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    /// The part of the source checklist: Environment, Implementation, Testing, Production,
    /// Code review.
    pub part: &'static str,
    pub counts: StatusCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: &'static str,
    /// The id of its [`Section`].
    pub section: &'static str,
    pub title: &'static str,
    pub status: Status,
    /// The rules that evaluate this item.
    pub rules: Vec<&'static str>,
    /// Mapped rules this version of asynclint does not implement.
    pub unavailable_rules: Vec<&'static str>,
    /// For review items: the items this one is decided by.
    pub links: Vec<&'static str>,
    pub evidence: Evidence,
    pub finding_count: usize,
    /// Every finding of the mapped rules (empty unless the status is `fail`).
    pub findings: Vec<Finding>,
}

/// Why the item has its status.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    /// One sentence: the reason for n/a, what to review for manual, what was found for pass.
    pub note: String,
    pub counts: Vec<Count>,
}

/// A counted pattern or fact, with a few locations.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    /// Stable key: a fact key (`gather_calls`), `dependency:<name>`, `import:<module>`,
    /// `config:<what>`, ...
    pub key: String,
    pub label: String,
    pub count: u64,
    /// Up to three locations (every one for semaphores, queues and patch targets).
    pub examples: Vec<Location>,
}

impl Count {
    /// The examples' details are the evidence itself (a limit, a patch target), not a name.
    pub fn shows_details(&self) -> bool {
        matches!(
            self.key.as_str(),
            "semaphores"
                | "queues"
                | "patch_targets"
                | "patch_targets_outside_project"
                | "patch_targets_unresolved"
                | "loop_debug"
                | "retry_helpers"
                | "circuit_breakers"
                | "fallback_handlers"
                | "timeout_at"
                | "side_effects"
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Relative to the current directory when under it, `/`-separated.
    pub path: String,
    /// 1-based; 0 when the whole file is meant.
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Location {
    /// `path:line`, or `path` for a whole file.
    pub fn display(&self) -> String {
        if self.line == 0 {
            self.path.clone()
        } else {
            format!("{}:{}", self.path, self.line)
        }
    }
}

/// A diagnostic of a mapped rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub message: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Finding {
    pub fn location(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}
