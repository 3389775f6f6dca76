use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules;

const BLOCKING_RULES: &[Rule] = &[
    Rule::BlockingSleep,
    Rule::BlockingHttpCall,
    Rule::BlockingSubprocess,
    Rule::BlockingFileIo,
    Rule::BlockingFilesystemCall,
    Rule::BlockingNetworkCall,
    Rule::BlockingDatabaseCall,
    Rule::BlockingInput,
    Rule::BlockingSyncPrimitive,
    Rule::CpuBoundCall,
    Rule::NestedEventLoop,
];

pub(crate) fn expression<'a>(checker: &mut Checker<'a>, expr: &'a Expr) {
    if checker.enabled(Rule::AsyncIterationMismatch)
        && matches!(
            expr,
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_)
        )
    {
        rules::coroutines::async_iteration_mismatch::comprehension(checker, expr);
    }
    if matches!(expr, Expr::Attribute(_) | Expr::Name(_))
        && checker.enabled(Rule::AsyncioTimeoutErrorAlias)
    {
        rules::modernize::asyncio_timeout_error_alias::asyncio_timeout_error_alias(checker, expr);
    }
    match expr {
        Expr::Call(call) => call_expression(checker, call),
        Expr::Yield(_) | Expr::YieldFrom(_) => {
            if let Some(builder) = &mut checker.summary
                && let Some(function) = builder.current()
            {
                function.is_generator = true;
            }
            rules::function_facts::record_yield(checker, expr.range());
            if checker.facts.is_some() {
                crate::facts::yield_expr(checker, expr.range());
            }
            if checker.enabled(Rule::YieldInContextManagerInAsyncGenerator) {
                rules::resources::yield_in_context_manager_in_async_generator::yield_in_context_manager_in_async_generator(checker, expr);
            }
        }
        Expr::Await(await_expr) => {
            if checker.enabled(Rule::AsyncSyntaxOutsideAsyncFunction) {
                rules::syntax::async_syntax_outside_async_function::async_syntax_outside_async_function(checker, expr);
            }
            rules::function_facts::record_await(checker, &await_expr.value);
            timeout_and_limit_awaits(checker, await_expr);
            if checker.enabled(Rule::AsyncIterationMismatch) {
                rules::coroutines::async_iteration_mismatch::await_expression(checker, await_expr);
            }
            if checker.enabled(Rule::GatherExceptionsUnchecked) {
                rules::tasks::gather_exceptions_unchecked::gather_exceptions_unchecked(
                    checker, await_expr,
                );
            }
            if checker.summary.is_some() && checker.enabled(Rule::ServiceWithoutSignalHandling) {
                rules::shutdown::service_without_signal_handling::record_await(checker, await_expr);
            }
            if checker.enabled(Rule::WaitForToTimeout) {
                rules::modernize::wait_for_to_timeout::wait_for_to_timeout(checker, await_expr);
            }
        }
        Expr::ListComp(ast::ExprListComp { generators, .. })
        | Expr::SetComp(ast::ExprSetComp { generators, .. })
        | Expr::DictComp(ast::ExprDictComp { generators, .. })
            if checker.enabled(Rule::AsyncSyntaxOutsideAsyncFunction) =>
        {
            rules::syntax::async_syntax_outside_async_function::async_comprehension(
                checker, expr, generators,
            );
        }
        _ => {}
    }
}

fn call_expression<'a>(checker: &mut Checker<'a>, call: &'a ast::ExprCall) {
    let qualified = checker.semantic.resolve_qualified_name(&call.func);
    let receiver_kind = match &*call.func {
        Expr::Attribute(attr) if qualified.is_none() => checker.semantic.object_kind(&attr.value),
        _ => None,
    };
    let site = CallSite::new(call, qualified.as_deref(), receiver_kind.as_deref());
    let in_async = checker.semantic.in_async_context();
    if checker.facts.is_some() {
        crate::facts::call(checker, &site);
    }

    if in_async && checker.any_enabled(BLOCKING_RULES) && !is_allowed(checker, &site) {
        use rules::blocking::*;
        if checker.enabled(Rule::BlockingSleep) {
            blocking_sleep::blocking_sleep(checker, &site);
        }
        if checker.enabled(Rule::BlockingHttpCall) {
            blocking_http_call::blocking_http_call(checker, &site);
        }
        if checker.enabled(Rule::BlockingSubprocess) {
            blocking_subprocess::blocking_subprocess(checker, &site);
        }
        if checker.enabled(Rule::BlockingFileIo) {
            blocking_file_io::blocking_file_io(checker, &site);
        }
        if checker.enabled(Rule::BlockingFilesystemCall) {
            blocking_filesystem_call::blocking_filesystem_call(checker, &site);
        }
        if checker.enabled(Rule::BlockingNetworkCall) {
            blocking_network_call::blocking_network_call(checker, &site);
        }
        if checker.enabled(Rule::BlockingDatabaseCall) {
            blocking_database_call::blocking_database_call(checker, &site);
        }
        if checker.enabled(Rule::BlockingInput) {
            blocking_input::blocking_input(checker, &site);
        }
        if checker.enabled(Rule::BlockingSyncPrimitive) {
            blocking_sync_primitive::blocking_sync_primitive(checker, &site);
        }
        if checker.enabled(Rule::CpuBoundCall) {
            cpu_bound_call::cpu_bound_call(checker, &site);
        }
        if checker.enabled(Rule::NestedEventLoop) {
            nested_event_loop::nested_event_loop(checker, &site);
        }
    }
    // Project-wide facts and deferred checks. The semantic model only makes targets under the
    // project's top-level modules (`LinterSettings::project_modules`); each rule asks for the
    // call's target (`Checker::call_target`) after its own cheaper tests.
    if checker.summary.is_some() {
        project_call_facts(checker, &site, in_async);
    }
    if checker.enabled(Rule::UnawaitedCoroutine) {
        rules::coroutines::unawaited_coroutine::unawaited_coroutine(checker, &site);
    }
    {
        use rules::coroutines::*;
        if checker.enabled(Rule::CoroutineAssignedNeverAwaited) {
            coroutine_assigned_never_awaited::coroutine_assigned_never_awaited(checker, &site);
        }
        if checker.enabled(Rule::CoroutineInBooleanContext) {
            coroutine_in_boolean_context::coroutine_in_boolean_context(checker, &site);
        }
        if checker.enabled(Rule::AsyncFunctionReturnsCoroutine) {
            async_function_returns_coroutine::async_function_returns_coroutine(checker, &site);
        }
        if checker.enabled(Rule::AwaitNonAwaitable) {
            await_non_awaitable::await_non_awaitable(checker, &site);
        }
    }
    if checker.summary.is_some() && checker.enabled(Rule::SyncMockForAsyncFunction) {
        rules::testing::sync_mock_for_async_function::sync_mock_for_async_function(checker, &site);
    }
    if checker.enabled(Rule::DanglingTask) {
        rules::tasks::dangling_task::dangling_task(checker, &site);
    }
    {
        use rules::tasks::*;
        if checker.enabled(Rule::BackgroundTaskExceptionLost) {
            background_task_exception_lost::background_task_exception_lost(checker, &site);
        }
        if checker.enabled(Rule::GatherNonAwaitableArgument) {
            gather_non_awaitable_argument::gather_non_awaitable_argument(checker, &site);
        }
        if checker.enabled(Rule::WaitOnBareCoroutines) {
            wait_on_bare_coroutines::wait_on_bare_coroutines(checker, &site);
        }
        if in_async && checker.enabled(Rule::CreateTaskInsideTaskgroup) {
            create_task_inside_taskgroup::create_task_inside_taskgroup(checker, &site);
        }
        if in_async && checker.enabled(Rule::TaskResultBeforeDone) {
            task_result_before_done::task_result_before_done(checker, &site);
        }
        if in_async && checker.enabled(Rule::GatherSiblingsKeepRunning) {
            gather_siblings_keep_running::gather_siblings_keep_running(checker, &site);
        }
    }
    {
        use rules::shutdown::*;
        if in_async && checker.enabled(Rule::WaitOnPossiblyEmptySet) {
            wait_on_possibly_empty_set::wait_on_possibly_empty_set(checker, &site);
        }
        if in_async && checker.enabled(Rule::ShutdownWaitWithoutTimeout) {
            shutdown_wait_without_timeout::shutdown_wait_without_timeout(checker, &site);
        }
        if checker.summary.is_some() && checker.enabled(Rule::ServiceWithoutSignalHandling) {
            service_without_signal_handling::record_signal_handling(checker, &site);
            service_without_signal_handling::service_without_signal_handling(checker, &site);
        }
    }
    if checker.enabled(Rule::ToThreadWithCoroutineFunction) {
        rules::resources::to_thread_with_coroutine_function::to_thread_with_coroutine_function(
            checker, &site,
        );
    }
    if checker.enabled(Rule::UnboundedFanOut) {
        rules::limits::unbounded_fan_out::unbounded_fan_out(checker, &site);
    }
    if checker.summary.is_some() {
        rules::resources::per_request::record_main_guard_call(checker, &site);
    }
    if checker.enabled(Rule::ClientPerRequest) {
        rules::resources::client_per_request::client_per_request(checker, &site);
    }
    if checker.enabled(Rule::ConnectionPerRequest) {
        rules::resources::connection_per_request::connection_per_request(checker, &site);
    }
    if checker.enabled(Rule::ExecutorPerCall) {
        rules::resources::executor_per_call::executor_per_call(checker, &site);
    }
    if checker.enabled(Rule::UnclosedClient) {
        rules::resources::unclosed_client::unclosed_client(checker, &site);
    }
    if checker.enabled(Rule::GetEventLoop) {
        rules::modernize::get_event_loop::get_event_loop(checker, &site);
    }
    if checker.enabled(Rule::RemovedLoopArgument) {
        rules::modernize::removed_loop_argument::removed_loop_argument(checker, &site);
    }
    modernize_and_testing_calls(checker, &site);
    if checker.enabled(Rule::ClientWithoutTimeout) {
        rules::timeouts::client_without_timeout::client_without_timeout(checker, &site);
    }
    if checker.enabled(Rule::UnboundedQueue) {
        rules::limits::unbounded_queue::unbounded_queue(checker, &site);
    }
    if in_async && checker.enabled(Rule::LogWithoutTraceback) {
        rules::errors::log_without_traceback::log_without_traceback(checker, &site);
    }
    if in_async && checker.enabled(Rule::CancelWithoutAwait) {
        rules::errors::cancel_without_await::cancel_without_await(checker, &site);
    }
}

/// AIO702, AIO704-AIO706, AIO805-AIO807.
fn modernize_and_testing_calls(checker: &mut Checker, site: &CallSite) {
    use rules::modernize::*;
    use rules::testing::*;
    if checker.enabled(Rule::DeprecatedPytestAsyncioApi) {
        deprecated_pytest_asyncio_api::asyncio_mark_call(checker, site);
    }
    if checker.enabled(Rule::AsyncmockAssertCalled) {
        asyncmock_assert_called::asyncmock_assert_called(checker, site);
    }
    if checker.enabled(Rule::LegacyFutureMock) {
        legacy_future_mock::legacy_future_mock(checker, site);
    }
    if checker.enabled(Rule::LongSleepInTest) {
        long_sleep_in_test::long_sleep_in_test(checker, site);
    }
    if checker.enabled(Rule::EnsureFutureOnCoroutine) {
        ensure_future_on_coroutine::ensure_future_on_coroutine(checker, site);
    }
    if checker.enabled(Rule::LegacyRunUntilComplete) {
        legacy_run_until_complete::legacy_run_until_complete(checker, site);
    }
    if checker.enabled(Rule::RunInExecutorToThread) {
        run_in_executor_to_thread::run_in_executor_to_thread(checker, site);
    }
}

/// Record call edges and blocking facts of sync functions, and defer AIO111 for calls made in
/// async context.
fn project_call_facts(checker: &mut Checker, site: &CallSite, in_async: bool) {
    let Some(is_async) = checker
        .summary
        .as_mut()
        .and_then(|b| b.current())
        .map(|f| f.is_async)
    else {
        return;
    };
    if is_async {
        if in_async && checker.enabled(Rule::TransitiveBlockingCall) {
            rules::blocking::transitive_blocking_call::transitive_blocking_call(checker, site);
        }
        return;
    }
    // A sync function: record its call edges and direct blocking calls. Most calls have
    // neither a project target nor a callee from a blocking catalogue: they leave here.
    let may_block = may_block(checker, site);
    let target = checker.call_target(site);
    if target.is_none() && !may_block {
        return;
    }
    // A dual-mode helper's branch that only runs when no event loop is running in the thread
    // (`if get_running_loop() is None: ...`) cannot block a loop: record nothing from it.
    if rules::blocking::transitive_blocking_call::runs_only_without_event_loop(
        checker,
        site.call.range(),
    ) {
        return;
    }
    if let Some(target) = target {
        let iterated =
            rules::blocking::transitive_blocking_call::iterated_on_the_spot(checker, site.call);
        let Some(builder) = &mut checker.summary else {
            return;
        };
        let offset = site.call.range().start().to_u32();
        // Configured `blocking-calls` are usually none: the target's text is read only when
        // there are some.
        if !checker.settings.blocking_calls.is_empty()
            && let Some(path) = target.as_path()
            && !checker.settings.is_allowed_blocking(path)
            && checker.settings.blocking_calls.iter().any(|b| **b == *path)
            && let Some(function) = builder.current()
        {
            let name = path.rsplit('.').next().unwrap_or(path);
            let mut display = String::with_capacity(name.len() + 2);
            display.push_str(name);
            display.push_str("()");
            function.blocking.push(crate::project::BlockingFact {
                rule: Rule::TransitiveBlockingCall,
                display,
                offset,
            });
        }
        if let Some(function) = builder.current() {
            function
                .calls
                .push(crate::project::CallEdge { target, iterated });
        }
    }
    if !may_block || is_allowed(checker, site) {
        return;
    }
    // The blocking rules decide what blocks; in a sync function they record facts instead of
    // reporting (AIO110 is not a blocking call outside async context).
    checker.recording_blocking = true;
    use rules::blocking::*;
    blocking_sleep::blocking_sleep(checker, site);
    blocking_http_call::blocking_http_call(checker, site);
    blocking_subprocess::blocking_subprocess(checker, site);
    blocking_file_io::blocking_file_io(checker, site);
    blocking_filesystem_call::blocking_filesystem_call(checker, site);
    blocking_network_call::blocking_network_call(checker, site);
    blocking_database_call::blocking_database_call(checker, site);
    blocking_input::blocking_input(checker, site);
    blocking_sync_primitive::blocking_sync_primitive(checker, site);
    cpu_bound_call::cpu_bound_call(checker, site);
    checker.recording_blocking = false;
}

/// Could this call be one of the AIO100-AIO109 catalogue entries? Every blocking rule needs a
/// resolved callee or a known receiver kind from a module of a blocking catalogue; checked
/// for every call of every sync function, so it must be cheap.
fn may_block(checker: &Checker, site: &CallSite) -> bool {
    let Some(name) = site.qualified.or(site.receiver_kind) else {
        return false;
    };
    let head = memchr::memchr2(b'.', b'(', name.as_bytes()).map_or(name, |end| &name[..end]);
    // Asked for every call of every sync function: one hash probe (a binary search made
    // half a dozen string comparisons per call).
    static MODULES: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| BLOCKING_MODULES.iter().copied().collect());
    if !MODULES.contains(head) {
        return false;
    }
    !(site.receiver_kind.is_none()
        && site
            .qualified
            .is_some_and(|q| cannot_block(q, checker.settings.project_modules.as_deref())))
}

/// Top-level modules of every callee or object kind in the AIO100-AIO109 catalogues. Used only
/// to record blocking facts of sync functions (AIO111); the direct rules do not depend on it.
const BLOCKING_MODULES: &[&str] = &[
    "MySQLdb",
    "argon2",
    "asyncio",
    "bcrypt",
    "builtins",
    "bz2",
    "codecs",
    "concurrent",
    "cryptography",
    "ftplib",
    "getpass",
    "glob",
    "gzip",
    "hashlib",
    "http",
    "httpx",
    "imaplib",
    "io",
    "lzma",
    "multiprocessing",
    "mysql",
    "os",
    "passlib",
    "pathlib",
    "poplib",
    "psycopg",
    "psycopg2",
    "pymongo",
    "pymysql",
    "queue",
    "redis",
    "requests",
    "shutil",
    "smtplib",
    "socket",
    "sqlalchemy",
    "sqlite3",
    "sqlmodel",
    "subprocess",
    "sys",
    "telnetlib",
    "threading",
    "time",
    "urllib",
    "urllib3",
    "xmlrpc",
    "zlib",
];

/// Callees no blocking catalogue contains, skipped before running every blocking rule on each
/// call of every sync function: builtins other than `open`/`input`, pure standard-library
/// modules, and the project's own functions (they are followed through the call graph).
fn cannot_block(qualified: &str, project: Option<&rustc_hash::FxHashSet<String>>) -> bool {
    const PURE_MODULES: &[&str] = &[
        "abc",
        "argparse",
        "base64",
        "binascii",
        "bisect",
        "calendar",
        "collections",
        "contextlib",
        "contextvars",
        "copy",
        "dataclasses",
        "datetime",
        "decimal",
        "enum",
        "fnmatch",
        "fractions",
        "functools",
        "heapq",
        "hmac",
        "inspect",
        "ipaddress",
        "itertools",
        "json",
        "keyword",
        "logging",
        "math",
        "numbers",
        "operator",
        "pprint",
        "random",
        "re",
        "secrets",
        "statistics",
        "string",
        "struct",
        "textwrap",
        "types",
        "typing",
        "typing_extensions",
        "unicodedata",
        "uuid",
        "warnings",
        "weakref",
        "voluptuous",
        "attr",
        "attrs",
        "pydantic",
    ];
    let head = qualified.split('.').next().unwrap_or(qualified);
    if head == "builtins" {
        return !matches!(qualified, "builtins.open" | "builtins.input");
    }
    PURE_MODULES.contains(&head) || project.is_some_and(|p| p.contains(head))
}

/// `allowed-blocking-calls` silences a callee (or a method path such as
/// `requests.Session().get`).
fn is_allowed(checker: &Checker, site: &CallSite) -> bool {
    if checker.settings.allowed_blocking_calls.is_empty() {
        return false;
    }
    if let Some(q) = site.qualified
        && checker.settings.is_allowed_blocking(q)
    {
        return true;
    }
    site.method_path()
        .is_some_and(|p| checker.settings.is_allowed_blocking(p))
}

/// `await <expr>` (AIO501, AIO502, AIO511).
fn timeout_and_limit_awaits(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    if checker.enabled(Rule::NetworkAwaitWithoutTimeout) {
        rules::timeouts::network_await_without_timeout::network_await_without_timeout(
            checker, await_expr,
        );
    }
    if checker.enabled(Rule::AwaitEventWithoutTimeout) {
        rules::timeouts::await_event_without_timeout::await_event_without_timeout(
            checker, await_expr,
        );
    }
    if checker.enabled(Rule::AcquireWithoutRelease) {
        rules::limits::acquire_without_release::acquire_without_release(checker, await_expr);
    }
}
