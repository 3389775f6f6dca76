//! Line numbers on demand, without building a line index of the whole file.
//!
//! Phase 1 needs the line of each `noqa` comment and of each diagnostic it filters: a handful
//! per file, asked mostly in source order. Counting line breaks from the previous answer costs
//! one pass over the part of the file before the last question, with no allocation; building a
//! `LineIndex` for every file of a large project showed up in profiles. (The project summaries
//! keep offsets: phase 2 finds the lines of the few a message shows.)

use std::cell::Cell;

use ruff_text_size::TextSize;

/// Answers "which 1-based line is this offset on?" by counting line breaks (`\n`, `\r\n` and a
/// lone `\r`, as Python does) from the last offset asked.
#[derive(Debug)]
pub struct LineCounter<'s> {
    bytes: &'s [u8],
    has_cr: bool,
    /// The last offset answered, and its line.
    cursor: Cell<(usize, u32)>,
}

impl<'s> LineCounter<'s> {
    pub fn new(source: &'s str) -> Self {
        let bytes = source.as_bytes();
        Self {
            bytes,
            has_cr: memchr::memchr(b'\r', bytes).is_some(),
            cursor: Cell::new((0, 1)),
        }
    }

    /// The 1-based line of `offset` (clamped to the end of the source).
    pub fn line(&self, offset: TextSize) -> u32 {
        let target = usize::from(offset).min(self.bytes.len());
        let (mut from, mut line) = self.cursor.get();
        if target < from {
            // Back from the cursor when that is nearer than the start (a call's arguments
            // are visited before the call itself is recorded).
            if from - target < target {
                let breaks = self.count_breaks(target, from);
                let line = line.saturating_sub(u32::try_from(breaks).unwrap_or(u32::MAX));
                self.cursor.set((target, line));
                return line;
            }
            (from, line) = (0, 1);
        }
        let breaks = self.count_breaks(from, target);
        let line = line.saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
        self.cursor.set((target, line));
        line
    }

    /// Line breaks that end in `bytes[from..to]`: every `\n`, and every `\r` not followed by
    /// `\n` (a `\r\n` counts once, at its `\n`).
    fn count_breaks(&self, from: usize, to: usize) -> usize {
        let chunk = &self.bytes[from..to];
        let newlines = memchr::memchr_iter(b'\n', chunk).count();
        if !self.has_cr {
            return newlines;
        }
        let lone_cr = memchr::memchr_iter(b'\r', chunk)
            .filter(|&i| self.bytes.get(from + i + 1) != Some(&b'\n'))
            .count();
        newlines + lone_cr
    }
}

#[cfg(test)]
mod tests {
    use super::LineCounter;
    use ruff_source_file::LineIndex;
    use ruff_text_size::TextSize;

    /// Every offset, asked forwards, backwards and by jumps, agrees with `LineIndex`.
    #[test]
    fn agrees_with_line_index() {
        for source in [
            "",
            "a\nb\n\nc",
            "a\r\nb\r\n\r\nc\r\n",
            "a\rb\r\rc\n",
            "x = 1\r\ny = 2\rz = 3\n\r\n",
            "no newline at all",
        ] {
            let index = LineIndex::from_source_text(source);
            let expected = |o: usize| {
                u32::try_from(index.line_index(TextSize::try_from(o).unwrap()).get()).unwrap()
            };
            let counter = LineCounter::new(source);
            for o in 0..=source.len() {
                assert_eq!(
                    counter.line(TextSize::try_from(o).unwrap()),
                    expected(o),
                    "{source:?} @ {o}"
                );
            }
            for o in (0..=source.len()).rev() {
                assert_eq!(
                    counter.line(TextSize::try_from(o).unwrap()),
                    expected(o),
                    "{source:?} @ {o}"
                );
            }
            for o in (0..=source.len()).step_by(3).chain([1, 0, source.len()]) {
                let o = o.min(source.len());
                assert_eq!(
                    counter.line(TextSize::try_from(o).unwrap()),
                    expected(o),
                    "{source:?} @ {o}"
                );
            }
        }
    }
}
