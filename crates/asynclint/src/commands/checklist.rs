//! `asynclint checklist`: run every rule over a project with the same pipeline as `check`
//! (walk, settings, phase 1 collecting pattern counts in the same pass, phase 2), then fill in
//! the checklist report and print it as Markdown, JSON or HTML.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use asynclint_checklist::{FileInput, Input, html, json, markdown};
use asynclint_linter::RuleSet;
use clap::Parser;

use crate::args::{CheckArgs, ChecklistArgs, ChecklistFormat, FailOn};
use crate::commands::ExitStatus;
use crate::settings::{Settings, normalize};

pub fn checklist(args: &ChecklistArgs, no_project: bool) -> Result<ExitStatus> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let given = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let target = normalize(&cwd.join(&given));
    if !target.exists() {
        bail!("{}: no such file or directory", given.display());
    }
    let check_args = check_args(args, &given)?;
    let mut settings = Settings::resolve(&check_args, no_project, &cwd)?;
    // The report covers every item, so every rule runs whatever the selection says.
    settings.linter.rules = RuleSet::all();
    let (diagnostics, facts) = super::check::run_with_facts(&check_args, &settings, &cwd)?;

    let start = if target.is_dir() {
        target.clone()
    } else {
        target
            .parent()
            .map_or_else(|| cwd.clone(), Path::to_path_buf)
    };
    let root = asynclint_checklist::deps::project_root(&start).unwrap_or(start);
    let display = |path: &Path| display_path(path, &cwd);
    let report = asynclint_checklist::build(Input {
        path: given.to_string_lossy().replace('\\', "/"),
        root: &root,
        files: facts
            .into_iter()
            .map(|(path, module, facts)| FileInput {
                path,
                module,
                facts,
            })
            .collect(),
        diagnostics: &diagnostics,
        display: &display,
    });

    let mut out = Vec::new();
    match args.output_format {
        ChecklistFormat::Markdown => markdown::render(&report, &mut out)?,
        ChecklistFormat::Json => json::render(&report, &mut out)?,
        ChecklistFormat::Html => {
            let options = html::Options {
                link_prefix: link_prefix(args.output_file.as_deref(), &cwd),
            };
            html::render(&report, &options, &mut out)?;
        }
    }
    match &args.output_file {
        Some(path) => {
            let path = cwd.join(path);
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create the directory {}", parent.display()))?;
            }
            std::fs::write(&path, &out)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut stdout = io::stdout().lock();
            match stdout.write_all(&out).and_then(|()| stdout.flush()) {
                // The reader went away (`| head`): nothing more to say to it.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write to standard output")?,
            }
        }
    }

    Ok(match args.fail_on {
        Some(FailOn::Fail) if report.has_failures() => ExitStatus::Failure,
        _ => ExitStatus::Success,
    })
}

/// The `check` arguments for the same files and configuration; parsed rather than built so
/// new `check` options keep their defaults here.
fn check_args(args: &ChecklistArgs, path: &Path) -> Result<CheckArgs> {
    let mut argv: Vec<OsString> = vec!["check".into(), path.as_os_str().to_owned()];
    if let Some(config) = &args.config {
        argv.push("--config".into());
        argv.push(config.as_os_str().to_owned());
    }
    if args.isolated {
        argv.push("--isolated".into());
    }
    if let Some(version) = &args.target_version {
        argv.push(format!("--target-version={version}").into());
    }
    if let Some(exclude) = &args.exclude {
        argv.push(format!("--exclude={}", exclude.join(",")).into());
    }
    if !args.extend_exclude.is_empty() {
        argv.push(format!("--extend-exclude={}", args.extend_exclude.join(",")).into());
    }
    if args.no_respect_gitignore {
        argv.push("--no-respect-gitignore".into());
    }
    CheckArgs::try_parse_from(argv).context("invalid arguments for the checklist's run")
}

/// `path` relative to `cwd` when under it, with `/` separators (report paths).
fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

/// What turns a report path (relative to `cwd`) into a link that works from the saved page:
/// `../` per directory between `cwd` and the output file, or a `file://` URL when the page
/// is written outside `cwd`.
fn link_prefix(output_file: Option<&Path>, cwd: &Path) -> String {
    let Some(output) = output_file else {
        return String::new();
    };
    let output = normalize(&cwd.join(output));
    let dir = output.parent().unwrap_or(cwd);
    match dir.strip_prefix(cwd) {
        Ok(rest) => "../".repeat(rest.components().count()),
        Err(_) => {
            let mut prefix = format!("file://{}", cwd.to_string_lossy().replace('\\', "/"));
            if !prefix.ends_with('/') {
                prefix.push('/');
            }
            prefix
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_prefixes() {
        let cwd = Path::new("/work/project");
        assert_eq!(link_prefix(None, cwd), "");
        assert_eq!(link_prefix(Some(Path::new("report.html")), cwd), "");
        assert_eq!(
            link_prefix(Some(Path::new("target/reports/c.html")), cwd),
            "../../"
        );
        assert_eq!(
            link_prefix(Some(Path::new("/tmp/c.html")), cwd),
            "file:///work/project/"
        );
    }
}
