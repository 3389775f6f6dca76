//! One module per subcommand.

pub mod check;
pub mod checklist;
pub mod fix;
pub mod rule;
pub mod run;

use std::process::ExitCode;

/// The process exit status: 0 no findings, 1 findings, 2 usage, configuration or internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}
