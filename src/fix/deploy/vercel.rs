//! vercel.json for a Next.js app: the install and build commands (with the
//! Prisma migrations against the direct database URL), the region the
//! functions run in and their maximum duration, crons carried over from the
//! host's cron jobs where they call one of the app's routes, and the list
//! of what cannot move to Vercel as it is.

use serde_json::{json, Map, Value};

use super::host_jobs::{host_crons, long_running, CronKind};
use super::writable::writable_paths;
use crate::fix::profile::{Database, Profile};
use crate::fix::Builder;
use crate::index::FileKind;
use crate::stack::Framework;

/// Where the functions run: Washington, D.C., Vercel's default, beside
/// the managed databases' default US East regions.
pub const REGION: &str = "iad1";
/// Seconds a request may run (the Hobby plan allows up to 60).
pub const MAX_DURATION: u64 = 30;

/// The variables a Vercel integration sets: not the user's to copy.
pub const INTEGRATION_VARS: &[&str] = &[
    "DATABASE_URL",
    "DATABASE_URL_UNPOOLED",
    "REDIS_URL",
    "SENTRY_DSN",
    "NEXT_PUBLIC_SENTRY_DSN",
    "SENTRY_AUTH_TOKEN",
    "SENTRY_ORG",
    "SENTRY_PROJECT",
];

pub fn plan(
    p: &Profile,
    b: &mut Builder,
    files: &[(String, Option<FileKind>)],
) -> Result<(), String> {
    if p.framework != Framework::NextJs {
        return Err(format!(
            "--deploy-target vercel is for Next.js apps; this is a {} app",
            p.framework.label()
        ));
    }
    if p.database == Database::Sqlite {
        return Err("the app keeps its data in SQLite, which cannot live on Vercel (read-only, per-instance filesystem): move it to PostgreSQL first (sqlite-in-production does, with --unsafe, where its fix applies)".to_string());
    }
    let mut config = Map::new();
    config.insert(
        "$schema".into(),
        json!("https://openapi.vercel.sh/vercel.json"),
    );
    config.insert("framework".into(), json!("nextjs"));
    config.insert(
        "installCommand".into(),
        json!(super::frozen_install(p).unwrap_or_else(|| p.install_command().to_string())),
    );
    config.insert("buildCommand".into(), json!(build_command(p)));
    config.insert("regions".into(), json!([REGION]));
    // One glob per router: every page and route handler becomes a function.
    let mut functions = Map::new();
    let strip = |router: &str| -> String {
        router
            .strip_prefix(&format!("{}/", p.dir))
            .filter(|_| !p.dir.is_empty())
            .unwrap_or(router)
            .to_string()
    };
    if let Some(router) = &p.app_router {
        functions.insert(
            format!("{}/**/*", strip(router)),
            json!({ "maxDuration": MAX_DURATION }),
        );
    }
    if let Some(router) = &p.pages_router {
        functions.insert(
            format!("{}/api/**/*", strip(router)),
            json!({ "maxDuration": MAX_DURATION }),
        );
    }
    if !functions.is_empty() {
        config.insert("functions".into(), Value::Object(functions));
    }
    let crons = host_crons(p, b, files);
    let carried: Vec<Value> = crons
        .iter()
        .filter_map(|c| {
            c.app_route()
                .map(|path| json!({ "path": path, "schedule": c.schedule }))
        })
        .collect();
    if !carried.is_empty() {
        config.insert("crons".into(), Value::Array(carried.clone()));
    }

    let path = p.join("vercel.json");
    // The regions the file ends up with: the user's, when it names some.
    let mut regions = REGION.to_string();
    let text = match b.read(&path) {
        // A vercel.json that only routes (contestable evidence): keep what
        // it says, add what the deployment needs.
        Some(existing) => match serde_json::from_str::<Value>(&existing) {
            Ok(Value::Object(mut theirs)) => {
                if let Some(Value::Array(theirs)) = theirs.get("regions") {
                    regions = theirs
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ");
                }
                for (k, v) in config.clone() {
                    theirs.entry(k).or_insert(v);
                }
                Some(pretty(&Value::Object(theirs)))
            }
            _ => None,
        },
        None => None,
    };
    match text {
        Some(merged) => b.modify(&path, merged),
        None => b.create(&path, pretty(&Value::Object(config)), false),
    }

    // The managed database.
    if p.uses_postgres() {
        b.manual("Create the database in Vercel (Storage → Marketplace → Neon, or Prisma Postgres) and connect it to the project: the integration sets DATABASE_URL (pooled; the app reads it) and DATABASE_URL_UNPOOLED (direct; the build runs the migrations with it). With another provider, set both yourself.");
        b.manual("Move the existing data into the new database before switching traffic (pg_dump/pg_restore, or pgloader from SQLite).");
    }
    if p.database == Database::Mysql {
        b.manual("Connect a managed MySQL (PlanetScale from the Vercel Marketplace) and set DATABASE_URL.");
    }
    if p.redis.is_some() {
        b.manual("Connect Redis from the Vercel Marketplace (Upstash for Redis, Redis Cloud) and make sure REDIS_URL holds its TLS URL (rediss://…): a Redis on the old server is not reachable from Vercel's functions.");
    }
    if uses_sentry(p) {
        b.manual("Install the Sentry integration for Vercel and link this project to its Sentry project: it sets SENTRY_DSN, NEXT_PUBLIC_SENTRY_DSN, SENTRY_AUTH_TOKEN (source maps upload during the build), SENTRY_ORG and SENTRY_PROJECT for every environment.");
    }
    let own: Vec<String> = super::kubernetes::secret_vars(p)
        .into_iter()
        .chain(p.public_vars().into_iter().map(str::to_string))
        .filter(|v| !INTEGRATION_VARS.contains(&v.as_str()))
        .collect();
    if !own.is_empty() {
        b.manual(format!(
            "Set these in Vercel (Project → Settings → Environment Variables; names only, values from your secrets): {}. NEXT_PUBLIC_* ones are inlined at build time: redeploy after changing them.",
            own.join(", ")
        ));
    }
    if let Some((live, ready)) = &p.health {
        b.manual(format!(
            "Vercel does not probe the app: point an uptime monitor at https://<your-domain>{ready} (503 names the failing dependency) and, if you like, {live} for liveness."
        ));
    }

    // What cannot move as it is.
    for c in &crons {
        let why = match c.kind {
            CronKind::Crontab if c.app_route().is_some() => {
                b.manual(format!(
                    "The cron job at {} now runs as a Vercel cron ({} UTC, calls {}): set CRON_SECRET in Vercel and make the route answer 401 unless `Authorization: Bearer $CRON_SECRET` is sent.",
                    c.evidence,
                    c.schedule,
                    c.app_route().unwrap_or_default()
                ));
                continue;
            }
            CronKind::Crontab => format!(
                "the host cron job `{} {}` ({}): Vercel crons call an HTTP route and have no shell or host tools; run it from a scheduled CI workflow or a small container job, or use the managed database's own backups if it is one",
                c.schedule, c.command, c.evidence
            ),
            CronKind::Pm2Restart => format!(
                "pm2's scheduled restart ({} at {}): a function has no long-lived process; nothing to restart on Vercel",
                c.schedule, c.evidence
            ),
            CronKind::InProcess => format!(
                "{} ({} at {}): functions stop between requests; move the job into a route (e.g. app/api/cron/<job>/route.ts) that checks CRON_SECRET, and add {{\"path\", \"schedule\"}} to vercel.json crons",
                c.command, c.schedule, c.evidence
            ),
        };
        b.manual(format!("Cannot move to Vercel: {why}."));
    }
    for what in long_running(p) {
        b.manual(format!(
            "Cannot move to Vercel: {what}; run it on a container platform beside Vercel."
        ));
    }
    for w in writable_paths(p, b) {
        b.manual(format!(
            "Cannot move to Vercel: the app writes to {} ({}); a function's filesystem is read-only except /tmp, which is per instance and discarded. {}",
            w.path,
            w.evidence,
            if w.persistent {
                "Store these files in object storage (Vercel Blob, S3) and copy the existing ones there."
            } else {
                "Write them under /tmp, or drop them."
            }
        ));
    }
    b.assume(format!(
        "Functions run in {}: put the database in the same region, or change `regions`; requests may run {MAX_DURATION} s. Vercel crons run in UTC, and the Hobby plan runs them at most once a day.",
        if regions == REGION {
            format!("{REGION} (Washington, D.C.)")
        } else {
            regions
        }
    ));
    b.next("npx vercel link   # once, to create or pick the Vercel project");
    b.next("npx vercel deploy --prod");
    Ok(())
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

pub fn uses_sentry(p: &Profile) -> bool {
    p.has_dependency("@sentry/nextjs")
        || p.declares("SENTRY_DSN")
        || p.declares("NEXT_PUBLIC_SENTRY_DSN")
}

/// `prisma generate` when the build script lacks it, the migrations with
/// the direct URL (a pooled connection cannot hold the migration lock),
/// then the app's build.
fn build_command(p: &Profile) -> String {
    let mut steps = Vec::new();
    let build = match p.script("build") {
        Some(_) => super::run_script(p, "build"),
        None => format!("{} next build", p.exec()),
    };
    if let Some(prisma) = &p.prisma {
        if !p
            .script("build")
            .is_some_and(|s| s.contains("prisma generate"))
        {
            steps.push(format!("{} prisma generate", p.exec()));
        }
        steps.push(format!(
            "DATABASE_URL=\"${{DATABASE_URL_UNPOOLED:-$DATABASE_URL}}\" {} prisma {}",
            p.exec(),
            prisma.release_args().join(" ")
        ));
    }
    steps.push(build);
    steps.join(" && ")
}
