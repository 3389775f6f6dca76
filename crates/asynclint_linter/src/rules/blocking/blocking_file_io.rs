//! ## What it does
//! PLACEHOLDER: being implemented.
//!
//! ## Why is this bad?
//!
//! ## Example

use crate::checker::{CallSite, Checker};

pub(crate) fn blocking_file_io(_checker: &mut Checker, _site: &CallSite) {}
