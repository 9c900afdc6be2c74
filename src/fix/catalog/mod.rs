//! Fixes of the catalog rules whose remedy is mechanical (issue 18): one
//! remedy per file, each an edit of the files the finding cites.
//!
//! Unlike the seed fixes these do not generate an app's files from its
//! profile: they change the lines a finding points at (a compose service's
//! `depends_on:` entry, a published port, a backup script's first line)
//! and leave everything else byte for byte as it was — comments, key
//! order, quoting. Each remedy re-reads the file through the [`Builder`]
//! (so it sees what earlier plans of the run wrote), locates what to change
//! from the parsed tree's line numbers, and edits those lines only.

pub mod backup_encrypt;
pub mod backup_pipefail;
pub mod backup_restore_check;
pub mod backup_retention;
pub mod committed_env;
pub mod compose_app_healthcheck;
pub mod compose_healthcheck;
pub mod compose_password;
pub mod compose_ports;
pub mod compose_volume;
pub mod debug_off;
pub mod dockerfile_env_copy;
pub mod dockerfile_lockfile;
pub mod dockerfile_split;
pub mod dockerfile_user;
pub mod dockerignore;
pub mod env_drift;
pub mod env_example;
pub mod health_timeout;
pub mod k8s_container;
pub mod k8s_liveness;
pub mod k8s_probes;
pub mod k8s_replicas;
pub mod lines;
pub mod nextjs_dynamic;
pub mod prisma_migrate_deploy;
pub mod secret_fallback;
pub mod terraform_backend;
pub mod terraform_state;

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::Builder;

/// A catalog rule `seaworthy fix` can fix.
pub struct Remedy {
    pub rule: &'static str,
    /// Why it is applied only with `--unsafe`; `None` for a safe fix.
    pub unsafe_because: Option<&'static str>,
    pub plan: fn(&RepoContext, &Finding, &mut Builder) -> Result<(), String>,
}

pub static REMEDIES: &[Remedy] = &[
    Remedy {
        rule: "compose-depends-on-without-healthcheck",
        unsafe_because: None,
        plan: compose_healthcheck::plan,
    },
    Remedy {
        rule: "compose-database-without-volume",
        unsafe_because: Some(
            "a database already running keeps its rows in an anonymous volume: the new named volume starts empty until they are copied",
        ),
        plan: compose_volume::plan,
    },
    Remedy {
        rule: "compose-database-port-exposed",
        unsafe_because: Some(
            "it binds the database's published port to 127.0.0.1: a client on another host that connects to it directly loses access",
        ),
        plan: compose_ports::plan,
    },
    Remedy {
        rule: "compose-literal-password",
        unsafe_because: Some(
            "the deployment then refuses to start until the variables are set, and a database initialised with the old password keeps it",
        ),
        plan: compose_password::plan,
    },
    Remedy {
        rule: "dockerfile-runs-as-root",
        unsafe_because: Some(
            "the process loses root: files it writes outside its folder and entrypoints that expect root can break",
        ),
        plan: dockerfile_user::plan,
    },
    Remedy {
        rule: "dockerfile-copies-env-file",
        unsafe_because: Some(
            "an app that reads the file at start-up loses those values until the deployment provides them",
        ),
        plan: dockerfile_env_copy::plan,
    },
    Remedy {
        rule: "dockerfile-copy-without-dockerignore",
        unsafe_because: None,
        plan: dockerignore::plan,
    },
    Remedy {
        rule: "env-example-drift",
        unsafe_because: None,
        plan: env_drift::plan,
    },
    Remedy {
        rule: "backup-script-without-pipefail",
        unsafe_because: Some(
            "`set -euo pipefail` makes the script stop at the first failing command or unset variable, where it used to go on",
        ),
        plan: backup_pipefail::plan,
    },
    Remedy {
        rule: "committed-env-file",
        unsafe_because: Some(
            "it removes the file from the repository (the copy on disk stays) and cannot rewrite history: the values stay in every earlier commit",
        ),
        plan: committed_env::plan,
    },
    Remedy {
        rule: "k8s-missing-resources",
        unsafe_because: Some(
            "the requests and memory limit are a starting point, not measured: a container that needs more than 512Mi is OOM-killed",
        ),
        plan: k8s_container::plan_resources,
    },
    Remedy {
        rule: "k8s-not-run-as-non-root",
        unsafe_because: Some(
            "a container whose image runs as root, or as a user name rather than a uid, no longer starts",
        ),
        plan: k8s_container::plan_security,
    },
    Remedy {
        rule: "terraform-no-remote-backend",
        unsafe_because: Some(
            "the next `terraform init` moves the state to the bucket, which must exist first, with values only you know",
        ),
        plan: terraform_backend::plan,
    },
    Remedy {
        rule: "nextjs-health-route-cached",
        unsafe_because: None,
        plan: nextjs_dynamic::plan,
    },
    Remedy {
        rule: "dockerfile-install-ignores-lockfile",
        unsafe_because: Some(
            "the build now fails when the lockfile is out of date with package.json, where it used to resolve new versions and go on",
        ),
        plan: dockerfile_lockfile::plan,
    },
    Remedy {
        rule: "container-without-healthcheck",
        unsafe_because: None,
        plan: compose_app_healthcheck::plan,
    },
    Remedy {
        rule: "k8s-missing-readiness-probe",
        unsafe_because: Some(
            "a pod whose health route does not answer 200 on that port (it needs auth, the app has a base path) never becomes ready, and the rollout stalls",
        ),
        plan: k8s_probes::plan,
    },
    Remedy {
        rule: "k8s-liveness-checks-database",
        unsafe_because: Some(
            "a pod whose database is gone is no longer restarted: it stays running, out of the Service, until the database is back",
        ),
        plan: k8s_liveness::plan,
    },
    Remedy {
        rule: "k8s-single-replica",
        unsafe_because: Some(
            "two pods now run the app: state it keeps in memory or on the pod's disk (sessions, caches, in-process schedulers) is no longer shared",
        ),
        plan: k8s_replicas::plan,
    },
    Remedy {
        rule: "backup-without-retention",
        unsafe_because: Some(
            "it deletes dumps older than BACKUP_RETENTION_DAYS (14 unless set) from the backup folder",
        ),
        plan: backup_retention::plan,
    },
    Remedy {
        rule: "backup-not-encrypted",
        unsafe_because: Some(
            "the off-site copies become gpg files that only BACKUP_ENCRYPTION_PASSPHRASE opens, and the job stops until that variable is set",
        ),
        plan: backup_encrypt::plan,
    },
    Remedy {
        rule: "backup-without-restore-test",
        unsafe_because: None,
        plan: backup_restore_check::plan,
    },
    Remedy {
        rule: "prisma-migrate-dev-in-production",
        unsafe_because: Some(
            "schema changes not yet captured in a migration file are no longer applied by the deploy",
        ),
        plan: prisma_migrate_deploy::plan,
    },
    Remedy {
        rule: "debug-enabled-in-production",
        unsafe_because: Some(
            "error pages stop showing details, and Django with DEBUG off answers 400 until ALLOWED_HOSTS lists the site's host names",
        ),
        plan: debug_off::plan,
    },
    Remedy {
        rule: "hardcoded-fallback-secret",
        unsafe_because: Some(
            "the app (and a build that loads the module) stops until the variable is set",
        ),
        plan: secret_fallback::plan,
    },
    Remedy {
        rule: "dockerfile-single-stage-build",
        unsafe_because: Some(
            "the image keeps only package.json, the production node_modules and the build output: a file the app reads at run time from elsewhere in the source tree is gone until it is copied too",
        ),
        plan: dockerfile_split::plan,
    },
    Remedy {
        rule: "health-check-without-timeout",
        unsafe_because: Some(
            "a back-end slower than 2 s now fails the health check where it used to pass late",
        ),
        plan: health_timeout::plan,
    },
    Remedy {
        rule: "terraform-state-committed",
        unsafe_because: Some(
            "it cannot rewrite history (the state's secrets stay in earlier commits), and a teammate who pulls the commit that untracks the state loses their copy unless it moved to a remote backend first",
        ),
        plan: terraform_state::plan,
    },
];

/// The catalog remedy of a rule, if it has one.
/// A path as one shell word.
pub(crate) fn shell_quote(path: &str) -> String {
    if path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
    {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

/// Appends `block` (whole lines) to the file at `path` whose text is
/// `current`, on a line of its own; creates the file when it is absent.
pub(crate) fn append_lines(b: &mut Builder, path: &str, current: Option<&str>, block: &str) {
    match current {
        Some(text) => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            b.modify(path, format!("{text}{sep}{block}"));
        }
        None => b.create(path, block.to_string(), false),
    }
}

pub fn remedy(rule: &str) -> Option<&'static Remedy> {
    REMEDIES.iter().find(|r| r.rule == rule)
}

/// Plans the fix of a catalog finding; `None` when the rule has no
/// catalog remedy.
pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Option<Result<(), String>> {
    let remedy = remedy(finding.rule)?;
    b.plan.unsafe_fix = remedy.unsafe_because.is_some();
    b.plan.cited = cited_files(finding).iter().map(|p| p.to_string()).collect();
    Some((remedy.plan)(repo, finding, b))
}

/// The distinct files a finding cites, in order.
pub(crate) fn cited_files(finding: &Finding) -> Vec<&str> {
    let mut files: Vec<&str> = Vec::new();
    for l in &finding.locations {
        if !files.contains(&l.path.as_str()) {
            files.push(&l.path);
        }
    }
    files
}

/// The first file a finding cites and its text as the plan has it now
/// (`what` names the kind of file for the error).
pub(crate) fn cited_text(
    b: &Builder,
    finding: &Finding,
    what: &str,
) -> Result<(String, String), String> {
    let path = cited_files(finding)
        .first()
        .map(|p| p.to_string())
        .ok_or_else(|| format!("the finding cites no {what}"))?;
    let text = b
        .read(&path)
        .ok_or_else(|| format!("{path} is not there any more"))?;
    Ok((path, text))
}

/// The first line a finding cites in `path`, found again in `current`
/// (`relocated`).
pub(crate) fn relocated_line(
    b: &Builder,
    finding: &Finding,
    path: &str,
    current: &str,
    anchors: fn(&str) -> Vec<(String, u32)>,
) -> Result<u32, String> {
    relocated(b, finding, path, current, anchors)
        .first()
        .copied()
        .ok_or_else(|| format!("the cited line of {path} is not there any more"))
}

/// The lines a finding cites in `path`.
pub(crate) fn cited_lines(finding: &Finding, path: &str) -> Vec<u32> {
    finding
        .locations
        .iter()
        .filter(|l| l.path == path)
        .map(|l| l.line)
        .collect()
}

/// The lines a finding cites in `path`, moved to where the same things are
/// in `current`. A finding's lines are those of the file on disk; an earlier
/// plan of this run may have edited the file (a healthcheck inserted above
/// the ports), so each cited line is named by what it holds in the disk
/// version (`anchors`: identity → line) and found again by that name.
pub(crate) fn relocated(
    b: &Builder,
    finding: &Finding,
    path: &str,
    current: &str,
    anchors: fn(&str) -> Vec<(String, u32)>,
) -> Vec<u32> {
    let cited = cited_lines(finding, path);
    let disk = crate::facts::text::read_text(
        &b.tree.root().join(path),
        crate::facts::text::DEFAULT_MAX_FILE_SIZE,
    )
    .ok();
    let Some(disk) = disk.filter(|d| d != current) else {
        return cited;
    };
    let before = anchors(&disk);
    let now = anchors(current);
    cited
        .iter()
        .filter_map(|line| {
            let (name, _) = before.iter().find(|(_, l)| l == line)?;
            now.iter().find(|(n, _)| n == name).map(|(_, l)| *l)
        })
        .collect()
}

/// Each line of any text named by what it holds (trimmed) and how many
/// lines before it hold the same: for remedies whose cited line is found
/// by its text (a settings line, a script's dump command) when an earlier
/// plan of the run added lines above it.
pub(crate) fn line_anchors(text: &str) -> Vec<(String, u32)> {
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            let t = l.trim();
            let n = seen.entry(t).or_insert(0);
            *n += 1;
            (format!("{n} {t}"), u32::try_from(i + 1).unwrap_or(u32::MAX))
        })
        .collect()
}

/// The first line a finding cites in its first file, found again by its
/// text in the current version (`line_anchors`).
pub(crate) fn cited_line_now(
    b: &Builder,
    finding: &Finding,
    path: &str,
    current: &str,
) -> Result<u32, String> {
    relocated_line(b, finding, path, current, line_anchors)
}

/// What each line of a compose file that a finding can cite holds.
pub(crate) fn compose_anchors(text: &str) -> Vec<(String, u32)> {
    let Ok(compose) = crate::facts::compose::ComposeFile::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in &compose.services {
        out.push((format!("service {}", s.name), s.line));
        for d in &s.details.depends_on {
            out.push((format!("depends {} {}", s.name, d.service), d.line));
        }
        for (i, p) in s.details.ports.iter().enumerate() {
            out.push((format!("port {} {i}", s.name), p.line));
        }
        for e in &s.details.environment {
            out.push((format!("env {} {}", s.name, e.key), e.line));
        }
    }
    out
}

/// What each instruction line of a Dockerfile holds: (stage, instruction).
pub(crate) fn dockerfile_anchors(text: &str) -> Vec<(String, u32)> {
    let Ok(file) = crate::facts::dockerfile::Dockerfile::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (s, stage) in file.stages.iter().enumerate() {
        out.push((format!("from {s}"), stage.from.line));
        for (i, inst) in stage.instructions.iter().enumerate() {
            out.push((format!("{s} {i}"), inst.line));
        }
    }
    out
}

/// How `seaworthy rules` and the rule docs describe a rule's fix: `no`,
/// `safe` (applied by `seaworthy fix`), `unsafe` (only with `--unsafe`),
/// or `safe/unsafe` when it depends on the project.
pub fn fix_kind(rule: &str, fixable: bool) -> &'static str {
    if !fixable {
        return "no";
    }
    if let Some(r) = remedy(rule) {
        return if r.unsafe_because.is_some() {
            "unsafe"
        } else {
            "safe"
        };
    }
    match rule {
        // Moves the app's data to another database.
        "sqlite-in-production" => "unsafe",
        // Safe when it adds a job; unsafe when it changes an existing script.
        "backups-not-offsite" => "safe/unsafe",
        _ => "safe",
    }
}
