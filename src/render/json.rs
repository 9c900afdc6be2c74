//! `--format json`: one document, the schema in DESIGN.md.

use serde::Serialize;

use crate::audit::{AppSummary, Report};
use crate::finding::{AuditError, Finding};
use crate::score::Scores;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    root: &'a str,
    apps: &'a [AppSummary],
    findings: &'a [Finding],
    errors: &'a [AuditError],
    suppressed: usize,
    baseline_matched: usize,
    scores: &'a Scores,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

pub fn render(report: &Report) -> String {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "seaworthy",
            version: env!("CARGO_PKG_VERSION"),
        },
        root: &report.root,
        apps: &report.apps,
        findings: &report.findings,
        errors: &report.errors,
        suppressed: report.suppressed,
        baseline_matched: report.baseline_matched,
        scores: &report.scores,
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut out =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}
