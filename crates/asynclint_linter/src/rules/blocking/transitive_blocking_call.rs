//! ## What it does
//! Reports a call, in an `async def`, to a synchronous function of your project that reaches a
//! catalogued blocking call (AIO100-AIO109) through any chain of synchronous calls, in any
//! module. The message prints the whole chain with the file and line of each hop:
//! `handler() -> load_config() [config.py:12] -> open() [config.py:14]`.
//!
//! ## Why is this bad?
//! Blocking the event loop does not need to be visible at the call site. A coroutine that calls
//! a harmless-looking helper, which calls another helper, which opens a file or sleeps, stalls
//! every other task exactly as if it had made the blocking call itself. Per-file linters cannot
//! see across modules; this rule follows calls through imports, aliases, re-exports,
//! `self.method()`, `super().method()`, `Class.method()` and objects built by a constructor in
//! the same function.
//!
//! Calls handed to `asyncio.to_thread`/`loop.run_in_executor` (the function object, a
//! `lambda` or a `functools.partial`) break the chain: they run on a thread. Decorated sync
//! functions are not followed (a decorator such as `@sync_to_async` may move the call to a
//! thread), apart from decorators that do not change how a body runs (`staticmethod`,
//! `classmethod`, `property`, `functools.cache`/`lru_cache`). Implicit `__enter__`/`__exit__`
//! calls are not followed, and calls on objects of unknown type resolve to nothing.
//!
//! ## Example
//! ```python
//! # config.py
//! def load_config(path):
//!     with open(path) as f:
//!         return json.load(f)
//!
//! # api.py
//! async def handler(request):
//!     config = load_config("settings.json")
//! ```
//!
//! Use instead:
//! ```python
//! async def handler(request):
//!     config = await asyncio.to_thread(load_config, "settings.json")
//! ```
//!
//! or load the configuration once at start-up, before the loop serves requests.
//!
//! ## Options
//! - `blocking-calls`: extra qualified names treated as blocking (`["mylib.slow_io"]`).
//! - `allowed-blocking-calls`: qualified names never treated as blocking.
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts, Target, snippet};
use crate::registry::Rule;

/// Phase 1: a call made in async context whose target may be a project function.
pub(crate) fn transitive_blocking_call(checker: &mut Checker, site: &CallSite, target: &Target) {
    // `await f()` targets a coroutine function; awaiting a sync helper is AIO204's business.
    if matches!(checker.parent_expression(), Some(Expr::Await(_))) {
        return;
    }
    let Some(caller) = checker
        .semantic
        .current_function()
        .map(|f| f.def.name.range)
    else {
        return;
    };
    let callee = site.call.func.range();
    let range = site.call.range();
    if let Some(builder) = &mut checker.summary {
        builder.summary.deferred.push(DeferredCheck {
            rule: Rule::TransitiveBlockingCall,
            range,
            target: target.clone(),
            kind: DeferredKind::TransitiveBlocking { caller, callee },
        });
    }
}

/// Phase 2: report when the target is a sync project function with a blocking chain.
pub fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::TransitiveBlocking { caller, callee } = &check.kind else {
        return None;
    };
    let caller = snippet::callee(file.text(), *caller);
    let display = snippet::callee_call(file.text(), *callee);
    let function = facts.resolve_function(&check.target)?;
    if function.summary.is_async || function.summary.opaque_decorator {
        return None;
    }
    let (hops, rule) = facts.blocking_chain(&function.path)?;
    let mut chain = format!("{caller}()");
    for hop in &hops {
        let name = hop
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        chain.push_str(&format!(" -> {} [{}:{}]", hop.display, name, hop.line));
    }
    let last = hops.last()?;
    let rule_code = rule.code();
    let diagnostic = Diagnostic::new(
        Rule::TransitiveBlockingCall.code(),
        Rule::TransitiveBlockingCall.name(),
        format!(
            "`{display}` blocks the event loop: it reaches `{}` ({rule_code}) through sync calls: {chain}",
            last.display
        ),
        check.range,
        file.clone(),
    )
    .with_help(format!(
        "Run it in a thread with `await asyncio.to_thread(...)`, or make the chain async (blocking call at {}:{})",
        facts.display_path(&last.path),
        last.line
    ));
    Some(diagnostic)
}
