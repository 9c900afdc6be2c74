//! The binary's contract: subcommands, formats, exit codes, errors.

use std::fs;

use assert_cmd::Command;

const EXAMPLE: &str = "examples/nextjs-prisma-pet-server";
const TWIN: &str = "examples/nextjs-prisma-production-ready";

fn seaworthy() -> Command {
    Command::cargo_bin("seaworthy").expect("binary builds")
}

#[test]
fn findings_exit_1_and_clean_repo_exits_0() {
    seaworthy().args(["check", EXAMPLE]).assert().code(1);
    seaworthy().args(["check", TWIN]).assert().code(0);
}

#[test]
fn fail_on_sets_the_threshold() {
    // The example's worst finding is critical.
    seaworthy()
        .args(["check", EXAMPLE, "--fail-on", "critical"])
        .assert()
        .code(1);
    seaworthy()
        .args(["check", EXAMPLE, "--fail-on", "none"])
        .assert()
        .code(0);
    seaworthy()
        .args(["check", EXAMPLE, "--fail-on", "severe"])
        .assert()
        .code(2);
}

#[test]
fn missing_path_is_exit_2() {
    seaworthy()
        .args(["check", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no such directory"));
}

#[test]
fn json_follows_the_schema() {
    let out = seaworthy()
        .args(["check", EXAMPLE, "--format", "json"])
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["tool"]["name"], "seaworthy");
    assert_eq!(doc["root"], EXAMPLE);
    assert_eq!(doc["apps"][0]["path"], ".");
    assert_eq!(doc["apps"][0]["name"], "acme-storefront");
    let stacks = doc["apps"][0]["stacks"].as_array().expect("stacks");
    assert!(stacks.iter().any(|s| s == "nextjs") && stacks.iter().any(|s| s == "prisma"));
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 6);
    for f in findings {
        for key in [
            "rule", "code", "severity", "category", "title", "message", "impact", "fix",
        ] {
            assert!(f[key].is_string(), "{key} missing in {f}");
        }
        assert!(f["app"].is_string() || f["app"].is_null());
        let loc = &f["locations"][0];
        assert!(loc["path"].is_string() && loc["line"].as_u64().is_some_and(|l| l >= 1));
    }
    let sqlite = findings
        .iter()
        .find(|f| f["rule"] == "sqlite-in-production")
        .expect("sqlite");
    assert_eq!(sqlite["code"], "SW601");
    assert_eq!(sqlite["severity"], "critical");
    assert_eq!(sqlite["category"], "database-backups");
    assert_eq!(sqlite["app"], ".");
    assert_eq!(sqlite["locations"][0]["path"], "prisma/schema.prisma");
    assert_eq!(sqlite["locations"][0]["line"], 10);
    let deploy = findings
        .iter()
        .find(|f| f["rule"] == "manual-server-deployment")
        .expect("deploy");
    assert!(deploy["app"].is_null(), "repo-wide finding");
    assert_eq!(doc["errors"].as_array().map(Vec::len), Some(0));
}

#[test]
fn malformed_files_are_errors_and_the_audit_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    fs::create_dir_all(root.join("apps/web/prisma")).expect("mkdir");
    fs::create_dir_all(root.join("apps/broken")).expect("mkdir");
    fs::write(
        root.join("package.json"),
        r#"{"name":"mono","private":true,"workspaces":["apps/*"]}"#,
    )
    .expect("write");
    fs::write(
        root.join("apps/web/package.json"),
        r#"{"name":"web","scripts":{"dev":"next dev"},"dependencies":{"next":"15.0.0"}}"#,
    )
    .expect("write");
    fs::write(
        root.join("apps/web/prisma/schema.prisma"),
        "datasource db {\n  provider = \"sqlite\"\n  url = env(\"DATABASE_URL\")\n}\n",
    )
    .expect("write");
    fs::write(
        root.join("apps/broken/package.json"),
        "{ \"name\": \"broken\", ",
    )
    .expect("write");
    fs::write(root.join("compose.yaml"), "services:\n  web: [\n").expect("write");

    let out = seaworthy()
        .args(["check", &root.to_string_lossy(), "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let errors = doc["errors"].as_array().expect("errors");
    let paths: Vec<&str> = errors.iter().filter_map(|e| e["path"].as_str()).collect();
    assert!(paths.contains(&"apps/broken/package.json"), "{errors:?}");
    assert!(paths.contains(&"compose.yaml"), "{errors:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("apps/broken/package.json"), "{stderr}");
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"sqlite-in-production"), "{rules:?}");
    assert_eq!(doc["apps"][0]["path"], "apps/web");
}

#[test]
fn rules_and_explain() {
    let out = seaworthy().arg("rules").output().expect("runs");
    let table = String::from_utf8_lossy(&out.stdout);
    let header = table.lines().next().unwrap_or_default();
    for column in ["CODE", "NAME", "CATEGORY", "SEVERITY", "FIXABLE"] {
        assert!(header.contains(column), "{header}");
    }
    for name in [
        "missing-container-config",
        "manual-server-deployment",
        "apm-sdk-missing",
        "missing-health-endpoint",
        "backups-not-offsite",
        "sqlite-in-production",
    ] {
        assert!(table.contains(name), "{name} not listed");
    }
    seaworthy()
        .args(["explain", "sqlite-in-production"])
        .assert()
        .success()
        .stdout(predicates::str::contains("## Why is this bad?"));
    seaworthy().args(["explain", "SW601"]).assert().success();
    seaworthy()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2);
}

#[test]
fn text_has_no_colour_when_piped() {
    let out = seaworthy().args(["check", EXAMPLE]).output().expect("runs");
    assert!(!out.stdout.contains(&0x1b), "escape codes in piped output");
}
