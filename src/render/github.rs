//! `--format github`: GitHub Actions workflow commands, one annotation per
//! finding at its first evidence line.

use crate::audit::Report;
use crate::finding::Severity;

/// Workflow commands end at a newline and treat `%`, `\r`, `\n` (and in
/// properties `:` and `,`) specially; escape them as the runner expects.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let title = escape_property(&format!("{} {} ({})", f.code, f.title, f.rule));
        let message = escape_data(&format!("{} Fix: {}", f.message, f.fix));
        match f.locations.first() {
            Some(l) => out.push_str(&format!(
                "::{command} file={},line={},title={title}::{message}\n",
                escape_property(&l.path),
                l.line
            )),
            None => out.push_str(&format!("::{command} title={title}::{message}\n")),
        }
    }
    if report.suppressed > 0 || report.baseline_matched > 0 {
        out.push_str(&format!(
            "::notice title=seaworthy::{} finding(s) suppressed, {} already in the baseline\n",
            report.suppressed, report.baseline_matched
        ));
    }
    for e in &report.errors {
        out.push_str(&format!(
            "::warning file={},title=seaworthy could not read this file::{}\n",
            escape_property(&e.path),
            escape_data(&e.message)
        ));
    }
    out
}
