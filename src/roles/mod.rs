//! One model of what each file is for (issue 14): production, development,
//! test, CI, tooling, template or dead, with the evidence for each decision
//! — what references the file (a compose `build:`, a CI job, a script, a
//! README), what it runs (`CMD`, `ENTRYPOINT`, a restart policy), what it
//! needs (a lockfile that exists).
//!
//! Two layers:
//! - `path`: what a path alone says (a test folder, an example, a
//!   `{{ template }}` folder). Below the index, which decides it once per
//!   file; the facts and the app discovery use it too.
//! - `FileRoles`: the Dockerfiles and compose files judged once per audit
//!   from the index, the facts and the apps (`RepoContext::file_roles`).
//!   Every rule that asks whether an image or a stack is the production one
//!   reads this model instead of deciding for itself, so a file is the
//!   same thing for every rule — and `seaworthy explain --files` shows
//!   the same decision with its evidence.
//!
//! The cost is linear in files: each Dockerfile and compose file is judged
//! once, CI files and scripts are read once for all the names asked about.

pub mod compose;
pub mod dockerfile;
pub mod env_file;
pub mod kubernetes;
pub mod path;
pub mod script;
pub mod source;

use std::collections::HashMap;

use crate::index::{FileId, FileKind, Index};
use crate::rules::RepoContext;

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Runs (or builds what runs) where the project is deployed.
    Production,
    /// A developer's local stack, dev container or dev image.
    Development,
    /// Tests, fixtures, mocks, end-to-end setups.
    Test,
    /// What a CI pipeline runs or brings up.
    Ci,
    /// Helper images and scripts, benchmarks, docs sites, packaging.
    Tooling,
    /// Examples, samples, templates: meant to be copied and adapted.
    Template,
    /// Nothing builds or runs it, and it could not work as it is.
    Dead,
    /// Nothing says; rules treat it as they did before the model (a compose
    /// file that keeps none of the project's services running is not a
    /// deployment, a Dockerfile nothing rules out is an image).
    Undecided,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Production => "production",
            Role::Development => "development",
            Role::Test => "test",
            Role::Ci => "ci",
            Role::Tooling => "tooling",
            Role::Template => "template",
            Role::Dead => "dead",
            Role::Undecided => "undecided",
        }
    }
}

/// A file's role and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRole {
    pub role: Role,
    /// One sentence a piece, the deciding one first.
    pub evidence: Vec<String>,
}

impl FileRole {
    pub fn new(role: Role, why: impl Into<String>) -> FileRole {
        FileRole {
            role,
            evidence: vec![why.into()],
        }
    }

    pub fn because(mut self, why: impl Into<String>) -> FileRole {
        self.evidence.push(why.into());
        self
    }
}

/// The role a non-product word names (`examples` → template, `e2e` →
/// test, `bench` → tooling). The words are those of
/// `path::NON_PRODUCT_WORDS` and of the Dockerfile and compose dev words.
pub fn role_of_word(word: &str) -> Role {
    let lower = word.to_ascii_lowercase();
    let w = lower.trim_start_matches('.');
    if w.ends_with("test") || w.ends_with("tests") {
        return Role::Test;
    }
    match w {
        "__fixtures__" | "__tests__" | "e2e" | "fixture" | "fixtures" | "fake" | "mock"
        | "mocks" | "stub" | "stubs" | "dummy" | "testing" | "integration" | "integrationtest"
        | "testfixtures" | "it" | "playwright" | "cypress" | "conftest" => Role::Test,
        "ci" | "github" | "circleci" | "gitlab" => Role::Ci,
        "bench" | "benchmark" | "benchmarks" | "doc" | "docs" | "documentation" | "scripts"
        | "script" | "tools" | "tooling" | "hack" | "loadtest" | "perf" | "fuzz" | "packaging" => {
            Role::Tooling
        }
        "example" | "examples" | "sample" | "samples" | "template" | "templates" | "demo"
        | "demos" => Role::Template,
        _ => Role::Development,
    }
}

/// The role a folder that `path::non_product_folder` found names.
pub fn role_of_folder(folder: &str) -> Role {
    if folder.contains("{{") || folder.contains("{%") {
        return Role::Template;
    }
    let lower = folder.to_ascii_lowercase();
    if path::is_non_product_word(&lower) {
        // The word of the folder name that is listed decides.
        let listed = std::iter::once(lower.as_str())
            .chain(lower.split(['-', '_', '.', '@']))
            .find(|w| path::is_non_product_word(w));
        return role_of_word(listed.unwrap_or(&lower));
    }
    role_of_word(&lower)
}

/// What the path alone says about a file of any kind, if anything.
pub fn path_role(rel: &str) -> Option<FileRole> {
    if let Some(folder) = path::non_product_folder(rel) {
        return Some(FileRole::new(
            role_of_folder(folder),
            format!("it is in the folder `{folder}/`, which holds no product code"),
        ));
    }
    if path::is_test_file(rel) {
        return Some(FileRole::new(Role::Test, "its name says it is a test"));
    }
    None
}

/// The Dockerfiles and compose files of the repository, judged once.
#[derive(Debug, Default)]
pub struct FileRoles {
    dockerfiles: HashMap<FileId, dockerfile::Judgement>,
    compose: HashMap<FileId, compose::Judgement>,
    /// Shell scripts, judged when first asked (only `explain` asks: no
    /// rule pays for reading the CI files for script names).
    scripts: std::sync::OnceLock<HashMap<FileId, FileRole>>,
    /// Env files compose services load (`env_file:`), by path, with each
    /// loading compose file and whether it is a deployment.
    env_loaded: HashMap<String, Vec<(FileId, bool)>>,
    /// Kubernetes manifests only a development loop deploys (Skaffold's
    /// `skaffold dev`, a Tiltfile).
    kube_dev_loops: kubernetes::DevLoops,
}

impl FileRoles {
    /// Judges every Dockerfile and compose file of the audit.
    pub fn build(cx: &RepoContext) -> FileRoles {
        let compose = compose::judge_all(cx);
        let dockerfiles = dockerfile::judge_all(cx, &compose);
        let env_loaded = env_file::loaded_by_compose(cx, &compose);
        FileRoles {
            dockerfiles,
            compose,
            scripts: std::sync::OnceLock::new(),
            env_loaded,
            kube_dev_loops: kubernetes::dev_loops(cx),
        }
    }

    pub fn dockerfile(&self, id: FileId) -> Option<&dockerfile::Judgement> {
        self.dockerfiles.get(&id)
    }

    pub fn compose(&self, id: FileId) -> Option<&compose::Judgement> {
        self.compose.get(&id)
    }

    /// Why a Kubernetes manifest is not the deployment — a development or
    /// test cluster's path, or only a development loop deploys it —
    /// `None` for the deployment's manifests. Every Kubernetes rule asks
    /// this (`kube_manifests::manifests`).
    pub fn kubernetes_not_deployed(&self, rel: &str) -> Option<FileRole> {
        kubernetes::path_role(rel).or_else(|| self.kube_dev_loops.role_of(rel).cloned())
    }

    /// What a real env file is for (`roles::env_file`); `text` is its
    /// content when read (a template header decides too).
    pub fn env_file_role(
        &self,
        cx: &RepoContext,
        rel: &str,
        env: &crate::facts::EnvFile,
        text: Option<&str>,
    ) -> FileRole {
        env_file::judge(cx, rel, env, text, self.env_loaded.get(rel))
    }

    /// The role of any file: the judgement of a Dockerfile or compose
    /// file; for a Kubernetes manifest, what its path says (the rules
    /// read the others as the deployment); for other files what their kind
    /// and path say.
    pub fn of(&self, cx: &RepoContext, id: FileId) -> FileRole {
        if let Some(j) = self.dockerfiles.get(&id) {
            return j.role.clone();
        }
        if let Some(j) = self.compose.get(&id) {
            return j.role.clone();
        }
        let index = cx.index;
        let file = index.get(id);
        if file.kind == Some(FileKind::KubernetesCandidate) {
            if let Some(role) = self.kubernetes_not_deployed(&file.rel) {
                return role;
            }
            return if cx.facts.is_kubernetes_manifest(id) {
                FileRole::new(
                    Role::Production,
                    "a Kubernetes manifest outside development and test paths: read as the \
                     cluster's deployment",
                )
            } else {
                FileRole::new(
                    Role::Undecided,
                    "a YAML file in a manifest folder without `apiVersion` and `kind`: not a \
                     Kubernetes object",
                )
            };
        }
        if let Some(role) = path_role(&file.rel) {
            return role;
        }
        match file.kind {
            Some(FileKind::EnvFile) => {
                if let Some(env) = cx.facts.env_file(id) {
                    let text = crate::facts::text::read_text(&index.path(id), 1 << 20).ok();
                    return self.env_file_role(cx, &file.rel, env, text.as_deref());
                }
            }
            Some(FileKind::ShellScript) => {
                if let Some(role) = self.scripts.get_or_init(|| script::judge_all(cx)).get(&id) {
                    return role.clone();
                }
            }
            Some(
                FileKind::JsSource
                | FileKind::Source(_)
                | FileKind::OrmConfig
                | FileKind::FrameworkConfig,
            ) => return source::judge(&file.rel).file_role(),
            _ => {}
        }
        match file.kind {
            Some(FileKind::CiConfig) => {
                FileRole::new(Role::Ci, "it is a CI pipeline's configuration")
            }
            Some(FileKind::EnvExample) => FileRole::new(
                Role::Template,
                "it is an env template: copied to `.env` and filled in, not read as it is",
            ),
            _ => FileRole::new(
                Role::Undecided,
                "no rule asks what this kind of file is for; each reads it as it is",
            ),
        }
    }
}

/// Which of `names` each of the files `readers` mentions: every reader is
/// read once (up to 1 MiB), whatever the number of names. For "which CI
/// job or script names this compose file or Dockerfile".
pub fn mentions(
    index: &Index,
    readers: &[FileId],
    names: &[String],
) -> HashMap<String, Vec<FileId>> {
    let mut out: HashMap<String, Vec<FileId>> = HashMap::new();
    if names.is_empty() {
        return out;
    }
    let Ok(searcher) = aho_corasick::AhoCorasick::new(names) else {
        return out;
    };
    for id in readers {
        let Ok(text) = crate::facts::text::read_text(&index.path(*id), 1 << 20) else {
            continue;
        };
        let mut seen = vec![false; names.len()];
        for m in searcher.find_overlapping_iter(&text) {
            seen[m.pattern().as_usize()] = true;
        }
        for (i, hit) in seen.iter().enumerate() {
            if *hit {
                out.entry(names[i].clone()).or_default().push(*id);
            }
        }
    }
    out
}

/// One file as `seaworthy explain --files` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explained {
    pub path: String,
    /// What the index classified it as (`dockerfile`, `compose`, …);
    /// `None` for a file no rule reads.
    pub kind: Option<String>,
    /// `None` when the path is not in the audited tree (ignored, vendored
    /// or missing).
    pub role: Option<&'static str>,
    pub evidence: Vec<String>,
}

/// Kinds a folder given to `explain --files` stands for: the files whose
/// purpose decides what the deployment rules read.
const EXPLAINED_KINDS: &[FileKind] = &[
    FileKind::Dockerfile,
    FileKind::Compose,
    FileKind::EnvExample,
    FileKind::EnvFile,
    FileKind::CiConfig,
    FileKind::KubernetesCandidate,
    FileKind::ShellScript,
];

/// What each of `wanted` is for (see `audit::explain_files`).
pub fn explain(cx: &RepoContext, wanted: &[String]) -> Vec<Explained> {
    let index = cx.index;
    let roles = cx.file_roles();
    let shown = |id: FileId| {
        let file = index.get(id);
        let role = roles.of(cx, id);
        Explained {
            path: file.rel.clone(),
            kind: file.kind.map(kind_name),
            role: Some(role.role.as_str()),
            evidence: role.evidence,
        }
    };
    let mut out = Vec::new();
    for want in wanted {
        let rel = want.trim_start_matches("./").trim_end_matches('/');
        let rel = if rel == "." { "" } else { rel };
        if let Some(id) = index.find(rel) {
            out.push(shown(id));
            continue;
        }
        let before = out.len();
        for id in index.ids_under(rel) {
            if index
                .get(id)
                .kind
                .is_some_and(|k| EXPLAINED_KINDS.contains(&k))
            {
                out.push(shown(id));
            }
        }
        if out.len() == before {
            out.push(Explained {
                path: rel.to_string(),
                kind: None,
                role: None,
                evidence: vec![
                    "not in the audited tree (missing, ignored by .gitignore, vendored, \
                     or a folder without Dockerfiles, compose, env, CI or Kubernetes files)"
                        .to_string(),
                ],
            });
        }
    }
    out
}

/// `FileKind` as a kebab-case word (`EnvExample` → `env-example`).
fn kind_name(kind: FileKind) -> String {
    let debug = format!("{kind:?}");
    let mut out = String::new();
    for c in debug.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('(') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The text form of `explain --files`.
pub fn render_text(files: &[Explained]) -> String {
    let mut out = String::new();
    for f in files {
        let kind = f
            .kind
            .as_deref()
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        let role = f.role.unwrap_or("not audited");
        out.push_str(&format!("{}{kind}: {role}\n", f.path));
        for why in &f.evidence {
            out.push_str(&format!("  - {why}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_name_their_role() {
        assert_eq!(role_of_folder("examples"), Role::Template);
        assert_eq!(role_of_folder("e2e-tests"), Role::Test);
        assert_eq!(role_of_folder("bench"), Role::Tooling);
        assert_eq!(role_of_folder("playground-v6"), Role::Development);
        assert_eq!(role_of_folder("{{cookiecutter.name}}"), Role::Template);
    }

    #[test]
    fn paths_alone() {
        assert_eq!(
            path_role("examples/blog/Dockerfile").map(|r| r.role),
            Some(Role::Template)
        );
        assert_eq!(
            path_role("src/app.test.ts").map(|r| r.role),
            Some(Role::Test)
        );
        assert_eq!(path_role("apps/web/Dockerfile"), None);
    }
}
