//! manual-server-deployment: servers provisioned and deployed by hand-run shell.

use crate::facts::needles::SHELL_OPERATIONS;
use std::collections::{BTreeMap, BTreeSet};

use crate::facts::code::Lang;
use crate::facts::shell::ShellCommand;
use crate::facts::{ci, embedded_shell, task_runner, ShellScript};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileId, FileKind};
use crate::roles::path::is_non_product_path;
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
Procfile, netlify.toml, Kamal `config/deploy.yml`, serverless.yml, Rancher's
`rancher-compose.yml`/`.rancher-pipeline.yml` or a `rancher/` folder, …). A
Capistrano, Envoy, Deployer or Fabric file that names a server beside a
platform file is reported at medium severity as a contradiction to verify.
Workflow files count only where the CI reads them: a file in
`.github/workflows/` without a `.yml`/`.yaml` extension never runs.

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

The same commands count wherever the deployment is written:
- Makefile and Justfile recipes, read as shell: a target that copies to or
  runs commands on a host, or pulls and restarts the app, when its name says
  it deploys (`deploy`, `release`, `prod`, `push`, `sync`, …) or it shows two
  different signals. Documentation targets (`upload-docs`) are not the app;
- SSH deployment tools: Capistrano (`Capfile`, `config/deploy.rb`,
  `config/deploy/*.rb`: `server`, `role`, `set :deploy_to`), Laravel Envoy
  (`@servers` and `@task` bodies), Deployer (`deploy.php` `host()`), Fabric
  (`fabfile.py` `env.hosts`/`Connection` and `run`/`sudo` commands). Tasks
  that only run on `localhost`, and Fabric's `local()`, are read as a script;
  a Deployer `host('localhost')` given an SSH `port`, `remote_user` or
  identity file (`->set('port', 2222)`, `->setPort(2222)`) is a host reached
  over SSH (a container or VM on a forwarded port), unlike `localhost()`;
- CI jobs (GitHub Actions, GitLab CI, …) that reach a host over SSH: an SSH
  action (`appleboy/ssh-action`, `appleboy/scp-action`,
  `easingthemes/ssh-deploy`, …), or `ssh`/`scp`/`rsync -e ssh` to a host
  whose remote commands pull or restart the app, or in a workflow named as a
  deployment; and jobs on a self-hosted runner (`runs-on: self-hosted`) that
  pull the code and restart the app there (`git pull` then `pm2 start`),
  the runner being the server; and a Jenkinsfile stage named for the
  deployment (`Deploy`, `Release`, `Prod`) whose `sh` steps start the app's
  containers on the Jenkins node itself (`docker-compose up -d`), the node
  being the server (a test stage that starts a stack is not);
- JavaScript/TypeScript and Python programs kept as operations scripts
  (`scripts/deploy.js`, `deploy/devops.mjs`, `tools/release.py`, a root
  `gulpfile.js` or Invoke `tasks.py`) whose process calls hold the
  commands: `execSync("rsync -avz ./dist deploy@host:/srv/app")`,
  `spawn("ssh", [host, "pm2 restart app"])`, zx's `` $`scp …` ``,
  `subprocess.run(["ssh", host, "systemctl restart app"])`,
  `os.system(…)`. Such a program counts only when it ships to a host (a
  copy with `scp`/`rsync` to `host:path` or over `-e ssh`, or an SSH
  session that restarts, pulls or installs the app or runs a script fed
  to it); a local `rsync`, an SSH session that reads logs, and the same
  calls in application code (`src/`, `lib/`: a deployment tool's own
  feature) are not;
- PM2's `deploy` section of an ecosystem file (`ecosystem.config.js`,
  `ecosystem.json`): its `host` list and the hooks (`post-deploy`, …) that
  run there.

Starting the production WSGI/ASGI server itself (`gunicorn`, `uwsgi`,
`uvicorn`) counts as managing a service: a script that pulls the code and
starts gunicorn on the machine updates a server in place. Starting the app
detached from the terminal (`nohup`, `setsid`, or `&`: `nohup java -jar
app.jar &`, `setsid node server.js &`) is a strong signal when the command
carries production settings (`-Dspring.profiles.active=prod`, `--env
production`) or the same script builds what it starts (`mvn package`,
`gradle bootJar`, `go build`, `npm run build`): the machine the script runs
on is the server. A detached start alone (a `run.sh` that starts the jar
in the background) is how a developer runs it locally.

The commands an `ssh host "…"` (or `ssh host <<EOF`) runs are read as
commands of that host. An SSH session into a bastion that runs `kubectl`,
`helm`, `nomad` or `terraform` deploys through an orchestrator and is not
reported, nor is a recipe that runs `kubectl apply`, `helm upgrade`,
`terraform apply`, `fly deploy` or `vercel --prod`.

Containers started by hand on one server are still a hand-kept server: an
SSH session or an SSH action whose commands (re)start the app's containers
on the host (`docker compose up`, `docker run`, `docker service update`,
`docker stack deploy`) is reported, at medium severity and in its own words
when every path is of this kind: the image exists, but the host that runs it
is described nowhere and a release is rolled back only by hand. Containers
started where a script runs (a developer's stack, an installer that runs the
published image) are not, nor is an SSH session that only reads a
container's logs or state.

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

Ansible counts as infrastructure as code when it deploys the app: its
playbooks declare the server's state, are idempotent and live in version
control, which is what this rule asks for. A repository whose Ansible checks
out or copies the app (`git` of anything but a version manager,
`synchronize`, `unarchive`, `deploy_helper`), runs its containers, installs
its dependencies in its folder, makes it a service (a unit file installed,
its own unit started) or uses a role the repository does not hold is not
reported. A playbook that only provisions the host (packages, users, nginx)
while Capistrano or a script ships the releases leaves the deployment a
hand-run one, and is reported.
Playbooks are known by name (`playbook*.yml`, `playbooks/`, roles) and, for
YAML in `ansible/`, `ops/`, `provision(ing)/`, `infra(structure)/` and
manifest folders, by content: a list of plays naming their `hosts` and their
`tasks` or `roles`.

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
A Makefile target that pulls and restarts the app on the server:

```makefile file=Makefile
deploy:
	ssh shop-prod "cd ~/shop && git pull && sudo systemctl restart shop-api"
```

```json file=package.json
{ "name": "shop-api", "private": true, "dependencies": { "express": "4.21.2" } }
```

### Reported
A GitHub Actions job that runs the update on the host:

```yaml file=.github/workflows/main.yml
on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: appleboy/ssh-action@v1.0.3
        with:
          host: ${{ secrets.SSH_HOST }}
          script: |
            cd /var/www/shop
            git pull origin main
            pm2 restart shop
```

```json file=package.json
{ "name": "shop-api", "private": true, "dependencies": { "express": "4.21.2" } }
```

### Not reported
The deploy target drives a cluster and a platform, and CI reaches the
cluster through a bastion:

```makefile file=Makefile
deploy:
	kubectl apply -f $(MANIFESTS)
	helm upgrade --install shop ./chart

deploy-fly:
	fly deploy --remote-only
```

```yaml file=.github/workflows/deploy.yml
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ssh ops@bastion.example.com "kubectl -n shop rollout restart deployment/shop"
```

```json file=package.json
{ "name": "shop-api", "private": true, "dependencies": { "express": "4.21.2" } }

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
    LiveRelease,
    /// Containers (re)started on a host reached over SSH: the image
    /// exists, the server that runs it is still kept by hand.
    ContainersOnHost,
    /// The app started detached from the terminal (`nohup java -jar … &`)
    /// with its production settings, or right after the same script built
    /// it: the machine the script runs on is the server.
    DetachedServer,
}

impl Signal {
    fn strong(self) -> bool {
        matches!(
            self,
            Signal::RemoteHost
                | Signal::WebServer
                | Signal::Firewall
                | Signal::ProcessManagerBoot
                | Signal::DetachedServer
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
            Signal::LiveRelease => {
                "installing production dependencies, migrating or toggling maintenance mode of the live app"
            }
            Signal::ContainersOnHost => "starting the app's containers on the host by hand",
            Signal::DetachedServer => {
                "starting the built app detached from the terminal on the host (`nohup … &`)"
            }
        }
    }
}

fn classify(cmd: &ShellCommand) -> Option<Signal> {
    let sub = cmd.subcommand().unwrap_or("");
    match cmd.name.as_str() {
        "ssh" | "sshpass" | "mosh" if runs_remote_commands(cmd) => Some(Signal::RemoteHost),
        "scp" | "rsync" if cmd.args.iter().any(|a| is_remote_path(a)) || rsync_over_ssh(cmd) => {
            Some(Signal::RemoteHost)
        }
        "certbot" | "a2ensite" | "apachectl" | "apache2ctl" => Some(Signal::WebServer),
        // `cp ./Setup/nginx_site /etc/nginx/sites-available/default`: the
        // host's web server configured with the app's site.
        "cp" | "install" | "ln" | "mv"
            if cmd.args.iter().skip(1).any(|a| is_web_server_config(a)) =>
        {
            Some(Signal::WebServer)
        }
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
        // The app's release stopped or started through its own control
        // script (`_build/prod/rel/app/bin/app stop`, `bin/app daemon`), or
        // the host's restart script (`../apache2/bin/restart`).
        _ if restarts_through_release_or_host_script(cmd) => Some(Signal::Services),
        // The production WSGI/ASGI server started on the machine itself.
        "gunicorn" | "uwsgi" | "uvicorn" | "hypercorn" | "daphne" | "waitress-serve" => {
            Some(Signal::Services)
        }
        "apt" | "apt-get" | "yum" | "dnf" | "zypper" if sub == "install" => {
            Some(Signal::SystemPackages)
        }
        "crontab" => Some(Signal::Cron),
        "useradd" | "adduser" | "usermod" => Some(Signal::Users),
        "git" if sub == "pull" => Some(Signal::GitPullOnHost),
        // `git fetch && git reset --hard origin/main`: the checkout is moved
        // to the remote's head, as a pull would.
        "git"
            if sub == "reset"
                && cmd.has_arg("--hard")
                && cmd
                    .args
                    .iter()
                    .any(|a| a.starts_with("origin/") || a.starts_with("upstream/")) =>
        {
            Some(Signal::GitPullOnHost)
        }
        _ if is_live_release(cmd) => Some(Signal::LiveRelease),
        _ if starts_containers(cmd) => Some(Signal::ContainersOnHost),
        _ => None,
    }
}

/// A path under the host's web-server configuration.
fn is_web_server_config(arg: &str) -> bool {
    ["/etc/nginx/", "/etc/apache2/", "/etc/httpd/", "/etc/caddy/"]
        .iter()
        .any(|d| arg.starts_with(d))
}

/// `_build/prod/rel/app/bin/app stop|daemon`, `bin/app daemon_iex`
/// (Elixir/Erlang releases), or a host control script named `restart` /
/// `reload` run by path (`../apache2/bin/restart`, `~/webapps/app/bin/start`).
fn restarts_through_release_or_host_script(cmd: &ShellCommand) -> bool {
    let by_path = cmd.program.contains('/');
    let release = cmd.program.contains("/rel/")
        && matches!(
            cmd.subcommand(),
            Some("stop" | "start" | "restart" | "daemon" | "daemon_iex" | "reload")
        );
    let daemon =
        matches!(cmd.subcommand(), Some("daemon" | "daemon_iex")) && cmd.program.contains("bin/");
    let host_script = matches!(cmd.name.as_str(), "restart" | "reload")
        && cmd.program.contains("/bin/")
        && cmd.args.is_empty();
    by_path && (release || daemon || host_script)
}

/// The line of a command that starts the app's server detached from the
/// terminal (`nohup java -jar app.jar &`, `setsid node server.js &`) when
/// it runs with production settings (`-Dspring.profiles.active=prod`,
/// `--env production`) or the same script builds what it starts (`mvn
/// package`, `gradle bootJar`, `go build`, `npm run build`): a server
/// kept by hand on the machine. A detached start alone (`nohup java -jar
/// app.jar &` in a `run.sh`) is how anyone runs a jar locally.
fn detached_server_line(commands: &[ShellCommand]) -> Option<u32> {
    let builds = commands.iter().any(|c| {
        let sub = c.subcommand().unwrap_or("");
        match c.name.as_str() {
            "mvn" | "mvnw" => c
                .args
                .iter()
                .any(|a| matches!(a.as_str(), "package" | "install" | "verify")),
            "gradle" | "gradlew" => c.args.iter().any(|a| {
                matches!(
                    a.as_str(),
                    "build" | "bootJar" | "jar" | "shadowJar" | "installDist"
                )
            }),
            "go" | "cargo" => sub == "build",
            "npm" | "yarn" | "pnpm" => c.args.iter().any(|a| a == "build"),
            _ => false,
        }
    });
    commands
        .iter()
        .filter(|c| c.detached && starts_app_server(c))
        .find(|c| {
            builds
                || c.args.iter().any(|a| {
                    a.to_ascii_lowercase()
                        .split(['=', ',', ' '])
                        .any(|w| matches!(w, "prod" | "production"))
                })
        })
        .map(|c| c.line)
}

/// A command that runs the app's own server: `java -jar`, `node`, a
/// Python interpreter or WSGI/ASGI server, Puma, `npm start`.
fn starts_app_server(cmd: &ShellCommand) -> bool {
    match cmd.name.as_str() {
        "java" => cmd.has_arg("-jar"),
        "node" | "python" | "python3" | "gunicorn" | "uvicorn" | "puma" => !cmd.args.is_empty(),
        "npm" | "yarn" | "pnpm" => cmd.subcommand() == Some("start"),
        _ => false,
    }
}

/// Steps that only a release of the running app takes: dependencies
/// installed without the development ones (`composer install --no-dev`,
/// `npm ci --omit=dev`, `bundle install --deployment`), migrations forced
/// past Laravel's production prompt (`artisan migrate --force`), the live
/// site put into or out of maintenance (`artisan down`/`up`), Passenger
/// told to restart (`touch tmp/restart.txt`).
fn is_live_release(cmd: &ShellCommand) -> bool {
    let arg = |a: &str| cmd.args.iter().any(|x| x == a);
    match cmd.name.as_str() {
        "composer" => arg("install") && arg("--no-dev"),
        "npm" => (arg("ci") || arg("install")) && (arg("--omit=dev") || arg("--production")),
        "bundle" => arg("install") && (arg("--deployment") || arg("--without")),
        "php" => arg("artisan") && (arg("down") || arg("up") || (arg("migrate") && arg("--force"))),
        "touch" => cmd.args.iter().any(|a| a.ends_with("tmp/restart.txt")),
        _ => false,
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

/// `rsync -e ssh … $DEST` (or `--rsh=ssh`): the transfer goes over SSH to
/// a host even when the destination is a variable.
fn rsync_over_ssh(cmd: &ShellCommand) -> bool {
    cmd.name == "rsync"
        && (cmd
            .args
            .windows(2)
            .any(|w| matches!(w[0].as_str(), "-e" | "--rsh") && w[1].starts_with("ssh"))
            || cmd
                .args
                .iter()
                .any(|a| a.starts_with("--rsh=ssh") || a.starts_with("-essh")))
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

/// Where commands come from, and what that says about the machine they
/// run on.
struct Origin {
    /// The file, for the evidence.
    path: String,
    /// How the message names it (`deploy.sh`, `Makefile` target `deploy`).
    label: String,
    /// The file or recipe name says it is for a developer's machine.
    dev_name: bool,
    /// The commands run on a throwaway machine (a CI runner, a container).
    throwaway: bool,
}

impl Origin {
    fn script(rel: &str) -> Origin {
        Origin {
            path: rel.to_string(),
            label: code(rel),
            dev_name: is_dev_script_name(rel),
            throwaway: runs_on_throwaway_machine(rel),
        }
    }
}

pub(crate) struct ScriptVerdict {
    pub(crate) path: String,
    pub(crate) label: String,
    /// A deployment tool's file that names a remote host (Capistrano
    /// `server`, Envoy `@servers`, Fabric `env.hosts`): deliberate,
    /// specific evidence, not a helper script.
    declared_host: bool,
    /// First line of each signal.
    signals: BTreeMap<Signal, u32>,
}

/// Programs that deploy through an orchestrator or an IaC tool: an SSH
/// session into a bastion that runs them is not a pet deployment.
const ORCHESTRATORS: &[&str] = &[
    "ansible-playbook",
    "helm",
    "k3s",
    "kubectl",
    "nomad",
    "oc",
    "terraform",
];

/// Container engines. On a host reached over SSH, one that (re)starts
/// containers (`docker compose up`, `docker run`, `docker service
/// update`) runs the app's image on a server kept by hand: one named
/// machine, no description of it, no rollback but running the commands
/// again. Any other use (`docker ps`, `docker exec`) says nothing about
/// how the app ships and drops the session, as before.
const CONTAINER_ENGINES: &[&str] = &["docker", "docker-compose", "podman", "podman-compose"];

/// Whether a command (re)starts containers: `docker compose … up`,
/// `docker-compose up`, `docker run`/`start`/`restart`, `docker service
/// update|create`, `docker stack deploy`.
fn starts_containers(cmd: &ShellCommand) -> bool {
    if !CONTAINER_ENGINES.contains(&cmd.name.as_str()) {
        return false;
    }
    // The words after the options (`-f docker-compose.prod.yml` is an
    // option and its value: skip values that look like files).
    let words: Vec<&str> = cmd
        .args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let has = |w: &str| words.contains(&w);
    let compose = cmd.name.ends_with("-compose") || has("compose");
    if compose {
        return has("up") || has("restart") || has("start");
    }
    match words.first().copied() {
        Some("run" | "start" | "restart") => true,
        Some("service") => has("update") || has("create"),
        Some("stack") => has("deploy") || has("up"),
        _ => false,
    }
}

/// What an SSH session's remote commands say about the host: it is a
/// bastion into a cluster or an IaC tool (`Orchestrated`), it drives
/// containers without starting the app (`Other`), it starts the app's
/// containers (`Containers`), or none of these (`Plain`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum RemoteUse {
    Orchestrated,
    ContainersOther,
    Containers,
    Plain,
}

fn remote_use(on_host: &[ShellCommand]) -> RemoteUse {
    if on_host
        .iter()
        .any(|c| ORCHESTRATORS.contains(&c.name.as_str()))
    {
        RemoteUse::Orchestrated
    } else if on_host.iter().any(starts_containers) {
        RemoteUse::Containers
    } else if on_host
        .iter()
        .any(|c| CONTAINER_ENGINES.contains(&c.name.as_str()))
    {
        RemoteUse::ContainersOther
    } else {
        RemoteUse::Plain
    }
}

/// ssh options that take a value (`-p 2222`, `-i key`, `-o Opt=x`).
const SSH_OPTIONS_WITH_VALUE: &str = "bcDEeFIiJLlmOopQRSWw";

/// The commands an `ssh host …` runs on the host: its trailing arguments
/// (`ssh host "cd app && git pull"`) and a here-document fed to it, parsed
/// as shell, each placed on its own line of the file (or the ssh line).
fn remote_commands(ssh: &ShellCommand) -> Vec<ShellCommand> {
    let mut args = ssh.args.iter();
    let mut destination = None;
    while let Some(arg) = args.next() {
        if let Some(option) = arg.strip_prefix('-') {
            if option.len() == 1 && SSH_OPTIONS_WITH_VALUE.contains(option) {
                args.next();
            }
            continue;
        }
        destination = Some(arg);
        break;
    }
    if destination.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let inline = args.map(String::as_str).collect::<Vec<_>>().join(" ");
    if let Ok(script) = ShellScript::parse(&inline) {
        out.extend(script.commands.into_iter().map(|mut c| {
            c.line = ssh.line;
            c
        }));
    }
    if let Some((body, first_line)) = &ssh.heredoc {
        if let Ok(script) = ShellScript::parse(body) {
            out.extend(script.commands.into_iter().map(|mut c| {
                c.line += first_line.saturating_sub(1);
                c
            }));
        }
    }
    out
}

/// The commands that matter, with what runs over SSH read as what it is:
/// an ssh whose remote commands deploy through an orchestrator is dropped,
/// others are kept and followed by their remote commands. The second list
/// holds the remote commands alone.
fn expand_ssh(commands: &[ShellCommand]) -> (Vec<ShellCommand>, Vec<ShellCommand>) {
    let mut all = Vec::with_capacity(commands.len());
    let mut remote = Vec::new();
    for cmd in commands {
        if !(cmd.name == "ssh" && runs_remote_commands(cmd)) {
            all.push(cmd.clone());
            continue;
        }
        let on_host = remote_commands(cmd);
        if matches!(
            remote_use(&on_host),
            RemoteUse::Orchestrated | RemoteUse::ContainersOther
        ) {
            continue;
        }
        all.push(cmd.clone());
        all.extend(on_host.iter().cloned());
        remote.extend(on_host);
    }
    (all, remote)
}

fn signals_of(commands: &[ShellCommand]) -> BTreeMap<Signal, u32> {
    let mut signals: BTreeMap<Signal, u32> = BTreeMap::new();
    for cmd in commands {
        if let Some(signal) = classify(cmd) {
            let line = signals.entry(signal).or_insert(cmd.line);
            *line = (*line).min(cmd.line);
        }
    }
    signals
}

/// A backup that reaches a database host is not deployment (the backup
/// rule reads it), and a host that installs or drives a container engine
/// runs images: not a pet server in the sense of this rule (the container
/// rules cover it).
fn excluded(commands: &[ShellCommand]) -> bool {
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
    dumps || container_host
}

fn assess(
    origin: &Origin,
    commands: &[ShellCommand],
    own_units: &[String],
) -> Option<ScriptVerdict> {
    let (commands, remote) = expand_ssh(commands);
    let commands = commands.as_slice();
    if excluded(commands) {
        return None;
    }
    let mut signals = signals_of(commands);
    if let Some(line) = detached_server_line(commands) {
        signals.entry(Signal::DetachedServer).or_insert(line);
    }
    // Containers started where the script runs are a developer's stack or
    // an installer's; only on a host reached over SSH do they deploy.
    if !remote.iter().any(starts_containers) {
        signals.remove(&Signal::ContainersOnHost);
    }
    let macos = commands
        .iter()
        .any(|c| matches!(c.name.as_str(), "brew" | "xcode-select"));
    // `git pull`, `npm install`, `pm2 restart`: installing dependencies
    // between pulling the code and restarting the running app updates a
    // server, whatever a developer's setup script would also install.
    let pulls = commands
        .iter()
        .any(|c| c.name == "git" && c.subcommand() == Some("pull"));
    let restarts_app = commands.iter().any(|c| {
        (c.name == "pm2"
            && matches!(
                c.subcommand(),
                Some("restart" | "reload" | "start" | "startOrReload" | "startOrRestart")
            ))
            || (c.name == "systemctl" && matches!(c.subcommand(), Some("restart" | "reload")))
            || restarts_through_release_or_host_script(c)
    });
    let installs_for_dev = commands.iter().any(is_local_dev) && !(pulls && restarts_app);
    let local_dev = macos || origin.dev_name || installs_for_dev;
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
                | Signal::DetachedServer
        )
    }) || commands
        .iter()
        .any(|c| c.name == "pm2" || installs_app_service(c, own_units));
    let strong_local_override =
        local_dev && !macos && signals.keys().filter(|s| s.strong()).count() >= 2;
    let qualifies = if (local_dev && !strong_local_override) || origin.throwaway {
        remote
    } else {
        deploys_app && (signals.keys().any(|s| s.strong()) || signals.len() >= 2)
    };
    qualifies.then(|| ScriptVerdict {
        path: origin.path.clone(),
        label: origin.label.clone(),
        declared_host: false,
        signals,
    })
}

/// Words of a recipe name that say it deploys or operates a server.
const DEPLOY_RECIPE_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "live",
    "prod",
    "production",
    "provision",
    "push",
    "release",
    "reload",
    "remote",
    "restart",
    "rollout",
    "server",
    "ship",
    "sync",
    "upload",
];

fn name_words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(['-', '_', ':', '.', '/'])
        .map(|w| w.to_ascii_lowercase())
}

/// Makefile and Justfile recipes run wherever they are invoked: a recipe
/// is a deployment when it qualifies as a script would and either its
/// name says so or it shows two different signals (`ssh host "git pull
/// && pm2 restart app"`). A copy to a host in an `upload-docs` target
/// publishes documentation, not the app.
fn assess_recipes(
    rel: &str,
    recipes: &[task_runner::Recipe],
    own_units: &[String],
) -> Vec<ScriptVerdict> {
    let throwaway = runs_on_throwaway_machine(rel);
    recipes
        .iter()
        .filter(|r| !name_words(&r.name).any(|w| matches!(w.as_str(), "doc" | "docs")))
        .filter_map(|recipe| {
            let origin = Origin {
                path: rel.to_string(),
                label: format!("{} target {}", code(rel), code(&recipe.name)),
                dev_name: name_words(&recipe.name)
                    .any(|w| matches!(w.as_str(), "dev" | "local" | "develop" | "development")),
                throwaway,
            };
            let commands = with_prerequisites(recipes, recipe);
            let verdict = assess(&origin, &commands, own_units)?;
            let deploy_name =
                name_words(&recipe.name).any(|w| DEPLOY_RECIPE_WORDS.contains(&w.as_str()));
            (deploy_name || verdict.signals.len() >= 2).then_some(verdict)
        })
        .collect()
}

/// The commands a recipe runs: those of its prerequisites first (each
/// once, depth first, as make and just run them), then its own. `up: pull
/// migrate reload` pulls and reloads the app although its own body is
/// empty; the commands keep the lines of the recipes that hold them.
fn with_prerequisites(
    recipes: &[task_runner::Recipe],
    recipe: &task_runner::Recipe,
) -> Vec<ShellCommand> {
    fn visit<'a>(
        recipes: &'a [task_runner::Recipe],
        recipe: &'a task_runner::Recipe,
        seen: &mut BTreeSet<&'a str>,
        out: &mut Vec<ShellCommand>,
    ) {
        if !seen.insert(recipe.name.as_str()) {
            return;
        }
        for name in &recipe.prerequisites {
            if let Some(dep) = recipes.iter().find(|r| &r.name == name) {
                visit(recipes, dep, seen, out);
            }
        }
        out.extend(recipe.commands.iter().cloned());
    }
    let mut out = Vec::new();
    visit(recipes, recipe, &mut BTreeSet::new(), &mut out);
    out
}

/// Capistrano, Envoy, Deployer and Fabric run their commands over SSH on
/// the hosts the file declares: a declared remote host is the deployment
/// (its commands add detail), unless those commands deploy images or
/// drive an orchestrator. With only `localhost` declared, the commands run
/// where the tool is invoked and are read as a script.
fn assess_ssh_tool(
    rel: &str,
    file: &task_runner::TaskRunnerFile,
    own_units: &[String],
) -> Option<ScriptVerdict> {
    let commands: Vec<ShellCommand> = file
        .recipes
        .iter()
        .flat_map(|r| r.commands.iter().cloned())
        .collect();
    let label = format!("{} ({})", code(rel), file.tool.label());
    let Some(host) = file.hosts.iter().find(|h| !h.is_local()) else {
        let origin = Origin {
            label,
            ..Origin::script(rel)
        };
        return assess(&origin, &commands, own_units);
    };
    let (commands, _) = expand_ssh(&commands);
    // These tools' hosts are read as before: any container engine or
    // orchestrator in their tasks drops them (a stale Capistrano file
    // beside an image pipeline is common).
    if excluded(&commands) || remote_use(&commands) != RemoteUse::Plain {
        return None;
    }
    let mut signals = signals_of(&commands);
    signals.insert(Signal::RemoteHost, host.line);
    Some(ScriptVerdict {
        path: rel.to_string(),
        label,
        declared_host: true,
        signals,
    })
}

/// GitHub Actions that run commands on, or copy files to, a host over SSH.
const SSH_ACTIONS: &[&str] = &[
    "appleboy/scp-action",
    "appleboy/ssh-action",
    "burnett01/rsync-deployments",
    "cross-the-world/ssh-scp-ssh-pipelines",
    "d3rhase/ssh-command-action",
    "easingthemes/ssh-deploy",
    "garygrossgarten/github-action-ssh",
    "wlixcc/sftp-deploy-action",
];

/// `${{ secrets.HOST }}` is not shell: read it as a variable.
fn ci_expressions_as_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push_str("${CI_EXPRESSION}");
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The commands of a CI step whose text starts on `line`.
fn step_commands(text: &str, line: u32) -> Vec<ShellCommand> {
    let text = ci_expressions_as_variables(text);
    // The step's line is that of its first non-blank line.
    let leading_blank = text.lines().take_while(|l| l.trim().is_empty()).count() as u32;
    let Ok(script) = ShellScript::parse(&text) else {
        return Vec::new();
    };
    script
        .commands
        .into_iter()
        .map(|mut c| {
            c.line = (c.line + line).saturating_sub(1 + leading_blank).max(line);
            if let Some((_, l)) = &mut c.heredoc {
                *l = (*l + line).saturating_sub(1 + leading_blank).max(line);
            }
            c
        })
        .collect()
}

/// The name of a Jenkins stage opened on this line: `stage('Deploy') {`.
fn jenkins_stage(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("stage")?.trim_start();
    let rest = rest.strip_prefix('(')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &rest[1..];
    body.find(quote).map(|end| &body[..end])
}

/// The shell script of a one-line Jenkins `sh` step: `sh 'cmd'`,
/// `sh "cmd"`, `sh('cmd')`, `sh(script: 'cmd')`, `sh script: 'cmd'`.
/// Multi-line (`'''`) scripts are not read.
fn jenkins_sh(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("sh")?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('(').unwrap_or(rest).trim_start();
    let rest = rest
        .strip_prefix("script:")
        .map(str::trim_start)
        .unwrap_or(rest);
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    if rest.starts_with("'''") || rest.starts_with("\"\"\"") {
        return None;
    }
    let body = &rest[1..];
    body.rfind(quote).map(|end| &body[..end])
}

/// Adds signals, keeping the first line of each.
fn add(signals: &mut BTreeMap<Signal, u32>, found: BTreeMap<Signal, u32>) {
    for (signal, line) in found {
        let at = signals.entry(signal).or_insert(line);
        *at = (*at).min(line);
    }
}

/// A CI pipeline runs on throwaway runners: it deploys by hand when a job
/// reaches a host over SSH (an SSH action, or `ssh`/`scp`/`rsync` to a
/// host) and that deploys the app — the remote commands pull, restart or
/// configure it, an SSH action runs them, or the workflow is a deployment
/// by its name. An SSH session into a bastion that runs `kubectl` or
/// `helm`, or a host that runs containers, is not a pet deployment.
fn assess_ci(rel: &str, pipeline: &ci::CiPipeline) -> Option<ScriptVerdict> {
    let mut signals: BTreeMap<Signal, u32> = BTreeMap::new();
    let mut deploys_app = rel.rsplit('/').next().is_some_and(|n| {
        name_words(n).any(|w| {
            matches!(
                w.as_str(),
                "deploy" | "deployment" | "production" | "prod" | "cd"
            )
        })
    });
    let mut ssh_action: Option<(&str, u32)> = None;
    let mut action_commands: Vec<ShellCommand> = Vec::new();
    let mut on_runner = false;
    // A Jenkinsfile runs on the team's own node, a machine that stays: the
    // stage a command is in says what it is for.
    let jenkins = rel
        .rsplit('/')
        .next()
        .is_some_and(|n| n.to_ascii_lowercase().starts_with("jenkinsfile"));
    let mut stage = String::new();
    for step in &pipeline.steps {
        match step.kind {
            ci::StepKind::Uses => {
                let action = step
                    .text
                    .split('@')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                ssh_action = SSH_ACTIONS
                    .iter()
                    .find(|a| **a == action)
                    .map(|a| (*a, step.line));
                if let Some((_, line)) = ssh_action {
                    signals.entry(Signal::RemoteHost).or_insert(line);
                    deploys_app = true;
                }
            }
            ci::StepKind::Input => {
                // An input of an SSH action (`script:`) runs on the host.
                let Some((action, _)) = ssh_action else {
                    continue;
                };
                let short = action.rsplit('/').next().unwrap_or(action);
                let value = step.text.get(short.len()..).unwrap_or("").trim_start();
                action_commands.extend(step_commands(value, step.line));
            }
            ci::StepKind::Run => {
                ssh_action = None;
                let script = if jenkins {
                    if let Some(name) = jenkins_stage(&step.text) {
                        stage = name.to_ascii_lowercase();
                    }
                    jenkins_sh(&step.text).unwrap_or(&step.text)
                } else {
                    &step.text
                };
                let commands = step_commands(script, step.line);
                let (all, remote) = expand_ssh(&commands);
                if excluded(&remote) {
                    continue;
                }
                // A Jenkins stage named for the deployment that starts
                // containers on the node itself (`docker-compose up -d`):
                // the node is the server, updated in place by the job.
                if jenkins
                    && name_words(&stage).any(|w| {
                        matches!(
                            w.as_str(),
                            "deploy" | "deployment" | "release" | "prod" | "production"
                        )
                    })
                    && !excluded(&all)
                {
                    if let Some(c) = commands.iter().find(|c| starts_containers(c)) {
                        on_runner = true;
                        deploys_app = true;
                        signals.entry(Signal::ContainersOnHost).or_insert(c.line);
                    }
                }
                // On a self-hosted runner the job's machine can be the
                // server: pulling the code there and restarting the app
                // under a process manager deploys it in place.
                if pipeline.self_hosted && !excluded(&all) {
                    let here = signals_of(&all);
                    if here.contains_key(&Signal::GitPullOnHost)
                        && (here.contains_key(&Signal::Services)
                            || here.contains_key(&Signal::ProcessManagerBoot))
                    {
                        on_runner = true;
                        deploys_app = true;
                        add(&mut signals, here);
                    }
                }
                let found = signals_of(&all);
                if let Some(line) = found.get(&Signal::RemoteHost) {
                    signals.entry(Signal::RemoteHost).or_insert(*line);
                    let on_host = signals_of(&remote);
                    deploys_app |= on_host.keys().any(|s| *s != Signal::RemoteHost);
                    add(&mut signals, on_host);
                }
            }
        }
    }
    if !action_commands.is_empty() {
        if excluded(&action_commands)
            || matches!(
                remote_use(&action_commands),
                RemoteUse::Orchestrated | RemoteUse::ContainersOther
            )
        {
            // The SSH action drives containers or a cluster: drop what it
            // added, keep what plain steps found.
            if signals.len() == 1 {
                return None;
            }
        } else {
            add(&mut signals, signals_of(&action_commands));
        }
    }
    ((signals.contains_key(&Signal::RemoteHost) || on_runner) && deploys_app).then(|| {
        ScriptVerdict {
            path: rel.to_string(),
            label: code(rel),
            declared_host: false,
            signals,
        }
    })
}

/// Systemd units that are the repository's own: unit files it ships, and
/// its apps' names and folders.
fn own_units(cx: &RepoContext) -> Vec<String> {
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
    own_units
}

/// The scripts, task-runner recipes, SSH deployment tools and CI jobs that
/// deploy or provision a server by hand, whatever else the repository
/// defines (`RepoContext::manual_deployments` keeps them).
pub(crate) fn find_manual_deployments(cx: &RepoContext) -> Vec<ScriptVerdict> {
    let own_units = own_units(cx);
    let product = |id: &&FileId| !is_non_product_path(cx.rel(**id));
    let mut verdicts: Vec<ScriptVerdict> = cx
        .index
        .of_kind(FileKind::ShellScript)
        .iter()
        .filter(product)
        .filter_map(|id| {
            let script = cx.facts.shell_script_mentioning(*id, SHELL_OPERATIONS)?;
            assess(&Origin::script(cx.rel(*id)), &script.commands, &own_units)
        })
        .collect();
    for id in cx
        .index
        .of_kind(FileKind::TaskRunner)
        .iter()
        .filter(product)
    {
        let Some(file) = cx.facts.task_runner(*id) else {
            continue;
        };
        let rel = cx.rel(*id);
        if file.tool.runs_on_declared_hosts() {
            verdicts.extend(assess_ssh_tool(rel, file, &own_units));
        } else {
            verdicts.extend(assess_recipes(rel, &file.recipes, &own_units));
        }
    }
    for id in cx.index.of_kind(FileKind::CiConfig).iter().filter(product) {
        if let Some(pipeline) = cx.facts.ci_pipeline(*id) {
            verdicts.extend(assess_ci(cx.rel(*id), pipeline));
        }
    }
    for kind in [FileKind::JsSource, FileKind::Source(Lang::Python)] {
        // The path test first: it rejects nearly every file of an app
        // without allocating, before the folder-word walk of `product`.
        for id in cx.index.of_kind(kind) {
            let rel = cx.rel(*id);
            if !is_deploy_program(rel) || !product(&id) {
                continue;
            }
            // Only a file that spells a transfer is lexed.
            let Some(source) = cx.facts.source_code(*id, PROGRAM_TRANSFER_WORDS) else {
                continue;
            };
            let mut commands = embedded_shell::commands(&source.tokens, source.lang);
            // A session that only reads the host (`ssh host journalctl`)
            // is neither evidence nor a line to cite.
            commands.retain(|c| !is_transfer(c) || ships(c));
            if commands.iter().any(ships) {
                verdicts.extend(assess(&Origin::script(rel), &commands, &own_units));
            }
        }
    }
    verdicts
}

/// What a program that ships to a host spells (each word is in the
/// read-ahead word table, so other files are not read again).
const PROGRAM_TRANSFER_WORDS: &[&str] = &["ssh", "scp", "rsync"];

/// Words of a file name that say the program deploys.
const DEPLOY_PROGRAM_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "devops",
    "provision",
    "publish",
    "release",
    "ship",
    "upload",
];

/// Folders a project keeps its operations scripts in.
const SCRIPT_FOLDERS: &[&str] = &[
    "bin",
    "deploy",
    "deployment",
    "devops",
    "infra",
    "ops",
    "script",
    "scripts",
    "tasks",
    "tools",
];

/// Folders of application code: a `deploy.ts` there is the product's own
/// feature (a deployment tool deploying its users' projects), not how the
/// repository ships itself.
const SOURCE_FOLDERS: &[&str] = &[
    "api", "app", "apps", "cmd", "internal", "lib", "packages", "pkg", "server", "src",
];

/// A JavaScript/TypeScript or Python program that is a project's
/// operations script: kept in a scripts folder (`scripts/deploy.js`,
/// `deploy/devops.js`, `src/scripts/deploy.js`), named for a deployment
/// outside the application code (`deploy.mjs`), or a task runner's file
/// at the root (`gulpfile.js`, `Gruntfile.js`, Invoke's `tasks.py`).
fn is_deploy_program(rel: &str) -> bool {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = name.split('.').next().unwrap_or(name);
    let is = |word: &str, list: &[&str]| list.iter().any(|w| w.eq_ignore_ascii_case(word));
    if dir.is_empty() && is(stem, &["gulpfile", "gruntfile", "jakefile", "tasks"]) {
        return true;
    }
    let parent = dir.rsplit('/').next().unwrap_or("");
    if is(parent, SCRIPT_FOLDERS) {
        return true;
    }
    stem.split(['-', '_', ':', '.', '/'])
        .any(|w| is(w, DEPLOY_PROGRAM_WORDS))
        && !dir.split('/').any(|d| is(d, SOURCE_FOLDERS))
}

/// `ssh`, `scp` or `rsync`.
fn is_transfer(c: &ShellCommand) -> bool {
    matches!(c.name.as_str(), "ssh" | "scp" | "rsync")
}

/// Whether a program's command ships something to a host: a copy to a
/// host (`scp`/`rsync`), or an SSH session that changes the host (its
/// commands restart, pull or install the app, or it runs a script fed to
/// it, `cat deploy.sh | ssh host bash -s`). An SSH session that only reads
/// logs or toggles a file is not a deployment, nor is a local `rsync`.
fn ships(c: &ShellCommand) -> bool {
    match c.name.as_str() {
        "scp" | "rsync" => classify(c) == Some(Signal::RemoteHost),
        "ssh" if runs_remote_commands(c) => remote_commands(c).iter().any(|r| {
            classify(r).is_some()
                || (matches!(r.name.as_str(), "bash" | "sh" | "zsh") && r.has_arg("-s"))
        }),
        _ => false,
    }
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    // Infrastructure as code or a platform file that defines the
    // deployment on its own: the scripts are not the whole story.
    let all_verdicts = cx.manual_deployments();
    if all_verdicts.is_empty() {
        return Vec::new();
    }
    // Ansible that only provisions the host (packages, users, nginx) does
    // not describe how the app reaches it: it settles nothing.
    let mut definitions: Vec<(FileId, DeployKind)> = cx.deploy_definitions().to_vec();
    let mut provisioning: Vec<&str> = Vec::new();
    if definitions.iter().any(|(_, k)| *k == DeployKind::Ansible)
        && !ansible_deploys_app(cx, &definitions)
    {
        provisioning = definitions
            .iter()
            .filter(|(id, k)| *k == DeployKind::Ansible && cx.facts.yaml_documents(*id).is_some())
            .map(|(id, _)| cx.rel(*id))
            .collect();
        definitions.retain(|(_, k)| *k != DeployKind::Ansible);
    }
    // What the repository has instead of a definition of the deployment.
    let nothing_else =
        match provisioning.as_slice() {
            [] => "the repository has no infrastructure-as-code or platform deployment definition"
                .to_string(),
            files => format!(
            "the repository's Ansible ({}) only provisions the host, it does not deploy the app",
            files.iter().take(3).map(|f| code(f)).collect::<Vec<_>>().join(", ")
        ),
        };
    let decisive: Vec<DeployKind> = definitions
        .iter()
        .filter(|(id, _)| cx.is_decisive(*id))
        .map(|(_, kind)| *kind)
        .collect();
    let verdicts: Vec<&ScriptVerdict> = if decisive.is_empty() {
        all_verdicts.iter().collect()
    } else if decisive.iter().all(|k| is_platform(*k)) {
        // A deployment tool configured with a server (Capistrano, Envoy,
        // Deployer, Fabric) is as deliberate as a platform file: the two
        // contradict each other, and which one production uses is for the
        // reader to verify. Infrastructure as code still settles it.
        all_verdicts.iter().filter(|v| v.declared_host).collect()
    } else {
        Vec::new()
    };
    if verdicts.is_empty() {
        return Vec::new();
    }

    let mut labels: Vec<&str> = verdicts.iter().map(|v| v.label.as_str()).collect();
    labels.dedup();
    let scripts = labels.join(", ");
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
    locations.dedup();
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
    // Every path runs the app's image on the host: the build is immutable,
    // the server is not. Reported lower, said as it is.
    if verdicts
        .iter()
        .all(|v| v.signals.contains_key(&Signal::ContainersOnHost))
    {
        let mut finding = RULE.meta.finding(
            None,
            format!(
                "{scripts} starts the app's containers by hand on one server ({what}): the image exists, but the server that runs it is kept by hand, and {nothing_else}."
            ),
            "The host (its Docker install, compose files, volumes, TLS, firewall) is described nowhere: it drifts, cannot be rebuilt quickly after a loss, and a bad release is rolled back only by running the commands again by hand on that one machine.".to_string(),
            "Describe the host as code (Terraform/Pulumi, Ansible) or run the image on a platform or orchestrator that keeps releases and rolls back (Fly.io, Render, AWS App Runner/ECS, Kubernetes).".to_string(),
            locations,
        );
        finding.severity = Severity::Medium;
        return vec![finding];
    }
    let message = format!(
        "Reliance on {scripts} implies a \"pet\" server approach (SSHing into a VPS) rather than immutable infrastructure ({what}), and {nothing_else}."
    );
    vec![RULE.meta.finding(
        None,
        message,
        "Server drift over time: every manual run and hot-fix changes the host, which can no longer be rebuilt from the repository. Hard to scale horizontally or to recover from a lost server.".to_string(),
        "Move to Infrastructure as Code (Terraform/Pulumi, Kubernetes manifests) or a PaaS (Vercel, Fly.io, Render, AWS App Runner/Amplify) that deploys an immutable build of each release.".to_string(),
        locations,
    )]
}

/// Ansible modules that put the app itself on the host (as opposed to the
/// packages, users and web server a host is provisioned with): its code
/// (`synchronize`, `unarchive`, `deploy_helper`), its containers, its
/// dependencies installed in its folder (`composer`, `bundler`, `npm` or
/// `pip` with a path or a requirements file). Compared by the last segment
/// of the name (`ansible.posix.synchronize`).
const ANSIBLE_DEPLOY_MODULES: &[&str] = &[
    "bundler",
    "composer",
    "deploy_helper",
    "docker_compose",
    "docker_compose_v2",
    "docker_container",
    "docker_image",
    "docker_stack",
    "docker_swarm_service",
    "helm",
    "k8s",
    "podman_container",
    "synchronize",
    "unarchive",
];

/// Tools a host is provisioned with by cloning their repository (the
/// `git` module is otherwise taken as the app's checkout).
const ANSIBLE_CLONED_TOOLS: &[&str] = &[
    "asdf",
    "goenv",
    "nodenv",
    "nvm",
    "oh-my-zsh",
    "phpenv",
    "pyenv",
    "rbenv",
    "rbenv-vars",
    "ruby-build",
];

/// Words of a `shell`/`command` task that start or update the app.
const ANSIBLE_DEPLOY_COMMANDS: &[&str] = &[
    "git pull",
    "git clone",
    "pm2 ",
    "docker compose",
    "docker-compose",
    "docker run",
    "manage.py",
    "artisan",
    "npm start",
    "npm ci",
    "bundle exec",
    "cap ",
];

/// Whether one Ansible task deploys the app: it ships the app, or makes it
/// a service of the host (a unit or supervisor program installed, the
/// app's own unit started).
fn ansible_task_deploys(key: &str, value: &yaml_rust2::Yaml, own_units: &[String]) -> bool {
    let module = key.rsplit('.').next().unwrap_or(key);
    let text = || -> String {
        match value {
            yaml_rust2::Yaml::String(s) => s.clone(),
            other => crate::facts::yaml::get_str(other, "cmd")
                .or_else(|| crate::facts::yaml::get_str(other, "argv"))
                .unwrap_or("")
                .to_string(),
        }
    };
    match module {
        m if ANSIBLE_DEPLOY_MODULES.contains(&m) => true,
        "git" => {
            let repo = match value {
                yaml_rust2::Yaml::String(s) => s
                    .split_whitespace()
                    .find_map(|kv| kv.strip_prefix("repo="))
                    .unwrap_or("")
                    .to_string(),
                other => crate::facts::yaml::get_str(other, "repo")
                    .unwrap_or("")
                    .to_string(),
            };
            let name = repo
                .trim_end_matches('/')
                .rsplit(['/', ':'])
                .next()
                .unwrap_or("")
                .trim_end_matches(".git")
                .to_ascii_lowercase();
            !ANSIBLE_CLONED_TOOLS.contains(&name.as_str())
        }
        "npm" => crate::facts::yaml::get(value, "path").is_some(),
        "template" | "copy" => crate::facts::yaml::get_str(value, "dest")
            .is_some_and(|d| d.contains("/etc/systemd/system") || d.contains("/etc/supervisor")),
        "systemd" | "systemd_service" | "service" | "supervisorctl" => {
            crate::facts::yaml::get_str(value, "name").is_some_and(|n| {
                let unit = n.trim_end_matches(".service").to_ascii_lowercase();
                own_units.contains(&unit)
            })
        }
        "pip" => {
            crate::facts::yaml::get(value, "requirements").is_some()
                || crate::facts::yaml::get(value, "chdir").is_some()
        }
        "shell" | "command" | "raw" => {
            let text = text();
            ANSIBLE_DEPLOY_COMMANDS.iter().any(|w| text.contains(w))
        }
        _ => false,
    }
}

/// Whether a YAML tree holds a task that deploys the app, or names a role
/// the repository does not hold (what a Galaxy role does is unknown: it
/// may deploy).
fn ansible_yaml_deploys(node: &yaml_rust2::Yaml, own_roles: &[&str], own_units: &[String]) -> bool {
    use yaml_rust2::Yaml;
    let unknown_role = |role: &Yaml| {
        let name = match role {
            Yaml::String(s) => Some(s.as_str()),
            other => crate::facts::yaml::get_str(other, "role")
                .or_else(|| crate::facts::yaml::get_str(other, "name")),
        };
        name.is_some_and(|n| !n.contains("{{") && !own_roles.contains(&n))
    };
    match node {
        Yaml::Array(items) => items
            .iter()
            .any(|i| ansible_yaml_deploys(i, own_roles, own_units)),
        Yaml::Hash(map) => map.iter().any(|(k, v)| {
            let Some(key) = k.as_str() else {
                return false;
            };
            let roles = match key {
                "roles" => v.as_vec().is_some_and(|r| r.iter().any(unknown_role)),
                "include_role"
                | "import_role"
                | "ansible.builtin.include_role"
                | "ansible.builtin.import_role" => unknown_role(v),
                _ => false,
            };
            roles
                || ansible_task_deploys(key, v, own_units)
                || ansible_yaml_deploys(v, own_roles, own_units)
        }),
        _ => false,
    }
}

/// Whether the repository's Ansible deploys the app, or only provisions
/// the host it runs on (packages, users, nginx): a playbook that installs
/// Ruby and PostgreSQL while Capistrano ships the releases leaves the
/// deployment a hand-run one. Unreadable Ansible (only an `ansible.cfg`,
/// a playbook that does not parse) is taken to deploy, as before. Read
/// once per audit, from the deployment definitions already found.
fn ansible_deploys_app(cx: &RepoContext, definitions: &[(FileId, DeployKind)]) -> bool {
    let ansible: Vec<FileId> = definitions
        .iter()
        .filter(|(_, k)| *k == DeployKind::Ansible)
        .map(|(id, _)| *id)
        .collect();
    // Roles the repository holds: `…/roles/<name>/tasks/…`.
    let own_roles: Vec<&str> = ansible
        .iter()
        .filter_map(|id| {
            let parts: Vec<&str> = cx.rel(*id).split('/').collect();
            parts
                .iter()
                .position(|p| *p == "roles")
                .and_then(|i| parts.get(i + 1).copied())
        })
        .collect();
    let units = own_units(cx);
    let mut read_any = false;
    for id in &ansible {
        let rel = cx.rel(*id);
        if !(rel.ends_with(".yml") || rel.ends_with(".yaml")) {
            continue;
        }
        let Some(docs) = cx.facts.yaml_documents(*id) else {
            return true;
        };
        read_any = true;
        if docs
            .iter()
            .any(|d| ansible_yaml_deploys(d, &own_roles, &units))
        {
            return true;
        }
    }
    !read_any
}

/// Platforms that build and run the app from the repository (as opposed
/// to infrastructure-as-code tools that describe servers).
fn is_platform(kind: DeployKind) -> bool {
    matches!(
        kind,
        DeployKind::AwsAmplify
            | DeployKind::AwsAppRunner
            | DeployKind::AwsElasticBeanstalk
            | DeployKind::CapRover
            | DeployKind::CloudflareWorkers
            | DeployKind::DigitalOceanAppPlatform
            | DeployKind::FlyIo
            | DeployKind::GoogleAppEngine
            | DeployKind::Heroku
            | DeployKind::Netlify
            | DeployKind::Nixpacks
            | DeployKind::PlatformSh
            | DeployKind::Railway
            // Rancher runs the images a pipeline pushes on its clusters.
            | DeployKind::Rancher
            | DeployKind::Render
            | DeployKind::Vercel
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(rel: &str, script: &str) -> Option<Vec<Signal>> {
        let parsed = ShellScript::parse(script).expect("parses");
        assess(
            &Origin::script(rel),
            &parsed.commands,
            &["acme-api".to_string()],
        )
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

    fn recipes_verdict(rel: &str, text: &str) -> Vec<String> {
        let file = task_runner::TaskRunnerFile::parse(rel, text).expect("parses");
        assess_recipes(rel, &file.recipes, &[])
            .into_iter()
            .map(|v| v.label)
            .collect()
    }

    #[test]
    fn makefile_deploy_targets() {
        let labels = recipes_verdict(
            "Makefile",
            "deploy:\n\tssh app \"cd ~/prod && git pull && sudo systemctl restart shop\"\n\nupload-docs:\n\trsync -az docs/_build/ web@docs.example.com:/srv/docs\n",
        );
        assert_eq!(labels, ["`Makefile` target `deploy`"]);
        // IaC and PaaS CLIs, a bastion that runs kubectl, a dev setup pull.
        assert!(recipes_verdict(
            "Makefile",
            "deploy:\n\tkubectl apply -f k8s/\n\thelm upgrade --install shop ./chart\n\tterraform apply -auto-approve\n\tfly deploy\n\tvercel --prod\n\nrollout:\n\tssh bastion.example.com 'kubectl rollout restart deploy/shop'\n\ndev-setup:\n\tgit pull\n\tnpm install\n"
        )
        .is_empty());
    }

    #[test]
    fn ssh_heredoc_runs_on_the_host() {
        let signals = verdict(
            ".github/scripts/deploy.sh",
            "ssh apps@$IP <<EOF\n  cd $DIR\n  git pull\n  pm2 restart app\nEOF\n",
        );
        assert_eq!(
            signals,
            Some(vec![
                Signal::RemoteHost,
                Signal::Services,
                Signal::GitPullOnHost
            ])
        );
    }

    #[test]
    fn ci_jobs_that_ssh_into_a_host() {
        let deploy = "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: appleboy/ssh-action@v1.0.3\n        with:\n          host: ${{ secrets.HOST }}\n          script: |\n            cd /var/www/app\n            git pull origin main\n            pm2 restart app\n";
        let pipeline = ci::CiPipeline::parse("main.yml", deploy).expect("parses");
        let v = assess_ci(".github/workflows/main.yml", &pipeline).expect("reported");
        assert_eq!(v.signals.get(&Signal::RemoteHost), Some(&6));
        assert!(v.signals.contains_key(&Signal::GitPullOnHost));

        let plain = "jobs:\n  ship:\n    steps:\n      - run: ssh ${{ secrets.USER }}@${{ secrets.HOST }} \"cd app && git pull && pm2 restart app\"\n";
        let pipeline = ci::CiPipeline::parse("main.yml", plain).expect("parses");
        assert!(assess_ci(".github/workflows/main.yml", &pipeline).is_some());

        let bastion = "jobs:\n  deploy:\n    steps:\n      - run: ssh ops@bastion.example.com \"kubectl set image deploy/app app=$IMAGE\"\n      - uses: appleboy/ssh-action@v1\n        with:\n          script: helm upgrade app ./chart\n";
        let pipeline = ci::CiPipeline::parse("deploy.yml", bastion).expect("parses");
        assert!(assess_ci(".github/workflows/deploy.yml", &pipeline).is_none());

        let docs = "jobs:\n  docs:\n    steps:\n      - run: rsync -az site/ web@docs.example.com:/srv/docs\n";
        let pipeline = ci::CiPipeline::parse("docs.yml", docs).expect("parses");
        assert!(assess_ci(".github/workflows/docs.yml", &pipeline).is_none());
    }

    #[test]
    fn containers_started_over_ssh_deploy_but_reads_and_bastions_do_not() {
        let signals = verdict(
            "scripts/ship.sh",
            "rsync -az ./ deploy@203.0.113.9:app\nssh deploy@203.0.113.9 \"cd app && docker compose -f docker-compose.prod.yml up -d --build\"\n",
        );
        assert_eq!(
            signals,
            Some(vec![Signal::RemoteHost, Signal::ContainersOnHost])
        );
        // Only reading the container: the session says nothing of the
        // deployment, as before.
        assert!(verdict(
            "logs.sh",
            "ssh ops@app.example.com \"docker logs -f app\"\n"
        )
        .is_none());
        // A local stack is no server.
        assert!(verdict("run.sh", "docker compose up -d\n").is_none());
        let parse = |s: &str| ShellScript::parse(s).expect("parses").commands;
        assert!(parse("docker service update --image r/app:1 app_web")
            .iter()
            .any(starts_containers));
        assert!(
            !parse("docker compose build && docker compose run --rm app pytest")
                .iter()
                .any(starts_containers)
        );
    }

    #[test]
    fn jenkins_stages_and_sh_steps() {
        assert_eq!(jenkins_stage("stage('Deploy') {"), Some("Deploy"));
        assert_eq!(jenkins_stage("stages {"), None);
        assert_eq!(
            jenkins_sh("sh(script: 'docker-compose up -d api')"),
            Some("docker-compose up -d api")
        );
        assert_eq!(jenkins_sh("sh \"make ${X}\""), Some("make ${X}"));
        assert_eq!(jenkins_sh("sh '''"), None);
        assert_eq!(jenkins_sh("slackSend(channel: 'x')"), None);
    }
}
