//! YAML documents (compose files, Kubernetes manifests), parsed with yaml-rust2.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;
use yaml_rust2::{Yaml, YamlLoader};

/// Deepest nesting a document may have. yaml-rust2's parser recurses per
/// level, so a hostile `- - - - …` line would exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 256;
/// Most nodes a document may expand to once aliases are resolved: the
/// loader copies an anchored node at every alias, so a "billion laughs"
/// document of nested aliases would take all memory.
pub(crate) const MAX_EXPANDED_NODES: usize = 1_000_000;

pub fn load(text: &str) -> Result<Vec<Yaml>, String> {
    if nesting_bound(text) > MAX_DEPTH {
        return Err(format!(
            "invalid YAML: nested deeper than {MAX_DEPTH} levels; not read"
        ));
    }
    // An alias is written `*name`: without a `*` there is nothing to
    // expand, and the counting pass (a whole parse) is skipped.
    let mut budget = AliasBudget::default();
    if text.contains('*') {
        Parser::new_from_str(text)
            .load(&mut budget, true)
            .map_err(|e| format!("invalid YAML: {e}"))?;
    }
    if budget.exceeded {
        return Err(format!(
            "invalid YAML: aliases expand to more than {MAX_EXPANDED_NODES} nodes; not read"
        ));
    }
    YamlLoader::load_from_str(text).map_err(|e| format!("invalid YAML: {e}"))
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

/// Counts the nodes a document expands to, with each alias costing the
/// size of what it refers to.
#[derive(Default)]
struct AliasBudget {
    /// Nodes so far, aliases expanded.
    nodes: usize,
    /// Size of each anchored node, by anchor id.
    anchored: std::collections::HashMap<usize, usize>,
    /// Open collections: (anchor id, node count when it started).
    open: Vec<(usize, usize)>,
    exceeded: bool,
}

impl MarkedEventReceiver for AliasBudget {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        if self.exceeded {
            return;
        }
        match ev {
            Event::Scalar(_, _, anchor, _) => {
                self.nodes += 1;
                if anchor > 0 {
                    self.anchored.insert(anchor, 1);
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.nodes += 1;
                self.open.push((anchor, self.nodes));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, start)) = self.open.pop() {
                    if anchor > 0 {
                        self.anchored.insert(anchor, self.nodes - start + 1);
                    }
                }
            }
            Event::Alias(anchor) => {
                self.nodes = self
                    .nodes
                    .saturating_add(self.anchored.get(&anchor).copied().unwrap_or(1));
            }
            _ => {}
        }
        if self.nodes > MAX_EXPANDED_NODES {
            self.exceeded = true;
        }
    }
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
}
