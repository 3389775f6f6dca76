//! The rule table: code -> rule. Codes and names are public interface and never change.
//!
//! Each rule's documentation is the `//!` module comment of its file, compiled in.

use asynclint_diagnostics::RuleMeta;

/// Whether a rule offers a fix, and how safe it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Safe,
    Unsafe,
    /// Safe in some contexts, unsafe in others (the rule's docs say which).
    Sometimes,
}

macro_rules! rules {
    ($( $code:ident $name:literal $variant:ident $default:literal $fix:ident $family:ident::$module:ident; )*) => {
        /// Every rule asynclint implements.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $($variant,)* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            pub const fn code(self) -> &'static str {
                match self { $(Rule::$variant => stringify!($code),)* }
            }

            pub const fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* }
            }

            pub const fn default_enabled(self) -> bool {
                match self { $(Rule::$variant => $default,)* }
            }

            pub const fn fix_availability(self) -> FixAvailability {
                match self { $(Rule::$variant => FixAvailability::$fix,)* }
            }

            /// The family directory and file stem of the rule's implementation.
            pub const fn source_path(self) -> (&'static str, &'static str) {
                match self { $(Rule::$variant => (stringify!($family), stringify!($module)),)* }
            }

            /// The raw source of the rule's file; its `//!` comment is the documentation.
            pub(crate) const fn source(self) -> &'static str {
                match self {
                    $(Rule::$variant => include_str!(concat!("rules/", stringify!($family), "/", stringify!($module), ".rs")),)*
                }
            }
        }
    };
}

// code    name                                     variant                          on?   fix       file
rules! {
    AIO001 "syntax-error"                           SyntaxError                      true  None      syntax::syntax_error;
    AIO002 "async-syntax-outside-async-function"    AsyncSyntaxOutsideAsyncFunction  true  None      syntax::async_syntax_outside_async_function;
    AIO100 "blocking-sleep"                         BlockingSleep                    true  Unsafe    blocking::blocking_sleep;
    AIO101 "blocking-http-call"                     BlockingHttpCall                 true  None      blocking::blocking_http_call;
    AIO102 "blocking-subprocess"                    BlockingSubprocess               true  None      blocking::blocking_subprocess;
    AIO103 "blocking-file-io"                       BlockingFileIo                   true  None      blocking::blocking_file_io;
    AIO104 "blocking-filesystem-call"               BlockingFilesystemCall           true  None      blocking::blocking_filesystem_call;
    AIO105 "blocking-network-call"                  BlockingNetworkCall              true  None      blocking::blocking_network_call;
    AIO106 "blocking-database-call"                 BlockingDatabaseCall             true  None      blocking::blocking_database_call;
    AIO107 "blocking-input"                         BlockingInput                    true  None      blocking::blocking_input;
    AIO108 "blocking-sync-primitive"                BlockingSyncPrimitive            true  None      blocking::blocking_sync_primitive;
    AIO109 "cpu-bound-call"                         CpuBoundCall                     true  None      blocking::cpu_bound_call;
    AIO110 "nested-event-loop"                      NestedEventLoop                  true  None      blocking::nested_event_loop;
    AIO111 "transitive-blocking-call"               TransitiveBlockingCall           true  None      blocking::transitive_blocking_call;
    AIO200 "unawaited-coroutine"                    UnawaitedCoroutine               true  Unsafe    coroutines::unawaited_coroutine;
    AIO201 "coroutine-assigned-never-awaited"       CoroutineAssignedNeverAwaited    true  None      coroutines::coroutine_assigned_never_awaited;
    AIO202 "coroutine-in-boolean-context"           CoroutineInBooleanContext        true  None      coroutines::coroutine_in_boolean_context;
    AIO203 "async-function-returns-coroutine"       AsyncFunctionReturnsCoroutine    true  None      coroutines::async_function_returns_coroutine;
    AIO204 "await-non-awaitable"                    AwaitNonAwaitable                true  None      coroutines::await_non_awaitable;
    AIO205 "async-def-awaitable-return-annotation"  AsyncDefAwaitableReturnAnnotation true None      coroutines::async_def_awaitable_return_annotation;
    AIO206 "async-function-without-await"           AsyncFunctionWithoutAwait        false None      coroutines::async_function_without_await;
    AIO207 "async-iteration-mismatch"               AsyncIterationMismatch           true  None      coroutines::async_iteration_mismatch;
    AIO208 "lru-cache-on-async-function"            LruCacheOnAsyncFunction          true  None      coroutines::lru_cache_on_async_function;
    AIO209 "async-property"                         AsyncProperty                    true  None      coroutines::async_property;
    AIO300 "dangling-task"                          DanglingTask                     true  None      tasks::dangling_task;
    AIO301 "task-collection-never-discarded"        TaskCollectionNeverDiscarded     true  None      tasks::task_collection_never_discarded;
    AIO302 "background-task-exception-lost"         BackgroundTaskExceptionLost      false None      tasks::background_task_exception_lost;
    AIO303 "except-around-taskgroup"                ExceptAroundTaskgroup            true  None      tasks::except_around_taskgroup;
    AIO304 "gather-exceptions-unchecked"            GatherExceptionsUnchecked        true  None      tasks::gather_exceptions_unchecked;
    AIO305 "gather-non-awaitable-argument"          GatherNonAwaitableArgument       true  None      tasks::gather_non_awaitable_argument;
    AIO306 "wait-on-bare-coroutines"                WaitOnBareCoroutines             true  None      tasks::wait_on_bare_coroutines;
    AIO307 "create-task-inside-taskgroup"           CreateTaskInsideTaskgroup        true  None      tasks::create_task_inside_taskgroup;
    AIO308 "task-result-before-done"                TaskResultBeforeDone             true  None      tasks::task_result_before_done;
    AIO309 "sequential-await-in-loop"               SequentialAwaitInLoop            false None      tasks::sequential_await_in_loop;
    AIO310 "gather-siblings-keep-running"           GatherSiblingsKeepRunning        false None      tasks::gather_siblings_keep_running;
    AIO400 "cancelled-error-swallowed"              CancelledErrorSwallowed          true  None      errors::cancelled_error_swallowed;
    AIO401 "jump-in-finally"                        JumpInFinally                    true  None      errors::jump_in_finally;
    AIO402 "exception-silenced-in-async"            ExceptionSilencedInAsync         true  None      errors::exception_silenced_in_async;
    AIO403 "log-without-traceback"                  LogWithoutTraceback              false None      errors::log_without_traceback;
    AIO404 "cancel-without-await"                   CancelWithoutAwait               false None      errors::cancel_without_await;
    AIO500 "client-without-timeout"                 ClientWithoutTimeout             true  None      timeouts::client_without_timeout;
    AIO501 "network-await-without-timeout"          NetworkAwaitWithoutTimeout       true  None      timeouts::network_await_without_timeout;
    AIO502 "await-event-without-timeout"            AwaitEventWithoutTimeout         false None      timeouts::await_event_without_timeout;
    AIO503 "timeout-without-await"                  TimeoutWithoutAwait              true  None      timeouts::timeout_without_await;
    AIO504 "timeout-error-not-caught"               TimeoutErrorNotCaught            true  None      timeouts::timeout_error_not_caught;
    AIO510 "useless-semaphore"                      UselessSemaphore                 true  None      limits::useless_semaphore;
    AIO511 "acquire-without-release"                AcquireWithoutRelease            true  None      limits::acquire_without_release;
    AIO512 "unbounded-fan-out"                      UnboundedFanOut                  false None      limits::unbounded_fan_out;
    AIO513 "unbounded-queue"                        UnboundedQueue                   false None      limits::unbounded_queue;
    AIO514 "retry-without-backoff"                  RetryWithoutBackoff              true  None      limits::retry_without_backoff;
    AIO515 "busy-wait-loop"                         BusyWaitLoop                     true  None      limits::busy_wait_loop;
    AIO600 "sync-with-async-context-manager"        SyncWithAsyncContextManager      true  None      resources::sync_with_async_context_manager;
    AIO601 "async-with-sync-context-manager"        AsyncWithSyncContextManager      true  None      resources::async_with_sync_context_manager;
    AIO602 "async-context-manager-protocol"         AsyncContextManagerProtocol      true  None      resources::async_context_manager_protocol;
    AIO603 "context-manager-decorator-mismatch"     ContextManagerDecoratorMismatch  true  None      resources::context_manager_decorator_mismatch;
    AIO604 "cleanup-not-in-finally"                 CleanupNotInFinally              true  None      resources::cleanup_not_in_finally;
    AIO605 "exit-swallows-exceptions"               ExitSwallowsExceptions           true  None      resources::exit_swallows_exceptions;
    AIO606 "async-generator-not-closed"             AsyncGeneratorNotClosed          true  None      resources::async_generator_not_closed;
    AIO607 "client-per-request"                     ClientPerRequest                 true  None      resources::client_per_request;
    AIO608 "connection-per-request"                 ConnectionPerRequest             true  None      resources::connection_per_request;
    AIO609 "executor-per-call"                      ExecutorPerCall                  true  None      resources::executor_per_call;
    AIO610 "unclosed-client"                        UnclosedClient                   true  None      resources::unclosed_client;
    AIO611 "to-thread-with-coroutine-function"      ToThreadWithCoroutineFunction    true  None      resources::to_thread_with_coroutine_function;
    AIO612 "sync-lock-across-await"                 SyncLockAcrossAwait              true  None      resources::sync_lock_across_await;
    AIO613 "yield-in-context-manager-in-async-generator" YieldInContextManagerInAsyncGenerator false None resources::yield_in_context_manager_in_async_generator;
    AIO700 "async-test-not-collected"               AsyncTestNotCollected            true  None      testing::async_test_not_collected;
    AIO701 "async-fixture-sync-decorator"           AsyncFixtureSyncDecorator        true  None      testing::async_fixture_sync_decorator;
    AIO702 "deprecated-pytest-asyncio-api"          DeprecatedPytestAsyncioApi       true  None      testing::deprecated_pytest_asyncio_api;
    AIO703 "sync-mock-for-async-function"           SyncMockForAsyncFunction         true  None      testing::sync_mock_for_async_function;
    AIO704 "asyncmock-assert-called"                AsyncmockAssertCalled            true  None      testing::asyncmock_assert_called;
    AIO705 "legacy-future-mock"                     LegacyFutureMock                 true  None      testing::legacy_future_mock;
    AIO706 "long-sleep-in-test"                     LongSleepInTest                  true  None      testing::long_sleep_in_test;
    AIO800 "get-event-loop"                         GetEventLoop                     true  Sometimes modernize::get_event_loop;
    AIO801 "wait-for-to-timeout"                    WaitForToTimeout                 true  Safe      modernize::wait_for_to_timeout;
    AIO802 "asyncio-timeout-error-alias"            AsyncioTimeoutErrorAlias         true  Safe      modernize::asyncio_timeout_error_alias;
    AIO803 "removed-coroutine-decorator"            RemovedCoroutineDecorator        true  None      modernize::removed_coroutine_decorator;
    AIO804 "removed-loop-argument"                  RemovedLoopArgument              true  None      modernize::removed_loop_argument;
    AIO805 "ensure-future-on-coroutine"             EnsureFutureOnCoroutine          true  Safe      modernize::ensure_future_on_coroutine;
    AIO806 "legacy-run-until-complete"              LegacyRunUntilComplete           true  None      modernize::legacy_run_until_complete;
    AIO807 "run-in-executor-to-thread"              RunInExecutorToThread            false Unsafe    modernize::run_in_executor_to_thread;
    AIO900 "wait-on-possibly-empty-set"             WaitOnPossiblyEmptySet           true  None      shutdown::wait_on_possibly_empty_set;
    AIO901 "shutdown-wait-without-timeout"          ShutdownWaitWithoutTimeout       false None      shutdown::shutdown_wait_without_timeout;
    AIO902 "service-without-signal-handling"        ServiceWithoutSignalHandling     false None      shutdown::service_without_signal_handling;
}

impl Rule {
    /// Rules whose verdict needs the cross-module index (their fixtures are multi-module
    /// projects in `asynclint_project/resources/test/projects/<CODE>/`).
    pub const fn is_project_wide(self) -> bool {
        matches!(
            self,
            Rule::TransitiveBlockingCall
                | Rule::UnawaitedCoroutine
                | Rule::SyncMockForAsyncFunction
                | Rule::CoroutineAssignedNeverAwaited
                | Rule::CoroutineInBooleanContext
                | Rule::AsyncFunctionReturnsCoroutine
                | Rule::AwaitNonAwaitable
                | Rule::AsyncIterationMismatch
                | Rule::UnboundedFanOut
                | Rule::AsyncGeneratorNotClosed
                | Rule::SyncWithAsyncContextManager
                | Rule::AsyncWithSyncContextManager
                | Rule::ClientPerRequest
                | Rule::ConnectionPerRequest
                | Rule::ToThreadWithCoroutineFunction
                | Rule::ServiceWithoutSignalHandling
        )
    }

    /// Project-wide rules with no single-file part at all.
    pub const fn is_project_only(self) -> bool {
        matches!(
            self,
            Rule::TransitiveBlockingCall
                | Rule::SyncMockForAsyncFunction
                | Rule::ServiceWithoutSignalHandling
        )
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(code))
    }

    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// The Markdown documentation (the file's `//!` comment without the markers).
    pub fn docs(self) -> &'static str {
        docs_cache()[self as usize].as_str()
    }

    /// The first sentence of "What it does".
    pub fn summary(self) -> &'static str {
        summaries()[self as usize].as_str()
    }

    pub fn is_fixable(self) -> bool {
        self.fix_availability() != FixAvailability::None
    }

    pub fn meta(self) -> RuleMeta {
        RuleMeta {
            code: self.code(),
            name: self.name(),
            summary: self.summary(),
            docs: self.docs(),
            default_enabled: self.default_enabled(),
            fixable: self.is_fixable(),
        }
    }

    pub fn all_meta() -> Vec<RuleMeta> {
        Rule::ALL.iter().map(|r| r.meta()).collect()
    }
}

fn docs_cache() -> &'static [String] {
    static DOCS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| Rule::ALL.iter().map(|r| extract_docs(r.source())).collect())
}

fn summaries() -> &'static [String] {
    static SUMMARIES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SUMMARIES.get_or_init(|| {
        Rule::ALL
            .iter()
            .map(|r| extract_summary(r.docs()))
            .collect()
    })
}

fn extract_docs(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            if line.trim().is_empty() && out.is_empty() {
                continue;
            }
            break;
        };
        out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        out.push('\n');
    }
    out.trim_end().to_string()
}

fn extract_summary(docs: &str) -> String {
    let mut lines = docs
        .lines()
        .skip_while(|l| !l.starts_with("## What it does"))
        .skip(1)
        .skip_while(|l| l.trim().is_empty());
    let mut paragraph = String::new();
    for line in lines.by_ref() {
        // The summary is the opening paragraph, up to a blank line or a list.
        if line.trim().is_empty() || (line.trim_start().starts_with("- ") && !paragraph.is_empty())
        {
            break;
        }
        if !paragraph.is_empty() {
            paragraph.push(' ');
        }
        paragraph.push_str(line.trim());
    }
    // First sentence only; a paragraph that introduces a list ends with a colon.
    let paragraph = paragraph.trim_end_matches(':').to_string();
    match paragraph.find(". ") {
        Some(end) => paragraph[..=end].to_string(),
        None => paragraph,
    }
}
