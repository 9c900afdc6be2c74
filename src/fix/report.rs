//! What `seaworthy fix` prints: the plans (with diffs on --dry-run), the
//! re-check, and a summary that ends with the next commands to run.

use super::{diff, Planned};
use crate::finding::Finding;

fn app_label(app: &Option<String>) -> String {
    match app {
        Some(a) => format!(" ({a})"),
        None => String::new(),
    }
}

fn verb(edit: &super::Edit) -> &'static str {
    if edit.delete {
        "delete"
    } else if edit.before.is_none() {
        "create"
    } else {
        "modify"
    }
}

/// The plans, one block each; with `diffs`, the unified diff of every edit.
pub fn plans(planned: &Planned, diffs: bool) -> String {
    let mut out = String::new();
    for plan in &planned.plans {
        out.push_str(&format!(
            "== {}{}{}\n",
            plan.rule,
            app_label(&plan.app),
            if plan.unsafe_fix { " [unsafe]" } else { "" }
        ));
        for edit in &plan.edits {
            out.push_str(&format!("   {} {}\n", verb(edit), edit.path));
        }
        if diffs {
            for edit in &plan.edits {
                out.push('\n');
                out.push_str(&diff::edit(edit));
            }
        }
        out.push('\n');
    }
    for c in &planned.conflicts {
        out.push_str(&format!(
            "== conflict: {} exists with different content; not overwritten ({})\n",
            c.path, c.rule
        ));
        out.push_str(&diff::text(
            &c.existing,
            &c.proposed,
            &format!("a/{} (existing)", c.path),
            &format!("b/{} (seaworthy)", c.path),
        ));
        out.push('\n');
    }
    out
}

/// The re-check after applying: which fixed findings are gone.
pub fn recheck(planned: &Planned, after: &[Finding]) -> String {
    let mut gone = Vec::new();
    let mut still = Vec::new();
    for plan in &planned.plans {
        if plan.edits.is_empty() {
            continue;
        }
        let label = format!("{}{}", plan.rule, app_label(&plan.app));
        let remaining = super::still_there(plan, after);
        if let Some(why) = &plan.not_wired {
            still.push(format!("{label} — written but not in effect: {why}"));
        } else if remaining.is_empty() {
            gone.push(label);
        } else {
            let evidence = remaining
                .iter()
                .flat_map(|f| f.locations.iter())
                .map(|l| format!("{}:{}", l.path, l.line))
                .collect::<Vec<_>>()
                .join(", ");
            still.push(format!("{label} — {evidence}"));
        }
    }
    let mut out = String::from("Re-check\n");
    if gone.is_empty() && still.is_empty() {
        out.push_str("   nothing was fixed\n");
    }
    for g in gone {
        out.push_str(&format!("   gone: {g}\n"));
    }
    for s in still {
        out.push_str(&format!("   still there: {s}\n"));
    }
    // Findings the fix itself brought in (not there before it ran).
    let new: Vec<&Finding> = after
        .iter()
        .filter(|f| {
            !planned
                .findings
                .iter()
                .any(|b| b.rule == f.rule && b.app == f.app)
        })
        .collect();
    for f in &new {
        let evidence = f
            .locations
            .iter()
            .map(|l| format!("{}:{}", l.path, l.line))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "   new: {}{} — {evidence} (introduced by this fix)\n",
            f.rule,
            app_label(&f.app)
        ));
    }
    let others = after
        .iter()
        .filter(|f| !new.iter().any(|n| std::ptr::eq(*n, *f)))
        .filter(|f| {
            !planned
                .plans
                .iter()
                .any(|p| p.rule == f.rule && (p.app.is_none() || f.app.is_none() || p.app == f.app))
        })
        .count();
    if others > 0 {
        out.push_str(&format!(
            "   {others} other finding(s) remain (`seaworthy check` lists them)\n"
        ));
    }
    out.push('\n');
    out
}

/// The closing summary.
pub fn summary(planned: &Planned, applied: bool) -> String {
    let mut out = String::from("Summary\n");
    let list = |title: &str, items: Vec<&str>, out: &mut String| {
        if !items.is_empty() {
            out.push_str(&format!("   {title} ({}):\n", items.len()));
            for i in items {
                out.push_str(&format!("     {i}\n"));
            }
        }
    };
    let (created, modified, deleted) = if applied {
        ("Created", "Modified", "Deleted")
    } else {
        ("Would create", "Would modify", "Would delete")
    };
    list(
        created,
        planned
            .changes
            .iter()
            .filter(|e| e.before.is_none())
            .map(|e| e.path.as_str())
            .collect(),
        &mut out,
    );
    list(
        modified,
        planned
            .changes
            .iter()
            .filter(|e| e.before.is_some() && !e.delete)
            .map(|e| e.path.as_str())
            .collect(),
        &mut out,
    );
    list(
        deleted,
        planned
            .changes
            .iter()
            .filter(|e| e.delete)
            .map(|e| e.path.as_str())
            .collect(),
        &mut out,
    );
    if planned.changes.is_empty() {
        out.push_str("   No file changes.\n");
    }
    let mut skipped: Vec<String> = planned
        .skipped
        .iter()
        .map(|s| format!("{}{}: {}", s.rule, app_label(&s.app), s.reason))
        .collect();
    skipped.extend(planned.conflicts.iter().map(|c| {
        format!(
            "{}: exists with different content (diff above), not overwritten [{}]",
            c.path, c.rule
        )
    }));
    if !skipped.is_empty() {
        out.push_str(&format!("   Skipped ({}):\n", skipped.len()));
        for s in &skipped {
            out.push_str(&format!("     - {s}\n"));
        }
    }
    let mut manual: Vec<&str> = Vec::new();
    let mut assumed: Vec<&str> = Vec::new();
    let mut next: Vec<&str> = Vec::new();
    for plan in &planned.plans {
        for m in &plan.manual_steps {
            if !manual.contains(&m.as_str()) {
                manual.push(m);
            }
        }
        for a in &plan.assumptions {
            if !assumed.contains(&a.as_str()) {
                assumed.push(a);
            }
        }
        for c in &plan.next_commands {
            if !next.contains(&c.as_str()) {
                next.push(c);
            }
        }
    }
    if !manual.is_empty() {
        out.push_str("   To do by hand:\n");
        for m in manual {
            out.push_str(&format!("     - {m}\n"));
        }
    }
    if !assumed.is_empty() {
        out.push_str("   Assumed:\n");
        for a in assumed {
            out.push_str(&format!("     - {a}\n"));
        }
    }
    if !next.is_empty() {
        out.push_str("   Next:\n");
        // Installing dependencies comes first.
        next.sort_by_key(|c| !c.ends_with(" install"));
        for c in next {
            out.push_str(&format!("     {c}\n"));
        }
    }
    out
}

fn plan_label(planned: &Planned, index: usize) -> String {
    planned
        .plans
        .get(index)
        .map(|p| format!("{}{}", p.rule, app_label(&p.app)))
        .unwrap_or_default()
}

/// Why nothing was written: what the preflight found, and which fixes need
/// those files (directly, or because they build on a fix that does).
pub fn preflight_refusal(planned: &Planned, problems: &[super::transaction::Problem]) -> String {
    let mut out = format!(
        "error: preflight: {} of the {} planned change(s) cannot be written, so nothing was written:\n",
        problems
            .iter()
            .map(|p| p.path.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        planned.changes.len()
    );
    for p in problems {
        out.push_str(&format!("  {}: {}\n", p.path, p.reason));
    }
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    let blocked = super::blocked_plans(planned, &paths);
    if !blocked.is_empty() {
        out.push_str("the fixes these block:\n");
        for &i in &blocked {
            let plan = &planned.plans[i];
            let own: Vec<&str> = plan
                .edits
                .iter()
                .map(|e| e.path.as_str())
                .filter(|p| paths.contains(p))
                .collect();
            let why = if !own.is_empty() {
                format!("writes {}", own.join(", "))
            } else if paths.contains(&super::transaction::JOURNAL_DIR) {
                "no change can be undone without the journal".to_string()
            } else {
                let on: Vec<String> = plan
                    .depends_on
                    .iter()
                    .filter(|d| blocked.contains(d))
                    .map(|&d| plan_label(planned, d))
                    .collect();
                format!("builds on {}", on.join(", "))
            };
            out.push_str(&format!("  - {}: {why}\n", plan_label(planned, i)));
        }
        let others: Vec<String> = (0..planned.plans.len())
            .filter(|i| !blocked.contains(i) && !planned.plans[*i].edits.is_empty())
            .map(|i| format!("--rule {}", planned.plans[i].rule))
            .collect();
        if !others.is_empty() {
            out.push_str(&format!(
                "the other fixes can be applied on their own: {}\n",
                others.join(" ")
            ));
        }
    }
    out.push_str(
        "make those files and folders writable (or move them away) and run `seaworthy fix` again",
    );
    out
}

/// What a failed transaction did: the step that failed, and that every
/// change was rolled back (or what could not be).
pub fn apply_failure(planned: &Planned, failure: &super::transaction::Failure) -> String {
    let mut out = format!(
        "error: could not apply the {} planned change(s) (listed above): {} failed: {}\n",
        planned.changes.len(),
        failure.step,
        failure.error
    );
    if failure.rollback.is_complete() {
        out.push_str(&format!(
            "rolled back: the files are exactly as they were before this run ({})",
            failure.rollback
        ));
    } else {
        out.push_str(&format!(
            "error: the rollback is incomplete ({}); could not undo:\n",
            failure.rollback
        ));
        for e in &failure.rollback.errors {
            out.push_str(&format!("  {e}\n"));
        }
        out.push_str(&format!(
            "the undo journal is kept in {}/: the next `seaworthy fix` retries the rollback before anything else",
            super::transaction::JOURNAL_DIR
        ));
    }
    out
}
