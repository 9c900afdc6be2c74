//! `--backups s3://BUCKET/PREFIX`: the backups the deployment writes, seen
//! where they are stored. Read-only S3 calls (ListObjectsV2, HeadObject and
//! the bucket's configuration), signed with AWS Signature Version 4 here, by
//! hand (SHA-256 from `sha2`, HMAC on top of it), so no SDK is pulled in.
//!
//! Every call counts against the probe's request cap and time budget. An API
//! the server does not implement (501 / `NotImplemented`, common on
//! S3-compatible servers) skips its check with a note, never a finding.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::{finding, Client, ProbeFailure};
use crate::finding::{Category, Finding, Severity, Wording};
use crate::rules::{Check, Rule, RuleMeta};

/// The schedule `seaworthy fix` writes is daily; 26 h leaves two hours of slack.
pub const DEFAULT_MAX_AGE_HOURS: u64 = 26;

/// Pages of ListObjectsV2 (1,000 keys each) read at most.
const MAX_LIST_PAGES: usize = 3;

/// The S3 calls one backup check makes at most: the listing pages, HeadObject,
/// lifecycle, versioning, object lock, policy status, ACL.
pub const MAX_BACKUP_REQUESTS: usize = MAX_LIST_PAGES + 7;

/// The suffix of the marker `seaworthy fix`'s backup script uploads once a
/// dump is verified (`<prefix>/<stamp>.dump.complete`).
pub const MARKER_SUFFIX: &str = ".complete";

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// `s3://BUCKET/PREFIX` parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub bucket: String,
    pub prefix: String,
}

impl Target {
    pub fn parse(raw: &str) -> Result<Target, String> {
        let rest = raw
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{raw}: --backups takes s3://BUCKET/PREFIX"))?;
        let (bucket, prefix) = match rest.split_once('/') {
            Some((b, p)) => (b, p),
            None => (rest, ""),
        };
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !valid {
            return Err(format!("{raw}: `{bucket}` is not an S3 bucket name"));
        }
        Ok(Target {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    pub fn object(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    pub fn shown(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

pub use super::credentials::Credentials;

/// What the backup check saw, for the reports' backup section ("Verify
/// where these backups go", answered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `s3://BUCKET/PREFIX`; `None` when `check --probe` had no bucket to
    /// check (none given, none named by the repository).
    pub target: Option<String>,
    /// Where the repository names it (`check --probe`), when it does.
    pub named_in: Option<String>,
    /// What was checked and held, in the order checked.
    pub verified: Vec<String>,
    /// What was checked and failed: the findings' messages.
    pub failed: Vec<String>,
    /// What could not be checked (an API the server lacks, a refusal).
    pub unchecked: Vec<String>,
}

impl Verification {
    /// Every check that could run held, on a bucket that was checked.
    pub fn holds(&self) -> bool {
        self.target.is_some() && self.failed.is_empty()
    }

    /// `check --probe` with no bucket to look at: the backups stay
    /// unverified, and the report says so.
    pub fn no_target() -> Verification {
        Verification {
            target: None,
            named_in: None,
            verified: Vec::new(),
            failed: Vec::new(),
            unchecked: vec![
                "no backup bucket was given (--backups s3://BUCKET/PREFIX) and the repository's backup scripts and env examples name none".to_string(),
            ],
        }
    }
}

/// What `--backups` was given, checked before anything is sent.
#[derive(Debug, Clone)]
pub struct Setup {
    pub target: Target,
    /// Where the repository names the target (`check --probe`).
    pub named_in: Option<String>,
    pub credentials: Credentials,
    pub endpoint: Option<url::Url>,
    pub max_age: Duration,
}

impl Setup {
    pub fn new(
        backups: &str,
        endpoint: Option<&str>,
        max_age: Duration,
    ) -> Result<Setup, ProbeFailure> {
        let target = Target::parse(backups).map_err(ProbeFailure::Backups)?;
        let credentials = Credentials::from_env().map_err(ProbeFailure::Backups)?;
        let endpoint = match endpoint {
            None => None,
            Some(raw) => {
                let u = url::Url::parse(raw).map_err(|e| {
                    ProbeFailure::Backups(format!("--endpoint-url {raw}: not a URL: {e}"))
                })?;
                if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                    return Err(ProbeFailure::Backups(format!(
                        "--endpoint-url {raw}: an http:// or https:// URL is needed"
                    )));
                }
                Some(u)
            }
        };
        Ok(Setup {
            target,
            named_in: None,
            credentials,
            endpoint,
            max_age,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// HMAC-SHA256 (RFC 2104) over `sha2`: 64-byte blocks.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// RFC 3986 unreserved characters kept, everything else `%XX` (SigV4's rule).
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `Authorization` header value of a request, and the signed headers.
/// `query` is already canonical (sorted, encoded).
#[allow(clippy::too_many_arguments)]
pub fn sign(
    credentials: &Credentials,
    method: &str,
    host: &str,
    path: &str,
    query: &str,
    amz_date: &str,
) -> Vec<(String, String)> {
    let date = &amz_date[..8.min(amz_date.len())];
    let mut headers = vec![
        ("host".to_string(), host.to_string()),
        ("x-amz-content-sha256".to_string(), EMPTY_SHA256.to_string()),
        ("x-amz-date".to_string(), amz_date.to_string()),
    ];
    if let Some(token) = &credentials.token {
        headers.push(("x-amz-security-token".to_string(), token.clone()));
    }
    let signed: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    let signed = signed.join(";");
    let canonical_headers: String = headers
        .iter()
        .map(|(n, v)| format!("{n}:{}\n", v.trim()))
        .collect();
    let canonical =
        format!("{method}\n{path}\n{query}\n{canonical_headers}\n{signed}\n{EMPTY_SHA256}");
    let scope = format!("{date}/{}/s3/aws4_request", credentials.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let k_date = hmac_sha256(
        format!("AWS4{}", credentials.secret_key).as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac_sha256(&k_date, credentials.region.as_bytes());
    let k_service = hmac_sha256(&k_region, b"s3");
    let k_signing = hmac_sha256(&k_service, b"aws4_request");
    let signature = hex(&hmac_sha256(&k_signing, to_sign.as_bytes()));
    headers.push((
        "authorization".to_string(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
            credentials.access_key
        ),
    ));
    // ureq sets Host itself, from the URL: the same value.
    headers.retain(|(n, _)| n != "host");
    headers
}

/// One S3 answer.
struct S3Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl S3Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `<Code>` of an S3 error body.
    fn error_code(&self) -> Option<String> {
        xml_text(&self.body, "Code")
    }

    fn not_implemented(&self) -> bool {
        self.status == 501 || self.error_code().as_deref() == Some("NotImplemented")
    }

    fn describe(&self) -> String {
        match (self.error_code(), xml_text(&self.body, "Message")) {
            (Some(c), Some(m)) => format!("{} {c}: {m}", self.status),
            (Some(c), None) => format!("{} {c}", self.status),
            _ => format!("HTTP {}", self.status),
        }
    }
}

/// The text of the first element named `name`, namespaces ignored.
fn xml_text(body: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(body).ok()?;
    doc.descendants()
        .find(|n| n.tag_name().name() == name)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
}

struct S3<'a> {
    setup: &'a Setup,
    agent: ureq::Agent,
    client: &'a Client,
    log: Vec<String>,
}

impl S3<'_> {
    /// The URL (path-style on a custom endpoint or for dotted bucket names,
    /// virtual-hosted on AWS otherwise) and the canonical path.
    fn locate(&self, key: &str) -> (String, String, String) {
        let bucket = &self.setup.target.bucket;
        let (origin, host, path) = match &self.setup.endpoint {
            Some(e) => {
                let host = match e.port() {
                    Some(p) => format!("{}:{p}", e.host_str().unwrap_or_default()),
                    None => e.host_str().unwrap_or_default().to_string(),
                };
                let base = e.path().trim_end_matches('/');
                (
                    format!("{}://{host}", e.scheme()),
                    host,
                    format!("{base}/{bucket}/{}", uri_encode(key, true)),
                )
            }
            None => {
                let region = &self.setup.credentials.region;
                if bucket.contains('.') {
                    let host = format!("s3.{region}.amazonaws.com");
                    (
                        format!("https://{host}"),
                        host,
                        format!("/{bucket}/{}", uri_encode(key, true)),
                    )
                } else {
                    let host = format!("{bucket}.s3.{region}.amazonaws.com");
                    (
                        format!("https://{host}"),
                        host,
                        format!("/{}", uri_encode(key, true)),
                    )
                }
            }
        };
        (origin, host, path)
    }

    /// A signed GET/HEAD; `query` pairs are encoded and sorted here.
    fn call(
        &mut self,
        method: &str,
        key: &str,
        query: &[(&str, &str)],
    ) -> Result<S3Answer, String> {
        let (origin, host, path) = self.locate(key);
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
            .collect();
        pairs.sort();
        let canonical_query = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let url = if canonical_query.is_empty() {
            format!("{origin}{path}")
        } else {
            format!("{origin}{path}?{canonical_query}")
        };
        self.client.spend()?;
        self.log.push(format!("{method} {url}"));
        let amz_date = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .map_err(|e| e.to_string())?;
        let headers = sign(
            &self.setup.credentials,
            method,
            &host,
            &path,
            &canonical_query,
            &amz_date,
        );
        let mut request = self.agent.request(method, &url);
        for (n, v) in &headers {
            request = request.set(n, v);
        }
        let response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(format!("{method} {url}: {t}")),
        };
        let status = response.status();
        let headers = response
            .headers_names()
            .into_iter()
            .filter_map(|n| {
                response
                    .header(&n)
                    .map(|v| (n.to_ascii_lowercase(), v.to_string()))
            })
            .collect();
        let mut body = String::new();
        if method != "HEAD" {
            use std::io::Read;
            let _ = response
                .into_reader()
                .take(4 * 1024 * 1024)
                .read_to_string(&mut body);
        }
        Ok(S3Answer {
            status,
            headers,
            body,
        })
    }
}

/// One listed object.
#[derive(Debug, Clone)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub modified: time::OffsetDateTime,
}

/// Objects of one ListObjectsV2 page, and the continuation token.
pub fn parse_listing(body: &str) -> Result<(Vec<Object>, Option<String>), String> {
    let doc = roxmltree::Document::parse(body).map_err(|e| format!("unreadable listing: {e}"))?;
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
    };
    let mut objects = Vec::new();
    for c in doc
        .root_element()
        .children()
        .filter(|n| n.tag_name().name() == "Contents")
    {
        let (Some(key), Some(size), Some(modified)) =
            (child(c, "Key"), child(c, "Size"), child(c, "LastModified"))
        else {
            continue;
        };
        let Ok(size) = size.parse::<u64>() else {
            continue;
        };
        let Ok(modified) =
            time::OffsetDateTime::parse(&modified, &time::format_description::well_known::Rfc3339)
        else {
            continue;
        };
        objects.push(Object {
            key,
            size,
            modified,
        });
    }
    let truncated = child(doc.root_element(), "IsTruncated").as_deref() == Some("true");
    let token = if truncated {
        child(doc.root_element(), "NextContinuationToken")
    } else {
        None
    };
    Ok((objects, token))
}

fn age_text(d: time::Duration) -> String {
    let hours = d.whole_hours();
    if hours >= 48 {
        format!("{} days", hours / 24)
    } else if hours >= 1 {
        format!("{hours} h")
    } else {
        format!("{} min", d.whole_minutes().max(0))
    }
}

/// Runs the backup checks; `Err` when the bucket cannot be read at all.
pub fn check(
    setup: &Setup,
    client: &Client,
    tls: std::sync::Arc<rustls::ClientConfig>,
    timeout: Duration,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<String>,
) -> Result<Verification, ProbeFailure> {
    let agent = ureq::AgentBuilder::new()
        .tls_config(tls)
        .timeout(timeout)
        .redirects(0)
        .user_agent(concat!("seaworthy-probe/", env!("CARGO_PKG_VERSION")))
        .build();
    let mut s3 = S3 {
        setup,
        agent,
        client,
        log: Vec::new(),
    };
    notes.push(format!(
        "{}: AWS credentials from {}, region {}",
        setup.target.shown(),
        setup.credentials.source,
        setup.credentials.region
    ));
    let (findings_before, notes_before) = (findings.len(), notes.len());
    let mut verified = Vec::new();
    let result = check_with(&mut s3, findings, notes, &mut verified);
    // Every note of the backup checks says what could not be checked.
    let unchecked = notes[notes_before..].to_vec();
    notes.push(format!(
        "{} S3 request(s) for {}: {}",
        s3.log.len(),
        setup.target.shown(),
        s3.log.join(", ")
    ));
    result.map(|()| Verification {
        target: Some(setup.target.shown()),
        named_in: setup.named_in.clone(),
        verified,
        failed: findings[findings_before..]
            .iter()
            .map(|f| f.message.clone())
            .collect(),
        unchecked,
    })
}

fn check_with(
    s3: &mut S3,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<String>,
    verified: &mut Vec<String>,
) -> Result<(), ProbeFailure> {
    let target = s3.setup.target.clone();
    let fail = |m: String| ProbeFailure::Backups(format!("{}: {m}", target.shown()));
    let bucket_url = format!("s3://{}", target.bucket);

    // 1. The listing.
    let mut objects = Vec::new();
    let mut token: Option<String> = None;
    let mut complete_listing = false;
    for _ in 0..MAX_LIST_PAGES {
        let mut query = vec![("list-type", "2"), ("prefix", target.prefix.as_str())];
        if let Some(t) = &token {
            query.push(("continuation-token", t.as_str()));
        }
        let answer = s3.call("GET", "", &query).map_err(fail)?;
        if answer.status == 404 && answer.error_code().as_deref() == Some("NoSuchBucket") {
            findings.push(finding(
                &BACKUP_MISSING,
                &target.shown(),
                format!("The backup bucket {bucket_url} does not exist"),
                "No backup has ever been stored there: a lost database cannot be restored.",
                "Create the bucket and run the backup job, or point --backups at the bucket it writes to.",
            ));
            return Ok(());
        }
        if answer.status != 200 {
            return Err(fail(format!("ListObjectsV2: {}", answer.describe())));
        }
        let (page, next) = parse_listing(&answer.body).map_err(fail)?;
        objects.extend(page);
        token = next;
        if token.is_none() {
            complete_listing = true;
            break;
        }
    }
    if !complete_listing {
        notes.push(format!(
            "{}: more than {} pages of objects; the newest among the first ones is checked",
            target.shown(),
            MAX_LIST_PAGES
        ));
    }
    let keys: std::collections::HashSet<&str> = objects.iter().map(|o| o.key.as_str()).collect();
    let mut backups: Vec<&Object> = objects
        .iter()
        .filter(|o| !o.key.ends_with(MARKER_SUFFIX) && !o.key.ends_with('/'))
        .collect();
    backups.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| b.key.cmp(&a.key)));
    let newest = backups.first().map(|o| (*o).clone());
    match &newest {
        None => findings.push(finding(
            &BACKUP_MISSING,
            &target.shown(),
            format!("No backup object under {}", target.shown()),
            "No backup has been stored there: a lost database cannot be restored.",
            "Run the backup job on a schedule (`seaworthy fix` writes one) and point --backups at where it uploads.",
        )),
        Some(newest) => {
            let url = target.object(&newest.key);
            let age = time::OffsetDateTime::now_utc() - newest.modified;
            let max = s3.setup.max_age;
            if age > time::Duration::try_from(max).unwrap_or(time::Duration::MAX) {
                findings.push(finding(
                    &BACKUP_STALE,
                    &url,
                    format!(
                        "The newest backup, {url}, is {} old (allowed: {} h)",
                        age_text(age),
                        max.as_secs() / 3600
                    ),
                    "The backup job has stopped: a restore today loses everything since then.",
                    "Find why the scheduled backup stopped (its logs, its credentials) and alert on a missing run.",
                ));
            } else {
                verified.push(format!(
                    "the newest backup, {url}, is {} old (allowed: {} h)",
                    age_text(age),
                    max.as_secs() / 3600
                ));
            }
            if newest.size == 0 {
                findings.push(finding(
                    &BACKUP_EMPTY,
                    &url,
                    format!("The newest backup, {url}, is empty (0 bytes)"),
                    "The dump failed but the upload went through: there is nothing to restore.",
                    "Make the backup job fail on a failed dump (set -o pipefail) and verify the upload's size.",
                ));
            } else if let Some(previous) = backups.get(1) {
                if previous.size > 0 && newest.size < previous.size / 2 {
                    findings.push(finding(
                        &BACKUP_SHRUNK,
                        &url,
                        format!(
                            "The newest backup, {url}, is {} bytes, less than half of the previous one ({}, {} bytes)",
                            newest.size,
                            target.object(&previous.key),
                            previous.size
                        ),
                        "A dump cut short or of the wrong database looks like a backup until the restore.",
                        "Compare the dump with the previous one; run the restore check on it.",
                    ));
                } else {
                    verified.push(format!(
                        "it is {} bytes, at least half of the one before ({} bytes)",
                        newest.size, previous.size
                    ));
                }
            } else {
                verified.push(format!("it is {} bytes", newest.size));
            }
            // 2. The marker.
            let marker = format!("{}{MARKER_SUFFIX}", newest.key);
            if complete_listing && !keys.contains(marker.as_str()) {
                findings.push(finding(
                    &BACKUP_NO_MARKER,
                    &url,
                    format!(
                        "The newest backup, {url}, has no {} marker",
                        target.object(&marker)
                    ),
                    "The upload may have been cut off: the restore check skips it, or restores a partial dump.",
                    "Upload the marker only after the dump is verified, as `seaworthy fix`'s backup script does.",
                ));
            } else if complete_listing {
                verified.push(format!("its {MARKER_SUFFIX} marker is there"));
            }
            // 3. Encryption.
            match s3.call("HEAD", &newest.key, &[]) {
                Ok(a) if a.status == 200 => {
                    if let Some(sse) = a.header("x-amz-server-side-encryption") {
                        verified.push(format!("it is encrypted at rest ({sse})"));
                    } else {
                        findings.push(finding(
                            &BACKUP_UNENCRYPTED,
                            &url,
                            format!("The newest backup, {url}, is stored without server-side encryption"),
                            "A copy of the whole database is readable by anyone who gets at the storage.",
                            "Upload with --sse AES256 (or aws:kms), or set default encryption on the bucket.",
                        ));
                    }
                }
                Ok(a) if a.status == 501 => notes.push(format!("{url}: HeadObject not implemented by the server; encryption not checked")),
                Ok(a) => notes.push(format!("{url}: HeadObject answered {}; encryption not checked", a.describe())),
                Err(e) => notes.push(format!("{url}: encryption not checked: {e}")),
            }
        }
    }

    // 4. Retention.
    match s3.call("GET", "", &[("lifecycle", "")]) {
        Ok(a) if a.status == 200 => verified.push("a lifecycle rule sets retention".to_string()),
        Ok(a) if a.error_code().as_deref() == Some("NoSuchLifecycleConfiguration") => {
            findings.push(finding(
                &BACKUP_NO_RETENTION,
                &bucket_url,
                format!("The backup bucket {bucket_url} has no lifecycle rule"),
                "Backups are kept forever (and paid for), or deleted by hand with no policy.",
                "Add a lifecycle rule that expires old backups (`seaworthy fix` writes s3-lifecycle.json).",
            ))
        }
        Ok(a) if a.not_implemented() => notes.push(format!(
            "{bucket_url}: GetBucketLifecycleConfiguration not implemented by the server; retention not checked"
        )),
        Ok(a) => notes.push(format!("{bucket_url}: lifecycle not checked: {}", a.describe())),
        Err(e) => notes.push(format!("{bucket_url}: lifecycle not checked: {e}")),
    }

    // 5. Versioning or object lock.
    let versioning = match s3.call("GET", "", &[("versioning", "")]) {
        Ok(a) if a.status == 200 => Some(xml_text(&a.body, "Status").as_deref() == Some("Enabled")),
        Ok(a) if a.not_implemented() => {
            notes.push(format!("{bucket_url}: GetBucketVersioning not implemented by the server; versioning not checked"));
            None
        }
        Ok(a) => {
            notes.push(format!(
                "{bucket_url}: versioning not checked: {}",
                a.describe()
            ));
            None
        }
        Err(e) => {
            notes.push(format!("{bucket_url}: versioning not checked: {e}"));
            None
        }
    };
    if versioning == Some(true) {
        verified.push("versioning is on".to_string());
    }
    if versioning == Some(false) {
        let lock = match s3.call("GET", "", &[("object-lock", "")]) {
            Ok(a) if a.status == 200 => {
                Some(xml_text(&a.body, "ObjectLockEnabled").as_deref() == Some("Enabled"))
            }
            Ok(a) if a.error_code().as_deref() == Some("ObjectLockConfigurationNotFoundError") => {
                Some(false)
            }
            Ok(a) if a.not_implemented() => {
                notes.push(format!("{bucket_url}: GetObjectLockConfiguration not implemented by the server; versioning check skipped"));
                None
            }
            Ok(a) => {
                notes.push(format!(
                    "{bucket_url}: object lock not checked: {}",
                    a.describe()
                ));
                None
            }
            Err(e) => {
                notes.push(format!("{bucket_url}: object lock not checked: {e}"));
                None
            }
        };
        if lock == Some(true) {
            verified.push("object lock is on".to_string());
        }
        if lock == Some(false) {
            findings.push(finding(
                &BACKUP_DELETABLE,
                &bucket_url,
                format!("The backup bucket {bucket_url} has neither versioning nor object lock"),
                "Whoever holds the backup job's credentials (ransomware included) can delete or overwrite every copy.",
                "Enable versioning (with a lifecycle rule for old versions) or object lock on the bucket.",
            ));
        }
    }

    // 6. Public. Block Public Access first: with public ACLs ignored and
    // public policies restricted, neither can make the bucket public, and
    // neither is asked.
    let mut block = PublicAccessBlock::default();
    match s3.call("GET", "", &[("publicAccessBlock", "")]) {
        Ok(a) if a.status == 200 => block = PublicAccessBlock::parse(&a.body),
        Ok(a) if a.error_code().as_deref() == Some("NoSuchPublicAccessBlockConfiguration") => {}
        Ok(a) if a.not_implemented() => notes.push(format!(
            "{bucket_url}: GetPublicAccessBlock not implemented by the server; Block Public Access not checked"
        )),
        Ok(a) => notes.push(format!(
            "{bucket_url}: Block Public Access not checked: {}",
            a.describe()
        )),
        Err(e) => notes.push(format!("{bucket_url}: Block Public Access not checked: {e}")),
    }
    if block.restrict_public_buckets && block.ignore_public_acls {
        verified.push(
            "it is not public: Block Public Access ignores public ACLs and restricts public policies"
                .to_string(),
        );
        return Ok(());
    }
    let mut public: Option<String> = None;
    let mut asked = Vec::new();
    if !block.restrict_public_buckets {
        match s3.call("GET", "", &[("policyStatus", "")]) {
            Ok(a) if a.status == 200 => {
                asked.push("policy");
                if xml_text(&a.body, "IsPublic").as_deref() == Some("true") {
                    public = Some("its bucket policy makes it public".to_string());
                }
            }
            Ok(a) if a.error_code().as_deref() == Some("NoSuchBucketPolicy") => asked.push("policy"),
            Ok(a) if a.not_implemented() => notes.push(format!(
                "{bucket_url}: GetBucketPolicyStatus not implemented by the server; policy not checked"
            )),
            Ok(a) => notes.push(format!(
                "{bucket_url}: policy status not checked: {}",
                a.describe()
            )),
            Err(e) => notes.push(format!("{bucket_url}: policy status not checked: {e}")),
        }
    }
    if public.is_none() && !block.ignore_public_acls {
        match s3.call("GET", "", &[("acl", "")]) {
            Ok(a) if a.status == 200 => {
                asked.push("ACL");
                if let Some(group) = public_grant(&a.body) {
                    public = Some(format!("its ACL grants access to {group}"));
                }
            }
            Ok(a) if a.not_implemented() => notes.push(format!(
                "{bucket_url}: GetBucketAcl not implemented by the server; ACL not checked"
            )),
            Ok(a) => notes.push(format!("{bucket_url}: ACL not checked: {}", a.describe())),
            Err(e) => notes.push(format!("{bucket_url}: ACL not checked: {e}")),
        }
    }
    if let Some(why) = public {
        let block_note = if block.any() {
            ", and Block Public Access does not stop it"
        } else {
            ", and Block Public Access is off"
        };
        findings.push(finding(
            &BACKUP_PUBLIC,
            &bucket_url,
            format!("The backup bucket {bucket_url} is public: {why}{block_note}"),
            "Anyone on the internet can download the database dumps: every user's data.",
            "Turn on S3 Block Public Access for the bucket and remove the public policy statement or ACL grant.",
        ));
    } else if !asked.is_empty() || block.any() {
        let mut why: Vec<String> = Vec::new();
        if block.restrict_public_buckets {
            why.push("Block Public Access restricts public policies".to_string());
        }
        if block.ignore_public_acls {
            why.push("Block Public Access ignores public ACLs".to_string());
        }
        for a in &asked {
            why.push(format!("its {a} grants no public access"));
        }
        verified.push(format!("it is not public: {}", why.join(", ")));
    }
    Ok(())
}

/// A bucket's Block Public Access settings (GetPublicAccessBlock); all off
/// when there is no configuration.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn parse(body: &str) -> PublicAccessBlock {
        let on = |name: &str| {
            xml_text(body, name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        PublicAccessBlock {
            block_public_acls: on("BlockPublicAcls"),
            ignore_public_acls: on("IgnorePublicAcls"),
            block_public_policy: on("BlockPublicPolicy"),
            restrict_public_buckets: on("RestrictPublicBuckets"),
        }
    }

    fn any(&self) -> bool {
        self.block_public_acls
            || self.ignore_public_acls
            || self.block_public_policy
            || self.restrict_public_buckets
    }
}

/// `AllUsers` or `AuthenticatedUsers` when the ACL grants either anything.
pub fn public_grant(body: &str) -> Option<&'static str> {
    let doc = roxmltree::Document::parse(body).ok()?;
    for uri in doc.descendants().filter(|n| n.tag_name().name() == "URI") {
        match uri.text().map(str::trim) {
            Some("http://acs.amazonaws.com/groups/global/AllUsers") => return Some("AllUsers"),
            Some("http://acs.amazonaws.com/groups/global/AuthenticatedUsers") => {
                return Some("AuthenticatedUsers")
            }
            _ => {}
        }
    }
    None
}

pub static BACKUP_MISSING: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-missing",
        code: "SW841",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "No backup stored under the --backups prefix",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Lists the objects under `--backups s3://BUCKET/PREFIX` (ListObjectsV2) and reports
an empty prefix or a bucket that does not exist. `.complete` markers are not
backups.

## Why is this bad?
A backup job that never uploads anything looks fine from the repository.

## Example
Reported: `s3://acme-backups/db/` holds no object.

Not reported: it holds `db/20261207T020000Z.dump`.

## Fix
Run the backup job on a schedule (`seaworthy fix` writes one) and point
`--backups` at the prefix it uploads to.
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_STALE: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-stale",
        code: "SW842",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "The newest backup is older than the schedule allows",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports the newest backup object under the prefix (by `LastModified`) when it
is older than `--max-backup-age` hours (26 by default: a daily job and two
hours of slack).

## Why is this bad?
A stopped backup job is silent: the restore after an incident loses every
change since the last run.

## Example
Reported: the newest object was written three days ago.

Not reported: it was written this night.

## Fix
Find why the scheduled job stopped and alert when a run is missing.
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_EMPTY: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-empty",
        code: "SW843",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "The newest backup is empty",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a newest backup object of 0 bytes.

## Why is this bad?
A failed dump piped into an upload stores an empty object: there is nothing
to restore.

## Example
Reported: `db/20261207T020000Z.dump` is 0 bytes.

Not reported: it is 48 MB.

## Fix
Make the job fail on a failed dump (`set -o pipefail`) and check the size
of what it uploaded.
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_SHRUNK: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-shrunk",
        code: "SW844",
        severity: Severity::Medium,
        category: Category::DatabaseBackups,
        title: "The newest backup is less than half of the previous one",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Compares the newest backup object with the one before it and reports a
newest one smaller by more than half.

## Why is this bad?
A dump cut short, or of the wrong (empty) database, looks like a backup
until the day it is restored.

## Example
Reported: 48 MB yesterday, 3 MB today.

Not reported: 48 MB yesterday, 47 MB today.

## Fix
Find out why the dump shrank; run the restore check on it.
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_NO_MARKER: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-no-marker",
        code: "SW845",
        severity: Severity::Medium,
        category: Category::DatabaseBackups,
        title: "The newest backup has no .complete marker",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a newest backup `KEY` with no `KEY.complete` object beside it: the
marker the backup script written by `seaworthy fix` uploads once the dump is
verified.

## Why is this bad?
Without the marker the upload may have been cut off; the restore check
skips the dump, or a restore uses a partial one.

## Example
Reported: `db/20261207T020000Z.dump` alone.

Not reported: `db/20261207T020000Z.dump` and `db/20261207T020000Z.dump.complete`.

## Fix
Upload the marker only after the dump is verified, as `seaworthy fix`'s
`backup-offsite.sh` does.
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_UNENCRYPTED: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-unencrypted",
        code: "SW846",
        severity: Severity::Medium,
        category: Category::DatabaseBackups,
        title: "The newest backup is not encrypted at rest",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Asks for the newest backup object's metadata (HeadObject) and reports an
answer without `x-amz-server-side-encryption`.

## Why is this bad?
A copy of the whole database is readable by anyone who reaches the storage
(a leaked key, a disk of the provider).

## Example
Reported: no `x-amz-server-side-encryption` header.

Not reported: `x-amz-server-side-encryption: AES256`.

## Fix
Upload with `--sse AES256` (or `aws:kms`), or set default encryption on the
bucket.
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_NO_RETENTION: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-no-retention",
        code: "SW847",
        severity: Severity::Low,
        category: Category::DatabaseBackups,
        title: "The backup bucket has no lifecycle rule",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Asks for the bucket's lifecycle configuration and reports
`NoSuchLifecycleConfiguration`.

## Why is this bad?
Without retention, backups are kept (and paid for) forever, or deleted by
hand with no policy.

## Example
Reported: the bucket has no lifecycle configuration.

Not reported: a rule expires objects under the prefix after 30 days.

## Fix
Add a lifecycle rule (`seaworthy fix` writes `s3-lifecycle.json`).
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_DELETABLE: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-deletable",
        code: "SW848",
        severity: Severity::Medium,
        category: Category::DatabaseBackups,
        title: "The backup bucket has neither versioning nor object lock",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a bucket whose versioning is not `Enabled` and that has no object
lock configuration.

## Why is this bad?
Whoever holds the backup job's credentials, ransomware included, can
delete or overwrite every copy.

## Example
Reported: versioning never enabled, no object lock.

Not reported: versioning `Enabled`.

## Fix
Enable versioning (with a lifecycle rule for old versions) or object lock.
"#,
    },
    check: Check::Meta,
};

pub static BACKUP_PUBLIC: Rule = Rule {
    meta: RuleMeta {
        name: "probe-backup-public",
        code: "SW849",
        severity: Severity::Critical,
        category: Category::DatabaseBackups,
        title: "The backup bucket is public",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a bucket whose policy status says `IsPublic` or whose ACL grants
anything to `AllUsers` or `AuthenticatedUsers`.

## Why is this bad?
Anyone can download the database dumps: every user's data.

## Example
Reported: a policy statement allows `s3:GetObject` to `"Principal": "*"`.

Not reported: no policy, a private ACL.

## Fix
Turn on S3 Block Public Access and remove the public statement or grant.
"#,
    },
    check: Check::Meta,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signature_matches_aws_example() {
        // The GET Object example of the S3 SigV4 documentation, without Range.
        let credentials = Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            token: None,
            region: "us-east-1".into(),
            source: "the test".into(),
        };
        let headers = sign(
            &credentials,
            "GET",
            "examplebucket.s3.amazonaws.com",
            "/",
            "lifecycle=",
            "20130524T000000Z",
        );
        let auth = &headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .unwrap()
            .1;
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
        );
    }

    #[test]
    fn targets_and_credentials() {
        assert_eq!(
            Target::parse("s3://acme-backups/db/").unwrap(),
            Target {
                bucket: "acme-backups".into(),
                prefix: "db/".into()
            }
        );
        assert!(Target::parse("acme").is_err());
        assert!(Target::parse("s3://A_B/x").is_err());
        assert_eq!(uri_encode("a b/c~", true), "a%20b/c~");
    }

    #[test]
    fn listing_and_acl() {
        let body = r#"<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated><Contents><Key>db/1.dump</Key><LastModified>2026-12-07T02:00:00.000Z</LastModified><Size>12</Size></Contents></ListBucketResult>"#;
        let (objects, token) = parse_listing(body).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].size, 12);
        assert!(token.is_none());
        let acl = r#"<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
        assert_eq!(public_grant(acl), Some("AllUsers"));
        assert_eq!(public_grant("<AccessControlPolicy/>"), None);
    }
}
