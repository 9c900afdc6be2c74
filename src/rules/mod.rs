//! Step 5 of the pipeline: rules, each a pure function from facts to findings.
//!
//! One rule per file, under the category it reports in. The registry is the
//! plain list `ALL`; a test checks that names and codes are unique and every
//! rule has documentation.

pub mod containerization;
pub mod database;
pub mod observability;

use std::sync::OnceLock;

use crate::apps::App;
use crate::facts::Facts;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileId, FileKind, Index};

/// What a rule is, independent of any repository.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case name.
    pub name: &'static str,
    /// Stable short code.
    pub code: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub title: &'static str,
    pub wording: Wording,
    /// Markdown: what it checks, why it matters, examples, the fix.
    pub docs: &'static str,
}

pub enum Check {
    /// Runs once per app.
    App(fn(&AppContext) -> Vec<Finding>),
    /// Runs once for the whole repository.
    Repo(fn(&RepoContext) -> Vec<Finding>),
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

/// The catalog, in report order.
pub static ALL: &[&Rule] = &[
    &containerization::missing_container_config::RULE,
    &containerization::manual_server_deployment::RULE,
    &observability::apm_sdk_missing::RULE,
    &observability::missing_health_endpoint::RULE,
    &database::backups_not_offsite::RULE,
    &database::sqlite_in_production::RULE,
];

pub fn find(name_or_code: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.meta.name == name_or_code || r.meta.code.eq_ignore_ascii_case(name_or_code))
}

impl RuleMeta {
    /// A finding of this rule, with its default severity.
    pub fn finding(
        &self,
        app: Option<&App>,
        message: String,
        impact: String,
        fix: String,
        locations: Vec<Location>,
    ) -> Finding {
        Finding {
            rule: self.name,
            code: self.code,
            severity: self.severity,
            category: self.category,
            app: app.map(|a| a.path.clone()),
            title: self.title.to_string(),
            message,
            impact,
            fix,
            locations,
            wording: self.wording,
        }
    }
}

/// What every rule can see: the index, the facts, the apps.
pub struct RepoContext<'a> {
    pub index: &'a Index,
    pub facts: &'a Facts<'a>,
    pub apps: &'a [App],
    deploy_definitions: OnceLock<Vec<(FileId, DeployKind)>>,
}

impl<'a> RepoContext<'a> {
    pub fn new(facts: &'a Facts<'a>, apps: &'a [App]) -> RepoContext<'a> {
        RepoContext {
            index: facts.index,
            facts,
            apps,
            deploy_definitions: OnceLock::new(),
        }
    }

    /// Infrastructure-as-code and platform deployment definitions in the
    /// repository (outside tests and examples), sorted by path. YAML files
    /// in manifest folders count when they really are Kubernetes objects.
    pub fn deploy_definitions(&self) -> &[(FileId, DeployKind)] {
        self.deploy_definitions.get_or_init(|| {
            let mut found: Vec<(FileId, DeployKind)> = self
                .index
                .deploy_files()
                .chain(
                    self.index
                        .of_kind(FileKind::KubernetesCandidate)
                        .iter()
                        .filter(|id| self.facts.is_kubernetes_manifest(**id))
                        .map(|id| (*id, DeployKind::Kubernetes)),
                )
                .filter(|(id, _)| !crate::apps::is_non_product_path(&self.index.get(*id).rel))
                .collect();
            found.sort();
            found
        })
    }

    pub fn rel(&self, id: FileId) -> &str {
        &self.index.get(id).rel
    }
}

pub struct AppContext<'a> {
    pub repo: &'a RepoContext<'a>,
    pub app: &'a App,
}

impl<'a> AppContext<'a> {
    /// Evidence that the app uses its framework: the dependency's line in
    /// the manifest.
    pub fn framework_location(&self) -> Location {
        let manifest = self.repo.index.get(self.app.manifest);
        let line = self
            .repo
            .facts
            .package_json(self.app.manifest)
            .map(|p| p.line_of_key(&self.app.framework_package))
            .unwrap_or(1);
        Location::new(manifest.rel.clone(), line)
    }

    /// The app's files of one kind, outside tests and examples.
    pub fn files_of_kind(&self, kind: FileKind) -> impl Iterator<Item = FileId> + '_ {
        let range = self.repo.index.ids_under(self.app.dir());
        self.repo
            .index
            .of_kind(kind)
            .iter()
            .copied()
            .filter(move |id| range.contains(id))
            .filter(move |id| {
                let rel = &self.repo.index.get(*id).rel;
                let inner = rel
                    .strip_prefix(self.app.dir())
                    .unwrap_or(rel)
                    .trim_start_matches('/');
                !crate::apps::is_non_product_path(inner)
            })
    }

    /// The command that adds a package with the app's package manager.
    pub fn add_command(&self, package: &str) -> String {
        let lockfile = |name: &str| {
            self.repo.index.find(&self.app.join(name)).is_some()
                || self.repo.index.find(name).is_some()
        };
        if lockfile("pnpm-lock.yaml") {
            format!("pnpm add {package}")
        } else if lockfile("yarn.lock") {
            format!("yarn add {package}")
        } else if lockfile("bun.lockb") || lockfile("bun.lock") {
            format!("bun add {package}")
        } else {
            format!("npm install {package}")
        }
    }
}

/// Inline code for Markdown and terminals.
pub fn code(text: &str) -> String {
    format!("`{text}`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_codes_are_unique_and_documented() {
        let mut names = HashSet::new();
        let mut codes = HashSet::new();
        for rule in ALL {
            let m = &rule.meta;
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            assert!(codes.insert(m.code), "duplicate code {}", m.code);
            assert!(
                m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                m.name
            );
            for section in ["## What it does", "## Why", "## Example", "## Fix"] {
                assert!(m.docs.contains(section), "{} docs lack {section}", m.name);
            }
        }
    }

    #[test]
    fn the_six_seed_rules_keep_their_names() {
        for name in [
            "missing-container-config",
            "manual-server-deployment",
            "apm-sdk-missing",
            "missing-health-endpoint",
            "backups-not-offsite",
            "sqlite-in-production",
        ] {
            assert!(find(name).is_some(), "{name} missing");
        }
    }
}
