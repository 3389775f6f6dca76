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
use asynclint_linter::project::ModuleSummary;
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
pub fn phase2(files: Vec<Phase1File>, cwd: Option<&Path>) -> Vec<Diagnostic> {
    let mut summaries = Vec::with_capacity(files.len());
    let mut extras = Vec::with_capacity(files.len());
    for file in files {
        if let Some(summary) = file.summary {
            summaries.push(summary);
            extras.push((file.noqa, file.report, file.source));
        }
    }
    if std::env::var_os("ASYNCLINT_STATS").is_some() {
        let mut defs = 0usize;
        let mut calls = 0usize;
        let mut deferred = 0usize;
        let mut target_bytes = 0usize;
        for s in &summaries {
            defs += s.definitions.len();
            deferred += s.deferred.len();
            for d in &s.deferred {
                if let asynclint_linter::project::Target::Path(p) = &d.target {
                    target_bytes += p.len();
                }
            }
            for (_, d) in &s.definitions {
                if let asynclint_linter::project::Definition::Function(f) = d {
                    calls += f.calls.len();
                    for c in &f.calls {
                        if let asynclint_linter::project::Target::Path(p) = &c.target {
                            target_bytes += p.len();
                        }
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
        let (mut awaited, mut members, mut classes, mut blocking) =
            (0usize, 0usize, 0usize, 0usize);
        for s in &summaries {
            for (_, d) in &s.definitions {
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
            "stats: modules={} defs={defs} calls={calls} deferred={deferred} target_bytes={target_bytes}",
            summaries.len()
        );
        let mut by_rule: std::collections::BTreeMap<&str, usize> =
            std::collections::BTreeMap::new();
        for s in &summaries {
            for d in &s.deferred {
                *by_rule.entry(d.rule.code()).or_default() += 1;
            }
        }
        eprintln!(
            "stats: deferred by rule {by_rule:?}; sizeof DeferredCheck={}",
            std::mem::size_of::<asynclint_linter::project::DeferredCheck>()
        );
    }
    let started = std::time::Instant::now();
    let index = ProjectIndex::build(summaries, cwd.map(Path::to_path_buf));
    if std::env::var_os("ASYNCLINT_STATS").is_some() {
        eprintln!("stats: index built in {:?}", started.elapsed());
    }
    let result: Vec<Diagnostic> = index
        .summaries()
        .par_iter()
        .zip(extras.par_iter())
        .flat_map_iter(|(summary, (noqa, report, source))| {
            let mut out = Vec::new();
            if !*report || summary.deferred.is_empty() {
                return out;
            }
            let mut file: Option<Arc<SourceFile>> = source.clone();
            for check in &summary.deferred {
                if !index.resolves(&check.target) {
                    continue;
                }
                let file = match &file {
                    Some(f) => f.clone(),
                    None => match std::fs::read_to_string(&summary.path) {
                        Ok(text) => {
                            let f = SourceFile::new(summary.path.clone(), text);
                            file = Some(f.clone());
                            f
                        }
                        Err(_) => return out,
                    },
                };
                if let Some(diagnostic) = asynclint_linter::settle(check, &file, &index) {
                    let line = line_of(&file, diagnostic.range.start());
                    if noqa
                        .as_ref()
                        .is_some_and(|n| n.is_suppressed(diagnostic.code, line))
                    {
                        continue;
                    }
                    out.push(diagnostic);
                }
            }
            out
        })
        .collect();
    if std::env::var_os("ASYNCLINT_STATS").is_some() {
        eprintln!("stats: phase 2 done in {:?}", started.elapsed());
    }
    result
}

mod ruff_text_size_shim {
    use asynclint_diagnostics::{SourceFile, TextSize};

    pub fn line_of(file: &SourceFile, offset: TextSize) -> usize {
        file.location(offset).row
    }
}
