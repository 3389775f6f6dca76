//! Collect the bindings of one scope without descending into nested scopes.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

use super::model::{Binding, BindingKind, ScopeId, SemanticModel};

pub(crate) fn collect_scope_bindings<'a>(
    model: &mut SemanticModel<'a>,
    scope: ScopeId,
    body: &'a [Stmt],
    parameters: Option<&'a ast::Parameters>,
) {
    if let Some(parameters) = parameters {
        for param in parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
        {
            model.add_binding(
                scope,
                param.parameter.name.as_str(),
                Binding {
                    kind: BindingKind::Parameter {
                        annotation: param.parameter.annotation.as_deref(),
                    },
                    range: param.parameter.name.range,
                },
            );
        }
        for param in [&parameters.vararg, &parameters.kwarg]
            .into_iter()
            .flatten()
        {
            model.add_binding(
                scope,
                param.name.as_str(),
                Binding {
                    kind: BindingKind::Parameter { annotation: None },
                    range: param.name.range,
                },
            );
        }
    }
    let mut collector = Collector { model, scope };
    collector.visit_body(body);
}

struct Collector<'m, 'a> {
    model: &'m mut SemanticModel<'a>,
    scope: ScopeId,
}

impl<'a> Collector<'_, 'a> {
    fn bind(&mut self, name: &'a str, kind: BindingKind<'a>, range: ruff_text_size::TextRange) {
        self.model
            .add_binding(self.scope, name, Binding { kind, range });
    }
}

pub(crate) fn bind_target<'a>(
    model: &mut SemanticModel<'a>,
    scope: ScopeId,
    target: &'a Expr,
    kind: BindingKind<'a>,
) {
    match target {
        Expr::Name(name) => model.add_binding(
            scope,
            name.id.as_str(),
            Binding {
                kind,
                range: name.range,
            },
        ),
        Expr::Tuple(tuple) => {
            for elt in &tuple.elts {
                bind_target(model, scope, elt, unpacked(&kind));
            }
        }
        Expr::List(list) => {
            for elt in &list.elts {
                bind_target(model, scope, elt, unpacked(&kind));
            }
        }
        Expr::Starred(starred) => bind_target(model, scope, &starred.value, BindingKind::Other),
        _ => {}
    }
}

/// An element of an unpacked target has no known value.
fn unpacked<'a>(kind: &BindingKind<'a>) -> BindingKind<'a> {
    match kind {
        BindingKind::LoopVar => BindingKind::LoopVar,
        BindingKind::ExceptAs => BindingKind::ExceptAs,
        _ => BindingKind::Assignment {
            value: None,
            annotation: None,
        },
    }
}

impl<'a> Visitor<'a> for Collector<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                // Decorators and defaults run in this scope, the body does not.
                self.bind(
                    def.name.as_str(),
                    BindingKind::FunctionDef(def),
                    def.name.range,
                );
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                return;
            }
            Stmt::ClassDef(class) => {
                self.bind(
                    class.name.as_str(),
                    BindingKind::ClassDef(class),
                    class.name.range,
                );
                for decorator in &class.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                return;
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.as_str();
                    match &alias.asname {
                        Some(asname) => self.bind(
                            asname.as_str(),
                            BindingKind::Import {
                                qualified: full.to_string(),
                            },
                            alias.range,
                        ),
                        None => {
                            let head = full.split('.').next().unwrap_or(full);
                            self.bind(
                                alias.name.id.as_str().split('.').next().unwrap_or(head),
                                BindingKind::Import {
                                    qualified: head.to_string(),
                                },
                                alias.range,
                            );
                        }
                    }
                }
                return;
            }
            Stmt::ImportFrom(import) => {
                let mut module = ".".repeat(import.level as usize);
                if let Some(m) = &import.module {
                    module.push_str(m.as_str());
                }
                for alias in &import.names {
                    if alias.name.as_str() == "*" {
                        self.model.scope_mut(self.scope).has_star_import = true;
                        // Remember the module for re-export resolution (`*` is never looked up).
                        self.bind(
                            "*",
                            BindingKind::FromImport {
                                qualified: module.clone(),
                            },
                            alias.range,
                        );
                        continue;
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    let qualified = if module.ends_with('.') || module.is_empty() {
                        super::concat(&[&module, alias.name.as_str()])
                    } else {
                        super::concat(&[&module, ".", alias.name.as_str()])
                    };
                    self.bind(
                        bound.as_str(),
                        BindingKind::FromImport { qualified },
                        alias.range,
                    );
                }
                return;
            }
            Stmt::Assign(assign) => {
                let single = assign.targets.len() == 1;
                for target in &assign.targets {
                    let kind = BindingKind::Assignment {
                        value: single.then_some(&*assign.value),
                        annotation: None,
                    };
                    bind_target(self.model, self.scope, target, kind);
                }
            }
            Stmt::AnnAssign(assign) => {
                bind_target(
                    self.model,
                    self.scope,
                    &assign.target,
                    BindingKind::Assignment {
                        value: assign.value.as_deref(),
                        annotation: Some(&assign.annotation),
                    },
                );
            }
            Stmt::AugAssign(assign) => {
                bind_target(self.model, self.scope, &assign.target, BindingKind::Other);
            }
            Stmt::For(for_stmt) => {
                bind_target(
                    self.model,
                    self.scope,
                    &for_stmt.target,
                    BindingKind::LoopVar,
                );
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        bind_target(
                            self.model,
                            self.scope,
                            vars,
                            BindingKind::WithItem {
                                value: &item.context_expr,
                                is_async: with.is_async,
                            },
                        );
                    }
                }
            }
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.bind(name.as_str(), BindingKind::ExceptAs, name.range);
                    }
                }
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    self.bind(name.as_str(), BindingKind::Global, name.range);
                }
            }
            Stmt::Nonlocal(nonlocal) => {
                for name in &nonlocal.names {
                    self.bind(name.as_str(), BindingKind::Nonlocal, name.range);
                }
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    bind_target(self.model, self.scope, target, BindingKind::Other);
                }
            }
            Stmt::TypeAlias(alias) => {
                bind_target(self.model, self.scope, &alias.name, BindingKind::Other);
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // Lambdas have their own scope.
            Expr::Lambda(_) => {}
            Expr::Named(named) => {
                bind_target(self.model, self.scope, &named.target, BindingKind::Other);
                self.visit_expr(&named.value);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }

    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        match pattern {
            ast::Pattern::MatchAs(ast::PatternMatchAs {
                name: Some(name), ..
            })
            | ast::Pattern::MatchStar(ast::PatternMatchStar {
                name: Some(name), ..
            }) => {
                self.bind(name.as_str(), BindingKind::Other, name.range);
            }
            ast::Pattern::MatchMapping(ast::PatternMatchMapping {
                rest: Some(name), ..
            }) => {
                self.bind(name.as_str(), BindingKind::Other, name.range);
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }
}

/// What a class's instances hold, from `self.x = value` in `__init__` and class-level
/// annotations (`x: threading.Lock`).
#[derive(Debug, Default, Clone)]
pub struct ClassAttributes<'a> {
    /// Attribute name -> every value/annotation assigned to it in `__init__` or the class body.
    pub attributes: FxHashMap<&'a str, Vec<AttributeSource<'a>>>,
}

#[derive(Debug, Clone, Copy)]
pub enum AttributeSource<'a> {
    Value(&'a Expr),
    Annotation(&'a Expr),
}

pub fn collect_class_attributes<'a>(class: &'a ast::StmtClassDef) -> ClassAttributes<'a> {
    let mut attributes: FxHashMap<&'a str, Vec<AttributeSource<'a>>> = FxHashMap::default();
    for stmt in &class.body {
        match stmt {
            Stmt::AnnAssign(assign) => {
                if let Expr::Name(name) = &*assign.target {
                    let entry = attributes.entry(name.id.as_str()).or_default();
                    entry.push(AttributeSource::Annotation(&assign.annotation));
                    if let Some(value) = &assign.value {
                        entry.push(AttributeSource::Value(value));
                    }
                }
            }
            Stmt::FunctionDef(def) if def.name.as_str() == "__init__" => {
                let Some(self_name) = def
                    .parameters
                    .posonlyargs
                    .iter()
                    .chain(&def.parameters.args)
                    .next()
                    .map(|p| p.parameter.name.as_str())
                else {
                    continue;
                };
                let mut finder = SelfAssignments {
                    self_name,
                    attributes: &mut attributes,
                };
                finder.visit_body(&def.body);
            }
            _ => {}
        }
    }
    // Any other method reassigning the attribute makes its kind ambiguous.
    if attributes.is_empty() {
        return ClassAttributes { attributes };
    }
    for stmt in &class.body {
        if let Stmt::FunctionDef(def) = stmt {
            if def.name.as_str() == "__init__" {
                continue;
            }
            let Some(self_name) = def
                .parameters
                .posonlyargs
                .iter()
                .chain(&def.parameters.args)
                .next()
                .map(|p| p.parameter.name.as_str())
            else {
                continue;
            };
            let mut other: FxHashMap<&'a str, Vec<AttributeSource<'a>>> = FxHashMap::default();
            let mut finder = SelfAssignments {
                self_name,
                attributes: &mut other,
            };
            finder.visit_body(&def.body);
            for (name, sources) in other {
                if attributes.contains_key(name) {
                    attributes.entry(name).or_default().extend(sources);
                }
            }
        }
    }
    ClassAttributes { attributes }
}

struct SelfAssignments<'m, 'a> {
    self_name: &'a str,
    attributes: &'m mut FxHashMap<&'a str, Vec<AttributeSource<'a>>>,
}

impl<'a> SelfAssignments<'_, 'a> {
    fn record(&mut self, target: &'a Expr, source: AttributeSource<'a>) {
        if let Expr::Attribute(attr) = target
            && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == self.self_name)
        {
            self.attributes
                .entry(attr.attr.as_str())
                .or_default()
                .push(source);
        }
    }
}

impl<'a> Visitor<'a> for SelfAssignments<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if assign.targets.len() == 1 {
                        self.record(target, AttributeSource::Value(&assign.value));
                    } else {
                        self.record(target, AttributeSource::Value(&NONE_EXPR));
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                self.record(
                    &assign.target,
                    AttributeSource::Annotation(&assign.annotation),
                );
                if let Some(value) = &assign.value {
                    self.record(&assign.target, AttributeSource::Value(value));
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }
}

/// A placeholder value for attributes assigned from something we cannot follow.
static NONE_EXPR: Expr = Expr::NoneLiteral(ast::ExprNoneLiteral {
    range: ruff_text_size::TextRange::new(
        ruff_text_size::TextSize::new(0),
        ruff_text_size::TextSize::new(0),
    ),
    node_index: ast::AtomicNodeIndex::NONE,
});

pub(crate) fn _range_of(expr: &Expr) -> ruff_text_size::TextRange {
    expr.range()
}
