//! ## What it does
//! Reports `@property` and `@functools.cached_property` applied to an `async def`.
//!
//! ## Why is this bad?
//! A property runs its getter on every attribute read. When the getter is an `async def`, the
//! read does not compute anything: it creates a new coroutine object. `obj.total` then looks
//! like a value but is a coroutine: comparisons and `if obj.total:` are always true, format
//! strings print `<coroutine object ...>`, and Python warns "coroutine was never awaited" at
//! garbage collection. Only `await obj.total` works, which hides an I/O round trip behind
//! attribute syntax and defeats every tool that assumes attribute access is cheap and
//! side-effect free.
//!
//! `cached_property` is worse: it caches the coroutine object itself. The first
//! `await obj.total` works; the second one awaits the same, already-finished coroutine and
//! raises `RuntimeError: cannot reuse already awaited coroutine`.
//!
//! ## Example
//! ```python
//! class Account:
//!     @property
//!     async def balance(self) -> int:
//!         return await self.db.fetch_balance(self.id)
//! ```
//!
//! Use instead:
//! ```python
//! class Account:
//!     async def get_balance(self) -> int:
//!         return await self.db.fetch_balance(self.id)
//! ```
//!
//! or load the value once in an async factory and expose it as a plain attribute.
//!
//! Not reported: `@property` on a plain `def` (even one that returns an awaitable, a task or a
//! future on purpose); decorators built for coroutines (`async_property.async_property`,
//! `async_property.async_cached_property`, the `cached_property` package, which caches the
//! awaited result); a property stacked on another decorator that may turn the `async def`
//! into something else.
//!
//! ## References
//! - [`property`](https://docs.python.org/3/library/functions.html#property)
//! - [`functools.cached_property`](https://docs.python.org/3/library/functools.html#functools.cached_property)
//! - [Coroutines: calling a coroutine function returns a coroutine object](https://docs.python.org/3/library/asyncio-task.html#coroutines)

use ruff_python_ast as ast;

use crate::checker::Checker;
use crate::registry::Rule;

use super::decorators::{decorator_qualified_name, def_header_range, inner_decorators_transparent};

#[derive(Clone, Copy)]
enum Kind {
    Property,
    CachedProperty,
}

pub(crate) fn async_property(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    if !def.is_async {
        return;
    }
    let Some((index, kind)) = def.decorator_list.iter().enumerate().find_map(|(i, d)| {
        // `@property` takes no arguments: a call is some other decorator factory.
        if matches!(d.expression, ast::Expr::Call(_)) {
            return None;
        }
        let kind = match decorator_qualified_name(checker, d)?.as_str() {
            "builtins.property" => Kind::Property,
            "functools.cached_property" => Kind::CachedProperty,
            _ => return None,
        };
        Some((i, kind))
    }) else {
        return;
    };
    if !inner_decorators_transparent(checker, def, index) {
        return;
    }
    let name = def.name.as_str();
    let method = if ["get_", "fetch_", "load_"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        name.to_string()
    } else {
        format!("get_{name}")
    };
    let (message, help) = match kind {
        Kind::Property => (
            format!(
                "`@property` on `async def {name}`: every read of `.{name}` creates a new coroutine object, which is always truthy and warns \"never awaited\" unless each caller remembers to `await` it"
            ),
            format!(
                "Make it a coroutine method (`async def {method}(self)`) that callers await explicitly, or load the value once and store it as a plain attribute"
            ),
        ),
        Kind::CachedProperty => (
            format!(
                "`@cached_property` on `async def {name}` caches the coroutine object: the second `await obj.{name}` raises `RuntimeError: cannot reuse already awaited coroutine`"
            ),
            "Cache the awaited value in an attribute from an async method, or use an async-aware decorator such as `async_property.async_cached_property`".to_string(),
        ),
    };
    checker.report(
        Rule::AsyncProperty,
        message,
        help,
        def_header_range(checker, def),
        None,
    );
}
