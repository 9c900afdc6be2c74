//! Suppressions: inline comments in the evidence files and `[[suppress]]`
//! entries in seaworthy.toml. Each names the rule and gives a reason; an
//! optional expiry date turns it back into a finding of its own.
//!
//! Inline syntax, in any comment style the file has:
//!
//! ```text
//! # seaworthy:ignore backups-not-offsite -- snapshots for local debugging only
//! // seaworthy:ignore sqlite-in-production until=2027-03-01 -- single-instance demo
//! # seaworthy:ignore-file manual-server-deployment -- the legacy host, retired in Q2
//! ```
//!
//! `ignore` covers evidence on the comment's line and the line after it;
//! `ignore-file` covers the whole file.

use std::collections::BTreeMap;

use crate::config::{globs, parse_date, Config};
use crate::finding::{AuditError, Finding, Location};
use crate::rules;

const MARKER: &str = "seaworthy:ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineSuppression {
    pub rules: Vec<String>,
    pub reason: String,
    pub until: Option<time::Date>,
    pub whole_file: bool,
    pub line: u32,
}

/// Parses the suppression comments of one file. Malformed ones come back as
/// messages (with their lines) for the audit's errors.
pub fn parse_inline(text: &str) -> (Vec<InlineSuppression>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let line_no = i as u32 + 1;
        let rest = &line[at + MARKER.len()..];
        let (whole_file, rest) = match rest.strip_prefix("-file") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let (head, reason) = match rest.split_once("--") {
            Some((h, r)) => (h, r),
            None => (rest, ""),
        };
        // Comment closers are not part of the reason.
        let reason = reason
            .trim()
            .trim_end_matches("*/")
            .trim_end_matches("-->")
            .trim_end_matches("#}")
            .trim()
            .to_string();
        let mut rule_names = Vec::new();
        let mut until = None;
        for word in head.split([' ', ',', '\t']).filter(|w| !w.is_empty()) {
            if let Some(date) = word
                .strip_prefix("until=")
                .or_else(|| word.strip_prefix("expires="))
            {
                match parse_date(date) {
                    Ok(d) => until = Some(d),
                    Err(e) => problems.push(format!("line {line_no}: suppression date {e}")),
                }
            } else {
                match rules::find(word) {
                    Some(rule) => rule_names.push(rule.meta.name.to_string()),
                    None => problems.push(format!(
                        "line {line_no}: suppression names unknown rule `{word}`"
                    )),
                }
            }
        }
        if rule_names.is_empty() {
            problems.push(format!(
                "line {line_no}: suppression names no rule; ignored"
            ));
            continue;
        }
        if reason.is_empty() {
            problems.push(format!(
                "line {line_no}: suppression without a reason (`-- why`) is ignored"
            ));
            continue;
        }
        found.push(InlineSuppression {
            rules: rule_names,
            reason,
            until,
            whole_file,
            line: line_no,
        });
    }
    (found, problems)
}

impl InlineSuppression {
    fn covers(&self, rule: &str, location: &Location) -> bool {
        self.rules.iter().any(|r| r == rule)
            && (self.whole_file || location.line == self.line || location.line == self.line + 1)
    }
}

/// The outcome of applying suppressions.
#[derive(Debug, Default)]
pub struct Applied {
    pub kept: Vec<Finding>,
    pub suppressed: usize,
    /// Expired suppressions, reported as findings of their own.
    pub expired: Vec<Finding>,
    pub errors: Vec<AuditError>,
}

pub fn apply(
    read: &(dyn Fn(&str) -> Option<String> + Sync),
    findings: Vec<Finding>,
    config: &Config,
    config_rel: Option<&str>,
    today: time::Date,
) -> Applied {
    use rayon::prelude::*;
    let mut out = Applied::default();

    // Inline suppressions of every evidence file, read once each, on all
    // threads: a monorepo's report names thousands of files.
    let mut paths: Vec<&str> = findings
        .iter()
        .flat_map(|f| f.locations.iter().map(|l| l.path.as_str()))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let read_inline = |path: &&str| match read(path) {
        Some(text) if text.contains(MARKER) => parse_inline(&text),
        _ => (Vec::new(), Vec::new()),
    };
    let parsed: Vec<_> = paths.par_iter().map(read_inline).collect();
    let mut inline: BTreeMap<String, Vec<InlineSuppression>> = BTreeMap::new();
    for (path, (found, problems)) in paths.iter().zip(parsed) {
        out.errors
            .extend(problems.into_iter().map(|message| AuditError {
                path: path.to_string(),
                message,
            }));
        inline.insert(path.to_string(), found);
    }
    let config_globs: Vec<_> = config.suppress.iter().map(|s| globs(&s.paths)).collect();
    let mut reported_expired: Vec<(String, u32)> = Vec::new();

    for finding in findings {
        let mut suppressed = false;
        for location in &finding.locations {
            for s in inline.get(&location.path).into_iter().flatten() {
                if !s.covers(finding.rule, location) {
                    continue;
                }
                match s.until {
                    Some(until) if until < today => {
                        if !reported_expired.contains(&(location.path.clone(), s.line)) {
                            reported_expired.push((location.path.clone(), s.line));
                            out.expired.push(expired_finding(
                                Location::new(location.path.clone(), s.line),
                                &finding,
                                &s.reason,
                                until,
                            ));
                        }
                    }
                    _ => suppressed = true,
                }
            }
        }
        for (s, set) in config.suppress.iter().zip(&config_globs) {
            let rule_matches = rules::find(&s.rule).is_some_and(|r| r.meta.name == finding.rule);
            let path_matches =
                s.paths.is_empty() || finding.locations.iter().any(|l| set.is_match(&l.path));
            if !(rule_matches && path_matches) {
                continue;
            }
            let until = s.expires.as_deref().and_then(|d| parse_date(d).ok());
            match until {
                Some(until) if until < today => {
                    let path = config_rel.unwrap_or(crate::config::FILE_NAME).to_string();
                    let key = (path.clone(), 0);
                    if !reported_expired.contains(&key) {
                        reported_expired.push(key);
                        out.expired.push(expired_finding(
                            Location::new(path, 1),
                            &finding,
                            &s.reason,
                            until,
                        ));
                    }
                }
                _ => suppressed = true,
            }
        }
        if suppressed {
            out.suppressed += 1;
        } else {
            out.kept.push(finding);
        }
    }
    out
}

fn expired_finding(at: Location, original: &Finding, reason: &str, until: time::Date) -> Finding {
    let meta = &rules::configuration::suppression_expired::RULE.meta;
    let mut f = meta.finding(
        None,
        format!(
            "The suppression of `{}` (\"{reason}\") expired on {until}; the finding is reported again.",
            original.rule
        ),
        "An expired suppression hides nothing any more: the deficiency it excused is back in the report, and the team's deadline to fix it has passed.".to_string(),
        "Fix the finding, or renew the suppression with a new date and a reason that still holds.".to_string(),
        vec![at],
    );
    f.app = original.app.clone();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_inline_comments() {
        let (found, problems) = parse_inline(
            "# seaworthy:ignore backups-not-offsite -- local snapshots\n// seaworthy:ignore SW601 until=2020-01-01 -- demo */\n# seaworthy:ignore backups-not-offsite\n# seaworthy:ignore-file manual-server-deployment -- legacy host\n",
        );
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].rules, ["backups-not-offsite"]);
        assert_eq!(found[0].reason, "local snapshots");
        assert_eq!(found[1].rules, ["sqlite-in-production"]);
        assert_eq!(found[1].reason, "demo");
        assert!(found[1].until.is_some());
        assert!(found[2].whole_file);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("line 3") && problems[0].contains("reason"));
    }
}
