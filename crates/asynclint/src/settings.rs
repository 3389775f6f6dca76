//! Command-line flags layered over the configuration file: which rules run, which files are
//! walked, per-file ignores and the output format.
//!
//! Configuration is not hierarchical: one file is used for the whole run, found from the
//! directory of the first path argument (or of `--stdin-filename`, or the current directory)
//! upwards. `--config` names it instead, `--isolated` uses none. Relative globs in the file are
//! relative to its directory; globs given on the command line are relative to the current
//! directory. What belongs to a project rather than to the tool (`requires-python`, when no
//! target version is configured, and pytest-asyncio's mode) is read per project: see
//! [`PerProjectLinters`].

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use asynclint_config::{
    ConfigError, ConfigFile, Options, PythonVersion, Spanned, find_config,
    find_coroutine_test_runner, find_project_root, find_pytest_config, read_requires_python,
    resolve_target_version,
};
use asynclint_diagnostics::OutputFormat;
use asynclint_linter::{
    AsyncioMode, LinterSettings, ProjectAsyncioMode, Rule, RuleSelector, RuleSet, TargetVersion,
};
use asynclint_project::ModuleResolver;
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::args::CheckArgs;

/// Directories and files never worth checking, matched against file names (Ruff's list).
/// `exclude` replaces them; `extend-exclude` adds to them.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Everything one `check` run needs, resolved once.
#[derive(Debug)]
pub struct Settings {
    pub linter: LinterSettings,
    /// `--target-version` or `target-version` in the configuration: every file gets it. Without
    /// it, each project's own `requires-python` decides for its files.
    pub target_version_explicit: bool,
    /// The target for a project without `requires-python`: the one next to the configuration
    /// file, else the default.
    pub fallback_target_version: TargetVersion,
    pub per_file_ignores: PerFileIgnores,
    pub files: FileSettings,
    pub output_format: OutputFormat,
    pub project: ProjectSettings,
}

/// Which files the walk yields.
#[derive(Debug)]
pub struct FileSettings {
    pub exclude: Arc<PathMatcher>,
    pub respect_gitignore: bool,
    /// Apply `exclude` to files named on the command line too (`--force-exclude`, for
    /// pre-commit, which passes every staged file).
    pub force_exclude: bool,
}

/// Inputs of the cross-module phase.
#[derive(Debug)]
pub struct ProjectSettings {
    /// `false` with `--no-project` or `project = false`.
    pub enabled: bool,
    /// The nearest directory with `pyproject.toml`, `setup.py` or `setup.cfg`.
    pub root: PathBuf,
    /// Import roots, longest first: `src` from the configuration, else the project root and its
    /// `src/` directory.
    pub src: Vec<PathBuf>,
}

impl Settings {
    /// Resolves the settings for a run. `cwd` is absolute.
    pub fn resolve(args: &CheckArgs, no_project: bool, cwd: &Path) -> Result<Self> {
        let start = args
            .stdin_filename
            .as_deref()
            .or_else(|| args.paths.first().map(PathBuf::as_path))
            .map(|p| normalize(&cwd.join(p)))
            .unwrap_or_else(|| cwd.to_path_buf());
        let config = load_config(args, &start, cwd)?;
        let options = config
            .as_ref()
            .map(|c| c.options.clone())
            .unwrap_or_default();
        let config_root = config
            .as_ref()
            .map_or_else(|| cwd.to_path_buf(), |c| normalize(&cwd.join(c.root())));
        let fail = |err: ConfigError| anyhow!(display_config_error(&err, cwd));

        let rules = match &config {
            Some(config) => config_rule_set(config, args).map_err(fail)?,
            None => cli_rule_set(args, None, &[]),
        };

        let start_dir = if start.is_dir() {
            start.clone()
        } else {
            parent(&start)
        };
        let project_root = find_project_root(&start_dir).unwrap_or_else(|| config_root.clone());
        let target =
            resolve_target_version(args.target_version, config.as_ref(), Some(&project_root));
        let fallback_target_version =
            target_version(resolve_target_version(None, config.as_ref(), None));
        let target_version_explicit = args.target_version.is_some()
            || config
                .as_ref()
                .is_some_and(|c| c.options.target_version().is_some());

        let per_file_ignores = match &config {
            Some(config) => PerFileIgnores::new(config, &config_root).map_err(fail)?,
            None => PerFileIgnores::default(),
        };

        let config_name = config.as_ref().map(|c| relative(&c.path, cwd));
        let glob_error = |err: globset::Error| match &config_name {
            Some(name) => anyhow!("{name}: {err}"),
            None => anyhow!(err),
        };
        let mut exclude = PathMatcher::builder();
        match (&args.exclude, &options.exclude) {
            (Some(cli), _) => exclude.add_user(cli, cwd)?,
            (None, Some(configured)) => exclude
                .add_user(configured, &config_root)
                .map_err(glob_error)?,
            (None, None) => exclude.add_builtin(DEFAULT_EXCLUDES)?,
        }
        if let Some(extend) = &options.extend_exclude {
            exclude.add_user(extend, &config_root).map_err(glob_error)?;
        }
        exclude.add_user(&args.extend_exclude, cwd)?;

        let output_format = match (args.output_format, &options.output_format) {
            (Some(cli), _) => cli.into(),
            (None, Some(configured)) => OutputFormat::from_name(configured.get_ref())
                .with_context(|| format!("unknown output format `{}`", configured.get_ref()))?,
            (None, None) => OutputFormat::Full,
        };

        let src = match &options.src {
            Some(src) => src
                .iter()
                .map(|s| normalize(&config_root.join(s)))
                .collect(),
            None => vec![project_root.clone(), project_root.join("src")],
        };

        Ok(Self {
            linter: LinterSettings {
                rules,
                target_version: target_version(target),
                blocking_calls: options.blocking_calls.clone().unwrap_or_default(),
                allowed_blocking_calls: options.allowed_blocking_calls.clone().unwrap_or_default(),
                client_factories: options.client_factories.clone().unwrap_or_default(),
                project_modules: None,
                asyncio_mode: lazy_asyncio_mode(&project_root),
            },
            target_version_explicit,
            fallback_target_version,
            per_file_ignores,
            files: FileSettings {
                exclude: Arc::new(exclude.build()?),
                respect_gitignore: args
                    .respect_gitignore()
                    .or(options.respect_gitignore)
                    .unwrap_or(true),
                force_exclude: args.force_exclude,
            },
            output_format,
            project: ProjectSettings {
                enabled: !no_project && options.project.unwrap_or(true),
                root: project_root,
                src: sorted_longest_first(src),
            },
        })
    }
}

/// [`asyncio_mode`], worked out when a rule first asks.
pub fn lazy_asyncio_mode(root: &Path) -> ProjectAsyncioMode {
    let root = root.to_path_buf();
    ProjectAsyncioMode::find_with(move || asyncio_mode(&root))
}

/// pytest-asyncio's mode in the project rooted at `root` (AIO700, AIO701): `auto` from the
/// pytest configuration, or a `conftest.py` that runs coroutine tests itself, else strict.
pub fn asyncio_mode(root: &Path) -> AsyncioMode {
    if find_pytest_config(root).is_auto_mode() {
        AsyncioMode::Auto
    } else if find_coroutine_test_runner(root).is_some() {
        AsyncioMode::OtherRunner
    } else {
        AsyncioMode::Strict
    }
}

/// The linter settings of each file, with what its own project (the nearest directory above
/// it with `pyproject.toml`, `setup.py` or `setup.cfg`) says: pytest-asyncio's mode, and the
/// target Python version from `requires-python` unless one was given explicitly. One run can
/// span several projects (a monorepo, a corpus of packages), each with its own settings.
pub struct PerProjectLinters {
    default: LinterSettings,
    /// One settings value per (project root, target version) found.
    variants: Vec<LinterSettings>,
    /// File's directory -> index into `variants`.
    dirs: rustc_hash::FxHashMap<PathBuf, usize>,
}

impl PerProjectLinters {
    /// `files`: each file with its module (dotted parts and whether it is a package's
    /// `__init__`), when known.
    pub fn new<'p>(
        settings: &Settings,
        linter: &LinterSettings,
        files: impl IntoIterator<Item = (&'p Path, &'p asynclint_linter::ModuleInfo)>,
    ) -> Self {
        // Each directory's project: its root, keyed by the wheel's base when it is in one.
        let mut keys: rustc_hash::FxHashMap<PathBuf, usize> = Default::default();
        // Per key, in first-seen order: the root, and the wheel's target version.
        let mut projects: Vec<(PathBuf, Option<TargetVersion>)> = Vec::new();
        let mut dir_keys: Vec<(PathBuf, usize)> = Vec::new();
        // (directory, top-level package) -> the `Requires-Python` of the package's wheel.
        let mut wheels: rustc_hash::FxHashMap<(PathBuf, String), Option<TargetVersion>> =
            Default::default();
        let mut project_roots = asynclint_config::ProjectRootFinder::default();
        let mut seen_dirs: rustc_hash::FxHashSet<&Path> = Default::default();
        for (file, module) in files {
            let Some(dir) = file.parent() else { continue };
            if !seen_dirs.insert(dir) {
                continue;
            }
            let Some(root) = project_roots.find(dir) else {
                continue;
            };
            // An installed or unpacked wheel (site-packages, a vendored copy) is its own
            // project: `<name>.dist-info/METADATA` next to its top-level package says which
            // Python it needs, even when a `pyproject.toml` further up belongs to something else.
            let wheel = (!settings.target_version_explicit)
                .then(|| wheel_of(file, module, &mut wheels))
                .flatten();
            let (key, wheel_target) = match wheel {
                Some((base, target)) => (base, Some(target)),
                None => (root.clone(), None),
            };
            let next = projects.len();
            let index = *keys.entry(key).or_insert(next);
            if index == next {
                projects.push((root, wheel_target));
            }
            dir_keys.push((dir.to_path_buf(), index));
        }
        // What each project says. The target versions are read now (in parallel); the
        // pytest-asyncio mode, which may search the project's directories for `conftest.py`
        // files, when a rule first asks, once per project root.
        let targets: Vec<TargetVersion> = projects
            .par_iter()
            .map(|(root, wheel_target)| {
                if settings.target_version_explicit {
                    linter.target_version
                } else if let Some(target) = wheel_target {
                    *target
                } else {
                    project_target_version(root).unwrap_or(settings.fallback_target_version)
                }
            })
            .collect();
        // One mode per project root (wheels under one root share it), one settings value per
        // (project root, target version).
        let mut modes: rustc_hash::FxHashMap<&Path, ProjectAsyncioMode> = Default::default();
        let mut variants: Vec<LinterSettings> = Vec::new();
        let mut variant_keys: rustc_hash::FxHashMap<(&Path, u8), usize> = Default::default();
        let variant_of: Vec<usize> = projects
            .iter()
            .zip(targets)
            .map(|((root, _), target)| {
                *variant_keys
                    .entry((root.as_path(), target.minor))
                    .or_insert_with(|| {
                        let mode = modes
                            .entry(root.as_path())
                            .or_insert_with(|| lazy_asyncio_mode(root));
                        variants.push(LinterSettings {
                            asyncio_mode: mode.clone(),
                            target_version: target,
                            ..linter.clone()
                        });
                        variants.len() - 1
                    })
            })
            .collect();
        let dirs = dir_keys
            .into_iter()
            .map(|(dir, key)| (dir, variant_of[key]))
            .collect();
        Self {
            default: linter.clone(),
            variants,
            dirs,
        }
    }

    pub fn linter_for(&self, file: &Path) -> &LinterSettings {
        file.parent()
            .and_then(|dir| self.dirs.get(dir))
            .and_then(|&index| self.variants.get(index))
            .unwrap_or(&self.default)
    }
}

/// The top-level package directory of `file` and the target version of its wheel, when the
/// directory holding the package has the package's `*.dist-info/METADATA` with a
/// `Requires-Python`. Looked up once per directory and package.
fn wheel_of(
    file: &Path,
    module: &asynclint_linter::ModuleInfo,
    memo: &mut rustc_hash::FxHashMap<(PathBuf, String), Option<TargetVersion>>,
) -> Option<(PathBuf, TargetVersion)> {
    let parts = module.path.as_deref()?;
    let top = parts.first()?;
    let base = file
        .ancestors()
        .nth(parts.len() + usize::from(module.is_package))?;
    let target = *memo
        .entry((base.to_path_buf(), top.clone()))
        .or_insert_with(|| wheel_requires_python(base, top));
    target.map(|t| (base.join(top), t))
}

/// `Requires-Python` of the `*.dist-info` in `dir` that provides the top-level package `top`
/// (by its normalised distribution name, or listed in its `top_level.txt`).
fn wheel_requires_python(dir: &Path, top: &str) -> Option<TargetVersion> {
    let normal = |name: &str| name.to_ascii_lowercase().replace(['-', '.'], "_");
    let top = normal(top);
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let name = entry.file_name();
        let Some(dist) = name.to_str().and_then(|n| n.strip_suffix(".dist-info")) else {
            continue;
        };
        let dist_name = dist.split('-').next().unwrap_or(dist);
        let provides = normal(dist_name) == top
            || std::fs::read_to_string(entry.path().join("top_level.txt"))
                .is_ok_and(|t| t.lines().any(|l| normal(l.trim()) == top));
        if !provides {
            continue;
        }
        let metadata = std::fs::read_to_string(entry.path().join("METADATA")).ok()?;
        let spec = metadata
            .lines()
            .take_while(|line| !line.is_empty())
            .find_map(|line| line.strip_prefix("Requires-Python:"))?;
        return asynclint_config::target_from_requires_python(spec.trim()).map(target_version);
    }
    None
}

/// The target version a project's `pyproject.toml` asks for with `requires-python`.
fn project_target_version(root: &Path) -> Option<TargetVersion> {
    let spec = read_requires_python(&root.join("pyproject.toml")).ok()??;
    asynclint_config::target_from_requires_python(&spec).map(target_version)
}

fn load_config(args: &CheckArgs, start: &Path, cwd: &Path) -> Result<Option<ConfigFile>> {
    if args.isolated {
        return Ok(None);
    }
    let fail = |err: ConfigError| anyhow!(display_config_error(&err, cwd));
    if let Some(path) = &args.config {
        let path = normalize(&cwd.join(path));
        if !path.is_file() {
            bail!("{}: configuration file not found", relative(&path, cwd));
        }
        return match ConfigFile::load(&path).map_err(fail)? {
            Some(config) => Ok(Some(config)),
            // A `pyproject.toml` named explicitly but without our table: no options, but its
            // `requires-python` and pytest settings still count.
            None => Ok(Some(ConfigFile {
                text: String::new(),
                options: Options::default(),
                requires_python: read_requires_python(&path).map_err(fail)?,
                pytest: find_pytest_config(&parent(&path)),
                path,
            })),
        };
    }
    find_config(start).map_err(fail)
}

/// `path:line:column: message` with the path relative to `cwd` when under it.
pub fn display_config_error(err: &ConfigError, cwd: &Path) -> String {
    let text = err.to_string();
    let absolute = err.path().display().to_string();
    match text.strip_prefix(&absolute) {
        Some(rest) => format!("{}{rest}", relative(err.path(), cwd)),
        None => text,
    }
}

fn parse_selectors(
    config: &ConfigFile,
    list: Option<&Vec<Spanned<String>>>,
) -> Result<Vec<RuleSelector>, ConfigError> {
    list.into_iter()
        .flatten()
        .map(|s| {
            RuleSelector::parse(s.get_ref())
                .map_err(|err| config.invalid(s.span(), err.to_string()))
        })
        .collect()
}

/// Two layers, as in Ruff: the configuration's selection, then the command line's. A `--select`
/// starts over, keeping only the configuration's `ignore` when the configuration has no
/// `select` of its own (so `ignore = [...]` in a project survives `--select` in an editor).
fn config_rule_set(config: &ConfigFile, args: &CheckArgs) -> Result<RuleSet, ConfigError> {
    let options = &config.options;
    let select = options
        .select
        .as_ref()
        .map(|_| parse_selectors(config, options.select.as_ref()))
        .transpose()?;
    let extend_select = parse_selectors(config, options.extend_select.as_ref())?;
    let ignore = parse_selectors(config, options.ignore.as_ref())?;
    let configured =
        asynclint_linter::settings::resolve_rule_set(select.as_deref(), &extend_select, &ignore);
    let carried_ignores = if select.is_none() { ignore } else { Vec::new() };
    Ok(cli_rule_set(args, Some(configured), &carried_ignores))
}

/// Applies the command line's selection over `base` (the configuration's set, or the defaults).
fn cli_rule_set(
    args: &CheckArgs,
    base: Option<RuleSet>,
    carried_ignores: &[RuleSelector],
) -> RuleSet {
    if let Some(select) = &args.select {
        let ignore: Vec<RuleSelector> = carried_ignores
            .iter()
            .chain(&args.ignore)
            .cloned()
            .collect();
        return asynclint_linter::settings::resolve_rule_set(
            Some(select),
            &args.extend_select,
            &ignore,
        );
    }
    let base = base.unwrap_or_else(|| asynclint_linter::settings::resolve_rule_set(None, &[], &[]));
    let mut set = RuleSet::empty();
    for rule in Rule::ALL.iter().copied() {
        let best = |selectors: &[RuleSelector]| {
            selectors
                .iter()
                .filter(|s| s.rules().contains(rule))
                .map(RuleSelector::specificity)
                .max()
        };
        let enabled = match (best(&args.extend_select), best(&args.ignore)) {
            (Some(select), Some(ignore)) => select > ignore,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => base.contains(rule),
        };
        if enabled || rule == Rule::SyntaxError {
            set.insert(rule);
        }
    }
    set
}

fn target_version(version: PythonVersion) -> TargetVersion {
    TargetVersion {
        minor: version.minor(),
    }
}

/// `per-file-ignores`: glob -> rules removed from that file's diagnostics.
#[derive(Debug, Default)]
pub struct PerFileIgnores {
    entries: Vec<PerFileIgnore>,
}

#[derive(Debug)]
struct PerFileIgnore {
    /// The pattern joined to the configuration's directory, matched against the absolute path.
    absolute: GlobMatcher,
    /// The pattern as written, matched against the file name (`conftest.py`).
    basename: GlobMatcher,
    /// `!pattern`: applies to the files that do not match.
    negated: bool,
    rules: RuleSet,
}

impl PerFileIgnores {
    fn new(config: &ConfigFile, root: &Path) -> Result<Self, ConfigError> {
        let mut entries = Vec::new();
        for (pattern, codes) in config.options.per_file_ignores.iter().flatten() {
            let selectors = parse_selectors(config, Some(codes))?;
            let rules = selectors
                .iter()
                .fold(RuleSet::empty(), |set, s| set.union(s.rules()));
            let (negated, pattern) = match pattern.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, pattern.as_str()),
            };
            let invalid = |err: globset::Error| {
                // The key has no span; point at the first code of its entry, which is on
                // the same line in every layout people write.
                let span = codes.first().map_or(0..0, Spanned::span);
                config.invalid(
                    span,
                    format!("invalid glob `{pattern}` in `per-file-ignores`: {err}"),
                )
            };
            let absolute = glob(&root.join(pattern).to_string_lossy()).map_err(invalid)?;
            let basename = glob(pattern).map_err(invalid)?;
            entries.push(PerFileIgnore {
                absolute: absolute.compile_matcher(),
                basename: basename.compile_matcher(),
                negated,
                rules,
            });
        }
        Ok(Self { entries })
    }

    /// The rules whose diagnostics are dropped for `path` (absolute).
    pub fn ignored(&self, path: &Path) -> RuleSet {
        let name = path.file_name().map(Path::new);
        self.entries
            .iter()
            .filter(|e| {
                let matched =
                    e.absolute.is_match(path) || name.is_some_and(|n| e.basename.is_match(n));
                matched != e.negated
            })
            .fold(RuleSet::empty(), |set, e| set.union(e.rules))
    }
}

/// A set of exclusion globs, each matched against the absolute path and against the file name,
/// as Ruff matches `exclude`.
#[derive(Debug)]
pub struct PathMatcher {
    set: GlobSet,
}

pub struct PathMatcherBuilder {
    builder: GlobSetBuilder,
}

impl PathMatcher {
    pub fn builder() -> PathMatcherBuilder {
        PathMatcherBuilder {
            builder: GlobSetBuilder::new(),
        }
    }

    pub fn is_match(&self, path: &Path) -> bool {
        self.set.is_match(path) || path.file_name().is_some_and(|name| self.set.is_match(name))
    }
}

impl PathMatcherBuilder {
    fn add_builtin(&mut self, patterns: &[&str]) -> Result<(), globset::Error> {
        for pattern in patterns {
            self.builder.add(glob(pattern)?);
        }
        Ok(())
    }

    /// A user pattern matches the file name as written and the path when made absolute
    /// against `root`.
    fn add_user(&mut self, patterns: &[String], root: &Path) -> Result<(), globset::Error> {
        for pattern in patterns {
            let pattern = pattern.trim_end_matches('/');
            if pattern.is_empty() {
                continue;
            }
            self.builder.add(glob(pattern)?);
            self.builder
                .add(glob(&root.join(pattern).to_string_lossy())?);
        }
        Ok(())
    }

    fn build(self) -> Result<PathMatcher, globset::Error> {
        Ok(PathMatcher {
            set: self.builder.build()?,
        })
    }

    /// Only the built-in exclusions (`.git`, `.venv`, ...).
    pub fn build_default(mut self) -> Result<PathMatcher, globset::Error> {
        self.add_builtin(DEFAULT_EXCLUDES)?;
        self.build()
    }
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .backslash_escape(cfg!(unix))
        .build()
}

impl ProjectSettings {
    /// The module resolver for a run over `files`: package directories are learnt from the
    /// files themselves, the configured import roots name everything else.
    pub fn resolver<'p>(&self, files: impl IntoIterator<Item = &'p PathBuf>) -> ModuleResolver {
        let mut resolver = ModuleResolver::from_roots(self.src.clone(), true);
        resolver.add_files(files);
        resolver
    }
}

fn sorted_longest_first(mut roots: Vec<PathBuf>) -> Vec<PathBuf> {
    roots.sort_by_key(|root| std::cmp::Reverse(root.components().count()));
    roots.dedup();
    roots
}

/// `path` cleaned of `.` and `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !clean.pop() {
                    clean.push("..");
                }
            }
            other => clean.push(other),
        }
    }
    if clean.as_os_str().is_empty() {
        clean.push(".");
    }
    clean
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `path` relative to `cwd` when under it, as printed in messages.
pub fn relative(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd)
        .ok()
        .filter(|rest| !rest.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_matches_names_and_paths() {
        let mut builder = PathMatcher::builder();
        builder.add_builtin(DEFAULT_EXCLUDES).unwrap();
        builder
            .add_user(&["gen/*.py".to_string()], Path::new("/p"))
            .unwrap();
        let matcher = builder.build().unwrap();
        assert!(matcher.is_match(Path::new("/p/.venv")));
        assert!(matcher.is_match(Path::new("/p/gen/x.py")));
        assert!(!matcher.is_match(Path::new("/p/src/x.py")));
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("a/..")), PathBuf::from("."));
    }
}
