//! What the compose rules share: which compose files deploy the project,
//! and whose app a file belongs to.

use crate::apps::App;
use crate::facts::compose::{ComposeFile, ComposeRole, ComposeService};
use crate::facts::images;
use crate::index::{FileId, FileKind};
use crate::rules::RepoContext;

/// Compose files that deploy the project (the file-role model's
/// `roles::compose`), outside tests and examples, in path order. Five
/// rules ask: decided once per audit.
pub fn production<'a>(cx: &'a RepoContext<'a>) -> Vec<(FileId, &'a ComposeFile)> {
    cx.production_compose_files(|| {
        let roles = cx.file_roles();
        cx.index
            .of_kind(FileKind::Compose)
            .iter()
            .copied()
            .filter(|id| {
                roles
                    .compose(*id)
                    .is_some_and(|j| j.compose_role == ComposeRole::Production)
            })
            .collect()
    })
    .iter()
    .filter_map(|id| cx.facts.compose(*id).map(|c| (*id, c)))
    .collect()
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
    // A repository without code of its own (a deployment repository: a
    // compose file and its configuration, no app, no Dockerfile, no
    // source) deploys whatever application images it runs.
    if cx.apps.is_empty()
        && [
            FileKind::Dockerfile,
            FileKind::JsSource,
            FileKind::PackageJson,
            FileKind::Requirements,
            FileKind::PyProject,
            FileKind::Gemfile,
            FileKind::ComposerJson,
            FileKind::GoMod,
            FileKind::CargoToml,
            FileKind::MavenPom,
            FileKind::Gradle,
        ]
        .iter()
        .all(|k| cx.index.of_kind(*k).is_empty())
    {
        return true;
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

/// The database a service runs when it builds its image from a local
/// Dockerfile on a database image (`build: {context: dkr/db, dockerfile:
/// pg.Dockerfile}` with `FROM postgres:17`): the engine, and the base
/// image named in the Dockerfile.
pub fn database_built_by(
    cx: &RepoContext,
    compose: FileId,
    service: &ComposeService,
) -> Option<(images::Database, String)> {
    let dir = cx.index.get(compose).dir();
    let context = crate::apps::resolve(dir, service.build_context.as_deref()?)?;
    let path = crate::apps::resolve(
        &context,
        service.dockerfile.as_deref().unwrap_or("Dockerfile"),
    )?;
    let file = cx.facts.dockerfile(cx.index.find(&path)?)?;
    let stage = match service.target.as_deref() {
        Some(target) => crate::rules::containerization::dockerfiles::stage_named(
            file,
            file.stages.len(),
            target,
        )?,
        None => file.stages.len().checked_sub(1)?,
    };
    let base = crate::rules::containerization::dockerfiles::base_image(file, stage);
    images::database(base).map(|db| (db, base.to_string()))
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

/// The lines of the env templates beside a compose file (`.env.example`,
/// `.env.sample`, `env.template`, … in its folder, not development or test
/// ones) that set `name` to
/// `value`: an installation that copies the template to `.env` gets the
/// same secret as one that leaves the variable unset — the default and the
/// template are one cause, reported together.
pub fn templates_setting(
    cx: &RepoContext,
    compose: FileId,
    name: &str,
    value: &str,
) -> Vec<crate::finding::Location> {
    let value = value.trim();
    if value.is_empty() {
        return Vec::new();
    }
    let dir = cx.index.get(compose).dir();
    let mut out = Vec::new();
    for id in cx.in_dir(FileKind::EnvExample, dir) {
        // A development or test template (`.env.dev.example`) is not what
        // an installation copies.
        let development = cx
            .index
            .get(id)
            .name()
            .to_ascii_lowercase()
            .split(['.', '-', '_'])
            .any(|w| {
                matches!(
                    w,
                    "dev" | "development" | "local" | "test" | "testing" | "ci" | "e2e"
                )
            });
        let Some(env) = cx.facts.env_file(id).filter(|_| !development) else {
            continue;
        };
        out.extend(
            env.vars
                .iter()
                .filter(|v| v.name == name && v.value.trim() == value)
                .map(|v| crate::finding::Location::new(cx.rel(id), v.line)),
        );
    }
    out
}
