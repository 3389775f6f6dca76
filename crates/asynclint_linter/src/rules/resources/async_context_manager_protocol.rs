//! ## What it does
//! Reports classes that implement the asynchronous context manager protocol incorrectly:
//! - `__aenter__` defined without `__aexit__`, or the reverse, when no base class could
//!   provide the missing method (the class has no bases other than `object`, `ABC`,
//!   `Protocol` or `Generic`);
//! - `__aenter__`/`__aexit__` declared with a plain `def` that returns something that cannot
//!   be awaited (`self`, `None`, a constant, or nothing);
//! - `__enter__`/`__exit__` declared with `async def`;
//! - `__aexit__` that cannot be called with the three arguments `async with` passes
//!   (`exc_type, exc, tb`), besides `self`.
//!
//! ## Why is this bad?
//! `async with cm:` looks up `type(cm).__aenter__` and `type(cm).__aexit__` and **awaits**
//! what they return. A class with only one of the two raises `TypeError` at the `async with`
//! line; a plain `def __aenter__(self): return self` hands `self` to `await`, which raises
//! `TypeError: object ... can't be used in 'await' expression`; and an `__aexit__` with the
//! wrong signature raises `TypeError` exactly when the block exits, so the cleanup it was meant
//! to do never happens.
//!
//! The opposite mistake is quieter and worse: a plain `with` calls `__enter__`/`__exit__`
//! without awaiting them. An `async def __enter__` hands a coroutine object to the `as`
//! target and never runs its body; an `async def __exit__` never runs its cleanup, and the
//! coroutine it returns is truthy, so **every exception raised in the block is swallowed**.
//!
//! ## Example
//! ```python
//! class Connection:
//!     def __aenter__(self):
//!         return self
//!
//!     async def __aexit__(self, exc_type, exc):
//!         await self.close()
//!
//!
//! class Transaction:
//!     async def __enter__(self):
//!         await self.begin()
//!         return self
//! ```
//!
//! Use instead:
//! ```python
//! class Connection:
//!     async def __aenter__(self):
//!         return self
//!
//!     async def __aexit__(self, exc_type, exc, tb):
//!         await self.close()
//!
//!
//! class Transaction:
//!     async def __aenter__(self):
//!         await self.begin()
//!         return self
//!
//!     async def __aexit__(self, exc_type, exc, tb):
//!         await self.end(exc_type is None)
//! ```
//!
//! Not reported: a missing counterpart in a `*Mixin` class or when the class has any other
//! base class, a metaclass
//! other than `ABCMeta`, or a class decorator that may add methods (a mixin's partner or a
//! base can provide it); a plain `def __aenter__` that returns another awaitable (`return
//! self._lock.__aenter__()`), only raises, or is an interface stub (`...`/`pass`), or that
//! carries a decorator such as `@types.coroutine`; `__aexit__(self, *exc_info)` and
//! signatures whose extra parameters have defaults; `staticmethod`/`classmethod` oddities.
//!
//! ## References
//! - [Asynchronous context managers (data model)](https://docs.python.org/3/reference/datamodel.html#asynchronous-context-managers)
//! - [The `async with` statement](https://docs.python.org/3/reference/compound_stmts.html#the-async-with-statement)
//! - [With statement context managers (data model)](https://docs.python.org/3/reference/datamodel.html#with-statement-context-managers)

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::resource_helpers::{decorator_names, own_returns};
use crate::checker::Checker;
use crate::checker::summary::class_members;
use crate::registry::Rule;
use crate::rules::function_facts::{body_facts, is_trivial_body};

/// Bases that cannot provide `__aenter__`/`__aexit__`.
const INERT_BASES: &[&str] = &[
    "builtins.object",
    "abc.ABC",
    "typing.Protocol",
    "typing_extensions.Protocol",
    "typing.Generic",
    "typing_extensions.Generic",
];

/// Decorators that leave a method's calling convention alone.
const TRANSPARENT_METHOD_DECORATORS: &[&str] = &[
    "abc.abstractmethod",
    "typing.override",
    "typing_extensions.override",
    "typing.final",
    "typing_extensions.final",
];

pub(crate) fn async_context_manager_protocol(checker: &mut Checker, class: &ast::StmtClassDef) {
    for stmt in &class.body {
        let Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        match def.name.as_str() {
            "__aenter__" | "__aexit__" => {
                if !def.is_async {
                    sync_async_method(checker, class, def);
                }
                if def.name.as_str() == "__aexit__" {
                    aexit_arity(checker, class, def);
                }
            }
            "__enter__" | "__exit__" if def.is_async => {
                async_sync_method(checker, class, def);
            }
            _ => {}
        }
    }
    missing_counterpart(checker, class);
}

/// `__aenter__` without `__aexit__` (or the reverse) in a class nothing else can complete.
fn missing_counterpart(checker: &mut Checker, class: &ast::StmtClassDef) {
    // A mixin is completed by the classes it is mixed into.
    if class.name.as_str().ends_with("Mixin") {
        return;
    }
    let (members, opaque) = class_members(&checker.semantic, class);
    if opaque {
        return;
    }
    let has = |name: &str| members.contains(&name);
    let (present, missing) = match (has("__aenter__"), has("__aexit__")) {
        (true, false) => ("__aenter__", "__aexit__"),
        (false, true) => ("__aexit__", "__aenter__"),
        _ => return,
    };
    if let Some(arguments) = &class.arguments {
        let inert = arguments.args.iter().all(|base| {
            let base = match base {
                Expr::Subscript(sub) => &*sub.value,
                other => other,
            };
            checker
                .semantic
                .resolve_qualified_name(base)
                .is_some_and(|q| INERT_BASES.contains(&q.as_str()))
        });
        // `class_members` already rejects metaclasses other than `ABCMeta`.
        if !inert {
            return;
        }
    }
    let name = class.name.as_str();
    let signature = if missing == "__aexit__" {
        "async def __aexit__(self, exc_type, exc, tb)"
    } else {
        "async def __aenter__(self)"
    };
    checker.report(
        Rule::AsyncContextManagerProtocol,
        format!(
            "Class `{name}` defines `{present}` but not `{missing}`, and no base class can provide it: `async with {name}(...)` raises `TypeError` because the asynchronous context manager protocol needs both methods"
        ),
        format!(
            "Define `{signature}` (or inherit from `contextlib.AbstractAsyncContextManager`)"
        ),
        class.name.range(),
        None,
    );
}

/// `def __aenter__` / `def __aexit__` whose result cannot be awaited.
fn sync_async_method(checker: &mut Checker, class: &ast::StmtClassDef, def: &ast::StmtFunctionDef) {
    if !only_transparent_decorators(checker, def) || is_trivial_body(&def.body) {
        return;
    }
    // A plain `def` may legitimately return an awaitable made elsewhere
    // (`return self._lock.__aenter__()`, `return asyncio.sleep(0)`, a future).
    let returns_awaitable = own_returns(&def.body).iter().any(|ret| {
        ret.value
            .as_deref()
            .is_some_and(|value| !is_never_awaitable(def, value))
    });
    if returns_awaitable && !body_facts(def).is_generator {
        return;
    }
    let method = def.name.as_str();
    let (what, when) = if method == "__aenter__" {
        ("entering", "`async with` awaits what `__aenter__` returns")
    } else {
        ("leaving", "`async with` awaits what `__aexit__` returns")
    };
    let signature = if method == "__aenter__" {
        "async def __aenter__(self)".to_string()
    } else {
        "async def __aexit__(self, exc_type, exc, tb)".to_string()
    };
    checker.report(
        Rule::AsyncContextManagerProtocol,
        format!(
            "`{}.{method}` is a plain `def`: {when}, and its result is not awaitable, so {what} the `async with` block raises `TypeError`",
            class.name
        ),
        format!("Declare it as `{signature}`"),
        def.name.range(),
        None,
    );
}

/// `self`, `None`, a literal: values that are certainly not awaitable.
fn is_never_awaitable(def: &ast::StmtFunctionDef, value: &Expr) -> bool {
    match value {
        Expr::NoneLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::Compare(_)
        | Expr::List(_)
        | Expr::Dict(_)
        | Expr::Tuple(_) => true,
        Expr::Name(name) => {
            let first = def
                .parameters
                .posonlyargs
                .iter()
                .chain(&def.parameters.args)
                .next();
            first.is_some_and(|p| p.parameter.name.as_str() == name.id.as_str())
        }
        _ => false,
    }
}

/// `async def __enter__` / `async def __exit__`.
fn async_sync_method(checker: &mut Checker, class: &ast::StmtClassDef, def: &ast::StmtFunctionDef) {
    let method = def.name.as_str();
    let message = if method == "__enter__" {
        format!(
            "`{}.__enter__` is an `async def`: a plain `with` calls it without awaiting, so its body never runs and the `as` target receives an un-awaited coroutine object",
            class.name
        )
    } else {
        format!(
            "`{}.__exit__` is an `async def`: a plain `with` calls it without awaiting, so its cleanup never runs, and the coroutine it returns is truthy, which suppresses every exception raised in the block",
            class.name
        )
    };
    let counterpart = if method == "__enter__" {
        "__aenter__"
    } else {
        "__aexit__"
    };
    checker.report(
        Rule::AsyncContextManagerProtocol,
        message,
        format!(
            "Make it a plain `def {method}`, or rename it to `async def {counterpart}` and use `async with`"
        ),
        def.name.range(),
        None,
    );
}

/// `__aexit__` must accept `(exc_type, exc, tb)` positionally besides `self`.
fn aexit_arity(checker: &mut Checker, class: &ast::StmtClassDef, def: &ast::StmtFunctionDef) {
    if !def.decorator_list.is_empty() && !only_transparent_decorators(checker, def) {
        return;
    }
    let params = &def.parameters;
    let positional: Vec<&ast::ParameterWithDefault> =
        params.posonlyargs.iter().chain(&params.args).collect();
    // `self` missing: something else is going on (a `staticmethod` assigned later...).
    let Some((_, rest)) = positional.split_first() else {
        return;
    };
    let total = rest.len();
    let required = rest.iter().filter(|p| p.default.is_none()).count();
    let required_keyword_only = params.kwonlyargs.iter().any(|p| p.default.is_none());
    let accepts_three =
        required <= 3 && (total >= 3 || params.vararg.is_some()) && !required_keyword_only;
    if accepts_three {
        return;
    }
    let problem = if required_keyword_only {
        "requires keyword-only arguments".to_string()
    } else if required > 3 {
        format!("requires {required} arguments besides `self`")
    } else if total == 0 {
        "accepts no argument besides `self`".to_string()
    } else {
        format!(
            "accepts only {total} argument{} besides `self`",
            if total == 1 { "" } else { "s" }
        )
    };
    checker.report(
        Rule::AsyncContextManagerProtocol,
        format!(
            "`{}.__aexit__` {problem}: `async with` always calls it with three (`exc_type, exc, tb`), so leaving the block raises `TypeError` and the cleanup never runs",
            class.name
        ),
        "Declare it as `async def __aexit__(self, exc_type, exc, tb)` (or `*exc_info`)",
        def.name.range(),
        None,
    );
}

fn only_transparent_decorators(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    decorator_names(&checker.semantic, &def.decorator_list)
        .iter()
        .all(|q| {
            q.as_deref()
                .is_some_and(|q| TRANSPARENT_METHOD_DECORATORS.contains(&q))
        })
}
