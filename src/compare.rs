//! `seaworthy diff OLD.json NEW.json`: what changed between two audits.
//!
//! Both inputs are reports written by `check --format json`. Findings are
//! matched the way baselines match them (`finding::fingerprint_of`: rule,
//! app, evidence files, message without its numbers); a finding whose
//! message changed while its rule, app and evidence files stayed is the same
//! finding, still open. What is left of the old report was fixed, what is
//! left of the new one is new. Scores are compared per app and for the
//! repository, so a team can show progress between two audits.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::{fingerprint_of, Severity};

/// The parts of a JSON report that a comparison reads.
#[derive(Debug, Clone, Deserialize)]
pub struct SavedReport {
    pub schema_version: u32,
    pub root: String,
    pub findings: Vec<SavedFinding>,
    pub scores: SavedScores,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SavedFinding {
    pub rule: String,
    pub code: String,
    pub severity: String,
    pub category: String,
    pub app: Option<String>,
    pub title: String,
    pub message: String,
    #[serde(default)]
    pub locations: Vec<SavedLocation>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SavedLocation {
    pub path: String,
    pub line: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SavedScores {
    pub repository: u32,
    #[serde(default)]
    pub apps: Vec<SavedAppScore>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SavedAppScore {
    pub app: String,
    pub score: u32,
}

impl SavedFinding {
    fn fingerprint(&self) -> String {
        fingerprint_of(
            &self.rule,
            self.app.as_deref(),
            self.locations.iter().map(|l| l.path.as_str()),
            &self.message,
        )
    }

    /// Rule, app and evidence files: the same finding worded differently.
    fn place(&self) -> (String, Option<String>, Vec<String>) {
        (
            self.rule.clone(),
            self.app.clone(),
            self.locations.iter().map(|l| l.path.clone()).collect(),
        )
    }

    pub fn severity(&self) -> Option<Severity> {
        Severity::parse(&self.severity)
    }
}

impl SavedReport {
    pub fn load(path: &Path) -> Result<SavedReport, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let report: SavedReport = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: not a seaworthy JSON report (`seaworthy check --format json`): {e}",
                path.display()
            )
        })?;
        if report.schema_version != crate::render::json::SCHEMA_VERSION {
            return Err(format!(
                "{}: schema_version {} (this seaworthy reads {})",
                path.display(),
                report.schema_version,
                crate::render::json::SCHEMA_VERSION
            ));
        }
        Ok(report)
    }
}

#[derive(Debug, Serialize)]
pub struct ScoreChange {
    /// `None` for the repository as a whole.
    pub app: Option<String>,
    pub old: Option<u32>,
    pub new: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct Comparison {
    pub old_root: String,
    pub new_root: String,
    pub fixed: Vec<SavedFinding>,
    pub new: Vec<SavedFinding>,
    pub remaining: Vec<SavedFinding>,
    pub scores: Vec<ScoreChange>,
}

pub fn compare(old: &SavedReport, new: &SavedReport) -> Comparison {
    // Old findings by fingerprint, then by place; each matches once.
    let mut unmatched_old: Vec<Option<&SavedFinding>> = old.findings.iter().map(Some).collect();
    let mut by_fingerprint: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_place: HashMap<(String, Option<String>, Vec<String>), Vec<usize>> = HashMap::new();
    for (i, f) in old.findings.iter().enumerate() {
        by_fingerprint.entry(f.fingerprint()).or_default().push(i);
        by_place.entry(f.place()).or_default().push(i);
    }
    let take = |candidates: Option<&Vec<usize>>, unmatched: &mut Vec<Option<&SavedFinding>>| {
        candidates
            .into_iter()
            .flatten()
            .find(|i| unmatched[**i].is_some())
            .map(|i| {
                unmatched[*i] = None;
            })
            .is_some()
    };
    let mut remaining = Vec::new();
    let mut added = Vec::new();
    let mut second_pass = Vec::new();
    for f in &new.findings {
        if take(by_fingerprint.get(&f.fingerprint()), &mut unmatched_old) {
            remaining.push(f.clone());
        } else {
            second_pass.push(f);
        }
    }
    for f in second_pass {
        if take(by_place.get(&f.place()), &mut unmatched_old) {
            remaining.push(f.clone());
        } else {
            added.push(f.clone());
        }
    }
    let fixed: Vec<SavedFinding> = unmatched_old.into_iter().flatten().cloned().collect();

    let mut scores = vec![ScoreChange {
        app: None,
        old: Some(old.scores.repository),
        new: Some(new.scores.repository),
    }];
    let new_by_app: HashMap<&str, u32> = new
        .scores
        .apps
        .iter()
        .map(|a| (a.app.as_str(), a.score))
        .collect();
    for a in &old.scores.apps {
        scores.push(ScoreChange {
            app: Some(a.app.clone()),
            old: Some(a.score),
            new: new_by_app.get(a.app.as_str()).copied(),
        });
    }
    for a in &new.scores.apps {
        if !old.scores.apps.iter().any(|o| o.app == a.app) {
            scores.push(ScoreChange {
                app: Some(a.app.clone()),
                old: None,
                new: Some(a.score),
            });
        }
    }
    Comparison {
        old_root: old.root.clone(),
        new_root: new.root.clone(),
        fixed,
        new: added,
        remaining,
        scores,
    }
}

fn shown_score(score: Option<u32>) -> String {
    score.map_or("–".to_string(), |s| s.to_string())
}

fn change(old: Option<u32>, new: Option<u32>) -> String {
    match (old, new) {
        (Some(o), Some(n)) if n >= o => format!("+{}", n - o),
        (Some(o), Some(n)) => format!("-{}", o - n),
        (None, Some(_)) => "new app".to_string(),
        (Some(_), None) => "app gone".to_string(),
        (None, None) => String::new(),
    }
}

fn finding_line(f: &SavedFinding) -> String {
    let place = f
        .locations
        .first()
        .map(|l| format!(" [{}:{}]", l.path, l.line))
        .unwrap_or_default();
    let app = f
        .app
        .as_deref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    format!(
        "{:<8} {}{}: {}{}",
        f.severity, f.rule, app, f.message, place
    )
}

impl ScoreChange {
    /// Old, new and the change, as both renderers show them.
    fn cells(&self) -> [String; 3] {
        [
            shown_score(self.old),
            shown_score(self.new),
            change(self.old, self.new),
        ]
    }
}

impl Comparison {
    /// The three lists in report order, with their titles.
    fn sections(&self) -> [(&'static str, &[SavedFinding]); 3] {
        [
            ("Fixed", &self.fixed),
            ("New", &self.new),
            ("Remaining", &self.remaining),
        ]
    }
}

/// Terminal text: scores, then fixed, new and remaining findings.
pub fn render_text(c: &Comparison) -> String {
    let mut out = String::new();
    out.push_str("Scores (old → new):\n");
    for s in &c.scores {
        let name = s
            .app
            .as_deref()
            .map_or("repository".to_string(), |a| format!("app {a}"));
        let [old, new, change] = s.cells();
        out.push_str(&format!("  {name}: {old} → {new} ({change})\n"));
    }
    for (title, list) in c.sections() {
        out.push_str(&format!("\n{title} ({}):\n", list.len()));
        for f in list {
            out.push_str(&format!("  {}\n", finding_line(f)));
        }
    }
    out
}

/// Markdown, for a pull-request comment or a progress note.
pub fn render_markdown(c: &Comparison) -> String {
    let mut out = String::from(
        "# Production readiness: progress\n\n| | old | new | change |\n|---|---:|---:|---:|\n",
    );
    for s in &c.scores {
        let name = s
            .app
            .as_deref()
            .map_or("**repository**".to_string(), |a| format!("`{a}`"));
        let [old, new, change] = s.cells();
        out.push_str(&format!("| {name} | {old} | {new} | {change} |\n"));
    }
    for (title, list) in c.sections() {
        out.push_str(&format!("\n## {title} ({})\n\n", list.len()));
        for f in list {
            let place = f
                .locations
                .first()
                .map(|l| format!(" — `{}:{}`", l.path, l.line))
                .unwrap_or_default();
            out.push_str(&format!(
                "- **{}** {} (`{}`): {}{}\n",
                f.severity.to_uppercase(),
                f.title,
                f.rule,
                f.message,
                place
            ));
        }
    }
    out
}

pub fn render_json(c: &Comparison) -> String {
    #[derive(Serialize)]
    struct Document<'a> {
        schema_version: u32,
        #[serde(flatten)]
        comparison: &'a Comparison,
    }
    let mut out = serde_json::to_string_pretty(&Document {
        schema_version: crate::render::json::SCHEMA_VERSION,
        comparison: c,
    })
    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, message: &str, path: &str, line: u32) -> SavedFinding {
        SavedFinding {
            rule: rule.into(),
            code: "SW000".into(),
            severity: "high".into(),
            category: "containerization-deployment".into(),
            app: Some(".".into()),
            title: rule.into(),
            message: message.into(),
            locations: vec![SavedLocation {
                path: path.into(),
                line,
            }],
        }
    }

    fn report(findings: Vec<SavedFinding>, score: u32) -> SavedReport {
        SavedReport {
            schema_version: 1,
            root: ".".into(),
            findings,
            scores: SavedScores {
                repository: score,
                apps: vec![SavedAppScore {
                    app: ".".into(),
                    score,
                }],
            },
        }
    }

    #[test]
    fn fixed_new_and_remaining_are_told_apart() {
        let old = report(
            vec![
                finding("a", "gone", "x", 1),
                finding("b", "stays at line 3", "y", 3),
                finding("c", "reworded", "z", 1),
            ],
            20,
        );
        let new = report(
            vec![
                finding("b", "stays at line 9", "y", 9),
                finding("c", "worded anew", "z", 1),
                finding("d", "appeared", "w", 1),
            ],
            60,
        );
        let c = compare(&old, &new);
        let rules = |l: &[SavedFinding]| l.iter().map(|f| f.rule.clone()).collect::<Vec<_>>();
        assert_eq!(rules(&c.fixed), ["a"]);
        assert_eq!(rules(&c.new), ["d"]);
        assert_eq!(rules(&c.remaining), ["b", "c"]);
        assert_eq!(c.scores[0].old, Some(20));
        assert_eq!(c.scores[0].new, Some(60));
        assert!(render_text(&c).contains("repository: 20 → 60 (+40)"));
    }

    #[test]
    fn two_identical_findings_match_one_each() {
        let old = report(
            vec![finding("a", "m", "x", 1), finding("a", "m", "x", 1)],
            0,
        );
        let new = report(vec![finding("a", "m", "x", 1)], 0);
        let c = compare(&old, &new);
        assert_eq!(c.fixed.len(), 1);
        assert_eq!(c.remaining.len(), 1);
        assert!(c.new.is_empty());
    }
}
