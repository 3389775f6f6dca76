use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::error::{ConfigError, line_col};
use crate::options::Options;
use crate::pytest::{PytestConfig, find_pytest_config};
use crate::python_version::{PythonVersion, target_from_requires_python};

/// Configuration file names checked in each directory, in order (Ruff's precedence). A
/// `pyproject.toml` only counts when it has a `[tool.asynclint]` table.
pub const CONFIG_FILE_NAMES: [&str; 3] = [".asynclint.toml", "asynclint.toml", "pyproject.toml"];

/// Files that mark the root of a Python project, nearest directory wins.
const PROJECT_MARKERS: [&str; 3] = ["pyproject.toml", "setup.py", "setup.cfg"];

/// A loaded configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// The file's text; option spans are byte offsets into it.
    pub text: String,
    pub options: Options,
    /// `project.requires-python` from this `pyproject.toml`, or for `asynclint.toml` from the
    /// `pyproject.toml` next to it (as Ruff does for `ruff.toml`).
    pub requires_python: Option<String>,
    /// The pytest configuration seen from the configuration file's directory.
    pub pytest: PytestConfig,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: PyprojectTool,
}

#[derive(Deserialize)]
struct PyprojectTool {
    asynclint: Options,
}

impl ConfigFile {
    /// Loads `.asynclint.toml`, `asynclint.toml` or `pyproject.toml` (recognised by file name;
    /// any other name is read like `asynclint.toml`).
    ///
    /// Returns `Ok(None)` for a `pyproject.toml` without `[tool.asynclint]`; its
    /// `requires-python` is still available through [`read_requires_python`] and its pytest
    /// settings through [`find_pytest_config`].
    pub fn load(path: &Path) -> Result<Option<Self>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError::io(path, err))?;
        let dir = parent_dir(path);
        let (options, requires_python) = if is_pyproject(path) {
            let table = parse_table(path, &text)?;
            let has_section = table
                .get("tool")
                .and_then(toml::Value::as_table)
                .is_some_and(|tool| tool.contains_key("asynclint"));
            if !has_section {
                return Ok(None);
            }
            let pyproject: Pyproject = toml::from_str(&text)
                .map_err(|err| ConfigError::from_toml(path, &text, &err, false))?;
            pyproject.tool.asynclint.validate(path, &text)?;
            (pyproject.tool.asynclint, requires_python_of(&table))
        } else {
            let options = Options::from_toml(path, &text)?;
            // A broken neighbour is not this file's problem: it only loses the fallback.
            let requires_python = read_requires_python(&dir.join("pyproject.toml"))
                .ok()
                .flatten();
            (options, requires_python)
        };
        Ok(Some(Self {
            path: path.to_path_buf(),
            text,
            options,
            requires_python,
            pytest: find_pytest_config(&dir),
        }))
    }

    /// 1-based `(line, column)` of the start of `span` (a byte range into [`ConfigFile::text`],
    /// e.g. from a [`toml::Spanned`] option). Columns count characters.
    pub fn span_location(&self, span: Range<usize>) -> (usize, usize) {
        line_col(&self.text, span.start)
    }

    /// An error at `span` in this file, for problems the caller finds (unknown rule codes).
    pub fn invalid(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::invalid_at(&self.path, &self.text, span, message.into())
    }

    /// The directory of the configuration file: relative paths in it (`src`, `exclude`) are
    /// relative to this directory.
    pub fn root(&self) -> PathBuf {
        parent_dir(&self.path)
    }

    /// `target-version`, else the lower bound of `requires-python`.
    pub fn target_version(&self) -> Option<PythonVersion> {
        self.options.target_version().or_else(|| {
            self.requires_python
                .as_deref()
                .and_then(target_from_requires_python)
        })
    }
}

/// Finds the configuration for `start_dir` (a file's directory, or the file itself): walking up,
/// each directory is checked for `.asynclint.toml`, `asynclint.toml`, then a `pyproject.toml` with
/// `[tool.asynclint]`; the first one found wins and the walk stops there.
///
/// A `pyproject.toml` that is not valid TOML is an error, since it may hold our table. The
/// returned path is absolute.
pub fn find_config(start_dir: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    for dir in absolute_dir(start_dir).ancestors() {
        for name in CONFIG_FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file()
                && let Some(config) = ConfigFile::load(&candidate)?
            {
                return Ok(Some(config));
            }
        }
    }
    Ok(None)
}

/// The nearest directory, from `start` (a file or directory) upwards, containing
/// `pyproject.toml`, `setup.py` or `setup.cfg`. Module names are computed relative to it.
pub fn find_project_root(start: &Path) -> Option<PathBuf> {
    ProjectRootFinder::default().find(start)
}

/// [`find_project_root`] for many directories: each directory on the way up is probed once
/// (a project's thousands of directories share their ancestors).
#[derive(Debug, Default)]
pub struct ProjectRootFinder {
    /// Directory -> the root it belongs to.
    memo: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl ProjectRootFinder {
    /// The nearest directory at or above `start` with a project marker.
    pub fn find(&mut self, start: &Path) -> Option<PathBuf> {
        let start = absolute_dir(start);
        let mut probed: Vec<&Path> = Vec::new();
        let mut found = None;
        for dir in start.ancestors() {
            if let Some(known) = self.memo.get(dir) {
                found = known.clone();
                break;
            }
            probed.push(dir);
            if PROJECT_MARKERS.iter().any(|m| dir.join(m).is_file()) {
                found = Some(dir.to_path_buf());
                break;
            }
        }
        for dir in probed {
            self.memo.insert(dir.to_path_buf(), found.clone());
        }
        found
    }
}

/// `project.requires-python` of a `pyproject.toml`. `Ok(None)` when the file or the key is
/// missing (or the key is not a string).
pub fn read_requires_python(pyproject: &Path) -> Result<Option<String>, ConfigError> {
    let text = match std::fs::read_to_string(pyproject) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(ConfigError::io(pyproject, err)),
    };
    Ok(requires_python_of(&parse_table(pyproject, &text)?))
}

/// The target version, in the order of RULES.md (AIO8xx): the command line, `target-version`
/// in the configuration, `requires-python` of the project's `pyproject.toml` (the one in
/// `project_root`, which may be nearer than the configuration file), `requires-python` next to
/// the configuration file, then [`PythonVersion::default`]. Unreadable files are skipped.
pub fn resolve_target_version(
    cli: Option<PythonVersion>,
    config: Option<&ConfigFile>,
    project_root: Option<&Path>,
) -> PythonVersion {
    cli.or_else(|| config.and_then(|c| c.options.target_version()))
        .or_else(|| {
            let root = project_root?;
            let spec = read_requires_python(&root.join("pyproject.toml")).ok()??;
            target_from_requires_python(&spec)
        })
        .or_else(|| {
            config
                .and_then(|c| c.requires_python.as_deref())
                .and_then(target_from_requires_python)
        })
        .unwrap_or_default()
}

/// Parses `text` as a TOML document; a failure is a [`ConfigError::Parse`].
pub(crate) fn parse_table(path: &Path, text: &str) -> Result<toml::Table, ConfigError> {
    toml::from_str(text).map_err(|err| ConfigError::from_toml(path, text, &err, true))
}

fn requires_python_of(table: &toml::Table) -> Option<String> {
    table
        .get("project")?
        .get("requires-python")?
        .as_str()
        .map(str::to_string)
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == "pyproject.toml")
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `path` made absolute and cleaned of `.`/`..` without touching the file system (so
/// `a/b/..` does not make the walk visit `a/b`), or its directory when it is a file.
pub(crate) fn absolute_dir(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    if clean.is_file() {
        clean.pop();
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memoised finder answers as `find_project_root` does, in any order of questions:
    /// nested projects, directories shared as ancestors, and no project at all.
    #[test]
    fn project_root_finder_matches_find_project_root() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        let dirs = [
            "outer/a/b",
            "outer/inner/c/d",
            "outer/inner",
            "outer",
            "loose/x/y",
        ];
        for d in dirs {
            std::fs::create_dir_all(base.join(d)).unwrap();
        }
        std::fs::write(base.join("outer/pyproject.toml"), "").unwrap();
        std::fs::write(base.join("outer/inner/setup.py"), "").unwrap();
        let mut finder = ProjectRootFinder::default();
        for d in dirs.iter().chain(dirs.iter().rev()) {
            let dir = base.join(d);
            assert_eq!(finder.find(&dir), find_project_root(&dir), "{d}");
        }
        assert_eq!(
            finder.find(&base.join("outer/inner/c/d")),
            Some(base.join("outer/inner"))
        );
        assert_eq!(
            finder.find(&base.join("outer/a/b")),
            Some(base.join("outer"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn absolute_dir_is_lexically_clean() {
        let dir = absolute_dir(Path::new("/a/b/../c/./d"));
        assert_eq!(dir, PathBuf::from("/a/c/d"));
        assert!(absolute_dir(Path::new("relative")).is_absolute());
    }

    #[test]
    fn parent_dir_of_bare_name_is_current_dir() {
        assert_eq!(parent_dir(Path::new("asynclint.toml")), PathBuf::from("."));
        assert_eq!(
            parent_dir(Path::new("x/asynclint.toml")),
            PathBuf::from("x")
        );
    }

    #[test]
    fn requires_python_needs_a_string() {
        let table: toml::Table = toml::from_str("[project]\nrequires-python = 3\n").unwrap();
        assert_eq!(requires_python_of(&table), None);
        let table: toml::Table =
            toml::from_str("[project]\nrequires-python = \">=3.11\"\n").unwrap();
        assert_eq!(requires_python_of(&table).as_deref(), Some(">=3.11"));
    }
}
