//! The files as the fix sees them: the disk, with planned edits laid over it.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::Edit;

#[derive(Debug)]
pub struct Tree {
    root: PathBuf,
    /// Planned content per path (`None` = deleted), with the executable bit.
    overlay: BTreeMap<String, Planned>,
    /// The plans whose planned content was read since the last
    /// [`Tree::take_reads`]: a plan built on another plan's output depends
    /// on it (it must not be applied without it).
    reads: RefCell<BTreeSet<usize>>,
}

#[derive(Debug)]
struct Planned {
    content: Option<String>,
    executable: bool,
    /// The plan that set this content (its index in the run's plans), when
    /// known.
    owner: Option<usize>,
}

impl Tree {
    pub fn new(root: &Path) -> Tree {
        Tree {
            root: root.to_path_buf(),
            overlay: BTreeMap::new(),
            reads: RefCell::new(BTreeSet::new()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The content of a file, planned or on disk. Unreadable and non-UTF-8
    /// files read as absent only when they do not exist; otherwise their
    /// lossy text is returned so a create never overwrites them.
    pub fn read(&self, rel: &str) -> Option<String> {
        if let Some(planned) = self.overlay.get(rel) {
            if let Some(owner) = planned.owner {
                self.reads.borrow_mut().insert(owner);
            }
            return planned.content.clone();
        }
        read_disk(&self.root, rel)
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.read(rel).is_some()
    }

    /// Whether a folder has any file, on disk or planned.
    pub fn dir_exists(&self, rel: &str) -> bool {
        let prefix = format!("{}/", rel.trim_end_matches('/'));
        self.root.join(rel).is_dir()
            || self
                .overlay
                .iter()
                .any(|(p, planned)| planned.content.is_some() && p.starts_with(&prefix))
    }

    /// Files directly or deeply below a folder on disk (relative paths,
    /// sorted), ignoring planned changes.
    pub fn disk_files_under(&self, rel: &str) -> Vec<String> {
        let mut out = Vec::new();
        collect(&self.root, &self.root.join(rel), &mut out);
        out.sort();
        out
    }

    pub fn set(&mut self, rel: &str, content: Option<String>, executable: bool) {
        self.set_by(rel, content, executable, None);
    }

    /// Like [`Tree::set`], remembering which plan set the content.
    pub fn set_by(
        &mut self,
        rel: &str,
        content: Option<String>,
        executable: bool,
        owner: Option<usize>,
    ) {
        self.overlay.insert(
            rel.to_string(),
            Planned {
                content,
                executable,
                owner,
            },
        );
    }

    /// The plans whose output was read since the last call, and forgets them.
    pub fn take_reads(&self) -> BTreeSet<usize> {
        std::mem::take(&mut *self.reads.borrow_mut())
    }

    /// The net change per file: what is on disk now → what the plans made.
    pub fn changes(&self) -> Vec<Edit> {
        self.overlay
            .iter()
            .filter_map(|(path, planned)| {
                let after = &planned.content;
                let executable = &planned.executable;
                let before = read_disk(&self.root, path);
                if &before == after {
                    return None;
                }
                Some(match (before, after) {
                    (Some(before), None) => Edit::delete(path.clone(), before),
                    (before, after) => Edit {
                        path: path.clone(),
                        before,
                        after: after.clone().unwrap_or_default(),
                        executable: *executable,
                        delete: false,
                    },
                })
            })
            .collect()
    }
}

fn read_disk(root: &Path, rel: &str) -> Option<String> {
    let path = root.join(rel);
    if !path.is_file() {
        return None;
    }
    std::fs::read(&path)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect(root, &path, out),
            Ok(t) if t.is_file() => {
                if let Ok(rel) = path.strip_prefix(root) {
                    out.push(crate::walk::relative(Path::new(""), rel));
                }
            }
            _ => {}
        }
    }
}
