#!/usr/bin/env python3
"""Generate a synthetic pnpm/turbo monorepo for benchmarking `seaworthy check`.

The tree is deterministic for a given --seed and --files: the same arguments
always give the same paths and the same bytes. Python 3 standard library only.

Layout (defaults):

    package.json            workspace root (workspaces: apps/*, packages/*)
    pnpm-workspace.yaml, turbo.json, pnpm-lock.yaml, docker-compose.yml, ...
    .gitignore              node_modules, dist, .next, .turbo, coverage, .env
    apps/*                  ~40 apps: Next.js (app router and pages router),
                            Express, Fastify and NestJS services; some with a
                            Dockerfile, prisma/schema.prisma (sqlite or
                            postgresql), .env.example, scripts/*.sh (a few
                            deploy/backup scripts), health routes or not
    packages/*              ~60 libraries (ui, db, config, utils, ...)
    node_modules/ ...       a large ignored tree (root and per workspace)

`--files N` is the number of files outside ignored folders (what
`rg --files --hidden -g '!.git'` lists); `--node-modules-files M` the number
of files under node_modules folders (default: 60% of N, at least 50,000 when
N >= 50,000).

Usage: generate.py OUT_DIR [--files 100000] [--seed 1] [--health-ratio 0.55] [--force] [--no-git]
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys

# --------------------------------------------------------------------------
# Vocabulary

FEATURES = [
    "auth", "billing", "checkout", "catalog", "search", "profile", "settings",
    "orders", "inventory", "notifications", "analytics", "dashboard", "reports",
    "users", "teams", "projects", "invoices", "payments", "shipping", "reviews",
    "cart", "messages", "onboarding", "admin", "audit", "webhooks",
    "subscriptions", "files", "media", "comments", "tags", "events", "jobs",
    "exports", "imports", "pricing", "coupons", "wishlist", "sessions", "tenants",
]
SUBAREAS = [
    "components", "hooks", "utils", "api", "forms", "tables", "widgets",
    "views", "state", "schemas", "helpers", "adapters", "mappers", "queries",
    "mutations", "services", "models", "validators", "constants", "types",
]
NOUNS = [
    "Button", "Card", "Table", "Modal", "List", "Form", "Header", "Footer",
    "Sidebar", "Avatar", "Badge", "Chart", "Filter", "Pager", "Toolbar",
    "Dialog", "Menu", "Tabs", "Tooltip", "Banner", "Panel", "Row", "Cell",
    "Field", "Select", "Picker", "Summary", "Detail", "Editor", "Preview",
    "Uploader", "Stepper", "Timeline", "Feed", "Grid", "Empty", "Skeleton",
]
VERBS = [
    "load", "fetch", "create", "update", "remove", "list", "find", "validate",
    "format", "parse", "compute", "resolve", "sync", "merge", "normalize",
    "serialize", "build", "apply", "check", "render", "map", "filter", "sort",
]
FIELDS = [
    "id", "name", "email", "createdAt", "updatedAt", "status", "amount",
    "currency", "title", "description", "ownerId", "teamId", "price", "total",
    "quantity", "slug", "role", "locale", "timezone", "avatarUrl", "metadata",
]
TS_TYPES = ["string", "number", "boolean", "Date", "string[]", "Record<string, unknown>", "number | null"]
NPM_LIBS = [
    "zod", "date-fns", "lodash", "clsx", "axios", "uuid", "dayjs", "nanoid",
    "react-hook-form", "@tanstack/react-query", "swr", "zustand", "immer",
    "pino", "winston", "ioredis", "bullmq", "jsonwebtoken", "bcryptjs",
    "class-validator", "class-transformer", "rxjs", "stripe", "nodemailer",
    "@aws-sdk/client-s3", "sharp", "yup", "superjson", "@trpc/server",
    "@trpc/client", "graphql", "tailwind-merge", "framer-motion", "recharts",
]
FRONTEND_NAMES = [
    "web", "admin", "dashboard", "marketing", "storefront", "checkout", "portal",
    "console", "landing", "blog", "help-center", "status-page", "crm",
    "support-desk", "affiliate-portal", "cms", "internal-tools", "docs-site",
    "partner-portal", "careers", "investor-site", "design-system-site",
]
SERVICE_NAMES = [
    "api", "gateway", "auth-service", "billing-service", "orders-service",
    "inventory-service", "notifications-service", "search-service",
    "payments-api", "users-api", "reports-service", "media-service",
    "webhooks-service", "scheduler", "analytics-api", "catalog-api",
    "shipping-service", "pricing-api", "reviews-service", "partner-api",
    "mobile-bff", "events-api", "recommendations", "chat-service",
]
PACKAGE_NAMES = [
    "ui", "db", "config", "tsconfig", "eslint-config", "utils", "logger",
    "auth", "api-client", "types", "hooks", "icons", "theme", "emails",
    "analytics", "feature-flags", "i18n", "validation", "payments", "queue",
    "cache", "storage", "http", "errors", "testing", "fixtures-kit", "charts",
    "forms", "tables", "layout", "editor", "markdown", "date", "money",
    "search-client", "notifications", "permissions", "tenant", "audit-log",
    "metrics", "tracing", "rate-limit", "crypto", "uploads", "webhooks",
    "graphql-schema", "trpc", "sdk", "cli", "codegen", "mocks", "env",
    "design-tokens", "animations", "maps", "pdf", "csv", "images", "seo",
    "sitemap", "geo", "jobs", "scheduler-client", "feature-x",
]

# --------------------------------------------------------------------------
# Helpers


class Tree:
    """Writes files under a root, counting them."""

    def __init__(self, root):
        self.root = root
        self.count = 0
        self.bytes = 0
        self._made = set()

    def write(self, rel, data):
        path = os.path.join(self.root, rel)
        d = os.path.dirname(path)
        if d not in self._made:
            os.makedirs(d, exist_ok=True)
            self._made.add(d)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        self.count += 1
        self.bytes += len(data)


def pascal(word):
    return "".join(p[:1].upper() + p[1:] for p in word.replace("_", "-").split("-"))


def camel(word):
    p = pascal(word)
    return p[:1].lower() + p[1:]


def singular(word):
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def jdump(obj):
    return json.dumps(obj, indent=2) + "\n"


# --------------------------------------------------------------------------
# Source text


def ts_block(rng, tsx):
    """One top-level declaration of a TypeScript module."""
    kind = rng.randrange(9)
    name = pascal(rng.choice(FEATURES)) + rng.choice(NOUNS)
    fields = rng.sample(FIELDS, rng.randint(3, 7))
    if kind == 0:
        body = "".join(f"  {f}{'?' if rng.random() < 0.3 else ''}: {rng.choice(TS_TYPES)};\n" for f in fields)
        return f"/** {name} as the API returns it. */\nexport interface {name}Props {{\n{body}}}\n"
    if kind == 1:
        verb = rng.choice(VERBS)
        arg = camel(rng.choice(FEATURES))
        lines = [f"export async function {verb}{name}({arg}: {name}Input, options: RequestOptions = {{}}) {{"]
        lines.append(f"  const started = Date.now();")
        lines.append(f"  if (!{arg}.{fields[0]}) {{")
        lines.append(f"    throw new ValidationError(`missing {fields[0]} for ${{{arg}.{fields[1]}}}`);")
        lines.append("  }")
        lines.append(f"  const result = await client.request<{name}Props>({{")
        lines.append(f"    method: '{rng.choice(['GET', 'POST', 'PUT', 'PATCH'])}',")
        lines.append(f"    path: `/v1/{rng.choice(FEATURES)}/${{encodeURIComponent(String({arg}.{fields[0]}))}}`,")
        lines.append(f"    timeoutMs: options.timeoutMs ?? {rng.choice([2000, 5000, 10000])},")
        lines.append("  });")
        lines.append(f"  logger.debug('{verb}{name} took %dms', Date.now() - started);")
        lines.append("  return result;")
        lines.append("}")
        return "\n".join(lines) + "\n"
    if kind == 2:
        items = ", ".join(f"'{w}'" for w in rng.sample(FEATURES, rng.randint(3, 8)))
        return f"export const {camel(name)}Keys = [{items}] as const;\nexport type {name}Key = (typeof {camel(name)}Keys)[number];\n"
    if kind == 3:
        return (
            f"// TODO({rng.choice(['ana', 'bo', 'chen', 'dee', 'eli'])}): move {camel(name)} to the shared package once the API settles.\n"
            f"const {camel(name)}Pattern = /^[a-z0-9-]{{{rng.randint(2, 5)},{rng.randint(20, 64)}}}$/i;\n"
            f"export function is{name}Slug(value: string): boolean {{\n  return {camel(name)}Pattern.test(value.trim());\n}}\n"
        )
    if kind == 4 and tsx:
        props = ", ".join(fields[:3])
        return (
            f"export function {name}({{ {props} }}: {name}Props) {{\n"
            f"  const [open, setOpen] = useState(false);\n"
            f"  const label = useMemo(() => `${{{fields[0]}}} · ${{{fields[1]}}}`, [{fields[0]}, {fields[1]}]);\n"
            f"  return (\n"
            f"    <section className={{styles.{camel(rng.choice(NOUNS))}}} aria-label={{label}}>\n"
            f"      <h2 className=\"text-lg font-semibold\">{{label}}</h2>\n"
            f"      <button type=\"button\" onClick={{() => setOpen((o) => !o)}}>\n"
            f"        {{open ? 'Hide' : 'Show'}} details\n"
            f"      </button>\n"
            f"      {{open && <p className=\"mt-2 text-sm text-gray-600\">{{String({fields[2]})}}</p>}}\n"
            f"    </section>\n"
            f"  );\n}}\n"
        )
    if kind == 5:
        cases = "".join(
            f"    case '{s}':\n      return {rng.randint(0, 500)};\n"
            for s in rng.sample(["draft", "active", "archived", "pending", "failed", "done", "queued"], 4)
        )
        return (
            f"export function {camel(name)}Weight(status: string): number {{\n"
            f"  switch (status) {{\n{cases}    default:\n      return 0;\n  }}\n}}\n"
        )
    if kind == 6:
        methods = []
        for verb in rng.sample(VERBS, rng.randint(2, 4)):
            methods.append(
                f"  async {verb}(id: string): Promise<{name}Props | undefined> {{\n"
                f"    const cached = this.cache.get(id);\n"
                f"    if (cached) return cached;\n"
                f"    const row = await this.repo.findOne({{ where: {{ id }} }});\n"
                f"    if (row) this.cache.set(id, row);\n"
                f"    return row ?? undefined;\n  }}\n"
            )
        return (
            f"export class {name}Store {{\n"
            f"  private readonly cache = new Map<string, {name}Props>();\n\n"
            f"  constructor(private readonly repo: Repository<{name}Props>) {{}}\n\n"
            + "\n".join(methods)
            + "}\n"
        )
    if kind == 7:
        return (
            f"export const {camel(name)}Schema = z.object({{\n"
            + "".join(f"  {f}: z.{rng.choice(['string()', 'number()', 'boolean()', 'string().email()', 'string().uuid()', 'coerce.date()'])},\n" for f in fields)
            + f"}});\nexport type {name}Input = z.infer<typeof {camel(name)}Schema>;\n"
        )
    return (
        "/*\n"
        f" * {name}: keeps {rng.choice(FEATURES)} and {rng.choice(FEATURES)} in step.\n"
        f" * See docs/{rng.choice(FEATURES)}.md for the state machine.\n"
        " */\n"
        f"export const DEFAULT_{name.upper()}_LIMIT = {rng.randint(10, 1000)};\n"
    )


def ts_imports(rng, tsx):
    lines = []
    if tsx:
        lines.append("import { useMemo, useState } from 'react';")
        lines.append(f"import styles from './{rng.choice(NOUNS)}.module.css';")
    lines.append("import { z } from 'zod';")
    for _ in range(rng.randint(1, 4)):
        names = ", ".join(sorted(set(pascal(rng.choice(FEATURES)) + rng.choice(NOUNS) for _ in range(rng.randint(1, 3)))))
        src = rng.choice([
            f"@acme/{rng.choice(PACKAGE_NAMES)}",
            f"../{rng.choice(SUBAREAS)}/{camel(rng.choice(FEATURES))}",
            f"./{camel(rng.choice(NOUNS))}",
            rng.choice(NPM_LIBS),
        ])
        lines.append(f"import {{ {names} }} from '{src}';")
    return "\n".join(lines) + "\n\n"


def ts_source(rng, tsx=False, prefix="", suffix=""):
    """A module of 0.5-4 KB."""
    target = int(rng.triangular(500, 4000, 1400))
    parts = [prefix, ts_imports(rng, tsx)]
    size = sum(len(p) for p in parts) + len(suffix)
    while size < target:
        block = ts_block(rng, tsx) + "\n"
        parts.append(block)
        size += len(block)
    parts.append(suffix)
    return "".join(parts)


def test_source(rng, subject):
    cases = []
    for _ in range(rng.randint(3, 10)):
        verb = rng.choice(VERBS)
        cases.append(
            f"  it('{verb}s {rng.choice(FIELDS)} when {rng.choice(FEATURES)} is {rng.choice(['empty', 'stale', 'missing', 'valid'])}', async () => {{\n"
            f"    const input = build{pascal(subject)}({{ {rng.choice(FIELDS)}: '{rng.choice(FEATURES)}' }});\n"
            f"    const out = await {verb}{pascal(subject)}(input);\n"
            f"    expect(out).toMatchObject({{ ok: true }});\n  }});\n"
        )
    return (
        "import { describe, expect, it } from 'vitest';\n"
        f"import {{ build{pascal(subject)} }} from '../testing/factories';\n\n"
        f"describe('{subject}', () => {{\n" + "\n".join(cases) + "});\n"
    )


def css_source(rng):
    rules = []
    for _ in range(rng.randint(4, 30)):
        sel = "." + camel(rng.choice(NOUNS)) + rng.choice(["", "Header", "Body", ":hover", " > a"])
        props = "".join(
            f"  {p}: {v};\n"
            for p, v in rng.sample([
                ("display", "flex"), ("gap", f"{rng.randint(1, 6) * 4}px"),
                ("padding", f"{rng.randint(0, 8) * 4}px {rng.randint(0, 8) * 4}px"),
                ("color", f"#{rng.randrange(0x1000000):06x}"),
                ("border-radius", f"{rng.randint(0, 12)}px"),
                ("font-size", f"{rng.choice([12, 14, 16, 18, 24])}px"),
                ("align-items", "center"), ("margin", "0 auto"),
            ], rng.randint(2, 6))
        )
        rules.append(f"{sel} {{\n{props}}}\n")
    return "\n".join(rules)


def md_source(rng, title):
    paras = []
    for _ in range(rng.randint(2, 10)):
        words = [rng.choice(FEATURES + VERBS + [n.lower() for n in NOUNS]) for _ in range(rng.randint(20, 80))]
        paras.append(" ".join(words).capitalize() + ".")
    return f"# {title}\n\n" + "\n\n".join(paras) + "\n"


def json_source(rng):
    if rng.random() < 0.5:  # a locale file
        return jdump({f"{rng.choice(FEATURES)}.{camel(rng.choice(NOUNS))}.{rng.choice(VERBS)}": " ".join(
            rng.choice(FEATURES) for _ in range(rng.randint(2, 8))) for _ in range(rng.randint(5, 60))})
    return jdump([{f: rng.randint(0, 10000) if rng.random() < 0.5 else rng.choice(FEATURES)
                   for f in rng.sample(FIELDS, 5)} for _ in range(rng.randint(2, 25))])


PNG_HEADER = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


def binary_image(rng, ext):
    n = rng.randint(200, 3000)
    body = rng.randbytes(n)
    if ext == "png":
        return PNG_HEADER + b"\x00\x00\x00\x20\x00\x00\x00\x20\x08\x06\x00\x00\x00" + body
    if ext == "jpg":
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + body + b"\xff\xd9"
    if ext == "ico":
        return b"\x00\x00\x01\x00\x01\x00" + body
    return b"wOF2\x00\x01\x00\x00" + body  # woff2


def svg_source(rng):
    paths = "".join(
        f'  <path d="M{rng.randint(0, 24)} {rng.randint(0, 24)}L{rng.randint(0, 24)} {rng.randint(0, 24)}Z" />\n'
        for _ in range(rng.randint(1, 6))
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor">\n{paths}</svg>\n'


# --------------------------------------------------------------------------
# Workspace definitions


def plan_apps(rng, n, health_ratio=0.55, service_ops=False):
    """(name, framework, traits) for n apps, deterministic.

    With `service_ops`, every app is a deployable service of its own (the
    shape of a platform team's monorepo): a Dockerfile, its own compose file
    and Kubernetes manifests, and deploy/backup scripts for a tenth of them.
    """
    # 45% Next.js (two thirds App Router), the rest Express, Fastify, NestJS.
    kinds = ["next-app", "next-pages", "next-app", "express", "nest", "fastify", "express", "nest",
             "next-app", "next-pages", "next-app", "express", "nest", "fastify", "express", "nest",
             "next-app", "next-pages", "fastify", "next-app"]
    apps = []
    counters = {"front": 0, "service": 0}
    for i in range(n):
        kind = kinds[i % len(kinds)]
        group, names = ("front", FRONTEND_NAMES) if kind.startswith("next") else ("service", SERVICE_NAMES)
        k = counters[group]
        counters[group] += 1
        name = names[k] if k < len(names) else f"{names[k % len(names)]}-{k // len(names) + 1}"
        traits = {
            "dockerfile": rng.random() < 0.5,
            "health": rng.random() < health_ratio,
            "prisma": None,
            "sentry_env": rng.random() < 0.35,
            "sentry_sdk": rng.random() < 0.5,
            "datadog_env": rng.random() < 0.1,
            "redis": rng.random() < 0.4,
            "deploy_script": False,
            "backup_script": False,
            "uses_db_package": rng.random() < 0.3,
        }
        r = rng.random()
        if r < 0.12:
            traits["prisma"] = "sqlite"
        elif r < 0.45:
            traits["prisma"] = "postgresql"
        apps.append((name, kind, traits))
    # A few deploy and backup scripts, spread over the apps.
    deploys, backups = (max(4, n // 10), max(3, n // 12)) if service_ops else (4, 3)
    for i in rng.sample(range(n), min(n, deploys)):
        apps[i][2]["deploy_script"] = True
    for i in rng.sample(range(n), min(n, backups)):
        apps[i][2]["backup_script"] = True
    for _, _, traits in apps:
        traits["service_ops"] = service_ops
        if service_ops:
            traits["dockerfile"] = True
    return apps


def framework_deps(kind, traits, rng):
    deps = {}
    dev = {"typescript": "^5.6.3", "@types/node": "^22.9.0", "eslint": "^9.14.0", "vitest": "^2.1.4"}
    if kind.startswith("next"):
        deps.update({"next": "15.0.3", "react": "19.0.0-rc-66855b96-20241106", "react-dom": "19.0.0-rc-66855b96-20241106"})
        dev["@types/react"] = "^18.3.12"
    elif kind == "express":
        deps.update({"express": "^4.21.1", "cors": "^2.8.5", "helmet": "^8.0.0"})
        dev.update({"@types/express": "^5.0.0", "tsx": "^4.19.2"})
    elif kind == "fastify":
        deps.update({"fastify": "^5.1.0", "@fastify/cors": "^10.0.1"})
        dev["tsx"] = "^4.19.2"
    elif kind == "nest":
        deps.update({"@nestjs/core": "^10.4.7", "@nestjs/common": "^10.4.7", "@nestjs/platform-express": "^10.4.7",
                     "reflect-metadata": "^0.2.2", "rxjs": "^7.8.1"})
        dev["@nestjs/cli"] = "^10.4.7"
        if traits["health"] and rng.random() < 0.5:
            deps["@nestjs/terminus"] = "^10.2.3"
            traits["health"] = "terminus"
    for lib in rng.sample(NPM_LIBS, rng.randint(3, 9)):
        deps.setdefault(lib, f"^{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}")
    if traits["prisma"]:
        deps["@prisma/client"] = "^5.22.0"
        dev["prisma"] = "^5.22.0"
    if traits["redis"]:
        deps["ioredis"] = "^5.4.1"
    if traits["sentry_sdk"]:
        deps["@sentry/nextjs" if kind.startswith("next") else "@sentry/node"] = "^8.38.0"
    return deps, dev


def scripts_for(kind):
    if kind.startswith("next"):
        return {"dev": "next dev", "build": "next build", "start": "next start", "lint": "next lint", "test": "vitest run"}
    if kind == "nest":
        return {"build": "nest build", "start": "nest start", "start:dev": "nest start --watch",
                "start:prod": "node dist/main", "test": "vitest run"}
    return {"dev": "tsx watch src/server.ts", "build": "tsc -p tsconfig.build.json",
            "start": "node dist/server.js", "test": "vitest run"}


def dockerfile(kind, name):
    if kind.startswith("next"):
        run = 'CMD ["node", "server.js"]'
        copy = "COPY --from=build /repo/apps/{n}/.next/standalone ./\nCOPY --from=build /repo/apps/{n}/.next/static ./apps/{n}/.next/static".format(n=name)
    else:
        run = 'CMD ["node", "dist/{}"]'.format("main.js" if kind == "nest" else "server.js")
        copy = f"COPY --from=build /repo/apps/{name}/dist ./dist\nCOPY --from=build /repo/node_modules ./node_modules"
    return f"""# syntax=docker/dockerfile:1
FROM node:22-alpine AS deps
WORKDIR /repo
RUN corepack enable
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps/{name}/package.json apps/{name}/
RUN pnpm install --frozen-lockfile --filter {name}...

FROM deps AS build
COPY . .
RUN pnpm turbo run build --filter={name}

FROM node:22-alpine AS runtime
WORKDIR /app
ENV NODE_ENV=production
USER node
{copy}
EXPOSE 3000
{run}
"""


def service_compose(rng, name, traits):
    """A service's own compose file: the app, its database and cache."""
    deps = ["postgres"] + (["redis"] if traits["redis"] else [])
    out = [f"services:\n  {name}:\n    build:\n      context: ../..\n      dockerfile: apps/{name}/Dockerfile\n"
           f"    image: registry.example.com/acme/{name}:latest\n    restart: unless-stopped\n"
           f"    env_file: .env\n    ports: ['{3000 + rng.randint(0, 999)}:3000']\n"
           f"    depends_on: [{', '.join(deps)}]\n"]
    out.append("  postgres:\n    image: postgres:16\n    restart: unless-stopped\n"
               "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}\n"
               "    volumes: ['pgdata:/var/lib/postgresql/data']\n")
    if traits["redis"]:
        out.append("  redis:\n    image: redis:7-alpine\n    restart: unless-stopped\n")
    out.append("volumes:\n  pgdata: {}\n")
    return "".join(out)


def k8s_deployment(rng, name, traits):
    probe = "/api/health" if traits["health"] else "/"
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: {rng.choice([1, 2, 3])}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: {name}
          image: registry.example.com/acme/{name}:1.{rng.randint(0, 40)}.{rng.randint(0, 9)}
          ports:
            - containerPort: 3000
          envFrom:
            - secretRef: {{name: {name}-env}}
          readinessProbe:
            httpGet: {{path: {probe}, port: 3000}}
          resources:
            requests: {{cpu: 100m, memory: 256Mi}}
            limits: {{memory: 512Mi}}
"""


def k8s_service(name):
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
  ports:
    - port: 80
      targetPort: 3000
"""


def prisma_schema(rng, provider, app):
    url = 'env("DATABASE_URL")' if provider == "postgresql" else ('"file:./dev.db"' if rng.random() < 0.5 else 'env("DATABASE_URL")')
    models = []
    for feat in rng.sample(FEATURES, rng.randint(3, 8)):
        fields = "".join(
            f"  {f:<12} {rng.choice(['String', 'Int', 'Boolean', 'DateTime', 'String?', 'Json'])}\n"
            for f in rng.sample(FIELDS[1:], rng.randint(3, 8))
        )
        models.append(f"model {pascal(singular(feat))} {{\n  id           String   @id @default(cuid())\n{fields}}}\n")
    return (
        f"// Prisma schema for {app}\n\ngenerator client {{\n  provider = \"prisma-client-js\"\n}}\n\n"
        f"datasource db {{\n  provider = \"{provider}\"\n  url      = {url}\n}}\n\n" + "\n".join(models)
    )


def env_example(rng, kind, traits):
    lines = ["# Copy to .env and fill in.", "NODE_ENV=development", f"PORT={rng.choice([3000, 3001, 4000, 8080])}"]
    if traits["prisma"] == "sqlite":
        lines.append('DATABASE_URL="file:./dev.db"')
    elif traits["prisma"] == "postgresql" or traits["uses_db_package"]:
        lines.append("DATABASE_URL=postgresql://app:app@localhost:5432/app?schema=public")
    if traits["redis"]:
        lines.append("REDIS_URL=redis://localhost:6379")
    if traits["sentry_env"]:
        lines.append("NEXT_PUBLIC_SENTRY_DSN=" if kind.startswith("next") else "SENTRY_DSN=")
    if traits["datadog_env"]:
        lines.append("DD_API_KEY=")
    for feat in rng.sample(FEATURES, rng.randint(1, 5)):
        lines.append(f"{feat.upper()}_API_URL=https://{feat}.internal.example.com")
    return "\n".join(lines) + "\n"


SIMPLE_SCRIPTS = {
    "dev.sh": "#!/usr/bin/env bash\nset -euo pipefail\ncd \"$(dirname \"$0\")/..\"\ncp -n .env.example .env || true\npnpm install\npnpm dev\n",
    "lint.sh": "#!/usr/bin/env bash\nset -euo pipefail\npnpm exec eslint . --max-warnings 0\npnpm exec tsc --noEmit\n",
    "test.sh": "#!/usr/bin/env bash\nset -euo pipefail\nexport NODE_ENV=test\npnpm exec vitest run --coverage \"$@\"\n",
    "codegen.sh": "#!/bin/sh\nset -e\nfor f in src/**/*.graphql; do\n  echo \"generating $f\"\ndone\npnpm exec graphql-codegen --config codegen.ts\n",
}


def deploy_script(rng, name):
    host = f"{rng.choice(['prod', 'app', 'web'])}-{rng.randint(1, 4)}.example.com"
    return f"""#!/usr/bin/env bash
# Deploys {name} to the production VPS.
set -euo pipefail
HOST=deploy@{host}
pnpm turbo run build --filter={name}
rsync -avz --delete dist/ "$HOST:/srv/{name}/dist/"
rsync -avz package.json "$HOST:/srv/{name}/"
ssh "$HOST" "cd /srv/{name} && npm ci --omit=dev && pm2 reload {name}"
echo "deployed {name} to {host}"
"""


def backup_script(rng, name, offsite):
    out = f"/var/backups/{name}/db-$(date +%F).sql.gz"
    ship = f'aws s3 cp "{out}" "s3://acme-backups/{name}/"\n' if offsite else ""
    return f"""#!/usr/bin/env bash
# Nightly database backup for {name} (cron: 0 3 * * *).
set -euo pipefail
mkdir -p /var/backups/{name}
pg_dump "$DATABASE_URL" | gzip > "{out}"
find /var/backups/{name} -name '*.sql.gz' -mtime +14 -delete
{ship}"""


# --------------------------------------------------------------------------
# Route files per framework


def express_routes(rng, res, health):
    r = camel(res) + "Router"
    one = singular(res)
    body = (
        "import { Router } from 'express';\n"
        f"import {{ {pascal(res)}Service }} from '../services/{res}.service';\n\n"
        f"export const {r} = Router();\nconst service = new {pascal(res)}Service();\n\n"
        f"{r}.get('/{res}', async (req, res) => {{\n  res.json(await service.list(req.query));\n}});\n\n"
        f"{r}.get('/{res}/:id', async (req, res) => {{\n  const {one} = await service.find(req.params.id);\n"
        f"  if (!{one}) return res.status(404).json({{ error: 'not found' }});\n  res.json({one});\n}});\n\n"
        f"{r}.post('/{res}', async (req, res) => {{\n  res.status(201).json(await service.create(req.body));\n}});\n\n"
        f"{r}.delete('/{res}/:id', async (req, res) => {{\n  await service.remove(req.params.id);\n  res.status(204).end();\n}});\n"
    )
    return ts_source(rng, suffix="\n" + body)


def fastify_routes(rng, res):
    one = singular(res)
    body = (
        "import type { FastifyInstance } from 'fastify';\n\n"
        f"export default async function {camel(res)}Routes(fastify: FastifyInstance) {{\n"
        f"  fastify.get('/{res}', async (request) => fastify.{camel(res)}.list(request.query));\n"
        f"  fastify.get('/{res}/:id', async (request, reply) => {{\n"
        f"    const {one} = await fastify.{camel(res)}.find((request.params as {{ id: string }}).id);\n"
        f"    return {one} ?? reply.code(404).send({{ error: 'not found' }});\n  }});\n"
        f"  fastify.route({{ method: 'POST', url: '/{res}', handler: async (request) => fastify.{camel(res)}.create(request.body) }});\n"
        "}\n"
    )
    return ts_source(rng, suffix="\n" + body)


def nest_controller(rng, res):
    P = pascal(res)
    body = (
        "import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';\n"
        f"import {{ {P}Service }} from './{res}.service';\n\n"
        f"@Controller('{res}')\nexport class {P}Controller {{\n"
        f"  constructor(private readonly {camel(res)}: {P}Service) {{}}\n\n"
        f"  @Get()\n  findAll() {{\n    return this.{camel(res)}.findAll();\n  }}\n\n"
        f"  @Get(':id')\n  findOne(@Param('id') id: string) {{\n    return this.{camel(res)}.findOne(id);\n  }}\n\n"
        f"  @Post()\n  create(@Body() dto: Create{pascal(singular(res))}Dto) {{\n    return this.{camel(res)}.create(dto);\n  }}\n\n"
        f"  @Delete(':id')\n  remove(@Param('id') id: string) {{\n    return this.{camel(res)}.remove(id);\n  }}\n}}\n"
    )
    return ts_source(rng, suffix="\n" + body)


def next_route_handler(rng, res):
    body = (
        "import { NextResponse } from 'next/server';\n\n"
        f"export async function GET(request: Request) {{\n  const url = new URL(request.url);\n"
        f"  const items = await list{pascal(res)}({{ page: Number(url.searchParams.get('page') ?? 1) }});\n"
        "  return NextResponse.json(items);\n}\n\n"
        f"export async function POST(request: Request) {{\n  const body = await request.json();\n"
        f"  return NextResponse.json(await create{pascal(singular(res))}(body), {{ status: 201 }});\n}}\n"
    )
    return ts_source(rng, suffix="\n" + body)


def next_api_route(rng, res):
    body = (
        "import type { NextApiRequest, NextApiResponse } from 'next';\n\n"
        "export default async function handler(req: NextApiRequest, res: NextApiResponse) {\n"
        f"  if (req.method === 'GET') return res.status(200).json(await list{pascal(res)}(req.query));\n"
        f"  if (req.method === 'POST') return res.status(201).json(await create{pascal(singular(res))}(req.body));\n"
        "  res.setHeader('Allow', 'GET, POST');\n  res.status(405).end();\n}\n"
    )
    return ts_source(rng, suffix="\n" + body)


# --------------------------------------------------------------------------
# Generation


def make_app(tree, rng, name, kind, traits, quota, db_package):
    base = f"apps/{name}"
    start = tree.count
    deps, dev = framework_deps(kind, traits, rng)
    if traits["uses_db_package"]:
        deps[db_package] = "workspace:*"
    for pkg in rng.sample(["ui", "utils", "logger", "config", "types", "api-client", "auth", "i18n"], rng.randint(1, 5)):
        deps[f"@acme/{pkg}"] = "workspace:*"
    manifest = {
        "name": f"@acme/{name}", "version": "0.0.0", "private": True,
        "scripts": scripts_for(kind), "dependencies": dict(sorted(deps.items())),
        "devDependencies": dict(sorted(dev.items())),
    }
    tree.write(f"{base}/package.json", jdump(manifest))
    tree.write(f"{base}/tsconfig.json", jdump({"extends": "@acme/tsconfig/base.json",
                                               "compilerOptions": {"outDir": "dist", "baseUrl": "."},
                                               "include": ["src", "app", "pages", "components", "lib"]}))
    tree.write(f"{base}/README.md", md_source(rng, f"{name}"))
    tree.write(f"{base}/.env.example", env_example(rng, kind, traits))
    tree.write(f"{base}/.eslintrc.json", jdump({"extends": ["@acme/eslint-config"]}))
    if traits["dockerfile"]:
        tree.write(f"{base}/Dockerfile", dockerfile(kind, name))
        tree.write(f"{base}/.dockerignore", "node_modules\n.next\ndist\n.env\n")
    if traits["service_ops"]:
        tree.write(f"{base}/docker-compose.yml", service_compose(rng, name, traits))
        tree.write(f"{base}/k8s/deployment.yaml", k8s_deployment(rng, name, traits))
        tree.write(f"{base}/k8s/service.yaml", k8s_service(name))
    if traits["prisma"]:
        tree.write(f"{base}/prisma/schema.prisma", prisma_schema(rng, traits["prisma"], name))
        for m in range(rng.randint(1, 6)):
            tree.write(f"{base}/prisma/migrations/2024{m + 1:02d}0{rng.randint(1, 9)}120000_m{m}/migration.sql",
                       f"-- migration {m}\nCREATE TABLE \"{pascal(rng.choice(FEATURES))}\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n")
    for script in rng.sample(sorted(SIMPLE_SCRIPTS), rng.randint(1, 3)):
        tree.write(f"{base}/scripts/{script}", SIMPLE_SCRIPTS[script])
    if traits["deploy_script"]:
        tree.write(f"{base}/scripts/deploy.sh", deploy_script(rng, name))
    if traits["backup_script"]:
        tree.write(f"{base}/scripts/backup-db.sh", backup_script(rng, name, offsite=rng.random() < 0.34))

    # A service of the many-services shape is small (~50 files in all).
    resources = rng.sample(FEATURES, rng.randint(2, 4) if traits["service_ops"] else rng.randint(4, 12))
    if kind.startswith("next"):
        tree.write(f"{base}/next.config.mjs",
                   "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  output: 'standalone',\n"
                   "  reactStrictMode: true,\n  transpilePackages: ['@acme/ui'],\n};\n\nexport default nextConfig;\n")
        tree.write(f"{base}/next-env.d.ts", "/// <reference types=\"next\" />\n/// <reference types=\"next/image-types/global\" />\n")
        if kind == "next-app":
            tree.write(f"{base}/app/layout.tsx", ts_source(rng, tsx=True))
            tree.write(f"{base}/app/page.tsx", ts_source(rng, tsx=True))
            tree.write(f"{base}/app/globals.css", css_source(rng))
            for res in resources:
                tree.write(f"{base}/app/api/{res}/route.ts", next_route_handler(rng, res))
                tree.write(f"{base}/app/api/{res}/[id]/route.ts", next_route_handler(rng, res))
                tree.write(f"{base}/app/(dashboard)/{res}/page.tsx", ts_source(rng, tsx=True))
                tree.write(f"{base}/app/(dashboard)/{res}/[id]/page.tsx", ts_source(rng, tsx=True))
                tree.write(f"{base}/app/(dashboard)/{res}/loading.tsx", ts_source(rng, tsx=True))
            if traits["health"]:
                tree.write(f"{base}/app/api/health/route.ts",
                           "export const dynamic = 'force-dynamic';\n\nexport function GET() {\n"
                           "  return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });\n}\n")
            else:  # a page named status is not a health route
                tree.write(f"{base}/app/(marketing)/status/page.tsx", ts_source(rng, tsx=True))
        else:
            tree.write(f"{base}/pages/_app.tsx", ts_source(rng, tsx=True))
            tree.write(f"{base}/pages/index.tsx", ts_source(rng, tsx=True))
            for res in resources:
                tree.write(f"{base}/pages/api/{res}/index.ts", next_api_route(rng, res))
                tree.write(f"{base}/pages/api/{res}/[id].ts", next_api_route(rng, res))
                tree.write(f"{base}/pages/{res}/index.tsx", ts_source(rng, tsx=True))
                tree.write(f"{base}/pages/{res}/[id].tsx", ts_source(rng, tsx=True))
            if traits["health"]:
                tree.write(f"{base}/pages/api/healthz.ts",
                           "import type { NextApiRequest, NextApiResponse } from 'next';\n\n"
                           "export default function handler(_req: NextApiRequest, res: NextApiResponse) {\n"
                           "  res.setHeader('Cache-Control', 'no-store');\n  res.status(200).json({ status: 'ok' });\n}\n")
        roots = ["components", "lib", "hooks", "styles", "public"]
    else:
        tree.write(f"{base}/tsconfig.build.json", jdump({"extends": "./tsconfig.json", "exclude": ["**/*.test.ts"]}))
        if kind == "express":
            uses = "".join(f"app.use('/api', {camel(r)}Router);\n" for r in resources)
            imports = "".join(f"import {{ {camel(r)}Router }} from './routes/{r}';\n" for r in resources)
            health = "app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));\n" if traits["health"] else ""
            tree.write(f"{base}/src/app.ts", ts_source(rng, prefix=(
                "import express from 'express';\nimport helmet from 'helmet';\n" + imports),
                suffix="\nexport const app = express();\napp.use(helmet());\napp.use(express.json());\n" + uses + health))
            tree.write(f"{base}/src/server.ts", "import { app } from './app';\n\nconst port = Number(process.env.PORT ?? 3000);\n"
                       "app.listen(port, () => console.log(`listening on ${port}`));\n")
            for res in resources:
                tree.write(f"{base}/src/routes/{res}.ts", express_routes(rng, res, traits["health"]))
                tree.write(f"{base}/src/services/{res}.service.ts", ts_source(rng))
        elif kind == "fastify":
            regs = "".join(f"await app.register(import('./routes/{r}'), {{ prefix: '/api' }});\n" for r in resources)
            health = ("app.route({ method: 'GET', url: '/health/ready', handler: async () => ({ status: 'ok' }) });\n"
                      if traits["health"] else "")
            tree.write(f"{base}/src/server.ts", ts_source(rng, prefix="import Fastify from 'fastify';\n",
                       suffix="\nconst app = Fastify({ logger: true });\n" + regs + health +
                       "await app.listen({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });\n"))
            for res in resources:
                tree.write(f"{base}/src/routes/{res}.ts", fastify_routes(rng, res))
                tree.write(f"{base}/src/plugins/{res}.ts", ts_source(rng))
        else:
            tree.write(f"{base}/src/main.ts", "import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\n\n"
                       "async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n"
                       "  await app.listen(process.env.PORT ?? 3000);\n}\nbootstrap();\n")
            tree.write(f"{base}/src/app.module.ts", ts_source(rng))
            tree.write(f"{base}/nest-cli.json", jdump({"collection": "@nestjs/schematics", "sourceRoot": "src"}))
            for res in resources:
                tree.write(f"{base}/src/{res}/{res}.controller.ts", nest_controller(rng, res))
                tree.write(f"{base}/src/{res}/{res}.service.ts", ts_source(rng))
                tree.write(f"{base}/src/{res}/{res}.module.ts", ts_source(rng))
                tree.write(f"{base}/src/{res}/dto/create-{singular(res)}.dto.ts", ts_source(rng))
            if traits["health"]:
                tree.write(f"{base}/src/health/health.controller.ts",
                           "import { Controller, Get } from '@nestjs/common';\n\n@Controller('health')\n"
                           "export class HealthController {\n  @Get()\n  check() {\n    return { status: 'ok' };\n  }\n}\n")
        roots = ["src/modules", "src/lib", "src/common", "test", "docs"]
    fill(tree, rng, base, roots, quota - (tree.count - start), app=True)


def make_package(tree, rng, name, quota):
    base = f"packages/{name}"
    start = tree.count
    deps = {lib: f"^{rng.randint(1, 9)}.{rng.randint(0, 20)}.0" for lib in rng.sample(NPM_LIBS, rng.randint(0, 5))}
    peer = {}
    if name in ("ui", "hooks", "forms", "tables", "layout", "charts", "icons", "editor", "animations"):
        peer = {"react": "^18 || ^19"}
        if name in ("ui", "layout"):
            peer["next"] = ">=14"
    if name == "db":
        deps["@prisma/client"] = "^5.22.0"
    manifest = {"name": f"@acme/{name}", "version": "0.0.0", "private": True,
                "main": "./dist/index.js", "types": "./dist/index.d.ts",
                "exports": {".": {"import": "./dist/index.js", "types": "./dist/index.d.ts"}},
                "scripts": {"build": "tsup src/index.ts --dts", "test": "vitest run", "lint": "eslint ."},
                "dependencies": dict(sorted(deps.items())), "devDependencies": {"tsup": "^8.3.5", "typescript": "^5.6.3"}}
    if peer:
        manifest["peerDependencies"] = peer
    tree.write(f"{base}/package.json", jdump(manifest))
    tree.write(f"{base}/tsconfig.json", jdump({"extends": "@acme/tsconfig/base.json", "include": ["src"]}))
    tree.write(f"{base}/README.md", md_source(rng, f"@acme/{name}"))
    tree.write(f"{base}/src/index.ts", "".join(f"export * from './{camel(f)}';\n" for f in rng.sample(FEATURES, 6)))
    if name == "db":
        tree.write(f"{base}/prisma/schema.prisma", prisma_schema(rng, "postgresql", name))
        tree.write(f"{base}/.env.example", "DATABASE_URL=postgresql://app:app@localhost:5432/app\n")
    fill(tree, rng, base, ["src"], quota - (tree.count - start), app=False)


def fill(tree, rng, base, roots, n, app):
    """n more files of realistic kinds, in nested folders under base/roots."""
    if n <= 0:
        return
    dirs = []
    for _ in range(max(1, n // 14)):
        root = rng.choice(roots)
        depth = rng.randint(1, 3)
        parts = [rng.choice(FEATURES)] + [rng.choice(SUBAREAS) for _ in range(depth - 1)]
        dirs.append(f"{base}/{root}/" + "/".join(parts))
    used = set()
    weights = ([("tsx", 33), ("ts", 30), ("test", 8), ("css", 6), ("json", 6), ("md", 3),
                ("png", 4), ("svg", 4), ("jpg", 2), ("js", 2), ("dts", 2)] if app else
               [("tsx", 20), ("ts", 45), ("test", 12), ("css", 3), ("json", 6), ("md", 4),
                ("svg", 4), ("png", 1), ("js", 2), ("dts", 3)])
    kinds = [k for k, _ in weights]
    cum = [w for _, w in weights]
    made = 0
    while made < n:
        d = rng.choice(dirs)
        kind = rng.choices(kinds, cum)[0]
        stem = pascal(rng.choice(FEATURES)) + rng.choice(NOUNS) if kind in ("tsx", "css", "png", "svg", "jpg") \
            else camel(rng.choice(VERBS)) + pascal(rng.choice(FEATURES))
        ext = {"tsx": "tsx", "ts": "ts", "test": "test.ts", "css": "module.css", "json": "json", "md": "md",
               "png": "png", "svg": "svg", "jpg": "jpg", "js": "js", "dts": "d.ts"}[kind]
        if kind in ("png", "jpg", "svg") and app:
            d = f"{base}/public/images/{rng.choice(FEATURES)}"
        if kind == "test":
            d = d + "/__tests__"
        rel = f"{d}/{stem}.{ext}"
        if rel in used:
            stem += str(rng.randint(2, 99))
            rel = f"{d}/{stem}.{ext}"
            if rel in used:
                continue
        used.add(rel)
        if kind == "tsx":
            data = ts_source(rng, tsx=True)
        elif kind in ("ts", "js"):
            data = ts_source(rng)
        elif kind == "test":
            data = test_source(rng, stem)
        elif kind == "dts":
            data = "".join(ts_block(rng, False) for _ in range(rng.randint(1, 4))).replace("export function", "export declare function")
        elif kind == "css":
            data = css_source(rng)
        elif kind == "json":
            data = json_source(rng)
        elif kind == "md":
            data = md_source(rng, stem)
        elif kind == "svg":
            data = svg_source(rng)
        else:
            data = binary_image(rng, kind)
        tree.write(rel, data)
        made += 1


def make_root(tree, rng, apps, packages):
    tree.write("package.json", jdump({
        "name": "acme", "private": True, "packageManager": "pnpm@9.12.3",
        "workspaces": ["apps/*", "packages/*"],
        "scripts": {"build": "turbo run build", "dev": "turbo run dev --parallel", "lint": "turbo run lint",
                    "test": "turbo run test", "format": "prettier --write ."},
        "devDependencies": {"turbo": "^2.2.3", "prettier": "^3.3.3", "typescript": "^5.6.3"},
    }))
    tree.write("pnpm-workspace.yaml", "packages:\n  - 'apps/*'\n  - 'packages/*'\n")
    tree.write("turbo.json", jdump({"$schema": "https://turbo.build/schema.json", "tasks": {
        "build": {"dependsOn": ["^build"], "outputs": ["dist/**", ".next/**", "!.next/cache/**"]},
        "dev": {"cache": False, "persistent": True}, "lint": {}, "test": {"dependsOn": ["^build"]}}}))
    tree.write(".gitignore", "node_modules\ndist\n.next\n.turbo\ncoverage\n.env\n.env.local\n*.log\n")
    tree.write(".npmrc", "auto-install-peers=true\nstrict-peer-dependencies=false\n")
    tree.write(".nvmrc", "22\n")
    tree.write(".prettierrc", jdump({"singleQuote": True, "printWidth": 110}))
    tree.write("README.md", md_source(rng, "acme monorepo"))
    tree.write(".github/workflows/ci.yml", "name: CI\non: [push, pull_request]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
               "    steps:\n      - uses: actions/checkout@v4\n      - uses: pnpm/action-setup@v4\n"
               "      - run: pnpm install --frozen-lockfile\n      - run: pnpm turbo run lint test build\n")
    # A lockfile of realistic size (~1 KB per entry); nothing needs to read it.
    entries = []
    for i in range(600):
        lib = rng.choice(NPM_LIBS)
        entries.append(f"  /{lib}@{i % 9}.{i % 17}.{i % 5}:\n    resolution: {{integrity: sha512-{rng.getrandbits(256):064x}}}\n"
                       f"    engines: {{node: '>=18'}}\n    dependencies:\n      tslib: 2.8.1\n    dev: false\n")
    tree.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\npackages:\n\n" + "\n".join(entries))
    # Compose for local development: builds some of the dockerised services.
    services = []
    for name, kind, traits in apps:
        if traits["dockerfile"] and not kind.startswith("next") and len(services) < 6:
            services.append(f"  {name}:\n    build:\n      context: .\n      dockerfile: apps/{name}/Dockerfile\n"
                            f"    env_file: apps/{name}/.env\n    depends_on: [postgres]\n")
    services.append("  postgres:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: app\n    ports: ['5432:5432']\n")
    services.append("  redis:\n    image: redis:7\n    ports: ['6379:6379']\n")
    tree.write("docker-compose.yml", "services:\n" + "".join(services))
    tree.write("scripts/bootstrap.sh", SIMPLE_SCRIPTS["dev.sh"])
    tree.write("scripts/release.sh", "#!/usr/bin/env bash\nset -euo pipefail\npnpm changeset version\npnpm install\n"
               "git commit -am 'chore: release'\npnpm changeset publish\n")
    tree.write("docs/architecture.md", md_source(rng, "Architecture"))


NM_PACKAGES = sorted(set(NPM_LIBS + [
    "react", "react-dom", "next", "express", "fastify", "typescript", "eslint", "vitest", "prettier",
    "@types/node", "@types/react", "@nestjs/core", "@nestjs/common", "@prisma/client", "prisma", "tslib",
    "turbo", "tsx", "esbuild", "rollup", "vite", "postcss", "tailwindcss", "autoprefixer", "debug", "ms",
    "semver", "chalk", "commander", "glob", "minimatch", "picomatch", "yargs", "ws", "undici", "@babel/core",
    "@babel/parser", "@babel/types", "@swc/core", "@swc/helpers", "core-js", "regenerator-runtime",
]))


def make_node_modules(tree, rng, n, workspaces):
    """n files of installed packages under node_modules folders (ignored)."""
    made = 0
    i = 0
    while made < n:
        # Three quarters at the root, the rest in per-workspace node_modules.
        base = "node_modules" if rng.random() < 0.75 else f"{rng.choice(workspaces)}/node_modules"
        pkg = NM_PACKAGES[i % len(NM_PACKAGES)]
        if i >= len(NM_PACKAGES):
            pkg = f"{pkg}-{i // len(NM_PACKAGES)}" if not pkg.startswith("@") else f"{pkg}-{i // len(NM_PACKAGES)}"
        i += 1
        root = f"{base}/{pkg}"
        tree.write(f"{root}/package.json", jdump({"name": pkg, "version": "1.0.0", "main": "dist/index.js"}))
        made += 1
        count = min(n - made, rng.randint(5, 120))
        for j in range(count):
            sub = rng.choice(["dist", "dist/esm", "dist/cjs", "lib", "types", "src"])
            ext = rng.choice(["js", "js", "mjs", "d.ts", "js.map", "cjs"])
            size = rng.randint(100, 2500)
            tree.write(f"{root}/{sub}/m{j}.{ext}", ("/* generated */ module.exports = " + "0," * (size // 2) + "0;\n")[:size])
        made += count


def make_shared_ops(tree, apps):
    """Repository-wide files that name every app, as platform teams keep
    them: a root compose file with one service per app, one Kubernetes
    folder for all workloads, a CI workflow with a job per app, a root
    Makefile with a deploy target per app, a root .env.example with each
    app's variables and a Helm values file. Every rule that asks "what
    deploys/builds/configures this app" then meets lists as long as the
    number of apps: the shape that exposes a per-app scan of repository-wide
    data (issue 12)."""
    names = [a[0] for a in apps]
    compose = ["services:"]
    for a in names:
        compose += [f"  {a}:", "    build:", "      context: .", f"      dockerfile: apps/{a}/Dockerfile",
                    f"    image: registry.example.com/acme/{a}:latest", "    restart: unless-stopped",
                    "    environment:", f"      SESSION_SECRET: ${{SESSION_SECRET:-dev-secret-{a}}}",
                    "      DATABASE_URL: postgres://app:app@postgres:5432/app",
                    "    depends_on: [postgres, redis]"]
    compose += ["  postgres:", "    image: postgres:16", "    environment:", "      POSTGRES_PASSWORD: postgres",
                "    ports: ['5432:5432']", "  redis:", "    image: redis:7"]
    tree.write("docker-compose.prod.yml", "\n".join(compose) + "\n")
    for a in names:
        tree.write(f"deploy/k8s/{a}.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {a}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {a}}}
  template:
    metadata:
      labels: {{app: {a}}}
    spec:
      containers:
        - name: {a}
          image: registry.example.com/acme/{a}:1.0.0
          ports: [{{containerPort: 3000}}]
---
apiVersion: v1
kind: Service
metadata:
  name: {a}
spec:
  selector: {{app: {a}}}
  ports: [{{port: 80, targetPort: 3000}}]
""")
    wf = ["name: deploy", "on: {push: {branches: [main]}}", "jobs:"]
    for a in names:
        wf += [f"  deploy-{a}:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: actions/checkout@v4",
               f"      - run: docker build -f apps/{a}/Dockerfile -t registry.example.com/acme/{a}:${{{{ github.sha }}}} .",
               f"      - run: docker push registry.example.com/acme/{a}:${{{{ github.sha }}}}",
               f"      - run: pnpm --filter {a} test"]
    tree.write(".github/workflows/deploy.yml", "\n".join(wf) + "\n")
    mk = [".PHONY: all", "all:"]
    for a in names:
        mk += [f"deploy-{a}:", f"\trsync -az apps/{a}/ deploy@prod.example.com:/srv/{a}/",
               f"\tssh deploy@prod.example.com 'pm2 restart {a}'"]
    tree.write("Makefile", "\n".join(mk) + "\n")
    tree.write(".env.example", "".join(f"{a.upper().replace('-', '_')}_URL=http://{a}:3000\n" for a in names))
    values = ["services:"]
    for a in names:
        values += [f"  {a}:", f"    image: registry.example.com/acme/{a}", "    replicas: 2"]
    tree.write("charts/acme/values.yaml", "\n".join(values) + "\n")
    tree.write("charts/acme/Chart.yaml", "apiVersion: v2\nname: acme\nversion: 1.0.0\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="directory to create")
    ap.add_argument("--files", type=int, default=100_000, help="files outside ignored folders (default 100000)")
    ap.add_argument("--node-modules-files", type=int, default=None,
                    help="files under node_modules (default: 60%% of --files, at least 50000 when --files >= 50000)")
    ap.add_argument("--apps", type=int, default=40)
    ap.add_argument("--packages", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--health-ratio", type=float, default=0.55,
                    help="share of apps that have a health route (default 0.55; 1 = all, 0 = none)")
    ap.add_argument("--service-ops", action="store_true",
                    help="every app is a service with its own Dockerfile, compose file and Kubernetes "
                         "manifests, and a tenth have deploy/backup scripts (the many-services shape)")
    ap.add_argument("--shared-ops", action="store_true",
                    help="also repository-wide files that name every app (a root compose file, one "
                         "Kubernetes folder, a CI job, a Makefile target and env variables per app)")
    ap.add_argument("--force", action="store_true", help="remove OUT first if it exists")
    ap.add_argument("--no-git", action="store_true", help="do not `git init` the tree")
    args = ap.parse_args()

    if os.path.exists(args.out):
        if not args.force:
            sys.exit(f"{args.out} exists; pass --force to replace it")
        shutil.rmtree(args.out)
    nm = args.node_modules_files
    if nm is None:
        nm = max(int(args.files * 0.6), 50_000 if args.files >= 50_000 else 0)

    rng = random.Random(args.seed)
    tree = Tree(args.out)
    apps = plan_apps(rng, args.apps, args.health_ratio, args.service_ops)
    pkgs = [PACKAGE_NAMES[i] if i < len(PACKAGE_NAMES) else f"lib-{i}" for i in range(args.packages)]
    make_root(tree, rng, apps, pkgs)
    if args.shared_ops:
        make_shared_ops(tree, apps)

    # Split the remaining files: apps 60%, packages 40%, uneven per workspace.
    remaining = max(0, args.files - tree.count)
    app_w = [rng.uniform(0.3, 2.0) for _ in apps]
    pkg_w = [rng.uniform(0.2, 2.0) for _ in pkgs]
    app_total = int(remaining * 0.6) if pkgs else remaining
    pkg_total = remaining - app_total if pkgs else 0

    def split(total, weights):
        s = sum(weights) or 1
        out = [int(total * w / s) for w in weights]
        for k in range(total - sum(out)):
            out[k % len(out)] += 1
        return out

    db_package = "@acme/db"
    for (name, kind, traits), quota in zip(apps, split(app_total, app_w) if apps else []):
        make_app(tree, rng, name, kind, traits, quota, db_package)
    for name, quota in zip(pkgs, split(pkg_total, pkg_w) if pkgs else []):
        make_package(tree, rng, name, quota)
    listed = tree.count
    listed_bytes = tree.bytes

    workspaces = [f"apps/{a[0]}" for a in apps] + [f"packages/{p}" for p in pkgs]
    make_node_modules(tree, rng, nm, workspaces or ["."])

    if not args.no_git:
        subprocess.run(["git", "init", "-q", args.out], check=True)

    print(f"generated {args.out}: {listed} files ({listed_bytes / 1e6:.1f} MB) outside node_modules, "
          f"{tree.count - listed} under node_modules, {tree.count} in all; "
          f"{len(apps)} apps, {len(pkgs)} packages, seed {args.seed}")


if __name__ == "__main__":
    main()
