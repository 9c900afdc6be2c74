//! Readiness scores, so progress is visible between audits.
//!
//! Formula: each app starts at 100 and loses points per open finding that
//! concerns it — its own findings and the repository-wide ones — by
//! severity: critical 40, high 20, medium 10, low 5, info 0; the score never
//! drops below 0. A category's score is the same formula over that
//! category's findings. The repository's score is the lowest app score (or,
//! without apps, the formula over repository-wide findings).

use std::collections::HashMap;

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
    // Points lost are summed once per app and category: scoring each app by
    // filtering the whole list made this O(apps × findings), the last
    // quadratic step on monorepos of thousands of services.
    let mut by_app: HashMap<&str, Lost> = HashMap::new();
    let mut repo_wide = Lost::default();
    for f in findings {
        match f.app.as_deref() {
            Some(app) => by_app.entry(app).or_default().add(f),
            None => repo_wide.add(f),
        }
    }
    let app_scores: Vec<AppScore> = apps
        .iter()
        .map(|a| {
            let own = by_app.get(a.path.as_str()).cloned().unwrap_or_default();
            AppScore {
                app: a.path.clone(),
                score: remaining(own.total + repo_wide.total),
                categories: Category::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, c)| CategoryScore {
                        category: *c,
                        score: remaining(own.per_category[i] + repo_wide.per_category[i]),
                    })
                    .collect(),
            }
        })
        .collect();
    let repository = app_scores
        .iter()
        .map(|a| a.score)
        .min()
        .unwrap_or_else(|| remaining(repo_wide.total));
    Scores {
        repository,
        apps: app_scores,
    }
}

/// Points lost, in all and per category (indexed as `Category::ALL`).
#[derive(Debug, Clone, Default)]
struct Lost {
    total: u32,
    per_category: [u32; Category::ALL.len()],
}

impl Lost {
    fn add(&mut self, f: &Finding) {
        let points = penalty(f.severity);
        self.total = self.total.saturating_add(points);
        if let Some(i) = Category::ALL.iter().position(|c| *c == f.category) {
            self.per_category[i] = self.per_category[i].saturating_add(points);
        }
    }
}

fn remaining(lost: u32) -> u32 {
    100u32.saturating_sub(lost)
}
