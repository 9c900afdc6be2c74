//! `seaworthy fix`: findings → fix plan → diff / apply → re-check.
//!
//! A fix is a plan of edits built from the same facts the rules read. Plans
//! are built one after the other against a [`Tree`]: the files on disk with
//! the edits of the plans planned so far laid over them, so two fixes that
//! touch the same file (next.config gains `output: 'standalone'`, then
//! `withSentryConfig`) compose. Nothing is written until every plan is
//! built. Before anything is written the net changes are checked
//! (version control, uncommitted edits, a preflight of every target), then
//! applied as one transaction ([`transaction`]): all of them or none.

pub mod apply;
pub mod backup;
pub mod catalog;
pub mod compose;
pub mod deploy;
pub mod diff;
pub mod django;
pub mod express;
pub mod express_backends;
pub mod laravel;
pub mod laravel_docker;
pub mod nextjs;
pub mod prisma;
pub mod prisma_adapter;
pub mod profile;
pub mod rails;
pub mod rails_docker;
pub mod report;
pub mod sqlite_sql;
pub mod sqlite_urls;
pub mod transaction;
pub mod tree;

use std::collections::BTreeSet;
use std::path::Path;

use crate::apps::App;
use crate::audit::{self, AuditFailure};
use crate::facts::Facts;
use crate::finding::Finding;
use crate::index::Index;
use crate::rules::{self, AppContext, RepoContext};
use crate::stack::Framework;

pub use tree::Tree;

/// One file change. `path` is relative to the audited root, with forward
/// slashes. `before: None` creates the file; `delete` removes it (then
/// `after` is empty and unused).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    pub path: String,
    pub before: Option<String>,
    pub after: String,
    pub executable: bool,
    pub delete: bool,
}

impl Edit {
    pub fn create(path: impl Into<String>, after: impl Into<String>) -> Edit {
        Edit {
            path: path.into(),
            before: None,
            after: after.into(),
            executable: false,
            delete: false,
        }
    }

    pub fn modify(path: impl Into<String>, before: String, after: String) -> Edit {
        Edit {
            path: path.into(),
            before: Some(before),
            after,
            executable: false,
            delete: false,
        }
    }

    pub fn delete(path: impl Into<String>, before: String) -> Edit {
        Edit {
            path: path.into(),
            before: Some(before),
            after: String::new(),
            executable: false,
            delete: true,
        }
    }

    pub fn executable(mut self) -> Edit {
        self.executable = true;
        self
    }

    /// The content after the edit (`None` when deleted).
    pub fn result(&self) -> Option<&str> {
        (!self.delete).then_some(self.after.as_str())
    }
}

/// A file moved by a fix (the SQLite migrations into their archive): the
/// copy is written and verified before the original is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub from: String,
    pub to: String,
}

/// The fix of one finding.
#[derive(Debug, Clone, Default)]
pub struct FixPlan {
    pub rule: &'static str,
    /// The app's path ("." for a root app), `None` for a repo-wide fix.
    pub app: Option<String>,
    pub edits: Vec<Edit>,
    /// Changes behaviour or data: applied only with `--unsafe`.
    pub unsafe_fix: bool,
    /// What the user must still do by hand.
    pub manual_steps: Vec<String>,
    /// Commands to run after the fix (`npm install`, …).
    pub next_commands: Vec<String>,
    /// What the templates assume (versions, ports, users).
    pub assumptions: Vec<String>,
    /// Files this plan moves (a delete and a create among its edits).
    pub moves: Vec<Move>,
    /// Why the remedy is written but not yet in effect (health routes an
    /// auth middleware still answers): the re-check does not count the
    /// finding as fixed.
    pub not_wired: Option<String>,
    /// The plans this one builds on (indices in [`Planned::plans`]): it read
    /// files they wrote, or it wires in what they create (a Dockerfile
    /// probes the health routes). It cannot be applied without them.
    pub depends_on: Vec<usize>,
    /// The files the fixed finding cites, for a catalog remedy (an edit of
    /// the lines it points at); empty for the generators.
    pub cited: Vec<String>,
}

/// Where `manual-server-deployment` points the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeployTarget {
    Kubernetes,
    Fly,
    Render,
    Vercel,
    Amplify,
    /// Terraform on AWS: ECS Fargate behind an ALB, RDS, ElastiCache, S3.
    Aws,
}

impl DeployTarget {
    /// The names `--deploy-target` accepts, as the help and errors list them.
    pub const NAMES: &'static [&'static str] =
        &["kubernetes", "fly", "render", "vercel", "amplify", "aws"];

    pub fn parse(s: &str) -> Option<DeployTarget> {
        match s {
            "kubernetes" | "k8s" => Some(DeployTarget::Kubernetes),
            "fly" | "fly.io" => Some(DeployTarget::Fly),
            "render" => Some(DeployTarget::Render),
            "vercel" => Some(DeployTarget::Vercel),
            "amplify" => Some(DeployTarget::Amplify),
            "aws" | "terraform" => Some(DeployTarget::Aws),
            _ => None,
        }
    }

    /// The platform builds the app from source: no container image is
    /// needed, so the Dockerfile fix stands aside.
    pub fn builds_from_source(self) -> bool {
        matches!(self, DeployTarget::Vercel | DeployTarget::Amplify)
    }

    pub fn name(self) -> &'static str {
        match self {
            DeployTarget::Kubernetes => "kubernetes",
            DeployTarget::Fly => "fly",
            DeployTarget::Render => "render",
            DeployTarget::Vercel => "vercel",
            DeployTarget::Amplify => "amplify",
            DeployTarget::Aws => "aws",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rule names or codes to fix; empty for all.
    pub rules: Vec<String>,
    pub allow_unsafe: bool,
    pub deploy_target: Option<DeployTarget>,
    /// Edit files that have uncommitted changes.
    pub allow_dirty: bool,
    /// Write outside version control (`cargo fix --allow-no-vcs`).
    pub allow_no_vcs: bool,
    /// The fault-injection hook of the test suite; `None` in real use.
    #[doc(hidden)]
    pub fault: Option<transaction::Fault>,
}

/// A finding the command leaves alone, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub rule: &'static str,
    pub app: Option<String>,
    pub reason: String,
}

/// A file a fix would create that already exists with other content. It is
/// never overwritten: the diff is shown and the file skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub rule: &'static str,
    pub path: String,
    pub existing: String,
    pub proposed: String,
}

/// What a fix plan turned out to be once planned against the tree.
#[derive(Debug)]
pub struct Planned {
    pub findings: Vec<Finding>,
    pub plans: Vec<FixPlan>,
    pub skipped: Vec<Skipped>,
    pub conflicts: Vec<Conflict>,
    /// The net change per file: original on disk → final content.
    pub changes: Vec<Edit>,
    /// The moves among the changes (both their delete and create).
    pub moves: Vec<Move>,
}

impl Planned {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Rules `fix` knows, in planning order: a fix that changes the app's
/// services (SQLite → PostgreSQL) and one that adds health routes come
/// before the container and deployment files that wire them in.
const PLAN_ORDER: &[&str] = &[
    "sqlite-in-production",
    "missing-health-endpoint",
    // Rails' `/up` and Laravel's `health:` route are liveness only: the
    // readiness route is added beside them (Rails and Laravel).
    "health-check-misses-dependencies",
    "missing-container-config",
    "manual-server-deployment",
    "apm-sdk-missing",
    "backups-not-offsite",
    // A .dockerignore keeps in what the Dockerfile copies by name: the env
    // file's COPY goes first.
    "dockerfile-copies-env-file",
    "dockerfile-copy-without-dockerignore",
    // Pruning old dumps needs a script that stops when the dump fails.
    "backup-script-without-pipefail",
    "backup-without-retention",
];

/// Runs the audit and plans a fix for every fixable finding.
pub fn plan(root: &Path, options: &Options) -> Result<Planned, AuditFailure> {
    let report = audit::run(root, &audit::Options::default())?;
    let walked = crate::walk::walk(root);
    let index = Index::build(root, walked.files);
    let facts = Facts::new(&index, crate::facts::text::DEFAULT_MAX_FILE_SIZE);
    let apps: Vec<App> = crate::apps::discover(&facts);
    let repo = RepoContext::new(&facts, &apps);

    let wanted = |f: &Finding| {
        options.rules.is_empty()
            || options
                .rules
                .iter()
                .any(|r| rules::find(r).is_some_and(|rule| rule.meta.name == f.rule))
    };
    let mut findings: Vec<&Finding> = report.findings.iter().filter(|f| wanted(f)).collect();
    // The deployment fix runs in this plan: it writes the platform's files.
    let deploying = findings
        .iter()
        .any(|f| f.rule == "manual-server-deployment");
    findings.sort_by_key(|f| {
        PLAN_ORDER
            .iter()
            .position(|r| *r == f.rule)
            .unwrap_or(usize::MAX)
    });

    let mut tree = Tree::new(root);
    let mut planned = Planned {
        findings: report.findings.clone(),
        plans: Vec::new(),
        skipped: Vec::new(),
        conflicts: Vec::new(),
        changes: Vec::new(),
        moves: Vec::new(),
    };
    // What earlier plans changed about an app, for the plans after them.
    let mut intents = Intents::default();
    for finding in findings {
        let app = finding
            .app
            .as_ref()
            .and_then(|p| apps.iter().find(|a| &a.path == p))
            .or_else(|| (apps.len() == 1).then(|| &apps[0]));
        let skip = |reason: String| Skipped {
            rule: finding.rule,
            app: finding.app.clone(),
            reason,
        };
        // Start this plan's record of what it reads from earlier plans.
        tree.take_reads();
        let result = match app {
            // The catalog's remedies edit the files the finding cites.
            _ if catalog::remedy(finding.rule).is_some() => {
                let mut builder = Builder::new(&tree, finding.rule, finding.app.clone());
                let app_path = app.map(|a| a.path.as_str());
                builder.planned_health = app_path.and_then(|a| intents.planned_health(a));
                catalog::plan(&repo, finding, &mut builder)
                    .unwrap_or_else(|| Err("this rule has no automatic fix".to_string()))
                    .map(|()| builder)
            }
            Some(app) => {
                let cx = AppContext::new(&repo, app);
                let mut builder = Builder::new(&tree, finding.rule, Some(app.path.clone()));
                plan_finding(&cx, finding, options, deploying, &mut builder, &mut intents)
                    .map(|()| builder)
            }
            None if finding.rule == "backups-not-offsite" => {
                let mut builder = Builder::new(&tree, finding.rule, None);
                match backup::plan_with(&repo, finding, false, options.allow_unsafe) {
                    Some(plan) => {
                        builder.absorb(plan);
                        Ok(builder)
                    }
                    None => Err("no backup fix applies to this script yet".to_string()),
                }
            }
            None => Err(
                "the repository has several apps and the finding names none of them: seaworthy cannot tell which app to fix".to_string(),
            ),
        };
        match result {
            Ok(builder) => {
                let Builder {
                    mut plan,
                    conflicts,
                    planned_health,
                    used_planned_health,
                    ..
                } = builder;
                let read_from = tree.take_reads();
                if plan.unsafe_fix && !options.allow_unsafe {
                    intents.forget(&plan);
                    planned.skipped.push(skip(format!(
                        "unsafe: {} (pass --unsafe to apply it)",
                        unsafe_reason(plan.rule)
                    )));
                    continue;
                }
                if let Some(reason) = intents.missing_prerequisite(&plan) {
                    planned.skipped.push(skip(reason));
                    continue;
                }
                let index = planned.plans.len();
                let mut depends_on: BTreeSet<usize> = read_from;
                depends_on.extend(intents.producers_for(&plan));
                if used_planned_health {
                    depends_on.extend(planned_health.map(|(_, _, producer)| producer));
                }
                plan.depends_on = depends_on.into_iter().collect();
                if HEALTH_RULES.contains(&plan.rule) && !conflicts.is_empty() {
                    // Routes fix could not write must not be probed by the
                    // container and deployment files planned after this.
                    intents.health_incomplete(&plan, &conflicts);
                }
                intents.record(&plan, index);
                for edit in &plan.edits {
                    tree.set_by(
                        &edit.path,
                        edit.result().map(str::to_string),
                        edit.executable,
                        Some(index),
                    );
                }
                planned.conflicts.extend(conflicts);
                if !plan.edits.is_empty() || !plan.manual_steps.is_empty() {
                    planned.plans.push(plan);
                }
            }
            Err(reason) => planned.skipped.push(skip(reason)),
        }
    }
    planned.changes = tree.changes();
    let deleted = |path: &str| planned.changes.iter().any(|e| e.path == path && e.delete);
    planned.moves = planned
        .plans
        .iter()
        .flat_map(|p| p.moves.iter())
        // A copy already in place (same content) is verified all the same
        // before its original goes.
        .filter(|m| deleted(&m.from))
        .cloned()
        .collect();
    Ok(planned)
}

fn unsafe_reason(rule: &str) -> &'static str {
    match rule {
        "sqlite-in-production" => "it moves the app from SQLite to PostgreSQL, which changes where data lives and how queries behave",
        "backups-not-offsite" => "it changes what the existing backup script runs: it then needs a bucket and credentials",
        _ => catalog::remedy(rule)
            .and_then(|r| r.unsafe_because)
            .unwrap_or("it changes behaviour or data"),
    }
}

/// What the plans so far decided, per app: later plans build on it.
#[derive(Debug, Default)]
pub struct Intents {
    /// Apps moved to PostgreSQL by this run.
    pub postgres: Vec<String>,
    /// Apps given health routes by this run: (app, liveness, readiness).
    pub health: Vec<(String, String, String)>,
    /// The plan behind each intent: (rule, app, index in the run's plans).
    producers: Vec<(&'static str, String, usize)>,
    /// Apps whose health fix could not write every route: (app, why).
    health_missing: Vec<(String, String)>,
    /// What the readiness route written for an app checks, when its
    /// generator said: (app, checks).
    health_checks: Vec<(String, Vec<&'static str>)>,
}

/// The rules whose fix writes an app's health routes: all of them when
/// none exists, the readiness route beside a framework's liveness-only
/// endpoint (Rails' `/up`, Laravel's `health:`).
const HEALTH_RULES: &[&str] = &[
    "missing-health-endpoint",
    "health-check-misses-dependencies",
];

/// The fixes whose output a rule's fix wires in: the container and the
/// deployment probe the health routes and run the database the app moved
/// to; the backup job dumps that database.
fn prerequisites(rule: &str) -> &'static [&'static str] {
    match rule {
        "missing-container-config" | "manual-server-deployment" => &[
            "sqlite-in-production",
            "missing-health-endpoint",
            "health-check-misses-dependencies",
        ],
        "backups-not-offsite" => &["sqlite-in-production"],
        _ => &[],
    }
}

impl Intents {
    fn record(&mut self, plan: &FixPlan, index: usize) {
        let Some(app) = &plan.app else { return };
        if plan.rule == "sqlite-in-production" {
            self.postgres.push(app.clone());
        }
        if plan.rule == "sqlite-in-production" || HEALTH_RULES.contains(&plan.rule) {
            self.producers.push((plan.rule, app.clone(), index));
        }
    }

    /// Drops what a plan announced before it was skipped.
    fn forget(&mut self, plan: &FixPlan) {
        let Some(app) = &plan.app else { return };
        if HEALTH_RULES.contains(&plan.rule) {
            self.health.retain(|(a, _, _)| a != app);
            self.health_checks.retain(|(a, _)| a != app);
        }
    }

    fn health_incomplete(&mut self, plan: &FixPlan, conflicts: &[Conflict]) {
        let Some(app) = &plan.app else { return };
        self.forget(plan);
        let paths: Vec<&str> = conflicts.iter().map(|c| c.path.as_str()).collect();
        self.health_missing.push((
            app.clone(),
            format!(
                "it needs the health routes, and {} could not write {} (exists with different content)",
                plan.rule,
                paths.join(", ")
            ),
        ));
    }

    /// Why a plan cannot go ahead: a fix it wires in was not written.
    fn missing_prerequisite(&self, plan: &FixPlan) -> Option<String> {
        let app = plan.app.as_ref()?;
        if !prerequisites(plan.rule)
            .iter()
            .any(|r| HEALTH_RULES.contains(r))
        {
            return None;
        }
        self.health_missing
            .iter()
            .find(|(a, _)| a == app)
            .map(|(_, why)| why.clone())
    }

    /// The plans this one wires in (same app).
    fn producers_for(&self, plan: &FixPlan) -> Vec<usize> {
        let Some(app) = &plan.app else {
            return Vec::new();
        };
        self.producers
            .iter()
            .filter(|(rule, a, _)| a == app && prerequisites(plan.rule).contains(rule))
            .map(|(_, _, index)| *index)
            .collect()
    }

    pub fn moved_to_postgres(&self, app: &str) -> bool {
        self.postgres.iter().any(|a| a == app)
    }

    /// The health routes this run writes for an app, with the index of the
    /// plan that writes them.
    pub fn planned_health(&self, app: &str) -> Option<(String, String, usize)> {
        let (live, ready) = self.health_paths(app)?;
        let producer = self
            .producers
            .iter()
            .find(|(rule, a, _)| HEALTH_RULES.contains(rule) && a == app)?
            .2;
        Some((live.to_string(), ready.to_string(), producer))
    }

    /// Records the health routes a plan writes for an app, and what its
    /// readiness route checks when the generator said.
    fn add_health(
        &mut self,
        app: &str,
        live: String,
        ready: String,
        checks: Option<Vec<&'static str>>,
    ) {
        self.health.push((app.to_string(), live, ready));
        if let Some(checks) = checks {
            self.health_checks.push((app.to_string(), checks));
        }
    }

    /// What the readiness route this run writes for an app checks.
    pub fn ready_checks(&self, app: &str) -> Option<&[&'static str]> {
        self.health
            .iter()
            .any(|(a, _, _)| a == app)
            .then(|| {
                self.health_checks
                    .iter()
                    .find(|(a, _)| a == app)
                    .map(|(_, c)| c.as_slice())
            })
            .flatten()
    }

    pub fn health_paths(&self, app: &str) -> Option<(&str, &str)> {
        self.health
            .iter()
            .find(|(a, _, _)| a == app)
            .map(|(_, l, r)| (l.as_str(), r.as_str()))
    }
}

fn plan_finding(
    cx: &AppContext,
    finding: &Finding,
    options: &Options,
    deploying: bool,
    b: &mut Builder,
    intents: &mut Intents,
) -> Result<(), String> {
    let profile = profile::Profile::load(cx, b.tree, intents)?;
    let framework = cx.app.framework();
    match (finding.rule, framework) {
        // Vercel and Amplify build a Next.js app from source: what it
        // lacks is their configuration, not an image.
        ("missing-container-config", Framework::NextJs)
            if options.deploy_target.is_some_and(|t| t.builds_from_source()) =>
        {
            let target = options.deploy_target.map(|t| t.name()).unwrap_or_default();
            match options.deploy_target {
                // manual-server-deployment writes them in this run.
                Some(_) if deploying => Err(format!(
                    "--deploy-target {target}: the platform builds the app from source and needs no image; the deployment fix writes its configuration"
                )),
                Some(t) => deploy::plan(&profile, t, b, &repo_files(cx)),
                None => Ok(()),
            }
        }
        ("missing-container-config", Framework::NextJs) => nextjs::dockerfile::plan(&profile, b),
        ("missing-container-config", Framework::Express) => express::plan_container(&profile, b),
        ("missing-container-config", Framework::Django) => django::plan_container(&profile, b),
        ("missing-container-config", Framework::Rails) => rails_docker::plan_container(&profile, b),
        ("missing-container-config", Framework::Laravel) => {
            laravel_docker::plan_container(&profile, b)
        }
        ("missing-health-endpoint", Framework::NextJs) => {
            let platform_built = options.deploy_target.is_some_and(|t| t.builds_from_source());
            nextjs::health::plan(&profile, b, platform_built)?;
            intents.add_health(
                &cx.app.path,
                nextjs::health::LIVE_PATH.to_string(),
                nextjs::health::READY_PATH.to_string(),
                b.ready_checks.clone(),
            );
            Ok(())
        }
        // The app's own health route checks no back-end (liveness): a
        // readiness route is added beside it, and the route stays.
        ("health-check-misses-dependencies", Framework::NextJs) => {
            let platform_built = options.deploy_target.is_some_and(|t| t.builds_from_source());
            let (live, ready) = nextjs::health::plan_readiness(&profile, cx, b, platform_built)?;
            intents.add_health(&cx.app.path, live, ready, b.ready_checks.clone());
            Ok(())
        }
        ("missing-health-endpoint", Framework::Express) => {
            express::plan_health(&profile, b)?;
            intents.add_health(
                &cx.app.path,
                express::LIVE_PATH.to_string(),
                express::READY_PATH.to_string(),
                b.ready_checks.clone(),
            );
            Ok(())
        }
        ("missing-health-endpoint", Framework::Django) => {
            django::plan_health(&profile, b)?;
            intents.add_health(
                &cx.app.path,
                django::LIVE_PATH.to_string(),
                django::READY_PATH.to_string(),
                b.ready_checks.clone(),
            );
            Ok(())
        }
        ("missing-health-endpoint" | "health-check-misses-dependencies", Framework::Rails) => {
            let (live, ready) = rails::plan_health(&profile, b)?;
            intents.add_health(&cx.app.path, live, ready, b.ready_checks.clone());
            Ok(())
        }
        ("missing-health-endpoint" | "health-check-misses-dependencies", Framework::Laravel) => {
            let (live, ready) = laravel::plan_health(&profile, b)?;
            intents.add_health(&cx.app.path, live, ready, b.ready_checks.clone());
            Ok(())
        }
        ("apm-sdk-missing", Framework::NextJs) => nextjs::sentry::plan(&profile, finding, b),
        ("sqlite-in-production", _) => {
            // The app's files, and the root's Dockerfiles and compose files
            // when the app is in a folder of its own.
            let files: Vec<(String, Option<crate::index::FileKind>)> = cx
                .repo
                .index
                .under(cx.app.dir())
                .iter()
                .chain(cx.repo.index.under("").iter().filter(|f| {
                    !cx.app.dir().is_empty()
                        && !f.rel.contains('/')
                        && matches!(
                            f.kind,
                            Some(
                                crate::index::FileKind::Dockerfile
                                    | crate::index::FileKind::Compose
                            )
                        )
                }))
                .map(|f| (f.rel.clone(), f.kind))
                .collect();
            prisma::plan(&profile, b, &files)
        }
        ("manual-server-deployment", _) => match options.deploy_target {
            None => Err(
                "choose where the app runs: --deploy-target kubernetes, fly, render, vercel, amplify or aws".to_string(),
            ),
            Some(target) => {
                deploy::plan(&profile, target, b, &repo_files(cx))?;
                let mut scripts: Vec<String> =
                    finding.locations.iter().map(|l| l.path.clone()).collect();
                // What the old scripts start and configure on the host
                // (pm2 process files, systemd units, nginx proxies): retired
                // with them.
                for file in cx.repo.index.under("") {
                    if !scripts.contains(&file.rel)
                        && deploy::host_runtime_file(&file.rel, || b.read(&file.rel))
                    {
                        scripts.push(file.rel.clone());
                    }
                }
                scripts.sort();
                scripts.dedup();
                b.manual(format!(
                    "The old deployment scripts stay in place ({}): retire them once the new deployment runs.",
                    scripts.join(", ")
                ));
                Ok(())
            }
        },
        ("backups-not-offsite", _) => {
            match backup::plan_with(
                cx.repo,
                finding,
                intents.moved_to_postgres(&cx.app.path),
                options.allow_unsafe,
            ) {
                Some(plan) => {
                    b.absorb(plan);
                    Ok(())
                }
                None => Err("no backup fix applies to this script yet".to_string()),
            }
        }
        (rule, framework) => Err(if PLAN_ORDER.contains(&rule) {
            format!("no fix for {} apps yet", framework.label())
        } else {
            "this rule has no automatic fix".to_string()
        }),
    }
}

/// The repository's files and their kinds.
fn repo_files(cx: &AppContext) -> Vec<(String, Option<crate::index::FileKind>)> {
    cx.repo
        .index
        .under("")
        .iter()
        .map(|f| (f.rel.clone(), f.kind))
        .collect()
}

/// Builds one plan against the tree: creating a file that already exists
/// with the same content is a no-op, with other content a conflict.
pub struct Builder<'t> {
    pub tree: &'t Tree,
    pub plan: FixPlan,
    pub conflicts: Vec<Conflict>,
    /// The health routes an earlier plan of this run writes for the app:
    /// (liveness, readiness, that plan's index). Catalog remedies that
    /// probe the app read them (the audit only sees the routes on disk).
    pub planned_health: Option<(String, String, usize)>,
    /// Whether this plan used `planned_health`: it then depends on the
    /// plan that writes the routes.
    pub used_planned_health: bool,
    /// What the readiness route a health fix writes checks ("database",
    /// "redis"), when the generator knows: the container and deployment
    /// files say it in their comments.
    pub ready_checks: Option<Vec<&'static str>>,
}

impl<'t> Builder<'t> {
    pub fn new(tree: &'t Tree, rule: &'static str, app: Option<String>) -> Builder<'t> {
        Builder {
            tree,
            plan: FixPlan {
                rule,
                app,
                ..FixPlan::default()
            },
            conflicts: Vec::new(),
            planned_health: None,
            used_planned_health: false,
            ready_checks: None,
        }
    }

    /// The current content of a file: the tree with this plan's edits.
    pub fn read(&self, path: &str) -> Option<String> {
        if let Some(edit) = self.plan.edits.iter().rev().find(|e| e.path == path) {
            return edit.result().map(str::to_string);
        }
        self.tree.read(path)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.read(path).is_some()
    }

    /// Creates `path` unless it exists: same content → nothing to do;
    /// other content → a conflict, never an overwrite.
    pub fn create(&mut self, path: &str, content: String, executable: bool) {
        match self.read(path) {
            Some(existing) if existing == content => {}
            Some(existing) => self.conflicts.push(Conflict {
                rule: self.plan.rule,
                path: path.to_string(),
                existing,
                proposed: content,
            }),
            None => {
                let edit = Edit::create(path, content);
                self.plan
                    .edits
                    .push(if executable { edit.executable() } else { edit });
            }
        }
    }

    /// Replaces the content of an existing file.
    pub fn modify(&mut self, path: &str, after: String) {
        let Some(current) = self.read(path) else {
            return;
        };
        if current == after {
            return;
        }
        match self.plan.edits.iter_mut().rev().find(|e| e.path == path) {
            Some(edit) => edit.after = after,
            None => self.plan.edits.push(Edit::modify(path, current, after)),
        }
    }

    pub fn delete(&mut self, path: &str) {
        if let Some(before) = self.read(path) {
            self.plan.edits.push(Edit::delete(path, before));
        }
    }

    /// Moves a file: creates `to` with its content, deletes `from`. The
    /// transaction writes and verifies the copy before it deletes anything.
    /// When `to` exists with other content (a conflict) the original stays.
    pub fn move_file(&mut self, from: &str, to: &str) {
        let Some(content) = self.read(from) else {
            return;
        };
        if let Some(existing) = self.read(to).filter(|existing| *existing != content) {
            self.conflicts.push(Conflict {
                rule: self.plan.rule,
                path: to.to_string(),
                existing,
                proposed: content,
            });
            return;
        }
        // Listed delete-then-create like any move; the transaction, not
        // this order, decides that the copy is written first.
        self.delete(from);
        self.create(to, content, false);
        self.plan.moves.push(Move {
            from: from.to_string(),
            to: to.to_string(),
        });
    }

    pub fn manual(&mut self, step: impl Into<String>) {
        push_unique(&mut self.plan.manual_steps, step.into());
    }

    pub fn next(&mut self, command: impl Into<String>) {
        push_unique(&mut self.plan.next_commands, command.into());
    }

    pub fn assume(&mut self, what: impl Into<String>) {
        push_unique(&mut self.plan.assumptions, what.into());
    }

    /// Takes over a plan built elsewhere (the backup generators), checking
    /// its creations against the tree like any other.
    pub fn absorb(&mut self, plan: FixPlan) {
        self.plan.unsafe_fix |= plan.unsafe_fix;
        for edit in plan.edits {
            if edit.delete {
                self.delete(&edit.path);
            } else if edit.before.is_none() {
                self.create(&edit.path, edit.after, edit.executable);
            } else {
                self.modify(&edit.path, edit.after);
            }
        }
        for s in plan.manual_steps {
            self.manual(s);
        }
        for c in plan.next_commands {
            self.next(c);
        }
        for a in plan.assumptions {
            self.assume(a);
        }
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// How `run` ends.
pub struct RunOutput {
    /// The report for stdout.
    pub text: String,
    /// 0 when the run did what was asked; 2 when it refused (no version
    /// control, uncommitted changes, a preflight problem) or could not write
    /// (then everything it wrote was rolled back).
    pub code: u8,
    /// Messages for stderr.
    pub notes: Vec<String>,
}

impl RunOutput {
    fn refused(text: String, notes: Vec<String>) -> RunOutput {
        RunOutput {
            text,
            code: 2,
            notes,
        }
    }
}

/// The whole command: finish an interrupted run, plan, then print diffs
/// (`dry_run`) or check version control, preflight, apply as one
/// transaction and re-check.
pub fn run(root: &Path, options: &Options, dry_run: bool) -> Result<RunOutput, AuditFailure> {
    let mut notes = Vec::new();
    // A run killed mid-transaction left its journal: undo it before
    // planning, so the plan starts from the tree as it was.
    if dry_run {
        if root.join(transaction::JOURNAL_DIR).exists() {
            notes.push(format!(
                "note: an interrupted `seaworthy fix` left its undo journal ({}/); the next `seaworthy fix` rolls it back first, and this dry run plans against the files as they are now",
                transaction::JOURNAL_DIR
            ));
        }
    } else {
        match transaction::recover(root) {
            Ok(transaction::Recovery::Nothing) => {}
            Ok(transaction::Recovery::Completed) => notes.push(
                "note: an interrupted `seaworthy fix` had committed its changes; its leftover undo journal was removed".to_string(),
            ),
            Ok(transaction::Recovery::RolledBack(outcome)) => notes.push(format!(
                "note: an interrupted `seaworthy fix` was rolled back first: {outcome}"
            )),
            Err(e) => {
                notes.push(format!(
                    "error: an interrupted `seaworthy fix` left its undo journal ({}/) and it could not be rolled back: {e}\nnothing else was written; fix the cause and run `seaworthy fix` again",
                    transaction::JOURNAL_DIR
                ));
                return Ok(RunOutput::refused(String::new(), notes));
            }
        }
    }
    let planned = plan(root, options)?;
    // A deployment target only shapes the deployment fix: say so when there
    // is none to shape, rather than ignore the option without a word.
    if options.deploy_target.is_some()
        && !planned
            .plans
            .iter()
            .any(|p| p.rule == "manual-server-deployment")
    {
        let why = planned
            .skipped
            .iter()
            .find(|s| s.rule == "manual-server-deployment")
            .map(|s| format!(" (the deployment fix was skipped: {})", s.reason))
            .unwrap_or_else(|| {
                " (no manual-server-deployment finding: the repository already has a deployment definition, or deploys by hand in no way seaworthy reports)".to_string()
            });
        notes.push(format!(
            "note: --deploy-target was given but nothing uses it{why}"
        ));
    }
    let mut text = String::new();
    if planned.is_empty() && planned.conflicts.is_empty() {
        text.push_str("nothing to fix\n");
        if !planned.skipped.is_empty() || !planned.plans.is_empty() {
            text.push('\n');
            text.push_str(&report::summary(&planned, !dry_run));
        }
        return Ok(RunOutput {
            text,
            code: 0,
            notes,
        });
    }
    text.push_str(&report::plans(&planned, dry_run));
    if dry_run {
        if let apply::GitState::Dirty(files) = apply::git_state(root, &planned.changes) {
            notes.push(format!(
                "note: {} uncommitted changes; applying will need --allow-dirty",
                if files.len() == 1 {
                    format!("{} has", files[0])
                } else {
                    format!("{} have", files.join(", "))
                }
            ));
        }
        text.push_str("(dry run: nothing was written)\n\n");
        text.push_str(&report::summary(&planned, false));
        return Ok(RunOutput {
            text,
            code: 0,
            notes,
        });
    }
    // Only conflicts: nothing to write (the diffs above say why), so
    // nothing to check before writing either.
    if !planned.changes.is_empty() {
        if let Some(refusal) = write(root, options, &planned, &text, &mut notes) {
            return Ok(refusal);
        }
    }
    let after = audit::run(root, &audit::Options::default())?;
    text.push_str(&report::recheck(&planned, &after.findings));
    text.push_str(&report::summary(&planned, true));
    Ok(RunOutput {
        text,
        code: 0,
        notes,
    })
}

/// Checks version control, uncommitted changes and the preflight, then
/// applies the changes as one transaction. Returns the refusal when it did
/// not write (or rolled back).
fn write(
    root: &Path,
    options: &Options,
    planned: &Planned,
    text: &str,
    notes: &mut Vec<String>,
) -> Option<RunOutput> {
    let refused = |notes: &mut Vec<String>, text: &str| {
        Some(RunOutput::refused(text.to_string(), std::mem::take(notes)))
    };
    match apply::git_state(root, &planned.changes) {
        apply::GitState::NotARepo => match apply::other_vcs(root) {
            Some(vcs) => notes.push(format!(
                "note: not inside a git work tree ({vcs} found): cannot check the files for uncommitted changes"
            )),
            None if options.allow_no_vcs => notes.push(
                "note: not inside a git work tree, nor any version control (--allow-no-vcs): cannot check the files for uncommitted changes"
                    .to_string(),
            ),
            None => {
                notes.push(
                    "error: no version control found: `seaworthy fix` edits and moves files (SQLite migrations among them), and without version control there is no review and no undo\ncommit the project to git first, or pass --allow-no-vcs to write anyway".to_string(),
                );
                return refused(notes, text);
            }
        },
        apply::GitState::Clean => {}
        apply::GitState::Dirty(files) if !options.allow_dirty => {
            notes.push(format!(
                "error: these files have uncommitted changes and `seaworthy fix` would edit them:\n{}\ncommit or stash them first, or pass --allow-dirty to edit them anyway",
                files
                    .iter()
                    .map(|f| format!("  {f}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
            return refused(notes, "");
        }
        apply::GitState::Dirty(_) => {}
    }
    let problems = transaction::preflight(root, &planned.changes);
    if !problems.is_empty() {
        notes.push(report::preflight_refusal(planned, &problems));
        return refused(notes, text);
    }
    if let Err(failure) = transaction::apply(root, &planned.changes, &planned.moves, options.fault)
    {
        notes.push(report::apply_failure(planned, &failure));
        return refused(notes, text);
    }
    None
}

/// The plans that cannot be applied when `paths` cannot be written: those
/// that write them, and every plan built on those (transitively). Sorted
/// indices in [`Planned::plans`]; a problem with no path of its own (the
/// journal) blocks them all.
pub fn blocked_plans(planned: &Planned, paths: &[&str]) -> Vec<usize> {
    let mut blocked: BTreeSet<usize> = planned
        .plans
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            paths.contains(&transaction::JOURNAL_DIR)
                || p.edits.iter().any(|e| paths.contains(&e.path.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
    loop {
        let more: Vec<usize> = planned
            .plans
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                !blocked.contains(i) && p.depends_on.iter().any(|d| blocked.contains(d))
            })
            .map(|(i, _)| i)
            .collect();
        if more.is_empty() {
            return blocked.into_iter().collect();
        }
        blocked.extend(more);
    }
}

/// The findings of a re-check that match a fixed one (same rule and app).
pub fn still_there<'a>(fixed: &FixPlan, after: &'a [Finding]) -> Vec<&'a Finding> {
    after
        .iter()
        // A repo-wide finding (app None) planned for the only app matches
        // it. A catalog remedy edits the files its finding cites: a no-app
        // finding that cites none of those is another finding of the rule
        // (a database's Deployment beside the app's), not this one left.
        .filter(|f| {
            f.rule == fixed.rule
                && (fixed.app.is_none()
                    || f.app == fixed.app
                    || (f.app.is_none()
                        && (fixed.cited.is_empty()
                            || f.locations.is_empty()
                            || f.locations.iter().any(|l| fixed.cited.contains(&l.path)))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creating_an_existing_file_is_a_no_op_or_a_conflict() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("Dockerfile"), "FROM node:22\n").expect("write");
        let tree = Tree::new(dir.path());
        let mut b = Builder::new(&tree, "missing-container-config", Some(".".into()));
        b.create("Dockerfile", "FROM node:22\n".into(), false);
        assert!(b.plan.edits.is_empty() && b.conflicts.is_empty());
        b.create("Dockerfile", "FROM node:22-slim\n".into(), false);
        assert!(b.plan.edits.is_empty());
        assert_eq!(b.conflicts.len(), 1);
        b.create(".dockerignore", "node_modules\n".into(), false);
        assert_eq!(b.plan.edits.len(), 1);
        // A later edit of a file this plan created folds into the creation.
        b.modify(".dockerignore", "node_modules\n.git\n".into());
        assert_eq!(b.plan.edits.len(), 1);
        assert_eq!(b.plan.edits[0].before, None);
        assert_eq!(b.plan.edits[0].after, "node_modules\n.git\n");
    }

    #[test]
    fn the_tree_reports_net_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a"), "1\n").expect("write");
        let mut tree = Tree::new(dir.path());
        tree.set("a", Some("2\n".into()), false);
        tree.set("a", Some("1\n".into()), false);
        tree.set("b", Some("new\n".into()), true);
        let changes = tree.changes();
        assert_eq!(changes.len(), 1, "a is back to its content: no change");
        assert_eq!(changes[0].path, "b");
        assert!(changes[0].executable);
    }
}
