//! Readiness scores, so progress is visible between audits.
//!
//! Formula: each app starts at 100 and loses points per open finding that
//! concerns it — its own findings and the repository-wide ones — by
//! severity: critical 40, high 20, medium 10, low 5, info 0; the score never
//! drops below 0. A category's score is the same formula over that
//! category's findings. The repository's score is the lowest app score (or,
//! without apps, the formula over repository-wide findings).

use serde::Serialize;

use crate::audit::AppSummary;
use crate::finding::{Category, Finding, Severity};

pub fn penalty(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 40,
        Severity::High => 20,
        Severity::Medium => 10,
        Severity::Low => 5,
        Severity::Info => 0,
    }
}

fn score<'a>(findings: impl Iterator<Item = &'a Finding>) -> u32 {
    let lost: u32 = findings.map(|f| penalty(f.severity)).sum();
    100u32.saturating_sub(lost)
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryScore {
    pub category: Category,
    pub score: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppScore {
    pub app: String,
    pub score: u32,
    pub categories: Vec<CategoryScore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub repository: u32,
    pub apps: Vec<AppScore>,
}

pub fn compute(apps: &[AppSummary], findings: &[Finding]) -> Scores {
    let concerns = |f: &&Finding, app: &str| f.app.is_none() || f.app.as_deref() == Some(app);
    let app_scores: Vec<AppScore> = apps
        .iter()
        .map(|a| AppScore {
            app: a.path.clone(),
            score: score(findings.iter().filter(|f| concerns(f, &a.path))),
            categories: Category::ALL
                .iter()
                .map(|c| CategoryScore {
                    category: *c,
                    score: score(
                        findings
                            .iter()
                            .filter(|f| concerns(f, &a.path) && f.category == *c),
                    ),
                })
                .collect(),
        })
        .collect();
    let repository = app_scores
        .iter()
        .map(|a| a.score)
        .min()
        .unwrap_or_else(|| score(findings.iter().filter(|f| f.app.is_none())));
    Scores {
        repository,
        apps: app_scores,
    }
}
