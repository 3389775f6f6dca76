//! `asynclint check`: resolve settings, walk, lint every file on a rayon pool, print.
//!
//! A file that cannot be checked never stops the run. It gets one diagnostic instead:
//! - `E902 io-error`: unreadable, not UTF-8, missing, or a dangling symbolic link.
//! - `E999 internal-error`: asynclint panicked on it (a bug; the panic is caught per file).
//!
//! Neither is a registry rule: they cannot be selected or ignored, like `syntax-error`.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{Context, Result};
use asynclint_diagnostics::{Diagnostic, Severity, SourceFile, TextRange};
use asynclint_linter::fix::FixMode;
use asynclint_linter::{ModuleInfo, Rule, lint_file};
use asynclint_project::Phase1File;
use rayon::prelude::*;

use crate::args::{CheckArgs, ColorChoice};
use crate::commands::ExitStatus;
use crate::printer::Printer;
use crate::settings::{FileSettings, Settings, normalize};
use crate::walk::walk;

pub const IO_ERROR_CODE: &str = "E902";
pub const IO_ERROR_NAME: &str = "io-error";
pub const INTERNAL_ERROR_CODE: &str = "E999";
pub const INTERNAL_ERROR_NAME: &str = "internal-error";

/// Stack reserved for each worker thread. Deeply nested input (thousands of parentheses, a
/// 100,000-term `a + a + ...`) recurses in the parser and the visitors; the reservation is
/// virtual memory, only the pages actually touched are used.
const WORKER_STACK_SIZE: usize = 256 * 1024 * 1024;
/// Used when the system refuses the large reservation (strict overcommit, small address space).
const FALLBACK_STACK_SIZE: usize = 16 * 1024 * 1024;

pub fn check(args: &CheckArgs, no_project: bool) -> Result<ExitStatus> {
    asynclint_linter::stats::mark("start");
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let settings = Settings::resolve(args, no_project, &cwd)?;
    let pool = worker_pool(WORKER_STACK_SIZE)
        .or_else(|_| worker_pool(FALLBACK_STACK_SIZE))
        .context("cannot start the worker threads")?;
    install_panic_hook();

    let read_stdin = args.stdin_filename.is_some()
        || args.paths.iter().map(PathBuf::as_path).eq([Path::new("-")]);
    // Standard input is read once; `--fix` re-checks the fixed text.
    let stdin: Option<(PathBuf, Result<String, String>)> = if read_stdin {
        if !args.quiet && args.paths.iter().any(|p| p != Path::new("-")) {
            warn("the paths are ignored: standard input is checked when --stdin-filename is given");
        }
        let name = match &args.stdin_filename {
            Some(name) => normalize(&cwd.join(name)),
            None => PathBuf::from("-"),
        };
        let mut bytes = Vec::new();
        let source = match io::stdin().lock().read_to_end(&mut bytes) {
            Ok(_) => decode(bytes),
            Err(err) => Err(err.to_string()),
        };
        Some((name, source))
    } else {
        None
    };
    let collect = |stdin_text: Option<&str>| -> Vec<Diagnostic> {
        let mut diagnostics = match &stdin {
            Some((name, Ok(source))) => {
                let text = stdin_text.unwrap_or(source);
                pool.install(|| check_stdin(name, text, &settings, &cwd))
            }
            Some((name, Err(reason))) => vec![io_error(name, reason)],
            None => collect_paths(args, &settings, &pool, &cwd),
        };
        diagnostics.sort_by(Diagnostic::sort_key_cmp);
        diagnostics
    };
    let mut diagnostics = collect(None);

    let fix_mode = if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    };
    let mut fixed_count = 0usize;
    if args.fix || args.fix_only || args.diff {
        let resolver = settings.project.resolver(std::iter::empty());
        let module_of = |path: &Path| resolver.module_info(path);
        let (fixed, mut problems) = pool
            .install(|| super::fix::fix_all(&diagnostics, fix_mode, &settings.linter, &module_of));
        fixed_count = fixed.iter().map(super::fix::FixedFile::count).sum();
        if args.diff {
            return print_diffs(&fixed, &cwd, args.quiet);
        }
        if let Some((name, Ok(source))) = &stdin {
            // Editors: the fixed source goes to standard output, the rest to standard error.
            let text = fixed.first().map_or(source.as_str(), |f| f.fixed.as_str());
            let mut out = io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write to standard output")?,
            }
            let remaining = collect(Some(text));
            if !args.quiet {
                let _ = writeln!(
                    io::stderr(),
                    "{}: fixed {fixed_count}, {} remaining",
                    name.display(),
                    remaining.len()
                );
            }
            return Ok(if remaining.is_empty() || args.exit_zero || args.fix_only {
                ExitStatus::Success
            } else {
                ExitStatus::Failure
            });
        }
        for file in &fixed {
            if let Err(problem) = super::fix::write_fixed(file) {
                fixed_count -= file.count();
                problems.push(problem);
            }
        }
        diagnostics = collect(None);
        diagnostics.extend(problems);
        diagnostics.sort_by(Diagnostic::sort_key_cmp);
        if args.fix_only {
            let (errors, remaining): (Vec<Diagnostic>, Vec<Diagnostic>) = diagnostics
                .into_iter()
                .partition(|d| d.severity == Severity::Error);
            if !args.quiet {
                let _ = writeln!(
                    io::stdout(),
                    "Fixed {fixed_count} error{} ({} remaining).",
                    plural(fixed_count),
                    remaining.len()
                );
            }
            if !errors.is_empty() {
                let printer = Printer {
                    format: settings.output_format,
                    statistics: false,
                    quiet: true,
                    color: use_color(args.color, false),
                    cwd: cwd.clone(),
                    fixed: 0,
                    unsafe_fixes: args.unsafe_fixes,
                };
                let mut err = io::stderr().lock();
                let _ = printer.write(&errors, &mut err);
                return Ok(ExitStatus::Error);
            }
            return Ok(ExitStatus::Success);
        }
    }

    let to_file = args.output_file.is_some();
    let printer = Printer {
        format: settings.output_format,
        statistics: args.statistics,
        quiet: args.quiet,
        color: use_color(args.color, to_file),
        cwd,
        fixed: fixed_count,
        unsafe_fixes: args.unsafe_fixes,
    };
    let written = match &args.output_file {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create the directory {}", parent.display()))?;
            }
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = BufWriter::new(file);
            printer
                .write(&diagnostics, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            match printer
                .write(&diagnostics, &mut out)
                .and_then(|()| out.flush())
            {
                // The reader went away (`| head`): nothing more to say to it.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    };
    written?;
    asynclint_linter::stats::mark("printed");

    Ok(if diagnostics.is_empty() || args.exit_zero {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Per-file pattern counts for the checklist: path, dotted module name, facts.
pub(crate) type FactsOutput = Vec<(PathBuf, Option<String>, asynclint_linter::facts::FileFacts)>;

/// The checklist's run: the same walk, phase 1 and phase 2 as `check`, also collecting each
/// file's pattern counts in the same pass. Diagnostics come back sorted.
pub(crate) fn run_with_facts(
    args: &CheckArgs,
    settings: &Settings,
    cwd: &Path,
) -> Result<(Vec<Diagnostic>, FactsOutput)> {
    let pool = worker_pool(WORKER_STACK_SIZE)
        .or_else(|_| worker_pool(FALLBACK_STACK_SIZE))
        .context("cannot start the worker threads")?;
    install_panic_hook();
    let mut facts = Vec::new();
    let mut diagnostics = collect_paths_with_facts(args, settings, &pool, cwd, Some(&mut facts));
    diagnostics.sort_by(Diagnostic::sort_key_cmp);
    Ok((diagnostics, facts))
}

/// The walked files: phase 1 and phase 2.
fn collect_paths(
    args: &CheckArgs,
    settings: &Settings,
    pool: &rayon::ThreadPool,
    cwd: &Path,
) -> Vec<Diagnostic> {
    collect_paths_with_facts(args, settings, pool, cwd, None)
}

fn collect_paths_with_facts(
    args: &CheckArgs,
    settings: &Settings,
    pool: &rayon::ThreadPool,
    cwd: &Path,
    facts: Option<&mut FactsOutput>,
) -> Vec<Diagnostic> {
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![cwd.to_path_buf()]
    } else {
        args.paths.iter().map(|p| normalize(&cwd.join(p))).collect()
    };
    let walked = walk(&paths, &settings.files);
    asynclint_linter::stats::mark("walked");
    if !args.quiet {
        for warning in &walked.warnings {
            warn(warning);
        }
        if walked.files.is_empty() && walked.unreadable.is_empty() {
            warn("No Python files found under the given path(s)");
        }
    }
    let mut diagnostics: Vec<Diagnostic> = walked
        .unreadable
        .iter()
        .map(|(path, reason)| io_error(path, reason))
        .collect();
    // Explicit file arguments: the rest of their project is indexed for context.
    let context = if settings.project.enabled && args.paths.iter().any(|p| cwd.join(p).is_file()) {
        context_files(settings, &walked.files)
    } else {
        Vec::new()
    };
    diagnostics
        .extend(pool.install(|| run_files(&walked.files, &context, settings, cwd, None, facts)));
    diagnostics
}

fn print_diffs(fixed: &[super::fix::FixedFile], cwd: &Path, quiet: bool) -> Result<ExitStatus> {
    let mut out = BufWriter::new(io::stdout().lock());
    let mut count = 0;
    for file in fixed {
        let display = file
            .path
            .strip_prefix(cwd)
            .unwrap_or(&file.path)
            .to_string_lossy()
            .replace('\\', "/");
        count += file.count();
        match out.write_all(super::fix::unified_diff(file, &display).as_bytes()) {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitStatus::Failure),
            other => other.context("cannot write to standard output")?,
        }
    }
    match out.flush() {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to standard output")?,
    }
    if !quiet {
        let _ = writeln!(io::stderr(), "Would fix {count} error{}.", plural(count));
    }
    Ok(if count == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `asynclint parse-only PATH...` (hidden): the benchmark floor, parsing without any analysis.
pub fn parse_only(paths: &[PathBuf]) -> Result<ExitStatus> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let paths: Vec<PathBuf> = paths.iter().map(|p| normalize(&cwd.join(p))).collect();
    let settings = FileSettings {
        exclude: std::sync::Arc::new(crate::settings::PathMatcher::builder().build_default()?),
        respect_gitignore: false,
        force_exclude: false,
    };
    let walked = walk(&paths, &settings);
    let pool = worker_pool(WORKER_STACK_SIZE)
        .or_else(|_| worker_pool(FALLBACK_STACK_SIZE))
        .context("cannot start the worker threads")?;
    let (files, errors): (usize, usize) = pool.install(|| {
        walked
            .files
            .par_iter()
            .map(|path| match read_source(path) {
                Ok(source) => {
                    let parsed = ruff_python_parser::parse_unchecked_source(
                        &source,
                        ruff_python_ast::PySourceType::Python,
                    );
                    (1, usize::from(!parsed.errors().is_empty()))
                }
                Err(_) => (1, 1),
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    writeln!(io::stdout(), "parsed {files} files, {errors} with errors")?;
    Ok(ExitStatus::Success)
}

fn worker_pool(stack_size: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(stack_size)
        .thread_name(|i| format!("asynclint-worker-{i}"))
        .build()
}

/// Phase 1 over every file (in parallel), then phase 2 over the summaries when the project
/// phase is on. `context` files are only indexed; `stdin` replaces one file's text.
fn check_files(
    files: &[PathBuf],
    context: &[PathBuf],
    settings: &Settings,
    cwd: &Path,
    stdin: Option<(&Path, &str)>,
) -> Vec<Diagnostic> {
    run_files(files, context, settings, cwd, stdin, None)
}

/// [`check_files`], also collecting the checklist's pattern counts of the reported files into
/// `facts` when given.
fn run_files(
    files: &[PathBuf],
    context: &[PathBuf],
    settings: &Settings,
    cwd: &Path,
    stdin: Option<(&Path, &str)>,
    mut facts: Option<&mut FactsOutput>,
) -> Vec<Diagnostic> {
    let project = settings.project.enabled;
    let collect_facts = facts.is_some();
    let resolver = settings.project.resolver(files.iter().chain(context));
    asynclint_linter::stats::mark("resolver");
    // Module names come from path walks (and `__init__.py` probes): in parallel too.
    let tasks: Vec<(&PathBuf, bool, ModuleInfo)> = files
        .par_iter()
        .map(|p| (p, true))
        .chain(context.par_iter().map(|p| (p, false)))
        .map(|(p, report)| {
            let mut info = resolver.module_info(p);
            info.collect_summary = project;
            info.collect_facts = collect_facts && report;
            (p, report, info)
        })
        .collect();
    asynclint_linter::stats::mark("module names");
    // The project's top-level modules: phase 1 drops call targets outside them.
    let mut linter = settings.linter.clone();
    if project {
        let modules: rustc_hash::FxHashSet<String> = tasks
            .iter()
            .filter_map(|(_, _, info)| info.path.as_ref()?.first().cloned())
            .collect();
        linter.project_modules = Some(std::sync::Arc::new(modules));
        // About six distinct call targets per file on the corpus: the interner's tables are
        // sized once instead of growing (and rehashing) while phase 1 runs.
        asynclint_linter::project::Target::reserve(tasks.len() * 6);
    }
    // Large files first (largest first), the rest in walk order: the few huge ones (generated
    // protocol tables of several MB take tens of MB to parse) are parsed while the summaries
    // are still small, so the two peaks do not add up (161 -> 139 MiB on the corpus). A full
    // sort by size was measured 30% slower on the corpus, so the rest keeps the walk order.
    // The sizes are read while the per-project settings are worked out (mostly on one thread).
    const LARGE_FILE: u64 = 256 * 1024;
    let (linters, mut order) = rayon::join(
        || {
            crate::settings::PerProjectLinters::new(
                settings,
                &linter,
                tasks.iter().map(|t| (t.0.as_path(), &t.2)),
            )
        },
        || {
            tasks
                .par_iter()
                .enumerate()
                .map(|(i, (path, _, _))| (std::fs::metadata(path).map_or(0, |m| m.len()), i))
                .collect::<Vec<(u64, usize)>>()
        },
    );
    order.sort_by_key(|&(size, _)| std::cmp::Reverse(size.max(LARGE_FILE) - LARGE_FILE));
    asynclint_linter::stats::mark("phase 1 planned");
    let mut outputs: Vec<(usize, FileOutput)> = order
        .par_iter()
        .map(|&(_, i)| (i, &tasks[i]))
        .map(|(i, (path, report, module))| {
            let source = match stdin {
                Some((name, text)) if name == path.as_path() => Ok(text.to_string()),
                _ => read_source(path),
            };
            let from_stdin = stdin.is_some_and(|(name, _)| name == path.as_path());
            let output = match source {
                Ok(source) => {
                    // The text moves into the file the diagnostics share: no copy.
                    let file = SourceFile::new(path.as_path(), source);
                    let mut output =
                        check_source(&file, settings, linters.linter_for(path), module, *report);
                    // Phase 2 cannot re-read standard input from disk: keep its text.
                    if from_stdin && let Some(phase1) = &mut output.phase1 {
                        phase1.source.get_or_insert_with(|| file.clone());
                    }
                    output
                }
                Err(diagnostic) => FileOutput {
                    diagnostics: if *report {
                        vec![*diagnostic]
                    } else {
                        Vec::new()
                    },
                    phase1: None,
                    facts: None,
                },
            };
            (i, output)
        })
        .collect();
    outputs.sort_unstable_by_key(|(i, _)| *i);
    asynclint_linter::stats::mark("phase 1 done");
    let mut diagnostics = Vec::new();
    for ((_, output), (path, _, module)) in outputs.iter_mut().zip(&tasks) {
        diagnostics.append(&mut output.diagnostics);
        if let (Some(collected), Some(file_facts)) = (facts.as_deref_mut(), output.facts.take()) {
            let name = module.path.as_ref().map(|parts| parts.join("."));
            collected.push((path.to_path_buf(), name, file_facts));
        }
    }
    // The summaries go straight from the outputs into phase 2 (no copy of them all between).
    if project && outputs.iter().any(|(_, output)| output.phase1.is_some()) {
        let phase1 = outputs.into_iter().filter_map(|(_, output)| output.phase1);
        let mut more = asynclint_project::phase2(phase1, Some(cwd));
        more.retain(|d| !is_ignored_for_file(settings, d));
        diagnostics.extend(more);
        asynclint_linter::stats::mark("phase 2 done");
    }
    diagnostics
}

struct FileOutput {
    diagnostics: Vec<Diagnostic>,
    phase1: Option<Phase1File>,
    /// The checklist's pattern counts, when collected.
    facts: Option<asynclint_linter::facts::FileFacts>,
}

/// Every Python file of the project the explicit arguments belong to (for the index).
fn context_files(settings: &Settings, files: &[PathBuf]) -> Vec<PathBuf> {
    let root = &settings.project.root;
    if !root.is_dir() {
        return Vec::new();
    }
    let walked = walk(std::slice::from_ref(root), &settings.files);
    let requested: rustc_hash::FxHashSet<&PathBuf> = files.iter().collect();
    walked
        .files
        .into_iter()
        .filter(|p| !requested.contains(p))
        .collect()
}

fn check_stdin(name: &Path, source: &str, settings: &Settings, cwd: &Path) -> Vec<Diagnostic> {
    let files = vec![name.to_path_buf()];
    let context = if settings.project.enabled && name != Path::new("-") {
        context_files(settings, &files)
    } else {
        Vec::new()
    };
    check_files(&files, &context, settings, cwd, Some((name, source)))
}

fn read_source(path: &Path) -> Result<String, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|err| Box::new(io_error(path, err)))?;
    decode(bytes).map_err(|reason| Box::new(io_error(path, reason)))
}

fn decode(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "not valid UTF-8 (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        )
    })
}

fn is_ignored_for_file(settings: &Settings, diagnostic: &Diagnostic) -> bool {
    let ignored = settings.per_file_ignores.ignored(diagnostic.file.path());
    !ignored.is_empty()
        && Rule::from_code(diagnostic.code).is_some_and(|rule| ignored.contains(rule))
}

/// Lints one file, turning a panic into an `internal-error` diagnostic for it.
fn check_source(
    file: &std::sync::Arc<SourceFile>,
    settings: &Settings,
    linter: &asynclint_linter::LinterSettings,
    module: &ModuleInfo,
    report: bool,
) -> FileOutput {
    let result = catch_file_panic(|| {
        #[cfg(debug_assertions)]
        panic_for_tests(file.path());
        lint_file(file.clone(), linter, module)
    });
    let result = match result {
        Ok(result) => result,
        Err(panic) => {
            if !report {
                return FileOutput {
                    diagnostics: Vec::new(),
                    phase1: None,
                    facts: None,
                };
            }
            let file = file.clone();
            return FileOutput {
                diagnostics: vec![
                    Diagnostic::new(
                        INTERNAL_ERROR_CODE,
                        INTERNAL_ERROR_NAME,
                        format!("Internal error while checking this file: {panic}"),
                        TextRange::default(),
                        file,
                    )
                    .with_severity(Severity::Error)
                    .with_help(
                        "This is a bug in asynclint; please report it with the file that triggers it",
                    ),
                ],
                phase1: None,
                facts: None,
            };
        }
    };
    let mut diagnostics = if report {
        result.diagnostics
    } else {
        Vec::new()
    };
    let path = file.path();
    let ignored = settings.per_file_ignores.ignored(path);
    if !ignored.is_empty() {
        diagnostics.retain(|d| {
            d.code == Rule::SyntaxError.code()
                || Rule::from_code(d.code).is_none_or(|rule| !ignored.contains(rule))
        });
    }
    // Phase 2 re-reads the file only when it reports something; keep the text we have when
    // this file already has diagnostics (or came from stdin).
    let source_file = diagnostics.first().map(|d| d.file.clone());
    let phase1 = result.summary.map(|summary| Phase1File {
        path: path.to_path_buf(),
        summary: Some(summary),
        noqa: result.noqa,
        report,
        source: source_file,
    });
    FileOutput {
        diagnostics,
        phase1,
        facts: result.facts,
    }
}

/// Debug builds only: `ASYNCLINT_TEST_PANIC=name.py` makes checking files with that name
/// panic, so the tests can see a caught panic end to end.
#[cfg(debug_assertions)]
fn panic_for_tests(path: &Path) {
    static NAME: std::sync::OnceLock<Option<std::ffi::OsString>> = std::sync::OnceLock::new();
    let name = NAME.get_or_init(|| std::env::var_os("ASYNCLINT_TEST_PANIC"));
    if name
        .as_deref()
        .is_some_and(|name| path.file_name() == Some(name))
    {
        panic!("ASYNCLINT_TEST_PANIC");
    }
}

fn io_error(path: &Path, reason: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(
        IO_ERROR_CODE,
        IO_ERROR_NAME,
        format!("Failed to read: {reason}"),
        TextRange::default(),
        SourceFile::new(path, ""),
    )
    .with_severity(Severity::Error)
}

fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

fn warn(message: &str) {
    // Nowhere to report a closed standard error to.
    let _ = writeln!(io::stderr(), "warning: {message}");
}

thread_local! {
    /// Set while a file is being checked: panics there are reported as diagnostics, so the
    /// hook records them instead of printing.
    static IN_FILE_CHECK: Cell<bool> = const { Cell::new(false) };
    static CAUGHT_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_FILE_CHECK.get() {
                let message = info.payload_as_str().unwrap_or("(no message)");
                let text = match info.location() {
                    Some(location) => format!("panicked at {location}: {message}"),
                    None => format!("panicked: {message}"),
                };
                CAUGHT_PANIC.set(Some(text));
            } else {
                default(info);
            }
        }));
    });
}

fn catch_file_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = IN_FILE_CHECK.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_FILE_CHECK.set(was);
    result.map_err(|_| {
        CAUGHT_PANIC
            .take()
            .unwrap_or_else(|| "panicked".to_string())
    })
}
