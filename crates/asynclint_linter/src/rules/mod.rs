//! Rules, one file each, grouped by family. A rule file's `//!` comment is its documentation.

pub mod blocking;
pub mod coroutines;
pub mod errors;
pub(crate) mod function_facts;
pub mod limits;
pub mod modernize;
pub mod resources;
pub mod shutdown;
pub mod syntax;
pub mod tasks;
pub mod testing;
pub mod timeouts;
