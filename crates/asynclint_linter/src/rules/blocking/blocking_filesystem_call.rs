//! ## What it does
//! Reports synchronous filesystem calls made directly in an `async def`: the `os.path`
//! predicates that stat the disk (`exists`, `lexists`, `isfile`, `isdir`, `islink`, `ismount`,
//! `getsize`, `getmtime`, `getatime`, `getctime`, `samefile`), the `os` directory and metadata
//! functions (`listdir`, `scandir`, `walk`, `fwalk`, `stat`, `lstat`, `statvfs`, `access`,
//! `remove`, `unlink`, `rmdir`, `removedirs`, `mkdir`, `makedirs`, `rename`, `renames`,
//! `replace`, `link`, `symlink`, `readlink`, `chmod`, `lchmod`, `chown`, `lchown`, `utime`,
//! `truncate`), `glob.glob`/`glob.iglob`, and the `pathlib.Path` methods that touch the disk
//! (`exists`, `is_file`, `is_dir`, `is_symlink`, `is_mount`, `iterdir`, `glob`, `rglob`,
//! `walk`, `stat`, `lstat`, `mkdir`, `rmdir`, `unlink`, `rename`, `replace`, `touch`, `chmod`,
//! `samefile`, `owner`, `group`, ...).
//!
//! `pathlib.Path` methods are only reported when the receiver is known to be a concrete path:
//! built in the same function or module (`p = Path(...)`, `Path.home()`,
//! `Path(...).with_suffix(...)`), assigned in `__init__`, annotated (`p: Path`), or chained
//! (`Path(p).exists()`).
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. Every one of these calls is a
//! system call that waits for the filesystem: usually microseconds on a warm local disk, but
//! milliseconds to seconds on a cold cache, a network share (NFS, SMB), a container overlay or
//! a slow SD card, and a directory walk multiplies that by the number of entries. While the
//! call waits, no other task runs: requests queue up, timers fire late and heartbeats are
//! missed. asyncio has no asynchronous filesystem API; the fix is to move the work to a thread
//! (`asyncio.to_thread`), which is what `aiofiles.os` and `anyio.Path` do for you.
//!
//! ## Example
//! ```python
//! import os
//!
//! async def load_plugins(directory):
//!     if not os.path.isdir(directory):
//!         return []
//!     return [name for name in os.listdir(directory) if name.endswith(".py")]
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//! import os
//!
//! def _plugin_names(directory):
//!     if not os.path.isdir(directory):
//!         return []
//!     return [name for name in os.listdir(directory) if name.endswith(".py")]
//!
//! async def load_plugins(directory):
//!     return await asyncio.to_thread(_plugin_names, directory)
//! ```
//!
//! or, one call at a time, `await aiofiles.os.path.isdir(directory)` /
//! `await anyio.Path(directory).is_dir()`.
//!
//! Not reported: pure path computations (`os.path.join`, `basename`, `dirname`, `splitext`,
//! `abspath`, `normpath`, `pathlib.PurePath`, building a `Path`, `path / "x"`, `.name`,
//! `.suffix`, `.parent`); `os.path.realpath` and `Path.resolve`; awaited `anyio.Path` and
//! `aiofiles.os` calls; calls in a nested `def` or `lambda` (not async context); functions passed
//! to `asyncio.to_thread`/`loop.run_in_executor` rather than called, and lazy iterators
//! (`os.walk(...)`, `glob.iglob(...)`, `path.iterdir()`) created as an argument of such a call
//! (or of `hass.async_add_executor_job`), or assigned to a local that the function only hands
//! to other calls or nested functions, never iterating it itself (`gen = path.walk()` consumed
//! by `next(gen)` in a helper run in a thread; `path.iterdir()` only under a
//! `sys.version_info < (3, 13)` guard, since it lists eagerly from 3.13 on);
//! `exists`/`stat`/`glob` methods of objects whose kind is
//! unknown, and awaited method calls (`await path.exists()` means an async path object).
//!
//! ## Options
//! - `allowed-blocking-calls`: callees never reported, by qualified name (`os.path.exists`)
//!   or method path (`pathlib.Path().exists`).
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
//! - [`os.path`](https://docs.python.org/3/library/os.path.html)
//! - [`pathlib`](https://docs.python.org/3/library/pathlib.html)
//! - [aiofiles: `aiofiles.os`](https://github.com/Tinche/aiofiles#aiofilesos)
//! - [AnyIO: Asynchronous file I/O (`anyio.Path`)](https://anyio.readthedocs.io/en/stable/fileio.html)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

use super::helpers::{receiver_is_async, report_blocking};

/// `os.path` functions that stat the filesystem (the rest of `os.path` is string work).
const OS_PATH_FUNCTIONS: &[&str] = &[
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "getsize", "getmtime", "getatime",
    "getctime", "samefile",
];

/// Of those, the ones `aiofiles.os.path` wraps.
const AIOFILES_OS_PATH: &[&str] = &[
    "exists", "isfile", "isdir", "islink", "ismount", "getsize", "getmtime", "getatime",
    "getctime", "samefile",
];

/// `os` functions that take a path and make a filesystem system call.
const OS_FUNCTIONS: &[&str] = &[
    "listdir",
    "scandir",
    "walk",
    "fwalk",
    "stat",
    "lstat",
    "statvfs",
    "access",
    "remove",
    "unlink",
    "rmdir",
    "removedirs",
    "mkdir",
    "makedirs",
    "rename",
    "renames",
    "replace",
    "link",
    "symlink",
    "readlink",
    "chmod",
    "lchmod",
    "chown",
    "lchown",
    "utime",
    "truncate",
];

/// Of those, the ones `aiofiles.os` wraps (`scandir` is left out: its iterator reads lazily).
const AIOFILES_OS: &[&str] = &[
    "listdir",
    "stat",
    "statvfs",
    "access",
    "remove",
    "unlink",
    "rmdir",
    "removedirs",
    "mkdir",
    "makedirs",
    "rename",
    "renames",
    "replace",
    "link",
    "symlink",
    "readlink",
];

/// Kinds of concrete (not pure) paths.
const PATH_CONSTRUCTORS: &[&str] = &[
    "pathlib.Path()",
    "pathlib.PosixPath()",
    "pathlib.WindowsPath()",
    "pathlib.Path.cwd()",
    "pathlib.Path.home()",
];

/// Methods of a concrete path that return another concrete path, so
/// `Path(p).with_suffix(".bak").exists()` keeps its kind.
const PATH_DERIVING_METHODS: &[&str] = &[
    "joinpath",
    "with_name",
    "with_stem",
    "with_suffix",
    "with_segments",
    "relative_to",
    "expanduser",
    "absolute",
];

/// `pathlib.Path` methods that make a filesystem system call. `open`/`read_*`/`write_*` are
/// AIO103 (blocking-file-io); `resolve` is left out (it only touches the disk for symlinks).
const PATH_METHODS: &[&str] = &[
    "exists",
    "is_file",
    "is_dir",
    "is_symlink",
    "is_mount",
    "is_junction",
    "is_socket",
    "is_fifo",
    "is_block_device",
    "is_char_device",
    "iterdir",
    "glob",
    "rglob",
    "walk",
    "stat",
    "lstat",
    "mkdir",
    "rmdir",
    "unlink",
    "rename",
    "replace",
    "touch",
    "chmod",
    "lchmod",
    "samefile",
    "owner",
    "group",
    "readlink",
    "symlink_to",
    "hardlink_to",
];

/// Classes whose unbound methods may be called with the path as first argument (`Path.exists(p)`).
const PATH_CLASSES: &[&str] = &["pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"];

/// Calls returning an iterator that reads the directory as it is consumed.
const OS_ITERATORS: &[&str] = &["os.walk", "os.fwalk", "os.scandir", "glob.iglob"];
const PATH_ITERATORS: &[&str] = &["iterdir", "glob", "rglob", "walk"];

/// Of the iterators, those that do no I/O until the first `next()` (generators), so one
/// created as an argument of `asyncio.to_thread(list, ...)` is consumed in the thread only.
const LAZY_ITERATORS: &[&str] = &[
    "os.walk",
    "os.fwalk",
    "glob.iglob",
    "iterdir",
    "glob",
    "rglob",
    "walk",
];

/// What a matched call is.
enum Callee<'s> {
    /// `os.path.exists`, `os.listdir`, `glob.glob`, `pathlib.Path.exists` (unbound).
    Function { qualified: &'s str },
    /// `path.exists()` on a concrete path.
    PathMethod { kind: &'s str, method: &'s str },
}

pub(crate) fn blocking_filesystem_call(checker: &mut Checker, site: &CallSite) {
    let Some(callee) = classify(site) else {
        return;
    };
    let (matched, short) = match &callee {
        Callee::Function { qualified } => ((*qualified).to_string(), *qualified),
        Callee::PathMethod { kind, method } => (format!("{kind}.{method}"), *method),
    };
    if LAZY_ITERATORS.contains(&short)
        && (is_thread_argument(checker, site) || is_assigned_and_handed_off(checker, site, short))
    {
        return;
    }
    if matches!(callee, Callee::PathMethod { .. }) && receiver_is_async(checker, site) {
        return;
    }
    let help = help(checker, site, &callee);
    report_blocking(
        checker,
        Rule::BlockingFilesystemCall,
        site,
        &matched,
        "makes a synchronous filesystem call",
        &help,
    );
}

fn classify<'s>(site: &'s CallSite) -> Option<Callee<'s>> {
    if let Some(qualified) = site.qualified {
        let catalogued = if let Some(name) = qualified.strip_prefix("os.path.") {
            OS_PATH_FUNCTIONS.contains(&name)
        } else if let Some(name) = qualified.strip_prefix("os.") {
            OS_FUNCTIONS.contains(&name)
        } else if matches!(qualified, "glob.glob" | "glob.iglob") {
            true
        } else {
            // `Path.exists(p)`: the unbound method called on a path.
            qualified.rsplit_once('.').is_some_and(|(class, method)| {
                PATH_CLASSES.contains(&class) && PATH_METHODS.contains(&method)
            })
        };
        return catalogued.then_some(Callee::Function { qualified });
    }
    let kind = site.receiver_kind?;
    let method = site.method_name()?;
    (PATH_METHODS.contains(&method) && is_concrete_path_kind(kind))
        .then_some(Callee::PathMethod { kind, method })
}

/// The help line: a worker thread for the call (the whole iteration for directory iterators),
/// or the `aiofiles.os` / `anyio.Path` equivalent when one exists.
fn help(checker: &Checker, site: &CallSite, callee: &Callee) -> String {
    let short_source = |range| {
        let text = checker.source_of(range);
        (text.len() <= 50 && !text.contains('\n')).then_some(text)
    };
    let iterate_in_thread = || match short_source(site.call.range()) {
        Some(call) => format!(
            "`await asyncio.to_thread(lambda: list({call}))`, or move the whole loop into a function run with `asyncio.to_thread`"
        ),
        None => {
            "move the iteration into a function run with `await asyncio.to_thread(...)`".to_string()
        }
    };
    match callee {
        Callee::Function { qualified } if OS_ITERATORS.contains(qualified) => iterate_in_thread(),
        Callee::Function { qualified } => {
            let thread = format!("`await asyncio.to_thread({qualified}, ...)`");
            let aiofiles = if let Some(name) = qualified.strip_prefix("os.path.") {
                AIOFILES_OS_PATH
                    .contains(&name)
                    .then(|| format!("`await aiofiles.os.path.{name}(...)`"))
            } else if let Some(name) = qualified.strip_prefix("os.") {
                AIOFILES_OS
                    .contains(&name)
                    .then(|| format!("`await aiofiles.os.{name}(...)`"))
            } else {
                None
            };
            match aiofiles {
                Some(aiofiles) => format!("{aiofiles}, or {thread}"),
                None => thread,
            }
        }
        Callee::PathMethod { method, .. } if PATH_ITERATORS.contains(method) => format!(
            "`async for ... in anyio.Path(...).{method}(...)`, or {}",
            iterate_in_thread()
        ),
        Callee::PathMethod { method, .. } => {
            let func = short_source(site.call.func.range()).unwrap_or("path.method");
            format!(
                "`await anyio.Path(...).{method}(...)`, or `await asyncio.to_thread({func}, ...)`"
            )
        }
    }
}

/// `pathlib.Path()`, `pathlib.Path.home()`, `pathlib.Path().with_suffix().joinpath()`, ...
fn is_concrete_path_kind(kind: &str) -> bool {
    let mut rest = kind;
    loop {
        if PATH_CONSTRUCTORS.contains(&rest) {
            return true;
        }
        let Some(base) = rest.strip_suffix("()") else {
            return false;
        };
        let Some((receiver, method)) = base.rsplit_once('.') else {
            return false;
        };
        if !PATH_DERIVING_METHODS.contains(&method) {
            return false;
        }
        rest = receiver;
    }
}

/// Is the call a direct argument of `asyncio.to_thread(...)`, `loop.run_in_executor(...)`,
/// `anyio.to_thread.run_sync(...)`, `trio.to_thread.run_sync(...)` or
/// `hass.async_add_executor_job(...)`?
fn is_thread_argument(checker: &Checker, site: &CallSite) -> bool {
    let Some(Expr::Call(outer)) = checker.parent_expression() else {
        return false;
    };
    if !outer
        .arguments
        .args
        .iter()
        .any(|a| a.range() == site.call.range())
    {
        return false;
    }
    match checker
        .semantic
        .resolve_qualified_name(&outer.func)
        .as_deref()
    {
        Some("asyncio.to_thread" | "anyio.to_thread.run_sync" | "trio.to_thread.run_sync") => true,
        Some(_) => false,
        // `loop.run_in_executor(...)`, Home Assistant's `hass.async_add_executor_job(...)`.
        None => {
            matches!(&*outer.func, Expr::Attribute(attr) if matches!(attr.attr.as_str(), "run_in_executor" | "async_add_executor_job"))
        }
    }
}

/// `gen = path.walk()` whose `gen` the function never iterates itself but hands to another
/// call or a nested function (`next(gen)` in a helper run by `to_thread`, `Iterator(gen)`):
/// creating the generator does no I/O, and the directory is read wherever it is consumed.
/// `Path.iterdir()` lists the directory eagerly since Python 3.13, so it only counts under a
/// `sys.version_info < (3, 13)` guard.
fn is_assigned_and_handed_off(checker: &Checker, site: &CallSite, short: &str) -> bool {
    if short == "iterdir" && !is_under_pre_313_guard(checker, site.call.range()) {
        return false;
    }
    let Some(Stmt::Assign(assign)) = checker.current_statement() else {
        return false;
    };
    let [Expr::Name(target)] = &*assign.targets else {
        return false;
    };
    let call = site.call.range();
    let is_value = match &*assign.value {
        Expr::If(if_exp) => if_exp.body.range() == call || if_exp.orelse.range() == call,
        value => value.range() == call,
    };
    if !is_value {
        return false;
    }
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let mut finder = IteratorUses {
        checker,
        name: target.id.as_str(),
        nested: 0,
        accounted: Vec::new(),
        consumed: false,
        handed_off: false,
    };
    finder.visit_body(&function.def.body);
    finder.handed_off && !finder.consumed
}

/// Builtins that iterate their argument on the spot.
const CONSUMERS: &[&str] = &[
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.frozenset",
    "builtins.dict",
    "builtins.sorted",
    "builtins.next",
    "builtins.any",
    "builtins.all",
    "builtins.sum",
    "builtins.min",
    "builtins.max",
    "builtins.enumerate",
    "builtins.zip",
    "builtins.map",
    "builtins.filter",
    "builtins.reversed",
];

/// How a function uses a name holding a lazy directory iterator: iterated in the function
/// itself (`consumed`), or only given to other calls / nested functions (`handed_off`). Any
/// use that is not understood counts as consumed.
struct IteratorUses<'c, 'a> {
    checker: &'c Checker<'a>,
    name: &'c str,
    nested: u32,
    /// Uses already classified through their parent node.
    accounted: Vec<TextRange>,
    consumed: bool,
    handed_off: bool,
}

impl IteratorUses<'_, '_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if n.id.as_str() == self.name)
    }

    fn classify(&mut self, expr: &Expr, consumed: bool) {
        if self.nested == 0 && self.is_name(expr) {
            self.accounted.push(expr.range());
            if consumed {
                self.consumed = true;
            } else {
                self.handed_off = true;
            }
        }
    }
}

impl<'b> Visitor<'b> for IteratorUses<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                visitor::walk_stmt(self, stmt);
                self.nested -= 1;
                return;
            }
            Stmt::For(for_stmt) => self.classify(&for_stmt.iter, true),
            Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) => self.classify(value, true),
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        match expr {
            Expr::Lambda(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
                return;
            }
            Expr::Name(name) => {
                if name.id.as_str() == self.name
                    && name.ctx.is_load()
                    && !self.accounted.contains(&name.range)
                {
                    if self.nested > 0 {
                        self.handed_off = true;
                    } else {
                        self.consumed = true;
                    }
                }
                return;
            }
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. }) => {
                for generator in generators {
                    self.classify(&generator.iter, true);
                }
            }
            Expr::YieldFrom(yield_from) => self.classify(&yield_from.value, true),
            Expr::Call(call) => {
                let consumes = self
                    .checker
                    .semantic
                    .resolve_qualified_name(&call.func)
                    .is_some_and(|q| CONSUMERS.contains(&q.as_str()));
                for arg in &call.arguments.args {
                    let arg = match arg {
                        Expr::Starred(starred) => &*starred.value,
                        arg => arg,
                    };
                    self.classify(arg, consumes);
                }
                for keyword in &call.arguments.keywords {
                    self.classify(&keyword.value, consumes);
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Is `range` in the branch taken on Python < 3.13 of an `if`/conditional expression testing
/// `sys.version_info < (3, 13)` (or an older bound)?
fn is_under_pre_313_guard(checker: &Checker, range: TextRange) -> bool {
    let in_if_exp = checker.expression_ancestors().any(|expr| {
        matches!(expr, Expr::If(if_exp)
            if if_exp.body.range().contains_range(range) && is_pre_313_test(checker, &if_exp.test))
    });
    in_if_exp
        || checker.statement_ancestors().any(|stmt| {
            matches!(stmt, Stmt::If(if_stmt)
                if if_stmt.body.first().zip(if_stmt.body.last()).is_some_and(|(first, last)| {
                    TextRange::new(first.start(), last.end()).contains_range(range)
                }) && is_pre_313_test(checker, &if_stmt.test))
        })
}

fn is_pre_313_test(checker: &Checker, test: &Expr) -> bool {
    crate::rules::modernize::version_guard::version_compare(checker, test).is_some_and(
        |(op, minor)| match op {
            ast::CmpOp::Lt => minor <= 13,
            ast::CmpOp::LtE => minor <= 12,
            _ => false,
        },
    )
}
