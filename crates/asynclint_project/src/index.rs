//! The project index: definitions by path, re-exports, base classes, and the transitive
//! "reaches a blocking call" fact with one shortest witness chain per sync function.
//!
//! The index is built once over every module summary (tens of thousands on a large project)
//! and queried hundreds of thousands of times while the deferred checks are settled, so:
//! - every distinct path of the deferred checks and call edges is resolved once, in parallel,
//!   while the index is built, into an array indexed by [`Target::index`];
//! - module names are keyed in a [`KeyTable`] (no string per key), and a module's definitions
//!   are found by binary search in its sorted [`Definitions`](asynclint_linter::project::Definitions):
//!   resolving a path allocates nothing in the common case (module prefixes are slices of
//!   the path, `Class.method` names are assembled in a per-thread buffer);
//! - per-definition facts live in arrays indexed by a dense definition number;
//! - what [`ProjectFacts::only_called_under_main_guard`] needs is gathered once, in the passes
//!   over the summaries the index makes anyway, for the functions the deferred checks ask
//!   about.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::collections::hash_map::Entry;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use asynclint_diagnostics::{SourceFile, TextSize};

use asynclint_linter::Rule;
use asynclint_linter::project::{
    ChainHop, DeferredKind, Definition, FunctionRef, FunctionSummary, ModuleSummary, ProjectFacts,
    Target, TargetKind,
};
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

/// Re-export and base-class chains longer than this are given up (cycles end here too).
const MAX_DEPTH: u8 = 24;

/// A definition: `summaries[module].definitions[def]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct DefLoc {
    module: u32,
    def: u32,
}

/// How a definition reaches a blocking call.
#[derive(Debug, Clone, Copy)]
enum Reach {
    /// It does not (or is not a sync function).
    Not,
    /// Directly: its first blocking fact.
    Direct,
    /// Through a call to this function, the next hop of its shortest chain.
    Through(DefLoc),
}

/// Every module summary of the project, and what phase 2 asks of them
/// ([`ProjectFacts`]).
pub struct ProjectIndex {
    summaries: Vec<ModuleSummary>,
    /// Module name -> its summary.
    modules: KeyTable<u32>,
    /// Dense number of each module's first definition: definition `d` of module `m` is
    /// `def_base[m] + d` (see [`Self::dense`]); the last entry is the number of definitions.
    def_base: Vec<u32>,
    /// Per definition (dense number): how it reaches a blocking call.
    reach: Vec<Reach>,
    cwd: Option<PathBuf>,
    /// By [`Target::index`]: every path of a deferred check or a call edge (and of an import
    /// when AIO607/AIO608 need them), resolved once while building (`None` for the targets
    /// not resolved then).
    resolved: Vec<Option<Option<DefLoc>>>,
    /// Their `super().method()` targets: each resolved once, when first asked (they are
    /// costlier, and fewer, than paths).
    resolved_super: FxHashMap<Target, OnceLock<Option<DefLoc>>>,
    /// Some module installs a signal handler.
    handles_signals: bool,
    /// Filled while building when a deferred check asks, else on the first query.
    main_guard: OnceLock<MainGuardFacts>,
    /// By module: its text, for the line numbers messages show (summaries keep offsets).
    /// Phase 1's copy when it kept one (standard input, files with diagnostics), else read
    /// when a message first needs a line of the module.
    texts: Vec<OnceLock<Option<Arc<SourceFile>>>>,
}

/// What [`ProjectFacts::only_called_under_main_guard`] needs.
#[derive(Debug, Default)]
struct MainGuardFacts {
    /// Definition -> the modules calling it under their `__main__` guard (ascending).
    main_callers: FxHashMap<DefLoc, Vec<u32>>,
    /// For the definitions the deferred checks ask about that are called under a guard: are
    /// they called or imported elsewhere? Other definitions are looked up when asked.
    used_elsewhere: FxHashMap<DefLoc, bool>,
}

/// What one pass over the summaries gathers before anything is resolved.
#[derive(Default)]
struct Survey {
    /// The paths of the deferred checks and call edges (with repeats).
    paths: Vec<Target>,
    /// Their `super()` targets (with repeats).
    supers: Vec<Target>,
    /// The targets of the AIO607/AIO608 checks (they ask about `__main__` guards).
    main_guard_questions: Vec<Target>,
}

/// A hash table for keys stored elsewhere (module and definition names): it maps each key's
/// hash to an entry, and a lookup confirms a candidate entry with the caller's key test.
/// Building it allocates no string per key, and its entries are small.
struct KeyTable<E> {
    /// Key hash -> the entry of the first key with that hash.
    first: FxHashMap<u64, E>,
    /// Entries whose key's hash is that of a different first key (practically never used).
    more: FxHashMap<u64, Vec<E>>,
}

impl<E: Copy> KeyTable<E> {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            first: FxHashMap::with_capacity_and_hasher(capacity, Default::default()),
            more: FxHashMap::default(),
        }
    }

    /// The entry of the key with hash `hash` that passes `is_key`.
    fn get(&self, hash: u64, is_key: impl Fn(&E) -> bool) -> Option<E> {
        let entry = self.first.get(&hash)?;
        if is_key(entry) {
            return Some(*entry);
        }
        self.more.get(&hash)?.iter().find(|e| is_key(e)).copied()
    }

    /// Add `entry` for a key with hash `hash`; it replaces the entry of the same key
    /// (`same_key`).
    fn insert(&mut self, hash: u64, entry: E, same_key: impl Fn(&E) -> bool) {
        match self.first.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(entry);
            }
            Entry::Occupied(mut slot) => {
                if same_key(slot.get()) {
                    slot.insert(entry);
                    return;
                }
                let more = self.more.entry(hash).or_default();
                match more.iter_mut().find(|e| same_key(e)) {
                    Some(existing) => *existing = entry,
                    None => more.push(entry),
                }
            }
        }
    }
}

/// The hash [`KeyTable`]s are keyed by.
fn hash_str(s: &str) -> u64 {
    FxBuildHasher.hash_one(s)
}

/// Record a target in the survey.
fn survey_target(survey: &mut Survey, target: Target) {
    if target.is_super() {
        survey.supers.push(target);
    } else {
        survey.paths.push(target);
    }
}

/// The (module, rest of the path) pairs one top-level resolution has explored. Re-exports and
/// star imports form a graph with cycles and shared sub-paths (trio's `_core` star-imports
/// modules that star-import each other): each pair is explored once per resolution, so the
/// search stays linear. The key strings are recycled from one resolution to the next.
#[derive(Default)]
struct Visited {
    seen: FxHashSet<(u32, String)>,
    /// The pair being looked up (its string becomes the set's key when it is new).
    probe: (u32, String),
    /// Key strings of earlier resolutions, to reuse.
    spare: Vec<String>,
}

impl Visited {
    /// Sets that grew larger than this (huge star-import webs) are not kept between
    /// resolutions: clearing costs their capacity.
    const KEEP: usize = 256;

    fn clear(&mut self) {
        if self.seen.is_empty() {
            return;
        }
        let keep = self.seen.capacity() <= Self::KEEP;
        self.spare
            .extend(self.seen.drain().map(|(_, s)| s).take(Self::KEEP));
        if !keep {
            self.seen = FxHashSet::default();
        }
    }

    /// Record `(module, rest)`; false when this resolution has explored it already.
    fn insert(&mut self, module: u32, rest: &str) -> bool {
        self.probe.0 = module;
        self.probe.1.clear();
        self.probe.1.push_str(rest);
        if self.seen.contains(&self.probe) {
            return false;
        }
        let mut fresh = self.spare.pop().unwrap_or_default();
        fresh.clear();
        let key = std::mem::replace(&mut self.probe.1, fresh);
        self.seen.insert((module, key));
        true
    }
}

thread_local! {
    static VISITED: RefCell<Visited> = RefCell::new(Visited::default());
    /// Scratch buffer for the dotted keys looked up in `defs`.
    static KEY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Start a new top-level resolution on this thread.
fn reset_visited() {
    VISITED.with(|v| v.borrow_mut().clear());
}

/// `parts.join(".")` in this thread's scratch buffer, handed to `f`.
fn with_joined<T>(parts: &[&str], f: impl FnOnce(&str) -> T) -> T {
    KEY.with(|key| {
        let mut key = key.borrow_mut();
        key.clear();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('.');
            }
            key.push_str(part);
        }
        f(key.as_str())
    })
}

/// Is `path` exactly `module.rest`?
fn is_joined(path: &str, module: &str, rest: &str) -> bool {
    path.len() == module.len() + 1 + rest.len()
        && path.starts_with(module)
        && path.as_bytes()[module.len()] == b'.'
        && path.ends_with(rest)
}

/// With `ASYNCLINT_STATS` set: how long each step of [`ProjectIndex::build`] took.
struct StepTimer {
    steps: Option<(std::time::Instant, Vec<(&'static str, std::time::Duration)>)>,
}

impl StepTimer {
    fn new() -> Self {
        let on = std::env::var_os("ASYNCLINT_STATS").is_some();
        Self {
            steps: on.then(|| (std::time::Instant::now(), Vec::new())),
        }
    }

    fn step(&mut self, name: &'static str) {
        asynclint_linter::stats::mark(name);
        if let Some((last, steps)) = &mut self.steps {
            steps.push((name, last.elapsed()));
            *last = std::time::Instant::now();
        }
    }

    fn report(&self, paths: usize) {
        if let Some((_, steps)) = &self.steps {
            let steps: Vec<String> = steps
                .iter()
                .map(|(name, took)| format!("{name} {:.1} ms", took.as_secs_f64() * 1000.0))
                .collect();
            eprintln!("stats: index: {} ({paths} paths)", steps.join(", "));
        }
    }
}

/// Add `module` to the ascending list `modules` (visited in ascending order).
fn push_module(modules: &mut Vec<u32>, module: usize) {
    let module = u32::try_from(module).unwrap_or(u32::MAX);
    if modules.last() != Some(&module) {
        modules.push(module);
    }
}

impl ProjectIndex {
    pub fn build(summaries: Vec<ModuleSummary>, cwd: Option<PathBuf>) -> Self {
        let mut timer = StepTimer::new();
        let mut def_base = Vec::with_capacity(summaries.len() + 1);
        let mut total = 0u32;
        for summary in &summaries {
            def_base.push(total);
            total += u32::try_from(summary.definitions.len()).unwrap_or(u32::MAX);
        }
        def_base.push(total);
        let texts = summaries.iter().map(|_| OnceLock::new()).collect();
        let handles_signals = summaries.iter().any(|s| s.signal_handling);
        let mut index = Self {
            summaries,
            modules: KeyTable::with_capacity(0),
            def_base,
            reach: Vec::new(),
            cwd,
            resolved: Vec::new(),
            resolved_super: FxHashMap::default(),
            handles_signals,
            main_guard: OnceLock::new(),
            texts,
        };
        // The names, and the paths to resolve: independent (the sequential parts of one run
        // while the other keeps the second thread busy).
        let (modules, survey) = rayon::join(
            || Self::names(&index.summaries),
            || Self::survey(&index.summaries),
        );
        index.modules = modules;
        timer.step("names and survey");
        // AIO607/AIO608 ask whether their functions are only called under `__main__` guards.
        // Only the ones called there need more ("candidates"): their uses elsewhere, found
        // through call edges (while computing the blocking chains) and imports (resolved with
        // the other paths).
        let asked = !survey.main_guard_questions.is_empty();
        let (main_callers, candidates) = if asked {
            let main_callers = index.main_callers(true);
            let mut candidates: Vec<DefLoc> = survey
                .main_guard_questions
                .iter()
                .filter_map(|t| index.resolve_target(t))
                .filter(|loc| main_callers.contains_key(loc))
                .collect();
            candidates.sort_unstable_by_key(|l| (l.module, l.def));
            candidates.dedup();
            (main_callers, candidates)
        } else {
            Default::default()
        };
        index.resolved_super = survey
            .supers
            .iter()
            .map(|&target| (target, OnceLock::new()))
            .collect();
        timer.step("main-guard callers");
        index.resolved = index.resolve_paths(survey.paths);
        timer.step("paths");
        let candidates: FxHashSet<DefLoc> = candidates.into_iter().collect();
        let (reach, called) = index.compute_blocking(&candidates);
        index.reach = reach;
        timer.step("blocking chains");
        if asked {
            let imported = index.imported_elsewhere(&main_callers, &candidates);
            let used_elsewhere = candidates
                .iter()
                .map(|loc| (*loc, called.contains(loc) || imported.contains(loc)))
                .collect();
            let facts = MainGuardFacts {
                main_callers,
                used_elsewhere,
            };
            let _ = index.main_guard.set(facts);
        }
        timer.step("main-guard uses");
        timer.report(index.resolved.iter().filter(|r| r.is_some()).count());
        index
    }

    pub fn summaries(&self) -> &[ModuleSummary] {
        &self.summaries
    }

    /// The text of module `m`: phase 1's copy, or read from disk once (`None` when it cannot
    /// be read any more).
    pub fn text(&self, m: usize) -> Option<&Arc<SourceFile>> {
        self.texts
            .get(m)?
            .get_or_init(|| {
                let path = &self.summaries[m].path;
                let text = std::fs::read_to_string(path).ok()?;
                Some(SourceFile::new(path.clone(), text))
            })
            .as_ref()
    }

    /// The text of module `m` if it is at hand already (kept by phase 1, or read for a
    /// message): no read.
    pub fn kept_text(&self, m: usize) -> Option<&Arc<SourceFile>> {
        self.texts.get(m)?.get()?.as_ref()
    }

    /// Hand over the texts phase 1 kept, by module (in the order of the summaries): line
    /// numbers in messages come from them rather than from the files on disk (standard input
    /// has no file).
    pub fn with_texts(self, texts: impl IntoIterator<Item = Option<Arc<SourceFile>>>) -> Self {
        for (slot, text) in self.texts.iter().zip(texts) {
            if let Some(text) = text {
                let _ = slot.set(Some(text));
            }
        }
        self
    }

    /// Does the target name a project definition (function or class)?
    pub fn resolves(&self, target: &Target) -> bool {
        self.resolve_target(target).is_some()
    }

    /// The definition at `loc` (without its name: finding the name costs two more reads).
    fn definition(&self, loc: DefLoc) -> &Definition {
        self.summaries[loc.module as usize]
            .definitions
            .definition(loc.def as usize)
    }

    fn def(&self, loc: DefLoc) -> (&str, &Definition) {
        self.summaries[loc.module as usize]
            .definitions
            .get(loc.def as usize)
    }

    fn function(&self, loc: DefLoc) -> Option<&FunctionSummary> {
        match self.definition(loc) {
            Definition::Function(f) => Some(f),
            Definition::Class(_) => None,
        }
    }

    /// The definition's number in `0..` (all definitions of all summaries).
    fn dense(&self, loc: DefLoc) -> usize {
        self.def_base[loc.module as usize] as usize + loc.def as usize
    }

    /// The definition's module name (empty outside every root) and qualname.
    fn qualified(&self, loc: DefLoc) -> (&str, &str) {
        let summary = &self.summaries[loc.module as usize];
        let name = summary.definitions.name(loc.def as usize);
        (summary.module.as_deref().unwrap_or(""), name)
    }

    /// The summary of the module named `name`.
    fn module_named(&self, name: &str) -> Option<u32> {
        self.modules.get(hash_str(name), |&m| {
            self.summaries[m as usize].module.as_deref() == Some(name)
        })
    }

    /// The definition of module `m` named `name` (a module's definitions are sorted by name).
    fn def_in(&self, m: u32, name: &str) -> Option<DefLoc> {
        let def = self.summaries[m as usize].definitions.find(name)?;
        Some(DefLoc {
            module: m,
            def: u32::try_from(def).ok()?,
        })
    }

    /// Resolve a dotted path to a definition, following re-exports, star imports and base
    /// classes (for methods). `depth` 0 starts a new top-level resolution.
    fn resolve_path(&self, path: &str, depth: u8) -> Option<DefLoc> {
        if depth > MAX_DEPTH {
            return None;
        }
        if depth == 0 {
            reset_visited();
        }
        // The longest prefix that is a project module.
        let mut end = path.len();
        while let Some(dot) = path[..end].rfind('.') {
            let module = &path[..dot];
            if let Some(m) = self.module_named(module) {
                return self.resolve_in_module(m, module, &path[dot + 1..], depth);
            }
            end = dot;
        }
        None
    }

    /// Resolve `rest` (one or more dotted segments) inside module `m`, named `module`.
    fn resolve_in_module(&self, m: u32, module: &str, rest: &str, depth: u8) -> Option<DefLoc> {
        // The first pair of a resolution cannot have been explored: not recording it spares
        // most resolutions (a definition found where the path says) any set operation. A
        // cycle back to it explores it once more, and records it then.
        if depth > 0 && !VISITED.with(|v| v.borrow_mut().insert(m, rest)) {
            return None;
        }
        self.resolve_in_module_inner(m, module, rest, depth)
    }

    fn resolve_in_module_inner(
        &self,
        m: u32,
        module: &str,
        rest: &str,
        depth: u8,
    ) -> Option<DefLoc> {
        let summary = &self.summaries[m as usize];
        let (first, tail) = match rest.split_once('.') {
            Some((first, tail)) => (first, Some(tail)),
            None => (rest, None),
        };
        // A class defined here: look up the method through its bases.
        if let Some(loc) = self.def_in(m, first) {
            return match tail {
                None => Some(loc),
                Some(method) if !method.contains('.') => {
                    self.resolve_method(loc, method, depth + 1)
                }
                Some(_) => None,
            };
        }
        // A re-export: `from .db import fetch` in `pkg/__init__.py`.
        if let Some(target) = summary.imports.get(first).and_then(Target::as_path) {
            let path = match tail {
                None => std::borrow::Cow::Borrowed(target),
                Some(tail) => std::borrow::Cow::Owned(format!("{target}.{tail}")),
            };
            if is_joined(&path, module, rest) {
                return None;
            }
            return self.resolve_path(&path, depth + 1);
        }
        // `from .x import *`, filtered by the source module's `__all__` when present.
        for star in &summary.star_imports {
            let Some(sm) = self.module_named(star) else {
                continue;
            };
            let source = &self.summaries[sm as usize];
            let exported = match &source.all {
                Some(all) => all.iter().any(|n| n == first),
                None => !first.starts_with('_'),
            };
            if !exported {
                continue;
            }
            if let Some(loc) = self.resolve_in_module(sm, star, rest, depth + 1) {
                return Some(loc);
            }
        }
        None
    }

    /// `Class.method`, searching base classes depth-first (a simple MRO approximation).
    fn resolve_method(&self, class: DefLoc, method: &str, depth: u8) -> Option<DefLoc> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (_, class_name) = self.qualified(class);
        if let Some(loc) = with_joined(&[class_name, method], |key| self.def_in(class.module, key))
        {
            return Some(loc);
        }
        let Definition::Class(summary) = self.definition(class) else {
            return None;
        };
        for base in summary.bases.iter().filter_map(|b| b.as_path()) {
            if let Some(base_loc) = self.resolve_path(base, depth + 1)
                && matches!(self.definition(base_loc), Definition::Class(_))
                && let Some(found) = self.resolve_method(base_loc, method, depth + 1)
            {
                return Some(found);
            }
        }
        None
    }

    /// The module names. A module's definitions need no table of their own: they are sorted
    /// by name in phase 1.
    fn names(summaries: &[ModuleSummary]) -> KeyTable<u32> {
        let mut modules = KeyTable::with_capacity(summaries.len());
        for (m, summary) in summaries.iter().enumerate() {
            let Some(module) = &summary.module else {
                continue;
            };
            let m = u32::try_from(m).unwrap_or(u32::MAX);
            let hash = hash_str(module);
            let named = |other: &u32| summaries[*other as usize].module.as_ref() == Some(module);
            // Two files claiming one module name (e.g. `x.py` and `x.pyi`): prefer the source.
            let replace = match modules.get(hash, named) {
                None => true,
                Some(existing) => {
                    let existing: &ModuleSummary = &summaries[existing as usize];
                    existing.path.extension().is_some_and(|e| e == "pyi")
                }
            };
            if !replace {
                continue;
            }
            modules.insert(hash, m, named);
        }
        modules
    }

    /// One parallel pass over the summaries: the distinct paths of the deferred checks and
    /// call edges, and the AIO607/AIO608 questions.
    fn survey(summaries: &[ModuleSummary]) -> Survey {
        summaries
            .par_iter()
            .with_min_len(256)
            .fold(Survey::default, |mut survey, summary| {
                for check in &summary.deferred {
                    survey_target(&mut survey, check.target);
                    if matches!(check.kind, DeferredKind::PerRequest { .. }) {
                        survey.main_guard_questions.push(check.target);
                    }
                }
                for (_, def) in summary.definitions.iter() {
                    if let Definition::Function(f) = def {
                        for edge in &f.calls {
                            survey_target(&mut survey, edge.target);
                        }
                    }
                }
                survey
            })
            .reduce(Survey::default, |mut left, mut right| {
                if left.paths.len() < right.paths.len() {
                    std::mem::swap(&mut left.paths, &mut right.paths);
                }
                left.paths.extend(right.paths);
                left.supers.extend(right.supers);
                left.main_guard_questions.extend(right.main_guard_questions);
                left
            })
    }

    /// Resolve the distinct `paths` in parallel, into a table by [`Target::index`].
    fn resolve_paths(&self, mut paths: Vec<Target>) -> Vec<Option<Option<DefLoc>>> {
        // In interning order, about the order phase 1 met them: paths of one file, resolved
        // one after the other, touch the same summaries (much faster than at random).
        // Most paths are asked about many times: drop the repeats first (handles are dense,
        // so a flag per handle does it in one pass), then sort the few that are left.
        let mut seen = vec![false; Target::count()];
        paths.retain(|target| {
            seen.get_mut(target.index())
                .is_some_and(|seen| !std::mem::replace(seen, true))
        });
        paths.par_sort_unstable();
        let found: Vec<Option<DefLoc>> = paths
            .par_iter()
            .map(|target| self.resolve_path(target.as_path().unwrap_or_default(), 0))
            .collect();
        let mut resolved = vec![None; Target::count()];
        for (target, found) in paths.iter().zip(found) {
            if let Some(slot) = resolved.get_mut(target.index()) {
                *slot = Some(found);
            }
        }
        resolved
    }

    fn resolve_target(&self, target: &Target) -> Option<DefLoc> {
        // The paths resolved while building (most of those asked about).
        if let Some(Some(found)) = self.resolved.get(target.index()) {
            return *found;
        }
        match target.kind() {
            TargetKind::Path(path) => self.resolve_path(path, 0),
            TargetKind::Super { class_path, method } => match self.resolved_super.get(target) {
                Some(slot) => *slot.get_or_init(|| self.resolve_super(class_path, method)),
                None => self.resolve_super(class_path, method),
            },
        }
    }

    /// `super().method()` in a class: `method` looked up in the class's bases only.
    fn resolve_super(&self, class_path: &str, method: &str) -> Option<DefLoc> {
        let class = self.resolve_path(class_path, 0)?;
        let Definition::Class(summary) = self.definition(class) else {
            return None;
        };
        summary
            .bases
            .iter()
            .filter_map(|b| b.as_path())
            .find_map(|base| {
                let base_loc = self.resolve_path(base, 1)?;
                self.resolve_method(base_loc, method, 1)
            })
    }

    /// Multi-source BFS over reversed call edges: every sync function gets its shortest chain
    /// to a direct blocking fact. Cycles are harmless (each node is settled once). The edges
    /// are resolved in parallel; the search visits them in module, definition, edge order.
    /// Also returns the `candidates` some call edge resolves to.
    fn compute_blocking(&self, candidates: &FxHashSet<DefLoc>) -> (Vec<Reach>, FxHashSet<DefLoc>) {
        /// One module's part: sync functions with a direct blocking fact, (callee, caller)
        /// edges whose callee's body runs in the call, and the candidates called.
        #[derive(Default)]
        struct Part {
            direct: Vec<DefLoc>,
            edges: Vec<(DefLoc, DefLoc)>,
            called: Vec<DefLoc>,
        }
        let parts: Vec<Part> = self
            .summaries
            .par_iter()
            .enumerate()
            .map(|(m, summary)| {
                let mut part = Part::default();
                for (d, (_, def)) in summary.definitions.iter().enumerate() {
                    let Definition::Function(f) = def else {
                        continue;
                    };
                    let loc = DefLoc {
                        module: m as u32,
                        def: d as u32,
                    };
                    if !f.is_async && !f.blocking.is_empty() {
                        part.direct.push(loc);
                    }
                    for edge in &f.calls {
                        let Some(callee) = self.resolve_target(&edge.target) else {
                            continue;
                        };
                        if !candidates.is_empty() && candidates.contains(&callee) {
                            part.called.push(callee);
                        }
                        if f.is_async {
                            continue;
                        }
                        let Some(callee_fn) = self.function(callee) else {
                            continue;
                        };
                        // A generator function's body runs only when the generator is
                        // iterated: `return file_chunks(p)` runs none of it,
                        // `list(file_chunks(p))` does.
                        if callee_fn.is_async
                            || callee_fn.opaque_decorator
                            || (callee_fn.is_generator && !edge.iterated)
                        {
                            continue;
                        }
                        part.edges.push((callee, loc));
                    }
                }
                part
            })
            .collect();
        let total = self.def_base.last().map_or(0, |&n| n as usize);
        // Callers grouped by callee, in edge order: `callers[start[c]..start[c + 1]]`.
        let mut start = vec![0u32; total + 1];
        for part in &parts {
            for (callee, _) in &part.edges {
                start[self.dense(*callee) + 1] += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut callers = vec![DefLoc { module: 0, def: 0 }; start[total] as usize];
        let mut reach = vec![Reach::Not; total];
        let mut queue: VecDeque<DefLoc> = VecDeque::new();
        let mut called = FxHashSet::default();
        for part in &parts {
            for &loc in &part.direct {
                reach[self.dense(loc)] = Reach::Direct;
                queue.push_back(loc);
            }
            // `start[c]` serves as callee `c`'s cursor: it ends at `c + 1`'s start.
            for &(callee, caller) in &part.edges {
                let slot = &mut start[self.dense(callee)];
                callers[*slot as usize] = caller;
                *slot += 1;
            }
            called.extend(part.called.iter().copied());
        }
        start.copy_within(..total, 1);
        start[0] = 0;
        while let Some(callee) = queue.pop_front() {
            let c = self.dense(callee);
            for &caller in &callers[start[c] as usize..start[c + 1] as usize] {
                let slot = &mut reach[self.dense(caller)];
                if matches!(slot, Reach::Not) {
                    *slot = Reach::Through(callee);
                    queue.push_back(caller);
                }
            }
        }
        (reach, called)
    }

    /// The definitions called under `__main__` guards, with the calling modules.
    fn main_callers(&self, parallel: bool) -> FxHashMap<DefLoc, Vec<u32>> {
        let under_main = |summary: &ModuleSummary| -> Vec<DefLoc> {
            summary
                .main_guard_calls
                .iter()
                .filter_map(|t| self.resolve_target(t))
                .collect()
        };
        // Not in parallel inside a `OnceLock` initialiser: a rayon worker waiting there could
        // pick up a job that waits on the same lock.
        let per_module: Vec<Vec<DefLoc>> = if parallel {
            self.summaries.par_iter().map(under_main).collect()
        } else {
            self.summaries.iter().map(under_main).collect()
        };
        let mut main_callers: FxHashMap<DefLoc, Vec<u32>> = FxHashMap::default();
        for (m, locs) in per_module.into_iter().enumerate() {
            for loc in locs {
                push_module(main_callers.entry(loc).or_default(), m);
            }
        }
        main_callers
    }

    /// The `candidates` imported (module-level imports) by a module other than the defining
    /// one and those calling them under their `__main__` guard. Only the imports whose target
    /// ends in a candidate's name, or a name one is re-exported under, are resolved.
    fn imported_elsewhere(
        &self,
        main_callers: &FxHashMap<DefLoc, Vec<u32>>,
        candidates: &FxHashSet<DefLoc>,
    ) -> FxHashSet<DefLoc> {
        if candidates.is_empty() {
            return FxHashSet::default();
        }
        let names = self.import_names(candidates.iter().copied());
        let names = names.as_slice();
        self.summaries
            .par_iter()
            .enumerate()
            .flat_map_iter(|(m, summary)| {
                summary
                    .imports
                    .ending_in(names)
                    .filter_map(|target| self.resolve_target(&target))
                    .filter(move |loc| {
                        candidates.contains(loc)
                            && m != loc.module as usize
                            && main_callers
                                .get(loc)
                                .is_none_or(|mains| mains.binary_search(&(m as u32)).is_err())
                    })
            })
            .collect()
    }

    /// The names an import of one of `defs` can end in: their own, and every name a module
    /// re-exports one of those under (`from .cli import main as run`), transitively. (Methods
    /// cannot be imported.)
    fn import_names(&self, defs: impl Iterator<Item = DefLoc>) -> Vec<&str> {
        let mut names: Vec<&str> = defs
            .map(|loc| self.qualified(loc).1)
            .filter(|name| !name.contains('.'))
            .collect();
        loop {
            let known = names.len();
            for summary in &self.summaries {
                for (name, last) in summary.imports.renamings() {
                    if names.contains(&last) && !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            if names.len() == known {
                return names;
            }
        }
    }

    /// Is `loc` (called under the `__main__` guards of `main_modules`) called by a summarised
    /// function anywhere, or imported by a module other than its own and `main_modules`? The
    /// whole project is scanned: for definitions no deferred check asked about while building.
    fn used_elsewhere(&self, loc: DefLoc, main_modules: &[u32]) -> bool {
        let resolve = |target: &Target| self.resolve_target(target);
        let names = self.import_names(std::iter::once(loc));
        self.summaries.iter().enumerate().any(|(m, summary)| {
            let imported = m != loc.module as usize
                && main_modules.binary_search(&(m as u32)).is_err()
                && summary
                    .imports
                    .ending_in(&names)
                    .any(|target| resolve(&target) == Some(loc));
            imported
                || summary.definitions.iter().any(|(_, def)| {
                    matches!(def, Definition::Function(f)
                        if f.calls.iter().any(|e| self.resolve_target(&e.target) == Some(loc)))
                })
        })
    }
}

/// Base classes that add no methods beyond `object`'s.
const ROOT_BASES: &[&str] = &[
    "builtins.object",
    "abc.ABC",
    "typing.Generic",
    "typing.Protocol",
    "typing_extensions.Generic",
    "typing_extensions.Protocol",
];

impl ProjectIndex {
    /// `Some(true)` when the class or a base binds `method`; `None` when a base or decorator
    /// outside the project could provide it.
    fn class_provides(&self, class: DefLoc, method: &str, depth: u8) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let Definition::Class(summary) = self.definition(class) else {
            return None;
        };
        if summary.members.contains(method) {
            return Some(true);
        }
        if summary.opaque {
            return None;
        }
        let mut unknown = false;
        for base in &summary.bases {
            let Some(base) = base.as_path() else {
                unknown = true;
                continue;
            };
            if ROOT_BASES.contains(&base) {
                continue;
            }
            match self.resolve_path(base, depth + 1) {
                Some(loc) if matches!(self.definition(loc), Definition::Class(_)) => {
                    match self.class_provides(loc, method, depth + 1) {
                        Some(true) => return Some(true),
                        Some(false) => {}
                        None => unknown = true,
                    }
                }
                _ => unknown = true,
            }
        }
        if unknown { None } else { Some(false) }
    }
}

fn short_name(qualname: &str) -> String {
    format!("{qualname}()")
}

impl ProjectFacts for ProjectIndex {
    fn line(&self, module_index: u32, offset: u32) -> u32 {
        self.text(module_index as usize).map_or(0, |file| {
            u32::try_from(file.location(TextSize::from(offset)).row).unwrap_or(u32::MAX)
        })
    }

    fn resolve_function(&self, target: &Target) -> Option<FunctionRef<'_>> {
        let loc = self.resolve_target(target)?;
        let summary = self.function(loc)?;
        let module = &self.summaries[loc.module as usize];
        Some(FunctionRef {
            module: module.module.as_deref().unwrap_or(""),
            module_index: loc.module,
            definitions: &module.definitions,
            def: loc.def,
            module_path: &module.path,
            summary,
        })
    }

    fn blocking_chain(&self, function: &FunctionRef<'_>) -> Option<(Vec<ChainHop>, Rule)> {
        let mut loc = DefLoc {
            module: function.module_index,
            def: function.def,
        };
        let mut hops = Vec::new();
        let mut steps = 0;
        loop {
            let reach = self.reach[self.dense(loc)];
            if matches!(reach, Reach::Not) {
                return None;
            }
            let (name, _) = self.def(loc);
            let f = self.function(loc)?;
            let path = self.summaries[loc.module as usize].path.clone();
            hops.push(ChainHop {
                display: short_name(name),
                path: path.clone(),
                line: self.line(loc.module, f.offset),
            });
            match reach {
                Reach::Through(next) => loc = next,
                _ => {
                    let fact = f.blocking.first()?;
                    hops.push(ChainHop {
                        display: fact.display.clone(),
                        path,
                        line: self.line(loc.module, fact.offset),
                    });
                    return Some((hops, fact.rule));
                }
            }
            steps += 1;
            if steps > 10_000 {
                return None;
            }
        }
    }

    fn class_has_method(&self, class: &Target, method: &str) -> Option<bool> {
        let loc = self.resolve_target(class)?;
        // Every class inherits `object`'s methods.
        const OBJECT_METHODS: &[&str] = &[
            "__init__", "__new__", "__repr__", "__str__", "__eq__", "__ne__", "__hash__",
        ];
        if OBJECT_METHODS.contains(&method) && matches!(self.definition(loc), Definition::Class(_))
        {
            return Some(true);
        }
        // The walk through the bases is one resolution.
        reset_visited();
        self.class_provides(loc, method, 0)
    }

    fn project_handles_signals(&self) -> bool {
        self.handles_signals
    }

    fn only_called_under_main_guard(&self, function: &Target) -> bool {
        let Some(loc) = self.resolve_target(function) else {
            return false;
        };
        let facts = self.main_guard.get_or_init(|| MainGuardFacts {
            main_callers: self.main_callers(false),
            used_elsewhere: FxHashMap::default(),
        });
        // Call sites under `__main__` guards are rare: look for those first.
        let Some(main_modules) = facts.main_callers.get(&loc) else {
            return false;
        };
        // A known call site or an import elsewhere (the defining module's own references were
        // checked in phase 1).
        let used = match facts.used_elsewhere.get(&loc) {
            Some(&used) => used,
            None => self.used_elsewhere(loc, main_modules),
        };
        !used
    }

    fn display_path(&self, path: &Path) -> String {
        let shown = match &self.cwd {
            Some(cwd) => path.strip_prefix(cwd).unwrap_or(path),
            None => path,
        };
        shown.to_string_lossy().replace('\\', "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asynclint_linter::{LinterSettings, ModuleInfo, lint_source};

    #[test]
    fn key_table_colliding_hashes() {
        // The keys are the strings of `keys`; all get the same hash.
        let keys = ["a", "b", "c", "b"];
        let mut table: KeyTable<usize> = KeyTable::with_capacity(4);
        for i in 0..keys.len() {
            table.insert(7, i, |&other| keys[other] == keys[i]);
        }
        assert_eq!(table.get(7, |&e| keys[e] == "a"), Some(0));
        // The second `b` replaced the first.
        assert_eq!(table.get(7, |&e| keys[e] == "b"), Some(3));
        assert_eq!(table.get(7, |&e| keys[e] == "c"), Some(2));
        assert_eq!(table.get(7, |&e| keys[e] == "d"), None);
        assert_eq!(table.get(8, |_| true), None);
        assert_eq!(table.more.get(&7).map(Vec::len), Some(2));
    }

    /// Phase 1 over `(module, source)` pairs (`pkg` for `pkg/__init__.py`).
    fn summaries(modules: &[(&str, &str)]) -> Vec<ModuleSummary> {
        let settings = LinterSettings::for_rules([Rule::ClientPerRequest]);
        modules
            .iter()
            .map(|(module, source)| {
                let parts: Vec<String> = module.split('.').map(str::to_string).collect();
                let is_package = *module == "app";
                let path = if is_package {
                    PathBuf::from("app/__init__.py")
                } else {
                    PathBuf::from(format!("{}.py", parts.join("/")))
                };
                let info = ModuleInfo {
                    path: Some(parts),
                    is_package,
                    collect_summary: true,
                    collect_facts: false,
                };
                lint_source(&path, source, &settings, &info)
                    .summary
                    .expect("summary")
            })
            .collect()
    }

    /// Definitions are looked up by binary search in their module's sorted list: methods,
    /// names sharing a prefix, a submodule over a same-named class of its package, and
    /// names bound twice (left out).
    #[test]
    fn definitions_by_module_and_name() {
        let modules = [
            (
                "app",
                "class sub:\n    def m(self): ...\n\ndef f(): ...\n\ndef twice(): ...\n\ndef twice(): ...\n",
            ),
            ("app.sub", "def g(): ...\n"),
            (
                "app.other",
                "class K:\n    def m(self): ...\n    def z(self): ...\n\nclass K2(K): ...\n\nclass Ka: ...\n",
            ),
        ];
        let index = ProjectIndex::build(summaries(&modules), None);
        let name_of = |path: &str| {
            let loc = index.resolve_target(&Target::path(path))?;
            let (module, name) = index.qualified(loc);
            Some(format!("{module}:{name}"))
        };
        assert_eq!(name_of("app.f").as_deref(), Some("app:f"));
        assert_eq!(name_of("app.sub.g").as_deref(), Some("app.sub:g"));
        // The submodule `app.sub` hides the class `app.sub` for longer paths.
        assert_eq!(name_of("app.sub.m"), None);
        assert_eq!(name_of("app.other.K.m").as_deref(), Some("app.other:K.m"));
        assert_eq!(name_of("app.other.K.z").as_deref(), Some("app.other:K.z"));
        assert_eq!(name_of("app.other.K2.z").as_deref(), Some("app.other:K.z"));
        assert_eq!(name_of("app.other.Ka").as_deref(), Some("app.other:Ka"));
        assert_eq!(name_of("app.other.K.missing"), None);
        assert_eq!(name_of("app.twice"), None);
        for summary in index.summaries() {
            let names: Vec<&str> = summary.definitions.iter().map(|(n, _)| n).collect();
            assert!(names.is_sorted(), "{names:?}");
        }
    }

    /// AIO607/AIO608's question, answered while building (the deferred checks ask it) and
    /// on demand (they do not): the same answers.
    #[test]
    fn only_called_under_main_guard() {
        const CLIENT: &str =
            "    async with httpx.AsyncClient() as client:\n        return await client.get(url)\n";
        let api = [
            "fetch_script",
            "fetch_shared",
            "fetch_called",
            "fetch_renamed",
            "unguarded",
        ]
        .iter()
        .map(|name| format!("async def {name}(url):\n{CLIENT}\n"))
        .collect::<String>();
        let api = format!("import httpx\n\n{api}");
        let modules = [
            ("app.api", api.as_str()),
            ("app", "from .api import fetch_renamed as get\n"),
            (
                "app.jobs",
                "import app.api\n\ndef job():\n    return app.api.fetch_called('x')\n",
            ),
            (
                "scripts.cli",
                "import asyncio\nimport app\nfrom app.api import fetch_script, fetch_shared, fetch_called\n\n\
                 if __name__ == '__main__':\n    asyncio.run(fetch_script('x'))\n    \
                 asyncio.run(fetch_shared('x'))\n    asyncio.run(fetch_called('x'))\n    \
                 asyncio.run(app.get('x'))\n",
            ),
            (
                "app.views",
                "from app.api import fetch_shared\nfrom app import get\n",
            ),
        ];
        let expected = [
            ("fetch_script", true),
            ("fetch_shared", false),
            ("fetch_called", false),
            ("fetch_renamed", false),
            ("unguarded", false),
            ("missing", false),
        ];
        let asked = summaries(&modules)
            .iter()
            .flat_map(|s| &s.deferred)
            .filter(|c| matches!(c.kind, DeferredKind::PerRequest { .. }))
            .count();
        assert_eq!(asked, 5, "every client function is asked about");
        for while_building in [true, false] {
            let mut summaries = summaries(&modules);
            if !while_building {
                for summary in &mut summaries {
                    summary.deferred.clear();
                }
            }
            let index = ProjectIndex::build(summaries, None);
            assert_eq!(index.main_guard.get().is_some(), while_building);
            for (name, only_main) in expected {
                let target = Target::path(format!("app.api.{name}"));
                assert_eq!(
                    index.only_called_under_main_guard(&target),
                    only_main,
                    "{name} (while building: {while_building})"
                );
            }
        }
    }
}
