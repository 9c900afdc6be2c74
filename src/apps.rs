//! Step 3 of the pipeline: find the applications in the repository.
//!
//! A repository may hold several (npm/yarn/pnpm workspaces, turbo/nx,
//! `apps/*`, `services/*`). An app is a package that runs a web framework; a
//! workspace root that only orchestrates, or a library that other packages
//! import, is not one.

use std::collections::{BTreeSet, HashMap};

use crate::facts::{Facts, PackageJson};
use crate::index::{FileId, FileKind, Index};
use crate::roles::path::{
    is_dev_harness_path, is_non_product_name, is_non_product_path, NON_PRODUCT_WORDS,
};
use crate::stack::{self, Ecosystem, Framework};

#[derive(Debug, Clone)]
pub struct App {
    /// Folder relative to the root; "." for an app at the root.
    pub path: String,
    pub name: Option<String>,
    pub ecosystem: Ecosystem,
    /// The manifest that names the framework (package.json, pyproject.toml,
    /// requirements.txt, Gemfile, composer.json, pom.xml, build.gradle,
    /// go.mod, Cargo.toml).
    pub manifest: FileId,
    /// Web frameworks, primary first.
    pub frameworks: Vec<Framework>,
    /// The package whose line in the manifest names the primary framework.
    pub framework_package: String,
    /// Frameworks, ORMs and services, for reports.
    pub stacks: Vec<&'static str>,
    /// Dependencies the app gets at run time: its own, those of workspace
    /// packages it depends on, and the workspace root's (hoisted).
    pub dependencies: BTreeSet<String>,
    /// Folders of workspace packages the app depends on (for schemas and
    /// config that live in a shared package such as `packages/db`).
    pub related_dirs: Vec<String>,
}

impl App {
    pub fn framework(&self) -> Framework {
        self.frameworks[0]
    }

    pub fn has_dependency(&self, name: &str) -> bool {
        self.dependencies.contains(name)
    }

    /// The app folder as a prefix for `Index::under` ("" for the root).
    pub fn dir(&self) -> &str {
        if self.path == "." {
            ""
        } else {
            &self.path
        }
    }

    /// Joins a path inside the app folder.
    pub fn join(&self, rel: &str) -> String {
        join(self.dir(), rel)
    }
}

pub fn join(dir: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches("./");
    if dir.is_empty() || dir == "." {
        rel.to_string()
    } else if rel.is_empty() || rel == "." {
        dir.to_string()
    } else {
        // Not `format!`: this runs for every path a rule probes, and the
        // formatting machinery costs ten times the copy.
        let mut joined = String::with_capacity(dir.len() + 1 + rel.len());
        joined.push_str(dir);
        joined.push('/');
        joined.push_str(rel);
        joined
    }
}

/// Folders where a web app keeps files it serves as they are: a
/// `package.json` there is a vendored browser library's (jQuery UI under
/// `static/js/`), not a server.
const STATIC_ASSET_FOLDERS: &[&str] = &[
    "bower_components",
    "static",
    "static_files",
    "staticfiles",
    "wwwroot",
];

fn is_static_asset_path(rel: &str) -> bool {
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    dir.split('/').any(|p| STATIC_ASSET_FOLDERS.contains(&p))
}

/// Dependencies of desktop and mobile apps: their web framework (if any)
/// serves a local window, not production traffic.
const DESKTOP_PACKAGES: &[&str] = &[
    "electron",
    "@tauri-apps/api",
    "@tauri-apps/cli",
    "react-native",
    "expo",
    "tauri",
];

pub fn discover(facts: &Facts) -> Vec<App> {
    let index = facts.index;
    // Manifests in tests, examples and templates are never parsed: a
    // template's `{{ name }}` is not a malformed file of the product.
    let product_manifests: Vec<FileId> = index
        .of_kind(FileKind::PackageJson)
        .iter()
        .copied()
        .filter(|id| !index.get(*id).non_product)
        .collect();
    // Parsed on every core first: a monorepo has a manifest per service.
    facts.parse_ahead(&product_manifests);
    let manifests: Vec<(FileId, &PackageJson)> = product_manifests
        .iter()
        .filter_map(|id| facts.package_json(*id).map(|p| (*id, p)))
        .collect();

    let by_name: HashMap<&str, (FileId, &PackageJson)> = manifests
        .iter()
        .filter_map(|(id, p)| p.name.as_deref().map(|n| (n, (*id, *p))))
        .collect();
    let root_manifest = manifests
        .iter()
        .find(|(id, _)| index.get(*id).dir().is_empty())
        .map(|(_, p)| *p);
    let is_workspace_root = |id: FileId, pkg: &PackageJson| {
        let dir = index.get(id).dir();
        !pkg.workspaces.is_empty()
            || index.find(&join(dir, "pnpm-workspace.yaml")).is_some()
            || index.find(&join(dir, "nx.json")).is_some()
            || index.find(&join(dir, "lerna.json")).is_some()
    };

    // Which manifests depend on each package name: asked for every
    // manifest, answered by a lookup instead of a scan of all manifests.
    let mut dependents: HashMap<&str, Vec<FileId>> = HashMap::new();
    for (id, pkg) in &manifests {
        for name in pkg.dependencies.keys() {
            let ids = dependents.entry(name.as_str()).or_default();
            if ids.len() < 2 {
                ids.push(*id);
            }
        }
    }

    let mut apps = Vec::new();
    for (id, pkg) in &manifests {
        let file = index.get(*id);
        // At the repository's root the name is what a tutorial or generator
        // left (`node-jenkins-app-example` deployed by pm2): the repository
        // is the product being audited. In a subfolder, a demo or example
        // beside the product is not (the same rule as the other ecosystems).
        if file.non_product
            || is_dev_harness_path(&file.rel)
            || is_static_asset_path(&file.rel)
            || (!file.dir().is_empty() && pkg.name.as_deref().is_some_and(is_non_product_name))
        {
            continue;
        }
        // A package that another package depends on is a library of theirs.
        if let Some(name) = pkg.name.as_deref() {
            if dependents
                .get(name)
                .is_some_and(|ids| ids.iter().any(|other| other != id))
            {
                continue;
            }
        }
        let mut found = stack::npm_frameworks(|p| pkg.has_dependency(p));
        // A plain server framework that is only a devDependency serves the
        // package's tests or tools (an e2e server, a dev proxy) unless
        // production code imports it (a bundled server lists it there too).
        found.retain(|(framework, package)| {
            !is_plain_server(*framework)
                || pkg.dependencies.contains_key(*package)
                || imported_by_production_code(index, file.dir(), package)
        });
        // No framework: a server on Node's own `http` module, started by the
        // file the package runs.
        if found.is_empty() && node_entry_starts_server(facts, file.dir(), pkg) {
            found.push((Framework::NodeHttp, "http"));
        }
        let Some((_, framework_package)) = found.first() else {
            continue;
        };
        let frameworks: Vec<Framework> = found.iter().map(|(f, _)| *f).collect();
        if DESKTOP_PACKAGES.iter().any(|p| pkg.has_dependency(p)) {
            continue;
        }
        let dir = file.dir();
        // A package with its own container or platform definition is
        // deployed, whatever its manifest looks like.
        let deployed_itself = !dir.is_empty()
            && index.under(dir).iter().any(|f| {
                f.dir() == dir && matches!(f.kind, Some(FileKind::Dockerfile | FileKind::Deploy(_)))
            });
        // `npm init` writes a `main` into every manifest, so an entry point
        // alone does not make a library: a package whose own production
        // code calls `listen` runs the server (`node server.js` by pm2).
        if !deployed_itself
            && looks_like_library(pkg, frameworks[0])
            && !package_code_listens(index, facts, dir)
        {
            continue;
        }
        let nx_standalone = index.find(&join(dir, "nx.json")).is_some()
            && index.find(&join(dir, "project.json")).is_some()
            && pkg.workspaces.is_empty();
        if is_workspace_root(*id, pkg)
            && !nx_standalone
            && !runs_framework_itself(pkg, frameworks[0])
        {
            continue;
        }

        let dir = file.dir().to_string();
        let mut dependencies: BTreeSet<String> =
            pkg.all_dependency_names().map(str::to_string).collect();
        let mut related_dirs = Vec::new();
        for dep in pkg.all_dependency_names() {
            if let Some((dep_id, dep_pkg)) = by_name.get(dep) {
                if *dep_id != *id {
                    dependencies.extend(dep_pkg.all_dependency_names().map(str::to_string));
                    related_dirs.push(index.get(*dep_id).dir().to_string());
                }
            }
        }
        if !dir.is_empty() {
            if let Some(root) = root_manifest {
                dependencies.extend(root.all_dependency_names().map(str::to_string));
            }
        }

        let mut stacks: Vec<&'static str> = frameworks.iter().map(|f| f.id()).collect();
        stacks.extend(stack::npm_stacks(|p| dependencies.contains(p)));

        apps.push(App {
            path: if dir.is_empty() { ".".to_string() } else { dir },
            name: pkg.name.clone(),
            ecosystem: Ecosystem::Node,
            manifest: *id,
            frameworks,
            framework_package: framework_package.to_string(),
            stacks,
            dependencies,
            related_dirs,
        });
    }
    apps.extend(discover_other_ecosystems(facts));
    let without_manifest = discover_without_manifest(facts, &apps);
    apps.extend(without_manifest);
    apps.sort_by(|a, b| a.path.cmp(&b.path).then(a.ecosystem.cmp(&b.ecosystem)));
    apps
}

/// Frameworks that are a server and nothing else: the app imports them.
fn is_plain_server(framework: Framework) -> bool {
    matches!(
        framework,
        Framework::Express
            | Framework::Fastify
            | Framework::Koa
            | Framework::Hono
            | Framework::Hapi
            | Framework::Restify
    )
}

/// Whether a JavaScript/TypeScript file of the package in `dir` that the
/// file-role model counts as production code (`roles::source`: not a test,
/// script, seed or dev file) names the module `package` in quotes
/// (`require("express")`, `from 'express'`). Asked only for a server
/// framework that is a devDependency alone, so few packages pay for it.
pub(crate) fn imported_by_production_code(index: &Index, dir: &str, package: &str) -> bool {
    let quoted = [
        format!("\"{package}\""),
        format!("'{package}'"),
        format!("`{package}`"),
    ];
    let Ok(searcher) = aho_corasick::AhoCorasick::new(&quoted) else {
        return true;
    };
    index.ids_under(dir).any(|id| {
        is_production_js(index, id)
            && crate::facts::text::read_text(&index.path(id), 1 << 20)
                .is_ok_and(|t| searcher.is_match(&t))
    })
}

/// A JavaScript/TypeScript file production runs: not a test, script,
/// example or dev file.
fn is_production_js(index: &Index, id: FileId) -> bool {
    let f = index.get(id);
    f.kind == Some(FileKind::JsSource)
        && !f.non_product
        && !f.test
        && crate::roles::source::judge(&f.rel).is_production()
}

/// Whether a production JavaScript/TypeScript file of the Node package in
/// `dir` (not of a package nested below it, not a test, script, example or
/// dev file) calls `.listen(…)`: the package starts a server itself.
fn package_code_listens(index: &Index, facts: &Facts, dir: &str) -> bool {
    index.ids_under(dir).any(|id| {
        is_production_js(index, id)
            && !inside_nested_package(index, dir, index.get(id).dir())
            && facts.js(id).is_some_and(|js| js.calls_listen)
    })
}

/// Whether a folder between `dir` (exclusive) and `file_dir` (inclusive)
/// holds a `package.json`: the file belongs to that nested package.
fn inside_nested_package(index: &Index, dir: &str, file_dir: &str) -> bool {
    let rest = if dir.is_empty() {
        file_dir
    } else {
        match file_dir.strip_prefix(dir) {
            Some(r) => r.trim_start_matches('/'),
            None => return false,
        }
    };
    let mut here = dir.to_string();
    rest.split('/').filter(|p| !p.is_empty()).any(|part| {
        here = join(&here, part);
        index.find(&join(&here, "package.json")).is_some()
    })
}

/// Manifest kinds of the other ecosystems.
const OTHER_MANIFESTS: &[(FileKind, Ecosystem)] = &[
    (FileKind::PyProject, Ecosystem::Python),
    (FileKind::Requirements, Ecosystem::Python),
    (FileKind::Pipfile, Ecosystem::Python),
    (FileKind::Gemfile, Ecosystem::Ruby),
    (FileKind::ComposerJson, Ecosystem::Php),
    (FileKind::MavenPom, Ecosystem::Java),
    (FileKind::Gradle, Ecosystem::Java),
    (FileKind::GoMod, Ecosystem::Go),
    (FileKind::CargoToml, Ecosystem::Rust),
    (FileKind::DotnetProject, Ecosystem::Dotnet),
    (FileKind::MixExs, Ecosystem::Elixir),
];

/// Python, Ruby, PHP, Java/Kotlin, Go and Rust apps: a folder whose
/// manifests bring a web framework as a production dependency, and which
/// has what that framework's apps have (a `manage.py`, `config/application.rb`,
/// `artisan`, a Boot plugin, a `main` package, a binary target).
fn discover_other_ecosystems(facts: &Facts) -> Vec<App> {
    let index = facts.index;
    // (ecosystem, app folder) → manifests, in path order.
    let mut groups: Vec<((Ecosystem, String), Vec<FileId>)> = Vec::new();
    let mut group_of: HashMap<(Ecosystem, String), usize> = HashMap::new();
    for (kind, ecosystem) in OTHER_MANIFESTS {
        for id in index.of_kind(*kind) {
            let file = index.get(*id);
            if file.non_product || is_dev_harness_path(&file.rel) {
                continue;
            }
            let mut dir = file.dir().to_string();
            // requirements/base.txt and requirements/python/base.txt
            // belong to the folder above `requirements/`.
            if *kind == FileKind::Requirements {
                if let Some(above) = folder_above_requirements(&dir) {
                    dir = above.to_string();
                }
            }
            let key = (*ecosystem, dir);
            match group_of.get(&key) {
                Some(i) => groups[*i].1.push(*id),
                None => {
                    group_of.insert(key.clone(), groups.len());
                    groups.push((key, vec![*id]));
                }
            }
        }
    }

    let all: Vec<FileId> = groups
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    facts.parse_ahead(&all);
    let java_modules = java_modules(facts);
    let mut apps = Vec::new();
    // The (ecosystem, folder) of every app found so far.
    let mut placed: std::collections::HashSet<(Ecosystem, String)> =
        std::collections::HashSet::new();
    for ((ecosystem, dir), ids) in groups {
        let manifests: Vec<(FileId, &crate::facts::manifest::Manifest)> = ids
            .iter()
            .filter_map(|id| facts.manifest(*id).map(|m| (*id, m)))
            .collect();
        let prod = |name: &str| {
            manifests
                .iter()
                .any(|(_, m)| m.dependencies.get(name).is_some_and(|d| !d.dev))
        };
        let mut found = stack::other_frameworks(ecosystem, prod);
        // Werkzeug under Flask (or another framework) is that framework's
        // library, not a framework of the app.
        if found.len() > 1 {
            found.retain(|(f, _)| *f != Framework::Werkzeug);
        }
        // A Go service on the standard library alone: `main` serves HTTP.
        if found.is_empty() && ecosystem == Ecosystem::Go && go_main_serves_http(index, facts, &dir)
        {
            found.push((Framework::NetHttp, "module"));
        }
        // `main` only calls into a package of the module that starts the
        // server (`controllers.StartMainServer()`), and `go.mod` marks its
        // framework `// indirect` (never tidied): the framework that
        // package imports, or net/http's server.
        if found.is_empty() && ecosystem == Ecosystem::Go {
            let module = manifests.iter().find_map(|(_, m)| m.name.clone());
            if let Some(served) = module.and_then(|m| go_module_package_serves(facts, &dir, &m)) {
                found.push(served);
            }
        }
        // A PHP project without a framework: its own front controller. A
        // library, plugin or theme declares another `type`.
        if found.is_empty()
            && ecosystem == Ecosystem::Php
            && manifests.iter().any(|(id, m)| {
                index.get(*id).kind == Some(FileKind::ComposerJson) && is_php_project(m)
            })
            && (index.find(&join(&dir, "index.php")).is_some()
                || index.find(&join(&dir, "public/index.php")).is_some())
        {
            found.push((Framework::PlainPhp, "php"));
        }
        // A WAR for a servlet container, without Spring Boot: a web app
        // when it depends on a servlet or JAX-RS API (`provided` by the
        // container, so counted whatever the scope) or has a `web.xml`.
        if found.is_empty()
            && ecosystem == Ecosystem::Java
            && manifests.iter().any(|(_, m)| m.packaging_war)
        {
            let web_dependency = manifests
                .iter()
                .flat_map(|(_, m)| m.dependencies.keys())
                .find_map(|d| JAVA_WEB_APIS.iter().copied().find(|p| d.starts_with(p)));
            if let Some(package) = web_dependency {
                found.push((Framework::JavaServlet, package));
            } else if index
                .find(&join(&dir, "src/main/webapp/WEB-INF/web.xml"))
                .is_some()
            {
                found.push((Framework::JavaServlet, "war"));
            }
        }
        let Some((framework, package)) = found.first().copied() else {
            continue;
        };
        let declared_name = manifests.iter().find_map(|(_, m)| m.name.clone());
        let non_product_name = declared_name.as_deref().is_some_and(|n| {
            is_non_product_name(n)
                // Go module paths: `github.com/gin-gonic/examples/otel`.
                || (ecosystem == Ecosystem::Go && n.split('/').any(|seg| NON_PRODUCT_WORDS.contains(&seg)))
        });
        // At the repository's root the name is what a generator left
        // (Spring Initializr's `demo`): the repository is the product being
        // audited. In a subfolder, a demo or example beside the product is
        // not.
        if non_product_name && !dir.is_empty() {
            continue;
        }
        // Pins kept in a folder of the project (`settings/requirements.txt`
        // beside `settings/wsgi.py`) belong to the Django project whose
        // `manage.py` is in a folder above.
        let mut dir = dir;
        if ecosystem == Ecosystem::Python
            && framework == Framework::Django
            && !index.under(&dir).iter().any(|f| f.name() == "manage.py")
        {
            let project = crate::rules::folders::self_and_ancestors(&dir)
                .skip(1)
                .chain(std::iter::once(""))
                .find(|d| index.find(&join(d, "manage.py")).is_some())
                .map(str::to_string);
            if let Some(project) = project {
                dir = project;
            }
        }
        // Looked up, not scanned: a monorepo of many Python services would
        // compare every app with every other.
        if placed.contains(&(ecosystem, dir.clone())) {
            continue;
        }
        if !runs_as_app(index, facts, ecosystem, framework, &dir, &manifests) {
            continue;
        }
        let Some((manifest, _)) = manifests
            .iter()
            .find(|(_, m)| m.has(package))
            .or(manifests.first())
            .copied()
        else {
            continue;
        };
        let mut dependencies: BTreeSet<String> = manifests
            .iter()
            .flat_map(|(_, m)| m.dependencies.keys().cloned())
            .collect();
        if ecosystem == Ecosystem::Java {
            let own: Vec<FileId> = manifests.iter().map(|(id, _)| *id).collect();
            add_sibling_module_dependencies(facts, &java_modules, &own, &mut dependencies);
        }
        // Wagtail, Mezzanine and django CMS bring Django: the rules that
        // ask for the `django` package (its settings, its health apps)
        // apply as they do when it is named.
        if framework == Framework::Django {
            dependencies.insert("django".to_string());
        }
        if ecosystem == Ecosystem::Elixir {
            dependencies.extend(umbrella_siblings_dependencies(
                index, facts, &dir, &manifests,
            ));
        }
        let mut stacks: Vec<&'static str> = found.iter().map(|(f, _)| f.id()).collect();
        stacks.extend(stack::other_stacks(ecosystem, |p| dependencies.contains(p)));
        // A .NET project's name is its file's when no `AssemblyName` says.
        let name = manifests
            .iter()
            .find_map(|(_, m)| m.name.clone())
            .or_else(|| {
                (ecosystem == Ecosystem::Dotnet)
                    .then(|| {
                        index
                            .get(manifest)
                            .name()
                            .rsplit_once('.')
                            .map(|(stem, _)| stem.to_string())
                    })
                    .flatten()
            });
        placed.insert((ecosystem, dir.clone()));
        apps.push(App {
            path: if dir.is_empty() { ".".to_string() } else { dir },
            name,
            ecosystem,
            manifest,
            frameworks: found.iter().map(|(f, _)| *f).collect(),
            framework_package: package.to_string(),
            stacks,
            dependencies,
            related_dirs: Vec::new(),
        });
    }
    // A crate that another app depends on is a library of that app, even
    // with a small `main` of its own.
    let used: std::collections::HashSet<String> = apps
        .iter()
        .flat_map(|a: &App| a.dependencies.iter().cloned())
        .collect();
    apps.retain(|a| {
        !(a.ecosystem == Ecosystem::Rust && a.name.as_ref().is_some_and(|n| used.contains(n)))
    });
    // A Maven/Gradle module the other modules use only in their tests
    // (`<scope>test</scope>`) and which simulates other services — a
    // mock-server library among its production dependencies, or a name
    // that says so (`sim-lib`, `payments-stub`) — is a test harness,
    // whatever framework it starts. An integration-test module depending
    // on a real service in test scope leaves the service an app.
    apps.retain(|a| {
        let simulates = a.dependencies.iter().any(|d| {
            let artifact = artifact_of(d);
            artifact.starts_with("wiremock") || artifact.starts_with("mockserver")
        }) || a.name.as_deref().is_some_and(|n| {
            n.split(['-', '_', '.']).any(|w| {
                matches!(
                    w,
                    "sim"
                        | "simulator"
                        | "simulators"
                        | "mock"
                        | "mocks"
                        | "stub"
                        | "stubs"
                        | "fake"
                )
            })
        });
        !(a.ecosystem == Ecosystem::Java
            && simulates
            && a.name
                .as_ref()
                .is_some_and(|n| java_modules.only_for_tests(n)))
    });
    apps
}

/// Dependencies (prefixes of `group:artifact`) of a servlet web app: the
/// servlet and Java EE / Jakarta EE APIs, JAX-RS implementations, Spring
/// MVC, Struts.
const JAVA_WEB_APIS: &[&str] = &[
    "javax.servlet:",
    "jakarta.servlet:",
    "javax:javaee-web-api",
    "javax:javaee-api",
    "jakarta.platform:",
    "javax.ws.rs:",
    "jakarta.ws.rs:",
    "com.sun.jersey:",
    "org.glassfish.jersey.",
    "org.jboss.resteasy:",
    "org.apache.cxf:cxf-rt-frontend-jaxrs",
    "org.springframework:spring-webmvc",
    "org.apache.struts:",
];

/// The Maven and Gradle modules of the repository (outside examples and
/// tests) by the artifact name they declare, with how the other modules
/// depend on each.
struct JavaModules {
    by_name: HashMap<String, Vec<FileId>>,
    /// Artifact names other modules depend on for production.
    used: std::collections::HashSet<String>,
    /// Artifact names other modules depend on only with a test scope.
    used_in_tests: std::collections::HashSet<String>,
}

impl JavaModules {
    fn only_for_tests(&self, name: &str) -> bool {
        self.used_in_tests.contains(name) && !self.used.contains(name)
    }
}

fn java_modules(facts: &Facts) -> JavaModules {
    let index = facts.index;
    let mut modules = JavaModules {
        by_name: HashMap::new(),
        used: Default::default(),
        used_in_tests: Default::default(),
    };
    // Every build file consumes modules (an `integration-tests` module
    // is where a simulator is used); only product modules are looked up.
    let ids: Vec<FileId> = [FileKind::MavenPom, FileKind::Gradle]
        .iter()
        .flat_map(|k| index.of_kind(*k).iter().copied())
        .collect();
    for id in ids.iter().filter(|id| !index.get(**id).non_product) {
        if let Some(name) = facts.manifest(*id).and_then(|m| m.name.clone()) {
            modules.by_name.entry(name).or_default().push(*id);
        }
    }
    for id in &ids {
        let Some(m) = facts.manifest(*id) else {
            continue;
        };
        for (dep, d) in &m.dependencies {
            let artifact = artifact_of(dep);
            if !modules.by_name.contains_key(artifact) || m.name.as_deref() == Some(artifact) {
                continue;
            }
            if d.dev {
                modules.used_in_tests.insert(artifact.to_string());
            } else {
                modules.used.insert(artifact.to_string());
            }
        }
    }
    modules
}

/// `com.acme:management-lib` → `management-lib`.
fn artifact_of(coordinate: &str) -> &str {
    coordinate.rsplit(':').next().unwrap_or(coordinate)
}

/// Adds the production dependencies of the repository's own modules an
/// app depends on, followed through the modules they depend on in turn: a
/// service gets its metrics registry or health extension through a shared
/// `management-lib` module of the same build.
fn add_sibling_module_dependencies(
    facts: &Facts,
    modules: &JavaModules,
    own: &[FileId],
    dependencies: &mut BTreeSet<String>,
) {
    let mut seen: std::collections::HashSet<FileId> = own.iter().copied().collect();
    let mut todo: Vec<String> = dependencies.iter().cloned().collect();
    while let Some(dep) = todo.pop() {
        let Some(ids) = modules.by_name.get(artifact_of(&dep)) else {
            continue;
        };
        for id in ids {
            if !seen.insert(*id) {
                continue;
            }
            let Some(m) = facts.manifest(*id) else {
                continue;
            };
            for (name, d) in &m.dependencies {
                if !d.dev && dependencies.insert(name.clone()) {
                    todo.push(name.clone());
                }
            }
        }
    }
}

/// The dependencies of the umbrella apps an Elixir app depends on
/// (`{:shop, in_umbrella: true}`): the web app of an umbrella reaches the
/// database through its sibling's Ecto repo (`apps/shop/mix.exs` has
/// `postgrex` or `ecto_sqlite3`). Each sibling is looked up by its folder
/// name, not found by a scan.
fn umbrella_siblings_dependencies(
    index: &Index,
    facts: &Facts,
    dir: &str,
    manifests: &[(FileId, &crate::facts::manifest::Manifest)],
) -> Vec<String> {
    let Some((parent, _)) = dir.rsplit_once('/') else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (_, m) in manifests {
        if !m.text.contains("in_umbrella") {
            continue;
        }
        for name in m.dependencies.keys() {
            if let Some(sibling) = index
                .find(&join(parent, &format!("{name}/mix.exs")))
                .and_then(|id| facts.manifest(id))
            {
                out.extend(
                    sibling
                        .dependencies
                        .iter()
                        .filter(|(_, d)| !d.dev)
                        .map(|(n, _)| n.clone()),
                );
            }
        }
    }
    out
}

/// Whether a Python module up to two folders below `dir` imports
/// Werkzeug and starts it: `run_simple(…)` (its development server, which
/// self-hosted apps ship as their `run` command) or a view wrapped by
/// `@Request.application`, or a module-level WSGI `application` object that
/// an application server among the dependencies serves.
fn python_werkzeug_app(
    index: &Index,
    facts: &Facts,
    dir: &str,
    manifests: &[(FileId, &crate::facts::manifest::Manifest)],
) -> bool {
    let served = manifests.iter().any(|(_, m)| {
        PYTHON_APP_SERVERS
            .iter()
            .any(|s| m.dependencies.get(*s).is_some_and(|d| !d.dev))
    });
    index.ids_under(dir).any(|id| {
        let f = index.get(id);
        let inner = f
            .rel
            .strip_prefix(dir)
            .unwrap_or(&f.rel)
            .trim_start_matches('/');
        if inner.matches('/').count() > 2
            || !f.name().ends_with(".py")
            || f.test
            || is_non_product_path(inner)
        {
            return false;
        }
        let Some(code) = facts.code(id) else {
            return false;
        };
        let werkzeug = code
            .imports
            .iter()
            .any(|(m, _)| m == "werkzeug" || m.starts_with("werkzeug."));
        if !werkzeug {
            return false;
        }
        let Some(text) = facts.raw_text(id) else {
            return false;
        };
        text.contains("run_simple(")
            || text.contains("Request.application")
            || (served && text.lines().any(|l| l.starts_with("application =")))
    })
}

/// Application servers a Python app runs under in production: a library
/// does not depend on one.
const PYTHON_APP_SERVERS: &[&str] = &[
    "gunicorn",
    "uvicorn",
    "waitress",
    "uwsgi",
    "hypercorn",
    "daphne",
    "granian",
];

/// Whether a Python module up to two folders below `dir` imports `module`
/// and starts a server.
fn python_module_starts(index: &Index, facts: &Facts, dir: &str, module: &str) -> bool {
    index.ids_under(dir).any(|id| {
        let f = index.get(id);
        let inner = f
            .rel
            .strip_prefix(dir)
            .unwrap_or(&f.rel)
            .trim_start_matches('/');
        inner.matches('/').count() <= 2
            && f.name().ends_with(".py")
            && !f.test
            && !is_non_product_path(inner)
            && facts
                .code(id)
                .is_some_and(|c| c.starts_server && c.imports.iter().any(|(m, _)| m == module))
    })
}

/// Whether a `composer.json` describes a project: no `type`, or
/// `"type": "project"` (libraries, plugins and themes declare theirs).
fn is_php_project(m: &crate::facts::manifest::Manifest) -> bool {
    !m.declares_library
        && serde_json::from_str::<serde_json::Value>(&m.text)
            .ok()
            .is_none_or(|doc| {
                doc.get("type")
                    .and_then(serde_json::Value::as_str)
                    .is_none_or(|t| t == "project")
            })
}

/// The file a Node package runs (`node server.js`, `nodemon index.js` in
/// its `start`/`serve` script, else `index.js`, `server.js` or `app.js`)
/// starts an `http` server itself.
fn node_entry_starts_server(facts: &Facts, dir: &str, pkg: &PackageJson) -> bool {
    let index = facts.index;
    let from_script = ["start", "serve"]
        .iter()
        .filter_map(|k| pkg.scripts.get(*k))
        .flat_map(|script| {
            let words: Vec<&str> = script.split_whitespace().collect();
            words
                .windows(2)
                .filter(|w| matches!(w[0], "node" | "nodemon" | "pm2" | "forever"))
                .map(|w| w[1].trim_start_matches("./").to_string())
                .collect::<Vec<_>>()
        })
        .collect::<Vec<String>>();
    let defaults = ["index.js", "server.js", "app.js"].map(str::to_string);
    let candidates = if from_script.is_empty() {
        &defaults[..]
    } else {
        &from_script[..]
    };
    candidates.iter().any(|rel| {
        let rel = if rel.contains('.') {
            rel.clone()
        } else {
            format!("{rel}.js")
        };
        index
            .find(&join(dir, &rel))
            .and_then(|id| facts.js(id))
            .is_some_and(|js| js.starts_server)
    })
}

/// Python modules that are web frameworks, as `import` names them.
const PYTHON_FRAMEWORK_MODULES: &[(&str, Framework)] = &[
    ("flask", Framework::Flask),
    ("bottle", Framework::Bottle),
    ("tornado", Framework::Tornado),
    ("pyramid", Framework::Pyramid),
    ("fastapi", Framework::FastApi),
    ("falcon", Framework::Falcon),
    ("sanic", Framework::Sanic),
    ("quart", Framework::Quart),
    ("starlette", Framework::Starlette),
    // Plotly Dash serves its pages with a Flask app (`app.server`).
    ("dash", Framework::Flask),
];

/// The web framework a module imports, by its import name.
fn python_framework_imported(imports: &[(String, u32)]) -> Option<(Framework, String)> {
    PYTHON_FRAMEWORK_MODULES
        .iter()
        .find(|(m, _)| imports.iter().any(|(i, _)| i == m))
        .map(|(m, f)| (*f, m.to_string()))
}

/// Python manifests: a folder with one is found by them, or is not an app.
const PYTHON_MANIFEST_NAMES: &[&str] = &[
    "requirements.txt",
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "Pipfile",
];

/// A Django project kept without any manifest (the packages installed by
/// hand on the server): `manage.py` imports Django, and a settings module
/// of the project (`settings.py`, or a module of a `settings/` folder, up
/// to two folders below) lists `INSTALLED_APPS`. A `manage.py` of another
/// tool (Flask-Script's) imports no Django; a reusable app's test runner
/// keeps its settings under `tests/` or an example project, and its
/// package has a manifest.
fn django_project_without_manifest(facts: &Facts, dir: &str, imports: &[(String, u32)]) -> bool {
    let index = facts.index;
    if !imports.iter().any(|(m, _)| m == "django")
        || PYTHON_MANIFEST_NAMES
            .iter()
            .any(|n| index.find(&join(dir, n)).is_some())
    {
        return false;
    }
    index.ids_under(dir).any(|id| {
        let f = index.get(id);
        let inner = f
            .rel
            .strip_prefix(dir)
            .unwrap_or(&f.rel)
            .trim_start_matches('/');
        let settings = f.name() == "settings.py"
            || (f.name().ends_with(".py") && f.dir().rsplit('/').next() == Some("settings"));
        settings
            && inner.matches('/').count() <= 2
            && !f.test
            && !f.non_product
            && !is_non_product_path(inner)
            && facts
                .raw_text(id)
                .is_some_and(|t| t.contains("INSTALLED_APPS"))
    })
}

/// The web framework of the project's own module that an entry module
/// imports and starts: `run.py` holds only `from app import app` and
/// `app.run()`, and `app/__init__.py` creates the Flask app. A module is the
/// project's own when `dir` holds `<name>/__init__.py` or `<name>.py`.
fn python_local_module_framework(
    facts: &Facts,
    dir: &str,
    imports: &[(String, u32)],
) -> Option<(Framework, String)> {
    let index = facts.index;
    imports.iter().find_map(|(module, _)| {
        [format!("{module}/__init__.py"), format!("{module}.py")]
            .iter()
            .filter_map(|rel| index.find(&join(dir, rel)))
            .find_map(|id| {
                facts
                    .code(id)
                    .and_then(|c| python_framework_imported(&c.imports))
            })
    })
}

/// Entry modules of a Python web app.
const PYTHON_ENTRY_FILES: &[&str] = &[
    "app.py",
    "application.py",
    "main.py",
    "run.py",
    "server.py",
    "wsgi.py",
];

/// Apps no manifest names a framework for, found by their code: a Python
/// entry module that imports a framework and starts it (an app without
/// `requirements.txt`), a `setup.py` that requires a framework beside a
/// PasteDeploy `.ini` or an application server (Pyramid's layout), a Go
/// `main` package outside any module (GOPATH, no `go.mod`), and a Rails 2
/// app whose `config/environment.rb` pins Rails (no Gemfile). A folder
/// where an app of the ecosystem was already found, or below one, is left
/// alone. One pass over each language's files, whatever the app count.
fn discover_without_manifest(facts: &Facts, found: &[App]) -> Vec<App> {
    let index = facts.index;
    // Folders that hold an app, per ecosystem: those found by manifests,
    // and those this pass adds (a lookup per ancestor, not a scan of the
    // apps, whatever their number).
    let mut taken: std::collections::HashSet<(Ecosystem, String)> = found
        .iter()
        .map(|a| (a.ecosystem, a.dir().to_string()))
        .collect();
    let inside_app = |taken: &std::collections::HashSet<(Ecosystem, String)>,
                      ecosystem: Ecosystem,
                      dir: &str| {
        taken.contains(&(ecosystem, String::new()))
            || crate::rules::folders::self_and_ancestors(dir)
                .any(|d| taken.contains(&(ecosystem, d.to_string())))
    };
    let eligible = |id: FileId| {
        let f = index.get(id);
        !(f.non_product
            || f.test
            || is_dev_harness_path(&f.rel)
            || f.rel
                .split('/')
                .any(|p| matches!(p, "vendor" | "Godeps" | "site-packages")))
    };
    let mut apps: Vec<App> = Vec::new();
    let push = |apps: &mut Vec<App>,
                ecosystem,
                dir: &str,
                manifest,
                framework: Framework,
                package: &str,
                deps: Vec<String>| {
        let dependencies: BTreeSet<String> = deps.into_iter().collect();
        let mut stacks = vec![framework.id()];
        stacks.extend(stack::other_stacks(ecosystem, |p| dependencies.contains(p)));
        apps.push(App {
            path: if dir.is_empty() {
                ".".to_string()
            } else {
                dir.to_string()
            },
            name: None,
            ecosystem,
            manifest,
            frameworks: vec![framework],
            framework_package: package.to_string(),
            stacks,
            dependencies,
            related_dirs: Vec::new(),
        });
    };

    // Python.
    let python: Vec<FileId> = index
        .of_kind(FileKind::Source(crate::facts::code::Lang::Python))
        .iter()
        .copied()
        .filter(|id| {
            let name = index.get(*id).name();
            (name == "setup.py" || name == "manage.py" || PYTHON_ENTRY_FILES.contains(&name))
                && eligible(*id)
        })
        .collect();
    facts.parse_ahead(&python);
    for id in python {
        let file = index.get(id);
        let dir = file.dir();
        if inside_app(&taken, Ecosystem::Python, dir) {
            continue;
        }
        let Some(code) = facts.code(id) else { continue };
        let normalized: Vec<String> = code
            .imports
            .iter()
            .map(|(m, _)| m.to_ascii_lowercase().replace('_', "-"))
            .collect();
        let framework = if file.name() == "setup.py" {
            let has = |p: &str| normalized.iter().any(|n| n == p);
            let deployed = ["production.ini", "development.ini"]
                .iter()
                .any(|ini| index.find(&join(dir, ini)).is_some())
                || PYTHON_APP_SERVERS.iter().any(|s| has(s));
            stack::other_frameworks(Ecosystem::Python, has)
                .first()
                .filter(|_| deployed)
                .map(|(f, p)| (*f, p.to_string()))
        } else if file.name() == "manage.py" {
            django_project_without_manifest(facts, dir, &code.imports)
                .then(|| (Framework::Django, "django".to_string()))
        } else if code.starts_server {
            python_framework_imported(&code.imports)
                .or_else(|| python_local_module_framework(facts, dir, &code.imports))
        } else {
            None
        };
        if let Some((framework, package)) = framework {
            push(
                &mut apps,
                Ecosystem::Python,
                dir,
                id,
                framework,
                &package,
                normalized,
            );
            taken.insert((Ecosystem::Python, dir.to_string()));
        }
    }

    // Go: `main` packages outside every module.
    let go: Vec<FileId> = index
        .of_kind(FileKind::Source(crate::facts::code::Lang::CLike))
        .iter()
        .copied()
        .filter(|id| index.get(*id).name() == "main.go" && eligible(*id))
        .collect();
    facts.parse_ahead(&go);
    for id in go {
        let dir = index.get(id).dir();
        let in_module = index.find(&join(dir, "go.mod")).is_some()
            || index.find("go.mod").is_some()
            || crate::rules::folders::self_and_ancestors(dir)
                .any(|d| index.find(&join(d, "go.mod")).is_some());
        if in_module || inside_app(&taken, Ecosystem::Go, dir) {
            continue;
        }
        let Some(code) = facts.code(id) else { continue };
        if !code.mentions("package main") {
            continue;
        }
        let framework =
            stack::other_frameworks(Ecosystem::Go, |p| code.imports.iter().any(|(i, _)| i == p))
                .first()
                .map(|(f, p)| (*f, p.to_string()))
                .or_else(|| {
                    code.mentions("http server")
                        .then(|| (Framework::NetHttp, "net/http".to_string()))
                })
                .or_else(|| go_local_package_serves(facts, dir, &code.imports));
        if let Some((framework, package)) = framework {
            let imports = code.imports.iter().map(|(i, _)| i.clone()).collect();
            push(
                &mut apps,
                Ecosystem::Go,
                dir,
                id,
                framework,
                &package,
                imports,
            );
            taken.insert((Ecosystem::Go, dir.to_string()));
        }
    }

    // PHP without composer.json: a front controller that Apache routes
    // every request to (an `.htaccess` with a `RewriteRule` beside
    // `index.php` or `public/index.php`): a "mini" MVC app with its vendor
    // folder committed, or code older than Composer. An `.htaccess` that
    // only denies access (a WordPress plugin's folders) routes nothing.
    let php: Vec<FileId> = index
        .of_kind(FileKind::Source(crate::facts::code::Lang::Php))
        .iter()
        .copied()
        .filter(|id| index.get(*id).name() == "index.php" && eligible(*id))
        .collect();
    for id in php {
        let front = index.get(id).dir();
        let dir = front
            .strip_suffix("public")
            .filter(|d| d.is_empty() || d.ends_with('/'))
            .map_or(front, |d| d.trim_end_matches('/'));
        if index.find(&join(dir, "composer.json")).is_some()
            || inside_app(&taken, Ecosystem::Php, dir)
        {
            continue;
        }
        let rewrites = index
            .find(&join(front, ".htaccess"))
            .and_then(|h| facts.raw_text(h))
            .is_some_and(|text| {
                text.lines().any(|l| {
                    let l = l.trim_start();
                    !l.starts_with('#') && l.to_ascii_lowercase().starts_with("rewriterule")
                })
            });
        if rewrites {
            push(
                &mut apps,
                Ecosystem::Php,
                dir,
                id,
                Framework::PlainPhp,
                "php",
                Vec::new(),
            );
            taken.insert((Ecosystem::Php, dir.to_string()));
        }
    }

    // PHP scripts served as they are (no composer.json, no front
    // controller): a production image built on a PHP web server image
    // (`php:8-apache`, `php:8.3-fpm`, `…/php-nginx`) and, below its folder,
    // PHP files that answer requests (they read `$_GET`, `$_POST`,
    // `$_REQUEST`, `$_FILES` or `php://input`) — librespeed's
    // `backend/*.php` and `results/*.php`. The image is the evidence that
    // the repository is deployed as a PHP web app, not a plugin or a
    // theme; the app is the image's folder, found by its first endpoint.
    for id in index.of_kind(FileKind::Dockerfile) {
        let file = index.get(*id);
        if !eligible(*id) || crate::roles::dockerfile::is_dev_path(&file.rel) {
            continue;
        }
        // `docker/Dockerfile` builds the folder above.
        let dir = match file.dir().rsplit_once('/') {
            Some((parent, "docker" | ".docker")) => parent,
            None if matches!(file.dir(), "docker" | ".docker") => "",
            _ => file.dir(),
        };
        // A Composer project is the manifest's to decide (a library, or an
        // app found or ruled out by its `composer.json`).
        if inside_app(&taken, Ecosystem::Php, dir)
            || index.find(&join(dir, "composer.json")).is_some()
        {
            continue;
        }
        let serves_php = facts.dockerfile(*id).is_some_and(|d| {
            d.stages.iter().any(|st| {
                let image = st.image.to_ascii_lowercase();
                let (repo, tag) = image.rsplit_once(':').unwrap_or((image.as_str(), ""));
                let name = repo.rsplit('/').next().unwrap_or(repo);
                (name == "php" && (tag.contains("apache") || tag.contains("fpm")))
                    || (name.contains("php")
                        && ["apache", "fpm", "nginx"]
                            .iter()
                            .any(|w| name.contains(w) || tag.contains(w)))
            })
        });
        if !serves_php {
            continue;
        }
        let endpoint = index
            .of_kind(FileKind::Source(crate::facts::code::Lang::Php))
            .iter()
            .copied()
            .filter(|p| {
                eligible(*p)
                    && (dir.is_empty() || index.get(*p).rel.starts_with(&format!("{dir}/")))
            })
            .find(|p| {
                facts.raw_text_capped(*p, 1 << 20).is_some_and(|text| {
                    ["$_GET", "$_POST", "$_REQUEST", "$_FILES", "php://input"]
                        .iter()
                        .any(|n| text.contains(n))
                })
            });
        if let Some(entry) = endpoint {
            push(
                &mut apps,
                Ecosystem::Php,
                dir,
                entry,
                Framework::PlainPhp,
                "php",
                Vec::new(),
            );
            taken.insert((Ecosystem::Php, dir.to_string()));
        }
    }

    // Rails 2: no Gemfile, `config/environment.rb` runs the initializer.
    let ruby: Vec<FileId> = index
        .of_kind(FileKind::Source(crate::facts::code::Lang::Ruby))
        .iter()
        .copied()
        .filter(|id| {
            let f = index.get(*id);
            (f.rel == "config/environment.rb" || f.rel.ends_with("/config/environment.rb"))
                && eligible(*id)
        })
        .collect();
    for id in ruby {
        let config = index.get(id).dir();
        let dir = config
            .strip_suffix("config")
            .unwrap_or(config)
            .trim_end_matches('/');
        if index.find(&join(dir, "Gemfile")).is_some()
            || index.find(&join(dir, "config/routes.rb")).is_none()
            || inside_app(&taken, Ecosystem::Ruby, dir)
        {
            continue;
        }
        if facts
            .code(id)
            .is_some_and(|c| c.mentions("rails initializer"))
        {
            push(
                &mut apps,
                Ecosystem::Ruby,
                dir,
                id,
                Framework::Rails,
                "RAILS_GEM_VERSION",
                vec!["rails".to_string()],
            );
            taken.insert((Ecosystem::Ruby, dir.to_string()));
        }
    }
    apps
}

/// The web framework (or net/http's server) of a package of the GOPATH
/// project that its `main` imports: `main.go` often only calls
/// `server.Run()` or `app.Init()`, and the package it imports from the
/// project (`tiki_oauth/server`, `admin/app`) starts the server. An import
/// is the project's own when a folder under `dir` ends with its path and no
/// `vendor/` copy of it exists.
fn go_local_package_serves(
    facts: &Facts,
    dir: &str,
    imports: &[(String, u32)],
) -> Option<(Framework, String)> {
    let index = facts.index;
    for (path, _) in imports {
        if !path.contains('/')
            || !index
                .under(&join(dir, &format!("vendor/{path}")))
                .is_empty()
        {
            continue;
        }
        let segments: Vec<&str> = path.split('/').collect();
        // Longest suffix first: `tiki_oauth/server` is `server/` at the
        // project's root when the project itself is `tiki_oauth`.
        let folder = (0..segments.len()).find_map(|skip| {
            let rel = join(dir, &segments[skip..].join("/"));
            let files: Vec<FileId> = index
                .ids_under(&rel)
                .filter(|id| {
                    let f = index.get(*id);
                    f.dir() == rel
                        && f.name().ends_with(".go")
                        && !f.name().ends_with("_test.go")
                        && !f.rel.split('/').any(|p| matches!(p, "vendor" | "Godeps"))
                })
                .collect();
            (!files.is_empty()).then_some(files)
        });
        let Some(files) = folder else { continue };
        for id in files {
            let Some(code) = facts.code(id) else { continue };
            if let Some((f, p)) =
                stack::other_frameworks(Ecosystem::Go, |p| code.imports.iter().any(|(i, _)| i == p))
                    .first()
            {
                return Some((*f, p.to_string()));
            }
            if code.mentions("http server") {
                return Some((Framework::NetHttp, "net/http".to_string()));
            }
        }
    }
    None
}

/// The framework (or net/http's server) of a package of the Go module at
/// `dir`, named `module`, that its `main` package imports and that starts
/// the server: `main.go` holds only `controllers.StartMainServer()`.
fn go_module_package_serves(
    facts: &Facts,
    dir: &str,
    module: &str,
) -> Option<(Framework, &'static str)> {
    let index = facts.index;
    let prefix = format!("{module}/");
    let local: Vec<String> = go_entry_files(index, dir)
        .filter_map(|(id, _)| facts.code(id))
        .filter(|c| c.mentions("package main"))
        .flat_map(|c| c.imports.iter())
        .filter_map(|(path, _)| path.strip_prefix(&prefix).map(|rel| join(dir, rel)))
        .collect();
    for folder in local {
        let files = index.ids_under(&folder).filter(|id| {
            let f = index.get(*id);
            f.dir() == folder && f.name().ends_with(".go") && !f.name().ends_with("_test.go")
        });
        for id in files {
            let Some(code) = facts.code(id) else { continue };
            if let Some(found) =
                stack::other_frameworks(Ecosystem::Go, |p| code.imports.iter().any(|(i, _)| i == p))
                    .first()
            {
                return Some(*found);
            }
            if code.mentions("http server") {
                return Some((Framework::NetHttp, "module"));
            }
        }
    }
    None
}

/// The folder that holds the innermost `requirements/` folder of `dir`
/// ("" for the root), if `dir` is or lies in one.
fn folder_above_requirements(dir: &str) -> Option<&str> {
    let parts: Vec<&str> = dir.split('/').collect();
    let at = parts.iter().rposition(|p| *p == "requirements")?;
    let above = parts[..at].iter().map(|p| p.len() + 1).sum::<usize>();
    Some(dir[..above.saturating_sub(1)].trim_end_matches('/'))
}

/// The module's non-test Go files at its root or under `cmd/`, with their
/// paths inside the module.
pub(crate) fn go_entry_files<'a>(
    index: &'a Index,
    dir: &'a str,
) -> impl Iterator<Item = (FileId, &'a str)> + 'a {
    index.ids_under(dir).filter_map(move |id| {
        let f = index.get(id);
        let inner = f
            .rel
            .strip_prefix(dir)
            .unwrap_or(&f.rel)
            .trim_start_matches('/');
        let place = !inner.contains('/') || inner.starts_with("cmd/");
        (place && f.name().ends_with(".go") && !f.name().ends_with("_test.go"))
            .then_some((id, inner))
    })
}

/// Whether the module has a `main` package at its root or under `cmd/`.
fn go_has_main_package(index: &Index, facts: &Facts, dir: &str) -> bool {
    go_entry_files(index, dir)
        .any(|(id, _)| facts.code(id).is_some_and(|c| c.mentions("package main")))
}

/// Whether the module's `main` package (at its root or under `cmd/`)
/// starts net/http's server: in `main.go` or in another file of the same
/// package (`web.go` with `listenAndServe`, called from `main`).
fn go_main_serves_http(index: &Index, facts: &Facts, dir: &str) -> bool {
    go_entry_files(index, dir).any(|(id, _)| {
        facts
            .code(id)
            .is_some_and(|c| c.mentions("package main") && c.mentions("http server"))
    })
}

/// Whether a folder whose manifests bring a framework is an app rather than
/// a library or plugin for that framework.
fn runs_as_app(
    index: &Index,
    facts: &Facts,
    ecosystem: Ecosystem,
    framework: Framework,
    dir: &str,
    manifests: &[(FileId, &crate::facts::manifest::Manifest)],
) -> bool {
    let exists = |rel: &str| index.find(&join(dir, rel)).is_some();
    let any_under = |folder: &str, pred: &dyn Fn(&str) -> bool| {
        index.under(&join(dir, folder)).iter().any(|f| {
            let inner = f
                .rel
                .strip_prefix(dir)
                .unwrap_or(&f.rel)
                .trim_start_matches('/');
            !is_non_product_path(inner) && pred(f.name())
        })
    };
    match ecosystem {
        Ecosystem::Python => {
            let pinned = manifests.iter().any(|(id, _)| {
                matches!(
                    index.get(*id).kind,
                    Some(FileKind::Requirements | FileKind::Pipfile)
                )
            });
            // An entry module up to three folders down (`src/<pkg>/main.py`).
            let entry_point = index.under(dir).iter().any(|f| {
                let inner = f
                    .rel
                    .strip_prefix(dir)
                    .unwrap_or(&f.rel)
                    .trim_start_matches('/');
                inner.matches('/').count() <= 2
                    && matches!(
                        f.name(),
                        "main.py"
                            | "app.py"
                            | "wsgi.py"
                            | "asgi.py"
                            | "server.py"
                            | "run.py"
                            | "manage.py"
                    )
                    && !is_non_product_path(inner)
            });
            // What only a deployed app has: an application server among
            // its production dependencies, or a container, platform or
            // `.flaskenv` beside the manifest (a factory app such as
            // `gunicorn "pkg:create_app()"` has no entry module).
            let served = manifests.iter().any(|(_, m)| {
                PYTHON_APP_SERVERS
                    .iter()
                    .any(|s| m.dependencies.get(*s).is_some_and(|d| !d.dev))
            }) || [".flaskenv", "Procfile", "Dockerfile"]
                .iter()
                .any(|name| exists(name));
            if framework == Framework::Django {
                // A reusable Django app (a library) has no manage.py.
                any_under("", &|name| name == "manage.py")
            } else if framework == Framework::Werkzeug {
                // Flask and most WSGI tools depend on Werkzeug; alone it
                // makes an app only when the project starts it.
                python_werkzeug_app(index, facts, dir, manifests)
            } else if matches!(framework, Framework::Tornado | Framework::Bottle) {
                // Both are also used as HTTP clients or helpers by scripts:
                // a module of the folder must import the framework and
                // start it.
                python_module_starts(index, facts, dir, framework.id())
            } else {
                pinned || entry_point || served
            }
        }
        Ecosystem::Ruby => match framework {
            Framework::Rails => exists("config/application.rb"),
            _ => exists("config.ru") || exists("app.rb"),
        },
        Ecosystem::Php => {
            !manifests.iter().any(|(_, m)| m.declares_library)
                && match framework {
                    Framework::Laravel => exists("artisan"),
                    // `app/console` before Symfony 3.
                    Framework::Symfony => exists("bin/console") || exists("app/console"),
                    _ => exists("public/index.php") || exists("index.php"),
                }
        }
        Ecosystem::Java => {
            manifests
                .iter()
                .any(|(_, m)| m.executable == Some(true) || m.packaging_war)
                || any_under("src/main", &|name| {
                    name.ends_with("Application.java") || name.ends_with("Application.kt")
                })
        }
        Ecosystem::Go => go_has_main_package(index, facts, dir),
        Ecosystem::Rust => {
            !manifests
                .iter()
                .any(|(_, m)| m.is_workspace_root || m.has("tauri"))
                && !dir.split('/').any(|p| p == "src-tauri")
                && (exists("src/main.rs") || any_under("src/bin", &|name| name.ends_with(".rs")))
        }
        // Not a test project (`IsTestProject`, a test framework): a Web
        // SDK project, an executable, or one with a `Program.cs`.
        Ecosystem::Dotnet => {
            !manifests.iter().any(|(_, m)| m.executable == Some(false))
                && (manifests.iter().any(|(_, m)| m.executable == Some(true))
                    || exists("Program.cs"))
        }
        // A Phoenix app has an endpoint (`use Phoenix.Endpoint`) that serves
        // it; a library for Phoenix (a plug, a component kit) has none.
        Ecosystem::Elixir => {
            !manifests.iter().any(|(_, m)| m.is_workspace_root)
                && phoenix_endpoint(index, facts, dir)
        }
        Ecosystem::Node => false,
    }
}

/// Whether an Elixir project has a Phoenix endpoint: an `endpoint.ex`
/// under `lib/` or `web/` (Phoenix ≤1.2 kept it in `lib/<app>/`) that
/// uses `Phoenix.Endpoint`.
fn phoenix_endpoint(index: &Index, facts: &Facts, dir: &str) -> bool {
    ["lib", "web"].iter().any(|folder| {
        index.under(&join(dir, folder)).iter().any(|f| {
            f.name() == "endpoint.ex"
                && !f.test
                && index
                    .find(&f.rel)
                    .and_then(|id| facts.raw_text(id))
                    .is_some_and(|t| t.contains("Phoenix.Endpoint"))
        })
    })
}

/// A package that brings a framework only to extend it (a plugin, a UI kit
/// with `next` as a dependency) publishes an entry point and never runs the
/// framework itself.
fn looks_like_library(pkg: &PackageJson, framework: Framework) -> bool {
    (pkg.has_entry_point && pkg.publishes)
        || (pkg.has_entry_point && !runs_framework_itself(pkg, framework) && !has_start_script(pkg))
}

fn has_start_script(pkg: &PackageJson) -> bool {
    pkg.scripts.contains_key("start") || pkg.scripts.contains_key("serve")
}

/// Whether the package's own scripts run the framework (rather than
/// delegating to workspaces through turbo, nx, lerna or `pnpm -r`).
fn runs_framework_itself(pkg: &PackageJson, framework: Framework) -> bool {
    let cli = framework.cli();
    pkg.scripts.values().any(|script| {
        script
            .split(['&', '|', ';'])
            .any(|part| part.split_whitespace().next() == Some(cli))
    }) || (cli == "node" && has_start_script(pkg) && !delegates(pkg))
}

fn delegates(pkg: &PackageJson) -> bool {
    pkg.scripts.values().all(|s| {
        let s = s.trim_start();
        s.starts_with("turbo")
            || s.starts_with("nx ")
            || s.starts_with("lerna")
            || s.contains(" -r ")
            || s.contains("--filter")
            || s.contains("--workspace")
            || s.contains(" -w ")
    })
}

/// Resolves `rel` against the folder `dir` (both relative to the root),
/// folding `.` and `..`. `None` when the result would leave the root.
pub fn resolve(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect()
    };
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(resolve("", "./apps/web").as_deref(), Some("apps/web"));
        assert_eq!(
            resolve("docker", "../apps/web/").as_deref(),
            Some("apps/web")
        );
        assert_eq!(resolve("", ".").as_deref(), Some(""));
        assert_eq!(resolve("", ".."), None);
    }

    #[test]
    fn requirements_folders_belong_to_the_folder_above() {
        assert_eq!(folder_above_requirements("requirements"), Some(""));
        assert_eq!(folder_above_requirements("requirements/python"), Some(""));
        assert_eq!(
            folder_above_requirements("backend/requirements/prod"),
            Some("backend")
        );
        assert_eq!(folder_above_requirements("backend"), None);
    }
}
