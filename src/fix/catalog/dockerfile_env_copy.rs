//! dockerfile-copies-env-file: the env file goes out of the `COPY` that
//! takes it into the image — the whole instruction when it copies nothing
//! else, only that source otherwise. The container gets its environment at
//! run time instead.
//!
//! Unsafe: an app that reads the file at start-up (dotenv) loses those
//! values until the deployment provides them.

use crate::facts::dockerfile::{shell_words, Dockerfile};
use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{LineEdits, Text};
use super::{cited_text, dockerfile_anchors, relocated_line};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "Dockerfile")?;
    let line = relocated_line(b, finding, &path, &text, dockerfile_anchors)?;
    let (after, removed) = fix_text(&text, line)?;
    b.modify(&path, after);
    b.manual(format!(
        "Give the container the values {removed} held at run time (the orchestrator's secrets, `docker run --env-file`, compose `env_file:`), and rotate any secret that went into an image."
    ));
    Ok(())
}

/// The Dockerfile without the env file source of the `COPY` on `line`;
/// the source removed.
pub fn fix_text(text: &str, line: u32) -> Result<(String, String), String> {
    let file = Dockerfile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let inst = file
        .stages
        .iter()
        .flat_map(|s| s.instructions.iter())
        .find(|i| i.line == line && (i.keyword == "COPY" || i.keyword == "ADD"))
        .ok_or_else(|| "the cited COPY is not there any more".to_string())?;
    let lines = Text::new(text);
    let written = lines.line(line).unwrap_or_default();
    if written.trim_end().ends_with('\\') || inst.exec_form.is_some() {
        return Err("the COPY spans several lines or uses the JSON form: remove the env file from it by hand".to_string());
    }
    let words = shell_words(&inst.args);
    let Some((dest, sources)) = words.split_last() else {
        return Err("the COPY names no source".to_string());
    };
    let is_env = |s: &str| {
        let name = s.trim_end_matches('/').rsplit('/').next().unwrap_or(s);
        (name == ".env" || name.starts_with(".env"))
            && !name.contains("example")
            && !name.contains("sample")
            && !name.contains("template")
    };
    let (env, kept): (Vec<&String>, Vec<&String>) = sources.iter().partition(|s| is_env(s));
    let Some(removed) = env.first().map(|s| s.to_string()) else {
        return Err("the COPY names no env file any more".to_string());
    };
    let mut edits = LineEdits::default();
    if kept.is_empty() {
        edits.replace(line, Vec::new());
    } else {
        // The keyword and flags as written, then the remaining sources.
        let at = written
            .find(inst.args.split_whitespace().next().unwrap_or_default())
            .unwrap_or(written.len());
        let kept: Vec<&str> = kept.iter().map(|s| s.as_str()).collect();
        edits.replace(
            line,
            vec![format!("{}{} {dest}", &written[..at], kept.join(" "))],
        );
    }
    Ok((edits.apply(text), removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_file_leaves_the_copy() {
        let text = "FROM node:22-slim\nWORKDIR /app\nCOPY .env ./\nCOPY --chown=node:node package.json .env.production ./\nCMD [\"node\", \"server.js\"]\n";
        let (out, removed) = fix_text(text, 3).expect("fixed");
        assert_eq!(removed, ".env");
        assert_eq!(out, "FROM node:22-slim\nWORKDIR /app\nCOPY --chown=node:node package.json .env.production ./\nCMD [\"node\", \"server.js\"]\n");
        let (out, removed) = fix_text(&out, 3).expect("fixed");
        assert_eq!(removed, ".env.production");
        assert!(
            out.contains("\nCOPY --chown=node:node package.json ./\n"),
            "{out}"
        );
    }
}
