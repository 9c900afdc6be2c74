//! dockerfile-copy-without-dockerignore: `COPY . .` with nothing keeping
//! `.env`, `.git` and `node_modules` out of the build context.

use std::collections::{HashMap, HashSet};

use crate::facts::dockerfile::Instruction;
use crate::facts::dockerignore::DockerIgnore;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::rules::containerization::dockerfiles::{self, copy_parts, reaches_image, Target};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "dockerfile-copy-without-dockerignore",
        code: "SW104",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Build context copied without a .dockerignore",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Finds production Dockerfiles that copy the whole build context
(`COPY . .`, `ADD . /app`, `COPY * ./`) and reports them when the context has
no `.dockerignore` (BuildKit also reads `<Dockerfile>.dockerignore` beside the
Dockerfile, first), or when it has one that does not exclude `.git`, `.env`
where a developer keeps one (beside an `.env.example` at the context root or
in a package folder, or at the root of an app that loads `dotenv`)
or — for Node.js — `node_modules` of each package in the context (a
package.json that declares no dependency and no workspace, such as a `bin`
helper, never gets one; nor does a nested one with no lockfile beside it, no
scripts and no package above it in the context — a manifest read for its
version, which nobody installs in place). Patterns are matched as BuildKit does: `!`
re-includes, `**` spans folders, and a bare `node_modules` only matches at
the context root. `.git` counts as excluded when its objects are: `.git/`
followed by `!.git/HEAD` (kept for a version stamp) leaves the history out.

The build context is the folder a compose service's `build:` names, else the
folder (from the Dockerfile's own up to the root) where the files the
Dockerfile copies exist. When that stays unknown and only a parent folder
has a `.dockerignore`, nothing is reported.

An image built only by `docker/build-push-action` steps without
`context:` (and by no compose service or script) is built from the Git
context, which has no `.git` folder: a `.dockerignore` that misses only
`.git` is not reported for it (a developer's `.env` or `node_modules`
still count: a build from a working copy, as its README may tell
self-hosters to run, carries them).

A context in a folder (not the repository's root) with no `.dockerignore`
is reported only when it holds something to keep out: an env file a
developer keeps, a package where `node_modules` is installed, or a project
whose tools install or build into its tree (Python, Rust, Maven/Gradle,
Composer, Bundler, .NET, Mix). A folder of plain Go source (`go.mod`,
`go.sum`, `main.go`) or one holding only its Dockerfile has nothing to
exclude.

Severity: `medium` when the copied files reach the image (the copy is in the
final stage, a stage it is built `FROM`, or a folder the final stage copies
back whole); `low` when only a build stage sees them: the image is spared,
but the files still go to the builder and its cache, and a host
`node_modules` still overwrites the one installed in the build.

## Why is this bad?
Whatever sits in the folder the image is built from goes into the image: a
developer's `.env` with production credentials, the `.git` history, and the
host's `node_modules`, whose native binaries were built for another OS and
overwrite the ones `npm ci` installed. Every unrelated change invalidates the
layer, so builds are slower and larger.

## Example
### Reported
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

```text file=.dockerignore
.git
**/node_modules
**/.env*
!.env.example
```

## Fix
Add a `.dockerignore` beside the build context with at least `.git`,
`**/node_modules`, `**/.env*` (re-include examples with `!.env.example`) and
build outputs (`.next`, `dist`); or copy only what the build needs.

`seaworthy fix` writes the `.dockerignore` (or appends to the existing
one) from what the build context holds: `.git` (unless the build runs
git), `**/node_modules` when there are packages, `**/.env` and `**/.env.*`
with the env examples and committed env files re-included, Python caches
and `.venv`, `.next` for Next.js apps, and `dist`/`build`/`coverage` when
the image runs the build and they hold no committed file. Nothing the
Dockerfile copies by name is excluded. A safe fix.
"#;

/// Whether a source of `COPY`/`ADD` is the whole context.
fn is_context_root(src: &str) -> bool {
    matches!(src, "." | "./" | "*" | "./*" | "./.")
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut out = Vec::new();
    // In a monorepo every service's Dockerfile may build from the root: what
    // a context holds, and what its `.dockerignore` misses, is worked out
    // once per context, not once per Dockerfile (that is O(services × files)).
    let mut seen = Seen::default();
    for target in dockerfiles::production_dockerfiles(cx) {
        if let Some(f) = check_one(cx, &target, &mut seen) {
            out.push(f);
        }
    }
    out
}

/// What the build contexts hold and what their `.dockerignore` files miss,
/// kept while the rule runs.
#[derive(Default)]
struct Seen {
    contents: HashMap<String, ContextContents>,
    /// By (context, .dockerignore, copied into the image, dotenv at the
    /// context root).
    missing: HashMap<(String, String, bool, bool), Vec<String>>,
}

/// Folders of a build context, relative to it, that the context must keep
/// out of the image.
struct ContextContents {
    /// Where a developer's `.env` lives (beside an env example).
    env_dirs: Vec<String>,
    /// Where a host's `node_modules` lives (beside a package.json).
    node_dirs: Vec<String>,
}

impl ContextContents {
    fn of(cx: &RepoContext, context: &str) -> ContextContents {
        let index = cx.index;
        let context_files = index.under(context);
        let prefix = if context.is_empty() {
            String::new()
        } else {
            format!("{context}/")
        };
        let relative = |dir: &str| -> String {
            if dir == context {
                String::new()
            } else {
                dir.strip_prefix(&prefix).unwrap_or(dir).to_string()
            }
        };
        let product = |rel: &str| !crate::roles::path::is_non_product_path(rel);
        // A committed `.env` is in git already; the leak is the local one a
        // developer copies from an example beside a package (or the context root).
        let package_dirs: HashSet<&str> = cx.package_dirs().iter().map(String::as_str).collect();
        let mut env_dirs: Vec<String> = context_files
            .iter()
            .filter(|f| f.kind == Some(FileKind::EnvExample))
            .filter(|f| product(&f.rel) && !dockerfiles::is_dev_path(&f.rel))
            .filter(|f| f.dir() == context || package_dirs.contains(f.dir()))
            .map(|f| relative(f.dir()))
            .collect();
        env_dirs.sort();
        env_dirs.dedup();
        // A package.json that declares no dependency and no workspace (a
        // `bin` helper, a version stamp) never gets a node_modules beside it.
        let installs = |id: crate::index::FileId| {
            cx.facts.package_json(id).is_none_or(|p| {
                !(p.dependencies.is_empty()
                    && p.dev_dependencies.is_empty()
                    && p.workspaces.is_empty())
            })
        };
        // A nested package.json with no lockfile beside it, no scripts to
        // run and no package above it in the context (so no workspace that
        // installs it) is a manifest nobody installs in place — ArchiveBox's
        // `etc/package.json`, read by a release script for its version —
        // while a folder with a lockfile, the context root, or a workspace
        // member is where `npm install` leaves a node_modules.
        let manifest_dirs: HashSet<&str> = context_files
            .iter()
            .filter(|f| f.kind == Some(FileKind::PackageJson))
            .map(|f| f.dir())
            .collect();
        let lock_dirs: HashSet<&str> = context_files
            .iter()
            .filter(|f| f.kind == Some(FileKind::Lockfile))
            .map(|f| f.dir())
            .collect();
        let installed_in_place = |dir: &str| {
            if dir == context || lock_dirs.contains(dir) {
                return true;
            }
            // The folders above, up to the context root.
            let mut at = dir;
            while at.len() > context.len() {
                at = at.rsplit_once('/').map_or("", |(parent, _)| parent);
                if manifest_dirs.contains(at) {
                    return true;
                }
            }
            false
        };
        let mut node_dirs: Vec<String> = context_files
            .iter()
            .filter(|f| {
                f.kind == Some(FileKind::PackageJson)
                    && product(&f.rel)
                    && cx.index.find(&f.rel).is_none_or(installs)
                    && (installed_in_place(f.dir())
                        || cx
                            .index
                            .find(&f.rel)
                            .and_then(|id| cx.facts.package_json(id))
                            .is_none_or(|p| !p.scripts.is_empty()))
            })
            .map(|f| relative(f.dir()))
            .collect();
        node_dirs.sort();
        node_dirs.dedup();
        ContextContents {
            env_dirs,
            node_dirs,
        }
    }
}

fn check_one(cx: &RepoContext, target: &Target, seen: &mut Seen) -> Option<Finding> {
    let file = target.file;
    let copies: Vec<(usize, &Instruction)> = file
        .stages
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.instructions.iter().map(move |inst| (i, inst)))
        .filter(|(_, inst)| {
            (inst.keyword == "COPY" || inst.keyword == "ADD")
                && inst.flag("from").is_none()
                && copy_parts(inst).0.iter().any(|s| is_context_root(s))
        })
        .collect();
    if copies.is_empty() {
        return None;
    }
    let index = cx.index;
    // The walk lists regular files only: a `.dockerignore` that is a
    // symlink (lemmy links it to .gitignore) is read from disk.
    let on_disk = |rel: &str| -> Option<DockerIgnore> {
        let path = index.root.join(rel);
        if !path.is_file() {
            return None;
        }
        crate::facts::text::read_text(&path, 1 << 20)
            .ok()
            .map(|text| DockerIgnore::parse(&text))
    };
    // The published image is built from the Git context
    // (`docker/build-push-action` without `context:`), which has no `.git`
    // folder: only a working copy's build would carry the history.
    let git_context = cx
        .file_roles()
        .dockerfile(target.id)
        .is_some_and(|j| j.git_context_only.is_some());
    let beside_rel = format!("{}.dockerignore", target.rel);
    let context_rel = target.in_context(".dockerignore");
    let linked: Option<(String, DockerIgnore)>;
    let ignore: Option<(String, &DockerIgnore)> =
        match index.find(&beside_rel).or_else(|| index.find(&context_rel)) {
            Some(id) => Some((index.get(id).rel.clone(), cx.facts.dockerignore(id)?)),
            None => {
                linked = [beside_rel, context_rel]
                    .into_iter()
                    .find_map(|r| on_disk(&r).map(|i| (r, i)));
                linked.as_ref().map(|(r, i)| (r.clone(), i))
            }
        };
    if ignore.is_none() && !target.context_known {
        // The context may be a parent folder with its own .dockerignore.
        let mut dir = target.context.as_str();
        while !dir.is_empty() {
            dir = dir.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            if index
                .root
                .join(crate::apps::join(dir, ".dockerignore"))
                .is_file()
            {
                return None;
            }
        }
    }

    // What the context must keep out: `.env` where env files live (or at
    // the app's root when it loads dotenv), `node_modules` of each package.
    let dotenv_at_root = target
        .app
        .is_some_and(|app| app.has_dependency("dotenv") && app.dir() == target.context);

    let copies_reaching: Vec<&(usize, &Instruction)> = copies
        .iter()
        .filter(|(stage, inst)| reaches_image(target, *stage, inst))
        .collect();
    let in_image = !copies_reaching.is_empty();

    // A folder context without a `.dockerignore` whose tree gives nothing
    // to keep out — no `.git` (only the repository's root has it), no env
    // file a developer keeps, no package folder where `node_modules` or a
    // virtualenv, a `target/` or a `vendor/` is installed or built: only
    // plain source (a Go service's `go.mod`, `go.sum`, `main.go`) or the
    // Dockerfile alone. Copying it whole copies what the build needs.
    if ignore.is_none() && !target.context.is_empty() {
        let contents = seen
            .contents
            .entry(target.context.clone())
            .or_insert_with(|| ContextContents::of(cx, &target.context));
        if contents.env_dirs.is_empty()
            && contents.node_dirs.is_empty()
            && !dotenv_at_root
            && !builds_in_place(cx, &target.context)
        {
            return None;
        }
    }

    let problem = match ignore {
        None => format!("there is no {}", code(".dockerignore")),
        Some((ignore_rel, ignore)) => {
            let key = (
                target.context.clone(),
                ignore_rel.clone(),
                in_image && !git_context,
                dotenv_at_root,
            );
            if !seen.missing.contains_key(&key) {
                let contents = seen
                    .contents
                    .entry(target.context.clone())
                    .or_insert_with(|| ContextContents::of(cx, &target.context));
                let missing = missing_exclusions(
                    target,
                    ignore,
                    contents,
                    in_image && !git_context,
                    dotenv_at_root,
                );
                seen.missing.insert(key.clone(), missing);
            }
            let missing = &seen.missing[&key];
            if missing.is_empty() {
                return None;
            }
            format!(
                "{} does not exclude {}",
                code(&ignore_rel),
                missing
                    .iter()
                    .map(|m| code(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };

    let shown = copies_reaching.first().map(|c| **c).unwrap_or(copies[0]);
    let (stage, inst) = shown;
    let what = format!("{} {}", inst.keyword, inst.args.trim());
    let message = if in_image {
        format!(
            "{} copies the whole build context into the image ({}, line {}) and {problem}.",
            code(target.rel),
            code(&what),
            inst.line
        )
    } else {
        format!(
            "{} copies the whole build context into its {} stage ({}, line {}) and {problem}; the final image only takes build outputs from it.",
            code(target.rel),
            file.stages[stage]
                .name
                .as_deref()
                .map(code)
                .unwrap_or_else(|| format!("#{stage}")),
            code(&what),
            inst.line
        )
    };
    let impact = if in_image {
        "Everything in the build folder ships in the image: a developer's `.env` with real credentials, the `.git` history, and the host's `node_modules`, whose native binaries were built for another OS and overwrite the installed ones. Any file change invalidates the layer, so builds are slower and images larger."
    } else {
        "The files still go to the builder and its cache (and to any exported build cache): a developer's `.env` and the `.git` history sit in build layers, the host's `node_modules` overwrites the one the build installed (native binaries for another OS end up in the build output), and any file change invalidates the layer."
    };
    let mut finding = RULE.meta.finding(
        target.app,
        message,
        impact.to_string(),
        "Add a `.dockerignore` at the build context root with at least `.git`, `**/node_modules`, `**/.env*` (then `!.env.example`) and build outputs (`.next`, `dist`), or copy only the files the build needs.".to_string(),
        vec![Location::new(target.rel, inst.line)],
    );
    if !in_image {
        finding.severity = Severity::Low;
    }
    Some(finding)
}

/// Whether a context holds a project whose tools install or build into
/// its tree: a Python project (a virtualenv, `__pycache__`), Rust
/// (`target/`), Maven or Gradle (`target/`, `build/`, `.gradle/`), Composer
/// (`vendor/`), Bundler (`vendor/bundle`, `.bundle`), .NET (`bin/`,
/// `obj/`), Mix (`_build/`, `deps/`). Go keeps its module cache outside
/// the tree and builds to one binary; Node is `node_dirs`.
fn builds_in_place(cx: &RepoContext, context: &str) -> bool {
    cx.index.under(context).iter().any(|f| {
        matches!(
            f.kind,
            Some(
                FileKind::Requirements
                    | FileKind::PyProject
                    | FileKind::Pipfile
                    | FileKind::CargoToml
                    | FileKind::MavenPom
                    | FileKind::Gradle
                    | FileKind::ComposerJson
                    | FileKind::Gemfile
            )
        ) || {
            let name = f.name().to_ascii_lowercase();
            name.ends_with(".csproj")
                || name.ends_with(".fsproj")
                || name.ends_with(".sln")
                || name == "mix.exs"
                || name == "setup.py"
        }
    })
}

/// What a `.dockerignore` fails to keep out of a context: `.git` (when the
/// copy reaches the image), developers' `.env` files, hosts' `node_modules`.
fn missing_exclusions(
    target: &Target,
    ignore: &DockerIgnore,
    contents: &ContextContents,
    in_image: bool,
    dotenv_at_root: bool,
) -> Vec<String> {
    let mut missing = Vec::new();
    // Build stages often read `.git` on purpose (version stamps);
    // only the image must not carry it.
    // `.git` sits at the repository root only. The history is in its
    // objects: a `.dockerignore` that excludes `.git/` but re-includes
    // `.git/HEAD` for a version stamp keeps it out.
    if in_image && target.context.is_empty() && !ignore.excludes(".git/objects/pack/x.pack") {
        missing.push(".git".to_string());
    }
    let root = String::new();
    let env_dirs = contents
        .env_dirs
        .iter()
        .chain((dotenv_at_root && !contents.env_dirs.contains(&root)).then_some(&root));
    let mut env_dirs: Vec<&String> = env_dirs.collect();
    env_dirs.sort();
    for dir in env_dirs {
        let env = crate::apps::join(dir, ".env");
        if !ignore.excludes(&crate::apps::join(dir, "x")) && !ignore.excludes(&env) {
            missing.push(env);
        }
    }
    for dir in &contents.node_dirs {
        let modules = crate::apps::join(dir, "node_modules");
        if !ignore.excludes(&crate::apps::join(dir, "package.json"))
            && !ignore.excludes(&format!("{modules}/pkg/index.js"))
        {
            missing.push(modules);
        }
    }
    missing
}
