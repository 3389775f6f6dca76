//! ## What it does
//! Reports `asyncio.gather(...)` called with a list, set, tuple, dict or generator expression
//! as an argument instead of the awaitables themselves: `asyncio.gather([...])`,
//! `asyncio.gather(tasks)` where `tasks` is bound to a list (a literal, a comprehension or
//! `list(...)`), `asyncio.gather(fetch(u) for u in urls)`.
//!
//! ## Why is this bad?
//! `asyncio.gather(*aws)` takes each awaitable as a separate positional argument and wraps each
//! one in a future with `asyncio.ensure_future`. A list is not awaitable, so the call raises
//! `TypeError: An asyncio.Future, a coroutine or an awaitable is required` as soon as it runs.
//! The coroutines inside the list were already created and are never awaited: each also emits
//! "coroutine ... was never awaited" when it is garbage-collected. Unlike `asyncio.wait`, which
//! does take a collection, `gather` never accepts one.
//!
//! ## Example
//! ```python
//! async def fetch_all(urls):
//!     coros = [fetch(url) for url in urls]
//!     return await asyncio.gather(coros)
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch_all(urls):
//!     coros = [fetch(url) for url in urls]
//!     return await asyncio.gather(*coros)
//! ```
//!
//! Not reported: unpacked arguments (`gather(*coros)`, `gather(*(f(x) for x in xs))`), names
//! whose value is not certainly a collection (a parameter, a name bound to a call of unknown
//! result, a name with several different bindings), and single awaitables (`gather(task)`).
//!
//! ## References
//! - [`asyncio.gather`](https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)
//! - [`asyncio.ensure_future`](https://docs.python.org/3/library/asyncio-future.html#asyncio.ensure_future)

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::rules::tasks::task_tracking::{is_gather, short_source};
use crate::semantic::{BindingKind, Lookup};

pub(crate) fn gather_non_awaitable_argument(checker: &mut Checker, site: &CallSite) {
    let call = site.call;
    if !matches!(
        site.qualified,
        Some("asyncio.gather" | "asyncio.tasks.gather")
    ) && !is_gather(checker, call)
    {
        return;
    }
    for arg in &call.arguments.args {
        let Some(what) = collection_argument(checker, arg) else {
            continue;
        };
        let gather = short_source(checker, &call.func, "asyncio.gather");
        let what = match arg {
            Expr::Name(name) => format!("{what} `{}`", name.id),
            _ => what.to_string(),
        };
        let message = format!(
            "`{gather}()` is passed {what} instead of awaitables: gather takes each awaitable as a separate argument and raises `TypeError` at run time"
        );
        let text = checker.source_of(arg.range());
        let unpacked = if text.len() > 50 || text.contains('\n') {
            "...".to_string()
        } else if matches!(arg, Expr::Generator(_)) && !text.starts_with('(') {
            format!("({text})")
        } else {
            text.to_string()
        };
        let help = format!("Unpack it: `{gather}(*{unpacked})`");
        checker.report(
            Rule::GatherNonAwaitableArgument,
            message,
            help,
            call.range(),
            None,
        );
        // One finding per call: the first bad argument is enough to fail.
        return;
    }
}

/// What kind of non-awaitable collection `arg` certainly is, for the message.
fn collection_argument(checker: &Checker, arg: &Expr) -> Option<&'static str> {
    if let Some(what) = collection_literal(checker, arg) {
        return Some(what);
    }
    let Expr::Name(name) = arg else {
        return None;
    };
    let Lookup::Found(bindings) = checker.semantic.lookup(name.id.as_str()) else {
        return None;
    };
    let mut kind: Option<&'static str> = None;
    for binding in bindings {
        let BindingKind::Assignment {
            value: Some(value), ..
        } = &binding.kind
        else {
            return None;
        };
        let what = collection_literal(checker, value)?;
        match kind {
            None => kind = Some(what),
            Some(existing) if existing == what => {}
            // A list here, a set there: still a collection, name it neutrally.
            Some(_) => kind = Some("the collection"),
        }
    }
    kind.map(|k| match k {
        "a list" => "the list",
        "a set" => "the set",
        "a tuple" => "the tuple",
        "a dict" => "the dict",
        "a generator expression" => "the generator",
        other => other,
    })
}

fn collection_literal(checker: &Checker, expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::List(_) | Expr::ListComp(_) => Some("a list"),
        Expr::Set(_) | Expr::SetComp(_) => Some("a set"),
        Expr::Tuple(_) => Some("a tuple"),
        Expr::Dict(_) | Expr::DictComp(_) => Some("a dict"),
        Expr::Generator(_) => Some("a generator expression"),
        Expr::Call(ast::ExprCall { func, .. }) => {
            match checker.semantic.resolve_qualified_name(func).as_deref() {
                Some("builtins.list" | "builtins.sorted") => Some("a list"),
                Some("builtins.set" | "builtins.frozenset") => Some("a set"),
                Some("builtins.tuple") => Some("a tuple"),
                Some("builtins.dict") => Some("a dict"),
                _ => None,
            }
        }
        _ => None,
    }
}
