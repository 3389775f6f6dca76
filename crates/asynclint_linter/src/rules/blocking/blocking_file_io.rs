//! ## What it does
//! Reports synchronous file I/O made directly in an `async def`: the builtin `open`,
//! `io.open`, `codecs.open`, `os.fdopen`; the `pathlib.Path` methods `open`, `read_text`,
//! `read_bytes`, `write_text` and `write_bytes`; `shutil.copy*`, `shutil.move`,
//! `shutil.rmtree`, `shutil.make_archive` and `shutil.unpack_archive`; and `.read()`,
//! `.readline()`, `.readlines()`, `.write()`, `.writelines()` on a file object opened in the
//! same function (`f = open(...)`, `with open(...) as f`).
//!
//! `Path` methods are reported when the receiver is certainly a `pathlib.Path`: built by
//! `Path(...)`, `Path.home()`/`Path.cwd()`, derived from one (`/`, `.parent`,
//! `.with_suffix(...)`, `.joinpath(...)`, `.resolve()`...), or annotated `path: Path`.
//! `PurePath` objects do no I/O and are not reported.
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. Regular files are always
//! "ready" for the operating system, so asyncio cannot wait for them: every `open`, `read`
//! and `write` runs synchronously on the loop's thread. On a local SSD that may be
//! microseconds, but a large file, a slow disk, a network file system or a busy container
//! volume turns it into tens or hundreds of milliseconds during which no other task runs.
//! `shutil` copies and tree removals are worse: their duration grows with the data. Running
//! the work in a thread (`asyncio.to_thread`, or a library such as `aiofiles`/`anyio` that
//! does it for you) keeps the loop free.
//!
//! ## Example
//! ```python
//! import json
//!
//! async def load_config(path):
//!     with open(path) as f:
//!         return json.loads(f.read())
//! ```
//!
//! Use instead:
//! ```python
//! import json
//!
//! import anyio
//!
//! async def load_config(path):
//!     return json.loads(await anyio.Path(path).read_text())
//! ```
//!
//! or, with only the standard library:
//! ```python
//! import asyncio
//! import json
//! from pathlib import Path
//!
//! async def load_config(path):
//!     text = await asyncio.to_thread(Path(path).read_text)
//!     return json.loads(text)
//! ```
//!
//! Not reported: `aiofiles.open`, `anyio.open_file` and `anyio.Path` methods (awaited);
//! in-memory files (`io.BytesIO`, `io.StringIO`); `open` shadowed by a parameter or local;
//! calls in a nested `def` or `lambda` (not async context), such as a helper passed to
//! `asyncio.to_thread`; `.read()`/`.write()` on objects not known to be files opened in the
//! function (streams, responses, parameters); `os.fdopen(fd)` wrapped by `anyio.wrap_file(...)`
//! (no path lookup, and the wrapper does its reads and writes in a worker thread).
//!
//! ## Options
//! - `allowed-blocking-calls`: callees never reported, by qualified name (`builtins.open`,
//!   `shutil.copy`) or method path (`pathlib.Path().read_text`, `builtins.open().read`).
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
//! - [aiofiles](https://github.com/Tinche/aiofiles)
//! - [AnyIO: Asynchronous file I/O support](https://anyio.readthedocs.io/en/stable/fileio.html)

use ruff_python_ast::{self as ast, Expr, Operator};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::Lookup;

use super::helpers::{BlockingEntry, lookup, report_blocking};

const OPEN_ALT: &str = "`async with aiofiles.open(...)` or `await anyio.open_file(...)`, or move the whole read or write into `await asyncio.to_thread(...)`";
const SHUTIL_ALT: &str = "`await asyncio.to_thread(...)` to run it in a worker thread";

const fn entry(pattern: &'static str, alternative: &'static str) -> BlockingEntry {
    BlockingEntry {
        pattern,
        alternative,
    }
}

/// Functions called by qualified name.
const FUNCTIONS: &[BlockingEntry] = &[
    entry("builtins.open", OPEN_ALT),
    entry("io.open", OPEN_ALT),
    entry("codecs.open", OPEN_ALT),
    entry("os.fdopen", OPEN_ALT),
    entry("shutil.copy*", SHUTIL_ALT),
    entry("shutil.move", SHUTIL_ALT),
    entry("shutil.rmtree", SHUTIL_ALT),
    entry("shutil.make_archive", SHUTIL_ALT),
    entry("shutil.unpack_archive", SHUTIL_ALT),
];

/// `pathlib.Path` methods that open, read or write the file.
const PATH_IO_METHODS: &[&str] = &[
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
];

/// Calls that certainly produce a concrete `pathlib.Path` (PurePath does no I/O).
const PATH_CONSTRUCTORS: &[&str] = &[
    "pathlib.Path",
    "pathlib.PosixPath",
    "pathlib.WindowsPath",
    "pathlib.Path.home",
    "pathlib.Path.cwd",
];

/// `Path` methods that return another `Path`.
const PATH_DERIVING_METHODS: &[&str] = &[
    "with_name",
    "with_stem",
    "with_suffix",
    "joinpath",
    "relative_to",
    "absolute",
    "resolve",
    "expanduser",
];

/// Kinds of file objects, written as the call that opened them.
const FILE_KINDS: &[&str] = &[
    "builtins.open()",
    "io.open()",
    "codecs.open()",
    "os.fdopen()",
];
const FILE_METHODS: &[&str] = &["read", "readline", "readlines", "write", "writelines"];

pub(crate) fn blocking_file_io(checker: &mut Checker, site: &CallSite) {
    if let Some((entry, matched)) = lookup(FUNCTIONS, site) {
        if matched == "os.fdopen" && is_wrapped_for_threads(checker, site) {
            return;
        }
        let what = function_verb(&matched);
        report_blocking(
            checker,
            Rule::BlockingFileIo,
            site,
            &matched,
            what,
            entry.alternative,
        );
        return;
    }
    let (Some(method), Expr::Attribute(attr)) = (site.method_name(), &*site.call.func) else {
        return;
    };
    if PATH_IO_METHODS.contains(&method) && is_path(checker, &attr.value, 0) {
        let matched = format!("pathlib.Path().{method}");
        if checker.settings.is_allowed_blocking(&matched) {
            return;
        }
        let what = match method {
            "open" => "opens a file",
            "read_text" | "read_bytes" => "reads a whole file",
            _ => "writes a whole file",
        };
        let alternative = format!(
            "`await anyio.Path(...).{method}(...)` (same API, awaited), or `await asyncio.to_thread(path.{method}, ...)`"
        );
        report_blocking(
            checker,
            Rule::BlockingFileIo,
            site,
            &matched,
            what,
            &alternative,
        );
        return;
    }
    if FILE_METHODS.contains(&method) && is_file_opened_here(checker, &attr.value) {
        // Shown as the receiver's source (`f.read()`); the kind is only the fallback.
        let kind = site.receiver_kind.unwrap_or("open()");
        let matched = format!(
            "{}.{method}",
            kind.strip_prefix("builtins.").unwrap_or(kind)
        );
        let what = if method.starts_with("read") {
            "reads from a file"
        } else {
            "writes to a file"
        };
        let alternative = format!(
            "`async with aiofiles.open(...) as f` and `await f.{method}(...)`, or move the whole file handling into `await asyncio.to_thread(...)`"
        );
        report_blocking(
            checker,
            Rule::BlockingFileIo,
            site,
            &matched,
            what,
            &alternative,
        );
    }
}

/// `anyio.wrap_file(os.fdopen(fd))`: `fdopen` only wraps a descriptor that is already open (no
/// path lookup), and every later read or write of the wrapper runs in a worker thread.
fn is_wrapped_for_threads(checker: &Checker, site: &CallSite) -> bool {
    let Some(Expr::Call(outer)) = checker.parent_expression() else {
        return false;
    };
    outer
        .arguments
        .args
        .first()
        .is_some_and(|a| a.range() == site.call.range())
        && checker
            .semantic
            .resolve_qualified_name(&outer.func)
            .is_some_and(|q| {
                matches!(
                    q.as_str(),
                    "anyio.wrap_file" | "anyio._core._fileio.wrap_file"
                )
            })
}

fn function_verb(matched: &str) -> &'static str {
    match matched {
        "shutil.move" => "moves files",
        "shutil.rmtree" => "deletes a directory tree",
        "shutil.make_archive" => "writes an archive",
        "shutil.unpack_archive" => "extracts an archive",
        "shutil.copymode" | "shutil.copystat" => "copies file metadata",
        m if m.starts_with("shutil.") => "copies file data",
        _ => "opens a file",
    }
}

/// Is `expr` certainly a concrete `pathlib.Path`?
fn is_path(checker: &Checker, expr: &Expr, depth: u8) -> bool {
    if depth > 8 {
        return false;
    }
    match expr {
        Expr::Call(call) => {
            if let Some(q) = checker.semantic.resolve_qualified_name(&call.func) {
                return PATH_CONSTRUCTORS.contains(&q.as_str());
            }
            match &*call.func {
                Expr::Attribute(attr) => {
                    PATH_DERIVING_METHODS.contains(&attr.attr.as_str())
                        && is_path(checker, &attr.value, depth + 1)
                }
                _ => false,
            }
        }
        // `path / "name"`: a `str` on the right keeps it a `Path`.
        Expr::BinOp(ast::ExprBinOp {
            left,
            op: Operator::Div,
            ..
        }) => is_path(checker, left, depth + 1),
        Expr::Attribute(attr) if attr.attr.as_str() == "parent" => {
            is_path(checker, &attr.value, depth + 1)
        }
        Expr::Name(_) | Expr::Attribute(_) => checker
            .semantic
            .object_kind(expr)
            .is_some_and(|kind| is_path_kind(&kind)),
        _ => false,
    }
}

/// `pathlib.Path()`, `pathlib.Path.home().joinpath()`, ... (a kind string from the model).
fn is_path_kind(kind: &str) -> bool {
    let mut kind = kind;
    loop {
        if PATH_CONSTRUCTORS
            .iter()
            .any(|c| kind.strip_prefix(c) == Some("()"))
        {
            return true;
        }
        let Some(rest) = kind.strip_suffix("()") else {
            return false;
        };
        let Some((base, method)) = rest.rsplit_once('.') else {
            return false;
        };
        if !PATH_DERIVING_METHODS.contains(&method) {
            return false;
        }
        kind = base;
    }
}

/// A name bound, in the current function only, to a file object from `open(...)`.
fn is_file_opened_here(checker: &Checker, receiver: &Expr) -> bool {
    let Expr::Name(name) = receiver else {
        return false;
    };
    let Some(kind) = checker.semantic.object_kind(receiver) else {
        return false;
    };
    let is_file = FILE_KINDS.contains(&kind.as_str())
        || kind.strip_suffix(".open()").is_some_and(is_path_kind);
    if !is_file {
        return false;
    }
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let Lookup::Found(bindings) = checker.semantic.lookup(name.id.as_str()) else {
        return false;
    };
    let body = function.def.range();
    bindings.iter().all(|b| body.contains_range(b.range))
}
