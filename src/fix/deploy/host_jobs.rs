//! What a hand-managed host runs beside the web server, found in the
//! repository: cron jobs (committed crontabs, `crontab` lines in the
//! provisioning scripts, pm2 `cron_restart`, node-cron schedules in the
//! code), queue workers and WebSocket servers. A serverless target cannot
//! run them as they are; the deployment fix carries over what it can (a
//! cron that calls one of the app's routes becomes a platform cron) and
//! lists the rest.

use crate::facts::code::{ident_at, punct_at, string_at, tokenize, Lang};
use crate::fix::profile::Profile;
use crate::fix::Builder;

/// One scheduled job found on the host side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCron {
    /// A five-field cron expression (macros such as `@daily` expanded).
    pub schedule: String,
    /// What runs: the crontab command, or a description for code schedules.
    pub command: String,
    /// `file:line`.
    pub evidence: String,
    pub kind: CronKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronKind {
    /// A crontab entry (committed, or written by a provisioning script).
    Crontab,
    /// pm2's `cron_restart`: restarts the process on a schedule.
    Pm2Restart,
    /// A schedule inside the server process (node-cron, `cron`'s CronJob).
    InProcess,
}

impl HostCron {
    /// The app route a crontab command requests (`curl -fsS
    /// http://127.0.0.1:3000/api/cron/cleanup`): a platform cron can call it
    /// instead. Only requests to the host itself or to a URL held in a
    /// variable (the app's own address), never to a third party (a
    /// heartbeat service).
    pub fn app_route(&self) -> Option<String> {
        if self.kind != CronKind::Crontab {
            return None;
        }
        let words: Vec<&str> = self.command.split_whitespace().collect();
        if !words
            .iter()
            .any(|w| matches!(w.rsplit('/').next(), Some("curl" | "wget")))
        {
            return None;
        }
        words.iter().find_map(|w| {
            let w = w.trim_matches(['"', '\'']);
            let rest = w
                .strip_prefix("http://")
                .or_else(|| w.strip_prefix("https://"))
                .or_else(|| w.starts_with('$').then_some(w))?;
            let (host, path) = rest.split_once('/')?;
            let own = host.starts_with("localhost")
                || host.starts_with("127.0.0.1")
                || host.starts_with("0.0.0.0")
                || host.starts_with('$');
            (own && !path.is_empty()).then(|| format!("/{path}"))
        })
    }
}

/// Expands a cron line's schedule: `(schedule, rest of the line)`, or
/// `None` when the line is no cron entry (or `@reboot`, which is no
/// schedule).
pub fn split_entry(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    let mut words = line.split_whitespace();
    let first = words.next()?;
    if let Some(name) = first.strip_prefix('@') {
        let schedule = match name {
            "hourly" => "0 * * * *",
            "daily" | "midnight" => "0 0 * * *",
            "weekly" => "0 0 * * 0",
            "monthly" => "0 0 1 * *",
            "yearly" | "annually" => "0 0 1 1 *",
            _ => return None,
        };
        let rest = line[first.len()..].trim().to_string();
        return (!rest.is_empty()).then(|| (schedule.to_string(), rest));
    }
    let fields: Vec<&str> = line.split_whitespace().take(5).collect();
    if fields.len() < 5
        || !fields
            .iter()
            .all(|f| crate::facts::crontab::is_schedule_field(f))
    {
        return None;
    }
    let mut rest = line;
    for _ in 0..5 {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    let command = rest.split('%').next().unwrap_or("").trim().to_string();
    (!command.is_empty()).then(|| (fields.join(" "), command))
}

fn is_crontab_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    name == "crontab"
        || name.ends_with(".crontab")
        || name.ends_with(".cron")
        || dir.ends_with("cron.d")
        || dir.ends_with("crontabs")
}

fn is_shell_script(rel: &str, kind: Option<crate::index::FileKind>) -> bool {
    kind == Some(crate::index::FileKind::ShellScript)
        || rel.ends_with(".sh")
        || rel.ends_with(".bash")
}

/// The quoted strings of a shell line (`"…"` and `'…'`).
fn quoted(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(['"', '\'']) {
        let quote = rest.as_bytes()[start] as char;
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// Every cron job the repository shows, in file order.
pub fn host_crons(
    p: &Profile,
    b: &Builder,
    files: &[(String, Option<crate::index::FileKind>)],
) -> Vec<HostCron> {
    let mut out = Vec::new();
    for (rel, kind) in files {
        if crate::roles::path::is_non_product_path(rel) || rel.starts_with("node_modules/") {
            continue;
        }
        let crontab = is_crontab_file(rel);
        let shell = is_shell_script(rel, *kind);
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let pm2 = name.starts_with("ecosystem.config.")
            || name == "pm2.json"
            || name.starts_with("pm2.config.")
            || name == "process.yml";
        if !crontab && !shell && !pm2 {
            continue;
        }
        let Some(text) = b.read(rel) else { continue };
        for (i, line) in text.lines().enumerate() {
            let evidence = format!("{rel}:{}", i + 1);
            let trimmed = line.trim();
            if trimmed.starts_with('#') {
                continue;
            }
            if crontab {
                // A system crontab names a user after the schedule: kept in
                // the command, which is only shown.
                if let Some((schedule, command)) = split_entry(trimmed) {
                    out.push(HostCron {
                        schedule,
                        command,
                        evidence,
                        kind: CronKind::Crontab,
                    });
                }
            } else if shell {
                // `(crontab -l; echo "0 3 * * * …") | crontab -`: the
                // entries the script installs on the host.
                if !trimmed.contains("crontab") {
                    continue;
                }
                for entry in quoted(trimmed) {
                    if let Some((schedule, command)) = split_entry(entry) {
                        out.push(HostCron {
                            schedule,
                            command,
                            evidence: evidence.clone(),
                            kind: CronKind::Crontab,
                        });
                    }
                }
            } else if let Some(at) = trimmed.find("cron_restart") {
                let value = quoted(&trimmed[at..]).first().map(|s| s.to_string());
                if let Some(schedule) = value.filter(|v| split_entry(&format!("{v} x")).is_some()) {
                    out.push(HostCron {
                        schedule,
                        command: "pm2 restarts the app".to_string(),
                        evidence,
                        kind: CronKind::Pm2Restart,
                    });
                }
            }
        }
    }
    out.extend(in_process_crons(p, b));
    out
}

/// `cron.schedule('*/5 * * * *', …)` (node-cron) and `new CronJob('…', …)`
/// (`cron`) in the app's code.
fn in_process_crons(p: &Profile, b: &Builder) -> Vec<HostCron> {
    if !p.has_dependency("node-cron") && !p.has_dependency("cron") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for file in &p.sources {
        let is_js = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"]
            .iter()
            .any(|e| file.ends_with(e));
        if !is_js {
            continue;
        }
        let Some(text) = b.read(file) else { continue };
        if !text.contains("node-cron") && !text.contains("CronJob") {
            continue;
        }
        let tokens = tokenize(&text, Lang::Js);
        for i in 0..tokens.len() {
            let call = match ident_at(&tokens, i) {
                Some("schedule") => i > 0 && punct_at(&tokens, i - 1, '.'),
                Some("CronJob") => i > 0 && ident_at(&tokens, i - 1) == Some("new"),
                _ => false,
            };
            if !call || !punct_at(&tokens, i + 1, '(') {
                continue;
            }
            let Some(expr) = string_at(&tokens, i + 2) else {
                continue;
            };
            // node-cron and cron accept a leading seconds field: keep the
            // last five (a platform cron has minute resolution).
            let fields: Vec<&str> = expr.split_whitespace().collect();
            let fields = if fields.len() == 6 {
                &fields[1..]
            } else {
                &fields[..]
            };
            let schedule = fields.join(" ");
            if split_entry(&format!("{schedule} x")).is_none() {
                continue;
            }
            out.push(HostCron {
                schedule,
                command: "a schedule inside the server process".to_string(),
                evidence: format!("{file}:{}", tokens[i].line),
                kind: CronKind::InProcess,
            });
        }
    }
    out
}

/// Long-running work beside the request handlers: queue workers (a queue
/// library, a `worker`/`queue`/`consumer` script) and WebSocket servers.
pub fn long_running(p: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    const QUEUES: &[&str] = &[
        "bullmq",
        "bull",
        "bee-queue",
        "agenda",
        "pg-boss",
        "amqplib",
    ];
    for q in QUEUES {
        if p.has_dependency(q) {
            out.push(format!(
                "a queue worker ({q} in package.json): a worker loops for jobs, and a function stops when its request ends"
            ));
        }
    }
    if let Some(scripts) = p
        .package_json
        .as_ref()
        .and_then(|v| v.get("scripts"))
        .and_then(|s| s.as_object())
    {
        for (name, command) in scripts {
            let lower = name.to_ascii_lowercase();
            if ["worker", "queue", "consumer", "jobs"]
                .iter()
                .any(|w| lower.contains(w))
            {
                out.push(format!(
                    "the `{name}` script (`{}`): a long-running process",
                    command.as_str().unwrap_or("")
                ));
            }
        }
    }
    const SOCKETS: &[&str] = &["ws", "socket.io", "uWebSockets.js", "@fastify/websocket"];
    for s in SOCKETS {
        if p.has_dependency(s) {
            out.push(format!(
                "a WebSocket server ({s} in package.json): functions cannot hold connections open; use a hosted realtime service (Pusher, Ably, Liveblocks) or run it elsewhere"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_entries_and_macros() {
        assert_eq!(
            split_entry("0 3 * * * /srv/app/scripts/backup.sh"),
            Some(("0 3 * * *".into(), "/srv/app/scripts/backup.sh".into()))
        );
        assert_eq!(
            split_entry("@daily curl -fsS http://127.0.0.1:3000/api/cron/x"),
            Some((
                "0 0 * * *".into(),
                "curl -fsS http://127.0.0.1:3000/api/cron/x".into()
            ))
        );
        assert_eq!(split_entry("@reboot pm2 resurrect"), None);
        assert_eq!(split_entry("SHELL=/bin/bash"), None);
        assert_eq!(split_entry("echo hello"), None);
    }

    #[test]
    fn only_requests_to_the_app_itself_become_routes() {
        let cron = |command: &str| HostCron {
            schedule: "*/10 * * * *".into(),
            command: command.into(),
            evidence: "crontab:1".into(),
            kind: CronKind::Crontab,
        };
        assert_eq!(
            cron("curl -fsS http://localhost:3000/api/cron/cleanup?all=1").app_route(),
            Some("/api/cron/cleanup?all=1".into())
        );
        assert_eq!(
            cron("wget -qO- \"$APP_URL/api/jobs/digest\"").app_route(),
            Some("/api/jobs/digest".into())
        );
        assert_eq!(cron("curl https://hc-ping.com/abc").app_route(), None);
        assert_eq!(cron("/srv/app/scripts/backup.sh").app_route(), None);
    }

    #[test]
    fn quoted_strings_of_a_shell_line() {
        assert_eq!(
            quoted(r#"(crontab -l; echo "0 3 * * * $D/backup.sh") | crontab -"#),
            vec!["0 3 * * * $D/backup.sh"]
        );
        assert_eq!(quoted("echo 'a' \"b\""), vec!["a", "b"]);
    }
}
