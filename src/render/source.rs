//! The evidence files, read once each, for the source excerpts of the text
//! and HTML reports. A file that cannot be read, looks binary or is larger
//! than [`MAX_FILE_SIZE`] has no excerpt; the report names its line all the same.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use crate::facts::text::read_text;

/// Evidence files larger than this are not read for excerpts.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

pub struct Sources {
    root: PathBuf,
    files: RefCell<HashMap<String, Option<Rc<[String]>>>>,
}

impl Sources {
    pub fn new(root: impl Into<PathBuf>) -> Sources {
        Sources {
            root: root.into(),
            files: RefCell::new(HashMap::new()),
        }
    }

    /// The file's lines (trailing blanks trimmed), when it is small text.
    pub fn lines(&self, path: &str) -> Option<Rc<[String]>> {
        let mut files = self.files.borrow_mut();
        files
            .entry(path.to_string())
            .or_insert_with(|| {
                let text = read_text(&self.root.join(path), MAX_FILE_SIZE).ok()?;
                // A NUL byte: a binary file, not something to show.
                if text.contains('\0') {
                    return None;
                }
                Some(text.lines().map(|l| l.trim_end().to_string()).collect())
            })
            .clone()
    }

    /// One line as written (1-based), when it is not blank and short.
    pub fn line(&self, path: &str, line: u32) -> Option<String> {
        self.lines(path)?
            .get(line.checked_sub(1)? as usize)
            .filter(|l| !l.trim().is_empty() && l.len() <= 300)
            .cloned()
    }
}
