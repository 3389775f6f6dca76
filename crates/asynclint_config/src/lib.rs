//! Reading and discovering asynclint configuration: `[tool.asynclint]` options, the target Python
//! version and the pytest settings the test rules depend on.
//!
//! This crate knows nothing about rules: rule codes come back with their spans and the caller
//! reports unknown ones with [`ConfigFile::invalid`]. Errors carry the file, line and column.

mod config_file;
mod error;
mod ini;
mod options;
mod pytest;
mod python_version;

pub use config_file::{
    CONFIG_FILE_NAMES, ConfigFile, ProjectRootFinder, find_config, find_project_root,
    read_requires_python, resolve_target_version,
};
pub use error::{ConfigError, line_col};
pub use options::{OUTPUT_FORMATS, Options, Spanned};
pub use pytest::{PytestConfig, find_coroutine_test_runner, find_pytest_config};
pub use python_version::{ParsePythonVersionError, PythonVersion, target_from_requires_python};
