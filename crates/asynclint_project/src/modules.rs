//! File path -> dotted module name.
//!
//! A file inside a regular package (directories with `__init__.py`) is named from the top of
//! its package chain, wherever that sits: `corpus/proj-1.0/src/app/db.py` is `app.db` when
//! `src/app/__init__.py` exists. Files outside packages (top-level modules, namespace packages,
//! tests directories without `__init__.py`) are named from the longest configured import root
//! containing them (`src` entries, the project root, `src/`). Anything else gets a private
//! name nobody can import, so it still resolves its own definitions.

use std::path::{Path, PathBuf};

use asynclint_linter::ModuleInfo;
use rustc_hash::FxHashSet;

#[derive(Debug, Clone, Default)]
pub struct ModuleResolver {
    /// Import roots, longest first.
    roots: Vec<PathBuf>,
    /// Directories that contain an `__init__.py`/`__init__.pyi`.
    package_dirs: FxHashSet<PathBuf>,
    /// Ask the filesystem about `__init__.py` for directories not in `package_dirs`.
    probe_filesystem: bool,
    /// What the filesystem answered, per directory: every file of a directory outside a
    /// package asks about the same one (two failed `stat`s each, 17k files on the corpus).
    probed: std::sync::Arc<std::sync::RwLock<rustc_hash::FxHashMap<PathBuf, bool>>>,
}

impl ModuleResolver {
    /// `project_root` is the directory of the nearest `pyproject.toml` (or the checked
    /// directory); `src` entries are relative to it; a `src/` directory is detected. The
    /// filesystem is probed for `__init__.py` files.
    pub fn new(project_root: &Path, src: &[String]) -> Self {
        let mut roots = vec![project_root.to_path_buf()];
        for entry in src {
            roots.push(project_root.join(entry));
        }
        roots.push(project_root.join("src"));
        Self::from_roots(roots, true)
    }

    /// Roots given explicitly; `probe_filesystem` false means only [`Self::add_files`] tells
    /// which directories are packages.
    pub fn from_roots(mut roots: Vec<PathBuf>, probe_filesystem: bool) -> Self {
        roots.retain(|r| r.is_dir());
        roots.sort_by_key(|r| std::cmp::Reverse(r.components().count()));
        roots.dedup();
        Self {
            roots,
            package_dirs: FxHashSet::default(),
            probe_filesystem,
            probed: Default::default(),
        }
    }

    /// Learn package directories from the list of files being analysed.
    pub fn add_files<'p>(&mut self, files: impl IntoIterator<Item = &'p PathBuf>) {
        for file in files {
            let name = file.file_name().and_then(|n| n.to_str());
            if matches!(name, Some("__init__.py" | "__init__.pyi"))
                && let Some(dir) = file.parent()
            {
                self.package_dirs.insert(dir.to_path_buf());
            }
        }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    fn is_package_dir(&self, dir: &Path) -> bool {
        if self.package_dirs.contains(dir) {
            return true;
        }
        if !self.probe_filesystem {
            return false;
        }
        use std::sync::PoisonError;
        if let Some(&known) = self
            .probed
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(dir)
        {
            return known;
        }
        let found = dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file();
        self.probed
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(dir.to_path_buf(), found);
        found
    }

    pub fn module_info(&self, path: &Path) -> ModuleInfo {
        let info = |parts: Vec<String>, is_package: bool| ModuleInfo {
            path: Some(parts),
            is_package,
            collect_summary: true,
            collect_facts: false,
        };
        // Regular packages: climb while the parent is a package.
        if let Some(dir) = path.parent()
            && self.is_package_dir(dir)
        {
            let mut top = dir;
            while let Some(parent) = top.parent() {
                if !self.is_package_dir(parent) {
                    break;
                }
                top = parent;
            }
            if let Some(base) = top.parent()
                && let Ok(rel) = path.strip_prefix(base)
                && let Some((parts, is_package)) = module_parts(rel)
            {
                return info(parts, is_package);
            }
        }
        for root in &self.roots {
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            if let Some((parts, is_package)) = module_parts(rel) {
                return info(parts, is_package);
            }
        }
        // Outside every root: a private, unique name.
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        info(
            vec![format!("<{}>", path.display()).replace('.', "_"), stem],
            false,
        )
    }
}

fn module_parts(rel: &Path) -> Option<(Vec<String>, bool)> {
    let mut parts: Vec<String> = Vec::new();
    let components: Vec<_> = rel.components().collect();
    let (last, dirs) = components.split_last()?;
    for dir in dirs {
        let s = dir.as_os_str().to_str()?;
        if !is_identifier(s) {
            return None;
        }
        parts.push(s.to_string());
    }
    let file = last.as_os_str().to_str()?;
    let stem = file
        .strip_suffix(".pyi")
        .or_else(|| file.strip_suffix(".py"))?;
    if stem == "__init__" {
        if parts.is_empty() {
            return None;
        }
        return Some((parts, true));
    }
    if !is_identifier(stem) {
        return None;
    }
    parts.push(stem.to_string());
    Some((parts, false))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }

    #[test]
    fn names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("src/app/__init__.py"));
        touch(&root.join("src/app/sub/__init__.py"));
        touch(&root.join("vendor-1.0/lib/pkg/__init__.py"));
        std::fs::create_dir_all(root.join("tests")).unwrap();
        let r = ModuleResolver::new(root, &[]);
        let name = |p: &str| r.module_info(&root.join(p)).path.unwrap().join(".");
        assert_eq!(name("src/app/db.py"), "app.db");
        assert_eq!(name("src/app/sub/x.py"), "app.sub.x");
        assert_eq!(name("src/app/__init__.py"), "app");
        assert!(r.module_info(&root.join("src/app/__init__.py")).is_package);
        assert_eq!(name("tests/test_x.py"), "tests.test_x");
        assert_eq!(name("vendor-1.0/lib/pkg/mod.py"), "pkg.mod");
        assert!(name("my-scripts/run.py").starts_with('<'));
        // A namespace package under a root.
        assert_eq!(name("src/ns/mod.py"), "ns.mod");
    }

    #[test]
    fn package_dirs_from_files() {
        let files = vec![
            PathBuf::from("/x/proj/app/__init__.py"),
            PathBuf::from("/x/proj/app/db.py"),
        ];
        let mut r = ModuleResolver::from_roots(vec![], false);
        r.add_files(&files);
        assert_eq!(
            r.module_info(Path::new("/x/proj/app/db.py"))
                .path
                .unwrap()
                .join("."),
            "app.db"
        );
    }
}
