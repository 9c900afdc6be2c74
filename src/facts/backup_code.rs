//! Backups written as application code or configuration, as far as the
//! backup rules need them:
//! - shell commands in string literals (`exec("pg_dump … > backups/x.sql")`,
//!   Laravel's `$schedule->exec(…)`, whenever's `command "…"`), parsed as
//!   shell;
//! - uploads to object storage through an SDK (`@aws-sdk/client-s3`,
//!   `boto3`, `@google-cloud/storage`, a Laravel `s3` disk);
//! - a script that reads a database and writes files (a JSON export);
//! - spatie/laravel-backup's `destination.disks` and Laravel's disk drivers
//!   (`config/backup.php`, `config/filesystems.php`);
//! - django-dbbackup: `"dbbackup"` in `INSTALLED_APPS` and its storage
//!   (`DBBACKUP_STORAGE`, or `STORAGES["dbbackup"]["BACKEND"]`).
//!
//! Built on the lexer in `code`, so comments never count. Files whose text
//! names none of this cost one substring search.

use super::code::{ident_at, punct_at, string_at, Lang, Spanned, Token};
use super::shell::{ShellCommand, ShellScript};

#[derive(Debug, Default)]
pub struct BackupCode {
    /// Commands parsed from string literals that run a dump or copy data
    /// off the machine, on the literal's line.
    pub commands: Vec<ShellCommand>,
    /// Whether a string literal mentions backups (`/var/backups`,
    /// `backup-%s.sql`).
    pub mentions_backup: bool,
    /// The code uploads through an object-storage SDK or a cloud disk.
    pub uploads_to_cloud: bool,
    /// The first line that writes a file (`fs.writeFileSync`,
    /// `createWriteStream`, `open(…, "w")`, `file_put_contents`).
    pub writes_file: Option<u32>,
    /// The code queries a database (`findMany`, `SELECT …`, `.query(`).
    pub reads_database: bool,
    /// A string literal that names a database file (`'/var/data.db'`,
    /// `"db.sqlite3"`): what a `cp $dbPath $backupPath` run from the same
    /// code copies.
    pub names_database_file: bool,
    /// The `mysqldump` npm package writing a file (`dumpToFile:`).
    pub mysqldump_to_file: Option<u32>,
    /// spatie/laravel-backup: the disks of `destination.disks` and the
    /// line, when every entry is a literal or an `env('NAME', 'default')`
    /// lookup with a literal default.
    pub backup_disks: Option<(Vec<BackupDisk>, u32)>,
    /// Whether a `'disks' => [` list was read already (only the first,
    /// the destination's, is kept).
    pub disks_key_seen: bool,
    /// Laravel `config/filesystems.php`: each disk's `driver`.
    pub disk_drivers: Vec<(String, String)>,
    /// django-dbbackup: the line of `"dbbackup"` in `INSTALLED_APPS`.
    pub dbbackup_installed: Option<u32>,
    /// django-dbbackup's storage backend and line; `None` as the value
    /// when it is computed (read from the environment).
    pub dbbackup_storage: Option<(Option<String>, u32)>,
}

/// A disk of spatie/laravel-backup's `destination.disks`: a name, or
/// `env('BACKUP_DISK_NAME', 'local')` (the default, and the variable that
/// can replace it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupDisk {
    pub name: String,
    pub env: Option<String>,
}

/// Words that make a string literal worth parsing as shell.
const COMMAND_WORDS: &[&str] = &[
    "pg_dump",
    "pg_dumpall",
    "mysqldump",
    "mariadb-dump",
    "mongodump",
    "dumpdata",
    "sqlite3 ",
    "cp ",
    "tar ",
    "aws s3",
    "gsutil",
    "rclone",
    "restic",
    "s3cmd",
    "azcopy",
    "borg ",
    "scp ",
    "rsync ",
];

/// Identifiers and module names of object-storage uploads.
const CLOUD_UPLOADS: &[&str] = &[
    "@aws-sdk/client-s3",
    "@aws-sdk/lib-storage",
    "@azure/storage-blob",
    "@google-cloud/storage",
    // Ruby: `require 'aws-sdk-s3'`, the older `aws/s3` and `S3` libraries,
    // fog's AWS provider.
    "aws-sdk-s3",
    "aws/s3",
    "S3",
    "fog/aws",
    "BlobServiceClient",
    "PutObjectCommand",
    "S3Client",
    "aws-sdk",
    "azure.storage.blob",
    "boto3",
    "google.cloud",
    "putObject",
    "upload_file",
    "upload_fileobj",
];

/// The words a file's text must contain for any of this to matter.
pub const NEEDLES: &[&str] = &["dump", "backup", "dbbackup", "disks", "cron"];

/// `"pg_dump -f #{tar} -U app"` → `"pg_dump -f $X -U app"`: a Ruby
/// interpolation is a value the shell receives, not a comment.
fn ruby_interpolations_as_variables(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("#{") {
        out.push_str(&rest[..at]);
        match rest[at..].find('}') {
            Some(end) => {
                out.push_str("$X");
                rest = &rest[at + end + 1..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl BackupCode {
    pub fn read(tokens: &[Spanned], text: &str, lang: Lang) -> BackupCode {
        let mut out = BackupCode::default();
        if !NEEDLES.iter().any(|n| text.contains(n)) {
            return out;
        }
        for (i, tok) in tokens.iter().enumerate() {
            match &tok.token {
                Token::Str(s) => out.read_string(tokens, i, s, lang),
                Token::Ident(w) => out.read_ident(tokens, i, w, lang),
                _ => {}
            }
        }
        out
    }

    fn read_string(&mut self, tokens: &[Spanned], i: usize, s: &str, lang: Lang) {
        let line = tokens[i].line;
        let lower = s.to_ascii_lowercase();
        self.mentions_backup |= lower.contains("backup");
        if CLOUD_UPLOADS.iter().any(|c| {
            s.strip_prefix(c)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }) {
            self.uploads_to_cloud = true;
        }
        if lower.starts_with("select ") && lower.contains(" from ") {
            self.reads_database = true;
        }
        if [".db", ".sqlite", ".sqlite3"]
            .iter()
            .any(|ext| lower.trim_end().ends_with(ext))
        {
            self.names_database_file = true;
        }
        if COMMAND_WORDS.iter().any(|w| s.contains(w)) {
            // A template literal's `${…}` placeholders, and Ruby's `#{…}`
            // interpolations, read as variables.
            let command = ruby_interpolations_as_variables(&s.replace("${}", "$X"));
            if let Ok(script) = ShellScript::parse(&command) {
                self.commands
                    .extend(script.commands.into_iter().map(|mut c| {
                        c.line = line;
                        c
                    }));
            }
        }
        // PHP arrays: `'disks' => [ 'local', 's3' ]`, `'name' => [ 'driver' => 'x'`.
        if lang == Lang::Php && arrow_at(tokens, i + 1) {
            if s == "disks" && punct_at(tokens, i + 3, '[') {
                let mut disks = Vec::new();
                let mut literal = true;
                let mut j = i + 4;
                while j < tokens.len() && !punct_at(tokens, j, ']') && j < i + 64 {
                    match &tokens[j].token {
                        Token::Str(d) => disks.push(BackupDisk {
                            name: d.clone(),
                            env: None,
                        }),
                        Token::Punct(',') => {}
                        // `env('BACKUP_DISK_NAME', 'local')`.
                        Token::Ident(f)
                            if f == "env"
                                && punct_at(tokens, j + 1, '(')
                                && punct_at(tokens, j + 3, ',')
                                && punct_at(tokens, j + 5, ')') =>
                        {
                            match (string_at(tokens, j + 2), string_at(tokens, j + 4)) {
                                (Some(var), Some(default)) => disks.push(BackupDisk {
                                    name: default.to_string(),
                                    env: Some(var.to_string()),
                                }),
                                _ => literal = false,
                            }
                            j += 5;
                        }
                        _ => literal = false,
                    }
                    j += 1;
                }
                // The first list is `backup.destination.disks`; the one of
                // `monitor_backups` below it only names the disks to watch.
                if literal && !disks.is_empty() && !self.disks_key_seen {
                    self.backup_disks = Some((disks, line));
                }
                self.disks_key_seen = true;
            }
            if punct_at(tokens, i + 3, '[') {
                if let (Some(Token::Str(key)), Some(Token::Str(driver))) = (
                    tokens.get(i + 4).map(|t| &t.token),
                    tokens.get(i + 7).map(|t| &t.token),
                ) {
                    if key == "driver" && arrow_at(tokens, i + 5) {
                        self.disk_drivers.push((s.to_string(), driver.clone()));
                    }
                }
            }
        }
        // `Storage::disk('s3')->put(…)`: a cloud disk.
        if lang == Lang::Php
            && matches!(s, "s3" | "gcs" | "r2" | "b2" | "spaces" | "ftp" | "sftp")
            && matches!(ident_at(tokens, i.wrapping_sub(2)), Some("disk"))
        {
            self.uploads_to_cloud = true;
        }
        if lang == Lang::Python && s == "dbbackup" {
            // `INSTALLED_APPS = [ …, "dbbackup" ]`, not `STORAGES["dbbackup"]`.
            let in_list = matches!(
                tokens.get(i.wrapping_sub(1)).map(|t| &t.token),
                Some(Token::Punct(',' | '[' | '('))
            ) && !punct_at(tokens, i + 1, ':');
            if in_list && self.dbbackup_installed.is_none() {
                self.dbbackup_installed = Some(line);
            }
            // `"dbbackup": {"BACKEND": "…"}`.
            if punct_at(tokens, i + 1, ':') && punct_at(tokens, i + 2, '{') {
                let backend = tokens[i + 3..]
                    .iter()
                    .take(16)
                    .collect::<Vec<_>>()
                    .windows(3)
                    .find_map(|w| match (&w[0].token, &w[1].token, &w[2].token) {
                        (Token::Str(k), Token::Punct(':'), value) if k == "BACKEND" => {
                            Some((string_of(value), w[0].line))
                        }
                        _ => None,
                    });
                if let Some(backend) = backend {
                    self.dbbackup_storage = Some(backend);
                }
            }
        }
    }

    fn read_ident(&mut self, tokens: &[Spanned], i: usize, w: &str, lang: Lang) {
        let line = tokens[i].line;
        if CLOUD_UPLOADS.contains(&w) {
            self.uploads_to_cloud = true;
        }
        match w {
            "writeFileSync" | "writeFile" | "createWriteStream" | "file_put_contents"
            | "write_text" | "write_bytes"
                if self.writes_file.is_none() =>
            {
                self.writes_file = Some(line);
            }
            "findMany" | "findAll" | "query" | "execute" | "raw" | "select" | "all" => {
                self.reads_database |= punct_at(tokens, i + 1, '(')
                    && matches!(
                        tokens.get(i.wrapping_sub(1)).map(|t| &t.token),
                        Some(Token::Punct('.'))
                    );
            }
            "dumpToFile" if punct_at(tokens, i + 1, ':') => {
                self.mysqldump_to_file.get_or_insert(line);
            }
            "DBBACKUP_STORAGE" if lang == Lang::Python && punct_at(tokens, i + 1, '=') => {
                // A literal alone on its line; anything else (`env("X", …)`,
                // a concatenation) is chosen at run time.
                let literal = tokens.get(i + 2).and_then(|t| string_of(&t.token));
                let alone = tokens.get(i + 3).is_none_or(|t| t.line != line);
                self.dbbackup_storage = Some((literal.filter(|_| alone), line));
            }
            _ => {}
        }
    }
}

fn string_of(token: &Token) -> Option<String> {
    match token {
        Token::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// PHP's `=>` at `i`.
fn arrow_at(tokens: &[Spanned], i: usize) -> bool {
    punct_at(tokens, i, '=') && punct_at(tokens, i + 1, '>')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::tokenize;

    fn read(src: &str, lang: Lang) -> BackupCode {
        BackupCode::read(&tokenize(src, lang), src, lang)
    }

    #[test]
    fn commands_in_strings() {
        let js = read(
            "cron.schedule('0 2 * * *', () => {\n  exec(`pg_dump ${process.env.DATABASE_URL} > backups/db-${stamp}.sql`);\n});\n",
            Lang::Js,
        );
        assert_eq!(js.commands[0].name, "pg_dump");
        assert_eq!(js.commands[0].line, 2);
        assert!(js.mentions_backup);
        let offsite = read(
            "exec(\"pg_dump $DATABASE_URL | aws s3 cp - s3://bucket/db.sql\")\n",
            Lang::Python,
        );
        assert!(offsite.commands.iter().any(|c| c.name == "aws"));
    }

    #[test]
    fn laravel_backup_and_filesystems() {
        let backup = read(
            "<?php\nreturn [\n  'backup' => [\n    'destination' => [\n      'disks' => [\n        'local',\n      ],\n    ],\n  ],\n];\n",
            Lang::Php,
        );
        let local = |name: &str, env: Option<&str>| BackupDisk {
            name: name.to_string(),
            env: env.map(str::to_string),
        };
        assert_eq!(backup.backup_disks, Some((vec![local("local", None)], 5)));
        let by_env = read(
            "<?php\nreturn ['backup' => ['destination' => [\n  'disks' => [env('BACKUP_DISK_NAME', 'local')],\n]]];\n",
            Lang::Php,
        );
        assert_eq!(
            by_env.backup_disks,
            Some((vec![local("local", Some("BACKUP_DISK_NAME"))], 3))
        );
        // The disks the health monitor reads are not where backups go.
        let monitored = read(
            "<?php\nreturn [\n  'backup' => [\n    'destination' => [\n      'disks' => ['local', 's3'],\n    ],\n  ],\n  'monitor_backups' => [\n    [\n      'name' => 'app',\n      'disks' => ['local'],\n    ],\n  ],\n];\n",
            Lang::Php,
        );
        assert_eq!(
            monitored.backup_disks,
            Some((vec![local("local", None), local("s3", None)], 5))
        );
        let disks = read(
            "<?php\nreturn ['disks' => [\n  'local' => [\n    'driver' => 'local',\n  ],\n  'backups' => ['driver' => 's3'],\n]];\n",
            Lang::Php,
        );
        assert_eq!(
            disks.disk_drivers,
            [
                ("local".to_string(), "local".to_string()),
                ("backups".to_string(), "s3".to_string())
            ]
        );
    }

    #[test]
    fn django_dbbackup() {
        let settings = read(
            "INSTALLED_APPS = [\n    'django.contrib.admin',\n    'dbbackup',\n]\nDBBACKUP_STORAGE = 'django.core.files.storage.FileSystemStorage'\n",
            Lang::Python,
        );
        assert_eq!(settings.dbbackup_installed, Some(3));
        assert_eq!(
            settings.dbbackup_storage,
            Some((
                Some("django.core.files.storage.FileSystemStorage".to_string()),
                5
            ))
        );
        let storages = read(
            "STORAGES = {\n    \"dbbackup\": {\n        \"BACKEND\": \"storages.backends.s3boto3.S3Boto3Storage\",\n    },\n}\n",
            Lang::Python,
        );
        assert_eq!(storages.dbbackup_installed, None);
        assert_eq!(
            storages.dbbackup_storage,
            Some((
                Some("storages.backends.s3boto3.S3Boto3Storage".to_string()),
                3
            ))
        );
    }
}
