//! The whole audit (`audit::run`) on a generated tree, then every report
//! format and the baseline. No panic, no hang, bounded memory.
//!
//! Input: NUL-separated chunks; a chunk's first byte picks a file name from
//! `FILES` (mod its length), the rest is the file's content (later chunks
//! for the same name replace earlier ones; at most 32 files). A
//! `seaworthy.toml` chunk is discovered as the tree's config.
//!
//! Checks: the audit fails only on an invalid seaworthy.toml; every evidence
//! line in a generated file is inside it (1 ≤ line ≤ lines); findings belong
//! to a reported app or to the repository; errors are sorted and unique; all
//! five renderers answer and JSON/SARIF are valid JSON; a baseline of the
//! findings matches all of them; a second audit of the same tree renders the
//! same JSON (no dependence on thread timing).
#![no_main]

use std::collections::BTreeMap;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use seaworthy::audit::{self, AuditFailure, ConfigSource, Options};
use seaworthy::baseline::Baseline;
use seaworthy::render::{self, Format};
use seaworthy_fuzz::line_count_bytes;

/// File names seaworthy classifies, most parsers first.
const FILES: &[&str] = &[
    "package.json",
    "prisma/schema.prisma",
    "scripts/backup.sh",
    "compose.yaml",
    ".env.example",
    "app/api/health/route.ts",
    "config/database.yml",
    "pyproject.toml",
    "requirements.txt",
    "src/main/resources/application.properties",
    "src/main/resources/application-prod.yml",
    "Gemfile",
    "composer.json",
    "pom.xml",
    "build.gradle",
    "go.mod",
    "Cargo.toml",
    "Pipfile",
    "src/main.rs",
    "main.go",
    "app/main.py",
    "config/settings.py",
    "config/routes.rb",
    "routes/web.php",
    "src/main/java/App.java",
    "next.config.mjs",
    "prisma.config.ts",
    "Dockerfile",
    "fly.toml",
    "k8s/deployment.yaml",
    "README.md",
    "seaworthy.toml",
    ".gitignore",
    ".env.production",
    "pnpm-workspace.yaml",
    "apps/web/package.json",
    "apps/web/.env.example",
    "apps/api/requirements.txt",
    "apps/api/main.py",
    "litestream.yml",
    "Procfile",
    "scripts/deploy.sh",
    ".github/workflows/deploy.yml",
    "knexfile.js",
    "config/config.json",
    "drizzle.config.ts",
    "ormconfig.json",
    "src/data-source.ts",
];

fn options() -> Options {
    Options {
        config: ConfigSource::Discover,
        // A fixed day, so that suppression expiry does not depend on the clock.
        today: time::Date::from_calendar_date(2026, time::Month::January, 1).expect("date"),
        ..Options::default()
    }
}

fn build_tree(root: &Path, data: &[u8]) -> BTreeMap<&'static str, Vec<u8>> {
    let mut files = BTreeMap::new();
    for chunk in data.split(|b| *b == 0).take(32) {
        let Some((&pick, body)) = chunk.split_first() else {
            continue;
        };
        files.insert(FILES[pick as usize % FILES.len()], body.to_vec());
    }
    for (rel, body) in &files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, body).expect("write");
    }
    files
}

fn check(report: &audit::Report, files: &BTreeMap<&'static str, Vec<u8>>) {
    let app_paths: Vec<&str> = report.apps.iter().map(|a| a.path.as_str()).collect();
    for f in &report.findings {
        if let Some(app) = &f.app {
            assert!(
                app_paths.contains(&app.as_str()),
                "{}: finding for app {app:?}, which is not reported",
                f.rule
            );
        }
        for l in &f.locations {
            assert!(l.line >= 1, "{}: line 0 in {}", f.rule, l.path);
            if let Some(body) = files.get(l.path.as_str()) {
                let max = line_count_bytes(body);
                assert!(
                    l.line <= max,
                    "{}: evidence {}:{} but the file has {max} lines",
                    f.rule,
                    l.path,
                    l.line
                );
            }
        }
    }
    assert!(report.errors.windows(2).all(|w| w[0] < w[1]));
}

fn render_all(report: &audit::Report) -> String {
    let json = render::render(report, Format::Json, false);
    serde_json::from_str::<serde_json::Value>(&json).expect("json report is JSON");
    let sarif = render::render(report, Format::Sarif, false);
    serde_json::from_str::<serde_json::Value>(&sarif).expect("sarif report is JSON");
    for format in [Format::Text, Format::Markdown, Format::Github] {
        let _ = render::render(report, format, false);
    }
    let _ = render::render(report, Format::Text, true);
    let _ = render::summary(&report.findings);
    json
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::Builder::new()
        .prefix("seaworthy-fuzz-tree")
        .tempdir()
        .expect("temp dir");
    let files = build_tree(dir.path(), data);
    let report = match audit::run(dir.path(), &options()) {
        Ok(report) => report,
        Err(AuditFailure::Config(_)) => {
            assert!(files.contains_key("seaworthy.toml"));
            return;
        }
        Err(other) => panic!("audit failed: {other}"),
    };
    check(&report, &files);
    let json = render_all(&report);

    let baseline = Baseline::of(&report.findings);
    let (new, matched) = baseline.filter(report.findings.clone());
    assert!(new.is_empty() && matched == report.findings.len());

    let again = audit::run(dir.path(), &options()).expect("second run");
    assert_eq!(
        json,
        render::render(&again, Format::Json, false),
        "two audits of one tree differ"
    );
});
