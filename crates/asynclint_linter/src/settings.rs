//! Which rules run, and the options rules read.

use std::fmt;

use crate::registry::Rule;

/// A set of rules as a bitset (the catalog has fewer than 128 rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RuleSet(u128);

impl RuleSet {
    pub const fn empty() -> Self {
        Self(0)
    }

    pub fn all() -> Self {
        Rule::ALL.iter().copied().collect()
    }

    pub fn defaults() -> Self {
        Rule::ALL
            .iter()
            .copied()
            .filter(|r| r.default_enabled())
            .collect()
    }

    pub fn insert(&mut self, rule: Rule) {
        self.0 |= 1u128 << (rule as u32);
    }

    pub fn remove(&mut self, rule: Rule) {
        self.0 &= !(1u128 << (rule as u32));
    }

    pub const fn contains(&self, rule: Rule) -> bool {
        self.0 & (1u128 << (rule as u32)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = Rule> + '_ {
        Rule::ALL.iter().copied().filter(|r| self.contains(*r))
    }

    pub fn union(mut self, other: Self) -> Self {
        self.0 |= other.0;
        self
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<T: IntoIterator<Item = Rule>>(iter: T) -> Self {
        let mut set = RuleSet::empty();
        for rule in iter {
            set.insert(rule);
        }
        set
    }
}

/// What a `--select`/`--ignore` entry names: `ALL`, a code prefix (`AIO`, `AIO1`, `AIO100`)
/// or a rule name (`dangling-task`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSelector {
    All,
    Prefix(String),
    Name(Rule),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown rule selector `{0}`: expected a code (`AIO100`), a code prefix (`AIO1`), a rule name (`dangling-task`) or `ALL`"
)]
pub struct UnknownSelector(pub String);

impl RuleSelector {
    pub fn parse(s: &str) -> Result<Self, UnknownSelector> {
        let s = s.trim();
        if s == "ALL" {
            return Ok(Self::All);
        }
        if let Some(rule) = Rule::from_name(s) {
            return Ok(Self::Name(rule));
        }
        let upper = s.to_ascii_uppercase();
        if upper.starts_with("AIO")
            && upper[3..].chars().all(|c| c.is_ascii_digit())
            && upper.len() <= 6
        {
            let matches = Rule::ALL.iter().any(|r| r.code().starts_with(&upper));
            if matches || upper == "AIO" {
                return Ok(Self::Prefix(upper));
            }
        }
        Err(UnknownSelector(s.to_string()))
    }

    pub fn rules(&self) -> RuleSet {
        match self {
            Self::All => RuleSet::all(),
            Self::Name(rule) => std::iter::once(*rule).collect(),
            Self::Prefix(prefix) => Rule::ALL
                .iter()
                .copied()
                .filter(|r| r.code().starts_with(prefix.as_str()))
                .collect(),
        }
    }

    /// How specific the selector is: a more specific `--ignore` beats a less specific
    /// `--select` and vice versa, as in Ruff.
    pub fn specificity(&self) -> usize {
        match self {
            Self::All => 0,
            Self::Prefix(p) => p.len(),
            Self::Name(_) => 6,
        }
    }
}

impl fmt::Display for RuleSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("ALL"),
            Self::Prefix(p) => f.write_str(p),
            Self::Name(rule) => f.write_str(rule.name()),
        }
    }
}

/// Resolve the enabled set from `select` (replaces the defaults when given), `extend-select`
/// and `ignore`. Ruff's rule: among selectors that match a rule, the most specific wins;
/// at equal specificity, ignore wins.
pub fn resolve_rule_set(
    select: Option<&[RuleSelector]>,
    extend_select: &[RuleSelector],
    ignore: &[RuleSelector],
) -> RuleSet {
    let mut set = RuleSet::empty();
    for rule in Rule::ALL.iter().copied() {
        let mut best_select: Option<usize> = None;
        match select {
            Some(selectors) => {
                for s in selectors.iter().chain(extend_select) {
                    if s.rules().contains(rule) {
                        best_select = best_select.max(Some(s.specificity()));
                    }
                }
            }
            None => {
                if rule.default_enabled() {
                    best_select = Some(0);
                }
                for s in extend_select {
                    if s.rules().contains(rule) {
                        best_select = best_select.max(Some(s.specificity()));
                    }
                }
            }
        }
        let best_ignore = ignore
            .iter()
            .filter(|s| s.rules().contains(rule))
            .map(RuleSelector::specificity)
            .max();
        let enabled = match (best_select, best_ignore) {
            (Some(sel), Some(ign)) => sel > ign,
            (Some(_), None) => true,
            _ => false,
        };
        if enabled {
            set.insert(rule);
        }
    }
    // A file that does not parse is always reported.
    set.insert(Rule::SyntaxError);
    set
}

/// Python versions asynclint knows about (`py38` .. `py314`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetVersion {
    pub minor: u8,
}

impl TargetVersion {
    pub const PY39: Self = Self { minor: 9 };
    pub const PY310: Self = Self { minor: 10 };
    pub const PY311: Self = Self { minor: 11 };

    pub fn parse(s: &str) -> Option<Self> {
        let minor: u8 = s.strip_prefix("py3")?.parse().ok()?;
        (8..=14).contains(&minor).then_some(Self { minor })
    }
}

impl Default for TargetVersion {
    fn default() -> Self {
        Self::PY39
    }
}

impl fmt::Display for TargetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "3.{}", self.minor)
    }
}

/// How pytest-asyncio collects async tests and fixtures (`asyncio_mode`), for AIO700/AIO701.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AsyncioMode {
    /// pytest-asyncio's default: only marked tests and `@pytest_asyncio.fixture` fixtures run.
    #[default]
    Strict,
    /// Every `async def` test and async fixture is handled without markers.
    Auto,
    /// Strict, but a `conftest.py` loads a plugin that runs coroutine tests and fixtures itself
    /// (aiohttp's pytest plugin, a `pytest_pyfunc_call` hook): markers are not needed either.
    OtherRunner,
}

/// A project's [`AsyncioMode`], worked out the first time a rule asks for it. Finding it
/// reads the pytest configuration and searches the project's top directories for a
/// `conftest.py` that runs coroutine tests; only async tests and fixtures ask, so most runs
/// (and most projects of a run) never pay for the search. Clones share the answer.
#[derive(Clone)]
pub struct ProjectAsyncioMode(std::sync::Arc<std::sync::LazyLock<AsyncioMode, ModeFinder>>);

type ModeFinder = Box<dyn FnOnce() -> AsyncioMode + Send>;

impl ProjectAsyncioMode {
    /// A mode known up front.
    pub fn known(mode: AsyncioMode) -> Self {
        Self::find_with(move || mode)
    }

    /// A mode `find` works out on first use (at most once, whichever thread asks first).
    pub fn find_with(find: impl FnOnce() -> AsyncioMode + Send + 'static) -> Self {
        Self(std::sync::Arc::new(std::sync::LazyLock::new(Box::new(
            find,
        ))))
    }

    pub fn get(&self) -> AsyncioMode {
        **self.0
    }
}

impl Default for ProjectAsyncioMode {
    fn default() -> Self {
        Self::known(AsyncioMode::default())
    }
}

impl fmt::Debug for ProjectAsyncioMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::sync::LazyLock::get(&self.0) {
            Some(mode) => write!(f, "{mode:?}"),
            None => f.write_str("<found on first use>"),
        }
    }
}

/// Everything a rule may read, for one file.
#[derive(Debug, Clone)]
pub struct LinterSettings {
    pub rules: RuleSet,
    pub target_version: TargetVersion,
    /// Extra qualified names that block (`mylib.slow`), reported as AIO111 chains and, when
    /// called directly, with the AIO1xx code that matches the prefix or AIO111.
    pub blocking_calls: Vec<String>,
    /// Qualified names never reported as blocking.
    pub allowed_blocking_calls: Vec<String>,
    /// Functions that legitimately create clients (AIO607/AIO608).
    pub client_factories: Vec<String>,
    /// Top-level module names of the analysed project. Call targets outside them (the
    /// standard library, third-party packages) are dropped in phase 1, which keeps summaries
    /// small. `None`: keep every target.
    pub project_modules: Option<std::sync::Arc<rustc_hash::FxHashSet<String>>>,
    /// The project's pytest-asyncio mode (strict when not configured).
    pub asyncio_mode: ProjectAsyncioMode,
}

impl Default for LinterSettings {
    fn default() -> Self {
        Self {
            rules: resolve_rule_set(None, &[], &[]),
            target_version: TargetVersion::default(),
            blocking_calls: Vec::new(),
            allowed_blocking_calls: Vec::new(),
            client_factories: Vec::new(),
            project_modules: None,
            asyncio_mode: ProjectAsyncioMode::default(),
        }
    }
}

impl LinterSettings {
    pub fn for_rules(rules: impl IntoIterator<Item = Rule>) -> Self {
        let mut set: RuleSet = rules.into_iter().collect();
        set.insert(Rule::SyntaxError);
        Self {
            rules: set,
            ..Self::default()
        }
    }

    /// Is this qualified name silenced by `allowed-blocking-calls`?
    pub fn is_allowed_blocking(&self, qualified: &str) -> bool {
        self.allowed_blocking_calls.iter().any(|a| {
            qualified == a
                || (qualified.starts_with(a.as_str()) && qualified[a.len()..].starts_with('.'))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse() {
        assert_eq!(RuleSelector::parse("ALL"), Ok(RuleSelector::All));
        assert_eq!(
            RuleSelector::parse("AIO1"),
            Ok(RuleSelector::Prefix("AIO1".into()))
        );
        assert_eq!(
            RuleSelector::parse("aio100"),
            Ok(RuleSelector::Prefix("AIO100".into()))
        );
        assert_eq!(
            RuleSelector::parse("dangling-task"),
            Ok(RuleSelector::Name(Rule::DanglingTask))
        );
        assert!(RuleSelector::parse("AIO999").is_err());
        assert!(RuleSelector::parse("E501").is_err());
        assert!(RuleSelector::parse("no-such-rule").is_err());
    }

    #[test]
    fn more_specific_wins() {
        let select = [RuleSelector::Prefix("AIO1".into())];
        let ignore = [RuleSelector::Prefix("AIO".into())];
        let set = resolve_rule_set(Some(&select), &[], &ignore);
        assert!(set.contains(Rule::BlockingSleep));
        let ignore = [RuleSelector::Prefix("AIO100".into())];
        let set = resolve_rule_set(Some(&select), &[], &ignore);
        assert!(!set.contains(Rule::BlockingSleep));
        assert!(set.contains(Rule::BlockingHttpCall));
        assert!(!set.contains(Rule::DanglingTask));
        assert!(set.contains(Rule::SyntaxError));
    }

    #[test]
    fn defaults_and_extend() {
        let set = resolve_rule_set(None, &[], &[]);
        for rule in Rule::ALL {
            assert_eq!(
                set.contains(*rule),
                rule.default_enabled() || *rule == Rule::SyntaxError
            );
        }
    }

    /// The mode is found once, by whichever clone asks first, and not before.
    #[test]
    fn asyncio_mode_found_once_on_first_use() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let searches = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = searches.clone();
        let mode = ProjectAsyncioMode::find_with(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            AsyncioMode::OtherRunner
        });
        let copy = mode.clone();
        assert_eq!(format!("{mode:?}"), "<found on first use>");
        assert_eq!(searches.load(Ordering::SeqCst), 0);
        assert_eq!(copy.get(), AsyncioMode::OtherRunner);
        assert_eq!(mode.get(), AsyncioMode::OtherRunner);
        assert_eq!(searches.load(Ordering::SeqCst), 1);
        assert_eq!(format!("{mode:?}"), "OtherRunner");
    }

    /// Only async tests and async fixtures ask for the mode: other files never pay for the
    /// search (a finder that panics proves it is not called).
    #[test]
    fn asyncio_mode_not_asked_without_async_tests() {
        let settings = LinterSettings {
            asyncio_mode: ProjectAsyncioMode::find_with(|| panic!("the mode was asked for")),
            ..LinterSettings::default()
        };
        let source = "import pytest\n\nasync def handler():\n    pass\n\ndef test_sync():\n    pass\n\n@pytest.fixture\ndef fixture():\n    return 1\n";
        let path = std::path::Path::new("tests/test_app.py");
        let diagnostics = crate::lint_str(path, source, &settings);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let asked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::lint_str(path, "async def test_a():\n    pass\n", &settings)
        }));
        assert!(asked.is_err(), "an async test asks for the mode");
    }
}
