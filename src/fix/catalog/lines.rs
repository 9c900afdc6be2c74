//! Line-based edits of indentation-structured text (YAML, shell): the
//! parsers say which lines hold what, these helpers change those lines and
//! keep every other byte — comments, blank lines, quoting, line endings.

use std::collections::BTreeMap;

/// The lines of a text, 1-based like the parsers' line numbers.
pub struct Text<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Text<'a> {
        Text {
            lines: text
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect(),
        }
    }

    pub fn line(&self, n: u32) -> Option<&'a str> {
        self.lines.get((n as usize).checked_sub(1)?).copied()
    }

    pub fn len(&self) -> u32 {
        u32::try_from(self.lines.len()).unwrap_or(u32::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The last line of the block whose key is on line `n`: the lines after
    /// it indented deeper (blank and comment lines inside count, those
    /// trailing it do not). `n` itself when nothing is nested under it.
    pub fn block_end(&self, n: u32) -> u32 {
        let Some(key) = self.line(n) else { return n };
        let base = indent(key);
        let mut end = n;
        for i in n + 1..=self.len() {
            let Some(l) = self.line(i) else { break };
            if is_blank_or_comment(l) {
                continue;
            }
            if indent(l) <= base {
                break;
            }
            end = i;
        }
        end
    }

    /// The indentation of what is nested under the key on line `n`, when
    /// something is.
    pub fn child_indent(&self, n: u32) -> Option<usize> {
        let base = indent(self.line(n)?);
        (n + 1..=self.len())
            .filter_map(|i| self.line(i))
            .find(|l| !is_blank_or_comment(l))
            .map(indent)
            .filter(|i| *i > base)
    }

    /// The nearest line above `n` (not `n` itself) that is less indented
    /// than it and holds `key:`: the key a nested line belongs to.
    pub fn parent_key(&self, n: u32, key: &str) -> Option<u32> {
        let own = indent(self.line(n)?);
        (1..n).rev().find(|i| {
            self.line(*i).is_some_and(|l| {
                !is_blank_or_comment(l) && indent(l) < own && {
                    let t = l.trim_start().trim_start_matches("- ");
                    t.strip_prefix(key)
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                }
            })
        })
    }
}

pub fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

pub fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The value after `key:` on a line, without a trailing comment; `None`
/// when the line holds no such key.
pub fn value_after_key<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let t = line.trim_start().trim_start_matches("- ");
    let t = t
        .strip_prefix(key)
        .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
        .or_else(|| t.strip_prefix(&format!("'{key}'")))?;
    let rest = t.trim_start().strip_prefix(':')?;
    Some(strip_comment(rest).trim())
}

/// A line without its trailing ` # comment` (outside quotes).
pub fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return line[..i].trim_end(),
            None => {}
        }
        prev = c;
    }
    line
}

/// Edits by line number, applied together so no edit shifts another's
/// numbers.
#[derive(Default)]
pub struct LineEdits {
    replace: BTreeMap<u32, Vec<String>>,
    insert_after: BTreeMap<u32, Vec<String>>,
}

impl LineEdits {
    pub fn replace(&mut self, line: u32, with: Vec<String>) {
        self.replace.insert(line, with);
    }

    pub fn insert_after(&mut self, line: u32, lines: Vec<String>) {
        self.insert_after.entry(line).or_default().extend(lines);
    }

    pub fn is_empty(&self) -> bool {
        self.replace.is_empty() && self.insert_after.is_empty()
    }

    /// The text with the edits, keeping its line ending (LF or CRLF) and
    /// whether it ended in one.
    pub fn apply(&self, text: &str) -> String {
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let t = Text::new(text);
        let mut out: Vec<String> = Vec::with_capacity(t.lines.len());
        for (i, line) in t.lines.iter().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            match self.replace.get(&n) {
                Some(with) => out.extend(with.iter().cloned()),
                None => out.push((*line).to_string()),
            }
            if let Some(more) = self.insert_after.get(&n) {
                out.extend(more.iter().cloned());
            }
        }
        out.join(eol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPOSE: &str = "services:\n  web:\n    build: .\n    # waits\n    depends_on:\n      - db\n\n  # the database\n  db:\n    image: postgres:17\n";

    #[test]
    fn blocks_end_before_trailing_comments() {
        let t = Text::new(COMPOSE);
        assert_eq!(t.block_end(2), 6, "web ends at `- db`, not at the comment");
        assert_eq!(t.block_end(9), 10);
        assert_eq!(t.block_end(10), 10);
        assert_eq!(t.child_indent(2), Some(4));
        assert_eq!(t.child_indent(10), None);
        assert_eq!(t.parent_key(6, "depends_on"), Some(5));
    }

    #[test]
    fn edits_keep_the_rest_and_the_line_ending() {
        let mut e = LineEdits::default();
        e.replace(6, vec!["      db:".into(), "        condition: x".into()]);
        e.insert_after(10, vec!["    healthcheck: {}".into()]);
        let out = e.apply(&COMPOSE.replace('\n', "\r\n"));
        assert!(out.contains("    # waits\r\n"), "{out:?}");
        assert!(
            out.ends_with("postgres:17\r\n    healthcheck: {}\r\n"),
            "{out:?}"
        );
        assert_eq!(value_after_key("    image: x # pin", "image"), Some("x"));
        assert_eq!(value_after_key("  - \"a#b\" # c", "a"), None);
        assert_eq!(strip_comment("p: \"a #b\" # c"), "p: \"a #b\"");
    }
}
