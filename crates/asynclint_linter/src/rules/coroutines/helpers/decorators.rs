//! Shared by the rules about how a function is declared (AIO205, AIO206, AIO208, AIO209,
//! AIO803): where a `def` is anchored and what its decorators resolve to.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;

/// `async def name` / `def name`: from the first keyword to the end of the name. A decorated
/// definition's own range starts at its first decorator; findings about the function are
/// anchored on the `def` line instead.
pub(crate) fn def_header_range(checker: &Checker, def: &ast::StmtFunctionDef) -> TextRange {
    let name = def.name.range();
    let before = &checker.source[..name.start().to_usize()];
    let is_gap = |c: char| c.is_whitespace() || c == '\\';
    let Some(rest) = before.trim_end_matches(is_gap).strip_suffix("def") else {
        return name;
    };
    let mut start = rest.len();
    if def.is_async
        && let Some(rest) = rest.trim_end_matches(is_gap).strip_suffix("async")
    {
        start = rest.len();
    }
    let start = TextSize::try_from(start).unwrap_or(name.start());
    TextRange::new(start.min(name.start()), name.end())
}

/// The decorator's callee: `functools.lru_cache` for `@lru_cache`, `@lru_cache(maxsize=32)`
/// and `@functools.lru_cache()` alike. Resolved in the scope enclosing the `def` (the one
/// active while its statement is dispatched).
pub(crate) fn decorator_qualified_name(
    checker: &Checker,
    decorator: &ast::Decorator,
) -> Option<String> {
    checker
        .semantic
        .resolve_qualified_name(decorator_callee(decorator))
}

/// `@dec(...)` -> `dec`; `@dec` -> `dec`.
pub(crate) fn decorator_callee(decorator: &ast::Decorator) -> &Expr {
    match &decorator.expression {
        Expr::Call(call) => &call.func,
        other => other,
    }
}

/// Decorators that hand back the function they wrap (or a descriptor calling it unchanged):
/// applied *below* a caching or property decorator, the wrapped object is still the
/// coroutine function.
const TRANSPARENT: &[&str] = &[
    "builtins.staticmethod",
    "builtins.classmethod",
    "abc.abstractmethod",
    "typing.override",
    "typing_extensions.override",
    "typing.final",
    "typing_extensions.final",
    "typing.no_type_check",
    "functools.wraps",
];

/// Is every decorator below `index` (applied before it) known to keep the coroutine function
/// as it is? An unknown decorator may turn the `async def` into something else entirely
/// (`@async_to_sync`, a task factory...).
pub(crate) fn inner_decorators_transparent(
    checker: &Checker,
    def: &ast::StmtFunctionDef,
    index: usize,
) -> bool {
    def.decorator_list[index + 1..].iter().all(|d| {
        decorator_qualified_name(checker, d).is_some_and(|q| TRANSPARENT.contains(&q.as_str()))
    })
}
