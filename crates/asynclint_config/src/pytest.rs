use std::path::{Path, PathBuf};

use crate::config_file::absolute_dir;
use crate::ini::Ini;

/// The pytest-asyncio settings of the project (AIO700, AIO701).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PytestConfig {
    /// `asyncio_mode`, or `--asyncio-mode` in `addopts` (which wins, as the command line does).
    /// Verbatim: `"strict"`, `"auto"`, or whatever the user wrote. `None` means strict, the
    /// pytest-asyncio default.
    pub asyncio_mode: Option<String>,
    pub asyncio_default_fixture_loop_scope: Option<String>,
    /// The file pytest would use as its configuration, even if it sets nothing above.
    pub source: Option<PathBuf>,
}

impl PytestConfig {
    /// Whether pytest-asyncio runs in auto mode (async tests and fixtures need no marker).
    pub fn is_auto_mode(&self) -> bool {
        self.asyncio_mode.as_deref() == Some("auto")
    }
}

/// Files pytest (9) accepts as configuration, in its order of precedence within a directory.
const CANDIDATES: [(&str, Kind); 7] = [
    ("pytest.toml", Kind::PytestToml),
    (".pytest.toml", Kind::PytestToml),
    ("pytest.ini", Kind::PytestIni),
    (".pytest.ini", Kind::PytestIni),
    ("pyproject.toml", Kind::Pyproject),
    ("tox.ini", Kind::Ini("pytest")),
    ("setup.cfg", Kind::Ini("tool:pytest")),
];

#[derive(Clone, Copy)]
enum Kind {
    /// `[pytest]` with native TOML values; the file counts even without it.
    PytestToml,
    /// `[pytest]`; the file counts even without it.
    PytestIni,
    /// `[tool.pytest.ini_options]` or (pytest 9) `[tool.pytest]`; counts only with one of them.
    Pyproject,
    /// An INI file that counts only with this section.
    Ini(&'static str),
}

/// Reads the pytest configuration the way pytest locates it: from `project_root` upwards, the
/// first directory holding a qualifying file decides, and within a directory `pytest.toml`,
/// `.pytest.toml`, `pytest.ini`, `.pytest.ini`, `pyproject.toml` (`[tool.pytest.ini_options]` or
/// `[tool.pytest]`), `tox.ini` (`[pytest]`), `setup.cfg` (`[tool:pytest]`) are tried in that
/// order.
///
/// Never fails: a file that cannot be read or parsed (pytest would refuse to start) gives the
/// default configuration, so the linter falls back to strict mode.
pub fn find_pytest_config(project_root: &Path) -> PytestConfig {
    for dir in absolute_dir(project_root).ancestors() {
        for (name, kind) in CANDIDATES {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                return PytestConfig::default();
            };
            match read_candidate(&text, kind) {
                Ok(Some(settings)) => return settings.into_config(path),
                Ok(None) => {}
                Err(Broken) => return PytestConfig::default(),
            }
        }
    }
    PytestConfig::default()
}

struct Broken;

/// The raw values of the settings we care about.
#[derive(Default)]
struct Settings {
    asyncio_mode: Option<String>,
    loop_scope: Option<String>,
    addopts: Vec<String>,
}

impl Settings {
    fn into_config(self, source: PathBuf) -> PytestConfig {
        let from_addopts = asyncio_mode_in_args(&self.addopts);
        PytestConfig {
            asyncio_mode: from_addopts.or(self.asyncio_mode),
            asyncio_default_fixture_loop_scope: self.loop_scope,
            source: Some(source),
        }
    }

    fn from_ini(ini: &Ini, section: &str) -> Self {
        let get = |key| ini.get(section, key).map(str::to_string);
        Self {
            asyncio_mode: get("asyncio_mode"),
            loop_scope: get("asyncio_default_fixture_loop_scope"),
            addopts: ini
                .get(section, "addopts")
                .map(split_args)
                .unwrap_or_default(),
        }
    }

    /// Later tables override earlier ones key by key.
    fn from_toml_tables<'a>(tables: impl IntoIterator<Item = &'a toml::Table>) -> Self {
        let mut settings = Self::default();
        for table in tables {
            let get = |key| {
                table
                    .get(key)
                    .and_then(toml::Value::as_str)
                    .map(str::to_string)
            };
            if let Some(mode) = get("asyncio_mode") {
                settings.asyncio_mode = Some(mode);
            }
            if let Some(scope) = get("asyncio_default_fixture_loop_scope") {
                settings.loop_scope = Some(scope);
            }
            match table.get("addopts") {
                Some(toml::Value::String(s)) => settings.addopts = split_args(s),
                // Each list item is one argument; pytest does not split them further.
                Some(toml::Value::Array(items)) => {
                    settings.addopts = items
                        .iter()
                        .filter_map(toml::Value::as_str)
                        .map(str::to_string)
                        .collect();
                }
                _ => {}
            }
        }
        settings
    }
}

/// `Ok(None)` when the file does not count as pytest configuration.
fn read_candidate(text: &str, kind: Kind) -> Result<Option<Settings>, Broken> {
    match kind {
        Kind::PytestToml => {
            let doc: toml::Table = toml::from_str(text).map_err(|_| Broken)?;
            let table = doc.get("pytest").and_then(toml::Value::as_table);
            Ok(Some(Settings::from_toml_tables(table)))
        }
        Kind::PytestIni => {
            let ini = Ini::parse(text).map_err(|_| Broken)?;
            Ok(Some(Settings::from_ini(&ini, "pytest")))
        }
        Kind::Pyproject => {
            let doc: toml::Table = toml::from_str(text).map_err(|_| Broken)?;
            let Some(pytest) = doc
                .get("tool")
                .and_then(|tool| tool.get("pytest"))
                .and_then(toml::Value::as_table)
            else {
                return Ok(None);
            };
            let ini_options = pytest.get("ini_options").and_then(toml::Value::as_table);
            // pytest refuses both tables at once; reading both, native last, is the lenient
            // choice.
            Ok(Some(Settings::from_toml_tables(
                ini_options.into_iter().chain([pytest]),
            )))
        }
        Kind::Ini(section) => {
            let ini = Ini::parse(text).map_err(|_| Broken)?;
            Ok(ini
                .has_section(section)
                .then(|| Settings::from_ini(&ini, section)))
        }
    }
}

/// The last `--asyncio-mode=X` / `--asyncio-mode X` in the arguments, as argparse would keep.
fn asyncio_mode_in_args(args: &[String]) -> Option<String> {
    const FLAG: &str = "--asyncio-mode";
    let mut mode = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == FLAG {
            if let Some(value) = args.next() {
                mode = Some(value.clone());
            }
        } else if let Some(value) = arg.strip_prefix(FLAG).and_then(|r| r.strip_prefix('=')) {
            mode = Some(value.to_string());
        }
    }
    mode
}

/// `shlex.split` as pytest applies it to a string `addopts`: whitespace separates, quotes group,
/// a backslash escapes outside single quotes. An unterminated quote runs to the end.
fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_arg = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_arg {
                    args.push(std::mem::take(&mut current));
                    in_arg = false;
                }
            }
            '\'' => {
                in_arg = true;
                current.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                in_arg = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(next @ ('"' | '\\' | '$' | '`')) => current.push(next),
                            Some(next) => {
                                current.push('\\');
                                current.push(next);
                            }
                            None => current.push('\\'),
                        },
                        c => current.push(c),
                    }
                }
            }
            '\\' => {
                in_arg = true;
                match chars.next() {
                    // An escaped newline joins lines.
                    Some('\n') => {}
                    Some(next) => current.push(next),
                    None => {}
                }
            }
            c => {
                in_arg = true;
                current.push(c);
            }
        }
    }
    if in_arg {
        args.push(current);
    }
    args
}

/// Plugins that run `async def` tests and fixtures themselves, without pytest-asyncio markers.
const COROUTINE_RUNNERS: &[&str] = &[
    "aiohttp.pytest_plugin",
    "pytest_aiohttp",
    "anyio.pytest_plugin",
    "pytest_trio",
    "pytest_tornasync",
    "pytest_twisted",
];

/// Whether a `conftest.py` of the project (the root and three directory levels below it) runs
/// coroutine tests without pytest-asyncio's markers: it loads such a plugin through
/// `pytest_plugins`, implements the `pytest_pyfunc_call` hook, or adds the asyncio mark to
/// collected items. Returns what was found, e.g. `tests/conftest.py: aiohttp.pytest_plugin`.
pub fn find_coroutine_test_runner(project_root: &Path) -> Option<String> {
    let root = absolute_dir(project_root);
    coroutine_runner_below(&root, &root, 0)
}

/// The first `conftest.py` in `dir` or up to three levels below it, in sorted depth-first
/// order, that runs coroutine tests.
///
/// Sequential on purpose: the search runs when a rule first asks for the project's mode,
/// inside a worker of the checking pool while other files wait for the answer. A parallel
/// search would let this thread steal another file's check while it waits, and that check
/// would ask for the same answer on the same thread: a deadlock.
fn coroutine_runner_below(root: &Path, dir: &Path, depth: u8) -> Option<String> {
    let conftest = dir.join("conftest.py");
    if conftest.is_file()
        && let Ok(text) = std::fs::read_to_string(&conftest)
        && let Some(found) = coroutine_runner_in(&text)
    {
        let shown = conftest.strip_prefix(root).unwrap_or(&conftest);
        return Some(format!("{}: {found}", shown.display()));
    }
    if depth >= 3 {
        return None;
    }
    let entries = std::fs::read_dir(dir).ok()?;
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                !n.starts_with('.')
                    && !matches!(
                        n,
                        "node_modules"
                            | "venv"
                            | "site-packages"
                            | "__pycache__"
                            | "build"
                            | "dist"
                    )
            })
        })
        .collect();
    children.sort();
    children
        .iter()
        .find_map(|child| coroutine_runner_below(root, child, depth + 1))
}

fn coroutine_runner_in(conftest: &str) -> Option<&'static str> {
    if conftest.contains("def pytest_pyfunc_call") {
        return Some("pytest_pyfunc_call hook");
    }
    if conftest.contains("add_marker(pytest.mark.asyncio")
        || conftest.contains("add_marker(\"asyncio\"")
        || conftest.contains("add_marker('asyncio'")
    {
        return Some("adds the asyncio mark");
    }
    if conftest.contains("pytest_plugins") {
        return COROUTINE_RUNNERS.iter().copied().find(|plugin| {
            conftest.contains(&format!("\"{plugin}\"")) || conftest.contains(&format!("'{plugin}'"))
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn split_args_like_shlex() {
        assert_eq!(
            split_args("-ra  -q\n--x=1"),
            strings(&["-ra", "-q", "--x=1"])
        );
        assert_eq!(
            split_args(r#"-k "a b" 'c d' e\ f "q\"x""#),
            strings(&["-k", "a b", "c d", "e f", "q\"x"])
        );
        assert_eq!(split_args("''"), strings(&[""]));
        assert_eq!(split_args("  "), Vec::<String>::new());
        assert_eq!(split_args("'open"), strings(&["open"]));
    }

    #[test]
    fn asyncio_mode_from_args() {
        let mode = |args: &[&str]| asyncio_mode_in_args(&strings(args));
        assert_eq!(mode(&["--asyncio-mode=auto"]).as_deref(), Some("auto"));
        assert_eq!(
            mode(&["-q", "--asyncio-mode", "auto"]).as_deref(),
            Some("auto")
        );
        assert_eq!(
            mode(&["--asyncio-mode=auto", "--asyncio-mode", "strict"]).as_deref(),
            Some("strict")
        );
        assert_eq!(mode(&["--asyncio-mode"]), None);
        assert_eq!(mode(&["--asyncio-modes=auto", "-p", "asyncio"]), None);
    }

    #[test]
    fn coroutine_runners_in_conftest() {
        assert_eq!(
            coroutine_runner_in("pytest_plugins = [\"aiohttp.pytest_plugin\", \"pytester\"]\n"),
            Some("aiohttp.pytest_plugin")
        );
        assert_eq!(
            coroutine_runner_in("def pytest_pyfunc_call(pyfuncitem):\n    pass\n"),
            Some("pytest_pyfunc_call hook")
        );
        assert_eq!(coroutine_runner_in("pytest_plugins = ['pytester']\n"), None);
        assert_eq!(coroutine_runner_in("import pytest\n"), None);
    }
}
