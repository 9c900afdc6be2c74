//! What each compose file is for. Its name decides when it says
//! development or production; otherwise it deploys the project when it
//! keeps one of the project's own services running (a restart policy or
//! Swarm `deploy:` settings) — a stack of backing services for a
//! developer's `npm run dev` is not a deployment, nor is a file beside a
//! production-named one, one a dev script starts, or one only CI uses.

use std::collections::HashMap;

use super::{path, FileRole, Role};
use crate::facts::compose::{ComposeFile, ComposeRole};
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
    let mut names: Vec<String> = files
        .iter()
        .map(|id| index.get(*id).name().to_string())
        .filter(|n| !is_default_name(n))
        .collect();
    names.sort();
    names.dedup();
    let runners: Vec<FileId> = index
        .of_kind(FileKind::CiConfig)
        .iter()
        .chain(index.of_kind(FileKind::ShellScript))
        .copied()
        .collect();
    let (used_by, in_readmes) = if names.is_empty() {
        (HashMap::new(), HashMap::new())
    } else {
        (
            super::mentions(index, &runners, &names),
            super::mentions(index, index.of_kind(FileKind::Readme), &names),
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
            return Judgement {
                role: FileRole::new(Role::Production, why),
                compose_role: ComposeRole::Production,
            }
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
        if !kept || !runs_project_code(cx, id, s) {
            return false;
        }
        if s.build_context.is_some() && deployed_otherwise.is_some() {
            skipped_built.get_or_insert(s.name.clone());
            return false;
        }
        true
    });
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
