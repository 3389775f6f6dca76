//! `asynclint run`: a run-time view of a Python asyncio program.
//!
//! The binary starts the program with a small Python monitor injected through `sitecustomize`
//! ([`bootstrap`]); the monitor sends JSON-line [`event`]s over a Unix socket; the
//! [`report::Aggregator`] collects them per process and turns them into
//! `asynclint_diagnostics::Diagnostic`s with the rule codes of the static catalog where they
//! match (blocking calls, unawaited coroutines, dropped tasks, unbounded queues) and the
//! run-time-only [`codes`] otherwise, plus a [`report::Summary`] of loop lag, tasks and queues
//! that [`html`] draws as a self-contained timeline page.

pub mod bootstrap;
pub mod codes;
pub mod event;
pub mod html;
pub mod report;
pub mod sources;

pub use report::{Aggregator, Options, Report, Summary};
