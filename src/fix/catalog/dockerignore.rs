//! dockerfile-copy-without-dockerignore: a `.dockerignore` at the build
//! context root (or the existing one, completed) that keeps out what the
//! context actually holds: `.git`, each package's `node_modules`,
//! developers' `.env` files (examples stay), Python caches and virtual
//! environments, and the build outputs the image builds itself.
//!
//! Safe: nothing listed is something the Dockerfile copies by name; what
//! it copies from the context (`COPY .env.production …`, a prebuilt
//! `dist/`) is left in.

use crate::facts::dockerfile::Dockerfile;
use crate::facts::dockerignore::DockerIgnore;
use crate::finding::Finding;
use crate::index::FileKind;
use crate::rules::containerization::dockerfiles::{self, copy_parts, Target};
use crate::rules::RepoContext;
use crate::stack::Framework;

use super::cited_files;
use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let Some(rel) = cited_files(finding).first().map(|p| p.to_string()) else {
        return Err("the finding cites no Dockerfile".to_string());
    };
    let targets = dockerfiles::production_dockerfiles(repo);
    let target = targets
        .iter()
        .find(|t| t.rel == rel)
        .ok_or_else(|| format!("{rel} is not a production Dockerfile any more"))?;
    let beside = format!("{rel}.dockerignore");
    let path = if b.exists(&beside) {
        beside
    } else {
        target.in_context(".dockerignore")
    };
    // The Dockerfile as this run leaves it (an env file's COPY removed).
    let current_file = b
        .read(&rel)
        .and_then(|t| crate::facts::dockerfile::Dockerfile::parse(&t).ok());
    let file = current_file.as_ref().unwrap_or(target.file);
    let wanted = patterns(repo, target, file);
    let current = b.read(&path);
    let ignore = current.as_deref().map(DockerIgnore::parse);
    let missing: Vec<&Pattern> = wanted
        .iter()
        .filter(|p| {
            ignore.as_ref().is_none_or(|i| {
                if p.line.starts_with('!') {
                    // Re-included only what was in the context before: an
                    // example the project excludes on purpose stays out.
                    p.samples.iter().any(|s| !i.excludes(s))
                } else {
                    p.samples.iter().any(|s| !i.excludes(s))
                }
            })
        })
        .collect();
    if missing.is_empty() {
        return Err(format!(
            "{path} already keeps out what seaworthy would add: the finding needs a look by hand"
        ));
    }
    if target.context.is_empty() && runs_git(file) {
        b.plan.not_wired = Some(
            "the build runs git, so `.git` stays in the build context: copy only what the build needs, or pass the version as a build argument and exclude `.git`".to_string(),
        );
    }
    let mut block = String::new();
    let mut last_why = "";
    for p in missing {
        if p.why != last_why {
            block.push_str(&format!("# {}\n", p.why));
            last_why = p.why;
        }
        block.push_str(&p.line);
        block.push('\n');
    }
    match current {
        None => b.create(&path, block, false),
        Some(text) => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            b.modify(
                &path,
                format!("{text}{sep}\n# added by seaworthy fix\n{block}"),
            );
        }
    }
    Ok(())
}

/// One `.dockerignore` line, why it is there, and paths it must match
/// (an exclusion) or must not (a `!` re-inclusion).
struct Pattern {
    line: String,
    why: &'static str,
    samples: Vec<String>,
}

fn patterns(repo: &RepoContext, target: &Target, file: &Dockerfile) -> Vec<Pattern> {
    let context = target.context.as_str();
    let prefix = if context.is_empty() {
        String::new()
    } else {
        format!("{context}/")
    };
    let files = repo.index.under(context);
    let relative = |dir: &str| -> String {
        if dir == context {
            String::new()
        } else {
            dir.strip_prefix(&prefix).unwrap_or(dir).to_string()
        }
    };
    let sample = |dir: &str, rest: &str| crate::apps::join(dir, rest);
    // What the Dockerfile names in the context: never excluded.
    let copied: Vec<String> = file
        .stages
        .iter()
        .flat_map(|s| s.instructions.iter())
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
        .flat_map(|i| copy_parts(i).0)
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
        .collect();
    let copies = |name: &str| {
        copied.iter().any(|c| {
            c == name || c.starts_with(&format!("{name}/")) || c.ends_with(&format!("/{name}"))
        })
    };
    let runs = |word: &str| runs_word(file, word);
    let mut out = Vec::new();
    // The history: the final image must not carry it; a build that reads
    // it (a version stamp from `git describe`) keeps it.
    if context.is_empty() && !runs_git(file) && !copies(".git") {
        out.push(Pattern {
            line: ".git".into(),
            why: "version control: the history stays out of the image",
            samples: vec![".git/objects/pack/x.pack".into()],
        });
    }
    let mut node_dirs: Vec<String> = files
        .iter()
        .filter(|f| f.kind == Some(FileKind::PackageJson) && !f.non_product)
        .map(|f| relative(f.dir()))
        .collect();
    node_dirs.sort();
    node_dirs.dedup();
    if !node_dirs.is_empty() && !copies("node_modules") {
        out.push(Pattern {
            line: "**/node_modules".into(),
            why: "dependencies are installed in the image, for its OS",
            samples: node_dirs
                .iter()
                .map(|d| sample(d, "node_modules/pkg/index.js"))
                .collect(),
        });
    }
    let mut env_dirs: Vec<String> = files
        .iter()
        .filter(|f| f.kind == Some(FileKind::EnvExample))
        .map(|f| relative(f.dir()))
        .chain(std::iter::once(String::new()))
        .collect();
    env_dirs.sort();
    env_dirs.dedup();
    let copied_env: Vec<&String> = copied
        .iter()
        .filter(|c| {
            let name = c.rsplit('/').next().unwrap_or(c);
            name == ".env" || name.starts_with(".env.")
        })
        .collect();
    out.push(Pattern {
        line: "**/.env".into(),
        why: "developers' env files: configuration comes at run time",
        samples: env_dirs.iter().map(|d| sample(d, ".env")).collect(),
    });
    out.push(Pattern {
        line: "**/.env.*".into(),
        why: "developers' env files: configuration comes at run time",
        samples: env_dirs.iter().map(|d| sample(d, ".env.local")).collect(),
    });
    let mut examples: Vec<String> = files
        .iter()
        .filter(|f| f.kind == Some(FileKind::EnvExample))
        .filter_map(|f| f.rel.rsplit('/').next().map(str::to_string))
        .filter(|n| n.starts_with(".env."))
        .collect();
    examples.sort();
    examples.dedup();
    for name in examples {
        out.push(Pattern {
            samples: env_dirs.iter().map(|d| sample(d, &name)).collect(),
            line: format!("!**/{name}"),
            why: "the examples document the variables and hold no secret",
        });
    }
    // Committed env files (`.env.production` with the public values a
    // Next.js build inlines) are in git already and may be read by the
    // build; what the Dockerfile copies by name goes in too
    // (dockerfile-copies-env-file reports that on its own).
    let committed_env: Vec<String> = files
        .iter()
        .filter(|f| f.kind == Some(FileKind::EnvFile))
        .map(|f| f.rel.strip_prefix(&prefix).unwrap_or(&f.rel).to_string())
        .filter(|r| r.rsplit('/').next().is_some_and(|n| n != ".env"))
        .collect();
    for c in committed_env.iter().chain(copied_env) {
        out.push(Pattern {
            line: format!("!{c}"),
            why: "committed, or copied by name in the Dockerfile",
            samples: vec![c.clone()],
        });
    }
    let python = files.iter().any(|f| {
        matches!(
            f.rel.rsplit('/').next(),
            Some("requirements.txt" | "pyproject.toml" | "Pipfile" | "setup.py")
        )
    });
    if python {
        for (line, s) in [
            ("**/__pycache__", "pkg/__pycache__/m.pyc"),
            (".venv", ".venv/bin/python"),
        ] {
            if !copies(line.trim_start_matches("**/")) {
                out.push(Pattern {
                    line: line.into(),
                    why: "Python caches and the host's virtual environment",
                    samples: vec![s.into()],
                });
            }
        }
    }
    // Build outputs the image builds itself.
    let next = repo.apps.iter().any(|a| {
        a.framework() == Framework::NextJs
            && (context.is_empty() || a.dir() == context || a.dir().starts_with(&prefix))
    });
    if next && !copies(".next") {
        out.push(Pattern {
            line: "**/.next".into(),
            why: "build outputs: the image builds its own",
            samples: vec![".next/cache/x".into()],
        });
    }
    if runs("run build") || runs("npm run") && runs("build") {
        for dir in ["dist", "build", "coverage"] {
            // A folder with committed files is source, not output.
            let committed = files
                .iter()
                .any(|f| f.rel.starts_with(&format!("{prefix}{dir}/")));
            if !copies(dir) && !committed {
                out.push(Pattern {
                    line: dir.into(),
                    why: "build outputs: the image builds its own",
                    samples: vec![format!("{dir}/x")],
                });
            }
        }
    }
    let mut seen: Vec<String> = Vec::new();
    out.retain(|p| {
        let new = !seen.contains(&p.line);
        seen.push(p.line.clone());
        new
    });
    out
}

/// Whether a `RUN` of the Dockerfile mentions `word`.
fn runs_word(file: &Dockerfile, word: &str) -> bool {
    file.stages
        .iter()
        .flat_map(|s| s.all("RUN"))
        .any(|i| i.args.contains(word))
}

/// Whether the build reads the repository's history (`git describe`, a
/// version stamp): then `.git` must stay in the context.
fn runs_git(file: &Dockerfile) -> bool {
    file.stages.iter().flat_map(|s| s.all("RUN")).any(|i| {
        // `git` where a command starts (not the `git` package of
        // `apk add git`), or a path into `.git`.
        let words = crate::facts::dockerfile::shell_words(&i.args);
        words.iter().enumerate().any(|(n, w)| {
            w == "git"
                && (n == 0
                    || words[n - 1].ends_with(';')
                    || matches!(
                        words[n - 1].as_str(),
                        "&&" | "||" | "|" | "then" | "do" | "exec"
                    ))
        }) || i.args.contains(".git")
    })
}
