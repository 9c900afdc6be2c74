//! What the repository tells the probe (`check PATH --probe URL`): where its
//! backups go. The reference report's "verify where these backups go" is
//! answered by looking there.
//!
//! Read from the repository's backup scripts (files whose path says
//! `backup`) and env examples, in this order:
//! 1. a literal `s3://BUCKET/PREFIX` (no variable in it);
//! 2. the bucket of `BACKUP_S3_BUCKET` — from the environment of the check,
//!    or a real value in an env example — with the prefix of
//!    `${BACKUP_S3_PREFIX:-prefix}` in a script (what `seaworthy fix`
//!    writes), or `BACKUP_S3_PREFIX` from the environment.

use std::path::Path;

/// The largest file read for it: backup scripts and env examples are small.
const MAX_FILE: u64 = 256 * 1024;

/// `(s3://BUCKET/PREFIX, where it was read)`, when the repository says.
pub fn backup_target(root: &Path) -> Option<(String, String)> {
    let mut literal: Option<(String, String)> = None;
    let mut bucket_in_example: Option<(String, String)> = None;
    let mut prefix_default: Option<String> = None;
    let walker = ignore::WalkBuilder::new(root).hidden(false).build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .to_string();
        if rel.starts_with(".git/") {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let env_example = (name.contains("env")
            && (name.contains("example") || name.contains("sample")))
            || name == ".env.template";
        let backupish = rel.to_ascii_lowercase().contains("backup");
        if !env_example && !backupish {
            continue;
        }
        if entry.metadata().map(|m| m.len()).unwrap_or(u64::MAX) > MAX_FILE {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') && !env_example {
                continue;
            }
            let place = format!("{rel}:{}", i + 1);
            if literal.is_none() {
                if let Some(url) = literal_s3(line) {
                    literal = Some((url, place.clone()));
                }
            }
            if env_example && bucket_in_example.is_none() {
                if let Some(value) = trimmed
                    .strip_prefix("BACKUP_S3_BUCKET=")
                    .map(|v| v.trim().trim_matches(['"', '\'']))
                {
                    if is_bucket_name(value) {
                        bucket_in_example = Some((value.to_string(), place.clone()));
                    }
                }
            }
            if prefix_default.is_none() {
                if let Some(rest) = line.split("${BACKUP_S3_PREFIX:-").nth(1) {
                    if let Some(p) = rest.split('}').next() {
                        if !p.is_empty() && !p.contains('$') {
                            prefix_default = Some(p.trim_matches('/').to_string());
                        }
                    }
                }
            }
        }
    }
    if literal.is_some() {
        return literal;
    }
    let (bucket, from) = match std::env::var("BACKUP_S3_BUCKET") {
        Ok(b) if is_bucket_name(&b) => (b, "the environment's BACKUP_S3_BUCKET".to_string()),
        _ => bucket_in_example?,
    };
    let prefix = std::env::var("BACKUP_S3_PREFIX")
        .ok()
        .filter(|p| !p.is_empty())
        .or(prefix_default)
        .unwrap_or_default();
    Some((format!("s3://{bucket}/{}", prefix.trim_matches('/')), from))
}

/// The first `s3://bucket[/prefix]` of a line with no shell variable in it.
fn literal_s3(line: &str) -> Option<String> {
    let start = line.find("s3://")?;
    let mut url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '`' | ')' | ';'))
        .collect();
    // A key built at run time (`…/nightly/$(date +%F).gz`): its folder is
    // the prefix. A variable in the bucket itself leaves nothing.
    if let Some(i) = url.find(['$', '{']) {
        url.truncate(i);
        match url.rfind('/') {
            Some(slash) if slash >= "s3://".len() => url.truncate(slash + 1),
            _ => return None,
        }
    }
    let bucket = url.trim_start_matches("s3://").split('/').next()?;
    is_bucket_name(bucket).then_some(url)
}

/// S3's bucket naming: 3–63 lower-case letters, digits, dots and hyphens;
/// placeholders (`BUCKET`, `your-bucket`, `<bucket>`) are not names.
fn is_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && !matches!(
            name,
            "bucket" | "my-bucket" | "your-bucket" | "example-bucket" | "changeme"
        )
        && !name.starts_with("your-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_url_in_a_backup_script_is_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("scripts")).expect("mkdir");
        std::fs::write(
            dir.path().join("scripts/backup-db.sh"),
            "#!/bin/sh\npg_dump app | gzip | aws s3 cp - \"s3://acme-db-backups/nightly/$(date +%F).gz\"\n",
        )
        .expect("write");
        let (url, from) = backup_target(dir.path()).expect("found");
        assert_eq!(url, "s3://acme-db-backups/nightly/");
        assert_eq!(from, "scripts/backup-db.sh:2");
    }

    #[test]
    fn the_bucket_of_an_env_example_and_the_prefix_of_the_fix_script() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("scripts")).expect("mkdir");
        std::fs::write(
            dir.path().join("scripts/backup-offsite.sh"),
            "prefix=${BACKUP_S3_PREFIX:-storefront}\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join(".env.example"),
            "BACKUP_S3_BUCKET=acme-backups\n",
        )
        .expect("write");
        let (url, _) = backup_target(dir.path()).expect("found");
        assert_eq!(url, "s3://acme-backups/storefront");
    }

    #[test]
    fn placeholders_and_variables_are_not_targets() {
        assert!(literal_s3("aws s3 cp x s3://$BUCKET/db/").is_none());
        assert!(literal_s3("aws s3 cp x s3://BUCKET/db/").is_none());
        assert!(!is_bucket_name("your-bucket-name"));
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(".env.example"), "BACKUP_S3_BUCKET=\n").expect("write");
        if std::env::var_os("BACKUP_S3_BUCKET").is_none() {
            assert!(backup_target(dir.path()).is_none());
        }
    }
}
