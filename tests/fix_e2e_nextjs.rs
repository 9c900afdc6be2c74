//! The fixed example app really builds and runs.
//!
//! On a copy of `examples/nextjs-prisma-pet-server`: `seaworthy fix --unsafe`,
//! then `npm install`, `prisma generate`, `next build` with the generated
//! config, the standalone server started against a real PostgreSQL and a real
//! Redis; the readiness route must answer 200 with both checks passing, 503
//! naming redis within its timeout once Redis stops, and 200 again once Redis
//! is back. The same server is then probed as a deployment
//! (`check --probe`, `probe`): the health routes pass, the readiness finding
//! names redis while Redis is down, and passes again once it is back.
//!
//! Needs npm, the npm registry, `redis-server` and a PostgreSQL server: it
//! runs when `SEAWORTHY_E2E=1` (CI sets it, see `.ci/e2e-setup.sh`) and fails
//! there if anything is missing; without the variable it says it was skipped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

fn e2e_enabled(test: &str) -> bool {
    if std::env::var("SEAWORTHY_E2E").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("SKIPPED {test}: set SEAWORTHY_E2E=1 (with npm, redis-server and PostgreSQL available) to run it");
    false
}

/// PostgreSQL for the app: `SEAWORTHY_PG_URL`, else the local
/// server CI starts.
fn database_url() -> String {
    std::env::var("SEAWORTHY_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres:postgres@127.0.0.1:5432/postgres".to_string())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Copies the example without build outputs or installed packages.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read example") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if ["node_modules", ".next", "generated"]
            .iter()
            .any(|skip| name == *skip)
        {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn run(dir: &Path, program: &str, args: &[&str], envs: &[(&str, &str)]) {
    let started = Instant::now();
    let out = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not start: {e}"));
    eprintln!(
        "{program} {} — {:.1} s",
        args.join(" "),
        started.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A child process killed when the test ends, pass or fail.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis(port: u16) -> Guard {
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server starts (apt install redis-server)");
    wait_for(Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    Guard(child)
}

fn wait_for(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// A plain HTTP/1.1 GET: (status, body), or why nothing usable came back.
fn get(port: u16, path: &str, timeout: Duration) -> Result<(u16, String), String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
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
    Ok((status, body))
}

fn server_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    format!("--- server output ---\n{text}")
}

fn seaworthy() -> PathBuf {
    assert_cmd::cargo::cargo_bin("seaworthy")
}

/// The paths a probe of this app may ask: the well-known ones, the routes
/// `seaworthy fix` wrote (the same), the exposure list.
use common::http::PROBE_PATHS;

/// The live findings of a report as (rule, location, message), and a check
/// that the probe's request list (on stderr) holds only GETs of the
/// allowed paths.
fn live_findings(report: &Value, stderr: &str, origin: &str) -> Vec<(String, String, String)> {
    let note = stderr
        .lines()
        .find(|l| l.contains(&format!("request(s) to {origin}:")))
        .unwrap_or_else(|| panic!("no request list on stderr: {stderr}"));
    let list = note.split_once(": ").map(|(_, r)| r).unwrap_or("");
    let list = list.split_once(": ").map(|(_, r)| r).unwrap_or("");
    for request in list.split(", ") {
        let (method, path) = request.split_once(' ').unwrap_or(("", request));
        assert!(
            method == "GET" && PROBE_PATHS.contains(&path),
            "unexpected request {request} in {note}"
        );
    }
    report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("probe-")))
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

/// `seaworthy ARGS --format json`: (exit code, report, stderr).
fn seaworthy_json(args: &[&str]) -> (i32, Value, String) {
    let mut cmd = common::seaworthy();
    cmd.args(args)
        .args(["--format", "json", "--fail-on", "none"])
        .env_remove("BACKUP_S3_BUCKET")
        .env_remove("BACKUP_S3_ENDPOINT");
    let (code, stdout, stderr) = common::outcome(&mut cmd);
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (code, report, stderr)
}

/// The health findings (liveness, readiness) among the live ones.
fn health_only(found: &[(String, String, String)]) -> Vec<&(String, String, String)> {
    found
        .iter()
        .filter(|(r, _, _)| r.starts_with("probe-health-") || r.starts_with("probe-readiness-"))
        .collect()
}

#[test]
fn fixed_example_builds_and_its_readiness_follows_redis() {
    if !e2e_enabled("fixed_example_builds_and_its_readiness_follows_redis") {
        return;
    }
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nextjs-prisma-pet-server");
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = tmp.path().join("app");
    std::fs::create_dir_all(&app).expect("mkdir");
    copy_tree(&example, &app);

    let fix = Command::new(seaworthy())
        .args([
            "fix",
            "--allow-no-vcs",
            "--unsafe",
            "--deploy-target",
            "kubernetes",
        ])
        .arg(&app)
        .output()
        .expect("seaworthy fix runs");
    eprintln!("{}", String::from_utf8_lossy(&fix.stdout));
    assert!(
        fix.status.success(),
        "fix failed: {}",
        String::from_utf8_lossy(&fix.stderr)
    );

    let database_url = database_url();
    let redis_port = free_port();
    let redis_url = format!("redis://127.0.0.1:{redis_port}");
    // The schema engine binary is only needed for migrations; generate and
    // the driver-adapter client run without it (and without the network).
    let prisma_env = [
        ("DATABASE_URL", database_url.as_str()),
        ("PRISMA_SCHEMA_ENGINE_BINARY", "/bin/true"),
        ("NEXT_TELEMETRY_DISABLED", "1"),
    ];
    run(
        &app,
        "npm",
        &["install", "--no-audit", "--no-fund", "--loglevel=error"],
        &[],
    );
    run(&app, "npx", &["prisma", "validate"], &prisma_env);
    run(&app, "npx", &["prisma", "generate"], &prisma_env);
    run(&app, "npx", &["next", "build"], &prisma_env);
    let server_js = app.join(".next/standalone/server.js");
    assert!(
        server_js.is_file(),
        "next build did not produce standalone output"
    );

    let mut redis = Some(start_redis(redis_port));
    let port = free_port();
    let log = tmp.path().join("server.log");
    let log_file = std::fs::File::create(&log).expect("server log");
    let _server = Guard(
        Command::new("node")
            .arg(&server_js)
            .env("PORT", port.to_string())
            .env("HOSTNAME", "127.0.0.1")
            .env("NODE_ENV", "production")
            .env("DATABASE_URL", &database_url)
            .env("REDIS_URL", &redis_url)
            .stdout(Stdio::from(log_file.try_clone().expect("log")))
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("node starts the standalone server"),
    );
    assert!(
        wait_for(Duration::from_secs(30), || {
            get(port, "/api/health/live", Duration::from_secs(2)).is_ok_and(|(s, _)| s == 200)
        }),
        "liveness never answered 200\n{}",
        server_log(&log)
    );

    // The first answers compile the route and open the pools: allow a
    // loaded CI machine time for that, then demand 200 with both checks.
    let mut last = Err("no request yet".to_string());
    wait_for(Duration::from_secs(60), || {
        last = get(port, "/api/health/ready", Duration::from_secs(10));
        last.as_ref().is_ok_and(|(s, _)| *s == 200)
    });
    let (status, body) = last.unwrap_or_else(|e| panic!("readiness: {e}\n{}", server_log(&log)));
    assert_eq!(
        status,
        200,
        "readiness with PostgreSQL and Redis up: {body}\n{}",
        server_log(&log)
    );
    assert!(
        body.contains("\"database\"") && body.contains("pass"),
        "{body}"
    );

    // Probed as a deployment, with the repository: the routes `fix` wrote
    // are found (as the static audit sees them) and pass every health check.
    let url = format!("http://127.0.0.1:{port}");
    let app_arg = app.to_string_lossy().to_string();
    let (code, report, stderr) = seaworthy_json(&["check", &app_arg, "--probe", &url]);
    assert_eq!(code, 0, "{stderr}");
    let found = live_findings(&report, &stderr, &url);
    assert_eq!(
        health_only(&found),
        Vec::<&(String, String, String)>::new(),
        "{stderr}"
    );
    assert!(
        stderr.contains("readiness route /api/health/ready from the repository"),
        "{stderr}"
    );
    // What else the live app shows (headers, exposure) stays the same below.
    let baseline: Vec<&(String, String, String)> = found
        .iter()
        .filter(|f| !health_only(&found).contains(f))
        .collect();
    eprintln!("live findings besides health: {baseline:?}");
    // The fix set `poweredByHeader: false`: Next.js does not announce itself.
    assert!(
        !baseline.iter().any(|f| f.0 == "probe-version-header"),
        "{baseline:#?}"
    );

    // Redis stops: readiness must fail, name redis, and answer in time.
    drop(redis.take());
    let started = Instant::now();
    let (status, body) = get(port, "/api/health/ready", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("readiness: {e}\n{}", server_log(&log)));
    let took = started.elapsed();
    assert_eq!(status, 503, "readiness with Redis down: {body}");
    assert!(body.to_lowercase().contains("redis"), "{body}");
    assert!(took < Duration::from_secs(5), "took {took:?}");

    // The probe says the same: one readiness finding naming redis, nothing
    // else changed.
    let (_, report, stderr) = seaworthy_json(&["probe", &url]);
    let found = live_findings(&report, &stderr, &url);
    let health = health_only(&found);
    assert_eq!(health.len(), 1, "{found:#?}\n{stderr}");
    assert_eq!(health[0].0, "probe-health-failing");
    assert_eq!(health[0].1, format!("{url}/api/health/ready"));
    assert!(
        health[0].2.contains("answered 503 (failing: redis)"),
        "{found:#?}"
    );
    let rest: Vec<&(String, String, String)> =
        found.iter().filter(|f| !health.contains(f)).collect();
    assert_eq!(rest, baseline, "{stderr}");

    // Redis is back: readiness recovers.
    redis = Some(start_redis(redis_port));
    assert!(
        wait_for(Duration::from_secs(20), || {
            get(port, "/api/health/ready", Duration::from_secs(5)).is_ok_and(|(s, _)| s == 200)
        }),
        "readiness did not recover after Redis came back"
    );
    // And the probe passes again.
    let (_, report, stderr) = seaworthy_json(&["probe", &url]);
    let found = live_findings(&report, &stderr, &url);
    assert_eq!(
        health_only(&found),
        Vec::<&(String, String, String)>::new(),
        "{stderr}"
    );
    drop(redis);
}
