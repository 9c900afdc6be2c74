//! What a shell script is for: deploying, backing up, a developer's
//! local setup, CI, or a tool. Shown by `seaworthy explain --files` with
//! the evidence; the backup and deployment rules read the commands
//! themselves, this tells a reader which purpose the file was taken for.
//!
//! In this order, the first that applies decides:
//! 1. a folder that holds no product code (`examples/`, `test/`);
//! 2. what it runs: a database dump with a backup intent (as
//!    `backups-not-offsite` finds backup scripts) → backup; `ssh`/`scp`/
//!    `rsync` to a host, `kubectl apply`/`helm upgrade`, `docker push`,
//!    `docker stack deploy`, a platform CLI's deploy → deploy;
//! 3. its name and folders: `deploy`, `release`, `provision` → deploy;
//!    `backup`, `restore` → backup; `dev`, `local`, `setup` → development;
//!    `test`, `e2e` → test; `ci`, `.github/` → CI;
//! 4. named only by CI files → CI;
//! 5. otherwise a tool (`scripts/`, `hack/`, anything else run by hand).

use std::collections::HashMap;

use super::{path, FileRole, Role};
use crate::facts::shell::{ShellCommand, ShellScript};
use crate::index::{FileId, FileKind};
use crate::rules::database::backups_not_offsite::{dump_tool, has_backup_intent};
use crate::rules::RepoContext;

/// The command that makes a script a deployment, if any.
pub(crate) fn deploys(cmd: &ShellCommand) -> Option<String> {
    let sub = cmd.subcommand();
    let what = match (cmd.name.as_str(), sub) {
        ("ssh" | "scp" | "sshpass", _) => "copies to or runs on a host",
        ("rsync", _) if cmd.args.iter().any(|a| a.contains(':')) => "copies to a host",
        ("kubectl", Some("apply" | "rollout" | "set")) => "changes a Kubernetes cluster",
        ("helm", Some("upgrade" | "install")) => "installs a Helm release",
        ("docker", Some("push")) => "pushes an image",
        ("docker", Some("stack")) if cmd.args.iter().any(|a| a == "deploy") => {
            "deploys a Swarm stack"
        }
        ("flyctl" | "fly", Some("deploy")) => "deploys to Fly.io",
        ("vercel", _) if cmd.args.iter().any(|a| a == "--prod") => "deploys to Vercel",
        ("heroku", Some(_)) => "drives Heroku",
        ("railway", Some("up")) => "deploys to Railway",
        ("terraform" | "tofu", Some("apply")) => "applies infrastructure",
        ("ansible-playbook", _) => "runs an Ansible playbook",
        _ => return None,
    };
    Some(format!("`{}` at line {} {what}", cmd.name, cmd.line))
}

fn name_role(rel: &str) -> Option<(Role, &'static str, String)> {
    let lower = rel.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(['/', '.', '-', '_'])
        .filter(|w| !w.is_empty())
        .collect();
    let found = |list: &[&str]| {
        words
            .iter()
            .find(|w| list.contains(w))
            .map(|w| w.to_string())
    };
    if let Some(w) = found(&["deploy", "deployment", "release", "provision", "rollout"]) {
        return Some((Role::Production, "deploy", w));
    }
    if let Some(w) = found(&["backup", "backups", "restore", "snapshot"]) {
        return Some((Role::Production, "backup", w));
    }
    if let Some(w) = found(&["test", "tests", "e2e", "integration"]) {
        return Some((Role::Test, "test", w));
    }
    if let Some(w) = found(&["ci", "github", "gitlab", "circleci"]) {
        return Some((Role::Ci, "CI", w));
    }
    if let Some(w) = found(&[
        "dev",
        "develop",
        "development",
        "local",
        "setup",
        "bootstrap",
        "devcontainer",
        "vagrant",
    ]) {
        return Some((Role::Development, "development", w));
    }
    None
}

/// Judges every shell script. CI files are read once for all the script
/// names (one Aho-Corasick pass each).
pub fn judge_all(cx: &RepoContext) -> HashMap<FileId, FileRole> {
    let index = cx.index;
    let scripts = index.of_kind(FileKind::ShellScript);
    let mut names: Vec<String> = scripts
        .iter()
        .map(|id| index.get(*id).name().to_string())
        .collect();
    names.sort();
    names.dedup();
    let in_ci = super::mentions(index, index.of_kind(FileKind::CiConfig), &names);
    scripts
        .iter()
        .map(|id| (*id, judge(cx, *id, &in_ci)))
        .collect()
}

fn judge(cx: &RepoContext, id: FileId, in_ci: &HashMap<String, Vec<FileId>>) -> FileRole {
    let rel = cx.rel(id);
    if let Some(role) = super::path_role(rel).filter(|_| path::is_non_product_path(rel)) {
        return role;
    }
    let script: Option<&ShellScript> = cx.facts.shell_script(id);
    if let Some(script) = script {
        if let Some(dump) = script
            .commands
            .iter()
            .find_map(|c| dump_tool(c).map(|t| (c, t)))
        {
            if has_backup_intent(rel, script) {
                return FileRole::new(
                    Role::Production,
                    format!(
                        "a backup script: it runs `{}` at line {} to keep a copy",
                        dump.1, dump.0.line
                    ),
                );
            }
        }
        if let Some(what) = script.commands.iter().find_map(deploys) {
            return FileRole::new(Role::Production, format!("a deploy script: {what}"));
        }
    }
    if let Some((role, purpose, word)) = name_role(rel) {
        return FileRole::new(role, format!("a {purpose} script: its path says `{word}`"));
    }
    let name = cx.index.get(id).name();
    if let Some(users) = in_ci.get(name) {
        let list: Vec<&str> = users.iter().map(|u| cx.rel(*u)).collect();
        return FileRole::new(
            Role::Ci,
            format!("a CI script: CI files name it ({})", list.join(", ")),
        );
    }
    FileRole::new(
        Role::Tooling,
        "a tool run by hand: it neither deploys nor backs up, and nothing in its path or in CI \
         says more",
    )
}
