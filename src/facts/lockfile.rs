//! Lockfiles: which packages an install really puts in place.
//!
//! A manifest names the direct dependencies; the lockfile also names what
//! they pull in. Rules that ask "is package X installed?" read it when a
//! vendor's SDK arrives through a wrapper (`@snapshot-labs/snapshot-sentry`
//! depends on `@sentry/node`) or through a sibling package of a composer
//! path repository. Development-only packages are left out when the format
//! marks them (npm's `"dev": true`, pnpm's `dev: true`, composer's
//! `packages-dev`, Pipfile.lock's `develop`, poetry's `category = "dev"`,
//! uv's `dev-dependencies`); yarn.lock and Gemfile.lock do not say, so all
//! of their packages count.
//! A workspace's lockfile covers every member, so a rule walks the
//! dependency edges from one app's own dependencies rather than trusting
//! every name in the file.

use std::collections::{BTreeMap, BTreeSet};

use yaml_rust2::{Yaml, YamlLoader};

/// File names of the lockfiles this module reads.
pub const NODE_LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
];
pub const PHP_LOCKFILES: &[&str] = &["composer.lock"];
/// Python lockfiles. Go needs none: since Go 1.17 `go.mod` itself lists
/// every module the build uses (`// indirect` for those only a dependency
/// imports), and the app's dependencies already include them; `go.sum` is
/// not a list of what is built (it also holds checksums of modules only
/// consulted for their `go.mod`, and of older versions).
pub const PYTHON_LOCKFILES: &[&str] = &["poetry.lock", "uv.lock", "Pipfile.lock"];
pub const RUBY_LOCKFILES: &[&str] = &["Gemfile.lock"];

/// The packages a lockfile installs for production, each with the names of
/// the packages it depends on.
#[derive(Debug, Default, Clone)]
pub struct Installed {
    pub edges: BTreeMap<String, BTreeSet<String>>,
    /// The lockfile lists one project's production install without saying
    /// which package pulls in which (Pipfile.lock): every package in it is
    /// the project's, whatever its direct dependencies.
    pub flat: bool,
}

impl Installed {
    fn add(&mut self, name: &str) -> &mut BTreeSet<String> {
        self.edges.entry(name.to_string()).or_default()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.edges.contains_key(name)
    }

    /// The installed packages from which some package that `is_target`
    /// accepts is reachable along dependency edges (the targets included):
    /// one walk back from the targets answers every app of a workspace,
    /// where a walk forward from each app's dependencies would repeat the
    /// shared part of the graph for each app.
    pub fn reaching(&self, is_target: impl Fn(&str) -> bool) -> BTreeSet<String> {
        if self.flat {
            // Every package is installed with every other: any of them
            // reaches a target that is installed at all.
            return if self.edges.keys().any(|n| is_target(n)) {
                self.edges.keys().cloned().collect()
            } else {
                BTreeSet::new()
            };
        }
        let mut parents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, deps) in &self.edges {
            for dep in deps.iter().filter(|d| self.contains(d)) {
                parents.entry(dep.as_str()).or_default().push(name.as_str());
            }
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut todo: Vec<&str> = self
            .edges
            .keys()
            .map(String::as_str)
            .filter(|n| is_target(n))
            .collect();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.to_string()) {
                continue;
            }
            if let Some(up) = parents.get(name) {
                todo.extend(up.iter().filter(|p| !seen.contains(**p)));
            }
        }
        seen
    }

    /// The installed packages reachable from `roots` (an app's direct
    /// dependencies) along dependency edges, the roots included.
    pub fn reachable_from<'a>(&self, roots: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<String> = roots
            .into_iter()
            .filter(|r| self.contains(r))
            .map(str::to_string)
            .collect();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(next) = self.edges.get(&name) {
                todo.extend(
                    next.iter()
                        .filter(|n| self.contains(n) && !seen.contains(*n))
                        .cloned(),
                );
            }
        }
        seen
    }
}

fn object_keys(value: Option<&serde_json::Value>) -> impl Iterator<Item = &String> {
    value
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
}

/// What a lockfile installs for production, with its dependency edges.
pub fn installed(file_name: &str, text: &str) -> Result<Installed, String> {
    match file_name {
        "package-lock.json" | "npm-shrinkwrap.json" => npm(text),
        "yarn.lock" => Ok(yarn(text)),
        "pnpm-lock.yaml" => pnpm(text),
        "composer.lock" => composer(text),
        "poetry.lock" => poetry(text),
        "uv.lock" => uv(text),
        "Pipfile.lock" => pipfile(text),
        "Gemfile.lock" => gemfile(text),
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
fn npm(text: &str) -> Result<Installed, String> {
    // v2/v3 first, into only the fields read: a lockfile is often
    // megabytes, and a whole `serde_json::Value` tree of it cost more time
    // (and page faults) than the rest of a small repository's audit.
    #[derive(serde::Deserialize)]
    struct Lock {
        packages: Option<BTreeMap<String, Entry>>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        dev: serde_json::Value,
        #[serde(default, rename = "devOptional")]
        dev_optional: serde_json::Value,
        #[serde(default)]
        dependencies: Option<BTreeMap<String, serde::de::IgnoredAny>>,
        #[serde(default, rename = "optionalDependencies")]
        optional_dependencies: Option<BTreeMap<String, serde::de::IgnoredAny>>,
    }
    let lock: Lock = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out = Installed::default();
    if let Some(packages) = lock.packages {
        for (path, entry) in packages {
            // "" is the project itself; workspace folders have no node_modules/.
            let Some((_, name)) = path.rsplit_once("node_modules/") else {
                continue;
            };
            let dev =
                entry.dev.as_bool() == Some(true) || entry.dev_optional.as_bool() == Some(true);
            if !name.is_empty() && !dev {
                let deps: Vec<String> = entry
                    .dependencies
                    .into_iter()
                    .flatten()
                    .chain(entry.optional_dependencies.into_iter().flatten())
                    .map(|(k, _)| k)
                    .collect();
                out.add(name).extend(deps);
            }
        }
        return Ok(out);
    }
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    // v1: `requires` are the edges, `dependencies` the nested installs.
    fn walk(deps: &serde_json::Value, out: &mut Installed) {
        let Some(map) = deps.as_object() else {
            return;
        };
        for (name, entry) in map {
            if is_dev(entry) {
                continue;
            }
            let requires: Vec<String> = object_keys(entry.get("requires")).cloned().collect();
            out.add(name).extend(requires);
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
fn yarn(text: &str) -> Installed {
    let mut out = Installed::default();
    // The names of the entry being read, and whether its lines are now a
    // dependency list (`  dependencies:` then `    name "range"`).
    let mut current: Vec<String> = Vec::new();
    let mut in_deps = false;
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            in_deps = false;
            current.clear();
            let Some(head) = line.trim_end().strip_suffix(':') else {
                continue;
            };
            // Berry's `__metadata:` header is not a package.
            if head == "__metadata" {
                continue;
            }
            for spec in head.split(',') {
                if let Some(name) = spec_name(spec) {
                    out.add(name);
                    current.push(name.to_string());
                }
            }
            continue;
        }
        let body = line.trim();
        if indent <= 2 {
            in_deps = matches!(body, "dependencies:" | "optionalDependencies:");
            continue;
        }
        if !in_deps {
            continue;
        }
        // `"@sentry/node" "^10"` (classic) or `"@sentry/node": npm:^10` (berry).
        let token = if let Some(rest) = body.strip_prefix('"') {
            rest.split('"').next().unwrap_or("")
        } else {
            body.split([' ', ':']).next().unwrap_or("")
        };
        if token.is_empty() {
            continue;
        }
        for name in &current {
            out.add(name).insert(token.to_string());
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

fn pnpm(text: &str) -> Result<Installed, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    let mut out = Installed::default();
    let Some(doc) = docs.first() else {
        return Ok(out);
    };
    // Lockfile v9 keeps the edges under `snapshots`, older ones under
    // `packages`; both are keyed the same way.
    for section in ["packages", "snapshots"] {
        let Yaml::Hash(packages) = &doc[section] else {
            continue;
        };
        for (key, entry) in packages {
            let Some(key) = key.as_str() else { continue };
            if entry["dev"].as_bool() == Some(true) {
                continue;
            }
            let Some(name) = pnpm_key_name(key) else {
                continue;
            };
            let deps: Vec<String> = ["dependencies", "optionalDependencies"]
                .iter()
                .filter_map(|k| entry[*k].as_hash())
                .flat_map(|h| h.keys())
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            out.add(name).extend(deps);
        }
    }
    Ok(out)
}

/// composer.lock: `packages` is what production installs, `packages-dev`
/// is not read.
fn composer(text: &str) -> Result<Installed, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out = Installed::default();
    for package in doc
        .get("packages")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = package.get("name").and_then(serde_json::Value::as_str) else {
            continue;
        };
        let requires: Vec<String> = object_keys(package.get("require")).cloned().collect();
        out.add(name).extend(requires);
    }
    Ok(out)
}

/// A Python package name as the lockfiles and the app's manifests are
/// compared: PEP 503 normalisation (`Flask_Login` is `flask-login`).
fn python_name(name: &str) -> String {
    crate::facts::manifest::normalize_python(name)
}

fn toml_doc(text: &str) -> Result<toml::Table, String> {
    text.parse::<toml::Table>()
        .map_err(|e| format!("invalid TOML: {e}"))
}

/// poetry.lock: `[[package]]` entries with their `[package.dependencies]`.
/// Lockfiles before Poetry 1.5 mark development packages with
/// `category = "dev"`; those are left out. A dependency marked
/// `optional = true` is installed only with an extra the lockfile does not
/// record as chosen, so it is no edge.
fn poetry(text: &str) -> Result<Installed, String> {
    let doc = toml_doc(text)?;
    let mut out = Installed::default();
    for package in doc
        .get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = package.get("name").and_then(toml::Value::as_str) else {
            continue;
        };
        if package.get("category").and_then(toml::Value::as_str) == Some("dev") {
            continue;
        }
        let deps: Vec<String> = package
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .into_iter()
            .flatten()
            .filter(|(_, spec)| spec.get("optional").and_then(toml::Value::as_bool) != Some(true))
            .map(|(dep, _)| python_name(dep))
            .collect();
        out.add(&python_name(name)).extend(deps);
    }
    Ok(out)
}

/// uv.lock: `[[package]]` entries whose `dependencies` are inline tables
/// naming each dependency. The projects of the lock (`source = { editable
/// = … }` or `{ virtual = … }`) list their development groups under
/// `dev-dependencies` and extras under `optional-dependencies`; neither is
/// an edge, and the packages only they pull in are left out: an install
/// for production does not follow them.
fn uv(text: &str) -> Result<Installed, String> {
    let doc = toml_doc(text)?;
    let mut all = Installed::default();
    let mut projects: Vec<String> = Vec::new();
    for package in doc
        .get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = package.get("name").and_then(toml::Value::as_str) else {
            continue;
        };
        let name = python_name(name);
        let source = package.get("source").and_then(toml::Value::as_table);
        if source.is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual")) {
            projects.push(name.clone());
        }
        let deps: Vec<String> = package
            .get("dependencies")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|dep| dep.get("name").and_then(toml::Value::as_str))
            .map(python_name)
            .collect();
        all.add(&name).extend(deps);
    }
    if projects.is_empty() {
        return Ok(all);
    }
    let production = all.reachable_from(projects.iter().map(String::as_str));
    all.edges.retain(|name, _| production.contains(name));
    Ok(all)
}

/// Pipfile.lock: `default` is the production install, flattened (what
/// each package pulls in is not recorded); `develop` is not read.
fn pipfile(text: &str) -> Result<Installed, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out = Installed {
        flat: true,
        ..Installed::default()
    };
    for name in object_keys(doc.get("default")) {
        out.add(&python_name(name));
    }
    Ok(out)
}

/// Gemfile.lock: each source section (`GEM`, `PATH`, `GIT`, `PLUGIN
/// SOURCE`) lists its gems under `specs:`, four spaces in, with the gems
/// each depends on six spaces in. The lockfile does not record Bundler
/// groups, so development and test gems count too.
fn gemfile(text: &str) -> Result<Installed, String> {
    let mut out = Installed::default();
    let mut in_specs = false;
    let mut current: Option<String> = None;
    let mut sections = 0;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            // A section header: `GEM`, `PLATFORMS`, `DEPENDENCIES`, …
            sections += 1;
            in_specs = false;
            current = None;
            continue;
        }
        if line == "  specs:" {
            in_specs = true;
            continue;
        }
        if !in_specs {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        // `name (version)` or, for a dependency, `name (constraints)`;
        // a dependency without constraints is the bare name.
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        match indent {
            4 => {
                out.add(name);
                current = Some(name.to_string());
            }
            6 => {
                if let Some(gem) = &current {
                    out.add(gem).insert(name.to_string());
                }
            }
            _ => {}
        }
    }
    if sections == 0 {
        return Err("not a Gemfile.lock: no section".to_string());
    }
    Ok(out)
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
            "wrap":{"version":"1.0.0","requires":{"@sentry/node":"^7"},"dependencies":{"@sentry/node":{"version":"7.0.0"}}},
            "mocha":{"version":"9.0.0","dev":true}}}"#;
        let got = installed("package-lock.json", text).unwrap();
        assert!(got.contains("@sentry/node"));
        assert!(!got.contains("mocha"));
        assert!(got.reachable_from(["wrap"]).contains("@sentry/node"));
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
        // A dependency line inside an entry is not an entry, but an edge.
        assert_eq!(got.edges.len(), 4);
        let reach = got.reachable_from(["@snapshot-labs/snapshot-sentry"]);
        assert!(reach.contains("@sentry/node"));
        assert!(!got.reachable_from(["express"]).contains("@sentry/node"));
        // Walking back from the SDK gives the same answer for every root.
        let reaching = got.reaching(|p| p == "@sentry/node");
        for root in got.edges.keys() {
            assert_eq!(
                reaching.contains(root),
                got.reachable_from([root.as_str()]).contains("@sentry/node"),
                "{root}"
            );
        }
        assert!(reaching.contains("@snapshot-labs/snapshot-sentry"));
        assert!(!reaching.contains("express"));
    }

    #[test]
    fn a_workspace_lockfile_answers_per_member() {
        // The API member depends on @sentry/node; the dashboard does not.
        let text = r#"{"lockfileVersion":3,"packages":{
            "":{"name":"mono","workspaces":["apps/*"]},
            "apps/api":{"dependencies":{"@sentry/node":"^8"}},
            "apps/dashboard":{"dependencies":{"react":"^18"}},
            "node_modules/@sentry/node":{"version":"8.0.0","dependencies":{"@sentry/core":"8.0.0"}},
            "node_modules/@sentry/core":{"version":"8.0.0"},
            "node_modules/react":{"version":"18.2.0","dependencies":{"loose-envify":"^1"}},
            "node_modules/loose-envify":{"version":"1.4.0"}}}"#;
        let got = installed("package-lock.json", text).unwrap();
        let dashboard = got.reachable_from(["react"]);
        assert!(dashboard.contains("loose-envify"));
        assert!(!dashboard.contains("@sentry/node"));
        assert!(got
            .reachable_from(["@sentry/node"])
            .contains("@sentry/core"));
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
        let text = "lockfileVersion: '9.0'\npackages:\n  '@acme/monitoring@1.5.4':\n    resolution: {integrity: sha512-x}\n  '@sentry/nextjs@8.0.0':\n    resolution: {integrity: sha512-y}\nsnapshots:\n  '@acme/monitoring@1.5.4(next@14.0.0)':\n    dependencies:\n      '@sentry/nextjs': 8.0.0(next@14.0.0)\n  '@sentry/nextjs@8.0.0(next@14.0.0)': {}\n";
        let got = installed("pnpm-lock.yaml", text).unwrap();
        assert!(got
            .reachable_from(["@acme/monitoring"])
            .contains("@sentry/nextjs"));
    }

    #[test]
    fn composer_reads_packages_not_packages_dev() {
        let text = r#"{"packages":[{"name":"sentry/sentry-laravel"},{"name":"sentry/sentry"}],
            "packages-dev":[{"name":"phpunit/phpunit"}]}"#;
        let got = installed("composer.lock", text).unwrap();
        assert!(got.contains("sentry/sentry-laravel"));
        let text = r#"{"packages":[{"name":"acme/shared","require":{"sentry/sentry-laravel":"^4"}},
            {"name":"sentry/sentry-laravel","require":{"sentry/sentry":"^4"}},{"name":"sentry/sentry"}]}"#;
        let got = installed("composer.lock", text).unwrap();
        assert!(got
            .reachable_from(["acme/shared"])
            .contains("sentry/sentry"));
        assert!(!got.contains("phpunit/phpunit"));
    }

    #[test]
    fn poetry_skips_dev_category_and_optional_edges() {
        let text = r#"
[[package]]
name = "acme-monitoring"
version = "1.0.0"
category = "main"

[package.dependencies]
Sentry_SDK = ">=1.0"
newrelic = {version = "*", optional = true}

[[package]]
name = "sentry-sdk"
version = "1.40.0"

[[package]]
name = "newrelic"
version = "9.0.0"

[[package]]
name = "pytest"
version = "8.0.0"
category = "dev"

[metadata]
lock-version = "1.1"
"#;
        let got = installed("poetry.lock", text).unwrap();
        assert!(got
            .reachable_from(["acme-monitoring"])
            .contains("sentry-sdk"));
        assert!(!got.reachable_from(["acme-monitoring"]).contains("newrelic"));
        assert!(!got.contains("pytest"));
    }

    #[test]
    fn uv_follows_dependencies_not_dev_or_extras() {
        let text = r#"
version = 1
requires-python = ">=3.11"

[[package]]
name = "shop"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "acme-obs" },
    { name = "fastapi" },
]

[package.optional-dependencies]
apm = [{ name = "ddtrace" }]

[package.dev-dependencies]
dev = [{ name = "newrelic" }]

[[package]]
name = "acme-obs"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "sentry-sdk", extra = ["fastapi"] }]

[[package]]
name = "sentry-sdk"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "fastapi"
version = "0.110.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "ddtrace"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "newrelic"
version = "9.0.0"
source = { registry = "https://pypi.org/simple" }
"#;
        let got = installed("uv.lock", text).unwrap();
        let reach = got.reachable_from(["shop"]);
        assert!(reach.contains("sentry-sdk"));
        assert!(!reach.contains("ddtrace"));
        assert!(!reach.contains("newrelic"));
        // Only a development group or an extra pulls them in.
        assert!(!got.contains("newrelic"));
        assert!(!got.contains("ddtrace"));
        assert!(!got.reachable_from(["fastapi"]).contains("sentry-sdk"));
    }

    #[test]
    fn pipfile_lock_default_is_flat_develop_is_not_read() {
        let text = r#"{"_meta":{"hash":{"sha256":"x"}},
            "default":{"flask":{"version":"==3.0.0"},"Sentry_SDK":{"version":"==2.0.0"}},
            "develop":{"newrelic":{"version":"==9.0.0"}}}"#;
        let got = installed("Pipfile.lock", text).unwrap();
        assert!(got.flat);
        assert!(got.contains("sentry-sdk"));
        assert!(!got.contains("newrelic"));
        assert!(got.reaching(|p| p == "sentry-sdk").contains("flask"));
        assert!(got.reaching(|p| p == "newrelic").is_empty());
    }

    #[test]
    fn gemfile_lock_specs_and_their_dependencies() {
        let text = "GIT\n  remote: https://github.com/acme/obs.git\n  revision: abc\n  specs:\n    acme-obs (0.3.0)\n      sentry-ruby (~> 5.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.1.0)\n      railties (= 7.1.0)\n    railties (7.1.0)\n    sentry-ruby (5.16.1)\n      concurrent-ruby (~> 1.0, >= 1.0.2)\n    concurrent-ruby (1.2.3)\n    nokogiri (1.16.0-x86_64-linux)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  acme-obs!\n  rails (~> 7.1)\n\nBUNDLED WITH\n   2.5.3\n";
        let got = installed("Gemfile.lock", text).unwrap();
        assert!(got.reachable_from(["acme-obs"]).contains("sentry-ruby"));
        assert!(!got.reachable_from(["rails"]).contains("sentry-ruby"));
        assert!(got.contains("nokogiri"));
        // Neither a platform nor a direct dependency is a gem of the graph.
        assert!(!got.contains("ruby"));
        assert!(!got.contains("acme-obs!"));
        assert_eq!(got.edges.len(), 6);
    }

    #[test]
    fn invalid_lockfiles_are_errors_not_empty_sets() {
        assert!(installed("package-lock.json", "{").is_err());
        assert!(installed("composer.lock", "not json").is_err());
        assert!(installed("Gemfile.lock", "").is_err());
        assert!(installed("poetry.lock", "[[package]\n").is_err());
        assert!(installed("uv.lock", "version = ").is_err());
        assert!(installed("Pipfile.lock", "{").is_err());
        assert!(installed("Cargo.lock", "").is_err());
    }
}
