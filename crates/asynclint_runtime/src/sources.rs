//! The source files that run-time events point into: read once, parsed once, and asked three
//! questions: where exactly a frame is, which catalogued blocking call (if any) sits there, and
//! whether a `# noqa` comment silences a code on a line.
//!
//! The blocking question reuses the static AIO100-AIO109 rules instead of a second catalog:
//! the function that contains the line is linted as if it were an `async def` (at run time it
//! did run on the event loop's thread, whatever its keyword), and a finding of one of those
//! rules at the frame's position names the call and its code.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use asynclint_diagnostics::{SourceFile, TextRange, TextSize};
use asynclint_linter::noqa::NoqaMap;
use asynclint_linter::{LinterSettings, Rule};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, PySourceType, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

/// The keyword inserted to lint a sync function as if it ran on the event loop.
const ASYNC_PREFIX: &str = "async ";

/// A catalogued blocking call found at a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingCall {
    pub code: &'static str,
    pub name: &'static str,
    /// How the static rule names the call: `time.sleep()`, `requests.get()`.
    pub call: String,
    /// The static rule's help line.
    pub help: Option<String>,
}

/// One readable, parseable source file.
pub struct Source {
    pub file: Arc<SourceFile>,
    functions: Vec<FunctionSpan>,
    calls: Vec<CallSpan>,
    noqa: NoqaMap,
    /// Lint results per enclosing function (by its start offset).
    blocking: FxHashMap<TextSize, Vec<Found>>,
}

#[derive(Debug, Clone, Copy)]
struct FunctionSpan {
    range: TextRange,
    def_keyword: TextSize,
    is_async: bool,
}

#[derive(Debug, Clone)]
struct CallSpan {
    range: TextRange,
    /// The last name of the callee: `sleep` for `time.sleep(...)`.
    name: Option<String>,
}

#[derive(Debug, Clone)]
struct Found {
    range: TextRange,
    call: BlockingCall,
}

/// Every source file the report touches, by absolute path.
#[derive(Default)]
pub struct Sources {
    files: FxHashMap<PathBuf, Option<Source>>,
    /// Placeholders for files that cannot be read (so diagnostics still carry a line).
    missing: FxHashMap<PathBuf, Arc<SourceFile>>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&mut self, path: &Path) -> Option<&mut Source> {
        self.files
            .entry(path.to_path_buf())
            .or_insert_with(|| Source::read(path))
            .as_mut()
    }

    /// The file to attach a diagnostic to: the real one, or (unreadable file) an empty text
    /// long enough for `line` to exist, so renderers still print `path:line`.
    pub fn file_for(&mut self, path: &Path, line: u32) -> Arc<SourceFile> {
        if let Some(source) = self.get(path) {
            return source.file.clone();
        }
        let file = self
            .missing
            .entry(path.to_path_buf())
            .or_insert_with(|| SourceFile::new(path, ""));
        if file.line_count() < line as usize {
            *file = SourceFile::new(path, "\n".repeat(line.saturating_sub(1) as usize));
        }
        file.clone()
    }

    /// The byte range a frame points at (a whole line, trimmed, when there is no position).
    pub fn range_of(&mut self, path: &Path, frame_line: u32, pos: Option<[u32; 4]>) -> TextRange {
        match self.get(path) {
            Some(source) => source.range_of(frame_line, pos),
            None => {
                let file = self.file_for(path, frame_line);
                file.line_range(frame_line as usize)
            }
        }
    }

    /// Is `code` silenced by `# noqa` on `line` (or by a file-level directive)?
    pub fn is_suppressed(&mut self, path: &Path, code: &str, line: usize) -> bool {
        self.get(path)
            .is_some_and(|source| source.noqa.is_suppressed(code, line))
    }
}

impl Source {
    fn read(path: &Path) -> Option<Self> {
        let bytes = std::fs::read(path).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        Some(Self::new(path, text))
    }

    pub fn new(path: &Path, text: String) -> Self {
        let parsed = ruff_python_parser::parse_unchecked_source(&text, PySourceType::Python);
        let mut collector = Collector {
            source: &text,
            functions: Vec::new(),
            calls: Vec::new(),
        };
        collector.visit_body(&parsed.syntax().body);
        let Collector {
            functions, calls, ..
        } = collector;
        let lines = asynclint_linter::lines::LineCounter::new(&text);
        let noqa = NoqaMap::from_tokens(parsed.tokens(), &text, &lines);
        Self {
            file: SourceFile::new(path, text),
            functions,
            calls,
            noqa,
            blocking: FxHashMap::default(),
        }
    }

    fn offset(&self, line: u32, column: u32) -> TextSize {
        let range = self.file.line_range(line as usize);
        let column = TextSize::from(column);
        (range.start() + column).min(range.end())
    }

    /// The frame's exact range (Python 3.11+ positions), else its line without indentation.
    pub fn range_of(&self, line: u32, pos: Option<[u32; 4]>) -> TextRange {
        if let Some([start_line, end_line, start_col, end_col]) = pos {
            let start = self.offset(start_line, start_col);
            let end = self.offset(end_line, end_col);
            if start <= end {
                return TextRange::new(start, end);
            }
        }
        self.line_range_trimmed(line)
    }

    fn line_range_trimmed(&self, line: u32) -> TextRange {
        let range = self.file.line_range(line as usize);
        let text = &self.file.text()[range];
        let leading = text.len() - text.trim_start().len();
        let trailing = text.len() - text.trim_end().len();
        let start = range.start() + TextSize::try_from(leading).unwrap_or_default();
        let end = range.end() - TextSize::try_from(trailing).unwrap_or_default();
        if start <= end {
            TextRange::new(start, end)
        } else {
            range
        }
    }

    /// The call on `line` that calls `name` (`notify` for `notify("ada")` or
    /// `self.notify(...)`), else the first call that starts on the line, else the line.
    pub fn call_on_line(&self, line: u32, name: Option<&str>) -> TextRange {
        let line_range = self.file.line_range(line as usize);
        let on_line = || {
            self.calls
                .iter()
                .filter(|call| line_range.contains_inclusive(call.range.start()))
        };
        if let Some(name) = name
            && let Some(call) = on_line().find(|call| call.name.as_deref() == Some(name))
        {
            return call.range;
        }
        on_line()
            .next()
            .map_or_else(|| self.line_range_trimmed(line), |call| call.range)
    }

    /// The source text of a range when it is short and on one line (for messages).
    pub fn snippet(&self, range: TextRange) -> Option<&str> {
        let text = self
            .file
            .text()
            .get(range.start().into()..range.end().into())?;
        (!text.is_empty() && text.len() <= 60 && !text.contains('\n')).then_some(text)
    }

    /// Is the innermost function around `offset` a plain `def`?
    pub fn in_sync_function(&self, offset: TextSize) -> bool {
        self.enclosing_function(offset)
            .is_some_and(|function| !function.is_async)
    }

    fn enclosing_function(&self, offset: TextSize) -> Option<FunctionSpan> {
        self.functions
            .iter()
            .filter(|function| function.range.contains(offset))
            .min_by_key(|function| function.range.len())
            .copied()
    }

    /// The catalogued blocking call at a frame, by the static AIO100-AIO109 rules.
    pub fn blocking_call_at(&mut self, line: u32, pos: Option<[u32; 4]>) -> Option<BlockingCall> {
        let range = self.range_of(line, pos);
        let function = self.enclosing_function(range.start())?;
        let found = self
            .blocking
            .entry(function.range.start())
            .or_insert_with(|| lint_as_async(&self.file, function));
        let line_range = self.file.line_range(line as usize);
        found
            .iter()
            .filter(|found| {
                if pos.is_some() {
                    found.range.contains_range(range) || range.contains_range(found.range)
                } else {
                    line_range.contains_inclusive(found.range.start())
                }
            })
            .min_by_key(|found| found.range.len())
            .map(|found| found.call.clone())
    }
}

/// The AIO100-AIO109 rules (direct blocking calls in async context).
fn blocking_rules() -> &'static LinterSettings {
    static SETTINGS: std::sync::OnceLock<LinterSettings> = std::sync::OnceLock::new();
    SETTINGS.get_or_init(|| {
        LinterSettings::for_rules(
            Rule::ALL
                .iter()
                .copied()
                .filter(|rule| is_direct_blocking_code(rule.code())),
        )
    })
}

/// AIO100-AIO109: the codes a blocking call seen at run time can carry.
pub fn is_direct_blocking_code(code: &str) -> bool {
    code.len() == 6 && code.starts_with("AIO10")
}

fn lint_as_async(file: &SourceFile, function: FunctionSpan) -> Vec<Found> {
    let text = file.text();
    let (source, shift) = if function.is_async {
        (text.to_string(), None)
    } else {
        let at = usize::from(function.def_keyword);
        let mut source = String::with_capacity(text.len() + ASYNC_PREFIX.len());
        source.push_str(&text[..at]);
        source.push_str(ASYNC_PREFIX);
        source.push_str(&text[at..]);
        (source, Some(function.def_keyword))
    };
    let inserted = TextSize::of(ASYNC_PREFIX);
    // A rule that panics on some library file must not cost the whole report.
    let lint = || asynclint_linter::lint_str(file.path(), &source, blocking_rules());
    let diagnostics =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(lint)).unwrap_or_default();
    diagnostics
        .into_iter()
        .filter(|diagnostic| is_direct_blocking_code(diagnostic.code))
        .map(|diagnostic| {
            // Back to offsets in the real file.
            let back = |offset: TextSize| match shift {
                Some(at) if offset >= at + inserted => offset - inserted,
                _ => offset,
            };
            let range =
                TextRange::new(back(diagnostic.range.start()), back(diagnostic.range.end()));
            Found {
                range,
                call: BlockingCall {
                    code: diagnostic.code,
                    name: diagnostic.name,
                    call: quoted(&diagnostic.message)
                        .unwrap_or("the call")
                        .to_string(),
                    help: diagnostic.help.clone(),
                },
            }
        })
        .collect()
}

/// The first `` `...` `` part of a message.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

struct Collector<'s> {
    source: &'s str,
    functions: Vec<FunctionSpan>,
    calls: Vec<CallSpan>,
}

impl<'a> Visitor<'a> for Collector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(function) = stmt {
            // `def` is the last word before the name (decorators and `async` come earlier).
            let before = &self.source[..usize::from(function.name.range().start())];
            let keyword = before.trim_end().len().saturating_sub("def".len());
            self.functions.push(FunctionSpan {
                range: function.range(),
                def_keyword: TextSize::try_from(keyword).unwrap_or_default(),
                is_async: function.is_async,
            });
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            let name = match call.func.as_ref() {
                Expr::Name(name) => Some(name.id.to_string()),
                Expr::Attribute(attribute) => Some(attribute.attr.id.to_string()),
                _ => None,
            };
            self.calls.push(CallSpan {
                range: call.range(),
                name,
            });
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source::new(Path::new("/project/app.py"), text.to_string())
    }

    #[test]
    fn a_sync_helper_is_linted_as_if_it_ran_on_the_loop() {
        let mut source = source(
            "import time\nfrom time import sleep as nap\n\n\ndef helper():\n    time.sleep(0.3)\n    nap(1)\n    total = sum(range(10))\n",
        );
        let found = source.blocking_call_at(6, Some([6, 6, 4, 19])).unwrap();
        assert_eq!(
            (found.code, found.call.as_str()),
            ("AIO100", "time.sleep()")
        );
        let by_line = source.blocking_call_at(7, None).unwrap();
        assert_eq!(by_line.code, "AIO100");
        assert_eq!(source.blocking_call_at(8, None), None);
        assert!(source.in_sync_function(source.range_of(6, None).start()));
    }

    #[test]
    fn a_decorated_one_line_function_keeps_its_columns() {
        let mut source = source(
            "import functools, subprocess\n\n@functools.cache\ndef f(): return subprocess.run(['ls'])\n",
        );
        let found = source.blocking_call_at(4, Some([4, 4, 16, 38])).unwrap();
        assert_eq!(found.code, "AIO102");
    }

    #[test]
    fn calls_on_a_line_prefer_the_named_callee() {
        let source = source("async def main():\n    log(notify('ada'))\n");
        let range = source.call_on_line(2, Some("notify"));
        assert_eq!(&source.file.text()[range], "notify('ada')");
        let range = source.call_on_line(2, None);
        assert_eq!(&source.file.text()[range], "log(notify('ada'))");
    }

    #[test]
    fn noqa_comments_are_read() {
        let mut sources = Sources::new();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, "x = 1  # noqa: AIO950\n").unwrap();
        assert!(sources.is_suppressed(&path, "AIO950", 1));
        assert!(!sources.is_suppressed(&path, "AIO951", 1));
        let missing = dir.path().join("missing.py");
        assert_eq!(
            sources
                .file_for(&missing, 3)
                .location(sources.range_of(&missing, 3, None).start())
                .row,
            3
        );
    }
}
