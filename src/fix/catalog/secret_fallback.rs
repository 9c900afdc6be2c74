//! hardcoded-fallback-secret: each cited read of the secret loses its
//! literal fallback and fails when the variable is unset, in the language
//! of the file:
//!
//! - JavaScript/TypeScript `process.env.X || "…"` (or `??`) →
//!   `(process.env.X || (() => { throw new Error("X is not set") })())`;
//! - Python `os.environ.get("X", "…")` / `os.getenv("X", "…")` →
//!   `os.environ["X"]` (a KeyError at start-up), `env("X", default="…")`
//!   and `config("X", default="…")` → without the default (django-environ
//!   and python-decouple raise when it is missing);
//!   `os.environ.get("X") or "…"` → `os.environ["X"]` too;
//! - Laravel `env('APP_KEY', '…')` → `env('APP_KEY')` (Laravel refuses an
//!   empty key; other PHP secrets are left alone: nothing fails on null);
//! - Compose `${X:-…}` / `${X-…}` → `${X:?X is not set}`;
//! - an env template line that sets the same value → an empty placeholder.
//!
//! A required variable goes into the app's env example when it has one.
//! Any cited line in another form: no fix for the finding (every read of
//! the secret must fail, or none is worth changing). Unsafe: the app — and
//! a build that loads the module — stops until the variable is set.

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{LineEdits, Text};
use super::{cited_files, env_example};
use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let name = secret_name(&finding.message).ok_or("the finding does not name the variable")?;
    for path in cited_files(finding) {
        let text = b
            .read(path)
            .ok_or_else(|| format!("{path} is not there any more"))?;
        let lines: Vec<u32> = super::relocated(b, finding, path, &text, super::line_anchors);
        let after = fix_text(path, &text, &lines, &name)?;
        b.modify(path, after);
    }
    // The variable is required now: the app's env example lists it (when
    // the app has one), as env-example-drift asks of required variables.
    let dir = finding
        .app
        .as_deref()
        .and_then(|p| repo.apps.iter().find(|a| a.path == p))
        .map(|a| a.dir().to_string())
        .unwrap_or_default();
    let example = env_example::path_for(repo, &dir);
    if b.exists(&example) {
        env_example::add(
            b,
            &example,
            &[(
                name.clone(),
                String::new(),
                "required: the app stops at start-up without it (a long random value)".to_string(),
            )],
        );
    }
    b.manual(format!(
        "Set {name} in every environment that runs the app (a long random value: `openssl rand -hex 32`), and rotate it: the old fallback is public."
    ));
    Ok(())
}

/// The variable a finding's message names first (`` `JWT_SECRET` is read … ``).
fn secret_name(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    let name = &message[start..start + len];
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        .then(|| name.to_string())
}

pub fn fix_text(path: &str, text: &str, cited: &[u32], name: &str) -> Result<String, String> {
    let lines = Text::new(text);
    let mut edits = LineEdits::default();
    let file = path.rsplit('/').next().unwrap_or(path);
    for n in cited {
        let old = lines
            .line(*n)
            .ok_or_else(|| format!("{path}:{n} is not there any more"))?;
        let new = if is_env_template(file) {
            template_line(old, name)
        } else if file.ends_with(".py") {
            python_line(old, name)
        } else if file.ends_with(".php") && name == "APP_KEY" {
            // Laravel refuses to encrypt with an empty key
            // (MissingAppKeyException): without the default it fails closed.
            php_line(old, name)
        } else if file.ends_with(".yml") || file.ends_with(".yaml") {
            compose_line(old, name)
        } else if [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"]
            .iter()
            .any(|e| file.ends_with(e))
        {
            js_line(old, name)
        } else {
            None
        };
        let new = new.ok_or_else(|| {
            format!("{path}:{n} reads {name} in a form this fix does not know: remove the fallback by hand")
        })?;
        edits.replace(*n, vec![new]);
    }
    if edits.is_empty() {
        return Err("the finding cites no line".to_string());
    }
    Ok(edits.apply(text))
}

fn is_env_template(file: &str) -> bool {
    file.starts_with(".env") || file.starts_with("env.") || file.ends_with(".env")
}

fn template_line(line: &str, name: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    (key.trim().trim_start_matches("export ").trim() == name).then(|| format!("{key}="))
}

/// The end of the string literal starting at `at` (its closing quote + 1).
fn literal_end(s: &str, at: usize) -> Option<usize> {
    let quote = s[at..].chars().next()?;
    if !matches!(quote, '"' | '\'' | '`') {
        return None;
    }
    let mut escaped = false;
    for (i, c) in s[at + 1..].char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return Some(at + 1 + i + 1);
        } else if quote == '`' && c == '$' {
            // A template with expansions is not a plain literal.
            return None;
        }
    }
    None
}

fn js_line(line: &str, name: &str) -> Option<String> {
    for read in [
        format!("process.env.{name}"),
        format!("process.env[\"{name}\"]"),
        format!("process.env['{name}']"),
    ] {
        let Some(at) = line.find(&read) else { continue };
        let after = &line[at + read.len()..];
        let trimmed = after.trim_start();
        let op = ["||", "??"].into_iter().find(|o| trimmed.starts_with(o))?;
        let lit_from = at + read.len() + (after.len() - trimmed.len()) + op.len();
        let lit_at = lit_from + (line[lit_from..].len() - line[lit_from..].trim_start().len());
        let end = literal_end(line, lit_at)?;
        let q = if line.contains('\'') && !line.contains('"') {
            '\''
        } else {
            '"'
        };
        let replacement =
            format!("({read} || (() => {{ throw new Error({q}{name} is not set{q}); }})())");
        let mut out = line.to_string();
        out.replace_range(at..end, &replacement);
        return Some(out);
    }
    None
}

fn python_line(line: &str, name: &str) -> Option<String> {
    // `os.environ.get("X") or "…"`, `os.getenv("X") or "…"`.
    for q in ['"', '\''] {
        for read in [
            format!("os.environ.get({q}{name}{q})"),
            format!("os.getenv({q}{name}{q})"),
        ] {
            let Some(at) = line.find(&read) else { continue };
            let after = &line[at + read.len()..];
            let Some(rest) = after.trim_start().strip_prefix("or ") else {
                continue;
            };
            let lit_at = line.len() - rest.trim_start().len();
            let end = literal_end(line, lit_at)?;
            let mut out = line.to_string();
            out.replace_range(at..end, &format!("os.environ[{q}{name}{q}]"));
            return Some(out);
        }
    }
    for call in [
        "os.environ.get(",
        "os.getenv(",
        "env.str(",
        "env(",
        "config(",
    ] {
        let mut from = 0;
        while let Some(i) = line[from..].find(call) {
            let at = from + i;
            from = at + call.len();
            // `env(` must not match the end of `getenv(` or `os.env(`.
            if line[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                continue;
            }
            let args_at = at + call.len();
            let (args, close) = call_args(line, args_at)?;
            let first = args.first()?;
            let quote = first.chars().next()?;
            if !matches!(quote, '"' | '\'') || first.trim_matches(quote) != name {
                continue;
            }
            let is_literal = |a: &str| literal_end(a, 0) == Some(a.len());
            let replacement = if call.starts_with("os.") {
                // `os.environ.get("X", "…")`: exactly the name and a literal.
                if args.len() != 2 || !is_literal(&args[1]) {
                    return None;
                }
                format!("os.environ[{quote}{name}{quote}]")
            } else {
                let mut kept = vec![first.clone()];
                let mut dropped = false;
                for (k, arg) in args.iter().enumerate().skip(1) {
                    let default = arg
                        .strip_prefix("default")
                        .map(|v| v.trim_start())
                        .and_then(|v| v.strip_prefix('='))
                        .map(str::trim);
                    match default {
                        Some(v) if is_literal(v) => dropped = true,
                        None if k == 1 && is_literal(arg) => dropped = true,
                        _ => kept.push(arg.clone()),
                    }
                }
                if !dropped {
                    return None;
                }
                format!("{call}{})", kept.join(", "))
            };
            let mut out = line.to_string();
            out.replace_range(at..close, &replacement);
            return Some(out);
        }
    }
    None
}

/// The arguments of a call whose `(` ends just before `from`, trimmed, and
/// the offset after its `)`.
fn call_args(line: &str, from: usize) -> Option<(Vec<String>, usize)> {
    let mut args = Vec::new();
    let mut depth = 0;
    let mut start = from;
    let mut i = from;
    let bytes = line.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => i = literal_end(line, i)? - 1,
            b'(' | b'[' | b'{' => depth += 1,
            b')' if depth == 0 => {
                let last = line[start..i].trim();
                if !last.is_empty() {
                    args.push(last.to_string());
                }
                return Some((args, i + 1));
            }
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                args.push(line[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Laravel `env('APP_KEY', '…')` → `env('APP_KEY')`.
fn php_line(line: &str, name: &str) -> Option<String> {
    let at = line.find("env(")?;
    let args_at = at + "env(".len();
    let (args, close) = call_args(line, args_at)?;
    let first = args.first()?;
    if args.len() != 2 || first.trim_matches(['"', '\'']) != name {
        return None;
    }
    literal_end(&args[1], 0).filter(|e| *e == args[1].len())?;
    let mut out = line.to_string();
    out.replace_range(at..close, &format!("env({first})"));
    Some(out)
}

fn compose_line(line: &str, name: &str) -> Option<String> {
    let open = format!("${{{name}");
    let at = line.find(&open)?;
    let after = &line[at + open.len()..];
    if !(after.starts_with(":-") || after.starts_with('-')) {
        return None;
    }
    let close = at + open.len() + after.find('}')? + 1;
    let mut out = line.to_string();
    out.replace_range(at..close, &format!("${{{name}:?{name} is not set}}"));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_fails_without_the_variable() {
        assert_eq!(
            js_line("const secret = process.env.JWT_SECRET || \"dev-secret\";", "JWT_SECRET").as_deref(),
            Some("const secret = (process.env.JWT_SECRET || (() => { throw new Error(\"JWT_SECRET is not set\"); })());")
        );
        assert_eq!(
            js_line("  secret: process.env.SESSION_SECRET ?? 'keyboard cat',", "SESSION_SECRET").as_deref(),
            Some("  secret: (process.env.SESSION_SECRET || (() => { throw new Error('SESSION_SECRET is not set'); })()),")
        );
        assert_eq!(
            python_line(
                "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", \"dev-only\")",
                "DJANGO_SECRET_KEY"
            )
            .as_deref(),
            Some("SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]")
        );
        assert_eq!(
            python_line(
                "SECRET_KEY = env(\"SECRET_KEY\", default=\"x\")",
                "SECRET_KEY"
            )
            .as_deref(),
            Some("SECRET_KEY = env(\"SECRET_KEY\")")
        );
        assert_eq!(
            python_line("KEY = config('APP_KEY', default='x', cast=str)", "APP_KEY").as_deref(),
            Some("KEY = config('APP_KEY', cast=str)")
        );
        assert_eq!(
            compose_line(
                "      SECRET_KEY: ${SECRET_KEY:-changeme} # dev",
                "SECRET_KEY"
            )
            .as_deref(),
            Some("      SECRET_KEY: ${SECRET_KEY:?SECRET_KEY is not set} # dev")
        );
        assert_eq!(
            template_line("SECRET_KEY=changeme", "SECRET_KEY").as_deref(),
            Some("SECRET_KEY=")
        );
        assert_eq!(js_line("const s = process.env.X || fallback();", "X"), None);
        assert_eq!(
            python_line(
                "    SECRET_KEY = os.environ.get('SECRET_KEY') or 'hard to guess string'",
                "SECRET_KEY"
            )
            .as_deref(),
            Some("    SECRET_KEY = os.environ['SECRET_KEY']")
        );
        assert_eq!(
            php_line(
                "    'key' => env('APP_KEY', 'SomeRandomString'),",
                "APP_KEY"
            )
            .as_deref(),
            Some("    'key' => env('APP_KEY'),")
        );
        assert_eq!(
            secret_name("`JWT_SECRET` is read from the environment"),
            Some("JWT_SECRET".to_string())
        );
    }
}
