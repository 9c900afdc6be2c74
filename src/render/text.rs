//! `--format text`: for terminals, grouped by app and category. Colour is
//! decided by the caller (TTY and `NO_COLOR`).

use std::fmt::Write;

use anstyle::{AnsiColor, Effects, Style};

use super::source::Sources;
use crate::audit::Report;
use crate::finding::{Category, Finding, Severity};

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let color = match s {
            Severity::Critical => AnsiColor::Magenta,
            Severity::High => AnsiColor::Red,
            Severity::Medium => AnsiColor::Yellow,
            Severity::Low => AnsiColor::Blue,
            Severity::Info => AnsiColor::Cyan,
        };
        self.paint(
            Style::new()
                .fg_color(Some(color.into()))
                .effects(Effects::BOLD),
            &format!("{:<8}", s.as_str()),
        )
    }
}

pub fn render(report: &Report, color: bool) -> String {
    let p = Palette { color };
    let snippets = Sources::new(&report.root);
    let marker_style = Style::new()
        .fg_color(Some(AnsiColor::Red.into()))
        .effects(Effects::BOLD);
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);
    let mut out = String::new();

    // Groups: each app in order, then repository-wide findings.
    let mut groups: Vec<(Option<&str>, String)> = report
        .apps
        .iter()
        .map(|a| {
            let name = a
                .name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            (
                Some(a.path.as_str()),
                format!("app {}{name} — {}", a.path, a.stacks.join(", ")),
            )
        })
        .collect();
    groups.push((None, "repository".to_string()));

    for (app, heading) in groups {
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.app.as_deref() == app)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", p.paint(bold, &heading));
        for category in Category::ALL {
            let in_cat: Vec<&&Finding> =
                findings.iter().filter(|f| f.category == category).collect();
            if in_cat.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {}", p.paint(bold, category.heading()));
            for f in in_cat {
                let _ = writeln!(
                    out,
                    "    {} {} {}  {}",
                    p.severity(f.severity),
                    f.code,
                    f.rule,
                    p.paint(bold, &f.title)
                );
                let _ = writeln!(out, "             {}", f.message);
                for l in &f.locations {
                    let _ = writeln!(
                        out,
                        "             {} {}:{}",
                        p.paint(dim, "-->"),
                        l.path,
                        l.line
                    );
                    if let Some(source) = snippets.line(&l.path, l.line) {
                        let number = l.line.to_string();
                        let pad = " ".repeat(number.len());
                        let indent = source.len() - source.trim_start().len();
                        let marker = format!(
                            "{}{}",
                            " ".repeat(indent),
                            "^".repeat(source.trim().chars().count().max(1))
                        );
                        let _ = writeln!(out, "             {pad} {}", p.paint(dim, "|"));
                        let _ = writeln!(
                            out,
                            "             {} {} {}",
                            p.paint(dim, &number),
                            p.paint(dim, "|"),
                            source
                        );
                        let _ = writeln!(
                            out,
                            "             {pad} {} {}",
                            p.paint(dim, "|"),
                            p.paint(marker_style, &marker)
                        );
                    }
                }
                let _ = writeln!(out, "             {} {}", p.paint(dim, "impact:"), f.impact);
                let _ = writeln!(out, "             {} {}", p.paint(dim, "fix:"), f.fix);
            }
        }
        out.push('\n');
    }

    if let Some(v) = &report.backups {
        let section = super::backup_section(v);
        let _ = writeln!(out, "{}", p.paint(bold, &section.title));
        for (label, text) in section.lines {
            let _ = writeln!(
                out,
                "  {} {text}",
                p.paint(dim, &format!("{}:", label.to_lowercase()))
            );
        }
        out.push('\n');
    }
    for e in &report.errors {
        let _ = writeln!(
            out,
            "{} {}: {}",
            p.paint(dim, "could not read"),
            e.path,
            e.message
        );
    }
    let apps = report.apps.len();
    let mut extras = Vec::new();
    if report.suppressed > 0 {
        extras.push(format!("{} suppressed", report.suppressed));
    }
    if report.baseline_matched > 0 {
        extras.push(format!("{} in the baseline", report.baseline_matched));
    }
    if !report.errors.is_empty() {
        extras.push(format!("{} file(s) could not be read", report.errors.len()));
    }
    let _ = writeln!(
        out,
        "{} in {} app{}; readiness {}/100{}",
        super::summary(&report.findings),
        apps,
        if apps == 1 { "" } else { "s" },
        report.scores.repository,
        extras.iter().map(|e| format!("; {e}")).collect::<String>()
    );
    out
}
