use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a configuration file could not be used.
///
/// `Display` is `path:line:column: message` (both 1-based, see [`line_col`]) so the binary can print
/// it as is; [`ConfigError::Io`] has no position and prints `path: error`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The file is not valid TOML.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid TOML, but not a valid configuration: unknown key, wrong type, bad value.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl ConfigError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. } | Self::Parse { path, .. } | Self::Invalid { path, .. } => path,
        }
    }

    /// `(line, column)`, 1-based, when the error has a position.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            Self::Io { .. } => None,
            Self::Parse { line, column, .. } | Self::Invalid { line, column, .. } => {
                Some((*line, *column))
            }
        }
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn invalid_at(path: &Path, text: &str, span: Range<usize>, message: String) -> Self {
        let (line, column) = line_col(text, span.start);
        Self::Invalid {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    }

    pub(crate) fn from_toml(path: &Path, text: &str, err: &toml::de::Error, syntax: bool) -> Self {
        let (line, column) = err.span().map_or((1, 1), |span| line_col(text, span.start));
        let message = if syntax {
            one_line(err.message())
        } else {
            in_toml_terms(&one_line(err.message()))
        };
        let path = path.to_path_buf();
        if syntax {
            Self::Parse {
                path,
                line,
                column,
                message,
            }
        } else {
            Self::Invalid {
                path,
                line,
                column,
                message,
            }
        }
    }
}

/// toml_edit puts the "expected ..." part of a syntax error on a second line; the binary prints one
/// line per error.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// serde speaks of fields, sequences and maps; users wrote keys, arrays and tables.
fn in_toml_terms(message: &str) -> String {
    const REPLACEMENTS: [(&str, &str); 5] = [
        ("unknown field ", "unknown key "),
        ("expected a sequence", "expected an array"),
        ("invalid type: sequence,", "invalid type: array,"),
        ("invalid type: map,", "invalid type: table,"),
        ("expected struct Options", "expected a table"),
    ];
    REPLACEMENTS
        .iter()
        .fold(message.to_string(), |message, (from, to)| {
            message.replace(from, to)
        })
}

/// 1-based `(line, column)` of a byte offset in `text`.
///
/// The column counts Unicode scalar values (characters), not bytes, as editors do. An offset past
/// the end or inside a multi-byte character is moved back to the nearest character boundary.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nbé = 2\r\nc = 3";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (1, 5));
        assert_eq!(line_col(text, 6), (2, 1));
        // `é` is two bytes but one column.
        assert_eq!(line_col(text, 9), (2, 3));
        assert_eq!(line_col(text, 15), (3, 1));
        assert_eq!(line_col(text, 1000), (3, 6));
        // Inside `é`: moved back to its start.
        assert_eq!(line_col(text, 8), (2, 2));
    }

    #[test]
    fn display_is_path_line_column_message() {
        let err = ConfigError::Invalid {
            path: PathBuf::from("pyproject.toml"),
            line: 3,
            column: 1,
            message: "unknown field `foo`".to_string(),
        };
        assert_eq!(err.to_string(), "pyproject.toml:3:1: unknown field `foo`");
        assert_eq!(err.location(), Some((3, 1)));
        assert_eq!(err.path(), Path::new("pyproject.toml"));
    }

    #[test]
    fn serde_wording_becomes_toml_wording() {
        assert_eq!(
            in_toml_terms("invalid type: string \"x\", expected a sequence"),
            "invalid type: string \"x\", expected an array"
        );
        assert_eq!(
            in_toml_terms("unknown field `x`, expected `y`"),
            "unknown key `x`, expected `y`"
        );
    }

    #[test]
    fn multi_line_messages_are_joined() {
        assert_eq!(
            one_line("invalid table header\nexpected `.`, `]`\n"),
            "invalid table header, expected `.`, `]`"
        );
    }
}
