//! `seaworthy fix` under faults: read-only files and folders at every
//! target, an injected I/O error before every step of the transaction, and
//! the process killed before every step. After each, the whole tree (every
//! file's bytes and mode, every folder's mode) is either exactly as before
//! or exactly as a clean run fixes it, no migration SQL is ever lost, and a
//! rerun converges.
//!
//! Tests run as root in CI, where permission bits stop nothing: the
//! read-only cases rely on fix judging files and folders by their mode bits,
//! and the write failures are injected with the binary's hidden
//! `--debug-fault fail:N|pause:N` option.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use sha2::{Digest, Sha256};

mod common;
use common::copy_of;

const EXAMPLE: &str = "examples/nextjs-prisma-pet-server";
/// Every fix of the example, the SQLite → PostgreSQL move included.
const ALL: &[&str] = &[
    "fix",
    "--allow-no-vcs",
    "--unsafe",
    "--deploy-target",
    "kubernetes",
];
const JOURNAL: &str = seaworthy::fix::transaction::JOURNAL_DIR;

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Every file (content hash and mode) and every folder (mode) under `root`,
/// the root included: anything fix leaves behind — a temp file, an empty
/// folder, the journal, a changed mode — makes two snapshots differ.
type Snapshot = BTreeMap<String, String>;

fn snapshot(root: &Path) -> Snapshot {
    fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if entry.file_type().expect("type").is_dir() {
                out.insert(format!("{rel}/"), format!("dir {:o}", mode(&path)));
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                out.insert(
                    rel,
                    format!("{:x} {:o}", Sha256::digest(&bytes), mode(&path)),
                );
            }
        }
    }
    let mut out = Snapshot::new();
    out.insert("./".to_string(), format!("dir {:o}", mode(root)));
    walk(root, root, &mut out);
    out
}

/// The content of every `.sql` file under `root`.
fn migration_sql(root: &Path) -> Vec<Vec<u8>> {
    fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "sql") {
                out.push(std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort();
    out
}

use common::seaworthy_on as seaworthy;

/// A fixture before and after a clean run of `args`.
struct Case {
    src: &'static str,
    args: &'static [&'static str],
    before: Snapshot,
    fixed: Snapshot,
    sql: Vec<Vec<u8>>,
}

impl Case {
    fn new(src: &'static str, args: &'static [&'static str]) -> Case {
        let (_dir, root) = copy_of(src);
        let before = snapshot(&root);
        let sql = migration_sql(&root);
        let (code, out, err) = seaworthy(&root, args);
        assert_eq!(code, 0, "the clean run fails:\n{out}\n{err}");
        let fixed = snapshot(&root);
        assert_ne!(before, fixed, "the clean run changed nothing");
        Case {
            src,
            args,
            before,
            fixed,
            sql,
        }
    }

    /// The paths a run creates, modifies or deletes.
    fn targets(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .before
            .keys()
            .chain(self.fixed.keys())
            .filter(|p| !p.ends_with('/'))
            .filter(|p| self.before.get(*p) != self.fixed.get(*p))
            .cloned()
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// The whole tree is as before or completely fixed, and every migration
    /// that existed before still exists, byte for byte (at its place or in
    /// the archive). Returns which of the two states it is.
    fn assert_before_or_fixed(&self, root: &Path, context: &str) -> State {
        let now = snapshot(root);
        for sql in &self.sql {
            assert!(
                migration_sql(root).contains(sql),
                "{context}: a migration's SQL is gone"
            );
        }
        if now == self.before {
            State::Before
        } else if now == self.fixed {
            State::Fixed
        } else {
            panic!(
                "{context}: the tree is neither as before nor fixed:\n{}",
                differences(&self.before, &self.fixed, &now)
            );
        }
    }

    /// A rerun from `root`'s state ends completely fixed, and the run after
    /// it finds nothing to do.
    fn assert_rerun_converges(&self, root: &Path, context: &str) {
        let (code, out, err) = seaworthy(root, self.args);
        assert_eq!(code, 0, "{context}: the rerun fails:\n{out}\n{err}");
        assert_eq!(
            self.assert_before_or_fixed(root, context),
            State::Fixed,
            "{context}: the rerun did not fix"
        );
        let (code, out, _) = seaworthy(root, self.args);
        assert_eq!(code, 0);
        assert!(out.starts_with("nothing to fix"), "{context}: {out}");
        assert_eq!(snapshot(root), self.fixed, "{context}: a third run wrote");
    }
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    Before,
    Fixed,
}

fn differences(before: &Snapshot, fixed: &Snapshot, now: &Snapshot) -> String {
    let mut out = String::new();
    let keys: std::collections::BTreeSet<&String> = before
        .keys()
        .chain(fixed.keys())
        .chain(now.keys())
        .collect();
    for k in keys {
        let (b, f, n) = (before.get(k), fixed.get(k), now.get(k));
        if n != b && n != f {
            out.push_str(&format!("  {k}: before {b:?}, fixed {f:?}, now {n:?}\n"));
        } else if n != b && n == f {
            out.push_str(&format!("  {k}: fixed\n"));
        } else if n == b && n != f {
            out.push_str(&format!("  {k}: as before\n"));
        }
    }
    out
}

/// The nearest folder that exists in the untouched copy: the one a new
/// file's folders are created in.
fn existing_folder(root: &Path, rel: &str) -> PathBuf {
    let mut at = root.join(rel);
    while !at.is_dir() {
        at = at.parent().expect("under root").to_path_buf();
    }
    at
}

#[test]
fn outside_version_control_nothing_is_written_without_the_flag() {
    let (_dir, root) = copy_of(EXAMPLE);
    let before = snapshot(&root);
    let (code, out, err) = seaworthy(&root, &["fix", "--unsafe"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("--allow-no-vcs"), "{err}");
    assert_eq!(snapshot(&root), before, "a refused run wrote");
    // `check` never writes either.
    let (_, _, _) = seaworthy(&root, &["check", "--fail-on", "none"]);
    assert_eq!(snapshot(&root), before, "check wrote");
}

/// Each target of the example's full fix in turn, read-only: the file
/// itself (0444) when it exists, and the folder it lands in (0555) — for a
/// new file in a new folder, the nearest existing folder above it. Root
/// ignores these bits; fix must not.
#[test]
fn a_read_only_target_or_folder_blocks_the_run_and_nothing_is_written() {
    let case = Case::new(EXAMPLE, ALL);
    let (_dir, root) = copy_of(case.src);
    let mut locks: Vec<(PathBuf, u32, String)> = Vec::new();
    for target in case.targets() {
        let file = root.join(&target);
        if file.is_file() {
            locks.push((file, 0o444, target.clone()));
        }
        locks.push((existing_folder(&root, &target), 0o555, target));
    }
    locks.sort();
    locks.dedup_by(|a, b| a.0 == b.0);
    assert!(locks.len() > 10, "{locks:?}");
    for (path, locked_mode, target) in &locks {
        let original = mode(path);
        chmod(path, *locked_mode);
        let (code, out, err) = seaworthy(&root, case.args);
        chmod(path, original);
        let context = format!("{} at {:o} (target {target})", path.display(), locked_mode);
        assert_eq!(code, 2, "{context}:\n{out}\n{err}");
        assert!(
            err.contains("nothing was written") && err.contains("read-only"),
            "{context}: {err}"
        );
        assert!(err.contains(target.as_str()), "{context}: {err}");
        assert_eq!(
            case.assert_before_or_fixed(&root, &context),
            State::Before,
            "{context}"
        );
    }
    case.assert_rerun_converges(&root, "after every lock was lifted");
}

/// The defects seen on real projects: a read-only `prisma/migrations`
/// (the SQL used to be deleted and its archive never written) and a
/// read-only `prisma/` (the lock file used to say postgresql while the
/// schema said sqlite).
#[test]
fn read_only_prisma_folders_keep_every_migration_and_the_schema() {
    let case = Case::new(EXAMPLE, ALL);
    for folder in ["prisma/migrations", "prisma"] {
        let (_dir, root) = copy_of(case.src);
        let path = root.join(folder);
        let original = mode(&path);
        chmod(&path, 0o555);
        let (code, _, err) = seaworthy(&root, case.args);
        chmod(&path, original);
        assert_eq!(code, 2, "{folder}: {err}");
        assert!(err.contains(&format!("{folder}/ is read-only")), "{err}");
        assert!(
            err.contains("sqlite-in-production (.): writes"),
            "the blocked fix is named:\n{err}"
        );
        assert_eq!(case.assert_before_or_fixed(&root, folder), State::Before);
        case.assert_rerun_converges(&root, folder);
    }
}

/// Django: the health module is useless unless the settings wire it in, and
/// the container probes it. A read-only settings file blocks all three.
#[test]
fn a_read_only_django_settings_blocks_the_health_module_and_its_probes() {
    let case = Case::new("tests/fix_fixtures/django-app", &["fix", "--allow-no-vcs"]);
    let (_dir, root) = copy_of(case.src);
    let settings = root.join("mysite/settings.py");
    chmod(&settings, 0o444);
    let (code, _, err) = seaworthy(&root, case.args);
    chmod(&settings, 0o644);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("mysite/settings.py: is read-only (mode 0444)"),
        "{err}"
    );
    assert!(
        err.contains("missing-health-endpoint (.): writes mysite/settings.py"),
        "{err}"
    );
    assert!(
        err.contains("missing-container-config (.): builds on missing-health-endpoint (.)"),
        "{err}"
    );
    assert!(!root.join("mysite/health.py").exists());
    assert_eq!(
        case.assert_before_or_fixed(&root, "settings"),
        State::Before
    );
    case.assert_rerun_converges(&root, "settings writable again");
}

/// An I/O error before each step of the transaction in turn (journal,
/// folders, staged files, backups, renames, read-backs, deletions): the run
/// exits 2, says what it planned and that it rolled back, and the tree is
/// exactly as before. The first step number the run gets past is the one
/// where it completes, fixed.
#[test]
fn a_write_error_at_any_step_rolls_everything_back() {
    for (src, args) in [
        (EXAMPLE, ALL),
        (
            "tests/fix_fixtures/django-app",
            &["fix", "--allow-no-vcs"] as &[&str],
        ),
    ] {
        let case = Case::new(src, args);
        let (_dir, root) = copy_of(src);
        let mut step = 1;
        loop {
            let fault = format!("fail:{step}");
            let (code, out, err) = seaworthy(&root, &[args, &["--debug-fault", &fault]].concat());
            let context = format!("{src}, {fault}");
            if code == 0 {
                assert_eq!(case.assert_before_or_fixed(&root, &context), State::Fixed);
                break;
            }
            assert_eq!(code, 2, "{context}:\n{out}\n{err}");
            assert!(err.contains("injected failure"), "{context}: {err}");
            assert!(
                err.contains("rolled back: the files are exactly as they were"),
                "{context}: {err}"
            );
            assert!(out.contains("== "), "{context}: the plan is shown:\n{out}");
            assert_eq!(
                case.assert_before_or_fixed(&root, &context),
                State::Before,
                "{context}"
            );
            step += 1;
            assert!(step < 1000, "{context}: the run never completes");
        }
        assert!(step > 10, "{src}: only {step} steps");
        case.assert_rerun_converges(&root, src);
    }
}

/// Runs fix paused before `step`, kills it (SIGKILL: no cleanup runs), and
/// returns whether it was paused (false: the run finished before `step`).
fn kill_before_step(root: &Path, args: &[&str], step: usize) -> bool {
    let fault = format!("pause:{step}");
    let mut child = Command::cargo_bin("seaworthy")
        .expect("binary")
        .args(args)
        .args(["--debug-fault", &fault])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let stderr = child.stderr.take().expect("stderr");
    let paused = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("paused before step"));
    if paused {
        child.kill().expect("kill");
    }
    let status = child.wait().expect("wait");
    assert!(
        paused || status.success(),
        "pause:{step}: exited with {status}"
    );
    paused
}

/// Killed before each step in turn: the tree is as before or fixed, or the
/// journal left behind rolls it back to before (or, once the transaction
/// recorded its end, is discarded with the tree fixed); and a rerun fixes
/// it completely and converges.
#[test]
fn a_kill_at_any_step_recovers_and_a_rerun_converges() {
    let case = Case::new(EXAMPLE, ALL);
    let mut step = 1;
    loop {
        let (_dir, root) = copy_of(case.src);
        let context = format!("killed before step {step}");
        if !kill_before_step(&root, case.args, step) {
            assert_eq!(case.assert_before_or_fixed(&root, &context), State::Fixed);
            break;
        }
        let journaled = root.join(JOURNAL).exists();
        // Every few steps (and whenever the journal is involved at its
        // edges), the rerun itself does the recovery; otherwise the library
        // replays the journal and the state is checked in between.
        if step % 5 == 0 {
            let (code, out, err) = seaworthy(&root, case.args);
            assert_eq!(code, 0, "{context}: the rerun fails:\n{out}\n{err}");
            if journaled {
                assert!(
                    err.contains("interrupted `seaworthy fix`"),
                    "{context}: {err}"
                );
            }
            assert_eq!(case.assert_before_or_fixed(&root, &context), State::Fixed);
        } else {
            if journaled {
                seaworthy::fix::transaction::recover(&root).expect("recovers");
            }
            case.assert_before_or_fixed(&root, &context);
            if step % 7 == 0 {
                case.assert_rerun_converges(&root, &context);
            }
        }
        step += 1;
        assert!(step < 1000, "the run never completes");
    }
    assert!(step > 10, "only {step} steps");
}

/// An archived migration in the way with other content: the SQLite fix is
/// skipped with the reason, and the SQL stays where it is (it used to be
/// deleted before the archive copy was attempted).
#[test]
fn an_archive_in_the_way_never_costs_a_migration() {
    let (_dir, root) = copy_of(EXAMPLE);
    let migrations = root.join("prisma/migrations");
    let name = std::fs::read_dir(&migrations)
        .expect("migrations")
        .flatten()
        .find(|e| e.path().is_dir())
        .expect("a migration")
        .file_name();
    let archived = root
        .join("prisma/migrations_sqlite_archive")
        .join(&name)
        .join("migration.sql");
    std::fs::create_dir_all(archived.parent().expect("parent")).expect("mkdir");
    std::fs::write(&archived, "-- something else\n").expect("write");
    let sql = migration_sql(&root);
    let (code, out, err) = seaworthy(&root, ALL);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("sqlite-in-production (.): prisma/migrations_sqlite_archive/"),
        "{out}"
    );
    assert!(
        out.contains("never overwrites an archived migration"),
        "{out}"
    );
    for content in &sql {
        assert!(migration_sql(&root).contains(content));
    }
    let schema = std::fs::read_to_string(root.join("prisma/schema.prisma")).expect("schema");
    assert!(schema.contains("provider = \"sqlite\""), "{schema}");
}

/// Express: the health routes live in a module the app imports. When fix
/// cannot write the module (a different file is there), it neither adds
/// the import nor the container that would probe the routes, and says why.
#[test]
fn a_health_module_fix_cannot_write_skips_what_needs_it() {
    let (_dir, root) = copy_of("tests/fix_fixtures/express-api");
    let server_before = std::fs::read(root.join("server.js")).expect("server.js");
    std::fs::write(root.join("health.js"), "// mine\nmodule.exports = {};\n").expect("write");
    let (code, out, err) = seaworthy(&root, &["fix", "--allow-no-vcs"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("== conflict: health.js exists with different content"),
        "{out}"
    );
    assert!(
        out.contains("missing-container-config (.): it needs the health routes, and missing-health-endpoint could not write health.js"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(root.join("server.js")).expect("server.js"),
        server_before,
        "the import of a module fix did not write was added"
    );
    assert!(!root.join("Dockerfile").exists());
}

/// A read-only file is refused in preflight, never replaced through rename
/// (which root, or the owner of the folder, could do).
#[test]
fn a_read_only_file_is_never_replaced() {
    let (_dir, root) = copy_of("tests/fix_fixtures/express-api");
    let server = root.join("server.js");
    chmod(&server, 0o444);
    let before = snapshot(&root);
    let (code, _, err) = seaworthy(&root, &["fix", "--allow-no-vcs"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("server.js: is read-only (mode 0444): fix does not replace read-only files"),
        "{err}"
    );
    assert_eq!(snapshot(&root), before);
    assert_eq!(mode(&server), 0o444);
}
