//! missing-health-endpoint: an app that serves HTTP has no health route.

// Every way a health route can be spelled contains one of these words;
// files without any of them are not lexed.
use crate::facts::needles::HEALTH as HEALTH_NEEDLES;
use crate::finding::{Category, Finding, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::containerization::missing_container_config::{
    has_container_definition, serves_http,
};
use crate::rules::{AppContext, Check, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "missing-health-endpoint",
        code: "SW401",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "No health check endpoint",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app that serves HTTP but has no health route (static sites — a
Next.js export, Nuxt/React Router with `ssr: false`, SvelteKit on
adapter-static — serve no requests of their own). Apps hosted only on
serverless platforms (Vercel, Netlify, Cloudflare Workers, Amplify, Serverless,
SST) with no container definition are not reported: there is no long-running
instance to probe. Routes are found
where each framework puts them:
- file-based routers: Next.js App Router route handlers (`app/` or `src/app/`,
  route groups and private folders understood), Pages Router API routes
  (`pages/api/`), Remix/React Router `app/routes/`, SvelteKit `src/routes/`,
  Nuxt `server/api` and `server/routes`, Astro `src/pages/`;
- code-based routers: Express/Koa/Hono/Fastify registrations (`app.get("/healthz")`,
  `{ url: "/health" }`), NestJS decorators (`@Controller("health")`),
  ASP.NET Core (`app.MapHealthChecks(…)` or `UseHealthChecks(…)` whatever
  its path, `app.MapGet("/healthz")`, `[Route("api/[controller]")]` on a
  `HealthController`, `[HttpGet("health")]`; `AddHealthChecks()` alone maps
  no route), Phoenix routers (`get "/health", HealthController, :index`);
- PHP without a framework routes by file: a script at the app's root or
  in `public/` named like a health route (`healthcheck.php`);
- health libraries: `@nestjs/terminus`, `@godaddy/terminus`, `lightship`,
  `express-healthcheck`, `express-actuator`, `fastify-healthcheck`;
- the path a platform or orchestrator probes, whatever it is called:
  Render's `healthCheckPath`, Railway's `healthcheckPath`, Fly.io's
  `[[http_service.checks]]`/`[[services.http_checks]]` `path`,
  DigitalOcean App Platform's `health_check.http_path`, Dokku's `CHECKS`
  file and `app.json` `healthchecks`, and the URL a compose
  `healthcheck:` of a service built from the app requests (`wget --spider
  $URL/info`; not the front page `/`, which names no route chosen for
  probing). A platform's probed path that
  is no health route (`/`, a static file) is a liveness check:
  `health-check-misses-dependencies` asks whether it can see the database.
A route counts when one of its path segments is a health name: `health`,
`healthz`, `healthcheck`, `livez`, `readyz`, `live`, `ready`, `liveness`,
`readiness`, `ping`, `status`, `up`, `heartbeat`, `alive`, `keep-alive`
(the common words only as the last segment at the top, or under `/api`, and
not when the route is one action of a product controller that handles the
file's other routes: Laravel's `[RecipientController::class, 'status']`
beside `'messagingList'` reports the product's status).

## Why is this bad?
Load balancers and orchestrators cannot tell a hung or broken instance from a
healthy one: traffic keeps going to it, and nothing restarts it.

## Example
### Reported
A Next.js app with pages and API routes but no health route:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "react": "19.0.0" } }
```

```ts file=app/api/orders/route.ts
export async function GET() {
  return Response.json([]);
}
```

```tsx file=app/page.tsx
export default function Home() { return <main>Shop</main>; }
```

### Not reported
```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "react": "19.0.0" } }
```

```ts file=app/(internal)/api/healthz/route.ts
export async function GET() {
  return Response.json({ status: "pass" });
}
```

### Not reported
An Express app with a health route:

```json file=package.json
{ "name": "api", "private": true, "main": "src/server.js", "dependencies": { "express": "4.21.0" } }
```

```js file=src/server.js
const express = require("express");
const app = express();
app.get("/health", (req, res) => res.json({ status: "ok" }));
app.listen(3000);
```

## Fix
Add a liveness route that answers without touching back-ends, and a readiness
route that checks the database and Redis the app uses, each with a timeout,
answering 200 or 503 with `Cache-Control: no-store`.
"#;

/// Common words that mean "health" only as the last segment of a route at
/// the top (`/status`, `/api/v1/ping`, Rails' `/up`).
const WEAK_NAMES: &[&str] = &[
    "alive",
    "keep-alive",
    "keepalive",
    "live",
    "ping",
    "ready",
    "status",
    "up",
];

/// Spring Boot's actuator serves `/actuator/health` over HTTP unless the
/// configuration takes it away: an exposure list without `health` (or `*`)
/// replaces the default one (`include: prometheus` serves metrics only),
/// or the endpoint is disabled.
fn actuator_hides_health(cx: &AppContext) -> bool {
    let index = cx.repo.index;
    cx.files_of_kind(FileKind::SpringConfig)
        .filter(|id| !index.get(*id).rel.contains("src/test/"))
        .filter_map(|id| cx.repo.facts.spring_config(id))
        .flat_map(|c| c.documents.iter())
        .filter(|d| d.profile.is_none())
        .any(|d| {
            let exposure = d
                .get("management.endpoints.web.exposure.include")
                .is_some_and(|(v, _)| !v.contains("health") && !v.contains('*'));
            let disabled = [
                "management.endpoint.health.enabled",
                "management.endpoint.health.access",
            ]
            .iter()
            .any(|k| {
                d.get(k)
                    .is_some_and(|(v, _)| matches!(v.trim(), "false" | "none"))
            });
            exposure || disabled
        })
}

/// Packages that register a health route for the app, across ecosystems.
pub(crate) const HEALTH_LIBRARIES: &[&str] = &[
    // npm
    "@cloudnative/health-connect",
    "@godaddy/terminus",
    "@nestjs/terminus",
    "express-actuator",
    "express-healthcheck",
    "fastify-healthcheck",
    "lightship",
    // PyPI
    "django-alive",
    "django-health-check",
    "django-healthchecks",
    "django-watchman",
    "fastapi-health",
    "flask-healthz",
    "py-healthcheck",
    // RubyGems
    "health-monitor-rails",
    "health_check",
    "okcomputer",
    "rails-healthcheck",
    // Packagist
    "spatie/laravel-health",
    // Maven
    "io.micronaut:micronaut-management",
    "io.quarkus:quarkus-smallrye-health",
    "org.springframework.boot:spring-boot-starter-actuator",
    // Go modules
    "github.com/alexliesenfeld/health",
    "github.com/heptiolabs/healthcheck",
    "github.com/hellofresh/health-go/v5",
    "github.com/InVisionApp/go-health",
    // Hex
    "plug_checkup",
];

/// Folders (relative to the app) that hold file-based routes.
const ROUTE_ROOTS: &[&str] = &[
    "app/",
    "pages/",
    "routes/",
    "server/api/",
    "server/routes/",
    "src/app/",
    "src/pages/",
    "src/routes/",
];

/// Names that mean "health" wherever they stand in a route.
const STRONG_NAMES: &[&str] = &[
    "_health",
    "health",
    "health-check",
    "health_check",
    "healthcheck",
    "healthchecks",
    "healthy",
    "healthz",
    "heartbeat",
    "liveness",
    "livez",
    "readiness",
    "readyz",
];

/// Folders a health route may sit under (`/api/v1/status`).
const ROUTE_PREFIXES: &[&str] = &[
    "api",
    "internal",
    "_internal",
    "ops",
    "system",
    "sys",
    "meta",
    "monitoring",
];

fn clean_segment(segment: &str) -> String {
    segment
        .trim_start_matches(['+', '$', '(', '@', '_'])
        .trim_end_matches([')'])
        .trim_matches(|c: char| "^$?*".contains(c))
        .to_ascii_lowercase()
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with(':')
        || segment.starts_with('[')
        || segment.starts_with('{')
        || segment.starts_with('<')
        || segment.starts_with('$')
        || segment.starts_with('*')
        || segment.contains("${}")
}

/// Whether a route, as its path segments, is a health route: a strong name
/// (`health`, `healthz`, `livez`, …) anywhere before any route parameter, or
/// a common word (`status`, `ping`, `up`, `ready`, `live`) as the last
/// segment at the root or under `/api[/vN]` — `/jobs/:id/status` and
/// `/api/og/status` are not health routes.
pub(crate) fn is_health_route(segments: &[&str]) -> bool {
    let segments: Vec<&str> = segments.iter().copied().filter(|s| !s.is_empty()).collect();
    for (i, raw) in segments.iter().enumerate() {
        if is_parameter(raw) {
            return false;
        }
        let seg = clean_segment(raw);
        if STRONG_NAMES.contains(&seg.as_str()) {
            return true;
        }
        if WEAK_NAMES.contains(&seg.as_str()) && i + 1 == segments.len() {
            return segments[..i].iter().all(|p| {
                let p = clean_segment(p);
                ROUTE_PREFIXES.contains(&p.as_str())
                    || (p.len() >= 2
                        && p.starts_with('v')
                        && p[1..].chars().all(|c| c.is_ascii_digit()))
            });
        }
    }
    false
}

/// Whether a route path written in code (`/api/healthz`, `health`,
/// `GET /livez`, Django's `^health/?$`, Rails' `rails/health#show`) names a
/// health route.
pub fn is_health_path(path: &str) -> bool {
    let path = path.split(['?']).next().unwrap_or(path).trim();
    // Go 1.22 patterns carry the method: "GET /healthz".
    let path = match path.split_once(' ') {
        Some((method, rest)) if method.chars().all(|c| c.is_ascii_uppercase()) => rest.trim(),
        _ => path,
    };
    // Full URLs are requests to other services; prose is not a route.
    if path.contains("://") || path.contains(' ') {
        return false;
    }
    let segments: Vec<&str> = path.split(['/', '#']).collect();
    is_health_route(&segments)
}

/// The app's file-based health routes (Node frameworks): each file is the
/// route's handler.
pub(crate) fn file_health_routes(cx: &AppContext) -> Vec<FileId> {
    // The path decides first: only a file whose URL is a health route is
    // parsed to see whether it answers GET (parsing every route handler of
    // the app to ask that was a tenth of an audit of many Next.js apps).
    cx.files_of_kind(FileKind::JsSource)
        .filter(|id| {
            routed_path(cx, *id).is_some_and(|(segments, needs_get)| {
                is_health_route(&segments) && (!needs_get || answers_get(cx, *id))
            })
        })
        .collect()
}

/// The URL path segments of a file-based route handler, or `None` when the
/// file is not one (`app/api/health/ready/route.ts` → `api`, `health`,
/// `ready`).
fn file_route_segments<'f>(cx: &'f AppContext, id: FileId) -> Option<Vec<&'f str>> {
    let (segments, needs_get) = routed_path(cx, id)?;
    (!needs_get || answers_get(cx, id)).then_some(segments)
}

/// Whether a Next.js App Router handler exports `GET`.
fn answers_get(cx: &AppContext, id: FileId) -> bool {
    cx.repo.facts.js(id).is_some_and(|js| js.handles_get)
}

/// The URL segments a file's path gives it, and whether it serves them only
/// when it exports `GET` (an App Router `route.ts`), from the path alone.
fn routed_path<'f>(cx: &'f AppContext, id: FileId) -> Option<(Vec<&'f str>, bool)> {
    let app_dir = cx.app.dir();
    let next = cx.app.framework() == Framework::NextJs;
    let rel = &cx.repo.index.get(id).rel;
    let inner = rel
        .strip_prefix(app_dir)
        .unwrap_or(rel)
        .trim_start_matches('/');
    let (root, route) = ROUTE_ROOTS
        .iter()
        .find_map(|root| inner.strip_prefix(root).map(|r| (*root, r)))?;
    let (dirs, name) = route.rsplit_once('/').unwrap_or(("", route));
    let stem = name.split('.').next().unwrap_or(name);
    let mut segments: Vec<&str> = dirs
        .split('/')
        // Route groups `(ops)`, private `_lib` and parallel `@slot`
        // folders are not URL segments.
        .filter(|d| !(d.starts_with('@') || d.starts_with('(') && d.ends_with(')')))
        .filter(|d| !d.is_empty())
        .collect();
    let mut needs_get = false;
    if next && root.ends_with("app/") {
        // Only route handlers that answer GET serve a probe; a
        // `status/page.tsx` is a page for people.
        if stem != "route" {
            return None;
        }
        needs_get = true;
    } else if next && root.ends_with("pages/") {
        if !route.starts_with("api/") {
            return None;
        }
        if stem != "index" {
            segments.push(stem);
        }
    } else {
        // Remix/React Router flat routes (`api.health.ts`,
        // `healthcheck.tsx`), SvelteKit `+server.ts`, Nuxt files.
        let flat = name
            .rsplit_once('.')
            .map(|(s, _)| s)
            .unwrap_or(name)
            .split('.')
            .filter(|p| {
                !matches!(
                    *p,
                    "index" | "_index" | "route" | "+server" | "+page" | "get"
                )
            });
        segments.extend(flat);
        // Nuxt serves `server/api/x` at `/api/x`; `server/routes/x` at `/x`.
        if root == "server/api/" {
            segments.insert(0, "api");
        }
    }
    Some((segments, needs_get))
}

/// The paths of the app's health routes as a probe would request them
/// (`/api/health/ready`), each with where it is defined (`rel:line`): the
/// file-based routes, and the literal paths registered in code. Routes with
/// parameters or patterns (`^health/?$`) are left out: they are not URLs.
pub fn health_route_paths(cx: &AppContext) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |path: String, place: String| {
        let plain = path.len() > 1
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~'))
            && !path.contains("//");
        if plain && !out.iter().any(|(p, _)| *p == path) {
            out.push((path, place));
        }
    };
    if cx.app.ecosystem == Ecosystem::Node {
        for id in file_health_routes(cx) {
            if let Some(segments) = file_route_segments(cx, id) {
                push(
                    format!("/{}", segments.join("/")),
                    format!("{}:1", cx.repo.index.get(id).rel),
                );
            }
        }
    }
    for (id, line, path) in code_health_paths(cx) {
        // Django's `path("health/", …)` and Rails' `get "up"` have no
        // leading slash; Rails' `rails/health#show` is a controller.
        if path.contains('#') {
            continue;
        }
        let path = path.trim_start_matches('^').trim_end_matches('$');
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        push(path, format!("{}:{line}", cx.repo.index.get(id).rel));
    }
    out
}

/// PHP without a framework routes by file: a script at the app's root or
/// under `public/` answers at its own name (`healthcheck.php` is
/// `/healthcheck.php`).
pub(crate) fn php_file_health_routes(cx: &AppContext) -> Vec<FileId> {
    let app_dir = cx.app.dir();
    cx.source_files()
        .into_iter()
        .filter(|id| {
            let rel = &cx.repo.index.get(*id).rel;
            let inner = rel
                .strip_prefix(app_dir)
                .unwrap_or(rel)
                .trim_start_matches('/');
            let inner = inner.strip_prefix("public/").unwrap_or(inner);
            !inner.contains('/')
                && inner
                    .strip_suffix(".php")
                    .is_some_and(|stem| is_health_route(&[stem]))
        })
        .collect()
}

/// Source files that register a health route in code, with the line of
/// the route and whether it is a registration (`app.get("/health", …)`)
/// rather than a health path spelled out elsewhere in server code.
pub(crate) fn code_health_routes(cx: &AppContext) -> Vec<(FileId, u32, bool)> {
    // The first match of each file: the rules need one piece of evidence.
    let mut out: Vec<(FileId, u32, bool)> = Vec::new();
    for (id, line, registered, _) in code_health_routes_with_paths(cx) {
        if out.last().is_none_or(|(last, _, _)| *last != id) {
            out.push((id, line, registered));
        }
    }
    out
}

/// Every health route path in code, as (file, line, path): a probe asks
/// each (`/healthz` and `/readyz` registered in one server file).
pub(crate) fn code_health_paths(cx: &AppContext) -> Vec<(FileId, u32, String)> {
    code_health_routes_with_paths(cx)
        .into_iter()
        .map(|(id, line, _, path)| (id, line, path))
        .collect()
}

fn code_health_routes_with_paths(cx: &AppContext) -> Vec<(FileId, u32, bool, String)> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let rails = cx.app.framework() == Framework::Rails;
    let file_routed = cx.app.framework().routes_are_files();
    let app_dir = cx.app.dir();
    let near_root = |rel: &str| {
        let inner = rel
            .strip_prefix(app_dir)
            .unwrap_or(rel)
            .trim_start_matches('/');
        let inner = inner.strip_prefix("src/").unwrap_or(inner);
        !inner.contains('/') || inner.starts_with("server/")
    };
    cx.source_files()
        .into_iter()
        .flat_map(|id| {
            let mut found: Vec<(FileId, u32, bool, String)> = Vec::new();
            let file = index.get(id);
            if file.test {
                return found;
            }
            let rel = &file.rel;
            // In file-routed frameworks routes are files (read above); code
            // can add some only in a custom server or middleware near the root.
            if file_routed && !near_root(rel) {
                return found;
            }
            let (routes, paths, controllers) = match cx.app.ecosystem {
                Ecosystem::Node => match facts.js_mentioning(id, HEALTH_NEEDLES) {
                    Some(js) => (
                        js.route_paths.as_slice(),
                        js.path_literals.as_slice(),
                        &[][..],
                    ),
                    None => return found,
                },
                _ => match facts.code_mentioning(id, HEALTH_NEEDLES) {
                    Some(c) => (
                        c.route_paths.as_slice(),
                        c.path_literals.as_slice(),
                        c.route_controllers.as_slice(),
                    ),
                    None => return found,
                },
            };
            // A strong health path spelled out anywhere in server code
            // (`"/healthz"` passed to a helper, a custom macro, a middleware).
            for (path, line) in paths.iter().filter(|(p, _)| is_strong_health_path(p)) {
                let registered = routes.iter().any(|(p, _)| p == path);
                found.push((id, *line, registered, path.clone()));
            }
            // Rails routes live in config/routes.rb (and config/routes/*.rb);
            // elsewhere `get "…"` is usually an HTTP client call.
            let routes_file = rails && rel.contains("config/routes");
            if rails && !routes_file && found.is_empty() {
                return found;
            }
            if !found.is_empty() && !routes_file {
                // The registered routes among them are already listed; a
                // weak route (`/status`) beside a strong one adds nothing.
                return found;
            }
            for (path, line) in routes.iter().filter(|(path, line)| {
                // A bare word (`get("status")`) is a getter unless it is a
                // Rails route or names health outright; a weak word handled
                // by a product controller beside its other actions is not
                // a health route.
                (path.contains('/') || routes_file || is_strong_health_path(&format!("/{path}")))
                    && is_health_path(path)
                    && (is_strong_health_path(&format!("/{}", path.trim_start_matches('/')))
                        || !handled_by_product_controller(*line, routes, controllers))
            }) {
                found.push((id, *line, true, path.clone()));
            }
            found
        })
        .collect()
}

/// ASP.NET Core maps its health checks with `app.MapHealthChecks(path)` or
/// the older `app.UseHealthChecks(path)`, often with the path in a
/// variable or configuration: the call is the endpoint whatever its
/// argument. `AddHealthChecks()` alone only registers the checks' services
/// and serves nothing.
fn maps_health_checks(cx: &AppContext) -> bool {
    let index = cx.repo.index;
    cx.source_files().into_iter().any(|id| {
        !index.get(id).test
            && cx
                .repo
                .facts
                .source_code(id, &["HealthChecks"])
                .is_some_and(|c| {
                    // A gRPC service answers the gRPC health protocol
                    // (`grpc.health.v1`) its probes speak instead.
                    [
                        "MapHealthChecks",
                        "UseHealthChecks",
                        "AddGrpcHealthChecks",
                        "MapGrpcHealthChecksService",
                    ]
                    .iter()
                    .any(|m| crate::facts::code::calls_method(&c.tokens, m))
                })
    })
}

/// Words of a controller name that say it serves operations, not the product.
const OPERATIONS_CONTROLLER_WORDS: &[&str] = &[
    "health",
    "status",
    "ping",
    "monitor",
    "system",
    "heartbeat",
    "uptime",
    "probe",
    "ops",
];

/// Whether the route at `line` (a common word such as `/status`) is an
/// action of a product controller: its controller's name says nothing of
/// operations, and the same controller handles other routes of the file
/// that are not health routes (`RecipientController@status` beside
/// `@messagingList`, `@addToMessagingList`): the product's status, not the
/// process's.
fn handled_by_product_controller(
    line: u32,
    routes: &[(String, u32)],
    controllers: &[(u32, String)],
) -> bool {
    let Some((_, controller)) = controllers.iter().find(|(l, _)| *l == line) else {
        return false;
    };
    let lower = controller.to_ascii_lowercase();
    if OPERATIONS_CONTROLLER_WORDS
        .iter()
        .any(|w| lower.contains(w))
    {
        return false;
    }
    controllers.iter().any(|(l, c)| {
        *l != line && c == controller && routes.iter().any(|(p, rl)| rl == l && !is_health_path(p))
    })
}

/// `/health`, `/api/healthz`, `/livez`: a strong health name at the top.
fn is_strong_health_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.iter().enumerate().any(|(i, seg)| {
        STRONG_NAMES.contains(&clean_segment(seg).as_str())
            && segments[..i].iter().all(|p| {
                let p = clean_segment(p);
                ROUTE_PREFIXES.contains(&p.as_str())
                    || (p.len() >= 2
                        && p.starts_with('v')
                        && p[1..].chars().all(|c| c.is_ascii_digit()))
            })
    })
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if !serves_http(cx) {
        return Vec::new();
    }
    if HEALTH_LIBRARIES.iter().any(|lib| {
        app.has_dependency(lib) && !(lib.ends_with("actuator") && actuator_hides_health(cx))
    }) {
        return Vec::new();
    }
    // Functions and edge workers have no long-running instance for a load
    // balancer to probe.
    let hosting = cx.hosting();
    let serverless_here = !cx.app.dir().is_empty()
        && cx
            .repo
            .deploy_kinds_by_dir()
            .get(cx.app.dir())
            .is_some_and(|defs| defs.iter().any(|(_, k)| k.is_serverless()));
    // A serverless platform file that a hand-run deployment contradicts
    // does not settle it: the finding names both, lower.
    let contest = if serverless_here
        || (!hosting.is_empty()
            && hosting.iter().all(|k| k.is_serverless())
            && !has_container_definition(cx))
    {
        match cx.contested_hosting(|kind| kind.is_serverless()) {
            Some(contest) => Some(contest),
            None => return Vec::new(),
        }
    } else {
        None
    };
    if cx.app.ecosystem == Ecosystem::Node && !file_health_routes(cx).is_empty() {
        return Vec::new();
    }
    if app.framework() == Framework::PlainPhp && !php_file_health_routes(cx).is_empty() {
        return Vec::new();
    }
    if app.ecosystem == Ecosystem::Dotnet && maps_health_checks(cx) {
        return Vec::new();
    }
    // Next.js apps rarely register routes in code, but a custom server can.
    if !code_health_routes(cx).is_empty() {
        return Vec::new();
    }
    // A platform or orchestrator probes a path of the app (Render's
    // `healthCheckPath: /`, Dokku's `CHECKS`, a compose `healthcheck:`
    // requesting `/info`): an instance that stops answering is restarted
    // or taken out of traffic. Whether that path checks the back-ends is
    // `health-check-misses-dependencies`'s question.
    if !cx.health_probes().is_empty() {
        return Vec::new();
    }
    let where_looked = if app.framework().routes_are_files() {
        "among the app's file-based routes or in its server code"
    } else {
        "among the routes the app registers"
    };
    let message = format!(
        "No dedicated `/api/health` or `/healthz` endpoint found {where_looked} ({} app).",
        app.framework().label()
    );
    let mut finding = RULE.meta.finding(
        Some(app),
        message,
        "Load balancers cannot reliably detect if the application is hung or unresponsive, and orchestrators cannot restart it or hold traffic back during a deploy.".to_string(),
        fix_text(cx),
        vec![cx.framework_location()],
    );
    if let Some(contest) = contest {
        let index = cx.repo.index;
        finding.message = format!(
            "{} The serverless platform that would make one unnecessary is in doubt: {}.",
            finding.message,
            contest.describe(index)
        );
        finding.impact = format!(
            "If production is the server the scripts deploy to, nothing can tell a hung instance from a healthy one. {}",
            finding.impact
        );
        finding.locations.extend(contest.locations(index));
        finding.severity = Severity::Medium;
        finding.wording = Wording::ObservationRiskRequirement;
    }
    vec![finding]
}

fn fix_text(cx: &AppContext) -> String {
    let app = cx.app;
    let mut checks = Vec::new();
    if app.stacks.contains(&"prisma") {
        checks.push("DB connectivity (Prisma ``$queryRaw`SELECT 1` ``)");
    } else if [
        "postgresql",
        "mysql",
        "mongodb",
        "drizzle",
        "typeorm",
        "sequelize",
        "knex",
        "mongoose",
    ]
    .iter()
    .any(|s| app.stacks.contains(s))
    {
        checks.push("DB connectivity (`SELECT 1`)");
    }
    if app.stacks.contains(&"redis") {
        checks.push("Redis status (`PING`)");
    }
    let what = if checks.is_empty() {
        "the back-ends the app depends on".to_string()
    } else {
        checks.join(" and ")
    };
    let tail = format!(
        "checks {what}, each with its own timeout, and answers 200 or 503 with `Cache-Control: no-store`; keep a separate liveness route that touches no back-end."
    );
    match app.framework() {
        Framework::NextJs => {
            let index = cx.repo.index;
            let has = |p: &str| !index.under(&app.join(p)).is_empty();
            let route = if has("src/app") {
                "src/app/api/health/route.ts"
            } else if has("app") || !has("pages") {
                "app/api/health/route.ts"
            } else if has("src/pages") {
                "src/pages/api/health.ts"
            } else {
                "pages/api/health.ts"
            };
            let dynamic = if route.contains("/app/") || route.starts_with("app/") {
                " (on Next ≤14 add `export const dynamic = 'force-dynamic'` so it is not cached at build time)"
            } else {
                ""
            };
            format!("Create `{route}`{dynamic} that {tail}")
        }
        Framework::NestJs => format!("Add `@nestjs/terminus` with a `HealthController` (`@Controller('health')`) that {tail}"),
        Framework::Django => format!(
            "Add `django-health-check` (`path(\"ht/\", include(\"health_check.urls\"))`) or a `/healthz` view; readiness {tail}"
        ),
        Framework::Rails => format!(
            "Route `get \"up\" => \"rails/health#show\"` (Rails ≥7.1) for liveness, and add a readiness endpoint that {tail}"
        ),
        Framework::Laravel => format!(
            "Enable `health: '/up'` in `bootstrap/app.php` (Laravel ≥11) for liveness, and add a readiness route (or `spatie/laravel-health`) that {tail}"
        ),
        Framework::SpringBoot => "Add `spring-boot-starter-actuator` and expose `/actuator/health` with `management.endpoint.health.probes.enabled=true`: `/actuator/health/liveness` stays cheap and `/actuator/health/readiness` includes the database and Redis indicators.".to_string(),
        Framework::Quarkus => "Add `quarkus-smallrye-health`: `/q/health/live` and `/q/health/ready`, with the datasource and Redis checks in readiness.".to_string(),
        Framework::Micronaut => "Add `micronaut-management` and enable the `/health` endpoint with liveness and readiness indicators.".to_string(),
        Framework::AspNetCore => format!(
            "Register the checks with `builder.Services.AddHealthChecks()` (the `AspNetCore.HealthChecks.*` packages add database and Redis checks) and map `app.MapHealthChecks(\"/healthz\")` for liveness (`Predicate = _ => false`) and `app.MapHealthChecks(\"/readyz\")` whose check {tail}"
        ),
        Framework::Phoenix => format!(
            "Answer `GET /healthz` (liveness) from a plug placed in the endpoint before the router (no session, no logging noise), and `GET /readyz` that {tail}"
        ),
        framework => format!(
            "Register `GET /healthz` (liveness) and `GET /readyz` in the {} app; readiness {tail}",
            framework.label()
        ),    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_paths() {
        for p in [
            "/health",
            "/api/healthz",
            "health",
            "/health/live",
            "/v1/status",
            "/_health",
        ] {
            assert!(is_health_path(p), "{p}");
        }
        for p in [
            "/users",
            "/api/healthcare",
            "https://status.example.com/up",
            "/statuses",
        ] {
            assert!(!is_health_path(p), "{p}");
        }
    }

    #[test]
    fn weak_names_only_at_the_top() {
        assert!(is_health_route(&["api", "v1", "status"]));
        assert!(is_health_route(&["ping"]));
        assert!(!is_health_route(&["api", "og", "status"]));
        assert!(!is_health_route(&["jobs", ":id", "status"]));
        assert!(!is_health_route(&["api", "status", "[[...path]]"]));
        assert!(is_health_route(&["internal", "healthz"]));
        assert!(is_health_route(&["(ops)", "healthz"]));
        assert!(!is_health_route(&["users", "[id]", "health"]));
    }
}
