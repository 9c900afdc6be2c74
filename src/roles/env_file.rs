//! What a real env file (`.env`, `.env.production`, `ci/base.env`) is for:
//! the deployment's configuration, a developer's, or a test's or CI's.
//! `committed-env-file` reads it: secrets in a production file are
//! critical, a development file only reports credentials in a known
//! format (a live Stripe key is a leak wherever it sits), a test or CI
//! file is not reported.
//!
//! In this order:
//! 1. a non-product folder, or a test/CI word in the name (`.env.test`,
//!    `.env.ci`) or a CI/test folder (`ci/`, `.github/`, `e2e/`) → test or
//!    CI;
//! 2. a leading comment that calls it a template → template;
//! 3. a development word (`.env.dev`, `.env.development`), `.devcontainer/`,
//!    or — the file-role model's compose judgement — only development,
//!    test or CI compose files load it (`env_file:` of a service in
//!    `docker-compose.override.yml`) → development;
//! 4. a value that points the app at this machine (`DB_HOST=localhost`) →
//!    development;
//! 5. otherwise production.

use std::collections::HashMap;

use yaml_rust2::Yaml;

use super::{FileRole, Role};
use crate::facts::compose::ComposeRole;
use crate::facts::EnvFile;
use crate::index::{FileId, FileKind};
use crate::rules::RepoContext;

/// Name words of env files for tests and CI: never the deployment's.
/// A CI service's name is a CI word (`.env.travis`: the variables of the
/// pipeline's test run). Names that are also products an app talks to
/// (`github`, `gitlab`, `drone`) are not: `.env.github` may hold the
/// deployment's OAuth secrets.
const TEST_ENV_WORDS: &[&str] = &[
    "appveyor",
    "buildkite",
    "ci",
    "circleci",
    "jenkins",
    "travis",
    "cypress",
    "e2e",
    "example",
    "fake",
    "mock",
    "playwright",
    "sample",
    "spec",
    "storybook",
    "template",
    "test",
    "testing",
    "tests",
];

const DEV_ENV_WORDS: &[&str] = &["dev", "development", "devcontainer"];

/// Folders of CI and test set-ups (`ci/base.env`, passed to the test run
/// with `--env-file`: the pipeline's throw-away services).
const TEST_ENV_FOLDERS: &[&str] = &[
    "ci",
    ".github",
    ".circleci",
    ".gitlab",
    ".buildkite",
    "e2e",
    "cypress",
    "playwright",
];

/// The env files compose files load (`env_file:`), with the compose files
/// that load each and whether each may be a deployment (`false` for a
/// compose file whose name, folder or header says development). Read once
/// per audit from the compose judgements.
pub fn loaded_by_compose(
    cx: &RepoContext,
    compose: &HashMap<FileId, super::compose::Judgement>,
) -> HashMap<String, Vec<(FileId, bool)>> {
    let mut out: HashMap<String, Vec<(FileId, bool)>> = HashMap::new();
    for id in cx.index.of_kind(FileKind::Compose) {
        let Some(parsed) = cx.facts.compose(*id) else {
            continue;
        };
        // Development by its name, folder or header (`docker-compose.override.yml`,
        // `develop.yml`): the weaker "no service is kept running" is not
        // enough to call the env files it loads a developer's.
        let deploys = !compose
            .get(id)
            .is_some_and(|j| j.compose_role == ComposeRole::Development);
        let dir = cx.index.get(*id).dir();
        for service in &parsed.services {
            for path in env_file_paths(&service.raw) {
                if let Some(rel) = crate::apps::resolve(dir, &path) {
                    let users = out.entry(rel).or_default();
                    if !users.iter().any(|(u, _)| u == id) {
                        users.push((*id, deploys));
                    }
                }
            }
        }
    }
    out
}

/// The paths of a service's `env_file:` (a string, a list of strings, or
/// a list of `{path: …}`).
fn env_file_paths(service: &Yaml) -> Vec<String> {
    match &service["env_file"] {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Yaml::String(s) => Some(s.clone()),
                Yaml::Hash(_) => i["path"].as_str().map(str::to_string),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the file's leading comments call it a template to copy
/// ("This file is a template… Copy this file to .env and change the
/// values"): its values are defaults to replace, not the deployment's.
pub fn says_template(text: &str) -> bool {
    text.lines()
        .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        .take(30)
        .map(str::to_ascii_lowercase)
        .any(|l| {
            l.contains("template")
                || l.contains("copy this file")
                || l.contains("copy to .env")
                || l.contains("example")
                || l.contains("sample")
        })
}

fn points_at_localhost(env: &EnvFile) -> Option<String> {
    env.vars.iter().find_map(|v| {
        let name = v.name.to_ascii_uppercase();
        let value = v.value.to_ascii_lowercase();
        ((name.ends_with("HOST") || name.ends_with("HOSTNAME") || name.ends_with("URL"))
            && (value == "localhost"
                || value == "127.0.0.1"
                || value.contains("://localhost")
                || value.contains("@localhost")
                || value.contains("://127.0.0.1")
                || value.contains("@127.0.0.1")))
        .then(|| format!("`{}` (line {}) points at this machine", v.name, v.line))
    })
}

/// Judges one env file. `text` is its content when it could be read;
/// `loaded` what `loaded_by_compose` says of it.
pub fn judge(
    cx: &RepoContext,
    rel: &str,
    env: &EnvFile,
    text: Option<&str>,
    loaded: Option<&Vec<(FileId, bool)>>,
) -> FileRole {
    if let Some(role) = super::path_role(rel) {
        return role;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let words: Vec<&str> = name
        .split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(w) = words.iter().find(|w| TEST_ENV_WORDS.contains(w)) {
        let role = match *w {
            "appveyor" | "buildkite" | "ci" | "circleci" | "jenkins" | "travis" => Role::Ci,
            "example" | "sample" | "template" => Role::Template,
            "storybook" => Role::Tooling,
            _ => Role::Test,
        };
        return FileRole::new(role, format!("its name says `{w}`"));
    }
    let dirs = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    if let Some(folder) = dirs
        .split('/')
        .find(|p| TEST_ENV_FOLDERS.contains(&p.to_ascii_lowercase().as_str()))
    {
        return FileRole::new(
            Role::Ci,
            format!("it is in the folder `{folder}/` of a CI or test set-up"),
        );
    }
    if text.is_some_and(says_template) {
        return FileRole::new(
            Role::Template,
            "its leading comments call it a template or example to copy",
        );
    }
    if rel.split('/').any(|p| p == ".devcontainer") {
        return FileRole::new(Role::Development, "it is in `.devcontainer/`");
    }
    if let Some(w) = words.iter().find(|w| DEV_ENV_WORDS.contains(w)) {
        return FileRole::new(Role::Development, format!("its name says `{w}`"));
    }
    if let Some(users) = loaded.filter(|u| !u.is_empty() && u.iter().all(|(_, deploys)| !deploys)) {
        let list: Vec<&str> = users.iter().map(|(u, _)| cx.rel(*u)).collect();
        return FileRole::new(
            Role::Development,
            format!(
                "only development compose files load it (`env_file:` in {})",
                list.join(", ")
            ),
        );
    }
    if let Some(why) = points_at_localhost(env) {
        return FileRole::new(
            Role::Development,
            format!("a developer's local configuration: {why}"),
        );
    }
    let mut role = FileRole::new(
        Role::Production,
        "a real env file that nothing marks as a test's, CI's or developer's",
    );
    if let Some(users) = loaded {
        for (u, _) in users.iter().filter(|(_, deploys)| *deploys) {
            role = role.because(format!("the compose file {} loads it", cx.rel(*u)));
        }
    }
    role
}
