//! ## What it does
//! Reports calls that wait for the user to type something, made directly in an `async def`:
//! the builtin `input()`, `sys.stdin.read()`/`readline()`/`readlines()` (also through
//! `sys.stdin.buffer` and `from sys import stdin`) and `getpass.getpass()`.
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. These calls park that thread in a
//! `read()` on the terminal until a line arrives, which can take seconds or forever (a
//! service without a terminal, a closed pipe that never sends EOF). Meanwhile no other task
//! runs: connections time out, timers fire late, and the program looks frozen. Reading in a
//! worker thread keeps the loop free while the user types.
//!
//! ## Example
//! ```python
//! async def confirm(client):
//!     answer = input("Delete everything? [y/N] ")
//!     if answer == "y":
//!         await client.delete_all()
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//!
//! async def confirm(client):
//!     answer = await asyncio.to_thread(input, "Delete everything? [y/N] ")
//!     if answer == "y":
//!         await client.delete_all()
//! ```
//!
//! For a stream of lines, connect stdin to an `asyncio.StreamReader` with
//! `loop.connect_read_pipe` and `await reader.readline()`.
//!
//! Not reported: the functions passed to a thread (`await asyncio.to_thread(input, "? ")`),
//! calls in a nested `def` or `lambda`, a local or parameter named `input`, reads on any other
//! object (an `asyncio.StreamReader`, a file of unknown origin), and stdin methods that do not
//! read (`sys.stdin.isatty()`, `sys.stdin.fileno()`).
//!
//! ## Options
//! - `allowed-blocking-calls`: qualified names never reported, e.g. `["getpass.getpass"]`.
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
//! - [`loop.connect_read_pipe`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.connect_read_pipe)

use super::helpers::{BlockingEntry, lookup, report_blocking};
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

const TO_THREAD_INPUT: &str =
    "`await asyncio.to_thread(input, prompt)`, which waits for the user in a worker thread";
const STDIN: &str = "`await asyncio.to_thread(sys.stdin.readline)`, or read stdin through an `asyncio.StreamReader` connected with `loop.connect_read_pipe`";
const GETPASS: &str = "`await asyncio.to_thread(getpass.getpass, prompt)`, which waits for the user in a worker thread";

const CATALOG: &[BlockingEntry] = &[
    BlockingEntry {
        pattern: "builtins.input",
        alternative: TO_THREAD_INPUT,
    },
    BlockingEntry {
        pattern: "sys.stdin.read",
        alternative: STDIN,
    },
    BlockingEntry {
        pattern: "sys.stdin.readline",
        alternative: STDIN,
    },
    BlockingEntry {
        pattern: "sys.stdin.readlines",
        alternative: STDIN,
    },
    BlockingEntry {
        pattern: "sys.stdin.buffer.read",
        alternative: STDIN,
    },
    BlockingEntry {
        pattern: "sys.stdin.buffer.readline",
        alternative: STDIN,
    },
    BlockingEntry {
        pattern: "sys.stdin.buffer.readlines",
        alternative: STDIN,
    },
    BlockingEntry {
        pattern: "getpass.getpass",
        alternative: GETPASS,
    },
];

pub(crate) fn blocking_input(checker: &mut Checker, site: &CallSite) {
    // Only qualified callees: stdin reads are recognised through `sys.stdin`, never by the
    // method name on an object of unknown kind.
    if site.qualified.is_none() {
        return;
    }
    let Some((entry, matched)) = lookup(CATALOG, site) else {
        return;
    };
    report_blocking(
        checker,
        Rule::BlockingInput,
        site,
        &matched,
        "waits for terminal input",
        entry.alternative,
    );
}
