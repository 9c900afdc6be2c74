//! What each compose file is for. Its name decides when it says
//! development or production; otherwise it deploys the project when it
//! keeps one of the project's own services running (a restart policy or
//! Swarm `deploy:` settings) — a stack of backing services for a
//! developer's `npm run dev` is not a deployment, nor is a file beside a
//! production-named one, one a dev script starts, or one only CI uses.

use std::collections::HashMap;

use super::{path, FileRole, Role};
use yaml_rust2::Yaml;

use crate::facts::compose::{ComposeFile, ComposeRole};
use crate::facts::yaml;
use crate::index::{DeployKind, FileId, FileKind};
use crate::rules::containerization::compose_files::runs_project_code;
use crate::rules::RepoContext;

/// How one compose file was judged.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub role: FileRole,
    /// The role as the compose rules use it: `Production` is a deployment.
    pub compose_role: ComposeRole,
}

/// Restart policies that keep a service running: a stack meant to stay up.
const KEEP_RUNNING: &[&str] = &["always", "unless-stopped", "on-failure"];

/// The names `docker compose` finds by itself; a file with another name is
/// named wherever it is used (`-f docker-compose.build.yml`).
fn is_default_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "compose.yml" | "compose.yaml" | "docker-compose.yml" | "docker-compose.yaml"
    )
}

/// Judges every compose file of the repository.
pub fn judge_all(cx: &RepoContext) -> HashMap<FileId, Judgement> {
    let index = cx.index;
    let files = index.of_kind(FileKind::Compose);
    // Who names each compose file with a name of its own: CI files and
    // scripts (parsed into steps and commands, but the name may sit
    // anywhere in them — an `env:` value, an assignment — so their text
    // is searched) and READMEs. Each is read once for all the names.
    // Default names too: a deploy script names `docker-compose.yml` when
    // it ships it.
    let mut names: Vec<String> = files
        .iter()
        .map(|id| index.get(*id).name().to_string())
        .collect();
    names.sort();
    names.dedup();
    let runners: Vec<FileId> = index
        .of_kind(FileKind::CiConfig)
        .iter()
        .chain(index.of_kind(FileKind::ShellScript))
        .copied()
        .collect();
    let readme_names: Vec<String> = names
        .iter()
        .filter(|n| !is_default_name(n))
        .cloned()
        .collect();
    let (used_by, in_readmes) = if names.is_empty() {
        (HashMap::new(), HashMap::new())
    } else {
        (
            super::mentions(index, &runners, &names),
            super::mentions(index, index.of_kind(FileKind::Readme), &readme_names),
        )
    };
    let mut out = HashMap::new();
    for id in files {
        let judgement = match cx.facts.compose(*id) {
            Some(compose) => judge(cx, *id, compose, &used_by, &in_readmes),
            None => Judgement {
                role: FileRole::new(Role::Undecided, "it could not be read or parsed"),
                compose_role: ComposeRole::Unknown,
            },
        };
        out.insert(*id, judgement);
    }
    out
}

fn judge(
    cx: &RepoContext,
    id: FileId,
    compose: &ComposeFile,
    used_by: &HashMap<String, Vec<FileId>>,
    in_readmes: &HashMap<String, Vec<FileId>>,
) -> Judgement {
    let rel = cx.rel(id);
    let not_deployment = |role: FileRole| Judgement {
        role,
        compose_role: ComposeRole::Unknown,
    };
    if let Some(role) = super::path_role(rel).filter(|_| path::is_non_product_path(rel)) {
        return Judgement {
            role,
            compose_role: ComposeRole::Development,
        };
    }
    match compose.name_role_why(rel) {
        (ComposeRole::Unknown, _) => {}
        (ComposeRole::Production, why) => {
            // A production word (`docker-compose.release.yml`) in a file that
            // only CI jobs bring up, none of them deploying, and that no
            // README or script tells anyone to run: the stack a test job
            // starts (hatchet's old-engine/new-SDK jobs), whatever its name.
            if let Some(users) = only_ci_uses(cx, id, used_by, in_readmes)
                .filter(|users| users.iter().all(|u| is_ci_file(cx, *u)))
            {
                return not_deployment(FileRole::new(
                    Role::Ci,
                    format!(
                        "{why}, but only CI jobs name it ({}), none that deploys, and no \
                         README or script",
                        users
                            .iter()
                            .map(|u| cx.rel(*u))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            return Judgement {
                role: FileRole::new(Role::Production, why),
                compose_role: ComposeRole::Production,
            };
        }
        (ComposeRole::Development, why) => {
            let lower = rel.to_ascii_lowercase();
            let role = lower
                .split(['/', '.', '-', '_'])
                .map(super::role_of_word)
                .find(|r| matches!(r, Role::Test | Role::Ci))
                .unwrap_or(Role::Development);
            return Judgement {
                role: FileRole::new(role, why),
                compose_role: ComposeRole::Development,
            };
        }
    }
    if let Some((script, what)) = deploy_script_shipping(cx, id, used_by) {
        return Judgement {
            role: FileRole::new(
                Role::Production,
                format!("the deploy script {} ships it ({what})", cx.rel(script)),
            ),
            compose_role: ComposeRole::Production,
        };
    }
    // Beside a production-named file (`docker-compose.prod.yml`), a neutral
    // one is the development or base file; the production one is read.
    let dir = cx.index.get(id).dir();
    if let Some(other) = cx.in_dir(FileKind::Compose, dir).into_iter().find(|other| {
        *other != id
            && cx
                .facts
                .compose(*other)
                .is_some_and(|c| c.name_role(cx.rel(*other)) == ComposeRole::Production)
    }) {
        return not_deployment(FileRole::new(
            Role::Development,
            format!(
                "{} beside it is the production file; this one is the development or base file",
                cx.rel(other)
            ),
        ));
    }
    if let Some(script) = dev_script_starting_compose(cx, dir) {
        return not_deployment(FileRole::new(
            Role::Development,
            format!(
                "the development script {} runs `docker compose` in its folder",
                cx.rel(script)
            ),
        ));
    }
    if let Some(users) = only_ci_uses(cx, id, used_by, in_readmes) {
        return not_deployment(FileRole::new(
            Role::Ci,
            format!(
                "only CI files and scripts name it ({}), none that deploys, and no README",
                users
                    .iter()
                    .map(|u| cx.rel(*u))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if let Some((service, why)) = development_build(cx, id, compose) {
        return not_deployment(FileRole::new(
            Role::Development,
            format!("service `{service}` {why}: a developer's build, not what is deployed"),
        ));
    }
    // A service built from source, kept running, deploys the project only
    // when nothing else does: with Kubernetes, Helm, a platform or IaC in
    // the repository, such a file is the local stack (Ansible often ships
    // the compose file itself, so it does not count). A service that pulls
    // the project's published image and is kept running is a deployment of
    // the released product (a self-hosting file) either way.
    let deployed_otherwise = cx
        .deploy_definitions()
        .iter()
        .find(|(_, kind)| *kind != DeployKind::Ansible);
    let mut skipped_built = None;
    let kept = compose.services.iter().find(|s| {
        let kept = s.details.swarm_deploy
            || s.details
                .restart
                .as_ref()
                .is_some_and(|(r, _)| KEEP_RUNNING.contains(&r.as_str()));
        if !kept || !runs_project_code(cx, id, s) || runs_dev_server_or_env(&s.raw) {
            return false;
        }
        if s.build_context.is_some() && deployed_otherwise.is_some() {
            skipped_built.get_or_insert(s.name.clone());
            return false;
        }
        true
    });
    // A file of its own name that a README names, whose services run the
    // project's code (not a dev server): a documented way to run the
    // product (`docker compose -f docker-compose.postgres.yml up`), a
    // deployment whether or not it sets restart policies.
    let documented = (kept.is_none() && deployed_otherwise.is_none())
        .then(|| in_readmes.get(cx.index.get(id).name()))
        .flatten()
        .and_then(|readmes| {
            compose
                .services
                .iter()
                .find(|s| runs_project_code(cx, id, s) && !runs_in_dev_mode(&s.raw))
                .map(|s| (readmes, s))
        });
    let product_service = || {
        compose
            .services
            .iter()
            .find(|s| runs_project_code(cx, id, s) && !runs_in_dev_mode(&s.raw))
    };
    if kept.is_none() && deployed_otherwise.is_none() {
        if let Some(service) = product_service() {
            if let Some((path, owner)) = server_path(compose) {
                return Judgement {
                    role: FileRole::new(
                        Role::Production,
                        format!(
                            "service `{owner}` keeps its data at the server path `{path}`, \
                             beside service `{}` running the project's code: the stack \
                             of a server",
                            service.name
                        ),
                    ),
                    compose_role: ComposeRole::Production,
                };
            }
            if let Some((readme, heading)) = readme_deploys_it(cx, id) {
                return Judgement {
                    role: FileRole::new(
                        Role::Production,
                        format!(
                            "{} tells readers to deploy with it (section \"{heading}\"), and \
                             service `{}` runs the project's code",
                            cx.rel(readme),
                            service.name
                        ),
                    ),
                    compose_role: ComposeRole::Production,
                };
            }
        }
    }
    if let Some((readmes, service)) = documented {
        return Judgement {
            role: FileRole::new(
                Role::Production,
                format!(
                    "{} names it, and service `{}` runs the project's code (not a dev \
                     server): a documented way to run the product",
                    readmes
                        .iter()
                        .map(|r| cx.rel(*r))
                        .collect::<Vec<_>>()
                        .join(", "),
                    service.name
                ),
            ),
            compose_role: ComposeRole::Production,
        };
    }
    match (kept, skipped_built, deployed_otherwise) {
        (Some(service), _, _) => {
            let how = match (&service.details.restart, service.details.swarm_deploy) {
                (Some((policy, _)), _) => format!("`restart: {policy}`"),
                (None, _) => "Swarm `deploy:` settings".to_string(),
            };
            let what = match (&service.build_context, &service.image) {
                (Some(context), _) => format!("the image built from `{context}`"),
                (None, Some(image)) => format!("the project's image `{image}`"),
                (None, None) => "the project's code".to_string(),
            };
            Judgement {
                role: FileRole::new(
                    Role::Production,
                    format!(
                        "service `{}` runs {what} and is kept running ({how})",
                        service.name
                    ),
                ),
                compose_role: ComposeRole::Production,
            }
        }
        (None, Some(service), Some((definition, _))) => not_deployment(FileRole::new(
            Role::Development,
            format!(
                "service `{service}` is built from source, and {} deploys the project: \
                 this is the local stack",
                cx.rel(*definition)
            ),
        )),
        _ => not_deployment(FileRole::new(
            Role::Development,
            "no service running the project's code is kept running (no restart policy \
             or `deploy:`): the backing services of a local stack",
        )),
    }
}

/// Whether a compose file with a name of its own (not `compose.yml` or
/// `docker-compose.yml`) is named only by CI configuration and scripts —
/// never by a README — and by none that deploys (a workflow or script
/// named for deploying or releasing): the stack a pipeline or an agent's
/// start script brings up to test against (`docker-compose.build.yml`),
/// not one a reader is told to run. The files that name it, if so.
fn only_ci_uses(
    cx: &RepoContext,
    id: FileId,
    used_by: &HashMap<String, Vec<FileId>>,
    in_readmes: &HashMap<String, Vec<FileId>>,
) -> Option<Vec<FileId>> {
    let name = cx.index.get(id).name();
    if is_default_name(name) {
        return None;
    }
    let deploys = |other: &FileId| {
        cx.index
            .get(*other)
            .name()
            .to_ascii_lowercase()
            .split(['.', '-', '_'])
            .any(|w| {
                matches!(
                    w,
                    "deploy" | "deployment" | "release" | "cd" | "production" | "prod"
                )
            })
    };
    let users: Vec<FileId> = used_by
        .get(name)
        .map(|u| u.iter().copied().filter(|other| *other != id).collect())
        .unwrap_or_default();
    (!users.is_empty() && !users.iter().any(deploys) && !in_readmes.contains_key(name))
        .then_some(users)
}

/// A script in the folder named for local development or tests
/// (`start-local-instances.sh`, `dev.sh`, `run-tests.sh`) that runs
/// `docker compose`: the folder's compose file is that script's local stack.
fn dev_script_starting_compose(cx: &RepoContext, dir: &str) -> Option<FileId> {
    cx.in_dir(FileKind::ShellScript, dir)
        .into_iter()
        .find(|id| {
            let file = cx.index.get(*id);
            let name = file.name().to_ascii_lowercase();
            let dev_named = name.split(['.', '-', '_']).any(|w| {
                matches!(
                    w,
                    "local" | "dev" | "develop" | "development" | "test" | "tests" | "e2e"
                )
            });
            dev_named
                && cx.facts.shell_script(*id).is_some_and(|script| {
                    script.commands.iter().any(|c| {
                        c.name == "docker-compose"
                            || (c.name == "docker" && c.subcommand() == Some("compose"))
                    })
                })
        })
}

fn is_ci_file(cx: &RepoContext, id: FileId) -> bool {
    cx.index.get(id).kind == Some(FileKind::CiConfig)
}

/// Whether a name says deploying (`deploy.sh`, `release.yml`).
fn deploy_named(name: &str) -> bool {
    name.to_ascii_lowercase().split(['.', '-', '_']).any(|w| {
        matches!(
            w,
            "deploy" | "deployment" | "release" | "cd" | "production" | "prod"
        )
    })
}

/// A script or CI file that deploys — by its commands (`ssh`, `scp`,
/// `rsync` to a host, `docker stack deploy`: `roles::script`) or its name
/// — and names this compose file: by its path, or by its name from the
/// same folder or one above. Such a file is what the deployment runs,
/// whatever its restart policies say: every rule then reads it as the
/// deployment (the backup rule and the port rule agree).
fn deploy_script_shipping(
    cx: &RepoContext,
    id: FileId,
    used_by: &HashMap<String, Vec<FileId>>,
) -> Option<(FileId, String)> {
    let file = cx.index.get(id);
    let dir = file.dir();
    let users = used_by.get(file.name())?;
    users.iter().find_map(|user| {
        let u = cx.index.get(*user);
        // A CI job runs from the repository's root; a script from its
        // folder (or names a file below it).
        let near = if u.kind == Some(FileKind::CiConfig) {
            dir.is_empty()
        } else {
            dir == u.dir() || u.dir().is_empty() || dir.starts_with(&format!("{}/", u.dir()))
        };
        if !near {
            return None;
        }
        if u.kind == Some(FileKind::ShellScript) {
            if let Some(what) = cx
                .facts
                .shell_script(*user)
                .and_then(|s| s.commands.iter().find_map(super::script::deploys))
            {
                return Some((*user, what));
            }
        }
        deploy_named(u.name()).then(|| (*user, format!("its name `{}` says it deploys", u.name())))
    })
}

/// A string or the strings of a list (`command:`, `environment:` lists).
pub(crate) fn strings(node: Option<&Yaml>) -> Vec<String> {
    match node {
        Some(Yaml::String(s)) => vec![s.clone()],
        Some(Yaml::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                Yaml::String(s) => Some(s.clone()),
                Yaml::Integer(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Yaml::Hash(map)) => map
            .iter()
            .filter_map(|(k, v)| {
                let k = k.as_str()?;
                let v = match v {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(n) => n.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => String::new(),
                };
                Some(format!("{k}={v}"))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `(source, target)` of each volume mount of a service.
pub(crate) fn volumes(service: &Yaml) -> Vec<(String, String)> {
    match yaml::get(service, "volumes") {
        Some(Yaml::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Yaml::String(s) => {
                    let mut parts = s.split(':');
                    let first = parts.next().unwrap_or("").to_string();
                    match parts.next() {
                        Some(target) => Some((first, target.to_string())),
                        None => Some((String::new(), first)),
                    }
                }
                Yaml::Hash(_) => Some((
                    yaml::get_str(v, "source").unwrap_or("").to_string(),
                    yaml::get_str(v, "target").unwrap_or("").to_string(),
                )),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a service runs a dev server or watcher, or sets a development
/// environment. A bind-mounted source tree alone does not say development:
/// small deployments mount the code they run (`.:/var/www` beside Caddy and
/// queue workers with `APP_DEBUG=false`).
fn runs_dev_server_or_env(service: &Yaml) -> bool {
    dev_signals(service).0
}

/// Whether a service runs in development mode: a dev server or watcher
/// as its command, a development environment, or the source tree
/// bind-mounted into it. Such a service is a developer's, whatever its
/// restart policy.
pub(crate) fn runs_in_dev_mode(service: &Yaml) -> bool {
    let (dev, source_mount) = dev_signals(service);
    dev || source_mount
}

/// (a dev command or environment, the source tree bind-mounted).
fn dev_signals(service: &Yaml) -> (bool, bool) {
    let mut commands = strings(yaml::get(service, "command"));
    commands.extend(strings(yaml::get(service, "entrypoint")));
    let command = commands.join(" ").to_ascii_lowercase();
    let dev_command = [
        "npm run dev",
        "yarn dev",
        "pnpm dev",
        "pnpm run dev",
        "bun dev",
        "bun run dev",
        "next dev",
        "nodemon",
        "runserver",
        "--reload",
        "watch",
        "air ",
        "cargo watch",
        "mix phx.server",
        "vite",
    ]
    .iter()
    .any(|d| command.contains(d));
    let env = strings(yaml::get(service, "environment"));
    let dev_env = env.iter().any(|e| {
        let e = e.to_ascii_lowercase().replace(": ", "=");
        matches!(
            e.as_str(),
            "node_env=development"
                | "rails_env=development"
                | "app_env=local"
                | "app_env=dev"
                | "app_env=development"
                | "app_debug=1"
                | "app_debug=true"
                | "flask_env=development"
                | "django_debug=true"
                | "debug=true"
                | "debug=1"
                | "env=development"
        )
    });
    let source_mount = volumes(service).iter().any(|(source, target)| {
        (source == "." || source == "./" || source.starts_with("./src") || source == "..")
            && !target.is_empty()
    });
    (dev_command || dev_env, source_mount)
}

/// A volume of a service at an absolute path of a server's disk
/// (`/home/ubuntu/app/db:/var/lib/mysql`, `/srv/app/data:/data`): a
/// developer's stack mounts paths of the checkout (`./data`), a server's
/// stack those of the host it was set up on. `(path, service)`.
fn server_path(compose: &ComposeFile) -> Option<(String, String)> {
    const SERVER_USERS: &[&str] = &["ubuntu", "ec2-user", "deploy", "debian", "admin", "centos"];
    compose.services.iter().find_map(|s| {
        volumes(&s.raw).into_iter().find_map(|(source, _)| {
            let on_server = [
                "/srv/",
                "/opt/",
                "/mnt/",
                "/data/",
                "/var/www/",
                "/var/lib/",
            ]
            .iter()
            .any(|p| source.starts_with(p))
                || source
                    .strip_prefix("/home/")
                    .and_then(|rest| rest.split('/').next())
                    .is_some_and(|user| SERVER_USERS.contains(&user))
                || source.starts_with("/root/");
            on_server.then(|| (source.clone(), s.name.clone()))
        })
    })
}

/// A README beside the compose file (or at the root) with a section — a
/// heading and what follows it — that names Compose and says deploying or
/// production ("This is a sample `docker-compose.yml` file that you can use
/// to deploy this web app"): the file is the documented deployment.
/// Asked only of compose files nothing else decided, so a few READMEs are
/// read per audit.
fn readme_deploys_it(cx: &RepoContext, id: FileId) -> Option<(FileId, String)> {
    let dir = cx.index.get(id).dir();
    let mut dirs = vec![dir];
    if !dir.is_empty() {
        dirs.push("");
    }
    for d in dirs {
        for readme in cx.in_dir(FileKind::Readme, d) {
            // Each README is read once per audit, however many compose
            // files ask (a root README, a thousand services).
            let heading = cx.memo("README deploy section", cx.rel(readme), || {
                crate::facts::text::read_text(&cx.index.path(readme), 1 << 20)
                    .ok()
                    .and_then(|text| deploy_section(&text))
            });
            if let Some(heading) = heading {
                return Some((readme, heading));
            }
        }
    }
    None
}

/// The heading of the first README section — a heading and what follows
/// it — that names Compose and says deploying or production.
fn deploy_section(text: &str) -> Option<String> {
    let check = |heading: &str, section: &str| {
        let lower = section.to_ascii_lowercase();
        let compose = lower.contains("docker compose")
            || lower.contains("docker-compose")
            || lower.contains("compose.yml")
            || lower.contains("compose.yaml");
        let deploy = ["deploy", "production", "self-host", "selfhost", "self host"]
            .iter()
            .any(|w| lower.contains(w));
        (compose && deploy).then(|| heading.trim_start_matches('#').trim().to_string())
    };
    let mut heading = String::new();
    let mut section = String::new();
    for line in text.lines() {
        if line.starts_with('#') {
            if let Some(h) = check(&heading, &section) {
                return Some(h);
            }
            heading = line.to_string();
            section.clear();
        }
        section.push_str(line);
        section.push('\n');
    }
    check(&heading, &section)
}

/// Build arguments that choose how the project is built: a build profile or
/// mode (`RUST_RELEASE_MODE`, `BUILD_MODE`, `CARGO_PROFILE`,
/// `CMAKE_BUILD_TYPE`, `CONFIGURATION`) or the framework's environment
/// (`NODE_ENV`, `RAILS_ENV`, …).
fn is_build_mode_arg(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper
        .split('_')
        .any(|w| matches!(w, "MODE" | "PROFILE" | "CONFIGURATION" | "BUILDTYPE"))
        || upper.ends_with("BUILD_TYPE")
        || matches!(
            upper.as_str(),
            "APP_ENV"
                | "NODE_ENV"
                | "RAILS_ENV"
                | "RACK_ENV"
                | "FLASK_ENV"
                | "MIX_ENV"
                | "ENVIRONMENT"
        )
}

/// Values of a build-mode argument that build for development.
fn is_development_value(value: &str) -> bool {
    matches!(
        value
            .trim_matches(['"', '\''])
            .to_ascii_lowercase()
            .as_str(),
        "debug" | "dev" | "development" | "develop"
    )
}

/// A service of the file (outside `profiles:`) that builds the project's
/// code for development: a development stage as its `target:` (`dev`,
/// `debug`), a build argument that selects a debug or development build
/// (`args: {BUILD_MODE: debug}`), or a Dockerfile whose build-mode
/// argument defaults to one and that the service does not override (lemmy's
/// `ARG RUST_RELEASE_MODE=debug`, which only CI sets to `release`). A file
/// that builds the project that way is a developer's stack, however many of
/// its services are kept running. `(service, why)`.
fn development_build(
    cx: &RepoContext,
    id: FileId,
    compose: &ComposeFile,
) -> Option<(String, String)> {
    let dir = cx.index.get(id).dir();
    compose.services.iter().find_map(|s| {
        let context = s.build_context.as_deref()?;
        if yaml::get(&s.raw, "profiles").is_some() || !runs_project_code(cx, id, s) {
            return None;
        }
        if let Some(target) = s.target.as_deref() {
            let dev = target
                .to_ascii_lowercase()
                .split(['-', '_', '.'])
                .any(|w| matches!(w, "dev" | "develop" | "development" | "debug" | "local"));
            return dev.then(|| (s.name.clone(), format!("builds the stage `{target}`")));
        }
        let args = strings(yaml::get(&s.raw, "build").and_then(|b| yaml::get(b, "args")));
        let set: Vec<(String, String)> = args
            .iter()
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                None => (a.trim().to_string(), String::new()),
            })
            .collect();
        if let Some((k, v)) = set
            .iter()
            .find(|(k, v)| is_build_mode_arg(k) && is_development_value(v))
        {
            return Some((s.name.clone(), format!("builds with `{k}={v}`")));
        }
        let dockerfile = s.dockerfile.as_deref().unwrap_or("Dockerfile");
        let path = crate::apps::resolve(dir, context)
            .and_then(|c| crate::apps::resolve(&c, dockerfile))?;
        // A Dockerfile whose path says development (`Dockerfile.dev`,
        // `docker/local/Dockerfile`).
        if let Some(role) =
            super::dockerfile::path_role(&path).filter(|r| r.role == Role::Development)
        {
            return Some((
                s.name.clone(),
                format!(
                    "builds {path} ({})",
                    role.evidence
                        .first()
                        .map(String::as_str)
                        .unwrap_or("a development image")
                ),
            ));
        }
        let file = cx.facts.dockerfile(cx.index.find(&path)?)?;
        // An image whose command starts a development server
        // (`uvicorn … --reload`), which the service does not replace.
        if s.details.command.is_none() && yaml::get(&s.raw, "entrypoint").is_none() {
            if let Some(stage) = super::dockerfile::image_stage(file) {
                let words = crate::rules::containerization::dockerfiles::command_words(file, stage);
                if super::dockerfile::runs_dev_server(&words) {
                    return Some((
                        s.name.clone(),
                        format!(
                            "runs the image of {path}, whose command starts a development \
                             server (`{}`)",
                            words.join(" ")
                        ),
                    ));
                }
            }
        }
        file.global_args
            .iter()
            .chain(file.stages.iter().flat_map(|st| st.all("ARG")))
            .flat_map(|inst| inst.words())
            .find_map(|w| {
                let (k, v) = w.split_once('=')?;
                (is_build_mode_arg(k)
                    && is_development_value(v)
                    && !set.iter().any(|(name, _)| name == k))
                .then(|| {
                    (
                        s.name.clone(),
                        format!(
                            "builds {path} with `{k}={v}`, the Dockerfile's default, which it \
                             does not override"
                        ),
                    )
                })
            })
    })
}
