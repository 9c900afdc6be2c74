//! Step 7 of the pipeline: reports. One format per file.

pub mod github;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod source;
pub mod text;

use crate::audit::Report;
use crate::finding::{Category, Finding, Severity, Wording};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
    Sarif,
    Github,
    /// One self-contained page (styles, script and charts inline).
    Html,
}

/// Renders a report; `color` only matters for text.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(report, color),
        Format::Markdown => markdown::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Html => {
            // The diffs `seaworthy fix --dry-run` would show, planned
            // against the same root; planning only reads.
            let planned =
                crate::fix::plan(std::path::Path::new(&report.root), &Default::default()).ok();
            html::render(report, planned.as_ref())
        }
    }
}

/// The three labels a finding is worded with, as the reference report does:
/// Issue / Impact / Fix; Observation / Risk / Requirement for a risk that
/// needs verifying; Observation / CRITICAL / Fix when the severity is
/// critical.
pub fn labels(f: &Finding) -> [&'static str; 3] {
    match (f.wording, f.severity) {
        (_, Severity::Critical) => ["Observation", "CRITICAL", "Fix"],
        (Wording::ObservationRiskRequirement, _) => ["Observation", "Risk", "Requirement"],
        (Wording::IssueImpactFix, _) => ["Issue", "Impact", "Fix"],
    }
}

/// The report's sections: each category that has findings, in the reference
/// report's order, with its findings in report order.
pub fn sections(report: &Report) -> Vec<(Category, Vec<&Finding>)> {
    Category::ALL
        .iter()
        .map(|c| {
            (
                *c,
                report
                    .findings
                    .iter()
                    .filter(|f| f.category == *c)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, fs)| !fs.is_empty())
        .collect()
}

/// How the score is computed, and what the report leaves out.
pub fn score_note(report: &Report) -> String {
    format!(
        "Each app starts at 100 and loses 40 per critical, 20 per high, 10 per medium and 5 per low finding that concerns it (its own and the repository-wide ones).{}{}",
        if report.suppressed > 0 { format!(" {} finding(s) suppressed.", report.suppressed) } else { String::new() },
        if report.baseline_matched > 0 { format!(" {} finding(s) already in the baseline.", report.baseline_matched) } else { String::new() },
    )
}

/// "3 findings (1 critical, 2 high)".
pub fn summary(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "no findings".to_string();
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = findings.iter().filter(|f| f.severity == *s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    format!(
        "{} finding{} ({})",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        counts.join(", ")
    )
}
