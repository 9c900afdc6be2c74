//! What the deployment shows that it should not: software versions in
//! headers, well-known files that must never be served, and framework debug
//! pages. A fixed, short list of GETs; a file counts as served only when its
//! body looks like that file (an SPA answers 200 with its index for any path).

use super::{finding, Answer, Client};
use crate::finding::{Category, Finding, Severity, Wording};
use crate::rules::{Check, Rule, RuleMeta};

/// Files that must never be served, and how to recognise each one's body.
pub const SENSITIVE_FILES: &[(&str, FileKind)] = &[
    ("/.env", FileKind::Env),
    ("/.git/config", FileKind::GitConfig),
    ("/.git/HEAD", FileKind::GitHead),
    ("/server.js.map", FileKind::SourceMap),
];

/// A path no app serves, to see what a 404 looks like.
pub const NOT_FOUND_PATH: &str = "/seaworthy-probe-not-found";

#[derive(Clone, Copy, Debug)]
pub enum FileKind {
    Env,
    GitConfig,
    GitHead,
    SourceMap,
}

pub fn check(
    client: &Client,
    answers: &[Answer],
    findings: &mut Vec<Finding>,
    _notes: &mut Vec<String>,
) {
    version_headers(answers, findings);
    for (path, kind) in SENSITIVE_FILES {
        let url = client.url_of(path);
        let Ok(answer) = client.get(&url) else {
            continue;
        };
        if (200..300).contains(&answer.status) && looks_like(*kind, &answer.body_text()) {
            let (severity, what) = match kind {
                FileKind::Env => (Severity::Critical, "an environment file (secrets)"),
                FileKind::GitConfig | FileKind::GitHead => (
                    Severity::Critical,
                    "the Git repository (the whole source and its history can be downloaded)",
                ),
                FileKind::SourceMap => (Severity::High, "a source map of server code"),
            };
            let mut f = finding(
                &SENSITIVE_FILE_SERVED,
                &url,
                format!("GET {url} answered {} with {what}.", answer.status),
                "Anyone can download it: secrets (database URLs, API keys) and source code leak, and with them every other defence.",
                "Serve only the build output (a `public/` or `dist/` folder), never the project directory; deny dotfiles and `*.map` at the proxy; rotate every secret the file held.",
            );
            f.severity = severity;
            findings.push(f);
        }
    }
    let url = client.url_of(NOT_FOUND_PATH);
    if let Ok(answer) = client.get(&url) {
        if let Some(marker) = debug_marker(&answer.body_text()) {
            findings.push(finding(
                &DEBUG_PAGE_SERVED,
                &url,
                format!(
                    "GET {url} answered {} with a framework debug page (`{marker}`).",
                    answer.status
                ),
                "Debug pages show stack traces, settings, routes and sometimes an interactive console: a map of the app and often a way in.",
                "Turn debug mode off in production (`DEBUG=False`, `APP_DEBUG=false`, `NODE_ENV=production`) and serve a plain error page.",
            ));
        }
    }
}

/// `X-Powered-By` (any value) and `Server` values with a version number.
fn version_headers(answers: &[Answer], findings: &mut Vec<Finding>) {
    let mut seen: Vec<(String, String)> = Vec::new();
    for a in answers {
        for (name, value) in &a.headers {
            let leaks = match name.as_str() {
                "x-powered-by" | "x-aspnet-version" | "x-aspnetmvc-version" => true,
                "server" => has_version(value),
                _ => false,
            };
            if leaks && !seen.iter().any(|(n, v)| n == name && v == value) {
                seen.push((name.clone(), value.clone()));
                findings.push(finding(
                    &VERSION_HEADER,
                    &a.url,
                    format!("{} answered `{}: {value}`.", a.url, display_name(name)),
                    "The header tells an attacker which software (and which version) to look up known vulnerabilities for; it costs nothing to remove.",
                    "Remove the header: `app.disable('x-powered-by')` (Express), `poweredByHeader: false` (Next.js), `server_tokens off;` (nginx), `ServerTokens Prod` (Apache).",
                ));
            }
        }
    }
}

fn display_name(lower: &str) -> String {
    lower
        .split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `nginx/1.18.0`, `Apache/2.4.41 (Ubuntu)`: a product token with a digit
/// after its slash. `nginx` or `cloudflare` alone say no version.
fn has_version(value: &str) -> bool {
    value.split_whitespace().any(|token| {
        token
            .split_once('/')
            .is_some_and(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
    })
}

fn looks_like(kind: FileKind, body: &str) -> bool {
    let trimmed = body.trim_start();
    if trimmed.starts_with('<') {
        // HTML: an SPA's index or an error page, not the file.
        return false;
    }
    match kind {
        FileKind::Env => body.lines().any(|l| {
            let l = l.trim();
            let l = l.strip_prefix("export ").unwrap_or(l);
            l.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
        }),
        FileKind::GitConfig => body.contains("[core]") || body.contains("[remote "),
        FileKind::GitHead => {
            trimmed.starts_with("ref: refs/")
                || (trimmed.len() >= 40 && trimmed[..40].chars().all(|c| c.is_ascii_hexdigit()))
        }
        FileKind::SourceMap => serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .is_some_and(|v| v.get("mappings").is_some() && v.get("version").is_some()),
    }
}

/// A phrase only a framework's debug page prints.
fn debug_marker(body: &str) -> Option<&'static str> {
    const MARKERS: &[&str] = &[
        "You're seeing this error because you have <code>DEBUG = True</code>",
        "Werkzeug Debugger",
        "Whoops! There was an error.",
        "Action Controller: Exception caught",
        "Routing Error</h1>",
        "Symfony Exception",
    ];
    MARKERS.iter().copied().find(|m| body.contains(m))
}

pub static VERSION_HEADER: Rule = Rule {
    meta: RuleMeta {
        name: "probe-version-header",
        code: "SW811",
        severity: Severity::Low,
        category: Category::Configuration,
        title: "Response headers reveal the software version",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports `X-Powered-By` (any value), `X-AspNet-Version`, and a `Server` header
that carries a version (`nginx/1.18.0`) in any answer of the probed deployment.

## Why is this bad?
It tells an attacker which known vulnerabilities to try.

## Example
Reported: `X-Powered-By: Express`, `Server: nginx/1.18.0`.

Not reported: `Server: nginx`.

## Fix
`app.disable('x-powered-by')`, `poweredByHeader: false`, `server_tokens off;`.
"#,
    },
    check: Check::Meta,
};

pub static SENSITIVE_FILE_SERVED: Rule = Rule {
    meta: RuleMeta {
        name: "probe-sensitive-file-served",
        code: "SW812",
        severity: Severity::Critical,
        category: Category::Configuration,
        title: "A file that must never be public is served",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Asks the deployment for a fixed list of files — `/.env`, `/.git/config`,
`/.git/HEAD`, `/server.js.map` — one GET each, and reports a 2xx answer whose
body looks like that file (HTML fallbacks of single-page apps are not).
A source map is reported as high, the others as critical.

## Why is this bad?
Secrets and source code can be downloaded by anyone.

## Example
Reported: `GET /.env` answers 200 with `DATABASE_URL=postgres://…`.

Not reported: `GET /.env` answers 404, or 200 with the app's `index.html`.

## Fix
Serve only the build output, deny dotfiles and `*.map` at the proxy, and
rotate the secrets that were exposed.
"#,
    },
    check: Check::Meta,
};

pub static DEBUG_PAGE_SERVED: Rule = Rule {
    meta: RuleMeta {
        name: "probe-debug-page-served",
        code: "SW813",
        severity: Severity::Medium,
        category: Category::Configuration,
        title: "A framework debug page is served",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Asks the deployment for a path that does not exist and reports the answer
when it is a framework's debug page (Django's `DEBUG = True` page, Werkzeug,
Laravel's Whoops, Rails' routing error, Symfony's exception page).

## Why is this bad?
Debug pages print stack traces, settings and routes, sometimes a console.

## Example
Reported: the 404 page says "You're seeing this error because you have `DEBUG = True`".

Not reported: a plain 404 page.

## Fix
Turn debug mode off in production.
"#,
    },
    check: Check::Meta,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_in_server_headers() {
        assert!(has_version("nginx/1.18.0"));
        assert!(has_version("Apache/2.4.41 (Ubuntu)"));
        assert!(!has_version("nginx"));
        assert!(!has_version("cloudflare"));
        assert!(!has_version("AmazonS3"));
    }

    #[test]
    fn files_are_recognised_by_their_body() {
        assert!(looks_like(
            FileKind::Env,
            "# db\nDATABASE_URL=postgres://x\n"
        ));
        assert!(!looks_like(
            FileKind::Env,
            "<!doctype html><html>A=1</html>"
        ));
        assert!(looks_like(FileKind::GitHead, "ref: refs/heads/main\n"));
        assert!(looks_like(FileKind::GitConfig, "[core]\n\tbare = false\n"));
        assert!(looks_like(
            FileKind::SourceMap,
            r#"{"version":3,"sources":[],"mappings":""}"#
        ));
        assert!(!looks_like(FileKind::SourceMap, "{}"));
    }
}
