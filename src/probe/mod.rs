//! `seaworthy probe`: checks a running deployment, read-only and bounded, and
//! reports in the same finding model as `check`.
//!
//! ```text
//! URL → client (GET/HEAD, no redirects, capped) → health · exposure · transport → Report
//! ```
//!
//! Every request goes to the host of the URL given (or to its `http://` /
//! `https://` twin for the transport checks), sends no credentials, no cookies
//! and no body, and never follows a redirect: a redirect is an observation.
//! The number of requests has a hard cap, each one a timeout.

pub mod backups;
pub mod credentials;
pub mod exposure;
pub mod health;
pub mod repository;
pub mod tls;
pub mod transport;

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::audit::Report;
use crate::finding::{Finding, Location};
use crate::rules::Rule;
use crate::score;

/// What to probe and how hard.
#[derive(Debug, Clone)]
pub struct Options {
    /// The deployment's base URL (`https://app.example.com`).
    pub url: String,
    /// The liveness route; found among well-known paths when not given.
    pub health: Option<String>,
    /// The readiness route; found among well-known paths when not given.
    pub readiness: Option<String>,
    /// Liveness routes the repository defines, as (path, where), tried
    /// before the well-known paths (`check --probe`).
    pub repository_health: Vec<(String, String)>,
    /// Readiness routes the repository defines, likewise.
    pub repository_readiness: Vec<(String, String)>,
    /// Per request: connect, send and read together.
    pub timeout: Duration,
    /// Calls made to each health route found, for consistency and timing.
    pub samples: usize,
    /// More trusted roots (PEM), for deployments behind a private CA.
    pub ca_cert: Option<std::path::PathBuf>,
    /// `s3://BUCKET/PREFIX` where the backups are stored, checked when given.
    pub backups: Option<String>,
    /// Where the repository names `backups` (`check --probe`), for reports.
    pub backups_named_in: Option<String>,
    /// An S3-compatible endpoint (path-style addressing) instead of AWS.
    pub endpoint_url: Option<String>,
    /// The newest backup may be this old.
    pub max_backup_age: Duration,
}

impl Options {
    pub fn new(url: impl Into<String>) -> Options {
        Options {
            url: url.into(),
            health: None,
            readiness: None,
            repository_health: Vec::new(),
            repository_readiness: Vec::new(),
            timeout: Duration::from_secs(5),
            samples: 5,
            ca_cert: None,
            backups: None,
            backups_named_in: None,
            endpoint_url: None,
            max_backup_age: Duration::from_secs(backups::DEFAULT_MAX_AGE_HOURS * 3600),
        }
    }
}

/// The hard cap on requests of one probe: the fixed lists below and the
/// health samples fit in it with room to spare.
/// The S3 calls of `--backups` count against it too; the deployment itself
/// is sent at most `MAX_HTTP_REQUESTS` of them.
pub const MAX_REQUESTS: usize = MAX_HTTP_REQUESTS + backups::MAX_BACKUP_REQUESTS;

/// The most requests sent to the deployment's host.
pub const MAX_HTTP_REQUESTS: usize = 40;

/// The whole probe may last this many request timeouts: a deployment that
/// hangs on every path costs minutes at most, never an hour.
pub const TIME_BUDGET_TIMEOUTS: u32 = 12;

/// The most of a response body read: enough to recognise a health answer or
/// a leaked file, never a whole download.
const MAX_BODY: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ProbeFailure {
    #[error("{0}: not a URL: {1}")]
    BadUrl(String, String),
    #[error("{0}: only http:// and https:// URLs can be probed")]
    BadScheme(String),
    #[error("{0}: cannot use it as a CA certificate: {1}")]
    CaCert(String, String),
    #[error("{0}")]
    Backups(String),
    #[error("{url}: unreachable: {message}")]
    Unreachable { url: String, message: String },
}

/// The result of a probe: the report (as `check` makes it) and notes for
/// people (timings, routes found) that are not findings.
pub struct Outcome {
    pub report: Report,
    pub notes: Vec<String>,
}

/// One answer, as much of it as the checks need.
#[derive(Debug, Clone)]
pub struct Answer {
    pub url: String,
    pub status: u16,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// At most `MAX_BODY` bytes.
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The bounded, read-only HTTP client every check goes through.
pub struct Client {
    agent: ureq::Agent,
    base: url::Url,
    sent: Cell<usize>,
    /// No request starts after this: the whole probe is bounded in time
    /// as well as in requests.
    deadline: Instant,
    /// Every request made, as `METHOD URL`, for the report's notes and tests.
    log: RefCell<Vec<String>>,
}

impl Client {
    pub fn new(base: url::Url, timeout: Duration, tls: Arc<rustls::ClientConfig>) -> Client {
        let agent = ureq::AgentBuilder::new()
            .tls_config(tls)
            .timeout(timeout)
            .redirects(0)
            .user_agent(concat!("seaworthy-probe/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent,
            base,
            sent: Cell::new(0),
            deadline: Instant::now() + timeout * TIME_BUDGET_TIMEOUTS,
            log: RefCell::new(Vec::new()),
        }
    }

    pub fn base(&self) -> &url::Url {
        &self.base
    }

    /// The URL of `path` on the probed host.
    pub fn url_of(&self, path: &str) -> String {
        match self.base.join(path) {
            Ok(u) => u.to_string(),
            Err(_) => format!("{}{}", self.base.as_str().trim_end_matches('/'), path),
        }
    }

    /// GET `url`, which must be on the probed host (or its other-scheme twin).
    /// `Err` is a transport failure (refused, timeout, TLS) or the cap.
    pub fn get(&self, url: &str) -> Result<Answer, String> {
        self.send("GET", url)
    }

    /// Counts one request made by another client (the S3 calls of
    /// `--backups`) against the cap and the time budget.
    pub fn spend(&self) -> Result<(), String> {
        if self.sent.get() >= MAX_REQUESTS {
            return Err(format!("request cap of {MAX_REQUESTS} reached"));
        }
        if Instant::now() >= self.deadline {
            return Err(format!(
                "time budget of {TIME_BUDGET_TIMEOUTS} request timeouts spent"
            ));
        }
        self.sent.set(self.sent.get() + 1);
        Ok(())
    }

    fn send(&self, method: &str, url: &str) -> Result<Answer, String> {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        if parsed.host_str() != self.base.host_str() {
            // A programming error, never an input: checks only build URLs on
            // the probed host. Refuse rather than send.
            return Err(format!("{url} is not on the probed host"));
        }
        if self.sent.get() >= MAX_REQUESTS || self.log.borrow().len() >= MAX_HTTP_REQUESTS {
            return Err(format!("request cap of {MAX_HTTP_REQUESTS} reached"));
        }
        if Instant::now() >= self.deadline {
            return Err(format!(
                "time budget of {TIME_BUDGET_TIMEOUTS} request timeouts spent"
            ));
        }
        self.sent.set(self.sent.get() + 1);
        self.log.borrow_mut().push(format!("{method} {url}"));
        let started = Instant::now();
        let response = match self.agent.request(method, url).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(describe(&t)),
        };
        let status = response.status();
        let headers = response
            .headers_names()
            .into_iter()
            .flat_map(|name| {
                let values: Vec<String> =
                    response.all(&name).iter().map(|v| v.to_string()).collect();
                values
                    .into_iter()
                    .map(move |v| (name.to_ascii_lowercase(), v))
            })
            .collect();
        let mut body = Vec::new();
        if method != "HEAD" {
            // A body cut by the timeout is kept as far as it came.
            let _ = response.into_reader().take(MAX_BODY).read_to_end(&mut body);
        }
        Ok(Answer {
            url: url.to_string(),
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.borrow().clone()
    }
}

/// A transport error in one line, without ureq's nesting.
fn describe(t: &ureq::Transport) -> String {
    let mut text = t.to_string();
    // "http://127.0.0.1:1/: Connection Failed: Connect error: Connection refused (os error 111)"
    if let Some(i) = text.find(": ") {
        if text[..i].contains("://") {
            text = text[i + 2..].to_string();
        }
    }
    text
}

/// Parses and checks the URL given on the command line.
pub fn parse_url(raw: &str) -> Result<url::Url, ProbeFailure> {
    let url =
        url::Url::parse(raw).map_err(|e| ProbeFailure::BadUrl(raw.to_string(), e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ProbeFailure::BadScheme(raw.to_string()));
    }
    if url.host_str().is_none() {
        return Err(ProbeFailure::BadUrl(raw.to_string(), "no host".to_string()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // The probe sends no credentials, so it refuses to carry them.
        return Err(ProbeFailure::BadUrl(
            raw.to_string(),
            "credentials in the URL are not sent; remove them".to_string(),
        ));
    }
    Ok(url)
}

/// A finding of a probe rule about what `url` answered.
pub fn finding(rule: &Rule, url: &str, message: String, impact: &str, fix: &str) -> Finding {
    rule.meta.finding(
        None,
        message,
        impact.to_string(),
        fix.to_string(),
        vec![Location::new(url, 1)],
    )
}

/// Runs every probe check against `options.url`.
pub fn run(options: &Options) -> Result<Outcome, ProbeFailure> {
    let base = parse_url(&options.url)?;
    let ca_error = |e: String| {
        let shown = options
            .ca_cert
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        ProbeFailure::CaCert(shown, e)
    };
    // Checked before anything is sent: missing credentials are an error of
    // the command line, not a finding.
    let backup_setup = match &options.backups {
        Some(b) => {
            let mut setup =
                backups::Setup::new(b, options.endpoint_url.as_deref(), options.max_backup_age)?;
            setup.named_in = options.backups_named_in.clone();
            Some(setup)
        }
        None => None,
    };
    let roots = tls::roots(options.ca_cert.as_deref()).map_err(ca_error)?;
    let tls_config = tls::client_config(&roots).map_err(ca_error)?;
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let mut invalid_certificate = false;
    if base.scheme() == "https" {
        let seen = tls::check(&base, &roots, options.timeout);
        findings.extend(seen.findings);
        notes.extend(seen.notes);
        invalid_certificate = seen.invalid;
    }
    let client = Client::new(base, options.timeout, tls_config.clone());
    // The first answer proves the deployment is reachable; a failure here is
    // the whole probe's failure (exit 2), not a finding, unless the
    // certificate already explains it.
    match client.get(client.base().as_str()) {
        Ok(root) => {
            let mut answers = vec![root.clone()];
            health::check(&client, options, &mut findings, &mut notes, &mut answers);
            exposure::check(&client, &answers, &mut findings, &mut notes);
            transport::check(&client, &root, &mut findings, &mut notes);
        }
        Err(message) if invalid_certificate => notes.push(format!(
            "{}: {message}; nothing else was asked, the certificate is not valid",
            options.url
        )),
        Err(message) => {
            return Err(ProbeFailure::Unreachable {
                url: options.url.clone(),
                message,
            })
        }
    }
    let mut verification = None;
    if let Some(setup) = &backup_setup {
        verification = Some(backups::check(
            setup,
            &client,
            tls_config,
            options.timeout,
            &mut findings,
            &mut notes,
        )?);
    }
    crate::audit::sort_findings(&mut findings);
    let origin = client.base().origin().ascii_serialization();
    let requests = client.requests();
    notes.push(format!(
        "{} request(s) to {origin}: {}",
        requests.len(),
        requests
            .iter()
            .map(|r| r.replacen(&origin, "", 1))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let scores = score::compute(&[], &findings);
    Ok(Outcome {
        report: Report {
            root: options.url.clone(),
            apps: Vec::new(),
            findings,
            errors: Vec::new(),
            suppressed: 0,
            baseline_matched: 0,
            scores,
            config: None,
            backups: verification,
        },
        notes,
    })
}

/// The p-th percentile of a sorted sample.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // Nearest rank: the smallest value with at least p% of the sample at or below it.
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// Milliseconds for messages.
pub fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let sample: Vec<Duration> = [1, 2, 3, 4, 50]
            .iter()
            .map(|m| Duration::from_millis(*m))
            .collect();
        assert_eq!(percentile(&sample, 50), Duration::from_millis(3));
        assert_eq!(percentile(&sample, 95), Duration::from_millis(50));
        assert_eq!(percentile(&[], 95), Duration::ZERO);
    }

    #[test]
    fn urls_are_checked() {
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("not a url").is_err());
        assert!(parse_url("https://user:pw@example.com").is_err());
        assert!(parse_url("https://example.com").is_ok());
    }
}
