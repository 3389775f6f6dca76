//! Diagnostics, fixes and source files shared by the linter, the project index and the renderers.
//!
//! Positions are byte offsets (`TextRange`) internally; renderers turn them into 1-based
//! line/column pairs where the column counts Unicode scalar values (characters), as Ruff does.

mod diagnostic;
mod fix;
pub mod html;
mod render;
mod source;

pub use diagnostic::{Diagnostic, RuleMeta, Severity};
pub use fix::{Applicability, Edit, Fix};
pub use render::{OutputFormat, RenderOptions, render, render_statistics};
pub use source::{Location, SourceFile};

pub use ruff_text_size::{TextRange, TextSize};
