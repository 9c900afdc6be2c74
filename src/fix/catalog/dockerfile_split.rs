//! dockerfile-single-stage-build: a single-stage Node.js Dockerfile becomes
//! a build stage (the original lines, named `build`, ending with a prune of
//! the dev dependencies) and a run stage on the same base image that copies
//! only what runs: `package.json`, the production `node_modules`, the
//! folders the build writes (read from the build script: `.next`, `tsc`'s
//! `outDir`, `dist`, `.output`) and the files the start command names.
//!
//! Only what the fix can read is split. It refuses, with the line, a
//! Dockerfile with stages already, a base that is not a Node.js image, a
//! build it cannot map to an output folder (webpack, a custom script), a
//! step after the build other than image settings, a `RUN` before it that
//! is not an install, a build or an OS package install (a `mkdir`, a
//! `chown`, a script: what it does may be needed at run time), a workspace,
//! and a start command that runs a dev dependency.
//!
//! Unsafe: a file the app reads at run time from elsewhere in the source
//! tree (templates, migrations, static files) is no longer in the image
//! until it is copied too.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::facts::dockerfile::{Dockerfile, Instruction};
use crate::facts::images::parse_image;
use crate::facts::shell::{ShellCommand, ShellScript};
use crate::finding::Finding;
use crate::rules::containerization::dockerfile_single_stage_build::{commands, is_build};
use crate::rules::containerization::dockerfiles::production_dockerfiles;
use crate::rules::RepoContext;

use super::cited_text;
use super::lines::{is_blank_or_comment, Text};
use crate::fix::Builder;

/// What the build context holds, for [`fix_text`]: paths are relative to
/// the context.
pub struct Context<'a> {
    pub read: &'a dyn Fn(&str) -> Option<String>,
    pub dir_exists: &'a dyn Fn(&str) -> bool,
}

impl Context<'_> {
    fn exists(&self, rel: &str) -> bool {
        (self.read)(rel).is_some() || (self.dir_exists)(rel)
    }
}

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "Dockerfile")?;
    let target = production_dockerfiles(repo)
        .into_iter()
        .find(|t| t.rel == path)
        .ok_or_else(|| format!("{path} is not a production Dockerfile any more"))?;
    let context = target.context.clone();
    let read = |rel: &str| b.read(&crate::apps::join(&context, rel));
    let dir_exists = |rel: &str| b.tree.dir_exists(&crate::apps::join(&context, rel));
    let (after, notes) = fix_text(
        &text,
        &Context {
            read: &read,
            dir_exists: &dir_exists,
        },
    )?;
    b.modify(&path, after);
    for note in notes {
        b.manual(note);
    }
    Ok(())
}

/// The package manager of the build, from the lockfile in the context.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Manager {
    Npm,
    Yarn,
    Pnpm,
}

/// The package manager the Dockerfile installs with, if it says.
fn installs_with(cmds: &[ShellCommand]) -> Option<Manager> {
    cmds.iter().find_map(|c| {
        if c.has_arg("-g") || c.has_arg("--global") {
            return None;
        }
        match (c.name.as_str(), c.subcommand()) {
            ("npm", Some("ci" | "install" | "i")) => Some(Manager::Npm),
            ("yarn", None | Some("install")) => Some(Manager::Yarn),
            ("pnpm", Some("install" | "i")) => Some(Manager::Pnpm),
            _ => None,
        }
    })
}

fn manager(cx: &Context, manifest: &Value, installs: Option<Manager>) -> Result<Manager, String> {
    if cx.exists("bun.lockb") || cx.exists("bun.lock") {
        return Err(
            "the app installs with Bun: seaworthy splits npm, Yarn 1 and pnpm builds only".into(),
        );
    }
    if installs == Some(Manager::Pnpm) || (installs.is_none() && cx.exists("pnpm-lock.yaml")) {
        return Ok(Manager::Pnpm);
    }
    if installs == Some(Manager::Yarn) || (installs.is_none() && cx.exists("yarn.lock")) {
        let berry = cx.exists(".yarnrc.yml")
            || manifest
                .get("packageManager")
                .and_then(Value::as_str)
                .and_then(|p| p.strip_prefix("yarn@"))
                .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
                .is_some_and(|major| major >= 2);
        if berry {
            return Err("the app installs with Yarn 2+ (Plug'n'Play or its own linker): prune its dev dependencies by hand (`yarn workspaces focus --production`)".into());
        }
        return Ok(Manager::Yarn);
    }
    Ok(Manager::Npm)
}

/// The command that drops dev dependencies after the build.
fn prune(manager: Manager, node_major: Option<u32>) -> &'static str {
    match manager {
        // npm 6 (Node 14 and older) knows `--production` only.
        Manager::Npm if node_major.is_some_and(|m| m <= 14) => "npm prune --production",
        Manager::Npm => "npm prune --omit=dev",
        // Yarn 1 has no prune: a production install over the same lockfile
        // removes the dev packages; scripts (postinstall) ran in the build.
        Manager::Yarn => {
            "yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline"
        }
        Manager::Pnpm => "pnpm prune --prod",
    }
}

/// Where an instruction's text ends: the line before the next instruction,
/// without the blank and comment lines in between.
fn instruction_end(lines: &Text, starts: &[u32], line: u32) -> u32 {
    let next = starts
        .iter()
        .find(|l| **l > line)
        .map_or(lines.len(), |l| l - 1);
    let mut end = next;
    while end > line && lines.line(end).is_none_or(is_blank_or_comment) {
        end -= 1;
    }
    end
}

/// The lines of an instruction, as written.
fn instruction_text(lines: &Text, starts: &[u32], inst: &Instruction) -> Vec<String> {
    (inst.line..=instruction_end(lines, starts, inst.line))
        .filter_map(|n| lines.line(n))
        .map(str::to_string)
        .collect()
}

/// What a `RUN` before the build does, by its commands.
#[derive(PartialEq, Eq, Debug)]
enum RunKind {
    /// Dependencies, the build, code generation: the build stage only.
    Build,
    /// OS packages or a package manager's own install: the run stage needs
    /// them too (or may: an `apk add` can be for the runtime).
    System,
}

const OS_MANAGERS: &[&str] = &["apk", "apt-get", "apt", "yum", "dnf", "microdnf"];

/// Packages only a native-module build needs.
const BUILD_ONLY_PACKAGES: &[&str] = &[
    "build-base",
    "build-essential",
    "g++",
    "gcc",
    "make",
    "python3",
    "python",
    "git",
];

fn run_kind(inst: &Instruction) -> Result<(RunKind, bool), String> {
    let cmds = commands(inst);
    if cmds.is_empty() {
        return Err(format!(
            "line {}: seaworthy cannot read this RUN's commands",
            inst.line
        ));
    }
    let mut system = false;
    let mut runtime_packages = false;
    for cmd in &cmds {
        let name = cmd.name.as_str();
        let sub = cmd.subcommand();
        let global = cmd.has_arg("-g") || cmd.has_arg("--global");
        if OS_MANAGERS.contains(&name) {
            system = true;
            let installs = matches!(sub, Some("add" | "install"));
            if installs
                && cmd
                    .args
                    .iter()
                    .filter(|a| !a.starts_with('-') && Some(a.as_str()) != sub)
                    .any(|p| {
                        let bare = p.split(['=', '~']).next().unwrap_or(p);
                        !BUILD_ONLY_PACKAGES.contains(&bare)
                    })
            {
                runtime_packages = true;
            }
            continue;
        }
        match name {
            // Cleanup of the package lists beside an OS install.
            "rm" | "true" => {}
            "corepack" => system = true,
            "npm" | "yarn" | "pnpm" if global => {
                system = true;
                runtime_packages = true;
            }
            "npm" | "yarn" | "pnpm" | "bun" | "npx" | "node" | "cross-env" => {}
            "prisma" | "tsc" | "next" | "nest" | "vite" | "nuxt" | "nuxi" => {}
            _ if is_build(cmd) => {}
            other => {
                return Err(format!(
                    "line {}: `{other}` runs before the build; seaworthy cannot tell whether the run stage needs what it does — split this Dockerfile by hand",
                    inst.line
                ))
            }
        }
    }
    Ok(if system {
        (RunKind::System, runtime_packages)
    } else {
        (RunKind::Build, false)
    })
}

/// A command with `cross-env A=1`, `npx` and `env` prefixes removed.
fn unwrap(cmd: &ShellCommand) -> (String, Vec<String>) {
    let mut words: Vec<String> = std::iter::once(cmd.name.clone())
        .chain(cmd.args.iter().cloned())
        .collect();
    loop {
        match words.first().map(String::as_str) {
            Some("cross-env" | "env" | "dotenv") => {
                words.remove(0);
                while words
                    .first()
                    .is_some_and(|w| w.contains('=') || w.starts_with('-'))
                {
                    words.remove(0);
                }
                if words.first().map(String::as_str) == Some("--") {
                    words.remove(0);
                }
            }
            Some("npx") => {
                words.remove(0);
                while words.first().is_some_and(|w| w.starts_with('-')) {
                    words.remove(0);
                }
            }
            _ => break,
        }
    }
    let name = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w).to_string())
        .unwrap_or_default();
    (name, words.into_iter().skip(1).collect())
}

fn script<'v>(manifest: &'v Value, name: &str) -> Option<&'v str> {
    manifest.get("scripts")?.get(name)?.as_str()
}

/// The script a package-manager command runs (`npm run build`, `yarn
/// build`, `pnpm start`, `npm start`), if it runs one.
fn script_name(name: &str, args: &[String]) -> Option<String> {
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    match (name, positional.as_slice()) {
        ("npm" | "pnpm" | "yarn" | "bun", ["run" | "run-script", s, ..]) => Some(s.to_string()),
        ("npm" | "pnpm" | "yarn" | "bun", ["start", ..]) => Some("start".into()),
        ("yarn" | "pnpm", [s, ..])
            if !matches!(*s, "install" | "add" | "i" | "ci" | "exec" | "dlx") =>
        {
            Some(s.to_string())
        }
        _ => None,
    }
}

/// A relative folder that stays inside the context, `./` and `/` trimmed.
fn clean_dir(dir: &str) -> Option<String> {
    let d = dir.trim().trim_start_matches("./").trim_end_matches('/');
    (!d.is_empty() && d != "." && !d.starts_with('/') && !d.split('/').any(|p| p == ".."))
        .then(|| d.to_string())
}

/// `compilerOptions.outDir` of a tsconfig (following a local `extends`).
fn ts_out_dir(cx: &Context, config: &str, depth: u8) -> Option<String> {
    let text = (cx.read)(config)?;
    let value: Value = serde_json::from_str(&crate::fix::profile::strip_jsonc(&text)).ok()?;
    if let Some(out) = value
        .get("compilerOptions")
        .and_then(|o| o.get("outDir"))
        .and_then(Value::as_str)
    {
        return clean_dir(out);
    }
    let parent = value.get("extends").and_then(Value::as_str)?;
    (depth < 3 && parent.starts_with('.'))
        .then(|| ts_out_dir(cx, parent.trim_start_matches("./"), depth + 1))
        .flatten()
}

/// The output of one build: folders the run stage copies, and whether it is
/// Next.js (which reads `public/` and its config at run time too).
#[derive(Default)]
struct Outputs {
    dirs: BTreeSet<String>,
    next: bool,
    nuxt2: bool,
}

fn value_of(args: &[String], flags: &[&str]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        for f in flags {
            if a == f {
                return it.next().cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{f}=")) {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// What a build command writes, following `npm run` into the scripts.
fn build_outputs(
    cx: &Context,
    manifest: &Value,
    cmd: &ShellCommand,
    out: &mut Outputs,
    depth: u8,
) -> Result<(), String> {
    let (name, args) = unwrap(cmd);
    if let Some(s) = script_name(&name, &args) {
        let text =
            script(manifest, &s).ok_or_else(|| format!("package.json has no `{s}` script"))?;
        if depth > 3 {
            return Err(format!("the `{s}` script calls scripts too deep to follow"));
        }
        let parsed = ShellScript::parse(text)
            .map_err(|_| format!("seaworthy cannot read the `{s}` script"))?;
        for c in &parsed.commands {
            if c.name == "cd" {
                return Err(format!(
                    "the `{s}` script changes folder (`cd`): its output is not where the Dockerfile builds"
                ));
            }
            build_outputs(cx, manifest, c, out, depth + 1)?;
        }
        return Ok(());
    }
    let first = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    match name.as_str() {
        "next" if first == Some("build") => {
            let dist = ["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"]
                .iter()
                .find_map(|c| (cx.read)(c))
                .and_then(|t| crate::fix::nextjs::config::string_value(&t, "distDir"));
            if let Some(d) = &dist {
                if clean_dir(d).is_none() {
                    return Err(format!("next.config sets distDir `{d}` outside the app"));
                }
            }
            out.dirs.insert(
                dist.as_deref()
                    .and_then(clean_dir)
                    .unwrap_or_else(|| ".next".into()),
            );
            out.next = true;
        }
        "tsc" => {
            if args.iter().any(|a| a == "--noEmit") {
                return Ok(());
            }
            if let Some(dir) = value_of(&args, &["--outDir"]) {
                out.dirs.insert(clean_dir(&dir).ok_or("tsc writes outside the app")?);
                return Ok(());
            }
            let config = value_of(&args, &["-p", "--project"])
                .map(|p| p.trim_start_matches("./").to_string())
                .map(|p| {
                    if p.ends_with(".json") {
                        p
                    } else {
                        format!("{}/tsconfig.json", p.trim_end_matches('/'))
                    }
                })
                .unwrap_or_else(|| "tsconfig.json".into());
            let dir = ts_out_dir(cx, &config, 0).ok_or_else(|| {
                format!("`tsc` writes next to the sources ({config} sets no outDir): the run stage would need the whole source tree")
            })?;
            out.dirs.insert(dir);
        }
        "nest" if first == Some("build") => {
            let dir = ts_out_dir(cx, "tsconfig.build.json", 0)
                .or_else(|| ts_out_dir(cx, "tsconfig.json", 0))
                .unwrap_or_else(|| "dist".into());
            out.dirs.insert(dir);
        }
        "vite" if first == Some("build") => {
            if let Some(dir) = value_of(&args, &["--outDir"]) {
                out.dirs.insert(clean_dir(&dir).ok_or("vite writes outside the app")?);
                return Ok(());
            }
            let configured = ["vite.config.ts", "vite.config.js", "vite.config.mjs", "vite.config.mts"]
                .iter()
                .filter_map(|c| (cx.read)(c))
                .any(|t| t.contains("outDir"));
            if configured {
                return Err("vite.config sets its own outDir: split this Dockerfile by hand".into());
            }
            out.dirs.insert("dist".into());
        }
        "nuxt" | "nuxi" if first == Some("build") => {
            // Nuxt 2 builds into `.nuxt` and `nuxt start` serves it with the
            // config and `static/`; Nuxt 3 writes a self-contained `.output`.
            let major = ["dependencies", "devDependencies"]
                .iter()
                .find_map(|k| manifest.get(*k)?.get("nuxt")?.as_str())
                .and_then(|v| {
                    v.trim_start_matches(['^', '~', '=', 'v', '>', ' '])
                        .split('.')
                        .next()?
                        .parse::<u32>()
                        .ok()
                });
            if major == Some(2) {
                out.dirs.insert(".nuxt".into());
                out.nuxt2 = true;
            } else {
                out.dirs.insert(".output".into());
            }
        }
        // Code generation into node_modules, cleanup, messages.
        "prisma" | "rimraf" | "rm" | "echo" | "true" => {}
        "next" | "nest" | "vite" | "nuxt" | "nuxi" => {}
        other => {
            return Err(format!(
                "the build runs `{other}`: seaworthy cannot tell which folder it writes — split this Dockerfile by hand"
            ))
        }
    }
    Ok(())
}

/// The files and folders the start command needs beside the build output;
/// an error when it runs a dev dependency.
fn start_needs(
    cx: &Context,
    manifest: &Value,
    cmd: &ShellCommand,
    outputs: &Outputs,
    needs: &mut BTreeSet<String>,
    depth: u8,
) -> Result<(), String> {
    let (name, args) = unwrap(cmd);
    if let Some(s) = script_name(&name, &args) {
        let text = script(manifest, &s)
            .ok_or_else(|| format!("package.json has no `{s}` script for the start command"))?;
        if depth > 3 {
            return Err(format!("the `{s}` script calls scripts too deep to follow"));
        }
        let parsed = ShellScript::parse(text)
            .map_err(|_| format!("seaworthy cannot read the `{s}` script"))?;
        for c in &parsed.commands {
            start_needs(cx, manifest, c, outputs, needs, depth + 1)?;
        }
        return Ok(());
    }
    let dependency = |p: &str| {
        manifest
            .get("dependencies")
            .and_then(|d| d.get(p))
            .is_some()
    };
    let dev_dependency = |p: &str| {
        manifest
            .get("devDependencies")
            .and_then(|d| d.get(p))
            .is_some()
    };
    match name.as_str() {
        "node" | "bun" => {
            let Some(file) = args.iter().find(|a| !a.starts_with('-')) else {
                return Ok(());
            };
            let file = file.trim_start_matches("./");
            if file.contains('$') {
                return Err(format!(
                    "the start command runs `node {file}`: seaworthy cannot tell which file that is"
                ));
            }
            let in_output = outputs
                .dirs
                .iter()
                .any(|d| file == d || file.starts_with(&format!("{d}/")));
            if !in_output {
                if cx.exists(file) {
                    needs.insert(file.to_string());
                } else {
                    return Err(format!(
                        "the start command runs `node {file}`, which is neither in the build output nor in the build context"
                    ));
                }
            }
        }
        "npm" | "yarn" | "pnpm" | "sh" | "bash" | "exec" | "echo" => {}
        "prisma" => {
            if !dependency("prisma") {
                return Err("the start command runs `prisma`, a dev dependency the run stage no longer installs: move it to dependencies first".into());
            }
            if cx.exists("prisma") {
                needs.insert("prisma".into());
            }
        }
        other => {
            let local = cx.exists(other) || other.contains('/');
            if local {
                needs.insert(other.trim_start_matches("./").to_string());
            } else if dev_dependency(other) && !dependency(other) {
                return Err(format!(
                    "the start command runs `{other}`, a dev dependency the run stage no longer installs"
                ));
            }
        }
    }
    Ok(())
}

/// The Node.js major version of a `node:<tag>` image, when the tag says.
fn node_major(image: &str) -> Option<u32> {
    let (_, tag) = parse_image(image);
    tag?.split(['-', '.']).next()?.parse().ok()
}

/// The split Dockerfile and notes for the report.
pub fn fix_text(text: &str, cx: &Context) -> Result<(String, Vec<String>), String> {
    let file = Dockerfile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    if file.stages.len() != 1 {
        return Err(format!(
            "it has {} stages: seaworthy splits single-stage Dockerfiles only; copy only the build output into the stage that ships",
            file.stages.len()
        ));
    }
    let stage = &file.stages[0];
    let (repo, _) = parse_image(&stage.image);
    if repo.rsplit('/').next() != Some("node") {
        return Err(format!(
            "the base image `{}` is not a Node.js image: seaworthy splits Node.js builds only",
            stage.image
        ));
    }
    let manifest: Value = (cx.read)("package.json")
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or("the build context has no readable package.json")?;
    if manifest.get("workspaces").is_some() || cx.exists("pnpm-workspace.yaml") {
        return Err("the app is a workspace: the run stage would need the packages it links; split this Dockerfile by hand".into());
    }
    let installs = installs_with(
        &stage
            .instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .flat_map(commands)
            .collect::<Vec<_>>(),
    );
    let manager = manager(cx, &manifest, installs)?;
    let lines = Text::new(text);
    let starts: Vec<u32> = std::iter::once(stage.from.line)
        .chain(stage.instructions.iter().map(|i| i.line))
        .collect();
    let build_at = stage
        .instructions
        .iter()
        .position(|i| i.keyword == "RUN" && commands(i).iter().any(is_build))
        .ok_or("no build step in the Dockerfile any more")?;
    let build = &stage.instructions[build_at];

    // Before the build: what the run stage repeats.
    let mut workdir: Option<String> = None;
    let mut env: Vec<Vec<String>> = Vec::new();
    let mut system: Vec<Vec<String>> = Vec::new();
    let mut meta: Vec<Vec<String>> = Vec::new();
    let mut user_before: Option<String> = None;
    let mut chown: Option<String> = None;
    let mut notes = Vec::new();
    for inst in &stage.instructions[..=build_at] {
        match inst.keyword.as_str() {
            "WORKDIR" => workdir = Some(inst.args.trim().to_string()),
            "ENV" | "ARG" => env.push(instruction_text(&lines, &starts, inst)),
            "USER" => user_before = Some(inst.args.trim().to_string()),
            "COPY" | "ADD" => {
                if inst.flags.iter().any(|(k, _)| k == "from") {
                    return Err(format!(
                        "line {}: it copies from another image; split this Dockerfile by hand",
                        inst.line
                    ));
                }
                if let Some((_, c)) = inst.flags.iter().find(|(k, _)| k == "chown") {
                    chown = Some(c.clone());
                }
            }
            "RUN" => {
                if inst.line != build.line {
                    if commands(inst).iter().any(|c| c.name == "cd") {
                        return Err(format!(
                            "line {}: it changes folder (`cd`) before the build; split this Dockerfile by hand",
                            inst.line
                        ));
                    }
                    let (kind, runtime) = run_kind(inst)?;
                    if kind == RunKind::System {
                        system.push(instruction_text(&lines, &starts, inst));
                        if runtime {
                            notes.push(format!(
                                "Line {} installs packages the run stage installs too: drop from its copy what only the build needs.",
                                inst.line
                            ));
                        }
                    }
                }
            }
            "EXPOSE" | "LABEL" | "HEALTHCHECK" | "CMD" | "ENTRYPOINT" | "STOPSIGNAL" | "VOLUME"
            | "SHELL" => meta.push(instruction_text(&lines, &starts, inst)),
            other => {
                return Err(format!(
                    "line {}: `{other}` before the build; split this Dockerfile by hand",
                    inst.line
                ))
            }
        }
    }
    if build.exec_form.is_some() || !build.heredocs.is_empty() {
        return Err(format!(
            "line {}: the build is written in exec or heredoc form; split this Dockerfile by hand",
            build.line
        ));
    }
    let build_cmds = commands(build);
    if build_cmds.iter().any(|c| c.name == "cd") {
        return Err(format!(
            "line {}: the build changes folder (`cd`): its output is not in the working directory",
            build.line
        ));
    }
    let workdir = workdir
        .filter(|w| w.starts_with('/') && !w.contains('$'))
        .ok_or("no absolute WORKDIR before the build: seaworthy cannot tell where the output is")?;
    let workdir = workdir.trim_end_matches('/').to_string();

    // After the build: image settings only.
    let mut user_after = false;
    let mut start: Option<&Instruction> = stage.instructions[..build_at]
        .iter()
        .rev()
        .find(|i| matches!(i.keyword.as_str(), "CMD" | "ENTRYPOINT"));
    for inst in &stage.instructions[build_at + 1..] {
        match inst.keyword.as_str() {
            "EXPOSE" | "ENV" | "ARG" | "LABEL" | "HEALTHCHECK" | "STOPSIGNAL" | "VOLUME"
            | "SHELL" => {}
            "USER" => user_after = true,
            "CMD" | "ENTRYPOINT" => start = Some(inst),
            "WORKDIR" if inst.args.trim().trim_end_matches('/') == workdir => {}
            other => {
                return Err(format!(
                    "line {}: `{other}` after the build: seaworthy cannot tell what the run stage needs from it — split this Dockerfile by hand",
                    inst.line
                ))
            }
        }
    }

    let mut outputs = Outputs::default();
    for cmd in build_cmds.iter().filter(|c| is_build(c)) {
        build_outputs(cx, &manifest, cmd, &mut outputs, 0)?;
    }
    if outputs.dirs.is_empty() {
        return Err("seaworthy cannot tell which folder the build writes".into());
    }
    let start = start.ok_or("no CMD or ENTRYPOINT: seaworthy cannot tell what the image runs")?;
    let mut needs: BTreeSet<String> = BTreeSet::new();
    for cmd in commands(start) {
        start_needs(cx, &manifest, &cmd, &outputs, &mut needs, 0)?;
    }
    if outputs.next {
        for extra in [
            "public",
            "next.config.js",
            "next.config.mjs",
            "next.config.ts",
            "next.config.cjs",
        ] {
            if cx.exists(extra) {
                needs.insert(extra.to_string());
            }
        }
        let deps = manifest.get("dependencies");
        if deps.and_then(|d| d.get("next")).is_none() {
            return Err(
                "`next` is not in dependencies: `next start` would not find it in the run stage"
                    .into(),
            );
        }
    }
    if outputs.nuxt2 {
        for extra in ["static", "nuxt.config.js"] {
            if cx.exists(extra) {
                needs.insert(extra.to_string());
            }
        }
        if cx.exists("nuxt.config.ts") {
            return Err("nuxt.config.ts needs the TypeScript runtime of the build: split this Dockerfile by hand".into());
        }
    }
    let prisma = ["@prisma/client", "prisma"].iter().any(|p| {
        manifest
            .get("dependencies")
            .and_then(|d| d.get(*p))
            .is_some()
    });
    if prisma && cx.exists("prisma") {
        needs.insert("prisma".into());
    }
    for dir in &outputs.dirs {
        needs.retain(|n| !n.starts_with(&format!("{dir}/")));
    }

    // The build stage: the original lines, named, with the prune.
    let from_line = lines.line(stage.from.line).unwrap_or_default();
    let image_words: Vec<&str> = from_line.split_whitespace().collect();
    let base_end = image_words
        .iter()
        .position(|w| w.eq_ignore_ascii_case("as"))
        .unwrap_or(image_words.len());
    let base = image_words[..base_end].join(" ");
    // A named stage keeps its name on the stage that ships, so a compose
    // `target:` or `docker build --target` still gets the image it ran.
    let stage_name = stage.name.clone();
    let build_name = match stage_name.as_deref() {
        Some("build") => "build-stage".to_string(),
        _ => "build".to_string(),
    };
    let build_end = instruction_end(&lines, &starts, build.line);
    let prune_cmd = prune(manager, node_major(&stage.image));
    let mut out: Vec<String> = Vec::new();
    for n in 1..=lines.len() {
        let Some(line) = lines.line(n) else { continue };
        if n > build_end {
            break;
        }
        if n == stage.from.line {
            out.push(format!("{base} AS {build_name}"));
        } else if n == build_end {
            out.push(format!("{} \\", line.trim_end()));
            out.push(format!("    && {prune_cmd}"));
        } else {
            out.push(line.to_string());
        }
    }

    // The run stage.
    out.push(String::new());
    out.push("# Run stage: the production dependencies and the build output only (split by seaworthy fix).".into());
    out.push(match &stage_name {
        Some(name) => format!("{base} AS {name}"),
        None => base.clone(),
    });
    out.push(format!("WORKDIR {workdir}"));
    for block in &env {
        out.extend(block.iter().cloned());
    }
    for block in &system {
        out.extend(block.iter().cloned());
    }
    let chown_flag = chown
        .as_deref()
        .map(|c| format!(" --chown={c}"))
        .unwrap_or_default();
    let from = format!("COPY --from={build_name}{chown_flag}");
    out.push(format!("{from} {workdir}/package.json ./"));
    out.push(format!("{from} {workdir}/node_modules ./node_modules"));
    for path in outputs.dirs.iter().chain(needs.iter()) {
        out.push(format!("{from} {workdir}/{path} ./{path}"));
    }
    for block in &meta {
        out.extend(block.iter().cloned());
    }
    if let (Some(user), false) = (&user_before, user_after) {
        out.push(format!("USER {user}"));
    }
    let tail: Vec<String> = (build_end + 1..=lines.len())
        .filter_map(|n| lines.line(n))
        .map(str::to_string)
        .collect();
    // The original's blank line after the build is the stages' separator.
    let tail_start = tail
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(tail.len());
    out.extend(tail[tail_start..].iter().cloned());
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let mut after = out.join("\n");
    if text.ends_with('\n') {
        after.push('\n');
    }
    if text.contains("\r\n") {
        after = after.replace('\n', "\r\n");
    }
    let copied: Vec<String> = outputs.dirs.iter().chain(needs.iter()).cloned().collect();
    notes.push(format!(
        "The run stage has package.json, the production node_modules and {}: copy with `COPY --from={build_name}` any other file the app reads at run time (templates, migrations, static files).",
        copied
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok((after, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn split(dockerfile: &str, files: &[(&str, &str)]) -> Result<(String, Vec<String>), String> {
        let map: HashMap<String, String> = files
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let read = |rel: &str| map.get(rel).cloned();
        let dir_exists = |rel: &str| map.keys().any(|k| k.starts_with(&format!("{rel}/")));
        fix_text(
            dockerfile,
            &Context {
                read: &read,
                dir_exists: &dir_exists,
            },
        )
    }

    const TSC: &str = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\nEXPOSE 3000\nUSER node\nCMD [\"npm\", \"start\"]\n";

    #[test]
    fn a_typescript_api_gets_a_run_stage_with_its_out_dir() {
        let files = [
            (
                "package.json",
                r#"{"scripts":{"build":"tsc -p tsconfig.build.json","start":"node dist/main.js"},"dependencies":{"express":"4"},"devDependencies":{"typescript":"5"}}"#,
            ),
            ("package-lock.json", "{}"),
            ("tsconfig.build.json", "{\"extends\": \"./tsconfig.json\"}"),
            (
                "tsconfig.json",
                "{ // comment\n \"compilerOptions\": {\"outDir\": \"./dist\"} }",
            ),
        ];
        let (out, notes) = split(TSC, &files).expect("split");
        assert_eq!(
            out,
            "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build \\\n    && npm prune --omit=dev\n\n# Run stage: the production dependencies and the build output only (split by seaworthy fix).\nFROM node:20-alpine\nWORKDIR /app\nCOPY --from=build /app/package.json ./\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist\nEXPOSE 3000\nUSER node\nCMD [\"npm\", \"start\"]\n"
        );
        assert!(notes.iter().any(|n| n.contains("`dist`")), "{notes:?}");
        let parsed = Dockerfile::parse(&out).expect("parses");
        assert_eq!(parsed.stages.len(), 2);
        assert!(split(&out, &files).is_err(), "a second time: two stages");
    }

    #[test]
    fn next_keeps_public_and_config_and_yarn_reinstalls_for_production() {
        let files = [
            (
                "package.json",
                r#"{"scripts":{"build":"prisma generate && next build","start":"next start"},"dependencies":{"next":"14","@prisma/client":"5"},"devDependencies":{"prisma":"5"}}"#,
            ),
            ("yarn.lock", ""),
            ("next.config.js", "module.exports = {}"),
            ("public/logo.svg", "<svg/>"),
            ("prisma/schema.prisma", ""),
        ];
        let df = "FROM node:18-alpine\nRUN apk add --no-cache libc6-compat openssl\nWORKDIR /usr/src/app\nCOPY --chown=node:node . .\nRUN yarn --frozen-lockfile && yarn build\nENV PORT=3000\nCMD yarn start\n";
        let (out, notes) = split(df, &files).expect("split");
        assert!(out.contains("RUN yarn --frozen-lockfile && yarn build \\\n    && yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline\n"), "{out}");
        assert!(out.contains("FROM node:18-alpine\nWORKDIR /usr/src/app\nRUN apk add --no-cache libc6-compat openssl\nCOPY --from=build --chown=node:node /usr/src/app/package.json ./\n"), "{out}");
        for copied in [".next", "public", "next.config.js", "prisma"] {
            assert!(
                out.contains(&format!("/usr/src/app/{copied} ./{copied}\n")),
                "{copied}: {out}"
            );
        }
        assert!(out.ends_with("ENV PORT=3000\nCMD yarn start\n"), "{out}");
        assert!(
            notes.iter().any(|n| n.contains("Line 2 installs")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_named_stage_keeps_its_name_on_the_stage_that_ships() {
        let files = [(
            "package.json",
            r#"{"scripts":{"build":"nest build"},"dependencies":{"@nestjs/core":"10"},"devDependencies":{"@nestjs/cli":"10"}}"#,
        )];
        let df = "FROM node:20-alpine AS api\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nCMD [\"node\", \"dist/main\"]\n";
        let (out, _) = split(df, &files).expect("split");
        assert!(out.starts_with("FROM node:20-alpine AS build\n"), "{out}");
        assert!(out.contains("\nFROM node:20-alpine AS api\nWORKDIR /app\nCOPY --from=build /app/package.json ./\n"), "{out}");
        assert!(
            out.contains("COPY --from=build /app/dist ./dist\n"),
            "{out}"
        );
    }

    #[test]
    fn what_it_cannot_read_is_refused_with_the_reason() {
        let pkg = r#"{"scripts":{"build":"webpack","start":"node dist/main.js"},"devDependencies":{"webpack":"5"}}"#;
        let err = split(TSC, &[("package.json", pkg)]).expect_err("webpack");
        assert!(err.contains("`webpack`"), "{err}");
        let pkg = r#"{"scripts":{"build":"tsc","start":"ts-node src/main.ts"},"devDependencies":{"ts-node":"10","typescript":"5"}}"#;
        let err = split(
            TSC,
            &[
                ("package.json", pkg),
                ("tsconfig.json", r#"{"compilerOptions":{"outDir":"dist"}}"#),
            ],
        )
        .expect_err("ts-node");
        assert!(err.contains("dev dependency"), "{err}");
        let err = split(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nRUN cp -r dist /srv\nCMD [\"node\", \"/srv/main.js\"]\n",
            &[("package.json", r#"{"scripts":{"build":"tsc"}}"#), ("tsconfig.json", r#"{"compilerOptions":{"outDir":"dist"}}"#)],
        )
        .expect_err("RUN after the build");
        assert!(err.contains("line 5"), "{err}");
        let err = split(
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN npm run build\nCMD [\"gunicorn\"]\n",
            &[("package.json", "{}")],
        )
        .expect_err("python");
        assert!(err.contains("not a Node.js image"), "{err}");
    }
}
