//! dockerfile-install-ignores-lockfile: each loose install of the cited
//! Dockerfile becomes the frozen one — `npm install` → `npm ci`, `yarn` →
//! `yarn --frozen-lockfile` (`--immutable` on Yarn ≥2), `pnpm
//! install` / `bun install` → `… --frozen-lockfile` — and when the lockfile
//! is not copied into the image before the install, it is added to the
//! `COPY` that brings `package.json`.
//!
//! Only the words of the install change: its other flags (`--omit=dev`,
//! `--legacy-peer-deps`) stay, and so does everything else on the line.
//! Unsafe: the build now fails when the lockfile is out of date with
//! `package.json`, where it used to resolve new versions and go on.

use crate::facts::dockerfile::Dockerfile;
use crate::facts::shell::ShellScript;
use crate::finding::Finding;
use crate::rules::containerization::dockerfile_install_ignores_lockfile::{
    copies, loose_install, stage_sets_ci, Manager,
};
use crate::rules::containerization::dockerfiles::{chain, copy_parts, production_dockerfiles};
use crate::rules::RepoContext;

use super::cited_text;
use super::lines::{LineEdits, Text};
use crate::fix::Builder;

/// What the build context holds that decides the frozen install.
#[derive(Default)]
pub struct Project {
    /// Lockfiles present, as the Dockerfile's `COPY` names them (relative
    /// to the build context).
    pub lockfiles: Vec<String>,
    /// Yarn ≥2 (`.yarnrc.yml`, or `packageManager: yarn@2+`).
    pub yarn_berry: bool,
}

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "Dockerfile")?;
    let target = production_dockerfiles(repo)
        .into_iter()
        .find(|t| t.rel == path)
        .ok_or_else(|| format!("{path} is not a production Dockerfile any more"))?;
    let mut project = Project::default();
    for manager in [Manager::Npm, Manager::Yarn, Manager::Pnpm, Manager::Bun] {
        for name in manager.lockfiles() {
            if b.exists(&target.in_context(name)) {
                project.lockfiles.push(name.to_string());
            }
        }
    }
    let manifest = b
        .read(&target.in_context("package.json"))
        .unwrap_or_default();
    let package_manager = serde_json::from_str::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|v| v.get("packageManager")?.as_str().map(str::to_string))
        .unwrap_or_default();
    project.yarn_berry = b.exists(&target.in_context(".yarnrc.yml"))
        || package_manager
            .strip_prefix("yarn@")
            .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
            .is_some_and(|major| major >= 2);
    let (after, notes) = fix_text(&text, &project)?;
    b.modify(&path, after);
    for note in notes {
        b.manual(note);
    }
    b.manual("If the build now fails with \"lockfile out of date\", run the install locally and commit the updated lockfile.");
    Ok(())
}

/// The Dockerfile with every loose install frozen (and the lockfile copied
/// before it); notes for the report.
pub fn fix_text(text: &str, project: &Project) -> Result<(String, Vec<String>), String> {
    let file = Dockerfile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let mut edits = LineEdits::default();
    let mut notes = Vec::new();
    // Instruction lines, to know where each instruction ends.
    let mut starts: Vec<u32> = file
        .stages
        .iter()
        .flat_map(|s| std::iter::once(s.from.line).chain(s.instructions.iter().map(|i| i.line)))
        .collect();
    starts.sort_unstable();
    let end_of = |line: u32| {
        starts
            .iter()
            .find(|l| **l > line)
            .map_or(lines.len(), |l| l - 1)
    };
    let mut copy_added: Vec<u32> = Vec::new();
    for (stage_idx, stage) in file.stages.iter().enumerate() {
        let stages = chain(&file, stage_idx);
        let ci = stage_sets_ci(&file, stage_idx);
        for inst in stage.all("RUN") {
            if inst.exec_form.is_some() || !inst.heredocs.is_empty() {
                continue;
            }
            let mut managers: Vec<Manager> = Vec::new();
            for n in inst.line..=end_of(inst.line) {
                let Some(line) = lines.line(n) else { continue };
                let continued = (n + 1..=end_of(inst.line))
                    .filter_map(|m| lines.line(m))
                    .collect::<Vec<_>>();
                if let Some((new_line, found)) = freeze_line(line, &continued, ci, project)? {
                    edits.replace(n, vec![new_line]);
                    managers.extend(found);
                }
            }
            for manager in managers {
                let Some(lockfile) = project
                    .lockfiles
                    .iter()
                    .find(|l| manager.lockfiles().contains(&l.as_str()))
                else {
                    return Err(format!(
                        "line {}: the build context has no lockfile for this install",
                        inst.line
                    ));
                };
                let earlier = |i: usize| {
                    file.stages[i].instructions.iter().filter(move |c| {
                        (c.keyword == "COPY" || c.keyword == "ADD")
                            && c.flag("from").is_none()
                            && (i != stage_idx || c.line < inst.line)
                    })
                };
                let copied = stages.iter().any(|i| {
                    earlier(*i).any(|c| copy_parts(c).0.iter().any(|s| copies(s, lockfile)))
                });
                if copied {
                    continue;
                }
                // The COPY that brings package.json gets the lockfile too.
                let Some(copy) = stages.iter().flat_map(|i| earlier(*i)).rfind(|c| {
                    copy_parts(c)
                        .0
                        .iter()
                        .any(|s| s.trim_start_matches("./") == "package.json")
                }) else {
                    return Err(format!(
                        "line {}: {lockfile} is not copied before the install and no `COPY package.json` is there to add it to",
                        inst.line
                    ));
                };
                if copy_added.contains(&copy.line) {
                    continue;
                }
                let old = lines.line(copy.line).unwrap_or_default();
                let new = add_source(old, lockfile).ok_or_else(|| {
                    format!(
                        "line {}: add {lockfile} to this COPY by hand (it spans lines or uses the JSON form)",
                        copy.line
                    )
                })?;
                edits.replace(copy.line, vec![new]);
                copy_added.push(copy.line);
                notes.push(format!(
                    "{lockfile} is now copied with package.json (line {}): check that .dockerignore does not exclude it.",
                    copy.line
                ));
            }
        }
    }
    if edits.is_empty() {
        return Err("no loose install left in the file".to_string());
    }
    Ok((edits.apply(text), notes))
}

/// `COPY package.json ./` → `COPY package.json package-lock.json ./`.
fn add_source(line: &str, lockfile: &str) -> Option<String> {
    if line.trim_end().ends_with('\\') || line.contains('[') {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_start_matches("./") == "package.json")?;
    let prefix = if words[at].starts_with("./") {
        "./"
    } else {
        ""
    };
    let mut out = words[..=at].to_vec();
    let source = format!("{prefix}{lockfile}");
    out.push(&source);
    out.extend_from_slice(&words[at + 1..]);
    let indent = &line[..line.len() - line.trim_start().len()];
    Some(format!("{indent}{}", out.join(" ")))
}

const OPERATORS: &[&str] = &["&&", "||", ";", "|", ")"];

/// One physical line of a RUN with its loose installs frozen; `None` when
/// it has none. `continued` are the instruction's lines after it (an
/// install's arguments may go on there).
fn freeze_line(
    line: &str,
    continued: &[&str],
    ci: bool,
    project: &Project,
) -> Result<Option<(String, Vec<Manager>)>, String> {
    let mut out = String::with_capacity(line.len() + 24);
    let mut found = Vec::new();
    let mut rest = line;
    while let Some((at, word)) = next_manager(rest) {
        let start = at + word.len();
        // The command: to the first operator, over continuation lines.
        let own = &rest[start..];
        let cut = OPERATORS
            .iter()
            .filter_map(|o| own.find(o))
            .min()
            .unwrap_or(own.len());
        let mut command = format!("{word}{}", &own[..cut]);
        if cut == own.len() && command.trim_end().ends_with('\\') {
            for more in continued {
                let more_cut = OPERATORS
                    .iter()
                    .filter_map(|o| more.find(o))
                    .min()
                    .unwrap_or(more.len());
                command = format!(
                    "{} {}",
                    command.trim_end().trim_end_matches('\\'),
                    &more[..more_cut]
                );
                if more_cut < more.len() || !more.trim_end().ends_with('\\') {
                    break;
                }
            }
        }
        let command = command.trim_end().trim_end_matches('\\').to_string();
        let parsed = ShellScript::parse(&command)
            .ok()
            .and_then(|s| s.commands.into_iter().next());
        let manager = parsed.as_ref().and_then(|c| loose_install(c, ci));
        let Some(manager) = manager else {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            continue;
        };
        // The subcommand word, on this line.
        let segment = &rest[start..start + cut];
        let sub = segment
            .split_whitespace()
            .find(|w| !w.starts_with('-'))
            .filter(|w| *w != "\\");
        let frozen_flag = match manager {
            Manager::Yarn if project.yarn_berry => "--immutable",
            _ => "--frozen-lockfile",
        };
        let (replaced, taken) = match (manager, sub) {
            (Manager::Npm, Some(sub)) => {
                let sub_at = segment.find(sub).unwrap_or(0);
                (
                    format!("{word}{}ci", &segment[..sub_at]),
                    start + sub_at + sub.len(),
                )
            }
            // Bare `yarn` takes the install's flags; spelling out `install`
            // would also make hadolint ask for `yarn cache clean` (DL3060).
            (Manager::Yarn, None) => (format!("{word} {frozen_flag}"), start),
            (_, Some(sub)) => {
                let sub_at = segment.find(sub).unwrap_or(0);
                (
                    format!("{word}{}{sub} {frozen_flag}", &segment[..sub_at]),
                    start + sub_at + sub.len(),
                )
            }
            (_, None) => {
                return Err(format!(
                    "`{command}`: its subcommand is on another line: freeze it by hand"
                ))
            }
        };
        out.push_str(&rest[..at]);
        out.push_str(&replaced);
        rest = &rest[taken..];
        found.push(manager);
    }
    if found.is_empty() {
        return Ok(None);
    }
    out.push_str(rest);
    Ok(Some((out, found)))
}

/// The next `npm`/`yarn`/`pnpm`/`bun` word in a line: (offset, word).
fn next_manager(text: &str) -> Option<(usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut best: Option<(usize, &'static str)> = None;
    for word in ["npm", "yarn", "pnpm", "bun"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(word) {
            let at = from + i;
            let end = at + word.len();
            let before_ok = at == 0
                || matches!(
                    bytes[at - 1],
                    b' ' | b'\t' | b'(' | b';' | b'&' | b'|' | b'/'
                );
            let after_ok = end == bytes.len() || matches!(bytes[end], b' ' | b'\t' | b';');
            if before_ok && after_ok {
                if best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, word));
                }
                break;
            }
            from = end;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npm() -> Project {
        Project {
            lockfiles: vec!["package-lock.json".to_string()],
            yarn_berry: false,
        }
    }

    #[test]
    fn installs_are_frozen_and_the_lockfile_copied() {
        let text = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json ./\nRUN npm install --omit=dev && npm install -g pm2\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
        let (out, notes) = fix_text(text, &npm()).expect("fixed");
        assert_eq!(out, "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev && npm install -g pm2\nCOPY . .\nCMD [\"node\", \"server.js\"]\n");
        assert_eq!(notes.len(), 1);
        assert!(
            fix_text(&out, &npm()).is_err(),
            "a second time: nothing left"
        );
    }

    #[test]
    fn yarn_pnpm_and_continued_lines() {
        let yarn = Project {
            lockfiles: vec!["yarn.lock".to_string()],
            yarn_berry: false,
        };
        let text = "FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn && \\\n    yarn build\n";
        let (out, _) = fix_text(text, &yarn).expect("fixed");
        assert!(
            out.contains("RUN yarn --frozen-lockfile && \\\n    yarn build\n"),
            "{out}"
        );
        let berry = Project {
            yarn_berry: true,
            ..yarn
        };
        let (out, _) =
            fix_text("FROM node:20\nCOPY . .\nRUN yarn install\n", &berry).expect("fixed");
        assert!(out.ends_with("RUN yarn install --immutable\n"), "{out}");
        let pnpm = Project {
            lockfiles: vec!["pnpm-lock.yaml".to_string()],
            yarn_berry: false,
        };
        let text = "FROM node:20\nCOPY . .\nRUN corepack enable && \\\n    pnpm install \\\n      --prod\n";
        let (out, _) = fix_text(text, &pnpm).expect("fixed");
        assert!(
            out.contains("    pnpm install --frozen-lockfile \\\n      --prod\n"),
            "{out}"
        );
        // `npm install sharp` names a package: not a lockfile install.
        assert!(fix_text("FROM node:20\nCOPY . .\nRUN npm install sharp\n", &npm()).is_err());
    }
}
