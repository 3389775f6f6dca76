//! ## What it does
//! PLACEHOLDER: being implemented.
//!
//! ## Why is this bad?
//!
//! ## Example

use crate::checker::{CallSite, Checker};

pub(crate) fn blocking_filesystem_call(_checker: &mut Checker, _site: &CallSite) {}
