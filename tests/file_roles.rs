//! The file-role model as the user sees it (`seaworthy explain --files`)
//! and as the rules use it: one decision per file, the same for both.

use assert_cmd::Command;

const SHOP: &str = "tests/file-roles/shop";

fn seaworthy() -> Command {
    Command::cargo_bin("seaworthy").expect("binary builds")
}

fn explain(args: &[&str]) -> String {
    let out = seaworthy()
        .args(["explain", "--root", SHOP, "--files"])
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn every_deployment_file_of_a_folder_with_its_evidence() {
    insta::assert_snapshot!("shop_text", explain(&[SHOP]));
}

#[test]
fn json_lists_path_kind_role_and_evidence() {
    let out = seaworthy()
        .args([
            "explain", "--root", SHOP, "--format", "json", "--files", SHOP,
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // The root is where the test runs from; the files are what matter.
    insta::assert_json_snapshot!("shop_json", json["files"]);
}

#[test]
fn one_file_and_a_missing_one() {
    let text = explain(&[
        &format!("{SHOP}/Dockerfile.bun"),
        &format!("{SHOP}/no-such-file"),
    ]);
    assert!(
        text.starts_with("Dockerfile.bun (dockerfile): dead\n"),
        "{text}"
    );
    assert!(text.contains("no-such-file: not audited"), "{text}");
}

#[test]
fn a_path_outside_the_root_is_exit_2() {
    seaworthy()
        .args(["explain", "--root", SHOP, "--files", "src/main.rs"])
        .assert()
        .code(2);
}

#[test]
fn explain_needs_a_rule_or_files() {
    seaworthy().args(["explain"]).assert().code(2);
}

/// The rules read the same roles: nothing is reported about the dead,
/// tool, example or dev images, nor about the CI-only compose file's
/// exposed database port; the production compose file and Dockerfile are
/// read.
#[test]
fn rules_follow_the_roles() {
    let out = seaworthy()
        .args(["check", SHOP, "--format", "json", "--fail-on", "none"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = json["findings"].as_array().expect("findings");
    for f in findings {
        for l in f["locations"].as_array().expect("locations") {
            let path = l["path"].as_str().unwrap_or("");
            assert!(
                !matches!(
                    path,
                    "Dockerfile.bun"
                        | "Dockerfile.dev"
                        | "tools/protogen/Dockerfile"
                        | "examples/blog/Dockerfile"
                        | ".devcontainer/Dockerfile"
                        | "docker-compose.build.yml"
                        | "docker-compose.dev.yml"
                ),
                "{} reported on {path}",
                f["rule"]
            );
        }
    }
    // The production pair is audited: its compose file's service has no
    // healthcheck, which is reported on docker-compose.yml.
    assert!(
        findings.iter().any(|f| f["locations"]
            .as_array()
            .is_some_and(|ls| ls.iter().any(|l| l["path"] == "docker-compose.yml"))),
        "{findings:#?}"
    );
}

const STACK: &str = "tests/file-roles/stack";

fn check_stack() -> Vec<serde_json::Value> {
    let out = seaworthy()
        .args(["check", STACK, "--format", "json", "--fail-on", "none"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    json["findings"].as_array().expect("findings").clone()
}

fn on(findings: &[serde_json::Value], rule: &str, path: &str) -> bool {
    findings.iter().any(|f| {
        f["rule"] == rule
            && f["locations"]
                .as_array()
                .is_some_and(|ls| ls.iter().any(|l| l["path"] == path))
    })
}

/// The roles of the second fixture, with their evidence: a compose file
/// a deploy script ships, a production-named one only CI starts, a
/// toolchain image others copy from, a development `.env`, shell scripts
/// by purpose and source files by role.
#[test]
fn stack_roles_with_their_evidence() {
    let text = {
        let out = seaworthy()
            .args(["explain", "--root", STACK, "--files", STACK])
            .args([
                format!("{STACK}/src/seed.js"),
                format!("{STACK}/src/server.js"),
                format!("{STACK}/frontend/scripts/e2e-server.js"),
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    insta::assert_snapshot!("stack_text", text);
}

/// One compose file is a deployment for every rule: `docker-compose.yml`
/// has no restart policy, but `deploy.sh` copies it to the server — the
/// backup rule and the port rule both report it (before, only the backup
/// rule did).
#[test]
fn a_shipped_compose_file_is_a_deployment_for_every_rule() {
    let findings = check_stack();
    assert!(
        on(&findings, "database-without-backup", "docker-compose.yml"),
        "{findings:#?}"
    );
    assert!(
        on(
            &findings,
            "compose-database-port-exposed",
            "docker-compose.yml"
        ),
        "{findings:#?}"
    );
}

/// The false alarms of held-out group 3, each in general: a
/// production-named compose file only CI starts, a toolchain image other
/// images `COPY --from`, a front end whose `express` serves only its e2e
/// test, and a development `.env` loaded by the override file.
#[test]
fn no_finding_on_files_that_are_not_production() {
    let findings = check_stack();
    assert!(
        !on(
            &findings,
            "compose-literal-password",
            "docker-compose.release.yml"
        ),
        "{findings:#?}"
    );
    assert!(
        !on(
            &findings,
            "dockerfile-runs-as-root",
            "docker/imagemagick/Dockerfile"
        ),
        "{findings:#?}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["locations"]
                .as_array()
                .is_some_and(|ls| ls.iter().any(|l| l["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("frontend/"))))),
        "{findings:#?}"
    );
    assert!(
        !on(&findings, "committed-env-file", ".env"),
        "{findings:#?}"
    );
}
