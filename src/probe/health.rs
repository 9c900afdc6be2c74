//! Health semantics of the running app: the liveness and readiness routes
//! exist, answer 200 quickly and consistently, are never cached, say what
//! they found in a machine-readable body, and are two different routes.

use std::time::Duration;

use super::{finding, ms, percentile, Answer, Client, Options};
use crate::finding::{Category, Finding, Severity, Wording};
use crate::rules::{Check, Rule, RuleMeta};

/// Readiness routes tried when `--readiness` is not given, in order.
pub const READINESS_PATHS: &[&str] = &["/api/health/ready", "/readyz"];
/// Liveness (or combined health) routes tried when `--health` is not given.
pub const LIVENESS_PATHS: &[&str] = &[
    "/api/health/live",
    "/livez",
    "/healthz",
    "/health",
    "/api/health",
];

/// A health answer slower than this at the 95th percentile is reported: a
/// probe with a 1 s timeout (Kubernetes' default) would start failing.
pub const SLOW: Duration = Duration::from_millis(1000);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Liveness,
    Readiness,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Liveness => "liveness",
            Role::Readiness => "readiness",
        }
    }
}

/// The most routes of one role taken from the repository (`check --probe`):
/// a repository with many health-like routes does not eat the request cap.
pub const MAX_REPOSITORY_ROUTES: usize = 4;

/// What the search for one role's route found.
struct Search {
    /// The first route that answered 2xx.
    found: Option<Answer>,
    /// The first route that answered 5xx: it exists and says it is failing
    /// (a readiness route whose back-end is down). The search stops there.
    failing: Option<Answer>,
    /// The first route that answered with a redirect.
    redirect: Option<Answer>,
    /// `GET /path → 404` for every route tried, for messages.
    tried: Vec<String>,
    explicit: bool,
}

/// The paths tried for a role: the one named on the command line alone;
/// otherwise the routes the repository defines (first, they are this app's),
/// then the well-known ones not already among them.
fn candidates(options: &Options, role: Role) -> (Vec<&str>, bool) {
    let (explicit, from_repository, known) = match role {
        Role::Liveness => (
            options.health.as_deref(),
            &options.repository_health,
            LIVENESS_PATHS,
        ),
        Role::Readiness => (
            options.readiness.as_deref(),
            &options.repository_readiness,
            READINESS_PATHS,
        ),
    };
    if let Some(p) = explicit {
        return (vec![p], true);
    }
    let mut paths: Vec<&str> = Vec::new();
    for p in from_repository
        .iter()
        .map(|(p, _)| p.as_str())
        .take(MAX_REPOSITORY_ROUTES)
        .chain(known.iter().copied())
    {
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    (paths, false)
}

fn search(client: &Client, options: &Options, role: Role, answers: &mut Vec<Answer>) -> Search {
    let (paths, is_explicit) = candidates(options, role);
    let mut out = Search {
        found: None,
        failing: None,
        redirect: None,
        tried: Vec::new(),
        explicit: is_explicit,
    };
    for path in paths {
        let url = client.url_of(path);
        match client.get(&url) {
            Ok(answer) => {
                out.tried.push(format!("{path} → {}", answer.status));
                answers.push(answer.clone());
                if (200..300).contains(&answer.status) {
                    out.found = Some(answer);
                    break;
                }
                if (500..600).contains(&answer.status) {
                    out.failing = Some(answer);
                    break;
                }
                if answer.is_redirect() && out.redirect.is_none() {
                    out.redirect = Some(answer);
                }
            }
            Err(e) => out.tried.push(format!("{path} → {e}")),
        }
    }
    out
}

pub fn check(
    client: &Client,
    options: &Options,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<String>,
    answers: &mut Vec<Answer>,
) {
    for (role, paths) in [
        (Role::Liveness, &options.repository_health),
        (Role::Readiness, &options.repository_readiness),
    ] {
        for (path, place) in paths.iter().take(MAX_REPOSITORY_ROUTES) {
            notes.push(format!(
                "{} route {path} from the repository ({place})",
                role.as_str()
            ));
        }
    }
    let live = search(client, options, Role::Liveness, answers);
    let same_route = options.health.is_some() && options.health == options.readiness;
    let ready = if same_route {
        Search {
            found: live.found.clone(),
            failing: live.failing.clone(),
            redirect: None,
            tried: Vec::new(),
            explicit: true,
        }
    } else {
        search(client, options, Role::Readiness, answers)
    };

    // A route that answers 5xx exists and reports a failure: say which of
    // its checks failed, when its body names them.
    for (role, s) in [(Role::Liveness, &live), (Role::Readiness, &ready)] {
        if same_route && role == Role::Readiness {
            continue;
        }
        if let Some(a) = &s.failing {
            findings.push(failing_finding(role, a));
            notes.push(format!("{} {}: {}", role.as_str(), a.url, a.status));
        }
    }

    for (role, s) in [(Role::Liveness, &live), (Role::Readiness, &ready)] {
        // A redirect is the answer of the health route when the route was
        // named, or when nothing else of that role answered.
        if let Some(r) = &s.redirect {
            if s.explicit || s.found.is_none() {
                findings.push(redirect_finding(client, role, r));
            }
        }
        // A named route that does not answer 2xx is missing.
        if s.explicit
            && s.found.is_none()
            && s.failing.is_none()
            && s.redirect.is_none()
            && !(same_route && role == Role::Readiness)
        {
            findings.push(finding(
                &HEALTH_MISSING,
                &client.url_of(explicit_path(options, role)),
                format!(
                    "The {} route given did not answer 2xx: GET {}.",
                    role.as_str(),
                    s.tried.join(", ")
                ),
                MISSING_IMPACT,
                MISSING_FIX,
            ));
        }
    }

    let none_found = live.found.is_none()
        && ready.found.is_none()
        && live.failing.is_none()
        && ready.failing.is_none();
    let any_redirect = live.redirect.is_some() || ready.redirect.is_some();
    if none_found && !any_redirect && !live.explicit && !ready.explicit {
        let tried: Vec<String> = live.tried.iter().chain(&ready.tried).cloned().collect();
        findings.push(finding(
            &HEALTH_MISSING,
            client.base().as_str(),
            format!(
                "No health route answered 2xx; tried GET {}.",
                tried.join(", ")
            ),
            MISSING_IMPACT,
            MISSING_FIX,
        ));
    }

    // Readiness distinct from liveness.
    if same_route {
        if let Some(a) = &live.found {
            findings.push(finding(
                &READINESS_SAME_AS_LIVENESS,
                &a.url,
                format!(
                    "The liveness and the readiness route are the same: {}.",
                    a.url
                ),
                SAME_IMPACT,
                SAME_FIX,
            ));
        }
    } else {
        let lone = match (&live, &ready) {
            (l, r)
                if l.found.is_some()
                    && r.found.is_none()
                    && r.failing.is_none()
                    && r.redirect.is_none()
                    && !r.explicit =>
            {
                l.found.as_ref().map(|a| (a, Role::Readiness, &r.tried))
            }
            (l, r)
                if r.found.is_some()
                    && l.found.is_none()
                    && l.failing.is_none()
                    && l.redirect.is_none()
                    && !l.explicit =>
            {
                r.found.as_ref().map(|a| (a, Role::Liveness, &l.tried))
            }
            _ => None,
        };
        if let Some((a, missing, tried)) = lone {
            findings.push(finding(
                &READINESS_SAME_AS_LIVENESS,
                &a.url,
                format!(
                    "{} answers {}, but no {} route did (tried GET {}): one route serves as both.",
                    a.url,
                    a.status,
                    missing.as_str(),
                    tried.join(", ")
                ),
                SAME_IMPACT,
                SAME_FIX,
            ));
        }
    }

    let mut routes: Vec<(Role, &Answer)> = Vec::new();
    if let Some(a) = &live.found {
        routes.push((Role::Liveness, a));
    }
    if let (Some(a), false) = (&ready.found, same_route) {
        routes.push((Role::Readiness, a));
    }
    for (role, first) in routes {
        route_checks(client, options, role, first, findings, notes, answers);
    }
}

fn failing_finding(role: Role, a: &Answer) -> Finding {
    let failing = failing_checks(&a.body);
    let which = if failing.is_empty() {
        "its body names no failing check".to_string()
    } else {
        format!("failing: {}", failing.join(", "))
    };
    finding(
        &HEALTH_FAILING,
        &a.url,
        format!(
            "The {} route {} answered {} ({which}).",
            role.as_str(),
            a.url,
            a.status
        ),
        "The deployment says it is not healthy: instances are taken out of the balancer (readiness) or restarted (liveness), and the back-end named is down or unreachable from the app.",
        "Bring back the failing back-end (or the app's connection to it), then check the route answers 200 again; alert on this route so the next outage is seen before users see it.",
    )
}

/// The names of the failing checks in a health body: a `failing` list
/// (what `seaworthy fix` writes), or the entries of `checks` whose status is
/// `fail`/`down`/`error` — as a string, an object with `status`, or the list
/// of objects of the IETF health-check draft (`application/health+json`).
pub fn failing_checks(body: &[u8]) -> Vec<String> {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut names: Vec<String> = doc
        .get("failing")
        .and_then(|f| f.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    fn bad(status: Option<&str>) -> bool {
        status.is_some_and(|s| {
            matches!(
                s.to_ascii_lowercase().as_str(),
                "fail" | "failed" | "failing" | "down" | "error" | "unhealthy"
            )
        })
    }
    fn status_of(v: &serde_json::Value) -> Option<&str> {
        match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(o) => o.get("status").and_then(|s| s.as_str()),
            _ => None,
        }
    }
    if let Some(checks) = doc.get("checks").and_then(|c| c.as_object()) {
        for (name, value) in checks {
            let failed = match value {
                serde_json::Value::Array(items) => items.iter().any(|i| bad(status_of(i))),
                other => bad(status_of(other)),
            };
            if failed && !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

fn explicit_path(options: &Options, role: Role) -> &str {
    let path = match role {
        Role::Liveness => options.health.as_deref(),
        Role::Readiness => options.readiness.as_deref(),
    };
    path.unwrap_or("/")
}

fn redirect_finding(client: &Client, role: Role, r: &Answer) -> Finding {
    let location = r.header("location").unwrap_or("(no Location header)");
    let target_host = client
        .base()
        .join(location)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let off_host = target_host
        .as_deref()
        .is_some_and(|h| Some(h) != client.base().host_str());
    let mut meta_message = format!(
        "The {} route {} answered {} with Location: {location}",
        role.as_str(),
        r.url,
        r.status
    );
    if off_host {
        meta_message.push_str(&format!(
            " — another host ({})",
            target_host.unwrap_or_default()
        ));
    }
    meta_message.push('.');
    finding(
        &HEALTH_REDIRECT,
        &r.url,
        meta_message,
        "An orchestrator that follows the redirect checks another service (a login page, a CDN) instead of the app; one that does not (Kubernetes counts any 3xx as success) reports the app healthy whatever its state.",
        "Serve the health route itself with 200 on the app's own host, outside authentication and HTTPS or trailing-slash redirects, and point the checks at the final path.",
    )
}

/// Calls a found route until the sample is complete, then checks caching,
/// the body, consistency and timing.
fn route_checks(
    client: &Client,
    options: &Options,
    role: Role,
    first: &Answer,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<String>,
    answers: &mut Vec<Answer>,
) {
    let mut sample = vec![first.clone()];
    let mut failures = Vec::new();
    for _ in 1..options.samples.max(1) {
        match client.get(&first.url) {
            Ok(a) => {
                answers.push(a.clone());
                sample.push(a);
            }
            Err(e) => failures.push(e),
        }
    }
    let mut times: Vec<Duration> = sample.iter().map(|a| a.elapsed).collect();
    times.sort();
    let (p50, p95) = (percentile(&times, 50), percentile(&times, 95));
    let timing = format!(
        "{} call(s), p50 {}, p95 {}",
        sample.len() + failures.len(),
        ms(p50),
        ms(p95)
    );
    notes.push(format!(
        "{} {}: {} ({timing})",
        role.as_str(),
        first.url,
        first.status
    ));

    // Caching: every answer must forbid it.
    if let Some(bad) = sample.iter().find(|a| !forbids_caching(a)) {
        let shown = match bad.header("cache-control") {
            Some(v) => format!("Cache-Control: {v}"),
            None => "no Cache-Control header".to_string(),
        };
        findings.push(finding(
            &HEALTH_CACHED,
            &first.url,
            format!(
                "The {} route {} answered {} with {shown}.",
                role.as_str(),
                first.url,
                bad.status
            ),
            "A CDN, proxy or the framework's own cache can keep serving a healthy answer after the app or its database is down, so the outage goes unseen.",
            "Send `Cache-Control: no-store` on every health answer (and make the route dynamic in frameworks that cache GET routes).",
        ));
    }

    // The body: JSON a monitor can read.
    if let Some(why) = not_machine_readable(first) {
        findings.push(finding(
            &HEALTH_NOT_JSON,
            &first.url,
            format!("The {} route {} answered {why}.", role.as_str(), first.url),
            "A monitor can only read the status code: it cannot tell which dependency failed, and an error page served with 200 (a proxy's or the framework's) passes as healthy.",
            "Answer `application/health+json` (or `application/json`) with a status and one entry per dependency checked, e.g. `{\"status\":\"pass\",\"checks\":{\"database\":\"pass\"}}`.",
        ));
    }

    // Consistency over the sample.
    let statuses: Vec<String> = sample
        .iter()
        .map(|a| a.status.to_string())
        .chain(failures.iter().map(|e| format!("error ({e})")))
        .collect();
    if !failures.is_empty() || sample.iter().any(|a| a.status != first.status) {
        findings.push(finding(
            &HEALTH_INCONSISTENT,
            &first.url,
            format!(
                "{} calls to the {} route {} answered {}.",
                statuses.len(),
                role.as_str(),
                first.url,
                statuses.join(", ")
            ),
            "A health route that flaps makes the orchestrator restart or drain healthy instances, or keep unhealthy ones, at random.",
            "Find why answers differ (a dependency timing out, an instance behind the balancer that is down) and give each dependency check a timeout shorter than the probe's.",
        ));
    }

    if p95 > SLOW {
        findings.push(finding(
            &HEALTH_SLOW,
            &first.url,
            format!(
                "The {} route {} is slow: {timing} (bound {}).",
                role.as_str(),
                first.url,
                ms(SLOW)
            ),
            "Health checks time out (Kubernetes waits 1 s by default), so healthy instances are restarted or taken out of the balancer under load.",
            "Keep the health route cheap: ping each dependency with its own short timeout, and cache nothing but run no heavy queries.",
        ));
    }
}

/// `Cache-Control` with no-store, no-cache or max-age=0.
fn forbids_caching(a: &Answer) -> bool {
    a.headers
        .iter()
        .filter(|(n, _)| n == "cache-control")
        .flat_map(|(_, v)| v.split(','))
        .map(|d| d.trim().to_ascii_lowercase())
        .any(|d| d == "no-store" || d == "no-cache" || d == "max-age=0")
}

/// Why a health answer is not machine-readable, or `None` when it is JSON.
fn not_machine_readable(a: &Answer) -> Option<String> {
    let content_type = a.header("content-type").unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json_type = media == "application/json" || media.ends_with("+json");
    let parses = serde_json::from_slice::<serde_json::Value>(&a.body).is_ok();
    if is_json_type && parses {
        return None;
    }
    let shown_type = if content_type.is_empty() {
        "no Content-Type".to_string()
    } else {
        format!("Content-Type: {content_type}")
    };
    let text = a.body_text();
    let start: String = text.trim().chars().take(40).collect();
    Some(if parses {
        format!(
            "{} with {shown_type} (the body is JSON, the type does not say so)",
            a.status
        )
    } else if start.is_empty() {
        format!("{} with {shown_type} and an empty body", a.status)
    } else {
        format!(
            "{} with {shown_type} and a body that is not JSON (`{start}`)",
            a.status
        )
    })
}

const MISSING_IMPACT: &str = "Without a health route that answers, the orchestrator and the uptime monitor cannot tell a running app from a broken one: traffic goes to dead instances and outages are found by users.";
const MISSING_FIX: &str = "Serve a liveness route (process up, no dependency checks) and a readiness route (checks the database and every back-end, each with a timeout) that answer 200 with JSON, and point `--health`/`--readiness` at them if they live elsewhere.";
const SAME_IMPACT: &str = "With one route for both, either a database outage restarts every instance (a liveness check that checks back-ends), or instances that cannot reach their back-ends keep receiving traffic (a readiness check that does not).";
const SAME_FIX: &str = "Serve two routes: liveness answers 200 while the process runs; readiness answers 503 while a back-end the app needs (database, Redis) is unreachable. Point the orchestrator's probes at each.";

pub static HEALTH_MISSING: Rule = Rule {
    meta: RuleMeta {
        name: "probe-health-missing",
        code: "SW801",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "No health route answers on the deployment",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
`seaworthy probe URL` asks the running deployment for its health route: the
`--health`/`--readiness` paths given, or else `/api/health/live`, `/livez`,
`/healthz`, `/health`, `/api/health`, `/api/health/ready` and `/readyz`, one
GET each. Reported when none answers 2xx (or the route given does not).

## Why is this bad?
Load balancers, orchestrators and uptime monitors need a route to ask. Without
one, a broken instance keeps receiving traffic.

## Example
Reported: every route tried answers 404.

Not reported: `GET /healthz` answers 200.

## Fix
Serve liveness and readiness routes, or name the existing one with `--health`.
"#,
    },
    check: Check::Meta,
};

pub static HEALTH_CACHED: Rule = Rule {
    meta: RuleMeta {
        name: "probe-health-cached",
        code: "SW802",
        severity: Severity::Medium,
        category: Category::ObservabilityMonitoring,
        title: "Health answer may be cached",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a health route of the running deployment that answers without
`Cache-Control: no-store` (or `no-cache`, or `max-age=0`) in any of the sampled calls.

## Why is this bad?
A cached health answer hides an outage: the CDN or the framework keeps saying
"healthy" after the app or its database went down.

## Example
Reported: `Cache-Control: public, max-age=60`, or no `Cache-Control` at all.

Not reported: `Cache-Control: no-store`.

## Fix
Send `Cache-Control: no-store` on every health answer.
"#,
    },
    check: Check::Meta,
};

pub static HEALTH_NOT_JSON: Rule = Rule {
    meta: RuleMeta {
        name: "probe-health-not-json",
        code: "SW803",
        severity: Severity::Low,
        category: Category::ObservabilityMonitoring,
        title: "Health answer is not machine-readable",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a health route whose answer is not JSON: its `Content-Type` is not
`application/json` or `application/health+json`, or its body does not parse.

## Why is this bad?
Only the status code is left to read: nobody can tell which dependency failed,
and an HTML error page served with 200 passes as healthy.

## Example
Reported: `Content-Type: text/html` and `<html>OK</html>`.

Not reported: `Content-Type: application/health+json` and `{"status":"pass"}`.

## Fix
Answer JSON with a status and one entry per dependency checked.
"#,
    },
    check: Check::Meta,
};

pub static HEALTH_INCONSISTENT: Rule = Rule {
    meta: RuleMeta {
        name: "probe-health-inconsistent",
        code: "SW804",
        severity: Severity::Medium,
        category: Category::ObservabilityMonitoring,
        title: "Health route answers inconsistently",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Calls each health route found a few times (5 by default) and reports it when
the answers' status codes differ or a call fails.

## Why is this bad?
A flapping health route makes the orchestrator restart or drain instances at
random, and hides which instance is really broken.

## Example
Reported: 200, 200, 503, 200, 200.

Not reported: 200 five times.

## Fix
Give each dependency check a timeout shorter than the probe's and find the
instance or dependency that fails.
"#,
    },
    check: Check::Meta,
};

pub static HEALTH_SLOW: Rule = Rule {
    meta: RuleMeta {
        name: "probe-health-slow",
        code: "SW805",
        severity: Severity::Low,
        category: Category::ObservabilityMonitoring,
        title: "Health route is slow",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Times the sampled calls to each health route and reports it when the 95th
percentile is above 1 s (Kubernetes' default probe timeout).

## Why is this bad?
Probes time out under load and healthy instances are restarted or drained.

## Example
Reported: p50 400 ms, p95 1 800 ms.

Not reported: p50 3 ms, p95 8 ms.

## Fix
Keep health checks cheap, with a short timeout per dependency.
"#,
    },
    check: Check::Meta,
};

pub static READINESS_SAME_AS_LIVENESS: Rule = Rule {
    meta: RuleMeta {
        name: "probe-readiness-same-as-liveness",
        code: "SW806",
        severity: Severity::Low,
        category: Category::ObservabilityMonitoring,
        title: "Readiness is not distinct from liveness",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a deployment where one route serves as both liveness and readiness:
`--health` and `--readiness` name the same path, or only one of the two
kinds of route answers.

## Why is this bad?
A liveness check that checks the database restarts every instance during a
database outage; a readiness check that does not keeps sending traffic to
instances that cannot serve it.

## Example
Reported: `/healthz` answers 200, `/readyz` and `/api/health/ready` answer 404.

Not reported: `/api/health/live` and `/api/health/ready` both answer 200.

## Fix
Serve a liveness route (process up) and a readiness route (back-ends reachable).
"#,
    },
    check: Check::Meta,
};

pub static HEALTH_FAILING: Rule = Rule {
    meta: RuleMeta {
        name: "probe-health-failing",
        code: "SW808",
        severity: Severity::High,
        category: Category::ObservabilityMonitoring,
        title: "Health route reports a failure",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a liveness or readiness route that answers 5xx, naming the checks its
JSON body says failed: a `failing` list (what `seaworthy fix` writes), or the
entries of `checks` whose status is `fail`, `down` or `error`.

## Why is this bad?
The deployment itself says a back-end it needs is down: the orchestrator takes
the instances out of the balancer, and users see errors.

## Example
Reported: `GET /api/health/ready` answers 503 with
`{"status":"fail","failing":["redis"],…}` — "failing: redis".

Not reported: the route answers 200.

## Fix
Bring the failing back-end back (or the app's connection to it), and alert on
the readiness route.
"#,
    },
    check: Check::Meta,
};

pub static HEALTH_REDIRECT: Rule = Rule {
    meta: RuleMeta {
        name: "probe-health-redirect",
        code: "SW807",
        severity: Severity::Medium,
        category: Category::ObservabilityMonitoring,
        title: "Health route redirects",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a health route that answers with a redirect (the route given, or the
first candidate of its kind when none answered 2xx), naming the target and
whether it is another host. The probe never follows redirects.

## Why is this bad?
Kubernetes counts any 3xx as healthy without following it off the host; other
checkers follow it and test a login page or a CDN instead of the app.

## Example
Reported: `GET /readyz` answers 302 with `Location: https://login.example.com/`.

Not reported: `GET /readyz` answers 200.

## Fix
Serve the health route with 200 on the app's own host, outside authentication.
"#,
    },
    check: Check::Meta,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_checks_of_each_body_shape() {
        // What `seaworthy fix` writes: a `failing` list and the checks.
        assert_eq!(
            failing_checks(br#"{"status":"fail","failing":["redis"],"checks":{"redis":{"status":"fail"},"database":{"status":"pass"}}}"#),
            vec!["redis"]
        );
        // Plain strings, and the IETF draft's lists of objects.
        assert_eq!(
            failing_checks(br#"{"checks":{"db":"down","cache":"ok","queue:responseTime":[{"status":"pass"},{"status":"fail"}]}}"#),
            vec!["db", "queue:responseTime"]
        );
        assert!(failing_checks(b"<html>Bad Gateway</html>").is_empty());
        assert!(failing_checks(br#"{"status":"fail"}"#).is_empty());
    }
}
