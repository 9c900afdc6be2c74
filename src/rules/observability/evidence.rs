//! What the observability rules look at beyond manifests: the app's code
//! (its own and that of the workspace packages it depends on), the
//! operations files that start it (scripts, Dockerfiles, compose,
//! manifests, Procfiles, env examples), and local imports between modules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};

use crate::roles::path::is_non_product_path;

use crate::index::{FileId, FileKind};
use crate::rules::{folders, AppContext, RepoContext};
use crate::stack::Ecosystem;

/// The app's source files and those of the workspace packages it depends
/// on, outside tests and examples, sorted.
///
/// On a monorepo of services the packages are shared by hundreds of apps:
/// a rule that asks a question of every file of this list does work per
/// app that grows with the repository. Rules on the hot path ask
/// `any_code_file` or split the list with `own_code_files` and
/// `package_code_files`, whose answers per package are kept per audit.
pub(crate) fn app_code_files(cx: &AppContext) -> Vec<FileId> {
    // Several rules ask, per app: listed once.
    cx.cached_code_files(|| {
        let mut files = own_code_files(cx);
        for dir in related_packages(cx) {
            files.extend(package_code_files(cx.repo, dir).iter().copied());
        }
        files.sort_unstable();
        files.dedup();
        files
    })
}

/// The app's own source files, outside tests and examples, sorted.
pub(crate) fn own_code_files(cx: &AppContext) -> Vec<FileId> {
    let index = cx.repo.index;
    cx.source_files()
        .into_iter()
        .filter(|id| !index.get(*id).test)
        .collect()
}

/// The folders of the workspace packages whose code counts as the app's
/// (Node workspaces, whose packages are bundled into the app).
pub(crate) fn related_packages<'a>(cx: &'a AppContext) -> &'a [String] {
    if cx.app.ecosystem == Ecosystem::Node {
        &cx.app.related_dirs
    } else {
        &[]
    }
}

/// The JavaScript/TypeScript files of a workspace package, outside tests
/// and examples, sorted; listed once per audit.
pub(crate) fn package_code_files(repo: &RepoContext, dir: &str) -> std::sync::Arc<Vec<FileId>> {
    repo.memo("package_code_files", dir, || {
        let index = repo.index;
        // Ids grow with the path order: the folder's JS files are one
        // contiguous run of the kind's sorted list.
        let range = index.ids_under(dir);
        let js = index.of_kind(FileKind::JsSource);
        let start = js.partition_point(|id| *id < range.start);
        let end = js.partition_point(|id| *id < range.end);
        let neutral =
            !dir.split('/').any(|p| p == "src") && !is_non_product_path(&format!("{dir}/x"));
        std::sync::Arc::new(
            js[start..end]
                .iter()
                .copied()
                .filter(|id| {
                    let file = index.get(*id);
                    if file.test {
                        return false;
                    }
                    if neutral {
                        return !file.non_product;
                    }
                    let inner = file.rel.strip_prefix(dir).unwrap_or(&file.rel);
                    !is_non_product_path(inner.trim_start_matches('/'))
                })
                .collect(),
        )
    })
}

/// Whether one of the app's code files (`app_code_files`) answers
/// `question`. The question must not depend on the app: its answer for a
/// workspace package is kept per audit under `key` and `variant` (what the
/// question is parameterised by, "" if nothing) and reused by every app
/// that uses the package.
pub(crate) fn any_code_file(
    cx: &AppContext,
    key: &'static str,
    variant: &str,
    question: impl Fn(FileId) -> bool,
) -> bool {
    own_code_files(cx).into_iter().any(&question)
        || related_packages(cx).iter().any(|dir| {
            cx.repo.memo(key, &format!("{variant}\u{0}{dir}"), || {
                package_code_files(cx.repo, dir)
                    .iter()
                    .any(|id| question(*id))
            })
        })
}

/// Whether one of the shared JavaScript files (`shared_js_files`) answers
/// `question`, asked once per audit under `key` and `variant`.
pub(crate) fn any_shared_js_file(
    cx: &AppContext,
    key: &'static str,
    variant: &str,
    question: impl Fn(FileId) -> bool,
) -> bool {
    cx.repo.memo(key, &format!("{variant}\u{0}<shared>"), || {
        shared_js_files(cx).iter().any(|id| question(*id))
    })
}

/// JavaScript/TypeScript files outside every app's folder (shared
/// packages a monorepo imports by path), outside tests and examples.
pub(crate) fn shared_js_files<'a>(cx: &'a AppContext) -> &'a [FileId] {
    cx.repo.shared_js_files()
}

/// Kinds of files that say how an app is started and configured in
/// production.
const OPS_KINDS: &[FileKind] = &[
    FileKind::Dockerfile,
    FileKind::Compose,
    FileKind::ShellScript,
    FileKind::KubernetesCandidate,
    FileKind::EnvExample,
];

/// The first operations file (Dockerfile, compose, shell script,
/// Kubernetes/Helm/platform definition, Procfile, env example) of the
/// app's folder or outside any app (the root, `deploy/`, `k8s/`), or
/// package.json script of the app or the root, that mentions one of
/// `needles`. The text is only searched: a mention is enough to believe
/// the app is started with that tool.
pub(crate) fn ops_mention(cx: &AppContext, needles: &[&str]) -> Option<(FileId, u32)> {
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    // package.json scripts: the app's and the root's.
    let mut manifests = vec![cx.app.manifest];
    if let Some(root) = index.find("package.json") {
        manifests.push(root);
    }
    for id in manifests {
        if let Some(pkg) = facts.package_json(id) {
            if let Some((name, _)) = pkg
                .scripts
                .iter()
                .find(|(_, s)| needles.iter().any(|n| s.contains(n)))
            {
                return Some((id, pkg.line_of_key(name)));
            }
        }
    }
    cx.repo
        .ops_files()
        .first_mention(cx.repo, cx.app.dir(), needles)
}

/// The operations files of the repository (`OPS_KINDS` and deployment
/// definitions, outside tests and examples), grouped once per audit by the
/// deepest app folder holding them, with their text read once.
///
/// An app's operations files are those of its own folder, of the app
/// folders above it, and those outside every app: looking them up by
/// folder keeps the work per app independent of how many other apps the
/// repository has. The first mention among the files outside every app is
/// the same for every app, so it is searched once per list of words.
/// A position in `OpsFiles::files` and the line of the mention.
type Mention = (usize, u32);

pub(crate) struct OpsFiles {
    /// In search order: by kind as in `OPS_KINDS`, then deployment
    /// definitions; each kind in path order.
    files: Vec<FileId>,
    texts: Vec<OnceLock<Option<Box<str>>>>,
    /// Positions in `files` outside every app folder.
    unowned: Vec<usize>,
    /// Positions in `files` by the deepest app folder holding them.
    by_app_dir: HashMap<String, Vec<usize>>,
    /// The first mention among `unowned`, per list of words.
    unowned_mentions: Mutex<HashMap<Vec<String>, Option<Mention>>>,
    /// A searcher per list of words, built once: each file is scanned once
    /// for all the words instead of once per word.
    searchers: Mutex<HashMap<Vec<String>, Arc<AhoCorasick>>>,
}

impl OpsFiles {
    pub(crate) fn build(repo: &RepoContext) -> OpsFiles {
        let index = repo.index;
        let mut deploy: Vec<FileId> = index.deploy_files().map(|(id, _)| id).collect();
        // `deploy_files` walks a hash map: sorted, the search order is the
        // same on every run.
        deploy.sort_unstable();
        let files: Vec<FileId> = OPS_KINDS
            .iter()
            .flat_map(|k| index.of_kind(*k).iter().copied())
            .chain(deploy)
            .filter(|id| !is_non_product_path(&index.get(*id).rel))
            .collect();
        let folders = repo.app_folders();
        let mut unowned = Vec::new();
        let mut by_app_dir: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, id) in files.iter().enumerate() {
            match folders.innermost(*id) {
                Some(app) => by_app_dir
                    .entry(repo.apps[app].dir().to_string())
                    .or_default()
                    .push(position),
                None => unowned.push(position),
            }
        }
        OpsFiles {
            texts: (0..files.len()).map(|_| OnceLock::new()).collect(),
            files,
            unowned,
            by_app_dir,
            unowned_mentions: Mutex::new(HashMap::new()),
            searchers: Mutex::new(HashMap::new()),
        }
    }

    /// The searcher for `needles`: the leftmost match is where the first of
    /// them occurs (what the smallest `str::find` offset over them gives).
    fn searcher(&self, needles: &[&str]) -> Option<Arc<AhoCorasick>> {
        let key: Vec<String> = needles.iter().map(|n| n.to_string()).collect();
        let mut searchers = self
            .searchers
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(searcher) = searchers.get(&key) {
            return Some(searcher.clone());
        }
        let searcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(needles)
            .ok()?;
        let searcher = Arc::new(searcher);
        searchers.insert(key, searcher.clone());
        Some(searcher)
    }

    fn text(&self, repo: &RepoContext, position: usize) -> Option<&str> {
        self.texts[position]
            .get_or_init(|| {
                repo.facts
                    .raw_text(self.files[position])
                    .map(String::into_boxed_str)
            })
            .as_deref()
    }

    /// The first of `positions` whose text mentions one of `needles`, and
    /// the line.
    fn first_in(
        &self,
        repo: &RepoContext,
        positions: impl Iterator<Item = usize>,
        needles: &[&str],
    ) -> Option<(usize, u32)> {
        let searcher = self.searcher(needles);
        positions.into_iter().find_map(|position| {
            let text = self.text(repo, position)?;
            let offset = match &searcher {
                Some(searcher) => searcher.find(text)?.start(),
                None => needles.iter().filter_map(|n| text.find(n)).min()?,
            };
            Some((position, crate::facts::text::line_of_offset(text, offset)))
        })
    }

    /// The first operations file, in search order, of the app in `app_dir`
    /// (its own folder, the app folders above it, or outside every app)
    /// that mentions one of `needles`.
    fn first_mention(
        &self,
        repo: &RepoContext,
        app_dir: &str,
        needles: &[&str],
    ) -> Option<(FileId, u32)> {
        let mut own: Vec<usize> = folders::self_and_ancestors(app_dir)
            .filter_map(|dir| self.by_app_dir.get(dir))
            .flatten()
            .copied()
            .collect();
        own.sort_unstable();
        let own_hit = self.first_in(repo, own.into_iter(), needles);
        let key: Vec<String> = needles.iter().map(|n| n.to_string()).collect();
        let cached = self
            .unowned_mentions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .get(&key)
            .copied();
        let unowned_hit = match cached {
            Some(hit) => hit,
            None => {
                // Searched outside the lock: another thread may search the
                // same words at the same time and store the same answer.
                let hit = self.first_in(repo, self.unowned.iter().copied(), needles);
                self.unowned_mentions
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner())
                    .insert(key, hit);
                hit
            }
        };
        let (position, line) = match (own_hit, unowned_hit) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some((self.files[position], line))
    }
}

/// The file a local import (`./db`, `../lib/redis`, `@/lib/db`, `~/db`)
/// names, when it exists in the index.
pub(crate) fn resolve_local_import(cx: &AppContext, from: FileId, spec: &str) -> Option<FileId> {
    let index = cx.repo.index;
    let dir = index.get(from).dir();
    let base = if spec.starts_with("./") || spec.starts_with("../") {
        crate::apps::resolve(dir, spec)?
    } else if let Some(rest) = spec
        .strip_prefix("@/")
        .or_else(|| spec.strip_prefix("~/"))
        .or_else(|| spec.strip_prefix("$lib/"))
    {
        // tsconfig `paths` usually map `@/` to the app root or `src/`
        // (`$lib` is SvelteKit's `src/lib`).
        let roots: &[&str] = if spec.starts_with("$lib/") {
            &["src/lib"]
        } else {
            &["", "src", "app"]
        };
        return roots.iter().find_map(|root| {
            let base = cx.app.join(&crate::apps::join(root, rest));
            with_extensions(cx, &base)
        });
    } else {
        return None;
    };
    with_extensions(cx, &base)
}

fn with_extensions(cx: &AppContext, base: &str) -> Option<FileId> {
    const EXTS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];
    let index = cx.repo.index;
    if index.find(base).is_some() && EXTS.iter().any(|e| base.ends_with(&format!(".{e}"))) {
        return index.find(base);
    }
    // `./db.js` written for ESM while the file is `db.ts`.
    let stem = base
        .strip_suffix(".js")
        .or_else(|| base.strip_suffix(".mjs"))
        .unwrap_or(base);
    EXTS.iter()
        .find_map(|e| index.find(&format!("{stem}.{e}")))
        .or_else(|| {
            EXTS.iter()
                .find_map(|e| index.find(&format!("{base}/index.{e}")))
        })
}

/// Whether a module specifier is local to the repository (relative or an
/// alias) rather than a package.
pub(crate) fn is_local_specifier(spec: &str) -> bool {
    spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with("@/")
        || spec.starts_with("~/")
        || spec.starts_with("$lib/")
        || spec.starts_with('#')
}
