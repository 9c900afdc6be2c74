//! missing-container-config for Next.js: a multi-stage Dockerfile for
//! `output: 'standalone'`, a `.dockerignore`, a `compose.yaml` with the
//! services the app uses, and `output: 'standalone'` in next.config.

use super::config;
use crate::fix::profile::{Database, PackageManager, Profile};
use crate::fix::Builder;

/// The Node.js line the images use (the active LTS late 2026).
pub const NODE_MAJOR: u32 = 22;
/// The official image's non-root user and its uid (manifests need the uid).
pub const RUNTIME_USER: &str = "node";
pub const RUNTIME_UID: u32 = 1000;
/// Where the runtime image keeps the Prisma CLI for `migrate deploy`: the
/// standalone output has neither the CLI nor the migrations.
pub const PRISMA_CLI: &str = "/opt/prisma-cli/node_modules/prisma/build/index.js";

pub fn plan(p: &Profile, b: &mut Builder) -> Result<(), String> {
    let root_lockfile = [
        "pnpm-lock.yaml",
        "yarn.lock",
        "package-lock.json",
        "bun.lock",
        "bun.lockb",
    ]
    .iter()
    .any(|f| b.exists(f));
    if !p.dir.is_empty()
        && p.lockfile.is_none()
        && (root_lockfile || b.exists("pnpm-workspace.yaml"))
    {
        return Err("a workspace app: build its image from the workspace root (turbo prune / pnpm deploy); seaworthy does not generate that yet".to_string());
    }
    // 1. next.config: output: 'standalone'.
    let config_rel = match &p.next_config {
        Some(file) => p.join(file),
        None => p.join("next.config.js"),
    };
    match b.read(&config_rel) {
        Some(text) => {
            let mut edited = text.clone();
            let has_output = config::has_key(&text, "output");
            if has_output && !text.contains("standalone") {
                return Err(format!(
                    "{config_rel} sets `output` to something other than \"standalone\"; the Dockerfile needs the standalone server"
                ));
            }
            // The image serves the internet directly: Next.js announces
            // itself in `X-Powered-By` unless told not to (the probe
            // reports the header). A project that set it keeps its choice.
            // (Added first: each property goes in first, so `output` leads.)
            if !config::has_key(&edited, "poweredByHeader") {
                if let Ok(with) = config::add_property(&edited, "poweredByHeader: false,") {
                    edited = with;
                }
            }
            if !has_output {
                edited = config::add_property(&edited, "output: \"standalone\",").map_err(
                    |why| {
                        format!(
                            "{config_rel} is too complex to edit safely ({why}); add `output: \"standalone\"` to it by hand and run `seaworthy fix` again"
                        )
                    },
                )?;
            }
            if edited != text {
                b.modify(&config_rel, edited);
            }
        }
        None => {
            b.create(
                &config_rel,
                "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  output: \"standalone\",\n  poweredByHeader: false,\n};\n\nmodule.exports = nextConfig;\n".to_string(),
                false,
            );
        }
    }

    // 2. Dockerfile and .dockerignore.
    b.create(&p.join("Dockerfile"), dockerfile(p, b), false);
    b.create(&p.join(".dockerignore"), dockerignore(p), false);

    // 3. compose.yaml, unless the app already has a compose file.
    let compose_written = crate::fix::compose::create_unless_present(b, p);

    let next = p
        .next
        .map(|v| format!("Next.js {v}"))
        .unwrap_or_else(|| "Next.js (version not pinned; templates target 15)".to_string());
    b.assume(format!(
        "{next} with `output: \"standalone\"`, on node:{NODE_MAJOR}-slim (Debian), running as the image's `{RUNTIME_USER}` user (uid {RUNTIME_UID}) on port {}.",
        p.port
    ));
    if let Some(prisma) = &p.prisma {
        b.assume(format!(
            "Prisma {}: `prisma generate` runs before `next build`; OpenSSL is installed for its engines; the image keeps the Prisma CLI ({}) and prisma/ for `migrate deploy` as a release step.",
            prisma.version.map(|v| v.to_string()).unwrap_or_else(|| "(version unknown)".to_string()),
            prisma.cli_spec
        ));
        if let Some(note) = prisma.db_push_note(p.exec()) {
            b.assume(note);
        }
        if prisma.version.is_some_and(|v| v.major >= 7) {
            b.manual("Prisma 7 keeps the datasource URL in prisma.config.ts and needs a driver adapter: check that the image copies prisma.config.ts and that `migrate deploy` finds it.");
        }
    }
    if p.lockfile.is_none() {
        b.manual(format!(
            "No lockfile: the image runs `{}` and resolves versions at build time. Commit the lockfile `{}` creates, then switch the Dockerfile to `npm ci` for reproducible builds.",
            p.install_command(),
            p.install_command()
        ));
    }
    b.next(format!(
        "docker build -t {}:{} {}",
        p.name,
        p.package_version.as_deref().unwrap_or("dev"),
        if p.dir.is_empty() { "." } else { &p.dir }
    ));
    let mut passwords: Vec<&str> = Vec::new();
    match p.database {
        Database::Postgres => passwords.push("POSTGRES_PASSWORD"),
        Database::Mysql => passwords.push("MYSQL_PASSWORD/MYSQL_ROOT_PASSWORD"),
        _ => {}
    }
    if p.redis.is_some() {
        passwords.push("REDIS_PASSWORD");
    }
    // The project's own compose file does not build the app until the
    // service of the step to do by hand is added: no `up` command for it.
    if compose_written && passwords.is_empty() {
        b.next("docker compose up --build");
    } else if compose_written {
        b.next(format!(
            "docker compose up --build (with {} set)",
            passwords.join(" and ")
        ));
    }
    Ok(())
}

/// The commands of the dependency stage for the package manager.
fn install_lines(p: &Profile, b: &Builder) -> (String, String) {
    let berry = b.exists(&p.join(".yarnrc.yml"));
    match (p.manager, p.lockfile.as_deref()) {
        (PackageManager::Npm, Some(lock)) => (
            format!("COPY package.json {lock} ./"),
            "RUN --mount=type=cache,target=/root/.npm npm ci".to_string(),
        ),
        (PackageManager::Npm, None) => (
            "COPY package.json ./".to_string(),
            "# No lockfile in the repository: `npm install` resolves versions at build\n# time. Commit package-lock.json and use `npm ci` instead.\nRUN --mount=type=cache,target=/root/.npm npm install".to_string(),
        ),
        (PackageManager::Yarn, lock) if berry => (
            format!("COPY package.json {} .yarnrc.yml ./", lock.unwrap_or("yarn.lock")),
            "RUN corepack enable && yarn install --immutable".to_string(),
        ),
        (PackageManager::Yarn, lock) => (
            format!("COPY package.json {} ./", lock.unwrap_or("yarn.lock")),
            "RUN --mount=type=cache,target=/usr/local/share/.cache/yarn corepack enable && yarn install --frozen-lockfile".to_string(),
        ),
        (PackageManager::Pnpm, lock) => (
            format!("COPY package.json {} ./", lock.unwrap_or("pnpm-lock.yaml")),
            "RUN --mount=type=cache,target=/root/.local/share/pnpm/store corepack enable && pnpm install --frozen-lockfile".to_string(),
        ),
        (PackageManager::Bun, lock) => (
            format!("COPY package.json {} ./", lock.unwrap_or("bun.lock")),
            "RUN npm install -g bun && bun install --frozen-lockfile".to_string(),
        ),
    }
}

fn run_script(p: &Profile, script: &str) -> String {
    match p.manager {
        PackageManager::Npm => format!("npm run {script}"),
        PackageManager::Yarn => format!("yarn {script}"),
        PackageManager::Pnpm => format!("corepack enable && pnpm run {script}"),
        PackageManager::Bun => format!("npm install -g bun && bun run {script}"),
    }
}

/// The exec-form HEALTHCHECK/compose test that fetches `path` with Node
/// (the slim image has no curl or wget).
pub fn node_probe(path: &str, port_expr: &str) -> String {
    format!(
        "fetch('http://127.0.0.1:'+({port_expr})+'{path}',{{signal:AbortSignal.timeout(4000)}}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
    )
}

pub fn dockerfile(p: &Profile, b: &Builder) -> String {
    let (copy_manifest, install) = install_lines(p, b);
    let prisma = p.prisma.as_ref();
    let schema_in_app = prisma.map(|pr| {
        pr.schema
            .strip_prefix(&format!("{}/", p.dir))
            .unwrap_or(&pr.schema)
            .to_string()
    });
    let schema_dir = schema_in_app
        .as_deref()
        .and_then(|s| s.rsplit_once('/').map(|(d, _)| d.to_string()));
    let mut out = String::new();
    let version = p
        .next
        .map(|v| format!("Next.js {}", v.major))
        .unwrap_or_else(|| "Next.js".to_string());
    out.push_str(&format!(
        "# syntax=docker/dockerfile:1\n# Generated by `seaworthy fix` for {version} with `output: \"standalone\"`.\n# Build: docker build -t {} .\n\n",
        p.name
    ));
    out.push_str(&format!("ARG NODE_VERSION={NODE_MAJOR}\n\n"));
    out.push_str("FROM node:${NODE_VERSION}-slim AS base\n");
    if prisma.is_some() {
        out.push_str("# Prisma's engines need OpenSSL, which the slim image lacks. (Debian\n# package versions are not pinned: they change with every point release.)\n# hadolint ignore=DL3008\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends openssl ca-certificates \\\n && rm -rf /var/lib/apt/lists/*\n");
    }
    out.push_str("WORKDIR /app\n\n");

    out.push_str("# 1. Dependencies, installed from the manifest and lockfile only, so this\n#    layer is rebuilt only when they change.\nFROM base AS deps\n");
    out.push_str(&copy_manifest);
    out.push('\n');
    if let Some(schema) = &schema_in_app {
        // @prisma/client's postinstall generates the client when it finds the schema.
        out.push_str(&format!("COPY {schema} ./{schema}\n"));
    }
    out.push_str(&install);
    out.push_str("\n\n");

    out.push_str("# 2. Build.\nFROM base AS builder\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nENV NEXT_TELEMETRY_DISABLED=1\n");
    let public = p.public_vars();
    if !public.is_empty() {
        out.push_str("# NEXT_PUBLIC_* values are inlined into the bundle at build time:\n# pass them with --build-arg.\n");
        for v in &public {
            out.push_str(&format!("ARG {v}\n"));
        }
    }
    let build_script = p.script("build").unwrap_or("next build");
    // One RUN for generate and build (hadolint DL3059: consecutive RUNs).
    if prisma.is_some() && !build_script.contains("prisma generate") {
        let exec = match p.manager {
            PackageManager::Pnpm => "corepack enable && pnpm exec",
            PackageManager::Yarn => "corepack enable && yarn",
            _ => "npx",
        };
        let build = run_script(p, "build");
        let build = build.strip_prefix("corepack enable && ").unwrap_or(&build);
        out.push_str(&format!("RUN {exec} prisma generate \\\n && {build}\n\n"));
    } else {
        out.push_str(&format!("RUN {}\n\n", run_script(p, "build")));
    }

    if let Some(pr) = prisma {
        out.push_str(&format!(
            "# 3. The Prisma CLI for `prisma migrate deploy` (a release step): the\n#    standalone output contains neither the CLI nor the migrations.\nFROM base AS prisma-cli\nWORKDIR /opt/prisma-cli\nRUN npm install --no-save --no-audit --no-fund \"prisma@{}\"\n\n",
            pr.cli_spec
        ));
    }

    out.push_str(
        "# Runtime: the standalone server only, as a non-root user.\nFROM base AS runner\n",
    );
    out.push_str(&format!(
        "ENV NODE_ENV=production \\\n    NEXT_TELEMETRY_DISABLED=1 \\\n    HOSTNAME=0.0.0.0 \\\n    PORT={}\n",
        p.port
    ));
    if prisma.is_some() {
        out.push_str("COPY --from=prisma-cli /opt/prisma-cli /opt/prisma-cli\n");
        if let Some(dir) = &schema_dir {
            out.push_str(&format!(
                "COPY --from=builder --chown={RUNTIME_USER}:{RUNTIME_USER} /app/{dir} ./{dir}\n"
            ));
        }
        if b.exists(&p.join("prisma.config.ts")) {
            out.push_str(&format!(
                "COPY --from=builder --chown={RUNTIME_USER}:{RUNTIME_USER} /app/prisma.config.ts ./\n"
            ));
        }
    }
    if p.database == Database::Sqlite {
        out.push_str(&format!(
            "# SQLite: the database file lives on a volume mounted here.\nRUN mkdir -p /app/data && chown {RUNTIME_USER}:{RUNTIME_USER} /app/data\n"
        ));
    }
    if b.tree.dir_exists(&p.join("public")) {
        out.push_str(&format!(
            "COPY --from=builder --chown={RUNTIME_USER}:{RUNTIME_USER} /app/public ./public\n"
        ));
    }
    out.push_str(&format!(
        "# The standalone output leaves out static assets; {d} stays writable\n# by the runtime user (image optimization cache).\nCOPY --from=builder --chown={u}:{u} /app/{d}/standalone ./\nCOPY --from=builder --chown={u}:{u} /app/{d}/static ./{d}/static\n",
        u = RUNTIME_USER,
        d = p.dist_dir
    ));
    out.push_str(&format!(
        "# The image's `{RUNTIME_USER}` user, numeric so Kubernetes can verify runAsNonRoot.\nUSER {RUNTIME_UID}:{RUNTIME_UID}\nEXPOSE {}\n",
        p.port
    ));
    if let Some((live, _)) = &p.health {
        out.push_str(&format!(
            "# Liveness: the process answers. Readiness is for the orchestrator and\n# compose: {}.\nHEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n  CMD [\"node\", \"-e\", \"{}\"]\n",
            p.ready_phrase(),
            node_probe(live, "process.env.PORT||3000")
        ));
    }
    out.push_str("CMD [\"node\", \"server.js\"]\n");
    out
}

pub fn dockerignore(p: &Profile) -> String {
    let mut out = String::from(
        "# Generated by `seaworthy fix`: keep the build context small and secrets out of the image.\n.git\nnode_modules\n**/node_modules\n",
    );
    if p.framework == crate::stack::Framework::NextJs {
        out.push_str(".next\n");
        if p.dist_dir != ".next" {
            out.push_str(&format!("{}\n", p.dist_dir));
        }
    }
    out.push_str(".env*\n!.env.example\nnpm-debug.log*\nyarn-error.log*\ncoverage\n");
    if p.prisma.is_some() || p.database == Database::Sqlite {
        out.push_str("**/*.db\n**/*.db-journal\n");
    }
    out.push_str("Dockerfile\n.dockerignore\ncompose.yaml\n");
    out
}
