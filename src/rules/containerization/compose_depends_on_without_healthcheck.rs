//! compose-depends-on-without-healthcheck: an app service starts as soon as
//! its database container starts, not when the database accepts connections.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::rules::containerization::compose_files;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "compose-depends-on-without-healthcheck",
        code: "SW111",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Service starts before its database is ready",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
In the compose files that deploy the project (see
`compose-database-without-volume` for how a deployment file is told from a
development one), reports a service of the project (built from the repository,
or an image that is not a well-known backing service) whose `depends_on:`
names a database service (PostgreSQL, MySQL, MariaDB, MongoDB, ClickHouse,
Elasticsearch, …) without `condition: service_healthy` — the list form
`depends_on: [db]` means `service_started`. A service that waits by itself
(`wait-for-it`, `dockerize -wait`, `pg_isready`, a `while !</dev/tcp/db/5432`
loop or `nc -z` in its command, or a script
of the repository its command runs that does — `./bin/docker-entrypoint.sh`
running `python manage.py wait_for_db`; for a published image, a script
beside the Dockerfile it is built from — the folder named like the image,
`ghcr.io/acme/imap` → `…/imap/Dockerfile` — that runs `mariadb-admin
status`, `pg_isready` or another such waiter) is not reported. A service built from the repository is judged by what
its image runs: an entrypoint script that waits (or runs a program beside
it that retries the connection and sleeps, CTFd's `python ping.py`), and
PHP-FPM or Apache with `mod_php` (the `php:*-fpm`/`php:*-apache` images, a
`php-fpm` command), which open a connection per request: a request before
the database is ready fails alone, the next one works, and nothing at start
needs it. A cron daemon (`cron -f`, `crond`, `supercronic`) as the
service's program runs its jobs on their schedule (a nightly dump), not at
start, and is not reported either. Caches (Redis) start in milliseconds and are left out. One finding
per database: the services that start before it is ready are listed
together, each `depends_on:` entry cited (and the database service when it
has no healthcheck).

## Why is this bad?
`service_started` only waits for the database's container to start; the
database needs seconds more (initdb on first boot, recovery after a crash)
before it accepts connections. The app starts first, fails its first queries
or its migrations, and exits or serves errors — on every deploy and every host
reboot.

## Example
### Reported
```yaml file=docker-compose.prod.yml
services:
  web:
    build: .
    restart: unless-stopped
    depends_on:
      - db
  db:
    image: postgres:17
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Not reported
```yaml file=docker-compose.prod.yml
services:
  web:
    build: .
    restart: unless-stopped
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:17
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U $$POSTGRES_USER"]
      interval: 5s
      retries: 10
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Not reported
The app is PHP-FPM: each request connects on its own.

```yaml file=docker-compose.yml
services:
  app:
    build: .
    restart: unless-stopped
    depends_on:
      - db
  db:
    image: mariadb:11
    volumes:
      - dbdata:/var/lib/mysql
volumes:
  dbdata:
```

```dockerfile file=Dockerfile
FROM php:8.3-fpm-alpine
COPY . /var/www/app
USER www-data
```

## Fix
Give the database a `healthcheck:` (`pg_isready -h 127.0.0.1 -U $$POSTGRES_USER`,
`mysqladmin ping -h 127.0.0.1`, `mongosh --eval "db.adminCommand('ping')"`) and
make the app wait for it: `depends_on: {db: {condition: service_healthy}}`.

`seaworthy fix` does this (a safe fix): it adds a `healthcheck:` to the
database service when it has none (PostgreSQL `pg_isready -h 127.0.0.1`,
MySQL `mysqladmin ping`, MariaDB `healthcheck.sh --connect
--innodb_initialized`, MongoDB `mongosh --eval` — the legacy `mongo` shell
before 6.0 —, ClickHouse, Elasticsearch/OpenSearch, CockroachDB) and sets
`condition: service_healthy` on the cited `depends_on:` entries; a list
form becomes the map form, its other entries keeping `service_started`.
Only those lines change: comments and layout stay.
"#;

/// Commands that wait for a port or a database themselves.
const WAITERS: &[&str] = &[
    "wait-for",
    "wait_for",
    "waitfor",
    "dockerize",
    "pg_isready",
    "wait-on",
    "until ",
    "mysqladmin",
    "mariadb-admin",
    // Bash's own port probe in a loop (`while !</dev/tcp/db/5432; do sleep
    // 1; done`): no tool, same wait.
    "/dev/tcp/",
    "nc -z",
];

/// Tools that wait for a database server by name (no generic loop
/// keyword): what a script copied into an image must run to count.
const DATABASE_WAITERS: &[&str] = &[
    "wait-for",
    "wait_for",
    "dockerize",
    "pg_isready",
    "wait-on",
    "mysqladmin",
    "mariadb-admin",
    "/dev/tcp/",
    "nc -z",
];

/// Whether the image a service runs waits for the database by itself: the
/// image is published from a Dockerfile of the repository — the one folder
/// named like the image (`ghcr.io/acme/dovecot` → `…/dovecot/Dockerfile`) —
/// and a shell script beside that Dockerfile
/// (its entrypoint, or a program its supervisor starts) waits for the
/// database server (`while ! mariadb-admin status …; do sleep 2; done`).
fn image_waits(cx: &RepoContext, service: &crate::facts::compose::ComposeService) -> bool {
    // A service built here is judged by its `command:`; a published image
    // is matched to its Dockerfile by name.
    let folder = match service.build_context.as_deref() {
        Some(_) => None,
        None => {
            let Some(image) = service.image.as_deref() else {
                return false;
            };
            let (repo, _) = crate::facts::images::parse_image(image);
            let name = repo.rsplit('/').next().unwrap_or(&repo).to_string();
            let folders: Vec<String> = cx
                .index
                .of_kind(FileKind::Dockerfile)
                .iter()
                .map(|id| cx.index.get(*id).dir().to_string())
                .filter(|dir| {
                    dir.rsplit('/')
                        .next()
                        .is_some_and(|last| last.eq_ignore_ascii_case(&name))
                })
                .collect();
            match folders.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            }
        }
    };
    let Some(folder) = folder else {
        return false;
    };
    cx.memo("compose-image-waits", &folder, || {
        cx.index
            .of_kind(FileKind::ShellScript)
            .iter()
            .filter(|id| cx.index.get(**id).dir() == folder)
            .any(|id| {
                crate::facts::text::read_text(&cx.index.path(*id), 1 << 20)
                    .is_ok_and(|text| DATABASE_WAITERS.iter().any(|w| text.contains(w)))
            })
    })
}

/// What the image a service builds from the repository runs, when that
/// decides the question: `Some(why)` when it needs no database at start —
/// a per-request runtime (PHP-FPM, Apache's `mod_php`: each request opens
/// its own connection, a request before the database is up fails alone and
/// the next one works), or an entrypoint script of the repository that
/// waits for the database itself (`python ping.py` looping on a
/// connection, `wait-for-it`).
fn built_image_needs_no_wait(
    cx: &RepoContext,
    compose_dir: &str,
    service: &crate::facts::compose::ComposeService,
) -> bool {
    let Some(context) = service
        .build_context
        .as_deref()
        .and_then(|c| crate::apps::resolve(compose_dir, c))
    else {
        return false;
    };
    let dockerfile = service.dockerfile.as_deref().unwrap_or("Dockerfile");
    let Some(path) = crate::apps::resolve(&context, dockerfile) else {
        return false;
    };
    let Some(id) = cx.index.find(&path) else {
        return false;
    };
    let Some(file) = cx.facts.dockerfile(id) else {
        return false;
    };
    let stage = service
        .target
        .as_deref()
        .and_then(|t| super::dockerfiles::stage_named(file, file.stages.len(), t))
        .or_else(|| file.stages.len().checked_sub(1));
    let Some(stage) = stage else {
        return false;
    };
    let words = super::dockerfiles::command_words(file, stage);
    let base = super::dockerfiles::base_image(file, stage).to_ascii_lowercase();
    if is_per_request_runtime(&words, &base) || runs_scheduler(&words) {
        return true;
    }
    let command = words.join(" ");
    waits(&command) || runs_waiting_script(cx, &command)
}

/// PHP-FPM or Apache with `mod_php` as the image's program: the official
/// `php:*-fpm` / `php:*-apache` images with their own command, or a
/// command that starts them (`php-fpm`, `php-fpm8.2 -F`,
/// `apache2-foreground`). A supervisor that also starts workers or
/// migrations is not one: those run at start.
fn is_per_request_runtime(words: &[String], base: &str) -> bool {
    let program = words
        .iter()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .find(|w| {
            !matches!(
                *w,
                "docker-php-entrypoint" | "tini" | "--" | "dumb-init" | "exec"
            )
        });
    match program {
        None => {
            let tag = base.rsplit(':').next().unwrap_or("");
            base.starts_with("php:") && (tag.contains("fpm") || tag.contains("apache"))
        }
        Some(p) => p.starts_with("php-fpm") || p == "apache2-foreground",
    }
}

/// A cron daemon as the image's program (`CMD ["cron", "-f"]`, `crond -f`,
/// `supercronic /etc/crontab`): its jobs run on their schedule (a nightly
/// `pg_dump`), never at start, so nothing needs the database the moment
/// the container starts.
fn runs_scheduler(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.trim_matches(['"', '\'', '[', ']', ','])
                .rsplit('/')
                .next()
                .unwrap_or(w),
            "cron" | "crond" | "supercronic" | "go-crond" | "busybox-crond"
        )
    })
}

fn waits(text: &str) -> bool {
    WAITERS.iter().any(|w| text.contains(w))
}

/// Whether the command runs a script of the repository that waits for the
/// database itself (`./bin/docker-entrypoint-api.sh` whose first line is
/// `python manage.py wait_for_db`). The script is found by its file name,
/// wherever it sits (an image built elsewhere has it at another path);
/// when several scripts have the name, every one must wait.
fn runs_waiting_script(cx: &RepoContext, command: &str) -> bool {
    command
        .split_whitespace()
        .map(|w| w.trim_matches(['"', '\'', '[', ']', ',']))
        .filter(|w| w.ends_with(".sh"))
        .any(|word| {
            let name = word.rsplit('/').next().unwrap_or(word).to_string();
            cx.memo("compose-script-waits", &name, || {
                let scripts = cx.shell_scripts_named(&name);
                !scripts.is_empty()
                    && scripts.iter().all(|id| {
                        cx.facts.raw_text_capped(*id, 1 << 20).is_some_and(|text| {
                            waits(&text) || runs_waiting_program(cx, *id, &text)
                        })
                    })
            })
        })
}

/// Whether a script runs a program of the repository beside it
/// (`python ping.py`, `node scripts/wait-db.js`) that waits for the
/// database: a loop that retries a connection and sleeps between tries
/// (CTFd's `ping.py`: `while True: try: engine.raw_connection(); break`).
fn runs_waiting_program(cx: &RepoContext, script: crate::index::FileId, text: &str) -> bool {
    let dir = cx.index.get(script).dir().to_string();
    text.split_whitespace()
        .map(|w| w.trim_matches(['"', '\'', ';', '(', ')']))
        .filter(|w| {
            [".py", ".js", ".mjs", ".cjs", ".rb", ".php", ".ts"]
                .iter()
                .any(|ext| w.ends_with(ext))
        })
        .filter_map(|w| crate::apps::resolve(&dir, w.trim_start_matches("./")))
        .filter_map(|path| cx.index.find(&path))
        .any(|id| {
            cx.facts
                .raw_text_capped(id, 1 << 18)
                .is_some_and(|program| is_connection_retry_loop(&program))
        })
}

/// A loop (`while`, `until`, `for … in range`, `retry`) around a database
/// connection (`connect`, `raw_connection`, `ping`, `authenticate`) with a
/// sleep between tries.
fn is_connection_retry_loop(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let looping = [
        "while ",
        "while(",
        "until ",
        "retry",
        "retries",
        "for attempt",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let connects = ["connect(", "raw_connection(", ".ping(", "authenticate("]
        .iter()
        .any(|w| lower.contains(w));
    let sleeps = ["sleep(", "settimeout(", "usleep("]
        .iter()
        .any(|w| lower.contains(w));
    looping && connects && sleeps
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, compose) in compose_files::production(cx) {
        let rel = cx.rel(id);
        // One finding per database: the services that start before it is
        // ready share one cause (no healthcheck, or none waited for).
        let mut by_database: Vec<(&str, Vec<Dependent>)> = Vec::new();
        for service in compose
            .services
            .iter()
            .filter(|s| compose_files::is_application(s))
        {
            if service.details.command.as_deref().is_some_and(|c| {
                waits(c)
                    || runs_waiting_script(cx, c)
                    || runs_scheduler(&c.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            }) || image_waits(cx, service)
                || built_image_needs_no_wait(cx, cx.index.get(id).dir(), service)
            {
                continue;
            }
            for dep in &service.details.depends_on {
                if dep.condition.as_deref() == Some("service_healthy") {
                    continue;
                }
                let Some(db_service) = compose.service(&dep.service) else {
                    continue;
                };
                if compose_files::database_of(db_service).is_none_or(|db| db.cache) {
                    continue;
                }
                let condition = dep.condition.as_deref().unwrap_or("service_started");
                let entry = (service.name.as_str(), condition, dep.line);
                match by_database.iter_mut().find(|(db, _)| *db == dep.service) {
                    Some((_, dependents)) => dependents.push(entry),
                    None => by_database.push((dep.service.as_str(), vec![entry])),
                }
            }
        }
        for (db_name, dependents) in by_database {
            let Some(db_service) = compose.service(db_name) else {
                continue;
            };
            let Some(db) = compose_files::database_of(db_service) else {
                continue;
            };
            findings.push(finding(cx, rel, db_service, db.engine, &dependents));
        }
    }
    findings
}

/// A service that depends on a database: (name, condition, line of its
/// `depends_on:` entry).
type Dependent<'a> = (&'a str, &'a str, u32);

fn finding(
    cx: &RepoContext,
    rel: &str,
    db_service: &crate::facts::compose::ComposeService,
    engine: &str,
    dependents: &[Dependent],
) -> Finding {
    let db_name = db_service.name.as_str();
    let has_healthcheck = db_service
        .details
        .healthcheck
        .as_ref()
        .is_some_and(|h| !h.disabled);
    let mut names: Vec<&str> = dependents.iter().map(|d| d.0).collect();
    names.dedup();
    let listed = names.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ");
    let mut conditions: Vec<&str> = dependents.iter().map(|d| d.1).collect();
    conditions.sort_unstable();
    conditions.dedup();
    let conditions = conditions
        .iter()
        .map(|c| code(c))
        .collect::<Vec<_>>()
        .join(" or ");
    let (who, verb) = if names.len() == 1 {
        (format!("service {listed}"), "depends")
    } else {
        (format!("services {listed}"), "depend")
    };
    let message = format!(
        "{}: {who} {verb} on {} ({engine}) with condition {conditions}{}.",
        code(rel),
        code(db_name),
        if has_healthcheck {
            ""
        } else {
            ", and the database has no healthcheck"
        }
    );
    let impact = format!(
        "Compose starts {listed} as soon as the {} container starts, seconds before {engine} accepts connections: migrations and first requests fail on every deploy and host reboot.",
        code(db_name),
    );
    let fix = format!(
        "{}Make {listed} wait for it: `depends_on: {{{db_name}: {{condition: service_healthy}}}}`.",
        if has_healthcheck {
            String::new()
        } else {
            format!(
                "Add a `healthcheck:` to {} ({}). ",
                code(db_name),
                healthcheck_for(engine)
            )
        },
    );
    // The dependents' entries first (in file order), then the database.
    let mut locations: Vec<Location> = Vec::new();
    let lines = dependents.iter().map(|d| d.2);
    let db_line = (!has_healthcheck).then_some(db_service.line);
    for line in lines.chain(db_line) {
        let location = Location::new(rel, line);
        if !locations.contains(&location) {
            locations.push(location);
        }
    }
    RULE.meta.finding(
        compose_files::app_of(cx, rel),
        message,
        impact,
        fix,
        locations,
    )
}

fn healthcheck_for(engine: &str) -> &'static str {
    match engine {
        "PostgreSQL" => "`test: [\"CMD-SHELL\", \"pg_isready -h 127.0.0.1 -U $$POSTGRES_USER\"]`",
        "MySQL" | "MariaDB" => "`test: [\"CMD\", \"mysqladmin\", \"ping\", \"-h\", \"127.0.0.1\"]` (MariaDB 11: `healthcheck.sh --connect --innodb_initialized`)",
        "MongoDB" => "`test: [\"CMD\", \"mongosh\", \"--quiet\", \"--eval\", \"db.adminCommand('ping')\"]`",
        "Elasticsearch" | "OpenSearch" => "`test: [\"CMD-SHELL\", \"curl -fs http://127.0.0.1:9200/_cluster/health\"]`",
        "ClickHouse" => "`test: [\"CMD\", \"clickhouse-client\", \"--query\", \"SELECT 1\"]`",
        _ => "a command that succeeds only once the database accepts connections",
    }
}
