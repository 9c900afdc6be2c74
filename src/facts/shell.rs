//! Shell scripts, parsed with tree-sitter-bash.
//!
//! Rules ask "which commands does this script run?", so a script becomes the
//! list of its simple commands (wherever they sit: pipelines, `if` bodies,
//! functions, `$(…)`), its variable assignments and its redirect targets.
//! Comments, strings and heredoc bodies are never commands.

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    /// The program run, with `sudo`, `env`, `nohup`, … unwrapped and any path
    /// stripped (`/usr/bin/ssh` → `ssh`).
    pub name: String,
    /// The program as written (`./scripts/upload.sh`).
    pub program: String,
    pub args: Vec<String>,
    pub line: u32,
    /// The program this command's output is piped into (`pg_dump | psql`).
    pub piped_into: Option<String>,
    /// The file this command's output is redirected to (`pg_dump … > db.sql`).
    pub redirect: Option<String>,
    /// Whether the script tests this command's exit status: it is part of
    /// an `&&`/`||` list or an `if`/`while` condition.
    pub status_checked: bool,
    /// The here-document fed to the command (`ssh host <<EOF … EOF`), with
    /// the line its body starts on: a script the command runs elsewhere.
    pub heredoc: Option<(String, u32)>,
    /// Whether the command is detached from the terminal that started it:
    /// run under `nohup` or `setsid`, or sent to the background (`cmd &`).
    /// A server started that way keeps running after the session ends.
    pub detached: bool,
}

/// The names of the `$NAME` and `${NAME…}` expansions in a word, in order
/// (`/backups/${APP}_$STAMP.sql` → `APP`, `STAMP`).
pub fn expansions(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let inner = rest.strip_prefix('{').unwrap_or(rest);
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

impl ShellCommand {
    /// The first argument that is not an option.
    pub fn subcommand(&self) -> Option<&str> {
        self.args
            .iter()
            .map(String::as_str)
            .find(|a| !a.starts_with('-'))
    }

    pub fn has_arg(&self, arg: &str) -> bool {
        self.args.iter().any(|a| a == arg)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: String,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct ShellScript {
    /// The `#!` line, without the `#!`.
    pub shebang: Option<String>,
    pub commands: Vec<ShellCommand>,
    pub assignments: Vec<Assignment>,
    /// Targets of `>`/`>>` redirects, with their lines.
    pub redirects: Vec<(String, u32)>,
    /// Names of the variables the script expands (`$STAMP`, `${PIPESTATUS[0]}`).
    pub variables_read: Vec<String>,
}

thread_local! {
    // A tree-sitter parser is not Sync; one per worker thread is reused.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Programs that run another program given as their arguments.
const WRAPPERS: &[&str] = &[
    "command", "doas", "env", "exec", "nice", "nohup", "setsid", "sudo", "time",
];

impl ShellScript {
    /// `parse` for a short command line (a Dockerfile `RUN`, a
    /// package.json script, a CI step), shared by its text. The same lines
    /// recur in every service of a monorepo (its Dockerfile and scripts
    /// come from one template) and several rules parse the same line, so
    /// each distinct line is parsed once per process: the parse depends on
    /// the text alone. Long texts and an overfull table are parsed without
    /// being kept, so memory stays bounded.
    pub fn parse_line(text: &str) -> Result<std::sync::Arc<ShellScript>, String> {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex, OnceLock};
        type Lines = Mutex<HashMap<String, Result<Arc<ShellScript>, String>>>;
        static LINES: OnceLock<Lines> = OnceLock::new();
        const MAX_LINE: usize = 4096;
        const MAX_LINES: usize = 50_000;
        if text.len() > MAX_LINE {
            return ShellScript::parse(text).map(Arc::new);
        }
        let lines = LINES.get_or_init(Default::default);
        if let Some(known) = lines
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .get(text)
        {
            return known.clone();
        }
        // Parsed outside the lock: two threads may parse one line twice,
        // with the same result.
        let parsed = ShellScript::parse(text).map(Arc::new);
        let mut lines = lines.lock().unwrap_or_else(|poison| poison.into_inner());
        if lines.len() < MAX_LINES {
            lines.insert(text.to_string(), parsed.clone());
        }
        parsed
    }

    pub fn parse(text: &str) -> Result<ShellScript, String> {
        let tree = PARSER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                let mut parser = Parser::new();
                parser
                    .set_language(&tree_sitter_bash::LANGUAGE.into())
                    .map_err(|e| format!("shell grammar unavailable: {e}"))?;
                *slot = Some(parser);
            }
            match slot.as_mut() {
                Some(parser) => parser
                    .parse(text, None)
                    .ok_or_else(|| "the shell parser gave up on this file".to_string()),
                None => Err("shell parser unavailable".to_string()),
            }
        })?;
        // tree-sitter-bash misreads some `[[ … ]]` tests (`[[ $f = *" "* ]]`,
        // a glob with a quoted part) and the error swallows the rest of the
        // script: every later command is lost. When the tree has an error,
        // read the script again with each one-line `[[ … ]]` blanked (same
        // length, so lines and offsets stay) and keep that reading if it
        // parses cleanly — a test runs no command of its own.
        let blanked;
        let (tree, text) = if tree.root_node().has_error() {
            blanked = blank_double_brackets(text);
            match PARSER.with(|cell| {
                cell.borrow_mut()
                    .as_mut()
                    .and_then(|parser| parser.parse(&blanked, None))
            }) {
                Some(again) if !again.root_node().has_error() => (again, blanked.as_str()),
                _ => (tree, text),
            }
        } else {
            (tree, text)
        };
        let mut script = ShellScript {
            shebang: text
                .strip_prefix("#!")
                .map(|rest| rest.lines().next().unwrap_or("").trim().to_string()),
            ..ShellScript::default()
        };
        collect(tree.root_node(), text.as_bytes(), &mut script);
        Ok(script)
    }

    /// The command with the script's own variables substituted where each
    /// is assigned once to a plain value (`SQLITE_BIN=/usr/bin/sqlite3` then
    /// `$SQLITE_BIN "$DB" ".backup $F"` runs `sqlite3`; `tar -czf ${TARGET}
    /// ${SOURCE}` archives the file `SOURCE` names). Values that expand
    /// anything themselves (`$(date)`, backticks, other variables) stay as
    /// written, so the result never claims more than the script says.
    pub fn resolve(&self, cmd: &ShellCommand) -> ShellCommand {
        let value_of = |name: &str| -> Option<String> {
            let mut found = self.assignments.iter().filter(|a| a.name == name);
            let first = found.next()?;
            if found.next().is_some() {
                return None;
            }
            let v = first.value.trim_matches(|c| c == '"' || c == '\'');
            (!v.is_empty() && !v.contains(['$', '`', ' ', '(', ')'])).then(|| v.to_string())
        };
        let substitute = |word: &str| -> String {
            let mut out = String::new();
            let mut rest = word;
            while let Some(at) = rest.find('$') {
                out.push_str(&rest[..at]);
                let after = &rest[at + 1..];
                let (braced, inner) = match after.strip_prefix('{') {
                    Some(inner) => (true, inner),
                    None => (false, after),
                };
                let name: String = inner
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let closes = !braced || inner[name.len()..].starts_with('}');
                match value_of(&name).filter(|_| !name.is_empty() && closes) {
                    Some(value) => {
                        out.push_str(&value);
                        rest = &inner[name.len() + usize::from(braced)..];
                    }
                    None => {
                        out.push('$');
                        rest = after;
                    }
                }
            }
            out.push_str(rest);
            out
        };
        let mut resolved = cmd.clone();
        if cmd.program.starts_with('$') {
            let program = substitute(&cmd.program);
            if !program.contains('$') {
                resolved.name = basename(&program).to_string();
                resolved.program = program;
            }
        }
        resolved.args = cmd.args.iter().map(|a| substitute(a)).collect();
        resolved
    }

    /// Whether a pipeline fails when any of its stages fails: `set -o
    /// pipefail` (also combined, `set -euo pipefail`) or a shebang that sets it.
    pub fn sets_pipefail(&self) -> bool {
        let in_shebang = self
            .shebang
            .as_deref()
            .is_some_and(|s| s.contains("pipefail"));
        in_shebang
            || self.commands.iter().any(|c| {
                (c.name == "set" || c.name == "shopt")
                    && c.args
                        .windows(2)
                        .any(|w| w[0].starts_with('-') && w[0].contains('o') && w[1] == "pipefail")
            })
    }

    /// Whether the script stops on the first failure (`set -e`, `set -o
    /// errexit`, or `#!/bin/bash -e`).
    pub fn exits_on_error(&self) -> bool {
        let in_shebang = self.shebang.as_deref().is_some_and(|s| {
            s.split_whitespace()
                .skip(1)
                .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('e'))
        });
        in_shebang
            || self.commands.iter().any(|c| {
                c.name == "set"
                    && (c
                        .args
                        .iter()
                        .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('e'))
                        || c.args.windows(2).any(|w| w[0] == "-o" && w[1] == "errexit"))
            })
    }
}

/// Walks the syntax tree depth-first without recursion (a script of ten
/// thousand nested subshells must not exhaust the stack), collecting
/// commands, assignments and redirects in source order.
/// `text` with the inside of every `[[ … ]]` that opens and closes on one
/// line replaced by spaces (`[[ $f = *" "* ]]` → `[[ true          ]]`
/// keeps a valid test of the same length).
fn blank_double_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut rest = line;
        while let Some(open) = rest.find("[[ ") {
            let Some(close) = rest[open + 3..].find(" ]]") else {
                break;
            };
            let inner = &rest[open + 3..open + 3 + close];
            out.push_str(&rest[..open + 3]);
            // `-n x` is a valid test; pad to the same byte length.
            let filler = if inner.len() >= 4 { "-n x" } else { "" };
            out.push_str(filler);
            out.push_str(&" ".repeat(inner.len() - filler.len()));
            rest = &rest[open + 3 + close..];
        }
        out.push_str(rest);
    }
    out
}

fn collect(root: Node, src: &[u8], out: &mut ShellScript) {
    // Pipelines: (first command index of each stage) resolved after the walk.
    let mut pipelines: Vec<Vec<std::ops::Range<usize>>> = Vec::new();
    let mut command_starts: Vec<usize> = Vec::new();
    let mut cursor = root.walk();
    // The ancestors of the cursor's node, innermost last: tree-sitter's
    // `Node::parent` searches down from the root on every call, which made
    // the walk quadratic in the depth and a third of a script's cost.
    let mut ancestors: Vec<Node> = Vec::new();
    loop {
        let node = cursor.node();
        let mut descend = true;
        match node.kind() {
            "command" => {
                if let Some(cmd) = command(node, &ancestors, src) {
                    out.commands.push(cmd);
                    command_starts.push(node.start_byte());
                }
            }
            "variable_assignment" => {
                if let (Some(name), value) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    out.assignments.push(Assignment {
                        name: text(name, src),
                        value: value.map(|v| word(v, src)).unwrap_or_default(),
                        line: line(node),
                    });
                }
            }
            "file_redirect" => {
                let op = node.child(0).map(|c| text(c, src)).unwrap_or_default();
                if op.starts_with('>') || op == "&>" || op == "&>>" {
                    if let Some(dest) = node.child_by_field_name("destination") {
                        out.redirects.push((word(dest, src), line(node)));
                    }
                }
            }
            "pipeline" => {
                let mut stages = Vec::new();
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    stages.push(child.byte_range());
                }
                pipelines.push(stages);
            }
            "variable_name" => {
                let assigned = ancestors
                    .last()
                    .is_some_and(|p| p.kind() == "variable_assignment");
                if !assigned {
                    let name = text(node, src);
                    if !out.variables_read.contains(&name) {
                        out.variables_read.push(name);
                    }
                }
            }
            // Heredoc bodies are data, and comments are not commands.
            "heredoc_body" | "comment" => descend = false,
            _ => {}
        }
        if descend && cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            ancestors.pop();
            if !cursor.goto_parent() {
                // Each stage's first command is piped into the next stage's.
                for stages in pipelines {
                    let firsts: Vec<usize> = stages
                        .iter()
                        .filter_map(|r| {
                            // Starts are in source order: binary search.
                            let at = command_starts.partition_point(|s| *s < r.start);
                            command_starts.get(at).filter(|s| r.contains(s)).map(|_| at)
                        })
                        .collect();
                    for pair in firsts.windows(2) {
                        let next = out.commands[pair[1]].name.clone();
                        out.commands[pair[0]].piped_into = Some(next);
                    }
                }
                return;
            }
        }
    }
}

/// A command node, with its ancestors (innermost last).
fn command(node: Node, ancestors: &[Node], src: &[u8]) -> Option<ShellCommand> {
    let name_node = node.child_by_field_name("name")?;
    let mut words = std::collections::VecDeque::new();
    words.push_back(word(name_node, src));
    let mut cursor = node.walk();
    for arg in node.children_by_field_name("argument", &mut cursor) {
        words.push_back(word(arg, src));
    }
    // `cmd &`: the statement (or the redirection around it) is followed by
    // the `&` that sends it to the background.
    let mut detached = [Some(node), ancestors.last().copied()]
        .into_iter()
        .flatten()
        .take_while(|n| n.id() == node.id() || n.kind() == "redirected_statement")
        .any(|n| n.next_sibling().is_some_and(|s| s.kind() == "&"));
    // Unwrap `sudo -u deploy pm2 restart` and the like.
    while let Some(first) = words.front() {
        let base = basename(first).to_string();
        let base = base.as_str();
        if !WRAPPERS.contains(&base) {
            break;
        }
        detached |= base == "nohup" || base == "setsid";
        let takes_value = base == "sudo" || base == "doas" || base == "nice";
        words.pop_front();
        while let Some(next) = words.front() {
            if next.starts_with('-') {
                let opt = words.pop_front().unwrap_or_default();
                if takes_value && (opt == "-u" || opt == "-g" || opt == "-n") && !words.is_empty() {
                    words.pop_front();
                }
            } else if base == "env" && next.contains('=') {
                // A variable assignment for the wrapped command.
                words.pop_front();
            } else {
                break;
            }
        }
    }
    let mut words = words.into_iter();
    let program = words.next()?;
    Some(ShellCommand {
        name: basename(&program).to_string(),
        program,
        args: words.collect(),
        line: line(node),
        piped_into: None,
        redirect: redirect_of(node, ancestors, src),
        status_checked: status_checked(node, ancestors),
        heredoc: heredoc_of(ancestors, src),
        detached,
    })
}

/// `cmd <<EOF … EOF`: the body of a here-document redirected into the
/// command, and the line it starts on.
fn heredoc_of(ancestors: &[Node], src: &[u8]) -> Option<(String, u32)> {
    let parent = ancestors
        .last()
        .copied()
        .filter(|p| p.kind() == "redirected_statement")?;
    let mut cursor = parent.walk();
    let redirect = parent
        .named_children(&mut cursor)
        .find(|c| c.kind() == "heredoc_redirect")?;
    let mut cursor = redirect.walk();
    let body = redirect
        .named_children(&mut cursor)
        .find(|c| c.kind() == "heredoc_body")?;
    Some((text(body, src), line(body)))
}

/// `cmd > file`: the target of an output redirect around the command (or
/// around the pipeline it ends: `pg_dump | gzip > db.gz` redirects gzip).
fn redirect_of(node: Node, ancestors: &[Node], src: &[u8]) -> Option<String> {
    // The holder's parent: the command's, or the pipeline's when the
    // command ends one.
    let mut above = ancestors.len().checked_sub(1)?;
    if let Some(pipeline) = ancestors.get(above).filter(|p| p.kind() == "pipeline") {
        let last = pipeline.named_child(pipeline.named_child_count().saturating_sub(1));
        if last.is_some_and(|l| l.id() == node.id()) {
            above = above.checked_sub(1)?;
        }
    }
    let parent = ancestors
        .get(above)
        .copied()
        .filter(|p| p.kind() == "redirected_statement")?;
    let mut cursor = parent.walk();
    let found = parent
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "file_redirect")
        .find_map(|r| {
            let op = r.child(0).map(|c| text(c, src)).unwrap_or_default();
            (op.starts_with('>') || op.starts_with("&>"))
                .then(|| r.child_by_field_name("destination").map(|d| word(d, src)))
                .flatten()
        });
    found
}

/// Whether the command's exit status is tested: an ancestor below the
/// enclosing statement list is an `&&`/`||` list, or the command sits in an
/// `if`/`while`/`until` condition.
fn status_checked(node: Node, ancestors: &[Node]) -> bool {
    let mut child = node;
    for &parent in ancestors.iter().rev() {
        match parent.kind() {
            "list" => return true,
            "if_statement" | "while_statement" => {
                let mut cursor = parent.walk();
                return parent
                    .children_by_field_name("condition", &mut cursor)
                    .any(|c| c.id() == child.id());
            }
            // `elif` has no condition field: its condition is what comes
            // before `then`.
            "elif_clause" => {
                let mut cursor = parent.walk();
                let children: Vec<Node> = parent.children(&mut cursor).collect();
                let then = children.iter().position(|c| c.kind() == "then");
                let at = children.iter().position(|c| c.id() == child.id());
                return matches!((at, then), (Some(a), Some(t)) if a < t);
            }
            "program"
            | "compound_statement"
            | "do_group"
            | "subshell"
            | "function_definition"
            | "else_clause"
            | "case_item" => return false,
            _ => {}
        }
        child = parent;
    }
    false
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn line(node: Node) -> u32 {
    node.start_position().row as u32 + 1
}

fn text(node: Node, src: &[u8]) -> String {
    String::from_utf8_lossy(&src[node.byte_range()]).into_owned()
}

/// A word as the shell would see it, quotes removed (expansions stay as written).
/// Longest argument kept; longer ones (a page of nested `$( … )`) are
/// replaced by `…`, so nested substitutions cannot copy quadratically.
const MAX_WORD_BYTES: usize = 4096;

fn word(node: Node, src: &[u8]) -> String {
    if node.byte_range().len() > MAX_WORD_BYTES {
        return "…".to_string();
    }
    let raw = text(node, src);
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    for c in raw.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_status_checks_and_options() {
        let script = ShellScript::parse(
            "#!/bin/bash -e\nset -eo pipefail\npg_dump db > out.sql\npg_dump db | gzip > out.gz\nif ! mysqldump db > m.sql; then exit 1; fi\npg_dump db > x.sql || exit 1\n",
        )
        .expect("parses");
        assert!(script.exits_on_error());
        assert!(script.sets_pipefail());
        let c = &script.commands;
        assert_eq!(c[1].redirect.as_deref(), Some("out.sql"));
        assert!(!c[1].status_checked);
        assert_eq!(c[2].piped_into.as_deref(), Some("gzip"));
        assert_eq!(c[2].redirect, None);
        assert_eq!(c[3].redirect.as_deref(), Some("out.gz"));
        assert!(c[4].status_checked, "{:?}", c[4]);
        assert!(c[6].status_checked);
        let plain = ShellScript::parse("set -u\npg_dump db | gzip\n").expect("parses");
        assert!(!plain.sets_pipefail() && !plain.exits_on_error());
    }

    #[test]
    fn commands_after_a_misread_double_bracket_test() {
        let script = ShellScript::parse(
            "#!/bin/bash\nif [[ $f = *\" \"* ]]; then\n  echo skip\nfi\nnginx\nexec php-fpm8.2 -F\n",
        )
        .expect("parses");
        let names: Vec<&str> = script.commands.iter().map(|c| c.name.as_str()).collect();
        assert!(names.contains(&"nginx"), "{names:?}");
        assert!(names.contains(&"php-fpm8.2"), "{names:?}");
        assert_eq!(
            script
                .commands
                .iter()
                .find(|c| c.name == "nginx")
                .map(|c| c.line),
            Some(5)
        );
    }

    #[test]
    fn commands_not_comments_or_strings() {
        let script = ShellScript::parse(
            r#"#!/usr/bin/env bash
set -euo pipefail
# ssh root@example.com
echo "then run systemctl restart app"
BACKUP_DIR="./backups"
sudo -u deploy pm2 restart all
pg_dump "$DATABASE_URL" | gzip > "$BACKUP_DIR/db.sql.gz"
if true; then /usr/bin/rsync -az ./ deploy@host:/srv/app; fi
cat <<EOF > /etc/nginx/sites-available/app
server { listen 80; }
EOF
"#,
        )
        .expect("parses");
        let names: Vec<&str> = script.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["set", "echo", "pm2", "pg_dump", "gzip", "true", "rsync", "cat"]
        );
        assert!(script.exits_on_error());
        let pm2 = &script.commands[2];
        assert_eq!(pm2.args, ["restart", "all"]);
        assert_eq!(pm2.line, 6);
        assert_eq!(script.assignments[0].name, "BACKUP_DIR");
        assert_eq!(script.assignments[0].value, "./backups");
        assert_eq!(
            script.redirects[0],
            ("$BACKUP_DIR/db.sql.gz".to_string(), 7)
        );
    }
}
