//! The code behind an app's health routes (Node apps): which files handle
//! them, and what those files (and the local modules they import) touch.
//! Shared by the rules that judge what a health check checks.

use crate::facts::code::Token;
use crate::facts::source::SourceCode;
use crate::index::FileId;
use crate::rules::observability::evidence::{is_local_specifier, resolve_local_import};
use crate::rules::observability::missing_health_endpoint::{
    code_health_routes, file_health_routes,
};
use crate::rules::AppContext;
use crate::stack::Ecosystem;

/// A file that handles a health route.
#[derive(Debug, Clone)]
pub(crate) struct HealthHandler {
    pub file: FileId,
    /// The route file is the handler (Next.js, SvelteKit, Remix, Nuxt),
    /// rather than a file that registers routes in code.
    pub file_routed: bool,
}

/// The app's health route handlers (Node apps only: their code is read).
pub(crate) fn health_handlers(cx: &AppContext) -> Vec<HealthHandler> {
    // Three rules ask for every app.
    cx.memo("health handlers", 0, || list_health_handlers(cx))
}

fn list_health_handlers(cx: &AppContext) -> Vec<HealthHandler> {
    if cx.app.ecosystem != Ecosystem::Node {
        return Vec::new();
    }
    let mut out: Vec<HealthHandler> = file_health_routes(cx)
        .into_iter()
        .map(|file| HealthHandler {
            file,
            file_routed: true,
        })
        .collect();
    let index = cx.repo.index;
    for (file, _, registered) in code_health_routes(cx) {
        // A path in a list of public routes or a middleware matcher is not
        // a handler.
        let stem = index.get(file).name().split('.').next().unwrap_or("");
        if !registered || matches!(stem, "middleware" | "proxy" | "instrumentation") {
            continue;
        }
        if !out.iter().any(|h| h.file == file) {
            out.push(HealthHandler {
                file,
                file_routed: false,
            });
        }
    }
    out
}

/// npm packages that are database clients.
pub(crate) const DB_PACKAGES: &[&str] = &[
    "@prisma/client",
    "@libsql/client",
    "@neondatabase/serverless",
    "@planetscale/database",
    "@supabase/supabase-js",
    "@vercel/postgres",
    "better-sqlite3",
    "drizzle-orm",
    "knex",
    "kysely",
    "mongodb",
    "mongoose",
    "mysql",
    "mysql2",
    "pg",
    "postgres",
    "sequelize",
    "typeorm",
];

/// npm packages that are Redis clients.
pub(crate) const REDIS_PACKAGES: &[&str] = &["ioredis", "redis", "@redis/client", "@upstash/redis"];

/// Module name words that mean "the database client" (`@/lib/db`,
/// `../prisma`, `@acme/database`).
const DB_MODULE_WORDS: &[&str] = &[
    "db",
    "database",
    "prisma",
    "drizzle",
    "knex",
    "kysely",
    "mongo",
    "mongodb",
    "mongoose",
    "sequelize",
    "typeorm",
    "datasource",
    "data-source",
    "sql",
    "pg",
    "postgres",
    "mysql",
    "supabase",
    "models",
    "orm",
];

const REDIS_MODULE_WORDS: &[&str] = &["redis", "ioredis", "cache", "kv", "valkey"];

/// Identifiers that touch a database.
const DB_IDENTS: &[&str] = &[
    "$queryRaw",
    "$queryRawUnsafe",
    "$executeRaw",
    "$executeRawUnsafe",
    "$connect",
    "$runCommandRaw",
    "prisma",
    "db",
    "pool",
    "knex",
    "sequelize",
    "mongoose",
    "dataSource",
    "AppDataSource",
    "sql",
    "supabase",
    "authenticate",
    "isInitialized",
    "readyState",
];

const REDIS_IDENTS: &[&str] = &["redis", "ping", "kv", "cache", "valkey"];

/// What a handler touches, read from its file and the local modules it
/// imports (two levels down).
#[derive(Debug, Default, Clone)]
pub(crate) struct Touches {
    pub db: bool,
    pub redis: bool,
    /// A local import could not be resolved, or a workspace package was
    /// imported: the handler may check more than can be seen.
    pub unknown: bool,
    /// A timeout is set somewhere in what was read.
    pub timeout: bool,
}

fn word_matches(spec: &str, words: &[&str]) -> bool {
    let last = spec
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(spec)
        .to_ascii_lowercase();
    let last = last.rsplit_once('.').map(|(s, _)| s).unwrap_or(&last);
    words.contains(&last) || last.split(['-', '_', '.']).any(|w| words.contains(&w))
}

/// A Prisma client import: `@prisma/client`, a driver adapter, or a
/// client generated into the app (`@/generated/prisma/client`).
pub(crate) fn is_prisma_client(spec: &str) -> bool {
    spec.starts_with("@prisma/client")
        || spec.starts_with("@prisma/adapter-")
        || spec.contains("generated/prisma")
        || spec.ends_with("/prisma/client")
}

fn package_of(spec: &str) -> &str {
    let mut parts = spec.splitn(3, '/');
    match (parts.next(), parts.next()) {
        (Some(scope), Some(name)) if scope.starts_with('@') => {
            &spec[..scope.len() + 1 + name.len()]
        }
        (Some(name), _) => name,
        _ => spec,
    }
}

/// Whether a package specifier is one of the app's workspace packages.
fn is_workspace_package(cx: &AppContext, package: &str) -> bool {
    // The apps' names as a set made once per audit: a scan of every app
    // per import grew with the square of the number of apps.
    let names = cx.repo.memo("package names of the apps", "", || {
        std::sync::Arc::new(
            cx.repo
                .apps
                .iter()
                .filter_map(|a| a.name.clone())
                .collect::<std::collections::HashSet<String>>(),
        )
    });
    names.contains(package)
        || cx.app.related_dirs.iter().any(|dir| {
            cx.repo
                .index
                .find(&crate::apps::join(dir, "package.json"))
                .and_then(|id| cx.repo.facts.package_json(id))
                .is_some_and(|p| p.name.as_deref() == Some(package))
        })
}

pub(crate) fn touches(cx: &AppContext, file: FileId) -> Touches {
    // Asked by two rules for each handler: the files are lexed once.
    cx.memo("what a health handler touches", file, || {
        let mut out = Touches::default();
        let mut seen = vec![file];
        visit(cx, file, 0, &mut seen, &mut out);
        out
    })
}

fn visit(cx: &AppContext, file: FileId, depth: u32, seen: &mut Vec<FileId>, out: &mut Touches) {
    let Some(src) = cx.repo.facts.source_code(file, &[]) else {
        out.unknown = true;
        return;
    };
    read_tokens(src, out);
    for (spec, _) in src.imports() {
        if is_prisma_client(&spec) {
            out.db = true;
        }
        if is_local_specifier(&spec) {
            if word_matches(&spec, DB_MODULE_WORDS) {
                out.db = true;
            }
            if word_matches(&spec, REDIS_MODULE_WORDS) {
                out.redis = true;
            }
            match resolve_local_import(cx, file, &spec) {
                Some(target) if depth < 2 => {
                    if !seen.contains(&target) {
                        seen.push(target);
                        visit(cx, target, depth + 1, seen, out);
                    }
                }
                Some(_) => {}
                None => out.unknown = true,
            }
        } else {
            let package = package_of(&spec);
            if DB_PACKAGES.contains(&package) {
                out.db = true;
            } else if REDIS_PACKAGES.contains(&package) {
                out.redis = true;
            } else if is_workspace_package(cx, package) {
                // `@acme/db` is a database client; `@acme/health` may check anything.
                if word_matches(package, DB_MODULE_WORDS) {
                    out.db = true;
                } else if word_matches(package, REDIS_MODULE_WORDS) {
                    out.redis = true;
                } else {
                    out.unknown = true;
                }
            }
        }
    }
}

fn read_tokens(src: &SourceCode, out: &mut Touches) {
    for t in &src.tokens {
        match &t.token {
            Token::Ident(w) => {
                if DB_IDENTS.contains(&w.as_str()) {
                    out.db = true;
                }
                if REDIS_IDENTS.contains(&w.as_str()) {
                    out.redis = true;
                }
                if contains_ignore_case(w, "timeout") || w == "race" || w == "AbortSignal" {
                    out.timeout = true;
                }
                if w.ends_with("HealthIndicator") {
                    out.unknown = true;
                }
            }
            Token::Str(s) => {
                let starts_select = s
                    .get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case("select "));
                if starts_select || contains_ignore_case(s, "select 1") {
                    out.db = true;
                }
                // `p-timeout` too.
                if contains_ignore_case(s, "timeout") {
                    out.timeout = true;
                }
            }
            _ => {}
        }
    }
}

/// Whether `hay` contains `needle` (ASCII, any case), without the
/// lower-cased copy per token that made this a tenth of the health rules.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.len() >= needle.len()
        && hay
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Calls in a handler's own file that wait on a database or Redis (for the
/// timeout rule): `$queryRaw`, `.ping()`, `.query()`, `.execute()`,
/// `.authenticate()`, `.raw()`, `.command()`.
pub(crate) fn backend_calls(src: &SourceCode) -> Vec<u32> {
    let mut lines: Vec<u32> = Vec::new();
    let tokens = &src.tokens;
    for (i, t) in tokens.iter().enumerate() {
        let Token::Ident(w) = &t.token else { continue };
        let next = tokens.get(i + 1).map(|s| &s.token);
        let prev = i
            .checked_sub(1)
            .and_then(|j| tokens.get(j))
            .map(|s| &s.token);
        let is_method = matches!(prev, Some(Token::Punct('.')));
        let hit = match w.as_str() {
            "$queryRaw" | "$queryRawUnsafe" | "$executeRaw" | "$executeRawUnsafe"
            | "$runCommandRaw" => is_method,
            "ping" | "query" | "execute" | "authenticate" | "raw" | "command" => {
                is_method && matches!(next, Some(Token::Punct('(')))
            }
            _ => false,
        };
        if hit {
            lines.push(t.line);
        }
    }
    lines
}
