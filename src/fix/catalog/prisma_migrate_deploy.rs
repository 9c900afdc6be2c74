//! prisma-migrate-dev-in-production: the production step runs
//! `prisma migrate deploy`, which applies the committed migrations and
//! nothing else, in place of `prisma migrate dev`, `prisma migrate reset`
//! or `prisma db push` (their flags go with them; `--schema` stays).
//!
//! Only on the line that spells the command: a package.json script, a
//! Dockerfile `RUN`/`CMD`, a platform file's command, a deploy script. When
//! the command sits in a script another one runs (`"build": "npm run
//! db:migrate && next build"`), that script is also what developers run,
//! and the fix leaves it to a person. A project with no migrations folder
//! (it uses `db push`) has nothing for `migrate deploy` to apply: it needs a
//! baseline migration first, and the fix says so instead.
//!
//! Unsafe: schema changes not yet captured in a migration file are no
//! longer applied by the deploy.

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::cited_files;
use super::lines::{LineEdits, Text};
use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let app_dir = finding
        .app
        .as_deref()
        .and_then(|p| repo.apps.iter().find(|a| a.path == p))
        .map(|a| a.dir().to_string())
        .unwrap_or_default();
    let has_migrations = repo.index.files.iter().any(|f| {
        f.rel.ends_with("migrations/migration_lock.toml")
            && (app_dir.is_empty() || f.rel.starts_with(&format!("{app_dir}/")))
    });
    if !has_migrations {
        return Err("the project has no Prisma migrations folder (it uses `db push`), so `prisma migrate deploy` would apply nothing: create a baseline first (`prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script > prisma/migrations/0_init/migration.sql`, then `prisma migrate resolve --applied 0_init` against production), then deploy with `prisma migrate deploy`".to_string());
    }
    let files: Vec<String> = cited_files(finding).iter().map(|p| p.to_string()).collect();
    // The line that spells the command: the last one cited.
    let (path, line) = finding
        .locations
        .last()
        .map(|l| (l.path.clone(), l.line))
        .ok_or("the finding cites no line")?;
    let same_file_steps = finding.locations.iter().filter(|l| l.path == path).count();
    if files.len() == 1 && same_file_steps > 1 && path.ends_with("package.json") {
        return Err(format!(
            "the command is in a script that the production script runs ({path}:{line}); developers run that script too: call `prisma migrate deploy` from the production script instead, by hand"
        ));
    }
    let text = b
        .read(&path)
        .ok_or_else(|| format!("{path} is not there any more"))?;
    let line = super::relocated(b, finding, &path, &text, super::line_anchors)
        .last()
        .copied()
        .unwrap_or(line);
    let after = fix_text(&text, line)?;
    b.modify(&path, after);
    b.manual("Create migrations in development with `prisma migrate dev` and commit prisma/migrations: the deploy applies only what is there.");
    Ok(())
}

pub fn fix_text(text: &str, line: u32) -> Result<String, String> {
    let lines = Text::new(text);
    let old = lines
        .line(line)
        .ok_or("the cited line is not there any more")?;
    let new = rewrite_line(old).ok_or_else(|| {
        format!("line {line} does not spell `prisma migrate dev`, `migrate reset` or `db push` any more")
    })?;
    let mut edits = LineEdits::default();
    edits.replace(line, vec![new]);
    Ok(edits.apply(text))
}

fn is_token_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '"' | '\'' | '&' | ';' | '|' | ')' | '\\' | ']' | ',')
}

/// The line with each development-only Prisma command replaced.
pub fn rewrite_line(line: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = line;
    let mut changed = false;
    while let Some(at) = rest.find("prisma") {
        let before_ok = at == 0
            || rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_ascii_alphanumeric() && c != '@' && c != '-');
        let after = &rest[at + "prisma".len()..];
        let tokens = tokens(after);
        let words: Vec<&str> = tokens.iter().map(|(w, _, _)| *w).collect();
        let sub = match words.as_slice() {
            ["migrate", "dev" | "reset", ..] | ["db", "push", ..] => 2,
            _ => 0,
        };
        if !before_ok || sub == 0 {
            out.push_str(&rest[..at + "prisma".len()]);
            rest = after;
            continue;
        }
        // The flags after the subcommand; `--schema` is kept.
        let mut end = tokens[sub - 1].2;
        let mut kept = Vec::new();
        let mut i = sub;
        while i < tokens.len() && tokens[i].0.starts_with('-') {
            let flag = tokens[i].0;
            let takes_value = matches!(flag, "--schema" | "--name" | "-n");
            if flag == "--schema" || flag.starts_with("--schema=") {
                kept.push(flag.to_string());
                if takes_value {
                    if let Some(v) = tokens.get(i + 1) {
                        kept.push(v.0.to_string());
                    }
                }
            }
            end = tokens[i].2;
            if takes_value && i + 1 < tokens.len() {
                end = tokens[i + 1].2;
                i += 1;
            }
            i += 1;
        }
        out.push_str(&rest[..at]);
        out.push_str("prisma migrate deploy");
        for k in kept {
            out.push(' ');
            out.push_str(&k);
        }
        rest = &after[end..];
        changed = true;
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The words of a command line after `prisma`: (word, start, end), up to
/// the first operator or quote.
fn tokens(text: &str) -> Vec<(&str, usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_token_char(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push((&text[s..i], s, i));
        }
        if !c.is_whitespace() {
            return out;
        }
    }
    if let Some(s) = start {
        out.push((&text[s..], s, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_become_migrate_deploy() {
        assert_eq!(
            rewrite_line("    \"build\": \"prisma migrate dev --name init && next build\",")
                .as_deref(),
            Some("    \"build\": \"prisma migrate deploy && next build\",")
        );
        assert_eq!(
            rewrite_line("RUN npx prisma db push --accept-data-loss --schema ./db/schema.prisma")
                .as_deref(),
            Some("RUN npx prisma migrate deploy --schema ./db/schema.prisma")
        );
        assert_eq!(
            rewrite_line("release: npx prisma migrate reset --force; node server.js").as_deref(),
            Some("release: npx prisma migrate deploy; node server.js")
        );
        assert_eq!(
            rewrite_line("CMD [\"npx\", \"prisma\", \"db\", \"push\"]"),
            None,
            "exec form words are separate strings: by hand"
        );
        assert_eq!(rewrite_line("prisma migrate deploy && next start"), None);
        assert_eq!(rewrite_line("\"x\": \"noprisma db push\""), None);
    }
}
