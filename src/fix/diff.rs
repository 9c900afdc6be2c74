//! Unified diffs of planned edits, with the `similar` crate (the diff
//! library insta already builds on, so it adds no new code to the build).

use similar::TextDiff;

use super::Edit;

/// The unified diff of one edit, `a/` and `b/` prefixed like git's.
pub fn edit(edit: &Edit) -> String {
    let before = edit.before.as_deref().unwrap_or("");
    let after = edit.result().unwrap_or("");
    let old = if edit.before.is_some() {
        format!("a/{}", edit.path)
    } else {
        "/dev/null".to_string()
    };
    let new = if edit.delete {
        "/dev/null".to_string()
    } else {
        format!("b/{}", edit.path)
    };
    text(before, after, &old, &new)
}

/// The unified diff between two texts; empty when they are equal.
pub fn text(before: &str, after: &str, old: &str, new: &str) -> String {
    if before == after {
        return String::new();
    }
    let diff = TextDiff::from_lines(before, after);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(old, new)
        .missing_newline_hint(true)
        .to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}
