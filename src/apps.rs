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
        format!("{dir}/{rel}")
    }
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
        if file.non_product
            || is_dev_harness_path(&file.rel)
            || pkg.name.as_deref().is_some_and(is_non_product_name)
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
        let found = stack::npm_frameworks(|p| pkg.has_dependency(p));
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
        if !deployed_itself && looks_like_library(pkg, frameworks[0]) {
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
    apps.sort_by(|a, b| a.path.cmp(&b.path).then(a.ecosystem.cmp(&b.ecosystem)));
    apps
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
    let mut apps = Vec::new();
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
        // A Go service on the standard library alone: `main` serves HTTP.
        if found.is_empty() && ecosystem == Ecosystem::Go && go_main_serves_http(index, facts, &dir)
        {
            found.push((Framework::NetHttp, "module"));
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
        let dependencies: BTreeSet<String> = manifests
            .iter()
            .flat_map(|(_, m)| m.dependencies.keys().cloned())
            .collect();
        let mut stacks: Vec<&'static str> = found.iter().map(|(f, _)| f.id()).collect();
        stacks.extend(stack::other_stacks(ecosystem, |p| dependencies.contains(p)));
        let name = manifests.iter().find_map(|(_, m)| m.name.clone());
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
    apps
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
fn go_entry_files<'a>(
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

/// Whether the module's `main.go` (at its root or under `cmd/`) starts
/// net/http's server.
fn go_main_serves_http(index: &Index, facts: &Facts, dir: &str) -> bool {
    go_entry_files(index, dir)
        .filter(|(_, inner)| inner.rsplit('/').next() == Some("main.go"))
        .any(|(id, _)| facts.code(id).is_some_and(|c| c.mentions("http server")))
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
            if framework == Framework::Django {
                // A reusable Django app (a library) has no manage.py.
                any_under("", &|name| name == "manage.py")
            } else {
                pinned || entry_point
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
            manifests.iter().any(|(_, m)| m.executable == Some(true))
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
        Ecosystem::Node => false,
    }
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
