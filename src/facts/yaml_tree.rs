//! YAML documents as trees that remember where each node starts.
//!
//! `yaml_rust2::Yaml` keeps no positions, so rules that cite a key's line
//! would have to search the text. This loader builds the tree from the
//! parser's marked events instead: every node knows its 1-based line.
//! Aliases are expanded and merge keys (`<<: *defaults`, common in compose
//! files) are applied, within the same bounds `yaml::load` enforces.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

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

    /// The scalar's text when `yaml_rust2` would load it as a string
    /// (`to_yaml` gives `Yaml::String`): quoted, or plain and not a number,
    /// boolean or null.
    pub fn as_yaml_string(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain: false } => Some(text),
            Value::Scalar { text, plain: true } => matches!(
                yaml_rust2::Yaml::from_str(text),
                yaml_rust2::Yaml::String(_)
            )
            .then_some(text.as_str()),
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

/// Parses every document of a YAML stream, merge keys applied.
pub fn load(text: &str) -> Result<Vec<Node>, String> {
    load_with(text, true)
}

/// Parses every document of a YAML stream, merge keys kept as written.
pub fn load_unmerged(text: &str) -> Result<Vec<Node>, String> {
    load_with(text, false)
}

fn load_with(text: &str, merge_keys: bool) -> Result<Vec<Node>, String> {
    if nesting_bound(text) > MAX_DEPTH {
        return Err(format!(
            "invalid YAML: nested deeper than {MAX_DEPTH} levels; not read"
        ));
    }
    let builder = parse_forgiving(text, |text| {
        let mut builder = Builder {
            merge_keys,
            ..Builder::default()
        };
        Parser::new_from_str(text).load(&mut builder, true)?;
        Ok(builder)
    })?;
    if builder.exceeded {
        return Err(format!(
            "invalid YAML: aliases expand to more than {MAX_EXPANDED_NODES} nodes; not read"
        ));
    }
    Ok(builder.docs)
}

/// Most parses one document may take while its indentation is forgiven
/// (one per line that needed it, usually a handful), and most bytes all
/// those parses may read together: a large hostile file is not parsed
/// again and again.
const MAX_FORGIVEN: usize = 200;
const MAX_FORGIVEN_BYTES: usize = 16 << 20;

/// Runs `parse` on the text, forgiving what Compose, kubectl and PyYAML
/// (all built on libyaml or its Go port) forgive and yaml-rust2, which
/// follows the YAML spec to the letter, does not: lines inside a flow
/// collection or a multi-line quoted scalar indented no deeper than the
/// block around them, like the closing `]` of
///
/// ```yaml
/// healthcheck:
///   test: [
///       "CMD-SHELL",
///       # a comment
///       "wget -q --spider http://localhost:9000/ || exit 1",
///   ]
/// ```
///
/// Sentry's self-hosted `docker-compose.yml` is written so. Indentation
/// means nothing inside a flow collection or a quoted scalar (leading
/// blanks of a continuation line are not part of any value), so indenting
/// the offending line further changes no value and no line number; the
/// parse is retried on the text so indented. Any other error stands, and
/// the first error is the one reported.
pub(crate) fn parse_forgiving<T>(
    text: &str,
    mut parse: impl FnMut(&str) -> Result<T, ScanError>,
) -> Result<T, String> {
    let first = match parse(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let mut fixed = text.to_string();
    let mut error = first.clone();
    let tries = MAX_FORGIVEN.min(MAX_FORGIVEN_BYTES / text.len().max(1));
    for _ in 0..tries {
        if !indent_further(&mut fixed, &error) {
            break;
        }
        match parse(&fixed) {
            Ok(value) => return Ok(value),
            Err(e) => error = e,
        }
    }
    Err(format!("invalid YAML: {first}"))
}

/// Indents the lines an indentation error inside a flow collection or a
/// quoted scalar is about; false when the error is of another kind.
fn indent_further(text: &mut String, error: &ScanError) -> bool {
    let mark = error.marker();
    match error.info() {
        // yaml-rust2 says "invalid indentation" alone only in flow context
        // (a block line less indented closes its block instead).
        "invalid indentation" | "invalid indentation in flow construct" => {
            indent_flow_line(text, mark.line())
        }
        "invalid indentation in quoted scalar" => {
            indent_quoted_scalar(text, mark.index(), mark.col())
        }
        _ => false,
    }
}

/// Indents the 1-based line `line` like the line before it that has
/// content (at least one column more than it has).
fn indent_flow_line(text: &mut String, line: usize) -> bool {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let Some(&start) = starts.get(line.wrapping_sub(1)) else {
        return false;
    };
    let indent_of = |s: &str| s.len() - s.trim_start_matches(' ').len();
    let own = indent_of(&text[start..]);
    let before = starts[..line - 1]
        .iter()
        .rev()
        .map(|&s| text[s..].lines().next().unwrap_or(""))
        .find(|l| !l.trim().is_empty())
        .map_or(0, indent_of);
    let pad = before.max(own + 1) - own;
    text.insert_str(start, &" ".repeat(pad));
    true
}

/// Indents the continuation lines of the quoted scalar that starts at the
/// `index`th character (in column `col`) to that column.
fn indent_quoted_scalar(text: &mut String, index: usize, col: usize) -> bool {
    let Some((open, quote)) = text.char_indices().nth(index) else {
        return false;
    };
    if quote != '"' && quote != '\'' {
        return false;
    }
    // Where the scalar ends: the closing quote, skipping `\"` in a double-
    // quoted scalar and `''` in a single-quoted one.
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == '"' => i += 1,
            b'\'' if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote as u8 => {
                end = i;
                break;
            }
            _ => {}
        }
        i += 1;
    }
    let mut inserts = Vec::new();
    for (i, _) in text[open..end].match_indices('\n') {
        let start = open + i + 1;
        let rest = text[start..].lines().next().unwrap_or("");
        let indent = rest.len() - rest.trim_start_matches(' ').len();
        if !rest.trim().is_empty() && indent < col {
            inserts.push((start, col - indent));
        }
    }
    for &(start, pad) in inserts.iter().rev() {
        text.insert_str(start, &" ".repeat(pad));
    }
    !inserts.is_empty()
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
    /// Whether `<<: *base` entries are applied (or kept as written).
    merge_keys: bool,
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
            Event::Scalar(text, style, anchor, tag) => {
                self.nodes += 1;
                // A tag other than YAML's own bool/int/float/null (`!!str 12`,
                // `! 12`, `!Ref name`) makes the scalar a string as written.
                let typed_tag = tag.as_ref().is_none_or(|t| {
                    t.handle == "tag:yaml.org,2002:"
                        && matches!(t.suffix.as_str(), "bool" | "int" | "float" | "null")
                });
                let plain = style == TScalarStyle::Plain && typed_tag;
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
                            value: Value::Map(if self.merge_keys {
                                merge(entries)
                            } else {
                                entries
                            }),
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
