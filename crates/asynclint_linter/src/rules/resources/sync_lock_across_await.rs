//! ## What it does
//! Reports `with <lock>:` in an `async def` where `<lock>` is a `threading.Lock`, `RLock`,
//! `Semaphore`, `BoundedSemaphore` or `Condition` (known from its constructor in scope,
//! `self.lock = threading.Lock()` in `__init__`, or an annotation) and the body of the block
//! contains an `await` (or `async for`/`async with`).
//!
//! ## Why is this bad?
//! A threading lock belongs to a *thread*, and every task of an event loop runs on the same
//! thread. While the task that holds the lock is suspended at the `await`, the loop runs
//! other tasks; the first one that reaches `with lock:` calls the blocking `acquire()` and
//! freezes the whole loop thread, including the task that would release the lock: a
//! deadlock. With an `RLock` (or a `Condition`, which wraps one by default) the second task
//! re-enters the lock instead, because it runs on the owning thread, so the lock gives no
//! mutual exclusion between tasks at all.
//!
//! ## Example
//! ```python
//! class Cache:
//!     def __init__(self):
//!         self._lock = threading.Lock()
//!
//!     async def refresh(self, key):
//!         with self._lock:
//!             self._data[key] = await self._fetch(key)
//! ```
//!
//! Use instead:
//! ```python
//! class Cache:
//!     def __init__(self):
//!         self._lock = asyncio.Lock()
//!
//!     async def refresh(self, key):
//!         async with self._lock:
//!             self._data[key] = await self._fetch(key)
//! ```
//!
//! or, when the data is shared with other threads, await first and hold the threading lock
//! only around the synchronous update:
//! ```python
//! value = await self._fetch(key)
//! with self._lock:
//!     self._data[key] = value
//! ```
//!
//! Not reported: a threading lock held around synchronous code only; `await` inside a nested
//! `def`/`lambda` in the block; `asyncio` locks; objects whose kind is unknown (a lock
//! received as an unannotated parameter or imported from another module).
//!
//! ## References
//! - [asyncio synchronization primitives ("not thread-safe"; use `asyncio.Lock`)](https://docs.python.org/3/library/asyncio-sync.html)
//! - [`threading.Lock`](https://docs.python.org/3/library/threading.html#lock-objects)
//! - [asyncio: Concurrency and multithreading](https://docs.python.org/3/library/asyncio-dev.html#concurrency-and-multithreading)

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::resource_helpers::first_await;
use crate::checker::Checker;
use crate::registry::Rule;

const DEADLOCK: &str = "another task that reaches the lock meanwhile blocks in `acquire()` and freezes the event loop thread, so the holder can never resume to release it (deadlock)";
const REENTRANT: &str = "every task of the loop runs on the lock's owning thread, so other tasks re-enter it and it gives no mutual exclusion between tasks (while other threads stay blocked for as long as the task is suspended)";
const CONDITION: &str = "another task that reaches it meanwhile either blocks the event loop thread in `acquire()` (deadlock) or, with the default `RLock`, re-enters it on the same thread, so it gives no mutual exclusion between tasks";

/// (object kind, display name, what goes wrong)
const THREADING_LOCKS: &[(&str, &str, &str)] = &[
    ("threading.Lock()", "threading.Lock", DEADLOCK),
    ("threading.RLock()", "threading.RLock", REENTRANT),
    ("threading.Semaphore()", "threading.Semaphore", DEADLOCK),
    (
        "threading.BoundedSemaphore()",
        "threading.BoundedSemaphore",
        DEADLOCK,
    ),
    ("threading.Condition()", "threading.Condition", CONDITION),
    ("_thread.allocate_lock()", "_thread lock", DEADLOCK),
    ("_thread.LockType()", "_thread lock", DEADLOCK),
];

pub(crate) fn sync_lock_across_await(checker: &mut Checker, with: &ast::StmtWith) {
    if with.is_async || !checker.semantic.in_async_context() {
        return;
    }
    let Some(await_range) = first_await(&with.body) else {
        return;
    };
    for item in &with.items {
        let Some(kind) = checker.semantic.object_kind(&item.context_expr) else {
            continue;
        };
        let Some((_, what, consequence)) = THREADING_LOCKS.iter().find(|(k, _, _)| *k == kind)
        else {
            continue;
        };
        let lock = lock_display(checker, &item.context_expr);
        let line = await_line(checker, await_range);
        checker.report(
            Rule::SyncLockAcrossAwait,
            format!(
                "`with {lock}` holds a `{what}` across an `await` (line {line}): while the task is suspended the lock stays held; {consequence}"
            ),
            "Use an `asyncio.Lock()` with `async with` when the critical section awaits, or await first and hold the threading lock only around the synchronous part",
            TextRange::new(with.range().start(), item.context_expr.range().end()),
            None,
        );
    }
}

fn lock_display(checker: &Checker, expr: &Expr) -> String {
    let text = checker.source_of(expr.range());
    if text.len() <= 50 && !text.contains('\n') {
        text.to_string()
    } else {
        "lock".to_string()
    }
}

fn await_line(checker: &Checker, range: TextRange) -> usize {
    let offset = usize::from(range.start());
    checker.source[..offset]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}
