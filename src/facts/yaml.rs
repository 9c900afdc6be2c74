//! YAML documents (compose files, Kubernetes manifests), parsed with yaml-rust2.

use yaml_rust2::Yaml;

/// Deepest nesting a document may have. yaml-rust2's parser recurses per
/// level, so a hostile `- - - - …` line would exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 256;
/// Most nodes a document may expand to once aliases are resolved: the
/// loader copies an anchored node at every alias, so a "billion laughs"
/// document of nested aliases would take all memory.
pub(crate) const MAX_EXPANDED_NODES: usize = 1_000_000;

/// Parses every document of a YAML stream into `Yaml` values, merge keys
/// (`<<: *base`) kept as written. Built from the same parse as
/// `yaml_tree::load`, with its bounds and its forgiveness; a key written
/// twice is not an error (the later value wins, as in PyYAML).
pub fn load(text: &str) -> Result<Vec<Yaml>, String> {
    super::yaml_tree::load_unmerged(text)
        .map(|docs| docs.iter().map(super::yaml_tree::to_yaml).collect())
}

/// An upper bound of the nesting depth, from the text alone: indentation
/// columns, `- ` sequence markers and open flow brackets on a line.
pub(crate) fn nesting_bound(text: &str) -> usize {
    let mut flow = 0usize;
    let mut worst = 0usize;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let mut rest = line.trim_start();
        let mut dashes = 0;
        while let Some(r) = rest.strip_prefix('-') {
            if r.starts_with(' ') || r.is_empty() {
                dashes += 1;
                rest = r.trim_start();
            } else {
                break;
            }
        }
        let mut quote: Option<char> = None;
        for c in rest.chars() {
            match (quote, c) {
                (None, '#') => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '[' | '{') => flow += 1,
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            worst = worst.max(flow);
        }
        worst = worst.max(indent + dashes + flow);
    }
    worst
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_documents_are_refused_not_crashed_on() {
        // Found by fuzzing: 20,000 nested block sequences overflowed the stack.
        let deep = "- ".repeat(20_000) + "x\n";
        assert!(load(&deep).is_err_and(|e| e.contains("deeper")));
        let flow = "[".repeat(5_000) + &"]".repeat(5_000);
        assert!(load(&flow).is_err());
        // Found by fuzzing: nested aliases expanding to 10^10 nodes.
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        assert!(load(&laughs).is_err_and(|e| e.contains("aliases")));
    }

    #[test]
    fn ordinary_documents_with_anchors_load() {
        let docs = load("default: &default\n  adapter: postgresql\nproduction:\n  <<: *default\n  database: app\n").expect("loads");
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn flow_lines_indented_like_their_block_are_forgiven() {
        // Sentry self-hosted's docker-compose.yml: comments inside a
        // multi-line flow sequence whose `]` sits at its key's column.
        let sentry = "services:\n  clickhouse:\n    healthcheck:\n      test: [\n          \"CMD-SHELL\",\n          # Manually override any http_proxy envvar\n          \"wget -nv -t1 --spider 'http://localhost:8123/' || exit 1\",\n      ]\n      interval: 10s\n";
        let docs = load(sentry).expect("Compose reads it, so must we");
        let test = get(&docs[0], "services")
            .and_then(|s| get(s, "clickhouse"))
            .and_then(|s| get(s, "healthcheck"))
            .and_then(|h| get(h, "test"));
        assert_eq!(
            test.and_then(Yaml::as_vec).map(Vec::len),
            Some(2),
            "{test:?}"
        );
        let tree = crate::facts::yaml_tree::load(sentry).expect("tree too");
        let interval = tree[0].at(&["services", "clickhouse", "healthcheck"]);
        assert_eq!(interval.and_then(|h| h.key_line("interval")), Some(9));
        // A top-level flow sequence closed at column 0 (vikunja's crowdin.yml).
        let crowdin = "files: [\n  {\n    \"source\": \"en.json\",\n  },\n]\n";
        assert!(load(crowdin).is_ok());
        // The brief's form: a comment after an item of a flow sequence.
        let inline = "services:\n  web:\n    command: [ \"run\", # comment\n      \"web\" ]\n";
        let docs = load(inline).expect("loads");
        let command = get(&docs[0], "services")
            .and_then(|s| get(s, "web"))
            .and_then(|w| get(w, "command"));
        assert_eq!(command.and_then(Yaml::as_vec).map(Vec::len), Some(2));
    }

    #[test]
    fn quoted_scalars_continued_at_their_keys_column_are_forgiven() {
        // argo-cd's resource_customizations testdata.
        let text = "status:\n  conditions:\n    - message: '0/3 clusters didn''t match the placement\n      cluster affinity constraint.'\n      reason: Failed\n";
        let docs = crate::facts::yaml_tree::load(text).expect("loads");
        let condition = &docs[0].at(&["status", "conditions"]).expect("list").items()[0];
        assert_eq!(
            condition.get_str("message"),
            Some("0/3 clusters didn't match the placement cluster affinity constraint.")
        );
        assert_eq!(condition.key_line("reason"), Some(5));
    }

    #[test]
    fn other_errors_stand_and_the_first_is_reported() {
        assert!(load("a: [1, 2\nb: 3\n").is_err());
        assert!(load("a:\n  - b\n c: d\n").is_err());
        let err = load("x: [\n]\ny: \"unclosed\n").expect_err("unclosed quote");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn keys_written_twice_and_tags_read_as_pyyaml_reads_them() {
        let docs = load("a: 1\nb: x\na: 2\nc: !!str 12\nd: ! 13\ne: !!int 14\n").expect("loads");
        assert_eq!(get(&docs[0], "a"), Some(&Yaml::Integer(2)));
        assert_eq!(get_str(&docs[0], "c"), Some("12"));
        assert_eq!(get_str(&docs[0], "d"), Some("13"));
        assert_eq!(get(&docs[0], "e"), Some(&Yaml::Integer(14)));
        // Merge keys stay as written in these documents.
        let docs = load("base: &b {x: 1}\nweb:\n  <<: *b\n").expect("loads");
        assert!(get(&docs[0], "web").and_then(|w| get(w, "<<")).is_some());
    }

    #[test]
    fn forgiveness_is_bounded() {
        // Thousands of flow lines at column 0: at most MAX_FORGIVEN parses,
        // then the first error is reported; no hang, no panic.
        let many = format!("a: [\n{}]\n", "x,\n".repeat(5_000));
        let started = std::time::Instant::now();
        let _ = load(&many);
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        // Odd quoted scalars at the end of the text do not panic.
        for odd in [
            "a: 'x\n",
            "a: \"\\\n",
            "a:\n  - \"é\n b\"\n c: d\n",
            "[\n\"\n",
        ] {
            let _ = load(odd);
        }
    }
}
