//! k8s-single-replica: the workload runs two pods (`replicas: 1` → `2`, or
//! `replicas: 2` added to its `spec:`), and a PodDisruptionBudget with
//! `minAvailable: 1` over its pods goes in the same manifest, so it is
//! applied wherever the Deployment is (a separate file would have to be
//! added to every kustomization and apply command by hand).
//!
//! Refused when the app keeps state in the pod — SQLite, or user files
//! written to its folder (found in the code by `fix::deploy::writable`):
//! two replicas would each keep their own copy. Unsafe all the same: any
//! other state held in memory or on local disk (sessions, caches, scheduled
//! jobs) now runs twice.

use crate::facts::kubernetes::{KubeFile, Object};
use crate::finding::Finding;
use crate::fix::deploy::writable::writable_paths;
use crate::fix::profile::{Database, Profile};
use crate::fix::{Builder, Intents};
use crate::rules::{AppContext, RepoContext};

use super::lines::{indent, strip_comment, LineEdits, Text};
use super::{cited_line_now, cited_text};

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let app = match &finding.app {
        Some(path) => repo.apps.iter().find(|a| &a.path == path),
        None if repo.apps.len() == 1 => repo.apps.first(),
        None => None,
    };
    if let Some(app) = app {
        let cx = AppContext::new(repo, app);
        if let Ok(profile) = Profile::load(&cx, b.tree, &Intents::default()) {
            if profile.database == Database::Sqlite {
                return Err("the app keeps its data in SQLite inside the pod: a second replica would have its own database (fix sqlite-in-production first)".to_string());
            }
            if let Some(w) = writable_paths(&profile, b)
                .into_iter()
                .find(|w| w.persistent)
            {
                return Err(format!(
                    "the app writes user files to {} ({}): a second replica would not see them; move them to shared storage first",
                    w.path, w.evidence
                ));
            }
        }
    }
    let (path, text) = cited_text(b, finding, "manifest")?;
    let line = cited_line_now(b, finding, &path, &text)?;
    let after = fix_text(&text, line)?;
    b.modify(&path, after);
    b.manual("Two pods now run the app: state kept in memory or on the pod's disk (sessions, caches, in-process schedulers) is no longer shared. Spread them with `topologySpreadConstraints` when the cluster has several nodes.");
    Ok(())
}

/// The manifest with the workload cited on `line` (its `replicas:` or its
/// `kind:`) at two replicas, and its PodDisruptionBudget appended.
pub fn fix_text(text: &str, line: u32) -> Result<String, String> {
    let file = KubeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let object = file
        .objects
        .iter()
        .find(|o| {
            o.line == line
                || o.workload
                    .as_ref()
                    .and_then(|w| w.replicas)
                    .is_some_and(|(_, l)| l == line)
        })
        .ok_or("the cited workload is not in the file any more")?;
    let workload = object.workload.as_ref().ok_or("not a workload")?;
    let name = object.name.as_deref().ok_or("the workload has no name")?;
    let mut edits = LineEdits::default();
    match workload.replicas {
        Some((1, at)) => {
            let old = lines.line(at).unwrap_or_default();
            let value = strip_comment(old)
                .split_once(':')
                .map(|(_, v)| v.trim())
                .unwrap_or_default();
            if value != "1" {
                return Err(format!("line {at}: `replicas` is not a plain 1"));
            }
            let key_end = old.find(':').unwrap_or(0);
            let after_value = &old[key_end + 1..];
            let at_one = after_value.find('1').unwrap_or(0);
            edits.replace(
                at,
                vec![format!(
                    "{}:{}2{}",
                    &old[..key_end],
                    &after_value[..at_one],
                    &after_value[at_one + 1..]
                )],
            );
        }
        Some((n, _)) => return Err(format!("the workload runs {n} replicas already")),
        None => {
            let spec = spec_line(&lines, object).ok_or(
                "the workload's `spec:` is not a block seaworthy can find: set `replicas: 2` by hand",
            )?;
            let child = lines
                .child_indent(spec)
                .ok_or("the workload's `spec:` is written in flow style")?;
            edits.insert_after(spec, vec![format!("{}replicas: 2", " ".repeat(child))]);
        }
    }
    let budget_exists = file
        .objects
        .iter()
        .any(|o| o.kind == "PodDisruptionBudget" && o.name.as_deref() == Some(name));
    if !budget_exists {
        if workload.pod_labels.is_empty() {
            return Err("the pods have no labels for a PodDisruptionBudget to select".to_string());
        }
        let mut pdb = vec![
            "---".to_string(),
            "apiVersion: policy/v1".to_string(),
            "kind: PodDisruptionBudget".to_string(),
            "metadata:".to_string(),
            format!("  name: {name}"),
        ];
        if let Some(ns) = &object.namespace {
            pdb.push(format!("  namespace: {ns}"));
        }
        pdb.extend([
            "spec:".to_string(),
            "  minAvailable: 1".to_string(),
            "  selector:".to_string(),
            "    matchLabels:".to_string(),
        ]);
        for (k, v) in &workload.pod_labels {
            pdb.push(format!("      {k}: {}", yaml_scalar(v)));
        }
        let last = (1..=lines.len())
            .rev()
            .find(|n| lines.line(*n).is_some_and(|l| !l.trim().is_empty()))
            .unwrap_or(1);
        edits.insert_after(last, pdb);
    }
    Ok(edits.apply(text))
}

/// The object's top-level `spec:` line: in the object's document, at the
/// indentation of its `kind:`.
fn spec_line(lines: &Text, object: &Object) -> Option<u32> {
    let kind = lines.line(object.line)?;
    let base = indent(kind);
    let doc_start = (1..object.line)
        .rev()
        .find(|n| lines.line(*n).is_some_and(|l| l.starts_with("---")))
        .unwrap_or(0);
    (doc_start + 1..=lines.len())
        .take_while(|n| *n <= object.line || !lines.line(*n).is_some_and(|l| l.starts_with("---")))
        .find(|n| {
            lines.line(*n).is_some_and(|l| {
                indent(l) == base && strip_comment(l.trim_start()).trim_end() == "spec:"
            })
        })
}

/// A label value as YAML: quoted when it would read as something else.
fn yaml_scalar(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && v.parse::<f64>().is_err()
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "# web\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels:\n        app: web\n        tier: \"1\"\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.0.0\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";

    #[test]
    fn two_replicas_and_a_budget() {
        let out = fix_text(DEPLOYMENT, 3).expect("fixed");
        assert!(out.starts_with("# web\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n"), "{out}");
        assert!(out.ends_with("  ports: [{port: 80}]\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n      tier: \"1\"\n"), "{out}");
        let parsed = KubeFile::parse(&out).expect("YAML");
        assert_eq!(
            parsed.objects[0]
                .workload
                .as_ref()
                .and_then(|w| w.replicas)
                .map(|r| r.0),
            Some(2)
        );
        assert!(fix_text(&out, 3).is_err(), "a second time");
    }

    #[test]
    fn replicas_one_becomes_two() {
        let text = DEPLOYMENT.replace(
            "spec:\n  selector:",
            "spec:\n  replicas: 1 # for now\n  selector:",
        );
        let out = fix_text(&text, 8).expect("fixed");
        assert!(out.contains("\n  replicas: 2 # for now\n"), "{out}");
    }
}
