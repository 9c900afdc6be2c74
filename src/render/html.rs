//! `--format html`: one self-contained page for people — the reference
//! report's sections and wording, each finding's evidence as source
//! excerpts, the fix `seaworthy fix --dry-run` would apply, the scores as
//! inline SVG charts, and filters by app, category and severity.
//!
//! Nothing is fetched: styles, script and charts are inline, and a
//! Content-Security-Policy forbids every network request, so the page reads
//! the same offline, attached to an e-mail or printed. Everything that comes
//! from the audited tree (paths, messages, source lines, diffs) goes through
//! [`escape`]. The filters toggle one attribute per finding, never rebuild
//! the page, so a report of thousands of findings stays responsive.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::source::Sources;
use crate::audit::Report;
use crate::finding::{Category, Finding, Location, Severity};
use crate::fix::{diff, Planned};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Lines shown above and below a cited line.
const CONTEXT: usize = 2;
/// Locations per finding shown with an excerpt; the rest are listed.
const EXCERPTS_PER_FINDING: usize = 5;
/// Longer source lines are cut (minified files).
const MAX_LINE_CHARS: usize = 240;
/// Bars in the per-app chart; the lowest scores are the ones shown.
const MAX_CHART_APPS: usize = 30;
/// Rows in the score table.
const MAX_TABLE_APPS: usize = 500;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not
            // allowed in HTML; show them as the replacement character.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a message and turns its `code spans` into `<code>` (the
/// messages are written for Markdown).
fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    // An odd count of backticks: not code spans, keep them as written.
    if parts.len().is_multiple_of(2) {
        return escape(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// The filter value of a finding's app: its path, or `-` for repo-wide.
fn app_key(f: &Finding) -> &str {
    f.app.as_deref().unwrap_or("-")
}

pub fn render(report: &Report, planned: Option<&Planned>) -> String {
    let page = Page {
        multi_app: report.apps.len() > 1,
        only_app: match report.apps.as_slice() {
            [app] => Some(app.path.as_str()),
            _ => None,
        },
        sources: Sources::new(&report.root),
        planned,
    };
    let sections = super::sections(report);
    let mut out = String::with_capacity(64 * 1024 + report.findings.len() * 2048);

    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"generator\" content=\"seaworthy {version}\">\n\
         <title>Infrastructure deficiencies — {root}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <a class=\"skip no-print\" href=\"#findings\">Skip to the findings</a>\n\
         <header class=\"masthead\">\n<h1>Infrastructure deficiencies</h1>\n\
         <p class=\"meta\">Audit of <code>{root}</code> by seaworthy {version}: {summary} in {apps} app{plural}; readiness <strong>{score}/100</strong>.</p>\n\
         </header>\n<main>\n",
        version = env!("CARGO_PKG_VERSION"),
        root = escape(&report.root),
        summary = escape(&super::summary(&report.findings)),
        apps = report.apps.len(),
        plural = if report.apps.len() == 1 { "" } else { "s" },
        score = report.scores.repository,
    );

    summary_section(&mut out, report);
    if !report.findings.is_empty() {
        filters(&mut out, report);
    }

    out.push_str("<div id=\"findings\">\n");
    if sections.is_empty() {
        let _ = writeln!(
            out,
            "<section class=\"category\"><h2>No deficiencies found</h2><p>Nothing to report in <code>{}</code> ({} app{} audited).</p></section>",
            escape(&report.root),
            report.apps.len(),
            if report.apps.len() == 1 { "" } else { "s" }
        );
    }
    let mut id = 0usize;
    for (category, findings) in &sections {
        let _ = writeln!(
            out,
            "<section class=\"category\" data-category=\"{key}\" aria-labelledby=\"c-{key}\">\n\
             <h2 id=\"c-{key}\"><span aria-hidden=\"true\">{emoji}</span> {heading} <span class=\"count\" data-total=\"{n}\">({n} finding{plural})</span></h2>",
            key = category.as_str(),
            emoji = category.emoji(),
            heading = escape(category.heading()),
            n = findings.len(),
            plural = if findings.len() == 1 { "" } else { "s" },
        );
        for (n, f) in findings.iter().enumerate() {
            id += 1;
            finding(&mut out, f, n + 1, id, &page);
        }
        out.push_str("</section>\n");
    }
    out.push_str("<p id=\"no-match\" class=\"no-match\" hidden>No finding matches the filters.</p>\n</div>\n");

    // The backups checked where they go (`check --probe`): outside the
    // filtered findings, as it is an answer, not a finding.
    if let Some(v) = &report.backups {
        let section = super::backup_section(v);
        let _ = writeln!(
            out,
            "<section class=\"category backups\" aria-labelledby=\"backups-h\">\n<h2 id=\"backups-h\"><span aria-hidden=\"true\">{}</span> {}</h2>\n<dl class=\"wording\">",
            Category::DatabaseBackups.emoji(),
            escape(&section.title)
        );
        for (label, text) in &section.lines {
            let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(label), prose(text));
        }
        out.push_str("</dl>\n</section>\n");
    }

    if !report.errors.is_empty() {
        out.push_str("<section class=\"category errors\" aria-labelledby=\"errors-h\">\n<h2 id=\"errors-h\">Files that could not be read</h2>\n<ul>\n");
        for e in &report.errors {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: {}</li>",
                escape(&e.path),
                escape(&e.message)
            );
        }
        out.push_str("</ul>\n</section>\n");
    }
    let _ = write!(
        out,
        "</main>\n<footer>\n<p>{}</p>\n</footer>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        escape(&super::score_note(report))
    );
    out
}

/// The score and severity charts and the score table.
fn summary_section(out: &mut String, report: &Report) {
    out.push_str("<section class=\"summary\" aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">Readiness summary</h2>\n<div class=\"charts\">\n");

    // Findings by severity.
    let counts: Vec<(Severity, usize)> = Severity::ALL
        .iter()
        .map(|s| {
            (
                *s,
                report.findings.iter().filter(|f| f.severity == *s).count(),
            )
        })
        .collect();
    let bars: Vec<Bar> = counts
        .iter()
        .map(|(s, n)| Bar {
            label: severity_label(*s).to_string(),
            value: *n as u32,
            text: n.to_string(),
            class: format!("sev-{}", s.as_str()),
        })
        .collect();
    let max = counts
        .iter()
        .map(|(_, n)| *n as u32)
        .max()
        .unwrap_or(0)
        .max(1);
    let described = counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    chart(
        out,
        "chart-severity",
        "Findings by severity",
        &format!("Findings by severity: {described}."),
        &bars,
        max,
    );

    // Score per app (the lowest first, when there are many).
    if !report.scores.apps.is_empty() {
        let mut apps: Vec<_> = report.scores.apps.iter().collect();
        let title = if apps.len() > MAX_CHART_APPS {
            apps.sort_by_key(|a| a.score);
            apps.truncate(MAX_CHART_APPS);
            format!(
                "Readiness per app (the {MAX_CHART_APPS} lowest of {})",
                report.scores.apps.len()
            )
        } else {
            "Readiness per app".to_string()
        };
        let bars: Vec<Bar> = apps
            .iter()
            .map(|a| Bar {
                label: if a.app == "." {
                    "root app (.)".to_string()
                } else {
                    a.app.clone()
                },
                value: a.score,
                text: format!("{}/100", a.score),
                class: score_class(a.score).to_string(),
            })
            .collect();
        let described = apps
            .iter()
            .map(|a| format!("{} {}/100", a.app, a.score))
            .collect::<Vec<_>>()
            .join(", ");
        chart(
            out,
            "chart-apps",
            &title,
            &format!("{title}: {described}."),
            &bars,
            100,
        );
    }

    // Score per category: the lowest app's, or the repository's formula.
    let per_category: Vec<(Category, u32)> = Category::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let score = report
                .scores
                .apps
                .iter()
                .filter_map(|a| a.categories.get(i).map(|s| s.score))
                .min()
                .unwrap_or_else(|| {
                    let lost: u32 = report
                        .findings
                        .iter()
                        .filter(|f| f.category == *c)
                        .map(|f| crate::score::penalty(f.severity))
                        .sum();
                    100u32.saturating_sub(lost)
                });
            (*c, score)
        })
        .collect();
    let title = if report.scores.apps.len() > 1 {
        "Readiness per category (lowest app)"
    } else {
        "Readiness per category"
    };
    let bars: Vec<Bar> = per_category
        .iter()
        .map(|(c, s)| Bar {
            label: c.heading().to_string(),
            value: *s,
            text: format!("{s}/100"),
            class: score_class(*s).to_string(),
        })
        .collect();
    let described = per_category
        .iter()
        .map(|(c, s)| format!("{} {s}/100", c.heading()))
        .collect::<Vec<_>>()
        .join(", ");
    chart(
        out,
        "chart-categories",
        title,
        &format!("{title}: {described}."),
        &bars,
        100,
    );
    out.push_str("</div>\n");

    if !report.scores.apps.is_empty() {
        out.push_str("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Scores per app and category\">\n<table class=\"scores\">\n<caption>Scores per app and category (out of 100)</caption>\n<thead><tr><th scope=\"col\">App</th><th scope=\"col\">Score</th>");
        for c in Category::ALL {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(c.heading()));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for a in report.scores.apps.iter().take(MAX_TABLE_APPS) {
            let _ = write!(
                out,
                "<tr><th scope=\"row\"><code>{}</code></th><td class=\"{}\"><strong>{}</strong></td>",
                escape(&a.app),
                score_class(a.score),
                a.score
            );
            for c in &a.categories {
                let _ = write!(
                    out,
                    "<td class=\"{}\">{}</td>",
                    score_class(c.score),
                    c.score
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</div>\n");
        if report.scores.apps.len() > MAX_TABLE_APPS {
            let _ = writeln!(
                out,
                "<p>The first {MAX_TABLE_APPS} of {} apps are listed; the JSON report has them all.</p>",
                report.scores.apps.len()
            );
        }
    }
    out.push_str("</section>\n");
}

fn score_class(score: u32) -> &'static str {
    match score {
        80.. => "score-good",
        50..=79 => "score-fair",
        _ => "score-poor",
    }
}

struct Bar {
    label: String,
    value: u32,
    text: String,
    class: String,
}

/// A horizontal bar chart as inline SVG, described for screen readers by
/// its `<title>` and `<desc>`.
fn chart(out: &mut String, id: &str, title: &str, description: &str, bars: &[Bar], max: u32) {
    const ROW: u32 = 26;
    const LABEL: u32 = 230;
    const PLOT: u32 = 220;
    const VALUE: u32 = 70;
    let height = ROW * bars.len() as u32 + 8;
    let width = LABEL + PLOT + VALUE;
    let _ = write!(
        out,
        "<figure class=\"chart\">\n<figcaption id=\"{id}-cap\">{title}</figcaption>\n\
         <svg id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">\n\
         <title id=\"{id}-title\">{title}</title>\n<desc id=\"{id}-desc\">{desc}</desc>\n",
        title = escape(title),
        desc = escape(description),
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 4 + ROW * i as u32;
        let w = if max == 0 {
            0
        } else {
            (PLOT as u64 * bar.value.min(max) as u64 / max as u64) as u32
        };
        // Long labels (app paths) are cut; the full text is in the table
        // and in the chart's description.
        let label: String = if bar.label.chars().count() > 30 {
            let tail: String = bar
                .label
                .chars()
                .rev()
                .take(29)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("…{tail}")
        } else {
            bar.label.clone()
        };
        let _ = writeln!(
            out,
            "<g aria-hidden=\"true\"><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"track\" x=\"{LABEL}\" y=\"{y}\" width=\"{PLOT}\" height=\"18\" rx=\"3\"/>\
             <rect class=\"bar {class}\" x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"18\" rx=\"3\"/>\
             <text x=\"{vx}\" y=\"{ty}\">{text}</text></g>",
            lx = LABEL - 8,
            ty = y + 14,
            label = escape(&label),
            class = escape(&bar.class),
            vx = LABEL + PLOT + 8,
            text = escape(&bar.text),
        );
    }
    out.push_str("</svg>\n</figure>\n");
}

/// The filter controls; the script wires them up. Hidden on paper.
fn filters(out: &mut String, report: &Report) {
    let mut apps: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *apps.entry(app_key(f)).or_default() += 1;
    }
    out.push_str("<section class=\"filters no-print\" aria-labelledby=\"filters-h\">\n<h2 id=\"filters-h\">Filter the findings</h2>\n<form id=\"filters\" onsubmit=\"return false\">\n");
    if apps.len() > 1 {
        out.push_str("<div class=\"field\"><label for=\"filter-app\">App</label>\n<select id=\"filter-app\" name=\"app\">\n<option value=\"\">All apps</option>\n");
        for (app, n) in &apps {
            let shown = if *app == "-" {
                "repository-wide".to_string()
            } else {
                (*app).to_string()
            };
            let _ = writeln!(
                out,
                "<option value=\"{}\">{} ({n})</option>",
                escape(app),
                escape(&shown)
            );
        }
        out.push_str("</select></div>\n");
    }
    out.push_str("<div class=\"field\"><label for=\"filter-category\">Category</label>\n<select id=\"filter-category\" name=\"category\">\n<option value=\"\">All categories</option>\n");
    for c in Category::ALL {
        let n = report.findings.iter().filter(|f| f.category == c).count();
        if n > 0 {
            let _ = writeln!(
                out,
                "<option value=\"{}\">{} ({n})</option>",
                c.as_str(),
                escape(c.heading())
            );
        }
    }
    out.push_str(
        "</select></div>\n<fieldset class=\"field severities\"><legend>Severity</legend>\n",
    );
    for s in Severity::ALL {
        let n = report.findings.iter().filter(|f| f.severity == s).count();
        let _ = writeln!(
            out,
            "<label class=\"check\"><input type=\"checkbox\" name=\"severity\" value=\"{v}\" checked{disabled}> <span class=\"badge sev-{v}\">{label}</span> ({n})</label>",
            v = s.as_str(),
            label = severity_label(s),
            disabled = if n == 0 { " disabled" } else { "" },
        );
    }
    let _ = write!(
        out,
        "</fieldset>\n<div class=\"field\"><button type=\"button\" id=\"filter-reset\">Show all</button></div>\n</form>\n\
         <p id=\"filter-status\" role=\"status\" aria-live=\"polite\">Showing all {n} findings.</p>\n</section>\n",
        n = report.findings.len()
    );
}

/// What every finding's block needs to know about the report.
struct Page<'a> {
    multi_app: bool,
    /// The app of a one-app repository: its repo-wide findings are fixed there.
    only_app: Option<&'a str>,
    sources: Sources,
    planned: Option<&'a Planned>,
}

fn finding(out: &mut String, f: &Finding, number: usize, id: usize, page: &Page) {
    let [first, second, third] = super::labels(f);
    let scope = match (&f.app, page.multi_app) {
        (Some(app), true) => format!(
            " <span class=\"scope\">(<code>{}</code>)</span>",
            escape(app)
        ),
        (None, true) => " <span class=\"scope\">(repository-wide)</span>".to_string(),
        _ => String::new(),
    };
    let critical = f.severity == Severity::Critical;
    let _ = write!(
        out,
        "<article class=\"finding{crit}\" id=\"f{id}\" data-app=\"{app}\" data-severity=\"{sev}\" data-category=\"{cat}\" aria-labelledby=\"f{id}-h\">\n\
         <h3 id=\"f{id}-h\">{number}. {title}{scope}</h3>\n\
         <p class=\"tags\"><span class=\"badge sev-{sev}\">{sev_label}</span> <span class=\"rule\">{code} <code>{rule}</code></span></p>\n\
         <dl class=\"wording\">\n<dt>{first}</dt><dd>{message}</dd>\n<dt{second_class}>{second}</dt><dd>{impact}</dd>\n<dt>{third}</dt><dd>{fix}</dd>\n</dl>\n",
        crit = if critical { " critical" } else { "" },
        app = escape(app_key(f)),
        sev = f.severity.as_str(),
        cat = f.category.as_str(),
        title = escape(&f.title),
        sev_label = if critical { "CRITICAL" } else { severity_label(f.severity) },
        code = escape(f.code),
        rule = escape(f.rule),
        message = prose(&f.message),
        second_class = if critical { " class=\"label-critical\"" } else { "" },
        impact = prose(&f.impact),
        fix = prose(&f.fix),
    );
    if !f.locations.is_empty() {
        out.push_str("<div class=\"evidence\">\n<h4>Evidence</h4>\n");
        for l in f.locations.iter().take(EXCERPTS_PER_FINDING) {
            excerpt(out, l, &page.sources);
        }
        let rest: Vec<String> = f
            .locations
            .iter()
            .skip(EXCERPTS_PER_FINDING)
            .map(|l| format!("<code>{}:{}</code>", escape(&l.path), l.line))
            .collect();
        if !rest.is_empty() {
            let _ = writeln!(out, "<p>Also: {}</p>", rest.join(", "));
        }
        out.push_str("</div>\n");
    }
    if let Some(planned) = page.planned {
        fix_diff(out, f, planned, page.only_app);
    }
    out.push_str("</article>\n");
}

/// A few lines around the cited one, the cited line marked. Without a
/// readable text file (binary, too large, gone), the location alone.
fn excerpt(out: &mut String, l: &Location, sources: &Sources) {
    let cited = l.line as usize;
    let lines = sources.lines(&l.path);
    let Some(lines) = lines.filter(|ls| cited >= 1 && cited <= ls.len()) else {
        let _ = writeln!(
            out,
            "<p class=\"location\"><code>{}:{}</code> <span class=\"muted\">(no excerpt)</span></p>",
            escape(&l.path),
            l.line
        );
        return;
    };
    let start = cited.saturating_sub(CONTEXT).max(1);
    let end = (cited + CONTEXT).min(lines.len());
    let _ = write!(
        out,
        "<figure class=\"excerpt\">\n<figcaption><code>{}:{}</code></figcaption>\n<pre><code>",
        escape(&l.path),
        l.line
    );
    for n in start..=end {
        let text = &lines[n - 1];
        let shown: String = if text.chars().count() > MAX_LINE_CHARS {
            let mut cut: String = text.chars().take(MAX_LINE_CHARS).collect();
            cut.push('…');
            cut
        } else {
            text.clone()
        };
        if n == cited {
            let _ = write!(
                out,
                "<mark class=\"line cited\"><span class=\"ln\" aria-hidden=\"true\">{n}</span>{}\n</mark>",
                escape(&shown)
            );
        } else {
            let _ = write!(
                out,
                "<span class=\"line\"><span class=\"ln\" aria-hidden=\"true\">{n}</span>{}\n</span>",
                escape(&shown)
            );
        }
    }
    out.push_str("</code></pre>\n</figure>\n");
}

/// The diff `seaworthy fix --dry-run` would apply for this finding, or why
/// it leaves the finding alone.
fn fix_diff(out: &mut String, f: &Finding, planned: &Planned, only_app: Option<&str>) {
    // As `fix::plan` decides: a plan names the finding's app, or the only
    // app for a repo-wide finding of a one-app repository; a skipped
    // finding keeps the finding's own app.
    let fixed_in = f.app.as_deref().or(only_app);
    let plans: Vec<_> = planned
        .plans
        .iter()
        .filter(|p| p.rule == f.rule && p.app.as_deref() == fixed_in)
        .collect();
    if plans.is_empty() {
        if let Some(skipped) = planned
            .skipped
            .iter()
            .find(|s| s.rule == f.rule && s.app == f.app)
        {
            let _ = writeln!(
                out,
                "<p class=\"fix-note\"><code>seaworthy fix</code> leaves this finding: {}</p>",
                prose(&skipped.reason)
            );
        }
        return;
    }
    let mut text = String::new();
    let mut files = 0;
    for plan in &plans {
        for edit in &plan.edits {
            text.push_str(&diff::edit(edit));
            files += 1;
        }
    }
    let manual: Vec<&String> = plans.iter().flat_map(|p| p.manual_steps.iter()).collect();
    let _ = write!(
        out,
        "<details class=\"fix-diff\">\n<summary>The fix <code>seaworthy fix --dry-run</code> proposes ({files} file{plural})</summary>\n",
        plural = if files == 1 { "" } else { "s" }
    );
    if !text.is_empty() {
        out.push_str("<pre class=\"diff\"><code>");
        for line in text.lines() {
            let class = if line.starts_with("+++") || line.starts_with("---") {
                "d-file"
            } else if line.starts_with('+') {
                "d-add"
            } else if line.starts_with('-') {
                "d-del"
            } else if line.starts_with("@@") {
                "d-hunk"
            } else {
                "d-ctx"
            };
            let _ = write!(out, "<span class=\"{class}\">{}\n</span>", escape(line));
        }
        out.push_str("</code></pre>\n");
    }
    if !manual.is_empty() {
        out.push_str("<p>Then by hand:</p>\n<ul>\n");
        for step in manual {
            let _ = writeln!(out, "<li>{}</li>", prose(step));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }

    #[test]
    fn code_spans_become_code_and_stay_escaped() {
        assert_eq!(
            prose("`a<b>` lists `c`"),
            "<code>a&lt;b&gt;</code> lists <code>c</code>"
        );
        assert_eq!(prose("one ` tick <"), "one ` tick &lt;");
    }
}
