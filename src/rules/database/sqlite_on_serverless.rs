//! sqlite-on-serverless: a SQLite file on a platform whose disk does not
//! survive a request, let alone a deploy.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileKind};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "sqlite-on-serverless",
        code: "SW605",
        severity: Severity::Critical,
        category: Category::DatabaseBackups,
        title: "SQLite on a serverless platform",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app whose production database is a local SQLite file (as
`sqlite-in-production` finds it: a Prisma `sqlite` provider, a knex/TypeORM/
Drizzle/Sequelize SQLite client, a `file:` URL in a production env file, …)
and that is hosted on a serverless platform: Vercel (`vercel.json`,
`@vercel/*` packages, a Deploy-to-Vercel button), Netlify, AWS Lambda
(`serverless.yml`, SST, SAM) or AWS Amplify.

Not reported: an app whose env example or production env file sets
`DATABASE_URL` to a server database (the SQLite schema is swapped or
overridden for production; `prisma-database-url-mismatch` reports a plain
mismatch), Cloudflare Workers (SQLite there is D1, a remote database),
Turso/libSQL and D1 drivers (remote services), Litestream/LiteFS replication,
and apps that also have a container or server deployment (a Dockerfile,
fly.toml, Kubernetes, Kamal, Render, Railway, …), since the file may live on
that server's volume. In a repository of several apps, a definition at the
root counts for the root app only; the others need their own definition or
a platform package. Google Cloud Run and Heroku also lose local files but
are not detected.

## Why is this bad?
Serverless functions run on a read-only file system with a scratch `/tmp`
that belongs to one instance: writes fail, or land in a copy that vanishes
on the next cold start, and every concurrent instance sees its own database.
Each deploy ships the file from the repository again, so production data is
lost on every deploy.

## Example
### Reported
```prisma file=prisma/schema.prisma
datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}
```

```json file=vercel.json
{ "framework": "nextjs" }
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" } }
```

### Not reported
Turso through the libSQL driver adapter is a remote database:

```prisma file=prisma/schema.prisma
datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}
```

```json file=vercel.json
{ "framework": "nextjs" }
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0", "@prisma/adapter-libsql": "6.1.0", "@libsql/client": "0.14.0" } }
```

## Fix
Use a database server the platform can reach: managed PostgreSQL (Neon,
Supabase, Vercel Postgres, RDS) with `provider = "postgresql"`, or keep SQLite
semantics with a remote service (Turso/libSQL through `@prisma/adapter-libsql`,
Cloudflare D1 on Workers).
"#;

fn is_ephemeral(kind: DeployKind) -> bool {
    matches!(
        kind,
        DeployKind::Vercel
            | DeployKind::Netlify
            | DeployKind::Serverless
            | DeployKind::Sst
            | DeployKind::AwsSam
            | DeployKind::AwsAmplify
    )
}

/// Platforms and tools that may run the app on a machine with a persistent
/// disk (or, for Cloudflare Workers, give SQLite as D1): any other than the
/// ephemeral ones. Infrastructure as code may define such a machine.
fn has_disk(kind: DeployKind) -> bool {
    !is_ephemeral(kind)
}

fn platform_package(name: &str) -> bool {
    name.starts_with("@vercel/")
        || name.starts_with("@netlify/")
        || name.ends_with("adapter-vercel")
        || name.ends_with("adapter-netlify")
        || matches!(
            name,
            "@astrojs/vercel" | "@astrojs/netlify" | "@remix-run/vercel" | "@remix-run/netlify"
        )
}

/// Whether the app's env example or production env file sets
/// `DATABASE_URL` to a database server: the SQLite schema is then swapped or
/// overridden for production (a build step that rewrites the provider), and
/// `prisma-database-url-mismatch` covers a plain mismatch.
fn documents_server_url(cx: &AppContext) -> bool {
    [FileKind::EnvExample, FileKind::EnvFile]
        .iter()
        .flat_map(|k| cx.files_of_kind(*k).collect::<Vec<_>>())
        .filter(|id| {
            let name = cx.repo.index.get(*id).name().to_ascii_lowercase();
            !name.contains("dev") && !name.contains("local") && !name.contains("test")
        })
        .filter_map(|id| cx.repo.facts.env_file(id))
        .any(|env| {
            env.vars.iter().any(|v| {
                let value = v.value.to_ascii_lowercase();
                v.name.ends_with("DATABASE_URL")
                    && [
                        "postgres",
                        "mysql",
                        "mariadb",
                        "sqlserver",
                        "mongodb",
                        "cockroach",
                    ]
                    .iter()
                    .any(|s| value.starts_with(s))
            })
        })
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    let hosting = cx.hosting();
    let Some(platform) = hosting.iter().copied().find(|k| is_ephemeral(*k)) else {
        return Vec::new();
    };
    if hosting.iter().any(|k| has_disk(*k)) {
        return Vec::new();
    }
    let index = cx.repo.index;
    let has_dockerfile = cx.files_of_kind(FileKind::Dockerfile).next().is_some();
    if has_dockerfile {
        return Vec::new();
    }
    // In a repository of several apps, a root definition may be another app's.
    let definition = cx
        .repo
        .deploy_definitions()
        .iter()
        .find(|(id, kind)| *kind == platform && index.get(*id).dir() == app.dir())
        .or_else(|| {
            cx.repo
                .deploy_definitions()
                .iter()
                .find(|(id, kind)| *kind == platform && index.get(*id).dir().is_empty())
        })
        .map(|(id, _)| index.get(*id).rel.clone());
    let own = definition
        .as_deref()
        .is_some_and(|rel| app.path != "." && rel.starts_with(&format!("{}/", app.path)));
    let single = app.path == "." || cx.repo.apps.len() == 1;
    if !(single || own || app.dependencies.iter().any(|d| platform_package(d))) {
        return Vec::new();
    }
    let sqlite = crate::rules::database::sqlite_in_production::check(cx);
    let Some(first) = sqlite.into_iter().next() else {
        return Vec::new();
    };
    if documents_server_url(cx) {
        return Vec::new();
    }
    let mut locations = first.locations.clone();
    let platform_name = platform.label();
    let hosted = match &definition {
        Some(rel) => {
            locations.push(Location::new(rel.clone(), 1));
            format!("it is deployed to {platform_name} ({})", code(rel))
        }
        None => format!("it is deployed to {platform_name}"),
    };
    let message = format!(
        "{} The app's database is a local SQLite file, and {hosted}.",
        first.message
    );
    vec![RULE.meta.finding(
        Some(app),
        message,
        format!(
            "{platform_name} runs the app in short-lived function instances on a read-only file system with a private, temporary `/tmp`: writes fail or land in a copy that disappears on the next cold start, each concurrent instance sees its own database, and every deploy replaces the file — production data is lost."
        ),
        "Use a database server the platform can reach: managed PostgreSQL (Neon, Supabase, Vercel Postgres, RDS) with `provider = \"postgresql\"`, or a remote SQLite service (Turso/libSQL through `@prisma/adapter-libsql`, Cloudflare D1 on Workers).".to_string(),
        locations,
    )]
}
