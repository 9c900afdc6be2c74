//! The back-ends an Express app's readiness route checks, fitted to how the
//! app itself connects (issue 15): an app configured with `DB_*` variables
//! through its own knex module, with Redis switched off in its settings,
//! answered 503 for good when the health module assumed `DATABASE_URL` and
//! a Redis at localhost.
//!
//! So the health module imports the instances the app already exports (a
//! knex, pg, Sequelize, TypeORM or mysql2 instance; an ioredis or
//! node-redis client), which carry the app's real configuration, whatever
//! variables or config files it reads. A client the app leaves undefined
//! (Redis disabled) is not checked. Only when nothing is exported does the
//! module open a connection of its own, and then with the variables the
//! app's code reads (`DATABASE_URL`, or `DB_HOST`/`DB_USER`/… style sets);
//! when it cannot tell, it says so instead of guessing.

use std::collections::BTreeMap;

use super::nextjs::health::{backend_checks, Backends};
use super::profile::{relative_import, Database, Profile, RedisClient};
use super::Builder;
use crate::facts::code::{ident_at, punct_at, string_at, tokenize, Lang, Spanned, Token};

/// What a module-level binding holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Knex,
    Pg,
    Sequelize,
    TypeOrm,
    /// mysql2's callback API: queries go through `.promise()`.
    Mysql2,
    /// `mysql2/promise`.
    Mysql2Promise,
    Ioredis,
    NodeRedis,
}

impl Kind {
    fn is_redis(self) -> bool {
        matches!(self, Kind::Ioredis | Kind::NodeRedis)
    }

    /// The check's statements over the instance `v` (awaited in an async
    /// arrow function).
    fn statements(self, v: &str) -> String {
        match self {
            Kind::Knex => format!("await {v}.raw(\"select 1\");"),
            Kind::Pg | Kind::Mysql2Promise => format!("await {v}.query(\"SELECT 1\");"),
            Kind::Mysql2 => format!("await {v}.promise().query(\"SELECT 1\");"),
            Kind::Sequelize => format!("await {v}.authenticate();"),
            Kind::TypeOrm => format!(
                "if (!{v}.isInitialized) throw new Error(\"not initialized\");\n      await {v}.query(\"SELECT 1\");"
            ),
            // The app's own client: while it reconnects, its offline queue
            // would hold a PING until Redis is back, so its state is read
            // first. No client = Redis is off in the app's configuration.
            Kind::Ioredis => format!(
                "// The app creates no client when its configuration turns Redis off.\n      if (!{v}) return;\n      if ({v}.status === \"wait\") await {v}.connect();\n      if ({v}.status !== \"ready\") throw new Error(`not connected (${{{v}.status}})`);\n      const reply = await {v}.ping();\n      if (reply !== \"PONG\") throw new Error(`unexpected reply: ${{reply}}`);"
            ),
            Kind::NodeRedis => format!(
                "// The app creates no client when its configuration turns Redis off.\n      if (!{v}) return;\n      if (!{v}.isReady) throw new Error(\"not connected\");\n      const reply = await {v}.ping();\n      if (reply !== \"PONG\") throw new Error(`unexpected reply: ${{reply}}`);"
            ),
        }
    }

    /// The check: the instance from `loader`, then its statements.
    fn check(self, loader: &str, v: &str) -> String {
        format!(
            "async () => {{\n      const {v} = await {loader}();\n      {}\n    }}",
            self.statements(v)
        )
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Knex => "knex",
            Kind::Pg => "pg",
            Kind::Sequelize => "Sequelize",
            Kind::TypeOrm => "TypeORM DataSource",
            Kind::Mysql2 | Kind::Mysql2Promise => "mysql2",
            Kind::Ioredis => "ioredis",
            Kind::NodeRedis => "node-redis",
        }
    }
}

/// An instance a module exports: `module.exports = db` (default) or
/// `module.exports = { client }` / `export const client` (named).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Exported {
    file: String,
    export: Option<String>,
    kind: Kind,
    esm: bool,
}

/// `require("m")` at `i`: the module name.
fn require_at(tokens: &[Spanned], i: usize) -> Option<&str> {
    (ident_at(tokens, i) == Some("require")
        && punct_at(tokens, i + 1, '(')
        && punct_at(tokens, i + 3, ')'))
    .then(|| string_at(tokens, i + 2))
    .flatten()
}

/// Local name → (module, imported name; "default" for the module itself).
fn imports(tokens: &[Spanned]) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for i in 0..tokens.len() {
        match ident_at(tokens, i) {
            Some("const" | "let" | "var") => {
                // const X = require("m") | const { A, B: C } = require("m")
                if let (Some(name), true) = (ident_at(tokens, i + 1), punct_at(tokens, i + 2, '='))
                {
                    if let Some(m) = require_at(tokens, i + 3) {
                        out.insert(name.to_string(), (m.to_string(), "default".to_string()));
                    }
                } else if punct_at(tokens, i + 1, '{') {
                    let Some(close) = (i + 2..tokens.len()).find(|&j| punct_at(tokens, j, '}'))
                    else {
                        continue;
                    };
                    if !punct_at(tokens, close + 1, '=') {
                        continue;
                    }
                    let Some(m) = require_at(tokens, close + 2) else {
                        continue;
                    };
                    bind_list(tokens, i + 2, close, ':', m, &mut out);
                }
            }
            Some("import") => {
                let Some(from) = (i + 1..tokens.len().min(i + 64)).find(|&j| {
                    ident_at(tokens, j) == Some("from") && string_at(tokens, j + 1).is_some()
                }) else {
                    continue;
                };
                let Some(m) = string_at(tokens, from + 1) else {
                    continue;
                };
                let mut j = i + 1;
                if let Some(name) = ident_at(tokens, j).filter(|n| *n != "type") {
                    if name != "from" {
                        out.insert(name.to_string(), (m.to_string(), "default".to_string()));
                    }
                    j += 1;
                    if punct_at(tokens, j, ',') {
                        j += 1;
                    }
                }
                if punct_at(tokens, j, '*') && ident_at(tokens, j + 1) == Some("as") {
                    if let Some(name) = ident_at(tokens, j + 2) {
                        out.insert(name.to_string(), (m.to_string(), "default".to_string()));
                    }
                } else if punct_at(tokens, j, '{') {
                    let close = (j + 1..from)
                        .find(|&k| punct_at(tokens, k, '}'))
                        .unwrap_or(from);
                    bind_list(tokens, j + 1, close, 'a', m, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

/// `A, B: C` (require destructuring, `sep` = ':') or `A, B as C` (import,
/// `sep` = 'a') between `from` and `to`.
fn bind_list(
    tokens: &[Spanned],
    from: usize,
    to: usize,
    sep: char,
    module: &str,
    out: &mut BTreeMap<String, (String, String)>,
) {
    let mut j = from;
    while j < to {
        if let Some(name) = ident_at(tokens, j) {
            let renamed = if sep == ':' {
                punct_at(tokens, j + 1, ':')
                    .then(|| ident_at(tokens, j + 2))
                    .flatten()
            } else {
                (ident_at(tokens, j + 1) == Some("as"))
                    .then(|| ident_at(tokens, j + 2))
                    .flatten()
            };
            let local = renamed.unwrap_or(name);
            out.insert(local.to_string(), (module.to_string(), name.to_string()));
            j += if renamed.is_some() { 3 } else { 1 };
        } else {
            j += 1;
        }
    }
}

/// The kind of instance the expression at `i` creates: `new Pool(`,
/// `new pg.Pool(`, `knex(`, `require("knex")(`, `createClient(`, ….
fn creates(
    tokens: &[Spanned],
    i: usize,
    imports: &BTreeMap<String, (String, String)>,
) -> Option<Kind> {
    let new = ident_at(tokens, i) == Some("new");
    let at = if new { i + 1 } else { i };
    if let Some(m) = require_at(tokens, at) {
        return (m == "knex" && punct_at(tokens, at + 4, '(')).then_some(Kind::Knex);
    }
    let local = ident_at(tokens, at)?;
    let (module, imported) = imports.get(local)?;
    let (member, call) = if punct_at(tokens, at + 1, '.') {
        (ident_at(tokens, at + 2)?, at + 3)
    } else {
        (imported.as_str(), at + 1)
    };
    if !punct_at(tokens, call, '(') {
        return None;
    }
    let kind = match (module.as_str(), member, new) {
        ("knex", "default" | "knex" | "Knex", false) => Kind::Knex,
        ("pg", "Pool" | "Client", true) => Kind::Pg,
        ("sequelize" | "sequelize-typescript", "default" | "Sequelize", true) => Kind::Sequelize,
        ("typeorm", "DataSource", true) => Kind::TypeOrm,
        ("mysql2", "createPool" | "createConnection", false) => Kind::Mysql2,
        ("mysql2/promise", "createPool" | "createConnection", false) => Kind::Mysql2Promise,
        ("ioredis", "default" | "Redis", true) => Kind::Ioredis,
        ("redis", "createClient", false) => Kind::NodeRedis,
        _ => return None,
    };
    Some(kind)
}

/// The instances `text` creates and exports.
fn exported_instances(file: &str, text: &str) -> Vec<Exported> {
    let tokens = tokenize(text, Lang::Js);
    let imports = imports(&tokens);
    let esm = file.ends_with(".mjs")
        || tokens.iter().enumerate().any(|(i, t)| {
            t.token == Token::Ident("export".to_string())
                || (t.token == Token::Ident("import".to_string()) && !punct_at(&tokens, i + 1, '('))
        });
    // Bindings assigned an instance anywhere in the module (`let client;
    // if (env.REDIS_ENABLED) client = new Redis(…)` included).
    let mut held: BTreeMap<String, Kind> = BTreeMap::new();
    for i in 0..tokens.len() {
        let Some(name) = ident_at(&tokens, i) else {
            continue;
        };
        // `name = …`, or TypeScript's `name: pg.Pool = …` (a dotted type
        // name, generics included).
        let eq = if punct_at(&tokens, i + 1, '=') {
            Some(i + 1)
        } else if punct_at(&tokens, i + 1, ':') {
            (i + 2..tokens.len().min(i + 16))
                .take_while(|&j| {
                    ident_at(&tokens, j).is_some()
                        || ['.', '<', '>', ',', '=']
                            .iter()
                            .any(|c| punct_at(&tokens, j, *c))
                })
                .find(|&j| punct_at(&tokens, j, '='))
        } else {
            None
        };
        let Some(eq) = eq else { continue };
        let prev_is_member = i > 0 && punct_at(&tokens, i - 1, '.');
        if prev_is_member || punct_at(&tokens, eq + 1, '=') {
            continue;
        }
        if let Some(kind) = creates(&tokens, eq + 1, &imports) {
            held.insert(name.to_string(), kind);
        }
    }
    let mut out = Vec::new();
    let mut push = |export: Option<String>, kind: Kind| {
        out.push(Exported {
            file: file.to_string(),
            export,
            kind,
            esm,
        })
    };
    for i in 0..tokens.len() {
        let module_exports = ident_at(&tokens, i) == Some("module")
            && punct_at(&tokens, i + 1, '.')
            && ident_at(&tokens, i + 2) == Some("exports")
            && punct_at(&tokens, i + 3, '=')
            && !punct_at(&tokens, i + 4, '=');
        if module_exports {
            if punct_at(&tokens, i + 4, '{') {
                let close = (i + 5..tokens.len())
                    .find(|&j| punct_at(&tokens, j, '}'))
                    .unwrap_or(tokens.len());
                let mut j = i + 5;
                while j < close {
                    if let Some(key) = ident_at(&tokens, j) {
                        let (value, step) = if punct_at(&tokens, j + 1, ':') {
                            (ident_at(&tokens, j + 2), 3)
                        } else {
                            (Some(key), 1)
                        };
                        let after = j + step;
                        let plain = punct_at(&tokens, after, ',') || after >= close;
                        if let Some(kind) = value.filter(|_| plain).and_then(|v| held.get(v)) {
                            push(Some(key.to_string()), *kind);
                        }
                        j = after;
                    } else {
                        j += 1;
                    }
                }
            } else if let Some(kind) = ident_at(&tokens, i + 4)
                .filter(|_| punct_at(&tokens, i + 5, ';') || tokens.get(i + 5).is_none())
                .and_then(|v| held.get(v))
            {
                push(None, *kind);
            } else if let Some(kind) = creates(&tokens, i + 4, &imports) {
                push(None, kind);
            }
            continue;
        }
        // exports.key = value
        if ident_at(&tokens, i) == Some("exports")
            && (i == 0 || !punct_at(&tokens, i - 1, '.'))
            && punct_at(&tokens, i + 1, '.')
            && punct_at(&tokens, i + 3, '=')
        {
            if let (Some(key), Some(kind)) = (
                ident_at(&tokens, i + 2),
                ident_at(&tokens, i + 4).and_then(|v| held.get(v)),
            ) {
                push(Some(key.to_string()), *kind);
            }
            continue;
        }
        if ident_at(&tokens, i) != Some("export") {
            continue;
        }
        match ident_at(&tokens, i + 1) {
            Some("default") => {
                if let Some(kind) = ident_at(&tokens, i + 2)
                    .filter(|_| !punct_at(&tokens, i + 3, '(') && !punct_at(&tokens, i + 3, '.'))
                    .and_then(|v| held.get(v))
                {
                    push(None, *kind);
                } else if let Some(kind) = creates(&tokens, i + 2, &imports) {
                    push(None, kind);
                }
            }
            Some("const" | "let" | "var") => {
                if let Some(name) = ident_at(&tokens, i + 2) {
                    if let Some(kind) = held.get(name) {
                        push(Some(name.to_string()), *kind);
                    }
                }
            }
            _ if punct_at(&tokens, i + 1, '{') => {
                let close = (i + 2..tokens.len())
                    .find(|&j| punct_at(&tokens, j, '}'))
                    .unwrap_or(tokens.len());
                if ident_at(&tokens, close + 1) == Some("from") {
                    continue;
                }
                let mut j = i + 2;
                while j < close {
                    if let Some(name) = ident_at(&tokens, j) {
                        let alias = (ident_at(&tokens, j + 1) == Some("as"))
                            .then(|| ident_at(&tokens, j + 2))
                            .flatten();
                        if let Some(kind) = held.get(name) {
                            match alias {
                                Some("default") => push(None, *kind),
                                Some(a) => push(Some(a.to_string()), *kind),
                                None => push(Some(name.to_string()), *kind),
                            }
                        }
                        j += if alias.is_some() { 3 } else { 1 };
                    } else {
                        j += 1;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The `process.env.X` names the app's sources read.
fn env_reads(p: &Profile, b: &Builder) -> Vec<String> {
    env_reads_in(&p.sources, |f| b.read(f))
}

/// The `process.env.X` names that `sources` (read with `read`) read.
pub(crate) fn env_reads_in(
    sources: &[String],
    read: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for file in sources.iter().filter(|f| is_js(f) || is_ts(f)) {
        let Some(text) = read(file) else { continue };
        let tokens = tokenize(&text, Lang::Js);
        for i in 0..tokens.len() {
            if ident_at(&tokens, i) == Some("process")
                && punct_at(&tokens, i + 1, '.')
                && ident_at(&tokens, i + 2) == Some("env")
            {
                if punct_at(&tokens, i + 3, '.') {
                    if let Some(v) = ident_at(&tokens, i + 4) {
                        out.insert(v.to_string());
                    }
                } else if punct_at(&tokens, i + 3, '[') {
                    if let Some(v) = string_at(&tokens, i + 4) {
                        out.insert(v.to_string());
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

fn is_js(file: &str) -> bool {
    [".js", ".cjs", ".mjs"].iter().any(|e| file.ends_with(e))
}

fn is_ts(file: &str) -> bool {
    [".ts", ".mts", ".cts"].iter().any(|e| file.ends_with(e)) && !file.ends_with(".d.ts")
}

/// Files whose instances a health module must not import: the server
/// itself (importing it would start a second server), tests, migrations,
/// seeds and knexfiles (a configuration, not an instance).
fn importable(file: &str, app_file: &str) -> bool {
    file != app_file && is_js(file) && !tooling(file)
}

/// Tests, migrations, seeds, knexfiles, installed packages.
fn tooling(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    !(!name.starts_with("knexfile")
        && !name.contains(".test.")
        && !name.contains(".spec.")
        && !lower.split('/').any(|segment| {
            matches!(
                segment,
                "node_modules"
                    | "test"
                    | "tests"
                    | "__tests__"
                    | "__mocks__"
                    | "migrations"
                    | "seeds"
            )
        }))
}

/// The host/user/password/database variables the app reads with a common
/// prefix (`DB_HOST`, `DB_USER`, …; `POSTGRES_HOST`, …), when it reads no
/// `DATABASE_URL`: the pg settings they map to.
pub(crate) fn variable_set(vars: &[String]) -> Option<Vec<(&'static str, String)>> {
    const PARTS: &[(&str, &[&str])] = &[
        ("host", &["HOST", "HOSTNAME"]),
        ("port", &["PORT"]),
        ("user", &["USER", "USERNAME"]),
        ("password", &["PASSWORD", "PASS"]),
        ("database", &["NAME", "DATABASE", "DB"]),
    ];
    let prefixes: std::collections::BTreeSet<&str> = vars
        .iter()
        .filter_map(|v| v.strip_suffix("HOST"))
        .filter(|p| {
            let p = p.to_ascii_uppercase();
            p.contains("DB") || p.contains("POSTGRES") || p.contains("PG") || p.contains("DATABASE")
        })
        .collect();
    let mut found = Vec::new();
    for prefix in prefixes {
        let mut set = Vec::new();
        for (key, suffixes) in PARTS {
            if let Some(v) = suffixes
                .iter()
                .map(|s| format!("{prefix}{s}"))
                .find(|name| vars.contains(name))
            {
                set.push((*key, v));
            }
        }
        if set.iter().any(|(k, _)| *k == "user") && set.iter().any(|(k, _)| *k == "database") {
            found.push(set);
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

/// The pg pool a Next.js app already exports (`export default pool`,
/// `export const pool = new Pool(…)`): the import that binds it to `appDb`
/// from `from`, and the module. Its connection settings are the app's,
/// whatever variable holds them (`POSTGRES_URL`, `NEXT_DATABASE_URL`, …).
pub fn app_pg_pool(p: &Profile, b: &Builder, from: &str) -> Option<(String, String)> {
    let mut found: Vec<Exported> = p
        .sources
        .iter()
        .filter(|f| {
            !f.ends_with(".d.ts")
                && [".ts", ".tsx", ".js", ".mjs"]
                    .iter()
                    .any(|e| f.ends_with(e))
                && *f != from
                && !tooling(f)
        })
        .filter_map(|f| b.read(f).map(|t| exported_instances(f, &t)))
        .flatten()
        .filter(|e| e.kind == Kind::Pg)
        .collect();
    found.sort_by_key(|e| (e.file.matches('/').count(), e.file.clone()));
    let e = found.into_iter().next()?;
    let spec = p.import_path(from, &e.file);
    let import = match &e.export {
        None => format!("import appDb from \"{spec}\";"),
        Some(name) => format!("import {{ {name} as appDb }} from \"{spec}\";"),
    };
    Some((import, e.file))
}

/// The readiness checks of an Express app, from `module` (the generated
/// health module, next to `app_file`).
pub fn express_backends(
    p: &Profile,
    b: &mut Builder,
    app_file: &str,
    module: &str,
    esm: bool,
    // TypeScript: the suffix of relative imports ("" or ".js"); the module
    // imports the app's TypeScript modules, tsc compiles both alike.
    ts: Option<&str>,
) -> Result<Backends, String> {
    let mut instances: Vec<Exported> = p
        .sources
        .iter()
        .filter(|f| match ts {
            Some(_) => f.as_str() != app_file && is_ts(f) && !tooling(f),
            None => importable(f, app_file),
        })
        .filter_map(|f| b.read(f).map(|t| exported_instances(f, &t)))
        .flatten()
        // A CommonJS health module cannot require an ES module.
        .filter(|e| ts.is_some() || e.esm == esm)
        .collect();
    // The shallowest module first: `db.js` beside the server before a
    // helper deep in the tree.
    instances.sort_by_key(|e| (e.file.matches('/').count(), e.file.clone()));
    let mut out = Backends {
        imports: Vec::new(),
        helpers: String::new(),
        checks: Vec::new(),
    };
    // The app's modules are loaded at the first probe, not when the health
    // module loads: it is registered right after `express()`, possibly
    // before the app has read its configuration (dotenv and the like).
    let mut loaders_written = false;
    let mut import = |e: &Exported, local: &str, out: &mut Backends| {
        let target = e
            .file
            .trim_end_matches(".js")
            .trim_end_matches(".cjs")
            .trim_end_matches(".mjs")
            .trim_end_matches(".ts")
            .trim_end_matches(".mts")
            .trim_end_matches(".cts");
        let spec = relative_import(module, target);
        let spec = match ts {
            Some(suffix) => format!("{spec}{suffix}"),
            None if esm || !e.file.ends_with(".js") => {
                format!("{spec}{}", &e.file[target.len()..])
            }
            None => spec,
        };
        if !loaders_written {
            out.helpers.push_str("\n// The app's own modules, loaded at the first probe: by then the app has\n// read its configuration exactly as it does when it starts.\n");
            loaders_written = true;
        }
        let member = match &e.export {
            None if esm => ".default".to_string(),
            None => String::new(),
            Some(name) => format!(".{name}"),
        };
        out.helpers.push_str(&if esm {
            format!("const {local} = async () => (await import(\"{spec}\")){member};\n")
        } else {
            format!("const {local} = () => require(\"{spec}\"){member};\n")
        });
    };

    // The database.
    let db = instances.iter().find(|e| !e.kind.is_redis()).cloned();
    if p.prisma.is_some() {
        let mut only_prisma = p.clone();
        only_prisma.redis = None;
        let prisma = backend_checks(&only_prisma, b, module, ts.is_some())?;
        out.imports.extend(prisma.imports);
        out.helpers.push_str(&prisma.helpers);
        out.checks.extend(prisma.checks);
    } else if let Some(e) = db {
        import(&e, "appDb", &mut out);
        out.checks.push(("database", e.kind.check("appDb", "db")));
        b.assume(format!(
            "The readiness check queries the app's own {} instance exported by {} (its configuration, its pool).",
            e.kind.describe(),
            e.file
        ));
    } else if p.database == Database::Postgres && p.has_dependency("pg") {
        let vars = env_reads(p, b);
        if vars.iter().any(|v| v == "DATABASE_URL") {
            let mut only_pg = p.clone();
            only_pg.redis = None;
            let pg = backend_checks(&only_pg, b, module, ts.is_some())?;
            out.imports.extend(pg.imports);
            out.helpers.push_str(&pg.helpers);
            out.checks.extend(pg.checks);
        } else if let Some(set) = variable_set(&vars) {
            out.imports.push("import { Pool } from \"pg\";".to_string());
            let fields: Vec<String> = set
                .iter()
                .map(|(k, v)| {
                    if *k == "port" {
                        format!("  port: Number(process.env.{v}) || undefined,\n")
                    } else {
                        format!("  {k}: process.env.{v},\n")
                    }
                })
                .collect();
            out.helpers.push_str(&format!(
                "\n// A small pool of its own, with the variables the app connects with,\n// so a saturated app pool cannot fail the probe.\nconst pool = new Pool({{\n{}  max: 1,\n  connectionTimeoutMillis: TIMEOUT_MS,\n  // A query that hangs fails, and its client leaves the pool: one hung\n  // connection must not hold the only slot for good.\n  query_timeout: TIMEOUT_MS,\n}});\n// An idle connection that breaks must not crash the process.\npool.on(\"error\", () => {{}});\n",
                fields.concat()
            ));
            out.checks
                .push(("database", "() => pool.query(\"SELECT 1\")".to_string()));
            b.assume(format!(
                "The readiness check connects with the variables the app reads: {}.",
                set.iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        } else {
            b.manual("Add a database check to the readiness route: no module of the app exports its pg pool, and it reads neither DATABASE_URL nor a DB_HOST/DB_USER/DB_NAME set seaworthy could connect with (export the pool and run `seaworthy fix` again).");
        }
    } else if p.has_dependency("mongoose") {
        let mut only_mongo = p.clone();
        only_mongo.redis = None;
        let mongo = backend_checks(&only_mongo, b, module, ts.is_some())?;
        out.imports.extend(mongo.imports);
        out.checks.extend(mongo.checks);
    } else if p.database != Database::None {
        b.manual("Add a database check to the readiness route: no module of the app exports a knex, pg, Sequelize, TypeORM or mysql2 instance seaworthy could reuse (export it and run `seaworthy fix` again).");
    }

    // Redis: the app's own client when a module exports it; a dedicated
    // client only when the app connects with REDIS_URL; otherwise no check
    // is assumed.
    if let Some(e) = instances.iter().find(|e| e.kind.is_redis()).cloned() {
        import(&e, "appRedis", &mut out);
        out.checks
            .push(("redis", e.kind.check("appRedis", "client")));
        b.assume(format!(
            "The readiness check pings the app's own {} client exported by {}; when the app's configuration leaves it unset (Redis off), there is nothing to check.",
            e.kind.describe(),
            e.file
        ));
    } else if matches!(p.redis, Some(RedisClient::Ioredis | RedisClient::NodeRedis)) {
        if env_reads(p, b).iter().any(|v| v == "REDIS_URL") {
            let mut only_redis = p.clone();
            only_redis.prisma = None;
            only_redis.database = Database::None;
            only_redis.dependencies.clear();
            let redis = backend_checks(&only_redis, b, module, ts.is_some())?;
            out.imports.extend(redis.imports);
            out.helpers.push_str(&redis.helpers);
            out.checks.extend(redis.checks);
        } else {
            b.manual("The app depends on a Redis client but no module exports one and it reads no REDIS_URL: add a Redis check to the readiness route by hand if the app needs Redis to serve.");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(file: &str, text: &str) -> Vec<(Option<String>, Kind)> {
        exported_instances(file, text)
            .into_iter()
            .map(|e| (e.export, e.kind))
            .collect()
    }

    #[test]
    fn finds_exported_instances_in_their_export_style() {
        let knex = "const knex = require(\"knex\");\nconst env = require(\"./env\");\nconst db = knex({ client: env.DB_CLIENT });\nmodule.exports = db;\n";
        assert_eq!(kinds("server/knex.js", knex), vec![(None, Kind::Knex)]);
        let redis = "const Redis = require(\"ioredis\");\nlet client;\nif (env.REDIS_ENABLED) {\n  client = new Redis({ host: env.REDIS_HOST });\n}\nmodule.exports = { client, key, remove };\n";
        assert_eq!(
            kinds("server/redis.js", redis),
            vec![(Some("client".to_string()), Kind::Ioredis)]
        );
        let pg = "import pg from \"pg\";\nexport const pool = new pg.Pool({ host: process.env.DB_HOST });\n";
        assert_eq!(
            kinds("db.js", pg),
            vec![(Some("pool".to_string()), Kind::Pg)]
        );
        let seq = "const { Sequelize } = require(\"sequelize\");\nconst sequelize = new Sequelize(config.database);\nmodule.exports = { db: sequelize };\n";
        assert_eq!(
            kinds("models/index.js", seq),
            vec![(Some("db".to_string()), Kind::Sequelize)]
        );
        let direct = "module.exports = require(\"knex\")(require(\"./knexfile\"));\n";
        assert_eq!(kinds("db.js", direct), vec![(None, Kind::Knex)]);
        // Created but not exported, or a configuration only: nothing.
        assert!(kinds(
            "a.js",
            "const { Pool } = require(\"pg\");\nconst pool = new Pool();\n"
        )
        .is_empty());
        assert!(kinds("knexfile.js", "module.exports = { client: \"pg\" };\n").is_empty());
        // A comparison is not an assignment.
        assert!(kinds(
            "a.js",
            "const Redis = require(\"ioredis\");\nif (x == new Redis()) {}\nmodule.exports = x;\n"
        )
        .is_empty());
    }

    #[test]
    fn a_db_variable_set_maps_to_pg_settings() {
        let vars: Vec<String> = [
            "DB_HOST",
            "DB_PORT",
            "DB_USER",
            "DB_PASSWORD",
            "DB_NAME",
            "PORT",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let set = variable_set(&vars).expect("a set");
        assert_eq!(
            set,
            vec![
                ("host", "DB_HOST".to_string()),
                ("port", "DB_PORT".to_string()),
                ("user", "DB_USER".to_string()),
                ("password", "DB_PASSWORD".to_string()),
                ("database", "DB_NAME".to_string()),
            ]
        );
        // A mail host is not a database.
        let mail: Vec<String> = ["SMTP_HOST", "SMTP_USER"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(variable_set(&mail), None);
    }
}
