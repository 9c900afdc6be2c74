//! The backups-not-offsite fix, end to end: the generated scripts run
//! against a real PostgreSQL and a real S3-compatible server (moto), and a
//! real SQLite database.
//!
//! Without SEAWORTHY_E2E only the generation tests run (the others say loudly
//! that they skipped); with SEAWORTHY_E2E=1 a missing component fails them.
//! `.ci/e2e-setup.sh` provides PostgreSQL, moto, the AWS CLI and
//! `.ci/e2e.env` (SEAWORTHY_PG_URL, SEAWORTHY_S3_ENDPOINT, credentials).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{apply, copy_dir, e2e, repo_path, require_env, require_tool, run, unique};
use seaworthy::fix::backup::plans_for_root;
use seaworthy::fix::FixPlan;

/// A copy of `src` in a temp folder and the one backup plan for it.
fn planned(src: &str) -> (tempfile::TempDir, FixPlan) {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_path(src), dir.path());
    let mut plans = plans_for_root(dir.path());
    assert_eq!(
        plans.len(),
        1,
        "one backups-not-offsite plan for {src}: {plans:#?}"
    );
    (dir, plans.remove(0))
}

fn edit<'a>(plan: &'a FixPlan, path: &str) -> &'a str {
    &plan
        .edits
        .iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| {
            panic!(
                "the plan writes {path}: {:?}",
                plan.edits.iter().map(|e| &e.path).collect::<Vec<_>>()
            )
        })
        .after
}

/// Findings of backups-not-offsite left after applying the plan.
fn still_reported(root: &Path) -> usize {
    let report = seaworthy::audit::run(root, &seaworthy::audit::Options::default()).expect("audit");
    report
        .findings
        .iter()
        .filter(|f| f.rule == "backups-not-offsite")
        .count()
}

#[test]
fn postgres_plan_from_fixture() {
    let (dir, plan) = planned("tests/fix_fixtures/pg-backup-app");
    let paths: Vec<&str> = plan.edits.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "scripts/backup-offsite.sh",
            "scripts/backup-restore-check.sh",
            "scripts/backup-s3-lifecycle.json",
            "scripts/database-backup.sh"
        ]
    );
    let offsite = edit(&plan, "scripts/backup-offsite.sh");
    assert!(offsite.starts_with("#!/usr/bin/env bash\n"));
    assert!(offsite.contains("set -euo pipefail"));
    assert!(offsite.contains("pg_dump --format=custom --no-password \"$db_url\" | upload \"$key\""));
    assert!(
        offsite.contains("db_url=${DATABASE_URL:-}"),
        "reads the app's variable"
    );
    assert!(offsite.contains("prefix=${BACKUP_S3_PREFIX:-acme-storefront/postgres}"));
    assert!(offsite.contains("BACKUP_S3_SSE:-AES256"));
    assert!(!offsite.contains("{{"), "every placeholder filled");
    let lifecycle: serde_json::Value =
        serde_json::from_str(edit(&plan, "scripts/backup-s3-lifecycle.json")).expect("JSON");
    assert_eq!(
        lifecycle["Rules"][0]["Expiration"]["Days"], 14,
        "the old script's retention"
    );
    assert!(plan.unsafe_fix, "it changes what the scheduled script does");
    assert!(plan.manual_steps.iter().any(|s| s.contains("s3:PutObject")));
    assert!(plan
        .edits
        .iter()
        .filter(|e| e.path.ends_with(".sh"))
        .all(|e| e.executable));

    assert_eq!(still_reported(dir.path()), 1);
    apply(&plan, dir.path());
    assert_eq!(
        still_reported(dir.path()),
        0,
        "the re-check no longer reports it"
    );
    assert!(
        plans_for_root(dir.path()).is_empty(),
        "a second run plans nothing"
    );
}

#[test]
fn mysql_plan_from_fixture() {
    let (dir, plan) = planned("tests/fix_fixtures/mysql-backup-app");
    let offsite = edit(&plan, "bin/backup-offsite.sh");
    assert!(offsite.contains("mysqldump --defaults-extra-file"));
    assert!(offsite.contains("--single-transaction"));
    assert!(
        offsite.contains("db_url=${ORDERS_DB_URL:-}"),
        "the URL variable of the env example"
    );
    let old = edit(&plan, "bin/backup-db.sh");
    let call = old
        .find("\"$offsite_dir/backup-offsite.sh\"")
        .expect("chained");
    assert!(
        call < old.find("exit 0").expect("exit kept"),
        "before the final exit"
    );
    apply(&plan, dir.path());
    assert_eq!(still_reported(dir.path()), 0);
}

#[test]
fn sqlite_plan_from_example_app() {
    let (dir, plan) = planned("examples/nextjs-prisma-pet-server");
    let offsite = edit(&plan, "scripts/backup-offsite.sh");
    assert!(offsite.contains("db=${BACKUP_SQLITE_PATH:-prisma/dev.db}"));
    assert!(offsite.contains("cd \"$(dirname \"$0\")/..\""));
    let litestream = edit(&plan, "litestream.yml");
    let docs = yaml_rust2::YamlLoader::load_from_str(litestream).expect("YAML");
    let replica = &docs[0]["dbs"][0]["replicas"][0];
    assert_eq!(replica["type"].as_str(), Some("s3"));
    assert_eq!(replica["endpoint"].as_str(), Some("${BACKUP_S3_ENDPOINT}"));
    assert_eq!(
        replica["retention"].as_str(),
        Some("336h"),
        "the old script's 14 days"
    );
    apply(&plan, dir.path());
    assert_eq!(still_reported(dir.path()), 0);
}

/// Without --unsafe the fix only creates files: the old script, on its cron
/// entry, is not touched, and the audit keeps reporting it.
#[test]
fn without_unsafe_the_fix_only_creates_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_path("tests/fix_fixtures/pg-backup-app"), dir.path());
    let old = std::fs::read_to_string(dir.path().join("scripts/database-backup.sh")).expect("old");
    let (out, _) = run(Command::new(env!("CARGO_BIN_EXE_seaworthy"))
        .args(["fix", "--allow-no-vcs", "--rule", "backups-not-offsite"])
        .arg(dir.path()));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("create scripts/backup-offsite.sh"), "{text}");
    assert!(text.contains("still there: backups-not-offsite"), "{text}");
    assert!(dir.path().join("scripts/backup-restore-check.sh").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("scripts/database-backup.sh")).expect("old"),
        old,
        "the old script is untouched"
    );
}

// ---------------------------------------------------------------------------
// End to end.

struct S3 {
    endpoint: String,
    bucket: String,
}

impl S3 {
    fn new() -> S3 {
        require_tool("aws");
        let s3 = S3 {
            endpoint: require_env("SEAWORTHY_S3_ENDPOINT"),
            bucket: unique("sw-e2e"),
        };
        let (out, _) = run(s3.aws().args(["s3", "mb", &format!("s3://{}", s3.bucket)]));
        assert!(
            out.status.success(),
            "create bucket on {} (is moto running?)",
            s3.endpoint
        );
        s3
    }

    fn aws(&self) -> Command {
        let mut cmd = Command::new("aws");
        cmd.args(["--endpoint-url", &self.endpoint]);
        cmd
    }

    fn keys(&self) -> Vec<String> {
        let (out, _) = run(self.aws().args([
            "s3api",
            "list-objects-v2",
            "--bucket",
            &self.bucket,
            "--query",
            "Contents[].Key",
            "--output",
            "text",
        ]));
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter(|k| *k != "None")
            .map(str::to_string)
            .collect()
    }

    fn size(&self, key: &str) -> u64 {
        let (out, _) = run(self.aws().args([
            "s3api",
            "head-object",
            "--bucket",
            &self.bucket,
            "--key",
            key,
            "--query",
            "ContentLength",
            "--output",
            "text",
        ]));
        assert!(out.status.success(), "head-object {key}");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("size")
    }

    fn put(&self, key: &str, body: &[u8]) {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), body).expect("write");
        let (out, _) = run(self.aws().args([
            "s3",
            "cp",
            &file.path().display().to_string(),
            &format!("s3://{}/{key}", self.bucket),
        ]));
        assert!(out.status.success(), "put {key}");
    }

    /// A generated script with the bucket's settings.
    fn script(&self, path: PathBuf) -> Command {
        let mut cmd = Command::new(path);
        cmd.env("BACKUP_S3_BUCKET", &self.bucket)
            .env("BACKUP_S3_ENDPOINT", &self.endpoint)
            .env_remove("BACKUP_S3_PREFIX")
            .env_remove("AWS_ENDPOINT_URL");
        cmd
    }
}

fn psql(url: &str, sql: &str) -> String {
    let (out, _) = run(Command::new("psql").args([
        "-X",
        "-q",
        "-At",
        "-v",
        "ON_ERROR_STOP=1",
        url,
        "-c",
        sql,
    ]));
    assert!(out.status.success(), "psql: {sql}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `url` with its database replaced.
fn database_url(url: &str, db: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let (server, _) = base.rsplit_once('/').expect("URL with a database");
    format!("{server}/{db}")
}

/// The scratch database a restore check announced.
fn scratch_of(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    text.split("scratch database ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the restore check names its scratch database:\n{text}"))
        .to_string()
}

const SEED: &str = r#"
CREATE TABLE "Product" (id serial PRIMARY KEY, slug text UNIQUE NOT NULL, name text NOT NULL,
  "priceCents" int NOT NULL, stock int NOT NULL DEFAULT 0, "createdAt" timestamptz NOT NULL DEFAULT now());
CREATE TABLE "Order" (id serial PRIMARY KEY, email text NOT NULL, status text NOT NULL DEFAULT 'pending',
  "totalCents" int NOT NULL, "createdAt" timestamptz NOT NULL DEFAULT now());
CREATE TABLE "OrderItem" (id serial PRIMARY KEY, "orderId" int NOT NULL REFERENCES "Order"(id),
  "productId" int NOT NULL REFERENCES "Product"(id), quantity int NOT NULL);
INSERT INTO "Product" (slug, name, "priceCents", stock)
  SELECT 'p-' || g, 'Product ' || g, 100 + g, g % 50 FROM generate_series(1, 5000) g;
INSERT INTO "Order" (email, "totalCents") SELECT 'c' || g || '@example.com', g * 7 FROM generate_series(1, 2000) g;
INSERT INTO "OrderItem" ("orderId", "productId", quantity)
  SELECT 1 + g % 2000, 1 + g % 5000, 1 + g % 3 FROM generate_series(1, 6000) g;
CREATE SCHEMA audit;
CREATE TABLE audit.events (id bigserial PRIMARY KEY, payload jsonb NOT NULL, blob bytea);
INSERT INTO audit.events (payload, blob) SELECT jsonb_build_object('n', g), decode(md5(g::text), 'hex') FROM generate_series(1, 300) g;
CREATE TABLE empty_table (id int);
CREATE TABLE "line items" (id int);
INSERT INTO "line items" VALUES (1), (2), (3);
"#;

#[test]
fn postgres_backup_and_restore_check_against_real_services() {
    if !e2e("postgres_backup_and_restore_check_against_real_services") {
        return;
    }
    for tool in ["pg_dump", "pg_restore", "psql"] {
        require_tool(tool);
    }
    let admin = require_env("SEAWORTHY_PG_URL");
    let s3 = S3::new();
    let (dir, plan) = planned("tests/fix_fixtures/pg-backup-app");
    apply(&plan, dir.path());
    let scripts = dir.path().join("scripts");

    let db = unique("sw_e2e").replace('-', "_");
    psql(&admin, &format!("CREATE DATABASE {db}"));
    let source = database_url(&admin, &db);
    psql(&source, SEED);
    // What Prisma apps have in DATABASE_URL; libpq rejects ?schema=.
    let prisma_url = format!("{source}?schema=public");

    // 1. The backup streams a dump to the bucket.
    let (out, backup_secs) = run(s3
        .script(scripts.join("backup-offsite.sh"))
        .env("DATABASE_URL", &prisma_url));
    assert!(out.status.success(), "backup-offsite.sh succeeds");
    let keys = s3.keys();
    let dump = keys
        .iter()
        .find(|k| k.ends_with(".dump"))
        .expect("a dump in the bucket")
        .clone();
    assert!(dump.starts_with("acme-storefront/postgres/"), "{dump}");
    assert!(
        keys.contains(&format!("{dump}.complete")),
        "the completion marker: {keys:?}"
    );
    let dump_bytes = s3.size(&dump);
    assert!(dump_bytes > 0);

    // The lifecycle rule is accepted by the S3 API.
    let lifecycle = scripts.join("backup-s3-lifecycle.json");
    let (out, _) = run(s3.aws().args([
        "s3api",
        "put-bucket-lifecycle-configuration",
        "--bucket",
        &s3.bucket,
        "--lifecycle-configuration",
        &format!("file://{}", lifecycle.display()),
    ]));
    assert!(
        out.status.success(),
        "the generated lifecycle rule is accepted"
    );

    // 2. The restore check restores it into a scratch database; counts match.
    let restore = || {
        let mut cmd = s3.script(scripts.join("backup-restore-check.sh"));
        cmd.env("DATABASE_URL", &prisma_url);
        cmd
    };
    let (out, restore_secs) = run(&mut restore());
    assert!(out.status.success(), "restore check passes on a good dump");
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    for line in [
        "public.Product",
        "public.Order ",
        "public.OrderItem",
        "audit.events",
        "public.empty_table",
        "public.line items",
    ] {
        assert!(table.contains(line), "{line} compared:\n{table}");
    }
    assert!(table.contains("5000         5000"), "{table}");
    assert_eq!(
        psql(
            &admin,
            &format!(
                "SELECT count(*) FROM pg_database WHERE datname = '{}'",
                scratch_of(&out.stdout)
            )
        ),
        "0",
        "the scratch database is dropped"
    );

    // 2b. Without a URL, libpq's variables (as scripts using -h/-U/-d have).
    let rest = admin
        .strip_prefix("postgresql://")
        .expect("postgresql:// URL");
    let (auth, rest) = rest.split_once('@').expect("user@host");
    let (user, password) = auth.split_once(':').expect("user:password");
    let hostport = rest.split('/').next().expect("host");
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
    let libpq = |cmd: &mut Command| {
        cmd.env_remove("DATABASE_URL")
            .env("PGHOST", host)
            .env("PGPORT", port)
            .env("PGUSER", user)
            .env("PGPASSWORD", password)
            .env("PGDATABASE", &db);
    };
    let mut backup = s3.script(scripts.join("backup-offsite.sh"));
    libpq(&mut backup);
    let (out, _) = run(&mut backup);
    assert!(
        out.status.success(),
        "backup-offsite.sh with PGHOST/PGDATABASE/…"
    );
    let mut check = s3.script(scripts.join("backup-restore-check.sh"));
    libpq(&mut check);
    let (out, _) = run(&mut check);
    assert!(
        out.status.success(),
        "restore check with PGHOST/PGDATABASE/…"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("5000         5000"));

    // 3. A count that differs fails the check, unless within the tolerance.
    psql(
        &source,
        r#"INSERT INTO "Product" (slug, name, "priceCents") VALUES ('late', 'Late', 1)"#,
    );
    let (out, _) = run(&mut restore());
    assert!(
        !out.status.success(),
        "a row-count mismatch fails the check"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("MISMATCH"));
    let (out, _) = run(restore().env("RESTORE_CHECK_TOLERANCE_PCT", "1"));
    assert!(out.status.success(), "1 row in 5000 is within 1 %");
    psql(&source, r#"DELETE FROM "Product" WHERE slug = 'late'"#);

    // 4. The old script, now chained, keeps its local copy and ships one.
    let (out, _) = run(s3
        .script(scripts.join("database-backup.sh"))
        .env("DATABASE_URL", &source));
    assert!(
        out.status.success(),
        "the old script still works, and ships"
    );
    let local: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .expect("local backups")
        .collect();
    assert_eq!(local.len(), 1, "its local dump");
    let markers = s3
        .keys()
        .iter()
        .filter(|k| k.ends_with(".dump.complete"))
        .count();
    assert!(markers >= 1, "the chained run uploaded too");

    // 5. A failed dump leaves no completion marker and fails the run.
    let before = s3
        .keys()
        .iter()
        .filter(|k| k.ends_with(".complete"))
        .count();
    let (out, _) = run(s3
        .script(scripts.join("backup-offsite.sh"))
        .env("DATABASE_URL", database_url(&admin, "no_such_database")));
    assert!(!out.status.success(), "a failing pg_dump fails the backup");
    assert_eq!(
        s3.keys()
            .iter()
            .filter(|k| k.ends_with(".complete"))
            .count(),
        before,
        "no marker for it"
    );

    // 6. A corrupt newest dump, an empty one, a missing key: all fail.
    s3.put(
        "acme-storefront/postgres/29991231T000000Z.dump",
        b"PGDMP this is not a dump",
    );
    s3.put(
        "acme-storefront/postgres/29991231T000000Z.dump.complete",
        b"{}",
    );
    let (out, _) = run(&mut restore());
    assert!(
        !out.status.success(),
        "a corrupt dump fails the restore check"
    );
    s3.put("acme-storefront/postgres/empty.dump", b"");
    let (out, _) = run(restore().arg("acme-storefront/postgres/empty.dump"));
    assert!(
        !out.status.success(),
        "an empty object fails the restore check"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("is empty"));
    let (out, _) = run(restore().arg("acme-storefront/postgres/missing.dump"));
    assert!(
        !out.status.success(),
        "a missing key fails the restore check"
    );
    // The good dump, named, still restores.
    let (out, _) = run(restore().arg(&dump));
    assert!(out.status.success(), "the good dump by name");
    assert_eq!(
        psql(
            &admin,
            &format!(
                "SELECT count(*) FROM pg_database WHERE datname = '{}'",
                scratch_of(&out.stdout)
            )
        ),
        "0"
    );

    eprintln!(
        "figures: PostgreSQL dump of 13,303 rows in 6 tables = {dump_bytes} bytes; backup-offsite.sh {backup_secs:.2}s; backup-restore-check.sh {restore_secs:.2}s"
    );
    psql(&admin, &format!("DROP DATABASE IF EXISTS {db}"));
}

#[test]
fn sqlite_backup_and_restore_check_against_real_services() {
    if !e2e("sqlite_backup_and_restore_check_against_real_services") {
        return;
    }
    require_tool("sqlite3");
    let s3 = S3::new();
    let (dir, plan) = planned("examples/nextjs-prisma-pet-server");
    apply(&plan, dir.path());
    let scripts = dir.path().join("scripts");
    let db = dir.path().join("prisma/dev.db");
    let sqlite = |sql: &str| {
        let (out, _) = run(Command::new("sqlite3").arg(&db).arg(sql));
        assert!(out.status.success(), "sqlite3: {sql}");
    };
    sqlite(
        r#"CREATE TABLE "Product" (id INTEGER PRIMARY KEY, slug TEXT UNIQUE, name TEXT, "priceCents" INT);
           WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000)
           INSERT INTO "Product" (slug, name, "priceCents") SELECT 'p-' || n, 'Product ' || n, n FROM g;
           CREATE TABLE "Order" (id INTEGER PRIMARY KEY, email TEXT);
           INSERT INTO "Order" (email) VALUES ('a@example.com'), ('b@example.com');"#,
    );

    let (out, backup_secs) = run(&mut s3.script(scripts.join("backup-offsite.sh")));
    assert!(out.status.success(), "backup-offsite.sh succeeds");
    let keys = s3.keys();
    let snapshot = keys
        .iter()
        .find(|k| k.ends_with(".db.gz"))
        .expect("a snapshot")
        .clone();
    assert!(
        snapshot.starts_with("acme-storefront/sqlite/"),
        "{snapshot}"
    );
    assert!(keys.contains(&format!("{snapshot}.complete")));
    let bytes = s3.size(&snapshot);
    assert!(bytes > 0);

    let restore = || s3.script(scripts.join("backup-restore-check.sh"));
    let (out, restore_secs) = run(&mut restore());
    assert!(out.status.success(), "restore check passes");
    assert!(String::from_utf8_lossy(&out.stdout).contains("3000         3000"));

    sqlite(r#"DELETE FROM "Order" WHERE email = 'b@example.com'"#);
    let (out, _) = run(&mut restore());
    assert!(
        !out.status.success(),
        "a row-count mismatch fails the check"
    );

    // The old script, chained: local snapshot plus an off-site one.
    let (out, _) = run(&mut s3.script(scripts.join("database-backup.sh")));
    assert!(
        out.status.success(),
        "the old script still works, and ships"
    );
    assert!(
        dir.path()
            .join("backups")
            .read_dir()
            .expect("local copies")
            .count()
            >= 1
    );
    let (out, _) = run(&mut restore());
    assert!(out.status.success(), "the newest snapshot matches again");

    s3.put(
        "acme-storefront/sqlite/29991231T000000Z.db.gz",
        b"not gzip at all",
    );
    s3.put(
        "acme-storefront/sqlite/29991231T000000Z.db.gz.complete",
        b"{}",
    );
    let (out, _) = run(&mut restore());
    assert!(!out.status.success(), "a corrupt snapshot fails the check");
    let (out, _) = run(restore().arg("acme-storefront/sqlite/missing.db.gz"));
    assert!(!out.status.success(), "a missing key fails the check");

    eprintln!(
        "figures: SQLite snapshot of 3,002 rows = {bytes} bytes gzipped; backup-offsite.sh {backup_secs:.2}s; backup-restore-check.sh {restore_secs:.2}s"
    );
}

/// The whole `seaworthy fix --unsafe` on the example app moves it to
/// PostgreSQL; its old SQLite backup script, still on the same cron entry,
/// now backs up PostgreSQL off-site.
#[test]
fn example_app_after_the_full_fix_backs_up_postgres_offsite() {
    if !e2e("example_app_after_the_full_fix_backs_up_postgres_offsite") {
        return;
    }
    for tool in ["pg_dump", "pg_restore", "psql"] {
        require_tool(tool);
    }
    let admin = require_env("SEAWORTHY_PG_URL");
    let s3 = S3::new();
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_path("examples/nextjs-prisma-pet-server"), dir.path());
    let (out, _) = run(Command::new(env!("CARGO_BIN_EXE_seaworthy"))
        .args([
            "fix",
            "--allow-no-vcs",
            "--unsafe",
            "--deploy-target",
            "kubernetes",
        ])
        .arg(dir.path()));
    assert!(out.status.success(), "seaworthy fix");
    let old =
        std::fs::read_to_string(dir.path().join("scripts/database-backup.sh")).expect("old script");
    assert!(
        old.contains("exec \"$(dirname \"$0\")/backup-offsite.sh\""),
        "{old}"
    );
    assert!(
        !dir.path().join("litestream.yml").exists(),
        "no SQLite replication for a PostgreSQL app"
    );

    let db = unique("sw_e2e_fix").replace('-', "_");
    psql(&admin, &format!("CREATE DATABASE {db}"));
    let source = database_url(&admin, &db);
    psql(&source, SEED);
    let url = format!("{source}?schema=public");
    let (out, _) = run(s3
        .script(dir.path().join("scripts/database-backup.sh"))
        .env("DATABASE_URL", &url));
    assert!(
        out.status.success(),
        "the old cron entry now makes an off-site PostgreSQL backup"
    );
    assert!(s3
        .keys()
        .iter()
        .any(|k| k.starts_with("acme-storefront/postgres/") && k.ends_with(".dump.complete")));
    let (out, _) = run(s3
        .script(dir.path().join("scripts/backup-restore-check.sh"))
        .env("DATABASE_URL", &url));
    assert!(out.status.success(), "and it restores");
    psql(&admin, &format!("DROP DATABASE IF EXISTS {db}"));
}

/// `mysql` on the server of a mysql:// URL (the e2e setup's MariaDB).
fn mysql(url: &str, sql: &str) -> String {
    let rest = url.strip_prefix("mysql://").expect("mysql:// URL");
    let (auth, rest) = rest.split_once('@').expect("user@host");
    let (user, password) = auth.split_once(':').expect("user:password");
    let (hostport, db) = rest.split_once('/').expect("/database");
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    let (out, _) = run(Command::new("mysql")
        .args([
            "-N", "-B", "-h", host, "-P", port, "-u", user, db, "-e", sql,
        ])
        .env("MYSQL_PWD", password));
    assert!(out.status.success(), "mysql: {sql}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn mysql_backup_and_restore_check_against_real_services() {
    if !e2e("mysql_backup_and_restore_check_against_real_services") {
        return;
    }
    for tool in ["mysql", "mysqldump"] {
        require_tool(tool);
    }
    let admin = require_env("SEAWORTHY_MYSQL_URL");
    let s3 = S3::new();
    let (dir, plan) = planned("tests/fix_fixtures/mysql-backup-app");
    apply(&plan, dir.path());
    let bin = dir.path().join("bin");

    let db = unique("sw_e2e").replace('-', "_");
    mysql(&admin, &format!("CREATE DATABASE {db}"));
    let source = database_url(&admin, &db);
    mysql(
        &source,
        "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, total INT NOT NULL) ENGINE=InnoDB;
         INSERT INTO orders (email, total) SELECT CONCAT('c', seq, '@example.com'), seq FROM seq_1_to_4000;
         CREATE TABLE `line items` (id INT, payload BLOB) ENGINE=InnoDB;
         INSERT INTO `line items` VALUES (1, X'DEADBEEF'), (2, NULL);
         CREATE TRIGGER orders_total BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = GREATEST(NEW.total, 0);",
    );

    let (out, backup_secs) = run(s3
        .script(bin.join("backup-offsite.sh"))
        .env("ORDERS_DB_URL", &source));
    assert!(out.status.success(), "backup-offsite.sh succeeds");
    let keys = s3.keys();
    let dump = keys
        .iter()
        .find(|k| k.ends_with(".sql.gz"))
        .expect("a dump")
        .clone();
    assert!(dump.starts_with("acme-orders/mysql/"), "{dump}");
    assert!(keys.contains(&format!("{dump}.complete")));
    let bytes = s3.size(&dump);
    assert!(bytes > 0);

    let restore = || {
        let mut cmd = s3.script(bin.join("backup-restore-check.sh"));
        cmd.env("ORDERS_DB_URL", &source);
        cmd
    };
    let (out, restore_secs) = run(&mut restore());
    assert!(out.status.success(), "restore check passes");
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(table.contains("4000         4000"), "{table}");
    assert!(table.contains("line items"), "{table}");
    assert_eq!(
        mysql(
            &admin,
            &format!(
                "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{}'",
                scratch_of(&out.stdout)
            )
        ),
        "0",
        "the scratch database is dropped"
    );

    mysql(&source, "DELETE FROM orders WHERE id = 1");
    let (out, _) = run(&mut restore());
    assert!(
        !out.status.success(),
        "a row-count mismatch fails the check"
    );

    s3.put(
        "acme-orders/mysql/29991231T000000Z.sql.gz",
        b"\x1f\x8b truncated",
    );
    s3.put("acme-orders/mysql/29991231T000000Z.sql.gz.complete", b"{}");
    let (out, _) = run(&mut restore());
    assert!(!out.status.success(), "a corrupt dump fails the check");
    let (out, _) = run(restore().arg("acme-orders/mysql/missing.sql.gz"));
    assert!(!out.status.success(), "a missing key fails the check");

    eprintln!(
        "figures: MariaDB dump of 4,002 rows = {bytes} bytes gzipped; backup-offsite.sh {backup_secs:.2}s; backup-restore-check.sh {restore_secs:.2}s"
    );
    mysql(&admin, &format!("DROP DATABASE IF EXISTS {db}"));
}
