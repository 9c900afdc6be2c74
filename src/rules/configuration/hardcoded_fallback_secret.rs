//! hardcoded-fallback-secret: a secret read from the environment falls
//! back to a string literal when the variable is unset.

use std::collections::BTreeMap;

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::configuration::secrets::is_app_secret;
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
        fixable: false,
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
`ENV.fetch("SECRET_KEY_BASE") { "…" }`, `ENV["X"] || "…"`, Laravel
`env('X', '…')`, Go helpers such as `getEnv("JWT_SECRET", "changeme")`,
Rust `env::var("X").unwrap_or("…")`, and Spring `${JWT_SECRET:changeme}` in
code or in `application*.properties`/`.yml`. Only secrets that protect the
app itself count: signing and encryption keys (`SECRET_KEY`, `JWT_SECRET`,
`SESSION_SECRET`, `SECRET_KEY_BASE`, `APP_KEY`) and credentials callers must
present (`ADMIN_PASSWORD`, `BASIC_AUTH_PASSWORD`, `WEBHOOK_SECRET`). A
credential for a service the app connects to (`DB_PASSWORD`,
`AWS_SECRET_ACCESS_KEY`, `GOOGLE_CLIENT_SECRET`) is not reported: without the
variable the connection fails. Names about a secret rather than holding one
(`*_EXPIRES_IN`, `*_ID`, `ENABLE_EMAIL_PASSWORD`, `AUTH_PASSWORD_BROKER`,
`*_COOKIE_KEY` naming a cookie) are not secrets.

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

## Fix
Read the secret without a default and fail at start-up when it is missing
(`os.environ["SECRET_KEY"]`, `ENV.fetch("SECRET_KEY_BASE")`, a schema such as
zod/envalid/pydantic-settings that requires it); keep development values in
an untracked `.env`.
"#;

/// File names (without extension) and folders of test, development and
/// local configuration.
fn is_test_or_dev_file(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let stem = name.split('.').next().unwrap_or(name);
    let words: Vec<&str> = stem.split(['_', '-']).collect();
    name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("_test.go")
        || name.ends_with("_spec.rb")
        || name.ends_with("_test.rb")
        || name == "conftest.py"
        || words.iter().any(|w| {
            matches!(
                *w,
                "test"
                    | "tests"
                    | "testing"
                    | "dev"
                    | "development"
                    | "local"
                    | "seed"
                    | "seeds"
                    | "mock"
                    | "mocks"
                    | "fixture"
                    | "fixtures"
                    | "e2e"
                    | "playwright"
                    | "cypress"
                    | "vitest"
                    | "jest"
            )
        })
        || lower.contains("/environments/development")
        || lower.contains("/environments/test")
        || lower
            .split('/')
            .any(|p| matches!(p, "seeds" | "seed" | "seeders" | "factories" | "scripts"))
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
        let reads = facts.env_reads(id);
        for read in reads.into_iter().flatten() {
            let Some(fallback) = &read.fallback else {
                continue;
            };
            if !is_app_secret(&read.name) || !is_real_fallback(fallback) || read.near_env_check {
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
                        if is_app_secret(&name) && is_real_fallback(&default) {
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
    let mut findings = Vec::new();
    for (name, mut locations) in found {
        locations.sort();
        locations.dedup();
        let shown: Vec<String> = locations
            .iter()
            .take(3)
            .map(|l| format!("{}:{}", l.path, l.line))
            .collect();
        let more = locations.len().saturating_sub(3);
        findings.push(RULE.meta.finding(
            Some(cx.app),
            format!(
                "{} is read from the environment with a hardcoded string as its fallback ({}{}): when the variable is unset the app runs with a secret that is in the source code.",
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
