//! compose-database-port-exposed: a deployment compose file publishes a
//! database port on every interface of the host.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::compose_files;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "compose-database-port-exposed",
        code: "SW113",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Database port published on all interfaces",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
In the compose files that deploy the project (see
`compose-database-without-volume` for how a deployment file is told from a
development one), reports `ports:` entries of a database or cache service
(PostgreSQL, MySQL, MariaDB, MongoDB, Redis, Valkey, ClickHouse,
Elasticsearch, …) — named as the service's `image:`, or the base image of
the Dockerfile a service builds (`FROM postgres:17` in a local
`pg.Dockerfile`) — that publish on every interface: `"5432:5432"`,
`"0.0.0.0:5432:5432"`, `"5432"` (a random host port), or the long syntax
without `host_ip`. Ports bound to a loopback address (`127.0.0.1:5432:5432`,
`[::1]:5432:5432`) or to an interpolated address (`${BIND_IP}:5432:5432`) are
not reported, and neither is `expose:`, which publishes nothing. A variable
that holds both address and port is judged by its default
(`${SQL_PORT:-127.0.0.1:13306}:3306` is loopback when unset;
`${DB_PORT:-0.0.0.0:5432}:5432` is every interface).

## Why is this bad?
Docker publishes the port on every address of the host and writes its own
iptables rules ahead of ufw and firewalld, so the database is reachable from
the internet, protected by its password alone. Internet-wide scans find open
PostgreSQL, MongoDB and Redis ports within hours.

## Example
### Reported
```yaml file=docker-compose.prod.yml
services:
  db:
    image: postgres:17
    ports:
      - "5432:5432"
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Not reported
```yaml file=docker-compose.prod.yml
services:
  db:
    image: postgres:17
    ports:
      - "127.0.0.1:5432:5432"
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Not reported
The installer sets the variable; unset, its default is loopback:

```yaml file=docker-compose.prod.yml
services:
  db:
    image: mariadb:10.11
    ports:
      - "${SQL_PORT:-127.0.0.1:13306}:3306"
    volumes:
      - dbdata:/var/lib/mysql
volumes:
  dbdata:
```

## Fix
Remove `ports:` from the database: the other services reach it on the
compose network by its service name (`db:5432`). If you need it from the host,
bind it to loopback (`"127.0.0.1:5432:5432"`) and connect through an SSH
tunnel.

`seaworthy fix --unsafe` binds each cited port to loopback
(`"127.0.0.1:5432:5432"`, `host_ip: 127.0.0.1` in the long syntax). It is
unsafe because a client on another host that connects to the database
directly loses access.
"#;

fn is_loopback(ip: &str) -> bool {
    ip.starts_with("127.") || ip == "::1" || ip.eq_ignore_ascii_case("localhost")
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, compose) in compose_files::production(cx) {
        let rel = cx.rel(id);
        for service in &compose.services {
            // A database image named here, or built here `FROM` one.
            let (db, image) = match compose_files::database_of(service) {
                Some(db) => (db, service.image.clone().unwrap_or_default()),
                None => match compose_files::database_built_by(cx, id, service) {
                    Some((db, base)) => (db, format!("{base}, built here")),
                    None => continue,
                },
            };
            let open: Vec<_> = service
                .details
                .ports
                .iter()
                .filter(|p| match p.host_ip.as_deref() {
                    None => true,
                    Some(ip) => !ip.contains('$') && !is_loopback(ip),
                })
                .collect();
            let Some(first) = open.first() else {
                continue;
            };
            let written: Vec<String> = open.iter().map(|p| code(&p.written)).collect();
            let message = format!(
                "{} publishes {} ({}) port {} of service {} on every interface of the host.",
                code(rel),
                db.engine,
                code(&image),
                written.join(", "),
                code(&service.name)
            );
            let impact = format!(
                "Docker opens the port on all host addresses and inserts its iptables rules ahead of ufw/firewalld: {} is reachable from the internet, guarded only by its password.",
                db.engine
            );
            let fix = format!(
                "Remove `ports:` from {} — the other services reach it as `{}:{}` on the compose network — or bind it to loopback (`\"127.0.0.1:{}:{}\"`) and connect through an SSH tunnel.",
                code(&service.name),
                service.name,
                first.target,
                first.published.as_deref().unwrap_or(&first.target),
                first.target
            );
            findings.push(RULE.meta.finding(
                compose_files::app_of(cx, rel),
                message,
                impact,
                fix,
                open.iter().map(|p| Location::new(rel, p.line)).collect(),
            ));
        }
    }
    findings
}
