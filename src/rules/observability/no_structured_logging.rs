//! no-structured-logging: the app's server code logs with `console.*` /
//! `print()` only, through no logging library.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileId;
use std::sync::Arc;

use crate::rules::observability::evidence::{own_code_files, package_code_files, related_packages};
use crate::rules::{AppContext, Check, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "no-structured-logging",
        code: "SW304",
        severity: Severity::Low,
        category: Category::ObservabilityMonitoring,
        title: "Server code logs with console/print only",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app whose server code writes its logs with `console.log` /
`console.error` (Node) or `print()` (Python) — at least five calls — when
no logging library is a dependency (pino, winston, bunyan, log4js, consola,
tslog, LogTape, nestjs-pino, …; structlog, loguru, python-json-logger) and
no module sets one up (Python's `logging`, NestJS's `Logger`, a `logger`
module of the app's own, `console.log(JSON.stringify(…))`).

Server code is what runs on the server: every module of an Express, Koa,
Hono, hapi or Flask/FastAPI app (outside tests, scripts, migrations and
client folders); for Next.js route handlers, `pages/api`, `"use server"`
modules, `middleware` and a custom `server.js`; SvelteKit `+server`,
`*.server` and `lib/server` modules; Nuxt `server/`; Remix/React Router
`*.server` modules.

Frameworks that log through a structured logger of their own are not
reported (Fastify and AdonisJS use pino; Rails, Django, Laravel, Spring,
Go and Rust apps have their ecosystem's loggers), and neither are apps
hosted only on serverless platforms, whose runtimes turn `console` output
into leveled log records.

## Why is this bad?
`console.log` lines have no level, no timestamp the log pipeline can trust,
no request id and no fields: errors cannot be told from chatter, alerts on
error rates are impossible, and following one request through the logs
means grepping free text.

## Example
### Reported
```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node server.js" }, "dependencies": { "express": "4.21.0" } }
```

```js file=server.js
const app = require("express")();
app.post("/orders", (req, res) => {
  console.log("creating order", req.body.id);
  try {
    console.log("charging card");
    res.status(201).end();
  } catch (err) {
    console.error("order failed", err);
    res.status(500).end();
  }
});
app.listen(3000, () => console.log("listening"));
console.log("started");
```

### Not reported
```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node server.js" }, "dependencies": { "express": "4.21.0", "pino-http": "10.3.0" } }
```

```js file=server.js
const app = require("express")();
const logger = require("pino-http")();
app.use(logger);
app.post("/orders", (req, res) => {
  req.log.info({ order: req.body.id }, "creating order");
  res.status(201).end();
});
app.listen(3000);
```

## Fix
Log through a structured logger that writes one JSON object per line with a
level, a timestamp and request context: pino (`pino-http` for Express,
`nestjs-pino`, `next-logger`), winston with `format.json()`; in Python
`logging` with a JSON formatter, structlog or loguru's `serialize=True`.
"#;

/// Logging libraries, per ecosystem (exact names or prefixes ending in `/`).
const LOGGING_LIBRARIES: &[(Ecosystem, &[&str])] = &[
    (
        Ecosystem::Node,
        &[
            "pino",
            "pino-http",
            "nestjs-pino",
            "hapi-pino",
            "koa-pino-logger",
            "express-pino-logger",
            "next-logger",
            "winston",
            "express-winston",
            "nest-winston",
            "bunyan",
            "log4js",
            "loglevel",
            "consola",
            "signale",
            "roarr",
            "tslog",
            "@logtape/",
            "loglayer",
            "@aws-lambda-powertools/logger",
            "@axiomhq/",
            "next-axiom",
            "@logtail/",
            "@google-cloud/logging",
            "@google-cloud/logging-winston",
            "@google-cloud/logging-bunyan",
            "@opentelemetry/api-logs",
            "@hapi/good",
            "@adonisjs/logger",
            "evlog",
            "@logdna/logger",
        ],
    ),
    (
        Ecosystem::Python,
        &[
            "structlog",
            "loguru",
            "python-json-logger",
            "json-log-formatter",
            "ecs-logging",
            "logfire",
            "google-cloud-logging",
            "watchtower",
        ],
    ),
];

/// Folders whose modules are not server code: clients, build and one-off
/// scripts, database migrations.
const NON_SERVER_DIRS: &[&str] = &[
    "public",
    "static",
    "assets",
    "client",
    "frontend",
    "web",
    "views",
    "components",
    "scripts",
    "script",
    "bin",
    "tools",
    "migrations",
    "migration",
    "seeds",
    "seeders",
    "alembic",
    "cli",
    "prisma",
];

/// Frameworks whose apps come with a structured logger.
fn has_builtin_logger(f: Framework) -> bool {
    matches!(f, Framework::Fastify | Framework::AdonisJs)
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    let python_web = matches!(
        app.framework(),
        Framework::Flask
            | Framework::FastApi
            | Framework::Starlette
            | Framework::Litestar
            | Framework::Sanic
            | Framework::Quart
            | Framework::Falcon
    );
    if !(app.ecosystem == Ecosystem::Node || python_web) || has_builtin_logger(app.framework()) {
        return Vec::new();
    }
    if let Some((_, libs)) = LOGGING_LIBRARIES.iter().find(|(e, _)| *e == app.ecosystem) {
        let has = app.dependencies.iter().any(|d| {
            libs.iter().any(|l| {
                if l.ends_with('/') {
                    d.starts_with(l)
                } else {
                    d == l
                }
            })
        });
        if has {
            return Vec::new();
        }
    }
    let hosting = cx.hosting();
    if !hosting.is_empty() && hosting.iter().all(|k| k.is_serverless()) {
        return Vec::new();
    }
    // The app's own files, then each workspace package it uses, whose
    // verdicts are kept per audit: a package shared by hundreds of apps is
    // read once, not once per app.
    let mut verdicts: Vec<(FileId, Vec<u32>)> = Vec::new();
    for id in own_code_files(cx) {
        match verdict(cx, id) {
            Verdict::Logger => return Vec::new(),
            Verdict::Calls(lines) => verdicts.push((id, lines)),
            Verdict::Nothing => {}
        }
    }
    for dir in related_packages(cx) {
        let package = cx.repo.memo(
            "logging verdicts",
            &format!("{}\u{0}{dir}", app.framework().label()),
            || {
                let mut calls = Vec::new();
                for id in package_code_files(cx.repo, dir).iter() {
                    match verdict(cx, *id) {
                        Verdict::Logger => return None,
                        Verdict::Calls(lines) => calls.push((*id, lines)),
                        Verdict::Nothing => {}
                    }
                }
                Some(Arc::new(calls))
            },
        );
        match package {
            None => return Vec::new(),
            Some(calls) => verdicts.extend(calls.iter().cloned()),
        }
    }
    verdicts.sort_unstable();
    verdicts.dedup();
    let index = cx.repo.index;
    let files_with_calls = verdicts.iter().filter(|(_, l)| !l.is_empty()).count();
    let mut calls: Vec<Location> = verdicts
        .iter()
        .flat_map(|(id, lines)| {
            lines
                .iter()
                .map(|l| Location::new(index.get(*id).rel.clone(), *l))
        })
        .collect();
    if calls.len() < 5 {
        return Vec::new();
    }
    let total = calls.len();
    calls.truncate(3);
    let what = if app.ecosystem == Ecosystem::Node {
        "`console.*`"
    } else {
        "`print()`"
    };
    let suggestion = match app.framework() {
        Framework::NextJs => "pino (with `next-logger` to route Next.js' own output through it)",
        Framework::NestJs => "`nestjs-pino` (or Nest's `ConsoleLogger` with `json: true` on Nest ≥11)",
        Framework::Express => "pino with `pino-http` as middleware (request id and latency on every line)",
        _ if app.ecosystem == Ecosystem::Python => {
            "`logging` with a JSON formatter (python-json-logger), structlog, or loguru with `serialize=True`"
        }
        _ => "pino (or winston with `format.json()`)",
    };
    vec![RULE.meta.finding(
        Some(app),
        format!(
            "The {} app's server code logs with {what} only ({total} calls in {files_with_calls} files) and no logging library is a dependency.",
            app.framework().label()
        ),
        "Logs have no level, no reliable timestamp, no request id and no fields: errors cannot be filtered from chatter, error-rate alerts are impossible, and one request cannot be followed through the logs.".to_string(),
        format!("Log through a structured logger that writes JSON lines with level, time and request context: {suggestion}; replace the {what} calls with it."),
        calls,
    )]
}

/// What one of the app's code files says about its logging.
enum Verdict {
    /// It is, or sets up, a logger: the app logs through it.
    Logger,
    /// Server code; the lines of its `console.*`/`print()` calls.
    Calls(Vec<u32>),
    /// Nothing about logging.
    Nothing,
}

/// The verdict on one file. For a workspace package's file it depends on
/// the app's framework only (the verdicts of a package are kept per
/// framework).
fn verdict(cx: &AppContext, id: FileId) -> Verdict {
    let app = cx.app;
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let stem = index
        .get(id)
        .name()
        .split('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    // An app of its own logger module logs through it.
    if matches!(stem.as_str(), "logger" | "logging" | "log" | "logs") {
        return Verdict::Logger;
    }
    if !is_server_file(cx, id) {
        // Setting up Python's logging anywhere counts as a logger.
        if app.ecosystem == Ecosystem::Python && uses_python_logging(cx, id) {
            return Verdict::Logger;
        }
        return Verdict::Nothing;
    }
    // Files that spell none of these cannot log nor set up a logger.
    let Some(src) = facts.source_code(
        id,
        &[
            "console",
            "print",
            "Logger",
            "logging",
            "structlog",
            "loguru",
        ],
    ) else {
        return Verdict::Nothing;
    };
    if app.ecosystem == Ecosystem::Python {
        if src.imports_module("logging")
            || src.imports_module("structlog")
            || src.imports_module("loguru")
        {
            return Verdict::Logger;
        }
        return Verdict::Calls(src.calls("print"));
    }
    // NestJS's Logger, or a JSON line written by hand: a logger.
    if src.imports().iter().any(|(m, _)| m == "@nestjs/common") && src.has_ident("Logger") {
        return Verdict::Logger;
    }
    let mut found = Vec::new();
    for method in ["log", "info", "warn", "error", "debug"] {
        found.extend(src.method_calls("console", method));
    }
    if !found.is_empty() && json_console(src) {
        return Verdict::Logger;
    }
    found.sort_unstable();
    Verdict::Calls(found)
}

/// `console.log(JSON.stringify(…))`: a JSON logger written by hand.
fn json_console(src: &crate::facts::source::SourceCode) -> bool {
    use crate::facts::code::Token;
    src.tokens.windows(6).any(|w| {
        matches!(
            (&w[0].token, &w[1].token, &w[3].token, &w[4].token, &w[5].token),
            (Token::Ident(c), Token::Punct('.'), Token::Punct('('), Token::Ident(j), Token::Punct('.'))
                if c == "console" && j == "JSON"
        )
    })
}

fn uses_python_logging(cx: &AppContext, id: FileId) -> bool {
    cx.repo
        .facts
        .source_code(id, &["logging", "structlog", "loguru"])
        .is_some_and(|src| {
            src.imports_module("logging")
                || src.imports_module("structlog")
                || src.imports_module("loguru")
        })
}

/// Whether a module runs on the server (see the rule's docs).
fn is_server_file(cx: &AppContext, id: FileId) -> bool {
    let file = cx.repo.index.get(id);
    let rel = &file.rel;
    let inner = rel
        .strip_prefix(cx.app.dir())
        .unwrap_or(rel)
        .trim_start_matches('/');
    let dirs: Vec<&str> = inner.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let name = file.name();
    let stem = name.split('.').next().unwrap_or(name);
    // `seed-scripts`, `db_migrations`: words of a folder name count.
    let non_server_dir = |d: &&str| {
        NON_SERVER_DIRS.contains(d)
            || d.split(['-', '_', '.'])
                .any(|w| NON_SERVER_DIRS.contains(&w) || w == "seed")
    };
    if dirs.iter().any(non_server_dir)
        || name.contains(".config.")
        || matches!(stem, "manage" | "__main__")
        || stem.starts_with("seed")
        || stem.starts_with("migrate")
    {
        return false;
    }
    let dotted_server = name.split('.').any(|p| p == "server");
    match cx.app.framework() {
        Framework::NextJs => {
            let under_app = dirs.first() == Some(&"app")
                || (dirs.first() == Some(&"src") && dirs.get(1) == Some(&"app"));
            let under_pages_api = dirs.windows(2).any(|w| w == ["pages", "api"]);
            (under_app && stem == "route")
                || under_pages_api
                || matches!(stem, "middleware" | "server" | "instrumentation")
                || dotted_server
                || dirs.contains(&"server")
                || uses_server_directive(cx, id)
        }
        Framework::SvelteKit => {
            stem.starts_with("+server")
                || dotted_server
                || dirs.windows(2).any(|w| w == ["lib", "server"])
        }
        Framework::Nuxt => dirs.first() == Some(&"server"),
        Framework::Remix | Framework::ReactRouter | Framework::Astro => {
            dotted_server || dirs.first() == Some(&"server") || stem == "server"
        }
        _ => true,
    }
}

/// A `"use server"` module (Next.js server actions).
fn uses_server_directive(cx: &AppContext, id: FileId) -> bool {
    cx.repo
        .facts
        .source_code(id, &["use server"])
        .is_some_and(|src| {
            src.tokens
                .iter()
                .take(3)
                .any(|t| matches!(&t.token, crate::facts::code::Token::Str(s) if s == "use server"))
        })
}
