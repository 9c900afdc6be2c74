#!/usr/bin/env bash
# Runs `seaworthy fix` on a copy of a real Next.js, Express or Django
# checkout and checks that the fix fits: install, type-check and build
# before and after, start the app with PostgreSQL/Redis where it uses them,
# probe the health routes, run fix a second time. It fetches no project
# itself: give it a checkout.
#
#   eval/fix/harness.sh [options] CHECKOUT
#
# Options:
#   --seaworthy BIN   the binary (default: target/release, else target/debug)
#   --fix-args ARGS   extra arguments for `seaworthy fix` (one string)
#   --keep            keep the work folder (printed at the end)
#   --no-before       skip the build before the fix (faster; "before" = SKIP)
#   --app-dir DIR     the app's folder inside the checkout (default: the root)
#   --env "K=V …"     variables the app needs to start (its own names for the
#                     database: @PGPORT@ becomes the private PostgreSQL's port,
#                     @PORT@ the port the app must listen on)
#   --db NAME         the database the harness creates (default: app), for
#                     apps whose configuration names its own
#   --start CMD       how the app starts (default: by its kind: `npm start`,
#                     the standalone server, …), e.g. "ts-node src/index.ts"
#   --unfrozen        install without freezing the lockfile (for a project
#                     whose committed lockfile is already out of date)
#   --pg              the app uses PostgreSQL through a driver it does not
#                     declare (TypeORM with pg from the lockfile)
#   --pg-port PORT    the private PostgreSQL's port (default: a free one), for
#                     apps whose configuration hard-codes 5432
#   --relax FILE:SED  a sed expression applied to FILE of the copy before
#                     anything runs (repeatable), for a Rails or Laravel app
#                     booted on Debian's framework packages: `Gemfile:/web-console/d`,
#                     `config/application.rb:s/load_defaults 7.0/load_defaults 6.1/`;
#                     committed apart from the fix and listed in the output
#
# Every step prints one line: `RESULT <step> PASS|FAIL|SKIP <detail>`; the
# logs of each step are in the work folder. Exit status: 0 when no step
# failed, 1 otherwise. Needs node, npm (corepack for pnpm/yarn), git, curl;
# PostgreSQL binaries (initdb, pg_ctl) and redis-server for apps that use
# them (`apt-get install -y postgresql redis-server`). Run as root, the
# PostgreSQL server runs as the `postgres` user.
# shellcheck disable=SC2317,SC2015,SC2012 # functions run through `step`; `result` never fails
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seaworthy=""
fix_args=""
keep=0
before=1
app_dir=.
app_env=""
db_name=app
pg_port_opt=""
force_pg=0
start_cmd=""
unfrozen=0
deps_unreachable=""
relax=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seaworthy) seaworthy=$2; shift 2 ;;
    --fix-args) fix_args=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-before) before=0; shift ;;
    --app-dir) app_dir=$2; shift 2 ;;
    --env) app_env=$2; shift 2 ;;
    --db) db_name=$2; shift 2 ;;
    --pg-port) pg_port_opt=$2; shift 2 ;;
    --pg) force_pg=1; shift ;;
    --start) start_cmd=$2; shift 2 ;;
    --unfrozen) unfrozen=1; shift ;;
    --relax) relax+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: $0 [options] CHECKOUT" >&2; exit 2; }
src=$(cd "$1" && pwd) || exit 2
if [ -z "$seaworthy" ]; then
  for b in "$repo/target/release/seaworthy" "$repo/target/debug/seaworthy"; do
    [ -x "$b" ] && { seaworthy=$b; break; }
  done
fi
[ -x "$seaworthy" ] || { echo "no seaworthy binary (cargo build --release)" >&2; exit 2; }

work=$(mktemp -d /tmp/fix-harness.XXXXXX)
app="$work/app"
logs="$work/logs"
mkdir -p "$logs"
failed=0
pg_pid_dir=""
redis_port=""
server_pid=""

result() { # step status detail
  printf 'RESULT %-14s %-4s %s\n' "$1" "$2" "${3:-}"
  [ "$2" = FAIL ] && failed=1
  return 0
}

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$pg_pid_dir" ] && runuser -u postgres -- pg_ctl -D "$pg_pid_dir" -m immediate stop >/dev/null 2>&1
  [ -n "$redis_port" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1
  if [ "$keep" = 1 ]; then echo "work folder: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM

free_port() { # a TCP port nothing listens on
  local p
  for _ in $(seq 50); do
    p=$(( (RANDOM % 20000) + 30000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo 39999
}

# --- copy, version control --------------------------------------------------
tar -C "$src" --exclude=./node_modules --exclude=./.next -cf - . | (mkdir -p "$app" && tar -C "$app" -xf -)
cd "$app" || exit 2
# Yarn 1 fetches what its lockfile resolved, from registry.yarnpkg.com; the
# same tarballs (same integrity hashes) are on the npm registry, which is the
# one registry this machine reaches.
[ -f yarn.lock ] && sed -i 's#https://registry.yarnpkg.com/#https://registry.npmjs.org/#g' yarn.lock
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git init -q && git add -A && git -c user.email=h@example.com -c user.name=harness commit -qm "checkout" --no-verify
fi
# Build output and dependencies stay out of the commits (and out of the audit).
printf 'node_modules/\n.next/\n*.tsbuildinfo\n__pycache__/\n/vendor/autoload.php\n' >>.git/info/exclude
commit_all() { git add -A && git -c user.email=h@example.com -c user.name=harness commit -qm "$1" --no-verify >/dev/null 2>&1; }

# --- what the app is ----------------------------------------------------------
root_dir=$app
cd "$app_dir" || { echo "no folder $app_dir in the checkout" >&2; exit 2; }
kind=next
if [ -f manage.py ]; then kind=django
elif [ -f package.json ] && ! grep -q '"next"' package.json && grep -q '"express"' package.json; then kind=express
elif [ -f config/application.rb ] && [ -f Gemfile ]; then kind=rails
elif [ -f artisan ] && [ -f composer.json ]; then kind=laravel
fi
pm=npm
[ -f package-lock.json ] || [ -f npm-shrinkwrap.json ] && pm=npm
[ -f yarn.lock ] && pm=yarn
[ -f pnpm-lock.yaml ] && pm=pnpm
{ [ -f bun.lock ] || [ -f bun.lockb ]; } && pm=bun
has_dep() { [ -f package.json ] || return 1; node -e 'const p=require("./package.json");process.exit(({...p.dependencies,...p.devDependencies})[process.argv[1]]?0:1)' "$1"; }
config_file=""
for f in next.config.js next.config.mjs next.config.ts; do [ -f "$f" ] && { config_file=$f; break; }; done
ts=0; [ -f tsconfig.json ] && ts=1
# Django: requirements.txt beside manage.py, else in a folder above it up to
# the checkout (a project folder inside the repository's app folder).
reqs=requirements.txt
if [ "$kind" = django ] && [ ! -f "$reqs" ]; then
  d=$(pwd)
  while [ "$d" != "$root_dir" ] && [ "$d" != / ]; do
    d=$(dirname "$d")
    [ -f "$d/requirements.txt" ] && { reqs="$d/requirements.txt"; break; }
  done
fi
schema=""
for s in prisma/schema.prisma schema.prisma; do [ -f "$s" ] && { schema=$s; break; }; done
provider=""
[ -n "$schema" ] && provider=$(sed -n 's/^[[:space:]]*provider[[:space:]]*=[[:space:]]*"\([a-z]*\)".*/\1/p' "$schema" | grep -v prisma-client | head -1)
uses_redis=0; { has_dep ioredis || has_dep redis; } && uses_redis=1
# Debian's framework packages stand in for rubygems.org and packagist.org
# where those are out of reach (see the install step below).
debian_stack=0
if [ "$kind" = rails ] && ! curl -s -o /dev/null -m 5 https://rubygems.org/ && ruby -e 'gem "railties"' 2>/dev/null; then
  debian_stack=1
  if [ -f Gemfile.lock ]; then git mv -f Gemfile.lock Gemfile.lock.orig >/dev/null 2>&1 || mv Gemfile.lock Gemfile.lock.orig; fi
  export RAILS_ENV=production SECRET_KEY_BASE=harness-secret-harness-secret-harness-secret RAILS_LOG_TO_STDOUT=1 RAILS_SERVE_STATIC_FILES=1
  debian_rails=$(ruby -e 'gem "railties"; require "rails/version"; print Rails.version')
  result relax PASS "Debian's Rails $debian_rails: Gemfile.lock moved aside, gems resolved against the installed ones"
  # What Debian cannot satisfy, relaxed in the copy (each listed): the
  # Ruby version pin, gems it does not package (outside the development
  # and test groups, which are not installed), a load_defaults newer than
  # its Rails.
  sed -i -E '/^\s*ruby ["'"'"'][0-9]/d' Gemfile
  missing=$(ruby "$here/debian-gems.rb" Gemfile)
  for g in $missing; do sed -i -E "/^\s*gem\s+[\"']${g}[\"']/s/^/# (not in Debian) /" Gemfile; done
  [ -n "$missing" ] && result relax PASS "Gemfile: dropped gems not installed (from Debian or otherwise): $(echo "$missing" | tr '\n' ' ')"
  # Debian has one version of each gem: the Gemfile's version constraints go.
  if grep -qE "^\s*gem\s+[\"'][^\"']+[\"']\s*,\s*[\"'][~><=! ]*[0-9]" Gemfile; then
    sed -i -E "s/^(\s*gem\s+[\"'][^\"']+[\"'])(\s*,\s*[\"'][~><=! ]*[0-9][^\"']*[\"'])+/\1/" Gemfile
    result relax PASS "Gemfile: version constraints dropped (Debian's versions)"
  fi
  if grep -qE "^\s*gem\s.*(git|github):" Gemfile; then
    sed -i -E "/^\s*gem\s/s/\s*,\s*:?(git|github|branch|ref|tag|submodules)(:|\s*=>)\s*[\"'][^\"']*[\"']//g" Gemfile
    result relax PASS "Gemfile: git sources dropped (Debian's versions)"
  fi
  # Rails 7.0/7.1 APIs that Debian's Rails 6.1 lacks, in the files every
  # Rails 7 app generates: each replaced by its 6.1 equivalent.
  if grep -qs 'primary_abstract_class' app/models/application_record.rb; then
    sed -i 's/^\(\s*\)primary_abstract_class/\1self.abstract_class = true/' app/models/application_record.rb
    result relax PASS "app/models/application_record.rb: primary_abstract_class -> self.abstract_class = true (Rails 7.0 API)"
  fi
  if grep -qs 'config.autoload_lib' config/application.rb; then
    sed -i '/config.autoload_lib/d' config/application.rb
    result relax PASS "config/application.rb: config.autoload_lib dropped (Rails 7.1 API)"
  fi
  if grep -qsE 'config.enable_reloading = (true|false)' config/environments/production.rb; then
    sed -i -E 's/config.enable_reloading = false/config.cache_classes = true/; s/config.enable_reloading = true/config.cache_classes = false/' config/environments/production.rb
    result relax PASS "config/environments/production.rb: config.enable_reloading -> config.cache_classes (Rails 7.1 API)"
  fi
  if grep -qsE 'ActiveRecord::(Schema|Migration)\[7\.[0-9]+\]' db/schema.rb db/migrate/*.rb; then
    sed -i -E 's/ActiveRecord::Schema\[7\.[0-9]+\]/ActiveRecord::Schema/; s/ActiveRecord::Migration\[7\.[0-9]+\]/ActiveRecord::Migration[6.1]/' db/schema.rb db/migrate/*.rb 2>/dev/null
    result relax PASS "db/schema.rb, db/migrate: ActiveRecord::Schema[7.x] -> Schema, Migration[7.x] -> [6.1]"
  fi
  # Debian's Bundler (2.3) does not know the `windows` platform of newer
  # Gemfiles (`platforms: %i[windows jruby]`): the platform options go.
  if grep -qE "^\s*gem\s.*platforms?:" Gemfile; then
    sed -i -E "/^\s*gem\s/s/\s*,\s*platforms?:\s*(%i\[[^]]*\]|\[[^]]*\]|:[a-z_0-9]+)//" Gemfile
    result relax PASS "Gemfile: platform options dropped (Debian's Bundler)"
  fi
  defaults=$(sed -n -E 's/.*config\.load_defaults ([0-9]+\.[0-9]+).*/\1/p' config/application.rb | head -1)
  if [ -n "$defaults" ] && [ "$(printf '%s\n' "$defaults" "${debian_rails%.*.*}" | sort -V | tail -1)" != "${debian_rails%.*.*}" ]; then
    sed -i -E "s/config\.load_defaults $defaults/config.load_defaults ${debian_rails%.*.*}/" config/application.rb
    result relax PASS "config/application.rb: load_defaults $defaults -> ${debian_rails%.*.*}"
  fi
  # Rails 7.1's `/up` routes to Rails::HealthController, which Debian's
  # Rails does not have: a stand-in answers as it does (200 once the app has
  # booted). Written as `class Rails::HealthController` so that it is not
  # taken for an app HealthController.
  if grep -qE '^[^#]*rails/health#show' config/routes.rb 2>/dev/null && ! ruby -e 'gem "railties"; require "rails/health_controller"' 2>/dev/null && [ ! -f app/controllers/rails/health_controller.rb ]; then
    mkdir -p app/controllers/rails
    printf '%s\n' "# Stand-in for Rails 7.1's Rails::HealthController on Debian's Rails (harness only)." \
      'class Rails::HealthController < ActionController::Base' '  def show' '    render plain: "up"' '  end' 'end' >app/controllers/rails/health_controller.rb
    result relax PASS "app/controllers/rails/health_controller.rb: a stand-in for Rails 7.1's Rails::HealthController (/up)"
  fi
elif [ "$kind" = laravel ] && ! curl -s -o /dev/null -m 5 https://repo.packagist.org/ && [ -f /usr/share/php/Illuminate/autoload.php ]; then
  debian_stack=1
  APP_KEY="base64:$(head -c 32 /dev/urandom | base64)"
  export APP_ENV=production APP_DEBUG=false LOG_CHANNEL=stderr APP_KEY
  result relax PASS "Debian's Laravel $(sed -n "s/.*const VERSION = '\([^']*\)'.*/\1/p" /usr/share/php/Illuminate/Foundation/Application.php): vendor/autoload.php is Debian's autoloader"
  # Middleware classes Debian's Laravel 8 does not have (fruitcake/laravel-cors
  # of Laravel 8's skeleton, Laravel 9's own HandleCors, …) would fail every
  # request: their lines in app/Http/Kernel.php are commented out.
  mkdir -p vendor && cp "$here/laravel-debian-autoload.php" vendor/autoload.php
  for c in $(php "$here/laravel-missing-middleware.php"); do
    result relax PASS "app/Http/Kernel.php: $c commented out (no such class on Debian's Laravel)"
  done
fi
for r in "${relax[@]}"; do
  f=${r%%:*}; e=${r#*:}
  if sed -i "$e" "$f" 2>>"$logs/relax.log"; then result relax PASS "$f: $e"; else result relax FAIL "$f: $e"; fi
done
{ [ "$debian_stack" = 1 ] || [ ${#relax[@]} -gt 0 ]; } && commit_all "relaxed for Debian's packages"
echo "app: $src ($kind, $pm, $( [ $ts = 1 ] && echo TypeScript || echo JavaScript ), config ${config_file:-none}, prisma ${provider:-none}, redis $uses_redis)"

# corepack shims in a private folder (no global change).
mkdir -p "$work/bin"
corepack enable --install-directory "$work/bin" >/dev/null 2>&1 || true
export PATH="$work/bin:$app/node_modules/.bin:$PATH"
# Corepack checks the signature of "latest" against keys it cannot refresh
# here; the packages themselves come from the npm registry.
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0 NEXT_TELEMETRY_DISABLED=1 CI=1
# Without a packageManager field, the pnpm major that wrote the lockfile.
pnpm_spec=pnpm
if [ "$pm" = pnpm ] && ! grep -q '"packageManager"' package.json; then
  case "$(sed -n 's/^lockfileVersion: *.\([0-9]*\).*/\1/p' pnpm-lock.yaml | head -1)" in
    5) pnpm_spec=pnpm@7 ;;
    6) pnpm_spec=pnpm@8 ;;
    9) pnpm_spec=pnpm@9 ;;
  esac
fi
pnpm() { if [ "$pnpm_spec" = pnpm ]; then command pnpm "$@"; else corepack "$pnpm_spec" "$@"; fi; }

# Frozen: the lockfile must already match package.json. Without install
# scripts: they download prebuilt binaries from hosts out of reach here (sharp
# from GitHub, Prisma's engines); `prisma generate` runs as its own step.
install() {
  if [ "$unfrozen" = 1 ]; then
    case "$pm" in
      npm) npm install --ignore-scripts --no-audit --no-fund ;;
      pnpm) pnpm install --no-frozen-lockfile --ignore-scripts ;;
      yarn) yarn install --ignore-scripts ;;
      bun) npx -y bun install --ignore-scripts ;;
    esac
    return
  fi
  case "$pm" in
    npm) if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund; else npm install --ignore-scripts --no-audit --no-fund; fi ;;
    pnpm) pnpm install --frozen-lockfile --ignore-scripts ;;
    yarn) if [ -f .yarnrc.yml ]; then yarn install --immutable; else yarn install --frozen-lockfile --ignore-scripts; fi ;;
    bun) npx -y bun install --frozen-lockfile --ignore-scripts ;;
  esac
}
run_script() { case "$pm" in npm) npm run "$@" ;; pnpm) pnpm run "$@" ;; yarn) yarn "$@" ;; bun) npx -y bun run "$@" ;; esac; }

# --- Prisma without its engine downloads ---------------------------------------
# Prisma's CLI downloads its engines from its own host at first use. Where that
# host is out of reach, `prisma generate` still works with stand-ins (the schema
# is parsed by WebAssembly); migrations are applied with psql instead of the
# schema engine, and a Prisma <= 6 client cannot query at run time (its query
# engine is one of the downloads), so readiness is not judged for it.
prisma_offline=0
prisma_major=$([ -f package.json ] && node -e 'const p=require("./package.json");const d={...p.dependencies,...p.devDependencies};const v=d.prisma||d["@prisma/client"]||"";const m=v.match(/[0-9]+/);console.log(m?m[0]:"")')
if [ -n "$schema" ] && ! curl -s -o /dev/null -m 5 https://binaries.prisma.sh/; then
  prisma_offline=1
  : >"$work/engine.so.node"
  printf '#!/bin/sh\necho "schema-engine-cli 0.0.0"\n' >"$work/schema-engine" && chmod +x "$work/schema-engine"
  export PRISMA_QUERY_ENGINE_LIBRARY="$work/engine.so.node" PRISMA_SCHEMA_ENGINE_BINARY="$work/schema-engine" PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING=1
  echo "note: Prisma's engine host is out of reach: stand-in engines; migrations applied with psql"
fi
generate() { [ -n "$schema" ] || return 0; npx --no-install prisma generate; }
# The project's own image inputs: every database URL its Dockerfiles and
# compose files set (compose interpolation resolved, POSTGRES_PASSWORD set as
# a deployment would), each checked with `prisma validate` against the schema
# as it is now. A SQLite URL left behind by a move to PostgreSQL fails (P1012).
image_env() {
  local var found=0 bad=0 where value
  var=$(sed -n 's/^[[:space:]]*url[[:space:]]*=[[:space:]]*env("\([A-Za-z0-9_]*\)").*/\1/p' "$schema" | head -1)
  var=${var:-DATABASE_URL}
  while IFS=$'\t' read -r where value; do
    found=1
    if [ "${value#!}" != "$value" ]; then echo "$where: ${value#!}"; bad=1; continue; fi
    if env "$var=$value" npx --no-install prisma validate >"$work/validate.log" 2>&1; then
      echo "$where: $var=$value valid"
    else
      echo "$where: $var=$value INVALID: $(grep -m1 -E 'P1012|error' "$work/validate.log")"; bad=1
    fi
  done < <(node "$here/image-env.js" "$root_dir" "$var" POSTGRES_PASSWORD=harness MYSQL_PASSWORD=harness)
  [ "$found" = 1 ] || echo "no Dockerfile or compose file sets $var"
  return "$bad"
}

# --- services -----------------------------------------------------------------
export NEXTAUTH_SECRET=harness-secret-harness-secret AUTH_SECRET=harness-secret-harness-secret
export NEXTAUTH_URL=http://127.0.0.1:3000 AUTH_TRUST_HOST=true
pg_port=""
uses_pg=0
{ [ "$provider" = postgresql ] || [ "$provider" = postgres ] || has_dep pg || [ "$force_pg" = 1 ]; } && uses_pg=1
# A SQLite app that `fix --unsafe` moves to PostgreSQL: the server runs from
# the start, the app is pointed at it after the fix.
moves_to_pg=0
[ "$provider" = sqlite ] && [[ " $fix_args " == *" --unsafe "* ]] && uses_pg=1 && moves_to_pg=1
# Before the move, a SQLite file of its own (the project's .env is not in git).
[ "$moves_to_pg" = 1 ] && export DATABASE_URL="file:./harness.db"
# (cat fails on the globs that match nothing: with pipefail, that alone
# would make the pipeline false.)
[ "$kind" = django ] && { cat "$reqs" requirements*.txt requirements/*.txt 2>/dev/null || true; } | grep -iE '^(psycopg|dj-database-url)' >/dev/null && uses_pg=1
[ "$kind" = rails ] && grep -qE "^\s*gem ['\"]pg['\"]" Gemfile && uses_pg=1
[ "$kind" = laravel ] && grep -qsE '^DB_CONNECTION=pgsql' .env.example && uses_pg=1
if [ "$kind" = rails ] || [ "$kind" = laravel ]; then
  uses_redis=0
  [ "$kind" = rails ] && grep -qE "^\s*gem ['\"](redis|redis-client|sidekiq|kredis)['\"]" Gemfile && uses_redis=1
  [ "$kind" = laravel ] && grep -qsE '^(CACHE_DRIVER|CACHE_STORE|SESSION_DRIVER|QUEUE_CONNECTION)=redis' .env.example && uses_redis=1
  [ "$kind" = laravel ] && [[ " $app_env " =~ \ (CACHE_DRIVER|CACHE_STORE|SESSION_DRIVER|QUEUE_CONNECTION)=redis ]] && uses_redis=1
fi
if [ "$uses_pg" = 1 ]; then
  if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
    export PATH="$PATH:$pgbin"
    pg_port=${pg_port_opt:-$(free_port)}
    pg_pid_dir="$work/pg"
    mkdir -p "$pg_pid_dir" && chown postgres "$pg_pid_dir" && chmod 700 "$pg_pid_dir"
    chmod o+rx "$work"
    runuser -u postgres -- initdb -D "$pg_pid_dir" --auth=trust -U postgres >"$logs/initdb.log" 2>&1
    pg_start() { runuser -u postgres -- pg_ctl -D "$pg_pid_dir" -l "$pg_pid_dir/log" -w \
      -o "-p $pg_port -k $pg_pid_dir -c listen_addresses=127.0.0.1" start >>"$logs/pg.log" 2>&1; }
    pg_stop() { runuser -u postgres -- pg_ctl -D "$pg_pid_dir" -m fast -w stop >>"$logs/pg.log" 2>&1; }
    pg_start && result postgres PASS "port $pg_port" || result postgres FAIL "see $logs/pg.log"
    pg_url="postgresql://postgres@127.0.0.1:$pg_port/$db_name?schema=public"
    use_pg() { export DATABASE_URL=$pg_url DATABASE_URL_UNPOOLED=$pg_url DIRECT_URL=$pg_url POSTGRES_PRISMA_URL=$pg_url POSTGRES_URL_NON_POOLING=$pg_url; }
    # Rails merges DATABASE_URL into database.yml (without Prisma's ?schema=);
    # Laravel reads DB_* (its pgsql connection).
    [ "$kind" = rails ] && pg_url="postgresql://postgres@127.0.0.1:$pg_port/$db_name"
    [ "$kind" = laravel ] && export DB_CONNECTION=pgsql DB_HOST=127.0.0.1 DB_PORT=$pg_port DB_DATABASE=$db_name DB_USERNAME=postgres DB_PASSWORD=
    [ "$moves_to_pg" = 1 ] || use_pg
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -c "create database $db_name" >/dev/null 2>&1
  else
    result postgres SKIP "no PostgreSQL binaries (apt-get install -y postgresql)"
  fi
fi
if [ "$uses_redis" = 1 ] && command -v redis-server >/dev/null; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --daemonize yes >/dev/null
  export REDIS_URL="redis://127.0.0.1:$redis_port"
  [ "$kind" = laravel ] && export REDIS_HOST=127.0.0.1 REDIS_PORT=$redis_port
  result redis PASS "port $redis_port"
fi

# A SQLite app (not moved by the fix): a database file of the harness's own,
# made from the migrations in order with sqlite3.
sqlite_db=""
if [ "$provider" = sqlite ] && [ "$moves_to_pg" = 0 ] && command -v sqlite3 >/dev/null; then
  mkdir -p "$work/sqlite"
  sqlite_db="$work/sqlite/app.db"
  export DATABASE_URL="file:$sqlite_db"
fi
sqlite_schema() {
  local dir f
  rm -f "$sqlite_db"
  dir=$(dirname "$schema")
  ls "$dir"/migrations/*/migration.sql >/dev/null 2>&1 || { echo "no migrations"; return 0; }
  for f in "$dir"/migrations/*/migration.sql; do
    sqlite3 "$sqlite_db" <"$f" >>"$logs/sqlite-$1.log" 2>&1 || { echo "schema failed"; return 1; }
  done
  echo "migrations applied with sqlite3"
}

# The app's own variables (--env), with the private PostgreSQL's port and
# the port the app listens on.
port=$(free_port)
for kv in $app_env; do kv=${kv//@PGPORT@/${pg_port:-5432}}; export "${kv//@PORT@/$port}"; done

reset_db() { # an empty database, then the schema the way the project makes it
  [ -n "$pg_port" ] || return 0
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "drop database if exists $db_name with (force)" -c "create database $db_name" >/dev/null 2>&1
  if [ "$kind" = django ]; then
    "$work/venv/bin/python" manage.py migrate --noinput >"$logs/schema-$1.log" 2>&1 && echo "manage.py migrate" && return 0
    echo "schema failed"; return 1
  fi
  if [ "$kind" = rails ]; then
    # db/schema.rb when there is one (what a new database gets), else the migrations.
    if [ -f db/schema.rb ]; then set -- "$1" db:schema:load; else set -- "$1" db:migrate; fi
    DISABLE_DATABASE_ENVIRONMENT_CHECK=1 BUNDLE_WITHOUT=development:test bin/rails "$2" >"$logs/schema-$1.log" 2>&1 && echo "rails $2" && return 0
    echo "schema failed"; return 1
  fi
  if [ "$kind" = laravel ]; then
    php artisan migrate --force >"$logs/schema-$1.log" 2>&1 && echo "artisan migrate" && return 0
    echo "schema failed"; return 1
  fi
  [ -n "$schema" ] || return 0
  local dir; dir=$(dirname "$schema")
  if [ "$prisma_offline" = 1 ]; then
    if ls "$dir"/migrations/*/migration.sql >/dev/null 2>&1; then
      for f in "$dir"/migrations/*/migration.sql; do
        psql -h 127.0.0.1 -p "$pg_port" -U postgres -d "$db_name" -v ON_ERROR_STOP=1 -q -f "$f" >>"$logs/schema-$1.log" 2>&1 || { echo "schema failed"; return 1; }
      done
      echo "migrations applied with psql"; return 0
    fi
    echo "no migrations (db push needs the schema engine)"; return 0
  fi
  if [ -d "$dir/migrations" ] && ls "$dir"/migrations/*/migration.sql >/dev/null 2>&1; then
    npx prisma migrate deploy >"$logs/schema-$1.log" 2>&1 && echo "migrate deploy" && return 0
  else
    npx prisma db push --skip-generate --accept-data-loss >"$logs/schema-$1.log" 2>&1 && echo "db push" && return 0
  fi
  echo "schema failed"; return 1
}

step() { # name log command...: PASS/FAIL on its exit status
  local name=$1 log=$2; shift 2
  local t0=$SECONDS
  if "$@" >"$logs/$log.log" 2>&1; then
    result "$name" PASS "$((SECONDS - t0))s"
  else
    result "$name" FAIL "$((SECONDS - t0))s, see $logs/$log.log: $(grep -m1 -iE 'error|failed|ERR!' "$logs/$log.log" | cut -c1-160)"
    return 1
  fi
}

typecheck() { [ "$ts" = 1 ] || { echo "JavaScript"; return 0; }; npx --no-install tsc --noEmit -p .; }
# next/font/google fetches its CSS at build time, and fonts.googleapis.com is
# out of reach on an offline machine: a failed build that names those URLs is
# retried once with Next's own mock hook (NEXT_FONT_GOOGLE_MOCKED_RESPONSES),
# the same for the build before and after the fix.
font_mocks="$work/font-mocks.js"
build() {
  run_script build 2>&1 | tee "$work/build-try.log"
  [ "${PIPESTATUS[0]}" = 0 ] && return 0
  if [ -z "${NEXT_FONT_GOOGLE_MOCKED_RESPONSES:-}" ]; then
    grep -q 'fonts.googleapis.com' "$work/build-try.log" || return 1
    grep -o 'https://fonts.googleapis.com/css2?[^ )`"]*' "$work/build-try.log" | sort -u >>"$work/font-urls.txt"
    # Turbopack reads the mock module as JSON (the URLs its errors named);
    # webpack's loader indexes it by URL (the Proxy answers any URL).
    {
      echo "const urls = $(node -e 'console.log(JSON.stringify([...new Set(require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean))]))' "$work/font-urls.txt");"
      cat <<'JS'
const face = (name) => `@font-face {\n  font-family: '${name}';\n  font-style: normal;\n  font-weight: 400;\n  font-display: swap;\n  src: url(https://fonts.gstatic.com/s/mock/v1/${encodeURIComponent(name)}.woff2) format('woff2');\n}\n`;
const css = (u) => new URL(u).searchParams.getAll("family").map((f) => face(f.split(":")[0])).join("");
const known = Object.fromEntries(urls.map((u) => [u, css(u)]));
module.exports = new Proxy(known, {
  get: (t, k) => (typeof k === "string" && k.startsWith("https://fonts.googleapis.com/") ? t[k] ?? css(k) : t[k]),
});
JS
    } >"$font_mocks" || return 1
    export NEXT_FONT_GOOGLE_MOCKED_RESPONSES="$font_mocks"
    echo "== retried with mocked Google Fonts responses ($font_mocks)"
    run_script build 2>&1 | tee "$work/build-try.log"
    [ "${PIPESTATUS[0]}" = 0 ] && return 0
  fi
  # Turbopack (Next 16's default) honours the mocked CSS but still downloads
  # the font files; webpack's loader mocks those too.
  grep -q 'fonts.gstatic.com' "$work/build-try.log" || return 1
  echo "== retried with webpack (Turbopack downloads the mocked font files)"
  npx --no-install next build --webpack
}

# Express and Django: no Next build. Express builds only with a build
# script; Django installs into a virtualenv and runs `manage.py check`.
case "$kind" in
  express)
    if ! grep -q '"build"' package.json; then build() { echo "no build script"; }; fi
    ;;
  django)
    install() {
      [ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv" || return 1
      "$work/venv/bin/pip" install -q --disable-pip-version-check -r "$reqs"
    }
    # `check` does not load the middleware; the WSGI handler does (a
    # MIDDLEWARE entry that cannot be imported fails here, not at the first
    # request).
    build() {
      "$work/venv/bin/python" manage.py check &&
        "$work/venv/bin/python" manage.py shell -c 'from django.core.wsgi import get_wsgi_application; get_wsgi_application(); print("WSGI application and middleware loaded")'
    }
    ;;
  # Rails and Laravel: their dependencies come from rubygems.org and
  # packagist.org. Where those are out of reach, Debian's packages stand in
  # when installed (ruby-rails 6.1 with ruby-pg, ruby-redis, puma;
  # php-laravel-framework 8 with php-pgsql, php-redis): bundler resolves the
  # Gemfile against the installed gems (the lockfile was moved aside when
  # the copy was made, gems of the development and test groups left out),
  # and vendor/autoload.php is Debian's autoloader plus the app's own
  # PSR-4 folders. Without those packages nothing can install, boot or
  # serve, and those steps are SKIP (the fix and its files are still checked).
  rails)
    if [ "$debian_stack" = 1 ]; then
      install() { BUNDLE_WITHOUT=development:test bundle install --local; }
      build() { BUNDLE_WITHOUT=development:test bin/rails runner 'puts "Rails #{Rails.version}, #{Rails.env}"'; }
    else
      curl -s -o /dev/null -m 5 https://rubygems.org/ || deps_unreachable="rubygems.org is out of reach and Debian's ruby-rails is not installed: bundle install cannot run here"
      install() { BUNDLE_PATH="$work/bundle" bundle install; }
      build() { BUNDLE_PATH="$work/bundle" bin/rails runner 'puts Rails.env'; }
    fi
    ;;
  laravel)
    if [ "$debian_stack" = 1 ]; then
      install() { mkdir -p vendor && cp "$here/laravel-debian-autoload.php" vendor/autoload.php && echo "vendor/autoload.php: Debian's php-laravel-framework"; }
      build() { php artisan route:list; }
    else
      curl -s -o /dev/null -m 5 https://repo.packagist.org/ || deps_unreachable="packagist.org is out of reach and Debian's php-laravel-framework is not installed: composer install cannot run here"
      install() { composer install --no-interaction --no-scripts; }
      build() { php artisan about; }
    fi
    ;;
esac
# The files the fix wrote, each read by its own language's parser.
files_check() {
  local f n=0 bad=0
  while read -r f; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    case "$f" in
      *.rb) ruby -c "$f" >/dev/null ;;
      *.php) php -l "$f" >/dev/null ;;
      *.py) python3 -m py_compile "$f" ;;
      *.js|*.mjs|*.cjs) node --check "$f" ;;
      *.sh) bash -n "$f" ;;
      *.json) python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" ;;
      *.yml|*.yaml) python3 -c 'import yaml,sys; list(yaml.safe_load_all(open(sys.argv[1])))' "$f" ;;
      *) n=$((n - 1)); continue ;;
    esac || { echo "$f: does not parse"; bad=1; }
  done < <(sed 's/^...//; s/.* -> //' "$logs/fix1.files")
  echo "$n files parsed"
  return "$bad"
}

# --- before -------------------------------------------------------------------
build_before=SKIP
if [ -n "$deps_unreachable" ]; then
  result install-before SKIP "$deps_unreachable"
  result build-before SKIP "$deps_unreachable"
elif [ "$before" = 1 ]; then
  step install-before install-before install
  [ -n "$schema" ] && step generate-before generate-before generate
  [ -n "$schema" ] && step image-env-before image-env-before image_env
  if [ -n "$sqlite_db" ]; then s=$(sqlite_schema before); result schema-before "$( [ "$s" = "schema failed" ] && echo FAIL || echo PASS)" "$s"; fi
  [ "$moves_to_pg" = 1 ] || s=$(reset_db before) ; [ "$moves_to_pg" = 0 ] && [ -n "$pg_port" ] && result schema-before "$( [ "$s" = "schema failed" ] && echo FAIL || echo PASS)" "$s"
  [ "$ts" = 1 ] && step tsc-before tsc-before typecheck
  step build-before build-before build && build_before=PASS || build_before=FAIL
  commit_all "before" # what install and build rewrote (next-env.d.ts, …) is not the fix's
fi

# --- fix ------------------------------------------------------------------------
# shellcheck disable=SC2086 # fix_args is a list of words on purpose
"$seaworthy" fix --allow-dirty --allow-no-vcs $fix_args "$root_dir" >"$logs/fix1.log" 2>&1
code=$?
changed=$(git status --porcelain -uall | wc -l)
[ "$code" = 0 ] && result fix PASS "$changed files changed" || result fix FAIL "exit $code, see $logs/fix1.log"
git status --porcelain -uall >"$logs/fix1.files"
commit_all "seaworthy fix"
[ "$moves_to_pg" = 1 ] && [ -n "$pg_port" ] && use_pg
# The paths, without the punctuation that follows them in the sentence.
live=$(grep -o 'Liveness at GET [^ ,;]*' "$logs/fix1.log" | head -1 | awk '{print $4}')
ready=$(grep -o 'readiness at GET [^ ,;]*' "$logs/fix1.log" | head -1 | awk '{print $4}')
if [ -z "$live" ]; then # Express: "Health routes at GET /health/live and GET /health/ready"
  live=$(grep -o 'Health routes at GET [^ ]* and GET [^ ,]*' "$logs/fix1.log" | head -1 | awk '{print $5}')
  ready=$(grep -o 'Health routes at GET [^ ]* and GET [^ ,]*' "$logs/fix1.log" | head -1 | awk '{print $8}')
fi
routes=1
[ -n "$live" ] && [ -n "$ready" ] || routes=0 # fix wrote no health routes

# --- after --------------------------------------------------------------------
step files-after files-after files_check
if [ -n "$deps_unreachable" ]; then
  result install-after SKIP "$deps_unreachable"
  build_after=SKIP
else
step install-after install-after install
[ -n "$schema" ] && step generate-after generate-after generate
[ -n "$schema" ] && step image-env-after image-env-after image_env && sed 's/^/  /' "$logs/image-env-after.log"
if [ -n "$sqlite_db" ]; then s=$(sqlite_schema after); result schema-after "$( [ "$s" = "schema failed" ] && echo FAIL || echo PASS)" "$s"; fi
s=$(reset_db after); [ -n "$pg_port" ] && result schema-after "$( [ "$s" = "schema failed" ] && echo FAIL || echo PASS)" "$s"
[ "$ts" = 1 ] && step tsc-after tsc-after typecheck
if step build-after build-after build; then build_after=PASS; else build_after=FAIL; fi
[ "$build_before" = PASS ] && [ "$build_after" = FAIL ] && result regression FAIL "the build passed before the fix and fails after"
fi

# --- run and probe ---------------------------------------------------------------
dist=.next
if [ -n "$config_file" ]; then
  d=$(node -e 'import(require("path").resolve(process.argv[1])).then(m=>{const c=m.default??m;const v=typeof c==="function"?c("phase-production-server",{defaultConfig:{}}):c;Promise.resolve(v).then(v=>console.log(v&&v.distDir||""))}).catch(()=>console.log(""))' "$config_file" 2>/dev/null | tail -1)
  [ -n "$d" ] && dist=$d
fi
if [ "$build_after" = PASS ]; then
  if [ -n "$start_cmd" ]; then
    (PORT=$port exec bash -c "exec $start_cmd") >"$logs/server.log" 2>&1 &
    how=$start_cmd
  elif [ "$kind" = express ]; then
    (PORT=$port exec npm start) >"$logs/server.log" 2>&1 &
    how="npm start"
  elif [ "$kind" = django ]; then
    (exec "$work/venv/bin/python" manage.py runserver --noreload "127.0.0.1:$port") >"$logs/server.log" 2>&1 &
    how="manage.py runserver"
  elif [ "$kind" = rails ] && [ "$debian_stack" = 1 ]; then
    (BUNDLE_WITHOUT=development:test exec bin/rails server -p "$port" -b 127.0.0.1) >"$logs/server.log" 2>&1 &
    how="rails server (Debian's Rails)"
  elif [ "$kind" = rails ]; then
    (BUNDLE_PATH="$work/bundle" exec bin/rails server -p "$port" -b 127.0.0.1) >"$logs/server.log" 2>&1 &
    how="rails server"
  elif [ "$kind" = laravel ] && [ "$debian_stack" = 1 ]; then
    # What `artisan serve` runs, as this shell's own child (artisan would
    # leave its php -S behind when stopped).
    if [ -f server.php ]; then (exec php -S "127.0.0.1:$port" server.php) >"$logs/server.log" 2>&1 &
    else (exec php -S "127.0.0.1:$port" -t public public/index.php) >"$logs/server.log" 2>&1 &
    fi
    how="php -S (Debian's Laravel)"
  elif [ "$kind" = laravel ]; then
    (exec php artisan serve --host=127.0.0.1 --port="$port") >"$logs/server.log" 2>&1 &
    how="artisan serve"
  elif [ -f "$dist/standalone/server.js" ]; then
    # What the generated Dockerfile does: static assets next to the server.
    cp -r "$dist/static" "$dist/standalone/$dist/static" 2>/dev/null
    [ -d public ] && cp -r public "$dist/standalone/public"
    (cd "$dist/standalone" && PORT=$port HOSTNAME=127.0.0.1 exec node server.js) >"$logs/server.log" 2>&1 &
    how=standalone
  else
    (PORT=$port exec npx --no-install next start -p "$port" -H 127.0.0.1) >"$logs/server.log" 2>&1 &
    how="next start"
  fi
  server_pid=$!
  up=0
  for _ in $(seq 90); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" && { up=1; break; }
    sleep 1
  done
  [ "$up" = 1 ] && result start PASS "$how on $port" || result start FAIL "$how, see $logs/server.log"
  probe() { curl -s -o "$logs/probe.body" -w '%{http_code}' --max-redirs 0 --max-time 10 "http://127.0.0.1:$port$1"; }
  if [ "$up" = 1 ] && [ "$routes" = 0 ]; then
    result liveness SKIP "the fix wrote no health routes (the app has its own, or the fix was skipped: see fix1.log)"
  elif [ "$up" = 1 ]; then
    c=$(probe "$live"); [ "$c" = 200 ] && result liveness PASS "$live $c" || result liveness FAIL "$live $c $(head -c 160 "$logs/probe.body")"
    c=$(probe "$ready")
    if [ "$c" = 200 ]; then result ready-up PASS "$ready $c"
    elif [ "$prisma_offline" = 1 ] && [ "${prisma_major:-0}" -lt 7 ]; then result ready-up SKIP "$ready $c: a Prisma ${prisma_major} client needs its query engine download"
    else result ready-up FAIL "$ready $c $(head -c 200 "$logs/probe.body")"; fi
    if [ -n "$pg_port" ]; then
      pg_stop
      c=$(probe "$ready"); [ "$c" = 503 ] && result ready-db-down PASS "$ready $c" || result ready-db-down FAIL "$ready $c $(head -c 160 "$logs/probe.body")"
      c=$(probe "$live"); [ "$c" = 200 ] && result live-db-down PASS "$live $c" || result live-db-down FAIL "$live $c"
      pg_start
      sleep 1
      c=$(probe "$ready"); [ "$c" = 200 ] && result ready-again PASS "$ready $c" || result ready-again "$( [ "$prisma_offline" = 1 ] && [ "${prisma_major:-0}" -lt 7 ] && echo SKIP || echo FAIL)" "$ready $c"
    elif [ -n "$sqlite_db" ]; then
      result ready-db-down SKIP "SQLite: no database server to stop"
    else
      result ready-db-down SKIP "no PostgreSQL for this app"
    fi
  fi
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
else
  result start SKIP "${deps_unreachable:-the build failed}"
fi

# --- second run -------------------------------------------------------------------
commit_all "after" # what the second install and build rewrote
# shellcheck disable=SC2086
"$seaworthy" fix --allow-dirty --allow-no-vcs $fix_args "$root_dir" >"$logs/fix2.log" 2>&1
code=$?
again=$(git status --porcelain -uall | wc -l)
if [ "$code" = 0 ] && [ "$again" = 0 ]; then
  result second-run PASS "$(head -1 "$logs/fix2.log")"
else
  result second-run FAIL "exit $code, $again files changed, see $logs/fix2.log"
fi
echo "logs: $logs"
exit "$failed"
