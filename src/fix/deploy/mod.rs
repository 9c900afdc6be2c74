//! manual-server-deployment: a deployment definition for the target the
//! user picks. The old scripts stay in place; the summary names them.

pub mod fly;
pub mod kubernetes;
pub mod render;

use super::profile::Profile;
use super::{Builder, DeployTarget};

pub fn plan(p: &Profile, target: DeployTarget, b: &mut Builder) -> Result<(), String> {
    match target {
        DeployTarget::Kubernetes => kubernetes::plan(p, b)?,
        DeployTarget::Fly => fly::plan(p, b)?,
        DeployTarget::Render => render::plan(p, b)?,
    }
    if p.health.is_none() {
        b.manual("The app has no health routes seaworthy knows: set the probe/check paths in the generated files to the app's health endpoint.");
    }
    Ok(())
}

/// The command that applies Prisma migrations inside the image.
pub fn migrate_command(p: &Profile) -> Option<Vec<String>> {
    p.prisma.as_ref()?;
    Some(vec![
        "node".to_string(),
        super::nextjs::dockerfile::PRISMA_CLI.to_string(),
        "migrate".to_string(),
        "deploy".to_string(),
    ])
}
