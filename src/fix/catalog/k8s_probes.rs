//! k8s-missing-readiness-probe: the cited container gets a `readinessProbe`
//! on the app's readiness route, and a `livenessProbe` on its liveness route
//! when it has none and the app has a separate, shallow one; both on the
//! container's first `containerPort`.
//!
//! The routes are the ones the audit finds in the app's code (the same list
//! `missing-health-endpoint` and the probes read): `…/ready`, `/readyz` for
//! readiness, `…/live`, `/livez`, `/healthz`, `/ping` for liveness, a single
//! health route for readiness alone (it may check the database, which a
//! liveness probe must not). No route, no port: no fix.
//!
//! Unsafe: a pod whose route does not answer 200 on that port (it needs
//! auth, the app has a base path) never becomes ready, and a rollout stalls.

use crate::facts::kubernetes::{Container, KubeFile};
use crate::finding::Finding;
use crate::rules::observability::missing_health_endpoint::health_route_paths;
use crate::rules::{AppContext, RepoContext};

use super::k8s_container::anchors;
use super::lines::{indent, LineEdits, Text};
use super::{cited_files, relocated};
use crate::fix::Builder;

/// The app's health routes: (liveness, readiness); liveness is `None` when
/// the app has only one route or none that is clearly shallow.
pub struct Routes {
    pub live: Option<String>,
    pub ready: String,
}

/// The health routes of the finding's app (or, with `only_app`, the
/// repository's only app): those in its code, else those an earlier plan of
/// this run writes (`missing-health-endpoint`), which this plan then
/// depends on. The Kubernetes rules name the app a workload runs themselves
/// (`kube_manifests::app_of`: by folder, build, names or the one image of a
/// one-app repository); a workload they name no app for is another
/// program (a database, a front-end seaworthy does not read as an app),
/// and the app's route would never answer there.
pub fn app_routes(
    repo: &RepoContext,
    finding: &Finding,
    b: &mut Builder,
    only_app: bool,
) -> Result<Routes, String> {
    let app = match &finding.app {
        Some(path) => repo.apps.iter().find(|a| &a.path == path),
        None if only_app && repo.apps.len() == 1 => repo.apps.first(),
        None => None,
    }
    .ok_or(if only_app {
        "the repository has several apps and the finding names none of them: seaworthy cannot tell whose health route to use"
    } else {
        "the workload runs none of the project's apps (its names, image and build match none): give it a probe its own program answers"
    })?;
    let cx = AppContext::new(repo, app);
    let paths: Vec<String> = health_route_paths(&cx)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    if paths.is_empty() {
        if let Some((live, ready, _)) = &b.planned_health {
            b.used_planned_health = true;
            return Ok(Routes {
                live: Some(live.clone()).filter(|l| l != ready),
                ready: ready.clone(),
            });
        }
    }
    pick_routes(&paths).ok_or_else(|| {
        "the app has no health route to probe: fix it in the same run (`--rule missing-health-endpoint` too) or add one first".to_string()
    })
}

/// Which of the app's health paths answers liveness and which readiness.
pub fn pick_routes(paths: &[String]) -> Option<Routes> {
    let last = |p: &str| p.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    let ready = paths.iter().find(|p| last(p).contains("ready"));
    let live = paths.iter().find(|p| {
        let l = last(p);
        l.contains("live") || matches!(l.as_str(), "healthz" | "ping" | "alive")
    });
    match (live, ready) {
        (live, Some(ready)) => Some(Routes {
            live: live.filter(|l| *l != ready).cloned(),
            ready: ready.clone(),
        }),
        (Some(live), None) => Some(match paths.iter().find(|p| *p != live) {
            // `/healthz` beside `/health`: the other one is the deep check.
            Some(other) => Routes {
                live: Some(live.clone()),
                ready: other.clone(),
            },
            None => Routes {
                live: None,
                ready: live.clone(),
            },
        }),
        (None, None) => paths.first().map(|p| Routes {
            live: None,
            ready: p.clone(),
        }),
    }
}

/// An `httpGet` probe block at `pad` indentation.
pub fn http_probe(key: &str, pad: usize, path: &str, port: i64, period: u32) -> Vec<String> {
    let p = |n: usize| " ".repeat(pad + 2 * n);
    let mut out = vec![
        format!("{}{key}:", p(0)),
        format!("{}httpGet:", p(1)),
        format!("{}path: {path}", p(2)),
        format!("{}port: {port}", p(2)),
    ];
    if key == "livenessProbe" {
        // A slow start must not look like a hang.
        out.push(format!("{}initialDelaySeconds: 10", p(1)));
    }
    out.extend([
        format!("{}periodSeconds: {period}", p(1)),
        format!("{}timeoutSeconds: 3", p(1)),
        format!("{}failureThreshold: 3", p(1)),
    ]);
    out
}

/// The indentation of a container's keys (`- name: web` → under `name`);
/// `None` for a container written in flow style.
pub fn key_indent(lines: &Text, c: &Container) -> Option<usize> {
    let first = lines.line(c.line)?;
    let dash = first.trim_start().strip_prefix("- ")?;
    Some(indent(first) + 2 + (dash.len() - dash.trim_start().len()))
}

/// The cited containers of the first manifest the finding cites, found again
/// in the current text: (path, text, container lines).
pub fn cited_manifest(
    b: &Builder,
    finding: &Finding,
) -> Result<(String, String, Vec<u32>), String> {
    let path = cited_files(finding)
        .first()
        .map(|p| p.to_string())
        .ok_or("the finding cites no manifest")?;
    let text = b
        .read(&path)
        .ok_or_else(|| format!("{path} is not there any more"))?;
    let lines = relocated(b, finding, &path, &text, anchors);
    Ok((path, text, lines))
}

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let routes = app_routes(repo, finding, b, false)?;
    let (path, text, cited) = cited_manifest(b, finding)?;
    let after = fix_text(&text, &cited, &routes)?;
    b.modify(&path, after);
    b.manual(format!(
        "Check that {} answers 200 only when the app can serve (it should check the database), on the port the probe names.",
        routes.ready
    ));
    Ok(())
}

pub fn fix_text(text: &str, cited: &[u32], routes: &Routes) -> Result<String, String> {
    let file = KubeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let container = file
        .objects
        .iter()
        .flat_map(|o| o.workload.iter().flat_map(|w| w.containers.iter()))
        .find(|c| cited.contains(&c.line))
        .ok_or("the cited container is not in the file any more")?;
    if container.readiness.is_some() {
        return Err(format!(
            "container `{}` has a readinessProbe already",
            container.name
        ));
    }
    let port = *container.ports.first().ok_or_else(|| {
        format!(
            "container `{}` declares no containerPort for the probe",
            container.name
        )
    })?;
    let pad = key_indent(&lines, container).ok_or_else(|| {
        format!(
            "container `{}` is written in flow style: add the probes by hand",
            container.name
        )
    })?;
    let mut block = http_probe("readinessProbe", pad, &routes.ready, port, 5);
    if container.liveness.is_none() {
        if let Some(live) = &routes.live {
            block.extend(http_probe("livenessProbe", pad, live, port, 10));
        }
    }
    let mut edits = LineEdits::default();
    edits.insert_after(lines.block_end(container.line), block);
    Ok(edits.apply(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.0.0\n          ports:\n            - containerPort: 3000\n";

    #[test]
    fn routes_are_told_apart() {
        let r =
            pick_routes(&["/api/health/live".into(), "/api/health/ready".into()]).expect("routes");
        assert_eq!(r.live.as_deref(), Some("/api/health/live"));
        assert_eq!(r.ready, "/api/health/ready");
        let r = pick_routes(&["/health".into()]).expect("one route");
        assert!(r.live.is_none());
        assert_eq!(r.ready, "/health");
        let r = pick_routes(&["/healthz".into(), "/readyz".into()]).expect("routes");
        assert_eq!(r.live.as_deref(), Some("/healthz"));
        assert!(pick_routes(&[]).is_none());
    }

    #[test]
    fn probes_close_the_container_block() {
        let routes = Routes {
            live: Some("/api/health/live".into()),
            ready: "/api/health/ready".into(),
        };
        let out = fix_text(DEPLOYMENT, &[13], &routes).expect("fixed");
        assert!(out.ends_with("            - containerPort: 3000\n          readinessProbe:\n            httpGet:\n              path: /api/health/ready\n              port: 3000\n            periodSeconds: 5\n            timeoutSeconds: 3\n            failureThreshold: 3\n          livenessProbe:\n            httpGet:\n              path: /api/health/live\n              port: 3000\n            initialDelaySeconds: 10\n            periodSeconds: 10\n            timeoutSeconds: 3\n            failureThreshold: 3\n"), "{out}");
        let parsed = KubeFile::parse(&out).expect("YAML");
        let c = &parsed.objects[0]
            .workload
            .as_ref()
            .expect("workload")
            .containers[0];
        assert!(c.readiness.is_some() && c.liveness.is_some());
        assert!(fix_text(&out, &[13], &routes).is_err(), "a second time");
    }
}
