//! hardcoded-fallback-secret: a secret read from the environment falls
//! back to a string literal when the variable is unset.

use std::collections::BTreeMap;

use crate::facts::compose::{resolve_unset, ComposeService};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::configuration::secrets::{
    is_app_secret, is_fill_in_placeholder, is_signing_secret,
};
use crate::rules::containerization::compose_files;
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::Ecosystem;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "hardcoded-fallback-secret",
        code: "SW703",
        severity: Severity::High,
        category: Category::Configuration,
        title: "Hardcoded fallback secret",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Finds code that reads a secret from the environment and falls back to a
string literal when the variable is unset:
`process.env.JWT_SECRET || "secret"`, `process.env.X ?? "…"`,
`os.environ.get("SECRET_KEY", "dev-key")`, `os.getenv("X", "…")`,
`env("SECRET_KEY", default="…")`, `config("X", default="…")`,
`ENV.fetch("SECRET_KEY_BASE") { "…" }`, `ENV["X"] || "…"`, a zod env
schema's `JWT_SECRET: z.string().default("…")` (a default chosen by a
ternary, `isDev ? z.string().default("dev") : z.string()`, is not), Laravel
`env('X', '…')`, Go helpers such as `getEnv("JWT_SECRET", "changeme")`,
Rust `env::var("X").unwrap_or("…")`, Spring `${JWT_SECRET:changeme}` in
code or in `application*.properties`/`.yml`, and the compose files that deploy
the app (see `compose-database-without-volume`) setting a service's variable
to `${SECRET_KEY:-literal}` or `${SECRET_KEY-literal}`: Compose uses the
default whenever the variable is unset, so every installation that runs the
file as it is shares that key — a placeholder default (`changeme`) too. The
finding goes to the app the service builds, else the app the file is in,
else the app at the root; an env template beside the compose file
(`.env.example`, `.env.sample`, `env.template`) that sets the variable to the
same value is cited in the same finding (installs that copy it share the key
too). Password variables (`ADMIN_PASSWORD`) defaulted
there are `compose-literal-password`'s finding, not this rule's. Only secrets that protect the
app itself count: signing and encryption keys (`SECRET_KEY`, `JWT_SECRET`,
`SESSION_SECRET`, `SECRET_KEY_BASE`, `APP_KEY`) and credentials callers must
present (`ADMIN_PASSWORD`, `BASIC_AUTH_PASSWORD`, `WEBHOOK_SECRET`). A
credential for a service the app connects to (`DB_PASSWORD`,
`AWS_SECRET_ACCESS_KEY`, `GOOGLE_CLIENT_SECRET`) is not reported: without the
variable the connection fails. Names about a secret rather than holding one
(`*_EXPIRES_IN`, `*_ID`, `ENABLE_EMAIL_PASSWORD`, `AUTH_PASSWORD_BROKER`,
`*_COOKIE_KEY` naming a cookie) are not secrets.

A fill-in placeholder in code (`your-secret-key`, `<token>`, `xxxx`,
`change-me`) is a slot for the installer's value, not the project's
secret, unless the variable signs or encrypts the app's own sessions,
tokens or data (`SECRET_KEY`, `APP_KEY`, `JWT_*`, `SESSION_*`,
`ENCRYPTION_*`): the app signs with whatever it is given, a placeholder
included. A development default meant to be used as it is
(`dev-secret`, `INSECURE_KEY_SET_IN_ENV`) is a real literal and reported.

Not reported: test files and test, development and local settings
(`settings/test.py`, `config/environments/development.rb`,
`application-dev.yml`), fallbacks next to a check of the environment or debug
mode (`if DEBUG`, `NODE_ENV === "production" ? … : "dev-secret"`), empty
fallbacks and file paths. The message names the variable, not the value.

## Why is this bad?
When the variable is missing in production — a typo, a new environment, a
forgotten secret — the app starts anyway and signs sessions and tokens with a
value that is in the source code. Anyone who reads the code can forge them.
Failing at start-up is the safe behaviour.

## Example
### Reported
```ts file=src/auth.ts
import jwt from "jsonwebtoken";

const JWT_SECRET = process.env.JWT_SECRET || "supersecret";

export const sign = (userId: string) => jwt.sign({ sub: userId }, JWT_SECRET);
```

```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node dist/index.js" }, "dependencies": { "express": "4.21.0" } }
```

### Not reported
```ts file=src/auth.ts
import jwt from "jsonwebtoken";

const JWT_SECRET = process.env.JWT_SECRET;
if (!JWT_SECRET) throw new Error("JWT_SECRET is not set");

export const sign = (userId: string) => jwt.sign({ sub: userId }, JWT_SECRET);
```

```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node dist/index.js" }, "dependencies": { "express": "4.21.0" } }
```

### Reported
A self-hosting compose file with a default for the signing secret:

```yaml file=docker-compose.yml
services:
  shop:
    image: ghcr.io/acme/shop:3
    restart: always
    environment:
      NEXTAUTH_SECRET: ${NEXTAUTH_SECRET:-mysecret}
```

```json file=package.json
{ "name": "shop", "private": true, "scripts": { "start": "next start" }, "dependencies": { "next": "15.0.0" } }
```

### Not reported
```yaml file=docker-compose.yml
services:
  shop:
    image: ghcr.io/acme/shop:3
    restart: always
    environment:
      NEXTAUTH_SECRET: ${NEXTAUTH_SECRET:?set NEXTAUTH_SECRET}
```

```json file=package.json
{ "name": "shop", "private": true, "scripts": { "start": "next start" }, "dependencies": { "next": "15.0.0" } }
```

### Not reported
A framework skeleton's placeholder for an optional driver's credential:

```php file=config/queue.php
<?php
return [
    'connections' => [
        'sqs' => [
            'driver' => 'sqs',
            'key' => env('SQS_KEY', 'your-public-key'),
            'secret' => env('SQS_SECRET', 'your-secret-key'),
        ],
    ],
];
```

```json file=composer.json
{ "name": "acme/desk", "require": { "laravel/framework": "^10.0" } }
```

## Fix
Read the secret without a default and fail at start-up when it is missing
(`os.environ["SECRET_KEY"]`, `ENV.fetch("SECRET_KEY_BASE")`, a schema such as
zod/envalid/pydantic-settings that requires it); in a compose file require
it (`${SECRET_KEY:?set SECRET_KEY}`); keep development values in an untracked
`.env`.

`seaworthy fix --unsafe` removes the literal fallback from each cited
read so the app fails at start-up when the variable is unset:
`process.env.X || "…"` throws, `os.environ.get("X", "…")` (or
`… or "…"`) becomes `os.environ["X"]`, `env()`/`config()` lose their
`default`, Laravel's `env('APP_KEY', '…')` loses its default (Laravel
refuses an empty key), Compose's `${X:-…}` becomes `${X:?…}`, an env
template's value becomes empty, and the app's env example lists the
variable. A read in another form leaves the finding to a person. It is unsafe because
the app (and a build that loads the module) stops until the variable is
set.
"#;

/// Tests, development and local configuration, seeds and tools: the
/// file-role model's `roles::source` (one list for every code rule).
fn is_test_or_dev_file(rel: &str) -> bool {
    !crate::roles::source::judge(rel).is_production()
}

fn is_real_fallback(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty()
        && !v.starts_with('/')
        && !v.starts_with("./")
        && !v.starts_with("~/")
        && !v.contains("${")
        && !v.ends_with(".pem")
        && !v.ends_with(".json")
        && !v.ends_with(".key")
        // A switch or a number (`REFRESH_TOKEN_IN_COOKIE … or 'yes'`,
        // `TOKEN_TTL … 3600`) configures a secret, it is not one.
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "yes" | "no" | "true" | "false" | "on" | "off" | "none" | "null"
        )
        && !v.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// A fill-in placeholder (`your-secret-key`, `<token>`, `change-me`) for
/// a credential that does not sign the app's own sessions or data — a
/// framework skeleton's `env('SQS_SECRET', 'your-secret-key')` for an
/// optional driver — is a slot for the installer's value: the service
/// rejects it, it protects nothing. A signing key keeps being reported
/// whatever its value: the app signs with the placeholder.
fn is_slot(name: &str, value: &str) -> bool {
    is_fill_in_placeholder(value) && !is_signing_secret(name)
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let facts = cx.repo.facts;
    // name → (file, line)
    let mut found: BTreeMap<String, Vec<Location>> = BTreeMap::new();
    let mut files: Vec<FileId> = cx.source_files();
    if cx.app.ecosystem == Ecosystem::Node {
        files.extend(cx.files_of_kind(FileKind::FrameworkConfig));
    }
    for id in files {
        let rel = cx.repo.rel(id);
        if is_test_or_dev_file(rel) {
            continue;
        }
        // An env schema's default (`JWT_SECRET: z.string().default("…")`)
        // is a fallback too: the schema passes without the variable.
        if let Some(js) = facts.js_mentioning(id, &[".default("]) {
            for d in &js.schema_defaults {
                if is_app_secret(&d.name)
                    && is_real_fallback(&d.default)
                    && !is_slot(&d.name, &d.default)
                {
                    found
                        .entry(d.name.clone())
                        .or_default()
                        .push(Location::new(rel, d.line));
                }
            }
        }
        let reads = facts.env_reads(id);
        for read in reads.into_iter().flatten() {
            let Some(fallback) = &read.fallback else {
                continue;
            };
            if !is_app_secret(&read.name)
                || !is_real_fallback(fallback)
                || read.near_env_check
                || is_slot(&read.name, fallback)
            {
                continue;
            }
            found
                .entry(read.name.clone())
                .or_default()
                .push(Location::new(rel, read.line));
        }
    }
    // Spring: `jwt.secret=${JWT_SECRET:changeme}` outside dev/test profiles.
    for id in cx.files_of_kind(FileKind::SpringConfig) {
        let rel = cx.repo.rel(id);
        let Some(config) = facts.spring_config(id) else {
            continue;
        };
        for doc in &config.documents {
            let dev_profile = doc.profile.as_deref().is_some_and(|p| {
                p.split([',', '-', '_'])
                    .any(|w| matches!(w, "dev" | "development" | "local" | "test" | "testing"))
            });
            if dev_profile {
                continue;
            }
            for (_, value, line) in &doc.properties {
                for (name, default) in crate::facts::config_code::placeholders(value) {
                    if let Some(default) = default {
                        if is_app_secret(&name)
                            && is_real_fallback(&default)
                            && !is_slot(&name, &default)
                        {
                            found
                                .entry(name)
                                .or_default()
                                .push(Location::new(rel, *line));
                        }
                    }
                }
            }
        }
    }
    let mut templates: BTreeMap<String, Vec<Location>> = BTreeMap::new();
    compose_defaults(cx, &mut found, &mut templates);
    let mut findings = Vec::new();
    for (name, mut locations) in found {
        locations.sort();
        locations.dedup();
        let mut beside = templates.remove(&name).unwrap_or_default();
        beside.sort();
        beside.dedup();
        beside.retain(|l| !locations.contains(l));
        locations.extend(beside);
        let shown: Vec<String> = locations
            .iter()
            .take(3)
            .map(|l| format!("{}:{}", l.path, l.line))
            .collect();
        let more = locations.len().saturating_sub(3);
        findings.push(RULE.meta.finding(
            Some(cx.app),
            format!(
                "{} is read from the environment with a hardcoded string as its fallback ({}{}): when the variable is unset the app runs with a secret that is in the repository.",
                code(&name),
                shown.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
            "A deployment that misses the variable starts normally and signs sessions or tokens (or connects) with a publicly known value: anyone who has read the code can forge them.".to_string(),
            format!(
                "Remove the fallback and fail at start-up when {} is missing (read it without a default, or validate the environment with a schema); keep development values in an untracked .env.",
                code(&name)
            ),
            locations,
        ));
    }
    findings
}

/// Compose files that deploy the app: `SECRET_KEY: ${SECRET_KEY:-literal}`.
/// Compose uses the default whenever the variable is unset, so every
/// installation that runs the file as it is signs with the same key —
/// a placeholder default (`changeme`) included.
fn compose_defaults(
    cx: &AppContext,
    found: &mut BTreeMap<String, Vec<Location>>,
    templates: &mut BTreeMap<String, Vec<Location>>,
) {
    // Every service of every production compose file has one owner app:
    // the files are read once for all apps, not once per app (that was
    // apps × services × apps on a monorepo with a root compose file).
    let by_app = cx.repo.memo("compose secret defaults by app", "", || {
        std::sync::Arc::new(compose_defaults_by_app(cx.repo))
    });
    let Some(mine) = by_app.get(cx.app.path.as_str()) else {
        return;
    };
    for (name, locations) in &mine.found {
        found
            .entry(name.clone())
            .or_default()
            .extend(locations.iter().cloned());
    }
    for (name, locations) in &mine.templates {
        templates
            .entry(name.clone())
            .or_default()
            .extend(locations.iter().cloned());
    }
}

/// The compose defaults of one app: the lines (`found`) and the env
/// templates beside the compose file that set the same value.
#[derive(Default)]
struct AppDefaults {
    found: BTreeMap<String, Vec<Location>>,
    templates: BTreeMap<String, Vec<Location>>,
}

fn compose_defaults_by_app(
    repo: &crate::rules::RepoContext,
) -> std::collections::HashMap<String, AppDefaults> {
    let named = AppsByWord::build(repo.apps);
    let root_app = repo.apps.iter().any(|a| a.path == ".");
    let mut out: std::collections::HashMap<String, AppDefaults> = Default::default();
    for (id, compose) in compose_files::production(repo) {
        let rel = repo.rel(id);
        let dir = repo.index.get(id).dir();
        // An entry merged into several services (`<<: *common-env`) is
        // the first one's: one line, one finding, one app.
        let mut seen = std::collections::HashSet::new();
        for service in &compose.services {
            let owner = owner(repo, &named, root_app, dir, rel, service);
            for entry in &service.details.environment {
                if !seen.insert(entry.line) {
                    continue;
                }
                let Some(owner) = owner else {
                    continue;
                };
                if crate::rules::containerization::compose_literal_password::is_password_key(
                    &entry.key,
                ) {
                    continue;
                }
                let Some(value) = entry.value.as_deref().filter(|v| v.contains('$')) else {
                    continue;
                };
                let (_, interpolations) = resolve_unset(value);
                let defaulted: Vec<(&str, &str)> = interpolations
                    .iter()
                    .filter_map(|i| {
                        let d = i.default.as_deref()?;
                        // A long run of digits is a key (`ENCRYPTION_KEY`'s
                        // 64 zeros), not a number setting.
                        let key_like = d.len() >= 16 && d.chars().all(|c| c.is_ascii_hexdigit());
                        ((is_real_fallback(d) || key_like)
                            && !d.contains("://")
                            && (is_app_secret(&entry.key) || is_app_secret(&i.name)))
                        .then_some((i.name.as_str(), d))
                    })
                    .collect();
                if !defaulted.is_empty() {
                    let app = out.entry(owner.to_string()).or_default();
                    app.found
                        .entry(entry.key.clone())
                        .or_default()
                        .push(Location::new(rel, entry.line));
                    // The env template beside the file with the same value,
                    // cited after the compose file's lines.
                    for (name, default) in defaulted {
                        app.templates
                            .entry(entry.key.clone())
                            .or_default()
                            .extend(compose_files::templates_setting(repo, id, name, default));
                    }
                }
            }
        }
    }
    out
}

/// The apps by the last word of their folder and of their package name,
/// for naming the app of a service at the root by its image.
struct AppsByWord<'a> {
    by_word: std::collections::HashMap<&'a str, Vec<usize>>,
}

impl<'a> AppsByWord<'a> {
    fn build(apps: &'a [crate::apps::App]) -> AppsByWord<'a> {
        let mut by_word: std::collections::HashMap<&'a str, Vec<usize>> = Default::default();
        for (i, a) in apps.iter().enumerate() {
            let folder = a.path.rsplit('/').next().unwrap_or(&a.path);
            by_word.entry(folder).or_default().push(i);
            if let Some(n) = a.name.as_deref() {
                by_word
                    .entry(n.rsplit('/').next().unwrap_or(n))
                    .or_default()
                    .push(i);
            }
        }
        AppsByWord { by_word }
    }

    /// The apps named by one of `words`, in app order.
    fn named(&self, words: &[&str]) -> std::collections::BTreeSet<usize> {
        words
            .iter()
            .filter_map(|w| self.by_word.get(w))
            .flatten()
            .copied()
            .collect()
    }
}

/// The app a compose service's settings belong to: the app its build
/// context is in, else the app the compose file is in, else the app at the
/// root (a self-hosting file at the root runs the root project's image).
fn owner<'a>(
    repo: &'a crate::rules::RepoContext,
    named: &AppsByWord,
    root_app: bool,
    dir: &str,
    rel: &str,
    service: &ComposeService,
) -> Option<&'a str> {
    let built = service
        .build_context
        .as_deref()
        .and_then(|c| crate::apps::resolve(dir, c))
        .and_then(|context| {
            let probe = if context.is_empty() || context == "." {
                "Dockerfile".to_string()
            } else {
                format!("{context}/Dockerfile")
            };
            compose_files::app_of(repo, &probe)
        });
    if let Some(app) = built.or_else(|| compose_files::app_of(repo, rel)) {
        return Some(app.path.as_str());
    }
    if root_app {
        return Some(".");
    }
    // A file at the root of a monorepo: the app whose folder or package
    // name is a word of the service's image (`acme/shop-worker` → the
    // `worker` app), else the first app, so that the finding is made once.
    let image = service
        .image
        .as_deref()
        .map(|i| crate::facts::images::parse_image(i).0)
        .unwrap_or_default();
    let words: Vec<&str> = image.split(['/', '-', '_', '.']).collect();
    // The longest path wins; among equals the last in app order (as
    // `Iterator::max_by_key`).
    named
        .named(&words)
        .into_iter()
        .map(|i| &repo.apps[i])
        .max_by_key(|a| a.path.len())
        .or_else(|| repo.apps.first())
        .map(|a| a.path.as_str())
}
