use std::fmt;
use std::str::FromStr;

/// A Python 3 minor version the rules can target (`--target-version`, `target-version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum PythonVersion {
    Py38,
    /// The fallback when nothing says otherwise (see RULES.md, AIO8xx).
    #[default]
    Py39,
    Py310,
    Py311,
    Py312,
    Py313,
    Py314,
}

impl PythonVersion {
    /// Every supported version, oldest first.
    pub const ALL: [Self; 7] = [
        Self::Py38,
        Self::Py39,
        Self::Py310,
        Self::Py311,
        Self::Py312,
        Self::Py313,
        Self::Py314,
    ];
    pub const OLDEST: Self = Self::Py38;
    pub const LATEST: Self = Self::Py314;

    /// Parses the configuration spelling, `py38` .. `py314` (lowercase, as Ruff spells it).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The version `3.minor`, if supported.
    pub fn from_minor(minor: u32) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|v| u32::from(v.minor()) == minor)
    }

    /// The configuration spelling: `py311`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Py38 => "py38",
            Self::Py39 => "py39",
            Self::Py310 => "py310",
            Self::Py311 => "py311",
            Self::Py312 => "py312",
            Self::Py313 => "py313",
            Self::Py314 => "py314",
        }
    }

    pub const fn major(self) -> u8 {
        3
    }

    pub const fn minor(self) -> u8 {
        match self {
            Self::Py38 => 8,
            Self::Py39 => 9,
            Self::Py310 => 10,
            Self::Py311 => 11,
            Self::Py312 => 12,
            Self::Py313 => 13,
            Self::Py314 => 14,
        }
    }
}

/// `3.11`, the spelling users see in messages ("requires Python >= 3.11").
impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major(), self.minor())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid target version `{0}`: expected one of {list}", list = expected_versions())]
pub struct ParsePythonVersionError(pub String);

/// `py38, py39, ..., py314`, for error messages.
pub(crate) fn expected_versions() -> String {
    PythonVersion::ALL
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for PythonVersion {
    type Err = ParsePythonVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| ParsePythonVersionError(s.to_string()))
    }
}

/// The oldest Python a PEP 440 `requires-python` specifier allows, as a target version.
///
/// Only lower bounds count (`>=`, `>`, `~=`, `==`, `===`); with several, the highest wins. A
/// bound below 3.8 gives [`PythonVersion::OLDEST`] and one above 3.14 gives
/// [`PythonVersion::LATEST`]. `>3.8` means 3.9: nobody writes it to allow 3.8.1. Returns `None`
/// when the specifier does not parse or has no lower bound (`<4`).
pub fn target_from_requires_python(spec: &str) -> Option<PythonVersion> {
    let mut lowest: Option<(u32, u32)> = None;
    let mut clauses = 0;
    for clause in spec.split(',') {
        let clause = clause.trim();
        if clause.is_empty() {
            return None;
        }
        clauses += 1;
        let bound = lower_bound(clause)?;
        if let Some(bound) = bound {
            lowest = Some(lowest.map_or(bound, |current| current.max(bound)));
        }
    }
    if clauses == 0 {
        return None;
    }
    let (major, minor) = lowest?;
    match major {
        0..=2 => Some(PythonVersion::OLDEST),
        3 => Some(PythonVersion::from_minor(minor).unwrap_or(if minor < 8 {
            PythonVersion::OLDEST
        } else {
            PythonVersion::LATEST
        })),
        _ => None,
    }
}

/// `None` if the clause does not parse, `Some(None)` if it parses but sets no lower bound.
fn lower_bound(clause: &str) -> Option<Option<(u32, u32)>> {
    const OPERATORS: [&str; 8] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];
    let op = OPERATORS.into_iter().find(|op| clause.starts_with(op))?;
    let version = parse_version(clause[op.len()..].trim())?;
    if version.wildcard && !matches!(op, "==" | "!=") {
        return None;
    }
    let major = version.release[0];
    let minor = version.release.get(1).copied().unwrap_or(0);
    Some(match op {
        ">=" | "==" | "===" => Some((major, minor)),
        "~=" if version.release.len() >= 2 => Some((major, minor)),
        "~=" => return None,
        // `>3.8` allows 3.8.1 in theory; in practice it means "3.9 and newer".
        ">" if version.release.len() == 1 => Some((major + 1, 0)),
        ">" if version.release.len() == 2 && version.plain => Some((major, minor + 1)),
        ">" => Some((major, minor)),
        _ => None,
    })
}

struct Version {
    release: Vec<u32>,
    /// Ends with `.*`.
    wildcard: bool,
    /// No pre/post/dev/local suffix.
    plain: bool,
}

/// Enough of PEP 440 to read a release number: `3.10`, `v3.10.0`, `3.12.*`, `3.13.0rc1`,
/// `3.8.post1`, `3.9+local`.
fn parse_version(text: &str) -> Option<Version> {
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    if text.contains('!') {
        // Epochs: valid PEP 440, never used for Python itself.
        return None;
    }
    let mut release = Vec::new();
    let mut rest = text;
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        release.push(rest[..digits].parse().ok()?);
        rest = &rest[digits..];
        match rest.strip_prefix('.') {
            Some(after) if after.starts_with(|c: char| c.is_ascii_digit()) => rest = after,
            _ => break,
        }
    }
    if rest == ".*" {
        return Some(Version {
            release,
            wildcard: true,
            plain: true,
        });
    }
    let suffix_ok = rest.is_empty()
        || (rest.starts_with([
            'a', 'b', 'c', 'r', 'p', 'd', 'A', 'B', 'C', 'R', 'P', 'D', '.', '-', '_', '+',
        ]) && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')));
    suffix_ok.then_some(Version {
        release,
        wildcard: false,
        plain: rest.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_order() {
        assert_eq!(PythonVersion::parse("py311"), Some(PythonVersion::Py311));
        assert_eq!(PythonVersion::parse("py38"), Some(PythonVersion::Py38));
        assert_eq!(PythonVersion::parse("py314"), Some(PythonVersion::Py314));
        assert_eq!(PythonVersion::parse("py37"), None);
        assert_eq!(PythonVersion::parse("py315"), None);
        assert_eq!(PythonVersion::parse("3.11"), None);
        assert_eq!(PythonVersion::parse("PY311"), None);
        assert_eq!(PythonVersion::Py311.to_string(), "3.11");
        assert_eq!(PythonVersion::Py38.to_string(), "3.8");
        assert_eq!(PythonVersion::Py314.minor(), 14);
        assert!(PythonVersion::Py39 < PythonVersion::Py310);
        assert_eq!(PythonVersion::default(), PythonVersion::Py39);
        assert_eq!("py312".parse::<PythonVersion>(), Ok(PythonVersion::Py312));
        let err = "py2".parse::<PythonVersion>().unwrap_err().to_string();
        assert!(err.contains("py38, py39, py310"), "{err}");
        for v in PythonVersion::ALL {
            assert_eq!(PythonVersion::parse(v.as_str()), Some(v));
            assert_eq!(PythonVersion::from_minor(v.minor().into()), Some(v));
        }
    }

    #[test]
    fn requires_python_lower_bound() {
        use PythonVersion::*;
        let cases: &[(&str, Option<PythonVersion>)] = &[
            (">=3.10", Some(Py310)),
            (">= 3.10", Some(Py310)),
            (">=3.9,<4", Some(Py39)),
            (">=3.9, <4.0", Some(Py39)),
            ("<4,>=3.11", Some(Py311)),
            ("~=3.11", Some(Py311)),
            ("~=3.11.2", Some(Py311)),
            ("==3.12.*", Some(Py312)),
            ("==3.12", Some(Py312)),
            ("===3.13", Some(Py313)),
            (">3.8", Some(Py39)),
            (">3.8.1", Some(Py38)),
            (">=3.10.0", Some(Py310)),
            (">=3.10.0rc1", Some(Py310)),
            (">=3.11.post1", Some(Py311)),
            (">=v3.12", Some(Py312)),
            (">=3.8,>=3.11", Some(Py311)),
            (">=3.10,!=3.10.1", Some(Py310)),
            // Clamped to the supported range.
            (">=3.6", Some(Py38)),
            (">=2.7", Some(Py38)),
            ("==3.*", Some(Py38)),
            (">=3.15", Some(Py314)),
            (">=3.20", Some(Py314)),
            // No lower bound.
            ("<4", None),
            ("!=3.9.*", None),
            ("<=3.12", None),
            // Not PEP 440.
            ("", None),
            ("   ", None),
            ("3.10", None),
            ("^3.10", None),
            (">=", None),
            (">=three", None),
            (">=3.10,", None),
            (">=3.10,,<4", None),
            (">=3.10.*", None),
            ("~=3", None),
            (">=3.10 garbage", None),
            (">=4", None),
            (">=1!3.10", None),
        ];
        for (spec, expected) in cases {
            assert_eq!(
                target_from_requires_python(spec),
                *expected,
                "spec {spec:?}"
            );
        }
    }
}
