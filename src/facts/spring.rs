//! Spring Boot configuration: `application*.properties` and
//! `application*.yml`, flattened to `spring.datasource.url`-style keys, one
//! document per profile (from the file name `application-prod.yml` or from
//! `spring.config.activate.on-profile` / `spring.profiles` inside it).

use yaml_rust2::Yaml;

use super::yaml::load;

#[derive(Debug, Clone, Default)]
pub struct SpringDocument {
    /// `None` for the default profile.
    pub profile: Option<String>,
    /// (key, value, line)
    pub properties: Vec<(String, String, u32)>,
}

impl SpringDocument {
    pub fn get(&self, key: &str) -> Option<(&str, u32)> {
        self.properties
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }
}

#[derive(Debug, Default)]
pub struct SpringConfig {
    pub documents: Vec<SpringDocument>,
}

const PROFILE_KEYS: &[&str] = &["spring.config.activate.on-profile", "spring.profiles"];

impl SpringConfig {
    pub fn parse(file_name: &str, text: &str) -> Result<SpringConfig, String> {
        let file_profile = file_name.split_once('-').map(|(_, rest)| {
            rest.rsplit_once('.')
                .map(|(p, _)| p)
                .unwrap_or(rest)
                .to_string()
        });
        let mut documents = if file_name.ends_with(".properties") {
            properties(text)
        } else {
            yaml(text)?
        };
        for doc in &mut documents {
            if doc.profile.is_none() {
                doc.profile = PROFILE_KEYS
                    .iter()
                    .find_map(|k| doc.get(k).map(|(v, _)| v.to_string()))
                    .or_else(|| file_profile.clone());
            }
        }
        Ok(SpringConfig { documents })
    }
}

fn properties(text: &str) -> Vec<SpringDocument> {
    let mut docs = vec![SpringDocument::default()];
    let mut pending: Option<(String, String, u32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        if let Some((key, mut value, line)) = pending.take() {
            let part = raw.trim_start();
            let continued = part.ends_with('\\');
            value.push_str(part.trim_end_matches('\\'));
            if continued {
                pending = Some((key, value, line));
            } else if let Some(doc) = docs.last_mut() {
                doc.properties.push((key, value, line));
            }
            continue;
        }
        let line = raw.trim();
        if line == "#---" || line == "!---" {
            docs.push(SpringDocument::default());
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            continue;
        };
        let key = line[..split].trim().to_string();
        let value = line[split + 1..].trim();
        if let Some(v) = value.strip_suffix('\\') {
            pending = Some((key, v.to_string(), line_no));
        } else if let Some(doc) = docs.last_mut() {
            doc.properties.push((key, value.to_string(), line_no));
        }
    }
    docs
}

fn yaml(original: &str) -> Result<Vec<SpringDocument>, String> {
    // A CustomResourceDefinition named `application*.yaml` (Argo CD's
    // `application-crd.yaml`, 1.4 MB) is the schema of a Kubernetes object,
    // not configuration: its spec is blanked line for line as for manifests
    // (`without_crd_schemas`), which made its parse and the line search
    // below a sixth of the audit of such a repository. The original text is
    // used when the lighter one does not parse.
    let light = super::kubernetes::without_crd_schemas(original);
    let (docs, text) = match load(&light) {
        Ok(docs) => (docs, &*light),
        Err(_) => (load(original)?, original),
    };
    // Documents start at line 1 and after each `---` separator.
    let mut starts = vec![1u32];
    starts.extend(
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.trim_end() == "---")
            .map(|(i, _)| i as u32 + 2),
    );
    Ok(docs
        .iter()
        .enumerate()
        .map(|(n, doc)| {
            let mut properties = Vec::new();
            flatten(doc, String::new(), &mut properties, 0);
            let from = starts.get(n).copied().unwrap_or(1);
            // Lines are found once, in file order: each search starts at the
            // previous property's line (flattening keeps the file's order).
            let lines: Vec<&str> = text.lines().collect();
            let mut cursor = from.saturating_sub(1) as usize;
            let properties = properties
                .into_iter()
                .map(|(k, v)| {
                    let needle = format!("{}:", k.rsplit('.').next().unwrap_or(&k));
                    let found = (cursor..lines.len()).find(|i| {
                        lines[*i].trim_start().starts_with(&needle)
                            && lines[*i].contains(v.as_str())
                    });
                    let line = match found {
                        Some(i) => {
                            cursor = i;
                            i as u32 + 1
                        }
                        None => from,
                    };
                    (k, v, line)
                })
                .collect();
            SpringDocument {
                profile: None,
                properties,
            }
        })
        .collect())
}

fn flatten(node: &Yaml, prefix: String, out: &mut Vec<(String, String)>, depth: usize) {
    // Configuration is shallow; a bound keeps hostile input from recursing deep.
    if depth > 64 {
        return;
    }
    match node {
        Yaml::Hash(map) => {
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => continue,
                };
                let full = if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(v, full, out, depth + 1);
            }
        }
        Yaml::String(s) => out.push((prefix, s.clone())),
        Yaml::Integer(i) => out.push((prefix, i.to_string())),
        Yaml::Boolean(b) => out.push((prefix, b.to_string())),
        Yaml::Real(r) => out.push((prefix, r.clone())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_and_profiles() {
        let cfg = SpringConfig::parse(
            "application-prod.properties",
            "# comment\nspring.datasource.url=jdbc:h2:file:./data/app\nserver.port: 8080\n",
        )
        .expect("parses");
        let doc = &cfg.documents[0];
        assert_eq!(doc.profile.as_deref(), Some("prod"));
        assert_eq!(
            doc.get("spring.datasource.url"),
            Some(("jdbc:h2:file:./data/app", 2))
        );
    }

    #[test]
    fn yaml_documents() {
        let cfg = SpringConfig::parse(
            "application.yml",
            "spring:\n  datasource:\n    url: jdbc:h2:mem:dev\n---\nspring:\n  config:\n    activate:\n      on-profile: prod\n  datasource:\n    url: ${DATABASE_URL}\n",
        )
        .expect("parses");
        assert_eq!(cfg.documents.len(), 2);
        assert_eq!(cfg.documents[0].profile, None);
        assert_eq!(
            cfg.documents[0].get("spring.datasource.url"),
            Some(("jdbc:h2:mem:dev", 3))
        );
        assert_eq!(cfg.documents[1].profile.as_deref(), Some("prod"));
        assert_eq!(
            cfg.documents[1].get("spring.datasource.url"),
            Some(("${DATABASE_URL}", 10))
        );
    }
}
