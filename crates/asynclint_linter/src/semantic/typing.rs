//! Object kinds: what a name holds, known only from evidence the catalog trusts (a constructor
//! call assigned to it, an annotation, a `with ... as` item, `self.x = Ctor()` in `__init__`,
//! or a chained call). Kinds are written as the call that produced the object:
//! `threading.Lock()`, `sqlite3.connect().cursor()`.

use ruff_python_ast::{self as ast, Expr};

use super::collect::AttributeSource;
use super::model::{BindingKind, Lookup, SemanticModel};

/// An object kind, e.g. `requests.Session()`.
pub type ObjectKind = String;

const MAX_DEPTH: u8 = 6;

impl SemanticModel<'_> {
    /// The kind of object `expr` evaluates to, when the evidence is unambiguous.
    pub fn object_kind(&self, expr: &Expr) -> Option<ObjectKind> {
        self.object_kind_depth(expr, 0)
    }

    fn object_kind_depth(&self, expr: &Expr, depth: u8) -> Option<ObjectKind> {
        if depth > MAX_DEPTH {
            return None;
        }
        match expr {
            Expr::Call(call) => {
                if let Some(q) = self.resolve_qualified_name(&call.func) {
                    return Some(super::concat(&[&q, "()"]));
                }
                if let Expr::Attribute(attr) = &*call.func {
                    let receiver = self.object_kind_depth(&attr.value, depth + 1)?;
                    return Some(super::concat(&[&receiver, ".", attr.attr.as_str(), "()"]));
                }
                // Calling an object of known kind: `Session = sessionmaker(...)`, then
                // `Session()` is `sqlalchemy.orm.sessionmaker()()`.
                if let Expr::Name(_) = &*call.func {
                    let callee = self.object_kind_depth(&call.func, depth + 1)?;
                    return Some(super::concat(&[&callee, "()"]));
                }
                None
            }
            Expr::Name(name) => {
                let Lookup::Found(bindings) = self.lookup(name.id.as_str()) else {
                    return None;
                };
                let mut kind: Option<ObjectKind> = None;
                for binding in bindings {
                    let k = match &binding.kind {
                        BindingKind::Assignment { value, annotation } => {
                            let from_value = value
                                .filter(|v| {
                                    matches!(v, Expr::Call(_) | Expr::Name(_) | Expr::Await(_))
                                })
                                .and_then(|v| self.value_kind(v, depth));
                            from_value.or_else(|| annotation.and_then(|a| self.annotation_kind(a)))
                        }
                        BindingKind::WithItem { value, .. } => {
                            self.object_kind_depth(value, depth + 1)
                        }
                        BindingKind::Parameter { annotation } => {
                            annotation.and_then(|a| self.annotation_kind(a))
                        }
                        _ => None,
                    }?;
                    match &kind {
                        None => kind = Some(k),
                        Some(existing) if *existing == k => {}
                        Some(_) => return None,
                    }
                }
                kind
            }
            Expr::Attribute(attr) => {
                let Expr::Name(base) = &*attr.value else {
                    return None;
                };
                if !self.is_self_name(base.id.as_str()) {
                    return None;
                }
                let sources = self
                    .current_class_attributes()?
                    .attributes
                    .get(attr.attr.as_str())?;
                let mut kind: Option<ObjectKind> = None;
                let mut annotated: Option<ObjectKind> = None;
                for source in sources {
                    match source {
                        AttributeSource::Annotation(a) => {
                            if let Some(k) = self.annotation_kind(a) {
                                annotated = Some(k);
                            }
                        }
                        AttributeSource::Value(v) => {
                            // `self.x = None` placeholders do not change the kind.
                            if matches!(v, Expr::NoneLiteral(_)) {
                                continue;
                            }
                            let k = self.value_kind(v, depth)?;
                            match &kind {
                                None => kind = Some(k),
                                Some(existing) if *existing == k => {}
                                Some(_) => return None,
                            }
                        }
                    }
                }
                kind.or(annotated)
            }
            _ => None,
        }
    }

    fn value_kind(&self, value: &Expr, depth: u8) -> Option<ObjectKind> {
        match value {
            Expr::Call(_) | Expr::Name(_) => self.object_kind_depth(value, depth + 1),
            Expr::Await(await_expr) => {
                let inner = self.object_kind_depth(&await_expr.value, depth + 1)?;
                Some(super::concat(&["await ", &inner]))
            }
            _ => None,
        }
    }

    /// `threading.Lock` -> `threading.Lock()`; `Optional[X]`, `X | None` -> `X()`.
    pub fn annotation_kind(&self, annotation: &Expr) -> Option<ObjectKind> {
        match annotation {
            Expr::Name(_) | Expr::Attribute(_) => {
                let q = self.resolve_qualified_name(annotation)?;
                Some(super::concat(&[&q, "()"]))
            }
            Expr::Subscript(sub) => {
                let q = self.resolve_qualified_name(&sub.value)?;
                if q == "typing.Optional" {
                    return self.annotation_kind(&sub.slice);
                }
                None
            }
            Expr::BinOp(binop) if binop.op == ast::Operator::BitOr => {
                match (&*binop.left, &*binop.right) {
                    (other, Expr::NoneLiteral(_)) | (Expr::NoneLiteral(_), other) => {
                        self.annotation_kind(other)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
