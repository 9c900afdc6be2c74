//! Invariant helpers shared by the fuzz targets.
//!
//! A location is a 1-based line: at least 1 and at most the number of lines
//! of the text (as `str::lines` counts them; an empty text has line 1).

use std::sync::OnceLock;

/// The fuzz input as the audit would see a file: invalid UTF-8 replaced, as
/// `facts::text::read_text` does.
pub fn lossy(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Lines of raw bytes, as `str::lines` would count them after a lossy
/// decode, at least 1.
pub fn line_count_bytes(bytes: &[u8]) -> u32 {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count();
    let trailing = !bytes.is_empty() && bytes.last() != Some(&b'\n');
    ((newlines + usize::from(trailing)) as u32).max(1)
}

/// Whether `Lines::assert_on` checks the line's text, not only its range.
/// `FUZZ_RANGE_ONLY=1` turns the text check off, to fuzz past a known
/// line-drift bug while it is being fixed.
pub fn exact_lines() -> bool {
    static EXACT: OnceLock<bool> = OnceLock::new();
    *EXACT.get_or_init(|| {
        std::env::var_os("FUZZ_RANGE_ONLY").is_none_or(|v| v.is_empty() || v == "0")
    })
}

/// The lines of a text, split once, for checking reported locations.
pub struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        Lines {
            lines: text.lines().collect(),
        }
    }

    /// Lines as `str::lines` counts them, at least 1.
    pub fn count(&self) -> u32 {
        (self.lines.len() as u32).max(1)
    }

    /// The text of a 1-based line.
    pub fn get(&self, line: u32) -> Option<&'a str> {
        self.lines.get(line.checked_sub(1)? as usize).copied()
    }

    /// `1 ≤ line ≤ count()`.
    #[track_caller]
    pub fn assert_in(&self, what: &dyn std::fmt::Display, line: u32) {
        let max = self.count();
        assert!(
            line >= 1 && line <= max,
            "{what}: line {line} outside 1..={max}"
        );
    }

    /// `needle` is written on `line` (for what cannot span lines:
    /// identifiers, punctuation, keys). Only the range with
    /// `FUZZ_RANGE_ONLY=1`.
    #[track_caller]
    pub fn assert_on(&self, what: &dyn std::fmt::Display, needle: &str, line: u32) {
        self.assert_in(what, line);
        if !exact_lines() {
            return;
        }
        let written = self.get(line).unwrap_or("");
        assert!(
            written.contains(needle),
            "{what}: `{needle}` reported on line {line}, which reads {written:?}"
        );
    }
}
