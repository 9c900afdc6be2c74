//! env-example-drift: variables the code reads that the env example does
//! not list.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::code::{tokenize, Lang, Spanned, Token};
use crate::facts::config_code::EnvRead;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::containerization::dockerfiles;
use crate::rules::{code, AppContext, Check, RepoContext, Rule, RuleMeta};
use crate::stack::Ecosystem;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "env-example-drift",
        code: "SW705",
        severity: Severity::Low,
        category: Category::Configuration,
        title: "Env example out of date",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Compares the environment variables an app's code requires with the app's
own env example (`.env.example`, `.env.sample`, `env.template`, … in the app
folder; in a monorepo, the root's). Reads are found in code with the lexer —
`process.env.X`, `import.meta.env.X`, `os.environ["X"]`/`os.getenv("X")`,
django-environ/decouple `env("X")`/`config("X")`, `ENV["X"]`/`ENV.fetch("X")`,
`getenv`/`env()` in PHP, Go `os.Getenv("X")`, Rust `env::var("X")`, Java
`System.getenv("X")` and Spring `${X}`. A variable counts as documented when
an env example lists it (also commented out), a committed env file sets it
(`.env.development` defaults), or a Dockerfile of the app — or one elsewhere
that builds it (`docker/api.Dockerfile` named by a compose `build:`) — sets
it (`ENV`/`ARG`).

Which example is the app's: one in its folder, unless it sits in a folder
of one deployment or of samples (`deploy/`, `docker/`, `podman/`, `helm/`,
`k8s/`, `examples/`, `templates/`, `.devcontainer/`, `buildtools/`) or its
name ties it to one deployment or platform (`.env.podman.example`,
`fly-template.env`): such a template lists what that deployment
sets, so its variables count as documented but the app is not compared with
it. The root's example is compared with an app in a sub-folder only when the
root is not an app itself, and — when the repository holds several apps —
only if it lists something that app reads (a server's example says nothing
about the web client beside it).

Not reported: reads the code can do without —
- with a default (`process.env.PORT || 3000`, `Number(process.env.X) ?? 14`,
  `os.getenv("X", "y")`), anywhere in the app (an empty-string default is a
  placeholder, not a default);
- through an API that returns null when unset (`os.getenv("X")`,
  `os.environ.get("X")`, `ENV["X"]`, PHP `env("X")`, Go `os.LookupEnv`,
  Rust `env::var` not unwrapped);
- tested (`if (process.env.X)`, `process.env.X === "true"`,
  `!process.env.X`, `a && process.env.X)`, Python `"X" in os.environ`) — and
  then every other read of that variable in the app too;
- through a name the code then tests (`const key = process.env.X; if (!key)
  return null`, `this.id = process.env.ID; if (!this.id) throw …`), and in
  Go and Java tested for being empty, directly or through the name it is
  bound to (`len(os.Getenv("X")) > 0`, `p := os.Getenv("X"); if p != "" {`,
  `if (h != null)`) — unless the test's block stops the program
  (`log.Fatal`, `panic`, `os.Exit`, `throw`): that is a requirement;
- the alternative after `||`/`??` (`process.env.A || process.env.B`);
- inside a branch another variable turns on (`if (process.env.S3_BUCKET) {
  … process.env.S3_REGION … }`, `process.env.KEY ? new Client(process.env.URL)
  : null`, Python's block under `if "TOKEN" in os.environ:`), also
  through a name bound to such a test — an opt-in feature flag
  (`ENABLE_X = "ENABLE_X" in os.environ` then `if ENABLE_X:`, `const on =
  process.env.X === "true"; if (on) {…}`); a name for the environment or a
  debug mode (`IS_PRODUCTION = os.environ.get("ENV") == "production"`)
  gates what production requires and does not count.

A check that throws or exits at module level (`const url =
process.env.DATABASE_URL; if (!url) throw …`) is a start-up requirement, not
an option: that variable is still reported.

Environment schemas (t3-env `createEnv`, envalid `cleanEnv`, a zod object
that parses `process.env`, and files named `env.ts`/`env.mjs`) are not read
as reads: the schema says which variables are optional, and a variable it
marks `.optional()`, `.default(…)`, `.nullish()` or `{ default: … }` is not
reported where other code reads it directly. Also not reported: variables the
platform, runtime or host provides (`NODE_ENV`, `PORT`, `HOSTNAME`, `TZ`,
`CI`, `HOME`, `PATH`, `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`,
`NODE_OPTIONS`, `NODE_EXTRA_CA_CERTS`, `npm_*`, `VERCEL_*`, `NETLIFY`,
`FLY_*`, `RENDER_*`, `RAILWAY_*`, `HEROKU_*`, `K_SERVICE`, `AWS_LAMBDA_*`,
`KUBERNETES_*`, `GITHUB_*`, systemd's `NOTIFY_SOCKET`/`LISTEN_FDS`/
`INVOCATION_ID`/`CREDENTIALS_DIRECTORY`, Vite's `MODE`/`DEV`/`PROD`, `NEXT_RUNTIME`, …);
tests, seed and migration scripts (`prisma/seed.ts`, `db/migrate.js`,
`scripts/`, `migrations/`, fixtures, stories), the Sequelize CLI's
configuration (the `config` file a `.sequelizerc` names, read by `sequelize
db:migrate`) and build files (`build.rs`);
and apps without an env example of their own (there is nothing to drift
from).

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

### Not reported
Go switches the code tests before using them:

```dotenv file=.env.example
DB_HOST=localhost
```

```go file=main.go
package main

import (
	"os"

	"github.com/gin-gonic/gin"
)

func main() {
	r := gin.New()
	if p := os.Getenv("TEMPLATE_PATH"); p != "" {
		r.LoadHTMLGlob(p)
	}
	if len(os.Getenv("SKIP_TLS_VERIFY")) > 0 {
		insecure()
	}
	connect(os.Getenv("DB_HOST"))
	r.Run(":8080")
}
```

```text file=go.mod
module example.com/forum

go 1.23

require github.com/gin-gonic/gin v1.10.0
```

## Fix
Add each missing variable to the env example with a placeholder value and a
comment saying what it is for, or give it a default in code if it is
optional. Validating the environment at start-up (zod/envalid, pydantic
settings) keeps the list and the code in one place.

`seaworthy fix` appends the missing variables to the example, empty, each
under a comment saying where the code reads it. A safe fix.
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
    // Proxies and TLS trust: read by HTTP clients and runtimes from the
    // host's environment, never app configuration.
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "FTP_PROXY",
    "NODE_EXTRA_CA_CERTS",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    // Set by systemd for the service it starts (`Type=notify`, socket
    // activation, the journal, credentials), never by the operator.
    "NOTIFY_SOCKET",
    "WATCHDOG_USEC",
    "WATCHDOG_PID",
    "LISTEN_FDS",
    "LISTEN_PID",
    "LISTEN_FDNAMES",
    "INVOCATION_ID",
    "JOURNAL_STREAM",
    "CREDENTIALS_DIRECTORY",
    "RUNTIME_DIRECTORY",
    "STATE_DIRECTORY",
    "CACHE_DIRECTORY",
    "LOGS_DIRECTORY",
    "CONFIGURATION_DIRECTORY",
    // Runtimes and shells.
    "NODE_OPTIONS",
    "NODE_DEBUG",
    "UV_THREADPOOL_SIZE",
    "GOMAXPROCS",
    "GOMEMLIMIT",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "VIRTUAL_ENV",
    "LC_ALL",
    "LANGUAGE",
    "LOGNAME",
    "EDITOR",
    "VISUAL",
    "SHLVL",
    "FORCE_COLOR",
    "NO_COLOR",
    "COLORTERM",
    "NEXT_TELEMETRY_DISABLED",
    "NEXT_MANUAL_SIG_HANDLE",
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "SYSTEMROOT",
    "WINDIR",
    "CODESPACES",
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
    "XDG_",
    "LC_",
    "GITPOD_",
    "CODESPACE_",
    "BUILDKITE_",
    "CIRCLE_",
    "TRAVIS_",
    "BITBUCKET_",
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

/// Files whose reads do not make a variable required: what the file-role
/// model (`roles::source`) says production does not run — tests, seed and
/// migration scripts (run once, by hand or in CI, with the variables given
/// on the command line), dev settings, tools, examples — and, for this rule
/// alone, environment schemas (t3-env `env.ts`, `env.mjs`: the schema, not
/// the read, says which are required) and build configuration
/// (`*.config.*`, whose reads configure the build).
fn is_test_or_script(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    stem == "env"
        || stem.ends_with(".env")
        || stem.starts_with("env.")
        || name.contains(".config.")
        || !crate::roles::source::judge(rel).is_production()
}

/// The Sequelize CLI's configuration files: the `config` path each
/// `.sequelizerc` names (a string, or `path.resolve('server/config',
/// 'database.js')` / `path.join(…)` of strings, relative to the folder the
/// CLI runs in), else `config/config.js` beside it. `sequelize db:migrate`
/// reads them for each environment's connection, often as alternatives to
/// the app's own `DATABASE_URL` (`use_env_variable`): a migration tool's
/// input, like the migration scripts. Worked out once per audit.
fn sequelize_configs(repo: &RepoContext) -> Vec<String> {
    repo.memo("sequelize-configs", "", || {
        let mut out = Vec::new();
        let index = repo.index;
        for id in (0..index.files.len()).filter(|id| index.get(*id).name() == ".sequelizerc") {
            let dir = index.get(id).dir();
            let Ok(text) = crate::facts::text::read_text(&index.path(id), 1 << 16) else {
                continue;
            };
            let tokens = tokenize(&text, Lang::Js);
            let named = sequelize_config_path(&tokens).unwrap_or_else(|| "config/config.js".into());
            if let Some(path) = crate::apps::resolve(dir, &named) {
                out.push(path);
            }
        }
        out
    })
}

/// The `config` entry of a `.sequelizerc`'s tokens, as a relative path.
fn sequelize_config_path(tokens: &[Spanned]) -> Option<String> {
    let is = |i: usize, c: char| matches!(tokens.get(i).map(|t| &t.token), Some(Token::Punct(p)) if *p == c);
    let key = tokens.iter().enumerate().position(|(i, t)| {
        matches!(&t.token, Token::Ident(k) | Token::Str(k) if k == "config") && is(i + 1, ':')
    })?;
    let mut at = key + 2;
    if let Some(Token::Str(path)) = tokens.get(at).map(|t| &t.token) {
        return Some(path.clone());
    }
    // `path.resolve(…)` / `path.join(…)` of string literals.
    if !matches!(tokens.get(at + 2).map(|t| &t.token), Some(Token::Ident(f)) if f == "resolve" || f == "join")
        || !is(at + 3, '(')
    {
        return None;
    }
    at += 4;
    let mut parts = Vec::new();
    while let Some(t) = tokens.get(at) {
        match &t.token {
            Token::Str(part) => parts.push(part.trim_matches('/').to_string()),
            Token::Punct(',') => {}
            Token::Punct(')') => break,
            // `__dirname` and other expressions: the folder of the file.
            Token::Ident(name) if name == "__dirname" || name == "process" => {}
            _ => return None,
        }
        at += 1;
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Folders that hold the files of one way to deploy (`deploy/podman/`,
/// `docker/`, `helm/`) or samples: an env example there lists what that
/// deployment sets, not everything the app can read.
const DEPLOYMENT_FOLDERS: &[&str] = &[
    ".devcontainer",
    // Build and release tooling (`buildtools/fly-template.env`).
    "buildtools",
    "chart",
    "charts",
    "compose",
    "contrib",
    "deploy",
    "deployment",
    "deployments",
    "docker",
    "example",
    "examples",
    "helm",
    "infra",
    "infrastructure",
    "k8s",
    "kubernetes",
    "ops",
    "podman",
    "sample",
    "samples",
    "template",
    "templates",
];

/// Words in an env example's name that tie it to one deployment or
/// platform (`podman.env.example`, `.env.docker.example`,
/// `fly-template.env`).
const DEPLOYMENT_NAME_WORDS: &[&str] = &[
    "compose",
    "docker",
    "dokku",
    "fly",
    "helm",
    "heroku",
    "k8s",
    "koyeb",
    "kubernetes",
    "nomad",
    "podman",
    "quadlet",
    "railway",
    "render",
    "swarm",
    "systemd",
];

/// Whether an env example (path relative to the app folder) is the app's
/// own rather than the template of one deployment.
fn is_general_example(inner: &str) -> bool {
    let mut parts: Vec<&str> = inner.split('/').collect();
    let name = parts.pop().unwrap_or("").to_ascii_lowercase();
    !parts
        .iter()
        .any(|p| DEPLOYMENT_FOLDERS.contains(&p.to_ascii_lowercase().as_str()))
        && !name
            .split(['.', '-', '_'])
            .any(|w| DEPLOYMENT_NAME_WORDS.contains(&w))
}

/// Whether development tooling or a seed/migration script of the
/// repository (`roles::source`: `scripts/error-reports.mjs`) reads one of
/// `names`. Asked only when a repository's only app reads none of the root
/// example's variables, so the few tool files are read then.
fn read_by_tooling(repo: &RepoContext, names: &BTreeSet<String>) -> bool {
    use crate::roles::source::{judge, SourceRole};
    let tool_files = repo.index.of_kind(FileKind::JsSource).iter().filter(|id| {
        let f = repo.index.get(**id);
        !f.non_product
            && matches!(
                judge(&f.rel).role,
                SourceRole::DevTooling | SourceRole::SeedMigration
            )
    });
    for id in tool_files {
        let reads = repo.facts.env_reads(*id).unwrap_or_default();
        if reads.iter().any(|r| names.contains(&r.name)) {
            return true;
        }
    }
    false
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let Some((example_rel, missing)) = drift(cx) else {
        return Vec::new();
    };
    finding(cx, example_rel, missing)
}

/// The app's env example and the variables it misses (name → first read
/// without a default); `None` when nothing is missing or the app has no
/// example. `seaworthy fix` adds them.
pub(crate) fn drift(cx: &AppContext) -> Option<(String, BTreeMap<String, Location>)> {
    // PHP's `env()`/`getenv()` return null when unset: Laravel-style
    // config files read every option that way, all of them optional.
    if cx.app.ecosystem == Ecosystem::Php {
        return None;
    }
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let inner = |id: FileId| -> &str {
        let rel = index.get(id).rel.as_str();
        rel.strip_prefix(cx.app.dir())
            .unwrap_or(rel)
            .trim_start_matches('/')
    };
    let all_examples: Vec<FileId> = cx.files_of_kind(FileKind::EnvExample).collect();
    // The examples the app is compared with: its own, not a deployment's.
    let mut examples: Vec<FileId> = all_examples
        .iter()
        .copied()
        .filter(|id| is_general_example(inner(*id)))
        .collect();
    // A monorepo's root example, unless the root is an app of its own (a
    // back-end whose example says nothing about the client beside it).
    let root_examples: Vec<FileId> = if cx.app.path != "." && !cx.repo.app_folders().is_app_dir("")
    {
        cx.repo
            .in_dir(FileKind::EnvExample, "")
            .into_iter()
            .filter(|id| is_general_example(&index.get(*id).rel))
            .collect()
    } else {
        Vec::new()
    };
    let mut documented: BTreeSet<String> = BTreeSet::new();
    for id in all_examples
        .iter()
        .copied()
        .chain(cx.files_of_kind(FileKind::EnvFile))
    {
        if let Some(env) = facts.env_file(id) {
            documented.extend(env.vars.iter().map(|v| v.name.clone()));
            documented.extend(env.commented.iter().cloned());
        }
    }
    // The root examples are the same for every app of a monorepo: read
    // into one set per audit, not once per app (a root example listing
    // every service's variables made that apps × services).
    let root_documented: std::sync::Arc<BTreeSet<String>> = if root_examples.is_empty() {
        Default::default()
    } else {
        cx.repo.memo("variables of the root env examples", "", || {
            let mut names = BTreeSet::new();
            for id in &root_examples {
                if let Some(env) = facts.env_file(*id) {
                    names.extend(env.vars.iter().map(|v| v.name.clone()));
                    names.extend(env.commented.iter().cloned());
                }
            }
            std::sync::Arc::new(names)
        })
    };
    // Variables the images that run the app set (`ENV`/`ARG`): its own
    // Dockerfiles and those elsewhere that build it (`docker/web.Dockerfile`).
    // The production Dockerfiles that build this app, from a map made
    // once per audit (a scan of all of them per app grew with the square
    // of the number of apps).
    let building: Vec<FileId> = cx
        .repo
        .memo("production Dockerfiles by app", "", || {
            let mut by_app: std::collections::HashMap<String, Vec<FileId>> =
                std::collections::HashMap::new();
            for t in dockerfiles::production_dockerfiles(cx.repo) {
                if let Some(app) = t.app {
                    by_app.entry(app.path.clone()).or_default().push(t.id);
                }
            }
            std::sync::Arc::new(by_app)
        })
        .get(&cx.app.path)
        .cloned()
        .unwrap_or_default();
    for id in cx.files_of_kind(FileKind::Dockerfile).chain(building) {
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
    // Environment schemas (t3-env, envalid, zod): the schema says which
    // variables are optional, here and wherever else the code reads them.
    let sources = cx.source_files();
    let mut schema_files: BTreeSet<FileId> = BTreeSet::new();
    let mut schema_optional: BTreeSet<String> = BTreeSet::new();
    for id in &sources {
        if let Some(schema) = facts.env_schema(*id) {
            schema_files.insert(*id);
            schema_optional.extend(schema.optional.iter().cloned());
        }
    }
    let migration_configs = sequelize_configs(cx.repo);
    let reads: Vec<(&str, &EnvRead)> = sources
        .iter()
        .filter(|id| !schema_files.contains(id))
        .map(|id| (cx.repo.rel(*id), *id))
        .filter(|(rel, _)| !is_test_or_script(rel))
        .filter(|(rel, _)| !migration_configs.iter().any(|c| c.as_str() == *rel))
        .flat_map(|(rel, id)| {
            facts
                .env_reads(id)
                .into_iter()
                .flatten()
                .map(move |r| (rel, r))
        })
        .collect();
    // A variable the code tests somewhere (`if (process.env.SENTRY_DSN)`)
    // or gives a real default somewhere (`|| 14`; an empty string is a
    // placeholder, not a default) is optional wherever else it is read.
    let optional_somewhere: BTreeSet<&str> = reads
        .iter()
        .filter(|(_, r)| {
            r.guard || (r.has_default && r.fallback.as_deref().is_none_or(|f| !f.is_empty()))
        })
        .map(|(_, r)| r.name.as_str())
        .collect();
    // name → first read without a default
    let mut missing: BTreeMap<String, Location> = BTreeMap::new();
    // Every variable the app reads, for the root example's relevance.
    let mut read_names: BTreeSet<&str> = BTreeSet::new();
    for (rel, read) in &reads {
        {
            let name = &read.name;
            read_names.insert(name);
            if read.has_default
                || read.optional_use
                || optional_somewhere.contains(name.as_str())
                || provided_by_platform(name)
                || documented.contains(name)
                || schema_optional.contains(name)
                || name.chars().any(|c| c.is_ascii_lowercase())
                || name.len() < 3
            {
                continue;
            }
            missing
                .entry(name.clone())
                .or_insert_with(|| Location::new(*rel, read.line));
        }
    }
    // In a repository of several apps, the root example is this app's only
    // when it documents something the app reads; otherwise it belongs to
    // another app (a server's example says nothing about the client).
    // A repository's only app takes the root example too, unless the app
    // reads none of its variables and a tool does (penpot's root
    // `.env.example` configures `scripts/error-reports.mjs`, not the MCP
    // server in `mcp/packages/server`): then it is the tool's.
    let shares = read_names.iter().any(|n| root_documented.contains(*n));
    if shares
        || (cx.repo.apps.len() == 1
            && !root_examples.is_empty()
            && !read_by_tooling(cx.repo, &root_documented))
    {
        examples.extend(root_examples);
        missing.retain(|name, _| !root_documented.contains(name));
    }
    let first_example = examples.first().copied()?;
    if missing.is_empty() {
        return None;
    }
    Some((index.get(first_example).rel.clone(), missing))
}

fn finding(
    cx: &AppContext,
    example_rel: String,
    missing: BTreeMap<String, Location>,
) -> Vec<Finding> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequelizerc_config_paths() {
        let path = |src: &str| sequelize_config_path(&tokenize(src, Lang::Js));
        assert_eq!(
            path(
                "module.exports = {\n  'config': path.resolve('server/config', 'database.js'),\n}"
            ),
            Some("server/config/database.js".to_string())
        );
        assert_eq!(
            path("module.exports = { config: path.join(__dirname, 'db', 'config.js') };"),
            Some("db/config.js".to_string())
        );
        assert_eq!(
            path("module.exports = { config: 'config/db.json' };"),
            Some("config/db.json".to_string())
        );
        assert_eq!(path("module.exports = { 'migrations-path': 'm' };"), None);
    }
}
