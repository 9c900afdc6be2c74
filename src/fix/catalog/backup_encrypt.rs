//! backup-not-encrypted: the dump is encrypted before it leaves the
//! machine. Above the cited upload (`scp`, `rsync`, `curl -T` of one file):
//!
//! ```sh
//! : "${BACKUP_ENCRYPTION_PASSPHRASE:?…}"
//! printf '%s' "$BACKUP_ENCRYPTION_PASSPHRASE" | gpg --batch --yes --pinentry-mode loopback \
//!   --passphrase-fd 0 --symmetric --cipher-algo AES256 --output "$FILE.gpg" "$FILE"
//! ```
//!
//! the upload then sends `"$FILE.gpg"`, and the encrypted copy is removed
//! after it. The passphrase comes from the environment (never the script)
//! and the script stops when it is unset. An upload of a folder, of several
//! files, or spread over several lines is left to a person. Unsafe: the
//! off-site copies become `.gpg` files that only the passphrase opens, and
//! the job needs `gpg` and the variable.

use crate::facts::shell::{ShellCommand, ShellScript};
use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{LineEdits, Text};
use super::{cited_line_now, cited_text};
use crate::fix::Builder;

pub const PASSPHRASE_VAR: &str = "BACKUP_ENCRYPTION_PASSPHRASE";

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "backup script")?;
    let line = cited_line_now(b, finding, &path, &text)?;
    let after = fix_text(&text, line)?;
    b.modify(&path, after);
    b.manual(format!(
        "Set {PASSPHRASE_VAR} in the backup job's environment (a long random value kept in your secret store, not on the backup host), make sure gpg is installed where the job runs, and decrypt a copy with `gpg --decrypt` once to check. Without the passphrase the off-site copies cannot be read."
    ));
    Ok(())
}

/// Options of the upload tools that take a value (not a file to send).
const VALUE_FLAGS: &[&str] = &[
    "-i",
    "-P",
    "-o",
    "-F",
    "-c",
    "-l",
    "-S",
    "-J",
    "-e",
    "-p",
    "--rsh",
    "--exclude",
    "--include",
    "--filter",
    "-u",
    "--user",
    "-H",
    "--header",
];

/// The local file an upload sends, when it sends exactly one.
fn uploaded_file(cmd: &ShellCommand) -> Result<String, String> {
    if cmd.name == "curl" {
        let mut args = cmd.args.iter();
        while let Some(a) = args.next() {
            if a == "-T" || a == "--upload-file" {
                return args
                    .next()
                    .cloned()
                    .ok_or_else(|| "`curl -T` names no file".to_string());
            }
            if let Some(v) = a.strip_prefix("--upload-file=") {
                return Ok(v.to_string());
            }
        }
        return Err("the curl upload sends no file (`-T`)".to_string());
    }
    if !matches!(cmd.name.as_str(), "scp" | "rsync") {
        return Err(format!(
            "`{}` uploads are not a form this fix knows: encrypt the dump by hand",
            cmd.name
        ));
    }
    let mut positional = Vec::new();
    let mut args = cmd.args.iter();
    while let Some(a) = args.next() {
        if VALUE_FLAGS.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            positional.push(a.clone());
        }
    }
    match positional.as_slice() {
        [source, _destination] if !source.ends_with('/') && !source.contains(':') => {
            Ok(source.clone())
        }
        _ => Err("the upload sends a folder or several files: encrypt them by hand".to_string()),
    }
}

pub fn fix_text(text: &str, upload_line: u32) -> Result<String, String> {
    let script = ShellScript::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let cmd = script
        .commands
        .iter()
        .find(|c| c.line == upload_line)
        .ok_or("the cited upload is not in the script any more")?;
    let file = uploaded_file(cmd)?;
    let lines = Text::new(text);
    let old = lines.line(upload_line).unwrap_or_default();
    let trimmed = old.trim_start();
    if old.trim_end().ends_with('\\') || !trimmed.starts_with(cmd.program.as_str()) {
        return Err(
            "the upload is not a command on a line of its own: encrypt the dump by hand"
                .to_string(),
        );
    }
    // The file as the line writes it (quoted or not).
    let written = [format!("\"{file}\""), format!("'{file}'"), file.clone()]
        .into_iter()
        .find(|w| old.contains(w.as_str()))
        .ok_or("the uploaded file is not spelled on the upload line")?;
    let encrypted = if written.starts_with('"') {
        format!("\"{file}.gpg\"")
    } else if written.starts_with('\'') {
        format!("'{file}.gpg'")
    } else {
        format!("\"{file}.gpg\"")
    };
    let pad = &old[..old.len() - trimmed.len()];
    let at = old
        .find(&format!(" {written}"))
        .map(|i| i + 1)
        .ok_or("the uploaded file is not a word of the upload line")?;
    let mut upload = old.to_string();
    upload.replace_range(at..at + written.len(), &encrypted);
    let mut edits = LineEdits::default();
    edits.replace(
        upload_line,
        vec![
            format!("{pad}# Encrypted before it leaves (added by seaworthy fix)."),
            format!("{pad}: \"${{{PASSPHRASE_VAR}:?set {PASSPHRASE_VAR} to encrypt the backup}}\""),
            format!(
                "{pad}printf '%s' \"${PASSPHRASE_VAR}\" | gpg --batch --yes --pinentry-mode loopback --passphrase-fd 0 --symmetric --cipher-algo AES256 --output {encrypted} {written}"
            ),
            upload,
            format!("{pad}rm -f {encrypted}"),
        ],
    );
    Ok(edits.apply(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_encrypted_before_the_upload() {
        let script = "#!/usr/bin/env bash\nset -euo pipefail\nFILE=\"/var/backups/db-$(date +%F).sql.gz\"\npg_dump \"$DATABASE_URL\" | gzip > \"$FILE\"\nscp -i ~/.ssh/backup \"$FILE\" backup@vault.example.com:/srv/backups/\nrm \"$FILE\"\n";
        let out = fix_text(script, 5).expect("fixed");
        assert!(out.contains("\n: \"${BACKUP_ENCRYPTION_PASSPHRASE:?set BACKUP_ENCRYPTION_PASSPHRASE to encrypt the backup}\"\nprintf '%s' \"$BACKUP_ENCRYPTION_PASSPHRASE\" | gpg --batch --yes --pinentry-mode loopback --passphrase-fd 0 --symmetric --cipher-algo AES256 --output \"$FILE.gpg\" \"$FILE\"\nscp -i ~/.ssh/backup \"$FILE.gpg\" backup@vault.example.com:/srv/backups/\nrm -f \"$FILE.gpg\"\nrm \"$FILE\"\n"), "{out}");
        let curl = "#!/bin/sh\ncurl -T /tmp/db.sql ftp://host/backups/\n";
        let out = fix_text(curl, 2).expect("fixed");
        assert!(
            out.contains("curl -T \"/tmp/db.sql.gpg\" ftp://host/backups/\n"),
            "{out}"
        );
        assert!(
            fix_text("#!/bin/sh\nrsync -a /var/backups/ host:/srv/\n", 2).is_err(),
            "a folder"
        );
    }
}
