//! The `asynclint` command line: argument parsing and dispatch. The work happens in the library
//! crates; this binary only glues them together.

mod args;
mod commands;
mod printer;
mod settings;
mod walk;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Args, Command};
use crate::commands::ExitStatus;

/// jemalloc, as Ruff uses on Linux: the analysis makes many small allocations on several
/// threads, where glibc's allocator spent a quarter of the run (measured with `perf`) and
/// fragmented the long-lived project summaries.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) => {
            // `--help` and `--version` land here too, with exit code 0.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    let result = match &args.command {
        Command::Check(check) => commands::check::check(check, args.no_project),
        Command::Checklist(checklist) => commands::checklist::checklist(checklist, args.no_project),
        Command::Rule(rule) => commands::rule::rule(rule),
        // The exit status is the command's, not one of ours.
        Command::Run(run) => match commands::run::run(run) {
            Ok(code) => return code,
            Err(err) => Err(err),
        },
        Command::GenerateDocs(docs) => commands::rule::generate_docs(docs),
        Command::ParseOnly(parse) => commands::check::parse_only(&parse.paths),
    };
    asynclint_linter::stats::mark("dropped");
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  Cause: {cause}");
            }
            ExitStatus::Error.into()
        }
    }
}
