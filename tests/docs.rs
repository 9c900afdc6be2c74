//! `docs/rules/*.md` are generated from the rule definitions; this test fails
//! when they are stale. `UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use std::fs;
use std::path::Path;

use seaworthy::rules;

#[test]
fn rule_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut pages: Vec<(String, String)> = rules::ALL
        .iter()
        .map(|r| (format!("{}.md", r.meta.name), rules::docs_page(r)))
        .collect();
    pages.push(("README.md".to_string(), rules::docs_index()));
    let mut stale = Vec::new();
    for (name, want) in &pages {
        let path = dir.join(name);
        if update {
            fs::create_dir_all(&dir).expect("create docs/rules");
            fs::write(&path, want).expect("write doc page");
        } else if fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(name.clone());
        }
    }
    // No page for a rule that no longer exists.
    if let Ok(entries) = fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !pages.iter().any(|(n, _)| *n == name) {
                stale.push(format!("{name} (no such rule)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs: {stale:?}; run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}

/// One example of a rule's docs: the files of a small repository, and whether
/// the rule must report it.
struct DocExample {
    reported: bool,
    files: Vec<(String, String)>,
}

/// Reads the `### Reported` / `### Not reported` cases of a rule's `## Example`
/// section. Each case is the fenced blocks below its heading whose info
/// string names a file (```` ```dockerfile file=Dockerfile ````).
fn doc_examples(docs: &str) -> Vec<DocExample> {
    let mut out: Vec<DocExample> = Vec::new();
    let mut current: Option<usize> = None;
    let mut lines = docs.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("### ") {
            let heading = trimmed.trim_start_matches('#').trim().to_ascii_lowercase();
            current = if heading.starts_with("not reported") {
                out.push(DocExample {
                    reported: false,
                    files: Vec::new(),
                });
                Some(out.len() - 1)
            } else if heading.starts_with("reported") {
                out.push(DocExample {
                    reported: true,
                    files: Vec::new(),
                });
                Some(out.len() - 1)
            } else {
                None
            };
        } else if trimmed.starts_with("## ") {
            current = None;
        } else if let Some(info) = trimmed.strip_prefix("```") {
            let file = info
                .split_whitespace()
                .find_map(|w| w.strip_prefix("file="))
                .map(str::to_string);
            let mut body = String::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            if let (Some(file), Some(i)) = (file, current) {
                out[i].files.push((file, body));
            }
        }
    }
    out
}

/// Every rule's documented examples, written out as repositories and
/// audited: a "Reported" example must produce a finding of the rule, a
/// "Not reported" one must not.
#[test]
fn rule_docs_examples_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in rules::ALL {
        if matches!(rule.check, rules::Check::Meta) {
            continue;
        }
        let name = rule.meta.name;
        let examples = doc_examples(rule.meta.docs);
        let reported = examples.iter().filter(|e| e.reported).count();
        if reported == 0 || reported == examples.len() {
            failures.push(format!(
                "{name}: docs need a `### Reported` and a `### Not reported` example with `file=` blocks"
            ));
            continue;
        }
        for (i, example) in examples.iter().enumerate() {
            if example.files.is_empty() {
                failures.push(format!("{name}: example {} has no `file=` block", i + 1));
                continue;
            }
            let dir = tempfile::tempdir().expect("tempdir");
            for (path, body) in &example.files {
                let path = dir.path().join(path);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).expect("create example folder");
                }
                fs::write(&path, body).expect("write example file");
            }
            // An example may show the configuration it needs.
            let config = if example.files.iter().any(|(p, _)| p == "seaworthy.toml") {
                seaworthy::audit::ConfigSource::File(dir.path().join("seaworthy.toml"))
            } else {
                seaworthy::audit::ConfigSource::None
            };
            let options = seaworthy::audit::Options {
                config,
                ..Default::default()
            };
            let report = seaworthy::audit::run(dir.path(), &options).expect("example audits");
            let found = report.findings.iter().any(|f| f.rule == name);
            if found != example.reported {
                failures.push(format!(
                    "{name}: example {} ({}) {}",
                    i + 1,
                    if example.reported {
                        "Reported"
                    } else {
                        "Not reported"
                    },
                    if found {
                        "was reported"
                    } else {
                        "was not reported"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "docs examples:\n  {}",
        failures.join("\n  ")
    );
}
