//! Renderers: one file per `--output-format`.
//!
//! Every renderer receives diagnostics already sorted (path, range, code) and prints them in
//! that order; none of them re-sorts, so all formats agree on the order.

mod concise;
mod full;
mod github;
mod gitlab;
mod json;
mod json_lines;
mod line;
mod sarif;
mod statistics;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, RuleMeta};
use crate::fix::Applicability;

pub use statistics::render_statistics;

/// The output formats accepted by `--output-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    JsonLines,
    Sarif,
    Github,
    Gitlab,
}

impl OutputFormat {
    pub const ALL: &[OutputFormat] = &[
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Sarif,
        OutputFormat::Github,
        OutputFormat::Gitlab,
    ];

    /// Parses the name used on the command line (`json-lines`, not `JsonLines`).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|format| format.name() == s)
    }

    pub fn name(&self) -> &'static str {
        match self {
            OutputFormat::Full => "full",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::JsonLines => "json-lines",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
            OutputFormat::Gitlab => "gitlab",
        }
    }
}

impl std::fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Settings shared by all renderers.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Emit ANSI colours (only `full` and `concise` use colour).
    pub color: bool,
    /// `--unsafe-fixes` is on: unsafe fixes count as applicable (`[*]`).
    pub unsafe_fixes: bool,
    /// Printed as the tool version in SARIF.
    pub tool_version: String,
    /// Paths are printed relative to this directory when it is a prefix of them.
    pub cwd: Option<PathBuf>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            color: false,
            unsafe_fixes: false,
            // The workspace shares one version, so this crate's version is the tool's.
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            cwd: None,
        }
    }
}

/// Writes `diagnostics` to `out` in `format`. `rules` is every known rule (SARIF lists them all).
pub fn render(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    rules: &[RuleMeta],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::render(diagnostics, opts, out),
        OutputFormat::Concise => concise::render(diagnostics, opts, out),
        OutputFormat::Json => json::render(diagnostics, opts, out),
        OutputFormat::JsonLines => json_lines::render(diagnostics, opts, out),
        OutputFormat::Sarif => sarif::render(diagnostics, rules, opts, out),
        OutputFormat::Github => github::render(diagnostics, opts, out),
        OutputFormat::Gitlab => gitlab::render(diagnostics, opts, out),
    }
}

/// The path as printed: relative to `cwd` when under it, always with `/` separators so output
/// is identical on every platform.
pub(crate) fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let relative = cwd
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|rest| !rest.as_os_str().is_empty())
        .unwrap_or(path);
    let text = relative.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

impl RenderOptions {
    pub(crate) fn path_of(&self, diagnostic: &Diagnostic) -> String {
        display_path(diagnostic.file.path(), self.cwd.as_deref())
    }
}

/// The `[*]` marker, as in Ruff: the diagnostic has a fix that `--fix` would apply now (safe
/// fixes always, unsafe ones only with `--unsafe-fixes`).
pub(crate) fn is_fixable(diagnostic: &Diagnostic, unsafe_fixes: bool) -> bool {
    diagnostic
        .fix
        .as_ref()
        .is_some_and(|f| unsafe_fixes || f.applicability == Applicability::Safe)
}

pub(crate) fn applicability_name(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
    }
}

/// Wraps `text` in an ANSI style when colour is on.
pub(crate) struct Paint<'a> {
    style: anstyle::Style,
    text: &'a str,
    color: bool,
}

pub(crate) fn paint(style: anstyle::Style, text: &str, color: bool) -> Paint<'_> {
    Paint { style, text, color }
}

impl std::fmt::Display for Paint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.color {
            write!(f, "{}{}{:#}", self.style, self.text, self.style)
        } else {
            f.write_str(self.text)
        }
    }
}

pub(crate) mod styles {
    use anstyle::{AnsiColor, Style};

    pub(crate) const PATH: Style = Style::new().bold();
    pub(crate) const CODE: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
    pub(crate) const GUTTER: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));
    pub(crate) const UNDERLINE: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
    pub(crate) const HELP: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::display_path;

    #[test]
    fn paths_are_relative_to_cwd_when_under_it() {
        let cwd = Some(Path::new("/project"));
        assert_eq!(
            display_path(Path::new("/project/src/a.py"), cwd),
            "src/a.py"
        );
        assert_eq!(
            display_path(Path::new("/projectx/a.py"), cwd),
            "/projectx/a.py"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/a.py"), cwd),
            "/elsewhere/a.py"
        );
        assert_eq!(display_path(Path::new("src/a.py"), cwd), "src/a.py");
        assert_eq!(
            display_path(Path::new("/project/a.py"), None),
            "/project/a.py"
        );
    }
}
