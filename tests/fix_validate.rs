//! The validation harness (tests/common/validate.rs) over what `seaworthy
//! fix` generates: hadolint on Dockerfiles, shellcheck on shell scripts, the
//! Compose Specification and Kubernetes JSON schemas, `prisma validate`.
//!
//! The schema checks need nothing installed and always run. The rest follow
//! the SEAWORTHY_E2E policy: skipped loudly without it, failing when a tool is
//! missing with it (`.ci/e2e-setup.sh` installs them).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::validate::{self, Kind};
use common::{apply, copy_dir, e2e, repo_path, require_env, require_tool, run};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn schemas_accept_valid_files_and_reject_invalid_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good_compose = write(
        dir.path(),
        "compose.yaml",
        "services:\n  web:\n    build: .\n    ports: [\"3000:3000\"]\n    depends_on:\n      db: {condition: service_healthy}\n  db:\n    image: postgres:17\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -h 127.0.0.1 -U $$POSTGRES_USER\"]\n      interval: 5s\nvolumes:\n  data: {}\n",
    );
    assert_eq!(validate::classify(&good_compose), Kind::Compose);
    assert_eq!(validate::compose(&good_compose), Vec::<String>::new());
    let bad_compose = write(
        dir.path(),
        "bad/docker-compose.yml",
        "services:\n  web:\n    image: x\n    depends_on:\n      db: {condition: when_ready}\n    helthcheck: {}\n",
    );
    let problems = validate::compose(&bad_compose);
    assert!(
        problems.len() >= 2,
        "an unknown key and a bad enum: {problems:#?}"
    );

    let good_k8s = write(
        dir.path(),
        "k8s/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1.0.0\n          ports: [{containerPort: 3000}]\n          readinessProbe: {httpGet: {path: /api/health/ready, port: 3000}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 3000}]\n",
    );
    assert_eq!(validate::classify(&good_k8s), Kind::Kubernetes);
    assert_eq!(
        validate::kubernetes_manifest(&good_k8s),
        Vec::<String>::new()
    );
    let bad_k8s = write(
        dir.path(),
        "k8s/bad.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: two\n  selector: {matchLabels: {app: web}}\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web\n          livenessProbes: {}\n---\napiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: old}\n",
    );
    let problems = validate::kubernetes_manifest(&bad_k8s);
    assert!(
        problems.iter().any(|p| p.contains("replicas")),
        "a string replica count: {problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("livenessProbes")),
        "an unknown field (strict schema): {problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("no such kind")),
        "a removed API version: {problems:#?}"
    );
}

#[test]
fn tools_catch_what_they_should() {
    if !e2e("tools_catch_what_they_should") {
        return;
    }
    require_tool("shellcheck");
    require_tool("hadolint");
    let dir = tempfile::tempdir().expect("tempdir");
    // SC2164 (cd without || exit) is a warning: it fails; SC2086 is info: it passes.
    let warning = write(dir.path(), "warn.sh", "#!/bin/sh\ncd /tmp\necho done\n");
    assert!(!validate::shellcheck(&warning).is_empty());
    let info = write(
        dir.path(),
        "info.sh",
        "#!/bin/sh\nset -eu\nx=\"a b\"\necho $x\n",
    );
    assert_eq!(validate::shellcheck(&info), Vec::<String>::new());
    // DL3000 (relative WORKDIR) is an error; DL3007 (latest) only a warning.
    let error = write(dir.path(), "Dockerfile", "FROM node:22-slim\nWORKDIR app\n");
    assert!(!validate::hadolint(&error).is_empty());
    let warn = write(
        dir.path(),
        "w/Dockerfile",
        "FROM node:latest\nWORKDIR /app\n",
    );
    assert_eq!(validate::hadolint(&warn), Vec::<String>::new());
    // prisma validate, with the CLI of the app's major: the example is on
    // Prisma 7 (URL in prisma.config.ts), the PostgreSQL fixture on Prisma 6.
    require_env("SEAWORTHY_PRISMA");
    let v6 = dir.path().join("v6");
    copy_dir(&repo_path("tests/fix_fixtures/pg-backup-app"), &v6);
    assert_eq!(
        validate::prisma(&v6.join("prisma/schema.prisma")),
        Vec::<String>::new()
    );
    let v6_schema = std::fs::read_to_string(v6.join("prisma/schema.prisma")).expect("schema");
    std::fs::write(
        v6.join("prisma/schema.prisma"),
        v6_schema.replace("postgresql", "postgress"),
    )
    .expect("write");
    assert!(!validate::prisma(&v6.join("prisma/schema.prisma")).is_empty());
    let schema = std::fs::read_to_string(repo_path(
        "examples/nextjs-prisma-pet-server/prisma/schema.prisma",
    ))
    .expect("schema");
    let good = write(dir.path(), "good/schema.prisma", &schema);
    assert_eq!(validate::prisma(&good), Vec::<String>::new());
    let bad = write(
        dir.path(),
        "bad/schema.prisma",
        &schema.replace("Int         @id", "Integer     @id"),
    );
    assert!(!validate::prisma(&bad).is_empty());
}

#[test]
fn generated_backup_files_validate() {
    if !e2e("generated_backup_files_validate") {
        return;
    }
    require_tool("shellcheck");
    let mut checked = 0;
    for src in [
        "tests/fix_fixtures/pg-backup-app",
        "tests/fix_fixtures/mysql-backup-app",
        "examples/nextjs-prisma-pet-server",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&repo_path(src), dir.path());
        let plans = seaworthy::fix::backup::plans_for_root(dir.path());
        assert_eq!(plans.len(), 1, "{src}");
        let files = apply(&plans[0], dir.path());
        let (problems, seen) = validate::validate_files(&files);
        assert!(problems.is_empty(), "{src}:\n{}", problems.join("\n"));
        assert!(
            seen.iter().filter(|(_, k)| *k == Kind::Shell).count() >= 3,
            "{src}: {seen:?}"
        );
        checked += files.len();
    }
    eprintln!("validated {checked} generated backup files");
}

/// Path → content of every file under `root`.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    validate::files_under(root)
        .into_iter()
        .map(|p| {
            let content = std::fs::read(&p).expect("read");
            (p, content)
        })
        .collect()
}

/// Runs `seaworthy fix` with `args` on a copy of `src` and validates every
/// file it created or changed. Returns the kinds it saw.
fn fix_and_validate(src: &str, args: &[&str]) -> Vec<(PathBuf, Kind)> {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_path(src), dir.path());
    let before = tree(dir.path());
    let (out, _) = run(Command::new(env!("CARGO_BIN_EXE_seaworthy"))
        .args(["fix", "--allow-no-vcs"])
        .args(args)
        .arg(dir.path()));
    assert!(out.status.success(), "seaworthy fix {args:?} on {src}");
    let after = tree(dir.path());
    let changed: Vec<PathBuf> = after
        .iter()
        .filter(|(p, c)| before.get(*p) != Some(c))
        .map(|(p, _)| p.clone())
        .collect();
    assert!(!changed.is_empty(), "the fix changed nothing in {src}");
    let (problems, seen) = validate::validate_files(&changed);
    assert!(
        problems.is_empty(),
        "{src} ({args:?}): {} problem(s)\n{}",
        problems.len(),
        problems.join("\n")
    );
    let names: Vec<String> = seen
        .iter()
        .map(|(p, k)| {
            format!(
                "{:?} {}",
                k,
                p.strip_prefix(dir.path()).unwrap_or(p).display()
            )
        })
        .collect();
    eprintln!(
        "{src}: validated {} files:\n  {}",
        seen.len(),
        names.join("\n  ")
    );
    seen
}

#[test]
fn seaworthy_fix_output_for_the_example_app_validates() {
    if !e2e("seaworthy_fix_output_for_the_example_app_validates") {
        return;
    }
    for tool in ["shellcheck", "hadolint"] {
        require_tool(tool);
    }
    require_env("SEAWORTHY_PRISMA");
    let seen = fix_and_validate(
        "examples/nextjs-prisma-pet-server",
        &["--unsafe", "--deploy-target", "kubernetes"],
    );
    for kind in [
        Kind::Dockerfile,
        Kind::Shell,
        Kind::Compose,
        Kind::Kubernetes,
        Kind::Prisma,
    ] {
        assert!(
            seen.iter().any(|(_, k)| *k == kind),
            "the fix generated no {kind:?}: {seen:?}"
        );
    }
}

#[test]
fn seaworthy_fix_output_for_the_fix_fixtures_validates() {
    if !e2e("seaworthy_fix_output_for_the_fix_fixtures_validates") {
        return;
    }
    for tool in ["shellcheck", "hadolint"] {
        require_tool(tool);
    }
    require_env("SEAWORTHY_PRISMA");
    let fixtures = std::fs::read_dir(repo_path("tests/fix_fixtures")).expect("fix fixtures");
    let mut names: Vec<String> = fixtures
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        fix_and_validate(
            &format!("tests/fix_fixtures/{name}"),
            &["--unsafe", "--deploy-target", "kubernetes"],
        );
    }
}
