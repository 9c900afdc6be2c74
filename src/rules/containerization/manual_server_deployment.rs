//! manual-server-deployment: servers provisioned and deployed by hand-run shell.

use std::collections::BTreeMap;

use crate::apps::is_non_product_path;
use crate::facts::shell::ShellCommand;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "manual-server-deployment",
        code: "SW201",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Manual shell script deployment",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reads the repository's shell scripts as shell (commands, not comments or
strings) and reports those that provision or deploy a server by hand — `ssh`,
`scp` or `rsync` to a host; `systemctl`/`service`/`pm2`/`supervisorctl`;
nginx, certbot and firewall setup; system package installs, `crontab`,
`useradd`, `git pull` on the host — when the repository has no
infrastructure-as-code (Terraform, Pulumi, CDK, CloudFormation/SAM, Helm,
Kubernetes manifests, Kustomize, Ansible) and no platform deployment definition
(vercel.json, amplify.yml, fly.toml, render.yaml, railway.json/toml, app.yaml,
Procfile, netlify.toml, Kamal `config/deploy.yml`, serverless.yml, …).

A script qualifies when it deploys the app — a copy or command to a remote
host, web-server/TLS setup, pm2, or `git pull` on the host — with one strong
signal or two different weaker ones (service management, system packages,
cron, users, firewall). Firewall, package and user setup alone is host
administration (an installer, a toolkit), and a host that installs Docker or
Podman runs images, so neither is reported. A developer's
local setup script (`brew`, `npm install`, `createdb`) is not deployment, and
neither are scripts for CI runners, containers (`docker/`, entrypoints), dev
containers or Vagrant boxes, whose package installs and service starts happen
on throwaway machines.

A platform file counts only when a platform reads it. A `Procfile` is also
what foreman starts on a laptop: it is a deployment only with `app.json`,
`heroku.yml`, a Heroku/Dokku/Scalingo push in CI, scripts or the README, a
`release:` process, `$PORT` in the `web` command, or a `web` process that runs
a production server the dependencies install — and none that starts a backing
service (`redis-server`) or binds a fixed port. A Procfile known only from its
own content, and a `vercel.json` that only rewrites routes or lists crons (or
switches git deployments off), are weak: beside a hand-run deployment the
finding names both sides at medium severity, worded as an observation to
verify, instead of staying silent.

Scripts are `.sh`/`.bash` files, and extension-less files in `bin/`,
`script(s)/`, `deploy/`, `ops/`, `hatchbox/`, `provision(ing)/` whose `#!`
line names a shell (a Ruby binstub beside them is not read as shell).

Ansible counts as infrastructure as code: its playbooks declare the server's
state, are idempotent and live in version control, which is what this rule
asks for. A repository with Ansible and deploy scripts is not reported.

## Why is this bad?
A server configured by hand-run scripts is a "pet": every run and every manual
fix makes it drift from what the repository describes, it cannot be rebuilt
quickly after a failure, and it does not scale horizontally.

## Example
### Reported
A server provisioned by hand, with no Terraform, Kubernetes or platform config:

```bash file=scripts/bootstrap-ubuntu22.sh
#!/usr/bin/env bash
set -euo pipefail
apt-get update && apt-get install -y nginx
certbot --nginx -d shop.example.com
npm install -g pm2
pm2 start npm --name shop -- start
pm2 startup
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0" } }
```

### Not reported
The same script beside `fly.toml`, which defines the deployment:

```bash file=scripts/bootstrap-ubuntu22.sh
#!/usr/bin/env bash
apt-get update && apt-get install -y nginx
pm2 startup
```

```toml file=fly.toml
app = "shop"
[http_service]
internal_port = 3000
```

### Reported
A `Procfile` that only foreman reads (a local Redis, a fixed port) does not
make the deploy script a platform deployment:

```text file=Procfile
redis: redis-server
web: node server.js --port 3000
```

```bash file=deploy.sh
#!/usr/bin/env bash
rsync -az ./ deploy@203.0.113.10:/srv/shop/
ssh deploy@203.0.113.10 'pm2 restart shop'
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "express": "4.21.2" } }
```

### Not reported
A developer setup script:

```bash file=scripts/setup.sh
#!/usr/bin/env bash
brew install postgresql
npm install
```

## Fix
Describe the infrastructure as code (Terraform/Pulumi, Kubernetes manifests)
or move to a platform that deploys from the repository (Fly.io, Render,
Vercel, AWS App Runner), and build an immutable image per release.
"#;

/// What a command says about the machine it runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Signal {
    RemoteHost,
    WebServer,
    Firewall,
    ProcessManagerBoot,
    Services,
    SystemPackages,
    Cron,
    Users,
    GitPullOnHost,
}

impl Signal {
    fn strong(self) -> bool {
        matches!(
            self,
            Signal::RemoteHost | Signal::WebServer | Signal::Firewall | Signal::ProcessManagerBoot
        )
    }

    fn describe(self) -> &'static str {
        match self {
            Signal::RemoteHost => "copying to or running commands on a remote host",
            Signal::WebServer => "configuring nginx/Apache/TLS on the host",
            Signal::Firewall => "configuring the host firewall",
            Signal::ProcessManagerBoot => "registering the app with a process manager at boot",
            Signal::Services => "managing system services",
            Signal::SystemPackages => "installing system packages",
            Signal::Cron => "installing cron jobs",
            Signal::Users => "creating system users",
            Signal::GitPullOnHost => "pulling code onto the host with git",
        }
    }
}

fn classify(cmd: &ShellCommand) -> Option<Signal> {
    let sub = cmd.subcommand().unwrap_or("");
    match cmd.name.as_str() {
        "ssh" | "sshpass" | "mosh" if runs_remote_commands(cmd) => Some(Signal::RemoteHost),
        "scp" | "rsync" if cmd.args.iter().any(|a| is_remote_path(a)) => Some(Signal::RemoteHost),
        "certbot" | "a2ensite" | "apachectl" | "apache2ctl" => Some(Signal::WebServer),
        "nginx" if cmd.has_arg("-s") || cmd.has_arg("-t") => Some(Signal::WebServer),
        "ufw" | "firewall-cmd" | "iptables" => Some(Signal::Firewall),
        "pm2" if matches!(sub, "startup" | "save" | "deploy" | "resurrect") => {
            Some(Signal::ProcessManagerBoot)
        }
        "pm2" if matches!(sub, "start" | "restart" | "reload") => Some(Signal::Services),
        "systemctl"
            if matches!(
                sub,
                "enable" | "start" | "restart" | "reload" | "daemon-reload"
            ) =>
        {
            Some(Signal::Services)
        }
        "service" if cmd.args.len() >= 2 => Some(Signal::Services),
        "supervisorctl" | "forever" => Some(Signal::Services),
        "apt" | "apt-get" | "yum" | "dnf" | "zypper" if sub == "install" => {
            Some(Signal::SystemPackages)
        }
        "crontab" => Some(Signal::Cron),
        "useradd" | "adduser" | "usermod" => Some(Signal::Users),
        "git" if sub == "pull" => Some(Signal::GitPullOnHost),
        _ => None,
    }
}

/// Git hosts: `ssh -T git@github.com` tests a key, it touches no server.
const GIT_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "ssh.dev.azure.com",
];

/// `ssh` that logs into a host (not a tunnel with `-N`/`-L`/`-R`/`-D`, not a
/// key check against a git host).
fn runs_remote_commands(cmd: &ShellCommand) -> bool {
    let tunnel = cmd.args.iter().any(|a| {
        a.starts_with('-')
            && !a.starts_with("--")
            && a.chars()
                .skip(1)
                .any(|c| matches!(c, 'N' | 'L' | 'R' | 'D'))
    });
    let git_host = cmd
        .args
        .iter()
        .any(|a| GIT_HOSTS.iter().any(|h| a.ends_with(h)));
    !tunnel && !git_host
}

/// `host:path` or `user@host:path` (not a local path, not a Windows drive
/// `C:/…`, not a git host).
fn is_remote_path(arg: &str) -> bool {
    if arg.starts_with('-') || arg.starts_with('/') || arg.starts_with('.') {
        return false;
    }
    match arg.split_once(':') {
        Some((host, _)) => {
            host.len() > 1
                && !host.contains('/')
                && !host.contains('=')
                && !GIT_HOSTS.iter().any(|h| host.ends_with(h))
        }
        None => false,
    }
}

/// Commands that only make sense on a developer's own machine: macOS
/// tooling, creating a local database, installing a project's dependencies
/// for development, copying the env example into place.
fn is_local_dev(cmd: &ShellCommand) -> bool {
    let production_install = cmd.args.iter().any(|a| {
        matches!(
            a.as_str(),
            "-g" | "--global" | "--production" | "--omit=dev" | "ci"
        )
    });
    let dev = match cmd.name.as_str() {
        "brew" | "xcode-select" | "createdb" | "open" => true,
        "npm" | "yarn" | "pnpm" | "bun" => {
            matches!(cmd.subcommand(), Some("install" | "i"))
                || (cmd.name != "npm" && cmd.args.is_empty())
        }
        "cp" => cmd
            .args
            .iter()
            .any(|a| a.contains("env.example") || a.contains(".env.sample")),
        _ => false,
    };
    dev && !production_install
}

/// `install acme-api.service /etc/systemd/system/`, or `systemctl enable
/// acme-api` for a unit the repository ships or an app of the repository:
/// the app made a system service of the host. (`systemctl restart dovecot`
/// administers the host.)
fn installs_app_service(cmd: &ShellCommand, own_units: &[String]) -> bool {
    let unit_file = matches!(cmd.name.as_str(), "cp" | "install" | "ln" | "mv")
        && cmd.args.iter().any(|a| a.contains("/etc/systemd/system"));
    let app_unit = cmd.name == "systemctl"
        && matches!(
            cmd.subcommand(),
            Some("enable" | "start" | "restart" | "reload")
        )
        && cmd.args.iter().any(|unit| {
            let unit = unit.trim_end_matches(".service").to_ascii_lowercase();
            own_units.contains(&unit)
        });
    unit_file || app_unit
}

/// Script names that say the script is for a developer's machine.
fn is_dev_script_name(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.split(['-', '_', '.'])
        .any(|w| matches!(w, "dev" | "local" | "develop" | "development"))
}

/// Folders whose scripts run on throwaway machines (CI runners, containers,
/// dev containers, Vagrant boxes): installing packages and starting services
/// there is not server provisioning.
const THROWAWAY_MACHINE_DIRS: &[&str] = &[
    ".buildkite",
    ".circleci",
    ".devcontainer",
    ".docker",
    ".github",
    ".gitlab",
    ".vagrant",
    "ci",
    "docker",
    "vagrant",
];

fn runs_on_throwaway_machine(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let (dir, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    name.contains("entrypoint") || dir.split('/').any(|p| THROWAWAY_MACHINE_DIRS.contains(&p))
}

pub(crate) struct ScriptVerdict {
    pub(crate) path: String,
    /// First line of each signal.
    signals: BTreeMap<Signal, u32>,
}

fn assess(rel: &str, commands: &[ShellCommand], own_units: &[String]) -> Option<ScriptVerdict> {
    let mut signals: BTreeMap<Signal, u32> = BTreeMap::new();
    for cmd in commands {
        if let Some(signal) = classify(cmd) {
            signals.entry(signal).or_insert(cmd.line);
        }
    }
    // A backup script that reaches a database host is not deployment; the
    // backup rule reads it.
    let dumps = commands.iter().any(|c| {
        c.args
            .iter()
            .flat_map(|a| a.split_whitespace())
            .chain(std::iter::once(c.name.as_str()))
            .any(|w| {
                matches!(
                    w,
                    "pg_dump" | "pg_dumpall" | "mysqldump" | "mariadb-dump" | "mongodump"
                )
            })
    });
    if dumps {
        return None;
    }
    // A host that installs a container engine runs images: not a pet server
    // in the sense of this rule (the container rules cover it).
    let container_host =
        commands.iter().any(|c| {
            (matches!(
                c.name.as_str(),
                "apt" | "apt-get" | "yum" | "dnf" | "zypper"
            ) && c.args.iter().any(|a| {
                a.starts_with("docker") || a.starts_with("podman") || a == "containerd.io"
            })) || (c.name == "systemctl"
                && c.args
                    .iter()
                    .any(|a| a == "docker" || a == "podman" || a == "docker.service"))
                || c.args.iter().any(|a| a.contains("get.docker.com"))
        });
    if container_host {
        return None;
    }
    let macos = commands
        .iter()
        .any(|c| matches!(c.name.as_str(), "brew" | "xcode-select"));
    let local_dev = macos || is_dev_script_name(rel) || commands.iter().any(is_local_dev);
    let throwaway = runs_on_throwaway_machine(rel);
    let remote = signals.contains_key(&Signal::RemoteHost);
    // Deploying the app needs one of these; firewall, package, user or
    // service setup alone is administering a host (an installer, a toolkit).
    let deploys_app = signals.keys().any(|s| {
        matches!(
            s,
            Signal::RemoteHost
                | Signal::WebServer
                | Signal::ProcessManagerBoot
                | Signal::GitPullOnHost
        )
    }) || commands
        .iter()
        .any(|c| c.name == "pm2" || installs_app_service(c, own_units));
    let strong_local_override =
        local_dev && !macos && signals.keys().filter(|s| s.strong()).count() >= 2;
    let qualifies = if (local_dev && !strong_local_override) || throwaway {
        remote
    } else {
        deploys_app && (signals.keys().any(|s| s.strong()) || signals.len() >= 2)
    };
    qualifies.then(|| ScriptVerdict {
        path: rel.to_string(),
        signals,
    })
}

/// The scripts that deploy or provision a server by hand, whatever else
/// the repository defines (`RepoContext::manual_deployments` keeps them).
pub(crate) fn find_manual_deployments(cx: &RepoContext) -> Vec<ScriptVerdict> {
    // Systemd units that are the repository's own: unit files it ships,
    // and its apps' names and folders.
    let mut own_units: Vec<String> = cx
        .index
        .files
        .iter()
        .filter(|f| f.rel.ends_with(".service"))
        .filter_map(|f| {
            f.name()
                .strip_suffix(".service")
                .map(str::to_ascii_lowercase)
        })
        .collect();
    for app in cx.apps {
        own_units.extend(
            app.name
                .iter()
                .map(|n| n.rsplit('/').next().unwrap_or(n).to_ascii_lowercase()),
        );
        own_units.extend(
            app.dir()
                .rsplit('/')
                .next()
                .filter(|d| !d.is_empty())
                .map(str::to_ascii_lowercase),
        );
    }
    cx.index
        .of_kind(FileKind::ShellScript)
        .iter()
        .filter(|id| !is_non_product_path(cx.rel(**id)))
        .filter_map(|id| {
            let script = cx.facts.shell_script(*id)?;
            assess(cx.rel(*id), &script.commands, &own_units)
        })
        .collect()
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    // Infrastructure as code or a platform file that defines the
    // deployment on its own: the scripts are not the whole story.
    let definitions = cx.deploy_definitions();
    if definitions.iter().any(|(id, _)| cx.is_decisive(*id)) {
        return Vec::new();
    }
    let verdicts = cx.manual_deployments();
    if verdicts.is_empty() {
        return Vec::new();
    }

    let scripts = verdicts
        .iter()
        .map(|v| code(&v.path))
        .collect::<Vec<_>>()
        .join(", ");
    let mut what: Vec<Signal> = verdicts
        .iter()
        .flat_map(|v| v.signals.keys().copied())
        .collect();
    what.sort();
    what.dedup();
    // Strong signals sort first; four say enough.
    let what = what
        .iter()
        .take(4)
        .map(|s| s.describe())
        .collect::<Vec<_>>()
        .join("; ");
    let mut locations: Vec<Location> = verdicts
        .iter()
        .flat_map(|v| {
            // The three strongest signals (the map is ordered by strength).
            let mut lines: Vec<u32> = v.signals.values().copied().take(3).collect();
            lines.sort_unstable();
            lines.dedup();
            lines
                .into_iter()
                .map(|line| Location::new(v.path.clone(), line))
        })
        .collect();
    // Only contestable platform files (a Procfile nothing else ties to a
    // platform, a routing-only vercel.json): report the contradiction,
    // lower, naming both sides.
    let platform: Vec<&str> = definitions.iter().map(|(id, _)| cx.rel(*id)).collect();
    if !platform.is_empty() {
        let platform_list = platform
            .iter()
            .map(|p| code(p))
            .collect::<Vec<_>>()
            .join(", ");
        locations.extend(platform.iter().map(|p| Location::new(*p, 1)));
        let mut finding = RULE.meta.finding(
            None,
            format!(
                "{platform_list} exists, but {scripts} deploys to a server by hand ({what}): verify which one production uses."
            ),
            "If production is the hand-run path, the server drifts with every run and hot-fix and cannot be rebuilt from the repository; if it is the platform, the scripts are stale instructions someone may still run.".to_string(),
            format!(
                "Keep one deployment path: either make {platform_list} the deployment (delete the scripts) or describe the server as code (Terraform/Pulumi, Ansible) and build an immutable image per release."
            ),
            locations,
        );
        finding.severity = Severity::Medium;
        finding.wording = Wording::ObservationRiskRequirement;
        return vec![finding];
    }
    let message = format!(
        "Reliance on {scripts} implies a \"pet\" server approach (SSHing into a VPS) rather than immutable infrastructure ({what}), and the repository has no infrastructure-as-code or platform deployment definition."
    );
    vec![RULE.meta.finding(
        None,
        message,
        "Server drift over time: every manual run and hot-fix changes the host, which can no longer be rebuilt from the repository. Hard to scale horizontally or to recover from a lost server.".to_string(),
        "Move to Infrastructure as Code (Terraform/Pulumi, Kubernetes manifests) or a PaaS (Vercel, Fly.io, Render, AWS App Runner/Amplify) that deploys an immutable build of each release.".to_string(),
        locations,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ShellScript;

    fn verdict(rel: &str, script: &str) -> Option<Vec<Signal>> {
        let parsed = ShellScript::parse(script).expect("parses");
        assess(rel, &parsed.commands, &["acme-api".to_string()])
            .map(|v| v.signals.into_keys().collect())
    }

    #[test]
    fn bootstrap_script_is_server_provisioning() {
        let signals = verdict(
            "scripts/bootstrap-ubuntu22.sh",
            "apt-get update\nsudo apt-get install -y nginx\nsudo certbot --nginx -d example.com\npm2 startup systemd\n",
        );
        assert_eq!(
            signals,
            Some(vec![
                Signal::WebServer,
                Signal::ProcessManagerBoot,
                Signal::SystemPackages
            ])
        );
    }

    #[test]
    fn rsync_to_a_host_is_deployment() {
        assert!(verdict(
            "deploy.sh",
            "npm run build\nrsync -az dist/ deploy@app.example.com:/srv/app\n"
        )
        .is_some());
        assert!(verdict("sync.sh", "rsync -az dist/ ./backup/\n").is_none());
    }

    #[test]
    fn local_setup_and_comments_are_not_deployment() {
        assert!(verdict(
            "scripts/setup.sh",
            "brew install postgresql\ncreatedb app\nnpm install\n"
        )
        .is_none());
        assert!(verdict(
            "scripts/notes.sh",
            "# ssh root@host\necho 'systemctl restart app'\n"
        )
        .is_none());
        assert!(verdict(
            ".github/scripts/ci.sh",
            "sudo apt-get install -y postgresql\nsudo systemctl start postgresql\n"
        )
        .is_none());
    }

    #[test]
    fn tunnels_git_hosts_and_drives_are_not_servers() {
        assert!(verdict("db.sh", "ssh -f -N -L 5433:localhost:5432 bastion\n").is_none());
        assert!(verdict("check.sh", "ssh -T git@github.com\n").is_none());
        assert!(verdict("copy.sh", "rsync -a dist/ C:/inetpub/app\n").is_none());
    }

    #[test]
    fn linux_dev_setup_is_not_provisioning() {
        assert!(verdict(
            "scripts/setup.sh",
            "sudo apt-get install -y postgresql redis-server\nsudo systemctl enable --now postgresql\nnpm install\ncp .env.example .env\n"
        )
        .is_none());
    }

    #[test]
    fn one_weak_signal_is_not_enough() {
        assert!(verdict("scripts/deps.sh", "sudo apt-get install -y libvips\n").is_none());
        assert!(verdict("scripts/update.sh", "git pull\nnpm ci\n").is_none());
        assert!(verdict("scripts/update.sh", "git pull\nnpm ci\npm2 restart app\n").is_some());
    }
}
