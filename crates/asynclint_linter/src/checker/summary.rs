//! Phase 1's side job: while the checker walks a file, record the module summary the project
//! index needs (definitions, imports, call edges, blocking facts, deferred checks).

use ruff_python_ast::{self as ast, Expr};

use crate::project::{ClassSummary, Definition, FunctionSummary, ModuleSummary};
use crate::semantic::{BindingKind, SemanticModel};

#[derive(Debug)]
pub struct SummaryBuilder {
    pub summary: ModuleSummary,
    /// The definitions met so far, packed into `summary.definitions` at the end.
    definitions: Vec<(String, Definition)>,
    /// For each function/lambda/class body being visited: the summarised function it belongs
    /// to (`None` for class bodies, lambdas and nested functions).
    def_stack: Vec<Option<usize>>,
}

/// Decorators that do not change how (or on which thread) the function body runs.
const TRANSPARENT_DECORATORS: &[&str] = &[
    "builtins.staticmethod",
    "builtins.classmethod",
    "builtins.property",
    "functools.cache",
    "functools.lru_cache",
    "functools.cached_property",
    "functools.wraps",
    "abc.abstractmethod",
    "typing.overload",
    "typing.override",
    "typing_extensions.override",
    "typing.final",
];

impl SummaryBuilder {
    pub fn new(summary: ModuleSummary) -> Self {
        Self {
            summary,
            definitions: Vec::new(),
            def_stack: Vec::new(),
        }
    }

    /// The summarised function whose body directly contains the current node.
    pub fn current(&mut self) -> Option<&mut FunctionSummary> {
        let index = (*self.def_stack.last()?)?;
        match &mut self.definitions[index].1 {
            Definition::Function(function) => Some(function),
            Definition::Class(_) => None,
        }
    }

    pub fn current_name(&self) -> Option<&str> {
        let index = (*self.def_stack.last()?)?;
        Some(self.definitions[index].0.as_str())
    }

    pub fn push_none(&mut self) {
        self.def_stack.push(None);
    }

    pub fn pop(&mut self) {
        self.def_stack.pop();
    }

    /// Enter a `def`; `qualname` is `f` or `Class.f` for module-level functions and methods of
    /// module-level classes, `None` for anything nested.
    pub fn push_function(
        &mut self,
        semantic: &SemanticModel,
        def: &ast::StmtFunctionDef,
        qualname: Option<String>,
    ) {
        let Some(qualname) = qualname else {
            self.def_stack.push(None);
            return;
        };
        let opaque_decorator = def.decorator_list.iter().any(|d| {
            let expr = match &d.expression {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            match semantic.resolve_qualified_name(expr) {
                Some(q) => !TRANSPARENT_DECORATORS.contains(&q.as_str()),
                // `@name.setter` / `@name.deleter` of a property.
                None => !matches!(expr, Expr::Attribute(a) if matches!(a.attr.as_str(), "setter" | "getter" | "deleter")),
            }
        });
        let function = FunctionSummary {
            is_async: def.is_async,
            is_generator: false,
            opaque_decorator,
            returns_value: false,
            is_property: is_property(semantic, def),
            trivial_body: is_trivial_body(&def.body),
            offset: def.name.range.start().to_u32(),
            calls: crate::project::ThinVec::new(),
            blocking: crate::project::ThinVec::new(),
            context_manager: context_manager_decorator(semantic, &def.decorator_list),
            holds_resource: false,
            uses_limiter: false,
            awaited_calls: crate::project::ThinVec::new(),
            runs_forever: None,
        };
        self.definitions
            .push((qualname, Definition::Function(function)));
        self.def_stack.push(Some(self.definitions.len() - 1));
    }

    pub fn add_class(&mut self, semantic: &SemanticModel, class: &ast::StmtClassDef) {
        let bases = class
            .arguments
            .as_ref()
            .map(|args| {
                args.args
                    .iter()
                    // `Base[T]` (generic bases) inherits from `Base`.
                    .map(|base| match base {
                        Expr::Subscript(sub) => &*sub.value,
                        other => other,
                    })
                    .filter_map(|base| match semantic.resolve_target(base) {
                        Some(target) if !target.is_super() => Some(target),
                        _ => semantic
                            .resolve_qualified_name(base)
                            .map(crate::project::Target::path),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (members, opaque) = class_members(semantic, class);
        self.definitions.push((
            class.name.to_string(),
            Definition::Class(Box::new(ClassSummary {
                bases,
                members: members.into_iter().collect(),
                opaque,
            })),
        ));
    }

    /// Module-level imports (re-exports), star imports and `__all__`; drop ambiguous names.
    pub fn finish(mut self, semantic: &SemanticModel, module: &[ast::Stmt]) -> ModuleSummary {
        let mut imports = Vec::new();
        let mut star = Vec::new();
        for (name, bindings) in semantic.module_bindings() {
            if *name == "*" {
                for b in bindings {
                    if let BindingKind::FromImport { qualified } = &b.kind {
                        star.push(semantic.absolute_import(qualified));
                    }
                }
                continue;
            }
            if let [binding] = bindings
                && let BindingKind::Import { qualified } | BindingKind::FromImport { qualified } =
                    &binding.kind
            {
                // Only project paths can be resolved through a re-export: `from typing import
                // Optional` is dropped here rather than kept for every module until phase 2.
                let absolute;
                let target = if qualified.starts_with('.') {
                    absolute = semantic.absolute_import(qualified);
                    absolute.as_str()
                } else {
                    qualified.as_ref()
                };
                if semantic.is_project_path(target) {
                    let renamed = crate::semantic::last_segment(target) != *name;
                    imports.push((*name, crate::project::Target::path(target), renamed));
                }
            }
        }
        imports.sort_unstable();
        star.sort_unstable();
        self.summary.imports = crate::project::Imports::from_sorted(&imports);
        self.summary.star_imports = star;
        self.summary.all = dunder_all(module);

        // Sorted by name: the index looks definitions up by binary search.
        let mut definitions = std::mem::take(&mut self.definitions);
        definitions.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // A name defined twice (conditional definitions) is ambiguous: drop every copy. So
        // are module-level names rebound by something other than their def.
        let unique: Vec<bool> = (0..definitions.len())
            .map(|i| {
                let name = &definitions[i].0;
                let twice = (i > 0 && definitions[i - 1].0 == *name)
                    || definitions.get(i + 1).is_some_and(|next| next.0 == *name);
                !twice && (name.contains('.') || semantic.module_binding_count(name) <= 1)
            })
            .collect();
        let mut keep = unique.into_iter();
        definitions.retain(|_| keep.next().unwrap_or(false));
        // Summaries live until phase 2 for every file: give back the growth slack.
        for (_, definition) in &mut definitions {
            if let Definition::Function(function) = definition {
                function.calls.shrink_to_fit();
                function.blocking.shrink_to_fit();
            }
        }
        self.summary.definitions = crate::project::Definitions::from_sorted(definitions);
        self.summary.deferred.shrink_to_fit();
        self.summary
    }
}

/// `@property`, `@functools.cached_property` (or any decorator named `*property`), and the
/// `@name.setter`/`getter`/`deleter` of a property.
fn is_property(semantic: &SemanticModel, def: &ast::StmtFunctionDef) -> bool {
    def.decorator_list.iter().any(|d| match &d.expression {
        Expr::Attribute(a) if matches!(a.attr.as_str(), "setter" | "getter" | "deleter") => true,
        expr => semantic.resolve_qualified_name(expr).is_some_and(|q| {
            q.rsplit('.')
                .next()
                .is_some_and(|last| last.ends_with("property"))
        }),
    })
}

/// A body made only of a docstring, `pass`, `...` and `raise` statements (an interface stub).
fn is_trivial_body(body: &[ast::Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        ast::Stmt::Pass(_) | ast::Stmt::Raise(_) => true,
        ast::Stmt::Expr(e) => {
            matches!(&*e.value, Expr::EllipsisLiteral(_) | Expr::StringLiteral(_))
        }
        _ => false,
    })
}

fn dunder_all(module: &[ast::Stmt]) -> Option<Vec<String>> {
    for stmt in module {
        let (target, value) = match stmt {
            ast::Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value),
            ast::Stmt::AnnAssign(a) => (&*a.target, a.value.as_deref()?),
            _ => continue,
        };
        if !matches!(target, Expr::Name(n) if n.id.as_str() == "__all__") {
            continue;
        }
        let elts = match value {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            _ => return None,
        };
        return elts
            .iter()
            .map(|e| match e {
                Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
                _ => None,
            })
            .collect();
    }
    None
}

/// `@contextmanager` / `@asynccontextmanager` when it is the only decorator that can change what
/// the function returns (others must be transparent: `staticmethod`, `abstractmethod`...).
pub(crate) fn context_manager_decorator(
    semantic: &SemanticModel,
    decorators: &[ast::Decorator],
) -> Option<crate::project::ContextManagerDecorator> {
    use crate::project::ContextManagerDecorator;
    let mut found = None;
    for decorator in decorators {
        let q = semantic.resolve_qualified_name(&decorator.expression)?;
        match q.as_str() {
            "contextlib.contextmanager" | "contextlib2.contextmanager" if found.is_none() => {
                found = Some(ContextManagerDecorator::Sync);
            }
            "contextlib.asynccontextmanager" | "contextlib2.asynccontextmanager"
                if found.is_none() =>
            {
                found = Some(ContextManagerDecorator::Async);
            }
            q if TRANSPARENT_DECORATORS.contains(&q) => {}
            _ => return None,
        }
    }
    found
}

/// Class decorators that do not add context-manager (or other special) methods.
const TRANSPARENT_CLASS_DECORATORS: &[&str] = &[
    "dataclasses.dataclass",
    "functools.total_ordering",
    "typing.final",
    "typing.runtime_checkable",
    "typing_extensions.final",
    "typing_extensions.runtime_checkable",
    "enum.unique",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attr.frozen",
    "attr.mutable",
    "attrs.define",
    "attrs.frozen",
    "attrs.mutable",
    "pydantic.dataclasses.dataclass",
];

/// The names bound in a class body (looking into `if`/`try`/`with`/`for` blocks, not into
/// nested scopes), and whether something else may add members (see `ClassSummary::opaque`).
pub(crate) fn class_members<'a>(
    semantic: &SemanticModel,
    class: &'a ast::StmtClassDef,
) -> (Vec<&'a str>, bool) {
    fn targets<'a>(expr: &'a Expr, out: &mut Vec<&'a str>) {
        match expr {
            Expr::Name(name) => out.push(name.id.as_str()),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| targets(e, out)),
            Expr::List(l) => l.elts.iter().for_each(|e| targets(e, out)),
            Expr::Starred(s) => targets(&s.value, out),
            _ => {}
        }
    }
    fn body<'a>(stmts: &'a [ast::Stmt], out: &mut Vec<&'a str>) {
        for stmt in stmts {
            match stmt {
                ast::Stmt::FunctionDef(def) => out.push(def.name.as_str()),
                ast::Stmt::ClassDef(class) => out.push(class.name.as_str()),
                ast::Stmt::Assign(a) => a.targets.iter().for_each(|t| targets(t, out)),
                ast::Stmt::AnnAssign(a) => targets(&a.target, out),
                ast::Stmt::AugAssign(a) => targets(&a.target, out),
                ast::Stmt::Import(i) => {
                    for alias in &i.names {
                        let name = alias.asname.as_ref().unwrap_or(&alias.name);
                        out.push(name.split('.').next().unwrap_or_default());
                    }
                }
                ast::Stmt::ImportFrom(i) => {
                    for alias in &i.names {
                        out.push(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                    }
                }
                ast::Stmt::If(s) => {
                    body(&s.body, out);
                    s.elif_else_clauses.iter().for_each(|c| body(&c.body, out));
                }
                ast::Stmt::Try(s) => {
                    body(&s.body, out);
                    for handler in &s.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = handler;
                        body(&h.body, out);
                    }
                    body(&s.orelse, out);
                    body(&s.finalbody, out);
                }
                ast::Stmt::With(s) => {
                    s.items
                        .iter()
                        .filter_map(|i| i.optional_vars.as_deref())
                        .for_each(|t| targets(t, out));
                    body(&s.body, out);
                }
                ast::Stmt::For(s) => {
                    targets(&s.target, out);
                    body(&s.body, out);
                    body(&s.orelse, out);
                }
                ast::Stmt::While(s) => {
                    body(&s.body, out);
                    body(&s.orelse, out);
                }
                ast::Stmt::Match(s) => s.cases.iter().for_each(|c| body(&c.body, out)),
                _ => {}
            }
        }
    }
    let mut members = Vec::new();
    body(&class.body, &mut members);
    let mut opaque = class.decorator_list.iter().any(|d| {
        semantic
            .resolve_qualified_name(match &d.expression {
                Expr::Call(call) => &call.func,
                other => other,
            })
            .is_none_or(|q| !TRANSPARENT_CLASS_DECORATORS.contains(&q.as_str()))
    });
    if let Some(arguments) = &class.arguments {
        for base in &arguments.args {
            let base = match base {
                Expr::Subscript(sub) => &*sub.value,
                other => other,
            };
            let known = matches!(base, Expr::Name(_) | Expr::Attribute(_))
                && (semantic.resolves_target(base)
                    || semantic.resolve_qualified_name(base).is_some());
            opaque |= !known;
        }
        // A metaclass may inject methods; `abc.ABCMeta` does not.
        opaque |= arguments.keywords.iter().any(|k| {
            k.arg.is_none()
                || (k.arg.as_ref().is_some_and(|a| a.as_str() == "metaclass")
                    && semantic
                        .resolve_qualified_name(&k.value)
                        .is_none_or(|q| q != "abc.ABCMeta"))
        });
    }
    (members, opaque)
}
