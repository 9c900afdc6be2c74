//! k8s-liveness-checks-database: the liveness probe stops depending on the
//! database, and the database check moves to readiness, where a failure
//! takes the pod out of the Service instead of restarting it.
//!
//! - An `exec` probe running a database client (`pg_isready`, `redis-cli
//!   ping`): when the container has no readiness probe, the probe becomes
//!   the `readinessProbe` as it is; the new `livenessProbe` asks the app's
//!   liveness route (`httpGet`), or, when the app has none, only whether
//!   the container's port accepts connections (`tcpSocket`).
//! - Spring Boot's aggregate `/actuator/health`: the path becomes
//!   `/actuator/health/liveness`, the group Spring Boot ≥2.3 enables on
//!   Kubernetes, which leaves data stores out.
//!
//! Unsafe: a pod whose database is gone is no longer restarted; it stays
//! running, out of the Service, until the database is back.

use crate::facts::kubernetes::{KubeFile, ProbeAction};
use crate::finding::Finding;
use crate::rules::RepoContext;

use super::k8s_probes::{app_routes, http_probe, key_indent};
use super::lines::{indent, LineEdits, Text};
use super::{cited_text, relocated_line};
use crate::fix::Builder;

pub const SPRING_LIVENESS: &str = "/actuator/health/liveness";

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "manifest")?;
    let line = relocated_line(b, finding, &path, &text, probe_anchors)?;
    // The app's own liveness route, when the code has one.
    let live = app_routes(repo, finding, b, false)
        .ok()
        .and_then(|r| r.live);
    let after = fix_text(&text, line, live.as_deref())?;
    b.modify(&path, after);
    b.manual("The readiness probe keeps checking the database: a pod whose database is unreachable stops receiving traffic, and comes back by itself when it is.");
    Ok(())
}

/// What each liveness probe line of a manifest belongs to.
fn probe_anchors(text: &str) -> Vec<(String, u32)> {
    let Ok(file) = KubeFile::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, o) in file.objects.iter().enumerate() {
        for c in o.workload.iter().flat_map(|w| w.containers.iter()) {
            if let Some(p) = &c.liveness {
                out.push((format!("{i} {} {} live", o.kind, c.name), p.line));
            }
        }
    }
    out
}

/// The manifest with the liveness probe on line `probe_line` made shallow.
pub fn fix_text(text: &str, probe_line: u32, live_route: Option<&str>) -> Result<String, String> {
    let file = KubeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let container = file
        .objects
        .iter()
        .flat_map(|o| o.workload.iter().flat_map(|w| w.containers.iter()))
        .find(|c| c.liveness.as_ref().is_some_and(|p| p.line == probe_line))
        .ok_or("the cited livenessProbe is not in the file any more")?;
    let probe = container.liveness.as_ref().ok_or("no livenessProbe")?;
    let end = lines.block_end(probe_line);
    let mut edits = LineEdits::default();
    match &probe.action {
        ProbeAction::Http { path, .. } => {
            if path == SPRING_LIVENESS {
                return Err("the probe already asks the liveness group".to_string());
            }
            let at = (probe_line..=end)
                .find(|n| {
                    lines
                        .line(*n)
                        .is_some_and(|l| l.trim_start().starts_with("path:"))
                })
                .ok_or("the probe's `path:` is not on a line of its own: change it by hand")?;
            let old = lines.line(at).unwrap_or_default();
            edits.replace(
                at,
                vec![format!(
                    "{}path: {SPRING_LIVENESS}",
                    " ".repeat(indent(old))
                )],
            );
        }
        ProbeAction::Exec(_) => {
            let pad = key_indent(&lines, container).ok_or_else(|| {
                format!(
                    "container `{}` is written in flow style: change its probes by hand",
                    container.name
                )
            })?;
            let port = container.ports.first().copied();
            let new_probe = match (live_route, port) {
                (Some(route), Some(port)) => http_probe("livenessProbe", pad, route, port, 10),
                (None, Some(port)) => {
                    let p = |n: usize| " ".repeat(pad + 2 * n);
                    vec![
                        format!("{}livenessProbe:", p(0)),
                        format!("{}tcpSocket:", p(1)),
                        format!("{}port: {port}", p(2)),
                        format!("{}initialDelaySeconds: 10", p(1)),
                        format!("{}periodSeconds: 10", p(1)),
                        format!("{}timeoutSeconds: 3", p(1)),
                        format!("{}failureThreshold: 3", p(1)),
                    ]
                }
                (_, None) => {
                    return Err(format!(
                        "container `{}` declares no containerPort to probe instead",
                        container.name
                    ))
                }
            };
            let key = lines.line(probe_line).unwrap_or_default();
            if container.readiness.is_none() {
                // The database check is what readiness is for: keep it there.
                edits.replace(
                    probe_line,
                    vec![key.replacen("livenessProbe", "readinessProbe", 1)],
                );
                edits.insert_after(end, new_probe);
            } else {
                edits.replace(probe_line, new_probe);
                for n in probe_line + 1..=end {
                    edits.replace(n, Vec::new());
                }
            }
        }
        _ => return Err("the liveness probe is not one this fix knows".to_string()),
    }
    Ok(edits.apply(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXEC: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.0.0\n          ports:\n            - containerPort: 3000\n          livenessProbe:\n            exec:\n              command: [\"pg_isready\", \"-h\", \"db\"]\n            periodSeconds: 10\n";

    #[test]
    fn the_database_check_moves_to_readiness() {
        let out = fix_text(EXEC, 17, Some("/api/health/live")).expect("fixed");
        assert!(out.ends_with("          readinessProbe:\n            exec:\n              command: [\"pg_isready\", \"-h\", \"db\"]\n            periodSeconds: 10\n          livenessProbe:\n            httpGet:\n              path: /api/health/live\n              port: 3000\n            initialDelaySeconds: 10\n            periodSeconds: 10\n            timeoutSeconds: 3\n            failureThreshold: 3\n"), "{out}");
        let parsed = KubeFile::parse(&out).expect("YAML");
        let c = &parsed.objects[0]
            .workload
            .as_ref()
            .expect("workload")
            .containers[0];
        assert!(matches!(
            c.liveness.as_ref().map(|p| &p.action),
            Some(ProbeAction::Http { .. })
        ));
        assert!(matches!(
            c.readiness.as_ref().map(|p| &p.action),
            Some(ProbeAction::Exec(_))
        ));
    }

    #[test]
    fn with_readiness_the_probe_is_replaced() {
        let text = EXEC.replace(
            "          livenessProbe:",
            "          readinessProbe:\n            httpGet: {path: /ready, port: 3000}\n          livenessProbe:",
        );
        let out = fix_text(&text, 19, None).expect("fixed");
        assert!(out.ends_with("          livenessProbe:\n            tcpSocket:\n              port: 3000\n            initialDelaySeconds: 10\n            periodSeconds: 10\n            timeoutSeconds: 3\n            failureThreshold: 3\n"), "{out}");
        assert!(!out.contains("pg_isready"), "{out}");
    }

    #[test]
    fn spring_asks_the_liveness_group() {
        let text = EXEC.replace(
            "            exec:\n              command: [\"pg_isready\", \"-h\", \"db\"]\n",
            "            httpGet:\n              path: /actuator/health\n              port: 3000\n",
        );
        let out = fix_text(&text, 17, None).expect("fixed");
        assert!(
            out.contains("              path: /actuator/health/liveness\n"),
            "{out}"
        );
        assert!(fix_text(&out, 17, None).is_err());
    }
}
