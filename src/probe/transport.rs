//! Transport: plain HTTP redirects to HTTPS, and HTTPS answers carry HSTS.
//! Checked only where the deployment shows it speaks HTTPS: the URL given is
//! `https://`, or its plain-HTTP answer redirects to `https://` on the same
//! host. A local `http://127.0.0.1:3000` is never asked for HTTPS.

use super::{finding, Answer, Client};
use crate::finding::{Category, Finding, Severity, Wording};
use crate::rules::{Check, Rule, RuleMeta};

/// HSTS shorter than this (180 days) protects too briefly to count.
pub const MIN_HSTS_SECONDS: u64 = 180 * 24 * 3600;

pub fn check(client: &Client, root: &Answer, findings: &mut Vec<Finding>, notes: &mut Vec<String>) {
    let base = client.base();
    match base.scheme() {
        "https" => {
            hsts(root, findings);
            // The plain-HTTP twin is only known on the default ports.
            if base.port().is_some() {
                return;
            }
            let mut twin = base.clone();
            if twin.set_scheme("http").is_err() {
                return;
            }
            match client.get(twin.as_str()) {
                Ok(a) => {
                    let location = a.header("location").unwrap_or("");
                    let to_https =
                        a.is_redirect() && base.join(location).is_ok_and(|u| u.scheme() == "https");
                    if !to_https {
                        findings.push(finding(
                            &HTTP_NOT_REDIRECTED,
                            twin.as_str(),
                            if a.is_redirect() {
                                format!("GET {twin} answered {} to `{location}`, not to HTTPS.", a.status)
                            } else {
                                format!("GET {twin} answered {} over plain HTTP instead of redirecting to HTTPS.", a.status)
                            },
                            "Visitors and clients that type or link the http:// address send cookies and credentials unencrypted, and can be served a tampered page.",
                            "Answer every plain-HTTP request with a 301 (or 308) to the same path over HTTPS, at the load balancer or proxy.",
                        ));
                    }
                }
                Err(e) => notes.push(format!("{twin}: not served over plain HTTP ({e})")),
            }
        }
        _ => {
            // Plain HTTP given: follow one redirect to HTTPS on the same host
            // to see its HSTS, nothing else.
            if !root.is_redirect() {
                return;
            }
            let Some(target) = root.header("location").and_then(|l| base.join(l).ok()) else {
                return;
            };
            if target.scheme() != "https" || target.host_str() != base.host_str() {
                return;
            }
            match client.get(target.as_str()) {
                Ok(a) => hsts(&a, findings),
                Err(e) => notes.push(format!("{target}: {e}")),
            }
        }
    }
}

fn hsts(a: &Answer, findings: &mut Vec<Finding>) {
    let problem = match a.header("strict-transport-security") {
        None => Some(format!(
            "{} answered over HTTPS without Strict-Transport-Security.",
            a.url
        )),
        Some(v) => match max_age(v) {
            Some(age) if age >= MIN_HSTS_SECONDS => None,
            _ => Some(format!(
                "{} answered `Strict-Transport-Security: {v}` (max-age under {} days).",
                a.url,
                MIN_HSTS_SECONDS / 86400
            )),
        },
    };
    if let Some(message) = problem {
        findings.push(finding(
            &NO_HSTS,
            &a.url,
            message,
            "Without HSTS the browser's first request of each visit may go over plain HTTP, where it can be intercepted and downgraded.",
            "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS answer.",
        ));
    }
}

fn max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|d| {
        let (k, v) = d.trim().split_once('=')?;
        if k.trim().eq_ignore_ascii_case("max-age") {
            v.trim().trim_matches('"').parse().ok()
        } else {
            None
        }
    })
}

pub static HTTP_NOT_REDIRECTED: Rule = Rule {
    meta: RuleMeta {
        name: "probe-http-not-redirected",
        code: "SW821",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Plain HTTP is not redirected to HTTPS",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
For an `https://` URL on the default port, asks the same host over plain
`http://` (one GET) and reports an answer that is not a redirect to HTTPS.
A host that does not listen on port 80 at all is not reported.

## Why is this bad?
Requests over plain HTTP carry cookies and credentials unencrypted.

## Example
Reported: `GET http://app.example.com/` answers 200.

Not reported: it answers 301 with `Location: https://app.example.com/`.

## Fix
Redirect every plain-HTTP request to HTTPS with a 301 or 308.
"#,
    },
    check: Check::Meta,
};

pub static NO_HSTS: Rule = Rule {
    meta: RuleMeta {
        name: "probe-no-hsts",
        code: "SW822",
        severity: Severity::Low,
        category: Category::ContainerizationDeployment,
        title: "HTTPS answers without HSTS",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports an HTTPS answer of the deployment (the URL given, or the HTTPS
target its plain-HTTP address redirects to) without
`Strict-Transport-Security`, or with a `max-age` under 180 days.

## Why is this bad?
The first request of a visit can be downgraded to plain HTTP.

## Example
Reported: no `Strict-Transport-Security` header.

Not reported: `Strict-Transport-Security: max-age=31536000; includeSubDomains`.

## Fix
Send `Strict-Transport-Security: max-age=31536000; includeSubDomains`.
"#,
    },
    check: Check::Meta,
};

#[cfg(test)]
mod tests {
    use super::max_age;

    #[test]
    fn hsts_max_age() {
        assert_eq!(
            max_age("max-age=31536000; includeSubDomains"),
            Some(31536000)
        );
        assert_eq!(max_age("includeSubDomains; Max-Age=\"60\""), Some(60));
        assert_eq!(max_age("preload"), None);
    }
}
