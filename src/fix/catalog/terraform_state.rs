//! terraform-state-committed: `.gitignore` gets `*.tfstate`, `*.tfstate.*`
//! and `.terraform/` (the entries missing), and the state files or the
//! `.terraform/` folder git tracks leave the index with `git rm --cached`
//! — the copies on disk stay, so `terraform` keeps working here.
//!
//! Unsafe, and says so: it cannot rewrite history (the state's secrets stay
//! in every earlier commit), and a teammate who pulls the commit that
//! untracks the state loses their copy of it unless the state has moved to
//! a remote backend first (`terraform-no-remote-backend`, then `terraform
//! init -migrate-state`).

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::cited_files;
use crate::fix::Builder;

/// What `.gitignore` must hold, with the line that explains it.
const ENTRIES: &[&str] = &["*.tfstate", "*.tfstate.*", ".terraform/"];

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let cited: Vec<String> = cited_files(finding).iter().map(|p| p.to_string()).collect();
    let first = cited.first().ok_or("the finding cites no file")?;
    let states: Vec<&String> = cited.iter().filter(|p| is_state(p)).collect();
    // A `.terraform/` finding cites a Terraform file of the folder.
    let work_dir = states.is_empty().then(|| {
        let dir = first.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        if dir.is_empty() {
            ".terraform".to_string()
        } else {
            format!("{dir}/.terraform")
        }
    });
    let gitignore = ".gitignore";
    let current = b.read(gitignore);
    let missing: Vec<&str> = ENTRIES
        .iter()
        .copied()
        .filter(|e| {
            !current.as_deref().is_some_and(|t| {
                t.lines()
                    .map(str::trim)
                    .any(|l| l == *e || l == e.trim_end_matches('/') || l == format!("/{e}"))
            })
        })
        .collect();
    if !missing.is_empty() {
        let block = format!(
            "# Terraform state and working folder: the state lives in a remote backend\n{}\n",
            missing.join("\n")
        );
        super::append_lines(b, gitignore, current.as_deref(), &block);
    }
    let tracked = crate::facts::git_index::tracked_paths(&repo.index.root);
    let mut untrack: Vec<String> = states
        .iter()
        .filter(|s| tracked.contains(s))
        .map(|s| format!("git rm --cached -- {}", super::shell_quote(s)))
        .collect();
    if let Some(dir) = &work_dir {
        if tracked.iter().any(|t| t.starts_with(&format!("{dir}/"))) {
            untrack.push(format!("git rm -r --cached -- {}", super::shell_quote(dir)));
        }
    }
    if missing.is_empty() && untrack.is_empty() {
        return Err(
            ".gitignore lists the Terraform entries already and git tracks none of the files: the finding needs a look by hand"
                .into(),
        );
    }
    if !untrack.is_empty() {
        for command in &untrack {
            b.next(command.clone());
        }
        b.plan.not_wired = Some(format!(
            "git still tracks them: `{}` takes them out of the index (the files on disk stay); commit that",
            untrack.join(" && ")
        ));
    }
    if !states.is_empty() {
        b.manual(
            "Move the state to a remote backend with locking first (`seaworthy fix --rule terraform-no-remote-backend`, then `terraform init -migrate-state`): a teammate who pulls the commit that untracks it loses their copy.",
        );
        b.manual(
            "Rotate the secrets the state held (database passwords, keys, tokens): untracking does not rewrite history, and every earlier commit, fork and clone still has them.",
        );
    }
    Ok(())
}

fn is_state(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".tfstate") || name.contains(".tfstate.")
}
