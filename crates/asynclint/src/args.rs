//! The command line, as clap derive structs. Values are parsed here; merging them over the
//! configuration file happens in `settings.rs`.

use std::path::PathBuf;

use asynclint_config::PythonVersion;
use asynclint_diagnostics::OutputFormat;
use asynclint_linter::RuleSelector;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "asynclint",
    version,
    about = "A static analyzer for Python asyncio code",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,

    /// Analyse each file on its own, without the cross-module project index (also `project =
    /// false` in the configuration).
    #[arg(long, global = true)]
    pub no_project: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Python files for asyncio problems.
    #[command(
        after_help = "Exit status: 0 when nothing is found, 1 when something is, 2 on a usage, \
                      configuration or internal error."
    )]
    Check(Box<CheckArgs>),
    /// Fill in the Python Async Patterns Checklist for a project: every item with pass, fail,
    /// n/a or manual and its evidence (every rule runs, whatever the selection).
    #[command(
        after_help = "Exit status: 0, or 1 with `--fail-on fail` when an item fails; 2 on a usage, \
                      configuration or internal error."
    )]
    Checklist(Box<ChecklistArgs>),
    /// Run a Python command under the run-time monitor and report what it did to its event
    /// loops: blocking calls, unawaited coroutines, lost task exceptions, tasks pending at
    /// shutdown, queue backlogs (same codes and output formats as `check`).
    #[command(
        override_usage = "asynclint run [OPTIONS] -- <COMMAND>...",
        after_help = "Example: asynclint run --html run.html -- python app.py --port 8080\n\n\
                      The command's standard input, output and error pass through untouched; \
                      the report goes to standard error (or `-o FILE`) when it exits. Exit \
                      status: the command's own (128 + N when killed by signal N), unless \
                      `--fail-on findings`; 2 on a usage or internal error. Linux only."
    )]
    Run(Box<RunArgs>),
    /// Show the documentation of a rule, or list every rule.
    Rule(RuleArgs),
    /// Write `docs/rules.md` from the rule registry.
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
    /// Walk, read and parse files in parallel, nothing else: the floor for benchmarks.
    #[command(hide = true)]
    ParseOnly(ParseOnlyArgs),
}

#[derive(Debug, Clone, Parser)]
pub struct ParseOnlyArgs {
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Parser)]
pub struct CheckArgs {
    /// Files or directories to check [default: .]; `-` reads standard input. Files named here
    /// are checked even when they are excluded or ignored by `.gitignore`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Apply the safe fixes (and the unsafe ones with `--unsafe-fixes`), then report what is
    /// left.
    #[arg(long, help_heading = "Fixes")]
    pub fix: bool,

    /// Also apply fixes that may change behaviour.
    #[arg(long, help_heading = "Fixes")]
    pub unsafe_fixes: bool,

    /// Print the changes `--fix` would make as a unified diff and change nothing (exit status 1
    /// when there is something to fix).
    #[arg(long, help_heading = "Fixes", conflicts_with = "fix_only")]
    pub diff: bool,

    /// Apply fixes like `--fix`, but do not report the remaining findings.
    #[arg(long, help_heading = "Fixes")]
    pub fix_only: bool,

    /// Rules to enable, replacing the configured and default selection: codes (`AIO100`),
    /// prefixes (`AIO1`), rule names (`dangling-task`) or `ALL`.
    #[arg(long, value_delimiter = ',', value_name = "RULE", value_parser = parse_selector, help_heading = "Rule selection")]
    pub select: Option<Vec<RuleSelector>>,

    /// Rules to enable on top of the current selection.
    #[arg(long, value_delimiter = ',', value_name = "RULE", value_parser = parse_selector, help_heading = "Rule selection")]
    pub extend_select: Vec<RuleSelector>,

    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "RULE", value_parser = parse_selector, help_heading = "Rule selection")]
    pub ignore: Vec<RuleSelector>,

    /// Use this configuration file instead of discovering one.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "isolated",
        help_heading = "Configuration"
    )]
    pub config: Option<PathBuf>,

    /// Ignore all configuration files.
    #[arg(long, help_heading = "Configuration")]
    pub isolated: bool,

    /// The oldest Python version the code must run on (default: `target-version`, then
    /// `project.requires-python`, then py39).
    #[arg(long, value_name = "VERSION", value_parser = parse_python_version, help_heading = "Configuration")]
    pub target_version: Option<PythonVersion>,

    /// Glob patterns of files and directories to skip, replacing the configured and default ones.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "GLOB",
        help_heading = "File selection"
    )]
    pub exclude: Option<Vec<String>>,

    /// Glob patterns to skip in addition to the excluded ones.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "GLOB",
        help_heading = "File selection"
    )]
    pub extend_exclude: Vec<String>,

    /// Honour `.gitignore`, `.ignore` and `.git/info/exclude` files (the default).
    #[arg(
        long,
        overrides_with = "no_respect_gitignore",
        help_heading = "File selection"
    )]
    pub respect_gitignore: bool,

    /// Check files even when `.gitignore` ignores them.
    #[arg(
        long,
        overrides_with = "respect_gitignore",
        help_heading = "File selection"
    )]
    pub no_respect_gitignore: bool,

    /// Read the source from standard input and report it under this file name.
    #[arg(long, value_name = "NAME", help_heading = "File selection")]
    pub stdin_filename: Option<PathBuf>,

    /// Apply `exclude`/`extend-exclude` to files named on the command line as well (for
    /// pre-commit and editors, which pass files explicitly).
    #[arg(long, help_heading = "File selection")]
    pub force_exclude: bool,

    /// How diagnostics are printed [default: full, or `output-format` from the configuration].
    #[arg(long, value_enum, value_name = "FORMAT", help_heading = "Output")]
    pub output_format: Option<OutputFormatArg>,

    /// Write the output to this file instead of standard output.
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    pub output_file: Option<PathBuf>,

    /// Print the number of diagnostics per rule instead of the diagnostics.
    #[arg(long, help_heading = "Output")]
    pub statistics: bool,

    /// Exit with 0 even when there are findings (errors still exit with 2).
    #[arg(long, help_heading = "Output")]
    pub exit_zero: bool,

    /// Print only the diagnostics, without the summary.
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,

    /// When to colour the output (`NO_COLOR` in the environment turns `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = "Output")]
    pub color: ColorChoice,
}

impl CheckArgs {
    /// `Some(true)`/`Some(false)` when a flag was given, `None` to use the configuration.
    pub fn respect_gitignore(&self) -> Option<bool> {
        match (self.respect_gitignore, self.no_respect_gitignore) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Parser)]
pub struct ChecklistArgs {
    /// The project (or part of it) to report on [default: .]. Dependencies and pytest settings
    /// are read from the nearest directory with `pyproject.toml`, `setup.py`, `setup.cfg`,
    /// `requirements*.txt`, `PKG-INFO` or a `*.dist-info` directory.
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Report format: `markdown` fits a pull-request comment, `json` has every finding, `html`
    /// is one self-contained page.
    #[arg(long, value_enum, default_value_t = ChecklistFormat::Markdown, value_name = "FORMAT")]
    pub output_format: ChecklistFormat,

    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Exit with status 1 when an item has this status (`fail`: a CI gate).
    #[arg(long, value_enum, value_name = "STATUS")]
    pub fail_on: Option<FailOn>,

    /// Use this configuration file instead of discovering one.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore all configuration files.
    #[arg(long)]
    pub isolated: bool,

    /// The oldest Python version the code must run on.
    #[arg(long, value_name = "VERSION", value_parser = parse_python_version)]
    pub target_version: Option<PythonVersion>,

    /// Glob patterns of files and directories to skip, replacing the configured and default ones.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,

    /// Glob patterns to skip in addition to the excluded ones.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,

    /// Analyse files even when `.gitignore` ignores them.
    #[arg(long)]
    pub no_respect_gitignore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChecklistFormat {
    Markdown,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any item with status `fail`.
    Fail,
}

#[derive(Debug, Clone, Parser)]
pub struct RuleArgs {
    /// A rule code (`AIO100`) or name (`blocking-sleep`).
    #[arg(
        value_name = "RULE",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub rule: Option<String>,

    /// List every rule.
    #[arg(long)]
    pub all: bool,

    /// `text`: Markdown for one rule, an aligned table for `--all`.
    #[arg(long, value_enum, default_value_t = RuleFormat::Text, value_name = "FORMAT")]
    pub output_format: RuleFormat,
}

#[derive(Debug, Clone, Parser)]
pub struct GenerateDocsArgs {
    /// Where to write the rules reference (`-` for standard output) [default: the workspace's
    /// `docs/rules.md`].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Mirrors [`OutputFormat`], which lives in a crate that does not depend on clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormatArg {
    Full,
    Concise,
    Json,
    JsonLines,
    Sarif,
    Github,
    Gitlab,
}

impl From<OutputFormatArg> for OutputFormat {
    fn from(format: OutputFormatArg) -> Self {
        match format {
            OutputFormatArg::Full => Self::Full,
            OutputFormatArg::Concise => Self::Concise,
            OutputFormatArg::Json => Self::Json,
            OutputFormatArg::JsonLines => Self::JsonLines,
            OutputFormatArg::Sarif => Self::Sarif,
            OutputFormatArg::Github => Self::Github,
            OutputFormatArg::Gitlab => Self::Gitlab,
        }
    }
}

fn parse_selector(s: &str) -> Result<RuleSelector, String> {
    RuleSelector::parse(s).map_err(|err| err.to_string())
}

fn parse_python_version(s: &str) -> Result<PythonVersion, String> {
    s.parse::<PythonVersion>().map_err(|err| err.to_string())
}

#[derive(Debug, Clone, Parser)]
pub struct RunArgs {
    /// The command to run, after `--`: anything that starts CPython 3.9+ (`python app.py`,
    /// `pytest -x`, `uvicorn app:app`); Python processes it starts are monitored too.
    #[arg(
        value_name = "COMMAND",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<std::ffi::OsString>,

    /// How often the loop-lag heartbeat runs, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=60_000), help_heading = "Monitoring")]
    pub interval: u64,

    /// A heartbeat this many milliseconds late is a blocked loop: the watchdog captures the
    /// blocking line while it still runs.
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=600_000), help_heading = "Monitoring")]
    pub block_threshold: u64,

    /// Report an unbounded `asyncio.Queue` whose depth reached this many items.
    #[arg(
        long,
        value_name = "ITEMS",
        default_value_t = 1000,
        help_heading = "Monitoring"
    )]
    pub queue_threshold: u64,

    /// Record where every coroutine is created (CPython's origin tracking, this many frames),
    /// so an unawaited coroutine is reported where it was created rather than where it was
    /// dropped; costs ~0.1-0.2 us per coroutine. 0 = off.
    #[arg(long, value_name = "FRAMES", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=16), help_heading = "Monitoring")]
    pub origin_depth: u32,

    /// How findings are printed (`text` is `check`'s `full`).
    #[arg(long, value_enum, default_value_t = RunOutputFormat::Text, value_name = "FORMAT", help_heading = "Output")]
    pub output_format: RunOutputFormat,

    /// Write the report to this file instead of standard error.
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    pub output_file: Option<PathBuf>,

    /// Also write a self-contained HTML page: a timeline of loop lag and pending tasks per event
    /// loop, the findings, and the task and queue tables.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub html: Option<PathBuf>,

    /// Exit with status 1 when something was found and the command itself succeeded.
    #[arg(long, value_enum, value_name = "WHEN", help_heading = "Output")]
    pub fail_on: Option<RunFailOn>,

    /// Print only the findings, without the summary lines.
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,

    /// When to colour the text report (`NO_COLOR` in the environment turns `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = "Output")]
    pub color: ColorChoice,
}

/// `check`'s formats, plus `text` (= `full`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunOutputFormat {
    Text,
    Full,
    Concise,
    Json,
    JsonLines,
    Sarif,
    Github,
    Gitlab,
}

impl From<RunOutputFormat> for OutputFormat {
    fn from(format: RunOutputFormat) -> Self {
        match format {
            RunOutputFormat::Text | RunOutputFormat::Full => Self::Full,
            RunOutputFormat::Concise => Self::Concise,
            RunOutputFormat::Json => Self::Json,
            RunOutputFormat::JsonLines => Self::JsonLines,
            RunOutputFormat::Sarif => Self::Sarif,
            RunOutputFormat::Github => Self::Github,
            RunOutputFormat::Gitlab => Self::Gitlab,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFailOn {
    /// Any finding (the command's own non-zero status still wins).
    Findings,
}
