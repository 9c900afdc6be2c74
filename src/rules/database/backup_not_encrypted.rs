//! backup-not-encrypted: a backup copied to another host in the clear.

use crate::facts::shell::ShellCommand;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::database::backups_not_offsite::{app_of, backup_scripts, ships_offsite};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "backup-not-encrypted",
        code: "SW504",
        severity: Severity::Medium,
        category: Category::DatabaseBackups,
        title: "Unencrypted off-site backup",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Checks the backup scripts that `backups-not-offsite` finds and reports one
that copies its dump to another server whose storage nothing encrypts —
`scp`, `rsync` or `sftp` to `host:path`, `ssh host 'cat > …'`, `lftp`, or
`curl --upload-file`/`-T` (FTP, WebDAV) — while neither the script nor a
script it runs encrypts the dump first (`gpg`, `age`, `openssl enc`/`smime`/
`cms`, `ccrypt`, `7z -p`, `zip -e`, `sops`), and does not hand it to a tool
that encrypts by itself (`restic`, `borg`, `kopia`, `duplicity`).

Object storage is not reported: Amazon S3 has encrypted every new object
(SSE-S3) since January 2023, and Google Cloud Storage and Azure Storage
encrypt at rest by default, so `aws s3 cp`, `gsutil`, `gcloud storage` and
`az storage` uploads are encrypted even without `--sse`. `rclone` is not
reported either: its remote may be a `crypt` remote, defined outside the
repository.

## Why is this bad?
A database dump holds every row — customer data, password hashes, tokens —
in plain text. On a backup host it is readable by anyone who gets into that
host or its disks, which are usually guarded less carefully than the
database; over FTP it also crosses the network in the clear.

## Example
### Reported
```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
FILE="/var/backups/db-$(date +%F).sql.gz"
pg_dump "$DATABASE_URL" | gzip > "$FILE"
scp "$FILE" backup@vault.example.com:/srv/backups/
rm "$FILE"
```

### Not reported
Encrypted for the backup key before it leaves:

```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
FILE="/var/backups/db-$(date +%F).sql.gz.age"
pg_dump "$DATABASE_URL" | gzip | age -r "$BACKUP_PUBLIC_KEY" > "$FILE"
scp "$FILE" backup@vault.example.com:/srv/backups/
rm "$FILE"
```

### Not reported
S3 encrypts the object at rest:

```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" | aws s3 cp - "s3://acme-backups/db-$(date +%F).dump"
```

## Fix
Encrypt the dump before it leaves the database server, for a key that is not
stored there: `pg_dump … | gzip | age -r "$BACKUP_PUBLIC_KEY" > db.sql.gz.age`
(or `gpg --encrypt --recipient …`), or back up with restic/borg, which encrypt
their repositories; keep the private key offline.

`seaworthy fix --unsafe` encrypts the file with `gpg --symmetric` (AES256,
the passphrase read from `BACKUP_ENCRYPTION_PASSPHRASE`, the script stopping
when it is unset) right above the cited `scp`, `rsync` or `curl -T` upload
of one file, sends the `.gpg` file instead and removes it afterwards. An
upload of a folder or several files is left to a person. It is unsafe
because the off-site copies then open only with that passphrase.
"#;

/// Whether an off-site copy lands on a server whose storage is not
/// encrypted by the provider: a plain host over SSH, FTP or WebDAV.
fn plain_host_upload(cmd: &ShellCommand) -> bool {
    if !ships_offsite(cmd) && !matches!(cmd.name.as_str(), "lftp" | "sftp") {
        return false;
    }
    match cmd.name.as_str() {
        "scp" | "rsync" | "lftp" | "sftp" => true,
        // `… | ssh host 'cat > /srv/backups/db.gz'`: the remote side writes a file.
        "ssh" => cmd
            .args
            .iter()
            .any(|a| a.contains("cat >") || a.contains("dd of=") || a.contains("tee ")),
        "curl" => cmd.args.iter().any(|a| {
            let a = a.to_ascii_lowercase();
            a.starts_with("ftp://") || a.starts_with("ftps://") || a.starts_with("http")
        }),
        _ => false,
    }
}

/// Whether a command encrypts data, or stores it with a tool that does.
fn encrypts(cmd: &ShellCommand) -> bool {
    let sub = cmd.subcommand().unwrap_or("");
    match cmd.name.as_str() {
        "gpg" | "gpg2" | "age" | "rage" | "ccrypt" | "mcrypt" | "sops" | "restic" | "borg"
        | "kopia" | "encpipe" => true,
        "duplicity" => !cmd.has_arg("--no-encryption"),
        "openssl" => matches!(sub, "enc" | "smime" | "cms" | "aes-256-cbc" | "pkeyutl"),
        "7z" | "7za" | "7zz" => cmd.args.iter().any(|a| a.starts_with("-p")),
        "zip" => cmd
            .args
            .iter()
            .any(|a| a == "-e" || a == "--encrypt" || a.starts_with("-P")),
        _ => false,
    }
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for backup in backup_scripts(cx) {
        let commands = backup.all_commands(cx);
        if commands.iter().any(|c| encrypts(c)) {
            continue;
        }
        let mut sources = vec![(backup.rel, backup.script)];
        sources.extend(
            backup
                .helpers(cx)
                .into_iter()
                .map(|(id, script)| (cx.rel(id), script)),
        );
        let Some((upload_rel, upload)) = sources.iter().find_map(|(rel, script)| {
            script
                .commands
                .iter()
                .find(|c| plain_host_upload(c))
                .map(|c| (*rel, c))
        }) else {
            continue;
        };
        let (_, tool) = backup.dumps[0];
        let message = format!(
            "{} copies its {} dump off the machine with {} ({}:{}) and nothing encrypts it first.",
            code(backup.rel),
            code(tool),
            code(&upload.name),
            upload_rel,
            upload.line
        );
        findings.push(RULE.meta.finding(
            app_of(cx, backup.rel),
            message,
            "The backup host stores a plain-text copy of the whole database: anyone who gets into that host, its disks or its own backups reads every row, and the backups are usually guarded less carefully than the database.".to_string(),
            "Encrypt the dump before it leaves, for a key the database server does not hold: `pg_dump … | gzip | age -r \"$BACKUP_PUBLIC_KEY\" > db.sql.gz.age` (or `gpg --encrypt --recipient …`), or back up with restic or borg, which encrypt their repositories.".to_string(),
            vec![Location::new(upload_rel, upload.line)],
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ShellScript;

    fn first(src: &str) -> ShellCommand {
        ShellScript::parse(src).expect("parses").commands[0].clone()
    }

    #[test]
    fn plain_hosts_and_encryption() {
        assert!(plain_host_upload(&first("scp db.gz backup@host:/srv/")));
        assert!(plain_host_upload(&first(
            "curl -T db.gz ftp://host/backups/"
        )));
        assert!(!plain_host_upload(&first("aws s3 cp db.gz s3://bucket/")));
        assert!(!plain_host_upload(&first("rsync -a db.gz /mnt/backup/")));
        assert!(encrypts(&first("gpg --encrypt -r ops db.gz")));
        assert!(encrypts(&first("openssl enc -aes-256-cbc -in db.gz")));
        assert!(!encrypts(&first(
            "duplicity --no-encryption /var/backups sftp://h"
        )));
        assert!(!encrypts(&first("openssl rand -hex 16")));
    }
}
