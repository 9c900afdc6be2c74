//! compose-database-without-volume: a database in a deployment compose file
//! keeps its data in no volume (or in the wrong place).

use crate::facts::compose::{ComposeService, Mount};
use crate::facts::images::Database;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::compose_files;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "compose-database-without-volume",
        code: "SW110",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Database without a persistent volume",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reads the compose files that deploy the project and reports a database
service — PostgreSQL (and PostGIS, pgvector, TimescaleDB images), MySQL,
MariaDB, MongoDB, ClickHouse, Elasticsearch, OpenSearch, Cassandra, Neo4j,
CouchDB, Meilisearch, Qdrant, CockroachDB, their Bitnami images — with no
volume or bind mount on the image's data directory (`/var/lib/postgresql/data`
before PostgreSQL 18, `/var/lib/postgresql` from 18 on, `/var/lib/mysql`,
`/data/db`, …; `PGDATA` is followed when the service sets it). A mount *above*
the directory the image declares as its own `VOLUME` is reported too: the
data then lands in an anonymous volume inside it (`pgdata:/var/lib/postgresql`
on PostgreSQL 17). Redis and Valkey are caches unless the service turns
persistence on (`--appendonly yes`, `--save 60 1`): only then is a missing
volume reported. A `tmpfs` on the data directory is a deliberate choice and is
not reported.

A compose file deploys the project when its name or folder says so (`prod`,
`production`, `deploy`, `release`, `selfhost`, …) or — for a name that says
neither — when it keeps a service of the project running (a restart policy
`always`, `unless-stopped` or `on-failure`, or Swarm `deploy:` settings): a
service that pulls the project's published image (named after its folder or
an app), which is how self-hosting files run the released product; or a
service built from a repository Dockerfile that is not a database image,
when nothing else deploys the project (no Kubernetes, Helm, platform or IaC
definition in the repository — with one, such a file is the local stack).
A header comment that says the file is for self-hosting makes it a
deployment too; a neutral file beside a production-named one
(`docker-compose.yml` next to `docker-compose.prod.yml`) is not, and neither
is one that a development-named script beside it starts
(`start-local-instances.sh` running `docker compose up`), nor one with a
name of its own (`docker-compose.build.yml`) that only CI configuration and
scripts name — no README, no deploy or release workflow or script — the
stack a pipeline or an agent's start script brings up to test against. Development files are never read:
names with `dev`, `local`, `test`, `ci`, `e2e`, `debug`, `override`
(`docker-compose.override.yml` is what Compose loads on developer machines),
files in dev containers, tests and examples, and files whose header comment
says "for development", "for testing" or "not for production". A throw-away
database is the point there. A volume set for the same service in another
compose file of the same folder (a base file and its production override)
counts.

## Why is this bad?
Without a volume the database writes into the container's anonymous volume or
its writable layer: `docker compose down`, a recreated container, or moving
the stack to a new host starts an empty database. Every row is gone, silently.

## Example
### Reported
```yaml file=docker-compose.prod.yml
services:
  web:
    image: ghcr.io/acme/shop:1.4.0
    restart: unless-stopped
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
```

### Reported
The volume sits above PostgreSQL 17's own volume, so the data is not in it:

```yaml file=docker-compose.prod.yml
services:
  db:
    image: postgres:17
    volumes:
      - pgdata:/var/lib/postgresql
volumes:
  pgdata:
```

### Not reported
```yaml file=docker-compose.prod.yml
services:
  db:
    image: postgres:17
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Not reported
A development stack:

```yaml file=docker-compose.dev.yml
services:
  db:
    image: postgres:17
```

## Fix
Mount a named volume at the data directory — `pgdata:/var/lib/postgresql/data`
(PostgreSQL ≤17), `pgdata:/var/lib/postgresql` (18+), `mysql:/var/lib/mysql`,
`mongo:/data/db` — and declare it under the top-level `volumes:`. Back the
volume up off the host; better, use a managed database in production.

`seaworthy fix --unsafe` mounts a named volume `<service>-data` at the
image's real data directory (`/var/lib/postgresql` for PostgreSQL 18+,
`PGDATA` when the file sets it) and declares it under the top-level
`volumes:`, when the service mounts nothing yet. It is unsafe because a
database already running keeps its rows in an anonymous volume, and the
new volume starts empty until they are copied.
"#;

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, compose) in compose_files::production(cx) {
        let rel = cx.rel(id);
        for service in &compose.services {
            let Some(mut db) = compose_files::database_of(service) else {
                continue;
            };
            if db.cache && !persistence_configured(service) {
                continue;
            }
            if let Some(dir) = db
                .data_env
                .and_then(|var| service.details.env(var))
                .filter(|v| v.starts_with('/') && !v.contains('$'))
            {
                db.data_dir = dir.trim_end_matches('/').to_string();
                db.data_dir_uncertain = false;
            }
            let mut mounts: Vec<&Mount> = service.details.volumes.iter().collect();
            for other in compose_files::siblings(cx, id, &service.name) {
                mounts.extend(other.details.volumes.iter());
            }
            let Some(problem) = problem(&db, &mounts) else {
                continue;
            };
            let image = service.image.as_deref().unwrap_or_default();
            let message = match &problem {
                Problem::NoMount => format!(
                    "{} runs {} ({}) as service {} with no volume on its data directory {}.",
                    code(rel),
                    db.engine,
                    code(image),
                    code(&service.name),
                    code(&db.data_dir)
                ),
                Problem::Shadowed { mount, volume } => format!(
                    "{} mounts {} at {} for {} ({}), above the image's own volume {}: the data is written to an anonymous volume, not to this one.",
                    code(rel),
                    code(mount.source.as_deref().unwrap_or("a volume")),
                    code(&mount.target),
                    db.engine,
                    code(image),
                    code(volume)
                ),
            };
            let line = match &problem {
                Problem::NoMount => service.line,
                Problem::Shadowed { mount, .. } => mount.line,
            };
            let impact = format!(
                "The {} data lives only as long as the container or its anonymous volume: `docker compose down`, a recreated container or a move to another host starts an empty database, and every row is lost.",
                db.engine
            );
            let target = match &problem {
                Problem::Shadowed { volume, .. } => volume.clone(),
                Problem::NoMount if db.engine == "PostgreSQL" && !db.data_dir_uncertain => {
                    db.image_volume.clone().unwrap_or(db.data_dir.clone())
                }
                Problem::NoMount => db.data_dir.clone(),
            };
            let fix = format!(
                "Mount a named volume at the data directory (`{}-data:{}` under the {} service, and `{}-data:` under the top-level `volumes:`), back it up off the host, or use a managed database in production.",
                service.name, target, service.name, service.name
            );
            findings.push(RULE.meta.finding(
                compose_files::app_of(cx, rel),
                message,
                impact,
                fix,
                vec![Location::new(rel, line)],
            ));
        }
    }
    findings
}

enum Problem<'a> {
    NoMount,
    /// Mounted above the image's `VOLUME`, which then holds the data.
    Shadowed {
        mount: &'a Mount,
        volume: String,
    },
}

/// `a` is `b` or a folder above it.
fn covers(a: &str, b: &str) -> bool {
    let a = a.trim_end_matches('/');
    let b = b.trim_end_matches('/');
    a == b || a.is_empty() || b.starts_with(&format!("{a}/"))
}

fn problem<'a>(db: &Database, mounts: &[&'a Mount]) -> Option<Problem<'a>> {
    let related = |m: &&&Mount| covers(&m.target, &db.data_dir) || covers(&db.data_dir, &m.target);
    // A tmpfs on the data: deliberately thrown away.
    if mounts.iter().filter(related).any(|m| m.tmpfs) {
        return None;
    }
    let persistent: Vec<&&Mount> = mounts.iter().filter(|m| !m.tmpfs).collect();
    // An interpolated target (`${DATA_DIR}`) cannot be checked.
    if persistent.iter().any(|m| m.target.contains('$')) {
        return None;
    }
    if db.data_dir_uncertain {
        // Any mount near the usual place counts.
        let near = |m: &&&Mount| {
            let base = db.data_dir.rsplit_once('/').map(|(b, _)| b).unwrap_or("");
            covers(base, &m.target) || covers(&m.target, &db.data_dir)
        };
        return (!persistent.iter().any(near)).then_some(Problem::NoMount);
    }
    // PostgreSQL 18+ with the historical mount refuses to start (the
    // image checks for it): loud, not a silent loss.
    if db.engine == "PostgreSQL"
        && persistent
            .iter()
            .any(|m| m.target.trim_end_matches('/') == "/var/lib/postgresql/data")
    {
        return None;
    }
    if persistent.iter().any(|m| covers(&db.data_dir, &m.target)) {
        // A mount inside the data directory (a sub-folder made PGDATA by
        // an init script): cannot tell, not reported.
        return None;
    }
    let above: Vec<&&Mount> = persistent
        .iter()
        .filter(|m| covers(&m.target, &db.data_dir))
        .copied()
        .collect();
    let Some(deepest) = above.iter().max_by_key(|m| m.target.len()) else {
        return Some(Problem::NoMount);
    };
    match &db.image_volume {
        // The image's own VOLUME lies between the mount and the data, and
        // nothing is mounted there.
        Some(volume)
            if covers(volume, &db.data_dir)
                && covers(&deepest.target, volume)
                && deepest.target.trim_end_matches('/') != volume.trim_end_matches('/') =>
        {
            Some(Problem::Shadowed {
                mount: deepest,
                volume: volume.clone(),
            })
        }
        _ => None,
    }
}

/// Redis/Valkey with persistence turned on in its command line.
fn persistence_configured(service: &ComposeService) -> bool {
    let Some(command) = service.details.command.as_deref() else {
        return false;
    };
    let words: Vec<&str> = command.split_whitespace().collect();
    words.windows(2).any(|w| match w {
        ["--appendonly", v] => v.trim_matches(['"', '\'']) == "yes",
        ["--save", v] => !v.trim_matches(['"', '\'']).is_empty() && !v.starts_with("--"),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::images::database;

    fn mount(target: &str) -> Mount {
        Mount {
            source: Some("data".into()),
            target: target.into(),
            tmpfs: false,
            line: 1,
        }
    }

    #[test]
    fn postgres_layouts() {
        let pg17 = database("postgres:17").expect("db");
        let pg18 = database("postgres:18").expect("db");
        let right = mount("/var/lib/postgresql/data");
        let parent = mount("/var/lib/postgresql");
        assert!(problem(&pg17, &[&right]).is_none());
        assert!(matches!(
            problem(&pg17, &[&parent]),
            Some(Problem::Shadowed { .. })
        ));
        assert!(problem(&pg18, &[&parent]).is_none());
        assert!(matches!(problem(&pg18, &[]), Some(Problem::NoMount)));
        let unknown = database("postgres:${V}").expect("db");
        assert!(problem(&unknown, &[&parent]).is_none());
        assert!(matches!(
            problem(&unknown, &[&mount("/backups")]),
            Some(Problem::NoMount)
        ));
    }
}
