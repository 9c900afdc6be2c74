//! A production image for Laravel apps, served by FrankenPHP.
//!
//! Why FrankenPHP (classic mode, `frankenphp php-server`): one process
//! serves HTTP and runs PHP, so the image needs neither nginx beside
//! php-fpm (two processes, or two containers sharing public/) nor
//! `artisan serve` (PHP's single-threaded development server). It needs no
//! package in the app (Octane's worker mode would, and needs code that
//! keeps no state between requests). Its images exist for PHP 8.2 and
//! later: an app whose constraints exclude those is skipped with the
//! reason.
//!
//! Fitted to the project: the PHP version its composer.json and every
//! locked package allow (capped by what its Laravel major supports), the
//! extensions they require plus the database driver and phpredis when the
//! app uses Redis without predis, `composer install --no-dev` from
//! composer.lock in a build stage, the Vite or Mix build in a Node stage
//! when package.json has one, storage/ and bootstrap/cache writable by the
//! non-root user. config:cache, route:cache and view:cache run when the
//! container starts (they freeze the environment they see; at build time
//! there is none); migrations run once in the compose `migrate` service.

use serde_json::Value;

use super::profile::{Database, PackageManager, Profile, Version};
use super::Builder;

pub const PORT: u16 = 8080;
pub const RUNTIME_UID: u32 = 10001;
pub const NODE_MAJOR: &str = "22";
const ENTRYPOINT: &str = "docker/entrypoint.sh";
/// PHP versions FrankenPHP publishes images for, newest first (8.5 is
/// left out until Laravel supports it).
const FRANKENPHP_PHP: &[(u32, u32)] = &[(8, 4), (8, 3), (8, 2)];
/// Extensions the FrankenPHP image (the official PHP image) has built in.
const BUILTIN_EXTENSIONS: &[&str] = &[
    "core",
    "ctype",
    "curl",
    "date",
    "dom",
    "fileinfo",
    "filter",
    "hash",
    "iconv",
    "json",
    "libxml",
    "mbstring",
    "mysqlnd",
    "openssl",
    "pcre",
    "pdo",
    "pdo_sqlite",
    "phar",
    "posix",
    "random",
    "readline",
    "reflection",
    "session",
    "simplexml",
    "sodium",
    "spl",
    "sqlite3",
    "standard",
    "tokenizer",
    "xml",
    "xmlreader",
    "xmlwriter",
    "zlib",
];

/// A version `x.y.z` as three numbers; missing parts are 0.
fn triple(v: &str) -> Option<(u32, u32, u32)> {
    let v = v.trim().trim_start_matches(['v', 'V']);
    let mut parts = v.split('.').map(|p| {
        p.chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    });
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor, patch))
}

/// Whether some PHP `major.minor.x` satisfies one composer constraint
/// (`^8.1`, `>=7.4 <8.3`, `~8.2.0`, `8.1.*`, `^7.3|^8.0`). `None` when the
/// constraint cannot be read (then it is not held against the version).
fn allows(constraint: &str, (major, minor): (u32, u32)) -> Option<bool> {
    let mut any = false;
    for alternative in constraint.split('|').filter(|a| !a.trim().is_empty()) {
        let mut all = true;
        for part in alternative
            .split([' ', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            // The newest patch of the series for lower bounds, the first for
            // upper ones: "some 8.2.x satisfies".
            let high = (major, minor, 999);
            let low = (major, minor, 0);
            let ok = if part == "*" {
                true
            } else if let Some(v) = part.strip_prefix(">=") {
                high >= triple(v)?
            } else if let Some(v) = part.strip_prefix("<=") {
                low <= triple(v)?
            } else if let Some(v) = part.strip_prefix('>') {
                high > triple(v)?
            } else if let Some(v) = part.strip_prefix('<') {
                low < triple(v)?
            } else if let Some(v) = part.strip_prefix("!=") {
                triple(v)?.0 != major || triple(v)?.1 != minor
            } else if let Some(v) = part.strip_prefix('^') {
                let t = triple(v)?;
                let upper = if t.0 > 0 {
                    (t.0 + 1, 0, 0)
                } else {
                    (0, t.1 + 1, 0)
                };
                high >= t && low < upper
            } else if let Some(v) = part.strip_prefix('~') {
                let t = triple(v)?;
                let dots = v.matches('.').count();
                let upper = if dots >= 2 {
                    (t.0, t.1 + 1, 0)
                } else {
                    (t.0 + 1, 0, 0)
                };
                high >= t && low < upper
            } else {
                // `8.1.*`, `8.*`, `8.1`, `=8.1.2`: the series it names.
                let v = part.trim_start_matches('=').trim_end_matches(".*");
                let t = triple(v)?;
                let dots = v.matches('.').count();
                t.0 == major && (dots == 0 || t.1 == minor)
            };
            all &= ok;
        }
        any |= all;
    }
    Some(any)
}

/// The newest PHP series this Laravel major supports: an app is not moved
/// past what its framework was tested on.
fn php_cap(laravel: Option<Version>) -> (u32, u32) {
    match laravel.map(|v| v.major) {
        Some(m) if m <= 9 => (8, 2),
        Some(10) => (8, 3),
        _ => (8, 4),
    }
}

struct Composer {
    json: Value,
    lock: Option<Value>,
}

impl Composer {
    fn package_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .json
            .get("require")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for p in self.locked_packages() {
            if let Some(n) = p.get("name").and_then(Value::as_str) {
                names.push(n.to_string());
            }
        }
        names
    }

    fn locked_packages(&self) -> impl Iterator<Item = &Value> {
        self.lock
            .as_ref()
            .and_then(|l| l.get("packages"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// Every `require` map that applies to a production install, by whose
    /// it is: the project's (composer.json) and each locked (non-dev)
    /// package's.
    fn requirements(&self) -> Vec<(&str, &serde_json::Map<String, Value>)> {
        let mut out: Vec<(&str, &serde_json::Map<String, Value>)> = Vec::new();
        if let Some(r) = self.json.get("require").and_then(Value::as_object) {
            out.push(("composer.json", r));
        }
        for p in self.locked_packages() {
            if let Some(r) = p.get("require").and_then(Value::as_object) {
                out.push((p.get("name").and_then(Value::as_str).unwrap_or("?"), r));
            }
        }
        out
    }

    fn laravel(&self) -> Option<Version> {
        self.locked_packages()
            .find(|p| p.get("name").and_then(Value::as_str) == Some("laravel/framework"))
            .and_then(|p| p.get("version")?.as_str())
            .and_then(|v| Version::from_range(v.trim_start_matches('v')))
            .or_else(|| {
                self.json
                    .get("require")?
                    .get("laravel/framework")?
                    .as_str()?
                    .split('|')
                    .filter_map(|r| Version::from_range(r.trim()))
                    .min()
            })
    }
}

/// The database the app connects to: DB_CONNECTION in its env example,
/// else config/database.php's default.
fn database(p: &Profile, b: &Builder) -> Database {
    let declared = p
        .env_vars
        .iter()
        .find(|(n, _)| n == "DB_CONNECTION")
        .map(|(_, v)| v.clone())
        .or_else(|| {
            let config = b.read(&p.join("config/database.php"))?;
            let at = config.find("env('DB_CONNECTION'")?;
            let rest = &config[at + "env('DB_CONNECTION'".len()..];
            let rest = rest.trim_start().strip_prefix(',')?.trim_start();
            let quote = rest.chars().next()?;
            Some(rest[1..].split(quote).next()?.to_string())
        });
    match declared.as_deref().map(str::trim) {
        Some("pgsql") => Database::Postgres,
        Some("mysql" | "mariadb") => Database::Mysql,
        Some("sqlite") => Database::Sqlite,
        _ => Database::None,
    }
}

/// Whether the env example points a driver at Redis.
fn uses_redis(p: &Profile) -> bool {
    p.env_vars.iter().any(|(n, v)| {
        matches!(
            n.as_str(),
            "CACHE_DRIVER"
                | "CACHE_STORE"
                | "SESSION_DRIVER"
                | "QUEUE_CONNECTION"
                | "BROADCAST_DRIVER"
                | "BROADCAST_CONNECTION"
        ) && v.trim() == "redis"
    })
}

/// The driver settings of the env example the container must get: without
/// a .env file in the image, Laravel falls back to config defaults.
const DRIVER_VARS: &[&str] = &[
    "CACHE_DRIVER",
    "CACHE_STORE",
    "SESSION_DRIVER",
    "QUEUE_CONNECTION",
    "BROADCAST_DRIVER",
    "BROADCAST_CONNECTION",
    "FILESYSTEM_DISK",
    "FILESYSTEM_DRIVER",
    "MAIL_MAILER",
];

/// The liveness path: a health fix of this run, else Laravel 11's
/// `health:` route.
fn live_path(p: &Profile, b: &Builder) -> Option<String> {
    if let Some((live, _)) = &p.health {
        return Some(live.clone());
    }
    let app = b.read(&p.join("bootstrap/app.php"))?;
    let at = app.find("health:")?;
    let rest = app[at + 7..].trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let path = rest[1..].split(quote).next()?;
    Some(format!("/{}", path.trim_start_matches('/')))
}

/// The exec-form probe of `path`: `["php", "-r", …]` (compose prefixes
/// "CMD").
fn php_probe(path: &str) -> String {
    format!("[\"php\", \"-r\", \"exit(@file_get_contents('http://127.0.0.1:{PORT}{path}', false, stream_context_create(['http' => ['timeout' => 4]])) === false ? 1 : 0);\"]")
}

pub fn plan_container(p: &Profile, b: &mut Builder) -> Result<(), String> {
    let json: Value = b
        .read(&p.join("composer.json"))
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or("no readable composer.json in the app folder")?;
    if !b.exists(&p.join("artisan")) || !b.exists(&p.join("public/index.php")) {
        return Err(
            "no artisan or public/index.php: not a Laravel app layout seaworthy can serve"
                .to_string(),
        );
    }
    let lock_text = b.read(&p.join("composer.lock"));
    let composer = Composer {
        json,
        lock: lock_text
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok()),
    };
    let laravel = composer.laravel();
    if let Some(v) = laravel.filter(|v| v.major < 8) {
        return Err(format!(
            "Laravel {v}: the generated image runs PHP 8.2 or later (FrankenPHP), which Laravel before 8 does not support"
        ));
    }
    let cap = php_cap(laravel);
    let php_constraints: Vec<(String, String)> = composer
        .requirements()
        .iter()
        .filter_map(|(who, r)| {
            r.get("php")
                .and_then(Value::as_str)
                .map(|c| (who.to_string(), c.to_string()))
        })
        .collect();
    let platform = composer
        .json
        .get("config")
        .and_then(|c| c.get("platform")?.get("php")?.as_str())
        .and_then(triple);
    let candidates: Vec<(u32, u32)> = FRANKENPHP_PHP
        .iter()
        .copied()
        .filter(|v| *v <= cap)
        .filter(|v| platform.is_none_or(|(ma, mi, _)| *v >= (ma, mi)))
        .collect();
    let refusing = |v: (u32, u32)| {
        php_constraints
            .iter()
            .find(|(_, c)| allows(c, v) == Some(false))
    };
    let php = candidates
        .iter()
        .copied()
        .find(|v| refusing(*v).is_none())
        .ok_or_else(|| {
            let why = candidates
                .last()
                .and_then(|v| refusing(*v))
                .map(|(who, c)| format!("{who} requires php {c}"))
                .unwrap_or_else(|| "its platform setting".to_string());
            format!(
                "no PHP version from 8.2 (where FrankenPHP images start) up to what Laravel supports fits the project ({why}): update that package, or write a php-fpm Dockerfile by hand"
            )
        })?;

    let names = composer.package_names();
    let has_package = |n: &str| names.iter().any(|x| x == n);
    let database = database(p, b);
    let redis = uses_redis(p);
    let phpredis = redis && !has_package("predis/predis");
    let mut extensions: Vec<String> = Vec::new();
    let mut add = |e: &str| {
        let e = e.to_ascii_lowercase();
        if !BUILTIN_EXTENSIONS.contains(&e.as_str()) && !extensions.contains(&e) {
            extensions.push(e);
        }
    };
    match database {
        Database::Postgres => add("pdo_pgsql"),
        Database::Mysql => add("pdo_mysql"),
        _ => {}
    }
    if phpredis {
        add("redis");
    }
    for e in ["opcache", "intl", "zip"] {
        add(e);
    }
    for (_, r) in composer.requirements() {
        for key in r.keys() {
            if let Some(e) = key.strip_prefix("ext-") {
                add(e);
            }
        }
    }
    if has_package("laravel/horizon") || has_package("laravel/octane") {
        add("pcntl");
    }
    extensions.sort();

    // A Vite or Mix build when package.json has one.
    // The app's manifest is composer.json: package.json is read here.
    let package_json: Option<Value> = b
        .read(&p.join("package.json"))
        .and_then(|t| serde_json::from_str(&t).ok());
    let assets = package_json.as_ref().and_then(|pkg| {
        let has = |d: &str| {
            ["dependencies", "devDependencies"]
                .iter()
                .any(|s| pkg.get(s).and_then(|m| m.get(d)).is_some())
        };
        let script = |s: &str| pkg.get("scripts").and_then(|m| m.get(s)).is_some();
        if has("vite") || has("laravel-vite-plugin") {
            script("build").then_some(("Vite", "build"))
        } else if has("laravel-mix") {
            if script("production") {
                Some(("Laravel Mix", "production"))
            } else {
                script("build").then_some(("Laravel Mix", "build"))
            }
        } else {
            None
        }
    });
    let live = live_path(p, b);

    let mut out = format!(
        "# syntax=docker/dockerfile:1\n# Generated by `seaworthy fix` for a Laravel app, served by FrankenPHP\n# (Caddy with PHP built in: one process, no nginx or php-fpm beside it).\n# Build: docker build -t {name} .\n# Run:   docker run -p {PORT}:{PORT} -e APP_KEY=base64:… -e DB_HOST=… {name}\n\n# PHP {ma}.{mi}: the newest that {allowed_by}{cap_note}.\nARG PHP_VERSION={ma}.{mi}\n\nFROM dunglas/frankenphp:1-php${{PHP_VERSION}} AS base\nWORKDIR /app\nRUN install-php-extensions {ext} \\\n && cp \"$PHP_INI_DIR/php.ini-production\" \"$PHP_INI_DIR/php.ini\"\n\n# 1. PHP packages without the development ones, from composer.json and\n#    composer.lock first (cached until they change), then the autoloader\n#    for the code, optimized; its scripts run package discovery.\nFROM base AS vendor\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/composer\n",
        name = p.name,
        ma = php.0,
        mi = php.1,
        ext = extensions.join(" "),
        allowed_by = if composer.lock.is_some() { "composer.json and every locked package allow" } else { "composer.json allows" },
        cap_note = match laravel {
            Some(v) => format!(", up to what Laravel {}.x supports", v.major),
            None => String::new(),
        },
    );
    if lock_text.is_some() {
        out.push_str("COPY composer.json composer.lock ./\n");
    } else {
        out.push_str("# No composer.lock in the repository: Composer resolves versions at build\n# time. Commit composer.lock for reproducible builds.\nCOPY composer.json ./\n");
    }
    out.push_str("RUN composer install --no-dev --no-interaction --no-progress --prefer-dist --no-scripts --no-autoloader\nCOPY . .\nRUN composer dump-autoload --no-dev --optimize --no-interaction\n");
    if let Some((tool, script)) = assets {
        let (copy, install) = match (p.manager, p.lockfile.as_deref()) {
            (PackageManager::Npm, Some(lock)) => (format!("COPY package.json {lock} ./"), "RUN npm ci".to_string()),
            (PackageManager::Npm, None) => ("COPY package.json ./".to_string(), "# No JavaScript lockfile in the repository: commit one for reproducible builds.\nRUN npm install".to_string()),
            (PackageManager::Yarn, lock) => (format!("COPY package.json {} ./", lock.unwrap_or("yarn.lock")), "RUN corepack enable && yarn install --frozen-lockfile".to_string()),
            (PackageManager::Pnpm, lock) => (format!("COPY package.json {} ./", lock.unwrap_or("pnpm-lock.yaml")), "RUN corepack enable && pnpm install --frozen-lockfile".to_string()),
            (PackageManager::Bun, lock) => (format!("COPY package.json {} ./", lock.unwrap_or("bun.lock")), "RUN npm install -g bun@1 && bun install --frozen-lockfile".to_string()),
        };
        let run = match p.manager {
            PackageManager::Npm => format!("npm run {script}"),
            PackageManager::Yarn => format!("yarn {script}"),
            PackageManager::Pnpm => format!("pnpm run {script}"),
            PackageManager::Bun => format!("bun run {script}"),
        };
        out.push_str(&format!(
            "\n# 2. Front-end assets ({tool}) into public/; vendor/ is there for the\n#    packages whose styles or scripts the build imports from it.\nFROM node:{NODE_MAJOR}-slim AS assets\nWORKDIR /app\n{copy}\n{install}\nCOPY . .\nCOPY --from=vendor /app/vendor ./vendor\nRUN {run}\n"
        ));
    }
    out.push_str(
        "\n# Runtime, as a non-root user on an unprivileged port. The code stays\n# owned by root; storage/ and bootstrap/cache (and Caddy's state) belong to\n# the user. The binary's capability to bind ports below 1024 is dropped, so\n# it also starts where every capability is (Kubernetes `drop: [ALL]`).\nFROM base AS runner\nENV APP_ENV=production \\\n    APP_DEBUG=false \\\n    LOG_CHANNEL=stderr\nCOPY --from=vendor /app /app\n"
    );
    if assets.is_some() {
        out.push_str("COPY --from=assets /app/public /app/public\n");
    }
    let sqlite_dir = if database == Database::Sqlite {
        " storage/database"
    } else {
        ""
    };
    out.push_str(&format!(
        "RUN groupadd --system --gid {RUNTIME_UID} app \\\n && useradd --system --uid {RUNTIME_UID} --gid app --no-create-home app \\\n && mkdir -p storage/app/public storage/framework/cache/data storage/framework/sessions storage/framework/views storage/logs bootstrap/cache{sqlite_dir} \\\n && chown -R {RUNTIME_UID}:{RUNTIME_UID} storage bootstrap/cache /data/caddy /config/caddy \\\n && setcap -r /usr/local/bin/frankenphp\nUSER {RUNTIME_UID}:{RUNTIME_UID}\nEXPOSE {PORT}\n"
    ));
    if let Some(live) = &live {
        out.push_str(&format!(
            "HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\\n  CMD {}\n",
            php_probe(live)
        ));
    }
    out.push_str(&format!(
        "# Caches configuration, routes and views from the container's environment,\n# then serves public/.\nENTRYPOINT [\"sh\", \"/app/{ENTRYPOINT}\"]\nCMD [\"frankenphp\", \"php-server\", \"--listen\", \":{PORT}\", \"--root\", \"public/\"]\n"
    ));
    b.create(&p.join("Dockerfile"), out, false);
    b.create(&p.join(ENTRYPOINT), entrypoint(), true);
    if !b.exists(&p.join(".dockerignore")) {
        b.create(&p.join(".dockerignore"), dockerignore(), false);
    }
    let compose = create_compose(p, b, database, redis, live.as_deref());

    b.assume(format!(
        "dunglas/frankenphp:1-php{}.{} with {}; `frankenphp php-server` on port {PORT} as user `app` (uid {RUNTIME_UID}); {}; config, routes and views cached at start by {ENTRYPOINT} (a cache that cannot be built is skipped with a warning).",
        php.0,
        php.1,
        extensions.join(", "),
        match assets {
            Some((tool, script)) => format!("assets built by {tool} (`{script}` script) in a Node.js {NODE_MAJOR} stage"),
            None => "no asset build (package.json has no Vite or Mix build)".to_string(),
        }
    ));
    if lock_text.is_none() {
        b.manual("No composer.lock: run `composer update --no-dev` once (or `composer install`), commit composer.lock, so that the image installs the versions you tested.");
    }
    if live.is_none() {
        b.manual("No health route is known to seaworthy: add one (`seaworthy fix` adds /healthz and /readyz when missing-health-endpoint is reported) and a HEALTHCHECK to the Dockerfile.");
    }
    if compose && database != Database::None {
        b.assume("Migrations run once per deployment in the compose `migrate` service (`php artisan migrate --force`), not in every container's start.");
    }
    b.next(format!("docker build -t {} .", p.name));
    Ok(())
}

fn entrypoint() -> String {
    "#!/bin/sh\n# Generated by `seaworthy fix`: caches Laravel's configuration, routes and\n# views when the container starts, from the environment it runs with (at\n# build time there is none, and config:cache would freeze empty settings).\n# A cache that cannot be built (a closure in a config file, two routes with\n# one name) is skipped with a warning: the app works without it, slower.\nset -eu\n\nfor cache in config:cache route:cache view:cache; do\n  if ! php artisan \"$cache\" --no-interaction; then\n    echo \"entrypoint: php artisan $cache failed; continuing without that cache\" >&2\n  fi\ndone\n\nexec \"$@\"\n".to_string()
}

fn dockerignore() -> String {
    "# Generated by `seaworthy fix`: keep the build context small, secrets and\n# local caches out of the image.\n.git\n.env\n.env.*\n!.env.example\nvendor\nnode_modules\npublic/build\npublic/hot\npublic/storage\nbootstrap/cache/*.php\nstorage/*.key\nstorage/logs/*\nstorage/framework/cache/*\nstorage/framework/sessions/*\nstorage/framework/views/*\ndatabase/*.sqlite\nDockerfile\n.dockerignore\ncompose.yaml\n".to_string()
}

fn create_compose(
    p: &Profile,
    b: &mut Builder,
    database: Database,
    redis: bool,
    live: Option<&str>,
) -> bool {
    if super::compose::COMPOSE_FILES
        .iter()
        .any(|f| b.exists(&p.join(f)))
    {
        return false;
    }
    let name = super::compose::db_name(p);
    let image = format!("{}:local", p.name);
    let mut out = String::from("# Generated by `seaworthy fix`: the app and the services it uses, for local\n# development and CI.");
    match (
        database != Database::None && database != Database::Sqlite,
        redis,
    ) {
        (true, true) => out.push_str(
            " In production, run the database and Redis as managed\n# services with backups.",
        ),
        (true, false) => {
            out.push_str(" In production, run the database as a managed service\n# with backups.")
        }
        (false, true) => out.push_str(" In production, run Redis as a managed service."),
        (false, false) => {}
    }
    out.push_str("\n# Secrets come from the environment (or a .env file next to this one):\n#   APP_KEY=base64:… ");
    match database {
        Database::Postgres => out.push_str("POSTGRES_PASSWORD=… "),
        Database::Mysql => out.push_str("MYSQL_PASSWORD=… MYSQL_ROOT_PASSWORD=… "),
        _ => {}
    }
    if redis {
        out.push_str("REDIS_PASSWORD=… ");
    }
    out.push_str(
        "docker compose up --build\n#   (`php artisan key:generate --show` prints a key)\n",
    );
    let mut env = String::from("      APP_KEY: \"${APP_KEY:?set APP_KEY}\"\n");
    if p.env_vars.iter().any(|(n, _)| n == "APP_URL") {
        env.push_str(&format!(
            "      APP_URL: \"${{APP_URL:-http://localhost:{PORT}}}\"\n"
        ));
    }
    match database {
        Database::Postgres => env.push_str(&format!(
            "      DB_CONNECTION: pgsql\n      DB_HOST: db\n      DB_PORT: \"5432\"\n      DB_DATABASE: \"${{POSTGRES_DB:-{name}}}\"\n      DB_USERNAME: \"${{POSTGRES_USER:-{name}}}\"\n      DB_PASSWORD: \"${{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}}\"\n"
        )),
        Database::Mysql => env.push_str(&format!(
            "      DB_CONNECTION: mysql\n      DB_HOST: db\n      DB_PORT: \"3306\"\n      DB_DATABASE: \"${{MYSQL_DATABASE:-{name}}}\"\n      DB_USERNAME: \"${{MYSQL_USER:-{name}}}\"\n      DB_PASSWORD: \"${{MYSQL_PASSWORD:?set MYSQL_PASSWORD}}\"\n"
        )),
        Database::Sqlite => env.push_str(
            "      DB_CONNECTION: sqlite\n      DB_DATABASE: /app/storage/database/database.sqlite\n",
        ),
        Database::None => {}
    }
    if redis {
        env.push_str("      REDIS_HOST: redis\n      REDIS_PORT: \"6379\"\n      REDIS_PASSWORD: \"${REDIS_PASSWORD:?set REDIS_PASSWORD}\"\n");
    }
    for var in DRIVER_VARS {
        if let Some((_, value)) = p.env_vars.iter().find(|(n, _)| n == var) {
            let value = value.trim();
            if !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                env.push_str(&format!("      {var}: \"${{{var}:-{value}}}\"\n"));
            }
        }
    }
    let migrate = database != Database::None;
    let sqlite_volume = "    volumes:\n      - app-database:/app/storage/database\n";
    out.push_str(&format!(
        "services:\n  app:\n    image: {image}\n    build: .\n    ports:\n      - \"{PORT}:{PORT}\"\n    environment:\n{env}"
    ));
    let mut deps: Vec<(&str, &str)> = Vec::new();
    if migrate {
        deps.push(("migrate", "service_completed_successfully"));
    }
    if matches!(database, Database::Postgres | Database::Mysql) {
        deps.push(("db", "service_healthy"));
    }
    if redis {
        deps.push(("redis", "service_healthy"));
    }
    super::compose::append_depends_on(&mut out, &deps);
    if database == Database::Sqlite {
        out.push_str(sqlite_volume);
    }
    if let Some(path) = p.health.as_ref().map(|(_, r)| r.as_str()).or(live) {
        out.push_str(&format!(
            "    healthcheck:\n      test: [\"CMD\", {}\n      interval: 10s\n      timeout: 5s\n      retries: 5\n      start_period: 20s\n",
            php_probe(path).trim_start_matches('[')
        ));
    }
    out.push_str("    restart: unless-stopped\n");
    if migrate {
        let command = if database == Database::Sqlite {
            "[\"sh\", \"-c\", \"touch /app/storage/database/database.sqlite && php artisan migrate --force\"]"
        } else {
            "[\"php\", \"artisan\", \"migrate\", \"--force\"]"
        };
        out.push_str(&format!(
            "\n  # Applies pending migrations once; the app starts after it has succeeded.\n  migrate:\n    image: {image}\n    build: .\n    command: {command}\n    environment:\n{env}"
        ));
        if matches!(database, Database::Postgres | Database::Mysql) {
            out.push_str("    depends_on:\n      db:\n        condition: service_healthy\n");
        }
        if database == Database::Sqlite {
            out.push_str(sqlite_volume);
        }
        out.push_str("    restart: \"no\"\n");
    }
    super::compose::append_backing_services(&mut out, database, &name, redis, &["app-database"]);
    b.create(&p.join("compose.yaml"), out, false);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composer_constraints() {
        assert_eq!(allows("^7.3|^8.0", (8, 4)), Some(true));
        assert_eq!(allows("^8.1", (8, 2)), Some(true));
        assert_eq!(allows("~8.1.0", (8, 2)), Some(false));
        assert_eq!(allows(">=7.4 <8.3", (8, 3)), Some(false));
        assert_eq!(allows(">=7.4 <8.3", (8, 2)), Some(true));
        assert_eq!(allows("8.1.*", (8, 2)), Some(false));
        assert_eq!(allows("^7.2 || ^8.0", (8, 2)), Some(true));
        assert_eq!(allows("^7.4", (8, 2)), Some(false));
        assert_eq!(allows(">=8.2.5", (8, 2)), Some(true));
        assert_eq!(allows("dev-main", (8, 2)), None);
    }

    #[test]
    fn laravel_caps_the_php_series() {
        assert_eq!(
            php_cap(Some(Version {
                major: 8,
                minor: 83
            })),
            (8, 2)
        );
        assert_eq!(
            php_cap(Some(Version {
                major: 10,
                minor: 0
            })),
            (8, 3)
        );
        assert_eq!(
            php_cap(Some(Version {
                major: 11,
                minor: 9
            })),
            (8, 4)
        );
    }
}
