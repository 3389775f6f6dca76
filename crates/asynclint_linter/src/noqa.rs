//! `# noqa` suppression comments: `# noqa` (everything on the line), `# noqa: AIO100, AIO300`
//! (those codes), and the file-level `# asynclint: noqa` (optionally `: CODES`).
//!
//! Matching follows flake8/Ruff: case-insensitive `noqa`, codes separated by commas and/or
//! spaces. A diagnostic is suppressed by a comment on the line where it starts.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::{Ranged, TextSize};
use rustc_hash::FxHashMap;

/// What a `noqa` comment suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    All,
    Codes(Vec<String>),
}

impl Directive {
    pub fn suppresses(&self, code: &str) -> bool {
        match self {
            Self::All => true,
            Self::Codes(codes) => codes.iter().any(|c| c.eq_ignore_ascii_case(code)),
        }
    }
}

#[derive(Debug, Default)]
pub struct NoqaMap {
    /// 1-based line -> directive.
    lines: FxHashMap<usize, Directive>,
    file: Option<Directive>,
}

impl NoqaMap {
    pub fn from_tokens(tokens: &Tokens, source: &str, lines: &crate::lines::LineCounter) -> Self {
        let mut map = Self::default();
        // Every directive contains `noqa`: only the comments around its mentions are read
        // (walking every token of every file cost more than the rest of this map).
        let mut last = None;
        for at in noqa_mentions(source.as_bytes()) {
            let index = tokens.partition_point(|token| token.end() <= TextSize::from(at));
            let Some(token) = tokens.get(index) else {
                break;
            };
            if last == Some(index)
                || token.kind() != TokenKind::Comment
                || !token.range().contains(TextSize::from(at))
            {
                continue;
            }
            last = Some(index);
            let text = &source[token.range()];
            if let Some(directive) = parse_file_directive(text) {
                map.file = Some(match (map.file.take(), directive) {
                    (None, directive) => directive,
                    (Some(Directive::Codes(mut a)), Directive::Codes(b)) => {
                        a.extend(b);
                        Directive::Codes(a)
                    }
                    _ => Directive::All,
                });
                continue;
            }
            if let Some(directive) = parse_line_directive(text) {
                let line = lines.line(token.start()) as usize;
                map.lines.insert(line, directive);
            }
        }
        map
    }

    pub fn is_suppressed(&self, code: &str, line: usize) -> bool {
        if self.file.as_ref().is_some_and(|d| d.suppresses(code)) {
            return true;
        }
        self.lines.get(&line).is_some_and(|d| d.suppresses(code))
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.file.is_none()
    }

    pub fn file_directive(&self) -> Option<&Directive> {
        self.file.as_ref()
    }
}

/// Where `noqa` (in any case) starts in `bytes`: found by its rare `q`.
fn noqa_mentions(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    memchr::memchr2_iter(b'q', b'Q', bytes).filter_map(|i| {
        let found = i >= 2
            && bytes[i - 2].eq_ignore_ascii_case(&b'n')
            && bytes[i - 1].eq_ignore_ascii_case(&b'o')
            && bytes
                .get(i + 1)
                .is_some_and(|a| a.eq_ignore_ascii_case(&b'a'));
        found.then(|| u32::try_from(i - 2).ok()).flatten()
    })
}

/// `# asynclint: noqa` or `# asynclint: noqa: AIO100`.
fn parse_file_directive(comment: &str) -> Option<Directive> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = strip_prefix_ci(rest, "asynclint:")?.trim_start();
    let rest = strip_prefix_ci(rest, "noqa")?;
    Some(parse_codes(rest))
}

/// A `noqa` directive anywhere in the comment (`# type: ignore  # noqa: AIO100`).
fn parse_line_directive(comment: &str) -> Option<Directive> {
    let lower = comment.to_ascii_lowercase();
    let mut search = 0;
    while let Some(pos) = lower[search..].find("noqa") {
        let at = search + pos;
        // Must be introduced by `#` (with optional whitespace).
        let before = comment[..at].trim_end();
        if before.ends_with('#') {
            return Some(parse_codes(&comment[at + 4..]));
        }
        search = at + 4;
    }
    None
}

fn parse_codes(rest: &str) -> Directive {
    let Some(rest) = rest.trim_start().strip_prefix(':') else {
        return Directive::All;
    };
    let mut codes = Vec::new();
    for part in rest.split(|c: char| c == ',' || c.is_whitespace()) {
        if part.is_empty() {
            continue;
        }
        // A code is letters followed by digits (`AIO100`, `E501`).
        let letters = part.chars().take_while(char::is_ascii_alphabetic).count();
        let is_code = letters >= 1
            && part.len() > letters
            && part[letters..].chars().all(|c| c.is_ascii_digit());
        if is_code {
            codes.push(part.to_ascii_uppercase());
        } else {
            // Free text after the codes ends the list.
            break;
        }
    }
    if codes.is_empty() {
        Directive::All
    } else {
        Directive::Codes(codes)
    }
}

fn strip_prefix_ci<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noqa_mentions_any_case() {
        let at = |text: &[u8]| noqa_mentions(text).collect::<Vec<u32>>();
        assert_eq!(at(b"x = 1  # noqa"), [9]);
        assert_eq!(at(b"x = 1  # NoQA: AIO100 noqa"), [9, 22]);
        assert_eq!(at(b"# asynclint: NOQA"), [13]);
        assert!(at(b"queue = asyncio.Queue()  # no qa here").is_empty());
        assert!(at(b"qa").is_empty());
    }

    fn map_of(source: &str) -> NoqaMap {
        let parsed = ruff_python_parser::parse_module(source).expect("valid Python");
        NoqaMap::from_tokens(
            parsed.tokens(),
            source,
            &crate::lines::LineCounter::new(source),
        )
    }

    /// Only comments are directives (not strings that look like one), wherever `noqa`
    /// appears in the comment, and a comment that says `noqa` twice counts once.
    #[test]
    fn directives_from_comments_only() {
        let map = map_of(concat!(
            "x = '# noqa: AIO100'\n",
            "y = 1  # type: ignore  # noqa: AIO200 (noqa for the loop)\n",
            "z = 2  # NOQA\n",
            "s = \"\"\"\n# noqa\n\"\"\"\n",
            "# asynclint: noqa: AIO300\n",
        ));
        assert!(!map.is_suppressed("AIO100", 1));
        assert!(map.is_suppressed("AIO200", 2));
        assert!(!map.is_suppressed("AIO100", 2));
        assert!(map.is_suppressed("AIO100", 3));
        assert!(!map.is_suppressed("AIO100", 5));
        assert!(map.is_suppressed("AIO300", 1));
        assert_eq!(
            map.file_directive(),
            Some(&Directive::Codes(vec!["AIO300".into()]))
        );
        assert!(map_of("x = 1\n").is_empty());
    }

    #[test]
    fn line_directives() {
        assert_eq!(parse_line_directive("# noqa"), Some(Directive::All));
        assert_eq!(
            parse_line_directive("#noqa:AIO100"),
            Some(Directive::Codes(vec!["AIO100".into()]))
        );
        assert_eq!(
            parse_line_directive("# noqa: AIO100, aio300 because reasons"),
            Some(Directive::Codes(vec!["AIO100".into(), "AIO300".into()]))
        );
        assert_eq!(
            parse_line_directive("# type: ignore # noqa: AIO100"),
            Some(Directive::Codes(vec!["AIO100".into()]))
        );
        assert_eq!(parse_line_directive("# this is not a noqa comment"), None);
        assert_eq!(
            parse_file_directive("# asynclint: noqa"),
            Some(Directive::All)
        );
        assert_eq!(
            parse_file_directive("# asynclint: noqa: AIO1"),
            Some(Directive::Codes(vec!["AIO1".into()]))
        );
        assert_eq!(parse_file_directive("# noqa"), None);
    }
}
