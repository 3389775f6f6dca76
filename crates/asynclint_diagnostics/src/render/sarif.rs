//! `sarif`: SARIF 2.1.0, read by GitHub code scanning and most CI dashboards.
//!
//! The output holds no timestamps or absolute machine paths (unless the input paths are
//! absolute), so two runs on the same code give the same bytes.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{RenderOptions, display_path};
use crate::{Diagnostic, Fix, RuleMeta, Severity, TextRange};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://asynclint.dev";
/// The syntax-error pseudo-rule: a file that does not parse is an error, not a warning.
const SYNTAX_ERROR_CODE: &str = "AIO001";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// Our columns count characters, not SARIF's default UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    information_uri: &'static str,
    version: &'a str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    full_description: Text<'static>,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [ResultLocation; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize, Clone)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

pub(super) fn render(
    diagnostics: &[Diagnostic],
    rules: &[RuleMeta],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rule_index = HashMap::new();
    for (index, rule) in rules.iter().enumerate() {
        rule_index.entry(rule.code).or_insert(index);
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "asynclint",
                    information_uri: INFORMATION_URI,
                    version: &opts.tool_version,
                    rules: rules.iter().map(sarif_rule).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results: diagnostics
                .iter()
                .map(|d| sarif_result(d, rule_index.get(d.code).copied(), opts))
                .collect(),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn sarif_rule(rule: &RuleMeta) -> Rule {
    let level = if rule.code == SYNTAX_ERROR_CODE {
        "error"
    } else {
        "warning"
    };
    Rule {
        id: rule.code,
        name: rule.name,
        short_description: Text { text: rule.summary },
        full_description: Text { text: rule.docs },
        help: Help {
            text: rule.docs,
            markdown: rule.docs,
        },
        help_uri: rule.url(),
        default_configuration: Configuration { level },
    }
}

fn sarif_result<'a>(
    diagnostic: &'a Diagnostic,
    rule_index: Option<usize>,
    opts: &RenderOptions,
) -> SarifResult<'a> {
    let artifact_location = ArtifactLocation {
        uri: path_to_uri(&display_path(diagnostic.file.path(), opts.cwd.as_deref())),
    };
    SarifResult {
        rule_id: diagnostic.code,
        rule_index,
        level: match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: Text {
            text: &diagnostic.message,
        },
        fixes: diagnostic
            .fix
            .iter()
            .map(|fix| sarif_fix(diagnostic, fix, artifact_location.clone()))
            .collect(),
        locations: [ResultLocation {
            physical_location: PhysicalLocation {
                artifact_location,
                region: region(diagnostic, diagnostic.range),
            },
        }],
    }
}

fn sarif_fix<'a>(
    diagnostic: &Diagnostic,
    fix: &'a Fix,
    artifact_location: ArtifactLocation,
) -> SarifFix<'a> {
    SarifFix {
        description: Text { text: &fix.message },
        artifact_changes: [ArtifactChange {
            artifact_location,
            replacements: fix
                .edits
                .iter()
                .map(|edit| Replacement {
                    deleted_region: region(diagnostic, edit.range),
                    inserted_content: Text {
                        text: &edit.content,
                    },
                })
                .collect(),
        }],
    }
}

fn region(diagnostic: &Diagnostic, range: TextRange) -> Region {
    let start = diagnostic.file.location(range.start());
    let end = diagnostic.file.location(range.end());
    Region {
        start_line: start.row,
        start_column: start.column,
        end_line: end.row,
        end_column: end.column,
    }
}

/// A display path (with `/` separators) as a URI reference: relative paths stay relative (code
/// scanning resolves them against the repository root), absolute ones become `file://` URIs.
fn path_to_uri(path: &str) -> String {
    let is_drive =
        |p: &str| p.len() >= 3 && p.as_bytes()[0].is_ascii_alphabetic() && &p[1..3] == ":/";
    if path.starts_with('/') {
        format!("file://{}", percent_encode(path, true))
    } else if is_drive(path) {
        format!("file:///{}", percent_encode(path, true))
    } else {
        // A `:` in the first segment of a relative reference would read as a scheme.
        percent_encode(path, false)
    }
}

fn percent_encode(path: &str, allow_colon: bool) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&byte)
            || (allow_colon && byte == b':');
        if keep {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::path_to_uri;

    #[test]
    fn uris() {
        assert_eq!(path_to_uri("src/app.py"), "src/app.py");
        assert_eq!(path_to_uri("my dir/ä.py"), "my%20dir/%C3%A4.py");
        assert_eq!(path_to_uri("a:b.py"), "a%3Ab.py");
        assert_eq!(path_to_uri("/home/x/app.py"), "file:///home/x/app.py");
        assert_eq!(path_to_uri("C:/x/app.py"), "file:///C:/x/app.py");
        assert_eq!(path_to_uri("50%.py"), "50%25.py");
    }
}
