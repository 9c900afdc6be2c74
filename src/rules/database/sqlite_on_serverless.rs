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
and apps that also have a container or server deployment (fly.toml,
Kubernetes, Kamal, Render, Railway, a compose file that builds the app, or a
Dockerfile when no `vercel.json`/`netlify.toml`/`serverless.yml` says where
production runs), since the file may live on that server's volume. In a
repository of several apps, a definition at the root counts for the root app
only; the others need their own definition or a platform package. Google
Cloud Run and Heroku also lose local files but are not detected.

Reported as `sqlite-in-production`: the two rules find the same schema
line, and one cause makes one finding. The `sqlite-in-production` finding
keeps it — with this rule's message (the platform and its definition file
named and cited), impact and severity — so that its fix and the
suppressions written for it apply. This rule reports on its own only when
`sqlite-in-production` is turned off in `seaworthy.toml`.

## Why is this bad?
Serverless functions run on a read-only file system with a scratch `/tmp`
that belongs to one instance: writes fail, or land in a copy that vanishes
on the next cold start, and every concurrent instance sees its own database.
Each deploy ships the file from the repository again, so production data is
lost on every deploy.

## Example
### Reported
With `sqlite-in-production` turned off (otherwise that rule reports it):

```toml file=seaworthy.toml
[rules]
disable = ["sqlite-in-production"]
```

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
    let platforms: Vec<DeployKind> = hosting
        .iter()
        .copied()
        .filter(|k| is_ephemeral(*k))
        .collect();
    if platforms.is_empty() || hosting.iter().any(|k| has_disk(*k)) {
        return Vec::new();
    }
    let index = cx.repo.index;
    // Each platform's definition file: the app's own, else the root's (in a
    // repository of several apps, a root definition may be another app's).
    let definitions: Vec<(DeployKind, String)> = platforms
        .iter()
        .filter_map(|platform| {
            // By folder: the app's, else the root's.
            let by_dir = cx.repo.deploy_kinds_by_dir();
            let in_dir = |dir: &str| {
                by_dir
                    .get(dir)
                    .and_then(|defs| defs.iter().find(|(_, kind)| kind == platform))
            };
            in_dir(app.dir())
                .or_else(|| in_dir(""))
                .map(|(id, kind)| (*kind, index.get(*id).rel.clone()))
        })
        .collect();
    // A container the app may run elsewhere: a compose file always counts;
    // a bare Dockerfile only when no platform file says where production is.
    let dev_name = |id: &crate::index::FileId| {
        let name = index.get(*id).name().to_ascii_lowercase();
        name.split(['.', '-', '_']).any(|w| {
            matches!(
                w,
                "dev" | "development" | "local" | "test" | "ci" | "override"
            )
        })
    };
    // A compose file counts when it builds this app.
    let compose = cx.files_of_kind(FileKind::Compose).any(|id| {
        !dev_name(&id)
            && cx.repo.facts.compose(id).is_some_and(|c| {
                let dir = index.get(id).dir();
                c.services.iter().any(|svc| {
                    svc.build_context
                        .as_deref()
                        .and_then(|ctx| crate::apps::resolve(dir, ctx))
                        .is_some_and(|ctx| ctx == app.dir())
                })
            })
    });
    let dockerfile = cx
        .files_of_kind(FileKind::Dockerfile)
        .any(|id| !dev_name(&id));
    if compose || (dockerfile && definitions.is_empty()) {
        return Vec::new();
    }
    let own = definitions
        .iter()
        .any(|(_, rel)| app.path != "." && rel.starts_with(&format!("{}/", app.path)));
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
    let named: Vec<String> = platforms
        .iter()
        .map(
            |platform| match definitions.iter().find(|(k, _)| k == platform) {
                Some((_, rel)) => {
                    locations.push(Location::new(rel.clone(), 1));
                    format!("{} ({})", platform.label(), code(rel))
                }
                None => platform.label().to_string(),
            },
        )
        .collect();
    let platform_name = platforms
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(" and ");
    let hosted = format!("it is deployed to {}", named.join(" and "));
    let message = format!(
        "{} The app's database is a local SQLite file, and {hosted}.",
        first.message
    );
    vec![RULE.meta.finding(
        Some(app),
        message,
        format!(
            "{platform_name} {} the app in short-lived function instances on a read-only file system with a private, temporary `/tmp`: writes fail or land in a copy that disappears on the next cold start, each concurrent instance sees its own database, and every deploy replaces the file — production data is lost.",
            if platforms.len() > 1 { "run" } else { "runs" }
        ),
        "Use a database server the platform can reach: managed PostgreSQL (Neon, Supabase, Vercel Postgres, RDS) with `provider = \"postgresql\"`, or a remote SQLite service (Turso/libSQL through `@prisma/adapter-libsql`, Cloudflare D1 on Workers).".to_string(),
        locations,
    )]
}

/// One cause, one finding: an app's SQLite database on a serverless
/// platform is also `sqlite-in-production`'s finding, on the same schema
/// line. That finding keeps it — the seed rule's name, its fix and the
/// suppressions written for it stay valid — and takes this one's message,
/// impact, platform evidence and severity; this finding is dropped. When
/// `sqlite-in-production` is turned off (configuration), this one stands.
pub fn fold_into_sqlite_in_production(findings: &mut Vec<Finding>) {
    let mut folded = vec![false; findings.len()];
    for i in 0..findings.len() {
        if findings[i].rule != RULE.meta.name {
            continue;
        }
        let Some(j) = findings.iter().position(|f| {
            f.rule == super::sqlite_in_production::RULE.meta.name
                && f.app == findings[i].app
                && !f.locations.is_empty()
                && f.locations.first() == findings[i].locations.first()
        }) else {
            continue;
        };
        let serverless = findings[i].clone();
        let kept = &mut findings[j];
        kept.message = serverless.message;
        kept.impact = serverless.impact;
        for location in serverless.locations {
            if !kept.locations.contains(&location) {
                kept.locations.push(location);
            }
        }
        kept.severity = kept.severity.max(serverless.severity);
        folded[i] = true;
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !folded[i - 1]
    });
}
