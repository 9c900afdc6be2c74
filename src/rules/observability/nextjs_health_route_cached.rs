//! nextjs-health-route-cached: on Next.js ≤14 a GET route handler that
//! reads nothing from the request is rendered once at build time, so the
//! health route answers the build's result forever.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::missing_container_config::serves_http;
use crate::rules::observability::health_handlers::health_handlers;
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::Framework;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "nextjs-health-route-cached",
        code: "SW403",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "Next.js health route is static (cached at build time)",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports a Next.js App Router route handler on a health path
(`app/api/health/route.ts`, `app/healthz/route.ts`, …) when the app is on
Next.js 14 or older (read from `package.json`: `14.2.3`, `^14.2.0`,
`~13.5.6`) and nothing makes the handler dynamic: no
`export const dynamic = 'force-dynamic'`, no `revalidate` or `fetchCache`
export, no other HTTP method exported, no request parameter, and no call to
`cookies()`, `headers()`, `draftMode()` or `noStore()`. On Next.js 15 and
later GET handlers are dynamic by default, so they are not reported; neither
are version ranges that may resolve to 15 (`>=14`, `latest`, `catalog:`).

## Why is this bad?
Next.js ≤14 evaluates such a GET handler once, during `next build`, and
serves the stored response from then on: the health check answers 200 with
the build-time result even when the database is down or the process is
wedged, and any check it runs (a `SELECT 1`) ran against the build
environment, not production.

## Example
### Reported
```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "^14.2.0" } }
```

```ts file=app/api/health/route.ts
import { NextResponse } from "next/server";
export async function GET() {
  return NextResponse.json({ status: "ok" });
}
```

### Not reported
```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "^14.2.0" } }
```

```ts file=app/api/health/route.ts
import { NextResponse } from "next/server";
export const dynamic = "force-dynamic";
export async function GET() {
  return NextResponse.json({ status: "ok" });
}
```

### Not reported
Next.js 15 made GET route handlers dynamic:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0" } }
```

```ts file=app/api/health/route.ts
export async function GET() {
  return Response.json({ status: "ok" });
}
```

## Fix
Add `export const dynamic = 'force-dynamic'` to the route file (or
`export const revalidate = 0`), and answer with `Cache-Control: no-store`.
After upgrading to Next.js 15 this is the default; with Next.js 16
`cacheComponents`, the `dynamic` export is an error — call
`await connection()` instead.

`seaworthy fix` adds `export const dynamic = "force-dynamic"` above the
cited `GET` handler, in the file's own quote and semicolon style. It is
safe: the route then answers from the running process.
"#;

/// Calls and names that make a Next.js ≤14 route handler dynamic.
const DYNAMIC_MARKERS: &[&str] = &[
    "cookies",
    "headers",
    "draftMode",
    "noStore",
    "unstable_noStore",
    "connection",
    "revalidate",
    "fetchCache",
    "request",
    "req",
    "nextUrl",
    "searchParams",
];

/// Other HTTP methods: a route exporting one is dynamic.
const OTHER_METHODS: &[&str] = &["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

/// The major version a `next` requirement pins, when every version it
/// allows has that major (`14.2.3`, `^14.2.0`, `~14.1`, `14.x`).
pub(crate) fn pinned_major(requirement: &str) -> Option<u32> {
    let r = requirement.trim();
    if r.contains(['>', '<', '|', ' ', '*']) || r.contains(':') {
        return None;
    }
    let r = r.trim_start_matches(['^', '~', '=', 'v']);
    let digits: String = r.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    // `^0.x` is not a thing for next; a bare major (`14`) is `14.x`.
    digits.parse().ok()
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if app.framework() != Framework::NextJs || !serves_http(cx) {
        return Vec::new();
    }
    let facts = cx.repo.facts;
    let Some(pkg) = facts.package_json(app.manifest) else {
        return Vec::new();
    };
    let Some(requirement) = pkg.version_of("next") else {
        return Vec::new();
    };
    let Some(major) = pinned_major(requirement) else {
        return Vec::new();
    };
    if !(13..=14).contains(&major) {
        return Vec::new();
    }
    let index = cx.repo.index;
    let manifest_rel = index.get(app.manifest).rel.clone();
    let mut findings = Vec::new();
    for handler in health_handlers(cx).into_iter().filter(|h| h.file_routed) {
        let file = index.get(handler.file);
        let stem = file.name().split('.').next().unwrap_or("");
        if stem != "route" {
            continue;
        }
        let Some(src) = facts.source_code(handler.file, &[]) else {
            continue;
        };
        let exports = src.exports();
        let Some((_, get_line)) = exports.iter().find(|(n, _)| n == "GET") else {
            continue;
        };
        let dynamic_export = src
            .exported_value("dynamic")
            .is_some_and(|(v, _)| v != "auto" && v != "force-static" && v != "error");
        if dynamic_export
            || exports
                .iter()
                .any(|(n, _)| OTHER_METHODS.contains(&n.as_str()))
            || DYNAMIC_MARKERS.iter().any(|m| src.has_ident(m))
            || src.has_string_containing("no-store")
            || src.function_has_params("GET") != Some(false)
        {
            continue;
        }
        findings.push(RULE.meta.finding(
            Some(app),
            format!(
                "{} exports a GET handler that reads nothing from the request and sets no `dynamic` export, and the app is on Next.js {} ({}): the route is rendered once at build time.",
                code(&file.rel),
                major,
                code(&format!("\"next\": \"{requirement}\""))
            ),
            "The health route returns the response stored at `next build` forever: it answers 200 while the database is down or the process is broken, so the load balancer and orchestrator never see a failure.".to_string(),
            format!(
                "Add `export const dynamic = 'force-dynamic'` to {} (or `export const revalidate = 0`) and send `Cache-Control: no-store`; Next.js 15+ makes GET handlers dynamic by default.",
                code(&file.rel)
            ),
            vec![
                Location::new(file.rel.clone(), *get_line),
                Location::new(manifest_rel.clone(), pkg.line_of_key("next")),
            ],
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::pinned_major;

    #[test]
    fn reads_pinned_majors() {
        assert_eq!(pinned_major("14.2.3"), Some(14));
        assert_eq!(pinned_major("^14.2.0"), Some(14));
        assert_eq!(pinned_major("~13.5.6"), Some(13));
        assert_eq!(pinned_major("14.x"), Some(14));
        assert_eq!(pinned_major(">=14"), None);
        assert_eq!(pinned_major("latest"), None);
        assert_eq!(pinned_major("catalog:"), None);
        assert_eq!(pinned_major("workspace:*"), None);
    }
}
