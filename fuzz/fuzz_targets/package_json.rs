//! `PackageJson::parse` and the JSON documents of ORM configs
//! (`facts::JsonDocument`, as `Facts` builds it from serde_json) on any
//! text: no panic, no hang, bounded memory. When it parses: the text is kept
//! whole, `line_of_key`/`line_of_key_in` point inside the file
//! (1 ≤ line ≤ lines) and at a line that spells `"key"` (or are the fallback
//! line 1), and the dependency accessors agree with the maps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::package_json::PackageJson;
use seaworthy::facts::JsonDocument;
use seaworthy_fuzz::{lossy, Lines};

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
        let keys: Vec<String> = match &value {
            serde_json::Value::Object(map) => map.keys().take(16).cloned().collect(),
            _ => Vec::new(),
        };
        let doc = JsonDocument {
            value,
            text: text.clone(),
        };
        for key in keys
            .iter()
            .map(String::as_str)
            .chain(["production", "dialect"])
        {
            lines.assert_in(&"JsonDocument::line_of_key", doc.line_of_key(key));
            for inner in ["dialect", "storage", "type", "database"] {
                lines.assert_in(
                    &"JsonDocument::line_of_key_in",
                    doc.line_of_key_in(key, inner),
                );
            }
        }
    }
    let Ok(pkg) = PackageJson::parse(text.clone()) else {
        return;
    };
    assert_eq!(pkg.text, text);
    let fixed = [
        "name",
        "dependencies",
        "devDependencies",
        "scripts",
        "workspaces",
        "prisma",
        "schema",
    ];
    let keys: Vec<String> = fixed
        .iter()
        .map(|k| k.to_string())
        .chain(pkg.dependencies.keys().cloned())
        .chain(pkg.dev_dependencies.keys().cloned())
        .chain(pkg.scripts.keys().cloned())
        .take(64)
        .collect();
    for key in &keys {
        let line = pkg.line_of_key(key);
        lines.assert_in(&"line_of_key", line);
        if line != 1 {
            let written = lines.get(line).unwrap_or("");
            assert!(
                written.contains(&format!("\"{key}\"")),
                "line_of_key({key:?}) = {line}, which reads {written:?}"
            );
        }
    }
    for name in pkg.all_dependency_names() {
        assert!(pkg.has_dependency(name));
        assert!(pkg.version_of(name).is_some());
    }
});
