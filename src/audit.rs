//! The pipeline end to end: walk → index → apps → facts → rules → findings.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::apps::{self, App};
use crate::facts::{text::DEFAULT_MAX_FILE_SIZE, Facts};
use crate::finding::{AuditError, Finding};
use crate::index::Index;
use crate::rules::{self, AppContext, Check, RepoContext};
use crate::walk;

#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are skipped with an error entry.
    pub max_file_size: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
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
}

#[derive(Debug, thiserror::Error)]
pub enum AuditFailure {
    #[error("{0}: no such directory")]
    NotFound(String),
    #[error("{0}: not a directory")]
    NotADirectory(String),
}

pub fn run(root: &Path, options: &Options) -> Result<Report, AuditFailure> {
    let shown = root.display().to_string();
    let meta = std::fs::metadata(root).map_err(|_| AuditFailure::NotFound(shown.clone()))?;
    if !meta.is_dir() {
        return Err(AuditFailure::NotADirectory(shown));
    }

    let walked = walk::walk(root);
    let index = Index::build(walked.files);
    let facts = Facts::new(&index, options.max_file_size);
    let apps = apps::discover(&facts);
    let findings = run_rules(&facts, &apps);

    let mut errors = walked.errors;
    errors.extend(facts.into_errors());
    errors.sort();
    errors.dedup();

    Ok(Report {
        root: shown,
        apps: apps
            .iter()
            .map(|a| AppSummary {
                path: a.path.clone(),
                name: a.name.clone(),
                stacks: a.stacks.clone(),
            })
            .collect(),
        findings,
        errors,
    })
}

fn run_rules(facts: &Facts, apps: &[App]) -> Vec<Finding> {
    let repo = RepoContext::new(facts, apps);
    // Every (rule, app) pair and every repo-wide rule is an independent job.
    let mut jobs: Vec<(usize, Option<&App>)> = Vec::new();
    for (i, rule) in rules::ALL.iter().enumerate() {
        match rule.check {
            Check::Repo(_) => jobs.push((i, None)),
            Check::App(_) => jobs.extend(apps.iter().map(|a| (i, Some(a)))),
        }
    }
    let mut findings: Vec<(usize, Finding)> = jobs
        .par_iter()
        .flat_map_iter(|(i, app)| {
            let found = match (&rules::ALL[*i].check, app) {
                (Check::Repo(check), _) => check(&repo),
                (Check::App(check), Some(app)) => check(&AppContext::new(&repo, app)),
                (Check::App(_), None) => Vec::new(),
            };
            found.into_iter().map(move |f| (*i, f))
        })
        .collect();

    // Report order: section, then catalog order (the reference report's
    // order within a section), then app and evidence.
    findings.sort_by(|(ia, a), (ib, b)| {
        a.category
            .cmp(&b.category)
            .then(ia.cmp(ib))
            .then(a.app.cmp(&b.app))
            .then(a.locations.cmp(&b.locations))
    });
    // Apps that share a workspace package (a `packages/db` schema) would each
    // report the same evidence; keep the first.
    findings.dedup_by(|b, a| a.1.rule == b.1.rule && a.1.locations == b.1.locations);
    findings.into_iter().map(|(_, f)| f).collect()
}
