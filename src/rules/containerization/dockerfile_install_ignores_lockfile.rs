//! dockerfile-install-ignores-lockfile: `npm install` (not `npm ci`) and
//! friends in an image build, while the project has a lockfile.

use crate::facts::dockerfile::{Dockerfile, Instruction};
use crate::facts::shell::{ShellCommand, ShellScript};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::dockerfiles::{self, chain, copy_parts, env_pairs, Target};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "dockerfile-install-ignores-lockfile",
        code: "SW105",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Image build ignores the lockfile",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reads the `RUN` instructions of production Dockerfiles and reports a
dependency install that does not enforce the lockfile, when the build context
(or the app's folder) has that package manager's lockfile:
- `npm install` / `npm i` with no package named (`npm ci` enforces
  `package-lock.json` or `npm-shrinkwrap.json`);
- `yarn` / `yarn install` without `--frozen-lockfile` (Yarn 1) or
  `--immutable` (Yarn ≥2, unless `.yarnrc.yml` sets
  `enableImmutableInstalls: true`);
- `pnpm install` without `--frozen-lockfile` or `--offline` (pnpm only
  freezes by default when `CI` is set, which `docker build` does not do
  unless the Dockerfile sets `ENV CI=true`);
- `bun install` without `--frozen-lockfile`.

Installing a named package (`npm install -g pnpm`, `npm i sharp`) is not a
lockfile install and is not reported; neither is a pruning install
(`yarn install --production`, `npm install --omit=dev`) after a frozen
install in the same stage (or one it builds on): the lockfile was enforced,
the second install only removes dev dependencies; neither is a project with no lockfile.
The message says whether the lockfile is copied into the image before the
install or left out altogether.

## Why is this bad?
These commands resolve versions from `package.json` ranges whenever the
lockfile disagrees with it (or is absent from the image) instead of failing:
the image runs dependency versions nobody tested, and two builds of the same
commit can differ — a broken or compromised release of a transitive
dependency goes straight to production.

## Example
### Reported
```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev
COPY . .
USER node
CMD ["node", "server.js"]
```

```json file=package.json
{ "name": "api", "dependencies": { "express": "4.21.0" } }
```

```json file=package-lock.json
{ "name": "api", "lockfileVersion": 3 }
```

### Not reported
```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["node", "server.js"]
```

```json file=package.json
{ "name": "api", "dependencies": { "express": "4.21.0" } }
```

```json file=package-lock.json
{ "name": "api", "lockfileVersion": 3 }
```

## Fix
Copy the lockfile before installing and use the frozen install: `npm ci`,
`yarn install --frozen-lockfile` (Yarn 1) or `yarn install --immutable`
(Yarn ≥2), `pnpm install --frozen-lockfile`, `bun install --frozen-lockfile`.

`seaworthy fix --unsafe` turns each loose install of the Dockerfile into
the frozen one (`npm ci`, `yarn … --frozen-lockfile` or `--immutable` on
Yarn ≥2, `pnpm`/`bun install --frozen-lockfile`), keeping its other
flags, and adds the lockfile to the `COPY` that brings `package.json` when
it is not copied before the install. It is unsafe because the build then
fails when the lockfile is out of date.
"#;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Manager {
    Npm,
    Yarn,
    Pnpm,
    Bun,
}

impl Manager {
    pub(crate) fn lockfiles(self) -> &'static [&'static str] {
        match self {
            Manager::Npm => &["package-lock.json", "npm-shrinkwrap.json"],
            Manager::Yarn => &["yarn.lock"],
            Manager::Pnpm => &["pnpm-lock.yaml"],
            Manager::Bun => &["bun.lock", "bun.lockb"],
        }
    }

    fn fix(self) -> &'static str {
        match self {
            Manager::Npm => "`npm ci`",
            Manager::Yarn => {
                "`yarn install --frozen-lockfile` (Yarn 1) or `yarn install --immutable` (Yarn ≥2)"
            }
            Manager::Pnpm => "`pnpm install --frozen-lockfile`",
            Manager::Bun => "`bun install --frozen-lockfile`",
        }
    }
}

/// The package manager of an install that does not enforce its lockfile.
pub(crate) fn loose_install(cmd: &ShellCommand, ci: bool) -> Option<Manager> {
    let positional: Vec<&str> = cmd
        .args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let sub = positional.first().copied();
    let flag = |names: &[&str]| {
        cmd.args.iter().any(|a| {
            names
                .iter()
                .any(|n| a == n || a.starts_with(&format!("{n}=")))
        })
    };
    match cmd.name.as_str() {
        "npm" => (matches!(sub, Some("install" | "i" | "add" | "isntall"))
            && positional.len() == 1
            && !flag(&["-g", "--global"]))
        .then_some(Manager::Npm),
        "yarn" => (matches!(sub, None | Some("install"))
            && positional.len() <= 1
            && !flag(&["--frozen-lockfile", "--immutable", "--immutable-cache"])
            && !ci)
            .then_some(Manager::Yarn),
        "pnpm" => (matches!(sub, Some("install" | "i"))
            && positional.len() == 1
            && !cmd.args.iter().any(|a| a == "--frozen-lockfile")
            && !flag(&["--offline", "--prefer-frozen-lockfile"])
            && !ci)
            .then_some(Manager::Pnpm),
        "bun" => (matches!(sub, Some("install" | "i"))
            && positional.len() == 1
            && !flag(&["--frozen-lockfile", "--ci"]))
        .then_some(Manager::Bun),
        _ => None,
    }
}

/// Whether a command is a frozen install of `manager`'s whole project
/// (`npm ci`, `yarn install --frozen-lockfile`, `pnpm install
/// --frozen-lockfile`, `bun install --frozen-lockfile`).
fn frozen_install(cmd: &ShellCommand, manager: Manager) -> bool {
    let sub = cmd
        .args
        .iter()
        .map(String::as_str)
        .find(|a| !a.starts_with('-'));
    let has = |names: &[&str]| cmd.args.iter().any(|a| names.contains(&a.as_str()));
    match (manager, cmd.name.as_str()) {
        (Manager::Npm, "npm") => matches!(sub, Some("ci" | "clean-install")),
        (Manager::Yarn, "yarn") => {
            matches!(sub, None | Some("install"))
                && has(&["--frozen-lockfile", "--immutable", "--immutable-cache"])
        }
        (Manager::Pnpm, "pnpm") | (Manager::Bun, "bun") => {
            matches!(sub, Some("install" | "i")) && has(&["--frozen-lockfile"])
        }
        _ => false,
    }
}

/// Whether a loose install only prunes: it asks for production
/// dependencies (`yarn install --production`, `npm install --omit=dev`),
/// after a frozen install in the same stage or a stage it builds on
/// enforced the lockfile — it removes dev dependencies from the tree that
/// install resolved, it picks no version of its own.
fn prunes_after_frozen_install(
    file: &Dockerfile,
    stages: &[usize],
    cmd: &ShellCommand,
    line: u32,
    manager: Manager,
) -> bool {
    let prunes = cmd.args.iter().any(|a| {
        matches!(
            a.as_str(),
            "--production" | "--prod" | "--production=true" | "--omit=dev" | "--only=production"
        )
    });
    prunes
        && stages.iter().any(|i| {
            file.stages[*i]
                .all("RUN")
                .filter(|r| *i != stages[0] || r.line < line)
                .any(|r| run_commands(r).iter().any(|c| frozen_install(c, manager)))
        })
}

fn run_commands(inst: &Instruction) -> Vec<ShellCommand> {
    let text = if let Some(words) = &inst.exec_form {
        words.join(" ")
    } else if !inst.heredocs.is_empty() {
        inst.heredocs
            .iter()
            .map(|h| h.body.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        inst.args.clone()
    };
    // Only the package managers' installs matter here: a RUN line that
    // names no manager, or no install (`pnpm turbo run build`), is not
    // parsed (every service's Dockerfile has several, on monorepos of
    // thousands of services). A bare `yarn` installs, so yarn is always
    // parsed; the others need the subcommand `loose_install` looks for.
    if !["npm", "yarn", "bun"].iter().any(|m| text.contains(m)) {
        return Vec::new();
    }
    let names_install = text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '"' | '\'')
        })
        .any(|w| matches!(w, "install" | "i" | "add" | "isntall"));
    if !names_install && !text.contains("yarn") {
        return Vec::new();
    }
    ShellScript::parse_line(&text)
        .map(|s| s.commands.clone())
        .unwrap_or_default()
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for target in dockerfiles::production_dockerfiles(cx) {
        if let Some(f) = check_one(cx, &target) {
            out.push(f);
        }
    }
    out
}

/// Whether a package manager's configuration in the context makes every
/// install frozen: Yarn ≥2's `enableImmutableInstalls: true` in
/// `.yarnrc.yml`, pnpm's `frozen-lockfile=true` in `.npmrc`, Bun's
/// `frozenLockfile = true` in `bunfig.toml`. These files are small and not
/// indexed as a kind, so they are read here.
fn config_freezes(cx: &RepoContext, target: &Target, manager: Manager) -> bool {
    let (name, key) = match manager {
        Manager::Yarn => (".yarnrc.yml", "enableImmutableInstalls"),
        Manager::Pnpm => (".npmrc", "frozen-lockfile"),
        Manager::Bun => ("bunfig.toml", "frozenLockfile"),
        Manager::Npm => return false,
    };
    let Some(id) = cx.index.find(&target.in_context(name)) else {
        return false;
    };
    crate::facts::text::read_text(&cx.index.path(id), 1 << 20).is_ok_and(|text| {
        text.lines().any(|l| {
            let compact: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            compact == format!("{key}:true") || compact == format!("{key}=true")
        })
    })
}

/// Whether the stage, or a stage it builds on, sets `CI=true` (package
/// managers then install frozen by default).
pub(crate) fn stage_sets_ci(file: &Dockerfile, stage_idx: usize) -> bool {
    chain(file, stage_idx).iter().any(|i| {
        file.stages[*i]
            .all("ENV")
            .flat_map(env_pairs)
            .any(|(n, v)| n == "CI" && matches!(v.as_str(), "true" | "1"))
    })
}

fn check_one(cx: &RepoContext, target: &Target) -> Option<Finding> {
    let file = target.file;
    // Stages that feed the image (any stage may install what it ships).
    for (stage_idx, stage) in file.stages.iter().enumerate() {
        let stages = chain(file, stage_idx);
        let ci = stage_sets_ci(file, stage_idx);
        for inst in stage.all("RUN") {
            for cmd in run_commands(inst) {
                let Some(manager) = loose_install(&cmd, ci) else {
                    continue;
                };
                if config_freezes(cx, target, manager)
                    || prunes_after_frozen_install(file, &stages, &cmd, inst.line, manager)
                {
                    continue;
                }
                let Some(lockfile) = manager.lockfiles().iter().find(|name| {
                    cx.index.find(&target.in_context(name)).is_some()
                        || target
                            .app
                            .is_some_and(|a| cx.index.find(&a.join(name)).is_some())
                }) else {
                    continue;
                };
                // Copied from the context before the install; or maybe
                // brought by a `COPY --from` (a pruned workspace).
                let earlier = |i: usize| {
                    file.stages[i].instructions.iter().filter(move |c| {
                        (c.keyword == "COPY" || c.keyword == "ADD")
                            && (i != stage_idx || c.line < inst.line)
                    })
                };
                let copied = stages.iter().any(|i| {
                    earlier(*i).any(|c| {
                        c.flag("from").is_none()
                            && copy_parts(c).0.iter().any(|src| copies(src, lockfile))
                    })
                });
                let maybe_copied = copied
                    || stages
                        .iter()
                        .any(|i| earlier(*i).any(|c| c.flag("from").is_some()));
                let shown = if cmd.args.is_empty() {
                    cmd.name.clone()
                } else {
                    format!("{} {}", cmd.name, cmd.args.join(" "))
                };
                let message = if copied {
                    format!(
                        "{} runs {} (line {}): the install does not enforce {}, the lockfile it copies.",
                        code(target.rel),
                        code(&shown),
                        inst.line,
                        code(lockfile)
                    )
                } else if maybe_copied {
                    format!(
                        "{} runs {} (line {}): the install does not enforce the project's {}.",
                        code(target.rel),
                        code(&shown),
                        inst.line,
                        code(lockfile)
                    )
                } else {
                    format!(
                        "{} runs {} (line {}) without copying {} into the image first: the install resolves every version afresh.",
                        code(target.rel),
                        code(&shown),
                        inst.line,
                        code(lockfile)
                    )
                };
                return Some(RULE.meta.finding(
                    target.app,
                    message,
                    "Whenever `package.json` and the lockfile disagree, the install picks new versions from the ranges instead of failing: the image runs dependency versions nobody tested, and two builds of the same commit can differ.".to_string(),
                    format!(
                        "Copy {} before the install and use {}, which fails when the lockfile is out of date.",
                        code(lockfile),
                        manager.fix()
                    ),
                    vec![Location::new(target.rel, inst.line)],
                ));
            }
        }
    }
    None
}

/// Whether a `COPY` source brings the lockfile (`package*.json`, `.`,
/// `*.lock`, a folder holding it).
pub(crate) fn copies(src: &str, lockfile: &str) -> bool {
    let base = src.trim_end_matches('/');
    let name = base.rsplit('/').next().unwrap_or(base);
    if name == lockfile || matches!(base, "." | "./" | "*" | "./*" | "") {
        return true;
    }
    if name.contains(['*', '?', '[']) {
        return globset::Glob::new(name)
            .map(|g| g.compile_matcher().is_match(lockfile))
            .unwrap_or(true);
    }
    // A folder (`apps/web/`, `src`) may hold it; only files named like a
    // manifest or with an extension are clearly not it.
    !name.contains('.')
}
