//! Shared by AIO600 (`with` on an async-only context manager) and AIO601 (`async with` on a
//! sync-only one): the catalogue of library context managers, the same-file analysis of
//! decorated functions and classes, and the phase-2 verdict on project definitions.

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::checker::summary::{class_members, context_manager_decorator};
use crate::project::{ContextManagerDecorator, DeferredCheck, DeferredKind, ProjectFacts, Target};
use crate::registry::Rule;
use crate::semantic::BindingKind;

/// A library context manager that supports only one of `with` / `async with`.
pub(crate) struct Entry {
    /// The object kind (see `SemanticModel::object_kind`).
    pub kind: &'static str,
    /// What it is, for the message: "an `asyncio.Lock`".
    pub what: &'static str,
    /// What to write instead.
    pub help: &'static str,
}

const fn entry(kind: &'static str, what: &'static str, help: &'static str) -> Entry {
    Entry { kind, what, help }
}

const ASYNC_WITH: &str = "Use `async with` inside an `async def`";
const AIOHTTP_REQUEST: &str =
    "Use `async with session.get(...) as response:` inside an `async def`";

/// Context managers that implement only `__aenter__`/`__aexit__` (AIO600).
pub(crate) const ASYNC_ONLY: &[Entry] = &[
    entry("asyncio.TaskGroup()", "an `asyncio.TaskGroup`", ASYNC_WITH),
    entry(
        "asyncio.taskgroups.TaskGroup()",
        "an `asyncio.TaskGroup`",
        ASYNC_WITH,
    ),
    entry(
        "asyncio.timeout()",
        "an `asyncio.timeout` context",
        ASYNC_WITH,
    ),
    entry(
        "asyncio.timeout_at()",
        "an `asyncio.timeout_at` context",
        ASYNC_WITH,
    ),
    entry(
        "asyncio.timeouts.timeout()",
        "an `asyncio.timeout` context",
        ASYNC_WITH,
    ),
    entry(
        "asyncio.Lock()",
        "an `asyncio.Lock`",
        "Use `async with lock:` inside an `async def` (or a `threading.Lock` for code that never awaits)",
    ),
    entry(
        "asyncio.locks.Lock()",
        "an `asyncio.Lock`",
        "Use `async with lock:` inside an `async def` (or a `threading.Lock` for code that never awaits)",
    ),
    entry("asyncio.Semaphore()", "an `asyncio.Semaphore`", ASYNC_WITH),
    entry(
        "asyncio.BoundedSemaphore()",
        "an `asyncio.BoundedSemaphore`",
        ASYNC_WITH,
    ),
    entry(
        "asyncio.locks.Semaphore()",
        "an `asyncio.Semaphore`",
        ASYNC_WITH,
    ),
    entry("asyncio.Condition()", "an `asyncio.Condition`", ASYNC_WITH),
    entry(
        "asyncio.locks.Condition()",
        "an `asyncio.Condition`",
        ASYNC_WITH,
    ),
    entry(
        "aiohttp.ClientSession()",
        "an `aiohttp.ClientSession`",
        "Use `async with aiohttp.ClientSession() as session:` inside an `async def`",
    ),
    entry(
        "aiohttp.client.ClientSession()",
        "an `aiohttp.ClientSession`",
        "Use `async with aiohttp.ClientSession() as session:` inside an `async def`",
    ),
    entry(
        "aiohttp.ClientSession().get()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().post()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().put()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().patch()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().delete()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().head()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().options()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().request()",
        "an `aiohttp` request",
        AIOHTTP_REQUEST,
    ),
    entry(
        "aiohttp.ClientSession().ws_connect()",
        "an `aiohttp` WebSocket connection",
        AIOHTTP_REQUEST,
    ),
    entry(
        "httpx.AsyncClient()",
        "an `httpx.AsyncClient`",
        "Use `async with httpx.AsyncClient() as client:` inside an `async def`, or `httpx.Client()` in sync code",
    ),
    entry(
        "httpx.AsyncClient().stream()",
        "an `httpx.AsyncClient` stream",
        "Use `async with client.stream(...) as response:` inside an `async def`",
    ),
    entry(
        "aiofiles.open()",
        "an `aiofiles` file",
        "Use `async with aiofiles.open(...) as f:` inside an `async def`, or the builtin `open()` in sync code",
    ),
    entry(
        "aiofiles.threadpool.open()",
        "an `aiofiles` file",
        "Use `async with aiofiles.open(...) as f:` inside an `async def`, or the builtin `open()` in sync code",
    ),
    entry(
        "anyio.create_task_group()",
        "an anyio task group",
        ASYNC_WITH,
    ),
    entry("trio.open_nursery()", "a trio nursery", ASYNC_WITH),
    entry(
        "contextlib.AsyncExitStack()",
        "a `contextlib.AsyncExitStack`",
        "Use `async with`, or `contextlib.ExitStack()` in sync code",
    ),
    entry(
        "contextlib.aclosing()",
        "a `contextlib.aclosing` context",
        "Use `async with`, or `contextlib.closing()` for sync objects",
    ),
    entry("asyncpg.create_pool()", "an `asyncpg` pool", ASYNC_WITH),
    entry(
        "await asyncpg.create_pool().acquire()",
        "an `asyncpg` pool acquisition",
        "Use `async with pool.acquire() as connection:` inside an `async def`",
    ),
    entry(
        "asyncpg.create_pool().acquire()",
        "an `asyncpg` pool acquisition",
        "Use `async with pool.acquire() as connection:` inside an `async def`",
    ),
    entry(
        "asyncpg.Pool().acquire()",
        "an `asyncpg` pool acquisition",
        "Use `async with pool.acquire() as connection:` inside an `async def`",
    ),
    entry(
        "asyncpg.pool.Pool().acquire()",
        "an `asyncpg` pool acquisition",
        "Use `async with pool.acquire() as connection:` inside an `async def`",
    ),
    entry(
        "await asyncpg.connect().transaction()",
        "an `asyncpg` transaction",
        "Use `async with connection.transaction():` inside an `async def`",
    ),
    entry(
        "asyncpg.Connection().transaction()",
        "an `asyncpg` transaction",
        "Use `async with connection.transaction():` inside an `async def`",
    ),
    entry(
        "asyncpg.connection.Connection().transaction()",
        "an `asyncpg` transaction",
        "Use `async with connection.transaction():` inside an `async def`",
    ),
];

const OPEN_HELP: &str = "Use `async with aiofiles.open(...)` / `await anyio.open_file(...)`, or do the file I/O in a thread with `asyncio.to_thread`";
const THREAD_LOCK_HELP: &str = "Use an `asyncio.Lock()` (with `async with`), or a plain `with` in code that never awaits while holding it";
const SYNC_WITH: &str = "Use a plain `with`";

/// Context managers that implement only `__enter__`/`__exit__` (AIO601).
pub(crate) const SYNC_ONLY: &[Entry] = &[
    entry(
        "builtins.open()",
        "a file from the builtin `open()`",
        OPEN_HELP,
    ),
    entry("io.open()", "a file from `io.open()`", OPEN_HELP),
    entry(
        "pathlib.Path().open()",
        "a file from `Path.open()`",
        OPEN_HELP,
    ),
    entry("codecs.open()", "a file from `codecs.open()`", OPEN_HELP),
    entry("gzip.open()", "a file from `gzip.open()`", OPEN_HELP),
    entry(
        "tempfile.TemporaryDirectory()",
        "a `tempfile.TemporaryDirectory`",
        SYNC_WITH,
    ),
    entry(
        "tempfile.NamedTemporaryFile()",
        "a `tempfile.NamedTemporaryFile`",
        SYNC_WITH,
    ),
    entry(
        "tempfile.TemporaryFile()",
        "a `tempfile.TemporaryFile`",
        SYNC_WITH,
    ),
    entry("threading.Lock()", "a `threading.Lock`", THREAD_LOCK_HELP),
    entry("threading.RLock()", "a `threading.RLock`", THREAD_LOCK_HELP),
    entry(
        "threading.Semaphore()",
        "a `threading.Semaphore`",
        "Use an `asyncio.Semaphore()` (with `async with`)",
    ),
    entry(
        "threading.BoundedSemaphore()",
        "a `threading.BoundedSemaphore`",
        "Use an `asyncio.BoundedSemaphore()` (with `async with`)",
    ),
    entry(
        "threading.Condition()",
        "a `threading.Condition`",
        "Use an `asyncio.Condition()` (with `async with`)",
    ),
    entry(
        "requests.Session()",
        "a `requests.Session`",
        "Use `async with httpx.AsyncClient()` / `aiohttp.ClientSession()` (or a plain `with` in sync code)",
    ),
    entry(
        "requests.session()",
        "a `requests.Session`",
        "Use `async with httpx.AsyncClient()` / `aiohttp.ClientSession()` (or a plain `with` in sync code)",
    ),
    entry(
        "requests.sessions.Session()",
        "a `requests.Session`",
        "Use `async with httpx.AsyncClient()` / `aiohttp.ClientSession()` (or a plain `with` in sync code)",
    ),
    entry(
        "httpx.Client()",
        "a sync `httpx.Client`",
        "Use `async with httpx.AsyncClient() as client:`",
    ),
    entry(
        "contextlib.suppress()",
        "a `contextlib.suppress` context",
        "Use a plain `with contextlib.suppress(...)`: it also covers the `await`s in its body",
    ),
    entry(
        "contextlib.ExitStack()",
        "a `contextlib.ExitStack`",
        "Use `async with contextlib.AsyncExitStack()`",
    ),
    entry(
        "contextlib.closing()",
        "a `contextlib.closing` context",
        "Use `async with contextlib.aclosing(...)` for objects with `aclose()`, or a plain `with`",
    ),
    entry(
        "contextlib.redirect_stdout()",
        "a `contextlib.redirect_stdout` context",
        SYNC_WITH,
    ),
    entry(
        "contextlib.redirect_stderr()",
        "a `contextlib.redirect_stderr` context",
        SYNC_WITH,
    ),
    entry(
        "contextlib.chdir()",
        "a `contextlib.chdir` context",
        SYNC_WITH,
    ),
    entry(
        "concurrent.futures.ThreadPoolExecutor()",
        "a `ThreadPoolExecutor`",
        SYNC_WITH,
    ),
    entry(
        "concurrent.futures.ProcessPoolExecutor()",
        "a `ProcessPoolExecutor`",
        SYNC_WITH,
    ),
];

/// The catalogue entry matching the context expression's kind.
pub(crate) fn catalogued<'e>(
    checker: &Checker,
    expr: &Expr,
    catalogue: &'e [Entry],
) -> Option<&'e Entry> {
    let kind = checker.semantic.object_kind(expr)?;
    catalogue.iter().find(|e| e.kind == kind)
}

/// `asyncio.Lock()` for calls, the source text (`self._lock`) otherwise.
pub(crate) fn display(checker: &Checker, expr: &Expr) -> String {
    let text = match expr {
        Expr::Call(call) => format!("{}()", checker.source_of(call.func.range())),
        other => checker.source_of(other.range()).to_string(),
    };
    if text.len() <= 60 && !text.contains('\n') {
        text
    } else {
        "this context manager".to_string()
    }
}

/// What a project or same-file definition supports, as far as a single file can tell.
enum Local {
    Decorated {
        kind: ContextManagerDecorator,
        name: String,
    },
    Class {
        name: String,
        has_enter: bool,
        has_aenter: bool,
    },
}

/// Phase 1 for a `with` item that is not catalogued: decide from this file when the context
/// manager is a same-file decorated function or a base-less class; defer to the project index
/// when it resolves to a project definition; otherwise stay quiet.
pub(crate) fn check_definition(
    checker: &mut Checker,
    rule: Rule,
    expr: &Expr,
    is_async_with: bool,
) {
    let display = display(checker, expr);
    if checker.summary.is_some()
        && let Some(target) = project_target(checker, expr)
    {
        let range = expr.range();
        if let Some(builder) = &mut checker.summary {
            builder.summary.deferred.push(DeferredCheck {
                rule,
                range,
                target,
                kind: DeferredKind::ContextManagerUse(Box::new(
                    crate::project::texts::ContextManagerUse {
                        display,
                        is_async_with,
                    },
                )),
            });
        }
        return;
    }
    let Some(local) = local_definition(checker, expr) else {
        return;
    };
    let file = checker.file();
    if let Some(diagnostic) = verdict(
        rule,
        &local,
        &display,
        None,
        expr.range(),
        &file,
        is_async_with,
    ) {
        checker.push_diagnostic(diagnostic);
    }
}

/// The project definition a context expression comes from: the callee of `Ctor(...)` /
/// `factory(...)` / `self.method(...)`, or the class of an object of known kind.
fn project_target(checker: &Checker, expr: &Expr) -> Option<Target> {
    match expr {
        Expr::Call(call) => checker
            .semantic
            .resolve_target(&call.func)
            .filter(|target| !target.is_super()),
        Expr::Name(_) | Expr::Attribute(_) => {
            let kind = checker.semantic.object_kind(expr)?;
            let class = kind.strip_suffix("()")?;
            if class.contains(['(', ' ']) {
                return None;
            }
            Some(Target::path(class))
        }
        _ => None,
    }
}

/// `f(...)` where `f` is a same-file `def` decorated with `@contextmanager` /
/// `@asynccontextmanager`, or `C(...)` where `C` is a same-file class with no bases.
fn local_definition(checker: &Checker, expr: &Expr) -> Option<Local> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Name(name) = &*call.func else {
        return None;
    };
    let binding = checker.semantic.unique_binding(name.id.as_str())?;
    match binding.kind {
        BindingKind::FunctionDef(def) => {
            let kind = context_manager_decorator(&checker.semantic, &def.decorator_list)?;
            Some(Local::Decorated {
                kind,
                name: def.name.to_string(),
            })
        }
        BindingKind::ClassDef(class) => {
            if !has_no_bases(checker, class) {
                return None;
            }
            let (members, opaque) = class_members(&checker.semantic, class);
            if opaque {
                return None;
            }
            Some(Local::Class {
                name: class.name.to_string(),
                has_enter: members.contains(&"__enter__"),
                has_aenter: members.contains(&"__aenter__"),
            })
        }
        _ => None,
    }
}

fn has_no_bases(checker: &Checker, class: &ast::StmtClassDef) -> bool {
    let Some(arguments) = &class.arguments else {
        return true;
    };
    arguments.keywords.is_empty()
        && arguments.args.iter().all(|base| {
            checker
                .semantic
                .resolve_qualified_name(base)
                .is_some_and(|q| q == "builtins.object")
        })
}

fn verdict(
    rule: Rule,
    local: &Local,
    display: &str,
    location: Option<String>,
    range: TextRange,
    file: &Arc<SourceFile>,
    is_async_with: bool,
) -> Option<Diagnostic> {
    let at = location.map(|l| format!(" ({l})")).unwrap_or_default();
    let (message, help) = match (local, is_async_with) {
        (Local::Decorated { kind: ContextManagerDecorator::Async, name }, false) => (
            format!(
                "`{name}`{at} is decorated with `@asynccontextmanager`: the context manager it returns only supports `async with`, so a plain `with` fails at run time (no `__enter__`)"
            ),
            "Use `async with` inside an `async def`, or decorate a sync generator with `@contextlib.contextmanager`".to_string(),
        ),
        (Local::Decorated { kind: ContextManagerDecorator::Sync, name }, true) => (
            format!(
                "`{name}`{at} is decorated with `@contextmanager`: the context manager it returns only supports plain `with`, so `async with` fails at run time (no `__aenter__`)"
            ),
            "Use a plain `with`, or make it an `async def` generator decorated with `@contextlib.asynccontextmanager`".to_string(),
        ),
        (Local::Class { name, has_enter: false, has_aenter: true }, false) => (
            format!(
                "`{display}` is an instance of `{name}`, which defines `__aenter__` but not `__enter__`: a plain `with` fails at run time"
            ),
            format!("Use `async with` inside an `async def`, or give `{name}` `__enter__`/`__exit__`"),
        ),
        (Local::Class { name, has_enter: true, has_aenter: false }, true) => (
            format!(
                "`{display}` is an instance of `{name}`, which defines `__enter__` but not `__aenter__`: `async with` fails at run time"
            ),
            format!("Use a plain `with`, or give `{name}` `__aenter__`/`__aexit__`"),
        ),
        _ => return None,
    };
    Some(Diagnostic::new(rule.code(), rule.name(), message, range, file.clone()).with_help(help))
}

/// Inside `with pytest.raises(...)` / `self.assertRaises(...)`: a test expecting the failure.
/// One `with`/`async with` item, for AIO600 (`is_async_with` false: look for async-only
/// managers) and AIO601 (true: look for sync-only ones).
pub(crate) fn check_item(
    checker: &mut Checker,
    rule: Rule,
    item: &ast::WithItem,
    is_async_with: bool,
) {
    let expr = &item.context_expr;
    if expects_failure(checker) {
        return;
    }
    let catalog = if is_async_with { SYNC_ONLY } else { ASYNC_ONLY };
    if let Some(entry) = catalogued(checker, expr, catalog) {
        report_catalogued(checker, rule, expr, entry, is_async_with);
        return;
    }
    check_definition(checker, rule, expr, is_async_with);
}

pub(crate) fn expects_failure(checker: &Checker) -> bool {
    checker.statement_ancestors().any(|stmt| {
        let Stmt::With(with) = stmt else { return false };
        with.items.iter().any(|item| {
            let Expr::Call(call) = &item.context_expr else {
                return false;
            };
            match &*call.func {
                Expr::Attribute(attr) if attr.attr.as_str().starts_with("assertRaises") => true,
                func => checker
                    .semantic
                    .resolve_qualified_name(func)
                    .is_some_and(|q| q == "pytest.raises"),
            }
        })
    })
}

/// Report a catalogued library context manager.
pub(crate) fn report_catalogued(
    checker: &mut Checker,
    rule: Rule,
    expr: &Expr,
    entry: &Entry,
    is_async_with: bool,
) {
    let display = display(checker, expr);
    let message = if is_async_with {
        format!(
            "`{display}` is {}, which only supports plain `with`: `async with` fails at run time (no `__aenter__`/`__aexit__`)",
            entry.what
        )
    } else {
        format!(
            "`{display}` is {}, which only supports `async with`: a plain `with` fails at run time (no `__enter__`/`__exit__`)",
            entry.what
        )
    };
    checker.report(rule, message, entry.help, expr.range(), None);
}

/// Phase 2: the target is a project function (decorated?) or class (which methods?).
pub(crate) fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::ContextManagerUse(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::ContextManagerUse {
        display,
        is_async_with,
    } = &**texts;
    let path = check.target.as_path()?;
    let name = path.rsplit('.').next().unwrap_or(path).to_string();
    if let Some(function) = facts.resolve_function(&check.target) {
        let kind = function.summary.context_manager?;
        // Name the function as written at the call (`repo.session`), not by its last segment.
        let name = display.strip_suffix("()").map_or(name, str::to_string);
        let location = facts.location(&function, function.summary.offset);
        let local = Local::Decorated { kind, name };
        return verdict(
            check.rule,
            &local,
            display,
            Some(location),
            check.range,
            file,
            *is_async_with,
        );
    }
    let has_enter = facts.class_has_method(&check.target, "__enter__")?;
    let has_aenter = facts.class_has_method(&check.target, "__aenter__")?;
    let local = Local::Class {
        name,
        has_enter,
        has_aenter,
    };
    verdict(
        check.rule,
        &local,
        display,
        None,
        check.range,
        file,
        *is_async_with,
    )
}
