//! missing-container-config: an app that serves HTTP has no container definition.

use crate::apps::resolve;
use crate::finding::{Category, Finding, Severity, Wording};
use crate::index::FileKind;
use crate::roles::path::is_non_product_path;
use std::collections::{HashMap, HashSet};

use crate::facts::compose::ComposeRole;
use crate::roles::Role;
use crate::rules::containerization::dockerfiles;
use crate::rules::{code, folders, AppContext, Check, RepoContext, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "missing-container-config",
        code: "SW101",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Missing Docker configuration",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports an app that serves HTTP (Next.js, Express, Fastify, NestJS, Django,
Rails, Laravel, Spring Boot, ASP.NET Core, Phoenix, …) when no
container definition builds it: no `Dockerfile`/`Containerfile` (any common
naming: `Dockerfile.prod`, `web.Dockerfile`, `Containerfile`) in the app's folder
or at the repository root, no compose service whose `build:` context is the
app, and no image build without a Dockerfile (Jib in the Maven/Gradle build, a
`.ko.yaml`, a buildpacks `project.toml`). Apps deployed by a platform that builds from source (Vercel, Netlify,
Render, Railway, Heroku `Procfile`, App Engine, Amplify, Fly.io, Kamal, Azure
(`azure.yaml`), Liara (`liara.json`), Scalingo (`scalingo.json`), Clever Cloud
(`clevercloud/*.json`, `.clever.json`), Cloud Foundry (a `manifest.yml` with
`applications:`), Platform.sh (`.platform.app.yaml`), DigitalOcean App Platform
(`.do/app.yaml`), …) are not
reported — platform evidence includes adapter packages (`@sveltejs/adapter-vercel`,
`@opennextjs/cloudflare`, `@vercel/analytics`, …), deploy buttons in the README,
and CI jobs that hand the app to a platform (`azure/webapps-deploy`,
`az webapp deploy`, `liara deploy`, `cf push`, `railway up`, `clever deploy`,
`gcloud app deploy`, `eb deploy`, `flyctl deploy`, `wrangler deploy`,
`vercel --prod`, `netlify deploy`; in a repository of several apps, the job
counts for the app whose folder the pipeline names) —
and neither is a static site: a Next.js app with `output: 'export'`, Nuxt or
React Router with `ssr: false`, SvelteKit with `adapter-static`. In a
repository with a single app, a Dockerfile anywhere outside dev containers and
tests counts. A Dockerfile that builds something else does not: one in a
`dev/`, `tools/` or sandbox folder, one whose header comment says it is for
development only, one built only by a compose file that says so, a backing
service's image (`FROM postgres`), or the server a deployment tool ships to
(it serves SSH — `EXPOSE 22` or `sshd` — and copies nothing of the project
but SSH keys and configuration; an app image that also runs `sshd` copies the
app and still counts). A `Procfile` counts as Heroku only with
evidence a platform reads it (see `manual-server-deployment`); a foreman file
(`redis: redis-server`, a `web` on a fixed port, no `web` at all) does not.
When the only platform evidence is weak (a Procfile known from its content, a
routing-only `vercel.json`) and a script deploys the app to a server by hand,
the finding names both sides at medium severity.

## Why is this bad?
Without an image, every environment is assembled by hand: dev, staging and
production drift apart ("it works on my machine"), and the app cannot be
scheduled on Kubernetes, ECS or any container platform.

## Example
### Reported
A Next.js app with no `Dockerfile`, no compose file and no platform definition:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "react": "19.0.0" } }
```

```js file=next.config.js
module.exports = {};
```

### Not reported
The same app with a `Dockerfile`:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "react": "19.0.0" } }
```

```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci && npm run build
USER node
CMD ["npm", "start"]
```

### Reported
A Rails app whose `Procfile` starts a local stack for foreman:

```ruby file=Gemfile
source "https://rubygems.org"
gem "rails", "~> 7.1.3"
gem "unicorn"
```

```ruby file=config/application.rb
require "rails/all"
```

```text file=Procfile
redis: redis-server
web: bundle exec unicorn -p 3001
```

### Not reported
Deployed to Azure App Service by a GitHub workflow, which builds the app
from the uploaded source:

```text file=requirements.txt
Flask==3.0.3
gunicorn==22.0.0
```

```python file=app.py
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"
```

```yaml file=.github/workflows/main_shop.yml
on: { push: { branches: [main] } }
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: azure/webapps-deploy@v3
        with:
          app-name: shop
          publish-profile: ${{ secrets.AZURE_PUBLISH_PROFILE }}
```

### Not reported
Deployed on Vercel, which builds the app itself:

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "react": "19.0.0" } }
```

```json file=vercel.json
{ "framework": "nextjs" }
```

## Fix
Add a multi-stage `Dockerfile` (dependencies → build → slim runtime, running as
a non-root user) and a `.dockerignore`. For Next.js, build with
`output: 'standalone'` and run `node server.js`.
"#;

fn check(cx: &AppContext) -> Vec<Finding> {
    if !serves_http(cx) || has_container_definition(cx) {
        return Vec::new();
    }
    if built_by_platform(cx) {
        // A platform builds the app, unless the only sign of it is a file
        // a hand-run deployment contradicts: then both sides are named.
        return match cx.contested_hosting(|kind| kind.builds_from_source()) {
            Some(contest) => vec![contested(cx, &contest)],
            None => Vec::new(),
        };
    }
    let app = cx.app;
    let where_ = if app.path == "." {
        "the project root".to_string()
    } else {
        format!("{} or the repository root", code(&app.path))
    };
    let message = format!(
        "No `Dockerfile` or `docker-compose.yml` found in {where_}: nothing builds the {} app into an image.",
        app.framework().label()
    );
    let impact = "Inconsistent environments between dev/staging/prod. \"It works on my machine\" syndrome. Harder to orchestrate with Kubernetes or ECS.".to_string();
    vec![RULE.meta.finding(
        Some(app),
        message,
        impact,
        fix_text(cx),
        vec![cx.framework_location()],
    )]
}

/// The finding when a contestable platform file is all that says a
/// platform builds the app, and a script deploys it by hand.
fn contested(cx: &AppContext, contest: &crate::rules::Contest) -> Finding {
    let index = cx.repo.index;
    let mut locations = vec![cx.framework_location()];
    locations.extend(contest.locations(index));
    let mut finding = RULE.meta.finding(
        Some(cx.app),
        format!(
            "No `Dockerfile` builds the {} app, and the platform that would build it is in doubt: {}.",
            cx.app.framework().label(),
            contest.describe(index)
        ),
        "If the app runs on a server deployed by the scripts, every environment is assembled by hand and drifts from the others; nothing can schedule it on a container platform.".to_string(),
        format!(
            "Decide which deployment is real. If it is the server, {}",
            lowercase_first(&fix_text(cx))
        ),
        locations,
    );
    finding.severity = Severity::Medium;
    finding.wording = Wording::ObservationRiskRequirement;
    finding
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn serves_http(cx: &AppContext) -> bool {
    let app = cx.app;
    let config = |key: &str| -> Option<String> {
        cx.files_of_kind(FileKind::FrameworkConfig)
            .filter(|id| cx.repo.index.get(*id).dir() == app.dir())
            .find_map(|id| {
                cx.repo
                    .facts
                    .js(id)
                    .and_then(|js| js.property(key))
                    .map(|(v, _)| v.to_string())
            })
    };
    match app.framework() {
        // `output: 'export'`: static files.
        Framework::NextJs => config("output").as_deref() != Some("export"),
        // `ssr: false` or `target: 'static'`: a single-page app or a
        // generated site.
        Framework::Nuxt => {
            config("ssr").as_deref() != Some("false")
                && config("target").as_deref() != Some("static")
        }
        Framework::ReactRouter | Framework::Remix => config("ssr").as_deref() != Some("false"),
        Framework::SvelteKit => !app.has_dependency("@sveltejs/adapter-static"),
        _ => true,
    }
}

/// Whose a build file or image name is, decided once per path for every
/// app: by its place (inside a package folder) or its name
/// (`docker/api.Dockerfile`, `docker/web/Dockerfile`, image `acme/api`).
enum Claim {
    /// Inside this package folder (an app's or a library's): that
    /// package's alone.
    Held(String),
    /// Outside every package folder.
    Unheld {
        /// The path's words (split at `/`, `.`, `-`, `_`, lowercase) that
        /// are the last folder name of some app: the file is theirs.
        app_names: Vec<String>,
        /// Named after no app, and in a place shared by the apps (the
        /// root, `docker/`, `deploy/`, …) or in a one-app repository: every
        /// app's.
        shared: bool,
    },
}

/// The repository-wide facts behind `owner_of`, built once.
struct Owners<'a> {
    package_dirs: HashSet<&'a str>,
    /// Lowercased last folder names of the apps outside the root.
    app_names: HashSet<String>,
    single_app: bool,
}

impl<'a> Owners<'a> {
    fn new(repo: &'a RepoContext<'a>) -> Owners<'a> {
        Owners {
            package_dirs: repo.package_dirs().iter().map(String::as_str).collect(),
            app_names: repo.apps.iter().filter_map(|a| app_name(a.dir())).collect(),
            single_app: repo.apps.len() == 1,
        }
    }

    fn claim(&self, path: &str) -> Claim {
        // The deepest package folder (an app's or a library's) that holds
        // the path, or is it.
        if let Some(dir) = folders::self_and_ancestors(path).find(|d| self.package_dirs.contains(d))
        {
            return Claim::Held(dir.to_string());
        }
        let app_names: Vec<String> = path
            .to_ascii_lowercase()
            .split(['/', '.', '-', '_'])
            .filter(|w| self.app_names.contains(*w))
            .map(str::to_string)
            .collect();
        let shared = app_names.is_empty() && (self.single_app || is_shared_place(path));
        Claim::Unheld { app_names, shared }
    }
}

/// The last folder name of an app, lowercased; none for the root.
fn app_name(dir: &str) -> Option<String> {
    dir.rsplit('/')
        .next()
        .filter(|f| !f.is_empty())
        .map(str::to_ascii_lowercase)
}

/// Claims gathered per app for lookups that do not depend on how many
/// apps the repository has.
struct Claims<T> {
    /// By the package folder holding them.
    held: HashMap<String, Vec<T>>,
    /// By the app name they carry.
    named: HashMap<String, Vec<T>>,
    /// Every app's.
    shared: Vec<T>,
    /// How many were added, whoever they belong to.
    count: usize,
}

impl<T> Default for Claims<T> {
    fn default() -> Self {
        Claims {
            held: HashMap::new(),
            named: HashMap::new(),
            shared: Vec::new(),
            count: 0,
        }
    }
}

impl<T: Clone> Claims<T> {
    fn add(&mut self, claim: Claim, value: T) {
        self.count += 1;
        match claim {
            Claim::Held(dir) => self.held.entry(dir).or_default().push(value),
            Claim::Unheld { app_names, shared } => {
                for name in app_names {
                    self.named.entry(name).or_default().push(value.clone());
                }
                if shared {
                    self.shared.push(value);
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The values that are the app's own (in its folder, or named after it).
    fn own(&self, app_dir: &str) -> impl Iterator<Item = &T> {
        let held = (!app_dir.is_empty())
            .then(|| self.held.get(app_dir))
            .flatten();
        let named = app_name(app_dir).and_then(|n| self.named.get(&n));
        held.into_iter().chain(named).flatten()
    }

    /// The app's own values and those every app shares.
    fn for_app(&self, app_dir: &str) -> impl Iterator<Item = &T> {
        self.own(app_dir).chain(self.shared.iter())
    }
}

/// Everything in the repository that builds or runs an image, by the apps
/// it counts for: computed once per audit (`has_container_definition`).
pub(crate) struct ContainerDefinitions {
    /// Dockerfiles outside dev containers and tests.
    dockerfiles: Claims<()>,
    /// Folders with a Jib/ko/buildpacks configuration.
    image_build_config_dirs: HashSet<String>,
    /// Names of the images Kubernetes manifests run.
    kubernetes_images: Claims<()>,
    /// Names of the images compose services run.
    compose_images: Claims<()>,
    /// Build contexts of compose services.
    compose_contexts: HashSet<String>,
    /// Build contexts of compose services, by the Dockerfile they build.
    compose_dockerfiles: Claims<String>,
}

impl ContainerDefinitions {
    pub(crate) fn build(repo: &RepoContext) -> ContainerDefinitions {
        let index = repo.index;
        let owners = Owners::new(repo);
        let mut out = ContainerDefinitions {
            dockerfiles: Claims::default(),
            image_build_config_dirs: index
                .of_kind(FileKind::ImageBuildConfig)
                .iter()
                .map(|id| index.get(*id).dir().to_string())
                .collect(),
            kubernetes_images: Claims::default(),
            compose_images: Claims::default(),
            compose_contexts: HashSet::new(),
            compose_dockerfiles: Claims::default(),
        };
        let roles = repo.file_roles();
        for id in index.of_kind(FileKind::Dockerfile) {
            let rel = &index.get(*id).rel;
            // Which Dockerfile is an app's container is the file-role
            // model's: a production (or undecided) image, one a CI job builds
            // wherever it sits, or one that is development only by its
            // stages (the project is containerised, if not for production)
            // — not one whose path, header or environment says dev, test,
            // tooling, nor a dead one.
            let judgement = roles.dockerfile(*id);
            let ci_built = judgement.is_some_and(|j| j.built_by_ci);
            let builds_product = judgement.is_none_or(|j| {
                matches!(j.role.role, Role::Production | Role::Undecided) || j.development_by_stage
            });
            if !is_dev_only(rel)
                && (ci_built || (builds_product && !builds_backing_service(repo, *id)))
            {
                out.dockerfiles.add(owners.claim(rel), ());
            }
        }
        let kubernetes = repo
            .deploy_definitions()
            .iter()
            .filter(|(_, kind)| *kind == crate::index::DeployKind::Kubernetes)
            .flat_map(|(id, _)| match repo.facts.yaml_trees(*id) {
                Some(trees) => trees.iter().flat_map(tree_images).collect::<Vec<_>>(),
                None => repo
                    .facts
                    .yaml_documents(*id)
                    .map(|docs| docs.iter().flat_map(images).collect())
                    .unwrap_or_default(),
            });
        for image in kubernetes {
            out.kubernetes_images
                .add(owners.claim(image_name(&image)), ());
        }
        for id in index.of_kind(FileKind::Compose) {
            let compose_file = index.get(*id);
            // A dev container's compose file builds a development image;
            // so does one whose name or header says development.
            if is_dev_only(&compose_file.rel) {
                continue;
            }
            let Some(compose) = repo.facts.compose(*id) else {
                continue;
            };
            if roles
                .compose(*id)
                .is_some_and(|j| j.compose_role == ComposeRole::Development)
            {
                continue;
            }
            for service in &compose.services {
                // An image named after the app, built elsewhere (CI).
                if let Some(image) = service.image.as_deref() {
                    out.compose_images.add(owners.claim(image_name(image)), ());
                }
                let Some(context) = service
                    .build_context
                    .as_deref()
                    .and_then(|c| resolve(compose_file.dir(), c))
                else {
                    continue;
                };
                let dockerfile = service.dockerfile.as_deref().unwrap_or("Dockerfile");
                let Some(path) = resolve(&context, dockerfile) else {
                    continue;
                };
                // A service built from a development Dockerfile
                // (`docker/Dockerfile.dev`) builds no image of the app for
                // production, whatever its context.
                let dev_image = match index.find(&path).and_then(|f| roles.dockerfile(f)) {
                    Some(j) => {
                        !matches!(j.role.role, Role::Production | Role::Undecided)
                            && !j.development_by_stage
                    }
                    None => dockerfiles::is_dev_path(&path),
                };
                if is_dev_only(&path) || dev_image {
                    continue;
                }
                out.compose_dockerfiles
                    .add(owners.claim(&path), context.clone());
                out.compose_contexts.insert(context);
            }
        }
        out
    }

    fn has_dockerfile(&self, app_dir: &str) -> bool {
        self.dockerfiles.for_app(app_dir).next().is_some()
    }

    fn has_image_build_config(&self, app_dir: &str) -> bool {
        self.image_build_config_dirs.contains("") || self.image_build_config_dirs.contains(app_dir)
    }

    fn runs_image_on_kubernetes(&self, app_dir: &str) -> bool {
        !app_dir.is_empty() && self.kubernetes_images.own(app_dir).next().is_some()
    }

    fn built_by_compose(&self, app_dir: &str) -> bool {
        if !app_dir.is_empty() && self.compose_images.own(app_dir).next().is_some() {
            return true;
        }
        if self.compose_contexts.contains(app_dir) {
            return true;
        }
        // A context above the app (a monorepo root, `../`) builds this app
        // unless its Dockerfile is another app's.
        self.compose_dockerfiles
            .for_app(app_dir)
            .any(|context| context.is_empty() || app_dir.starts_with(&format!("{context}/")))
    }
}

/// The name of an image without registry, owner and tag (`web` for
/// `ghcr.io/acme/web:1.2`).
fn image_name(image: &str) -> &str {
    let name = image.rsplit('/').next().unwrap_or(image);
    name.split(':').next().unwrap_or(name)
}

/// Every `image:` value in a YAML document (containers, init containers,
/// CronJob templates), however deep.
fn images(doc: &yaml_rust2::Yaml) -> Vec<String> {
    fn walk(node: &yaml_rust2::Yaml, depth: usize, out: &mut Vec<String>) {
        if depth > 32 {
            return;
        }
        match node {
            yaml_rust2::Yaml::Hash(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        (Some("image"), yaml_rust2::Yaml::String(image)) => out.push(image.clone()),
                        _ => walk(v, depth + 1, out),
                    }
                }
            }
            yaml_rust2::Yaml::Array(items) => items.iter().for_each(|i| walk(i, depth + 1, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, 0, &mut out);
    out
}

/// `images`, read from a document's tree (manifest folders keep trees).
fn tree_images(doc: &crate::facts::yaml_tree::Node) -> Vec<String> {
    use crate::facts::yaml_tree::{Node, Value};
    fn walk(node: &Node, depth: usize, out: &mut Vec<String>) {
        if depth > 32 {
            return;
        }
        match &node.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    // The key's text first: typing every scalar as
                    // `yaml_rust2` would costs a parse per key.
                    let image_key = matches!(&k.value, Value::Scalar { text, .. } if text == "image")
                        && k.as_yaml_string().is_some();
                    match v.as_yaml_string().filter(|_| image_key) {
                        Some(image) => out.push(image.to_string()),
                        None => walk(v, depth + 1, out),
                    }
                }
            }
            Value::Seq(items) => items.iter().for_each(|i| walk(i, depth + 1, out)),
            Value::Scalar { .. } => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, 0, &mut out);
    out
}

/// Backing services a Dockerfile may customise (`FROM postgres:16` plus
/// an init script): that image is the database's, not the app's.
const SERVICE_IMAGES: &[&str] = &[
    "postgres",
    "postgis",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "memcached",
    "elasticsearch",
    "opensearch",
    "rabbitmq",
    "minio",
    "localstack",
    "mailhog",
];

/// Whether a Dockerfile builds a backing service's image (`FROM postgres`
/// with an init script): not the app's container, whatever its role.
fn builds_backing_service(repo: &RepoContext, id: crate::index::FileId) -> bool {
    repo.facts.dockerfile(id).is_some_and(|file| {
        file.final_stage()
            .is_some_and(|stage| SERVICE_IMAGES.contains(&image_name(&stage.image)))
    })
}

/// Build files for development environments (dev containers, Gitpod,
/// CodeSandbox, Project IDX) or for tests and examples.
/// Where a repository keeps build files shared by its apps: the root and
/// folders such as `docker/`, `deploy/`, `build/`.
fn is_shared_place(path: &str) -> bool {
    match path.split_once('/') {
        None => true,
        Some((first, _)) => matches!(
            first,
            "docker"
                | ".docker"
                | "dockerfiles"
                | "containers"
                | "deploy"
                | "deployment"
                | "deployments"
                | "build"
                | "infra"
                | "ops"
                | "ci"
                | ".ci"
        ),
    }
}

fn is_dev_only(rel: &str) -> bool {
    rel.split('/')
        .any(|p| matches!(p, ".devcontainer" | ".codesandbox" | ".idx") || p.starts_with(".gitpod"))
        || is_non_product_path(rel)
}

pub fn has_container_definition(cx: &AppContext) -> bool {
    let app_dir = cx.app.dir();
    let definitions = cx.repo.container_definitions();
    // A Dockerfile counts unless it belongs to another app: in the app's
    // folder, at the root, in a shared `docker/` folder, named after the app.
    definitions.has_dockerfile(app_dir)
        // Jib in the build, ko or buildpacks configuration beside the app.
        || cx
            .repo
            .facts
            .manifest(cx.app.manifest)
            .is_some_and(|m| m.builds_image)
        || definitions.has_image_build_config(app_dir)
        // Kubernetes manifests that run an image of the app (built by CI).
        || (definitions.runs_image_on_kubernetes(app_dir)
            || (cx.repo.apps.len() == 1 && !definitions.kubernetes_images.is_empty()))
        || definitions.built_by_compose(app_dir)
}

fn built_by_platform(cx: &AppContext) -> bool {
    cx.hosting().iter().any(|kind| kind.builds_from_source())
}

fn fix_text(cx: &AppContext) -> String {
    let app = cx.app;
    let services = services_phrase(app);
    match app.framework() {
        Framework::NextJs => format!(
            "Create a multi-stage `Dockerfile` optimized for `output: 'standalone'` (set it in next.config): install from the lockfile, {}build, then copy `.next/standalone`, `.next/static` and `public/` into a slim runtime stage that runs `node server.js` as a non-root user with `HOSTNAME=0.0.0.0`. Add a `.dockerignore` (node_modules, .next, .git, .env*){services}.",
            if app.has_dependency("prisma") || app.has_dependency("@prisma/client") {
                "run `prisma generate`, "
            } else {
                ""
            }
        ),
        Framework::Django => format!(
            "Create a multi-stage `Dockerfile` on `python:3.x-slim`: install the pinned requirements in a build stage, `collectstatic`, and run `gunicorn <project>.wsgi` as a non-root user; run `migrate` as a release step. Add a `.dockerignore` (.venv, .git, .env*, __pycache__){services}."
        ),
        Framework::Rails => format!(
            "Create a multi-stage `Dockerfile` (Rails ≥7.1 generates one with `bin/rails app:update`): `bundle install` with `BUNDLE_DEPLOYMENT=1` and `assets:precompile` in a build stage, a slim runtime stage running as a non-root `rails` user, `bin/rails db:prepare` in the entrypoint. Add a `.dockerignore`{services}."
        ),
        Framework::Laravel => format!(
            "Create a multi-stage `Dockerfile`: `composer install --no-dev --optimize-autoloader` and the front-end build in build stages, then PHP-FPM (or FrankenPHP/Octane) with the app as a non-root user, `php artisan config:cache` and `migrate --force` as a release step. Add a `.dockerignore` (vendor, node_modules, .env){services}."
        ),
        Framework::SpringBoot | Framework::Quarkus | Framework::Micronaut => format!(
            "Create a multi-stage `Dockerfile` (a JDK stage that runs the Maven/Gradle build, a JRE runtime stage running the jar as a non-root user), or build the image without one using Jib or `spring-boot:build-image`{services}."
        ),
        Framework::AspNetCore => format!(
            "Create a multi-stage `Dockerfile`: `dotnet restore` and `dotnet publish -c Release` in a `mcr.microsoft.com/dotnet/sdk` stage, then copy the published output into `mcr.microsoft.com/dotnet/aspnet` running as its non-root `app` user (.NET ≥8; or `dotnet publish /t:PublishContainer` builds the image without a Dockerfile). Add a `.dockerignore` (bin, obj, .git){services}."
        ),
        Framework::Phoenix => format!(
            "Create a multi-stage `Dockerfile` (`mix phx.gen.release --docker` writes one): `mix deps.get --only prod`, `mix assets.deploy` and `mix release` in an Elixir build stage, then the release in a slim Debian stage running as a non-root user, with migrations run by the release's `migrate` command. Add a `.dockerignore` (_build, deps, .git){services}."
        ),
        f if f.ecosystem() == Ecosystem::Go => format!(
            "Create a multi-stage `Dockerfile`: `go build` with `CGO_ENABLED=0` in a `golang` stage, then copy the binary into a distroless or scratch image running as a non-root user (or build with `ko`){services}."
        ),
        f if f.ecosystem() == Ecosystem::Rust => format!(
            "Create a multi-stage `Dockerfile`: `cargo build --release --locked` in a `rust` stage (cargo-chef for layer caching), then copy the binary into a slim or distroless image running as a non-root user{services}."
        ),
        f if f.ecosystem() == Ecosystem::Python => format!(
            "Create a multi-stage `Dockerfile` on `python:3.x-slim`: install the pinned dependencies in a build stage and run the app with a production server (`gunicorn`/`uvicorn` workers) as a non-root user. Add a `.dockerignore` (.venv, .git, .env*){services}."
        ),
        framework => format!(
            "Create a multi-stage `Dockerfile` for the {} app: install dependencies from the lockfile (`npm ci`), build if there is a build step, and run the server with `node` as the non-root `node` user in a slim runtime stage. Add a `.dockerignore` (node_modules, .git, .env*){services}.",
            framework.label()
        ),
    }
}

fn services_phrase(app: &crate::apps::App) -> String {
    let mut services = Vec::new();
    if app.stacks.contains(&"postgresql")
        || (app.stacks.contains(&"prisma") && !app.stacks.contains(&"mysql"))
    {
        services.push("PostgreSQL");
    }
    if app.stacks.contains(&"mysql") {
        services.push("MySQL");
    }
    if app.stacks.contains(&"sqlserver") {
        services.push("SQL Server");
    }
    if app.stacks.contains(&"mongodb") || app.stacks.contains(&"mongoose") {
        services.push("MongoDB");
    }
    if app.stacks.contains(&"redis") {
        services.push("Redis");
    }
    if services.is_empty() {
        String::new()
    } else {
        format!(
            ", and a `compose.yaml` that runs the app with {} behind healthchecks and `depends_on: condition: service_healthy`",
            services.join(" and ")
        )
    }
}
