//! backups-not-offsite: a backup script whose output never leaves the machine.

use crate::apps::{resolve, App};
use crate::facts::code::Lang;
use crate::facts::needles::SHELL_OPERATIONS;
use crate::facts::shell::ShellCommand;
use crate::facts::ShellScript;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::roles::path::is_non_product_path;
use crate::rules::observability::evidence;
use crate::rules::{code, AppContext, Check, RepoContext, Rule, RuleMeta};

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

Backups written as application code or configuration count too:
- a dump run from code — a node-cron job, Laravel's `Schedule::exec`, a
  Celery or whenever task (`exec("pg_dump … > backups/…")`), the `mysqldump`
  package's `dumpToFile` — when the file or its strings say backup and
  nothing in the file uploads (`aws s3`, `rclone`, … in its commands, or an
  object-storage SDK such as `@aws-sdk/client-s3`, `boto3`);
- a backup script that exports the database's rows to files
  (`scripts/backup-db.js` with `findMany` and `writeFileSync`);
- spatie/laravel-backup whose `destination.disks` in `config/backup.php` are
  all local disks (by their `driver` in `config/filesystems.php`). A disk
  read from the environment (`env('BACKUP_DISK_NAME', 'local')`) is the
  value a committed env example gives the variable, else the default; a
  disk name `config/filesystems.php` never mentions is local unless the
  name says remote storage (`s3`, `gcs`, `sftp`, …). The
  `monitor_backups` disks, which the health check reads, are not where the
  backups go;
- django-dbbackup (`"dbbackup"` in `INSTALLED_APPS`) with a filesystem
  `DBBACKUP_STORAGE`/`STORAGES["dbbackup"]`, or none (its default is the
  local filesystem); a storage read from the environment is not judged;
- a dump in a committed crontab (`crontab`, `*.crontab`, `cron.d/*`);
- a `tar` archive of the app written to a backup folder (`/var/backups`).
Dumps that refresh development seeds or fixtures, migrations, clones and
restores are not backups. Neither is a dump script in application code that
nothing runs — it schedules nothing itself, no framework loads it (a
management command, a task or job), and no script, crontab, task runner, CI
job or other source file names it — when the backup job that does run (a
backup script or a cron entry) copies its dumps off the machine.

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

### Reported
spatie/laravel-backup writing only to a local disk:

```php file=config/backup.php
<?php
return [
    'backup' => [
        'source' => ['databases' => ['mysql']],
        'destination' => [
            'disks' => ['local'],
        ],
    ],
];
```

```json file=composer.json
{ "name": "acme/shop", "require": { "laravel/framework": "^11.0", "spatie/laravel-backup": "^9.2" } }
```

### Not reported
django-dbbackup storing to S3:

```python file=shop/settings.py
INSTALLED_APPS = ["django.contrib.admin", "dbbackup"]
STORAGES = {
    "dbbackup": {"BACKEND": "storages.backends.s3boto3.S3Boto3Storage"},
}
```

```text file=requirements.txt
django==5.1.4
django-dbbackup==4.2.1
```

### Not reported
A schema-only export is not a backup:

```bash file=scripts/export-schema.sh
#!/usr/bin/env bash
pg_dump --schema-only "$DATABASE_URL" > schema.sql
```

### Not reported
A stray `lib/backup.rb` beside the cron'd script that ships the dumps:

```ruby file=lib/backup.rb
system "mysqldump -uroot legacy > /srv/backup/legacy.dump"
```

```bash file=script/dump.sh
#!/bin/bash
mysqldump -u root shop | gzip > "/srv/backup/shop-$(date +%F).sql.gz"
find /srv/backup -type f -mtime +30 -delete
s3cmd sync /srv/backup "s3://$DUMPS_BUCKET"
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
    // `tar czf /var/backups/app-$(date +%F).tar.gz /srv/app`: an archive of
    // the app (its uploads, its SQLite file) written as a backup.
    if cmd.name == "tar" && creates_archive(cmd) && cmd.args.iter().any(|a| a.contains("backup")) {
        return Some("tar");
    }
    // `python manage.py dumpdata > backups/db.json`: Django's export of
    // every row (the caller requires a backup script or backup code).
    if cmd.args.iter().any(|a| a == "dumpdata")
        && (cmd.name.ends_with("manage.py")
            || cmd.name == "django-admin"
            || cmd.args.iter().any(|a| a.ends_with("manage.py")))
    {
        return Some("dumpdata");
    }
    // `find /data/postgres | cpio -o | gzip > backup.cpio.gz`: an archive
    // of the database's files (the caller requires a backup script).
    if cmd.name == "cpio" && (cmd.has_arg("-o") || cmd.has_arg("--create")) {
        return Some("cpio");
    }
    // `docker exec db pg_dump …`, `kubectl exec … -- pg_dump`,
    // `bash -c "PGPASSWORD=… pg_dump …"`.
    cmd.args
        .iter()
        .flat_map(|a| a.split_whitespace())
        .find_map(|w| is_dump(w).filter(|t| *t != "redis-cli"))
}

/// `tar -czf …`, `tar czf …`, `tar --create …`.
fn creates_archive(cmd: &ShellCommand) -> bool {
    cmd.args.iter().enumerate().any(|(i, a)| {
        a == "--create"
            || (a.starts_with('-') && !a.starts_with("--") && a.contains('c'))
            || (i == 0
                && !a.starts_with('-')
                && a.contains('c')
                && a.chars().all(|c| c.is_ascii_alphabetic()))
    })
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

/// Words of a file name that say a dump moves or seeds data rather than
/// keeping a backup (an upgrade, a migration, a clone, development seeds).
const NOT_BACKUP_WORDS: &[&str] = &[
    "upgrade",
    "migrate",
    "migration",
    "clone",
    "copy",
    "sync",
    "restore",
    "seed",
    "fixture",
];

pub(crate) fn has_backup_intent(rel: &str, script: &ShellScript) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    // Dumping to restore elsewhere (an upgrade, a migration, a clone) is
    // moving data, not keeping a backup.
    let migration = NOT_BACKUP_WORDS.iter().any(|w| name.contains(w))
        || script.commands.iter().any(|c| {
            matches!(c.name.as_str(), "pg_restore" | "mongorestore")
                || (c.name == "psql" && c.has_arg("-f"))
        });
    if migration {
        return false;
    }
    // Packing the repository itself (`git bundle`, `pip freeze` of the
    // environment) snapshots a developer's project, whatever database file
    // it copies along: not a backup of production data.
    let project_snapshot = script.commands.iter().any(|c| {
        (c.name == "git" && c.subcommand() == Some("bundle"))
            || (matches!(c.name.as_str(), "pip" | "pip3") && c.subcommand() == Some("freeze"))
    });
    if project_snapshot {
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
        // The index decided `is_non_product_path` once per file; six rules
        // list the backup scripts.
        if cx.index.get(*id).non_product {
            continue;
        }
        let Some(script) = cx.facts.shell_script_mentioning(*id, SHELL_OPERATIONS) else {
            continue;
        };
        let dumps: Vec<(&ShellCommand, &'static str)> = script
            .commands
            .iter()
            // `$SQLITE_BIN "$DB" ".backup $F"`, `tar -czf ${TARGET} ${SOURCE}`:
            // the script's own variables name the tool and the file.
            .filter_map(|c| {
                dump_tool(c)
                    .or_else(|| dump_tool(&script.resolve(c)))
                    .map(|t| (c, t))
            })
            .collect();
        if dumps.is_empty() || !has_backup_intent(rel, script) {
            continue;
        }
        // Dumps taken by hand from a developer's compose stack (the file-role
        // model judges the compose file the dump runs in).
        let commands: Vec<&ShellCommand> = dumps.iter().map(|(c, _)| *c).collect();
        if crate::roles::script::development_stack_dump(cx, *id, &commands).is_some() {
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
/// Answered from the apps' folders (a scan of every app per script grew
/// with scripts × apps).
pub(crate) fn app_of<'a>(cx: &'a RepoContext, rel: &str) -> Option<&'a App> {
    cx.app_folders().holding_path(rel).map(|i| &cx.apps[i])
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
    let mut code_backups = Vec::new();
    crontab_backups(cx, &mut code_backups);
    application_backups(cx, &mut code_backups);
    for backup in code_backups {
        let observation = match &backup.destination {
            Some(dest) => format!(
                "{} {} (line {}) into {}, and nothing copies the backup off the machine.",
                code(&backup.rel),
                backup.what,
                backup.line,
                code(dest)
            ),
            None => format!(
                "{} {} (line {}), and nothing copies the backup off the machine.",
                code(&backup.rel),
                backup.what,
                backup.line
            ),
        };
        let risk = format!(
            "Verify where these backups go. If they stay on the same server ({}), a server failure loses both app and data.",
            code(backup.destination.as_deref().unwrap_or("local disk"))
        );
        findings.push(RULE.meta.finding(
            app_of(cx, &backup.rel),
            observation,
            risk,
            requirement(&backup.tool),
            vec![Location::new(backup.rel.clone(), backup.line)],
        ));
    }
    findings
}

/// A backup made by application code, configuration or a committed
/// crontab rather than by a backup script.
struct CodeBackup {
    rel: String,
    line: u32,
    tool: String,
    /// What the code does, for the observation (`schedules \`pg_dump\``).
    what: String,
    destination: Option<String>,
}

/// Words of a path that say its code is not a production backup.
fn not_backup_path(rel: &str) -> bool {
    rel.to_ascii_lowercase()
        .split(['/', '.', '-', '_'])
        .any(|w| {
            NOT_BACKUP_WORDS.iter().any(|n| w.starts_with(n))
                || matches!(w, "test" | "tests" | "spec" | "dev")
        })
}

fn path_says_backup(rel: &str) -> bool {
    rel.to_ascii_lowercase()
        .split(['/', '.', '-', '_'])
        .any(|w| w.starts_with("backup") || w == "bak" || w.starts_with("dump") || w == "snapshot")
}

/// Remote storage backends of Django and Laravel disks.
fn is_remote_storage(backend: &str) -> bool {
    let b = backend.to_ascii_lowercase();
    [
        "s3",
        "gcloud",
        "google",
        "azure",
        "dropbox",
        "ftp",
        "sftp",
        "libcloud",
        "b2",
        "r2",
        "spaces",
        "minio",
        "storages.backends",
    ]
    .iter()
    .any(|w| b.contains(w))
}

/// Backups in committed crontabs: a dump scheduled by cron whose output
/// nothing copies off the machine.
fn crontab_backups(cx: &RepoContext, out: &mut Vec<CodeBackup>) {
    for id in cx.index.of_kind(FileKind::Crontab) {
        let rel = cx.rel(*id);
        if is_non_product_path(rel) {
            continue;
        }
        let Some(tab) = cx.facts.crontab(*id) else {
            continue;
        };
        if tab.commands.iter().any(ships_offsite) {
            continue;
        }
        if let Some((cmd, tool)) = tab
            .commands
            .iter()
            .find_map(|c| dump_tool(c).map(|t| (c, t)))
        {
            out.push(CodeBackup {
                rel: rel.to_string(),
                line: cmd.line,
                tool: tool.to_string(),
                what: format!("schedules {} with cron", code(tool)),
                destination: cmd.redirect.clone(),
            });
        }
    }
}

/// Backups made by application code: a dump run from code (a node-cron
/// job, Laravel's `$schedule->exec`, a Celery task, whenever's `command`),
/// the `mysqldump` package writing a file, or a backup script that exports
/// tables to files; and backup libraries configured to write locally
/// (spatie/laravel-backup, django-dbbackup).
fn application_backups(cx: &RepoContext, out: &mut Vec<CodeBackup>) {
    let index = cx.index;
    let facts = cx.facts;
    let kinds = [
        FileKind::JsSource,
        FileKind::Source(Lang::Python),
        FileKind::Source(Lang::Php),
        FileKind::Source(Lang::Ruby),
    ];
    let mut dbbackup_installed: Option<(String, u32)> = None;
    let mut dbbackup_storages: Vec<(String, Option<String>, u32)> = Vec::new();
    let node_code = node_code_that_runs(cx);
    let remote_by_env = env_selects_remote_backup_storage(cx);
    for kind in kinds {
        let ids: &[FileId] = if kind == FileKind::JsSource {
            &node_code
        } else {
            index.of_kind(kind)
        };
        for id in ids {
            let file = index.get(*id);
            if file.non_product || file.test {
                continue;
            }
            let backup = match kind {
                FileKind::JsSource => facts
                    .js_mentioning(*id, &["dump", "backup"])
                    .map(|j| &j.backup),
                _ => facts
                    .code_mentioning(*id, &["dump", "backup"])
                    .map(|c| &c.backup),
            };
            let Some(backup) = backup else { continue };
            let rel = file.rel.as_str();
            if let Some(line) = backup.dbbackup_installed {
                dbbackup_installed.get_or_insert((rel.to_string(), line));
            }
            if let Some((value, line)) = &backup.dbbackup_storage {
                dbbackup_storages.push((rel.to_string(), value.clone(), *line));
            }
            if let Some((disks, line)) = &backup.backup_disks {
                laravel_backup(cx, file, disks, *line, out);
            }
            if not_backup_path(rel) {
                continue;
            }
            let offsite = backup.uploads_to_cloud
                || backup.commands.iter().any(ships_offsite)
                || remote_by_env;
            if offsite {
                continue;
            }
            let dump = backup
                .commands
                .iter()
                .find_map(|c| dump_tool(c).map(|t| (c.line, t, c.redirect.clone())))
                .or_else(|| backup.mysqldump_to_file.map(|l| (l, "mysqldump", None)))
                // `Process::fromShellCommandline("cp $dbPath $backupPath")`
                // where the same code names the database file.
                .or_else(|| {
                    backup
                        .commands
                        .iter()
                        .filter(|_| backup.names_database_file)
                        .find(|c| {
                            matches!(c.name.as_str(), "cp" | "tar")
                                && c.args.iter().any(|a| a.starts_with('$'))
                        })
                        .map(|c| (c.line, if c.name == "cp" { "cp" } else { "tar" }, None))
                });
            let intent = path_says_backup(rel) || backup.mentions_backup;
            let dumps = dump.is_some();
            if dump.is_some() && intent && kind != FileKind::JsSource && stray_script(cx, *id) {
                // A script nothing runs is not the backup job when the job
                // that does run ships its dumps off the machine.
                continue;
            }
            if let (Some((line, tool, destination)), true) = (dump, intent) {
                out.push(CodeBackup {
                    rel: rel.to_string(),
                    line,
                    tool: tool.to_string(),
                    what: format!("runs {} from application code", code(tool)),
                    destination,
                });
                continue;
            }
            let exports = kind == FileKind::JsSource
                && !dumps
                && path_says_backup(file.name())
                && backup.reads_database;
            if let (Some(line), true) = (backup.writes_file, exports) {
                out.push(CodeBackup {
                    rel: rel.to_string(),
                    line,
                    tool: "JSON export".to_string(),
                    what: "exports the database's rows to files".to_string(),
                    destination: None,
                });
            }
        }
    }
    // django-dbbackup writes to the filesystem storage unless told
    // otherwise; a remote or computed storage anywhere decides.
    if let Some((rel, installed)) = dbbackup_installed {
        let remote_or_computed = dbbackup_storages
            .iter()
            .any(|(_, v, _)| v.as_deref().is_none_or(is_remote_storage));
        if !remote_or_computed {
            let (rel, line, what) = match dbbackup_storages.first() {
                Some((rel, Some(v), line)) => (
                    rel.clone(),
                    *line,
                    format!("configures django-dbbackup with the local storage {}", code(v)),
                ),
                _ => (
                    rel,
                    installed,
                    "installs django-dbbackup with no storage set (its default is the local filesystem)".to_string(),
                ),
            };
            out.push(CodeBackup {
                rel,
                line,
                tool: "django-dbbackup".to_string(),
                what,
                destination: None,
            });
        }
    }
}

/// Words by which a source file schedules itself or is found by a
/// framework (a management command, a Celery or rake task, a job class):
/// such a file runs without another file naming it.
const RUNS_ITSELF_WORDS: &[&str] = &[
    "schedule",
    "cron",
    "every(",
    "periodic",
    "celery",
    "shared_task",
    "@task",
    "Command",
    "Job",
    "job",
    "task :",
    "namespace :",
];

/// A dump script in application code (Ruby, Python, PHP) that nothing
/// runs — it schedules nothing itself, no framework finds it, and no
/// script, crontab, task runner, CI job or other source file names it
/// (`lib/backup.rb` with a two-line `mysqldump`) — while a backup job that
/// is run (a backup script or a cron entry) copies its dumps off the
/// machine: the stray file is not how the data is backed up.
fn stray_script(cx: &RepoContext, id: FileId) -> bool {
    let index = cx.index;
    let offsite_elsewhere = backup_scripts(cx).iter().any(|b| b.ships_offsite(cx))
        || index
            .of_kind(FileKind::Crontab)
            .iter()
            .filter_map(|c| cx.facts.crontab(*c))
            .any(|tab| {
                tab.commands.iter().any(|c| dump_tool(c).is_some())
                    && tab.commands.iter().any(ships_offsite)
            });
    if !offsite_elsewhere {
        return false;
    }
    let file = index.get(id);
    let Ok(text) = crate::facts::text::read_text(&index.path(id), 1 << 20) else {
        return false;
    };
    if RUNS_ITSELF_WORDS.iter().any(|w| text.contains(w)) {
        return false;
    }
    let name = file.name();
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let without_ext = file
        .rel
        .rsplit_once('.')
        .map_or(file.rel.as_str(), |(s, _)| s);
    let names = vec![
        name.to_string(),
        without_ext.to_string(),
        without_ext.replace('/', "."),
        format!("'{stem}'"),
        format!("\"{stem}\""),
        format!("import {stem}"),
    ];
    let readers: Vec<FileId> = [
        FileKind::ShellScript,
        FileKind::Crontab,
        FileKind::TaskRunner,
        FileKind::CiConfig,
        FileKind::Deploy(crate::index::DeployKind::Heroku),
        FileKind::Source(Lang::Python),
        FileKind::Source(Lang::Php),
        FileKind::Source(Lang::Ruby),
    ]
    .iter()
    .flat_map(|k| index.of_kind(*k).iter().copied())
    .filter(|r| *r != id)
    .collect();
    crate::roles::mentions(index, &readers, &names).is_empty()
}

/// Whether a committed env example points the app's own backups at remote
/// storage: a variable about backups that names a disk, storage, driver or
/// destination (`BACKUP_DISK=s3`, `BACKUP_STORAGE=gcs`) with a remote value.
/// The code then writes its dumps wherever the configuration says, and
/// the documented configuration says off-site.
fn env_selects_remote_backup_storage(cx: &RepoContext) -> bool {
    cx.index
        .of_kind(FileKind::EnvExample)
        .iter()
        .filter_map(|id| cx.facts.env_file(*id))
        .flat_map(|env| env.vars.iter())
        .any(|var| {
            let name = var.name.to_ascii_uppercase();
            name.contains("BACKUP")
                && ["DISK", "STORAGE", "DRIVER", "DESTINATION", "TARGET"]
                    .iter()
                    .any(|w| name.contains(w))
                && !var.value.trim().is_empty()
                && is_remote_storage(var.value.trim())
        })
}

/// Packages that schedule jobs or dump databases on their own.
const JOB_PACKAGES: &[&str] = &[
    "agenda",
    "bree",
    "bull",
    "bullmq",
    "cron",
    "croner",
    "mysqldump",
    "node-cron",
    "node-schedule",
    "pg-dump-restore",
    "toad-scheduler",
];

/// The JavaScript/TypeScript that can run in production: every app's code
/// (its own and the workspace packages it uses), code outside every
/// package folder (a repository's `scripts/`), and packages that run on
/// their own (a `start` script, a scheduler or dump library). Libraries no
/// app uses are not read: in a monorepo they are most of the code, and
/// nothing runs them.
fn node_code_that_runs(cx: &RepoContext) -> Vec<FileId> {
    let index = cx.index;
    let mut ids: Vec<FileId> = Vec::new();
    // Workspace packages shared by many apps are listed once, not once per
    // app that uses them (that made the list, and its sort, apps × shared
    // code).
    let mut shared: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for app in cx.apps {
        let app_cx = AppContext::new(cx, app);
        ids.extend(evidence::own_code_files(&app_cx));
        shared.extend(evidence::related_packages(&app_cx).iter().cloned());
    }
    for dir in &shared {
        ids.extend(evidence::package_code_files(cx, dir).iter().copied());
    }
    let js = index.of_kind(FileKind::JsSource);
    let packages = cx.npm_packages();
    for id in js {
        // Files a browser loads (a site's `public/` folder, bundled or
        // minified libraries) run no backup job.
        if is_browser_asset(&index.get(*id).rel) {
            continue;
        }
        match packages.owner(*id) {
            None => ids.push(*id),
            Some(manifest) if index.get(manifest).dir().is_empty() => ids.push(*id),
            Some(_) => {}
        }
    }
    for manifest in index.of_kind(FileKind::PackageJson) {
        let Some(pkg) = cx.facts.package_json(*manifest) else {
            continue;
        };
        let runs =
            pkg.scripts.contains_key("start") || JOB_PACKAGES.iter().any(|p| pkg.has_dependency(p));
        let dir = index.get(*manifest).dir();
        if !runs || dir.is_empty() {
            continue;
        }
        let range = index.ids_under(dir);
        let start = js.partition_point(|id| *id < range.start);
        let end = js.partition_point(|id| *id < range.end);
        ids.extend(
            js[start..end]
                .iter()
                .copied()
                .filter(|id| packages.owner(*id) == Some(*manifest)),
        );
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A script served to browsers: under a web root or asset folder, or
/// bundled/minified.
fn is_browser_asset(rel: &str) -> bool {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    name.contains(".min.")
        || name.contains(".bundle.")
        || name.contains(".pack.")
        || dir.split('/').any(|part| {
            matches!(
                part,
                "public"
                    | "static"
                    | "assets"
                    | "vendor"
                    | "vendors"
                    | "plugins"
                    | "dist"
                    | "build"
                    | "wwwroot"
            )
        })
}

/// spatie/laravel-backup's `destination.disks` in `config/backup.php`:
/// a finding when every disk is local (by its driver in
/// `config/filesystems.php`, or by Laravel's default `local`/`public`).
///
/// A disk read from the environment (`env('BACKUP_DISK_NAME', 'local')`)
/// is the value a committed env example gives the variable, else the
/// default. A disk `config/filesystems.php` does not define is local
/// unless its name says remote storage (`s3-backups`): spatie writes
/// nowhere else, and a custom name (`backup_custom_disk`) is a folder.
fn laravel_backup(
    cx: &RepoContext,
    file: &crate::index::IndexedFile,
    entries: &[crate::facts::backup_code::BackupDisk],
    line: u32,
    out: &mut Vec<CodeBackup>,
) {
    if file.name() != "backup.php" || !file.dir().ends_with("config") {
        return;
    }
    let example_value = |var: &str| {
        cx.index
            .of_kind(FileKind::EnvExample)
            .iter()
            .filter_map(|id| cx.facts.env_file(*id))
            .flat_map(|env| env.vars.iter())
            .find(|v| v.name == var && !v.value.trim().is_empty())
            .map(|v| v.value.trim().trim_matches(['"', '\'']).to_string())
    };
    let disks: Vec<String> = entries
        .iter()
        .map(|d| {
            d.env
                .as_deref()
                .and_then(example_value)
                .unwrap_or_else(|| d.name.clone())
        })
        .collect();
    let filesystems = crate::apps::join(file.dir(), "filesystems.php");
    let drivers: &[(String, String)] = cx
        .index
        .find(&filesystems)
        .and_then(|id| cx.facts.code(id))
        .map(|c| c.backup.disk_drivers.as_slice())
        .unwrap_or(&[]);
    // A disk whose driver is not a literal (`'driver' => env(…)`) is
    // defined, just not known: only a name the file never mentions is
    // undefined.
    let filesystems_text = cx
        .index
        .find(&filesystems)
        .and_then(|id| cx.facts.raw_text(id))
        .unwrap_or_default();
    let named_in_filesystems = |disk: &str| {
        filesystems_text.contains(&format!("'{disk}'"))
            || filesystems_text.contains(&format!("\"{disk}\""))
    };
    let driver_of = |disk: &str| {
        drivers
            .iter()
            .find(|(name, _)| name == disk)
            .map(|(_, d)| d.as_str())
            .or(matches!(disk, "local" | "public").then_some("local"))
            .or(
                (!drivers.is_empty() && !is_remote_storage(disk) && !named_in_filesystems(disk))
                    .then_some("local"),
            )
    };
    let all_local = disks.iter().all(|d| driver_of(d) == Some("local"));
    if !all_local {
        return;
    }
    out.push(CodeBackup {
        rel: file.rel.clone(),
        line,
        tool: "spatie/laravel-backup".to_string(),
        what: format!(
            "configures spatie/laravel-backup to write only to the local disk{} {}",
            if disks.len() > 1 { "s" } else { "" },
            disks.iter().map(|d| code(d)).collect::<Vec<_>>().join(", ")
        ),
        destination: None,
    });
}

fn requirement(tool: &str) -> String {
    let how = match tool {
        "pg_dump" | "pg_dumpall" | "pg_basebackup" => "stream the dump (`pg_dump -Fc \"$DATABASE_URL\" | aws s3 cp - s3://…`) or use WAL-G/pgBackRest for continuous archiving",
        "mysqldump" | "mariadb-dump" => "stream the dump (`mysqldump --single-transaction … | gzip | aws s3 cp - s3://…`)",
        "mongodump" => "stream the archive (`mongodump --archive --gzip | aws s3 cp - s3://…`)",
        "dumpdata" => "copy each export to object storage (`aws s3 cp`, `rclone copy`), or use django-dbbackup with a remote storage",
        "sqlite3" | "cp" | "tar" => "copy each backup to object storage (`aws s3 cp`, `rclone copy`) or replicate the SQLite file continuously with Litestream",
        "spatie/laravel-backup" => "add an `s3` (or other remote) disk to `backup.destination.disks` in `config/backup.php`, defined in `config/filesystems.php`",
        "django-dbbackup" => "set `STORAGES[\"dbbackup\"]` (or `DBBACKUP_STORAGE`) to a remote backend such as `storages.backends.s3boto3.S3Boto3Storage`",
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
