//! Rails `config/database.yml`: YAML with ERB. ERB tags are replaced before
//! the YAML parser sees the file, remembering what each one said, so that
//! `adapter: <%= ENV.fetch("DB_ADAPTER", "sqlite3") %>` is known to be an
//! environment lookup with a SQLite fallback.

use yaml_rust2::Yaml;

use super::yaml::{get, get_str, line_of_key, load};

/// The database settings of one Rails environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RailsDatabase {
    /// `adapter:` as written, with ERB tags kept as their Ruby source.
    pub adapter: Option<String>,
    /// Whether the adapter comes from an ERB tag (the environment).
    pub adapter_from_erb: bool,
    /// A `url:` setting is present (usually `ENV["DATABASE_URL"]`), which
    /// overrides the adapter.
    pub has_url: bool,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct DatabaseYml {
    /// Settings per environment (`production`, `development`, …); for
    /// multi-database configs, the primary database.
    pub environments: Vec<(String, RailsDatabase)>,
}

const ERB_MARK: &str = "__erb_";

impl DatabaseYml {
    pub fn parse(text: &str) -> Result<DatabaseYml, String> {
        let (yaml_text, erb) = strip_erb(text);
        // With `<% if %>` branches the file is only YAML once Ruby has run
        // (each branch may set the same keys): without the environment it
        // cannot be read, and that is no defect of the file.
        let branches =
            text.contains("<% if") || text.contains("<%if") || text.contains("<% unless");
        let docs = match load(&yaml_text) {
            Ok(docs) => docs,
            Err(_) if branches => return Ok(DatabaseYml::default()),
            Err(e) => return Err(e),
        };
        let mut out = DatabaseYml::default();
        let Some(Yaml::Hash(root)) = docs.first() else {
            return Ok(out);
        };
        // Environments appear in file order: each search starts at the
        // previous one's line.
        let mut from = 1;
        for (env, body) in root {
            let Some(env) = env.as_str() else { continue };
            let config = primary(body);
            let adapter_raw = get_str(config, "adapter");
            let (adapter, adapter_from_erb) = match adapter_raw {
                Some(a) if a.starts_with(ERB_MARK) => (Some(erb_source(a, &erb)), true),
                Some(a) => (Some(a.to_string()), false),
                None => (None, false),
            };
            let env_line = line_of_key(text, env, from);
            from = env_line;
            let line = if adapter_raw.is_some() && get(body, "adapter").is_some() {
                line_of_key(text, "adapter", env_line)
            } else {
                env_line
            };
            out.environments.push((
                env.to_string(),
                RailsDatabase {
                    adapter,
                    adapter_from_erb,
                    has_url: get(config, "url").is_some(),
                    line,
                },
            ));
        }
        Ok(out)
    }

    pub fn environment(&self, name: &str) -> Option<&RailsDatabase> {
        self.environments
            .iter()
            .find(|(e, _)| e == name)
            .map(|(_, d)| d)
    }
}

/// An environment's own settings merged over its `<<: *default`, or its
/// `primary` database in a multi-database config.
fn primary(body: &Yaml) -> &Yaml {
    if get(body, "adapter").is_some() || get(body, "url").is_some() {
        return body;
    }
    if let Some(merged) = get(body, "<<").filter(|m| get(m, "adapter").is_some()) {
        return merged;
    }
    if let Some(p) = get(body, "primary") {
        return primary(p);
    }
    match body {
        Yaml::Hash(map) => map
            .values()
            .find(|v| get(v, "adapter").is_some() || get(v, "<<").is_some())
            .map(primary)
            .unwrap_or(body),
        _ => body,
    }
}

/// Replaces each `<%= … %>` with a marker string and drops `<% … %>`
/// control lines; returns the YAML text and the Ruby source of each tag.
fn strip_erb(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut tags = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<%") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("%>") else {
            rest = "";
            break;
        };
        let inner = &after[..end];
        if let Some(expr) = inner.strip_prefix('=') {
            // A plain scalar, so that a tag inside a longer value
            // (`<%= ENV["DIR"] %>/db.sqlite3`) stays valid YAML.
            out.push_str(&format!("{ERB_MARK}{}", tags.len()));
            tags.push(expr.trim().to_string());
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    (out, tags)
}

fn erb_source(marker: &str, tags: &[String]) -> String {
    marker
        .strip_prefix(ERB_MARK)
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| tags.get(n))
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_with_merge_key_and_erb() {
        let yml = DatabaseYml::parse(
            "default: &default\n  adapter: sqlite3\n  pool: <%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>\n\ndevelopment:\n  <<: *default\n  database: storage/development.sqlite3\n\nproduction:\n  <<: *default\n  database: storage/production.sqlite3\n",
        )
        .expect("parses");
        let prod = yml.environment("production").expect("production");
        assert_eq!(prod.adapter.as_deref(), Some("sqlite3"));
        assert!(!prod.adapter_from_erb);
        assert_eq!(prod.line, 9);
    }

    #[test]
    fn multi_database_and_env_adapter() {
        let yml = DatabaseYml::parse(
            "production:\n  primary:\n    adapter: <%= ENV.fetch('DB_ADAPTER', 'sqlite3') %>\n    database: db/prod.sqlite3\n  cache:\n    adapter: sqlite3\n",
        )
        .expect("parses");
        let prod = yml.environment("production").expect("production");
        assert!(prod.adapter_from_erb);
        assert!(prod
            .adapter
            .as_deref()
            .is_some_and(|a| a.contains("sqlite3")));
        let yml = DatabaseYml::parse(
            "production:\n  adapter: postgresql\n  url: <%= ENV['DATABASE_URL'] %>\n",
        )
        .expect("parses");
        assert!(yml.environment("production").is_some_and(|p| p.has_url));
        let yml = DatabaseYml::parse(
            "production:\n  adapter: <%= ENV.fetch('DB_ADAPTER', 'sqlite3') %>\n  database: <%= ENV['DATA_DIR'] %>/db.sqlite3\n",
        )
        .expect("a tag inside a value parses");
        assert!(yml
            .environment("production")
            .is_some_and(|p| p.adapter_from_erb));
    }
}
