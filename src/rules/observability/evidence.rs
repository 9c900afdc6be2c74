//! What the observability rules look at beyond manifests: the app's code
//! (its own and that of the workspace packages it depends on), the
//! operations files that start it (scripts, Dockerfiles, compose,
//! manifests, Procfiles, env examples), and local imports between modules.

use crate::apps::is_non_product_path;

use crate::index::{FileId, FileKind};
use crate::rules::AppContext;
use crate::stack::Ecosystem;

/// The app's source files and those of the workspace packages it depends
/// on, outside tests and examples.
pub(crate) fn app_code_files(cx: &AppContext) -> Vec<FileId> {
    // Several rules ask, per app: listed once.
    cx.cached_code_files(|| list_app_code_files(cx))
}

fn list_app_code_files(cx: &AppContext) -> Vec<FileId> {
    let index = cx.repo.index;
    let mut files: Vec<FileId> = cx
        .source_files()
        .into_iter()
        .filter(|id| !index.get(*id).test)
        .collect();
    if cx.app.ecosystem == Ecosystem::Node {
        for dir in &cx.app.related_dirs {
            // Ids grow with the path order: the folder's JS files are one
            // contiguous run of the kind's sorted list.
            let range = index.ids_under(dir);
            let js = index.of_kind(FileKind::JsSource);
            let start = js.partition_point(|id| *id < range.start);
            let end = js.partition_point(|id| *id < range.end);
            let neutral =
                !dir.split('/').any(|p| p == "src") && !is_non_product_path(&format!("{dir}/x"));
            files.extend(js[start..end].iter().copied().filter(|id| {
                let file = index.get(*id);
                if file.test {
                    return false;
                }
                if neutral {
                    return !file.non_product;
                }
                let inner = file.rel.strip_prefix(dir.as_str()).unwrap_or(&file.rel);
                !is_non_product_path(inner.trim_start_matches('/'))
            }));
        }
    }
    files.sort();
    files.dedup();
    files
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
    let app_dir = cx.app.dir();
    let other_app_dirs: Vec<&str> = cx
        .repo
        .apps
        .iter()
        .map(|a| a.dir())
        .filter(|d| !d.is_empty() && *d != app_dir && !app_dir.starts_with(&format!("{d}/")))
        .collect();
    let kinds = OPS_KINDS
        .iter()
        .flat_map(|k| index.of_kind(*k).iter().copied())
        .chain(index.deploy_files().map(|(id, _)| id));
    for id in kinds {
        let rel = &index.get(id).rel;
        if is_non_product_path(rel)
            || other_app_dirs
                .iter()
                .any(|d| rel.starts_with(&format!("{d}/")))
        {
            continue;
        }
        let Some(text) = facts.raw_text(id) else {
            continue;
        };
        if let Some(offset) = needles.iter().filter_map(|n| text.find(n)).min() {
            return Some((id, crate::facts::text::line_of_offset(&text, offset)));
        }
    }
    None
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
