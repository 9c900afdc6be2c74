//! The catalog's mechanical fixes (issue 18) on a fixture stack: a compose
//! file, a Dockerfile, a backup script, env files. For each rule: the dry
//! run shows the diff and writes nothing, the fix writes exactly the
//! expected lines (comments and layout kept), the re-check no longer
//! reports the finding, a second run changes nothing, and unsafe fixes wait
//! for --unsafe. The generated compose file passes the Compose schema; the
//! Dockerfile passes hadolint and the script shellcheck under SEAWORTHY_E2E.

use std::path::Path;
use std::process::Command;

mod common;
use common::validate;
use common::{copy_of, e2e, require_tool};

const SAFE: &[&str] = &[
    "compose-depends-on-without-healthcheck",
    "dockerfile-copy-without-dockerignore",
    "env-example-drift",
];
const UNSAFE: &[&str] = &[
    "compose-database-port-exposed",
    "compose-literal-password",
    "compose-database-without-volume",
    "dockerfile-runs-as-root",
    "dockerfile-copies-env-file",
    "backup-script-without-pipefail",
    "committed-env-file",
    "terraform-no-remote-backend",
    "k8s-missing-resources",
    "k8s-not-run-as-non-root",
];

use common::seaworthy_on as seaworthy;

/// `fix --allow-no-vcs [--unsafe] --rule …` over the catalog rules.
fn fix_args(unsafe_too: bool, extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["fix", "--allow-no-vcs"];
    if unsafe_too {
        args.push("--unsafe");
    }
    args.extend_from_slice(extra);
    for rule in SAFE.iter().chain(UNSAFE) {
        args.push("--rule");
        args.push(rule);
    }
    args
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The rules `check` reports on `root`.
fn reported(root: &Path) -> Vec<String> {
    let (_, out, err) = seaworthy(root, &["check", "--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("check json: {e}\n{out}\n{err}"));
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_fixture_has_every_catalog_finding() {
    let (_dir, root) = copy_of("tests/fix_fixtures/compose-stack");
    let found = reported(&root);
    for rule in SAFE.iter().chain(UNSAFE) {
        assert!(
            found.iter().any(|r| r == rule),
            "{rule} not reported: {found:?}"
        );
    }
}

#[test]
fn the_dry_run_shows_each_change_and_writes_nothing() {
    let (_dir, root) = copy_of("tests/fix_fixtures/compose-stack");
    let before = read(&root, "docker-compose.prod.yml");
    let (code, out, err) = seaworthy(&root, &fix_args(true, &["--dry-run"]));
    assert_eq!(code, 0, "{out}\n{err}");
    for line in [
        "-      - db\n",
        "+      db:\n",
        "+        condition: service_healthy\n",
        "+      - \"127.0.0.1:5432:5432\"   # for the nightly report\n",
        "+      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}\n",
        "+USER 1000:1000\n",
        "+set -euo pipefail\n",
        "+/.env.production\n",
        "+LEDGER_WEBHOOK_SECRET=\n",
        "+**/node_modules\n",
    ] {
        assert!(out.contains(line), "the diff lacks {line:?}:\n{out}");
    }
    assert_eq!(before, read(&root, "docker-compose.prod.yml"));
    assert!(!root.join(".dockerignore").exists());
}

#[test]
fn each_fix_removes_its_finding_and_a_second_run_changes_nothing() {
    let (_dir, root) = copy_of("tests/fix_fixtures/compose-stack");
    let (code, out, err) = seaworthy(&root, &fix_args(true, &[]));
    assert_eq!(code, 0, "{out}\n{err}");
    for rule in SAFE.iter().chain(UNSAFE) {
        assert!(
            out.contains(&format!("gone: {rule}")),
            "{rule} not gone:\n{out}"
        );
    }
    assert!(!out.contains("still there"), "{out}");
    assert!(!out.contains("   new: "), "{out}");

    assert_eq!(
        read(&root, "docker-compose.prod.yml"),
        "# Production stack for the ledger API, deployed with `docker compose up -d`.
services:
  api:
    build: .
    restart: unless-stopped
    ports:
      - \"3000:3000\"
    environment:
      DATABASE_URL: postgresql://ledger:${POSTGRES_PASSWORD:?}@db:5432/ledger # same as POSTGRES_PASSWORD
      REDIS_URL: redis://cache:6379
    depends_on:
      db:
        condition: service_healthy
      cache:
        condition: service_started

  db:
    image: postgres:17
    restart: unless-stopped
    environment:
      POSTGRES_USER: ledger
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}
      POSTGRES_DB: ledger
    ports:
      - \"127.0.0.1:5432:5432\"   # for the nightly report
    volumes:
      - pgdata:/var/lib/postgresql/data
    healthcheck:
      test: [\"CMD-SHELL\", \"pg_isready -h 127.0.0.1 -U $${POSTGRES_USER:-postgres}\"]
      interval: 5s
      timeout: 5s
      retries: 10
      start_period: 30s

  cache:
    image: redis:7
    restart: unless-stopped

  audit-db:
    image: mariadb:11
    restart: unless-stopped
    environment:
      MARIADB_ROOT_PASSWORD: ${AUDIT_DB_ROOT_PASSWORD:?}
    volumes:
      - audit-db-data:/var/lib/mysql

volumes:
  pgdata:
  audit-db-data:
"
    );
    assert_eq!(
        read(&root, "Dockerfile"),
        "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY . .\nRUN chown -R 1000:1000 /app\nUSER 1000:1000\nEXPOSE 3000\n# The API\nCMD [\"node\", \"server.js\"]\n"
    );
    let ignore = read(&root, ".dockerignore");
    for line in [
        ".git\n",
        "**/node_modules\n",
        "**/.env\n",
        "**/.env.*\n",
        "!**/.env.example\n",
        "!.env.production\n",
    ] {
        assert!(ignore.contains(line), "{line:?} missing:\n{ignore}");
    }
    let example = read(&root, ".env.example");
    assert!(
        example.starts_with("# The ledger's PostgreSQL and Redis\nDATABASE_URL="),
        "kept: {example}"
    );
    assert!(
        example.contains("# required: read at server.js:7\nLEDGER_WEBHOOK_SECRET=\n"),
        "{example}"
    );
    assert!(example.contains("\nPOSTGRES_PASSWORD=\n"), "{example}");
    assert!(read(&root, "scripts/backup.sh")
        .starts_with("#!/usr/bin/env bash\nset -euo pipefail\n# Nightly dump"));
    assert!(read(&root, ".gitignore").contains("\n/.env.production\n"));
    assert!(
        root.join(".env.production").exists(),
        "the file on disk stays"
    );
    let backend = read(&root, "infra/backend.tf");
    assert!(backend.contains("terraform {\n  backend \"s3\" {\n    encrypt      = true\n    use_lockfile = true\n  }\n}\n"), "{backend}");
    assert!(
        out.contains("cannot rewrite history") || out.contains("does not rewrite history"),
        "{out}"
    );

    let after = reported(&root);
    for rule in SAFE.iter().chain(UNSAFE) {
        assert!(
            !after.iter().any(|r| r == rule),
            "{rule} still reported: {after:?}"
        );
    }
    let (code, again, _) = seaworthy(&root, &fix_args(true, &[]));
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");

    let problems = validate::compose(&root.join("docker-compose.prod.yml"));
    assert!(problems.is_empty(), "compose schema: {problems:#?}");
    let manifest = read(&root, "k8s/api.yaml");
    assert!(manifest.contains("              port: 3000\n          resources:\n            requests:\n              cpu: 100m\n              memory: 256Mi\n            limits:\n              memory: 512Mi\n          securityContext:\n            runAsNonRoot: true\n"), "{manifest}");
    let problems = validate::kubernetes_manifest(&root.join("k8s/api.yaml"));
    assert!(problems.is_empty(), "Kubernetes schema: {problems:#?}");
    if e2e("catalog fixes: hadolint and shellcheck") {
        require_tool("hadolint");
        require_tool("shellcheck");
        assert_eq!(
            validate::hadolint(&root.join("Dockerfile")),
            Vec::<String>::new()
        );
        assert_eq!(
            validate::shellcheck(&root.join("scripts/backup.sh")),
            Vec::<String>::new()
        );
    }
}

#[test]
fn unsafe_fixes_wait_for_the_flag() {
    let (_dir, root) = copy_of("tests/fix_fixtures/compose-stack");
    let (code, out, err) = seaworthy(&root, &fix_args(false, &[]));
    assert_eq!(code, 0, "{out}\n{err}");
    for rule in SAFE {
        assert!(out.contains(&format!("gone: {rule}")), "{rule}:\n{out}");
    }
    for rule in UNSAFE {
        assert!(
            !out.contains(&format!("gone: {rule}")),
            "{rule} applied without --unsafe:\n{out}"
        );
    }
    assert!(out.contains("pass --unsafe"), "{out}");
    assert!(read(&root, "docker-compose.prod.yml").contains("POSTGRES_PASSWORD: k7Qw2vXp9s\n"));
    assert!(read(&root, "Dockerfile").find("USER").is_none());
}

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(root)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_tracked_env_file_is_ignored_and_its_untracking_named_not_claimed() {
    let (_dir, root) = copy_of("tests/fix_fixtures/compose-stack");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "init"]);
    let args = ["fix", "--unsafe", "--rule", "committed-env-file"];
    let (code, out, err) = seaworthy(&root, &args);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("git rm --cached -- .env.production"), "{out}");
    assert!(
        out.contains("still there: committed-env-file (.) — written but not in effect: git still tracks .env.production"),
        "the re-check does not claim it fixed: {out}"
    );
    assert!(out.contains("does not rewrite history"), "{out}");
    git(&root, &["rm", "-q", "--cached", "--", ".env.production"]);
    git(&root, &["commit", "-qam", "untrack"]);
    assert!(root.join(".env.production").exists());
    assert!(!reported(&root).iter().any(|r| r == "committed-env-file"));
    let (_, again, _) = seaworthy(&root, &args);
    assert!(again.starts_with("nothing to fix"), "{again}");
}

#[test]
fn an_existing_dockerignore_is_completed_and_its_choices_kept() {
    let (_dir, root) = copy_of("tests/fix_fixtures/compose-stack");
    // The project keeps its example out of the image on purpose, and the
    // build stamps the version from git.
    std::fs::write(root.join(".dockerignore"), "**/node_modules\n.env.example").expect("write");
    let dockerfile = read(&root, "Dockerfile")
        .replace("COPY . .\n", "COPY . .\nRUN git rev-parse HEAD > VERSION\n");
    std::fs::write(root.join("Dockerfile"), dockerfile).expect("write");
    let args = [
        "fix",
        "--allow-no-vcs",
        "--rule",
        "dockerfile-copy-without-dockerignore",
    ];
    let (code, out, err) = seaworthy(&root, &args);
    assert_eq!(code, 0, "{out}\n{err}");
    let ignore = read(&root, ".dockerignore");
    assert!(
        ignore.starts_with("**/node_modules\n.env.example\n\n# added by seaworthy fix\n"),
        "{ignore}"
    );
    assert!(ignore.contains("**/.env\n**/.env.*\n"), "{ignore}");
    assert!(
        !ignore.contains("!**/.env.example"),
        "the project's exclusion stays: {ignore}"
    );
    assert!(
        !ignore.contains("\n.git\n"),
        "the build reads .git: {ignore}"
    );
    assert!(
        out.contains("written but not in effect: the build runs git"),
        "{out}"
    );
}
