//! `seaworthy fix --deploy-target vercel|amplify|aws` on copies of the
//! example app: the six seed findings are gone and the fixed app passes its
//! own `check`; a second run changes nothing; a failed write leaves the tree
//! as it was; an unknown target is an error. The generated files are then
//! held to the platforms' own validators (when SEAWORTHY_E2E is set, see
//! `.ci/e2e-setup.sh`): vercel.json against the Vercel CLI's validator (and
//! the published schema when its host answers), amplify.yml's commands run
//! in order to a real `next build`, and the Terraform module through
//! `terraform fmt -check`, checkov and trivy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;
use common::{copy_of, seaworthy_on as seaworthy};

const EXAMPLE: &str = "examples/nextjs-prisma-pet-server";
const TARGETS: &[&str] = &["vercel", "amplify", "aws"];
const SEED_RULES: &[&str] = &[
    "missing-container-config",
    "missing-health-endpoint",
    "sqlite-in-production",
    "manual-server-deployment",
    "apm-sdk-missing",
    "backups-not-offsite",
];

fn fix_args(target: &str) -> Vec<&str> {
    vec![
        "fix",
        "--allow-no-vcs",
        "--unsafe",
        "--deploy-target",
        target,
    ]
}

/// Every file under `root` with its content hash.
fn snapshot_tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
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

/// The findings of `check` (rule names), asserting every file parsed.
fn findings(root: &Path) -> Vec<String> {
    let (_, json, _) = seaworthy(root, &["check", "--format", "json", "--fail-on", "none"]);
    let value: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(value["errors"], serde_json::json!([]), "{json}");
    value["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The example fixed for `target`: (tempdir guard, root, fix's stdout).
fn fixed(target: &str) -> (tempfile::TempDir, PathBuf, String) {
    let (dir, root) = copy_of(EXAMPLE);
    let (code, out, err) = seaworthy(&root, &fix_args(target));
    assert_eq!(code, 0, "{target}:\n{out}\n{err}");
    (dir, root, out)
}

#[test]
fn each_target_clears_the_seed_findings_and_converges() {
    for target in TARGETS {
        let (_dir, root, out) = fixed(target);
        for rule in SEED_RULES {
            // Vercel and Amplify build from source: the Dockerfile fix
            // stands aside, and the platform file settles the finding.
            let stood_aside = *rule == "missing-container-config" && *target != "aws";
            if stood_aside {
                assert!(
                    out.contains("missing-container-config (.): --deploy-target"),
                    "{target}:\n{out}"
                );
            } else {
                assert!(
                    out.contains(&format!("gone: {rule} (.)")),
                    "{target} {rule}:\n{out}"
                );
            }
        }
        let left = findings(&root);
        assert!(
            SEED_RULES.iter().all(|r| !left.iter().any(|f| f == r)),
            "{target}: {left:?}"
        );
        assert!(
            left.is_empty(),
            "{target}: the fixed app has findings: {left:?}"
        );
        let generated = match *target {
            "vercel" => "vercel.json",
            "amplify" => "amplify.yml",
            _ => "infra/aws/ecs.tf",
        };
        assert!(root.join(generated).is_file(), "{target}: no {generated}");
        if *target != "aws" {
            assert!(!root.join("Dockerfile").exists(), "{target} needs no image");
        }

        let before = snapshot_tree(&root);
        let (code, out, _) = seaworthy(&root, &fix_args(target));
        assert_eq!(code, 0, "{target}");
        assert!(out.starts_with("nothing to fix"), "{target}:\n{out}");
        assert_eq!(
            before,
            snapshot_tree(&root),
            "{target}: the second run changed files"
        );
    }
}

/// Without a hand-run deployment to replace, the platform's file is what
/// missing-container-config lacks: Vercel and Amplify get it instead of a
/// Dockerfile.
#[test]
fn without_deploy_scripts_the_platform_file_settles_the_container_finding() {
    for (target, file) in [("vercel", "vercel.json"), ("amplify", "amplify.yml")] {
        let (_dir, root) = copy_of(EXAMPLE);
        std::fs::remove_file(root.join("scripts/bootstrap-ubuntu22.sh")).expect("rm");
        let (code, out, err) = seaworthy(&root, &fix_args(target));
        assert_eq!(code, 0, "{target}:\n{out}\n{err}");
        assert!(
            out.contains("gone: missing-container-config (.)"),
            "{target}:\n{out}"
        );
        assert!(root.join(file).is_file(), "{target}");
        assert!(!root.join("Dockerfile").exists(), "{target}");
        assert!(
            findings(&root).is_empty(),
            "{target}: {:?}",
            findings(&root)
        );
        let (_, out, _) = seaworthy(&root, &fix_args(target));
        assert!(out.starts_with("nothing to fix"), "{target}:\n{out}");
    }
}

#[test]
fn a_failed_write_leaves_the_tree_as_it_was() {
    for target in TARGETS {
        let (_dir, root) = copy_of(EXAMPLE);
        let before = snapshot_tree(&root);
        for step in [1, 5, 12] {
            let fault = format!("fail:{step}");
            let (code, out, err) = seaworthy(
                &root,
                &[fix_args(target), vec!["--debug-fault", &fault]].concat(),
            );
            assert_eq!(code, 2, "{target} {fault}:\n{out}\n{err}");
            assert!(
                err.contains("rolled back: the files are exactly as they were"),
                "{target} {fault}: {err}"
            );
            assert_eq!(before, snapshot_tree(&root), "{target} {fault}");
        }
    }
}

#[test]
fn an_unknown_deploy_target_is_an_error() {
    let (_dir, root) = copy_of(EXAMPLE);
    let before = snapshot_tree(&root);
    let (code, out, err) = seaworthy(&root, &["fix", "--deploy-target", "heroku"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("invalid value 'heroku'"), "{err}");
    for name in ["kubernetes", "fly", "render", "vercel", "amplify", "aws"] {
        assert!(err.contains(name), "{name} is not offered: {err}");
    }
    assert_eq!(before, snapshot_tree(&root));
}

#[test]
fn vercel_json_fits_the_app_and_lists_what_cannot_move() {
    let (_dir, root, out) = fixed("vercel");
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("vercel.json")).expect("vercel.json"),
    )
    .expect("vercel.json parses");
    assert_eq!(config["framework"], "nextjs");
    assert_eq!(config["installCommand"], "npm ci", "package-lock.json: npm");
    let build = config["buildCommand"].as_str().expect("buildCommand");
    assert!(
        build.contains("DATABASE_URL_UNPOOLED") && build.contains("prisma migrate deploy"),
        "migrations on the direct URL: {build}"
    );
    assert!(build.ends_with("npm run build"), "{build}");
    assert_eq!(config["regions"], serde_json::json!(["iad1"]));
    assert_eq!(config["functions"]["app/**/*"]["maxDuration"], 30);
    // The example's only host cron runs a backup script: no route to call.
    assert!(config.get("crons").is_none(), "{config}");
    assert!(
        out.contains("Cannot move to Vercel: the host cron job `0 3 * * * $APP_DIR/scripts/database-backup.sh` (scripts/bootstrap-ubuntu22.sh:53)"),
        "{out}"
    );
    for var in [
        "SENTRY_DSN",
        "SENTRY_AUTH_TOKEN",
        "SENTRY_ORG",
        "SENTRY_PROJECT",
    ] {
        assert!(out.contains(var), "{var}:\n{out}");
    }
    assert!(out.contains("DATABASE_URL_UNPOOLED"), "{out}");
    assert!(out.contains("/api/health/ready"), "{out}");
    // Vercel builds the app and probes nothing: the health step says who
    // must watch readiness, not that generated container files already do.
    assert!(!out.contains("already do"), "{out}");
    assert!(out.contains("uptime monitor"), "{out}");
}

/// A vercel.json that only routes (it did not settle where the app runs)
/// keeps what it says; the deployment adds the rest.
#[test]
fn an_existing_routing_vercel_json_is_completed_not_replaced() {
    let (_dir, root) = copy_of(EXAMPLE);
    std::fs::write(
        root.join("vercel.json"),
        "{\n  \"rewrites\": [{ \"source\": \"/old\", \"destination\": \"/\" }],\n  \"regions\": [\"fra1\"]\n}\n",
    )
    .expect("vercel.json");
    let (code, out, err) = seaworthy(&root, &fix_args("vercel"));
    assert_eq!(code, 0, "{out}\n{err}");
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("vercel.json")).expect("vercel.json"),
    )
    .expect("parses");
    assert_eq!(config["regions"], serde_json::json!(["fra1"]));
    assert_eq!(config["rewrites"][0]["source"], "/old");
    assert_eq!(config["framework"], "nextjs");
    assert!(out.contains("Functions run in fra1:"), "{out}");
    assert!(findings(&root).is_empty(), "{:?}", findings(&root));
}

/// Host cron jobs that call one of the app's routes become Vercel crons;
/// the others, pm2's scheduled restarts and node-cron schedules are listed,
/// as are queue workers, WebSocket servers and local file writes.
#[test]
fn host_jobs_become_vercel_crons_or_are_listed() {
    let (_dir, root) = copy_of(EXAMPLE);
    std::fs::create_dir_all(root.join("deploy")).expect("mkdir");
    std::fs::write(
        root.join("deploy/app.crontab"),
        "# m h dom mon dow command\n*/15 * * * * curl -fsS http://127.0.0.1:3000/api/cron/expire-carts\n@daily curl -fsS https://hc-ping.com/0f1e\n",
    )
    .expect("crontab");
    std::fs::write(
        root.join("ecosystem.config.js"),
        "module.exports = { apps: [{ name: 'shop', script: 'npm', args: 'start', cron_restart: '0 4 * * *' }] };\n",
    )
    .expect("pm2");
    std::fs::write(
        root.join("lib/jobs.ts"),
        "import cron from \"node-cron\";\nimport { writeFileSync, mkdirSync } from \"fs\";\n\ncron.schedule(\"0 */6 * * *\", () => {\n  mkdirSync(\"./uploads/reports\", { recursive: true });\n  writeFileSync(\"./uploads/reports/latest.json\", \"{}\");\n});\n",
    )
    .expect("jobs");
    let package = std::fs::read_to_string(root.join("package.json")).expect("package.json");
    let package = package.replace(
        "\"ioredis\": \"^5.4.2\",",
        "\"bullmq\": \"^5.0.0\",\n    \"ioredis\": \"^5.4.2\",\n    \"node-cron\": \"^3.0.3\",\n    \"ws\": \"^8.18.0\",",
    );
    std::fs::write(root.join("package.json"), package).expect("package.json");

    let (code, out, err) = seaworthy(&root, &fix_args("vercel"));
    assert_eq!(code, 0, "{out}\n{err}");
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("vercel.json")).expect("vercel.json"),
    )
    .expect("vercel.json parses");
    assert_eq!(
        config["crons"],
        serde_json::json!([{ "path": "/api/cron/expire-carts", "schedule": "*/15 * * * *" }]),
        "only the cron that calls the app is carried over"
    );
    assert!(out.contains("now runs as a Vercel cron"), "{out}");
    assert!(out.contains("CRON_SECRET"), "{out}");
    for listed in [
        "Cannot move to Vercel: the host cron job `0 0 * * * curl -fsS https://hc-ping.com/0f1e`",
        "Cannot move to Vercel: pm2's scheduled restart (0 4 * * * at ecosystem.config.js:1)",
        "Cannot move to Vercel: a schedule inside the server process (0 */6 * * * at lib/jobs.ts:4)",
        "Cannot move to Vercel: a queue worker (bullmq in package.json)",
        "Cannot move to Vercel: a WebSocket server (ws in package.json)",
        "Cannot move to Vercel: the app writes to uploads/reports",
    ] {
        assert!(out.contains(listed), "{listed}\n---\n{out}");
    }
}

#[test]
fn amplify_yml_fits_the_app() {
    let (_dir, root, out) = fixed("amplify");
    assert!(
        !out.contains("already do") && out.contains("uptime monitor"),
        "{out}"
    );
    let spec = build_spec(&root);
    assert_eq!(spec.pre_build, vec!["npm ci --cache .npm --prefer-offline"]);
    assert_eq!(
        spec.build,
        vec![
            "env | grep -E '^(DATABASE_URL|REDIS_URL|SESSION_SECRET)=' >> .env.production",
            "npx prisma generate",
            "[ \"${SKIP_PRISMA_MIGRATIONS:-}\" = 1 ] || npx prisma migrate deploy",
            "npx next build",
        ]
    );
    assert_eq!(spec.base_directory, ".next");
    assert_eq!(spec.cache, vec![".next/cache/**/*", ".npm/**/*"]);
}

#[test]
fn the_aws_module_fits_the_app() {
    let (_dir, root, out) = fixed("aws");
    let dir = root.join("infra/aws");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    let locals = read("locals.tf");
    assert!(
        locals.contains("readiness_path = \"/api/health/ready\""),
        "{locals}"
    );
    assert!(
        locals.contains("secret_names = [\"DATABASE_URL\", \"REDIS_URL\", \"SESSION_SECRET\"]"),
        "{locals}"
    );
    let alb = read("alb.tf");
    assert!(
        alb.contains("path                = local.readiness_path"),
        "{alb}"
    );
    let rds = read("rds.tf");
    for setting in [
        "storage_encrypted       = true",
        "backup_retention_period = var.db_backup_retention_days",
        "deletion_protection     = true",
        "publicly_accessible    = false",
        "subnet_ids  = var.private_subnet_ids",
        "manage_master_user_password   = true",
    ] {
        assert!(rds.contains(setting), "{setting}");
    }
    let redis = read("redis.tf");
    assert!(redis.contains("transit_encryption_enabled = true"));
    assert!(redis.contains("at_rest_encryption_enabled = true"));
    let versions = read("versions.tf");
    assert!(versions.contains("backend \"s3\"") && versions.contains("use_lockfile = true"));
    // Nothing the user alone knows is written in: no account id, no region.
    for (name, text) in std::fs::read_dir(&dir)
        .expect("module")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read_to_string(e.path()).expect("tf"),
            )
        })
    {
        assert!(
            !text
                .chars()
                .collect::<Vec<_>>()
                .windows(12)
                .any(|w| w.iter().all(|c| c.is_ascii_digit())),
            "{name} holds an account id"
        );
        for region in ["us-east-1", "eu-west-1", "us-west-2"] {
            assert!(!text.contains(region), "{name} names {region}");
        }
        assert!(
            !text.contains("aws_secretsmanager_secret_version"),
            "{name}: a secret value in Terraform"
        );
    }
    // An app without Redis gets no ElastiCache.
    assert!(out.contains("infra/aws/redis.tf"), "{out}");
    let (_dir2, plain) = copy_of(EXAMPLE);
    std::fs::remove_file(plain.join("lib/redis.ts")).expect("rm");
    let package = std::fs::read_to_string(plain.join("package.json")).expect("package.json");
    std::fs::write(
        plain.join("package.json"),
        package.replace("    \"ioredis\": \"^5.4.2\",\n", ""),
    )
    .expect("package.json");
    let env = std::fs::read_to_string(plain.join("env.example")).expect("env");
    std::fs::write(
        plain.join("env.example"),
        env.replace("REDIS_URL=\"redis://localhost:6379\"\n", ""),
    )
    .expect("env");
    let (code, out, err) = seaworthy(&plain, &fix_args("aws"));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!plain.join("infra/aws/redis.tf").exists(), "{out}");
    assert!(plain.join("infra/aws/rds.tf").exists());
    assert!(findings(&plain).is_empty(), "{:?}", findings(&plain));
}

// --- amplify.yml, read as YAML ------------------------------------------------

struct BuildSpec {
    pre_build: Vec<String>,
    build: Vec<String>,
    base_directory: String,
    cache: Vec<String>,
}

fn build_spec(root: &Path) -> BuildSpec {
    use yaml_rust2::{Yaml, YamlLoader};
    let text = std::fs::read_to_string(root.join("amplify.yml")).expect("amplify.yml");
    let docs = YamlLoader::load_from_str(&text).expect("amplify.yml is YAML");
    assert_eq!(docs.len(), 1, "one document");
    let doc = &docs[0];
    assert_eq!(doc["version"], Yaml::Integer(1), "{text}");
    let frontend = &doc["frontend"];
    let strings = |y: &Yaml| -> Vec<String> {
        y.as_vec()
            .unwrap_or_else(|| panic!("a list: {y:?}\n{text}"))
            .iter()
            .map(|c| c.as_str().expect("a string").to_string())
            .collect()
    };
    let files = strings(&frontend["artifacts"]["files"]);
    assert_eq!(files, vec!["**/*"]);
    BuildSpec {
        pre_build: strings(&frontend["phases"]["preBuild"]["commands"]),
        build: strings(&frontend["phases"]["build"]["commands"]),
        base_directory: frontend["artifacts"]["baseDirectory"]
            .as_str()
            .expect("baseDirectory")
            .to_string(),
        cache: strings(&frontend["cache"]["paths"]),
    }
}

// --- the platforms' validators (SEAWORTHY_E2E) ------------------------------

fn run_ok(dir: &Path, program: &str, args: &[&str], envs: &[(&str, &str)]) -> String {
    let out = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The vercel.json of the fixed example passes the validator the Vercel
/// CLI runs before a deploy (its schema of vercel.json, compiled by Ajv),
/// and the schema Vercel publishes when it could be fetched.
#[test]
fn vercel_json_passes_vercels_validator() {
    if !common::e2e("vercel_json_passes_vercels_validator") {
        return;
    }
    let validator = common::require_env("SEAWORTHY_VERCEL_VALIDATOR");
    common::require_tool("node");
    let (_dir, root, _) = fixed("vercel");
    let file = root.join("vercel.json");
    let script = r#"
const [validatorPath, file] = process.argv.slice(1);
const { getConfigValidator } = await import(validatorPath);
const config = JSON.parse((await import("node:fs")).readFileSync(file, "utf8"));
// The precompiled validator ignores its schema-builder argument.
const validate = getConfigValidator(() => ({}));
if (!validate(config)) { console.error(JSON.stringify(validate.errors, null, 2)); process.exit(1); }
// The validator must be a real one: a broken config fails.
const broken = { ...config, functions: { "app/**/*": { maxDuration: "long" } }, crons: [{ path: "no-slash", schedule: "x" }] };
if (validate(broken)) { console.error("the validator accepted a broken config"); process.exit(2); }
console.log("valid");
"#;
    let out = run_ok(
        &root,
        "node",
        &[
            "--input-type=module",
            "-e",
            script,
            &validator,
            &file.to_string_lossy(),
        ],
        &[],
    );
    assert!(out.contains("valid"), "{out}");

    let published = std::env::var("SEAWORTHY_VERCEL_SCHEMA").unwrap_or_default();
    match std::fs::read_to_string(&published) {
        Ok(schema) => {
            let schema: Value = serde_json::from_str(&schema).expect("the published schema");
            let instance: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).expect("read"))
                    .expect("vercel.json");
            let validator = jsonschema::validator_for(&schema).expect("compiles");
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{errors:?}");
        }
        Err(_) => eprintln!(
            "note: Vercel's published schema could not be fetched here (.ci/e2e-setup.sh tries); vercel.json was checked with the Vercel CLI's own validator"
        ),
    }
}

/// amplify.yml's preBuild and build commands, run in order in the fixed
/// example, build it with `next build`.
#[test]
fn amplify_build_spec_builds_the_example() {
    if !common::e2e("amplify_build_spec_builds_the_example") {
        return;
    }
    common::require_tool("npm");
    let database_url = common::require_env("SEAWORTHY_PG_URL");
    let redis_url = common::require_env("SEAWORTHY_REDIS_URL");
    let (_dir, root, _) = fixed("amplify");
    // What the fix tells the user to do first: the Sentry SDK it added is
    // not in the lockfile yet, and the spec's install is frozen.
    run_ok(
        &root,
        "npm",
        &[
            "install",
            "--package-lock-only",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ],
        &[],
    );
    let spec = build_spec(&root);
    // The spec keeps npm's cache in .npm for Amplify to carry between
    // builds; here that folder is the machine's npm cache, so the install
    // does not download every package again (the commands are unchanged).
    #[cfg(unix)]
    if let Some(home) = std::env::var_os("HOME") {
        let cache = Path::new(&home).join(".npm");
        if cache.is_dir() {
            std::os::unix::fs::symlink(&cache, root.join(".npm")).expect("link the npm cache");
        }
    }
    // The variables Amplify would hold. The migrations are skipped through
    // the spec's own switch: Prisma's schema engine cannot be downloaded
    // here (and `generate` runs without it).
    let envs = [
        ("DATABASE_URL", database_url.as_str()),
        ("REDIS_URL", redis_url.as_str()),
        ("SESSION_SECRET", "amplify-build-test"),
        ("SKIP_PRISMA_MIGRATIONS", "1"),
        ("PRISMA_SCHEMA_ENGINE_BINARY", "/bin/true"),
        ("NEXT_TELEMETRY_DISABLED", "1"),
        ("CI", "1"),
    ];
    for command in spec.pre_build.iter().chain(&spec.build) {
        eprintln!("amplify.yml: {command}");
        run_ok(&root, "bash", &["-eo", "pipefail", "-c", command], &envs);
    }
    let built = root.join(&spec.base_directory);
    assert!(built.join("BUILD_ID").is_file(), "no next build output");
    let env_production =
        std::fs::read_to_string(root.join(".env.production")).expect(".env.production");
    for var in ["DATABASE_URL=", "REDIS_URL=", "SESSION_SECRET="] {
        assert!(env_production.contains(var), "{var}");
    }
}

/// The Terraform module: `terraform fmt -check`, checkov with no failed
/// check (each skip carries its reason), trivy with no finding.
#[test]
fn the_aws_module_passes_fmt_checkov_and_trivy() {
    if !common::e2e("the_aws_module_passes_fmt_checkov_and_trivy") {
        return;
    }
    let checkov = common::require_env("SEAWORTHY_CHECKOV");
    let trivy = common::require_env("SEAWORTHY_TRIVY");
    let (_dir, root, _) = fixed("aws");
    let module = root.join("infra/aws");

    match common::which("terraform") {
        Some(terraform) => {
            let terraform = terraform.to_string_lossy().to_string();
            run_ok(&module, &terraform, &["fmt", "-check", "-diff"], &[]);
            // `validate` needs the AWS provider from the Terraform registry.
            let init = Command::new(&terraform)
                .args(["init", "-backend=false", "-input=false"])
                .current_dir(&module)
                .output()
                .expect("terraform init");
            if init.status.success() {
                run_ok(&module, &terraform, &["validate"], &[]);
            } else {
                eprintln!("note: terraform validate skipped: the AWS provider could not be installed (the Terraform registry is not reachable from here)");
            }
        }
        None => eprintln!(
            "note: terraform is not installed (no registry here ships it): fmt -check skipped; checkov and trivy parse the module"
        ),
    }

    let out = Command::new(&checkov)
        .args([
            "-d",
            ".",
            "--framework",
            "terraform",
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ])
        .current_dir(&module)
        .output()
        .expect("checkov runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov output: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let summary = &report["summary"];
    assert_eq!(
        summary["failed"], 0,
        "{:#}",
        report["results"]["failed_checks"]
    );
    assert_eq!(summary["parsing_errors"], 0, "{summary}");
    assert!(summary["passed"].as_u64().unwrap_or(0) > 150, "{summary}");
    // Every skip says why, in the module.
    let sources: String = std::fs::read_dir(&module)
        .expect("module")
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    for skipped in report["results"]["skipped_checks"]
        .as_array()
        .expect("skipped")
    {
        let id = skipped["check_id"].as_str().unwrap_or("");
        let marker = format!("#checkov:skip={id}:");
        let reason = sources
            .split(&marker)
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or("");
        assert!(reason.len() > 20, "{id} is skipped without a reason");
    }

    let out = Command::new(&trivy)
        .args([
            "config",
            "--skip-check-update",
            "--quiet",
            "--format",
            "json",
            ".",
        ])
        .current_dir(&module)
        .output()
        .expect("trivy runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "trivy output: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let found: Vec<String> = report["Results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["Misconfigurations"].as_array().into_iter().flatten())
        .filter(|m| m["Status"] == "FAIL")
        .map(|m| format!("{} {} {}", m["Severity"], m["ID"], m["Title"]))
        .collect();
    assert!(found.is_empty(), "{found:?}");
    // Both ignores in the module say why.
    for id in ["AVD-AWS-0053", "AVD-AWS-0089"] {
        assert!(sources.contains(&format!("#trivy:ignore:{id}")), "{id}");
    }
}
