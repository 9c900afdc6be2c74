//! committed-env-file: the env file goes into `.gitignore` (anchored to
//! its own path) and, when git tracks it, out of the index with
//! `git rm --cached` — the copy on disk stays for the developer.
//!
//! Unsafe, and says so: it cannot rewrite history. Every earlier commit,
//! fork and clone still holds the values; only rotating them helps.

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::cited_files;
use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let Some(rel) = cited_files(finding).first().map(|p| p.to_string()) else {
        return Err("the finding cites no env file".to_string());
    };
    let entry = format!("/{rel}");
    let gitignore = ".gitignore";
    let current = b.read(gitignore);
    let listed = current
        .as_deref()
        .is_some_and(|t| t.lines().any(|l| l.trim() == entry || l.trim() == rel));
    if !listed {
        let block = format!(
            "# a real env file: its values come from the deployment's secret store\n{entry}\n"
        );
        super::append_lines(b, gitignore, current.as_deref(), &block);
    }
    let tracked = crate::facts::git_index::tracked_paths(&repo.index.root).contains(&rel);
    if tracked {
        let command = format!("git rm --cached -- {}", super::shell_quote(&rel));
        b.next(command.clone());
        b.plan.not_wired = Some(format!(
            "git still tracks {rel}: `{command}` takes it out of the index (the file on disk stays); commit that"
        ));
    } else if listed {
        return Err(format!(
            ".gitignore lists {rel} already and git does not track it: the finding needs a look by hand"
        ));
    }
    b.manual(format!(
        "Rotate every secret {rel} holds: removing the file does not rewrite history, and every earlier commit, fork and clone still has the values (rewriting history takes `git filter-repo` and a force-push, which seaworthy does not do)."
    ));
    Ok(())
}
