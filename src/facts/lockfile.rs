//! Lockfiles: which packages an install really puts in place.
//!
//! A manifest names the direct dependencies; the lockfile also names what
//! they pull in. Rules that ask "is package X installed?" read it when a
//! vendor's SDK arrives through a wrapper (`@snapshot-labs/snapshot-sentry`
//! depends on `@sentry/node`) or through a sibling package of a composer
//! path repository. Development-only packages are left out when the format
//! marks them (npm's `"dev": true`, pnpm's `dev: true`, composer's
//! `packages-dev`); yarn.lock does not say, so all of its packages count.

use std::collections::BTreeSet;

use yaml_rust2::{Yaml, YamlLoader};

/// File names of the lockfiles this module reads.
pub const NODE_LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
];
pub const PHP_LOCKFILES: &[&str] = &["composer.lock"];

/// The names of the packages a lockfile installs for production.
pub fn installed(file_name: &str, text: &str) -> Result<BTreeSet<String>, String> {
    match file_name {
        "package-lock.json" | "npm-shrinkwrap.json" => npm(text),
        "yarn.lock" => Ok(yarn(text)),
        "pnpm-lock.yaml" => pnpm(text),
        "composer.lock" => composer(text),
        other => Err(format!("not a lockfile this reader knows: {other}")),
    }
}

fn is_dev(entry: &serde_json::Value) -> bool {
    ["dev", "devOptional"]
        .iter()
        .any(|k| entry.get(k).and_then(serde_json::Value::as_bool) == Some(true))
}

/// npm lockfile v2/v3 (`packages`, keyed by `node_modules/…` paths) or v1
/// (`dependencies`, nested).
fn npm(text: &str) -> Result<BTreeSet<String>, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out = BTreeSet::new();
    if let Some(packages) = doc.get("packages").and_then(serde_json::Value::as_object) {
        for (path, entry) in packages {
            // "" is the project itself; workspace folders have no node_modules/.
            let Some((_, name)) = path.rsplit_once("node_modules/") else {
                continue;
            };
            if !name.is_empty() && !is_dev(entry) {
                out.insert(name.to_string());
            }
        }
        return Ok(out);
    }
    fn walk(deps: &serde_json::Value, out: &mut BTreeSet<String>) {
        let Some(map) = deps.as_object() else {
            return;
        };
        for (name, entry) in map {
            if is_dev(entry) {
                continue;
            }
            out.insert(name.clone());
            if let Some(nested) = entry.get("dependencies") {
                walk(nested, out);
            }
        }
    }
    if let Some(deps) = doc.get("dependencies") {
        walk(deps, &mut out);
    }
    Ok(out)
}

/// The package name of an npm spec: `@scope/name@^1`, `name@npm:^2`,
/// `name@1.2.3(peer@4)`.
fn spec_name(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"').trim_matches('\'');
    let from = usize::from(spec.starts_with('@'));
    let end = spec[from..].find('@').map_or(spec.len(), |i| i + from);
    let name = &spec[..end];
    (!name.is_empty() && name != "@").then_some(name)
}

/// yarn.lock (classic and berry): every entry starts at column 0 with its
/// comma-separated specs and a colon; the lines under it are indented.
fn yarn(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let Some(head) = line.trim_end().strip_suffix(':') else {
            continue;
        };
        // Berry's `__metadata:` header is not a package.
        if head == "__metadata" {
            continue;
        }
        for spec in head.split(',') {
            if let Some(name) = spec_name(spec) {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// The package name of a pnpm `packages:` key: `/@scope/name/1.2.3` and
/// `/name/1.2.3_peer@1` (lockfile v5), `/@scope/name@1.2.3` (v6),
/// `@scope/name@1.2.3(peer@1)` (v9).
fn pnpm_key_name(key: &str) -> Option<&str> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let scoped = key.starts_with('@');
    let from = usize::from(scoped);
    if let Some(at) = key[from..].find('@').map(|i| i + from) {
        let name = &key[..at];
        // v5 keys have no `@` before the version, but a peer suffix may
        // (`/name/1.0.0_react@18`): the name then stops at its `/`.
        let segments = if scoped { 2 } else { 1 };
        if name.split('/').count() <= segments {
            return (!name.is_empty()).then_some(name);
        }
    }
    let segments = if scoped { 2 } else { 1 };
    let end = key
        .match_indices('/')
        .nth(segments - 1)
        .map_or(key.len(), |(i, _)| i);
    let name = &key[..end];
    (!name.is_empty()).then_some(name)
}

fn pnpm(text: &str) -> Result<BTreeSet<String>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    let mut out = BTreeSet::new();
    let Some(doc) = docs.first() else {
        return Ok(out);
    };
    if let Yaml::Hash(packages) = &doc["packages"] {
        for (key, entry) in packages {
            let Some(key) = key.as_str() else { continue };
            if entry["dev"].as_bool() == Some(true) {
                continue;
            }
            if let Some(name) = pnpm_key_name(key) {
                out.insert(name.to_string());
            }
        }
    }
    Ok(out)
}

/// composer.lock: `packages` is what production installs, `packages-dev`
/// is not read.
fn composer(text: &str) -> Result<BTreeSet<String>, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(doc
        .get("packages")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("name").and_then(serde_json::Value::as_str))
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_v3_skips_dev_and_reads_nested_paths() {
        let text = r#"{"lockfileVersion":3,"packages":{
            "":{"name":"app"},
            "node_modules/wrap":{"version":"1.0.0"},
            "node_modules/@sentry/node":{"version":"10.0.0"},
            "node_modules/wrap/node_modules/@sentry/core":{"version":"10.0.0"},
            "node_modules/jest":{"version":"29.0.0","dev":true}}}"#;
        let got = installed("package-lock.json", text).unwrap();
        assert!(got.contains("@sentry/node"));
        assert!(got.contains("@sentry/core"));
        assert!(got.contains("wrap"));
        assert!(!got.contains("jest"));
        assert!(!got.contains(""));
    }

    #[test]
    fn npm_v1_walks_nested_dependencies() {
        let text = r#"{"lockfileVersion":1,"dependencies":{
            "wrap":{"version":"1.0.0","dependencies":{"@sentry/node":{"version":"7.0.0"}}},
            "mocha":{"version":"9.0.0","dev":true}}}"#;
        let got = installed("package-lock.json", text).unwrap();
        assert!(got.contains("@sentry/node"));
        assert!(!got.contains("mocha"));
    }

    #[test]
    fn yarn_classic_and_berry_headers() {
        let text = "# yarn lockfile v1\n\n\"@snapshot-labs/snapshot-sentry@^3.1.0\":\n  version \"3.1.0\"\n  dependencies:\n    \"@sentry/node\" \"^10.52.0\"\n\nexpress@^4.17.1, express@^4.18.0:\n  version \"4.18.2\"\n\n\"@sentry/node@^10.52.0\":\n  version \"10.52.0\"\n\n__metadata:\n  version: 6\n\n\"left-pad@npm:^1.3.0\":\n  version: 1.3.0\n";
        let got = installed("yarn.lock", text).unwrap();
        for name in [
            "@snapshot-labs/snapshot-sentry",
            "express",
            "@sentry/node",
            "left-pad",
        ] {
            assert!(got.contains(name), "{name} in {got:?}");
        }
        assert!(!got.contains("__metadata"));
        // A dependency line inside an entry is not an entry.
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn pnpm_key_names_of_every_lockfile_version() {
        assert_eq!(pnpm_key_name("/@sentry/node/7.21.1"), Some("@sentry/node"));
        assert_eq!(
            pnpm_key_name("/@gooditworks/monitoring/1.5.4_next@13.0.5+react@18.2.0"),
            Some("@gooditworks/monitoring")
        );
        assert_eq!(pnpm_key_name("/express/4.18.2"), Some("express"));
        assert_eq!(pnpm_key_name("/@sentry/node@7.21.1"), Some("@sentry/node"));
        assert_eq!(pnpm_key_name("/express@4.18.2"), Some("express"));
        assert_eq!(
            pnpm_key_name("@sentry/nextjs@8.0.0(next@14.0.0)"),
            Some("@sentry/nextjs")
        );
        assert_eq!(
            pnpm_key_name("react-dom@18.2.0(react@18.2.0)"),
            Some("react-dom")
        );
    }

    #[test]
    fn pnpm_skips_dev_packages() {
        let text = "lockfileVersion: 5.4\npackages:\n  /@sentry/nextjs/7.21.1_next@13.0.5:\n    resolution: {integrity: sha512-x}\n    dev: false\n  /vitest/0.25.0:\n    resolution: {integrity: sha512-y}\n    dev: true\n";
        let got = installed("pnpm-lock.yaml", text).unwrap();
        assert!(got.contains("@sentry/nextjs"));
        assert!(!got.contains("vitest"));
    }

    #[test]
    fn composer_reads_packages_not_packages_dev() {
        let text = r#"{"packages":[{"name":"sentry/sentry-laravel"},{"name":"sentry/sentry"}],
            "packages-dev":[{"name":"phpunit/phpunit"}]}"#;
        let got = installed("composer.lock", text).unwrap();
        assert!(got.contains("sentry/sentry-laravel"));
        assert!(!got.contains("phpunit/phpunit"));
    }

    #[test]
    fn invalid_lockfiles_are_errors_not_empty_sets() {
        assert!(installed("package-lock.json", "{").is_err());
        assert!(installed("composer.lock", "not json").is_err());
        assert!(installed("Gemfile.lock", "").is_err());
    }
}
