//! The validation harness: real linters and published schemas over a folder
//! of generated files.
//!
//! - Dockerfiles: hadolint, failing on error-level findings;
//! - shell scripts: shellcheck, failing on warning level and above;
//! - Compose files: the Compose Specification JSON schema;
//! - Kubernetes manifests: the Kubernetes v1.31 strict JSON schemas;
//! - Prisma schemas: `prisma validate` ($SEAWORTHY_PRISMA);
//! - any other YAML or JSON file: it parses.
//!
//! Schemas live in tests/schemas/ (see its README for sources and versions).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// What kind of generated file a path is, by name and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dockerfile,
    Shell,
    Compose,
    Kubernetes,
    Prisma,
    Yaml,
    Json,
    Other,
}

pub fn classify(path: &Path) -> Kind {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if name == "dockerfile" || name.starts_with("dockerfile.") || ext == "dockerfile" {
        return Kind::Dockerfile;
    }
    if matches!(ext, "sh" | "bash") {
        return Kind::Shell;
    }
    if ext == "prisma" {
        return Kind::Prisma;
    }
    if ext == "json" {
        return Kind::Json;
    }
    if matches!(ext, "yml" | "yaml") {
        let stem = name.trim_end_matches(".yml").trim_end_matches(".yaml");
        if stem == "compose"
            || stem == "docker-compose"
            || stem.starts_with("compose.")
            || stem.starts_with("docker-compose.")
        {
            return Kind::Compose;
        }
        // Kustomize's own file is not an API object (no Kubernetes schema):
        // it only has to parse.
        if stem == "kustomization" {
            return Kind::Yaml;
        }
        let docs = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| YamlLoader::load_from_str(&t).ok())
            .unwrap_or_default();
        let is_k8s = |d: &Yaml| d["apiVersion"].as_str().is_some() && d["kind"].as_str().is_some();
        if !docs.is_empty()
            && docs.iter().all(|d| d.is_null() || is_k8s(d))
            && docs.iter().any(is_k8s)
        {
            return Kind::Kubernetes;
        }
        return Kind::Yaml;
    }
    if ext.is_empty() {
        let head = std::fs::read(path).unwrap_or_default();
        let first = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let first = String::from_utf8_lossy(first);
        if first.starts_with("#!") && (first.contains("sh") || first.contains("bash")) {
            return Kind::Shell;
        }
    }
    Kind::Other
}

/// YAML → JSON, as a Compose or Kubernetes tool would read it.
pub fn yaml_to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(s.clone())),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => {
            let mut map = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) | Yaml::Real(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => format!("{k:?}"),
                };
                map.insert(key, yaml_to_json(v));
            }
            Value::Object(map)
        }
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

fn load_yaml(path: &Path) -> Result<Vec<Yaml>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    YamlLoader::load_from_str(&text).map_err(|e| format!("{}: YAML: {e}", path.display()))
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value, what: &str) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{what}: {} (at {})", e, e.instance_path()))
        .collect()
}

fn compose_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string(super::repo_path("tests/schemas/compose-spec.json"))
            .expect("tests/schemas/compose-spec.json");
        let schema: Value = serde_json::from_str(&text).expect("compose schema is JSON");
        jsonschema::validator_for(&schema).expect("compose schema compiles")
    })
}

struct Kubernetes {
    definitions: Value,
    /// (apiVersion, kind) → definition name.
    by_kind: HashMap<(String, String), String>,
}

fn kubernetes() -> &'static Kubernetes {
    static K: OnceLock<Kubernetes> = OnceLock::new();
    K.get_or_init(|| {
        let text = std::fs::read_to_string(super::repo_path(
            "tests/schemas/kubernetes-v1.31.0-strict-definitions.json",
        ))
        .expect("tests/schemas/kubernetes-v1.31.0-strict-definitions.json");
        let definitions: Value = serde_json::from_str(&text).expect("kubernetes schema is JSON");
        let mut by_kind = HashMap::new();
        if let Some(defs) = definitions["$defs"].as_object() {
            for (name, def) in defs {
                for gvk in def["x-kubernetes-group-version-kind"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let group = gvk["group"].as_str().unwrap_or("");
                    let version = gvk["version"].as_str().unwrap_or("");
                    let kind = gvk["kind"].as_str().unwrap_or("");
                    let api_version = if group.is_empty() {
                        version.to_string()
                    } else {
                        format!("{group}/{version}")
                    };
                    by_kind.insert((api_version, kind.to_string()), name.clone());
                }
            }
        }
        Kubernetes {
            definitions,
            by_kind,
        }
    })
}

fn kubernetes_validator(definition: &str) -> &'static jsonschema::Validator {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<String, &'static jsonschema::Validator>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().expect("cache lock");
    cache.entry(definition.to_string()).or_insert_with(|| {
        let mut schema = kubernetes().definitions.clone();
        schema["$ref"] = Value::String(format!("#/$defs/{definition}"));
        let validator = jsonschema::validator_for(&schema).expect("kubernetes schema compiles");
        Box::leak(Box::new(validator))
    })
}

/// shellcheck at warning level and above.
pub fn shellcheck(path: &Path) -> Vec<String> {
    let out = Command::new("shellcheck")
        .args(["--severity=warning", "--format=gcc"])
        .arg(path)
        .output()
        .expect("run shellcheck");
    if out.status.success() {
        Vec::new()
    } else {
        vec![format!(
            "shellcheck {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )]
    }
}

/// hadolint, failing on error-level findings only.
pub fn hadolint(path: &Path) -> Vec<String> {
    let out = Command::new("hadolint")
        .args(["--no-color", "--failure-threshold", "error"])
        .arg(path)
        .output()
        .expect("run hadolint");
    if out.status.success() {
        Vec::new()
    } else {
        vec![format!(
            "hadolint {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )]
    }
}

pub fn compose(path: &Path) -> Vec<String> {
    match load_yaml(path) {
        Err(e) => vec![e],
        Ok(docs) => docs
            .iter()
            .flat_map(|d| {
                schema_errors(
                    compose_validator(),
                    &yaml_to_json(d),
                    &format!("compose {}", path.display()),
                )
            })
            .collect(),
    }
}

pub fn kubernetes_manifest(path: &Path) -> Vec<String> {
    let docs = match load_yaml(path) {
        Err(e) => return vec![e],
        Ok(docs) => docs,
    };
    let mut problems = Vec::new();
    for (i, doc) in docs.iter().enumerate().filter(|(_, d)| !d.is_null()) {
        let api_version = doc["apiVersion"].as_str().unwrap_or("").to_string();
        let kind = doc["kind"].as_str().unwrap_or("").to_string();
        let what = format!(
            "kubernetes {} (document {}, {api_version} {kind})",
            path.display(),
            i + 1
        );
        match kubernetes()
            .by_kind
            .get(&(api_version.clone(), kind.clone()))
        {
            None => problems.push(format!("{what}: no such kind in Kubernetes v1.31.0")),
            Some(def) => problems.extend(schema_errors(
                kubernetes_validator(def),
                &yaml_to_json(doc),
                &what,
            )),
        }
    }
    problems
}

/// The Prisma major the app of a schema uses: the `prisma` (or
/// `@prisma/client`) version in the nearest package.json above it.
fn prisma_major(schema: &Path) -> Option<u32> {
    let mut dir = schema.parent();
    while let Some(d) = dir {
        if let Ok(text) = std::fs::read_to_string(d.join("package.json")) {
            let json: Value = serde_json::from_str(&text).ok()?;
            let version = ["devDependencies", "dependencies"]
                .iter()
                .find_map(|section| {
                    ["prisma", "@prisma/client"]
                        .iter()
                        .find_map(|name| json[section][name].as_str())
                })?;
            let digits: String = version
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            return digits.parse().ok();
        }
        dir = d.parent();
    }
    None
}

/// `prisma validate` with the CLI of the app's major ($SEAWORTHY_PRISMA6,
/// $SEAWORTHY_PRISMA7, else $SEAWORTHY_PRISMA; the e2e setup installs them).
pub fn prisma(path: &Path) -> Vec<String> {
    let prisma = prisma_major(path)
        .and_then(|major| std::env::var(format!("SEAWORTHY_PRISMA{major}")).ok())
        .unwrap_or_else(|| super::require_env("SEAWORTHY_PRISMA"));
    let mut cmd = Command::new(&prisma);
    cmd.arg("validate").arg("--schema").arg(path);
    // validate resolves `url = env("X")` and checks the URL's scheme against
    // the provider: give it a placeholder of the right shape.
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if let Ok(schema) = seaworthy::facts::PrismaSchema::parse(&text) {
        for ds in &schema.datasources {
            let provider = ds
                .provider
                .as_ref()
                .and_then(|p| p.value.as_literal())
                .unwrap_or("");
            let placeholder = match provider {
                "sqlite" => "file:./dev.db",
                "mysql" => "mysql://u:p@localhost:3306/db",
                "sqlserver" => "sqlserver://localhost:1433;database=db",
                "mongodb" => "mongodb://localhost:27017/db",
                _ => "postgresql://u:p@localhost:5432/db",
            };
            if let Some(seaworthy::facts::prisma::SettingValue::Env(var)) =
                ds.url.as_ref().map(|u| &u.value)
            {
                cmd.env(var, placeholder);
            }
        }
    }
    let out = cmd.output().expect("run prisma");
    if out.status.success() {
        Vec::new()
    } else {
        vec![format!(
            "prisma validate {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )]
    }
}

pub fn parses(path: &Path, kind: Kind) -> Vec<String> {
    match kind {
        Kind::Yaml => load_yaml(path).err().into_iter().collect(),
        Kind::Json => std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                serde_json::from_str::<Value>(&t)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .err()
            .map(|e| format!("{}: JSON: {e}", path.display()))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// Validates each file with the tool for its kind; returns every problem
/// and which kinds were seen.
pub fn validate_files(files: &[PathBuf]) -> (Vec<String>, Vec<(PathBuf, Kind)>) {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for path in files {
        let kind = classify(path);
        seen.push((path.clone(), kind));
        problems.extend(match kind {
            Kind::Dockerfile => hadolint(path),
            Kind::Shell => shellcheck(path),
            Kind::Compose => compose(path),
            Kind::Kubernetes => kubernetes_manifest(path),
            Kind::Prisma => prisma(path),
            Kind::Yaml | Kind::Json => parses(path, kind),
            Kind::Other => Vec::new(),
        });
    }
    (problems, seen)
}

/// Every file under `root` (skipping node_modules, .git, target).
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if matches!(name.to_str(), Some("node_modules" | ".git" | "target")) {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    out
}
