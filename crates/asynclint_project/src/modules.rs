//! File path -> dotted module name, from the project roots.

use std::path::{Path, PathBuf};

use asynclint_linter::ModuleInfo;

/// Maps files to module names. Roots are tried longest first, so `src/app/db.py` under the
/// roots `[".", "src"]` is `app.db`, not `src.app.db`.
#[derive(Debug, Clone, Default)]
pub struct ModuleResolver {
    roots: Vec<PathBuf>,
}

impl ModuleResolver {
    /// `project_root` is the directory of the nearest `pyproject.toml` (or the checked
    /// directory); `src` entries are relative to it; a `src/` directory is detected.
    pub fn new(project_root: &Path, src: &[String]) -> Self {
        let mut roots = vec![project_root.to_path_buf()];
        for entry in src {
            let p = project_root.join(entry);
            if p.is_dir() && !roots.contains(&p) {
                roots.push(p);
            }
        }
        let auto_src = project_root.join("src");
        if auto_src.is_dir() && !roots.contains(&auto_src) {
            roots.push(auto_src);
        }
        roots.sort_by_key(|r| std::cmp::Reverse(r.components().count()));
        Self { roots }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The module of `path`, when it lies under a root and every part is an identifier.
    pub fn module_info(&self, path: &Path) -> ModuleInfo {
        for root in &self.roots {
            let Ok(rel) = path.strip_prefix(root) else { continue };
            if let Some((parts, is_package)) = module_parts(rel) {
                return ModuleInfo {
                    path: Some(parts),
                    is_package,
                    collect_summary: true,
                };
            }
        }
        // Outside every root: still summarised under a name nobody can import.
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        ModuleInfo {
            path: Some(vec![format!("<{}>", path.display()), stem]),
            is_package: false,
            collect_summary: true,
        }
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
    let stem = file.strip_suffix(".pyi").or_else(|| file.strip_suffix(".py"))?;
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

    #[test]
    fn names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src/app")).unwrap();
        let r = ModuleResolver::new(dir.path(), &[]);
        let info = r.module_info(&dir.path().join("src/app/db.py"));
        assert_eq!(info.path.unwrap().join("."), "app.db");
        let info = r.module_info(&dir.path().join("src/app/__init__.py"));
        assert_eq!(info.path.unwrap().join("."), "app");
        assert!(info.is_package);
        let info = r.module_info(&dir.path().join("tests/test_x.py"));
        assert_eq!(info.path.unwrap().join("."), "tests.test_x");
        let info = r.module_info(&dir.path().join("my-scripts/run.py"));
        assert!(info.path.unwrap()[0].starts_with('<'));
    }
}
