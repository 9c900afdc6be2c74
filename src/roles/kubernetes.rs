//! What a Kubernetes manifest is for: the manifests of a development or
//! test cluster (`k8s/dev/`, `kind-config.yaml`, `overlays/local/`) are
//! not the deployment; neither are the manifests only a development loop
//! deploys (Skaffold's `skaffold dev`, a Tiltfile); the others are.

use std::collections::HashMap;

use yaml_rust2::Yaml;

use super::{path, role_of_word, FileRole, Role};
use crate::index::{FileId, FileKind};
use crate::rules::RepoContext;

/// Words in a manifest's path that mark a development or test cluster.
const DEV_WORDS: &[&str] = &[
    "ci",
    "debug",
    "dev",
    "development",
    "e2e",
    "kind",
    "local",
    "minikube",
    "sandbox",
    "test",
    "testing",
    "tests",
];

/// What a manifest's path says, when it rules the deployment out.
pub fn path_role(rel: &str) -> Option<FileRole> {
    let lower = rel.to_ascii_lowercase();
    if let Some(word) = lower
        .split(['/', '.', '-', '_'])
        .find(|w| DEV_WORDS.contains(w))
    {
        let role = match role_of_word(word) {
            Role::Test | Role::Ci => role_of_word(word),
            _ => Role::Development,
        };
        return Some(FileRole::new(
            role,
            format!("its path says `{word}`: a development or test cluster"),
        ));
    }
    super::path_role(rel).filter(|_| path::is_non_product_path(rel))
}

/// Whether a manifest path is for a development or test cluster.
pub fn is_dev_path(rel: &str) -> bool {
    path_role(rel).is_some()
}

/// What a development-loop tool deploys: manifest paths (a file or a
/// folder, relative to the root) and why they are development.
#[derive(Debug, Default)]
pub struct DevLoops {
    paths: Vec<(String, FileRole)>,
}

impl DevLoops {
    /// The development role of a manifest a development loop deploys.
    pub fn role_of(&self, rel: &str) -> Option<&FileRole> {
        self.paths
            .iter()
            .find(|(p, _)| rel == p || rel.starts_with(&format!("{p}/")))
            .map(|(_, role)| role)
    }
}

/// One deploy pipeline of a Skaffold config: the top level or a profile.
#[derive(Debug, Default)]
struct Pipeline {
    /// Manifest paths it deploys (kustomize folders, kubectl manifests),
    /// relative to the config's folder; `None` when it inherits the top
    /// level's.
    deploys: Option<Vec<String>>,
    /// Dockerfiles its artifacts build from, relative to the config's folder.
    dockerfiles: Option<Vec<String>>,
}

fn strings(node: &Yaml) -> Vec<String> {
    match node {
        Yaml::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Yaml::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The manifest paths a Skaffold pipeline (`deploy:` of v1/v2, `manifests:`
/// of v3) names, `None` when it names none.
fn skaffold_deploys(node: &Yaml) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut named = false;
    for (section, kind) in [("deploy", "kustomize"), ("manifests", "kustomize")] {
        let k = &node[section][kind];
        if !k.is_badvalue() {
            named = true;
            out.extend(strings(&k["paths"]));
            if k["paths"].is_badvalue() {
                out.push(".".to_string());
            }
        }
    }
    for (section, key) in [("deploy", "kubectl"), ("manifests", "rawYaml")] {
        let node = &node[section][key];
        if node.is_badvalue() {
            continue;
        }
        named = true;
        let list = if key == "kubectl" {
            &node["manifests"]
        } else {
            node
        };
        out.extend(strings(list));
    }
    named.then_some(out)
}

fn skaffold_dockerfiles(node: &Yaml) -> Option<Vec<String>> {
    let artifacts = node["build"]["artifacts"].as_vec()?;
    let mut out = Vec::new();
    for a in artifacts {
        let context = a["context"].as_str().unwrap_or(".");
        for builder in ["docker", "kaniko"] {
            if a[builder].is_badvalue() {
                continue;
            }
            let file = a[builder]["dockerfile"].as_str().unwrap_or("Dockerfile");
            out.push(crate::apps::resolve(context, file).unwrap_or_else(|| file.to_string()));
        }
    }
    Some(out)
}

/// The folder a manifest path names: a glob's folder (`k8s/*.yaml` → `k8s`).
fn manifest_dir(dir: &str, path: &str) -> Option<String> {
    let cut = path
        .find(['*', '?', '['])
        .map(|i| path[..i].rsplit_once('/').map(|(d, _)| d).unwrap_or(""))
        .unwrap_or(path);
    crate::apps::resolve(dir, cut.trim_end_matches('/'))
}

/// The manifests only a development loop deploys: a Skaffold config whose
/// documented use is `skaffold dev` (named in a README, script, CI file or
/// task runner, and neither `skaffold run` nor `skaffold deploy` named
/// anywhere), or whose default pipeline builds its images only from
/// development Dockerfiles (`Dockerfile.dev`); and every path a Tiltfile
/// loads (`k8s_yaml`, `kustomize`): Tilt is a development loop by design.
/// A path that a CI file or a script also names is deployed by it, and
/// stays production. Reads only the Skaffold and Tilt files and, when one
/// exists, the READMEs, scripts, CI and task-runner files once.
pub fn dev_loops(cx: &RepoContext) -> DevLoops {
    let index = cx.index;
    let configs: Vec<FileId> = index
        .of_kind(FileKind::Deploy(crate::index::DeployKind::Skaffold))
        .to_vec();
    let tiltfiles: Vec<FileId> = index
        .ids_under("")
        .filter(|id| matches!(index.get(*id).name(), "Tiltfile" | "tiltfile"))
        .collect();
    if configs.is_empty() && tiltfiles.is_empty() {
        return DevLoops::default();
    }
    // Who runs what: `skaffold dev` / `skaffold run` in the documentation
    // and the runners, and the manifest folders named by CI or scripts.
    let docs: Vec<FileId> = index
        .of_kind(FileKind::Readme)
        .iter()
        .chain(index.of_kind(FileKind::CiConfig))
        .chain(index.of_kind(FileKind::ShellScript))
        .chain(index.of_kind(FileKind::TaskRunner))
        .chain(index.of_kind(FileKind::PackageJson))
        .copied()
        .collect();
    let verbs: Vec<String> = ["skaffold dev", "skaffold run", "skaffold deploy"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let said = super::mentions(index, &docs, &verbs);
    let runs = said.contains_key("skaffold run") || said.contains_key("skaffold deploy");
    let dev_named = said
        .get("skaffold dev")
        .and_then(|ids| ids.first())
        .map(|id| cx.rel(*id).to_string());

    let mut candidates: Vec<(String, FileRole)> = Vec::new();
    for id in &configs {
        if runs {
            break;
        }
        let rel = cx.rel(*id);
        let dir = index.get(*id).dir().to_string();
        let Ok(text) = crate::facts::text::read_text(&index.path(*id), 1 << 20) else {
            continue;
        };
        let Ok(docs) = crate::facts::yaml::load(&text) else {
            continue;
        };
        for doc in docs.iter().filter(|d| d["kind"].as_str() == Some("Config")) {
            let top = Pipeline {
                deploys: skaffold_deploys(doc),
                dockerfiles: skaffold_dockerfiles(doc),
            };
            let profiles: Vec<Pipeline> = doc["profiles"]
                .as_vec()
                .map(|ps| {
                    ps.iter()
                        .map(|p| Pipeline {
                            deploys: skaffold_deploys(p),
                            dockerfiles: skaffold_dockerfiles(p),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let dev_images = top.dockerfiles.as_ref().is_some_and(|files| {
                !files.is_empty()
                    && files
                        .iter()
                        .all(|f| super::dockerfile::is_dev_path(f.trim_start_matches("./")))
            });
            let why = match (&dev_named, dev_images) {
                (Some(doc), _) => format!(
                    "{rel} deploys it and the repository runs it only as `skaffold dev` \
                     ({doc}; no `skaffold run` or `skaffold deploy` anywhere): a development loop"
                ),
                (None, true) => format!(
                    "{rel} deploys it with images built from development Dockerfiles ({}): \
                     a development loop",
                    top.dockerfiles.as_deref().unwrap_or_default().join(", ")
                ),
                (None, false) => continue,
            };
            let all = std::iter::once(&top).chain(profiles.iter());
            for pipeline in all {
                let deploys = pipeline.deploys.as_ref().or(top.deploys.as_ref());
                for p in deploys.into_iter().flatten() {
                    if let Some(path) = manifest_dir(&dir, p) {
                        candidates.push((path, FileRole::new(Role::Development, why.clone())));
                    }
                }
            }
        }
    }
    for id in &tiltfiles {
        let rel = cx.rel(*id);
        let dir = index.get(*id).dir().to_string();
        let Ok(text) = crate::facts::text::read_text(&index.path(*id), 1 << 20) else {
            continue;
        };
        for path in tilt_paths(&text) {
            if let Some(path) = manifest_dir(&dir, &path) {
                candidates.push((
                    path,
                    FileRole::new(
                        Role::Development,
                        format!("{rel} loads it: Tilt is a development loop"),
                    ),
                ));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.cmp(&b.0));
    candidates.dedup_by(|a, b| a.0 == b.0);
    // A folder a CI job or a script names (`kubectl apply -k k8s/base`) is
    // deployed by it too.
    let runners: Vec<FileId> = index
        .of_kind(FileKind::CiConfig)
        .iter()
        .chain(index.of_kind(FileKind::ShellScript))
        .chain(index.of_kind(FileKind::TaskRunner))
        .copied()
        .collect();
    let names: Vec<String> = candidates
        .iter()
        .map(|(p, _)| p.clone())
        .filter(|p| !p.is_empty())
        .collect();
    let named: HashMap<String, Vec<FileId>> = super::mentions(index, &runners, &names);
    let paths = candidates
        .into_iter()
        .filter(|(p, _)| !p.is_empty() && !named.contains_key(p))
        .collect();
    DevLoops { paths }
}

/// The string arguments of a Tiltfile's `k8s_yaml(…)`, `kustomize(…)` and
/// `helm(…)` calls (a list or one string; the first argument of the last
/// two).
fn tilt_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for call in ["k8s_yaml(", "kustomize(", "helm("] {
        let mut rest = text;
        while let Some(at) = rest.find(call) {
            let preceded_by_word = rest[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            rest = &rest[at + call.len()..];
            if preceded_by_word {
                continue;
            }
            let end = rest.find(')').unwrap_or(rest.len());
            let args = &rest[..end];
            let first_only = call != "k8s_yaml(";
            for (i, part) in args.split(['"', '\'']).enumerate() {
                // Odd parts are inside quotes; `k8s_yaml(kustomize('x'))`
                // names `x` once.
                if i % 2 == 1 && !out.iter().any(|p| p == part) {
                    out.push(part.to_string());
                    if first_only {
                        break;
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_paths() {
        assert_eq!(
            path_role("k8s/overlays/dev/deployment.yaml").map(|r| r.role),
            Some(Role::Development)
        );
        assert_eq!(
            path_role("deploy/e2e/app.yaml").map(|r| r.role),
            Some(Role::Test)
        );
        assert!(is_dev_path("examples/k8s/app.yaml"));
        assert!(!is_dev_path("k8s/production/deployment.yaml"));
    }

    #[test]
    fn tilt_calls() {
        let text = "k8s_yaml(['k8s/app.yaml', \"k8s/db.yaml\"])\nk8s_yaml(kustomize('deploy/overlays/dev'))\nmy_k8s_yaml('x')\n";
        assert_eq!(
            tilt_paths(text),
            vec!["k8s/app.yaml", "k8s/db.yaml", "deploy/overlays/dev"]
        );
    }

    #[test]
    fn skaffold_pipelines() {
        let doc = &crate::facts::yaml::load(
            "build:\n  artifacts:\n  - image: a\n    docker:\n      dockerfile: Dockerfile.dev\ndeploy:\n  kustomize:\n    paths:\n    - k8s/base\n",
        )
        .expect("yaml")[0];
        assert_eq!(skaffold_deploys(doc), Some(vec!["k8s/base".to_string()]));
        assert_eq!(
            skaffold_dockerfiles(doc),
            Some(vec!["Dockerfile.dev".to_string()])
        );
        assert_eq!(manifest_dir("", "k8s/*.yaml").as_deref(), Some("k8s"));
    }
}
