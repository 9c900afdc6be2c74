//! Step 5 of the pipeline: rules, each a pure function from facts to findings.
//!
//! One rule per file, under the category it reports in. The registry is the
//! plain list `ALL`; a test checks that names and codes are unique and every
//! rule has documentation.

pub mod configuration;
pub mod containerization;
pub mod database;
pub mod delivery;
pub mod deploy_evidence;
pub mod folders;
pub mod observability;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::apps::App;
use crate::facts::Facts;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileId, FileKind, Index};
use crate::stack::Ecosystem;

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
    /// Whether `seaworthy fix` can carry out the fix.
    pub fixable: bool,
    /// Markdown: what it checks, why it matters, examples, the fix.
    pub docs: &'static str,
}

pub enum Check {
    /// Runs once per app.
    App(fn(&AppContext) -> Vec<Finding>),
    /// Runs once for the whole repository.
    Repo(fn(&RepoContext) -> Vec<Finding>),
    /// Reported outside the rules pass, not from facts: by the pipeline
    /// itself (suppressions) or by `seaworthy probe` from a running
    /// deployment (`crate::probe`).
    Meta,
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

/// The catalog, in report order.
/// The per-app rules that also audit workers (`crate::workers`): what they
/// judge (the database a process keeps) is true of any production process,
/// while the others concern a web app (its container, health endpoint,
/// error tracking, routes) and would misread a bot or a scheduler.
pub const WORKER_RULES: &[&str] = &["sqlite-in-production"];

pub static ALL: &[&Rule] = &[
    &containerization::missing_container_config::RULE,
    &containerization::manual_server_deployment::RULE,
    // Compose, Kubernetes and container health (SW110–SW129).
    &containerization::compose_database_without_volume::RULE,
    &containerization::compose_depends_on_without_healthcheck::RULE,
    &containerization::compose_literal_password::RULE,
    &containerization::compose_database_port_exposed::RULE,
    &containerization::k8s_missing_readiness_probe::RULE,
    &containerization::k8s_liveness_checks_database::RULE,
    &containerization::k8s_missing_resources::RULE,
    &containerization::k8s_not_run_as_non_root::RULE,
    &containerization::k8s_single_replica::RULE,
    &containerization::container_without_healthcheck::RULE,
    &observability::apm_sdk_missing::RULE,
    &observability::missing_health_endpoint::RULE,
    // Observability (SW302–SW309, SW402–SW409).
    &observability::apm_sdk_not_initialized::RULE,
    &observability::no_error_tracking::RULE,
    &observability::no_structured_logging::RULE,
    &observability::health_check_misses_dependencies::RULE,
    &observability::nextjs_health_route_cached::RULE,
    &observability::health_check_without_timeout::RULE,
    &database::backups_not_offsite::RULE,
    &database::sqlite_in_production::RULE,
    &database::database_without_backup::RULE,
    &database::backup_script_without_pipefail::RULE,
    &database::backup_not_encrypted::RULE,
    &database::backup_without_retention::RULE,
    &database::backup_without_restore_test::RULE,
    &database::prisma_migrate_dev_in_production::RULE,
    &database::prisma_migration_lock_mismatch::RULE,
    &database::prisma_database_url_mismatch::RULE,
    &database::sqlite_on_serverless::RULE,
    &configuration::suppression_expired::RULE,
    &containerization::dockerfile_runs_as_root::RULE,
    &containerization::dockerfile_unpinned_base_image::RULE,
    &containerization::dockerfile_copy_without_dockerignore::RULE,
    &containerization::dockerfile_install_ignores_lockfile::RULE,
    &containerization::nextjs_image_not_standalone::RULE,
    &containerization::dockerfile_secret_in_env::RULE,
    &containerization::dockerfile_single_stage_build::RULE,
    &containerization::dockerfile_copies_env_file::RULE,
    &configuration::committed_env_file::RULE,
    &configuration::secret_exposed_to_browser::RULE,
    &configuration::hardcoded_fallback_secret::RULE,
    &configuration::debug_enabled_in_production::RULE,
    &configuration::env_example_drift::RULE,
    &delivery::no_ci_pipeline::RULE,
    &delivery::ci_never_runs_tests::RULE,
    &delivery::terraform_state_committed::RULE,
    &delivery::terraform_no_remote_backend::RULE,
    // Probe of a running deployment (SW801–SW849), `seaworthy probe`.
    &crate::probe::health::HEALTH_MISSING,
    &crate::probe::health::HEALTH_CACHED,
    &crate::probe::health::HEALTH_NOT_JSON,
    &crate::probe::health::HEALTH_INCONSISTENT,
    &crate::probe::health::HEALTH_SLOW,
    &crate::probe::health::READINESS_SAME_AS_LIVENESS,
    &crate::probe::health::HEALTH_REDIRECT,
    &crate::probe::health::HEALTH_FAILING,
    &crate::probe::exposure::VERSION_HEADER,
    &crate::probe::exposure::SENSITIVE_FILE_SERVED,
    &crate::probe::exposure::DEBUG_PAGE_SERVED,
    &crate::probe::transport::HTTP_NOT_REDIRECTED,
    &crate::probe::transport::NO_HSTS,
    &crate::probe::tls::CERTIFICATE_INVALID,
    &crate::probe::tls::CERTIFICATE_EXPIRING,
    &crate::probe::backups::BACKUP_MISSING,
    &crate::probe::backups::BACKUP_STALE,
    &crate::probe::backups::BACKUP_EMPTY,
    &crate::probe::backups::BACKUP_SHRUNK,
    &crate::probe::backups::BACKUP_NO_MARKER,
    &crate::probe::backups::BACKUP_UNENCRYPTED,
    &crate::probe::backups::BACKUP_NO_RETENTION,
    &crate::probe::backups::BACKUP_DELETABLE,
    &crate::probe::backups::BACKUP_PUBLIC,
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
    /// The definitions that only count until something contradicts them.
    contestable_definitions: OnceLock<Vec<FileId>>,
    manual_deployments: OnceLock<Vec<containerization::manual_server_deployment::ScriptVerdict>>,
    package_dirs: OnceLock<Vec<String>>,
    shared_js_files: OnceLock<Vec<FileId>>,
    npm_packages: OnceLock<NpmPackages>,
    app_folders: OnceLock<folders::AppFolders>,
    deploy_kinds_by_dir: OnceLock<HashMap<String, Vec<(FileId, DeployKind)>>>,
    root_readmes: OnceLock<Vec<FileId>>,
    root_deploy_buttons: OnceLock<Vec<DeployKind>>,
    ci_platform_deploys: OnceLock<Vec<deploy_evidence::CiDeploy>>,
    ops_files: OnceLock<observability::evidence::OpsFiles>,
    container_definitions:
        OnceLock<containerization::missing_container_config::ContainerDefinitions>,
    production_dockerfiles: OnceLock<Vec<containerization::dockerfiles::TargetSpec>>,
    production_compose_files: OnceLock<Vec<FileId>>,
    project_names: OnceLock<Vec<String>>,
    file_roles: OnceLock<crate::roles::FileRoles>,
    scripts_by_name: OnceLock<HashMap<String, Vec<FileId>>>,
    /// Answers kept per audit (`memo`).
    memos: std::sync::Mutex<HashMap<(&'static str, String), Memo>>,
    /// Per kind, the files of each folder (`in_dir`).
    files_by_dir: std::sync::Mutex<HashMap<FileKind, std::sync::Arc<FilesByDir>>>,
}

/// An answer kept by `RepoContext::memo`.
type Memo = Box<dyn std::any::Any + Send + Sync>;

/// Files by the folder they are in.
type FilesByDir = HashMap<String, Vec<FileId>>;

/// The package.json folders of the repository as id ranges, for "which
/// package owns this file" in one binary search.
#[derive(Debug, Default)]
pub struct NpmPackages {
    /// The manifest of each package folder.
    ranges: folders::NestedRanges<FileId>,
}

impl NpmPackages {
    fn build(index: &Index) -> NpmPackages {
        NpmPackages {
            ranges: folders::NestedRanges::build(
                index
                    .of_kind(FileKind::PackageJson)
                    .iter()
                    .filter(|id| !index.get(**id).non_product)
                    .map(|id| (index.ids_under(index.get(*id).dir()), *id)),
            ),
        }
    }

    /// The package.json of the innermost package folder holding `id`.
    pub fn owner(&self, id: FileId) -> Option<FileId> {
        self.ranges.innermost(id).copied()
    }
}

/// The folder a platform file deploys: the folder that holds the
/// platform's configuration folder (`.ebextensions/`, `.elasticbeanstalk/`,
/// `.platform/`, `.do/`) rather than that folder itself.
fn deployment_root(dir: &str) -> &str {
    let (parent, last) = dir.rsplit_once('/').unwrap_or(("", dir));
    if matches!(
        last,
        ".ebextensions" | ".elasticbeanstalk" | ".platform" | ".do"
    ) {
        parent
    } else {
        dir
    }
}

impl<'a> RepoContext<'a> {
    pub fn new(facts: &'a Facts<'a>, apps: &'a [App]) -> RepoContext<'a> {
        RepoContext {
            index: facts.index,
            facts,
            apps,
            deploy_definitions: OnceLock::new(),
            contestable_definitions: OnceLock::new(),
            manual_deployments: OnceLock::new(),
            package_dirs: OnceLock::new(),
            shared_js_files: OnceLock::new(),
            npm_packages: OnceLock::new(),
            app_folders: OnceLock::new(),
            deploy_kinds_by_dir: OnceLock::new(),
            root_readmes: OnceLock::new(),
            root_deploy_buttons: OnceLock::new(),
            ci_platform_deploys: OnceLock::new(),
            ops_files: OnceLock::new(),
            container_definitions: OnceLock::new(),
            production_dockerfiles: OnceLock::new(),
            production_compose_files: OnceLock::new(),
            project_names: OnceLock::new(),
            file_roles: OnceLock::new(),
            scripts_by_name: OnceLock::new(),
            files_by_dir: std::sync::Mutex::new(HashMap::new()),
            memos: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The deployment definitions in each folder.
    pub fn deploy_kinds_by_dir(&self) -> &HashMap<String, Vec<(FileId, DeployKind)>> {
        self.deploy_kinds_by_dir.get_or_init(|| {
            let mut by_dir: HashMap<String, Vec<(FileId, DeployKind)>> = HashMap::new();
            for (id, kind) in self.deploy_definitions() {
                by_dir
                    .entry(deployment_root(self.index.get(*id).dir()).to_string())
                    .or_default()
                    .push((*id, *kind));
            }
            by_dir
        })
    }

    /// The READMEs at the root of the repository.
    pub fn root_readmes(&self) -> &[FileId] {
        self.root_readmes.get_or_init(|| {
            self.index
                .of_kind(FileKind::Readme)
                .iter()
                .copied()
                .filter(|id| self.index.get(*id).dir().is_empty())
                .collect()
        })
    }

    /// The platforms whose deploy buttons the root READMEs show: every app
    /// asks, so the root READMEs are searched once per audit.
    pub fn root_deploy_buttons(&self) -> &[DeployKind] {
        self.root_deploy_buttons.get_or_init(|| {
            self.root_readmes()
                .iter()
                .flat_map(|id| deploy_buttons_in(self, *id))
                .collect()
        })
    }

    /// CI jobs that hand the source or its build to a platform that runs
    /// it (`azure/webapps-deploy`, `az webapp deploy`, `liara deploy`,
    /// `cf push`, …), read once per audit.
    pub fn ci_platform_deploys(&self) -> &[deploy_evidence::CiDeploy] {
        self.ci_platform_deploys
            .get_or_init(|| deploy_evidence::ci_platform_deploys(self))
    }

    /// Which app folder holds each file.
    pub fn app_folders(&self) -> &folders::AppFolders {
        self.app_folders
            .get_or_init(|| folders::AppFolders::build(self.index, self.apps))
    }

    /// What builds or runs an image, by the apps it counts for.
    pub(crate) fn container_definitions(
        &self,
    ) -> &containerization::missing_container_config::ContainerDefinitions {
        self.container_definitions.get_or_init(|| {
            containerization::missing_container_config::ContainerDefinitions::build(self)
        })
    }

    /// The production Dockerfiles (`dockerfiles::production_dockerfiles`).
    pub(crate) fn production_dockerfiles(
        &self,
        find: impl FnOnce() -> Vec<containerization::dockerfiles::TargetSpec>,
    ) -> &[containerization::dockerfiles::TargetSpec] {
        self.production_dockerfiles.get_or_init(find)
    }

    /// What each Dockerfile and compose file is for (`crate::roles`),
    /// judged once per audit.
    pub fn file_roles(&self) -> &crate::roles::FileRoles {
        self.file_roles
            .get_or_init(|| crate::roles::FileRoles::build(self))
    }

    /// The shell scripts of the repository with this file name, from one
    /// map of every script by name built on first use.
    pub fn shell_scripts_named(&self, name: &str) -> Vec<FileId> {
        self.scripts_by_name
            .get_or_init(|| {
                let mut by_name: HashMap<String, Vec<FileId>> = HashMap::new();
                for id in self.index.of_kind(FileKind::ShellScript) {
                    by_name
                        .entry(self.index.get(*id).name().to_string())
                        .or_default()
                        .push(*id);
                }
                by_name
            })
            .get(name)
            .cloned()
            .unwrap_or_default()
    }

    /// The compose files that deploy the project (`compose_files::production`).
    pub(crate) fn production_compose_files(&self, find: impl FnOnce() -> Vec<FileId>) -> &[FileId] {
        self.production_compose_files.get_or_init(find)
    }

    /// The names the project goes by (`compose_files::project_names`).
    pub(crate) fn project_names(&self, find: impl FnOnce() -> Vec<String>) -> &[String] {
        self.project_names.get_or_init(find)
    }

    /// The answer to the question `key` about `subject` (a package folder,
    /// a file), computed once per audit: rules ask the same question of a
    /// workspace package for every app that uses it, and the answer must
    /// not depend on the app. Two threads may compute the same answer at
    /// once; both are the same, the first stored wins.
    pub fn memo<T: Clone + Send + Sync + 'static>(
        &self,
        key: &'static str,
        subject: &str,
        compute: impl FnOnce() -> T,
    ) -> T {
        let lookup = (key, subject.to_string());
        {
            let memos = self.memos.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(value) = memos.get(&lookup).and_then(|v| v.downcast_ref::<T>()) {
                return value.clone();
            }
        }
        let value = compute();
        self.memos
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(lookup)
            .or_insert_with(|| Box::new(value.clone()));
        value
    }

    /// The files of a kind directly in the folder `dir` ("" for the root),
    /// in path order: a lookup, where a scan of the kind's list per folder
    /// asked would grow with the size of the repository.
    pub fn in_dir(&self, kind: FileKind, dir: &str) -> Vec<FileId> {
        let by_dir = {
            let mut cache = self
                .files_by_dir
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            cache
                .entry(kind)
                .or_insert_with(|| {
                    let mut by_dir = FilesByDir::new();
                    for id in self.index.of_kind(kind) {
                        by_dir
                            .entry(self.index.get(*id).dir().to_string())
                            .or_default()
                            .push(*id);
                    }
                    std::sync::Arc::new(by_dir)
                })
                .clone()
        };
        by_dir.get(dir).cloned().unwrap_or_default()
    }

    /// The operations files, grouped by app folder (`evidence::ops_mention`).
    pub(crate) fn ops_files(&self) -> &observability::evidence::OpsFiles {
        self.ops_files
            .get_or_init(|| observability::evidence::OpsFiles::build(self))
    }

    /// Which package.json folder owns each file.
    pub fn npm_packages(&self) -> &NpmPackages {
        self.npm_packages
            .get_or_init(|| NpmPackages::build(self.index))
    }

    /// Folders that hold a package manifest (apps and libraries alike),
    /// the root excluded.
    pub fn package_dirs(&self) -> &[String] {
        self.package_dirs.get_or_init(|| {
            let mut dirs: Vec<String> = PACKAGE_MANIFESTS
                .iter()
                .flat_map(|kind| self.index.of_kind(*kind).iter())
                .map(|id| self.index.get(*id).dir().to_string())
                .filter(|d| !d.is_empty())
                .collect();
            dirs.sort();
            dirs.dedup();
            dirs
        })
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
                // Playbooks named for what they do (`ops/provision.yml`),
                // in Ansible's folders or beside manifests in `deploy/`.
                .chain(
                    self.index
                        .of_kind(FileKind::AnsibleCandidate)
                        .iter()
                        .chain(self.index.of_kind(FileKind::KubernetesCandidate))
                        .filter(|id| self.facts.is_ansible_playbook(**id))
                        .map(|id| (*id, DeployKind::Ansible)),
                )
                // Cloud Foundry's `manifest.yml`, known by its content
                // (`applications:` at the top level): the name alone is
                // common (browser extensions, PWAs, Kubernetes).
                .chain(
                    self.index
                        .ids_under("")
                        .filter(|id| {
                            matches!(self.index.get(*id).name(), "manifest.yml" | "manifest.yaml")
                        })
                        .filter(|id| {
                            crate::facts::text::read_text(&self.index.path(*id), 1 << 20).is_ok_and(
                                |text| text.lines().any(|l| l.trim_end() == "applications:"),
                            )
                        })
                        .map(|id| (id, DeployKind::CloudFoundry)),
                )
                .filter(|(id, _)| {
                    !crate::roles::path::is_non_product_path(&self.index.get(*id).rel)
                })
                .collect();
            found.sort();
            // A Procfile no platform reads (foreman's) defines nothing.
            let weights = deploy_evidence::weigh(self, &found);
            found.retain(|(id, _)| weights.get(id) != Some(&deploy_evidence::Weight::None));
            let contestable = found
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| weights.get(id) == Some(&deploy_evidence::Weight::Contestable))
                .collect();
            let _ = self.contestable_definitions.set(contestable);
            found
        })
    }

    /// Deployment definitions that say "platform" only until a hand-run
    /// deployment contradicts them (`deploy_evidence`), in path order.
    pub fn contestable_definitions(&self) -> &[FileId] {
        self.deploy_definitions();
        self.contestable_definitions
            .get()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether a deployment definition is decisive on its own.
    pub fn is_decisive(&self, id: FileId) -> bool {
        !self.contestable_definitions().contains(&id)
    }

    /// Scripts that deploy or provision a server by hand
    /// (`manual_server_deployment::assess`), whatever else the repository
    /// defines: decided once, read by the rules that weigh a platform file
    /// against them.
    pub(crate) fn manual_deployments(
        &self,
    ) -> &[containerization::manual_server_deployment::ScriptVerdict] {
        self.manual_deployments.get_or_init(|| {
            containerization::manual_server_deployment::find_manual_deployments(self)
        })
    }

    /// The texts of the READMEs at the root.
    pub fn repo_readme_texts(&self) -> impl Iterator<Item = &str> + '_ {
        self.root_readmes()
            .iter()
            .filter_map(|id| self.facts.text(*id))
    }

    /// JavaScript/TypeScript files outside every package folder (code a
    /// monorepo shares by relative import or path alias, such as an Nx
    /// `libs/` folder without a manifest), outside tests and examples;
    /// none when an app sits at the root (everything is its code). A
    /// workspace package with a manifest is reached through the app's
    /// dependencies instead (`App::related_dirs`), so the packages an app
    /// does not use are never read for it. The same for every app, so
    /// computed once.
    pub fn shared_js_files(&self) -> &[FileId] {
        self.shared_js_files.get_or_init(|| {
            if self.apps.iter().any(|a| a.dir().is_empty()) {
                return Vec::new();
            }
            let mut packages: Vec<std::ops::Range<FileId>> = self
                .package_dirs()
                .iter()
                .map(|dir| self.index.ids_under(dir))
                .filter(|r| !r.is_empty())
                .collect();
            packages.sort_by_key(|r| r.start);
            // Nested packages lie inside their parent's range: merge into
            // disjoint ranges, then one binary search answers per file.
            let mut merged: Vec<std::ops::Range<FileId>> = Vec::new();
            for range in packages {
                match merged.last_mut() {
                    Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                    _ => merged.push(range),
                }
            }
            let in_package = |id: FileId| {
                let before = merged.partition_point(|r| r.start <= id);
                before > 0 && merged[before - 1].contains(&id)
            };
            self.index
                .of_kind(FileKind::JsSource)
                .iter()
                .copied()
                .filter(|id| {
                    let file = self.index.get(*id);
                    !file.non_product && !file.test && !in_package(*id)
                })
                .collect()
        })
    }

    pub fn rel(&self, id: FileId) -> &str {
        &self.index.get(id).rel
    }
}

/// Reads every app's code ahead of the rules (`Facts::read_word_masks`).
///
/// Nearly every content rule (env drift, fallback secrets, health routes,
/// logging, error tracking) reads each app's code. Reading it up front,
/// spread over all threads in path order, means rules no longer queue
/// behind each other on the same files; each file is read once either way,
/// and a rule that then lexes one reads it again (a few hundred files on a
/// 100k-file tree).
pub fn read_app_code_ahead(repo: &RepoContext, contexts: &[AppContext]) {
    // Each app's own files, and each workspace package once however many
    // apps use it.
    let mut packages: Vec<&String> = contexts
        .iter()
        .flat_map(observability::evidence::related_packages)
        .collect();
    packages.sort_unstable();
    packages.dedup();
    let mut code: Vec<FileId> = contexts
        .iter()
        .flat_map(observability::evidence::own_code_files)
        .chain(
            packages
                .into_iter()
                .flat_map(|dir| observability::evidence::package_code_files(repo, dir).to_vec()),
        )
        .collect();
    code.sort_unstable();
    code.dedup();
    // Every app's source files that read the environment are lexed by the
    // configuration rules (`hardcoded-fallback-secret` reads them all).
    // Lexing them here spreads the work over every core: in a repository
    // of one app the rule would otherwise lex them all on one thread.
    let mut sources: Vec<FileId> = contexts
        .iter()
        .flat_map(|cx| cx.source_files())
        .filter(|id| !repo.index.get(*id).test)
        .collect();
    sources.sort_unstable();
    sources.dedup();
    // The sources get their word masks from `env_reads` below, which
    // lexes from the same read: masking them here first would read each
    // of them twice (a third of the files an audit opens).
    code.retain(|id| sources.binary_search(id).is_err());
    repo.facts.read_word_masks(&code);
    {
        use rayon::prelude::*;
        sources.par_iter().with_min_len(8).for_each(|id| {
            repo.facts.env_reads(*id);
        });
    }
}

/// Parses, ahead of the rules and on all threads, the kinds of files that
/// rules read whole lists of (every Dockerfile, compose file, manifest and
/// shell script): the first rule to ask would otherwise parse them all on
/// one thread, inside a once-per-audit answer the other threads wait for.
pub fn parse_operations_ahead(repo: &RepoContext) {
    let index = repo.index;
    // Only what the rules parse anyway: a file parsed for nothing could
    // only add a parse error to the report. Every manifest candidate is
    // read (`deploy_definitions`); the others outside tests and examples.
    let ids: Vec<FileId> = [FileKind::Dockerfile, FileKind::Compose]
        .iter()
        .flat_map(|kind| index.of_kind(*kind).iter().copied())
        .filter(|id| {
            let file = index.get(*id);
            let dev_dockerfile = file.kind == Some(FileKind::Dockerfile)
                && containerization::dockerfiles::is_dev_path(&file.rel);
            !file.non_product && !dev_dockerfile
        })
        .chain(index.of_kind(FileKind::KubernetesCandidate).iter().copied())
        .collect();
    repo.facts.parse_ahead(&ids);
    // Scripts: only those the repository-wide questions will parse.
    let scripts: Vec<FileId> = index
        .of_kind(FileKind::ShellScript)
        .iter()
        .copied()
        .filter(|id| !index.get(*id).non_product)
        .collect();
    repo.facts
        .parse_ahead_mentioning(&scripts, crate::facts::needles::SHELL_OPERATIONS);
}

pub struct AppContext<'a> {
    pub repo: &'a RepoContext<'a>,
    pub app: &'a App,
    nested_roots: OnceLock<Vec<String>>,
    nested_ranges: OnceLock<Vec<std::ops::Range<FileId>>>,
    dir_is_neutral: OnceLock<bool>,
    source_files: OnceLock<Vec<FileId>>,
    code_files: OnceLock<Vec<FileId>>,
    hosting_beyond_files: OnceLock<Vec<DeployKind>>,
    app_range: OnceLock<std::ops::Range<FileId>>,
    /// Answers kept per app (`memo`).
    memos: std::sync::Mutex<HashMap<(&'static str, usize), Memo>>,
}

/// A platform file contradicted by a hand-run deployment
/// (`AppContext::contested_hosting`).
pub struct Contest {
    /// The contestable platform files.
    pub platform: Vec<FileId>,
    /// The scripts that deploy by hand.
    pub scripts: Vec<String>,
}

impl Contest {
    /// "`vercel.json` exists, but `deploy.sh` ships the app to a server by
    /// hand": both sides, for the finding's message.
    pub fn describe(&self, index: &Index) -> String {
        let platform = self
            .platform
            .iter()
            .map(|id| code(&index.get(*id).rel))
            .collect::<Vec<_>>()
            .join(", ");
        let scripts = self
            .scripts
            .iter()
            .map(|p| code(p))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{platform} exists, but {scripts} deploys the app to a server by hand: verify which one production uses")
    }

    /// Evidence: the platform files, then the scripts.
    pub fn locations(&self, index: &Index) -> Vec<Location> {
        self.platform
            .iter()
            .map(|id| Location::new(index.get(*id).rel.clone(), 1))
            .chain(self.scripts.iter().map(|p| Location::new(p.clone(), 1)))
            .collect()
    }
}

/// Manifests that make their folder a separate package.
const PACKAGE_MANIFESTS: &[FileKind] = &[
    FileKind::PackageJson,
    FileKind::PyProject,
    FileKind::Pipfile,
    FileKind::Gemfile,
    FileKind::ComposerJson,
    FileKind::MavenPom,
    FileKind::Gradle,
    FileKind::GoMod,
    FileKind::CargoToml,
    FileKind::DotnetProject,
    FileKind::MixExs,
];

impl<'a> AppContext<'a> {
    pub fn new(repo: &'a RepoContext<'a>, app: &'a App) -> AppContext<'a> {
        AppContext {
            repo,
            app,
            nested_roots: OnceLock::new(),
            nested_ranges: OnceLock::new(),
            dir_is_neutral: OnceLock::new(),
            source_files: OnceLock::new(),
            code_files: OnceLock::new(),
            hosting_beyond_files: OnceLock::new(),
            app_range: OnceLock::new(),
            memos: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Folders inside the app that are packages of their own (a service
    /// with its own package.json inside a root app): their files are theirs.
    fn nested_roots(&self) -> &[String] {
        self.nested_roots.get_or_init(|| {
            let index = self.repo.index;
            let app_dir = self.app.dir();
            // The manifests below the app's folder are one run of each
            // kind's list: the work does not grow with the other apps.
            let range = index.ids_under(app_dir);
            let mut roots: Vec<String> = PACKAGE_MANIFESTS
                .iter()
                .flat_map(|kind| {
                    let ids = index.of_kind(*kind);
                    let start = ids.partition_point(|id| *id < range.start);
                    let end = ids.partition_point(|id| *id < range.end);
                    ids[start..end].iter()
                })
                .map(|id| index.get(*id).dir())
                .filter(|dir| *dir != app_dir)
                .map(|dir| format!("{dir}/"))
                .collect();
            roots.sort();
            roots.dedup();
            roots
        })
    }

    /// The id ranges of `nested_roots`, sorted.
    fn nested_ranges(&self) -> &[std::ops::Range<FileId>] {
        self.nested_ranges.get_or_init(|| {
            let mut ranges: Vec<std::ops::Range<FileId>> = self
                .nested_roots()
                .iter()
                .map(|root| self.repo.index.ids_under(root.trim_end_matches('/')))
                .filter(|r| !r.is_empty())
                .collect();
            ranges.sort_by_key(|r| r.start);
            // Nested packages lie inside their parent's range: merged into
            // disjoint ranges, one binary search answers per file.
            let mut merged: Vec<std::ops::Range<FileId>> = Vec::new();
            for range in ranges {
                match merged.last_mut() {
                    Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                    _ => merged.push(range),
                }
            }
            merged
        })
    }

    /// Whether the file lies in a package folder nested in the app's.
    fn in_nested_package(&self, id: FileId) -> bool {
        let nested = self.nested_ranges();
        let before = nested.partition_point(|r| r.start <= id);
        before > 0 && nested[before - 1].contains(&id)
    }

    /// Whether the app's folder itself says nothing about the role of the
    /// files below it (no `test`/`examples`/`src`/`{{ }}` segment), so that
    /// the index's per-file `non_product` flag answers for paths inside it.
    fn dir_is_neutral(&self) -> bool {
        *self.dir_is_neutral.get_or_init(|| {
            let dir = self.app.dir();
            dir.is_empty()
                || (!dir.split('/').any(|p| p == "src")
                    && !crate::roles::path::is_non_product_path(&format!("{dir}/x")))
        })
    }

    /// Evidence that the app uses its framework: the dependency's line in
    /// the manifest.
    pub fn framework_location(&self) -> Location {
        let manifest = self.repo.index.get(self.app.manifest);
        let facts = self.repo.facts;
        let package = &self.app.framework_package;
        let line = if let Some(pkg) = facts.package_json(self.app.manifest) {
            pkg.line_of_key(package)
        } else if let Some(m) = facts.manifest(self.app.manifest) {
            m.line_of(package)
        } else if let Some(c) = facts.code(self.app.manifest) {
            // An app found by its code: the line importing the framework.
            c.imports
                .iter()
                .find(|(name, _)| name == package)
                .map(|(_, line)| *line)
                .unwrap_or(1)
        } else {
            1
        };
        Location::new(manifest.rel.clone(), line)
    }

    /// Where the app is hosted, as far as the repository says: platform and
    /// IaC definitions in the app's folder or at the root, platform adapter
    /// packages, and deploy buttons in its README.
    pub fn hosting(&self) -> Vec<DeployKind> {
        let mut kinds: Vec<DeployKind> = self.hosting_files().map(|(_, kind)| kind).collect();
        kinds.extend(self.hosting_beyond_files());
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// The platform and IaC definitions in the app's folder or at the root.
    fn hosting_files(&self) -> impl Iterator<Item = (FileId, DeployKind)> + '_ {
        let app_dir = self.app.dir();
        let by_dir = self.repo.deploy_kinds_by_dir();
        by_dir
            .get("")
            .into_iter()
            .chain((!app_dir.is_empty()).then(|| by_dir.get(app_dir)).flatten())
            .flatten()
            .copied()
    }

    /// The paths a platform or an orchestrator probes to decide whether
    /// this app is healthy, each with the file that says so: the health
    /// checks of the platform files hosting it (Render, Railway, Fly.io,
    /// DigitalOcean App Platform; a Render service with another `rootDir`
    /// is another app's), Dokku's `CHECKS` and `app.json` in its folder or
    /// at the root, and the URL a compose `healthcheck:` of a service built
    /// from its folder requests when it names a path (`/info`; polling the
    /// front page `/` chose no route to probe).
    pub fn health_probes(&self) -> Vec<(FileId, crate::facts::platform_health::HealthProbe)> {
        use crate::facts::platform_health as ph;
        self.memo("platform health probes", 0, || {
            let index = self.repo.index;
            let facts = self.repo.facts;
            let app_dir = self.app.dir();
            let mut out = Vec::new();
            let text = |id: FileId| facts.raw_text_capped(id, 1 << 20);
            for (id, kind) in self.hosting_files() {
                let Some(t) = text(id) else { continue };
                let name = index.get(id).name();
                let probes = match kind {
                    DeployKind::Render => ph::render(&t),
                    DeployKind::Railway => ph::railway(name, &t),
                    DeployKind::FlyIo => ph::fly(&t),
                    DeployKind::DigitalOceanAppPlatform => ph::digitalocean(&t),
                    _ => Vec::new(),
                };
                out.extend(
                    probes
                        .into_iter()
                        .filter(|p| p.root_dir.as_deref().is_none_or(|d| d == app_dir))
                        .map(|p| (id, p)),
                );
            }
            let mut dirs = vec![app_dir];
            if !app_dir.is_empty() {
                dirs.push("");
            }
            for dir in dirs {
                for (name, parse) in [
                    (
                        "CHECKS",
                        ph::dokku_checks as fn(&str) -> Vec<ph::HealthProbe>,
                    ),
                    ("app.json", ph::app_json),
                ] {
                    if let Some(id) = index.find(&crate::apps::join(dir, name)) {
                        if let Some(t) = text(id) {
                            out.extend(parse(&t).into_iter().map(|p| (id, p)));
                        }
                    }
                }
            }
            for id in index.of_kind(FileKind::Compose) {
                let Some(compose) = facts.compose(*id) else {
                    continue;
                };
                let compose_dir = index.get(*id).dir();
                for service in &compose.services {
                    let built_here = service
                        .build_context
                        .as_deref()
                        .and_then(|c| crate::apps::resolve(compose_dir, c))
                        .is_some_and(|c| c == app_dir);
                    let Some(hc) = service.details.healthcheck.as_ref().filter(|_| built_here)
                    else {
                        continue;
                    };
                    if hc.disabled {
                        continue;
                    }
                    if let Some(path) = ph::command_probe_path(&hc.test) {
                        // `wget --spider http://localhost:3000` only sees the
                        // front page answer: no route was chosen for probing.
                        if path == "/" {
                            continue;
                        }
                        out.push((
                            *id,
                            ph::HealthProbe {
                                path,
                                line: hc.line,
                                by: "a compose `healthcheck:`",
                                root_dir: None,
                            },
                        ));
                    }
                }
            }
            out
        })
    }

    /// When the only platform files that host the app (as `wanted` picks
    /// them) are contestable and a script deploys by hand: both sides, for
    /// a finding that names the contradiction instead of staying silent.
    /// `None` when nothing contradicts the platform, or some evidence of it
    /// (a decisive file, an adapter package, a deploy button) stands.
    pub fn contested_hosting(&self, wanted: impl Fn(DeployKind) -> bool) -> Option<Contest> {
        let files: Vec<(FileId, DeployKind)> =
            self.hosting_files().filter(|(_, k)| wanted(*k)).collect();
        if files.is_empty() || files.iter().any(|(id, _)| self.repo.is_decisive(*id)) {
            return None;
        }
        if self.hosting_beyond_files().into_iter().any(&wanted) {
            return None;
        }
        let manual = self.repo.manual_deployments();
        if manual.is_empty() {
            return None;
        }
        Some(Contest {
            platform: files.iter().map(|(id, _)| *id).collect(),
            scripts: manual.iter().map(|v| v.path.clone()).collect(),
        })
    }

    /// Hosting evidence that is not a definition file: platform adapter
    /// packages and deploy buttons in the app's or the root README.
    fn hosting_beyond_files(&self) -> Vec<DeployKind> {
        // Asked by several rules per app; the answer is the same.
        self.hosting_beyond_files
            .get_or_init(|| self.list_hosting_beyond_files())
            .clone()
    }

    fn list_hosting_beyond_files(&self) -> Vec<DeployKind> {
        let index = self.repo.index;
        let app_dir = self.app.dir();
        let mut kinds: Vec<DeployKind> = Vec::new();
        kinds.extend(
            PLATFORM_PACKAGES
                .iter()
                .filter(|(pkg, _)| self.app.has_dependency(pkg))
                .map(|(_, kind)| *kind),
        );
        // The READMEs of the app's folder (one run of the kind's list) and
        // of the root (searched once per audit).
        let readmes = index.of_kind(FileKind::Readme);
        let range = index.ids_under(app_dir);
        let start = readmes.partition_point(|id| *id < range.start);
        let end = readmes.partition_point(|id| *id < range.end);
        let root = self.repo.root_readmes();
        for id in readmes[start..end]
            .iter()
            .filter(|id| index.get(**id).dir() == app_dir && !root.contains(id))
        {
            kinds.extend(deploy_buttons_in(self.repo, *id));
        }
        kinds.extend_from_slice(self.repo.root_deploy_buttons());
        kinds.extend(
            self.repo
                .ci_platform_deploys()
                .iter()
                .filter(|d| d.deploys(self.repo, self.app))
                .map(|d| d.kind),
        );
        kinds
    }

    /// The answer to the question `key` about `subject` (a file id, or 0)
    /// for this app, computed once: several rules ask the same question of
    /// an app (which files handle its health routes, what they touch).
    pub fn memo<T: Clone + Send + Sync + 'static>(
        &self,
        key: &'static str,
        subject: usize,
        compute: impl FnOnce() -> T,
    ) -> T {
        {
            let memos = self.memos.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(value) = memos
                .get(&(key, subject))
                .and_then(|v| v.downcast_ref::<T>())
            {
                return value.clone();
            }
        }
        let value = compute();
        self.memos
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((key, subject))
            .or_insert_with(|| Box::new(value.clone()));
        value
    }

    /// The app's own source files in its ecosystem's languages, outside
    /// tests and examples.
    pub fn source_files(&self) -> Vec<FileId> {
        // Many rules ask; the list is the same for all of them.
        self.source_files
            .get_or_init(|| self.list_source_files())
            .clone()
    }

    /// The app's code and that of the workspace packages it uses, as the
    /// observability rules list it (`evidence::app_code_files`), kept for
    /// the other rules that ask.
    pub(crate) fn cached_code_files(&self, list: impl FnOnce() -> Vec<FileId>) -> Vec<FileId> {
        self.code_files.get_or_init(list).clone()
    }

    fn list_source_files(&self) -> Vec<FileId> {
        let exts = self.app.ecosystem.source_extensions();
        let kinds: Vec<FileKind> = match self.app.ecosystem {
            Ecosystem::Node => vec![FileKind::JsSource],
            _ => self
                .app
                .ecosystem
                .source_lang()
                .map(|l| vec![FileKind::Source(l)])
                .unwrap_or_default(),
        };
        kinds
            .into_iter()
            .flat_map(|k| self.files_of_kind(k).collect::<Vec<_>>())
            .filter(|id| {
                let name = self.repo.index.get(*id).name();
                name.rsplit_once('.')
                    .is_some_and(|(_, ext)| exts.contains(&ext))
            })
            .collect()
    }

    /// The app's files of one kind, outside tests and examples.
    pub fn files_of_kind(&self, kind: FileKind) -> impl Iterator<Item = FileId> + '_ {
        // The app's folder is looked up once; its files of a kind are one
        // contiguous run of the kind's list (ids grow with the path order).
        let range = self
            .app_range
            .get_or_init(|| self.repo.index.ids_under(self.app.dir()))
            .clone();
        let ids = self.repo.index.of_kind(kind);
        let start = ids.partition_point(|id| *id < range.start);
        let end = ids.partition_point(|id| *id < range.end);
        let neutral = self.dir_is_neutral();
        ids[start..end].iter().copied().filter(move |id| {
            let file = self.repo.index.get(*id);
            let non_product = if neutral {
                file.non_product
            } else {
                let rel = &file.rel;
                let inner = rel
                    .strip_prefix(self.app.dir())
                    .unwrap_or(rel)
                    .trim_start_matches('/');
                crate::roles::path::is_non_product_path(inner)
            };
            !non_product && !self.in_nested_package(*id)
        })
    }

    /// The command that adds a package with the app's package manager.
    pub fn add_command(&self, package: &str) -> String {
        let lockfile = |name: &str| {
            self.repo.index.find(&self.app.join(name)).is_some()
                || self.repo.index.find(name).is_some()
        };
        match self.app.ecosystem {
            Ecosystem::Node => {
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
            Ecosystem::Python => {
                if lockfile("uv.lock") {
                    format!("uv add {package}")
                } else if lockfile("poetry.lock") {
                    format!("poetry add {package}")
                } else if lockfile("Pipfile") {
                    format!("pipenv install {package}")
                } else {
                    format!("pip install {package} (and pin it in requirements.txt)")
                }
            }
            Ecosystem::Ruby => format!("bundle add {package}"),
            Ecosystem::Php => format!("composer require {package}"),
            Ecosystem::Java => format!("add {package} to the build (pom.xml or build.gradle)"),
            Ecosystem::Go => format!("go get {package}"),
            Ecosystem::Rust => format!("cargo add {package}"),
            Ecosystem::Dotnet => format!("dotnet add package {package}"),
            Ecosystem::Elixir => format!("add `{{:{package}, \"~> …\"}}` to the deps in mix.exs"),
        }
    }
}

/// Packages that only make sense on one hosting platform.
const PLATFORM_PACKAGES: &[(&str, DeployKind)] = &[
    ("@astrojs/cloudflare", DeployKind::CloudflareWorkers),
    ("@astrojs/netlify", DeployKind::Netlify),
    ("@astrojs/vercel", DeployKind::Vercel),
    ("@cloudflare/next-on-pages", DeployKind::CloudflareWorkers),
    ("@cloudflare/vite-plugin", DeployKind::CloudflareWorkers),
    ("@netlify/plugin-nextjs", DeployKind::Netlify),
    ("@netlify/remix-adapter", DeployKind::Netlify),
    ("@opennextjs/cloudflare", DeployKind::CloudflareWorkers),
    ("@react-router/cloudflare", DeployKind::CloudflareWorkers),
    ("@remix-run/cloudflare", DeployKind::CloudflareWorkers),
    ("@remix-run/netlify", DeployKind::Netlify),
    ("@remix-run/vercel", DeployKind::Vercel),
    (
        "@sveltejs/adapter-cloudflare",
        DeployKind::CloudflareWorkers,
    ),
    (
        "@sveltejs/adapter-cloudflare-workers",
        DeployKind::CloudflareWorkers,
    ),
    ("@sveltejs/adapter-netlify", DeployKind::Netlify),
    ("@sveltejs/adapter-vercel", DeployKind::Vercel),
    ("@vercel/analytics", DeployKind::Vercel),
    ("@vercel/react-router", DeployKind::Vercel),
    ("@vercel/remix", DeployKind::Vercel),
    ("@vercel/speed-insights", DeployKind::Vercel),
];

/// One-click deploy buttons in a README: the project is made for that platform.
/// The platforms whose deploy buttons a README shows.
fn deploy_buttons_in(repo: &RepoContext, readme: FileId) -> Vec<DeployKind> {
    repo.facts.text(readme).map_or_else(Vec::new, |text| {
        DEPLOY_BUTTONS
            .iter()
            .filter(|(url, _)| text.contains(url))
            .map(|(_, kind)| *kind)
            .collect()
    })
}

const DEPLOY_BUTTONS: &[(&str, DeployKind)] = &[
    ("app.netlify.com/start/deploy", DeployKind::Netlify),
    (
        "deploy.workers.cloudflare.com",
        DeployKind::CloudflareWorkers,
    ),
    ("heroku.com/deploy", DeployKind::Heroku),
    ("railway.app/new/template", DeployKind::Railway),
    ("railway.com/deploy", DeployKind::Railway),
    ("railway.com/new/template", DeployKind::Railway),
    ("render.com/deploy", DeployKind::Render),
    ("vercel.com/button", DeployKind::Vercel),
    ("vercel.com/new/clone", DeployKind::Vercel),
];

/// The generated documentation page of a rule (`docs/rules/<name>.md`).
pub fn docs_page(rule: &Rule) -> String {
    let m = &rule.meta;
    format!(
        "<!-- Generated from src/rules by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n# {} ({})\n\n**{}** · severity `{}` · category `{}` · fixable: {}\n\n{}",
        m.name,
        m.code,
        m.title,
        m.severity.as_str(),
        m.category.as_str(),
        crate::fix::catalog::fix_kind(m.name, m.fixable),
        m.docs
    )
}

/// The index page `docs/rules/README.md`: every rule in a table.
pub fn docs_index() -> String {
    let mut out = String::from(
        "<!-- Generated from src/rules by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n# Rules\n\n| Code | Name | Category | Severity | Fixable |\n|---|---|---|---|---|\n",
    );
    for rule in ALL {
        let m = &rule.meta;
        out.push_str(&format!(
            "| {} | [{}]({}.md) | {} | {} | {} |\n",
            m.code,
            m.name,
            m.name,
            m.category.as_str(),
            m.severity.as_str(),
            crate::fix::catalog::fix_kind(m.name, m.fixable)
        ));
    }
    out
}

/// Inline code for Markdown and terminals.
pub fn code(text: &str) -> String {
    format!("`{text}`")
}

#[cfg(test)]
mod tests {
    use crate::walk::WalkedFile;

    #[test]
    fn worker_rules_name_per_app_rules() {
        // The audit matches names: a misspelt entry would audit no worker.
        for name in super::WORKER_RULES {
            let rule = super::find(name).unwrap_or_else(|| panic!("no rule {name}"));
            assert!(
                matches!(rule.check, super::Check::App(_)),
                "{name} is not a per-app rule"
            );
        }
    }

    fn index_of(paths: &[&str]) -> crate::index::Index {
        let mut files: Vec<WalkedFile> = paths
            .iter()
            .map(|p| WalkedFile {
                rel: p.to_string(),
                abs: None,
                ignored: false,
            })
            .collect();
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        crate::index::Index::build(std::path::Path::new("/nonexistent"), files)
    }

    #[test]
    fn the_innermost_package_owns_a_file() {
        let index = index_of(&[
            "package.json",
            "apps/api/package.json",
            "apps/api/src/server.ts",
            "apps/api/tools/gen/package.json",
            "apps/api/tools/gen/main.ts",
            "apps/api/zz.ts",
            "apps/web/app/page.tsx",
            "apps/web/package.json",
            "examples/demo/package.json",
            "examples/demo/index.ts",
            "libs/shared/util.ts",
        ]);
        let packages = NpmPackages::build(&index);
        let owner = |rel: &str| {
            let id = index.find(rel).expect("indexed");
            packages.owner(id).map(|m| index.get(m).rel.clone())
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            owner("apps/api/src/server.ts"),
            some("apps/api/package.json")
        );
        assert_eq!(
            owner("apps/api/tools/gen/main.ts"),
            some("apps/api/tools/gen/package.json")
        );
        // After a nested package, the enclosing one owns again.
        assert_eq!(owner("apps/api/zz.ts"), some("apps/api/package.json"));
        assert_eq!(
            owner("apps/web/app/page.tsx"),
            some("apps/web/package.json")
        );
        // Example manifests are not packages; the root owns what is left.
        assert_eq!(owner("examples/demo/index.ts"), some("package.json"));
        assert_eq!(owner("libs/shared/util.ts"), some("package.json"));
        let rootless = index_of(&["apps/web/package.json", "apps/web/page.tsx", "lib/x.ts"]);
        let packages = NpmPackages::build(&rootless);
        let id = rootless.find("lib/x.ts").expect("indexed");
        assert_eq!(packages.owner(id), None);
    }

    #[test]
    fn the_index_decides_test_and_non_product_roles_once() {
        let index = index_of(&[
            "apps/web/app/page.tsx",
            "apps/web/app/page.test.tsx",
            "apps/web/__tests__/x.tsx",
            "examples/a/index.ts",
            "examples/a/README.md",
        ]);
        let role = |rel: &str| {
            let f = index.get(index.find(rel).expect("indexed"));
            (f.test, f.non_product)
        };
        assert_eq!(role("apps/web/app/page.tsx"), (false, false));
        assert_eq!(role("apps/web/app/page.test.tsx"), (true, false));
        assert_eq!(role("apps/web/__tests__/x.tsx"), (false, true));
        assert_eq!(role("examples/a/index.ts"), (false, true));
    }

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
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
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
