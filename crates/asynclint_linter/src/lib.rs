//! The asynclint linter: parse a Python file once, build its semantic model, run the enabled
//! rules, apply `noqa` suppressions.

pub mod checker;
pub mod facts;
pub mod fix;
pub mod importer;
pub mod lines;
pub mod noqa;
pub mod project;
pub mod registry;
pub mod rules;
pub mod semantic;
pub mod settings;
pub mod stats;

use std::path::Path;
use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::PySourceType;
use ruff_python_ast::visitor::Visitor;
use ruff_text_size::Ranged;

pub use registry::{FixAvailability, Rule};
pub use settings::{
    AsyncioMode, LinterSettings, ProjectAsyncioMode, RuleSelector, RuleSet, TargetVersion,
};

/// Where a file sits in its project, for relative imports and the project index.
#[derive(Debug, Clone, Default)]
pub struct ModuleInfo {
    /// Dotted module path (`pkg.sub.mod`; for `pkg/__init__.py`: `pkg`).
    pub path: Option<Vec<String>>,
    pub is_package: bool,
    /// Record a [`project::ModuleSummary`] for the cross-module phase.
    pub collect_summary: bool,
    /// Record the checklist's pattern counts ([`facts::FileFacts`]).
    pub collect_facts: bool,
}

/// The result of checking one file.
#[derive(Debug, Default)]
pub struct FileResult {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Option<project::ModuleSummary>,
    /// The `noqa` directives, kept only when a summary is (phase 2 reports need them).
    pub noqa: Option<noqa::NoqaMap>,
    /// Pattern counts for the checklist, when [`ModuleInfo::collect_facts`] is set.
    pub facts: Option<facts::FileFacts>,
}

/// Check one file's source. Never panics on bad input (the caller also catches panics).
pub fn lint_source(
    path: &Path,
    source: &str,
    settings: &LinterSettings,
    module: &ModuleInfo,
) -> FileResult {
    lint_file(SourceFile::new(path, source), settings, module)
}

/// [`lint_source`] for a file whose text the caller hands over (no copy of it is made).
pub fn lint_file(
    file: std::sync::Arc<SourceFile>,
    settings: &LinterSettings,
    module: &ModuleInfo,
) -> FileResult {
    let (path, source) = (file.path(), file.text());
    let source_type = if path.extension().is_some_and(|e| e == "pyi") {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let parsed = ruff_python_parser::parse_unchecked_source(source, source_type);

    let mut diagnostics = Vec::new();
    let mut summary = None;
    let mut file_facts = None;
    if !parsed.errors().is_empty() {
        for error in parsed.errors() {
            diagnostics.push(rules::syntax::syntax_error::syntax_error(error, &file));
        }
    } else {
        let mut checker = checker::Checker::new(
            &parsed.syntax().body,
            source,
            file.clone(),
            settings,
            module.path.clone(),
            module.is_package,
        );
        if module.collect_summary {
            let base = project::ModuleSummary {
                path: path.to_path_buf(),
                module: module.path.as_ref().map(|p| p.join(".")),
                is_package: module.is_package,
                ..Default::default()
            };
            checker = checker.with_summary(checker::summary::SummaryBuilder::new(base));
        }
        if module.collect_facts {
            checker = checker.with_facts(facts::FactsBuilder::new(path, module.path.as_deref()));
        }
        checker.visit_body(&parsed.syntax().body);
        summary = checker.finish_summary(&parsed.syntax().body);
        file_facts = checker.finish_facts();
        diagnostics = checker.into_diagnostics();
    }

    let has_deferred = summary.as_ref().is_some_and(|s| !s.deferred.is_empty());
    let mut kept_noqa = None;
    if !diagnostics.is_empty() || has_deferred {
        let lines = lines::LineCounter::new(source);
        let noqa = noqa::NoqaMap::from_tokens(parsed.tokens(), source, &lines);
        if !noqa.is_empty() && !diagnostics.is_empty() {
            diagnostics.sort_by(Diagnostic::sort_key_cmp);
            diagnostics.retain(|d| {
                d.code == Rule::SyntaxError.code()
                    || !noqa.is_suppressed(d.code, lines.line(d.range().start()) as usize)
            });
        }
        diagnostics.sort_by(Diagnostic::sort_key_cmp);
        if has_deferred && !noqa.is_empty() {
            kept_noqa = Some(noqa);
        }
    }
    FileResult {
        diagnostics,
        summary,
        noqa: kept_noqa,
        facts: file_facts,
    }
}

/// Phase 2 for one deferred check: the rule that deferred it decides.
pub fn settle(
    check: &project::DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn project::ProjectFacts,
) -> Option<Diagnostic> {
    match check.rule {
        Rule::TransitiveBlockingCall => {
            rules::blocking::transitive_blocking_call::settle(check, file, facts)
        }
        Rule::UnawaitedCoroutine => {
            rules::coroutines::unawaited_coroutine::settle(check, file, facts)
        }
        Rule::CoroutineAssignedNeverAwaited => {
            rules::coroutines::coroutine_assigned_never_awaited::settle(check, file, facts)
        }
        Rule::CoroutineInBooleanContext => {
            rules::coroutines::coroutine_in_boolean_context::settle(check, file, facts)
        }
        Rule::AsyncFunctionReturnsCoroutine => {
            rules::coroutines::async_function_returns_coroutine::settle(check, file, facts)
        }
        Rule::AwaitNonAwaitable => {
            rules::coroutines::await_non_awaitable::settle(check, file, facts)
        }
        Rule::AsyncIterationMismatch => {
            rules::coroutines::async_iteration_mismatch::settle(check, file, facts)
        }
        Rule::UnboundedFanOut => rules::limits::unbounded_fan_out::settle(check, file, facts),
        Rule::SyncWithAsyncContextManager => {
            rules::resources::sync_with_async_context_manager::settle(check, file, facts)
        }
        Rule::AsyncWithSyncContextManager => {
            rules::resources::async_with_sync_context_manager::settle(check, file, facts)
        }
        Rule::AsyncGeneratorNotClosed => {
            rules::resources::async_generator_not_closed::settle(check, file, facts)
        }
        Rule::ClientPerRequest => rules::resources::client_per_request::settle(check, file, facts),
        Rule::ConnectionPerRequest => {
            rules::resources::connection_per_request::settle(check, file, facts)
        }
        Rule::ToThreadWithCoroutineFunction => {
            rules::resources::to_thread_with_coroutine_function::settle(check, file, facts)
        }
        Rule::SyncMockForAsyncFunction => {
            rules::testing::sync_mock_for_async_function::settle(check, file, facts)
        }
        Rule::ServiceWithoutSignalHandling => {
            rules::shutdown::service_without_signal_handling::settle(check, file, facts)
        }
        _ => None,
    }
}

/// Convenience for tests and `--stdin-filename`: lint with no module information.
pub fn lint_str(path: &Path, source: &str, settings: &LinterSettings) -> Vec<Diagnostic> {
    lint_source(path, source, settings, &ModuleInfo::default()).diagnostics
}

pub use asynclint_diagnostics as diagnostics;

#[doc(hidden)]
pub fn _arc_file(path: &Path, text: &str) -> Arc<SourceFile> {
    SourceFile::new(path, text)
}
