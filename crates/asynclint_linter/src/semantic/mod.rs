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
    concat_with_room(parts, 0)
}

/// [`concat`], in a string with room for `room` more bytes (for a path that grows after).
pub fn concat_with_room(parts: &[&str], room: usize) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + room);
    for part in parts {
        out.push_str(part);
    }
    out
}

/// The last dotted segment of `path` (`fetch` in `app.db.fetch`).
pub fn last_segment(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(_, last)| last)
}
