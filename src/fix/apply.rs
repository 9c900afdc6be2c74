//! Writing a plan: the uncommitted-changes check, atomic writes, deletions.

use std::io::Write;
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

/// Applies the net changes: every write goes to a temporary file in the
/// same folder and is renamed over the target, so a reader never sees half
/// a file; an existing file keeps its permissions, a generated script is
/// made executable. Deleting a file removes the folders it leaves empty.
pub fn write_all(root: &Path, changes: &[Edit]) -> std::io::Result<()> {
    for edit in changes {
        let path = root.join(&edit.path);
        if edit.delete {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(with_path(e, &edit.path)),
            }
            remove_empty_parents(root, &path);
        } else {
            write_atomic(&path, edit.after.as_bytes(), edit.executable)
                .map_err(|e| with_path(e, &edit.path))?;
        }
    }
    Ok(())
}

fn with_path(e: std::io::Error, rel: &str) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{rel}: {e}"))
}

pub fn write_atomic(path: &Path, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    set_permissions(tmp.path(), existing, executable)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_permissions(
    tmp: &Path,
    existing: Option<std::fs::Permissions>,
    executable: bool,
) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // A temp file is created 0600; a new file gets the usual 0644 (0755
    // for scripts), an existing one keeps its mode.
    let mode = match existing {
        Some(p) => {
            let mode = p.mode() & 0o7777;
            if executable {
                mode | 0o111
            } else {
                mode
            }
        }
        None if executable => 0o755,
        None => 0o644,
    };
    std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_permissions(
    tmp: &Path,
    existing: Option<std::fs::Permissions>,
    _executable: bool,
) -> std::io::Result<()> {
    match existing {
        Some(p) => std::fs::set_permissions(tmp, p),
        None => Ok(()),
    }
}

fn remove_empty_parents(root: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) {
            break;
        }
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_keep_modes_and_scripts_are_executable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let existing = dir.path().join("secret.env");
        std::fs::write(&existing, "A=1\n").expect("write");
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let changes = vec![
            Edit::modify("secret.env", "A=1\n".into(), "A=2\n".into()),
            Edit::create("scripts/backup.sh", "#!/bin/sh\n").executable(),
            Edit::create("k8s/deployment.yaml", "kind: Deployment\n"),
        ];
        write_all(dir.path(), &changes).expect("applied");
        let mode = |p: &str| {
            std::fs::metadata(dir.path().join(p))
                .expect("exists")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("secret.env"), 0o600);
        assert_eq!(mode("scripts/backup.sh"), 0o755);
        assert_eq!(mode("k8s/deployment.yaml"), 0o644);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("secret.env")).expect("read"),
            "A=2\n"
        );
        // No temporary files are left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".tmp")), "{names:?}");
    }

    #[test]
    fn deleting_the_last_file_removes_empty_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("prisma/migrations/1_init/migration.sql");
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, "CREATE TABLE a ();\n").expect("write");
        std::fs::write(
            dir.path().join("prisma/migrations/migration_lock.toml"),
            "x",
        )
        .expect("w");
        write_all(
            dir.path(),
            &[Edit::delete(
                "prisma/migrations/1_init/migration.sql",
                "CREATE TABLE a ();\n".into(),
            )],
        )
        .expect("applied");
        assert!(!dir.path().join("prisma/migrations/1_init").exists());
        assert!(dir.path().join("prisma/migrations").exists());
    }

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
