//! dockerfile-runs-as-root: the production image's process runs as root.

use crate::facts::dockerfile::Dockerfile;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::containerization::dockerfiles::{
    self, base_image, chain, command_words, resolve_vars, variables_before, Target,
};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "dockerfile-runs-as-root",
        code: "SW102",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Container runs as root",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reads the stage a production Dockerfile builds its image from (the last
stage, or the compose `build.target`) and the stages it is built `FROM`, and
reports it when its process runs as root: the last `USER` is `root` or `0`,
or there is no `USER` at all. When compose services build several stages of
one Dockerfile (`target: web`, `target: worker`), each is an image of its own
and is judged with the `user:` of the services that build it.

It does not report when something else makes the process unprivileged:
- the base image already runs as a non-root user (distroless `:nonroot`,
  Chainguard `cgr.dev/chainguard/*`, `*-unprivileged`, .NET `chiseled`, Red Hat
  UBI language images, Bitnami);
- the base image is a server that manages its own user (PostgreSQL, MySQL,
  Redis, nginx, Apache/`php:*-apache`, `php:*-fpm`, Traefik, …);
- the entrypoint drops privileges (`gosu`, `su-exec`, `setpriv`, `runuser`,
  `s6-setuidgid`, `chpst`, `su`) — also inside an entrypoint script the
  Dockerfile copies, and through a variable the image's `ENV` sets
  (`exec ${EXEC_TOOL} "$PUID:$PGID" app` with `ENV EXEC_TOOL=gosu`) — or starts a daemon that switches user itself: by its
  own flag (`rspamd -u _rspamd`, `--user app`; not `python -u`, which is
  unbuffered output) or by design (nginx, Apache, php-fpm — also a distribution's versioned
  `php-fpm8.2` —, uWSGI, Postfix,
  Dovecot, Unbound, clamd: a root master, unprivileged workers);
- a supervisor starts the app as another user: s6-overlay's `/init` when
  the service `run` scripts in the build context (`s6-rc.d/<name>/run`,
  `services.d/<name>/run`) change user (`s6-setuidgid`, `chpst -u`, …), and
  `supervisord` when each `[program:x]` of its configuration has a
  non-root `user=` (or supervisord itself runs as one), runs a script of the
  build context that changes user (`exec gosu app …`), or is a daemon that
  does; a syslog beside the app (`syslog-ng`, `rsyslogd`) or a health
  probe (`[program:x-healthcheck]`) is not the app.
  The configuration read is the one the Dockerfile copies when it names one
  (in a repository of many images, another image's is not this one's). A
  supervisor whose service definitions are not in the repository is given
  the benefit of the doubt; one whose definitions start a program as root is
  reported, citing the script or configuration;
- every compose service that runs the image it publishes (named like its
  folder, or for a Dockerfile at the root or in a `docker/` folder like the
  project or like the namespaced images the compose files beside it run,
  `….docker-compose.yml` examples included) is `privileged: true`, is
  granted a capability that manages the host (`cap_add: NET_ADMIN`,
  `SYS_ADMIN`, `SYS_MODULE`, `SYS_RAWIO`) or is given the host's disks or
  kernel devices (`devices: /dev/sda`, `/dev/nvme0`, `/dev/net/tun`,
  `/dev/kmsg`; not `/dev/dri` or serial ports, which groups open), or is a
  host agent: the host's process namespace (`pid: host`), or the host's
  Docker socket (`/var/run/docker.sock`, which only root and the host's
  docker group open) in the host's network (`network_mode: host`; the
  socket alone is an API client and is still reported): a VPN server, a
  firewall manager, a S.M.A.R.T. collector or a host-monitoring agent is
  root by purpose. A variant Dockerfile in a
  folder named for no image (`internal/dockerfile_agent_alpine`) answers
  for the namespaced images named after its first word
  (`henrygd/beszel-agent`).
  With sibling Dockerfiles (`Dockerfile`, `Dockerfile.web`), the image tag
  names the variant (`:nightly-web`): each file answers for its own
  services, the plain one for those no sibling names;
- `USER` comes from a build argument with no default (set at build time);
- a compose service that builds it sets `user:`, or the repository's
  Kubernetes manifests set `runAsNonRoot: true` or a non-zero `runAsUser`;
- an explicit `USER root` that the file records as a reviewed decision:
  hadolint's check for it (DL3002) is switched off on that line (`#
  hadolint ignore=DL3002` right above it) or for the file (`# hadolint
  global ignore=DL3002`).

Development images (`Dockerfile.dev`, `.devcontainer/`, a final stage
that runs `npm run dev`, an image every compose service that builds it
bind-mounts the working copy over — `.:/app` onto its `WORKDIR /app`, or
the project's folder over an asset builder whose context holds only its
Dockerfile — and a Dockerfile only `make docker-dev`-style recipes build)
are
not production and are skipped, and so are
tool images: no `CMD`, `ENTRYPOINT` or `EXPOSE` and no compose service
building them (a toolchain image other builds start `FROM`, a code
generator run with `docker run --rm`), a container that only idles (`CMD
["sleep", "60s"]` for CI to copy files out of, `tail -f /dev/null` behind
`tini` for builds to be `docker exec`ed into), and a `FROM scratch` stage
that only carries a package for `docker build --output`.

## Why is this bad?
An exploited bug in the app or a dependency runs as root inside the
container: it can rewrite the app's code and any file of the image, and a
kernel or runtime escape lands as root on the host. Clusters that enforce
the `restricted` Pod Security standard (`runAsNonRoot`) refuse to start it.

## Example
### Reported
```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY --chown=node:node . .
RUN npm ci --omit=dev
CMD ["node", "server.js"]
```

### Not reported
```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY --chown=node:node . .
RUN npm ci --omit=dev
USER node
CMD ["node", "server.js"]
```

### Not reported
The base image runs as a non-root user already:

```dockerfile file=Dockerfile
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /app /app
ENTRYPOINT ["/app"]
```

### Not reported
A supervised program whose script switches user, beside a syslog daemon:

```dockerfile file=Dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends supervisor syslog-ng gosu \
  && useradd -r -u 999 groupware
COPY supervisord.conf /etc/supervisor/supervisord.conf
COPY bootstrap.sh /bootstrap.sh
EXPOSE 20000
CMD ["/usr/bin/supervisord", "-c", "/etc/supervisor/supervisord.conf"]
```

```ini file=supervisord.conf
[supervisord]
nodaemon=true

[program:syslog-ng]
command=/usr/sbin/syslog-ng --foreground --no-caps

[program:groupware]
command=/bootstrap.sh
```

```sh file=bootstrap.sh
#!/bin/bash
set -e
exec gosu groupware /usr/sbin/groupwared
```

### Not reported
Root recorded as a decision, on the line hadolint would flag:

```dockerfile file=Dockerfile
FROM alpine:3.21
RUN apk add --no-cache borgbackup
COPY start.sh /start.sh
ENTRYPOINT ["/start.sh"]
# hadolint ignore=DL3002
USER root
```

## Fix
Add a `USER` with a non-root user before `CMD`: the official `node` images
ship a `node` user; elsewhere create one
(`RUN useradd --system --uid 10001 app` / `adduser -S -u 10001 app` on
Alpine), give it only the folders it writes (`COPY --chown=…`), and switch to
it. For distroless bases use the `:nonroot` tag.

`seaworthy fix --unsafe` ends the image stage with `USER uid:gid` (numeric,
so `runAsNonRoot` can verify it) after every build step: the `node` user
(1000) of `node` images, a system user `app` (10001) created with `useradd`
on Debian/Ubuntu-based official images or `adduser -S` on Alpine, 65532 on
distroless. When build steps run after the files are copied the app folder
(`WORKDIR`) is chowned once; otherwise the copies get `--chown`. It is
unsafe because files the process writes outside its folder, and
entrypoints that expect root, can break.
"#;

/// Base images that run as a non-root user by default.
fn base_runs_unprivileged(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let (name, tag) = split_tag(&lower);
    name.starts_with("cgr.dev/chainguard/")
        || (name.starts_with("gcr.io/distroless/") && tag.contains("nonroot"))
        || name.ends_with("-unprivileged")
        || name.contains("bitnami/")
        || (name.starts_with("mcr.microsoft.com/dotnet/") && tag.contains("chiseled"))
        || (name.contains("/ubi")
            && name.rsplit('/').next().is_some_and(|last| {
                [
                    "nodejs-",
                    "python-",
                    "openjdk-",
                    "ruby-",
                    "php-",
                    "go-toolset",
                    "perl-",
                ]
                .iter()
                .any(|p| last.starts_with(p))
            }))
}

/// Base images known to run as root unless told otherwise: the official
/// language and distribution images, distroless without `:nonroot`, and
/// `scratch`. A project's or vendor's own image may set a user of its own,
/// so any other base is not reported.
const ROOT_BASES: &[&str] = &[
    "almalinux",
    "alpine",
    "amazoncorretto",
    "amazonlinux",
    "buildpack-deps",
    "busybox",
    "centos",
    "clojure",
    "dart",
    "debian",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "fedora",
    "golang",
    "gradle",
    "haskell",
    "ibm-semeru-runtimes",
    "julia",
    "maven",
    "node",
    "openjdk",
    "oven/bun",
    "perl",
    "php",
    "python",
    "rockylinux",
    "ruby",
    "rust",
    "sapmachine",
    "scratch",
    "swift",
    "tiangolo/uvicorn-gunicorn",
    "tiangolo/uvicorn-gunicorn-fastapi",
    "ubuntu",
];

/// The image name without registry aliases of Docker Hub and the tag.
pub fn hub_name(image: &str) -> String {
    let lower = image.to_ascii_lowercase();
    let (name, _) = split_tag(&lower);
    let mut name = name;
    for prefix in [
        "docker.io/",
        "index.docker.io/",
        "registry-1.docker.io/",
        "public.ecr.aws/docker/",
        "mirror.gcr.io/",
    ] {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    name.strip_prefix("library/").unwrap_or(name).to_string()
}

fn base_runs_as_root(image: &str) -> bool {
    let name = hub_name(image);
    let tag = split_tag(image).1.to_ascii_lowercase();
    if base_runs_unprivileged(image) || base_manages_user(image) {
        return false;
    }
    ROOT_BASES.contains(&name.as_str())
        || name.starts_with("gcr.io/distroless/")
        || (name.starts_with("mcr.microsoft.com/dotnet/") && !tag.contains("chiseled"))
}

/// Servers whose image manages its own user: the entrypoint drops to it,
/// or the master process stays root by design while workers do not.
const SELF_MANAGED: &[&str] = &[
    "caddy",
    "clickhouse",
    "docker.elastic.co",
    "elasticsearch",
    "envoyproxy",
    "grafana",
    "haproxy",
    "httpd",
    "keycloak",
    "mariadb",
    "memcached",
    "minio",
    "mongo",
    "mysql",
    "nextcloud",
    "nginx",
    "odoo",
    "openresty",
    "opensearchproject",
    "postgis",
    "postgres",
    "prom",
    "rabbitmq",
    "redis",
    "timescale",
    "traefik",
    "varnish",
    "wordpress",
];

fn base_manages_user(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let (name, tag) = split_tag(&lower);
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    if name == "php" && (tag.contains("fpm") || tag.contains("apache")) {
        return true;
    }
    let first = name.split('/').next().unwrap_or(name);
    let last = name.rsplit('/').next().unwrap_or(name);
    SELF_MANAGED.contains(&first) || SELF_MANAGED.contains(&last)
}

/// `registry:5000/name:tag@digest` → ("registry:5000/name", "tag").
pub fn split_tag(image: &str) -> (&str, &str) {
    let image = image.split('@').next().unwrap_or(image);
    let slash = image.rfind('/').map(|i| i + 1).unwrap_or(0);
    match image[slash..].find(':') {
        Some(at) => (&image[..slash + at], &image[slash + at + 1..]),
        None => (image, ""),
    }
}

/// Programs that start the app as another user.
const PRIVILEGE_DROPPERS: &[&str] = &[
    "chpst",
    "gosu",
    "runuser",
    "s6-setuidgid",
    "setpriv",
    "setuidgid",
    "su",
    "su-exec",
    "sudo",
];

/// Servers that drop privileges for their workers themselves (a uWSGI
/// `uid`, php-fpm pools, Apache and nginx workers) or supervise programs
/// with their own `user=`.
const SEPARATING_SERVERS: &[&str] = &[
    // Debian's and Ubuntu's name for Apache's httpd.
    "apache2",
    "apache2-foreground",
    // Apache's control script (`apache2ctl -DFOREGROUND`) runs the same
    // httpd: a root master, workers as `APACHE_RUN_USER` / `User`.
    "apache2ctl",
    "apachectl",
    // ClamAV's daemon switches to its configured `User` (clamav).
    "clamd",
    // Dovecot's master binds the IMAP/POP ports and runs its services as
    // dovecot, dovenull and the mail users.
    "dovecot",
    "httpd",
    "httpd-foreground",
    "nginx",
    "php-fpm",
    // Postfix's master runs as root by design, its services as `postfix`.
    "postfix",
    "supervisord",
    // Unbound drops to its `username:` (unbound) after binding port 53.
    "unbound",
    "uwsgi",
];

/// Daemons a supervisor runs beside the app as root by design: a syslog
/// that owns `/dev/log`. They are not the app, whose user is the question
/// (nor is a health probe, see `is_probe`).
const AUXILIARY_DAEMONS: &[&str] = &["rsyslogd", "syslog-ng", "syslogd"];

/// Process supervisors that start the services they are given, as the
/// user each service asks for: they drop root only when the services do.
#[derive(Clone, Copy, PartialEq)]
enum Supervisor {
    /// s6-overlay's `/init`: `s6-rc.d/<name>/run` or `services.d/<name>/run`.
    S6,
    /// `supervisord`: `[program:x]` sections with `user=`.
    Supervisord,
}

/// What the supervisor's service definitions in the build context say:
/// `Some(script)` for one that starts its program as root, `None` when
/// every one drops privileges or none is in the repository (then the
/// image's own configuration decides, which we cannot read).
fn supervised_as_root(cx: &RepoContext, target: &Target, which: Supervisor) -> Option<FileId> {
    let range = cx.index.ids_under(&target.context);
    let files: Vec<FileId> = range
        .filter(|id| {
            let rel = cx.index.get(*id).rel.as_str();
            let parts: Vec<&str> = rel.split('/').collect();
            match which {
                Supervisor::S6 => {
                    parts.last() == Some(&"run")
                        && parts.len() >= 3
                        && matches!(parts[parts.len() - 3], "s6-rc.d" | "services.d")
                }
                Supervisor::Supervisord => {
                    let name = parts.last().copied().unwrap_or("");
                    name == "supervisord.conf"
                        || (rel.contains("supervisor")
                            && (name.ends_with(".conf") || name.ends_with(".ini")))
                }
            }
        })
        .collect();
    // A supervisor reads the configuration the image copies in: when the
    // Dockerfile names some of these files, the others (another image's,
    // in a repository of many) are not this image's.
    let files = match which {
        Supervisor::Supervisord => {
            let copied: Vec<FileId> = files
                .iter()
                .copied()
                .filter(|id| copied_into_image(target, cx.rel(*id)))
                .collect();
            if copied.is_empty() {
                files
            } else {
                copied
            }
        }
        Supervisor::S6 => files,
    };
    let drops = |text: &str| {
        text.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .any(|w| PRIVILEGE_DROPPERS.contains(&w) || separates(w))
    };
    for id in files {
        let Ok(text) = crate::facts::text::read_text(
            &cx.index.path(id),
            crate::facts::text::DEFAULT_MAX_FILE_SIZE,
        ) else {
            continue;
        };
        match which {
            Supervisor::S6 => {
                // A oneshot (`type` says so, or an `up` file beside it:
                // linuxserver's `init-*` set-up scripts) runs as root by
                // design and starts no app.
                let rel = &cx.index.get(id).rel;
                let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
                let oneshot = cx.index.find(&format!("{dir}/up")).is_some()
                    || cx.index.find(&format!("{dir}/type")).is_some_and(|t| {
                        crate::facts::text::read_text(&cx.index.path(t), 1024)
                            .is_ok_and(|kind| kind.trim() == "oneshot")
                    });
                if oneshot {
                    continue;
                }
                // A longrun's `run` script: the program it execs runs as
                // root unless the script changes user.
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n");
                if !code.trim().is_empty() && !drops(&code) {
                    return Some(id);
                }
            }
            Supervisor::Supervisord => {
                // A program that is a script of the build context runs
                // as root unless the script changes user (`exec gosu sogo
                // sogod`) or starts a server that separates its workers.
                if supervisord_root_programs(&text)
                    .iter()
                    .any(|program| !script_drops(cx, target, program))
                {
                    return Some(id);
                }
            }
        }
    }
    None
}

/// A server that drops privileges for its workers itself (php-fpm pools,
/// nginx and Apache workers, uWSGI's `uid`), when a supervisor starts it.
fn separates(program: &str) -> bool {
    program != "supervisord" && SEPARATING_SERVERS.contains(&unversioned(program))
}

/// A distribution's versioned name of a server (`php-fpm8.2`, `php-fpm83`,
/// Debian's and Alpine's packages) as the server's name (`php-fpm`).
fn unversioned(program: &str) -> &str {
    let trimmed = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    if trimmed.len() < program.len() && SEPARATING_SERVERS.contains(&trimmed) {
        trimmed
    } else {
        program
    }
}

/// The programs a supervisord configuration starts as root: each
/// `[program:x]` without a non-root `user=` whose command is not a server
/// that separates its workers (nor a syslog beside the app), as the program
/// its command runs — none when supervisord itself has a non-root `user=`.
fn supervisord_root_programs(text: &str) -> Vec<String> {
    let mut section = String::new();
    let mut daemon_user: Option<String> = None;
    // (program, user, whether its command drops privileges itself, the
    // program its command runs)
    let mut programs: Vec<(String, Option<String>, bool, String)> = Vec::new();
    for line in text.lines() {
        let line = line.split([';', '#']).next().unwrap_or("").trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
            if section.starts_with("program:") {
                programs.push((section.clone(), None, false, String::new()));
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().to_string();
        match key.trim() {
            "user" if section == "supervisord" => daemon_user = Some(value),
            "user" => {
                if let Some(last) = programs.last_mut().filter(|p| p.0 == section) {
                    last.1 = Some(value);
                }
            }
            "command" => {
                if let Some(last) = programs.last_mut().filter(|p| p.0 == section) {
                    last.2 = value
                        .split_whitespace()
                        .map(|w| w.rsplit('/').next().unwrap_or(w))
                        .any(|w| {
                            separates(w)
                                || PRIVILEGE_DROPPERS.contains(&w)
                                || AUXILIARY_DAEMONS.contains(&w)
                        })
                        || is_probe(&section)
                        || is_probe(&value)
                        || user_flag(
                            &value
                                .split_whitespace()
                                .map(str::to_string)
                                .collect::<Vec<_>>(),
                        );
                    // `bash /healthcheck.sh`: the script is the program.
                    let mut words = value.split_whitespace();
                    let first = words.next().unwrap_or("");
                    let program = match first.rsplit('/').next().unwrap_or(first) {
                        "sh" | "bash" | "ash" | "dash" => {
                            words.find(|w| !w.starts_with('-')).unwrap_or(first)
                        }
                        _ => first,
                    };
                    last.3 = program.to_string();
                }
            }
            _ => {}
        }
    }
    if daemon_user.as_deref().is_some_and(|u| !is_root(u)) {
        return Vec::new();
    }
    programs
        .into_iter()
        .filter(|(_, user, drops, _)| !drops && user.as_deref().is_none_or(is_root))
        .map(|(_, _, _, program)| program)
        .collect()
}

/// A supervised health probe (`[program:unbound-healthcheck]`, `command=bash
/// /healthcheck.sh`): a loop that checks the daemon beside it, not the app.
fn is_probe(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("healthcheck")
        || lower.contains("health-check")
        || lower.contains("health_check")
}

/// A daemon's own switch to another user in its command line: `--user
/// app`, `--uid app`, or `-u _rspamd` (a name, not a file: `python -u
/// app.py` is unbuffered output).
fn user_flag(words: &[String]) -> bool {
    let words: Vec<&str> = words.iter().flat_map(|w| w.split_whitespace()).collect();
    words.windows(2).any(|p| match p[0] {
        "--user" | "--uid" | "-u" => {
            let name = p[1].split(':').next().unwrap_or(p[1]);
            !name.is_empty()
                && !name.starts_with('-')
                && !name.contains(['.', '/', '$'])
                && !is_root(name)
        }
        _ => false,
    }) || words.iter().any(|w| {
        w.strip_prefix("--user=")
            .or_else(|| w.strip_prefix("--uid="))
            .is_some_and(|u| !u.is_empty() && !is_root(u))
    })
}

/// Whether a `COPY`/`ADD` of the Dockerfile (not `--from` another stage or
/// image) takes the context file `rel` into the image: named, under a
/// copied folder, or matched by a wildcard. `COPY . .` copies everything.
fn copied_into_image(target: &Target, rel: &str) -> bool {
    target.file.stages.iter().any(|stage| {
        stage
            .instructions
            .iter()
            .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
            .filter(|i| !i.words().iter().any(|w| w.starts_with("--from")))
            .any(|inst| {
                let (sources, _) = dockerfiles::copy_parts(inst);
                sources.iter().filter(|w| !w.starts_with("--")).any(|src| {
                    let src = src.trim_start_matches("./").trim_end_matches('/');
                    let path = crate::apps::join(&target.context, src);
                    if src.is_empty() || src == "." {
                        return rel.starts_with(&target.context);
                    }
                    if src.contains(['*', '?', '[']) {
                        return globset::Glob::new(&path)
                            .map(|g| g.compile_matcher().is_match(rel))
                            .unwrap_or(false);
                    }
                    rel == path || rel.starts_with(&format!("{path}/"))
                })
            })
    })
}

/// Whether a program a supervisor starts changes user by itself: a shell
/// script of the build context (found by name) that runs a privilege
/// dropper (`exec gosu sogo /usr/sbin/sogod`) or a server that separates
/// its workers (`postfix start`), or a command line with its own user
/// switch. A program that is not such a script runs as it was started.
fn script_drops(cx: &RepoContext, target: &Target, program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    if PRIVILEGE_DROPPERS.contains(&name) || separates(name) {
        return true;
    }
    let range = cx.index.ids_under(&target.context);
    range
        .filter(|id| {
            let f = cx.index.get(*id);
            f.name() == name && f.kind == Some(FileKind::ShellScript)
        })
        .filter_map(|id| cx.facts.shell_script(id))
        .any(|parsed| {
            parsed.commands.iter().any(|c| {
                PRIVILEGE_DROPPERS.contains(&c.name.as_str())
                    || separates(&c.name)
                    || user_flag(&c.args)
            })
        })
}

fn drops_privileges(cx: &RepoContext, target: &Target, evidence: &mut Vec<FileId>) -> bool {
    let words = command_words(target.file, target.image_stage);
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    // A supervisor drops root only when its services do.
    let supervised =
        |which: Supervisor, evidence: &mut Vec<FileId>| match supervised_as_root(cx, target, which)
        {
            Some(script) => {
                evidence.push(script);
                false
            }
            None => true,
        };
    let parts: Vec<&str> = words.iter().flat_map(|w| w.split_whitespace()).collect();
    if parts.iter().any(|part| {
        let b = base(part);
        PRIVILEGE_DROPPERS.contains(&b.as_str()) || separates(&b)
    }) || user_flag(&words)
    {
        return true;
    }
    if parts.contains(&"/init") {
        return supervised(Supervisor::S6, evidence);
    }
    if parts.iter().any(|p| base(p) == "supervisord") {
        return supervised(Supervisor::Supervisord, evidence);
    }
    // An entrypoint script from the repository: read it. One that cannot be
    // found or read may drop privileges; give it the benefit of the doubt.
    let scripts: Vec<&String> = words
        .iter()
        .filter(|w| {
            // A script file: `*.sh`, `docker-entrypoint`, `./start`, `/app/run`;
            // not the `start` of `npm start`.
            let b = base(w);
            b.ends_with(".sh")
                || b.contains("entrypoint")
                || (w.contains('/') && (b.starts_with("start") || b == "run"))
        })
        .collect();
    for script in scripts {
        let name = base(script);
        // Files of that name in the build context, from a per-audit list
        // of the files so named: a context is often the whole monorepo.
        let named = cx.memo("files by name", &name, || {
            std::sync::Arc::new(
                (0..cx.index.files.len())
                    .filter(|id| cx.index.get(*id).name() == name)
                    .collect::<Vec<FileId>>(),
            )
        });
        let range = cx.index.ids_under(&target.context);
        let candidates: Vec<FileId> = named
            .iter()
            .copied()
            .filter(|id| range.contains(id))
            .collect();
        if candidates.is_empty() {
            return true;
        }
        let image_env = image_env(target);
        for id in candidates {
            if cx.index.get(id).kind != Some(FileKind::ShellScript) {
                return true;
            }
            let Some(parsed) = cx.facts.shell_script(id) else {
                return true;
            };
            if parsed.commands.iter().any(|c| {
                // `exec ${EXEC_TOOL} "$PUID:$PGID" app` with `ENV
                // EXEC_TOOL=gosu` in the image: the program the variable
                // names.
                let name = resolved_program(&c.name, &image_env);
                PRIVILEGE_DROPPERS.contains(&name) || separates(name) || user_flag(&c.args)
            }) {
                return true;
            }
            if parsed.commands.iter().any(|c| c.name == "supervisord") {
                return supervised(Supervisor::Supervisord, evidence);
            }
        }
    }
    false
}

/// The `ENV` values the image's stages set (`ENV EXEC_TOOL=gosu`, or the
/// legacy `ENV EXEC_TOOL gosu`), the last one winning.
fn image_env(target: &Target) -> std::collections::HashMap<String, String> {
    let mut env = std::collections::HashMap::new();
    for i in crate::rules::containerization::dockerfiles::chain(target.file, target.image_stage) {
        for inst in target.file.stages[i].all("ENV") {
            let words = inst.words();
            if words.len() == 2 && !words[0].contains('=') {
                env.insert(words[0].clone(), words[1].clone());
                continue;
            }
            for word in words {
                if let Some((name, value)) = word.split_once('=') {
                    env.insert(name.to_string(), value.to_string());
                }
            }
        }
    }
    env
}

/// A command's program with a variable name (`${EXEC_TOOL}`, `$EXEC_TOOL`)
/// replaced by the value the image's `ENV` gives it; its last path part.
fn resolved_program<'a>(
    name: &'a str,
    env: &'a std::collections::HashMap<String, String>,
) -> &'a str {
    let variable = name
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .or_else(|| name.strip_prefix('$'));
    let program = variable
        .and_then(|v| env.get(v))
        .map(String::as_str)
        .unwrap_or(name);
    program.rsplit('/').next().unwrap_or(program)
}

/// Whether the Dockerfile records running as root as a reviewed decision:
/// hadolint's own check for it (DL3002, "last USER should not be root") is
/// switched off on that `USER` line (`# hadolint ignore=DL3002` in the
/// comments right above it) or for the whole file (`# hadolint global
/// ignore=…`). Reporting it again repeats a decision already made.
fn root_acknowledged(cx: &RepoContext, id: FileId, line: u32) -> bool {
    let Ok(text) = crate::facts::text::read_text(
        &cx.index.path(id),
        crate::facts::text::DEFAULT_MAX_FILE_SIZE,
    ) else {
        return false;
    };
    let ignores = |comment: &str, global: bool| {
        let body = comment.trim_start_matches('#').trim();
        let Some(rest) = body.strip_prefix("hadolint") else {
            return false;
        };
        let rest = rest.trim_start();
        let rest = if global {
            match rest.strip_prefix("global") {
                Some(r) => r.trim_start(),
                None => return false,
            }
        } else {
            rest
        };
        rest.strip_prefix("ignore=")
            .is_some_and(|codes| codes.split([',', ' ']).any(|c| c.trim() == "DL3002"))
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines
        .iter()
        .any(|l| l.trim_start().starts_with('#') && ignores(l.trim(), true))
    {
        return true;
    }
    // The comment lines directly above the instruction.
    let at = (line as usize).saturating_sub(1).min(lines.len());
    lines[..at]
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with('#'))
        .any(|l| ignores(l.trim(), false))
}

/// Whether every compose service that runs the published image of this
/// Dockerfile — `image:` named like its folder (`ghcr.io/acme/netfilter`
/// for `…/netfilter/Dockerfile`), or for a Dockerfile at the root or in a
/// folder of Docker files (`docker/`, `.docker/`, `build/`) like the project
/// (`ghcr.io/wg-easy/wg-easy`) — is `privileged: true`, is granted a
/// capability to manage the host (`cap_add: NET_ADMIN`, `SYS_ADMIN`,
/// `SYS_MODULE`, `SYS_RAWIO`) or is given the host's disks or kernel
/// devices (`devices: /dev/sda`, `/dev/nvme0`, `/dev/net/tun`,
/// `/dev/kmsg`): a container that configures the host's firewall,
/// interfaces, kernel modules or reads its disks' S.M.A.R.T. data is root
/// by purpose, and a `USER` would only break it. When the project publishes
/// several images from sibling Dockerfiles (`Dockerfile`, `Dockerfile.web`,
/// `Dockerfile.collector`), a service's image tag names its variant
/// (`:master-web`): each Dockerfile answers for the services of its own
/// variant, the plain `Dockerfile` for those no sibling names.
fn runs_privileged(cx: &RepoContext, target: &Target) -> bool {
    let by_image = published_services_by_image(cx);
    let (dir, file_name) = target.rel.rsplit_once('/').unwrap_or(("", target.rel));
    let folder = dir.rsplit('/').next().unwrap_or(dir).to_ascii_lowercase();
    let names: Vec<String> = if dir.is_empty()
        || (!by_image.contains_key(folder.as_str())
            && matches!(
                folder.as_str(),
                "docker" | ".docker" | "build" | "container" | "containers" | "dockerfiles"
            )) {
        // The project's names, and the images the compose files beside the
        // Dockerfile run (not backing services): a folder of Docker files
        // with its example compose files runs what it builds.
        let mut names = crate::rules::containerization::compose_files::project_names(cx).to_vec();
        for (image, services) in by_image.iter() {
            if services.iter().any(|s| s.dir == dir && s.namespaced)
                && crate::facts::images::backing_service(image).is_none()
                && !names.contains(image)
            {
                names.push(image.clone());
            }
        }
        names
    } else {
        vec![folder]
    };
    // The variant a Dockerfile's name spells (`Dockerfile.web`,
    // `web.Dockerfile`, `Dockerfile-web` → `web`).
    let variant = |name: &str| -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("dockerfile")
            .map(|r| r.trim_start_matches(['.', '-', '_']).to_string())
            .or_else(|| lower.strip_suffix(".dockerfile").map(str::to_string))?;
        (!rest.is_empty()).then_some(rest)
    };
    let own = variant(file_name);
    let siblings: Vec<String> = cx
        .in_dir(FileKind::Dockerfile, dir)
        .into_iter()
        .filter_map(|id| variant(cx.index.get(id).name()))
        .filter(|v| Some(v) != own.as_ref())
        .collect();
    let mut running = 0usize;
    // A variant in a folder named for no image (`internal/dockerfile_agent`,
    // `…/dockerfile_agent_alpine`) is the program its first word names,
    // published as an image ending with it (`henrygd/beszel-agent`),
    // whatever the base or tag: those services answer for it when no
    // image is named like its folder.
    let program = own
        .as_deref()
        .and_then(|v| v.split(['-', '_', '.']).next())
        .filter(|w| w.len() >= 3)
        .map(str::to_string);
    if let Some(program) =
        program.filter(|_| names.iter().all(|n| !by_image.contains_key(n.as_str())))
    {
        for (image, services) in by_image.iter() {
            let named = image == &program
                || image.ends_with(&format!("-{program}"))
                || image.ends_with(&format!("_{program}"));
            for service in services.iter().filter(|s| named && s.namespaced) {
                if !service.needs_root {
                    return false;
                }
                running += 1;
            }
        }
        return running > 0;
    }
    for name in &names {
        for service in by_image.get(name.as_str()).into_iter().flatten() {
            let needs_root = &service.needs_root;
            let words: Vec<&str> = service.tag.split(['-', '_', '.']).collect();
            let mine = match &own {
                Some(v) => words.contains(&v.as_str()),
                None => !siblings.iter().any(|s| words.contains(&s.as_str())),
            };
            if !mine {
                continue;
            }
            if !needs_root {
                return false;
            }
            running += 1;
        }
    }
    running > 0
}

/// Device nodes only root can use for what they are given for: the host's
/// disks (raw S.M.A.R.T. queries, block access), TUN, the kernel log and
/// memory. A GPU (`/dev/dri`) or a serial port is opened through group
/// permissions by unprivileged users and does not count.
fn host_device(device: &str) -> bool {
    let path = device.split(':').next().unwrap_or(device).trim();
    [
        "/dev/sd",
        "/dev/hd",
        "/dev/vd",
        "/dev/xvd",
        "/dev/nvme",
        "/dev/disk/",
        "/dev/mapper/",
        "/dev/md",
        "/dev/net/tun",
        "/dev/kmsg",
        "/dev/mem",
        "/dev/ipmi",
        "/dev/megaraid",
        "/dev/twa",
        "/dev/bus/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// A compose service that runs a published image.
struct PublishedService {
    /// The folder of the compose file.
    dir: String,
    tag: String,
    needs_root: bool,
    /// The image has an owner (`ghcr.io/acme/x`, `acme/x`): not an
    /// official library image (`influxdb:2.8`), which is never the
    /// project's own.
    namespaced: bool,
}

/// Per published image (the last part of its repository), each compose
/// service that runs it: its folder, its tag and whether it needs root by
/// purpose (`privileged: true`, a capability that manages the host, or
/// host devices). The compose files are those the index classifies and
/// example files named `….docker-compose.yml` (`example.omnibus.docker-
/// compose.yml` beside the Dockerfiles it documents), read here only.
/// Made once per audit: a scan of every compose service per Dockerfile grew
/// with their product.
fn published_services_by_image(
    cx: &RepoContext,
) -> std::sync::Arc<std::collections::HashMap<String, Vec<PublishedService>>> {
    cx.memo("published compose services by image", "", || {
        let mut by_image: std::collections::HashMap<String, Vec<PublishedService>> =
            Default::default();
        let index = cx.index;
        let examples: Vec<(String, crate::facts::compose::ComposeFile)> = index
            .ids_under("")
            .filter(|id| {
                let f = index.get(*id);
                let name = f.name().to_ascii_lowercase();
                f.kind != Some(FileKind::Compose)
                    && (name.ends_with(".docker-compose.yml")
                        || name.ends_with(".docker-compose.yaml"))
            })
            .filter_map(|id| {
                let text = cx.facts.raw_text_capped(id, 1 << 20)?;
                let parsed = crate::facts::compose::ComposeFile::parse(&text).ok()?;
                Some((index.get(id).dir().to_string(), parsed))
            })
            .collect();
        let classified = index.of_kind(FileKind::Compose).iter().filter_map(|id| {
            cx.facts
                .compose(*id)
                .map(|c| (index.get(*id).dir().to_string(), c))
        });
        let files = classified.chain(examples.iter().map(|(d, c)| (d.clone(), c)));
        for (dir, compose) in files {
            for service in &compose.services {
                let Some(image) = service.image.as_deref() else {
                    continue;
                };
                if service.build_context.is_some() {
                    continue;
                }
                let (repo, tag) = crate::facts::images::parse_image(image);
                let last = repo.rsplit('/').next().unwrap_or(&repo).to_string();
                let privileged = crate::facts::yaml::get(&service.raw, "privileged")
                    .is_some_and(|v| matches!(v, yaml_rust2::Yaml::Boolean(true)));
                let host_capability = crate::facts::yaml::get(&service.raw, "cap_add")
                    .and_then(|v| v.as_vec())
                    .is_some_and(|caps| {
                        caps.iter().filter_map(|c| c.as_str()).any(|c| {
                            let c = c.trim().to_ascii_uppercase();
                            let c = c.strip_prefix("CAP_").unwrap_or(&c);
                            matches!(
                                c,
                                "NET_ADMIN" | "SYS_ADMIN" | "SYS_MODULE" | "SYS_RAWIO" | "ALL"
                            )
                        })
                    });
                let devices = crate::facts::yaml::get(&service.raw, "devices")
                    .and_then(|v| v.as_vec())
                    .is_some_and(|list| list.iter().filter_map(|d| d.as_str()).any(host_device));
                // A host agent: the host's process namespace, or the host's
                // Docker socket (root:docker 0660: a user of the image has
                // no docker group of the host) in the host's network
                // namespace. The socket alone is an API client (a Docker
                // API proxy reads it without monitoring the host).
                let socket =
                    crate::roles::compose::volumes(&service.raw)
                        .iter()
                        .any(|(source, _)| {
                            matches!(source.as_str(), "/var/run/docker.sock" | "/run/docker.sock")
                        });
                let host_pid = crate::facts::yaml::get_str(&service.raw, "pid") == Some("host");
                let host_network =
                    crate::facts::yaml::get_str(&service.raw, "network_mode") == Some("host");
                let host_agent = host_pid || (socket && host_network);
                by_image.entry(last).or_default().push(PublishedService {
                    namespaced: repo.contains('/') && !repo.starts_with("library/"),
                    dir: dir.clone(),
                    tag: tag.unwrap_or_default().to_ascii_lowercase(),
                    needs_root: privileged || host_capability || devices || host_agent,
                });
            }
        }
        std::sync::Arc::new(by_image)
    })
}

/// Whether the repository's Kubernetes manifests run pods as non-root.
fn kubernetes_runs_unprivileged(cx: &RepoContext) -> bool {
    fn walk(node: &yaml_rust2::Yaml, depth: usize) -> bool {
        use yaml_rust2::Yaml;
        if depth > 32 {
            return false;
        }
        match node {
            Yaml::Hash(map) => map.iter().any(|(k, v)| match (k.as_str(), v) {
                (Some("runAsNonRoot"), Yaml::Boolean(true)) => true,
                (Some("runAsUser"), Yaml::Integer(n)) => *n > 0,
                _ => walk(v, depth + 1),
            }),
            Yaml::Array(items) => items.iter().any(|i| walk(i, depth + 1)),
            _ => false,
        }
    }
    cx.deploy_definitions()
        .iter()
        .filter_map(|(id, _)| cx.facts.yaml_documents(*id))
        .any(|docs| docs.iter().any(|d| walk(d, 0)))
}

/// A base image other Dockerfiles build on (`Dockerfile.base`,
/// `docker/base/Dockerfile`): the images built from it decide the user.
fn is_base_image_path(rel: &str) -> bool {
    rel.to_ascii_lowercase()
        .split(['/', '.', '-', '_'])
        .any(|w| w == "base")
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0"
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    // Each stage a compose service builds is an image of its own
    // (`target: web` and `target: worker` of one Dockerfile).
    let targets: Vec<Target> = dockerfiles::production_dockerfiles(cx)
        .into_iter()
        .flat_map(|t| {
            let others: Vec<Target> = t
                .other_stages
                .iter()
                .map(|(stage, users)| t.with_stage(*stage, users))
                .collect();
            std::iter::once(t).chain(others)
        })
        .collect();
    let mut out = Vec::new();
    let mut k8s: Option<bool> = None;
    for target in &targets {
        let file: &Dockerfile = target.file;
        let stage_idx = target.image_stage;
        // The last USER of the stage, or of the stage it is built on.
        let user = chain(file, stage_idx).into_iter().find_map(|i| {
            file.stages[i]
                .instructions
                .iter()
                .rev()
                .find(|inst| inst.keyword == "USER")
                .map(|inst| (i, inst))
        });
        let base = base_image(file, stage_idx);
        let stage = target.stage();
        let location;
        let message;
        match user {
            Some((i, inst)) => {
                let vars = variables_before(file, i, inst.line);
                let Some(value) = resolve_vars(inst.args.trim(), &vars) else {
                    continue;
                };
                if !is_root(&value) || root_acknowledged(cx, target.id, inst.line) {
                    continue;
                }
                location = Location::new(target.rel, inst.line);
                message = format!(
                    "{} switches back to {} as its last user (line {}): the image's process runs as root.",
                    code(target.rel),
                    code(&format!("USER {}", inst.args.trim())),
                    inst.line
                );
            }
            None => {
                if !base_runs_as_root(base) || is_base_image_path(target.rel) {
                    continue;
                }
                location = Location::new(target.rel, stage.from.line);
                message = format!(
                    "The image stage of {} ({}, line {}) sets no {}: the process runs as root.",
                    code(target.rel),
                    code(&format!("FROM {}", stage.from.args.trim())),
                    stage.from.line,
                    code("USER")
                );
            }
        }
        let mut supervised = Vec::new();
        if target.compose_users.iter().any(|u| !is_root(u))
            || drops_privileges(cx, target, &mut supervised)
            || runs_privileged(cx, target)
        {
            continue;
        }
        if *k8s.get_or_insert_with(|| kubernetes_runs_unprivileged(cx)) {
            continue;
        }
        let lower = base.to_ascii_lowercase();
        let (name, _) = split_tag(&lower);
        let fix = if name == "node" || name.ends_with("/node") {
            "Add `USER node` before `CMD` (the official node images ship that user) and copy the app with `COPY --chown=node:node`.".to_string()
        } else if name.starts_with("gcr.io/distroless/") {
            "Use the distroless `:nonroot` tag (or `USER nonroot`).".to_string()
        } else if name.contains("alpine") || split_tag(&lower).1.contains("alpine") {
            "Create an unprivileged user (`RUN addgroup -S app && adduser -S -G app -u 10001 app`), give it only the folders it writes (`COPY --chown=app:app`), and add `USER app` before `CMD`.".to_string()
        } else {
            "Create an unprivileged user (`RUN useradd --system --uid 10001 app`), give it only the folders it writes (`COPY --chown=app:app`), and add `USER app` before `CMD`.".to_string()
        };
        let message = match supervised.first() {
            Some(id) => format!(
                "{message} Its process supervisor does not change that: {} starts its program without changing user.",
                code(cx.rel(*id))
            ),
            None => message,
        };
        out.push(RULE.meta.finding(
            target.app,
            message,
            "A bug in the app or a dependency runs with root rights in the container: it can rewrite the app and every file of the image, and a kernel or runtime escape lands as root on the host. Clusters enforcing `runAsNonRoot` refuse the pod.".to_string(),
            fix,
            std::iter::once(location)
                .chain(
                    supervised
                        .iter()
                        .map(|id| Location::new(cx.rel(*id), 1)),
                )
                .collect(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_and_tags() {
        assert_eq!(split_tag("node:22-slim"), ("node", "22-slim"));
        assert_eq!(
            split_tag("registry:5000/team/app"),
            ("registry:5000/team/app", "")
        );
        assert_eq!(split_tag("node@sha256:abc"), ("node", ""));
        assert!(base_runs_unprivileged(
            "gcr.io/distroless/nodejs22-debian12:nonroot"
        ));
        assert!(!base_runs_unprivileged("gcr.io/distroless/static-debian12"));
        assert!(base_manages_user("postgres:17"));
        assert!(base_manages_user("php:8.3-fpm-alpine"));
        assert!(!base_manages_user("php:8.3-cli"));
        assert!(!base_manages_user("node:22"));
        assert!(base_runs_as_root("docker.io/library/node:22"));
        assert!(base_runs_as_root("scratch"));
        assert!(!base_runs_as_root("documenso/documenso:1.0"));
        assert!(!base_runs_as_root("gcr.io/distroless/base:nonroot"));
    }
}
