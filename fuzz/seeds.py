#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from tests/fixtures plus a few inline
samples. Writes fuzz/corpus/<target>/seed-<hash>; existing files are kept.

Usage: python3 fuzz/seeds.py [target ...]   (all targets when none given)
"""
import hashlib
import os
import re
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
MAX_FILE = 3000      # bytes kept of a fixture file
MAX_TREE = 16000     # bytes of an audit_tree seed

CODE_EXT = {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".py", ".rb", ".php",
            ".java", ".kt", ".kts", ".go", ".rs", ".groovy", ".cs", ".scala", ".gradle"}
MANIFESTS = {"pyproject.toml", "Pipfile", "Gemfile", "composer.json", "pom.xml",
             "build.gradle", "build.gradle.kts", "go.mod", "Cargo.toml"}

INLINE = {
    "suppress_inline": [
        b"# seaworthy:ignore backups-not-offsite -- local snapshots\n"
        b"// seaworthy:ignore SW601 until=2020-01-01 -- demo */\n"
        b"# seaworthy:ignore backups-not-offsite\n"
        b"# seaworthy:ignore-file manual-server-deployment -- legacy host\n",
        b"<!-- seaworthy:ignore missing-health-endpoint,apm-sdk-missing expires=2099-12-31 -- docs only -->\n",
        b"{# seaworthy:ignore sqlite-in-production until=2026-13-40 -- bad date #}\n",
    ],
    "config": [
        b"[rules]\ndisable = ['SW101']\nseverity = { sqlite-in-production = 'high' }\n[paths]\nignore = ['legacy/**']\n"
        b"[[suppress]]\nrule = 'backups-not-offsite'\npaths = ['scripts/dev-*.sh']\nreason = 'developer snapshots'\nexpires = '2099-01-01'\n"
        b"[apps.'apps/docs']\ndisable = ['missing-health-endpoint']\nignore = false\n",
        b"[[suppress]]\nrule = 'SW601'\nreason = 'x'\nexpires = '2020-02-30'\npaths = ['{a,b']\n",
    ],
    "prisma": [
        b'// provider = "postgresql"\ngenerator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["driverAdapters"]\n}\n\n'
        b'datasource db {\n  // provider = "postgresql"\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n\n'
        b'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n',
    ],
    "code": [
        b"// app.get('/healthz', h)\nconst re = /\\/health/g;\napp.get(\"/health\", (req, res) => res.send(`ok ${1 + 2}`));\n"
        b"fastify.route({ method: 'GET', url: '/ready', handler });\n@Controller('status')\nconst x = a / b / \"not-a-route\";\n"
        b"/* router.get('/livez')\n*/ router.get(`/ping`)\n",
        b"# path('old/', v)\nurlpatterns = [\n    path(\"health/\", views.health),\n    re_path(r'^ping$', v),\n]\n@app.get(\"/readyz\")\n"
        b"import sys\nif 'test' in sys.argv:\n    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n"
        b"URL = os.getenv('DATABASE_URL', 'sqlite:///./app.db')\n\"\"\"doc\nstring\"\"\"\n",
        b"fn f<'a>(x: &'a str) {}\n#[get(\"/health\")]\nasync fn h() {}\nRouter::new().route(\"/up\", get(h))\n",
        b"package main\nimport _ \"github.com/mattn/go-sqlite3\"\nmux.HandleFunc(\"GET /livez\", h)\nhttp.ListenAndServe(\":8080\", mux)\n",
        b"<?php\nRoute::get('/health', fn () => 'ok');\n# Route::get('/x')\n'default' => env('DB_CONNECTION', 'sqlite'),\n",
    ],
    "yaml_compose": [
        b"services:\n  web:\n    build:\n      context: ./apps/web\n      dockerfile: Dockerfile\n  api:\n    build: ./api\n  db:\n    image: postgres:17\n",
        b"a: &a [x, y]\nb: &b [*a, *a]\nc: [*b, *b]\n---\n- - - x\n",
    ],
    "rails_database": [
        b"default: &default\n  adapter: sqlite3\n  pool: <%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>\n\ndevelopment:\n  <<: *default\n"
        b"  database: storage/development.sqlite3\n\nproduction:\n  primary:\n    adapter: <%= ENV.fetch('DB_ADAPTER', 'sqlite3') %>\n  cache:\n    adapter: sqlite3\n",
    ],
    "spring": [
        b"spring:\n  datasource:\n    url: jdbc:h2:mem:dev\n---\nspring:\n  config:\n    activate:\n      on-profile: prod\n  datasource:\n    url: ${DATABASE_URL}\n",
        b"# comment\nspring.datasource.url=jdbc:h2:file:./data/app\nserver.port: 8080\nlong.value=a\\\n  b\n#---\nspring.profiles=prod\n",
    ],
    "env_file": [
        b"# comment\nexport A=1\nB=\"two words\" # note\nC='x'\nD=plain # c\n\n# E=commented\nbroken line\n",
    ],
    "shell": [
        b"#!/usr/bin/env bash\nset -euo pipefail\n# ssh root@example.com\necho \"then run systemctl restart app\"\nBACKUP_DIR=\"./backups\"\n"
        b"sudo -u deploy pm2 restart all\npg_dump \"$DATABASE_URL\" | gzip > \"$BACKUP_DIR/db.sql.gz\"\n"
        b"if true; then /usr/bin/rsync -az ./ deploy@host:/srv/app; fi\ncat <<EOF > /etc/nginx/sites-available/app\nserver { listen 80; }\nEOF\n",
    ],
    "package_json": [
        b'{\n  "name": "web",\n  "workspaces": {"packages": ["apps/*"]},\n  "dependencies": {\n    "next": "15.1.0"\n  },\n  "prisma": {"schema": "db/schema.prisma"}\n}',
    ],
    "manifest": [
        b"[package]\nname='api'\n[dependencies]\naxum='0.7'\nsqlx={version='0.8', features=['runtime-tokio','sqlite']}\n",
        b"module example.com/api\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgithub.com/mattn/go-sqlite3 v1.14.22 // indirect\n)\n",
        b"# web\nDjango[argon2]>=5.0  # pinned\n-r base.txt\nsentry_sdk==2.3 ; python_version > '3.8'\ngit+https://x/y.git\n",
    ],
}


def target_of(rel):
    """Which parser target a fixture file seeds, if any."""
    name = os.path.basename(rel)
    ext = os.path.splitext(name)[1].lower()
    if name in ("package.json", "ormconfig.json") or (name == "config.json" and "/config/" in "/" + rel):
        return "package_json"
    if name.startswith(".env") or name.endswith(".env") or name in ("env.example", "env.sample"):
        return "env_file"
    if ext == ".prisma":
        return "prisma"
    if ext in (".sh", ".bash"):
        return "shell"
    if name == "database.yml" and rel.split("/")[-2:-1] == ["config"]:
        return "rails_database"
    if name.startswith("application") and ext in (".properties", ".yml", ".yaml"):
        return "spring"
    if ext in (".yml", ".yaml"):
        return "yaml_compose"
    if name in MANIFESTS or (name.startswith("requirements") and ext == ".txt"):
        return "manifest"
    if name == "seaworthy.toml":
        return "config"
    if ext in CODE_EXT:
        return "code"
    return None


def audit_files():
    src = open(os.path.join(FUZZ, "fuzz_targets", "audit_tree.rs")).read()
    block = src.split("const FILES: &[&str] = &[", 1)[1].split("];", 1)[0]
    return re.findall(r'"([^"]+)"', block)


def slot_for(rel, files):
    """The FILES index a fixture file stands in for in an audit_tree seed."""
    if rel in files:
        return files.index(rel)
    name = os.path.basename(rel)
    ext = os.path.splitext(name)[1].lower()
    by_name = [i for i, f in enumerate(files) if os.path.basename(f) == name]
    if by_name:
        return by_name[0]
    pick = None
    t = target_of(rel)
    if t == "env_file":
        pick = ".env.example"
    elif t == "shell":
        pick = "scripts/backup.sh"
    elif t == "prisma":
        pick = "prisma/schema.prisma"
    elif name.startswith(("compose.", "docker-compose.")):
        pick = "compose.yaml"
    elif t == "spring":
        pick = "src/main/resources/application.properties" if ext == ".properties" else "src/main/resources/application-prod.yml"
    elif t == "manifest" and name.startswith("requirements"):
        pick = "requirements.txt"
    elif ext in (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"):
        pick = "app/api/health/route.ts"
    elif ext == ".py":
        pick = "app/main.py"
    elif ext in (".rb",):
        pick = "config/routes.rb"
    elif ext == ".php":
        pick = "routes/web.php"
    elif ext in (".java", ".kt"):
        pick = "src/main/java/App.java"
    elif ext == ".go":
        pick = "main.go"
    elif ext == ".rs":
        pick = "src/main.rs"
    elif name.lower().startswith("readme"):
        pick = "README.md"
    elif name.startswith("Dockerfile"):
        pick = "Dockerfile"
    elif t == "yaml_compose" and any(p in ("k8s", "deploy", "kubernetes", "manifests") for p in rel.split("/")):
        pick = "k8s/deployment.yaml"
    return files.index(pick) if pick in files else None


def read(path):
    with open(path, "rb") as f:
        data = f.read(MAX_FILE + 1)
    if b"\0" in data:
        return None
    return data[:MAX_FILE]


def save(target, data, out):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    p = os.path.join(d, name)
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)


def case_dirs():
    """Fixture cases: folders directly under tests/fixtures/<rule>/."""
    for rule in sorted(os.listdir(FIXTURES)):
        rd = os.path.join(FIXTURES, rule)
        if not os.path.isdir(rd):
            continue
        for case in sorted(os.listdir(rd)):
            cd = os.path.join(rd, case)
            if os.path.isdir(cd):
                yield cd


def main(wanted):
    out = os.path.join(FUZZ, "corpus")
    files = audit_files()
    want = lambda t: not wanted or t in wanted
    for t, samples in INLINE.items():
        if want(t):
            for s in samples:
                save(t, s, out)
    for case in case_dirs():
        tree = []
        used = set()
        for dirpath, dirnames, filenames in os.walk(case):
            dirnames.sort()
            for fn in sorted(filenames):
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, case).replace(os.sep, "/")
                data = read(path)
                if data is None:
                    continue
                t = target_of(rel)
                if t and want(t):
                    save(t, data, out)
                if b"seaworthy:ignore" in data and want("suppress_inline"):
                    save("suppress_inline", data, out)
                slot = slot_for(rel, files)
                if slot is not None and slot not in used:
                    used.add(slot)
                    tree.append(bytes([slot]) + data)
        if tree and want("audit_tree"):
            seed = b"\0".join(tree)[:MAX_TREE]
            save("audit_tree", seed, out)


if __name__ == "__main__":
    main(set(sys.argv[1:]))
