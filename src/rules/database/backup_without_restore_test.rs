//! backup-without-restore-test: backups are made, and never restored.

use crate::facts::needles::SHELL_OPERATIONS;
use crate::facts::shell::ShellCommand;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::rules::database::backups_not_offsite::{app_of, backup_scripts};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "backup-without-restore-test",
        code: "SW506",
        severity: Severity::Medium,
        category: Category::DatabaseBackups,
        title: "Backups are never test-restored",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a repository whose backup scripts (as `backups-not-offsite` finds
them) copy dumps off-site, while nothing in the repository ever restores one:
no script runs `pg_restore`, `mongorestore`, `psql`/`mysql`/`mariadb` fed from
a dump file or a pipe, `sqlite3 … .restore`, `restic restore`/`check`,
`borg extract`/`check`, `wal-g backup-fetch`, `pgbackrest restore` or
`litestream restore`; no CI workflow, Makefile, justfile or package.json
script names a restore tool; and no file is named for restoring (`restore.sh`,
`restore_db.py`, `docs/restore.md`, …).

Backups that stay on the machine are reported by `backups-not-offsite`,
whose fix already asks for a restore test; this rule covers the backups that
pass that check.

## Why is this bad?
A backup that was never restored is a hope, not a backup: a dump made with
the wrong flags, of the wrong database, truncated, or encrypted with a lost
key is found out on the day it is needed.

## Example
### Reported
```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" | aws s3 cp - "s3://acme-backups/db-$(date +%F).dump"
```

### Not reported
A scheduled job restores the latest dump into a scratch database:

```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" | aws s3 cp - "s3://acme-backups/db-$(date +%F).dump"
```

```bash file=scripts/verify-latest-backup.sh
#!/usr/bin/env bash
set -euo pipefail
latest=$(aws s3 ls s3://acme-backups/ | sort | tail -n 1 | awk '{print $4}')
aws s3 cp "s3://acme-backups/$latest" /tmp/latest.dump
createdb scratch_restore
pg_restore --no-owner -d scratch_restore /tmp/latest.dump
psql -d scratch_restore -c 'SELECT count(*) FROM "Order"'
```

## Fix
Add a scheduled restore test: fetch the latest backup, restore it into a
scratch database (`pg_restore --no-owner -d scratch …`), run a smoke query
(row counts of the main tables, the newest `created_at`), and alert when any
step fails; write the restore procedure down next to it.

`seaworthy fix` writes `restore-check.sh` beside the backup script: it
takes a dump (its argument, else the newest one in the backup folder),
checks that it is whole (`gzip -t`, `pg_restore --list`, the dump's closing
comment; a SQLite backup's `PRAGMA integrity_check`), and with
`RESTORE_CHECK_DATABASE_URL` (MySQL: `RESTORE_CHECK_DATABASE`) set restores
it into that scratch database and counts its tables. It is safe: a new file, which the
report asks you to schedule.
"#;

/// Whether a command restores a backup.
fn restores(cmd: &ShellCommand, fed: bool) -> bool {
    let sub = cmd.subcommand().unwrap_or("");
    match cmd.name.as_str() {
        "pg_restore" | "mongorestore" | "pg_basebackup" => true,
        // `psql -f dump.sql`, `gunzip -c db.gz | psql`, `mysql < dump.sql`.
        "psql" | "mysql" | "mariadb" => {
            fed || cmd.has_arg("-f")
                || cmd
                    .args
                    .iter()
                    .any(|a| a.starts_with("--file") || a.contains("source "))
        }
        "sqlite3" => cmd
            .args
            .iter()
            .any(|a| a.contains(".restore") || a.contains(".read")),
        "restic" => matches!(sub, "restore" | "check" | "dump" | "mount"),
        "borg" => matches!(sub, "extract" | "check" | "mount"),
        "kopia" => cmd.args.iter().any(|a| a == "restore" || a == "verify"),
        "wal-g" => sub.contains("fetch"),
        "pgbackrest" => cmd.args.iter().any(|a| a == "restore" || a == "verify"),
        "litestream" => sub == "restore",
        "duplicity" => matches!(sub, "restore" | "verify"),
        _ => false,
    }
}

/// Tools whose name in a CI workflow, Makefile or package.json script means
/// a restore runs there.
const RESTORE_WORDS: &[&str] = &[
    "pg_restore",
    "mongorestore",
    "restic restore",
    "restic check",
    "borg extract",
    "borg check",
    "backup-fetch",
    "pgbackrest restore",
    "litestream restore",
    "restore-test",
    "restore_test",
    "test-restore",
    "verify-backup",
];

fn check(cx: &RepoContext) -> Vec<Finding> {
    let backups = backup_scripts(cx);
    let Some(first) = backups.iter().find(|b| b.ships_offsite(cx)) else {
        return Vec::new();
    };
    // Any file named for restoring: a restore script or runbook exists.
    let named = cx.index.files.iter().any(|f| {
        // Case-insensitive without lowering a copy of every name.
        let name = f.name().as_bytes();
        let cursor = name
            .get(..14)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"restore-cursor"));
        !cursor
            && memchr::memchr2_iter(b'r', b'R', name).any(|at| {
                name.get(at..at + 7)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"restore"))
            })
    });
    if named {
        return Vec::new();
    }
    let scripted = cx.index.of_kind(FileKind::ShellScript).iter().any(|id| {
        cx.facts
            .shell_script_mentioning(*id, SHELL_OPERATIONS)
            .is_some_and(|s| {
                s.commands.iter().enumerate().any(|(i, c)| {
                    let fed =
                        i > 0 && s.commands[i - 1].piped_into.as_deref() == Some(c.name.as_str());
                    restores(c, fed)
                })
            })
    });
    if scripted {
        return Vec::new();
    }
    let in_scripts = cx.index.of_kind(FileKind::PackageJson).iter().any(|id| {
        cx.facts.package_json(*id).is_some_and(|p| {
            p.scripts
                .iter()
                .any(|(k, v)| k.contains("restore") || RESTORE_WORDS.iter().any(|w| v.contains(w)))
        })
    });
    if in_scripts {
        return Vec::new();
    }
    // CI workflows and task runners are not parsed as shell: look for the
    // tools' names in their text.
    let task_files = cx.index.files.iter().enumerate().filter(|(_, f)| {
        let name = f.name();
        f.rel.starts_with(".github/workflows/")
            || f.rel.starts_with(".circleci/")
            || matches!(
                name,
                ".gitlab-ci.yml"
                    | "Makefile"
                    | "makefile"
                    | "justfile"
                    | "Justfile"
                    | "Taskfile.yml"
            )
    });
    for (id, _) in task_files {
        if let Some(text) = cx.facts.raw_text_capped(id, 2 << 20) {
            if RESTORE_WORDS.iter().any(|w| text.contains(w)) {
                return Vec::new();
            }
        }
    }
    let (dump, tool) = first.dumps[0];
    let message = format!(
        "{} backs the database up off-site with {} (line {}), and nothing in the repository ever restores a backup.",
        code(first.rel),
        code(tool),
        dump.line
    );
    vec![RULE.meta.finding(
        app_of(cx, first.rel),
        message,
        "An untested backup fails when it is needed: a dump of the wrong database, made with the wrong flags, truncated, or encrypted with a lost key is discovered during the outage it was meant to end, and nobody knows how long a restore takes.".to_string(),
        "Add a scheduled restore test: fetch the latest backup, restore it into a scratch database (`pg_restore --no-owner -d scratch …`), run a smoke query (row counts, the newest `created_at`), and alert when any step fails; document the restore procedure next to it.".to_string(),
        vec![Location::new(first.rel, dump.line)],
    )]
}
