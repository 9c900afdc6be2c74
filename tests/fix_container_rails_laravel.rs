//! missing-container-config for Rails and Laravel (issue 15, "fit the
//! project"): a production Dockerfile, .dockerignore and compose file
//! fitted to each fixture, one per defect class:
//!
//! - rails-api: API-only (no asset precompilation), no Gemfile.lock (no
//!   deployment mode, said as a step by hand), no Ruby version named (the
//!   newest its Rails 6.1 supports), PostgreSQL and Redis;
//! - rails-assets: Rails 7.0 with sprockets, jsbundling and cssbundling
//!   (Node.js and yarn in the build stage, assets:precompile with a
//!   placeholder key), .ruby-version absent but `ruby "3.1.4"` in the
//!   Gemfile, a lockfile resolved only for macOS (the add-platform step),
//!   MySQL from database.yml, libvips for image_processing;
//! - laravel-app: Laravel 8, no composer.lock, PostgreSQL and a Redis cache;
//! - laravel-vite: Laravel 10 with composer.lock (PHP from every locked
//!   package's constraint, ext-bcmath from one of them), a Vite build, MySQL.
//!
//! Each: the fix removes the finding, the compose file passes the Compose
//! schema, a second run changes nothing; under SEAWORTHY_E2E, hadolint at
//! its default threshold and shellcheck on the entrypoint.

use std::path::Path;
use std::process::Command;

mod common;
use common::validate;
use common::{copy_of, e2e, require_tool, seaworthy_on as seaworthy};

const FIX: &[&str] = &["fix", "--allow-no-vcs"];

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Fixes the fixture, checks what every generated set must pass, and
/// returns the fix's report with the root.
fn fixed(fixture: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let (dir, root) = copy_of(&format!("tests/fix_fixtures/{fixture}"));
    let (code, out, err) = seaworthy(&root, FIX);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("gone: missing-container-config"),
        "the re-check no longer reports it:\n{out}"
    );
    assert_eq!(
        validate::compose(&root.join("compose.yaml")),
        Vec::<String>::new(),
        "Compose schema"
    );
    let (code, again, _) = seaworthy(&root, FIX);
    assert_eq!(code, 0);
    assert!(again.starts_with("nothing to fix"), "second run:\n{again}");
    if e2e(&format!(
        "{fixture}: hadolint (default threshold), shellcheck"
    )) {
        require_tool("hadolint");
        let lint = Command::new("hadolint")
            .arg("--no-color")
            .arg(root.join("Dockerfile"))
            .output()
            .expect("hadolint");
        assert!(
            lint.status.success(),
            "hadolint (default threshold):\n{}",
            String::from_utf8_lossy(&lint.stdout)
        );
        if root.join("docker/entrypoint.sh").exists() {
            require_tool("shellcheck");
            assert_eq!(
                validate::shellcheck(&root.join("docker/entrypoint.sh")),
                Vec::<String>::new()
            );
        }
    }
    (dir, root, out)
}

#[test]
fn a_rails_api_without_a_lockfile() {
    let (_dir, root, out) = fixed("rails-api");
    let docker = read(&root, "Dockerfile");
    assert!(
        docker.contains("ARG RUBY_VERSION=3.0\n"),
        "Rails 6.1's newest Ruby:\n{docker}"
    );
    assert!(!docker.contains("assets:precompile"), "API-only:\n{docker}");
    assert!(
        !docker.contains("    BUNDLE_DEPLOYMENT=1 \\\n"),
        "no lockfile to deploy from:\n{docker}"
    );
    assert!(
        docker.contains("BUNDLE_WITHOUT=development:test"),
        "{docker}"
    );
    assert!(docker.contains("COPY Gemfile ./\n"), "{docker}");
    assert!(
        docker.contains("libpq5") && docker.contains("libpq-dev"),
        "{docker}"
    );
    assert!(!docker.contains("node"), "no Node.js for an API:\n{docker}");
    assert!(docker.contains("USER 10001:10001"), "{docker}");
    assert!(
        docker.contains("docker build -t ledger ."),
        "named after `module Ledger`, not the folder it is checked out in (`shop`):\n{docker}"
    );
    assert!(
        docker.contains("URI('http://127.0.0.1:3000/healthz')"),
        "the liveness route the health fix added:\n{docker}"
    );
    assert!(out.contains("No Gemfile.lock: run `bundle lock`"), "{out}");
    let compose = read(&root, "compose.yaml");
    assert!(
        compose.contains("command: [\"bundle\", \"exec\", \"rails\", \"db:prepare\"]"),
        "{compose}"
    );
    assert!(
        compose.contains("condition: service_completed_successfully"),
        "{compose}"
    );
    assert!(
        compose.contains("URI('http://127.0.0.1:3000/readyz')"),
        "{compose}"
    );
    assert!(
        compose.contains("REDIS_URL:") && compose.contains("image: postgres:17"),
        "{compose}"
    );
    let ignore = read(&root, ".dockerignore");
    assert!(
        ignore.contains("config/master.key") && ignore.contains(".env*"),
        "{ignore}"
    );
}

#[test]
fn rails_with_jsbundling_and_a_macos_lockfile() {
    let (_dir, root, out) = fixed("rails-assets");
    let docker = read(&root, "Dockerfile");
    assert!(
        docker.contains("ARG RUBY_VERSION=3.1.4\n"),
        "the Gemfile's ruby:\n{docker}"
    );
    assert!(docker.contains("BUNDLE_DEPLOYMENT=1"), "{docker}");
    assert!(docker.contains("gem install bundler -v 2.4.19"), "{docker}");
    assert!(docker.contains("COPY Gemfile Gemfile.lock ./"), "{docker}");
    let node = docker
        .find("COPY --from=node:22-slim")
        .expect("Node.js in the build stage");
    let runner = docker.find("AS runner").expect("runner");
    assert!(node < runner, "Node.js only in the build stage:\n{docker}");
    assert!(
        docker.contains("yarn install --frozen-lockfile"),
        "{docker}"
    );
    assert!(
        docker.contains("SECRET_KEY_BASE_DUMMY=1 SECRET_KEY_BASE=precompile-placeholder bundle exec rails assets:precompile"),
        "{docker}"
    );
    assert!(
        docker.contains("libmariadb3") && docker.contains("default-libmysqlclient-dev"),
        "{docker}"
    );
    assert!(docker.contains("libvips42"), "image_processing:\n{docker}");
    assert!(
        out.contains("bundle lock --add-platform x86_64-linux aarch64-linux"),
        "{out}"
    );
    let compose = read(&root, "compose.yaml");
    assert!(
        compose.contains("mysql2://") && compose.contains("image: mysql:8.4"),
        "{compose}"
    );
    assert!(
        !compose.contains("redis"),
        "no Redis in the bundle:\n{compose}"
    );
}

#[test]
fn laravel_8_without_a_lockfile() {
    let (_dir, root, out) = fixed("laravel-app");
    let docker = read(&root, "Dockerfile");
    assert!(
        docker.contains("FROM dunglas/frankenphp:1-php${PHP_VERSION} AS base")
            && docker.contains("ARG PHP_VERSION=8.2\n"),
        "Laravel 8 on the oldest FrankenPHP series:\n{docker}"
    );
    assert!(
        docker.contains("install-php-extensions intl opcache pdo_pgsql redis zip"),
        "{docker}"
    );
    assert!(docker.contains("composer install --no-dev"), "{docker}");
    assert!(
        docker.contains("composer dump-autoload --no-dev --optimize"),
        "{docker}"
    );
    assert!(
        !docker.contains("AS assets"),
        "no front-end build:\n{docker}"
    );
    assert!(
        docker.contains("chown -R 10001:10001 storage bootstrap/cache"),
        "{docker}"
    );
    assert!(
        !docker.contains("config:cache"),
        "not at build time:\n{docker}"
    );
    let entry = read(&root, "docker/entrypoint.sh");
    assert!(
        entry.contains("config:cache route:cache view:cache") && entry.contains("exec \"$@\""),
        "{entry}"
    );
    assert!(out.contains("No composer.lock"), "{out}");
    let compose = read(&root, "compose.yaml");
    assert!(
        compose.contains("DB_CONNECTION: pgsql")
            && compose.contains("CACHE_DRIVER: \"${CACHE_DRIVER:-redis}\""),
        "{compose}"
    );
    assert!(
        compose.contains("[\"php\", \"artisan\", \"migrate\", \"--force\"]"),
        "{compose}"
    );
    let ignore = read(&root, ".dockerignore");
    assert!(
        ignore.contains("bootstrap/cache/*.php") && ignore.contains("vendor"),
        "{ignore}"
    );
}

#[test]
fn laravel_10_with_vite_and_a_lockfile() {
    let (_dir, root, _out) = fixed("laravel-vite");
    let docker = read(&root, "Dockerfile");
    assert!(
        docker.contains("ARG PHP_VERSION=8.3\n"),
        "Laravel 10's newest PHP:\n{docker}"
    );
    assert!(
        docker.contains("bcmath") && docker.contains("pdo_mysql"),
        "a locked package's ext-bcmath, MySQL:\n{docker}"
    );
    assert!(
        !docker.contains("xdebug"),
        "a dev package's extension:\n{docker}"
    );
    assert!(
        docker.contains("COPY composer.json composer.lock ./"),
        "{docker}"
    );
    assert!(
        docker.contains("FROM node:22-slim AS assets")
            && docker.contains("RUN npm ci")
            && docker.contains("RUN npm run build"),
        "{docker}"
    );
    assert!(
        docker.contains("COPY --from=assets /app/public /app/public"),
        "{docker}"
    );
    let compose = read(&root, "compose.yaml");
    assert!(
        compose.contains("DB_CONNECTION: mysql") && compose.contains("REDIS_HOST: redis"),
        "{compose}"
    );
}
