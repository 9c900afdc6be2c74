//! database-without-backup: the team runs its own database and nothing in
//! the repository backs it up.

use crate::facts::needles::SHELL_OPERATIONS;
use yaml_rust2::Yaml;

use crate::facts::yaml;
use crate::facts::ComposeFile;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileId, FileKind};
use crate::roles::compose::{strings, volumes};
use crate::roles::path::is_non_product_path;
use crate::rules::containerization::compose_files;
use crate::rules::database::backups_not_offsite::{app_of, backup_scripts};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "database-without-backup",
        code: "SW502",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "Self-run database without backups",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a database the team runs itself when nothing in the repository
backs it up.

A self-run database is:
- a PostgreSQL, MySQL, MariaDB or MongoDB service (`postgres`, `postgis`,
  `timescaledb`, `pgvector`, `mysql`, `mariadb`, `mongo`, `percona`, Bitnami
  images) with a data volume, beside an app service (one that is built, or
  whose image is not a database, cache, mail catcher or admin tool), in a
  compose file that deploys the project. Which compose files deploy is the
  file-role model's decision (`docs/file-roles.md`), the same for every
  compose rule: a production name or header, a deploy script that ships the
  file, a service of the project's code kept running (`restart:`, Swarm
  `deploy:`) and not a dev server, a volume at a server's path, or a README
  that documents it as the way to run or deploy the product. A compose file
  of backing services alone, a developer's stack (`npm run dev`,
  `runserver`, `NODE_ENV=development`), and files named or placed for
  development (`docker-compose.dev.yml`, `.override.`, `.local.`, `.test.`,
  `.ci.`, `.devcontainer/`) are not production;
- a database accessory of a Kamal deployment (`accessories:` in
  `config/deploy.yml` with a database image);
- a database server installed by a provisioning script (`apt-get install
  postgresql`, `mysql-server`, `mariadb-server`, `mongodb-org`; client
  libraries do not count; a script that installs it with a build
  toolchain — `build-essential`, `-dev` headers — and creates, configures
  or starts nothing is a build machine's set-up, not provisioning), or by an
  Ansible task (`apt`/`yum`/`package`,
  also with `with_items`/`loop`) or role (`geerlingguy.postgresql`, …), or a
  database an Ansible task creates on the host itself (`postgresql_db`,
  `mysql_db` without `login_host`).

A backup is anything of: a backup script (as `backups-not-offsite` finds
them), a file or folder named for backups, a backup service in any compose
file (`prodrigestivill/postgres-backup-local`, `tiredofit/db-backup`, WAL-G,
pgBackRest, Litestream, restic, borgmatic, a `pg_dump` command), a Kubernetes
CronJob running a dump, a CloudNativePG `ScheduledBackup`, a Velero
`Schedule`, or a README or deployment definition that mentions `pg_dump`,
`mysqldump`, `mongodump` or backups.

A backup job in the application's own code counts too: a scheduled job (a
Spring `@Scheduled` method, Laravel's scheduler, node-cron, NestJS
`@Cron`, a Celery periodic task) that backs up, with code that runs a dump
tool (`Runtime.getRuntime().exec("mysqldump …")`). When the compose file
builds the app's image from a Dockerfile that installs no client providing
that tool (`default-mysql-client`, `postgresql-client`,
`mongodb-database-tools`), the finding says so instead: the job exists but
cannot run.

Nothing is reported when the production database is managed: Terraform
defines `aws_db_instance`, `aws_rds_cluster`, `google_sql_database_instance`,
an Azure or DigitalOcean database; an env example points the database URL at
RDS, Neon, Supabase, PlanetScale, Render, Railway, Aiven, Atlas, Timescale
Cloud, …; or the app deploys to a platform (Heroku, Render, Railway, Fly.io,
Vercel, Netlify, App Runner, Elastic Beanstalk, App Engine, DigitalOcean App
Platform), which makes a compose file the local setup.

## Why is this bad?
A database on a volume or a VM disk has exactly one copy. A deleted volume,
a failed disk, a bad migration or a `DROP TABLE` typed into the wrong
terminal loses every customer's data for good.

## Example
### Reported
```yaml file=docker-compose.yml
services:
  web:
    build: .
    restart: unless-stopped
    ports: ["3000:3000"]
    environment:
      DATABASE_URL: postgresql://app:app@db:5432/app
  db:
    image: postgres:17
    restart: unless-stopped
    volumes:
      - db-data:/var/lib/postgresql/data
volumes:
  db-data:
```

### Not reported
A backup service dumps the database every night:

```yaml file=docker-compose.yml
services:
  web:
    build: .
    restart: unless-stopped
    ports: ["3000:3000"]
  db:
    image: postgres:17
    restart: unless-stopped
    volumes:
      - db-data:/var/lib/postgresql/data
  db-backup:
    image: prodrigestivill/postgres-backup-local:17
    environment:
      POSTGRES_HOST: db
      SCHEDULE: "@daily"
    volumes:
      - /srv/backups:/backups
volumes:
  db-data:
```

### Not reported
Backing services for local development only:

```yaml file=docker-compose.yml
services:
  db:
    image: postgres:17
    ports: ["5432:5432"]
    volumes:
      - db-data:/var/lib/postgresql/data
  redis:
    image: redis:7
volumes:
  db-data:
```

### Reported
The app's backup job runs `mysqldump`, which its image does not have:

```yaml file=docker-compose.yml
services:
  db:
    image: mysql:8.4
    restart: always
    volumes:
      - ./db/data:/var/lib/mysql
  shop:
    build: ./app
    restart: always
    volumes:
      - ./app/backup:/backup
```

```java file=src/main/java/com/acme/shop/job/DbJob.java
package com.acme.shop.job;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

@Component
public class DbJob {
    @Scheduled(cron = "0 0 5 * * ?")
    public void backup() throws Exception {
        Runtime.getRuntime().exec("mysqldump --result-file=/backup/shop.sql shop").waitFor();
    }
}
```

```dockerfile file=app/Dockerfile
FROM eclipse-temurin:21-jre
COPY shop.jar /shop.jar
USER 1000
ENTRYPOINT ["java", "-jar", "/shop.jar"]
```

## Fix
Back the database up off the machine on a schedule: a backup service in the
compose file (`prodrigestivill/postgres-backup-local` plus a copy to object
storage), a cron job streaming `pg_dump -Fc | aws s3 cp - s3://…` under
`set -euo pipefail`, or continuous archiving with WAL-G or pgBackRest; keep
copies in another account or region, and test a restore regularly. Or move to
a managed database with automated backups and point-in-time recovery.
"#;

/// Database images (the last segment of the image name, tag removed).
const DATABASE_IMAGES: &[&str] = &[
    "mariadb",
    "mongo",
    "mongodb",
    "mongodb-community-server",
    "mysql",
    "mysql-server",
    "percona",
    "percona-server",
    "percona-server-mongodb",
    "pgvector",
    "postgis",
    "postgres",
    "postgresql",
    "timescaledb",
    "timescaledb-ha",
];

/// Images that back an app rather than being one.
const INFRA_IMAGES: &[&str] = &[
    "adminer",
    "caddy",
    "clickhouse-server",
    "elasticsearch",
    "grafana",
    "haproxy",
    "jaeger",
    "kafka",
    "localstack",
    "mailcatcher",
    "maildev",
    "mailhog",
    "mailpit",
    "memcached",
    "minio",
    "mongo-express",
    "nats",
    "nginx",
    "opensearch",
    "pgadmin4",
    "pgbouncer",
    "phpmyadmin",
    "prometheus",
    "rabbitmq",
    "redis",
    "redis-stack",
    "traefik",
    "valkey",
    "zookeeper",
];

/// Names in images, services and paths that mean a backup is made.
const BACKUP_WORDS: &[&str] = &[
    "backup",
    "barman",
    "borgmatic",
    "litestream",
    "pgbackrest",
    "restic",
    "wal-g",
    "walg",
];

const DUMP_WORDS: &[&str] = &[
    "pg_dump",
    "pg_dumpall",
    "mysqldump",
    "mariadb-dump",
    "mongodump",
];

/// Database server packages of the system package managers.
fn is_server_package(name: &str) -> bool {
    let name = name.trim_matches(['"', '\'']);
    let base = name.split(['=', ':']).next().unwrap_or(name);
    matches!(
        base,
        "postgresql"
            | "postgresql-server"
            | "mysql-server"
            | "mariadb-server"
            | "mongodb-org"
            | "mongodb-server"
            | "mongodb"
            | "percona-server-server"
            | "timescaledb-2-postgresql"
    ) || base
        .strip_prefix("postgresql-")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.') && !v.is_empty())
        || base
            .strip_prefix("mysql-server-")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn image_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

fn lower_words(s: &str) -> Vec<String> {
    s.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A mount that keeps the database's data (not an init script or a config file).
fn is_data_volume(target: &str) -> bool {
    let t = target.trim_end_matches('/');
    !t.is_empty()
        && !t.contains("docker-entrypoint-initdb.d")
        && ![
            ".sql", ".sh", ".conf", ".cnf", ".js", ".json", ".yml", ".yaml", ".sock",
        ]
        .iter()
        .any(|ext| t.ends_with(ext))
        && !t.starts_with("/etc")
        && !t.starts_with("/run")
        && !t.starts_with("/tmp")
        && !t.starts_with("/docker-entrypoint")
}

fn is_app_service(service: &crate::facts::compose::ComposeService) -> bool {
    if service.build_context.is_some() {
        return true;
    }
    match &service.image {
        Some(image) => {
            let name = image_name(image).to_ascii_lowercase();
            !DATABASE_IMAGES.contains(&name.as_str())
                && !INFRA_IMAGES.contains(&name.as_str())
                && !BACKUP_WORDS.iter().any(|w| name.contains(w))
        }
        None => false,
    }
}

/// Whether a compose service backs up a database.
fn is_backup_service(service: &crate::facts::compose::ComposeService) -> bool {
    let name = service.name.to_ascii_lowercase();
    let image = service.image.as_deref().unwrap_or("").to_ascii_lowercase();
    let mut commands = strings(yaml::get(&service.raw, "command"));
    commands.extend(strings(yaml::get(&service.raw, "entrypoint")));
    let command = commands.join(" ");
    BACKUP_WORDS
        .iter()
        .any(|w| name.contains(w) || image.contains(w))
        || DUMP_WORDS.iter().any(|w| command.contains(w))
}

/// A database the team runs itself: where, and what.
struct SelfRun {
    id: FileId,
    line: u32,
    what: String,
}

fn compose_databases(cx: &RepoContext, compose_files: &[(FileId, &ComposeFile)]) -> Vec<SelfRun> {
    let production: Vec<FileId> = compose_files::production(cx)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut out = Vec::new();
    for (id, compose) in compose_files {
        let rel = cx.rel(*id);
        // The file-role model decides which compose files deploy (the same
        // for every rule: a file a deploy script ships is a deployment for
        // this rule and for the port rule alike); this rule asks, too, for
        // an app service beside the database — backing services alone are
        // someone else's database.
        if !production.contains(id) || !compose.services.iter().any(is_app_service) {
            continue;
        }
        for service in &compose.services {
            let Some(image) = &service.image else {
                continue;
            };
            let name = image_name(image).to_ascii_lowercase();
            if !DATABASE_IMAGES.contains(&name.as_str()) {
                continue;
            }
            if !volumes(&service.raw).iter().any(|(_, t)| is_data_volume(t)) {
                continue;
            }
            out.push(SelfRun {
                id: *id,
                line: service.line,
                what: format!(
                    "{} runs the database service {} ({}) on a volume",
                    code(rel),
                    code(&service.name),
                    code(image)
                ),
            });
        }
    }
    out
}

fn is_dev_script(rel: &str) -> bool {
    rel.split('/').any(|part| {
        lower_words(part).iter().any(|w| {
            matches!(
                w.as_str(),
                "dev"
                    | "development"
                    | "local"
                    | "test"
                    | "tests"
                    | "testing"
                    | "ci"
                    | "e2e"
                    | "vagrant"
                    | "devcontainer"
                    | "github"
                    | "codespaces"
                    | "gitpod"
            )
        })
    })
}

fn provisioned_databases(cx: &RepoContext) -> Vec<SelfRun> {
    let mut out = Vec::new();
    for id in cx.index.of_kind(FileKind::ShellScript) {
        let rel = cx.rel(*id);
        if is_non_product_path(rel) || is_dev_script(rel) {
            continue;
        }
        let Some(script) = cx.facts.shell_script_mentioning(*id, SHELL_OPERATIONS) else {
            continue;
        };
        // A build machine's set-up (toolchain and a local database, nothing
        // configured or started): the file-role model's development script.
        if crate::roles::script::build_dependency_installer(script).is_some() {
            continue;
        }
        // A developer's workstation set-up (toolchain, a browser for the
        // system tests, a per-user Ruby/Node version manager).
        if crate::roles::script::workstation_setup(script).is_some() {
            continue;
        }
        for cmd in &script.commands {
            let installs = matches!(
                (cmd.name.as_str(), cmd.subcommand()),
                (
                    "apt-get" | "apt" | "yum" | "dnf" | "zypper",
                    Some("install")
                ) | ("apk", Some("add"))
            );
            if !installs {
                continue;
            }
            if let Some(pkg) = cmd.args.iter().find(|a| is_server_package(a)) {
                out.push(SelfRun {
                    id: *id,
                    line: cmd.line,
                    what: format!(
                        "{} installs the database server {} (line {})",
                        code(rel),
                        code(pkg),
                        cmd.line
                    ),
                });
                break;
            }
        }
    }
    // Kamal: `accessories:` in config/deploy.yml run next to the app.
    for id in cx.index.of_kind(FileKind::Deploy(DeployKind::Kamal)) {
        let rel = cx.rel(*id);
        if is_non_product_path(rel) || is_dev_script(rel) {
            continue;
        }
        let Some(text) = cx.facts.raw_text_capped(*id, 1 << 20) else {
            continue;
        };
        let Ok(docs) = yaml::load(&text) else {
            continue;
        };
        let Some(Yaml::Hash(accessories)) = docs.first().and_then(|d| yaml::get(d, "accessories"))
        else {
            continue;
        };
        for (name, accessory) in accessories {
            let (Some(name), Some(image)) = (name.as_str(), yaml::get_str(accessory, "image"))
            else {
                continue;
            };
            if !DATABASE_IMAGES.contains(&image_name(image).to_ascii_lowercase().as_str()) {
                continue;
            }
            out.push(SelfRun {
                id: *id,
                line: yaml::line_of_key(&text, name, yaml::line_of_key(&text, "accessories", 1)),
                what: format!(
                    "{} runs the database accessory {} ({}) on the server",
                    code(rel),
                    code(name),
                    code(image)
                ),
            });
        }
    }
    // Ansible files, and task lists in deploy folders whose names the
    // index cannot tell from Kubernetes manifests (`deploy/app/db/tasks/main.yml`).
    let ansible = cx
        .index
        .of_kind(FileKind::Deploy(DeployKind::Ansible))
        .iter()
        .chain(
            cx.index
                .of_kind(FileKind::KubernetesCandidate)
                .iter()
                .filter(|id| {
                    cx.rel(**id).contains("/tasks/") && !cx.facts.is_kubernetes_manifest(**id)
                }),
        );
    for id in ansible {
        let rel = cx.rel(*id);
        if is_non_product_path(rel) || is_dev_script(rel) || !rel.ends_with("ml") {
            continue;
        }
        let Some(text) = cx.facts.raw_text_capped(*id, 1 << 20) else {
            continue;
        };
        let Ok(docs) = yaml::load(&text) else {
            continue;
        };
        let mut found: Option<String> = None;
        for doc in &docs {
            ansible_database(doc, &mut found);
        }
        if let Some(what) = found {
            let needle = what.clone();
            let line = text
                .lines()
                .position(|l| l.contains(&needle))
                .map(|i| i as u32 + 1)
                .unwrap_or(1);
            out.push(SelfRun {
                id: *id,
                line,
                what: if what.ends_with("_db") || what.ends_with("_user") {
                    format!(
                        "{} creates a database on the server itself with {}",
                        code(rel),
                        code(&what)
                    )
                } else {
                    format!("{} installs the database server {}", code(rel), code(&what))
                },
            });
        }
    }
    out
}

/// Ansible: a package task installing a database server, or a database role.
fn ansible_database(node: &Yaml, found: &mut Option<String>) {
    if found.is_some() {
        return;
    }
    match node {
        Yaml::Array(items) => items.iter().for_each(|i| ansible_database(i, found)),
        Yaml::Hash(map) => {
            for (k, v) in map {
                let Some(key) = k.as_str() else { continue };
                let module = key.rsplit('.').next().unwrap_or(key);
                // `postgresql_db`/`mysql_db` on the host itself (no
                // `login_host`): the server runs there.
                if matches!(module, "postgresql_db" | "mysql_db" | "mongodb_user")
                    && yaml::get(v, "login_host").is_none()
                {
                    *found = Some(key.to_string());
                    return;
                }
                if matches!(module, "apt" | "package" | "yum" | "dnf") {
                    let names = match v {
                        Yaml::Hash(_) => {
                            let mut n = strings(yaml::get(v, "name"));
                            n.extend(strings(yaml::get(v, "pkg")));
                            n
                        }
                        Yaml::String(s) => s
                            .split_whitespace()
                            .filter_map(|w| w.strip_prefix("name=").or(Some(w)))
                            .map(str::to_string)
                            .collect(),
                        _ => Vec::new(),
                    };
                    // `apt: name={{ item }}` with `with_items:`/`loop:` beside it.
                    let mut names = names;
                    for list in ["with_items", "loop"] {
                        names.extend(strings(map.get(&Yaml::String(list.to_string()))));
                    }
                    let names: Vec<String> = names
                        .iter()
                        .flat_map(|n| {
                            n.split(',')
                                .map(|p| p.trim().to_string())
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    if let Some(pkg) = names.iter().find(|n| is_server_package(n)) {
                        *found = Some(pkg.clone());
                        return;
                    }
                }
                if key == "roles" {
                    let roles: Vec<String> = match v {
                        Yaml::Array(items) => items
                            .iter()
                            .filter_map(|i| match i {
                                Yaml::String(s) => Some(s.clone()),
                                Yaml::Hash(_) => yaml::get_str(i, "role")
                                    .or_else(|| yaml::get_str(i, "name"))
                                    .map(str::to_string),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    if let Some(role) = roles.iter().find(|r| {
                        let last = r
                            .rsplit(['.', '/'])
                            .next()
                            .unwrap_or(r)
                            .to_ascii_lowercase();
                        matches!(
                            last.as_str(),
                            "postgresql" | "postgres" | "mysql" | "mariadb" | "mongodb"
                        )
                    }) {
                        *found = Some(role.clone());
                        return;
                    }
                }
                ansible_database(v, found);
            }
        }
        _ => {}
    }
}

/// Hosts of managed databases, as they appear in connection URLs.
const MANAGED_HOSTS: &[&str] = &[
    ".rds.amazonaws.com",
    "neon.tech",
    "supabase.co",
    "supabase.com",
    "psdb.cloud",
    "planetscale",
    "render.com",
    "railway.app",
    "rlwy.net",
    "railway.internal",
    "aivencloud.com",
    "mongodb.net",
    "cockroachlabs.cloud",
    "database.azure.com",
    "database.windows.net",
    "db.ondigitalocean.com",
    "tsdb.cloud.timescale.com",
    "xata.sh",
    "prisma-data.net",
    "db.prisma.io",
    "nhost.run",
    "elephantsql.com",
    "upstash.io",
];

const MANAGED_RESOURCES: &[&str] = &[
    "\"aws_db_instance\"",
    "\"aws_rds_cluster\"",
    "\"aws_docdb_cluster\"",
    "\"google_sql_database_instance\"",
    "\"google_alloydb_cluster\"",
    "\"azurerm_postgresql_flexible_server\"",
    "\"azurerm_postgresql_server\"",
    "\"azurerm_mysql_flexible_server\"",
    "\"azurerm_mssql_server\"",
    "\"digitalocean_database_cluster\"",
    "\"neon_project\"",
    "\"supabase_project\"",
    "\"mongodbatlas_cluster\"",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
];

/// Whether production uses a managed database (so a compose database is
/// the local one).
fn managed_database(cx: &RepoContext) -> bool {
    let index = cx.index;
    let env_managed = [FileKind::EnvExample, FileKind::EnvFile]
        .iter()
        .flat_map(|k| index.of_kind(*k).iter())
        .filter(|id| !is_non_product_path(cx.rel(**id)))
        .filter_map(|id| cx.facts.env_file(*id))
        .any(|env| {
            env.vars.iter().any(|v| {
                let value = v.value.to_ascii_lowercase();
                value.contains("://") && MANAGED_HOSTS.iter().any(|h| value.contains(h))
            })
        });
    if env_managed {
        return true;
    }
    cx.deploy_definitions().iter().any(|(id, kind)| {
        matches!(
            kind,
            DeployKind::Terraform | DeployKind::AwsSam | DeployKind::AwsCdk | DeployKind::Pulumi
        ) && cx
            .facts
            .raw_text_capped(*id, 2 << 20)
            .is_some_and(|t| MANAGED_RESOURCES.iter().any(|r| t.contains(r)))
    })
}

/// Platforms that host the app (and offer their own databases): a compose
/// file beside them is the local setup.
fn deploys_to_platform(cx: &RepoContext) -> bool {
    cx.deploy_definitions().iter().any(|(_, kind)| {
        matches!(
            kind,
            DeployKind::Heroku
                | DeployKind::Render
                | DeployKind::Railway
                | DeployKind::FlyIo
                | DeployKind::Vercel
                | DeployKind::Netlify
                | DeployKind::AwsAppRunner
                | DeployKind::AwsElasticBeanstalk
                | DeployKind::GoogleAppEngine
                | DeployKind::DigitalOceanAppPlatform
                | DeployKind::AwsAmplify
                | DeployKind::CloudflareWorkers
                | DeployKind::PlatformSh
        )
    })
}

fn kubernetes_backup(doc: &Yaml) -> bool {
    let kind = yaml::get_str(doc, "kind").unwrap_or("");
    if matches!(
        kind,
        "ScheduledBackup" | "Backup" | "Schedule" | "PerconaServerMySQLBackup"
    ) {
        return true;
    }
    if kind != "CronJob" {
        return false;
    }
    let mut texts = Vec::new();
    collect_strings(doc, &mut texts);
    texts.iter().any(|t| {
        let t = t.to_ascii_lowercase();
        DUMP_WORDS.iter().any(|w| t.contains(w)) || BACKUP_WORDS.iter().any(|w| t.contains(w))
    })
}

/// `kubernetes_backup`, read from a document's tree.
fn tree_kubernetes_backup(doc: &crate::facts::yaml_tree::Node) -> bool {
    use crate::facts::yaml_tree::{Node, Value};
    let kind = doc.get("kind").and_then(Node::as_yaml_string).unwrap_or("");
    if matches!(
        kind,
        "ScheduledBackup" | "Backup" | "Schedule" | "PerconaServerMySQLBackup"
    ) {
        return true;
    }
    if kind != "CronJob" {
        return false;
    }
    fn says_backup(node: &Node) -> bool {
        match &node.value {
            Value::Scalar { .. } => node.as_yaml_string().is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                DUMP_WORDS.iter().any(|w| t.contains(w))
                    || BACKUP_WORDS.iter().any(|w| t.contains(w))
            }),
            Value::Seq(items) => items.iter().any(says_backup),
            Value::Map(entries) => entries
                .iter()
                .any(|(k, v)| says_backup(k) || says_backup(v)),
        }
    }
    says_backup(doc)
}

fn collect_strings(node: &Yaml, out: &mut Vec<String>) {
    match node {
        Yaml::String(s) => out.push(s.clone()),
        Yaml::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Yaml::Hash(map) => map.iter().for_each(|(k, v)| {
            collect_strings(k, out);
            collect_strings(v, out);
        }),
        _ => {}
    }
}

/// Whether anything in the repository backs a database up.
fn backup_exists(cx: &RepoContext, compose_files: &[(FileId, &ComposeFile)]) -> bool {
    let index = cx.index;
    if !backup_scripts(cx).is_empty() {
        return true;
    }
    let named = index.files.iter().any(|f| {
        let rel = f.rel.to_ascii_lowercase();
        BACKUP_WORDS.iter().any(|w| rel.contains(w))
    });
    if named {
        return true;
    }
    if compose_files
        .iter()
        .any(|(_, c)| c.services.iter().any(is_backup_service))
    {
        return true;
    }
    let kubernetes = index
        .of_kind(FileKind::KubernetesCandidate)
        .iter()
        .any(|id| match cx.facts.yaml_trees(*id) {
            Some(trees) => trees.iter().any(tree_kubernetes_backup),
            None => cx
                .facts
                .yaml_documents(*id)
                .is_some_and(|docs| docs.iter().any(kubernetes_backup)),
        });
    if kubernetes {
        return true;
    }
    // READMEs, deployment definitions, cron tables: a dump or a backup named there.
    let mentions = |text: &str| {
        let lower = text.to_ascii_lowercase();
        DUMP_WORDS.iter().any(|w| lower.contains(w)) || lower.contains("backup")
    };
    let readmes = index
        .of_kind(FileKind::Readme)
        .iter()
        .filter_map(|id| cx.facts.text(*id))
        .any(mentions);
    if readmes {
        return true;
    }
    index.files.iter().enumerate().any(|(id, f)| {
        let name = f.name().to_ascii_lowercase();
        let candidate = matches!(
            f.kind,
            Some(FileKind::Deploy(_)) | Some(FileKind::KubernetesCandidate)
        ) || name.contains("cron")
            || name == "makefile"
            || name == "justfile"
            || f.rel.starts_with(".github/workflows/")
            || (name.ends_with(".md") && f.rel.starts_with("docs/"));
        candidate
            && cx
                .facts
                .raw_text_capped(id, 2 << 20)
                .is_some_and(|t| mentions(&t))
    })
}

/// A backup the application runs itself: a scheduled job of its code (a
/// Spring `@Scheduled` method, Laravel's scheduler, node-cron, a Celery
/// periodic task, NestJS `@Cron`) that backs up or dumps, and code of the
/// app that runs a dump tool (`Runtime.exec("mysqldump …")`,
/// `exec("pg_dump …")`): litemall's `DbJob` calling `DbUtil.backup`.
struct AppBackupJob {
    /// The scheduled job: file and line of its schedule.
    job: Location,
    /// Where the dump tool is run, and which tool.
    dump: Location,
    tool: &'static str,
}

const SCHEDULE_MARKERS: &[&str] = &[
    "@Scheduled",
    "@Cron(",
    "$schedule->",
    "Schedule::",
    "cron.schedule(",
    "@periodic_task",
    "schedule.every(",
    "add_periodic_task(",
];

/// The app's own scheduled dump job, if any. Only code files whose word
/// mask spells `dump` or `backup` are read.
fn app_backup_job(cx: &RepoContext) -> Option<AppBackupJob> {
    let index = cx.index;
    let mut job = None;
    let mut dump = None;
    let code_files = index
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.kind, Some(FileKind::Source(_)) | Some(FileKind::JsSource)))
        .filter(|(_, f)| !f.test && !is_non_product_path(&f.rel) && !is_dev_script(&f.rel));
    for (id, f) in code_files {
        if !cx.facts.may_mention(id, &["dump", "backup"]) {
            continue;
        }
        let Some(text) = cx.facts.raw_text_capped(id, 1 << 20) else {
            continue;
        };
        let lower = text.to_ascii_lowercase();
        if job.is_none() && (lower.contains("backup") || lower.contains("dump")) {
            if let Some(at) = SCHEDULE_MARKERS.iter().filter_map(|m| text.find(m)).min() {
                let line = text[..at].matches('\n').count() as u32 + 1;
                job = Some(Location::new(f.rel.clone(), line));
            }
        }
        if dump.is_none() {
            // A dump tool at the start of a string literal: a command the
            // code runs (`"mysqldump -u" + user`), not a word in a comment.
            for tool in DUMP_WORDS {
                let quoted = [
                    format!("\"{tool} "),
                    format!("'{tool} "),
                    format!("`{tool} "),
                ];
                if let Some(at) = quoted.iter().filter_map(|q| text.find(q.as_str())).min() {
                    let line = text[..at].matches('\n').count() as u32 + 1;
                    dump = Some((Location::new(f.rel.clone(), line), *tool));
                    break;
                }
            }
        }
        if job.is_some() && dump.is_some() {
            break;
        }
    }
    let (job, (dump, tool)) = (job?, dump?);
    Some(AppBackupJob { job, dump, tool })
}

/// Packages that bring a dump tool into an image.
const DUMP_TOOL_PACKAGES: &[(&str, &[&str])] = &[
    (
        "mysqldump",
        &[
            "mysql-client",
            "mariadb-client",
            "default-mysql-client",
            "mysqldump",
        ],
    ),
    ("mariadb-dump", &["mariadb-client", "mariadb-dump"]),
    (
        "pg_dump",
        &["postgresql-client", "postgresql1", "pg_dump", "libpq-utils"],
    ),
    ("pg_dumpall", &["postgresql-client", "pg_dumpall"]),
    (
        "mongodump",
        &["mongodb-database-tools", "mongodb-org-tools", "mongodump"],
    ),
];

/// The Dockerfiles the compose file builds its app services from that do
/// not install `tool`: (Dockerfile path, line of its last `FROM`). Empty
/// when every one has it, or when none is built here (a published image:
/// nothing tells).
fn images_without_tool(
    cx: &RepoContext,
    compose_id: FileId,
    compose: &ComposeFile,
    tool: &str,
) -> Vec<Location> {
    let dir = cx.index.get(compose_id).dir();
    let packages = DUMP_TOOL_PACKAGES
        .iter()
        .find(|(t, _)| *t == tool)
        .map(|(_, p)| *p)
        .unwrap_or(&[]);
    let mut out = Vec::new();
    for service in compose.services.iter().filter(|s| is_app_service(s)) {
        let Some(context) = service
            .build_context
            .as_deref()
            .and_then(|c| crate::apps::resolve(dir, c))
        else {
            continue;
        };
        let file = service.dockerfile.as_deref().unwrap_or("Dockerfile");
        let Some(path) = crate::apps::resolve(&context, file) else {
            continue;
        };
        let Some(id) = cx.index.find(&path) else {
            continue;
        };
        let Some(dockerfile) = cx.facts.dockerfile(id) else {
            continue;
        };
        let Some(last) = dockerfile.stages.last() else {
            continue;
        };
        let base = last.image.to_ascii_lowercase();
        let base_has = ["mysql", "mariadb", "postgres", "mongo"]
            .iter()
            .any(|db| base.split(['/', ':']).any(|part| part == *db));
        let installs = dockerfile.stages.iter().any(|stage| {
            stage.all("RUN").any(|run| {
                let args = run.args.to_ascii_lowercase();
                packages.iter().any(|p| args.contains(p))
            })
        });
        if !base_has && !installs {
            out.push(Location::new(path, last.from.line));
        }
    }
    out
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let compose_files: Vec<(FileId, &ComposeFile)> = cx
        .index
        .of_kind(FileKind::Compose)
        .iter()
        .filter(|id| !is_non_product_path(cx.rel(**id)))
        .filter_map(|id| cx.facts.compose(*id).map(|c| (*id, c)))
        .collect();
    let mut self_run = Vec::new();
    if !deploys_to_platform(cx) {
        self_run.extend(compose_databases(cx, &compose_files));
    }
    self_run.extend(provisioned_databases(cx));
    if self_run.is_empty() || managed_database(cx) || backup_exists(cx, &compose_files) {
        return Vec::new();
    }
    // The app backs the database up itself, on a schedule: that is a
    // backup, unless the image the compose file runs the app in has no
    // dump tool — then say so rather than accept it.
    if let Some(job) = app_backup_job(cx) {
        return self_run
            .into_iter()
            .filter_map(|db| {
                let compose = compose_files.iter().find(|(id, _)| *id == db.id)?.1;
                let missing = images_without_tool(cx, db.id, compose, job.tool);
                let image = missing.first()?.clone();
                let rel = cx.rel(db.id).to_string();
                let mut locations = vec![job.dump.clone(), job.job.clone(), image.clone()];
                locations.dedup();
                Some(RULE.meta.finding(
                    app_of(cx, &rel),
                    format!(
                        "{}; its only backup is the app's scheduled job ({}:{}) running {} ({}:{}), but the image the app runs in ({}) installs no {}: the job cannot run.",
                        db.what,
                        job.job.path,
                        job.job.line,
                        code(job.tool),
                        job.dump.path,
                        job.dump.line,
                        code(&image.path),
                        code(job.tool)
                    ),
                    "The scheduled backup fails on every run (the dump tool is not found) and nothing says so: the database has one copy while everyone believes it has seven.".to_string(),
                    format!(
                        "Install the client that provides {} in the app's image (`mysql-client`/`mariadb-client`, `postgresql-client`, `mongodb-database-tools`, of the server's version), or run the dump from a backup service beside the database; then check that a dump file appears and restores.",
                        code(job.tool)
                    ),
                    locations,
                ))
            })
            .collect();
    }
    self_run
        .into_iter()
        .map(|db| {
            let rel = cx.rel(db.id).to_string();
            RULE.meta.finding(
                app_of(cx, &rel),
                format!("{}, and nothing in the repository backs it up: no backup script, backup service, dump job or backup documentation.", db.what),
                "The database has exactly one copy. A deleted volume, a failed disk, a bad migration or a mistaken `DROP TABLE` loses every customer's data for good.".to_string(),
                "Back the database up off the machine on a schedule: a backup service beside it (`prodrigestivill/postgres-backup-local` plus a copy to object storage), a cron job streaming `pg_dump -Fc | aws s3 cp - s3://…` under `set -euo pipefail`, or continuous archiving with WAL-G or pgBackRest; keep copies in another account or region and test a restore regularly. Or move to a managed database with automated backups and point-in-time recovery.".to_string(),
                vec![Location::new(rel, db.line)],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_packages_not_clients() {
        for p in [
            "postgresql",
            "postgresql-16",
            "mysql-server",
            "mariadb-server",
            "mongodb-org",
        ] {
            assert!(is_server_package(p), "{p}");
        }
        for p in [
            "postgresql-client",
            "postgresql-client-16",
            "libpq-dev",
            "mysql-client",
            "postgresql-contrib",
        ] {
            assert!(!is_server_package(p), "{p}");
        }
    }
}
