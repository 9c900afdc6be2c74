//! apm-sdk-missing: an error-tracking/APM variable is declared, its SDK is not installed.

use crate::apps::App;
use crate::facts::env_file::EnvVar;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::Framework;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "apm-sdk-missing",
        code: "SW301",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "Missing Sentry/APM SDK",
        wording: Wording::IssueImpactFix,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app whose env example file (`env.example`, `.env.example`,
`.env.sample`, `.env.template`, `.env.dist`, `example.env`, …) declares an
error-tracking or APM variable — Sentry (`*SENTRY_DSN`), Datadog
(`DD_API_KEY`), New Relic (`NEW_RELIC_LICENSE_KEY`), OpenTelemetry
(`OTEL_EXPORTER_OTLP_ENDPOINT`), Honeybadger, Bugsnag, Rollbar, AppSignal,
Elastic APM, Airbrake, Raygun — while the app's dependencies (its own, its
workspace packages', the workspace root's) lack an SDK of that vendor that
instruments its framework. For Next.js that is `@sentry/nextjs`:
`@sentry/react` alone does not instrument the server.

## Why is this bad?
The team believes errors are tracked — the variable is even documented — but
nothing reports them: production crashes go unseen until users complain.

## Example
Reported: `env.example` has `NEXT_PUBLIC_SENTRY_DSN=` and `package.json` has
no `@sentry/nextjs`.

Not reported: the same app with `@sentry/nextjs` in `dependencies`; or an env
example without any APM variable.

## Fix
Install the vendor's SDK for the framework (`npm install @sentry/nextjs`, or
`npx @sentry/wizard@latest -i nextjs`) and initialise it, reading the DSN from
the declared variable.
"#;

/// An error-tracking/APM vendor: how its variables are named and which
/// packages instrument a server.
struct Vendor {
    name: &'static str,
    is_variable: fn(&str) -> bool,
    /// Any of these packages (exact names, or prefixes ending in `/`)
    /// satisfies the vendor for frameworks not listed in `framework_sdks`.
    server_sdks: &'static [&'static str],
    /// Framework-specific SDKs: for these frameworks only they count.
    framework_sdks: &'static [(Framework, &'static [&'static str])],
    /// What to install, by framework (first match) or in general.
    suggest: fn(Framework) -> &'static str,
}

const SENTRY_GENERIC: &[&str] = &[
    "@sentry/node",
    "@sentry/bun",
    "@sentry/aws-serverless",
    "@sentry/google-cloud-serverless",
    "@sentry/serverless",
    "@sentry/cloudflare",
    "@sentry/nestjs",
    "raven",
];

const VENDORS: &[Vendor] = &[
    Vendor {
        name: "Sentry",
        is_variable: |v| v.ends_with("SENTRY_DSN"),
        server_sdks: SENTRY_GENERIC,
        framework_sdks: &[
            (Framework::NextJs, &["@sentry/nextjs"]),
            (Framework::Nuxt, &["@sentry/nuxt", "@sentry/node"]),
            (Framework::Remix, &["@sentry/remix", "@sentry/node"]),
            (
                Framework::ReactRouter,
                &["@sentry/react-router", "@sentry/remix", "@sentry/node"],
            ),
            (Framework::SvelteKit, &["@sentry/sveltekit", "@sentry/node"]),
            (Framework::Astro, &["@sentry/astro", "@sentry/node"]),
        ],
        suggest: |f| match f {
            Framework::NextJs => "@sentry/nextjs",
            Framework::Nuxt => "@sentry/nuxt",
            Framework::Remix => "@sentry/remix",
            Framework::ReactRouter => "@sentry/react-router",
            Framework::SvelteKit => "@sentry/sveltekit",
            Framework::Astro => "@sentry/astro",
            Framework::NestJs => "@sentry/nestjs",
            _ => "@sentry/node",
        },
    },
    Vendor {
        name: "Datadog",
        is_variable: |v| v == "DD_API_KEY" || v == "DATADOG_API_KEY",
        server_sdks: &["dd-trace", "@datadog/", "datadog-metrics", "hot-shots"],
        framework_sdks: &[],
        suggest: |_| "dd-trace",
    },
    Vendor {
        name: "New Relic",
        is_variable: |v| v == "NEW_RELIC_LICENSE_KEY" || v == "NEWRELIC_LICENSE_KEY",
        server_sdks: &["newrelic", "@newrelic/"],
        framework_sdks: &[],
        suggest: |_| "newrelic",
    },
    Vendor {
        name: "OpenTelemetry",
        is_variable: |v| v.starts_with("OTEL_EXPORTER_OTLP") && v.ends_with("ENDPOINT"),
        server_sdks: &[
            "@opentelemetry/",
            "@vercel/otel",
            "dd-trace",
            "@highlight-run/",
            "@sentry/",
            "@traceloop/",
            "@honeycombio/",
        ],
        framework_sdks: &[],
        suggest: |f| match f {
            Framework::NextJs => "@vercel/otel",
            _ => "@opentelemetry/auto-instrumentations-node",
        },
    },
    Vendor {
        name: "Honeybadger",
        is_variable: |v| v.ends_with("HONEYBADGER_API_KEY"),
        server_sdks: &["@honeybadger-io/"],
        framework_sdks: &[],
        suggest: |f| match f {
            Framework::NextJs => "@honeybadger-io/nextjs",
            _ => "@honeybadger-io/js",
        },
    },
    Vendor {
        name: "Bugsnag",
        is_variable: |v| v.ends_with("BUGSNAG_API_KEY"),
        server_sdks: &["@bugsnag/", "bugsnag"],
        framework_sdks: &[],
        suggest: |_| "@bugsnag/js",
    },
    Vendor {
        name: "Rollbar",
        is_variable: |v| v.starts_with("ROLLBAR_") && v.ends_with("TOKEN"),
        server_sdks: &["rollbar", "@rollbar/"],
        framework_sdks: &[],
        suggest: |_| "rollbar",
    },
    Vendor {
        name: "AppSignal",
        is_variable: |v| v == "APPSIGNAL_PUSH_API_KEY",
        server_sdks: &["@appsignal/"],
        framework_sdks: &[],
        suggest: |_| "@appsignal/nodejs",
    },
    Vendor {
        name: "Elastic APM",
        is_variable: |v| v == "ELASTIC_APM_SERVER_URL",
        server_sdks: &["elastic-apm-node", "@elastic/apm-rum"],
        framework_sdks: &[],
        suggest: |_| "elastic-apm-node",
    },
    Vendor {
        name: "Airbrake",
        is_variable: |v| v == "AIRBRAKE_PROJECT_KEY",
        server_sdks: &["@airbrake/"],
        framework_sdks: &[],
        suggest: |_| "@airbrake/node",
    },
    Vendor {
        name: "Raygun",
        is_variable: |v| v.ends_with("RAYGUN_API_KEY"),
        server_sdks: &["raygun", "raygun4js"],
        framework_sdks: &[],
        suggest: |_| "raygun",
    },
];

impl Vendor {
    fn accepted_sdks(&self, framework: Framework) -> &'static [&'static str] {
        self.framework_sdks
            .iter()
            .find(|(f, _)| *f == framework)
            .map(|(_, sdks)| *sdks)
            .unwrap_or(self.server_sdks)
    }

    fn satisfied_by(&self, app: &App) -> bool {
        let accepted = self.accepted_sdks(app.framework());
        app.dependencies.iter().any(|dep| {
            accepted.iter().any(|sdk| {
                if sdk.ends_with('/') {
                    dep.starts_with(sdk)
                } else {
                    dep == sdk
                }
            })
        })
    }

    /// The vendor's packages the app does have, to explain why they are not enough.
    fn partial_sdks<'a>(&self, app: &'a App) -> Vec<&'a str> {
        let family = match self.name {
            "Sentry" => "@sentry/",
            _ => return Vec::new(),
        };
        app.dependencies
            .iter()
            .filter(|d| d.starts_with(family))
            .map(String::as_str)
            .collect()
    }
}

/// Env example files that speak for the app: its own, and in a monorepo the
/// root's (which documents variables for every app).
fn env_examples(cx: &AppContext) -> Vec<FileId> {
    let mut files: Vec<FileId> = cx.files_of_kind(FileKind::EnvExample).collect();
    if cx.app.path != "." {
        files.extend(
            cx.repo
                .index
                .of_kind(FileKind::EnvExample)
                .iter()
                .copied()
                .filter(|id| cx.repo.index.get(*id).dir().is_empty()),
        );
    }
    files
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    let mut findings = Vec::new();
    for vendor in VENDORS {
        if vendor.satisfied_by(app) {
            continue;
        }
        let Some((file, var, is_root_file)) = env_examples(cx).into_iter().find_map(|id| {
            let env = cx.repo.facts.env_file(id)?;
            let var = env.vars.iter().find(|v| (vendor.is_variable)(&v.name))?;
            let is_root = app.path != "." && cx.repo.index.get(id).dir().is_empty();
            Some((id, var.clone(), is_root))
        }) else {
            continue;
        };
        // A root env example documents every app of a monorepo: when another
        // app has the SDK, the variable is there for that app.
        if is_root_file
            && cx
                .repo
                .apps
                .iter()
                .any(|other| other.path != app.path && vendor.satisfied_by(other))
        {
            continue;
        }
        findings.push(finding(cx, vendor, file, &var));
    }
    findings
}

fn finding(cx: &AppContext, vendor: &Vendor, file: FileId, var: &EnvVar) -> Finding {
    let app = cx.app;
    let framework = app.framework();
    let sdk = (vendor.suggest)(framework);
    let env_rel = cx.repo.index.get(file).rel.clone();
    let manifest_rel = cx.repo.index.get(app.manifest).rel.clone();
    let env_name = env_rel.rsplit('/').next().unwrap_or(&env_rel).to_string();
    let partial = vendor.partial_sdks(app);
    let mut message = format!(
        "{} lists {}, but {} is NOT in {} dependencies.",
        code(&env_name),
        code(&var.name),
        code(sdk),
        code("package.json")
    );
    if !partial.is_empty() {
        let list = partial
            .iter()
            .map(|p| code(p))
            .collect::<Vec<_>>()
            .join(", ");
        message.push_str(&format!(
            " The app has {list}, which does not instrument the {} server.",
            framework.label()
        ));
    }
    let fix = match (vendor.name, framework) {
        ("Sentry", Framework::NextJs) => format!(
            "`{}` (or `npx @sentry/wizard@latest -i nextjs`) and configure `instrumentation.ts` with `sentry.server.config.ts` / `sentry.edge.config.ts`, client init in `instrumentation-client.ts` (`sentry.client.config.ts` before Next 15.3), `app/global-error.tsx`, and wrap next.config in `withSentryConfig`, reading the DSN from `{}`.",
            cx.add_command(sdk),
            var.name
        ),
        ("Sentry", _) => format!(
            "`{}` and call `Sentry.init({{ dsn: process.env.{} }})` in a file loaded before the app (`node --import ./instrument.mjs`).",
            cx.add_command(sdk),
            var.name
        ),
        (name, _) => format!(
            "`{}` and initialise the {name} SDK before the app starts, reading `{}` from the environment.",
            cx.add_command(sdk),
            var.name
        ),
    };
    let mut locations = vec![Location::new(env_rel, var.line)];
    let manifest_line = cx
        .repo
        .facts
        .package_json(app.manifest)
        .map(|p| p.line_of_key("dependencies"))
        .unwrap_or(1);
    locations.push(Location::new(manifest_rel, manifest_line));
    RULE.meta.finding(
        Some(app),
        message,
        "Blindness to runtime errors in production. You won't know when users are crashing."
            .to_string(),
        fix,
        locations,
    )
}
