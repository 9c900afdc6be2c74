//! container-without-healthcheck: the cited compose service gets a
//! `healthcheck:` that asks the app's health route from inside the
//! container, with a client the image has:
//!
//! - Node ≥18 images: `node -e "fetch(…)"` (slim images have neither curl
//!   nor wget);
//! - Python images: `python -c` with `urllib.request`;
//! - other Alpine images: BusyBox `wget`.
//!
//! The image is the base of the stage the service builds (followed through
//! `FROM <stage>`); the port is the container side of the service's first
//! published port, else the image's first `EXPOSE`; the route is the app's
//! liveness route, else its only health route. Anything else unknown: no
//! fix. Safe: a health check changes nothing about how the service runs;
//! it only reports.

use crate::facts::compose::ComposeFile;
use crate::facts::dockerfile::Dockerfile;
use crate::finding::Finding;
use crate::fix::nextjs::dockerfile::node_probe;
use crate::rules::containerization::dockerfiles::stage_named;
use crate::rules::RepoContext;

use super::k8s_probes::app_routes;
use super::lines::{indent, LineEdits, Text};
use super::{cited_files, cited_text, compose_anchors, relocated_line};
use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let routes = app_routes(repo, finding, b, true)?;
    let route = routes.live.unwrap_or(routes.ready);
    let (path, text) = cited_text(b, finding, "compose file")?;
    let service_line = relocated_line(b, finding, &path, &text, compose_anchors)?;
    let dockerfile_rel = cited_files(finding)
        .get(1)
        .map(|p| p.to_string())
        .ok_or("the finding cites no Dockerfile")?;
    let dockerfile = b
        .read(&dockerfile_rel)
        .ok_or_else(|| format!("{dockerfile_rel} is not there any more"))?;
    let after = fix_text(&text, service_line, &dockerfile, &route)?;
    b.modify(&path, after);
    b.manual(format!(
        "The check asks 127.0.0.1 inside the container: the server must listen on all interfaces (for Next.js standalone, `HOSTNAME=0.0.0.0`), and {route} must answer without authentication."
    ));
    Ok(())
}

/// The compose text with a healthcheck on the service declared on
/// `service_line`, built from `dockerfile`.
pub fn fix_text(
    text: &str,
    service_line: u32,
    dockerfile: &str,
    route: &str,
) -> Result<String, String> {
    let compose = ComposeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let service = compose
        .services
        .iter()
        .find(|s| s.line == service_line)
        .ok_or("the cited service is not in the file any more")?;
    if service.details.healthcheck.is_some() {
        return Err(format!(
            "service `{}` has a healthcheck already",
            service.name
        ));
    }
    let file = Dockerfile::parse(dockerfile).map_err(|e| format!("Dockerfile: {e}"))?;
    let stage = service
        .target
        .as_deref()
        .and_then(|t| stage_named(&file, file.stages.len(), t))
        .or_else(|| file.stages.len().checked_sub(1))
        .ok_or("the Dockerfile has no stage")?;
    let image = base_image(&file, stage);
    let port = service
        .details
        .ports
        .first()
        .map(|p| p.target.split('/').next().unwrap_or("").to_string())
        .filter(|p| p.parse::<u16>().is_ok())
        .or_else(|| exposed_port(&file, stage))
        .ok_or_else(|| format!("service `{}`: no container port to ask", service.name))?;
    let test = test_for(&image, &port, route)?;
    let lines = Text::new(text);
    let key = lines.line(service.line).unwrap_or_default();
    let child = lines.child_indent(service.line).ok_or_else(|| {
        format!(
            "service `{}` is written in flow style: add the healthcheck by hand",
            service.name
        )
    })?;
    let step = child - indent(key);
    let pad = " ".repeat(child);
    let inner = " ".repeat(child + step);
    let mut edits = LineEdits::default();
    edits.insert_after(
        lines.block_end(service.line),
        vec![
            format!("{pad}healthcheck:"),
            format!("{inner}test: {test}"),
            format!("{inner}interval: 10s"),
            format!("{inner}timeout: 5s"),
            format!("{inner}retries: 3"),
            format!("{inner}start_period: 30s"),
        ],
    );
    Ok(edits.apply(text))
}

/// The image a stage finally rests on (`FROM build` followed to its base).
fn base_image(file: &Dockerfile, mut stage: usize) -> String {
    for _ in 0..file.stages.len() {
        let image = file.stages[stage].image.to_ascii_lowercase();
        match stage_named(file, stage, &image) {
            Some(earlier) => stage = earlier,
            None => return image,
        }
    }
    file.stages[stage].image.to_ascii_lowercase()
}

fn exposed_port(file: &Dockerfile, stage: usize) -> Option<String> {
    file.stages[..=stage]
        .iter()
        .rev()
        .flat_map(|s| s.all("EXPOSE"))
        .flat_map(|i| i.words())
        .map(|w| w.split('/').next().unwrap_or("").to_string())
        .find(|p| p.parse::<u16>().is_ok())
}

/// The compose `test:` that fetches the route with a client `image` has.
pub fn test_for(image: &str, port: &str, route: &str) -> Result<String, String> {
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (image, "latest"),
    };
    let base = name.rsplit('/').next().unwrap_or(name);
    let major: Option<u32> = tag.split(['.', '-']).next().and_then(|m| m.parse().ok());
    let url = format!("http://127.0.0.1:{port}{route}");
    if base == "node" && major.is_none_or(|m| m >= 18) {
        // Node 18 brought fetch; `lts`, `current`, `alpine` are newer.
        let script = node_probe(route, port);
        return Ok(format!("[\"CMD\", \"node\", \"-e\", \"{script}\"]"));
    }
    if base == "python" || base.starts_with("python3") {
        let script = format!("import urllib.request; urllib.request.urlopen('{url}', timeout=4)");
        return Ok(format!("[\"CMD\", \"python\", \"-c\", \"{script}\"]"));
    }
    if tag.contains("alpine") || base == "alpine" {
        return Ok(format!(
            "[\"CMD\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"{url}\"]"
        ));
    }
    Err(format!(
        "seaworthy does not know an HTTP client in `{image}`: add a healthcheck with one it has"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_follows_the_image() {
        let node = test_for("node:20-alpine", "3000", "/api/health/live").expect("node");
        assert!(
            node.starts_with(
                "[\"CMD\", \"node\", \"-e\", \"fetch('http://127.0.0.1:'+(3000)+'/api/health/live'"
            ),
            "{node}"
        );
        assert!(test_for("python:3.12-slim", "8000", "/health/")
            .expect("python")
            .contains("urlopen('http://127.0.0.1:8000/health/', timeout=4)"));
        assert!(test_for("nginx:1.27-alpine", "80", "/healthz")
            .expect("wget")
            .starts_with("[\"CMD\", \"wget\""));
        assert!(test_for("node:16-slim", "3000", "/h").is_err());
        assert!(test_for("debian:12", "80", "/h").is_err());
    }

    #[test]
    fn the_service_gets_its_check() {
        let compose = "services:\n  web:\n    build: .\n    ports:\n      - \"80:3000\" # public\n\n  worker:\n    build: .\n";
        let dockerfile = "FROM node:22-slim AS deps\nRUN npm ci\nFROM deps\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
        let out = fix_text(compose, 2, dockerfile, "/healthz").expect("fixed");
        assert!(out.starts_with("services:\n  web:\n    build: .\n    ports:\n      - \"80:3000\" # public\n    healthcheck:\n      test: [\"CMD\", \"node\", \"-e\", \"fetch('http://127.0.0.1:'+(3000)+'/healthz'"), "{out}");
        assert!(
            out.ends_with("      start_period: 30s\n\n  worker:\n    build: .\n"),
            "{out}"
        );
        assert!(fix_text(&out, 2, dockerfile, "/healthz").is_err());
    }
}
