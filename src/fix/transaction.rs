//! Applying the net changes of a fix as one transaction.
//!
//! 1. Preflight ([`preflight`]): nothing is written. Every target and the
//!    folder it lands in (or the nearest existing folder above one that must
//!    be created) must be writable, judged by the mode bits so that a
//!    read-only file or folder is refused even when running as root (root
//!    ignores permission bits and would silently replace a 0444 file through
//!    rename). Targets must still be what was planned.
//! 2. Stage: the undo journal is created at the root; every new content is
//!    written to a temporary file next to its target; every file that will be
//!    replaced or deleted is copied into the journal with its mode.
//! 3. Commit: each staged file is renamed over its target.
//! 4. Verify: the destination of every move is read back and compared with
//!    its source, byte for byte.
//! 5. Delete: the sources of the moves (and any other deleted file) go last,
//!    once everything else is committed and verified, then the folders they
//!    leave empty.
//! 6. The journal records `done`, then is removed.
//!
//! Every step that changes the disk is written to the journal *before* it is
//! taken. On an error the journal is replayed backwards ([`rollback`]):
//! originals are restored byte for byte with their mode, new files and temp
//! files removed, created folders removed, removed folders recreated. When
//! the process dies instead (killed, power cut), the journal stays on disk
//! and the next `seaworthy fix` replays it the same way ([`recover`]) before
//! it plans anything. A journal that records `done` is simply discarded: the
//! transaction had completed.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Edit, Move};

/// The folder, at the audited root, that holds the undo journal while a
/// transaction runs (and after one was interrupted).
pub const JOURNAL_DIR: &str = ".seaworthy-fix-journal";
const JOURNAL_FILE: &str = "journal";
/// The suffix of staged files; they sit next to their targets as
/// `.<name>.seaworthy-fix.tmp`.
const TEMP_SUFFIX: &str = ".seaworthy-fix.tmp";

/// A test hook, for the fault-injection suite: what to do just before the
/// transaction's step number N (1-based; a step is one change to the disk:
/// creating the journal, a folder, a temp file or a backup, a rename, a
/// read-back, a deletion). Reached through the hidden `--debug-fault` option
/// of the CLI, so a test can break a real run of the real binary; a CLI
/// option rather than an environment variable so that it can never be
/// switched on by an inherited environment.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Fail the step with an I/O error, as a full disk or a permission
    /// error would.
    FailAt(usize),
    /// Print `paused before step N` on stderr and sleep, so a test can kill
    /// the process at that point.
    PauseAt(usize),
}

impl Fault {
    /// `fail:N` or `pause:N`.
    pub fn parse(spec: &str) -> Option<Fault> {
        let (kind, n) = spec.split_once(':')?;
        let n: usize = n.parse().ok().filter(|n| *n > 0)?;
        match kind {
            "fail" => Some(Fault::FailAt(n)),
            "pause" => Some(Fault::PauseAt(n)),
            _ => None,
        }
    }
}

/// Why a change cannot be applied, found before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The planned change the problem blocks (relative to the root).
    pub path: String,
    pub reason: String,
}

/// What a completed transaction did.
#[derive(Debug, Default)]
pub struct Applied {
    pub written: usize,
    pub deleted: usize,
}

/// Why a transaction did not complete, and what the rollback achieved.
#[derive(Debug)]
pub struct Failure {
    /// What was being done when it failed (`replacing prisma/schema.prisma`).
    pub step: String,
    pub error: io::Error,
    pub rollback: RollbackOutcome,
}

/// What undoing a transaction achieved.
#[derive(Debug, Default)]
pub struct RollbackOutcome {
    pub restored: usize,
    pub removed_files: usize,
    pub removed_folders: usize,
    /// Steps that could not be undone; the journal is then kept so that the
    /// next run retries.
    pub errors: Vec<String>,
}

impl RollbackOutcome {
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

impl std::fmt::Display for RollbackOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} file(s) restored byte for byte, {} new file(s) and {} new folder(s) removed",
            self.restored, self.removed_files, self.removed_folders
        )
    }
}

/// One journal line. Each is appended and flushed to disk *before* the step
/// it describes, so a replay never misses a change (undoing a step that did
/// not happen is a no-op).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Record {
    /// The transaction starts, in this process: a journal whose process is
    /// still alive belongs to a run in progress, not to an interrupted one.
    Begin { pid: u32 },
    /// A folder is about to be created.
    Mkdir { path: String },
    /// A staged file is about to be written.
    Temp { path: String },
    /// The original of `path` is saved in the journal as `backup`, with its
    /// mode: it is about to be replaced or deleted.
    Backup {
        path: String,
        backup: String,
        mode: u32,
    },
    /// A new file is about to be renamed into place.
    Create { path: String },
    /// An emptied folder is about to be removed.
    Rmdir { path: String, mode: u32 },
    /// Everything is committed: nothing to undo.
    Done,
}

/// Checks every change without writing: returns what blocks it.
pub fn preflight(root: &Path, changes: &[Edit]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |path: &str, reason: String| {
        problems.push(Problem {
            path: path.to_string(),
            reason,
        })
    };
    // The journal lives at the root: without it nothing can be undone.
    if let Err(reason) = folder_state(root, root) {
        problem(
            JOURNAL_DIR,
            format!("{reason} (fix keeps its undo journal there while it writes)"),
        );
    }
    if std::fs::symlink_metadata(root.join(JOURNAL_DIR)).is_ok() {
        problem(
            JOURNAL_DIR,
            "exists: another `seaworthy fix` may be running".to_string(),
        );
    }
    for change in changes {
        let rel = change.path.as_str();
        if !is_plain_relative(rel) {
            problem(rel, "is not a path inside the project".to_string());
            continue;
        }
        let target = root.join(rel);
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => problem(
                rel,
                "is a symbolic link: fix only replaces regular files".to_string(),
            ),
            Ok(meta) if meta.is_dir() => problem(rel, "is a folder".to_string()),
            Ok(_) if change.before.is_none() => problem(
                rel,
                "exists now, but did not when the fix was planned".to_string(),
            ),
            Ok(meta) if is_read_only(&meta) => problem(
                rel,
                format!(
                    "is read-only ({}): fix does not replace read-only files",
                    describe_mode(&meta)
                ),
            ),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if change.before.is_some() {
                    problem(
                        rel,
                        "no longer exists (it did when the fix was planned)".to_string(),
                    );
                }
            }
            Err(e) => problem(rel, format!("cannot be inspected: {e}")),
        }
        let parent = target.parent().unwrap_or(root);
        if let Err(reason) = folder_state(root, parent) {
            problem(rel, reason);
        }
        let temp = temp_path(&target);
        if !change.delete && std::fs::symlink_metadata(&temp).is_ok() {
            problem(
                rel,
                format!("{} is in the way of the staged copy", relative(root, &temp)),
            );
        }
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.reason.cmp(&b.reason)));
    problems.dedup();
    problems
}

/// Whether a file can be written into `dir`: the folder, or the nearest
/// existing one above it when it must be created, must be a writable folder.
fn folder_state(root: &Path, dir: &Path) -> Result<(), String> {
    let mut at = dir;
    loop {
        match std::fs::symlink_metadata(at) {
            Ok(meta) if meta.is_dir() => {
                return if is_read_only(&meta) {
                    Err(format!(
                        "{} is read-only ({})",
                        folder_label(root, at, at != dir),
                        describe_mode(&meta)
                    ))
                } else {
                    Ok(())
                };
            }
            Ok(meta) if meta.file_type().is_symlink() && at.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(format!(
                    "{} is not a folder, so the file cannot go below it",
                    folder_label(root, at, false)
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match at.parent() {
                Some(up) if at != root => at = up,
                _ => return Err("its folder cannot be created".to_string()),
            },
            Err(e) => return Err(format!("its folder cannot be inspected: {e}")),
        }
    }
}

fn folder_label(root: &Path, dir: &Path, creates_below: bool) -> String {
    let rel = relative(root, dir);
    let name = if rel.is_empty() {
        "the project folder".to_string()
    } else {
        format!("the folder {rel}/")
    };
    if creates_below {
        format!("{name}, where its folder must be created,")
    } else {
        name
    }
}

/// Read-only by the mode bits alone: no write bit for anyone. Root can
/// write such a file anyway, which is exactly why the bits decide.
#[cfg(unix)]
fn is_read_only(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o222 == 0
}

#[cfg(not(unix))]
fn is_read_only(meta: &std::fs::Metadata) -> bool {
    meta.permissions().readonly()
}

#[cfg(unix)]
fn describe_mode(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::PermissionsExt;
    format!("mode {:04o}", meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn describe_mode(_meta: &std::fs::Metadata) -> String {
    "read-only attribute".to_string()
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    let mut perms = std::fs::metadata(path)?.permissions();
    perms.set_readonly(mode & 0o222 == 0);
    std::fs::set_permissions(path, perms)
}

/// A relative path of normal components: journal and plan paths are joined
/// to the root, and must never reach outside it.
fn is_plain_relative(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .map(|p| crate::walk::relative(Path::new(""), p))
        .unwrap_or_else(|_| path.display().to_string())
}

/// The journal of one transaction: the records on disk, and the steps
/// counted for the fault hook.
struct Journal {
    root: PathBuf,
    dir: PathBuf,
    file: Option<File>,
    records: Vec<Record>,
    step: usize,
    fault: Option<Fault>,
    backups: usize,
    /// Whether this run created the journal folder: only then may a
    /// rollback remove it.
    created: bool,
}

impl Journal {
    fn new(root: &Path, fault: Option<Fault>) -> Journal {
        Journal {
            root: root.to_path_buf(),
            dir: root.join(JOURNAL_DIR),
            file: None,
            records: Vec::new(),
            step: 0,
            fault,
            backups: 0,
            created: false,
        }
    }

    /// Counts a step that changes the disk, and lets the fault hook act.
    fn step(&mut self) -> io::Result<()> {
        self.step += 1;
        match self.fault {
            Some(Fault::FailAt(n)) if n == self.step => Err(io::Error::other(format!(
                "injected failure at step {n} (--debug-fault)"
            ))),
            Some(Fault::PauseAt(n)) if n == self.step => {
                eprintln!("seaworthy: paused before step {n} (--debug-fault)");
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
            }
            _ => Ok(()),
        }
    }

    /// The point after the commit, before the journal is removed: a kill
    /// here leaves a journal that says `done`. Only a pause applies: the
    /// removal is no write of the project, so an injected failure would
    /// not be a failure of the fix.
    fn last_step(&mut self) {
        if let Some(Fault::FailAt(n)) = self.fault {
            if n == self.step + 1 {
                self.step += 1;
                return;
            }
        }
        let _ = self.step();
    }

    fn open(&mut self) -> io::Result<()> {
        self.step()?;
        std::fs::create_dir(&self.dir)?;
        self.created = true;
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(self.dir.join(JOURNAL_FILE))?;
        self.file = Some(file);
        self.record(Record::Begin {
            pid: std::process::id(),
        })
    }

    /// Appends a record and flushes it to disk before the step it announces.
    fn record(&mut self, record: Record) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(io::Error::other("the journal is not open"));
        };
        let mut line = serde_json::to_string(&record).map_err(io::Error::other)?;
        line.push('\n');
        file.write_all(line.as_bytes())?;
        file.sync_data()?;
        self.records.push(record);
        Ok(())
    }

    /// Creates the folders `dir` needs, each announced in the journal so a
    /// rollback removes exactly the ones fix created.
    fn create_dirs(&mut self, dir: &Path) -> io::Result<()> {
        let mut missing = Vec::new();
        let mut at = dir;
        while !at.exists() {
            missing.push(at.to_path_buf());
            match at.parent() {
                Some(up) if at != self.root => at = up,
                _ => break,
            }
        }
        for folder in missing.iter().rev() {
            self.record(Record::Mkdir {
                path: relative(&self.root, folder),
            })?;
            self.step()?;
            std::fs::create_dir(folder)?;
        }
        Ok(())
    }

    /// Saves the original of `rel` in the journal before it is replaced or
    /// deleted.
    fn back_up(&mut self, rel: &str, bytes: &[u8], mode: u32) -> io::Result<()> {
        self.backups += 1;
        let name = format!("{}.bak", self.backups);
        self.step()?;
        let mut file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(self.dir.join(&name))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        self.record(Record::Backup {
            path: rel.to_string(),
            backup: name,
            mode,
        })
    }
}

/// One change, ready to commit.
struct Staged {
    rel: String,
    target: PathBuf,
    temp: PathBuf,
    new: bool,
}

/// Applies the changes all or nothing. `moves` names the deleted files
/// whose content a created file carries: the copy is verified before the
/// original is deleted, and it is written from the original's bytes.
pub fn apply(
    root: &Path,
    changes: &[Edit],
    moves: &[Move],
    fault: Option<Fault>,
) -> Result<Applied, Failure> {
    let mut journal = Journal::new(root, fault);
    let mut step = String::from("creating the undo journal");
    match run_steps(&mut journal, changes, moves, &mut step) {
        Ok(applied) => {
            journal.last_step();
            // Committed: a leftover journal would only be discarded by the
            // next run, so a failure to remove it is not a failure of the fix.
            let _ = std::fs::remove_dir_all(&journal.dir);
            Ok(applied)
        }
        Err(error) => {
            let rollback = if journal.created {
                rollback(root, &journal.records)
            } else {
                RollbackOutcome::default()
            };
            Err(Failure {
                step,
                error,
                rollback,
            })
        }
    }
}

fn run_steps(
    journal: &mut Journal,
    changes: &[Edit],
    moves: &[Move],
    step: &mut String,
) -> io::Result<Applied> {
    let root = journal.root.clone();
    journal.open()?;

    // Stage: new content next to each target; originals into the journal.
    let mut staged = Vec::new();
    let mut originals: Vec<(String, Vec<u8>)> = Vec::new();
    for change in changes {
        let target = root.join(&change.path);
        let current = read_current(&target)?;
        if let Some((bytes, _)) = &current {
            // The plan was made from this content; a change since then (an
            // editor saving, another run) must not be overwritten.
            if change.before.as_deref() != Some(String::from_utf8_lossy(bytes).as_ref()) {
                *step = format!("checking {}", change.path);
                return Err(io::Error::other(format!(
                    "{} changed since the fix was planned",
                    change.path
                )));
            }
        } else if change.before.is_some() {
            *step = format!("checking {}", change.path);
            return Err(io::Error::other(format!(
                "{} disappeared since the fix was planned",
                change.path
            )));
        }
        if let Some((bytes, mode)) = &current {
            *step = format!("saving the original of {} in the journal", change.path);
            journal.back_up(&change.path, bytes, *mode)?;
            originals.push((change.path.clone(), bytes.clone()));
        }
        if change.delete {
            continue;
        }
        let content = match moves.iter().find(|m| m.to == change.path) {
            // A moved file keeps its exact bytes, even when they are not
            // UTF-8 (the plan saw them through a lossy decoding).
            Some(m) => match originals.iter().find(|(p, _)| *p == m.from) {
                Some((_, bytes)) => bytes.clone(),
                None => read_current(&root.join(&m.from))?
                    .map(|(b, _)| b)
                    .unwrap_or_else(|| change.after.clone().into_bytes()),
            },
            None => change.after.clone().into_bytes(),
        };
        let dir = target.parent().unwrap_or(&root).to_path_buf();
        *step = format!("creating the folder of {}", change.path);
        journal.create_dirs(&dir)?;
        let temp = temp_path(&target);
        *step = format!("staging the new content of {}", change.path);
        // Checked before the journal names it: a rollback removes every
        // staged file it names, and this one must be ours.
        if std::fs::symlink_metadata(&temp).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is in the way", relative(&root, &temp)),
            ));
        }
        journal.record(Record::Temp {
            path: relative(&root, &temp),
        })?;
        journal.step()?;
        let mode = new_mode(current.as_ref().map(|(_, m)| *m), change.executable);
        write_new(&temp, &content, mode)?;
        staged.push(Staged {
            rel: change.path.clone(),
            target,
            temp,
            new: current.is_none(),
        });
    }

    // Commit: one rename per file.
    for s in &staged {
        *step = if s.new {
            format!("creating {}", s.rel)
        } else {
            format!("replacing {}", s.rel)
        };
        if s.new {
            journal.record(Record::Create {
                path: s.rel.clone(),
            })?;
        }
        journal.step()?;
        std::fs::rename(&s.temp, &s.target)?;
    }

    // Verify every move: the copy on disk must be the original's bytes.
    for m in moves {
        *step = format!("verifying {} (the copy of {})", m.to, m.from);
        journal.step()?;
        let copy = std::fs::read(root.join(&m.to))?;
        let original = match originals.iter().find(|(p, _)| *p == m.from) {
            Some((_, bytes)) => bytes.clone(),
            None => std::fs::read(root.join(&m.from))?,
        };
        if copy != original {
            return Err(io::Error::other(format!(
                "{} does not read back as {}: the original is kept",
                m.to, m.from
            )));
        }
    }

    // Delete last: only now is every copy committed and verified.
    let mut deleted = 0;
    for change in changes.iter().filter(|c| c.delete) {
        *step = format!("deleting {}", change.path);
        journal.step()?;
        let target = root.join(&change.path);
        match std::fs::remove_file(&target) {
            Ok(()) => deleted += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        remove_empty_parents(journal, &target, step)?;
    }

    *step = "recording the end of the transaction".to_string();
    journal.step()?;
    journal.record(Record::Done)?;
    Ok(Applied {
        written: staged.len(),
        deleted,
    })
}

/// The bytes and mode of a file, `None` when it does not exist.
fn read_current(path: &Path) -> io::Result<Option<(Vec<u8>, u32)>> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(Some((std::fs::read(path)?, mode_of(&meta)))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}{TEMP_SUFFIX}"))
}

/// An existing file keeps its mode (plus the executable bits for a
/// generated script); a new one gets 0644, or 0755 for a script.
fn new_mode(existing: Option<u32>, executable: bool) -> u32 {
    match (existing, executable) {
        (Some(mode), true) => mode | 0o111,
        (Some(mode), false) => mode,
        (None, true) => 0o755,
        (None, false) => 0o644,
    }
}

/// Writes a new file (never an existing one) with `bytes` and `mode`,
/// flushed to disk.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut file = OpenOptions::new().create_new(true).write(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    set_mode(path, mode)
}

/// Deleting a file removes the folders it leaves empty (the archived
/// migration folders), up to the root; each removal is journaled with the
/// folder's mode so a rollback can recreate it.
fn remove_empty_parents(journal: &mut Journal, path: &Path, step: &mut String) -> io::Result<()> {
    let root = journal.root.clone();
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(&root) {
            break;
        }
        let empty = std::fs::read_dir(d)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        // A folder that holds other files, or whose parent is read-only,
        // stays: an empty folder left behind is harmless.
        let parent_writable = d
            .parent()
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| !is_read_only(&m));
        if !empty || !parent_writable {
            break;
        }
        let mode = std::fs::metadata(d).map(|m| mode_of(&m))?;
        let rel = relative(&root, d);
        *step = format!("removing the emptied folder {rel}/");
        journal.record(Record::Rmdir { path: rel, mode })?;
        journal.step()?;
        std::fs::remove_dir(d)?;
        dir = d.parent();
    }
    Ok(())
}

/// Undoes the journaled steps, newest first, then removes the journal when
/// everything was undone.
fn rollback(root: &Path, records: &[Record]) -> RollbackOutcome {
    let dir = root.join(JOURNAL_DIR);
    let mut outcome = RollbackOutcome::default();
    for record in records.iter().rev() {
        let result = match record {
            Record::Done | Record::Begin { .. } => Ok(()),
            Record::Temp { path } => remove_file_if_present(&root.join(path)).map(|_| ()),
            Record::Create { path } => remove_file_if_present(&root.join(path)).map(|removed| {
                if removed {
                    outcome.removed_files += 1;
                }
            }),
            Record::Backup { path, backup, mode } => {
                restore(root, &dir, path, backup, *mode).map(|changed| {
                    if changed {
                        outcome.restored += 1;
                    }
                })
            }
            Record::Mkdir { path } => match std::fs::remove_dir(root.join(path)) {
                Ok(()) => {
                    outcome.removed_folders += 1;
                    Ok(())
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e),
            },
            Record::Rmdir { path, mode } => {
                let folder = root.join(path);
                match std::fs::create_dir(&folder) {
                    Ok(()) => set_mode(&folder, *mode),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
                    Err(e) => Err(e),
                }
            }
        };
        if let Err(e) = result {
            outcome.errors.push(format!("{}: {e}", describe(record)));
        }
    }
    if outcome.is_complete() {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            if e.kind() != io::ErrorKind::NotFound {
                outcome
                    .errors
                    .push(format!("removing the journal {JOURNAL_DIR}/: {e}"));
            }
        }
    }
    outcome
}

fn describe(record: &Record) -> String {
    match record {
        Record::Mkdir { path } => format!("removing the new folder {path}/"),
        Record::Temp { path } => format!("removing the staged file {path}"),
        Record::Backup { path, .. } => format!("restoring {path}"),
        Record::Create { path } => format!("removing the new file {path}"),
        Record::Rmdir { path, .. } => format!("recreating the folder {path}/"),
        Record::Done | Record::Begin { .. } => "finishing".to_string(),
    }
}

fn remove_file_if_present(path: &Path) -> io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Puts the saved original back (through a temp file and a rename, so the
/// target is never half written), with its mode, and reads it back.
/// Returns whether the file had to be put back.
fn restore(
    root: &Path,
    journal_dir: &Path,
    rel: &str,
    backup: &str,
    mode: u32,
) -> io::Result<bool> {
    let bytes = std::fs::read(journal_dir.join(backup))?;
    let target = root.join(rel);
    if read_current(&target)?.is_some_and(|(current, m)| current == bytes && m == mode) {
        return Ok(false);
    }
    let temp = temp_path(&target);
    remove_file_if_present(&temp)?;
    write_new(&temp, &bytes, mode)?;
    std::fs::rename(&temp, &target)?;
    if std::fs::read(&target)? != bytes {
        return Err(io::Error::other("the restored file does not read back"));
    }
    Ok(true)
}

/// What [`recover`] found.
#[derive(Debug)]
pub enum Recovery {
    /// No interrupted transaction.
    Nothing,
    /// The interrupted transaction had committed: only its journal was left.
    Completed,
    /// The interrupted transaction was undone.
    RolledBack(RollbackOutcome),
}

/// Finishes a transaction a killed run left behind: rolls it back, or,
/// when it had committed, just removes the journal.
pub fn recover(root: &Path) -> Result<Recovery, String> {
    let dir = root.join(JOURNAL_DIR);
    if !dir.is_dir() {
        return Ok(Recovery::Nothing);
    }
    let text = match std::fs::read_to_string(dir.join(JOURNAL_FILE)) {
        Ok(text) => text,
        // Killed right after creating the folder: nothing was written.
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{JOURNAL_DIR}/{JOURNAL_FILE}: {e}")),
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut records = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<Record>(line) {
            Ok(record) => records.push(record),
            // Only the last line can be cut short by a kill, and the step it
            // announced was never taken (a record is flushed before its step).
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => return Err(format!("{JOURNAL_DIR}/{JOURNAL_FILE}: {e}")),
        }
    }
    if let Some(bad) = records.iter().find(|r| !record_paths_are_safe(r)) {
        return Err(format!(
            "{JOURNAL_DIR}/{JOURNAL_FILE} names a path outside the project ({bad:?}): not replayed"
        ));
    }
    if let Some(Record::Begin { pid }) = records.first() {
        if *pid != std::process::id() && process_is_alive(*pid) {
            return Err(format!(
                "another `seaworthy fix` (process {pid}) is writing this project; wait for it to finish"
            ));
        }
    }
    if records.contains(&Record::Done) {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{JOURNAL_DIR}/: {e}"))?;
        return Ok(Recovery::Completed);
    }
    let outcome = rollback(root, &records);
    if outcome.is_complete() {
        Ok(Recovery::RolledBack(outcome))
    } else {
        Err(outcome.errors.join("; "))
    }
}

/// Whether a process runs with this id. Where it cannot be told (no
/// `/proc`), a journal is taken as left by a dead run.
fn process_is_alive(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new(&format!("/proc/{pid}")).exists()
}

/// A journal is data on disk: replaying one that was edited must not touch
/// anything outside the project.
fn record_paths_are_safe(record: &Record) -> bool {
    match record {
        Record::Mkdir { path }
        | Record::Temp { path }
        | Record::Create { path }
        | Record::Rmdir { path, .. } => is_plain_relative(path),
        Record::Backup { path, backup, .. } => {
            is_plain_relative(path) && is_plain_relative(backup) && !backup.contains('/')
        }
        Record::Done | Record::Begin { .. } => true,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(root: &Path, rel: &str) -> u32 {
        std::fs::metadata(root.join(rel))
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    }

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
        assert!(preflight(dir.path(), &changes).is_empty());
        apply(dir.path(), &changes, &[], None).expect("applied");
        assert_eq!(mode(dir.path(), "secret.env"), 0o600);
        assert_eq!(mode(dir.path(), "scripts/backup.sh"), 0o755);
        assert_eq!(mode(dir.path(), "k8s/deployment.yaml"), 0o644);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("secret.env")).expect("read"),
            "A=2\n"
        );
        // No temporary files and no journal are left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names
                .iter()
                .all(|n| !n.ends_with(TEMP_SUFFIX) && n != JOURNAL_DIR),
            "{names:?}"
        );
    }

    #[test]
    fn a_move_deletes_the_original_last_and_removes_emptied_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("prisma/migrations/1_init/migration.sql");
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        // Not UTF-8: the copy must still be byte-identical.
        let sql = b"CREATE TABLE a (); -- \xff\n".to_vec();
        std::fs::write(&file, &sql).expect("write");
        let lossy = String::from_utf8_lossy(&sql).into_owned();
        let changes = vec![
            Edit::delete("prisma/migrations/1_init/migration.sql", lossy.clone()),
            Edit::create("prisma/archive/1_init/migration.sql", lossy),
        ];
        let moves = vec![Move {
            from: "prisma/migrations/1_init/migration.sql".into(),
            to: "prisma/archive/1_init/migration.sql".into(),
        }];
        apply(dir.path(), &changes, &moves, None).expect("applied");
        assert!(!dir.path().join("prisma/migrations").exists());
        assert_eq!(
            std::fs::read(dir.path().join("prisma/archive/1_init/migration.sql")).expect("copy"),
            sql
        );
    }

    #[test]
    fn a_failure_at_any_step_restores_everything() {
        for n in 1.. {
            let dir = tempfile::tempdir().expect("tempdir");
            let root = dir.path();
            std::fs::create_dir_all(root.join("m/1")).expect("mkdir");
            std::fs::write(root.join("m/1/a.sql"), "A\n").expect("write");
            std::fs::write(root.join("keep"), "old\n").expect("write");
            std::fs::set_permissions(root.join("keep"), std::fs::Permissions::from_mode(0o640))
                .expect("chmod");
            let changes = vec![
                Edit::modify("keep", "old\n".into(), "new\n".into()),
                Edit::delete("m/1/a.sql", "A\n".into()),
                Edit::create("n/x/a.sql", "A\n"),
            ];
            let moves = vec![Move {
                from: "m/1/a.sql".into(),
                to: "n/x/a.sql".into(),
            }];
            match apply(root, &changes, &moves, Some(Fault::FailAt(n))) {
                Ok(_) => {
                    assert!(n > 5, "the transaction has more than five steps");
                    break;
                }
                Err(failure) => {
                    assert!(failure.rollback.is_complete(), "{failure:?}");
                    assert_eq!(
                        std::fs::read_to_string(root.join("keep")).expect("r"),
                        "old\n"
                    );
                    assert_eq!(mode(root, "keep"), 0o640);
                    assert_eq!(
                        std::fs::read_to_string(root.join("m/1/a.sql")).expect("r"),
                        "A\n"
                    );
                    assert!(!root.join("n").exists(), "step {n}: new folder left");
                    assert!(!root.join(JOURNAL_DIR).exists(), "step {n}: journal left");
                    let names: Vec<_> = std::fs::read_dir(root)
                        .expect("ls")
                        .map(|e| e.expect("e").file_name())
                        .collect();
                    assert_eq!(names.len(), 2, "step {n}: {names:?}");
                }
            }
        }
    }

    #[test]
    fn read_only_files_and_folders_are_refused_even_as_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("ro"), "x\n").expect("write");
        std::fs::set_permissions(root.join("ro"), std::fs::Permissions::from_mode(0o444))
            .expect("chmod");
        std::fs::create_dir(root.join("locked")).expect("mkdir");
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o555))
            .expect("chmod");
        let changes = vec![
            Edit::modify("ro", "x\n".into(), "y\n".into()),
            Edit::create("locked/deep/new", "n\n"),
            Edit::create("fine", "f\n"),
        ];
        let problems = preflight(root, &changes);
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755))
            .expect("chmod back");
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["locked/deep/new", "ro"], "{problems:?}");
        assert!(problems[1].reason.contains("read-only (mode 0444)"));
        assert!(problems[0].reason.contains("locked/"), "{problems:?}");
    }

    #[test]
    fn recovery_leaves_a_live_run_and_paths_outside_the_project_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let journal = root.join(JOURNAL_DIR);
        std::fs::create_dir(&journal).expect("mkdir");
        std::fs::write(root.join("new"), "n\n").expect("write");
        let write = |lines: &str| {
            std::fs::write(journal.join(JOURNAL_FILE), lines).expect("journal");
        };
        // Process 1 (init) is alive on Linux: its transaction is running.
        if cfg!(target_os = "linux") {
            write("{\"op\":\"begin\",\"pid\":1}\n{\"op\":\"create\",\"path\":\"new\"}\n");
            assert!(recover(root).is_err());
            assert!(root.join("new").exists());
        }
        write("{\"op\":\"create\",\"path\":\"../outside\"}\n");
        assert!(recover(root).is_err());
        // A last line cut short by a kill was never acted on.
        write("{\"op\":\"create\",\"path\":\"new\"}\n{\"op\":\"crea");
        assert!(matches!(recover(root), Ok(Recovery::RolledBack(_))));
        assert!(!root.join("new").exists() && !journal.exists());
    }

    #[test]
    fn fault_specs() {
        assert_eq!(Fault::parse("fail:3"), Some(Fault::FailAt(3)));
        assert_eq!(Fault::parse("pause:1"), Some(Fault::PauseAt(1)));
        assert_eq!(Fault::parse("fail:0"), None);
        assert_eq!(Fault::parse("boom:2"), None);
    }
}
