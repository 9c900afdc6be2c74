//! The example app reproduces the reference report; its production-ready twin
//! reports nothing. Snapshots (insta) pin every format.

use seaworthy::audit::{self, Options, Report};
use seaworthy::render::{self, Format};

const EXAMPLE: &str = "examples/nextjs-prisma-pet-server";
const TWIN: &str = "examples/nextjs-prisma-production-ready";

fn audit(path: &str) -> Report {
    audit::run(std::path::Path::new(path), &Options::default()).expect("example audits")
}

#[test]
fn example_reports_the_six_seed_findings() {
    let report = audit(EXAMPLE);
    let mut rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    assert_eq!(
        rules,
        [
            "apm-sdk-missing",
            "backups-not-offsite",
            "manual-server-deployment",
            "missing-container-config",
            "missing-health-endpoint",
            "sqlite-in-production",
        ]
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.apps.len(), 1);
    assert_eq!(report.apps[0].path, ".");
}

#[test]
fn example_markdown_has_the_seed_shape() {
    let md = render::render(&audit(EXAMPLE), Format::Markdown, false);
    let sections = [
        "## \u{1F3D7}\u{FE0F} Containerization & Deployment",
        "## \u{1F4E1} Observability & Monitoring",
        "## \u{1F4BE} Database & Backups",
    ];
    let mut last = 0;
    for section in sections {
        let at = md
            .find(section)
            .unwrap_or_else(|| panic!("missing section {section}"));
        assert!(at > last, "sections out of order");
        last = at;
    }
    for needle in [
        "**Issue:** No `Dockerfile` or `docker-compose.yml` found in the project root",
        "**Issue:** Reliance on `scripts/bootstrap-ubuntu22.sh` implies a \"pet\" server approach",
        "**Issue:** `env.example` lists `NEXT_PUBLIC_SENTRY_DSN`, but `@sentry/nextjs` is NOT in `package.json` dependencies.",
        "**Issue:** No dedicated `/api/health` or `/healthz` endpoint found",
        "**Fix:** Create `app/api/health/route.ts`",
        "**Observation:** `scripts/database-backup.sh` exists",
        "**Risk:** Verify where these backups go. If they stay on the same server (`./backups`)",
        "**Requirement:** Ensure backups are piped to S3 or off-site storage",
        "**Observation:** `schema.prisma` uses `provider = \"sqlite\"`.",
        "**CRITICAL:** SQLite is not suitable",
        "**Fix:** Migrate to PostgreSQL (`provider = \"postgresql\"`",
    ] {
        assert!(md.contains(needle), "markdown lacks {needle:?}\n{md}");
    }
}

#[test]
fn production_ready_twin_reports_none_of_the_six() {
    let report = audit(TWIN);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!(render::render(&audit(EXAMPLE), Format::Markdown, false));
}

#[test]
fn snapshot_text() {
    insta::assert_snapshot!(render::render(&audit(EXAMPLE), Format::Text, false));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(render::render(&audit(EXAMPLE), Format::Json, false));
}
