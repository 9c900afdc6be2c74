//! `seaworthy probe` against real HTTP servers on the loopback address,
//! started by each test with hand-written answers. Every server records the
//! requests it received, so each test can assert that the probe asked only
//! for the fixed list, with GET or HEAD, and nothing else.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

mod common;

use common::http::{HttpServer, Reply, HANG};

/// An answer: status, headers, body.
type Answer = Reply;

/// The deployment: answers by path, and asserts that no request carries
/// credentials, cookies or a payload.
struct Server {
    http: HttpServer,
}

impl Server {
    /// Serves `answer(path, n)` for every request, `n` counting the requests
    /// to that path so far (from 0).
    fn start(answer: fn(&str, usize) -> Answer) -> Server {
        Server {
            http: HttpServer::start(move |r, n| {
                check_sent_nothing(r);
                answer(&r.target, n)
            }),
        }
    }

    fn url(&self) -> String {
        self.http.url()
    }

    fn requests(&self) -> Vec<String> {
        self.http.requests()
    }
}

/// No credentials, cookies or payloads, ever.
fn check_sent_nothing(r: &common::http::Request) {
    for name in ["authorization", "cookie", "content-length"] {
        assert!(r.header(name).is_none(), "the probe sent `{name}`");
    }
}

const NOT_FOUND: Answer = (404, vec![], "Not Found");

fn health_json(status: u16) -> Answer {
    (
        status,
        vec![
            ("Content-Type", "application/health+json"),
            ("Cache-Control", "no-store"),
        ],
        if status == 200 {
            r#"{"status":"pass","checks":{"database":"pass"}}"#
        } else {
            r#"{"status":"fail","checks":{"database":"fail"}}"#
        },
    )
}

fn good(path: &str, _n: usize) -> Answer {
    match path {
        "/" => (
            200,
            vec![("Content-Type", "text/html"), ("Server", "nginx")],
            "<!doctype html><html>shop</html>",
        ),
        "/api/health/live" | "/api/health/ready" => health_json(200),
        // A single-page app answers its index for any path: not a leak.
        "/.env" | "/.git/config" => (
            200,
            vec![("Content-Type", "text/html")],
            "<!doctype html><html>shop</html>",
        ),
        _ => (404, vec![], "Not Found"),
    }
}

fn bad(path: &str, _n: usize) -> Answer {
    match path {
        "/" => (
            200,
            vec![
                ("Content-Type", "text/html"),
                ("X-Powered-By", "Express"),
                ("Server", "nginx/1.18.0"),
            ],
            "<html>shop</html>",
        ),
        "/healthz" => (
            200,
            vec![
                ("Content-Type", "text/html"),
                ("Cache-Control", "public, max-age=60"),
            ],
            "<html><body>OK</body></html>",
        ),
        "/readyz" => (
            302,
            vec![("Location", "http://login.example.invalid/sso?next=/readyz")],
            "",
        ),
        "/.env" => (
            200,
            vec![("Content-Type", "text/plain")],
            "DATABASE_URL=postgres://app:secret@db/app\nSESSION_SECRET=hunter2\n",
        ),
        _ => NOT_FOUND,
    }
}

fn flapping(path: &str, n: usize) -> Answer {
    match path {
        "/api/health/live" => health_json(200),
        "/api/health/ready" => health_json(if n == 2 { 503 } else { 200 }),
        _ => NOT_FOUND,
    }
}

fn probe(args: &[&str]) -> (i32, Value, String) {
    probe_with_timeout(args, "5")
}

fn probe_with_timeout(args: &[&str], timeout: &str) -> (i32, Value, String) {
    let out = common::seaworthy()
        .arg("probe")
        .args(args)
        .args(["--format", "json", "--timeout", timeout])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["locations"][0]["path"].as_str().unwrap_or("").to_string(),
                        f["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The only requests the probe may make (with these defaults).
use common::http::PROBE_PATHS as ALLOWED_PATHS;

fn assert_only_allowed(requests: &[String]) {
    assert!(requests.len() <= 40, "{} requests", requests.len());
    for r in requests {
        let (method, path) = r.split_once(' ').expect("method and path");
        assert!(method == "GET" || method == "HEAD", "{r}");
        assert!(ALLOWED_PATHS.contains(&path), "unexpected request {r}");
    }
}

#[test]
fn a_good_deployment_has_no_findings() {
    let server = Server::start(good);
    let (code, report, stderr) = probe(&[&server.url()]);
    assert_eq!(findings(&report), vec![], "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["root"], server.url());
    // Timing notes on stderr: five calls per route, p50 and p95.
    assert!(stderr.contains("liveness"), "{stderr}");
    assert!(stderr.contains("p95"), "{stderr}");
    let requests = server.requests();
    assert_only_allowed(&requests);
    let count = |p: &str| {
        requests
            .iter()
            .filter(|r| *r == &format!("GET {p}"))
            .count()
    };
    assert_eq!(count("/api/health/live"), 5);
    assert_eq!(count("/api/health/ready"), 5);
    assert_eq!(count("/.env"), 1);
    // Readiness found at its first candidate: no other readiness path asked.
    assert_eq!(count("/readyz"), 0);
}

#[test]
fn a_bad_deployment_reports_each_problem() {
    let server = Server::start(bad);
    let (code, report, stderr) = probe(&[&server.url()]);
    assert_eq!(code, 1, "{stderr}");
    let found = findings(&report);
    let base = server.url();
    let has = |rule: &str, path: &str, words: &str| {
        assert!(
            found
                .iter()
                .any(|(r, p, m)| r == rule && p == path && m.contains(words)),
            "no {rule} at {path} saying `{words}` in {found:#?}"
        );
    };
    has(
        "probe-version-header",
        &format!("{base}/"),
        "X-Powered-By: Express",
    );
    has(
        "probe-version-header",
        &format!("{base}/"),
        "Server: nginx/1.18.0",
    );
    has(
        "probe-health-cached",
        &format!("{base}/healthz"),
        "Cache-Control: public, max-age=60",
    );
    has(
        "probe-health-not-json",
        &format!("{base}/healthz"),
        "Content-Type: text/html",
    );
    has(
        "probe-health-redirect",
        &format!("{base}/readyz"),
        "another host (login.example.invalid)",
    );
    has(
        "probe-sensitive-file-served",
        &format!("{base}/.env"),
        "environment file",
    );
    let env = report["findings"]
        .as_array()
        .and_then(|fs| {
            fs.iter()
                .find(|f| f["rule"] == "probe-sensitive-file-served")
        })
        .expect("env finding");
    assert_eq!(env["severity"], "critical");
    assert_eq!(env["code"], "SW812");
    assert!(env["app"].is_null());
    // Nothing else: the redirect explains the missing readiness route.
    let rules: Vec<&str> = found.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(rules.len(), 6, "{found:#?}");
    let requests = server.requests();
    assert_only_allowed(&requests);
    // The redirect was not followed (it names another host anyway).
    assert!(!requests.iter().any(|r| r.contains("sso")));
}

#[test]
fn a_flapping_readiness_route_is_inconsistent() {
    let server = Server::start(flapping);
    let (code, report, stderr) = probe(&[&server.url(), "--fail-on", "high"]);
    assert_eq!(code, 0, "{stderr}");
    let found = findings(&report);
    assert!(
        found
            .iter()
            .any(|(r, p, m)| r == "probe-health-inconsistent"
                && p.ends_with("/api/health/ready")
                && m.contains("200, 200, 503, 200, 200")),
        "{found:#?}"
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_only_allowed(&server.requests());
}

#[test]
fn a_named_route_that_is_missing_is_reported() {
    let server = Server::start(good);
    let (code, report, stderr) = probe(&[
        &server.url(),
        "--health",
        "/status",
        "--readiness",
        "/api/health/ready",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let found = findings(&report);
    assert!(
        found.iter().any(|(r, p, m)| r == "probe-health-missing"
            && p.ends_with("/status")
            && m.contains("/status → 404")),
        "{found:#?}"
    );
    let requests = server.requests();
    // Only the routes named: no well-known health path is tried.
    assert!(
        !requests.iter().any(|r| r.ends_with("/healthz")),
        "{requests:?}"
    );
    assert!(requests.contains(&"GET /status".to_string()));
    let others: Vec<String> = requests
        .into_iter()
        .filter(|r| r != "GET /status")
        .collect();
    assert_only_allowed(&others);
}

#[test]
fn no_health_route_at_all() {
    let server = Server::start(|path, _| match path {
        "/" => (200, vec![], "hello"),
        _ => NOT_FOUND,
    });
    let (code, report, stderr) = probe(&[&server.url()]);
    assert_eq!(code, 1, "{stderr}");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "probe-health-missing");
    assert!(found[0].2.contains("/healthz → 404"), "{found:#?}");
    assert_only_allowed(&server.requests());
}

#[test]
fn an_unreachable_deployment_is_an_error_naming_the_url() {
    // A port that was free a moment ago and has no listener now.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, _, stderr) = probe(&[&url]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("error: {url}")), "{stderr}");
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_bad_url_is_a_usage_error() {
    let (code, _, stderr) = probe(&["ftp://example.com"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("only http:// and https://"), "{stderr}");
    let (code, _, stderr) = probe(&["not a url"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a URL"), "{stderr}");
}

#[test]
fn the_report_renders_in_every_format() {
    let server = Server::start(bad);
    for format in ["text", "markdown", "sarif", "github"] {
        let out = common::seaworthy()
            .args(["probe", &server.url(), "--format", format])
            .timeout(Duration::from_secs(120))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{format}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("/.env"), "{format}: {stdout}");
    }
}

#[test]
fn a_hanging_route_costs_one_timeout_and_is_reported() {
    let server = Server::start(|path, _| match path {
        "/" => (200, vec![], "hello"),
        "/healthz" => (HANG, vec![], ""),
        _ => NOT_FOUND,
    });
    let started = std::time::Instant::now();
    let (code, report, stderr) = probe_with_timeout(&[&server.url()], "1");
    assert!(started.elapsed() < Duration::from_secs(4), "{stderr}");
    assert_eq!(code, 1, "{stderr}");
    let found = findings(&report);
    assert!(
        found.iter().any(|(r, _, m)| r == "probe-health-missing"
            && m.contains("/healthz → ")
            && m.contains("/health → 404")),
        "{found:#?}"
    );
    assert_only_allowed(&server.requests());
}

/// An HTTPS server on the loopback address with a certificate for `host`
/// valid until `days` from now (negative: expired), signed by a CA whose PEM
/// is written to a temporary file for `--ca-cert`.
struct TlsServer {
    server: Server,
    ca: tempfile::NamedTempFile,
}

fn start_tls(host: &str, days: i64, answer: fn(&str, usize) -> Answer) -> TlsServer {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let now = time::OffsetDateTime::now_utc();
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.not_before = now - time::Duration::days(30);
    ca_params.not_after = now + time::Duration::days(3650);
    let ca = ca_params.self_signed(&ca_key).expect("ca cert");
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(vec![host.to_string()]).expect("params");
    params.not_before = now - time::Duration::days(30);
    params.not_after = now + time::Duration::days(days);
    let leaf = params.signed_by(&key, &ca, &ca_key).expect("leaf");
    let mut ca_file = tempfile::NamedTempFile::new().expect("temp file");
    ca_file.write_all(ca.pem().as_bytes()).expect("write ca");

    let provider = Arc::new(seaworthy_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        )
        .expect("server config");
    let http = HttpServer::start_tls(Arc::new(config), move |r, n| {
        check_sent_nothing(r);
        answer(&r.target, n)
    });
    TlsServer {
        server: Server { http },
        ca: ca_file,
    }
}

#[allow(deprecated)]
fn seaworthy_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

impl TlsServer {
    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.server.http.port)
    }

    fn probe(&self) -> (i32, Value, String) {
        let ca = self.ca.path().display().to_string();
        probe(&[&self.url(), "--ca-cert", &ca])
    }
}

fn good_https(path: &str, n: usize) -> Answer {
    match path {
        "/" => (
            200,
            vec![
                ("Content-Type", "text/html"),
                (
                    "Strict-Transport-Security",
                    "max-age=31536000; includeSubDomains",
                ),
            ],
            "<!doctype html><html>shop</html>",
        ),
        _ => good(path, n),
    }
}

#[test]
fn a_valid_certificate_is_not_reported() {
    let server = start_tls("127.0.0.1", 90, good_https);
    let (code, report, stderr) = server.probe();
    assert_eq!(findings(&report), vec![], "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("certificate valid until"), "{stderr}");
    assert_only_allowed(&server.server.requests());
}

#[test]
fn a_certificate_expiring_in_five_days_is_high() {
    let server = start_tls("127.0.0.1", 5, good_https);
    let (code, report, stderr) = server.probe();
    assert_eq!(code, 1, "{stderr}");
    let fs = report["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0]["rule"], "probe-tls-certificate-expiring");
    assert_eq!(fs[0]["severity"], "high");
    assert!(fs[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("expires in"));
    assert_only_allowed(&server.server.requests());
    // A certificate with weeks left is medium.
    let server = start_tls("127.0.0.1", 15, good_https);
    let (_, report, stderr) = server.probe();
    assert_eq!(report["findings"][0]["severity"], "medium", "{stderr}");
    assert_only_allowed(&server.server.requests());
}

#[test]
fn an_expired_or_wrong_host_certificate_is_the_only_finding() {
    for (host, days, words) in [("127.0.0.1", -1, "xpired"), ("shop.example.com", 90, "ame")] {
        let server = start_tls(host, days, good_https);
        let (code, report, stderr) = server.probe();
        assert_eq!(code, 1, "{stderr}");
        let found = findings(&report);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "probe-tls-certificate-invalid");
        assert!(found[0].2.contains(words), "{found:#?}");
        assert!(stderr.contains("nothing else was asked"), "{stderr}");
        // Only the handshake: no HTTP request reached the server.
        assert_eq!(server.server.requests(), Vec::<String>::new());
    }
}

#[test]
fn https_without_hsts_is_reported() {
    let server = start_tls("127.0.0.1", 90, good);
    let (code, report, stderr) = server.probe();
    assert_eq!(code, 1, "{stderr}");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "probe-no-hsts");
    assert!(
        found[0].2.contains("without Strict-Transport-Security"),
        "{found:#?}"
    );
    // An explicit port: the plain-HTTP twin is unknown and never asked.
    assert_only_allowed(&server.server.requests());
}

/// `check PATH --probe URL`: the repository's findings and the live ones in
/// one report, scored together.
fn check_with_probe(path: &str, url: &str) -> (i32, Value, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let out = common::seaworthy()
        .arg("check")
        .arg(&root)
        .args(["--format", "json", "--fail-on", "high", "--probe", url])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

#[test]
fn check_with_probe_reports_static_and_live_findings_together() {
    // The production-ready example has no static finding: with a good
    // deployment the report stays empty and the check passes.
    let server = Server::start(good);
    let (code, report, stderr) =
        check_with_probe("examples/nextjs-prisma-production-ready", &server.url());
    assert_eq!(code, 0, "{stderr}");
    assert!(findings(&report).is_empty(), "{:?}", findings(&report));
    assert_eq!(report["scores"]["repository"], 100);
    assert_only_allowed(&server.requests());

    // The pet-server example against a bad deployment: the six seed findings
    // and the live ones, the score computed over both.
    let server = Server::start(bad);
    let (code, report, stderr) =
        check_with_probe("examples/nextjs-prisma-pet-server", &server.url());
    assert_eq!(code, 1, "{stderr}");
    let found = findings(&report);
    let rules: Vec<&str> = found.iter().map(|(r, _, _)| r.as_str()).collect();
    for rule in ["missing-container-config", "sqlite-in-production"] {
        assert!(rules.contains(&rule), "{rule} missing: {rules:?}");
    }
    assert!(
        found
            .iter()
            .any(|(r, path, _)| r.starts_with("probe-") && path.starts_with(&server.url())),
        "no live finding naming the URL: {found:?}"
    );
    assert!(report["apps"].as_array().is_some_and(|a| !a.is_empty()));

    // An unreachable deployment stops the check with the URL named.
    let dead = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://127.0.0.1:{}",
        dead.local_addr().expect("addr").port()
    );
    drop(dead);
    let (code, _, stderr) = check_with_probe("examples/nextjs-prisma-pet-server", &url);
    assert_eq!(code, 2);
    assert!(stderr.contains(&url), "{stderr}");
}

// ---------------------------------------------------------------------------
// --backups against the moto S3 server that .ci/e2e-setup.sh starts.

/// Creates `bucket` in moto as `case` describes: a good bucket (versioning,
/// lifecycle, two encrypted dumps each with its `.complete` marker) with one
/// thing taken away or spoiled.
const S3_SETUP: &str = r#"
import sys, json, boto3
endpoint, bucket, case = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint)
s3.create_bucket(Bucket=bucket)
if case != "no-versioning":
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
if case != "no-lifecycle":
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "db/"}, "Expiration": {"Days": 30}}]})
if case in ("public", "public-blocked"):
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::%s/*" % bucket}]}))
if case == "public-acl":
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
if case == "public-blocked":
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
if case == "none":
    sys.exit(0)
sizes = {"empty": (1000, 0), "shrinking": (1000, 100)}.get(case, (1000, 990))
for i, (stamp, size) in enumerate(zip(["20261206T020000Z", "20261207T020000Z"], sizes)):
    key = "db/%s.dump" % stamp
    newest = i == 1
    extra = {} if (case == "unencrypted" and newest) else {"ServerSideEncryption": "AES256"}
    s3.put_object(Bucket=bucket, Key=key, Body=b"x" * size, **extra)
    if not (case == "marker-less" and newest):
        s3.put_object(Bucket=bucket, Key=key + ".complete", Body=b"ok", ServerSideEncryption="AES256")
"#;

/// A bucket set up as `case`, or `None` when the e2e tests do not run.
fn s3_bucket(test: &str, case: &str) -> Option<(String, String)> {
    if !common::e2e(test) {
        return None;
    }
    let endpoint = common::require_env("SEAWORTHY_S3_ENDPOINT");
    let python = common::require_env("SEAWORTHY_PYTHON");
    common::require_env("AWS_ACCESS_KEY_ID");
    let bucket = common::unique(&format!("sw-bk-{case}"));
    let out = std::process::Command::new(python)
        .args(["-c", S3_SETUP, &endpoint, &bucket, case])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "moto setup of {case}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some((endpoint, bucket))
}

/// The probe with `--backups`, and the backup findings as (rule, location).
fn probe_backups(
    endpoint: &str,
    bucket: &str,
    extra: &[&str],
) -> (i32, Vec<(String, String, String)>, String) {
    let server = Server::start(good);
    let target = format!("s3://{bucket}/db/");
    let mut args = vec![
        server.url(),
        "--backups".to_string(),
        target,
        "--endpoint-url".to_string(),
        endpoint.to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report, stderr) = probe(&args);
    assert_only_allowed(&server.requests());
    // The S3 calls are read-only: GET and HEAD only, all on the bucket.
    let s3_note = stderr
        .lines()
        .find(|l| l.contains("S3 request(s)"))
        .unwrap_or_else(|| panic!("no S3 note: {stderr}"));
    // `probe: N S3 request(s) for s3://…/db/: GET …, HEAD …`
    let calls = s3_note.splitn(3, ": ").nth(2).unwrap_or("");
    assert!(!calls.is_empty(), "{s3_note}");
    for call in calls.split(", ") {
        assert!(
            call.starts_with(&format!("GET {endpoint}/{bucket}/"))
                || call.starts_with(&format!("HEAD {endpoint}/{bucket}/db/")),
            "unexpected S3 call {call}"
        );
    }
    let all = findings(&report);
    let others: Vec<_> = all
        .iter()
        .filter(|(rule, _, _)| !rule.starts_with("probe-backup-"))
        .collect();
    assert!(others.is_empty(), "{others:?}");
    (code, all, stderr)
}

fn rules_of(found: &[(String, String, String)]) -> Vec<&str> {
    found.iter().map(|(r, _, _)| r.as_str()).collect()
}

#[test]
fn verified_backups_have_no_finding_and_stale_ones_are_high() {
    let Some((endpoint, bucket)) = s3_bucket("verified_backups", "good") else {
        return;
    };
    let (code, found, stderr) = probe_backups(&endpoint, &bucket, &[]);
    assert_eq!(found, vec![], "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    // A fresh object is stale when no age at all is allowed.
    std::thread::sleep(Duration::from_millis(1100));
    let (code, found, stderr) = probe_backups(&endpoint, &bucket, &["--max-backup-age", "0"]);
    assert_eq!(rules_of(&found), vec!["probe-backup-stale"], "{stderr}");
    assert_eq!(
        found[0].1,
        format!("s3://{bucket}/db/20261207T020000Z.dump")
    );
    assert_eq!(code, 1);

    // A public policy behind Block Public Access is no finding: S3 restricts
    // it, and the probe asks neither the policy nor the ACL.
    let Some((endpoint, bucket)) = s3_bucket("verified_backups", "public-blocked") else {
        return;
    };
    let (code, found, stderr) = probe_backups(&endpoint, &bucket, &[]);
    assert_eq!(found, vec![], "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("?publicAccessBlock"), "{stderr}");
    assert!(
        !stderr.contains("?policyStatus") && !stderr.contains("?acl"),
        "{stderr}"
    );
}

#[test]
fn each_spoiled_backup_bucket_reports_its_finding() {
    let cases: &[(&str, &str, &str)] = &[
        ("empty", "probe-backup-empty", "db/20261207T020000Z.dump"),
        (
            "shrinking",
            "probe-backup-shrunk",
            "db/20261207T020000Z.dump",
        ),
        (
            "unencrypted",
            "probe-backup-unencrypted",
            "db/20261207T020000Z.dump",
        ),
        (
            "marker-less",
            "probe-backup-no-marker",
            "db/20261207T020000Z.dump",
        ),
        ("no-lifecycle", "probe-backup-no-retention", ""),
        ("no-versioning", "probe-backup-deletable", ""),
        ("public", "probe-backup-public", ""),
        ("public-acl", "probe-backup-public", ""),
        ("none", "probe-backup-missing", "db/"),
    ];
    for (case, rule, object) in cases {
        let Some((endpoint, bucket)) = s3_bucket("spoiled_backups", case) else {
            return;
        };
        let (code, found, stderr) = probe_backups(&endpoint, &bucket, &[]);
        assert_eq!(rules_of(&found), vec![*rule], "{case}: {stderr}");
        let location = if object.is_empty() {
            format!("s3://{bucket}")
        } else {
            format!("s3://{bucket}/{object}")
        };
        assert_eq!(found[0].1, location, "{case}");
        assert!(
            found[0].2.contains(&format!("s3://{bucket}")),
            "{case}: {}",
            found[0].2
        );
        assert_eq!(code, 1, "{case}");
    }
}

#[test]
fn backups_without_credentials_is_a_usage_error_naming_them() {
    let server = Server::start(good);
    let empty_home = tempfile::tempdir().expect("tempdir");
    let out = common::seaworthy()
        .args(["probe", &server.url(), "--backups", "s3://acme-backups/db/"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_CONFIG_FILE")
        // A home without ~/.aws: no profile to fall back on.
        .env("HOME", empty_home.path())
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set"),
        "{stderr}"
    );
    // Nothing was sent before the error.
    assert!(server.requests().is_empty());
    let out = common::seaworthy()
        .args(["probe", &server.url(), "--backups", "acme-backups"])
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("s3://BUCKET/PREFIX"));
}

// ---------------------------------------------------------------------------
// --backups against a hand-written S3-compatible server (no e2e services
// needed): the APIs it does not implement are skipped, never reported.

type S3Answer = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// An S3-compatible server answering `answer(method, target)`.
struct FakeS3 {
    http: HttpServer,
}

impl FakeS3 {
    fn start(answer: fn(&str, &str) -> S3Answer) -> FakeS3 {
        FakeS3 {
            http: HttpServer::start(move |r, _| answer(&r.method, &r.target)),
        }
    }

    fn url(&self) -> String {
        self.http.url()
    }

    /// `METHOD TARGET` and the Authorization header of each request.
    fn log(&self) -> Vec<(String, String)> {
        self.http
            .received()
            .iter()
            .map(|r| {
                (
                    r.line(),
                    r.header("authorization").unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

const FAKE_LISTING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>backups</Name><Prefix>db/</Prefix><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>
<Contents><Key>db/20260101T020000Z.dump</Key><LastModified>2026-01-01T02:00:00.000Z</LastModified><Size>4096</Size></Contents>
<Contents><Key>db/20260101T020000Z.dump.complete</Key><LastModified>2026-01-01T02:00:01.000Z</LastModified><Size>80</Size></Contents>
</ListBucketResult>"#;

fn not_implemented() -> S3Answer {
    (
        501,
        vec![("Content-Type", "application/xml")],
        "<Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>",
    )
}

fn fake_object(method: &str, target: &str) -> Option<S3Answer> {
    match (method, target) {
        ("GET", "/backups/?list-type=2&prefix=db%2F") => {
            Some((200, vec![("Content-Type", "application/xml")], FAKE_LISTING))
        }
        ("HEAD", "/backups/db/20260101T020000Z.dump") => {
            Some((200, vec![("x-amz-server-side-encryption", "AES256")], ""))
        }
        _ => None,
    }
}

fn fake_backup_probe(s3: &FakeS3) -> (i32, Vec<(String, String, String)>, String) {
    let server = Server::start(good);
    let out = common::seaworthy()
        .args([
            "probe",
            &server.url(),
            "--backups",
            "s3://backups/db/",
            "--endpoint-url",
            &s3.url(),
            "--max-backup-age",
            "1000000",
            "--format",
            "json",
        ])
        .env("AWS_ACCESS_KEY_ID", "fakekey")
        .env("AWS_SECRET_ACCESS_KEY", "fakesecret")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_REGION", "eu-west-3")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    for (request, auth) in s3.log().iter() {
        assert!(
            request.starts_with("GET /backups/") || request.starts_with("HEAD /backups/db/"),
            "{request}"
        );
        // Signed with SigV4 for the region of the environment.
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=fakekey/")
                && auth.contains("/eu-west-3/s3/aws4_request")
                && auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date"),
            "{request}: {auth}"
        );
    }
    (out.status.code().unwrap_or(-1), findings(&report), stderr)
}

#[test]
fn unimplemented_s3_apis_are_skipped_with_a_note_never_reported() {
    let s3 =
        FakeS3::start(|method, target| fake_object(method, target).unwrap_or_else(not_implemented));
    let (code, found, stderr) = fake_backup_probe(&s3);
    assert_eq!(found, vec![], "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    for api in [
        "GetBucketLifecycleConfiguration",
        "GetBucketVersioning",
        "GetPublicAccessBlock",
        "GetBucketPolicyStatus",
        "GetBucketAcl",
    ] {
        assert!(
            stderr.contains(&format!("{api} not implemented by the server")),
            "{api}: {stderr}"
        );
    }
    let requests: Vec<String> = s3.log().into_iter().map(|(r, _)| r).collect();
    // Versioning unknown: object lock is not asked.
    assert!(
        !requests.iter().any(|r| r.contains("object-lock")),
        "{requests:?}"
    );
    assert_eq!(requests.len(), 7, "{requests:?}");
}

/// A bucket with versioning and a lifecycle rule, no Block Public Access,
/// no policy, and an ACL that grants AllUsers read access.
fn acl_public(method: &str, target: &str) -> S3Answer {
    if let Some(a) = fake_object(method, target) {
        return a;
    }
    match target {
        "/backups/?lifecycle=" => (200, vec![], "<LifecycleConfiguration><Rule><ID>x</ID><Status>Enabled</Status></Rule></LifecycleConfiguration>"),
        "/backups/?versioning=" => (200, vec![], "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
        "/backups/?publicAccessBlock=" => (404, vec![], "<Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>The public access block configuration was not found</Message></Error>"),
        "/backups/?policyStatus=" => (404, vec![], "<Error><Code>NoSuchBucketPolicy</Code><Message>The bucket policy does not exist</Message></Error>"),
        "/backups/?acl=" => (200, vec![], r#"<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"#),
        _ => NOT_FOUND,
    }
}

#[test]
fn an_acl_granting_all_users_is_a_public_bucket() {
    let s3 = FakeS3::start(acl_public);
    let (code, found, stderr) = fake_backup_probe(&s3);
    assert_eq!(
        found,
        vec![(
            "probe-backup-public".to_string(),
            "s3://backups".to_string(),
            "The backup bucket s3://backups is public: its ACL grants access to AllUsers, and Block Public Access is off"
                .to_string()
        )],
        "{stderr}"
    );
    assert_eq!(code, 1);
}

#[test]
fn block_public_access_makes_a_public_acl_harmless_and_is_asked_first() {
    // The same ACL, with every Block Public Access setting on: S3 ignores
    // the grant, so nothing is reported and neither policy nor ACL is asked.
    let s3 = FakeS3::start(|method, target| {
        match target {
        "/backups/?publicAccessBlock=" => (200, vec![], "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"),
        _ => acl_public(method, target),
    }
    });
    let (code, found, stderr) = fake_backup_probe(&s3);
    assert_eq!(found, vec![], "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    let requests: Vec<String> = s3.log().into_iter().map(|(r, _)| r).collect();
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("?acl") || r.contains("?policyStatus")),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"GET /backups/?publicAccessBlock=".to_string()),
        "{requests:?}"
    );
}

#[test]
fn a_backup_listing_that_is_refused_is_an_error_naming_the_call() {
    let s3 = FakeS3::start(|_, _| {
        (
            403,
            vec![],
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
        )
    });
    let (code, found, stderr) = fake_backup_probe(&s3);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(found, vec![]);
    assert!(
        stderr.contains("s3://backups/db/: ListObjectsV2: 403 AccessDenied: Access Denied"),
        "{stderr}"
    );
}

/// A moto server of its own, with signature checking on (the shared one
/// accepts any signature): stopped when dropped.
struct SigningMoto {
    child: std::process::Child,
    port: u16,
}

impl Drop for SigningMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn backup_calls_are_signed_as_a_verifying_server_expects() {
    if !common::e2e("signed_backup_calls") {
        return;
    }
    let python = PathBuf::from(common::require_env("SEAWORTHY_PYTHON"));
    let moto = python.with_file_name("moto_server");
    assert!(moto.is_file(), "{} missing", moto.display());
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    // Four unauthenticated calls to create the IAM user and its key; every
    // call after them is checked, signature included.
    let child = std::process::Command::new(&moto)
        .args(["-p", &port.to_string()])
        .env("INITIAL_NO_AUTH_ACTION_COUNT", "4")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = SigningMoto { child, port };
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    let started = std::time::Instant::now();
    while TcpStream::connect(("127.0.0.1", moto.port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "moto_server never listened"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let setup = r#"
import sys, json, boto3
endpoint = sys.argv[1]
iam = boto3.client("iam", endpoint_url=endpoint)
iam.create_user(UserName="probe")
iam.put_user_policy(UserName="probe", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
k = iam.create_access_key(UserName="probe")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=k["AccessKeyId"],
                  aws_secret_access_key=k["SecretAccessKey"])
s3.create_bucket(Bucket="signed")
s3.put_object(Bucket="signed", Key="db/a b+c=d.dump", Body=b"x" * 10, ServerSideEncryption="AES256")
print(k["AccessKeyId"], k["SecretAccessKey"])
"#;
    let out = std::process::Command::new(&python)
        .args(["-c", setup, &endpoint])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = String::from_utf8_lossy(&out.stdout).into_owned();
    let (key, secret) = keys.trim().split_once(' ').expect("key and secret");
    let server = Server::start(good);
    let run = |secret: &str| {
        let out = common::seaworthy()
            .args(["probe", &server.url(), "--backups", "s3://signed/db/"])
            .args(["--endpoint-url", &endpoint, "--format", "json"])
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env_remove("AWS_SESSION_TOKEN")
            .timeout(Duration::from_secs(120))
            .output()
            .expect("runs");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            out.status.code(),
            findings(&report),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Accepted: the listing and the HeadObject of a key with a space, `+`
    // and `=` (all percent-encoded in the canonical request) go through.
    let (code, found, stderr) = run(secret);
    assert_ne!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("SignatureDoesNotMatch"), "{stderr}");
    let rules = rules_of(&found);
    assert!(rules.contains(&"probe-backup-no-marker"), "{stderr}");
    assert!(!rules.contains(&"probe-backup-unencrypted"), "{found:?}");
    // A wrong secret is refused, and said so.
    let (code, _, stderr) = run("not-the-secret");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("403 SignatureDoesNotMatch"), "{stderr}");
}

/// `check --probe` finds the bucket where the repository says its backups
/// go: here the example after `seaworthy fix`, whose `backup-offsite.sh`
/// reads BACKUP_S3_BUCKET and defaults its prefix, with the bucket named in
/// the env example. A stale backup there is reported next to the static
/// findings; the note on stderr says which bucket was checked and why.
#[test]
fn check_with_probe_checks_the_bucket_the_repository_names() {
    let Some((endpoint, bucket)) = s3_bucket(
        "check_with_probe_checks_the_bucket_the_repository_names",
        "good",
    ) else {
        return;
    };
    let (_dir, root) = common::copy_of("examples/nextjs-prisma-pet-server");
    let fixed = common::seaworthy()
        .args([
            "fix",
            "--allow-no-vcs",
            "--unsafe",
            "--deploy-target",
            "kubernetes",
        ])
        .arg(&root)
        .output()
        .expect("runs");
    assert!(
        fixed.status.success(),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    let script = std::fs::read_to_string(root.join("scripts/backup-offsite.sh")).expect("script");
    let prefix = script
        .split("${BACKUP_S3_PREFIX:-")
        .nth(1)
        .and_then(|r| r.split('}').next())
        .expect("the fix script defaults its prefix")
        .to_string();
    // The operator's env example names the bucket.
    let example = root.join("env.example");
    let mut text = std::fs::read_to_string(&example).unwrap_or_default();
    text.push_str(&format!("\nBACKUP_S3_BUCKET={bucket}\n"));
    std::fs::write(&example, text).expect("write");

    let server = Server::start(good);
    let out = common::seaworthy()
        .arg("check")
        .arg(&root)
        .args([
            "--format",
            "json",
            "--fail-on",
            "none",
            "--probe",
            &server.url(),
        ])
        .env("BACKUP_S3_ENDPOINT", &endpoint)
        .env_remove("BACKUP_S3_BUCKET")
        .env_remove("BACKUP_S3_PREFIX")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("checking s3://{bucket}/{prefix}")),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let found = findings(&report);
    // The bucket holds backups under db/, none under the fix's prefix: the
    // probe says there is no backup where the repository sends them.
    assert!(
        found
            .iter()
            .any(|(r, path, _)| r == "probe-backup-missing" && path.contains(&bucket)),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------
// `check … --probe URL --format markdown`: the backup section says whether
// the backups were verified where they go, in the reference report's words.

/// A listing of one backup uploaded an hour ago, with its marker.
fn fresh_listing() -> &'static str {
    static LISTING: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LISTING.get_or_init(|| {
        let fmt = &time::format_description::well_known::Rfc3339;
        let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).expect("ns");
        let dump = (now - time::Duration::hours(1)).format(fmt).expect("format");
        let marker = (now - time::Duration::minutes(59)).format(fmt).expect("format");
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>backups</Name><Prefix>db/</Prefix><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>
<Contents><Key>db/nightly.dump</Key><LastModified>{dump}</LastModified><Size>4096</Size></Contents>
<Contents><Key>db/nightly.dump.complete</Key><LastModified>{marker}</LastModified><Size>80</Size></Contents>
</ListBucketResult>"#
        )
    })
}

/// A bucket where every check holds (Block Public Access on).
fn sound_bucket(method: &str, target: &str) -> S3Answer {
    match (method, target) {
        ("GET", "/backups/?list-type=2&prefix=db%2F") => {
            (200, vec![("Content-Type", "application/xml")], fresh_listing())
        }
        ("HEAD", "/backups/db/nightly.dump") => {
            (200, vec![("x-amz-server-side-encryption", "AES256")], "")
        }
        ("GET", "/backups/?lifecycle=") => (200, vec![], "<LifecycleConfiguration><Rule><ID>x</ID><Status>Enabled</Status></Rule></LifecycleConfiguration>"),
        ("GET", "/backups/?versioning=") => (200, vec![], "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
        ("GET", "/backups/?publicAccessBlock=") => (200, vec![], "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"),
        _ => NOT_FOUND,
    }
}

/// The same bucket, its newest backup stored unencrypted.
fn unencrypted_bucket(method: &str, target: &str) -> S3Answer {
    match (method, target) {
        ("HEAD", "/backups/db/nightly.dump") => (200, vec![], ""),
        _ => sound_bucket(method, target),
    }
}

/// `check examples/nextjs-prisma-pet-server --probe URL --format FORMAT`,
/// with `--backups` on `s3` when given: (exit code, report, stderr), and
/// the deployment and S3 asked only what they may be.
fn check_markdown(s3: Option<&FakeS3>, format: &str) -> (i32, String, String) {
    let server = Server::start(good);
    let mut cmd = common::seaworthy();
    cmd.arg("check")
        .arg(common::repo_path("examples/nextjs-prisma-pet-server"))
        .args([
            "--format",
            format,
            "--fail-on",
            "none",
            "--probe",
            &server.url(),
        ])
        .env_remove("BACKUP_S3_BUCKET")
        .env_remove("BACKUP_S3_ENDPOINT");
    if let Some(s3) = s3 {
        cmd.args(["--backups", "s3://backups/db/", "--endpoint-url", &s3.url()])
            .env("AWS_ACCESS_KEY_ID", "fakekey")
            .env("AWS_SECRET_ACCESS_KEY", "fakesecret")
            .env_remove("AWS_SESSION_TOKEN");
    }
    let out = common::outcome(&mut cmd);
    assert_only_allowed(&server.requests());
    if let Some(s3) = s3 {
        for (request, _) in s3.log() {
            assert!(
                request.starts_with("GET /backups/") || request.starts_with("HEAD /backups/db/"),
                "{request}"
            );
        }
    }
    out
}

/// The `## 💾 Database & Backups` section of a markdown report.
fn backup_section(markdown: &str) -> &str {
    let start = markdown
        .find("## 💾 Database & Backups")
        .unwrap_or_else(|| panic!("no backup section in {markdown}"));
    let rest = &markdown[start..];
    let end = rest.find("\n---").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn check_markdown_shows_the_backups_verified_where_they_go() {
    let s3 = FakeS3::start(sound_bucket);
    let (code, markdown, stderr) = check_markdown(Some(&s3), "markdown");
    assert_eq!(code, 0, "{stderr}");
    let section = backup_section(&markdown);
    // The static finding stays (the script keeps a local copy), and the
    // live answer follows it, verified.
    assert!(
        section.contains(
            "### 1. Backup strategy\n**Observation:** `scripts/database-backup.sh` exists"
        ),
        "{section}"
    );
    assert!(
        section.contains("### 3. Backup Strategy: verified where these backups go\n"),
        "{section}"
    );
    assert!(
        section.contains(
            "**Observation:** The backups go to `s3://backups/db/`; the probe looked there."
        ),
        "{section}"
    );
    for words in [
        "**Verified:** the newest backup, s3://backups/db/nightly.dump, is 1 h",
        "it is 4096 bytes",
        "its .complete marker is there",
        "it is encrypted at rest (AES256)",
        "a lifecycle rule sets retention",
        "versioning is on",
        "it is not public: Block Public Access ignores public ACLs and restricts public policies",
    ] {
        assert!(section.contains(words), "`{words}` missing in {section}");
    }
    // Verified: the probe's item has no risk left to state.
    let answer = &section[section.find("### 3.").unwrap_or(0)..];
    assert!(!answer.contains("**Risk:**"), "{answer}");
    // The text report says the same in one block.
    let (_, text, _) = check_markdown(Some(&s3), "text");
    assert!(
        text.contains("Backup Strategy: verified where these backups go"),
        "{text}"
    );
    // And the HTML report, outside the filtered findings.
    let (_, html, _) = check_markdown(Some(&s3), "html");
    assert!(
        html.contains("<h2 id=\"backups-h\"><span aria-hidden=\"true\">💾</span> Backup Strategy: verified where these backups go</h2>")
            && html.contains("<dt>Verified</dt><dd>the newest backup, s3://backups/db/nightly.dump, is 1 h"),
        "{html}"
    );
}

#[test]
fn check_markdown_shows_the_backups_not_verified_and_why() {
    let s3 = FakeS3::start(unencrypted_bucket);
    let (code, markdown, stderr) = check_markdown(Some(&s3), "markdown");
    assert_eq!(code, 0, "{stderr}");
    let section = backup_section(&markdown);
    assert!(
        section.contains("Backup Strategy: not verified"),
        "{section}"
    );
    assert!(
        section.contains("**Risk:** Verify where these backups go: The newest backup, s3://backups/db/nightly.dump, is stored without server-side encryption."),
        "{section}"
    );
    assert!(
        section.contains("**Requirement:** Ensure backups are piped to S3 or off-site storage"),
        "{section}"
    );
    // The live finding itself is in the section too.
    assert!(
        section.contains("**Evidence:** `s3://backups/db/nightly.dump:1`"),
        "{section}"
    );

    // No bucket given or named: not verified, and the report says why.
    let (_, markdown, stderr) = check_markdown(None, "markdown");
    let section = backup_section(&markdown);
    assert!(
        section.contains("Backup Strategy: not verified"),
        "{stderr}\n{section}"
    );
    assert!(
        section.contains("**Observation:** The probe was not told where these backups go."),
        "{section}"
    );
    assert!(
        section.contains("**Risk:** Verify where these backups go: no backup bucket was given"),
        "{section}"
    );
}

/// Credentials from the profile chain: with no keys in the environment, the
/// profile `AWS_PROFILE` names is read from `~/.aws/credentials` (HOME is a
/// temporary folder), its region from `~/.aws/config`; every S3 call is
/// signed with that key for that region.
#[test]
fn backups_use_the_aws_profile_of_the_home_folder() {
    let home = tempfile::tempdir().expect("tempdir");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).expect("mkdir");
    std::fs::write(
        aws.join("credentials"),
        "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = x\n\n[backup-reader]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = profile/secret+1\n",
    )
    .expect("write");
    std::fs::write(
        aws.join("config"),
        "[default]\nregion = us-west-1\n\n[profile backup-reader]\nregion = eu-central-1\n",
    )
    .expect("write");
    let s3 = FakeS3::start(sound_bucket);
    let server = Server::start(good);
    let mut cmd = common::seaworthy();
    cmd.args(["probe", &server.url(), "--backups", "s3://backups/db/"])
        .args(["--endpoint-url", &s3.url(), "--format", "json"])
        .env("HOME", home.path())
        .env("AWS_PROFILE", "backup-reader");
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
    ] {
        cmd.env_remove(var);
    }
    let (code, stdout, stderr) = common::outcome(&mut cmd);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(findings(&report), vec![], "{stderr}");
    assert!(
        stderr.contains("AWS credentials from profile `backup-reader` in ")
            && stderr.contains("region eu-central-1"),
        "{stderr}"
    );
    let log = s3.log();
    assert!(!log.is_empty());
    for (request, auth) in log {
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=PROFILEKEY/")
                && auth.contains("/eu-central-1/s3/aws4_request"),
            "{request}: {auth}"
        );
    }
    assert_only_allowed(&server.requests());
}

/// A deployment whose health routes are not at the well-known paths.
fn ops_routes(path: &str, _n: usize) -> Answer {
    match path {
        "/" => (
            200,
            vec![("Content-Type", "text/html")],
            "<html>shop</html>",
        ),
        "/api/ops/healthz" | "/api/ops/readyz" => health_json(200),
        _ => NOT_FOUND,
    }
}

/// Next.js route handlers for `/api/ops/healthz` and `/api/ops/readyz`
/// (paths no default list holds) under `root`.
fn write_ops_health_routes(root: &std::path::Path) {
    for route in ["app/api/ops/healthz", "app/api/ops/readyz"] {
        std::fs::create_dir_all(root.join(route)).expect("mkdir");
        std::fs::write(
            root.join(route).join("route.ts"),
            "export const dynamic = \"force-dynamic\";\nexport async function GET() {\n  return Response.json({ status: \"pass\" });\n}\n",
        )
        .expect("write");
    }
}

/// `check --probe`: the health routes the static audit finds in the
/// repository are the ones asked, first; the well-known ones only after.
#[test]
fn check_with_probe_asks_the_health_routes_the_repository_defines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("shop");
    write_ops_health_routes(&root);
    std::fs::write(
        root.join("package.json"),
        r#"{"name":"shop","scripts":{"build":"next build","start":"next start"},"dependencies":{"next":"15.0.0"}}"#,
    )
    .expect("write");
    let server = Server::start(ops_routes);
    let mut cmd = common::seaworthy();
    cmd.arg("check")
        .arg(&root)
        .args([
            "--format",
            "json",
            "--fail-on",
            "none",
            "--probe",
            &server.url(),
        ])
        .env_remove("BACKUP_S3_BUCKET");
    let (code, stdout, stderr) = common::outcome(&mut cmd);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    let live: Vec<_> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("probe-"))
        .collect();
    assert_eq!(live, vec![], "{stderr}");
    assert!(
        stderr.contains(
            "liveness route /api/ops/healthz from the repository (app/api/ops/healthz/route.ts:1)"
        ) && stderr.contains(
            "readiness route /api/ops/readyz from the repository (app/api/ops/readyz/route.ts:1)"
        ),
        "{stderr}"
    );
    let requests = server.requests();
    let count = |r: &str| requests.iter().filter(|x| *x == r).count();
    assert_eq!(count("GET /api/ops/healthz"), 5, "{requests:?}");
    assert_eq!(count("GET /api/ops/readyz"), 5, "{requests:?}");
    // Found first: no well-known health path was asked.
    for path in [
        "/api/health/live",
        "/healthz",
        "/api/health/ready",
        "/readyz",
    ] {
        assert_eq!(count(&format!("GET {path}")), 0, "{requests:?}");
    }
    let others: Vec<&String> = requests
        .iter()
        .filter(|r| {
            let path = r.split_once(' ').map(|(_, p)| p).unwrap_or("");
            !path.starts_with("/api/ops/") && !ALLOWED_PATHS.contains(&path)
        })
        .collect();
    assert!(others.is_empty(), "{others:?}");
    // Without the repository, `probe` alone tries the well-known paths and
    // finds none.
    let (code, report, stderr) = probe(&[&server.url()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(findings(&report)[0].0, "probe-health-missing");
}

/// A readiness route that answers 503 names its failing check: the finding
/// says which, and nothing else is reported.
fn redis_down(path: &str, _n: usize) -> Answer {
    match path {
        "/api/health/live" => health_json(200),
        "/api/health/ready" => (
            503,
            vec![
                ("Content-Type", "application/json"),
                ("Cache-Control", "no-store"),
            ],
            r#"{"status":"fail","failing":["redis"],"checks":{"database":{"status":"pass","durationMs":3},"redis":{"status":"fail","durationMs":2001,"error":"no answer within 2000 ms"}}}"#,
        ),
        _ => NOT_FOUND,
    }
}

#[test]
fn a_failing_readiness_route_says_which_check_failed() {
    let server = Server::start(redis_down);
    let (code, report, stderr) = probe(&[&server.url()]);
    assert_eq!(code, 1, "{stderr}");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "probe-health-failing");
    assert_eq!(found[0].1, format!("{}/api/health/ready", server.url()));
    assert!(
        found[0].2.contains("answered 503 (failing: redis)"),
        "{found:#?}"
    );
    let requests = server.requests();
    assert_only_allowed(&requests);
    // The failing route is asked once; no other readiness path after it.
    let count = |r: &str| requests.iter().filter(|x| *x == r).count();
    assert_eq!(count("GET /api/health/ready"), 1, "{requests:?}");
    assert_eq!(count("GET /readyz"), 0, "{requests:?}");
}

/// `check --probe` reads the repository through the audit's index: the same
/// tree checked out under two folder names gives the same report, asks the
/// deployment and the bucket the same things, and names the same places.
#[test]
fn check_with_probe_is_the_same_whatever_the_checkout_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = Server::start(ops_routes);
    let s3 = FakeS3::start(sound_bucket);
    let run = |name: &str| {
        let root = tmp.path().join(name);
        common::copy_dir(
            &common::repo_path("examples/nextjs-prisma-pet-server"),
            &root,
        );
        write_ops_health_routes(&root);
        std::fs::write(
            root.join("scripts/backup-offsite.sh"),
            "#!/bin/sh\nset -eu\naws s3 cp backups/latest.dump \"s3://backups/db/$(date +%F).dump\" --sse AES256\n",
        )
        .expect("write");
        let mut cmd = common::seaworthy();
        cmd.arg("check")
            .arg(&root)
            .args([
                "--format",
                "markdown",
                "--fail-on",
                "none",
                "--probe",
                &server.url(),
            ])
            .env("BACKUP_S3_ENDPOINT", s3.url())
            .env("AWS_ACCESS_KEY_ID", "fakekey")
            .env("AWS_SECRET_ACCESS_KEY", "fakesecret")
            .env_remove("BACKUP_S3_BUCKET")
            .env_remove("AWS_SESSION_TOKEN");
        let (code, markdown, stderr) = common::outcome(&mut cmd);
        assert_eq!(code, 0, "{stderr}");
        let shown = root.display().to_string();
        // What the probe was told and asked: the notes without timings.
        let notes: Vec<String> = stderr
            .lines()
            .filter(|l| {
                l.contains("from the repository")
                    || l.contains("checking s3://")
                    || l.contains("request(s)")
            })
            .map(str::to_string)
            .collect();
        (markdown.replace(&shown, "ROOT"), notes)
    };
    let (first, first_notes) = run("acme-store");
    let (second, second_notes) = run("acme-store-main");
    assert!(
        first.contains("Backup Strategy: verified where these backups go")
            && first.contains("(named in `scripts/backup-offsite.sh:3`)"),
        "{first}"
    );
    assert!(
        first_notes
            .iter()
            .any(|n| n.contains("liveness route /api/ops/healthz from the repository")),
        "{first_notes:?}"
    );
    assert_eq!(first, second);
    assert_eq!(first_notes, second_notes);
}
