//! Turning a source line into what the `full` frame prints: tabs expanded, control characters
//! made visible, and very long lines cut to a window around the span.

use unicode_width::UnicodeWidthChar;

const TAB_WIDTH: usize = 4;
/// Lines wider than this are cut, so a 1 MB one-line file does not print 1 MB per diagnostic.
const MAX_LINE_WIDTH: usize = 200;
/// When a cut is needed, how many columns before the span stay visible.
const LEFT_CONTEXT: usize = 60;
const ELLIPSIS: &str = "...";

/// The range of display columns shown for every line of one frame. All lines share it so the
/// underline stays aligned with the text above it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    start: usize,
}

impl Window {
    /// A window showing the underline from `start_col` to `end_col` when it fits in
    /// `MAX_LINE_WIDTH`; otherwise one starting a little before the span.
    pub(super) fn around(start_col: usize, end_col: usize) -> Self {
        let start = if end_col <= MAX_LINE_WIDTH {
            0
        } else {
            start_col.saturating_sub(LEFT_CONTEXT)
        };
        Self { start }
    }

    fn end(self) -> usize {
        self.start + MAX_LINE_WIDTH
    }

    fn prefix_width(self) -> usize {
        if self.start > 0 { ELLIPSIS.len() } else { 0 }
    }

    /// Where display column `col` of a line is printed, clamped to the window.
    pub(super) fn to_visible(self, col: usize) -> usize {
        self.prefix_width() + col.clamp(self.start, self.end()) - self.start
    }
}

/// A line as printed.
pub(super) struct VisibleLine {
    pub(super) text: String,
    /// Printed width of the line's content, without a trailing `...`.
    pub(super) width: usize,
}

impl VisibleLine {
    pub(super) fn new(line: &str, window: Window) -> Self {
        let mut text = String::new();
        if window.start > 0 && !line.is_empty() {
            text.push_str(ELLIPSIS);
        }
        let mut col = 0;
        let mut cut_right = false;
        for ch in line.chars() {
            if col >= window.end() {
                cut_right = true;
                break;
            }
            let width = char_width(ch, col);
            if col >= window.start && col + width <= window.end() {
                push_visible(&mut text, ch, width);
            } else {
                // A tab or wide character straddling an edge: keep the columns aligned.
                let from = col.max(window.start);
                let to = (col + width).min(window.end());
                text.extend(std::iter::repeat_n(' ', to.saturating_sub(from)));
                cut_right |= col + width > window.end();
            }
            col += width;
        }
        let width = if line.is_empty() {
            0
        } else {
            window.to_visible(col)
        };
        if cut_right {
            text.push_str(ELLIPSIS);
        }
        Self { text, width }
    }
}

/// The display width of `line[..byte_end]` (all of it when `byte_end` is past the end).
pub(super) fn display_width(line: &str, byte_end: usize) -> usize {
    line.char_indices()
        .take_while(|(index, _)| *index < byte_end)
        .fold(0, |col, (_, ch)| col + char_width(ch, col))
}

/// Columns `ch` takes when printed at column `col`: tabs go to the next tab stop, control
/// characters are shown as one visible symbol.
fn char_width(ch: char, col: usize) -> usize {
    if ch == '\t' {
        TAB_WIDTH - col % TAB_WIDTH
    } else if ch.is_control() {
        1
    } else {
        ch.width().unwrap_or(0)
    }
}

fn push_visible(text: &mut String, ch: char, width: usize) {
    match ch {
        '\t' => text.extend(std::iter::repeat_n(' ', width)),
        // Raw control characters could move the cursor or inject terminal escapes: print the
        // Unicode "control picture" instead (U+2400 + code for C0, U+2421 for DEL).
        '\0'..='\x1f' => text.push(char::from_u32(0x2400 + u32::from(ch)).unwrap_or('\u{fffd}')),
        '\x7f' => text.push('\u{2421}'),
        ch if ch.is_control() => text.push('\u{fffd}'),
        ch => text.push(ch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_go_to_tab_stops() {
        assert_eq!(display_width("\tx", usize::MAX), 5);
        assert_eq!(display_width("ab\tx", 3), 4);
        assert_eq!(
            VisibleLine::new("ab\tx", Window::around(0, 1)).text,
            "ab  x"
        );
    }

    #[test]
    fn wide_and_control_characters() {
        assert_eq!(display_width("日本", usize::MAX), 4);
        assert_eq!(
            VisibleLine::new("a\x1b[31m", Window::around(0, 1)).text,
            "a\u{241b}[31m"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = "x".repeat(5000);
        let window = Window::around(3000, 3010);
        let visible = VisibleLine::new(&line, window);
        assert_eq!(visible.text.len(), MAX_LINE_WIDTH + 2 * ELLIPSIS.len());
        assert!(visible.text.starts_with("...x") && visible.text.ends_with("x..."));
        assert_eq!(window.to_visible(3000), ELLIPSIS.len() + LEFT_CONTEXT);

        let short = VisibleLine::new(&line, Window::around(10, 20));
        assert_eq!(short.text.len(), MAX_LINE_WIDTH + ELLIPSIS.len());
        assert!(short.text.ends_with("x..."));
    }
}
