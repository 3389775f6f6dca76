//! The checklist: every item of `CHECKLIST.md`, in order, with its section, our short title,
//! the rules that evaluate it and how the status is decided. This table is the single place to
//! change when the checklist changes.

use asynclint_linter::facts::Fact;

/// A section of the report (a subsection of the source checklist).
#[derive(Debug, Clone, Copy)]
pub struct SectionDef {
    pub id: &'static str,
    pub title: &'static str,
    pub part: &'static str,
}

pub const SECTIONS: &[SectionDef] = &[
    SectionDef {
        id: "env",
        title: "Environment setup",
        part: "Environment",
    },
    SectionDef {
        id: "basic",
        title: "Basic async functions",
        part: "Implementation",
    },
    SectionDef {
        id: "gather",
        title: "Concurrent execution: gather",
        part: "Implementation",
    },
    SectionDef {
        id: "taskgroup",
        title: "Concurrent execution: TaskGroup",
        part: "Implementation",
    },
    SectionDef {
        id: "rate",
        title: "Rate limiting",
        part: "Implementation",
    },
    SectionDef {
        id: "timeouts",
        title: "Timeouts",
        part: "Implementation",
    },
    SectionDef {
        id: "context-managers",
        title: "Async context managers",
        part: "Implementation",
    },
    SectionDef {
        id: "generators",
        title: "Async generators",
        part: "Implementation",
    },
    SectionDef {
        id: "errors",
        title: "Error handling",
        part: "Implementation",
    },
    SectionDef {
        id: "background",
        title: "Background tasks",
        part: "Implementation",
    },
    SectionDef {
        id: "sync",
        title: "Running sync code",
        part: "Implementation",
    },
    SectionDef {
        id: "pytest",
        title: "pytest-asyncio setup",
        part: "Testing",
    },
    SectionDef {
        id: "mocking",
        title: "Mocking async code",
        part: "Testing",
    },
    SectionDef {
        id: "test-behaviour",
        title: "Testing timeouts and cancellation",
        part: "Testing",
    },
    SectionDef {
        id: "performance",
        title: "Performance",
        part: "Production",
    },
    SectionDef {
        id: "reliability",
        title: "Reliability",
        part: "Production",
    },
    SectionDef {
        id: "observability",
        title: "Observability",
        part: "Production",
    },
    SectionDef {
        id: "shutdown",
        title: "Graceful shutdown",
        part: "Production",
    },
    SectionDef {
        id: "review",
        title: "Code review",
        part: "Code review",
    },
];

/// How an item's status is decided.
#[derive(Debug, Clone, Copy)]
pub enum Eval {
    /// fail on findings of the item's rules; else n/a when none of `scope` occurs (`na` says
    /// why); else pass (manual when none of the rules exists in this version). `evidence` is
    /// shown besides the scope.
    Rules {
        scope: &'static [Fact],
        na: &'static str,
        evidence: &'static [Fact],
    },
    /// Cannot be decided from source: n/a when none of `scope` occurs, else manual with
    /// `evidence` (and the scope) for the reviewer. An empty scope is always manual.
    Manual {
        scope: &'static [Fact],
        na: &'static str,
        evidence: &'static [Fact],
        hint: &'static str,
    },
    /// Project facts beyond counts (dependencies, configuration, tests).
    Custom(Custom),
    /// Decided by other items (the code review list): fail if any fails, else manual if any
    /// is manual, else pass if any passes, else n/a.
    Links(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Custom {
    HttpClient,
    DbDriver,
    TestPlugin,
    Ide,
    LoopScope,
    TestTimeouts,
    TestCancellation,
    PatchLocation,
    Profile,
    LoopLag,
    Retry,
    Breaker,
    BlockingAlert,
}

#[derive(Debug, Clone, Copy)]
pub struct ItemDef {
    pub id: &'static str,
    pub section: &'static str,
    pub title: &'static str,
    pub rules: &'static [&'static str],
    /// Only findings whose message contains this text count (AIO600 for TaskGroups).
    pub only: Option<&'static str>,
    pub eval: Eval,
}

use Fact as F;

const NO_ASYNC: &str = "no `async def` in the project";
const NO_TASKS: &str = "no tasks are created (`create_task`, `ensure_future`, task groups)";
const CONCURRENCY: &[Fact] = &[F::Gather, F::TaskGroup, F::CreateTask];
const TIMEOUTS: &[Fact] = &[F::Timeout, F::TimeoutAt, F::WaitFor];
const BLOCKING: &[&str] = &[
    "AIO100", "AIO101", "AIO102", "AIO103", "AIO104", "AIO105", "AIO106", "AIO107", "AIO108",
    "AIO111",
];
const ALL_BLOCKING: &[&str] = &[
    "AIO100", "AIO101", "AIO102", "AIO103", "AIO104", "AIO105", "AIO106", "AIO107", "AIO108",
    "AIO109", "AIO110", "AIO111",
];

const fn rules(
    id: &'static str,
    section: &'static str,
    title: &'static str,
    codes: &'static [&'static str],
    scope: &'static [Fact],
    na: &'static str,
    evidence: &'static [Fact],
) -> ItemDef {
    ItemDef {
        id,
        section,
        title,
        rules: codes,
        only: None,
        eval: Eval::Rules {
            scope,
            na,
            evidence,
        },
    }
}

const fn manual(
    id: &'static str,
    section: &'static str,
    title: &'static str,
    scope: &'static [Fact],
    na: &'static str,
    evidence: &'static [Fact],
    hint: &'static str,
) -> ItemDef {
    ItemDef {
        id,
        section,
        title,
        rules: &[],
        only: None,
        eval: Eval::Manual {
            scope,
            na,
            evidence,
            hint,
        },
    }
}

const fn custom(
    id: &'static str,
    section: &'static str,
    title: &'static str,
    codes: &'static [&'static str],
    custom: Custom,
) -> ItemDef {
    ItemDef {
        id,
        section,
        title,
        rules: codes,
        only: None,
        eval: Eval::Custom(custom),
    }
}

const fn link(id: &'static str, title: &'static str, to: &'static [&'static str]) -> ItemDef {
    ItemDef {
        id,
        section: "review",
        title,
        rules: &[],
        only: None,
        eval: Eval::Links(to),
    }
}

#[rustfmt::skip]
pub const ITEMS: &[ItemDef] = &[
    // Environment
    custom("env.http-client", "env", "Async HTTP client installed", &["AIO101"], Custom::HttpClient),
    custom("env.db-driver", "env", "Async database driver installed if needed", &["AIO106"], Custom::DbDriver),
    custom("env.test-tools", "env", "pytest-asyncio (or the anyio plugin) installed", &[], Custom::TestPlugin),
    custom("env.ide", "env", "IDE / type checker configured", &[], Custom::Ide),
    // Basic async functions
    rules("impl.async-def", "basic", "Async functions defined with `async def`", &["AIO803", "AIO002"],
        &[F::AsyncDef], NO_ASYNC, &[]),
    rules("impl.await-all", "basic", "Every async operation awaited", &["AIO200", "AIO201", "AIO202", "AIO203", "AIO204"],
        &[F::AsyncDef], NO_ASYNC, &[]),
    rules("impl.return-hints", "basic", "Return annotations on async functions", &["AIO205"],
        &[F::AsyncDef], NO_ASYNC, &[F::AsyncDefWithoutReturnType]),
    rules("impl.no-sync-io", "basic", "No sync I/O in async functions", BLOCKING,
        &[F::AsyncDef], NO_ASYNC, &[]),
    // gather
    rules("gather.usage", "gather", "Concurrent execution used", &["AIO305", "AIO309"],
        &[F::Gather, F::TaskGroup], "no `asyncio.gather` or task group in the project", &[]),
    rules("gather.return-exceptions", "gather", "`return_exceptions=True` considered", &["AIO310"],
        &[F::Gather], "no `asyncio.gather` calls", &[F::GatherReturnExceptions, F::GatherWithoutReturnExceptions]),
    rules("gather.filter-results", "gather", "Exceptions filtered out of gather results", &["AIO304"],
        &[F::GatherReturnExceptions], "no `gather(..., return_exceptions=True)`", &[]),
    // TaskGroup
    ItemDef { id: "tg.async-with", section: "taskgroup", title: "TaskGroup used with `async with`", rules: &["AIO600"],
        only: Some("TaskGroup"),
        eval: Eval::Rules { scope: &[F::TaskGroup], na: "no task groups in the project", evidence: &[] } },
    rules("tg.create-task", "taskgroup", "Tasks created with `tg.create_task`", &["AIO307"],
        &[F::TaskGroup], "no task groups in the project", &[F::TaskGroupCreateTask]),
    rules("tg.results", "taskgroup", "Task results read after the group exits", &["AIO308"],
        &[F::TaskGroup], "no task groups in the project", &[]),
    rules("tg.except-star", "taskgroup", "TaskGroup errors handled with `except*`", &["AIO303"],
        &[F::TaskGroup], "no task groups in the project", &[F::ExceptStar]),
    // Rate limiting
    rules("rate.semaphore", "rate", "Shared semaphore limits concurrency", &["AIO510", "AIO512"],
        CONCURRENCY, "no concurrent fan-out (gather, task groups, create_task)", &[F::Semaphore]),
    rules("rate.async-with", "rate", "Semaphores acquired with `async with`", &["AIO511"],
        &[F::Semaphore], "no semaphores in the project", &[]),
    manual("rate.limit", "rate", "Appropriate limits", &[F::Semaphore], "no semaphores in the project", &[],
        "check each limit against the API's rate limits and the connection pool sizes"),
    manual("rate.load-test", "rate", "Limits tested under load", &[F::Semaphore], "no semaphores in the project",
        &[F::TestFanOut], "check that a test starts more tasks than the limit and observes the cap"),
    // Timeouts
    rules("timeout.context", "timeouts", "`asyncio.timeout` used (3.11+)", &["AIO801", "AIO503"],
        TIMEOUTS, "no timeouts in the project", &[]),
    rules("timeout.wait-for", "timeouts", "`wait_for` on older Pythons", &["AIO503"],
        &[F::WaitFor], "no `asyncio.wait_for` calls", &[]),
    rules("timeout.handle", "timeouts", "TimeoutError handled", &["AIO504", "AIO802"],
        TIMEOUTS, "no timeouts in the project", &[F::ExceptTimeout]),
    manual("timeout.deadline", "timeouts", "`timeout_at` for absolute deadlines", TIMEOUTS, "no timeouts in the project",
        &[F::TimeoutAt], "check whether operations chained under one budget should share an absolute deadline"),
    // Async context managers
    rules("cm.protocol", "context-managers", "`__aenter__`/`__aexit__` implemented and used", &["AIO602", "AIO600", "AIO601"],
        &[F::AenterMethod, F::AsyncWith], "no async context managers defined or used", &[]),
    rules("cm.decorator", "context-managers", "`@asynccontextmanager` used correctly", &["AIO603"],
        &[F::AsyncContextManagerDecorator], "no `@asynccontextmanager` functions", &[]),
    rules("cm.cleanup", "context-managers", "Cleanup always runs", &["AIO604", "AIO610"],
        &[F::AenterMethod, F::AsyncContextManagerDecorator, F::AsyncWith], "no async context managers defined or used", &[]),
    rules("cm.exceptions", "context-managers", "Exceptions handled in `__aexit__`", &["AIO605"],
        &[F::AexitMethod], "no `__aexit__` methods", &[]),
    // Async generators
    rules("agen.define", "generators", "Async generators defined with `async def` + `yield`", &["AIO207"],
        &[F::AsyncGenerator], "no async generators", &[]),
    rules("agen.iterate", "generators", "Async iterables consumed with `async for`", &["AIO207"],
        &[F::AsyncGenerator, F::AsyncFor], "no async generators or `async for` loops", &[]),
    rules("agen.cleanup", "generators", "Async generator cleanup", &["AIO606", "AIO613"],
        &[F::AsyncGenerator], "no async generators", &[F::AsyncGeneratorWithCleanup]),
    rules("agen.queue", "generators", "Bounded queues for producer/consumer", &["AIO513"],
        &[F::Queue], "no asyncio queues", &[F::UnboundedQueue]),
    // Error handling
    rules("err.local", "errors", "try/except inside coroutines", &["AIO402"],
        &[F::AsyncDef], NO_ASYNC, &[F::AsyncExceptHandler]),
    rules("err.except-star", "errors", "`except*` for ExceptionGroups", &["AIO303"],
        &[F::TaskGroup, F::ExceptStar], "no task groups or `except*` handlers", &[]),
    rules("err.cancelled", "errors", "CancelledError propagates", &["AIO400", "AIO401"],
        &[F::AsyncDef], NO_ASYNC, &[F::ExceptCancelled]),
    rules("err.log-context", "errors", "Errors logged with context", &["AIO403", "AIO402"],
        &[F::AsyncExceptHandler], "no `except` handlers in async functions", &[F::LogInExcept]),
    manual("err.degrade", "errors", "Graceful degradation", &[F::AsyncExceptHandler], "no `except` handlers in async functions",
        &[F::ExceptFallback], "check that fallbacks are deliberate and logged"),
    // Background tasks
    rules("bg.references", "background", "Task references stored", &["AIO300"],
        &[F::CreateTask], "no `create_task`/`ensure_future` calls", &[]),
    rules("bg.discard", "background", "Done callback discards finished tasks", &["AIO301"],
        &[F::CreateTask], "no `create_task`/`ensure_future` calls", &[F::AddDoneCallback]),
    rules("bg.shutdown", "background", "Background tasks shut down gracefully", &["AIO902", "AIO901"],
        &[F::CreateTask], "no `create_task`/`ensure_future` calls", &[F::TaskCancel, F::WaitWithTimeout, F::SignalHandler]),
    rules("bg.exceptions", "background", "Background task exceptions handled", &["AIO302"],
        &[F::CreateTask], "no `create_task`/`ensure_future` calls", &[F::AddDoneCallback]),
    // Running sync code
    rules("sync.identify", "sync", "Blocking operations identified", ALL_BLOCKING,
        &[F::AsyncDef], NO_ASYNC, &[]),
    rules("sync.executor", "sync", "Blocking work offloaded (`run_in_executor`, `to_thread`)", &["AIO611"],
        &[F::RunInExecutor, F::ToThread], "nothing is offloaded to threads or processes", &[]),
    manual("sync.thread-io", "sync", "Threads for I/O-bound sync work",
        &[F::RunInExecutor, F::ToThread, F::ThreadExecutor], "nothing is offloaded to threads", &[],
        "check that the offloaded functions do I/O (CPU-bound work belongs in processes)"),
    rules("sync.process-cpu", "sync", "Processes for CPU-bound work", &["AIO109"],
        &[F::AsyncDef], NO_ASYNC, &[F::ProcessExecutor]),
    rules("sync.reuse-executor", "sync", "Executors reused, not created per call", &["AIO609"],
        &[F::ThreadExecutor, F::ProcessExecutor, F::RunInExecutor], "no executors in the project", &[]),
    // pytest-asyncio
    custom("test.plugin", "pytest", "pytest-asyncio installed", &[], Custom::TestPlugin),
    rules("test.marker", "pytest", "Async tests marked (or auto mode)", &["AIO700"],
        &[F::AsyncTest], "no async tests", &[F::AsyncioMarker]),
    custom("test.loop-scope", "pytest", "Event loop scope configured", &["AIO702"], Custom::LoopScope),
    rules("test.async-fixtures", "pytest", "Async fixtures declared correctly", &["AIO701"],
        &[F::AsyncFixture], "no async fixtures", &[]),
    // Mocking
    rules("mock.asyncmock", "mocking", "`AsyncMock` for async functions", &["AIO703", "AIO705"],
        &[F::AsyncMock, F::PatchTarget], "no mocks or patches", &[]),
    rules("mock.return-value", "mocking", "Mock return values configured", &["AIO705"],
        &[F::AsyncMock], "no `AsyncMock` uses", &[F::ReturnValue]),
    manual("mock.side-effect", "mocking", "`side_effect` for errors and sequences",
        &[F::AsyncMock, F::PatchTarget, F::SideEffect], "no mocks or patches", &[F::SideEffect],
        "check that error paths are tested with `side_effect=` exceptions"),
    custom("mock.patch-location", "mocking", "Patched where used", &[], Custom::PatchLocation),
    rules("mock.assert-awaited", "mocking", "Awaits asserted (`assert_awaited*`)", &["AIO704"],
        &[F::AsyncMock], "no `AsyncMock` uses", &[F::AssertAwaited]),
    // Testing timeouts and cancellation
    custom("test.timeouts", "test-behaviour", "Timeouts tested", &["AIO706"], Custom::TestTimeouts),
    custom("test.cancellation", "test-behaviour", "Cancellation tested", &[], Custom::TestCancellation),
    // Performance
    rules("perf.limits", "performance", "Concurrency limits set", &["AIO512", "AIO510"],
        CONCURRENCY, "no concurrent fan-out (gather, task groups, create_task)", &[F::Semaphore]),
    rules("perf.client-reuse", "performance", "HTTP clients reused", &["AIO607", "AIO610"],
        &[F::HttpClient], "no async HTTP clients are created", &[]),
    rules("perf.pooling", "performance", "Connection pooling", &["AIO608"],
        &[F::DbPool], "no database connection pools", &[]),
    custom("perf.profile", "performance", "Profiled with async-aware profilers", &[], Custom::Profile),
    custom("perf.loop-lag", "performance", "Event-loop lag monitored", &[], Custom::LoopLag),
    // Reliability
    custom("rel.retry", "reliability", "Retries with exponential backoff", &["AIO514"], Custom::Retry),
    rules("rel.timeouts", "reliability", "Timeouts on all operations", &["AIO500", "AIO501", "AIO502"],
        &[F::AsyncDef], NO_ASYNC, TIMEOUTS),
    rules("rel.partial", "reliability", "Partial failures handled", &["AIO304", "AIO310"],
        &[F::Gather, F::TaskGroup], "no `asyncio.gather` or task group in the project", &[]),
    custom("rel.breaker", "reliability", "Circuit breakers for external services", &[], Custom::Breaker),
    // Observability
    manual("obs.lifecycle", "observability", "Task lifecycle logged", CONCURRENCY, NO_TASKS,
        &[F::AddDoneCallback, F::NamedTask], "check that task start, completion and failure are logged"),
    manual("obs.task-count", "observability", "Concurrent task count tracked", CONCURRENCY, NO_TASKS,
        &[F::AllTasks], "check that the number of running tasks is exported or logged"),
    rules("obs.queue-depth", "observability", "Queue depths monitored", &["AIO513"],
        &[F::Queue], "no asyncio queues", &[F::QueueSize]),
    custom("obs.blocking-alert", "observability", "Alerts on event-loop blocking", &[], Custom::BlockingAlert),
    // Graceful shutdown
    rules("shutdown.cancel", "shutdown", "Pending tasks cancelled on shutdown", &["AIO902"],
        &[F::CreateTask], "no `create_task`/`ensure_future` calls", &[F::TaskCancel, F::SignalHandler]),
    rules("shutdown.wait", "shutdown", "In-progress tasks awaited with a timeout", &["AIO901", "AIO900"],
        &[F::CreateTask], "no `create_task`/`ensure_future` calls", &[F::WaitWithTimeout]),
    rules("shutdown.close", "shutdown", "Connections and resources closed", &["AIO610"],
        &[F::HttpClient, F::DbPool, F::ResourceClose], "no clients, pools or closable resources", &[]),
    manual("shutdown.log", "shutdown", "Incomplete tasks logged", &[F::CreateTask], "no `create_task`/`ensure_future` calls",
        &[F::ShutdownLog, F::ShutdownFunction], "check that tasks still running at shutdown are logged"),
    // Code review
    link("review.sync-io", "No sync I/O in async code", &["impl.no-sync-io"]),
    link("review.awaited", "All coroutines awaited", &["impl.await-all"]),
    link("review.task-refs", "Task references stored", &["bg.references"]),
    link("review.cancelled", "CancelledError not swallowed", &["err.cancelled"]),
    link("review.semaphores", "Semaphores used for rate limiting", &["rate.semaphore", "rate.async-with"]),
    link("review.timeouts", "Timeouts on all external calls", &["rel.timeouts"]),
    link("review.cleanup", "Proper cleanup in context managers", &["cm.cleanup"]),
    link("review.exceptions", "Exception handling does not hide errors", &["err.log-context", "bg.exceptions"]),
    link("review.tests", "Tests cover async behaviour", &["test.marker", "test.async-fixtures", "test.timeouts", "test.cancellation"]),
    link("review.perf.client-reuse", "HTTP clients reused", &["perf.client-reuse"]),
    link("review.perf.pooling", "Database connections pooled", &["perf.pooling"]),
    ItemDef { id: "review.perf.serialization", section: "review", title: "No needless serialisation of awaits",
        rules: &["AIO309"], only: None,
        eval: Eval::Rules { scope: &[F::AsyncDef], na: NO_ASYNC, evidence: &[] } },
    link("review.perf.limits", "Appropriate concurrency limits", &["perf.limits"]),
    ItemDef { id: "review.perf.cpu", section: "review", title: "No CPU-bound work on the event loop",
        rules: &["AIO109"], only: None,
        eval: Eval::Rules { scope: &[F::AsyncDef], na: NO_ASYNC, evidence: &[] } },
];

pub fn item(id: &str) -> Option<&'static ItemDef> {
    ITEMS.iter().find(|i| i.id == id)
}

pub fn section(id: &str) -> Option<&'static SectionDef> {
    SECTIONS.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The item ids of `CHECKLIST.md`, in its order (`review.*` stands for the code-review
    /// list, whose items link to the ones above).
    #[rustfmt::skip]
    const SPEC: &[&str] = &[
        "env.http-client", "env.db-driver", "env.test-tools", "env.ide", "impl.async-def", "impl.await-all", "impl.return-hints", "impl.no-sync-io", "gather.usage", "gather.return-exceptions", "gather.filter-results", "tg.async-with", "tg.create-task", "tg.results", "tg.except-star", "rate.semaphore", "rate.async-with", "rate.limit", "rate.load-test", "timeout.context", "timeout.wait-for", "timeout.handle", "timeout.deadline", "cm.protocol", "cm.decorator", "cm.cleanup", "cm.exceptions", "agen.define", "agen.iterate", "agen.cleanup", "agen.queue", "err.local", "err.except-star", "err.cancelled", "err.log-context", "err.degrade", "bg.references", "bg.discard", "bg.shutdown", "bg.exceptions", "sync.identify", "sync.executor", "sync.thread-io", "sync.process-cpu", "sync.reuse-executor", "test.plugin", "test.marker", "test.loop-scope", "test.async-fixtures", "mock.asyncmock", "mock.return-value", "mock.side-effect", "mock.patch-location", "mock.assert-awaited", "test.timeouts", "test.cancellation", "perf.limits", "perf.client-reuse", "perf.pooling", "perf.profile", "perf.loop-lag", "rel.retry", "rel.timeouts", "rel.partial", "rel.breaker", "obs.lifecycle", "obs.task-count", "obs.queue-depth", "obs.blocking-alert", "shutdown.cancel", "shutdown.wait", "shutdown.close", "shutdown.log", "review.perf.serialization", "review.perf.cpu"
    ];

    #[test]
    fn items_follow_the_specification() {
        let ours: Vec<&str> = ITEMS
            .iter()
            .map(|i| i.id)
            .filter(|id| !id.starts_with("review.") || SPEC.contains(id))
            .collect();
        assert_eq!(ours, SPEC);
        assert!(
            ITEMS
                .iter()
                .rev()
                .take_while(|i| i.section == "review")
                .count()
                >= 14
        );
    }

    #[test]
    fn ids_unique_sections_contiguous_links_resolve() {
        let mut ids: Vec<&str> = ITEMS.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ITEMS.len());
        let order: Vec<&str> = SECTIONS.iter().map(|s| s.id).collect();
        let mut last = 0;
        for item in ITEMS {
            let index = order.iter().position(|s| *s == item.section).unwrap();
            assert!(index >= last, "{} is out of section order", item.id);
            last = index;
            if let Eval::Links(to) = item.eval {
                for target in to {
                    assert!(
                        super::item(target).is_some(),
                        "{} links to unknown {target}",
                        item.id
                    );
                }
            }
        }
    }
}
