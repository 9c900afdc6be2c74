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

/// The compose file a `docker compose exec|run …` / `docker-compose exec|run
/// …` command runs in, when it is one: the `-f`/`--file` it names
/// (relative to the script's folder), else the compose files with a
/// default name in the script's folder. `None` for any other command.
fn compose_exec_files(cx: &RepoContext, dir: &str, cmd: &ShellCommand) -> Option<Vec<FileId>> {
    let args: &[String] = match cmd.name.as_str() {
        "docker-compose" => &cmd.args,
        "docker" => {
            let at = cmd.args.iter().position(|a| a == "compose")?;
            &cmd.args[at + 1..]
        }
        _ => return None,
    };
    let mut named = Vec::new();
    let mut i = 0;
    let mut sub = None;
    while i < args.len() {
        let a = args[i].as_str();
        if matches!(a, "-f" | "--file") {
            named.extend(args.get(i + 1).cloned());
            i += 2;
            continue;
        }
        if let Some(f) = a.strip_prefix("--file=") {
            named.push(f.to_string());
        } else if matches!(a, "-p" | "--project-name" | "--env-file" | "--profile") {
            i += 2;
            continue;
        } else if !a.starts_with('-') {
            sub = Some(a);
            break;
        }
        i += 1;
    }
    if !matches!(sub, Some("exec" | "run")) {
        return None;
    }
    let files: Vec<FileId> = if named.is_empty() {
        cx.in_dir(FileKind::Compose, dir)
            .into_iter()
            .filter(|id| {
                matches!(
                    cx.index.get(*id).name().to_ascii_lowercase().as_str(),
                    "compose.yml" | "compose.yaml" | "docker-compose.yml" | "docker-compose.yaml"
                )
            })
            .collect()
    } else {
        named
            .iter()
            .filter_map(|n| crate::apps::resolve(dir, n).and_then(|p| cx.index.find(&p)))
            .collect()
    };
    Some(files)
}

/// The development compose file a backup-looking script dumps from: every
/// dump runs through `docker compose exec` (or `run`) in a compose file of
/// the script's folder, and every such file is judged a developer's stack,
/// not a deployment (`roles::compose`). Dated dumps of a local stack,
/// taken by hand, are a developer's snapshots, not the production backup.
pub(crate) fn development_stack_dump(
    cx: &RepoContext,
    id: FileId,
    dumps: &[&ShellCommand],
) -> Option<FileId> {
    if dumps.is_empty() {
        return None;
    }
    let dir = cx.index.get(id).dir();
    let roles = cx.file_roles();
    let mut stack = None;
    for dump in dumps {
        let files = compose_exec_files(cx, dir, dump)?;
        if files.is_empty() {
            return None;
        }
        for f in files {
            let j = roles.compose(f)?;
            if j.compose_role == crate::facts::compose::ComposeRole::Production
                || j.role.role == Role::Production
            {
                return None;
            }
            stack.get_or_insert(f);
        }
    }
    stack
}

/// Whether a script only installs what building the project from source
/// needs, database server included, without setting that database up: it
/// installs a build toolchain (`build-essential`, `base-devel`, `-dev` /
/// `-devel` headers) and runs nothing that creates, configures or starts a
/// database (`createdb`, `createuser`, `psql`, `mysql`, `initdb`,
/// `systemctl`/`service`/`rc-service`, `pg_ctl`) nor deploys. Invidious's
/// `install-dependencies.sh` (the Crystal compiler, headers, git and a
/// postgresql package for a local build): a developer's machine set-up, not
/// the provisioning of a production database. The package that says
/// build, if so.
pub(crate) fn build_dependency_installer(script: &ShellScript) -> Option<String> {
    let installs = |c: &&ShellCommand| {
        matches!(
            (c.name.as_str(), c.subcommand()),
            (
                "apt-get" | "apt" | "yum" | "dnf" | "zypper",
                Some("install")
            ) | ("apk", Some("add"))
        ) || (c.name == "pacman" && c.args.iter().any(|a| a.starts_with("-S")))
    };
    let toolchain = script.commands.iter().filter(installs).find_map(|c| {
        c.args
            .iter()
            .map(|a| a.trim_matches(['"', '\'']))
            .find(|a| {
                !a.starts_with('-')
                    && (a.ends_with("-dev")
                        || a.ends_with("-devel")
                        || matches!(*a, "build-essential" | "base-devel"))
            })
            .map(str::to_string)
    })?;
    let sets_up = script.commands.iter().any(|c| {
        matches!(
            c.name.as_str(),
            "systemctl"
                | "service"
                | "rc-service"
                | "rc-update"
                | "createdb"
                | "createuser"
                | "psql"
                | "pg_ctl"
                | "pg_ctlcluster"
                | "pg_createcluster"
                | "initdb"
                | "postgresql-setup"
                | "mysql"
                | "mysqladmin"
                | "mysql_secure_installation"
                | "mariadb"
                | "mongo"
                | "mongosh"
        ) || deploys(c).is_some()
    });
    (!sets_up).then_some(toolchain)
}

/// Whether a script sets up a developer's workstation rather than a
/// server: it installs a build toolchain, a browser that only system
/// tests drive (`chromium`, `chromedriver`, `firefox`), and a per-user
/// language version manager cloned into the home folder (`~/.rbenv`,
/// `~/.nodenv`, `~/.nvm`, `~/.pyenv`, `~/.asdf`), and deploys nothing
/// (openfoodnetwork's `script/setup-debian`). The browser package, if so.
pub(crate) fn workstation_setup(script: &ShellScript) -> Option<String> {
    let installs = |c: &&ShellCommand| {
        matches!(
            (c.name.as_str(), c.subcommand()),
            (
                "apt-get" | "apt" | "yum" | "dnf" | "zypper",
                Some("install")
            ) | ("apk", Some("add"))
        ) || (c.name == "pacman" && c.args.iter().any(|a| a.starts_with("-S")))
    };
    let packages: Vec<&str> = script
        .commands
        .iter()
        .filter(installs)
        .flat_map(|c| c.args.iter().map(|a| a.trim_matches(['"', '\''])))
        .filter(|a| !a.starts_with('-'))
        .collect();
    let toolchain = packages
        .iter()
        .any(|a| matches!(*a, "build-essential" | "base-devel") || a.ends_with("-dev"));
    let browser = packages.iter().find(|a| {
        matches!(
            **a,
            "chromium"
                | "chromium-browser"
                | "chromium-chromedriver"
                | "chromium-driver"
                | "google-chrome-stable"
                | "firefox"
                | "firefox-esr"
        )
    })?;
    let version_manager = script.commands.iter().any(|c| {
        c.args.iter().any(|a| {
            [".rbenv", ".nodenv", ".nvm", ".pyenv", ".asdf"]
                .iter()
                .any(|m| a.starts_with(&format!("~/{m}")) || a.starts_with(&format!("$HOME/{m}")))
        })
    });
    let deploys_any = script.commands.iter().any(|c| deploys(c).is_some());
    (toolchain && version_manager && !deploys_any).then(|| browser.to_string())
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
            let dumps: Vec<&ShellCommand> = script
                .commands
                .iter()
                .filter(|c| dump_tool(c).is_some())
                .collect();
            if let Some(stack) = development_stack_dump(cx, id, &dumps) {
                return FileRole::new(
                    Role::Development,
                    format!(
                        "it dumps with `{}` at line {} from the development stack {} \
                         (`docker compose exec`): a developer's snapshot, not the \
                         production backup",
                        dump.1,
                        dump.0.line,
                        cx.rel(stack)
                    ),
                );
            }
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
        if let Some(package) = build_dependency_installer(script) {
            return FileRole::new(
                Role::Development,
                format!(
                    "it installs what building from source needs (`{package}`) and sets up \
                     no database and no service: a build machine's set-up"
                ),
            );
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
