//! backup-without-retention: the backup script deletes its own dumps older
//! than `BACKUP_RETENTION_DAYS` (14 unless the job sets it), right after the
//! dump and in the same block (inside `if pg_dump …; then` it runs only when
//! the dump succeeded):
//!
//! `find "$BACKUP_DIR" -maxdepth 1 -type f -name 'shop-*.dump' -mtime +"${BACKUP_RETENTION_DAYS:-14}" -delete`
//!
//! The folder and the name pattern come from the dump's own output path
//! (its date expansions become `*`), so only files this script wrote
//! match. The script must stop when the dump fails (`set -e`, and
//! `pipefail` when the dump is piped): otherwise a failing dump would still
//! prune the good ones; seaworthy refuses and names the fix that adds it.
//! Unsafe: it deletes files.

use crate::facts::shell::ShellScript;
use crate::finding::Finding;
use crate::rules::database::backup_without_retention::{outputs, temporary, timestamped};
use crate::rules::RepoContext;

use super::lines::{indent, strip_comment, LineEdits, Text};
use super::{cited_line_now, cited_text};
use crate::fix::Builder;

/// Where a dump goes: its folder (as the script spells it) and a glob of
/// the names it writes there.
#[derive(Debug, PartialEq, Eq)]
pub struct DumpTarget {
    pub dir: String,
    pub pattern: String,
    /// The dump program (`pg_dump`, `mysqldump`, …).
    pub tool: String,
    /// `pg_dump -Fc`/`--format=custom`: `pg_restore` reads it.
    pub custom_format: bool,
    /// The output is gzip-compressed (`| gzip >`, `.gz`).
    pub gzip: bool,
    /// Whether the dump is piped into another program.
    pub piped: bool,
}

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "backup script")?;
    let line = cited_line_now(b, finding, &path, &text)?;
    let after = fix_text(&text, line)?;
    b.modify(&path, after);
    b.manual("Dumps older than BACKUP_RETENTION_DAYS (default 14) are now deleted after each successful dump: set the variable in the job to keep more, and keep long-term copies in object storage with a lifecycle rule.");
    Ok(())
}

pub fn fix_text(text: &str, dump_line: u32) -> Result<String, String> {
    let target = dump_target(text, dump_line, true)?;
    let stops_on_error = text.lines().any(|l| {
        let t = l.trim();
        (t.starts_with("set -") && t.split_whitespace().nth(1).is_some_and(|f| f.contains('e')))
            || t.starts_with("set -o errexit")
            || (t.starts_with("#!")
                && t.split_whitespace()
                    .any(|w| w.starts_with('-') && w.contains('e')))
    });
    if !stops_on_error || (target.piped && !text.contains("pipefail")) {
        return Err("the script goes on after a failed dump, so pruning could delete the last good backups: run `seaworthy fix --unsafe --rule backup-script-without-pipefail` first".to_string());
    }
    let lines = Text::new(text);
    // Right after the dump, in its block: it runs only where the dump ran
    // (inside `if pg_dump …; then`, a case branch, a function) and, with
    // `set -e`, only once it succeeded.
    let mut end = dump_line;
    while lines
        .line(end)
        .is_some_and(|l| strip_comment(l).trim_end().ends_with('\\'))
    {
        end += 1;
    }
    let last = lines
        .line(end)
        .ok_or("the dump is not in the script any more")?;
    let tail = strip_comment(last).trim_end();
    if tail.contains(";;")
        || tail.ends_with("&&")
        || tail.ends_with("||")
        || tail.ends_with('|')
        || tail.ends_with(';')
    {
        return Err(
            "the dump shares its line with the commands around it: add the pruning by hand"
                .to_string(),
        );
    }
    let base = indent(lines.line(dump_line).unwrap_or_default());
    let opens = tail.ends_with("then") || tail.ends_with("do") || tail.ends_with('{');
    let pad = if opens {
        lines
            .child_indent(end)
            .filter(|i| *i > base)
            .unwrap_or(base + 2)
    } else {
        base
    };
    let pad = " ".repeat(pad);
    let prune = vec![
        format!("{pad}# Keep BACKUP_RETENTION_DAYS days of dumps (added by seaworthy fix)."),
        format!(
            "{pad}find \"{}\" -maxdepth 1 -type f -name '{}' -mtime +\"${{BACKUP_RETENTION_DAYS:-14}}\" -delete",
            target.dir, target.pattern
        ),
    ];
    let mut edits = LineEdits::default();
    edits.insert_after(end, prune);
    Ok(edits.apply(text))
}

/// Where the dump on `dump_line` writes (`dated`: a name that changes each
/// run, the one retention prunes), with variables that hold the whole
/// path resolved (`> "$FILE"` with `FILE="$DIR/db-$(date +%F).sql"`).
pub fn dump_target(text: &str, dump_line: u32, dated: bool) -> Result<DumpTarget, String> {
    let script = ShellScript::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let at = script
        .commands
        .iter()
        .position(|c| c.line == dump_line)
        .ok_or("the cited dump is not in the script any more")?;
    let cmd = &script.commands[at];
    let output = outputs(&script.commands, at)
        .into_iter()
        .find(|o| {
            !o.starts_with('-')
                && !o.starts_with("/dev/")
                && !temporary(o, &script.assignments)
                && (!dated || timestamped(o, &script.assignments, 3))
        })
        .ok_or("the dump's output file is not there any more")?;
    let mut path = unquote(&output);
    // A variable holding the whole path.
    for _ in 0..3 {
        let name = path
            .strip_prefix("${")
            .and_then(|p| p.strip_suffix('}'))
            .or_else(|| path.strip_prefix('$'))
            .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let Some(name) = name else { break };
        let Some(value) = script
            .assignments
            .iter()
            .rfind(|a| a.name == name && a.line <= dump_line)
        else {
            break;
        };
        path = unquote(&value.value);
    }
    let (dir, name) = path.rsplit_once('/').ok_or(
        "the dump's folder depends on where the job runs (a relative name): prune it by hand",
    )?;
    if dir.is_empty() || dir.contains("$(") || dir.contains('`') || dir.contains(['*', '?']) {
        return Err(format!("the dump's folder `{dir}` is not a plain path"));
    }
    let pattern = glob_of(name);
    if !pattern.chars().any(|c| c != '*' && c != '.') {
        return Err(format!(
            "the dump's name `{name}` has no fixed part to match: prune it by hand"
        ));
    }
    let custom_format = cmd.args.iter().any(|a| {
        matches!(
            a.as_str(),
            "-Fc" | "--format=custom" | "--format=c" | "-Fcustom"
        )
    }) || cmd
        .args
        .windows(2)
        .any(|w| w[0] == "-F" && matches!(w[1].as_str(), "c" | "custom"));
    let piped = cmd.piped_into.is_some();
    let gzip = name.ends_with(".gz")
        || cmd
            .piped_into
            .as_deref()
            .is_some_and(|p| p == "gzip" || p == "pigz");
    Ok(DumpTarget {
        dir: dir.to_string(),
        pattern,
        tool: cmd.name.clone(),
        custom_format,
        gzip,
        piped,
    })
}

fn unquote(word: &str) -> String {
    word.chars().filter(|c| *c != '"' && *c != '\'').collect()
}

/// A file name with its expansions (`$(date +%F)`, `${STAMP}`, `$DB`) as
/// `*`.
pub fn glob_of(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let wild = match c {
            '$' if chars.get(i + 1) == Some(&'(') => {
                let mut depth = 0;
                while i < chars.len() {
                    match chars[i] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                true
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                while i < chars.len() && chars[i] != '}' {
                    i += 1;
                }
                true
            }
            '$' => {
                while i + 1 < chars.len()
                    && (chars[i + 1].is_ascii_alphanumeric() || chars[i + 1] == '_')
                {
                    i += 1;
                }
                true
            }
            '`' => {
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
                true
            }
            '*' | '?' | '[' | ']' => true,
            _ => false,
        };
        if wild {
            if !out.ends_with('*') {
                out.push('*');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "#!/usr/bin/env bash\nset -euo pipefail\nBACKUP_DIR=/var/backups/shop\nFILE=\"$BACKUP_DIR/shop-$(date +%F).dump\"\npg_dump --format=custom \"$DATABASE_URL\" > \"$FILE\"\naws s3 cp \"$FILE\" s3://acme-backups/shop/\n";

    #[test]
    fn the_target_is_read_through_variables() {
        let t = dump_target(SCRIPT, 5, true).expect("target");
        assert_eq!(t.dir, "$BACKUP_DIR");
        assert_eq!(t.pattern, "shop-*.dump");
        assert!(t.custom_format && !t.gzip && !t.piped);
        assert_eq!(
            glob_of("db-${DB}_$(date +%Y%m%d-%H%M).sql.gz"),
            "db-*_*.sql.gz"
        );
    }

    #[test]
    fn pruning_follows_the_dump() {
        let out = fix_text(SCRIPT, 5).expect("fixed");
        assert!(out.ends_with("> \"$FILE\"\n# Keep BACKUP_RETENTION_DAYS days of dumps (added by seaworthy fix).\nfind \"$BACKUP_DIR\" -maxdepth 1 -type f -name 'shop-*.dump' -mtime +\"${BACKUP_RETENTION_DAYS:-14}\" -delete\naws s3 cp \"$FILE\" s3://acme-backups/shop/\n"), "{out}");
        let guarded = "#!/bin/bash\nset -e\nF=\"/b/db-$(date +%F).sql\"\nif mysqldump app > \"$F\"; then\n    echo done\nfi\n";
        let out = fix_text(guarded, 4).expect("fixed");
        assert!(out.contains("; then\n    # Keep BACKUP_RETENTION_DAYS days of dumps (added by seaworthy fix).\n    find \"/b\""), "{out}");
        let in_case = "#!/bin/bash\nset -e\ncase $1 in\n  dump) pg_dump x > \"/b/db-$(date +%F).sql\" ;;\nesac\n";
        assert!(fix_text(in_case, 4).is_err());
        let piped = "#!/bin/sh\nset -e\npg_dump db | gzip > \"/srv/b/db-$(date +%F).sql.gz\"\n";
        assert!(fix_text(piped, 3).is_err(), "no pipefail: refused");
        let with = piped.replace("set -e", "set -eo pipefail");
        let out = fix_text(&with, 3).expect("fixed");
        assert!(
            out.contains("find \"/srv/b\" -maxdepth 1 -type f -name 'db-*.sql.gz'"),
            "{out}"
        );
    }
}
