//! apm-sdk-not-initialized: an error-tracking/APM SDK is a dependency, but
//! nothing starts it.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::observability::evidence::{
    any_code_file, any_shared_js_file, app_code_files, ops_mention,
};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "apm-sdk-not-initialized",
        code: "SW302",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "APM/error-tracking SDK installed but never initialised",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app whose manifest declares an error-tracking or APM SDK that
nothing in the repository starts:
- Sentry for JavaScript (`@sentry/nextjs`, `@sentry/node`, `@sentry/nestjs`,
  `@sentry/remix`, `@sentry/sveltekit`, `@sentry/nuxt`, `@sentry/react`, …):
  no `Sentry.init(…)` (or `init(…)` imported from `@sentry/*`) in the app's
  code, the workspace packages it uses or shared code outside every app, no `--import @sentry/node/preload`
  in its start scripts, and for Next.js none of `instrumentation.ts`,
  `sentry.server.config.ts`, `sentry.client.config.ts`,
  `instrumentation-client.ts`;
- Node agents that must be loaded to do anything (`dd-trace`, `newrelic`,
  `@opentelemetry/sdk-node`, `@opentelemetry/auto-instrumentations-node`,
  `elastic-apm-node`, `@appsignal/nodejs`, `@highlight-run/node`): the package
  is imported nowhere and no script, Dockerfile, compose file, Procfile,
  Kubernetes manifest or env example names it (`node -r dd-trace/init`,
  `NODE_OPTIONS=--require newrelic`);
- Python `sentry-sdk` without `sentry_sdk.init(…)`; Ruby `sentry-ruby` /
  `sentry-rails` without `Sentry.init` (sentry-rails does not start on its
  own; the legacy `sentry-raven` configured itself from `SENTRY_DSN` and is
  not reported); Go `sentry-go` without `sentry.Init(…)`.

SDKs that start from configuration alone (Spring Boot starters, Laravel
service providers, New Relic's and AppSignal's Ruby agents) and
`@sentry/astro` (configured as an Astro integration) are not reported.

## Why is this bad?
The SDK is shipped and the team believes errors are tracked, but an SDK
that was never initialised sends nothing: `captureException` calls are
dropped silently and production crashes go unseen.

## Example
### Reported
`@sentry/nextjs` is installed and errors are captured, but no file
initialises the SDK:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@sentry/nextjs": "9.1.0" } }
```

```tsx file=app/error.tsx
"use client";
import * as Sentry from "@sentry/nextjs";
export default function Error({ error }: { error: Error }) {
  Sentry.captureException(error);
  return <p>Something went wrong</p>;
}
```

### Not reported
```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@sentry/nextjs": "9.1.0" } }
```

```ts file=sentry.server.config.ts
import * as Sentry from "@sentry/nextjs";
Sentry.init({ dsn: process.env.SENTRY_DSN });
```

### Not reported
An Express app that loads Datadog's tracer from its start script:

```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node -r dd-trace/init server.js" }, "dependencies": { "express": "4.21.0", "dd-trace": "5.0.0" } }
```

```js file=server.js
const app = require("express")();
app.listen(3000);
```

## Fix
Initialise the SDK where the vendor says, before the app serves requests:
for Next.js run `npx @sentry/wizard@latest -i nextjs` (it writes
`instrumentation.ts`, `sentry.server.config.ts`, `sentry.edge.config.ts`,
`instrumentation-client.ts` and wraps next.config); for Node servers call
`Sentry.init` in an `instrument.js` loaded with `node --import`; load agents
with `node -r dd-trace/init` / `-r newrelic`; call `sentry_sdk.init(...)` in
Django settings or before the app object; add
`config/initializers/sentry.rb` with `Sentry.init`. Or remove the unused
dependency.
"#;

/// Sentry's JavaScript SDKs that need `init` (build plugins, types and
/// the Astro/Cloudflare wrappers, which configure through other calls, are
/// not listed).
const SENTRY_JS_SDKS: &[&str] = &[
    "@sentry/nextjs",
    "@sentry/node",
    "@sentry/nestjs",
    "@sentry/bun",
    "@sentry/remix",
    "@sentry/react-router",
    "@sentry/sveltekit",
    "@sentry/nuxt",
    "@sentry/aws-serverless",
    "@sentry/google-cloud-serverless",
    "@sentry/serverless",
    "@sentry/react",
    "@sentry/browser",
    "@sentry/vue",
    "@sentry/angular",
    "@sentry/svelte",
];

/// Node agents that do nothing unless the code imports them or the start
/// command preloads them.
const NODE_AGENTS: &[(&str, &str)] = &[
    ("dd-trace", "Datadog"),
    ("newrelic", "New Relic"),
    ("@opentelemetry/sdk-node", "OpenTelemetry"),
    ("@opentelemetry/auto-instrumentations-node", "OpenTelemetry"),
    ("elastic-apm-node", "Elastic APM"),
    ("@appsignal/nodejs", "AppSignal"),
    ("@highlight-run/node", "Highlight"),
];

/// Files whose presence means `@sentry/nextjs` is set up (the wizard's).
const NEXT_SENTRY_FILES: &[&str] = &[
    "instrumentation",
    "instrumentation-client",
    "sentry.server.config",
    "sentry.client.config",
    "sentry.edge.config",
];

fn check(cx: &AppContext) -> Vec<Finding> {
    match cx.app.ecosystem {
        Ecosystem::Node => check_node(cx),
        Ecosystem::Python => check_python(cx),
        Ecosystem::Ruby => check_ruby(cx),
        Ecosystem::Go => check_go(cx),
        _ => Vec::new(),
    }
}

/// The app's own package.json entry for a package (hoisted or workspace
/// dependencies are reported in their own package).
fn own_node_dependency(cx: &AppContext, package: &str) -> Option<Location> {
    let id = cx.app.manifest;
    let pkg = cx.repo.facts.package_json(id)?;
    pkg.has_dependency(package)
        .then(|| Location::new(cx.repo.index.get(id).rel.clone(), pkg.line_of_key(package)))
}

fn check_node(cx: &AppContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    let sentry: Vec<(&str, Location)> = SENTRY_JS_SDKS
        .iter()
        .filter_map(|p| own_node_dependency(cx, p).map(|l| (*p, l)))
        .collect();
    let agents: Vec<(&str, &str, Location)> = NODE_AGENTS
        .iter()
        .filter_map(|(p, v)| own_node_dependency(cx, p).map(|l| (*p, *v, l)))
        .collect();
    if sentry.is_empty() && agents.is_empty() {
        return findings;
    }
    // The app's code, its workspace packages, and shared code outside every
    // app (a monorepo's `packages/observability` imported by path).
    // The app's own files first: the shared ones (every package of a
    // monorepo) are read only when the app's own code does not answer.
    // Workspace packages and shared code are asked once per audit, not
    // once per app that uses them.
    let facts = cx.repo.facts;
    let any_file = |key: &'static str, variant: &str, question: &dyn Fn(FileId) -> bool| {
        any_code_file(cx, key, variant, question) || any_shared_js_file(cx, key, variant, question)
    };
    if let Some((sdk, location)) = sentry.first() {
        let next = *sdk == "@sentry/nextjs";
        let setup_file = next && next_sentry_file(cx).is_some();
        let initialised = setup_file
            || any_file("initialises Sentry", "", &|id| {
                // Only a file that imports `@sentry/…` can initialise it.
                facts.source_code(id, &["@sentry/"]).is_some_and(|src| {
                    src.imports().iter().any(|(m, _)| m.starts_with("@sentry/"))
                        && !src.calls("init").is_empty()
                })
            })
            || ops_mention(
                cx,
                &["@sentry/node/preload", "@sentry/node", "@sentry/nestjs"],
            )
            .is_some();
        if !initialised {
            findings.push(sentry_finding(cx, sdk, location.clone()));
        }
    }
    for (package, vendor, location) in agents {
        let imported = any_file("imports a package", package, &|id| {
            facts
                .source_code(id, &[package])
                .is_some_and(|src| src.imports_module(package))
        });
        if imported || ops_mention(cx, &[package]).is_some() {
            continue;
        }
        let preload = match package {
            "dd-trace" => "dd-trace/init",
            "@opentelemetry/auto-instrumentations-node" => {
                "@opentelemetry/auto-instrumentations-node/register"
            }
            other => other,
        };
        let message = format!(
            "{} is a dependency in {}, but no file imports it and no start script, Dockerfile, compose file or manifest loads it (`node -r {preload}` / `NODE_OPTIONS`).",
            code(package),
            code(location.path.rsplit('/').next().unwrap_or("package.json")),
        );
        let fix = format!(
            "Load the {vendor} agent before the app's own modules: `node --require {preload} server.js` in the start script (or `NODE_OPTIONS=\"--require {preload}\"` in the container), or import it as the first line of the entry point; otherwise remove the unused dependency."
        );
        findings.push(RULE.meta.finding(
            Some(cx.app),
            message,
            format!("No {vendor} data leaves the app: errors, traces and slow requests in production are not recorded, although the dependency suggests they are."),
            fix,
            vec![location],
        ));
    }
    findings
}

/// The first of the Sentry wizard's Next.js files in the app (root or `src/`).
fn next_sentry_file(cx: &AppContext) -> Option<FileId> {
    cx.files_of_kind(FileKind::JsSource).find(|id| {
        let file = cx.repo.index.get(*id);
        let dir = file.dir();
        let inner = dir.strip_prefix(cx.app.dir()).unwrap_or(dir);
        let inner = inner.trim_start_matches('/');
        let stem = file
            .name()
            .rsplit_once('.')
            .map(|(s, _)| s)
            .unwrap_or(file.name());
        (inner.is_empty() || inner == "src") && NEXT_SENTRY_FILES.contains(&stem)
    })
}

fn sentry_finding(cx: &AppContext, sdk: &str, location: Location) -> Finding {
    let manifest = location
        .path
        .rsplit('/')
        .next()
        .unwrap_or("package.json")
        .to_string();
    let (message, fix) = if cx.app.framework() == Framework::NextJs && sdk == "@sentry/nextjs" {
        (
            format!(
                "{} is a dependency in {}, but the app has no `instrumentation.ts`, `sentry.server.config.ts`, `sentry.client.config.ts` or `instrumentation-client.ts`, and no `Sentry.init(…)` call anywhere.",
                code(sdk),
                code(&manifest)
            ),
            "Run `npx @sentry/wizard@latest -i nextjs`, or add `instrumentation.ts` whose `register()` imports `sentry.server.config.ts` / `sentry.edge.config.ts` (each calling `Sentry.init({ dsn: process.env.SENTRY_DSN })`) and exports `onRequestError = Sentry.captureRequestError`, client init in `instrumentation-client.ts` (`sentry.client.config.ts` before Next 15.3), and wrap next.config in `withSentryConfig`.".to_string(),
        )
    } else {
        (
            format!(
                "{} is a dependency in {}, but no `Sentry.init(…)` call exists in the app's code and no start script preloads it (`--import @sentry/node/preload`).",
                code(sdk),
                code(&manifest)
            ),
            format!(
                "Call `Sentry.init({{ dsn: process.env.SENTRY_DSN }})` from {} in a module loaded before the app (`instrument.js` with `node --import ./instrument.js`), or remove the unused dependency.",
                code(sdk)
            ),
        )
    };
    RULE.meta.finding(
        Some(cx.app),
        message,
        "The SDK is shipped but never started: exceptions are not reported and `captureException` calls are silently dropped, so production crashes go unseen while the team believes they are tracked.".to_string(),
        fix,
        vec![location],
    )
}

/// Where a non-Node dependency is declared for production (not a dev
/// group), in the app's manifests.
fn declared(cx: &AppContext, package: &str) -> Option<Location> {
    let kinds: &[FileKind] = match cx.app.ecosystem {
        Ecosystem::Python => &[
            FileKind::Requirements,
            FileKind::PyProject,
            FileKind::Pipfile,
        ],
        Ecosystem::Ruby => &[FileKind::Gemfile],
        Ecosystem::Go => &[FileKind::GoMod],
        _ => return None,
    };
    let index = cx.repo.index;
    kinds
        .iter()
        .flat_map(|k| cx.files_of_kind(*k).collect::<Vec<_>>())
        .filter(|id| {
            // requirements-dev.txt, requirements/test.txt: not production.
            let rel = index.get(*id).rel.to_ascii_lowercase();
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            !["dev", "test", "local", "lint", "docs", "ci"]
                .iter()
                .any(|w| name.split(['-', '_', '.']).any(|p| p == *w))
        })
        .find_map(|id| {
            let m = cx.repo.facts.manifest(id)?;
            let dep = m.dependencies.get(package)?;
            (!dep.dev).then(|| Location::new(index.get(id).rel.clone(), m.line_of(package)))
        })
}

fn check_python(cx: &AppContext) -> Vec<Finding> {
    let Some(location) = declared(cx, "sentry-sdk") else {
        return Vec::new();
    };
    let facts = cx.repo.facts;
    let initialised = app_code_files(cx).iter().any(|id| {
        facts.source_code(*id, &["sentry_sdk"]).is_some_and(|src| {
            src.imports_module("sentry_sdk")
                && !(src.calls("init").is_empty() && src.calls("Client").is_empty())
        })
    });
    if initialised {
        return Vec::new();
    }
    let fix = match cx.app.framework() {
        Framework::Django => "Call `sentry_sdk.init(dsn=os.environ[\"SENTRY_DSN\"], send_default_pii=False)` in the production settings module; the Django integration is enabled automatically.",
        _ => "Call `sentry_sdk.init(dsn=os.environ[\"SENTRY_DSN\"])` before the app object is created (the framework integration is enabled automatically).",
    };
    vec![RULE.meta.finding(
        Some(cx.app),
        format!(
            "`sentry-sdk` is a dependency in {}, but no module calls `sentry_sdk.init(…)`.",
            code(location.path.rsplit('/').next().unwrap_or(&location.path))
        ),
        "The SDK is installed but never started: exceptions are not reported and production crashes go unseen while the team believes they are tracked.".to_string(),
        format!("{fix} Or remove the unused dependency."),
        vec![location],
    )]
}

fn check_ruby(cx: &AppContext) -> Vec<Finding> {
    if declared(cx, "sentry-raven").is_some() {
        return Vec::new();
    }
    let Some(location) = declared(cx, "sentry-rails").or_else(|| declared(cx, "sentry-ruby"))
    else {
        return Vec::new();
    };
    let facts = cx.repo.facts;
    let initialised = cx.source_files().iter().any(|id| {
        facts
            .source_code(*id, &["Sentry"])
            .is_some_and(|src| !src.member_refs("Sentry", "init").is_empty())
    });
    if initialised {
        return Vec::new();
    }
    vec![RULE.meta.finding(
        Some(cx.app),
        "The `Gemfile` has Sentry's gems, but no `Sentry.init` exists (sentry-rails does not start without it; expected in `config/initializers/sentry.rb`).".to_string(),
        "The SDK is installed but never started: exceptions are not reported and production crashes go unseen while the team believes they are tracked.".to_string(),
        "Add `config/initializers/sentry.rb` with `Sentry.init { |config| config.dsn = ENV[\"SENTRY_DSN\"]; config.breadcrumbs_logger = [:active_support_logger, :http_logger] }`, or remove the unused gems.".to_string(),
        vec![location],
    )]
}

fn check_go(cx: &AppContext) -> Vec<Finding> {
    const MODULE: &str = "github.com/getsentry/sentry-go";
    let Some(location) = declared(cx, MODULE) else {
        return Vec::new();
    };
    let facts = cx.repo.facts;
    let initialised = cx.source_files().iter().any(|id| {
        facts
            .source_code(*id, &[MODULE])
            .is_some_and(|src| src.has_ident("ClientOptions"))
    });
    if initialised {
        return Vec::new();
    }
    vec![RULE.meta.finding(
        Some(cx.app),
        "`github.com/getsentry/sentry-go` is required in `go.mod`, but no file calls `sentry.Init(…)` or creates a client (`sentry.NewClient`).".to_string(),
        "The SDK is linked but never started: `sentry.CaptureException` calls are dropped and production errors go unseen.".to_string(),
        "Call `sentry.Init(sentry.ClientOptions{Dsn: os.Getenv(\"SENTRY_DSN\")})` at the start of `main` and `defer sentry.Flush(2 * time.Second)`, or remove the unused module.".to_string(),
        vec![location],
    )]
}
