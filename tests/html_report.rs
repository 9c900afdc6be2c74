//! `check --format html`: one self-contained page. The structure is asserted
//! (no snapshot: the page is long and its styling changes); the browser test
//! at the end renders it in headless Chromium when SEAWORTHY_E2E is set.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use seaworthy::audit::{self, AppSummary, Options, Report};
use seaworthy::finding::{Category, Finding, Location, Severity, Wording};
use seaworthy::render::{self, Format};

const EXAMPLE: &str = "examples/nextjs-prisma-pet-server";

fn audit(path: &Path) -> Report {
    audit::run(path, &Options::default()).expect("audits")
}

fn html_of(path: &Path) -> (Report, String) {
    let report = audit(path);
    let html = render::render(&report, Format::Html, false);
    (report, html)
}

/// The page's text as a reader sees it: tags dropped, entities decoded.
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The values of every `name="…"` attribute.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Nothing on the page makes the browser fetch anything.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "url(",
        "<base",
        " src=",
        " srcset=",
        " action=",
        " formaction=",
        " poster=",
        " xlink:href=",
    ] {
        assert!(
            !lower.contains(banned),
            "the page references a resource: {banned}"
        );
    }
    for href in attribute_values(html, "href") {
        assert!(href.starts_with('#'), "a link leaves the page: {href}");
    }
    // Markup the report writes itself: one style sheet, one script, one page.
    assert_eq!(lower.matches("<!doctype html>").count(), 1);
    assert_eq!(lower.matches("<html lang=\"en\">").count(), 1);
    assert_eq!(lower.matches("</html>").count(), 1);
    assert_eq!(lower.matches("<style>").count(), 1);
    assert_eq!(
        lower.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert!(lower.contains("content-security-policy"));
    assert!(lower.contains("default-src 'none'"));
}

#[test]
fn example_report_is_one_self_contained_page() {
    let (report, html) = html_of(Path::new(EXAMPLE));
    assert_self_contained(&html);
    assert_eq!(report.findings.len(), 6);
    assert_eq!(html.matches("<article class=\"finding").count(), 6);
}

#[test]
fn example_report_has_the_seed_structure_and_every_finding() {
    let (report, html) = html_of(Path::new(EXAMPLE));
    let text = visible_text(&html);
    // The sections in the reference report's order.
    let mut last = 0;
    for heading in [
        "Containerization & Deployment",
        "Observability & Monitoring",
        "Database & Backups",
    ] {
        let needle = format!(
            "</span> {} <span class=\"count\"",
            heading.replace('&', "&amp;")
        );
        let at = html
            .find(&needle)
            .unwrap_or_else(|| panic!("no section {heading}"));
        assert!(at > last, "sections out of order at {heading}");
        last = at;
    }
    for f in &report.findings {
        // The messages are written for Markdown: code spans become <code>.
        for part in [&f.title, &f.message, &f.impact, &f.fix] {
            let plain = part.replace('`', "");
            assert!(text.contains(&plain), "missing from the page: {plain}");
        }
        for l in &f.locations {
            assert!(
                text.contains(&format!("{}:{}", l.path, l.line)),
                "no evidence {}:{}",
                l.path,
                l.line
            );
        }
        assert!(html.contains(&format!("data-severity=\"{}\"", f.severity.as_str())));
    }
    // The wording the markdown report uses: Issue / Impact / Fix, the
    // backup risk as Observation / Risk / Requirement, SQLite CRITICAL.
    for label in [
        "<dt>Issue</dt>",
        "<dt>Impact</dt>",
        "<dt>Fix</dt>",
        "<dt>Observation</dt>",
        "<dt>Risk</dt>",
        "<dt>Requirement</dt>",
        ">CRITICAL</dt>",
    ] {
        assert!(html.contains(label), "no {label}");
    }
    // The cited lines are highlighted in their excerpts.
    assert!(html.matches("<mark class=\"line cited\">").count() >= report.findings.len());
    let sqlite = report
        .findings
        .iter()
        .find(|f| f.rule == "sqlite-in-production")
        .expect("sqlite finding");
    let cited = &sqlite.locations[0];
    assert!(html.contains(&format!(
        "<mark class=\"line cited\"><span class=\"ln\" aria-hidden=\"true\">{}</span>",
        cited.line
    )));
    assert!(text.contains("provider = \"sqlite\""));
    // The fix diffs of `seaworthy fix --dry-run`.
    assert!(html.contains("<details class=\"fix-diff\">"));
    assert!(html.contains("<span class=\"d-add\">+"));
    assert!(text.contains("+++ b/Dockerfile"));
}

#[test]
fn example_report_has_charts_and_filters() {
    let (_, html) = html_of(Path::new(EXAMPLE));
    for id in ["chart-severity", "chart-apps", "chart-categories"] {
        let at = html
            .find(&format!(
                "<svg id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\""
            ))
            .unwrap_or_else(|| panic!("no chart {id}"));
        let svg = &html[at..at + html[at..].find("</svg>").expect("closed")];
        assert!(svg.contains(&format!("<title id=\"{id}-title\">")));
        assert!(svg.contains("<rect class=\"bar "));
    }
    assert!(html.contains("Readiness per category"));
    assert!(html.contains("<table class=\"scores\">"));
    // Labelled filter controls.
    assert!(html.contains("<label for=\"filter-category\">Category</label>"));
    assert!(html.contains("<select id=\"filter-category\""));
    assert!(html.contains("<legend>Severity</legend>"));
    assert_eq!(
        html.matches("type=\"checkbox\" name=\"severity\"").count(),
        5
    );
    assert!(html.contains("role=\"status\""));
    // Print: chrome hidden, a page per section.
    assert!(html.contains("@media print"));
    assert!(html.contains("break-before: page"));
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// An app whose folder and package name are markup.
fn hostile_tree(root: &Path) {
    write(
        root,
        "package.json",
        "{\"name\":\"root\",\"private\":true,\"workspaces\":[\"apps/*\"]}\n",
    );
    write(
        root,
        "apps/<script>alert(1)/package.json",
        "{\n  \"name\": \"<script>alert('name')</script>\",\n  \"dependencies\": {\n    \"next\": \"15.2.9\",\n    \"react\": \"19.0.0\"\n  }\n}\n",
    );
    write(
        root,
        "apps/other/package.json",
        "{\"name\":\"other\",\"dependencies\":{\"next\":\"15.2.9\"}}\n",
    );
    // A binary file cited as evidence would be skipped; a file that is not
    // there any more gets no excerpt.
}

#[test]
fn markup_in_paths_messages_and_sources_is_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    hostile_tree(dir.path());
    let (report, html) = html_of(dir.path());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message.contains("<script>")
                && f.locations.iter().any(|l| l.path.contains("<script>"))),
        "the fixture yields a finding with markup in its message and path"
    );
    assert_self_contained(&html);
    assert!(
        !html.contains("<script>alert"),
        "unescaped markup from the tree"
    );
    assert!(!html.contains("alert('name')"));
    assert!(html.contains("apps/&lt;script&gt;alert(1)/package.json"));
    assert!(
        html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"),
        "the excerpt line is escaped"
    );
    assert!(html.contains("data-app=\"apps/&lt;script&gt;alert(1)\""));
    let text = visible_text(&html);
    for f in &report.findings {
        assert!(
            text.contains(&f.message.replace('`', "")),
            "missing {}",
            f.message
        );
    }
}

#[test]
fn unreadable_evidence_is_listed_without_an_excerpt() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "package.json",
        "{\"name\":\"a\",\"dependencies\":{\"next\":\"15.2.9\"}}\n",
    );
    let mut report = audit(dir.path());
    let f = report.findings.first_mut().expect("a finding");
    std::fs::write(dir.path().join("blob.bin"), b"\0\x01\x02binary\n\0\n").expect("write");
    f.locations = vec![
        Location::new("blob.bin", 1),
        Location::new("gone.txt", 3),
        Location::new("package.json", 999),
    ];
    let html = render::render(&report, Format::Html, false);
    for l in ["blob.bin:1", "gone.txt:3", "package.json:999"] {
        assert!(
            html.contains(&format!(
                "<code>{l}</code> <span class=\"muted\">(no excerpt)</span>"
            )),
            "{l}"
        );
    }
}

/// A report of `n` findings over 40 apps, for the scale checks.
fn large_report(n: usize) -> Report {
    let apps: Vec<AppSummary> = (0..40)
        .map(|i| AppSummary {
            path: format!("services/svc-{i:02}"),
            name: Some(format!("@acme/svc-{i:02}")),
            stacks: vec!["nextjs"],
        })
        .collect();
    let findings: Vec<Finding> = (0..n)
        .map(|i| Finding {
            rule: "missing-health-endpoint",
            code: "SW401",
            severity: Severity::ALL[i % Severity::ALL.len()],
            category: Category::ALL[i % Category::ALL.len()],
            app: Some(apps[i % apps.len()].path.clone()),
            title: format!("Generated finding {i}"),
            message: format!("Finding number {i} in `services/svc-{:02}`.", i % 40),
            impact: "Generated to measure the report.".to_string(),
            fix: "Nothing to fix.".to_string(),
            locations: vec![Location::new(
                format!("services/svc-{:02}/package.json", i % 40),
                1,
            )],
            wording: if i % 7 == 0 {
                Wording::ObservationRiskRequirement
            } else {
                Wording::IssueImpactFix
            },
        })
        .collect();
    let scores = seaworthy::score::compute(&apps, &findings);
    Report {
        root: "generated".to_string(),
        apps,
        findings,
        errors: Vec::new(),
        suppressed: 0,
        baseline_matched: 0,
        scores,
        config: None,
        backups: None,
    }
}

#[test]
fn two_thousand_findings_render_quickly() {
    let report = large_report(2000);
    let started = Instant::now();
    let html = render::render(&report, Format::Html, false);
    let took = started.elapsed();
    assert!(took.as_secs() < 5, "rendering took {took:?}");
    assert_eq!(html.matches("<article class=\"finding").count(), 2000);
    assert_self_contained(&html);
    // Forty apps in the filter, the chart and the table.
    assert_eq!(html.matches("<option value=\"services/svc-").count(), 40);
}

#[test]
fn cli_writes_html() {
    let out = Command::new(env!("CARGO_BIN_EXE_seaworthy"))
        .args(["check", EXAMPLE, "--format", "html"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "findings at or above low");
    let html = String::from_utf8(out.stdout).expect("utf-8");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
}

// --- in a browser --------------------------------------------------------------

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// Headless Chromium on the example report and on 2,000 findings: a
/// screenshot and a PDF from the command line, then
/// `tests/browser/check_report.py` (Playwright) for console errors, network
/// requests, filtering, the print view and axe-core.
#[test]
fn browser_renders_filters_prints_and_passes_axe() {
    if !common::e2e("browser_renders_filters_prints_and_passes_axe") {
        return;
    }
    let chromium =
        std::env::var("SEAWORTHY_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    let axe = common::require_env("SEAWORTHY_AXE_JS");
    let dir = out_dir();
    let (_, html) = html_of(Path::new(EXAMPLE));
    let example = dir.join("example.html");
    std::fs::write(&example, html).expect("write");
    let large = dir.join("large.html");
    std::fs::write(
        &large,
        render::render(&large_report(2000), Format::Html, false),
    )
    .expect("write");
    // Two apps (the app filter), markup in paths and sources (no script of
    // the tree may run: the page fails on any dialog).
    let tree = tempfile::tempdir().expect("tempdir");
    hostile_tree(tree.path());
    let hostile = dir.join("hostile.html");
    std::fs::write(&hostile, html_of(tree.path()).1).expect("write");

    let profile = tempfile::tempdir().expect("profile");
    let shot = dir.join("example-cli.png");
    let pdf = dir.join("example.pdf");
    for flag in [
        format!("--screenshot={}", shot.display()),
        format!("--print-to-pdf={}", pdf.display()),
    ] {
        let out = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
                "--window-size=1280,2000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(&flag)
            .arg(format!("file://{}", example.display()))
            .output()
            .unwrap_or_else(|e| panic!("{chromium} could not start: {e}"));
        assert!(
            out.status.success(),
            "chromium {flag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for file in [&shot, &pdf] {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{} is empty", file.display());
    }
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF"));
    // The printed report as pictures (PDF → PNG, pdftoppm from poppler-utils):
    // the first page of the print view, kept with the screenshots.
    let pages = dir.join("example-print");
    let out = Command::new(common::require_tool("pdftoppm"))
        .args(["-png", "-r", "60", "-f", "1", "-l", "2"])
        .arg(&pdf)
        .arg(&pages)
        .output()
        .expect("pdftoppm runs");
    assert!(
        out.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first_page = std::fs::read_dir(&dir)
        .expect("list")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("example-print"))
        })
        .min()
        .expect("a page picture");
    let png = std::fs::read(&first_page).expect("page picture");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 1000,
        "{} is empty",
        first_page.display()
    );

    let python = std::env::var("SEAWORTHY_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_report.py");
    let out = Command::new(&python)
        .arg(&script)
        .args(["--chromium", &chromium, "--axe", &axe, "--out"])
        .arg(&dir)
        .arg(&example)
        .arg(&hostile)
        .arg(&large)
        .output()
        .unwrap_or_else(|e| panic!("{python} could not start: {e}"));
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "the browser checks failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("screenshots and PDF in {}", dir.display());
}

#[test]
fn each_finding_shows_the_fix_of_its_own_app() {
    let dir = tempfile::tempdir().expect("tempdir");
    hostile_tree(dir.path());
    let (report, html) = html_of(dir.path());
    assert_eq!(report.apps.len(), 2, "{:?}", report.apps);
    let mut diffs = 0;
    for article in html.split("<article ").skip(1) {
        let article = &article[..article.find("</article>").expect("closed")];
        let own = if article.contains("data-app=\"apps/other\"") {
            "apps/other/"
        } else if article.contains("data-app=\"apps/&lt;script&gt;alert(1)\"") {
            "apps/&lt;script&gt;alert(1)/"
        } else {
            continue;
        };
        for line in article.lines().filter(|l| l.contains("+++ b/")) {
            diffs += 1;
            assert!(line.contains(&format!("+++ b/{own}")), "{own}: {line}");
        }
    }
    assert!(diffs >= 2, "the fixes are shown");
}
