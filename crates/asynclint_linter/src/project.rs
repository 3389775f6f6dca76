//! What phase 1 records about a module for the cross-module phase: a compact summary (no AST)
//! and *deferred checks*, call sites whose verdict depends on other modules. Phase 2
//! (`asynclint_project`) builds a `ProjectIndex` from every summary and settles the deferred
//! checks through the [`ProjectFacts`] trait, so each project-wide rule keeps both halves of its
//! logic in its own file.

use std::path::PathBuf;

use ruff_text_size::TextRange;

use crate::registry::Rule;

/// Where a call or reference points, as far as phase 1 can tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// An absolute dotted path: `app.db.fetch`, `app.db.Repo.save` (the class part is walked
    /// through base classes by the index).
    Path(String),
    /// `super().method()` inside class `class_path`: look up `method` in its bases only.
    Super { class_path: String, method: String },
}

/// A direct, catalogued blocking call inside a sync function (AIO100-AIO109).
#[derive(Debug, Clone)]
pub struct BlockingFact {
    pub rule: Rule,
    /// How the call is shown in a chain: `open()`, `time.sleep()`.
    pub display: String,
    pub line: u32,
}

/// A call from a summarised function to something that may be a project function.
#[derive(Debug, Clone)]
pub struct CallEdge {
    pub target: Target,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct FunctionSummary {
    pub is_async: bool,
    /// Contains `yield` (an async def with `yield` is an async generator).
    pub is_generator: bool,
    /// Decorated with something that may change how it runs (not `staticmethod`,
    /// `classmethod`, `functools.cache`...): AIO111 does not follow it.
    pub opaque_decorator: bool,
    /// Has a `return <expr>` (for AIO204).
    pub returns_value: bool,
    /// Decorated with `@property`, `@cached_property` or `@x.setter`/`getter`/`deleter`:
    /// `obj.name()` calls the attribute's value, not this function (AIO201-AIO204).
    pub is_property: bool,
    /// The body is only a docstring, `pass`, `...` and/or `raise ...`: an interface stub whose
    /// real implementation may live elsewhere (AIO204).
    pub trivial_body: bool,
    /// 1-based line of the `def`.
    pub line: u32,
    /// Sync functions only: calls that may lead to other project functions.
    pub calls: Vec<CallEdge>,
    /// Sync functions only: catalogued blocking calls made directly in the body.
    pub blocking: Vec<BlockingFact>,
    /// Decorated with `@contextlib.contextmanager` / `@contextlib.asynccontextmanager` (and no
    /// other decorator that could change what it returns): AIO600/AIO601.
    pub context_manager: Option<ContextManagerDecorator>,
}

/// Which `contextlib` decorator turns a generator function into a context manager factory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextManagerDecorator {
    /// `@contextmanager`: supports `with` only.
    Sync,
    /// `@asynccontextmanager`: supports `async with` only.
    Async,
}

#[derive(Debug, Clone, Default)]
pub struct ClassSummary {
    /// Base classes as paths (resolved through imports where possible).
    pub bases: Vec<String>,
    pub line: u32,
    /// Every name bound directly in the class body (methods, assignments such as
    /// `__enter__ = _enter`, names bound in `if`/`try` blocks), duplicates included.
    pub members: Vec<String>,
    /// A base that is not a plain (possibly subscripted) name or attribute chain (`*bases`,
    /// `make_base()`), or a class decorator that may add methods: what the class provides
    /// beyond `members` and `bases` is unknown.
    pub opaque: bool,
}

/// A module-level definition.
#[derive(Debug, Clone)]
pub enum Definition {
    Function(FunctionSummary),
    Class(ClassSummary),
}

/// What phase 1 knows about one module.
#[derive(Debug, Clone, Default)]
pub struct ModuleSummary {
    pub path: PathBuf,
    /// Dotted module name (`app.db`) when the file is inside a project root.
    pub module: Option<String>,
    pub is_package: bool,
    /// `name -> definition` for module-level functions and classes, and `Class.method` for
    /// methods. Names bound more than once are left out (ambiguous).
    pub definitions: Vec<(String, Definition)>,
    /// Module-level names bound by imports: `name -> absolute target path` (re-exports).
    pub imports: Vec<(String, String)>,
    /// Modules imported with `from x import *`.
    pub star_imports: Vec<String>,
    /// `__all__` when it is a literal list/tuple of strings.
    pub all: Option<Vec<String>>,
    pub deferred: Vec<DeferredCheck>,
    /// Calls (and functions passed as arguments) lexically under a module-level
    /// `if __name__ == "__main__":` block (AIO607/AIO608 exempt script-only functions).
    pub main_guard_calls: Vec<Target>,
}

/// A check that needs the project index.
#[derive(Debug, Clone)]
pub struct DeferredCheck {
    pub rule: Rule,
    pub range: TextRange,
    pub target: Target,
    pub kind: DeferredKind,
}

#[derive(Debug, Clone)]
pub enum DeferredKind {
    /// AIO111: an async function calls this (maybe sync) project function.
    TransitiveBlocking { caller: String, display: String },
    /// AIO200: a call used as a statement; `in_async` decides whether the fix applies.
    UnawaitedCall { display: String, in_async: bool },
    /// AIO703: a sync mock patched over the target.
    SyncMock { mock: String, target_text: String },
    /// AIO600/AIO601: a `with`/`async with` item whose context manager is (an instance of, or
    /// the result of calling) the target: a project class or decorated function.
    ContextManagerUse { display: String, is_async_with: bool },
    /// AIO607/AIO608: a client/connection made per call inside the target function; reported
    /// unless every call site of the function is under `if __name__ == "__main__":`.
    PerRequest { message: String, help: String },
    /// AIO201: `name = <call>` in a function that never reads `name` afterwards.
    CoroutineAssigned { display: String, name: String },
    /// AIO202: a call tested for truth; `lead` is the rendered test (`` `if ready():` is always true``).
    CoroutineInBooleanContext { display: String, lead: String },
    /// AIO203: `return <call>` in an `async def` (`caller` is its name).
    ReturnedCoroutine { display: String, caller: String },
    /// AIO204: `await <call>`.
    AwaitedCall { display: String },
}

/// A resolved project function.
#[derive(Debug, Clone)]
pub struct FunctionRef<'i> {
    /// Canonical path (`app.db.Repo.save`).
    pub path: String,
    pub module_path: &'i std::path::Path,
    pub summary: &'i FunctionSummary,
}

/// One hop of a blocking chain.
#[derive(Debug, Clone)]
pub struct ChainHop {
    /// `load_config()` or, for the last hop, the blocking call `open()`.
    pub display: String,
    pub path: PathBuf,
    pub line: u32,
}

/// What the project index answers; implemented by `asynclint_project::ProjectIndex`.
pub trait ProjectFacts: Sync {
    /// Resolve a target to a project function, following re-exports and base classes.
    fn resolve_function(&self, target: &Target) -> Option<FunctionRef<'_>>;
    /// For a sync project function: the shortest chain of calls that ends in a catalogued
    /// blocking call (function hops, then the blocking call), if there is one.
    fn blocking_chain(&self, function: &str) -> Option<(Vec<ChainHop>, Rule)>;
    /// Display a path relative to the working directory.
    fn display_path(&self, path: &std::path::Path) -> String;
    /// Does the project class `class` provide `method`, itself or through its bases?
    /// `Some(false)` only when the class and every base are known (project classes, or roots
    /// such as `object`, `abc.ABC`, `typing.Generic`/`Protocol`); `None` when the target is not
    /// a project class, or a base (third-party, dynamic) or class decorator could provide it.
    fn class_has_method(&self, class: &Target, method: &str) -> Option<bool> {
        let _ = (class, method);
        None
    }
    /// Is the project function `function` called under a module-level
    /// `if __name__ == "__main__":` block somewhere, with no known call site or import
    /// elsewhere (sync call edges, module-level imports of other modules)?
    fn only_called_under_main_guard(&self, function: &Target) -> bool {
        let _ = function;
        false
    }
}
