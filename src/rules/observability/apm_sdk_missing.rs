//! apm-sdk-missing: an error-tracking/APM variable is declared, its SDK is not installed.

use crate::apps::App;
use crate::facts::env_file::EnvVar;
use crate::facts::lockfile;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "apm-sdk-missing",
        code: "SW301",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "Missing Sentry/APM SDK",
        wording: Wording::IssueImpactFix,
        fixable: true,
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
`@sentry/react` alone does not instrument the server. An SDK that the app's
lockfile installs for production (`package-lock.json`, `yarn.lock`,
`pnpm-lock.yaml`, `composer.lock`, `poetry.lock`, `uv.lock`, beside the app
or at the workspace root; `Pipfile.lock` and `Gemfile.lock` beside the app)
counts too: a team's wrapper package or a sibling package of a composer path
repository brings it in without the manifest naming it. A root env example
does not speak for a nested app when the root's own manifest installs the
vendor's SDK.

## Why is this bad?
The team believes errors are tracked — the variable is even documented — but
nothing reports them: production crashes go unseen until users complain.

## Example
### Reported
The env example declares a Sentry DSN; no Sentry SDK is installed:

```bash file=env.example
DATABASE_URL=postgresql://localhost:5432/shop
NEXT_PUBLIC_SENTRY_DSN=
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0" } }
```

### Not reported
```bash file=env.example
NEXT_PUBLIC_SENTRY_DSN=
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@sentry/nextjs": "9.1.0" } }
```

## Fix
Install the vendor's SDK for the framework (`npm install @sentry/nextjs`, or
`npx @sentry/wizard@latest -i nextjs`) and initialise it, reading the DSN from
the declared variable.
"#;

/// An error-tracking/APM vendor: how its variables are named and which
/// packages instrument a server, per ecosystem.
struct Vendor {
    name: &'static str,
    is_variable: fn(&str) -> bool,
    /// SDKs per ecosystem: exact names, or prefixes ending in `/` or `:`.
    /// An ecosystem not listed cannot be checked (agent-based products such
    /// as New Relic's PHP extension or Datadog's Java agent need no
    /// dependency), so it is never reported.
    sdks: &'static [(Ecosystem, &'static [&'static str])],
    /// Framework-specific SDKs: for these frameworks only they count.
    framework_sdks: &'static [(Framework, &'static [&'static str])],
    /// What to install for a framework.
    suggest: fn(Framework) -> &'static str,
}

const VENDORS: &[Vendor] = &[
    Vendor {
        name: "Sentry",
        // SENTRY_DSN, NEXT_PUBLIC_SENTRY_DSN, SENTRY_LARAVEL_DSN, …
        is_variable: |v| {
            v.ends_with("SENTRY_DSN") || (v.starts_with("SENTRY_") && v.ends_with("_DSN"))
        },
        sdks: &[
            (
                Ecosystem::Node,
                &[
                    "@sentry/node",
                    "@sentry/bun",
                    "@sentry/aws-serverless",
                    "@sentry/google-cloud-serverless",
                    "@sentry/serverless",
                    "@sentry/cloudflare",
                    "@sentry/nestjs",
                    "raven",
                ],
            ),
            (Ecosystem::Python, &["sentry-sdk", "raven"]),
            (Ecosystem::Ruby, &["sentry-ruby", "sentry-raven"]),
            (Ecosystem::Php, &["sentry/sentry", "sentry/sdk"]),
            (Ecosystem::Java, &["io.sentry:"]),
            (Ecosystem::Go, &["github.com/getsentry/sentry-go"]),
            (Ecosystem::Rust, &["sentry"]),
            (
                Ecosystem::Dotnet,
                &[
                    "sentry",
                    "sentry.aspnetcore",
                    "sentry.extensions.logging",
                    "sentry.serilog",
                    "sentry.nlog",
                    "sentry.opentelemetry",
                ],
            ),
            (Ecosystem::Elixir, &["sentry"]),
        ],
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
            (Framework::Rails, &["sentry-rails", "sentry-raven"]),
            (Framework::Laravel, &["sentry/sentry-laravel"]),
            (Framework::Symfony, &["sentry/sentry-symfony"]),
        ],
        suggest: |f| match f {
            Framework::NextJs => "@sentry/nextjs",
            Framework::Nuxt => "@sentry/nuxt",
            Framework::Remix => "@sentry/remix",
            Framework::ReactRouter => "@sentry/react-router",
            Framework::SvelteKit => "@sentry/sveltekit",
            Framework::Astro => "@sentry/astro",
            Framework::NestJs => "@sentry/nestjs",
            Framework::Rails => "sentry-rails",
            Framework::Laravel => "sentry/sentry-laravel",
            Framework::Symfony => "sentry/sentry-symfony",
            Framework::SpringBoot => "io.sentry:sentry-spring-boot-starter-jakarta",
            f => match f.ecosystem() {
                Ecosystem::Python => "sentry-sdk",
                Ecosystem::Ruby => "sentry-ruby",
                Ecosystem::Php => "sentry/sentry",
                Ecosystem::Java => "io.sentry:sentry",
                Ecosystem::Go => "github.com/getsentry/sentry-go",
                Ecosystem::Rust => "sentry",
                Ecosystem::Dotnet => "Sentry.AspNetCore",
                Ecosystem::Elixir => "sentry",
                Ecosystem::Node => "@sentry/node",
            },
        },
    },
    Vendor {
        name: "Datadog",
        is_variable: |v| v == "DD_API_KEY" || v == "DATADOG_API_KEY",
        sdks: &[
            (
                Ecosystem::Node,
                &["dd-trace", "@datadog/", "datadog-metrics", "hot-shots"],
            ),
            (Ecosystem::Python, &["ddtrace", "datadog"]),
            (Ecosystem::Ruby, &["ddtrace", "datadog", "dogstatsd-ruby"]),
            (
                Ecosystem::Go,
                &["gopkg.in/DataDog/dd-trace-go.v1", "github.com/DataDog/"],
            ),
            (
                Ecosystem::Dotnet,
                &[
                    "datadog.trace",
                    "datadog.trace.bundle",
                    "datadog.trace.opentracing",
                ],
            ),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Dotnet => "Datadog.Trace.Bundle",
            Ecosystem::Python => "ddtrace",
            Ecosystem::Ruby => "datadog",
            Ecosystem::Go => "github.com/DataDog/dd-trace-go/v2",
            _ => "dd-trace",
        },
    },
    Vendor {
        name: "New Relic",
        is_variable: |v| v == "NEW_RELIC_LICENSE_KEY" || v == "NEWRELIC_LICENSE_KEY",
        sdks: &[
            (Ecosystem::Node, &["newrelic", "@newrelic/"]),
            (Ecosystem::Python, &["newrelic"]),
            (Ecosystem::Ruby, &["newrelic_rpm"]),
            (
                Ecosystem::Go,
                &[
                    "github.com/newrelic/go-agent/v3",
                    "github.com/newrelic/go-agent",
                ],
            ),
            (Ecosystem::Dotnet, &["newrelic.agent", "newrelic.agent.api"]),
            (Ecosystem::Elixir, &["new_relic_agent"]),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Ruby => "newrelic_rpm",
            Ecosystem::Go => "github.com/newrelic/go-agent/v3",
            Ecosystem::Dotnet => "NewRelic.Agent",
            Ecosystem::Elixir => "new_relic_agent",
            _ => "newrelic",
        },
    },
    Vendor {
        name: "OpenTelemetry",
        is_variable: |v| v.starts_with("OTEL_EXPORTER_OTLP") && v.ends_with("ENDPOINT"),
        sdks: &[
            (
                Ecosystem::Node,
                &[
                    "@opentelemetry/",
                    "@vercel/otel",
                    "dd-trace",
                    "@highlight-run/",
                    "@sentry/",
                    "@traceloop/",
                    "@honeycombio/",
                ],
            ),
            (
                Ecosystem::Python,
                &["opentelemetry-", "logfire", "traceloop-sdk"],
            ),
            (Ecosystem::Ruby, &["opentelemetry-"]),
            (Ecosystem::Php, &["open-telemetry/"]),
            (Ecosystem::Go, &["go.opentelemetry.io/"]),
            (
                Ecosystem::Rust,
                &["opentelemetry", "opentelemetry-otlp", "opentelemetry_sdk"],
            ),
            (
                Ecosystem::Dotnet,
                &[
                    "opentelemetry",
                    "opentelemetry.extensions.hosting",
                    "opentelemetry.exporter.opentelemetryprotocol",
                    "opentelemetry.instrumentation.aspnetcore",
                    "azure.monitor.opentelemetry.aspnetcore",
                ],
            ),
            (
                Ecosystem::Elixir,
                &[
                    "opentelemetry",
                    "opentelemetry_exporter",
                    "opentelemetry_api",
                ],
            ),
        ],
        framework_sdks: &[],
        suggest: |f| match f {
            Framework::NextJs => "@vercel/otel",
            f => match f.ecosystem() {
                Ecosystem::Python => "opentelemetry-distro",
                Ecosystem::Ruby => "opentelemetry-sdk",
                Ecosystem::Php => "open-telemetry/sdk",
                Ecosystem::Go => "go.opentelemetry.io/otel",
                Ecosystem::Rust => "opentelemetry-otlp",
                Ecosystem::Dotnet => "OpenTelemetry.Extensions.Hosting",
                Ecosystem::Elixir => "opentelemetry_exporter",
                _ => "@opentelemetry/auto-instrumentations-node",
            },
        },
    },
    Vendor {
        name: "Honeybadger",
        is_variable: |v| v.ends_with("HONEYBADGER_API_KEY"),
        sdks: &[
            (Ecosystem::Node, &["@honeybadger-io/"]),
            (Ecosystem::Python, &["honeybadger"]),
            (Ecosystem::Ruby, &["honeybadger"]),
            (Ecosystem::Php, &["honeybadger-io/"]),
            (Ecosystem::Go, &["github.com/honeybadger-io/honeybadger-go"]),
            (Ecosystem::Java, &["io.honeybadger:"]),
        ],
        framework_sdks: &[],
        suggest: |f| match f {
            Framework::NextJs => "@honeybadger-io/nextjs",
            Framework::Laravel => "honeybadger-io/honeybadger-laravel",
            f => match f.ecosystem() {
                Ecosystem::Python | Ecosystem::Ruby => "honeybadger",
                Ecosystem::Go => "github.com/honeybadger-io/honeybadger-go",
                _ => "@honeybadger-io/js",
            },
        },
    },
    Vendor {
        name: "Bugsnag",
        is_variable: |v| v.ends_with("BUGSNAG_API_KEY"),
        sdks: &[
            (Ecosystem::Node, &["@bugsnag/", "bugsnag"]),
            (Ecosystem::Python, &["bugsnag"]),
            (Ecosystem::Ruby, &["bugsnag"]),
            (Ecosystem::Php, &["bugsnag/"]),
            (Ecosystem::Java, &["com.bugsnag:"]),
            (
                Ecosystem::Go,
                &[
                    "github.com/bugsnag/bugsnag-go",
                    "github.com/bugsnag/bugsnag-go/v2",
                ],
            ),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Python | Ecosystem::Ruby => "bugsnag",
            Ecosystem::Php => "bugsnag/bugsnag-laravel",
            Ecosystem::Java => "com.bugsnag:bugsnag-spring",
            Ecosystem::Go => "github.com/bugsnag/bugsnag-go/v2",
            _ => "@bugsnag/js",
        },
    },
    Vendor {
        name: "Rollbar",
        is_variable: |v| v.starts_with("ROLLBAR_") && v.ends_with("TOKEN"),
        sdks: &[
            (Ecosystem::Node, &["rollbar", "@rollbar/"]),
            (Ecosystem::Python, &["rollbar"]),
            (Ecosystem::Ruby, &["rollbar"]),
            (Ecosystem::Php, &["rollbar/"]),
            (Ecosystem::Java, &["com.rollbar:"]),
            (Ecosystem::Go, &["github.com/rollbar/rollbar-go"]),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Php => "rollbar/rollbar-laravel",
            Ecosystem::Java => "com.rollbar:rollbar-spring-boot3-webmvc",
            Ecosystem::Go => "github.com/rollbar/rollbar-go",
            _ => "rollbar",
        },
    },
    Vendor {
        name: "AppSignal",
        is_variable: |v| v == "APPSIGNAL_PUSH_API_KEY",
        sdks: &[
            (Ecosystem::Node, &["@appsignal/"]),
            (Ecosystem::Python, &["appsignal"]),
            (Ecosystem::Ruby, &["appsignal"]),
            (Ecosystem::Elixir, &["appsignal", "appsignal_phoenix"]),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Elixir => "appsignal_phoenix",
            Ecosystem::Python | Ecosystem::Ruby => "appsignal",
            _ => "@appsignal/nodejs",
        },
    },
    Vendor {
        name: "Elastic APM",
        is_variable: |v| v == "ELASTIC_APM_SERVER_URL",
        sdks: &[
            (Ecosystem::Node, &["elastic-apm-node", "@elastic/apm-rum"]),
            (Ecosystem::Python, &["elastic-apm"]),
            (Ecosystem::Ruby, &["elastic-apm"]),
            (
                Ecosystem::Go,
                &["go.elastic.co/apm", "go.elastic.co/apm/v2"],
            ),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Python | Ecosystem::Ruby => "elastic-apm",
            Ecosystem::Go => "go.elastic.co/apm/v2",
            _ => "elastic-apm-node",
        },
    },
    Vendor {
        name: "Airbrake",
        is_variable: |v| v == "AIRBRAKE_PROJECT_KEY",
        sdks: &[
            (Ecosystem::Node, &["@airbrake/"]),
            (Ecosystem::Python, &["pybrake"]),
            (Ecosystem::Ruby, &["airbrake"]),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Python => "pybrake",
            Ecosystem::Ruby => "airbrake",
            _ => "@airbrake/node",
        },
    },
    Vendor {
        name: "Raygun",
        is_variable: |v| v.ends_with("RAYGUN_API_KEY"),
        sdks: &[
            (Ecosystem::Node, &["raygun", "raygun4js"]),
            (Ecosystem::Python, &["raygun4py"]),
            (Ecosystem::Ruby, &["raygun4ruby"]),
        ],
        framework_sdks: &[],
        suggest: |f| match f.ecosystem() {
            Ecosystem::Python => "raygun4py",
            Ecosystem::Ruby => "raygun4ruby",
            _ => "raygun",
        },
    },
];

impl Vendor {
    /// The SDKs that count for the app's framework; `None` when this
    /// vendor cannot be checked in the app's ecosystem.
    fn accepted_sdks(&self, framework: Framework) -> Option<&'static [&'static str]> {
        self.framework_sdks
            .iter()
            .find(|(f, _)| *f == framework)
            .map(|(_, sdks)| *sdks)
            .or_else(|| {
                self.sdks
                    .iter()
                    .find(|(e, _)| *e == framework.ecosystem())
                    .map(|(_, sdks)| *sdks)
            })
    }

    /// Whether the app has an SDK (or the vendor cannot be checked there).
    fn satisfied_by(&self, app: &App) -> bool {
        let Some(accepted) = self.accepted_sdks(app.framework()) else {
            return true;
        };
        app.dependencies
            .iter()
            .any(|dep| accepted.iter().any(|sdk| sdk_matches(sdk, dep)))
    }

    /// Whether the app's lockfile (beside its manifest, or the workspace
    /// root's) installs an accepted SDK that the app's own dependencies
    /// pull in: a wrapper package of the team's
    /// (`@gooditworks/monitoring`, `@snapshot-labs/snapshot-sentry`, the
    /// Nuxt module `@nuxtjs/sentry`) or a sibling package of a composer path
    /// repository brings the SDK in without naming it in the app's manifest.
    fn installed_through_lockfile(&self, cx: &AppContext) -> bool {
        let Some(accepted) = self.accepted_sdks(cx.app.framework()) else {
            return true;
        };
        let names: &[&str] = match cx.app.ecosystem {
            Ecosystem::Node => lockfile::NODE_LOCKFILES,
            Ecosystem::Php => lockfile::PHP_LOCKFILES,
            Ecosystem::Python => lockfile::PYTHON_LOCKFILES,
            Ecosystem::Ruby => lockfile::RUBY_LOCKFILES,
            // Go's `go.mod` lists indirect requirements, which are among
            // the app's dependencies already (`satisfied_by`).
            _ => return false,
        };
        let python = cx.app.ecosystem == Ecosystem::Python;
        let dir = if cx.app.path == "." {
            ""
        } else {
            cx.app.path.as_str()
        };
        let mut dirs = vec![dir];
        if !dir.is_empty() {
            dirs.push("");
        }
        dirs.iter()
            .flat_map(|d| {
                names
                    .iter()
                    .map(move |n| (d.is_empty() && !dir.is_empty(), join(d, n)))
            })
            // Pipfile.lock is one Pipfile's install, flattened: a root
            // one is not the nested app's (nor is a root Gemfile.lock: Ruby
            // has no workspaces).
            .filter(|(at_root, rel)| {
                !(*at_root && (rel.ends_with("Pipfile.lock") || rel.ends_with("Gemfile.lock")))
            })
            .filter_map(|(_, rel)| cx.repo.index.find(&rel))
            .any(|id| {
                let rel = cx.repo.index.get(id).rel.clone();
                // A workspace lockfile lists every member's packages: only
                // what this app's own dependencies pull in counts. The
                // packages that pull in an accepted SDK are worked out once
                // per lockfile, vendor and SDK list.
                let key = format!("{rel}\u{0}{}\u{0}{}", self.name, accepted.join(","));
                let reaching = cx.repo.memo("lockfile packages reaching an SDK", &key, || {
                    // A lockfile that never spells an accepted SDK installs
                    // none: its parse (a large pnpm-lock.yaml is most of a
                    // small repository's audit) is skipped.
                    let text = cx.repo.facts.raw_text(id);
                    // (Python names may be spelled with `_` or `.`: `sentry_sdk`.)
                    let spelled = text.as_deref().is_some_and(|text| {
                        accepted.iter().any(|sdk| {
                            text.contains(sdk) || (python && text.contains(&sdk.replace('-', "_")))
                        })
                    });
                    // A large pnpm-lock.yaml is not read: the YAML parser
                    // takes ~50 ms a megabyte on one core (150 ms for
                    // novu's 2.9 MB, more than the rest of its audit), and
                    // its graph only adds published wrapper packages. The
                    // app is then judged from its manifests alone.
                    let too_large = rel.ends_with("pnpm-lock.yaml")
                        && text
                            .as_ref()
                            .is_some_and(|t| t.len() > PNPM_LOCK_READ_LIMIT);
                    if !spelled || too_large {
                        return std::sync::Arc::new(std::collections::BTreeSet::new());
                    }
                    // Parsed from the text just read (a lockfile can be
                    // megabytes), once for all vendors.
                    let installed = cx.repo.memo("lockfile packages", &rel, || {
                        let name = cx.repo.index.get(id).name();
                        std::sync::Arc::new(
                            text.as_deref()
                                .and_then(|t| crate::facts::lockfile::installed(name, t).ok())
                                .unwrap_or_default(),
                        )
                    });
                    std::sync::Arc::new(
                        installed.reaching(|p| accepted.iter().any(|sdk| sdk_matches(sdk, p))),
                    )
                });
                // Python lockfiles hold normalised names (`flask-login`);
                // a requirements file may spell `Flask_Login`.
                cx.app.dependencies.iter().any(|d| {
                    if python {
                        reaching.contains(&crate::facts::manifest::normalize_python(d))
                    } else {
                        reaching.contains(d.as_str())
                    }
                })
            })
    }

    /// Whether `package` is an SDK of this vendor in any ecosystem or for any
    /// framework (used for manifests that are not an app of their own).
    fn names_sdk(&self, package: &str) -> bool {
        self.sdks
            .iter()
            .flat_map(|(_, sdks)| sdks.iter())
            .chain(self.framework_sdks.iter().flat_map(|(_, sdks)| sdks.iter()))
            .any(|sdk| sdk_matches(sdk, package))
    }

    /// The vendor's packages the app does have, to explain why they are not enough.
    fn partial_sdks<'a>(&self, app: &'a App) -> Vec<&'a str> {
        let family = match (self.name, app.ecosystem) {
            ("Sentry", Ecosystem::Node) => "@sentry/",
            ("Sentry", Ecosystem::Ruby | Ecosystem::Php) => "sentry",
            _ => return Vec::new(),
        };
        app.dependencies
            .iter()
            .filter(|d| d.starts_with(family))
            .map(String::as_str)
            .collect()
    }
}

/// The largest pnpm-lock.yaml read for SDKs installed through wrappers
/// (`installed_through_lockfile`).
const PNPM_LOCK_READ_LIMIT: usize = 512 * 1024;

/// Whether a package name is the SDK `sdk`: exact, or under a prefix that
/// ends in `/`, `:` or `-`.
fn sdk_matches(sdk: &str, package: &str) -> bool {
    if sdk.ends_with('/') || sdk.ends_with(':') || sdk.ends_with('-') {
        package.starts_with(sdk)
    } else {
        package == sdk
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether a manifest at the repository root that is not an app of its own
/// (a Remix server seaworthy does not discover, a metapackage) names an SDK
/// of the vendor: the root env example then documents the variable for it.
fn root_manifest_has_sdk(cx: &AppContext, vendor: &Vendor) -> bool {
    cx.repo
        .in_dir(FileKind::PackageJson, "")
        .into_iter()
        .filter_map(|id| cx.repo.facts.package_json(id))
        .any(|p| p.all_dependency_names().any(|d| vendor.names_sdk(d)))
        || [
            FileKind::Requirements,
            FileKind::PyProject,
            FileKind::Pipfile,
            FileKind::Gemfile,
            FileKind::ComposerJson,
            FileKind::GoMod,
        ]
        .into_iter()
        .flat_map(|kind| cx.repo.in_dir(kind, ""))
        .filter_map(|id| cx.repo.facts.manifest(id))
        .any(|m| m.dependencies.keys().any(|d| vendor.names_sdk(d)))
}

/// Whether an env variable belongs to an error-tracking/APM vendor
/// (`SENTRY_DSN`, `DD_API_KEY`, `OTEL_EXPORTER_OTLP_ENDPOINT`, …).
pub(crate) fn is_apm_variable(name: &str) -> bool {
    VENDORS.iter().any(|v| (v.is_variable)(name))
}

/// Env example files that speak for the app: its own, and in a monorepo the
/// root's (which documents variables for every app).
pub(crate) fn env_examples(cx: &AppContext) -> Vec<FileId> {
    let mut files: Vec<FileId> = cx.files_of_kind(FileKind::EnvExample).collect();
    if cx.app.path != "." {
        files.extend(cx.repo.in_dir(FileKind::EnvExample, ""));
    }
    files
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    let mut findings = Vec::new();
    let examples = env_examples(cx);
    for (v, vendor) in VENDORS.iter().enumerate() {
        if vendor.satisfied_by(app) {
            continue;
        }
        // The env examples are asked before the lockfiles: most vendors
        // are named by none of them, and the lockfile question is the
        // costlier one.
        let Some((file, var, is_root_file)) = examples.iter().find_map(|&id| {
            let var = vendor_variables(cx, id)[v].clone()?;
            let is_root = app.path != "." && cx.repo.index.get(id).dir().is_empty();
            Some((id, var, is_root))
        }) else {
            continue;
        };
        if vendor.installed_through_lockfile(cx) {
            continue;
        }
        // A root env example documents every app of a monorepo: when another
        // app has the SDK, the variable is there for that app; so it is when
        // the root's own manifest, an app or not, installs the vendor's SDK.
        if is_root_file && root_manifest_has_sdk(cx, vendor) {
            continue;
        }
        if is_root_file
            && cx
                .repo
                .memo("apps with the vendor's SDK", vendor.name, || {
                    let paths: Vec<String> = cx
                        .repo
                        .apps
                        .iter()
                        .filter(|a| vendor.satisfied_by(a))
                        .map(|a| a.path.clone())
                        .collect();
                    std::sync::Arc::new(paths)
                })
                .iter()
                .any(|path| *path != app.path)
        {
            continue;
        }
        findings.push(finding(cx, vendor, file, &var));
    }
    findings
}

/// The first variable of an env example that names each vendor (in the
/// order of `VENDORS`). A root example is asked by every app of a
/// monorepo: it is read once per audit, not once per app.
fn vendor_variables(cx: &AppContext, id: FileId) -> std::sync::Arc<Vec<Option<EnvVar>>> {
    cx.repo
        .memo("variables naming each vendor", &id.to_string(), || {
            let env = cx.repo.facts.env_file(id);
            std::sync::Arc::new(
                VENDORS
                    .iter()
                    .map(|vendor| {
                        env?.vars
                            .iter()
                            .find(|v| (vendor.is_variable)(&v.name))
                            .cloned()
                    })
                    .collect(),
            )
        })
}

fn finding(cx: &AppContext, vendor: &Vendor, file: FileId, var: &EnvVar) -> Finding {
    let app = cx.app;
    let framework = app.framework();
    let sdk = (vendor.suggest)(framework);
    let env_rel = cx.repo.index.get(file).rel.clone();
    let manifest_rel = cx.repo.index.get(app.manifest).rel.clone();
    let env_name = env_rel.rsplit('/').next().unwrap_or(&env_rel).to_string();
    let manifest_name = manifest_rel
        .rsplit('/')
        .next()
        .unwrap_or(&manifest_rel)
        .to_string();
    let partial = vendor.partial_sdks(app);
    let mut message = format!(
        "{} lists {}, but {} is NOT in {} dependencies.",
        code(&env_name),
        code(&var.name),
        code(sdk),
        code(&manifest_name)
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
        ("Sentry", Framework::Django) => format!(
            "`{}` and call `sentry_sdk.init(dsn=os.environ[\"{}\"])` in settings; the Django integration is enabled automatically.",
            cx.add_command(sdk),
            var.name
        ),
        ("Sentry", Framework::FastApi | Framework::Flask | Framework::Starlette | Framework::Litestar | Framework::Quart) => format!(
            "`{}` and call `sentry_sdk.init(dsn=os.environ[\"{}\"])` before the app object is created.",
            cx.add_command(sdk),
            var.name
        ),
        ("Sentry", Framework::Rails) => format!(
            "`{}` (with `sentry-ruby`) and add `config/initializers/sentry.rb` with `Sentry.init {{ |config| config.dsn = ENV[\"{}\"] }}`.",
            cx.add_command("sentry-ruby sentry-rails"),
            var.name
        ),
        ("Sentry", Framework::Laravel) => format!(
            "`{}` and `php artisan sentry:publish --dsn`; the DSN is read from `{}` in config/sentry.php.",
            cx.add_command(sdk),
            var.name
        ),
        ("Sentry", Framework::SpringBoot) => format!(
            "Add `{sdk}` to the build and set `sentry.dsn=${{{}}}` in application.properties.",
            var.name
        ),
        ("Sentry", f) if f.ecosystem() == Ecosystem::Node => format!(
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
    let manifest_line = match cx.repo.facts.package_json(app.manifest) {
        Some(p) => p.line_of_key("dependencies"),
        None => cx.framework_location().line,
    };
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
