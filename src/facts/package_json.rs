//! package.json, parsed with serde_json.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::text::json_key_line;

#[derive(Debug, Default)]
pub struct PackageJson {
    pub name: Option<String>,
    /// `dependencies` (runtime).
    pub dependencies: BTreeMap<String, String>,
    pub dev_dependencies: BTreeMap<String, String>,
    pub peer_dependencies: BTreeMap<String, String>,
    pub scripts: BTreeMap<String, String>,
    /// Workspace globs from `workspaces` (array or `{packages: [...]}`).
    pub workspaces: Vec<String>,
    /// `prisma.schema`, when set.
    pub prisma_schema: Option<String>,
    /// Whether the package publishes an entry point (`main`, `exports`, `module`, `types`).
    pub has_entry_point: bool,
    /// Whether the package is prepared for publishing to a registry
    /// (`files`, `publishConfig`, or a packaging tool in its scripts).
    pub publishes: bool,
    pub text: String,
}

#[derive(Deserialize)]
struct Raw {
    name: Option<Value>,
    #[serde(default)]
    dependencies: Option<Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Option<Value>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: Option<Value>,
    #[serde(default)]
    scripts: Option<Value>,
    #[serde(default)]
    workspaces: Option<Value>,
    #[serde(default)]
    prisma: Option<Value>,
    main: Option<Value>,
    exports: Option<Value>,
    module: Option<Value>,
    types: Option<Value>,
    svelte: Option<Value>,
    private: Option<Value>,
    files: Option<Value>,
    #[serde(rename = "publishConfig")]
    publish_config: Option<Value>,
}

impl PackageJson {
    pub fn parse(text: String) -> Result<PackageJson, String> {
        let raw: Raw = serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
        let scripts = string_map(raw.scripts.as_ref());
        // Packaging tools: the package is built to be published.
        let packaged = scripts.values().any(|s| {
            [
                "svelte-package",
                "tsup",
                "publint",
                "unbuild",
                "microbundle",
                "changeset publish",
            ]
            .iter()
            .any(|tool| s.contains(tool))
        });
        let workspaces = match &raw.workspaces {
            Some(Value::Array(items)) => strings(items),
            Some(Value::Object(map)) => match map.get("packages") {
                Some(Value::Array(items)) => strings(items),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Ok(PackageJson {
            name: raw
                .name
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_string),
            dependencies: string_map(raw.dependencies.as_ref()),
            dev_dependencies: string_map(raw.dev_dependencies.as_ref()),
            peer_dependencies: string_map(raw.peer_dependencies.as_ref()),
            scripts,
            workspaces,
            prisma_schema: raw
                .prisma
                .as_ref()
                .and_then(|p| p.get("schema"))
                .and_then(Value::as_str)
                .map(str::to_string),
            has_entry_point: raw.main.is_some()
                || raw.exports.is_some()
                || raw.module.is_some()
                || raw.types.is_some()
                || raw.svelte.is_some(),
            // A private package is never published, whatever builds it.
            publishes: raw.private.as_ref().and_then(Value::as_bool) != Some(true)
                && (raw.files.is_some() || raw.publish_config.is_some() || packaged),
            text,
        })
    }

    /// Runtime or development dependency (not peer): what the app installs.
    pub fn has_dependency(&self, name: &str) -> bool {
        self.dependencies.contains_key(name) || self.dev_dependencies.contains_key(name)
    }

    pub fn version_of(&self, name: &str) -> Option<&str> {
        self.dependencies
            .get(name)
            .or_else(|| self.dev_dependencies.get(name))
            .map(String::as_str)
    }

    pub fn all_dependency_names(&self) -> impl Iterator<Item = &str> {
        self.dependencies
            .keys()
            .chain(self.dev_dependencies.keys())
            .map(String::as_str)
    }

    /// The line on which the JSON key `"key":` first appears, for evidence.
    /// serde_json keeps no positions, so the parsed document says *what* is
    /// there and this search only says *where*.
    pub fn line_of_key(&self, key: &str) -> u32 {
        json_key_line(&self.text, key)
    }
}

fn strings(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dependencies_workspaces_and_lines() {
        let text = r#"{
  "name": "web",
  "workspaces": {"packages": ["apps/*"]},
  "dependencies": {
    "next": "15.1.0"
  },
  "prisma": {"schema": "db/schema.prisma"}
}"#;
        let pkg = PackageJson::parse(text.to_string()).expect("valid");
        assert_eq!(pkg.name.as_deref(), Some("web"));
        assert_eq!(pkg.workspaces, ["apps/*"]);
        assert_eq!(pkg.version_of("next"), Some("15.1.0"));
        assert_eq!(pkg.line_of_key("next"), 5);
        assert_eq!(pkg.prisma_schema.as_deref(), Some("db/schema.prisma"));
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        assert!(PackageJson::parse("{ \"name\": ".to_string()).is_err());
        assert!(PackageJson::parse("[]".to_string()).is_err());
    }
}
