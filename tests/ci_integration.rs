//! Fitting into CI: SARIF and GitHub formats, seaworthy.toml, suppressions
//! (inline, in the config, expired), baselines.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const EXAMPLE: &str = "examples/nextjs-prisma-pet-server";

fn seaworthy() -> Command {
    Command::cargo_bin("seaworthy").expect("binary builds")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A private copy of the example app (with a `.git` folder so that config
/// discovery stops there).
fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("app");
    copy_dir(Path::new(EXAMPLE), &root);
    fs::create_dir_all(root.join(".git")).expect("mkdir .git");
    (dir, root)
}

fn json_report(root: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let out = seaworthy()
        .arg("check")
        .arg(root)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), doc)
}

fn rules_of(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let out = seaworthy()
        .args(["check", EXAMPLE, "--format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"),
        )
        .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let problems: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().map(Vec::len), Some(6));
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules
        .iter()
        .all(|r| r["helpUri"].is_string() && r["help"]["text"].is_string()));
    let result = &run["results"][0];
    assert!(result["partialFingerprints"]["seaworthyFingerprint/v1"].is_string());
    assert!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .is_some()
    );
}

#[test]
fn sarif_fingerprints_are_stable_across_runs() {
    let run = || {
        let out = seaworthy()
            .args(["check", EXAMPLE, "--format", "sarif"])
            .output()
            .expect("runs");
        let sarif: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["partialFingerprints"]["seaworthyFingerprint/v1"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn github_format_emits_annotations() {
    let out = seaworthy()
        .args(["check", EXAMPLE, "--format", "github"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("::error file=prisma/schema.prisma,line=10,title=SW601")));
    assert!(lines.iter().all(|l| l.starts_with("::error ")
        || l.starts_with("::warning ")
        || l.starts_with("::notice ")));
}

#[test]
fn markdown_and_text_show_scores() {
    let md = seaworthy()
        .args(["check", EXAMPLE, "--format", "markdown"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&md.stdout).contains("## Readiness score"));
    let text = seaworthy().args(["check", EXAMPLE]).output().expect("runs");
    assert!(String::from_utf8_lossy(&text.stdout).contains("readiness 0/100"));
    let (_, doc) = json_report(Path::new(EXAMPLE), &[]);
    assert_eq!(doc["scores"]["repository"], 0);
    assert_eq!(doc["scores"]["apps"][0]["app"], ".");
    assert_eq!(
        doc["scores"]["apps"][0]["categories"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
}

#[test]
fn config_unknown_key_is_an_error_naming_the_key() {
    let (_dir, root) = example_copy();
    fs::write(
        root.join("seaworthy.toml"),
        "[rules]\ndisabel = [\"SW101\"]\n",
    )
    .expect("write");
    let out = seaworthy().arg("check").arg(&root).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("disabel") && stderr.contains("seaworthy.toml"),
        "{stderr}"
    );
}

#[test]
fn config_disables_overrides_and_ignores() {
    let (_dir, root) = example_copy();
    fs::write(
        root.join("seaworthy.toml"),
        "[rules]\ndisable = [\"missing-container-config\"]\nseverity = { sqlite-in-production = \"medium\" }\n[paths]\nignore = [\"scripts/database-backup.sh\"]\n",
    )
    .expect("write");
    let (code, doc) = json_report(&root, &[]);
    assert_eq!(code, Some(1));
    let rules = rules_of(&doc);
    assert!(
        !rules.contains(&"missing-container-config".to_string()),
        "{rules:?}"
    );
    assert!(
        !rules.contains(&"backups-not-offsite".to_string()),
        "{rules:?}"
    );
    let sqlite = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "sqlite-in-production")
        .expect("sqlite");
    assert_eq!(sqlite["severity"], "medium");
    // `--config` picks another file, `--no-config` ignores it.
    let (_, doc) = json_report(&root, &["--no-config"]);
    assert_eq!(rules_of(&doc).len(), 6);
}

#[test]
fn config_is_found_upward_to_the_repository_root_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_dir(Path::new(EXAMPLE), &repo.join("web"));
    fs::create_dir_all(repo.join(".git")).expect("mkdir");
    // Above the repository root: never read.
    fs::write(
        dir.path().join("seaworthy.toml"),
        "[rules]\ndisable = [\"SW101\"]\n",
    )
    .expect("write");
    let (_, doc) = json_report(&repo.join("web"), &[]);
    assert_eq!(rules_of(&doc).len(), 6, "{doc}");
    // At the repository root: found from the app folder below it.
    fs::write(
        repo.join("seaworthy.toml"),
        "[rules]\ndisable = [\"SW601\"]\n",
    )
    .expect("write");
    let (_, doc) = json_report(&repo.join("web"), &[]);
    let rules = rules_of(&doc);
    assert_eq!(rules.len(), 5, "{rules:?}");
    assert!(!rules.contains(&"sqlite-in-production".to_string()));
}

#[test]
fn inline_suppressions_need_a_reason_and_expire() {
    let (_dir, root) = example_copy();
    let schema = root.join("prisma/schema.prisma");
    let text = fs::read_to_string(&schema).expect("schema");
    // Suppress on the line before the provider, with a reason.
    let with_comment = text.replace(
        "  provider = \"sqlite\"",
        "  // seaworthy:ignore sqlite-in-production -- single-instance demo shop\n  provider = \"sqlite\"",
    );
    fs::write(&schema, &with_comment).expect("write");
    let (_, doc) = json_report(&root, &[]);
    assert!(!rules_of(&doc).contains(&"sqlite-in-production".to_string()));
    assert_eq!(doc["suppressed"], 1);

    // Without a reason: not a suppression, and an error says why.
    fs::write(
        &schema,
        text.replace(
            "  provider = \"sqlite\"",
            "  // seaworthy:ignore sqlite-in-production\n  provider = \"sqlite\"",
        ),
    )
    .expect("write");
    let (_, doc) = json_report(&root, &[]);
    assert!(rules_of(&doc).contains(&"sqlite-in-production".to_string()));
    let errors = doc["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["path"] == "prisma/schema.prisma"
            && e["message"].as_str().is_some_and(|m| m.contains("reason"))),
        "{errors:?}"
    );

    // Expired: the finding is back, and the expiry is a finding of its own.
    let backup = root.join("scripts/database-backup.sh");
    let script = fs::read_to_string(&backup).expect("script");
    fs::write(
        &backup,
        script.replace(
            "sqlite3 prisma/dev.db",
            "# seaworthy:ignore backups-not-offsite until=2020-01-31 -- moving to S3 in January\nsqlite3 prisma/dev.db",
        ),
    )
    .expect("write");
    let (_, doc) = json_report(&root, &[]);
    let rules = rules_of(&doc);
    assert!(
        rules.contains(&"backups-not-offsite".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"suppression-expired".to_string()),
        "{rules:?}"
    );

    // A future date still suppresses.
    fs::write(
        &backup,
        script.replace(
            "sqlite3 prisma/dev.db",
            "# seaworthy:ignore backups-not-offsite until=2999-01-31 -- moving to S3\nsqlite3 prisma/dev.db",
        ),
    )
    .expect("write");
    let (_, doc) = json_report(&root, &[]);
    assert!(!rules_of(&doc).contains(&"backups-not-offsite".to_string()));
}

#[test]
fn config_suppressions_by_rule_and_path_and_expiry() {
    let (_dir, root) = example_copy();
    fs::write(
        root.join("seaworthy.toml"),
        "[[suppress]]\nrule = \"manual-server-deployment\"\npaths = [\"scripts/*.sh\"]\nreason = \"migrating to Fly.io this quarter\"\n\n[[suppress]]\nrule = \"apm-sdk-missing\"\nreason = \"Sentry rollout\"\nexpires = \"2020-06-30\"\n",
    )
    .expect("write");
    let (_, doc) = json_report(&root, &[]);
    let rules = rules_of(&doc);
    assert!(
        !rules.contains(&"manual-server-deployment".to_string()),
        "{rules:?}"
    );
    assert!(rules.contains(&"apm-sdk-missing".to_string()), "{rules:?}");
    let expired = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "suppression-expired")
        .expect("expired");
    assert_eq!(expired["locations"][0]["path"], "seaworthy.toml");
    assert_eq!(doc["suppressed"], 1);
}

#[test]
fn baseline_round_trip_survives_shifted_lines() {
    let (dir, root) = example_copy();
    let baseline = dir.path().join("baseline.json");
    let out = seaworthy()
        .arg("check")
        .arg(&root)
        .arg("--write-baseline")
        .arg(&baseline)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let written: Value =
        serde_json::from_str(&fs::read_to_string(&baseline).expect("baseline")).expect("JSON");
    assert_eq!(written["findings"].as_array().map(Vec::len), Some(6));

    // Shift every evidence line down.
    for file in [
        "prisma/schema.prisma",
        "scripts/database-backup.sh",
        "scripts/bootstrap-ubuntu22.sh",
        "env.example",
    ] {
        let path = root.join(file);
        let text = fs::read_to_string(&path).expect("read");
        let prefix = if file.ends_with(".prisma") {
            "// moved\n// down\n"
        } else {
            "# moved\n# down\n"
        };
        let shifted = match text.strip_prefix("#!/usr/bin/env bash\n") {
            Some(rest) => format!("#!/usr/bin/env bash\n{prefix}{rest}"),
            None => format!("{prefix}{text}"),
        };
        fs::write(&path, shifted).expect("write");
    }
    let baseline_arg = baseline.to_string_lossy().into_owned();
    let (code, doc) = json_report(&root, &["--baseline", &baseline_arg]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(doc["baseline_matched"], 6);

    // Something new is still reported.
    fs::write(root.join("scripts/dump.sh"), "#!/bin/sh\n# nightly backup\nBACKUP_DIR=/var/backups\npg_dump \"$DATABASE_URL\" > \"$BACKUP_DIR/db.sql\"\n").expect("write");
    let (code, doc) = json_report(&root, &["--baseline", &baseline_arg]);
    assert_eq!(code, Some(1));
    assert_eq!(rules_of(&doc), ["backups-not-offsite"]);
}
