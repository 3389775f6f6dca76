//! ## What it does
//! Reports functions decorated with `@asyncio.coroutine` (in any import form:
//! `@asyncio.coroutine`, `from asyncio import coroutine`, `import asyncio as aio`), the
//! decorator of generator-based coroutines. The finding is reported whatever the target
//! version, since the code cannot even be imported on current Pythons.
//!
//! ## Why is this bad?
//! Generator-based coroutines (`@asyncio.coroutine` with `yield from`) predate
//! `async def`/`await`. The decorator was deprecated in Python 3.8 and removed in 3.11:
//! there, merely *defining* the function raises
//! `AttributeError: module 'asyncio' has no attribute 'coroutine'` when the module is
//! imported. Even on older Pythons these coroutines are second-class: `asyncio.run`,
//! `create_task` and `TaskGroup` expect native coroutines, and tooling (type checkers,
//! debuggers, `inspect.iscoroutinefunction`) treats them differently.
//!
//! Not reported: `@types.coroutine`, which still exists (it is how awaitable generators are
//! written at the lowest level); other decorators named `coroutine` (e.g.
//! `tornado.gen.coroutine`); code guarded for older Pythons
//! (`if sys.version_info < (3, 11):`, `if hasattr(asyncio, "coroutine"):`, a test marked
//! `@pytest.mark.skipif(sys.version_info >= (3, 11), ...)`, or a `try` whose handler catches
//! `AttributeError`).
//!
//! ## Example
//! ```python
//! import asyncio
//!
//! @asyncio.coroutine
//! def fetch(reader):
//!     data = yield from reader.read(100)
//!     return data
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch(reader):
//!     data = await reader.read(100)
//!     return data
//! ```
//!
//! ## References
//! - [What's New in Python 3.11: removed `@asyncio.coroutine`](https://docs.python.org/3/whatsnew/3.11.html#removed)
//! - [PEP 492: coroutines with `async` and `await` syntax](https://peps.python.org/pep-0492/)
//! - [`types.coroutine`](https://docs.python.org/3/library/types.html#types.coroutine)

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::coroutines::decorators::{decorator_qualified_name, def_header_range};

use super::version_guard::{Guard, is_guarded};

const GUARD: Guard = Guard {
    removed_in: 11,
    hasattr: Some("coroutine"),
    errors: &["AttributeError", "NameError", "ImportError"],
};

pub(crate) fn removed_coroutine_decorator(checker: &mut Checker, def: &ast::StmtFunctionDef) {
    let Some(decorator) = def.decorator_list.iter().find(|d| {
        matches!(
            decorator_qualified_name(checker, d).as_deref(),
            Some("asyncio.coroutine" | "asyncio.coroutines.coroutine")
        )
    }) else {
        return;
    };
    if is_guarded(checker, decorator.expression.range(), &GUARD) {
        return;
    }
    let name = def.name.as_str();
    let written = checker.source_of(decorator.expression.range());
    let shown = if written == "asyncio.coroutine" {
        "`@asyncio.coroutine`".to_string()
    } else if written.len() <= 40 && !written.contains('\n') {
        format!("`@{written}` (`asyncio.coroutine`)")
    } else {
        "`@asyncio.coroutine`".to_string()
    };
    let help = if def.is_async {
        format!("Remove the decorator: `async def {name}` is already a native coroutine")
    } else {
        format!(
            "Rewrite `{name}` as `async def {name}(...)` and replace each `yield from` with `await`"
        )
    };
    checker.report(
        Rule::RemovedCoroutineDecorator,
        format!(
            "{shown} on `{name}`: generator-based coroutines were removed in Python 3.11 (deprecated since 3.8); there the decorator no longer exists and `{name}` cannot even be defined"
        ),
        help,
        def_header_range(checker, def),
        None,
    );
}
