//! The subset of INI that pytest's `iniconfig` reads: `[section]` headers, `key = value` or
//! `key: value`, indented continuation lines, `#`/`;` comment lines. Keys keep their case.

/// A parsed INI file: sections in file order, each with its `(key, value)` pairs in file order.
#[derive(Debug, Default)]
pub(crate) struct Ini {
    sections: Vec<(String, Vec<(String, String)>)>,
}

/// The line (1-based) that made the file unreadable.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct IniError {
    pub(crate) line: usize,
}

impl Ini {
    pub(crate) fn parse(text: &str) -> Result<Self, IniError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut ini = Self::default();
        // Whether the last entry of the last section can take continuation lines.
        let mut in_value = false;
        for (index, raw) in text.lines().enumerate() {
            let error = IniError { line: index + 1 };
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                continue;
            }
            if line.starts_with(char::is_whitespace) {
                // Continuation of the previous value.
                let Some((_, value)) = ini
                    .sections
                    .last_mut()
                    .and_then(|(_, entries)| entries.last_mut())
                    .filter(|_| in_value)
                else {
                    return Err(error);
                };
                value.push('\n');
                value.push_str(strip_inline_comment(trimmed));
                continue;
            }
            if let Some(header) = line.strip_prefix('[') {
                let header = strip_inline_comment(header);
                let name = header.strip_suffix(']').ok_or(error)?;
                ini.sections.push((name.trim().to_string(), Vec::new()));
                in_value = false;
                continue;
            }
            let (_, entries) = ini.sections.last_mut().ok_or(error)?;
            let split = line.find(['=', ':']).ok_or(IniError { line: index + 1 })?;
            let key = line[..split].trim();
            if key.is_empty() {
                return Err(IniError { line: index + 1 });
            }
            let value = strip_inline_comment(line[split + 1..].trim());
            entries.push((key.to_string(), value.to_string()));
            in_value = true;
        }
        Ok(ini)
    }

    pub(crate) fn has_section(&self, name: &str) -> bool {
        self.sections.iter().any(|(section, _)| section == name)
    }

    /// The last value of `key` in any section called `name` (later settings win).
    pub(crate) fn get(&self, name: &str, key: &str) -> Option<&str> {
        self.sections
            .iter()
            .filter(|(section, _)| section == name)
            .flat_map(|(_, entries)| entries)
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .next_back()
    }
}

/// `auto  # why` -> `auto`. iniconfig keeps such comments in the value, which pytest-asyncio
/// then rejects as a mode; reading what the user meant is more useful for a linter.
fn strip_inline_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if (b == b'#' || b == b';') && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return value[..i].trim_end();
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_keys_and_continuations() {
        let ini = Ini::parse(
            "# comment\n[pytest]\naddopts = -ra\n    --asyncio-mode=auto\n  # indented comment\n\
             \tmore\nasyncio_mode: strict  ; why\n\n[other]\nkey=value\n[pytest]\nlate = 1\n",
        )
        .unwrap();
        assert_eq!(
            ini.get("pytest", "addopts"),
            Some("-ra\n--asyncio-mode=auto\nmore")
        );
        assert_eq!(ini.get("pytest", "asyncio_mode"), Some("strict"));
        assert_eq!(ini.get("pytest", "late"), Some("1"));
        assert_eq!(ini.get("other", "key"), Some("value"));
        assert_eq!(ini.get("other", "missing"), None);
        assert!(ini.has_section("other"));
        assert!(!ini.has_section("tool:pytest"));
    }

    #[test]
    fn empty_values_and_crlf() {
        let ini = Ini::parse("[tool:pytest]\r\naddopts =\r\n  -q\r\nx =\r\n").unwrap();
        assert_eq!(ini.get("tool:pytest", "addopts"), Some("\n-q"));
        assert_eq!(ini.get("tool:pytest", "x"), Some(""));
    }

    #[test]
    fn broken_files() {
        assert_eq!(Ini::parse("key = 1\n").unwrap_err(), IniError { line: 1 });
        assert_eq!(Ini::parse("[pytest\n").unwrap_err(), IniError { line: 1 });
        assert_eq!(
            Ini::parse("[a]\nno separator\n").unwrap_err(),
            IniError { line: 2 }
        );
        assert_eq!(
            Ini::parse("[a]\n  orphan\n").unwrap_err(),
            IniError { line: 2 }
        );
        assert_eq!(Ini::parse("[a]\n= 1\n").unwrap_err(), IniError { line: 2 });
    }
}
