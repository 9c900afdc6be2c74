//! The health probes `seaworthy fix` writes for Express and Django apps,
//! run against a real PostgreSQL (issue 15: "the app's real database/cache
//! configuration in Express and Django health checks, per-check timeouts
//! that cannot wedge").
//!
//! Each fixture app connects the way real ones do, not the way the
//! generator used to assume: `DB_HOST`/`DB_USER`/… variables instead of
//! `DATABASE_URL`, Redis switched off by the app's own setting. The app
//! reaches PostgreSQL through a proxy of the test's own that can hang: while
//! it hangs, every connection opened through it is stuck for good (as
//! behind a dropped network path), so a check that waits on one without
//! its own timeout never returns. Readiness must be 503 during the hang and
//! 200 again once new connections go through, whatever the stuck ones do.
//!
//! Gated by SEAWORTHY_E2E (PostgreSQL, Redis, npm and the venv's Django
//! from `.ci/e2e-setup.sh`).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::{copy_of, e2e, require_env, require_tool};

/// Host, port, user, password, database of `SEAWORTHY_PG_URL`.
struct Pg {
    host: String,
    port: u16,
    user: String,
    password: String,
    database: String,
}

fn pg() -> Pg {
    let url = require_env("SEAWORTHY_PG_URL");
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .expect("SEAWORTHY_PG_URL is a URL");
    let (auth, location) = rest.split_once('@').expect("user:password@host");
    let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
    let (hostport, database) = location.split_once('/').unwrap_or((location, "postgres"));
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
    Pg {
        host: host.to_string(),
        port: port.parse().expect("port"),
        user: user.to_string(),
        password: password.to_string(),
        database: database.split('?').next().unwrap_or("postgres").to_string(),
    }
}

/// A TCP proxy to PostgreSQL that can hang: while `hung`, every connection
/// open or opened through it stops carrying bytes, and stays stuck for
/// the life of the proxy.
struct HangingProxy {
    port: u16,
    hung: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl HangingProxy {
    fn start(upstream: (String, u16)) -> HangingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let hung = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hung.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let (h, s, up) = (h.clone(), s.clone(), upstream.clone());
                        std::thread::spawn(move || relay(client, up, h, s));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    Err(_) => break,
                }
            }
        });
        HangingProxy { port, hung, stop }
    }

    fn hang(&self) {
        self.hung.store(true, Ordering::SeqCst);
    }

    /// New connections go through again; the stuck ones stay stuck.
    fn resume(&self) {
        self.hung.store(false, Ordering::SeqCst);
    }
}

impl Drop for HangingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn relay(client: TcpStream, upstream: (String, u16), hung: Arc<AtomicBool>, stop: Arc<AtomicBool>) {
    let stuck = Arc::new(AtomicBool::new(hung.load(Ordering::SeqCst)));
    let _ = client.set_nonblocking(false);
    let server = if stuck.load(Ordering::SeqCst) {
        None
    } else {
        TcpStream::connect((upstream.0.as_str(), upstream.1)).ok()
    };
    let Some(server) = server else {
        // Accepted, never answered: held open until the proxy stops.
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(client);
        return;
    };
    let pump = |mut from: TcpStream, mut to: TcpStream| {
        let (hung, stop, stuck) = (hung.clone(), stop.clone(), stuck.clone());
        std::thread::spawn(move || {
            let _ = from.set_read_timeout(Some(Duration::from_millis(50)));
            let mut buf = [0u8; 16384];
            while !stop.load(Ordering::SeqCst) {
                if hung.load(Ordering::SeqCst) {
                    stuck.store(true, Ordering::SeqCst);
                }
                if stuck.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                match from.read(&mut buf) {
                    Ok(0) => {
                        let _ = to.shutdown(Shutdown::Write);
                        return;
                    }
                    Ok(n) => {
                        if hung.load(Ordering::SeqCst) {
                            stuck.store(true, Ordering::SeqCst);
                            continue;
                        }
                        if to.write_all(&buf[..n]).is_err() {
                            return;
                        }
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(_) => return,
                }
            }
        })
    };
    let a = pump(
        client.try_clone().expect("clone"),
        server.try_clone().expect("clone"),
    );
    let b = pump(server, client);
    let _ = a.join();
    let _ = b.join();
}

struct Server {
    child: Child,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &Path, program: &str, args: &[&str], envs: &[(&str, String)]) -> Server {
        let log = dir.join("server.log");
        let out = std::fs::File::create(&log).expect("log");
        let child = Command::new(program)
            .args(args)
            .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
            .current_dir(dir)
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} could not start: {e}"));
        Server { child, log }
    }

    fn output(&self) -> String {
        format!(
            "--- server output ---\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A plain HTTP/1.1 GET by IP: (status, body, seconds taken).
fn get(port: u16, path: &str) -> Result<(u16, String, f64), String> {
    let started = Instant::now();
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .map_err(|e| e.to_string())?;
    // One write: `write!` sends each piece of the format on its own, and
    // PHP's built-in server answers a request split across packets with
    // "Malformed HTTP request" and a reset.
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("read after {} bytes: {e}", raw.len()))?;
    let response = String::from_utf8_lossy(&raw).into_owned();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line in {response:?}"))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body, started.elapsed().as_secs_f64()))
}

/// Polls `path` until it answers `status`; the last answer otherwise.
fn wait_status(port: u16, path: &str, status: u16, limit: Duration) -> Result<String, String> {
    let started = Instant::now();
    let mut last = String::from("no answer");
    while started.elapsed() < limit {
        match get(port, path) {
            Ok((s, body, _)) if s == status => return Ok(body),
            Ok((s, body, _)) => last = format!("{s} {body}"),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    Err(last)
}

fn fix(root: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_seaworthy"))
        .args(["fix", "--allow-no-vcs"])
        .arg(root)
        .output()
        .expect("seaworthy runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn db_vars(proxy: &HangingProxy, pg: &Pg) -> Vec<(&'static str, String)> {
    vec![
        ("DB_HOST", "127.0.0.1".to_string()),
        ("DB_PORT", proxy.port.to_string()),
        ("DB_USER", pg.user.clone()),
        ("DB_PASSWORD", pg.password.clone()),
        ("DB_NAME", pg.database.clone()),
    ]
}

/// Readiness during a hang (503, each within the check timeout and more
/// probes than any pool has threads), then 200 once the proxy carries new
/// connections again; liveness 200 throughout.
fn hang_and_recover(port: u16, ready: &str, live: &str, proxy: &HangingProxy, server: &Server) {
    proxy.hang();
    for probe in 0..6 {
        let (status, body, secs) =
            get(port, ready).unwrap_or_else(|e| panic!("{e}\n{}", server.output()));
        assert_eq!(
            status,
            503,
            "probe {probe} during the hang: {body}\n{}",
            server.output()
        );
        assert!(body.contains("database"), "names the database: {body}");
        assert!(secs < 5.0, "probe {probe} answered in {secs:.1} s: {body}");
        let (status, _, _) = get(port, live).expect("liveness");
        assert_eq!(status, 200, "liveness stays 200 during the hang");
    }
    proxy.resume();
    if let Err(last) = wait_status(port, ready, 200, Duration::from_secs(20)) {
        panic!(
            "readiness never recovered after the hang (the checks are wedged): {last}\n{}",
            server.output()
        );
    }
}

#[test]
fn express_health_uses_the_apps_knex_and_redis_modules_and_recovers_from_a_hang() {
    if !e2e("express_health_uses_the_apps_knex_and_redis_modules_and_recovers_from_a_hang") {
        return;
    }
    let npm = require_tool("npm");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/express-knex-db-vars");
    fix(&root);
    let health = std::fs::read_to_string(root.join("server/health.js")).expect("health module");
    assert!(
        health.contains("const appDb = () => require(\"./knex\");"),
        "{health}"
    );
    assert!(
        health.contains("const appRedis = () => require(\"./redis\").client;"),
        "{health}"
    );
    assert!(
        !health.contains("DATABASE_URL") && !health.contains("REDIS_URL"),
        "{health}"
    );
    let (out, _) = common::run(
        Command::new(&npm)
            .args(["ci", "--no-audit", "--no-fund", "--omit=dev"])
            .current_dir(&root),
    );
    assert!(out.status.success(), "npm ci");
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));

    // Redis off in the app's settings: readiness follows the database only.
    let port = free_port();
    let mut env = db_vars(&proxy, &pg);
    env.push(("PORT", port.to_string()));
    let server = Server::start(&root, "node", &["server/server.js"], &env);
    let body = wait_status(port, "/health/ready", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness with Redis off: {last}\n{}", server.output()));
    assert!(body.contains("\"database\":{\"status\":\"pass\""), "{body}");
    hang_and_recover(port, "/health/ready", "/health/live", &proxy, &server);
    drop(server);

    // Redis on, where nothing listens: 503 naming redis; on, with the
    // e2e Redis: 200.
    let dead = free_port();
    let port = free_port();
    let mut env = db_vars(&proxy, &pg);
    env.extend([
        ("PORT", port.to_string()),
        ("REDIS_ENABLED", "true".to_string()),
        ("REDIS_PORT", dead.to_string()),
    ]);
    let server = Server::start(&root, "node", &["server/server.js"], &env);
    let body = wait_status(port, "/health/ready", 503, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness with Redis down: {last}\n{}", server.output()));
    assert!(body.contains("\"failing\":[\"redis\"]"), "{body}");
    drop(server);
    let redis_port = require_env("SEAWORTHY_REDIS_URL")
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse::<u16>().ok())
        .expect("SEAWORTHY_REDIS_URL has a port");
    let port = free_port();
    let mut env = db_vars(&proxy, &pg);
    env.extend([
        ("PORT", port.to_string()),
        ("REDIS_ENABLED", "true".to_string()),
        ("REDIS_PORT", redis_port.to_string()),
    ]);
    let server = Server::start(&root, "node", &["server/server.js"], &env);
    let body = wait_status(port, "/health/ready", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness with Redis up: {last}\n{}", server.output()));
    assert!(body.contains("\"redis\":{\"status\":\"pass\""), "{body}");
}

#[test]
fn express_health_connects_with_the_apps_db_variables_and_its_pool_cannot_wedge() {
    if !e2e("express_health_connects_with_the_apps_db_variables_and_its_pool_cannot_wedge") {
        return;
    }
    let npm = require_tool("npm");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/express-pg-db-vars");
    fix(&root);
    let health = std::fs::read_to_string(root.join("health.js")).expect("health module");
    assert!(health.contains("host: process.env.DB_HOST,"), "{health}");
    assert!(health.contains("query_timeout: TIMEOUT_MS"), "{health}");
    let (out, _) = common::run(
        Command::new(&npm)
            .args(["ci", "--no-audit", "--no-fund", "--omit=dev"])
            .current_dir(&root),
    );
    assert!(out.status.success(), "npm ci");
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));
    let port = free_port();
    let mut env = db_vars(&proxy, &pg);
    env.push(("PORT", port.to_string()));
    let server = Server::start(&root, "node", &["index.js"], &env);
    wait_status(port, "/health/ready", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    hang_and_recover(port, "/health/ready", "/health/live", &proxy, &server);
}

/// A TypeScript Express app (ES modules under `module: nodenext`, strict
/// with noUncheckedIndexedAccess): the generated `health.ts` passes the
/// project's own `tsc --noEmit`, builds with its build script, and the
/// compiled server answers as designed through a database hang.
#[test]
fn typescript_express_health_type_checks_builds_and_recovers_from_a_hang() {
    if !e2e("typescript_express_health_type_checks_builds_and_recovers_from_a_hang") {
        return;
    }
    let npm = require_tool("npm");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/express-ts-pg");
    fix(&root);
    let health = std::fs::read_to_string(root.join("src/health.ts")).expect("health module");
    assert!(health.contains("import(\"./db.js\")"), "{health}");
    let (out, _) = common::run(
        Command::new(&npm)
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root),
    );
    assert!(out.status.success(), "npm ci");
    let (out, _) = common::run(
        Command::new("node")
            .args(["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."])
            .current_dir(&root),
    );
    assert!(
        out.status.success(),
        "tsc --noEmit on the fixed app:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (out, _) = common::run(Command::new(&npm).args(["run", "build"]).current_dir(&root));
    assert!(out.status.success(), "the build script");
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));
    let port = free_port();
    let mut env = db_vars(&proxy, &pg);
    env.push(("PORT", port.to_string()));
    let server = Server::start(&root, "node", &["dist/app.js"], &env);
    let body = wait_status(port, "/health/ready", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(body.contains("\"database\":{\"status\":\"pass\""), "{body}");
    hang_and_recover(port, "/health/ready", "/health/live", &proxy, &server);
}

#[test]
fn django_readiness_uses_the_settings_and_recovers_after_a_database_hang() {
    if !e2e("django_readiness_uses_the_settings_and_recovers_after_a_database_hang") {
        return;
    }
    let python = require_env("SEAWORTHY_PYTHON");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/django-db-vars");
    fix(&root);
    let settings = std::fs::read_to_string(root.join("shop/settings.py")).expect("settings");
    assert!(
        settings.contains("\"shop.health.HealthCheckMiddleware\""),
        "{settings}"
    );
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));
    let port = free_port();
    let env = db_vars(&proxy, &pg);
    let addr = format!("127.0.0.1:{port}");
    let server = Server::start(
        &root,
        &python,
        &["manage.py", "runserver", "--noreload", &addr],
        &env,
    );
    // By IP, over HTTP, with ALLOWED_HOSTS and SECURE_SSL_REDIRECT set: the
    // middleware answers first.
    let body = wait_status(port, "/health/ready", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(
        body.contains("\"database\": {\"status\": \"pass\"}"),
        "{body}"
    );
    // The redis package is installed but the cache is local: no Redis check.
    assert!(!body.contains("redis"), "{body}");
    // The second database of DATABASES is checked too.
    assert!(
        body.contains("\"database:analytics\": {\"status\": \"pass\"}"),
        "{body}"
    );
    hang_and_recover(port, "/health/ready", "/health/live", &proxy, &server);
    drop(server);
    // The replica unreachable, the default database up: 503 naming it.
    let port = free_port();
    let mut env = db_vars(&proxy, &pg);
    env.push(("ANALYTICS_DB_PORT", free_port().to_string()));
    let addr = format!("127.0.0.1:{port}");
    let server = Server::start(
        &root,
        &python,
        &["manage.py", "runserver", "--noreload", &addr],
        &env,
    );
    let body = wait_status(port, "/health/ready", 503, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness, replica down: {last}\n{}", server.output()));
    assert!(
        body.contains("\"failing\": [\"database:analytics\"]"),
        "{body}"
    );
}

/// A Django project whose manage.py is a folder below the app folder (the
/// requirements one level up, as in mohit4u007/DjangoBlog, fix15e): the
/// middleware is named from the folder of manage.py, where Django imports
/// it (`blog_site.health…`, not `site.blog_site.health…`, which made
/// runserver fail to load the WSGI application).
#[test]
fn a_django_project_below_the_app_folder_serves_its_probes() {
    if !e2e("a_django_project_below_the_app_folder_serves_its_probes") {
        return;
    }
    let python = require_env("SEAWORTHY_PYTHON");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/django-nested-manage");
    fix(&root);
    let site = root.join("site");
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));
    let port = free_port();
    let env = vec![
        ("SECRET_KEY", "e2e".repeat(20)),
        ("DATABASE_HOST", "127.0.0.1".to_string()),
        ("DATABASE_PORT", proxy.port.to_string()),
        ("DATABASE_USERNAME", pg.user.clone()),
        ("DATABASE_PASSWORD", pg.password.clone()),
        ("DATABASE_NAME", pg.database.clone()),
    ];
    let addr = format!("127.0.0.1:{port}");
    let server = Server::start(
        &site,
        &python,
        &["manage.py", "runserver", "--noreload", &addr],
        &env,
    );
    let body = wait_status(port, "/health/ready", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(
        body.contains("\"database\": {\"status\": \"pass\"}"),
        "{body}"
    );
    hang_and_recover(port, "/health/ready", "/health/live", &proxy, &server);
}

/// psql against the e2e server, in database `db`: (success, output).
fn psql(pg: &Pg, db: &str, sql: &str) -> (bool, String) {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", &pg.host, "-p"])
        .arg(pg.port.to_string())
        .args(["-U", &pg.user, "-d", db, "-c", sql])
        .env("PGPASSWORD", &pg.password)
        .output()
        .expect("psql runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_carried_sqlite_index_applies_on_postgresql_and_keeps_its_rule() {
    if !e2e("the_carried_sqlite_index_applies_on_postgresql_and_keeps_its_rule") {
        return;
    }
    require_tool("psql");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/next-sqlite-handwritten-sql");
    let out = Command::new(env!("CARGO_BIN_EXE_seaworthy"))
        .args([
            "fix",
            "--allow-no-vcs",
            "--unsafe",
            "--rule",
            "sqlite-in-production",
        ])
        .arg(&root)
        .output()
        .expect("seaworthy runs");
    assert!(out.status.success());
    let carried =
        std::fs::read_to_string(root.join("prisma/migrations/1_sqlite_handwritten/migration.sql"))
            .expect("carried SQL");
    let db = common::unique("carried").replace('-', "_");
    let (ok, log) = psql(&pg, &pg.database, &format!("CREATE DATABASE {db}"));
    assert!(ok, "{log}");
    // The table as the PostgreSQL baseline creates it from the schema.
    let (ok, log) = psql(
        &pg,
        &db,
        "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"email\" TEXT NOT NULL, \"deletedAt\" TIMESTAMP(3))",
    );
    assert!(ok, "{log}");
    let (ok, log) = psql(&pg, &db, &carried);
    assert!(
        ok,
        "the carried SQL applies on PostgreSQL:\n{carried}\n{log}"
    );
    let (ok, log) = psql(&pg, &db, &carried);
    assert!(
        ok,
        "and again (IF NOT EXISTS, a pgloader-loaded database):\n{log}"
    );
    // The rule the app relies on: one live account per email.
    let (ok, log) = psql(
        &pg,
        &db,
        "INSERT INTO \"User\" (\"email\", \"deletedAt\") VALUES ('a@example.com', now()), ('a@example.com', now()), ('a@example.com', NULL)",
    );
    assert!(ok, "deleted rows may share the email: {log}");
    let (ok, log) = psql(
        &pg,
        &db,
        "INSERT INTO \"User\" (\"email\") VALUES ('a@example.com')",
    );
    assert!(!ok && log.contains("User_email_live_key"), "{log}");
    let _ = psql(&pg, &pg.database, &format!("DROP DATABASE {db}"));
}

/// `${NAME:-default}` and `${NAME:?message}` as Compose resolves them, with
/// only POSTGRES_PASSWORD set (what a deployment must provide).
fn compose_interpolate(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('}') else {
            break;
        };
        let inner = &rest[at + 2..at + end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, d),
            None => (inner.split(":?").next().unwrap_or(inner), ""),
        };
        out.push_str(if name == "POSTGRES_PASSWORD" {
            "e2e-password"
        } else {
            default
        });
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The SQLite → PostgreSQL move leaves no SQLite URL in the project's own
/// image inputs: `prisma validate` passes with the DATABASE_URL its
/// Dockerfile's build stage sets and with the one its compose file gives
/// the app; with the SQLite URL they held, it fails (P1012).
#[test]
fn the_projects_own_image_urls_validate_after_the_move_to_postgresql() {
    if !e2e("the_projects_own_image_urls_validate_after_the_move_to_postgresql") {
        return;
    }
    let prisma = require_env("SEAWORTHY_PRISMA6");
    let (_dir, root) = copy_of("tests/fix_fixtures/next-sqlite-handwritten-sql");
    let out = Command::new(env!("CARGO_BIN_EXE_seaworthy"))
        .args([
            "fix",
            "--allow-no-vcs",
            "--unsafe",
            "--rule",
            "sqlite-in-production",
        ])
        .arg(&root)
        .output()
        .expect("seaworthy runs");
    assert!(out.status.success());
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).expect(rel);
    let dockerfile = read("Dockerfile");
    let built = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("ENV DATABASE_URL="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| panic!("the build stage sets DATABASE_URL:\n{dockerfile}"));
    let compose = read("docker-compose.yml");
    let served = compose
        .lines()
        .find_map(|l| l.trim().strip_prefix("DATABASE_URL:"))
        .map(|v| compose_interpolate(v.trim().trim_matches('"')))
        .unwrap_or_else(|| panic!("compose sets DATABASE_URL:\n{compose}"));
    let validate = |url: &str| {
        let (out, _) = common::run(
            Command::new(&prisma)
                .args(["validate", "--schema", "prisma/schema.prisma"])
                .env("DATABASE_URL", url)
                .current_dir(&root),
        );
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    for (what, url) in [("Dockerfile", &built), ("docker-compose.yml", &served)] {
        let (ok, log) = validate(url);
        assert!(ok, "{what}: DATABASE_URL={url}\n{log}");
    }
    let (ok, log) = validate("file:/data/prod.db");
    assert!(
        !ok && log.contains("P1012"),
        "the SQLite URL the files held fails on the PostgreSQL schema:\n{log}"
    );
}

/// The Redis port of `SEAWORTHY_REDIS_URL`.
fn redis_port() -> String {
    let url = require_env("SEAWORTHY_REDIS_URL");
    url.rsplit(':')
        .next()
        .map(|p| p.trim_end_matches('/').to_string())
        .expect("SEAWORTHY_REDIS_URL has a port")
}

#[test]
fn rails_health_skips_the_apps_auth_and_host_checks_and_recovers_from_a_hang() {
    if !e2e("rails_health_skips_the_apps_auth_and_host_checks_and_recovers_from_a_hang") {
        return;
    }
    // Debian's ruby-rails (6.1) and its pg, redis and puma gems: bundler
    // resolves the fixture's Gemfile against the installed gems.
    let ruby = require_tool("ruby");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/rails-api");
    fix(&root);
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));
    let port = free_port();
    let env = vec![
        ("RAILS_ENV", "production".to_string()),
        ("SECRET_KEY_BASE", "e2e".repeat(20)),
        ("LEDGER_DB_HOST", "127.0.0.1".to_string()),
        ("LEDGER_DB_PORT", proxy.port.to_string()),
        ("LEDGER_DB_USER", pg.user.clone()),
        ("LEDGER_DB_PASSWORD", pg.password.clone()),
        ("LEDGER_DB_NAME", pg.database.clone()),
        ("LEDGER_TOKEN", "secret-token".to_string()),
        ("REDIS_URL", format!("redis://127.0.0.1:{}/0", redis_port())),
    ];
    let server = Server::start(
        &root,
        &ruby.to_string_lossy(),
        &[
            "bin/rails",
            "server",
            "-p",
            &port.to_string(),
            "-b",
            "127.0.0.1",
        ],
        &env,
    );
    // By IP, over plain HTTP, without the API token: force_ssl, the host
    // allow-list and the authentication before_action would each refuse it.
    let body = wait_status(port, "/readyz", 200, Duration::from_secs(60))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(
        body.contains("\"database\":{\"status\":\"pass\"}"),
        "{body}"
    );
    assert!(body.contains("\"redis\":{\"status\":\"pass\"}"), "{body}");
    let (status, _, _) = get(port, "/entries").expect("entries");
    assert_eq!(status, 403, "the app's own routes stay behind config.hosts");
    hang_and_recover(port, "/readyz", "/healthz", &proxy, &server);
    drop(server);
    // Redis unreachable: 503 naming it, liveness unaffected.
    let port = free_port();
    let mut env = env;
    env.retain(|(k, _)| *k != "REDIS_URL");
    env.push(("REDIS_URL", format!("redis://127.0.0.1:{}/0", free_port())));
    let server = Server::start(
        &root,
        &ruby.to_string_lossy(),
        &[
            "bin/rails",
            "server",
            "-p",
            &port.to_string(),
            "-b",
            "127.0.0.1",
        ],
        &env,
    );
    let body = wait_status(port, "/readyz", 503, Duration::from_secs(60))
        .unwrap_or_else(|last| panic!("readiness, Redis down: {last}\n{}", server.output()));
    assert!(body.contains("\"failing\":[\"redis\"]"), "{body}");
    let (status, _, _) = get(port, "/healthz").expect("liveness");
    assert_eq!(status, 200);
}

/// Rails 7.1's `/up` stays the liveness route and the readiness route the
/// fix adds beside it (health-check-misses-dependencies) follows the
/// database: 200, 503 within 5 s during a hang while `/up` stays 200, 200
/// after. Debian's Rails is 6.1, which has no `Rails::HealthController`:
/// the test's copy gets a stand-in answering as Rails 7.1's does (200 once
/// the app has booted), after the fix has run.
#[test]
fn a_rails_up_route_keeps_liveness_and_the_added_readiness_follows_the_database() {
    if !e2e("a_rails_up_route_keeps_liveness_and_the_added_readiness_follows_the_database") {
        return;
    }
    let ruby = require_tool("ruby");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/rails-api");
    let routes = std::fs::read_to_string(root.join("config/routes.rb")).expect("routes");
    let routes = routes.replace(
        "routes.draw do\n",
        "routes.draw do\n  get \"up\" => \"rails/health#show\", as: :rails_health_check\n",
    );
    std::fs::write(root.join("config/routes.rb"), routes).expect("write");
    let out = fix(&root);
    assert!(
        out.contains("gone: health-check-misses-dependencies"),
        "{out}"
    );
    assert!(
        out.contains("Liveness at GET /up and readiness at GET /readyz"),
        "{out}"
    );
    if !root
        .join("app/controllers/rails/health_controller.rb")
        .exists()
    {
        std::fs::create_dir_all(root.join("app/controllers/rails")).expect("mkdir");
        std::fs::write(
            root.join("app/controllers/rails/health_controller.rb"),
            "# Stand-in for Rails 7.1's Rails::HealthController on Debian's Rails 6.1 (test only).\nclass Rails::HealthController < ActionController::Base\n  def show\n    render plain: \"up\"\n  end\nend\n",
        )
        .expect("stand-in");
    }
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));
    let port = free_port();
    let env = vec![
        ("RAILS_ENV", "production".to_string()),
        ("SECRET_KEY_BASE", "e2e".repeat(20)),
        ("LEDGER_DB_HOST", "127.0.0.1".to_string()),
        ("LEDGER_DB_PORT", proxy.port.to_string()),
        ("LEDGER_DB_USER", pg.user.clone()),
        ("LEDGER_DB_PASSWORD", pg.password.clone()),
        ("LEDGER_DB_NAME", pg.database.clone()),
        ("LEDGER_TOKEN", "secret-token".to_string()),
        ("REDIS_URL", format!("redis://127.0.0.1:{}/0", redis_port())),
    ];
    let server = Server::start(
        &root,
        &ruby.to_string_lossy(),
        &[
            "bin/rails",
            "server",
            "-p",
            &port.to_string(),
            "-b",
            "127.0.0.1",
        ],
        &env,
    );
    // Plain HTTP by IP: force_ssl and the host allow-list let both through.
    let body = wait_status(port, "/readyz", 200, Duration::from_secs(60))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(
        body.contains("\"database\":{\"status\":\"pass\"}"),
        "{body}"
    );
    assert!(body.contains("\"redis\":{\"status\":\"pass\"}"), "{body}");
    let (status, _, _) = get(port, "/up").expect("liveness");
    assert_eq!(status, 200, "{}", server.output());
    hang_and_recover(port, "/readyz", "/up", &proxy, &server);
}

#[test]
fn laravel_health_bypasses_the_web_group_and_recovers_from_a_hang() {
    if !e2e("laravel_health_bypasses_the_web_group_and_recovers_from_a_hang") {
        return;
    }
    // Debian's php-laravel-framework (8) stands in for `composer install`.
    let php = require_tool("php");
    let framework = Path::new("/usr/share/php/Illuminate/autoload.php");
    assert!(
        framework.is_file(),
        "SEAWORTHY_E2E is set but php-laravel-framework is not installed: run .ci/e2e-setup.sh"
    );
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/laravel-app");
    fix(&root);
    std::fs::create_dir_all(root.join("vendor")).expect("vendor");
    std::fs::copy(
        common::repo_path("eval/fix/laravel-debian-autoload.php"),
        root.join("vendor/autoload.php"),
    )
    .expect("autoload");
    let proxy = HangingProxy::start((pg.host.clone(), pg.port));
    let port = free_port();
    let env = vec![
        (
            "APP_KEY",
            "base64:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
        ("DB_HOST", "127.0.0.1".to_string()),
        ("DB_PORT", proxy.port.to_string()),
        ("DB_USERNAME", pg.user.clone()),
        ("DB_PASSWORD", pg.password.clone()),
        ("DB_DATABASE", pg.database.clone()),
        ("REDIS_PORT", redis_port()),
    ];
    let addr = format!("127.0.0.1:{port}");
    // What `php artisan serve` runs, without the parent process.
    let server = Server::start(
        &root,
        &php.to_string_lossy(),
        &["-S", &addr, "server.php"],
        &env,
    );
    let body = wait_status(port, "/readyz", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(
        body.contains("\"database\":{\"status\":\"pass\"}"),
        "{body}"
    );
    // The cache store is Redis, on the `cache` connection.
    assert!(
        body.contains("\"redis:cache\":{\"status\":\"pass\"}"),
        "{body}"
    );
    // The web group starts a database session (no sessions table here):
    // the app's own pages fail, the probes do not run it.
    let (status, _, _) = get(port, "/tickets").expect("tickets");
    assert_ne!(
        status, 200,
        "the app's routes stay behind auth and sessions"
    );
    hang_and_recover(port, "/readyz", "/healthz", &proxy, &server);
}

/// The image's runtime user, its writable folders and its command, read
/// from the generated Dockerfile: `RUN mkdir -p … && chown -R UID:UID
/// dirs…` and `CMD [...]`.
fn runner_layout(dockerfile: &str) -> (String, Vec<String>, Vec<String>) {
    let runner = dockerfile
        .split("AS runner")
        .nth(1)
        .expect("a runner stage");
    let chown = runner
        .lines()
        .find_map(|l| l.split_once("chown -R ").map(|(_, r)| r))
        .expect("the runner's chown");
    let mut words = chown.split_whitespace();
    let owner = words.next().expect("uid:gid");
    let uid = owner.split(':').next().expect("uid").to_string();
    let dirs: Vec<String> = words
        .take_while(|w| *w != "\\" && *w != "&&")
        .filter(|w| !w.starts_with('/'))
        .map(str::to_string)
        .collect();
    let cmd = runner
        .lines()
        .find_map(|l| l.strip_prefix("CMD "))
        .expect("CMD");
    let cmd: Vec<String> = serde_json::from_str(cmd).expect("exec-form CMD");
    (uid, dirs, cmd)
}

/// The tree as the image has it: owned by root, not writable by others,
/// except the folders the Dockerfile gives the runtime user. Returns the
/// command prefix that runs a program as that user.
fn as_image_user(root: &Path, uid: &str, dirs: &[String]) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    // The temporary folder above the copy is private to root.
    if let Some(parent) = root.parent() {
        std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let status = Command::new("chmod")
        .args(["-R", "go-w,a+rX"])
        .arg(root)
        .status()
        .expect("chmod");
    assert!(status.success());
    for dir in dirs {
        std::fs::create_dir_all(root.join(dir)).expect("mkdir");
        let status = Command::new("chown")
            .args(["-R", &format!("{uid}:{uid}")])
            .arg(root.join(dir))
            .status()
            .expect("chown");
        assert!(status.success());
    }
    [
        "setpriv",
        "--reuid",
        uid,
        "--regid",
        uid,
        "--clear-groups",
        "env",
        "HOME=/tmp",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn the_rails_image_layout_migrates_and_serves_as_its_user() {
    if !e2e("the_rails_image_layout_migrates_and_serves_as_its_user") {
        return;
    }
    if !is_root() {
        eprintln!("SKIP the_rails_image_layout_migrates_and_serves_as_its_user: needs root to run as the image's user");
        return;
    }
    // The generated image's steps on Debian's ruby-rails: its gems stand in
    // for rubygems.org, this machine for the ruby image.
    require_tool("setpriv");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/rails-api");
    fix(&root);
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).expect("Dockerfile");
    let compose = std::fs::read_to_string(root.join("compose.yaml")).expect("compose");
    let (uid, dirs, mut cmd) = runner_layout(&dockerfile);
    assert_eq!(uid, "10001");
    let database = format!("seaworthy_rails_image_{}", std::process::id());
    let admin = format!(
        "postgresql://{}:{}@{}:{}/{}",
        pg.user, pg.password, pg.host, pg.port, pg.database
    );
    let psql = |sql: &str| {
        let out = Command::new("psql")
            .args([&admin, "-qc", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    psql(&format!("DROP DATABASE IF EXISTS {database}"));
    let env = vec![
        ("RAILS_ENV", "production".to_string()),
        ("BUNDLE_WITHOUT", "development:test".to_string()),
        ("SECRET_KEY_BASE", "e2e".repeat(22)),
        (
            "DATABASE_URL",
            format!(
                "postgresql://{}:{}@{}:{}/{database}",
                pg.user, pg.password, pg.host, pg.port
            ),
        ),
        ("REDIS_URL", format!("redis://127.0.0.1:{}/0", redis_port())),
        ("LEDGER_TOKEN", "secret-token".to_string()),
    ];
    // Build stage: `bundle install` (the lockfile it writes goes into the image).
    let install = Command::new("bundle")
        .args(["install", "--local"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(&root)
        .output()
        .expect("bundle");
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stdout)
    );
    let user = as_image_user(&root, &uid, &dirs);
    // The compose `migrate` service: `rails db:prepare` creates the database.
    let migrate: Vec<String> = compose
        .split("\n  migrate:\n")
        .nth(1)
        .and_then(|s| s.lines().find_map(|l| l.trim().strip_prefix("command: ")))
        .and_then(|c| serde_json::from_str(c).ok())
        .expect("the migrate command");
    // Twice: the first deployment creates the database; every later one
    // migrates the existing database, and then Rails dumps db/schema.rb.
    for deployment in ["first", "second"] {
        let out = Command::new(&user[0])
            .args(&user[1..])
            .args(&migrate)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .current_dir(&root)
            .output()
            .expect("migrate");
        assert!(
            out.status.success(),
            "{migrate:?} as uid {uid}, {deployment} deployment:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The image's CMD on a free port.
    let port = free_port();
    if let Some(at) = cmd.iter().position(|a| a == "-p") {
        cmd[at + 1] = port.to_string();
    }
    let mut args: Vec<&str> = user[1..].iter().map(String::as_str).collect();
    args.extend(cmd.iter().map(String::as_str));
    let server = Server::start(&root, &user[0], &args, &env);
    let body = wait_status(port, "/readyz", 200, Duration::from_secs(60))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(
        body.contains("\"database\":{\"status\":\"pass\"}"),
        "{body}"
    );
    let (status, _, _) = get(port, "/healthz").expect("liveness");
    assert_eq!(status, 200);
    drop(server);
    psql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
}

#[test]
fn the_laravel_image_layout_caches_at_start_and_serves_as_its_user() {
    if !e2e("the_laravel_image_layout_caches_at_start_and_serves_as_its_user") {
        return;
    }
    if !is_root() {
        eprintln!("SKIP the_laravel_image_layout_caches_at_start_and_serves_as_its_user: needs root to run as the image's user");
        return;
    }
    // Debian's php-laravel-framework stands in for `composer install`, PHP's
    // built-in server for FrankenPHP (both serve public/ through index.php).
    require_tool("setpriv");
    let php = require_tool("php");
    let pg = pg();
    let (_dir, root) = copy_of("tests/fix_fixtures/laravel-app");
    fix(&root);
    std::fs::create_dir_all(root.join("vendor")).expect("vendor");
    std::fs::copy(
        common::repo_path("eval/fix/laravel-debian-autoload.php"),
        root.join("vendor/autoload.php"),
    )
    .expect("autoload");
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).expect("Dockerfile");
    let (uid, dirs, _) = runner_layout(&dockerfile);
    let entrypoint = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("ENTRYPOINT "))
        .and_then(|e| serde_json::from_str::<Vec<String>>(e).ok())
        .expect("ENTRYPOINT");
    // `sh /app/docker/entrypoint.sh` → the file in this copy.
    let script = entrypoint[1].trim_start_matches("/app/").to_string();
    let user = as_image_user(&root, &uid, &dirs);
    let env = vec![
        ("APP_ENV", "production".to_string()),
        ("APP_DEBUG", "false".to_string()),
        ("LOG_CHANNEL", "stderr".to_string()),
        (
            "APP_KEY",
            "base64:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
        ("DB_CONNECTION", "pgsql".to_string()),
        ("DB_HOST", pg.host.clone()),
        ("DB_PORT", pg.port.to_string()),
        ("DB_USERNAME", pg.user.clone()),
        ("DB_PASSWORD", pg.password.clone()),
        ("DB_DATABASE", pg.database.clone()),
        ("REDIS_PORT", redis_port()),
    ];
    let run = |args: &[&str]| {
        Command::new(&user[0])
            .args(&user[1..])
            .arg("sh")
            .arg(&script)
            .args(args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .current_dir(&root)
            .output()
            .expect("entrypoint")
    };
    // The compose `migrate` service, through the entrypoint.
    let out = run(&["php", "artisan", "migrate", "--force"]);
    assert!(
        out.status.success(),
        "migrate as uid {uid}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        root.join("bootstrap/cache/config.php").is_file(),
        "config:cache ran at start, as the runtime user"
    );
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let php = php.to_string_lossy().into_owned();
    let mut args: Vec<&str> = user[1..].iter().map(String::as_str).collect();
    args.extend([
        "sh",
        script.as_str(),
        php.as_str(),
        "-S",
        addr.as_str(),
        "-t",
        "public",
        "server.php",
    ]);
    let server = Server::start(&root, &user[0], &args, &env);
    let body = wait_status(port, "/readyz", 200, Duration::from_secs(30))
        .unwrap_or_else(|last| panic!("readiness: {last}\n{}", server.output()));
    assert!(
        body.contains("\"database\":{\"status\":\"pass\"}"),
        "{body}"
    );
    let (status, _, _) = get(port, "/healthz").expect("liveness");
    assert_eq!(status, 200);
}
