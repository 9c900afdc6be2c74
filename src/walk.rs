//! Step 1 of the pipeline: list the files of the repository.
//!
//! The walk is `ignore`'s parallel walker, so .gitignore/.ignore are respected
//! as in ripgrep. Each thread collects into its own vector and hands it over
//! once, at the end; the result is sorted so that runs are deterministic.
//! Files git tracks although an ignore rule matches them are added back
//! afterwards (`add_tracked_ignored`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::finding::AuditError;

/// Directory names that hold vendored or generated trees. Nothing in them
/// describes how the application is built or run, and they can be huge.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".terraform",
    ".turbo",
    ".venv",
    ".yarn",
    "__pycache__",
    "bower_components",
    "node_modules",
    "target",
    "vendor",
    "venv",
];

/// A file found by the walk.
#[derive(Debug, Clone)]
pub struct WalkedFile {
    /// Path relative to the root, with forward slashes. Non-UTF-8 bytes are
    /// replaced, so this is for display and classification.
    pub rel: String,
    /// The path for I/O, kept only when `rel` lost bytes (non-UTF-8 names);
    /// otherwise it is the root joined with `rel`, so a million-file tree
    /// does not hold every path twice.
    pub abs: Option<PathBuf>,
    /// Tracked by git although an ignore rule matches it (see
    /// `add_tracked_ignored`).
    pub ignored: bool,
}

#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<WalkedFile>,
    pub errors: Vec<AuditError>,
}

pub fn walk(root: &Path) -> Walk {
    let collected: Mutex<Vec<Walk>> = Mutex::new(Vec::new());
    let walker = WalkBuilder::new(root)
        .hidden(false) // .env.example, .github and .dockerignore matter
        .require_git(false) // honour .gitignore in tarballs and fresh copies too
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry.depth() > 0
                && SKIPPED_DIRS.contains(&&*entry.file_name().to_string_lossy()))
        })
        .build_parallel();

    walker.run(|| {
        let mut local = ThreadWalk {
            walk: Walk::default(),
            sink: &collected,
            root,
        };
        Box::new(move |entry| {
            local.visit(entry);
            WalkState::Continue
        })
    });

    let mut all = Walk::default();
    for part in collected
        .into_inner()
        .unwrap_or_else(|poison| poison.into_inner())
    {
        all.files.extend(part.files);
        all.errors.extend(part.errors);
    }
    // Sorting 100k paths is a noticeable share of the walk: both cores.
    {
        use rayon::slice::ParallelSliceMut;
        all.files.par_sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    }
    if !add_tracked_ignored(root, &mut all.files) {
        add_ignored_lockfiles(root, &mut all.files);
    }
    all.errors.sort();
    all
}

/// Adds the files git tracks that the walk left out because an ignore rule
/// matches them, when `root` is the top of a git working tree (a checkout
/// without `.git`, such as an extracted archive, is walked as before).
///
/// Which of them rules see: all of them. An ignore rule tells git what not
/// to pick up from now on; it does not remove what was committed before or
/// added with `git add -f`, and every clone holds those files. A
/// `config/database.php` committed before `/config/` was ignored is the
/// configuration the app ships with; a root `package.json` matched by a
/// broad `*.json` is still the manifest of the server. The folders the walk
/// never enters (`SKIPPED_DIRS`: `vendor/`, `node_modules/`, build caches)
/// stay out tracked or not: what is committed there is third-party or
/// generated code, never the project's description of itself, and a
/// committed `vendor/` can hold tens of thousands of files. Other committed
/// build output (`dist/`, `build/`) is already seen wherever it is not
/// ignored, and the roles model (non-product paths, generated files)
/// applies to it the same way.
///
/// Cost: one read of `.git/index` and a merge of two sorted lists (the index
/// is in byte order of paths, as the walk's result is); a `stat` only for
/// the tracked files the walk did not list.
///
/// Returns whether `root` has a git index to ask.
fn add_tracked_ignored(root: &Path, files: &mut Vec<WalkedFile>) -> bool {
    let mut missing: Vec<String> = Vec::new();
    let mut next = 0;
    let has_index = crate::facts::git_index::for_each_entry(root, |path, mode| {
        // Regular files only: the walk does not list symlinks or
        // submodules (gitlinks) either.
        if mode & 0o170000 != 0o100000 {
            return;
        }
        while next < files.len() && files[next].rel.as_bytes() < path {
            next += 1;
        }
        if files.get(next).is_some_and(|f| f.rel.as_bytes() == path) {
            return;
        }
        // A name that is not UTF-8 would not match the walk's lossy `rel`;
        // such names are not configuration anyway.
        let Ok(rel) = std::str::from_utf8(path) else {
            return;
        };
        let mut dirs = rel.split('/').rev().skip(1);
        if dirs.any(|d| SKIPPED_DIRS.contains(&d)) {
            return;
        }
        missing.push(rel.to_string());
    });
    // Deleted in the working tree, or replaced by a folder or a symlink.
    missing.retain(|rel| std::fs::symlink_metadata(root.join(rel)).is_ok_and(|m| m.is_file()));
    merge_ignored(files, missing);
    has_index
}

/// Lockfiles, by the manifest they lock.
const LOCKFILES_OF: &[(&str, &[&str])] = &[
    ("package.json", crate::facts::lockfile::NODE_LOCKFILES),
    ("composer.json", crate::facts::lockfile::PHP_LOCKFILES),
    ("Gemfile", crate::facts::lockfile::RUBY_LOCKFILES),
    ("pyproject.toml", &["poetry.lock", "uv.lock"]),
    ("Pipfile", &["Pipfile.lock"]),
];

/// In a checkout without a git index (an extracted archive, a copy of a
/// working tree), adds the lockfiles beside a walked manifest that an
/// ignore rule hid. Without the index nothing tells a tracked file from a
/// local one, so ignored files stay out in general (a local `.env` must not
/// read as committed); a lockfile is the exception: whether it was
/// committed (an archive holds only tracked files, and `composer.lock` is
/// often tracked under an old `composer.lock` ignore line) or written by
/// the last install, it lists the packages the manifest resolved to, and
/// without it an SDK that a wrapper package pulls in is taken for missing.
///
/// Cost: one `stat` per lockfile name beside each manifest.
fn add_ignored_lockfiles(root: &Path, files: &mut Vec<WalkedFile>) {
    use rayon::prelude::*;
    let listed = |files: &[WalkedFile], rel: &str| {
        files.binary_search_by(|f| f.rel.as_str().cmp(rel)).is_ok()
    };
    // On both cores: a monorepo of a thousand services has thousands of
    // manifests, and each lockfile name is a `stat`.
    let shared: &[WalkedFile] = files;
    let missing: Vec<String> = shared
        .par_iter()
        .flat_map_iter(|file| {
            let (dir, name) = match file.rel.rsplit_once('/') {
                Some((dir, name)) => (Some(dir), name),
                None => (None, file.rel.as_str()),
            };
            let locks: &[&str] = LOCKFILES_OF
                .iter()
                .find(|(m, _)| *m == name)
                .map(|(_, locks)| *locks)
                .unwrap_or_default();
            locks.iter().filter_map(move |lock| {
                let rel = match dir {
                    Some(dir) => format!("{dir}/{lock}"),
                    None => lock.to_string(),
                };
                (!listed(shared, &rel)
                    && std::fs::symlink_metadata(root.join(&rel)).is_ok_and(|m| m.is_file()))
                .then_some(rel)
            })
        })
        .collect();
    merge_ignored(files, missing);
}

/// Merges files an ignore rule hid (marked `ignored`) into the sorted list.
fn merge_ignored(files: &mut Vec<WalkedFile>, mut missing: Vec<String>) {
    if missing.is_empty() {
        return;
    }
    // The index is sorted, but sort anyway: the merge below needs it and a
    // damaged index must not make duplicates.
    missing.sort_unstable();
    missing.dedup();
    let walked = std::mem::take(files);
    files.reserve(walked.len() + missing.len());
    let mut walked = walked.into_iter().peekable();
    for rel in missing {
        while let Some(file) = walked.next_if(|f| f.rel < rel) {
            files.push(file);
        }
        if walked.peek().is_some_and(|f| f.rel == rel) {
            continue;
        }
        files.push(WalkedFile {
            rel,
            abs: None,
            ignored: true,
        });
    }
    files.extend(walked);
}

/// Per-thread state; hands its results to the shared sink when the thread's
/// visitor is dropped.
struct ThreadWalk<'a> {
    walk: Walk,
    sink: &'a Mutex<Vec<Walk>>,
    root: &'a Path,
}

impl ThreadWalk<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    let abs = entry.into_path();
                    // The common case costs one allocation: the path below
                    // the root is valid UTF-8 and already uses `/`.
                    if let Some(rel) = fast_relative(self.root, &abs) {
                        self.walk.files.push(WalkedFile {
                            rel,
                            abs: None,
                            ignored: false,
                        });
                        return;
                    }
                    let rel = relative(self.root, &abs);
                    let lossless = abs
                        .strip_prefix(self.root)
                        .is_ok_and(|r| r.to_str().is_some());
                    let abs = (!lossless).then_some(abs);
                    self.walk.files.push(WalkedFile {
                        rel,
                        abs,
                        ignored: false,
                    });
                }
            }
            Err(err) => {
                let path = error_path(&err)
                    .map(|p| relative(self.root, p))
                    .unwrap_or_else(|| ".".to_string());
                self.walk.errors.push(AuditError {
                    path,
                    message: describe_walk_error(&err),
                });
            }
        }
    }
}

impl Drop for ThreadWalk<'_> {
    fn drop(&mut self) {
        let walk = std::mem::take(&mut self.walk);
        if let Ok(mut sink) = self.sink.lock() {
            sink.push(walk);
        }
    }
}

/// `relative` without walking path components: the bytes after the root
/// and its separator, when they are UTF-8 (on Unix, where `/` is the only
/// separator and walked paths are the root joined with names).
#[cfg(unix)]
fn fast_relative(root: &Path, path: &Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let root = root.as_os_str().as_bytes();
    let path = path.as_os_str().as_bytes();
    let rest = path.strip_prefix(root)?;
    let rest = if root.ends_with(b"/") {
        rest
    } else {
        rest.strip_prefix(b"/")?
    };
    // `./x` or `a//b` would need the component walk's normalisation.
    if rest.is_empty() || rest.starts_with(b"./") || rest.windows(2).any(|w| w == b"//") {
        return None;
    }
    std::str::from_utf8(rest).ok().map(str::to_string)
}

#[cfg(not(unix))]
fn fast_relative(_root: &Path, _path: &Path) -> Option<String> {
    None
}

pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

fn describe_walk_error(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symlink loop back to {}; not followed", ancestor.display())
        }
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied; skipped".to_string()
        }
        other => format!("could not be listed: {other}"),
    }
}
