//! The project index: definitions by path, re-exports, base classes, and the transitive
//! "reaches a blocking call" fact with one shortest witness chain per sync function.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use asynclint_linter::Rule;
use asynclint_linter::project::{
    ChainHop, Definition, FunctionRef, FunctionSummary, ModuleSummary, ProjectFacts, Target,
};
use rustc_hash::FxHashMap;

/// Re-export and base-class chains longer than this are given up (cycles end here too).
const MAX_DEPTH: u8 = 24;

#[derive(Debug, Clone, Copy)]
struct DefLoc {
    module: u32,
    def: u32,
}

/// How a sync function reaches a blocking call: directly (`next = None`) or through a callee.
#[derive(Debug, Clone, Copy)]
struct Reach {
    /// The callee (a def location) the chain continues with, and the call's line.
    next: Option<DefLoc>,
    /// For a direct fact: index into the function's `blocking` list.
    fact: u32,
}

pub struct ProjectIndex {
    summaries: Vec<ModuleSummary>,
    modules: FxHashMap<String, u32>,
    /// `module.qualname` -> definition.
    defs: FxHashMap<String, DefLoc>,
    /// Per sync function with a blocking chain: how it continues.
    reach: FxHashMap<(u32, u32), Reach>,
    cwd: Option<PathBuf>,
    /// Every interned path mentioned by a summary, resolved once (keyed by the `Arc` address:
    /// equal paths share one allocation).
    resolved: FxHashMap<usize, Option<DefLoc>>,
}

impl ProjectIndex {
    pub fn build(summaries: Vec<ModuleSummary>, cwd: Option<PathBuf>) -> Self {
        let mut modules = FxHashMap::default();
        let mut defs = FxHashMap::default();
        for (m, summary) in summaries.iter().enumerate() {
            let Some(module) = &summary.module else {
                continue;
            };
            let m = u32::try_from(m).unwrap_or(u32::MAX);
            // Two files claiming one module name (e.g. `x.py` and `x.pyi`): prefer the source.
            let replace = match modules.get(module) {
                None => true,
                Some(&existing) => {
                    let existing: &ModuleSummary = &summaries[existing as usize];
                    existing.path.extension().is_some_and(|e| e == "pyi")
                }
            };
            if !replace {
                continue;
            }
            modules.insert(module.clone(), m);
            for (d, (name, _)) in summary.definitions.iter().enumerate() {
                defs.insert(
                    format!("{module}.{name}"),
                    DefLoc {
                        module: m,
                        def: u32::try_from(d).unwrap_or(u32::MAX),
                    },
                );
            }
        }
        let mut index = Self {
            summaries,
            modules,
            defs,
            reach: FxHashMap::default(),
            cwd,
            resolved: FxHashMap::default(),
        };
        index.resolve_all_paths();
        index.compute_blocking();
        index
    }

    pub fn summaries(&self) -> &[ModuleSummary] {
        &self.summaries
    }

    /// Does the target name a project definition (function or class)?
    pub fn resolves(&self, target: &Target) -> bool {
        self.resolve_target(target).is_some()
    }

    fn def(&self, loc: DefLoc) -> (&str, &Definition) {
        let (name, def) = &self.summaries[loc.module as usize].definitions[loc.def as usize];
        (name.as_str(), def)
    }

    fn function(&self, loc: DefLoc) -> Option<&FunctionSummary> {
        match self.def(loc).1 {
            Definition::Function(f) => Some(f),
            Definition::Class(_) => None,
        }
    }

    fn full_path(&self, loc: DefLoc) -> String {
        let summary = &self.summaries[loc.module as usize];
        let name = &summary.definitions[loc.def as usize].0;
        format!("{}.{name}", summary.module.as_deref().unwrap_or(""))
    }

    /// Resolve a dotted path to a definition, following re-exports, star imports and base
    /// classes (for methods).
    fn resolve_path(&self, path: &str, depth: u8) -> Option<DefLoc> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(loc) = self.defs.get(path) {
            return Some(*loc);
        }
        let segments: Vec<&str> = path.split('.').collect();
        // The longest prefix that is a project module.
        for split in (1..segments.len()).rev() {
            let module = segments[..split].join(".");
            let Some(&m) = self.modules.get(&module) else {
                continue;
            };
            let rest = &segments[split..];
            return self.resolve_in_module(m, &module, rest, depth);
        }
        None
    }

    fn resolve_in_module(&self, m: u32, module: &str, rest: &[&str], depth: u8) -> Option<DefLoc> {
        // Re-exports and star imports form a graph with cycles and shared sub-paths (trio's
        // `_core` star-imports modules that star-import each other): explore each
        // (module, name) once per top-level resolution, so the search stays linear.
        thread_local! {
            static VISITED: std::cell::RefCell<rustc_hash::FxHashSet<(u32, String)>> =
                std::cell::RefCell::new(rustc_hash::FxHashSet::default());
        }
        if depth == 0 {
            VISITED.with(|v| v.borrow_mut().clear());
        }
        let key = (m, rest.join("."));
        if !VISITED.with(|v| v.borrow_mut().insert(key)) {
            return None;
        }
        self.resolve_in_module_inner(m, module, rest, depth)
    }

    fn resolve_in_module_inner(
        &self,
        m: u32,
        module: &str,
        rest: &[&str],
        depth: u8,
    ) -> Option<DefLoc> {
        let summary = &self.summaries[m as usize];
        let first = rest[0];
        let tail = &rest[1..];
        // A class defined here: look up the method through its bases.
        if let Some(loc) = self.defs.get(&format!("{module}.{first}")).copied() {
            if tail.is_empty() {
                return Some(loc);
            }
            if tail.len() == 1 {
                return self.resolve_method(loc, tail[0], depth + 1);
            }
            return None;
        }
        // A re-export: `from .db import fetch` in `pkg/__init__.py`.
        if let Some((_, target)) = summary.imports.iter().find(|(name, _)| &**name == first) {
            let mut path = target.to_string();
            for part in tail {
                path.push('.');
                path.push_str(part);
            }
            if path == format!("{module}.{}", rest.join(".")) {
                return None;
            }
            return self.resolve_path(&path, depth + 1);
        }
        // `from .x import *`, filtered by the source module's `__all__` when present.
        for star in &summary.star_imports {
            let Some(&sm) = self.modules.get(star) else {
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
        let class_path = self.full_path(class);
        if let Some(loc) = self.defs.get(&format!("{class_path}.{method}")) {
            return Some(*loc);
        }
        let Definition::Class(summary) = self.def(class).1 else {
            return None;
        };
        for base in &summary.bases {
            if let Some(base_loc) = self.resolve_path(base, depth + 1)
                && matches!(self.def(base_loc).1, Definition::Class(_))
                && let Some(found) = self.resolve_method(base_loc, method, depth + 1)
            {
                return Some(found);
            }
        }
        None
    }

    /// Resolve every distinct path of the summaries up front, in parallel.
    fn resolve_all_paths(&mut self) {
        use rayon::prelude::*;
        let mut unique: FxHashMap<usize, &asynclint_linter::project::PathName> =
            FxHashMap::default();
        for summary in &self.summaries {
            for check in &summary.deferred {
                if let Target::Path(p) = &check.target {
                    unique
                        .entry(std::sync::Arc::as_ptr(p).cast::<u8>() as usize)
                        .or_insert(p);
                }
            }
            for (_, def) in &summary.definitions {
                if let Definition::Function(f) = def {
                    for edge in &f.calls {
                        if let Target::Path(p) = &edge.target {
                            unique
                                .entry(std::sync::Arc::as_ptr(p).cast::<u8>() as usize)
                                .or_insert(p);
                        }
                    }
                }
            }
        }
        let entries: Vec<(usize, &asynclint_linter::project::PathName)> =
            unique.into_iter().collect();
        let resolved: FxHashMap<usize, Option<DefLoc>> = entries
            .par_iter()
            .map(|(key, path)| (*key, self.resolve_path(path, 0)))
            .collect();
        self.resolved = resolved;
    }

    fn resolve_target(&self, target: &Target) -> Option<DefLoc> {
        match target {
            Target::Path(path) => {
                let key = std::sync::Arc::as_ptr(path).cast::<u8>() as usize;
                match self.resolved.get(&key) {
                    Some(found) => *found,
                    None => self.resolve_path(path, 0),
                }
            }
            Target::Super(target) => {
                let (class_path, method) = (&*target.class_path, &*target.method);
                let class = self.resolve_path(class_path, 0)?;
                let Definition::Class(summary) = self.def(class).1 else {
                    return None;
                };
                summary.bases.iter().find_map(|base| {
                    let base_loc = self.resolve_path(base, 1)?;
                    self.resolve_method(base_loc, method, 1)
                })
            }
        }
    }

    /// Multi-source BFS over reversed call edges: every sync function gets its shortest chain
    /// to a direct blocking fact. Cycles are harmless (each node is settled once).
    fn compute_blocking(&mut self) {
        let mut callers: FxHashMap<(u32, u32), Vec<DefLoc>> = FxHashMap::default();
        let mut queue: VecDeque<DefLoc> = VecDeque::new();
        let mut reach: FxHashMap<(u32, u32), Reach> = FxHashMap::default();
        for (m, summary) in self.summaries.iter().enumerate() {
            for (d, (_, def)) in summary.definitions.iter().enumerate() {
                let Definition::Function(f) = def else {
                    continue;
                };
                if f.is_async {
                    continue;
                }
                let loc = DefLoc {
                    module: m as u32,
                    def: d as u32,
                };
                if !f.blocking.is_empty() {
                    reach.insert(
                        (loc.module, loc.def),
                        Reach {
                            next: None,
                            fact: 0,
                        },
                    );
                    queue.push_back(loc);
                }
                for edge in &f.calls {
                    let Some(callee) = self.resolve_target(&edge.target) else {
                        continue;
                    };
                    let Some(callee_fn) = self.function(callee) else {
                        continue;
                    };
                    // A generator function's body runs only when the generator is iterated:
                    // `return file_chunks(p)` runs none of it, `list(file_chunks(p))` does.
                    if callee_fn.is_async
                        || callee_fn.opaque_decorator
                        || (callee_fn.is_generator && !edge.iterated)
                    {
                        continue;
                    }
                    callers
                        .entry((callee.module, callee.def))
                        .or_default()
                        .push(loc);
                }
            }
        }
        while let Some(callee) = queue.pop_front() {
            let Some(list) = callers.get(&(callee.module, callee.def)) else {
                continue;
            };
            for caller in list {
                let key = (caller.module, caller.def);
                if reach.contains_key(&key) {
                    continue;
                }
                reach.insert(
                    key,
                    Reach {
                        next: Some(callee),
                        fact: 0,
                    },
                );
                queue.push_back(*caller);
            }
        }
        self.reach = reach;
    }

    fn call_line(&self, caller: DefLoc, callee: DefLoc) -> Option<u32> {
        let f = self.function(caller)?;
        f.calls
            .iter()
            .find(|e| {
                self.resolve_target(&e.target)
                    .is_some_and(|l| l.module == callee.module && l.def == callee.def)
            })
            .map(|e| e.line)
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
        let Definition::Class(summary) = self.def(class).1 else {
            return None;
        };
        if summary.members.iter().any(|m| m == method) {
            return Some(true);
        }
        if summary.opaque {
            return None;
        }
        let mut unknown = false;
        for base in &summary.bases {
            if ROOT_BASES.contains(&base.as_str()) {
                continue;
            }
            match self.resolve_path(base, depth + 1) {
                Some(loc) if matches!(self.def(loc).1, Definition::Class(_)) => {
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
    fn resolve_function(&self, target: &Target) -> Option<FunctionRef<'_>> {
        let loc = self.resolve_target(target)?;
        let summary = self.function(loc)?;
        Some(FunctionRef {
            path: self.full_path(loc),
            module_path: &self.summaries[loc.module as usize].path,
            summary,
        })
    }

    fn blocking_chain(&self, function: &str) -> Option<(Vec<ChainHop>, Rule)> {
        let mut loc = *self.defs.get(function)?;
        let mut hops = Vec::new();
        let mut steps = 0;
        loop {
            let reach = *self.reach.get(&(loc.module, loc.def))?;
            let (name, _) = self.def(loc);
            let f = self.function(loc)?;
            let path = self.summaries[loc.module as usize].path.clone();
            hops.push(ChainHop {
                display: short_name(name),
                path: path.clone(),
                line: f.line,
            });
            match reach.next {
                None => {
                    let fact = f.blocking.get(reach.fact as usize)?;
                    hops.push(ChainHop {
                        display: fact.display.clone(),
                        path,
                        line: fact.line,
                    });
                    return Some((hops, fact.rule));
                }
                Some(next) => {
                    let _ = self.call_line(loc, next);
                    loc = next;
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
        if OBJECT_METHODS.contains(&method) && matches!(self.def(loc).1, Definition::Class(_)) {
            return Some(true);
        }
        self.class_provides(loc, method, 0)
    }

    fn project_handles_signals(&self) -> bool {
        self.summaries.iter().any(|s| s.signal_handling)
    }

    fn only_called_under_main_guard(&self, function: &Target) -> bool {
        let Some(loc) = self.resolve_target(function) else {
            return false;
        };
        let same = |l: DefLoc| l.module == loc.module && l.def == loc.def;
        let resolves_to_it = |t: &Target| self.resolve_target(t).is_some_and(same);
        // Call sites under `__main__` guards are rare: look for those first.
        let main_modules: Vec<usize> = self
            .summaries
            .iter()
            .enumerate()
            .filter(|(_, s)| s.main_guard_calls.iter().any(resolves_to_it))
            .map(|(m, _)| m)
            .collect();
        if main_modules.is_empty() {
            return false;
        }
        for (m, summary) in self.summaries.iter().enumerate() {
            // A module that imports it without calling it under its own guard uses it
            // elsewhere (the defining module's own references were checked in phase 1).
            if m != loc.module as usize
                && !main_modules.contains(&m)
                && summary
                    .imports
                    .iter()
                    .any(|(_, target)| self.resolve_path(target, 0).is_some_and(same))
            {
                return false;
            }
            for (_, definition) in &summary.definitions {
                if let Definition::Function(f) = definition
                    && f.calls.iter().any(|edge| resolves_to_it(&edge.target))
                {
                    return false;
                }
            }
        }
        true
    }

    fn display_path(&self, path: &Path) -> String {
        let shown = match &self.cwd {
            Some(cwd) => path.strip_prefix(cwd).unwrap_or(path),
            None => path,
        };
        shown.to_string_lossy().replace('\\', "/")
    }
}
