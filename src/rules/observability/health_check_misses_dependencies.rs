//! health-check-misses-dependencies: the app has health routes, but none of
//! them checks the database or Redis the app depends on.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::observability::evidence::any_code_file;
use crate::rules::observability::health_handlers::{
    health_handlers, is_prisma_client, touches, DB_PACKAGES, REDIS_PACKAGES,
};
use crate::rules::observability::missing_health_endpoint::{
    code_health_paths, is_health_path, HEALTH_LIBRARIES,
};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::{Framework, DATABASE_SERVER_STACKS};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "health-check-misses-dependencies",
        code: "SW402",
        severity: Severity::Medium,
        category: Category::ObservabilityMonitoring,
        title: "Health check does not check the database/Redis",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports a Node app that has health routes (found as `missing-health-endpoint`
finds them) when none of their handlers checks the database or the Redis the
app depends on. A handler is read with the local modules it imports (two
levels down): a database client import (`@prisma/client`, `pg`, `drizzle-orm`,
`@/lib/db`, a workspace `@acme/db`, …) or call (`$queryRaw`, `SELECT 1`,
`.authenticate()`) counts as a database check, a Redis client or `.ping()`
as a Redis check. A liveness route that checks nothing is fine when another
health route (`/ready`, `/readyz`) checks the back-ends. Apps using a health
library (`@nestjs/terminus`, `@godaddy/terminus`, `lightship`, …) and
handlers whose imports cannot be followed are not reported. Redis counts as
a dependency when the app's code imports a Redis client (`ioredis`, `redis`,
`@upstash/redis`).

Rails and Laravel apps are reported when their only health route is the
framework's own liveness endpoint — Rails' `rails/health#show` (`/up`, Rails
7.1+) or Laravel's `health: '/up'` in `bootstrap/app.php` (Laravel 11+) —
and the app uses a database server (Rails: the production adapter of
`config/database.yml`, else the `pg`/`mysql2`/`trilogy` gem; Laravel:
`DB_CONNECTION` of the env example, else `config/database.php`'s default)
or Redis (Rails: the `redis`, `redis-client` or `sidekiq` gem; Laravel: a
cache, session, queue or broadcast driver set to `redis`). Those endpoints
answer 200 once the app has booted and check nothing: they are liveness
routes. `seaworthy fix` keeps them and adds a readiness route (`/readyz`)
that checks the database and Redis.

An app that registers no health route, whose platform or orchestrator
probes a route of the product instead (Render's `healthCheckPath: /`,
Dokku's `CHECKS` on a static file, a compose `healthcheck:` on `/info`:
see `missing-health-endpoint`), is reported low, as a risk to verify, when
it uses a database server (PostgreSQL, MySQL, MongoDB, SQL Server): such a
probe stays green while the database is down unless the route happens to
query it.

## Why is this bad?
The health check answers 200 while the database or Redis is unreachable: the
load balancer keeps sending traffic to an instance that fails every request,
and a deploy whose database credentials are wrong is marked healthy.

## Example
### Reported
The app uses Prisma; its only health route checks nothing:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.4.1" } }
```

```ts file=app/api/health/route.ts
export async function GET() {
  return Response.json({ status: "ok" });
}
```

```ts file=lib/db.ts
import { PrismaClient } from "@prisma/client";
export const prisma = new PrismaClient();
```

### Not reported
A cheap liveness route and a readiness route that queries the database:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.4.1" } }
```

```ts file=app/api/health/live/route.ts
export function GET() {
  return Response.json({ status: "pass" });
}
```

```ts file=app/api/health/ready/route.ts
import { prisma } from "@/lib/db";
export async function GET() {
  await prisma.$queryRaw`SELECT 1`;
  return Response.json({ status: "pass" });
}
```

```ts file=lib/db.ts
import { PrismaClient } from "@prisma/client";
export const prisma = new PrismaClient();
```

## Fix
Keep liveness cheap, and add a readiness route (`/api/health/ready`,
`/readyz`) that runs `SELECT 1` on the database (Prisma: ``$queryRaw`SELECT 1` ``)
and `PING` on Redis, each with its own timeout, answering 503 when one
fails. Point the orchestrator's readiness probe (or the load balancer's
health check) at it.
"#;

/// Database client packages that are HTTP APIs or local files.
const HTTP_DB_PACKAGES: &[&str] = &["@supabase/supabase-js", "@libsql/client", "better-sqlite3"];

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if HEALTH_LIBRARIES.iter().any(|lib| app.has_dependency(lib)) {
        return Vec::new();
    }
    if matches!(app.framework(), Framework::Rails | Framework::Laravel) {
        return framework_liveness_only(cx);
    }
    let handlers = health_handlers(cx);
    if handlers.is_empty() {
        return probed_product_route(cx);
    }
    let facts = cx.repo.facts;
    // A database server the app's code (or a workspace package it uses)
    // really talks to; SQLite files and HTTP back-ends (Supabase, Turso)
    // hold no connection for a health check to test.
    let uses_db = app
        .stacks
        .iter()
        .any(|s| DATABASE_SERVER_STACKS.contains(s))
        && any_code_file(cx, "imports a database client", "", |id| {
            facts
                .source_code(id, crate::facts::needles::DATABASE_CLIENTS)
                .is_some_and(|src| {
                    src.imports().iter().any(|(m, _)| {
                        is_prisma_client(m)
                            || DB_PACKAGES
                                .iter()
                                .filter(|p| !HTTP_DB_PACKAGES.contains(p))
                                .any(|p| m == p || m.starts_with(&format!("{p}/")))
                    })
                })
        });
    // Upstash's HTTP client holds no connection to lose, and apps use it
    // for optional rate limits; only connection-based clients count.
    let clients: Vec<&str> = REDIS_PACKAGES
        .iter()
        .copied()
        .filter(|p| *p != "@upstash/redis")
        .collect();
    let uses_redis = clients.iter().any(|p| app.has_dependency(p))
        && any_code_file(cx, "imports a Redis client", "", |id| {
            facts.source_code(id, &["redis"]).is_some_and(|src| {
                src.imports()
                    .iter()
                    .any(|(m, _)| clients.iter().any(|p| m == p))
            })
        });
    if !uses_db && !uses_redis {
        return Vec::new();
    }
    let mut db_checked = false;
    let mut redis_checked = false;
    for handler in &handlers {
        let t = touches(cx, handler.file);
        if t.unknown {
            return Vec::new();
        }
        db_checked |= t.db;
        redis_checked |= t.redis;
    }
    let mut missing = Vec::new();
    if uses_db && !db_checked {
        missing.push(if app.stacks.contains(&"prisma") {
            "the database (Prisma)"
        } else {
            "the database"
        });
    }
    if uses_redis && !redis_checked {
        missing.push("Redis");
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let index = cx.repo.index;
    let routes: Vec<String> = handlers
        .iter()
        .map(|h| code(&index.get(h.file).rel))
        .collect();
    let what = missing.join(" or ");
    let message = format!(
        "The health route{} ({}) never check{} {what}, which the app uses.",
        if routes.len() > 1 { "s" } else { "" },
        routes.join(", "),
        if routes.len() > 1 { "" } else { "s" },
    );
    let mut locations: Vec<Location> = handlers
        .iter()
        .map(|h| {
            let line = facts
                .source_code(h.file, &[])
                .and_then(|s| {
                    if h.file_routed {
                        s.ident_line("GET").or_else(|| s.ident_line("default"))
                    } else {
                        None
                    }
                })
                .or_else(|| {
                    crate::rules::observability::missing_health_endpoint::code_health_routes(cx)
                        .into_iter()
                        .find(|(f, _, _)| *f == h.file)
                        .map(|(_, l, _)| l)
                })
                .unwrap_or(1);
            Location::new(index.get(h.file).rel.clone(), line)
        })
        .collect();
    locations.truncate(4);
    let example = match app.framework() {
        Framework::NextJs => {
            "`app/api/health/ready/route.ts` with `export const dynamic = 'force-dynamic'`"
        }
        _ => "`GET /readyz`",
    };
    let mut checks = Vec::new();
    if uses_db && !db_checked {
        checks.push(if app.stacks.contains(&"prisma") {
            "``await prisma.$queryRaw`SELECT 1` ``"
        } else {
            "a `SELECT 1` through the app's database client"
        });
    }
    if uses_redis && !redis_checked {
        checks.push("`await redis.ping()`");
    }
    vec![RULE.meta.finding(
        Some(app),
        message,
        format!("The health check answers 200 while {what} is down: the load balancer keeps routing traffic to an instance whose every request fails, and a deploy with a broken connection string is marked healthy."),
        format!(
            "Add a readiness route ({example}) that runs {}, each raced against a timeout (about 1 s), and answers 503 with `Cache-Control: no-store` when one fails; keep the liveness route free of back-end calls and point the readiness probe or load-balancer check at the new route.",
            checks.join(" and ")
        ),
        locations,
    )]
}

/// The app registers no health route, and the path its platform or
/// orchestrator probes (`missing-health-endpoint` counts it) is a route of
/// the product — `/`, a static file (Dokku's `CHECKS` on
/// `/download/riot.txt`) — while the app uses a database server: that
/// probe stays green while the database is down unless the route's handler
/// happens to query it, which only its code can say. Reported as a risk to
/// verify, low, naming the probe.
fn probed_product_route(cx: &AppContext) -> Vec<Finding> {
    let probes = cx.health_probes();
    if probes.is_empty()
        || probes.iter().any(|(_, p)| is_health_path(&p.path))
        || !code_health_paths(cx).is_empty()
    {
        return Vec::new();
    }
    let stacks = &cx.app.stacks;
    let database = [
        ("postgresql", "PostgreSQL"),
        ("mysql", "MySQL"),
        ("mongodb", "MongoDB"),
        ("mongoose", "MongoDB"),
        ("sqlserver", "SQL Server"),
    ]
    .iter()
    .find(|(s, _)| stacks.contains(s))
    .map(|(_, name)| *name);
    let Some(database) = database else {
        return Vec::new();
    };
    let index = cx.repo.index;
    let shown: Vec<String> = probes
        .iter()
        .take(3)
        .map(|(id, p)| {
            format!(
                "{} probes {} ({}:{})",
                p.by,
                code(&p.path),
                index.get(*id).rel,
                p.line
            )
        })
        .collect();
    let mut finding = RULE.meta.finding(
        Some(cx.app),
        format!(
            "The app's only health check is a route of the product: {}. Nothing shows that it checks the database ({database}), which the app uses.",
            shown.join("; ")
        ),
        format!("A probe of a route that answers without the database stays green while {database} is down: the platform keeps routing traffic to an instance whose every query fails, and a deploy with broken database credentials is marked healthy."),
        format!("Verify what the probed route does; add a readiness route (`GET /readyz`) that runs a short query on {database} with a timeout (about 2 s) and answers 503 when it fails, and point the platform's health check at it."),
        probes
            .iter()
            .take(4)
            .map(|(id, p)| Location::new(index.get(*id).rel.clone(), p.line))
            .collect(),
    );
    finding.severity = Severity::Low;
    finding.wording = Wording::ObservationRiskRequirement;
    vec![finding]
}

/// Rails' `rails/health#show` (Rails 7.1+, `/up`) and Laravel's `health:`
/// route of `withRouting` (Laravel 11+) answer 200 once the app has booted
/// and check no database or cache, by design: liveness. Reported when they
/// are the app's only health routes and the app uses a database server or
/// Redis. Any other health route (the app's own controller) is not read
/// here, and silences the rule.
fn framework_liveness_only(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    let rails = app.framework() == Framework::Rails;
    let facts = cx.repo.facts;
    let index = cx.repo.index;
    let mut builtin: Vec<(FileId, u32, String)> = Vec::new();
    for (id, line, path) in code_health_paths(cx) {
        let rel = &index.get(id).rel;
        let is_builtin = if rails {
            // `get "up" => "rails/health#show"`: the route's controller,
            // read at its line (the `rails/health#show` string itself may
            // be listed as a path too).
            rel.contains("config/routes")
                && if path.contains('#') {
                    path.trim_start_matches('/').starts_with("rails/health#")
                } else {
                    facts.code(id).is_some_and(|c| {
                        c.route_controllers
                            .iter()
                            .any(|(l, controller)| *l == line && controller == "rails/health")
                    })
                }
        } else {
            // The only route bootstrap/app.php names is `health:`.
            rel.ends_with("bootstrap/app.php")
        };
        if !is_builtin {
            return Vec::new();
        }
        if !path.contains('#') && !builtin.iter().any(|(i, l, _)| *i == id && *l == line) {
            builtin.push((id, line, path));
        }
    }
    if builtin.is_empty() {
        return Vec::new();
    }
    let (database, redis) = if rails {
        (rails_database_server(cx), app.stacks.contains(&"redis"))
    } else {
        (laravel_database_server(cx), laravel_uses_redis(cx))
    };
    let mut missing: Vec<String> = Vec::new();
    if let Some(db) = database {
        missing.push(format!("the database ({db})"));
    }
    if redis {
        missing.push("Redis".to_string());
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let what = missing.join(" or ");
    let paths: Vec<String> = builtin
        .iter()
        .map(|(_, _, p)| code(&format!("/{}", p.trim_start_matches('/'))))
        .collect();
    let (endpoint, checks) = if rails {
        (
            "Rails' `rails/health#show`",
            [
                database.map(|_| "`ActiveRecord::Base.connection.select_value(\"SELECT 1\")`"),
                redis.then_some("a Redis `PING`"),
            ],
        )
    } else {
        (
            "Laravel's `health:` route",
            [
                database.map(|_| "`DB::select('select 1')`"),
                redis.then_some("`Redis::connection()->ping()`"),
            ],
        )
    };
    let checks: Vec<&str> = checks.into_iter().flatten().collect();
    let message = format!(
        "The app's only health route ({}, {endpoint}) answers 200 once the app has booted and never checks {what}, which the app uses.",
        paths.join(", ")
    );
    let locations: Vec<Location> = builtin
        .iter()
        .take(4)
        .map(|(id, line, _)| Location::new(index.get(*id).rel.clone(), *line))
        .collect();
    vec![RULE.meta.finding(
        Some(app),
        message,
        format!("{endpoint} is a liveness check: it stays 200 while {what} is down, so a readiness probe or load-balancer check pointed at it keeps routing traffic to an instance whose every request fails, and a deploy with broken database credentials is marked healthy."),
        format!(
            "Keep {} for liveness and add a readiness route (`GET /readyz`) that runs {}, each with a short timeout (about 2 s), answering 503 when one fails; point the readiness probe or load-balancer check at it (`seaworthy fix` writes one).",
            paths.join(", "),
            checks.join(" and ")
        ),
        locations,
    )]
}

/// The database server a Rails app runs on in production: the production
/// adapter of config/database.yml, else (an adapter from the environment,
/// or no file) the adapter gem of the bundle. `None` for SQLite or no
/// database.
fn rails_database_server(cx: &AppContext) -> Option<&'static str> {
    let facts = cx.repo.facts;
    let adapter = cx
        .files_of_kind(FileKind::RailsDatabaseYml)
        .filter(|id| cx.repo.index.get(*id).name() == "database.yml")
        .find_map(|id| {
            let prod = facts.rails_database(id)?.environment("production")?;
            prod.adapter.clone().filter(|_| !prod.adapter_from_erb)
        });
    match adapter.as_deref() {
        Some("postgresql" | "postgis") => return Some("PostgreSQL"),
        Some("mysql2" | "trilogy") => return Some("MySQL"),
        Some("sqlserver") => return Some("SQL Server"),
        Some(_) => return None,
        None => {}
    }
    let stacks = &cx.app.stacks;
    if stacks.contains(&"postgresql") {
        Some("PostgreSQL")
    } else if stacks.contains(&"mysql") {
        Some("MySQL")
    } else {
        None
    }
}

/// A Laravel setting: its value in the env example, else the fallback
/// `env('NAME', 'x')` of the app's config files.
fn laravel_setting(cx: &AppContext, name: &str) -> Option<String> {
    let facts = cx.repo.facts;
    let from_example = cx
        .files_of_kind(FileKind::EnvExample)
        .find_map(|id| {
            facts
                .env_file(id)?
                .get(name)
                .map(|v| v.value.trim().to_string())
        })
        .filter(|v| !v.is_empty());
    from_example.or_else(|| {
        cx.source_files()
            .into_iter()
            .filter(|id| {
                let rel = &cx.repo.index.get(*id).rel;
                rel.contains("config/") && rel.ends_with(".php")
            })
            .find_map(|id| {
                facts
                    .code(id)?
                    .env_reads
                    .iter()
                    .find(|r| r.name == name)
                    .and_then(|r| r.fallback.clone())
            })
    })
}

/// The database server of a Laravel app's default connection, `None` for
/// SQLite or none known.
fn laravel_database_server(cx: &AppContext) -> Option<&'static str> {
    match laravel_setting(cx, "DB_CONNECTION").as_deref() {
        Some("pgsql") => Some("PostgreSQL"),
        Some("mysql") => Some("MySQL"),
        Some("mariadb") => Some("MariaDB"),
        Some("sqlsrv") => Some("SQL Server"),
        _ => None,
    }
}

/// Whether the cache, sessions, queue or broadcasting of a Laravel app run
/// on Redis.
fn laravel_uses_redis(cx: &AppContext) -> bool {
    [
        "CACHE_STORE",
        "CACHE_DRIVER",
        "SESSION_DRIVER",
        "QUEUE_CONNECTION",
        "BROADCAST_CONNECTION",
        "BROADCAST_DRIVER",
    ]
    .iter()
    .any(|name| laravel_setting(cx, name).as_deref() == Some("redis"))
}
