//! compose-literal-password: each password the finding cites is taken from
//! the deployment's environment with a required interpolation
//! (`${POSTGRES_PASSWORD:?}`: Compose refuses to start while it is unset),
//! and the variable is listed, empty, in the env example beside the file.
//!
//! One variable per password: a URL that carries the same literal as a
//! `*_PASSWORD` entry (the app's `DATABASE_URL` and the database's
//! `POSTGRES_PASSWORD`) uses that entry's variable, so they stay equal.

use crate::facts::compose::{resolve_unset, ComposeFile};
use crate::finding::Finding;
use crate::rules::containerization::compose_literal_password::is_password_key;
use crate::rules::RepoContext;

use super::lines::{strip_comment, LineEdits, Text};
use super::{cited_text, compose_anchors, env_example, relocated};
use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "compose file")?;
    let (after, vars) = fix_text(&text, &relocated(b, finding, &path, &text, compose_anchors))?;
    b.modify(&path, after);
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let example = env_example::path_for(repo, dir);
    let entries: Vec<(String, String, String)> = vars
        .iter()
        .map(|v| {
            (
                v.clone(),
                String::new(),
                format!("required by {path}: a long random value (openssl rand -hex 32); keep the real one out of git"),
            )
        })
        .collect();
    env_example::add(b, &example, &entries);
    b.manual(format!(
        "Set {} in the deployment's environment or in an uncommitted `.env` beside {path} (Compose reads it); `docker compose` refuses to start until they are set.",
        vars.join(", ")
    ));
    b.manual("Rotate the passwords that were committed: they stay in the repository's history. A database initialised with the old password keeps it until you change it inside the database (ALTER USER … PASSWORD …).");
    Ok(())
}

/// The compose text with the cited passwords interpolated, and the
/// variables it now requires.
pub fn fix_text(text: &str, cited: &[u32]) -> Result<(String, Vec<String>), String> {
    let compose = ComposeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let mut edits = LineEdits::default();
    // literal → variable, so one password keeps one name.
    let mut by_value: Vec<(String, String)> = Vec::new();
    let mut vars: Vec<String> = Vec::new();
    let mut entries: Vec<(&str, &crate::facts::compose::EnvEntry)> = compose
        .services
        .iter()
        .flat_map(|s| {
            s.details
                .environment
                .iter()
                .map(move |e| (s.name.as_str(), e))
        })
        .filter(|(_, e)| cited.contains(&e.line))
        .collect();
    // Password entries first: URLs reuse their names.
    entries.sort_by_key(|(_, e)| (!is_password_key(&e.key), e.line));
    for (service, entry) in entries {
        let Some(value) = entry.value.as_deref() else {
            continue;
        };
        let line = lines.line(entry.line).unwrap_or_default();
        let code = strip_comment(line);
        let comment = &line[code.len()..];
        let (old, new, var) = if value.contains('$') {
            // `${NAME:-default}`: the default goes, the variable stays.
            let (unset, interpolations) = resolve_unset(value);
            // The variable whose default is the password (the rule's
            // choice): `${POSTGRES_PASSWORD:-password}` inside a URL's
            // default, not the URL's own variable.
            let password = unset.as_deref().and_then(|u| {
                if is_password_key(&entry.key) {
                    Some(u.trim())
                } else {
                    url_password(u)
                }
            });
            let Some(i) = interpolations
                .iter()
                .find(|i| password.is_some() && i.default.as_deref().map(str::trim) == password)
                .or_else(|| {
                    interpolations
                        .iter()
                        .rev()
                        .find(|i| i.default.as_deref().is_some_and(|d| !d.trim().is_empty()))
                })
            else {
                continue;
            };
            let default = i.default.as_deref().unwrap_or_default();
            let written = [
                format!("${{{}:-{default}}}", i.name),
                format!("${{{}-{default}}}", i.name),
            ]
            .into_iter()
            .find(|w| code.contains(w.as_str()))
            .ok_or_else(|| {
                format!(
                    "line {}: the default of `{}` is written in a form seaworthy does not rewrite",
                    entry.line, i.name
                )
            })?;
            (written, format!("${{{}:?}}", i.name), i.name.clone())
        } else if is_password_key(&entry.key) {
            let var = match by_value.iter().find(|(v, _)| v == value) {
                Some((_, name)) => name.clone(),
                None if vars.contains(&entry.key) => {
                    format!("{}_{}", env_name(service), entry.key)
                }
                None => entry.key.clone(),
            };
            by_value.push((value.to_string(), var.clone()));
            (value.to_string(), format!("${{{var}:?}}"), var)
        } else {
            // A URL: only its password is replaced.
            let password = url_password(value).ok_or_else(|| {
                format!(
                    "line {}: no literal password found in `{}`",
                    entry.line, entry.key
                )
            })?;
            let var = match by_value.iter().find(|(v, _)| v == password) {
                Some((_, name)) => name.clone(),
                None => {
                    let stem = entry
                        .key
                        .trim_end_matches("_URL")
                        .trim_end_matches("_URI")
                        .trim_end_matches("_DSN");
                    format!("{stem}_PASSWORD")
                }
            };
            by_value.push((password.to_string(), var.clone()));
            (format!(":{password}@"), format!(":${{{var}:?}}@"), var)
        };
        let Some(at) = code.rfind(old.as_str()) else {
            return Err(format!(
                "line {}: the value of `{}` is written in a form seaworthy does not rewrite (escapes or line folding)",
                entry.line, entry.key
            ));
        };
        let replaced = format!("{}{new}{}{comment}", &code[..at], &code[at + old.len()..]);
        edits.replace(entry.line, vec![replaced]);
        if !vars.contains(&var) {
            vars.push(var);
        }
    }
    if edits.is_empty() {
        return Err("the cited passwords are not in the file any more".to_string());
    }
    Ok((edits.apply(text), vars))
}

fn env_name(service: &str) -> String {
    service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The literal password of `scheme://user:password@host…`.
fn url_password(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty() && !password.contains('$')).then_some(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_defaults_and_urls_share_one_variable_per_password() {
        let text = "services:\n  app:\n    build: .\n    environment:\n      - DATABASE_URL=postgres://app:s3cret@db:5432/app\n      - REDIS_PASSWORD=${REDIS_PASSWORD:-changeme} # cache\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: \"s3cret\"\n";
        let (out, vars) = fix_text(text, &[5, 6, 11]).expect("fixed");
        assert_eq!(
            out,
            "services:\n  app:\n    build: .\n    environment:\n      - DATABASE_URL=postgres://app:${POSTGRES_PASSWORD:?}@db:5432/app\n      - REDIS_PASSWORD=${REDIS_PASSWORD:?} # cache\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: \"${POSTGRES_PASSWORD:?}\"\n"
        );
        assert_eq!(vars, ["REDIS_PASSWORD", "POSTGRES_PASSWORD"]);
    }

    #[test]
    fn a_password_defaulted_inside_a_url_default_loses_its_default() {
        let text = "services:\n  web:\n    image: ghcr.io/acme/web:latest\n    environment:\n      DATABASE_URL: ${DATABASE_URL:-postgresql://${POSTGRES_USER:-postgres}:${POSTGRES_PASSWORD:-password}@db:5432/app}\n";
        let (out, vars) = fix_text(text, &[5]).expect("fixed");
        assert!(out.contains("DATABASE_URL: ${DATABASE_URL:-postgresql://${POSTGRES_USER:-postgres}:${POSTGRES_PASSWORD:?}@db:5432/app}\n"), "{out}");
        assert_eq!(vars, ["POSTGRES_PASSWORD"]);
    }

    #[test]
    fn two_different_passwords_under_one_name_get_two_variables() {
        let text = "services:\n  a:\n    image: mysql:8\n    environment:\n      MYSQL_PASSWORD: one\n  b:\n    image: mysql:8\n    environment:\n      MYSQL_PASSWORD: two\n";
        let (out, vars) = fix_text(text, &[5, 9]).expect("fixed");
        assert!(
            out.contains("MYSQL_PASSWORD: ${MYSQL_PASSWORD:?}\n"),
            "{out}"
        );
        assert!(
            out.contains("MYSQL_PASSWORD: ${B_MYSQL_PASSWORD:?}\n"),
            "{out}"
        );
        assert_eq!(vars, ["MYSQL_PASSWORD", "B_MYSQL_PASSWORD"]);
    }
}
