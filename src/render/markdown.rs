//! `--format markdown`: shaped like the reference report — a title, one
//! section per category with its emoji, numbered findings worded as
//! Issue / Impact / Fix (or Observation / Risk / Requirement), CRITICAL where
//! the severity is critical.

use std::fmt::Write;

use crate::audit::Report;
use crate::finding::{Category, Finding, Severity, Wording};

pub fn render(report: &Report) -> String {
    let mut out = String::from("# INFRASTRUCTURE DEFICIENCIES\n");
    let multi_app = report.apps.len() > 1;
    let sections: Vec<(Category, Vec<&Finding>)> = Category::ALL
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
        .collect();

    if sections.is_empty() {
        let _ = write!(
            out,
            "\nNo deficiencies found in `{}` ({} app{} audited).\n",
            report.root,
            report.apps.len(),
            if report.apps.len() == 1 { "" } else { "s" }
        );
    }
    for (i, (category, findings)) in sections.iter().enumerate() {
        if i > 0 {
            out.push_str("\n---\n");
        }
        let _ = write!(out, "\n## {} {}\n", category.emoji(), category.heading());
        for (n, f) in findings.iter().enumerate() {
            let scope = match (&f.app, multi_app) {
                (Some(app), true) => format!(" (`{app}`)"),
                _ => String::new(),
            };
            let _ = write!(out, "\n### {}. {}{}\n", n + 1, f.title, scope);
            let (first, second, third) = match (f.wording, f.severity) {
                (_, Severity::Critical) => ("Observation", "CRITICAL", "Fix"),
                (Wording::ObservationRiskRequirement, _) => ("Observation", "Risk", "Requirement"),
                (Wording::IssueImpactFix, _) => ("Issue", "Impact", "Fix"),
            };
            let _ = writeln!(out, "**{first}:** {}", f.message);
            let _ = writeln!(out, "**{second}:** {}", f.impact);
            let _ = writeln!(out, "**{third}:** {}", f.fix);
            let evidence: Vec<String> = f
                .locations
                .iter()
                .map(|l| format!("`{}:{}`", l.path, l.line))
                .collect();
            let _ = writeln!(out, "**Evidence:** {}", evidence.join(", "));
        }
    }
    out.push_str("\n---\n\n## Readiness score\n\n");
    if report.scores.apps.is_empty() {
        let _ = writeln!(out, "Repository: **{}/100**", report.scores.repository);
    } else {
        out.push_str("| App | Score |");
        for c in Category::ALL {
            let _ = write!(out, " {} |", c.heading());
        }
        out.push_str("\n|---|---|");
        for _ in Category::ALL {
            out.push_str("---|");
        }
        out.push('\n');
        for a in &report.scores.apps {
            let _ = write!(out, "| `{}` | **{}/100** |", a.app, a.score);
            for c in &a.categories {
                let _ = write!(out, " {} |", c.score);
            }
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "\nEach app starts at 100 and loses 40 per critical, 20 per high, 10 per medium and 5 per low finding that concerns it (its own and the repository-wide ones).{}{}",
        if report.suppressed > 0 { format!(" {} finding(s) suppressed.", report.suppressed) } else { String::new() },
        if report.baseline_matched > 0 { format!(" {} finding(s) already in the baseline.", report.baseline_matched) } else { String::new() },
    );
    if !report.errors.is_empty() {
        out.push_str("\n---\n\n## Files that could not be read\n\n");
        for e in &report.errors {
            let _ = writeln!(out, "- `{}`: {}", e.path, e.message);
        }
    }
    out
}
