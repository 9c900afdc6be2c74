//! dockerfile-copies-env-file: `COPY .env` bakes an environment file into
//! the image.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{classify, FileKind};
use crate::rules::containerization::dockerfiles::{self, copy_parts, reaches_image, Target};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "dockerfile-copies-env-file",
        code: "SW109",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Environment file baked into the image",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a production Dockerfile that copies a local environment file
(`.env`, `.env.production`, `.env.local`, `.env*`; not `.env.example`-style
templates, and not an env file committed to the repository, whose values are
configuration already in git) into the image: with `COPY`/`ADD` from the build context in the image stage
or a stage it is built `FROM`, or into a build stage whose folder the image
copies back whole. An env file only a build stage reads (for `next build`)
is not reported.

## Why is this bad?
The file's values — database passwords, API keys — become a layer of the
image, readable by anyone who can pull it, and stay in every registry and
cache that holds it. When the file is not committed (it is usually
git-ignored), the image also depends on whichever `.env` sits on the machine
that builds it: a developer's local credentials can end up in production.

## Example
### Reported
```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY src ./src
COPY .env.production .env
USER node
CMD ["node", "src/server.js"]
```

### Not reported
```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY src ./src
COPY .env.example .env.example
USER node
CMD ["node", "src/server.js"]
```

## Fix
Remove the `COPY` and rotate any secret the file held. Give the container
its environment at run time (the orchestrator's secrets and config maps,
`docker run --env-file`, compose `env_file:`/`secrets:`), and add `**/.env*`
(with `!**/.env.example`) to `.dockerignore`.

`seaworthy fix --unsafe` removes the env file from the `COPY` (the whole
instruction when it copies nothing else). It is unsafe because an app that
reads the file at start-up loses those values until the deployment provides
them.
"#;

/// Whether a `COPY` source names a real environment file (`.env`,
/// `config/.env.production`, `.env*`), not a template nor a script named
/// after the environment (`front/.env.sh`, which the index classifies as a
/// shell script).
fn env_source(src: &str) -> bool {
    let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
    if name == ".env*" || name == ".env.*" {
        return true;
    }
    (name == ".env" || name.starts_with(".env."))
        && !name.contains(['*', '?', '['])
        && classify(name) == Some(FileKind::EnvFile)
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

fn check_one(cx: &RepoContext, target: &Target) -> Option<Finding> {
    let file = target.file;
    let (inst, src) = file
        .stages
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.instructions.iter().map(move |inst| (i, inst)))
        .filter(|(_, inst)| {
            (inst.keyword == "COPY" || inst.keyword == "ADD") && inst.flag("from").is_none()
        })
        .find_map(|(i, inst)| {
            let (sources, _) = copy_parts(inst);
            sources
                .into_iter()
                .find(|s| env_source(s))
                .filter(|_| reaches_image(target, i, inst))
                .map(|s| (inst, s))
        })?;
    // A committed env file is configuration already in git (a secret in
    // it is a repository leak, reported elsewhere); the leak here is the
    // local file the build picks up.
    if cx.index.find(&target.in_context(&src)).is_some() {
        return None;
    }
    let message = format!(
        "{} copies {} into the image ({}, line {}): the file is not in the repository, so the image takes whatever env file sits on the machine that builds it.",
        code(target.rel),
        code(&src),
        code(&format!("{} {}", inst.keyword, inst.args.trim())),
        inst.line,
    );
    Some(RULE.meta.finding(
        target.app,
        message,
        "Database passwords and API keys in the file are readable by anyone who can pull the image and stay in every registry and cache that holds it; a developer's local credentials can end up in production.".to_string(),
        "Remove the `COPY` and rotate the secrets the file held; give the container its environment at run time (orchestrator secrets, `--env-file`, compose `env_file:`/`secrets:`), and add `**/.env*` (then `!**/.env.example`) to `.dockerignore`.".to_string(),
        vec![Location::new(target.rel, inst.line)],
    ))
}
