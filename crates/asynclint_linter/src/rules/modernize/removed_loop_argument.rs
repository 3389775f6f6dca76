//! ## What it does
//! Reports a `loop=` keyword argument passed to the asyncio functions and classes that dropped
//! it in Python 3.10: `asyncio.sleep`, `gather`, `wait_for`, `wait`, `as_completed`, `shield`,
//! `open_connection`, `start_server`, `open_unix_connection`, `start_unix_server`,
//! `create_subprocess_exec`, `create_subprocess_shell`, `Queue`, `PriorityQueue`,
//! `LifoQueue`, `Lock`, `Event`, `Condition`, `Semaphore` and `BoundedSemaphore` (in any
//! import form). The finding is reported whatever the target version: the call fails on every
//! supported Python.
//!
//! ## Why is this bad?
//! Since Python 3.7 these APIs find the running loop on their own, and passing a loop
//! explicitly was deprecated in 3.8 because it let code mix objects of different loops
//! (a `Lock` bound to one loop, awaited from another, hangs or fails far from the cause).
//! Python 3.10 removed the parameter: `await asyncio.sleep(1, loop=loop)` raises
//! `TypeError: sleep() got an unexpected keyword argument 'loop'`, and `asyncio.Lock(loop=loop)`
//! raises `TypeError` as well. Code that still passes `loop=` typically dates from Python 3.6
//! and only runs in tests that nobody executes any more.
//!
//! Not reported: APIs that still accept `loop=` (`asyncio.ensure_future`,
//! `run_coroutine_threadsafe`, `wrap_future`, `Future`, `Task`, `StreamReader`); methods of
//! other libraries with a `loop` parameter (`aiohttp`'s `TestServer.start_server(loop=...)`);
//! `**kwargs` that might contain `loop`; and code guarded for older Pythons
//! (`if sys.version_info < (3, 10):`, a test marked
//! `@pytest.mark.skipif(sys.version_info >= (3, 10), ...)`, or a `try` whose handler catches
//! `TypeError`).
//!
//! ## Example
//! ```python
//! async def worker(loop):
//!     lock = asyncio.Lock(loop=loop)
//!     async with lock:
//!         await asyncio.sleep(1, loop=loop)
//! ```
//!
//! Use instead:
//! ```python
//! async def worker():
//!     lock = asyncio.Lock()
//!     async with lock:
//!         await asyncio.sleep(1)
//! ```
//!
//! ## Options
//! - `target-version`: does not change what is reported; below `py310` the message adds that
//!   the target still accepts the argument (with a `DeprecationWarning`).
//!
//! ## References
//! - [What's New in Python 3.10: the `loop` parameter was removed from asyncio's high-level API](https://docs.python.org/3/whatsnew/3.10.html#removed)
//! - [`asyncio.sleep`](https://docs.python.org/3/library/asyncio-task.html#asyncio.sleep)
//! - [asyncio synchronization primitives](https://docs.python.org/3/library/asyncio-sync.html)

use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::settings::TargetVersion;

use super::version_guard::{Guard, is_guarded};

/// The public names, and the modules where asyncio defines them.
const REMOVED_LOOP: &[&str] = &[
    "sleep",
    "gather",
    "wait_for",
    "wait",
    "as_completed",
    "shield",
    "open_connection",
    "start_server",
    "open_unix_connection",
    "start_unix_server",
    "create_subprocess_exec",
    "create_subprocess_shell",
    "Queue",
    "PriorityQueue",
    "LifoQueue",
    "Lock",
    "Event",
    "Condition",
    "Semaphore",
    "BoundedSemaphore",
];

const MODULES: &[&str] = &[
    "asyncio",
    "asyncio.tasks",
    "asyncio.locks",
    "asyncio.queues",
    "asyncio.streams",
    "asyncio.subprocess",
];

const GUARD: Guard = Guard {
    removed_in: 10,
    hasattr: None,
    errors: &["TypeError"],
};

pub(crate) fn removed_loop_argument(checker: &mut Checker, site: &CallSite) {
    let Some(qualified) = site.qualified else {
        return;
    };
    let Some((module, name)) = qualified.rsplit_once('.') else {
        return;
    };
    if !MODULES.contains(&module) || !REMOVED_LOOP.contains(&name) {
        return;
    }
    if site.keyword("loop").is_none() {
        return;
    }
    if is_guarded(checker, site.call.range(), &GUARD) {
        return;
    }
    let uses = if name.starts_with(char::is_uppercase) {
        "the object binds to the running loop when it is first used"
    } else {
        "the function uses the running loop"
    };
    let target = checker.settings.target_version;
    let on_target = if target < TargetVersion::PY310 {
        format!(" (target {target} still accepts it, with a `DeprecationWarning`)")
    } else {
        String::new()
    };
    checker.report(
        Rule::RemovedLoopArgument,
        format!(
            "`loop=` passed to `asyncio.{name}()`: the parameter was removed in Python 3.10 and the call raises `TypeError` there{on_target}"
        ),
        format!("Drop the `loop=` argument: {uses}"),
        site.call.range(),
        None,
    );
}
