//! YAML documents as trees that remember where each node starts.
//!
//! `yaml_rust2::Yaml` keeps no positions, so rules that cite a key's line
//! would have to search the text. This loader builds the tree from the
//! parser's marked events instead: every node knows its 1-based line.
//! Aliases are expanded and merge keys (`<<: *defaults`, common in compose
//! files) are applied, within the same bounds `yaml::load` enforces.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::yaml::{nesting_bound, MAX_DEPTH, MAX_EXPANDED_NODES};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar as written; `plain` when unquoted (so `true`, `1`, `~`
    /// mean booleans, numbers, null).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in file order; keys are nodes too (their line is the
    /// entry's line).
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// 1-based line where the node starts.
    pub line: u32,
}

impl Node {
    /// The scalar's text (also for numbers and booleans as written).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar { text, plain: true } => text.parse().ok(),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// A mapping's entries with string keys; empty for anything else.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node, u32)> {
        let list: &[(Node, Node)] = match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        };
        list.iter().filter_map(|(k, v)| match &k.value {
            Value::Scalar { text, .. } => Some((text.as_str(), v, k.line)),
            _ => None,
        })
    }

    /// A mapping's value by key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .find(|(k, _, _)| *k == key)
            .map(|(_, v, _)| v)
    }

    /// The line of a mapping's key (the entry's line).
    pub fn key_line(&self, key: &str) -> Option<u32> {
        self.entries()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, line)| line)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// A value down a path of keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A sequence's items; empty for anything else.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    fn size(&self) -> usize {
        match &self.value {
            Value::Scalar { .. } => 1,
            Value::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Value::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
        }
    }
}

/// Parses every document of a YAML stream.
/// The same document as `yaml_rust2` loads it (plain scalars typed as its
/// loader types them), for readers of `Yaml` values: a file read as a tree
/// need not be parsed a second time.
pub fn to_yaml(node: &Node) -> yaml_rust2::Yaml {
    use yaml_rust2::Yaml;
    match &node.value {
        Value::Scalar { text, plain: true } => Yaml::from_str(text),
        Value::Scalar { text, plain: false } => Yaml::String(text.clone()),
        Value::Seq(items) => Yaml::Array(items.iter().map(to_yaml).collect()),
        Value::Map(entries) => Yaml::Hash(
            entries
                .iter()
                .map(|(k, v)| (to_yaml(k), to_yaml(v)))
                .collect(),
        ),
    }
}

pub fn load(text: &str) -> Result<Vec<Node>, String> {
    if nesting_bound(text) > MAX_DEPTH {
        return Err(format!(
            "invalid YAML: nested deeper than {MAX_DEPTH} levels; not read"
        ));
    }
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, true)
        .map_err(|e| format!("invalid YAML: {e}"))?;
    if builder.exceeded {
        return Err(format!(
            "invalid YAML: aliases expand to more than {MAX_EXPANDED_NODES} nodes; not read"
        ));
    }
    Ok(builder.docs)
}

enum Frame {
    Seq {
        anchor: usize,
        line: u32,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        line: u32,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

#[derive(Default)]
struct Builder {
    docs: Vec<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    exceeded: bool,
}

impl Builder {
    fn complete(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

/// Applies merge keys: `<<: *base` (or a list of them) adds the entries of
/// the merged mappings that the mapping does not set itself.
fn merge(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge =
        |k: &Node| matches!(&k.value, Value::Scalar { text, plain: true } if text == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let mut own: Vec<(Node, Node)> = Vec::new();
    let mut merged: Vec<(Node, Node)> = Vec::new();
    for (k, v) in entries {
        if is_merge(&k) {
            let sources: Vec<Node> = match v.value {
                Value::Map(_) => vec![v],
                Value::Seq(items) => items,
                _ => Vec::new(),
            };
            for source in sources {
                if let Value::Map(inner) = source.value {
                    merged.extend(inner);
                }
            }
        } else {
            own.push((k, v));
        }
    }
    for (k, v) in merged {
        if !own.iter().any(|(o, _)| o.value == k.value) {
            own.push((k, v));
        }
    }
    own
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.exceeded {
            return;
        }
        let line = mark.line() as u32;
        match ev {
            Event::Scalar(text, style, anchor, _) => {
                self.nodes += 1;
                let plain = style == TScalarStyle::Plain;
                self.complete(
                    Node {
                        value: Value::Scalar { text, plain },
                        line,
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => {
                self.nodes += 1;
                self.stack.push(Frame::Seq {
                    anchor,
                    line,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.nodes += 1;
                self.stack.push(Frame::Map {
                    anchor,
                    line,
                    entries: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        anchor,
                        line,
                        items,
                    }) => (
                        Node {
                            value: Value::Seq(items),
                            line,
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        anchor,
                        line,
                        entries,
                        ..
                    }) => (
                        Node {
                            value: Value::Map(merge(entries)),
                            line,
                        },
                        anchor,
                    ),
                    None => return,
                };
                self.complete(node, anchor);
            }
            Event::Alias(anchor) => {
                let node = self.anchors.get(&anchor).cloned().unwrap_or(Node {
                    value: Value::Scalar {
                        text: String::new(),
                        plain: true,
                    },
                    line,
                });
                self.nodes = self.nodes.saturating_add(node.size());
                if self.nodes > MAX_EXPANDED_NODES {
                    self.exceeded = true;
                    return;
                }
                self.complete(node, 0);
            }
            _ => {}
        }
        if self.nodes > MAX_EXPANDED_NODES {
            self.exceeded = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_made_from_the_tree_equal_the_loaders() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 2\n  ratio: 0.5\n  paused: false\n  note: ~\n  quoted: \"3\"\n  hex: 0x1F\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.2\n          args: [--port, \"8080\"]\n          env: {A: '1', B: 2}\n---\nkind: Service\nanchored: &a {x: 1}\nalias: *a\n";
        let tree = load(text).expect("loads");
        let made: Vec<yaml_rust2::Yaml> = tree.iter().map(to_yaml).collect();
        let loaded = yaml_rust2::YamlLoader::load_from_str(text).expect("loads");
        assert_eq!(made, loaded);
    }

    #[test]
    fn nodes_know_their_lines() {
        let docs = load("a: 1\nb:\n  c: [x, y]\n---\nkind: Service\n").expect("loads");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].key_line("b"), Some(2));
        assert_eq!(docs[0].at(&["b", "c"]).map(|n| n.items().len()), Some(2));
        assert_eq!(docs[0].get("a").and_then(Node::as_i64), Some(1));
        assert_eq!(docs[1].key_line("kind"), Some(5));
    }

    #[test]
    fn merge_keys_and_aliases_apply() {
        let docs = load(
            "x-base: &base\n  restart: always\n  image: app\nservices:\n  web:\n    <<: *base\n    image: web\n",
        )
        .expect("loads");
        let web = docs[0].at(&["services", "web"]).expect("web");
        assert_eq!(web.get_str("restart"), Some("always"));
        assert_eq!(web.get_str("image"), Some("web"));
    }

    #[test]
    fn quoted_and_plain_scalars_differ() {
        let docs = load("a: 'true'\nb: true\nc: ~\n").expect("loads");
        assert_eq!(docs[0].get("a").and_then(Node::as_bool), None);
        assert_eq!(docs[0].get("b").and_then(Node::as_bool), Some(true));
        assert!(docs[0].get("c").is_some_and(Node::is_null));
    }

    #[test]
    fn hostile_documents_are_refused() {
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        assert!(load(&laughs).is_err());
        assert!(load(&("- ".repeat(20_000) + "x\n")).is_err());
    }
}
