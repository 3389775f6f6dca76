//! The per-file semantic model: scopes, bindings, and resolution of expressions to qualified
//! names (`nap` -> `time.sleep`) and to object kinds (`lock` -> `threading.Lock()`).
//!
//! Bindings of a scope are collected when the scope is entered (see [`collect`]), so a name is
//! resolved with the knowledge of *every* binding it has in its scope, wherever it occurs. A
//! name with more than one binding of different meaning resolves to nothing: precision beats
//! recall.

pub mod collect;
mod model;
mod typing;

pub use collect::{AttributeSource, ClassAttributes, collect_class_attributes};
pub use model::{
    Binding, BindingKind, FunctionInfo, Lookup, ScopeId, ScopeKind, SemanticModel, is_builtin,
};
pub use typing::ObjectKind;

/// Concatenate `parts` into a string allocated once at its final size: dotted paths and
/// kinds are built for most calls of every file, where `format!` (which grows its buffer as
/// it writes) showed up in profiles.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}
