//! Project-wide analysis: map files to module names, build the [`ProjectIndex`] from the
//! per-module summaries of phase 1, and settle the deferred checks (phase 2).

mod index;
mod modules;

pub use index::ProjectIndex;
pub use modules::ModuleResolver;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use asynclint_linter::noqa::NoqaMap;
use asynclint_linter::project::{ModuleSummary, Target};
use rayon::prelude::*;
use ruff_text_size_shim::line_of;

/// What phase 1 produced for one file, as phase 2 needs it.
pub struct Phase1File {
    pub path: PathBuf,
    pub summary: Option<ModuleSummary>,
    pub noqa: Option<NoqaMap>,
    /// Report phase-2 diagnostics for this file (false for files only indexed for context).
    pub report: bool,
    /// The file's text when phase 1 kept it (it had diagnostics); re-read otherwise.
    pub source: Option<Arc<SourceFile>>,
}

/// Build the index and settle every deferred check. Diagnostics come back unsorted.
pub fn phase2(files: impl IntoIterator<Item = Phase1File>, cwd: Option<&Path>) -> Vec<Diagnostic> {
    let files = files.into_iter();
    // Sized once, for every file (a filtered iterator's lower bound is 0).
    let expected = files.size_hint().1.unwrap_or(files.size_hint().0);
    let mut summaries = Vec::with_capacity(expected);
    let mut extras = Vec::with_capacity(expected);
    for file in files {
        if let Some(summary) = file.summary {
            summaries.push(summary);
            extras.push((file.noqa, file.report, file.source));
        }
    }
    asynclint_linter::stats::mark("summaries handed to phase 2");
    if std::env::var_os("ASYNCLINT_STATS").is_some() {
        print_summary_stats(&summaries);
    }
    asynclint_linter::stats::mark("phase 2 statistics printed");
    let started = std::time::Instant::now();
    let index = ProjectIndex::build(summaries, cwd.map(Path::to_path_buf))
        .with_texts(extras.iter().map(|(_, _, source)| source.clone()));
    if std::env::var_os("ASYNCLINT_STATS").is_some() {
        eprintln!("stats: index built in {:?}", started.elapsed());
        asynclint_linter::stats::mark("index built");
        print_resolution_stats(&index);
    }
    let result: Vec<Diagnostic> = index
        .summaries()
        .par_iter()
        .zip(extras.par_iter())
        .enumerate()
        .flat_map_iter(|(m, (summary, (noqa, report, _)))| {
            if !*report || summary.deferred.is_empty() {
                return Vec::new();
            }
            settle_module(&index, m, summary, noqa.as_ref())
        })
        .collect();
    if std::env::var_os("ASYNCLINT_STATS").is_some() {
        eprintln!("stats: phase 2 done in {:?}", started.elapsed());
        asynclint_linter::stats::mark("deferred checks settled");
    }
    // Freeing every summary takes a while: let another thread do it.
    drop_in_background((index, extras));
    result
}

/// Settle the deferred checks of one module.
///
/// Phase 2 decides from the summaries alone; the source text only renders the messages
/// (snippets are recorded as ranges). So each check is first settled against an empty text,
/// and the file is read (when phase 1 did not keep it) only once a check reports: most files
/// with deferred checks have no finding, and reading them was most of phase 2's time.
fn settle_module(
    index: &ProjectIndex,
    m: usize,
    summary: &ModuleSummary,
    noqa: Option<&NoqaMap>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut empty: Option<Arc<SourceFile>> = None;
    // Phase 1's copy of the text when it kept one; otherwise read once a check reports.
    let mut file: Option<&Arc<SourceFile>> = index.kept_text(m);
    for check in &summary.deferred {
        if !index.resolves(&check.target) {
            continue;
        }
        if file.is_none() {
            let empty = empty.get_or_insert_with(|| SourceFile::new(summary.path.clone(), ""));
            let verdict = asynclint_linter::settle(check, empty, index);
            if verdict.is_none() {
                #[cfg(debug_assertions)]
                if let Ok(text) = std::fs::read_to_string(&summary.path) {
                    let real = SourceFile::new(summary.path.clone(), text);
                    debug_assert!(
                        asynclint_linter::settle(check, &real, index).is_none(),
                        "{}: settling a deferred check must not depend on the source text",
                        check.rule.code()
                    );
                }
                continue;
            }
            match index.text(m) {
                Some(text) => file = Some(text),
                None => return out,
            }
        }
        let Some(file) = file else {
            continue;
        };
        if let Some(diagnostic) = asynclint_linter::settle(check, file, index) {
            let line = line_of(file, diagnostic.range.start());
            if noqa.is_some_and(|n| n.is_suppressed(diagnostic.code, line)) {
                continue;
            }
            out.push(diagnostic);
        }
    }
    out
}

/// Drop `value` on a new, detached thread so the caller goes on at once (when no thread
/// starts, `spawn` drops it here).
fn drop_in_background<T: Send + 'static>(value: T) {
    let _detached = std::thread::Builder::new()
        .name("asynclint-drop".to_string())
        .spawn(move || drop(value));
}

mod ruff_text_size_shim {
    use asynclint_diagnostics::{SourceFile, TextSize};

    pub fn line_of(file: &SourceFile, offset: TextSize) -> usize {
        file.location(offset).row
    }
}

/// `ASYNCLINT_STATS=1`: what phase 1 handed over (counts, and heap bytes by kind).
fn print_summary_stats(summaries: &[ModuleSummary]) {
    let mut defs = 0usize;
    let mut calls = 0usize;
    let mut deferred = 0usize;
    let mut target_bytes = 0usize;
    for s in summaries {
        defs += s.definitions.len();
        deferred += s.deferred.len();
        for d in &s.deferred {
            target_bytes += d.target.as_path().map_or(0, str::len);
        }
        for (_, d) in s.definitions.iter() {
            if let asynclint_linter::project::Definition::Function(f) = d {
                calls += f.calls.len();
                for c in &f.calls {
                    target_bytes += c.target.as_path().map_or(0, str::len);
                }
            }
        }
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status
        .lines()
        .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
    {
        eprintln!("stats: at phase 2 start {line}");
    }
    let (mut awaited, mut members, mut classes, mut blocking) = (0usize, 0usize, 0usize, 0usize);
    for s in summaries {
        for (_, d) in s.definitions.iter() {
            match d {
                asynclint_linter::project::Definition::Function(f) => {
                    awaited += f.awaited_calls.len();
                    blocking += f.blocking.len();
                }
                asynclint_linter::project::Definition::Class(c) => {
                    classes += 1;
                    members += c.members.len();
                }
            }
        }
    }
    eprintln!(
        "stats: awaited_calls={awaited} classes={classes} members={members} blocking={blocking}"
    );
    eprintln!(
        "stats: modules={} defs={defs} calls={calls} deferred={deferred} target_bytes={target_bytes} interned={}",
        summaries.len(),
        Target::count()
    );
    let mut by_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for s in summaries {
        for d in &s.deferred {
            *by_rule.entry(d.rule.code()).or_default() += 1;
        }
    }
    {
        use asynclint_linter::project::*;
        let (mut defs_b, mut fn_b, mut class_b, mut deferred_b, mut imports_b, mut other_b) =
            (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
        for s in summaries {
            defs_b += s.definitions.heap_size();
            for (_, d) in s.definitions.iter() {
                match d {
                    Definition::Function(f) => {
                        fn_b += f.calls.capacity() * std::mem::size_of::<CallEdge>()
                            + f.blocking.capacity() * std::mem::size_of::<BlockingFact>()
                            + f.blocking
                                .iter()
                                .map(|b| b.display.capacity())
                                .sum::<usize>()
                            + f.awaited_calls.capacity() * std::mem::size_of::<Target>();
                    }
                    Definition::Class(c) => {
                        class_b += c.members.heap_size()
                            + c.bases.capacity() * std::mem::size_of::<Target>();
                    }
                }
            }
            deferred_b += s.deferred.capacity() * std::mem::size_of::<DeferredCheck>();
            imports_b += s.imports.heap_size();
            other_b += s.main_guard_calls.capacity() * std::mem::size_of::<Target>()
                + s.star_imports.capacity() * 24
                + s.path.capacity()
                + s.module.as_ref().map_or(0, String::capacity);
        }
        eprintln!(
            "stats: bytes defs={defs_b} fn_extra={fn_b} class_extra={class_b} deferred={deferred_b} imports={imports_b} other={other_b}; sizeof FunctionSummary={} ModuleSummary={} Definition={}",
            std::mem::size_of::<FunctionSummary>(),
            std::mem::size_of::<ModuleSummary>(),
            std::mem::size_of::<Definition>()
        );
    }
    eprintln!(
        "stats: deferred by rule {by_rule:?}; sizeof DeferredCheck={} Target={} DeferredKind={}",
        std::mem::size_of::<asynclint_linter::project::DeferredCheck>(),
        std::mem::size_of::<asynclint_linter::project::Target>(),
        std::mem::size_of::<asynclint_linter::project::DeferredKind>()
    );
}

/// `ASYNCLINT_STATS=1`: per rule, the deferred checks and how many of their targets resolve.
fn print_resolution_stats(index: &ProjectIndex) {
    let mut by_rule: std::collections::BTreeMap<&str, (usize, usize)> =
        std::collections::BTreeMap::new();
    for summary in index.summaries() {
        for check in &summary.deferred {
            let entry = by_rule.entry(check.rule.code()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(index.resolves(&check.target));
        }
    }
    eprintln!("stats: deferred (all, target resolves) by rule {by_rule:?}");
}
