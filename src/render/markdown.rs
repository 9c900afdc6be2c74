//! `--format markdown`: shaped like the reference report — a title, one
//! section per category with its emoji, numbered findings worded as
//! Issue / Impact / Fix (or Observation / Risk / Requirement), CRITICAL where
//! the severity is critical.

use std::fmt::Write;

use crate::audit::Report;
use crate::finding::Category;

pub fn render(report: &Report) -> String {
    let mut out = String::from("# INFRASTRUCTURE DEFICIENCIES\n");
    let multi_app = report.apps.len() > 1;
    let sections = super::section_categories(report);

    if report.findings.is_empty() {
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
            let [first, second, third] = super::labels(f);
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
        if *category == Category::DatabaseBackups {
            if let Some(v) = &report.backups {
                let section = super::backup_section(v);
                let _ = write!(out, "\n### {}. {}\n", findings.len() + 1, section.title);
                for (label, text) in section.lines {
                    let _ = writeln!(out, "**{label}:** {text}");
                }
            }
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
    let _ = writeln!(out, "\n{}", super::score_note(report));
    if !report.errors.is_empty() {
        out.push_str("\n---\n\n## Files that could not be read\n\n");
        for e in &report.errors {
            let _ = writeln!(out, "- `{}`: {}", e.path, e.message);
        }
    }
    out
}
