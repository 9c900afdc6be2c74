//! Task runners and SSH deployment tools, as far as rules need them: the
//! shell commands each recipe runs, and the remote hosts the file declares.
//!
//! - Makefile and Justfile: each target (recipe) is shell, read with the
//!   shell parser after make/just interpolation is turned into shell
//!   variables (`$(HOST)`, `{{host}}` → `${HOST}`, `$host`).
//! - Laravel Envoy (`Envoy.blade.php`): `@servers([...])` declares hosts,
//!   each `@task … @endtask` body is shell run on them.
//! - Deployer (`deploy.php`), Capistrano (`Capfile`, `config/deploy.rb`,
//!   `config/deploy/*.rb`) and Fabric (`fabfile.py`): read with the lexer
//!   of their language, so comments and strings that merely mention a host
//!   are not declarations; the command strings of Deployer's and Fabric's
//!   `run(…)`/`sudo(…)` are parsed as shell.

use super::code::{ident_at, punct_at, string_at, tokenize, Lang, Spanned, Token};
use super::shell::{ShellCommand, ShellScript};

/// Which tool a file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Make,
    Just,
    Capistrano,
    Envoy,
    Deployer,
    Fabric,
    /// PM2's `deploy` section of an ecosystem file.
    Pm2,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::Make => "Makefile",
            Tool::Just => "Justfile",
            Tool::Capistrano => "Capistrano",
            Tool::Envoy => "Laravel Envoy",
            Tool::Deployer => "Deployer",
            Tool::Fabric => "Fabric",
            Tool::Pm2 => "PM2 deploy",
        }
    }

    /// Whether the tool's commands run over SSH on the hosts the file
    /// declares (Makefile and Justfile recipes run where they are invoked).
    pub fn runs_on_declared_hosts(self) -> bool {
        !matches!(self, Tool::Make | Tool::Just)
    }
}

/// One recipe (target, task): its name, the line it starts on, the
/// commands it runs (lines are the file's) and the recipes it runs first
/// (a Makefile target's prerequisites, a Justfile recipe's dependencies,
/// the tasks of an Envoy story).
#[derive(Debug, Default)]
pub struct Recipe {
    pub name: String,
    pub line: u32,
    pub commands: Vec<ShellCommand>,
    pub prerequisites: Vec<String>,
}

/// A host the file deploys to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostDeclaration {
    pub host: String,
    pub line: u32,
    /// The file connects to the host over SSH even though it names the
    /// local machine: Deployer's `host('localhost')` given a `port`, a
    /// `remote_user` or an identity file (a container or VM whose SSH port
    /// is forwarded to the machine), unlike `localhost()`.
    pub over_ssh: bool,
}

impl HostDeclaration {
    /// `localhost`/`127.0.0.1`: Envoy and Deployer then run the commands
    /// on the machine they are invoked on.
    pub fn is_local(&self) -> bool {
        if self.over_ssh {
            return false;
        }
        let host = self.host.rsplit('@').next().unwrap_or(&self.host);
        matches!(host, "localhost" | "127.0.0.1" | "::1" | "local")
    }
}

#[derive(Debug)]
pub struct TaskRunnerFile {
    pub tool: Tool,
    pub recipes: Vec<Recipe>,
    /// Remote hosts declared by the file (Envoy `@servers`, Deployer
    /// `host()`, Capistrano `server`/`role`, Fabric `env.hosts` or
    /// `Connection`).
    pub hosts: Vec<HostDeclaration>,
}

impl TaskRunnerFile {
    /// Parses a file the index classified as a task runner. `None` when it
    /// is not one after all (a `deploy.php` that is not Deployer's).
    pub fn parse(rel: &str, text: &str) -> Option<TaskRunnerFile> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "makefile" | "gnumakefile" => TaskRunnerFile {
                tool: Tool::Make,
                recipes: makefile_recipes(text),
                hosts: Vec::new(),
            },
            "justfile" | ".justfile" => TaskRunnerFile {
                tool: Tool::Just,
                recipes: justfile_recipes(text),
                hosts: Vec::new(),
            },
            "envoy.blade.php" => envoy(text),
            "deploy.php" => deployer(text)?,
            "fabfile.py" => fabric(text)?,
            "ecosystem.config.js"
            | "ecosystem.config.cjs"
            | "ecosystem.config.mjs"
            | "ecosystem.json" => pm2_ecosystem(text)?,
            _ => capistrano(text)?,
        })
    }
}

/// Parses a recipe's shell text whose first line is line `first_line` of
/// the file.
fn shell_commands(text: &str, first_line: u32) -> Vec<ShellCommand> {
    let Ok(script) = ShellScript::parse(text) else {
        return Vec::new();
    };
    script
        .commands
        .into_iter()
        .map(|mut c| {
            c.line += first_line.saturating_sub(1);
            if let Some((_, line)) = &mut c.heredoc {
                *line += first_line.saturating_sub(1);
            }
            c
        })
        .collect()
}

/// `$(VAR)` → `${VAR}` and `$$` → `$`: make's expansions as the shell
/// variables they stand for.
fn make_to_shell(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut depth = 0usize;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'$') => {
                chars.next();
                out.push('$');
            }
            '$' if chars.peek() == Some(&'(') => {
                chars.next();
                depth += 1;
                out.push_str("${");
            }
            ')' if depth > 0 => {
                depth -= 1;
                out.push('}');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The targets of a Makefile with their recipes. A target line is
/// `name [name…]: [prerequisites]` (not an assignment, not a special
/// `.PHONY`-style target, not a pattern rule); its recipe is the
/// tab-indented lines that follow.
fn makefile_recipes(text: &str) -> Vec<Recipe> {
    let mut out: Vec<Recipe> = Vec::new();
    // The recipe being read: its name, first line, shell text and
    // prerequisites.
    let mut current: Option<(String, u32, String, Vec<String>)> = None;
    let mut continued = false;
    let flush = |current: &mut Option<(String, u32, String, Vec<String>)>,
                 out: &mut Vec<Recipe>| {
        if let Some((name, line, body, prerequisites)) = current.take() {
            // The body's first line is the rule line (`target: ; cmd`).
            let commands = shell_commands(&body, line);
            out.push(Recipe {
                name,
                line,
                commands,
                prerequisites,
            });
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let was_continued = continued;
        continued = raw.ends_with('\\');
        if let Some((_, _, body, _)) = current.as_mut() {
            if let Some(recipe_line) = raw.strip_prefix('\t') {
                let recipe_line = if was_continued {
                    recipe_line
                } else {
                    recipe_line.trim_start_matches(['@', '-', '+'])
                };
                body.push_str(&make_to_shell(recipe_line));
                body.push('\n');
                continue;
            }
            if was_continued || raw.trim().is_empty() || raw.trim_start().starts_with('#') {
                body.push_str(&make_to_shell(raw));
                body.push('\n');
                continue;
            }
        }
        if was_continued {
            continue;
        }
        flush(&mut current, &mut out);
        if raw.starts_with(['\t', ' ', '#']) {
            continue;
        }
        let Some((targets, rest)) = raw.split_once(':') else {
            continue;
        };
        // `X := y`, `X ::= y`, `X = a:b`: assignments, not rules.
        if rest.starts_with('=') || rest.starts_with(":=") || targets.contains('=') {
            continue;
        }
        let Some(target) = targets.split_whitespace().next() else {
            continue;
        };
        if target.starts_with('.') || target.contains('%') || target.contains('$') {
            continue;
        }
        // `target: deps ; command` puts the first command on the rule line.
        let mut body = String::new();
        let (deps, inline) = match rest.split_once(';') {
            Some((deps, inline)) => (deps, Some(inline)),
            None => (rest, None),
        };
        if let Some(inline) = inline {
            body.push_str(&make_to_shell(inline));
        }
        body.push('\n');
        // Order-only prerequisites (after `|`) run first as well; variable
        // and pattern prerequisites name no recipe of the file.
        let prerequisites = deps
            .split_whitespace()
            .filter(|d| *d != "|" && !d.contains(['$', '%']))
            .map(str::to_string)
            .collect();
        current = Some((target.to_string(), line_no, body, prerequisites));
    }
    flush(&mut current, &mut out);
    out
}

/// `{{name}}` → `${name}`: just's interpolation as a shell variable.
fn just_to_shell(line: &str) -> String {
    line.replace("{{", "${").replace("}}", "}")
}

/// The recipes of a Justfile: a header at the start of a line
/// (`name param='x': deps`, `@name:`), then its indented body. Settings,
/// aliases, assignments and attributes are not recipes.
fn justfile_recipes(text: &str) -> Vec<Recipe> {
    let mut out: Vec<Recipe> = Vec::new();
    let mut current: Option<(String, u32, String, Vec<String>)> = None;
    let flush = |current: &mut Option<(String, u32, String, Vec<String>)>,
                 out: &mut Vec<Recipe>| {
        if let Some((name, line, body, prerequisites)) = current.take() {
            // A shebang recipe is a script in another language unless the
            // shebang names a shell.
            let first = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let other_language = first.trim_start().starts_with("#!") && !first.contains("sh");
            let commands = if other_language {
                Vec::new()
            } else {
                shell_commands(&body, line + 1)
            };
            out.push(Recipe {
                name,
                line,
                commands,
                prerequisites,
            });
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        if let Some((_, _, body, _)) = current.as_mut() {
            if raw.starts_with([' ', '\t']) || raw.trim().is_empty() {
                let trimmed = raw.trim_start();
                let trimmed = trimmed.trim_start_matches(['@', '-']);
                body.push_str(&just_to_shell(trimmed));
                body.push('\n');
                continue;
            }
        }
        flush(&mut current, &mut out);
        if raw.starts_with(['#', '[', ' ', '\t']) {
            continue;
        }
        let first_word = raw.split_whitespace().next().unwrap_or("");
        if matches!(first_word, "set" | "alias" | "export" | "import" | "mod") {
            continue;
        }
        let Some((header, rest)) = raw.split_once(':') else {
            continue;
        };
        if rest.starts_with('=') || header.contains('=') && !header.contains(' ') {
            continue;
        }
        let name = header
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches('@');
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        // `deploy host: build (lint "x") && notify`: the dependencies are
        // the plain names after the colon (those with arguments are left
        // out: their parameters are unknown here).
        let prerequisites = if rest.contains('(') {
            Vec::new()
        } else {
            rest.split_whitespace()
                .filter(|d| *d != "&&")
                .map(str::to_string)
                .collect()
        };
        current = Some((name.to_string(), line_no, String::new(), prerequisites));
    }
    flush(&mut current, &mut out);
    out
}

/// The quoted strings of a line (`'web' => 'deploy@1.2.3.4'`).
fn quoted_strings(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '"' {
            let value: String = chars.by_ref().take_while(|x| *x != c).collect();
            out.push(value);
        }
    }
    out
}

/// Laravel Envoy: `@servers(['web' => 'user@host'])` and `@task … @endtask`
/// bodies. Blade comments (`{{-- … --}}`) and PHP blocks are skipped.
fn envoy(text: &str) -> TaskRunnerFile {
    let mut hosts = Vec::new();
    let mut recipes = Vec::new();
    let mut current: Option<(String, u32, String)> = None;
    let mut in_comment = false;
    let mut story = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let trimmed = raw.trim();
        if in_comment || trimmed.starts_with("{{--") {
            in_comment = !trimmed.contains("--}}");
            if let Some((_, _, body)) = current.as_mut() {
                body.push('\n');
            }
            continue;
        }
        if let Some(args) = trimmed.strip_prefix("@servers") {
            // The host is the value after `=>` (the key names the server).
            for pair in args.split(',') {
                let value = pair.split_once("=>").map(|(_, v)| v).unwrap_or("");
                if let Some(host) = quoted_strings(value).into_iter().next() {
                    hosts.push(HostDeclaration {
                        over_ssh: false,
                        host: host.trim().to_string(),
                        line: line_no,
                    });
                } else if value.contains('$') {
                    // `['web' => $server]`: a host from the environment.
                    hosts.push(HostDeclaration {
                        over_ssh: false,
                        host: value.trim().trim_end_matches([']', ')']).to_string(),
                        line: line_no,
                    });
                }
            }
            continue;
        }
        if let Some(args) = trimmed
            .strip_prefix("@task")
            .or_else(|| trimmed.strip_prefix("@story"))
        {
            let name = quoted_strings(args).into_iter().next().unwrap_or_default();
            story = trimmed.starts_with("@story");
            current = Some((name, line_no, String::new()));
            continue;
        }
        if trimmed.starts_with("@endtask") || trimmed.starts_with("@endstory") {
            if let Some((name, line, body)) = current.take() {
                // A story's body lists the tasks it runs, one name a line.
                let (commands, prerequisites) = if story {
                    let tasks = body
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect();
                    (Vec::new(), tasks)
                } else {
                    (shell_commands(&body, line + 1), Vec::new())
                };
                recipes.push(Recipe {
                    name,
                    line,
                    commands,
                    prerequisites,
                });
            }
            continue;
        }
        if let Some((_, _, body)) = current.as_mut() {
            // Blade directives (`@if`) are not shell; `{{ $dir }}` is a value.
            if !trimmed.starts_with('@') {
                body.push_str(&raw.replace("{{", "").replace("}}", ""));
            }
            body.push('\n');
        }
    }
    TaskRunnerFile {
        tool: Tool::Envoy,
        recipes,
        hosts,
    }
}

/// The command strings passed to `run(…)`/`sudo(…)` (also as methods,
/// `c.run(…)`), each parsed as shell on its line.
fn command_calls(tokens: &[Spanned], calls: &[&str]) -> Vec<ShellCommand> {
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let Some(name) = ident_at(tokens, i) else {
            continue;
        };
        if !calls.contains(&name) || !punct_at(tokens, i + 1, '(') {
            continue;
        }
        // A function definition (`def run(…)`, `function run(…)`) is not a call.
        if matches!(
            ident_at(tokens, i.wrapping_sub(1)),
            Some("def" | "function")
        ) {
            continue;
        }
        if let Some(command) = string_at(tokens, i + 2) {
            out.extend(shell_commands(command, tokens[i + 2].line));
        }
    }
    out
}

/// Deployer's `deploy.php`: `host('…')` declarations and `run('…')`
/// commands. `None` for a `deploy.php` that is not Deployer's (a webhook
/// script, a page).
fn deployer(text: &str) -> Option<TaskRunnerFile> {
    let tokens = tokenize(text, Lang::Php);
    let is_deployer = tokens.windows(2).any(|w| {
        matches!(&w[0].token, Token::Ident(n) if n == "namespace")
            && matches!(&w[1].token, Token::Ident(n) if n == "Deployer")
    }) || tokens
        .iter()
        .any(|t| matches!(&t.token, Token::Ident(n) if n == "Deployer"));
    if !is_deployer {
        return None;
    }
    let mut hosts = Vec::new();
    for i in 0..tokens.len() {
        let Some(call) = ident_at(&tokens, i) else {
            continue;
        };
        if !matches!(call, "host" | "localhost") || !punct_at(&tokens, i + 1, '(') {
            continue;
        }
        // `->host(…)` is a setting of another host, not a declaration.
        if punct_at(&tokens, i.wrapping_sub(1), '>') {
            continue;
        }
        let host = if call == "localhost" {
            "localhost".to_string()
        } else {
            match string_at(&tokens, i + 2) {
                Some(h) => h.to_string(),
                None => continue,
            }
        };
        let over_ssh = call == "host" && deployer_ssh_settings(&tokens, i + 2);
        hosts.push(HostDeclaration {
            over_ssh,
            host,
            line: tokens[i].line,
        });
    }
    let commands = command_calls(&tokens, &["run", "runLocally"]);
    Some(TaskRunnerFile::one_recipe(
        Tool::Deployer,
        "deploy",
        commands,
        hosts,
    ))
}

/// Settings of a Deployer host that only an SSH connection uses.
const DEPLOYER_SSH_SETTINGS: &[&str] = &[
    "port",
    "remote_user",
    "user",
    "identity_file",
    "config_file",
    "forward_agent",
    "ssh_arguments",
    "ssh_options",
];

/// Whether the chain of calls on a Deployer host (`host('localhost')
/// ->set('port', 2222)->setRemoteUser('root')`), up to the end of its
/// statement, sets one of `DEPLOYER_SSH_SETTINGS`: by `set('port', …)`,
/// by the v6 methods (`->port(…)`, `->user(…)`, `->identityFile(…)`) or by
/// the v7 setters (`->setPort(…)`, `->setRemoteUser(…)`).
fn deployer_ssh_settings(tokens: &[Spanned], from: usize) -> bool {
    let snake = |name: &str| {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_uppercase() {
                if !out.is_empty() {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    };
    let mut depth = 0i32;
    for i in from..tokens.len() {
        match &tokens[i].token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            Token::Punct(';') if depth <= 0 => return false,
            Token::Ident(method) if punct_at(tokens, i.wrapping_sub(1), '>') && depth <= 0 => {
                let setting = if method == "set" || method == "add" {
                    string_at(tokens, i + 2).map(str::to_string)
                } else {
                    let name = snake(method);
                    Some(
                        name.strip_prefix("set_")
                            .map(str::to_string)
                            .unwrap_or(name),
                    )
                };
                if setting.is_some_and(|s| DEPLOYER_SSH_SETTINGS.contains(&s.as_str())) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Hook keys of a PM2 deploy environment whose commands run on the hosts
/// (`pre-deploy-local` runs where `pm2 deploy` is invoked).
const PM2_REMOTE_HOOKS: &[&str] = &["pre-setup", "post-setup", "pre-deploy", "post-deploy"];

/// A PM2 ecosystem file (`ecosystem.config.js`, `ecosystem.json`) with a
/// `deploy` section: `pm2 deploy production` clones the repository onto
/// each `host` over SSH and runs the hooks there. `None` without a
/// `deploy` section (the file then only describes processes).
fn pm2_ecosystem(text: &str) -> Option<TaskRunnerFile> {
    let tokens = tokenize(text, Lang::Js);
    let key_at = |i: usize| -> Option<&str> {
        match tokens.get(i).map(|t| &t.token) {
            Some(Token::Ident(k)) | Some(Token::Str(k)) if punct_at(&tokens, i + 1, ':') => {
                Some(k.as_str())
            }
            _ => None,
        }
    };
    let start = (0..tokens.len()).find(|i| key_at(*i) == Some("deploy"))?;
    let mut hosts = Vec::new();
    let mut commands = Vec::new();
    for i in start..tokens.len() {
        match key_at(i) {
            Some("host") => {
                // `host: "1.2.3.4"` or `host: ["a", "b"]`.
                let mut j = i + 2;
                let list = punct_at(&tokens, j, '[');
                if list {
                    j += 1;
                }
                while let Some(Token::Str(h)) = tokens.get(j).map(|t| &t.token) {
                    hosts.push(HostDeclaration {
                        over_ssh: false,
                        host: h.clone(),
                        line: tokens[j].line,
                    });
                    if !list || !punct_at(&tokens, j + 1, ',') {
                        break;
                    }
                    j += 2;
                }
            }
            Some(hook) if PM2_REMOTE_HOOKS.contains(&hook) => {
                if let Some(Token::Str(value)) = tokens.get(i + 2).map(|t| &t.token) {
                    commands.extend(shell_commands(value, tokens[i + 2].line));
                }
            }
            _ => {}
        }
    }
    if hosts.is_empty() {
        return None;
    }
    Some(TaskRunnerFile::one_recipe(
        Tool::Pm2,
        "deploy",
        commands,
        hosts,
    ))
}

impl TaskRunnerFile {
    /// A file read as one list of commands (Deployer's, Fabric's), named
    /// after the tool's usual entry point.
    fn one_recipe(
        tool: Tool,
        name: &str,
        commands: Vec<ShellCommand>,
        hosts: Vec<HostDeclaration>,
    ) -> TaskRunnerFile {
        TaskRunnerFile {
            tool,
            recipes: vec![Recipe {
                name: name.to_string(),
                line: 1,
                commands,
                prerequisites: Vec::new(),
            }],
            hosts,
        }
    }
}

/// Fabric's `fabfile.py`: hosts from `env.hosts`/`env.host_string`,
/// `@hosts(…)`, `Connection("…")` or `roledefs`; commands from `run`/
/// `sudo` (`local` runs on the developer's machine and is not read).
/// `None` when the file does not use Fabric.
fn fabric(text: &str) -> Option<TaskRunnerFile> {
    let tokens = tokenize(text, Lang::Python);
    let uses_fabric = tokens
        .iter()
        .any(|t| matches!(&t.token, Token::Ident(n) if n == "fabric"));
    if !uses_fabric {
        return None;
    }
    let mut hosts = Vec::new();
    for i in 0..tokens.len() {
        let Some(word) = ident_at(&tokens, i) else {
            continue;
        };
        let declared = match word {
            "env" if punct_at(&tokens, i + 1, '.') => matches!(
                ident_at(&tokens, i + 2),
                Some("hosts" | "host_string" | "roledefs")
            ),
            "hosts" | "Connection" | "SerialGroup" | "ThreadingGroup" => {
                punct_at(&tokens, i + 1, '(')
            }
            _ => false,
        };
        if !declared {
            continue;
        }
        // The first string after the declaration on its line, if any.
        let line = tokens[i].line;
        let host = tokens[i..]
            .iter()
            .take_while(|t| t.line == line)
            .find_map(|t| match &t.token {
                Token::Str(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "$HOST".to_string());
        hosts.push(HostDeclaration {
            over_ssh: false,
            host,
            line,
        });
    }
    let commands = command_calls(&tokens, &["run", "sudo"]);
    // Fabric 1's `fabric.api.run`/`sudo` execute only over SSH: with no
    // host in the file, they go to the hosts given at invocation
    // (`fab deploy -H root@host`). Fabric 2's `c.run` runs locally when no
    // host is given, so it says nothing on its own.
    let fabric1 = tokens.windows(3).any(|w| {
        matches!(&w[0].token, Token::Ident(n) if n == "fabric")
            && w[1].token == Token::Punct('.')
            && matches!(&w[2].token, Token::Ident(n) if n == "api" || n == "operations")
    });
    if hosts.is_empty() && fabric1 {
        if let Some(first) = commands.first() {
            hosts.push(HostDeclaration {
                over_ssh: false,
                host: "$HOST".to_string(),
                line: first.line,
            });
        }
    }
    Some(TaskRunnerFile::one_recipe(
        Tool::Fabric,
        "fabfile",
        commands,
        hosts,
    ))
}

/// Capistrano: `server "host"`, `role :app, %w{host}` and `set :deploy_to`
/// (a Capfile only loads Capistrano: `require "capistrano/…"`). `None`
/// when the file has none of them.
fn capistrano(text: &str) -> Option<TaskRunnerFile> {
    let tokens = tokenize(text, Lang::Ruby);
    let mut hosts = Vec::new();
    let mut loads_capistrano = false;
    let starts_statement = |i: usize| i == 0 || tokens[i - 1].line != tokens[i].line;
    for i in 0..tokens.len() {
        let Some(word) = ident_at(&tokens, i) else {
            continue;
        };
        let line = tokens[i].line;
        match word {
            "server" | "role" if starts_statement(i) => {
                let host = tokens[i + 1..]
                    .iter()
                    .take_while(|t| t.line == line)
                    .find_map(|t| match &t.token {
                        Token::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| "$HOST".to_string());
                hosts.push(HostDeclaration {
                    over_ssh: false,
                    host,
                    line,
                });
            }
            "set"
                if starts_statement(i)
                    && punct_at(&tokens, i + 1, ':')
                    && ident_at(&tokens, i + 2) == Some("deploy_to") =>
            {
                hosts.push(HostDeclaration {
                    over_ssh: false,
                    host: "$DEPLOY_TO".to_string(),
                    line,
                });
            }
            "require" | "load" => {
                loads_capistrano |= string_at(&tokens, i + 1)
                    .or_else(|| string_at(&tokens, i + 2))
                    .is_some_and(|s| s.starts_with("capistrano") || s == "deploy");
            }
            _ => {}
        }
    }
    if hosts.is_empty() && !loads_capistrano {
        return None;
    }
    Some(TaskRunnerFile {
        tool: Tool::Capistrano,
        recipes: Vec::new(),
        hosts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(recipe: &Recipe) -> Vec<(&str, u32)> {
        recipe
            .commands
            .iter()
            .map(|c| (c.name.as_str(), c.line))
            .collect()
    }

    #[test]
    fn makefile_targets_and_lines() {
        let text = "HOST := deploy@app.example.com\n.PHONY: deploy\n\nbuild:\n\tnpm run build\n\ndeploy: build\n\t@rsync -az dist/ $(HOST):/srv/app\n\tssh $(HOST) \"cd /srv/app && \\\n\t  pm2 restart app\"\n# comment\nclean: ; rm -rf dist\n";
        let file = TaskRunnerFile::parse("Makefile", text).expect("makefile");
        let summary: Vec<(&str, u32)> = file
            .recipes
            .iter()
            .map(|r| (r.name.as_str(), r.line))
            .collect();
        assert_eq!(summary, [("build", 4), ("deploy", 7), ("clean", 12)]);
        assert_eq!(names(&file.recipes[1]), [("rsync", 8), ("ssh", 9)]);
        assert_eq!(file.recipes[1].commands[0].args[2], "${HOST}:/srv/app");
        assert_eq!(names(&file.recipes[2]), [("rm", 12)]);
    }

    #[test]
    fn justfile_recipes() {
        let text = "set dotenv-load\nhost := \"deploy@app\"\n\n# Ship it\n[confirm]\ndeploy env='prod': build\n    rsync -az dist/ {{host}}:/srv/app\n    @ssh {{host}} 'systemctl restart app'\n\nbuild:\n  npm run build\n";
        let file = TaskRunnerFile::parse("justfile", text).expect("justfile");
        let summary: Vec<(&str, u32)> = file
            .recipes
            .iter()
            .map(|r| (r.name.as_str(), r.line))
            .collect();
        assert_eq!(summary, [("deploy", 6), ("build", 10)]);
        assert_eq!(names(&file.recipes[0]), [("rsync", 7), ("ssh", 8)]);
    }

    #[test]
    fn envoy_servers_and_tasks() {
        let text = "@servers(['web' => 'deploy@203.0.113.7'])\n\n{{-- @servers(['x' => 'old@host']) --}}\n@task('deploy', ['on' => 'web'])\n    cd {{ $dir }}\n    git pull origin main\n    php artisan migrate --force\n@endtask\n";
        let file = TaskRunnerFile::parse("Envoy.blade.php", text).expect("envoy");
        assert_eq!(
            file.hosts,
            [HostDeclaration {
                over_ssh: false,
                host: "deploy@203.0.113.7".to_string(),
                line: 1
            }]
        );
        assert_eq!(names(&file.recipes[0]), [("cd", 5), ("git", 6), ("php", 7)]);
    }

    #[test]
    fn deployer_fabric_and_capistrano() {
        let deployer = "<?php\nnamespace Deployer;\nrequire 'recipe/laravel.php';\n// host('old.example.com');\nhost('203.0.113.7')\n    ->set('remote_user', 'deploy');\ntask('restart', function () { run('sudo systemctl restart php8.2-fpm'); });\n";
        let file = TaskRunnerFile::parse("deploy.php", deployer).expect("deployer");
        assert_eq!(file.hosts.len(), 1);
        assert_eq!(file.hosts[0].line, 5);
        assert_eq!(names(&file.recipes[0]), [("systemctl", 7)]);
        assert!(
            TaskRunnerFile::parse("public/deploy.php", "<?php shell_exec('git pull');").is_none()
        );

        let fabfile = "from fabric.api import *\nenv.hosts = ['app.example.com']\n\ndef deploy():\n    with cd('/srv/app'):\n        run('git pull')\n    local('npm test')\n    sudo('supervisorctl restart app')\n";
        let file = TaskRunnerFile::parse("fabfile.py", fabfile).expect("fabric");
        assert_eq!(file.hosts[0].line, 2);
        assert_eq!(names(&file.recipes[0]), [("git", 6), ("supervisorctl", 8)]);

        let cap = "lock '~> 3.17'\nset :application, 'shop'\n# server 'old.example.com'\nset :deploy_to, '/var/www/shop'\n";
        let file = TaskRunnerFile::parse("config/deploy.rb", cap).expect("capistrano");
        assert_eq!(file.hosts.len(), 1);
        assert_eq!(file.hosts[0].line, 4);
        let stage = "server 'app.example.com', user: 'deploy', roles: %w{app web}\n";
        let file = TaskRunnerFile::parse("config/deploy/production.rb", stage).expect("stage");
        assert_eq!(file.hosts[0].host, "app.example.com");
    }
}
