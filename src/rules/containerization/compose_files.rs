//! What the compose rules share: which compose files deploy the project,
//! and whose app a file belongs to.

use crate::apps::{is_non_product_path, App};
use crate::facts::compose::{ComposeFile, ComposeRole, ComposeService};
use crate::facts::images;
use crate::index::{FileId, FileKind};
use crate::rules::RepoContext;

/// Compose files that deploy the project (see `ComposeFile::role`),
/// outside tests and examples, in path order. Five rules ask: decided once
/// per audit.
pub fn production<'a>(cx: &'a RepoContext<'a>) -> Vec<(FileId, &'a ComposeFile)> {
    cx.production_compose_files(|| {
        cx.index
            .of_kind(FileKind::Compose)
            .iter()
            .filter(|id| !is_non_product_path(cx.rel(**id)))
            .filter_map(|id| cx.facts.compose(*id).map(|c| (*id, c)))
            .filter(|(id, c)| role(cx, *id, c) == ComposeRole::Production)
            .map(|(id, _)| id)
            .collect()
    })
    .iter()
    .filter_map(|id| cx.facts.compose(*id).map(|c| (*id, c)))
    .collect()
}

/// Restart policies that keep a service running: a stack meant to stay up.
const KEEP_RUNNING: &[&str] = &["always", "unless-stopped", "on-failure"];

/// What a compose file is for. Its name decides when it says development
/// or production; otherwise it deploys the project when it keeps one of the
/// project's own services running (a restart policy or Swarm `deploy:`
/// settings) — a stack of backing services for a developer's `npm run dev`
/// is not a deployment.
pub fn role(cx: &RepoContext, id: FileId, compose: &ComposeFile) -> ComposeRole {
    let rel = cx.rel(id);
    match compose.name_role(rel) {
        ComposeRole::Unknown => {}
        decided => return decided,
    }
    // Beside a production-named file (`docker-compose.prod.yml`), a neutral
    // one is the development or base file; the production one is read.
    let dir = cx.index.get(id).dir();
    let production_sibling = cx.in_dir(FileKind::Compose, dir).iter().any(|other| {
        *other != id
            && cx
                .facts
                .compose(*other)
                .is_some_and(|c| c.name_role(cx.rel(*other)) == ComposeRole::Production)
    });
    if production_sibling
        || started_by_dev_script(cx, dir)
        || cx.memo("compose-only-ci-uses", cx.rel(id), || only_ci_uses(cx, id))
    {
        return ComposeRole::Unknown;
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
        .any(|(_, kind)| *kind != crate::index::DeployKind::Ansible);
    let kept_running = compose.services.iter().any(|s| {
        let kept = s.details.swarm_deploy
            || s.details
                .restart
                .as_ref()
                .is_some_and(|(r, _)| KEEP_RUNNING.contains(&r.as_str()));
        kept && runs_project_code(cx, id, s) && (s.build_context.is_none() || !deployed_otherwise)
    });
    if kept_running {
        ComposeRole::Production
    } else {
        ComposeRole::Unknown
    }
}

/// Whether a service runs the project's own code: built from a Dockerfile
/// of the repository that is not a database image, or an image named
/// after the project (its folder, an app's name or folder).
pub fn runs_project_code(cx: &RepoContext, id: FileId, service: &ComposeService) -> bool {
    if let Some(context) = &service.build_context {
        let dir = cx.index.get(id).dir();
        let dockerfile = service.dockerfile.as_deref().unwrap_or("Dockerfile");
        let path =
            crate::apps::resolve(dir, context).and_then(|c| crate::apps::resolve(&c, dockerfile));
        let base = path
            .as_deref()
            .and_then(|p| cx.index.find(p))
            .and_then(|f| cx.facts.dockerfile(f))
            .and_then(|d| d.final_stage().map(|s| s.image.clone()));
        let named_backing = path.as_deref().is_some_and(|p| {
            let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
            BACKING_WORDS.iter().any(|w| name.contains(w))
        });
        return !named_backing && base.is_none_or(|b| images::backing_service(&b).is_none());
    }
    let Some(image) = service.image.as_deref() else {
        return false;
    };
    if images::backing_service(image).is_some() {
        return false;
    }
    let (repo, _) = images::parse_image(image);
    let words: Vec<&str> = repo.split(['/', '-', '_', '.']).collect();
    project_names(cx)
        .iter()
        .any(|name| repo.split('/').any(|seg| seg == name) || words.contains(&name.as_str()))
}

/// Words in a Dockerfile's name that say it builds a backing service.
const BACKING_WORDS: &[&str] = &[
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "clickhouse",
    "elastic",
    "nginx",
];

/// Names the project goes by: the repository's name in its git remote, the
/// root package's name, the apps' package names (without scope) and folder
/// names. Never the name of the folder it is checked out in: the same
/// commit audited as `repo/` or `repo-main/` gives the same report.
pub fn project_names<'a>(cx: &'a RepoContext) -> &'a [String] {
    cx.project_names(|| {
        let mut names = Vec::new();
        if let Some(name) = crate::facts::git_index::remote_repository_name(&cx.index.root) {
            names.push(name.to_ascii_lowercase());
        }
        if let Some(name) = cx
            .index
            .find("package.json")
            .and_then(|id| cx.facts.package_json(id))
            .and_then(|pkg| pkg.name.clone())
        {
            names.push(
                name.rsplit('/')
                    .next()
                    .unwrap_or(&name)
                    .to_ascii_lowercase(),
            );
        }
        for app in cx.apps {
            if let Some(name) = &app.name {
                names.push(name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase());
            }
            if app.path != "." {
                names.push(
                    app.path
                        .rsplit('/')
                        .next()
                        .unwrap_or(&app.path)
                        .to_ascii_lowercase(),
                );
            }
        }
        names.retain(|n| n.len() >= 3 && !GENERIC_NAMES.contains(&n.as_str()));
        names.sort();
        names.dedup();
        names
    })
}

/// App names too common to identify an image.
const GENERIC_NAMES: &[&str] = &[
    "app", "api", "web", "www", "server", "backend", "frontend", "client", "site", "worker",
    "admin", "main", "service",
];

/// The app a file inside an app's folder belongs to (`None` at the root
/// or outside every app).
pub fn app_of<'a>(cx: &'a RepoContext, rel: &str) -> Option<&'a App> {
    cx.app_folders().holding_path(rel).map(|i| &cx.apps[i])
}

/// The same service in the other compose files of the folder (a base file
/// and its overrides are merged by `docker compose -f a -f b`).
pub fn siblings<'a>(
    cx: &'a RepoContext,
    id: FileId,
    name: &'a str,
) -> impl Iterator<Item = &'a ComposeService> + 'a {
    cx.in_dir(FileKind::Compose, cx.index.get(id).dir())
        .into_iter()
        .filter(move |other| *other != id)
        .filter_map(|other| cx.facts.compose(other))
        .filter_map(move |c| c.service(name))
}

/// The database a service runs, if its image is a well-known one.
pub fn database_of(service: &ComposeService) -> Option<images::Database> {
    service.image.as_deref().and_then(images::database)
}

/// Whether a service is an application rather than a backing service: it is
/// built here, or its image is not a well-known backing service.
pub fn is_application(service: &ComposeService) -> bool {
    service.build_context.is_some()
        || service
            .image
            .as_deref()
            .is_some_and(|i| images::backing_service(i).is_none())
}

/// Whether a script beside the compose file, named for development
/// (`start-local-instances.sh`, `dev.sh`, `run-tests.sh`), runs
/// `docker compose`: the file is that script's local stack.
/// Whether a compose file with a name of its own (not `compose.yml` or
/// `docker-compose.yml`) is named only by CI configuration and scripts —
/// never by a README — and by none that deploys (a workflow or script
/// named for deploying or releasing): the stack a pipeline or an agent's
/// start script brings up to test against (`docker-compose.build.yml`),
/// not one a reader is told to run.
fn only_ci_uses(cx: &RepoContext, id: FileId) -> bool {
    let file = cx.index.get(id);
    let name = file.name().to_string();
    if matches!(
        name.to_ascii_lowercase().as_str(),
        "compose.yml" | "compose.yaml" | "docker-compose.yml" | "docker-compose.yaml"
    ) {
        return false;
    }
    // CI files and scripts are parsed into steps and commands; the name
    // may sit anywhere in them (an `env:` value, an assignment), so their
    // text is searched. Few files, read once per compose file asked about.
    let names = |other: &FileId| {
        crate::facts::text::read_text(&cx.index.path(*other), 1 << 20)
            .is_ok_and(|t| t.contains(&name))
    };
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
    let users: Vec<FileId> = cx
        .index
        .of_kind(FileKind::CiConfig)
        .iter()
        .chain(cx.index.of_kind(FileKind::ShellScript))
        .copied()
        .filter(|other| *other != id && names(other))
        .collect();
    !users.is_empty()
        && !users.iter().any(deploys)
        && !cx.index.of_kind(FileKind::Readme).iter().any(names)
}

fn started_by_dev_script(cx: &RepoContext, dir: &str) -> bool {
    cx.in_dir(FileKind::ShellScript, dir).iter().any(|id| {
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
