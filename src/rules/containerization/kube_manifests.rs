//! What the Kubernetes rules share: the repository's manifests read as one
//! set, with the copies of a workload (a base and its overlays, a plain
//! manifest and a Kustomize base) grouped by kind and name.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::facts::kubernetes::{Container, Object, Workload};
use crate::index::{FileId, FileKind};
use crate::rules::RepoContext;

/// One definition of a workload in one file.
#[derive(Clone, Copy)]
pub struct Definition<'a> {
    pub file: FileId,
    pub rel: &'a str,
    pub object: &'a Object,
    pub workload: &'a Workload,
}

/// A workload's definitions across the repository, with one container's
/// copies: `full` are complete containers (with an image), `all` includes
/// the partial ones of patches.
pub struct Subject<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub container: &'a str,
    /// Complete definitions: (definition, its container).
    pub full: Vec<(Definition<'a>, &'a Container)>,
    /// Every copy of the container, patches included.
    pub all: Vec<&'a Container>,
    /// Every definition of the workload, patches included.
    pub definitions: Vec<Definition<'a>>,
}

impl<'a> Subject<'a> {
    /// Evidence: the container's line in each complete definition.
    pub fn container_locations(&self) -> Vec<crate::finding::Location> {
        self.full
            .iter()
            .map(|(d, c)| crate::finding::Location::new(d.rel, c.line))
            .collect()
    }

    pub fn any_container(&self, f: impl Fn(&Container) -> bool) -> bool {
        self.all.iter().any(|c| f(c))
    }

    pub fn any_workload(&self, f: impl Fn(&Workload) -> bool) -> bool {
        self.definitions.iter().any(|d| f(d.workload))
    }

    /// The first complete definition, for the message.
    pub fn first(&self) -> (Definition<'a>, &'a Container) {
        self.full[0]
    }
}

/// Service selectors (label pairs) by one of their labels.
type SelectorsByLabel<'a> = HashMap<(&'a str, &'a str), Vec<&'a [(String, String)]>>;

pub struct Manifests<'a> {
    pub definitions: Vec<Definition<'a>>,
    pub objects: Vec<(&'a str, &'a Object)>,
    /// The (kind, name) of every workload an autoscaler targets.
    scale_targets: std::collections::HashSet<(&'a str, &'a str)>,
    /// The non-empty selectors of the Services, by their first label: a
    /// workload is behind a Service when one of its pod labels starts a
    /// selector that all its labels satisfy. Looked up, because a scan
    /// of every object per workload grew with the square of the number of
    /// services.
    selectors_by_first_label: SelectorsByLabel<'a>,
}

pub use crate::roles::kubernetes::is_dev_path;

pub fn manifests<'a>(cx: &'a RepoContext<'a>) -> Manifests<'a> {
    let mut definitions = Vec::new();
    let mut objects = Vec::new();
    let roles = cx.file_roles();
    for id in cx.index.of_kind(FileKind::KubernetesCandidate) {
        let rel = cx.rel(*id);
        // A development or test cluster's manifests, or those only a
        // development loop (`skaffold dev`, Tilt) deploys: the file-role
        // model decides, the same answer `explain --files` shows.
        if roles.kubernetes_not_deployed(rel).is_some() {
            continue;
        }
        let Some(file) = cx.facts.kubernetes(*id) else {
            continue;
        };
        for object in &file.objects {
            objects.push((rel, object));
            if let Some(workload) = &object.workload {
                definitions.push(Definition {
                    file: *id,
                    rel,
                    object,
                    workload,
                });
            }
        }
    }
    let mut scale_targets = std::collections::HashSet::new();
    let mut selectors_by_first_label: SelectorsByLabel = HashMap::new();
    for (_, object) in &objects {
        if let Some(t) = &object.scales {
            scale_targets.insert((t.kind.as_str(), t.name.as_str()));
        }
        if let Some(service) = &object.service {
            if let Some((k, v)) = service.selector.first() {
                selectors_by_first_label
                    .entry((k.as_str(), v.as_str()))
                    .or_default()
                    .push(&service.selector);
            }
        }
    }
    Manifests {
        definitions,
        objects,
        scale_targets,
        selectors_by_first_label,
    }
}

impl<'a> Manifests<'a> {
    /// Every container of the workloads of the given kinds, grouped by
    /// (kind, workload name, container name); only groups with at least one
    /// complete definition (a container with an image).
    pub fn subjects(&self, kinds: &[&str]) -> Vec<Subject<'a>> {
        let mut groups: BTreeMap<(&str, &str), Vec<Definition<'a>>> = BTreeMap::new();
        for d in &self.definitions {
            if !kinds.contains(&d.object.kind.as_str()) {
                continue;
            }
            let Some(name) = d.object.name.as_deref() else {
                continue;
            };
            groups.entry((&d.object.kind, name)).or_default().push(*d);
        }
        let mut out = Vec::new();
        for ((kind, name), defs) in groups {
            let mut containers: Vec<&str> = defs
                .iter()
                .flat_map(|d| d.workload.containers.iter().map(|c| c.name.as_str()))
                .collect();
            containers.sort();
            containers.dedup();
            for container in containers {
                let full: Vec<(Definition<'a>, &'a Container)> = defs
                    .iter()
                    .flat_map(|d| {
                        d.workload
                            .containers
                            .iter()
                            .filter(|c| c.name == container && c.image.is_some())
                            .map(move |c| (*d, c))
                    })
                    .collect();
                if full.is_empty() {
                    continue;
                }
                let all = defs
                    .iter()
                    .flat_map(|d| d.workload.containers.iter().filter(|c| c.name == container))
                    .collect();
                out.push(Subject {
                    kind,
                    name,
                    container,
                    full,
                    all,
                    definitions: defs.clone(),
                });
            }
        }
        out
    }

    /// Whether a Service selects the workload's pods (its selector is a
    /// subset of the pod labels).
    pub fn behind_service(&self, subject: &Subject) -> bool {
        subject.definitions.iter().any(|d| {
            let labels = &d.workload.pod_labels;
            labels.iter().any(|(k, v)| {
                self.selectors_by_first_label
                    .get(&(k.as_str(), v.as_str()))
                    .is_some_and(|selectors| {
                        selectors
                            .iter()
                            .any(|selector| selector.iter().all(|pair| labels.contains(pair)))
                    })
            })
        })
    }

    /// Whether an autoscaler (HPA, KEDA ScaledObject) targets the workload.
    pub fn autoscaled(&self, subject: &Subject) -> bool {
        self.scale_targets.contains(&(subject.kind, subject.name))
    }

    /// Whether a LimitRange gives containers a default memory limit.
    pub fn default_memory_limit(&self) -> bool {
        self.objects.iter().any(|(_, o)| o.default_memory_limit)
    }
}

/// Images that run beside the app (proxies, exporters, meshes): they are
/// not the service the pod exists for.
pub fn is_sidecar_image(image: &str) -> bool {
    let (repo, _) = crate::facts::images::parse_image(image);
    [
        "cloud-sql-proxy",
        "cloudsql-docker/gce-proxy",
        "istio/proxyv2",
        "envoyproxy/envoy",
        "linkerd",
        "oauth2-proxy",
        "fluent-bit",
        "fluentd",
    ]
    .iter()
    .any(|s| repo.contains(s))
        || repo.contains("exporter")
}

/// Third-party monitoring, logging and tracing images.
pub fn is_monitoring_image(image: &str) -> bool {
    let (repo, _) = crate::facts::images::parse_image(image);
    [
        "alertmanager",
        "fluent",
        "grafana",
        "heapster",
        "influxdb",
        "jaeger",
        "kibana",
        "kube-state-metrics",
        "loki",
        "opentelemetry-collector",
        "prometheus",
        "zipkin",
    ]
    .iter()
    .any(|s| repo.contains(s))
}

/// Third-party infrastructure (monitoring, sidecars, backing services):
/// not the service the project ships.
pub fn is_infrastructure_image(image: &str) -> bool {
    is_sidecar_image(image)
        || is_monitoring_image(image)
        || crate::facts::images::backing_service(image).is_some()
}

/// The app a workload runs. First the app whose folder holds the manifest;
/// in a repository of several apps the manifests usually live in a shared
/// `k8s/` folder, so then the one app the container's image is built from
/// (a compose service that builds that image, in any compose file of the
/// repository, or a `docker build` in CI that tags it), else the one app the workload's own names spell: its name,
/// the container's, its `app` / `app.kubernetes.io/name` / `…/component`
/// labels and the image's last path segment, read as words (`karakeep-web`,
/// `web-deployment`, `examplevotingapp_vote` all name `apps/web` or `vote`).
/// An exact name beats one that holds the app's among other words (or is held in it); a tie
/// between apps is no answer. Backing services and third-party images are
/// no app of the project. Last, a repository of one app whose manifests run
/// one image of their own (a web and a worker Deployment of it) runs that
/// app: the image is the app's even when nothing names it.
pub fn app_of<'a>(
    cx: &'a RepoContext,
    manifests: &Manifests,
    subject: &Subject,
) -> Option<&'a crate::apps::App> {
    let (def, container) = subject.first();
    if let Some(app) = super::compose_files::app_of(cx, def.rel) {
        return Some(app);
    }
    let image = container.image.as_deref()?;
    if is_infrastructure_image(image) {
        return None;
    }
    if let Some(app) = app_built_as(cx, image) {
        return Some(app);
    }
    let mut names: Vec<&str> = vec![subject.name, subject.container];
    for d in &subject.definitions {
        for (k, v) in &d.workload.pod_labels {
            if matches!(
                k.as_str(),
                "app"
                    | "component"
                    | "service"
                    | "app.kubernetes.io/name"
                    | "app.kubernetes.io/component"
            ) {
                names.push(v);
            }
        }
    }
    let (repo, _) = crate::facts::images::parse_image(image);
    names.push(repo.rsplit('/').next().unwrap_or(&repo));
    if let Some(app) = app_named(cx, &names) {
        return Some(app);
    }
    let [only] = cx.apps else {
        return None;
    };
    let mut own = manifests.definitions.iter().flat_map(|d| {
        d.workload.containers.iter().filter_map(|c| {
            c.image
                .as_deref()
                .filter(|i| !is_infrastructure_image(i))
                .map(|i| crate::facts::images::parse_image(i).0)
        })
    });
    own.all(|i| i == repo).then_some(only)
}

/// The build contexts CI pipelines tag with an image named `last` (its last
/// path segment, tag aside): `docker build -t …/web:${{ github.sha }}
/// apps/web`, `docker buildx build --tag … apps/web`. The registry part is
/// usually an expression (`${{ env.REGISTRY }}`), so only the name is
/// compared.
///
/// Worked out once per audit for every name (each CI step is parsed once),
/// so that asking for the workloads of a thousand services does not parse
/// every CI step a thousand times.
fn ci_contexts(cx: &RepoContext, last: &str) -> Vec<String> {
    cx.memo("CI build contexts by image name", "", || {
        Arc::new(ci_contexts_by_name(cx))
    })
    .get(last)
    .cloned()
    .unwrap_or_default()
}

/// Every CI build's context by the last path segment of each image it tags.
fn ci_contexts_by_name(cx: &RepoContext) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for id in cx.index.of_kind(FileKind::CiConfig) {
        let Some(ci) = cx.facts.ci_pipeline(*id) else {
            continue;
        };
        for step in ci
            .steps
            .iter()
            .filter(|s| s.kind == crate::facts::ci::StepKind::Run)
        {
            // GitHub substitutes `${{ … }}` before the shell sees the
            // command; its spaces must not split the word.
            let mut text = step.text.clone();
            while let Some(at) = text.find("${{") {
                let Some(len) = text[at..].find("}}") else {
                    break;
                };
                text.replace_range(at..at + len + 2, "EXPR");
            }
            let Ok(script) = crate::facts::shell::ShellScript::parse_line(&text) else {
                continue;
            };
            for cmd in &script.commands {
                if !matches!(cmd.name.as_str(), "docker" | "podman") {
                    continue;
                }
                let args: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
                let builds = match args.first() {
                    Some(&"build") => 1,
                    Some(&"buildx") if args.get(1) == Some(&"build") => 2,
                    _ => continue,
                };
                let mut tags = Vec::new();
                let mut context = None;
                let mut i = builds;
                while i < args.len() {
                    let a = args[i];
                    if matches!(a, "-t" | "--tag") {
                        tags.extend(args.get(i + 1).copied());
                        i += 2;
                        continue;
                    }
                    if let Some(t) = a.strip_prefix("--tag=") {
                        tags.push(t);
                    } else if a.starts_with('-') {
                        // Flags with a value (`-f Dockerfile`, `--build-arg X=1`).
                        if !a.contains('=')
                            && matches!(
                                a,
                                "-f" | "--file"
                                    | "--build-arg"
                                    | "--target"
                                    | "--platform"
                                    | "--label"
                                    | "--secret"
                                    | "--cache-from"
                                    | "--cache-to"
                                    | "--output"
                                    | "-o"
                            )
                        {
                            i += 1;
                        }
                    } else {
                        context = Some(a);
                    }
                    i += 1;
                }
                let Some(c) = context.filter(|c| !c.contains('$')) else {
                    continue;
                };
                let mut names: Vec<String> = tags
                    .iter()
                    .filter_map(|t| {
                        let (repo, _) = crate::facts::images::parse_image(t);
                        repo.rsplit('/').next().map(str::to_string)
                    })
                    .collect();
                // One context per build and name, as the search by name found it.
                names.sort_unstable();
                names.dedup();
                for name in names {
                    out.entry(name).or_default().push(c.to_string());
                }
            }
        }
    }
    out
}

/// The one app whose folder is the build context of a compose service that
/// tags its build with `image` (tag and registry aside), or of a CI build
/// that tags an image of the same name.
fn app_built_as<'a>(cx: &'a RepoContext, image: &str) -> Option<&'a crate::apps::App> {
    let (want, _) = crate::facts::images::parse_image(image);
    let mut found: Option<&crate::apps::App> = None;
    let last = want.rsplit('/').next().unwrap_or(&want);
    for context in ci_contexts(cx, last) {
        let Some(context) = crate::apps::resolve("", &context) else {
            continue;
        };
        if let Some(app) = app_in_folder(cx, &context) {
            match found {
                Some(f) if f.path != app.path => return None,
                _ => found = Some(app),
            }
        }
    }
    let built = cx.memo("compose builds by image", "", || {
        Arc::new(compose_builds(cx))
    });
    for &app in built.get(want.as_str()).into_iter().flatten() {
        let app = &cx.apps[app];
        match found {
            Some(f) if f.path != app.path => return None,
            _ => found = Some(app),
        }
    }
    found
}

/// The apps compose services build, by the image repository they tag
/// (`image:` beside `build:`), worked out once per audit.
fn compose_builds(cx: &RepoContext) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for id in cx.index.of_kind(FileKind::Compose) {
        let Some(compose) = cx.facts.compose(*id) else {
            continue;
        };
        let dir = cx.index.get(*id).dir();
        for s in &compose.services {
            let (Some(built), Some(context)) = (s.image.as_deref(), s.build_context.as_deref())
            else {
                continue;
            };
            let Some(context) = crate::apps::resolve(dir, context) else {
                continue;
            };
            let Some(app) = apps_by_folder(cx).get(context.as_str()).copied() else {
                continue;
            };
            let (repo, _) = crate::facts::images::parse_image(built);
            out.entry(repo.to_string()).or_default().push(app);
        }
    }
    out
}

/// The first app (in the apps' order) whose folder each folder is.
fn apps_by_folder(cx: &RepoContext) -> Arc<HashMap<String, usize>> {
    cx.memo("apps by folder", "", || {
        let mut by_folder: HashMap<String, usize> = HashMap::new();
        for (i, app) in cx.apps.iter().enumerate() {
            by_folder.entry(app.dir().to_string()).or_insert(i);
        }
        Arc::new(by_folder)
    })
}

/// The app whose folder is `dir`.
fn app_in_folder<'a>(cx: &'a RepoContext, dir: &str) -> Option<&'a crate::apps::App> {
    apps_by_folder(cx).get(dir).map(|&i| &cx.apps[i])
}

/// Each app's identifiers (its folder's last segment, its package name's
/// last segment) as lower-case words, worked out once per audit.
fn app_idents(cx: &RepoContext) -> Arc<Vec<Vec<Vec<String>>>> {
    cx.memo("apps' identifiers as words", "", || {
        Arc::new(
            cx.apps
                .iter()
                .map(|app| {
                    let mut idents = vec![app.path.rsplit('/').next().unwrap_or("")];
                    if let Some(name) = &app.name {
                        idents.push(name.rsplit('/').next().unwrap_or(name));
                    }
                    idents
                        .into_iter()
                        .map(words)
                        .filter(|w| !w.is_empty())
                        .collect()
                })
                .collect(),
        )
    })
}

/// The apps by each word of their identifiers.
fn app_word_index(cx: &RepoContext) -> Arc<HashMap<String, Vec<usize>>> {
    cx.memo("apps by identifier word", "", || {
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, idents) in app_idents(cx).iter().enumerate() {
            for word in idents.iter().flatten() {
                let apps = by_word.entry(word.clone()).or_default();
                if apps.last() != Some(&i) {
                    apps.push(i);
                }
            }
        }
        Arc::new(by_word)
    })
}

fn words(s: &str) -> Vec<String> {
    s.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The one app that the best of `names` names (see [`app_of`]).
fn app_named<'a>(cx: &'a RepoContext, names: &[&str]) -> Option<&'a crate::apps::App> {
    let contains = |outer: &[String], inner: &[String]| {
        !inner.is_empty() && outer.windows(inner.len()).any(|w| w == inner)
    };
    let names: Vec<Vec<String>> = names.iter().map(|n| words(n)).collect();
    // Only apps that share a word with a name can score: they are looked
    // up by word, so a workload's question does not visit every app.
    let by_word = app_word_index(cx);
    let mut candidates: Vec<usize> = names
        .iter()
        .flatten()
        .filter_map(|w| by_word.get(w))
        .flatten()
        .copied()
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let all_idents = app_idents(cx);
    let mut best: Vec<(u8, &crate::apps::App)> = Vec::new();
    for i in candidates {
        let (app, idents) = (&cx.apps[i], &all_idents[i]);
        let mut score = 0u8;
        for ident in idents {
            for name in &names {
                if name == ident {
                    score = score.max(2);
                } else if contains(name, ident) || contains(ident, name) {
                    // `karakeep-web` for `web`, `backend` for `chat-backend`.
                    score = score.max(1);
                }
            }
        }
        if score > 0 {
            best.push((score, app));
        }
    }
    let top = best.iter().map(|(s, _)| *s).max()?;
    let mut winners = best.iter().filter(|(s, _)| *s == top);
    let (_, first) = winners.next()?;
    if winners.any(|(_, a)| a.path != first.path) {
        return None;
    }
    Some(first)
}
