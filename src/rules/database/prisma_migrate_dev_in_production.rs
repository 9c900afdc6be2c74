//! prisma-migrate-dev-in-production: a development-only Prisma command runs
//! when the app is built, released or started.

use crate::facts::text::{json_key_offset, line_of_offset};
use crate::facts::ShellScript;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileId, FileKind};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "prisma-migrate-dev-in-production",
        code: "SW602",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "Development migration command in production",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports `prisma migrate dev`, `prisma migrate reset` or `prisma db push` in a
step that runs in production:
- a package.json script that builds, releases or starts the app (`start`,
  `build`, `postinstall`, `prestart`, `prebuild`, `release`, `deploy`,
  `vercel-build`, `heroku-postbuild`, `start:prod`, …), directly or through
  `npm run`/`pnpm`/`yarn` of another script;
- a Dockerfile `RUN`, `CMD` or `ENTRYPOINT` (not `Dockerfile.dev`);
- a Procfile process, fly.toml `release_command`, render.yaml build, start or
  pre-deploy command, railway/nixpacks start or build command;
- a deploy, release, start, build or entrypoint shell script;
- a `run:` step of a GitHub Actions workflow named for deploying
  (`deploy.yml`, `release.yml`, `production.yml`, `cd.yml`), in a job named
  for deploying (not its test, lint or preview jobs), for the root app.
Scripts for development (`dev`, `db:*`, `migrate:dev`, test and seed
scripts, and an entrypoint script that goes on to start a development
server with `pnpm run dev` or `next dev`) are not production and are not
reported. `db push` is how Prisma
manages MongoDB schemas (Prisma Migrate does not support MongoDB), so it is
not reported for a MongoDB datasource. `migrate reset`, `--force-reset` and
`--accept-data-loss` drop data and are critical.

## Why is this bad?
`migrate dev` is interactive and may ask to reset the database when it finds
drift; `migrate reset` and `db push --force-reset` drop every table;
`db push --accept-data-loss` drops columns to match the schema, and `db push`
keeps no migration history, so production's schema can no longer be
reproduced or rolled back. Run on every deploy, a schema slip becomes data
loss.

## Example
### Reported
```json file=package.json
{
  "name": "shop",
  "private": true,
  "scripts": {
    "dev": "next dev",
    "build": "prisma generate && prisma db push && next build",
    "start": "next start"
  },
  "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" },
  "devDependencies": { "prisma": "6.1.0" }
}
```

### Not reported
```json file=package.json
{
  "name": "shop",
  "private": true,
  "scripts": {
    "dev": "next dev",
    "db:push": "prisma db push",
    "migrate:dev": "prisma migrate dev",
    "build": "prisma generate && next build",
    "start": "prisma migrate deploy && next start"
  },
  "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" },
  "devDependencies": { "prisma": "6.1.0" }
}
```

## Fix
Create migrations in development with `prisma migrate dev`, commit
`prisma/migrations`, and apply them in production with `prisma migrate
deploy` as a release step (fly.toml `release_command`, render.yaml
`preDeployCommand`, a Kubernetes Job) — never `migrate dev`, `migrate reset`
or `db push` against the production database.

`seaworthy fix --unsafe` replaces `prisma migrate dev`, `migrate reset`
or `db push` (and their flags; `--schema` stays) with `prisma migrate
deploy` on the line that spells it. A project with no migrations folder (it
uses `db push`) is told to create a baseline migration first instead. It is
unsafe because schema changes not yet in a migration file are no longer
applied.
"#;

/// A development-only Prisma command.
#[derive(Debug, PartialEq, Eq)]
struct Misuse {
    command: String,
    destructive: bool,
}

fn is_separator(word: &str) -> bool {
    matches!(word, "&&" | "||" | ";" | "|" | "&")
}

/// Finds `prisma migrate dev|reset` or `prisma db push` in a command's
/// words (split on whitespace, so `sh -c "…"` strings are read too).
fn misuse(words: &[String], mongodb: bool) -> Option<Misuse> {
    let tokens: Vec<&str> = words
        .iter()
        .flat_map(|w| w.split_whitespace())
        .flat_map(|w| {
            // `a&&b`, `x;y` without spaces.
            w.split_inclusive([';', '&', '|'])
                .map(|p| p.trim_matches(['\'', '"', '(', ')']))
        })
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        let base = token.rsplit('/').next().unwrap_or(token);
        if !(base == "prisma" || base.starts_with("prisma@")) {
            continue;
        }
        let rest: Vec<&str> = tokens[i + 1..]
            .iter()
            .take_while(|t| !is_separator(t) && !t.ends_with(';'))
            .copied()
            .collect();
        let positional: Vec<&str> = rest
            .iter()
            .copied()
            .filter(|t| !t.starts_with('-'))
            .collect();
        let has = |flag: &str| {
            rest.iter()
                .any(|t| *t == flag || t.starts_with(&format!("{flag}=")))
        };
        let found = match positional.as_slice() {
            ["migrate", "dev", ..] => Some(("prisma migrate dev".to_string(), false)),
            ["migrate", "reset", ..] => Some(("prisma migrate reset".to_string(), true)),
            ["db", "push", ..] if !mongodb => {
                let mut cmd = "prisma db push".to_string();
                let mut destructive = false;
                for flag in ["--accept-data-loss", "--force-reset"] {
                    if has(flag) {
                        cmd.push(' ');
                        cmd.push_str(flag);
                        destructive = true;
                    }
                }
                Some((cmd, destructive))
            }
            _ => None,
        };
        if let Some((command, destructive)) = found {
            return Some(Misuse {
                command,
                destructive,
            });
        }
    }
    None
}

/// Commands that print their arguments rather than run them.
/// The first command of a script (echoes aside) that misuses Prisma, with
/// its line.
fn first_misuse(script: &crate::facts::ShellScript, mongodb: bool) -> Option<(Misuse, u32)> {
    script
        .commands
        .iter()
        .filter(|c| !is_output(c))
        .find_map(|c| {
            let mut words = vec![c.program.clone()];
            words.extend(c.args.iter().cloned());
            misuse(&words, mongodb).map(|m| (m, c.line))
        })
}

fn is_output(cmd: &crate::facts::shell::ShellCommand) -> bool {
    matches!(
        cmd.name.as_str(),
        "echo" | "printf" | "cat" | "log" | "info"
    )
}

/// Finds a misuse in a command line or a script body.
fn misuse_in_shell(text: &str, mongodb: bool) -> Option<(Misuse, u32)> {
    // A misuse is a `prisma` command: text without the word is not parsed.
    if !text.contains("prisma") {
        return None;
    }
    let script = ShellScript::parse_line(text).ok()?;
    script
        .commands
        .iter()
        .filter(|c| !is_output(c))
        .find_map(|c| {
            let mut words = vec![c.program.clone()];
            words.extend(c.args.iter().cloned());
            misuse(&words, mongodb).map(|m| (m, c.line))
        })
}

/// package.json script names that run when the app is built, released or
/// started in production.
fn is_production_script(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split([':', '-', '_', '.']).collect();
    let dev = words.iter().any(|w| {
        matches!(
            *w,
            "dev"
                | "develop"
                | "development"
                | "local"
                | "test"
                | "tests"
                | "e2e"
                | "ci"
                | "seed"
                | "db"
                | "storybook"
                | "reset"
                | "fresh"
                | "setup"
                | "docker"
        )
    });
    if dev {
        return false;
    }
    matches!(
        words.first().copied().unwrap_or(""),
        "start"
            | "build"
            | "postinstall"
            | "prestart"
            | "prebuild"
            | "postbuild"
            | "release"
            | "deploy"
            | "predeploy"
            | "postdeploy"
            | "vercel"
            | "heroku"
            | "render"
            | "railway"
            | "netlify"
            | "fly"
            | "serve"
            | "prod"
            | "production"
    )
}

/// The scripts a package.json script runs with `npm run x`, `pnpm x`,
/// `yarn x`, `bun run x`.
fn called_scripts<'a>(
    command: &str,
    scripts: &'a std::collections::BTreeMap<String, String>,
) -> Vec<&'a str> {
    // Only package managers call scripts (`npm` is also in `pnpm`).
    if !["npm", "yarn", "bun"].iter().any(|m| command.contains(m)) {
        return Vec::new();
    }
    let Ok(script) = ShellScript::parse_line(command) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in &script.commands {
        let positional: Vec<&str> = c
            .args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
            .collect();
        let target = match (c.name.as_str(), positional.as_slice()) {
            ("npm" | "bun", ["run" | "run-script", name, ..]) => Some(*name),
            ("pnpm" | "yarn", ["run", name, ..]) => Some(*name),
            ("pnpm" | "yarn", [name, ..]) => Some(*name),
            _ => None,
        };
        if let Some((key, _)) = target.and_then(|t| scripts.get_key_value(t)) {
            out.push(key.as_str());
        }
    }
    out
}

struct Hit {
    misuse: Misuse,
    locations: Vec<Location>,
    what: String,
}

/// A shell script a package.json script runs (`bash scripts/x.sh`,
/// `./deploy.sh`) that runs a development Prisma command.
fn script_misuse(cx: &AppContext, body: &str, mongodb: bool) -> Option<(String, Misuse, u32)> {
    let script = ShellScript::parse_line(body).ok()?;
    let index = cx.repo.index;
    for c in &script.commands {
        let target = match c.name.as_str() {
            "bash" | "sh" | "zsh" => c.subcommand(),
            _ if c.name.ends_with(".sh") => Some(c.program.as_str()),
            _ => None,
        };
        let Some(path) = target.filter(|t| t.ends_with(".sh")) else {
            continue;
        };
        let Some(id) = crate::apps::resolve(cx.app.dir(), path).and_then(|p| index.find(&p)) else {
            continue;
        };
        let Some(called) = cx.repo.facts.shell_script(id) else {
            continue;
        };
        if let Some((m, line)) = first_misuse(called, mongodb) {
            return Some((index.get(id).rel.clone(), m, line));
        }
    }
    None
}

fn package_json_hits(cx: &AppContext, mongodb: bool) -> Vec<Hit> {
    let index = cx.repo.index;
    let Some(pkg) = cx.repo.facts.package_json(cx.app.manifest) else {
        return Vec::new();
    };
    let rel = index.get(cx.app.manifest).rel.clone();
    let scripts_at = json_key_offset(&pkg.text, "scripts", 0).unwrap_or(0);
    let line_of = |name: &str| {
        json_key_offset(&pkg.text, name, scripts_at)
            .map(|at| line_of_offset(&pkg.text, at))
            .unwrap_or(1)
    };
    let mut hits = Vec::new();
    for (name, command) in pkg.scripts.iter().filter(|(n, _)| is_production_script(n)) {
        // The script itself, then the scripts it runs (three levels deep).
        let mut chain = vec![name.as_str()];
        let mut frontier = vec![name.as_str()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for n in &frontier {
                if let Some(cmd) = pkg.scripts.get(*n) {
                    for called in called_scripts(cmd, &pkg.scripts) {
                        if !chain.contains(&called) {
                            chain.push(called);
                            next.push(called);
                        }
                    }
                }
            }
            frontier = next;
        }
        let _ = command;
        for step in &chain {
            let Some(body) = pkg.scripts.get(*step) else {
                continue;
            };
            // `"vercel-build": "bash scripts/vercel-build.sh"`: the script it runs.
            if let Some((script_rel, m, line)) = script_misuse(cx, body, mongodb) {
                hits.push(Hit {
                    misuse: m,
                    locations: vec![
                        Location::new(rel.clone(), line_of(name)),
                        Location::new(script_rel.clone(), line),
                    ],
                    what: format!(
                        "the {} script of {} (through {})",
                        code(name),
                        code(&rel),
                        code(&script_rel)
                    ),
                });
                break;
            }
            if let Some((m, _)) = misuse_in_shell(body, mongodb) {
                let mut locations = vec![Location::new(rel.clone(), line_of(name))];
                let what = if *step == name.as_str() {
                    format!("the {} script of {}", code(name), code(&rel))
                } else {
                    locations.push(Location::new(rel.clone(), line_of(step)));
                    format!(
                        "the {} script of {} (through {})",
                        code(name),
                        code(&rel),
                        code(step)
                    )
                };
                hits.push(Hit {
                    misuse: m,
                    locations,
                    what,
                });
                break;
            }
        }
    }
    hits
}

fn is_dev_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split(['.', '-', '_']).any(|w| {
        matches!(
            w,
            "dev" | "development" | "local" | "test" | "tests" | "ci" | "e2e" | "debug"
        )
    })
}

fn dockerfile_hits(cx: &AppContext, mongodb: bool) -> Vec<Hit> {
    let index = cx.repo.index;
    let mut hits = Vec::new();
    for id in cx.files_of_kind(FileKind::Dockerfile) {
        let file = index.get(id);
        if is_dev_file(file.name()) {
            continue;
        }
        let Some(docker) = cx.repo.facts.dockerfile(id) else {
            continue;
        };
        // Development stages of a multi-stage file (`FROM base AS dev`).
        for stage in docker
            .stages
            .iter()
            .filter(|s| !s.name.as_deref().is_some_and(is_dev_file))
        {
            for inst in stage
                .instructions
                .iter()
                .filter(|i| matches!(i.keyword.as_str(), "RUN" | "CMD" | "ENTRYPOINT"))
            {
                if let Some(m) = misuse(&inst.words(), mongodb) {
                    hits.push(Hit {
                        misuse: m,
                        locations: vec![Location::new(file.rel.clone(), inst.line)],
                        what: format!("{} `{}`", code(&file.rel), inst.keyword),
                    });
                }
            }
        }
    }
    hits
}

/// Procfile, fly.toml, render.yaml, railway and nixpacks: the commands they run.
fn platform_hits(cx: &AppContext, mongodb: bool) -> Vec<Hit> {
    let index = cx.repo.index;
    let mut hits = Vec::new();
    let kinds = [
        DeployKind::Heroku,
        DeployKind::FlyIo,
        DeployKind::Render,
        DeployKind::Railway,
        DeployKind::Nixpacks,
    ];
    for kind in kinds {
        for id in cx.files_of_kind(FileKind::Deploy(kind)) {
            let file = index.get(id);
            if is_dev_file(file.name()) {
                continue;
            }
            let Some(text) = cx.repo.facts.raw_text_capped(id, 1 << 20) else {
                continue;
            };
            for (command, line, key) in platform_commands(file.name(), &text) {
                if let Some((m, _)) = misuse_in_shell(&command, mongodb) {
                    hits.push(Hit {
                        misuse: m,
                        locations: vec![Location::new(file.rel.clone(), line)],
                        what: format!("{} `{key}`", code(&file.rel)),
                    });
                }
            }
        }
    }
    hits
}

/// The commands a platform file runs: (command, line, key).
fn platform_commands(name: &str, text: &str) -> Vec<(String, u32, String)> {
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u32 + 1)
            .unwrap_or(1)
    };
    let mut out = Vec::new();
    if name == "Procfile" {
        for (i, line) in text.lines().enumerate() {
            if let Some((process, command)) = line.split_once(':') {
                let process = process.trim();
                if !process.starts_with('#') && !is_dev_file(process) {
                    out.push((
                        command.trim().to_string(),
                        i as u32 + 1,
                        process.to_string(),
                    ));
                }
            }
        }
        return out;
    }
    if name.ends_with(".toml") {
        let Ok(value) = text.parse::<toml::Table>() else {
            return out;
        };
        // fly.toml `[deploy] release_command`, `[processes]`, `[experimental] cmd`;
        // railway.toml `[deploy] startCommand`, `[build] buildCommand`;
        // nixpacks.toml `[start] cmd`, `[phases.*] cmds`.
        let mut strings = Vec::new();
        collect_toml_commands(&toml::Value::Table(value), "", &mut strings);
        for (key, command) in strings {
            let needle = key.rsplit('.').next().unwrap_or(&key).to_string();
            out.push((command.clone(), line_of(&command), needle));
        }
        return out;
    }
    if name.ends_with(".json") {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            for section in ["build", "deploy"] {
                for key in ["buildCommand", "startCommand", "preDeployCommand"] {
                    if let Some(cmd) = value
                        .get(section)
                        .and_then(|s| s.get(key))
                        .and_then(|v| v.as_str())
                    {
                        out.push((cmd.to_string(), line_of(key), key.to_string()));
                    }
                }
            }
        }
        return out;
    }
    // render.yaml: services[].buildCommand / startCommand / preDeployCommand.
    if let Ok(docs) = crate::facts::yaml::load(text) {
        for doc in &docs {
            if let Some(yaml_rust2::Yaml::Array(services)) =
                crate::facts::yaml::get(doc, "services")
            {
                for service in services {
                    for key in ["buildCommand", "startCommand", "preDeployCommand"] {
                        if let Some(cmd) = crate::facts::yaml::get_str(service, key) {
                            out.push((cmd.to_string(), line_of(cmd), key.to_string()));
                        }
                    }
                }
            }
        }
    }
    out
}

const TOML_COMMAND_KEYS: &[&str] = &[
    "release_command",
    "cmd",
    "cmds",
    "startCommand",
    "buildCommand",
    "preDeployCommand",
    "entrypoint",
];

fn collect_toml_commands(value: &toml::Value, key: &str, out: &mut Vec<(String, String)>) {
    let last = key.rsplit('.').next().unwrap_or(key);
    match value {
        toml::Value::String(s)
            if TOML_COMMAND_KEYS.contains(&last) || key.starts_with("processes.") =>
        {
            out.push((key.to_string(), s.clone()));
        }
        toml::Value::Array(items) if TOML_COMMAND_KEYS.contains(&last) => {
            for item in items {
                if let Some(s) = item.as_str() {
                    out.push((key.to_string(), s.to_string()));
                }
            }
        }
        toml::Value::Table(table) => {
            for (k, v) in table {
                let child = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                collect_toml_commands(v, &child, out);
            }
        }
        _ => {}
    }
}

fn is_deploy_script(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.rsplit_once('.').map(|(s, _)| s).unwrap_or(&lower);
    let words: Vec<&str> = stem.split(['.', '-', '_']).collect();
    if words.iter().any(|w| {
        matches!(
            *w,
            "dev"
                | "development"
                | "local"
                | "test"
                | "tests"
                | "ci"
                | "e2e"
                | "setup"
                | "seed"
                | "reset"
        )
    }) {
        return false;
    }
    words.iter().any(|w| {
        matches!(
            *w,
            "deploy"
                | "release"
                | "entrypoint"
                | "start"
                | "startup"
                | "prod"
                | "production"
                | "boot"
                | "build"
        )
    })
}

fn shell_hits(cx: &AppContext, mongodb: bool) -> Vec<Hit> {
    let index = cx.repo.index;
    let mut hits = Vec::new();
    for id in cx.files_of_kind(FileKind::ShellScript) {
        let file = index.get(id);
        if !is_deploy_script(file.name()) {
            continue;
        }
        let Some(script) = cx.repo.facts.shell_script(id) else {
            continue;
        };
        // An entrypoint that goes on to start a development server
        // (`pnpm run dev`, `next dev`) runs a developer's container.
        let starts_dev_server = script.commands.iter().any(|c| {
            let mut words = vec![c.program.clone()];
            words.extend(c.args.iter().cloned());
            crate::rules::containerization::dockerfiles::runs_dev_server(&words)
        });
        if starts_dev_server {
            continue;
        }
        if let Some((m, line)) = first_misuse(script, mongodb) {
            hits.push(Hit {
                misuse: m,
                locations: vec![Location::new(file.rel.clone(), line)],
                what: code(&file.rel),
            });
        }
    }
    hits
}

/// A deploy workflow also runs tests against a throwaway database: only
/// the jobs named for deploying count.
fn is_deploy_job(key: &str, job: &yaml_rust2::Yaml) -> bool {
    let title = format!(
        "{key} {}",
        crate::facts::yaml::get_str(job, "name").unwrap_or("")
    )
    .to_ascii_lowercase();
    let words: Vec<&str> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let deploys = words.iter().any(|w| {
        matches!(
            *w,
            "deploy" | "deployment" | "release" | "production" | "prod" | "migrate" | "migrations"
        )
    });
    let tests = words.iter().any(|w| {
        matches!(
            *w,
            "test"
                | "tests"
                | "e2e"
                | "cypress"
                | "playwright"
                | "vitest"
                | "jest"
                | "lint"
                | "ci"
                | "staging"
                | "preview"
        )
    });
    deploys && !tests
}

/// GitHub Actions workflows that deploy (`deploy.yml`, `release.yml`,
/// `production.yml`, `cd.yml`): their `run:` steps. Repository-wide, so only
/// for the root app or the only app.
fn workflow_hits(cx: &AppContext, mongodb: bool) -> Vec<Hit> {
    let index = cx.repo.index;
    if cx.app.path != "." && cx.repo.apps.len() > 1 {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (id, file) in index.files.iter().enumerate() {
        let name = file.name().to_ascii_lowercase();
        if !file.rel.starts_with(".github/workflows/")
            || !(name.ends_with(".yml") || name.ends_with(".yaml"))
        {
            continue;
        }
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
        let words: Vec<&str> = stem.split(['.', '-', '_']).collect();
        let deploys = words.iter().any(|w| {
            matches!(
                *w,
                "deploy" | "deployment" | "release" | "production" | "prod" | "cd"
            )
        });
        let dev = words.iter().any(|w| {
            matches!(
                *w,
                "dev" | "development" | "test" | "tests" | "preview" | "staging" | "ci"
            )
        });
        if !deploys || dev {
            continue;
        }
        let Some(text) = cx.repo.facts.raw_text_capped(id, 1 << 20) else {
            continue;
        };
        let Ok(docs) = crate::facts::yaml::load(&text) else {
            continue;
        };
        let mut runs = Vec::new();
        for doc in &docs {
            if let Some(yaml_rust2::Yaml::Hash(jobs)) = crate::facts::yaml::get(doc, "jobs") {
                for (key, job) in jobs {
                    if !is_deploy_job(key.as_str().unwrap_or(""), job) {
                        continue;
                    }
                    if let Some(yaml_rust2::Yaml::Array(steps)) =
                        crate::facts::yaml::get(job, "steps")
                    {
                        runs.extend(
                            steps
                                .iter()
                                .filter_map(|step| crate::facts::yaml::get_str(step, "run"))
                                .map(str::to_string),
                        );
                    }
                }
            }
        }
        for run in runs {
            if let Some((m, line_in_run)) = misuse_in_shell(&run, mongodb) {
                let first = run
                    .lines()
                    .nth(line_in_run.saturating_sub(1) as usize)
                    .unwrap_or("")
                    .trim();
                let line = text
                    .lines()
                    .position(|l| !first.is_empty() && l.contains(first))
                    .map(|i| i as u32 + 1)
                    .unwrap_or(1);
                hits.push(Hit {
                    misuse: m,
                    locations: vec![Location::new(file.rel.clone(), line)],
                    what: format!("the deploy workflow {}", code(&file.rel)),
                });
                break;
            }
        }
    }
    hits
}

/// Whether the app's Prisma datasource is MongoDB.
fn uses_mongodb(cx: &AppContext, ids: &[FileId]) -> bool {
    ids.iter().any(|id| {
        cx.repo.facts.prisma_schema(*id).is_some_and(|s| {
            s.datasources.iter().any(|d| {
                d.provider
                    .as_ref()
                    .and_then(|p| p.value.as_literal())
                    .is_some_and(|p| p == "mongodb")
            })
        })
    })
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if !(app.has_dependency("prisma") || app.has_dependency("@prisma/client")) {
        return Vec::new();
    }
    let schemas = crate::rules::database::sqlite_in_production::production_schemas(cx);
    let mongodb = uses_mongodb(cx, &schemas);
    let mut hits = package_json_hits(cx, mongodb);
    hits.extend(dockerfile_hits(cx, mongodb));
    hits.extend(platform_hits(cx, mongodb));
    hits.extend(workflow_hits(cx, mongodb));
    // A deploy script that a package.json script runs is reported once,
    // through the package.json script.
    for hit in shell_hits(cx, mongodb) {
        let cited = hits
            .iter()
            .any(|h| h.locations.iter().any(|l| hit.locations.contains(l)));
        if !cited {
            hits.push(hit);
        }
    }
    hits.into_iter()
        .map(|hit| {
            let message = format!(
                "{} runs {}.",
                hit.what,
                code(&hit.misuse.command)
            );
            let impact = if hit.misuse.destructive {
                format!(
                    "{} drops data to make the database match the schema: run on a deploy, it deletes production tables or columns without asking.",
                    code(&hit.misuse.command)
                )
            } else {
                format!(
                    "{} is a development command: it is interactive, may reset the database when it finds drift, and (for `db push`) keeps no migration history, so production's schema can no longer be reproduced or rolled back.",
                    code(&hit.misuse.command)
                )
            };
            let mut f = RULE.meta.finding(
                Some(app),
                message,
                impact,
                "Commit the migrations made with `prisma migrate dev` in development, and apply them in production with `prisma migrate deploy` as a release step (fly.toml `release_command`, render.yaml `preDeployCommand`, a Kubernetes Job); keep `migrate dev`, `migrate reset` and `db push` in development scripts.".to_string(),
                hit.locations,
            );
            if hit.misuse.destructive {
                f.severity = Severity::Critical;
            }
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(cmd: &str) -> Option<String> {
        misuse_in_shell(cmd, false).map(|(m, _)| m.command)
    }

    #[test]
    fn recognises_dev_commands() {
        assert_eq!(
            find("npx prisma migrate dev --name init").as_deref(),
            Some("prisma migrate dev")
        );
        assert_eq!(
            find("prisma generate && prisma db push --accept-data-loss && next build").as_deref(),
            Some("prisma db push --accept-data-loss")
        );
        assert_eq!(
            find("sh -c \"npx prisma migrate reset -f && node server.js\"").as_deref(),
            Some("prisma migrate reset")
        );
        assert_eq!(find("npx prisma migrate deploy && next start"), None);
        assert_eq!(find("prisma generate"), None);
        assert_eq!(find("echo 'run prisma db push first'"), None);
        assert!(misuse_in_shell("prisma db push", true).is_none());
    }

    #[test]
    fn production_script_names() {
        for n in [
            "start",
            "build",
            "postinstall",
            "vercel-build",
            "start:prod",
            "deploy",
        ] {
            assert!(is_production_script(n), "{n}");
        }
        for n in [
            "dev",
            "db:push",
            "migrate:dev",
            "test",
            "seed",
            "build:dev",
            "start:local",
        ] {
            assert!(!is_production_script(n), "{n}");
        }
    }
}
