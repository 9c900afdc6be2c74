//! suppression-expired: a suppression whose date has passed.

use crate::finding::{Category, Severity, Wording};
use crate::rules::{Check, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "suppression-expired",
        code: "SW001",
        severity: Severity::Low,
        category: Category::Configuration,
        title: "Expired suppression",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    // Reported by the suppression stage, not from facts.
    check: Check::Meta,
};

const DOCS: &str = r#"## What it does
Reports a suppression — an inline `seaworthy:ignore RULE until=YYYY-MM-DD -- reason`
comment or a `[[suppress]]` entry with `expires` in seaworthy.toml — whose date
has passed. The finding it suppressed is reported again beside it.

## Why is this bad?
A suppression with a date is a promise to fix something by then. Once the date
has passed, the deficiency is back and the promise is broken; keeping both
visible keeps the team honest.

## Example
Reported: `# seaworthy:ignore backups-not-offsite until=2024-01-31 -- moving to S3 in January`
on the line before the dump, audited after 2024-01-31.

Not reported: the same comment with `until=2099-01-31`, or without a date.

## Fix
Fix the finding and delete the suppression, or renew it with a new date and a
reason that still holds.
"#;
