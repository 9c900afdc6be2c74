//! What the fix generators need to know about an app: package manager and
//! lockfile, framework and versions, ORM and provider, the services it uses,
//! the variables its env example declares. Read from the audit's facts and,
//! for files earlier plans changed, from the tree.

use serde_json::Value;

use super::{Intents, Tree};
use crate::facts::EnvFile;
use crate::index::FileKind;
use crate::rules::AppContext;
use crate::stack::Framework;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Npm,
    Yarn,
    Pnpm,
    Bun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Postgres,
    Mysql,
    Sqlite,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisClient {
    Ioredis,
    NodeRedis,
    /// Python or another ecosystem's client.
    Other,
}

/// A major.minor version read from a range (`^6.4.1`) or a lockfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    /// The lowest version a range allows: `^6.4.1` → 6.4, `~15.2` → 15.2,
    /// `>=14` → 14.0. Tags (`latest`, `canary`) and `*` say nothing.
    pub fn from_range(range: &str) -> Option<Version> {
        let start = range.find(|c: char| c.is_ascii_digit())?;
        let prefix = range[..start].trim();
        if !prefix
            .chars()
            .all(|c| matches!(c, '^' | '~' | '>' | '=' | 'v' | ' '))
        {
            return None;
        }
        let mut parts = range[start..]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Some(Version { major, minor })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone)]
pub struct Prisma {
    /// schema.prisma, relative to the root.
    pub schema: String,
    pub provider: Option<String>,
    pub version: Option<Version>,
    /// The version spec for installing the same CLI (`6.4.1` from the
    /// lockfile, else the manifest's range).
    pub cli_spec: String,
    /// A module of the app that exports a client: (path relative to the
    /// root, how it exports it).
    pub client_module: Option<(String, ClientExport)>,
    /// Modules of the app that create a client seaworthy cannot import (no
    /// export it can read): a new client module next to them would be a
    /// second PrismaClient.
    pub unexported_clients: Vec<String>,
    /// Whether the migrations folder has migrations (`migrate deploy`);
    /// without it the project uses `prisma db push`.
    pub migrations: bool,
}

impl Prisma {
    /// The release step that brings a database to the schema, as Prisma
    /// CLI arguments: `migrate deploy` for a project with migrations; a
    /// project without them uses `prisma db push` (its tables come from
    /// the schema, and `migrate deploy` would create none). `db push`
    /// stops rather than drop data (no --accept-data-loss). Prisma 7
    /// dropped --skip-generate (db push no longer generates).
    pub fn release_args(&self) -> &'static [&'static str] {
        if self.migrations {
            &["migrate", "deploy"]
        } else if self.version.is_some_and(|v| v.major >= 7) {
            &["db", "push"]
        } else {
            &["db", "push", "--skip-generate"]
        }
    }

    /// What a `db push` project is told about its release step.
    pub fn db_push_note(&self, exec: &str) -> Option<String> {
        if self.migrations {
            return None;
        }
        let dir = self
            .schema
            .rsplit_once('/')
            .map(|(d, _)| format!("{d}/"))
            .unwrap_or_default();
        let flag = if self.version.is_some_and(|v| v.major >= 7) {
            "--to-schema"
        } else {
            "--to-schema-datamodel"
        };
        Some(format!(
            "No {dir}migrations: the project creates its tables with `prisma db push`, so the release step runs `prisma {}` (not `migrate deploy`, which would create no tables on a new database; db push stops rather than drop data). To switch to migrations, create a baseline first: `mkdir -p {dir}migrations/0_init && {exec} prisma migrate diff --from-empty {flag} {} --script > {dir}migrations/0_init/migration.sql`, mark it applied on existing databases (`{exec} prisma migrate resolve --applied 0_init`), and run `seaworthy fix` on fresh files (they then use `migrate deploy`).",
            self.release_args().join(" "),
            self.schema
        ))
    }
}

/// How a module exports its PrismaClient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientExport {
    /// `export const prisma = …`, `export { prisma }`: imported by name.
    Named(String),
    /// `export default prisma`, `module.exports = prisma`.
    Default,
}

impl ClientExport {
    /// The import statement that binds the client to a local name, and that
    /// name.
    pub fn import(&self, spec: &str) -> (String, String) {
        match self {
            ClientExport::Named(name) => (
                format!("import {{ {name} }} from \"{spec}\";"),
                name.clone(),
            ),
            ClientExport::Default => (
                format!("import prisma from \"{spec}\";"),
                "prisma".to_string(),
            ),
        }
    }
}

/// How `text` (a module that creates a PrismaClient) exports it: a named
/// export whose declaration creates or holds the client, else the default
/// export. `None` when it exports nothing seaworthy can tell is the client.
pub fn client_export(text: &str) -> Option<ClientExport> {
    use crate::facts::code::{tokenize, Lang, Token};
    let tokens = tokenize(text, Lang::Js);
    let ident = |i: usize| match tokens.get(i).map(|t| &t.token) {
        Some(Token::Ident(n)) => Some(n.as_str()),
        _ => None,
    };
    let punct = |i: usize, c: char| tokens.get(i).map(|t| &t.token) == Some(&Token::Punct(c));
    let lines: Vec<&str> = text.lines().collect();
    let line_of = |i: usize| {
        tokens
            .get(i)
            .and_then(|t| lines.get(t.line as usize - 1))
            .copied()
            .unwrap_or("")
    };
    let mut named: Vec<(String, bool)> = Vec::new();
    let mut default = false;
    for i in 0..tokens.len() {
        match (ident(i), ident(i + 1)) {
            (Some("export"), Some("default")) => default = true,
            (Some("export"), Some("const" | "let" | "var")) => {
                if let Some(name) = ident(i + 2) {
                    let line = line_of(i);
                    named.push((
                        name.to_string(),
                        line.contains("Prisma") || line.contains("new "),
                    ));
                }
            }
            (Some("export"), _) if punct(i + 1, '{') => {
                // `export { a, b as c }` (not a re-export `… from "x"`).
                let mut j = i + 2;
                let mut names = Vec::new();
                while j < tokens.len() && !punct(j, '}') {
                    if let Some(n) = ident(j) {
                        if ident(j + 1) == Some("as") {
                            if let Some(alias) = ident(j + 2) {
                                if alias == "default" {
                                    default = true;
                                } else {
                                    names.push(alias.to_string());
                                }
                            }
                            j += 3;
                            continue;
                        }
                        names.push(n.to_string());
                    }
                    j += 1;
                }
                if ident(j + 1) != Some("from") {
                    named.extend(names.into_iter().map(|n| (n, false)));
                }
            }
            (Some("module"), Some(_)) | (Some("module"), None)
                if punct(i + 1, '.') && ident(i + 2) == Some("exports") && punct(i + 3, '=') =>
            {
                if punct(i + 4, '{') {
                    let mut j = i + 5;
                    while j < tokens.len() && !punct(j, '}') {
                        if let Some(n) = ident(j) {
                            named.push((n.to_string(), false));
                        }
                        j += 1;
                    }
                } else {
                    default = true;
                }
            }
            (Some("exports"), _) if punct(i + 1, '.') && (i == 0 || !punct(i - 1, '.')) => {
                if let Some(n) = ident(i + 2) {
                    if punct(i + 3, '=') {
                        named.push((n.to_string(), false));
                    }
                }
            }
            _ => {}
        }
    }
    const USUAL: &[&str] = &["prisma", "db", "client", "prismaClient", "database"];
    if let Some((name, _)) = named.iter().find(|(n, _)| USUAL.contains(&n.as_str())) {
        return Some(ClientExport::Named(name.clone()));
    }
    if default {
        return Some(ClientExport::Default);
    }
    if let Some((name, _)) = named.iter().find(|(_, creates)| *creates) {
        return Some(ClientExport::Named(name.clone()));
    }
    None
}

#[derive(Debug, Clone)]
pub struct Profile {
    /// "." for a root app.
    pub app_path: String,
    /// "" for a root app.
    pub dir: String,
    /// A DNS-safe name for images, services and resources.
    pub name: String,
    pub framework: Framework,
    pub manager: PackageManager,
    /// The lockfile, relative to the app folder.
    pub lockfile: Option<String>,
    pub package_json: Option<Value>,
    pub package_version: Option<String>,
    pub next: Option<Version>,
    pub prisma: Option<Prisma>,
    pub database: Database,
    pub redis: Option<RedisClient>,
    /// The env example, relative to the root, and its variables in order.
    pub env_example: Option<String>,
    pub env_vars: Vec<(String, String)>,
    /// Next.js: `app` or `src/app` when the App Router is used.
    pub app_router: Option<String>,
    /// Next.js: `pages` or `src/pages`.
    pub pages_router: Option<String>,
    pub typescript: bool,
    /// next.config.*, relative to the app folder: the one Next loads.
    pub next_config: Option<String>,
    /// Next's build folder (`distDir`, `.next` by default), relative to the app.
    pub dist_dir: String,
    /// The `@/` import alias and the folder it maps to ("" or "src").
    pub alias_root: Option<String>,
    /// Every `prefix/*` → `folder/*` path alias of tsconfig/jsconfig, as
    /// ("@/", "src/"), folders relative to the app.
    pub aliases: Vec<(String, String)>,
    pub port: u16,
    /// Liveness and readiness paths, when the app has (or this run adds) them.
    pub health: Option<(String, String)>,
    /// What the readiness path of `health` checks: the comments of the
    /// files that probe it say so.
    pub ready_checks: ReadyChecks,
    pub dependencies: std::collections::BTreeSet<String>,
    /// The app's source files (relative to the root), outside tests.
    pub sources: Vec<String>,
    /// A Node app on PostgreSQL that reads no DATABASE_URL but a set of
    /// variables (`DB_HOST`, `DB_USER`, …): (setting, variable), e.g.
    /// ("host", "DB_HOST"). Compose gives the app those, not a URL.
    pub db_vars: Option<Vec<(&'static str, String)>>,
}

/// What the readiness route the probes ask checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadyChecks {
    /// Written by this run; the back-ends it checks ("database", "redis").
    Generated(Vec<&'static str>),
    /// Written by this run by a generator that checks the database and
    /// Redis the app configures.
    Configured,
    /// The app's own route, read: what its handler (and the modules it
    /// imports) touches.
    Own { db: bool, redis: bool },
    /// The app's own route, which seaworthy did not read.
    Unknown,
}

/// What the app's own route at `ready` touches, read from its handler
/// file (file-routed frameworks: the file is the handler).
fn own_ready_checks(cx: &AppContext, ready: &str) -> ReadyChecks {
    use crate::rules::observability::health_handlers::{health_handlers, touches};
    let paths = crate::rules::observability::missing_health_endpoint::health_route_paths(cx);
    let Some((_, place)) = paths.iter().find(|(p, _)| p == ready) else {
        return ReadyChecks::Unknown;
    };
    let rel = place.rsplit_once(':').map_or(place.as_str(), |(r, _)| r);
    let Some(id) = cx.repo.index.find(rel) else {
        return ReadyChecks::Unknown;
    };
    if !health_handlers(cx)
        .iter()
        .any(|h| h.file == id && h.file_routed)
    {
        return ReadyChecks::Unknown;
    }
    let t = touches(cx, id);
    if t.unknown {
        ReadyChecks::Unknown
    } else {
        ReadyChecks::Own {
            db: t.db,
            redis: t.redis,
        }
    }
}

impl Profile {
    /// What a probe of the readiness route tells, for the comments of the
    /// files that probe it: e.g. "/api/health/ready answers 200 only while
    /// the database and Redis answer".
    pub fn ready_phrase(&self) -> String {
        let Some((_, ready)) = &self.health else {
            return "the app answers".to_string();
        };
        let list = |db: bool, redis: bool| -> Option<String> {
            match (db, redis) {
                (true, true) => Some("the database and Redis answer".to_string()),
                (true, false) => Some("the database answers".to_string()),
                (false, true) => Some("Redis answers".to_string()),
                (false, false) => None,
            }
        };
        match &self.ready_checks {
            ReadyChecks::Generated(checks) => {
                let db = checks.contains(&"database");
                let redis = checks.contains(&"redis");
                match list(db, redis) {
                    Some(what) => format!("{ready} answers 200 only while {what}"),
                    None => format!(
                        "{ready} checks no back-end (seaworthy wrote no check for it), so this only says the app answers"
                    ),
                }
            }
            ReadyChecks::Configured => match list(
                self.database != Database::None,
                self.redis.is_some(),
            ) {
                Some(what) => format!("{ready} answers 200 only while {what}"),
                None => format!("{ready} answers 200 once the app serves (no back-end to check)"),
            },
            ReadyChecks::Own { db, redis } => match (db, redis) {
                (true, true) | (true, false) | (false, true) => format!(
                    "the app's own {ready}, whose handler calls {}",
                    match (db, redis) {
                        (true, true) => "the database and Redis",
                        (true, false) => "the database",
                        _ => "Redis",
                    }
                ),
                (false, false) => format!(
                    "the app's own {ready}, which checks no back-end: this only says the app answers"
                ),
            },
            ReadyChecks::Unknown => format!(
                "the app's own {ready} (seaworthy did not read what it checks)"
            ),
        }
    }

    pub fn load(cx: &AppContext, tree: &Tree, intents: &Intents) -> Result<Profile, String> {
        let app = cx.app;
        let dir = app.dir().to_string();
        let join = |rel: &str| crate::apps::join(&dir, rel);
        let manifest_rel = cx.repo.index.get(app.manifest).rel.clone();
        let package_json: Option<Value> = manifest_rel
            .ends_with("package.json")
            .then(|| tree.read(&manifest_rel))
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok());
        let dep_range = |name: &str| -> Option<String> {
            let pkg = package_json.as_ref()?;
            ["dependencies", "devDependencies"]
                .iter()
                .find_map(|s| pkg.get(s)?.get(name)?.as_str().map(str::to_string))
        };
        let lock: Option<Value> = tree
            .read(&join("package-lock.json"))
            .and_then(|t| serde_json::from_str(&t).ok());
        let locked = |name: &str| -> Option<String> {
            let lock = lock.as_ref()?;
            lock.get("packages")
                .and_then(|p| p.get(format!("node_modules/{name}")))
                .or_else(|| lock.get("dependencies").and_then(|d| d.get(name)))
                .and_then(|p| p.get("version"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let version_of = |name: &str| -> Option<Version> {
            locked(name)
                .as_deref()
                .and_then(Version::from_range)
                .or_else(|| dep_range(name).as_deref().and_then(Version::from_range))
        };

        let (manager, lockfile) = [
            ("pnpm-lock.yaml", PackageManager::Pnpm),
            ("yarn.lock", PackageManager::Yarn),
            ("package-lock.json", PackageManager::Npm),
            ("npm-shrinkwrap.json", PackageManager::Npm),
            ("bun.lock", PackageManager::Bun),
            ("bun.lockb", PackageManager::Bun),
        ]
        .iter()
        .find(|(f, _)| tree.exists(&join(f)))
        .map(|(f, m)| (*m, Some(f.to_string())))
        .unwrap_or((PackageManager::Npm, None));

        let name_source = package_json
            .as_ref()
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| app.name.clone())
            // A Rails app names itself in config/application.rb
            // (`module Ledger`): not the folder it is checked out in.
            .or_else(|| {
                (app.framework() == Framework::Rails)
                    .then(|| tree.read(&join("config/application.rb")))
                    .flatten()
                    .and_then(|t| rails_module(&t))
            })
            .or_else(|| {
                dir.rsplit('/')
                    .next()
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
            })
            .or_else(|| {
                std::fs::canonicalize(tree.root())
                    .ok()
                    .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .unwrap_or_default();
        let name = dns_name(&name_source);

        // Env example: the app's own, else the root's.
        let env_example = cx
            .repo
            .index
            .of_kind(FileKind::EnvExample)
            .iter()
            .map(|id| cx.repo.index.get(*id).rel.clone())
            .filter(|rel| !crate::roles::path::is_non_product_path(rel))
            .filter(|rel| {
                let d = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                d == dir
            })
            .chain(
                cx.repo
                    .index
                    .of_kind(FileKind::EnvExample)
                    .iter()
                    .map(|id| cx.repo.index.get(*id).rel.clone())
                    .filter(|rel| !rel.contains('/')),
            )
            .next();
        let env_vars: Vec<(String, String)> = env_example
            .as_ref()
            .and_then(|p| tree.read(p))
            .map(|t| {
                EnvFile::parse(&t)
                    .vars
                    .into_iter()
                    .map(|v| (v.name, v.value))
                    .collect()
            })
            .unwrap_or_default();

        let prisma = load_prisma(cx, tree, &join, &dep_range, &locked, &version_of);
        let next_version = version_of("next");
        let moved = intents.moved_to_postgres(&app.path);
        let provider = prisma.as_ref().and_then(|p| p.provider.clone());
        let has = |d: &str| app.has_dependency(d);
        let database = if moved {
            Database::Postgres
        } else if let Some(p) = provider.as_deref() {
            match p {
                "postgresql" | "postgres" | "cockroachdb" => Database::Postgres,
                "mysql" => Database::Mysql,
                "sqlite" => Database::Sqlite,
                _ => Database::None,
            }
        } else if [
            "pg",
            "postgres",
            "psycopg2",
            "psycopg2-binary",
            "psycopg",
            "asyncpg",
        ]
        .iter()
        .any(|d| has(d))
        {
            Database::Postgres
        } else if ["mysql2", "mysql", "mysqlclient", "pymysql"]
            .iter()
            .any(|d| has(d))
        {
            Database::Mysql
        } else if ["better-sqlite3", "sqlite3"].iter().any(|d| has(d)) {
            Database::Sqlite
        } else {
            Database::None
        };
        let redis = if has("ioredis") {
            Some(RedisClient::Ioredis)
        } else if has("redis") && app.ecosystem == crate::stack::Ecosystem::Node {
            Some(RedisClient::NodeRedis)
        } else if has("redis") || has("django-redis") {
            Some(RedisClient::Other)
        } else {
            None
        };

        let dir_has = |rel: &str| tree.dir_exists(&join(rel));
        let app_router = ["src/app", "app"]
            .iter()
            .find(|d| dir_has(d))
            .map(|d| d.to_string());
        let pages_router = ["src/pages", "pages"]
            .iter()
            .find(|d| dir_has(d))
            .map(|d| d.to_string());
        let typescript = tree.exists(&join("tsconfig.json"));
        // The file Next loads: the first of js, mjs, ts (Next's
        // CONFIG_FILES order); the others are ignored when one exists.
        let next_config = [
            "next.config.js",
            "next.config.mjs",
            "next.config.ts",
            "next.config.cjs",
            "next.config.mts",
        ]
        .iter()
        .find(|f| tree.exists(&join(f)))
        .map(|f| f.to_string());
        let dist_dir = next_config
            .as_ref()
            .and_then(|c| tree.read(&join(c)))
            .and_then(|t| super::nextjs::config::string_value(&t, "distDir"))
            .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_string())
            .filter(|d| !d.is_empty() && !d.starts_with('/') && !d.contains(".."))
            .unwrap_or_else(|| ".next".to_string());
        let aliases = path_aliases(
            tree.read(&join("tsconfig.json"))
                .or_else(|| tree.read(&join("jsconfig.json")))
                .as_deref(),
        );
        let alias_root = aliases
            .iter()
            .find(|(prefix, _)| prefix == "@/")
            .map(|(_, dir)| dir.trim_end_matches('/').to_string());
        let start = package_json
            .as_ref()
            .and_then(|p| p.get("scripts")?.get("start")?.as_str().map(str::to_string));
        let port = start
            .as_deref()
            .and_then(port_of)
            .unwrap_or(match app.framework() {
                Framework::Django => 8000,
                // The ports the generated images listen on.
                Framework::Rails => super::rails_docker::PORT,
                Framework::Laravel => super::laravel_docker::PORT,
                _ => 3000,
            });
        // The routes this run writes, else the app's own health routes: the
        // container and deployment files probe those too (as the catalog's
        // healthcheck remedy would on a second run, which then changed the
        // compose file the first run wrote; dphagler/POP_LMS, fix15e).
        let planned = intents
            .health_paths(&app.path)
            .map(|(l, r)| (l.to_string(), r.to_string()));
        let planned_checks = intents.ready_checks(&app.path).map(<[&str]>::to_vec);
        let health = planned.clone().or_else(|| {
            let paths: Vec<String> =
                crate::rules::observability::missing_health_endpoint::health_route_paths(cx)
                    .into_iter()
                    .map(|(path, _)| path)
                    .collect();
            let routes = super::catalog::k8s_probes::pick_routes(&paths)?;
            Some((
                routes.live.unwrap_or_else(|| routes.ready.clone()),
                routes.ready,
            ))
        });

        let ready_checks = match (&planned, planned_checks) {
            (Some(_), Some(checks)) => ReadyChecks::Generated(checks),
            // Django, Rails and Laravel generators check the database and
            // the Redis the app configures.
            (Some(_), None) => ReadyChecks::Configured,
            (None, _) => match &health {
                Some((_, ready)) => own_ready_checks(cx, ready),
                None => ReadyChecks::Unknown,
            },
        };
        let sources: Vec<String> = cx
            .source_files()
            .into_iter()
            .map(|id| cx.repo.index.get(id).rel.clone())
            .collect();
        let db_vars = (app.ecosystem == crate::stack::Ecosystem::Node
            && database == Database::Postgres
            && prisma.is_none())
        .then(|| super::express_backends::env_reads_in(&sources, |f| tree.read(f)))
        .filter(|vars| !vars.iter().any(|v| v == "DATABASE_URL"))
        .and_then(|vars| super::express_backends::variable_set(&vars));
        let next = next_version;
        Ok(Profile {
            db_vars,
            ready_checks,
            app_path: app.path.clone(),
            dir,
            name,
            framework: app.framework(),
            manager,
            lockfile,
            package_version: package_json
                .as_ref()
                .and_then(|p| p.get("version")?.as_str().map(str::to_string)),
            package_json,
            next,
            prisma,
            database,
            redis,
            env_example,
            env_vars,
            app_router,
            pages_router,
            typescript,
            next_config,
            dist_dir,
            alias_root,
            aliases,
            port,
            health,
            dependencies: app.dependencies.clone(),
            sources,
        })
    }

    /// A path inside the app folder, relative to the root.
    pub fn join(&self, rel: &str) -> String {
        crate::apps::join(&self.dir, rel)
    }

    pub fn has_dependency(&self, name: &str) -> bool {
        self.dependencies.contains(name)
    }

    pub fn script(&self, name: &str) -> Option<&str> {
        self.package_json
            .as_ref()?
            .get("scripts")?
            .get(name)?
            .as_str()
    }

    pub fn declares(&self, var: &str) -> bool {
        self.env_vars.iter().any(|(n, _)| n == var)
    }

    /// Runtime variables that are secrets or settings (not `NEXT_PUBLIC_*`,
    /// which are inlined at build time).
    pub fn runtime_vars(&self) -> Vec<&str> {
        self.env_vars
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !n.starts_with("NEXT_PUBLIC_"))
            .collect()
    }

    pub fn public_vars(&self) -> Vec<&str> {
        self.env_vars
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.starts_with("NEXT_PUBLIC_"))
            .collect()
    }

    /// The command that runs a package binary (`npx prisma`).
    pub fn exec(&self) -> &'static str {
        match self.manager {
            PackageManager::Npm => "npx",
            PackageManager::Yarn => "yarn",
            PackageManager::Pnpm => "pnpm exec",
            PackageManager::Bun => "bunx",
        }
    }

    pub fn install_command(&self) -> &'static str {
        match self.manager {
            PackageManager::Npm => "npm install",
            PackageManager::Yarn => "yarn install",
            PackageManager::Pnpm => "pnpm install",
            PackageManager::Bun => "bun install",
        }
    }

    pub fn uses_postgres(&self) -> bool {
        self.database == Database::Postgres
    }

    /// An import specifier for `target` (a path relative to the root,
    /// without extension) from the file `from`: `@/lib/db` when the alias
    /// covers it, else a relative path.
    pub fn import_path(&self, from: &str, target: &str) -> String {
        let target = target
            .trim_end_matches(".ts")
            .trim_end_matches(".tsx")
            .trim_end_matches(".js")
            .trim_end_matches(".mjs");
        let in_app = |p: &str| -> String {
            if self.dir.is_empty() {
                p.to_string()
            } else {
                p.strip_prefix(&format!("{}/", self.dir))
                    .unwrap_or(p)
                    .to_string()
            }
        };
        let inner = in_app(target);
        // The alias whose folder holds the target most closely.
        // Only Next.js resolves them (a Node server does not read tsconfig).
        let aliases: &[(String, String)] = if self.framework == Framework::NextJs {
            &self.aliases
        } else {
            &[]
        };
        let best = aliases
            .iter()
            .filter(|(_, dir)| inner.starts_with(dir.as_str()))
            .max_by_key(|(prefix, dir)| (dir.len(), prefix == "@/"));
        if let Some((prefix, dir)) = best {
            return format!("{prefix}{}", &inner[dir.len()..]);
        }
        relative_import(from, target)
    }
}

/// tsconfig/jsconfig `paths` of the form `"prefix/*": ["folder/*"]` (after
/// `baseUrl`): (prefix, folder with a trailing slash, "" for the app root).
/// The file is JSON with comments and trailing commas.
pub fn path_aliases(text: Option<&str>) -> Vec<(String, String)> {
    let Some(value) = text.and_then(|t| serde_json::from_str::<Value>(&strip_jsonc(t)).ok()) else {
        return Vec::new();
    };
    let Some(options) = value.get("compilerOptions") else {
        return Vec::new();
    };
    let base = options
        .get("baseUrl")
        .and_then(Value::as_str)
        .unwrap_or(".")
        .trim_start_matches("./")
        .trim_end_matches('/')
        .trim_start_matches('.')
        .to_string();
    let Some(paths) = options.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, targets) in paths {
        let (Some(prefix), Some(target)) = (
            key.strip_suffix('*'),
            targets.get(0).and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(folder) = target.strip_suffix('*') else {
            continue;
        };
        let folder = folder.trim_start_matches("./");
        if folder.starts_with("..") || (!folder.is_empty() && !folder.ends_with('/')) {
            continue;
        }
        let joined = match (base.is_empty(), folder.is_empty()) {
            (true, _) => folder.to_string(),
            (false, true) => format!("{base}/"),
            (false, false) => format!("{base}/{folder}"),
        };
        out.push((prefix.to_string(), joined));
    }
    out
}

/// JSON with comments and trailing commas (tsconfig) → JSON.
pub fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut in_str = false;
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.get(i + 1) {
                    out.push(*n);
                    i += 1;
                }
            } else if c == '"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match (c, chars.get(i + 1)) {
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            ('/', Some('*')) => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            (',', _) => {
                // A comma followed only by blanks and a closing bracket.
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if !matches!(next, Some('}') | Some(']')) {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `./x` / `../../x` from the folder of `from` to `target`.
pub fn relative_import(from: &str, target: &str) -> String {
    let from_dir: Vec<&str> = from
        .rsplit_once('/')
        .map(|(d, _)| d.split('/').collect())
        .unwrap_or_default();
    let to: Vec<&str> = target.split('/').collect();
    let common = from_dir
        .iter()
        .zip(to.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from_dir.len() - common;
    let rest = to[common..].join("/");
    if ups == 0 {
        format!("./{rest}")
    } else {
        format!("{}{rest}", "../".repeat(ups))
    }
}

fn load_prisma(
    cx: &AppContext,
    tree: &Tree,
    join: &dyn Fn(&str) -> String,
    dep_range: &dyn Fn(&str) -> Option<String>,
    locked: &dyn Fn(&str) -> Option<String>,
    version_of: &dyn Fn(&str) -> Option<Version>,
) -> Option<Prisma> {
    if !cx.app.has_dependency("prisma") && !cx.app.has_dependency("@prisma/client") {
        return None;
    }
    // The schema Prisma reads by default (`schema.prisma`), before others
    // such as `mongo.schema.prisma` next to it.
    let schemas: Vec<String> = cx
        .files_of_kind(FileKind::PrismaSchema)
        .map(|id| cx.repo.index.get(id).rel.clone())
        .collect();
    let schema = schemas
        .iter()
        .find(|rel| rel.rsplit('/').next() == Some("schema.prisma"))
        .or_else(|| schemas.iter().find(|rel| rel.ends_with("schema.prisma")))
        .cloned()
        .or_else(|| {
            let p = join("prisma/schema.prisma");
            tree.exists(&p).then_some(p)
        })?;
    let provider = tree
        .read(&schema)
        .and_then(|t| crate::facts::PrismaSchema::parse(&t).ok())
        .and_then(|s| {
            s.datasources
                .first()
                .and_then(|d| d.provider.as_ref())
                .and_then(|p| p.value.as_literal().map(str::to_string))
        });
    let version = version_of("prisma").or_else(|| version_of("@prisma/client"));
    let cli_spec = locked("prisma")
        .or_else(|| dep_range("prisma"))
        .or_else(|| locked("@prisma/client"))
        .or_else(|| dep_range("@prisma/client"))
        .unwrap_or_else(|| "latest".to_string());
    // A module of the app's own that creates and exports a client. Route
    // handlers and pages create one only for themselves.
    let is_route = |rel: &str| {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        let stem = base.split('.').next().unwrap_or(base);
        matches!(stem, "route" | "page" | "layout" | "middleware" | "proxy")
            || rel.contains("/api/")
            || rel.starts_with("pages/")
            || rel.contains("/pages/")
    };
    let mut creators: Vec<(String, String)> = cx
        .source_files()
        .into_iter()
        .filter_map(|id| {
            let rel = cx.repo.index.get(id).rel.clone();
            let text = tree.read(&rel)?;
            (text.contains("new PrismaClient") && !is_route(&rel)).then_some((rel, text))
        })
        .collect();
    // How many of the app's files import a module (by its last two path
    // segments, `lib/prisma`): the client the app really uses, when it has
    // two (tsbproject/marvelmarts: `lib/db.ts` with no adapter, imported
    // by nothing, beside `lib/prisma.ts`, imported by 45 files).
    let sources: Vec<String> = cx
        .source_files()
        .into_iter()
        .filter_map(|id| tree.read(&cx.repo.index.get(id).rel))
        .collect();
    let importers = |rel: &str| -> usize {
        let stem = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
        let mut segments = stem.rsplit('/');
        let last = segments.next().unwrap_or(stem);
        let tail = match segments.next() {
            Some(parent) => format!("{parent}/{last}"),
            None => last.to_string(),
        };
        sources
            .iter()
            .filter(|t| {
                ["\"", "'", ".js\"", ".ts\"", ".js'", ".ts'"]
                    .iter()
                    .any(|end| t.contains(&format!("/{tail}{end}")))
            })
            .count()
    };
    // Prisma 7 has no query engine: a client without a driver adapter
    // (`new PrismaClient()`) throws when it is created.
    let v7 = version.is_some_and(|v| v.major >= 7);
    // The default client (`@prisma/client`) before clients generated
    // elsewhere (a second schema), then (Prisma 7) one with an adapter,
    // then the module most of the app imports, then the shorter path.
    creators.sort_by_key(|(rel, text)| {
        (
            !(text.contains("\"@prisma/client\"") || text.contains("'@prisma/client'")),
            v7 && !text.contains("adapter"),
            std::cmp::Reverse(importers(rel)),
            rel.len(),
            rel.clone(),
        )
    });
    let client_module = creators
        .iter()
        .find_map(|(rel, text)| client_export(text).map(|e| (rel.clone(), e)));
    let unexported_clients: Vec<String> = creators
        .iter()
        .filter(|(_, text)| client_export(text).is_none())
        .map(|(rel, _)| rel.clone())
        .collect();
    let schema_dir = schema
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    let migrations_dir = crate::apps::join(&schema_dir, "migrations");
    let migrations = tree
        .disk_files_under(&migrations_dir)
        .iter()
        .any(|f| f.ends_with("/migration.sql"));
    Some(Prisma {
        schema,
        provider,
        version,
        cli_spec,
        client_module,
        unexported_clients,
        migrations,
    })
}

/// The port of `next start -p 3000`, `--port 3000`, `PORT=3000 …`.
/// The application module of config/application.rb (`module Ledger` →
/// `ledger`, `module ShopApi` → `shop-api`).
fn rails_module(text: &str) -> Option<String> {
    let name = text.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("module ")?;
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        name.starts_with(|c: char| c.is_ascii_uppercase())
            .then_some(name)
    })?;
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    Some(out)
}

fn port_of(script: &str) -> Option<u16> {
    let words: Vec<&str> = script.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if *w == "-p" || *w == "--port" {
            return words.get(i + 1)?.parse().ok();
        }
        if let Some(v) = w
            .strip_prefix("--port=")
            .or_else(|| w.strip_prefix("PORT="))
        {
            return v.parse().ok();
        }
    }
    None
}

/// Lowercase letters, digits and dashes, as Kubernetes and Fly names need.
pub fn dns_name(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let mut out = String::new();
    for c in base.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    let out: String = out.chars().take(40).collect();
    if out.is_empty() {
        "app".to_string()
    } else {
        out.trim_end_matches('-').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rails_module_names() {
        assert_eq!(
            rails_module("require_relative \"boot\"\n\nmodule ShopApi\n  class Application\n")
                .as_deref(),
            Some("shop-api")
        );
        assert_eq!(
            rails_module("module Ledger\nend\n").as_deref(),
            Some("ledger")
        );
        assert_eq!(rails_module("# no module\n"), None);
    }

    #[test]
    fn versions_from_ranges() {
        assert_eq!(
            Version::from_range("^6.4.1"),
            Some(Version { major: 6, minor: 4 })
        );
        assert_eq!(
            Version::from_range("15.2.4"),
            Some(Version {
                major: 15,
                minor: 2
            })
        );
        assert_eq!(
            Version::from_range(">=14"),
            Some(Version {
                major: 14,
                minor: 0
            })
        );
        assert_eq!(Version::from_range("latest"), None);
        assert_eq!(Version::from_range("workspace:*"), None);
    }

    #[test]
    fn imports_and_names() {
        assert_eq!(
            relative_import("app/api/health/ready/route.ts", "lib/db"),
            "../../../../lib/db"
        );
        assert_eq!(relative_import("server.js", "health"), "./health");
        assert_eq!(dns_name("@acme/Store_Front"), "store-front");
        assert_eq!(port_of("next start -p 3000"), Some(3000));
    }
}
