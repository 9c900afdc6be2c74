//! Dockerfiles, parsed as BuildKit reads them: parser directives
//! (`# escape=`), comments (also between continued lines), line
//! continuations, heredocs (`RUN <<EOF … EOF`), exec (JSON) and shell forms,
//! `--flags`, multi-stage builds, and `ARG`/`ENV` substitution
//! (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}`).

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword: `RUN`, `COPY`, …
    pub keyword: String,
    /// `--name=value` flags (`--from=builder`, `--chown=node:node`).
    pub flags: Vec<(String, String)>,
    /// The arguments after the flags, continuation lines joined, comments
    /// removed, variables not substituted.
    pub args: String,
    /// `["node", "server.js"]`: the exec form's words.
    pub exec_form: Option<Vec<String>>,
    pub heredocs: Vec<Heredoc>,
    /// 1-based line of the keyword.
    pub line: u32,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The words of the instruction: the exec form's, or the shell form's
    /// split on whitespace (quotes removed).
    pub fn words(&self) -> Vec<String> {
        match &self.exec_form {
            Some(words) => words.clone(),
            None => shell_words(&self.args),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The `FROM` instruction.
    pub from: Instruction,
    /// The base image with build arguments substituted (`node:22-slim`).
    pub image: String,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    pub instructions: Vec<Instruction>,
}

impl Stage {
    /// The user the stage's processes run as: the last `USER`, if any.
    pub fn user(&self) -> Option<&str> {
        self.instructions
            .iter()
            .rev()
            .find(|i| i.keyword == "USER")
            .map(|i| i.args.trim())
    }

    pub fn all(&self, keyword: &str) -> impl Iterator<Item = &Instruction> {
        let keyword = keyword.to_string();
        self.instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// `ARG`s before the first `FROM` (usable in `FROM` lines).
    pub global_args: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// The comment lines at the top of the file, lower-cased (they may say
    /// "for development only").
    pub header_comment: String,
}

impl Dockerfile {
    /// The stage the image is built from: the last one.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    pub fn parse(text: &str) -> Result<Dockerfile, String> {
        let instructions = instructions(text)?;
        let mut file = Dockerfile {
            header_comment: crate::facts::text::header_comment(text),
            ..Dockerfile::default()
        };
        let mut globals: HashMap<String, String> = HashMap::new();
        for inst in instructions {
            if inst.keyword == "FROM" {
                let words = shell_words(&inst.args);
                let image = words
                    .first()
                    .map(|w| substitute(w, &globals))
                    .ok_or_else(|| format!("line {}: FROM without an image", inst.line))?;
                let name = match words.as_slice() {
                    [_, as_kw, name, ..] if as_kw.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                file.stages.push(Stage {
                    from: inst,
                    image,
                    name,
                    instructions: Vec::new(),
                });
                continue;
            }
            match file.stages.last_mut() {
                Some(stage) => stage.instructions.push(inst),
                None if inst.keyword == "ARG" => {
                    for (name, value) in arg_defaults(&inst.args) {
                        globals.insert(name, value);
                    }
                    file.global_args.push(inst);
                }
                None => {
                    return Err(format!(
                        "line {}: {} before the first FROM",
                        inst.line, inst.keyword
                    ))
                }
            }
        }
        if file.stages.is_empty() {
            return Err("no FROM instruction".to_string());
        }
        Ok(file)
    }
}

/// `ARG NAME=value OTHER` → [(NAME, value), (OTHER, "")].
fn arg_defaults(args: &str) -> Vec<(String, String)> {
    shell_words(args)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (w, String::new()),
        })
        .collect()
}

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}`
/// from `vars`; unknown variables become empty, as in BuildKit.
pub fn substitute(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('{') => {
                chars.next();
                let mut inner = String::new();
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                    inner.push(n);
                }
                let (name, op) = match inner.find(":-").or_else(|| inner.find(":+")) {
                    Some(at) => (&inner[..at], Some((&inner[at..at + 2], &inner[at + 2..]))),
                    None => (inner.as_str(), None),
                };
                let value = vars.get(name).filter(|v| !v.is_empty());
                match (op, value) {
                    (Some((":-", default)), None) => out.push_str(default),
                    (Some((":+", alt)), Some(_)) => out.push_str(alt),
                    (Some((":+", _)), None) => {}
                    (_, Some(v)) => out.push_str(v),
                    (_, None) => {}
                }
            }
            Some(n) if n.is_ascii_alphabetic() || *n == '_' => {
                let mut name = String::new();
                while let Some(n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || *n == '_' {
                        name.push(*n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if let Some(v) = vars.get(&name) {
                    out.push_str(v);
                }
            }
            _ => out.push('$'),
        }
    }
    out
}

/// Splits shell-form arguments into words, honouring quotes.
pub fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    current.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (_, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// The instructions of a Dockerfile, in order.
fn instructions(text: &str) -> Result<Vec<Instruction>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut escape = '\\';
    // Parser directives: `# key=value` lines at the very top.
    for line in &lines {
        let Some(rest) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = rest.split_once('=') else {
            break;
        };
        if key.trim().eq_ignore_ascii_case("escape") {
            escape = match value.trim() {
                "`" => '`',
                _ => '\\',
            };
        }
    }

    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let start_line = i as u32 + 1;
        // Join continuation lines; comment lines inside are dropped.
        let mut logical = String::new();
        loop {
            let line = lines[i].trim_end();
            let continued = line.ends_with(escape);
            let part = if continued {
                &line[..line.len() - escape.len_utf8()]
            } else {
                line
            };
            logical.push_str(part);
            i += 1;
            if !continued {
                break;
            }
            logical.push(' ');
            while i < lines.len() && lines[i].trim_start().starts_with('#') {
                i += 1;
            }
            if i >= lines.len() {
                break;
            }
        }
        let (keyword, rest) = match logical.trim().split_once(char::is_whitespace) {
            Some((k, r)) => (k.to_ascii_uppercase(), r.trim().to_string()),
            None => (logical.trim().to_ascii_uppercase(), String::new()),
        };
        if !keyword.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "line {start_line}: `{keyword}` is not an instruction"
            ));
        }
        // Flags come first: `--from=builder --chown=node:node`.
        let mut flags = Vec::new();
        let mut args = rest.as_str();
        while let Some(flag) = args.strip_prefix("--") {
            let end = flag.find(char::is_whitespace).unwrap_or(flag.len());
            let (name, value) = match flag[..end].split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => (flag[..end].to_string(), String::new()),
            };
            flags.push((name, value));
            args = flag[end..].trim_start();
        }
        let args = args.to_string();
        // Heredocs: `<<EOF`, `<<-EOF`, `<<"EOF"`; bodies follow the line.
        let mut heredocs = Vec::new();
        for marker in heredoc_markers(&args) {
            let (delimiter, strip_tabs) = marker;
            let mut body = String::new();
            let mut closed = false;
            while i < lines.len() {
                let line = lines[i];
                i += 1;
                let candidate = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if candidate.trim_end() == delimiter {
                    closed = true;
                    break;
                }
                body.push_str(candidate);
                body.push('\n');
            }
            if !closed {
                return Err(format!(
                    "line {start_line}: heredoc `{delimiter}` is never closed"
                ));
            }
            heredocs.push(Heredoc { delimiter, body });
        }
        let exec_form = args
            .trim()
            .starts_with('[')
            .then(|| serde_json::from_str::<Vec<String>>(args.trim()).ok())
            .flatten();
        out.push(Instruction {
            keyword,
            flags,
            args,
            exec_form,
            heredocs,
            line: start_line,
        });
    }
    Ok(out)
}

/// Heredoc delimiters in an instruction's arguments, with whether tabs are
/// stripped (`<<-`).
fn heredoc_markers(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(at) = rest.find("<<") {
        let after = &rest[at + 2..];
        let (strip, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let after = after.trim_start_matches(['"', '\'']);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push((after[..end].to_string(), strip));
        }
        rest = &after[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_stage_with_args_flags_and_exec_form() {
        let df = Dockerfile::parse(
            "# syntax=docker/dockerfile:1\nARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-slim AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci \\\n    # comment inside a continuation\n    --omit=dev\n\nFROM node:${NODE_VERSION}-slim AS runner\nCOPY --from=deps --chown=node:node /app/node_modules ./node_modules\nUSER node\nCMD [\"node\", \"server.js\"]\n",
        )
        .expect("parses");
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].image, "node:22-slim");
        assert_eq!(df.stages[0].name.as_deref(), Some("deps"));
        let run = df.stages[0].all("RUN").next().expect("run");
        assert_eq!(
            run.args.split_whitespace().collect::<Vec<_>>(),
            ["npm", "ci", "--omit=dev"]
        );
        assert_eq!(run.line, 6);
        let runner = df.final_stage().expect("final");
        let copy = runner.all("COPY").next().expect("copy");
        assert_eq!(copy.flag("from"), Some("deps"));
        assert_eq!(copy.flag("chown"), Some("node:node"));
        assert_eq!(runner.user(), Some("node"));
        let cmd = runner.all("CMD").next().expect("cmd");
        assert_eq!(
            cmd.exec_form.as_deref(),
            Some(&["node".to_string(), "server.js".to_string()][..])
        );
    }

    #[test]
    fn heredocs_and_escape_directive() {
        let df = Dockerfile::parse(
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore AS base\nRUN echo a `\n  && echo b\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nCOPY <<-'CONF' /etc/app.conf\n\tkey=value\n\tCONF\n",
        )
        .expect("parses");
        let stage = &df.stages[0];
        let runs: Vec<&Instruction> = stage.all("RUN").collect();
        assert_eq!(
            runs[0].args.split_whitespace().collect::<Vec<_>>(),
            ["echo", "a", "&&", "echo", "b"]
        );
        assert_eq!(
            runs[1].heredocs[0].body,
            "apt-get update\napt-get install -y curl\n"
        );
        let copy = stage.all("COPY").next().expect("copy");
        assert_eq!(copy.heredocs[0].delimiter, "CONF");
        assert_eq!(copy.heredocs[0].body, "key=value\n");
    }

    #[test]
    fn substitution_forms() {
        let vars: HashMap<String, String> = [
            ("A".to_string(), "1".to_string()),
            ("E".to_string(), String::new()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            substitute("x$A-${A}-${B:-d}-${A:+alt}-${B:+no}-${E:-empty}", &vars),
            "x1-1-d-alt--empty"
        );
    }

    #[test]
    fn malformed_dockerfiles_are_errors() {
        assert!(Dockerfile::parse("RUN echo hi\n").is_err());
        assert!(Dockerfile::parse("").is_err());
        assert!(Dockerfile::parse("FROM alpine\nRUN <<EOF\necho\n").is_err());
        assert!(Dockerfile::parse("FROM alpine\n{\"not\": \"docker\"}\n").is_err());
    }
}
