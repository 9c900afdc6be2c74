//! Files git tracks although .gitignore matches them are part of every
//! clone, so the rules see them; an ignored file git does not track, or an
//! ignored file of a checkout without `.git` (an extracted archive), stays
//! out as before, except a lockfile beside its manifest in a checkout
//! without `.git` (it lists what the manifest resolved to, whoever wrote
//! it). The trees are built at run time: a fixture folder cannot hold a git
//! repository.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_of, seaworthy_on};

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args([
            "-c",
            "core.excludesFile=/dev/null",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// (rule, app, first location's path) of every finding of `check`.
fn findings(root: &Path) -> Vec<(String, String, String)> {
    let (code, out, err) = seaworthy_on(root, &["check", "--format", "json", "--fail-on", "none"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json report");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["app"].as_str().unwrap_or("").to_string(),
                f["locations"][0]["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(findings: &[(String, String, String)], rule: &str, path: &str) -> bool {
    findings.iter().any(|(r, _, p)| r == rule && p == path)
}

/// A PHP app whose only database configuration, `config/database.php`
/// (SQLite), sits in a folder its .gitignore excludes.
fn php_app_with_ignored_config() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = copy_of(
        "tests/fixtures/sqlite-in-production/pos-php-micro-framework-config-selects-sqlite",
    );
    let _ = std::fs::remove_file(root.join("expected-evidence.txt"));
    std::fs::write(root.join(".gitignore"), "/config/\n/vendor/\n").expect("write .gitignore");
    (dir, root)
}

#[test]
fn a_committed_file_that_gitignore_matches_is_read() {
    let (_dir, root) = php_app_with_ignored_config();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["add", "-f", "config/database.php"]);
    let found = findings(&root);
    assert!(
        has(&found, "sqlite-in-production", "config/database.php"),
        "{found:?}"
    );
    // Committing is not needed: the index is what git tracks.
    git(&root, &["commit", "-q", "-m", "init"]);
    assert!(has(
        &findings(&root),
        "sqlite-in-production",
        "config/database.php"
    ));
}

#[test]
fn an_ignored_file_git_does_not_track_stays_out() {
    let (_dir, root) = php_app_with_ignored_config();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    let found = findings(&root);
    assert!(
        !found.iter().any(|(r, _, _)| r == "sqlite-in-production"),
        "{found:?}"
    );
}

#[test]
fn without_a_git_folder_gitignore_is_honoured_as_before() {
    let (_dir, root) = php_app_with_ignored_config();
    let found = findings(&root);
    assert!(
        !found.iter().any(|(r, _, _)| r == "sqlite-in-production"),
        "{found:?}"
    );
}

/// A Laravel app whose `.env.example` names Rollbar, which a wrapper
/// package pulls in: only the ignored `composer.lock` says so.
fn laravel_app_with_ignored_lockfile() -> (tempfile::TempDir, std::path::PathBuf) {
    copy_of(
        "tests/fixtures/apm-sdk-missing/neg-laravel-rollbar-wrapper-lockfile-ignored-checkout-without-git",
    )
}

#[test]
fn without_a_git_folder_an_ignored_lockfile_beside_its_manifest_is_read() {
    let (_dir, root) = laravel_app_with_ignored_lockfile();
    // A local `.env` is ignored too: it stays out (not reported as
    // committed), the lockfile does not.
    std::fs::write(root.join(".env"), "APP_KEY=base64:local\n").expect("write .env");
    let found = findings(&root);
    assert!(
        !found.iter().any(|(r, _, _)| r == "apm-sdk-missing"),
        "{found:?}"
    );
    assert!(!has(&found, "committed-env-file", ".env"), "{found:?}");
    // Without the lockfile the wrapper's SDK is unknown: the key is
    // reported, so the lockfile is what was read.
    std::fs::remove_file(root.join("composer.lock")).expect("remove lockfile");
    assert!(has(&findings(&root), "apm-sdk-missing", ".env.example"));
}

#[test]
fn with_a_git_folder_an_untracked_ignored_lockfile_stays_out() {
    let (_dir, root) = laravel_app_with_ignored_lockfile();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    // The index answers: the lockfile is not tracked, so it is not read.
    assert!(has(&findings(&root), "apm-sdk-missing", ".env.example"));
}

#[test]
fn tracked_files_under_vendored_folders_stay_out() {
    // `vendor/` is never walked, tracked or not: a committed dependency's
    // SQLite configuration is not the app's.
    let (_dir, root) = php_app_with_ignored_config();
    std::fs::remove_dir_all(root.join("config")).expect("rm config");
    let lib = root.join("vendor/acme/cms/config");
    std::fs::create_dir_all(&lib).expect("mkdir");
    std::fs::write(
        lib.join("database.php"),
        "<?php\nreturn ['driver' => 'sqlite', 'database' => __DIR__ . '/db.sqlite'];\n",
    )
    .expect("write");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["add", "-f", "vendor"]);
    let found = findings(&root);
    assert!(
        !found.iter().any(|(r, _, _)| r == "sqlite-in-production"),
        "{found:?}"
    );
}

#[test]
fn a_committed_env_file_says_it_is_ignored_but_tracked() {
    let (_dir, root) = php_app_with_ignored_config();
    std::fs::write(root.join(".gitignore"), ".env\n").expect("write .gitignore");
    std::fs::write(
        root.join(".env"),
        "APP_ENV=production\nSTRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dcAbCdEfGh\n",
    )
    .expect("write .env");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["add", "-f", ".env"]);
    let (_, out, _) = seaworthy_on(&root, &["check", "--format", "json", "--fail-on", "none"]);
    let report: serde_json::Value = serde_json::from_str(&out).expect("json report");
    let env: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "committed-env-file")
        .collect();
    assert_eq!(env.len(), 1, "{env:?}");
    let message = env[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("tracked by git although .gitignore excludes it"),
        "{message}"
    );
}
