//! Shell commands a JavaScript/TypeScript or Python program runs through a
//! process API: `execSync("rsync -avz ./dist deploy@host:/srv/app")`,
//! `spawn("ssh", ["host", "pm2 restart app"])`, zx's `` $`scp …` ``,
//! `subprocess.run(["ssh", host, "systemctl restart app"])`,
//! `os.system("rsync … %s:%s" % (host, path))`.
//!
//! A deployment written as a Node or Python script holds the same commands
//! a `deploy.sh` would, only inside string literals; reading them as shell
//! lets the rules that judge scripts judge these too. Only literal text is
//! known: an interpolated or concatenated value (`${ip}`, `+ host`, a
//! variable in an argument list) becomes the placeholder `${ARG}`, so that
//! `devops@${ip}:/srv` still reads as `user@host:path`.

use super::code::{Lang, Spanned, Token};
use super::shell::{ShellCommand, ShellScript};

/// JavaScript calls whose first argument is a shell command line
/// (`child_process.exec`/`execSync`, shelljs `exec`, execa's
/// `execaCommand`) or a program followed by its argument array
/// (`spawn`, `spawnSync`, `execFile`, `execFileSync`, `execa`).
const JS_SHELL_CALLS: &[&str] = &["exec", "execSync", "execaCommand", "execaCommandSync"];
const JS_ARGV_CALLS: &[&str] = &[
    "spawn",
    "spawnSync",
    "execFile",
    "execFileSync",
    "execa",
    "execaSync",
];

/// Python calls that run a command line or an argument list: `subprocess`
/// (`run`, `call`, `check_call`, `check_output`, `Popen`), `os.system`,
/// `os.popen`, `subprocess.getoutput`, and Invoke's `c.run`.
const PY_CALLS: &[&str] = &[
    "run",
    "call",
    "check_call",
    "check_output",
    "Popen",
    "system",
    "popen",
    "getoutput",
    "getstatusoutput",
];

/// What stands for a value the source computes.
const PLACEHOLDER: &str = "${ARG}";

/// The shell commands of every process call in `tokens`, each on the line
/// of its call (a multi-line template keeps its own line offsets).
pub fn commands(tokens: &[Spanned], lang: Lang) -> Vec<ShellCommand> {
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let Some(line) = call_line(tokens, i, lang) else {
            continue;
        };
        let Some(text) = command_text(tokens, i, lang) else {
            continue;
        };
        let Ok(script) = ShellScript::parse(&text) else {
            continue;
        };
        out.extend(script.commands.into_iter().map(|mut c| {
            c.line = c.line.saturating_sub(1) + line;
            if let Some((_, l)) = &mut c.heredoc {
                *l = l.saturating_sub(1) + line;
            }
            c
        }));
    }
    out
}

/// The line of a process call starting at token `i` (its name, or zx's
/// `$` tag), if there is one.
fn call_line(tokens: &[Spanned], i: usize, lang: Lang) -> Option<u32> {
    let Token::Ident(name) = &tokens.get(i)?.token else {
        return None;
    };
    let next = tokens.get(i + 1).map(|t| &t.token);
    let is_call = matches!(next, Some(Token::Punct('(')));
    let known = match lang {
        Lang::Js => {
            // zx: `` $`cmd` ``, a tagged template.
            (name == "$" && matches!(next, Some(Token::Str(_))))
                || (is_call
                    && (JS_SHELL_CALLS.contains(&name.as_str())
                        || JS_ARGV_CALLS.contains(&name.as_str())))
        }
        Lang::Python => is_call && PY_CALLS.contains(&name.as_str()),
        _ => false,
    };
    known.then(|| tokens[i].line)
}

/// The command line a call at token `i` runs, as shell text.
fn command_text(tokens: &[Spanned], i: usize, lang: Lang) -> Option<String> {
    if let (Some(Token::Ident(tag)), Some(Token::Str(s))) = (
        tokens.get(i).map(|t| &t.token),
        tokens.get(i + 1).map(|t| &t.token),
    ) {
        if tag == "$" {
            return Some(shell_text(s));
        }
    }
    let args = call_arguments(tokens, i + 1)?;
    let first = args.first()?;
    // `app.run(host="0.0.0.0")`: a keyword argument, not a command.
    if matches!(
        (
            first.first().map(|t| &t.token),
            first.get(1).map(|t| &t.token)
        ),
        (Some(Token::Ident(_)), Some(Token::Punct('=')))
    ) {
        return None;
    }
    match first.first().map(|t| &t.token) {
        // An argument list: `["ssh", host, "pm2 restart app"]`.
        Some(Token::Punct('[')) => {
            let words = list_words(first)?;
            Some(quote_words(&words))
        }
        _ => {
            let program = expression_text(first)?;
            let argv_call = lang == Lang::Js
                && matches!(&tokens[i].token, Token::Ident(n) if JS_ARGV_CALLS.contains(&n.as_str()));
            // `spawn("rsync", ["-avz", …])`: the program, then its arguments.
            if argv_call {
                let mut words = vec![program];
                if let Some(list) = args
                    .get(1)
                    .filter(|a| matches!(a.first().map(|t| &t.token), Some(Token::Punct('['))))
                {
                    words.extend(list_words(list)?);
                }
                return Some(quote_words(&words));
            }
            Some(shell_text(&program))
        }
    }
}

/// The arguments of the call whose `(` is token `open`, each as its
/// tokens, split on top-level commas (bounded, so a runaway file costs
/// little).
fn call_arguments(tokens: &[Spanned], open: usize) -> Option<Vec<&[Spanned]>> {
    if !matches!(tokens.get(open).map(|t| &t.token), Some(Token::Punct('('))) {
        return None;
    }
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    for (j, t) in tokens.iter().enumerate().skip(open + 1).take(4096) {
        match t.token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') if depth > 0 => depth -= 1,
            Token::Punct(')') => {
                args.push(&tokens[start..j]);
                return Some(args);
            }
            Token::Punct(',') if depth == 0 => {
                args.push(&tokens[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    None
}

/// The text of an expression made of string literals joined by `+` (or
/// Python's `%`/`.format`): literals kept, everything else one
/// placeholder per run. `None` when it holds no literal at all (a
/// variable: nothing is known of the command).
fn expression_text(expr: &[Spanned]) -> Option<String> {
    let mut out = String::new();
    let mut literal = false;
    let mut in_value = false;
    for t in expr {
        match &t.token {
            Token::Str(s) => {
                out.push_str(s);
                literal = true;
                in_value = false;
            }
            Token::Punct('+') => in_value = false,
            // `"rsync %s %s:%s" % (a, b, c)`: the tuple fills the `%s`.
            Token::Punct('%') if literal => break,
            _ => {
                if !in_value {
                    out.push_str(PLACEHOLDER);
                    in_value = true;
                }
            }
        }
    }
    literal.then_some(out)
}

/// The words of a list literal `[ … ]`: literals as written, any other
/// element (a variable, a call, a spread) a placeholder.
fn list_words(list: &[Spanned]) -> Option<Vec<String>> {
    let inner = list.get(1..list.len().checked_sub(1)?)?;
    if !matches!(list.last().map(|t| &t.token), Some(Token::Punct(']'))) {
        return None;
    }
    let mut words = Vec::new();
    let mut depth = 0usize;
    let mut element: Vec<&Spanned> = Vec::new();
    let flush = |element: &mut Vec<&Spanned>, words: &mut Vec<String>| {
        if element.is_empty() {
            return;
        }
        let word = match element.as_slice() {
            [one] => match &one.token {
                Token::Str(s) => s.clone(),
                _ => PLACEHOLDER.to_string(),
            },
            many => {
                let owned: Vec<Spanned> = many.iter().map(|t| (*t).clone()).collect();
                expression_text(&owned).unwrap_or_else(|| PLACEHOLDER.to_string())
            }
        };
        words.push(word);
        element.clear();
    };
    for t in inner {
        match t.token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
            Token::Punct(',') if depth == 0 => {
                flush(&mut element, &mut words);
                continue;
            }
            _ => {}
        }
        element.push(t);
    }
    flush(&mut element, &mut words);
    Some(words)
}

/// A command line's text with the template placeholders (`${}`, as the
/// tokenizer keeps them) made a plain variable the shell parser reads.
fn shell_text(s: &str) -> String {
    s.replace("${}", PLACEHOLDER)
}

/// Words joined into one shell command line, each single-quoted, so that
/// `"cd /srv/app && pm2 restart app"` stays one argument of `ssh`.
fn quote_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", shell_text(w).replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::tokenize;

    fn cmds(src: &str, lang: Lang) -> Vec<(String, Vec<String>, u32)> {
        commands(&tokenize(src, lang), lang)
            .into_iter()
            .map(|c| (c.name, c.args, c.line))
            .collect()
    }

    #[test]
    fn exec_sync_template_reads_the_host_path() {
        let got = cmds(
            "const { ip } = await get()\n\
             execSync(`rsync -v --recursive ./ devops@${ip}:/home/devops/app.new`, { stdio: 'inherit' })\n",
            Lang::Js,
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "rsync");
        assert!(got[0]
            .1
            .iter()
            .any(|a| a == "devops@${ARG}:/home/devops/app.new"));
        assert_eq!(got[0].2, 2);
    }

    #[test]
    fn spawn_with_argument_array_keeps_the_remote_command_one_word() {
        let got = cmds(
            "spawn('ssh', ['-i', key, 'deploy@example.com', 'cd /srv/app && pm2 restart app'])",
            Lang::Js,
        );
        assert_eq!(got[0].0, "ssh");
        assert_eq!(
            got[0].1,
            vec![
                "-i",
                "${ARG}",
                "deploy@example.com",
                "cd /srv/app && pm2 restart app"
            ]
        );
    }

    #[test]
    fn python_list_and_percent_formatting() {
        let got = cmds(
            "subprocess.run([\"ssh\", host, \"systemctl restart app\"], check=True)\n\
             os.system(\"rsync -avz %s %s:%s\" % (d, ip, path))\n",
            Lang::Python,
        );
        assert_eq!(got[0].0, "ssh");
        assert_eq!(got[0].1, vec!["${ARG}", "systemctl restart app"]);
        assert_eq!(got[1].0, "rsync");
        assert_eq!(got[1].1, vec!["-avz", "%s", "%s:%s"]);
        assert_eq!(got[1].2, 2);
    }

    #[test]
    fn concatenation_and_zx_templates() {
        let got = cmds(
            "exec('scp -r dist ' + user + '@' + host + ':/var/www')\nawait $`ssh ${host} pm2 reload all`\n",
            Lang::Js,
        );
        assert_eq!(got[0].0, "scp");
        assert_eq!(got[0].1, vec!["-r", "dist", "${ARG}@${ARG}:/var/www"]);
        assert_eq!(got[1].0, "ssh");
        assert_eq!(got[1].2, 2);
    }

    #[test]
    fn calls_without_a_literal_command_and_other_calls_give_nothing() {
        assert!(cmds(
            "exec(command)\nregex.test(s)\nconsole.log('ssh host')",
            Lang::Js
        )
        .is_empty());
        assert!(cmds("print('rsync a b:c')", Lang::Python).is_empty());
    }
}
