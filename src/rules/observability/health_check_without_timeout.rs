//! health-check-without-timeout: a health handler waits on the database or
//! Redis with no timeout, so it hangs exactly when a back-end does.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::observability::health_handlers::{backend_calls, health_handlers, touches};
use crate::rules::observability::missing_health_endpoint::code_health_routes;
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "health-check-without-timeout",
        code: "SW404",
        severity: Severity::Low,
        category: Category::ObservabilityMonitoring,
        title: "Health check waits on back-ends without a timeout",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports a Node health route handler that awaits a database or Redis call in
its own file (`prisma.$queryRaw`, `.query()`, `.execute()`, `.ping()`,
`.authenticate()`, `.raw()`, `.command()`) when neither the handler nor the
local modules it imports (two levels down, where the clients are usually
created) set any timeout: no `Promise.race`, `AbortSignal.timeout`,
`setTimeout`, `statement_timeout`, `connectTimeout`/`commandTimeout`, or any
other `…timeout…` option. Only handlers that can be read are judged: route
files (Next.js, SvelteKit, Remix, Nuxt) and code-registered routes whose
file registers health routes only.

## Why is this bad?
When the database or Redis hangs rather than refuses, the check hangs too:
ioredis with its offline queue makes `ping()` wait until Redis comes back,
and Prisma has no per-query timeout. The probe then fails on the
orchestrator's own timeout (1 s by default on Kubernetes) with no answer
saying which back-end is down, requests pile up on the hung handler, and a
liveness probe built this way restarts healthy instances.

## Example
### Reported
```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "ioredis": "5.4.2" } }
```

```ts file=app/api/health/route.ts
import { redis } from "@/lib/redis";
export async function GET() {
  await redis.ping();
  return Response.json({ status: "pass" });
}
```

```ts file=lib/redis.ts
import Redis from "ioredis";
export const redis = new Redis(process.env.REDIS_URL!);
```

### Not reported
```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "ioredis": "5.4.2" } }
```

```ts file=app/api/health/route.ts
import { redis } from "@/lib/redis";
const within = <T,>(p: Promise<T>) =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), 800))]);
export async function GET() {
  await within(redis.ping());
  return Response.json({ status: "pass" });
}
```

```ts file=lib/redis.ts
import Redis from "ioredis";
export const redis = new Redis(process.env.REDIS_URL!);
```

## Fix
Race every back-end check against a timer shorter than the probe's timeout
(`Promise.race([check, timeout(800)])`, or `AbortSignal.timeout(800)` where
the client accepts a signal), report a timed-out check as failed (503), and
for ioredis set `commandTimeout` or `enableOfflineQueue: false` on the client
the health check uses.

`seaworthy fix --unsafe` races each awaited back-end call of the cited
handler against 2 s (`await withTimeout(redis.ping(), 2000)`, the budget of
the handlers seaworthy generates, under their probes' 3 s timeout), with a
`withTimeout` helper added at the end of the file in its language. A
timed-out call rejects, so it must land where a failure is answered: in a
`try` block of the handler, or in a route file whose framework answers a
thrown error with a 500 (Next.js, SvelteKit, Remix, Nuxt). It makes no
change and says why for a call outside both in a route registered in code
(Express 4 leaves the rejection unhandled, which stops Node), a call that is
not awaited on its own line, or an awaited expression that spans lines.
It is unsafe because a back-end slower than 2 s now fails the check where
it used to pass late.
"#;

fn check(cx: &AppContext) -> Vec<Finding> {
    let facts = cx.repo.facts;
    let index = cx.repo.index;
    let mut findings = Vec::new();
    for handler in health_handlers(cx) {
        let Some(src) = facts.source_code(handler.file, &[]) else {
            continue;
        };
        // A file that registers other routes too: its calls may belong to them.
        if !handler.file_routed {
            let only_health = code_health_routes_only(cx, handler.file);
            if !only_health {
                continue;
            }
        }
        if !src.has_ident("await") && !src.has_ident("then") {
            continue;
        }
        let calls = backend_calls(src);
        let Some(line) = calls.first().copied() else {
            continue;
        };
        let t = touches(cx, handler.file);
        if t.timeout || t.unknown {
            continue;
        }
        let rel = index.get(handler.file).rel.clone();
        findings.push(RULE.meta.finding(
            Some(cx.app),
            format!(
                "{} awaits a back-end call (line {line}) with no timeout: no `Promise.race`, `AbortSignal.timeout`, `setTimeout` or client timeout option in the handler or the modules it imports.",
                code(&rel)
            ),
            "While the database or Redis hangs, the health check hangs with it: the probe fails on its own timeout with no answer saying what is down, hung requests pile up, and a liveness probe built on it restarts healthy instances.".to_string(),
            "Race each check against a timer shorter than the probe timeout (`Promise.race([check, rejectAfter(800)])`), answer 503 naming the failed check, and give the Redis client the health check uses `commandTimeout` (or `enableOfflineQueue: false`).".to_string(),
            vec![Location::new(rel, line)],
        ));
    }
    findings
}

/// Whether every route a code-routed file registers is a health route.
fn code_health_routes_only(cx: &AppContext, file: crate::index::FileId) -> bool {
    let Some(js) = cx.repo.facts.js(file) else {
        return false;
    };
    let health: Vec<u32> = code_health_routes(cx)
        .into_iter()
        .filter(|(f, _, registered)| *f == file && *registered)
        .map(|(_, l, _)| l)
        .collect();
    !js.route_paths.is_empty()
        && js
            .route_paths
            .iter()
            .all(|(p, _)| crate::rules::observability::missing_health_endpoint::is_health_path(p))
        && !health.is_empty()
}
