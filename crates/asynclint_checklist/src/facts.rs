//! The per-file pattern counts of the linter, summed over the project.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use asynclint_linter::facts::{Fact, FactCount, FileFacts, MAX_EXAMPLES};

use crate::report::Location;

/// One analysed file, as the command hands it over.
#[derive(Debug, Clone)]
pub struct FileInput {
    pub path: PathBuf,
    /// Dotted module name when known (`orders.api`).
    pub module: Option<String>,
    pub facts: FileFacts,
}

/// Which files a count covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Not test files.
    Code,
    Tests,
}

#[derive(Debug, Clone, Default)]
pub struct Total {
    pub code: u64,
    pub tests: u64,
    code_examples: Vec<Location>,
    test_examples: Vec<Location>,
}

impl Total {
    fn add(&mut self, path: &str, is_test: bool, count: &FactCount, keep_all: bool) {
        let (total, examples) = if is_test {
            (&mut self.tests, &mut self.test_examples)
        } else {
            (&mut self.code, &mut self.code_examples)
        };
        *total += u64::from(count.count);
        for example in &count.examples {
            if !keep_all && examples.len() >= MAX_EXAMPLES {
                break;
            }
            examples.push(Location {
                path: path.to_string(),
                line: example.line,
                detail: example.detail.as_deref().map(str::to_string),
            });
        }
    }

    pub fn count(&self, scope: Scope) -> u64 {
        match scope {
            Scope::All => self.code + self.tests,
            Scope::Code => self.code,
            Scope::Tests => self.tests,
        }
    }

    /// Code examples first; at most three unless `all`.
    pub fn examples(&self, scope: Scope, all: bool) -> Vec<Location> {
        let chained: Vec<&Location> = match scope {
            Scope::All => self
                .code_examples
                .iter()
                .chain(&self.test_examples)
                .collect(),
            Scope::Code => self.code_examples.iter().collect(),
            Scope::Tests => self.test_examples.iter().collect(),
        };
        let limit = if all { usize::MAX } else { MAX_EXAMPLES };
        chained.into_iter().take(limit).cloned().collect()
    }
}

/// Project-wide sums.
#[derive(Debug, Default)]
pub struct ProjectFacts {
    totals: Vec<Total>,
    imports: BTreeMap<&'static str, Total>,
    pub files: usize,
    pub test_files: usize,
    /// Dotted names of the analysed modules and their packages.
    pub modules: BTreeSet<String>,
}

impl ProjectFacts {
    /// `files` must be sorted by path (the examples keep that order).
    pub fn new(files: &[FileInput], display: &dyn Fn(&std::path::Path) -> String) -> Self {
        let mut facts = Self {
            totals: vec![Total::default(); Fact::ALL.len()],
            ..Self::default()
        };
        for file in files {
            let path = display(&file.path);
            facts.files += 1;
            if file.facts.is_test {
                facts.test_files += 1;
            }
            if let Some(module) = &file.module {
                let mut prefix = String::new();
                for part in module.split('.') {
                    if !prefix.is_empty() {
                        prefix.push('.');
                    }
                    prefix.push_str(part);
                    facts.modules.insert(prefix.clone());
                }
            }
            for (fact, count) in file.facts.iter() {
                facts.totals[fact as usize].add(
                    &path,
                    file.facts.is_test,
                    count,
                    fact.keeps_all_examples(),
                );
            }
            for (module, count) in &file.facts.imports {
                facts.imports.entry(module).or_default().add(
                    &path,
                    file.facts.is_test,
                    count,
                    false,
                );
            }
        }
        facts
    }

    pub fn get(&self, fact: Fact) -> &Total {
        &self.totals[fact as usize]
    }

    pub fn count(&self, fact: Fact, scope: Scope) -> u64 {
        self.get(fact).count(scope)
    }

    pub fn sum(&self, facts: &[Fact], scope: Scope) -> u64 {
        facts.iter().map(|f| self.count(*f, scope)).sum()
    }

    /// Imports of a tracked module (see `asynclint_linter::facts::TRACKED_MODULES`).
    pub fn import(&self, module: &str) -> Option<&Total> {
        self.imports.get(module)
    }
}
