//! What each Dockerfile is for. A Dockerfile builds a production image
//! unless its path says otherwise (`Dockerfile.dev`, `tools/`, `.github/`),
//! every compose service builds a development stage of it, its command
//! starts a development server, it is a tool (no `CMD`, `ENTRYPOINT` or
//! `EXPOSE` and nothing builds it; a container that idles for CI to copy
//! from), or it is dead (it copies the lockfile of a package manager the project does not
//! use and no compose file builds it: a leftover `Dockerfile.bun` beside an
//! npm project).

use std::collections::HashMap;

use super::{path, role_of_word, FileRole, Role};
use crate::apps::resolve;
use crate::facts::ci::StepKind;
use crate::facts::compose::says_not_production;
use crate::facts::dockerfile::{Dockerfile, Stage};
use crate::index::{FileId, FileKind};
use crate::rules::containerization::dockerfiles::{chain, command_words, copy_parts, stage_named};
use crate::rules::RepoContext;

/// How one Dockerfile was judged.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub role: FileRole,
    /// The stage the image is built from (a compose `target:`, else the
    /// last stage unless it is a development one), when there is one.
    pub image_stage: Option<usize>,
    /// The compose services that build it, in path order of the compose
    /// files.
    pub builds: Vec<ComposeBuild>,
    /// A CI job builds it into an image (`docker/build-push-action` with
    /// `file:`, `docker build -f …`): the product's image wherever the file
    /// sits, for the rules that ask whether an app has a container.
    pub built_by_ci: bool,
    /// Development only by what its stages are named or run (a last stage
    /// `development`, a `npm run dev` command), not by its path, header or
    /// environment: still the project's container, just not a production
    /// one — what `missing-container-config` asks.
    pub development_by_stage: bool,
    /// Every build the repository defines is a `docker/build-push-action`
    /// step without `context:` (the CI file of the first): the image is
    /// built from the Git context, which holds the tracked files only — no
    /// `.git` folder, no developer's `.env`, no installed `node_modules`.
    pub git_context_only: Option<FileId>,
}

/// A compose service's `build:` of a Dockerfile.
#[derive(Debug, Clone)]
pub struct ComposeBuild {
    pub compose: FileId,
    pub service: String,
    pub context: String,
    pub target: Option<String>,
    pub user: Option<String>,
    /// Whether the service is only in profiles named deprecated or legacy
    /// (`profiles: ["deprecated"]`): kept for old installs, not deployed.
    pub deprecated: bool,
    /// The container paths the service bind-mounts its whole build context
    /// onto (`.:/app`): the working copy replaces what the image holds.
    pub source_mounted_at: Vec<String>,
    /// The container paths the service bind-mounts a folder above its
    /// build context onto (`./:/app` for a context `./docker/node`): the
    /// project's working copy replaces what the image holds.
    pub tree_mounted_at: Vec<String>,
    /// Whether the compose file is judged a deployment.
    pub in_deployment: bool,
}

/// Words in a Dockerfile's name or folder that say it builds a development,
/// test or CI image (`Dockerfile.dev`, `dev.Dockerfile`, `docker/local/`).
const DEV_WORDS: &[&str] = &[
    "ci",
    "debug",
    "demo",
    "dev",
    "devcontainer",
    "develop",
    "development",
    "e2e",
    "example",
    "gitpod",
    "integration",
    "local",
    "playground",
    "playwright",
    "cypress",
    "packaging",
    "sandbox",
    "test",
    "testing",
    "tests",
];

/// Stage names that are not the production image.
pub const DEV_STAGES: &[&str] = &[
    "debug",
    "dev",
    "develop",
    "development",
    "local",
    "test",
    "testing",
    "tests",
    "e2e",
    "ci",
    "lint",
    "build",
    "builder",
];

/// Stage names that are the production image when the last stage is not.
const PRODUCTION_STAGES: &[&str] = &[
    "prod",
    "production",
    "release",
    "runtime",
    "runner",
    "final",
    "app",
];

/// The development word of a name (`Dockerfile.dev` → `dev`).
fn dev_word(text: &str) -> Option<String> {
    text.to_ascii_lowercase()
        .split(['.', '-', '_'])
        .find(|w| DEV_WORDS.contains(w) || w.ends_with("test") || w.ends_with("tests"))
        .map(str::to_string)
}

/// Folders whose Dockerfiles are dev containers, CI images or tools.
fn special_folder(part: &str) -> Option<Role> {
    if matches!(part, ".devcontainer" | ".codesandbox" | ".idx") || part.starts_with(".gitpod") {
        return Some(Role::Development);
    }
    if matches!(part, ".github" | ".circleci" | ".gitlab") {
        return Some(Role::Ci);
    }
    // Tooling images (a script runner, a benchmark, a load generator,
    // docs): not what the project ships.
    matches!(
        part.to_ascii_lowercase().as_str(),
        "scripts"
            | "script"
            | "tools"
            | "tooling"
            | "hack"
            | "bench"
            | "benchmark"
            | "benchmarks"
            | "loadtest"
            | "loadtests"
            | "load-test"
            | "load-tests"
            | "loadgen"
            | "load-gen"
            | "load-generator"
            | "locust"
            | "perf"
            | "fuzz"
            | "docs"
    )
    .then_some(Role::Tooling)
}

/// What the path of a Dockerfile says it is for, when it rules production
/// out: a development, test, CI (GitHub Actions images), tooling
/// (`scripts/`, `tools/`, `hack/`) or example image.
pub fn path_role(rel: &str) -> Option<FileRole> {
    if let Some(role) = super::path_role(rel).filter(|_| path::is_non_product_path(rel)) {
        return Some(role);
    }
    let mut parts: Vec<&str> = rel.split('/').collect();
    let name = parts.pop().unwrap_or("");
    if let Some(word) = dev_word(name) {
        return Some(FileRole::new(
            role_of_word(&word),
            format!("its name `{name}` says `{word}`"),
        ));
    }
    parts.iter().find_map(|p| {
        if let Some(role) = special_folder(p) {
            return Some(FileRole::new(
                role,
                format!("it is in the folder `{p}/`, which holds no production image"),
            ));
        }
        dev_word(p).map(|word| {
            FileRole::new(
                role_of_word(&word),
                format!("its folder `{p}/` says `{word}`"),
            )
        })
    })
}

/// Whether the path says the Dockerfile is not a production image.
pub fn is_dev_path(rel: &str) -> bool {
    path::is_non_product_path(rel) || path_role(rel).is_some()
}

/// Whether a command line starts a development server or watcher.
pub fn runs_dev_server(words: &[String]) -> bool {
    let joined = words.join(" ");
    let w: Vec<&str> = joined.split_whitespace().collect();
    let has = |pair: &[&str]| w.windows(pair.len()).any(|win| win == pair);
    w.iter().any(|x| {
        matches!(
            *x,
            "nodemon" | "ts-node-dev" | "tsx-watch" | "air" | "reflex" | "watchexec" | "runserver"
        )
    }) || has(&["npm", "run", "dev"])
        || has(&["yarn", "dev"])
        || has(&["yarn", "run", "dev"])
        || has(&["pnpm", "dev"])
        || has(&["pnpm", "run", "dev"])
        || has(&["bun", "run", "dev"])
        || has(&["bun", "dev"])
        || has(&["next", "dev"])
        || has(&["nuxt", "dev"])
        || has(&["ng", "serve"])
        || has(&["cargo", "watch"])
        || has(&["go", "run"])
        || has(&["tsx", "watch"])
        || has(&["flask", "run"])
        || has(&["fastapi", "dev"])
        || has(&["node", "--watch"])
        // uvicorn's, gunicorn's and hypercorn's code reloader: a developer
        // editing a bind-mounted tree.
        || (w.contains(&"--reload")
            && w.iter().any(|x| {
                matches!(
                    x.rsplit('/').next().unwrap_or(x),
                    "uvicorn" | "gunicorn" | "hypercorn" | "granian" | "daphne"
                )
            }))
        // Symfony's and Laravel's development servers, PHP's built-in one,
        // and anything started for the `dev` environment.
        || has(&["artisan", "serve"])
        || has(&["php", "-S"])
        || w.iter()
            .any(|x| matches!(*x, "server:run" | "server:start" | "--env=dev"))
        || has(&["spring-boot:run"])
        || w.windows(2)
            .any(|p| p[0] == "vite" && p[1] != "build" && p[1] != "preview")
        || w.last() == Some(&"vite")
}

/// Why the image is a tool rather than a service, if it is: nothing in it
/// says what to run or serve (no `CMD`, `ENTRYPOINT` or `EXPOSE` in its
/// stages) and no compose service builds it — a toolchain image that other
/// builds start `FROM`, a code generator run with `docker run --rm …
/// <command>`; a container that only idles (`CMD sleep 60s`, `tail -f
/// /dev/null`) for CI to copy files out of it; or a `FROM scratch` stage
/// that only carries a package for `docker build --output`.
fn tool_reason(file: &Dockerfile, stage: usize, compose_built: bool) -> Option<&'static str> {
    let stages = chain(file, stage);
    let has = |keyword: &str| {
        stages
            .iter()
            .any(|i| file.stages[*i].all(keyword).next().is_some())
    };
    if !compose_built
        && !has("CMD")
        && !has("ENTRYPOINT")
        && !has("EXPOSE")
        && !serving_base(file, &stages)
        && !deploys_web_archive(file, &stages)
    {
        return Some(
            "it has no CMD, ENTRYPOINT or EXPOSE and no compose service builds it: \
             a toolchain or one-shot helper image",
        );
    }
    if let Some(why) = ssh_target_reason(file, &stages) {
        return Some(why);
    }
    let words = command_words(file, stage);
    // An init that only reaps zombies (`ENTRYPOINT ["/sbin/tini", "--"]`)
    // runs whatever follows it: judge that.
    let mut rest = words.as_slice();
    if rest.first().is_some_and(|w| {
        matches!(
            w.rsplit('/').next().unwrap_or(w),
            "tini" | "tini-static" | "dumb-init" | "catatonit"
        )
    }) {
        rest = &rest[1..];
        while rest.first().is_some_and(|w| w.starts_with('-')) {
            rest = &rest[1..];
        }
    }
    let words = rest.to_vec();
    let idles = match words.first().map(String::as_str) {
        Some("sleep") => true,
        Some("tail") => words.iter().any(|w| w == "/dev/null"),
        _ => false,
    };
    if idles {
        return Some("its command only idles (a container to copy files out of)");
    }
    // A command that only packs files into an archive (`zip -r
    // /campfire.zip .`, `tar czf /out/src.tgz .`) and no port: an export
    // run once to produce the archive, not a service.
    let archives = matches!(words.first().map(String::as_str), Some("zip" | "tar"))
        && words.iter().any(|w| {
            let w = w.to_ascii_lowercase();
            [".zip", ".tar", ".tgz", ".tar.gz"]
                .iter()
                .any(|ext| w.ends_with(ext))
        });
    if archives && !has("EXPOSE") {
        return Some("its command only packs files into an archive and it exposes no port: an export run once, not a service");
    }
    let exports_package = file.stages[stage].image.eq_ignore_ascii_case("scratch")
        && words.len() == 1
        && [
            ".apk", ".aab", ".ipa", ".zip", ".tar", ".tgz", ".gz", ".deb", ".rpm", ".whl",
        ]
        .iter()
        .any(|ext| words[0].to_ascii_lowercase().ends_with(ext));
    exports_package.then_some("it only carries a package for `docker build --output`")
}

/// Whether the chain copies a web archive into a servlet container's
/// deployment folder (`COPY api/target/*.war /usr/local/tomcat/webapps/`):
/// the base image (Tomcat, Jetty, WildFly, or one built on them under
/// another name) serves it with its own command.
fn deploys_web_archive(file: &Dockerfile, stages: &[usize]) -> bool {
    stages
        .iter()
        .flat_map(|i| file.stages[*i].instructions.iter())
        .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
        .any(|inst| {
            let (sources, dest) = copy_parts(inst);
            sources
                .iter()
                .any(|s| s.to_ascii_lowercase().ends_with(".war"))
                && (dest.contains("webapps") || dest.contains("deployments"))
        })
}

/// An image of the server a deployment tool ships to (Deployer's or
/// Ansible's practice target): it serves SSH (`EXPOSE 22`, or its command
/// starts `sshd`) and copies nothing of the project from the build context
/// but SSH configuration (`authorized_keys`, `sshd_config`, a public key).
/// It is another machine, not the app's image. An app image that also
/// installs an SSH server for debugging copies the app, and stays the app's.
fn ssh_target_reason(file: &Dockerfile, stages: &[usize]) -> Option<&'static str> {
    let instructions = || {
        stages
            .iter()
            .flat_map(|i| file.stages[*i].instructions.iter())
    };
    let exposes_ssh = instructions()
        .filter(|i| i.keyword == "EXPOSE")
        .flat_map(|i| i.words())
        .any(|w| w == "22" || w.eq_ignore_ascii_case("22/tcp"));
    let starts_sshd = command_words(file, stages[0])
        .iter()
        .any(|w| w.rsplit('/').next() == Some("sshd"));
    if !(exposes_ssh || starts_sshd) {
        return None;
    }
    let copies_project = instructions()
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
        .any(|inst| {
            let (sources, _) = copy_parts(inst);
            // A here-document writes a file from the Dockerfile itself.
            !inst.heredocs.is_empty()
                || sources.iter().any(|src| {
                    let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
                    let name = name.to_ascii_lowercase();
                    !(name.contains("ssh")
                        || name.contains("authorized_keys")
                        || name.ends_with(".pub"))
                })
        });
    (!copies_project).then_some(
        "it serves SSH (`EXPOSE 22` or `sshd`) and copies nothing of the project: \
         a server to deploy to, not the app's image",
    )
}

/// Whether the chain starts from an image that serves by itself — its own
/// `CMD` starts a server (`php:8.3-fpm`, `nginx`, `httpd`, `tomcat`): a
/// Dockerfile that only adds the app to it needs no command of its own.
fn serving_base(file: &Dockerfile, stages: &[usize]) -> bool {
    let Some(first) = stages.iter().min() else {
        return false;
    };
    let image = file.stages[*first].image.to_ascii_lowercase();
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image.as_str(), ""),
    };
    let name = repo.rsplit('/').next().unwrap_or(repo);
    matches!(
        name,
        "nginx"
            | "nginx-unprivileged"
            | "httpd"
            | "caddy"
            | "tomcat"
            | "jetty"
            | "openresty"
            | "wordpress"
            | "haproxy"
            | "traefik"
            | "unit"
            | "php-fpm"
    ) || (name == "php" && (tag.contains("fpm") || tag.contains("apache")))
}

/// Whether the stage (with the stages it is built on) says what to run:
/// `CMD` or `ENTRYPOINT`, and `EXPOSE` when `expose` is set.
fn runs_anything(file: &Dockerfile, stage: usize, expose: bool) -> bool {
    chain(file, stage).iter().any(|i| {
        let s = &file.stages[*i];
        s.all("CMD").next().is_some()
            || s.all("ENTRYPOINT").next().is_some()
            || (expose && s.all("EXPOSE").next().is_some())
    })
}

/// The last stage, unless it is a development stage; then a stage named
/// like the production one.
pub fn image_stage(file: &Dockerfile) -> Option<usize> {
    let last = file.stages.len().checked_sub(1)?;
    let is_dev = |s: &Stage| {
        s.name
            .as_deref()
            .is_some_and(|n| n.split(['-', '_']).any(|w| DEV_STAGES.contains(&w)))
    };
    if !is_dev(&file.stages[last]) {
        return Some(last);
    }
    file.stages.iter().rposition(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| PRODUCTION_STAGES.contains(&n))
    })
}

/// Which stages end up in what a build produces: the chains of the image
/// stage and of `other` stages (compose targets), and every stage one of
/// them copies or mounts from (`COPY --from=`, `RUN --mount=…,from=`),
/// followed to the end. A stage outside is built for nothing (BuildKit
/// skips it): a leftover `FROM tonistiigi/binfmt AS binfmt` no stage uses.
pub fn used_stages(file: &Dockerfile, image: usize, other: &[usize]) -> Vec<bool> {
    let mut used = vec![false; file.stages.len()];
    let mut todo: Vec<usize> = std::iter::once(image)
        .chain(other.iter().copied())
        .collect();
    while let Some(stage) = todo.pop() {
        for i in chain(file, stage) {
            if i >= used.len() || used[i] {
                continue;
            }
            used[i] = true;
            for inst in &file.stages[i].instructions {
                let mut sources: Vec<String> =
                    inst.flag("from").map(str::to_string).into_iter().collect();
                if inst.keyword == "RUN" {
                    for (name, value) in &inst.flags {
                        if name == "mount" {
                            sources.extend(
                                value
                                    .split(',')
                                    .filter_map(|kv| kv.trim().strip_prefix("from="))
                                    .map(str::to_string),
                            );
                        }
                    }
                }
                for source in sources {
                    if let Some(j) = stage_named(file, i, &source) {
                        todo.push(j);
                    }
                }
            }
        }
    }
    used
}

/// Compose services (outside dev folders) by the Dockerfile they build,
/// in path order of the compose files.
fn compose_builds(
    cx: &RepoContext,
    compose_roles: &HashMap<FileId, super::compose::Judgement>,
) -> HashMap<String, Vec<ComposeBuild>> {
    let index = cx.index;
    let mut out: HashMap<String, Vec<ComposeBuild>> = HashMap::new();
    for id in index.of_kind(FileKind::Compose) {
        let compose = index.get(*id);
        if is_dev_path(&compose.rel) {
            continue;
        }
        let Some(parsed) = cx.facts.compose(*id) else {
            continue;
        };
        for service in &parsed.services {
            let Some(context) = service
                .build_context
                .as_deref()
                .and_then(|c| resolve(compose.dir(), c))
            else {
                continue;
            };
            let dockerfile = service.dockerfile.as_deref().unwrap_or("Dockerfile");
            let source_mounted_at: Vec<String> = service
                .details
                .volumes
                .iter()
                .filter(|m| {
                    m.source.as_deref().is_some_and(|src| {
                        src.starts_with('.')
                            && resolve(compose.dir(), src).as_deref() == Some(context.as_str())
                    })
                })
                .map(|m| m.target.trim_end_matches('/').to_string())
                .collect();
            let tree_mounted_at: Vec<String> = service
                .details
                .volumes
                .iter()
                .filter(|m| {
                    m.source.as_deref().is_some_and(|src| {
                        src.starts_with('.')
                            && resolve(compose.dir(), src).is_some_and(|dir| {
                                dir != context
                                    && (dir.is_empty() || context.starts_with(&format!("{dir}/")))
                            })
                    })
                })
                .map(|m| m.target.trim_end_matches('/').to_string())
                .collect();
            if let Some(path) = resolve(&context, dockerfile) {
                out.entry(path).or_default().push(ComposeBuild {
                    source_mounted_at,
                    tree_mounted_at,
                    in_deployment: compose_roles.get(id).is_some_and(|j| {
                        j.compose_role == crate::facts::compose::ComposeRole::Production
                    }),
                    compose: *id,
                    service: service.name.clone(),
                    context,
                    target: service.target.clone(),
                    user: service.user.clone(),
                    deprecated: only_deprecated_profiles(&service.raw),
                });
            }
        }
    }
    out
}

/// Whether a compose service's `profiles:` are all deprecated or legacy
/// ones: `docker compose up` starts it only when such a profile is asked
/// for by name.
fn only_deprecated_profiles(raw: &yaml_rust2::Yaml) -> bool {
    let Some(profiles) = raw["profiles"].as_vec() else {
        return false;
    };
    !profiles.is_empty()
        && profiles.iter().all(|p| {
            p.as_str().is_some_and(|p| {
                p.to_ascii_lowercase()
                    .split(['-', '_'])
                    .any(|w| matches!(w, "deprecated" | "legacy"))
            })
        })
}

/// Lockfiles of the package managers of one ecosystem: a Dockerfile that
/// copies one of them while the project has another is written for a
/// package manager the project does not use.
const LOCKFILE_FAMILIES: &[&[&str]] = &[
    &[
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "bun.lockb",
    ],
    &["poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock"],
];

/// A lockfile the Dockerfile copies from its build context that exists
/// neither in its folder nor in any folder above it (every context it
/// could be built from), while a lockfile of another package manager of
/// the same ecosystem does: `COPY bun.lockb ./` in a leftover
/// `Dockerfile.bun` of an npm project. A project that commits no lockfile
/// at all (it may be generated or git-ignored) proves nothing; copies with
/// wildcards (`bun.lockb*`) tolerate a missing file and do not count.
/// The missing lockfile and the one the project has.
fn foreign_lockfile(cx: &RepoContext, rel: &str, file: &Dockerfile) -> Option<(String, String)> {
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut contexts = vec![dir];
    let mut at = dir;
    while !at.is_empty() {
        at = at.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        contexts.push(at);
    }
    let exists = |name: &str| {
        contexts
            .iter()
            .find(|ctx| cx.index.find(&crate::apps::join(ctx, name)).is_some())
            .map(|ctx| crate::apps::join(ctx, name))
    };
    file.stages
        .iter()
        .flat_map(|s| s.instructions.iter())
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
        .flat_map(|i| copy_parts(i).0)
        .find_map(|src| {
            let src = src.trim_start_matches("./");
            let name = src.rsplit('/').next().unwrap_or(src);
            if src.contains(['*', '?', '[', '$']) || src.starts_with("..") {
                return None;
            }
            let family = LOCKFILE_FAMILIES.iter().find(|f| f.contains(&name))?;
            if contexts
                .iter()
                .any(|ctx| cx.index.find(&crate::apps::join(ctx, src)).is_some())
            {
                return None;
            }
            let other = family
                .iter()
                .filter(|l| **l != name)
                .find_map(|l| exists(l))?;
            Some((name.to_string(), other))
        })
}

/// Judges every Dockerfile of the repository. `compose` is the compose
/// files' judgement: a service of a CI stack (`docker-compose.build.yml`
/// that only a CI job brings up) builds the image too, so it counts as
/// something building it, but it is not a production build — its target
/// is not a production stage and it is shown as a CI build.
pub fn judge_all(
    cx: &RepoContext,
    compose: &HashMap<FileId, super::compose::Judgement>,
) -> HashMap<FileId, Judgement> {
    let builds_by_dockerfile = compose_builds(cx, compose);
    let copied_from = copied_from_images(cx);
    let ci_built = built_by_ci(cx);
    let git_context_builds = git_context_builds(cx);
    // A CI stack's or a development file's build (`docker-compose.build.yml`
    // only CI starts, `docker-compose.override.yml`) is not a production
    // build of the image.
    // A base file's service that a production override beside it extends
    // (`docker-compose.yml` + `docker-compose.prod.yml`, both naming
    // `php`): base and override together are the deployment, so the base
    // file's build is a production one.
    // The override only extends: its service names neither a build nor an
    // image of its own (a standalone deployment file beside a CI stack
    // that builds the same service is no override of it).
    // The production compose files by folder, made once: asked of every
    // compose file for every build, this made the judgement quadratic in
    // the number of compose files (a sixth of the audit of 2,000 services).
    let mut production_by_dir: HashMap<&str, Vec<FileId>> = HashMap::new();
    for (other, j) in compose {
        if j.role.role == Role::Production {
            production_by_dir
                .entry(cx.index.get(*other).dir())
                .or_default()
                .push(*other);
        }
    }
    let overridden_for_production = |b: &ComposeBuild| {
        let dir = cx.index.get(b.compose).dir();
        let base_ci = compose
            .get(&b.compose)
            .is_some_and(|j| j.role.role == Role::Ci);
        !base_ci
            && production_by_dir.get(dir).is_some_and(|others| {
                others.iter().any(|other| {
                    *other != b.compose
                        && cx.facts.compose(*other).is_some_and(|c| {
                            c.services.iter().any(|s| {
                                s.name == b.service
                                    && s.build_context.is_none()
                                    && s.image.is_none()
                            })
                        })
                })
            })
    };
    let is_ci = |b: &ComposeBuild| {
        !overridden_for_production(b)
            && compose.get(&b.compose).is_some_and(|j| {
                j.role.role == Role::Ci
                    || j.compose_role == crate::facts::compose::ComposeRole::Development
            })
    };
    let unnamed_variants = unreferenced_variants(cx, &builds_by_dockerfile, &ci_built);
    let dev_builders = command_builds(cx);
    let unbuilt = unbuilt_dockerfiles(cx, &builds_by_dockerfile, &ci_built);
    let mut out = HashMap::new();
    for id in cx.index.of_kind(FileKind::Dockerfile) {
        let rel = cx.index.get(*id).rel.as_str();
        if unnamed_variants.contains(id) {
            out.insert(
                *id,
                Judgement {
                    role: FileRole::new(
                        Role::Dead,
                        "a `Dockerfile-…` variant that no compose file, CI job, build \
                         configuration (`.goreleaser.yml`, `docker-bake.hcl`), script, task \
                         runner or README names: nothing builds it",
                    ),
                    image_stage: None,
                    builds: Vec::new(),
                    built_by_ci: false,
                    development_by_stage: false,
                    git_context_only: None,
                },
            );
            continue;
        }
        let builds = builds_by_dockerfile.get(rel).cloned().unwrap_or_default();
        let (ci, deploy): (Vec<ComposeBuild>, Vec<ComposeBuild>) =
            builds.iter().cloned().partition(|b| is_ci(b));
        let deployed = deploy.iter().any(&overridden_for_production);
        let mut judgement = if ci.is_empty() || deploy.is_empty() {
            judge(cx, rel, *id, builds, deployed)
        } else {
            judge(cx, rel, *id, deploy, deployed)
        };
        let not_production_build = |b: &ComposeBuild| match compose.get(&b.compose) {
            Some(j) if j.role.role == Role::Ci => format!(
                "a CI stack ({}), not a production build",
                j.role.evidence.first().map(String::as_str).unwrap_or("")
            ),
            _ => "a development file, not a production build".to_string(),
        };
        for b in &ci {
            let listed = format!(
                "compose service `{}` in {} builds it",
                b.service,
                cx.rel(b.compose)
            );
            for line in judgement.role.evidence.iter_mut() {
                if line.starts_with(&listed) {
                    *line = format!("{line} — {}", not_production_build(b));
                }
            }
            if !judgement
                .role
                .evidence
                .iter()
                .any(|l| l.starts_with(&listed))
            {
                judgement
                    .role
                    .evidence
                    .push(format!("{listed} — {}", not_production_build(b)));
            }
        }
        judgement.builds.retain(|b| !is_ci(b));
        if judgement.builds.is_empty() && !dev_builders.contains_key(rel) {
            if let Some(ci) = git_context_builds.get(rel).copied().flatten() {
                judgement.git_context_only = Some(ci);
                judgement.role.evidence.push(format!(
                    "{} builds it with `docker/build-push-action` and no `context:`: from the \
                     Git context, which holds the tracked files only",
                    cx.rel(ci)
                ));
            }
        }
        if let Some(ci) = ci_built.get(rel) {
            judgement.built_by_ci = true;
            judgement
                .role
                .evidence
                .push(format!("{} builds it into an image", cx.rel(*ci)));
        }
        if judgement.role.role == Role::Production
            && builds_by_dockerfile_empty(&judgement)
            && !judgement.built_by_ci
        {
            if let Some(why) = unbuilt.get(id) {
                judgement.role = FileRole::new(Role::Dead, why.clone());
                judgement.image_stage = None;
            }
        }
        if judgement.role.role == Role::Production && builds_by_dockerfile_empty(&judgement) {
            if let Some(why) = artifact_image(cx, rel, *id, &copied_from) {
                judgement.role = FileRole::new(Role::Tooling, why);
                judgement.image_stage = None;
            }
        }
        if judgement.role.role == Role::Production
            && builds_by_dockerfile_empty(&judgement)
            && !judgement.built_by_ci
        {
            if let Some(builders) = dev_builders.get(rel) {
                if builders.iter().all(|b| b.dev.is_some())
                    && !named_by_release_config(cx, cx.index.get(*id).name())
                {
                    let mut role = FileRole::new(
                        Role::Development,
                        "only development commands build it, and no compose file, CI job or \
                         release configuration (goreleaser, bake, Skaffold) names it: a \
                         developer's image, not the published one",
                    );
                    for b in builders {
                        role = role.because(format!(
                            "{} builds it at line {} ({})",
                            cx.rel(b.file),
                            b.line,
                            b.dev.as_deref().unwrap_or("")
                        ));
                    }
                    judgement.role = role;
                    judgement.image_stage = None;
                }
            }
        }
        out.insert(*id, judgement);
    }
    out
}

/// Dockerfiles named `Dockerfile-SUFFIX` / `Dockerfile_SUFFIX` that nothing
/// names: a `Dockerfile.SUFFIX` is read as an image by its name alone (the
/// convention Docker documents), but the hyphenated form is read only when
/// something builds it — a compose `dockerfile:`, a CI `-f`/`file:`,
/// goreleaser's `dockerfile:`, a bake file, a script, a task runner or a
/// README naming the file. The names are searched in those files once.
fn unreferenced_variants(
    cx: &RepoContext,
    compose_builds: &HashMap<String, Vec<ComposeBuild>>,
    ci_built: &HashMap<String, FileId>,
) -> Vec<FileId> {
    let index = cx.index;
    let variants: Vec<FileId> = index
        .of_kind(FileKind::Dockerfile)
        .iter()
        .copied()
        .filter(|id| {
            let lower = index.get(*id).name().to_ascii_lowercase();
            [
                "dockerfile-",
                "dockerfile_",
                "containerfile-",
                "containerfile_",
            ]
            .iter()
            .any(|p| lower.starts_with(p))
        })
        .filter(|id| {
            let rel = index.get(*id).rel.as_str();
            !compose_builds.contains_key(rel) && !ci_built.contains_key(rel)
        })
        .collect();
    if variants.is_empty() {
        return variants;
    }
    let mut names: Vec<String> = variants
        .iter()
        .map(|id| index.get(*id).name().to_string())
        .collect();
    names.sort();
    names.dedup();
    let readers: Vec<FileId> = index
        .of_kind(FileKind::CiConfig)
        .iter()
        .chain(index.of_kind(FileKind::ShellScript))
        .chain(index.of_kind(FileKind::TaskRunner))
        .chain(index.of_kind(FileKind::Readme))
        .chain(index.of_kind(FileKind::Compose))
        .copied()
        .chain(index.ids_under("").filter(|id| {
            let name = index.get(*id).name().to_ascii_lowercase();
            name.starts_with(".goreleaser")
                || name.starts_with("goreleaser")
                || name.starts_with("docker-bake")
                || name == "skaffold.yaml"
                || name == "package.json"
        }))
        .collect();
    let named = super::mentions(index, &readers, &names);
    variants
        .into_iter()
        .filter(|id| !named.contains_key(index.get(*id).name()))
        .collect()
}

/// A `docker build -f <Dockerfile>` in a task runner's recipe or a shell
/// script.
struct CommandBuild {
    file: FileId,
    line: u32,
    /// Why it is a development build, if it is: the recipe or script is
    /// named for development (`docker-dev`, `build-local.sh`), or it tags
    /// the image `:dev`.
    dev: Option<String>,
}

/// Whether a recipe or script name says development.
fn dev_named(name: &str) -> Option<String> {
    name.to_ascii_lowercase()
        .split(['-', '_', '.', ':', '/'])
        .find(|w| matches!(*w, "dev" | "develop" | "development" | "local" | "debug"))
        .map(str::to_string)
}

/// The Dockerfiles task-runner recipes (Makefile, Justfile) and shell
/// scripts build by name (`docker build --file ./Dockerfile-build …`,
/// `docker buildx build -f …`, `podman build -f …`), resolved from the
/// runner's folder, with whether each build is a development one. Read once
/// per audit from the parsed files.
fn command_builds(cx: &RepoContext) -> HashMap<String, Vec<CommandBuild>> {
    let mut out: HashMap<String, Vec<CommandBuild>> = HashMap::new();
    let mut record = |file: FileId, owner: &str, cmd: &crate::facts::shell::ShellCommand| {
        if !matches!(cmd.name.as_str(), "docker" | "podman" | "buildah")
            || !cmd.args.iter().any(|a| a == "build" || a == "bud")
        {
            return;
        }
        let mut dockerfile = None;
        let mut dev_tag = None;
        let mut args = cmd.args.iter().peekable();
        while let Some(a) = args.next() {
            let value = |prefix: &str| a.strip_prefix(prefix).map(str::to_string);
            if let Some(v) = value("--file=") {
                dockerfile = Some(v);
            } else if matches!(a.as_str(), "-f" | "--file") {
                dockerfile = args.peek().map(|v| v.to_string());
            } else if let Some(v) = value("--tag=").or_else(|| {
                matches!(a.as_str(), "-t" | "--tag")
                    .then(|| args.peek().map(|v| v.to_string()))
                    .flatten()
            }) {
                let tag = v.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
                if let Some(w) = dev_named(tag) {
                    dev_tag = Some(format!("it tags the image `:{w}`"));
                }
            }
        }
        let Some(dockerfile) = dockerfile else { return };
        let dir = cx.index.get(file).dir();
        let Some(path) = resolve(dir, dockerfile.trim_matches(['"', '\''])) else {
            return;
        };
        let dev = dev_named(owner)
            .map(|w| format!("`{owner}` says `{w}`"))
            .or(dev_tag);
        out.entry(path).or_default().push(CommandBuild {
            file,
            line: cmd.line,
            dev,
        });
    };
    for id in cx.index.of_kind(FileKind::TaskRunner) {
        let Some(runner) = cx.facts.task_runner(*id) else {
            continue;
        };
        for recipe in &runner.recipes {
            for cmd in &recipe.commands {
                record(*id, &format!("target {}", recipe.name), cmd);
            }
        }
    }
    for id in cx.index.of_kind(FileKind::ShellScript) {
        let Some(script) = cx.facts.shell_script(*id) else {
            continue;
        };
        let name = cx.index.get(*id).name().to_string();
        for cmd in &script.commands {
            record(*id, &name, cmd);
        }
    }
    out
}

/// Dockerfiles nothing builds, with the reason, among those no compose
/// service or CI job builds:
/// - a copy left behind: a Dockerfile of the same name elsewhere is what
///   compose or CI builds (`api.Dockerfile` at the root), and nothing —
///   compose, CI, script, task runner, README — names this one's path
///   (`dkr/mrp/api.Dockerfile`);
/// - a container nobody deploys: every deployment definition of its folder
///   and of the root is a serverless platform that bundles the code itself
///   (`wrangler.toml`, `vercel.json`, `netlify.toml`), and no CI file,
///   script, task runner, README or compose file mentions the Dockerfile
///   or a `docker` build or run.
fn unbuilt_dockerfiles(
    cx: &RepoContext,
    compose_builds: &HashMap<String, Vec<ComposeBuild>>,
    ci_built: &HashMap<String, FileId>,
) -> HashMap<FileId, String> {
    let index = cx.index;
    let mut out = HashMap::new();
    let unbuilt: Vec<FileId> = index
        .of_kind(FileKind::Dockerfile)
        .iter()
        .copied()
        .filter(|id| {
            let rel = index.get(*id).rel.as_str();
            !compose_builds.contains_key(rel) && !ci_built.contains_key(rel)
        })
        .collect();
    if unbuilt.is_empty() {
        return out;
    }
    let readers: Vec<FileId> = index
        .of_kind(FileKind::CiConfig)
        .iter()
        .chain(index.of_kind(FileKind::ShellScript))
        .chain(index.of_kind(FileKind::TaskRunner))
        .chain(index.of_kind(FileKind::Readme))
        .chain(index.of_kind(FileKind::Compose))
        .copied()
        .chain(index.deploy_files().map(|(id, _)| id))
        .collect();
    // The names of the Dockerfiles compose or CI builds, when those files
    // exist: a CI `docker build -f Dockerfile.x` run in a subfolder may
    // resolve to a root path that is not there.
    let built_names: Vec<String> = compose_builds
        .keys()
        .chain(ci_built.keys())
        .filter(|rel| index.find(rel).is_some())
        .map(|rel| rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase())
        .collect();
    // Paths as a reader would write them: the whole path, and the file
    // with its folder (`mrp/api.Dockerfile`).
    let path_names = |rel: &str| -> Vec<String> {
        let mut names = vec![rel.to_string()];
        let parts: Vec<&str> = rel.rsplitn(3, '/').collect();
        if parts.len() >= 2 {
            names.push(format!("{}/{}", parts[1], parts[0]));
        }
        names
    };
    let mut wanted: Vec<String> = vec![
        "docker build".to_string(),
        "docker run".to_string(),
        "docker buildx".to_string(),
        "docker compose".to_string(),
        "docker-compose".to_string(),
    ];
    for id in &unbuilt {
        let f = index.get(*id);
        wanted.extend(path_names(&f.rel));
        wanted.push(f.name().to_string());
    }
    wanted.sort();
    wanted.dedup();
    let named = super::mentions(index, &readers, &wanted);
    let definitions = cx.deploy_kinds_by_dir();
    for id in unbuilt {
        let f = index.get(id);
        let name = f.name().to_ascii_lowercase();
        let path_named = path_names(&f.rel).iter().any(|n| named.contains_key(n));
        if path_named {
            continue;
        }
        // Only a named variant (`api.Dockerfile`, `Dockerfile.api`): plain
        // `Dockerfile`s of a monorepo's apps share their name by convention.
        let variant = !matches!(name.as_str(), "dockerfile" | "containerfile");
        if variant && !f.dir().is_empty() && built_names.contains(&name) {
            out.insert(
                id,
                format!(
                    "a copy left behind: compose or CI builds the `{}` of another folder, \
                     and nothing names this path",
                    f.name()
                ),
            );
            continue;
        }
        // Named by its file name or any docker build anywhere: something
        // may build it.
        if named.contains_key(f.name())
            || [
                "docker build",
                "docker run",
                "docker buildx",
                "docker compose",
                "docker-compose",
            ]
            .iter()
            .any(|w| named.contains_key(*w))
        {
            continue;
        }
        let in_scope: Vec<crate::index::DeployKind> = definitions
            .get("")
            .into_iter()
            .chain(
                (!f.dir().is_empty())
                    .then(|| definitions.get(f.dir()))
                    .flatten(),
            )
            .flatten()
            .map(|(_, kind)| *kind)
            .collect();
        if !in_scope.is_empty() && in_scope.iter().all(|k| k.is_serverless()) {
            let mut labels: Vec<&str> = in_scope.iter().map(|k| k.label()).collect();
            labels.dedup();
            out.insert(
                id,
                format!(
                    "nothing builds it: the deployment is {}, which bundles the code itself, \
                     and no compose file, CI job, script, task runner or README names the \
                     Dockerfile or a `docker` build",
                    labels.join(" and ")
                ),
            );
        }
    }
    out
}

/// Whether a CI file or a release build configuration (goreleaser, a bake
/// file, Skaffold) names a Dockerfile: then it is built for release,
/// whatever else builds it.
fn named_by_release_config(cx: &RepoContext, name: &str) -> bool {
    let index = cx.index;
    let readers: Vec<FileId> = index
        .of_kind(FileKind::CiConfig)
        .iter()
        .copied()
        .chain(index.ids_under("").filter(|id| {
            let n = index.get(*id).name().to_ascii_lowercase();
            n.starts_with(".goreleaser")
                || n.starts_with("goreleaser")
                || n.starts_with("docker-bake")
                || n == "skaffold.yaml"
                || n == "skaffold.yml"
        }))
        .collect();
    !super::mentions(index, &readers, &[name.to_string()]).is_empty()
}

fn builds_by_dockerfile_empty(judgement: &Judgement) -> bool {
    judgement.builds.is_empty()
}

/// The images other Dockerfiles of the repository copy files out of
/// (`COPY --from=penpotapp/imagemagick:7.1 /opt/imagick /opt/imagick`), by
/// the last segment of their name (`imagemagick`), with the first file
/// that does. A `--from` without `/` or `:` names a stage, not an image.
/// Read once per audit from the parsed Dockerfiles.
fn copied_from_images(cx: &RepoContext) -> HashMap<String, FileId> {
    let mut out = HashMap::new();
    for id in cx.index.of_kind(FileKind::Dockerfile) {
        let Some(file) = cx.facts.dockerfile(*id) else {
            continue;
        };
        for i in file.stages.iter().flat_map(|s| s.instructions.iter()) {
            let Some(from) = i.flag("from").filter(|_| i.keyword == "COPY") else {
                continue;
            };
            if !from.contains(['/', ':']) || from.contains('$') {
                continue;
            }
            let repo = from.split(['@']).next().unwrap_or(from);
            let repo = match repo.rsplit_once(':') {
                Some((r, tag)) if !tag.contains('/') => r,
                _ => repo,
            };
            let last = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
            out.entry(last).or_insert(*id);
        }
    }
    out
}

/// A Dockerfile whose image exists only to be copied from: other
/// Dockerfiles of the repository `COPY --from=` an image named like its
/// folder (`docker/imagemagick/Dockerfile` → `…/imagemagick`), no compose
/// service builds it and it exposes no port. It is built and pushed for
/// the other builds; nothing runs it as a service, so what it runs as does
/// not matter.
fn artifact_image(
    cx: &RepoContext,
    rel: &str,
    id: FileId,
    copied_from: &HashMap<String, FileId>,
) -> Option<String> {
    let file = cx.facts.dockerfile(id)?;
    let stage = image_stage(file)?;
    if chain(file, stage)
        .iter()
        .any(|i| file.stages[*i].all("EXPOSE").next().is_some())
    {
        return None;
    }
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let own = match name.split_once('.') {
        Some((_, suffix)) if !suffix.eq_ignore_ascii_case("dockerfile") => suffix,
        _ => dir.rsplit('/').next().unwrap_or(dir),
    }
    .to_ascii_lowercase();
    let user = copied_from.get(&own).filter(|user| **user != id)?;
    Some(format!(
        "{} copies files out of the image `…/{own}` (`COPY --from`), no compose service \
         builds it and it exposes no port: an image built to be copied from, not run",
        cx.rel(*user)
    ))
}

/// `deployed`: a production compose override extends a service that
/// builds the file — what the image's `ENV` says about its environment
/// does not make it a development image then.
fn judge(
    cx: &RepoContext,
    rel: &str,
    id: FileId,
    builds: Vec<ComposeBuild>,
    deployed: bool,
) -> Judgement {
    let undecided = |role: FileRole, builds: Vec<ComposeBuild>| Judgement {
        role,
        image_stage: None,
        builds,
        built_by_ci: false,
        development_by_stage: false,
        git_context_only: None,
    };
    let by_stage = |role: FileRole, builds: Vec<ComposeBuild>| Judgement {
        development_by_stage: true,
        ..undecided(role, builds)
    };
    if let Some(role) = path_role(rel) {
        return undecided(role, builds);
    }
    let Some(file) = cx.facts.dockerfile(id) else {
        return undecided(
            FileRole::new(Role::Undecided, "it could not be read or parsed"),
            builds,
        );
    };
    if says_not_production(&file.header_comment) {
        return undecided(
            FileRole::new(
                Role::Development,
                "its header comment rules production out (\"for development only\", …)",
            ),
            builds,
        );
    }
    let built_by: Vec<String> = builds
        .iter()
        .map(|b| {
            let target = b
                .target
                .as_deref()
                .map(|t| format!(" (target `{t}`)"))
                .unwrap_or_default();
            format!(
                "compose service `{}` in {} builds it{target}",
                b.service,
                cx.rel(b.compose)
            )
        })
        .collect();
    if !builds.is_empty() && builds.iter().all(|b| b.deprecated) {
        let mut role = FileRole::new(
            Role::Dead,
            "only compose services in a deprecated or legacy profile build it: kept for \
             old installations, not deployed",
        );
        role.evidence.extend(built_by);
        return undecided(role, builds);
    }
    let targets: Vec<&str> = builds.iter().filter_map(|b| b.target.as_deref()).collect();
    let image_stage = if !builds.is_empty() && targets.len() == builds.len() {
        // Every compose service builds a named stage: the first
        // production-looking one is the image.
        match targets
            .iter()
            .filter(|t| !DEV_STAGES.contains(&t.to_ascii_lowercase().as_str()))
            .find_map(|t| stage_named(file, file.stages.len(), t))
        {
            Some(i) => i,
            None => {
                let mut role = FileRole::new(
                    Role::Development,
                    format!(
                        "every compose service builds a development stage ({})",
                        quoted(&targets)
                    ),
                );
                role.evidence.extend(built_by);
                return by_stage(role, builds);
            }
        }
    } else {
        match image_stage(file) {
            Some(i) => i,
            None => {
                return by_stage(
                    FileRole::new(
                        Role::Development,
                        "its last stage is a development stage and no stage is named \
                         like a production one",
                    ),
                    builds,
                )
            }
        }
    };
    // A last stage that runs nothing (`upload-artifact`, an export) after
    // stages that do: the file is built with `--target`, and the image is
    // the first of those stages that is not a development one (uptime-kuma's
    // `release`, which `rootless` and `nightly` build on).
    let mut chosen_target = None;
    let image_stage = if builds.is_empty() && !runs_anything(file, image_stage, true) {
        match (0..file.stages.len()).find(|i| {
            *i != image_stage
                && runs_anything(file, *i, false)
                && !file.stages[*i].name.as_deref().is_some_and(|n| {
                    n.split(['-', '_'])
                        .any(|w| DEV_STAGES.contains(&w.to_ascii_lowercase().as_str()))
                })
        }) {
            Some(i) => {
                chosen_target = Some(i);
                i
            }
            None => image_stage,
        }
    } else {
        image_stage
    };
    // The environment the image runs in is set by the stages the build
    // runs — the image stage (a compose `target:`) and the stages it is
    // built `FROM` — not by an asset stage after it (`FROM node AS encore`
    // with `NODE_ENV=development`, which the `target: app_php` build never
    // reaches).
    if let Some(what) = development_environment(file, image_stage).filter(|_| !deployed) {
        return undecided(
            FileRole::new(
                Role::Development,
                format!("its image sets `{what}`: an image for working on the app"),
            ),
            builds,
        );
    }
    // The image holds no source of the app — it copies only files
    // (manifests, lockfiles, an entrypoint), never the context or a
    // folder of it — and every service that builds it mounts the working
    // copy over its working directory (`.:/app`): the image only carries
    // the toolchain for code edited on the host — a development image,
    // whatever it runs. An image that copies the app keeps its production
    // role whatever a compose file mounts over it.
    let workdir = chain(file, image_stage).iter().rev().find_map(|i| {
        file.stages[*i]
            .instructions
            .iter()
            .rev()
            .find(|inst| inst.keyword == "WORKDIR")
            .map(|inst| inst.args.trim().trim_end_matches('/').to_string())
    });
    if let Some(workdir) = workdir.filter(|w| !w.is_empty() && !w.contains('$')) {
        if !builds.is_empty()
            && builds
                .iter()
                .all(|b| b.source_mounted_at.contains(&workdir))
            && copies_only_files(cx, file, &builds[0].context)
        {
            let mut role = FileRole::new(
                Role::Development,
                format!(
                    "every compose service that builds it bind-mounts the working copy over \
                     its working directory `{workdir}`: an image for working on the code"
                ),
            );
            role.evidence.extend(built_by);
            return by_stage(role, builds);
        }
        // The same with the project's folder (a folder above the build
        // context: `./:/app` for a context `./docker/node`) mounted over
        // the working directory by compose files that are not deployments,
        // while the image carries no code of the project: it copies only
        // named files, or its context holds nothing but the Dockerfile — a
        // toolchain image (an asset builder) for the working copy.
        if !builds.is_empty()
            && builds.iter().all(|b| {
                !b.in_deployment
                    && (b.tree_mounted_at.contains(&workdir)
                        || b.source_mounted_at.contains(&workdir))
            })
            && builds.iter().any(|b| b.tree_mounted_at.contains(&workdir))
            && (copies_only_files(cx, file, &builds[0].context)
                || context_without_code(cx, &builds[0].context))
        {
            let mut role = FileRole::new(
                Role::Development,
                format!(
                    "every compose service that builds it bind-mounts the project's folder \
                     over its working directory `{workdir}`, in a compose file that is not a \
                     deployment, and the image holds none of the project's code: an image \
                     for working on the code"
                ),
            );
            role.evidence.extend(built_by);
            return by_stage(role, builds);
        }
    }
    let command = command_words(file, image_stage);
    if runs_dev_server(&command) {
        return by_stage(
            FileRole::new(
                Role::Development,
                format!(
                    "its command starts a development server: `{}`",
                    command.join(" ")
                ),
            ),
            builds,
        );
    }
    if let Some(why) = tool_reason(file, image_stage, !builds.is_empty()) {
        return undecided(FileRole::new(Role::Tooling, why), builds);
    }
    if builds.is_empty() {
        if let Some((lockfile, other)) = foreign_lockfile(cx, rel, file) {
            return undecided(
                FileRole::new(
                    Role::Dead,
                    format!(
                        "it copies `{lockfile}`, which exists nowhere it could be built \
                         from, while the project locks its packages with {other}, and no \
                         compose service builds it: a leftover for another package \
                         manager that cannot build"
                    ),
                ),
                builds,
            );
        }
    }
    let stage = &file.stages[image_stage];
    let mut role = FileRole::new(
        Role::Production,
        match &stage.name {
            Some(name) => format!(
                "it builds an image (stage `{name}`, {} of {}) and nothing rules production out",
                image_stage + 1,
                file.stages.len()
            ),
            None => format!(
                "it builds an image (stage {} of {}) and nothing rules production out",
                image_stage + 1,
                file.stages.len()
            ),
        },
    );
    if let Some(i) = chosen_target {
        role = role.because(format!(
            "its last stage runs nothing: the image is the first stage that does, `{}`, \
             built with `--target`",
            file.stages[i].name.as_deref().unwrap_or("?")
        ));
    }
    if !command.is_empty() {
        role = role.because(format!("it runs `{}`", command.join(" ")));
    }
    role.evidence.extend(built_by);
    Judgement {
        role,
        image_stage: Some(image_stage),
        builds,
        built_by_ci: false,
        development_by_stage: false,
        git_context_only: None,
    }
}

/// Whether every `COPY`/`ADD` from the build context names files (a
/// manifest, a lockfile, a script), none the whole context or a folder of
/// it: the image is built without the app's source. Copies from other
/// stages or images and URLs are not from the context.
fn copies_only_files(cx: &RepoContext, file: &Dockerfile, context: &str) -> bool {
    file.stages.iter().all(|stage| {
        stage
            .instructions
            .iter()
            .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
            // The flags are parsed apart from the words: `COPY --from=build
            // /app/dist .` copies another stage's files, not the context.
            .filter(|i| i.flag("from").is_none())
            .all(|inst| {
                let (sources, _) = copy_parts(inst);
                sources
                    .iter()
                    .filter(|w| !w.starts_with("--") && !w.contains("://"))
                    .all(|src| {
                        let src = src.trim_start_matches("./").trim_end_matches('/');
                        if src.is_empty() || src == "." {
                            return false;
                        }
                        if src.contains(['*', '?', '[']) {
                            // `package*.json`: files by name; `src/*`: a folder's.
                            return !src.ends_with('*') || src.contains('.');
                        }
                        let path = crate::apps::join(context, src);
                        cx.index.find(&path).is_some()
                    })
            })
    })
}

/// Whether a build context holds nothing but Dockerfiles, ignore files
/// and docs: copying it whole (`COPY ./ /app`) copies no code.
fn context_without_code(cx: &RepoContext, context: &str) -> bool {
    cx.index.under(context).iter().all(|f| {
        let name = f.name().to_ascii_lowercase();
        f.kind == Some(FileKind::Dockerfile)
            || name.ends_with(".dockerignore")
            || name.ends_with(".md")
            || name == ".gitignore"
            || name == ".gitkeep"
    })
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Variables that name the environment a framework runs in.
const ENVIRONMENT_VARIABLES: &[&str] = &[
    "APP_ENV",
    "DJANGO_ENV",
    "ENVIRONMENT",
    "FLASK_ENV",
    "NODE_ENV",
    "RACK_ENV",
    "RAILS_ENV",
];

/// The `KEY=value` by which the image of `image` sets the framework's
/// environment to development (`ENV FLASK_ENV development`,
/// `ENV NODE_ENV=development`), if it does: an image for working on the
/// app, not for running it. The stage inherits the environment of the
/// stages it is built `FROM`; the nearest setting wins.
fn development_environment(file: &Dockerfile, image: usize) -> Option<String> {
    let setting = chain(file, image)
        .into_iter()
        .find_map(|i| stage_environment(&file.stages[i]))?;
    matches!(setting.1.as_str(), "development" | "dev" | "local")
        .then(|| format!("{}={}", setting.0, setting.1))
}

/// The last `KEY=value` of a stage that names the framework's environment.
fn stage_environment(stage: &Stage) -> Option<(String, String)> {
    stage
        .all("ENV")
        .filter_map(|env| {
            let words = env.words();
            let unquote = |v: &str| v.trim_matches(['"', '\'']).to_ascii_lowercase();
            // The legacy `ENV KEY value` form, else `KEY=value` pairs.
            let pairs: Vec<(String, String)> = if words.len() == 2 && !words[0].contains('=') {
                vec![(words[0].clone(), unquote(&words[1]))]
            } else {
                words
                    .iter()
                    .filter_map(|w| w.split_once('='))
                    .map(|(k, v)| (k.to_string(), unquote(v)))
                    .collect()
            };
            pairs
                .into_iter()
                .rfind(|(k, _)| ENVIRONMENT_VARIABLES.contains(&k.as_str()))
        })
        .last()
}

/// Dockerfiles that CI builds into an image (`docker/build-push-action`,
/// whose inputs CI facts keep as `build-push-action <value>`, with
/// `file: ./scripts/Dockerfile`; `docker build -f ops/Dockerfile .`), with
/// the CI file that does. Read once per audit from the parsed pipelines.
fn built_by_ci(cx: &RepoContext) -> HashMap<String, FileId> {
    let mut out = HashMap::new();
    let normal = |p: &str| {
        p.trim_matches(['"', '\''])
            .trim_start_matches("./")
            .to_string()
    };
    for id in cx.index.of_kind(FileKind::CiConfig) {
        let Some(pipeline) = cx.facts.ci_pipeline(*id) else {
            continue;
        };
        for step in &pipeline.steps {
            let words: Vec<&str> = step.text.split_whitespace().collect();
            match step.kind {
                StepKind::Input if step.text.starts_with("build-push-action ") => {
                    for w in words.iter().skip(1) {
                        out.entry(normal(w)).or_insert(*id);
                    }
                }
                StepKind::Run => {
                    for (i, w) in words.iter().enumerate() {
                        let builds = i >= 1
                            && words[..i].contains(&"build")
                            && words[..i]
                                .iter()
                                .any(|d| matches!(*d, "docker" | "podman" | "buildx"));
                        if !builds {
                            continue;
                        }
                        if let Some(path) = w.strip_prefix("--file=") {
                            out.entry(normal(path)).or_insert(*id);
                        } else if matches!(*w, "-f" | "--file") {
                            if let Some(path) = words.get(i + 1) {
                                out.entry(normal(path)).or_insert(*id);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Per Dockerfile that `docker/build-push-action` steps build: the CI file
/// of the first when every such step builds from the Git context (no
/// `context:` input), `None` when one names a context (a path context
/// after `actions/checkout` carries `.git` and whatever the job wrote). A
/// step without `file:` builds the root `Dockerfile`.
fn git_context_builds(cx: &RepoContext) -> HashMap<String, Option<FileId>> {
    let mut out: HashMap<String, Option<FileId>> = HashMap::new();
    for id in cx.index.of_kind(FileKind::CiConfig) {
        let Some(pipeline) = cx.facts.ci_pipeline(*id) else {
            continue;
        };
        for build in &pipeline.image_builds {
            let file = build
                .file
                .as_deref()
                .map(|f| f.trim_matches(['"', '\'']).trim_start_matches("./"))
                .unwrap_or("Dockerfile");
            // `${{ matrix.dockerfile }}`: which file is not known here.
            if file.contains("${{") {
                continue;
            }
            let git = build.context.is_none();
            let entry = out.entry(file.to_string()).or_insert(git.then_some(*id));
            if !git {
                *entry = None;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_say_what_an_image_is_for() {
        let role = |rel: &str| path_role(rel).map(|r| r.role);
        assert_eq!(role("Dockerfile.dev"), Some(Role::Development));
        assert_eq!(role("docker/test.Dockerfile"), Some(Role::Test));
        assert_eq!(role(".github/actions/x/Dockerfile"), Some(Role::Ci));
        assert_eq!(role("tools/gen/Dockerfile"), Some(Role::Tooling));
        assert_eq!(role("examples/blog/Dockerfile"), Some(Role::Template));
        assert_eq!(role(".devcontainer/Dockerfile"), Some(Role::Development));
        assert_eq!(role("Dockerfile"), None);
        assert_eq!(role("apps/web/Dockerfile"), None);
        assert!(is_dev_path("docker/local/Dockerfile"));
        assert!(!is_dev_path("deploy/Dockerfile"));
    }
}
