//! dockerfile-runs-as-root: the image stage ends with a non-root `USER`
//! given as a numeric uid:gid (so Kubernetes' `runAsNonRoot` can verify
//! it), after every build step, with the app folder owned by that user.
//!
//! - `node` images ship the `node` user (uid 1000): it is used as is;
//! - Debian/Ubuntu-based images get a system user `app` (uid 10001,
//!   `useradd --no-log-init`), Alpine ones the BusyBox `adduser -S`
//!   equivalent; distroless images their `nonroot` user (65532), `scratch`
//!   a bare uid;
//! - ownership: when build steps run in the stage after its files are
//!   copied (an install, a build) the app folder (`WORKDIR`) is chowned
//!   once; otherwise the copies get `--chown` and no layer is duplicated.
//!
//! Unsafe: files the process writes outside its folder, ports below 1024
//! on old runtimes and entrypoints that expect root can break.

use crate::facts::dockerfile::{Dockerfile, Instruction, Stage};
use crate::finding::Finding;
use crate::rules::containerization::dockerfile_runs_as_root::split_tag;
use crate::rules::containerization::dockerfiles::{base_image, copy_parts};
use crate::rules::RepoContext;

use super::lines::{LineEdits, Text};
use super::{cited_text, dockerfile_anchors, relocated_line};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "Dockerfile")?;
    let line = relocated_line(b, finding, &path, &text, dockerfile_anchors)?;
    let fixed = fix_text(&text, line)?;
    b.modify(&path, fixed.text);
    b.assume(fixed.assumption);
    b.manual("Check that the app writes only inside its folder (uploads, caches, logs): anything else it writes now needs a folder the new user owns, or a volume.");
    Ok(())
}

pub struct Fixed {
    pub text: String,
    pub assumption: String,
}

/// How a base image gets a non-root user.
enum UserSource {
    /// The image has one: (uid, name).
    Existing(u32, &'static str),
    /// Created with `useradd` (Debian, Ubuntu) or BusyBox `adduser`.
    Debian,
    Alpine,
    /// No shell: a bare uid.
    Bare(u32),
}

/// Official images built on Debian or Ubuntu (their `-alpine` tags aside).
const DEBIAN_FAMILY: &[&str] = &[
    "buildpack-deps",
    "debian",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "gradle",
    "golang",
    "haskell",
    "maven",
    "openjdk",
    "perl",
    "php",
    "python",
    "r-base",
    "ruby",
    "rust",
    "sapmachine",
    "swift",
    "ubuntu",
];

fn user_source(image: &str) -> Option<UserSource> {
    let lower = image.to_ascii_lowercase();
    let (name, tag) = split_tag(&lower);
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    if name == "node" {
        return Some(UserSource::Existing(1000, "node"));
    }
    if name == "scratch" {
        return Some(UserSource::Bare(10001));
    }
    if name.starts_with("gcr.io/distroless/") {
        return Some(UserSource::Existing(65532, "nonroot"));
    }
    if name == "alpine" || tag.contains("alpine") {
        return Some(UserSource::Alpine);
    }
    DEBIAN_FAMILY.contains(&name).then_some(UserSource::Debian)
}

pub fn fix_text(text: &str, cited_line: u32) -> Result<Fixed, String> {
    let file = Dockerfile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    // The stage the cited line is in (its FROM or its `USER root`).
    let index = file
        .stages
        .iter()
        .rposition(|s| s.from.line <= cited_line)
        .ok_or_else(|| "the cited line is before the first FROM".to_string())?;
    let stage = &file.stages[index];
    let image = base_image(&file, index);
    let source = user_source(image).ok_or_else(|| {
        format!("no known way to create a user on `{image}`: add a non-root USER by hand")
    })?;
    let (uid, name_note) = match source {
        UserSource::Existing(uid, name) => {
            (uid, format!("the base image's `{name}` user (uid {uid})"))
        }
        UserSource::Debian | UserSource::Alpine => (
            10001,
            "a system user `app` (uid 10001) created in the image".to_string(),
        ),
        UserSource::Bare(uid) => (uid, format!("uid {uid} (the image has no user database)")),
    };
    let owner = format!("{uid}:{uid}");
    let workdir = chain_workdir(&file, index);
    let build = |i: &Instruction| {
        matches!(
            i.keyword.as_str(),
            "RUN" | "COPY" | "ADD" | "WORKDIR" | "USER"
        )
    };
    let last_build = stage.instructions.iter().rposition(build);
    let first_copy = stage
        .instructions
        .iter()
        .position(|i| i.keyword == "COPY" || i.keyword == "ADD");
    // Build steps after the first copy write into the app folder as root.
    let runs_after_copy =
        first_copy.is_some_and(|c| stage.instructions[c..].iter().any(|i| i.keyword == "RUN"));
    let can_run = matches!(
        source,
        UserSource::Debian | UserSource::Alpine | UserSource::Existing(1000, _)
    );
    let mut edits = LineEdits::default();
    let mut block: Vec<String> = Vec::new();
    let mut commands: Vec<String> = Vec::new();
    match source {
        UserSource::Debian => commands.push(format!(
            "groupadd --system --gid {uid} app \\\n && useradd --system --no-log-init --uid {uid} --gid app --no-create-home app"
        )),
        UserSource::Alpine => commands.push(format!(
            "addgroup -S -g {uid} app \\\n && adduser -S -D -H -u {uid} -G app app"
        )),
        _ => {}
    }
    let chown_all =
        runs_after_copy && can_run && workdir.as_deref().is_some_and(|w| !w.contains('$'));
    if chown_all {
        commands.push(format!(
            "chown -R {owner} {}",
            workdir.as_deref().unwrap_or_default()
        ));
    } else {
        // Each copy into the image hands its files to the user.
        for inst in stage.instructions.iter().filter(|i| {
            (i.keyword == "COPY" || i.keyword == "ADD")
                && i.flag("chown").is_none()
                && i.heredocs.is_empty()
        }) {
            let (_, dest) = copy_parts(inst);
            // Only the app's folder is the user's: a binary copied to
            // /usr/local/bin stays root's, so the process cannot rewrite it.
            let in_app = !dest.is_empty()
                && (!dest.starts_with('/')
                    || workdir.as_deref().is_some_and(|w| {
                        let w = w.trim_end_matches('/');
                        !w.is_empty()
                            && (dest.trim_end_matches('/') == w
                                || dest.starts_with(&format!("{w}/")))
                    }));
            if !in_app {
                continue;
            }
            let Some(l) = lines.line(inst.line) else {
                continue;
            };
            let Some(at) = l
                .find(&inst.keyword)
                .or_else(|| l.to_ascii_uppercase().find(&inst.keyword))
            else {
                continue;
            };
            let end = at + inst.keyword.len();
            edits.replace(
                inst.line,
                vec![format!("{} --chown={owner}{}", &l[..end], &l[end..])],
            );
        }
    }
    // hadolint's DL3059: a RUN right after a shell-form RUN joins it.
    let joinable = last_build
        .map(|i| &stage.instructions[i])
        .filter(|i| i.keyword == "RUN" && i.exec_form.is_none() && i.heredocs.is_empty())
        .and_then(|i| {
            let mut end = i.line;
            while lines
                .line(end)
                .is_some_and(|l| l.trim_end().ends_with('\\'))
            {
                end += 1;
            }
            lines
                .line(end)
                .filter(|l| {
                    // `cmd; && chown` is a syntax error: such a RUN stays alone.
                    let t = l.trim_end();
                    !l.contains('#') && !t.is_empty() && !t.ends_with([';', '&', '|'])
                })
                .map(|l| (end, l))
        });
    match joinable {
        Some((end, last)) if !commands.is_empty() => {
            let mut joined = vec![format!("{} \\", last.trim_end())];
            joined.extend(
                commands
                    .join(" \\\n && ")
                    .split('\n')
                    .enumerate()
                    .map(|(n, l)| {
                        if n == 0 {
                            format!(" && {l}")
                        } else {
                            l.to_string()
                        }
                    }),
            );
            edits.replace(end, joined);
        }
        _ if !commands.is_empty() => {
            block.push(format!("RUN {}", commands.join(" \\\n && ")));
        }
        _ => {}
    }
    block.push(format!("USER {owner}"));
    let block: Vec<String> = block
        .iter()
        .flat_map(|b| b.split('\n').map(str::to_string).collect::<Vec<_>>())
        .collect();
    // After the last build step: before the instruction that follows it
    // (and the comments above that), or at the end of the stage.
    let next = last_build
        .and_then(|i| stage.instructions.get(i + 1))
        .or_else(|| {
            if last_build.is_none() {
                stage.instructions.first()
            } else {
                None
            }
        })
        .map(|i| i.line)
        .or_else(|| file.stages.get(index + 1).map(|s| s.from.line));
    match next {
        Some(mut at) => {
            while at > 1
                && lines
                    .line(at - 1)
                    .is_some_and(|l| l.trim_start().starts_with('#'))
            {
                at -= 1;
            }
            let original = lines.line(at).unwrap_or_default().to_string();
            let mut with = block;
            with.push(original);
            edits.replace(at, with);
        }
        None => {
            let last = (1..=lines.len())
                .rev()
                .find(|n| lines.line(*n).is_some_and(|l| !l.trim().is_empty()))
                .unwrap_or(1);
            edits.insert_after(last, block);
        }
    }
    Ok(Fixed {
        text: edits.apply(text),
        assumption: format!("the image runs as {name_note}"),
    })
}

/// The last `WORKDIR` of a stage or the stages it is built on.
fn chain_workdir(file: &Dockerfile, index: usize) -> Option<String> {
    crate::rules::containerization::dockerfiles::chain(file, index)
        .into_iter()
        .find_map(|i| {
            let stage: &Stage = &file.stages[i];
            stage
                .all("WORKDIR")
                .last()
                .map(|w| w.args.trim().to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_image_uses_its_node_user_and_owns_the_app_folder() {
        let text = "FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n# start\nCMD [\"node\", \"server.js\"]\n";
        let fixed = fix_text(text, 1).expect("fixed");
        assert_eq!(
            fixed.text,
            "FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nRUN chown -R 1000:1000 /app\nUSER 1000:1000\n# start\nCMD [\"node\", \"server.js\"]\n"
        );
        // Right after a RUN (hadolint DL3059): joined to it.
        let text = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n    --omit=dev\nCMD [\"node\", \"server.js\"]\n";
        let fixed = fix_text(text, 1).expect("fixed");
        assert_eq!(
            fixed.text,
            "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n    --omit=dev \\\n && chown -R 1000:1000 /app\nUSER 1000:1000\nCMD [\"node\", \"server.js\"]\n"
        );
    }

    #[test]
    fn copies_get_chown_when_nothing_runs_after_them() {
        let text = "FROM golang:1.23 AS build\nRUN go build -o /out/app .\n\nFROM debian:12-slim\nWORKDIR /srv\nCOPY --from=build /out/app ./app\nEXPOSE 8080\nENTRYPOINT [\"./app\"]\n";
        let fixed = fix_text(text, 4).expect("fixed");
        assert_eq!(
            fixed.text,
            "FROM golang:1.23 AS build\nRUN go build -o /out/app .\n\nFROM debian:12-slim\nWORKDIR /srv\nCOPY --chown=10001:10001 --from=build /out/app ./app\nRUN groupadd --system --gid 10001 app \\\n && useradd --system --no-log-init --uid 10001 --gid app --no-create-home app\nUSER 10001:10001\nEXPOSE 8080\nENTRYPOINT [\"./app\"]\n"
        );
        let alpine = fix_text("FROM python:3.12-alpine\nCOPY app.py /usr/local/bin/app.py\nCMD [\"python\", \"/usr/local/bin/app.py\"]", 1)
            .expect("fixed");
        assert!(
            alpine
                .text
                .contains("adduser -S -D -H -u 10001 -G app app\nUSER 10001:10001\nCMD"),
            "{}",
            alpine.text
        );
        assert!(
            alpine.text.contains("COPY app.py /usr/local/bin/app.py\n"),
            "a system path stays root's: {}",
            alpine.text
        );
        assert!(fix_text("FROM mcr.microsoft.com/java:8\nCMD x\n", 1).is_err());
    }
}
