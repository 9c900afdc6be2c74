//! compose.yaml: the app with the services it uses (PostgreSQL, MySQL,
//! Redis), healthchecks on every service, start order on health, passwords
//! from the environment, database ports not published.

use super::nextjs::dockerfile::{node_probe, PRISMA_CLI};
use super::profile::{Database, Profile};
use crate::stack::Framework;

/// PostgreSQL major the compose file runs. 18+ moved PGDATA (the volume
/// goes to /var/lib/postgresql); 17 keeps /var/lib/postgresql/data.
pub const POSTGRES_IMAGE: &str = "postgres:17";
pub const REDIS_IMAGE: &str = "redis:7.4";
pub const MYSQL_IMAGE: &str = "mysql:8.4";

/// The compose file names Docker Compose looks for.
pub const COMPOSE_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// Creates the app's compose.yaml unless it already has a compose file;
/// `false` when one was there (left as it is).
/// The step to do by hand then carries the app service itself: a pointer
/// to `fix --dry-run` could not be followed once the fix is applied (the
/// dry run then has nothing left to show).
pub fn create_unless_present(b: &mut super::Builder, p: &Profile) -> bool {
    if let Some(existing) = COMPOSE_FILES
        .iter()
        .map(|f| p.join(f))
        .find(|f| b.exists(f))
    {
        let block: String = app_service(&render(p))
            .lines()
            .map(|l| format!("       {l}\n"))
            .collect();
        b.manual(format!(
            "The app already has a compose file ({existing}), left as it is: add a service that builds the new Dockerfile under its `services:` (its `depends_on` names the services seaworthy would have written: point it at yours):\n{}",
            block.trim_end()
        ));
        return false;
    }
    b.create(&p.join("compose.yaml"), render(p), false);
    true
}

/// The `app:` service of a rendered compose file: from its line to the
/// next service or top-level key.
fn app_service(rendered: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in rendered.lines() {
        if line == "  app:" {
            inside = true;
        } else if inside {
            let indent = line.len() - line.trim_start().len();
            if !line.trim().is_empty() && indent <= 2 {
                break;
            }
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

pub fn database_url(p: &Profile) -> Option<String> {
    match p.database {
        Database::Postgres => Some(postgres_url("db", &db_name(p), p.prisma.is_some())),
        Database::Mysql => Some(format!(
            "mysql://${{MYSQL_USER:-{n}}}:${{MYSQL_PASSWORD:?set MYSQL_PASSWORD}}@db:3306/${{MYSQL_DATABASE:-{n}}}",
            n = db_name(p)
        )),
        Database::Sqlite => Some("file:/app/data/app.db".to_string()),
        Database::None => None,
    }
}

/// The URL of the compose PostgreSQL service `host`: user and database
/// default to `name`, the password is required from the environment.
pub fn postgres_url(host: &str, name: &str, prisma: bool) -> String {
    format!(
        "postgresql://${{POSTGRES_USER:-{name}}}:${{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}}@{host}:5432/${{POSTGRES_DB:-{name}}}{}",
        if prisma { "?schema=public" } else { "" },
    )
}

/// The PostgreSQL service `service`, two-space indented under `services:`
/// (without the leading blank line), keeping its data in `volume`.
pub fn postgres_service(service: &str, name: &str, volume: &str) -> String {
    format!(
        "  {service}:\n    image: {POSTGRES_IMAGE}\n    environment:\n      POSTGRES_USER: \"${{POSTGRES_USER:-{name}}}\"\n      POSTGRES_PASSWORD: \"${{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}}\"\n      POSTGRES_DB: \"${{POSTGRES_DB:-{name}}}\"\n    volumes:\n      # postgres:17 keeps its data here (18+ uses /var/lib/postgresql).\n      - {volume}:/var/lib/postgresql/data\n    healthcheck:\n      # Over TCP: without -h, pg_isready can pass while init scripts still run.\n      test: [\"CMD-SHELL\", \"pg_isready -h 127.0.0.1 -U $$POSTGRES_USER -d $$POSTGRES_DB\"]\n      interval: 5s\n      timeout: 3s\n      retries: 10\n    restart: unless-stopped\n"
    )
}

/// The MySQL service `db` (two-space indented, no leading blank line),
/// keeping its data in the `mysql-data` volume.
pub fn mysql_service(name: &str) -> String {
    format!(
        "  db:\n    image: {MYSQL_IMAGE}\n    environment:\n      MYSQL_USER: \"${{MYSQL_USER:-{name}}}\"\n      MYSQL_PASSWORD: \"${{MYSQL_PASSWORD:?set MYSQL_PASSWORD}}\"\n      MYSQL_ROOT_PASSWORD: \"${{MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD}}\"\n      MYSQL_DATABASE: \"${{MYSQL_DATABASE:-{name}}}\"\n    volumes:\n      - mysql-data:/var/lib/mysql\n    healthcheck:\n      test: [\"CMD-SHELL\", \"mysqladmin ping -h 127.0.0.1 -u $$MYSQL_USER --password=$$MYSQL_PASSWORD --silent\"]\n      interval: 5s\n      timeout: 3s\n      retries: 10\n    restart: unless-stopped\n"
    )
}

/// The Redis service `redis` with its password from the environment,
/// keeping its data in the `redis-data` volume.
pub fn redis_service() -> String {
    format!(
        "  redis:\n    image: {REDIS_IMAGE}\n    command: [\"redis-server\", \"--requirepass\", \"${{REDIS_PASSWORD:?set REDIS_PASSWORD}}\", \"--appendonly\", \"yes\"]\n    environment:\n      # redis-cli reads the password from here; `ping` exits 0 even on\n      # NOAUTH, so the check looks for PONG.\n      REDISCLI_AUTH: \"${{REDIS_PASSWORD:?set REDIS_PASSWORD}}\"\n    volumes:\n      - redis-data:/data\n    healthcheck:\n      test: [\"CMD-SHELL\", \"redis-cli ping | grep -q PONG\"]\n      interval: 5s\n      timeout: 3s\n      retries: 10\n    restart: unless-stopped\n"
    )
}

pub fn db_name(p: &Profile) -> String {
    p.name.replace('-', "_")
}

fn is_secret(name: &str) -> bool {
    ["SECRET", "PASSWORD", "TOKEN", "KEY"]
        .iter()
        .any(|w| name.contains(w))
}

/// MongoDB (mongoose or the driver) without a SQL database: its URL
/// variable, as the env example names it.
fn mongo_var(p: &Profile) -> Option<String> {
    if p.database != Database::None
        || !(p.has_dependency("mongoose") || p.has_dependency("mongodb"))
    {
        return None;
    }
    Some(
        p.env_vars
            .iter()
            .map(|(n, _)| n.clone())
            .find(|n| n.contains("MONGO"))
            .unwrap_or_else(|| "MONGODB_URI".to_string()),
    )
}

pub fn render(p: &Profile) -> String {
    let mongo = mongo_var(p);
    let services = match (
        p.database != Database::None || mongo.is_some(),
        p.redis.is_some(),
    ) {
        (true, true) => Some("the database and Redis"),
        (true, false) => Some("the database"),
        (false, true) => Some("Redis"),
        (false, false) => None,
    };
    let mut out = String::from(
        "# Generated by `seaworthy fix`: the app and the services it uses, for local\n# development and CI.",
    );
    match services {
        Some(s) => out.push_str(&format!(" In production, run {s} as managed services with\n# backups (the deployment manifests expect their URLs).\n")),
        None => out.push('\n'),
    }
    out.push_str("# Passwords come from the environment (or a .env file next to this one):\n");
    let mut needed: Vec<&str> = Vec::new();
    match p.database {
        Database::Postgres => needed.push("POSTGRES_PASSWORD"),
        Database::Mysql => needed.push("MYSQL_PASSWORD and MYSQL_ROOT_PASSWORD"),
        _ => {}
    }
    if mongo.is_some() {
        needed.push("MONGO_PASSWORD");
    }
    if p.redis.is_some() {
        needed.push("REDIS_PASSWORD");
    }
    if needed.is_empty() {
        out.push_str("#   docker compose up --build\n");
    } else {
        out.push_str(&format!(
            "#   {} docker compose up --build\n",
            needed
                .iter()
                .map(|n| format!("{}=…", n.split(' ').next().unwrap_or(n)))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    out.push_str("services:\n  app:\n");
    let public = p.public_vars();
    let image = format!("{}:local", p.name);
    out.push_str(&format!("    image: {image}\n"));
    if public.is_empty() {
        out.push_str("    build: .\n");
    } else {
        out.push_str("    build:\n      context: .\n      args:\n");
        for v in &public {
            out.push_str(&format!("        {v}: ${{{v}:-}}\n"));
        }
    }
    out.push_str(&format!("    ports:\n      - \"{0}:{0}\"\n", p.port));
    // Compose rejects an empty `environment:` (null): the header goes out
    // only with at least one variable.
    let mut env = String::new();
    let mut set_vars: Vec<String> = Vec::new();
    match &p.db_vars {
        // The app connects with DB_HOST/DB_USER/… (its own names), not a URL.
        Some(set) => {
            let n = db_name(p);
            for (key, var) in set {
                let value = match *key {
                    "host" => "db".to_string(),
                    "port" => "5432".to_string(),
                    "user" => format!("${{POSTGRES_USER:-{n}}}"),
                    "password" => "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}".to_string(),
                    _ => format!("${{POSTGRES_DB:-{n}}}"),
                };
                env.push_str(&format!("      {var}: \"{value}\"\n"));
                set_vars.push(var.clone());
            }
        }
        None => {
            if let Some(url) = database_url(p) {
                env.push_str(&format!("      DATABASE_URL: \"{url}\"\n"));
            }
        }
    }
    if p.redis.is_some() {
        env.push_str(
            "      REDIS_URL: \"redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD}@redis:6379\"\n",
        );
    }
    if let Some(var) = &mongo {
        env.push_str(&format!(
            "      {var}: \"mongodb://${{MONGO_USER:-{n}}}:${{MONGO_PASSWORD:?set MONGO_PASSWORD}}@db:27017/{n}?authSource=admin\"\n",
            n = db_name(p)
        ));
    }
    for v in p.runtime_vars() {
        if v == "DATABASE_URL"
            || v == "REDIS_URL"
            || v == "PORT"
            || v == "HOSTNAME"
            // The image sets it; `${NODE_ENV:-}` would make it empty.
            || v == "NODE_ENV"
            || mongo.as_deref() == Some(v)
            || set_vars.iter().any(|s| s == v)
        {
            continue;
        }
        if is_secret(v) {
            env.push_str(&format!("      {v}: \"${{{v}:?set {v}}}\"\n"));
        } else {
            env.push_str(&format!("      {v}: \"${{{v}:-}}\"\n"));
        }
    }
    if !env.is_empty() {
        out.push_str("    environment:\n");
        out.push_str(&env);
    }
    let django = p.framework == Framework::Django;
    let migrate = (p.prisma.is_some() || django) && p.database != Database::None;
    let migrate_command = if django {
        "[\"python\", \"manage.py\", \"migrate\", \"--noinput\"]".to_string()
    } else {
        let args: Vec<String> = p
            .prisma
            .as_ref()
            .map(|pr| pr.release_args())
            .unwrap_or(&["migrate", "deploy"])
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect();
        format!("[\"node\", \"{PRISMA_CLI}\", {}]", args.join(", "))
    };
    let mut deps: Vec<(&str, &str)> = Vec::new();
    if migrate {
        deps.push(("migrate", "service_completed_successfully"));
    }
    if matches!(p.database, Database::Postgres | Database::Mysql) || mongo.is_some() {
        deps.push(("db", "service_healthy"));
    }
    if p.redis.is_some() {
        deps.push(("redis", "service_healthy"));
    }
    if !deps.is_empty() {
        out.push_str("    depends_on:\n");
        for (name, condition) in &deps {
            out.push_str(&format!("      {name}:\n        condition: {condition}\n"));
        }
    }
    if p.database == Database::Sqlite {
        out.push_str("    volumes:\n      - app-data:/app/data\n");
    }
    if let Some((_, ready)) = &p.health {
        let test = match p.framework {
            Framework::Django => format!(
                "[\"CMD\", \"python\", \"-c\", \"import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:{}{ready}', timeout=4).status == 200 else 1)\"]",
                p.port
            ),
            _ => format!(
                "[\"CMD\", \"node\", \"-e\", \"{}\"]",
                node_probe(ready, &p.port.to_string())
            ),
        };
        // What the probed route really checks: the one this run writes,
        // or the app's own (read, or said to be unread).
        let what = p.ready_phrase();
        out.push_str(&format!(
            "    healthcheck:\n      # Readiness: {what}.\n      test: {test}\n      interval: 10s\n      timeout: 5s\n      retries: 5\n      start_period: 20s\n"
        ));
    }
    out.push_str("    restart: unless-stopped\n");

    if migrate {
        out.push_str(&format!(
            "\n  # {}\n  migrate:\n    image: {image}\n    build: .\n    command: {migrate_command}\n    environment:\n",
            if p.prisma.as_ref().is_some_and(|pr| !pr.migrations) {
                "Creates the tables from the schema (`prisma db push`: the project has no\n  # migrations) before the app starts."
            } else {
                "Applies pending migrations before the app starts."
            }
        ));
        if let Some(url) = database_url(p) {
            out.push_str(&format!("      DATABASE_URL: \"{url}\"\n"));
        }
        if matches!(p.database, Database::Postgres | Database::Mysql) {
            out.push_str("    depends_on:\n      db:\n        condition: service_healthy\n");
        }
        if p.database == Database::Sqlite {
            out.push_str("    volumes:\n      - app-data:/app/data\n");
        }
        out.push_str("    restart: \"no\"\n");
    }

    let mut volumes: Vec<&str> = Vec::new();
    match p.database {
        Database::Postgres => {
            out.push('\n');
            out.push_str(&postgres_service("db", &db_name(p), "postgres-data"));
            volumes.push("postgres-data");
        }
        Database::Mysql => {
            out.push('\n');
            out.push_str(&mysql_service(&db_name(p)));
            volumes.push("mysql-data");
        }
        Database::Sqlite => volumes.push("app-data"),
        Database::None => {}
    }
    if mongo.is_some() {
        out.push_str(&format!(
            "\n  db:\n    image: mongo:8.0\n    environment:\n      MONGO_INITDB_ROOT_USERNAME: \"${{MONGO_USER:-{n}}}\"\n      MONGO_INITDB_ROOT_PASSWORD: \"${{MONGO_PASSWORD:?set MONGO_PASSWORD}}\"\n    volumes:\n      - mongo-data:/data/db\n    healthcheck:\n      test: [\"CMD-SHELL\", \"mongosh --quiet --eval 'db.adminCommand({{ ping: 1 }}).ok' | grep -q 1\"]\n      interval: 5s\n      timeout: 5s\n      retries: 10\n    restart: unless-stopped\n",
            n = db_name(p)
        ));
        volumes.push("mongo-data");
    }
    if p.redis.is_some() {
        out.push('\n');
        out.push_str(&redis_service());
        volumes.push("redis-data");
    }
    if !volumes.is_empty() {
        out.push_str("\nvolumes:\n");
        for v in volumes {
            out.push_str(&format!("  {v}:\n"));
        }
    }
    out
}

/// Appends the app service's `depends_on:` with a condition per service
/// (`("db", "service_healthy")`), nothing when there are none.
pub fn append_depends_on(out: &mut String, deps: &[(&str, &str)]) {
    if deps.is_empty() {
        return;
    }
    out.push_str("    depends_on:\n");
    for (service, condition) in deps {
        out.push_str(&format!(
            "      {service}:\n        condition: {condition}\n"
        ));
    }
}

/// Appends a generated compose file's backing services — the database
/// server of `database`, Redis when `redis` — and the `volumes:` section
/// naming their volumes (`sqlite_volumes` for an app on SQLite). Shared by
/// the Rails and Laravel container fixes, whose compose files end alike.
pub fn append_backing_services(
    out: &mut String,
    database: Database,
    name: &str,
    redis: bool,
    sqlite_volumes: &[&str],
) {
    let mut volumes: Vec<&str> = Vec::new();
    match database {
        Database::Postgres => {
            out.push('\n');
            out.push_str(&postgres_service("db", name, "postgres-data"));
            volumes.push("postgres-data");
        }
        Database::Mysql => {
            out.push('\n');
            out.push_str(&mysql_service(name));
            volumes.push("mysql-data");
        }
        Database::Sqlite => volumes.extend(sqlite_volumes),
        Database::None => {}
    }
    if redis {
        out.push('\n');
        out.push_str(&redis_service());
        volumes.push("redis-data");
    }
    if !volumes.is_empty() {
        out.push_str("\nvolumes:\n");
        for v in volumes {
            out.push_str(&format!("  {v}:\n"));
        }
    }
}
