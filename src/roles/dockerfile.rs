//! What each Dockerfile is for. A Dockerfile builds a production image
//! unless its path says otherwise (`Dockerfile.dev`, `tools/`, `.github/`),
//! every compose service builds a development stage of it, its command
//! starts a development server, it is a tool (no `CMD`, `ENTRYPOINT` or
//! `EXPOSE` and nothing builds it; a container that idles for CI to copy
//! from), or it is dead (it copies the lockfile of a package manager the project does not
//! use and no compose file builds it: a leftover `Dockerfile.bun` beside an
//! npm project).

use std::collections::HashMap;

use super::{path, role_of_word, FileRole, Role};
use crate::apps::resolve;
use crate::facts::dockerfile::{Dockerfile, Stage};
use crate::index::{FileId, FileKind};
use crate::rules::containerization::dockerfiles::{chain, command_words, copy_parts, stage_named};
use crate::rules::RepoContext;

/// How one Dockerfile was judged.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub role: FileRole,
    /// The stage the image is built from (a compose `target:`, else the
    /// last stage unless it is a development one), when there is one.
    pub image_stage: Option<usize>,
    /// The compose services that build it, in path order of the compose
    /// files.
    pub builds: Vec<ComposeBuild>,
}

/// A compose service's `build:` of a Dockerfile.
#[derive(Debug, Clone)]
pub struct ComposeBuild {
    pub compose: FileId,
    pub service: String,
    pub context: String,
    pub target: Option<String>,
    pub user: Option<String>,
    /// Whether the service is only in profiles named deprecated or legacy
    /// (`profiles: ["deprecated"]`): kept for old installs, not deployed.
    pub deprecated: bool,
}

/// Words in a Dockerfile's name or folder that say it builds a development,
/// test or CI image (`Dockerfile.dev`, `dev.Dockerfile`, `docker/local/`).
const DEV_WORDS: &[&str] = &[
    "ci",
    "debug",
    "demo",
    "dev",
    "devcontainer",
    "develop",
    "development",
    "e2e",
    "example",
    "gitpod",
    "integration",
    "local",
    "playground",
    "playwright",
    "cypress",
    "packaging",
    "sandbox",
    "test",
    "testing",
    "tests",
];

/// Stage names that are not the production image.
pub const DEV_STAGES: &[&str] = &[
    "debug",
    "dev",
    "develop",
    "development",
    "local",
    "test",
    "testing",
    "tests",
    "e2e",
    "ci",
    "lint",
    "build",
    "builder",
];

/// Stage names that are the production image when the last stage is not.
const PRODUCTION_STAGES: &[&str] = &[
    "prod",
    "production",
    "release",
    "runtime",
    "runner",
    "final",
    "app",
];

/// The development word of a name (`Dockerfile.dev` → `dev`).
fn dev_word(text: &str) -> Option<String> {
    text.to_ascii_lowercase()
        .split(['.', '-', '_'])
        .find(|w| DEV_WORDS.contains(w) || w.ends_with("test") || w.ends_with("tests"))
        .map(str::to_string)
}

/// Folders whose Dockerfiles are dev containers, CI images or tools.
fn special_folder(part: &str) -> Option<Role> {
    if matches!(part, ".devcontainer" | ".codesandbox" | ".idx") || part.starts_with(".gitpod") {
        return Some(Role::Development);
    }
    if matches!(part, ".github" | ".circleci" | ".gitlab") {
        return Some(Role::Ci);
    }
    // Tooling images (a script runner, a benchmark, docs): not what the
    // project ships.
    matches!(
        part.to_ascii_lowercase().as_str(),
        "scripts"
            | "script"
            | "tools"
            | "tooling"
            | "hack"
            | "bench"
            | "benchmark"
            | "benchmarks"
            | "loadtest"
            | "perf"
            | "fuzz"
            | "docs"
    )
    .then_some(Role::Tooling)
}

/// What the path of a Dockerfile says it is for, when it rules production
/// out: a development, test, CI (GitHub Actions images), tooling
/// (`scripts/`, `tools/`, `hack/`) or example image.
pub fn path_role(rel: &str) -> Option<FileRole> {
    if let Some(role) = super::path_role(rel).filter(|_| path::is_non_product_path(rel)) {
        return Some(role);
    }
    let mut parts: Vec<&str> = rel.split('/').collect();
    let name = parts.pop().unwrap_or("");
    if let Some(word) = dev_word(name) {
        return Some(FileRole::new(
            role_of_word(&word),
            format!("its name `{name}` says `{word}`"),
        ));
    }
    parts.iter().find_map(|p| {
        if let Some(role) = special_folder(p) {
            return Some(FileRole::new(
                role,
                format!("it is in the folder `{p}/`, which holds no production image"),
            ));
        }
        dev_word(p).map(|word| {
            FileRole::new(
                role_of_word(&word),
                format!("its folder `{p}/` says `{word}`"),
            )
        })
    })
}

/// Whether the path says the Dockerfile is not a production image.
pub fn is_dev_path(rel: &str) -> bool {
    path::is_non_product_path(rel) || path_role(rel).is_some()
}

/// Whether a command line starts a development server or watcher.
pub fn runs_dev_server(words: &[String]) -> bool {
    let joined = words.join(" ");
    let w: Vec<&str> = joined.split_whitespace().collect();
    let has = |pair: &[&str]| w.windows(pair.len()).any(|win| win == pair);
    w.iter().any(|x| {
        matches!(
            *x,
            "nodemon" | "ts-node-dev" | "tsx-watch" | "air" | "reflex" | "watchexec" | "runserver"
        )
    }) || has(&["npm", "run", "dev"])
        || has(&["yarn", "dev"])
        || has(&["yarn", "run", "dev"])
        || has(&["pnpm", "dev"])
        || has(&["pnpm", "run", "dev"])
        || has(&["bun", "run", "dev"])
        || has(&["bun", "dev"])
        || has(&["next", "dev"])
        || has(&["nuxt", "dev"])
        || has(&["ng", "serve"])
        || has(&["cargo", "watch"])
        || has(&["go", "run"])
        || has(&["tsx", "watch"])
        || has(&["flask", "run"])
        || has(&["spring-boot:run"])
        || w.windows(2)
            .any(|p| p[0] == "vite" && p[1] != "build" && p[1] != "preview")
        || w.last() == Some(&"vite")
}

/// Why the image is a tool rather than a service, if it is: nothing in it
/// says what to run or serve (no `CMD`, `ENTRYPOINT` or `EXPOSE` in its
/// stages) and no compose service builds it — a toolchain image that other
/// builds start `FROM`, a code generator run with `docker run --rm …
/// <command>`; a container that only idles (`CMD sleep 60s`, `tail -f
/// /dev/null`) for CI to copy files out of it; or a `FROM scratch` stage
/// that only carries a package for `docker build --output`.
fn tool_reason(file: &Dockerfile, stage: usize, compose_built: bool) -> Option<&'static str> {
    let stages = chain(file, stage);
    let has = |keyword: &str| {
        stages
            .iter()
            .any(|i| file.stages[*i].all(keyword).next().is_some())
    };
    if !compose_built && !has("CMD") && !has("ENTRYPOINT") && !has("EXPOSE") {
        return Some(
            "it has no CMD, ENTRYPOINT or EXPOSE and no compose service builds it: \
             a toolchain or one-shot helper image",
        );
    }
    let words = command_words(file, stage);
    let idles = match words.first().map(String::as_str) {
        Some("sleep") => true,
        Some("tail") => words.iter().any(|w| w == "/dev/null"),
        _ => false,
    };
    if idles {
        return Some("its command only idles (a container to copy files out of)");
    }
    let exports_package = file.stages[stage].image.eq_ignore_ascii_case("scratch")
        && words.len() == 1
        && [
            ".apk", ".aab", ".ipa", ".zip", ".tar", ".tgz", ".gz", ".deb", ".rpm", ".whl",
        ]
        .iter()
        .any(|ext| words[0].to_ascii_lowercase().ends_with(ext));
    exports_package.then_some("it only carries a package for `docker build --output`")
}

/// The last stage, unless it is a development stage; then a stage named
/// like the production one.
pub fn image_stage(file: &Dockerfile) -> Option<usize> {
    let last = file.stages.len().checked_sub(1)?;
    let is_dev = |s: &Stage| {
        s.name
            .as_deref()
            .is_some_and(|n| n.split(['-', '_']).any(|w| DEV_STAGES.contains(&w)))
    };
    if !is_dev(&file.stages[last]) {
        return Some(last);
    }
    file.stages.iter().rposition(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| PRODUCTION_STAGES.contains(&n))
    })
}

/// Which stages end up in what a build produces: the chains of the image
/// stage and of `other` stages (compose targets), and every stage one of
/// them copies or mounts from (`COPY --from=`, `RUN --mount=…,from=`),
/// followed to the end. A stage outside is built for nothing (BuildKit
/// skips it): a leftover `FROM tonistiigi/binfmt AS binfmt` no stage uses.
pub fn used_stages(file: &Dockerfile, image: usize, other: &[usize]) -> Vec<bool> {
    let mut used = vec![false; file.stages.len()];
    let mut todo: Vec<usize> = std::iter::once(image)
        .chain(other.iter().copied())
        .collect();
    while let Some(stage) = todo.pop() {
        for i in chain(file, stage) {
            if i >= used.len() || used[i] {
                continue;
            }
            used[i] = true;
            for inst in &file.stages[i].instructions {
                let mut sources: Vec<String> =
                    inst.flag("from").map(str::to_string).into_iter().collect();
                if inst.keyword == "RUN" {
                    for (name, value) in &inst.flags {
                        if name == "mount" {
                            sources.extend(
                                value
                                    .split(',')
                                    .filter_map(|kv| kv.trim().strip_prefix("from="))
                                    .map(str::to_string),
                            );
                        }
                    }
                }
                for source in sources {
                    if let Some(j) = stage_named(file, i, &source) {
                        todo.push(j);
                    }
                }
            }
        }
    }
    used
}

/// Compose services (outside dev folders) by the Dockerfile they build,
/// in path order of the compose files.
fn compose_builds(cx: &RepoContext) -> HashMap<String, Vec<ComposeBuild>> {
    let index = cx.index;
    let mut out: HashMap<String, Vec<ComposeBuild>> = HashMap::new();
    for id in index.of_kind(FileKind::Compose) {
        let compose = index.get(*id);
        if is_dev_path(&compose.rel) {
            continue;
        }
        let Some(parsed) = cx.facts.compose(*id) else {
            continue;
        };
        for service in &parsed.services {
            let Some(context) = service
                .build_context
                .as_deref()
                .and_then(|c| resolve(compose.dir(), c))
            else {
                continue;
            };
            let dockerfile = service.dockerfile.as_deref().unwrap_or("Dockerfile");
            if let Some(path) = resolve(&context, dockerfile) {
                out.entry(path).or_default().push(ComposeBuild {
                    compose: *id,
                    service: service.name.clone(),
                    context,
                    target: service.target.clone(),
                    user: service.user.clone(),
                    deprecated: only_deprecated_profiles(&service.raw),
                });
            }
        }
    }
    out
}

/// Whether a compose service's `profiles:` are all deprecated or legacy
/// ones: `docker compose up` starts it only when such a profile is asked
/// for by name.
fn only_deprecated_profiles(raw: &yaml_rust2::Yaml) -> bool {
    let Some(profiles) = raw["profiles"].as_vec() else {
        return false;
    };
    !profiles.is_empty()
        && profiles.iter().all(|p| {
            p.as_str().is_some_and(|p| {
                p.to_ascii_lowercase()
                    .split(['-', '_'])
                    .any(|w| matches!(w, "deprecated" | "legacy"))
            })
        })
}

/// Lockfiles of the package managers of one ecosystem: a Dockerfile that
/// copies one of them while the project has another is written for a
/// package manager the project does not use.
const LOCKFILE_FAMILIES: &[&[&str]] = &[
    &[
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "bun.lockb",
    ],
    &["poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock"],
];

/// A lockfile the Dockerfile copies from its build context that exists
/// neither in its folder nor in any folder above it (every context it
/// could be built from), while a lockfile of another package manager of
/// the same ecosystem does: `COPY bun.lockb ./` in a leftover
/// `Dockerfile.bun` of an npm project. A project that commits no lockfile
/// at all (it may be generated or git-ignored) proves nothing; copies with
/// wildcards (`bun.lockb*`) tolerate a missing file and do not count.
/// The missing lockfile and the one the project has.
fn foreign_lockfile(cx: &RepoContext, rel: &str, file: &Dockerfile) -> Option<(String, String)> {
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut contexts = vec![dir];
    let mut at = dir;
    while !at.is_empty() {
        at = at.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        contexts.push(at);
    }
    let exists = |name: &str| {
        contexts
            .iter()
            .find(|ctx| cx.index.find(&crate::apps::join(ctx, name)).is_some())
            .map(|ctx| crate::apps::join(ctx, name))
    };
    file.stages
        .iter()
        .flat_map(|s| s.instructions.iter())
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
        .flat_map(|i| copy_parts(i).0)
        .find_map(|src| {
            let src = src.trim_start_matches("./");
            let name = src.rsplit('/').next().unwrap_or(src);
            if src.contains(['*', '?', '[', '$']) || src.starts_with("..") {
                return None;
            }
            let family = LOCKFILE_FAMILIES.iter().find(|f| f.contains(&name))?;
            if contexts
                .iter()
                .any(|ctx| cx.index.find(&crate::apps::join(ctx, src)).is_some())
            {
                return None;
            }
            let other = family
                .iter()
                .filter(|l| **l != name)
                .find_map(|l| exists(l))?;
            Some((name.to_string(), other))
        })
}

/// Judges every Dockerfile of the repository.
pub fn judge_all(cx: &RepoContext) -> HashMap<FileId, Judgement> {
    let mut builds_by_dockerfile = compose_builds(cx);
    let mut out = HashMap::new();
    for id in cx.index.of_kind(FileKind::Dockerfile) {
        let rel = cx.index.get(*id).rel.as_str();
        let builds = builds_by_dockerfile.remove(rel).unwrap_or_default();
        let judgement = judge(cx, rel, *id, builds);
        out.insert(*id, judgement);
    }
    out
}

fn judge(cx: &RepoContext, rel: &str, id: FileId, builds: Vec<ComposeBuild>) -> Judgement {
    let undecided = |role: FileRole, builds: Vec<ComposeBuild>| Judgement {
        role,
        image_stage: None,
        builds,
    };
    if let Some(role) = path_role(rel) {
        return undecided(role, builds);
    }
    let Some(file) = cx.facts.dockerfile(id) else {
        return undecided(
            FileRole::new(Role::Undecided, "it could not be read or parsed"),
            builds,
        );
    };
    let built_by: Vec<String> = builds
        .iter()
        .map(|b| {
            let target = b
                .target
                .as_deref()
                .map(|t| format!(" (target `{t}`)"))
                .unwrap_or_default();
            format!(
                "compose service `{}` in {} builds it{target}",
                b.service,
                cx.rel(b.compose)
            )
        })
        .collect();
    if !builds.is_empty() && builds.iter().all(|b| b.deprecated) {
        let mut role = FileRole::new(
            Role::Dead,
            "only compose services in a deprecated or legacy profile build it: kept for \
             old installations, not deployed",
        );
        role.evidence.extend(built_by);
        return undecided(role, builds);
    }
    let targets: Vec<&str> = builds.iter().filter_map(|b| b.target.as_deref()).collect();
    let image_stage = if !builds.is_empty() && targets.len() == builds.len() {
        // Every compose service builds a named stage: the first
        // production-looking one is the image.
        match targets
            .iter()
            .filter(|t| !DEV_STAGES.contains(&t.to_ascii_lowercase().as_str()))
            .find_map(|t| stage_named(file, file.stages.len(), t))
        {
            Some(i) => i,
            None => {
                let mut role = FileRole::new(
                    Role::Development,
                    format!(
                        "every compose service builds a development stage ({})",
                        quoted(&targets)
                    ),
                );
                role.evidence.extend(built_by);
                return undecided(role, builds);
            }
        }
    } else {
        match image_stage(file) {
            Some(i) => i,
            None => {
                return undecided(
                    FileRole::new(
                        Role::Development,
                        "its last stage is a development stage and no stage is named \
                         like a production one",
                    ),
                    builds,
                )
            }
        }
    };
    let command = command_words(file, image_stage);
    if runs_dev_server(&command) {
        return undecided(
            FileRole::new(
                Role::Development,
                format!(
                    "its command starts a development server: `{}`",
                    command.join(" ")
                ),
            ),
            builds,
        );
    }
    if let Some(why) = tool_reason(file, image_stage, !builds.is_empty()) {
        return undecided(FileRole::new(Role::Tooling, why), builds);
    }
    if builds.is_empty() {
        if let Some((lockfile, other)) = foreign_lockfile(cx, rel, file) {
            return undecided(
                FileRole::new(
                    Role::Dead,
                    format!(
                        "it copies `{lockfile}`, which exists nowhere it could be built \
                         from, while the project locks its packages with {other}, and no \
                         compose service builds it: a leftover for another package \
                         manager that cannot build"
                    ),
                ),
                builds,
            );
        }
    }
    let stage = &file.stages[image_stage];
    let mut role = FileRole::new(
        Role::Production,
        match &stage.name {
            Some(name) => format!(
                "it builds an image (stage `{name}`, {} of {}) and nothing rules production out",
                image_stage + 1,
                file.stages.len()
            ),
            None => format!(
                "it builds an image (stage {} of {}) and nothing rules production out",
                image_stage + 1,
                file.stages.len()
            ),
        },
    );
    if !command.is_empty() {
        role = role.because(format!("it runs `{}`", command.join(" ")));
    }
    role.evidence.extend(built_by);
    Judgement {
        role,
        image_stage: Some(image_stage),
        builds,
    }
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_say_what_an_image_is_for() {
        let role = |rel: &str| path_role(rel).map(|r| r.role);
        assert_eq!(role("Dockerfile.dev"), Some(Role::Development));
        assert_eq!(role("docker/test.Dockerfile"), Some(Role::Test));
        assert_eq!(role(".github/actions/x/Dockerfile"), Some(Role::Ci));
        assert_eq!(role("tools/gen/Dockerfile"), Some(Role::Tooling));
        assert_eq!(role("examples/blog/Dockerfile"), Some(Role::Template));
        assert_eq!(role(".devcontainer/Dockerfile"), Some(Role::Development));
        assert_eq!(role("Dockerfile"), None);
        assert_eq!(role("apps/web/Dockerfile"), None);
        assert!(is_dev_path("docker/local/Dockerfile"));
        assert!(!is_dev_path("deploy/Dockerfile"));
    }
}
