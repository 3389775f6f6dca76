//! Shared by the AIO201-AIO204 rules: which calls produce a coroutine, how callees are shown,
//! and how a call site is deferred to the project index.

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, FunctionRef, ProjectFacts, Target};
use crate::registry::Rule;

use super::unawaited_coroutine::{LOOP_KINDS, is_stdlib_coroutine};

/// The callee as written (`db.fetch`, `self.refresh`); only its last name when the source is
/// long or spans lines.
pub(crate) fn callee_text(checker: &Checker, site: &CallSite) -> String {
    let func = checker.source_of(site.call.func.range());
    if func.len() <= 50 && !func.contains('\n') {
        return func.to_string();
    }
    match &*site.call.func {
        Expr::Attribute(attr) => format!("...{}", attr.attr.as_str()),
        Expr::Name(name) => name.id.to_string(),
        _ => "callee".to_string(),
    }
}

/// The call as written (`db.fetch(key)`), or `callee(...)` when it is long or spans lines.
pub(crate) fn call_text(checker: &Checker, site: &CallSite) -> String {
    let call = checker.source_of(site.call.range());
    if call.len() <= 60 && !call.contains('\n') {
        call.to_string()
    } else {
        format!("{}(...)", callee_text(checker, site))
    }
}

/// A catalogued asyncio coroutine function (or future-returning call) from the AIO200 catalogue.
pub(crate) fn stdlib_coroutine(site: &CallSite) -> bool {
    is_stdlib_coroutine(site)
}

/// What an asyncio callee returns, for messages: `gather` and `run_in_executor` return a future
/// (the work runs, but its result is never collected), the rest return a coroutine object.
pub(crate) fn stdlib_returns(site: &CallSite) -> &'static str {
    if stdlib_returns_future(site) {
        "a future"
    } else {
        "a coroutine object"
    }
}

/// "an asyncio coroutine function", or for `gather`/`run_in_executor` what they really are.
pub(crate) fn stdlib_what(site: &CallSite) -> &'static str {
    if stdlib_returns_future(site) {
        "an asyncio function that returns a future"
    } else {
        "an asyncio coroutine function"
    }
}

fn stdlib_returns_future(site: &CallSite) -> bool {
    site.qualified == Some("asyncio.gather")
        || (site.method_name() == Some("run_in_executor")
            && site.receiver_kind.is_some_and(|k| LOOP_KINDS.contains(&k)))
}

/// A project function whose call certainly returns a coroutine object: an `async def` that is
/// not an async generator, not a property (`obj.prop()` calls the property's value), and not
/// wrapped by a decorator that could turn it into something else (`@async_to_sync`,
/// `@sync_compatible`...).
pub(crate) fn is_coroutine_function(function: &FunctionRef) -> bool {
    let f = function.summary;
    f.is_async && !f.is_generator && !f.is_property && !f.opaque_decorator
}

/// "a coroutine function (`async def` at svc/db.py:4)".
pub(crate) fn project_coroutine_what(facts: &dyn ProjectFacts, function: &FunctionRef) -> String {
    format!(
        "a coroutine function (`async def` at {})",
        facts.location(function, function.summary.offset)
    )
}

/// `self.attr(...)` where the class assigns `self.attr` (in `__init__` or as a class-level
/// annotation): the instance attribute shadows any method of that name, so the method the index
/// would find is not what runs.
pub(crate) fn is_instance_attribute_call(checker: &Checker, site: &CallSite) -> bool {
    let Expr::Attribute(attr) = &*site.call.func else {
        return false;
    };
    let Expr::Name(base) = &*attr.value else {
        return false;
    };
    if !checker.semantic.is_self_name(base.id.as_str()) {
        return false;
    }
    checker
        .semantic
        .current_class_attributes()
        .is_some_and(|attrs| attrs.attributes.contains_key(attr.attr.as_str()))
}

/// Phase 1: record a deferred check for phase 2 (only when the project index is being built).
pub(crate) fn defer(
    checker: &mut Checker,
    rule: Rule,
    range: TextRange,
    target: Target,
    kind: DeferredKind,
) {
    if let Some(builder) = &mut checker.summary {
        builder.summary.deferred.push(DeferredCheck {
            rule,
            range,
            target,
            kind,
        });
    }
}
