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

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

mod common;
use common::copy_of;

fn seaworthy(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("seaworthy")
        .expect("binary")
        .args(args)
        .arg(root)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

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
        js.contains("module.exports = {\n  output: \"standalone\",\n  distDir: \"build\","),
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
