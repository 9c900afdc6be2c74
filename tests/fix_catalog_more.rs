//! The second batch of catalog fixes (issue 18) on a Next.js 14 shop with a
//! Dockerfile, a Kubernetes Deployment, a compose file and a backup script:
//! for each rule the fix removes the finding and reports nothing new, a
//! second run changes nothing, unsafe fixes wait for --unsafe, and the
//! results pass the Kubernetes and Compose schemas (hadolint and shellcheck
//! under SEAWORTHY_E2E).

use std::path::Path;

mod common;
use common::validate;
use common::{copy_of, e2e, require_tool};

use common::seaworthy_on as seaworthy;

const FIXTURE: &str = "tests/fix_fixtures/catalog-next";

const SAFE: &[&str] = &["nextjs-health-route-cached", "backup-without-restore-test"];
const UNSAFE: &[&str] = &[
    "dockerfile-install-ignores-lockfile",
    "k8s-missing-readiness-probe",
    "k8s-liveness-checks-database",
    "k8s-single-replica",
    "backup-without-retention",
    "prisma-migrate-dev-in-production",
    "hardcoded-fallback-secret",
];

fn fix_args(unsafe_too: bool, rules: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["fix", "--allow-no-vcs"];
    if unsafe_too {
        args.push("--unsafe");
    }
    for rule in rules {
        args.push("--rule");
        args.push(rule);
    }
    args
}

fn all_rules() -> Vec<&'static str> {
    SAFE.iter().chain(UNSAFE).copied().collect()
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

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
fn each_fix_removes_its_finding_and_a_second_run_changes_nothing() {
    let (_dir, root) = copy_of(FIXTURE);
    let before = reported(&root);
    for rule in all_rules() {
        assert!(
            before.iter().any(|r| r == rule),
            "{rule} not reported: {before:?}"
        );
    }
    let (code, out, err) = seaworthy(&root, &fix_args(true, &all_rules()));
    assert_eq!(code, 0, "{out}\n{err}");
    for rule in all_rules() {
        assert!(
            out.contains(&format!("gone: {rule}")),
            "{rule} not gone:\n{out}"
        );
    }
    assert!(!out.contains("still there"), "{out}");
    assert!(!out.contains("   new: "), "{out}");
    let after = reported(&root);
    for rule in all_rules() {
        assert!(
            !after.iter().any(|r| r == rule),
            "{rule} still reported: {after:?}"
        );
    }
    // Nothing the fixes wrote raised another finding.
    let mut remaining: Vec<String> = after.clone();
    remaining.sort();
    let mut expected: Vec<String> = before
        .iter()
        .filter(|r| !all_rules().contains(&r.as_str()))
        .cloned()
        .collect();
    expected.sort();
    assert_eq!(remaining, expected);

    assert_eq!(
        read(&root, "Dockerfile"),
        "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nEXPOSE 3000\nUSER 1000:1000\nCMD [\"npm\", \"start\"]\n"
    );
    let manifest = read(&root, "k8s/web.yaml");
    for part in [
        "spec:\n  replicas: 2\n  selector:\n",
        "          livenessProbe:\n            httpGet:\n              path: /api/health/live\n              port: 3000\n",
        "          readinessProbe:\n            httpGet:\n              path: /api/health/ready\n              port: 3000\n            periodSeconds: 5\n",
        "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: shop\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: shop\n",
    ] {
        assert!(manifest.contains(part), "{part:?} missing:\n{manifest}");
    }
    assert!(!manifest.contains("pg_isready"), "{manifest}");
    assert!(
        manifest.starts_with("# The shop on the cluster.\n"),
        "comment kept"
    );
    let problems = validate::kubernetes_manifest(&root.join("k8s/web.yaml"));
    assert!(problems.is_empty(), "Kubernetes schema: {problems:#?}");

    assert!(read(&root, "app/api/health/live/route.ts").contains(
        "import { NextResponse } from \"next/server\";\n\nexport const dynamic = \"force-dynamic\";\n\n// The process answers"
    ));
    assert!(read(&root, "package.json")
        .contains("\"build\": \"prisma generate && prisma migrate deploy && next build\","));
    assert!(read(&root, "lib/auth.ts").contains(
        "const secret = (process.env.SESSION_SECRET || (() => { throw new Error(\"SESSION_SECRET is not set\"); })());"
    ));
    assert!(read(&root, ".env.example").contains("\nSESSION_SECRET=\n"));
    assert!(read(&root, "scripts/backup.sh").contains(
        "> \"$FILE\"\n# Keep BACKUP_RETENTION_DAYS days of dumps (added by seaworthy fix).\nfind \"$BACKUP_DIR\" -maxdepth 1 -type f -name 'shop-*.dump' -mtime +\"${BACKUP_RETENTION_DAYS:-14}\" -delete\naws s3 cp"
    ));
    let check = read(&root, "scripts/restore-check.sh");
    assert!(
        check.contains("pg_restore --list \"$dump\" > /dev/null\n"),
        "{check}"
    );

    let (code, again, _) = seaworthy(&root, &fix_args(true, &all_rules()));
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");

    if e2e("catalog fixes (second batch): hadolint and shellcheck") {
        require_tool("hadolint");
        require_tool("shellcheck");
        assert_eq!(
            validate::hadolint(&root.join("Dockerfile")),
            Vec::<String>::new()
        );
        for script in ["scripts/backup.sh", "scripts/restore-check.sh"] {
            assert_eq!(
                validate::shellcheck(&root.join(script)),
                Vec::<String>::new()
            );
        }
    }
}

#[test]
fn the_dry_run_writes_nothing_and_unsafe_fixes_wait_for_the_flag() {
    let (_dir, root) = copy_of(FIXTURE);
    let (code, out, err) = seaworthy(&root, &{
        let mut a = fix_args(true, &all_rules());
        a.push("--dry-run");
        a
    });
    assert_eq!(code, 0, "{out}\n{err}");
    for line in [
        "-RUN npm install\n",
        "+RUN npm ci\n",
        "+  replicas: 2\n",
        "+export const dynamic = \"force-dynamic\";\n",
    ] {
        assert!(out.contains(line), "the diff lacks {line:?}:\n{out}");
    }
    assert_eq!(
        read(&root, "Dockerfile"),
        std::fs::read_to_string(Path::new(FIXTURE).join("Dockerfile")).expect("fixture")
    );
    assert!(!root.join("scripts/restore-check.sh").exists());

    let (code, out, err) = seaworthy(&root, &fix_args(false, &all_rules()));
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
    assert!(read(&root, "Dockerfile").contains("RUN npm install\n"));
}

#[test]
fn a_compose_service_gets_a_healthcheck_on_the_liveness_route() {
    let (_dir, root) = copy_of(FIXTURE);
    // Without the Deployment nothing else probes the container.
    std::fs::remove_dir_all(root.join("k8s")).expect("remove k8s");
    let rule = "container-without-healthcheck";
    assert!(reported(&root).iter().any(|r| r == rule));
    let (code, out, err) = seaworthy(&root, &fix_args(false, &[rule]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("gone: {rule}")), "{out}");
    assert!(!out.contains("   new: "), "{out}");
    let compose = read(&root, "docker-compose.prod.yml");
    assert!(compose.starts_with("# The shop, as it runs on the single production host.\n"));
    assert!(compose.contains("      DATABASE_URL: ${DATABASE_URL:?}\n    healthcheck:\n      test: [\"CMD\", \"node\", \"-e\", \"fetch('http://127.0.0.1:'+(3000)+'/api/health/live',"), "{compose}");
    let problems = validate::compose(&root.join("docker-compose.prod.yml"));
    assert!(problems.is_empty(), "compose schema: {problems:#?}");
    let (_, again, _) = seaworthy(&root, &fix_args(false, &[rule]));
    assert!(again.starts_with("nothing to fix"), "{again}");
}

#[test]
fn health_routes_written_in_the_same_run_are_probed() {
    let (_dir, root) = copy_of(FIXTURE);
    std::fs::remove_dir_all(root.join("k8s")).expect("remove k8s");
    std::fs::remove_dir_all(root.join("app/api/health")).expect("remove the routes");
    let rules = ["missing-health-endpoint", "container-without-healthcheck"];
    let found = reported(&root);
    for rule in rules {
        assert!(found.iter().any(|r| r == rule), "{rule}: {found:?}");
    }
    let (code, out, err) = seaworthy(&root, &fix_args(false, &rules));
    assert_eq!(code, 0, "{out}\n{err}");
    for rule in rules {
        assert!(out.contains(&format!("gone: {rule}")), "{rule}:\n{out}");
    }
    assert!(root.join("app/api/health/live/route.ts").exists());
    let compose = read(&root, "docker-compose.prod.yml");
    assert!(compose.contains("+'/api/health/live',"), "{compose}");
    let (_, again, _) = seaworthy(&root, &fix_args(false, &rules));
    assert!(again.starts_with("nothing to fix"), "{again}");
}

#[test]
fn a_dump_copied_to_a_plain_host_is_encrypted_first() {
    let (_dir, root) = copy_of(FIXTURE);
    let script = read(&root, "scripts/backup.sh").replace(
        "aws s3 cp \"$FILE\" \"s3://acme-backups/shop/\" --sse AES256\n",
        "scp \"$FILE\" backup@vault.example.com:/srv/backups/shop/\n",
    );
    std::fs::write(root.join("scripts/backup.sh"), script).expect("write");
    let rule = "backup-not-encrypted";
    assert!(reported(&root).iter().any(|r| r == rule));
    let (code, out, err) = seaworthy(&root, &fix_args(false, &[rule]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        !out.contains(&format!("gone: {rule}")),
        "unsafe: waits for --unsafe\n{out}"
    );
    let (code, out, err) = seaworthy(&root, &fix_args(true, &[rule]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("gone: {rule}")), "{out}");
    assert!(!out.contains("   new: "), "{out}");
    assert!(read(&root, "scripts/backup.sh").ends_with("printf '%s' \"$BACKUP_ENCRYPTION_PASSPHRASE\" | gpg --batch --yes --pinentry-mode loopback --passphrase-fd 0 --symmetric --cipher-algo AES256 --output \"$FILE.gpg\" \"$FILE\"\nscp \"$FILE.gpg\" backup@vault.example.com:/srv/backups/shop/\nrm -f \"$FILE.gpg\"\n"));
    let (_, again, _) = seaworthy(&root, &fix_args(true, &[rule]));
    assert!(again.starts_with("nothing to fix"), "{again}");
    if e2e("backup encryption fix: shellcheck") {
        require_tool("shellcheck");
        assert_eq!(
            validate::shellcheck(&root.join("scripts/backup.sh")),
            Vec::<String>::new()
        );
    }
}

#[test]
fn a_db_push_project_is_told_it_needs_a_baseline_migration() {
    let (_dir, root) = copy_of(FIXTURE);
    std::fs::remove_dir_all(root.join("prisma/migrations")).expect("remove migrations");
    let rule = "prisma-migrate-dev-in-production";
    let (code, out, err) = seaworthy(&root, &fix_args(true, &[rule]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("uses `db push`") && out.contains("baseline"),
        "{out}"
    );
    assert!(read(&root, "package.json").contains("prisma migrate dev --name deploy"));
}

#[test]
fn django_debug_and_secret_fail_closed() {
    let (_dir, root) = copy_of("tests/fix_fixtures/django-app");
    let settings = read(&root, "mysite/settings.py").replace(
        "DEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\"",
        "DEBUG = True",
    );
    std::fs::write(root.join("mysite/settings.py"), settings).expect("write");
    // The health fix edits the settings first (its URL and app): the
    // catalog fixes find their lines again by what they hold.
    let rules = [
        "missing-health-endpoint",
        "debug-enabled-in-production",
        "hardcoded-fallback-secret",
    ];
    for rule in rules {
        assert!(reported(&root).iter().any(|r| r == rule), "{rule}");
    }
    let (code, out, err) = seaworthy(&root, &fix_args(true, &rules));
    assert_eq!(code, 0, "{out}\n{err}");
    for rule in rules {
        assert!(out.contains(&format!("gone: {rule}")), "{rule}:\n{out}");
    }
    assert!(!out.contains("   new: "), "{out}");
    let settings = read(&root, "mysite/settings.py");
    assert!(settings.contains("\nSECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\nDEBUG = os.environ.get(\"DJANGO_DEBUG\", \"\") == \"1\"\n"), "{settings}");
    assert!(out.contains("ALLOWED_HOSTS"), "{out}");
    // The example lists the now-required variable already: not twice.
    assert_eq!(
        read(&root, ".env.example")
            .matches("DJANGO_SECRET_KEY=")
            .count(),
        1
    );
    let (_, again, _) = seaworthy(&root, &fix_args(true, &rules));
    assert!(again.starts_with("nothing to fix"), "{again}");
    if let Some(python) = common::which("python3") {
        let status = std::process::Command::new(python)
            .args(["-m", "py_compile"])
            .arg(root.join("mysite/settings.py"))
            .status()
            .expect("python runs");
        assert!(status.success(), "the settings still compile");
    }
}
