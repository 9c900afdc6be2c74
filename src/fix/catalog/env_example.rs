//! The env example a fix documents new variables in: the folder's existing
//! one (`.env.example`, `env.sample`, …), or a new `.env.example`.

use crate::facts::env_file::EnvFile;
use crate::index::{self, FileKind};
use crate::rules::RepoContext;

use crate::fix::Builder;

/// The env example of a folder ("" for the root): the repository's, or
/// the one this run creates.
pub fn path_for(repo: &RepoContext, dir: &str) -> String {
    let join = |name: &str| {
        if dir.is_empty() || dir == "." {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    repo.in_dir(FileKind::EnvExample, dir)
        .into_iter()
        .map(|id| repo.rel(id).to_string())
        .filter(|rel| {
            rel.rsplit('/')
                .next()
                .is_some_and(|name| index::classify(name) == Some(FileKind::EnvExample))
        })
        .min_by_key(|rel| {
            (
                !rel.ends_with("/.env.example") && rel != ".env.example",
                rel.clone(),
            )
        })
        .unwrap_or_else(|| join(".env.example"))
}

/// Appends `NAME=value` lines (each after its comment) for the variables
/// the example does not list yet, set or commented out. Idempotent.
pub fn add(b: &mut Builder, path: &str, vars: &[(String, String, String)]) {
    let current = b.read(path);
    let listed = current.as_deref().map(EnvFile::parse);
    let known = |name: &str| {
        listed.as_ref().is_some_and(|env| {
            env.vars.iter().any(|v| v.name == name) || env.commented.iter().any(|c| c == name)
        })
    };
    let mut block = String::new();
    for (name, value, comment) in vars {
        if known(name) || block.contains(&format!("\n{name}=")) {
            continue;
        }
        block.push_str(&format!("\n# {comment}\n{name}={value}\n"));
    }
    if block.is_empty() {
        return;
    }
    match current {
        Some(text) => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            b.modify(path, format!("{text}{sep}{block}"));
        }
        None => b.create(path, block.trim_start().to_string(), false),
    }
}
