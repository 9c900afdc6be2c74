//! A small HTTP/1.1 server on the loopback address for the probe tests:
//! one request per connection, a thread per connection (a hanging answer
//! blocks no other), every request recorded so a test can assert what was
//! asked and nothing else. Plain TCP or TLS (rustls) alike.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as received: header names lowercased.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `GET /path?query`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

/// An answer: status, headers, body.
pub type Reply = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// A status that makes the server wait 4 s and close without answering.
pub const HANG: u16 = 999;

type Handler = Arc<dyn Fn(&Request, usize) -> Reply + Send + Sync>;

pub struct HttpServer {
    pub port: u16,
    log: Arc<Mutex<Vec<Request>>>,
}

impl HttpServer {
    /// Serves `answer(request, n)`, `n` counting the earlier requests to
    /// the same target (from 0).
    pub fn start(answer: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> HttpServer {
        HttpServer::listen(Arc::new(answer), None)
    }

    /// The same over TLS with `config`.
    pub fn start_tls(
        config: Arc<rustls::ServerConfig>,
        answer: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> HttpServer {
        HttpServer::listen(Arc::new(answer), Some(config))
    }

    fn listen(answer: Handler, tls: Option<Arc<rustls::ServerConfig>>) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                let answer = Arc::clone(&answer);
                let tls = tls.clone();
                std::thread::spawn(move || {
                    let _ = serve_connection(stream, tls, &*answer, &seen);
                });
            }
        });
        HttpServer { port, log }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Request> {
        self.log.lock().expect("log").clone()
    }

    /// Every request so far as `METHOD TARGET`.
    pub fn requests(&self) -> Vec<String> {
        self.received().iter().map(Request::line).collect()
    }
}

fn serve_connection(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    answer: &(dyn Fn(&Request, usize) -> Reply + Send + Sync),
    log: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    match tls {
        None => respond(stream, answer, log),
        Some(config) => {
            let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
            respond(rustls::StreamOwned::new(conn, stream), answer, log)
        }
    }
}

fn respond<S: Read + Write>(
    mut stream: S,
    answer: &(dyn Fn(&Request, usize) -> Reply + Send + Sync),
    log: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    let mut request_line = String::new();
    let mut headers = Vec::new();
    {
        let mut reader = BufReader::new(&mut stream);
        reader.read_line(&mut request_line)?;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((name, value)) = line.trim_end().split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
    }
    if request_line.trim().is_empty() {
        // A connection that asked nothing (a certificate check's handshake).
        return Ok(());
    }
    let mut parts = request_line.split_whitespace();
    let request = Request {
        method: parts.next().unwrap_or("").to_string(),
        target: parts.next().unwrap_or("").to_string(),
        headers,
    };
    let n = {
        let mut log = log.lock().expect("log");
        let n = log.iter().filter(|r| r.target == request.target).count();
        log.push(request.clone());
        n
    };
    let (status, headers, body) = answer(&request, n);
    if status == HANG {
        std::thread::sleep(Duration::from_secs(4));
        return Ok(());
    }
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    if request.method != "HEAD" {
        out.push_str(body);
    }
    stream.write_all(out.as_bytes())?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// The only paths `seaworthy probe` asks with its defaults: the well-known
/// health routes and the exposure list (GET/HEAD only).
pub const PROBE_PATHS: &[&str] = &[
    "/",
    "/api/health/live",
    "/livez",
    "/healthz",
    "/health",
    "/api/health",
    "/api/health/ready",
    "/readyz",
    "/.env",
    "/.git/config",
    "/.git/HEAD",
    "/server.js.map",
    "/seaworthy-probe-not-found",
];
