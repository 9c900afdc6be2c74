//! sqlite-in-production: the production database is a SQLite file.

use crate::apps::{join, resolve};
use crate::facts::database::{engine_of, DatabaseLiteral, Engine};
use crate::facts::prisma::SettingValue;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileId, FileKind};
use crate::roles::path::is_non_product_path;
use crate::roles::source;
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "sqlite-in-production",
        code: "SW601",
        severity: Severity::Critical,
        category: Category::DatabaseBackups,
        title: "SQLite in production",
        wording: Wording::IssueImpactFix,
        fixable: true,
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
- a knexfile (`client`), Sequelize `config/config.json` (`dialect`), TypeORM
  `ormconfig`/`data-source` (`type`) or `drizzle.config` (`dialect`) uses SQLite
  for production: its `production` section when it has per-environment
  sections, else the whole configuration (Turso/D1 drivers excepted);
- a production env file (`.env.production`, `.env.production.example`, …)
  sets `DATABASE_URL` to a `file:` or `sqlite:` URL;
- Django: the settings production runs with (`settings/production.py` when
  there is one, else the settings that are not for dev/test/local) use
  `django.db.backends.sqlite3` or a `sqlite:///` URL (`dj-database-url`).
  SQLite that a later statement replaces with the database a URL names
  (`DATABASES['default'].update(dj_database_url.config())`) is the
  fallback for an unset URL: not reported when the app installs a server
  driver (`psycopg2`, `mysqlclient`, …) and is hosted on a platform that
  sets `DATABASE_URL` for an attached database (a Heroku `Procfile`,
  Render, Railway, Fly.io, App Platform, Scalingo, Clever Cloud), else
  reported as a fallback (high);
- Django and other Python settings that choose SQLite by a boolean switch
  read from the environment (`SQLITE = env.bool("USE_SQLITE", default=True)`
  then `if SQLITE:`; decouple's `config(…, default=True, cast=bool)`): the
  branch the default takes is what production gets, and a server database in
  the other branch is only an option. Reported (high) unless every deployment
  defined in the repository (compose files, `fly.toml`, `render.yaml`, …)
  sets the variable; a switch that defaults to the server database is not;
- Flask/FastAPI and other Python apps: a `sqlite:///` SQLAlchemy URL in
  non-test code, with no server database named beside it;
- Rails: `config/database.yml`'s `production` entry (ERB understood, `<<:`
  merges and multi-database configs followed) has a sqlite adapter and no `url:`;
- Laravel: `config/database.php` makes `sqlite` the default connection and the
  env example does not name another;
- Spring Boot: `spring.datasource.url` is an H2 or SQLite JDBC URL in the
  production profile (or in the default profile when no production profile
  sets one);
- other Java apps (a servlet WAR with JAX-RS, a plain `main`) that open
  SQLite through JDBC in their own code (`jdbc:sqlite:`, `org.sqlite.JDBC`)
  with `org.xerial:sqlite-jdbc` outside tests, no server database's JDBC
  driver and no Spring datasource (severity high, inferred from the
  driver);
- ASP.NET Core: the project references a SQLite provider
  (`Microsoft.EntityFrameworkCore.Sqlite`, `Microsoft.Data.Sqlite`) and no
  provider of a database server (Npgsql, SQL Server, MySQL, MongoDB);
  Phoenix: `mix.exs` (or, in an umbrella, the sibling app it depends on)
  brings `ecto_sqlite3` and neither `postgrex` nor `myxql` (severity high,
  inferred from the dependency);
- Rails apps that commit only a template (`config/database.yml.sample`,
  `.example`) whose `production` entry is SQLite (severity high: the template
  is the default a deployment copies);
- Node code that opens SQLite itself, in the app or a workspace package it
  depends on: a driver imported (`better-sqlite3`, `sqlite3`, `sqlite`,
  `node:sqlite`, `bun:sqlite`; severity high, inferred from the driver) when
  the app has no server database driver, or a `file:` URL given to a libSQL
  client. A client, dialect or URL that falls back to SQLite
  (`process.env.DATABASE_URL || "file:local.db"`, `process.env.DATABASE_URL ?
  "pg" : "sqlite3"`) is reported as high: SQLite is the default and the
  server database an option. Branches production never takes
  (`NODE_ENV === "test" ? "sqlite3" : "pg"`, an `if (NODE_ENV === "test")`
  block, a `development:` section) and `:memory:` databases are not;
- a `drizzle.config`/knexfile in a workspace package the app depends on
  (`packages/db`) counts as the app's; a module of such a package counts
  only when it is the package's entry or some file imports or re-exports it
  (a `// export * from "./sync-db"` commented out leaves it dead code);
- Go and Rust: the app imports a SQLite driver (`mattn/go-sqlite3`,
  `modernc.org/sqlite`, `rusqlite`, sqlx/diesel/sea-orm with `sqlite`) and no
  other database driver (severity high: inferred from the driver).

The same is asked of workers: long-running programs that serve no HTTP (a
Go daemon on a cron schedule, a Telegram bot on long polling, a gRPC
server, a Rust fetcher in a `loop`) whose entry code runs until stopped and
that a Dockerfile, compose file, Procfile or systemd unit ships. They are
production components that keep their data in the file as much as a web
app does. A command-line tool, a program that runs once and exits, and a
program nothing ships are not audited.
A setting read from the environment with a SQLite fallback
(`os.getenv("DATABASE_URL", "sqlite:///app.db")`, `${DB_URL:jdbc:h2:…}`,
`env('DB_CONNECTION', 'sqlite')`) is reported as high rather than critical, and
the message says so. SQLite in `development:`/`test:` or a dev profile is fine.
When the app is hosted on a serverless platform (as `sqlite-on-serverless`
finds it: Vercel, Netlify, AWS Lambda, Amplify), this finding says so: it
names and cites the platform's definition file and explains the loss on
every deploy, and `sqlite-on-serverless` reports nothing more for the same
line (one cause, one finding).
Remote SQLite services (Turso/libSQL with a `libsql://` URL, Cloudflare D1)
are not local files, and a
replicated SQLite (Litestream, LiteFS) is a deliberate, durable setup: neither is
reported. A `litestream.yml` or `litefs.yml` counts only when something starts
the replication (`litestream replicate` or `litefs mount` in an entrypoint,
Dockerfile, compose file, process file or script, the Litestream image as a
sidecar, or the README telling the operator to run it on the platform): a
configuration nothing runs replicates nothing, and the finding says so.

## Why is this bad?
SQLite locks the whole file on write, so concurrent traffic queues up; the file
lives on one machine's disk, so the app cannot scale horizontally, and on an
ephemeral container or serverless platform a redeploy loses the data.

## Example
### Reported
```prisma file=prisma/schema.prisma
datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" } }
```

### Not reported
```prisma file=prisma/schema.prisma
datasource db {
  // provider = "sqlite"
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" } }
```

### Reported
A Litestream configuration that nothing starts:

```yaml file=litestream.yml
dbs:
  - path: /data/notes.db
    replicas:
      - url: s3://acme-backups/notes
```

```js file=src/db.js
const Database = require("better-sqlite3");
module.exports = new Database("/data/notes.db");
```

```json file=package.json
{ "name": "notes-api", "private": true, "scripts": { "start": "node src/server.js" }, "dependencies": { "express": "4.21.2", "better-sqlite3": "11.7.0" } }
```

### Not reported
The same app whose image runs it under `litestream replicate`:

```yaml file=litestream.yml
dbs:
  - path: /data/notes.db
    replicas:
      - url: s3://acme-backups/notes
```

```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY . .
USER node
CMD ["litestream", "replicate", "-exec", "node src/server.js"]
```

```js file=src/db.js
const Database = require("better-sqlite3");
module.exports = new Database("/data/notes.db");
```

```json file=package.json
{ "name": "notes-api", "private": true, "scripts": { "start": "node src/server.js" }, "dependencies": { "express": "4.21.2", "better-sqlite3": "11.7.0" } }
```

### Reported
An Express API that opens a SQLite file with its driver:

```js file=src/db.js
const Database = require("better-sqlite3");
module.exports = new Database("data/notes.db");
```

```json file=package.json
{ "name": "notes-api", "private": true, "dependencies": { "express": "4.21.2", "better-sqlite3": "11.7.0" } }
```

### Reported
A libSQL client that falls back to a local file (high: SQLite is the default):

```ts file=lib/db.ts
import { createClient } from "@libsql/client";
export const client = createClient({ url: process.env.DATABASE_URL || "file:./local.db" });
```

```json file=package.json
{ "name": "storefront", "private": true, "dependencies": { "next": "15.1.0", "@libsql/client": "0.14.0" } }
```

### Not reported
SQLite only under tests, and a remote Turso database:

```js file=knexfile.js
module.exports = {
  client: process.env.NODE_ENV === "test" ? "sqlite3" : "pg",
  connection: process.env.DATABASE_URL,
};
```

```ts file=lib/turso.ts
import { createClient } from "@libsql/client";
export const turso = createClient({ url: "libsql://shop-acme.turso.io", authToken: process.env.TURSO_AUTH_TOKEN });
```

```json file=package.json
{ "name": "orders", "private": true, "dependencies": { "express": "4.21.2", "knex": "3.1.0", "pg": "8.13.3", "@libsql/client": "0.14.0" } }
```

### Not reported
SQLite in a test fixture:

```prisma file=test/fixtures/schema.prisma
datasource db {
  provider = "sqlite"
  url      = "file:./test.db"
}
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" } }
```

## Fix
Migrate to PostgreSQL (`provider = "postgresql"`, a `postgresql://` URL). The
existing migrations were generated for SQLite: archive them and create a new
baseline, since `prisma migrate deploy` fails (P3019) when
`migration_lock.toml` names another provider.

`seaworthy fix --unsafe` also moves the URL in the project's own image
inputs, line by line: a Dockerfile stage whose `RUN` steps read it gets a
PostgreSQL URL without credentials that nothing answers
(`postgresql://build@localhost:5432/build`, enough for `prisma generate` and
`prisma validate`), a runtime stage loses the line (the URL belongs in the
runtime environment); a compose file points at its PostgreSQL service, which
is added (healthcheck, named volume, the app's networks) when it has none.
Scripts and code that write `.env` are listed with file:line.
"#;

/// Packages that make a SQLite schema talk to a remote, replicated service.
const REMOTE_SQLITE_PACKAGES: &[&str] = &["@prisma/adapter-d1", "@prisma/adapter-libsql"];

/// libSQL clients: a remote Turso database (`libsql://`) or a local file
/// (`file:`), which only the URL in code tells apart.
const LIBSQL_CLIENTS: &[&str] = &["@libsql/client", "libsql"];

/// npm packages of database servers: with one, a SQLite driver the code
/// also opens is a cache or a tool, not the app's database.
const SERVER_DRIVER_PACKAGES: &[&str] = &[
    "@neondatabase/serverless",
    "@planetscale/database",
    "@prisma/client",
    "@vercel/postgres",
    "mariadb",
    "mongodb",
    "mongoose",
    "mssql",
    "mysql",
    "mysql2",
    "oracledb",
    "pg",
    "postgres",
    "tedious",
];

/// Packages of SQLite replication (LiteFS across nodes); with Litestream or
/// LiteFS configuration in the repository, SQLite is a deliberate, durable
/// deployment.
const REPLICATION_PACKAGES: &[&str] = &["litefs-js", "@epic-web/litefs"];

pub(crate) fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if REMOTE_SQLITE_PACKAGES.iter().any(|p| app.has_dependency(p))
        || REPLICATION_PACKAGES.iter().any(|p| app.has_dependency(p))
    {
        return Vec::new();
    }
    let index = cx.repo.index;
    // A Litestream or LiteFS configuration is a remedy only when something
    // starts the replication (an entrypoint, a compose sidecar, a process
    // file): a `litestream.yml` nothing runs replicates nothing.
    let replication_config = index
        .of_kind(FileKind::SqliteReplication)
        .iter()
        .find(|id| !is_non_product_path(&index.get(**id).rel));
    let mut unstarted_note = None;
    if let Some(config) = replication_config {
        if crate::rules::observability::evidence::ops_mention(cx, REPLICATION_STARTS).is_some() {
            return Vec::new();
        }
        // A platform that runs it from its own settings, as the README
        // tells the operator (`CC_WORKER_COMMAND="litestream replicate …"`).
        let readme_says = |id: &FileId| {
            cx.repo
                .facts
                .text(*id)
                .is_some_and(|t| REPLICATION_STARTS.iter().any(|n| t.contains(n)))
        };
        let app_readmes = cx.repo.in_dir(FileKind::Readme, cx.app.dir());
        if cx
            .repo
            .root_readmes()
            .iter()
            .chain(app_readmes.iter())
            .any(readme_says)
        {
            return Vec::new();
        }
        let rel = &index.get(*config).rel;
        let tool = if index.get(*config).name().starts_with("litefs") {
            "litefs mount"
        } else {
            "litestream replicate"
        };
        unstarted_note = Some(format!(
            " {} exists, but nothing in the repository starts `{tool}` (no entrypoint, compose service, process file or script runs it): the database is not replicated.",
            code(rel)
        ));
    }
    let mut findings = findings_by_ecosystem(cx);
    if let Some(note) = unstarted_note {
        for f in &mut findings {
            f.message.push_str(&note);
        }
    }
    findings
}

/// What starts SQLite replication: the Litestream command (shell or exec
/// form) or its image as a sidecar, LiteFS's mount (its usual entrypoint).
const REPLICATION_STARTS: &[&str] = &[
    "litestream replicate",
    "\"litestream\", \"replicate\"",
    // The image as a sidecar (its default command replicates); a Dockerfile
    // that only copies the binary out of it (`COPY --from=`) starts nothing.
    "image: litestream/litestream",
    "image: \"litestream/litestream",
    "litefs mount",
    "\"litefs\", \"mount\"",
];

fn findings_by_ecosystem(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    match app.ecosystem {
        Ecosystem::Node => {
            // With a libSQL client, only a `file:` URL in code says the
            // database is a local file (schemas and configs do not).
            let libsql = LIBSQL_CLIENTS.iter().any(|p| app.has_dependency(p));
            let mut findings = Vec::new();
            if !libsql {
                findings = prisma_findings(cx);
                if findings.is_empty() {
                    findings.extend(orm_findings(cx));
                }
                if findings.is_empty() {
                    findings.extend(env_findings(cx));
                }
            }
            if findings.is_empty() {
                findings.extend(node_code_findings(cx));
            }
            findings
        }
        Ecosystem::Python => python_findings(cx),
        Ecosystem::Ruby => rails_findings(cx),
        Ecosystem::Php => php_findings(cx),
        Ecosystem::Java => {
            let findings = spring_findings(cx);
            if findings.is_empty() {
                java_jdbc_findings(cx)
            } else {
                findings
            }
        }
        Ecosystem::Go => go_findings(cx),
        Ecosystem::Rust => rust_findings(cx),
        Ecosystem::Dotnet => package_findings(
            cx,
            &[
                "microsoft.entityframeworkcore.sqlite",
                "microsoft.data.sqlite",
                "system.data.sqlite",
                "sqlite-net-pcl",
            ],
        ),
        Ecosystem::Elixir => package_findings(cx, &["ecto_sqlite3", "exqlite", "sqlite_ecto2"]),
    }
}

/// .NET and Elixir: the app's production dependencies bring a SQLite
/// provider (EF Core's `Microsoft.EntityFrameworkCore.Sqlite`, Ecto's
/// `ecto_sqlite3`) and no driver of a database server (the stacks
/// `postgresql`, `mysql`, `sqlserver`, `mongodb`): SQLite for development
/// beside a server provider is the common layout, and is not reported.
fn package_findings(cx: &AppContext, sqlite_packages: &[&str]) -> Vec<Finding> {
    let app = cx.app;
    if app.ecosystem == Ecosystem::Dotnet {
        if let Some(found) = appsettings_findings(cx) {
            return found;
        }
    }
    if ["postgresql", "mysql", "sqlserver", "mongodb"]
        .iter()
        .any(|s| app.stacks.contains(s))
    {
        return Vec::new();
    }
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let Some(own) = facts.manifest(app.manifest) else {
        return Vec::new();
    };
    // The app's own manifest, then (Elixir umbrellas) the sibling apps it
    // depends on (`{:shop, in_umbrella: true}` → `apps/shop/mix.exs`),
    // each looked up by name.
    let parent = app.dir().rsplit_once('/').map(|(p, _)| p);
    let siblings = own.dependencies.keys().filter_map(|name| {
        let parent = parent?;
        index
            .find(&crate::apps::join(parent, &format!("{name}/mix.exs")))
            .filter(|_| app.ecosystem == Ecosystem::Elixir)
            .and_then(|id| facts.manifest(id).map(|m| (id, m)))
    });
    let Some((manifest_id, manifest, package)) = std::iter::once((app.manifest, own))
        .chain(siblings)
        .find_map(|(id, m)| {
            sqlite_packages
                .iter()
                .find(|p| m.dependencies.get(**p).is_some_and(|d| !d.dev))
                .map(|p| (id, m, *p))
        })
    else {
        return Vec::new();
    };
    if deployment_database(cx).is_some() {
        return Vec::new();
    }
    let rel = index.get(manifest_id).rel.clone();
    let message = format!(
        "{} depends on the SQLite provider {} and on no driver of a database server.",
        code(&rel),
        code(package)
    );
    driver_finding(
        cx,
        message,
        Location::new(rel, manifest.line_of(package)),
        Source::Driver,
    )
}

/// ASP.NET Core: the settings every environment loads
/// (`appsettings.json`, or `appsettings.Production.json`) hold a
/// connection string that opens a SQLite file (`Data Source=/var/lib/app/
/// data.sqlite`): whatever providers the app can use, the shipped
/// configuration selects SQLite. `appsettings.Development.json` is the
/// developer's.
fn appsettings_findings(cx: &AppContext) -> Option<Vec<Finding>> {
    let index = cx.repo.index;
    for name in ["appsettings.Production.json", "appsettings.json"] {
        let rel = crate::apps::join(cx.app.dir(), name);
        let Some(id) = index.find(&rel) else {
            continue;
        };
        let Ok(text) = crate::facts::text::read_text(&index.path(id), 1 << 20) else {
            continue;
        };
        let Some((conn, line)) = crate::facts::database::sqlite_connection_strings(&text)
            .into_iter()
            .next()
        else {
            // Production's own file that sets another connection decides.
            if name.contains("Production")
                && ["ConnectionStrings", "Server=", "Host="]
                    .iter()
                    .any(|w| text.contains(w))
            {
                return None;
            }
            continue;
        };
        if deployment_database(cx).is_some() {
            return None;
        }
        let message = format!(
            "{} sets the connection string {}: the shipped configuration opens a SQLite file.",
            code(&rel),
            code(&conn)
        );
        return Some(driver_finding(
            cx,
            message,
            Location::new(rel, line),
            Source::Driver,
        ));
    }
    None
}

/// Engine names of knex `client`, Sequelize `dialect`, TypeORM `type`,
/// Drizzle `dialect`.
const SQLITE_ENGINES: &[&str] = &[
    "sqlite",
    "sqlite3",
    "better-sqlite3",
    "sql.js",
    "capacitor",
    "expo",
];
const SERVER_ENGINES: &[&str] = &[
    "pg",
    "postgres",
    "postgresql",
    "mysql",
    "mysql2",
    "mariadb",
    "mssql",
    "oracledb",
    "cockroachdb",
    "mongodb",
];
const ENGINE_KEYS: &[&str] = &["client", "dialect", "type"];

fn is_env_section(name: &str) -> bool {
    matches!(
        name,
        "production"
            | "prod"
            | "staging"
            | "development"
            | "dev"
            | "test"
            | "testing"
            | "local"
            | "ci"
    )
}

/// The app's files of `kind` and those of the workspace packages it
/// depends on (a `packages/db` holding the Drizzle config), outside tests
/// and examples.
fn orm_config_files(cx: &AppContext, kind: FileKind) -> Vec<FileId> {
    let index = cx.repo.index;
    let mut files: Vec<FileId> = cx.files_of_kind(kind).collect();
    let ids = index.of_kind(kind);
    for dir in &cx.app.related_dirs {
        let range = index.ids_under(dir);
        let start = ids.partition_point(|id| *id < range.start);
        let end = ids.partition_point(|id| *id < range.end);
        files.extend(
            ids[start..end]
                .iter()
                .copied()
                .filter(|id| !index.get(*id).non_product),
        );
    }
    files.sort_unstable();
    files.dedup();
    files
}

/// Whether an ORM config has per-environment sections (`development`,
/// `production`, …).
fn is_sectioned(js: &crate::facts::JsFile) -> bool {
    js.string_properties
        .iter()
        .any(|p| p.path.iter().any(|s| is_env_section(s)))
}

/// A file production does not run (a script, a seed, a test, a dev
/// setting): the file-role model's `roles::source`.
fn is_tooling_path(rel: &str) -> bool {
    !source::judge(rel).is_production()
}

/// The app's JavaScript that can name SQLite: its own code and that of the
/// workspace packages it depends on, plus flat ORM configs (sectioned ones
/// are read by `orm_findings`), with the database literals production
/// takes (test-only branches dropped).
fn node_database_literals<'a>(
    cx: &AppContext<'a>,
) -> Vec<(FileId, &'a crate::facts::database::DatabaseLiteral)> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let mut files = cx.source_files();
    let js = index.of_kind(FileKind::JsSource);
    for dir in &cx.app.related_dirs {
        // A workspace package is shared by many apps: the few files of it
        // that can name SQLite are found once per audit.
        let naming = cx.repo.memo("JS files naming SQLite", dir, || {
            let range = index.ids_under(dir);
            let start = js.partition_point(|id| *id < range.start);
            let end = js.partition_point(|id| *id < range.end);
            std::sync::Arc::new(
                js[start..end]
                    .iter()
                    .copied()
                    .filter(|id| {
                        let f = index.get(*id);
                        !f.non_product
                            && !f.test
                            && facts
                                .js_mentioning(*id, &["sqlite", "libsql"])
                                .is_some_and(|j| {
                                    // A module that opens SQLite counts
                                    // only when something imports it.
                                    !j.databases.iter().any(|l| l.engine == Engine::Sqlite)
                                        || imported_anywhere(cx, *id)
                                })
                    })
                    .collect::<Vec<FileId>>(),
            )
        });
        files.extend(naming.iter().copied());
    }
    for id in orm_config_files(cx, FileKind::OrmConfig) {
        if facts.js(id).is_some_and(|js| !is_sectioned(js)) {
            files.push(id);
        }
    }
    files.sort_unstable();
    files.dedup();
    files
        .into_iter()
        .filter_map(|id| {
            facts
                .js_mentioning(id, &["sqlite", "libsql"])
                .map(|j| (id, j))
        })
        .flat_map(|(id, j)| j.databases.iter().map(move |l| (id, l)))
        .filter(|(_, l)| !l.test_only)
        .collect()
}

/// Whether a module of a workspace package is part of what the package
/// gives its users: the package's entry (`index`, `main`), or a module some
/// JavaScript file of the repository imports or re-exports (`./sync-db`,
/// `@acme/db/src/sync-db`), comments aside. A module whose only re-export
/// is commented out (`// export * from "./sync-db"`) is dead code: the apps
/// never open the database it names.
fn imported_anywhere(cx: &AppContext, id: FileId) -> bool {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let name = index.get(id).name();
    let stem = name.split('.').next().unwrap_or(name);
    if matches!(stem, "index" | "main" | "mod" | "server" | "app") || stem.is_empty() {
        return true;
    }
    // The last segment of every module any JavaScript file imports or
    // re-exports, listed once per audit (only asked for modules that open
    // SQLite).
    let imported = cx.repo.memo("JS imported module names", "", || {
        let mut names: std::collections::HashSet<String> = Default::default();
        for other in index.of_kind(FileKind::JsSource) {
            let Some(code) = facts.source_code(*other, &["import", "require", "from"]) else {
                continue;
            };
            for (module, _) in code.imports() {
                let last = module.rsplit('/').next().unwrap_or(&module);
                if let Some(stem) = last.split('.').next() {
                    names.insert(stem.to_string());
                }
            }
        }
        std::sync::Arc::new(names)
    });
    imported.contains(stem)
}

/// Node code that opens SQLite itself: a driver imported (`better-sqlite3`,
/// `sqlite3`, `node:sqlite`), a `file:` URL for a libSQL client, or a
/// config whose client or URL falls back to SQLite when the environment
/// sets no other (`process.env.DATABASE_URL || "file:local.db"`,
/// `process.env.DATABASE_URL ? "pg" : "sqlite3"`). A server database used
/// unconditionally wins; one chosen only when a variable is set is an
/// option, and SQLite stays the default (high).
fn node_code_findings(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    let literals = node_database_literals(cx);
    let server_always = literals
        .iter()
        .any(|(_, l)| l.engine == Engine::Server && !l.when_env_set && !l.from_env_default);
    if server_always {
        return Vec::new();
    }
    let sqlite = |fallback: bool| {
        literals.iter().find(|(_, l)| {
            l.engine == Engine::Sqlite && l.from_env_default == fallback && !l.when_env_set
        })
    };
    let index = cx.repo.index;
    if let Some((id, lit)) = sqlite(true) {
        let rel = index.get(*id).rel.clone();
        let message = format!(
            "{} uses SQLite ({}){}: SQLite is the default, and a server database only an option.",
            code(&rel),
            code(&lit.text),
            fallback_note(true)
        );
        return vec![finding(
            cx,
            message,
            Location::new(rel, lit.line),
            Source::NodeDriver,
            true,
        )];
    }
    let Some((id, lit)) = sqlite(false) else {
        return Vec::new();
    };
    let rel = index.get(*id).rel.clone();
    if is_tooling_path(&rel) {
        return Vec::new();
    }
    let url =
        lit.text.contains(':') && !lit.text.starts_with("node:") && !lit.text.starts_with("bun:");
    // A server driver beside the SQLite one may be the database production
    // uses. A hard-coded `file:` URL opens that file whatever is installed,
    // so there only a driver the app's code imports counts (a `postgres`
    // left in package.json by a template does not).
    let server_drivers: Vec<&str> = SERVER_DRIVER_PACKAGES
        .iter()
        .copied()
        .filter(|p| app.has_dependency(p))
        .collect();
    if !server_drivers.is_empty() {
        let dirs = std::iter::once(app.dir()).chain(app.related_dirs.iter().map(String::as_str));
        let imported = |p: &str| {
            dirs.clone()
                .any(|d| crate::apps::imported_by_production_code(index, d, p))
        };
        if !url || server_drivers.iter().any(|p| imported(p)) {
            return Vec::new();
        }
    }
    if url {
        // A hard-coded URL: the database is that file, whatever the environment.
        if !LIBSQL_CLIENTS.iter().any(|p| app.has_dependency(p)) && !lit.text.starts_with("sqlite")
        {
            return Vec::new();
        }
        let message = format!(
            "{} opens the database at {}: a local SQLite file.",
            code(&rel),
            code(&lit.text)
        );
        return vec![finding(
            cx,
            message,
            Location::new(rel, lit.line),
            Source::NodeDriver,
            false,
        )];
    }
    // A driver import: the package must be one the app installs (the
    // runtime's own `node:sqlite` needs none).
    let package = lit.text.rsplit('/').next().unwrap_or(&lit.text);
    let installed = lit.text.starts_with("node:")
        || lit.text.starts_with("bun:")
        || app.has_dependency(package)
        || app.has_dependency(&lit.text);
    if !installed {
        return Vec::new();
    }
    let message = format!(
        "{} opens SQLite with {} and the app uses no other database.",
        code(&rel),
        code(&lit.text)
    );
    driver_finding(
        cx,
        message,
        Location::new(rel, lit.line),
        Source::NodeDriver,
    )
}

/// knexfile, drizzle.config, TypeORM ormconfig/data-source and Sequelize's
/// config.json: the engine production uses. With per-environment sections
/// (`development`, `production`, …) only `production` decides; a flat
/// configuration is the one production runs with.
fn orm_findings(cx: &AppContext) -> Vec<Finding> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    // Cloudflare D1 and Turso speak SQLite but are remote services.
    if cx
        .hosting()
        .contains(&crate::index::DeployKind::CloudflareWorkers)
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for id in orm_config_files(cx, FileKind::OrmConfig) {
        let Some(js) = facts.js(id) else { continue };
        let props = &js.string_properties;
        let remote = props.iter().any(|p| {
            (p.key == "driver"
                && matches!(
                    p.value.as_str(),
                    "turso" | "d1-http" | "libsql" | "durable-sqlite"
                ))
                || (p.key == "dialect" && p.value == "turso")
        });
        if remote {
            continue;
        }
        let engines: Vec<&crate::facts::code::KeyedString> = props
            .iter()
            .filter(|p| ENGINE_KEYS.contains(&p.key.as_str()))
            .collect();
        let sectioned = engines
            .iter()
            .any(|p| p.path.iter().any(|s| is_env_section(s)));
        let chosen: Vec<_> = engines
            .into_iter()
            .filter(|p| !sectioned || p.path.iter().any(|s| s == "production" || s == "prod"))
            .collect();
        if chosen
            .iter()
            .any(|p| SERVER_ENGINES.contains(&p.value.as_str()))
        {
            continue;
        }
        if let Some(p) = chosen
            .iter()
            .find(|p| SQLITE_ENGINES.contains(&p.value.as_str()))
        {
            let rel = index.get(id).rel.clone();
            let scope = if sectioned { " for production" } else { "" };
            let message = format!(
                "{} sets `{}: '{}'`{scope}: the app's database is a SQLite file.",
                code(&rel),
                p.key,
                p.value
            );
            out.push(finding(
                cx,
                message,
                Location::new(rel, p.line),
                Source::OrmConfig,
                false,
            ));
        }
    }
    for id in orm_config_files(cx, FileKind::OrmConfigJson) {
        let Some(doc) = facts.json(id) else { continue };
        let json = &doc.value;
        let section = json.get("production").or_else(|| {
            // A flat ormconfig.json is the configuration production runs with.
            (!json
                .as_object()
                .is_some_and(|o| o.keys().any(|k| is_env_section(k))))
            .then_some(json)
        });
        let Some(section) = section else { continue };
        if section.get("use_env_variable").is_some() {
            continue;
        }
        let engine = ["dialect", "type"]
            .iter()
            .find_map(|k| section.get(*k).and_then(|v| v.as_str()).map(|v| (*k, v)));
        let Some((key, value)) = engine.filter(|(_, v)| SQLITE_ENGINES.contains(v)) else {
            continue;
        };
        let file = index.get(id);
        let text_line = if json.get("production").is_some() {
            doc.line_of_key_in("production", key)
        } else {
            doc.line_of_key(key)
        };
        let message = format!(
            "{} sets `{key}: \"{value}\"` for production.",
            code(&file.rel)
        );
        out.push(finding(
            cx,
            message,
            Location::new(file.rel.clone(), text_line),
            Source::OrmConfig,
            false,
        ));
    }
    out
}

/// How the database was found: decides the fix text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Prisma,
    OrmConfig,
    EnvFile,
    Django,
    SqlAlchemy,
    Rails,
    Laravel,
    Spring,
    Driver,
    NodeDriver,
    Php,
}

/// Tests, development settings, examples, seeds and tools: the file-role
/// model's `roles::source` (one list for every code rule).
fn is_test_or_dev_file(rel: &str) -> bool {
    !source::judge(rel).is_production()
}

/// A file named for production (`production.py`, `config/prod.js`).
fn is_production_file(rel: &str) -> bool {
    source::judge(rel).production_named
}

/// The database literals of the files production runs with: the
/// production-specific ones when they configure the database, else every
/// file that is not for tests or development (a `production.py` that only
/// does `from .base import *` inherits base's database). `None` when a
/// server database is named there too (a SQLite default beside a real
/// configuration). Literals in test-only blocks do not count.
fn production_literals(
    cx: &AppContext,
    files: Vec<FileId>,
    configures_database: impl Fn(FileId) -> bool,
) -> Option<(FileId, DatabaseLiteral)> {
    let index = cx.repo.index;
    let prod: Vec<FileId> = files
        .iter()
        .copied()
        .filter(|id| is_production_file(&index.get(*id).rel) && configures_database(*id))
        .collect();
    let chosen: Vec<FileId> = if prod.is_empty() {
        files
            .into_iter()
            .filter(|id| !is_test_or_dev_file(&index.get(*id).rel))
            .collect()
    } else {
        prod
    };
    let literals: Vec<(FileId, &DatabaseLiteral)> = chosen
        .iter()
        .filter_map(|id| cx.repo.facts.code(*id).map(|c| (*id, c)))
        .flat_map(|(id, c)| c.databases.iter().map(move |l| (id, l)))
        .filter(|(_, l)| !l.test_only)
        .collect();
    // A server engine in the branch an environment switch opts into
    // (`else:` of `if env.bool("USE_SQLITE", default=True):`) is an
    // option, not what production gets by default.
    if literals
        .iter()
        .any(|(_, l)| l.engine == Engine::Server && !l.when_env_set)
    {
        return None;
    }
    literals
        .into_iter()
        .find(|(_, l)| l.engine == Engine::Sqlite && !l.when_env_set)
        .map(|(id, l)| (id, l.clone()))
}

fn python_findings(cx: &AppContext) -> Vec<Finding> {
    let django = cx.app.framework() == Framework::Django;
    let index = cx.repo.index;
    let files: Vec<FileId> = cx
        .source_files()
        .into_iter()
        .filter(|id| {
            let f = index.get(*id);
            !django
                || f.name().contains("settings")
                || f.dir().rsplit('/').next() == Some("settings")
        })
        .collect();
    let facts = cx.repo.facts;
    let configures = |id: FileId| {
        facts
            .code(id)
            .is_some_and(|c| c.mentions("DATABASES") || !c.databases.is_empty())
    };
    let Some((id, lit)) = production_literals(cx, files.clone(), configures) else {
        // A server engine is named too: SQLite is still what production
        // gets when the engine switch defaults to it
        // (`os.getenv("DB_ENGINE", "sqlite")`).
        let source = if django {
            Source::Django
        } else {
            Source::SqlAlchemy
        };
        let found = selector_default(cx, &files, source);
        if !found.is_empty() || django {
            return found;
        }
        let found = flask_config_class_findings(cx, &files);
        if !found.is_empty() {
            return found;
        }
        return python_driver_findings(cx, &files);
    };
    if let Some(variable) = &lit.default_switch {
        // A switch that defaults to SQLite: production runs the default
        // unless every deployment defined here turns the switch off.
        if every_deployment_sets(cx, variable) {
            return Vec::new();
        }
    } else if lit.from_env_default && deployment_database(cx).is_some() {
        // The deployment defined here provides a server database for the
        // variable; the SQLite fallback is the developer's.
        return Vec::new();
    }
    if lit.from_env_default && required_database_url_overrides(cx, &files) {
        return Vec::new();
    }
    // The settings replace the SQLite database with the one the URL names
    // (`DATABASES['default'].update(dj_database_url.config())`), the app
    // installs a server driver for it, and it is hosted on a platform that
    // sets `DATABASE_URL` when a database is attached (Heroku's Procfile,
    // Render, Railway, Fly.io, …): the platform's URL is what production
    // runs on, SQLite the checkout's default. Without such a platform the
    // URL is optional and SQLite stays the fallback (reported).
    let platform_sets_url = cx.hosting().iter().any(|k| {
        matches!(
            k,
            DeployKind::Heroku
                | DeployKind::Render
                | DeployKind::Railway
                | DeployKind::FlyIo
                | DeployKind::DigitalOceanAppPlatform
                | DeployKind::Scalingo
                | DeployKind::CleverCloud
        )
    });
    if lit.replaced_from_url
        && platform_sets_url
        && [
            "psycopg2",
            "psycopg2-binary",
            "psycopg",
            "mysqlclient",
            "pymysql",
            "mysql-connector-python",
        ]
        .iter()
        .any(|d| cx.app.has_dependency(d))
    {
        return Vec::new();
    }
    let rel = index.get(id).rel.clone();
    if let Some(variable) = &lit.default_switch {
        let message = format!(
            "{} selects SQLite ({}) by default: the branch is taken unless {} is set to turn it off, and not every deployment defined here sets it.",
            code(&rel),
            code(&lit.text),
            code(variable)
        );
        return vec![finding(
            cx,
            message,
            Location::new(rel, lit.line),
            if django {
                Source::Django
            } else {
                Source::SqlAlchemy
            },
            true,
        )];
    }
    let what = if lit.text.starts_with("django.") {
        format!("configures `DATABASES` with the {} engine", code(&lit.text))
    } else {
        format!("sets the database URL to {}", code(&lit.text))
    };
    let message = format!(
        "{} {what}{}.",
        code(&rel),
        fallback_note(lit.from_env_default)
    );
    vec![finding(
        cx,
        message,
        Location::new(rel, lit.line),
        if django {
            Source::Django
        } else {
            Source::SqlAlchemy
        },
        lit.from_env_default,
    )]
}

/// Flask's configuration classes chosen by name (the application-factory
/// layout): `config = {'development': DevelopmentConfig, …, 'default':
/// DevelopmentConfig}` and the app created with
/// `create_app(os.getenv('APP_CONFIG') or 'default')`. When nothing in the
/// repository outside the Python code sets the variable (a Procfile, a
/// supervisor or systemd unit, a compose file, an env example, a script),
/// the default key decides: a finding when the class it names (or a class
/// it inherits from, in the same module) sets a SQLite URL and no server
/// one. The server URL of another class (`ProductionConfig`) is only
/// used when the variable selects it.
fn flask_config_class_findings(cx: &AppContext, files: &[FileId]) -> Vec<Finding> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    // The selection: an env read with a literal default that reaches
    // `create_app` on its line or through the variable it is assigned to.
    let selection = files.iter().find_map(|id| {
        let c = facts.code(*id)?;
        let text = facts.raw_text(*id)?;
        let lines: Vec<&str> = text.lines().collect();
        c.env_reads.iter().find_map(|read| {
            let key = read.fallback.clone()?;
            let line = lines.get(read.line.checked_sub(1)? as usize)?;
            let assigned = line
                .split_once('=')
                .map(|(lhs, _)| lhs.trim())
                .filter(|v| !v.is_empty() && v.chars().all(|ch| ch.is_alphanumeric() || ch == '_'));
            let reaches = line.contains("create_app(")
                || assigned.is_some_and(|v| {
                    text.contains(&format!("create_app({v}"))
                        || text.contains(&format!("config[{v}]"))
                });
            reaches.then(|| (*id, read.name.clone(), key, read.line))
        })
    });
    let Some((select_id, variable, key, select_line)) = selection else {
        return Vec::new();
    };
    // The module mapping names to classes, and the class of the key.
    for id in files {
        let Some(text) = facts.raw_text(*id) else {
            continue;
        };
        let tokens = crate::facts::code::tokenize(&text, crate::facts::code::Lang::Python);
        let class = (0..tokens.len()).find_map(|i| {
            match (
                tokens.get(i).map(|t| &t.token),
                tokens.get(i + 1).map(|t| &t.token),
                tokens.get(i + 2).map(|t| &t.token),
            ) {
                (
                    Some(crate::facts::code::Token::Str(k)),
                    Some(crate::facts::code::Token::Punct(':')),
                    Some(crate::facts::code::Token::Ident(class)),
                ) if *k == key => Some(class.clone()),
                _ => None,
            }
        });
        let Some(class) = class else { continue };
        let Some(c) = facts.code(*id) else { continue };
        let lines: Vec<&str> = text.lines().collect();
        // The body of `class Name(…):` and its bases, by indentation.
        let body = |name: &str| -> Option<(u32, u32, Vec<String>)> {
            let start = lines.iter().position(|l| {
                l.strip_prefix("class ").is_some_and(|rest| {
                    rest.trim_start().starts_with(name)
                        && rest[name.len()..].trim_start().starts_with(['(', ':'])
                })
            })?;
            let bases = lines[start]
                .split_once('(')
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(inside, _)| {
                    inside
                        .split(',')
                        .map(|b| b.trim().to_string())
                        .filter(|b| !b.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let end = lines[start + 1..]
                .iter()
                .position(|l| {
                    !l.trim().is_empty()
                        && !l.starts_with([' ', '\t'])
                        && !l.trim_start().starts_with('#')
                })
                .map_or(lines.len(), |p| start + 1 + p);
            Some((start as u32 + 1, end as u32, bases))
        };
        let mut todo = vec![class.clone()];
        let mut seen = Vec::new();
        let mut sqlite: Option<&DatabaseLiteral> = None;
        while let Some(name) = todo.pop() {
            if seen.contains(&name) || seen.len() > 4 {
                continue;
            }
            seen.push(name.clone());
            let Some((start, end, bases)) = body(&name) else {
                continue;
            };
            let in_body: Vec<&DatabaseLiteral> = c
                .databases
                .iter()
                .filter(|l| l.line > start && l.line <= end && !l.test_only)
                .collect();
            if in_body.iter().any(|l| l.engine == Engine::Server) {
                return Vec::new();
            }
            match in_body.into_iter().find(|l| l.engine == Engine::Sqlite) {
                Some(l) => {
                    sqlite = Some(l);
                    break;
                }
                None => todo.extend(bases),
            }
        }
        let Some(lit) = sqlite else { return Vec::new() };
        if variable_set_outside_code(cx, &variable) || deployment_database(cx).is_some() {
            return Vec::new();
        }
        let rel = index.get(*id).rel.clone();
        let select_rel = index.get(select_id).rel.clone();
        let message = format!(
            "{} creates the app with the configuration named by `{variable}`, else {}; {} maps {} to `{class}`, whose database is SQLite ({}), and nothing in the repository sets `{variable}`.",
            code(&select_rel),
            code(&format!("'{key}'")),
            code(&rel),
            code(&format!("'{key}'")),
            code(&lit.text)
        );
        let mut f = finding(
            cx,
            message,
            Location::new(rel, lit.line),
            Source::SqlAlchemy,
            true,
        );
        f.locations.push(Location::new(select_rel, select_line));
        return vec![f];
    }
    Vec::new()
}

/// Whether a file of the repository other than Python code names the
/// variable (a Procfile, a supervisor or systemd unit, a compose file, an
/// env example, a shell script): a deployment may set it. Prose does not.
fn variable_set_outside_code(cx: &AppContext, variable: &str) -> bool {
    let index = cx.repo.index;
    index.ids_under("").any(|id| {
        let f = index.get(id);
        let name = f.name().to_ascii_lowercase();
        !(name.ends_with(".py")
            || name.ends_with(".md")
            || name.ends_with(".rst")
            || name.ends_with(".html"))
            && cx
                .repo
                .facts
                .raw_text_capped(id, 256 * 1024)
                .is_some_and(|t| t.contains(variable))
    })
}

/// Whether the settings parse a database URL that the app cannot start
/// without (`dj_database_url.config(default=os.environ['DATABASE_URL'])`,
/// `dj_database_url.parse(os.environ["DATABASE_URL"])`): the URL every
/// deployment must set replaces the engine, and the SQLite fallback beside
/// it is never reached. An optional read (`os.getenv`, a default) leaves
/// the fallback in place.
fn required_database_url_overrides(cx: &AppContext, files: &[FileId]) -> bool {
    files.iter().any(|id| {
        cx.repo.facts.code(*id).is_some_and(|c| {
            c.imports
                .iter()
                .any(|(m, _)| m == "dj_database_url" || m.starts_with("dj_database_url."))
                && c.env_reads
                    .iter()
                    .any(|r| r.name.ends_with("DATABASE_URL") && !r.has_default && !r.optional_use)
        })
    })
}

/// Python modules that open a SQLite file directly.
const PYTHON_SQLITE_MODULES: &[&str] = &["sqlite3", "bottle_sqlite", "aiosqlite", "apsw"];

/// Python modules and packages through which an app reaches a database
/// server, or an ORM whose URL (read elsewhere) decides the engine.
const PYTHON_OTHER_DATABASE_MODULES: &[&str] = &[
    "psycopg2",
    "psycopg",
    "pymysql",
    "MySQLdb",
    "mysql",
    "asyncpg",
    "aiomysql",
    "pymongo",
    "motor",
    "mongoengine",
    "cx_Oracle",
    "oracledb",
    "pyodbc",
    "sqlalchemy",
    "flask_sqlalchemy",
    "peewee",
    "pony",
    "tortoise",
    "databases",
    "sqlmodel",
];

/// A Python app that opens SQLite through the driver itself
/// (`sqlite3.connect("app.db")`, Bottle's `SQLitePlugin`) and reaches no
/// other database: no server driver or URL-configured ORM is imported or
/// required, and no database URL is read from the environment.
fn python_driver_findings(cx: &AppContext, files: &[FileId]) -> Vec<Finding> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let mut sqlite: Option<(FileId, &str, u32)> = None;
    // The project's own package (`isso/` for the distribution `isso`) is
    // where the app opens its database; a helper in `contrib/` that reads
    // the same file is weaker evidence, cited only when nothing else is.
    let package_dir = cx.app.name.as_deref().map(|n| {
        cx.app
            .join(&n.to_ascii_lowercase().replace('-', "_"))
            .to_string()
            + "/"
    });
    let in_package = |id: FileId| {
        package_dir.as_deref().is_some_and(|d| {
            let rel = &index.get(id).rel;
            rel.starts_with(d)
                || rel.contains(&format!("/src/{d}"))
                || rel.starts_with(&format!("src/{d}"))
        })
    };
    for id in files {
        if is_test_or_dev_file(&index.get(*id).rel) || index.get(*id).test {
            continue;
        }
        let Some(c) = facts.code(*id) else { continue };
        for (module, line) in &c.imports {
            if PYTHON_OTHER_DATABASE_MODULES.contains(&module.as_str()) {
                return Vec::new();
            }
            let better = sqlite.is_none_or(|(at, _, _)| !in_package(at) && in_package(*id));
            if better && PYTHON_SQLITE_MODULES.contains(&module.as_str()) {
                sqlite = Some((*id, module.as_str(), *line));
            }
        }
        let reads_database_url = c.env_reads.iter().any(|r| {
            let n = r.name.to_ascii_uppercase();
            n.contains("DATABASE") || n.contains("DB_URL") || n.ends_with("_DSN")
        });
        if reads_database_url {
            return Vec::new();
        }
    }
    let other_dependency = PYTHON_OTHER_DATABASE_MODULES.iter().any(|m| {
        let package = m.to_ascii_lowercase().replace('_', "-");
        cx.app.has_dependency(&package) || cx.app.has_dependency("psycopg2-binary")
    });
    let Some((id, module, line)) = sqlite.filter(|_| !other_dependency) else {
        return Vec::new();
    };
    if deployment_database(cx).is_some() {
        return Vec::new();
    }
    let rel = index.get(id).rel.clone();
    let message = format!(
        "{} opens SQLite through {} and the app uses no other database.",
        code(&rel),
        code(module)
    );
    driver_finding(cx, message, Location::new(rel, line), Source::Driver)
}

fn fallback_note(from_env: bool) -> &'static str {
    if from_env {
        " as the fallback when the environment does not set one (production gets it whenever the variable is missing)"
    } else {
        ""
    }
}

fn rails_findings(cx: &AppContext) -> Vec<Finding> {
    let mut out = Vec::new();
    // The committed template (`database.yml.sample`) stands for the real
    // file when the repository keeps that out of version control.
    let files: Vec<FileId> = cx.files_of_kind(FileKind::RailsDatabaseYml).collect();
    let is_template = |id: &FileId| cx.repo.index.get(*id).name() != "database.yml";
    let real: Vec<FileId> = files
        .iter()
        .copied()
        .filter(|id| !is_template(id))
        .collect();
    let (files, template) = if real.is_empty() {
        (files, true)
    } else {
        (real, false)
    };
    for id in files {
        let Some(yml) = cx.repo.facts.rails_database(id) else {
            continue;
        };
        let Some(prod) = yml.environment("production") else {
            continue;
        };
        let Some(adapter) = prod.adapter.as_deref() else {
            continue;
        };
        if !adapter.contains("sqlite") || prod.has_url {
            continue;
        }
        let rel = cx.repo.index.get(id).rel.clone();
        let message = if template {
            format!(
                "{} sets the `production` adapter to {}, and the repository commits no `database.yml`: a deployment made from the template runs on SQLite by default.",
                code(&rel),
                code(adapter),
            )
        } else {
            format!(
                "{} sets the `production` adapter to {}{}.",
                code(&rel),
                code(adapter),
                fallback_note(prod.adapter_from_erb)
            )
        };
        // A template is what a deployment copies, not what it runs with:
        // SQLite is the default there, as with an environment fallback.
        out.push(finding(
            cx,
            message,
            Location::new(rel, prod.line),
            Source::Rails,
            prod.adapter_from_erb || template,
        ));
    }
    out
}

fn laravel_findings(cx: &AppContext) -> Vec<Finding> {
    let index = cx.repo.index;
    let Some(config) = cx
        .source_files()
        .into_iter()
        .find(|id| index.get(*id).rel.ends_with("config/database.php"))
    else {
        return Vec::new();
    };
    let Some(lit) = cx
        .repo
        .facts
        .code(config)
        .and_then(|c| c.databases.iter().find(|l| l.engine == Engine::Sqlite))
        .cloned()
    else {
        return Vec::new();
    };
    // The env example decides when it names a connection.
    let env_connection = cx.files_of_kind(FileKind::EnvExample).find_map(|id| {
        cx.repo
            .facts
            .env_file(id)
            .and_then(|e| e.get("DB_CONNECTION"))
            .map(|v| (id, v.clone()))
    });
    match &env_connection {
        Some((_, v)) if !v.value.is_empty() && !v.value.contains("sqlite") => return Vec::new(),
        Some((env_id, v)) if v.value.contains("sqlite") => {
            let env_rel = index.get(*env_id).rel.clone();
            let rel = index.get(config).rel.clone();
            let message = format!(
                "{} sets `DB_CONNECTION={}`, and {} falls back to it as the default connection.",
                code(&env_rel),
                v.value,
                code(&rel)
            );
            let mut f = finding(
                cx,
                message,
                Location::new(env_rel, v.line),
                Source::Laravel,
                true,
            );
            // The env example documents the environment the app expects;
            // production may set its own, so this is high, not critical.
            f.locations.push(Location::new(rel, lit.line));
            return vec![f];
        }
        _ => {}
    }
    let rel = index.get(config).rel.clone();
    let message = format!(
        "{} makes {} the default connection{}.",
        code(&rel),
        code(&lit.text),
        fallback_note(lit.from_env_default)
    );
    vec![finding(
        cx,
        message,
        Location::new(rel, lit.line),
        Source::Laravel,
        lit.from_env_default,
    )]
}

fn spring_findings(cx: &AppContext) -> Vec<Finding> {
    let index = cx.repo.index;
    let docs: Vec<(FileId, &crate::facts::spring::SpringDocument)> = cx
        .files_of_kind(FileKind::SpringConfig)
        .filter(|id| !index.get(*id).rel.contains("src/test/"))
        .filter_map(|id| cx.repo.facts.spring_config(id).map(|c| (id, c)))
        .flat_map(|(id, c)| c.documents.iter().map(move |d| (id, d)))
        .collect();
    let url_of = |d: &crate::facts::spring::SpringDocument| {
        d.get("spring.datasource.url")
            .map(|(v, l)| (v.to_string(), l))
    };
    let is_prod = |d: &crate::facts::spring::SpringDocument| {
        d.profile.as_deref().is_some_and(|p| {
            p.split([',', ' ', '&', '|', '!']).any(|w| {
                matches!(
                    w.to_ascii_lowercase().as_str(),
                    "prod" | "production" | "live"
                )
            })
        })
    };
    let prod: Vec<_> = docs
        .iter()
        .filter(|(_, d)| is_prod(d) && url_of(d).is_some())
        .collect();
    let chosen: Vec<_> = if prod.is_empty() {
        docs.iter()
            .filter(|(_, d)| d.profile.is_none() && url_of(d).is_some())
            .collect()
    } else {
        prod
    };
    let mut out = Vec::new();
    for (id, doc) in chosen {
        let Some((url, line)) = url_of(doc) else {
            continue;
        };
        // `${DATABASE_URL:jdbc:h2:mem:app}`: an environment lookup with a default.
        let (value, from_env) = match url.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(inner) => (
                inner
                    .split_once(':')
                    .map(|(_, d)| d.to_string())
                    .unwrap_or_default(),
                true,
            ),
            None => (url.clone(), false),
        };
        let Some(engine) = engine_of(&value).filter(|e| *e != Engine::Server) else {
            continue;
        };
        let rel = index.get(*id).rel.clone();
        let kind = if engine == Engine::H2 {
            "an embedded H2 database"
        } else {
            "a SQLite file"
        };
        let message = format!(
            "{} sets `spring.datasource.url` to {} ({}){}.",
            code(&rel),
            kind,
            code(&value),
            fallback_note(from_env)
        );
        out.push(finding(
            cx,
            message,
            Location::new(rel, line),
            Source::Spring,
            from_env,
        ));
    }
    out
}

fn go_findings(cx: &AppContext) -> Vec<Finding> {
    let index = cx.repo.index;
    let files: Vec<FileId> = cx
        .source_files()
        .into_iter()
        .filter(|id| !index.get(*id).name().ends_with("_test.go"))
        .collect();
    let Some((id, lit)) = production_literals(cx, files.clone(), |_| true) else {
        return selector_default(cx, &files, Source::Driver);
    };
    let rel = index.get(id).rel.clone();
    let message = format!(
        "{} imports the SQLite driver {} and the app imports no other database driver.",
        code(&rel),
        code(&lit.text)
    );
    driver_finding(cx, message, Location::new(rel, lit.line), Source::Driver)
}

/// Whether a literal names a driver package the code compiles in
/// (`modernc.org/sqlite`, `github.com/lib/pq`) rather than a value that
/// chooses the database (`sqlite3`, `sqlite:///data.db`).
fn is_driver_path(text: &str) -> bool {
    text.contains('/') && !text.contains("://")
}

/// Names of variables that select the database engine or URL.
fn is_selector_variable(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    [
        "DRIVER",
        "DIALECT",
        "ENGINE",
        "DBMS",
        "ADAPTER",
        "DB_CONNECTION",
        "DATABASE_URL",
        "DB_URL",
    ]
    .iter()
    .any(|s| name.ends_with(s))
}

/// Where the repository's own deployment gives the app a server database:
/// a database service in a compose file that runs the project, or a
/// production service there whose environment selects a server engine
/// (`DB_DRIVER=postgres`, `DATABASE_URL=postgres://…`); a Render blueprint
/// that wires a database into the service (`fromDatabase`). A SQLite
/// default in code is then the
/// developer's fallback, not what production runs with.
fn deployment_database(cx: &AppContext) -> Option<Location> {
    let repo = cx.repo;
    let compose_names: Vec<String> = repo
        .index
        .of_kind(FileKind::Compose)
        .iter()
        .map(|id| repo.index.get(*id).name().to_ascii_lowercase())
        .collect();
    // Compose variants per database (`docker-compose.sqlite.yml` beside
    // `docker-compose.postgres.yml`): SQLite is one of the deployments
    // shipped, and the server ones are options.
    if compose_names.iter().any(|n| n.contains("sqlite")) {
        return None;
    }
    // Any compose file that runs the project's services with a server
    // database beside them, not only the one that deploys: a local stack
    // built that way says which database the app is written for.
    let compose_files = repo
        .index
        .of_kind(FileKind::Compose)
        .iter()
        .filter_map(|id| repo.facts.compose(*id).map(|c| (*id, c)))
        .filter(|(id, c)| {
            c.name_role(&repo.index.get(*id).rel) != crate::facts::compose::ComposeRole::Development
        });
    for (id, file) in compose_files {
        let rel = repo.index.get(id).rel.clone();
        if !file
            .services
            .iter()
            .any(crate::rules::containerization::compose_files::is_application)
        {
            continue;
        }
        if let Some(db) = file
            .services
            .iter()
            .find(|s| crate::rules::containerization::compose_files::database_of(s).is_some())
        {
            return Some(Location::new(rel, db.line));
        }
        let selects_server = file
            .services
            .iter()
            .flat_map(|s| &s.details.environment)
            .find(|e| {
                is_selector_variable(&e.key)
                    && e.value.as_deref().is_some_and(|v| {
                        let v = v.trim().to_ascii_lowercase();
                        engine_of(&v) == Some(Engine::Server)
                            || matches!(
                                v.as_str(),
                                "postgres" | "postgresql" | "pgsql" | "mysql" | "mariadb"
                            )
                    })
            });
        if let Some(e) = selects_server {
            return Some(Location::new(rel, e.line));
        }
    }
    for id in repo.index.of_kind(FileKind::Deploy(DeployKind::Render)) {
        let Some(docs) = repo.facts.yaml_documents(*id) else {
            continue;
        };
        if docs.iter().any(yaml_has_key("fromDatabase")) {
            return Some(Location::new(repo.index.get(*id).rel.clone(), 1));
        }
    }
    None
}

/// Whether every deployment defined in the repository sets `variable`
/// (the switch that turns a SQLite default off): a compose file that runs
/// a server database and names it, and no platform definition (`fly.toml`,
/// `render.yaml`, …) that leaves it unset. No deployment at all sets
/// nothing.
fn every_deployment_sets(cx: &AppContext, variable: &str) -> bool {
    let repo = cx.repo;
    let mentions = |id: FileId| {
        repo.facts
            .raw_text_capped(id, 1 << 20)
            .is_some_and(|text| text.contains(variable))
    };
    let compose: Vec<FileId> = repo
        .index
        .of_kind(FileKind::Compose)
        .iter()
        .copied()
        .filter(|id| !repo.index.get(*id).non_product)
        .collect();
    let platforms: Vec<FileId> = repo
        .deploy_definitions()
        .iter()
        .filter(|(_, kind)| kind.builds_from_source() || *kind == DeployKind::Kubernetes)
        .map(|(id, _)| *id)
        .collect();
    let compose_sets = compose.iter().any(|id| mentions(*id));
    (compose_sets || !platforms.is_empty())
        && platforms.iter().all(|id| mentions(*id))
        && (compose_sets || compose.is_empty())
}

/// A predicate: whether a YAML tree holds `key` at any depth.
fn yaml_has_key(key: &'static str) -> impl Fn(&yaml_rust2::Yaml) -> bool {
    fn walk(y: &yaml_rust2::Yaml, key: &str, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match y {
            yaml_rust2::Yaml::Hash(h) => h
                .iter()
                .any(|(k, v)| k.as_str() == Some(key) || walk(v, key, depth + 1)),
            yaml_rust2::Yaml::Array(a) => a.iter().any(|v| walk(v, key, depth + 1)),
            _ => false,
        }
    }
    move |y| walk(y, key, 0)
}

/// An engine switch whose default is SQLite while server engines are
/// options: `viper.SetDefault("driver", "sqlite")`, a config struct's
/// `Dialect: "sqlite3"`, `os.getenv("DB_ENGINE", "sqlite")`, PHP
/// `getenv('DB_DRIVER') ?: 'sqlite'`, or a `sqlite:` URL the code assigns
/// when none is configured. Server drivers compiled in or server branches
/// are what an operator may opt into; unless the deployment defined here
/// does, production runs on SQLite (high, as with environment fallbacks).
/// A server engine chosen by a value (not merely imported) means the
/// default is not SQLite.
fn selector_default(cx: &AppContext, files: &[FileId], source: Source) -> Vec<Finding> {
    let index = cx.repo.index;
    let literals: Vec<(FileId, &DatabaseLiteral)> = files
        .iter()
        .filter(|id| {
            let rel = &index.get(**id).rel;
            !is_test_or_dev_file(rel)
        })
        .filter_map(|id| cx.repo.facts.code(*id).map(|c| (*id, c)))
        .flat_map(|(id, c)| c.databases.iter().map(move |l| (id, l)))
        .filter(|(_, l)| !l.test_only && !is_driver_path(&l.text))
        .collect();
    // The code names the server engines in the branches an option takes
    // (`if ENGINE == "postgres": …`, `case "mysql":`, the driver wrapper's
    // `sql.Open("mysql", dsn)`): only a server URL written into the code
    // says the default is not SQLite.
    let configured_server = literals
        .iter()
        .any(|(_, l)| l.engine == Engine::Server && l.text.contains("://"));
    if configured_server {
        return Vec::new();
    }
    // Python and PHP read the switch from the environment with a default;
    // Go sets it in a config struct, a flag or viper default, or assigns a
    // `sqlite:` URL when none is configured.
    let is_switch = |l: &DatabaseLiteral| matches!(l.text.as_str(), "sqlite" | "sqlite3");
    let Some((id, lit)) = literals.iter().find(|(_, l)| {
        l.engine == Engine::Sqlite
            && if source == Source::Driver {
                is_switch(l) || l.text.starts_with("sqlite:")
            } else {
                is_switch(l) && l.from_env_default
            }
    }) else {
        return Vec::new();
    };
    if deployment_database(cx).is_some() {
        return Vec::new();
    }
    let rel = index.get(*id).rel.clone();
    let message = format!(
        "{} makes SQLite ({}) the default database; the server databases the code supports are used only when the configuration selects one, and nothing in the repository's deployment does.",
        code(&rel),
        code(&lit.text)
    );
    vec![finding(
        cx,
        message,
        Location::new(rel, lit.line),
        source,
        true,
    )]
}

/// PHP: Laravel's `config/database.php`, else an engine switch in the
/// app's own code (`define('DB_DRIVER', getenv('DB_DRIVER') ?: 'sqlite')`).
fn php_findings(cx: &AppContext) -> Vec<Finding> {
    let laravel = laravel_findings(cx);
    if !laravel.is_empty() {
        return laravel;
    }
    let index = cx.repo.index;
    if let Some(id) = cx
        .source_files()
        .into_iter()
        .find(|id| index.get(*id).rel.ends_with("config/database.php"))
    {
        return php_config_file_findings(cx, id);
    }
    let files = cx.source_files();
    let found = selector_default(cx, &files, Source::Php);
    if !found.is_empty() {
        return found;
    }
    // Doctrine (Symfony) reads `DATABASE_URL`: a production env file
    // that points it at a SQLite file.
    env_findings(cx)
}

/// A `config/database.php` outside Laravel (a micro framework's, the app's
/// own): SQLite is the database when the file names the SQLite driver and
/// no server engine (`'driver' => 'sqlite'` beside placeholders for a
/// MySQL host). Laravel's file, which lists every connection, is read by
/// `laravel_findings`.
fn php_config_file_findings(cx: &AppContext, id: FileId) -> Vec<Finding> {
    if cx.app.framework() == Framework::Laravel {
        return Vec::new();
    }
    let Some(c) = cx.repo.facts.code(id) else {
        return Vec::new();
    };
    let server = c
        .databases
        .iter()
        .any(|l| l.engine == Engine::Server && !l.test_only)
        || c.php_drivers.iter().any(|(e, _, _)| *e != Engine::Sqlite);
    if server {
        return Vec::new();
    }
    let Some((text, line)) = c
        .php_drivers
        .iter()
        .find(|(e, _, _)| *e == Engine::Sqlite)
        .map(|(_, t, l)| (t.clone(), *l))
        .or_else(|| {
            c.databases
                .iter()
                .find(|l| l.engine == Engine::Sqlite && !l.test_only && !l.from_env_default)
                .map(|l| (l.text.clone(), l.line))
        })
    else {
        return Vec::new();
    };
    if deployment_database(cx).is_some() {
        return Vec::new();
    }
    let rel = cx.repo.index.get(id).rel.clone();
    let message = format!(
        "{} selects SQLite ({}) and names no other database engine.",
        code(&rel),
        code(&text)
    );
    vec![finding(
        cx,
        message,
        Location::new(rel, line),
        Source::Php,
        false,
    )]
}

/// A finding inferred from the driver the code imports, not read from a
/// setting: high, not critical.
fn driver_finding(cx: &AppContext, message: String, at: Location, source: Source) -> Vec<Finding> {
    let mut f = finding(cx, message, at, source, false);
    f.severity = Severity::High;
    vec![f]
}

/// JDBC drivers of server databases: an app that ships one is written
/// for that server, whatever else it opens.
const JAVA_SERVER_DRIVERS: &[&str] = &[
    "org.postgresql:postgresql",
    "mysql:mysql-connector-java",
    "com.mysql:mysql-connector-j",
    "org.mariadb.jdbc:mariadb-java-client",
    "com.microsoft.sqlserver:mssql-jdbc",
    "com.oracle.database.jdbc:ojdbc8",
    "com.oracle.database.jdbc:ojdbc11",
];

/// A Java app that opens SQLite through JDBC in its own code
/// (`DriverManager.getConnection("jdbc:sqlite:" + path)`): it depends on
/// `org.xerial:sqlite-jdbc` outside tests, ships no server database's
/// driver, no Spring config sets a datasource, and its production code
/// names a SQLite JDBC URL and no server one (a servlet WAR or a plain
/// `main` has no `application.properties` to read).
fn java_jdbc_findings(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    let index = cx.repo.index;
    let prod_dep = |name: &str| {
        cx.repo
            .facts
            .manifest(app.manifest)
            .and_then(|m| m.dependencies.get(name))
            .is_some_and(|d| !d.dev)
    };
    if !prod_dep("org.xerial:sqlite-jdbc")
        || JAVA_SERVER_DRIVERS.iter().any(|d| app.has_dependency(d))
    {
        return Vec::new();
    }
    let datasource_configured = cx
        .files_of_kind(FileKind::SpringConfig)
        .filter_map(|id| cx.repo.facts.spring_config(id))
        .flat_map(|c| c.documents.iter())
        .any(|d| d.get("spring.datasource.url").is_some());
    if datasource_configured {
        return Vec::new();
    }
    let files: Vec<FileId> = cx
        .source_files()
        .into_iter()
        .filter(|id| !index.get(*id).rel.contains("src/test/"))
        .collect();
    let Some((id, lit)) = production_literals(cx, files, |_| true) else {
        return Vec::new();
    };
    let rel = index.get(id).rel.clone();
    let message = format!(
        "{} opens SQLite through JDBC ({}, with `org.xerial:sqlite-jdbc`) and the app ships no other database driver.",
        code(&rel),
        code(&lit.text)
    );
    driver_finding(cx, message, Location::new(rel, lit.line), Source::Driver)
}

fn rust_findings(cx: &AppContext) -> Vec<Finding> {
    let Some(manifest) = cx.repo.facts.manifest(cx.app.manifest) else {
        return Vec::new();
    };
    let prod = |name: &str| manifest.dependencies.get(name).filter(|d| !d.dev);
    let features = |name: &str| prod(name).map(|d| d.features.clone()).unwrap_or_default();
    let has_feature = |name: &str, f: &str| features(name).iter().any(|x| x.contains(f));
    let server = ["postgres", "mysql"]
        .iter()
        .any(|f| has_feature("sqlx", f) || has_feature("diesel", f) || has_feature("sea-orm", f))
        || prod("tokio-postgres").is_some()
        || prod("postgres").is_some()
        || prod("libsql").is_some();
    let sqlite = prod("rusqlite").map(|_| "rusqlite").or_else(|| {
        ["sqlx", "diesel", "sea-orm"]
            .into_iter()
            .find(|c| has_feature(c, "sqlite"))
    });
    let (Some(krate), false) = (sqlite, server) else {
        return Vec::new();
    };
    let rel = cx.repo.index.get(cx.app.manifest).rel.clone();
    let message = format!(
        "{} depends on {} with SQLite and on no other database driver.",
        code(&rel),
        code(krate)
    );
    let mut f = finding(
        cx,
        message,
        Location::new(rel, manifest.line_of(krate)),
        Source::Driver,
        false,
    );
    f.severity = Severity::High;
    vec![f]
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
    index.of_kind_under(FileKind::PrismaSchema, path).to_vec()
}

pub(crate) fn production_schemas(cx: &AppContext) -> Vec<FileId> {
    // Three rules ask (this one, prisma-database-url-mismatch and
    // prisma-migrate-dev-in-production): worked out once per app.
    cx.memo("production Prisma schemas", 0, || {
        list_production_schemas(cx)
    })
}

fn list_production_schemas(cx: &AppContext) -> Vec<FileId> {
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
        for id in cx.repo.in_dir(FileKind::PrismaConfig, &dir) {
            if let Some((schema, _)) = facts.js(id).and_then(|js| js.property("schema")) {
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
                .of_kind_under(FileKind::PrismaSchema, dir)
                .iter()
                .copied()
                .filter(|id| {
                    let rel = &index.get(*id).rel;
                    let inner = rel.strip_prefix(dir.as_str()).unwrap_or(rel);
                    !is_non_product_path(inner.trim_start_matches('/'))
                })
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
                Source::Prisma,
                false,
            )
        })
        .collect()
}

fn env_findings(cx: &AppContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for kind in [FileKind::EnvFile, FileKind::EnvExample] {
        for id in cx.files_of_kind(kind) {
            let file = cx.repo.index.get(id);
            let Some(env) = cx.repo.facts.env_file(id) else {
                continue;
            };
            // A file named for production, or one that declares the
            // production environment itself (Symfony's committed `.env`
            // with `APP_ENV=prod`: the values production runs with unless
            // the host overrides them).
            let declares_production = env.vars.iter().any(|v| {
                matches!(
                    v.name.as_str(),
                    "APP_ENV" | "NODE_ENV" | "RAILS_ENV" | "MIX_ENV" | "ENVIRONMENT"
                ) && matches!(
                    v.value.to_ascii_lowercase().trim_matches('"'),
                    "prod" | "production"
                )
            });
            if !file.name().to_ascii_lowercase().contains("prod") && !declares_production {
                continue;
            }
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
                        if cx.app.stacks.contains(&"prisma") {
                            Source::Prisma
                        } else {
                            Source::EnvFile
                        },
                        false,
                    ));
                }
            }
        }
    }
    out
}

fn finding(
    cx: &AppContext,
    message: String,
    location: Location,
    source: Source,
    from_env: bool,
) -> Finding {
    let fix = match source {
        Source::Prisma => "Migrate to PostgreSQL (`provider = \"postgresql\"`, `DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DB?schema=public`). The existing migrations were written for SQLite: archive `prisma/migrations` and create a new baseline (`prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script`), because `prisma migrate deploy` fails with P3019 while `migration_lock.toml` names sqlite; move the data with pgloader.",
        Source::OrmConfig => "Use PostgreSQL in production (knex `client: 'pg'`, Sequelize `dialect: 'postgres'`, TypeORM `type: 'postgres'`, Drizzle `dialect: 'postgresql'`) with the URL read from the environment, generate the migrations for it, and move the data with pgloader.",
        Source::EnvFile => "Point production at PostgreSQL (`DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DB`) and switch the ORM's client/dialect to `pg`; move the data with pgloader.",
        Source::Django => "Configure PostgreSQL for production (`ENGINE: django.db.backends.postgresql`, or `dj_database_url.config(conn_max_age=600)` with no SQLite default), run `migrate` against it and move the data with `dumpdata`/`loaddata` or pgloader.",
        Source::SqlAlchemy => "Read a PostgreSQL URL (`postgresql+psycopg://…`) from the environment with no SQLite fallback, and run the Alembic migrations against it.",
        Source::Rails => "Use PostgreSQL in production (`adapter: postgresql` with `url: <%= ENV[\"DATABASE_URL\"] %>`), add the `pg` gem, and run `bin/rails db:prepare` on deploy.",
        Source::Laravel => "Set `DB_CONNECTION=pgsql` (or `mysql`) for production and make it the default in `config/database.php`; run `php artisan migrate --force` on deploy.",
        Source::Spring => "Set `spring.datasource.url` to a PostgreSQL JDBC URL (`jdbc:postgresql://HOST:5432/DB`) in the production profile, read from the environment, and let Flyway/Liquibase create the schema.",
        Source::Driver => "Use a PostgreSQL driver (pgx, lib/pq, sqlx with `postgres`) with the URL read from the environment, and migrate the data with pgloader.",
        Source::Php => "Make PostgreSQL or MySQL the default engine for production (set the driver setting to `postgres`/`mysql` in the deployment and in the shipped default), run the schema migrations against it and move the data with pgloader.",
        Source::NodeDriver => "Use PostgreSQL in production (`pg` or postgres.js, or Drizzle/Knex/Prisma with a PostgreSQL dialect) with the URL read from the environment and no SQLite fallback (fail at startup when it is unset), and move the data with pgloader.",
    };
    let mut f = RULE.meta.finding(
        Some(cx.app),
        message,
        "SQLite is not suitable for a production deployment with high concurrency or horizontal scaling. It locks the file on write, and the database lives on one machine's disk: every instance gets its own copy, and an ephemeral container loses it on redeploy.".to_string(),
        fix.to_string(),
        vec![location],
    );
    if from_env {
        // Production may set the variable; the fallback is still a trap.
        f.severity = Severity::High;
    }
    f
}
