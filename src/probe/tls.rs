//! The TLS certificate of an `https://` deployment: valid for the host and
//! trusted, and how many days it has left. One handshake, no request: the
//! certificate is recorded whatever its verdict, so an expired or wrong-host
//! certificate is a finding rather than an unreachable deployment.

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::finding;
use crate::finding::{Category, Finding, Severity, Wording};
use crate::rules::{Check, Rule, RuleMeta};

/// Days to expiry under which the certificate is reported (medium)...
pub const WARN_DAYS: i64 = 21;
/// ...and under which it is reported as high.
pub const FAIL_DAYS: i64 = 7;

/// What the handshake showed.
pub struct Observation {
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
    /// The certificate failed verification: no request can be trusted.
    pub invalid: bool,
}

/// The verifier of the handshake: asks the real one, records its verdict
/// and the certificate, and lets the handshake finish either way (nothing is
/// sent over this connection).
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    seen: Mutex<Seen>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ());
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((end_entity.to_vec(), verdict));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// ring, as ureq 2 uses: the other provider (aws-lc-rs) needs a C and
/// CMake build. Its deprecation concerns post-quantum key exchange, which a
/// one-handshake probe does not need.
#[allow(deprecated)]
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client configuration of every HTTPS request: the web's roots and
/// those of `--ca-cert`.
pub fn client_config(roots: &Arc<RootCertStore>) -> Result<Arc<rustls::ClientConfig>, String> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(Arc::clone(roots))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The web's roots plus the PEM certificates of `extra`.
pub fn roots(extra: Option<&std::path::Path>) -> Result<Arc<RootCertStore>, String> {
    use rustls::pki_types::pem::PemObject;
    let mut store = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra {
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| e.to_string())? {
            let cert = cert.map_err(|e| e.to_string())?;
            store.add(cert).map_err(|e| e.to_string())?;
            added += 1;
        }
        if added == 0 {
            return Err("no PEM certificate in it".to_string());
        }
    }
    Ok(Arc::new(store))
}

pub fn check(base: &url::Url, roots: &Arc<RootCertStore>, timeout: Duration) -> Observation {
    let mut out = Observation {
        findings: Vec::new(),
        notes: Vec::new(),
        invalid: false,
    };
    let (Some(host), Some(port)) = (base.host_str(), base.port_or_known_default()) else {
        return out;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let shown = base.origin().ascii_serialization();
    let (seen, protocol) = match handshake(host, port, roots, timeout) {
        Ok(x) => x,
        Err(e) => {
            out.notes
                .push(format!("{shown}: TLS handshake failed: {e}"));
            return out;
        }
    };
    let Some((der, verdict)) = seen else {
        out.notes
            .push(format!("{shown}: no certificate was presented"));
        return out;
    };
    let expiry = not_after(&der);
    let now = time::OffsetDateTime::now_utc();
    let days = expiry.map(|t| (t - now).whole_days());
    let when = expiry
        .map(|t| t.date().to_string())
        .unwrap_or_else(|| "an unreadable date".to_string());
    out.notes.push(format!(
        "{shown}: certificate valid until {when}, {protocol}"
    ));
    if let Err(e) = verdict {
        out.invalid = true;
        out.findings.push(finding(
            &CERTIFICATE_INVALID,
            &shown,
            format!("The TLS certificate of {shown} is not valid: {e} (valid until {when})."),
            "Browsers and API clients refuse the connection (or users learn to click through warnings): the site is down for them, or open to interception.",
            "Serve a certificate from a trusted CA that names the host, renewed automatically (ACME / Let's Encrypt, or the platform's managed certificates), with its intermediate chain.",
        ));
        return out;
    }
    if let Some(days) = days {
        if days < WARN_DAYS {
            let mut f = finding(
                &CERTIFICATE_EXPIRING,
                &shown,
                format!("The TLS certificate of {shown} expires in {days} day(s), on {when}."),
                "When it expires every client refuses the connection: an outage on a known date.",
                "Renew it now and automate renewal (ACME clients renew 30 days ahead), with an alert when a certificate has less than three weeks left.",
            );
            if days < FAIL_DAYS {
                f.severity = Severity::High;
            }
            out.findings.push(f);
        }
    }
    out
}

/// The certificate (DER) and the real verifier's verdict on it.
type Seen = Option<(Vec<u8>, Result<(), rustls::Error>)>;

fn handshake(
    host: &str,
    port: u16,
    roots: &Arc<RootCertStore>,
    timeout: Duration,
) -> Result<(Seen, String), String> {
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::clone(roots), provider())
        .build()
        .map_err(|e| e.to_string())?;
    let recording = Arc::new(Recording {
        inner,
        seen: Mutex::new(None),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(recording.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or_else(|| format!("{host} has no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|_| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut stream).map_err(|e| e.to_string())?;
    }
    conn.send_close_notify();
    let _ = conn.complete_io(&mut stream);
    let protocol = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        Some(v) => format!("{v:?}"),
        None => "unknown protocol".to_string(),
    };
    let seen = recording.seen.lock().map(|mut s| s.take()).unwrap_or(None);
    Ok((seen, protocol))
}

/// One DER element: tag, content, what follows.
fn der(buf: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *buf.first()?;
    let first = *buf.get(1)? as usize;
    let (len, start) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in buf.get(2..2 + n)? {
            len = (len << 8) | *b as usize;
        }
        (len, 2 + n)
    };
    let end = start.checked_add(len)?;
    Some((tag, buf.get(start..end)?, buf.get(end..)?))
}

/// The `notAfter` of an X.509 certificate (RFC 5280 §4.1): read by hand, as
/// it is the one field the probe needs.
pub fn not_after(cert: &[u8]) -> Option<time::OffsetDateTime> {
    let (0x30, certificate, _) = der(cert)? else {
        return None;
    };
    let (0x30, tbs, _) = der(certificate)? else {
        return None;
    };
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = der(rest)?.2; // version
    }
    rest = der(rest)?.2; // serial number
    rest = der(rest)?.2; // signature algorithm
    rest = der(rest)?.2; // issuer
    let (0x30, validity, _) = der(rest)? else {
        return None;
    };
    let after = der(validity)?.2; // skip notBefore
    let (tag, text, _) = der(after)?;
    let text = std::str::from_utf8(text).ok()?;
    let digits = text.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            let yy: i32 = digits.get(..2)?.parse().ok()?;
            (
                if yy < 50 { 2000 + yy } else { 1900 + yy },
                digits.get(2..)?,
            )
        }
        0x18 => (digits.get(..4)?.parse().ok()?, digits.get(4..)?),
        _ => return None,
    };
    let field = |i: usize| -> Option<u8> { rest.get(i..i + 2)?.parse().ok() };
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(field(0)?).ok()?, field(2)?)
            .ok()?;
    let clock = time::Time::from_hms(field(4)?, field(6)?, field(8)?).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

pub static CERTIFICATE_INVALID: Rule = Rule {
    meta: RuleMeta {
        name: "probe-tls-certificate-invalid",
        code: "SW831",
        severity: Severity::Critical,
        category: Category::ContainerizationDeployment,
        title: "TLS certificate is not valid",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
For an `https://` URL, completes one TLS handshake and verifies the
certificate as a browser would (the web's roots, plus `--ca-cert`): reported
when it is expired, not yet valid, issued for another host, or not trusted.
Nothing else is asked of a deployment whose certificate is not valid.

## Why is this bad?
Clients refuse the connection, or users learn to click through warnings.

## Example
Reported: the certificate expired yesterday, or names `www.example.com` only
while the URL is `https://example.com`.

Not reported: a certificate from a trusted CA for the host, valid for months.

## Fix
Serve a trusted certificate for the host and automate its renewal.
"#,
    },
    check: Check::Meta,
};

pub static CERTIFICATE_EXPIRING: Rule = Rule {
    meta: RuleMeta {
        name: "probe-tls-certificate-expiring",
        code: "SW832",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "TLS certificate expires soon",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: r#"## What it does
Reports a valid certificate with less than 21 days left (high under 7 days):
renewal, which ACME clients do 30 days ahead, is not happening.

## Why is this bad?
On the expiry date every client refuses the connection.

## Example
Reported: the certificate expires in 5 days.

Not reported: it expires in 60 days.

## Fix
Renew now, automate renewal, and alert at three weeks.
"#,
    },
    check: Check::Meta,
};
