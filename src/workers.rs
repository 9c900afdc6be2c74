//! Long-running programs that serve no HTTP: workers, bots, schedulers,
//! gRPC servers.
//!
//! App discovery finds what serves HTTP, because most rules (container,
//! health endpoint, error tracking) are about a web app. A Go daemon that
//! polls a router on a cron schedule, a Telegram bot on long polling or a
//! gRPC server is not one, yet it is just as much a production component
//! when it is shipped to run there, and the rules about any production
//! process (today the database it keeps: `rules::WORKER_RULES`) apply to
//! it. A command-line tool or a program that runs once and exits is not a
//! production component, and neither is a program nothing ships.
//!
//! A worker is a Go module with a `main` package, a Rust crate with
//! `src/main.rs`, or a Python folder (its requirements, `pyproject.toml`,
//! `Pipfile`, or the folder a Dockerfile builds) whose entry code runs until
//! stopped — a loop without end that waits between rounds (`for {` with
//! `time.Sleep` or a channel receive, `loop {`, `while True` with a
//! `sleep`; for Python only in an entry file: `__main__`, `main.py`, …), a
//! server or poller started (`grpcServer.Serve`, `start_polling`,
//! `serve_forever`), a scheduler (`cron.New`, `BlockingScheduler`), a
//! wait for a signal (`signal.Notify`) — and that something ships: a
//! Dockerfile or compose file in its folder or above, a systemd unit, a
//! Procfile. Only the entry files are read (the files of the folder for Go
//! and Python, `src/main.rs` for Rust), and only for folders that no app
//! already holds.

use std::collections::{BTreeSet, HashSet};

use crate::apps::{go_entry_files, join, App};
use crate::facts::code::{Lang, Spanned, Token};
use crate::facts::Facts;
use crate::index::{FileId, FileKind, Index};
use crate::roles::path::{is_dev_harness_path, is_non_product_path};
use crate::stack::{self, Ecosystem, Framework};

/// The workers of the tree: folders no app holds whose entry code runs
/// until stopped and that something ships (see the module's comment).
pub fn discover(facts: &Facts, apps: &[App]) -> Vec<App> {
    let index = facts.index;
    let taken: HashSet<&str> = apps.iter().map(|a| a.dir()).collect();
    let shipping = shipping_dirs(index);
    let shipped = |dir: &str| {
        crate::rules::folders::self_and_ancestors(dir)
            .chain(std::iter::once(""))
            .any(|d| shipping.contains(d))
    };
    // A folder whose path says tooling, development or tests (a load
    // generator, `scripts/`, `hack/`): what it runs is not shipped.
    let eligible = |id: FileId| {
        let f = index.get(id);
        !(f.non_product
            || f.test
            || is_dev_harness_path(&f.rel)
            || crate::roles::dockerfile::path_role(&f.rel).is_some())
    };
    let mut workers: Vec<App> = Vec::new();
    let mut placed: HashSet<String> = HashSet::new();
    let mut push = |workers: &mut Vec<App>,
                    ecosystem: Ecosystem,
                    dir: &str,
                    manifest: FileId,
                    dependencies: BTreeSet<String>| {
        if !placed.insert(dir.to_string()) {
            return;
        }
        let mut stacks = vec![Framework::Daemon.id()];
        stacks.extend(stack::other_stacks(ecosystem, |p| dependencies.contains(p)));
        workers.push(App {
            path: if dir.is_empty() {
                ".".to_string()
            } else {
                dir.to_string()
            },
            name: facts.manifest(manifest).and_then(|m| m.name.clone()),
            ecosystem,
            manifest,
            frameworks: vec![Framework::Daemon],
            framework_package: String::new(),
            stacks,
            dependencies,
            related_dirs: Vec::new(),
        });
    };
    let dependencies_of = |ids: &[FileId]| -> BTreeSet<String> {
        ids.iter()
            .filter_map(|id| facts.manifest(*id))
            .flat_map(|m| m.dependencies.keys().cloned())
            .collect()
    };

    // Go: the module's `main` package (at its root or under `cmd/`).
    for id in index.of_kind(FileKind::GoMod) {
        let dir = index.get(*id).dir();
        if !eligible(*id) || taken.contains(dir) || !shipped(dir) {
            continue;
        }
        let runs = go_entry_files(index, dir).any(|(file, _)| {
            facts.code(file).is_some_and(|c| c.mentions("package main"))
                && runs_until_stopped(facts, file)
        });
        if runs {
            push(
                &mut workers,
                Ecosystem::Go,
                dir,
                *id,
                dependencies_of(&[*id]),
            );
        }
    }

    // Rust: a binary crate's `src/main.rs`.
    for id in index.of_kind(FileKind::CargoToml) {
        let dir = index.get(*id).dir();
        if !eligible(*id) || taken.contains(dir) || !shipped(dir) {
            continue;
        }
        let Some(main) = index.find(&join(dir, "src/main.rs")) else {
            continue;
        };
        if runs_until_stopped(facts, main) {
            push(
                &mut workers,
                Ecosystem::Rust,
                dir,
                *id,
                dependencies_of(&[*id]),
            );
        }
    }

    // Python: folders with a manifest, and folders a Dockerfile builds
    // (a bot often has no requirements file: its Dockerfile installs the
    // packages).
    let mut python_dirs: Vec<(String, Vec<FileId>)> = Vec::new();
    for kind in [
        FileKind::Requirements,
        FileKind::PyProject,
        FileKind::Pipfile,
        FileKind::Dockerfile,
    ] {
        for id in index.of_kind(kind) {
            if !eligible(*id) {
                continue;
            }
            let mut dir = index.get(*id).dir().to_string();
            if kind == FileKind::Requirements && dir.rsplit('/').next() == Some("requirements") {
                dir = dir
                    .rsplit_once('/')
                    .map(|(d, _)| d.to_string())
                    .unwrap_or_default();
            }
            let manifest = (kind != FileKind::Dockerfile).then_some(*id);
            match python_dirs.iter_mut().find(|(d, _)| *d == dir) {
                Some((_, ids)) => ids.extend(manifest),
                None => python_dirs.push((dir, manifest.into_iter().collect())),
            }
        }
    }
    for (dir, manifests) in python_dirs {
        if taken.contains(dir.as_str()) || !shipped(&dir) {
            continue;
        }
        // The folder's Python files, found in the kind's list (a Dockerfile
        // folder of a Node service holds none, and is not walked).
        let python_files = index.of_kind_under(FileKind::Source(Lang::Python), &dir);
        let entry = python_files.iter().copied().find(|id| {
            let f = index.get(*id);
            f.dir() == dir
                && eligible(*id)
                && !is_non_product_path(&f.rel)
                && runs_until_stopped(facts, *id)
        });
        if let Some(entry) = entry {
            let manifest = manifests.first().copied().unwrap_or(entry);
            push(
                &mut workers,
                Ecosystem::Python,
                &dir,
                manifest,
                dependencies_of(&manifests),
            );
        }
    }
    workers.sort_by(|a, b| a.path.cmp(&b.path));
    workers
}

/// Folders an operations file in this folder speaks for: its own, and the
/// project above a folder kept for such files (`docker/Dockerfile`,
/// `deploy/app.service` ship the program of the folder above).
const OPS_FOLDERS: &[&str] = &[
    ".docker",
    "deploy",
    "deployment",
    "docker",
    "infra",
    "ops",
    "systemd",
];

/// Folders holding what ships a program to run: a Dockerfile or compose
/// file, a Procfile, a systemd unit (in the folder, or in an operations
/// folder of it).
fn shipping_dirs(index: &Index) -> HashSet<&str> {
    fn add<'a>(dirs: &mut HashSet<&'a str>, dir: &'a str) {
        dirs.insert(dir);
        let (parent, last) = dir.rsplit_once('/').unwrap_or(("", dir));
        if OPS_FOLDERS.contains(&last) {
            dirs.insert(parent);
        }
    }
    let mut dirs: HashSet<&str> = HashSet::new();
    for kind in [
        FileKind::Dockerfile,
        FileKind::Compose,
        FileKind::Deploy(crate::index::DeployKind::Heroku),
    ] {
        for id in index.of_kind(kind) {
            let f = index.get(*id);
            if !f.non_product && !f.test {
                add(&mut dirs, f.dir());
            }
        }
    }
    for f in &index.files {
        if f.rel.ends_with(".service") && !f.non_product {
            add(&mut dirs, f.dir());
        }
    }
    dirs
}

/// What the code of a program that runs until stopped spells, per
/// language (see the module's comment). A program that does its work and
/// returns (a command-line tool, a one-off script) spells none of these.
fn runs_until_stopped(facts: &Facts, id: FileId) -> bool {
    let Some(source) = facts.source_code(id, &[]) else {
        return false;
    };
    let t = &source.tokens;
    let ident =
        |i: usize, w: &str| matches!(t.get(i).map(|s| &s.token), Some(Token::Ident(x)) if x == w);
    let punct =
        |i: usize, c: char| matches!(t.get(i).map(|s| &s.token), Some(Token::Punct(p)) if *p == c);
    let member = |i: usize, owner: &str, name: &str| {
        ident(i, owner) && punct(i + 1, '.') && ident(i + 2, name)
    };
    let method_call =
        |i: usize, name: &str| punct(i, '.') && ident(i + 1, name) && punct(i + 2, '(');
    // A loop without end is a daemon's only when it waits between rounds
    // (`time.Sleep`, a channel receive, `time.sleep`): a `for {}` that
    // reads input until EOF, or a `while True:` that retries until a name
    // is free, is a tool's or a helper's.
    let waits = match source.lang {
        Lang::CLike => {
            (0..t.len()).any(|i| member(i, "time", "Sleep") || (punct(i, '<') && punct(i + 1, '-')))
        }
        Lang::Python => (0..t.len()).any(|i| ident(i, "sleep")),
        _ => true,
    };
    // Python: only a program's entry file (`if __name__ == "__main__"`,
    // or named as one) says what the process does; a module's loop is a
    // helper's.
    if source.lang == Lang::Python
        && !PYTHON_ENTRY_NAMES.contains(&facts.index.get(id).name())
        && !t
            .iter()
            .any(|s| matches!(&s.token, Token::Ident(w) | Token::Str(w) if w == "__main__"))
    {
        return false;
    }
    (0..t.len()).any(|i| match source.lang {
        // Go: `for {` that waits, `select {}`, `signal.Notify`, a ticker,
        // a cron scheduler, a server's `.Serve(`.
        Lang::CLike => {
            (ident(i, "for") && punct(i + 1, '{') && waits)
                || (ident(i, "select") && punct(i + 1, '{') && punct(i + 2, '}'))
                || member(i, "signal", "Notify")
                || member(i, "time", "NewTicker")
                || member(i, "time", "Tick")
                || member(i, "cron", "New")
                || member(i, "gocron", "NewScheduler")
                || method_call(i, "Serve")
        }
        // Rust: `loop {`, a tokio interval, Ctrl-C awaited, a listener.
        Lang::Rust => {
            (ident(i, "loop") && punct(i + 1, '{'))
                || (ident(i, "signal") && punct(i + 1, ':') && ident(i + 3, "ctrl_c"))
                || (ident(i, "time") && punct(i + 1, ':') && ident(i + 3, "interval"))
                || method_call(i, "serve")
        }
        // Python: `while True:`, a bot's polling, a server or event loop
        // run forever, a blocking scheduler.
        Lang::Python => {
            (ident(i, "while") && ident(i + 1, "True") && waits) || python_runs_forever(t, i)
        }
        _ => false,
    })
}

/// Names of Python files that are a program's entry point.
const PYTHON_ENTRY_NAMES: &[&str] = &[
    "__main__.py",
    "main.py",
    "bot.py",
    "worker.py",
    "daemon.py",
    "run.py",
    "app.py",
    "scheduler.py",
    "consumer.py",
];

/// Python calls that block until the process is stopped.
const PYTHON_FOREVER_CALLS: &[&str] = &[
    "start_polling",
    "run_polling",
    "infinity_polling",
    "polling",
    "serve_forever",
    "run_forever",
    "idle",
];

fn python_runs_forever(t: &[Spanned], i: usize) -> bool {
    let is = |j: usize, f: &dyn Fn(&Token) -> bool| t.get(j).is_some_and(|s| f(&s.token));
    (is(
        i,
        &|x| matches!(x, Token::Ident(w) if PYTHON_FOREVER_CALLS.contains(&w.as_str())),
    ) && is(i + 1, &|x| matches!(x, Token::Punct('('))))
        || is(
            i,
            &|x| matches!(x, Token::Ident(w) if w == "BlockingScheduler"),
        )
}
