//! manual-server-deployment: a deployment definition for the target the
//! user picks. The old scripts stay in place; the summary names them.

pub mod amplify;
pub mod aws;
pub mod fly;
pub mod host_jobs;
pub mod kubernetes;
pub mod render;
pub mod vercel;
pub mod writable;

use super::profile::{PackageManager, Profile};
use super::{Builder, DeployTarget};
use crate::index::FileKind;

/// `files`: the repository's files and kinds (the host's cron jobs are
/// read from its crontabs and scripts).
pub fn plan(
    p: &Profile,
    target: DeployTarget,
    b: &mut Builder,
    files: &[(String, Option<FileKind>)],
) -> Result<(), String> {
    let dockerfile = p.join("Dockerfile");
    match b.read(&dockerfile) {
        // Vercel and Amplify build from source: no image.
        _ if target.builds_from_source() => {}
        None => b.manual(format!(
            "The deployment builds {dockerfile}, which does not exist yet: run `seaworthy fix --rule missing-container-config` (or write one)."
        )),
        Some(text) if p.prisma.is_some() && !text.contains(PRISMA_CLI_DIR) => b.manual(
            "The migration step runs `npx prisma migrate deploy` in the app image: make sure the image contains the Prisma CLI and the prisma/ folder (a Next.js standalone output has neither).",
        ),
        Some(_) => {}
    }
    if let Some(note) = p.prisma.as_ref().and_then(|pr| pr.db_push_note(p.exec())) {
        b.assume(note);
    }
    match target {
        DeployTarget::Kubernetes => kubernetes::plan(p, b)?,
        DeployTarget::Fly => fly::plan(p, b)?,
        DeployTarget::Render => render::plan(p, b)?,
        DeployTarget::Vercel => vercel::plan(p, b, files)?,
        DeployTarget::Amplify => amplify::plan(p, b)?,
        DeployTarget::Aws => aws::plan(p, b)?,
    }
    if p.health.is_none() {
        b.manual("The app has no health routes seaworthy knows: set the probe/check paths in the generated files to the app's health endpoint.");
    }
    Ok(())
}

const PRISMA_CLI_DIR: &str = "/opt/prisma-cli";

/// The install that fails rather than change the lockfile, for the package
/// manager the lockfile names; `None` without a lockfile.
pub fn frozen_install(p: &Profile) -> Option<String> {
    p.lockfile.as_ref()?;
    Some(
        match p.manager {
            PackageManager::Npm => "npm ci",
            PackageManager::Yarn => "yarn install --frozen-lockfile",
            PackageManager::Pnpm => "pnpm install --frozen-lockfile",
            PackageManager::Bun => "bun install --frozen-lockfile",
        }
        .to_string(),
    )
}

/// `npm run NAME` in the app's package manager.
pub fn run_script(p: &Profile, name: &str) -> String {
    match p.manager {
        PackageManager::Npm => format!("npm run {name}"),
        PackageManager::Yarn => format!("yarn {name}"),
        PackageManager::Pnpm => format!("pnpm run {name}"),
        PackageManager::Bun => format!("bun run {name}"),
    }
}

/// The command that applies Prisma migrations inside the image: the CLI
/// the generated Dockerfile keeps, else `npx prisma` (the image must have it).
pub fn migrate_command(p: &Profile, b: &Builder) -> Option<Vec<String>> {
    let prisma = p.prisma.as_ref()?;
    let ours = b
        .read(&p.join("Dockerfile"))
        .is_none_or(|t| t.contains(PRISMA_CLI_DIR));
    let head: &[&str] = if ours {
        &["node", super::nextjs::dockerfile::PRISMA_CLI]
    } else {
        &["npx", "prisma"]
    };
    Some(
        head.iter()
            .chain(prisma.release_args())
            .map(|s| s.to_string())
            .collect(),
    )
}

/// A file that runs or fronts the app on a hand-managed host: a pm2
/// process file, a systemd unit, an nginx site proxying to a local port.
/// It goes on the "retire" list with the deployment scripts.
pub fn host_runtime_file(rel: &str, read: impl FnOnce() -> Option<String>) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if crate::roles::path::is_non_product_path(rel) || rel.starts_with("node_modules/") {
        return false;
    }
    let pm2 = name.starts_with("ecosystem.config.")
        || name == "pm2.json"
        || name.starts_with("pm2.config.")
        || name == "process.yml";
    if pm2 {
        return true;
    }
    let unit = name.ends_with(".service");
    let nginx = name.ends_with(".conf") && rel.to_ascii_lowercase().contains("nginx")
        || name.ends_with(".nginx");
    if !unit && !nginx {
        return false;
    }
    let Some(text) = read() else { return false };
    if unit {
        return text.contains("[Service]") && text.contains("ExecStart");
    }
    text.lines().any(|l| {
        let t = l.trim();
        t.starts_with("proxy_pass") && (t.contains("127.0.0.1") || t.contains("localhost"))
    })
}
