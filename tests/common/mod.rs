//! Helpers for the end-to-end tests: the SEAWORTHY_E2E policy, tools,
//! applying a fix plan to a folder.
//!
//! Policy: without SEAWORTHY_E2E the end-to-end tests skip with a loud
//! message (so `cargo test` works on a laptop without PostgreSQL); with
//! SEAWORTHY_E2E=1 a missing component is a failure. `.ci/e2e-setup.sh`
//! installs and starts everything and writes `.ci/e2e.env`.

#![allow(dead_code)]

pub mod http;
pub mod validate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use seaworthy::fix::FixPlan;

/// Whether end-to-end tests run; prints why not when they don't.
pub fn e2e(test: &str) -> bool {
    match std::env::var("SEAWORTHY_E2E") {
        Ok(v) if !v.is_empty() && v != "0" => true,
        _ => {
            // Straight to the stderr handle: the test harness captures
            // eprintln! of passing tests, and a skip must be seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\n################ SKIPPED {test} ################\n\
                 SEAWORTHY_E2E is not set: this end-to-end test needs real services.\n\
                 Run `.ci/e2e-setup.sh && set -a && . .ci/e2e.env && set +a` first.\n"
            );
            false
        }
    }
}

/// An environment variable the e2e setup exports; its absence is a failure.
pub fn require_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "SEAWORTHY_E2E is set but {name} is not: run .ci/e2e-setup.sh and source .ci/e2e.env"
        ),
    }
}

/// The path of a program on PATH.
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

/// A program the test needs; its absence is a failure.
pub fn require_tool(tool: &str) -> PathBuf {
    which(tool).unwrap_or_else(|| {
        panic!("SEAWORTHY_E2E is set but `{tool}` is not on PATH: run .ci/e2e-setup.sh and source .ci/e2e.env")
    })
}

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Copies a folder tree (files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A copy of a folder of the repository in a temporary folder named like a
/// product (`shop`, not "example"/"fixture"), so it is audited as one.
pub fn copy_of(src: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("shop");
    copy_dir(Path::new(src), &root);
    (dir, root)
}

/// Writes a plan's edits under `root`, checking each `before` against the
/// file on disk. Returns the paths written.
pub fn apply(plan: &FixPlan, root: &Path) -> Vec<PathBuf> {
    let mut written = Vec::new();
    for edit in &plan.edits {
        let path = root.join(&edit.path);
        let current = std::fs::read_to_string(&path).ok();
        assert_eq!(
            current.as_deref(),
            edit.before.as_deref(),
            "{}: the plan's `before` does not match the file",
            edit.path
        );
        if edit.delete {
            std::fs::remove_file(&path).expect("delete");
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create folder");
        }
        std::fs::write(&path, &edit.after).expect("write edit");
        #[cfg(unix)]
        if edit.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        written.push(path);
    }
    written
}

/// Runs a command, returns its output and how long it took; prints both
/// streams so a failing test shows what the script said.
pub fn run(cmd: &mut Command) -> (Output, f64) {
    let started = Instant::now();
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "$ {:?} → {} in {secs:.2}s\n{}{}",
        cmd.get_program(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, secs)
}

/// A name unique to this test run, for databases and buckets.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// The seaworthy binary as a command, bounded in time (a hung probe fails
/// the test instead of hanging it).
pub fn seaworthy() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("seaworthy").expect("binary builds");
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

/// Runs a seaworthy command: (exit code, stdout, stderr); -1 for a code
/// when it was killed.
pub fn outcome(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().expect("seaworthy runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `seaworthy ARGS… ROOT`: (exit code, stdout, stderr).
pub fn seaworthy_on(root: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(seaworthy().args(args).arg(root))
}
