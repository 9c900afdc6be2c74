//! `seaworthy diff` and `--output`: two audits of the example app, before
//! and after `seaworthy fix`, compared from their JSON reports.

use std::path::Path;

mod common;

use common::seaworthy;

fn audit_to(root: &Path, file: &Path) {
    let out = seaworthy()
        .args(["check", "--format", "json", "--fail-on", "none", "--output"])
        .arg(file)
        .arg(root)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "--output leaves standard output empty"
    );
}

const SEED_RULES: [&str; 6] = [
    "missing-container-config",
    "manual-server-deployment",
    "apm-sdk-missing",
    "missing-health-endpoint",
    "backups-not-offsite",
    "sqlite-in-production",
];

#[test]
fn the_six_seed_findings_are_fixed_between_the_audits_before_and_after_fix() {
    let (dir, root) =
        common::copy_of(&common::repo_path("examples/nextjs-prisma-pet-server").to_string_lossy());
    let before = dir.path().join("before.json");
    let after = dir.path().join("after.json");
    audit_to(&root, &before);
    let fixed = seaworthy()
        .args([
            "fix",
            "--allow-no-vcs",
            "--unsafe",
            "--deploy-target",
            "kubernetes",
        ])
        .arg(&root)
        .output()
        .expect("runs");
    assert!(
        fixed.status.success(),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    audit_to(&root, &after);

    let out = seaworthy()
        .args(["diff", "--format", "json"])
        .arg(&before)
        .arg(&after)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rules = |key: &str| -> Vec<String> {
        doc[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let fixed_rules = rules("fixed");
    for rule in SEED_RULES {
        assert!(
            fixed_rules.iter().any(|r| r == rule),
            "{rule} not fixed: {fixed_rules:?}"
        );
    }
    assert!(rules("new").is_empty(), "fix introduced {:?}", rules("new"));
    let repository = &doc["scores"][0];
    assert!(repository["app"].is_null());
    assert!(repository["new"].as_u64() > repository["old"].as_u64());

    // The text form says the same, and the markdown form is a progress note.
    let text = seaworthy()
        .arg("diff")
        .arg(&before)
        .arg(&after)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("Fixed ({})", fixed_rules.len())),
        "{text}"
    );
    let md = seaworthy()
        .args(["diff", "--format", "markdown"])
        .arg(&before)
        .arg(&after)
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&md.stdout).contains("## Fixed"));

    // Reversed, the same findings are new, and --fail-on gates on them.
    let reversed = seaworthy()
        .args(["diff", "--fail-on", "high"])
        .arg(&after)
        .arg(&before)
        .output()
        .expect("runs");
    assert_eq!(reversed.status.code(), Some(1));
    let reversed_default = seaworthy()
        .arg("diff")
        .arg(&after)
        .arg(&before)
        .output()
        .expect("runs");
    assert_eq!(
        reversed_default.status.code(),
        Some(0),
        "diff fails only on request"
    );
}

#[test]
fn a_file_that_is_not_a_report_is_named_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"findings\": 3").expect("write");
    let out = seaworthy()
        .arg("diff")
        .arg(&bad)
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json") && err.contains("not a seaworthy JSON report"),
        "{err}"
    );
}

#[test]
fn output_into_a_missing_folder_fails_without_a_partial_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("no-such-folder").join("report.md");
    let out = seaworthy()
        .args(["check", "--format", "markdown", "--output"])
        .arg(&target)
        .arg(common::repo_path("examples/nextjs-prisma-pet-server"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not write"));
    assert!(!target.exists());
}

#[test]
fn output_replaces_an_earlier_report_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("report.md");
    std::fs::write(&target, "old report\n").expect("write");
    let out = seaworthy()
        .args(["check", "--format", "markdown", "--fail-on", "none", "-o"])
        .arg(&target)
        .arg(common::repo_path("examples/nextjs-prisma-pet-server"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let written = std::fs::read_to_string(&target).expect("read");
    assert!(written.contains("SQLite"), "{written}");
    assert!(!written.contains("old report"));
    // Nothing staged is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
}
