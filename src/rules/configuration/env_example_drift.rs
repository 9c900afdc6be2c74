//! env-example-drift: variables the code reads that the env example does
//! not list.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::Ecosystem;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "env-example-drift",
        code: "SW705",
        severity: Severity::Low,
        category: Category::Configuration,
        title: "Env example out of date",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Compares the environment variables an app's code requires with its env
example (`.env.example`, `.env.sample`, `env.template`, … in the app folder,
and in a monorepo the root's). Reads are found in code with the lexer —
`process.env.X`, `import.meta.env.X`, `os.environ["X"]`/`os.getenv("X")`,
django-environ/decouple `env("X")`/`config("X")`, `ENV["X"]`/`ENV.fetch("X")`,
`getenv`/`env()` in PHP, Go `os.Getenv("X")`, Rust `env::var("X")`, Java
`System.getenv("X")` and Spring `${X}`. A variable counts as documented when
an env example lists it (also commented out), a committed env file sets it
(`.env.development` defaults), or the app's Dockerfile sets it (`ENV`/`ARG`).

Not reported: reads the code can do without — with a default
(`process.env.PORT || 3000`, `os.getenv("X", "y")`), through an API that
returns null when unset (`os.getenv("X")`, `os.environ.get("X")`,
`ENV["X"]`, PHP `env("X")`, Go `os.LookupEnv`, Rust `env::var` not
unwrapped), or only tested (`if (process.env.X)`, `process.env.X === "true"`,
`!process.env.X`); environment schemas (`env.ts`, `env.mjs`: the schema says
which variables are optional); examples in `.devcontainer/`; variables the platform or tooling
provides (`NODE_ENV`, `PORT`, `HOSTNAME`, `CI`, `HOME`, `PATH`, `npm_*`,
`VERCEL_*`, `NETLIFY`, `FLY_*`, `RENDER_*`, `RAILWAY_*`, `HEROKU_*`,
`K_SERVICE`, `AWS_LAMBDA_*`, `KUBERNETES_*`, `GITHUB_*`, Vite's `MODE`/`DEV`/`PROD`,
`NEXT_RUNTIME`, …); test, script, migration and build files (`build.rs`);
and apps without an env example
(there is nothing to drift from).

## Why is this bad?
The env example is how a new environment learns what to configure. A variable
missing from it is found out in production, as a crash at start-up or — worse
— as a feature that silently does nothing.

## Example
### Reported
```dotenv file=.env.example
DATABASE_URL=postgres://app:app@localhost:5432/app
```

```ts file=src/mail.ts
export const resendKey = process.env.RESEND_API_KEY!;
export const dbUrl = process.env.DATABASE_URL!;
```

```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node dist/index.js" }, "dependencies": { "express": "4.21.0" } }
```

### Not reported
```dotenv file=.env.example
DATABASE_URL=postgres://app:app@localhost:5432/app
# Optional: transactional mail
# RESEND_API_KEY=
```

```ts file=src/mail.ts
export const resendKey = process.env.RESEND_API_KEY!;
export const dbUrl = process.env.DATABASE_URL!;
export const port = Number(process.env.PORT || 3000);
```

```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node dist/index.js" }, "dependencies": { "express": "4.21.0" } }
```

## Fix
Add each missing variable to the env example with a placeholder value and a
comment saying what it is for, or give it a default in code if it is
optional. Validating the environment at start-up (zod/envalid, pydantic
settings) keeps the list and the code in one place.
"#;

/// Variables that platforms, runtimes and tools set.
const PLATFORM_VARIABLES: &[&str] = &[
    "BASE_URL",
    "CI",
    "DEBUG",
    "DEV",
    "DYNO",
    "GOOGLE_CLOUD_PROJECT",
    "HOME",
    "HOST",
    "HOSTNAME",
    "INIT_CWD",
    "JEST_WORKER_ID",
    "K_REVISION",
    "K_SERVICE",
    "LANG",
    "MODE",
    "NETLIFY",
    "NEXT_PHASE",
    "NEXT_RUNTIME",
    "NODE_ENV",
    "PATH",
    "PORT",
    "PRIMARY_REGION",
    "PROD",
    "PWD",
    "PYTHONPATH",
    "RACK_ENV",
    "RAILS_ENV",
    "SHELL",
    "SSR",
    "TEMP",
    "TERM",
    "TMP",
    "TMPDIR",
    "TZ",
    "USER",
    "VITEST",
    "WEB_CONCURRENCY",
    "DJANGO_SETTINGS_MODULE",
    "APP_ENV",
];

const PLATFORM_PREFIXES: &[&str] = &[
    "AWS_LAMBDA_",
    "AWS_EXECUTION_",
    "CF_PAGES",
    "ECS_CONTAINER_METADATA",
    "FLY_",
    "GITHUB_",
    "HEROKU_",
    "KUBERNETES_",
    "NETLIFY_",
    "NEXT_PHASE",
    "POD_",
    "RAILWAY_",
    "RENDER",
    "RUNNER_",
    "TURBO_",
    "VERCEL",
    "npm_",
    "__",
];

fn provided_by_platform(name: &str) -> bool {
    PLATFORM_VARIABLES.contains(&name)
        || PLATFORM_PREFIXES.iter().any(|p| name.starts_with(p))
        || is_test_runner_variable(name)
}

/// Variables set by CI or a test runner (`CI_PLAYWRIGHT`,
/// `PLAYWRIGHT_TEST_BASE_URL`, `CYPRESS_…`, `JEST_WORKER_ID`): a deployment
/// never sets them, so the env example has no reason to list them.
fn is_test_runner_variable(name: &str) -> bool {
    name.starts_with("CI_")
        || ["PLAYWRIGHT", "CYPRESS", "JEST", "VITEST", "MOCHA"]
            .iter()
            .any(|runner| name.split('_').any(|word| word == *runner))
}

fn is_test_or_script(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    // Environment schemas (t3-env `env.ts`, `env.mjs`) list optional
    // variables too; the schema, not the read, says which are required.
    stem == "env"
        || stem.ends_with(".env")
        || stem.starts_with("env.")
        || stem.split(['-', '_', '.']).any(|w| {
            matches!(
                w,
                "test" | "tests" | "testing" | "mock" | "mocks" | "e2e" | "spec"
            )
        })
        || name == "build.rs"
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("_test.go")
        || name.starts_with("test_")
        || name == "conftest.py"
        || name.contains(".config.")
        || lower.split('/').any(|p| {
            matches!(
                p,
                "scripts"
                    | "script"
                    | "seed"
                    | "seeds"
                    | "tools"
                    | "bin"
                    | "e2e"
                    | "testing"
                    | "migrations"
                    | "versions"
                    | "revisions"
                    | "management"
                    | "__tests__"
                    | "__mocks__"
                    | "test"
                    | "tests"
            )
        })
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    // A dev container's example configures the editor's container, not
    // the app's deployments.
    let mut examples: Vec<FileId> = cx
        .files_of_kind(FileKind::EnvExample)
        .filter(|id| !index.get(*id).rel.split('/').any(|p| p == ".devcontainer"))
        .collect();
    if cx.app.path != "." {
        examples.extend(cx.repo.in_dir(FileKind::EnvExample, ""));
    }
    let Some(first_example) = examples.first().copied() else {
        return Vec::new();
    };
    let mut documented: BTreeSet<String> = BTreeSet::new();
    for id in examples
        .iter()
        .copied()
        .chain(cx.files_of_kind(FileKind::EnvFile))
    {
        if let Some(env) = facts.env_file(id) {
            documented.extend(env.vars.iter().map(|v| v.name.clone()));
            documented.extend(env.commented.iter().cloned());
        }
    }
    for id in cx.files_of_kind(FileKind::Dockerfile) {
        if let Some(d) = facts.dockerfile(id) {
            for stage in &d.stages {
                for i in stage.all("ENV").chain(stage.all("ARG")) {
                    for word in i.words() {
                        let name = word.split('=').next().unwrap_or(&word);
                        documented.insert(name.to_string());
                    }
                }
            }
        }
    }
    // name → first read without a default
    let mut missing: BTreeMap<String, Location> = BTreeMap::new();
    // PHP's `env()`/`getenv()` return null when unset: Laravel-style
    // config files read every option that way, all of them optional.
    if cx.app.ecosystem == Ecosystem::Php {
        return Vec::new();
    }
    for id in cx.source_files() {
        let rel = cx.repo.rel(id);
        if is_test_or_script(rel) {
            continue;
        }
        let reads = facts.env_reads(id);
        for read in reads.into_iter().flatten() {
            let name = &read.name;
            if read.has_default
                || read.optional_use
                || provided_by_platform(name)
                || documented.contains(name)
                || name.chars().any(|c| c.is_ascii_lowercase())
                || name.len() < 3
            {
                continue;
            }
            missing
                .entry(name.clone())
                .or_insert_with(|| Location::new(rel, read.line));
        }
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let example_rel = index.get(first_example).rel.clone();
    let listed: Vec<String> = missing
        .iter()
        .take(8)
        .map(|(name, l)| format!("{} ({}:{})", code(name), l.path, l.line))
        .collect();
    let more = missing.len().saturating_sub(8);
    let mut locations: Vec<Location> = missing.values().take(20).cloned().collect();
    locations.push(Location::new(example_rel.clone(), 1));
    vec![RULE.meta.finding(
        Some(cx.app),
        format!(
            "The app reads {} environment variable{} that {} does not list: {}{}.",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            code(&example_rel),
            listed.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ),
        "A new environment configured from the example misses these variables: the app crashes at start-up or a feature silently does nothing in production.".to_string(),
        format!(
            "Add {} to {} with placeholder values and a comment each (or give optional ones a default in code).",
            missing.keys().take(8).map(|n| code(n)).collect::<Vec<_>>().join(", "),
            code(&example_rel)
        ),
        locations,
    )]
}
