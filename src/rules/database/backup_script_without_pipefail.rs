//! backup-script-without-pipefail: a backup script whose dump can fail
//! without failing the script.

use crate::facts::shell::ShellCommand;
use crate::facts::ShellScript;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::database::backups_not_offsite::{app_of, backup_scripts};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "backup-script-without-pipefail",
        code: "SW503",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "Backup script ignores a failed dump",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Checks the backup scripts that `backups-not-offsite` finds (a script meant
as a backup that runs `pg_dump`, `mysqldump`, `mongodump`, …) and reports a
dump whose failure the script cannot notice:
- the dump is piped (`pg_dump … | gzip > …`, `pg_dump … | aws s3 cp - …`)
  and the script does not set `-o pipefail` (a pipeline's status is its last
  stage's), or sets it but neither stops on errors (`set -e`) nor tests the
  pipeline's status (`&&`, `||`, `if`);
- the dump is redirected to a file (`pg_dump … > db.sql`) and the script
  neither stops on errors (`set -e`, `set -o errexit`, `#!/bin/bash -e`) nor
  tests the dump's status.
A script that reads `PIPESTATUS` checks the stages itself and is not reported.

## Why is this bad?
A dump that fails half-way (wrong password, the server restarting, a full
disk) still leaves a file behind, and the script carries on and exits 0: a
truncated backup is uploaded, rotated in as the newest copy, and nobody
learns of it until the day a restore is needed.

## Example
### Reported
```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -e
pg_dump -Fc "$DATABASE_URL" | aws s3 cp - "s3://acme-backups/db-$(date +%F).dump"
```

### Not reported
```bash file=scripts/backup.sh
#!/usr/bin/env bash
set -euo pipefail
pg_dump -Fc "$DATABASE_URL" | aws s3 cp - "s3://acme-backups/db-$(date +%F).dump"
```

### Not reported
The dump's status is tested:

```bash file=scripts/backup.sh
#!/bin/sh
if ! pg_dump -Fc "$DATABASE_URL" > /var/backups/db.dump; then
  echo "backup failed" >&2
  exit 1
fi
aws s3 cp /var/backups/db.dump s3://acme-backups/db.dump
```

## Fix
Start the script with `#!/usr/bin/env bash` and `set -euo pipefail`, so a
failing stage fails the pipeline and stops the script before anything is
uploaded; alert when the backup job exits non-zero.

`seaworthy fix --unsafe` puts `set -euo pipefail` after the script's
shebang (a `#!/bin/sh` script moves to `#!/usr/bin/env bash`: `pipefail` is
not a POSIX sh option). It is unsafe because the script now stops at the
first failing command or unset variable, where it used to carry on.
"#;

/// What a dump's failure needs so the script notices it, and which of it is
/// missing.
fn missing_guard(script: &ShellScript, dump: &ShellCommand) -> Option<&'static str> {
    let errexit = script.exits_on_error();
    if dump.piped_into.is_some() {
        if script.variables_read.iter().any(|v| v == "PIPESTATUS") {
            return None;
        }
        let pipefail = script.sets_pipefail();
        return match (pipefail, errexit || dump.status_checked) {
            (true, true) => None,
            (false, true) => Some("`set -o pipefail`"),
            (true, false) => Some("`set -e`"),
            (false, false) => Some("`set -e` and `set -o pipefail`"),
        };
    }
    // The last command's status is the script's: a failing dump that ends
    // the script fails the job.
    // Commands after it that sit in its own words (`> "db-$(date +%F).sql"`)
    // run before it.
    let nested = |c: &ShellCommand| {
        dump.args
            .iter()
            .chain(dump.redirect.iter())
            .any(|w| w.contains(&format!("$({}", c.name)) || w.contains(&format!("`{}", c.name)))
    };
    let last = script
        .commands
        .iter()
        .position(|c| std::ptr::eq(c, dump))
        .is_some_and(|at| script.commands[at + 1..].iter().all(nested));
    if dump.redirect.is_some() && !errexit && !dump.status_checked && !last {
        return Some("`set -e` (or a test of the dump's exit status)");
    }
    None
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for backup in backup_scripts(cx) {
        let Some((dump, tool, missing)) = backup
            .dumps
            .iter()
            .find_map(|(c, t)| missing_guard(backup.script, c).map(|m| (*c, *t, m)))
        else {
            continue;
        };
        let how = match (&dump.piped_into, &dump.redirect) {
            (Some(next), _) => format!("pipes {} into {}", code(tool), code(next)),
            (None, Some(target)) => format!("redirects {} into {}", code(tool), code(target)),
            (None, None) => format!("runs {}", code(tool)),
        };
        let consequence = match &dump.piped_into {
            Some(_) if missing == "`set -e`" => {
                "a failed dump does not stop the script, which carries on".to_string()
            }
            Some(next) => format!(
                "the pipeline's status is {}'s, so a failed dump goes unnoticed and the script carries on",
                code(next)
            ),
            None => "a failed dump goes unnoticed and the script carries on".to_string(),
        };
        let message = format!(
            "{} {how} (line {}) without {missing}: {consequence}.",
            code(backup.rel),
            dump.line
        );
        findings.push(RULE.meta.finding(
            app_of(cx, backup.rel),
            message,
            "A dump that fails half-way (wrong password, the database restarting, a full disk) leaves a truncated file that is kept or uploaded as the newest backup, and the job reports success: the failure surfaces only when a restore is attempted.".to_string(),
            "Run the script with bash and start it with `set -euo pipefail`, so a failing stage fails the pipeline and stops the script before anything is uploaded; alert when the backup job exits non-zero.".to_string(),
            vec![Location::new(backup.rel, dump.line)],
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(src: &str) -> Option<&'static str> {
        let script = ShellScript::parse(src).expect("parses");
        let dump = script
            .commands
            .iter()
            .find(|c| c.name == "pg_dump")
            .expect("a dump");
        missing_guard(&script, dump)
    }

    #[test]
    fn decides_what_is_missing() {
        assert_eq!(
            guard("set -e\npg_dump db | gzip > db.gz\n"),
            Some("`set -o pipefail`")
        );
        assert_eq!(
            guard("set -euo pipefail\npg_dump db | gzip > db.gz\n"),
            None
        );
        assert_eq!(
            guard("set -o pipefail\npg_dump db | gzip > db.gz || exit 1\n"),
            None
        );
        assert_eq!(
            guard("pg_dump db > db.sql\ngzip db.sql\n"),
            Some("`set -e` (or a test of the dump's exit status)")
        );
        // The dump's status is the script's.
        assert_eq!(guard("cd /srv\npg_dump db > db.sql\n"), None);
        assert_eq!(guard("pg_dump db > \"db-$(date +%F).sql\"\n"), None);
        assert_eq!(guard("pg_dump db > db.sql && upload db.sql\n"), None);
        assert_eq!(guard("pg_dump -f db.sql db\n"), None);
        assert_eq!(
            guard("pg_dump db | gzip > x.gz\nif [ \"${PIPESTATUS[0]}\" -ne 0 ]; then exit 1; fi\n"),
            None
        );
    }
}
