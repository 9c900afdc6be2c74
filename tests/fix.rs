//! `seaworthy fix` end to end, on copies of the example app and of the fix
//! fixtures: the dry-run diff and every generated file are snapshots; the
//! fixed findings are gone on re-check; a second run is a no-op; dry runs
//! write nothing; uncommitted changes and existing files are respected.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

mod common;
use common::copy_of;

const EXAMPLE: &str = "examples/nextjs-prisma-pet-server";

/// Every file under `root` (but .git) with its content hash.
fn snapshot_tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, format!("{:x}", Sha256::digest(&bytes)));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

use common::seaworthy_on as seaworthy;

fn rules_found(root: &Path) -> Vec<String> {
    let (_, json, _) = seaworthy(root, &["check", "--format", "json", "--fail-on", "none"]);
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    // Every generated file parses (Dockerfile, compose, Kubernetes YAML,
    // package.json, schema.prisma, env files).
    assert_eq!(value["errors"], serde_json::json!([]), "{json}");
    let mut rules: Vec<String> = value["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect();
    rules.sort();
    rules
}

fn has_git() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

fn git(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .output()
        .expect("git");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

const ALL: &[&str] = &["fix", "--unsafe", "--deploy-target", "kubernetes"];
/// The copies are not under version control: applying needs the flag.
const NO_VCS: &str = "--allow-no-vcs";

#[test]
fn dry_run_diff_of_the_example_writes_nothing() {
    let (_dir, root) = copy_of(EXAMPLE);
    let before = snapshot_tree(&root);
    let (code, out, _) = seaworthy(&root, &[ALL, &["--dry-run"]].concat());
    assert_eq!(code, 0, "{out}");
    assert_eq!(before, snapshot_tree(&root), "--dry-run wrote files");
    insta::assert_snapshot!("pet_server_dry_run", out);
}

#[test]
fn fixing_the_example_clears_the_fixed_findings_and_converges() {
    let (_dir, root) = copy_of(EXAMPLE);
    let before = snapshot_tree(&root);
    let (code, out, err) = seaworthy(&root, &[ALL, &[NO_VCS]].concat());
    assert_eq!(code, 0, "{out}\n{err}");
    for rule in [
        "missing-container-config",
        "missing-health-endpoint",
        "sqlite-in-production",
        "manual-server-deployment",
        "apm-sdk-missing",
        "backups-not-offsite",
    ] {
        assert!(out.contains(&format!("gone: {rule} (.)")), "{rule}:\n{out}");
    }
    assert!(err.contains("not inside a git work tree"), "{err}");
    assert!(rules_found(&root).is_empty(), "{:?}", rules_found(&root));
    let summary = &out[out.find("Summary").expect("summary")..];
    insta::assert_snapshot!("pet_server_summary", summary);

    // Every generated or changed file, as a snapshot.
    let after = snapshot_tree(&root);
    for (path, hash) in &after {
        if before.get(path) != Some(hash) {
            let content = std::fs::read_to_string(root.join(path)).expect("text");
            let name = format!("pet_server_file__{}", path.replace(['/', '.'], "_"));
            insta::assert_snapshot!(name, content);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("Dockerfile"))
            .expect("Dockerfile")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    // A second run changes nothing.
    let (code, out, _) = seaworthy(&root, &[ALL, &[NO_VCS]].concat());
    assert_eq!(code, 0);
    assert!(out.starts_with("nothing to fix"), "{out}");
    assert_eq!(after, snapshot_tree(&root), "the second run changed files");
}

#[test]
fn unsafe_fixes_need_the_flag_and_rules_can_be_picked() {
    let (_dir, root) = copy_of(EXAMPLE);
    let (code, out, _) = seaworthy(
        &root,
        &[
            "fix",
            NO_VCS,
            "--rule",
            "sqlite-in-production",
            "--rule",
            "SW101",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("sqlite-in-production (.): unsafe:"),
        "the SQLite fix is skipped without --unsafe:\n{out}"
    );
    assert!(out.contains("gone: missing-container-config (.)"), "{out}");
    assert!(!out.contains("== apm-sdk-missing"), "{out}");
    let schema = std::fs::read_to_string(root.join("prisma/schema.prisma")).expect("schema");
    assert!(schema.contains("provider = \"sqlite\""));
    // SQLite stays: compose keeps the database file on a volume.
    let compose = std::fs::read_to_string(root.join("compose.yaml")).expect("compose");
    assert!(compose.contains("file:/app/data/app.db"), "{compose}");
    let rules = rules_found(&root);
    assert!(rules.contains(&"sqlite-in-production".to_string()));
    assert!(!rules.contains(&"missing-container-config".to_string()));
}

#[test]
fn the_deployment_fix_needs_a_target() {
    let (_dir, root) = copy_of(EXAMPLE);
    let (_, out, _) = seaworthy(
        &root,
        &["fix", "--dry-run", "--rule", "manual-server-deployment"],
    );
    assert!(
        out.contains("--deploy-target kubernetes, fly, render, vercel, amplify or aws"),
        "{out}"
    );
    let (_, out, _) = seaworthy(
        &root,
        &[
            "fix",
            "--dry-run",
            "--rule",
            "manual-server-deployment",
            "--rule",
            "missing-health-endpoint",
            "--deploy-target",
            "fly",
        ],
    );
    insta::assert_snapshot!("pet_server_fly_dry_run", out);
}

#[test]
fn uncommitted_changes_are_refused_unless_allowed() {
    if !has_git() {
        return;
    }
    let (_dir, root) = copy_of(EXAMPLE);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "init"]);
    let config = root.join("next.config.js");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("// local change\n");
    std::fs::write(&config, &text).expect("write");
    let before = snapshot_tree(&root);

    let (code, out, err) = seaworthy(&root, ALL);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("uncommitted changes"), "{err}");
    assert!(err.contains("  next.config.js"), "{err}");
    assert_eq!(before, snapshot_tree(&root), "a refused run wrote files");

    let (code, out, err) = seaworthy(&root, &[ALL, &["--allow-dirty"]].concat());
    assert_eq!(code, 0, "{out}\n{err}");
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(text.contains("// local change") && text.contains("output: \"standalone\""));
}

#[test]
fn an_existing_file_is_a_conflict_never_overwritten() {
    let (_dir, root) = copy_of(EXAMPLE);
    // A Dockerfile the audit does not see (ignored), so the container
    // finding stands and the fix would create one.
    std::fs::write(root.join(".ignore"), "Dockerfile\n").expect("ignore");
    let mine = "FROM node:22\nCMD [\"npm\", \"start\"]\n";
    std::fs::write(root.join("Dockerfile"), mine).expect("dockerfile");
    let (code, out, _) = seaworthy(
        &root,
        &["fix", NO_VCS, "--rule", "missing-container-config"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("== conflict: Dockerfile exists with different content; not overwritten"),
        "{out}"
    );
    assert!(out.contains("-FROM node:22\n"), "the diff is shown:\n{out}");
    assert!(out.contains(
        "Dockerfile: exists with different content (diff above), not overwritten [missing-container-config]"
    ));
    assert_eq!(
        std::fs::read_to_string(root.join("Dockerfile")).expect("kept"),
        mine
    );
    assert!(root.join(".dockerignore").exists());
}

/// Fixes a fixture copy, snapshots the dry run and every generated file,
/// and checks the fixed findings are gone and a second run is a no-op.
fn fix_fixture(fixture: &str, expected_gone: &[&str]) {
    let (_dir, root) = copy_of(&format!("tests/fix_fixtures/{fixture}"));
    let before = snapshot_tree(&root);
    let (code, dry, _) = seaworthy(&root, &["fix", "--dry-run"]);
    assert_eq!(code, 0, "{dry}");
    assert_eq!(before, snapshot_tree(&root), "--dry-run wrote files");
    insta::assert_snapshot!(format!("{fixture}_dry_run"), dry);

    let (code, out, err) = seaworthy(&root, &["fix", NO_VCS]);
    assert_eq!(code, 0, "{out}\n{err}");
    for rule in expected_gone {
        assert!(out.contains(&format!("gone: {rule} (.)")), "{rule}:\n{out}");
    }
    let after = snapshot_tree(&root);
    for (path, hash) in &after {
        if before.get(path) != Some(hash) {
            let content = std::fs::read_to_string(root.join(path)).expect("text");
            let name = format!("{fixture}_file__{}", path.replace(['/', '.'], "_"));
            insta::assert_snapshot!(name, content);
        }
    }
    let remaining = rules_found(&root);
    for rule in expected_gone {
        assert!(
            !remaining.iter().any(|r| r == rule),
            "{rule} still reported"
        );
    }
    let (code, out, _) = seaworthy(&root, &["fix", NO_VCS]);
    assert_eq!(code, 0);
    assert!(out.starts_with("nothing to fix"), "{out}");
    assert_eq!(after, snapshot_tree(&root), "the second run changed files");
}

#[test]
fn express_fixture() {
    fix_fixture(
        "express-api",
        &["missing-container-config", "missing-health-endpoint"],
    );
}

#[test]
fn django_fixture() {
    fix_fixture(
        "django-app",
        &["missing-container-config", "missing-health-endpoint"],
    );
}

#[test]
fn next16_src_app_with_pnpm_and_cache_components() {
    fix_fixture(
        "next16-src-app",
        &[
            "missing-container-config",
            "missing-health-endpoint",
            "apm-sdk-missing",
        ],
    );
}

#[test]
fn next14_pages_router_in_javascript_with_yarn() {
    fix_fixture(
        "next14-pages",
        &[
            "missing-container-config",
            "missing-health-endpoint",
            "apm-sdk-missing",
        ],
    );
}

#[test]
fn unknown_rules_and_missing_paths_are_usage_errors() {
    let (_dir, root) = copy_of(EXAMPLE);
    let (code, _, err) = seaworthy(&root, &["fix", "--rule", "no-such-rule"]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule named `no-such-rule`"), "{err}");
    let (code, _, err) = seaworthy(&root.join("missing"), &["fix"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn express_es_module_with_mongoose() {
    fix_fixture(
        "express-esm-mongoose",
        &["missing-container-config", "missing-health-endpoint"],
    );
}

#[test]
fn render_blueprint_for_the_example() {
    let (_dir, root) = copy_of(EXAMPLE);
    let (code, out, _) = seaworthy(
        &root,
        &[
            "fix",
            "--dry-run",
            "--unsafe",
            "--rule",
            "manual-server-deployment",
            "--rule",
            "sqlite-in-production",
            "--rule",
            "missing-health-endpoint",
            "--deploy-target",
            "render",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let blueprint = &out[out.find("+++ b/render.yaml").expect("render.yaml")..];
    insta::assert_snapshot!("pet_server_render_yaml", blueprint);
}

#[test]
fn a_deploy_target_nothing_uses_is_said_not_ignored() {
    let (_dir, root) = common::copy_of("examples/nextjs-prisma-production-ready");
    let (code, stdout, stderr) = seaworthy(
        &root,
        &[
            "fix",
            "--dry-run",
            "--allow-no-vcs",
            "--deploy-target",
            "fly",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("nothing to fix"), "{stdout}");
    assert!(
        stderr.contains("--deploy-target was given but nothing uses it"),
        "{stderr}"
    );
}
