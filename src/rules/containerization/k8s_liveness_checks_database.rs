//! k8s-liveness-checks-database: a liveness probe that fails when the
//! database is down, so a database outage restarts every pod.

use crate::apps::App;
use crate::facts::images;
use crate::facts::kubernetes::ProbeAction;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::rules::containerization::kube_manifests;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};
use crate::stack::Framework;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "k8s-liveness-checks-database",
        code: "SW115",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Liveness probe depends on the database",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a `livenessProbe` in the repository's Kubernetes manifests that is
known to fail when a back-end is down:
- an `exec` probe of an application container that runs a database client
  against the database (`pg_isready`, `mysqladmin ping`, `redis-cli ping`,
  `mongosh`, `cqlsh`) — a database's own container probing itself is fine;
- an `httpGet` on Spring Boot's aggregate `/actuator/health` (under the
  configured `management.endpoints.web.base-path`) for a Spring Boot app
  with a database starter (JPA, JDBC, R2DBC, MongoDB, Redis, Cassandra,
  Elasticsearch) — that endpoint includes the `db`/`mongo`/`redis` health
  indicators unless `management.health.db.enabled=false`. The app is the
  repository's only such Spring Boot app, or the one whose folder the image
  is named after.

Endpoints are not judged by name alone: a `/ready` route may well be a
constant `200`. Helm templates and manifests for development or test clusters
are not read.

## Why is this bad?
Kubernetes restarts a container whose liveness probe fails. When the probe
checks the database, a database blip fails it in every pod at once: all
replicas restart together, the restarts pile load onto the recovering
database, and an outage of a dependency becomes an outage of the app, often
a crash loop that outlasts it.

## Example
### Reported
```yaml file=k8s/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.4.0
          livenessProbe:
            exec:
              command: ["pg_isready", "-h", "postgres", "-p", "5432"]
```

### Not reported
```yaml file=k8s/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.4.0
          livenessProbe:
            httpGet:
              path: /api/health/live
              port: 8080
          readinessProbe:
            exec:
              command: ["pg_isready", "-h", "postgres", "-p", "5432"]
```

## Fix
Point the liveness probe at an endpoint that only says the process is alive
(`/api/health/live`, Spring Boot's `/actuator/health/liveness`, Rails' `/up`),
and check the database in the readiness probe instead: an unready pod stops
receiving traffic without being restarted.

`seaworthy fix --unsafe` makes the liveness probe shallow: an `exec`
database check becomes the `readinessProbe` when the container has none,
and the new `livenessProbe` asks the app's liveness route (else only
whether the port accepts connections); Spring Boot's `/actuator/health`
becomes `/actuator/health/liveness`. It is unsafe because a pod whose
database is gone is then kept out of the Service instead of restarted.
"#;

const KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Rollout",
    "DeploymentConfig",
];

/// Database clients an exec probe may run, and the engine they reach.
const DB_CLIENTS: &[(&str, &str)] = &[
    ("pg_isready", "PostgreSQL"),
    ("psql", "PostgreSQL"),
    ("mysqladmin", "MySQL"),
    ("mysql", "MySQL"),
    ("mariadb-admin", "MariaDB"),
    ("redis-cli", "Redis"),
    ("mongosh", "MongoDB"),
    ("mongo", "MongoDB"),
    ("cqlsh", "Cassandra"),
];

/// Spring Boot starters that register a data-store health indicator.
const SPRING_DATA_STARTERS: &[&str] = &[
    "spring-boot-starter-data-jpa",
    "spring-boot-starter-jdbc",
    "spring-boot-starter-data-jdbc",
    "spring-boot-starter-data-r2dbc",
    "spring-boot-starter-data-mongodb",
    "spring-boot-starter-data-redis",
    "spring-boot-starter-data-cassandra",
    "spring-boot-starter-data-elasticsearch",
];

fn check(cx: &RepoContext) -> Vec<Finding> {
    let manifests = kube_manifests::manifests(cx);
    let mut findings = Vec::new();
    for subject in manifests.subjects(KINDS) {
        let (def, container) = subject.first();
        let image = container.image.as_deref().unwrap_or_default();
        // A database probing itself is what a liveness probe is for.
        if images::backing_service(image).is_some() {
            continue;
        }
        let Some(probe) = subject.all.iter().find_map(|c| c.liveness.as_ref()) else {
            continue;
        };
        let (rel, line) = subject
            .full
            .iter()
            .find_map(|(d, c)| c.liveness.as_ref().map(|p| (d.rel, p.line)))
            .unwrap_or((def.rel, probe.line));
        let (what, mut locations) = match &probe.action {
            ProbeAction::Exec(command) => {
                let Some((client, engine)) = db_client(command) else {
                    continue;
                };
                (
                    format!(
                        "runs {} (`{}`), which fails whenever {} is unreachable",
                        code(client),
                        command,
                        engine
                    ),
                    Vec::new(),
                )
            }
            ProbeAction::Http { path, .. } => {
                let Some((app, evidence)) = spring_health_with_database(cx, image, path) else {
                    continue;
                };
                (
                    format!(
                        "calls Spring Boot's aggregate {} of {}, which includes the data-store health indicators of {}",
                        code(path),
                        code(&app.path),
                        code(&evidence.0)
                    ),
                    vec![Location::new(evidence.1, evidence.2)],
                )
            }
            _ => continue,
        };
        locations.insert(0, Location::new(rel, line));
        let message = format!(
            "{} {} in {}: the `livenessProbe` of container {} {}.",
            subject.kind,
            code(subject.name),
            code(rel),
            code(subject.container),
            what
        );
        let impact = "When the database is slow or down, the probe fails in every pod at once and Kubernetes restarts them all: the restarts add load to the recovering database and a dependency outage becomes an app outage, often a crash loop.".to_string();
        let fix = "Point the liveness probe at an endpoint that only reports that the process is alive (`/api/health/live`, Spring Boot's `/actuator/health/liveness`), and check the database in the readiness probe instead, which takes the pod out of the Service without restarting it.".to_string();
        findings.push(RULE.meta.finding(
            kube_manifests::app_of(cx, &manifests, &subject),
            message,
            impact,
            fix,
            locations,
        ));
    }
    findings
}

fn db_client(command: &str) -> Option<(&'static str, &'static str)> {
    // `sh -c "pg_isready -h db"`: look at every word.
    command
        .split(|c: char| {
            c.is_whitespace() || c == ';' || c == '&' || c == '|' || c == '"' || c == '\''
        })
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .find_map(|w| DB_CLIENTS.iter().find(|(name, _)| *name == w).copied())
}

/// The Spring Boot app an image runs, if `path` is its aggregate health
/// endpoint and the app has a data-store starter: the app, and the starter
/// with its manifest line.
fn spring_health_with_database<'a>(
    cx: &'a RepoContext,
    image: &str,
    path: &str,
) -> Option<(&'a App, (String, &'a str, u32))> {
    let spring: Vec<&App> = cx
        .apps
        .iter()
        .filter(|a| a.frameworks.contains(&Framework::SpringBoot))
        .filter(|a| starter(a).is_some())
        .collect();
    let (repo, _) = images::parse_image(image);
    let name = repo.rsplit('/').next().unwrap_or(&repo);
    let app = if spring.len() == 1 {
        spring[0]
    } else {
        *spring.iter().find(|a| {
            a.path.rsplit('/').next() == Some(name)
                || a.name
                    .as_deref()
                    .is_some_and(|n| n.rsplit(':').next() == Some(name))
        })?
    };
    let (base, db_disabled) = management_settings(cx, app);
    if db_disabled {
        return None;
    }
    let want = format!("{}/health", base.trim_end_matches('/'));
    if path.trim_end_matches('/') != want {
        return None;
    }
    let starter = starter(app)?;
    let manifest = cx.index.get(app.manifest);
    let line = cx
        .facts
        .manifest(app.manifest)
        .map(|m| m.line_of(&starter))
        .unwrap_or(1);
    Some((
        app,
        (
            starter.rsplit(':').next().unwrap_or(&starter).to_string(),
            manifest.rel.as_str(),
            line,
        ),
    ))
}

fn starter(app: &App) -> Option<String> {
    app.dependencies
        .iter()
        .find(|d| {
            let artifact = d.rsplit(':').next().unwrap_or(d);
            SPRING_DATA_STARTERS.contains(&artifact)
        })
        .cloned()
}

/// The actuator base path (default `/actuator`) and whether the database
/// health indicator is turned off, from the app's Spring configuration.
fn management_settings(cx: &RepoContext, app: &App) -> (String, bool) {
    let mut base = "/actuator".to_string();
    let mut db_disabled = false;
    let app_dir = app.dir();
    for id in cx.index.of_kind(FileKind::SpringConfig) {
        let rel = cx.rel(*id);
        if !(app_dir.is_empty() || rel.starts_with(&format!("{app_dir}/")))
            || crate::roles::path::is_non_product_path(rel)
        {
            continue;
        }
        let Some(config) = cx.facts.spring_config(*id) else {
            continue;
        };
        for doc in config.documents.iter().filter(|d| d.profile.is_none()) {
            if let Some((value, _)) = doc.get("management.endpoints.web.base-path") {
                base = value.to_string();
            }
            if doc.get("management.health.db.enabled").map(|(v, _)| v) == Some("false")
                || doc
                    .get("management.health.defaults.enabled")
                    .map(|(v, _)| v)
                    == Some("false")
            {
                db_disabled = true;
            }
        }
    }
    (base, db_disabled)
}
