use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
pub use toml::Spanned;

use crate::error::ConfigError;
use crate::python_version::{PythonVersion, expected_versions};

/// Values accepted by `output-format` (and `--output-format`).
pub const OUTPUT_FORMATS: &[&str] = &[
    "full",
    "concise",
    "json",
    "json-lines",
    "sarif",
    "github",
    "gitlab",
];

/// The `[tool.asynclint]` table of `pyproject.toml`, or the top level of `asynclint.toml` /
/// `.asynclint.toml`.
///
/// Every field is optional so the binary can tell "not set" from "set to the default" when it
/// layers command-line flags on top. Rule codes keep their spans because this crate does not know
/// the registry: the caller checks them and reports `file:line: unknown rule code` through
/// [`crate::ConfigFile::invalid`]. `target-version` and `output-format` are checked here.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    pub select: Option<Vec<Spanned<String>>>,
    pub extend_select: Option<Vec<Spanned<String>>>,
    pub ignore: Option<Vec<Spanned<String>>>,
    /// Glob -> codes.
    pub per_file_ignores: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    /// `py38` .. `py314`; checked when the file is loaded, see [`Options::target_version`].
    pub target_version: Option<Spanned<String>>,
    pub blocking_calls: Option<Vec<String>>,
    pub allowed_blocking_calls: Option<Vec<String>>,
    /// Functions that legitimately create clients.
    pub client_factories: Option<Vec<String>>,
    pub respect_gitignore: Option<bool>,
    /// One of [`OUTPUT_FORMATS`]; checked when the file is loaded.
    pub output_format: Option<Spanned<String>>,
    /// Project roots for module resolution, relative to the configuration file's directory
    /// (default `["."]`; the caller also detects `src`).
    pub src: Option<Vec<String>>,
    /// `false` switches cross-module analysis off, like `--no-project`.
    pub project: Option<bool>,
}

impl Options {
    /// Parses the text of an `asynclint.toml` (top-level options) and validates it. `path` is only
    /// used in errors.
    pub fn from_toml(path: &Path, text: &str) -> Result<Self, ConfigError> {
        crate::config_file::parse_table(path, text)?;
        let options: Self =
            toml::from_str(text).map_err(|err| ConfigError::from_toml(path, text, &err, false))?;
        options.validate(path, text)?;
        Ok(options)
    }

    /// The parsed `target-version`. Loading rejects bad values, so `None` means "not set" for
    /// options that came from [`crate::ConfigFile`] or [`Options::from_toml`].
    pub fn target_version(&self) -> Option<PythonVersion> {
        self.target_version
            .as_ref()
            .and_then(|v| PythonVersion::parse(v.get_ref()))
    }

    /// Checks the values this crate knows the meaning of; spans point into `text`.
    pub(crate) fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        self.check()
            .map_err(|(span, message)| ConfigError::invalid_at(path, text, span, message))
    }

    fn check(&self) -> Result<(), (Range<usize>, String)> {
        if let Some(version) = &self.target_version
            && PythonVersion::parse(version.get_ref()).is_none()
        {
            return Err((
                version.span(),
                format!(
                    "invalid `target-version` value \"{}\": expected one of {}",
                    version.get_ref(),
                    expected_versions()
                ),
            ));
        }
        if let Some(format) = &self.output_format
            && !OUTPUT_FORMATS.contains(&format.get_ref().as_str())
        {
            return Err((
                format.span(),
                format!(
                    "invalid `output-format` value \"{}\": expected one of {}",
                    format.get_ref(),
                    OUTPUT_FORMATS.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Options, ConfigError> {
        Options::from_toml(Path::new("asynclint.toml"), text)
    }

    #[test]
    fn every_key() {
        let text = r#"
select = ["AIO1", "AIO300"]
extend-select = ["AIO807"]
ignore = ["AIO706"]
exclude = ["build"]
extend-exclude = ["gen/*.py"]
target-version = "py311"
blocking-calls = ["mylib.fetch"]
allowed-blocking-calls = ["time.sleep"]
client-factories = ["app.make_client"]
respect-gitignore = false
output-format = "json-lines"
src = [".", "lib"]
project = false

[per-file-ignores]
"tests/*.py" = ["AIO706", "AIO700"]
"#;
        let options = parse(text).unwrap();
        let codes: Vec<&str> = options
            .select
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| c.get_ref().as_str())
            .collect();
        assert_eq!(codes, ["AIO1", "AIO300"]);
        let first = &options.select.as_ref().unwrap()[0];
        assert_eq!(&text[first.span()], "\"AIO1\"");
        assert_eq!(options.target_version(), Some(PythonVersion::Py311));
        assert_eq!(
            options.output_format.as_ref().unwrap().get_ref(),
            "json-lines"
        );
        assert_eq!(options.respect_gitignore, Some(false));
        assert_eq!(options.project, Some(false));
        assert_eq!(
            options.src.as_deref(),
            Some(&[".".to_string(), "lib".to_string()][..])
        );
        let ignores = options.per_file_ignores.as_ref().unwrap();
        assert_eq!(ignores["tests/*.py"].len(), 2);
        assert_eq!(
            options.extend_exclude.as_deref(),
            Some(&["gen/*.py".to_string()][..])
        );
    }

    #[test]
    fn empty_file_is_all_unset() {
        assert_eq!(parse("").unwrap(), Options::default());
    }

    #[test]
    fn unknown_key_names_line_and_valid_keys() {
        let err = parse("select = [\"AIO100\"]\n\nselekt = []\n").unwrap_err();
        let ConfigError::Invalid {
            line,
            column,
            message,
            ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!((*line, *column), (3, 1));
        assert!(message.contains("unknown key `selekt`"), "{message}");
        assert!(message.contains("extend-select"), "{message}");
        assert!(message.contains("per-file-ignores"), "{message}");
        assert!(err.to_string().starts_with("asynclint.toml:3:1: "), "{err}");
    }

    #[test]
    fn wrong_type_points_at_value() {
        let err = parse("\nignore = \"AIO100\"\n").unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    line: 2,
                    column: 10,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn bad_target_version_points_at_value() {
        let err = parse("select = []\ntarget-version = \"py37\"\n").unwrap_err();
        let ConfigError::Invalid {
            line,
            column,
            message,
            ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!((*line, *column), (2, 18));
        assert!(
            message.contains("py37") && message.contains("py38, py39"),
            "{message}"
        );
    }

    #[test]
    fn bad_output_format_points_at_value() {
        let err = parse("output-format = \"xml\"\n").unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    line: 1,
                    column: 17,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("full, concise, json"), "{err}");
    }

    #[test]
    fn syntax_error_is_parse_error() {
        let err = parse("select = [\"AIO100\"]\nignore = [\n").unwrap_err();
        assert!(matches!(err, ConfigError::Parse { line: 3, .. }), "{err:?}");
        let err = parse("a = 1\nb = = 2\n").unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Parse {
                    line: 2,
                    column: 5,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.to_string().contains('\n'), "{err}");
    }
}
