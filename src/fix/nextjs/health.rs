//! missing-health-endpoint for Next.js: a liveness route that touches no
//! back-end and a readiness route that checks the database and Redis the
//! app uses, each with its own timeout.

use crate::fix::profile::{ClientExport, Database, Profile, RedisClient};
use crate::fix::Builder;
use crate::stack::Framework;

pub const LIVE_PATH: &str = "/api/health/live";
pub const READY_PATH: &str = "/api/health/ready";
/// Per-check timeout: probes default to 1 s, the generated ones allow 3 s;
/// the checks run in parallel, so the route answers within about 2 s.
pub const CHECK_TIMEOUT_MS: u32 = 2000;

/// How the route is kept out of the build-time cache.
enum Dynamic {
    /// `export const dynamic = "force-dynamic"` (Next ≤15, and 16 without
    /// cacheComponents).
    ForceDynamic,
    /// `await connection()` (Next 16 with cacheComponents, where the
    /// `dynamic` export is a build error).
    Connection,
}

/// `platform_built`: the deploy target (Vercel, Amplify) builds and runs
/// the app itself and probes nothing, so the manual step says who must.
pub fn plan(p: &Profile, b: &mut Builder, platform_built: bool) -> Result<(), String> {
    let ext = if p.typescript { "ts" } else { "js" };
    let cache_components = p
        .next_config
        .as_ref()
        .and_then(|c| b.read(&p.join(c)))
        .is_some_and(|t| t.contains("cacheComponents"));
    let next16 = p.next.is_some_and(|v| v.major >= 16);
    let dynamic = if next16 && cache_components {
        Dynamic::Connection
    } else {
        Dynamic::ForceDynamic
    };

    let route_dir = match (&p.app_router, &p.pages_router) {
        (Some(app), _) => format!("{app}/api/health"),
        (None, Some(pages)) => format!("{pages}/api/health"),
        (None, None) => "app/api/health".to_string(),
    };
    let pages = p.app_router.is_none() && p.pages_router.is_some();
    let ready_file = if pages {
        p.join(&format!("{route_dir}/ready.{ext}"))
    } else {
        p.join(&format!("{route_dir}/ready/route.{ext}"))
    };
    let live_file = if pages {
        p.join(&format!("{route_dir}/live.{ext}"))
    } else {
        p.join(&format!("{route_dir}/live/route.{ext}"))
    };

    let Backends {
        imports,
        helpers,
        checks,
    } = backend_checks(p, b, &ready_file, p.typescript)?;

    b.ready_checks = Some(checks.iter().map(|(n, _)| *n).collect());
    let live = if pages {
        pages_live(p.typescript)
    } else {
        app_live(&dynamic)
    };
    let ready = if pages {
        pages_ready(p.typescript, &imports, &helpers, &checks)
    } else {
        app_ready(p.typescript, &dynamic, &imports, &helpers, &checks)
    };
    b.create(&live_file, live, false);
    b.create(&ready_file, ready, false);
    // Probes carry no session: the app's (auth) middleware must not run on
    // the health routes.
    super::middleware::exclude(p, b, &[LIVE_PATH, READY_PATH]);

    let which = match dynamic {
        _ if pages => "Pages Router API routes are never cached",
        Dynamic::ForceDynamic => {
            "`export const dynamic = \"force-dynamic\"` keeps them out of the build-time cache"
        }
        Dynamic::Connection => {
            "Next 16 with cacheComponents: `await connection()` keeps them dynamic"
        }
    };
    b.assume(format!(
        "Liveness at GET {LIVE_PATH} (no back-end), readiness at GET {READY_PATH} ({}; {} ms per check); {which}.",
        if checks.is_empty() {
            "no back-end found to check".to_string()
        } else {
            checks.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" + ")
        },
        CHECK_TIMEOUT_MS
    ));
    b.manual(if platform_built {
        format!(
            "Point an uptime monitor (or the platform's health check, where it has one) at {READY_PATH}: the platform runs the app but does not probe it, so nothing else watches the database and Redis."
        )
    } else {
        format!(
            "Point the load balancer or orchestrator at {READY_PATH} for readiness and {LIVE_PATH} for liveness (the generated Dockerfile, compose and Kubernetes files already do)."
        )
    });
    Ok(())
}

/// Readiness beside the app's own health route, which checks no back-end
/// (health-check-misses-dependencies): the route stays as the liveness
/// route, and a readiness route is written under `/api/health/` (the
/// first of `ready`, `readiness`, `deps` the app does not serve), fitted
/// as `plan` fits its routes (router, `src/`, JS/TS, the app's client
/// module and export style, aliases, the middleware matcher). Returns the
/// liveness and readiness paths.
pub fn plan_readiness(
    p: &Profile,
    cx: &crate::rules::AppContext,
    b: &mut Builder,
    platform_built: bool,
) -> Result<(String, String), String> {
    let ext = if p.typescript { "ts" } else { "js" };
    let existing: Vec<String> =
        crate::rules::observability::missing_health_endpoint::health_route_paths(cx)
            .into_iter()
            .map(|(path, _)| path)
            .collect();
    let live = match crate::fix::catalog::k8s_probes::pick_routes(&existing) {
        Some(routes) => routes.live.unwrap_or(routes.ready),
        None => {
            return Err(
                "the app's health route has no plain path seaworthy can probe: add a readiness route by hand".to_string(),
            )
        }
    };
    let cache_components = p
        .next_config
        .as_ref()
        .and_then(|c| b.read(&p.join(c)))
        .is_some_and(|t| t.contains("cacheComponents"));
    let dynamic = if p.next.is_some_and(|v| v.major >= 16) && cache_components {
        Dynamic::Connection
    } else {
        Dynamic::ForceDynamic
    };
    let pages = p.app_router.is_none() && p.pages_router.is_some();
    let route_dir = match (&p.app_router, &p.pages_router) {
        (Some(app), _) => format!("{app}/api/health"),
        (None, Some(pages)) => format!("{pages}/api/health"),
        (None, None) => "app/api/health".to_string(),
    };
    // Every form Next would serve at the path, in both routers.
    let taken = |name: &str| {
        let path = format!("/api/health/{name}");
        existing.iter().any(|e| e.eq_ignore_ascii_case(&path))
            || ["src/app", "app", "src/pages", "pages"].iter().any(|root| {
                ["ts", "js", "tsx", "jsx", "mjs"].iter().any(|e| {
                    let stem = format!("{root}/api/health/{name}");
                    [
                        format!("{stem}/route.{e}"),
                        format!("{stem}.{e}"),
                        format!("{stem}/index.{e}"),
                    ]
                    .iter()
                    .any(|f| b.exists(&p.join(f)))
                })
            })
    };
    let name = ["ready", "readiness", "deps"]
        .into_iter()
        .find(|n| !taken(n))
        .ok_or("the app already serves /api/health/ready, /api/health/readiness and /api/health/deps: add the database check to one of them by hand")?;
    let ready = format!("/api/health/{name}");
    let ready_file = if pages {
        p.join(&format!("{route_dir}/{name}.{ext}"))
    } else {
        p.join(&format!("{route_dir}/{name}/route.{ext}"))
    };
    let Backends {
        imports,
        helpers,
        checks,
    } = backend_checks(p, b, &ready_file, p.typescript)?;
    let server_db =
        matches!(p.database, Database::Postgres | Database::Mysql) || p.has_dependency("mongoose");
    if checks.is_empty() || (server_db && !checks.iter().any(|(n, _)| *n == "database")) {
        return Err(format!(
            "the readiness route would not check the app's database: seaworthy writes the check for Prisma, `pg` and mongoose only; add `{ready}` with a `SELECT 1` through the app's client by hand"
        ));
    }
    b.ready_checks = Some(checks.iter().map(|(n, _)| *n).collect());
    let content = if pages {
        pages_ready(p.typescript, &imports, &helpers, &checks)
    } else {
        app_ready(p.typescript, &dynamic, &imports, &helpers, &checks)
    };
    b.create(&ready_file, content, false);
    // Probes carry no session: the app's (auth) middleware must not run on
    // the new route. The app's own route is its business, but a liveness
    // probe that meets a sign-in redirect says nothing: said, not edited.
    super::middleware::exclude(p, b, &[ready.as_str()]);
    if let Some(file) = super::middleware::find(p, b) {
        if let Some(text) = b.read(&file) {
            if super::middleware::plan_edit(&text, &[live.as_str()])
                != Ok(super::middleware::Outcome::Untouched)
            {
                b.manual(format!(
                    "{file} also runs on the app's own {live}, which the liveness probes ask: exclude it from the matcher, or a sign-in redirect answers the probe."
                ));
            }
        }
    }
    b.assume(format!(
        "Liveness at GET {live} (the app's own route, kept: it checks no back-end), readiness at GET {ready} ({}; {CHECK_TIMEOUT_MS} ms per check).",
        checks.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" + ")
    ));
    b.manual(if platform_built {
        format!(
            "Point an uptime monitor (or the platform's health check, where it has one) at {ready}: the platform runs the app but does not probe it."
        )
    } else {
        format!(
            "Point the load balancer or orchestrator at {ready} for readiness and {live} for liveness (the Dockerfile, compose and Kubernetes files seaworthy writes already do)."
        )
    });
    Ok((live, ready))
}

/// The readiness checks of the back-ends an app uses, as code: imports,
/// helper functions and `(name, () => promise)` pairs.
pub struct Backends {
    pub imports: Vec<String>,
    pub helpers: String,
    pub checks: Vec<(&'static str, String)>,
}

/// The database check uses Prisma through the app's own client module, in
/// the way it exports it; a module is created only when the app has none
/// (never a second PrismaClient). Redis gets a dedicated client without an
/// offline queue. An error when the check cannot be written (the routes
/// are then not written either: a readiness route that cannot check the
/// database would lie).
pub fn backend_checks(
    p: &Profile,
    b: &mut Builder,
    from_file: &str,
    typescript: bool,
) -> Result<Backends, String> {
    let ext = if typescript { "ts" } else { "js" };
    let ready_file = from_file;
    let mut imports: Vec<String> = Vec::new();
    let mut checks: Vec<(&'static str, String)> = Vec::new();
    let mut helpers = String::new();
    if let Some(prisma) = &p.prisma {
        let module = match &prisma.client_module {
            Some((module, export)) => Some((module.clone(), export.clone())),
            None if !prisma.unexported_clients.is_empty() => {
                return Err(format!(
                    "the readiness route needs the app's PrismaClient, and {} creates one without an export seaworthy can import; export it (`export const prisma = …` or `export default prisma`) and run `seaworthy fix` again (a second PrismaClient would open a second connection pool)",
                    prisma.unexported_clients.join(", ")
                ));
            }
            None if prisma.version.is_some_and(|v| v.major >= 7) => {
                b.manual("Prisma 7: no module of the app exports a client (it needs a driver adapter); add the database check to the readiness route by hand.");
                None
            }
            None if !typescript && p.framework != Framework::NextJs => {
                b.manual("No module of the app exports a Prisma client: add the database check to the readiness route by hand.");
                None
            }
            None => {
                let lib = match &p.alias_root {
                    Some(root) if !root.is_empty() => format!("{root}/lib/prisma.{ext}"),
                    _ if p.app_router.as_deref() == Some("src/app")
                        || (p.app_router.is_none()
                            && p.pages_router.as_deref() == Some("src/pages")) =>
                    {
                        format!("src/lib/prisma.{ext}")
                    }
                    _ => format!("lib/prisma.{ext}"),
                };
                let path = p.join(&lib);
                let content = prisma_module(typescript);
                if b.read(&path).is_some_and(|e| e != content) {
                    return Err(format!(
                        "the readiness route needs a Prisma client module and {path} exists without a PrismaClient export seaworthy can import; export the app's client from it (`export const prisma = …`) and run `seaworthy fix` again"
                    ));
                }
                b.create(&path, content, false);
                Some((path, ClientExport::Named("prisma".to_string())))
            }
        };
        if let Some((module, export)) = module {
            let spec = p.import_path(ready_file, &module);
            let (import, name) = export.import(&spec);
            imports.push(import);
            checks.push(("database", format!("() => {name}.$queryRaw`SELECT 1`")));
        }
    } else if let Some((import, module)) = (p.framework == Framework::NextJs
        && p.database == Database::Postgres
        && p.has_dependency("pg"))
    .then(|| crate::fix::express_backends::app_pg_pool(p, b, ready_file))
    .flatten()
    {
        // The app's own pool: its settings, whatever variable holds them.
        imports.push(import);
        checks.push(("database", "() => appDb.query(\"SELECT 1\")".to_string()));
        b.assume(format!(
            "The readiness route queries the pg pool the app exports from {module} (its connection settings)."
        ));
    } else if p.database == Database::Postgres && p.has_dependency("pg") {
        imports.push("import { Pool } from \"pg\";".to_string());
        helpers.push_str(
            "\n// A small pool of its own, so a saturated app pool cannot fail the probe.\nconst globalForPool = globalThis as unknown as { healthPool?: Pool };\nconst pool = (globalForPool.healthPool ??= new Pool({\n  connectionString: process.env.DATABASE_URL,\n  max: 1,\n  connectionTimeoutMillis: TIMEOUT_MS,\n  // A query that hangs fails, and its client leaves the pool: one hung\n  // connection must not hold the only slot for good.\n  query_timeout: TIMEOUT_MS,\n}));\n",
        );
        checks.push(("database", "() => pool.query(\"SELECT 1\")".to_string()));
    } else if p.has_dependency("mongoose") {
        // The app's own connection: mongoose is a process-wide singleton.
        imports.push("import mongoose from \"mongoose\";".to_string());
        checks.push((
            "database",
            "async () => {\n      const db = mongoose.connection.db;\n      if (mongoose.connection.readyState !== 1 || !db) throw new Error(\"not connected\");\n      await db.admin().ping();\n    }".to_string(),
        ));
    } else if p.database != Database::None {
        b.manual("Add a database check to the readiness route (seaworthy generates it for Prisma and `pg` only).");
    }

    match p.redis {
        Some(RedisClient::Ioredis) => {
            imports.push("import Redis from \"ioredis\";".to_string());
            helpers.push_str(
                "\n// A dedicated client: the app's client queues commands while Redis is\n// down (offline queue), so a PING through it would hang, not fail.\nconst globalForHealth = globalThis as unknown as { healthRedis?: Redis };\n\nfunction healthRedis(): Redis {\n  if (!globalForHealth.healthRedis) {\n    const client = new Redis(process.env.REDIS_URL ?? \"redis://localhost:6379\", {\n      enableOfflineQueue: false,\n      maxRetriesPerRequest: 1,\n      lazyConnect: true,\n      connectTimeout: TIMEOUT_MS,\n    });\n    // Failures are reported by the check; do not crash on the error event.\n    client.on(\"error\", () => {});\n    globalForHealth.healthRedis = client;\n  }\n  return globalForHealth.healthRedis;\n}\n\nasync function pingRedis(): Promise<void> {\n  const client = healthRedis();\n  if (client.status === \"wait\" || client.status === \"end\") await client.connect();\n  const reply = await client.ping();\n  if (reply !== \"PONG\") throw new Error(`unexpected reply: ${reply}`);\n}\n",
            );
            checks.push(("redis", "pingRedis".to_string()));
        }
        Some(RedisClient::NodeRedis) => {
            imports.push("import { createClient } from \"redis\";".to_string());
            helpers.push_str(
                "\n// A dedicated client without the offline queue: while Redis is down a\n// command fails at once instead of waiting for a reconnect.\ntype HealthRedis = ReturnType<typeof createClient>;\nconst globalForHealth = globalThis as unknown as { healthRedis?: HealthRedis };\n\nasync function pingRedis(): Promise<void> {\n  if (!globalForHealth.healthRedis) {\n    const client = createClient({\n      url: process.env.REDIS_URL ?? \"redis://localhost:6379\",\n      disableOfflineQueue: true,\n      socket: { connectTimeout: TIMEOUT_MS, reconnectStrategy: 1000 },\n    });\n    client.on(\"error\", () => {});\n    globalForHealth.healthRedis = client;\n  }\n  const client = globalForHealth.healthRedis;\n  if (!client.isOpen) await client.connect();\n  const reply = await client.ping();\n  if (reply !== \"PONG\") throw new Error(`unexpected reply: ${reply}`);\n}\n",
            );
            checks.push(("redis", "pingRedis".to_string()));
        }
        Some(RedisClient::Other) | None => {}
    }
    let helpers = if typescript {
        helpers
    } else {
        strip_types(&helpers)
    };
    Ok(Backends {
        imports,
        helpers,
        checks,
    })
}

fn prisma_module(typescript: bool) -> String {
    let cast = if typescript {
        " as unknown as { prisma?: PrismaClient }"
    } else {
        ""
    };
    format!("import {{ PrismaClient }} from \"@prisma/client\";\n\n// One client per process; reused across hot reloads in development.\nconst globalForPrisma = globalThis{cast};\n\nexport const prisma = globalForPrisma.prisma ?? new PrismaClient();\n\nif (process.env.NODE_ENV !== \"production\") globalForPrisma.prisma = prisma;\n")
}

const HEADERS: &str =
    "{\n  \"Content-Type\": \"application/health+json\",\n  \"Cache-Control\": \"no-store\",\n}";

fn app_live(dynamic: &Dynamic) -> String {
    let (import, head, call) = match dynamic {
        Dynamic::ForceDynamic => ("", "export const dynamic = \"force-dynamic\";\n\n", ""),
        Dynamic::Connection => (
            "import { connection } from \"next/server\";\n\n",
            "",
            "  await connection();\n",
        ),
    };
    let asyncness = if call.is_empty() { "" } else { "async " };
    format!(
        "// Liveness: the process is up and serving. It checks no back-end on\n// purpose: a database outage must not make the orchestrator restart every\n// instance. Generated by `seaworthy fix`.\n{import}{head}export {asyncness}function GET() {{\n{call}  return new Response(JSON.stringify({{ status: \"pass\" }}), {{\n    status: 200,\n    headers: {},\n  }});\n}}\n",
        indent(HEADERS, "    ").trim_start()
    )
}

pub fn common_ready(ts: bool, checks: &[(&str, String)]) -> String {
    let (ty, check_ty, promise_ty, ret_ty) = if ts {
        (
            "\ntype CheckResult = { status: \"pass\" | \"fail\"; durationMs: number; error?: string };\n",
            ": Record<string, CheckResult>",
            "<T>(promise: Promise<T>, ms: number): Promise<T>",
            "(run: () => Promise<unknown>): Promise<CheckResult>",
        )
    } else {
        ("", "", "(promise, ms)", "(run)")
    };
    let timer_ty = if ts {
        ": ReturnType<typeof setTimeout> | undefined"
    } else {
        ""
    };
    let never = if ts { "<never>" } else { "" };
    let mut out = format!(
        "{ty}\nfunction withTimeout{promise_ty} {{\n  let timer{timer_ty};\n  const timeout = new Promise{never}((_, reject) => {{\n    timer = setTimeout(() => reject(new Error(`no answer within ${{ms}} ms`)), ms);\n  }});\n  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));\n}}\n\nasync function check{ret_ty} {{\n  const started = Date.now();\n  try {{\n    await withTimeout(run(), TIMEOUT_MS);\n    return {{ status: \"pass\", durationMs: Date.now() - started }};\n  }} catch (error) {{\n    const message = error instanceof Error ? error.message : String(error);\n    return {{ status: \"fail\", durationMs: Date.now() - started, error: message }};\n  }}\n}}\n\nasync function runChecks() {{\n"
    );
    if checks.is_empty() {
        out.push_str(&format!("  const checks{check_ty} = {{}};\n"));
    } else {
        let names: Vec<&str> = checks.iter().map(|(n, _)| *n).collect();
        out.push_str(&format!(
            "  const [{}] = await Promise.all([\n",
            names.join(", ")
        ));
        for (_, run) in checks {
            out.push_str(&format!("    check({run}),\n"));
        }
        out.push_str("  ]);\n");
        out.push_str(&format!(
            "  const checks{check_ty} = {{ {} }};\n",
            names.join(", ")
        ));
    }
    // `?.`: under noUncheckedIndexedAccess an indexed Record value may be
    // undefined to tsc.
    out.push_str(if ts {
        "  const failing = Object.keys(checks).filter((name) => checks[name]?.status === \"fail\");\n"
    } else {
        "  const failing = Object.keys(checks).filter((name) => checks[name].status === \"fail\");\n"
    });
    out.push_str("  const status = failing.length === 0 ? \"pass\" : \"fail\";\n  // The body names the failing checks, e.g. {\"status\":\"fail\",\"failing\":[\"redis\"],…}.\n  return { code: status === \"pass\" ? 200 : 503, body: { status, failing, checks } };\n}\n");
    out
}

fn app_ready(
    ts: bool,
    dynamic: &Dynamic,
    imports: &[String],
    helpers: &str,
    checks: &[(&str, String)],
) -> String {
    let mut out = String::from(
        "// Readiness: answers 200 when every back-end the app needs answers, 503\n// naming the failing check otherwise. Each check has its own timeout.\n// Generated by `seaworthy fix`.\n",
    );
    if matches!(dynamic, Dynamic::Connection) {
        out.push_str("import { connection } from \"next/server\";\n");
    }
    for i in imports {
        out.push_str(i);
        out.push('\n');
    }
    if let Dynamic::ForceDynamic = dynamic {
        out.push_str("\nexport const dynamic = \"force-dynamic\";\n");
    }
    out.push_str(&format!("\nconst TIMEOUT_MS = {CHECK_TIMEOUT_MS};\n"));
    out.push_str(helpers);
    out.push_str(&common_ready(ts, checks));
    let call = if matches!(dynamic, Dynamic::Connection) {
        "  await connection();\n"
    } else {
        ""
    };
    out.push_str(&format!(
        "\nexport async function GET() {{\n{call}  const {{ code, body }} = await runChecks();\n  return new Response(JSON.stringify(body), {{\n    status: code,\n    headers: {},\n  }});\n}}\n",
        indent(HEADERS, "    ").trim_start()
    ));
    out
}

fn pages_live(ts: bool) -> String {
    let (import, sig) = if ts {
        (
            "import type { NextApiRequest, NextApiResponse } from \"next\";\n\n",
            "_req: NextApiRequest, res: NextApiResponse",
        )
    } else {
        ("", "_req, res")
    };
    format!(
        "// Liveness: the process is up and serving; it checks no back-end on\n// purpose. Generated by `seaworthy fix`.\n{import}export default function handler({sig}) {{\n  res.setHeader(\"Content-Type\", \"application/health+json\");\n  res.setHeader(\"Cache-Control\", \"no-store\");\n  res.status(200).send(JSON.stringify({{ status: \"pass\" }}));\n}}\n"
    )
}

fn pages_ready(ts: bool, imports: &[String], helpers: &str, checks: &[(&str, String)]) -> String {
    let mut out = String::from(
        "// Readiness: answers 200 when every back-end the app needs answers, 503\n// naming the failing check otherwise. Each check has its own timeout.\n// Generated by `seaworthy fix`.\n",
    );
    if ts {
        out.push_str("import type { NextApiRequest, NextApiResponse } from \"next\";\n");
    }
    for i in imports {
        out.push_str(i);
        out.push('\n');
    }
    out.push_str(&format!("\nconst TIMEOUT_MS = {CHECK_TIMEOUT_MS};\n"));
    out.push_str(helpers);
    out.push_str(&common_ready(ts, checks));
    let sig = if ts {
        "_req: NextApiRequest, res: NextApiResponse"
    } else {
        "_req, res"
    };
    out.push_str(&format!(
        "\nexport default async function handler({sig}) {{\n  const {{ code, body }} = await runChecks();\n  res.setHeader(\"Content-Type\", \"application/health+json\");\n  res.setHeader(\"Cache-Control\", \"no-store\");\n  res.status(code).send(JSON.stringify(body));\n}}\n"
    ));
    out
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The TypeScript annotations of the helpers, removed for a JavaScript app.
pub fn strip_types(ts: &str) -> String {
    ts.replace(" as unknown as { healthRedis?: Redis }", "")
        .replace(" as unknown as { healthRedis?: HealthRedis }", "")
        .replace(" as unknown as { healthPool?: Pool }", "")
        .replace("type HealthRedis = ReturnType<typeof createClient>;\n", "")
        .replace(
            "function healthRedis(): Redis {",
            "function healthRedis() {",
        )
        .replace(
            "async function pingRedis(): Promise<void> {",
            "async function pingRedis() {",
        )
}
