//! Fix for backups-not-offsite: ship the dump to S3-compatible object storage
//! and test that it restores.
//!
//! Next to the backup script the rule cited, the plan creates
//! - `backup-offsite.sh`: the dump streamed (PostgreSQL: `pg_dump
//!   --format=custom`; MySQL/MariaDB: `mysqldump --single-transaction`) or a
//!   consistent snapshot (SQLite: `sqlite3 .backup`) uploaded with
//!   `aws s3 cp`, server-side encrypted, under a UTC-timestamped key, its size
//!   checked, then a `.complete` marker;
//! - `backup-restore-check.sh`: the latest complete dump restored into a
//!   scratch database and its row counts compared with the source;
//! - `backup-s3-lifecycle.json`: the bucket lifecycle rule that expires old
//!   dumps (the old script's retention, else 30 days);
//! - for SQLite, `litestream.yml` in the app folder: continuous replication.
//!
//! and makes the old script run `backup-offsite.sh` after its own dump, so
//! the schedule it already has ships every backup off the machine. That
//! changes what a scheduled job does (it now needs the bucket and
//! credentials), so the plan is marked unsafe.

use crate::apps::App;
use crate::facts::shell::ShellCommand;
use crate::facts::ShellScript;
use crate::finding::Finding;
use crate::fix::{Edit, FixPlan};
use crate::index::FileKind;
use crate::rules::database::backups_not_offsite::{dump_tool, RULE};
use crate::rules::RepoContext;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "postgres-backup-offsite.sh",
        include_str!("templates/backup/postgres-backup-offsite.sh"),
    ),
    (
        "postgres-backup-restore-check.sh",
        include_str!("templates/backup/postgres-backup-restore-check.sh"),
    ),
    (
        "mysql-backup-offsite.sh",
        include_str!("templates/backup/mysql-backup-offsite.sh"),
    ),
    (
        "mysql-backup-restore-check.sh",
        include_str!("templates/backup/mysql-backup-restore-check.sh"),
    ),
    (
        "sqlite-backup-offsite.sh",
        include_str!("templates/backup/sqlite-backup-offsite.sh"),
    ),
    (
        "sqlite-backup-restore-check.sh",
        include_str!("templates/backup/sqlite-backup-restore-check.sh"),
    ),
    (
        "litestream.yml",
        include_str!("templates/backup/litestream.yml"),
    ),
    (
        "s3-lifecycle.json",
        include_str!("templates/backup/s3-lifecycle.json"),
    ),
];

fn template(name: &str) -> &'static str {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or_default()
}

/// The database engine a backup script dumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    MySql,
    Sqlite,
}

impl Engine {
    fn from_tool(tool: &str) -> Option<Engine> {
        match tool {
            "pg_dump" | "pg_dumpall" | "pg_basebackup" => Some(Engine::Postgres),
            "mysqldump" | "mariadb-dump" => Some(Engine::MySql),
            "sqlite3" | "cp" | "tar" => Some(Engine::Sqlite),
            // mongodump, redis-cli: no generator yet; the finding's text says
            // what to do.
            _ => None,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::MySql => "mysql",
            Engine::Sqlite => "sqlite",
        }
    }
}

/// What the generator read from the repository; the templates' inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSetup {
    pub engine: Engine,
    /// The backup script the finding cites.
    pub old_script: String,
    /// Folder of that script ("" at the root); the new files go there.
    pub script_dir: String,
    /// The app folder ("" for the root).
    pub app_dir: String,
    /// The variable holding the connection URL (PostgreSQL, MySQL).
    pub url_var: String,
    /// Whether `url_var` was read from the script or an env example.
    pub url_var_found: bool,
    /// The SQLite file, relative to the app folder.
    pub sqlite_path: String,
    /// Default key prefix in the bucket.
    pub prefix: String,
    /// Days to keep dumps, and whether that came from the old script.
    pub retention_days: u32,
    pub retention_found: bool,
    /// The script backs up SQLite and this run moves the app to PostgreSQL.
    pub replaces_sqlite: bool,
    /// The plan edits the old script (unsafe: it changes a scheduled job).
    pub changes_old_script: bool,
}

/// The plan for one backups-not-offsite finding; `None` when the finding is
/// another rule's, its script is gone, the engine has no generator, or the
/// files the plan would create already exist.
pub fn plan(cx: &RepoContext, finding: &Finding) -> Option<FixPlan> {
    plan_with(cx, finding, false, true)
}

/// [`plan`], knowing
/// - whether this run also moves the app from SQLite to PostgreSQL (the
///   sqlite-in-production fix, planned before this one): then a SQLite backup
///   script is answered with the PostgreSQL scripts, and the old script, whose
///   SQLite file the app no longer uses, hands over to them;
/// - whether unsafe fixes are allowed: only then does the old script change
///   (it calls the new one). Without, the plan only creates files and is
///   safe; the finding stays until the schedule runs the new script and the
///   old one is retired.
pub fn plan_with(
    cx: &RepoContext,
    finding: &Finding,
    moved_to_postgres: bool,
    change_old_script: bool,
) -> Option<FixPlan> {
    if finding.rule != RULE.meta.name {
        return None;
    }
    let mut setup = inspect(cx, finding, moved_to_postgres)?;
    setup.changes_old_script = change_old_script;
    let files = render(&setup);
    if files
        .iter()
        .any(|(path, _, _)| cx.index.find(path).is_some())
    {
        return None;
    }
    let old_id = cx.index.find(&setup.old_script)?;
    // Facts keep the parsed script, not its text: read it for the edit.
    let old_text = std::fs::read_to_string(cx.index.path(old_id)).ok()?;
    let script = cx.facts.shell_script(old_id)?;
    let mut edits: Vec<Edit> = files
        .into_iter()
        .map(|(path, after, executable)| {
            let edit = Edit::create(path, after);
            if executable {
                edit.executable()
            } else {
                edit
            }
        })
        .collect();
    let handover = if !setup.changes_old_script {
        None
    } else if setup.replaces_sqlite {
        Some(hand_over(&old_text, &setup))
    } else {
        chain_offsite(&old_text, script)
    };
    let changes_old_script = handover.is_some();
    if let Some(after) = handover {
        edits.push(Edit::modify(setup.old_script.clone(), old_text, after).executable());
    }
    Some(FixPlan {
        rule: RULE.meta.name,
        app: finding.app.clone(),
        edits,
        unsafe_fix: changes_old_script,
        manual_steps: manual_steps(&setup),
        next_commands: next_commands(&setup),
        assumptions: assumptions(&setup),
        ..FixPlan::default()
    })
}

/// Audits `root` and plans a fix for every backups-not-offsite finding: the
/// generator on its own, for tests and until the fix engine drives it.
pub fn plans_for_root(root: &std::path::Path) -> Vec<FixPlan> {
    let walked = crate::walk::walk(root);
    let index = crate::index::Index::build(root, walked.files);
    let facts = crate::facts::Facts::new(&index, crate::facts::text::DEFAULT_MAX_FILE_SIZE);
    let apps = crate::apps::discover(&facts);
    let cx = RepoContext::new(&facts, &apps);
    let crate::rules::Check::Repo(check) = RULE.check else {
        return Vec::new();
    };
    check(&cx).iter().filter_map(|f| plan(&cx, f)).collect()
}

/// Reads the engine, variables and paths the templates need.
pub fn inspect(
    cx: &RepoContext,
    finding: &Finding,
    moved_to_postgres: bool,
) -> Option<BackupSetup> {
    let location = finding.locations.first()?;
    let id = cx.index.find(&location.path)?;
    let script = cx.facts.shell_script(id)?;
    let dump = script
        .commands
        .iter()
        .filter(|c| dump_tool(c).is_some())
        .min_by_key(|c| c.line.abs_diff(location.line))?;
    let found = Engine::from_tool(dump_tool(dump)?)?;
    let replaces_sqlite = moved_to_postgres && found == Engine::Sqlite;
    let engine = if replaces_sqlite {
        Engine::Postgres
    } else {
        found
    };
    let old_script = location.path.clone();
    let script_dir = cx.index.get(id).dir().to_string();
    let app = owning_app(cx.apps, &old_script);
    let app_dir = app
        .map(|a| if a.path == "." { "" } else { a.path.as_str() })
        .unwrap_or("")
        .to_string();

    let (url_var, url_var_found) = match engine {
        Engine::Sqlite => ("DATABASE_URL".to_string(), false),
        // Prisma 7 keeps the URL in prisma.config.ts: the env example names it.
        _ if replaces_sqlite => prisma_url_var(cx, &app_dir)
            .or_else(|| env_example_url_var(cx, &app_dir, Engine::Postgres))
            .map(|v| (v, true))
            .unwrap_or_else(|| ("DATABASE_URL".to_string(), false)),
        _ => url_variable(dump)
            .or_else(|| env_example_url_var(cx, &app_dir, engine))
            .map(|v| (v, true))
            .unwrap_or_else(|| ("DATABASE_URL".to_string(), false)),
    };
    let sqlite_path = match found {
        Engine::Sqlite => sqlite_file(dump, script).unwrap_or_else(|| "data.db".to_string()),
        _ => String::new(),
    };
    let name = app
        .and_then(|a| a.name.as_deref())
        .map(|n| n.rsplit('/').next().unwrap_or(n))
        .map(slug)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "app".to_string());
    let retention = retention_days(script);
    Some(BackupSetup {
        engine,
        old_script,
        script_dir,
        app_dir,
        url_var,
        url_var_found,
        sqlite_path,
        prefix: format!("{name}/{}", engine.slug()),
        retention_days: retention.unwrap_or(30),
        retention_found: retention.is_some(),
        replaces_sqlite,
        changes_old_script: true,
    })
}

/// The files the plan creates: (path, content, executable).
pub fn render(setup: &BackupSetup) -> Vec<(String, String, bool)> {
    let join = |dir: &str, name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    let to_app = relative_up(&setup.script_dir, &setup.app_dir);
    // In the scripts' headers the descriptions start in one column.
    let padded = format!("{:<21} ", setup.url_var);
    let fill = |text: &str| {
        text.replace("{{DB_URL_VAR}}  ", &padded)
            .replace("{{DB_URL_VAR}}", &setup.url_var)
            .replace("{{PREFIX}}", &setup.prefix)
            .replace("{{OLD_SCRIPT}}", &setup.old_script)
            .replace("{{SQLITE_PATH}}", &setup.sqlite_path)
            .replace("{{TO_APP}}", &to_app)
            .replace("{{RETENTION_DAYS}}", &setup.retention_days.to_string())
            .replace(
                "{{RETENTION_HOURS}}",
                &(setup.retention_days * 24).to_string(),
            )
    };
    let engine = setup.engine.slug();
    let mut files = vec![
        (
            join(&setup.script_dir, "backup-offsite.sh"),
            fill(template(&format!("{engine}-backup-offsite.sh"))),
            true,
        ),
        (
            join(&setup.script_dir, "backup-restore-check.sh"),
            fill(template(&format!("{engine}-backup-restore-check.sh"))),
            true,
        ),
        (
            join(&setup.script_dir, "backup-s3-lifecycle.json"),
            fill(template("s3-lifecycle.json")),
            false,
        ),
    ];
    if setup.engine == Engine::Sqlite {
        files.push((
            join(&setup.app_dir, "litestream.yml"),
            fill(template("litestream.yml")),
            false,
        ));
    }
    files
}

/// The innermost app whose folder holds `rel`.
fn owning_app<'a>(apps: &'a [App], rel: &str) -> Option<&'a App> {
    apps.iter()
        .filter(|a| a.path == "." || rel.starts_with(&format!("{}/", a.path)))
        .max_by_key(|a| if a.path == "." { 0 } else { a.path.len() })
}

/// `..` steps from `from` (a folder under the root) up to `to` (a folder
/// that contains it); "." when they are the same.
fn relative_up(from: &str, to: &str) -> String {
    let depth = |p: &str| p.split('/').filter(|s| !s.is_empty()).count();
    let steps = depth(from).saturating_sub(depth(to));
    if steps == 0 {
        ".".to_string()
    } else {
        vec![".."; steps].join("/")
    }
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

/// Shell variable names expanded in a word (`$A`, `${B}`, `${C:-x}`).
fn expanded_variables(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = word.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let start = if bytes.get(i + 1) == Some(&b'{') {
                i + 2
            } else {
                i + 1
            };
            let end = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |p| start + p);
            if end > start && !bytes[start].is_ascii_digit() {
                out.push(word[start..end].to_string());
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// A connection-URL variable the dump command expands (`"$DATABASE_URL"`).
fn url_variable(dump: &ShellCommand) -> Option<String> {
    dump.args
        .iter()
        .flat_map(|a| expanded_variables(a))
        .find(|v| {
            let upper = v.to_ascii_uppercase();
            ["URL", "URI", "DSN"].iter().any(|k| upper.ends_with(k))
        })
}

/// The app's env example variable whose value is a URL of this engine, or
/// `DATABASE_URL` when the example declares it.
fn env_example_url_var(cx: &RepoContext, app_dir: &str, engine: Engine) -> Option<String> {
    let schemes: &[&str] = match engine {
        Engine::Postgres => &["postgres://", "postgresql://"],
        Engine::MySql => &["mysql://", "mariadb://"],
        Engine::Sqlite => return None,
    };
    let mut declared_database_url = false;
    for id in cx.index.of_kind(FileKind::EnvExample) {
        if cx.index.get(*id).dir() != app_dir {
            continue;
        }
        let Some(env) = cx.facts.env_file(*id) else {
            continue;
        };
        if let Some(var) = env.vars.iter().find(|v| {
            let value = v.value.trim_matches(|c| c == '"' || c == '\'');
            schemes.iter().any(|s| value.starts_with(s))
        }) {
            return Some(var.name.clone());
        }
        declared_database_url |= env.get("DATABASE_URL").is_some();
    }
    declared_database_url.then(|| "DATABASE_URL".to_string())
}

/// The SQLite file a `sqlite3 FILE ".backup …"` or `cp FILE.db …` reads,
/// when it is a plain relative or absolute path (a variable set to a literal
/// in the script is followed).
fn sqlite_file(dump: &ShellCommand, script: &ShellScript) -> Option<String> {
    let candidate = if dump.name == "sqlite3" {
        dump.args.iter().find(|a| !a.starts_with('-'))?
    } else {
        dump.args.iter().find(|a| {
            [".db", ".sqlite", ".sqlite3"]
                .iter()
                .any(|ext| a.ends_with(ext))
        })?
    };
    let mut path = candidate.trim_matches('"').to_string();
    for var in expanded_variables(&path.clone()) {
        let value = script
            .assignments
            .iter()
            .rev()
            .find(|a| a.name == var)
            .map(|a| a.value.trim_matches('"').to_string())?;
        path = path
            .replace(&format!("${{{var}}}"), &value)
            .replace(&format!("${var}"), &value);
    }
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'));
    (plain && !path.is_empty()).then(|| path.trim_start_matches("./").to_string())
}

/// The variable a Prisma datasource in the app folder reads its URL from
/// (`url = env("DATABASE_URL")`).
fn prisma_url_var(cx: &RepoContext, app_dir: &str) -> Option<String> {
    let prefix = if app_dir.is_empty() {
        String::new()
    } else {
        format!("{app_dir}/")
    };
    cx.index
        .of_kind(FileKind::PrismaSchema)
        .iter()
        .filter(|id| cx.rel(**id).starts_with(&prefix))
        .filter_map(|id| cx.facts.prisma_schema(*id))
        .flat_map(|schema| schema.datasources.iter())
        .find_map(|ds| match &ds.url.as_ref()?.value {
            crate::facts::prisma::SettingValue::Env(name) => Some(name.clone()),
            _ => None,
        })
}

/// The old SQLite backup script, handing over to the PostgreSQL backup: the
/// same path, so the schedule that runs it keeps working.
fn hand_over(old: &str, s: &BackupSetup) -> String {
    let shebang = old
        .lines()
        .next()
        .filter(|l| l.starts_with("#!"))
        .unwrap_or("#!/usr/bin/env bash");
    format!(
        "{shebang}\n\
         # This script backed up the SQLite file {}; the app now runs on PostgreSQL\n\
         # (seaworthy fix: sqlite-in-production), so it runs the off-site PostgreSQL\n\
         # backup instead (seaworthy fix: backups-not-offsite). Needs {}, BACKUP_S3_BUCKET\n\
         # and credentials; see backup-offsite.sh.\n\
         exec \"$(dirname \"$0\")/backup-offsite.sh\" \"$@\"\n",
        s.sqlite_path, s.url_var
    )
}

/// Days the old script keeps copies: `find … -mtime +N -delete`.
fn retention_days(script: &ShellScript) -> Option<u32> {
    script
        .commands
        .iter()
        .filter(|c| c.name == "find")
        .find_map(|c| {
            let i = c.args.iter().position(|a| a == "-mtime" || a == "-ctime")?;
            c.args
                .get(i + 1)?
                .trim_start_matches('+')
                .parse::<u32>()
                .ok()
        })
        .filter(|d| *d > 0)
}

/// The old script with a call to `backup-offsite.sh` after its own work: its
/// folder captured before any `cd`, the call appended (before a final
/// `exit`). `None` when the script already calls it.
fn chain_offsite(text: &str, script: &ShellScript) -> Option<String> {
    if script
        .commands
        .iter()
        .any(|c| c.program.ends_with("backup-offsite.sh"))
    {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    // After the shebang and the leading comments: before any `cd`.
    let head = lines
        .iter()
        .take_while(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        })
        .count();
    // Before a trailing `exit`, which would skip an appended line.
    let mut tail = lines.len();
    while tail > head {
        let t = lines[tail - 1].trim();
        if t.is_empty() || t.starts_with('#') {
            tail -= 1;
            continue;
        }
        if t == "exit" || t.starts_with("exit ") {
            tail -= 1;
        }
        break;
    }
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i == head {
            out.push_str(
                "# This script's folder, before any cd (seaworthy fix: backups-not-offsite).\n",
            );
            out.push_str("offsite_dir=$(cd \"$(dirname \"$0\")\" && pwd)\n");
        }
        if i == tail {
            push_call(&mut out);
        }
        out.push_str(line);
        out.push('\n');
    }
    if head >= lines.len() {
        out.push_str("offsite_dir=$(cd \"$(dirname \"$0\")\" && pwd)\n");
    }
    if tail >= lines.len() {
        push_call(&mut out);
    }
    Some(out)
}

fn push_call(out: &mut String) {
    out.push_str(
        "\n# The copies above stay on this machine; ship one to object storage\n\
         # (seaworthy fix: backups-not-offsite; needs BACKUP_S3_BUCKET and credentials).\n\
         \"$offsite_dir/backup-offsite.sh\"\n",
    );
}

fn manual_steps(s: &BackupSetup) -> Vec<String> {
    let dir = if s.script_dir.is_empty() {
        String::new()
    } else {
        format!("{}/", s.script_dir)
    };
    let mut steps = vec![
        format!(
            "Create a bucket in another account or region than the server (block public access, enable versioning), e.g. `aws s3api create-bucket --bucket BUCKET --region REGION --create-bucket-configuration LocationConstraint=REGION`; for MinIO/R2/B2 set BACKUP_S3_ENDPOINT (and BACKUP_S3_SSE=none where the store has no SSE-S3)."
        ),
        format!(
            "Expire old dumps with the lifecycle rule: `aws s3api put-bucket-lifecycle-configuration --bucket BUCKET --lifecycle-configuration file://{dir}backup-s3-lifecycle.json` ({} days{}).",
            s.retention_days,
            if s.retention_found { ", the old script's retention" } else { "" }
        ),
        format!(
            "Give the server write-only credentials: an IAM policy allowing only s3:PutObject and s3:GetObject (the size check reads the object's metadata) on arn:aws:s3:::BUCKET/{}/* — no s3:DeleteObject, no s3:ListBucket — so a compromised server cannot delete backups; bucket versioning or Object Lock keeps it from overwriting them. The restore check runs elsewhere with s3:ListBucket (prefix {}/) and s3:GetObject.",
            s.prefix, s.prefix
        ),
        format!(
            "Put BACKUP_S3_BUCKET (and BACKUP_S3_ENDPOINT, AWS credentials or an instance role){} in the environment the backup runs in (cron does not read the app's .env).",
            match s.engine {
                Engine::Sqlite => String::new(),
                _ => format!(", {}", s.url_var),
            }
        ),
        format!(
            "{}: cron `15 3 * * * cd /path/to/app && {dir}backup-offsite.sh`, or a Kubernetes CronJob running the same script in an image with the database client and the AWS CLI.",
            if !s.changes_old_script {
                format!(
                    "Run {dir}backup-offsite.sh on a schedule instead of {} and retire the old script (`seaworthy fix --unsafe` makes it call the new one instead)",
                    s.old_script
                )
            } else if s.replaces_sqlite {
                format!("Keep the schedule that runs {} (it now runs {dir}backup-offsite.sh), or schedule {dir}backup-offsite.sh directly", s.old_script)
            } else {
                format!(
                    "Keep the schedule that runs {} (it now calls {dir}backup-offsite.sh after its local copy), or schedule {dir}backup-offsite.sh directly",
                    s.old_script
                )
            }
        ),
        format!(
            "Schedule the restore test weekly on a machine that is not the database server: cron `0 5 * * 0 {dir}backup-restore-check.sh`; alert when it exits non-zero."
        ),
    ];
    match s.engine {
        Engine::Postgres => steps.push(
            "Install a pg_dump at least as new as the server (postgresql-client-<server major>); set BACKUP_PG_GLOBALS=1 with a superuser URL to keep roles too.".to_string(),
        ),
        Engine::MySql => steps.push(
            "The backup user needs SELECT, SHOW VIEW, TRIGGER and LOCK TABLES; tables must be InnoDB for --single-transaction to give a consistent dump.".to_string(),
        ),
        Engine::Sqlite => steps.push(format!(
            "For continuous replication instead of nightly snapshots, install Litestream and run `litestream replicate -config {}litestream.yml` beside the app (LITESTREAM_DB_PATH = the absolute path of {}).",
            if s.app_dir.is_empty() { String::new() } else { format!("{}/", s.app_dir) },
            s.sqlite_path
        )),
    }
    steps
}

fn next_commands(s: &BackupSetup) -> Vec<String> {
    let dir = if s.script_dir.is_empty() {
        ".".to_string()
    } else {
        s.script_dir.clone()
    };
    vec![
        format!("BACKUP_S3_BUCKET=BUCKET {dir}/backup-offsite.sh"),
        format!("BACKUP_S3_BUCKET=BUCKET {dir}/backup-restore-check.sh"),
    ]
}

fn assumptions(s: &BackupSetup) -> Vec<String> {
    let mut out = vec![if !s.changes_old_script {
        format!(
            "{} is left as it is: it keeps its copies on this machine, and the audit keeps reporting it until it is retired or calls backup-offsite.sh.",
            s.old_script
        )
    } else if s.replaces_sqlite {
        format!(
            "{} backed up the SQLite file {}, which the app no longer uses after the move to PostgreSQL: it now runs backup-offsite.sh instead, so the schedule that runs it keeps working.",
            s.old_script, s.sqlite_path
        )
    } else {
        format!(
            "{} stays; it now also runs backup-offsite.sh, so it fails (after its local copy) until BACKUP_S3_BUCKET and credentials are set.",
            s.old_script
        )
    }];
    match s.engine {
        Engine::Sqlite => out.push(format!(
            "The SQLite database is {} relative to the app folder (BACKUP_SQLITE_PATH overrides it).",
            s.sqlite_path
        )),
        _ if !s.url_var_found => out.push(format!(
            "No connection-URL variable found in the dump command or the env example: the scripts read {} ({}).",
            s.url_var,
            match s.engine {
                Engine::MySql => "mysql://USER:PASSWORD@HOST:PORT/DATABASE",
                _ => "postgresql://USER:PASSWORD@HOST:5432/DATABASE, or libpq's PGHOST, PGDATABASE, PGUSER, PGPASSWORD",
            }
        )),
        _ => out.push(format!(
            "The scripts read the connection URL from {}, as the app does.",
            s.url_var
        )),
    }
    if !s.retention_found {
        out.push("Dumps are kept 30 days (the old script sets no retention).".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variables() {
        assert_eq!(
            expanded_variables("${DATABASE_URL:-x}/$B_2 $1 $"),
            vec!["DATABASE_URL".to_string(), "B_2".to_string()]
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative_up("scripts", ""), "..");
        assert_eq!(relative_up("apps/web/scripts/db", "apps/web"), "../..");
        assert_eq!(relative_up("", ""), ".");
    }

    #[test]
    fn chains_before_a_final_exit() {
        let text = "#!/bin/sh\n# nightly\ncd /srv\npg_dump db > x.sql\nexit 0\n";
        let script = ShellScript::parse(text).expect("parses");
        let out = chain_offsite(text, &script).expect("chained");
        let dir = out.find("offsite_dir=$(cd").expect("dir captured");
        assert!(dir < out.find("cd /srv").expect("cd kept"));
        let call = out
            .find("\"$offsite_dir/backup-offsite.sh\"")
            .expect("call");
        assert!(call < out.find("exit 0").expect("exit kept"));
        let again = ShellScript::parse(&out).expect("parses");
        assert!(chain_offsite(&out, &again).is_none());
    }
}
