use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

use super::collect::{ClassAttributes, collect_scope_bindings};

/// What a name is bound to, as far as a single file can tell.
#[derive(Debug, Clone)]
pub enum BindingKind<'a> {
    /// `import a.b as c` binds `c` to `a.b`; `import a.b` binds `a` to `a`.
    Import {
        qualified: String,
    },
    /// `from x import y as z` binds `z` to `x.y` (relative modules keep their leading dots).
    FromImport {
        qualified: String,
    },
    /// `from x import *`: every unknown name may come from here.
    StarImport,
    FunctionDef(&'a ast::StmtFunctionDef),
    ClassDef(&'a ast::StmtClassDef),
    /// `name = value` or `name: annotation = value`.
    Assignment {
        value: Option<&'a Expr>,
        annotation: Option<&'a Expr>,
    },
    /// `with value as name`.
    WithItem {
        value: &'a Expr,
        is_async: bool,
    },
    Parameter {
        annotation: Option<&'a Expr>,
    },
    LoopVar,
    ExceptAs,
    /// `global` / `nonlocal` declarations; the lookup continues elsewhere.
    Global,
    Nonlocal,
    /// Any other binding (match captures, walrus, `del`, augmented assignment...).
    Other,
}

#[derive(Debug, Clone)]
pub struct Binding<'a> {
    pub kind: BindingKind<'a>,
    pub range: TextRange,
}

/// The bindings of one name in one scope. Most names are bound once: that binding is kept in
/// the table itself (an allocation per name was a good part of building and dropping every
/// scope of every file).
#[derive(Debug)]
pub(crate) enum Bindings<'a> {
    One(Binding<'a>),
    Many(Vec<Binding<'a>>),
}

impl<'a> Bindings<'a> {
    fn push(&mut self, binding: Binding<'a>) {
        *self = match std::mem::replace(self, Bindings::Many(Vec::new())) {
            Bindings::One(first) => Bindings::Many(vec![first, binding]),
            Bindings::Many(mut all) => {
                all.push(binding);
                Bindings::Many(all)
            }
        };
    }
}

impl<'a> std::ops::Deref for Bindings<'a> {
    type Target = [Binding<'a>];

    fn deref(&self) -> &[Binding<'a>] {
        match self {
            Bindings::One(binding) => std::slice::from_ref(binding),
            Bindings::Many(all) => all,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function { is_async: bool },
    Lambda,
    Comprehension,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeId(u32);

/// The function whose body is being visited.
#[derive(Debug, Clone, Copy)]
pub struct FunctionInfo<'a> {
    pub def: &'a ast::StmtFunctionDef,
    /// The class this function is a method of, when it is defined directly in a class body.
    pub class: Option<&'a ast::StmtClassDef>,
}

#[derive(Debug)]
pub(crate) struct Scope<'a> {
    pub(crate) kind: ScopeKind,
    pub(crate) parent: Option<ScopeId>,
    pub(crate) bindings: FxHashMap<&'a str, Bindings<'a>>,
    pub(crate) has_star_import: bool,
    pub(crate) function: Option<FunctionInfo<'a>>,
    pub(crate) class: Option<&'a ast::StmtClassDef>,
    pub(crate) class_attributes: Option<ClassAttributes<'a>>,
    pub(crate) is_generator: bool,
}

/// Scopes of one file and the stack of scopes enclosing the node being visited.
#[derive(Debug)]
pub struct SemanticModel<'a> {
    scopes: Vec<Scope<'a>>,
    stack: Vec<ScopeId>,
    /// The dotted name of this module when known (`pkg.sub.mod`), used for relative imports.
    module_path: Option<Vec<String>>,
    /// `module_path` joined with dots.
    module_name: Option<String>,
    /// The project's top-level modules: targets elsewhere are not built (see
    /// `LinterSettings::project_modules`).
    project_modules: Option<std::sync::Arc<rustc_hash::FxHashSet<String>>>,
    is_package: bool,
    /// Call targets already resolved in this file, by callee range: an awaited call is
    /// resolved by the `await` handlers and again when the call itself is visited.
    targets: std::cell::RefCell<FxHashMap<TextRange, Option<crate::project::Target>>>,
    /// For each method (by its `def`): the path of its class, as `self.m()` calls resolve to
    /// `<class path>.m` (most calls in a method body are on `self`).
    self_class_paths: std::cell::RefCell<FxHashMap<TextRange, Option<std::rc::Rc<str>>>>,
}

impl<'a> SemanticModel<'a> {
    pub fn new(module: &'a [Stmt], module_path: Option<Vec<String>>, is_package: bool) -> Self {
        let module_name = module_path.as_ref().map(|p| p.join("."));
        let mut model = Self {
            scopes: Vec::new(),
            stack: Vec::new(),
            project_modules: None,
            module_name,
            module_path,
            is_package,
            targets: std::cell::RefCell::default(),
            self_class_paths: std::cell::RefCell::default(),
        };
        let scope = model.new_scope(ScopeKind::Module, None, None);
        model.stack.push(scope);
        collect_scope_bindings(&mut model, scope, module, None);
        model
    }

    fn new_scope(
        &mut self,
        kind: ScopeKind,
        function: Option<FunctionInfo<'a>>,
        class: Option<&'a ast::StmtClassDef>,
    ) -> ScopeId {
        let id = ScopeId(u32::try_from(self.scopes.len()).unwrap_or(u32::MAX));
        self.scopes.push(Scope {
            kind,
            parent: self.stack.last().copied(),
            bindings: FxHashMap::default(),
            has_star_import: false,
            function,
            class,
            class_attributes: None,
            is_generator: false,
        });
        id
    }

    pub(crate) fn scope_mut(&mut self, id: ScopeId) -> &mut Scope<'a> {
        &mut self.scopes[id.0 as usize]
    }

    pub(crate) fn scope(&self, id: ScopeId) -> &Scope<'a> {
        &self.scopes[id.0 as usize]
    }

    pub(crate) fn add_binding(&mut self, scope: ScopeId, name: &'a str, binding: Binding<'a>) {
        match self.scope_mut(scope).bindings.entry(name) {
            std::collections::hash_map::Entry::Occupied(mut entry) => entry.get_mut().push(binding),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(Bindings::One(binding));
            }
        }
    }

    pub fn current_scope_id(&self) -> ScopeId {
        *self.stack.last().expect("module scope")
    }

    pub fn current_scope_kind(&self) -> ScopeKind {
        self.scope(self.current_scope_id()).kind
    }

    /// Enter a function body: parameters and every binding of the body are collected now.
    pub fn push_function(&mut self, def: &'a ast::StmtFunctionDef) {
        let class = self
            .scope(self.current_scope_id())
            .class
            .filter(|_| self.scope(self.current_scope_id()).kind == ScopeKind::Class);
        let info = FunctionInfo { def, class };
        let id = self.new_scope(
            ScopeKind::Function {
                is_async: def.is_async,
            },
            Some(info),
            None,
        );
        self.stack.push(id);
        collect_scope_bindings(self, id, &def.body, Some(&def.parameters));
    }

    pub fn push_lambda(&mut self, lambda: &'a ast::ExprLambda) {
        let id = self.new_scope(ScopeKind::Lambda, None, None);
        self.stack.push(id);
        if let Some(parameters) = &lambda.parameters {
            collect_scope_bindings(self, id, &[], Some(parameters));
        }
    }

    pub fn push_class(&mut self, class: &'a ast::StmtClassDef) {
        let id = self.new_scope(ScopeKind::Class, None, Some(class));
        self.stack.push(id);
        collect_scope_bindings(self, id, &class.body, None);
        let attributes = super::collect::collect_class_attributes(class);
        self.scope_mut(id).class_attributes = Some(attributes);
    }

    pub fn push_comprehension(&mut self, generators: &'a [ast::Comprehension], is_generator: bool) {
        let id = self.new_scope(ScopeKind::Comprehension, None, None);
        self.scope_mut(id).is_generator = is_generator;
        self.stack.push(id);
        for generator in generators {
            super::collect::bind_target(self, id, &generator.target, BindingKind::LoopVar);
        }
    }

    pub fn pop_scope(&mut self) {
        debug_assert!(self.stack.len() > 1, "never pop the module scope");
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    /// Lexically inside an `async def` body: not in a nested `def`, `lambda` or class body.
    /// Comprehensions run inline, so they inherit the context of their function.
    pub fn in_async_context(&self) -> bool {
        for id in self.stack.iter().rev() {
            match self.scope(*id).kind {
                ScopeKind::Comprehension => {}
                ScopeKind::Function { is_async } => return is_async,
                ScopeKind::Module | ScopeKind::Class | ScopeKind::Lambda => return false,
            }
        }
        false
    }

    /// Inside a generator expression (before reaching the enclosing function)? `await` is
    /// legal there even in a synchronous function: it makes an async generator expression.
    pub fn in_generator_expression(&self) -> bool {
        for id in self.stack.iter().rev() {
            let scope = self.scope(*id);
            if scope.kind != ScopeKind::Comprehension {
                return false;
            }
            if scope.is_generator {
                return true;
            }
        }
        false
    }

    /// The innermost enclosing `def`/`async def` (through comprehensions only).
    pub fn current_function(&self) -> Option<FunctionInfo<'a>> {
        for id in self.stack.iter().rev() {
            let scope = self.scope(*id);
            match scope.kind {
                ScopeKind::Comprehension => {}
                ScopeKind::Function { .. } => return scope.function,
                _ => return None,
            }
        }
        None
    }

    /// The innermost enclosing function of any kind, looking through lambdas and comprehensions.
    pub fn enclosing_function(&self) -> Option<FunctionInfo<'a>> {
        self.stack
            .iter()
            .rev()
            .find_map(|id| self.scope(*id).function)
    }

    pub fn at_module_level(&self) -> bool {
        self.stack.len() == 1
    }

    /// Every binding of `name` visible from the current scope, following Python's rules:
    /// class scopes are skipped from nested functions, `global` goes to the module.
    pub fn lookup(&self, name: &str) -> Lookup<'_, 'a> {
        let mut first = true;
        let mut current = Some(self.current_scope_id());
        while let Some(id) = current {
            let scope = self.scope(id);
            let skip = scope.kind == ScopeKind::Class && !first;
            if !skip {
                if let Some(bindings) = scope.bindings.get(name) {
                    if bindings
                        .iter()
                        .any(|b| matches!(b.kind, BindingKind::Global))
                    {
                        return self.lookup_in(ScopeId(0), name);
                    }
                    if bindings
                        .iter()
                        .all(|b| matches!(b.kind, BindingKind::Nonlocal))
                    {
                        // keep walking outwards
                    } else {
                        return Lookup::Found(bindings);
                    }
                }
                if scope.has_star_import {
                    return Lookup::Unknown;
                }
            }
            first = false;
            current = scope.parent;
        }
        Lookup::NotFound
    }

    fn lookup_in(&self, id: ScopeId, name: &str) -> Lookup<'_, 'a> {
        let scope = self.scope(id);
        match scope.bindings.get(name) {
            Some(bindings) => Lookup::Found(bindings),
            None if scope.has_star_import => Lookup::Unknown,
            None => Lookup::NotFound,
        }
    }

    /// The single binding of `name` when it has exactly one (or several that agree).
    pub fn unique_binding(&self, name: &str) -> Option<&Binding<'a>> {
        match self.lookup(name) {
            Lookup::Found([binding]) => Some(binding),
            _ => None,
        }
    }

    /// Resolve a name or attribute chain to a dotted qualified name:
    /// `nap` -> `time.sleep` after `from time import sleep as nap`, `open` -> `builtins.open`.
    /// Returns `None` for local variables, ambiguous names and anything unresolvable.
    pub fn resolve_qualified_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => self.resolve_name(name.id.as_str()),
            Expr::Attribute(_) => {
                // The base name's path is built with room for every attribute: appending them
                // one by one reallocated the string for each (asked for every call and
                // attribute of every file).
                let mut room = 0;
                let mut base = expr;
                while let Expr::Attribute(attr) = base {
                    room += 1 + attr.attr.len();
                    base = &attr.value;
                }
                let Expr::Name(name) = base else {
                    return None;
                };
                let mut qualified = self.resolve_name_with_room(name.id.as_str(), room)?;
                push_attributes(expr, &mut qualified);
                Some(qualified)
            }
            _ => None,
        }
    }

    pub fn resolve_name(&self, name: &str) -> Option<String> {
        self.resolve_name_with_room(name, 0)
    }

    /// [`Self::resolve_name`], with capacity for `room` more bytes.
    fn resolve_name_with_room(&self, name: &str, room: usize) -> Option<String> {
        match self.lookup(name) {
            Lookup::Found(bindings) => {
                let mut qualified: Option<&str> = None;
                for binding in bindings {
                    let q = match &binding.kind {
                        BindingKind::Import { qualified }
                        | BindingKind::FromImport { qualified } => qualified.as_str(),
                        _ => return self.module_definition_path_with_room(name, room),
                    };
                    match qualified {
                        None => qualified = Some(q),
                        Some(existing) if existing == q => {}
                        Some(_) => return None,
                    }
                }
                qualified.map(|q| self.absolutize_with_room(q, room))
            }
            Lookup::NotFound if is_builtin(name) => {
                Some(super::concat_with_room(&["builtins.", name], room))
            }
            _ => None,
        }
    }

    /// `<module>.<name>` for a function or class defined once at module level and visible
    /// from here (not shadowed).
    fn module_definition_path(&self, name: &str) -> Option<String> {
        self.module_definition_path_with_room(name, 0)
    }

    fn module_definition_path_with_room(&self, name: &str, room: usize) -> Option<String> {
        let Lookup::Found([binding]) = self.lookup(name) else {
            return None;
        };
        if !matches!(
            binding.kind,
            BindingKind::FunctionDef(_) | BindingKind::ClassDef(_)
        ) {
            return None;
        }
        let module_bindings = self.scope(ScopeId(0)).bindings.get(name)?;
        if module_bindings.len() != 1 || module_bindings[0].range != binding.range {
            return None;
        }
        let module = self.module_name.as_deref()?;
        Some(super::concat_with_room(&[module, ".", name], room))
    }

    /// Where a callee points, for the project index: module functions and classes (local or
    /// imported), `self.m`/`cls.m`, `super().m`, `Class.m`, and `obj.m` when `obj` was built
    /// by a constructor call in scope. `None` when nothing certain can be said.
    pub fn resolve_target(&self, expr: &Expr) -> Option<crate::project::Target> {
        self.uncached_target(expr)
    }

    /// [`Self::resolve_target`] for a call's callee, reusing what the call site already
    /// computed when given (`(qualified name, receiver kind)`, see `CallSite`): most callees
    /// are settled without building a string. Targets resolved without `known` (by the `await`
    /// handlers, which run before the call itself is visited) are cached per callee range for
    /// that later visit.
    pub fn resolve_call_target(
        &self,
        expr: &Expr,
        known: Option<(Option<&str>, Option<&str>)>,
    ) -> Option<crate::project::Target> {
        let range = expr.range();
        {
            let targets = self.targets.borrow();
            if !targets.is_empty()
                && let Some(found) = targets.get(&range)
            {
                return *found;
            }
        }
        match known {
            // The call itself, visited last: nothing asks again.
            Some((qualified, receiver_kind)) => self.fast_target(expr, qualified, receiver_kind),
            None => {
                let target = self.uncached_target(expr);
                self.targets.borrow_mut().insert(range, target);
                target
            }
        }
    }

    /// The target from the call site's qualified name or receiver kind; the general walk only
    /// for the shapes those do not cover (`super()`, `self.m`, deeper attribute chains).
    fn fast_target(
        &self,
        expr: &Expr,
        qualified: Option<&str>,
        receiver_kind: Option<&str>,
    ) -> Option<crate::project::Target> {
        use crate::project::Target;
        let from_path = |path: &str| self.in_project(path).then(|| Target::path(path));
        match expr {
            Expr::Name(name) => {
                let qualified = qualified?;
                // Builtins are never project targets.
                if qualified.starts_with("builtins.")
                    && matches!(self.lookup(name.id.as_str()), Lookup::NotFound)
                {
                    return None;
                }
                from_path(qualified)
            }
            Expr::Attribute(attr) => match &*attr.value {
                Expr::Call(call) if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "super") => {
                    self.uncached_target(expr)
                }
                Expr::Name(base) if self.is_self_name(base.id.as_str()) => {
                    let class_path = self.self_class_path()?;
                    self.in_project(&class_path)
                        .then(|| Target::path_of_parts(&[&class_path, ".", attr.attr.as_str()]))
                }
                _ if qualified.is_some() => qualified.and_then(from_path),
                // `obj.m()` with `obj = Class(...)`, and `self.attr.m()` with `self.attr`
                // assigned `Class(...)`: the receiver kind is `Class()`.
                Expr::Attribute(inner) if matches!(&*inner.value, Expr::Name(n) if self.is_self_name(n.id.as_str())) => {
                    self.receiver_method_target(receiver_kind?, attr.attr.as_str())
                }
                Expr::Name(_) | Expr::Call(_) => {
                    self.receiver_method_target(receiver_kind?, attr.attr.as_str())
                }
                _ => self.uncached_target(expr),
            },
            _ => None,
        }
    }

    /// `Class.method` for a call on a receiver of kind `Class()`, when `Class` is a project
    /// path.
    fn receiver_method_target(
        &self,
        receiver_kind: &str,
        method: &str,
    ) -> Option<crate::project::Target> {
        let class = class_of_kind(receiver_kind)?;
        self.in_project(class)
            .then(|| crate::project::Target::path_of_parts(&[class, ".", method]))
    }

    /// The path of the class whose method is being visited (`self.m()` resolves under it),
    /// computed once per method (shared, not copied, by every `self.m()` call).
    fn self_class_path(&self) -> Option<std::rc::Rc<str>> {
        let function = self.current_function()?;
        let class = function.class?;
        let key = function.def.range;
        if let Some(found) = self.self_class_paths.borrow().get(&key) {
            return found.clone();
        }
        let path = self
            .module_definition_path(class.name.as_str())
            .map(std::rc::Rc::from);
        self.self_class_paths.borrow_mut().insert(key, path.clone());
        path
    }

    /// Would [`Self::resolve_target`] find a target for `expr`? (Without interning one.)
    pub fn resolves_target(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Attribute(attr) if matches!(&*attr.value, Expr::Call(_)) => {
                self.resolve_target(expr).is_some()
            }
            _ => self.project_path(expr).is_some(),
        }
    }

    /// The dotted path of a name or attribute chain, when it is under the project's modules.
    fn project_path(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Attribute(_) | Expr::Name(_) => {
                self.target_path(expr).filter(|p| self.in_project(p))
            }
            _ => None,
        }
    }

    fn uncached_target(&self, expr: &Expr) -> Option<crate::project::Target> {
        use crate::project::Target;
        if let Expr::Attribute(attr) = expr
            && let Expr::Call(call) = &*attr.value
            && matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "super")
            && call.arguments.args.is_empty()
        {
            let class = self.current_function()?.class?;
            let class_path = self.module_definition_path(class.name.as_str())?;
            return Some(Target::super_(&class_path, attr.attr.as_str()));
        }
        // Build the path as one string and intern it once, at the end.
        self.project_path(expr).map(Target::path)
    }

    pub fn set_project_modules(
        &mut self,
        modules: Option<std::sync::Arc<rustc_hash::FxHashSet<String>>>,
    ) {
        self.project_modules = modules;
    }

    /// Can `path` name something of the project (its first segment is a project module)?
    /// Always true when the project's modules are not known.
    pub fn is_project_path(&self, path: &str) -> bool {
        self.in_project(path)
    }

    fn in_project(&self, path: &str) -> bool {
        let Some(modules) = &self.project_modules else {
            return true;
        };
        let head = memchr::memchr(b'.', path.as_bytes()).map_or(path, |dot| &path[..dot]);
        modules.contains(head) || head.starts_with('<')
    }

    /// The dotted path `resolve_target` interns (no `super()` here).
    fn target_path(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                // Builtins are never project targets: skip building `builtins.x`.
                if matches!(self.lookup(name.id.as_str()), Lookup::NotFound) {
                    return None;
                }
                self.resolve_name(name.id.as_str())
            }
            Expr::Attribute(attr) => {
                let method = attr.attr.as_str();
                match &*attr.value {
                    Expr::Name(base) if self.is_self_name(base.id.as_str()) => {
                        let class_path = self.self_class_path()?;
                        Some(super::concat(&[&class_path, ".", method]))
                    }
                    Expr::Call(_) => self.kind_method_path(&attr.value, method),
                    value => {
                        // `self.attr.method()`: `self.attr` is an instance attribute, not a
                        // class member path; only its object kind can say what it is.
                        let self_attribute = matches!(value, Expr::Attribute(inner)
                            if matches!(&*inner.value, Expr::Name(n) if self.is_self_name(n.id.as_str())));
                        if !self_attribute && let Some(mut base) = self.target_path(value) {
                            base.push('.');
                            base.push_str(method);
                            return Some(base);
                        }
                        self.kind_method_path(value, method)
                    }
                }
            }
            _ => None,
        }
    }

    /// `Class.method` for `obj.method` when `obj` was built by `Class(...)`.
    fn kind_method_path(&self, value: &Expr, method: &str) -> Option<String> {
        method_path_of_kind(&self.object_kind(value)?, method)
    }

    /// The absolute target of a module-level import binding (for re-exports).
    pub fn absolute_import(&self, qualified: &str) -> String {
        self.absolutize(qualified)
    }

    /// Turn `..x.y` into an absolute name when this module's path is known.
    fn absolutize(&self, qualified: &str) -> String {
        self.absolutize_with_room(qualified, 0)
    }

    fn absolutize_with_room(&self, qualified: &str, room: usize) -> String {
        if !qualified.starts_with('.') {
            return super::concat_with_room(&[qualified], room);
        }
        let level = qualified.chars().take_while(|c| *c == '.').count();
        let rest = &qualified[level..];
        let Some(path) = &self.module_path else {
            return qualified.to_string();
        };
        // A package's `__init__` is its own package; a module's package is its parent.
        let package_len = if self.is_package {
            path.len()
        } else {
            path.len().saturating_sub(1)
        };
        let up = level - 1;
        if up > package_len {
            return qualified.to_string();
        }
        let package = &path[..package_len - up];
        let mut out = String::with_capacity(
            package.iter().map(|p| p.len() + 1).sum::<usize>() + rest.len() + room,
        );
        for part in package.iter().map(String::as_str).chain(Some(rest)) {
            if part.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
        out
    }

    pub fn module_path(&self) -> Option<&[String]> {
        self.module_path.as_deref()
    }

    /// The attributes assigned in the `__init__` (and class-level annotations) of the class
    /// enclosing the current method, if any.
    pub fn current_class_attributes(&self) -> Option<&ClassAttributes<'a>> {
        let function = self.current_function()?;
        let class = function.class?;
        self.stack
            .iter()
            .rev()
            .map(|id| self.scope(*id))
            .find(|scope| scope.class.is_some_and(|c| std::ptr::eq(c, class)))
            .and_then(|scope| scope.class_attributes.as_ref())
    }

    /// Is `name` the first parameter (`self`/`cls`) of the current method?
    pub fn is_self_name(&self, name: &str) -> bool {
        let Some(function) = self.current_function() else {
            return false;
        };
        if function.class.is_none() {
            return false;
        }
        let params = &function.def.parameters;
        params
            .posonlyargs
            .iter()
            .chain(params.args.iter())
            .next()
            .is_some_and(|p| p.parameter.name.as_str() == name)
    }

    /// The module-level bindings of `name` (a hash lookup).
    pub fn module_bindings_of(&self, name: &str) -> Option<&[Binding<'a>]> {
        self.scope(ScopeId(0)).bindings.get(name).map(|b| &**b)
    }

    /// How many bindings `name` has at module level (a hash lookup).
    pub fn module_binding_count(&self, name: &str) -> usize {
        self.scope(ScopeId(0))
            .bindings
            .get(name)
            .map_or(0, |b| b.len())
    }

    /// Names bound anywhere in the module scope (for the project summary).
    pub fn module_bindings(&self) -> impl Iterator<Item = (&&'a str, &[Binding<'a>])> {
        self.scope(ScopeId(0))
            .bindings
            .iter()
            .map(|(name, bindings)| (name, &**bindings))
    }

    /// Bindings of `name` in the current function scope only.
    pub fn local_bindings(&self, name: &str) -> Option<&[Binding<'a>]> {
        self.scope(self.current_scope_id())
            .bindings
            .get(name)
            .map(|b| &**b)
    }
}

/// Append `.attr` for every attribute of the chain `expr` (`a.b.c` appends `.b.c`).
fn push_attributes(expr: &Expr, out: &mut String) {
    if let Expr::Attribute(attr) = expr {
        push_attributes(&attr.value, out);
        out.push('.');
        out.push_str(attr.attr.as_str());
    }
}

/// `Class.method` for a method called on an object of kind `Class()` (built by calling the
/// class); `None` for other kinds (`factory().make()`, `await open_connection()`).
fn method_path_of_kind(kind: &str, method: &str) -> Option<String> {
    Some(super::concat(&[class_of_kind(kind)?, ".", method]))
}

/// `Class` for an object of kind `Class()` (built by calling the class).
fn class_of_kind(kind: &str) -> Option<&str> {
    let class = kind.strip_suffix("()")?;
    (!class.contains('(') && !class.starts_with("await ")).then_some(class)
}

/// Result of looking up a name.
#[derive(Debug)]
pub enum Lookup<'m, 'a> {
    Found(&'m [Binding<'a>]),
    /// Not bound anywhere visible and no star import could provide it.
    NotFound,
    /// Hidden behind a star import: could be anything.
    Unknown,
}

const BUILTINS: &[&str] = &[
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
    "BaseException",
    "BaseExceptionGroup",
    "Exception",
    "ExceptionGroup",
    "TimeoutError",
    "KeyboardInterrupt",
    "SystemExit",
    "GeneratorExit",
    "NotImplementedError",
    "RuntimeError",
    "ValueError",
    "TypeError",
    "OSError",
    "StopIteration",
    "StopAsyncIteration",
    "NotImplemented",
    "Ellipsis",
    "None",
    "True",
    "False",
    "__import__",
];

pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}
