//! A production image for Rails apps, in the shape Rails 7.1's own
//! generator gives (a build stage with compilers, a slim runtime stage),
//! fitted to the project: its Ruby version (.ruby-version, the Gemfile's
//! `ruby`, Gemfile.lock's RUBY VERSION), its Bundler, its lockfile
//! (deployment mode needs one), its database adapter's client library, its
//! assets (precompiled only when the app has an asset pipeline; Node.js in
//! the build stage only when jsbundling/cssbundling/webpacker/vite build
//! them) and its health routes. Migrations run as a separate step
//! (`db:prepare` in the compose `migrate` service), not in every container's
//! start, so that replicas starting together do not race.

use std::collections::BTreeSet;

use super::profile::{Database, PackageManager, Profile, Version};
use super::Builder;
use crate::facts::rails::DatabaseYml;

pub const PORT: u16 = 3000;
pub const RUNTIME_UID: u32 = 10001;
/// Ruby when the project names none and its Rails version is unknown.
pub const DEFAULT_RUBY: &str = "3.3";

/// The newest Ruby series a Rails version supports, for a project that
/// names no Ruby: a Rails 6.1 app on Ruby 3.3 fails at boot.
fn ruby_for_rails(rails: Option<Version>) -> &'static str {
    match rails.map(|v| (v.major, v.minor)) {
        Some((major, _)) if major < 6 => "2.7",
        Some((6, _)) => "3.0",
        Some((7, 0)) => "3.1",
        Some((7, 1)) => "3.2",
        _ => DEFAULT_RUBY,
    }
}

/// The Rails version: Gemfile.lock's, else the Gemfile's requirement.
fn rails_version(lock: Option<&str>, gemfile: &str) -> Option<Version> {
    let locked = lock.and_then(|l| {
        l.lines().find_map(|line| {
            let rest = line
                .strip_prefix("    rails (")
                .or_else(|| line.strip_prefix("    railties ("))?;
            Version::from_range(rest.trim_end_matches(')'))
        })
    });
    locked.or_else(|| {
        gemfile.lines().find_map(|line| {
            let t = line.trim_start();
            let rest = t
                .strip_prefix("gem \"rails\"")
                .or_else(|| t.strip_prefix("gem 'rails'"))?;
            let range = rest.trim_start_matches(',').trim();
            let quote = range.chars().next()?;
            Version::from_range(
                range[1..]
                    .split(quote)
                    .next()?
                    .trim_start_matches("~>")
                    .trim(),
            )
        })
    })
}
pub const NODE_MAJOR: &str = "22";

/// What Gemfile.lock says: the gems, the Ruby and Bundler that wrote it,
/// the platforms it resolved for.
#[derive(Debug, Default)]
struct Lock {
    gems: BTreeSet<String>,
    ruby: Option<String>,
    bundler: Option<String>,
    platforms: Vec<String>,
}

fn read_lock(text: &str) -> Lock {
    let mut lock = Lock::default();
    let mut section = "";
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            section = line.trim();
            continue;
        }
        match section {
            // `    name (version)`: four spaces are the gems themselves; six
            // are their dependencies.
            "GEM" | "GIT" | "PATH" => {
                if let Some(rest) = line.strip_prefix("    ") {
                    if !rest.starts_with(' ') {
                        if let Some(name) = rest.split_whitespace().next() {
                            lock.gems.insert(name.to_string());
                        }
                    }
                }
            }
            "PLATFORMS" => {
                let p = line.trim();
                if !p.is_empty() {
                    lock.platforms.push(p.to_string());
                }
            }
            "RUBY VERSION" => {
                // `   ruby 3.2.2p53`
                if let Some(v) = line.trim().strip_prefix("ruby ") {
                    let v: String = v
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.')
                        .collect();
                    if !v.is_empty() {
                        lock.ruby = Some(v);
                    }
                }
            }
            "BUNDLED WITH" => {
                let v = line.trim();
                if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    lock.bundler = Some(v.to_string());
                }
            }
            _ => {}
        }
    }
    lock
}

/// The gems a Gemfile names (`gem "name"`), outside comments.
fn gemfile_gems(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| {
            let t = l.trim_start();
            let rest = t.strip_prefix("gem ").or_else(|| t.strip_prefix("gem("))?;
            let rest = rest.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let name = rest[1..].split(quote).next()?;
            Some(name.to_string())
        })
        .collect()
}

/// A Ruby version as an image tag wants it: `3.2.2`, `3.1`; `None` for
/// what is not a version (`ruby-head`, a range the tag cannot express).
fn ruby_tag(raw: &str) -> Option<String> {
    let v = raw.trim().trim_start_matches("ruby-").trim();
    let v = v.trim_start_matches(['~', '>', '=', '<', ' ']);
    let v: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v = v.trim_end_matches('.');
    let parts: Vec<&str> = v.split('.').collect();
    (parts.len() >= 2 && parts.iter().all(|p| !p.is_empty())).then(|| v.to_string())
}

/// The project's Ruby: .ruby-version, else the Gemfile's `ruby "…"`, else
/// Gemfile.lock's RUBY VERSION. Returns the tag and where it came from.
fn ruby_version(p: &Profile, b: &Builder, gemfile: &str, lock: &Lock) -> Option<(String, String)> {
    if let Some(v) = b
        .read(&p.join(".ruby-version"))
        .and_then(|t| t.lines().next().and_then(ruby_tag))
    {
        return Some((v, ".ruby-version".to_string()));
    }
    for line in gemfile.lines() {
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix("ruby ").or_else(|| t.strip_prefix("ruby(")) else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            if let Some(v) = rest[1..].split(quote).next().and_then(ruby_tag) {
                return Some((v, "the Gemfile".to_string()));
            }
        }
    }
    lock.ruby
        .as_deref()
        .and_then(ruby_tag)
        .map(|v| (v, "Gemfile.lock".to_string()))
}

/// Whether a line of Ruby is live code containing `needle` (not a comment).
fn has_code(text: &str, needle: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        !t.starts_with('#') && t.split('#').next().unwrap_or("").contains(needle)
    })
}

/// The database the production environment uses: database.yml's
/// production adapter, else the adapter gems the bundle has.
fn database(p: &Profile, b: &Builder, gems: &BTreeSet<String>) -> Database {
    let adapter = b
        .read(&p.join("config/database.yml"))
        .and_then(|t| DatabaseYml::parse(&t).ok())
        .and_then(|yml| {
            yml.environment("production")
                .and_then(|d| d.adapter.clone())
                .filter(|a| !a.contains("ENV"))
        });
    match adapter.as_deref() {
        Some("postgresql" | "postgis") => return Database::Postgres,
        Some("mysql2" | "trilogy") => return Database::Mysql,
        Some("sqlite3") => return Database::Sqlite,
        _ => {}
    }
    if gems.contains("pg") {
        Database::Postgres
    } else if gems.contains("mysql2") || gems.contains("trilogy") {
        Database::Mysql
    } else if gems.contains("sqlite3") {
        Database::Sqlite
    } else {
        Database::None
    }
}

/// The liveness path the app answers: a health fix of this run, else its
/// own `rails/health#show` route (Rails 7.1+ `/up`).
fn live_path(p: &Profile, b: &Builder) -> Option<String> {
    if let Some((live, _)) = &p.health {
        return Some(live.clone());
    }
    let routes = b.read(&p.join("config/routes.rb"))?;
    routes.lines().find_map(|l| {
        let t = l.trim_start();
        if t.starts_with('#') || !t.contains("rails/health#show") {
            return None;
        }
        let start = t.find(['"', '\''])?;
        let quote = t[start..].chars().next()?;
        let path = t[start + 1..].split(quote).next()?;
        Some(format!("/{}", path.trim_start_matches('/')))
    })
}

/// How the build stage installs the JavaScript packages, by lockfile.
fn js_install(p: &Profile) -> (String, String) {
    match (p.manager, p.lockfile.as_deref()) {
        (PackageManager::Npm, Some(lock)) => (format!("COPY package.json {lock} ./"), "RUN npm ci".to_string()),
        (PackageManager::Npm, None) => (
            "COPY package.json ./".to_string(),
            "# No JavaScript lockfile in the repository: commit one for reproducible builds.\nRUN npm install".to_string(),
        ),
        (PackageManager::Yarn, lock) => (
            format!("COPY package.json {} ./", lock.unwrap_or("yarn.lock")),
            "RUN corepack enable && yarn install --frozen-lockfile".to_string(),
        ),
        (PackageManager::Pnpm, lock) => (
            format!("COPY package.json {} ./", lock.unwrap_or("pnpm-lock.yaml")),
            "RUN corepack enable && pnpm install --frozen-lockfile".to_string(),
        ),
        (PackageManager::Bun, lock) => (
            format!("COPY package.json {} ./", lock.unwrap_or("bun.lock")),
            "RUN npm install -g bun@1 && bun install --frozen-lockfile".to_string(),
        ),
    }
}

pub fn plan_container(p: &Profile, b: &mut Builder) -> Result<(), String> {
    let gemfile = b
        .read(&p.join("Gemfile"))
        .ok_or("no Gemfile in the app folder: seaworthy generates Rails images for Bundler apps")?;
    if !b.exists(&p.join("config/application.rb")) {
        return Err("no config/application.rb in the app folder".to_string());
    }
    let lock_text = b.read(&p.join("Gemfile.lock"));
    let lock = lock_text.as_deref().map(read_lock).unwrap_or_default();
    let mut gems = gemfile_gems(&gemfile);
    gems.extend(lock.gems.iter().cloned());
    if !gems.contains("rails") && !gems.contains("railties") {
        return Err("the Gemfile names no rails gem".to_string());
    }
    let application = b.read(&p.join("config/application.rb")).unwrap_or_default();
    let api_only = has_code(&application, "api_only = true");
    // Before Rails 7.1 the rails gem brings sprockets-rails, loaded by
    // `rails/all` or `sprockets/railtie`; the others add their own task.
    let explicit = [
        "propshaft",
        "webpacker",
        "shakapacker",
        "jsbundling-rails",
        "cssbundling-rails",
        "vite_rails",
    ]
    .iter()
    .any(|g| gems.contains(*g));
    let sprockets_loaded =
        has_code(&application, "rails/all") || has_code(&application, "sprockets/railtie");
    let sprockets = sprockets_loaded
        && (gems.contains("sprockets-rails")
            || gems.contains("sass-rails")
            || (lock_text.is_none() && b.tree.dir_exists(&p.join("app/assets"))));
    let assets = !api_only && (explicit || sprockets);
    let node_builds = [
        "jsbundling-rails",
        "cssbundling-rails",
        "webpacker",
        "shakapacker",
        "vite_rails",
    ]
    .iter()
    .find(|g| gems.contains(**g))
    .copied();
    let node = assets && node_builds.is_some() && b.exists(&p.join("package.json"));
    let database = database(p, b, &gems);
    let redis = gems.contains("redis") || gems.contains("redis-client");
    let (ruby, ruby_from) = match ruby_version(p, b, &gemfile, &lock) {
        Some((v, from)) => (v, Some(from)),
        None => (
            ruby_for_rails(rails_version(lock_text.as_deref(), &gemfile)).to_string(),
            None,
        ),
    };
    let live = live_path(p, b);
    let structure_sql = b.exists(&p.join("db/structure.sql"));
    let vips = gems.contains("ruby-vips") || gems.contains("image_processing");

    // Runtime libraries, and what native gems compile against.
    let mut runtime_pkgs: Vec<&str> = Vec::new();
    let mut build_pkgs: Vec<&str> = vec!["build-essential", "git", "pkg-config", "libyaml-dev"];
    match database {
        Database::Postgres => {
            runtime_pkgs.push(if structure_sql {
                "postgresql-client"
            } else {
                "libpq5"
            });
            build_pkgs.push("libpq-dev");
        }
        Database::Mysql if gems.contains("mysql2") => {
            runtime_pkgs.push(if structure_sql {
                "default-mysql-client"
            } else {
                "libmariadb3"
            });
            build_pkgs.push("default-libmysqlclient-dev");
        }
        Database::Sqlite => {
            runtime_pkgs.push("libsqlite3-0");
            build_pkgs.push("libsqlite3-dev");
        }
        _ => {}
    }
    if vips {
        runtime_pkgs.push("libvips42");
    }
    runtime_pkgs.push("libjemalloc2");

    let mut out = format!(
        "# syntax=docker/dockerfile:1\n# Generated by `seaworthy fix` for a Rails app, served by `rails server`\n# (puma, with config/puma.rb when the app has one).\n# Build: docker build -t {name} .\n# Run:   docker run -p {PORT}:{PORT} -e SECRET_KEY_BASE=… -e DATABASE_URL=… {name}\n\n# Ruby {ruby_note}.\nARG RUBY_VERSION={ruby}\n\nFROM ruby:${{RUBY_VERSION}}-slim AS base\nWORKDIR /rails\n{env_note}ENV RAILS_ENV=production \\\n    BUNDLE_PATH=/usr/local/bundle \\\n    BUNDLE_WITHOUT=development:test \\\n{deployment}    RAILS_LOG_TO_STDOUT=1 \\\n    RAILS_SERVE_STATIC_FILES=1\n# Run-time libraries only. (Debian package versions are not pinned: they\n# change with every point release of the base image.)\n# hadolint ignore=DL3008\nRUN apt-get update -qq \\\n && apt-get install --no-install-recommends -y {runtime} \\\n && rm -rf /var/lib/apt/lists/*\n\n# 1. Gems{assets_title}, with the compilers native gems need; none of it\n#    reaches the runtime image.\nFROM base AS build\n# hadolint ignore=DL3008\nRUN apt-get update -qq \\\n && apt-get install --no-install-recommends -y {build} \\\n && rm -rf /var/lib/apt/lists/*\n",
        name = p.name,
        ruby_note = match &ruby_from {
            Some(from) => format!("as {from} names it"),
            None => "(the project names no version: set the one it is tested with)".to_string(),
        },
        env_note = if lock_text.is_some() {
            "# Production, gems from Gemfile.lock only (deployment mode) and without the\n# development and test groups: set for the install and for Bundler at run\n# time alike.\n"
        } else {
            "# Production, without the development and test groups: set for the install\n# and for Bundler at run time alike.\n"
        },
        deployment = if lock_text.is_some() { "    BUNDLE_DEPLOYMENT=1 \\\n" } else { "" },
        runtime = runtime_pkgs.join(" "),
        build = build_pkgs.join(" "),
        assets_title = if assets { " and assets" } else { "" },
    );
    if node {
        out.push_str(&format!(
            "# Node.js from the official image, for {} (build stage only).\nCOPY --from=node:{NODE_MAJOR}-slim /usr/local/bin/node /usr/local/bin/node\nCOPY --from=node:{NODE_MAJOR}-slim /usr/local/lib/node_modules /usr/local/lib/node_modules\nRUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\\n && ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack\n",
            node_builds.unwrap_or("the asset build")
        ));
    }
    if let Some(bundler) = &lock.bundler {
        out.push_str(&format!(
            "# The Bundler that wrote Gemfile.lock.\nRUN gem install bundler -v {bundler} --no-document\n"
        ));
    }
    if lock_text.is_some() {
        out.push_str("COPY Gemfile Gemfile.lock ./\n");
    } else {
        out.push_str("# No Gemfile.lock in the repository: Bundler resolves versions at build time.\n# Commit Gemfile.lock and set BUNDLE_DEPLOYMENT=1 for reproducible builds.\nCOPY Gemfile ./\n");
    }
    out.push_str("RUN bundle install \\\n && rm -rf ~/.bundle/ \"${BUNDLE_PATH}\"/ruby/*/cache \"${BUNDLE_PATH}\"/ruby/*/bundler/gems/*/.git\n");
    if node {
        let (copy, install) = js_install(p);
        out.push_str(&format!("{copy}\n{install}\n"));
    }
    out.push_str("COPY . .\n");
    if assets {
        out.push_str("# Assets need no database and no real secret: a placeholder key (Rails\n# 7.1+ reads SECRET_KEY_BASE_DUMMY, older versions SECRET_KEY_BASE).\nRUN SECRET_KEY_BASE_DUMMY=1 SECRET_KEY_BASE=precompile-placeholder bundle exec rails assets:precompile\n");
    }
    out.push_str(&format!(
        "\n# Runtime, as a non-root user; the code stays owned by root, only the\n# folders Rails writes belong to it: log, tmp, storage, and db (SQLite
# files, and the schema dump `db:prepare`/`db:migrate` write unless
# dump_schema_after_migration is off).\nFROM base AS runner\n# jemalloc (installed above) for a smaller, steadier Ruby heap; preloaded\n# here only, where the library exists.\nENV LD_PRELOAD=libjemalloc.so.2\nRUN groupadd --system --gid {RUNTIME_UID} rails \\\n && useradd --system --uid {RUNTIME_UID} --gid rails --create-home --shell /bin/bash rails\nCOPY --from=build \"${{BUNDLE_PATH}}\" \"${{BUNDLE_PATH}}\"\nCOPY --from=build /rails /rails\nRUN mkdir -p db log tmp/pids storage \\\n && chown -R {RUNTIME_UID}:{RUNTIME_UID} db log tmp storage\nUSER {RUNTIME_UID}:{RUNTIME_UID}\nEXPOSE {PORT}\n",
    ));
    if let Some(live) = &live {
        out.push_str(&format!(
            "HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n  CMD [\"ruby\", \"-rnet/http\", \"-e\", \"exit Net::HTTP.get_response(URI('http://127.0.0.1:{PORT}{live}')).is_a?(Net::HTTPSuccess)\"]\n"
        ));
    }
    out.push_str(&format!(
        "CMD [\"bundle\", \"exec\", \"rails\", \"server\", \"-b\", \"0.0.0.0\", \"-p\", \"{PORT}\"]\n"
    ));
    b.create(&p.join("Dockerfile"), out, false);
    if !b.exists(&p.join(".dockerignore")) {
        b.create(&p.join(".dockerignore"), dockerignore(database), false);
    }
    // The URL's scheme names the adapter Rails loads.
    let mysql_scheme = if gems.contains("trilogy") && !gems.contains("mysql2") {
        "trilogy"
    } else {
        "mysql2"
    };
    let compose_written = create_compose(p, b, database, mysql_scheme, redis, live.as_deref());

    // What the image assumes, and what the user must do.
    b.assume(format!(
        "ruby:{ruby}-slim{}, `rails server` on port {PORT} as user `rails` (uid {RUNTIME_UID}); {}; {}.",
        if ruby_from.is_none() {
            format!(" (no .ruby-version, Gemfile `ruby` or Gemfile.lock RUBY VERSION: {ruby}, the newest its Rails supports, assumed)")
        } else {
            String::new()
        },
        if assets {
            match node_builds.filter(|_| node) {
                Some(g) => format!("assets precompiled at build time, with Node.js {NODE_MAJOR} for {g}"),
                None => "assets precompiled at build time".to_string(),
            }
        } else if api_only {
            "no asset precompilation (API-only app)".to_string()
        } else {
            "no asset precompilation (no asset pipeline in the bundle)".to_string()
        },
        match database {
            Database::Postgres => "the database from DATABASE_URL (PostgreSQL; Rails merges it over config/database.yml)",
            Database::Mysql => "the database from DATABASE_URL (MySQL; Rails merges it over config/database.yml)",
            Database::Sqlite => "SQLite files in a volume",
            Database::None => "no database",
        }
    ));
    if lock_text.is_none() {
        b.manual("No Gemfile.lock: run `bundle lock`, commit Gemfile.lock and add `BUNDLE_DEPLOYMENT=1` to the Dockerfile's ENV, so that the image installs the versions you tested.");
    } else if !lock.platforms.is_empty()
        && !lock
            .platforms
            .iter()
            .any(|p| p == "ruby" || p.contains("linux"))
    {
        b.manual(format!(
            "Gemfile.lock resolves only for {}: the image builds on Linux, and deployment mode cannot add a platform. Run `bundle lock --add-platform x86_64-linux aarch64-linux` and commit the lockfile.",
            lock.platforms.join(", ")
        ));
    }
    if b.exists(&p.join("config/credentials.yml.enc")) {
        b.manual("The app has encrypted credentials: give the container RAILS_MASTER_KEY (the content of config/master.key, never in the image) if it reads more than secret_key_base from them.");
    }
    if live.is_none() {
        b.manual("No health route is known to seaworthy: add one (`seaworthy fix` adds /healthz and /readyz when missing-health-endpoint is reported) and a HEALTHCHECK to the Dockerfile.");
    }
    if compose_written && database != Database::None && database != Database::Sqlite {
        b.assume("Migrations run once per deployment in the compose `migrate` service (`rails db:prepare`: creates the database and loads the schema on first run, migrates afterwards), not in every container's start.");
    }
    b.next(format!("docker build -t {} .", p.name));
    Ok(())
}

fn dockerignore(database: Database) -> String {
    let mut out = String::from(
        "# Generated by `seaworthy fix`: keep the build context small and secrets out of the image.\n.git\n.bundle\n.env*\n!.env.example\nconfig/master.key\nconfig/credentials/*.key\nlog/*\ntmp/*\nstorage/*\n!storage/.keep\nnode_modules\npublic/assets\npublic/packs\npublic/packs-test\npublic/vite*\ncoverage\n",
    );
    if database == Database::Sqlite {
        out.push_str("db/*.sqlite3\ndb/*.sqlite3-*\n");
    }
    out.push_str("Dockerfile\n.dockerignore\ncompose.yaml\n");
    out
}

/// compose.yaml: the app, a `migrate` service running `db:prepare` once,
/// the database and Redis with healthchecks. `false` when the app already
/// has a compose file.
fn create_compose(
    p: &Profile,
    b: &mut Builder,
    database: Database,
    mysql_scheme: &str,
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
    let mut out = String::from("# Generated by `seaworthy fix`: the app and the services it uses, for local\n# development and CI. In production, run the database");
    if redis {
        out.push_str(" and Redis");
    }
    out.push_str(" as managed services\n# with backups.\n# Secrets come from the environment (or a .env file next to this one):\n#   SECRET_KEY_BASE=… ");
    match database {
        Database::Postgres => out.push_str("POSTGRES_PASSWORD=… "),
        Database::Mysql => out.push_str("MYSQL_PASSWORD=… MYSQL_ROOT_PASSWORD=… "),
        _ => {}
    }
    if redis {
        out.push_str("REDIS_PASSWORD=… ");
    }
    out.push_str("docker compose up --build\n");
    let url = match database {
        Database::Postgres => Some(super::compose::postgres_url("db", &name, false)),
        Database::Mysql => Some(format!(
            "{mysql_scheme}://${{MYSQL_USER:-{name}}}:${{MYSQL_PASSWORD:?set MYSQL_PASSWORD}}@db:3306/${{MYSQL_DATABASE:-{name}}}"
        )),
        Database::Sqlite | Database::None => None,
    };
    let mut env = String::from(
        "      SECRET_KEY_BASE: \"${SECRET_KEY_BASE:?set SECRET_KEY_BASE}\"\n      RAILS_MASTER_KEY: \"${RAILS_MASTER_KEY:-}\"\n",
    );
    if let Some(url) = &url {
        env.push_str(&format!("      DATABASE_URL: \"{url}\"\n"));
    }
    if redis {
        env.push_str(
            "      REDIS_URL: \"redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD}@redis:6379\"\n",
        );
    }
    let sqlite_volumes =
        "    volumes:\n      - app-db:/rails/db\n      - app-storage:/rails/storage\n";
    out.push_str(&format!(
        "services:\n  app:\n    image: {image}\n    build: .\n    ports:\n      - \"{PORT}:{PORT}\"\n    environment:\n{env}"
    ));
    let migrate = database != Database::None;
    let mut deps: Vec<(&str, &str)> = Vec::new();
    if migrate {
        deps.push(("migrate", "service_completed_successfully"));
    }
    if url.is_some() {
        deps.push(("db", "service_healthy"));
    }
    if redis {
        deps.push(("redis", "service_healthy"));
    }
    super::compose::append_depends_on(&mut out, &deps);
    if database == Database::Sqlite {
        out.push_str(sqlite_volumes);
    }
    if let Some(path) = p.health.as_ref().map(|(_, r)| r.as_str()).or(live) {
        out.push_str(&format!(
            "    healthcheck:\n      test: [\"CMD\", \"ruby\", \"-rnet/http\", \"-e\", \"exit Net::HTTP.get_response(URI('http://127.0.0.1:{PORT}{path}')).is_a?(Net::HTTPSuccess)\"]\n      interval: 10s\n      timeout: 5s\n      retries: 5\n      start_period: 30s\n"
        ));
    }
    out.push_str("    restart: unless-stopped\n");
    if migrate {
        out.push_str(&format!(
        "\n  # Creates the database and loads the schema on the first run, applies\n  # pending migrations afterwards; the app starts once it has succeeded.\n  migrate:\n    image: {image}\n    build: .\n    command: [\"bundle\", \"exec\", \"rails\", \"db:prepare\"]\n    environment:\n{env}"
    ));
        if url.is_some() {
            out.push_str("    depends_on:\n      db:\n        condition: service_healthy\n");
        }
        if database == Database::Sqlite {
            out.push_str(sqlite_volumes);
        }
        out.push_str("    restart: \"no\"\n");
    }
    super::compose::append_backing_services(
        &mut out,
        database,
        &name,
        redis,
        &["app-db", "app-storage"],
    );
    b.create(&p.join("compose.yaml"), out, false);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lockfile_sections() {
        let lock = "GEM\n  remote: https://rubygems.org/\n  specs:\n    pg (1.5.4)\n    rails (7.1.3)\n      railties (= 7.1.3)\n\nPLATFORMS\n  arm64-darwin-23\n\nRUBY VERSION\n   ruby 3.2.2p53\n\nBUNDLED WITH\n   2.4.10\n";
        let l = read_lock(lock);
        assert!(l.gems.contains("pg") && l.gems.contains("rails"));
        assert!(
            !l.gems.contains("railties"),
            "six-space lines are dependencies, not resolved gems"
        );
        assert_eq!(l.platforms, vec!["arm64-darwin-23"]);
        assert_eq!(l.ruby.as_deref(), Some("3.2.2"));
        assert_eq!(l.bundler.as_deref(), Some("2.4.10"));
    }

    #[test]
    fn ruby_versions_as_tags() {
        assert_eq!(ruby_tag("ruby-3.2.2\n").as_deref(), Some("3.2.2"));
        assert_eq!(ruby_tag("3.1").as_deref(), Some("3.1"));
        assert_eq!(ruby_tag("~> 3.1.0").as_deref(), Some("3.1.0"));
        assert_eq!(ruby_tag("ruby-head"), None);
        assert_eq!(ruby_tag("3"), None);
    }

    #[test]
    fn gems_of_a_gemfile() {
        let g = gemfile_gems("gem \"rails\", \"~> 7.1\"\n# gem 'redis'\n  gem 'pg'\ngemspec\n");
        assert!(g.contains("rails") && g.contains("pg"));
        assert!(!g.contains("redis"));
    }
}
