//! terraform-no-remote-backend: a `backend.tf` in the root module with the
//! remote backend of its cloud — S3 with native locking (`use_lockfile`,
//! Terraform ≥ 1.10) and encryption for AWS, GCS for Google Cloud, azurerm
//! for Azure (both lock on their own) — as a partial configuration: the
//! bucket and key, which only the user knows, are given at `terraform init`.
//!
//! Unsafe: the next `terraform init` asks to migrate the local state, and
//! nothing works until the bucket exists and the values are given.

use crate::finding::Finding;
use crate::index::{DeployKind, FileKind};
use crate::rules::RepoContext;

use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    if finding.locations.len() > 1 {
        return Err("the module declares `backend \"local\"`: replace it by hand".to_string());
    }
    let Some(at) = finding.locations.first() else {
        return Err("the finding cites no Terraform file".to_string());
    };
    let dir = at.path.rsplit_once('/').map_or("", |(d, _)| d);
    let providers: Vec<String> = repo
        .index
        .of_kind(FileKind::Deploy(DeployKind::Terraform))
        .iter()
        .filter(|id| repo.index.get(**id).dir() == dir)
        .filter_map(|id| repo.facts.terraform(*id))
        .flat_map(|tf| tf.providers.iter().map(|(p, _)| p.clone()))
        .collect();
    let (kind, body, values) = if providers.iter().any(|p| p == "aws") {
        (
            "s3",
            "    encrypt      = true\n    use_lockfile = true\n",
            "bucket = \"<state bucket>\", key = \"<module>/terraform.tfstate\", region = \"<region>\"",
        )
    } else if providers.iter().any(|p| p == "google") {
        (
            "gcs",
            "",
            "bucket = \"<state bucket>\", prefix = \"<module>\"",
        )
    } else if providers.iter().any(|p| p == "azurerm") {
        (
            "azurerm",
            "",
            "resource_group_name, storage_account_name, container_name = \"tfstate\", key = \"<module>.tfstate\"",
        )
    } else {
        return Err(format!(
            "no backend known for the providers {}: choose one (or HCP Terraform's `cloud {{}}`) by hand",
            providers.join(", ")
        ));
    };
    let path = if dir.is_empty() {
        "backend.tf".to_string()
    } else {
        format!("{dir}/backend.tf")
    };
    b.create(&path, backend_tf(kind, body, values), false);
    let shown = if dir.is_empty() { "." } else { dir };
    b.next(format!(
        "terraform -chdir={shown} init -migrate-state -backend-config=backend.hcl"
    ));
    b.manual(format!(
        "Create the state bucket (versioned, encrypted, not public) and write {shown}/backend.hcl with {values}; keep it out of git if it names anything private."
    ));
    if kind == "s3" {
        b.assume("Terraform ≥ 1.10 (S3 native state locking, `use_lockfile`); older versions need a DynamoDB table (`dynamodb_table`)");
    }
    Ok(())
}

pub fn backend_tf(kind: &str, body: &str, values: &str) -> String {
    format!(
        "# Remote state with locking (seaworthy fix). The values only you know are\n# given at init: terraform init -migrate-state -backend-config=backend.hcl\n# backend.hcl: {values}\nterraform {{\n  backend \"{kind}\" {{\n{body}  }}\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_parses_as_a_remote_backend() {
        let text = backend_tf(
            "s3",
            "    encrypt      = true\n    use_lockfile = true\n",
            "bucket = \"b\"",
        );
        let tf = crate::facts::terraform::parse(&text).expect("HCL");
        assert_eq!(tf.backends.len(), 1);
        assert_eq!(tf.backends[0].0, "s3");
        let gcs = crate::facts::terraform::parse(&backend_tf("gcs", "", "x")).expect("HCL");
        assert_eq!(gcs.backends[0].0, "gcs");
    }
}
