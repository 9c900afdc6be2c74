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

/// The backup section of a report with a live probe, in the reference
/// report's words ("Verify where these backups go"), answered: a title and
/// labelled lines (Observation, then Verified, or Risk and Requirement).
pub struct BackupSection {
    pub title: String,
    pub lines: Vec<(&'static str, String)>,
}

pub fn backup_section(v: &crate::probe::backups::Verification) -> BackupSection {
    let mut lines = Vec::new();
    let named = v
        .named_in
        .as_deref()
        .map(|n| format!(" (named in `{n}`)"))
        .unwrap_or_default();
    let title = if v.holds() {
        "Backup Strategy: verified where these backups go"
    } else {
        "Backup Strategy: not verified"
    };
    match &v.target {
        Some(target) => lines.push((
            "Observation",
            format!("The backups go to `{target}`{named}; the probe looked there."),
        )),
        None => lines.push((
            "Observation",
            "The probe was not told where these backups go.".to_string(),
        )),
    }
    if !v.holds() {
        let why = if v.failed.is_empty() {
            v.unchecked.join("; ")
        } else {
            v.failed.join("; ")
        };
        lines.push((
            "Risk",
            format!("Verify where these backups go: {why}. If they stay on the same server, a server failure loses both app and data."),
        ));
        lines.push((
            "Requirement",
            "Ensure backups are piped to S3 or off-site storage, fresh, complete, encrypted, kept and not public; name the bucket with --backups s3://BUCKET/PREFIX or in the backup script.".to_string(),
        ));
    }
    if !v.verified.is_empty() {
        lines.push(("Verified", format!("{}.", v.verified.join("; "))));
    }
    if v.target.is_some() && !v.unchecked.is_empty() {
        lines.push(("Not checked", format!("{}.", v.unchecked.join("; "))));
    }
    BackupSection {
        title: title.to_string(),
        lines,
    }
}

/// The categories with a section: those with findings, and Database &
/// Backups whenever the backups were probed (verified or not).
pub fn section_categories(report: &Report) -> Vec<(Category, Vec<&Finding>)> {
    let mut sections = sections(report);
    if report.backups.is_some()
        && !sections
            .iter()
            .any(|(c, _)| *c == Category::DatabaseBackups)
    {
        sections.push((Category::DatabaseBackups, Vec::new()));
        let order = |c: &Category| Category::ALL.iter().position(|x| x == c);
        sections.sort_by_key(|(c, _)| order(c));
    }
    sections
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
