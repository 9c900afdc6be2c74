//! What the Dockerfile rules share (not a rule): which Dockerfiles build
//! production images, which app each builds, the build context it is built
//! from, which stage is the image, and how stages chain.

use std::collections::HashMap;

use crate::apps::App;
use crate::facts::dockerfile::{shell_words, substitute, Dockerfile, Instruction, Stage};
use crate::index::{FileId, FileKind};
use crate::roles::Role;
use crate::rules::{folders, RepoContext};

/// A Dockerfile that builds a production image.
#[derive(Clone)]
pub struct Target<'a> {
    pub id: FileId,
    pub rel: &'a str,
    pub file: &'a Dockerfile,
    /// The app the image runs, when the repository says which.
    pub app: Option<&'a App>,
    /// The build context (a folder relative to the root, "" for the root).
    pub context: String,
    /// Whether the context is known (a compose `build:` names it, or the
    /// files the Dockerfile copies exist there) rather than assumed to be
    /// the Dockerfile's folder.
    pub context_known: bool,
    /// The stage the image is built from: a compose `target:`, else the
    /// last stage.
    pub image_stage: usize,
    /// `user:` of the compose services that build it.
    pub compose_users: Vec<String>,
    /// The other stages compose services build from the same Dockerfile
    /// (`build.target: worker` beside `target: web`), each with the
    /// `user:` of the services that build it. Rules about the whole file
    /// read `image_stage`; rules about what runs read these too.
    pub other_stages: Vec<(usize, Vec<String>)>,
}

impl<'a> Target<'a> {
    /// This target as the image of another stage it builds.
    pub fn with_stage(&self, stage: usize, users: &[String]) -> Target<'a> {
        Target {
            image_stage: stage,
            compose_users: users.to_vec(),
            other_stages: Vec::new(),
            context: self.context.clone(),
            ..*self
        }
    }

    pub fn stage(&self) -> &Stage {
        &self.file.stages[self.image_stage]
    }

    /// A path inside the build context, relative to the root.
    pub fn in_context(&self, rel: &str) -> String {
        crate::apps::join(&self.context, rel)
    }
}

use crate::roles::dockerfile::DEV_STAGES;
pub use crate::roles::dockerfile::{is_dev_path, runs_dev_server};

/// The effective `CMD`/`ENTRYPOINT` words of a stage and the stages it
/// is built on.
pub fn command_words(file: &Dockerfile, stage: usize) -> Vec<String> {
    let mut entrypoint = None;
    let mut cmd = None;
    for i in chain(file, stage).into_iter().rev() {
        for inst in &file.stages[i].instructions {
            match inst.keyword.as_str() {
                "ENTRYPOINT" => {
                    entrypoint = Some(inst.words());
                    cmd = None;
                }
                "CMD" => cmd = Some(inst.words()),
                _ => {}
            }
        }
    }
    let mut out = entrypoint.unwrap_or_default();
    out.extend(cmd.unwrap_or_default());
    out
}

/// The index of the earlier stage called `name` (`FROM builder`,
/// `COPY --from=builder`, `COPY --from=0`).
pub fn stage_named(file: &Dockerfile, before: usize, name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    if let Ok(n) = lower.parse::<usize>() {
        return (n < before).then_some(n);
    }
    file.stages[..before.min(file.stages.len())]
        .iter()
        .rposition(|s| s.name.as_deref() == Some(lower.as_str()))
}

/// The stage `FROM` builds on, when it is an earlier stage.
pub fn base_stage(file: &Dockerfile, stage: usize) -> Option<usize> {
    stage_named(file, stage, &file.stages[stage].image)
}

/// The stage and the stages it is built on, nearest first.
pub fn chain(file: &Dockerfile, stage: usize) -> Vec<usize> {
    let mut out = vec![stage];
    let mut at = stage;
    while let Some(base) = base_stage(file, at) {
        if out.contains(&base) {
            break;
        }
        out.push(base);
        at = base;
    }
    out
}

/// The base image of the stage's chain: the first `FROM` that is not an
/// earlier stage.
pub fn base_image(file: &Dockerfile, stage: usize) -> &str {
    let root = chain(file, stage).last().copied().unwrap_or(stage);
    &file.stages[root].image
}

/// Build arguments and environment variables known at an instruction of a
/// stage (defaults of `ARG`, values of `ENV`), for substitution. A name
/// declared without a value maps to `None`: set at build time, unknown here.
pub fn variables_before(
    file: &Dockerfile,
    stage: usize,
    line: u32,
) -> HashMap<String, Option<String>> {
    let mut vars: HashMap<String, Option<String>> = HashMap::new();
    fn declare(inst: &Instruction, vars: &mut HashMap<String, Option<String>>) {
        let known: HashMap<String, String> = vars
            .iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
            .collect();
        match inst.keyword.as_str() {
            "ARG" => {
                for w in shell_words(&inst.args) {
                    match w.split_once('=') {
                        Some((n, v)) => {
                            vars.insert(n.to_string(), Some(substitute(v, &known)));
                        }
                        None => {
                            vars.entry(w).or_insert(None);
                        }
                    }
                }
            }
            "ENV" => {
                for (n, v) in env_pairs(inst) {
                    vars.insert(n, Some(substitute(&v, &known)));
                }
            }
            _ => {}
        }
    }
    for inst in &file.global_args {
        declare(inst, &mut vars);
    }
    for i in chain(file, stage).into_iter().rev() {
        for inst in &file.stages[i].instructions {
            if i == stage && inst.line >= line {
                break;
            }
            declare(inst, &mut vars);
        }
    }
    vars
}

/// Substitutes known variables; `None` when the text uses one whose value
/// is only known at build time.
pub fn resolve_vars(text: &str, vars: &HashMap<String, Option<String>>) -> Option<String> {
    // An empty default (`ARG TAG=`) is one the build must pass.
    let known: HashMap<String, String> = vars
        .iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k.clone(), v)))
        .collect();
    let mut probe = text;
    while let Some(at) = probe.find('$') {
        let rest = &probe[at + 1..];
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let after = &rest[end..];
        let has_default = after.starts_with(":-");
        if !name.is_empty() && !known.contains_key(name) && !has_default {
            return None;
        }
        probe = after;
    }
    Some(substitute(text, &known))
}

/// `ENV A=1 B="two"` or the legacy `ENV A 1`.
pub fn env_pairs(inst: &Instruction) -> Vec<(String, String)> {
    let words = shell_words(&inst.args);
    if words.first().is_some_and(|w| w.contains('=')) {
        words
            .into_iter()
            .filter_map(|w| {
                w.split_once('=')
                    .map(|(n, v)| (n.to_string(), v.to_string()))
            })
            .collect()
    } else {
        match inst.args.trim().split_once(char::is_whitespace) {
            Some((n, v)) => vec![(n.to_string(), v.trim().to_string())],
            None => Vec::new(),
        }
    }
}

/// The `WORKDIR` in effect at an instruction of a stage ("/" by default).
pub fn workdir_at(file: &Dockerfile, stage: usize, line: u32) -> String {
    let mut dir = "/".to_string();
    for i in chain(file, stage).into_iter().rev() {
        for inst in &file.stages[i].instructions {
            if i == stage && inst.line >= line {
                return dir;
            }
            if inst.keyword == "WORKDIR" {
                let arg = inst.args.trim().trim_matches('"');
                dir = absolute(&dir, arg);
            }
        }
    }
    dir
}

/// Resolves a container path against a folder: `/app` + `dist` → `/app/dist`.
pub fn absolute(dir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `COPY`/`ADD` sources and destination (exec or shell form).
pub fn copy_parts(inst: &Instruction) -> (Vec<String>, String) {
    let mut words = inst.words();
    if inst.heredocs.is_empty() {
        let dest = words.pop().unwrap_or_default();
        (words, dest)
    } else {
        (Vec::new(), words.pop().unwrap_or_default())
    }
}

/// The production Dockerfiles of the repository, with their app, build
/// context and image stage. Files that do not parse are already errors.
/// Eight rules ask: worked out once per audit.
pub fn production_dockerfiles<'a>(cx: &'a RepoContext<'a>) -> Vec<Target<'a>> {
    cx.production_dockerfiles(|| find_production_dockerfiles(cx))
        .iter()
        .filter_map(|spec| {
            Some(Target {
                id: spec.id,
                rel: &cx.index.get(spec.id).rel,
                file: cx.facts.dockerfile(spec.id)?,
                app: spec.app.map(|i| &cx.apps[i]),
                context: spec.context.clone(),
                context_known: spec.context_known,
                image_stage: spec.image_stage,
                compose_users: spec.compose_users.clone(),
                other_stages: spec.other_stages.clone(),
            })
        })
        .collect()
}

/// What `production_dockerfiles` works out once per audit (a `Target`
/// without the borrowed parts).
pub(crate) struct TargetSpec {
    id: FileId,
    /// An index into the apps.
    app: Option<usize>,
    context: String,
    context_known: bool,
    image_stage: usize,
    compose_users: Vec<String>,
    other_stages: Vec<(usize, Vec<String>)>,
}

fn find_production_dockerfiles(cx: &RepoContext) -> Vec<TargetSpec> {
    let index = cx.index;
    let roles = cx.file_roles();
    let mut out = Vec::new();
    for id in index.of_kind(FileKind::Dockerfile) {
        let rel = index.get(*id).rel.as_str();
        // What the file is for is the file-role model's decision.
        let Some(judgement) = roles
            .dockerfile(*id)
            .filter(|j| j.role.role == Role::Production)
        else {
            continue;
        };
        let (Some(image_stage), Some(file)) = (judgement.image_stage, cx.facts.dockerfile(*id))
        else {
            continue;
        };
        let builds = &judgement.builds;
        let (context, context_known) = match builds.first() {
            Some(b) => (b.context.clone(), true),
            None => infer_context(cx, rel, file),
        };
        let app = owner_app(cx, *id, &context);
        // The other production stages compose services build.
        let mut other_stages: Vec<(usize, Vec<String>)> = Vec::new();
        for build in builds {
            let Some(stage) = build
                .target
                .as_deref()
                .filter(|t| !DEV_STAGES.contains(&t.to_ascii_lowercase().as_str()))
                .and_then(|t| stage_named(file, file.stages.len(), t))
            else {
                continue;
            };
            if stage == image_stage || runs_dev_server(&command_words(file, stage)) {
                continue;
            }
            match other_stages.iter_mut().find(|(s, _)| *s == stage) {
                Some((_, users)) => users.extend(build.user.clone()),
                None => other_stages.push((stage, build.user.clone().into_iter().collect())),
            }
        }
        out.push(TargetSpec {
            id: *id,
            app,
            context,
            context_known,
            image_stage,
            compose_users: builds
                .iter()
                .filter(|b| {
                    b.target
                        .as_deref()
                        .and_then(|t| stage_named(file, file.stages.len(), t))
                        .is_none_or(|s| s == image_stage)
                })
                .filter_map(|b| b.user.clone())
                .collect(),
            other_stages,
        });
    }
    out
}

/// The build context of a Dockerfile no compose file builds: the folder,
/// from the Dockerfile's own up to the root, in which the most of the files
/// it copies exist (`COPY apps/web/package.json` says the root). The
/// Dockerfile's folder when nothing tells.
fn infer_context(cx: &RepoContext, rel: &str, file: &Dockerfile) -> (String, bool) {
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let sources: Vec<String> = file
        .stages
        .iter()
        .flat_map(|s| s.instructions.iter())
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
        .flat_map(|i| copy_parts(i).0)
        .filter(|s| {
            let s = s.trim_start_matches("./");
            !s.is_empty()
                && s != "."
                && !s.starts_with('/')
                && !s.contains("://")
                && !s.contains('$')
                && !s.starts_with("..")
        })
        .collect();
    let mut candidates = vec![dir.to_string()];
    let mut at = dir;
    while !at.is_empty() {
        at = at.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        candidates.push(at.to_string());
    }
    let exists = |ctx: &str, src: &str| {
        // `package*.json`: the literal part before the first wildcard.
        let literal = src
            .split(['*', '?', '['])
            .next()
            .unwrap_or(src)
            .trim_end_matches('/');
        let path = crate::apps::join(ctx, literal);
        if src.contains(['*', '?', '[']) {
            // The folder and name prefix of the literal part, before its
            // trailing `/` is trimmed: `Docker/*.conf` is any file of
            // `Docker/`, not a root file named `Docker…`.
            let untrimmed = src.split(['*', '?', '[']).next().unwrap_or(src);
            let (parent, prefix) = match untrimmed.rsplit_once('/') {
                Some((p, f)) => (crate::apps::join(ctx, p), f.to_string()),
                None => (ctx.to_string(), untrimmed.to_string()),
            };
            cx.index
                .under(&parent)
                .iter()
                .any(|f| f.dir() == parent && f.name().starts_with(&prefix))
        } else {
            cx.index.find(&path).is_some() || !cx.index.under(&path).is_empty()
        }
    };
    let mut best = (0usize, dir.to_string());
    for ctx in &candidates {
        let n = sources.iter().filter(|s| exists(ctx, s)).count();
        if n > best.0 {
            best = (n, ctx.clone());
        }
    }
    (best.1, best.0 > 0)
}

/// The app an image runs: the deepest app folder that holds the Dockerfile
/// or is its context; in a one-app repository, a Dockerfile at the root or
/// in a shared folder (`docker/`, `deploy/`).
fn owner_app(cx: &RepoContext, id: FileId, context: &str) -> Option<usize> {
    let folders = cx.app_folders();
    let by_file = folders.deepest_or_root(id);
    let by_context = folders.at(context);
    let depth = |i: usize| cx.apps[i].dir().len();
    by_context
        .filter(|c| by_file.is_none_or(|f| depth(*c) > depth(f)))
        .or(by_file)
        .or_else(|| {
            // A package folder that is not an app (a front-end beside an
            // API) holds its own images.
            let package_dirs = cx.package_dirs();
            let in_other_package = folders::self_and_ancestors(cx.index.get(id).dir()).any(|d| {
                package_dirs.binary_search_by(|p| p.as_str().cmp(d)).is_ok()
                    && !folders.is_app_dir(d)
            });
            (cx.apps.len() == 1 && !in_other_package).then_some(0)
        })
}

/// Whether `name` is a file that exists in the index at the context root.
pub fn context_has(cx: &RepoContext, target: &Target, name: &str) -> Option<FileId> {
    cx.index.find(&target.in_context(name))
}

/// Whether files copied by `inst` in `stage` end up in the image: the copy
/// is in the image stage's chain, or the image copies back (`COPY --from`)
/// a folder that holds them.
pub fn reaches_image(target: &Target, stage: usize, inst: &Instruction) -> bool {
    let file = target.file;
    let image_chain = chain(file, target.image_stage);
    if image_chain.contains(&stage) {
        return true;
    }
    let dest = absolute(&workdir_at(file, stage, inst.line), &copy_parts(inst).1);
    image_chain.iter().any(|i| {
        file.stages[*i].instructions.iter().any(|c| {
            let Some(from) = c.flag("from") else {
                return false;
            };
            let Some(from_stage) = stage_named(file, *i, from) else {
                return false;
            };
            if !chain(file, from_stage).contains(&stage) {
                return false;
            }
            copy_parts(c).0.iter().any(|src| {
                let src = absolute("/", src.trim_end_matches("/."));
                src == "/" || dest == src || dest.starts_with(&format!("{src}/"))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_paths_and_servers() {
        assert!(is_dev_path("Dockerfile.dev"));
        assert!(is_dev_path("docker/dev.Dockerfile"));
        assert!(is_dev_path(".devcontainer/Dockerfile"));
        assert!(is_dev_path("docker/local/Dockerfile"));
        assert!(!is_dev_path("Dockerfile"));
        assert!(!is_dev_path("apps/web/Dockerfile.prod"));
        assert!(!is_dev_path("docker/devices/Dockerfile"));
        assert!(is_dev_path("scripts/Dockerfile"));
        assert!(is_dev_path("hack/tools/Dockerfile"));
        assert!(!is_dev_path("services/api/Dockerfile"));
        let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(runs_dev_server(&words("npm run dev")));
        assert!(runs_dev_server(&words("pnpm dev --host")));
        assert!(!runs_dev_server(&words("npm start")));
        assert!(!runs_dev_server(&words("node server.js")));
        assert!(runs_dev_server(&words(
            "php bin/console --env=dev server:run 0.0.0.0:8000"
        )));
        assert!(runs_dev_server(&words("php artisan serve --host=0.0.0.0")));
        assert!(!runs_dev_server(&words("php-fpm")));
    }

    #[test]
    fn stage_chains_workdirs_and_variables() {
        let file = Dockerfile::parse(
            "ARG BASE=node:22\nFROM $BASE AS base\nWORKDIR /app\nENV HOME_DIR=/home/app\nFROM base AS build\nWORKDIR src\nARG TOKEN\nRUN x\nFROM base\nUSER ${APP_USER:-node}\n",
        )
        .expect("parses");
        assert_eq!(chain(&file, 2), vec![2, 0]);
        assert_eq!(base_image(&file, 2), "node:22");
        assert_eq!(workdir_at(&file, 1, 8), "/app/src");
        let vars = variables_before(&file, 1, 8);
        assert_eq!(vars.get("TOKEN"), Some(&None));
        assert_eq!(resolve_vars("$TOKEN", &vars), None);
        assert_eq!(
            resolve_vars("${HOME_DIR}/x", &vars).as_deref(),
            Some("/home/app/x")
        );
        let vars = variables_before(&file, 2, 10);
        assert_eq!(
            resolve_vars("${APP_USER:-node}", &vars).as_deref(),
            Some("node")
        );
    }
}
