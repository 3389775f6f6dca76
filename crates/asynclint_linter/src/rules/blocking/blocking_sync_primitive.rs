//! ## What it does
//! Reports calls that wait on a *thread* synchronisation primitive, made directly in an
//! `async def`:
//! - `.acquire()` on a `threading.Lock`, `RLock`, `Semaphore`, `BoundedSemaphore` or
//!   `Condition` (and their `multiprocessing` counterparts), unless it cannot wait
//!   (`blocking=False`, `acquire(False)`, `timeout=0`);
//! - `.wait()` on a `threading.Event`, `Condition` or `Barrier` (and `Condition.wait_for()`),
//!   unless `timeout=0`;
//! - `.get()` on a `queue.Queue`, `LifoQueue`, `PriorityQueue`, `SimpleQueue` or
//!   `multiprocessing.Queue`, unless `block=False`/`get(False)`/`timeout=0`; `.put()` on such
//!   a queue created with a positive `maxsize` (an unbounded queue never waits to put);
//!   `.join()` on a joinable queue;
//! - `.join()` on a `threading.Thread`/`Timer` or `multiprocessing.Process`;
//! - `.result()`/`.exception()` on a `concurrent.futures` future (from `executor.submit(...)`,
//!   `concurrent.futures.Future()`, or `asyncio.run_coroutine_threadsafe(...)`);
//! - `.shutdown()` on a `ThreadPoolExecutor`/`ProcessPoolExecutor` unless `wait=False`;
//! - `concurrent.futures.wait(...)` and `concurrent.futures.as_completed(...)`.
//!
//! An object's kind is known from a constructor assigned to a local or module global, from
//! `self.x = ...` in `__init__`, from an annotation (`lock: threading.Lock`) or from a
//! chained call; objects of unknown kind are never reported.
//!
//! ## Why is this bad?
//! These primitives make the *thread* wait until another thread releases, sets or fills
//! them. Under asyncio every task shares the event loop's single thread, so while it waits
//! nothing else runs, including, very often, the very task that would release the lock or
//! set the event: the program deadlocks instead of merely stalling. asyncio has its own
//! primitives (`asyncio.Lock`, `Event`, `Condition`, `Semaphore`, `Barrier`, `Queue`) that
//! suspend only the waiting task; to wait for a real thread, hand the wait to a worker thread
//! with `asyncio.to_thread` or wrap the future with `asyncio.wrap_future`.
//!
//! ## Example
//! ```python
//! import threading
//! from concurrent.futures import ThreadPoolExecutor
//!
//! executor = ThreadPoolExecutor()
//! ready = threading.Event()
//!
//! async def handle(request):
//!     ready.wait()
//!     future = executor.submit(render, request)
//!     return future.result()
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//! import threading
//! from concurrent.futures import ThreadPoolExecutor
//!
//! executor = ThreadPoolExecutor()
//! ready = threading.Event()
//!
//! async def handle(request):
//!     await asyncio.to_thread(ready.wait)
//!     loop = asyncio.get_running_loop()
//!     return await loop.run_in_executor(executor, render, request)
//! ```
//!
//! Not reported: asyncio primitives (`await asyncio.Lock().acquire()`, `await queue.get()` on
//! an `asyncio.Queue`), `with lock:` (see AIO612), non-blocking calls (`acquire(False)`,
//! `get_nowait()`, `put_nowait()`, `event.is_set()`, `lock.release()`), `put()` on an
//! unbounded queue, `.result()` on a future already awaited through `asyncio.wrap_future`,
//! checked with `.done()`, or on an asyncio `Task`, `.join()` on strings and paths, the first
//! `acquire()` of a `Lock`/`RLock`/`Condition()` created by the statement just before (nobody
//! else can hold it yet: the idiom hands out a lock that is already held), and any method on an
//! object whose kind is unknown.
//!
//! ## Options
//! - `allowed-blocking-calls`: qualified names or method paths never reported, e.g.
//!   `["concurrent.futures.wait", "threading.Event().wait"]`.
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [asyncio synchronization primitives](https://docs.python.org/3/library/asyncio-sync.html)
//! - [`asyncio.wrap_future`](https://docs.python.org/3/library/asyncio-future.html#asyncio.wrap_future)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Number, Stmt};
use ruff_text_size::Ranged;

use super::helpers::report_blocking;
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::{AttributeSource, BindingKind};

/// Where a call's "may block" flag or timeout argument is found.
#[derive(Debug, Clone, Copy)]
struct Param {
    keywords: &'static [&'static str],
    position: Option<usize>,
}

/// A group of methods that wait, on a group of object kinds.
struct PrimitiveEntry {
    kinds: &'static [&'static str],
    methods: &'static [&'static str],
    /// The `blocking=`/`block=`/`wait=` flag: anything but a literal true value makes the call
    /// non-blocking (or ambiguous).
    block: Option<Param>,
    /// A literal zero timeout makes the call non-blocking.
    timeout: Option<Param>,
    /// Only reported when the queue was built with a positive `maxsize`.
    bounded_only: bool,
    /// Only reported when the future was not already awaited or checked in the function.
    future: bool,
    what: &'static str,
    alternative: &'static str,
}

const LOCK_KINDS: &[&str] = &[
    "threading.Lock()",
    "threading.RLock()",
    "threading.Semaphore()",
    "threading.BoundedSemaphore()",
    "threading.Condition()",
    "multiprocessing.Lock()",
    "multiprocessing.RLock()",
    "multiprocessing.Semaphore()",
    "multiprocessing.BoundedSemaphore()",
    "multiprocessing.Condition()",
];
const EVENT_KINDS: &[&str] = &[
    "threading.Event()",
    "threading.Condition()",
    "threading.Barrier()",
    "multiprocessing.Event()",
    "multiprocessing.Condition()",
    "multiprocessing.Barrier()",
];
const QUEUE_KINDS: &[&str] = &[
    "queue.Queue()",
    "queue.LifoQueue()",
    "queue.PriorityQueue()",
    "queue.SimpleQueue()",
    "multiprocessing.Queue()",
    "multiprocessing.JoinableQueue()",
    "multiprocessing.SimpleQueue()",
    "multiprocessing.queues.Queue()",
    "multiprocessing.queues.JoinableQueue()",
];
/// `SimpleQueue.put` never blocks (it is unbounded and ignores `block`).
const BOUNDABLE_QUEUE_KINDS: &[&str] = &[
    "queue.Queue()",
    "queue.LifoQueue()",
    "queue.PriorityQueue()",
    "multiprocessing.Queue()",
    "multiprocessing.JoinableQueue()",
    "multiprocessing.queues.Queue()",
    "multiprocessing.queues.JoinableQueue()",
];
const JOINABLE_QUEUE_KINDS: &[&str] = &[
    "queue.Queue()",
    "queue.LifoQueue()",
    "queue.PriorityQueue()",
    "multiprocessing.JoinableQueue()",
    "multiprocessing.queues.JoinableQueue()",
];
const THREAD_KINDS: &[&str] = &["threading.Thread()", "threading.Timer()"];
const PROCESS_KINDS: &[&str] = &[
    "multiprocessing.Process()",
    "multiprocessing.process.BaseProcess()",
];
const EXECUTOR_KINDS: &[&str] = &[
    "concurrent.futures.ThreadPoolExecutor()",
    "concurrent.futures.ProcessPoolExecutor()",
    "concurrent.futures.InterpreterPoolExecutor()",
    "concurrent.futures.thread.ThreadPoolExecutor()",
    "concurrent.futures.process.ProcessPoolExecutor()",
    "concurrent.futures.Executor()",
    "concurrent.futures._base.Executor()",
];
const FUTURE_KINDS: &[&str] = &[
    "concurrent.futures.Future()",
    "concurrent.futures._base.Future()",
    "concurrent.futures.ThreadPoolExecutor().submit()",
    "concurrent.futures.ProcessPoolExecutor().submit()",
    "concurrent.futures.InterpreterPoolExecutor().submit()",
    "concurrent.futures.thread.ThreadPoolExecutor().submit()",
    "concurrent.futures.process.ProcessPoolExecutor().submit()",
    "concurrent.futures.Executor().submit()",
    "concurrent.futures._base.Executor().submit()",
];
const THREADSAFE_FUTURE_KINDS: &[&str] = &[
    "asyncio.run_coroutine_threadsafe()",
    "asyncio.tasks.run_coroutine_threadsafe()",
];

const TIMEOUT_FIRST: Option<Param> = Some(Param {
    keywords: &["timeout"],
    position: Some(0),
});

const CATALOG: &[PrimitiveEntry] = &[
    PrimitiveEntry {
        kinds: LOCK_KINDS,
        methods: &["acquire"],
        // `threading`: acquire(blocking=True, timeout=-1); `multiprocessing`: acquire(block=True, timeout=None).
        block: Some(Param {
            keywords: &["blocking", "block"],
            position: Some(0),
        }),
        timeout: Some(Param {
            keywords: &["timeout"],
            position: Some(1),
        }),
        bounded_only: false,
        future: false,
        what: "waits on a synchronous lock",
        alternative: "an `asyncio.Lock`/`asyncio.Semaphore` (`async with lock:`) to coordinate tasks, or do the locked work in `await asyncio.to_thread(...)`",
    },
    PrimitiveEntry {
        kinds: EVENT_KINDS,
        methods: &["wait"],
        block: None,
        timeout: TIMEOUT_FIRST,
        bounded_only: false,
        future: false,
        what: "waits for another thread",
        alternative: "`asyncio.Event`/`asyncio.Condition`/`asyncio.Barrier` (`await event.wait()`) between tasks, or `await asyncio.to_thread(event.wait)` to wait for a thread",
    },
    PrimitiveEntry {
        kinds: &["threading.Condition()", "multiprocessing.Condition()"],
        methods: &["wait_for"],
        block: None,
        timeout: Some(Param {
            keywords: &["timeout"],
            position: Some(1),
        }),
        bounded_only: false,
        future: false,
        what: "waits for another thread",
        alternative: "an `asyncio.Condition` (`await condition.wait_for(predicate)`) between tasks, or `await asyncio.to_thread(condition.wait_for, predicate)`",
    },
    PrimitiveEntry {
        kinds: QUEUE_KINDS,
        methods: &["get"],
        block: Some(Param {
            keywords: &["block"],
            position: Some(0),
        }),
        timeout: Some(Param {
            keywords: &["timeout"],
            position: Some(1),
        }),
        bounded_only: false,
        future: false,
        what: "waits for a queue item",
        alternative: "an `asyncio.Queue` (`await queue.get()`), `queue.get_nowait()`, or `await asyncio.to_thread(queue.get)`",
    },
    PrimitiveEntry {
        kinds: BOUNDABLE_QUEUE_KINDS,
        methods: &["put"],
        block: Some(Param {
            keywords: &["block"],
            position: Some(1),
        }),
        timeout: Some(Param {
            keywords: &["timeout"],
            position: Some(2),
        }),
        bounded_only: true,
        future: false,
        what: "waits for room in a bounded queue",
        alternative: "an `asyncio.Queue` (`await queue.put(item)`), `queue.put_nowait(item)`, or `await asyncio.to_thread(queue.put, item)`",
    },
    PrimitiveEntry {
        kinds: JOINABLE_QUEUE_KINDS,
        methods: &["join"],
        block: None,
        timeout: None,
        bounded_only: false,
        future: false,
        what: "waits until every queued item is processed",
        alternative: "`await asyncio.to_thread(queue.join)`, or an `asyncio.Queue` (`await queue.join()`)",
    },
    PrimitiveEntry {
        kinds: THREAD_KINDS,
        methods: &["join"],
        block: None,
        timeout: TIMEOUT_FIRST,
        bounded_only: false,
        future: false,
        what: "waits for a thread to finish",
        alternative: "`await asyncio.to_thread(thread.join)`",
    },
    PrimitiveEntry {
        kinds: PROCESS_KINDS,
        methods: &["join"],
        block: None,
        timeout: TIMEOUT_FIRST,
        bounded_only: false,
        future: false,
        what: "waits for a process to finish",
        alternative: "`await asyncio.to_thread(process.join)`, or `asyncio.create_subprocess_exec` and `await proc.wait()`",
    },
    PrimitiveEntry {
        kinds: FUTURE_KINDS,
        methods: &["result", "exception"],
        block: None,
        timeout: TIMEOUT_FIRST,
        bounded_only: false,
        future: true,
        what: "waits for a `concurrent.futures` future",
        alternative: "`await asyncio.wrap_future(future)`, or submit the work with `await loop.run_in_executor(executor, fn, ...)`",
    },
    PrimitiveEntry {
        kinds: THREADSAFE_FUTURE_KINDS,
        methods: &["result", "exception"],
        block: None,
        timeout: TIMEOUT_FIRST,
        bounded_only: false,
        future: true,
        what: "waits for a coroutine scheduled on an event loop (a deadlock when that loop is this one)",
        alternative: "`await coro` directly when it belongs to this loop, or `await asyncio.wrap_future(future)` when it runs on another loop",
    },
    PrimitiveEntry {
        kinds: EXECUTOR_KINDS,
        methods: &["shutdown"],
        block: Some(Param {
            keywords: &["wait"],
            position: Some(0),
        }),
        timeout: None,
        bounded_only: false,
        future: false,
        what: "waits for every pending executor job",
        alternative: "`executor.shutdown(wait=False)`, or `await asyncio.to_thread(executor.shutdown)`",
    },
];

/// Module functions that wait for `concurrent.futures` futures.
const WAIT_FUNCTIONS: &[&str] = &[
    "concurrent.futures.wait",
    "concurrent.futures.as_completed",
    "concurrent.futures._base.wait",
    "concurrent.futures._base.as_completed",
];
const WAIT_FUNCTIONS_ALTERNATIVE: &str =
    "`asyncio.wait(...)`/`asyncio.as_completed(...)` over `asyncio.wrap_future(f)` for each future";

pub(crate) fn blocking_sync_primitive(checker: &mut Checker, site: &CallSite) {
    // Unpacked arguments hide the blocking flag and the timeout.
    if has_unpacked_arguments(site.call) {
        return;
    }
    // An awaited call is on an asyncio object, whatever kind the evidence suggested.
    if matches!(checker.parent_expression(), Some(Expr::Await(_))) {
        return;
    }
    if let Some(qualified) = site.qualified {
        if WAIT_FUNCTIONS.contains(&qualified) {
            // wait(fs, timeout=None, ...), as_completed(fs, timeout=None)
            let timeout = Param {
                keywords: &["timeout"],
                position: Some(1),
            };
            if argument(site.call, timeout).is_some_and(is_zero) {
                return;
            }
            report_blocking(
                checker,
                Rule::BlockingSyncPrimitive,
                site,
                qualified,
                "waits for executor futures",
                WAIT_FUNCTIONS_ALTERNATIVE,
            );
        }
        return;
    }
    let (Some(kind), Some(method)) = (site.receiver_kind, site.method_name()) else {
        return;
    };
    let Some(entry) = CATALOG
        .iter()
        .find(|e| e.kinds.contains(&kind) && e.methods.contains(&method))
    else {
        return;
    };
    if entry
        .block
        .and_then(|p| argument(site.call, p))
        .is_some_and(|flag| !is_true(flag))
    {
        return;
    }
    if entry
        .timeout
        .and_then(|p| argument(site.call, p))
        .is_some_and(is_zero)
    {
        return;
    }
    let Expr::Attribute(attr) = &*site.call.func else {
        return;
    };
    if entry.bounded_only && !is_bounded_queue(checker, &attr.value) {
        return;
    }
    if entry.future && future_is_settled(checker, &attr.value) {
        return;
    }
    if method == "acquire" && is_fresh_lock_acquire(checker, site, &attr.value) {
        return;
    }
    let matched = format!("{kind}.{method}");
    report_blocking(
        checker,
        Rule::BlockingSyncPrimitive,
        site,
        &matched,
        entry.what,
        entry.alternative,
    );
}

fn has_unpacked_arguments(call: &ast::ExprCall) -> bool {
    call.arguments
        .args
        .iter()
        .any(|a| matches!(a, Expr::Starred(_)))
        || call.arguments.keywords.iter().any(|k| k.arg.is_none())
}

/// The argument given for `param`, by keyword or by position.
fn argument(call: &ast::ExprCall, param: Param) -> Option<&Expr> {
    let by_keyword = call.arguments.keywords.iter().find(|k| {
        k.arg
            .as_ref()
            .is_some_and(|a| param.keywords.contains(&a.as_str()))
    });
    if let Some(keyword) = by_keyword {
        return Some(&keyword.value);
    }
    param.position.and_then(|i| call.arguments.args.get(i))
}

/// A literal that certainly means "block": `True` or a non-zero number.
fn is_true(expr: &Expr) -> bool {
    match expr {
        Expr::BooleanLiteral(b) => b.value,
        Expr::NumberLiteral(_) => !is_zero(expr),
        _ => false,
    }
}

fn is_zero(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_u8() == Some(0),
            Number::Float(f) => *f == 0.0,
            Number::Complex { .. } => false,
        },
        Expr::BooleanLiteral(b) => !b.value,
        _ => false,
    }
}

/// Constructors of a lock that nobody holds yet (`Condition()` without an argument makes its
/// own `RLock`; `Condition(lock)` may share a held one and is not listed).
const FRESH_LOCK_CONSTRUCTORS: &[&str] = &[
    "threading.Lock",
    "threading.RLock",
    "threading.Condition",
    "multiprocessing.Lock",
    "multiprocessing.RLock",
];

/// `lock = threading.Lock()` directly followed by `lock.acquire()` (the only binding of the
/// name in the function): no other thread can hold a lock created on the previous statement,
/// so this first acquire returns at once. The idiom hands out a lock that is already held.
fn is_fresh_lock_acquire(checker: &Checker, site: &CallSite, receiver: &Expr) -> bool {
    let Expr::Name(name) = receiver else {
        return false;
    };
    let Some([binding]) = checker.semantic.local_bindings(name.id.as_str()) else {
        return false;
    };
    let BindingKind::Assignment {
        value: Some(Expr::Call(constructor)),
        ..
    } = &binding.kind
    else {
        return false;
    };
    if !constructor.arguments.args.is_empty() || !constructor.arguments.keywords.is_empty() {
        return false;
    }
    let fresh = checker
        .semantic
        .resolve_qualified_name(&constructor.func)
        .is_some_and(|q| FRESH_LOCK_CONSTRUCTORS.contains(&q.as_str()));
    if !fresh {
        return false;
    }
    let mut ancestors = checker.statement_ancestors();
    let Some(current @ Stmt::Expr(statement)) = ancestors.next() else {
        return false;
    };
    if statement.value.range() != site.call.range() {
        return false;
    }
    let Some(parent) = ancestors.next() else {
        return false;
    };
    matches!(
        previous_sibling(parent, current),
        Some(Stmt::Assign(assign)) if assign.range().contains_range(binding.range)
    )
}

/// The statement just before `current` in whichever block of `parent` holds it.
fn previous_sibling<'a>(parent: &'a Stmt, current: &Stmt) -> Option<&'a Stmt> {
    let mut blocks: Vec<&'a [Stmt]> = Vec::new();
    match parent {
        Stmt::FunctionDef(def) => blocks.push(&def.body),
        Stmt::If(if_stmt) => {
            blocks.push(&if_stmt.body);
            blocks.extend(if_stmt.elif_else_clauses.iter().map(|c| &c.body[..]));
        }
        Stmt::For(for_stmt) => blocks.extend([&for_stmt.body[..], &for_stmt.orelse[..]]),
        Stmt::While(while_stmt) => {
            blocks.extend([&while_stmt.body[..], &while_stmt.orelse[..]]);
        }
        Stmt::With(with) => blocks.push(&with.body),
        Stmt::Try(try_stmt) => {
            blocks.extend([
                &try_stmt.body[..],
                &try_stmt.orelse[..],
                &try_stmt.finalbody[..],
            ]);
            blocks.extend(try_stmt.handlers.iter().map(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                &h.body[..]
            }));
        }
        Stmt::Match(match_stmt) => blocks.extend(match_stmt.cases.iter().map(|c| &c.body[..])),
        _ => {}
    }
    blocks.into_iter().find_map(|block| {
        let index = block.iter().position(|s| std::ptr::eq(s, current))?;
        index.checked_sub(1).map(|i| &block[i])
    })
}

/// Was the queue built with a positive literal `maxsize`? `put()` on an unbounded queue
/// returns at once, and a computed `maxsize` may be zero.
fn is_bounded_queue(checker: &Checker, receiver: &Expr) -> bool {
    let Some(constructor) = constructor_call(checker, receiver) else {
        return false;
    };
    let maxsize = Param {
        keywords: &["maxsize"],
        position: Some(0),
    };
    match argument(constructor, maxsize) {
        Some(Expr::NumberLiteral(n)) => {
            matches!(&n.value, Number::Int(i) if i.as_u64().is_some_and(|v| v > 0))
        }
        _ => false,
    }
}

/// The constructor call that produced `receiver`: a chained call, the single value assigned
/// to a name, or the single value assigned to `self.<attr>` in the class.
fn constructor_call<'a>(checker: &Checker<'a>, receiver: &'a Expr) -> Option<&'a ast::ExprCall> {
    match receiver {
        Expr::Call(call) => Some(call),
        Expr::Name(name) => {
            let binding = checker.semantic.unique_binding(name.id.as_str())?;
            match &binding.kind {
                BindingKind::Assignment {
                    value: Some(Expr::Call(call)),
                    ..
                } => Some(call),
                _ => None,
            }
        }
        Expr::Attribute(attr) => {
            let Expr::Name(base) = &*attr.value else {
                return None;
            };
            if !checker.semantic.is_self_name(base.id.as_str()) {
                return None;
            }
            let sources = checker
                .semantic
                .current_class_attributes()?
                .attributes
                .get(attr.attr.as_str())?;
            let mut calls = sources.iter().filter_map(|source| match source {
                AttributeSource::Value(Expr::Call(call)) => Some(call),
                _ => None,
            });
            let call = calls.next()?;
            calls.next().is_none().then_some(call)
        }
        _ => None,
    }
}

/// A future whose completion the function already waited for or checked: it was awaited
/// (`await asyncio.wrap_future(fut)`, `await fut`) or its `.done()` was tested, so `.result()`
/// returns at once.
fn future_is_settled(checker: &Checker, receiver: &Expr) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let target = checker.source_of(receiver.range());
    let mut finder = SettledFinder {
        checker,
        target,
        found: false,
    };
    finder.visit_body(&function.def.body);
    finder.found
}

struct SettledFinder<'c, 'a> {
    checker: &'c Checker<'a>,
    target: &'a str,
    found: bool,
}

impl SettledFinder<'_, '_> {
    fn is_target(&self, expr: &Expr) -> bool {
        self.checker.source_of(expr.range()) == self.target
    }
}

impl<'b> Visitor<'b> for SettledFinder<'_, '_> {
    fn visit_expr(&mut self, expr: &'b Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Await(await_expr) if self.is_target(&await_expr.value) => {
                self.found = true;
                return;
            }
            Expr::Call(call) => {
                if let Expr::Attribute(attr) = &*call.func
                    && attr.attr.as_str() == "done"
                    && self.is_target(&attr.value)
                {
                    self.found = true;
                    return;
                }
                let wraps = self
                    .checker
                    .semantic
                    .resolve_qualified_name(&call.func)
                    .is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "asyncio.wrap_future" | "asyncio.futures.wrap_future"
                        )
                    });
                if wraps
                    && call
                        .arguments
                        .args
                        .first()
                        .is_some_and(|a| self.is_target(a))
                {
                    self.found = true;
                    return;
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
