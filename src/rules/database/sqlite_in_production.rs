//! sqlite-in-production: the production database is a SQLite file.

use crate::apps::{is_non_product_path, join, resolve};
use crate::facts::prisma::SettingValue;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "sqlite-in-production",
        code: "SW601",
        severity: Severity::Critical,
        category: Category::DatabaseBackups,
        title: "SQLite in production",
        wording: Wording::IssueImpactFix,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app whose production database is a local SQLite file:
- the Prisma schema the app deploys with sets `provider = "sqlite"`. The
  schema is the one named by `package.json` `prisma.schema`, `prisma.config.*`
  or a `--schema` flag in the app's scripts, else the default places
  (`prisma/schema.prisma`, `schema.prisma`, `prisma/schema/`), in the app or in
  a workspace package it depends on. Comments are not settings; schemas under
  test, e2e, fixture or example folders are not production. When the app keeps
  a SQLite schema beside a schema for another database, the SQLite one is taken
  as the development schema and nothing is reported;
- a production env file (`.env.production`, `.env.production.example`, …)
  sets `DATABASE_URL` to a `file:` or `sqlite:` URL.
Remote SQLite services (Turso/libSQL, Cloudflare D1) are not local files, and a
replicated SQLite (Litestream, LiteFS) is a deliberate, durable setup: neither is
reported.

## Why is this bad?
SQLite locks the whole file on write, so concurrent traffic queues up; the file
lives on one machine's disk, so the app cannot scale horizontally, and on an
ephemeral container or serverless platform a redeploy loses the data.

## Example
Reported: `prisma/schema.prisma` with
`datasource db { provider = "sqlite" url = env("DATABASE_URL") }`.

Not reported: `provider = "postgresql"`; a `// provider = "sqlite"` comment;
`prisma/schema.prisma` (postgresql) beside `prisma/dev.prisma` (sqlite); a
schema under `test/fixtures/`.

## Fix
Migrate to PostgreSQL (`provider = "postgresql"`, a `postgresql://` URL). The
existing migrations were generated for SQLite: archive them and create a new
baseline, since `prisma migrate deploy` fails (P3019) when
`migration_lock.toml` names another provider.
"#;

/// Packages that make a SQLite schema talk to a remote, replicated service.
const REMOTE_SQLITE_PACKAGES: &[&str] = &[
    "@libsql/client",
    "@prisma/adapter-d1",
    "@prisma/adapter-libsql",
];

/// Packages of SQLite replication (LiteFS across nodes); with Litestream or
/// LiteFS configuration in the repository, SQLite is a deliberate, durable
/// deployment.
const REPLICATION_PACKAGES: &[&str] = &["litefs-js", "@epic-web/litefs"];

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if REMOTE_SQLITE_PACKAGES.iter().any(|p| app.has_dependency(p))
        || REPLICATION_PACKAGES.iter().any(|p| app.has_dependency(p))
    {
        return Vec::new();
    }
    let index = cx.repo.index;
    let replicated = index
        .of_kind(FileKind::SqliteReplication)
        .iter()
        .any(|id| !is_non_product_path(&index.get(*id).rel));
    if replicated {
        return Vec::new();
    }
    let mut findings = prisma_findings(cx);
    if findings.is_empty() {
        findings.extend(env_findings(cx));
    }
    findings
}

/// The folders whose schemas the app deploys with: its own and those of the
/// workspace packages it depends on.
fn schema_dirs(cx: &AppContext) -> Vec<String> {
    let mut dirs = vec![cx.app.dir().to_string()];
    dirs.extend(cx.app.related_dirs.iter().cloned());
    dirs
}

fn prisma_files_at(cx: &AppContext, path: &str) -> Vec<FileId> {
    let index = cx.repo.index;
    if let Some(id) = index.find(path) {
        return vec![id];
    }
    // A folder of schema files (Prisma's multi-file schemas).
    index
        .under(path)
        .iter()
        .filter(|f| f.kind == Some(FileKind::PrismaSchema))
        .filter_map(|f| index.find(&f.rel))
        .collect()
}

fn production_schemas(cx: &AppContext) -> Vec<FileId> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let mut explicit = Vec::new();
    for dir in schema_dirs(cx) {
        if let Some(pkg) = index
            .find(&join(&dir, "package.json"))
            .and_then(|id| facts.package_json(id))
        {
            if let Some(schema) = &pkg.prisma_schema {
                if let Some(path) = resolve(&dir, schema) {
                    explicit.extend(prisma_files_at(cx, &path));
                }
            }
            for script in pkg.scripts.values() {
                let mut words = script.split_whitespace();
                while let Some(word) = words.next() {
                    let value = match word.strip_prefix("--schema=") {
                        Some(v) => Some(v),
                        None if word == "--schema" => words.next(),
                        None => None,
                    };
                    if let Some(path) =
                        value.and_then(|v| resolve(&dir, v.trim_matches(['"', '\''])))
                    {
                        explicit.extend(prisma_files_at(cx, &path));
                    }
                }
            }
        }
        for id in index.of_kind(FileKind::PrismaConfig) {
            let file = index.get(*id);
            if file.dir() != dir {
                continue;
            }
            if let Some((schema, _)) = facts.js(*id).and_then(|js| js.property("schema")) {
                if let Some(path) = resolve(&dir, schema) {
                    explicit.extend(prisma_files_at(cx, &path));
                }
            }
        }
    }
    if !explicit.is_empty() {
        explicit.sort_unstable();
        explicit.dedup();
        return explicit;
    }

    let mut defaults = Vec::new();
    for dir in schema_dirs(cx) {
        for candidate in ["prisma/schema.prisma", "schema.prisma", "prisma/schema"] {
            defaults.extend(prisma_files_at(cx, &join(&dir, candidate)));
        }
    }
    if !defaults.is_empty() {
        defaults.sort_unstable();
        defaults.dedup();
        return defaults;
    }
    schema_dirs(cx)
        .iter()
        .flat_map(|dir| {
            index
                .under(dir)
                .iter()
                .filter(|f| f.kind == Some(FileKind::PrismaSchema))
                .filter(|f| {
                    let inner = f.rel.strip_prefix(dir.as_str()).unwrap_or(&f.rel);
                    !is_non_product_path(inner.trim_start_matches('/'))
                })
                .filter_map(|f| index.find(&f.rel))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn prisma_findings(cx: &AppContext) -> Vec<Finding> {
    let facts = cx.repo.facts;
    let schemas = production_schemas(cx);
    let mut sqlite = Vec::new();
    let mut other_provider = false;
    for id in &schemas {
        let Some(schema) = facts.prisma_schema(*id) else {
            continue;
        };
        for ds in &schema.datasources {
            let Some(provider) = &ds.provider else {
                continue;
            };
            match provider.value.as_literal() {
                Some("sqlite") => {
                    let remote_url = matches!(&ds.url, Some(u) if matches!(&u.value, SettingValue::String(url) if url.starts_with("libsql:")));
                    if !remote_url {
                        sqlite.push((*id, provider.line));
                    }
                }
                Some(_) => other_provider = true,
                None => {}
            }
        }
    }
    if other_provider {
        return Vec::new();
    }
    sqlite
        .into_iter()
        .map(|(id, line)| {
            let rel = cx.repo.index.get(id).rel.clone();
            let name = rel.rsplit('/').next().unwrap_or(&rel).to_string();
            finding(
                cx,
                format!("{} uses `provider = \"sqlite\"`.", code(&name)),
                Location::new(rel, line),
            )
        })
        .collect()
}

fn env_findings(cx: &AppContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for kind in [FileKind::EnvFile, FileKind::EnvExample] {
        for id in cx.files_of_kind(kind) {
            let file = cx.repo.index.get(id);
            if !file.name().to_ascii_lowercase().contains("prod") {
                continue;
            }
            let Some(env) = cx.repo.facts.env_file(id) else {
                continue;
            };
            for var in &env.vars {
                let is_db_url = var.name.ends_with("DATABASE_URL") || var.name == "DB_URL";
                let v = var.value.to_ascii_lowercase();
                if is_db_url && (v.starts_with("file:") || v.starts_with("sqlite:")) {
                    out.push(finding(
                        cx,
                        format!(
                            "{} sets {} to a SQLite file ({}).",
                            code(file.name()),
                            code(&var.name),
                            code(&var.value)
                        ),
                        Location::new(file.rel.clone(), var.line),
                    ));
                }
            }
        }
    }
    out
}

fn finding(cx: &AppContext, message: String, location: Location) -> Finding {
    RULE.meta.finding(
        Some(cx.app),
        message,
        "SQLite is not suitable for a production deployment with high concurrency or horizontal scaling. It locks the file on write, and the database lives on one machine's disk: every instance gets its own copy, and an ephemeral container loses it on redeploy.".to_string(),
        "Migrate to PostgreSQL (`provider = \"postgresql\"`, `DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DB?schema=public`). The existing migrations were written for SQLite: archive `prisma/migrations` and create a new baseline (`prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script`), because `prisma migrate deploy` fails with P3019 while `migration_lock.toml` names sqlite; move the data with pgloader.".to_string(),
        vec![location],
    )
}
