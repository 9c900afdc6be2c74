//! backup-script-without-pipefail: the backup script starts with
//! `set -euo pipefail`, so a dump that fails half-way fails the pipeline
//! and stops the script before the truncated file is kept or uploaded.
//!
//! `pipefail` is a bash (and ksh, zsh) option: a `#!/bin/sh` script is
//! moved to bash. Unsafe: the script now stops at the first failing command
//! or unset variable, where it used to carry on.

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::cited_text;
use super::lines::{LineEdits, Text};
use crate::fix::Builder;

pub const SET_LINE: &str = "set -euo pipefail";

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "script")?;
    let (after, moved_to_bash) = fix_text(&path, &text)?;
    b.modify(&path, after);
    if moved_to_bash {
        b.manual(format!(
            "{path} now runs with bash (`pipefail` is not a POSIX sh option): a job that starts it as `sh {path}` must start it as `bash {path}` or run it directly."
        ));
    }
    b.manual(
        "Alert on the backup job's exit status: the script now fails loudly when the dump fails.",
    );
    Ok(())
}

/// The script with `set -euo pipefail` after its shebang; whether the
/// shebang moved from sh to bash.
pub fn fix_text(path: &str, text: &str) -> Result<(String, bool), String> {
    let lines = Text::new(text);
    let first = lines.line(1).unwrap_or_default();
    let shell_file = path.ends_with(".sh") || path.ends_with(".bash");
    let mut edits = LineEdits::default();
    let Some(shebang) = first.strip_prefix("#!") else {
        if !shell_file {
            return Err(format!(
                "{path} is not a shell script seaworthy can edit (no shebang, no .sh name): add `set -euo pipefail` where its commands run"
            ));
        }
        // No interpreter line: whoever runs it decides; the options go first.
        edits.replace(1, vec![SET_LINE.to_string(), first.to_string()]);
        return Ok((edits.apply(text), false));
    };
    let words: Vec<&str> = shebang.split_whitespace().collect();
    let interpreter = match words.as_slice() {
        [env, name, ..] if env.ends_with("/env") => *name,
        [prog, ..] => prog.rsplit('/').next().unwrap_or(prog),
        [] => "",
    };
    let moved = match interpreter {
        "bash" | "zsh" | "ksh" => false,
        "sh" | "dash" | "ash" => true,
        other => {
            return Err(format!(
                "{path} runs with `{other}`, not a shell seaworthy knows to take `pipefail`"
            ))
        }
    };
    let new_shebang = if moved {
        "#!/usr/bin/env bash".to_string()
    } else {
        first.to_string()
    };
    edits.replace(1, vec![new_shebang, SET_LINE.to_string()]);
    Ok((edits.apply(text), moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_options_follow_the_shebang() {
        let (out, moved) = fix_text(
            "backup.sh",
            "#!/bin/bash\n# nightly\npg_dump \"$DATABASE_URL\" | gzip > db.gz\n",
        )
        .expect("fixed");
        assert!(!moved);
        assert_eq!(
            out,
            "#!/bin/bash\nset -euo pipefail\n# nightly\npg_dump \"$DATABASE_URL\" | gzip > db.gz\n"
        );
        let (out, moved) = fix_text("b.sh", "#!/bin/sh\npg_dump x | gzip > y\n").expect("fixed");
        assert!(moved);
        assert!(
            out.starts_with("#!/usr/bin/env bash\nset -euo pipefail\n"),
            "{out}"
        );
        assert!(fix_text("backup.py", "#!/usr/bin/env python3\n").is_err());
        let (out, _) = fix_text("b.sh", "pg_dump x | gzip > y\n").expect("fixed");
        assert_eq!(out, "set -euo pipefail\npg_dump x | gzip > y\n");
    }
}
