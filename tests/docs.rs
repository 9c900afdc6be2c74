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
