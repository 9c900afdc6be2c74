//! no-error-tracking: an app that serves HTTP has no error tracking, APM or
//! metrics at all.

use crate::finding::{Category, Finding, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::containerization::missing_container_config::serves_http;
use crate::rules::observability::apm_sdk_missing::{env_examples, is_apm_variable};
use crate::rules::observability::evidence::ops_mention;
use crate::rules::{AppContext, Check, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "no-error-tracking",
        code: "SW303",
        severity: Severity::Medium,
        category: Category::ObservabilityMonitoring,
        title: "No error tracking or APM",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app that serves HTTP when nothing in the repository reports its
errors or measures it:
- no dependency on an error-tracking, APM, tracing or metrics library
  (Sentry, Bugsnag, Rollbar, Honeybadger, Datadog, New Relic, Elastic APM,
  OpenTelemetry, AppSignal, Airbrake, Raygun, Highlight, LogRocket, PostHog,
  Scout, Skylight, Flare/Nightwatch, Application Insights, Google Cloud Error
  Reporting, AWS X-Ray, Prometheus clients, Micrometer, …) in the app, the
  workspace packages it uses or the workspace root (for Maven and Gradle,
  the sibling modules it depends on, followed through theirs: a
  `management-lib` module that brings `quarkus-micrometer-registry-prometheus`
  to every service);
- no vendor variable (`SENTRY_DSN`, `OTEL_*`, `DD_*`, `NEW_RELIC_*`,
  `ELASTIC_APM_*`, …) in its env examples — an SDK missing for a declared
  variable is `apm-sdk-missing`'s finding;
- no agent or auto-instrumentation named in its start scripts, Dockerfiles,
  compose files, Procfiles or manifests (`--require
  @opentelemetry/auto-instrumentations-node/register`, `ddtrace-run`,
  `opentelemetry-instrument`, `-javaagent:`, `newrelic-admin`);
- no reporting of its own: Django's `AdminEmailHandler` (or a subclass)
  wired to a `mail_admins` logging handler mails every unhandled exception,
  with its traceback and request, to the administrators; so does Python's
  `logging.handlers.SMTPHandler` attached to the app's logging at `ERROR`
  (a Flask app's `app.logger.addHandler(mail_handler)`); so does a
  scheduled job of the app that mails new log records or exceptions to
  someone (a Laravel console command the console kernel schedules, a Spring
  `@Scheduled` method, a Celery periodic task); a `/metrics` route
  serving the Prometheus text format the app writes itself (`# HELP`/`#
  TYPE` lines) is monitored like one served by a client library.

PHP served as scripts counts as an app too (no `composer.json`, no front
controller): a production image built on a PHP web server image
(`php:8-apache`, `php:8.3-fpm`) whose folder holds PHP files answering
requests (`$_GET`, `$_POST`, `php://input`).

Sites on a file-routed framework (Next.js, Nuxt, Remix, SvelteKit, Astro)
and bare `net/http` binaries are reported only when they use a database or
Redis: a documentation site or a static file server has little server-side
failure of its own. Monitoring a platform adds without any trace in the repository cannot be
seen; such apps are reported, and the finding says what was looked for.

## Why is this bad?
Exceptions in production end in a log line at best: nobody is alerted, the
same crash repeats for every user, and there is no stack trace, release or
request context to fix it from.

## Example
### Reported
```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node server.js" }, "dependencies": { "express": "4.21.0", "pg": "8.13.0" } }
```

```js file=server.js
const app = require("express")();
app.get("/orders", (req, res) => res.json([]));
app.listen(3000);
```

### Not reported
```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node --import ./instrument.mjs server.js" }, "dependencies": { "express": "4.21.0", "@sentry/node": "9.1.0" } }
```

```js file=server.js
const app = require("express")();
app.listen(3000);
```

### Not reported
OpenTelemetry loaded by the start script and configured from the environment:

```json file=package.json
{ "name": "api", "private": true, "scripts": { "start": "node --require @opentelemetry/auto-instrumentations-node/register server.js" }, "dependencies": { "express": "4.21.0" } }
```

```bash file=.env.example
OTEL_SERVICE_NAME=api
OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318
```

```js file=server.js
const app = require("express")();
app.listen(3000);
```

### Not reported
Django mailing unhandled exceptions to the administrators:

```text file=requirements.txt
django==5.1.4
psycopg==3.2.3
```

```python file=shop/settings.py
ADMINS = [("Ops", "ops@example.com")]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
LOGGING = {
    "version": 1,
    "handlers": {"mail_admins": {"level": "ERROR", "class": "django.utils.log.AdminEmailHandler"}},
    "loggers": {"django.request": {"handlers": ["mail_admins"], "level": "ERROR"}},
}
```

```python file=manage.py
import os
import sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
```

### Not reported
A Laravel app whose scheduled command mails the new error log records:

```json file=composer.json
{ "name": "acme/desk", "require": { "php": "^8.2", "laravel/framework": "^10.0" } }
```

```php file=app/Console/Commands/LogsMonitor.php
<?php
namespace App\Console\Commands;

use App\Models\ActivityLog;
use App\Mail\Alert;
use Illuminate\Console\Command;
use Illuminate\Support\Facades\Mail;

class LogsMonitor extends Command
{
    protected $signature = 'desk:logs-monitor';

    public function handle()
    {
        $errors = ActivityLog::where('log_name', 'app_errors')->where('created_at', '>=', now()->subHour())->get();
        if (count($errors)) {
            Mail::to(config('app.alert_email'))->send(new Alert($errors));
        }
    }
}
```

```php file=app/Console/Kernel.php
<?php
namespace App\Console;

use Illuminate\Console\Scheduling\Schedule;
use Illuminate\Foundation\Console\Kernel as ConsoleKernel;

class Kernel extends ConsoleKernel
{
    protected function schedule(Schedule $schedule)
    {
        $schedule->command('desk:logs-monitor')->hourly();
    }
}
```

```php file=routes/web.php
<?php
use Illuminate\Support\Facades\Route;
Route::get('/', fn () => view('welcome'));
```

```text file=artisan
#!/usr/bin/env php
<?php
```

## Fix
Add an error tracker for the framework and initialise it at start-up
(`npx @sentry/wizard@latest -i nextjs`, `@sentry/node` loaded with
`node --import`, `sentry-sdk` with `sentry_sdk.init`, `sentry-rails`), or
vendor-neutral OpenTelemetry exporting to the backend the team uses.
"#;

/// Dependencies that report errors, traces or metrics, per ecosystem: exact
/// names, or prefixes ending in `/`, `:`, `-` or `.`.
const MONITORING: &[(Ecosystem, &[&str])] = &[
    (
        Ecosystem::Node,
        &[
            "@sentry/",
            "@bugsnag/",
            "bugsnag",
            "rollbar",
            "@rollbar/",
            "@honeybadger-io/",
            "honeybadger",
            "dd-trace",
            "@datadog/",
            "newrelic",
            "@newrelic/",
            "elastic-apm-node",
            "@elastic/apm-rum",
            "@opentelemetry/",
            "@vercel/otel",
            "@appsignal/",
            "@airbrake/",
            "airbrake",
            "raygun",
            "raygun4js",
            "@highlight-run/",
            "highlight.run",
            "logrocket",
            "posthog-js",
            "posthog-node",
            "trackjs",
            "@trackjs/",
            "@logtail/",
            "@axiomhq/",
            "next-axiom",
            "@baselime/",
            "@betterstack/",
            "@hyperdx/",
            "@grafana/faro-",
            "@microsoft/applicationinsights-",
            "applicationinsights",
            "@google-cloud/error-reporting",
            "@google-cloud/logging",
            "@google-cloud/trace-agent",
            "@aws-lambda-powertools/",
            "aws-xray-sdk",
            "aws-xray-sdk-core",
            "@instana/",
            "@dynatrace/",
            "@splunk/otel",
            "@honeycombio/",
            "@traceloop/",
            "@openreplay/",
            "@exceptionless/",
            "prom-client",
            "express-prom-bundle",
            "@willsoto/nestjs-prometheus",
            "hot-shots",
        ],
    ),
    (
        Ecosystem::Python,
        &[
            "sentry-sdk",
            "raven",
            "bugsnag",
            "rollbar",
            "honeybadger",
            "ddtrace",
            "datadog",
            "newrelic",
            "elastic-apm",
            "opentelemetry-",
            "appsignal",
            "pybrake",
            "raygun4py",
            "scout-apm",
            "logfire",
            "highlight-io",
            "posthog",
            "google-cloud-error-reporting",
            "google-cloud-logging",
            "aws-xray-sdk",
            "azure-monitor-opentelemetry",
            "opencensus-ext-azure",
            "applicationinsights",
            "instana",
            "traceloop-sdk",
            "prometheus-client",
            "prometheus-flask-exporter",
            "prometheus-fastapi-instrumentator",
            "starlette-exporter",
            "django-prometheus",
            "statsd",
            "django-statsd",
        ],
    ),
    (
        Ecosystem::Ruby,
        &[
            "sentry-ruby",
            "sentry-rails",
            "sentry-raven",
            "bugsnag",
            "rollbar",
            "honeybadger",
            "ddtrace",
            "datadog",
            "newrelic_rpm",
            "elastic-apm",
            "opentelemetry-",
            "appsignal",
            "airbrake",
            "raygun4ruby",
            "scout_apm",
            "skylight",
            "exception_notification",
            "solid_errors",
            "rails_error_dashboard",
            "telebugs",
            "posthog-ruby",
            "rorvswild",
            "yabeda-",
            "prometheus-client",
            "prometheus_exporter",
            "statsd-instrument",
        ],
    ),
    (
        Ecosystem::Php,
        &[
            "sentry/",
            "bugsnag/",
            "rollbar/",
            "honeybadger-io/",
            "open-telemetry/",
            "spatie/laravel-flare",
            "spatie/flare-client-php",
            "spatie/laravel-ignition",
            "facade/flare-client-php",
            "laravel/nightwatch",
            "laravel/pulse",
            "laravel/telescope",
            "elastic/apm-agent",
            "datadog/dd-trace",
            "promphp/",
            "scoutapp/",
            "inspector-apm/",
        ],
    ),
    (
        Ecosystem::Java,
        &[
            "io.sentry:",
            "com.bugsnag:",
            "com.rollbar:",
            "io.honeybadger:",
            "io.opentelemetry",
            "co.elastic.apm:",
            "com.newrelic.",
            "com.datadoghq:",
            "io.micrometer:",
            "io.zipkin",
            "org.springframework.cloud:spring-cloud-starter-sleuth",
            "org.springframework.cloud:spring-cloud-sleuth",
            "com.microsoft.azure:applicationinsights-",
            "com.google.cloud:google-cloud-errorreporting",
            "com.google.cloud:spring-cloud-gcp-starter-trace",
            "com.amazonaws:aws-xray-",
            "io.jaegertracing:",
            "io.opentracing",
            "io.prometheus:",
            "io.dropwizard.metrics:",
            "io.quarkus:quarkus-micrometer",
            "io.quarkus:quarkus-opentelemetry",
            "io.micronaut.micrometer:",
            "io.micronaut.tracing:",
        ],
    ),
    (
        Ecosystem::Go,
        &[
            "github.com/getsentry/",
            "go.opentelemetry.io/",
            "github.com/DataDog/",
            "gopkg.in/DataDog/",
            "github.com/newrelic/",
            "github.com/bugsnag/",
            "github.com/rollbar/",
            "github.com/honeybadger-io/",
            "go.elastic.co/apm",
            "github.com/airbrake/",
            "github.com/evalphobia/logrus_sentry",
            "github.com/uber/jaeger-client-go",
            "github.com/opentracing/",
            "go.opencensus.io",
            "contrib.go.opencensus.io/",
            "cloud.google.com/go/errorreporting",
            "github.com/aws/aws-xray-sdk-go",
            "github.com/highlight/",
            "github.com/posthog/",
            "github.com/instana/",
            "github.com/prometheus/client_golang",
            "github.com/VictoriaMetrics/metrics",
            "github.com/armon/go-metrics",
            "github.com/hashicorp/go-metrics",
        ],
    ),
    (
        Ecosystem::Rust,
        &[
            "sentry",
            "sentry-",
            "opentelemetry",
            "opentelemetry-",
            "opentelemetry_sdk",
            "tracing-opentelemetry",
            "datadog-",
            "prometheus",
            "prometheus-client",
            "metrics-exporter-prometheus",
            "axum-prometheus",
            "actix-web-prom",
            "autometrics",
        ],
    ),
    (
        Ecosystem::Dotnet,
        &[
            "sentry",
            "sentry.",
            "microsoft.applicationinsights",
            "microsoft.applicationinsights.",
            "azure.monitor.opentelemetry.",
            "opentelemetry",
            "opentelemetry.",
            "datadog.trace",
            "datadog.trace.",
            "newrelic.",
            "elastic.apm",
            "elastic.apm.",
            "bugsnag",
            "bugsnag.",
            "rollbar",
            "rollbar.",
            "raygun4net",
            "mindscape.raygun4net.",
            "prometheus-net",
            "prometheus-net.",
            "app.metrics",
            "app.metrics.",
            "exceptionless",
            "exceptionless.",
            "elmah",
            "elmah.",
        ],
    ),
    (
        Ecosystem::Elixir,
        &[
            "sentry",
            "appsignal",
            "appsignal_phoenix",
            "new_relic_agent",
            "opentelemetry",
            "opentelemetry_exporter",
            "opentelemetry_phoenix",
            "spandex",
            "honeybadger",
            "rollbax",
            "bugsnag",
            "prometheus_ex",
            "prometheus_phoenix",
            "prometheus_plugs",
            "telemetry_metrics_prometheus",
            "peep",
            "tower_error_tracker",
            "error_tracker",
        ],
    ),
];

/// Words in start scripts, Dockerfiles, compose files and manifests that
/// mean an agent or exporter is attached without a dependency.
const OPS_NEEDLES: &[&str] = &[
    "opentelemetry",
    "OTEL_",
    "dd-trace",
    "ddtrace",
    "DD_AGENT_HOST",
    "DD_API_KEY",
    "DD_SERVICE",
    "datadog",
    "newrelic",
    "NEW_RELIC_",
    "javaagent",
    "elastic-apm",
    "ELASTIC_APM_",
    "SENTRY_DSN",
    "instana",
    "dynatrace",
    "appsignal",
    "honeybadger",
    "bugsnag",
    "rollbar",
];

/// Env variable prefixes of monitoring vendors.
const ENV_PREFIXES: &[&str] = &[
    "SENTRY_",
    "NEXT_PUBLIC_SENTRY_",
    "OTEL_",
    "DD_",
    "DATADOG_",
    "NEW_RELIC_",
    "NEWRELIC_",
    "ELASTIC_APM_",
    "HONEYBADGER_",
    "BUGSNAG_",
    "ROLLBAR_",
    "APPSIGNAL_",
    "AIRBRAKE_",
    "RAYGUN_",
    "HIGHLIGHT_",
    "NEXT_PUBLIC_HIGHLIGHT_",
    "LOGROCKET_",
    "NEXT_PUBLIC_LOGROCKET_",
    "POSTHOG_",
    "NEXT_PUBLIC_POSTHOG_",
    "AXIOM_",
    "NEXT_PUBLIC_AXIOM_",
    "APPLICATIONINSIGHTS_",
];

fn matches_entry(dep: &str, entry: &str) -> bool {
    if entry.ends_with(['/', ':', '-', '.']) || entry.starts_with("io.") {
        dep.starts_with(entry)
    } else {
        dep == entry
    }
}

/// The monitoring dependency the app has, if any.
pub(crate) fn monitoring_dependency(cx: &AppContext) -> Option<String> {
    let list = MONITORING
        .iter()
        .find(|(e, _)| *e == cx.app.ecosystem)
        .map(|(_, l)| *l)?;
    fn hit<'d>(list: &[&str], mut deps: impl Iterator<Item = &'d String>) -> Option<String> {
        deps.find(|dep| list.iter().any(|entry| matches_entry(dep, entry)))
            .cloned()
    }
    if let Some(dep) = hit(list, cx.app.dependencies.iter()) {
        return Some(dep);
    }
    // Workspace members the app depends on (a Cargo workspace's
    // `crates/routes`, a Python monorepo's shared package).
    if cx.app.ecosystem == Ecosystem::Node {
        return None;
    }
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    // The manifests by the name they declare, listed once per audit: each
    // app looks its dependencies up instead of scanning every manifest.
    let by_name = cx.repo.memo("manifests by declared name", "", || {
        let mut by_name: std::collections::HashMap<String, Vec<FileId>> = Default::default();
        for id in [
            FileKind::CargoToml,
            FileKind::PyProject,
            FileKind::GoMod,
            FileKind::MavenPom,
            FileKind::Gradle,
        ]
        .iter()
        .flat_map(|k| index.of_kind(*k).iter().copied())
        .filter(|id| !crate::roles::path::is_non_product_path(&index.get(*id).rel))
        {
            if let Some(name) = facts.manifest(id).and_then(|m| m.name.clone()) {
                by_name.entry(name).or_default().push(id);
            }
        }
        std::sync::Arc::new(by_name)
    });
    // In the order the manifests were listed (kind, then path), as before.
    let mut candidates: Vec<(usize, FileId)> = Vec::new();
    let order = |id: FileId| {
        let kinds = [
            FileKind::CargoToml,
            FileKind::PyProject,
            FileKind::GoMod,
            FileKind::MavenPom,
            FileKind::Gradle,
        ];
        kinds
            .iter()
            .position(|k| index.get(id).kind == Some(*k))
            .unwrap_or(kinds.len())
    };
    for dependency in &cx.app.dependencies {
        if let Some(ids) = by_name.get(dependency) {
            candidates.extend(ids.iter().map(|id| (order(*id), *id)));
        }
    }
    candidates.sort_unstable();
    candidates
        .into_iter()
        .filter_map(|(_, id)| facts.manifest(id))
        .find_map(|m| hit(list, m.dependencies.keys()))
}

/// Stacks besides a database server (`stack::DATABASE_SERVER_STACKS`)
/// that mean an app keeps state: a database file, a cache, an ORM.
const OTHER_STATEFUL_STACKS: &[&str] = &["sqlite", "redis", "sqlalchemy"];

/// Whether the app's own code reports its errors or exposes its metrics
/// without an SDK: Django's `AdminEmailHandler` (or a subclass) wired into
/// its logging — unhandled exceptions are mailed to the administrators
/// with the traceback and request — or a `/metrics` route serving the
/// Prometheus text format the app writes itself (`# TYPE` lines). Asked
/// only of apps that would otherwise be reported.
fn reports_itself(cx: &AppContext) -> bool {
    let facts = cx.repo.facts;
    let files = crate::rules::observability::evidence::own_code_files(cx);
    let mut exposition = false;
    let mut metrics_route = false;
    for id in files {
        // The files' word masks answer first: most files spell none of
        // these, and reading every file of every app again doubled the
        // audit of a monorepo of services.
        let handler = facts.may_mention(id, &["AdminEmailHandler", "SMTPHandler"]);
        let writes_format = facts.may_mention(id, &["# TYPE "]);
        let names_route = facts.may_mention(id, &["/metrics"]);
        let mails = facts.may_mention(id, &["Mail"]);
        if !(handler || writes_format || names_route || mails) {
            continue;
        }
        let Some(text) = facts.raw_text(id) else {
            continue;
        };
        if text.contains("AdminEmailHandler") && text.contains("mail_admins") {
            return true;
        }
        // Python's `logging.handlers.SMTPHandler` attached to the app's
        // logging (`app.logger.addHandler(mail_handler)` at ERROR, or a
        // `dictConfig` handler): every logged error is mailed with its
        // traceback, as Django's `AdminEmailHandler` does.
        if text.contains("SMTPHandler")
            && (text.contains("addHandler") || text.contains("logging.handlers.SMTPHandler"))
            && text.contains("ERROR")
        {
            return true;
        }
        if mails && mails_logged_errors(&text) && is_scheduled(cx, &text) {
            return true;
        }
        exposition |= text.contains("# TYPE ") && text.contains("# HELP ");
        metrics_route |= text.contains("/metrics")
            && facts
                .code(id)
                .is_some_and(|c| c.route_paths.iter().any(|(p, _)| p == "/metrics"));
        if exposition && metrics_route {
            return true;
        }
    }
    false
}

/// Whether a file sends mail about the app's logged errors: it mails
/// (`Mail::`, a `MailHelper`, a `JavaMailSender`, nodemailer's `sendMail`)
/// and reads log records or exceptions (`ActivityLog`, `logs`,
/// `error_log`, an exception list) to alert someone (freescout's
/// `LogsMonitor`: new records of the monitored logs, mailed as an alert).
fn mails_logged_errors(text: &str) -> bool {
    let sends = [
        "Mail::",
        "MailHelper",
        "sendMail",
        "MailSender",
        "AlertMail",
    ]
    .iter()
    .any(|w| text.contains(w));
    if !sends {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    let logs = [
        "logs",
        "log_name",
        "activitylog",
        "error_log",
        "errorlog",
        "exceptions",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let alerts = ["alert", "error", "exception"]
        .iter()
        .any(|w| lower.contains(w));
    logs && alerts
}

/// Whether the code in `text` runs on a schedule: a Spring `@Scheduled`
/// method, a Celery periodic task, node-cron, Python's `schedule`, or a
/// Laravel console command (`$signature = 'name'`) that the app's console
/// kernel or `routes/console.php` schedules (`->command('name')`,
/// `->command(Name::class)`).
fn is_scheduled(cx: &AppContext, text: &str) -> bool {
    if [
        "@Scheduled",
        "@periodic_task",
        "cron.schedule(",
        "schedule.every(",
    ]
    .iter()
    .any(|w| text.contains(w))
    {
        return true;
    }
    let Some(signature) = laravel_signature(text) else {
        return false;
    };
    let class = text
        .split("class ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|c| format!("{c}::class"));
    let dir = cx.app.path.trim_start_matches("./");
    let dir = if dir == "." { "" } else { dir };
    ["app/Console/Kernel.php", "routes/console.php"]
        .iter()
        .filter_map(|f| crate::apps::resolve(dir, f))
        .filter_map(|rel| cx.repo.index.find(&rel))
        .filter_map(|id| cx.repo.facts.raw_text(id))
        .any(|kernel| {
            kernel.contains(&format!("command('{signature}'"))
                || kernel.contains(&format!("command(\"{signature}\""))
                || class.as_deref().is_some_and(|c| kernel.contains(c))
        })
}

/// The command name of a Laravel console command: `protected $signature =
/// 'freescout:logs-monitor {--x}'` → `freescout:logs-monitor`.
fn laravel_signature(text: &str) -> Option<String> {
    let rest = &text[text.find("$signature")? + "$signature".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &rest[1..];
    let end = body.find(quote)?;
    let name = body[..end].split_whitespace().next()?;
    (!name.is_empty()).then(|| name.to_string())
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if !serves_http(cx) || monitoring_dependency(cx).is_some() {
        return Vec::new();
    }
    // A site built on a file-routed framework with no database behind it
    // (documentation, marketing pages, a storefront over a hosted API), or a
    // bare net/http binary with none (a static file server, a proxy), has
    // little server-side failure of its own to track.
    if (app.framework().routes_are_files() || app.framework() == Framework::NetHttp)
        && !app.stacks.iter().any(|s| {
            crate::stack::DATABASE_SERVER_STACKS.contains(s) || OTHER_STATEFUL_STACKS.contains(s)
        })
    {
        return Vec::new();
    }
    // Answered once per env example: a monorepo's root example is asked
    // by every app.
    let vendor_variable = env_examples(cx).into_iter().any(|id| {
        cx.repo.memo(
            "env example names a vendor variable",
            &id.to_string(),
            || {
                cx.repo.facts.env_file(id).is_some_and(|env| {
                    env.vars.iter().any(|v| {
                        is_apm_variable(&v.name)
                            || ENV_PREFIXES.iter().any(|p| v.name.starts_with(p))
                    })
                })
            },
        )
    });
    if vendor_variable || ops_mention(cx, OPS_NEEDLES).is_some() || reports_itself(cx) {
        return Vec::new();
    }
    let suggestion = match app.framework() {
        Framework::NextJs => "`npx @sentry/wizard@latest -i nextjs` (`@sentry/nextjs`), or `@vercel/otel` with `registerOTel` in `instrumentation.ts`",
        Framework::NestJs => "`@sentry/nestjs` initialised in an `instrument.ts` imported first in `main.ts`",
        Framework::Rails => "`sentry-ruby` + `sentry-rails` with `config/initializers/sentry.rb` (or Honeybadger, AppSignal, Rails' `solid_errors`)",
        Framework::Django => "`sentry-sdk` with `sentry_sdk.init(...)` in the production settings",
        Framework::Laravel => "`sentry/sentry-laravel` (or Flare, Nightwatch)",
        Framework::SpringBoot => "`io.sentry:sentry-spring-boot-starter-jakarta`, or the OpenTelemetry Java agent",
        f => match f.ecosystem() {
            Ecosystem::Node => "`@sentry/node` initialised in an `instrument.js` loaded with `node --import`, or OpenTelemetry (`@opentelemetry/auto-instrumentations-node/register`)",
            Ecosystem::Python => "`sentry-sdk` with `sentry_sdk.init(...)` before the app object is created",
            Ecosystem::Ruby => "`sentry-ruby` with `Sentry.init` at boot",
            Ecosystem::Php => "`sentry/sentry` initialised at boot",
            Ecosystem::Java => "`io.sentry:sentry`, or the OpenTelemetry Java agent",
            Ecosystem::Go => "`github.com/getsentry/sentry-go` with `sentry.Init` in `main`, or OpenTelemetry (`go.opentelemetry.io/otel`)",
            Ecosystem::Rust => "`sentry` with `sentry::init` in `main` (and `sentry-tower` for the router), or `opentelemetry-otlp`",
            Ecosystem::Dotnet => "`Sentry.AspNetCore` (`builder.WebHost.UseSentry()`), Application Insights (`Microsoft.ApplicationInsights.AspNetCore`), or OpenTelemetry (`OpenTelemetry.Extensions.Hosting` with the OTLP exporter)",
            Ecosystem::Elixir => "`sentry` (its `Sentry.PlugCapture` in the endpoint and the logger handler), AppSignal (`appsignal_phoenix`), or `opentelemetry_exporter`",
        },
    };
    let message = format!(
        "The {} app has no error tracking or APM: no SDK among its dependencies (looked for Sentry, Bugsnag, Rollbar, Honeybadger, Datadog, New Relic, Elastic APM, OpenTelemetry, AppSignal, Airbrake, Raygun, Highlight, LogRocket, PostHog, Prometheus/metrics clients, …), no vendor variable in its env examples, and no agent in its start scripts, Dockerfiles or manifests.",
        app.framework().label()
    );
    vec![RULE.meta.finding(
        Some(app),
        message,
        "Exceptions in production are seen only if someone reads the logs: nobody is alerted, the same crash repeats for every user, and there is no stack trace or request context to fix it from.".to_string(),
        format!("Add error tracking and initialise it at start-up: {suggestion}. If the platform already collects errors (a hosted log-based error reporter), record that decision with a suppression."),
        vec![cx.framework_location()],
    )]
}
