//! What the repository tells the probe (`check PATH --probe URL`), read
//! from the audit's index and parsed facts (no second walk of the tree):
//!
//! - the health routes the apps define (the same routes the static audit
//!   finds for `missing-health-endpoint`), tried before the well-known paths;
//! - where the backups go. The reference report's "verify where these
//!   backups go" is answered by looking there. Read from the shell scripts
//!   whose path says `backup` and the env examples, in this order:
//!   1. a literal `s3://BUCKET/PREFIX` (no variable in it);
//!   2. the bucket of `BACKUP_S3_BUCKET` — from the environment of the
//!      check, or a real value in an env example — with the prefix of
//!      `${BACKUP_S3_PREFIX:-prefix}` in a script (what `seaworthy fix`
//!      writes), or `BACKUP_S3_PREFIX` from the environment.

use crate::index::FileKind;
use crate::rules::observability::missing_health_endpoint::health_route_paths;
use crate::rules::{AppContext, RepoContext};

/// What the repository tells the probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// `(s3://BUCKET/PREFIX, where it was read)`.
    pub backup_target: Option<(String, String)>,
    /// Liveness (or combined) routes, as (path, `rel:line`).
    pub health: Vec<(String, String)>,
    /// Readiness routes, likewise.
    pub readiness: Vec<(String, String)>,
}

/// Reads the hints from the audit's contexts.
pub fn hints(repo: &RepoContext, apps: &[AppContext]) -> Hints {
    let mut hints = Hints {
        backup_target: backup_target(repo),
        ..Hints::default()
    };
    for cx in apps {
        for (path, place) in health_route_paths(cx) {
            let list = if is_readiness_path(&path) {
                &mut hints.readiness
            } else {
                &mut hints.health
            };
            if !list.iter().any(|(p, _)| *p == path) {
                list.push((path, place));
            }
        }
    }
    hints
}

/// `/api/health/ready`, `/readyz`, `/readiness`: a readiness route; any
/// other health route is a liveness (or combined) one.
fn is_readiness_path(path: &str) -> bool {
    path.split('/').any(|s| {
        let s = s.to_ascii_lowercase();
        s == "ready" || s == "readyz" || s == "readiness" || s == "_ready"
    })
}

/// Where the repository says its backups go, as `(s3://BUCKET/PREFIX,
/// where it was read)`.
pub fn backup_target(repo: &RepoContext) -> Option<(String, String)> {
    let index = repo.index;
    let facts = repo.facts;
    let mut literal: Option<(String, String)> = None;
    let mut bucket_in_example: Option<(String, String)> = None;
    let mut prefix_default: Option<String> = None;
    // The index is in path order: the first of each kind of hint wins, the
    // same on every checkout.
    for &id in index.of_kind(FileKind::ShellScript) {
        let rel = &index.get(id).rel;
        if !rel.to_ascii_lowercase().contains("backup") {
            continue;
        }
        let Some(script) = facts.shell_script(id) else {
            continue;
        };
        let words = script
            .commands
            .iter()
            .flat_map(|c| c.args.iter().map(move |a| (a.as_str(), c.line)))
            .chain(
                script
                    .assignments
                    .iter()
                    .map(|a| (a.value.as_str(), a.line)),
            );
        for (word, line) in words {
            if literal.is_none() {
                if let Some(url) = literal_s3(word) {
                    literal = Some((url, format!("{rel}:{line}")));
                }
            }
            if prefix_default.is_none() {
                prefix_default = prefix_of(word);
            }
        }
    }
    for &id in index.of_kind(FileKind::EnvExample) {
        let rel = &index.get(id).rel;
        let Some(env) = facts.env_file(id) else {
            continue;
        };
        for var in &env.vars {
            let place = format!("{rel}:{}", var.line);
            if literal.is_none() {
                if let Some(url) = literal_s3(&var.value) {
                    literal = Some((url, place.clone()));
                }
            }
            if bucket_in_example.is_none()
                && var.name == "BACKUP_S3_BUCKET"
                && is_bucket_name(&var.value)
            {
                bucket_in_example = Some((var.value.clone(), place));
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

/// The default of `${BACKUP_S3_PREFIX:-prefix}` in a word, when it is a
/// literal.
fn prefix_of(word: &str) -> Option<String> {
    let rest = word.split("${BACKUP_S3_PREFIX:-").nth(1)?;
    let p = rest.split('}').next()?;
    (!p.is_empty() && !p.contains('$')).then(|| p.trim_matches('/').to_string())
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
    use crate::audit::{ConfigSource, Options};

    fn hints_of(root: &std::path::Path) -> Hints {
        let options = Options {
            config: ConfigSource::None,
            ..Options::default()
        };
        crate::audit::run_with_hints(root, &options)
            .expect("audit runs")
            .1
    }

    fn backup_target(root: &std::path::Path) -> Option<(String, String)> {
        hints_of(root).backup_target
    }

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
        assert!(prefix_of("${BACKUP_S3_PREFIX:-$APP}").is_none());
        if std::env::var_os("BACKUP_S3_BUCKET").is_none() {
            assert!(backup_target(dir.path()).is_none());
        }
    }

    #[test]
    fn the_health_routes_the_app_defines_by_role() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(
            root.join("package.json"),
            r#"{"name":"shop","dependencies":{"next":"15.0.0"}}"#,
        )
        .expect("write");
        for (route, body) in [
            (
                "app/(ops)/api/healthz",
                "export function GET() { return Response.json({}) }\n",
            ),
            (
                "app/api/probe/readyz",
                "export async function GET() { return Response.json({}) }\n",
            ),
            (
                "app/api/orders",
                "export async function GET() { return Response.json([]) }\n",
            ),
        ] {
            std::fs::create_dir_all(root.join(route)).expect("mkdir");
            std::fs::write(root.join(route).join("route.ts"), body).expect("write");
        }
        let hints = hints_of(root);
        assert_eq!(
            hints.health,
            vec![(
                "/api/healthz".to_string(),
                "app/(ops)/api/healthz/route.ts:1".to_string()
            )]
        );
        assert_eq!(
            hints.readiness,
            vec![(
                "/api/probe/readyz".to_string(),
                "app/api/probe/readyz/route.ts:1".to_string()
            )]
        );
    }

    #[test]
    fn routes_registered_in_code() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(
            root.join("package.json"),
            r#"{"name":"api","main":"server.js","scripts":{"start":"node server.js"},"dependencies":{"express":"4.19.0"}}"#,
        )
        .expect("write");
        std::fs::write(
            root.join("server.js"),
            "const app = require('express')();\napp.get('/internal/healthz', (q, r) => r.json({}));\napp.get('/internal/readiness', (q, r) => r.json({}));\napp.listen(3000);\n",
        )
        .expect("write");
        let hints = hints_of(root);
        assert_eq!(
            hints.health,
            vec![("/internal/healthz".to_string(), "server.js:2".to_string())]
        );
        // Both routes of one file are taken, each in its role.
        assert_eq!(
            hints.readiness,
            vec![("/internal/readiness".to_string(), "server.js:3".to_string())]
        );
    }
}
