//! The pipeline end to end: walk → index → apps → facts → rules → findings.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::apps::{self, App};
use crate::baseline::Baseline;
use crate::config::{Config, ConfigError};
use crate::facts::{text::DEFAULT_MAX_FILE_SIZE, Facts};
use crate::finding::{AuditError, Finding};
use crate::index::Index;
use crate::rules::{self, AppContext, Check, RepoContext};
use crate::score::{self, Scores};
use crate::{suppress, walk};

#[derive(Debug)]
pub struct Options {
    /// Files larger than this are skipped with an error entry.
    pub max_file_size: u64,
    /// Which configuration to use.
    pub config: ConfigSource,
    /// Findings already accepted: only new ones are reported.
    pub baseline: Option<Baseline>,
    /// The day suppressions expire against.
    pub today: time::Date,
}

#[derive(Debug, Clone)]
pub enum ConfigSource {
    /// `seaworthy.toml` from the audited path upward to the repository root.
    Discover,
    File(std::path::PathBuf),
    None,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            config: ConfigSource::Discover,
            baseline: None,
            today: time::OffsetDateTime::now_utc().date(),
        }
    }
}

/// An app as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct AppSummary {
    pub path: String,
    pub name: Option<String>,
    pub stacks: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Report {
    /// The root as the user gave it.
    pub root: String,
    pub apps: Vec<AppSummary>,
    pub findings: Vec<Finding>,
    pub errors: Vec<AuditError>,
    /// Findings hidden by suppressions (inline or in seaworthy.toml).
    pub suppressed: usize,
    /// Findings hidden because the baseline already has them.
    pub baseline_matched: usize,
    pub scores: Scores,
    /// The configuration file used, if any.
    pub config: Option<String>,
    /// The backups checked where they are stored (`--backups`, or the
    /// bucket the repository names with `check --probe`): for the reports'
    /// backup section, verified or not. Not part of the JSON document.
    pub backups: Option<crate::probe::backups::Verification>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditFailure {
    #[error("{0}: no such directory")]
    NotFound(String),
    #[error("{0}: not a directory")]
    NotADirectory(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

pub fn run(root: &Path, options: &Options) -> Result<Report, AuditFailure> {
    run_inner(root, options, false).map(|(report, _)| report)
}

/// The audit, and what the repository tells a probe of its deployment
/// (`check --probe`): read from the same index and facts, no second walk.
pub fn run_with_hints(
    root: &Path,
    options: &Options,
) -> Result<(Report, crate::probe::repository::Hints), AuditFailure> {
    run_inner(root, options, true).map(|(report, hints)| (report, hints.unwrap_or_default()))
}

fn run_inner(
    root: &Path,
    options: &Options,
    want_hints: bool,
) -> Result<(Report, Option<crate::probe::repository::Hints>), AuditFailure> {
    let shown = root.display().to_string();
    let meta = std::fs::metadata(root).map_err(|_| AuditFailure::NotFound(shown.clone()))?;
    if !meta.is_dir() {
        return Err(AuditFailure::NotADirectory(shown));
    }

    let (config_path, config) = load_config(root, options)?;
    let config_rel = config_path.as_ref().map(|p| {
        let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let canonical = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        match canonical.strip_prefix(&canonical_root) {
            Ok(rel) => walk::relative(Path::new(""), rel),
            Err(_) => p.display().to_string(),
        }
    });

    let mut timings = Timings::from_env();
    let walked = walk::walk(root);
    timings.lap("walk");
    let index = Index::build(root, walked.files);
    timings.lap("index");
    let facts = Facts::new(&index, options.max_file_size);
    let ignored = config.ignored_paths();
    let apps = configured_apps(&facts, &config);
    let workers: Vec<App> = crate::workers::discover(&facts, &apps)
        .into_iter()
        .filter(|w| configured(&config, &ignored, w))
        .collect();
    timings.lap("apps");
    let (findings, hints) = run_rules(&facts, &apps, &workers, &mut timings, want_hints);
    let mut findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| !config.is_disabled(f.rule, f.app.as_deref()))
        .filter(|f| {
            f.locations.is_empty() || !f.locations.iter().all(|l| ignored.is_match(&l.path))
        })
        .map(|mut f| {
            if let Some(severity) = config.severity_override(f.rule) {
                f.severity = severity;
            }
            f
        })
        .collect();
    crate::rules::database::sqlite_on_serverless::fold_into_sqlite_in_production(&mut findings);

    timings.lap("rules");
    // Evidence files are read for their inline suppressions; the small
    // ones the rules read are kept by the facts and not read again.
    let read = |rel: &str| match index.find(rel) {
        Some(id) => facts.raw_text_capped(id, crate::facts::text::DEFAULT_MAX_FILE_SIZE),
        None => crate::facts::text::read_text(
            &root.join(rel),
            crate::facts::text::DEFAULT_MAX_FILE_SIZE,
        )
        .ok(),
    };
    let applied = suppress::apply(
        &read,
        findings,
        &config,
        config_rel.as_deref(),
        options.today,
    );
    timings.lap("suppressions");
    let mut findings = applied.kept;
    findings.extend(applied.expired);
    sort_findings(&mut findings);
    let (findings, baseline_matched) = match &options.baseline {
        Some(baseline) => baseline.filter(findings),
        None => (findings, 0),
    };

    let mut errors = walked.errors;
    errors.extend(facts.into_errors());
    errors.extend(applied.errors);
    errors.sort();
    errors.dedup();

    // Workers are production components too: listed and scored with the
    // apps, after them.
    let apps: Vec<AppSummary> = apps
        .iter()
        .chain(workers.iter())
        .map(|a| AppSummary {
            path: a.path.clone(),
            name: a.name.clone(),
            stacks: a.stacks.clone(),
        })
        .collect();
    let scores = score::compute(&apps, &findings);
    let report = Report {
        root: shown,
        apps,
        findings,
        errors,
        suppressed: applied.suppressed,
        baseline_matched,
        scores,
        config: config_rel,
        backups: None,
    };
    Ok((report, hints))
}

/// The configuration file the options name or `Config::discover` finds,
/// and its settings.
fn load_config(
    root: &Path,
    options: &Options,
) -> Result<(Option<std::path::PathBuf>, Config), AuditFailure> {
    let config_path = match &options.config {
        ConfigSource::Discover => Config::discover(root),
        ConfigSource::File(path) => Some(path.clone()),
        ConfigSource::None => None,
    };
    let config = match &config_path {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    Ok((config_path, config))
}

/// The apps of the tree, without those the configuration ignores.
fn configured_apps(facts: &Facts, config: &Config) -> Vec<App> {
    let ignored = config.ignored_paths();
    apps::discover(facts)
        .into_iter()
        .filter(|a| configured(config, &ignored, a))
        .collect()
}

/// Whether the configuration keeps an app (or a worker): not ignored by
/// its own entry nor by an ignored path.
fn configured(config: &Config, ignored: &globset::GlobSet, a: &App) -> bool {
    let app_config = config.apps.get(&a.path);
    !app_config.is_some_and(|c| c.ignore)
        && !ignored.is_match(&a.path)
        && !ignored.is_match(format!("{}/", a.path))
}

/// What the files `wanted` (paths relative to `root`; a folder stands for
/// the deployment-related files under it, "" for the whole tree) are for,
/// as the file-role model judged them in an audit of `root` with these
/// options (`seaworthy explain --files`). Paths not in the audited tree
/// come back with `None`.
pub fn explain_files(
    root: &Path,
    options: &Options,
    wanted: &[String],
) -> Result<Vec<crate::roles::Explained>, AuditFailure> {
    let shown = root.display().to_string();
    let meta = std::fs::metadata(root).map_err(|_| AuditFailure::NotFound(shown.clone()))?;
    if !meta.is_dir() {
        return Err(AuditFailure::NotADirectory(shown));
    }
    let (_, config) = load_config(root, options)?;
    let walked = walk::walk(root);
    let index = Index::build(root, walked.files);
    let facts = Facts::new(&index, options.max_file_size);
    let apps = configured_apps(&facts, &config);
    let repo = RepoContext::new(&facts, &apps);
    Ok(crate::roles::explain(&repo, wanted))
}

impl Report {
    /// Adds the findings of a live probe of the deployment
    /// (`check --probe URL`): repository-wide findings, in report order, and
    /// the scores computed again over both.
    pub fn merge_live(&mut self, live: Report) {
        self.findings.extend(live.findings);
        sort_findings(&mut self.findings);
        self.errors.extend(live.errors);
        if live.backups.is_some() {
            self.backups = live.backups;
        }
        self.scores = score::compute(&self.apps, &self.findings);
    }
}

/// Phase durations on stderr when `SEAWORTHY_TIMINGS` is set: for
/// performance work (`bench/README.md`), never part of a report.
struct Timings {
    last: Option<std::time::Instant>,
}

impl Timings {
    fn from_env() -> Timings {
        Timings {
            last: std::env::var_os("SEAWORTHY_TIMINGS").map(|_| std::time::Instant::now()),
        }
    }

    fn lap(&mut self, phase: &str) {
        if let Some(last) = self.last {
            eprintln!(
                "seaworthy: {phase}: {:.1} ms",
                last.elapsed().as_secs_f64() * 1000.0
            );
            self.last = Some(std::time::Instant::now());
        }
    }
}

/// Report order: section, then catalog order (the reference report's order
/// within a section), then app and evidence.
pub fn sort_findings(findings: &mut [Finding]) {
    // A rule's catalog position is looked up once per finding, not once per
    // comparison (a name search over the catalog each time).
    let position = |f: &Finding| {
        rules::ALL
            .iter()
            .position(|r| r.meta.name == f.rule)
            .unwrap_or(usize::MAX)
    };
    let mut keyed: Vec<(usize, usize)> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (position(f), i))
        .collect();
    keyed.sort_by(|(pa, a), (pb, b)| {
        let (a, b) = (&findings[*a], &findings[*b]);
        a.category
            .cmp(&b.category)
            .then(pa.cmp(pb))
            .then(a.app.cmp(&b.app))
            .then(a.locations.cmp(&b.locations))
    });
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    permute(findings, order);
}

/// Puts `items[order[k]]` at position `k`, in place (cycle by cycle).
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != start {
            let next = order[current];
            items.swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

fn run_rules(
    facts: &Facts,
    apps: &[App],
    workers: &[App],
    timings: &mut Timings,
    want_hints: bool,
) -> (Vec<Finding>, Option<crate::probe::repository::Hints>) {
    let repo = RepoContext::new(facts, apps);
    // One context per app, shared by every rule: what it lists once (the
    // app's source files, nested packages) is listed once for all of them.
    let contexts: Vec<AppContext> = apps.iter().map(|a| AppContext::new(&repo, a)).collect();
    let worker_contexts: Vec<AppContext> =
        workers.iter().map(|w| AppContext::new(&repo, w)).collect();
    timings.lap("app contexts");
    rules::read_app_code_ahead(&repo, &contexts);
    timings.lap("app code read ahead");
    rules::parse_operations_ahead(&repo);
    timings.lap("operations files parsed ahead");
    // Every (rule, app) pair and every repo-wide rule is an independent job.
    // The repo-wide ones come first: one of them can take a tenth of the
    // phase on a monorepo of a thousand services, and started last it would
    // leave the other threads idle while it runs. (The findings are sorted
    // afterwards, so the order of the jobs changes nothing in the report.)
    let mut jobs: Vec<(usize, Option<&AppContext>)> = Vec::new();
    for (i, rule) in rules::ALL.iter().enumerate() {
        if let Check::Repo(_) = rule.check {
            jobs.push((i, None));
        }
    }
    for (i, rule) in rules::ALL.iter().enumerate() {
        if let Check::App(_) = rule.check {
            jobs.extend(contexts.iter().map(|cx| (i, Some(cx))));
            if rules::WORKER_RULES.contains(&rule.meta.name) {
                jobs.extend(worker_contexts.iter().map(|cx| (i, Some(cx))));
            }
        }
    }
    let findings: Vec<(usize, Finding)> = jobs
        .par_iter()
        .flat_map_iter(|(i, cx)| {
            let found = match (&rules::ALL[*i].check, cx) {
                (Check::Repo(check), _) => check(&repo),
                (Check::App(check), Some(cx)) => check(cx),
                (Check::App(_), None) | (Check::Meta, _) => Vec::new(),
            };
            found.into_iter().map(move |f| (*i, f))
        })
        .collect();

    let mut findings: Vec<Finding> = findings.into_iter().map(|(_, f)| f).collect();
    sort_findings(&mut findings);
    // Apps that share a workspace package (a `packages/db` schema) would each
    // report the same evidence; keep the first.
    findings.dedup_by(|b, a| a.rule == b.rule && a.locations == b.locations);
    // Read after the rules: what they parsed and listed is cached.
    let hints = want_hints.then(|| crate::probe::repository::hints(&repo, &contexts));
    (findings, hints)
}

#[cfg(test)]
mod tests {
    use super::permute;

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        for order in [
            vec![2, 0, 1],
            vec![0, 1, 2, 3],
            vec![3, 2, 1, 0],
            vec![1, 0, 3, 2, 4],
        ] {
            let items: Vec<char> = "abcde".chars().take(order.len()).collect();
            let expected: Vec<char> = order.iter().map(|i| items[*i]).collect();
            let mut permuted = items.clone();
            permute(&mut permuted, order);
            assert_eq!(permuted, expected);
        }
    }
}
