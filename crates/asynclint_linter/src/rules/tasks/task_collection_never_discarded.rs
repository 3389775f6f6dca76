//! ## What it does
//! Reports a task added to a long-lived collection (a set, list or dict held in an instance
//! attribute `self.<name>` or in a module global) when nothing in the module ever takes tasks
//! out of it again: no `add_done_callback(tasks.discard)`, no `.discard`, `.remove`, `.pop`,
//! `.popitem`, `.clear`, `.difference_update`, `del tasks[...]`, no reassignment of the
//! collection outside `__init__`, and the collection is never handed to other code that could
//! do it.
//!
//! ## Why is this bad?
//! Keeping tasks in a collection is the documented way to stop the event loop's weak
//! references from letting them be garbage-collected mid-flight (see AIO300). But the
//! collection is a strong reference: a finished task stays in it, with its result or exception
//! and everything its coroutine frame referenced, until somebody removes it. A collection that
//! only ever grows leaks memory for the lifetime of the process: one task per request, message
//! or event, forever.
//!
//! ## Example
//! ```python
//! class Notifier:
//!     def __init__(self):
//!         self._tasks = set()
//!
//!     def notify(self, event):
//!         task = asyncio.create_task(self._send(event))
//!         self._tasks.add(task)
//! ```
//!
//! Use instead:
//! ```python
//! class Notifier:
//!     def __init__(self):
//!         self._tasks = set()
//!
//!     def notify(self, event):
//!         task = asyncio.create_task(self._send(event))
//!         self._tasks.add(task)
//!         task.add_done_callback(self._tasks.discard)
//! ```
//!
//! Not reported: tasks stored by start-up code (`__init__`, `__aenter__`, `start*`, `setup*`,
//! `init*`, `connect*`, `open*`, `run`, `main`), which runs once per object, so its tasks
//! cannot pile up; collections that something in the module removes from, clears or reassigns
//! (in any method, through any receiver with the same attribute name); collections passed as a
//! whole to code outside `builtins`/`asyncio` (it may prune them), aliased to another name or
//! returned; `weakref.WeakSet` and bounded `deque(maxlen=...)`; local collections (they die with
//! the function; AIO300 covers them); values that are not certainly tasks.
//!
//! ## References
//! - [`asyncio.create_task`: "Save a reference to the result of this function"](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
//! - [`Future.add_done_callback`](https://docs.python.org/3/library/asyncio-future.html#asyncio.Future.add_done_callback)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::tasks::task_tracking::{short_source, task_value};
use crate::semantic::{AttributeSource, BindingKind, Lookup};

/// A collection that outlives the function adding to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collection<'a> {
    /// `self.<name>` of the current class.
    Attribute(&'a str),
    /// A module global.
    Global(&'a str),
}

impl Collection<'_> {
    /// Does `expr` refer to this collection? Attributes match by name on any receiver, so that
    /// `other._tasks.discard(...)` counts as a removal too.
    pub(crate) fn is(&self, expr: &Expr) -> bool {
        match (self, expr) {
            (Collection::Attribute(name), Expr::Attribute(attr)) => attr.attr.as_str() == *name,
            (Collection::Global(name), Expr::Name(n)) => n.id.as_str() == *name,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CollectionKind {
    Set,
    List,
    Dict,
}

pub(crate) fn task_collection_never_discarded(checker: &mut Checker, stmt: &Stmt) {
    let (collection_expr, task_expr, kind) = match stmt {
        Stmt::Expr(s) => {
            let Expr::Call(call) = &*s.value else {
                return;
            };
            let Expr::Attribute(attr) = &*call.func else {
                return;
            };
            let kind = match attr.attr.as_str() {
                "add" => CollectionKind::Set,
                "append" => CollectionKind::List,
                _ => return,
            };
            let [task] = &*call.arguments.args else {
                return;
            };
            if !call.arguments.keywords.is_empty() {
                return;
            }
            (&*attr.value, task, kind)
        }
        Stmt::Assign(assign) => {
            let [Expr::Subscript(sub)] = assign.targets.as_slice() else {
                return;
            };
            if matches!(&*sub.slice, Expr::Slice(_)) {
                return;
            }
            (&*sub.value, &*assign.value, CollectionKind::Dict)
        }
        _ => return,
    };
    if in_startup_function(checker) {
        return;
    }
    let Some(creator) = task_value(checker, task_expr) else {
        return;
    };
    let Some((collection, collection_kind)) = long_lived_collection(checker, collection_expr)
    else {
        return;
    };
    if collection_kind != kind {
        return;
    }
    if removed_anywhere(checker, collection) {
        return;
    }
    let shown = short_source(checker, collection_expr, "the collection");
    let task = match task_expr {
        Expr::Name(name) => format!("Task `{}`", name.id),
        _ => format!("Task from `{creator}(...)`"),
    };
    let var = match task_expr {
        Expr::Name(name) => name.id.as_str(),
        _ => "task",
    };
    let help = match kind {
        CollectionKind::Set => {
            format!("Remove each task when it finishes: `{var}.add_done_callback({shown}.discard)`")
        }
        CollectionKind::List => format!(
            "Remove each task when it finishes: `{var}.add_done_callback({shown}.remove)` (or keep tasks in a set and use `.discard`)"
        ),
        CollectionKind::Dict => format!(
            "Remove each task when it finishes: `{var}.add_done_callback(lambda _: {shown}.pop(key, None))`"
        ),
    };
    checker.report(
        Rule::TaskCollectionNeverDiscarded,
        format!(
            "{task} is added to `{shown}`, but nothing in this module ever removes tasks from it: finished tasks stay referenced and the collection grows for the life of the process"
        ),
        help,
        stmt.range(),
        None,
    );
}

/// Start-up code runs once per object or process, so the tasks it stores cannot pile up:
/// `__init__`, `__aenter__`, `start*`, `setup*`, `init*`, `connect*`, `open*`, `run`, `main`
/// (with any `_`/`async_` prefix).
fn in_startup_function(checker: &Checker) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let name = function.def.name.as_str();
    if matches!(
        name,
        "__init__" | "__post_init__" | "__aenter__" | "__enter__"
    ) {
        return true;
    }
    let name = name.trim_start_matches('_');
    let name = name.strip_prefix("async_").unwrap_or(name);
    matches!(name, "run" | "main")
        || [
            "start", "setup", "set_up", "init", "connect", "open", "begin", "launch",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

/// `self.<name>` of the current class or a module global, holding a plain set/list/dict from
/// every assignment we can see (`__init__`, the class body, module level).
pub(crate) fn long_lived_collection<'a>(
    checker: &Checker<'a>,
    expr: &'a Expr,
) -> Option<(Collection<'a>, CollectionKind)> {
    match expr {
        Expr::Attribute(attr) => {
            let Expr::Name(base) = &*attr.value else {
                return None;
            };
            if !checker.semantic.is_self_name(base.id.as_str()) {
                return None;
            }
            let name = attr.attr.as_str();
            let class = checker.semantic.current_function()?.class?;
            let mut values: Vec<&Expr> = Vec::new();
            for stmt in &class.body {
                if let Stmt::Assign(assign) = stmt
                    && assign
                        .targets
                        .iter()
                        .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name))
                {
                    values.push(&assign.value);
                }
            }
            if let Some(attributes) = checker.semantic.current_class_attributes()
                && let Some(sources) = attributes.attributes.get(name)
            {
                for source in sources {
                    if let AttributeSource::Value(value) = source {
                        values.push(value);
                    }
                }
            }
            let kind = collection_kind_of(checker, &values)?;
            Some((Collection::Attribute(name), kind))
        }
        Expr::Name(name) => {
            let id = name.id.as_str();
            let module_bindings = checker.semantic.module_bindings_of(id)?;
            // The name must resolve to the module binding from here (not shadowed).
            let Lookup::Found(bindings) = checker.semantic.lookup(id) else {
                return None;
            };
            if bindings.len() != module_bindings.len()
                || bindings
                    .iter()
                    .zip(module_bindings.iter())
                    .any(|(a, b)| a.range != b.range)
            {
                return None;
            }
            let mut values = Vec::new();
            for binding in bindings {
                let BindingKind::Assignment {
                    value: Some(value), ..
                } = &binding.kind
                else {
                    return None;
                };
                values.push(*value);
            }
            let kind = collection_kind_of(checker, &values)?;
            Some((Collection::Global(id), kind))
        }
        _ => None,
    }
}

/// The kind every value agrees on (`None` placeholders aside), if each is a plain unbounded
/// collection.
fn collection_kind_of(checker: &Checker, values: &[&Expr]) -> Option<CollectionKind> {
    let mut kind = None;
    for value in values {
        if matches!(value, Expr::NoneLiteral(_)) {
            continue;
        }
        let k = collection_constructor(checker, value)?;
        match kind {
            None => kind = Some(k),
            Some(existing) if existing == k => {}
            Some(_) => return None,
        }
    }
    kind
}

fn collection_constructor(checker: &Checker, value: &Expr) -> Option<CollectionKind> {
    match value {
        Expr::Set(_) | Expr::SetComp(_) => Some(CollectionKind::Set),
        Expr::List(_) | Expr::ListComp(_) => Some(CollectionKind::List),
        Expr::Dict(_) | Expr::DictComp(_) => Some(CollectionKind::Dict),
        Expr::Call(call) => {
            let q = checker.semantic.resolve_qualified_name(&call.func)?;
            match q.as_str() {
                "builtins.set" => Some(CollectionKind::Set),
                "builtins.list" => Some(CollectionKind::List),
                "builtins.dict" | "collections.defaultdict" | "collections.OrderedDict" => {
                    Some(CollectionKind::Dict)
                }
                // `field(default_factory=set)` in a dataclass.
                "dataclasses.field" => {
                    let factory = call.arguments.keywords.iter().find(|k| {
                        k.arg
                            .as_ref()
                            .is_some_and(|a| a.as_str() == "default_factory")
                    })?;
                    match checker
                        .semantic
                        .resolve_qualified_name(&factory.value)
                        .as_deref()
                    {
                        Some("builtins.set") => Some(CollectionKind::Set),
                        Some("builtins.list") => Some(CollectionKind::List),
                        Some("builtins.dict") => Some(CollectionKind::Dict),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Methods that take elements out of a set, list or dict.
const REMOVERS: &[&str] = &[
    "discard",
    "remove",
    "pop",
    "popitem",
    "clear",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "__delitem__",
    "__isub__",
];

/// Does anything in the module remove tasks from the collection, reassign it outside
/// `__init__`, or hand it to code we cannot see?
fn removed_anywhere(checker: &Checker, collection: Collection) -> bool {
    let mut finder = RemovalFinder {
        checker,
        scope: CollectionScope::new(checker, collection),
        found: false,
    };
    finder.visit_body(checker.module_body());
    finder.found
}

struct FunctionFrame<'a> {
    name: &'a str,
    /// Declares the global collection's name `global`.
    global: bool,
    /// Binds the global collection's name as a local (parameter or assignment without
    /// `global`).
    shadows: bool,
}

/// Tracks, during a walk of the module, whether an expression refers to a given collection.
pub(crate) struct CollectionScope<'c, 'a> {
    collection: Collection<'c>,
    /// The class whose instances hold an attribute collection.
    owner: Option<&'a ast::StmtClassDef>,
    /// The enclosing functions, innermost last.
    functions: Vec<FunctionFrame<'a>>,
    /// The enclosing classes, innermost last.
    classes: Vec<&'a ast::StmtClassDef>,
}

impl<'c, 'a> CollectionScope<'c, 'a> {
    pub(crate) fn new(checker: &Checker<'a>, collection: Collection<'c>) -> Self {
        let owner = match collection {
            Collection::Attribute(_) => checker.semantic.current_function().and_then(|f| f.class),
            Collection::Global(_) => None,
        };
        Self {
            collection,
            owner,
            functions: Vec::new(),
            classes: Vec::new(),
        }
    }

    /// Enter a `def` or `class` (call [`Self::exit`] after walking it).
    pub(crate) fn enter(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                let (global, shadows) = self.global_use(def);
                self.functions.push(FunctionFrame {
                    name: def.name.as_str(),
                    global,
                    shadows,
                });
            }
            Stmt::ClassDef(class) => self.classes.push(class),
            _ => {}
        }
    }

    pub(crate) fn exit(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) => {
                self.functions.pop();
            }
            Stmt::ClassDef(_) => {
                self.classes.pop();
            }
            _ => {}
        }
    }

    /// Does `expr` refer to the collection? Through `self`/`cls`, only inside the owning class
    /// or a class that may be a subclass of it (one with bases); through any other receiver,
    /// anywhere.
    pub(crate) fn refers(&self, expr: &Expr) -> bool {
        if !self.collection.is(expr) {
            return false;
        }
        let Expr::Attribute(attr) = expr else {
            // A global is not referred to where a function binds the same name locally.
            return !self.functions.iter().any(|f| f.shadows);
        };
        if !matches!(&*attr.value, Expr::Name(n) if matches!(n.id.as_str(), "self" | "cls")) {
            return true;
        }
        match (self.classes.last(), self.owner) {
            (Some(class), Some(owner)) => {
                std::ptr::eq(*class, owner)
                    || class.arguments.as_ref().is_some_and(|a| !a.args.is_empty())
            }
            _ => true,
        }
    }

    /// A store that is not the initial assignment: in a function declaring the name `global`
    /// for a global, in any function but `__init__`/`__post_init__` for an attribute.
    fn is_reassignment(&self) -> bool {
        match self.collection {
            Collection::Global(_) => self.functions.last().is_some_and(|f| f.global),
            Collection::Attribute(_) => self
                .functions
                .last()
                .is_some_and(|f| !matches!(f.name, "__init__" | "__post_init__")),
        }
    }

    /// How a function treats the global collection's name: (declares it `global`, binds it
    /// locally).
    fn global_use(&self, def: &ast::StmtFunctionDef) -> (bool, bool) {
        let Collection::Global(name) = self.collection else {
            return (false, false);
        };
        struct Finder<'n> {
            name: &'n str,
            global: bool,
            stores: bool,
        }
        impl<'b> Visitor<'b> for Finder<'_> {
            fn visit_stmt(&mut self, stmt: &'b Stmt) {
                match stmt {
                    Stmt::Global(global) => {
                        if global.names.iter().any(|n| n.as_str() == self.name) {
                            self.global = true;
                        }
                    }
                    Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                    _ => visitor::walk_stmt(self, stmt),
                }
            }
            fn visit_expr(&mut self, expr: &'b Expr) {
                if let Expr::Name(n) = expr
                    && n.id.as_str() == self.name
                    && n.ctx.is_store()
                {
                    self.stores = true;
                }
                if !matches!(expr, Expr::Lambda(_)) {
                    visitor::walk_expr(self, expr);
                }
            }
        }
        let mut finder = Finder {
            name,
            global: false,
            stores: false,
        };
        finder.visit_body(&def.body);
        let params = &def.parameters;
        let parameter = params
            .posonlyargs
            .iter()
            .chain(&params.args)
            .chain(&params.kwonlyargs)
            .any(|p| p.parameter.name.as_str() == name);
        (
            finder.global,
            !finder.global && (finder.stores || parameter),
        )
    }
}

struct RemovalFinder<'c, 'a> {
    checker: &'c Checker<'a>,
    scope: CollectionScope<'c, 'a>,
    found: bool,
}

impl RemovalFinder<'_, '_> {
    fn refers(&self, expr: &Expr) -> bool {
        self.scope.refers(expr)
    }

    fn is_reassignment(&self) -> bool {
        self.scope.is_reassignment()
    }

    /// Passing the whole collection to this call cannot shrink it.
    fn is_harmless_callee(&self, call: &ast::ExprCall) -> bool {
        self.checker
            .semantic
            .resolve_qualified_name(&call.func)
            .is_some_and(|q| {
                (q.starts_with("builtins.") && !matches!(q.as_str(), "builtins.setattr"))
                    || q.starts_with("asyncio.")
            })
    }
}

impl<'a> Visitor<'a> for RemovalFinder<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.scope.enter(stmt);
                visitor::walk_stmt(self, stmt);
                self.scope.exit(stmt);
                return;
            }
            // Aliasing: `tasks = self._tasks`, `a, b = self._tasks, x`, `return self._tasks`.
            Stmt::Assign(ast::StmtAssign { value, .. })
            | Stmt::AnnAssign(ast::StmtAnnAssign {
                value: Some(value), ..
            })
            | Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) if self.refers(value)
                || matches!(&**value, Expr::Tuple(t) if t.elts.iter().any(|e| self.refers(e))) =>
            {
                self.found = true;
                return;
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        let removes = match expr {
            Expr::Attribute(attr) => {
                (REMOVERS.contains(&attr.attr.as_str()) && self.refers(&attr.value))
                    || (self.refers(expr)
                        && (attr.ctx.is_del() || (attr.ctx.is_store() && self.is_reassignment())))
            }
            Expr::Name(name) => {
                self.refers(expr)
                    && (name.ctx.is_del() || (name.ctx.is_store() && self.is_reassignment()))
            }
            Expr::Subscript(sub) => {
                self.refers(&sub.value)
                    && (sub.ctx.is_del()
                        || (sub.ctx.is_store() && matches!(&*sub.slice, Expr::Slice(_))))
            }
            Expr::Call(call) => {
                call.arguments
                    .args
                    .iter()
                    .chain(call.arguments.keywords.iter().map(|k| &k.value))
                    .any(|a| self.refers(a))
                    && !self.is_harmless_callee(call)
            }
            Expr::Yield(ast::ExprYield {
                value: Some(value), ..
            }) => self.refers(value),
            _ => false,
        };
        if removes {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}
