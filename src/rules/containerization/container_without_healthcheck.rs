//! container-without-healthcheck: the app's container is deployed with
//! compose and nothing checks its health.

use crate::apps::resolve;
use crate::facts::dockerfile::Dockerfile;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::DeployKind;
use crate::rules::containerization::compose_files;
use crate::rules::containerization::dockerfiles::{chain, stage_named};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "container-without-healthcheck",
        code: "SW119",
        severity: Severity::Low,
        category: Category::ContainerizationDeployment,
        title: "Container without a health check",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a service of a compose file that deploys the project (see
`compose-database-without-volume` for how a deployment file is told from a
development one) when it is built from a Dockerfile of the repository, serves
a port (`ports:`, `expose:`, or `EXPOSE` in the image when the service keeps
the image's command — a `command: celery worker` serves nothing, a
`command:` that spells the image's `CMD` again still serves), and nothing
checks its
health: no `healthcheck:` on the service (in this file or another compose
file of the folder), no `HEALTHCHECK` in the stage the service builds (its
`build.target`, else the last stage, with the stages it is built on), no
health-check label for a reverse proxy (Traefik's
`loadbalancer.healthcheck`), and no other deployment definition in the
repository (Kubernetes, Helm, Fly.io, Render, Kamal, ECS via Terraform, …)
whose platform would probe it. `healthcheck: {disable: true}` and
`HEALTHCHECK NONE` are deliberate and not reported. Images pulled by name are
not judged: their health check is in an image we cannot read.

## Why is this bad?
Docker only knows whether the process runs. A server that hangs, deadlocks
or loses its database connection stays "Up" and keeps receiving traffic;
nothing marks it unhealthy, so `depends_on: service_healthy`, Swarm's task
replacement and autoheal tools have nothing to act on.

## Example
### Reported
```yaml file=docker-compose.prod.yml
services:
  web:
    build: .
    restart: unless-stopped
    ports:
      - "80:3000"
```

```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
USER node
EXPOSE 3000
CMD ["node", "server.js"]
```

### Not reported
```yaml file=docker-compose.prod.yml
services:
  web:
    build: .
    restart: unless-stopped
    ports:
      - "80:3000"
    healthcheck:
      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:3000/api/health').then(r => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))"]
      interval: 10s
      timeout: 3s
      retries: 3
```

```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
USER node
EXPOSE 3000
CMD ["node", "server.js"]
```

## Fix
Add a `healthcheck:` to the service (or a `HEALTHCHECK` to the image) that
calls the app's health endpoint with a short timeout — with a tool the image
has (`curl -f`, `wget -q --spider`, or `node -e "fetch(…)"` on slim images) —
and let dependants wait for it with `condition: service_healthy`.

`seaworthy fix` adds a `healthcheck:` to the cited service that asks the
app's liveness route (else its only health route, as the audit finds them
in the code or `missing-health-endpoint` writes them in the same run) on the
container port, with a client the base image has:
`node -e "fetch(…)"` on Node ≥18 images, Python's `urllib` on Python
images, BusyBox `wget` on other Alpine images. With no health route, no
known client or no port it makes no change and says why. It is safe: a
health check only reports.
"#;

/// Deployment definitions whose platform does not probe containers
/// itself: they do not make a compose deployment checked.
fn probes_containers(kind: DeployKind) -> bool {
    !matches!(kind, DeployKind::Ansible | DeployKind::Heroku)
}

/// The effective `CMD` of a stage (an `ENTRYPOINT` after it resets it),
/// which a compose `command:` replaces.
fn cmd_words(file: &Dockerfile, stage: usize) -> Vec<String> {
    let mut cmd = Vec::new();
    for i in chain(file, stage).into_iter().rev() {
        for inst in &file.stages[i].instructions {
            match inst.keyword.as_str() {
                "ENTRYPOINT" => cmd.clear(),
                "CMD" => cmd = inst.words(),
                _ => {}
            }
        }
    }
    cmd
}

/// Whether a compose `command:` (list form joined with spaces) is the
/// same command as the image's `CMD` words.
fn same_words(command: &str, cmd: &[String]) -> bool {
    let cmd = cmd.join(" ");
    !cmd.trim().is_empty() && command.split_whitespace().eq(cmd.split_whitespace())
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    if cx
        .deploy_definitions()
        .iter()
        .any(|(_, kind)| probes_containers(*kind))
    {
        return Vec::new();
    }
    let mut findings: Vec<Finding> = Vec::new();
    // One finding per image: the same Dockerfile stage run without a
    // health check by several deployment files (kutt's postgres, mariadb
    // and sqlite variants) is one cause; the other files are listed in it.
    let mut by_image: std::collections::HashMap<(String, usize), usize> =
        std::collections::HashMap::new();
    for (id, compose) in compose_files::production(cx) {
        let rel = cx.rel(id);
        let dir = cx.index.get(id).dir();
        for service in &compose.services {
            let Some(context) = service.build_context.as_deref() else {
                continue;
            };
            if !compose_files::runs_project_code(cx, id, service) {
                continue;
            }
            let Some(dockerfile_rel) = resolve(dir, context)
                .and_then(|c| resolve(&c, service.dockerfile.as_deref().unwrap_or("Dockerfile")))
            else {
                continue;
            };
            let Some(dockerfile_id) = cx.index.find(&dockerfile_rel) else {
                continue;
            };
            let Some(file) = cx.facts.dockerfile(dockerfile_id) else {
                continue;
            };
            // The stage the service builds (`build.target`), else the last;
            // HEALTHCHECK, EXPOSE and CMD carry over from the stages it is
            // built on.
            let Some(stage_idx) = service
                .target
                .as_deref()
                .and_then(|t| stage_named(file, file.stages.len(), t))
                .or_else(|| file.stages.len().checked_sub(1))
            else {
                continue;
            };
            let stage = &file.stages[stage_idx];
            let stages = chain(file, stage_idx);
            let has = |keyword: &str| {
                stages
                    .iter()
                    .any(|i| file.stages[*i].all(keyword).next().is_some())
            };
            if has("HEALTHCHECK") {
                continue;
            }
            let checked = std::iter::once(service)
                .chain(compose_files::siblings(cx, id, &service.name))
                .any(|s| {
                    s.details.healthcheck.is_some()
                        || s.details
                            .labels
                            .iter()
                            .any(|l| l.to_ascii_lowercase().contains("healthcheck"))
                });
            if checked {
                continue;
            }
            // The image's `EXPOSE` counts only when the service runs the
            // image's own command (a `command: celery worker` serves
            // nothing) — also when `command:` spells that command again.
            let own_command = service
                .details
                .command
                .as_deref()
                .is_none_or(|c| same_words(c, &cmd_words(file, stage_idx)));
            let exposes = has("EXPOSE") && own_command;
            if service.details.ports.is_empty() && !service.details.exposes && !exposes {
                continue;
            }
            if let Some(&at) = by_image.get(&(dockerfile_rel.clone(), stage_idx)) {
                let finding = &mut findings[at];
                finding.locations.push(Location::new(rel, service.line));
                let also = format!("{} (service {})", code(rel), code(&service.name));
                match finding.message.strip_suffix('.') {
                    Some(m) if m.contains(" The same image runs unchecked in ") => {
                        finding.message = format!("{m}, {also}.");
                    }
                    _ => finding
                        .message
                        .push_str(&format!(" The same image runs unchecked in {also}.")),
                }
                continue;
            }
            by_image.insert((dockerfile_rel.clone(), stage_idx), findings.len());
            let message = format!(
                "{}: service {} is built from {} and runs with no health check — no `healthcheck:` in the compose file, no `HEALTHCHECK` in the image, and no orchestrator that probes it.",
                code(rel),
                code(&service.name),
                code(&dockerfile_rel)
            );
            let impact = "A hung or broken server stays \"Up\": Docker keeps it running and routing traffic to it, and nothing (depends_on conditions, Swarm, autoheal) can tell that it stopped answering.".to_string();
            let fix = format!(
                "Add a `healthcheck:` to {} (or a `HEALTHCHECK` to {}) that calls the app's health endpoint with a short timeout, using a tool the image has (`curl -f`, `wget -q --spider`, or `node -e \"fetch(…)\"`), e.g. `interval: 10s`, `timeout: 3s`, `retries: 3`.",
                code(&service.name),
                code(&dockerfile_rel)
            );
            let app = cx
                .apps
                .iter()
                .find(|a| resolve(dir, context).is_some_and(|c| c == a.dir()))
                .or_else(|| compose_files::app_of(cx, rel));
            findings.push(RULE.meta.finding(
                app,
                message,
                impact,
                fix,
                vec![
                    Location::new(rel, service.line),
                    Location::new(dockerfile_rel.clone(), stage.from.line),
                ],
            ));
        }
    }
    findings
}
