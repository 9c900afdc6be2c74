//! The HTTP paths a platform or an orchestrator probes to decide whether
//! the app is healthy: Render's `healthCheckPath`, Railway's
//! `healthcheckPath`, Fly.io's HTTP checks, DigitalOcean App Platform's
//! `health_check.http_path`, Dokku's `CHECKS` file and `app.json`
//! `healthchecks`, and the URL a compose `healthcheck:` requests. Each
//! platform restarts or holds traffic from an instance whose path stops
//! answering: the app has a health endpoint, whatever the route is called.

use yaml_rust2::Yaml;

use super::yaml;

/// One probed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthProbe {
    /// The path as requested (`/healthz`, `/`).
    pub path: String,
    pub line: u32,
    /// Who probes it (`Render's \`healthCheckPath\``).
    pub by: &'static str,
    /// The folder of the service it probes, when the file says
    /// (Render's `rootDir`, App Platform's `source_dir`).
    pub root_dir: Option<String>,
}

/// The 1-based line of the first line holding `needle` (1 when none).
fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i as u32 + 1)
}

/// A probe path as written, when it is one (`/`, `/health`).
fn clean_path(path: &str) -> Option<String> {
    let path = path.trim().trim_matches(['"', '\'']);
    (path.starts_with('/') && !path.contains(char::is_whitespace)).then(|| path.to_string())
}

fn probe(text: &str, key: &str, path: &str, by: &'static str) -> Option<HealthProbe> {
    let path = clean_path(path)?;
    let line = text
        .lines()
        .position(|l| l.contains(key) && l.contains(path.as_str()))
        .map_or_else(|| line_of(text, key), |i| i as u32 + 1);
    Some(HealthProbe {
        path,
        line,
        by,
        root_dir: None,
    })
}

/// Render blueprints (`render.yaml`): each service's `healthCheckPath`.
pub fn render(text: &str) -> Vec<HealthProbe> {
    let Ok(docs) = yaml::load(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for doc in &docs {
        let Some(Yaml::Array(services)) = yaml::get(doc, "services") else {
            continue;
        };
        for service in services {
            let Some(path) = yaml::get_str(service, "healthCheckPath") else {
                continue;
            };
            if let Some(mut p) = probe(text, "healthCheckPath", path, "Render's `healthCheckPath`")
            {
                p.root_dir = yaml::get_str(service, "rootDir")
                    .map(|d| d.trim_matches('/').trim_start_matches("./").to_string());
                out.push(p);
            }
        }
    }
    out
}

/// DigitalOcean App Platform specs (`.do/app.yaml`, `.do/deploy.template.yaml`
/// under `spec:`): each service's `health_check.http_path`.
pub fn digitalocean(text: &str) -> Vec<HealthProbe> {
    let Ok(docs) = yaml::load(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for doc in &docs {
        let spec = yaml::get(doc, "spec").unwrap_or(doc);
        let Some(Yaml::Array(services)) = yaml::get(spec, "services") else {
            continue;
        };
        for service in services {
            let Some(path) =
                yaml::get(service, "health_check").and_then(|h| yaml::get_str(h, "http_path"))
            else {
                continue;
            };
            if let Some(mut p) = probe(
                text,
                "http_path",
                path,
                "DigitalOcean App Platform's `health_check.http_path`",
            ) {
                p.root_dir = yaml::get_str(service, "source_dir")
                    .map(|d| d.trim_matches('/').trim_start_matches("./").to_string());
                out.push(p);
            }
        }
    }
    out
}

/// Railway (`railway.json`, `railway.toml`): `deploy.healthcheckPath`.
pub fn railway(name: &str, text: &str) -> Vec<HealthProbe> {
    let path = if name.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| {
                v.get("deploy")?
                    .get("healthcheckPath")?
                    .as_str()
                    .map(str::to_string)
            })
    } else {
        toml::from_str::<toml::Value>(text).ok().and_then(|v| {
            v.get("deploy")?
                .get("healthcheckPath")?
                .as_str()
                .map(str::to_string)
        })
    };
    path.and_then(|p| probe(text, "healthcheckPath", &p, "Railway's `healthcheckPath`"))
        .into_iter()
        .collect()
}

/// Fly.io (`fly.toml`): the `path` of `[[http_service.checks]]`,
/// `[[services.http_checks]]` and top-level `[checks.NAME]` of type http.
pub fn fly(text: &str) -> Vec<HealthProbe> {
    let Ok(v) = toml::from_str::<toml::Value>(text) else {
        return Vec::new();
    };
    let mut paths: Vec<String> = Vec::new();
    let mut take = |checks: Option<&toml::Value>| {
        let list: Vec<&toml::Value> = match checks {
            Some(toml::Value::Array(a)) => a.iter().collect(),
            Some(toml::Value::Table(t)) => t.values().collect(),
            _ => Vec::new(),
        };
        for check in list {
            let http = check
                .get("type")
                .and_then(toml::Value::as_str)
                .is_none_or(|t| t == "http");
            if let (true, Some(path)) = (http, check.get("path").and_then(toml::Value::as_str)) {
                paths.push(path.to_string());
            }
        }
    };
    let services: Vec<&toml::Value> = match v.get("http_service") {
        Some(toml::Value::Array(a)) => a.iter().collect(),
        Some(t @ toml::Value::Table(_)) => vec![t],
        _ => Vec::new(),
    };
    for s in services {
        take(s.get("checks"));
    }
    if let Some(toml::Value::Array(services)) = v.get("services") {
        for s in services {
            take(s.get("http_checks"));
        }
    }
    take(v.get("checks"));
    paths
        .iter()
        .filter_map(|p| probe(text, "path", p, "Fly.io's HTTP health check"))
        .collect()
}

/// Dokku's `CHECKS` file: each line that starts with a path is a
/// zero-downtime check of it (`/download/riot.txt`, `/health ok`);
/// `WAIT=`, `TIMEOUT=` settings and comments are not.
pub fn dokku_checks(text: &str) -> Vec<HealthProbe> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.trim();
            let first = l.split_whitespace().next()?;
            let path = clean_path(first)?;
            Some(HealthProbe {
                path,
                line: i as u32 + 1,
                by: "Dokku's `CHECKS` file",
                root_dir: None,
            })
        })
        .collect()
}

/// `app.json` (Dokku): `healthchecks.web[].path`.
pub fn app_json(text: &str) -> Vec<HealthProbe> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(checks) = v.get("healthchecks").and_then(|h| h.get("web")) else {
        return Vec::new();
    };
    checks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("path")?.as_str())
        .filter_map(|p| probe(text, "\"path\"", p, "Dokku's `app.json` healthcheck"))
        .collect()
}

/// The path of the URL a health-check command requests
/// (`wget --spider $$ISSO_ENDPOINT/info`, `curl -f http://localhost:8080/healthz`),
/// when it runs an HTTP client on one.
pub fn command_probe_path(command: &[String]) -> Option<String> {
    let joined = command.join(" ");
    let words: Vec<&str> = joined.split_whitespace().collect();
    let client = words.iter().any(|w| {
        matches!(
            w.trim_matches(['"', '\'']).rsplit('/').next().unwrap_or(w),
            "curl" | "wget" | "http" | "httpie"
        )
    });
    if !client {
        return None;
    }
    words.iter().find_map(|w| {
        let w = w.trim_matches(['"', '\'', ';']);
        // `http://host:port/path`, `localhost:8080/path`, `$URL/path`.
        let rest = if let Some((_, after)) = w.split_once("://") {
            after
        } else if w.starts_with('$')
            || w.starts_with("localhost")
            || w.starts_with("127.0.0.1")
            || w.starts_with("0.0.0.0")
        {
            w
        } else {
            return None;
        };
        let path = match rest.find('/') {
            Some(at) => &rest[at..],
            None => "/",
        };
        let path = path.split(['?', '#']).next().unwrap_or(path);
        clean_path(path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_files() {
        let r = render("services:\n  - type: web\n    name: api\n    healthCheckPath: /\n");
        assert_eq!(r[0].path, "/");
        assert_eq!(r[0].line, 4);
        assert_eq!(
            railway(
                "railway.json",
                r#"{"deploy": {"healthcheckPath": "/health"}}"#
            )[0]
            .path,
            "/health"
        );
        assert_eq!(
            railway("railway.toml", "[deploy]\nhealthcheckPath = \"/up\"\n")[0].path,
            "/up"
        );
        let f = fly("app = \"x\"\n[[http_service.checks]]\n  path = \"/healthz\"\n");
        assert_eq!(f[0].path, "/healthz");
        let f = fly("[[services]]\n[[services.http_checks]]\n  path = \"/ping\"\n");
        assert_eq!(f[0].path, "/ping");
        let d = dokku_checks("WAIT=2\n# comment\n\n/download/riot.txt\n");
        assert_eq!((d[0].path.as_str(), d[0].line), ("/download/riot.txt", 4));
        let a = app_json(r#"{"healthchecks": {"web": [{"type": "startup", "path": "/ready"}]}}"#);
        assert_eq!(a[0].path, "/ready");
        let o = digitalocean(
            "spec:\n  services:\n  - name: web\n    health_check:\n      http_path: /status\n",
        );
        assert_eq!(o[0].path, "/status");
    }

    #[test]
    fn commands() {
        let w = |s: &str| vec![s.to_string()];
        assert_eq!(
            command_probe_path(&w(
                "wget --no-verbose --spider $$ISSO_ENDPOINT/info || exit 1"
            )),
            Some("/info".to_string())
        );
        assert_eq!(
            command_probe_path(&[
                "CMD".into(),
                "curl".into(),
                "-f".into(),
                "http://localhost:8080/healthz".into()
            ]),
            Some("/healthz".to_string())
        );
        assert_eq!(command_probe_path(&w("pg_isready -U app")), None);
    }
}
