//! Configuration discovery and loading against real directory trees.

use std::fs;
use std::path::{Path, PathBuf};

use asynclint_config::{
    ConfigError, ConfigFile, PytestConfig, PythonVersion, find_config, find_project_root,
    find_pytest_config, read_requires_python, resolve_target_version,
};
use tempfile::TempDir;

struct Tree(TempDir);

impl Tree {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn root(&self) -> PathBuf {
        // Discovery returns absolute, lexically clean paths; compare against the same.
        std::path::absolute(self.0.path()).unwrap()
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn dir(&self, rel: &str) -> PathBuf {
        let path = self.root().join(rel);
        fs::create_dir_all(&path).unwrap();
        path
    }
}

fn found(start: &Path) -> PathBuf {
    find_config(start).unwrap().expect("a configuration").path
}

fn codes(list: Option<&Vec<asynclint_config::Spanned<String>>>) -> Vec<String> {
    list.unwrap().iter().map(|c| c.get_ref().clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// Discovery

#[test]
fn precedence_within_a_directory() {
    let tree = Tree::new();
    let pyproject = tree.write("pyproject.toml", "[tool.asynclint]\nselect = [\"AIO3\"]\n");
    let plain = tree.write("asynclint.toml", "select = [\"AIO2\"]\n");
    let hidden = tree.write(".asynclint.toml", "select = [\"AIO1\"]\n");
    let root = tree.root();

    let config = find_config(&root).unwrap().unwrap();
    assert_eq!(config.path, hidden);
    assert_eq!(codes(config.options.select.as_ref()), ["AIO1"]);

    fs::remove_file(&hidden).unwrap();
    assert_eq!(found(&root), plain);

    fs::remove_file(&plain).unwrap();
    let config = find_config(&root).unwrap().unwrap();
    assert_eq!(config.path, pyproject);
    assert_eq!(codes(config.options.select.as_ref()), ["AIO3"]);
}

#[test]
fn walks_up_and_stops_at_the_nearest() {
    let tree = Tree::new();
    let top = tree.write("asynclint.toml", "");
    let nested = tree.write("pkg/.asynclint.toml", "");
    let deep = tree.dir("pkg/a/b/c");
    let other = tree.dir("other/x");

    assert_eq!(found(&deep), nested);
    assert_eq!(found(&tree.root().join("pkg")), nested);
    assert_eq!(found(&other), top);
    // A file as the start means its directory; `..` is resolved lexically.
    let module = tree.write("other/x/mod.py", "");
    assert_eq!(found(&module), top);
    assert_eq!(found(&deep.join("../../..")), nested);
}

#[test]
fn pyproject_without_section_is_skipped() {
    let tree = Tree::new();
    let top = tree.write("asynclint.toml", "ignore = [\"AIO100\"]\n");
    let inner = tree.write(
        "svc/pyproject.toml",
        "[project]\nname = \"svc\"\nrequires-python = \">=3.12\"\n\n[tool.ruff]\nline-length = 100\n",
    );
    assert_eq!(ConfigFile::load(&inner).unwrap(), None);
    assert_eq!(found(&tree.root().join("svc")), top);
    // Its requires-python is still readable.
    assert_eq!(
        read_requires_python(&inner).unwrap().as_deref(),
        Some(">=3.12")
    );
}

#[test]
fn no_configuration_in_the_tree() {
    let tree = Tree::new();
    let start = tree.dir("a/b");
    tree.write("a/pyproject.toml", "[project]\nname = \"a\"\n");
    // An ancestor of the temporary directory could hold a stray configuration; none inside.
    if let Some(config) = find_config(&start).unwrap() {
        assert!(!config.path.starts_with(tree.root()), "{:?}", config.path);
    }
}

#[test]
fn broken_pyproject_on_the_way_up_is_an_error() {
    let tree = Tree::new();
    tree.write("asynclint.toml", "");
    let broken = tree.write("sub/pyproject.toml", "[project\nname = 1\n");
    let err = find_config(&tree.root().join("sub")).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { line: 1, .. }), "{err:?}");
    assert_eq!(err.path(), broken);
}

#[test]
fn project_root_is_the_nearest_marker() {
    let tree = Tree::new();
    tree.write("pyproject.toml", "");
    tree.write("legacy/setup.py", "");
    tree.write("cfg/setup.cfg", "");
    let src = tree.dir("src/pkg/sub");
    assert_eq!(find_project_root(&src), Some(tree.root()));
    assert_eq!(
        find_project_root(&tree.dir("legacy/pkg")),
        Some(tree.root().join("legacy"))
    );
    assert_eq!(
        find_project_root(&tree.root().join("cfg")),
        Some(tree.root().join("cfg"))
    );
    let file = tree.write("src/pkg/mod.py", "");
    assert_eq!(find_project_root(&file), Some(tree.root()));
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn unknown_key_names_file_and_line() {
    let tree = Tree::new();
    let path = tree.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.asynclint]\nselect = [\"AIO100\"]\nignroe = [\"AIO200\"]\n",
    );
    let err = ConfigFile::load(&path).unwrap_err();
    let ConfigError::Invalid {
        path: err_path,
        line,
        column,
        message,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(err_path, &path);
    assert_eq!((*line, *column), (6, 1));
    assert!(message.contains("`ignroe`"), "{message}");
    assert!(message.contains("`ignore`"), "{message}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}:6:1: unknown key `ignroe`", path.display())),
        "{shown}"
    );

    // Same through discovery, and in a nested table header.
    let err = find_config(&tree.root()).unwrap_err();
    assert_eq!(err.location(), Some((6, 1)));
    tree.write(
        "pyproject.toml",
        "[tool.asynclint]\nselect = []\n\n[tool.asynclint.per-file-ignores]\n\"t/*\" = [\"AIO7\"]\n\n[tool.asynclint.nope]\n",
    );
    let err = find_config(&tree.root()).unwrap_err();
    assert_eq!(err.location().map(|l| l.0), Some(7), "{err}");
}

#[test]
fn unknown_key_in_asynclint_toml() {
    let tree = Tree::new();
    let path = tree.write(
        ".asynclint.toml",
        "# settings\n\noutput-format = \"full\"\n  extra = 1\n",
    );
    let err = find_config(&tree.root()).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                line: 4,
                column: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.path(), path);
}

#[test]
fn syntax_error_line() {
    let tree = Tree::new();
    let path = tree.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.asynclint]\nselect = [\"AIO100\",\n  \"AIO200\"\nignore = []\n",
    );
    let err = ConfigFile::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { line: 7, .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}:7:", path.display())),
        "{shown}"
    );
    assert!(!shown.contains('\n'), "{shown}");

    let path = tree.write(
        "asynclint.toml",
        "select = [\"AIO100\"]\ntarget-version = py311\n",
    );
    let err = ConfigFile::load(&path).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Parse {
                line: 2,
                column: 18,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn bad_target_version_line() {
    let tree = Tree::new();
    let path = tree.write(
        "pyproject.toml",
        "[tool.asynclint]\nselect = [\"AIO8\"]\ntarget-version = \"3.11\"\n",
    );
    let err = ConfigFile::load(&path).unwrap_err();
    let ConfigError::Invalid {
        line,
        column,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!((*line, *column), (3, 18));
    assert!(
        message.contains("\"3.11\"") && message.contains("py314"),
        "{message}"
    );
}

#[test]
fn bad_output_format_line() {
    let tree = Tree::new();
    let path = tree.write("asynclint.toml", "\n\noutput-format = \"pretty\"\n");
    let err = ConfigFile::load(&path).unwrap_err();
    assert_eq!(err.location(), Some((3, 17)));
    assert!(err.to_string().contains("json-lines"), "{err}");
}

#[test]
fn missing_file_is_io_error() {
    let tree = Tree::new();
    let path = tree.root().join("asynclint.toml");
    let err = ConfigFile::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    assert_eq!(err.location(), None);
    assert!(err.to_string().starts_with(&path.display().to_string()));
}

#[test]
fn caller_reports_unknown_codes_at_their_span() {
    let tree = Tree::new();
    let path = tree.write(
        "pyproject.toml",
        "[tool.asynclint]\nselect = [\"AIO100\"]\n\n[tool.asynclint.per-file-ignores]\n\"tests/*\" = [\"AIO700\", \"XYZ1\"]\n",
    );
    let config = ConfigFile::load(&path).unwrap().unwrap();
    let bad = &config.options.per_file_ignores.as_ref().unwrap()["tests/*"][1];
    assert_eq!(bad.get_ref(), "XYZ1");
    assert_eq!(config.span_location(bad.span()), (5, 24));
    let err = config.invalid(bad.span(), "unknown rule code `XYZ1`");
    assert_eq!(
        err.to_string(),
        format!("{}:5:24: unknown rule code `XYZ1`", path.display())
    );
    let first = &config.options.select.as_ref().unwrap()[0];
    assert_eq!(config.span_location(first.span()), (2, 11));
}

// ---------------------------------------------------------------------------------------------
// Target version

#[test]
fn target_version_sources() {
    let tree = Tree::new();
    let path = tree.write(
        "pyproject.toml",
        "[project]\nrequires-python = \">=3.10,<4\"\n\n[tool.asynclint]\n",
    );
    let config = ConfigFile::load(&path).unwrap().unwrap();
    assert_eq!(config.requires_python.as_deref(), Some(">=3.10,<4"));
    assert_eq!(config.options.target_version(), None);
    assert_eq!(config.target_version(), Some(PythonVersion::Py310));
    assert_eq!(
        resolve_target_version(None, Some(&config), None),
        PythonVersion::Py310
    );
    assert_eq!(
        resolve_target_version(Some(PythonVersion::Py38), Some(&config), None),
        PythonVersion::Py38
    );

    tree.write(
        "pyproject.toml",
        "[project]\nrequires-python = \">=3.10\"\n\n[tool.asynclint]\ntarget-version = \"py312\"\n",
    );
    let config = ConfigFile::load(&path).unwrap().unwrap();
    assert_eq!(config.target_version(), Some(PythonVersion::Py312));

    // asynclint.toml takes requires-python from the pyproject.toml next to it.
    let other = tree.write("b/asynclint.toml", "");
    tree.write(
        "b/pyproject.toml",
        "[project]\nrequires-python = \"~=3.11\"\n",
    );
    let config = ConfigFile::load(&other).unwrap().unwrap();
    assert_eq!(config.requires_python.as_deref(), Some("~=3.11"));
    assert_eq!(config.target_version(), Some(PythonVersion::Py311));

    // A nearer project's requires-python beats the configuration's neighbour.
    let nested = tree.write(
        "b/svc/pyproject.toml",
        "[project]\nrequires-python = \">=3.13\"\n",
    );
    assert_eq!(
        resolve_target_version(None, Some(&config), nested.parent()),
        PythonVersion::Py313
    );

    // Nothing anywhere: py39.
    let empty = tree.dir("c");
    assert_eq!(
        resolve_target_version(None, None, Some(&empty)),
        PythonVersion::Py39
    );
}

// ---------------------------------------------------------------------------------------------
// pytest

fn pytest_in(tree: &Tree, files: &[(&str, &str)]) -> PytestConfig {
    for (name, text) in files {
        tree.write(name, text);
    }
    find_pytest_config(&tree.root())
}

fn mode(config: &PytestConfig) -> Option<&str> {
    config.asyncio_mode.as_deref()
}

#[test]
fn pytest_ini() {
    let tree = Tree::new();
    let config = pytest_in(
        &tree,
        &[(
            "pytest.ini",
            "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n",
        )],
    );
    assert_eq!(mode(&config), Some("auto"));
    assert!(config.is_auto_mode());
    assert_eq!(
        config.asyncio_default_fixture_loop_scope.as_deref(),
        Some("function")
    );
    assert_eq!(config.source, Some(tree.root().join("pytest.ini")));
}

#[test]
fn pyproject_ini_options() {
    let tree = Tree::new();
    let config = pytest_in(
        &tree,
        &[(
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.pytest.ini_options]\nasyncio_mode = \"strict\"\n",
        )],
    );
    assert_eq!(mode(&config), Some("strict"));
    assert!(!config.is_auto_mode());
    assert_eq!(config.source, Some(tree.root().join("pyproject.toml")));
}

#[test]
fn pyproject_native_pytest_table() {
    let tree = Tree::new();
    let config = pytest_in(
        &tree,
        &[(
            "pyproject.toml",
            "[tool.pytest]\naddopts = [\"-ra\", \"--asyncio-mode=auto\"]\n",
        )],
    );
    assert_eq!(mode(&config), Some("auto"));
}

#[test]
fn tox_ini() {
    let tree = Tree::new();
    let config = pytest_in(
        &tree,
        &[(
            "tox.ini",
            "[tox]\nenvlist = py311\n\n[pytest]\naddopts = -ra --asyncio-mode auto\n",
        )],
    );
    assert_eq!(mode(&config), Some("auto"));
    assert_eq!(config.source, Some(tree.root().join("tox.ini")));
}

#[test]
fn setup_cfg() {
    let tree = Tree::new();
    let config = pytest_in(
        &tree,
        &[(
            "setup.cfg",
            "[metadata]\nname = x\n\n[tool:pytest]\naddopts =\n    -ra\n    --asyncio-mode=auto\ntestpaths = tests\n",
        )],
    );
    assert_eq!(mode(&config), Some("auto"));
    assert_eq!(config.source, Some(tree.root().join("setup.cfg")));
}

#[test]
fn pytest_toml() {
    let tree = Tree::new();
    let config = pytest_in(
        &tree,
        &[("pytest.toml", "[pytest]\nasyncio_mode = \"auto\"\n")],
    );
    assert_eq!(mode(&config), Some("auto"));
}

#[test]
fn addopts_forms() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "pytest.ini",
            "[pytest]\naddopts = --asyncio-mode=auto\n",
            Some("auto"),
        ),
        (
            "pytest.ini",
            "[pytest]\naddopts = -q --asyncio-mode auto -x\n",
            Some("auto"),
        ),
        (
            "pytest.ini",
            "[pytest]\naddopts =\n  -q\n  --asyncio-mode\n  auto\n",
            Some("auto"),
        ),
        (
            "pytest.ini",
            "[pytest]\naddopts: \"--asyncio-mode=auto\"\n",
            Some("auto"),
        ),
        // The command line wins over the ini key, and the last flag wins.
        (
            "pytest.ini",
            "[pytest]\nasyncio_mode = strict\naddopts = --asyncio-mode=auto\n",
            Some("auto"),
        ),
        (
            "pytest.ini",
            "[pytest]\naddopts = --asyncio-mode=auto --asyncio-mode=strict\n",
            Some("strict"),
        ),
        ("pytest.ini", "[pytest]\naddopts = -ra\n", None),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"--asyncio-mode=auto\"\n",
            Some("auto"),
        ),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = [\"-q\", \"--asyncio-mode\", \"auto\"]\n",
            Some("auto"),
        ),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = [\"--asyncio-mode=auto\"]\nasyncio_mode = \"strict\"\n",
            Some("auto"),
        ),
        (
            "tox.ini",
            "[pytest]\naddopts = --asyncio-mode=auto\n",
            Some("auto"),
        ),
        (
            "setup.cfg",
            "[tool:pytest]\naddopts = --asyncio-mode auto\n",
            Some("auto"),
        ),
    ];
    for (name, text, expected) in cases {
        let tree = Tree::new();
        let config = pytest_in(&tree, &[(name, text)]);
        assert_eq!(mode(&config), *expected, "{name}: {text:?}");
        assert_eq!(
            config.source,
            Some(tree.root().join(name)),
            "{name}: {text:?}"
        );
    }
}

#[test]
fn pytest_precedence() {
    let tree = Tree::new();
    let all = [
        ("setup.cfg", "[tool:pytest]\nasyncio_mode = auto\n"),
        ("tox.ini", "[pytest]\nasyncio_mode = auto\n"),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\nasyncio_mode = \"auto\"\n",
        ),
        // Takes precedence even though it sets nothing: strict.
        ("pytest.ini", "[pytest]\naddopts = -ra\n"),
    ];
    let config = pytest_in(&tree, &all);
    assert_eq!(mode(&config), None);
    assert_eq!(config.source, Some(tree.root().join("pytest.ini")));

    fs::remove_file(tree.root().join("pytest.ini")).unwrap();
    assert_eq!(
        find_pytest_config(&tree.root()).source,
        Some(tree.root().join("pyproject.toml"))
    );
    fs::remove_file(tree.root().join("pyproject.toml")).unwrap();
    assert_eq!(
        find_pytest_config(&tree.root()).source,
        Some(tree.root().join("tox.ini"))
    );
    fs::remove_file(tree.root().join("tox.ini")).unwrap();
    assert_eq!(
        find_pytest_config(&tree.root()).source,
        Some(tree.root().join("setup.cfg"))
    );
}

#[test]
fn files_without_pytest_sections_do_not_count() {
    let tree = Tree::new();
    tree.write("pyproject.toml", "[project]\nname = \"x\"\n[tool.ruff]\n");
    tree.write("tox.ini", "[tox]\nenvlist = py312\n");
    tree.write("setup.cfg", "[metadata]\nname = x\n");
    let sub = tree.dir("pkg");
    let config = find_pytest_config(&sub);
    if let Some(source) = &config.source {
        assert!(!source.starts_with(tree.root()), "{source:?}");
    }
}

#[test]
fn pytest_config_found_in_a_parent() {
    let tree = Tree::new();
    tree.write("pytest.ini", "[pytest]\nasyncio_mode = auto\n");
    tree.write("svc/pyproject.toml", "[project]\nname = \"svc\"\n");
    let config = find_pytest_config(&tree.dir("svc"));
    assert_eq!(mode(&config), Some("auto"));
    assert_eq!(config.source, Some(tree.root().join("pytest.ini")));
}

#[test]
fn broken_pytest_files_are_tolerated() {
    for (name, text) in [
        ("pytest.ini", "[pytest\nasyncio_mode = auto\n"),
        ("pytest.ini", "asyncio_mode = auto\n"),
        ("pytest.ini", "[pytest]\nthis line has no separator\n"),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options\nasyncio_mode = \"auto\"\n",
        ),
        ("tox.ini", "[pytest]\n  orphan continuation\n"),
        ("pytest.toml", "[pytest]\nasyncio_mode = auto\n"),
    ] {
        let tree = Tree::new();
        let config = pytest_in(&tree, &[(name, text)]);
        assert_eq!(config, PytestConfig::default(), "{name}: {text:?}");
    }
    // Not UTF-8.
    let tree = Tree::new();
    fs::write(
        tree.root().join("pytest.ini"),
        b"[pytest]\nasyncio_mode = \xff\n",
    )
    .unwrap();
    assert_eq!(find_pytest_config(&tree.root()), PytestConfig::default());
}

#[test]
fn config_file_carries_pytest_settings() {
    let tree = Tree::new();
    let path = tree.write(
        "pyproject.toml",
        "[tool.asynclint]\n\n[tool.pytest.ini_options]\nasyncio_mode = \"auto\"\n",
    );
    let config = ConfigFile::load(&path).unwrap().unwrap();
    assert!(config.pytest.is_auto_mode());
    assert_eq!(config.root(), tree.root());
}
