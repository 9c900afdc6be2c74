//! YAML documents (compose files, Kubernetes manifests), parsed with yaml-rust2.

use yaml_rust2::{Yaml, YamlLoader};

pub fn load(text: &str) -> Result<Vec<Yaml>, String> {
    YamlLoader::load_from_str(text).map_err(|e| format!("invalid YAML: {e}"))
}

/// A mapping's value by key, if the node is a mapping.
pub fn get<'a>(node: &'a Yaml, key: &str) -> Option<&'a Yaml> {
    match node {
        Yaml::Hash(map) => map.get(&Yaml::String(key.to_string())),
        _ => None,
    }
}

pub fn get_str<'a>(node: &'a Yaml, key: &str) -> Option<&'a str> {
    get(node, key).and_then(Yaml::as_str)
}

/// The 1-based line of the first `key:` at the given indentation or deeper
/// after `from_line`. yaml-rust2's tree keeps no positions; the parsed tree
/// says what is there and this says where, for evidence.
pub fn line_of_key(text: &str, key: &str, from_line: u32) -> u32 {
    for (i, line) in text
        .lines()
        .enumerate()
        .skip(from_line.saturating_sub(1) as usize)
    {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if let Some(rest) = unquoted.strip_prefix(key) {
            let rest = rest.trim_start_matches(['"', '\'']);
            if rest.starts_with(':') {
                return i as u32 + 1;
            }
        }
    }
    from_line.max(1)
}
