//! backup-without-retention: timestamped dumps pile up on a disk forever.

use crate::facts::needles::SHELL_OPERATIONS;
use crate::facts::shell::{Assignment, ShellCommand};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::roles::path::is_non_product_path;
use crate::rules::database::backups_not_offsite::{app_of, backup_scripts};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "backup-without-retention",
        code: "SW505",
        severity: Severity::Low,
        category: Category::DatabaseBackups,
        title: "Backups are never pruned",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Checks the backup scripts that `backups-not-offsite` finds and reports one
that writes each dump to a new, dated file on the local disk
(`> "$DIR/db-$(date +%F).sql"`, `pg_dump -f …$STAMP…`, `sqlite3 … ".backup …"`)
while nothing removes old ones: neither the script nor a script it runs
deletes files (`rm`, `find … -delete`, `find … -exec rm`, `xargs rm`,
`tmpreaper`, `logrotate`, `restic forget`, `borg prune`), no other script
in the repository prunes with `find … -mtime … -delete`, and no crontab in
the script's folder (the schedule it runs on, `cronfile`, `*.cron`) has an
entry that deletes old files or runs a script of that folder that does
(`weed.sh -d 14 /backups`, also installed as `app-weed.sh`).

A script whose dumps all run with `docker compose exec` in a compose file
of its folder that the file-role model judges a development stack is a
developer's snapshot helper and is not read.

Only local files are considered: a dump streamed to object storage is
expired by a bucket lifecycle rule, which usually lives outside the
repository. Names that repeat (`db-$(date +%A).sql`, one per weekday)
overwrite themselves and are not reported, nor are dumps under `/tmp`.

## Why is this bad?
Every run adds a full copy of the database. The disk fills up — usually the
database server's own disk — and then the backups, and often the database,
stop working.

## Example
### Reported
```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" > "/var/backups/db-$(date +%F).dump"
aws s3 cp /var/backups/ s3://acme-backups/ --recursive
```

### Not reported
```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" > "/var/backups/db-$(date +%F).dump"
aws s3 cp /var/backups/ s3://acme-backups/ --recursive
find /var/backups -name 'db-*.dump' -mtime +7 -delete
```

### Not reported
One file per weekday, overwritten every week:

```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" > "/var/backups/db-$(date +%A).dump"
```

## Fix
Prune old dumps in the same script (`find "$BACKUP_DIR" -name 'db-*' -mtime
+14 -delete`), and keep the long-term copies in object storage with a
lifecycle rule that expires them.

`seaworthy fix --unsafe` adds a `find … -mtime
+"${BACKUP_RETENTION_DAYS:-14}" -delete` right after the dump, in its block,
over the dump's own folder and a name pattern made from its output path, so
only this script's dumps match.
It refuses when the script goes on after a failed dump (no `set -e`, or no
`pipefail` for a piped dump). It is unsafe because it deletes files.
"#;

/// Where a dump command writes, when it writes a file itself or its output
/// (or the end of its pipeline's) is redirected.
pub(crate) fn outputs(commands: &[ShellCommand], at: usize) -> Vec<String> {
    let cmd = &commands[at];
    let mut out: Vec<String> = cmd.redirect.iter().cloned().collect();
    // `pg_dump | gzip > file`: the pipeline ends in a redirect.
    let mut i = at;
    while commands[i].piped_into.is_some() && i + 1 < commands.len() {
        i += 1;
        out.extend(commands[i].redirect.iter().cloned());
    }
    let mut args = cmd.args.iter().peekable();
    while let Some(arg) = args.next() {
        for flag in ["--file=", "--result-file=", "--archive=", "--out="] {
            if let Some(v) = arg.strip_prefix(flag) {
                out.push(v.to_string());
            }
        }
        if matches!(
            arg.as_str(),
            "-f" | "--file" | "-r" | "--result-file" | "-o" | "--out"
        ) {
            if let Some(v) = args.peek() {
                out.push((*v).clone());
            }
        }
        // sqlite3 db ".backup 'backups/db-$STAMP.db'"
        if let Some(rest) = arg.trim_start().strip_prefix(".backup") {
            out.push(rest.trim().trim_matches(['\'', '"']).to_string());
        }
    }
    if cmd.name == "cp" {
        out.extend(cmd.args.last().cloned());
    }
    out
}

/// Whether a date expansion names a new file every run: the format has a
/// year or epoch seconds (a weekday or day-of-month name repeats).
fn accumulating_date(expr: &str) -> bool {
    let Some(at) = expr.find("date") else {
        return false;
    };
    let rest = &expr[at + 4..];
    let rest = rest.split([')', '`']).next().unwrap_or(rest);
    if rest.contains("-I") || rest.contains("--iso") || rest.contains("--rfc") {
        return true;
    }
    if !rest.contains('+') {
        // Plain `date`: its default output has the year.
        return true;
    }
    ["%Y", "%y", "%F", "%s", "%G", "%g", "%D", "%x", "%c", "%C"]
        .iter()
        .any(|f| rest.contains(f))
}

/// Whether a path names a new file on every run: it holds a dated
/// expansion, directly or through variables (up to three levels).
pub(crate) fn timestamped(word: &str, assignments: &[Assignment], depth: u8) -> bool {
    if (word.contains("$(date") || word.contains("`date")) && accumulating_date(word) {
        return true;
    }
    if depth == 0 {
        return false;
    }
    crate::facts::shell::expansions(word).iter().any(|name| {
        assignments
            .iter()
            .filter(|a| a.name == *name)
            .any(|a| timestamped(&a.value, assignments, depth - 1))
    })
}

/// Whether a path is temporary (under /tmp, or a `mktemp` result).
pub(crate) fn temporary(word: &str, assignments: &[Assignment]) -> bool {
    word.starts_with("/tmp")
        || word.contains("TMPDIR")
        || word.contains("mktemp")
        || crate::facts::shell::expansions(word).iter().any(|name| {
            assignments.iter().filter(|a| a.name == *name).any(|a| {
                a.value.starts_with("/tmp")
                    || a.value.contains("mktemp")
                    || a.value.contains("TMPDIR")
            })
        })
}

/// Whether a command deletes files or expires backups.
fn prunes(cmd: &ShellCommand) -> bool {
    let sub = cmd.subcommand().unwrap_or("");
    match cmd.name.as_str() {
        "rm" | "unlink" | "shred" | "tmpreaper" | "tmpwatch" | "logrotate" => true,
        "find" => cmd.args.iter().any(|a| {
            a == "-delete" || a == "rm" || a == "-exec" && cmd.args.iter().any(|b| b == "rm")
        }),
        "xargs" => cmd.args.iter().any(|a| a == "rm"),
        "restic" => sub == "forget",
        "borg" => sub == "prune",
        "kopia" => cmd
            .args
            .iter()
            .any(|a| a == "retention" || a == "maintenance"),
        "rclone" => matches!(sub, "delete" | "move"),
        "aws" => cmd.args.iter().any(|a| a == "mv" || a == "rm"),
        _ => false,
    }
}

/// Whether a crontab in the backup script's folder (the schedule the
/// backup runs on, copied into the same image) prunes: an entry deletes
/// old files itself (`find /backups -mtime +14 -delete`), or runs a script
/// of that folder that does (`weed.sh -d 14 /backups`, also when the image
/// installs it under a prefixed name, `/usr/local/bin/app-weed.sh`).
fn crontab_beside_prunes(cx: &RepoContext, backup_rel: &str) -> bool {
    let dir = backup_rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let scripts = cx.in_dir(FileKind::ShellScript, dir);
    cx.in_dir(FileKind::Crontab, dir).into_iter().any(|tab| {
        cx.facts.crontab(tab).is_some_and(|tab| {
            tab.commands.iter().any(|c| {
                prunes(c)
                    || scripts.iter().any(|id| {
                        let name = cx.index.get(*id).name();
                        let runs = c.name == name
                            || c.name.ends_with(&format!("-{name}"))
                            || c.name.ends_with(&format!("_{name}"));
                        runs && cx
                            .facts
                            .shell_script(*id)
                            .is_some_and(|s| s.commands.iter().any(prunes))
                    })
            })
        })
    })
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    // A separate cleanup script anywhere in the repository counts.
    let repo_prunes = cx.index.of_kind(FileKind::ShellScript).iter().any(|id| {
        !is_non_product_path(cx.rel(*id))
            && cx
                .facts
                .shell_script_mentioning(*id, SHELL_OPERATIONS)
                .is_some_and(|s| {
                    s.commands.iter().any(|c| {
                        c.name == "find"
                            && c.args
                                .iter()
                                .any(|a| a == "-mtime" || a == "-mmin" || a == "-ctime")
                            && prunes(c)
                    })
                })
    });
    if repo_prunes {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for backup in backup_scripts(cx) {
        if backup.all_commands(cx).into_iter().any(prunes) || crontab_beside_prunes(cx, backup.rel)
        {
            continue;
        }
        let commands = &backup.script.commands;
        let assignments = &backup.script.assignments;
        let found = backup.dumps.iter().find_map(|(dump, tool)| {
            let at = commands.iter().position(|c| std::ptr::eq(c, *dump))?;
            outputs(commands, at)
                .into_iter()
                .find(|o| {
                    !o.starts_with('-')
                        && !o.starts_with("/dev/")
                        && !temporary(o, assignments)
                        && timestamped(o, assignments, 3)
                })
                .map(|o| (*dump, *tool, o))
        });
        let Some((dump, tool, target)) = found else {
            continue;
        };
        let message = format!(
            "{} writes each {} dump to a new dated file ({}, line {}) and nothing in the repository deletes old ones.",
            code(backup.rel),
            code(tool),
            code(&target),
            dump.line
        );
        findings.push(RULE.meta.finding(
            app_of(cx, backup.rel),
            message,
            "Every run adds a full copy of the database to the disk. The disk fills up — often the database server's own — and then the backups, and possibly the database, stop working.".to_string(),
            "Prune old dumps in the same script after a successful run (`find \"$BACKUP_DIR\" -name 'db-*' -mtime +14 -delete`), and keep long-term copies in object storage with a lifecycle rule that expires them.".to_string(),
            vec![Location::new(backup.rel, dump.line)],
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ShellScript;

    #[test]
    fn dated_names() {
        let s = ShellScript::parse(
            "STAMP=$(date +%Y%m%d)\nDAY=$(date +%A)\nFILE=\"$DIR/db-$STAMP.sql\"\n",
        )
        .expect("parses");
        assert!(timestamped("$FILE", &s.assignments, 3));
        assert!(timestamped("db-$(date +%F).sql", &s.assignments, 3));
        assert!(!timestamped("db-$DAY.sql", &s.assignments, 3));
        assert!(!timestamped("db.sql", &s.assignments, 3));
        assert!(timestamped("db-$(date -Iseconds).sql", &s.assignments, 3));
    }

    #[test]
    fn pipeline_outputs() {
        let s =
            ShellScript::parse("pg_dump db | gzip > \"/b/db-$(date +%F).gz\"\n").expect("parses");
        assert_eq!(outputs(&s.commands, 0), ["/b/db-$(date +%F).gz"]);
    }
}
