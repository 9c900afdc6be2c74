//! Before writing: is the project under version control, and would the fix
//! edit files with uncommitted changes? (The writing itself is
//! [`super::transaction`].)

use std::path::Path;
use std::process::Command;

use super::Edit;

/// What git says about the files a fix would touch.
#[derive(Debug, PartialEq, Eq)]
pub enum GitState {
    /// The root is not inside a git work tree (or git is not installed):
    /// nothing to check against.
    NotARepo,
    Clean,
    /// Files with uncommitted changes (paths relative to the root).
    Dirty(Vec<String>),
}

/// Checks the files that exist and would change (`git status --porcelain`),
/// as `cargo fix` does before it edits a crate.
pub fn git_state(root: &Path, changes: &[Edit]) -> GitState {
    let inside = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--is-inside-work-tree", "--show-prefix"])
        .output();
    let prefix = match inside {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let mut lines = text.lines();
            if lines.next() != Some("true") {
                return GitState::NotARepo;
            }
            lines.next().unwrap_or("").to_string()
        }
        _ => return GitState::NotARepo,
    };
    let existing: Vec<&str> = changes
        .iter()
        .filter(|e| e.before.is_some())
        .map(|e| e.path.as_str())
        .collect();
    if existing.is_empty() {
        return GitState::Clean;
    }
    let status = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain", "-z", "--untracked-files=all", "--"])
        .args(&existing)
        .output();
    let Ok(out) = status else {
        return GitState::NotARepo;
    };
    if !out.status.success() {
        return GitState::NotARepo;
    }
    let mut dirty: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|entry| entry.len() > 3)
        .map(|entry| {
            let path = &entry[3..];
            path.strip_prefix(prefix.as_str())
                .unwrap_or(path)
                .to_string()
        })
        .filter(|p| existing.contains(&p.as_str()))
        .collect();
    dirty.sort();
    dirty.dedup();
    if dirty.is_empty() {
        GitState::Clean
    } else {
        GitState::Dirty(dirty)
    }
}

/// Whether `root` is under a version-control system other than git
/// (Mercurial, Jujutsu, Subversion, Fossil, Pijul): its changes can be
/// reviewed and undone there, even though seaworthy cannot ask it which
/// files are dirty. `cargo fix` accepts git and Mercurial the same way.
pub fn other_vcs(root: &Path) -> Option<&'static str> {
    const MARKERS: &[(&str, &str)] = &[
        (".hg", "Mercurial"),
        (".jj", "Jujutsu"),
        (".svn", "Subversion"),
        (".fslckout", "Fossil"),
        (".pijul", "Pijul"),
    ];
    let start = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    start.ancestors().find_map(|dir| {
        MARKERS
            .iter()
            .find(|(marker, _)| dir.join(marker).exists())
            .map(|(_, name)| *name)
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_folder_outside_git_is_not_a_repo() {
        let dir = tempfile::tempdir().expect("tempdir");
        let changes = vec![Edit::modify("a", "1".into(), "2".into())];
        // The temp folder may sit inside some git work tree on a developer
        // machine; only assert that it is never reported dirty for a file
        // git does not know.
        assert!(!matches!(
            git_state(dir.path(), &changes),
            GitState::Dirty(_)
        ));
    }
}
