//! `--format sarif`: SARIF 2.1.0, one run, for code-scanning dashboards.

use serde_json::{json, Value};

use crate::audit::Report;
use crate::finding::Severity;
use crate::rules;

/// Where each rule's generated documentation is published.
pub const HELP_URI_BASE: &str = "https://github.com/seaworthy-dev/seaworthy/blob/main/docs/rules";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

pub fn render(report: &Report) -> String {
    let rule_list: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            let m = &r.meta;
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": {"text": m.title},
                "fullDescription": {"text": first_paragraph(m.docs)},
                "help": {"text": m.docs, "markdown": m.docs},
                "helpUri": format!("{HELP_URI_BASE}/{}.md", m.name),
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {
                    "tags": [m.category.as_str()],
                    "severity": m.severity.as_str(),
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = rules::ALL
                .iter()
                .position(|r| r.meta.name == f.rule)
                .unwrap_or(0);
            let locations: Vec<Value> = f
                .locations
                .iter()
                .map(|l| {
                    json!({
                        "physicalLocation": {
                            "artifactLocation": {"uri": l.path, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": l.line},
                        }
                    })
                })
                .collect();
            json!({
                "ruleId": f.code,
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": {"text": format!("{} {} Fix: {}", f.message, f.impact, f.fix)},
                "locations": locations,
                "partialFingerprints": {"seaworthyFingerprint/v1": f.fingerprint()},
                "properties": {
                    "rule": f.rule,
                    "severity": f.severity.as_str(),
                    "category": f.category.as_str(),
                    "app": f.app,
                },
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "seaworthy",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/seaworthy-dev/seaworthy",
                "rules": rule_list,
            }},
            "results": results,
            "properties": {
                "suppressed": report.suppressed,
                "errors": report.errors.iter().map(|e| json!({"path": e.path, "message": e.message})).collect::<Vec<_>>(),
            },
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn first_paragraph(docs: &str) -> String {
    docs.lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
