//! The third batch of catalog fixes (issue 18) on a two-app shop whose
//! Kubernetes manifests live in a shared folder and are not named after the
//! apps: the single-stage API Dockerfile is split into build and run
//! stages, both health handlers race their database call against a timer,
//! and each Deployment gets the probes of the app it runs (matched by the
//! image compose builds and by its labels) while the database StatefulSet
//! gets none of the apps' routes. Each fix removes its finding and nothing
//! new appears, a second run changes nothing, the manifests pass the
//! Kubernetes schema; hadolint at its default threshold and a real
//! `npm install`/build/prune of the split stages under SEAWORTHY_E2E.

use std::path::Path;
use std::process::Command;

mod common;
use common::validate;
use common::{copy_of, e2e, require_tool};

use common::seaworthy_on as seaworthy;

const FIXTURE: &str = "tests/fix_fixtures/catalog-split";

const RULES: &[&str] = &[
    "dockerfile-single-stage-build",
    "health-check-without-timeout",
    "k8s-missing-readiness-probe",
];

fn fix_args(unsafe_too: bool) -> Vec<&'static str> {
    let mut args = vec!["fix", "--allow-no-vcs"];
    if unsafe_too {
        args.push("--unsafe");
    }
    for rule in RULES {
        args.push("--rule");
        args.push(rule);
    }
    args
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// (rule, app or "-", first cited file) of each finding.
fn reported(root: &Path) -> Vec<(String, String, String)> {
    let (_, out, err) = seaworthy(root, &["check", "--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("check json: {e}\n{out}\n{err}"));
    let mut all: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["app"].as_str().unwrap_or("-").to_string(),
                f["locations"][0]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

fn finding(rule: &str, app: &str, path: &str) -> (String, String, String) {
    (rule.to_string(), app.to_string(), path.to_string())
}

#[test]
fn workloads_in_a_shared_folder_are_matched_to_their_apps() {
    let (_dir, root) = copy_of(FIXTURE);
    let before = reported(&root);
    for expected in [
        // The image compose builds from apps/api.
        finding(
            "k8s-missing-readiness-probe",
            "apps/api",
            "k8s/backend.yaml",
        ),
        // `app.kubernetes.io/name: web`.
        finding(
            "k8s-missing-readiness-probe",
            "apps/web",
            "k8s/storefront.yaml",
        ),
        // PostgreSQL is no app of the project.
        finding("k8s-missing-readiness-probe", "-", "k8s/postgres.yaml"),
        finding(
            "dockerfile-single-stage-build",
            "apps/api",
            "apps/api/Dockerfile",
        ),
        finding(
            "health-check-without-timeout",
            "apps/api",
            "apps/api/src/health.ts",
        ),
        finding(
            "health-check-without-timeout",
            "apps/web",
            "apps/web/app/api/health/ready/route.ts",
        ),
    ] {
        assert!(
            before.contains(&expected),
            "{expected:?} not in {before:#?}"
        );
    }
}

#[test]
fn each_fix_removes_its_finding_and_a_second_run_changes_nothing() {
    let (_dir, root) = copy_of(FIXTURE);
    let before = reported(&root);
    let (code, out, err) = seaworthy(&root, &fix_args(true));
    assert_eq!(code, 0, "{out}\n{err}");
    for gone in [
        "gone: k8s-missing-readiness-probe (apps/api)",
        "gone: k8s-missing-readiness-probe (apps/web)",
        "gone: dockerfile-single-stage-build (apps/api)",
        "gone: health-check-without-timeout (apps/api)",
        "gone: health-check-without-timeout (apps/web)",
    ] {
        assert!(out.contains(gone), "{gone} missing:\n{out}");
    }
    assert!(!out.contains("still there"), "{out}");
    assert!(!out.contains("   new: "), "{out}");
    // The database gets no app route, and the report says why.
    assert!(
        out.contains("k8s-missing-readiness-probe: the workload runs none of the project's apps"),
        "{out}"
    );
    assert!(!read(&root, "k8s/postgres.yaml").contains("Probe"));

    // Only the database's finding of these rules is left; nothing new.
    let after = reported(&root);
    let mut expected: Vec<(String, String, String)> = before
        .iter()
        .filter(|(rule, app, _)| !RULES.contains(&rule.as_str()) || app == "-")
        .cloned()
        .collect();
    expected.sort();
    assert_eq!(after, expected);

    assert_eq!(
        read(&root, "apps/api/Dockerfile"),
        "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build \\\n    && npm prune --omit=dev\n\n# Run stage: the production dependencies and the build output only (split by seaworthy fix).\nFROM node:20-alpine\nWORKDIR /app\nCOPY --from=build /app/package.json ./\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist\nEXPOSE 3000\nUSER 1000:1000\nCMD [\"node\", \"dist/server.js\"]\n"
    );
    let health = read(&root, "apps/api/src/health.ts");
    assert!(
        health.contains("    await withTimeout(pool.query(\"SELECT 1\"), 2000);\n"),
        "{health}"
    );
    assert!(
        health.contains("function withTimeout<T>(work: PromiseLike<T>, ms: number): Promise<T> {")
    );
    let ready = read(&root, "apps/web/app/api/health/ready/route.ts");
    assert!(
        ready.contains(
            "  const { rowCount } = await withTimeout(pool.query(\"SELECT 1\"), 2000);\n"
        ),
        "{ready}"
    );
    let backend = read(&root, "k8s/backend.yaml");
    assert!(backend.contains("          readinessProbe:\n            httpGet:\n              path: /health/ready\n              port: 3000\n"), "{backend}");
    assert!(
        backend.contains(
            "          livenessProbe:\n            httpGet:\n              path: /health/live\n"
        ),
        "{backend}"
    );
    assert!(backend.starts_with("# The API: its image"), "comment kept");
    let storefront = read(&root, "k8s/storefront.yaml");
    assert!(
        storefront.contains("              path: /api/health/ready\n"),
        "{storefront}"
    );
    assert!(
        storefront.contains("              path: /api/health/live\n"),
        "{storefront}"
    );
    for manifest in ["k8s/backend.yaml", "k8s/storefront.yaml"] {
        let problems = validate::kubernetes_manifest(&root.join(manifest));
        assert!(problems.is_empty(), "{manifest}: {problems:#?}");
    }

    let (code, again, _) = seaworthy(&root, &fix_args(true));
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");

    if e2e("catalog fixes (third batch): hadolint at its default threshold, the split stages built for real") {
        require_tool("hadolint");
        let lint = Command::new("hadolint")
            .arg("--no-color")
            .arg(root.join("apps/api/Dockerfile"))
            .output()
            .expect("hadolint");
        assert!(
            lint.status.success(),
            "hadolint (default threshold):\n{}",
            String::from_utf8_lossy(&lint.stdout)
        );
        build_the_stages(&root.join("apps/api"));
    }
}

/// The split Dockerfile's build stage run in the app folder (`npm install`
/// stands in for `npm ci`: the fixture's lockfile lists no packages), then a
/// run folder holding only what the run stage copies, whose compiled server
/// must load its modules (it starts listening; it is stopped at once).
fn build_the_stages(app: &Path) {
    require_tool("npm");
    let run = |cmd: &str, dir: &Path| {
        let out = Command::new("sh")
            .args(["-c", cmd])
            .current_dir(dir)
            .output()
            .expect("sh");
        assert!(
            out.status.success(),
            "{cmd}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run("npm install --no-audit --no-fund", app);
    run("npm run build && npm prune --omit=dev", app);
    assert!(
        !app.join("node_modules/typescript").exists(),
        "dev dependency pruned"
    );
    let stage = app.parent().expect("apps").join("run-stage");
    std::fs::create_dir_all(&stage).expect("mkdir");
    for part in ["package.json", "node_modules", "dist"] {
        run(&format!("cp -R {part} {}/", stage.display()), app);
    }
    // The health router loads express and pg from the pruned node_modules
    // (the pool connects lazily, so no database is needed).
    run("node -e \"require('./dist/health.js')\"", &stage);
}

#[test]
fn unsafe_fixes_wait_for_the_flag() {
    let (_dir, root) = copy_of(FIXTURE);
    let original = read(&root, "apps/api/Dockerfile");
    let (code, out, _) = seaworthy(&root, &fix_args(false));
    assert_eq!(code, 0, "{out}");
    assert_eq!(read(&root, "apps/api/Dockerfile"), original);
    assert!(!read(&root, "apps/api/src/health.ts").contains("withTimeout"));
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

/// The shop plus a Terraform folder whose state was committed.
fn with_state(root: &Path) {
    std::fs::create_dir_all(root.join("infra")).expect("mkdir");
    std::fs::write(
        root.join("infra/main.tf"),
        "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n",
    )
    .expect("write");
    std::fs::write(
        root.join("infra/terraform.tfstate"),
        "{ \"version\": 4, \"terraform_version\": \"1.9.0\", \"serial\": 3, \"resources\": [] }\n",
    )
    .expect("write");
}

#[test]
fn committed_terraform_state_is_ignored_and_its_untracking_named_not_claimed() {
    let (_dir, root) = copy_of(FIXTURE);
    with_state(&root);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "init"]);
    let rule = "terraform-state-committed";
    assert!(reported(&root).iter().any(|(r, _, _)| r == rule));
    let args = ["fix", "--rule", rule];
    let (_, out, _) = seaworthy(&root, &args);
    assert!(
        !root.join(".gitignore").exists(),
        "unsafe: waits for --unsafe\n{out}"
    );
    let args = ["fix", "--unsafe", "--rule", rule];
    let (code, out, err) = seaworthy(&root, &args);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        read(&root, ".gitignore"),
        "# Terraform state and working folder: the state lives in a remote backend\n*.tfstate\n*.tfstate.*\n.terraform/\n"
    );
    assert!(
        out.contains("git rm --cached -- infra/terraform.tfstate"),
        "{out}"
    );
    assert!(
        out.contains("written but not in effect: git still tracks them"),
        "the re-check does not claim it fixed: {out}"
    );
    assert!(out.contains("terraform init -migrate-state"), "{out}");
    git(
        &root,
        &["rm", "-q", "--cached", "--", "infra/terraform.tfstate"],
    );
    git(&root, &["commit", "-qam", "untrack"]);
    assert!(
        root.join("infra/terraform.tfstate").exists(),
        "the copy on disk stays"
    );
    assert!(!reported(&root).iter().any(|(r, _, _)| r == rule));
    let (_, again, _) = seaworthy(&root, &args);
    assert!(again.starts_with("nothing to fix"), "{again}");
}

#[test]
fn untracked_terraform_state_is_gone_once_ignored() {
    let (_dir, root) = copy_of(FIXTURE);
    with_state(&root);
    std::fs::write(root.join(".gitignore"), "node_modules\n").expect("write");
    let args = [
        "fix",
        "--allow-no-vcs",
        "--unsafe",
        "--rule",
        "terraform-state-committed",
    ];
    let (code, out, err) = seaworthy(&root, &args);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("gone: terraform-state-committed"), "{out}");
    assert!(read(&root, ".gitignore").starts_with("node_modules\n# Terraform state"));
    let (_, again, _) = seaworthy(&root, &args);
    assert!(again.starts_with("nothing to fix"), "{again}");
}

/// A Deployment named after neither app, whose image a CI job builds from
/// one app's folder: the finding names that app, and the probe uses its
/// route.
#[test]
fn a_workload_is_matched_to_the_app_ci_builds_its_image_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    for app in ["billing", "catalog"] {
        write(
            &format!("services/{app}/package.json"),
            &format!("{{\"name\": \"{app}\", \"private\": true, \"scripts\": {{\"start\": \"node server.js\"}}, \"dependencies\": {{\"express\": \"^4.21.2\"}}}}\n"),
        );
        write(
            &format!("services/{app}/server.js"),
            "const express = require(\"express\");\nconst app = express();\napp.get(\"/healthz\", (req, res) => res.send(\"ok\"));\napp.listen(8080);\n",
        );
    }
    write(
        ".github/workflows/images.yml",
        "name: images\non: push\njobs:\n  gateway:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build --pull -t ${{ vars.REGISTRY }}/gateway:${{ github.sha }} services/catalog\n",
    );
    write(
        "deploy/frontdoor.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: frontdoor\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {tier: edge}\n  template:\n    metadata:\n      labels: {tier: edge}\n    spec:\n      containers:\n        - name: main\n          image: registry.example.com/shop/gateway:3.1.0\n          ports:\n            - containerPort: 8080\n",
    );
    let found = reported(root);
    assert!(
        found.contains(&finding(
            "k8s-missing-readiness-probe",
            "services/catalog",
            "deploy/frontdoor.yaml"
        )),
        "{found:#?}"
    );
    let args = [
        "fix",
        "--allow-no-vcs",
        "--unsafe",
        "--rule",
        "k8s-missing-readiness-probe",
    ];
    let (code, out, err) = seaworthy(root, &args);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("gone: k8s-missing-readiness-probe (services/catalog)"),
        "{out}"
    );
    assert!(read(root, "deploy/frontdoor.yaml").contains("              path: /healthz\n"));
    let problems = validate::kubernetes_manifest(&root.join("deploy/frontdoor.yaml"));
    assert!(problems.is_empty(), "{problems:#?}");
}
