//! Pattern counts for the checklist report (`asynclint checklist`), collected during the same
//! traversal that runs the rules when [`crate::ModuleInfo::collect_facts`] is set.
//!
//! Facts are not findings: they say where a practice is (or is not) used, so the report can
//! show "12 `asyncio.timeout` blocks, e.g. `api.py:40`" as evidence for a passing item, or
//! list every `Semaphore` and its limit for a reviewer. Each kind keeps a count and the first
//! few locations of the file (every location for the kinds a reviewer must see in full).
//!
//! The checker calls one function per node kind ([`statement`], [`call`], [`yield_expr`]);
//! nothing here runs when the flag is off.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{CallSite, Checker};
use crate::semantic::BindingKind;

/// Examples kept per kind and file, unless the kind keeps them all.
pub const MAX_EXAMPLES: usize = 3;
/// Longest `detail` text kept for an example.
const MAX_DETAIL: usize = 80;

macro_rules! facts {
    ($( $variant:ident $key:literal $all:literal $label:literal; )*) => {
        /// A kind of pattern the checklist counts.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fact { $($variant,)* }

        impl Fact {
            pub const ALL: &'static [Fact] = &[$(Fact::$variant,)*];

            /// Stable snake_case key (the JSON report uses it).
            pub const fn key(self) -> &'static str {
                match self { $(Fact::$variant => $key,)* }
            }

            /// What is counted, for people.
            pub const fn label(self) -> &'static str {
                match self { $(Fact::$variant => $label,)* }
            }

            /// Every location is kept, not only the first few (a reviewer needs them all).
            pub const fn keeps_all_examples(self) -> bool {
                match self { $(Fact::$variant => $all,)* }
            }
        }
    };
}

// variant                        key                                   all?   label
facts! {
    AsyncDef                      "async_functions"                     false  "async functions";
    AsyncDefWithoutReturnType     "async_functions_without_return_type" false  "async functions without a return annotation";
    AsyncWith                     "async_with"                          false  "`async with` statements";
    AsyncFor                      "async_for"                           false  "`async for` loops";
    AsyncGenerator                "async_generators"                    false  "async generators (`async def` with `yield`)";
    AsyncGeneratorWithCleanup     "async_generators_with_cleanup"       false  "async generators yielding inside `try/finally` or `async with`";
    AenterMethod                  "aenter_methods"                      false  "`__aenter__` methods";
    AexitMethod                   "aexit_methods"                       false  "`__aexit__` methods";
    AsyncContextManagerDecorator  "asynccontextmanager_functions"       false  "`@asynccontextmanager` functions";
    Gather                        "gather_calls"                        false  "`asyncio.gather` calls";
    GatherReturnExceptions        "gather_return_exceptions"            false  "`gather(..., return_exceptions=True)` calls";
    GatherWithoutReturnExceptions "gather_without_return_exceptions"    false  "`gather` calls without `return_exceptions=True`";
    TaskGroup                     "task_groups"                         false  "task groups (`asyncio.TaskGroup()`, `anyio.create_task_group()`)";
    TaskGroupCreateTask           "taskgroup_create_task"               false  "`tg.create_task` calls";
    CreateTask                    "create_task_calls"                   false  "`create_task`/`ensure_future` calls";
    AddDoneCallback               "done_callbacks"                      false  "`add_done_callback` calls";
    NamedTask                     "named_tasks"                         false  "tasks given a name (`name=`, `set_name`)";
    TaskCancel                    "cancel_calls"                        false  "`.cancel()` calls";
    AllTasks                      "all_tasks_calls"                     false  "`asyncio.all_tasks()` calls";
    Semaphore                     "semaphores"                          true   "semaphores and capacity limiters, with their limit";
    Queue                         "queues"                              true   "asyncio queues, with their `maxsize`";
    UnboundedQueue                "unbounded_queues"                    false  "queues without a `maxsize`";
    QueueSize                     "qsize_calls"                         false  "`qsize()` calls";
    ThreadExecutor                "thread_pool_executors"               false  "`ThreadPoolExecutor` constructions";
    ProcessExecutor               "process_pool_executors"              false  "`ProcessPoolExecutor` constructions";
    RunInExecutor                 "run_in_executor_calls"               false  "`run_in_executor` calls";
    ToThread                      "to_thread_calls"                     false  "`asyncio.to_thread`/`anyio.to_thread.run_sync` calls";
    SignalHandler                 "signal_handlers"                     false  "signal handlers (`add_signal_handler`, `signal.signal`)";
    Timeout                       "timeouts"                            false  "timeout blocks (`asyncio.timeout`, `async_timeout`, anyio)";
    TimeoutAt                     "timeout_at"                          false  "`asyncio.timeout_at` deadlines";
    WaitFor                       "wait_for_calls"                      false  "`asyncio.wait_for` calls";
    WaitWithTimeout               "wait_with_timeout"                   false  "`asyncio.wait(..., timeout=)` calls";
    AsyncExceptHandler            "async_except_handlers"               false  "`except` handlers in async functions";
    ExceptStar                    "except_star_handlers"                false  "`except*` handlers";
    ExceptCancelled               "cancelled_error_handlers"            false  "`except CancelledError` handlers";
    ExceptTimeout                 "timeout_error_handlers"              false  "`except TimeoutError` handlers";
    LogInExcept                   "logging_in_except"                   false  "logging calls in `except` handlers";
    ExceptFallback                "fallback_handlers"                   false  "`except` handlers that return a fallback value";
    ResourceClose                 "close_calls"                         false  "`close()`/`aclose()` calls in async code";
    HttpClient                    "async_http_clients"                  false  "async HTTP client constructions (`httpx.AsyncClient`, `aiohttp.ClientSession`)";
    DbPool                        "db_pools"                            false  "database connection pools";
    RetryDecorator                "retry_helpers"                       false  "retry helpers (tenacity, backoff, stamina)";
    RetrySleep                    "retry_sleeps"                        false  "`asyncio.sleep` in an `except` handler (hand-written retry)";
    CircuitBreaker                "circuit_breakers"                    false  "circuit breakers";
    LoopDebug                     "loop_debug"                          false  "event-loop debugging (`slow_callback_duration`, `set_debug`, `debug=True`)";
    ShutdownFunction              "shutdown_functions"                  false  "shutdown/cleanup functions";
    ShutdownLog                   "shutdown_logging"                    false  "logging calls in shutdown/cleanup functions";
    AsyncTest                     "async_tests"                         false  "async test functions";
    AsyncioMarker                 "asyncio_markers"                     false  "`pytest.mark.asyncio`/`anyio` markers";
    AsyncFixture                  "async_fixtures"                      false  "async fixtures";
    AsyncMock                     "async_mocks"                         false  "`AsyncMock` uses";
    SideEffect                    "side_effects"                        false  "`side_effect` settings";
    ReturnValue                   "return_values"                       false  "`return_value` settings";
    PatchTarget                   "patch_targets"                       true   "`patch(...)` targets";
    AssertAwaited                 "assert_awaited_calls"                false  "`assert_awaited*` calls";
    RaisesTimeout                 "raises_timeout"                      false  "`pytest.raises` of a timeout error";
    RaisesCancelled               "raises_cancelled"                    false  "`pytest.raises(CancelledError)`";
    TestFanOut                    "test_fan_out"                        false  "tests starting many tasks (`gather(*...)`, `create_task` in a loop)";
}

/// Third-party and standard modules whose imports the checklist looks at (dependency items,
/// retries, breakers, monitoring). A dotted entry matches that module and its submodules.
pub const TRACKED_MODULES: &[&str] = &[
    "aiobreaker",
    "aiodebug",
    "aiohttp",
    "aiomonitor",
    "aiomysql",
    "aiopg",
    "aioredis",
    "aiosqlite",
    "anyio",
    "async_timeout",
    "asyncmy",
    "asyncpg",
    "backoff",
    "circuitbreaker",
    "cProfile",
    "databases",
    "ddtrace",
    "http.client",
    "httpx",
    "motor",
    "mysql.connector",
    "opentelemetry",
    "prometheus_client",
    "psycopg",
    "psycopg2",
    "psycopg_pool",
    "purgatory",
    "pybreaker",
    "pyinstrument",
    "pymongo",
    "pymysql",
    "pytest_asyncio",
    "redis",
    "redis.asyncio",
    "requests",
    "scalene",
    "sentry_sdk",
    "sqlalchemy",
    "sqlalchemy.ext.asyncio",
    "sqlite3",
    "stamina",
    "statsd",
    "tenacity",
    "tortoise",
    "urllib.request",
    "urllib3",
    "uvloop",
    "yappi",
];

/// One place where a fact was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactExample {
    /// 1-based line.
    pub line: u32,
    /// What was there when it matters (`Semaphore(10)`, a patch target).
    pub detail: Option<Box<str>>,
}

/// How often a kind occurs in a file, with where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactCount {
    pub count: u32,
    pub examples: Vec<FactExample>,
}

/// The facts of one file.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// A pytest file: `test_*.py`, `*_test.py`, `conftest.py`, or under a `tests`/`test`
    /// directory.
    pub is_test: bool,
    counts: Vec<FactCount>,
    /// Imports of [`TRACKED_MODULES`], sorted by module.
    pub imports: Vec<(&'static str, FactCount)>,
}

impl FileFacts {
    pub fn get(&self, fact: Fact) -> &FactCount {
        static EMPTY: FactCount = FactCount {
            count: 0,
            examples: Vec::new(),
        };
        self.counts.get(fact as usize).unwrap_or(&EMPTY)
    }

    /// Kinds seen at least once.
    pub fn iter(&self) -> impl Iterator<Item = (Fact, &FactCount)> {
        Fact::ALL
            .iter()
            .copied()
            .zip(&self.counts)
            .filter(|(_, c)| c.count > 0)
    }
}

/// A fact recorded at a byte offset; lines are computed once at the end.
struct Pending {
    fact: Fact,
    offset: TextSize,
    detail: Option<Box<str>>,
}

/// Collects facts while the checker walks a file.
pub(crate) struct FactsBuilder {
    is_test: bool,
    counts: Vec<u32>,
    kept: Vec<u32>,
    pending: Vec<Pending>,
    imports: Vec<(&'static str, u32, Vec<TextSize>)>,
    /// The last `async def` recorded as a generator (functions are recorded once).
    last_generator: Option<TextSize>,
    last_generator_cleanup: Option<TextSize>,
}

impl FactsBuilder {
    /// `module` (the dotted path, relative to an import root) tells test directories apart
    /// from a `tests` directory somewhere above the project.
    pub(crate) fn new(path: &std::path::Path, module: Option<&[String]>) -> Self {
        Self {
            is_test: is_test_path(path, module),
            counts: vec![0; Fact::ALL.len()],
            kept: vec![0; Fact::ALL.len()],
            pending: Vec::new(),
            imports: Vec::new(),
            last_generator: None,
            last_generator_cleanup: None,
        }
    }

    fn add(&mut self, fact: Fact, range: TextRange, detail: impl FnOnce() -> Option<String>) {
        let index = fact as usize;
        self.counts[index] += 1;
        if fact.keeps_all_examples() || (self.kept[index] as usize) < MAX_EXAMPLES {
            self.kept[index] += 1;
            self.pending.push(Pending {
                fact,
                offset: range.start(),
                detail: detail().map(|d| shorten(&d).into_boxed_str()),
            });
        }
    }

    fn add_import(&mut self, module: &str, range: TextRange) {
        for tracked in TRACKED_MODULES {
            let matches = module == *tracked
                || module
                    .strip_prefix(tracked)
                    .is_some_and(|rest| rest.starts_with('.'));
            if !matches {
                continue;
            }
            match self.imports.iter_mut().find(|(m, _, _)| m == tracked) {
                Some((_, count, offsets)) => {
                    *count += 1;
                    if offsets.len() < MAX_EXAMPLES {
                        offsets.push(range.start());
                    }
                }
                None => self.imports.push((tracked, 1, vec![range.start()])),
            }
        }
    }

    pub(crate) fn finish(self, source: &str) -> FileFacts {
        let index = (!self.pending.is_empty() || !self.imports.is_empty())
            .then(|| LineIndex::from_source_text(source));
        let line = |offset: TextSize| {
            index.as_ref().map_or(0, |index| {
                u32::try_from(index.line_index(offset).get()).unwrap_or(u32::MAX)
            })
        };
        let mut counts: Vec<FactCount> = self
            .counts
            .iter()
            .map(|&count| FactCount {
                count,
                examples: Vec::new(),
            })
            .collect();
        let mut pending = self.pending;
        pending.sort_by_key(|p| (p.fact, p.offset));
        for p in pending {
            counts[p.fact as usize].examples.push(FactExample {
                line: line(p.offset),
                detail: p.detail,
            });
        }
        let mut imports: Vec<(&'static str, FactCount)> = self
            .imports
            .into_iter()
            .map(|(module, count, offsets)| {
                let examples = offsets
                    .into_iter()
                    .map(|o| FactExample {
                        line: line(o),
                        detail: None,
                    })
                    .collect();
                (module, FactCount { count, examples })
            })
            .collect();
        imports.sort_by_key(|(module, _)| *module);
        FileFacts {
            is_test: self.is_test,
            counts,
            imports,
        }
    }
}

fn is_test_path(path: &std::path::Path, module: Option<&[String]>) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.strip_suffix(".py").unwrap_or(name);
    if stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest" {
        return true;
    }
    let packages = match module {
        Some([packages @ .., _]) => packages,
        _ => &[],
    };
    packages.iter().any(|p| p == "tests" || p == "test")
}

fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_DETAIL {
        return one_line;
    }
    let mut short: String = one_line.chars().take(MAX_DETAIL - 1).collect();
    short.push('…');
    short
}

/// Runs `f` with the builder taken out of the checker (so `f` can read the checker freely).
fn with_builder<'a>(checker: &mut Checker<'a>, f: impl FnOnce(&mut FactsBuilder, &Checker<'a>)) {
    let Some(mut builder) = checker.facts.take() else {
        return;
    };
    f(&mut builder, checker);
    checker.facts = Some(builder);
}

// ---------------------------------------------------------------------------------------------
// Statements

/// Called for every statement, before its children are visited.
pub(crate) fn statement<'a>(checker: &mut Checker<'a>, stmt: &'a Stmt) {
    with_builder(checker, |facts, checker| match stmt {
        Stmt::FunctionDef(def) => function_def(facts, checker, def),
        // `CircuitBreaker`, `ServiceBreaker`; not `CircuitBreakerSwitch` (a device).
        Stmt::ClassDef(class) if class.name.as_str().ends_with("Breaker") => {
            facts.add(Fact::CircuitBreaker, class.name.range(), || {
                Some(format!("class {}", class.name))
            });
        }
        Stmt::With(with) if with.is_async => {
            facts.add(Fact::AsyncWith, with.range(), || None);
        }
        Stmt::For(for_stmt) if for_stmt.is_async => {
            facts.add(Fact::AsyncFor, for_stmt.range(), || None);
        }
        Stmt::Try(try_stmt) => try_statement(facts, checker, try_stmt),
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                assignment(facts, checker, target, &assign.value);
            }
        }
        Stmt::AnnAssign(assign) => {
            if let Some(value) = &assign.value {
                assignment(facts, checker, &assign.target, value);
            }
        }
        Stmt::Import(import) => {
            for alias in &import.names {
                facts.add_import(alias.name.as_str(), alias.range());
            }
        }
        Stmt::ImportFrom(import) => {
            if import.level == 0
                && let Some(module) = &import.module
            {
                facts.add_import(module.as_str(), import.range());
                // `from redis import asyncio`
                for alias in &import.names {
                    let full = format!("{}.{}", module.as_str(), alias.name.as_str());
                    if TRACKED_MODULES.contains(&full.as_str()) {
                        facts.add_import(&full, alias.range());
                    }
                }
            }
        }
        _ => {}
    });
}

fn function_def(facts: &mut FactsBuilder, checker: &Checker, def: &ast::StmtFunctionDef) {
    let name = def.name.as_str();
    let in_class = matches!(
        checker.semantic.current_scope_kind(),
        crate::semantic::ScopeKind::Class
    );
    let at = def.name.range();
    if def.is_async {
        facts.add(Fact::AsyncDef, at, || Some(format!("{name}()")));
        if def.returns.is_none() {
            facts.add(Fact::AsyncDefWithoutReturnType, at, || {
                Some(format!("{name}()"))
            });
        }
        if in_class && name == "__aenter__" {
            facts.add(Fact::AenterMethod, at, || None);
        }
        if in_class && name == "__aexit__" {
            facts.add(Fact::AexitMethod, at, || None);
        }
    }
    let lower = name.to_ascii_lowercase();
    if [
        "shutdown",
        "stop",
        "close",
        "cleanup",
        "teardown",
        "terminate",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        facts.add(Fact::ShutdownFunction, at, || Some(format!("{name}()")));
    }
    let mut is_fixture = false;
    for decorator in &def.decorator_list {
        let expr = match &decorator.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        let Some(qualified) = checker.semantic.resolve_qualified_name(expr) else {
            continue;
        };
        match qualified.as_str() {
            "contextlib.asynccontextmanager" => {
                facts.add(Fact::AsyncContextManagerDecorator, at, || {
                    Some(format!("{name}()"))
                });
            }
            "pytest.fixture" | "pytest_asyncio.fixture" => is_fixture = true,
            "pytest.mark.asyncio" | "pytest.mark.anyio" => {
                facts.add(Fact::AsyncioMarker, decorator.range(), || None);
            }
            q if is_retry_helper(q) && !matches!(decorator.expression, Expr::Call(_)) => {
                // Bare `@retry`; decorator calls are counted as calls.
                facts.add(Fact::RetryDecorator, decorator.range(), || {
                    Some(q.to_string())
                });
            }
            q if is_breaker(q) && !matches!(decorator.expression, Expr::Call(_)) => {
                facts.add(Fact::CircuitBreaker, decorator.range(), || {
                    Some(q.to_string())
                });
            }
            _ => {}
        }
    }
    if def.is_async && is_fixture {
        facts.add(Fact::AsyncFixture, at, || Some(format!("{name}()")));
    }
    if def.is_async && facts.is_test && name.starts_with("test") && !is_fixture {
        facts.add(Fact::AsyncTest, at, || Some(format!("{name}()")));
    }
}

fn try_statement(facts: &mut FactsBuilder, checker: &Checker, try_stmt: &ast::StmtTry) {
    let in_async = checker.semantic.in_async_context();
    for handler in &try_stmt.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let at = handler.range();
        if try_stmt.is_star {
            facts.add(Fact::ExceptStar, at, || None);
        }
        if in_async {
            facts.add(Fact::AsyncExceptHandler, at, || None);
        }
        if let Some(type_) = &handler.type_ {
            let names: Vec<&Expr> = match &**type_ {
                Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                other => vec![other],
            };
            let resolved: Vec<String> = names
                .iter()
                .filter_map(|e| checker.semantic.resolve_qualified_name(e))
                .collect();
            if resolved.iter().any(|q| is_cancelled_error(q)) {
                facts.add(Fact::ExceptCancelled, at, || None);
            }
            if resolved.iter().any(|q| is_timeout_error(q)) {
                facts.add(Fact::ExceptTimeout, at, || None);
            }
        }
        if in_async && returns_fallback(&handler.body) {
            facts.add(Fact::ExceptFallback, at, || {
                Some(handler_text(checker, handler))
            });
        }
    }
}

/// `except X:` header text, for the fallback evidence.
fn handler_text(checker: &Checker, handler: &ast::ExceptHandlerExceptHandler) -> String {
    match &handler.type_ {
        Some(type_) => format!("except {}", checker.source_of(type_.range())),
        None => "except".to_string(),
    }
}

/// The handler's own statements return a value and never re-raise.
fn returns_fallback(body: &[Stmt]) -> bool {
    let mut returns = false;
    for stmt in body {
        match stmt {
            Stmt::Raise(_) => return false,
            Stmt::Return(ret) => {
                returns |= ret
                    .value
                    .as_deref()
                    .is_some_and(|v| !matches!(v, Expr::NoneLiteral(_)));
            }
            _ => {}
        }
    }
    returns
}

fn assignment(facts: &mut FactsBuilder, checker: &Checker, target: &Expr, value: &Expr) {
    match target {
        Expr::Attribute(attr) => match attr.attr.as_str() {
            "side_effect" => facts.add(Fact::SideEffect, attr.range(), || {
                Some(checker.source_of(attr.range()).to_string())
            }),
            "return_value" => facts.add(Fact::ReturnValue, attr.range(), || None),
            "slow_callback_duration" => facts.add(Fact::LoopDebug, attr.range(), || {
                Some(format!(
                    "slow_callback_duration = {}",
                    checker.source_of(value.range())
                ))
            }),
            _ => {}
        },
        Expr::Name(name) if name.id.as_str() == "pytestmark" => {
            let marks: Vec<&Expr> = match value {
                Expr::List(list) => list.elts.iter().collect(),
                Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                other => vec![other],
            };
            for mark in marks {
                let expr = match mark {
                    Expr::Call(call) => &*call.func,
                    other => other,
                };
                if let Some(q) = checker.semantic.resolve_qualified_name(expr)
                    && matches!(q.as_str(), "pytest.mark.asyncio" | "pytest.mark.anyio")
                {
                    facts.add(Fact::AsyncioMarker, mark.range(), || {
                        Some("pytestmark".to_string())
                    });
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Expressions

/// Called for every call, with its callee resolved.
pub(crate) fn call<'a>(checker: &mut Checker<'a>, site: &CallSite<'a, '_>) {
    with_builder(checker, |facts, checker| call_facts(facts, checker, site));
}

fn call_facts(facts: &mut FactsBuilder, checker: &Checker, site: &CallSite) {
    let call = site.call;
    let at = call.range();
    let text = || Some(checker.source_of(call.range()).to_string());
    if let Some(qualified) = site.qualified {
        qualified_call(facts, checker, site, qualified);
    }
    // Keyword facts hold whatever the callee is.
    if let Some(keyword) = site.keyword("side_effect") {
        facts.add(Fact::SideEffect, keyword.range(), || {
            Some(format!(
                "side_effect={}",
                checker.source_of(keyword.value.range())
            ))
        });
    }
    if site.keyword("return_value").is_some() {
        facts.add(Fact::ReturnValue, at, || None);
    }
    if let Some(keyword) = site.keyword("new_callable")
        && checker
            .semantic
            .resolve_qualified_name(&keyword.value)
            .is_some_and(|q| q == "unittest.mock.AsyncMock")
    {
        facts.add(Fact::AsyncMock, keyword.range(), || None);
    }
    let Some(method) = site.method_name() else {
        return;
    };
    if site.qualified.is_some_and(|q| q.starts_with("asyncio.")) {
        // `asyncio.create_task` & co. were handled above.
        return;
    }
    match method {
        "create_task" | "ensure_future" => {
            if is_task_group_receiver(checker, &call.func) {
                facts.add(Fact::TaskGroupCreateTask, at, text);
            } else {
                facts.add(Fact::CreateTask, at, text);
            }
            if site.keyword("name").is_some() {
                facts.add(Fact::NamedTask, at, || None);
            }
            test_fan_out(facts, checker, site);
        }
        "start_soon" if is_task_group_receiver(checker, &call.func) => {
            facts.add(Fact::TaskGroupCreateTask, at, text);
        }
        "add_done_callback" => facts.add(Fact::AddDoneCallback, at, text),
        "set_name" => facts.add(Fact::NamedTask, at, || None),
        "cancel" if call.arguments.args.is_empty() => facts.add(Fact::TaskCancel, at, text),
        "qsize" => facts.add(Fact::QueueSize, at, text),
        "run_in_executor" => facts.add(Fact::RunInExecutor, at, text),
        "add_signal_handler" => facts.add(Fact::SignalHandler, at, text),
        "set_debug" => facts.add(Fact::LoopDebug, at, text),
        "close" | "aclose" | "wait_closed" if checker.semantic.in_async_context() => {
            facts.add(Fact::ResourceClose, at, text);
        }
        "assert_awaited"
        | "assert_awaited_once"
        | "assert_awaited_with"
        | "assert_awaited_once_with"
        | "assert_any_await"
        | "assert_has_awaits"
        | "assert_not_awaited" => facts.add(Fact::AssertAwaited, at, || None),
        "patch" if receiver_is_name(&call.func, "mocker") => patch_target(facts, site),
        "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "log"
            if is_logger_receiver(checker, &call.func) =>
        {
            logging_call(facts, checker, at);
        }
        _ => {}
    }
}

fn qualified_call(facts: &mut FactsBuilder, checker: &Checker, site: &CallSite, qualified: &str) {
    let call = site.call;
    let at = call.range();
    let text = || Some(checker.source_of(call.range()).to_string());
    match qualified {
        "asyncio.gather" => {
            facts.add(Fact::Gather, at, || None);
            let returns = site
                .keyword("return_exceptions")
                .is_some_and(|k| !matches!(k.value, Expr::BooleanLiteral(ref b) if !b.value));
            if returns {
                facts.add(Fact::GatherReturnExceptions, at, || None);
            } else {
                facts.add(Fact::GatherWithoutReturnExceptions, at, || None);
            }
            test_fan_out(facts, checker, site);
        }
        "asyncio.TaskGroup" | "anyio.create_task_group" => {
            facts.add(Fact::TaskGroup, at, || None);
        }
        "asyncio.create_task" | "asyncio.ensure_future" => {
            facts.add(Fact::CreateTask, at, text);
            if site.keyword("name").is_some() {
                facts.add(Fact::NamedTask, at, || None);
            }
            test_fan_out(facts, checker, site);
        }
        "asyncio.all_tasks" => facts.add(Fact::AllTasks, at, || None),
        "asyncio.Semaphore"
        | "asyncio.BoundedSemaphore"
        | "asyncio.locks.Semaphore"
        | "asyncio.locks.BoundedSemaphore"
        | "anyio.Semaphore"
        | "anyio.CapacityLimiter" => {
            let short = qualified.rsplit('.').next().unwrap_or(qualified);
            facts.add(Fact::Semaphore, at, || {
                Some(match first_argument(site, "value") {
                    Some(limit) => format!("{short}({})", checker.source_of(limit.range())),
                    None if short == "CapacityLimiter" => format!("{short}()"),
                    None => format!("{short}() (limit 1)"),
                })
            });
        }
        "asyncio.Queue"
        | "asyncio.PriorityQueue"
        | "asyncio.LifoQueue"
        | "asyncio.queues.Queue" => {
            let short = qualified.rsplit('.').next().unwrap_or(qualified);
            let maxsize = first_argument(site, "maxsize");
            let unbounded = maxsize.is_none_or(is_zero);
            facts.add(Fact::Queue, at, || {
                Some(match maxsize {
                    Some(m) if !unbounded => {
                        format!("{short}(maxsize={})", checker.source_of(m.range()))
                    }
                    _ => format!("{short}() unbounded"),
                })
            });
            if unbounded {
                facts.add(Fact::UnboundedQueue, at, || None);
            }
        }
        "concurrent.futures.ThreadPoolExecutor"
        | "concurrent.futures.thread.ThreadPoolExecutor" => {
            facts.add(Fact::ThreadExecutor, at, text);
        }
        "concurrent.futures.ProcessPoolExecutor"
        | "concurrent.futures.process.ProcessPoolExecutor" => {
            facts.add(Fact::ProcessExecutor, at, text);
        }
        "asyncio.to_thread" | "anyio.to_thread.run_sync" => facts.add(Fact::ToThread, at, text),
        "signal.signal" => facts.add(Fact::SignalHandler, at, text),
        "asyncio.timeout"
        | "async_timeout.timeout"
        | "anyio.fail_after"
        | "anyio.move_on_after" => {
            facts.add(Fact::Timeout, at, text);
        }
        "asyncio.timeout_at" | "async_timeout.timeout_at" => {
            facts.add(Fact::TimeoutAt, at, text);
        }
        "asyncio.wait_for" => facts.add(Fact::WaitFor, at, || None),
        "asyncio.wait" if site.keyword("timeout").is_some() => {
            facts.add(Fact::WaitWithTimeout, at, text);
        }
        "asyncio.run" if site.keyword("debug").is_some() => {
            facts.add(Fact::LoopDebug, at, text);
        }
        "asyncio.sleep" if in_except_handler(checker, at) => {
            facts.add(Fact::RetrySleep, at, text);
        }
        "httpx.AsyncClient" | "aiohttp.ClientSession" | "aiohttp.client.ClientSession" => {
            facts.add(Fact::HttpClient, at, text);
        }
        "asyncpg.create_pool"
        | "aiomysql.create_pool"
        | "aiopg.create_pool"
        | "psycopg_pool.AsyncConnectionPool"
        | "sqlalchemy.ext.asyncio.create_async_engine"
        | "redis.asyncio.ConnectionPool"
        | "redis.asyncio.BlockingConnectionPool"
        | "motor.motor_asyncio.AsyncIOMotorClient" => facts.add(Fact::DbPool, at, text),
        "unittest.mock.AsyncMock" => facts.add(Fact::AsyncMock, at, || None),
        "unittest.mock.patch" | "mock.patch" => patch_target(facts, site),
        "pytest.raises" => {
            let Some(expected) = call.arguments.args.first() else {
                return;
            };
            let names: Vec<&Expr> = match expected {
                Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                other => vec![other],
            };
            let written = |e: &Expr| checker.source_of(e.range()).to_string();
            if names.iter().any(|e| {
                checker
                    .semantic
                    .resolve_qualified_name(e)
                    .is_some_and(|q| is_timeout_error(&q))
                    || written(e).contains("Timeout")
            }) {
                facts.add(Fact::RaisesTimeout, at, text);
            }
            if names.iter().any(|e| {
                checker
                    .semantic
                    .resolve_qualified_name(e)
                    .is_some_and(|q| is_cancelled_error(&q))
            }) {
                facts.add(Fact::RaisesCancelled, at, text);
            }
        }
        "aiomonitor.start_monitor" | "aiodebug.log_slow_callbacks.enable" => {
            facts.add(Fact::LoopDebug, at, text);
        }
        q if is_retry_helper(q) => facts.add(Fact::RetryDecorator, at, || Some(q.to_string())),
        q if is_breaker(q) => facts.add(Fact::CircuitBreaker, at, || Some(q.to_string())),
        q if q.starts_with("logging.") && is_log_method(q.rsplit('.').next().unwrap_or("")) => {
            logging_call(facts, checker, at);
        }
        _ => {}
    }
}

/// Called for `yield` and `yield from`.
pub(crate) fn yield_expr(checker: &mut Checker, range: TextRange) {
    with_builder(checker, |facts, checker| {
        let Some(function) = checker.semantic.current_function() else {
            return;
        };
        let def = function.def;
        if !def.is_async {
            return;
        }
        let start = def.range().start();
        if facts.last_generator != Some(start) {
            facts.last_generator = Some(start);
            facts.add(Fact::AsyncGenerator, def.name.range(), || {
                Some(format!("{}()", def.name))
            });
        }
        if facts.last_generator_cleanup != Some(start) && yields_under_cleanup(checker, range) {
            facts.last_generator_cleanup = Some(start);
            facts.add(Fact::AsyncGeneratorWithCleanup, def.name.range(), || {
                Some(format!("{}()", def.name))
            });
        }
    });
}

fn yields_under_cleanup(checker: &Checker, range: TextRange) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::With(_) => return true,
            Stmt::Try(t)
                if !t.finalbody.is_empty()
                    && t.body.iter().any(|s| s.range().contains_range(range)) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn patch_target(facts: &mut FactsBuilder, site: &CallSite) {
    if let Some(Expr::StringLiteral(target)) = site.call.arguments.args.first() {
        let target = target.value.to_str().to_string();
        facts.add(Fact::PatchTarget, site.call.range(), || Some(target));
    }
}

fn logging_call(facts: &mut FactsBuilder, checker: &Checker, at: TextRange) {
    if in_except_handler(checker, at) {
        facts.add(Fact::LogInExcept, at, || None);
    }
    if let Some(function) = checker.semantic.enclosing_function() {
        let lower = function.def.name.as_str().to_ascii_lowercase();
        if [
            "shutdown",
            "stop",
            "close",
            "cleanup",
            "teardown",
            "terminate",
        ]
        .iter()
        .any(|w| lower.contains(w))
        {
            facts.add(Fact::ShutdownLog, at, || {
                Some(format!("in {}()", function.def.name))
            });
        }
    }
}

/// Inside an `except` handler of the current function.
fn in_except_handler(checker: &Checker, range: TextRange) -> bool {
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::Try(t) if t.handlers.iter().any(|h| h.range().contains_range(range)) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// `tests` or `test` module: `gather(*...)`, or a task started in a loop or comprehension.
fn test_fan_out(facts: &mut FactsBuilder, checker: &Checker, site: &CallSite) {
    if !facts.is_test {
        return;
    }
    let starred = site
        .call
        .arguments
        .args
        .iter()
        .any(|a| matches!(a, Expr::Starred(_)));
    let in_loop = checker.expression_ancestors().any(|e| {
        matches!(
            e,
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::Generator(_) | Expr::DictComp(_)
        )
    }) || checker
        .statement_ancestors()
        .take_while(|s| !matches!(s, Stmt::FunctionDef(_)))
        .any(|s| matches!(s, Stmt::For(_) | Stmt::While(_)));
    if starred || in_loop {
        facts.add(Fact::TestFanOut, site.call.range(), || {
            Some(checker.source_of(site.call.range()).to_string())
        });
    }
}

fn first_argument<'e>(site: &CallSite<'e, '_>, keyword: &str) -> Option<&'e Expr> {
    site.call.arguments.args.first().or_else(|| {
        site.call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == keyword))
            .map(|k| &k.value)
    })
}

fn is_zero(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(n) => matches!(&n.value, ast::Number::Int(i) if i.as_u64() == Some(0)),
        _ => false,
    }
}

/// `tg.create_task` where `tg` comes from `async with TaskGroup() as tg`.
fn is_task_group_receiver(checker: &Checker, func: &Expr) -> bool {
    let Expr::Attribute(attr) = func else {
        return false;
    };
    let Expr::Name(name) = &*attr.value else {
        return false;
    };
    let Some(binding) = checker.semantic.unique_binding(name.id.as_str()) else {
        return false;
    };
    match &binding.kind {
        BindingKind::WithItem { value, .. } => {
            let callee = match value {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            checker
                .semantic
                .resolve_qualified_name(callee)
                .is_some_and(|q| {
                    matches!(q.as_str(), "asyncio.TaskGroup" | "anyio.create_task_group")
                })
        }
        _ => false,
    }
}

fn receiver_is_name(func: &Expr, expected: &str) -> bool {
    matches!(func, Expr::Attribute(attr) if matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == expected))
}

/// `log.warning`, `logger.error`, `_LOGGER.exception`, `self.log.info`...
fn is_logger_receiver(checker: &Checker, func: &Expr) -> bool {
    let Expr::Attribute(attr) = func else {
        return false;
    };
    let name = match &*attr.value {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(inner) => inner.attr.as_str(),
        _ => return false,
    };
    if checker
        .semantic
        .resolve_qualified_name(&attr.value)
        .is_some_and(|q| q == "logging" || q.starts_with("logging.") || q.starts_with("structlog"))
    {
        return true;
    }
    name.to_ascii_lowercase().contains("log")
}

fn is_log_method(name: &str) -> bool {
    matches!(
        name,
        "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "log"
    )
}

fn is_retry_helper(qualified: &str) -> bool {
    matches!(
        qualified,
        "tenacity.retry"
            | "tenacity.AsyncRetrying"
            | "tenacity.Retrying"
            | "backoff.on_exception"
            | "backoff.on_predicate"
            | "stamina.retry"
            | "stamina.retry_context"
    )
}

fn is_breaker(qualified: &str) -> bool {
    ["aiobreaker.", "pybreaker.", "circuitbreaker.", "purgatory."]
        .iter()
        .any(|p| qualified.starts_with(p))
}

fn is_cancelled_error(qualified: &str) -> bool {
    matches!(
        qualified,
        "asyncio.CancelledError"
            | "asyncio.exceptions.CancelledError"
            | "concurrent.futures.CancelledError"
            | "anyio.get_cancelled_exc_class"
    )
}

fn is_timeout_error(qualified: &str) -> bool {
    matches!(
        qualified,
        "builtins.TimeoutError"
            | "asyncio.TimeoutError"
            | "asyncio.exceptions.TimeoutError"
            | "concurrent.futures.TimeoutError"
            | "async_timeout.TimeoutError"
            | "socket.timeout"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn test_paths() {
        let module = |m: &str| m.split('.').map(str::to_string).collect::<Vec<_>>();
        let helpers = module("tests.helpers");
        assert!(is_test_path(
            Path::new("/p/tests/helpers.py"),
            Some(&helpers)
        ));
        assert!(is_test_path(Path::new("/p/app/test_api.py"), None));
        assert!(is_test_path(Path::new("/p/app/api_test.py"), None));
        assert!(is_test_path(Path::new("/p/conftest.py"), None));
        let testing = module("app.testing");
        assert!(!is_test_path(
            Path::new("/tests/p/app/testing.py"),
            Some(&testing)
        ));
        assert!(!is_test_path(Path::new("/p/app/contest.py"), None));
    }

    #[test]
    fn details_are_short_single_lines() {
        assert_eq!(shorten("Semaphore(\n    10\n)"), "Semaphore( 10 )");
        assert_eq!(shorten(&"x".repeat(200)).chars().count(), MAX_DETAIL);
    }

    fn facts_of(path: &str, source: &str) -> FileFacts {
        let module = crate::ModuleInfo {
            collect_facts: true,
            ..crate::ModuleInfo::default()
        };
        crate::lint_source(
            Path::new(path),
            source,
            &crate::LinterSettings::default(),
            &module,
        )
        .facts
        .expect("facts are collected")
    }

    fn summary(facts: &FileFacts) -> Vec<String> {
        facts
            .iter()
            .map(|(fact, count)| {
                let examples: Vec<String> = count
                    .examples
                    .iter()
                    .map(|e| match &e.detail {
                        Some(detail) => format!("{}:{detail}", e.line),
                        None => e.line.to_string(),
                    })
                    .collect();
                format!("{} {} [{}]", fact.key(), count.count, examples.join(", "))
            })
            .collect()
    }

    #[test]
    fn counts_patterns_with_locations() {
        let source = r#"import asyncio
import logging
from contextlib import asynccontextmanager

import httpx
import tenacity

log = logging.getLogger(__name__)
LIMIT = asyncio.Semaphore(10)
jobs: asyncio.Queue[int] = asyncio.Queue()


@asynccontextmanager
async def client():
    c = httpx.AsyncClient()
    try:
        yield c
    finally:
        await c.aclose()


@tenacity.retry
async def main() -> None:
    async with asyncio.timeout(5):
        await asyncio.gather(asyncio.sleep(1), return_exceptions=True)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(asyncio.sleep(1))
    task = asyncio.create_task(asyncio.sleep(1))
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        log.warning("cancelled")
        return None
    print(jobs.qsize())
"#;
        let facts = facts_of("/p/app.py", source);
        assert!(!facts.is_test);
        insta::assert_snapshot!(summary(&facts).join("\n"), @r"
        async_functions 2 [14:client(), 23:main()]
        async_functions_without_return_type 1 [14:client()]
        async_with 2 [24, 26]
        async_generators 1 [14:client()]
        async_generators_with_cleanup 1 [14:client()]
        asynccontextmanager_functions 1 [14:client()]
        gather_calls 1 [25]
        gather_return_exceptions 1 [25]
        task_groups 1 [26]
        taskgroup_create_task 1 [27:tg.create_task(asyncio.sleep(1))]
        create_task_calls 1 [28:asyncio.create_task(asyncio.sleep(1))]
        cancel_calls 1 [29:task.cancel()]
        semaphores 1 [9:Semaphore(10)]
        queues 1 [10:Queue() unbounded]
        unbounded_queues 1 [10]
        qsize_calls 1 [35:jobs.qsize()]
        timeouts 1 [24:asyncio.timeout(5)]
        async_except_handlers 1 [32]
        cancelled_error_handlers 1 [32]
        logging_in_except 1 [33]
        close_calls 1 [19:c.aclose()]
        async_http_clients 1 [15:httpx.AsyncClient()]
        retry_helpers 1 [22:tenacity.retry]
        ");
        let modules: Vec<&str> = facts.imports.iter().map(|(m, _)| *m).collect();
        assert_eq!(modules, ["httpx", "tenacity"]);
    }

    #[test]
    fn counts_test_patterns() {
        let source = r#"import asyncio
from unittest.mock import AsyncMock, patch

import pytest

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def client():
    yield AsyncMock()


async def test_timeout(client):
    client.get.side_effect = TimeoutError
    with patch("app.api.fetch", new_callable=AsyncMock) as fetch:
        with pytest.raises(TimeoutError):
            await asyncio.gather(*[fetch() for _ in range(100)])
    fetch.assert_awaited()
"#;
        let facts = facts_of("/p/tests/test_api.py", source);
        assert!(facts.is_test);
        insta::assert_snapshot!(summary(&facts).join("\n"), @r#"
        async_functions 2 [10:client(), 14:test_timeout()]
        async_functions_without_return_type 2 [10:client(), 14:test_timeout()]
        async_generators 1 [10:client()]
        gather_calls 1 [18]
        gather_without_return_exceptions 1 [18]
        async_tests 1 [14:test_timeout()]
        asyncio_markers 1 [6:pytestmark]
        async_fixtures 1 [10:client()]
        async_mocks 2 [11, 16]
        side_effects 1 [15:client.get.side_effect]
        patch_targets 1 [16:app.api.fetch]
        assert_awaited_calls 1 [19]
        raises_timeout 1 [17:pytest.raises(TimeoutError)]
        test_fan_out 1 [18:asyncio.gather(*[fetch() for _ in range(100)])]
        "#);
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = Fact::ALL.iter().map(|f| f.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Fact::ALL.len());
    }
}
