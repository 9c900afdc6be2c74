//! backups-not-offsite: a backup script whose output never leaves the machine.

use crate::apps::{is_non_product_path, resolve, App};
use crate::facts::shell::ShellCommand;
use crate::facts::ShellScript;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "backups-not-offsite",
        code: "SW501",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "Backup strategy",
        wording: Wording::ObservationRiskRequirement,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Finds backup scripts — a dump (`pg_dump`, `pg_dumpall`, `mysqldump`,
`mariadb-dump`, `mongodump`, `sqlite3 … .backup`, `cp`/`tar` of a database
file, also inside `docker exec` or `sh -c`) in a script that is meant as a
backup (its name says backup, it sets a `BACKUP_*` variable, prunes old copies
or installs a cron job) — and reports those whose output never leaves the machine:
neither the script nor a script it runs copies the dump anywhere else (`aws s3`,
`gsutil`, `gcloud storage`, `az storage`/`azcopy`, `rclone`, `restic`, `borg`,
`s3cmd`, `mc`, `b2`, `duplicity`, `kopia`, `scp`/`rsync`/`ssh` to a host, `sftp`, `lftp`,
`curl --upload-file`, `wal-g`, `pgbackrest`, `litestream`).

## Why is this bad?
A backup on the same server as the database dies with it: a lost disk, a
deleted VM or ransomware takes the app and every copy of its data at once.

## Example
### Reported
```bash file=scripts/database-backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump "$DATABASE_URL" > "./backups/db-$(date +%F).sql"
find ./backups -mtime +7 -delete
```

### Not reported
The dump is streamed to object storage:

```bash file=scripts/database-backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" | aws s3 cp - "s3://acme-backups/db-$(date +%F).dump"
```

### Not reported
A schema-only export is not a backup:

```bash file=scripts/export-schema.sh
#!/usr/bin/env bash
pg_dump --schema-only "$DATABASE_URL" > schema.sql
```

## Fix
Stream the dump to object storage in another account or region
(`pg_dump -Fc "$DATABASE_URL" | aws s3 cp - s3://bucket/key`) under
`set -euo pipefail`, encrypted, with retention by bucket lifecycle and a
regular restore test; or use WAL-G/pgBackRest (PostgreSQL) or Litestream
(SQLite).
"#;

const DUMP_TOOLS: &[&str] = &[
    "mariadb-dump",
    "mongodump",
    "mysqldump",
    "pg_basebackup",
    "pg_dump",
    "pg_dumpall",
    "redis-cli",
];

const DATABASE_FILE_EXTENSIONS: &[&str] = &[".db", ".sqlite", ".sqlite3", ".rdb"];

/// The dump a command makes, if it makes one: its tool name. Schema-only
/// exports and dumps piped straight into another database (a staging
/// refresh) are not backups.
pub(crate) fn dump_tool(cmd: &ShellCommand) -> Option<&'static str> {
    fn is_dump(name: &str) -> Option<&'static str> {
        let base = name.rsplit('/').next().unwrap_or(name);
        DUMP_TOOLS.iter().find(|t| **t == base).copied()
    }
    let schema_only = cmd.args.iter().any(|a| {
        matches!(a.as_str(), "--schema-only" | "--no-data")
            || a.split_whitespace()
                .any(|w| w == "--schema-only" || w == "--no-data")
    }) || (matches!(cmd.name.as_str(), "pg_dump" | "pg_dumpall")
        && cmd.has_arg("-s"))
        || (matches!(cmd.name.as_str(), "mysqldump" | "mariadb-dump") && cmd.has_arg("-d"));
    let into_database = cmd.piped_into.as_deref().is_some_and(|next| {
        matches!(
            next,
            "psql" | "pg_restore" | "mysql" | "mariadb" | "mongorestore"
        )
    });
    if schema_only || into_database {
        return None;
    }
    if cmd.name == "redis-cli" {
        return (cmd.has_arg("--rdb") || cmd.args.iter().any(|a| a.eq_ignore_ascii_case("bgsave")))
            .then_some("redis-cli");
    }
    if let Some(tool) = is_dump(&cmd.name) {
        return Some(tool);
    }
    if cmd.name == "sqlite3"
        && cmd
            .args
            .iter()
            .any(|a| a.contains(".backup") || a.contains(".dump"))
    {
        return Some("sqlite3");
    }
    if (cmd.name == "cp" || cmd.name == "tar")
        && cmd
            .args
            .iter()
            .any(|a| DATABASE_FILE_EXTENSIONS.iter().any(|ext| a.ends_with(ext)))
    {
        return Some(if cmd.name == "cp" { "cp" } else { "tar" });
    }
    // `docker exec db pg_dump …`, `kubectl exec … -- pg_dump`,
    // `bash -c "PGPASSWORD=… pg_dump …"`.
    cmd.args
        .iter()
        .flat_map(|a| a.split_whitespace())
        .find_map(|w| is_dump(w).filter(|t| *t != "redis-cli"))
}

/// Whether a command sends data off the machine.
pub(crate) fn ships_offsite(cmd: &ShellCommand) -> bool {
    let sub = cmd.subcommand().unwrap_or("");
    let remote_arg = cmd.args.iter().any(|a| {
        !a.starts_with('-')
            && !a.starts_with('/')
            && !a.starts_with('.')
            && a.split_once(':')
                .is_some_and(|(h, _)| !h.is_empty() && !h.contains('/'))
    });
    match cmd.name.as_str() {
        "aws" => matches!(sub, "s3" | "s3api"),
        "gsutil" | "azcopy" | "s3cmd" | "b2" | "duplicity" | "kopia" | "restic" | "wal-g"
        | "pgbackrest" | "litestream" | "rclone" | "lftp" | "sftp" => true,
        // `pg_dump | ssh host 'cat > …'` ships the dump; `ssh host "pg_dump
        // > /file"` leaves it on that host.
        "ssh" => !cmd
            .args
            .iter()
            .any(|a| a.contains('>') && a.split_whitespace().any(|w| DUMP_TOOLS.contains(&w))),
        "gcloud" => cmd.args.iter().any(|a| a == "storage" || a == "sql"),
        "az" => sub == "storage",
        "mc" => matches!(sub, "cp" | "mirror" | "pipe"),
        "borg" => sub == "create",
        "scp" | "rsync" => remote_arg,
        "curl" => cmd
            .args
            .iter()
            .any(|a| a == "-T" || a == "--upload-file" || a.starts_with("-F")),
        _ => false,
    }
}

/// Scripts a script runs (`./upload.sh`, `bash scripts/upload.sh`, `. x.sh`),
/// resolved against its folder and the root.
pub(crate) fn called_scripts(cx: &RepoContext, from: FileId, script: &ShellScript) -> Vec<FileId> {
    let dir = cx.index.get(from).dir();
    let mut out = Vec::new();
    for cmd in &script.commands {
        let target = match cmd.name.as_str() {
            "bash" | "sh" | "source" | "." | "zsh" => cmd.subcommand(),
            _ => None,
        };
        let written = (cmd.name.ends_with(".sh") || cmd.name.ends_with(".bash"))
            .then_some(cmd.program.as_str());
        for candidate in target.into_iter().chain(written) {
            if !candidate.ends_with(".sh") && !candidate.ends_with(".bash") {
                continue;
            }
            // `"$(dirname "$0")/upload.sh"`, `"$SCRIPT_DIR/upload.sh"`: an
            // expansion in front means "next to this script".
            let candidate = match candidate.rsplit_once('/') {
                Some((prefix, name)) if prefix.contains('$') => name,
                _ => candidate,
            };
            for base in [dir, ""] {
                if let Some(found) = resolve(base, candidate).and_then(|p| cx.index.find(&p)) {
                    out.push(found);
                    break;
                }
            }
        }
    }
    out
}

/// Where the dumps land, for the message: a `BACKUP_DIR`-like assignment, or
/// the first redirect target.
fn destination(script: &ShellScript) -> Option<String> {
    script
        .assignments
        .iter()
        .find(|a| {
            let n = a.name.to_ascii_uppercase();
            (n.contains("BACKUP") || n.contains("DUMP"))
                && ["DIR", "PATH", "FOLDER", "DEST", "LOCATION"]
                    .iter()
                    .any(|k| n.contains(k))
                && !a.value.is_empty()
        })
        .map(|a| a.value.clone())
        .or_else(|| script.redirects.first().map(|(t, _)| t.clone()))
}

pub(crate) fn has_backup_intent(rel: &str, script: &ShellScript) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    // Dumping to restore elsewhere (an upgrade, a migration, a clone) is
    // moving data, not keeping a backup.
    let migration = [
        "upgrade",
        "migrate",
        "migration",
        "clone",
        "copy",
        "sync",
        "restore",
    ]
    .iter()
    .any(|w| name.contains(w))
        || script.commands.iter().any(|c| {
            matches!(c.name.as_str(), "pg_restore" | "mongorestore")
                || (c.name == "psql" && c.has_arg("-f"))
        });
    if migration {
        return false;
    }
    ["backup", "bak", "snapshot"]
        .iter()
        .any(|w| name.contains(w))
        || script
            .assignments
            .iter()
            .any(|a| a.name.to_ascii_uppercase().contains("BACKUP"))
        || script.commands.iter().any(|c| {
            c.name == "crontab"
                || (c.name == "find"
                    && c.args.iter().any(|a| a == "-mtime" || a == "-mmin")
                    && c.args.iter().any(|a| a == "-delete" || a == "rm"))
        })
}

/// A backup script of the repository: a script meant as a backup that
/// dumps a database.
pub(crate) struct BackupScript<'a> {
    pub id: FileId,
    pub rel: &'a str,
    pub script: &'a ShellScript,
    /// Every dump the script makes, with its tool, in source order.
    pub dumps: Vec<(&'a ShellCommand, &'static str)>,
}

impl BackupScript<'_> {
    /// The scripts this one runs, parsed.
    pub fn helpers<'a>(&self, cx: &'a RepoContext) -> Vec<(FileId, &'a ShellScript)> {
        called_scripts(cx, self.id, self.script)
            .into_iter()
            .filter_map(|id| cx.facts.shell_script(id).map(|s| (id, s)))
            .collect()
    }

    /// Every command of the script and of the scripts it runs.
    pub fn all_commands<'a>(&'a self, cx: &'a RepoContext) -> Vec<&'a ShellCommand> {
        let mut out: Vec<&ShellCommand> = self.script.commands.iter().collect();
        for (_, helper) in self.helpers(cx) {
            out.extend(helper.commands.iter());
        }
        out
    }

    /// Whether the script, or a script it runs, copies data off the machine.
    pub fn ships_offsite(&self, cx: &RepoContext) -> bool {
        self.all_commands(cx).into_iter().any(ships_offsite)
    }
}

/// The backup scripts of the repository (outside tests and examples), in
/// path order.
pub(crate) fn backup_scripts<'a>(cx: &'a RepoContext) -> Vec<BackupScript<'a>> {
    let mut out = Vec::new();
    for id in cx.index.of_kind(FileKind::ShellScript) {
        let rel = cx.rel(*id);
        if is_non_product_path(rel) {
            continue;
        }
        let Some(script) = cx.facts.shell_script(*id) else {
            continue;
        };
        let dumps: Vec<(&ShellCommand, &'static str)> = script
            .commands
            .iter()
            .filter_map(|c| dump_tool(c).map(|t| (c, t)))
            .collect();
        if dumps.is_empty() || !has_backup_intent(rel, script) {
            continue;
        }
        out.push(BackupScript {
            id: *id,
            rel,
            script,
            dumps,
        });
    }
    out
}

/// The app a repository file belongs to: the app whose folder holds it
/// (not the root app: a root-level script serves the whole repository).
pub(crate) fn app_of<'a>(cx: &'a RepoContext, rel: &str) -> Option<&'a App> {
    cx.apps
        .iter()
        .filter(|a| a.path != "." && rel.starts_with(&format!("{}/", a.path)))
        .max_by_key(|a| a.path.len())
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for backup in backup_scripts(cx) {
        if backup.ships_offsite(cx) {
            continue;
        }
        let rel = backup.rel;
        let script = backup.script;
        let (dump_cmd, tool) = backup.dumps[0];
        let app = app_of(cx, rel);
        let dest = destination(script);
        let observation = match &dest {
            Some(dest) => format!(
                "{} exists: it dumps with {} (line {}) into {} and nothing copies the dump off the machine.",
                code(rel),
                code(tool),
                dump_cmd.line,
                code(dest)
            ),
            None => format!(
                "{} exists: it dumps with {} (line {}) and nothing copies the dump off the machine.",
                code(rel),
                code(tool),
                dump_cmd.line
            ),
        };
        let risk = format!(
            "Verify where these backups go. If they stay on the same server ({}), a server failure loses both app and data.",
            code(dest.as_deref().unwrap_or("local disk"))
        );
        findings.push(RULE.meta.finding(
            app,
            observation,
            risk,
            requirement(tool),
            vec![Location::new(rel, dump_cmd.line)],
        ));
    }
    findings
}

fn requirement(tool: &str) -> String {
    let how = match tool {
        "pg_dump" | "pg_dumpall" | "pg_basebackup" => "stream the dump (`pg_dump -Fc \"$DATABASE_URL\" | aws s3 cp - s3://…`) or use WAL-G/pgBackRest for continuous archiving",
        "mysqldump" | "mariadb-dump" => "stream the dump (`mysqldump --single-transaction … | gzip | aws s3 cp - s3://…`)",
        "mongodump" => "stream the archive (`mongodump --archive --gzip | aws s3 cp - s3://…`)",
        "sqlite3" | "cp" | "tar" => "copy each backup to object storage (`aws s3 cp`, `rclone copy`) or replicate the SQLite file continuously with Litestream",
        _ => "copy each backup to object storage (`aws s3 cp`, `rclone copy`, `restic backup`)",
    };
    format!(
        "Ensure backups are piped to S3 or off-site storage: {how}, under `set -euo pipefail` so a failed dump never uploads a truncated file; encrypt it, expire old copies with a bucket lifecycle rule, and test a restore regularly."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(src: &str) -> Vec<ShellCommand> {
        ShellScript::parse(src).expect("parses").commands
    }

    #[test]
    fn recognises_dumps() {
        for src in [
            "pg_dump \"$DATABASE_URL\" > backups/db.sql",
            "docker exec db pg_dump -U app app > db.sql",
            "sqlite3 prisma/dev.db \".backup 'backups/dev.db'\"",
            "cp prisma/prod.db backups/",
            "mongodump --out /var/backups",
        ] {
            assert!(cmds(src).iter().any(|c| dump_tool(c).is_some()), "{src}");
        }
        assert!(cmds("cp README.md docs/")
            .iter()
            .all(|c| dump_tool(c).is_none()));
    }

    #[test]
    fn recognises_offsite_copies() {
        for src in [
            "aws s3 cp db.sql s3://bucket/",
            "rclone copy backups remote:backups",
            "restic backup backups/",
            "scp db.sql backup@vault.example.com:/srv/backups/",
            "gsutil cp db.sql gs://bucket/",
        ] {
            assert!(cmds(src).iter().any(ships_offsite), "{src}");
        }
        for src in [
            "rsync -a backups/ /mnt/backups/",
            "cp db.sql /var/backups/",
            "echo aws s3 cp",
        ] {
            assert!(!cmds(src).iter().any(ships_offsite), "{src}");
        }
    }
}
