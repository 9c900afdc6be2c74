//! `seaworthy fix` fits the project it fixes (issue 15, "generated code that
//! does not fit the project"): one fixture app per defect class found on
//! real Next.js projects, fixed on a copy, then fixed again (no change).
//!
//! - next-prisma-default-export: the app's Prisma client module has only a
//!   default export (the route imported `{ prisma }`); a module that creates
//!   a client without an export must not get a second PrismaClient.
//! - next-auth-proxy-db-push: a NextAuth `proxy.ts` whose matcher covers
//!   /api (the probes got 307 to the sign-in page); `prisma db push`
//!   without migrations (`migrate deploy` created no tables).
//! - next-config-js-and-mjs: Next loads next.config.js before .mjs; its
//!   `distDir` is where the standalone output is.
//! - next-sentry-instrumentation: an existing instrumentation.ts is
//!   extended, and the lockfile command is said.
//! - express-knex-db-vars: the app's knex module (DB_* variables) and its
//!   Redis module (a client only when REDIS_ENABLED) are what the readiness
//!   route checks; nothing assumes DATABASE_URL or a Redis at localhost.
//! - express-pg-db-vars: a pg pool built from DB_HOST/DB_USER/… and not
//!   exported: the probe's own pool uses the same variables.
//! - django-db-vars: DATABASES from DB_* variables, a local cache with the
//!   redis package installed: checks read from the settings, no thread
//!   pool that a database hang could fill (run for real in fix_fit_e2e.rs).
//! - next-sqlite-handwritten-sql: SQLite → PostgreSQL with a hand-written
//!   partial unique index (carried after the baseline), a trigger and seed
//!   rows (the fix stops with the list), and the SQLite URL in the
//!   project's Dockerfile, compose file and env example (rewritten) and in
//!   a start script that writes `.env` (listed).
//! - next-pg-own-pool: a Next.js app whose pg pool reads POSTGRES_URL:
//!   readiness queries that pool, not one on DATABASE_URL.
//! - next-uploads-k8s: a read-only root filesystem for an app that writes
//!   uploads to public/uploads; pm2, nginx files on the "retire" list.
//! - express-ts-pg: a TypeScript Express app (nodenext ES modules, strict
//!   with noUncheckedIndexedAccess) got no health module at all; it gets a
//!   TypeScript one importing its pg pool (type-checked and run in
//!   fix_fit_e2e.rs).

use std::path::Path;
use std::process::Command;

mod common;
use common::copy_of;

use common::seaworthy_on as seaworthy;

const FIX: &[&str] = &["fix", "--allow-no-vcs", "--deploy-target", "kubernetes"];

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Fixes, asserts success, and checks a second run changes nothing.
fn fix_converges(root: &Path) -> String {
    let (code, out, err) = seaworthy(root, FIX);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, again, _) = seaworthy(root, FIX);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
    out
}

fn fixture(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    copy_of(&format!("tests/fix_fixtures/{name}"))
}

#[test]
fn the_apps_prisma_module_is_imported_the_way_it_exports_the_client() {
    let (_dir, root) = fixture("next-prisma-default-export");
    let module = read(&root, "src/lib/prisma.ts");
    let out = fix_converges(&root);
    let ready = read(&root, "src/app/api/health/ready/route.ts");
    assert!(
        ready.contains("import prisma from \"@/lib/prisma\";"),
        "a default export is imported as one (tsconfig with comments, alias @/ → src/):\n{ready}"
    );
    assert!(ready.contains("prisma.$queryRaw`SELECT 1`"), "{ready}");
    assert_eq!(
        module,
        read(&root, "src/lib/prisma.ts"),
        "the module is left alone"
    );
    assert!(
        !root.join("lib/prisma.ts").exists(),
        "no second client module"
    );
    assert!(out.contains("gone: missing-health-endpoint (.)"), "{out}");
    // Migrations: the release step applies them.
    let compose = read(&root, "compose.yaml");
    assert!(compose.contains("\"migrate\", \"deploy\"]"), "{compose}");
}

#[test]
fn a_client_without_an_export_skips_the_routes_with_the_reason() {
    let (_dir, root) = fixture("next-prisma-default-export");
    std::fs::write(
        root.join("src/lib/prisma.ts"),
        "import { PrismaClient } from \"@prisma/client\";\n\nconst prisma = new PrismaClient();\nvoid prisma;\n",
    )
    .expect("write");
    let (code, out, err) = seaworthy(&root, FIX);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("missing-health-endpoint (.): the readiness route needs the app's PrismaClient, and src/lib/prisma.ts creates one without an export"),
        "{out}"
    );
    assert!(
        !root.join("src/app/api/health").exists(),
        "no route written"
    );
    assert!(!root.join("lib/prisma.ts").exists(), "no second client");
    let dockerfile = read(&root, "Dockerfile");
    assert!(
        !dockerfile.contains("/api/health"),
        "nothing probes missing routes"
    );
}

#[test]
fn an_auth_proxy_matcher_excludes_the_health_routes_and_db_push_is_kept() {
    let (_dir, root) = fixture("next-auth-proxy-db-push");
    let out = fix_converges(&root);
    let proxy = read(&root, "proxy.ts");
    assert!(
        proxy.contains("'/((?!api/health/|_next|[^?]*\\\\.(?:html?|css|js(?!on)|"),
        "{proxy}"
    );
    assert!(
        proxy.contains("'/((?!api/health/)(?:api|trpc))(.*)',"),
        "{proxy}"
    );
    assert!(proxy.starts_with("import { auth } from \"@/auth\";\n\nexport default auth("));
    let ready = read(&root, "app/api/health/ready/route.ts");
    assert!(
        ready.contains("import { db } from \"@/lib/db\";"),
        "{ready}"
    );
    assert!(ready.contains("db.$queryRaw"), "{ready}");
    // No migrations folder: the compose migrate service runs db push.
    let compose = read(&root, "compose.yaml");
    assert!(
        compose.contains("\"db\", \"push\", \"--skip-generate\"]")
            && !compose.contains("\"migrate\""),
        "{compose}"
    );
    assert!(
        out.contains("No prisma/migrations: the project creates its tables with `prisma db push`"),
        "{out}"
    );
    assert!(
        out.contains("migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma"),
        "{out}"
    );
}

#[test]
fn a_middleware_without_a_matcher_gets_one_and_an_unsafe_matcher_is_explained() {
    let (_dir, root) = fixture("next-auth-proxy-db-push");
    std::fs::remove_file(root.join("proxy.ts")).expect("rm");
    std::fs::write(
        root.join("middleware.ts"),
        "export { auth as middleware } from \"@/auth\";\n",
    )
    .expect("write");
    fix_converges(&root);
    let middleware = read(&root, "middleware.ts");
    assert!(
        middleware
            .ends_with("export const config = {\n  matcher: [\"/((?!api/health/).*)\"],\n};\n"),
        "{middleware}"
    );

    let (_dir, root) = fixture("next-auth-proxy-db-push");
    let text = read(&root, "proxy.ts").replace(
        "matcher: [\n    '/((?!_next|[^?]*\\\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',\n    '/(api|trpc)(.*)',\n  ],",
        "matcher: [\"/api/:path*\", \"/settings\"],",
    );
    assert!(text.contains("/api/:path*"), "{text}");
    std::fs::write(root.join("proxy.ts"), &text).expect("write");
    let (code, out, _) = seaworthy(&root, FIX);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("proxy.ts runs on /api/health/live and /api/health/ready and seaworthy cannot edit its matcher safely"),
        "{out}"
    );
    assert_eq!(read(&root, "proxy.ts"), text, "left as it was");
    assert!(
        out.contains("still there: missing-health-endpoint (.) — written but not in effect: proxy.ts (middleware) still runs on the health routes"),
        "the re-check does not count routes behind auth as fixed:\n{out}"
    );
    assert!(!out.contains("gone: missing-health-endpoint"), "{out}");
}

#[test]
fn the_config_next_loads_gets_standalone_and_dist_dir_is_respected() {
    let (_dir, root) = fixture("next-config-js-and-mjs");
    let mjs = read(&root, "next.config.mjs");
    fix_converges(&root);
    let js = read(&root, "next.config.js");
    assert!(
        js.contains(
            "module.exports = {\n  output: \"standalone\",\n  poweredByHeader: false,\n  distDir: \"build\","
        ),
        "{js}"
    );
    assert_eq!(mjs, read(&root, "next.config.mjs"), "Next ignores the .mjs");
    let dockerfile = read(&root, "Dockerfile");
    assert!(
        dockerfile.contains("/app/build/standalone ./\n")
            && dockerfile.contains("/app/build/static ./build/static\n")
            && !dockerfile.contains(".next/standalone"),
        "{dockerfile}"
    );
    assert!(read(&root, ".dockerignore").contains("\nbuild\n"));
}

#[test]
fn sentry_extends_the_existing_instrumentation_and_names_the_lockfile_command() {
    let (_dir, root) = fixture("next-sentry-instrumentation");
    let out = fix_converges(&root);
    let hook = read(&root, "instrumentation.ts");
    assert!(
        hook.starts_with("import { registerOTel } from \"@vercel/otel\";\nimport * as Sentry from \"@sentry/nextjs\";\n\nexport async function register() {\n  if (process.env.NEXT_RUNTIME === \"nodejs\") {\n    await import(\"./sentry.server.config\");\n  }\n"),
        "{hook}"
    );
    assert!(
        hook.contains("  registerOTel({ serviceName: \"shop\" });\n}\n"),
        "{hook}"
    );
    assert!(
        hook.ends_with("export const onRequestError = Sentry.captureRequestError;\n"),
        "{hook}"
    );
    assert!(root.join("sentry.server.config.ts").exists());
    assert!(
        out.contains("Run `npm install` now: package.json gained @sentry/nextjs and package-lock.json does not have it yet, so a frozen install (`npm ci`"),
        "{out}"
    );
    assert!(out.contains("gone: apm-sdk-missing (.)"), "{out}");
}

#[test]
fn express_health_imports_the_apps_knex_and_optional_redis_modules() {
    let (_dir, root) = fixture("express-knex-db-vars");
    let out = fix_converges(&root);
    let health = read(&root, "server/health.js");
    assert!(
        health.contains("const appDb = () => require(\"./knex\");"),
        "the app's knex instance, with its DB_* configuration, loaded at the first probe:\n{health}"
    );
    assert!(
        health.contains("const db = await appDb();\n      await db.raw(\"select 1\");"),
        "{health}"
    );
    assert!(
        health.contains("const appRedis = () => require(\"./redis\").client;"),
        "{health}"
    );
    assert!(
        health.contains("const client = await appRedis();\n      // The app creates no client when its configuration turns Redis off.\n      if (!client) return;"),
        "Redis off in the app's settings is not a failure:\n{health}"
    );
    assert!(
        !health.contains("DATABASE_URL")
            && !health.contains("REDIS_URL")
            && !health.contains("from \"pg\"")
            && !health.contains("require(\"pg\")"),
        "nothing assumed:\n{health}"
    );
    let server = read(&root, "server/server.js");
    assert!(
        server.contains("const app = express();\napp.use(require(\"./health\"));\n"),
        "{server}"
    );
    assert!(out.contains("exported by server/knex.js"), "{out}");
}

#[test]
fn express_health_connects_with_the_db_variables_the_app_reads() {
    let (_dir, root) = fixture("express-pg-db-vars");
    let out = fix_converges(&root);
    let health = read(&root, "health.js");
    for field in [
        "  host: process.env.DB_HOST,\n",
        "  port: Number(process.env.DB_PORT) || undefined,\n",
        "  user: process.env.DB_USER,\n",
        "  password: process.env.DB_PASSWORD,\n",
        "  database: process.env.DB_NAME,\n",
        "  query_timeout: TIMEOUT_MS,\n",
    ] {
        assert!(health.contains(field), "{field:?} in\n{health}");
    }
    assert!(!health.contains("DATABASE_URL"), "{health}");
    assert!(
        out.contains("connects with the variables the app reads: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME"),
        "{out}"
    );
    // Compose gives the app the variables it connects with, not a
    // DATABASE_URL it never reads (shachar-aruch/online-coding-server,
    // fix15f: the app in compose could not reach its database).
    let compose = read(&root, "compose.yaml");
    let app = compose.split("\n  db:\n").next().unwrap_or_default();
    for line in [
        "      DB_HOST: \"db\"\n",
        "      DB_PORT: \"5432\"\n",
        "      DB_USER: \"${POSTGRES_USER:-",
        "      DB_PASSWORD: \"${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}\"\n",
        "      DB_NAME: \"${POSTGRES_DB:-",
    ] {
        assert!(app.contains(line), "{line:?} in\n{compose}");
    }
    assert!(!app.contains("DATABASE_URL"), "{compose}");
}

#[test]
fn django_health_reads_the_settings_and_cannot_wedge() {
    let (_dir, root) = fixture("django-db-vars");
    fix_converges(&root);
    let health = read(&root, "shop/health.py");
    assert!(
        !health.contains("ThreadPoolExecutor"),
        "no fixed pool that hung checks fill:\n{health}"
    );
    assert!(
        health.contains("wrapper.get_connection_params()"),
        "{health}"
    );
    assert!(health.contains("statement_timeout"), "{health}");
    assert!(
        health.contains("for alias, database in getattr(settings, \"DATABASES\", {}).items():")
            && health.contains("connections[alias]"),
        "every database of DATABASES, not only default:\n{health}"
    );
    assert!(
        health.contains("duplicate.shutdown(socket.SHUT_RDWR)"),
        "{health}"
    );
    assert!(
        !health.contains("REDIS_URL") && !health.contains("localhost:6379"),
        "Redis comes from CACHES, not assumed:\n{health}"
    );
    let settings = read(&root, "shop/settings.py");
    assert!(
        settings.contains("MIDDLEWARE = [\n    # First: answers probes before host checks and HTTPS redirects.\n    \"shop.health.HealthCheckMiddleware\",\n"),
        "{settings}"
    );
    // The module compiles (Python's own parser), when python3 is here.
    if let Ok(out) = Command::new("python3")
        .args(["-m", "py_compile", "shop/health.py"])
        .current_dir(&root)
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

const UNSAFE: &[&str] = &[
    "fix",
    "--allow-no-vcs",
    "--unsafe",
    "--rule",
    "sqlite-in-production",
];

#[test]
fn sqlite_to_postgres_carries_a_partial_index_and_rewrites_the_image_urls() {
    let (_dir, root) = fixture("next-sqlite-handwritten-sql");
    let (code, out, err) = seaworthy(&root, UNSAFE);
    assert_eq!(code, 0, "{out}\n{err}");
    let carried = read(
        &root,
        "prisma/migrations/1_sqlite_handwritten/migration.sql",
    );
    assert!(
        carried.contains("-- From prisma/migrations/20240201000000_live_email/migration.sql:3\nCREATE UNIQUE INDEX IF NOT EXISTS \"User_email_live_key\" ON \"User\"(\"email\") WHERE \"deletedAt\" IS NULL;\n"),
        "{carried}"
    );
    assert!(
        !carried.contains("User_email_idx"),
        "Prisma's own index comes from the schema:\n{carried}"
    );
    // The SQLite migrations are archived, not lost.
    assert!(root
        .join("prisma/migrations_sqlite_archive/20240201000000_live_email/migration.sql")
        .exists());
    assert!(read(&root, "prisma/schema.prisma").contains("provider = \"postgresql\""));
    assert!(
        read(&root, ".env.example").starts_with("DATABASE_URL=\"postgresql://"),
        "the env example is updated"
    );
    // The project's own image inputs get PostgreSQL URLs, line by line: the
    // build stage a placeholder its RUN steps can validate with, compose
    // the URL of a PostgreSQL service it now has.
    let dockerfile = read(&root, "Dockerfile");
    assert!(
        dockerfile.contains("\nENV DATABASE_URL=\"postgresql://build@localhost:5432/build?schema=public\"\nRUN npx prisma generate"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("file:"), "{dockerfile}");
    assert!(
        dockerfile.starts_with("FROM node:22-slim\nWORKDIR /app\n"),
        "the rest kept"
    );
    let compose = read(&root, "docker-compose.yml");
    assert!(
        compose.contains("      DATABASE_URL: \"postgresql://${POSTGRES_USER:-members}:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB:-members}?schema=public\"\n"),
        "{compose}"
    );
    assert!(
        compose.contains("    depends_on:\n      db:\n        condition: service_healthy\n"),
        "{compose}"
    );
    assert!(
        compose.contains("\n  db:\n    image: postgres:17\n"),
        "{compose}"
    );
    assert!(
        compose.contains("      test: [\"CMD-SHELL\", \"pg_isready"),
        "{compose}"
    );
    assert!(
        compose.ends_with("volumes:\n  data:\n  postgres-data:\n"),
        "{compose}"
    );
    assert!(
        read(&root, ".env.example").contains("\nPOSTGRES_PASSWORD=\n"),
        "the password compose now requires is documented"
    );
    for place in ["Dockerfile:6", "docker-compose.yml:7"] {
        assert!(out.contains(place), "{place} said:\n{out}");
    }
    // Code that writes `.env` at start is listed, not rewritten.
    assert!(out.contains("is still set in scripts/start.sh:4"), "{out}");
    assert!(read(&root, "scripts/start.sh").contains("file:./prod.db"));
    let (code, again, _) = seaworthy(&root, UNSAFE);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
}

#[test]
fn sqlite_to_postgres_stops_on_sql_it_cannot_carry_and_changes_nothing() {
    let (_dir, root) = fixture("next-sqlite-handwritten-sql");
    std::fs::create_dir_all(root.join("prisma/migrations/20240301000000_touch")).expect("mkdir");
    std::fs::write(
        root.join("prisma/migrations/20240301000000_touch/migration.sql"),
        "CREATE TRIGGER \"User_touch\" AFTER UPDATE ON \"User\"\nBEGIN\n  UPDATE \"User\" SET \"email\" = lower(NEW.\"email\") WHERE \"id\" = NEW.\"id\";\nEND;\n\nINSERT INTO \"User\" (\"email\") VALUES ('admin@example.com');\n",
    )
    .expect("write");
    let before = read(&root, "prisma/schema.prisma");
    let (code, out, err) = seaworthy(&root, UNSAFE);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("prisma/migrations/20240301000000_touch/migration.sql:1: CREATE TRIGGER \"User_touch\" AFTER UPDATE ON \"User\"")
            && out.contains("prisma/migrations/20240301000000_touch/migration.sql:6: INSERT INTO \"User\""),
        "{out}"
    );
    assert_eq!(read(&root, "prisma/schema.prisma"), before, "nothing moved");
    assert!(root
        .join("prisma/migrations/20240201000000_live_email/migration.sql")
        .exists());
    assert!(!root.join("prisma/migrations_sqlite_archive").exists());
    // Once the user writes the PostgreSQL version, the move goes on.
    std::fs::create_dir_all(root.join("prisma/migrations/1_sqlite_handwritten")).expect("mkdir");
    std::fs::write(
        root.join("prisma/migrations/1_sqlite_handwritten/migration.sql"),
        "-- ported by hand\n",
    )
    .expect("write");
    let (code, out, _) = seaworthy(&root, UNSAFE);
    assert_eq!(code, 0);
    assert!(
        read(&root, "prisma/schema.prisma").contains("\"postgresql\""),
        "{out}"
    );
    assert_eq!(
        read(
            &root,
            "prisma/migrations/1_sqlite_handwritten/migration.sql"
        ),
        "-- ported by hand\n",
        "the user's file is kept, not archived"
    );
}

#[test]
fn kubernetes_mounts_the_folders_the_app_writes_and_retires_the_host_files() {
    let (_dir, root) = fixture("next-uploads-k8s");
    let out = fix_converges(&root);
    let deployment = read(&root, "k8s/deployment.yaml");
    assert!(
        deployment.contains("readOnlyRootFilesystem: true"),
        "{deployment}"
    );
    assert!(
        deployment.contains("            # Written by the app (src/app/api/upload/route.ts:9).\n            - name: w-public-uploads\n              mountPath: /app/public/uploads\n"),
        "{deployment}"
    );
    assert!(
        deployment.contains("        - name: w-public-uploads\n          persistentVolumeClaim:\n            claimName: gallery-w-public-uploads\n"),
        "{deployment}"
    );
    let volumes = read(&root, "k8s/volumes.yaml");
    assert!(
        volumes
            .contains("kind: PersistentVolumeClaim\nmetadata:\n  name: gallery-w-public-uploads\n")
            && volumes.contains("    - ReadWriteMany\n"),
        "{volumes}"
    );
    assert!(read(&root, "k8s/kustomization.yaml").contains("  - volumes.yaml\n"));
    assert!(
        out.contains("The app writes user files to public/uploads (src/app/api/upload/route.ts:9)"),
        "{out}"
    );
    assert!(
        out.contains("The old deployment scripts stay in place (deploy.sh, deploy/nginx/gallery.conf, ecosystem.config.js)"),
        "{out}"
    );
}

#[test]
fn next_readiness_queries_the_pg_pool_the_app_exports() {
    let (_dir, root) = fixture("next-pg-own-pool");
    let out = fix_converges(&root);
    let ready = read(&root, "app/api/health/ready/route.ts");
    assert!(
        ready.contains("import appDb from \"@/lib/db\";"),
        "the app's pool, through its alias:\n{ready}"
    );
    assert!(ready.contains("() => appDb.query(\"SELECT 1\")"), "{ready}");
    assert!(
        !ready.contains("DATABASE_URL") && !ready.contains("new Pool"),
        "no pool on a variable the app does not set:\n{ready}"
    );
    assert!(
        out.contains("queries the pg pool the app exports from lib/db.ts"),
        "{out}"
    );
}

#[test]
fn typescript_express_gets_a_typescript_health_module_in_its_module_style() {
    // Node's ES modules under `module: nodenext`: relative imports carry
    // `.js`; the app's pg pool is exported from a typed binding.
    let (_dir, root) = fixture("express-ts-pg");
    fix_converges(&root);
    let health = read(&root, "src/health.ts");
    assert!(health.starts_with("// Liveness"), "{health}");
    assert!(
        health.contains("import { Router } from \"express\";\n"),
        "{health}"
    );
    assert!(
        health.contains("const appDb = async () => (await import(\"./db.js\")).pool;\n"),
        "the app's own pool, imported the way the app imports: {health}"
    );
    assert!(
        health.contains("type CheckResult ="),
        "typed like TypeScript: {health}"
    );
    assert!(
        health.contains("checks[name]?.status"),
        "noUncheckedIndexedAccess: {health}"
    );
    assert!(health.contains("export default router;"), "{health}");
    assert!(!root.join("src/health.js").exists());
    let app = read(&root, "src/app.ts");
    assert!(
        app.contains("import { usersRouter } from \"./routes/users.js\";\nimport health from \"./health.js\";\n"),
        "{app}"
    );
    assert!(
        app.contains("const app: Express = express();\napp.use(health);\n"),
        "wired where the app creates its express() app: {app}"
    );
}

#[test]
fn an_image_whose_baked_url_changed_without_a_compose_entry_says_where_to_set_it() {
    let (_dir, root) = fixture("next-sqlite-handwritten-sql");
    std::fs::remove_file(root.join("docker-compose.yml")).expect("compose removed");
    let (code, out, err) = seaworthy(&root, UNSAFE);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Dockerfile no longer gives the container a usable DATABASE_URL: set it to the PostgreSQL URL where the container runs"),
        "{out}"
    );
}

/// Rails and Laravel apps: only the health fix runs for them.
const FIX_HEALTH: &[&str] = &["fix", "--allow-no-vcs"];

/// Runs a language's own checker on generated files (`ruby -c`, `php -l`):
/// required with SEAWORTHY_E2E (CI installs them), else run when present.
fn parses(root: &Path, tool: &str, flag: &str, files: &[&str]) {
    let program = if std::env::var("SEAWORTHY_E2E").is_ok_and(|v| !v.is_empty() && v != "0") {
        common::require_tool(tool)
    } else {
        match common::which(tool) {
            Some(p) => p,
            None => {
                eprintln!("note: {tool} is not installed: the generated files were not parsed");
                return;
            }
        }
    };
    for file in files {
        let out = Command::new(&program)
            .args([flag, file])
            .current_dir(root)
            .output()
            .expect("checker runs");
        assert!(
            out.status.success(),
            "{tool} {flag} {file}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn rails_health_is_routed_first_skips_the_apps_before_actions_and_parses() {
    let (_dir, root) = fixture("rails-api");
    let (code, out, err) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("gone: missing-health-endpoint"),
        "the re-check no longer reports it:\n{out}"
    );
    let controller = read(&root, "app/controllers/health_controller.rb");
    assert!(
        controller.contains("class HealthController < ActionController::API"),
        "not ApplicationController, whose before_action :authenticate! would answer 401:\n{controller}"
    );
    assert!(
        controller.contains("configs_for(env_name: Rails.env)"),
        "{controller}"
    );
    assert!(controller.contains("statement_timeout"), "{controller}");
    assert!(controller.contains("thread.kill"), "{controller}");
    let routes = read(&root, "config/routes.rb");
    let draw = routes.find("routes.draw do").expect("draw");
    let live = routes
        .find("get \"healthz\", to: \"health#live\"")
        .expect("liveness route");
    let ready = routes
        .find("get \"readyz\", to: \"health#ready\"")
        .expect("readiness route");
    let catch_all = routes.find("match \"*path\"").expect("catch-all");
    assert!(
        draw < live && live < ready && ready < catch_all,
        "the probes come before the catch-all:\n{routes}"
    );
    let production = read(&root, "config/environments/production.rb");
    assert!(
        production.contains("config.ssl_options = { redirect: { exclude: ->(request) { %w[/healthz /readyz].include?(request.path) } } }"),
        "{production}"
    );
    assert!(
        production.contains("config.host_authorization = { exclude: ->(request) { %w[/healthz /readyz].include?(request.path) } }"),
        "{production}"
    );
    assert!(out.contains("before_actions (authenticate!)"), "{out}");
    parses(
        &root,
        "ruby",
        "-c",
        &[
            "app/controllers/health_controller.rb",
            "config/routes.rb",
            "config/environments/production.rb",
        ],
    );
    let (code, again, _) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
}

/// Rails 7.1's `/up` (`rails/health#show`) answers liveness and checks
/// nothing: with a database and Redis in use, health-check-misses-dependencies
/// reports it, and the fix keeps it as liveness and adds only readiness.
#[test]
fn a_rails_up_route_stays_liveness_and_gets_a_readiness_route() {
    let (_dir, root) = fixture("rails-api");
    let routes = read(&root, "config/routes.rb").replace(
        "routes.draw do\n",
        "routes.draw do\n  get \"up\" => \"rails/health#show\", as: :rails_health_check\n",
    );
    std::fs::write(root.join("config/routes.rb"), &routes).expect("write");
    let (code, out, _) = seaworthy(&root, &["check", "--format", "json"]);
    assert!(code <= 1, "{out}");
    assert!(!out.contains("\"missing-health-endpoint\""), "{out}");
    assert!(
        out.contains("\"health-check-misses-dependencies\""),
        "{out}"
    );
    let (code, out, err) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("gone: health-check-misses-dependencies"),
        "the re-check no longer reports it:\n{out}"
    );
    assert!(!out.contains("new: missing-health-endpoint"), "{out}");
    assert!(
        out.contains("Liveness at GET /up and readiness at GET /readyz"),
        "{out}"
    );
    let fixed = read(&root, "config/routes.rb");
    assert!(
        fixed.contains("get \"up\" => \"rails/health#show\", as: :rails_health_check\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("get \"readyz\", to: \"health#ready\""),
        "{fixed}"
    );
    assert!(
        !fixed.contains("healthz"),
        "no second liveness route:\n{fixed}"
    );
    let controller = read(&root, "app/controllers/health_controller.rb");
    assert!(
        controller.contains("class HealthController < ActionController::API"),
        "{controller}"
    );
    let production = read(&root, "config/environments/production.rb");
    assert!(
        production.contains("%w[/up /readyz].include?(request.path)"),
        "both probe paths pass force_ssl and the host allow-list:\n{production}"
    );
    parses(
        &root,
        "ruby",
        "-c",
        &[
            "app/controllers/health_controller.rb",
            "config/routes.rb",
            "config/environments/production.rb",
        ],
    );
    let (code, again, _) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
}

#[test]
fn laravel_health_routes_bypass_the_web_group_and_lint() {
    let (_dir, root) = fixture("laravel-app");
    let (code, out, err) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("gone: missing-health-endpoint"), "{out}");
    let routes = read(&root, "routes/web.php");
    let uses = routes
        .find("use Illuminate\\Support\\Facades\\Route;")
        .expect("use line");
    let live = routes
        .find("Route::get('/healthz', [\\App\\Http\\Controllers\\HealthController::class, 'live'])->withoutMiddleware(['web']);")
        .unwrap_or_else(|| panic!("liveness without the web group:\n{routes}"));
    let ready = routes
        .find("Route::get('/readyz', [\\App\\Http\\Controllers\\HealthController::class, 'ready'])->withoutMiddleware(['web']);")
        .unwrap_or_else(|| panic!("readiness without the web group:\n{routes}"));
    let group = routes
        .find("Route::middleware('auth.basic')")
        .expect("auth group");
    assert!(
        uses < live && live < ready && ready < group,
        "after the use lines, before the auth group and its catch-all:\n{routes}"
    );
    let controller = read(&root, "app/Http/Controllers/HealthController.php");
    assert!(
        controller.contains("namespace App\\Http\\Controllers;"),
        "{controller}"
    );
    assert!(controller.contains("\\PDO::ATTR_TIMEOUT"), "{controller}");
    assert!(controller.contains("set statement_timeout"), "{controller}");
    assert!(controller.contains("new RedisManager("), "{controller}");
    parses(
        &root,
        "php",
        "-l",
        &[
            "app/Http/Controllers/HealthController.php",
            "routes/web.php",
        ],
    );
    let (code, again, _) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
}

#[test]
fn a_laravel_api_only_app_gets_its_routes_under_the_api_prefix() {
    let (_dir, root) = fixture("laravel-app");
    std::fs::remove_file(root.join("routes/web.php")).expect("remove web.php");
    let provider = read(&root, "app/Providers/RouteServiceProvider.php").replace(
        "\n            Route::middleware('web')\n                ->group(base_path('routes/web.php'));\n",
        "\n",
    );
    std::fs::write(
        root.join("app/Providers/RouteServiceProvider.php"),
        provider,
    )
    .expect("write");
    let (code, out, err) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Liveness at GET /api/healthz and readiness at GET /api/readyz"),
        "{out}"
    );
    let routes = read(&root, "routes/api.php");
    assert!(
        routes.contains("HealthController::class, 'ready'])->withoutMiddleware(['api']);"),
        "without the api group (its throttle uses the cache):\n{routes}"
    );
    parses(&root, "php", "-l", &["routes/api.php"]);
}

/// A Laravel 11 app (bootstrap/app.php's `withRouting(health: '/up')`),
/// with `env_example` as its .env.example when given: made here, not among
/// tests/fix_fixtures, whose apps each need a fix.
fn laravel_11_app(env_example: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let files: &[(&str, &str)] = &[
        (
            "composer.json",
            r#"{"name": "acme/notes", "type": "project", "require": {"php": "^8.2", "laravel/framework": "^11.9"}, "autoload": {"psr-4": {"Notes\\": "app/"}}}"#,
        ),
        ("artisan", "#!/usr/bin/env php\n<?php\n\nrequire __DIR__.'/vendor/autoload.php';\n\nexit((require_once __DIR__.'/bootstrap/app.php')->handleCommand(new Symfony\\Component\\Console\\Input\\ArgvInput));\n"),
        (
            "bootstrap/app.php",
            "<?php\n\nuse Illuminate\\Foundation\\Application;\n\nreturn Application::configure(basePath: dirname(__DIR__))\n    ->withRouting(\n        web: __DIR__.'/../routes/web.php',\n        health: '/up',\n    )\n    ->create();\n",
        ),
        (
            "routes/web.php",
            "<?php\n\nuse Illuminate\\Support\\Facades\\Route;\nuse Notes\\Http\\Controllers\\NoteController;\n\nRoute::middleware('auth')->group(function () {\n    Route::get('/', [NoteController::class, 'index']);\n});\n",
        ),
        (
            "app/Http/Controllers/NoteController.php",
            "<?php\n\nnamespace Notes\\Http\\Controllers;\n\nclass NoteController\n{\n    public function index()\n    {\n        return [];\n    }\n}\n",
        ),
        ("public/index.php", "<?php\n\nrequire __DIR__.'/../vendor/autoload.php';\n\n(require_once __DIR__.'/../bootstrap/app.php')->handleRequest(Illuminate\\Http\\Request::capture());\n"),
    ];
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    if let Some(text) = env_example {
        std::fs::write(root.join(".env.example"), text).expect("write");
    }
    (dir, root)
}

#[test]
fn a_laravel_11_health_route_is_left_as_the_apps_liveness() {
    // No database server or Redis known: `/up` is all the app needs.
    let (_dir, root) = laravel_11_app(None);
    let (code, out, _) = seaworthy(&root, &["check"]);
    assert!(
        code <= 1 && out.contains("laravel"),
        "a Laravel app:\n{out}"
    );
    let before = read(&root, "routes/web.php");
    let (code, out, err) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("missing-health-endpoint"), "{out}");
    assert!(!out.contains("health-check-misses-dependencies"), "{out}");
    assert_eq!(read(&root, "routes/web.php"), before);
    assert!(!root
        .join("app/Http/Controllers/HealthController.php")
        .exists());
}

/// Laravel 11's `health:` route checks no database or cache: with
/// PostgreSQL and a Redis cache in the env example it is reported, and the
/// fix adds only the readiness route, outside the web group.
#[test]
fn a_laravel_11_health_route_gets_a_readiness_route_beside_it() {
    let (_dir, root) = laravel_11_app(Some(
        "APP_NAME=Notes\nDB_CONNECTION=pgsql\nDB_HOST=127.0.0.1\nDB_PORT=5432\nSESSION_DRIVER=database\nCACHE_STORE=redis\nREDIS_HOST=127.0.0.1\n",
    ));
    let (code, out, _) = seaworthy(&root, &["check", "--format", "json"]);
    assert!(code <= 1, "{out}");
    assert!(
        out.contains("\"health-check-misses-dependencies\""),
        "{out}"
    );
    assert!(!out.contains("\"missing-health-endpoint\""), "{out}");
    let (code, out, err) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("gone: health-check-misses-dependencies"),
        "{out}"
    );
    assert!(
        out.contains("Liveness at GET /up and readiness at GET /readyz"),
        "{out}"
    );
    let routes = read(&root, "routes/web.php");
    assert!(
        routes.contains("Route::get('/readyz', [\\Notes\\Http\\Controllers\\HealthController::class, 'ready'])->withoutMiddleware(['web']);"),
        "{routes}"
    );
    assert!(
        !routes.contains("/healthz"),
        "no second liveness route:\n{routes}"
    );
    let controller = read(&root, "app/Http/Controllers/HealthController.php");
    assert!(
        controller.contains("namespace Notes\\Http\\Controllers;"),
        "{controller}"
    );
    parses(
        &root,
        "php",
        "-l",
        &[
            "app/Http/Controllers/HealthController.php",
            "routes/web.php",
        ],
    );
    let (code, again, _) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
}

/// express-generator's `bin/www` (no extension) is the entry point and
/// reads PORT: no "does not read process.env.PORT" step to do by hand
/// (connectTofund_yuting, fix15e).
#[test]
fn an_express_generator_app_reads_port_in_its_bin_www() {
    let (_dir, root) = fixture("express-generator-bin-www");
    let out = fix_converges(&root);
    assert!(!out.contains("does not read process.env.PORT"), "{out}");
    assert!(out.contains("started with `node bin/www`"), "{out}");
    let dockerfile = read(&root, "Dockerfile");
    assert!(
        dockerfile.contains("CMD [\"node\", \"bin/www\"]"),
        "{dockerfile}"
    );
    let app = read(&root, "app.js");
    assert!(app.contains("require(\"./health\")"), "{app}");
}

/// An app whose own compose file runs only its database (NeoDevs-HeroAI,
/// fix15e): the file is left alone, and the step to do by hand carries the
/// app service to add (a pointer to `fix --dry-run` could not be followed
/// once the fix was applied); no `docker compose up` for a file that does
/// not build the app.
#[test]
fn an_existing_compose_file_gets_the_app_service_in_the_step_to_do_by_hand() {
    let (_dir, root) = fixture("next-prisma-default-export");
    let compose = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: password\n";
    std::fs::write(root.join("docker-compose.yml"), compose).expect("write");
    let out = fix_converges(&root);
    assert!(!root.join("compose.yaml").exists(), "{out}");
    assert_eq!(read(&root, "docker-compose.yml"), compose);
    assert!(
        out.contains("The app already has a compose file (docker-compose.yml), left as it is"),
        "{out}"
    );
    assert!(
        out.contains("\n         app:\n"),
        "the service itself:\n{out}"
    );
    assert!(out.contains("           build: ."), "{out}");
    assert!(!out.contains("--dry-run` output"), "{out}");
    assert!(!out.contains("docker compose up"), "{out}");
}

/// manage.py one folder below the app folder (requirements.txt above it):
/// the middleware's dotted path is relative to manage.py's folder, which
/// Django puts first on sys.path (mohit4u007/DjangoBlog, fix15e: the app
/// did not start after the fix).
#[test]
fn django_health_middleware_is_named_from_the_folder_of_manage_py() {
    let (_dir, root) = fixture("django-nested-manage");
    let (code, out, err) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0, "{out}\n{err}");
    let settings = read(&root, "site/blog_site/settings.py");
    assert!(
        settings.contains("\"blog_site.health.HealthCheckMiddleware\","),
        "{settings}"
    );
    assert!(root.join("site/blog_site/health.py").is_file(), "{out}");
    // Python finds it from manage.py's folder, as Django's import does.
    if let Some(python) = common::which("python3") {
        let found = Command::new(python)
            .args([
                "-c",
                "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('blog_site.health') else 1)",
            ])
            .current_dir(root.join("site"))
            .status()
            .expect("python runs");
        assert!(found.success(), "blog_site.health is not importable");
    }
    let (code, again, _) = seaworthy(&root, FIX_HEALTH);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
}

/// An app with a health route of its own and no image (dphagler/POP_LMS,
/// fix15e): the generated compose file and Dockerfile probe that route, so
/// a second run has no healthcheck left to add (it used to change the
/// compose file the first run wrote).
#[test]
fn the_container_fix_probes_the_apps_own_health_route_and_converges() {
    let (_dir, root) = fixture("next-prisma-default-export");
    let route = root.join("src/app/api/health/route.ts");
    std::fs::create_dir_all(route.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &route,
        "import prisma from \"@/lib/prisma\";\n\nexport const dynamic = \"force-dynamic\";\n\nexport async function GET() {\n  await prisma.$queryRaw`SELECT 1`;\n  return Response.json({ status: \"ok\" });\n}\n",
    )
    .expect("write");
    let out = fix_converges(&root);
    assert!(!out.contains("missing-health-endpoint"), "{out}");
    assert!(!out.contains("new: container-without-healthcheck"), "{out}");
    let compose = read(&root, "compose.yaml");
    assert!(compose.contains("/api/health'"), "{compose}");
    let dockerfile = read(&root, "Dockerfile");
    assert!(dockerfile.contains("/api/health"), "{dockerfile}");
}

/// A Next.js app whose only health route answers 200 without touching the
/// database (tsbproject/marvelmarts, fix15f), behind an auth middleware
/// whose matcher covers /api: the route stays as the liveness route, a
/// readiness route fitted like the generated ones is added beside it
/// (the app's default-export client through its `@/` alias, `src/app`),
/// the matcher lets it through, and the files that probe it say what it
/// checks.
#[test]
fn a_liveness_only_next_route_gets_a_readiness_route_beside_it() {
    let (_dir, root) = fixture("next-prisma-default-export");
    let live = "export const dynamic = \"force-dynamic\";\n\nexport async function GET() {\n  return Response.json({ status: \"ok\", timestamp: new Date().toISOString() });\n}\n";
    let route = root.join("src/app/api/health/route.ts");
    std::fs::create_dir_all(route.parent().expect("parent")).expect("mkdir");
    std::fs::write(&route, live).expect("write");
    std::fs::write(
        root.join("src/middleware.ts"),
        "import { NextResponse, type NextRequest } from \"next/server\";\n\nexport function middleware(request: NextRequest) {\n  if (!request.cookies.get(\"session\")) {\n    return NextResponse.redirect(new URL(\"/signin\", request.url));\n  }\n  return NextResponse.next();\n}\n\nexport const config = {\n  matcher: [\"/((?!_next|signin|.*\\\\..*).*)\"],\n};\n",
    )
    .expect("write");
    let out = fix_converges(&root);
    assert!(
        out.contains("gone: health-check-misses-dependencies (.)"),
        "{out}"
    );
    assert_eq!(read(&root, "src/app/api/health/route.ts"), live, "kept");
    let ready = read(&root, "src/app/api/health/ready/route.ts");
    assert!(
        ready.contains("import prisma from \"@/lib/prisma\";")
            && ready.contains("prisma.$queryRaw`SELECT 1`")
            && ready.contains("export const dynamic = \"force-dynamic\";")
            && ready.contains("export async function GET()"),
        "{ready}"
    );
    let middleware = read(&root, "src/middleware.ts");
    assert!(
        middleware.contains("\"/((?!api/health/|_next|signin|"),
        "{middleware}"
    );
    // The app's own /api/health is under the matcher too: said, not edited.
    assert!(
        out.contains("src/middleware.ts also runs on the app's own /api/health"),
        "{out}"
    );
    let compose = read(&root, "compose.yaml");
    assert!(
        compose.contains(
            "# Readiness: /api/health/ready answers 200 only while the database answers.\n"
        ),
        "{compose}"
    );
}

/// The compose healthcheck of an app whose own route checks nothing says
/// so, instead of claiming the database answers.
#[test]
fn the_healthcheck_comment_says_what_the_apps_own_route_checks() {
    let (_dir, root) = fixture("next-prisma-default-export");
    let route = root.join("src/app/api/health/route.ts");
    std::fs::create_dir_all(route.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &route,
        "import prisma from \"@/lib/prisma\";\n\nexport const dynamic = \"force-dynamic\";\n\nexport async function GET() {\n  await prisma.$queryRaw`SELECT 1`;\n  return Response.json({ status: \"ok\" });\n}\n",
    )
    .expect("write");
    let (code, out, err) = seaworthy(&root, &["fix", "--allow-no-vcs"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let compose = read(&root, "compose.yaml");
    assert!(
        compose.contains(
            "# Readiness: the app's own /api/health, whose handler calls the database.\n"
        ),
        "{compose}"
    );
}

/// Two modules create a Prisma 7 client (tsbproject/marvelmarts, fix15f):
/// a short `lib/db.ts` with no driver adapter that nothing imports (Prisma
/// 7 throws when it is created), and the adapter client the app imports.
/// The readiness route imports the one the app uses.
#[test]
fn the_readiness_route_imports_the_prisma_7_client_the_app_uses() {
    let (_dir, root) = fixture("next-prisma-default-export");
    for file in ["package.json", "package-lock.json"] {
        let text = read(&root, file).replace("5.20.0", "7.2.0");
        std::fs::write(root.join(file), text).expect("write");
    }
    std::fs::write(
        root.join("src/lib/prisma.ts"),
        "import { PrismaClient } from \"@prisma/client\";\nimport { PrismaPg } from \"@prisma/adapter-pg\";\n\nconst adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL! });\n\nexport const prisma = new PrismaClient({ adapter });\n\nexport default prisma;\n",
    )
    .expect("write");
    std::fs::write(
        root.join("src/lib/db.ts"),
        "import { PrismaClient } from \"@prisma/client\";\n\nexport const prisma = new PrismaClient();\n",
    )
    .expect("write");
    let (code, out, err) = seaworthy(&root, FIX);
    assert_eq!(code, 0, "{out}\n{err}");
    let ready = read(&root, "src/app/api/health/ready/route.ts");
    assert!(
        ready.contains("from \"@/lib/prisma\";") && !ready.contains("@/lib/db"),
        "{ready}"
    );
}
