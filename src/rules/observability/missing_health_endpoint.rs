//! missing-health-endpoint: an app that serves HTTP has no health route.

use crate::finding::{Category, Finding, Severity, Wording};
use crate::index::FileKind;
use crate::rules::containerization::missing_container_config::serves_http;
use crate::rules::{AppContext, Check, Rule, RuleMeta};
use crate::stack::Framework;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "missing-health-endpoint",
        code: "SW401",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "No health check endpoint",
        wording: Wording::IssueImpactFix,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app that serves HTTP but has no health route. Routes are found
where each framework puts them:
- file-based routers: Next.js App Router route handlers (`app/` or `src/app/`,
  route groups and private folders understood), Pages Router API routes
  (`pages/api/`), Remix/React Router `app/routes/`, SvelteKit `src/routes/`,
  Nuxt `server/api` and `server/routes`, Astro `src/pages/`;
- code-based routers: Express/Koa/Hono/Fastify registrations (`app.get("/healthz")`,
  `{ url: "/health" }`), NestJS decorators (`@Controller("health")`);
- health libraries: `@nestjs/terminus`, `@godaddy/terminus`, `lightship`,
  `express-healthcheck`, `express-actuator`, `fastify-healthcheck`.
A route counts when one of its path segments is a health name: `health`,
`healthz`, `healthcheck`, `livez`, `readyz`, `live`, `ready`, `liveness`,
`readiness`, `ping`, `status`, `up`, `heartbeat`, `alive`.

## Why is this bad?
Load balancers and orchestrators cannot tell a hung or broken instance from a
healthy one: traffic keeps going to it, and nothing restarts it.

## Example
Reported: a Next.js app whose `app/` has pages and API routes but no
`app/api/health/route.ts`.

Not reported: the same app with `app/(internal)/api/healthz/route.ts`, or an
Express app with `app.get("/health", …)` in `src/server.ts`.

## Fix
Add a liveness route that answers without touching back-ends, and a readiness
route that checks the database and Redis the app uses, each with a timeout,
answering 200 or 503 with `Cache-Control: no-store`.
"#;

const HEALTH_NAMES: &[&str] = &[
    "_health",
    "alive",
    "health",
    "health-check",
    "health_check",
    "healthcheck",
    "healthchecks",
    "healthy",
    "healthz",
    "heartbeat",
    "live",
    "liveness",
    "livez",
    "ping",
    "readiness",
    "ready",
    "readyz",
    "status",
    "up",
];

/// Packages that register a health route for the app.
const HEALTH_LIBRARIES: &[&str] = &[
    "@cloudnative/health-connect",
    "@godaddy/terminus",
    "@nestjs/terminus",
    "express-actuator",
    "express-healthcheck",
    "fastify-healthcheck",
    "lightship",
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

fn is_health_segment(segment: &str) -> bool {
    let cleaned = segment
        .trim_start_matches(['+', '$', '(', '[', '@'])
        .trim_end_matches([')', ']']);
    HEALTH_NAMES.contains(&cleaned.to_ascii_lowercase().as_str())
}

/// Whether a route path written in code (`/api/healthz`, `health`) names a
/// health route.
pub fn is_health_path(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    // A bare word is only a route in decorator/registration position, which
    // the caller guarantees; full URLs are requests to other services.
    if path.contains("://") || path.contains(' ') {
        return false;
    }
    path.split('/').any(is_health_segment)
}

fn has_file_route(cx: &AppContext) -> bool {
    let app_dir = cx.app.dir();
    cx.files_of_kind(FileKind::JsSource).any(|id| {
        let rel = &cx.repo.index.get(id).rel;
        let inner = rel
            .strip_prefix(app_dir)
            .unwrap_or(rel)
            .trim_start_matches('/');
        let Some((root, route)) = ROUTE_ROOTS
            .iter()
            .find_map(|root| inner.strip_prefix(root).map(|r| (*root, r)))
        else {
            return false;
        };
        // In Next.js folders only route handlers and API routes answer
        // requests; a `status/page.tsx` is a page for people.
        let name = route.rsplit('/').next().unwrap_or(route);
        if root.ends_with("app/")
            && cx.app.framework() == Framework::NextJs
            && !name.starts_with("route.")
        {
            return false;
        }
        if root.ends_with("pages/")
            && cx.app.framework() == Framework::NextJs
            && !route.starts_with("api/")
        {
            return false;
        }
        // `api/health/route.ts`, `api.health.ts`, `healthcheck.tsx`, `+server.ts`.
        route
            .split('/')
            .flat_map(|part| part.split('.'))
            .any(is_health_segment)
    })
}

fn has_code_route(cx: &AppContext) -> bool {
    cx.files_of_kind(FileKind::JsSource).any(|id| {
        let rel = &cx.repo.index.get(id).rel;
        if is_test_file(rel) {
            return false;
        }
        cx.repo
            .facts
            .js(id)
            .is_some_and(|js| js.route_paths.iter().any(|(path, _)| is_health_path(path)))
    })
}

fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.contains(".test.") || name.contains(".spec.") || name.contains(".e2e.")
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if !serves_http(cx) {
        return Vec::new();
    }
    if HEALTH_LIBRARIES.iter().any(|lib| app.has_dependency(lib)) {
        return Vec::new();
    }
    if has_file_route(cx) {
        return Vec::new();
    }
    // Next.js apps rarely register routes in code, but a custom server can.
    if has_code_route(cx) {
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
    vec![RULE.meta.finding(
        Some(app),
        message,
        "Load balancers cannot reliably detect if the application is hung or unresponsive, and orchestrators cannot restart it or hold traffic back during a deploy.".to_string(),
        fix_text(cx),
        vec![cx.framework_location()],
    )]
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
        framework => format!(
            "Register `GET /healthz` (liveness) and `GET /readyz` in the {} app; readiness {tail}",
            framework.label()
        ),
    }
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
    fn file_route_segments() {
        assert!(is_health_segment("(health)"));
        assert!(is_health_segment("healthz"));
        assert!(!is_health_segment("route"));
    }
}
