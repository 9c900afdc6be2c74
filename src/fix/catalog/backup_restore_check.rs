//! backup-without-restore-test: a `restore-check.sh` beside the backup
//! script that takes a dump (its argument, else the newest one the backup
//! script left in its folder) and proves it restores:
//!
//! - always: the file is whole — `gzip -t` for a compressed dump,
//!   `pg_restore --list` for a custom-format one, the dump tool's closing
//!   comment at the end of a plain SQL dump;
//! - when `RESTORE_CHECK_DATABASE_URL` names a scratch database: the dump
//!   is restored into it and its tables counted, and the check fails when
//!   there are none.
//!
//! Safe: a new file; nothing runs it until a job is scheduled, which the
//! report asks for.

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::backup_retention::{dump_target, DumpTarget};
use super::{cited_line_now, cited_text};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "backup script")?;
    let line = cited_line_now(b, finding, &path, &text)?;
    let target = dump_target(&text, line, false)?;
    let script = script_for(&target, &text)?;
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let check = crate::apps::join(dir, "restore-check.sh");
    b.create(&check, script, true);
    b.manual(format!(
        "Schedule {check} after each backup (or weekly) on a host with the database client tools (with a scratch database named in the variable its header gives, it also restores the dump), and alert when it exits non-zero. When the dump is only kept off-site, download the newest one and pass its path as the argument."
    ));
    Ok(())
}

/// The restore check for dumps like `target`; `backup` is the backup
/// script, whose variable assignments the folder may use.
pub fn script_for(target: &DumpTarget, backup: &str) -> Result<String, String> {
    let engine = match target.tool.as_str() {
        "pg_dump" | "pg_dumpall" => "postgres",
        "mysqldump" | "mariadb-dump" => "mysql",
        "sqlite3" if !target.gzip => "sqlite",
        other => {
            return Err(format!(
                "seaworthy has no restore check for `{other}` dumps yet: write one by hand"
            ))
        }
    };
    // The folder may be a variable the backup script sets: set it the same.
    let mut settings = Vec::new();
    for name in variables_in(&target.dir) {
        let assigned = backup.lines().map(str::trim).find_map(|l| {
            l.strip_prefix(&format!("{name}="))
                .map(|v| format!("{name}=\"${{{name}:-{}}}\"", v.trim_matches(['"', '\''])))
        });
        match assigned {
            Some(line) if !line.contains("$(") && !line.contains('`') => settings.push(line),
            _ => settings.push(format!(
                ": \"${{{name}:?set {name} to the backup folder}}\""
            )),
        }
    }
    let mut s = String::new();
    s.push_str("#!/usr/bin/env bash\n");
    s.push_str("# Restore check for the database backups (added by seaworthy fix).\n");
    s.push_str(
        "# Usage: restore-check.sh [dump]  (default: the newest dump in the backup folder)\n",
    );
    // psql takes a URL; the mysql client takes a database name and reads
    // its credentials from its option files.
    let var = if engine == "postgres" {
        "RESTORE_CHECK_DATABASE_URL"
    } else {
        "RESTORE_CHECK_DATABASE"
    };
    if engine != "sqlite" {
        s.push_str(&format!(
            "# With {var} set to a scratch database, the dump is\n# restored into it and its tables counted.\n"
        ));
    }
    s.push_str("set -euo pipefail\n\n");
    for line in &settings {
        s.push_str(line);
        s.push('\n');
    }
    s.push_str(&format!(
        "dump=\"${{1:-$(find \"{}\" -maxdepth 1 -type f -name '{}' -printf '%T@ %p\\n' | sort -n | tail -n 1 | cut -d' ' -f2-)}}\"\n",
        target.dir, target.pattern
    ));
    s.push_str("if [ -z \"$dump\" ] || [ ! -s \"$dump\" ]; then\n  echo \"restore check: no dump to check\" >&2\n  exit 1\nfi\n\n");
    // Reading the dump: a command that prints it as SQL or restores it.
    let cat = if target.gzip {
        s.push_str("gzip -t \"$dump\"\n");
        "gzip -dc \"$dump\""
    } else {
        "cat \"$dump\""
    };
    let marker = match engine {
        "postgres" => "PostgreSQL database dump complete",
        _ => "Dump completed",
    };
    if engine == "sqlite" {
        // A SQLite backup is the database itself: checking it is opening it.
        s.push_str("result=$(sqlite3 \"$dump\" 'PRAGMA integrity_check;' 2>&1 || true)\n");
        s.push_str("if [ \"$result\" != \"ok\" ]; then\n  echo \"restore check: $dump is damaged: $result\" >&2\n  exit 1\nfi\n");
        s.push_str("tables=$(sqlite3 \"$dump\" \"select count(*) from sqlite_master where type = 'table'\")\n");
        s.push_str("if [ \"$tables\" -eq 0 ]; then\n  echo \"restore check: $dump holds no tables\" >&2\n  exit 1\nfi\n");
        s.push_str("echo \"restore check: $dump opens, passes integrity_check and holds $tables tables\"\n");
        return Ok(s);
    }
    if target.custom_format {
        if target.gzip {
            s.push_str("gzip -dc \"$dump\" | pg_restore --list > /dev/null\n");
        } else {
            s.push_str("pg_restore --list \"$dump\" > /dev/null\n");
        }
    } else {
        s.push_str(&format!(
            "{cat} | tail -n 20 | grep -q '{marker}' || {{ echo \"restore check: $dump is truncated\" >&2; exit 1; }}\n"
        ));
    }

    s.push_str(&format!("\nif [ -n \"${{{var}:-}}\" ]; then\n"));
    match (engine, target.custom_format) {
        ("postgres", true) => {
            let input = if target.gzip {
                "gzip -dc \"$dump\" | pg_restore --no-owner --no-privileges --clean --if-exists -d \"$RESTORE_CHECK_DATABASE_URL\""
            } else {
                "pg_restore --no-owner --no-privileges --clean --if-exists -d \"$RESTORE_CHECK_DATABASE_URL\" \"$dump\""
            };
            s.push_str(&format!("  {input}\n"));
        }
        ("postgres", false) => {
            s.push_str(&format!(
                "  {cat} | psql -v ON_ERROR_STOP=1 -q \"$RESTORE_CHECK_DATABASE_URL\" > /dev/null\n"
            ));
        }
        _ => {
            s.push_str(&format!("  {cat} | mysql \"$RESTORE_CHECK_DATABASE\"\n"));
        }
    }
    match engine {
        "postgres" => s.push_str("  tables=$(psql -tA \"$RESTORE_CHECK_DATABASE_URL\" -c \"select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')\")\n"),
        _ => s.push_str("  tables=$(mysql -N \"$RESTORE_CHECK_DATABASE\" -e \"select count(*) from information_schema.tables where table_schema = database()\")\n"),
    }
    s.push_str("  if [ \"$tables\" -eq 0 ]; then\n    echo \"restore check: $dump restored no tables\" >&2\n    exit 1\n  fi\n");
    s.push_str(&format!("  echo \"restore check: $dump restored $tables tables\"\nelse\n  echo \"restore check: $dump is complete (set {var} to restore it)\"\nfi\n"));
    Ok(s)
}

/// `$NAME` and `${NAME}` in a path, each once.
fn variables_in(path: &str) -> Vec<String> {
    let mut out = crate::facts::shell::expansions(path);
    let mut seen = std::collections::HashSet::new();
    out.retain(|name| seen.insert(name.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_dump_is_listed_and_restored() {
        let backup = "#!/usr/bin/env bash\nset -euo pipefail\nBACKUP_DIR=/var/backups/shop\nFILE=\"$BACKUP_DIR/shop-$(date +%F).dump\"\npg_dump --format=custom \"$DATABASE_URL\" > \"$FILE\"\n";
        let target = dump_target(backup, 5, false).expect("target");
        let s = script_for(&target, backup).expect("script");
        assert!(
            s.contains("\nBACKUP_DIR=\"${BACKUP_DIR:-/var/backups/shop}\"\n"),
            "{s}"
        );
        assert!(s.contains("-name 'shop-*.dump'"), "{s}");
        assert!(
            s.contains("pg_restore --list \"$dump\" > /dev/null\n"),
            "{s}"
        );
        assert!(
            s.contains("pg_restore --no-owner --no-privileges --clean --if-exists -d"),
            "{s}"
        );
    }

    #[test]
    fn a_sqlite_backup_is_opened_and_checked() {
        let backup = "#!/bin/sh\nsqlite3 /app/data/app.db \".backup '/app/data/backup.db'\"\naws s3 cp /app/data/backup.db s3://b/\n";
        let target = dump_target(backup, 2, false).expect("target");
        assert_eq!(
            (target.dir.as_str(), target.pattern.as_str()),
            ("/app/data", "backup.db")
        );
        let s = script_for(&target, backup).expect("script");
        assert!(
            s.contains("result=$(sqlite3 \"$dump\" 'PRAGMA integrity_check;' 2>&1 || true)\n"),
            "{s}"
        );
        assert!(
            dump_target(backup, 2, true).is_err(),
            "not dated: nothing to prune"
        );
    }

    #[test]
    fn a_gzipped_sql_dump_is_tested_and_read_to_its_end() {
        let backup = "#!/bin/bash\nset -eo pipefail\npg_dump \"$DATABASE_URL\" | gzip > \"/srv/backups/db-$(date +%F).sql.gz\"\n";
        let target = dump_target(backup, 3, false).expect("target");
        let s = script_for(&target, backup).expect("script");
        assert!(s.contains("gzip -t \"$dump\"\n"), "{s}");
        assert!(
            s.contains(
                "gzip -dc \"$dump\" | tail -n 20 | grep -q 'PostgreSQL database dump complete'"
            ),
            "{s}"
        );
        assert!(
            s.contains("gzip -dc \"$dump\" | psql -v ON_ERROR_STOP=1"),
            "{s}"
        );
    }
}
